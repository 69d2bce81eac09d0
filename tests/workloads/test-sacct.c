/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-sacct.c - the sacct --parsable2 reader.
 *
 * Small dumps written inline check each rule of workloads/sacct.h: the fields in any order
 * and subset, separators, step folding and what steps may refine, array tasks and ranges,
 * het-job components, job ids with and without JobIDRaw, Slurm's time and memory formats,
 * TRES and GRES GPUs, states and the skip reasons, the CPU-time estimate, every error with
 * its message in strict mode and its count otherwise, and a stream that returns a few bytes
 * per read.  With the shared traces (SLUICE_SHARED/traces/sacct) the Kabre dump must parse
 * completely, with the exact counts worked out from its README.md. */
#include "workloads/open.h"
#include "wl-test-helpers.h"

#include <string.h>

/* ---- helpers --------------------------------------------------------------------------- */

static WlReader *
sacct_text (const char *text, const WlReaderOptions *opts, GError **error)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);
  return wl_sacct_reader_new (in, "t.txt", opts, error);
}

static GArray *
read_text (const char *text, const WlReaderOptions *opts, WlCounts *counts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = sacct_text (text, opts, &error);
  g_assert_no_error (error);
  GArray *jobs = wl_test_read_all (r);
  if (counts != NULL)
    *counts = *wl_reader_get_counts (r);
  return jobs;
}

#define JOB(arr, i) (&g_array_index ((arr), WlJob, (i)))

static const guint32 base = (guint32) 1 << 31;

/* ---- jobs and steps --------------------------------------------------------------------- */

static const char full_dump[] =
    "JobID|JobIDRaw|User|Group|Account|Partition|QOS|Submit|Start|End|Elapsed|Timelimit|"
    "NNodes|NCPUS|ReqMem|ReqTRES|AllocTRES|State|ExitCode\n"
    "100|100|alice|staff|proj|gpu|normal|2024-01-01T00:00:00|2024-01-01T00:01:00|"
    "2024-01-01T01:01:00|01:00:00|02:00:00|2|16|4000Mc|billing=16,cpu=16,gres/gpu:a100=4,"
    "gres/gpu=4,mem=64000M,node=2|billing=16,cpu=16,gres/gpu=4,mem=64000M,node=2|COMPLETED|"
    "0:0\n"
    "100.batch|100.batch||||||2024-01-01T00:01:00|2024-01-01T00:01:00|2024-01-01T01:01:00|"
    "01:00:00||1|8|||cpu=8,mem=32000M,node=1|COMPLETED|0:0\n"
    "100.extern|100.extern||||||2024-01-01T00:01:00|2024-01-01T00:01:00|"
    "2024-01-01T01:01:05|01:00:05||2|16|||cpu=16,node=2|COMPLETED|0:0\n"
    "100.0|100.0||||||2024-01-01T00:01:00|2024-01-01T00:01:00|2024-01-01T01:00:00|00:59:00||"
    "2|16|||cpu=16,node=2|FAILED|1:0\n"
    "101|101|bob|staff|proj|cpu|normal|2024-01-01T00:00:30|2024-01-01T00:02:00|"
    "2024-01-01T00:12:00|00:10:00|1-00:00:00|1|4|2Gn|billing=4,cpu=4,mem=2G,node=1||TIMEOUT|"
    "0:15\n"
    "101.batch|101.batch||||||2024-01-01T00:00:30|2024-01-01T00:02:00|2024-01-01T00:12:00|"
    "00:10:00||1|4|||cpu=4,mem=2G,node=1|CANCELLED|0:15\n";

static GPtrArray *resolved;

static gint64
resolve_test (WlNameKind kind, const char *name, gpointer data)
{
  (void) data;
  g_ptr_array_add (resolved, g_strdup_printf ("%d:%s", kind, name));
  if (kind == WL_NAME_GPU_TYPE)
    return strcmp (name, "a100") == 0 ? 3 : 0;
  return strcmp (name, "gpu") == 0 ? 1 : strcmp (name, "cpu") == 0 ? 0 : -1;
}

static void
check_full_jobs (GArray *jobs)
{
  g_assert_cmpuint (jobs->len, ==, 2);
  const WlJob *a = JOB (jobs, 0), *b = JOB (jobs, 1);
  g_assert_cmpuint (a->spec.id, ==, 100);
  g_assert_cmpuint (a->spec.user, ==, base);
  g_assert_cmpuint (a->spec.group, ==, base);
  g_assert_cmpint (a->spec.submit, ==, 1704067200);
  g_assert_cmpint (a->runtime, ==, 3600);
  g_assert_cmpint (a->spec.time_limit, ==, 7200);
  g_assert_cmpuint (a->spec.tasks, ==, 16);
  g_assert_cmpuint (a->spec.cpus_per_task, ==, 1);
  g_assert_cmpuint (a->spec.min_nodes, ==, 2);
  g_assert_cmpuint (a->spec.max_nodes, ==, 2);
  g_assert_cmpuint (a->spec.mem_per_node_mb, ==, 32000);       /* 4000 MB x 8 CPUs */
  g_assert_cmpuint (a->spec.gpus_per_node, ==, 2);
  g_assert_cmpint (a->end_state, ==, SCHED_JOB_COMPLETED);     /* steps do not override */
  g_assert_cmpuint (a->line, ==, 2);
  g_assert_cmpuint (b->spec.id, ==, 101);
  g_assert_cmpuint (b->spec.user, ==, base + 1);
  g_assert_cmpint (b->runtime, ==, 600);
  g_assert_cmpint (b->spec.time_limit, ==, 86400);
  g_assert_cmpuint (b->spec.tasks, ==, 4);
  g_assert_cmpuint (b->spec.min_nodes, ==, 1);
  g_assert_cmpuint (b->spec.mem_per_node_mb, ==, 2048);
  g_assert_cmpuint (b->spec.gpus_per_node, ==, 0);
  g_assert_cmpint (b->end_state, ==, SCHED_JOB_TIMEOUT);
  g_assert_cmpuint (b->line, ==, 6);
}

static void
test_full (void)
{
  resolved = g_ptr_array_new_with_free_func (g_free);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.resolve = resolve_test;
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (full_dump, &o, &c);
  check_full_jobs (jobs);
  g_assert_cmpint (JOB (jobs, 0)->spec.partition, ==, 1);
  g_assert_cmpuint (JOB (jobs, 0)->spec.gpu_type, ==, 3);
  g_assert_cmpint (JOB (jobs, 1)->spec.partition, ==, 0);
  g_assert_cmpuint (resolved->len, ==, 3);         /* gpu type a100, partitions gpu, cpu */
  g_assert_cmpuint (c.read, ==, 2);
  g_assert_cmpuint (c.kept, ==, 2);
  for (guint i = 0; i < WL_SKIP_N; i++)
    g_assert_cmpuint (c.skipped[i], ==, 0);
  for (guint i = 0; i < WL_ADJ_N; i++)
    g_assert_cmpuint (c.adjusted[i], ==, 0);
  g_clear_pointer (&resolved, g_ptr_array_unref);

  /* CRLF, a BOM and a few bytes per read give the same */
  g_autoptr (GString) crlf = g_string_new ("\xef\xbb\xbf");
  for (const char *p = full_dump; *p; p++)
    {
      if (*p == '\n')
        g_string_append_c (crlf, '\r');
      g_string_append_c (crlf, *p);
    }
  for (gsize chunk = 1; chunk <= 6; chunk++)
    {
      g_autoptr (GInputStream) in = wl_test_trickle_new (crlf->str, crlf->len, chunk);
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = wl_sacct_reader_new (in, "t.txt", NULL, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) jobs2 = wl_test_read_all (r);
      check_full_jobs (jobs2);
    }
}

static void
test_subsets_and_separators (void)
{
  /* any order, any subset; no JobID: numbered in dump order */
  const char *text = "State|NCPUS|Submit|Elapsed\n"
                     "COMPLETED|4|2024-01-01T00:00:00|00:05:00\n"
                     "FAILED|1|2024-01-01T00:00:10|10:00\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 1);
  g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 2);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 300);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 600);
  g_assert_cmpuint (JOB (jobs, 0)->spec.tasks, ==, 4);
  g_assert_cmpuint (JOB (jobs, 0)->spec.min_nodes, ==, 0);
  g_assert_cmpint (JOB (jobs, 1)->end_state, ==, SCHED_JOB_FAILED);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 3600);   /* no Timelimit: made up */
  g_assert_cmpuint (c.adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 2);
  g_assert_cmpuint (c.adjusted[WL_ADJ_SIZE_FROM_ALLOCATED], ==, 2);   /* NCPUS */

  /* --parsable: a separator after every field */
  const char *trailing = "JobID|Submit|Elapsed|ReqCPUS|\n7|2024-01-01T00:00:00|00:01:00|2|\n";
  g_autoptr (GArray) j2 = read_text (trailing, NULL, &c);
  g_assert_cmpuint (j2->len, ==, 1);
  g_assert_cmpuint (JOB (j2, 0)->spec.id, ==, 7);
  g_assert_cmpuint (JOB (j2, 0)->spec.tasks, ==, 2);
  g_assert_cmpuint (c.adjusted[WL_ADJ_SIZE_FROM_ALLOCATED], ==, 0);

  /* -P --delimiter: guessed from the header, or given */
  const char *semis = "JobID;Submit;Elapsed;ReqCPUS\n8;2024-01-01T00:00:00;00:01:00;3\n";
  g_autoptr (GArray) j3 = read_text (semis, NULL, NULL);
  g_assert_cmpuint (j3->len, ==, 1);
  g_assert_cmpuint (JOB (j3, 0)->spec.tasks, ==, 3);
  const char *commas = "JobID,Submit,Elapsed,ReqCPUS\n9,2024-01-01T00:00:00,00:01:00,5\n";
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.delimiter = ',';
  g_autoptr (GArray) j4 = read_text (commas, &o, NULL);
  g_assert_cmpuint (JOB (j4, 0)->spec.tasks, ==, 5);

  g_assert_true (wl_sacct_header_looks_like ("JobID|Start", 11));
  g_assert_true (wl_sacct_header_looks_like ("Submit,Elapsed,NCPUS", 20));
  g_assert_false (wl_sacct_header_looks_like ("job_id,submit", 13));
  g_assert_false (wl_sacct_header_looks_like ("a|b", 3));
  g_assert_false (wl_sacct_header_looks_like ("JobID", 5));
}

static void
test_steps_refine (void)
{
  const char *text = "JobID|Submit|Start|End|NCPUS|State\n"
                     "10|2024-01-01T00:00:00|2024-01-01T00:00:00||1|\n"
                     "10.extern|2024-01-01T00:00:00|2024-01-01T00:00:00|2024-01-01T00:10:00|1|"
                     "COMPLETED\n"
                     "10.batch|2024-01-01T00:00:00|2024-01-01T00:00:00|2024-01-01T00:05:00|1|"
                     "FAILED\n"
                     "10.0|2024-01-01T00:00:00|2024-01-01T00:00:00|2024-01-01T00:04:00|1|"
                     "COMPLETED\n"
                     "11|2024-01-01T00:01:00|2024-01-01T00:01:00|2024-01-01T00:02:00|1|"
                     "COMPLETED\n"
                     "11.batch|2024-01-01T00:01:00|2024-01-01T00:01:00|2024-01-01T00:09:00|1|"
                     "FAILED\n"
                     "12.batch|2024-01-01T00:02:00|2024-01-01T00:02:00|2024-01-01T00:03:00|1|"
                     "COMPLETED\n"
                     "13|2024-01-01T00:03:00|2024-01-01T00:03:00||1|\n"
                     "13.0|2024-01-01T00:03:00|2024-01-01T00:03:00|junk|1|WEIRD\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  g_assert_cmpuint (jobs->len, ==, 2);
  /* 10: End from the latest step, State from the batch step */
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 10);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 600);
  g_assert_cmpint (JOB (jobs, 0)->end_state, ==, SCHED_JOB_FAILED);
  /* 11: its own End and State stand */
  g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 11);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 60);
  g_assert_cmpint (JOB (jobs, 1)->end_state, ==, SCHED_JOB_COMPLETED);
  /* 12.batch has no job line; 13 has no End and its step's values do not parse */
  g_assert_cmpuint (c.read, ==, 4);
  g_assert_cmpuint (c.skipped[WL_SKIP_ORPHAN_STEP], ==, 1);
  g_assert_cmpuint (c.skipped[WL_SKIP_NO_RUNTIME], ==, 1);
  g_assert_cmpuint (c.skipped[WL_SKIP_MALFORMED], ==, 0);
}

static void
test_arrays_het (void)
{
  const char *text = "JobID|JobIDRaw|Submit|Start|Elapsed|NCPUS|State\n"
                     "200_1|201|2024-01-01T00:00:00|2024-01-01T00:00:05|00:01:00|1|COMPLETED\n"
                     "200_1.batch|201.batch|2024-01-01T00:00:00|2024-01-01T00:00:05|00:01:00|1|"
                     "COMPLETED\n"
                     "200_2|202|2024-01-01T00:00:00|2024-01-01T00:00:05|00:02:00|1|COMPLETED\n"
                     "200_[3-5]|200|2024-01-01T00:00:00|None|00:00:00|0|PENDING\n"
                     "300+0|300|2024-01-01T00:00:10|2024-01-01T00:00:20|00:03:00|2|COMPLETED\n"
                     "300+0.0|300.0|2024-01-01T00:00:10|2024-01-01T00:00:20|00:03:00|2|"
                     "COMPLETED\n"
                     "300+1|301|2024-01-01T00:00:10|2024-01-01T00:00:20|00:03:00|4|COMPLETED\n"
                     "400|400|2024-01-01T00:00:30|2024-01-01T00:00:40|00:04:00|1|COMPLETED\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  static const SchedJobId ids[] = { 201, 202, 300, 301, 400 };
  g_assert_cmpuint (jobs->len, ==, G_N_ELEMENTS (ids));
  for (guint i = 0; i < jobs->len; i++)
    g_assert_cmpuint (JOB (jobs, i)->spec.id, ==, ids[i]);
  g_assert_cmpuint (JOB (jobs, 3)->spec.tasks, ==, 4);
  g_assert_cmpuint (c.read, ==, 6);
  g_assert_cmpuint (c.skipped[WL_SKIP_NOT_STARTED], ==, 1);

  /* without JobIDRaw: array tasks and het components are numbered down from 2^32 - 1 */
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr (GString) noraw = g_string_new (NULL);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      char *bar = strchr (lines[i], '|');
      char *bar2 = strchr (bar + 1, '|');
      g_string_append_len (noraw, lines[i], bar - lines[i]);
      g_string_append (noraw, bar2);
      g_string_append_c (noraw, '\n');
    }
  g_autoptr (GArray) j2 = read_text (noraw->str, NULL, &c);
  static const SchedJobId ids2[] = { G_MAXUINT32, G_MAXUINT32 - 1, G_MAXUINT32 - 3,
                                     G_MAXUINT32 - 4, 400 };
  g_assert_cmpuint (j2->len, ==, G_N_ELEMENTS (ids2));
  for (guint i = 0; i < j2->len; i++)
    g_assert_cmpuint (JOB (j2, i)->spec.id, ==, ids2[i]);
}

static void
test_states (void)
{
  const char *text = "JobID|Submit|Start|Elapsed|NCPUS|State\n"
                     "1|2024-01-01T00:00:00|2024-01-01T00:00:00|00:01:00|1|CANCELLED by 123\n"
                     "2|2024-01-01T00:00:01|2024-01-01T00:00:01|00:01:00|1|OUT_OF_MEMORY\n"
                     "3|2024-01-01T00:00:02|2024-01-01T00:00:02|00:01:00|1|NODE_FAIL\n"
                     "4|2024-01-01T00:00:03|Unknown|00:00:00|1|PENDING\n"
                     "5|2024-01-01T00:00:04|2024-01-01T00:00:04|00:30:00|1|RUNNING\n"
                     "6|2024-01-01T00:00:05|None|00:00:00|1|CANCELLED by 0\n"
                     "7|2024-01-01T00:00:06|2024-01-01T00:00:06|00:01:00|1|PREEMPTED\n"
                     "8|2024-01-01T00:00:07|2024-01-01T00:00:07|00:01:00|1|DEADLINE\n"
                     "9|2024-01-01T00:00:08|2024-01-01T00:00:08|00:01:00|1|BOOT_FAIL\n"
                     "10|2024-01-01T00:00:09|2024-01-01T00:00:09|00:01:00|1|TIMEOUT\n"
                     "11|2024-01-01T00:00:10|2024-01-01T00:00:10|00:01:00|1|COMPLETED\n"
                     "12|2024-01-01T00:00:11|2024-01-01T00:00:11|00:01:00|1|CANCELLED+\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  static const SchedJobState want[] = {
    SCHED_JOB_CANCELLED, SCHED_JOB_FAILED, SCHED_JOB_NODE_FAIL, SCHED_JOB_CANCELLED,
    SCHED_JOB_TIMEOUT, SCHED_JOB_FAILED, SCHED_JOB_TIMEOUT, SCHED_JOB_COMPLETED,
    SCHED_JOB_CANCELLED,
  };
  g_assert_cmpuint (jobs->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < jobs->len; i++)
    g_assert_cmpint (JOB (jobs, i)->end_state, ==, want[i]);
  g_assert_cmpuint (c.read, ==, 12);
  g_assert_cmpuint (c.skipped[WL_SKIP_NOT_STARTED], ==, 2);
  g_assert_cmpuint (c.skipped[WL_SKIP_UNFINISHED], ==, 1);

  /* no State: the exit code decides */
  const char *codes = "Submit|Elapsed|NCPUS|ExitCode\n2024-01-01T00:00:00|00:01:00|1|1:0\n"
                      "2024-01-01T00:00:00|00:01:00|1|0:0\n2024-01-01T00:00:00|00:01:00|1|0:9\n";
  g_autoptr (GArray) j2 = read_text (codes, NULL, NULL);
  g_assert_cmpint (JOB (j2, 0)->end_state, ==, SCHED_JOB_FAILED);
  g_assert_cmpint (JOB (j2, 1)->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_cmpint (JOB (j2, 2)->end_state, ==, SCHED_JOB_FAILED);
}

static void
test_times (void)
{
  const char *text = "JobID|Submit|Elapsed|ElapsedRaw|Timelimit|TimelimitRaw|NCPUS\n"
                     "1|2024-01-01T00:00:00|03:04.5||1-02:03:04||1\n"
                     "2|2024-01-01T00:00:01|01:00:00|3000|UNLIMITED||1\n"
                     "3|2024-01-01T00:00:02|2-00:00:00||Partition_Limit|Partition_Limit|1\n"
                     "4|1704067203|00:10:00||05:00:00|90|1\n"
                     "5|2024-01-01T00:00:04|00:10:00||30||1\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  g_assert_cmpuint (jobs->len, ==, 5);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 185);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 93784);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 3000);               /* ElapsedRaw first */
  g_assert_cmpint (JOB (jobs, 1)->spec.time_limit, ==, 3600);       /* made up */
  g_assert_cmpint (JOB (jobs, 2)->runtime, ==, 172800);
  g_assert_cmpint (JOB (jobs, 2)->spec.time_limit, ==, 172800);     /* made up: 48 h */
  g_assert_cmpint (JOB (jobs, 3)->spec.submit, ==, 1704067203);     /* Unix seconds */
  g_assert_cmpint (JOB (jobs, 3)->spec.time_limit, ==, 5400);       /* TimelimitRaw minutes */
  g_assert_cmpint (JOB (jobs, 4)->spec.time_limit, ==, 1800);       /* bare number: minutes */
  g_assert_cmpuint (c.adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 2);

  /* sacct prints local time: a zone makes it Unix time */
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.time_zone = "America/Costa_Rica";                               /* UTC-6, no DST */
  g_autoptr (GArray) j2 = read_text (text, &o, NULL);
  g_assert_cmpint (JOB (j2, 0)->spec.submit, ==, 1704067203);     /* now the earliest */
  g_assert_cmpint (JOB (j2, 1)->spec.submit, ==, 1704067200 + 6 * 3600);
  o.time_zone = "Nowhere/Special";
  g_autoptr (GError) error = NULL;
  g_assert_null (sacct_text (text, &o, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                            "t.txt: unknown time zone \"Nowhere/Special\"");
}

static void
test_memory (void)
{
  const char *text = "JobID|Submit|Elapsed|ReqCPUS|ReqNodes|ReqMem|ReqTRES|AllocTRES\n"
                     "1|2024-01-01T00:00:00|00:01:00|4|1|4000M||\n"
                     "2|2024-01-01T00:00:00|00:01:00|4|1|2G||\n"
                     "3|2024-01-01T00:00:00|00:01:00|10|2|4000Mc||\n"
                     "4|2024-01-01T00:00:00|00:01:00|4|2|2Gn||\n"
                     "5|2024-01-01T00:00:00|00:01:00|4|2||cpu=4,mem=8G,node=2|\n"
                     "6|2024-01-01T00:00:00|00:01:00|4|3|0n||cpu=4,mem=10000M,node=3\n"
                     "7|2024-01-01T00:00:00|00:01:00|4|1|||\n";
  g_autoptr (GArray) jobs = read_text (text, NULL, NULL);
  static const guint64 want[] = { 4000, 2048, 20000, 2048, 4096, 3334, 0 };
  g_assert_cmpuint (jobs->len, ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < jobs->len; i++)
    g_assert_cmpuint (JOB (jobs, i)->spec.mem_per_node_mb, ==, want[i]);
  g_assert_cmpuint (JOB (jobs, 2)->spec.min_nodes, ==, 2);
  g_assert_cmpuint (JOB (jobs, 2)->spec.tasks, ==, 10);
}

static void
test_gpus (void)
{
  const char *text = "JobID|Submit|Elapsed|NCPUS|NNodes|ReqTRES|AllocTRES|ReqGRES|AllocGRES\n"
                     "1|2024-01-01T00:00:00|00:01:00|8|1|cpu=8,gres/gpu=4,node=1|||\n"
                     "2|2024-01-01T00:00:00|00:01:00|8|2||cpu=8,gres/gpu=4,node=2||\n"
                     "3|2024-01-01T00:00:00|00:01:00|8||cpu=8,gres/gpu:a100=8,gres/gpu:v100=8|"
                     "||\n"
                     "4|2024-01-01T00:00:00|00:01:00|8|1|cpu=8||gpu:a100:2|\n"
                     "5|2024-01-01T00:00:00|00:01:00|8|1|cpu=8|||gpu:2(IDX:0-1)\n"
                     "6|2024-01-01T00:00:00|00:01:00|8|3|cpu=8,gres/gpu=4,node=3|||\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  static const guint32 nodes[] = { 1, 2, 2, 1, 1, 3 }, each[] = { 4, 2, 8, 2, 2, 2 };
  g_assert_cmpuint (jobs->len, ==, G_N_ELEMENTS (nodes));
  for (guint i = 0; i < jobs->len; i++)
    {
      g_assert_cmpuint (JOB (jobs, i)->spec.min_nodes, ==, nodes[i]);
      g_assert_cmpuint (JOB (jobs, i)->spec.gpus_per_node, ==, each[i]);
    }
  g_assert_cmpuint (c.adjusted[WL_ADJ_GPUS_ROUNDED_UP], ==, 1);   /* 4 GPUs on 3 nodes */
}

static void
test_cputime (void)
{
  const char *text = "Submit|CPUTimeRAW|ReqCPUS|NCPUS|TimelimitRaw|State\n"
                     "2024-01-01T00:00:00|100|2||60|COMPLETED\n"
                     "2024-01-01T00:00:01|100|2|4|60|COMPLETED\n"
                     "2024-01-01T00:00:02|1000|1||1|TIMEOUT\n"
                     "2024-01-01T00:00:03|0|1||60|CANCELLED by 5\n"
                     "2024-01-01T00:00:04|7|2||60|FAILED\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  g_assert_cmpuint (jobs->len, ==, 4);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 50);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 25);    /* allocated CPUs first */
  g_assert_cmpint (JOB (jobs, 2)->runtime, ==, 60);    /* capped at the limit */
  g_assert_cmpint (JOB (jobs, 3)->runtime, ==, 4);     /* rounded up */
  g_assert_cmpuint (c.adjusted[WL_ADJ_RUNTIME_FROM_CPUTIME], ==, 4);
  g_assert_cmpuint (c.skipped[WL_SKIP_NO_RUNTIME], ==, 1);
}

/* ---- errors ----------------------------------------------------------------------------- */

static const char err_header[] = "JobID|Submit|Start|End|NCPUS|State|ReqMem|Timelimit|ReqTRES|"
                                 "ExitCode\n";

static const char *const err_rows[][2] = {
  { "1|yesterday|||1|COMPLETED||||\n",
    "t.txt:2: field Submit: expected a time (YYYY-MM-DDTHH:MM:SS), got \"yesterday\"" },
  { "1|2024-01-01T00:00:00|1\n", "t.txt:2: expected 10 fields as in the header, got 3" },
  { "1|2024-01-01T00:00:00|||1|WEIRD||||\n", "t.txt:2: field State: expected a job state" },
  { "1|2024-01-01T00:00:00|||1|COMPLETED|lots|||\n",
    "t.txt:2: field ReqMem: expected a memory size (4000M, 2G, 4000Mc, 2Gn), got \"lots\"" },
  { "1|2024-01-01T00:00:00|||1|COMPLETED||forever||\n",
    "t.txt:2: field Timelimit: expected a time limit" },
  { "1|2024-01-01T00:00:00|||x|COMPLETED||||\n",
    "t.txt:2: field NCPUS: expected a whole number, got \"x\"" },
  { "abc|2024-01-01T00:00:00|||1|COMPLETED||||\n",
    "t.txt:2: field JobID: expected a job id (123, 123_4, 123_[5-9], 123+0), got \"abc\"" },
  { "1|2024-01-01T00:00:00|||1|COMPLETED|||cpu|\n",
    "t.txt:2: field ReqTRES: expected a TRES list" },
  { "1|2024-01-01T00:00:00|2024-01-01T00:10:00|2024-01-01T00:05:00|1|COMPLETED||||\n",
    "t.txt:2: field End: expected an end time not before the start time" },
  { "1|2024-01-01T00:00:00|||1|COMPLETED||||x\n",
    "t.txt:2: field ExitCode: expected an exit code N:M, got \"x\"" },
  { "1|2024-01-01T00:00:00|soon||1|COMPLETED||||\n", "t.txt:2: field Start: expected a time" },
};

static void
test_errors_strict (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (err_rows); i++)
    {
      g_autofree char *text = g_strconcat (err_header, err_rows[i][0], NULL);
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.strict = TRUE;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = sacct_text (text, &o, &error);
      g_assert_no_error (error);
      g_autoptr (GError) e = wl_test_read_error (r);
      wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_MALFORMED, err_rows[i][1]);
    }
}

static void
test_errors_lenient (void)
{
  g_autoptr (GString) text = g_string_new (err_header);
  for (gsize i = 0; i < G_N_ELEMENTS (err_rows); i++)
    {
      g_string_append (text, err_rows[i][0]);
      /* a step after a malformed job line is swallowed, not an orphan */
      if (i == 0)
        g_string_append (text, "1.batch|2024-01-01T00:00:00|||1|COMPLETED||||\n");
    }
  g_string_append (text, "77|2024-01-01T00:00:00|2024-01-01T00:00:00|2024-01-01T00:01:00|"
                         "1|COMPLETED||||\n");
  g_autoptr (GPtrArray) msgs = g_ptr_array_new_with_free_func (g_free);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.warn_func = wl_test_collect_warning;
  o.warn_data = msgs;
  o.max_warnings = 100;
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text->str, &o, &c);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 77);
  g_assert_cmpuint (c.read, ==, G_N_ELEMENTS (err_rows) + 1);
  g_assert_cmpuint (c.skipped[WL_SKIP_MALFORMED], ==, G_N_ELEMENTS (err_rows));
  g_assert_cmpuint (c.skipped[WL_SKIP_ORPHAN_STEP], ==, 0);
  g_assert_cmpuint (msgs->len, ==, G_N_ELEMENTS (err_rows));
  g_assert_nonnull (strstr (msgs->pdata[1], "t.txt:4: expected 10 fields"));

  /* the header */
  static const char *const headers[][2] = {
    { "JobID|Elapsed|NCPUS\n", "t.txt:1: the header has no field for Submit" },
    { "JobID|Submit|Elapsed\n", "the header has no field for a size (ReqCPUS, NCPUS" },
    { "JobID|Submit|NCPUS|Start\n", "the header has no field for a run time (Elapsed" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_null (sacct_text (headers[i][0], NULL, &error));
      wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_UNSUPPORTED, headers[i][1]);
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (sacct_text ("\n\n", NULL, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                            "t.txt: empty file: no header line");
}

static void
test_sorting (void)
{
  /* sacct lists by job id; submit times may go back: sorted within the window */
  const char *text = "JobID|Submit|Elapsed|NCPUS\n"
                     "1|2024-01-01T00:00:30|00:01:00|1\n"
                     "2|2024-01-01T00:00:10|00:01:00|1\n"
                     "3|2024-01-01T00:00:20|00:01:00|1\n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 2);
  g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 3);
  g_assert_cmpuint (JOB (jobs, 2)->spec.id, ==, 1);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.sort_window = 1;
  g_autoptr (GArray) j2 = read_text (text, &o, &c);
  g_assert_cmpuint (JOB (j2, 0)->spec.id, ==, 1);
  g_assert_cmpuint (c.adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 2);
}

/* ---- the Kabre dump --------------------------------------------------------------------- */

static void
test_kabre (void)
{
  g_autofree char *dir = wl_test_shared_dir ("sacct");
  g_autofree char *path = dir != NULL
      ? g_build_filename (dir, "kabre-sacct-parsable2.txt.gz", NULL) : NULL;
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_test_skip ("shared traces not found (SLUICE_SHARED/traces/sacct)");
      return;
    }
  for (int strict = 0; strict <= 1; strict++)
    {
      g_autoptr (GPtrArray) msgs = g_ptr_array_new_with_free_func (g_free);
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.strict = strict;
      o.warn_func = wl_test_collect_warning;
      o.warn_data = msgs;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = wl_reader_open (path, NULL, &o, &error);   /* guessed */
      g_assert_no_error (error);
      g_autoptr (GArray) jobs = wl_test_read_all (r);
      const WlCounts *c = wl_reader_get_counts (r);
      /* README.md: 30,376 rows, all well formed; no JobID, Start, End or Elapsed, so the run
       * time is CPUTimeRAW / ReqCPUS: 958 rows have CPUTimeRAW 0 (never ran), among them
       * the 86 with a Partition_Limit; 2,473 estimates exceed the limit */
      g_assert_cmpuint (msgs->len, ==, 0);
      g_assert_cmpuint (c->read, ==, 30376);
      g_assert_cmpuint (c->kept, ==, 29418);
      g_assert_cmpuint (jobs->len, ==, 29418);
      g_assert_cmpuint (c->skipped[WL_SKIP_NO_RUNTIME], ==, 958);
      g_assert_cmpuint (c->skipped[WL_SKIP_MALFORMED], ==, 0);
      g_assert_cmpuint (c->adjusted[WL_ADJ_RUNTIME_FROM_CPUTIME], ==, 29418);
      g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 0);
      g_assert_cmpuint (c->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);
      guint states[SCHED_JOB_N_STATES] = { 0 };
      guint64 cpus = 0, mem = 0, at_limit = 0;
      SchedTime runtime = 0;
      guint32 max_nodes = 0;
      for (guint i = 0; i < jobs->len; i++)
        {
          const WlJob *w = JOB (jobs, i);
          states[w->end_state]++;
          cpus += w->spec.tasks;
          mem += w->spec.mem_per_node_mb;
          runtime += w->runtime;
          at_limit += w->runtime == w->spec.time_limit;
          max_nodes = MAX (max_nodes, w->spec.min_nodes);
          g_assert_cmpuint (w->spec.id, ==, w->line - 1);
          if (i > 0)
            g_assert_cmpint (JOB (jobs, i - 1)->spec.submit, <=, w->spec.submit);
        }
      g_assert_cmpuint (states[SCHED_JOB_FAILED], ==, 17749);
      g_assert_cmpuint (states[SCHED_JOB_COMPLETED], ==, 9164);
      g_assert_cmpuint (states[SCHED_JOB_CANCELLED], ==, 1633);
      g_assert_cmpuint (states[SCHED_JOB_TIMEOUT], ==, 872);
      g_assert_cmpuint (cpus, ==, 478612);
      g_assert_cmpuint (mem, ==, 914634219);
      g_assert_cmpint (runtime, ==, 534141764);
      g_assert_cmpuint (at_limit, ==, 2479);
      g_assert_cmpuint (max_nodes, ==, 18);
      g_assert_cmpint (JOB (jobs, 0)->spec.submit, ==, 1719232406);   /* 2024-06-24T12:33:26 */
      g_assert_cmpint (JOB (jobs, jobs->len - 1)->spec.submit, ==, 1735680181);
    }
}

/* ---- robustness ------------------------------------------------------------------------- */

static void
test_fuzz (void)
{
  g_test_summary ("Mutated dumps never crash the reader; lenient reads never fail and keep "
                  "the counts balanced; strict reads fail only with WL_ERROR.");
  for (guint iter = 0; iter < 2000; iter++)
    {
      g_autofree char *text = wl_test_mutate (full_dump, "|.\n\r0123456789_[]+-:TNMGcn abc");
      for (int strict = 0; strict <= 1; strict++)
        {
          WlReaderOptions o;
          wl_reader_options_init (&o);
          o.strict = strict;
          o.warn_func = wl_test_silent;
          g_autoptr (GError) error = NULL;
          g_autoptr (WlReader) r = sacct_text (text, &o, &error);
          wl_test_check_mutated (r, error, strict);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/sacct/full", test_full);
  g_test_add_func ("/wl/sacct/subsets-and-separators", test_subsets_and_separators);
  g_test_add_func ("/wl/sacct/steps-refine", test_steps_refine);
  g_test_add_func ("/wl/sacct/arrays-het", test_arrays_het);
  g_test_add_func ("/wl/sacct/states", test_states);
  g_test_add_func ("/wl/sacct/times", test_times);
  g_test_add_func ("/wl/sacct/memory", test_memory);
  g_test_add_func ("/wl/sacct/gpus", test_gpus);
  g_test_add_func ("/wl/sacct/cputime", test_cputime);
  g_test_add_func ("/wl/sacct/errors-strict", test_errors_strict);
  g_test_add_func ("/wl/sacct/errors-lenient", test_errors_lenient);
  g_test_add_func ("/wl/sacct/sorting", test_sorting);
  g_test_add_func ("/wl/sacct/fuzz", test_fuzz);
  g_test_add_func ("/wl/sacct/kabre", test_kabre);
  return g_test_run ();
}
