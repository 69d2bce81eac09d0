/* SPDX-License-Identifier: MIT */
/* sched/qos.c - QOS and association limits (definitions in SchedLimits) and the usage
 * the core checks them against.
 *
 * The core keeps, while it has a SchedLimits: per QOS the running jobs and their TRES; per
 * QOS and user the running jobs, their TRES and the submitted (pending + running) jobs; per
 * association its own running and submitted jobs and the running jobs and TRES of its whole
 * subtree.  A job is counted as submitted when the core queues it and until it leaves the
 * core, and as running from its start to its end, with the TRES of its allocation (what it
 * holds) rather than of its request.  Checks are O(depth of the association) plus one hash
 * look-up; updates the same.  See sched/qos.h for the limits and reasons. */
#include "sched/qos-private.h"

#include <string.h>

/* ---- definitions ----------------------------------------------------------------------- */

struct _SchedLimits {
  GPtrArray  *qos_names;   /* [id] -> name; [0] unused */
  GArray     *qos;         /* SchedQosLimits, [0] unused */
  GHashTable *qos_index;   /* name -> id */
  GArray     *assoc;       /* SchedAssocLimits by association id */
  GArray     *assoc_set;   /* gboolean by association id */
};

void
sched_tres_init_unlimited (SchedTres *t)
{
  g_return_if_fail (t != NULL);
  t->cpus = t->gpus = t->mem_mb = t->nodes = SCHED_LIMIT_NONE;
}

void
sched_qos_limits_init (SchedQosLimits *q)
{
  g_return_if_fail (q != NULL);
  memset (q, 0, sizeof *q);
  q->max_wall = SCHED_TIME_NEVER;
  q->max_jobs_per_user = q->max_submit_per_user = q->grp_jobs = SCHED_LIMIT_NONE;
  sched_tres_init_unlimited (&q->max_tres_per_job);
  sched_tres_init_unlimited (&q->max_tres_per_user);
  sched_tres_init_unlimited (&q->grp_tres);
}

void
sched_assoc_limits_init (SchedAssocLimits *a)
{
  g_return_if_fail (a != NULL);
  memset (a, 0, sizeof *a);
  a->grp_jobs = a->max_jobs = a->max_submit = SCHED_LIMIT_NONE;
  sched_tres_init_unlimited (&a->grp_tres);
  sched_tres_init_unlimited (&a->max_tres_per_job);
  a->max_wall = SCHED_TIME_NEVER;
  a->default_qos = SCHED_QOS_DEFAULT;
}

SchedLimits *
sched_limits_new (void)
{
  SchedLimits *l = g_new0 (SchedLimits, 1);
  l->qos_names = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (l->qos_names, NULL);
  l->qos = g_array_new (FALSE, TRUE, sizeof (SchedQosLimits));
  g_array_set_size (l->qos, 1);
  l->qos_index = g_hash_table_new (g_str_hash, g_str_equal);
  l->assoc = g_array_new (FALSE, TRUE, sizeof (SchedAssocLimits));
  l->assoc_set = g_array_new (FALSE, TRUE, sizeof (gboolean));
  return l;
}

void
sched_limits_free (SchedLimits *l)
{
  if (l == NULL)
    return;
  g_hash_table_destroy (l->qos_index);
  g_ptr_array_free (l->qos_names, TRUE);
  g_array_free (l->qos, TRUE);
  g_array_free (l->assoc, TRUE);
  g_array_free (l->assoc_set, TRUE);
  g_free (l);
}

SchedQosId
sched_limits_add_qos (SchedLimits *l, const char *name, const SchedQosLimits *q)
{
  g_return_val_if_fail (l != NULL && name != NULL && *name != '\0' && q != NULL,
                        SCHED_QOS_INVALID);
  SchedQosId id = sched_limits_find_qos (l, name);
  if (id != SCHED_QOS_INVALID)
    {
      g_array_index (l->qos, SchedQosLimits, id) = *q;
      return id;
    }
  char *copy = g_strdup (name);
  g_ptr_array_add (l->qos_names, copy);
  g_array_append_vals (l->qos, q, 1);
  id = l->qos->len - 1;
  g_hash_table_insert (l->qos_index, copy, GUINT_TO_POINTER (id));
  return id;
}

SchedQosId
sched_limits_find_qos (const SchedLimits *l, const char *name)
{
  g_return_val_if_fail (l != NULL, SCHED_QOS_INVALID);
  gpointer v;
  if (name == NULL || !g_hash_table_lookup_extended (l->qos_index, name, NULL, &v))
    return SCHED_QOS_INVALID;
  return GPOINTER_TO_UINT (v);
}

guint
sched_limits_n_qos (const SchedLimits *l)
{
  g_return_val_if_fail (l != NULL, 0);
  return l->qos->len - 1;
}

const SchedQosLimits *
sched_limits_get_qos (const SchedLimits *l, SchedQosId id)
{
  g_return_val_if_fail (l != NULL, NULL);
  if (id == 0 || id >= l->qos->len)
    return NULL;
  return &g_array_index (l->qos, SchedQosLimits, id);
}

const char *
sched_limits_qos_name (const SchedLimits *l, SchedQosId id)
{
  g_return_val_if_fail (l != NULL, NULL);
  if (id == 0 || id >= l->qos->len)
    return NULL;
  return l->qos_names->pdata[id];
}

void
sched_limits_set_assoc (SchedLimits *l, SchedAssocId assoc, const SchedAssocLimits *a)
{
  g_return_if_fail (l != NULL && a != NULL && assoc != SCHED_ASSOC_NONE);
  if (assoc >= l->assoc->len)
    {
      g_array_set_size (l->assoc, assoc + 1);
      g_array_set_size (l->assoc_set, assoc + 1);
    }
  g_array_index (l->assoc, SchedAssocLimits, assoc) = *a;
  g_array_index (l->assoc_set, gboolean, assoc) = TRUE;
}

const SchedAssocLimits *
sched_limits_get_assoc (const SchedLimits *l, SchedAssocId assoc)
{
  g_return_val_if_fail (l != NULL, NULL);
  if (assoc >= l->assoc->len || !g_array_index (l->assoc_set, gboolean, assoc))
    return NULL;
  return &g_array_index (l->assoc, SchedAssocLimits, assoc);
}

guint32
sched_limits_max_qos_priority (const SchedLimits *l)
{
  g_return_val_if_fail (l != NULL, 0);
  guint32 m = 0;
  for (guint i = 1; i < l->qos->len; i++)
    m = MAX (m, g_array_index (l->qos, SchedQosLimits, i).priority);
  return m;
}

/* ---- usage ----------------------------------------------------------------------------- */

typedef struct {
  guint64   jobs;        /* running */
  guint64   submitted;   /* pending + running */
  SchedTres tres;        /* running */
} Use;

typedef struct {
  guint64   own_jobs;
  guint64   own_submitted;
  guint64   grp_jobs;
  SchedTres grp_tres;
} AssocUse;

struct _SchedLimitUsage {
  GArray     *qos;     /* Use by QOS id */
  GHashTable *user;    /* (qos << 32 | uid) -> Use* */
  GArray     *assoc;   /* AssocUse by association id */
};

SchedLimitUsage *
sched__limit_usage_new (void)
{
  SchedLimitUsage *u = g_new0 (SchedLimitUsage, 1);
  u->qos = g_array_new (FALSE, TRUE, sizeof (Use));
  u->user = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  u->assoc = g_array_new (FALSE, TRUE, sizeof (AssocUse));
  return u;
}

void
sched__limit_usage_free (SchedLimitUsage *u)
{
  if (u == NULL)
    return;
  g_array_free (u->qos, TRUE);
  g_hash_table_destroy (u->user);
  g_array_free (u->assoc, TRUE);
  g_free (u);
}

static Use *
qos_use (SchedLimitUsage *u, SchedQosId q)
{
  if (q >= u->qos->len)
    g_array_set_size (u->qos, q + 1);
  return &g_array_index (u->qos, Use, q);
}

/* The user's usage in QOS `q`, created when `create`; NULL when absent. */
static Use *
user_use (SchedLimitUsage *u, SchedQosId q, guint32 uid, gboolean create)
{
  gint64 key = (gint64) (((guint64) q << 32) | uid);
  Use *v = g_hash_table_lookup (u->user, &key);
  if (v == NULL && create)
    {
      /* the key is the first member: one allocation holds both */
      struct { gint64 key; Use use; } *kv = g_malloc0 (sizeof *kv);
      kv->key = key;
      v = &kv->use;
      g_hash_table_insert (u->user, &kv->key, v);
    }
  return v;
}

static AssocUse *
assoc_use (SchedLimitUsage *u, SchedAssocId a)
{
  if (a >= u->assoc->len)
    g_array_set_size (u->assoc, a + 1);
  return &g_array_index (u->assoc, AssocUse, a);
}

static void
tres_add (SchedTres *t, const SchedTres *d, int sign)
{
  if (sign > 0)
    {
      t->cpus += d->cpus, t->gpus += d->gpus, t->mem_mb += d->mem_mb, t->nodes += d->nodes;
      return;
    }
  g_assert (t->cpus >= d->cpus && t->gpus >= d->gpus && t->mem_mb >= d->mem_mb
            && t->nodes >= d->nodes);
  t->cpus -= d->cpus, t->gpus -= d->gpus, t->mem_mb -= d->mem_mb, t->nodes -= d->nodes;
}

static void
alloc_tres (const SchedJob *j, SchedTres *t)
{
  t->cpus = j->alloc.cpus;
  t->gpus = j->alloc.gpus;
  t->nodes = j->alloc.n_nodes;
  t->mem_mb = 0;
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    t->mem_mb += j->alloc.nodes[k].mem_mb;
}

static void
request_tres (const SchedJobSpec *s, SchedTres *t)
{
  guint64 nodes = MAX (s->min_nodes, 1u);
  t->cpus = sched_job_spec_cpus (s);
  t->nodes = nodes;
  t->gpus = (guint64) s->gpus_per_node * nodes;
  t->mem_mb = s->mem_per_node_mb * nodes;
}

static inline void
count (guint64 *v, int sign)
{
  if (sign > 0)
    (*v)++;
  else
    {
      g_assert (*v > 0);
      (*v)--;
    }
}

void
sched__limits_count (SchedCore *core, const SchedJob *j, SchedLimitEvent ev)
{
  SchedLimitUsage *u = core->limit_usage;
  int sign = ev == SCHED_LIMIT_SUBMIT || ev == SCHED_LIMIT_START ? 1 : -1;
  gboolean running = ev == SCHED_LIMIT_START || ev == SCHED_LIMIT_END;
  SchedTres t = { 0, 0, 0, 0 };
  if (running)
    alloc_tres (j, &t);
  if (j->qos != SCHED_QOS_DEFAULT)
    {
      Use *uu = user_use (u, j->qos, j->spec.user, TRUE);
      if (running)
        {
          Use *qu = qos_use (u, j->qos);
          count (&qu->jobs, sign);
          tres_add (&qu->tres, &t, sign);
          count (&uu->jobs, sign);
          tres_add (&uu->tres, &t, sign);
        }
      else
        count (&uu->submitted, sign);
    }
  if (j->assoc == SCHED_ASSOC_NONE || core->priority == NULL)
    return;
  AssocUse *own = assoc_use (u, j->assoc);
  if (!running)
    {
      count (&own->own_submitted, sign);
      return;
    }
  count (&own->own_jobs, sign);
  for (SchedAssocId a = j->assoc; a != SCHED_ASSOC_NONE;
       a = sched_priority_assoc_parent (core->priority, a))
    {
      AssocUse *au = assoc_use (u, a);
      count (&au->grp_jobs, sign);
      tres_add (&au->grp_tres, &t, sign);
    }
}

/* ---- checks ---------------------------------------------------------------------------- */

/* The first resource of `need` over `limit` given `used`: 0 cpu, 1 gpu, 2 mem, 3 node; -1
 * if none. */
static int
tres_over (const SchedTres *used, const SchedTres *need, const SchedTres *limit)
{
  const guint64 u[4] = { used->cpus, used->gpus, used->mem_mb, used->nodes };
  const guint64 n[4] = { need->cpus, need->gpus, need->mem_mb, need->nodes };
  const guint64 l[4] = { limit->cpus, limit->gpus, limit->mem_mb, limit->nodes };
  for (int i = 0; i < 4; i++)
    if (l[i] != SCHED_LIMIT_NONE && n[i] > 0 && u[i] + n[i] > l[i])
      return i;
  return -1;
}

static const SchedTres zero_tres = { 0, 0, 0, 0 };

/* Inherited per-association limits: the nearest ancestor's value of each. */
typedef struct {
  guint64   max_jobs, max_submit;
  SchedTres max_tres_per_job;
  SchedTime max_wall;
} Inherited;

static void
inherited (const SchedCore *core, SchedAssocId assoc, Inherited *out)
{
  out->max_jobs = out->max_submit = SCHED_LIMIT_NONE;
  sched_tres_init_unlimited (&out->max_tres_per_job);
  out->max_wall = SCHED_TIME_NEVER;
  gboolean jobs = FALSE, submit = FALSE, wall = FALSE, t[4] = { FALSE, FALSE, FALSE, FALSE };
  for (SchedAssocId a = assoc; a != SCHED_ASSOC_NONE;
       a = sched_priority_assoc_parent (core->priority, a))
    {
      const SchedAssocLimits *al = sched_limits_get_assoc (core->limits, a);
      if (al == NULL)
        continue;
#define TAKE(flag, dst, src, none) \
      if (!flag && (src) != (none)) { dst = src; flag = TRUE; }
      TAKE (jobs, out->max_jobs, al->max_jobs, SCHED_LIMIT_NONE);
      TAKE (submit, out->max_submit, al->max_submit, SCHED_LIMIT_NONE);
      TAKE (wall, out->max_wall, al->max_wall, SCHED_TIME_NEVER);
      TAKE (t[0], out->max_tres_per_job.cpus, al->max_tres_per_job.cpus, SCHED_LIMIT_NONE);
      TAKE (t[1], out->max_tres_per_job.gpus, al->max_tres_per_job.gpus, SCHED_LIMIT_NONE);
      TAKE (t[2], out->max_tres_per_job.mem_mb, al->max_tres_per_job.mem_mb, SCHED_LIMIT_NONE);
      TAKE (t[3], out->max_tres_per_job.nodes, al->max_tres_per_job.nodes, SCHED_LIMIT_NONE);
#undef TAKE
    }
}

SchedQosId
sched__limits_resolve_qos (const SchedCore *core, SchedQosId qos, SchedAssocId assoc)
{
  if (qos != SCHED_QOS_DEFAULT)
    return qos;
  if (assoc != SCHED_ASSOC_NONE && core->priority != NULL)
    for (SchedAssocId a = assoc; a != SCHED_ASSOC_NONE;
         a = sched_priority_assoc_parent (core->priority, a))
      {
        const SchedAssocLimits *al = sched_limits_get_assoc (core->limits, a);
        if (al && al->default_qos != SCHED_QOS_DEFAULT)
          return al->default_qos;
      }
  SchedQosId normal = sched_limits_find_qos (core->limits, "normal");
  return normal == SCHED_QOS_INVALID ? SCHED_QOS_DEFAULT : normal;
}

static gboolean
listed (const char *const *list, const char *name)
{
  if (list == NULL)
    return TRUE;
  for (guint i = 0; name != NULL && list[i] != NULL; i++)
    if (strcmp (list[i], name) == 0)
      return TRUE;
  return FALSE;
}

SchedReason
sched__limits_submit_check (const SchedCore *core, const SchedJobSpec *s, gint32 part,
                            SchedAssocId assoc, SchedQosId qos)
{
  static const SchedReason qos_job[4] = {
    SCHED_REASON_QOS_MAX_CPU_PER_JOB, SCHED_REASON_QOS_MAX_GRES_PER_JOB,
    SCHED_REASON_QOS_MAX_MEM_PER_JOB, SCHED_REASON_QOS_MAX_NODE_PER_JOB,
  };
  static const SchedReason qos_user[4] = {
    SCHED_REASON_QOS_MAX_CPU_PER_USER, SCHED_REASON_QOS_MAX_GRES_PER_USER,
    SCHED_REASON_QOS_MAX_MEM_PER_USER, SCHED_REASON_QOS_MAX_NODE_PER_USER,
  };
  static const SchedReason qos_grp[4] = {
    SCHED_REASON_QOS_GRP_CPU, SCHED_REASON_QOS_GRP_GRES, SCHED_REASON_QOS_GRP_MEM,
    SCHED_REASON_QOS_GRP_NODE,
  };
  static const SchedReason assoc_job[4] = {
    SCHED_REASON_ASSOC_MAX_CPU_PER_JOB, SCHED_REASON_ASSOC_MAX_GRES_PER_JOB,
    SCHED_REASON_ASSOC_MAX_MEM_PER_JOB, SCHED_REASON_ASSOC_MAX_NODE_PER_JOB,
  };
  static const SchedReason assoc_grp[4] = {
    SCHED_REASON_ASSOC_GRP_CPU, SCHED_REASON_ASSOC_GRP_GRES, SCHED_REASON_ASSOC_GRP_MEM,
    SCHED_REASON_ASSOC_GRP_NODE,
  };
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  if (qos == SCHED_QOS_INVALID
      || (qos != SCHED_QOS_DEFAULT && sched_limits_get_qos (core->limits, qos) == NULL))
    return SCHED_REASON_INVALID_QOS;
  const char *qname = qos == SCHED_QOS_DEFAULT ? "normal" : sched_limits_qos_name (core->limits, qos);
  if (!listed (p->allow_qos, qname))
    return SCHED_REASON_QOS_NOT_ALLOWED;
  if (p->allow_accounts != NULL && assoc != SCHED_ASSOC_NONE && core->priority != NULL)
    {
      SchedAssocInfo info;
      sched_priority_assoc_info (core->priority, assoc, &info);
      if (!listed (p->allow_accounts, info.is_user ? info.account : info.name))
        return SCHED_REASON_ACCOUNT_NOT_ALLOWED;
    }
  SchedTres need;
  request_tres (s, &need);
  SchedLimitUsage *u = core->limit_usage;
  if (qos != SCHED_QOS_DEFAULT)
    {
      const SchedQosLimits *q = sched_limits_get_qos (core->limits, qos);
      if (s->time_limit > q->max_wall)
        return SCHED_REASON_QOS_MAX_WALL;
      int r = tres_over (&zero_tres, &need, &q->max_tres_per_job);
      if (r >= 0)
        return qos_job[r];
      if ((r = tres_over (&zero_tres, &need, &q->max_tres_per_user)) >= 0)
        return qos_user[r];
      if ((r = tres_over (&zero_tres, &need, &q->grp_tres)) >= 0)
        return qos_grp[r];
      if (q->max_jobs_per_user == 0)
        return SCHED_REASON_QOS_MAX_JOBS_PER_USER;
      if (q->grp_jobs == 0)
        return SCHED_REASON_QOS_GRP_JOBS;
      const Use *uu = user_use (u, qos, s->user, FALSE);
      if (q->max_submit_per_user != SCHED_LIMIT_NONE
          && (uu ? uu->submitted : 0) + 1 > q->max_submit_per_user)
        return SCHED_REASON_QOS_MAX_SUBMIT_PER_USER;
    }
  if (assoc == SCHED_ASSOC_NONE || core->priority == NULL)
    return SCHED_REASON_NONE;
  Inherited in;
  inherited (core, assoc, &in);
  if (s->time_limit > in.max_wall)
    return SCHED_REASON_ASSOC_MAX_WALL;
  int r = tres_over (&zero_tres, &need, &in.max_tres_per_job);
  if (r >= 0)
    return assoc_job[r];
  if (in.max_jobs == 0)
    return SCHED_REASON_ASSOC_MAX_JOBS;
  for (SchedAssocId a = assoc; a != SCHED_ASSOC_NONE;
       a = sched_priority_assoc_parent (core->priority, a))
    {
      const SchedAssocLimits *al = sched_limits_get_assoc (core->limits, a);
      if (al == NULL)
        continue;
      if ((r = tres_over (&zero_tres, &need, &al->grp_tres)) >= 0)
        return assoc_grp[r];
      if (al->grp_jobs == 0)
        return SCHED_REASON_ASSOC_GRP_JOBS;
    }
  const AssocUse *own = assoc < u->assoc->len ? &g_array_index (u->assoc, AssocUse, assoc) : NULL;
  if (in.max_submit != SCHED_LIMIT_NONE && (own ? own->own_submitted : 0) + 1 > in.max_submit)
    return SCHED_REASON_ASSOC_MAX_SUBMIT;
  return SCHED_REASON_NONE;
}

SchedReason
sched__limits_block (SchedCore *core, const SchedJob *j)
{
  static const SchedReason qos_user[4] = {
    SCHED_REASON_QOS_MAX_CPU_PER_USER, SCHED_REASON_QOS_MAX_GRES_PER_USER,
    SCHED_REASON_QOS_MAX_MEM_PER_USER, SCHED_REASON_QOS_MAX_NODE_PER_USER,
  };
  static const SchedReason qos_grp[4] = {
    SCHED_REASON_QOS_GRP_CPU, SCHED_REASON_QOS_GRP_GRES, SCHED_REASON_QOS_GRP_MEM,
    SCHED_REASON_QOS_GRP_NODE,
  };
  static const SchedReason assoc_grp[4] = {
    SCHED_REASON_ASSOC_GRP_CPU, SCHED_REASON_ASSOC_GRP_GRES, SCHED_REASON_ASSOC_GRP_MEM,
    SCHED_REASON_ASSOC_GRP_NODE,
  };
  SchedLimitUsage *u = core->limit_usage;
  SchedTres need;
  request_tres (&j->spec, &need);
  if (j->qos != SCHED_QOS_DEFAULT)
    {
      const SchedQosLimits *q = sched_limits_get_qos (core->limits, j->qos);
      const Use *qu = qos_use (u, j->qos);
      if (q->grp_jobs != SCHED_LIMIT_NONE && qu->jobs + 1 > q->grp_jobs)
        return SCHED_REASON_QOS_GRP_JOBS;
      int r = tres_over (&qu->tres, &need, &q->grp_tres);
      if (r >= 0)
        return qos_grp[r];
      const Use *uu = user_use (u, j->qos, j->spec.user, FALSE);
      const Use none = { 0, 0, { 0, 0, 0, 0 } };
      if (uu == NULL)
        uu = &none;
      if (q->max_jobs_per_user != SCHED_LIMIT_NONE && uu->jobs + 1 > q->max_jobs_per_user)
        return SCHED_REASON_QOS_MAX_JOBS_PER_USER;
      if ((r = tres_over (&uu->tres, &need, &q->max_tres_per_user)) >= 0)
        return qos_user[r];
    }
  if (j->assoc == SCHED_ASSOC_NONE || core->priority == NULL)
    return SCHED_REASON_NONE;
  for (SchedAssocId a = j->assoc; a != SCHED_ASSOC_NONE;
       a = sched_priority_assoc_parent (core->priority, a))
    {
      const SchedAssocLimits *al = sched_limits_get_assoc (core->limits, a);
      if (al == NULL)
        continue;
      const AssocUse *au = assoc_use (u, a);
      if (al->grp_jobs != SCHED_LIMIT_NONE && au->grp_jobs + 1 > al->grp_jobs)
        return SCHED_REASON_ASSOC_GRP_JOBS;
      int r = tres_over (&au->grp_tres, &need, &al->grp_tres);
      if (r >= 0)
        return assoc_grp[r];
    }
  Inherited in;
  inherited (core, j->assoc, &in);
  if (in.max_jobs != SCHED_LIMIT_NONE && assoc_use (u, j->assoc)->own_jobs + 1 > in.max_jobs)
    return SCHED_REASON_ASSOC_MAX_JOBS;
  return SCHED_REASON_NONE;
}

gboolean
sched__limits_skip (SchedCore *core, SchedJob *j)
{
  if (core->limits == NULL)
    return FALSE;
  SchedReason r = sched__limits_block (core, j);
  j->reason = r;
  if (r == SCHED_REASON_NONE)
    return FALSE;
  j->planned = SCHED_TIME_NEVER;
  return TRUE;
}
