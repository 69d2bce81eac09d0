/* SPDX-License-Identifier: MIT */
/* tests/sim/test-deps.c - the simulator's eligibility layer (sim/elig.c): dependencies,
 * holds, begin times, array throttles and SWF think-time chains, each on a hand-worked
 * schedule, and a JSON scenario end to end through `sluice sim`.
 *
 * Unless said otherwise the machine is one node of 8 CPUs under easy, every job asks for
 * 1 CPU and a limit of 1000 s, and the numbers are (submit, start, end).  Jobs that wait
 * for something stay outside the core, as realnet/ctld-jobs.c keeps them, and enter it when
 * they become eligible, keeping their submit time.
 *
 * The end-to-end scenario, tests/data/deps.json (limits 200 s):
 *   1   4 CPUs, run 100                          0 -> 0..100
 *   2   afterok:1                                 -> 100..110 (1 COMPLETED at 100)
 *   3   afternotok:1                              -> never (DependencyNeverSatisfied)
 *   4   held                                      -> never (JobHeldUser)
 *   5   begin 500                                 -> 500..510
 *   6   after:1+1 (1 minute after 1 starts)       -> 60..70
 *   7   array 0-5%2, user 2, submit 1, run 100: at most 2 tasks at once:
 *       7000, 7001 -> 1..101; 7002, 7003 -> 101..201; 7004, 7005 -> 201..301
 *   8   user 3 "s", singleton, submit 2, run 50    -> 2..52
 *   9   user 3 "s", singleton, submit 3, run 50    -> 52..102 (8 runs until 52)
 *   10  afterany:7 (every task of array 7)        -> 301..311
 *   11  afterok:7_1?afterok:3 (either)            -> 101..111 (7001 COMPLETED at 101)
 *   12  user 5, submit 600, run 100, limit 50     -> 600..650 TIMEOUT
 *   13  afternotok:12, submit 600                 -> 650..660
 * The machine never holds more than 7 of its 8 CPUs (at 60: 1, 7000, 7001, 9, 6 = 8 CPUs
 * is the peak, exactly full), so every start above is the eligibility time.  jobs.csv lists
 * them in completion order, then 3 and 4 (never started); summary.json counts them under
 * "never_started". */
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/test-common.h"
#include "workloads/jsontrace.h"
#include "workloads/swf.h"

/* ---- helpers ---- */

typedef struct {
  GArray  *recs;            /* SchedJobRecord */
  SimStats stats;
  WlCounts counts;
} Replay;

static void
replay_clear (Replay *r)
{
  g_clear_pointer (&r->recs, g_array_unref);
}

static void
replay_reader (WlReader *reader, guint32 cpus, const char *policy_name,
               const SimOptions *opts, Replay *out)
{
  SchedPolicy policy;
  g_assert_true (sched_policy_lookup (policy_name, &policy));
  g_autoptr (SchedCluster) cluster = sched_cluster_new_uniform (1, cpus, 0, 0);
  g_autoptr (SimEngine) e = sim_engine_new (cluster, &policy, opts);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_autoptr (GError) error = NULL;
  gboolean ok = sim_engine_run (e, reader, test_collect, &c, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  out->recs = c.records;
  out->stats = *sim_engine_get_stats (e);
  out->counts = *wl_reader_get_counts (reader);
}

/* Replays JSON `text` on one node of `cpus` CPUs. */
static void
replay_json (const char *text, guint32 cpus, Replay *out)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (text, -1, NULL);
  g_autoptr (GError) error = NULL;
  WlReaderOptions ro;
  wl_reader_options_init (&ro);
  ro.strict = TRUE;
  g_autoptr (WlReader) r = wl_json_reader_new (in, "test.json", &ro, &error);
  g_assert_no_error (error);
  SimOptions so;
  sim_options_init (&so);
  so.track_jobs = TRUE;
  replay_reader (r, cpus, "easy", &so, out);
}

static const SchedJobRecord *
rec_of (const Replay *r, SchedJobId id)
{
  for (guint i = 0; i < r->recs->len; i++)
    {
      const SchedJobRecord *rec = &g_array_index (r->recs, SchedJobRecord, i);
      if (rec->id == id)
        return rec;
    }
  g_error ("no record for job %u", id);
  return NULL;
}

/* Job `id` was submitted at `submit`, started at `start` and ended at `end` in `state`. */
static void
assert_ran (const Replay *r, SchedJobId id, SchedTime submit, SchedTime start, SchedTime end,
            SchedJobState state)
{
  const SchedJobRecord *rec = rec_of (r, id);
  g_test_message ("job %u: submit %" G_GINT64_FORMAT " start %" G_GINT64_FORMAT " end %"
                  G_GINT64_FORMAT " %s", id, rec->submit, rec->start, rec->end,
                  sched_job_state_name (rec->state));
  g_assert_cmpint (rec->submit, ==, submit);
  g_assert_cmpint (rec->start, ==, start);
  g_assert_cmpint (rec->end, ==, end);
  g_assert_cmpint (rec->state, ==, state);
}

static void
assert_never (const Replay *r, SchedJobId id)
{
  const SchedJobRecord *rec = rec_of (r, id);
  g_assert_cmpint (rec->start, ==, SCHED_TIME_NEVER);
  g_assert_cmpint (rec->state, ==, SCHED_JOB_PENDING);
}

#define J(id, submit, run, more) \
  "{\"id\": " #id ", \"user\": 1, \"submit\": " #submit ", \"time_limit\": 1000, " \
  "\"runtime\": " #run more "}"

/* ---- one test per dependency type ---- */

/* afterok: 2 waits for 1 to complete; 3 waits on 4, which fails: never. */
static void
test_afterok (void)
{
  Replay r;
  replay_json ("[" J (1, 0, 100, ", \"ntasks\": 4") ","
               J (4, 0, 50, ", \"exit_code\": 1") ","
               J (2, 10, 10, ", \"dependency\": \"afterok:1\"") ","
               J (3, 20, 10, ", \"dependency\": \"afterok:4\"") "]", 8, &r);
  assert_ran (&r, 1, 0, 0, 100, SCHED_JOB_COMPLETED);
  assert_ran (&r, 4, 0, 0, 50, SCHED_JOB_FAILED);
  assert_ran (&r, 2, 10, 100, 110, SCHED_JOB_COMPLETED);
  assert_never (&r, 3);
  g_assert_cmpuint (r.stats.never_started, ==, 1);
  g_assert_cmpuint (r.stats.never_started_by_reason[SCHED_REASON_DEPENDENCY_NEVER], ==, 1);
  replay_clear (&r);
}

/* afternotok: FAILED and TIMEOUT satisfy it, COMPLETED never does. */
static void
test_afternotok (void)
{
  Replay r;
  replay_json ("[" J (1, 0, 100, ", \"exit_code\": 2") ","
               "{\"id\": 3, \"user\": 1, \"submit\": 0, \"time_limit\": 50, \"runtime\": 100},"
               J (5, 0, 30, "") ","
               J (2, 1, 10, ", \"dependency\": \"afternotok:1\"") ","
               J (4, 1, 10, ", \"dependency\": \"afternotok:3\"") ","
               J (6, 1, 10, ", \"dependency\": \"afternotok:5\"") "]", 8, &r);
  assert_ran (&r, 1, 0, 0, 100, SCHED_JOB_FAILED);
  assert_ran (&r, 3, 0, 0, 50, SCHED_JOB_TIMEOUT);
  assert_ran (&r, 5, 0, 0, 30, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 1, 100, 110, SCHED_JOB_COMPLETED);
  assert_ran (&r, 4, 1, 50, 60, SCHED_JOB_COMPLETED);
  assert_never (&r, 6);
  g_assert_cmpuint (r.stats.never_started_by_reason[SCHED_REASON_DEPENDENCY_NEVER], ==, 1);
  replay_clear (&r);
}

/* afterany: any end; a job not in the trace counts as satisfied. */
static void
test_afterany (void)
{
  Replay r;
  replay_json ("[{\"id\": 1, \"user\": 1, \"submit\": 0, \"time_limit\": 60, \"runtime\": 100},"
               J (3, 0, 40, "") ","
               J (2, 1, 10, ", \"dependency\": \"afterany:1\"") ","
               J (4, 1, 10, ", \"dependency\": \"afterany:3\"") ","
               J (5, 5, 10, ", \"dependency\": \"afterany:99\"") "]", 8, &r);
  assert_ran (&r, 1, 0, 0, 60, SCHED_JOB_TIMEOUT);
  assert_ran (&r, 3, 0, 0, 40, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 1, 60, 70, SCHED_JOB_COMPLETED);
  assert_ran (&r, 4, 1, 40, 50, SCHED_JOB_COMPLETED);
  assert_ran (&r, 5, 5, 5, 15, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (r.stats.never_started, ==, 0);
  replay_clear (&r);
}

/* after (+delay), on 16 CPUs: 1 (8 CPUs) runs 0..1000; 2 (12 CPUs) waits for it and runs
 * 1000..1100.  3 = after:1+2 goes 2 minutes after 1 started, at 120 (limit 100: it fits
 * beside 2's reservation); 4 = after:2 goes when 2 starts, at 1000, in a pass of its own
 * right after the one that started 2 (4 CPUs are left); 5 = after:2+1 at 1060. */
static void
test_after_delay (void)
{
  Replay r;
  replay_json ("[{\"id\": 1, \"user\": 1, \"submit\": 0, \"ntasks\": 8, \"time_limit\": 1000, \"runtime\": 1000},"
               "{\"id\": 2, \"user\": 1, \"submit\": 0, \"ntasks\": 12, \"time_limit\": 1000, \"runtime\": 100},"
               "{\"id\": 3, \"user\": 1, \"submit\": 0, \"time_limit\": 100, \"runtime\": 10, \"dependency\": \"after:1+2\"},"
               "{\"id\": 4, \"user\": 1, \"submit\": 0, \"time_limit\": 100, \"runtime\": 10, \"dependency\": \"after:2\"},"
               "{\"id\": 5, \"user\": 1, \"submit\": 0, \"time_limit\": 100, \"runtime\": 10, \"dependency\": \"after:2+1\"}]",
               16, &r);
  assert_ran (&r, 1, 0, 0, 1000, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 0, 1000, 1100, SCHED_JOB_COMPLETED);
  assert_ran (&r, 3, 0, 120, 130, SCHED_JOB_COMPLETED);
  assert_ran (&r, 4, 0, 1000, 1010, SCHED_JOB_COMPLETED);
  assert_ran (&r, 5, 0, 1060, 1070, SCHED_JOB_COMPLETED);
  replay_clear (&r);
}

/* singleton: user 1's jobs named "s" run one at a time, in submit order; 3 has the name
 * but no singleton dependency, so it starts at once, and 2 must wait for it too; other
 * users and other names are not held back. */
static void
test_singleton (void)
{
  Replay r;
  replay_json ("[" J (1, 0, 50, ", \"name\": \"s\", \"dependency\": \"singleton\"") ","
               J (2, 1, 50, ", \"name\": \"s\", \"dependency\": \"singleton\"") ","
               "{\"id\": 4, \"user\": 4, \"name\": \"s\", \"submit\": 1, \"time_limit\": 1000, \"runtime\": 50, \"dependency\": \"singleton\"},"
               J (3, 2, 50, ", \"name\": \"s\"") ","
               J (5, 3, 50, ", \"name\": \"t\", \"dependency\": \"singleton\"") "]", 8, &r);
  assert_ran (&r, 1, 0, 0, 50, SCHED_JOB_COMPLETED);
  assert_ran (&r, 4, 1, 1, 51, SCHED_JOB_COMPLETED);
  assert_ran (&r, 3, 2, 2, 52, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 1, 52, 102, SCHED_JOB_COMPLETED);
  assert_ran (&r, 5, 3, 3, 53, SCHED_JOB_COMPLETED);
  replay_clear (&r);
}

/* '?': any one term.  3 goes when 2 completes (100); 5 (afterok:4?afterok:1) cannot use
 * 4 (failed at 50) and goes when 1 completes (300); 6 (afterok:4?afternotok:2) loses its
 * last chance when 2 completes: never. */
static void
test_any (void)
{
  Replay r;
  replay_json ("[" J (1, 0, 300, "") "," J (2, 0, 100, "") ","
               J (4, 0, 50, ", \"exit_code\": 1") ","
               J (3, 1, 10, ", \"dependency\": \"afterok:1?afterok:2\"") ","
               J (5, 1, 10, ", \"dependency\": \"afterok:4?afterok:1\"") ","
               J (6, 1, 10, ", \"dependency\": \"afterok:4?afternotok:2\"") "]", 8, &r);
  assert_ran (&r, 3, 1, 100, 110, SCHED_JOB_COMPLETED);
  assert_ran (&r, 5, 1, 300, 310, SCHED_JOB_COMPLETED);
  assert_never (&r, 6);
  g_assert_cmpuint (r.stats.never_started_by_reason[SCHED_REASON_DEPENDENCY_NEVER], ==, 1);
  replay_clear (&r);
}

/* hold: a held job never becomes eligible (a trace has no release), nor does a job that
 * waits for it to end; both are reported as never started, with their reasons. */
static void
test_hold (void)
{
  Replay r;
  replay_json ("[" J (1, 0, 10, ", \"hold\": true") "," J (2, 0, 10, "") ","
               J (3, 5, 10, ", \"dependency\": \"afterany:1\"") "]", 8, &r);
  assert_never (&r, 1);
  assert_ran (&r, 2, 0, 0, 10, SCHED_JOB_COMPLETED);
  assert_never (&r, 3);
  g_assert_cmpuint (r.stats.never_started, ==, 2);
  g_assert_cmpuint (r.stats.never_started_by_reason[SCHED_REASON_HELD_USER], ==, 1);
  g_assert_cmpuint (r.stats.never_started_by_reason[SCHED_REASON_DEPENDENCY], ==, 1);
  replay_clear (&r);
}

/* begin: not before the begin time ("now+60" is 60 s after the submission); a begin time
 * already past does nothing. */
static void
test_begin (void)
{
  Replay r;
  replay_json ("[" J (1, 0, 10, ", \"begin\": 500") ","
               J (2, 0, 10, ", \"begin\": \"now+60\"") ","
               J (3, 10, 10, ", \"begin\": 0") "]", 8, &r);
  assert_ran (&r, 1, 0, 500, 510, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 0, 60, 70, SCHED_JOB_COMPLETED);
  assert_ran (&r, 3, 10, 10, 20, SCHED_JOB_COMPLETED);
  replay_clear (&r);
}

/* The most jobs of `recs` (ids lo .. hi) running at once. */
static guint
max_concurrent (const Replay *r, SchedJobId lo, SchedJobId hi)
{
  guint best = 0;
  for (guint i = 0; i < r->recs->len; i++)
    {
      const SchedJobRecord *a = &g_array_index (r->recs, SchedJobRecord, i);
      if (a->id < lo || a->id > hi || a->start == SCHED_TIME_NEVER)
        continue;
      guint n = 0;   /* running at a's start */
      for (guint k = 0; k < r->recs->len; k++)
        {
          const SchedJobRecord *b = &g_array_index (r->recs, SchedJobRecord, k);
          if (b->id >= lo && b->id <= hi && b->start != SCHED_TIME_NEVER
              && b->start <= a->start && a->start < b->end)
            n++;
        }
      best = MAX (best, n);
    }
  return best;
}

/* %2 on 6 tasks: two at a time, in index order; a dependency on one task ("7_1") and on
 * the whole array ("7"). */
static void
test_array_throttle (void)
{
  Replay r;
  replay_json ("[" J (7, 0, 100, ", \"array\": \"0-5%2\"") ","
               J (1, 1, 10, ", \"dependency\": \"afterok:7_1\"") ","
               J (2, 1, 10, ", \"dependency\": \"afterok:7\"") "]", 8, &r);
  for (guint t = 0; t < 6; t++)
    assert_ran (&r, 7000 + t, 0, (t / 2) * 100, (t / 2) * 100 + 100, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (max_concurrent (&r, 7000, 7005), ==, 2);
  assert_ran (&r, 1, 1, 100, 110, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 1, 300, 310, SCHED_JOB_COMPLETED);
  replay_clear (&r);

  /* without the throttle all six run at once */
  replay_json ("[" J (7, 0, 100, ", \"array\": \"0-5\"") "]", 8, &r);
  g_assert_cmpuint (max_concurrent (&r, 7000, 7005), ==, 6);
  replay_clear (&r);
}

/* ---- SWF think-time chains ---- */

/* 8 CPUs, fcfs.  1 runs 0..100 (4 CPUs); 4 (8 CPUs, logged at 100; its preceding job 77 is
 * not in the trace) runs 100..110.  With the option: 2 follows 1 with a think time of 30:
 * submitted at 130, runs 130..180; 3 follows 2 with a think time of -1 (unknown: 0):
 * 180..190.  6 (logged at 10000, no
 * predecessor) runs 10000..10010; 5 follows 4 by 10, which gives 120, but 5 is only read
 * when 6 arrives (the reader reads one independent record ahead of the clock): submitted
 * at 10000 (counted submit_reordered), 10000..10010.  Without the option every job goes
 * at its logged time. */
static const char swf_chain[] =
  "; MaxProcs: 8\n"
  "1     0 0 100 4 -1 -1 4 200 -1 1 1 1 -1 -1 -1 -1 -1\n"
  "4   100 0  10 8 -1 -1 8 200 -1 1 2 1 -1 -1 -1 77 5\n"
  "2  5000 0  50 4 -1 -1 4 200 -1 1 1 1 -1 -1 -1 1 30\n"
  "3  9000 0  10 2 -1 -1 2 200 -1 1 1 1 -1 -1 -1 2 -1\n"
  "6 10000 0  10 1 -1 -1 1 200 -1 1 3 1 -1 -1 -1 -1 -1\n"
  "5 20000 0  10 1 -1 -1 1 200 -1 1 2 1 -1 -1 -1 4 10\n";

static void
replay_swf (gboolean deps, Replay *out)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (swf_chain, -1, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_swf_reader_new (in, "chain.swf", NULL, &error);
  g_assert_no_error (error);
  SimOptions so;
  sim_options_init (&so);
  so.swf_dependencies = deps;
  replay_reader (r, 8, "fcfs", &so, out);
}

static void
test_swf_fields (void)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (swf_chain, -1, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_swf_reader_new (in, "chain.swf", NULL, &error);
  g_assert_no_error (error);
  static const SchedJobId want_prec[] = { 0, 77, 1, 2, 0, 4 };
  static const SchedTime want_think[] = { 0, 5, 30, 0, 0, 10 };
  for (guint i = 0; i < G_N_ELEMENTS (want_prec); i++)
    {
      WlJob w;
      gboolean eof = TRUE;
      g_assert_true (wl_reader_next (r, &w, &eof, &error));
      g_assert_false (eof);
      g_assert_cmpuint (w.preceding, ==, want_prec[i]);
      g_assert_cmpint (w.think_time, ==, want_think[i]);
    }
}

static void
test_swf_think_time (void)
{
  Replay r;
  replay_swf (TRUE, &r);
  assert_ran (&r, 1, 0, 0, 100, SCHED_JOB_COMPLETED);
  assert_ran (&r, 4, 100, 100, 110, SCHED_JOB_COMPLETED);
  assert_ran (&r, 2, 130, 130, 180, SCHED_JOB_COMPLETED);
  assert_ran (&r, 3, 180, 180, 190, SCHED_JOB_COMPLETED);
  assert_ran (&r, 6, 10000, 10000, 10010, SCHED_JOB_COMPLETED);
  assert_ran (&r, 5, 10000, 10000, 10010, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (r.counts.adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 1);
  g_assert_cmpuint (r.stats.never_started, ==, 0);
  replay_clear (&r);

  replay_swf (FALSE, &r);
  assert_ran (&r, 2, 5000, 5000, 5050, SCHED_JOB_COMPLETED);
  assert_ran (&r, 3, 9000, 9000, 9010, SCHED_JOB_COMPLETED);
  assert_ran (&r, 5, 20000, 20000, 20010, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (r.counts.adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);
  replay_clear (&r);
}

/* Same inputs, same records (byte for byte), twice. */
static void
test_deterministic (void)
{
  const char *text = "[" J (7, 0, 100, ", \"array\": \"0-9%3\"") ","
                     J (1, 0, 70, ", \"name\": \"s\", \"dependency\": \"singleton\"") ","
                     J (2, 0, 70, ", \"name\": \"s\", \"dependency\": \"singleton,afterany:7\"") ","
                     J (3, 0, 10, ", \"dependency\": \"after:7_4+1?afterok:1\"") "]";
  Replay a, b;
  replay_json (text, 4, &a);
  replay_json (text, 4, &b);
  g_assert_cmpuint (a.recs->len, ==, b.recs->len);
  g_assert_cmpint (memcmp (a.recs->data, b.recs->data, a.recs->len * sizeof (SchedJobRecord)),
                   ==, 0);
  g_assert_cmpuint (max_concurrent (&a, 7000, 7009), <=, 3);
  replay_clear (&a);
  replay_clear (&b);
}

/* ---- end to end ---- */

static char *
read_text (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_cli (void)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  if (bin == NULL)
    {
      g_test_skip ("SLUICE_BIN is not set (run through meson test)");
      return;
    }
  g_autofree char *trace = g_test_build_filename (G_TEST_DIST, "data", "deps.json", NULL);
  g_autofree char *expected = g_test_build_filename (G_TEST_DIST, "data", "expected",
                                                     "deps-easy.csv", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-test-deps-XXXXXX", &error);
  g_assert_no_error (error);
  const char *argv[] = { bin, "sim", "--trace", trace, "--policy", "easy", "--out", dir,
                         "--quiet", NULL };
  g_autofree char *out = NULL, *err = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("stderr:\n%s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_autofree char *csv = g_build_filename (dir, "jobs.csv", NULL);
  g_autofree char *want = read_text (expected);
  g_autofree char *got = read_text (csv);
  if (strcmp (want, got) != 0)
    g_test_message ("expected:\n%s\ngot:\n%s", want, got);
  g_assert_cmpstr (got, ==, want);

  g_autofree char *sum = g_build_filename (dir, "summary.json", NULL);
  json_error_t jerr;
  json_t *root = json_load_file (sum, 0, &jerr);
  g_assert_nonnull (root);
  json_t *ns = json_object_get (root, "never_started");
  g_assert_nonnull (ns);
  g_assert_cmpint (json_integer_value (json_object_get (ns, "jobs")), ==, 2);
  json_t *reasons = json_object_get (ns, "reasons");
  g_assert_cmpint (json_integer_value (json_object_get (reasons, "DependencyNeverSatisfied")),
                   ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (reasons, "JobHeldUser")), ==, 1);
  g_assert_cmpuint (json_object_size (reasons), ==, 2);
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (root, "states"),
                                                        "PENDING")), ==, 2);
  json_decref (root);

  g_unlink (csv);
  g_unlink (sum);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/deps/afterok", test_afterok);
  g_test_add_func ("/sim/deps/afternotok", test_afternotok);
  g_test_add_func ("/sim/deps/afterany", test_afterany);
  g_test_add_func ("/sim/deps/after-delay", test_after_delay);
  g_test_add_func ("/sim/deps/singleton", test_singleton);
  g_test_add_func ("/sim/deps/any", test_any);
  g_test_add_func ("/sim/deps/hold", test_hold);
  g_test_add_func ("/sim/deps/begin", test_begin);
  g_test_add_func ("/sim/deps/array-throttle", test_array_throttle);
  g_test_add_func ("/sim/deps/swf-fields", test_swf_fields);
  g_test_add_func ("/sim/deps/swf-think-time", test_swf_think_time);
  g_test_add_func ("/sim/deps/deterministic", test_deterministic);
  g_test_add_func ("/sim/deps/cli", test_cli);
  return g_test_run ();
}
