/* SPDX-License-Identifier: MIT */
/* workloads/synth.c - Downey (1997), Poisson with a daily cycle, and GPU mix generators
 * (synth.h has the models).
 *
 * One gsl mt19937 stream per reader; per job the draws are, in order: the arrival (one or
 * more candidates when thinning), [GPU or not, GPU count], size, run time, user.  Nothing
 * is kept between jobs but the clock, so memory is O(1). */
#include "workloads/synth.h"
#include "workloads/rows.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

static const char *const model_names[] = { "downey", "poisson", "gpu-mix" };
static const guint32 gpu_counts[4] = { 1, 2, 4, 8 };

const char *
wl_synth_model_name (WlSynthModel model)
{
  g_return_val_if_fail ((guint) model < G_N_ELEMENTS (model_names), NULL);
  return model_names[model];
}

gboolean
wl_synth_model_from_name (const char *name, WlSynthModel *out)
{
  for (guint i = 0; i < G_N_ELEMENTS (model_names); i++)
    if (g_ascii_strcasecmp (name, model_names[i]) == 0)
      {
        *out = (WlSynthModel) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- distributions ---------------------------------------------------------------------- */

gboolean
wl_dist_parse (const char *text, const char *what, WlDist *out, GError **error)
{
  g_return_val_if_fail (text != NULL && out != NULL, FALSE);
  static const struct {
    const char *name;
    WlDistKind  kind;
    int         n;
  } kinds[] = {
    { "exponential", WL_DIST_EXPONENTIAL, 1 }, { "lognormal", WL_DIST_LOGNORMAL, 2 },
    { "uniform", WL_DIST_UNIFORM, 2 }, { "loguniform", WL_DIST_LOGUNIFORM, 2 },
  };
  const char *colon = strchr (text, ':');
  gsize nlen = colon != NULL ? (gsize) (colon - text) : strlen (text);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      if (strlen (kinds[k].name) != nlen || g_ascii_strncasecmp (text, kinds[k].name, nlen) != 0)
        continue;
      double v[2] = { 0, 0 };
      int n = 0;
      if (colon != NULL)
        {
          g_auto (GStrv) parts = g_strsplit (colon + 1, ",", -1);
          for (; parts[n] != NULL; n++)
            {
              char *end = NULL;
              if (n >= 2)
                break;
              v[n] = g_ascii_strtod (parts[n], &end);
              if (end == parts[n] || *end != '\0' || !isfinite (v[n]))
                {
                  n = -1;
                  break;
                }
            }
          if (n >= 0 && parts[n] != NULL)
            n = -1;
        }
      gboolean ok = n == kinds[k].n;
      switch (kinds[k].kind)
        {
        case WL_DIST_EXPONENTIAL:
          ok = ok && v[0] > 0;
          break;
        case WL_DIST_LOGNORMAL:
          ok = ok && v[1] > 0 && v[0] < 50;
          break;
        case WL_DIST_UNIFORM:
          ok = ok && v[0] >= 0 && v[1] > v[0];
          break;
        case WL_DIST_LOGUNIFORM:
        default:
          ok = ok && v[0] > 0 && v[1] > v[0];
          break;
        }
      if (!ok)
        {
          static const char *const forms[] = { "exponential:MEAN (MEAN > 0)",
                                               "lognormal:MU,SIGMA (SIGMA > 0)",
                                               "uniform:A,B (0 <= A < B)",
                                               "loguniform:A,B (0 < A < B)" };
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: expected %s, got \"%s\"",
                       what, forms[kinds[k].kind], text);
          return FALSE;
        }
      out->kind = kinds[k].kind;
      out->a = v[0];
      out->b = v[1];
      return TRUE;
    }
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
               "%s: expected exponential:MEAN, lognormal:MU,SIGMA, uniform:A,B or "
               "loguniform:A,B, got \"%s\"", what, text);
  return FALSE;
}

double
wl_dist_mean (const WlDist *d)
{
  switch (d->kind)
    {
    case WL_DIST_EXPONENTIAL:
      return d->a;
    case WL_DIST_LOGNORMAL:
      return exp (d->a + d->b * d->b / 2);
    case WL_DIST_UNIFORM:
      return (d->a + d->b) / 2;
    case WL_DIST_LOGUNIFORM:
    default:
      return (d->b - d->a) / log (d->b / d->a);
    }
}

static double
dist_draw (const WlDist *d, gsl_rng *rng)
{
  switch (d->kind)
    {
    case WL_DIST_EXPONENTIAL:
      return gsl_ran_exponential (rng, d->a);
    case WL_DIST_LOGNORMAL:
      return gsl_ran_lognormal (rng, d->a, d->b);
    case WL_DIST_UNIFORM:
      return gsl_ran_flat (rng, d->a, d->b);
    case WL_DIST_LOGUNIFORM:
    default:
      return exp (gsl_ran_flat (rng, log (d->a), log (d->b)));
    }
}

/* ---- options ---------------------------------------------------------------------------- */

void
wl_synth_options_init (WlSynthOptions *o, WlSynthModel model)
{
  g_return_if_fail (o != NULL);
  memset (o, 0, sizeof *o);
  o->model = model;
  o->seed = 1;
  o->n_jobs = 10000;
  o->nodes = 128;
  o->n_users = 64;
  o->load = 0.7;
  o->interarrival = 600;
  o->rt_min = 60;
  o->rt_max = 86400;
  o->amplitude = 0.5;
  o->peak_hour = 14;
  o->size_dist = (WlDist) { WL_DIST_LOGNORMAL, 1.5, 1.2 };
  o->runtime_dist = (WlDist) { WL_DIST_LOGNORMAL, 7.0, 1.5 };
  o->gpu_fraction = 0.7;
  o->gpu_weights[0] = 0.5;
  o->gpu_weights[1] = 0.2;
  o->gpu_weights[2] = 0.15;
  o->gpu_weights[3] = 0.15;
  o->gpus_per_node = 8;
  o->cpus_per_gpu = 8;
  o->mem_per_gpu_mb = 65536;
}

static gboolean
fail (GError **error, const char *msg)
{
  g_set_error_literal (error, WL_ERROR, WL_ERROR_MALFORMED, msg);
  return FALSE;
}

gboolean
wl_synth_options_check (const WlSynthOptions *o, GError **error)
{
  g_return_val_if_fail (o != NULL, FALSE);
  if ((guint) o->model >= G_N_ELEMENTS (model_names))
    return fail (error, "model: expected downey, poisson or gpu-mix");
  if (o->n_jobs < 1 || o->nodes < 1 || o->n_users < 1)
    return fail (error, "jobs, nodes and users must be >= 1");
  if (!(o->load >= 0 && o->load <= 1e3) || (o->load == 0 && !(o->interarrival > 0)))
    return fail (error, "load: expected 0 < L <= 1000, or an inter-arrival time > 0");
  if (!(o->rt_min >= 1 && o->rt_max > o->rt_min && o->rt_max <= 1e9))
    return fail (error, "runtime bounds: expected 1 <= min < max <= 1e9 seconds");
  if (!(o->amplitude >= 0 && o->amplitude <= 1))
    return fail (error, "cycle amplitude: expected 0 .. 1");
  if (!(o->peak_hour >= 0 && o->peak_hour <= 24))
    return fail (error, "peak hour: expected 0 .. 24");
  double hsum = 0;
  for (int h = 0; h < 24; h++)
    {
      if (!(o->hourly[h] >= 0 && isfinite (o->hourly[h])))
        return fail (error, "daily profile: expected 24 relative rates >= 0");
      hsum += o->hourly[h];
    }
  (void) hsum;
  if (!(o->gpu_fraction >= 0 && o->gpu_fraction <= 1))
    return fail (error, "gpu fraction: expected 0 .. 1");
  double wsum = 0;
  for (int i = 0; i < 4; i++)
    {
      if (!(o->gpu_weights[i] >= 0 && isfinite (o->gpu_weights[i])))
        return fail (error, "gpu weights: expected weights >= 0");
      wsum += o->gpu_weights[i];
    }
  if (o->model == WL_SYNTH_GPU_MIX && o->gpu_fraction > 0 && !(wsum > 0))
    return fail (error, "gpu weights: at least one must be > 0");
  if (o->model == WL_SYNTH_GPU_MIX
      && (o->gpus_per_node < 1 || o->gpus_per_node > 1024 || o->cpus_per_gpu < 1
          || o->cpus_per_gpu > 1024 || o->mem_per_gpu_mb > (G_GUINT64_CONSTANT (1) << 30)))
    return fail (error, "gpus per node and CPUs per GPU: expected 1 .. 1024; memory per GPU "
                 "at most 2^30 MB");
  return TRUE;
}

static double
gpu_mean (const WlSynthOptions *o)
{
  double w = 0, m = 0;
  for (int i = 0; i < 4; i++)
    {
      w += o->gpu_weights[i];
      m += o->gpu_weights[i] * gpu_counts[i];
    }
  return w > 0 ? m / w : 0;
}

double
wl_synth_mean_rate (const WlSynthOptions *o)
{
  g_return_val_if_fail (o != NULL, 0);
  if (o->load <= 0)
    return 1.0 / o->interarrival;
  double n = o->nodes;
  switch (o->model)
    {
    case WL_SYNTH_DOWNEY:
      {
        WlDist rt = { WL_DIST_LOGUNIFORM, o->rt_min, o->rt_max };
        double size = o->nodes > 1 ? (n - 1) / log (n) : 1;
        return o->load * n / (size * wl_dist_mean (&rt));
      }
    case WL_SYNTH_GPU_MIX:
      if (o->gpu_fraction > 0)
        return o->load * n * o->gpus_per_node
               / (o->gpu_fraction * gpu_mean (o) * wl_dist_mean (&o->runtime_dist));
      return o->load * n * o->gpus_per_node * o->cpus_per_gpu
             / (wl_dist_mean (&o->size_dist) * wl_dist_mean (&o->runtime_dist));
    case WL_SYNTH_POISSON:
    default:
      return o->load * n / (wl_dist_mean (&o->size_dist) * wl_dist_mean (&o->runtime_dist));
    }
}

/* ---- the reader ------------------------------------------------------------------------- */

typedef struct {
  WlReader            parent;
  WlSynthOptions      opts;
  gsl_rng            *rng;
  gsl_ran_discrete_t *users;
  gsl_ran_discrete_t *gpus;
  double              rate;          /* mean arrivals per second */
  double              cmax;          /* max of the daily profile (mean 1) */
  double              hourly[24];    /* normalized to mean 1 */
  gboolean            hourly_used;   /* else the sinusoid */
  double              now;           /* arrival clock, seconds */
  guint64             emitted;
} SynthReader;

static double
cycle (const SynthReader *s, double t)
{
  const WlSynthOptions *o = &s->opts;
  if (o->model == WL_SYNTH_DOWNEY)
    return 1;
  if (s->hourly_used)
    return s->hourly[(int) fmod (floor (t / 3600), 24)];
  return 1 + o->amplitude * cos (2 * G_PI * (t - o->peak_hour * 3600) / 86400);
}

/* Advances the clock to the next arrival (thinning). */
static void
next_arrival (SynthReader *s)
{
  double lmax = s->rate * s->cmax;
  for (guint guard = 0; guard < 1000000; guard++)
    {
      s->now += gsl_ran_exponential (s->rng, 1.0 / lmax);
      double u = gsl_rng_uniform (s->rng);
      if (u * s->cmax <= cycle (s, s->now))
        return;
    }
}

static gboolean
synth_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  (void) error;
  SynthReader *s = (SynthReader *) r;
  const WlSynthOptions *o = &s->opts;
  *eof = s->emitted >= o->n_jobs;
  if (*eof)
    return TRUE;
  if (s->emitted > 0)
    next_arrival (s);
  sched_job_spec_init (&out->spec);
  SchedJobSpec *j = &out->spec;
  j->id = (SchedJobId) (s->emitted + 1);
  j->submit = (SchedTime) floor (s->now);
  double runtime;
  switch (o->model)
    {
    case WL_SYNTH_DOWNEY:
      {
        double x = gsl_ran_flat (s->rng, 0, log ((double) o->nodes));
        double size = floor (exp (x) + 0.5);
        j->tasks = (guint32) CLAMP (size, 1, (double) o->nodes);
        runtime = exp (gsl_ran_flat (s->rng, log (o->rt_min), log (o->rt_max)));
        break;
      }
    case WL_SYNTH_GPU_MIX:
      {
        gboolean gpu = gsl_rng_uniform (s->rng) < o->gpu_fraction;
        if (gpu)
          {
            guint64 g = gpu_counts[gsl_ran_discrete (s->rng, s->gpus)];
            guint32 nodes = 0, each = 0;
            wl_gpu_layout (g, o->gpus_per_node, &nodes, &each);
            j->min_nodes = j->max_nodes = nodes;
            j->tasks = nodes;
            j->cpus_per_task = each * o->cpus_per_gpu;
            j->gpus_per_node = each;
            j->mem_per_node_mb = each * o->mem_per_gpu_mb;
          }
        else
          {
            double size = floor (dist_draw (&o->size_dist, s->rng) + 0.5);
            guint32 cpn = o->gpus_per_node * o->cpus_per_gpu;
            j->tasks = (guint32) CLAMP (size, 1, (double) cpn);
            j->min_nodes = j->max_nodes = 1;
          }
        runtime = dist_draw (&o->runtime_dist, s->rng);
        break;
      }
    case WL_SYNTH_POISSON:
    default:
      {
        double size = floor (dist_draw (&o->size_dist, s->rng) + 0.5);
        j->tasks = (guint32) CLAMP (size, 1, (double) o->nodes);
        runtime = dist_draw (&o->runtime_dist, s->rng);
        break;
      }
    }
  runtime = CLAMP (floor (runtime + 0.5), 1, 1e9);
  j->user = (guint32) gsl_ran_discrete (s->rng, s->users) + 1;
  j->group = j->user;
  out->runtime = (SchedTime) runtime;
  j->time_limit = wl_limit_synthesize (WL_LIMIT_ROUND_UP, 1, out->runtime);
  out->end_state = SCHED_JOB_COMPLETED;
  out->line = 0;
  out->extra = NULL;
  s->emitted++;
  r->counts.read++;
  r->counts.kept++;
  return TRUE;
}

static void
synth_finalize (WlReader *r)
{
  SynthReader *s = (SynthReader *) r;
  gsl_rng_free (s->rng);
  gsl_ran_discrete_free (s->users);
  if (s->gpus != NULL)
    gsl_ran_discrete_free (s->gpus);
}

static const WlReaderOps synth_ops = {
  .next = synth_next,
  .finalize = synth_finalize,
};

static const char *
dist_text (const WlDist *d, char *buf, gsize n)
{
  static const char *const names[] = { "exponential", "lognormal", "uniform", "loguniform" };
  if (d->kind == WL_DIST_EXPONENTIAL)
    g_snprintf (buf, n, "%s:%g", names[d->kind], d->a);
  else
    g_snprintf (buf, n, "%s:%g,%g", names[d->kind], d->a, d->b);
  return buf;
}

WlReader *
wl_synth_reader_new (const WlSynthOptions *opts, GError **error)
{
  g_return_val_if_fail (opts != NULL, NULL);
  if (!wl_synth_options_check (opts, error))
    return NULL;
  SynthReader *s = g_new0 (SynthReader, 1);
  wl__reader_init (&s->parent, &synth_ops, wl_synth_model_name (opts->model));
  s->opts = *opts;
  const WlSynthOptions *o = &s->opts;
  s->rng = gsl_rng_alloc (gsl_rng_mt19937);
  gsl_rng_set (s->rng, (unsigned long) (guint32) (o->seed ^ (o->seed >> 32)));
  double *w = g_new (double, o->n_users);
  for (guint32 k = 0; k < o->n_users; k++)
    w[k] = 1.0 / (k + 1);
  s->users = gsl_ran_discrete_preproc (o->n_users, w);
  g_free (w);
  if (o->model == WL_SYNTH_GPU_MIX && o->gpu_fraction > 0)
    s->gpus = gsl_ran_discrete_preproc (4, o->gpu_weights);
  double hsum = 0;
  for (int h = 0; h < 24; h++)
    hsum += o->hourly[h];
  s->hourly_used = hsum > 0;
  s->cmax = 1 + o->amplitude;
  if (o->model == WL_SYNTH_DOWNEY)
    s->cmax = 1;
  if (s->hourly_used)
    {
      s->cmax = 0;
      for (int h = 0; h < 24; h++)
        {
          s->hourly[h] = o->hourly[h] * 24 / hsum;
          s->cmax = MAX (s->cmax, s->hourly[h]);
        }
    }
  s->rate = wl_synth_mean_rate (o);

  WlTraceInfo *info = &s->parent.info;
  GPtrArray *h = info->header_lines;
  char b1[64], b2[64];
  g_ptr_array_add (h, g_strdup_printf ("; Computer: synthetic (sluice gen --model %s)",
                                       wl_synth_model_name (o->model)));
  g_ptr_array_add (h, g_strdup_printf ("; Note: seed %" G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT
                                       " jobs, %u nodes, mean arrival rate %.6g/s (load %g)",
                                       o->seed, o->n_jobs, o->nodes, s->rate, o->load));
  switch (o->model)
    {
    case WL_SYNTH_DOWNEY:
      g_ptr_array_add (h, g_strdup_printf ("; Note: Downey (1997): log-uniform run time on "
                                           "[%g, %g] s and size on [1, %u]; Poisson arrivals",
                                           o->rt_min, o->rt_max, o->nodes));
      break;
    case WL_SYNTH_GPU_MIX:
      g_ptr_array_add (h, g_strdup_printf ("; Note: GPU mix: %g GPU jobs, 1/2/4/8 GPUs with "
                                           "weights %g/%g/%g/%g, %u CPUs and %" G_GUINT64_FORMAT
                                           " MB per GPU; CPU job sizes %s; run times %s",
                                           o->gpu_fraction, o->gpu_weights[0],
                                           o->gpu_weights[1], o->gpu_weights[2],
                                           o->gpu_weights[3], o->cpus_per_gpu,
                                           o->mem_per_gpu_mb,
                                           dist_text (&o->size_dist, b1, sizeof b1),
                                           dist_text (&o->runtime_dist, b2, sizeof b2)));
      break;
    case WL_SYNTH_POISSON:
    default:
      g_ptr_array_add (h, g_strdup_printf ("; Note: Poisson arrivals with a daily cycle; sizes "
                                           "%s; run times %s",
                                           dist_text (&o->size_dist, b1, sizeof b1),
                                           dist_text (&o->runtime_dist, b2, sizeof b2)));
      break;
    }
  if (o->model != WL_SYNTH_DOWNEY)
    g_ptr_array_add (h, s->hourly_used
                            ? g_strdup ("; Note: daily cycle from a 24-hour profile")
                            : g_strdup_printf ("; Note: daily cycle 1 + %g cos(2 pi (t - %gh) "
                                               "/ 24h)", o->amplitude, o->peak_hour));
  if (o->model == WL_SYNTH_GPU_MIX)
    {
      info->max_nodes = o->nodes;
      info->cpus_per_node = (gint64) o->gpus_per_node * o->cpus_per_gpu;
      info->gpus_per_node = o->gpus_per_node;
      info->mem_per_node_mb = (gint64) (o->gpus_per_node * o->mem_per_gpu_mb);
      info->max_procs = info->max_nodes * info->cpus_per_node;
    }
  else
    {
      info->max_procs = o->nodes;
      info->max_nodes = o->nodes;
    }
  return &s->parent;
}
