/* SPDX-License-Identifier: MIT */
/* tests/analysis/test-metrics.c - metrics and report outputs of analysis/.
 *
 * Every metric is checked on small hand-computed examples (the arithmetic is in the comments),
 * percentiles on 1..100 against gsl's interpolation, never-started jobs and empty input (all
 * zero, never NaN), and the outputs byte for byte: jobs.csv rows, summary.json in key order,
 * and the compare table.  The summary table is checked for the numbers it must contain. */
#include <math.h>
#include <string.h>

#include "analysis/metrics.h"
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "analysis/report.h"

#define EPS 1e-9

static SchedJobRecord
job (SchedJobId id, SchedTime submit, SchedTime start, SchedTime end, guint32 cpus,
     SchedJobState state)
{
  SchedJobRecord r = {
    .id = id,
    .user = 1000 + id % 3,
    .group = 100,
    .submit = submit,
    .start = start,
    .end = end,
    .state = state,
    .cpus = cpus,
    .gpus = 0,
    .nodes = 1,
    .time_limit = 3600,
    .runtime = start == SCHED_TIME_NEVER ? 0 : end - start,
  };
  return r;
}

/* Summary of the `n` records, on a machine of `capacity` CPUs with threshold `tau`. */
static void
summarize (const SchedJobRecord *recs, guint n, guint64 capacity, double tau, AnaSummary *out)
{
  g_autoptr (AnaMetrics) m = ana_metrics_new (capacity, tau);
  for (guint i = 0; i < n; i++)
    ana_metrics_add (m, &recs[i]);
  ana_metrics_summarize (m, out);
}

/* Summary of one job that waited `wait` s and ran `run` s. */
static void
one_job (SchedTime wait, SchedTime run, double tau, AnaSummary *out)
{
  SchedJobRecord r = job (1, 1000, 1000 + wait, 1000 + wait + run, 1, SCHED_JOB_COMPLETED);
  summarize (&r, 1, 1, tau, out);
}

static void
assert_stat (const AnaStat *st, double mean, double p50, double p95, double max)
{
  g_assert_cmpfloat_with_epsilon (st->mean, mean, EPS);
  g_assert_cmpfloat_with_epsilon (st->p50, p50, EPS);
  g_assert_cmpfloat_with_epsilon (st->p95, p95, EPS);
  g_assert_cmpfloat_with_epsilon (st->max, max, EPS);
}

static void
assert_stat_zero (const AnaStat *st)
{
  g_assert_false (isnan (st->mean) || isnan (st->p50) || isnan (st->p95) || isnan (st->max));
  assert_stat (st, 0, 0, 0, 0);
}

/* Three jobs: waits 10, 0, 30; responses 110, 20, 31. */
static const SchedJobRecord three[] = {
  { .id = 1, .submit = 0, .start = 10, .end = 110, .state = SCHED_JOB_COMPLETED, .cpus = 1 },
  { .id = 2, .submit = 5, .start = 5, .end = 25, .state = SCHED_JOB_COMPLETED, .cpus = 1 },
  { .id = 3, .submit = 100, .start = 130, .end = 131, .state = SCHED_JOB_TIMEOUT, .cpus = 1 },
};

static void
test_wait (void)
{
  AnaSummary s;
  summarize (three, G_N_ELEMENTS (three), 1, 10, &s);
  /* sorted 0 10 30: mean 40/3; p50 10; p95 at index 0.95 * 2 = 1.9: 10 + 0.9 * 20 = 28. */
  assert_stat (&s.wait_s, 40.0 / 3, 10, 28, 30);
  g_assert_cmpuint (s.jobs, ==, 3);
  g_assert_cmpuint (s.jobs_started, ==, 3);
}

static void
test_response (void)
{
  AnaSummary s;
  summarize (three, G_N_ELEMENTS (three), 1, 10, &s);
  /* sorted 20 31 110: mean 161/3; p50 31; p95 31 + 0.9 * 79 = 102.1. */
  assert_stat (&s.response_s, 161.0 / 3, 31, 102.1, 110);
}

static void
test_slowdown (void)
{
  AnaSummary s;

  one_job (10, 100, 10, &s);   /* 110 / 100 */
  g_assert_cmpfloat_with_epsilon (s.slowdown.mean, 1.1, EPS);
  one_job (0, 20, 10, &s);     /* 20 / 20 */
  g_assert_cmpfloat_with_epsilon (s.slowdown.mean, 1.0, EPS);
  one_job (30, 1, 10, &s);     /* 31 / 1 */
  g_assert_cmpfloat_with_epsilon (s.slowdown.mean, 31.0, EPS);
  one_job (5, 0, 10, &s);      /* 0 s run counts as 1 s: 5 / 1 */
  g_assert_cmpfloat_with_epsilon (s.slowdown.mean, 5.0, EPS);
  one_job (0, 0, 10, &s);      /* 0 s run, no wait: 1, not 0 */
  g_assert_cmpfloat_with_epsilon (s.slowdown.mean, 1.0, EPS);

  /* Together: 1.1 1 31 5 1 -> sorted 1 1 1.1 5 31, mean 39.1 / 5, p50 1.1,
   * p95 at index 3.8: 5 + 0.8 * 26 = 25.8. */
  SchedJobRecord r[] = {
    job (1, 0, 10, 110, 1, SCHED_JOB_COMPLETED), job (2, 0, 0, 20, 1, SCHED_JOB_COMPLETED),
    job (3, 0, 30, 31, 1, SCHED_JOB_COMPLETED),  job (4, 0, 5, 5, 1, SCHED_JOB_COMPLETED),
    job (5, 0, 0, 0, 1, SCHED_JOB_COMPLETED),
  };
  summarize (r, G_N_ELEMENTS (r), 1, 10, &s);
  assert_stat (&s.slowdown, 39.1 / 5, 1.1, 25.8, 31);
}

static void
test_bounded_slowdown (void)
{
  AnaSummary s;

  one_job (10, 100, 10, &s);   /* run above tau: 110 / 100 */
  g_assert_cmpfloat_with_epsilon (s.bounded_slowdown.mean, 1.1, EPS);
  one_job (28, 2, 10, &s);     /* run below tau: 30 / 10 (plain slowdown is 15) */
  g_assert_cmpfloat_with_epsilon (s.bounded_slowdown.mean, 3.0, EPS);
  g_assert_cmpfloat_with_epsilon (s.slowdown.mean, 15.0, EPS);
  one_job (3, 2, 10, &s);      /* 5 / 10 = 0.5, bounded below by 1 */
  g_assert_cmpfloat_with_epsilon (s.bounded_slowdown.mean, 1.0, EPS);
  one_job (0, 0, 10, &s);      /* 0 / 10, bounded below by 1 */
  g_assert_cmpfloat_with_epsilon (s.bounded_slowdown.mean, 1.0, EPS);
  one_job (90, 30, 60, &s);    /* tau 60: 120 / 60 */
  g_assert_cmpfloat_with_epsilon (s.bounded_slowdown.mean, 2.0, EPS);
  g_assert_cmpfloat_with_epsilon (s.tau_s, 60.0, EPS);
  one_job (90, 30, 10, &s);    /* tau 10: 120 / 30 */
  g_assert_cmpfloat_with_epsilon (s.bounded_slowdown.mean, 4.0, EPS);
}

static void
test_utilization (void)
{
  /* 4 CPUs x 100 s + 10 CPUs x 100 s = 1400 CPU-s over 10 CPUs x 200 s = 0.7. */
  SchedJobRecord r[] = {
    job (1, 0, 0, 100, 4, SCHED_JOB_COMPLETED),
    job (2, 50, 100, 200, 10, SCHED_JOB_COMPLETED),
  };
  AnaSummary s;
  summarize (r, G_N_ELEMENTS (r), 10, 10, &s);
  g_assert_cmpfloat_with_epsilon (s.cpu_seconds, 1400, EPS);
  g_assert_cmpint (s.makespan_s, ==, 200);
  g_assert_cmpfloat_with_epsilon (s.utilization, 0.7, EPS);

  summarize (r, G_N_ELEMENTS (r), 0, 10, &s);   /* no capacity: 0, not inf */
  g_assert_cmpfloat (s.utilization, ==, 0);
}

static void
test_makespan (void)
{
  /* Added out of order; a job cancelled while pending at 900 still ends the run. */
  SchedJobRecord r[] = {
    job (1, 500, 520, 700, 1, SCHED_JOB_COMPLETED),
    job (2, 300, 300, 400, 1, SCHED_JOB_COMPLETED),
    job (3, 600, SCHED_TIME_NEVER, 900, 1, SCHED_JOB_CANCELLED),
    job (4, 450, 460, 800, 1, SCHED_JOB_FAILED),
  };
  AnaSummary s;
  summarize (r, G_N_ELEMENTS (r), 1, 10, &s);
  g_assert_cmpint (s.first_submit, ==, 300);
  g_assert_cmpint (s.last_end, ==, 900);
  g_assert_cmpint (s.makespan_s, ==, 600);

  summarize (r, 2, 1, 10, &s);   /* jobs 1, 2: 300 .. 700 */
  g_assert_cmpint (s.makespan_s, ==, 400);
}

static void
test_percentiles (void)
{
  /* Waits 1..100 added in a scrambled order (37 is coprime with 100). */
  SchedJobRecord r[100];
  for (guint i = 0; i < 100; i++)
    {
      SchedTime w = (SchedTime) (i * 37 % 100) + 1;
      r[i] = job (i + 1, 0, w, w + 1000, 1, SCHED_JOB_COMPLETED);
    }
  AnaSummary s;
  summarize (r, 100, 1, 10, &s);
  /* gsl: index f * (n - 1): p50 at 49.5 -> 50.5; p95 at 94.05 -> 95 + 0.05 = 95.05. */
  assert_stat (&s.wait_s, 50.5, 50.5, 95.05, 100);
}

static void
test_never_started (void)
{
  SchedJobRecord r[] = {
    job (1, 0, SCHED_TIME_NEVER, SCHED_TIME_NEVER, 4, SCHED_JOB_PENDING),
    job (2, 10, SCHED_TIME_NEVER, 50, 4, SCHED_JOB_CANCELLED),
  };
  AnaSummary s;
  summarize (r, G_N_ELEMENTS (r), 8, 10, &s);
  g_assert_cmpuint (s.jobs, ==, 2);
  g_assert_cmpuint (s.jobs_started, ==, 0);
  g_assert_cmpuint (s.by_state[SCHED_JOB_PENDING], ==, 1);
  g_assert_cmpuint (s.by_state[SCHED_JOB_CANCELLED], ==, 1);
  g_assert_cmpint (s.makespan_s, ==, 50);
  g_assert_cmpfloat (s.cpu_seconds, ==, 0);
  g_assert_cmpfloat (s.utilization, ==, 0);
  assert_stat_zero (&s.wait_s);
  assert_stat_zero (&s.response_s);
  assert_stat_zero (&s.slowdown);
  assert_stat_zero (&s.bounded_slowdown);

  /* Mixed with one that ran (wait 20, run 30): only that one is in the distributions. */
  SchedJobRecord mixed[] = { r[0], r[1], job (3, 0, 20, 50, 2, SCHED_JOB_COMPLETED) };
  summarize (mixed, G_N_ELEMENTS (mixed), 8, 10, &s);
  g_assert_cmpuint (s.jobs, ==, 3);
  g_assert_cmpuint (s.jobs_started, ==, 1);
  assert_stat (&s.wait_s, 20, 20, 20, 20);
  g_assert_cmpfloat_with_epsilon (s.utilization, 60.0 / (8 * 50), EPS);
}

static void
test_empty (void)
{
  AnaSummary s;
  summarize (NULL, 0, 128, 10, &s);
  g_assert_cmpuint (s.jobs, ==, 0);
  g_assert_cmpuint (s.jobs_started, ==, 0);
  g_assert_cmpint (s.first_submit, ==, 0);
  g_assert_cmpint (s.last_end, ==, 0);
  g_assert_cmpint (s.makespan_s, ==, 0);
  g_assert_cmpfloat (s.utilization, ==, 0);
  g_assert_false (isnan (s.utilization));
  g_assert_cmpfloat (s.cpu_seconds, ==, 0);
  assert_stat_zero (&s.wait_s);
  assert_stat_zero (&s.response_s);
  assert_stat_zero (&s.slowdown);
  assert_stat_zero (&s.bounded_slowdown);
  for (guint i = 0; i < SCHED_JOB_N_STATES; i++)
    g_assert_cmpuint (s.by_state[i], ==, 0);
}

static void
test_states (void)
{
  AnaSummary s;
  summarize (three, G_N_ELEMENTS (three), 1, 10, &s);
  g_assert_cmpuint (s.by_state[SCHED_JOB_COMPLETED], ==, 2);
  g_assert_cmpuint (s.by_state[SCHED_JOB_TIMEOUT], ==, 1);
  g_assert_cmpuint (s.by_state[SCHED_JOB_FAILED], ==, 0);
}

/* The summary does not depend on the order of ana_metrics_add, and summarizing twice (with
 * adds in between) is the same as summarizing once at the end. */
static void
test_order_and_resummarize (void)
{
  SchedJobRecord r[50];
  for (guint i = 0; i < 50; i++)
    r[i] = job (i, i * 7 % 13, 20 + i * 11 % 17, 40 + i * 29 % 31, 1 + i % 3,
                SCHED_JOB_COMPLETED);

  AnaSummary a, b;
  summarize (r, 50, 4, 10, &a);

  g_autoptr (AnaMetrics) m = ana_metrics_new (4, 10);
  for (guint i = 50; i-- > 25;)
    ana_metrics_add (m, &r[i]);
  ana_metrics_summarize (m, &b);
  g_assert_cmpuint (b.jobs, ==, 25);
  for (guint i = 25; i-- > 0;)
    ana_metrics_add (m, &r[i]);
  ana_metrics_summarize (m, &b);

  g_assert_true (memcmp (&a.wait_s, &b.wait_s, sizeof a.wait_s) == 0);
  g_assert_true (memcmp (&a.response_s, &b.response_s, sizeof a.response_s) == 0);
  g_assert_true (memcmp (&a.slowdown, &b.slowdown, sizeof a.slowdown) == 0);
  g_assert_true (memcmp (&a.bounded_slowdown, &b.bounded_slowdown, sizeof a.slowdown) == 0);
  g_assert_cmpfloat (a.utilization, ==, b.utilization);
  g_assert_cmpint (a.makespan_s, ==, b.makespan_s);
  g_assert_cmpuint (a.jobs, ==, b.jobs);
}

static void
test_bad_tau (void)
{
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*tau_s > 0*");
  AnaMetrics *m = ana_metrics_new (1, 0);
  g_test_assert_expected_messages ();
  g_assert_null (m);
}

/* ---- jobs.csv -------------------------------------------------------------------------- */

/* Returns (transfer full) what `write` wrote to a memory stream. */
static char *
capture_csv (const SchedJobRecord *recs, guint n, gboolean header)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  g_assert_nonnull (f);
  if (header)
    ana_jobs_csv_header (f);
  for (guint i = 0; i < n; i++)
    ana_jobs_csv_row (f, &recs[i]);
  fclose (f);
  char *out = g_strndup (buf, len);
  free (buf);
  return out;
}

static void
test_csv_header (void)
{
  g_autofree char *out = capture_csv (NULL, 0, TRUE);
  g_assert_cmpstr (out, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,"
                   "runtime\n");
}

static void
test_csv_rows (void)
{
  SchedJobRecord r[] = {
    job (1, 0, 10, 110, 4, SCHED_JOB_COMPLETED),
    job (2, 100, SCHED_TIME_NEVER, SCHED_TIME_NEVER, 8, SCHED_JOB_CANCELLED),
    job (3, 5, 5, 5, 1, SCHED_JOB_FAILED),
    {
      .id = G_MAXUINT32, .user = 4294967294u, .group = 0, .submit = -86400,
      .start = 1234567890123, .end = 1234567899999, .state = SCHED_JOB_TIMEOUT,
      .cpus = 1000000, .gpus = 8, .nodes = 12345, .time_limit = 9876, .runtime = 9876,
    },
    job (5, 90, 99, 100, 100, SCHED_JOB_NODE_FAIL),
  };
  r[2].gpus = 2;
  r[4].time_limit = SCHED_TIME_NEVER;   /* no limit: empty */
  g_autofree char *out = capture_csv (r, G_N_ELEMENTS (r), TRUE);
  g_assert_cmpstr (out, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,"
                   "runtime\n"
                   "1,1001,100,0,10,110,10,COMPLETED,4,0,1,3600,100\n"
                   "2,1002,100,100,,,,CANCELLED,8,0,1,3600,0\n"
                   "3,1000,100,5,5,5,0,FAILED,1,2,1,3600,0\n"
                   "4294967295,4294967294,0,-86400,1234567890123,1234567899999,"
                   "1234567976523,TIMEOUT,1000000,8,12345,9876,9876\n"
                   "5,1002,100,90,99,100,9,NODE_FAIL,100,0,1,,1\n");
}

static void
test_csv_numbers (void)
{
  /* Every digit count and the two-digit table, against printf. */
  static const SchedTime values[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 12345,
                                      99999, 100000, 1000000007, G_MAXINT64 - 1,
                                      -1, -10, -99, -100, G_MININT64 };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      SchedJobRecord r = job (7, values[i], SCHED_TIME_NEVER, SCHED_TIME_NEVER, 1,
                              SCHED_JOB_PENDING);
      r.runtime = values[i];
      g_autofree char *out = capture_csv (&r, 1, FALSE);
      g_autofree char *want = g_strdup_printf (
          "7,1001,100,%" G_GINT64_FORMAT ",,,,PENDING,1,0,1,3600,%" G_GINT64_FORMAT "\n",
          (gint64) values[i], (gint64) values[i]);
      g_assert_cmpstr (out, ==, want);
    }
}

/* ---- summary.json and tables ----------------------------------------------------------- */

static const char *const skip_names[] = { "malformed", "no_runtime" };
static const guint64 skip_counts[] = { 3, 1 };
static const char *const adjust_names[] = { "time_limit_raised" };
static const guint64 adjust_counts[] = { 2 };

static AnaRunInfo
run_info (const char *policy, double wall_s)
{
  AnaRunInfo run = {
    .policy = policy,
    .trace = "tiny.swf",
    .wall_s = wall_s,
    .speedup = 123456.78,
    .peak_rss_kb = 2048,
    .events = 9,
    .passes = 4,
    .skip_names = skip_names,
    .skip_counts = skip_counts,
    .n_skip = 2,
    .adjust_names = adjust_names,
    .adjust_counts = adjust_counts,
    .n_adjust = 1,
  };
  return run;
}

static void
test_json (void)
{
  /* three[] on 3 CPUs: makespan 131 - 0; CPU-s 100 + 20 + 1 = 121; utilization 121 / 393
   * = 0.307888...; slowdowns 1.1, 1, 31; bounded 1.1, 1, 3.1 (31 / 10). */
  AnaSummary s;
  summarize (three, G_N_ELEMENTS (three), 3, 10, &s);
  AnaRunInfo run = run_info ("easy", 0.002);

  json_t *o = ana_summary_to_json (&s, &run);
  g_autofree char *text = json_dumps (o, ANA_JSON_DUMP_FLAGS | JSON_COMPACT);
  json_decref (o);
  g_assert_cmpstr (text, ==,
                   "{\"policy\":\"easy\",\"trace\":\"tiny.swf\",\"jobs\":3,"
                   "\"skipped\":{\"malformed\":3,\"no_runtime\":1},"
                   "\"adjusted\":{\"time_limit_raised\":2},"
                   "\"makespan_s\":131,\"utilization\":0.307888,"
                   "\"wait_s\":{\"mean\":13.333,\"p50\":10.0,\"p95\":28.0,\"max\":30.0},"
                   "\"response_s\":{\"mean\":53.667,\"p50\":31.0,\"p95\":102.1,\"max\":110.0},"
                   "\"slowdown\":{\"mean\":11.033,\"p50\":1.1,\"p95\":28.01,\"max\":31.0},"
                   "\"bounded_slowdown\":{\"mean\":1.733,\"p50\":1.1,\"p95\":2.9,\"max\":3.1},"
                   "\"tau_s\":10.0,"
                   "\"states\":{\"PENDING\":0,\"RUNNING\":0,\"COMPLETED\":2,\"FAILED\":0,"
                   "\"CANCELLED\":0,\"TIMEOUT\":1,\"NODE_FAIL\":0},"
                   "\"sim\":{\"wall_s\":0.002,\"jobs_per_s\":1500.0,\"speedup\":123456.8,"
                   "\"peak_rss_kb\":2048,\"events\":9,\"passes\":4}}");
}

static void
test_json_empty (void)
{
  AnaSummary s;
  summarize (NULL, 0, 0, 10, &s);
  json_t *o = ana_summary_to_json (&s, NULL);
  g_autofree char *text = json_dumps (o, ANA_JSON_DUMP_FLAGS | JSON_COMPACT);
  json_decref (o);
  g_assert_cmpstr (text, ==,
                   "{\"policy\":null,\"trace\":null,\"jobs\":0,\"skipped\":{},\"adjusted\":{},"
                   "\"makespan_s\":0,\"utilization\":0.0,"
                   "\"wait_s\":{\"mean\":0.0,\"p50\":0.0,\"p95\":0.0,\"max\":0.0},"
                   "\"response_s\":{\"mean\":0.0,\"p50\":0.0,\"p95\":0.0,\"max\":0.0},"
                   "\"slowdown\":{\"mean\":0.0,\"p50\":0.0,\"p95\":0.0,\"max\":0.0},"
                   "\"bounded_slowdown\":{\"mean\":0.0,\"p50\":0.0,\"p95\":0.0,\"max\":0.0},"
                   "\"tau_s\":10.0,"
                   "\"states\":{\"PENDING\":0,\"RUNNING\":0,\"COMPLETED\":0,\"FAILED\":0,"
                   "\"CANCELLED\":0,\"TIMEOUT\":0,\"NODE_FAIL\":0},"
                   "\"sim\":{\"wall_s\":0.0,\"jobs_per_s\":null,\"speedup\":0.0,"
                   "\"peak_rss_kb\":0,\"events\":0,\"passes\":0}}");
}

/* Returns (transfer full) what `ana_summary_print` / `ana_compare_print` printed. */
static char *
capture_summary (const AnaSummary *s, const AnaRunInfo *run)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  ana_summary_print (f, s, run);
  fclose (f);
  char *out = g_strndup (buf, len);
  free (buf);
  return out;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("expected \"%s\" in:\n%s", needle, haystack);
}

static void
test_summary_print (void)
{
  /* One job of 10 CPUs running 93784 s = 1-02:03:04 on 16 CPUs after 16 s of wait:
   * utilization 937840 / (16 * 93800) = 62.49 %. */
  SchedJobRecord r = job (1, 0, 16, 16 + 93784, 10, SCHED_JOB_COMPLETED);
  AnaSummary s;
  summarize (&r, 1, 16, 10, &s);
  AnaRunInfo run = run_info ("conservative", 0.5);

  g_autofree char *out = capture_summary (&s, &run);
  if (g_test_verbose ())
    g_printerr ("%s", out);
  assert_contains (out, "policy       conservative\n");
  assert_contains (out, "trace        tiny.swf\n");
  assert_contains (out, "jobs         1 (1 started)\n");
  assert_contains (out, "skipped      4 (malformed 3, no_runtime 1)\n");
  assert_contains (out, "adjusted     2 (time_limit_raised 2)\n");
  assert_contains (out, "makespan     93800 s (1-02:03:20)\n");
  assert_contains (out, "utilization  62.49 %\n");
  assert_contains (out, "states       1 (COMPLETED 1)\n");
  assert_contains (out, "0.500 s wall, 2 jobs/s");
  assert_contains (out, "speedup 123456.8x");
  assert_contains (out, "metric                 mean        p50        p95        max\n");
  assert_contains (out, "wait (s)             16.000     16.000     16.000     16.000\n");
  assert_contains (out, "response (s)      93800.000  93800.000  93800.000  93800.000\n");
  assert_contains (out, "bounded slowdown      1.000      1.000      1.000      1.000\n");

  /* Empty, without run facts: prints, no NaN. */
  AnaSummary e;
  summarize (NULL, 0, 0, 10, &e);
  g_autofree char *empty = capture_summary (&e, NULL);
  assert_contains (empty, "makespan     0 s (0-00:00:00)\n");
  assert_contains (empty, "utilization  0.00 %\n");
  g_assert_null (strstr (empty, "nan"));
}

static void
test_compare_print (void)
{
  AnaSummary a, b;
  summarize (three, G_N_ELEMENTS (three), 3, 10, &a);
  SchedJobRecord r[] = { job (1, 0, 0, 100, 2, SCHED_JOB_COMPLETED),
                         job (2, 0, 1000, 1100, 2, SCHED_JOB_COMPLETED) };
  summarize (r, 2, 4, 10, &b);
  AnaRunInfo ra = run_info ("fcfs", 0.002);
  AnaRunInfo rb = run_info ("slurm-backfill", 0);
  const AnaSummary *ss[] = { &a, &b };
  const AnaRunInfo *rr[] = { &ra, &rb };

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  ana_compare_print (f, ss, rr, 2);
  fclose (f);
  g_autofree char *out = g_strndup (buf, len);
  free (buf);
  if (g_test_verbose ())
    g_printerr ("%s", out);
  /* b: waits 0, 1000 -> mean 500, p95 950; bsld 1, 11 -> mean 6, p95 10.5;
   * utilization 400 / (4 * 1100) = 9.09 %. */
  g_assert_cmpstr (out, ==,
                   "policy          jobs  util%  wait mean  wait p95  bsld mean  bsld p95  "
                   "makespan  jobs/s\n"
                   "fcfs               3  30.79       13.3      28.0       1.73      2.90  "
                   "     131    1500\n"
                   "slurm-backfill     2   9.09      500.0     950.0       6.00     10.50  "
                   "    1100       -\n");
}

/* Large inputs take the radix-sort path: its percentiles must equal those of a plain sort
 * (gsl_sort + gsl_stats_quantile_from_sorted_data) computed here. */
static void
test_large_matches_reference (void)
{
  guint n = 20000;
  g_autoptr (AnaMetrics) m = ana_metrics_new (64, 10.0);
  g_autofree double *waits = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      SchedJobRecord r = { 0 };
      r.id = i + 1;
      r.submit = g_test_rand_int_range (0, 1000000);
      r.start = r.submit + (g_test_rand_int_range (0, 4) == 0 ? 0 : g_test_rand_int_range (0, 90000));
      r.end = r.start + g_test_rand_int_range (0, 50000);
      r.state = SCHED_JOB_COMPLETED;
      r.cpus = 1;
      waits[i] = (double) (r.start - r.submit);
      ana_metrics_add (m, &r);
    }
  AnaSummary s;
  ana_metrics_summarize (m, &s);
  gsl_sort (waits, 1, n);
  g_assert_cmpfloat (s.wait_s.p50, ==, gsl_stats_quantile_from_sorted_data (waits, 1, n, 0.5));
  g_assert_cmpfloat (s.wait_s.p95, ==, gsl_stats_quantile_from_sorted_data (waits, 1, n, 0.95));
  g_assert_cmpfloat (s.wait_s.max, ==, waits[n - 1]);
  g_assert_cmpfloat_with_epsilon (s.wait_s.mean, gsl_stats_mean (waits, 1, n), 1e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ana/metrics/wait", test_wait);
  g_test_add_func ("/ana/metrics/large-matches-reference", test_large_matches_reference);
  g_test_add_func ("/ana/metrics/response", test_response);
  g_test_add_func ("/ana/metrics/slowdown", test_slowdown);
  g_test_add_func ("/ana/metrics/bounded-slowdown", test_bounded_slowdown);
  g_test_add_func ("/ana/metrics/utilization", test_utilization);
  g_test_add_func ("/ana/metrics/makespan", test_makespan);
  g_test_add_func ("/ana/metrics/percentiles", test_percentiles);
  g_test_add_func ("/ana/metrics/never-started", test_never_started);
  g_test_add_func ("/ana/metrics/empty", test_empty);
  g_test_add_func ("/ana/metrics/states", test_states);
  g_test_add_func ("/ana/metrics/order-and-resummarize", test_order_and_resummarize);
  g_test_add_func ("/ana/metrics/bad-tau", test_bad_tau);
  g_test_add_func ("/ana/report/csv-header", test_csv_header);
  g_test_add_func ("/ana/report/csv-rows", test_csv_rows);
  g_test_add_func ("/ana/report/csv-numbers", test_csv_numbers);
  g_test_add_func ("/ana/report/json", test_json);
  g_test_add_func ("/ana/report/json-empty", test_json_empty);
  g_test_add_func ("/ana/report/summary-print", test_summary_print);
  g_test_add_func ("/ana/report/compare-print", test_compare_print);

  return g_test_run ();
}
