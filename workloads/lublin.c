/* SPDX-License-Identifier: MIT */
/* workloads/lublin.c - the Lublin-Feitelson (2003) rigid-job model as a streaming reader.
 *
 * U. Lublin and D. G. Feitelson, "The workload on parallel supercomputers: modeling the
 * characteristics of rigid jobs", J. Parallel Distrib. Comput. 63(11):1105-1122, 2003.
 * We generate the model's batch jobs with the published batch parameters, as Lublin's
 * reference program m_lublin99.c sets them (its BATCH constants); the code is our own.
 *
 *  - Size: serial (1 node) with probability SERIAL_PROB; otherwise log2(size) follows a
 *    two-stage uniform: U(ULOW, UMED) with probability UPROB, else U(UMED, UHI), where
 *    UHI = log2(nodes) and UMED = UHI - 2 (the reference has UHI 7 and UMED 5 for 128
 *    nodes).  With probability POW2_PROB (of all jobs, as in the reference) log2(size) is
 *    rounded to an integer, giving a power of two.  size = round(2^x), at most `nodes`
 *    (a power of two above `nodes` becomes the largest power of two that fits).
 *  - Runtime: log(runtime) is hyper-gamma: gamma(A1, B1) with probability p, else
 *    gamma(A2, B2) (shape, scale), with p = PA * size + PB clamped to [0, 1] (linear in the
 *    number of nodes, as the reference program computes it; larger jobs run longer).
 *    Values of log(runtime) above 12 (runtime > 45 h) are drawn again.  runtime =
 *    floor(exp(x)) >= 1.
 *  - Arrivals: a day is 48 half-hour buckets; bucket b gets the weight
 *    F(i + 0.5) - F(i - 0.5) of the gamma(ANUM, BNUM) CDF F, with i = b + 1, moved by 48
 *    when below CYCLE_START (so the cycle starts in the early morning and peaks in the early
 *    afternoon), the weights normalized to mean 1.  Each inter-arrival draws
 *    x ~ gamma(AARR * ARAR, BARR) (redrawn when x > 13) and "pays" exp(x) / 1800 points
 *    (divided by load_scale) against the buckets ahead: crossing bucket b costs w[b]
 *    points, so busy hours receive more arrivals.  The first job arrives at time 0, at
 *    midnight.  Submit times are the arrival times rounded down to the second.
 *  - Requested time (not in the model; sluice's estimate model, after the observations of
 *    Tsafrir, Etsion and Feitelson, "Modeling user runtime estimates", JSSPP 2005: users
 *    choose a few round values and mostly overestimate): with probability 0.10 the job
 *    asks for the maximum (48 h); with 0.15 for the smallest round value >= its runtime;
 *    otherwise for the smallest round value >= runtime * f, f log-uniform in [1, 10].  The
 *    round values are 5, 15, 30 min, 1, 2, 4, 8, 12, 24, 36 and 48 h.  Since runtimes are
 *    below 45 h, the limit is never below the runtime.
 *  - Users: 64 users with Zipf weights 1/k (user 1 submits most); group = 1 + (user-1)/8.
 *
 * One gsl mt19937 stream, seeded with the seed folded to 32 bits (seed ^ seed >> 32), is
 * drawn in a fixed order per job (size, runtime, estimate, user, next arrival), so a seed
 * gives the same jobs on every machine with the same GSL.  O(1) memory, a few gamma
 * variates per job. */
#include "workloads/lublin.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

/* The model's batch parameters (m_lublin99.c, *_BATCH). */
#define SERIAL_PROB 0.2927
#define POW2_PROB   0.6686
#define ULOW        1.2
#define UMED_BELOW_UHI 2.0
#define UPROB       0.875
#define A1          6.57
#define B1          0.823
#define A2          639.1
#define B2          0.0156
#define PA          -0.003
#define PB          0.6986
#define AARR        6.0415
#define BARR        0.8531
#define ANUM        6.1271
#define BNUM        5.2740
#define ARAR        1.0519
#define MAX_LOG_RUNTIME 12.0
#define MAX_LOG_INTERARRIVAL 13.0

#define BUCKETS 48
#define BUCKET_SECONDS (86400 / BUCKETS)
#define CYCLE_START 11

/* The estimate model. */
#define EST_MAX_PROB   0.10
#define EST_EXACT_PROB 0.15
#define EST_MAX_FACTOR 10.0
static const SchedTime round_limits[] = {
  300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 129600, 172800,
};

#define N_USERS         64
#define USERS_PER_GROUP 8

typedef struct {
  WlReader            parent;
  WlLublinOptions     opts;
  gsl_rng            *rng;
  gsl_ran_discrete_t *users;
  double              weights[BUCKETS];
  double              day_points;       /* sum of weights */
  double              ulow, umed, uhi;
  guint64             emitted;
  /* Arrival process: the next arrival is at (buckets + points / weights[bucket % 48])
   * buckets from time 0. */
  guint64             buckets;
  double              points;
} LublinReader;

static guint32
draw_size (LublinReader *l)
{
  double u = gsl_rng_uniform (l->rng);
  if (u <= SERIAL_PROB || l->opts.nodes == 1)
    return 1;
  double x;
  if (gsl_rng_uniform (l->rng) <= UPROB)
    x = gsl_ran_flat (l->rng, l->ulow, l->umed);
  else
    x = gsl_ran_flat (l->rng, l->umed, l->uhi);
  gboolean pow2 = u <= SERIAL_PROB + POW2_PROB;
  if (pow2)
    x = floor (x + 0.5);
  double size = floor (pow (2.0, x) + 0.5);
  if (size <= 1)
    return 1;
  if (size <= l->opts.nodes)
    return (guint32) size;
  if (!pow2)
    return l->opts.nodes;
  guint32 p = 1;
  while (p <= l->opts.nodes / 2)
    p *= 2;
  return p;
}

static SchedTime
draw_runtime (LublinReader *l, guint32 size)
{
  double p = CLAMP (PA * size + PB, 0.0, 1.0);
  double x;
  do
    {
      if (gsl_rng_uniform (l->rng) <= p)
        x = gsl_ran_gamma (l->rng, A1, B1);
      else
        x = gsl_ran_gamma (l->rng, A2, B2);
    }
  while (x > MAX_LOG_RUNTIME);
  SchedTime t = (SchedTime) floor (exp (x));
  return MAX (t, 1);
}

static SchedTime
draw_limit (LublinReader *l, SchedTime runtime)
{
  const gsize n = G_N_ELEMENTS (round_limits);
  double u = gsl_rng_uniform (l->rng);
  double want;
  if (u < EST_MAX_PROB)
    want = (double) round_limits[n - 1];
  else if (u < EST_MAX_PROB + EST_EXACT_PROB)
    want = (double) runtime;
  else
    want = (double) runtime * exp (gsl_rng_uniform (l->rng) * log (EST_MAX_FACTOR));
  for (gsize i = 0; i < n; i++)
    if ((double) round_limits[i] >= want)
      return MAX (round_limits[i], runtime);
  return MAX (round_limits[n - 1], runtime);
}

static double
arrival_time (const LublinReader *l)
{
  return ((double) l->buckets + l->points / l->weights[l->buckets % BUCKETS]) * BUCKET_SECONDS;
}

static void
advance_arrival (LublinReader *l)
{
  double x;
  do
    x = gsl_ran_gamma (l->rng, AARR * ARAR, BARR);
  while (x > MAX_LOG_INTERARRIVAL);
  l->points += exp (x) / BUCKET_SECONDS / l->opts.load_scale;
  /* Whole days at once (only matters for very small load scales). */
  if (l->points > 2 * l->day_points)
    {
      double days = floor (l->points / l->day_points) - 1;
      l->points -= days * l->day_points;
      l->buckets += (guint64) days * BUCKETS;
    }
  while (l->points > l->weights[l->buckets % BUCKETS])
    {
      l->points -= l->weights[l->buckets % BUCKETS];
      l->buckets++;
    }
}

static gboolean
lublin_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  (void) error;
  LublinReader *l = (LublinReader *) r;
  if (l->emitted >= l->opts.n_jobs)
    {
      *eof = TRUE;
      return TRUE;
    }
  *eof = FALSE;
  l->emitted++;

  sched_job_spec_init (&out->spec);
  out->spec.id = (SchedJobId) l->emitted;
  out->spec.submit = (SchedTime) floor (arrival_time (l));
  guint32 size = draw_size (l);
  out->runtime = draw_runtime (l, size);
  out->spec.tasks = size;
  out->spec.cpus_per_task = 1;
  out->spec.time_limit = draw_limit (l, out->runtime);
  guint32 user = 1 + (guint32) gsl_ran_discrete (l->rng, l->users);
  out->spec.user = user;
  out->spec.group = 1 + (user - 1) / USERS_PER_GROUP;
  out->end_state = SCHED_JOB_COMPLETED;
  out->line = 0;
  advance_arrival (l);

  r->counts.read++;
  r->counts.kept++;
  return TRUE;
}

static void
lublin_finalize (WlReader *r)
{
  LublinReader *l = (LublinReader *) r;
  g_clear_pointer (&l->rng, gsl_rng_free);
  g_clear_pointer (&l->users, gsl_ran_discrete_free);
}

static const WlReaderOps lublin_ops = {
  .next = lublin_next,
  .finalize = lublin_finalize,
};

void
wl_lublin_options_init (WlLublinOptions *opts)
{
  g_return_if_fail (opts != NULL);
  opts->seed = 1;
  opts->n_jobs = 10000;
  opts->nodes = 128;
  opts->load_scale = 1.0;
}

static void
add_header (WlReader *r, const char *line)
{
  g_ptr_array_add (r->info.header_lines, g_strdup (line));
}

WlReader *
wl_lublin_reader_new (const WlLublinOptions *opts)
{
  WlLublinOptions defaults;
  if (opts == NULL)
    {
      wl_lublin_options_init (&defaults);
      opts = &defaults;
    }
  g_return_val_if_fail (opts->nodes >= 1, NULL);
  g_return_val_if_fail (opts->load_scale >= 1e-3 && opts->load_scale <= 1e6, NULL);

  LublinReader *l = g_new0 (LublinReader, 1);
  wl__reader_init (&l->parent, &lublin_ops, "lublin");
  l->opts = *opts;
  l->rng = gsl_rng_alloc (gsl_rng_mt19937);
  gsl_rng_set (l->rng, (unsigned long) (guint32) (opts->seed ^ (opts->seed >> 32)));

  double user_w[N_USERS];
  for (int k = 0; k < N_USERS; k++)
    user_w[k] = 1.0 / (k + 1);
  l->users = gsl_ran_discrete_preproc (N_USERS, user_w);

  l->uhi = log2 ((double) opts->nodes);
  l->ulow = MIN (ULOW, l->uhi);
  l->umed = CLAMP (l->uhi - UMED_BELOW_UHI, l->ulow, l->uhi);

  double sum = 0;
  for (int b = 0; b < BUCKETS; b++)
    {
      int i = b + 1 < CYCLE_START ? b + 1 + BUCKETS : b + 1;
      l->weights[b] = gsl_cdf_gamma_P (i + 0.5, ANUM, BNUM)
                      - gsl_cdf_gamma_P (i - 0.5, ANUM, BNUM);
      sum += l->weights[b];
    }
  l->day_points = 0;
  for (int b = 0; b < BUCKETS; b++)
    {
      l->weights[b] /= sum / BUCKETS;
      l->day_points += l->weights[b];
    }

  WlReader *r = &l->parent;
  r->info.max_procs = opts->nodes;
  r->info.max_nodes = opts->nodes;
  char scale[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (scale, sizeof scale, "%g", opts->load_scale);
  g_autofree char *params = g_strdup_printf (
      "; Note: seed %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT " jobs, %u nodes, load scale %s",
      opts->seed, opts->n_jobs, opts->nodes, scale);
  g_autofree char *max_jobs = g_strdup_printf ("; MaxJobs: %" G_GUINT64_FORMAT, opts->n_jobs);
  g_autofree char *max_records
      = g_strdup_printf ("; MaxRecords: %" G_GUINT64_FORMAT, opts->n_jobs);
  g_autofree char *max_nodes = g_strdup_printf ("; MaxNodes: %u", opts->nodes);
  g_autofree char *max_procs = g_strdup_printf ("; MaxProcs: %u", opts->nodes);
  add_header (r, "; Version: 2");
  add_header (r, "; Computer: synthetic (Lublin-Feitelson 2003 model, batch jobs)");
  add_header (r, "; Installation: sluice workload generator (workloads/lublin.c)");
  add_header (r, "; Information: U. Lublin and D. G. Feitelson, The workload on parallel "
                 "supercomputers: modeling the characteristics of rigid jobs, JPDC 63(11), "
                 "2003");
  add_header (r, params);
  add_header (r, "; Note: requested times are derived from the runtimes by sluice's "
                 "estimate model (round values, mostly overestimates)");
  add_header (r, max_jobs);
  add_header (r, max_records);
  add_header (r, max_nodes);
  add_header (r, max_procs);
  return r;
}
