/* SPDX-License-Identifier: MIT */
/* sched/qos.c - QOS and association limits (definitions in SchedLimits) and the usage
 * the core checks them against.
 *
 * The core keeps, while it has a SchedLimits: per QOS the running jobs and their TRES; per
 * QOS and user the running jobs, their TRES and the submitted (pending + running) jobs; per
 * association its own running and submitted jobs and the running jobs and TRES of its whole
 * subtree.  A job is counted as submitted when the core queues it and until it leaves the
 * core, and as running from its start to its end, with the TRES of its allocation (what it
 * holds) rather than of its request.  A job of a partition with a QOS counts in that QOS
 * too (once when it is the job's).  Checks are O(depth of the association) plus two hash
 * look-ups; updates the same.  See sched/qos.h for the limits and reasons.
 *
 * The definitions also hold what is not a limit but belongs with the QOS and the
 * associations: Preempt lists, association QOS lists and the partitions' QOS and Deny
 * lists.  Lists of QOS are sorted arrays of ids: QOS are few (tens), so a look-up is a
 * short binary search. */
#include "sched/qos-private.h"

#include <string.h>

/* ---- definitions ----------------------------------------------------------------------- */

/* A partition's settings that live with the limits. */
typedef struct {
  SchedQosId qos;            /* QOS=, SCHED_QOS_DEFAULT: none */
  char     **deny_accounts;  /* DenyAccounts=, NULL: none */
  char     **deny_qos;       /* DenyQos=, NULL: none */
} PartLimits;

struct _SchedLimits {
  GPtrArray  *qos_names;   /* [id] -> name; [0] unused */
  GArray     *qos;         /* SchedQosLimits, [0] unused */
  GHashTable *qos_index;   /* name -> id */
  GPtrArray  *qos_preempt; /* [id] -> GArray of SchedQosId (sorted) or NULL: Preempt lists */
  guint       n_preempt;   /* QOS with a Preempt list */
  GArray     *assoc;       /* SchedAssocLimits by association id */
  GArray     *assoc_set;   /* gboolean by association id */
  GPtrArray  *assoc_qos;   /* [assoc] -> GArray of SchedQosId (sorted) or NULL: QOS lists */
  guint       n_assoc_qos; /* associations with a QOS list */
  GArray     *parts;       /* PartLimits by partition index */
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
  q->preempt_mode = SCHED_QOS_PREEMPT_CLUSTER;
  q->grace_time = -1;
  q->preempt_exempt = -1;
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

/* GPtrArray calls its free function on NULL slots too. */
static void
id_list_free (gpointer a)
{
  if (a != NULL)
    g_array_unref (a);
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
  l->qos_preempt = g_ptr_array_new_with_free_func (id_list_free);
  g_ptr_array_add (l->qos_preempt, NULL);
  l->assoc = g_array_new (FALSE, TRUE, sizeof (SchedAssocLimits));
  l->assoc_set = g_array_new (FALSE, TRUE, sizeof (gboolean));
  l->assoc_qos = g_ptr_array_new_with_free_func (id_list_free);
  l->parts = g_array_new (FALSE, TRUE, sizeof (PartLimits));
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
  g_ptr_array_free (l->qos_preempt, TRUE);
  g_array_free (l->assoc, TRUE);
  g_array_free (l->assoc_set, TRUE);
  g_ptr_array_free (l->assoc_qos, TRUE);
  for (guint i = 0; i < l->parts->len; i++)
    {
      PartLimits *pl = &g_array_index (l->parts, PartLimits, i);
      g_strfreev (pl->deny_accounts);
      g_strfreev (pl->deny_qos);
    }
  g_array_free (l->parts, TRUE);
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
  g_ptr_array_add (l->qos_preempt, NULL);
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

static int
qos_id_cmp (gconstpointer a, gconstpointer b)
{
  SchedQosId x = *(const SchedQosId *) a, y = *(const SchedQosId *) b;
  return (x > y) - (x < y);
}

/* A sorted list of the n ids (duplicates dropped), or NULL for n = 0. */
static GArray *
id_list_new (const SchedQosId *ids, guint n)
{
  if (n == 0)
    return NULL;
  GArray *a = g_array_sized_new (FALSE, FALSE, sizeof (SchedQosId), n);
  g_array_append_vals (a, ids, n);
  g_array_sort (a, qos_id_cmp);
  guint k = 0;
  for (guint i = 0; i < a->len; i++)
    if (k == 0 || g_array_index (a, SchedQosId, k - 1) != g_array_index (a, SchedQosId, i))
      g_array_index (a, SchedQosId, k++) = g_array_index (a, SchedQosId, i);
  g_array_set_size (a, k);
  return a;
}

static gboolean
id_list_has (const GArray *a, SchedQosId id)
{
  guint lo = 0, hi = a->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      SchedQosId v = g_array_index (a, SchedQosId, mid);
      if (v == id)
        return TRUE;
      if (v < id)
        lo = mid + 1;
      else
        hi = mid;
    }
  return FALSE;
}

/* TRUE when every id is a defined QOS. */
static gboolean
ids_defined (const SchedLimits *l, const SchedQosId *ids, guint n)
{
  for (guint i = 0; i < n; i++)
    if (ids[i] == 0 || ids[i] >= l->qos->len)
      return FALSE;
  return TRUE;
}

void
sched_limits_set_qos_preempt (SchedLimits *l, SchedQosId id, const SchedQosId *victims,
                              guint n)
{
  g_return_if_fail (l != NULL && id != 0 && id < l->qos->len);
  g_return_if_fail ((victims != NULL || n == 0) && ids_defined (l, victims, n));
  if (l->qos_preempt->pdata[id] != NULL)
    l->n_preempt--;
  g_clear_pointer (&l->qos_preempt->pdata[id], g_array_unref);
  l->qos_preempt->pdata[id] = id_list_new (victims, n);
  if (n > 0)
    l->n_preempt++;
}

const SchedQosId *
sched_limits_get_qos_preempt (const SchedLimits *l, SchedQosId id, guint *n)
{
  g_return_val_if_fail (l != NULL && n != NULL, NULL);
  const GArray *a = id != 0 && id < l->qos_preempt->len ? l->qos_preempt->pdata[id] : NULL;
  *n = a ? a->len : 0;
  return a ? (const SchedQosId *) a->data : NULL;
}

gboolean
sched_limits_qos_preempts (const SchedLimits *l, SchedQosId preemptor, SchedQosId preemptee)
{
  g_return_val_if_fail (l != NULL, FALSE);
  if (preemptor == 0 || preemptee == 0 || preemptor >= l->qos_preempt->len)
    return FALSE;
  const GArray *a = l->qos_preempt->pdata[preemptor];
  return a != NULL && id_list_has (a, preemptee);
}

gboolean
sched_limits_has_preempt_lists (const SchedLimits *l)
{
  g_return_val_if_fail (l != NULL, FALSE);
  return l->n_preempt > 0;
}

void
sched_limits_set_assoc_qos (SchedLimits *l, SchedAssocId assoc, const SchedQosId *qos,
                            guint n)
{
  g_return_if_fail (l != NULL && assoc != SCHED_ASSOC_NONE);
  g_return_if_fail ((qos != NULL || n == 0) && ids_defined (l, qos, n));
  if (assoc >= l->assoc_qos->len)
    g_ptr_array_set_size (l->assoc_qos, (gint) assoc + 1);
  if (l->assoc_qos->pdata[assoc] != NULL)
    l->n_assoc_qos--;
  g_clear_pointer (&l->assoc_qos->pdata[assoc], g_array_unref);
  l->assoc_qos->pdata[assoc] = id_list_new (qos, n);
  if (n > 0)
    l->n_assoc_qos++;
}

const SchedQosId *
sched_limits_get_assoc_qos (const SchedLimits *l, SchedAssocId assoc, guint *n)
{
  g_return_val_if_fail (l != NULL && n != NULL, NULL);
  const GArray *a = assoc < l->assoc_qos->len ? l->assoc_qos->pdata[assoc] : NULL;
  *n = a ? a->len : 0;
  return a ? (const SchedQosId *) a->data : NULL;
}

void
sched_limits_set_partition (SchedLimits *l, gint32 part, SchedQosId qos,
                            const char *const *deny_accounts, const char *const *deny_qos)
{
  g_return_if_fail (l != NULL && part >= 0);
  g_return_if_fail (qos == SCHED_QOS_DEFAULT || qos < l->qos->len);
  if ((guint) part >= l->parts->len)
    g_array_set_size (l->parts, (guint) part + 1);
  PartLimits *pl = &g_array_index (l->parts, PartLimits, part);
  g_strfreev (pl->deny_accounts);
  g_strfreev (pl->deny_qos);
  pl->qos = qos;
  pl->deny_accounts = g_strdupv ((char **) deny_accounts);
  pl->deny_qos = g_strdupv ((char **) deny_qos);
}

static inline const PartLimits *
part_limits (const SchedLimits *l, gint32 part)
{
  return part >= 0 && (guint) part < l->parts->len
           ? &g_array_index (l->parts, PartLimits, part) : NULL;
}

SchedQosId
sched_limits_partition_qos (const SchedLimits *l, gint32 part)
{
  g_return_val_if_fail (l != NULL, SCHED_QOS_DEFAULT);
  const PartLimits *pl = part_limits (l, part);
  return pl ? pl->qos : SCHED_QOS_DEFAULT;
}

const char *const *
sched_limits_partition_deny_accounts (const SchedLimits *l, gint32 part)
{
  g_return_val_if_fail (l != NULL, NULL);
  const PartLimits *pl = part_limits (l, part);
  return pl ? (const char *const *) pl->deny_accounts : NULL;
}

const char *const *
sched_limits_partition_deny_qos (const SchedLimits *l, gint32 part)
{
  g_return_val_if_fail (l != NULL, NULL);
  const PartLimits *pl = part_limits (l, part);
  return pl ? (const char *const *) pl->deny_qos : NULL;
}

/* ---- the job QOS and the partition QOS ------------------------------------------------- */

/* The QOS whose limits apply to a job, by precedence: q[0] first.  A limit is taken from
 * the first that sets it (per TRES for TRES limits) and checked against that QOS's usage.
 * Empty slots have id SCHED_QOS_DEFAULT and q NULL; q[1] is empty when q[0] is. */
typedef struct {
  SchedQosId            id[2];
  const SchedQosLimits *q[2];
} QosPair;

static void
qos_pair (const SchedLimits *l, SchedQosId job_qos, gint32 part, QosPair *out)
{
  const PartLimits *plim = part_limits (l, part);
  SchedQosId pq = plim ? plim->qos : SCHED_QOS_DEFAULT;
  const SchedQosLimits *jl = job_qos != SCHED_QOS_DEFAULT ? sched_limits_get_qos (l, job_qos)
                                                          : NULL;
  const SchedQosLimits *pl = pq != SCHED_QOS_DEFAULT && pq != job_qos
                               ? sched_limits_get_qos (l, pq) : NULL;
  /* Slurm's _set_qos_order: the partition QOS first, unless the job's has OverPartQOS */
  if (pl != NULL && (jl == NULL || !jl->over_part_qos))
    {
      out->id[0] = pq, out->q[0] = pl;
      out->id[1] = jl ? job_qos : SCHED_QOS_DEFAULT, out->q[1] = jl;
    }
  else
    {
      out->id[0] = jl ? job_qos : SCHED_QOS_DEFAULT, out->q[0] = jl;
      out->id[1] = pl ? pq : SCHED_QOS_DEFAULT, out->q[1] = pl;
    }
}

SchedTime
sched_limits_preempt_exempt (const SchedLimits *l, SchedQosId qos, gint32 part,
                             SchedTime cluster)
{
  g_return_val_if_fail (l != NULL, cluster);
  QosPair qp;
  qos_pair (l, qos, part, &qp);
  for (guint k = 0; k < 2; k++)
    if (qp.q[k] != NULL && qp.q[k]->preempt_exempt >= 0)
      return qp.q[k]->preempt_exempt;
  return cluster;
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
  /* the job's QOS and its partition's: the partition and the QOS never change while the
   * core holds the job, so every event counts in the same QOS */
  QosPair qp;
  qos_pair (core->limits, j->qos, j->part, &qp);
  for (guint k = 0; k < 2 && qp.id[k] != SCHED_QOS_DEFAULT; k++)
    {
      Use *uu = user_use (u, qp.id[k], j->spec.user, TRUE);
      if (running)
        {
          Use *qu = qos_use (u, qp.id[k]);
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

static inline guint64
tres_at (const SchedTres *t, int i)
{
  switch (i)
    {
    case 0: return t->cpus;
    case 1: return t->gpus;
    case 2: return t->mem_mb;
    default: return t->nodes;
    }
}

/* The first resource of `need` over `limit` given `used`: 0 cpu, 1 gpu, 2 mem, 3 node; -1
 * if none. */
static int
tres_over (const SchedTres *used, const SchedTres *need, const SchedTres *limit)
{
  for (int i = 0; i < 4; i++)
    {
      guint64 l = tres_at (limit, i), n = tres_at (need, i);
      if (l != SCHED_LIMIT_NONE && n > 0 && tres_at (used, i) + n > l)
        return i;
    }
  return -1;
}

static const SchedTres zero_tres = { 0, 0, 0, 0 };

/* The count limit at offset `off` of SchedQosLimits for the pair: the first QOS's that
 * sets it, *k saying which (-1 and SCHED_LIMIT_NONE when neither does). */
static guint64
pair_count (const QosPair *qp, gsize off, int *k)
{
  for (int i = 0; i < 2 && qp->q[i] != NULL; i++)
    {
      guint64 v = G_STRUCT_MEMBER (guint64, qp->q[i], off);
      if (v != SCHED_LIMIT_NONE)
        {
          *k = i;
          return v;
        }
    }
  *k = -1;
  return SCHED_LIMIT_NONE;
}

/* tres_over for the TRES limit at offset `off` of SchedQosLimits in the pair: each TRES's
 * limit is the first QOS's that sets it, against used[k] of that QOS. */
static int
pair_tres_over (const QosPair *qp, gsize off, const SchedTres *const used[2],
                const SchedTres *need)
{
  for (int i = 0; i < 4; i++)
    for (int k = 0; k < 2 && qp->q[k] != NULL; k++)
      {
        guint64 l = tres_at (&G_STRUCT_MEMBER (SchedTres, qp->q[k], off), i);
        if (l == SCHED_LIMIT_NONE)
          continue;
        guint64 n = tres_at (need, i);
        if (n > 0 && tres_at (used[k], i) + n > l)
          return i;
        break;
      }
  return -1;
}

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

/* The QOS list that applies to association `assoc`: its own or its nearest ancestor's;
 * NULL when none has one (every QOS is allowed). */
static const GArray *
assoc_qos_list (const SchedCore *core, SchedAssocId assoc)
{
  const SchedLimits *l = core->limits;
  if (l->n_assoc_qos == 0 || assoc == SCHED_ASSOC_NONE || core->priority == NULL)
    return NULL;
  for (SchedAssocId a = assoc; a != SCHED_ASSOC_NONE;
       a = sched_priority_assoc_parent (core->priority, a))
    if (a < l->assoc_qos->len && l->assoc_qos->pdata[a] != NULL)
      return l->assoc_qos->pdata[a];
  return NULL;
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
  /* no DefaultQOS: the association's only QOS, as Slurm picks it */
  const GArray *list = assoc_qos_list (core, assoc);
  if (list != NULL && list->len == 1)
    return g_array_index (list, SchedQosId, 0);
  SchedQosId normal = sched_limits_find_qos (core->limits, "normal");
  return normal == SCHED_QOS_INVALID ? SCHED_QOS_DEFAULT : normal;
}

/* TRUE if `name` is in `list`; NULL is ALL. */
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

/* TRUE if `name` is in `list`; NULL is none. */
static gboolean
denied (const char *const *list, const char *name)
{
  return list != NULL && listed (list, name);
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
  const SchedLimits *l = core->limits;
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  if (qos == SCHED_QOS_INVALID
      || (qos != SCHED_QOS_DEFAULT && sched_limits_get_qos (l, qos) == NULL))
    return SCHED_REASON_INVALID_QOS;
  /* the association's QOS list (Slurm checks it with the QOS, before the partition) */
  const GArray *allowed = qos != SCHED_QOS_DEFAULT ? assoc_qos_list (core, assoc) : NULL;
  if (allowed != NULL && !id_list_has (allowed, qos))
    return SCHED_REASON_INVALID_QOS;
  const char *qname = qos == SCHED_QOS_DEFAULT ? "normal" : sched_limits_qos_name (l, qos);
  if (!listed (p->allow_qos, qname))
    return SCHED_REASON_QOS_NOT_ALLOWED;
  /* DenyQos and DenyAccounts only count without the Allow list (slurm.conf(5)) */
  if (p->allow_qos == NULL && denied (sched_limits_partition_deny_qos (l, part), qname))
    return SCHED_REASON_QOS_NOT_ALLOWED;
  const char *const *deny_accounts = p->allow_accounts == NULL
                                       ? sched_limits_partition_deny_accounts (l, part) : NULL;
  if ((p->allow_accounts != NULL || deny_accounts != NULL) && assoc != SCHED_ASSOC_NONE
      && core->priority != NULL)
    {
      SchedAssocInfo info;
      sched_priority_assoc_info (core->priority, assoc, &info);
      const char *account = info.is_user ? info.account : info.name;
      if (!listed (p->allow_accounts, account) || denied (deny_accounts, account))
        return SCHED_REASON_ACCOUNT_NOT_ALLOWED;
    }
  SchedTres need;
  request_tres (s, &need);
  SchedLimitUsage *u = core->limit_usage;
  QosPair qp;
  qos_pair (l, qos, part, &qp);
  if (qp.q[0] != NULL)
    {
      const SchedTres *const none[2] = { &zero_tres, &zero_tres };
      int k, r;
      for (k = 0; k < 2 && qp.q[k] != NULL; k++)
        if (qp.q[k]->max_wall != SCHED_TIME_NEVER)
          {
            if (s->time_limit > qp.q[k]->max_wall)
              return SCHED_REASON_QOS_MAX_WALL;
            break;
          }
      if ((r = pair_tres_over (&qp, G_STRUCT_OFFSET (SchedQosLimits, max_tres_per_job), none,
                               &need)) >= 0)
        return qos_job[r];
      if ((r = pair_tres_over (&qp, G_STRUCT_OFFSET (SchedQosLimits, max_tres_per_user), none,
                               &need)) >= 0)
        return qos_user[r];
      if ((r = pair_tres_over (&qp, G_STRUCT_OFFSET (SchedQosLimits, grp_tres), none,
                               &need)) >= 0)
        return qos_grp[r];
      if (pair_count (&qp, G_STRUCT_OFFSET (SchedQosLimits, max_jobs_per_user), &k) == 0)
        return SCHED_REASON_QOS_MAX_JOBS_PER_USER;
      if (pair_count (&qp, G_STRUCT_OFFSET (SchedQosLimits, grp_jobs), &k) == 0)
        return SCHED_REASON_QOS_GRP_JOBS;
      guint64 max_submit = pair_count (&qp, G_STRUCT_OFFSET (SchedQosLimits,
                                                             max_submit_per_user), &k);
      if (k >= 0)
        {
          const Use *uu = user_use (u, qp.id[k], s->user, FALSE);
          if ((uu ? uu->submitted : 0) + 1 > max_submit)
            return SCHED_REASON_QOS_MAX_SUBMIT_PER_USER;
        }
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
      const SchedAssocLimits *al = sched_limits_get_assoc (l, a);
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
  QosPair qp;
  qos_pair (core->limits, j->qos, j->part, &qp);
  if (qp.q[0] != NULL)
    {
      static const Use none = { 0, 0, { 0, 0, 0, 0 } };
      const Use *qu[2] = { qos_use (u, qp.id[0]), &none };
      const Use *uu[2] = { user_use (u, qp.id[0], j->spec.user, FALSE), &none };
      if (qp.q[1] != NULL)
        {
          qu[1] = qos_use (u, qp.id[1]);
          uu[1] = user_use (u, qp.id[1], j->spec.user, FALSE);
        }
      for (int k = 0; k < 2; k++)
        if (uu[k] == NULL)
          uu[k] = &none;
      int k, r;
      guint64 v = pair_count (&qp, G_STRUCT_OFFSET (SchedQosLimits, grp_jobs), &k);
      if (k >= 0 && qu[k]->jobs + 1 > v)
        return SCHED_REASON_QOS_GRP_JOBS;
      const SchedTres *const qt[2] = { &qu[0]->tres, &qu[1]->tres };
      if ((r = pair_tres_over (&qp, G_STRUCT_OFFSET (SchedQosLimits, grp_tres), qt,
                               &need)) >= 0)
        return qos_grp[r];
      v = pair_count (&qp, G_STRUCT_OFFSET (SchedQosLimits, max_jobs_per_user), &k);
      if (k >= 0 && uu[k]->jobs + 1 > v)
        return SCHED_REASON_QOS_MAX_JOBS_PER_USER;
      const SchedTres *const ut[2] = { &uu[0]->tres, &uu[1]->tres };
      if ((r = pair_tres_over (&qp, G_STRUCT_OFFSET (SchedQosLimits, max_tres_per_user), ut,
                               &need)) >= 0)
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
