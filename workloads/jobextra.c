/* SPDX-License-Identifier: MIT */
/* workloads/jobextra.c - WlJobExtra records and the Slurm syntax of dependencies, arrays and
 * constraints.
 *
 * The parsers walk their string once by hand and say what they expected; nothing is kept
 * between calls.  Array specs become a fixed bitmap of WL_ARRAY_MAX_INDEX + 1 bits (125
 * bytes), so repeated and overlapping items cost nothing and tasks come out in index order.
 * Constraints are checked by the core's parser (sched/constraint.h), the one the scheduler
 * compiles them with, so what is accepted here is what the core understands. */
#include "workloads/jobextra.h"
#include "workloads/trace.h"
#include "sched/constraint.h"

#include <string.h>

#define MAX_DELAY_MINUTES (G_GINT64_CONSTANT (1) << 30)

static const char *const dep_names[WL_DEP_N] = {
  [WL_DEP_AFTER] = "after",
  [WL_DEP_AFTERANY] = "afterany",
  [WL_DEP_AFTERBURSTBUFFER] = "afterburstbuffer",
  [WL_DEP_AFTERCORR] = "aftercorr",
  [WL_DEP_AFTERNOTOK] = "afternotok",
  [WL_DEP_AFTEROK] = "afterok",
  [WL_DEP_SINGLETON] = "singleton",
};

const char *
wl_dep_type_name (WlDepType type)
{
  g_return_val_if_fail ((guint) type < WL_DEP_N, "unknown");
  return dep_names[type];
}

/* ---- records ---------------------------------------------------------------------------- */

WlJobExtra *
wl_job_extra_new (void)
{
  WlJobExtra *e = g_new0 (WlJobExtra, 1);
  e->begin = SCHED_TIME_NEVER;
  return e;
}

WlJobExtra *
wl_job_extra_copy (const WlJobExtra *e)
{
  g_return_val_if_fail (e != NULL, NULL);
  WlJobExtra *c = g_new (WlJobExtra, 1);
  *c = *e;
  c->name = g_strdup (e->name);
  c->user_name = g_strdup (e->user_name);
  c->group_name = g_strdup (e->group_name);
  c->account = g_strdup (e->account);
  c->qos = g_strdup (e->qos);
  c->partition = g_strdup (e->partition);
  c->gpu_type = g_strdup (e->gpu_type);
  c->gres = g_strdup (e->gres);
  c->features = g_strdup (e->features);
  c->dependency = g_strdup (e->dependency);
  c->deps = e->n_deps > 0 ? g_memdup2 (e->deps, sizeof (WlDependency) * e->n_deps) : NULL;
  return c;
}

void
wl_job_extra_free (WlJobExtra *e)
{
  if (e == NULL)
    return;
  g_free (e->name);
  g_free (e->user_name);
  g_free (e->group_name);
  g_free (e->account);
  g_free (e->qos);
  g_free (e->partition);
  g_free (e->gpu_type);
  g_free (e->gres);
  g_free (e->features);
  g_free (e->dependency);
  g_free (e->deps);
  g_free (e);
}

gboolean
wl_job_extra_equal (const WlJobExtra *a, const WlJobExtra *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (g_strcmp0 (a->name, b->name) != 0 || g_strcmp0 (a->user_name, b->user_name) != 0
      || g_strcmp0 (a->group_name, b->group_name) != 0
      || g_strcmp0 (a->account, b->account) != 0 || g_strcmp0 (a->qos, b->qos) != 0
      || g_strcmp0 (a->partition, b->partition) != 0
      || g_strcmp0 (a->gpu_type, b->gpu_type) != 0 || g_strcmp0 (a->gres, b->gres) != 0
      || g_strcmp0 (a->features, b->features) != 0
      || g_strcmp0 (a->dependency, b->dependency) != 0)
    return FALSE;
  if (a->n_deps != b->n_deps || a->deps_any != b->deps_any)
    return FALSE;
  for (guint i = 0; i < a->n_deps; i++)
    if (a->deps[i].type != b->deps[i].type || a->deps[i].job != b->deps[i].job
        || a->deps[i].task != b->deps[i].task || a->deps[i].delay != b->deps[i].delay)
      return FALSE;
  return a->array_job_id == b->array_job_id && a->array_task_id == b->array_task_id
         && a->array_task_throttle == b->array_task_throttle && a->hold == b->hold
         && a->begin == b->begin && a->mem_per_cpu_mb == b->mem_per_cpu_mb
         && a->gpus_per_job == b->gpus_per_job
         && a->time_limit_unlimited == b->time_limit_unlimited
         && a->has_exit_code == b->has_exit_code && a->exit_code == b->exit_code
         && a->exit_signal == b->exit_signal;
}

/* ---- small helpers ---------------------------------------------------------------------- */

/* Reads 1..12 digits at *p (advancing it) into *out. */
static gboolean
digits (const char **p, const char *end, gint64 *out)
{
  const char *q = *p;
  gint64 v = 0;
  while (q < end && g_ascii_isdigit (*q))
    {
      if (q - *p >= 12)
        return FALSE;
      v = v * 10 + (*q - '0');
      q++;
    }
  if (q == *p)
    return FALSE;
  *p = q;
  *out = v;
  return TRUE;
}

/* ---- dependencies ----------------------------------------------------------------------- */

static gboolean
dep_type_from (const char *s, gsize len, WlDepType *out)
{
  for (guint i = 0; i < WL_DEP_N; i++)
    if (strlen (dep_names[i]) == len && g_ascii_strncasecmp (s, dep_names[i], len) == 0)
      {
        *out = (WlDepType) i;
        return TRUE;
      }
  return FALSE;
}

/* Parses one term [s, end) into `out`.  FALSE with `error` set. */
static gboolean
dep_term (const char *whole, const char *s, const char *end, GArray *out, GError **error)
{
  g_autofree char *term = g_strndup (s, (gsize) (end - s));
  if (s == end)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "empty term in \"%s\"", whole);
      return FALSE;
    }
  const char *colon = memchr (s, ':', (gsize) (end - s));
  const char *tend = colon != NULL ? colon : end;
  WlDepType type;
  if (!dep_type_from (s, (gsize) (tend - s), &type))
    {
      g_autofree char *tname = g_strndup (s, (gsize) (tend - s));
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "unknown dependency type \"%s\" (expected after, afterany, "
                   "afterburstbuffer, aftercorr, afternotok, afterok or singleton)", tname);
      return FALSE;
    }
  if (type == WL_DEP_SINGLETON)
    {
      if (colon != NULL)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "\"singleton\" takes no job ids, got \"%s\"", term);
          return FALSE;
        }
      WlDependency d = { WL_DEP_SINGLETON, 0, -1, 0 };
      g_array_append_val (out, d);
      return TRUE;
    }
  if (colon == NULL || colon + 1 == end)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "\"%s\" needs job ids (%s:jobid[:jobid...]), got \"%s\"", dep_names[type],
                   dep_names[type], term);
      return FALSE;
    }
  const char *p = colon + 1;
  while (p <= end)
    {
      const char *q = memchr (p, ':', (gsize) (end - p));
      const char *jend = q != NULL ? q : end;
      const char *r = p;
      gint64 job = 0, task = -1, minutes = 0;
      gboolean ok = digits (&r, jend, &job) && job >= 1 && job <= G_MAXUINT32;
      if (ok && r < jend && *r == '_')
        {
          r++;
          ok = digits (&r, jend, &task) && task <= G_MAXINT32;
        }
      if (ok && r < jend && *r == '+')
        {
          if (type != WL_DEP_AFTER)
            {
              g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                           "only \"after\" takes a delay (+minutes), got \"%s\"", term);
              return FALSE;
            }
          r++;
          ok = digits (&r, jend, &minutes) && minutes <= MAX_DELAY_MINUTES;
        }
      if (!ok || r != jend)
        {
          g_autofree char *jid = g_strndup (p, (gsize) (jend - p));
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "bad job id \"%s\" in \"%s\" (expected a number from 1 to 4294967295, "
                       "or jobid_task for an array task%s)", jid, term,
                       type == WL_DEP_AFTER ? ", then optionally +minutes" : "");
          return FALSE;
        }
      WlDependency d = { type, (SchedJobId) job, task, minutes * 60 };
      g_array_append_val (out, d);
      if (q == NULL)
        break;
      p = q + 1;
    }
  return TRUE;
}

gboolean
wl_parse_dependency (const char *s, GArray *out, gboolean *any, GError **error)
{
  g_return_val_if_fail (s != NULL && out != NULL && any != NULL, FALSE);
  gboolean comma = strchr (s, ',') != NULL, question = strchr (s, '?') != NULL;
  if (comma && question)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "use ',' (all must hold) or '?' (any one suffices) between terms, not both: "
                   "\"%s\"", s);
      return FALSE;
    }
  char sep = question ? '?' : ',';
  guint before = out->len;
  const char *p = s, *end = s + strlen (s);
  for (;;)
    {
      const char *q = memchr (p, sep, (gsize) (end - p));
      if (!dep_term (s, p, q != NULL ? q : end, out, error))
        {
          g_array_set_size (out, before);
          return FALSE;
        }
      if (q == NULL)
        break;
      p = q + 1;
    }
  *any = question;
  return TRUE;
}

/* ---- arrays ----------------------------------------------------------------------------- */

static gboolean
bad_array (const char *s, GError **error)
{
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
               "bad array \"%s\": expected N, N-M or N-M:S items separated by ',', then "
               "optionally %%T (at most T tasks at once), with indices from 0 to %d", s,
               WL_ARRAY_MAX_INDEX);
  return FALSE;
}

gboolean
wl_parse_array (const char *s, WlArraySpec *out, GError **error)
{
  g_return_val_if_fail (s != NULL && out != NULL, FALSE);
  WlArraySpec a;
  memset (&a, 0, sizeof a);
  const char *end = s + strlen (s);
  const char *pct = strchr (s, '%');
  if (pct != NULL)
    {
      const char *p = pct + 1;
      gint64 t;
      if (!digits (&p, end, &t) || p != end || t < 1 || t > G_MAXUINT32)
        return bad_array (s, error);
      a.throttle = (guint32) t;
      end = pct;
    }
  if (end == s)
    return bad_array (s, error);
  const char *p = s;
  for (;;)
    {
      gint64 lo, hi, step = 1;
      if (!digits (&p, end, &lo))
        return bad_array (s, error);
      hi = lo;
      if (p < end && *p == '-')
        {
          p++;
          if (!digits (&p, end, &hi))
            return bad_array (s, error);
          if (p < end && *p == ':')
            {
              p++;
              if (!digits (&p, end, &step) || step < 1)
                return bad_array (s, error);
            }
        }
      if (hi > WL_ARRAY_MAX_INDEX)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "array \"%s\": index %" G_GINT64_FORMAT " is above %d, the largest "
                       "sluice numbers (list larger arrays' tasks as separate jobs)", s, hi,
                       WL_ARRAY_MAX_INDEX);
          return FALSE;
        }
      if (hi < lo)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "array \"%s\": range %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                       " ends before it starts", s, lo, hi);
          return FALSE;
        }
      for (gint64 i = lo; i <= hi; i += step)
        if (!(a.bits[i / 8] & (1u << (i % 8))))
          {
            a.bits[i / 8] |= (guint8) (1u << (i % 8));
            a.n_tasks++;
            a.max_index = MAX (a.max_index, (guint32) i);
          }
      if (p == end)
        break;
      if (*p != ',')
        return bad_array (s, error);
      p++;
    }
  *out = a;
  return TRUE;
}

gint
wl_array_spec_next (const WlArraySpec *a, gint after)
{
  g_return_val_if_fail (a != NULL, -1);
  for (gint i = MAX (after + 1, 0); i <= (gint) a->max_index; i++)
    if (a->bits[i / 8] & (1u << (i % 8)))
      return i;
  return -1;
}

/* ---- constraints ------------------------------------------------------------------------ */

gboolean
wl_check_constraint (const char *s, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  gsize pos;
  SchedConstraintSyntax syntax = sched_constraint_check (s, &pos);
  if (syntax == SCHED_CONSTRAINT_VALID)
    return TRUE;
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
               "bad constraint \"%s\": expected %s at position %d", s,
               sched_constraint_syntax_expected (syntax), (int) pos + 1);
  return FALSE;
}
