/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-synth.c - the Downey, Poisson-with-daily-cycle and GPU-mix
 * generators (workloads/synth.h): determinism per seed, invariants, and sample statistics
 * against the models' parameters.
 *
 * Tolerances are several standard errors of the statistic over the sample (20,000 to
 * 50,000 jobs), so every correct seed passes and a wrong distribution, parameter or rate
 * fails: e.g. the mean of ln(run time) of Downey's model is (ln a + ln b) / 2 with a
 * standard deviation of (ln b - ln a) / sqrt(12) per job. */
#include "workloads/synth.h"
#include "workloads/jsontrace.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <string.h>

#define JOB(a, i) (&g_array_index ((a), WlJob, (i)))

static GArray *
generate (const WlSynthOptions *o)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_synth_reader_new (o, &error);
  g_assert_no_error (error);
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
  for (;;)
    {
      WlJob j;
      gboolean eof = FALSE;
      g_assert_true (wl_reader_next (r, &j, &eof, &error));
      if (eof)
        break;
      g_array_append_val (jobs, j);
    }
  g_assert_cmpuint (jobs->len, ==, o->n_jobs);
  g_assert_cmpuint (wl_reader_get_counts (r)->kept, ==, o->n_jobs);
  return jobs;
}

static void
check_invariants (GArray *jobs, const WlSynthOptions *o)
{
  SchedTime last = 0;
  for (guint i = 0; i < jobs->len; i++)
    {
      const WlJob *j = JOB (jobs, i);
      g_assert_cmpuint (j->spec.id, ==, i + 1);
      g_assert_cmpint (j->spec.submit, >=, last);
      last = j->spec.submit;
      g_assert_cmpint (j->runtime, >=, 1);
      g_assert_cmpint (j->spec.time_limit, >=, j->runtime);
      g_assert_cmpuint (j->spec.tasks, >=, 1);
      g_assert_cmpuint (j->spec.user, >=, 1);
      g_assert_cmpuint (j->spec.user, <=, o->n_users);
      if (o->model != WL_SYNTH_GPU_MIX)
        g_assert_cmpuint (j->spec.tasks, <=, o->nodes);
    }
  g_assert_cmpint (JOB (jobs, 0)->spec.submit, ==, 0);
}

static void
test_determinism (void)
{
  g_test_summary ("the same seed gives the same jobs; another seed other jobs");
  for (WlSynthModel m = WL_SYNTH_DOWNEY; m <= WL_SYNTH_GPU_MIX; m++)
    {
      WlSynthOptions o;
      wl_synth_options_init (&o, m);
      o.n_jobs = 2000;
      o.seed = 42;
      g_autoptr (GArray) a = generate (&o);
      g_autoptr (GArray) b = generate (&o);
      g_assert_cmpmem (a->data, a->len * sizeof (WlJob), b->data, b->len * sizeof (WlJob));
      check_invariants (a, &o);
      o.seed = 43;
      g_autoptr (GArray) c = generate (&o);
      g_assert_true (memcmp (a->data, c->data, a->len * sizeof (WlJob)) != 0);
    }
}

/* Mean inter-arrival time of `jobs`, seconds. */
static double
mean_gap (GArray *jobs)
{
  return (double) (JOB (jobs, jobs->len - 1)->spec.submit - JOB (jobs, 0)->spec.submit)
         / (jobs->len - 1);
}

static void
test_downey_statistics (void)
{
  g_test_summary ("Downey: ln(run time) and ln(size) uniform (mean and variance), the "
                  "offered load close to the target");
  WlSynthOptions o;
  wl_synth_options_init (&o, WL_SYNTH_DOWNEY);
  o.n_jobs = 40000;
  o.nodes = 256;
  o.seed = (guint64) g_test_rand_int_range (0, G_MAXINT32);
  g_autoptr (GArray) jobs = generate (&o);
  check_invariants (jobs, &o);
  guint n = jobs->len;
  g_autofree double *lr = g_new (double, n);
  g_autofree double *ls = g_new (double, n);
  double work = 0;
  for (guint i = 0; i < n; i++)
    {
      lr[i] = log ((double) JOB (jobs, i)->runtime);
      ls[i] = log ((double) JOB (jobs, i)->spec.tasks);
      work += (double) JOB (jobs, i)->runtime * JOB (jobs, i)->spec.tasks;
    }
  double a = log (o.rt_min), b = log (o.rt_max);
  double se = (b - a) / sqrt (12.0) / sqrt ((double) n);
  g_assert_cmpfloat (fabs (gsl_stats_mean (lr, 1, n) - (a + b) / 2), <, 5 * se);
  /* a uniform's variance is (b - a)^2 / 12; rounding run times to seconds shifts it little */
  g_assert_cmpfloat (fabs (gsl_stats_variance (lr, 1, n) / ((b - a) * (b - a) / 12) - 1), <, 0.03);
  /* sizes are rounded to integers, which pulls the mean of ln(size) below ln(N)/2 by less
   * than 0.1 for N = 256 */
  double half = log ((double) o.nodes) / 2;
  g_assert_cmpfloat (fabs (gsl_stats_mean (ls, 1, n) - half), <, 0.1);
  /* offered load: work / (nodes x span); the run-time mean has a heavy spread, so 10% */
  double span = (double) JOB (jobs, n - 1)->spec.submit;
  g_assert_cmpfloat (fabs (work / (o.nodes * span) / o.load - 1), <, 0.1);
}

static void
test_poisson_rate_and_distributions (void)
{
  g_test_summary ("Poisson: the mean rate from --interarrival, exponential gaps without a "
                  "cycle, and the given size and run-time distributions");
  WlSynthOptions o;
  wl_synth_options_init (&o, WL_SYNTH_POISSON);
  o.n_jobs = 50000;
  o.load = 0;
  o.interarrival = 100;
  o.amplitude = 0;
  o.size_dist = (WlDist) { WL_DIST_UNIFORM, 1, 31 };
  o.runtime_dist = (WlDist) { WL_DIST_EXPONENTIAL, 1000, 0 };
  o.seed = (guint64) g_test_rand_int_range (0, G_MAXINT32);
  g_autoptr (GArray) jobs = generate (&o);
  check_invariants (jobs, &o);
  guint n = jobs->len;
  /* the mean gap of n - 1 exponential gaps of mean 100 has a standard error 100/sqrt(n);
   * submit times are floored to seconds (bias < 1 s over the span, negligible) */
  g_assert_cmpfloat (fabs (mean_gap (jobs) - 100), <, 5 * 100 / sqrt ((double) n));
  g_autofree double *gaps = g_new (double, n - 1);
  g_autofree double *size = g_new (double, n);
  g_autofree double *run = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      size[i] = JOB (jobs, i)->spec.tasks;
      run[i] = (double) JOB (jobs, i)->runtime;
      if (i > 0)
        gaps[i - 1] = (double) (JOB (jobs, i)->spec.submit - JOB (jobs, i - 1)->spec.submit);
    }
  /* exponential gaps: standard deviation equal to the mean */
  g_assert_cmpfloat (fabs (gsl_stats_sd (gaps, 1, n - 1) / 100 - 1), <, 0.05);
  /* uniform(1, 31) rounded to integers: mean 16, sd 30/sqrt(12) */
  g_assert_cmpfloat (fabs (gsl_stats_mean (size, 1, n) - 16), <, 5 * 8.66 / sqrt ((double) n));
  g_assert_cmpfloat (gsl_stats_min (size, 1, n), >=, 1);
  g_assert_cmpfloat (gsl_stats_max (size, 1, n), <=, 31);
  /* exponential(1000) rounded, at least 1 */
  g_assert_cmpfloat (fabs (gsl_stats_mean (run, 1, n) - 1000), <, 5 * 1000 / sqrt ((double) n));
}

/* Arrivals per hour of the day. */
static void
hour_histogram (GArray *jobs, double hist[24])
{
  for (int h = 0; h < 24; h++)
    hist[h] = 0;
  for (guint i = 0; i < jobs->len; i++)
    hist[(JOB (jobs, i)->spec.submit / 3600) % 24]++;
}

static void
test_daily_cycle (void)
{
  g_test_summary ("the daily cycle: more arrivals at the peak hour than at the trough, in "
                  "the ratio (1 + A) / (1 - A); a 24-value profile is followed");
  WlSynthOptions o;
  wl_synth_options_init (&o, WL_SYNTH_POISSON);
  o.n_jobs = 50000;
  o.load = 0;
  o.interarrival = 60;
  o.amplitude = 0.6;
  o.peak_hour = 15;
  o.seed = (guint64) g_test_rand_int_range (0, G_MAXINT32);
  g_autoptr (GArray) jobs = generate (&o);
  double hist[24];
  hour_histogram (jobs, hist);
  /* hours 14-16 around the peak vs 2-4 around the trough (15 + 12 = 3): the rate ratio
   * averaged over those hours is about (1 + 0.6 x 0.9) / (1 - 0.6 x 0.9) = 3.3 */
  double peak = hist[14] + hist[15] + hist[16], trough = hist[2] + hist[3] + hist[4];
  g_assert_cmpfloat (peak / trough, >, 2.5);
  g_assert_cmpfloat (peak / trough, <, 4.5);
  for (int h = 0; h < 24; h++)
    g_assert_cmpfloat (hist[15], >=, hist[h] * 0.9);
  /* the mean rate is unchanged by the cycle */
  g_assert_cmpfloat (fabs (mean_gap (jobs) / 60 - 1), <, 0.05);

  /* a profile: nothing from 0 to 6 h, double rate from 12 to 18 h */
  for (int h = 0; h < 24; h++)
    o.hourly[h] = h < 6 ? 0 : h >= 12 && h < 18 ? 2 : 1;
  g_autoptr (GArray) p = generate (&o);
  hour_histogram (p, hist);
  double day = 0, pm = 0, rest = 0;
  for (int h = 0; h < 24; h++)
    {
      day += hist[h];
      if (h >= 12 && h < 18)
        pm += hist[h];
      else if (h >= 6)
        rest += hist[h];
    }
  /* the first job is at 0 (midnight): that one may sit in hour 0 */
  g_assert_cmpfloat (hist[0] + hist[1] + hist[2] + hist[3] + hist[4] + hist[5], <=, 1);
  g_assert_cmpfloat (fabs (pm / rest - 1.0), <, 0.1);   /* 6 h x 2 vs 12 h x 1 */
  (void) day;
}

static void
test_gpu_mix (void)
{
  g_test_summary ("GPU mix: the share of GPU jobs and of each GPU count, CPUs and memory per "
                  "GPU, node layout, machine in info; JSON output reads back");
  WlSynthOptions o;
  wl_synth_options_init (&o, WL_SYNTH_GPU_MIX);
  o.n_jobs = 30000;
  o.nodes = 16;
  o.gpu_fraction = 0.6;
  o.seed = (guint64) g_test_rand_int_range (0, G_MAXINT32);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_synth_reader_new (&o, &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_assert_cmpint (info->gpus_per_node, ==, 8);
  g_assert_cmpint (info->cpus_per_node, ==, 64);
  g_assert_cmpint (info->mem_per_node_mb, ==, 8 * 65536);
  g_autoptr (GArray) jobs = generate (&o);
  check_invariants (jobs, &o);
  guint n = jobs->len, gpu = 0, by[9] = { 0 };
  for (guint i = 0; i < n; i++)
    {
      const SchedJobSpec *s = &JOB (jobs, i)->spec;
      if (s->gpus_per_node == 0)
        {
          g_assert_cmpuint (s->tasks, <=, 64);
          continue;
        }
      gpu++;
      guint g = s->gpus_per_node * s->min_nodes;
      g_assert_true (g == 1 || g == 2 || g == 4 || g == 8);
      by[g]++;
      g_assert_cmpuint (s->cpus_per_task * s->tasks, ==, 8 * g);
      g_assert_cmpuint (s->mem_per_node_mb, ==, 65536 * (guint64) s->gpus_per_node);
    }
  /* binomial shares: 5 standard errors */
  double p = (double) gpu / n;
  g_assert_cmpfloat (fabs (p - 0.6), <, 5 * sqrt (0.6 * 0.4 / n));
  static const double w[9] = { [1] = 0.5, [2] = 0.2, [4] = 0.15, [8] = 0.15 };
  for (guint g = 1; g <= 8; g *= 2)
    g_assert_cmpfloat (fabs ((double) by[g] / gpu - w[g]), <, 5 * sqrt (w[g] * (1 - w[g]) / gpu));

  /* JSON out and back */
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_assert_true (wl_json_write_header (out, info, &error));
  for (guint i = 0; i < 200; i++)
    g_assert_true (wl_json_write_job (out, JOB (jobs, i), &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_autoptr (GBytes) bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr (WlReader) back = wl_json_reader_new (in, "mix.jsonl", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (back)->gpus_per_node, ==, 8);
  for (guint i = 0; i < 200; i++)
    {
      WlJob j;
      gboolean eof = FALSE;
      g_assert_true (wl_reader_next (back, &j, &eof, &error));
      g_assert_false (eof);
      const WlJob *a = JOB (jobs, i);
      g_assert_cmpuint (j.spec.id, ==, a->spec.id);
      g_assert_cmpint (j.spec.submit, ==, a->spec.submit);
      g_assert_cmpuint (j.spec.gpus_per_node, ==, a->spec.gpus_per_node);
      g_assert_cmpuint (j.spec.min_nodes, ==, a->spec.min_nodes);
      g_assert_cmpuint (j.spec.cpus_per_task, ==, a->spec.cpus_per_task);
      g_assert_cmpuint (j.spec.mem_per_node_mb, ==, a->spec.mem_per_node_mb);
      g_assert_cmpint (j.runtime, ==, a->runtime);
    }
}

static void
test_load_target (void)
{
  g_test_summary ("--load sets the rate: Poisson's offered load is within 10% of the target");
  WlSynthOptions o;
  wl_synth_options_init (&o, WL_SYNTH_POISSON);
  o.n_jobs = 40000;
  o.nodes = 512;
  o.load = 0.8;
  o.amplitude = 0;
  /* sizes much above 1, so that rounding and clipping barely move the mean */
  o.size_dist = (WlDist) { WL_DIST_UNIFORM, 8, 24 };
  o.runtime_dist = (WlDist) { WL_DIST_UNIFORM, 100, 3000 };
  o.seed = (guint64) g_test_rand_int_range (0, G_MAXINT32);
  g_autoptr (GArray) jobs = generate (&o);
  double work = 0;
  for (guint i = 0; i < jobs->len; i++)
    work += (double) JOB (jobs, i)->runtime * JOB (jobs, i)->spec.tasks;
  double span = (double) JOB (jobs, jobs->len - 1)->spec.submit;
  g_assert_cmpfloat (fabs (work / (o.nodes * span) / o.load - 1), <, 0.05);
}

static void
test_options (void)
{
  g_test_summary ("distribution strings and option checks, with their messages");
  WlDist d;
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_dist_parse ("lognormal:2,0.5", "--size-dist", &d, &error));
  g_assert_cmpint (d.kind, ==, WL_DIST_LOGNORMAL);
  g_assert_cmpfloat (wl_dist_mean (&d), ==, exp (2 + 0.125));
  g_assert_true (wl_dist_parse ("exponential:5", "x", &d, &error));
  g_assert_cmpfloat (wl_dist_mean (&d), ==, 5);
  static const char *const bad[] = { "exponential:0", "uniform:3,1", "lognormal:1",
                                     "weibull:1,2", "uniform:1,2,3", "loguniform:0,5",
                                     "exponential:x" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (wl_dist_parse (bad[i], "--runtime-dist", &d, &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
      g_assert_true (g_str_has_prefix (error->message, "--runtime-dist: expected "));
      g_assert_nonnull (strstr (error->message, bad[i]));
      g_clear_error (&error);
    }
  WlSynthOptions o;
  wl_synth_options_init (&o, WL_SYNTH_GPU_MIX);
  o.amplitude = 1.5;
  g_assert_null (wl_synth_reader_new (&o, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "amplitude"));
  WlSynthModel m;
  g_assert_true (wl_synth_model_from_name ("gpu-mix", &m));
  g_assert_cmpint (m, ==, WL_SYNTH_GPU_MIX);
  g_assert_false (wl_synth_model_from_name ("lublin", &m));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/synth/determinism", test_determinism);
  g_test_add_func ("/wl/synth/downey", test_downey_statistics);
  g_test_add_func ("/wl/synth/poisson", test_poisson_rate_and_distributions);
  g_test_add_func ("/wl/synth/daily-cycle", test_daily_cycle);
  g_test_add_func ("/wl/synth/gpu-mix", test_gpu_mix);
  g_test_add_func ("/wl/synth/load-target", test_load_target);
  g_test_add_func ("/wl/synth/options", test_options);
  return g_test_run ();
}
