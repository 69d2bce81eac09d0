/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-json.c - the JSON workload format (docs/workload-json.md): reader,
 * writer, the Slurm syntax of jobextra.h, and `sluice sim` on a JSON scenario.
 *
 * Small inline documents check every field (one job that uses them all, then each shape
 * rule), every job error with its message in strict mode and its count when lenient, every
 * structural and header error, unknown fields, arrays, skips, sorting, JSON Lines (by name
 * and by content), BOM, CRLF, gzip, the format switch and the machine scan, the resolver,
 * and a stream that returns a few bytes per read against the same document read at once.
 * The writer round trip (read -> write JSON Lines -> read) must give the same jobs and
 * extras, also from an SWF trace.  A generated 200,000-job document is streamed (speed
 * printed, checked with -m perf), mutated documents never crash the reader, and
 * tests/data/scenario.json replayed by `sluice sim` (SLUICE_BIN) on 4 nodes of 8 CPUs, 2
 * GPUs and 64000 MB under easy gives exactly tests/data/expected/scenario-easy.csv, the
 * schedule worked out by hand in docs/workload-json.md. */
#include "workloads/open.h"
#include "workloads/json-private.h"
#include "wl-test-helpers.h"

#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>
#include <sys/wait.h>

/* ---- helpers --------------------------------------------------------------------------- */

static WlReader *
json_text (const char *text, const char *name, const WlReaderOptions *opts, GError **error)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);
  return wl_json_reader_new (in, name, opts, error);
}

static void
job_clear (gpointer p)
{
  WlJob *j = p;
  wl_job_extra_free ((WlJobExtra *) j->extra);
  j->extra = NULL;
}

/* Reads every job, copying each extra (the reader's is valid until the next read); the
 * array frees the copies. */
static GArray *
read_jobs (WlReader *r)
{
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
  g_array_set_clear_func (jobs, job_clear);
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      g_autoptr (GError) error = NULL;
      gboolean ok = wl_reader_next (r, &w, &eof, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      if (eof)
        break;
      if (w.extra != NULL)
        w.extra = wl_job_extra_copy (w.extra);
      g_array_append_val (jobs, w);
    }
  wl_test_assert_counts_balance (wl_reader_get_counts (r));
  return jobs;
}

static GArray *
read_text (const char *text, const char *name, const WlReaderOptions *opts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (text, name, opts, &error);
  g_assert_no_error (error);
  return read_jobs (r);
}

#define JOB(a, i) (&g_array_index ((a), WlJob, (i)))

static void
opts_log (WlReaderOptions *o, GPtrArray *log)
{
  wl_reader_options_init (o);
  o->warn_func = wl_test_collect_warning;
  o->warn_data = log;
}

static void
assert_spec_equal (const WlJob *a, const WlJob *b)
{
  g_assert_cmpuint (a->spec.id, ==, b->spec.id);
  g_assert_cmpuint (a->spec.user, ==, b->spec.user);
  g_assert_cmpuint (a->spec.group, ==, b->spec.group);
  g_assert_cmpint (a->spec.partition, ==, b->spec.partition);
  g_assert_cmpint (a->spec.submit, ==, b->spec.submit);
  g_assert_cmpint (a->spec.time_limit, ==, b->spec.time_limit);
  g_assert_cmpint (a->spec.estimate, ==, b->spec.estimate);
  g_assert_cmpuint (a->spec.tasks, ==, b->spec.tasks);
  g_assert_cmpuint (a->spec.cpus_per_task, ==, b->spec.cpus_per_task);
  g_assert_cmpuint (a->spec.tasks_per_node, ==, b->spec.tasks_per_node);
  g_assert_cmpuint (a->spec.min_nodes, ==, b->spec.min_nodes);
  g_assert_cmpuint (a->spec.max_nodes, ==, b->spec.max_nodes);
  g_assert_cmpuint (a->spec.mem_per_node_mb, ==, b->spec.mem_per_node_mb);
  g_assert_cmpuint (a->spec.gpus_per_node, ==, b->spec.gpus_per_node);
  g_assert_cmpuint (a->spec.gpu_type, ==, b->spec.gpu_type);
  g_assert_cmpint (a->spec.exclusive, ==, b->spec.exclusive);
  g_assert_cmpint (a->runtime, ==, b->runtime);
  g_assert_cmpint (a->end_state, ==, b->end_state);
}

/* A resolver: partitions gpu = 1, debug = 2, batch = 0; GPU types a100 = 5, v100 = 6. */
typedef struct {
  guint calls;
} Resolver;

static gint64
resolve (WlNameKind kind, const char *name, gpointer data)
{
  Resolver *res = data;
  res->calls++;
  if (kind == WL_NAME_PARTITION)
    return strcmp (name, "gpu") == 0 ? 1 : strcmp (name, "debug") == 0 ? 2
           : strcmp (name, "batch") == 0 ? 0 : -1;
  return strcmp (name, "a100") == 0 ? 5 : strcmp (name, "v100") == 0 ? 6 : 0;
}

/* ---- every field ------------------------------------------------------------------------ */

static const char all_fields[] =
    "{\"version\": 1, \"jobs\": [\n"
    "  {\"id\": 42, \"name\": \"train\", \"user\": \"alice\", \"uid\": 1500, \"group\": \"ml\",\n"
    "   \"gid\": 300, \"account\": \"proj\", \"partition\": \"gpu,debug\", \"qos\": \"high\",\n"
    "   \"submit\": \"2024-05-01T12:00:00Z\", \"begin\": \"now+2hours\", \"hold\": true,\n"
    "   \"runtime\": \"1:00:00\", \"time_limit\": \"1-02:00:00\", \"estimate\": 5400,\n"
    "   \"nodes\": \"2-4\", \"ntasks\": 8, \"cpus_per_task\": 4, \"mem_per_cpu\": \"2G\",\n"
    "   \"gpus_per_node\": \"a100:2\", \"features\": [\"a100\", \"ib\"], \"exclusive\": true,\n"
    "   \"dependency\": \"afterok:12:13_2,after:9+5,singleton\", \"array_job_id\": 40,\n"
    "   \"array_task_id\": 2, \"array_task_throttle\": 4, \"state\": \"TIMEOUT\",\n"
    "   \"exit_code\": \"0:15\", \"_note\": \"a comment\"}\n"
    "]}\n";

static void
test_every_field (void)
{
  g_test_summary ("One job with every field: each lands in the spec or the extra.");
  WlReaderOptions o;
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  opts_log (&o, log);
  Resolver res = { 0 };
  o.resolve = resolve;
  o.resolve_data = &res;
  o.strict = TRUE;
  g_autoptr (GArray) jobs = read_text (all_fields, "t.json", &o);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (log->len, ==, 0);
  const WlJob *j = JOB (jobs, 0);
  const SchedJobSpec *s = &j->spec;
  g_assert_cmpuint (s->id, ==, 42);
  g_assert_cmpuint (s->user, ==, 1500);
  g_assert_cmpuint (s->group, ==, 300);
  g_assert_cmpint (s->partition, ==, 1);              /* the first of "gpu,debug" */
  g_assert_cmpint (s->submit, ==, 1714564800);
  g_assert_cmpint (j->runtime, ==, 3600);
  g_assert_cmpint (s->time_limit, ==, 93600);
  g_assert_cmpint (s->estimate, ==, 5400);
  g_assert_cmpuint (s->min_nodes, ==, 2);
  g_assert_cmpuint (s->max_nodes, ==, 4);
  g_assert_cmpuint (s->tasks, ==, 8);
  g_assert_cmpuint (s->cpus_per_task, ==, 4);
  g_assert_cmpuint (s->mem_per_node_mb, ==, 2048 * 4 * 4);  /* 4 tasks of 4 CPUs a node */
  g_assert_cmpuint (s->gpus_per_node, ==, 2);
  g_assert_cmpuint (s->gpu_type, ==, 5);
  g_assert_true (s->exclusive);
  g_assert_cmpint (j->end_state, ==, SCHED_JOB_TIMEOUT);
  g_assert_cmpuint (j->line, ==, 2);

  const WlJobExtra *e = j->extra;
  g_assert_nonnull (e);
  g_assert_cmpstr (e->name, ==, "train");
  g_assert_cmpstr (e->user_name, ==, "alice");
  g_assert_cmpstr (e->group_name, ==, "ml");
  g_assert_cmpstr (e->account, ==, "proj");
  g_assert_cmpstr (e->qos, ==, "high");
  g_assert_cmpstr (e->partition, ==, "gpu,debug");
  g_assert_cmpstr (e->gpu_type, ==, "a100");
  g_assert_null (e->gres);
  g_assert_cmpstr (e->features, ==, "a100&ib");
  g_assert_cmpstr (e->dependency, ==, "afterok:12:13_2,after:9+5,singleton");
  g_assert_cmpuint (e->n_deps, ==, 4);
  g_assert_false (e->deps_any);
  g_assert_cmpint (e->deps[0].type, ==, WL_DEP_AFTEROK);
  g_assert_cmpuint (e->deps[0].job, ==, 12);
  g_assert_cmpint (e->deps[0].task, ==, -1);
  g_assert_cmpuint (e->deps[1].job, ==, 13);
  g_assert_cmpint (e->deps[1].task, ==, 2);
  g_assert_cmpint (e->deps[2].type, ==, WL_DEP_AFTER);
  g_assert_cmpint (e->deps[2].delay, ==, 300);
  g_assert_cmpint (e->deps[3].type, ==, WL_DEP_SINGLETON);
  g_assert_cmpuint (e->array_job_id, ==, 40);
  g_assert_cmpuint (e->array_task_id, ==, 2);
  g_assert_cmpuint (e->array_task_throttle, ==, 4);
  g_assert_true (e->hold);
  g_assert_cmpint (e->begin, ==, 1714564800 + 7200);
  g_assert_cmpuint (e->mem_per_cpu_mb, ==, 2048);
  g_assert_cmpuint (e->gpus_per_job, ==, 0);
  g_assert_false (e->time_limit_unlimited);
  g_assert_true (e->has_exit_code);
  g_assert_cmpint (e->exit_code, ==, 0);
  g_assert_cmpint (e->exit_signal, ==, 15);
  g_assert_cmpuint (res.calls, ==, 2);                /* "gpu" and "a100" */
}

static void
test_defaults (void)
{
  g_test_summary ("A job of only a run time: id = position, submit 0, one task of one CPU, "
                  "a made-up limit (counted), COMPLETED, no extra.");
  g_autoptr (GArray) jobs = read_text ("[{\"runtime\": 10}, {\"runtime\": 20, \"nodes\": 3}]",
                                       "t.json", NULL);
  g_assert_cmpuint (jobs->len, ==, 2);
  const WlJob *j = JOB (jobs, 0);
  g_assert_cmpuint (j->spec.id, ==, 1);
  g_assert_cmpint (j->spec.submit, ==, 0);
  g_assert_cmpuint (j->spec.tasks, ==, 1);
  g_assert_cmpuint (j->spec.cpus_per_task, ==, 1);
  g_assert_cmpuint (j->spec.min_nodes, ==, 0);
  g_assert_cmpuint (j->spec.max_nodes, ==, 0);
  g_assert_cmpint (j->spec.partition, ==, -1);
  g_assert_cmpint (j->spec.time_limit, ==, 3600);       /* the ladder's first step */
  g_assert_cmpint (j->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_null (j->extra);
  g_assert_true (sched_job_spec_is_simple (&j->spec));
  j = JOB (jobs, 1);
  g_assert_cmpuint (j->spec.id, ==, 2);
  g_assert_cmpuint (j->spec.tasks, ==, 3);              /* one task per node */
  g_assert_cmpuint (j->spec.min_nodes, ==, 3);
  g_assert_cmpuint (j->spec.max_nodes, ==, 3);
}

static void
test_shapes (void)
{
  g_test_summary ("nodes ranges, gpus per job laid out on nodes, gres, typed counts, "
                  "memory per CPU and per node, the per-CPU suffix.");
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.gpus_per_node = 4;
  Resolver res = { 0 };
  o.resolve = resolve;
  o.resolve_data = &res;
  g_autoptr (GArray) jobs = read_text (
      "[{\"id\": 1, \"runtime\": 5, \"gpus\": 9},\n"
      " {\"id\": 2, \"runtime\": 5, \"gpus\": \"v100:8\", \"nodes\": \"2-5\"},\n"
      " {\"id\": 3, \"runtime\": 5, \"gres\": \"gpu:a100:2,mps:100\", \"nodes\": 2},\n"
      " {\"id\": 4, \"runtime\": 5, \"gres\": \"gpu:3\", \"gpu_type\": \"a100\"},\n"
      " {\"id\": 5, \"runtime\": 5, \"ntasks\": 6, \"nodes\": 4, \"mem_per_cpu\": 1000,\n"
      "  \"cpus_per_task\": 2},\n"
      " {\"id\": 6, \"runtime\": 5, \"mem\": \"4000Mc\", \"ntasks\": 3},\n"
      " {\"id\": 7, \"runtime\": 5, \"mem\": 1500.5, \"nodes\": \"3-\"},\n"
      " {\"id\": 8, \"runtime\": 5, \"gpus\": 8, \"ntasks\": 1},\n"
      " {\"id\": 9, \"runtime\": 5, \"gpus_per_node\": 1, \"gpu_type\": 6, \"mem\": \"0\"},\n"
      " {\"id\": 10, \"runtime\": 5, \"nodes\": 3, \"ntasks_per_node\": 2,\n"
      "  \"mem_per_cpu\": 100},\n"
      " {\"id\": 11, \"runtime\": 5, \"ntasks\": 7, \"ntasks_per_node\": 2}]",
      "t.json", &o);
  g_assert_cmpuint (jobs->len, ==, 11);
  const WlJob *j = JOB (jobs, 0);                  /* 9 GPUs, G = 4: 3 nodes of 3 */
  g_assert_cmpuint (j->spec.min_nodes, ==, 3);
  g_assert_cmpuint (j->spec.max_nodes, ==, 3);
  g_assert_cmpuint (j->spec.gpus_per_node, ==, 3);
  g_assert_cmpuint (j->spec.tasks, ==, 3);
  g_assert_cmpuint (j->extra->gpus_per_job, ==, 9);
  j = JOB (jobs, 1);                               /* 8 GPUs on the minimum, 2 nodes */
  g_assert_cmpuint (j->spec.min_nodes, ==, 2);
  g_assert_cmpuint (j->spec.max_nodes, ==, 2);
  g_assert_cmpuint (j->spec.gpus_per_node, ==, 4);
  g_assert_cmpuint (j->spec.gpu_type, ==, 6);
  g_assert_cmpstr (j->extra->gpu_type, ==, "v100");
  j = JOB (jobs, 2);
  g_assert_cmpuint (j->spec.gpus_per_node, ==, 2);
  g_assert_cmpuint (j->spec.gpu_type, ==, 5);
  g_assert_cmpstr (j->extra->gres, ==, "gpu:a100:2,mps:100");
  g_assert_cmpuint (j->spec.tasks, ==, 2);
  j = JOB (jobs, 3);
  g_assert_cmpuint (j->spec.gpus_per_node, ==, 3);
  g_assert_cmpuint (j->spec.gpu_type, ==, 5);
  j = JOB (jobs, 4);                                /* ceil(6/4) = 2 tasks x 2 CPUs x 1000 */
  g_assert_cmpuint (j->spec.mem_per_node_mb, ==, 4000);
  g_assert_cmpuint (j->extra->mem_per_cpu_mb, ==, 1000);
  j = JOB (jobs, 5);                                /* one node assumed: 3 x 4000 */
  g_assert_cmpuint (j->spec.mem_per_node_mb, ==, 12000);
  g_assert_cmpuint (j->extra->mem_per_cpu_mb, ==, 4000);
  j = JOB (jobs, 6);
  g_assert_cmpuint (j->spec.mem_per_node_mb, ==, 1501);
  g_assert_cmpuint (j->spec.min_nodes, ==, 3);
  g_assert_cmpuint (j->spec.max_nodes, ==, 0);
  g_assert_cmpuint (j->spec.tasks, ==, 3);
  j = JOB (jobs, 7);                                /* ntasks raised to the node count */
  g_assert_cmpuint (j->spec.tasks, ==, 2);
  g_assert_cmpuint (j->spec.min_nodes, ==, 2);
  g_assert_cmpuint (j->spec.gpus_per_node, ==, 4);
  j = JOB (jobs, 8);
  g_assert_cmpuint (j->spec.gpu_type, ==, 6);
  g_assert_cmpuint (j->spec.mem_per_node_mb, ==, 0);
  g_assert_null (j->extra);
  j = JOB (jobs, 9);                                /* 2 on each of 3 nodes; 2 x 100 MB */
  g_assert_cmpuint (j->spec.tasks, ==, 6);
  g_assert_cmpuint (j->spec.tasks_per_node, ==, 2);
  g_assert_cmpuint (j->spec.min_nodes, ==, 3);
  g_assert_cmpuint (j->spec.mem_per_node_mb, ==, 200);
  j = JOB (jobs, 10);                               /* 7 tasks, at most 2 a node: 4 nodes */
  g_assert_cmpuint (j->spec.tasks, ==, 7);
  g_assert_cmpuint (j->spec.tasks_per_node, ==, 2);
  g_assert_cmpuint (j->spec.min_nodes, ==, 4);
  g_assert_cmpuint (j->spec.max_nodes, ==, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text ("[{\"runtime\": 5, \"gpus\": 9}]", "t.json", &o, &error);
  g_autoptr (GArray) again = read_jobs (r);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpuint (wl_reader_get_counts (r)->adjusted[WL_ADJ_GPUS_ROUNDED_UP], ==, 0);
  g_autoptr (WlReader) r2 = json_text ("[{\"runtime\": 5, \"gpus\": 10}]", "t.json", &o, &error);
  g_autoptr (GArray) rounded = read_jobs (r2);        /* 3 nodes of 4 hold 12 */
  g_assert_cmpuint (JOB (rounded, 0)->spec.gpus_per_node, ==, 4);
  g_assert_cmpuint (wl_reader_get_counts (r2)->adjusted[WL_ADJ_GPUS_ROUNDED_UP], ==, 1);
}

static void
test_times (void)
{
  g_test_summary ("Times as seconds or dates (time_zone from the file or the options), "
                  "durations as seconds or Slurm strings, UNLIMITED and 0 limits.");
  g_autoptr (GArray) jobs = read_text (
      "{\"time_zone\": \"Europe/Paris\", \"jobs\": [\n"
      " {\"id\": 1, \"submit\": \"2024-01-01 01:00:00\", \"runtime\": \"10:00\",\n"
      "  \"time_limit\": \"UNLIMITED\", \"begin\": \"2024-01-01T00:30:00Z\"},\n"
      " {\"id\": 2, \"submit\": 1704067200.4, \"runtime\": 59.5, \"time_limit\": 0,\n"
      "  \"begin\": \"now\"},\n"
      " {\"id\": 3, \"submit\": 1704067201, \"runtime\": 10, \"time_limit\": \"90\",\n"
      "  \"estimate\": \"0:30\", \"begin\": \"now+5min\"}]}", "t.json", NULL);
  g_assert_cmpuint (jobs->len, ==, 3);
  const WlJob *j = JOB (jobs, 0);
  g_assert_cmpint (j->spec.submit, ==, 1704067200);         /* 01:00 in Paris is 00:00Z */
  g_assert_cmpint (j->runtime, ==, 600);
  g_assert_cmpint (j->spec.time_limit, ==, 3600);           /* made up */
  g_assert_true (j->extra->time_limit_unlimited);
  g_assert_cmpint (j->extra->begin, ==, 1704069000);
  j = JOB (jobs, 1);
  g_assert_cmpint (j->spec.submit, ==, 1704067200);
  g_assert_cmpint (j->runtime, ==, 60);
  g_assert_true (j->extra->time_limit_unlimited);
  g_assert_cmpint (j->extra->begin, ==, 1704067200);
  j = JOB (jobs, 2);
  g_assert_cmpint (j->spec.time_limit, ==, 5400);           /* "90" is 90 minutes */
  g_assert_cmpint (j->spec.estimate, ==, 30);
  g_assert_cmpint (j->extra->begin, ==, 1704067201 + 300);

  /* the options' zone wins over the file's */
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.time_zone = "UTC";
  g_autoptr (GArray) utc = read_text ("{\"time_zone\": \"Europe/Paris\", \"jobs\": [{\"submit\":"
                                      " \"2024-01-01 01:00:00\", \"runtime\": 1}]}",
                                      "t.json", &o);
  g_assert_cmpint (JOB (utc, 0)->spec.submit, ==, 1704070800);
}

static void
test_users (void)
{
  g_test_summary ("Users and groups: numbers kept, names numbered from 2^31 in order of "
                  "first appearance unless uid/gid say, names kept in the extra.");
  g_autoptr (GArray) jobs = read_text (
      "[{\"runtime\": 1, \"user\": \"bob\", \"group\": \"g1\"},\n"
      " {\"runtime\": 1, \"user\": 7, \"group\": \"12\"},\n"
      " {\"runtime\": 1, \"user\": \"alice\", \"uid\": 900},\n"
      " {\"runtime\": 1, \"user\": \"carol\", \"gid\": 5},\n"
      " {\"runtime\": 1, \"user\": \"bob\", \"uid\": null},\n"
      " {\"runtime\": 1, \"user\": \"\", \"uid\": 3}]", "t.json", NULL);
  g_assert_cmpuint (JOB (jobs, 0)->spec.user, ==, 2147483648u);
  g_assert_cmpuint (JOB (jobs, 0)->spec.group, ==, 2147483648u);
  g_assert_cmpstr (JOB (jobs, 0)->extra->user_name, ==, "bob");
  g_assert_cmpstr (JOB (jobs, 0)->extra->group_name, ==, "g1");
  g_assert_cmpuint (JOB (jobs, 1)->spec.user, ==, 7);
  g_assert_cmpuint (JOB (jobs, 1)->spec.group, ==, 12);
  g_assert_null (JOB (jobs, 1)->extra);
  g_assert_cmpuint (JOB (jobs, 2)->spec.user, ==, 900);
  g_assert_cmpstr (JOB (jobs, 2)->extra->user_name, ==, "alice");
  g_assert_cmpuint (JOB (jobs, 3)->spec.user, ==, 2147483649u);   /* alice took no number */
  g_assert_cmpuint (JOB (jobs, 3)->spec.group, ==, 5);
  g_assert_cmpuint (JOB (jobs, 4)->spec.user, ==, 2147483648u);
  g_assert_cmpuint (JOB (jobs, 5)->spec.user, ==, 3);
}

/* ---- errors ----------------------------------------------------------------------------- */

typedef struct {
  const char *job;      /* one job object, on line 2 of the document */
  const char *message;  /* expected in the error */
} JobError;

static const JobError job_errors[] = {
  { "{\"id\": 17, \"runtime\": 10, \"ntasks\": \"x\"}",
    "t.json:2: job 17: field \"ntasks\": expected a positive integer, got \"x\"" },
  { "{\"runtime\": 10, \"ntasks\": 0}",
    "t.json:2: job #1: field \"ntasks\": expected a positive integer, got 0" },
  { "{\"id\": 0, \"runtime\": 1}",
    "job #1: field \"id\": expected a job id from 1 to 4294967295, got 0" },
  { "{\"id\": 4294967296, \"runtime\": 1}", "field \"id\": expected a job id" },
  { "{\"id\": 3}",
    "job 3: field \"runtime\": missing: every job needs its actual run time (seconds)" },
  { "{\"runtime\": -5}",
    "field \"runtime\": expected a duration: seconds, or a Slurm time such as "
    "\"1-02:00:00\", got -5" },
  { "{\"runtime\": \"abc\"}", "field \"runtime\": expected a duration" },
  { "{\"runtime\": \"UNLIMITED\"}", "field \"runtime\": expected a duration" },
  { "{\"runtime\": true}", "field \"runtime\": expected a duration" },
  { "{\"runtime\": 1, \"time_limit\": \"1:2:3:4\"}",
    "field \"time_limit\": expected a duration: seconds, a Slurm time such as "
    "\"1-02:00:00\", or \"UNLIMITED\", got \"1:2:3:4\"" },
  { "{\"runtime\": 1, \"estimate\": \"soon\"}", "field \"estimate\": expected a duration" },
  { "{\"runtime\": 1, \"submit\": \"yesterday\"}",
    "field \"submit\": expected a time: seconds, or a date such as \"2024-05-01T12:00:00Z\", "
    "got \"yesterday\"" },
  { "{\"runtime\": 1, \"submit\": -1}", "field \"submit\": expected a time" },
  { "{\"runtime\": 1, \"submit\": \"1969-12-31T23:59:59Z\"}", "field \"submit\": expected a time" },
  { "{\"runtime\": 1099511627777}", "field \"runtime\": expected a duration" },
  { "{\"runtime\": 1, \"submit\": 1099511627776, \"begin\": \"now+1\"}",
    "field \"begin\": expected a time" },
  { "{\"runtime\": 1, \"begin\": \"tomorrow\"}", "field \"begin\": expected a time" },
  { "{\"runtime\": 1, \"begin\": \"now+5fortnights\"}", "field \"begin\": expected a time" },
  { "{\"runtime\": 1, \"nodes\": \"3-2\"}",
    "field \"nodes\": expected a node count N >= 1, or a range \"N-M\" or \"N-\", got \"3-2\"" },
  { "{\"runtime\": 1, \"nodes\": 0}", "field \"nodes\": expected a node count" },
  { "{\"runtime\": 1, \"nodes\": \"x\"}", "field \"nodes\": expected a node count" },
  { "{\"runtime\": 1, \"cpus_per_task\": 1.5}",
    "field \"cpus_per_task\": expected a positive integer, got 1.5" },
  { "{\"runtime\": 1, \"ntasks\": 2, \"nodes\": 4}",
    "field \"ntasks\": 2 tasks cannot spread over the 4 nodes \"nodes\" asks for" },
  { "{\"runtime\": 1, \"mem\": \"4X\"}",
    "field \"mem\": expected a memory size: MB, or a number with K, M, G or T (\"4G\", "
    "\"4000M\"), got \"4X\"" },
  { "{\"runtime\": 1, \"mem\": -1}", "field \"mem\": expected a memory size" },
  { "{\"runtime\": 1, \"mem\": \"1G\", \"mem_per_cpu\": 100}",
    "field \"mem_per_cpu\": give \"mem\" or \"mem_per_cpu\", not both" },
  { "{\"runtime\": 1, \"mem_per_cpu\": [1]}", "field \"mem_per_cpu\": expected a memory size" },
  { "{\"runtime\": 1, \"gpus\": \"a100:x\"}",
    "field \"gpus\": expected a GPU count, or \"type:count\" (\"a100:2\"), got \"a100:x\"" },
  { "{\"runtime\": 1, \"gpus\": -1}", "field \"gpus\": expected a GPU count" },
  { "{\"runtime\": 1, \"gpus_per_node\": \"a:b:2\"}",
    "field \"gpus_per_node\": expected a GPU count" },
  { "{\"runtime\": 1, \"gpus\": 2, \"gpus_per_node\": 1}",
    "field \"gpus_per_node\": give one of \"gpus\" (per job), \"gpus_per_node\" and a gpu in "
    "\"gres\" (per node), not \"gpus\" too" },
  { "{\"runtime\": 1, \"gres\": \"gpu:2\", \"gpus\": 1}", "not \"gres\" too" },
  { "{\"runtime\": 1, \"gres\": \"gpu::\"}",
    "field \"gres\": expected name[:type][:count] items (\"gpu:a100:8\"), got \"gpu::\"" },
  { "{\"runtime\": 1, \"gres\": \"gpu:1,gpu:a100:1\"}", "field \"gres\": name \"gpu\" once" },
  { "{\"runtime\": 1, \"gres\": 2}", "field \"gres\": expected a gres list" },
  { "{\"runtime\": 1, \"gpus\": \"a100:1\", \"gpu_type\": \"v100\"}",
    "field \"gpu_type\": \"v100\" disagrees with the type in \"gpus\"" },
  { "{\"runtime\": 1, \"gpus\": \"a100:1\", \"gpu_type\": 3}",
    "field \"gpu_type\": a type id beside a type name in \"gpus\"" },
  { "{\"runtime\": 1, \"gpu_type\": [1]}", "field \"gpu_type\": expected a GPU type name" },
  { "{\"runtime\": 1, \"features\": \"a&&b\"}",
    "field \"features\": bad constraint \"a&&b\": expected a feature name at position 3" },
  { "{\"runtime\": 1, \"constraint\": \"[a|b\"}",
    "field \"constraint\": bad constraint \"[a|b\": expected ']' at position 5" },
  { "{\"runtime\": 1, \"features\": \"a\", \"constraint\": \"b\"}",
    "field \"constraint\": give \"features\" or \"constraint\", not both" },
  { "{\"runtime\": 1, \"features\": [\"a\", 2]}",
    "field \"features\": expected a constraint string, or an array of feature names, got "
    "[\"a\",2]" },
  { "{\"runtime\": 1, \"exclusive\": \"yes\"}",
    "field \"exclusive\": expected true or false, got \"yes\"" },
  { "{\"runtime\": 1, \"hold\": 1}", "field \"hold\": expected true or false, got 1" },
  { "{\"runtime\": 1, \"dependency\": \"afterok\"}",
    "field \"dependency\": \"afterok\" needs job ids (afterok:jobid[:jobid...]), got "
    "\"afterok\"" },
  { "{\"runtime\": 1, \"dependency\": \"aftr:1\"}",
    "field \"dependency\": unknown dependency type \"aftr\"" },
  { "{\"runtime\": 1, \"dependency\": \"afterok:x\"}",
    "field \"dependency\": bad job id \"x\" in \"afterok:x\"" },
  { "{\"runtime\": 1, \"dependency\": \"afterok:1+5\"}",
    "field \"dependency\": only \"after\" takes a delay (+minutes), got \"afterok:1+5\"" },
  { "{\"runtime\": 1, \"dependency\": \"afterok:1,afterany:2?singleton\"}",
    "field \"dependency\": use ',' (all must hold) or '?' (any one suffices)" },
  { "{\"runtime\": 1, \"dependency\": 12}", "field \"dependency\": expected a Slurm dependency" },
  { "{\"runtime\": 1, \"array\": \"5-2\"}",
    "field \"array\": array \"5-2\": range 5-2 ends before it starts" },
  { "{\"runtime\": 1, \"array\": \"0-1000\"}",
    "field \"array\": array \"0-1000\": index 1000 is above 999" },
  { "{\"runtime\": 1, \"array\": \"1,,2\"}", "field \"array\": bad array \"1,,2\"" },
  { "{\"runtime\": 1, \"array\": \"0-3%0\"}", "field \"array\": bad array \"0-3%0\"" },
  { "{\"runtime\": 1, \"array\": 4}", "field \"array\": expected an index list" },
  { "{\"id\": 4294968, \"runtime\": 1, \"array\": \"0-2\"}",
    "job 4294968: field \"array\": job id 4294968 is too large to number its tasks" },
  { "{\"runtime\": 1, \"array\": \"0-2\", \"array_task_id\": 1}",
    "field \"array\": \"array\" is expanded into tasks here" },
  { "{\"runtime\": 1, \"array_task_id\": 1}",
    "field \"array_job_id\": missing: an array task needs its array's job id" },
  { "{\"runtime\": 1, \"array_job_id\": 1}",
    "field \"array_task_id\": missing: an array task needs its index too" },
  { "{\"runtime\": 1, \"array_task_throttle\": 2}",
    "field \"array_job_id\": missing: a throttle belongs to an array task" },
  { "{\"runtime\": 1, \"state\": \"DONEISH\"}",
    "field \"state\": expected a job state (COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, "
    "...), got \"DONEISH\"" },
  { "{\"runtime\": 1, \"exit_code\": \"x\"}",
    "field \"exit_code\": expected an exit code N or \"N:signal\", got \"x\"" },
  { "{\"runtime\": 1, \"exit_code\": -1}", "field \"exit_code\": expected an exit code" },
  { "{\"runtime\": 1, \"user\": [1]}", "field \"user\": expected a name or a number, got [1]" },
  { "{\"runtime\": 1, \"user\": 5, \"uid\": 6}", "field \"user\": 5 disagrees with \"uid\": 6" },
  { "{\"runtime\": 1, \"uid\": \"x\"}", "field \"uid\": expected a user id" },
  { "{\"runtime\": 1, \"gid\": -2}", "field \"gid\": expected a group id" },
  { "{\"runtime\": 1, \"name\": 5}", "field \"name\": expected a string, got 5" },
  { "{\"runtime\": 1, \"account\": {}}", "field \"account\": expected a string, got {}" },
  { "{\"runtime\": 1, \"partition\": true}",
    "field \"partition\": expected a partition name (or index), got true" },
  { "{\"runtime\": 1, \"runtime\": 2}", "job #1: invalid JSON: duplicate object key" },
  { "{\"runtime\": 1, \"ntasks\": x}", "t.json:2: job #1: invalid JSON: " },
  { "5", "t.json:2: job #1: expected a job object {...}, got 5" },
  { "[{\"runtime\": 1}]", "job #1: expected a job object {...}, got [{\"runtime\":1}]" },
};

static void
test_job_errors (void)
{
  g_test_summary ("Each job error: strict, an error naming file, line, job and field; "
                  "lenient, the same warning and a malformed count, and the next job read.");
  for (gsize i = 0; i < G_N_ELEMENTS (job_errors); i++)
    {
      g_autofree char *doc = g_strdup_printf ("{\"jobs\": [\n%s,\n{\"id\": 99, \"runtime\": 1}"
                                              "\n]}\n", job_errors[i].job);
      g_test_message ("%s", job_errors[i].job);
      WlReaderOptions o;
      g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
      opts_log (&o, log);
      o.strict = TRUE;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = json_text (doc, "t.json", &o, &error);
      g_assert_no_error (error);
      g_autoptr (GError) e = wl_test_read_error (r);
      wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_MALFORMED, job_errors[i].message);
      g_assert_true (g_str_has_prefix (e->message, "t.json:2: "));

      o.strict = FALSE;
      g_autoptr (WlReader) r2 = json_text (doc, "t.json", &o, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) jobs = read_jobs (r2);
      g_assert_cmpuint (jobs->len, ==, 1);
      g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 99);
      const WlCounts *c = wl_reader_get_counts (r2);
      g_assert_cmpuint (c->read, ==, 2);
      g_assert_cmpuint (c->skipped[WL_SKIP_MALFORMED], ==, 1);
      g_assert_cmpuint (log->len, ==, 1);
      g_assert_nonnull (strstr (log->pdata[0], job_errors[i].message));
    }
}

static void
test_warning_limit (void)
{
  g_test_summary ("Lenient: the first max_warnings malformed jobs are reported, then a note.");
  GString *doc = g_string_new ("[");
  for (int i = 0; i < 15; i++)
    g_string_append_printf (doc, "%s{\"runtime\": \"bad\"}\n", i ? "," : "");
  g_string_append (doc, "]");
  WlReaderOptions o;
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  opts_log (&o, log);
  o.max_warnings = 3;
  g_autoptr (GArray) jobs = read_text (doc->str, "t.json", &o);
  g_string_free (doc, TRUE);
  g_assert_cmpuint (jobs->len, ==, 0);
  g_assert_cmpuint (log->len, ==, 4);
  g_assert_nonnull (strstr (log->pdata[2], "t.json:3: job #3:"));
  g_assert_nonnull (strstr (log->pdata[3], "further malformed records"));
}

typedef struct {
  const char *doc;
  const char *message;
} DocError;

static const DocError structure_errors[] = {
  { "{\"jobs\": [{\"runtime\": 1}\n", "t.json:2: the file ends inside the jobs array" },
  { "{\"jobs\": [{\"runtime\": 1},\n]}",
    "t.json:2: a ',' before ']' (remove the trailing comma)" },
  { "{\"jobs\": [{\"runtime\": 1}],\n \"version\": 1}",
    "t.json:1: a key after \"jobs\": \"jobs\" must be the last key of the document" },
  { "{\"jobs\": [\n{\"runtime\": 1]}", "t.json:2: ']' does not close the bracket opened" },
  { "{\"jobs\": [\n{\"name\": \"a\nb\", \"runtime\": 1}]}",
    "t.json:2: a line break inside a string" },
  { "{\"jobs\": []}\nx", "t.json:2: text after the end of the document" },
  { "[{\"runtime\": 1}] ]", "t.json:1: text after the end of the document" },
  { "{\"jobs\": 5}", "t.json:1: \"jobs\": expected an array of job objects, got '5'" },
  { "{\"jobs\": [{\"runtime\": 1}\n {\"runtime\": 2}]}",
    "t.json:2: expected ',' or ']' after a job, got '{'" },
  { "{\"jobs\": [, {\"runtime\": 2}]}", "expected a job, got ','" },
  { "{\"version\": 1 \"jobs\": []}",
    "t.json:1: expected ',' or '}' after the value of \"version\", got '\"'" },
  { "{version: 1}", "t.json:1: expected a key in double quotes, got 'v'" },
  { "{\"version\" 1}", "expected ':' after the key \"version\", got '1'" },
  { "{\"version\":", "the file ends after the key \"version\"" },
  { "{\"version\": tru, \"jobs\": []}", "\"version\": invalid JSON" },
  { "{\"a\": 1, \"a\": 2, \"jobs\": []}", "the key \"a\" is given twice" },
  { "hello", "t.json:1: expected a JSON workload: an object {\"jobs\": [...]}, an array of "
             "jobs or one job object per line; got 'h'" },
  { "\n\n[{\"runtime\": 1", "t.json:3: the file ends inside the value that starts here" },
  { "[{\"a\": \"\\\"]", "the file ends inside the value" },
};

static void
test_structure_errors (void)
{
  g_test_summary ("Structural errors stop the reader even when lenient, with their line.");
  for (gsize i = 0; i < G_N_ELEMENTS (structure_errors); i++)
    {
      g_test_message ("%s", structure_errors[i].doc);
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.warn_func = wl_test_silent;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = json_text (structure_errors[i].doc, "t.json", &o, &error);
      if (r != NULL)
        error = wl_test_read_error (r);
      wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, structure_errors[i].message);
    }
  /* an element over 1 MiB, and nesting over 256 */
  GString *big = g_string_new ("[{\"runtime\": 1, \"name\": \"");
  for (int i = 0; i < WL_JSON_MAX_ELEMENT + 10; i++)
    g_string_append_c (big, 'x');
  g_string_append (big, "\"}]");
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (big->str, "t.json", NULL, &error);
  g_autoptr (GError) e1 = wl_test_read_error (r);
  wl_test_assert_error_has (e1, WL_ERROR, WL_ERROR_MALFORMED, "t.json:1: a value longer than");
  g_string_free (big, TRUE);
  GString *deep = g_string_new ("[{\"runtime\": 1, \"x\": ");
  for (int i = 0; i < 300; i++)
    g_string_append_c (deep, '[');
  g_autoptr (WlReader) r2 = json_text (deep->str, "t.json", NULL, &error);
  g_autoptr (GError) e2 = wl_test_read_error (r2);
  wl_test_assert_error_has (e2, WL_ERROR, WL_ERROR_MALFORMED, "brackets nested deeper than 256");
  g_string_free (deep, TRUE);
}

static const DocError header_errors[] = {
  { "{\"version\": \"1\", \"jobs\": []}", "t.json:1: \"version\": expected 1" },
  { "{\"cluster\": {\"nodes\": 0}, \"jobs\": []}",
    "t.json:1: \"cluster\": \"nodes\": expected an integer >= 1, got 0" },
  { "{\"cluster\": {\"nodes\": 2, \"gpus_per_node\": -1}, \"jobs\": []}",
    "\"cluster\": \"gpus_per_node\": expected an integer >= 0, got -1" },
  { "{\"cluster\": {\"cpus_per_node\": 8}, \"jobs\": []}",
    "\"cluster\": \"cpus_per_node\", \"gpus_per_node\" and \"mem_per_node\" describe the nodes "
    "of \"nodes\": give it too" },
  { "{\"cluster\": {\"procs\": 4, \"nodes\": 2}, \"jobs\": []}",
    "\"cluster\": give \"procs\", \"nodes\" or \"node_list\", one of them" },
  { "{\"cluster\": {\"nodes\": 2, \"mem_per_node\": \"4Gc\"}, \"jobs\": []}",
    "\"cluster\": \"mem_per_node\": expected a memory size" },
  { "{\"cluster\": {\"node_list\": \"no-such-list.csv\"}, \"jobs\": []}",
    "\"cluster\": \"node_list\": no file" },
  { "{\"cluster\": [], \"jobs\": []}", "\"cluster\": expected an object" },
  { "{\"time_zone\": \"Mars/Olympus\", \"jobs\": []}",
    "\"time_zone\": unknown time zone \"Mars/Olympus\"" },
  { "{\"time_zone\": 1, \"jobs\": []}", "\"time_zone\": expected a zone name" },
};

static void
test_header (void)
{
  g_test_summary ("The header: cluster hints fill WlTraceInfo; bad values and versions are "
                  "errors; unknown keys are warned about once (strict: errors).");
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (
      "{\"version\": 1, \"_about\": \"x\", \"cluster\": {\"nodes\": 4, \"cpus_per_node\": 8,"
      " \"gpus_per_node\": 2, \"mem_per_node\": \"64G\"}, \"jobs\": []}", "t.json", NULL,
      &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_assert_cmpint (info->max_nodes, ==, 4);
  g_assert_cmpint (info->cpus_per_node, ==, 8);
  g_assert_cmpint (info->gpus_per_node, ==, 2);
  g_assert_cmpint (info->mem_per_node_mb, ==, 65536);
  g_assert_cmpint (info->max_procs, ==, 32);
  g_autoptr (GArray) none = read_jobs (r);
  g_assert_cmpuint (none->len, ==, 0);
  g_autoptr (WlReader) rp = json_text ("{\"cluster\": {\"procs\": 128}, \"jobs\": []}", "t.json",
                                       NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (rp)->max_procs, ==, 128);
  g_assert_cmpint (wl_reader_get_info (rp)->cpus_per_node, ==, -1);

  g_autoptr (WlReader) rv = json_text ("{\"version\": 2, \"jobs\": []}", "t.json", NULL, &error);
  g_assert_null (rv);
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                            "t.json:1: version 2 of the JSON workload format is not supported "
                            "(this reader reads version 1)");
  g_clear_error (&error);
  for (gsize i = 0; i < G_N_ELEMENTS (header_errors); i++)
    {
      g_autoptr (WlReader) rb = json_text (header_errors[i].doc, "t.json", NULL, &error);
      g_assert_null (rb);
      wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, header_errors[i].message);
      g_clear_error (&error);
    }

  WlReaderOptions o;
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  opts_log (&o, log);
  const char *doc = "{\"comment\": \"hi\", \"cluster\": {\"nodes\": 1, \"rack\": 3},\n"
                    " \"jobs\": [{\"runtime\": 1}]}";
  g_autoptr (WlReader) ru = json_text (doc, "t.json", &o, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (ru)->max_nodes, ==, 1);
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (log->pdata[0], ==, "t.json:1: unknown key \"comment\" ignored");
  g_assert_cmpstr (log->pdata[1], ==, "t.json:1: \"cluster\": unknown key \"rack\" ignored");
  o.strict = TRUE;
  g_autoptr (WlReader) rs = json_text (doc, "t.json", &o, &error);
  g_assert_null (rs);
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                            "t.json:1: unknown key \"comment\"");
}

static void
test_node_list (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-json-XXXXXX", NULL);
  g_autofree char *list = g_build_filename (dir, "nodes.csv", NULL);
  g_assert_true (g_file_set_contents (list, "name,cpus,gpus\nn1,8,2\nn2,4,0\n", -1, NULL));
  g_autofree char *trace = g_build_filename (dir, "t.json", NULL);
  g_assert_true (g_file_set_contents (trace, "{\"cluster\": {\"node_list\": \"nodes.csv\"},"
                                      " \"jobs\": [{\"runtime\": 5}]}", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_json_reader_open (trace, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wl_reader_get_info (r)->machine_list, ==, list);
  g_autoptr (SchedCluster) c = wl_trace_cluster_new (wl_reader_get_info (r), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_total_cpus (c), ==, 12);
  wl_test_rm_rf (dir);
}

static void
test_unknown_fields (void)
{
  g_test_summary ("Unknown job fields: warned about once each and ignored; '_' keys are "
                  "comments.");
  WlReaderOptions o;
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  opts_log (&o, log);
  g_autoptr (GArray) jobs = read_text ("[{\"runtime\": 1, \"ntask\": 2, \"_why\": 1},\n"
                                       " {\"runtime\": 1, \"ntask\": 3, \"color\": \"red\"}]",
                                       "t.json", &o);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (log->pdata[0], ==, "t.json:1: job #1: unknown field \"ntask\" ignored "
                                      "(reported once)");
  g_assert_cmpstr (log->pdata[1], ==, "t.json:2: job #2: unknown field \"color\" ignored "
                                      "(reported once)");
  o.strict = TRUE;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text ("[{\"runtime\": 1, \"_why\": 2},\n{\"runtime\": 1, "
                                      "\"ntask\": 2}]", "t.json", &o, &error);
  g_autoptr (GError) e = wl_test_read_error (r);
  wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_MALFORMED, "t.json:2: job #2: unknown field "
                            "\"ntask\" (fields starting with '_' are comments)");
}

/* ---- arrays, skips, sorting ------------------------------------------------------------- */

static void
test_arrays (void)
{
  g_test_summary ("An array expands into its tasks, numbered id * 1000 + index, each with "
                  "array_job_id, array_task_id and the throttle in its extra.");
  g_autoptr (GArray) jobs = read_text (
      "[{\"id\": 7, \"runtime\": 10, \"array\": \"0-4:2,3,3%2\", \"name\": \"sweep\"},\n"
      " {\"id\": 8, \"runtime\": 10, \"submit\": 1, \"array\": \"999\"},\n"
      " {\"runtime\": 10, \"submit\": 2, \"array\": \"1-2\"}]", "t.json", NULL);
  g_assert_cmpuint (jobs->len, ==, 7);
  static const SchedJobId ids[] = { 7000, 7002, 7003, 7004, 8999, 3001, 3002 };
  static const guint32 tasks[] = { 0, 2, 3, 4, 999, 1, 2 };
  for (guint i = 0; i < jobs->len; i++)
    {
      const WlJob *j = JOB (jobs, i);
      g_assert_cmpuint (j->spec.id, ==, ids[i]);
      g_assert_nonnull (j->extra);
      g_assert_cmpuint (j->extra->array_job_id, ==, ids[i] / 1000);
      g_assert_cmpuint (j->extra->array_task_id, ==, tasks[i]);
      g_assert_cmpuint (j->extra->array_task_throttle, ==, i < 4 ? 2 : 0);
      g_assert_cmpstr (j->extra->name, ==, i < 4 ? "sweep" : NULL);
      g_assert_cmpuint (j->line, ==, i < 4 ? 1 : i == 4 ? 2 : 3);
    }
  /* counts per task; a skipped array counts each task */
  WlReaderOptions o;
  wl_reader_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text ("[{\"runtime\": 0, \"array\": \"0-9\"},"
                                      " {\"runtime\": 5, \"array\": \"0-2\"}]", "t.json", &o,
                                      &error);
  g_autoptr (GArray) kept = read_jobs (r);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (kept->len, ==, 3);
  g_assert_cmpuint (c->read, ==, 13);
  g_assert_cmpuint (c->skipped[WL_SKIP_NO_RUNTIME], ==, 10);
  g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 3);
}

static void
test_array_spec (void)
{
  WlArraySpec a;
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_parse_array ("0-15:4%3", &a, &error));
  g_assert_cmpuint (a.n_tasks, ==, 4);
  g_assert_cmpuint (a.throttle, ==, 3);
  g_assert_cmpint (wl_array_spec_next (&a, -1), ==, 0);
  g_assert_cmpint (wl_array_spec_next (&a, 0), ==, 4);
  g_assert_cmpint (wl_array_spec_next (&a, 12), ==, -1);
  g_assert_true (wl_parse_array ("5,1,3-4", &a, &error));
  g_assert_cmpuint (a.n_tasks, ==, 4);
  g_assert_cmpint (wl_array_spec_next (&a, -1), ==, 1);
  g_assert_cmpuint (a.max_index, ==, 5);
  static const char *const bad[] = { "", "%2", "a", "1-", "1-2:", "1-2:0", "-1", "1,", "2%",
                                     "0-5%x", "1000", "3-1", "1 2" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (wl_parse_array (bad[i], &a, &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
      g_clear_error (&error);
    }
}

static void
test_dependency (void)
{
  g_autoptr (GArray) d = g_array_new (FALSE, FALSE, sizeof (WlDependency));
  gboolean any = FALSE;
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_parse_dependency ("afterany:1:2_7?aftercorr:3?afternotok:4?"
                                      "afterburstbuffer:5", d, &any, &error));
  g_assert_true (any);
  g_assert_cmpuint (d->len, ==, 5);
  g_assert_cmpint (g_array_index (d, WlDependency, 1).task, ==, 7);
  g_assert_cmpint (g_array_index (d, WlDependency, 2).type, ==, WL_DEP_AFTERCORR);
  g_assert_cmpint (g_array_index (d, WlDependency, 4).type, ==, WL_DEP_AFTERBURSTBUFFER);
  g_assert_true (wl_parse_dependency ("AfterOK:9", d, &any, &error));
  g_assert_false (any);
  g_assert_cmpuint (d->len, ==, 6);
  for (guint t = 0; t < WL_DEP_N; t++)
    g_assert_cmpstr (wl_dep_type_name (t), !=, "unknown");
  static const char *const bad[] = { "", ",", "afterok:", "afterok::1", "afterok:1:",
                                     "singleton:1", "afterok:0", "afterok:1_", "after:1+",
                                     "afterok:4294967296", "afterok:1,", "expand:1" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("%s", bad[i]);
      g_assert_false (wl_parse_dependency (bad[i], d, &any, &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
      g_clear_error (&error);
      g_assert_cmpuint (d->len, ==, 6);           /* unchanged */
    }
}

static void
test_constraint (void)
{
  static const char *const good[] = { "a100", "intel&gpu", "a|b", "[rack1|rack2|rack3]",
                                      "[rack1*2&rack2*4]", "(knl&snc4&flat)*4&haswell",
                                      "mem=256G", "x86-64.v3", "((a|b)&c)",
                                      "intel&[rack1|rack2]", "[(a&b)|c]", "(a|b)&[c|d]",
                                      "[a]", "[a|b]&c" };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_true (wl_check_constraint (good[i], &error));
      g_assert_no_error (error);
    }
  static const char *const bad[] = { "", "&a", "a&", "a&&b", "a*", "a*0", "(a", "a)", "[a|b",
                                     "[[a]]", "([a])", "a b", "a,b", "a!",
                                     /* Slurm's refusals of brackets (job_scheduler.c) */
                                     "[a&b]", "[a|b&c]", "[a*2|b]", "[a|b]*2", "[a]&[b]",
                                     "a|[b|c]", "[a|b]|c", "[", "[]", "[a|]" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_test_message ("%s", bad[i]);
      g_assert_false (wl_check_constraint (bad[i], &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
    }
}

static void
test_skips (void)
{
  g_test_summary ("PENDING: not_started; run time 0: no_runtime (kept with "
                  "keep_zero_runtime); RUNNING with a run time: kept, unfinished_kept; an exit "
                  "code without a state: FAILED.");
  const char *doc = "[{\"id\": 1, \"runtime\": 5, \"state\": \"PENDING\"},\n"
                    " {\"id\": 2, \"runtime\": 0, \"state\": \"CANCELLED\"},\n"
                    " {\"id\": 3, \"runtime\": 5, \"state\": \"RUNNING\"},\n"
                    " {\"id\": 4, \"runtime\": 5, \"exit_code\": 2},\n"
                    " {\"id\": 5, \"runtime\": 5, \"exit_code\": \"0:0\", \"state\": \"OOM\"},\n"
                    " {\"id\": 6, \"runtime\": 5, \"state\": \"cancelled by 12\"}]";
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (doc, "t.json", NULL, &error);
  g_autoptr (GArray) jobs = read_jobs (r);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (jobs->len, ==, 4);
  g_assert_cmpuint (c->skipped[WL_SKIP_NOT_STARTED], ==, 1);
  g_assert_cmpuint (c->skipped[WL_SKIP_NO_RUNTIME], ==, 1);
  g_assert_cmpuint (c->adjusted[WL_ADJ_UNFINISHED_KEPT], ==, 1);
  g_assert_cmpint (JOB (jobs, 0)->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_cmpint (JOB (jobs, 1)->end_state, ==, SCHED_JOB_FAILED);
  g_assert_cmpint (JOB (jobs, 1)->extra->exit_code, ==, 2);
  g_assert_cmpint (JOB (jobs, 2)->end_state, ==, SCHED_JOB_FAILED);
  g_assert_cmpint (JOB (jobs, 3)->end_state, ==, SCHED_JOB_CANCELLED);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.keep_zero_runtime = TRUE;
  o.limit_rule = WL_LIMIT_RUNTIME;
  g_autoptr (WlReader) rk = json_text (doc, "t.json", &o, &error);
  g_autoptr (GArray) kept = read_jobs (rk);
  g_assert_cmpuint (kept->len, ==, 5);
  g_assert_cmpint (JOB (kept, 0)->runtime, ==, 0);
  g_assert_cmpint (JOB (kept, 0)->spec.time_limit, ==, 1);
  g_assert_cmpuint (wl_reader_get_counts (rk)->adjusted[WL_ADJ_RUNTIME_ZERO_KEPT], ==, 1);
  g_assert_cmpuint (wl_reader_get_counts (rk)->adjusted[WL_ADJ_REQTIME_FROM_RUNTIME], ==, 5);
}

static void
test_sorting (void)
{
  g_test_summary ("Jobs come out in submit order within the sort window (stable); past "
                  "it, late jobs are raised (counted) or, strict, an error.");
  const char *doc = "[{\"id\": 1, \"submit\": 30, \"runtime\": 1},\n"
                    " {\"id\": 2, \"submit\": 10, \"runtime\": 1},\n"
                    " {\"id\": 3, \"submit\": 20, \"runtime\": 1, \"array\": \"0-1\"},\n"
                    " {\"id\": 4, \"submit\": 10, \"runtime\": 1}]";
  g_autoptr (GArray) jobs = read_text (doc, "t.json", NULL);
  static const SchedJobId order[] = { 2, 4, 3000, 3001, 1 };
  g_assert_cmpuint (jobs->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (JOB (jobs, i)->spec.id, ==, order[i]);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.sort_window = 1;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (doc, "t.json", &o, &error);
  g_autoptr (GArray) unsorted = read_jobs (r);
  g_assert_cmpuint (JOB (unsorted, 1)->spec.id, ==, 2);
  g_assert_cmpint (JOB (unsorted, 1)->spec.submit, ==, 30);
  g_assert_cmpuint (wl_reader_get_counts (r)->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 4);
  o.strict = TRUE;
  g_autoptr (WlReader) rs = json_text (doc, "t.json", &o, &error);
  g_autoptr (GError) e = wl_test_read_error (rs);
  wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_UNSUPPORTED, "t.json:2: submit time 10 is "
                            "earlier than 30");
}

/* ---- JSON Lines, detection, streams ----------------------------------------------------- */

static void
test_json_lines (void)
{
  g_test_summary ("JSON Lines: a header line, blank lines, CRLF, a bad line skipped with "
                  "its line number (strict: an error), lines that are not objects.");
  const char *text = "\xef\xbb\xbf{\"version\": 1, \"cluster\": {\"procs\": 64}}\r\n"
                     "\n"
                     "{\"id\": 1, \"runtime\": 5}\r\n"
                     "{\"id\": 2, \"runtime\": \r\n"
                     "   \n"
                     "[1, 2]\n"
                     "{\"id\": 3, \"runtime\": 7, \"name\": \"a,b\"}";
  WlReaderOptions o;
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  opts_log (&o, log);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (text, "t.jsonl", &o, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, 64);
  g_autoptr (GArray) jobs = read_jobs (r);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 0)->line, ==, 3);
  g_assert_cmpuint (JOB (jobs, 1)->line, ==, 7);
  g_assert_cmpstr (JOB (jobs, 1)->extra->name, ==, "a,b");
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_nonnull (strstr (log->pdata[0], "t.jsonl:4: job #2: invalid JSON: "));
  g_assert_nonnull (strstr (log->pdata[1], "t.jsonl:6: job #3: expected a job object"));
  g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 2);
  o.strict = TRUE;
  g_autoptr (WlReader) rs = json_text (text, "t.jsonl", &o, &error);
  g_autoptr (GError) e = wl_test_read_error (rs);
  wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_MALFORMED, "t.jsonl:4: job #2: invalid JSON");

  /* the first line is a job, and a broken first line is a skipped job */
  g_autoptr (GArray) j2 = read_text ("{\"runtime\": 1}\n{\"runtime\": 2}\n", "x.ndjson.gz", NULL);
  g_assert_cmpuint (j2->len, ==, 2);
  o.strict = FALSE;
  g_autoptr (WlReader) rb = json_text ("{\"runtime\": }\n{\"runtime\": 2}\n", "t.jsonl", &o,
                                       &error);
  g_assert_no_error (error);
  g_autoptr (GArray) j3 = read_jobs (rb);
  g_assert_cmpuint (j3->len, ==, 1);
  g_assert_cmpuint (JOB (j3, 0)->spec.id, ==, 2);
  /* an overlong line is skipped */
  GString *longline = g_string_new ("{\"runtime\": 1, \"name\": \"");
  for (int i = 0; i < WL_JSON_MAX_ELEMENT; i++)
    g_string_append_c (longline, 'y');
  g_string_append (longline, "\"}\n{\"runtime\": 3}\n");
  g_autoptr (WlReader) rl = json_text (longline->str, "t.jsonl", &o, &error);
  g_string_free (longline, TRUE);
  g_assert_no_error (error);
  g_autoptr (GArray) j4 = read_jobs (rl);
  g_assert_cmpuint (j4->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (log, log->len - 1), "t.jsonl:1: a line longer "
                                                                    "than 1048576 bytes"));
  /* an empty file has no jobs */
  g_autoptr (GArray) j5 = read_text ("", "t.jsonl", NULL);
  g_assert_cmpuint (j5->len, ==, 0);
  g_autoptr (GArray) j6 = read_text (" \n ", "t.json", NULL);
  g_assert_cmpuint (j6->len, ==, 0);
}

static void
test_content_sniffing (void)
{
  g_test_summary ("A .json name holding JSON Lines, with or without a header line, and a "
                  "bare array, read as such.");
  g_autoptr (GArray) a = read_text ("{\"id\": 5, \"runtime\": 1}\n{\"id\": 6, \"runtime\": 1}",
                                    "t.json", NULL);
  g_assert_cmpuint (a->len, ==, 2);
  g_assert_cmpuint (JOB (a, 1)->line, ==, 2);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text ("{\"version\": 1, \"cluster\": {\"nodes\": 3}}\n"
                                      "{\"id\": 5, \"runtime\": 1}\n", "t.json", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (r)->max_nodes, ==, 3);
  g_autoptr (GArray) b = read_jobs (r);
  g_assert_cmpuint (b->len, ==, 1);
  g_autoptr (GArray) c = read_text ("  [ {\"id\": 5, \"runtime\": 1} ,\n {\"id\": 6, "
                                    "\"runtime\": 1} ] \n", "t", NULL);
  g_assert_cmpuint (c->len, ==, 2);
  g_assert_cmpuint (JOB (c, 1)->line, ==, 2);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.warn_func = wl_test_silent;
  g_autoptr (GArray) d = read_text ("{}", "t.json", &o);        /* one empty job object */
  g_assert_cmpuint (d->len, ==, 0);
}

static char *
generated_document (guint n)
{
  GString *t = g_string_new ("{\"version\": 1,\n \"cluster\": {\"nodes\": 64, "
                             "\"cpus_per_node\": 32, \"gpus_per_node\": 4},\n \"jobs\": [\n");
  static const char *const users[] = { "alice", "bob", "carol", "dave" };
  for (guint i = 0; i < n; i++)
    {
      guint32 h = i * 2654435761u;
      g_string_append_printf (t, "  {\"id\": %u, \"user\": \"%s\", \"submit\": %u, "
                              "\"runtime\": %u, \"time_limit\": \"%u:00:00\", "
                              "\"ntasks\": %u, \"cpus_per_task\": %u, \"mem\": \"%uG\"%s}%s\n",
                              i + 1, users[h % 4], i * 7, 60 + h % 7200, 1 + h % 5,
                              1 + (h >> 8) % 16, 1 + (h >> 12) % 4, 1 + (h >> 16) % 8,
                              i % 3 == 0 ? ", \"gres\": \"gpu:a100:1\", \"partition\": \"gpu\""
                                         : "", i + 1 < n ? "," : "");
    }
  g_string_append (t, "]}\n");
  return g_string_free (t, FALSE);
}

static void
test_trickle (void)
{
  g_test_summary ("A stream returning 1 to 64 bytes per read gives the same jobs, lines and "
                  "errors as one read, across every buffer edge.");
  g_autofree char *doc = generated_document (40);
  const char *variants[] = { doc, all_fields,
                             "{\"id\": 1, \"runtime\": 2}\r\n{\"runtime\": \"x\"}\n"
                             "{\"id\": 3, \"runtime\": 4, \"name\": \"q\\\"}\"}\n",
                             "\xef\xbb\xbf{\"version\": 1}\n{\"runtime\": 1}\n",
                             "\xef\xbb\xbf [{\"runtime\": 1}]" };
  const char *names[] = { "t.json", "t.json", "t.jsonl", "t.jsonl", "t.json" };
  for (gsize v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.warn_func = wl_test_silent;
      g_autoptr (GArray) once = read_text (variants[v], names[v], &o);
      static const gsize chunks[] = { 1, 2, 3, 7, 64 };
      for (gsize k = 0; k < G_N_ELEMENTS (chunks); k++)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (GInputStream) in = wl_test_trickle_new (variants[v], strlen (variants[v]),
                                                             chunks[k]);
          g_autoptr (WlReader) r = wl_json_reader_new (in, names[v], &o, &error);
          g_assert_no_error (error);
          g_autoptr (GArray) jobs = read_jobs (r);
          g_assert_cmpuint (jobs->len, ==, once->len);
          for (guint i = 0; i < jobs->len; i++)
            {
              assert_spec_equal (JOB (jobs, i), JOB (once, i));
              g_assert_cmpuint (JOB (jobs, i)->line, ==, JOB (once, i)->line);
              g_assert_true (wl_job_extra_equal (JOB (jobs, i)->extra, JOB (once, i)->extra));
            }
        }
    }
}

static void
test_open_and_scan (void)
{
  g_test_summary ("wl_reader_open finds JSON by name (.json, .jsonl, .ndjson, .gz) and by a "
                  "first '{' or '['; a trace without \"cluster\" is scanned for a machine, "
                  "one with it is not.");
  g_autofree char *dir = g_dir_make_tmp ("sluice-json-XXXXXX", NULL);
  const char *body = "{\"id\": 1, \"runtime\": 100, \"nodes\": 2, \"ntasks\": 8, "
                     "\"mem\": 1000}\n";
  g_autofree char *doc = g_strdup_printf ("{\"cluster\": {\"nodes\": 5, \"cpus_per_node\": 16},"
                                          " \"jobs\": [%s]}", body);
  struct {
    const char *name;
    const char *text;
    gboolean    gz;
    gint64      cpn;     /* info.cpus_per_node: 16 from "cluster", else scanned */
  } files[] = {
    { "a.json", doc, FALSE, 16 },
    { "b.jsonl", body, FALSE, 4 },
    { "c.json.gz", doc, TRUE, 16 },
    { "d.ndjson.gz", body, TRUE, 4 },
    { "e.trace", body, FALSE, 4 },
    { "f", "[{\"runtime\": 5}]", FALSE, 1 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].name, NULL);
      if (files[i].gz)
        wl_test_write_gz (path, files[i].text, strlen (files[i].text));
      else
        g_assert_true (g_file_set_contents (path, files[i].text, -1, NULL));
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.scan = TRUE;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = wl_reader_open (path, NULL, &o, &error);
      g_assert_no_error (error);
      const WlTraceInfo *info = wl_reader_get_info (r);
      g_assert_cmpint (info->cpus_per_node, ==, files[i].cpn);
      if (files[i].cpn == 16)
        g_assert_cmpint (info->max_nodes, ==, 5);       /* as given: no scan */
      else
        g_assert_cmpint (info->max_nodes, >=, 2);       /* scanned: room for the trace */
      if (files[i].cpn == 4)
        g_assert_cmpint (info->mem_per_node_mb, ==, 1000);
      g_autoptr (GArray) jobs = read_jobs (r);
      g_assert_cmpuint (jobs->len, ==, 1);
      g_autoptr (WlReader) r2 = wl_reader_open (path, "json", NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (r2);
    }
  g_autofree char *names = g_strjoinv (",", (char **) wl_reader_format_names ());
  g_assert_nonnull (strstr (names, "json"));
  g_assert_true (wl_json_name_looks_like ("X.JSONL.GZ"));
  g_assert_false (wl_json_name_looks_like ("x.json.bz2"));
  wl_test_rm_rf (dir);
}

static void
test_resolve (void)
{
  g_test_summary ("Partition and GPU type names go through the resolver once each, only "
                  "while jobs are read; integers are taken as indices and ids.");
  WlReaderOptions o;
  wl_reader_options_init (&o);
  Resolver res = { 0 };
  o.resolve = resolve;
  o.resolve_data = &res;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = json_text (
      "{\"jobs\": [{\"runtime\": 1, \"partition\": \"debug\", \"gpu_type\": \"a100\", "
      "\"gpus_per_node\": 1},\n {\"runtime\": 1, \"partition\": \"debug\", \"gres\": "
      "\"gpu:a100:1\"},\n {\"runtime\": 1, \"partition\": \"nope\"},\n {\"runtime\": 1, "
      "\"partition\": 3, \"gpu_type\": 9, \"gpus_per_node\": 1}]}", "t.json", &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (res.calls, ==, 0);
  g_autoptr (GArray) jobs = read_jobs (r);
  g_assert_cmpuint (res.calls, ==, 3);
  g_assert_cmpint (JOB (jobs, 0)->spec.partition, ==, 2);
  g_assert_cmpuint (JOB (jobs, 0)->spec.gpu_type, ==, 5);
  g_assert_cmpuint (JOB (jobs, 1)->spec.gpu_type, ==, 5);
  g_assert_cmpint (JOB (jobs, 2)->spec.partition, ==, -1);
  g_assert_cmpstr (JOB (jobs, 2)->extra->partition, ==, "nope");
  g_assert_cmpint (JOB (jobs, 3)->spec.partition, ==, 3);
  g_assert_cmpuint (JOB (jobs, 3)->spec.gpu_type, ==, 9);
}

/* ---- writer ----------------------------------------------------------------------------- */

/* Writes `jobs` as JSON Lines (with a header from `info`) and reads them back. */
static GArray *
round_trip (GArray *jobs, const WlTraceInfo *info, const WlReaderOptions *opts,
            WlTraceInfo *info_back)
{
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_json_write_header (out, info, &error));
  for (guint i = 0; i < jobs->len; i++)
    g_assert_true (wl_json_write_job (out, JOB (jobs, i), &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  g_autoptr (GBytes) bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr (WlReader) r = wl_json_reader_new (in, "rt.jsonl", opts, &error);
  g_assert_no_error (error);
  if (info_back != NULL)
    {
      const WlTraceInfo *i2 = wl_reader_get_info (r);
      info_back->max_nodes = i2->max_nodes;
      info_back->max_procs = i2->max_procs;
      info_back->cpus_per_node = i2->cpus_per_node;
      info_back->gpus_per_node = i2->gpus_per_node;
      info_back->mem_per_node_mb = i2->mem_per_node_mb;
    }
  return read_jobs (r);
}

static void
assert_same_jobs (GArray *a, GArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      assert_spec_equal (JOB (a, i), JOB (b, i));
      g_assert_true (wl_job_extra_equal (JOB (a, i)->extra, JOB (b, i)->extra));
    }
}

static void
test_round_trip (void)
{
  g_test_summary ("read -> wl_json_write_job -> read gives the same jobs and extras, for "
                  "every field, arrays, names, made-up limits and per-job GPUs.");
  WlReaderOptions o;
  wl_reader_options_init (&o);
  Resolver res = { 0 };
  o.resolve = resolve;
  o.resolve_data = &res;
  o.gpus_per_node = 4;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "scenario.json", NULL);
  g_autofree char *scenario = NULL;
  g_assert_true (g_file_get_contents (path, &scenario, NULL, NULL));
  const char *docs[] = {
    all_fields, scenario,
    "[{\"id\": 1, \"runtime\": 9, \"gpus\": 10, \"time_limit\": \"UNLIMITED\", \"user\": \"u\","
    " \"group\": \"g\", \"begin\": 50, \"array\": \"1-3%2\", \"dependency\": \"after:1?afterok:2_3\"},"
    " {\"id\": 2, \"runtime\": 9, \"nodes\": \"2-\", \"mem\": 7, \"exit_code\": 3,"
    " \"state\": \"NODE_FAIL\", \"partition\": 1, \"gpu_type\": 4, \"gpus_per_node\": 1},"
    " {\"id\": 3, \"runtime\": 9, \"gres\": \"gpu:v100:1\", \"gpu_type\": \"v100\","
    " \"constraint\": \"[a|b]\", \"qos\": \"q\", \"exit_code\": 1, \"state\": \"COMPLETED\"},"
    " {\"id\": 4, \"runtime\": 0, \"user\": 17, \"ntasks\": 3, \"nodes\": \"1-2\"},"
    " {\"id\": 6, \"runtime\": 2, \"ntasks\": 5, \"ntasks_per_node\": 2, \"mem_per_cpu\": 9},"
    " {\"id\": 5, \"runtime\": 1099511627776, \"submit\": 1099511627776,"
    "  \"user\": \"3000000000\", \"begin\": \"now+0\"}]",
  };
  for (gsize d = 0; d < G_N_ELEMENTS (docs); d++)
    {
      o.keep_zero_runtime = TRUE;
      g_autoptr (GArray) first = read_text (docs[d], "t.json", &o);
      g_assert_cmpuint (first->len, >, 0);
      g_autoptr (GArray) back = round_trip (first, NULL, &o, NULL);
      assert_same_jobs (first, back);
    }
  /* one line, as documented */
  g_autoptr (GArray) one = read_text ("[{\"id\": 5, \"runtime\": 60, \"time_limit\": 120, "
                                      "\"user\": \"ann\", \"mem\": \"1G\", \"nodes\": 2}]",
                                      "t.json", NULL);
  g_autofree char *line = wl_json_job_to_string (JOB (one, 0));
  g_assert_cmpstr (line, ==, "{\"id\":5,\"user\":\"ann\",\"uid\":2147483648,\"submit\":0,"
                             "\"runtime\":60,\"time_limit\":120,\"nodes\":2,\"ntasks\":2,"
                             "\"mem\":1024,\"state\":\"COMPLETED\"}");
}

static void
test_round_trip_swf (void)
{
  g_test_summary ("An SWF trace converted to JSON Lines reads back to the same jobs, with "
                  "its machine size in the header.");
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "tiny.swf", NULL);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.warn_func = wl_test_silent;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, NULL, &o, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs = read_jobs (r);
  g_assert_cmpuint (jobs->len, >, 3);
  WlTraceInfo back = { 0 };
  g_autoptr (GArray) again = round_trip (jobs, wl_reader_get_info (r), &o, &back);
  assert_same_jobs (jobs, again);
  g_assert_cmpint (back.max_procs, ==, 8);
  /* and a machine with nodes */
  WlTraceInfo info = { .max_nodes = 3, .cpus_per_node = 4, .mem_per_node_mb = 100,
                       .gpus_per_node = 1, .max_procs = 12 };
  g_autoptr (GArray) third = round_trip (jobs, &info, &o, &back);
  assert_same_jobs (jobs, third);
  g_assert_cmpint (back.max_nodes, ==, 3);
  g_assert_cmpint (back.cpus_per_node, ==, 4);
  g_assert_cmpint (back.mem_per_node_mb, ==, 100);
  g_assert_cmpint (back.gpus_per_node, ==, 1);
}

/* ---- scale and robustness --------------------------------------------------------------- */

static void
test_stream_200k (void)
{
  g_test_summary ("A generated 200,000-job document (about 30 MB) streams in bounded "
                  "memory; the speed is printed (and checked with -m perf).");
  const guint n = 200000;
  g_autofree char *dir = g_dir_make_tmp ("sluice-json-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "big.json", NULL);
  g_autofree char *doc = generated_document (n);
  gsize len = strlen (doc);
  g_assert_true (g_file_set_contents (path, doc, (gssize) len, NULL));
  g_clear_pointer (&doc, g_free);
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, NULL, NULL, &error);
  g_assert_no_error (error);
  guint64 count = 0, gpu_jobs = 0;
  SchedTime last = -1;
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      g_assert_true (wl_reader_next (r, &w, &eof, &error));
      if (eof)
        break;
      count++;
      g_assert_cmpint (w.spec.submit, >=, last);
      last = w.spec.submit;
      if (w.spec.gpus_per_node > 0)
        {
          gpu_jobs++;
          g_assert_cmpstr (w.extra->partition, ==, "gpu");
        }
    }
  double s = (double) (g_get_monotonic_time () - t0) / 1e6;
  g_assert_cmpuint (count, ==, n);
  g_assert_cmpuint (gpu_jobs, ==, (n + 2) / 3);
  g_assert_cmpint (wl_reader_get_info (r)->max_nodes, ==, 64);
  double rate = (double) n / s;
  g_test_message ("JSON parsing: %u jobs (%.1f MB) in %.3f s: %.0f jobs/s", n,
                  (double) len / 1e6, s, rate);
  if (g_test_perf ())
    {
      g_test_minimized_result (s, "%u jobs in %.3f s", n, s);
      g_assert_cmpfloat (rate, >=, 100000);
    }
  wl_test_rm_rf (dir);
}

static void
test_fuzz (void)
{
  g_test_summary ("Mutated documents and lines never crash the reader; reads fail only "
                  "with WL_ERROR; lenient JSON Lines reads never fail and keep the counts "
                  "balanced; every job has a task, a limit and a run time >= 0.");
  const char *doc = "{\"version\": 1, \"jobs\": [\n"
                    " {\"id\": 1, \"runtime\": 10, \"array\": \"0-2%1\", \"nodes\": \"1-2\"},\n"
                    " {\"id\": 2, \"user\": \"bob\", \"runtime\": \"1:00\", \"gres\": "
                    "\"gpu:a100:2\", \"mem\": \"2G\", \"dependency\": \"afterok:1\"},\n"
                    " {\"id\": 3, \"runtime\": 5, \"gpus\": 3, \"features\": \"[a|b]\", "
                    "\"submit\": \"2024-01-01T00:00:00Z\"}]}\n";
  for (guint iter = 0; iter < 2000; iter++)
    {
      g_autofree char *text = wl_test_mutate (doc, "{}[]\",:0123456789-%_\\ \nabz");
      for (int lines = 0; lines <= 1; lines++)
        for (int strict = 0; strict <= 1; strict++)
          {
            WlReaderOptions o;
            wl_reader_options_init (&o);
            o.strict = strict;
            o.warn_func = wl_test_silent;
            o.sort_window = 1 + iter % 3;
            g_autoptr (GError) error = NULL;
            g_autoptr (GInputStream) in = wl_test_trickle_new (text, strlen (text),
                                                               1 + iter % 17);
            g_autoptr (WlReader) r = wl_json_reader_new (in, lines ? "f.jsonl" : "f.json", &o,
                                                         &error);
            if (r == NULL)
              {
                g_assert_true (error != NULL && error->domain == WL_ERROR);
                continue;
              }
            for (;;)
              {
                WlJob w;
                gboolean eof = FALSE;
                if (!wl_reader_next (r, &w, &eof, &error))
                  {
                    g_assert_true (error->domain == WL_ERROR);
                    g_assert_true (strict || !lines);
                    break;
                  }
                if (eof)
                  {
                    wl_test_assert_counts_balance (wl_reader_get_counts (r));
                    break;
                  }
                g_assert_cmpuint (w.spec.tasks, >=, 1);
                g_assert_cmpint (w.spec.time_limit, >=, 1);
                g_assert_cmpint (w.runtime, >=, 0);
              }
          }
    }
}

/* ---- sluice sim ------------------------------------------------------------------------- */

/* Runs `sluice` with `args` (NULL-terminated); returns the exit status, stderr in *err. */
static int
run_sluice (const char *const *args, char **err)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) bin);
  for (gsize i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_sim_scenario (void)
{
  g_test_summary ("tests/data/scenario.json (GPUs, memory, an exclusive job, an array, a "
                  "TIMEOUT, a FAILED exit code, names) replayed under easy gives the hand-worked "
                  "schedule, with the machine from the options or from its \"cluster\".");
  if (g_getenv ("SLUICE_BIN") == NULL)
    {
      g_test_skip ("SLUICE_BIN is not set");
      return;
    }
  g_autofree char *scenario = g_test_build_filename (G_TEST_DIST, "data", "scenario.json", NULL);
  g_autofree char *expected_path = g_test_build_filename (G_TEST_DIST, "data", "expected",
                                                          "scenario-easy.csv", NULL);
  g_autofree char *expected = NULL;
  g_assert_true (g_file_get_contents (expected_path, &expected, NULL, NULL));
  g_autofree char *dir = g_dir_make_tmp ("sluice-json-XXXXXX", NULL);
  for (int from_file = 0; from_file <= 1; from_file++)
    {
      g_autofree char *err = NULL;
      int status;
      if (from_file)
        status = run_sluice ((const char *const[]) { "sim", "--trace", scenario, "--policy",
                                                     "easy", "--out", dir, "--quiet", NULL },
                             &err);
      else
        status = run_sluice ((const char *const[]) { "sim", "--trace", scenario, "--policy",
                                                     "easy", "--nodes", "4", "--cpus-per-node",
                                                     "8", "--gpus-per-node", "2",
                                                     "--mem-per-node", "64000", "--out", dir,
                                                     "--quiet", NULL },
                             &err);
      if (status != 0)
        g_error ("sluice sim failed (%d): %s", status, err);
      g_autofree char *csv_path = g_build_filename (dir, "jobs.csv", NULL);
      g_autofree char *got = NULL;
      g_assert_true (g_file_get_contents (csv_path, &got, NULL, NULL));
      g_assert_cmpstr (got, ==, expected);
    }
  wl_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/json/every-field", test_every_field);
  g_test_add_func ("/wl/json/defaults", test_defaults);
  g_test_add_func ("/wl/json/shapes", test_shapes);
  g_test_add_func ("/wl/json/times", test_times);
  g_test_add_func ("/wl/json/users", test_users);
  g_test_add_func ("/wl/json/job-errors", test_job_errors);
  g_test_add_func ("/wl/json/warning-limit", test_warning_limit);
  g_test_add_func ("/wl/json/structure-errors", test_structure_errors);
  g_test_add_func ("/wl/json/header", test_header);
  g_test_add_func ("/wl/json/node-list", test_node_list);
  g_test_add_func ("/wl/json/unknown-fields", test_unknown_fields);
  g_test_add_func ("/wl/json/arrays", test_arrays);
  g_test_add_func ("/wl/json/array-spec", test_array_spec);
  g_test_add_func ("/wl/json/dependency", test_dependency);
  g_test_add_func ("/wl/json/constraint", test_constraint);
  g_test_add_func ("/wl/json/skips", test_skips);
  g_test_add_func ("/wl/json/sorting", test_sorting);
  g_test_add_func ("/wl/json/json-lines", test_json_lines);
  g_test_add_func ("/wl/json/content-sniffing", test_content_sniffing);
  g_test_add_func ("/wl/json/trickle", test_trickle);
  g_test_add_func ("/wl/json/open-and-scan", test_open_and_scan);
  g_test_add_func ("/wl/json/resolve", test_resolve);
  g_test_add_func ("/wl/json/round-trip", test_round_trip);
  g_test_add_func ("/wl/json/round-trip-swf", test_round_trip_swf);
  g_test_add_func ("/wl/json/stream-200k", test_stream_200k);
  g_test_add_func ("/wl/json/fuzz", test_fuzz);
  g_test_add_func ("/wl/json/sim-scenario", test_sim_scenario);
  return g_test_run ();
}
