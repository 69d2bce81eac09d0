/* SPDX-License-Identifier: MIT */
/* workloads/transform.c - window, filter, first N, limit models, load scaling and TIMEOUT
 * resubmission as a WlReader wrapping a WlReader (transform.h lists the rules).
 *
 * The wrapper pulls one job at a time from the inner reader and keeps at most one of them
 * "peeked" (with a copy of its extra) while resubmitted copies, held in a queue sorted by
 * submit time, go out first.  Counts: after each inner read the inner reader's new counts
 * are added to the wrapper's (so counts the driver adds to the wrapper stay), then the
 * wrapper moves a job it drops from kept to its skip reason.  O(1) memory plus the copies
 * in flight. */
#include "workloads/transform.h"
#include "workloads/jobextra.h"
#include "workloads/rows.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

/* ---- filters ---------------------------------------------------------------------------- */

typedef enum {
  K_USER, K_GROUP, K_PARTITION, K_STATE, K_MIN_PROCS, K_MAX_PROCS, K_MIN_GPUS, K_MAX_GPUS,
  K_MIN_RUNTIME, K_MAX_RUNTIME, K_N
} FilterKey;

static const char *const key_names[K_N] = {
  "user", "group", "partition", "state", "min-procs", "max-procs", "min-gpus", "max-gpus",
  "min-runtime", "max-runtime",
};

struct _WlFilter {
  GStrv    values[K_N];   /* alternatives for the name keys, NULL when not given */
  gboolean has[K_N];
  guint64  bound[K_N];    /* the numeric keys */
};

void
wl_filter_free (WlFilter *f)
{
  if (f == NULL)
    return;
  for (guint k = 0; k < K_N; k++)
    g_strfreev (f->values[k]);
  g_free (f);
}

WlFilter *
wl_filter_parse (const char *text, GError **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_autoptr (WlFilter) f = g_new0 (WlFilter, 1);
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      if (*item == '\0')
        continue;
      char *eq = strchr (item, '=');
      if (eq == NULL)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "filter: \"%s\": expected key=value (keys: user, group, partition, "
                       "state, min-procs, max-procs, min-gpus, max-gpus, min-runtime, "
                       "max-runtime)", item);
          return NULL;
        }
      *eq = '\0';
      const char *key = g_strstrip (item), *value = g_strstrip (eq + 1);
      guint k = 0;
      while (k < K_N && g_ascii_strcasecmp (key, key_names[k]) != 0)
        k++;
      if (k == K_N)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "filter: unknown key \"%s\" (expected user, group, partition, state, "
                       "min-procs, max-procs, min-gpus, max-gpus, min-runtime, max-runtime)",
                       key);
          return NULL;
        }
      if (*value == '\0')
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "filter: key \"%s\": expected a value", key);
          return NULL;
        }
      f->has[k] = TRUE;
      if (k <= K_STATE)
        {
          g_strfreev (f->values[k]);
          f->values[k] = g_strsplit (value, "|", -1);
          if (k == K_STATE)
            for (guint j = 0; f->values[k][j] != NULL; j++)
              {
                gboolean known = FALSE;
                for (int s = SCHED_JOB_COMPLETED; s < SCHED_JOB_N_STATES; s++)
                  known |= g_ascii_strcasecmp (f->values[k][j], sched_job_state_name (s)) == 0;
                if (!known)
                  {
                    g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                                 "filter: key \"state\": expected COMPLETED, FAILED, "
                                 "CANCELLED, TIMEOUT or NODE_FAIL, got \"%s\"",
                                 f->values[k][j]);
                    return NULL;
                  }
              }
          continue;
        }
      char *end = NULL;
      guint64 v = g_ascii_strtoull (value, &end, 10);
      if (end == value || *end != '\0' || *value == '-')
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "filter: key \"%s\": expected a whole number >= 0, got \"%s\"", key,
                       value);
          return NULL;
        }
      f->bound[k] = v;
    }
  return g_steal_pointer (&f);
}

static gboolean
name_matches (GStrv alts, guint64 number, gboolean has_number, const char *name)
{
  for (guint j = 0; alts[j] != NULL; j++)
    {
      if (name != NULL && strcmp (alts[j], name) == 0)
        return TRUE;
      char *end = NULL;
      guint64 v = g_ascii_strtoull (alts[j], &end, 10);
      if (has_number && end != alts[j] && *end == '\0' && v == number)
        return TRUE;
    }
  return FALSE;
}

gboolean
wl_filter_match (const WlFilter *f, const WlJob *job)
{
  g_return_val_if_fail (f != NULL && job != NULL, FALSE);
  const SchedJobSpec *s = &job->spec;
  const WlJobExtra *e = job->extra;
  if (f->has[K_USER] && !name_matches (f->values[K_USER], s->user, TRUE,
                                       e != NULL ? e->user_name : NULL))
    return FALSE;
  if (f->has[K_GROUP] && !name_matches (f->values[K_GROUP], s->group, TRUE,
                                        e != NULL ? e->group_name : NULL))
    return FALSE;
  if (f->has[K_PARTITION])
    {
      const char *name = e != NULL ? e->partition : NULL;
      g_autofree char *first = name != NULL ? g_strndup (name, strcspn (name, ",")) : NULL;
      gboolean ok = name_matches (f->values[K_PARTITION], (guint64) MAX (s->partition, 0),
                                  s->partition >= 0, first);
      if (!ok && s->partition < 0 && name == NULL)
        ok = g_strv_contains ((const char *const *) f->values[K_PARTITION], "default");
      if (!ok)
        return FALSE;
    }
  if (f->has[K_STATE])
    {
      gboolean ok = FALSE;
      for (guint j = 0; f->values[K_STATE][j] != NULL; j++)
        ok |= g_ascii_strcasecmp (f->values[K_STATE][j],
                                  sched_job_state_name (job->end_state)) == 0;
      if (!ok)
        return FALSE;
    }
  guint64 procs = sched_job_spec_cpus (s);
  guint64 gpus = (guint64) s->gpus_per_node * MAX (s->min_nodes, 1);
  guint64 run = (guint64) MAX (job->runtime, 0);
  if ((f->has[K_MIN_PROCS] && procs < f->bound[K_MIN_PROCS])
      || (f->has[K_MAX_PROCS] && procs > f->bound[K_MAX_PROCS])
      || (f->has[K_MIN_GPUS] && gpus < f->bound[K_MIN_GPUS])
      || (f->has[K_MAX_GPUS] && gpus > f->bound[K_MAX_GPUS])
      || (f->has[K_MIN_RUNTIME] && run < f->bound[K_MIN_RUNTIME])
      || (f->has[K_MAX_RUNTIME] && run > f->bound[K_MAX_RUNTIME]))
    return FALSE;
  return TRUE;
}

/* ---- option parsing --------------------------------------------------------------------- */

void
wl_transform_options_init (WlTransformOptions *opts)
{
  g_return_if_fail (opts != NULL);
  memset (opts, 0, sizeof *opts);
  opts->window_start = SCHED_TIME_NEVER;
  opts->window_end = SCHED_TIME_NEVER;
  opts->load_scale = 1.0;
  opts->limit_seed = 1;
  opts->resubmit_id_offset = 1000000000u;
}

gboolean
wl_transform_options_is_identity (const WlTransformOptions *o)
{
  g_return_val_if_fail (o != NULL, TRUE);
  return o->window_start == SCHED_TIME_NEVER && o->window_end == SCHED_TIME_NEVER
         && o->filter == NULL && o->first == 0 && o->limit_model == WL_LIMIT_MODEL_NONE
         && o->load_scale == 1.0 && !o->resubmit_timeouts;
}

gboolean
wl_limit_model_parse (const char *text, WlTransformOptions *opts, GError **error)
{
  g_return_val_if_fail (text != NULL && opts != NULL, FALSE);
  if (g_ascii_strcasecmp (text, "exact") == 0)
    opts->limit_model = WL_LIMIT_MODEL_EXACT;
  else if (g_ascii_strcasecmp (text, "tsafrir") == 0)
    opts->limit_model = WL_LIMIT_MODEL_TSAFRIR;
  else if (g_ascii_strncasecmp (text, "factor:", 7) == 0)
    {
      char *end = NULL;
      double f = g_ascii_strtod (text + 7, &end);
      if (end == text + 7 || *end != '\0' || !(f > 0) || f > 1e6)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "limit model \"%s\": factor:F needs a number F > 0 (factor:2)", text);
          return FALSE;
        }
      opts->limit_model = WL_LIMIT_MODEL_FACTOR;
      opts->limit_factor = f;
    }
  else
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "limit model \"%s\": expected exact, factor:F or tsafrir", text);
      return FALSE;
    }
  return TRUE;
}

gboolean
wl_transform_parse_time (const char *text, gint64 unix_start, SchedTime *out, GError **error)
{
  g_return_val_if_fail (text != NULL && out != NULL, FALSE);
  gsize len = strlen (text);
  SchedTime t;
  gboolean date = strchr (text, '-') != NULL || strchr (text, 'T') != NULL;
  if (wl_parse_time (text, len, NULL, &t) != WL_PARSE_OK)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "window bound \"%s\": expected seconds (>= 0) or a date "
                   "(2024-05-01T12:00:00Z)", text);
      return FALSE;
    }
  if (date && unix_start >= 0)
    t -= unix_start;
  *out = t;
  return TRUE;
}

gboolean
wl_transform_parse_window (const char *text, gint64 unix_start, WlTransformOptions *opts,
                           GError **error)
{
  g_return_val_if_fail (text != NULL && opts != NULL, FALSE);
  for (const char *c = strchr (text, ':'); c != NULL; c = strchr (c + 1, ':'))
    {
      g_autofree char *a = g_strndup (text, (gsize) (c - text));
      const char *b = c + 1;
      SchedTime s = SCHED_TIME_NEVER, e = SCHED_TIME_NEVER;
      if (*a != '\0' && !wl_transform_parse_time (a, unix_start, &s, NULL))
        continue;
      if (*b != '\0' && !wl_transform_parse_time (b, unix_start, &e, NULL))
        continue;
      if (s != SCHED_TIME_NEVER && e != SCHED_TIME_NEVER && e <= s)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "window \"%s\": the end must come after the start", text);
          return FALSE;
        }
      opts->window_start = s;
      opts->window_end = e;
      return TRUE;
    }
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
               "window \"%s\": expected START:END, each seconds or a date (either may be "
               "empty)", text);
  return FALSE;
}

/* ---- the limit models ------------------------------------------------------------------- */

/* Popular requested times and how often users pick them (Tsafrir, Etsion, Feitelson 2005:
 * round values, the maximum the most popular). */
static const SchedTime modal_values[] = {
  300, 600, 900, 1200, 1800, 2400, 3600, 5400, 7200, 10800, 14400, 18000, 21600, 28800,
  36000, 43200, 64800, 86400, 129600, 172800,
};
static const double modal_weights[G_N_ELEMENTS (modal_values)] = {
  .04, .03, .06, .02, .08, .01, .12, .02, .08, .04, .06, .02, .03, .04, .02, .05, .02, .04,
  .02, .20,
};

static SchedTime
modal_limit (gsl_rng *rng, SchedTime runtime)
{
  gsize n = G_N_ELEMENTS (modal_values);
  gsize first = 0;
  while (first < n && modal_values[first] < runtime)
    first++;
  double u = gsl_rng_uniform (rng);      /* drawn for every job: a fixed stream */
  if (first == n)
    return MAX (runtime, 1);
  double total = 0;
  for (gsize i = first; i < n; i++)
    total += modal_weights[i];
  double x = u * total;
  for (gsize i = first; i < n; i++)
    {
      x -= modal_weights[i];
      if (x < 0)
        return modal_values[i];
    }
  return modal_values[n - 1];
}

/* ---- the reader ------------------------------------------------------------------------- */

typedef struct {
  WlJob       job;
  WlJobExtra *extra;      /* (transfer full) or NULL */
  guint64     seq;
} Pending;

typedef struct {
  WlReader           parent;
  WlReader          *inner;
  WlTransformOptions opts;
  WlCounts           seen;         /* the inner counts already added */
  gsl_rng           *rng;
  guint64            passed;
  gboolean           have_base;
  SchedTime          base;
  GQueue             pending;      /* Pending *, by (submit, seq) */
  guint64            seq;
  gboolean           have_peek;
  WlJob              peek;         /* its extra is the inner reader's, still valid */
  gboolean           inner_eof;
  WlJobExtra        *current;      /* extra of the copy passed on last (owned) */
} TransformReader;

static void
pending_free (gpointer p)
{
  Pending *q = p;
  wl_job_extra_free (q->extra);
  g_free (q);
}

static void
sync_counts (TransformReader *t)
{
  const WlCounts *in = wl_reader_get_counts (t->inner);
  WlCounts *c = &t->parent.counts;
  for (guint i = 0; i < WL_SKIP_N; i++)
    c->skipped[i] += in->skipped[i] - t->seen.skipped[i];
  for (guint i = 0; i < WL_ADJ_N; i++)
    c->adjusted[i] += in->adjusted[i] - t->seen.adjusted[i];
  c->read += in->read - t->seen.read;
  c->kept += in->kept - t->seen.kept;
  t->seen = *in;
}

static void
drop (TransformReader *t, WlSkipReason why)
{
  t->parent.counts.kept--;
  t->parent.counts.skipped[why]++;
}

static gint
pending_cmp (gconstpointer a, gconstpointer b, gpointer data)
{
  (void) data;
  const Pending *x = a, *y = b;
  if (x->job.spec.submit != y->job.spec.submit)
    return x->job.spec.submit < y->job.spec.submit ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Pulls the next job of the inner reader that passes window and filter into t->peek, with
 * the limit model and load scaling applied.  FALSE with `error` on a reader error; sets
 * t->inner_eof at the end. */
static gboolean
fill_peek (TransformReader *t, GError **error)
{
  const WlTransformOptions *o = &t->opts;
  while (!t->have_peek && !t->inner_eof)
    {
      WlJob j;
      gboolean eof = FALSE;
      gboolean ok = wl_reader_next (t->inner, &j, &eof, error);
      sync_counts (t);
      if (!ok)
        return FALSE;
      if (eof)
        {
          t->inner_eof = TRUE;
          break;
        }
      if ((o->window_start != SCHED_TIME_NEVER && j.spec.submit < o->window_start)
          || (o->window_end != SCHED_TIME_NEVER && j.spec.submit >= o->window_end))
        {
          drop (t, WL_SKIP_OUTSIDE_WINDOW);
          continue;
        }
      if (o->filter != NULL && !wl_filter_match (o->filter, &j))
        {
          drop (t, WL_SKIP_FILTERED);
          continue;
        }
      SchedTime limit = j.spec.time_limit;
      switch (o->limit_model)
        {
        case WL_LIMIT_MODEL_EXACT:
          limit = MAX (j.runtime, 1);
          break;
        case WL_LIMIT_MODEL_FACTOR:
          limit = MAX ((SchedTime) ceil ((double) j.runtime * o->limit_factor), 1);
          break;
        case WL_LIMIT_MODEL_TSAFRIR:
          limit = modal_limit (t->rng, j.runtime);
          break;
        case WL_LIMIT_MODEL_NONE:
        default:
          break;
        }
      if (limit != j.spec.time_limit)
        {
          j.spec.time_limit = limit;
          if (j.spec.estimate > limit)
            j.spec.estimate = 0;
          t->parent.counts.adjusted[WL_ADJ_LIMIT_MODELED]++;
        }
      if (o->load_scale != 1.0)
        {
          if (!t->have_base)
            {
              t->have_base = TRUE;
              t->base = j.spec.submit;
            }
          SchedTime s = t->base
                        + (SchedTime) llround ((double) (j.spec.submit - t->base) / o->load_scale);
          if (s != j.spec.submit)
            {
              j.spec.submit = s;
              t->parent.counts.adjusted[WL_ADJ_SUBMIT_SCALED]++;
            }
        }
      t->peek = j;
      t->have_peek = TRUE;
    }
  return TRUE;
}

static gboolean
transform_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  TransformReader *t = (TransformReader *) r;
  *eof = FALSE;
  g_clear_pointer (&t->current, wl_job_extra_free);
  if (t->opts.first > 0 && t->passed >= t->opts.first)
    {
      *eof = TRUE;
      return TRUE;
    }
  if (!fill_peek (t, error))
    return FALSE;
  Pending *q = g_queue_peek_head (&t->pending);
  if (q != NULL && (!t->have_peek || q->job.spec.submit <= t->peek.spec.submit))
    {
      g_queue_pop_head (&t->pending);
      *out = q->job;
      t->current = g_steal_pointer (&q->extra);
      out->extra = t->current;
      g_free (q);
      t->parent.counts.read++;
      t->parent.counts.kept++;
      t->parent.counts.adjusted[WL_ADJ_RESUBMITTED]++;
      t->passed++;
      return TRUE;
    }
  if (!t->have_peek)
    {
      *eof = TRUE;
      return TRUE;
    }
  *out = t->peek;
  t->have_peek = FALSE;
  t->passed++;
  if (t->opts.resubmit_timeouts && out->end_state == SCHED_JOB_TIMEOUT)
    {
      Pending *c = g_new0 (Pending, 1);
      c->job = *out;
      c->job.spec.id = out->spec.id + t->opts.resubmit_id_offset;
      c->job.spec.submit = out->spec.submit + MAX (out->runtime, 1);
      c->job.end_state = SCHED_JOB_COMPLETED;
      c->job.extra = NULL;
      c->extra = out->extra != NULL ? wl_job_extra_copy (out->extra) : NULL;
      c->seq = t->seq++;
      g_queue_insert_sorted (&t->pending, c, pending_cmp, NULL);
    }
  return TRUE;
}

static void
transform_finalize (WlReader *r)
{
  TransformReader *t = (TransformReader *) r;
  wl_reader_free (t->inner);
  g_clear_pointer (&t->rng, gsl_rng_free);
  g_queue_clear_full (&t->pending, pending_free);
  g_clear_pointer (&t->current, wl_job_extra_free);
}

static const WlReaderOps transform_ops = {
  .next = transform_next,
  .finalize = transform_finalize,
};

WlReader *
wl_transform_reader_new (WlReader *inner, const WlTransformOptions *opts)
{
  g_return_val_if_fail (inner != NULL && opts != NULL, NULL);
  g_return_val_if_fail (opts->load_scale > 0 && isfinite (opts->load_scale), NULL);
  g_return_val_if_fail (opts->limit_model != WL_LIMIT_MODEL_FACTOR || opts->limit_factor > 0,
                        NULL);
  TransformReader *t = g_new0 (TransformReader, 1);
  wl__reader_init (&t->parent, &transform_ops, inner->name);
  t->inner = inner;
  t->opts = *opts;
  g_queue_init (&t->pending);
  if (opts->limit_model == WL_LIMIT_MODEL_TSAFRIR)
    {
      t->rng = gsl_rng_alloc (gsl_rng_mt19937);
      gsl_rng_set (t->rng, (unsigned long) (opts->limit_seed ^ (opts->limit_seed >> 32)));
    }
  const WlTraceInfo *in = &inner->info;
  WlTraceInfo *info = &t->parent.info;
  info->max_procs = in->max_procs;
  info->max_nodes = in->max_nodes;
  info->unix_start_time = in->unix_start_time;
  info->time_zone_string = g_strdup (in->time_zone_string);
  for (guint i = 0; in->header_lines != NULL && i < in->header_lines->len; i++)
    g_ptr_array_add (info->header_lines, g_strdup (in->header_lines->pdata[i]));
  info->cpus_per_node = in->cpus_per_node;
  info->mem_per_node_mb = in->mem_per_node_mb;
  info->gpus_per_node = in->gpus_per_node;
  info->machine_list = g_strdup (in->machine_list);
  sync_counts (t);
  return &t->parent;
}

gboolean
wl_transform_offered_load (WlReader *r, guint64 capacity_cpus, double *load, GError **error)
{
  g_return_val_if_fail (r != NULL && load != NULL && capacity_cpus > 0, FALSE);
  double work = 0;
  SchedTime first = SCHED_TIME_NEVER, last = SCHED_TIME_NEVER;
  for (;;)
    {
      WlJob j;
      gboolean eof = FALSE;
      if (!wl_reader_next (r, &j, &eof, error))
        return FALSE;
      if (eof)
        break;
      work += (double) sched_job_spec_cpus (&j.spec) * (double) MIN (j.runtime, j.spec.time_limit);
      first = first == SCHED_TIME_NEVER ? j.spec.submit : MIN (first, j.spec.submit);
      last = last == SCHED_TIME_NEVER ? j.spec.submit : MAX (last, j.spec.submit);
    }
  *load = first != SCHED_TIME_NEVER && last > first
              ? work / ((double) capacity_cpus * (double) (last - first)) : 0;
  return TRUE;
}
