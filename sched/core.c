/* SPDX-License-Identifier: MIT */
/* sched/core.c - the scheduler core: pending queue, running set, node state.
 *
 * The pending queue is a doubly linked list in (submit, submission order); submissions
 * arrive almost always in order, so insertion scans back from the tail and is O(1) in
 * practice.  Running jobs sit in a binary min-heap on (end_limit, seq): removing a job that
 * ends early is O(log R), and the backfill engine walks the earliest ends in order without
 * sorting.  Node state is one SchedNodeState per node plus a bitset of usable nodes with a
 * free CPU, so the counting fast path allocates in O(words + nodes used).
 * Invariants (sched__core_check): per node, free + allocated == capacity; the free-CPU
 * total and bitset agree with the nodes; the heap property holds; the queue is sorted. */
#include "sched/core-private.h"
#include "sched/constraint-private.h"
#include "sched/qos-private.h"
#include "sched/heap.h"

#include <string.h>

/* ---- running heap ---- */

static void
heap_set (SchedCore *core, guint i, SchedJob *j)
{
  core->running->pdata[i] = j;
  j->heap_idx = i;
}

static void
heap_sift_up (SchedCore *core, guint i)
{
  SchedJob *j = core->running->pdata[i];
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      SchedJob *p = core->running->pdata[parent];
      if (!sched__job_ends_before (j, p))
        break;
      heap_set (core, i, p);
      i = parent;
    }
  heap_set (core, i, j);
}

static void
heap_sift_down (SchedCore *core, guint i)
{
  guint n = core->running->len;
  SchedJob *j = core->running->pdata[i];
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      SchedJob *best = j;
      if (l < n && sched__job_ends_before (core->running->pdata[l], best))
        m = l, best = core->running->pdata[l];
      if (r < n && sched__job_ends_before (core->running->pdata[r], best))
        m = r, best = core->running->pdata[r];
      if (m == i)
        break;
      heap_set (core, i, best);
      i = m;
    }
  heap_set (core, i, j);
}

static void
heap_push (SchedCore *core, SchedJob *j)
{
  g_ptr_array_add (core->running, j);
  heap_sift_up (core, core->running->len - 1);
}

static void
heap_remove (SchedCore *core, SchedJob *j)
{
  guint i = j->heap_idx, last = core->running->len - 1;
  g_assert (i <= last && core->running->pdata[i] == j);
  SchedJob *moved = core->running->pdata[last];
  g_ptr_array_set_size (core->running, last);
  if (i == last)
    return;
  heap_set (core, i, moved);
  heap_sift_up (core, i);
  heap_sift_down (core, moved->heap_idx);
}

/* ---- node bitset ---- */

static inline void
bit_set (SchedCore *core, guint32 n, gboolean on)
{
  guint64 m = G_GUINT64_CONSTANT (1) << (n % 64);
  if (on)
    {
      core->free_bits[n / 64] |= m;
      if (n / 64 < core->first_word)
        core->first_word = n / 64;
    }
  else
    core->free_bits[n / 64] &= ~m;
}

static inline gboolean
node_usable (const SchedNodeState *s)
{
  return !s->down && !s->drain;
}

static void
node_refresh_bit (SchedCore *core, guint32 n)
{
  const SchedNodeState *s = &core->nodes[n];
  bit_set (core, n, node_usable (s) && s->free_cpus > 0);
}

/* ---- life cycle ---- */

static void constraint_free (gpointer data);

static void
job_free (gpointer p)
{
  SchedJob *j = p;
  sched_alloc_clear (&j->alloc);
  g_free (j);
}

SchedCore *
sched_core_new (const SchedCluster *cluster, const SchedPolicy *policy)
{
  g_return_val_if_fail (cluster != NULL && policy != NULL && policy->ops != NULL, NULL);
  g_return_val_if_fail (sched_cluster_n_nodes (cluster) > 0, NULL);
  g_return_val_if_fail (sched_cluster_n_partitions (cluster) > 0, NULL);
  SchedCore *core = g_new0 (SchedCore, 1);
  core->cluster = cluster;
  core->policy = *policy;
  core->jobs = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, job_free);
  core->constraints = g_ptr_array_new_with_free_func (constraint_free);
  core->constraint_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  core->node_sets = g_ptr_array_new_with_free_func (g_free);
  core->node_set_sizes = g_array_new (FALSE, FALSE, sizeof (guint32));
  core->node_set_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* forget_job steals jobs from the table into spare_jobs; the free func only runs for the
   * jobs still known when the core is freed */
  core->running = g_ptr_array_new ();
  core->n_nodes = sched_cluster_n_nodes (cluster);
  core->nodes = g_new0 (SchedNodeState, core->n_nodes);
  core->n_words = (core->n_nodes + 63) / 64;
  core->free_bits = g_new0 (guint64, core->n_words);
  for (guint32 i = 0; i < core->n_nodes; i++)
    {
      const SchedNodeSpec *ns = sched_cluster_node (cluster, i);
      core->nodes[i].free_cpus = ns->cpus;
      core->nodes[i].free_gpus = ns->gpus;
      core->nodes[i].free_mem = ns->mem_mb;
      core->free_cpus += ns->cpus;
      node_refresh_bit (core, i);
    }
  core->pool_part = sched_cluster_n_partitions (cluster) == 1
                    && sched_cluster_partition (cluster, 0)->n_nodes == core->n_nodes;
  guint32 np = sched_cluster_n_partitions (cluster);
  core->part_cpus = g_new0 (guint64, np);
  for (guint32 k = 0; k < np; k++)
    {
      const SchedPartitionSpec *ps = sched_cluster_partition (cluster, (gint32) k);
      if (ps->priority_tier != sched_cluster_partition (cluster, 0)->priority_tier)
        core->tiers = TRUE;
      for (guint32 i = 0; i < ps->n_nodes; i++)
        core->part_cpus[k] += sched_cluster_node (cluster, ps->nodes[i])->cpus;
    }
  core->cons_due = g_array_new (FALSE, FALSE, sizeof (SchedConsDue));
  core->bf_origin = SCHED_TIME_NEVER;
  core->deferred = g_ptr_array_new ();
  core->scratch_idx = g_array_new (FALSE, FALSE, sizeof (guint32));
  core->scratch_order = g_ptr_array_new ();
  core->scratch_cand = g_array_new (FALSE, FALSE, sizeof (guint32));
  return core;
}

void
sched_core_free (SchedCore *core)
{
  if (core == NULL)
    return;
  for (SchedQBlock *b = core->bhead, *nb; b != NULL; b = nb)
    nb = b->next, g_free (b);
  g_hash_table_destroy (core->jobs);
  g_ptr_array_unref (core->constraints);
  g_hash_table_destroy (core->constraint_ids);
  g_ptr_array_unref (core->node_sets);
  g_array_unref (core->node_set_sizes);
  g_hash_table_destroy (core->node_set_ids);
  for (SchedJob *j = core->spare_jobs, *nj; j != NULL; j = nj)
    nj = j->next, job_free (j);
  g_ptr_array_free (core->running, TRUE);
  g_free (core->nodes);
  g_free (core->free_bits);
  g_free (core->part_cpus);
  g_clear_pointer (&core->cons_profile, sched__profile_free);
  g_clear_pointer (&core->priority, sched_priority_free);
  g_clear_pointer (&core->limits, sched_limits_free);
  g_clear_pointer (&core->limit_usage, sched__limit_usage_free);
  g_array_free (core->cons_due, TRUE);
  g_ptr_array_free (core->deferred, TRUE);
  g_array_free (core->scratch_idx, TRUE);
  g_ptr_array_free (core->scratch_order, TRUE);
  g_array_free (core->scratch_cand, TRUE);
  g_free (core);
}

/* Gives the priority object the partition and QOS factor denominators. */
static void
sync_factor_max (SchedCore *core)
{
  if (core->priority == NULL)
    return;
  const SchedPriorityParams *pp = sched_priority_get_params (core->priority);
  guint32 part_max = pp->partition_factor_max, qos_max = pp->qos_priority_max;
  for (guint32 k = 0; k < sched_cluster_n_partitions (core->cluster); k++)
    part_max = MAX (part_max, sched_cluster_partition (core->cluster, (gint32) k)->priority_job_factor);
  if (core->limits)
    qos_max = MAX (qos_max, sched_limits_max_qos_priority (core->limits));
  sched_priority_set_factor_max (core->priority, part_max, qos_max);
}

void
sched_core_set_priority (SchedCore *core, SchedPriority *priority)
{
  g_return_if_fail (core != NULL);
  g_clear_pointer (&core->priority, sched_priority_free);
  core->priority = priority;
  sync_factor_max (core);
}

void
sched_core_set_limits (SchedCore *core, SchedLimits *limits)
{
  g_return_if_fail (core != NULL);
  g_return_if_fail (g_hash_table_size (core->jobs) == 0);
  g_clear_pointer (&core->limits, sched_limits_free);
  g_clear_pointer (&core->limit_usage, sched__limit_usage_free);
  core->limits = limits;
  if (limits)
    core->limit_usage = sched__limit_usage_new ();
  sync_factor_max (core);
}

const SchedLimits *
sched_core_get_limits (const SchedCore *core)
{
  g_return_val_if_fail (core != NULL, NULL);
  return core->limits;
}

SchedAssocId
sched_core_resolve_assoc (SchedCore *core, guint32 uid, const char *account)
{
  g_return_val_if_fail (core != NULL, SCHED_ASSOC_NONE);
  if (core->priority == NULL)
    return SCHED_ASSOC_ROOT;
  return sched_priority_resolve_uid (core->priority, uid, account);
}

SchedQosId
sched_core_find_qos (const SchedCore *core, const char *name)
{
  g_return_val_if_fail (core != NULL, SCHED_QOS_DEFAULT);
  if (core->limits == NULL || name == NULL || *name == '\0')
    return SCHED_QOS_DEFAULT;
  return sched_limits_find_qos (core->limits, name);
}

void
sched__core_set_force_generic (SchedCore *core, gboolean force)
{
  core->force_generic = force;
}

/* ---- queue ---- */

static gboolean
queue_before (const SchedJob *a, const SchedJob *b)
{
  return a->spec.submit < b->spec.submit || (a->spec.submit == b->spec.submit && a->seq < b->seq);
}

static void
qblock_add_job (SchedQBlock *b, SchedJob *j)
{
  j->block = b;
  b->n++;
  b->n_added++;
  if (j->cpus < b->min_cpus)
    b->min_cpus = j->cpus;
  if (j->plan < b->min_limit)
    b->min_limit = j->plan;
}

static SchedQBlock *
qblock_new (SchedCore *core, SchedQBlock *after)
{
  SchedQBlock *b = g_new0 (SchedQBlock, 1);
  b->min_cpus = G_MAXUINT64;
  b->min_limit = SCHED_TIME_NEVER;
  b->prev = after;
  b->next = after ? after->next : core->bhead;
  if (b->next)
    b->next->prev = b;
  else
    core->btail = b;
  if (after)
    after->next = b;
  else
    core->bhead = b;
  return b;
}

void
sched__qblock_refresh (SchedQBlock *b)
{
  b->min_cpus = G_MAXUINT64;
  b->min_limit = SCHED_TIME_NEVER;
  for (SchedJob *j = b->first;; j = j->next)
    {
      b->min_cpus = MIN (b->min_cpus, j->cpus);
      b->min_limit = MIN (b->min_limit, j->plan);
      if (j == b->last)
        break;
    }
  b->dirty = FALSE;
}

static void
queue_insert (SchedCore *core, SchedJob *j)
{
  SchedJob *after = core->qtail;
  while (after != NULL && queue_before (j, after))
    after = after->prev;
  if (after != core->qtail)
    core->easy_valid = core->cons_valid = FALSE;
  j->prev = after;
  j->next = after ? after->next : core->qhead;
  if (j->next)
    j->next->prev = j;
  else
    core->qtail = j;
  if (after)
    after->next = j;
  else
    core->qhead = j;
  core->n_pending++;
  /* block: append to the tail block while it has room; otherwise join the predecessor's */
  if (after == NULL)
    {
      SchedQBlock *b = core->bhead ? core->bhead : qblock_new (core, NULL);
      b->first = j;
      if (b->last == NULL)
        b->last = j;
      qblock_add_job (b, j);
    }
  else if (after == core->btail->last && core->btail->n_added >= SCHED_QBLOCK_SIZE)
    {
      SchedQBlock *b = qblock_new (core, core->btail);
      b->first = b->last = j;
      qblock_add_job (b, j);
    }
  else
    {
      SchedQBlock *b = after->block;
      if (b->last == after)
        b->last = j;
      qblock_add_job (b, j);
    }
}

static void
queue_remove (SchedCore *core, SchedJob *j)
{
  if (j == core->easy_scanned)
    core->easy_scanned = j->prev;
  SchedQBlock *b = j->block;
  if (--b->n == 0)
    {
      if (b->prev)
        b->prev->next = b->next;
      else
        core->bhead = b->next;
      if (b->next)
        b->next->prev = b->prev;
      else
        core->btail = b->prev;
      g_free (b);
    }
  else
    {
      if (b->first == j)
        b->first = j->next;
      if (b->last == j)
        b->last = j->prev;
      if (j->cpus == b->min_cpus || j->plan == b->min_limit)
        b->dirty = TRUE;
    }
  j->block = NULL;
  if (j->prev)
    j->prev->next = j->next;
  else
    core->qhead = j->next;
  if (j->next)
    j->next->prev = j->prev;
  else
    core->qtail = j->prev;
  j->prev = j->next = NULL;
  core->n_pending--;
}

/* Can `spec` ever run in partition `part` on an empty cluster? */
static SchedReason
check_feasible (SchedCore *core, const SchedJobSpec *spec, gint32 part)
{
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  if (spec->time_limit > p->max_time)
    return SCHED_REASON_PARTITION_TIME_LIMIT;
  if (p->max_nodes > 0 && spec->min_nodes > p->max_nodes)
    return SCHED_REASON_PARTITION_NODE_LIMIT;
  if (spec->min_nodes > p->n_nodes)
    return SCHED_REASON_PARTITION_NODE_LIMIT;
  if (sched_job_spec_is_simple (spec))
    return sched_job_spec_cpus (spec) <= core->part_cpus[part] ? SCHED_REASON_NONE
                                                                : SCHED_REASON_BAD_CONSTRAINTS;
  g_autofree SchedAvail *avail = g_new0 (SchedAvail, core->n_nodes);
  for (guint32 i = 0; i < p->n_nodes; i++)
    {
      const SchedNodeSpec *ns = sched_cluster_node (core->cluster, p->nodes[i]);
      avail[p->nodes[i]] = (SchedAvail) { ns->cpus, ns->gpus, ns->mem_mb };
    }
  SchedAlloc a = { 0 };
  gboolean ok = sched__select_nodes (core, spec, part, avail, &a);
  sched_alloc_clear (&a);
  return ok ? SCHED_REASON_NONE : SCHED_REASON_BAD_CONSTRAINTS;
}

gboolean
sched_core_submit (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                   SchedReason *reason)
{
  return sched_core_submit_tagged (core, now, spec, NULL, reason);
}

gboolean
sched_core_has_job (const SchedCore *core, SchedJobId id)
{
  return g_hash_table_contains (core->jobs, GUINT_TO_POINTER (id));
}

/* What sched_core_submit checks: *s becomes the spec as queued, *part_out, *assoc_out and
 * *qos_out what it resolves to.  Returns why the job cannot be queued, or
 * SCHED_REASON_NONE. */
static SchedReason
submit_check (SchedCore *core, const SchedJobSpec *spec, SchedJobSpec *s_out,
              gint32 *part_out, SchedAssocId *assoc_out, SchedQosId *qos_out)
{
  gint32 part = spec->partition >= 0 ? spec->partition
                                     : sched_cluster_default_partition (core->cluster);
  SchedReason r = SCHED_REASON_NONE;
  if (part < 0 || (guint32) part >= sched_cluster_n_partitions (core->cluster))
    r = SCHED_REASON_BAD_CONSTRAINTS;
  SchedJobSpec s = *spec;
  if (r == SCHED_REASON_NONE && s.time_limit == 0)
    {
      const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
      s.time_limit = p->default_time > 0 ? p->default_time : p->max_time;
      if (s.time_limit == SCHED_TIME_NEVER)
        s.time_limit = G_MAXINT32; /* an unlimited job plans as ~68 years */
    }
  if (r == SCHED_REASON_NONE)
    r = check_feasible (core, &s, part);
  SchedAssocId assoc = SCHED_ASSOC_NONE;
  SchedQosId qos = SCHED_QOS_DEFAULT;
  if (r == SCHED_REASON_NONE && core->priority)
    {
      if (s.assoc == SCHED_ASSOC_ROOT)
        assoc = sched_priority_resolve_uid (core->priority, s.user, NULL);
      else if (s.assoc < sched_priority_n_assocs (core->priority))
        assoc = s.assoc;
      else
        r = SCHED_REASON_INVALID_ACCOUNT;
    }
  if (r == SCHED_REASON_NONE && core->limits)
    {
      qos = sched__limits_resolve_qos (core, s.qos, assoc);
      r = sched__limits_submit_check (core, &s, part, assoc, qos);
    }
  *s_out = s;
  *part_out = part;
  *assoc_out = assoc;
  *qos_out = qos;
  return r;
}

SchedReason
sched_core_check_submit (SchedCore *core, const SchedJobSpec *spec, SchedQosId *qos_out)
{
  g_return_val_if_fail (core != NULL && spec != NULL, SCHED_REASON_BAD_CONSTRAINTS);
  g_return_val_if_fail (spec->tasks > 0 && spec->cpus_per_task > 0,
                        SCHED_REASON_BAD_CONSTRAINTS);
  SchedJobSpec s;
  gint32 part;
  SchedAssocId assoc;
  SchedQosId qos;
  SchedReason r = submit_check (core, spec, &s, &part, &assoc, &qos);
  if (qos_out)
    *qos_out = qos;
  return r;
}

SchedTime
sched_core_will_run (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                     SchedAlloc *alloc, SchedReason *reason)
{
  g_return_val_if_fail (core != NULL && spec != NULL && alloc != NULL, SCHED_TIME_NEVER);
  g_return_val_if_fail (spec->tasks > 0 && spec->cpus_per_task > 0, SCHED_TIME_NEVER);
  SchedJob j;
  memset (&j, 0, sizeof j);
  SchedReason r = submit_check (core, spec, &j.spec, &j.part, &j.assoc, &j.qos);
  if (reason)
    *reason = r;
  if (r != SCHED_REASON_NONE)
    return SCHED_TIME_NEVER;
  j.state = SCHED_JOB_PENDING;
  j.start = j.planned = SCHED_TIME_NEVER;
  j.cpus = sched_job_spec_cpus (&j.spec);
  j.simple = sched_job_spec_is_simple (&j.spec);
  j.plan = j.spec.estimate > 0 && j.spec.estimate < j.spec.time_limit ? j.spec.estimate
                                                                       : j.spec.time_limit;
  /* the running jobs' releases alone, node by node (where matters as much as when) */
  SchedProfile *p = sched__profile_new (core, now, FALSE);
  SchedTime t = sched__profile_earliest (p, &j, alloc);
  sched__profile_free (p);
  return t;
}

gboolean
sched_core_submit_tagged (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                          gpointer tag, SchedReason *reason)
{
  g_return_val_if_fail (core != NULL && spec != NULL, FALSE);
  g_return_val_if_fail (spec->tasks > 0 && spec->cpus_per_task > 0, FALSE);
  g_return_val_if_fail (spec->time_limit >= 0, FALSE);
  g_return_val_if_fail (!g_hash_table_contains (core->jobs, GUINT_TO_POINTER (spec->id)), FALSE);
  (void) now;
  SchedJobSpec s;
  gint32 part;
  SchedAssocId assoc;
  SchedQosId qos;
  SchedReason r = submit_check (core, spec, &s, &part, &assoc, &qos);
  if (r != SCHED_REASON_NONE)
    {
      if (reason)
        *reason = r;
      return FALSE;
    }
  SchedJob *j = core->spare_jobs;
  if (j != NULL)
    {
      core->spare_jobs = j->next;
      SchedAllocNode *buf = j->alloc.nodes;
      guint32 cap = j->alloc_cap;
      memset (j, 0, sizeof *j);
      j->alloc.nodes = buf;
      j->alloc_cap = cap;
    }
  else
    j = g_new0 (SchedJob, 1);
  j->spec = s;
  j->state = SCHED_JOB_PENDING;
  j->reason = SCHED_REASON_NONE;
  j->start = SCHED_TIME_NEVER;
  j->planned = SCHED_TIME_NEVER;
  j->seq = core->seq++;
  j->cpus = sched_job_spec_cpus (&s);
  j->simple = sched_job_spec_is_simple (&s);
  j->part = part;
  j->tag = tag;
  j->plan = s.estimate > 0 && s.estimate < s.time_limit ? s.estimate : s.time_limit;
  j->assoc = assoc;
  j->qos = qos;
  if (!j->simple)
    core->n_nonsimple++;
  g_hash_table_insert (core->jobs, GUINT_TO_POINTER (s.id), j);
  queue_insert (core, j);
  core->changes++;
  if (core->limits)
    sched__limits_count (core, j, SCHED_LIMIT_SUBMIT);
  if (reason)
    *reason = SCHED_REASON_NONE;
  return TRUE;
}

static void
forget_job (SchedCore *core, SchedJob *j)
{
  if (!j->simple)
    core->n_nonsimple--;
  g_hash_table_steal (core->jobs, GUINT_TO_POINTER (j->spec.id));
  if (j->alloc_cap > 64)
    {
      /* keep small buffers only, so spare jobs cost O(1) memory each */
      g_clear_pointer (&j->alloc.nodes, g_free);
      j->alloc_cap = 0;
    }
  j->next = core->spare_jobs;
  core->spare_jobs = j;
}

gboolean
sched_core_cancel (SchedCore *core, SchedTime now, SchedJobId id)
{
  g_return_val_if_fail (core != NULL, FALSE);
  (void) now;
  SchedJob *j = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (id));
  if (j == NULL || j->state != SCHED_JOB_PENDING)
    return FALSE;
  core->easy_valid = core->cons_valid = FALSE;
  core->changes++;
  queue_remove (core, j);
  if (core->limits)
    sched__limits_count (core, j, SCHED_LIMIT_DEQUEUE);
  forget_job (core, j);
  return TRUE;
}

void
sched__core_start (SchedCore *core, SchedJob *j, SchedTime now, SchedAlloc *alloc,
                   GArray *started)
{
  g_assert (j->state == SCHED_JOB_PENDING);
  core->changes++;
  queue_remove (core, j);
  if (alloc != NULL)
    {
      g_free (j->alloc.nodes);
      j->alloc = *alloc;
      j->alloc_cap = alloc->n_nodes;
      memset (alloc, 0, sizeof *alloc);
    }
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    {
      const SchedAllocNode *an = &j->alloc.nodes[k];
      SchedNodeState *ns = &core->nodes[an->node];
      g_assert (ns->free_cpus >= an->cpus && ns->free_gpus >= an->gpus
                && ns->free_mem >= an->mem_mb);
      ns->free_cpus -= an->cpus;
      ns->free_gpus -= an->gpus;
      ns->free_mem -= an->mem_mb;
      ns->n_jobs++;
      core->free_cpus -= an->cpus;
      if (ns->free_cpus == 0)
        bit_set (core, an->node, FALSE);
    }
  core->busy_cpus += j->alloc.cpus;
  core->busy_gpus += j->alloc.gpus;
  if (core->priority)
    sched_priority_job_start (core->priority, now, j->assoc, j->alloc.cpus);
  if (core->limits)
    sched__limits_count (core, j, SCHED_LIMIT_START);
  j->state = SCHED_JOB_RUNNING;
  j->reason = SCHED_REASON_NONE;
  j->start = now;
  j->planned = SCHED_TIME_NEVER;
  j->end_limit = now + j->plan;
  if (core->defer_push)
    g_ptr_array_add (core->deferred, j);
  else
    heap_push (core, j);
  SchedStart st = { j->spec.id, &j->alloc, j->tag };
  g_array_append_val (started, st);
}

/* ---- feature constraints ---- */

/* A constraint is interned once (sched_core_constraint) into, per alternative of its
 * brackets and per partition, the nodes that satisfy it (SchedConstraint): the expression
 * is checked and compiled once (sched/constraint.h, SchedConstraintProg), then evaluated
 * over each node's features once per alternative, O(alternatives x nodes x length) once per
 * distinct expression.  The mask of alternative k is the expression with the brackets
 * standing for their k-th item, so what is ANDed outside ("intel&[rack1|rack2]") applies
 * to every alternative.
 * Approximated: counts.  Outside brackets "name*N" and "(...)*N" read as uncounted (every
 * node must match, where Slurm asks it of N nodes of the job only).  Multiple counts
 * "[a*2&b*4]" read as one alternative, the nodes matching any counted item ("a|b"), where
 * Slurm wants exactly 2 nodes with a and 4 with b: the job gets nodes of the requested
 * kinds, in any mix. */

static void
constraint_free (gpointer data)
{
  SchedConstraint *c = data;
  g_free (c->offs);
  g_free (c->nodes);
  g_free (c);
}

/* Sorted node indices (`nodes`, n; repeats and indices out of range dropped) as interning
 * text: "3,7,12".  (transfer full) */
static char *
node_list_key (const SchedCore *core, const guint32 *nodes, guint n, guint32 *count)
{
  g_autofree guint8 *in = g_new0 (guint8, core->n_nodes);
  for (guint i = 0; i < n; i++)
    if (nodes[i] < core->n_nodes)
      in[nodes[i]] = 1;
  GString *key = g_string_new (NULL);
  *count = 0;
  for (guint32 i = 0; i < core->n_nodes; i++)
    if (in[i])
      {
        g_string_append_printf (key, "%s%u", key->len ? "," : "", i);
        (*count)++;
      }
  return g_string_free (key, FALSE);
}

guint32
sched_core_node_set (SchedCore *core, const guint32 *nodes, guint n)
{
  g_return_val_if_fail (core != NULL && (nodes != NULL || n == 0), 0);
  guint32 count;
  g_autofree char *key = node_list_key (core, nodes, n, &count);
  if (count == 0)
    return 0;
  gpointer id = g_hash_table_lookup (core->node_set_ids, key);
  if (id != NULL)
    return GPOINTER_TO_UINT (id);
  guint8 *mask = g_new0 (guint8, core->n_nodes);
  for (guint i = 0; i < n; i++)
    if (nodes[i] < core->n_nodes)
      mask[nodes[i]] = 1;
  g_ptr_array_add (core->node_sets, mask);
  g_array_append_val (core->node_set_sizes, count);
  guint32 sid = core->node_sets->len;
  g_hash_table_insert (core->node_set_ids, g_steal_pointer (&key), GUINT_TO_POINTER (sid));
  return sid;
}

guint32
sched_core_constraint (SchedCore *core, const char *expr)
{
  return sched_core_constraint_excluding (core, expr, NULL, 0);
}

guint32
sched_core_constraint_excluding (SchedCore *core, const char *expr, const guint32 *exclude,
                                 guint n_exclude)
{
  g_return_val_if_fail (core != NULL && (exclude != NULL || n_exclude == 0), 0);
  if (expr == NULL)
    expr = "";
  guint32 n_out;
  g_autofree char *out = node_list_key (core, exclude, n_exclude, &n_out);
  if (*expr == '\0' && n_out == 0)
    return 0;
  /* interned by the expression, and the excluded nodes after a separator no expression
   * holds */
  g_autofree char *key = n_out ? g_strdup_printf ("%s\x1f%s", expr, out) : g_strdup (expr);
  gpointer id = g_hash_table_lookup (core->constraint_ids, key);
  if (id != NULL)
    return GPOINTER_TO_UINT (id);
  g_autofree guint8 *excluded = g_new0 (guint8, core->n_nodes);
  for (guint i = 0; i < n_exclude; i++)
    if (exclude[i] < core->n_nodes)
      excluded[exclude[i]] = 1;
  guint32 n = core->n_nodes, kept = 0;
  SchedConstraintProg prog;
  /* no expression: one alternative of every node */
  gboolean valid = *expr == '\0' || sched__constraint_prog_init (&prog, expr);
  guint32 n_alts = *expr == '\0' ? 1 : prog.n_alts;
  /* one node mask per alternative kept; a malformed expression keeps none */
  g_autofree guint8 *masks = g_new0 (guint8, (gsize) n_alts * n);
  for (guint32 a = 0; valid && a < n_alts; a++)
    {
      guint8 *m = masks + (gsize) kept * n;
      gboolean some = FALSE, dup = FALSE;
      for (guint32 i = 0; i < n; i++)
        {
          const char *const *features = sched_cluster_node_features (core->cluster, i);
          m[i] = !excluded[i]
                 && (*expr == '\0' || sched__constraint_prog_eval (&prog, features, a));
          some = some || m[i];
        }
      /* an alternative no node satisfies never fits, and a repeat never comes first */
      for (guint32 b = 0; b < kept && !dup; b++)
        dup = memcmp (masks + (gsize) b * n, m, n) == 0;
      if (some && !dup)
        kept++;
    }
  if (*expr != '\0')
    sched__constraint_prog_clear (&prog);
  if (kept == 0)
    {
      /* malformed, or no node matches: one alternative of no node (BadConstraints) */
      memset (masks, 0, n);
      kept = 1;
    }
  /* the masks as lists of nodes per alternative and partition, for node selection */
  SchedConstraint *c = g_new0 (SchedConstraint, 1);
  c->n_alts = kept;
  c->n_parts = sched_cluster_n_partitions (core->cluster);
  c->offs = g_new (guint32, (gsize) kept * c->n_parts + 1);
  GArray *list = g_array_sized_new (FALSE, FALSE, sizeof (guint32), 16); /* never NULL data */
  for (guint32 a = 0; a < kept; a++)
    for (guint32 k = 0; k < c->n_parts; k++)
      {
        const SchedPartitionSpec *ps = sched_cluster_partition (core->cluster, (gint32) k);
        c->offs[a * c->n_parts + k] = list->len;
        for (guint32 x = 0; x < ps->n_nodes; x++)
          if (masks[(gsize) a * n + ps->nodes[x]])
            g_array_append_val (list, ps->nodes[x]);
      }
  c->offs[kept * c->n_parts] = list->len;
  c->nodes = (guint32 *) g_array_free (list, FALSE);
  g_ptr_array_add (core->constraints, c);
  guint32 cid = core->constraints->len;
  g_hash_table_insert (core->constraint_ids, g_steal_pointer (&key), GUINT_TO_POINTER (cid));
  return cid;
}

gboolean
sched_core_adopt_running (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                          SchedTime start, const SchedAlloc *alloc, gpointer tag,
                          GArray *started)
{
  g_return_val_if_fail (core != NULL && spec != NULL && alloc != NULL, FALSE);
  if (g_hash_table_contains (core->jobs, GUINT_TO_POINTER (spec->id)))
    return FALSE;
  for (guint32 k = 0; k < alloc->n_nodes; k++)
    {
      const SchedAllocNode *an = &alloc->nodes[k];
      if (an->node >= sched_cluster_n_nodes (core->cluster))
        return FALSE;
      const SchedNodeState *ns = &core->nodes[an->node];
      if (!node_usable (ns) || ns->free_cpus < an->cpus || ns->free_gpus < an->gpus
          || ns->free_mem < an->mem_mb)
        return FALSE;
    }
  SchedReason r;
  SchedJobSpec s = *spec;
  s.max_nodes = 0;   /* the allocation is a fact now, not a request to check */
  s.min_nodes = 0;
  if (!sched_core_submit_tagged (core, start, &s, tag, &r))
    return FALSE;
  SchedJob *j = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (spec->id));
  SchedAlloc copy;
  sched_alloc_copy (&copy, alloc);
  core->easy_valid = core->cons_valid = FALSE;
  sched__core_start (core, j, start, &copy, started);
  (void) now;
  return TRUE;
}

gboolean
sched_core_job_ended (SchedCore *core, SchedTime now, SchedJobId id, SchedJobState state)
{
  g_return_val_if_fail (core != NULL, FALSE);
  g_return_val_if_fail (sched_job_state_is_final (state), FALSE);
  SchedJob *j = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (id));
  if (j == NULL || j->state != SCHED_JOB_RUNNING)
    return FALSE;
  core->easy_valid = FALSE;
  core->changes++;
  if (now != j->end_limit)
    core->cons_valid = FALSE; /* the schedule planned this job's CPUs until its limit */
  heap_remove (core, j);
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    {
      const SchedAllocNode *an = &j->alloc.nodes[k];
      SchedNodeState *ns = &core->nodes[an->node];
      ns->free_cpus += an->cpus;
      ns->free_gpus += an->gpus;
      ns->free_mem += an->mem_mb;
      ns->n_jobs--;
      if (node_usable (ns))
        {
          core->free_cpus += an->cpus;
          bit_set (core, an->node, TRUE);
        }
    }
  core->busy_cpus -= j->alloc.cpus;
  core->busy_gpus -= j->alloc.gpus;
  if (core->priority)
    sched_priority_job_end (core->priority, now, j->assoc, j->alloc.cpus);
  if (core->limits)
    {
      sched__limits_count (core, j, SCHED_LIMIT_END);
      sched__limits_count (core, j, SCHED_LIMIT_DEQUEUE);
    }
  j->state = state;
  forget_job (core, j);
  return TRUE;
}

void
sched__alloc_simple (SchedCore *core, SchedJob *j)
{
  guint64 need = j->cpus;
  SchedAlloc *alloc = &j->alloc;
  alloc->n_nodes = 0;
  alloc->cpus = (guint32) j->cpus;
  alloc->gpus = 0;
  while (core->first_word < core->n_words && core->free_bits[core->first_word] == 0)
    core->first_word++;
  for (guint32 w = core->first_word; w < core->n_words && need > 0; w++)
    {
      guint64 bits = core->free_bits[w];
      while (bits != 0 && need > 0)
        {
          guint32 n = w * 64 + (guint32) __builtin_ctzll (bits);
          bits &= bits - 1;
          guint32 take = MIN ((guint64) core->nodes[n].free_cpus, need);
          need -= take;
          if (alloc->n_nodes == j->alloc_cap)
            {
              j->alloc_cap = MAX (4, j->alloc_cap * 2);
              alloc->nodes = g_renew (SchedAllocNode, alloc->nodes, j->alloc_cap);
            }
          alloc->nodes[alloc->n_nodes++] = (SchedAllocNode) { .node = n, .cpus = take };
        }
    }
  g_assert (need == 0);
}

SchedTime
sched_core_pass (SchedCore *core, SchedTime now, GArray *started)
{
  g_return_val_if_fail (core != NULL && started != NULL, SCHED_TIME_NEVER);
  g_return_val_if_fail (g_array_get_element_size (started) == sizeof (SchedStart),
                        SCHED_TIME_NEVER);
  return core->policy.ops->pass (core, &core->policy, now, started);
}

gboolean
sched_core_job_info (const SchedCore *core, SchedJobId id, SchedJobInfo *info)
{
  g_return_val_if_fail (core != NULL && info != NULL, FALSE);
  const SchedJob *j = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (id));
  if (j == NULL)
    return FALSE;
  info->id = id;
  info->state = j->state;
  info->reason = j->state != SCHED_JOB_PENDING ? SCHED_REASON_NONE
                 : j->reason != SCHED_REASON_NONE ? j->reason
                 : j == core->qhead ? SCHED_REASON_RESOURCES
                                    : SCHED_REASON_PRIORITY;
  info->submit = j->spec.submit;
  info->start = j->start;
  info->planned_start = j->planned;
  info->spec = &j->spec;
  info->alloc = j->state == SCHED_JOB_RUNNING ? &j->alloc : NULL;
  info->priority = j->priority;
  info->partition = j->part;
  info->qos = j->qos;
  return TRUE;
}

gboolean
sched_core_fits_if_freed (const SchedCore *core, SchedJobId id, const SchedJobId *freed,
                          guint n_freed, const SchedAlloc *held, guint n_held,
                          SchedAlloc *alloc)
{
  g_return_val_if_fail (core != NULL, FALSE);
  g_return_val_if_fail (freed != NULL || n_freed == 0, FALSE);
  g_return_val_if_fail (held != NULL || n_held == 0, FALSE);
  const SchedJob *j = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (id));
  if (j == NULL || j->state != SCHED_JOB_PENDING)
    return FALSE;
  g_autofree SchedAvail *avail = g_new (SchedAvail, core->n_nodes);
  sched__avail_now (core, avail);
  for (guint i = 0; i < n_freed; i++)
    {
      const SchedJob *r = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (freed[i]));
      if (r == NULL || r->state != SCHED_JOB_RUNNING)
        continue;
      for (guint32 k = 0; k < r->alloc.n_nodes; k++)
        {
          const SchedAllocNode *an = &r->alloc.nodes[k];
          if (!node_usable (&core->nodes[an->node]))
            continue;
          avail[an->node].cpus += an->cpus;
          avail[an->node].gpus += an->gpus;
          avail[an->node].mem += an->mem_mb;
        }
    }
  for (guint i = 0; i < n_held; i++)
    for (guint32 k = 0; k < held[i].n_nodes; k++)
      {
        const SchedAllocNode *an = &held[i].nodes[k];
        SchedAvail *a = &avail[an->node];
        a->cpus -= MIN (a->cpus, an->cpus);
        a->gpus -= MIN (a->gpus, an->gpus);
        a->mem -= MIN (a->mem, an->mem_mb);
      }
  SchedAlloc a = { 0 };
  if (!sched__select_nodes (core, &j->spec, j->part, avail, &a))
    return FALSE;
  if (alloc)
    *alloc = a;
  else
    sched_alloc_clear (&a);
  return TRUE;
}

guint
sched_core_n_pending (const SchedCore *core)
{
  return core->n_pending;
}

guint
sched_core_n_running (const SchedCore *core)
{
  return core->running->len;
}

guint64
sched_core_busy_cpus (const SchedCore *core)
{
  return core->busy_cpus;
}

guint64
sched_core_busy_gpus (const SchedCore *core)
{
  return core->busy_gpus;
}

void
sched__core_check (const SchedCore *core)
{
  g_autofree SchedAvail *used = g_new0 (SchedAvail, core->n_nodes);
  guint64 busy = 0;
  for (guint i = 0; i < core->running->len; i++)
    {
      const SchedJob *j = core->running->pdata[i];
      g_assert_cmpuint (j->heap_idx, ==, i);
      g_assert (j->state == SCHED_JOB_RUNNING);
      if (i > 0)
        g_assert (!sched__job_ends_before (j, core->running->pdata[(i - 1) / 2]));
      guint32 cpus = 0;
      for (guint32 k = 0; k < j->alloc.n_nodes; k++)
        {
          const SchedAllocNode *an = &j->alloc.nodes[k];
          if (k > 0)
            g_assert_cmpuint (an->node, >, j->alloc.nodes[k - 1].node);
          used[an->node].cpus += an->cpus;
          used[an->node].gpus += an->gpus;
          used[an->node].mem += an->mem_mb;
          cpus += an->cpus;
        }
      g_assert_cmpuint (cpus, ==, j->alloc.cpus);
      g_assert_cmpuint (cpus, >=, j->cpus);
      busy += cpus;
    }
  g_assert_cmpuint (busy, ==, core->busy_cpus);
  guint64 free_total = 0;
  for (guint32 n = 0; n < core->n_nodes; n++)
    {
      const SchedNodeSpec *ns = sched_cluster_node (core->cluster, n);
      const SchedNodeState *st = &core->nodes[n];
      g_assert_cmpuint (st->free_cpus + used[n].cpus, ==, ns->cpus);
      g_assert_cmpuint (st->free_gpus + used[n].gpus, ==, ns->gpus);
      g_assert_cmpuint (st->free_mem + used[n].mem, ==, ns->mem_mb);
      gboolean bit = (core->free_bits[n / 64] >> (n % 64)) & 1;
      g_assert_cmpint (bit, ==, node_usable (st) && st->free_cpus > 0);
      if (node_usable (st))
        free_total += st->free_cpus;
    }
  g_assert_cmpuint (free_total, ==, core->free_cpus);
  guint n = 0;
  const SchedQBlock *cur = core->bhead;
  for (const SchedJob *j = core->qhead; j != NULL; j = j->next, n++)
    {
      g_assert (j->state == SCHED_JOB_PENDING);
      g_assert (j->block == cur);
      if (cur->dirty == FALSE)
        g_assert (j->cpus >= cur->min_cpus && j->plan >= cur->min_limit);
      if (j == cur->first)
        g_assert (j->prev == NULL || j->prev->block != cur);
      if (j == cur->last)
        {
          g_assert (j->next == NULL || j->next->block == cur->next);
          cur = cur->next;
        }
      if (j->next)
        g_assert (queue_before (j, j->next));
    }
  g_assert_cmpuint (n, ==, core->n_pending);
  g_assert (cur == NULL);
  guint nb = 0;
  for (const SchedQBlock *b = core->bhead; b != NULL; b = b->next)
    {
      g_assert (b->next != NULL || b == core->btail);
      nb += b->n;
    }
  g_assert_cmpuint (nb, ==, core->n_pending);
}

/* ---- node states ---- */

static const char *const node_status_names[] = {
  [SCHED_NODE_IDLE] = "IDLE",         [SCHED_NODE_MIXED] = "MIXED",
  [SCHED_NODE_ALLOCATED] = "ALLOCATED", [SCHED_NODE_DOWN] = "DOWN",
  [SCHED_NODE_DRAINING] = "DRAINING", [SCHED_NODE_DRAINED] = "DRAINED",
};

const char *
sched_node_status_name (SchedNodeStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (node_status_names), "UNKNOWN");
  return node_status_names[status];
}

SchedNodeStatus
sched_core_node_status (const SchedCore *core, guint32 node)
{
  g_return_val_if_fail (core != NULL && node < core->n_nodes, SCHED_NODE_DOWN);
  const SchedNodeState *s = &core->nodes[node];
  if (s->down)
    return SCHED_NODE_DOWN;
  if (s->drain)
    return s->n_jobs > 0 ? SCHED_NODE_DRAINING : SCHED_NODE_DRAINED;
  if (s->n_jobs == 0)
    return SCHED_NODE_IDLE;
  return s->free_cpus == 0 ? SCHED_NODE_ALLOCATED : SCHED_NODE_MIXED;
}

/* Applies a change of usability to the free-CPU total, the bitset and the counters. */
static void
node_set_flag (SchedCore *core, guint32 node, guint8 *flag, gboolean on)
{
  SchedNodeState *s = &core->nodes[node];
  gboolean was = node_usable (s);
  *flag = on ? 1 : 0;
  gboolean is = node_usable (s);
  if (was && !is)
    {
      core->free_cpus -= s->free_cpus;
      core->n_unusable++;
    }
  else if (!was && is)
    {
      core->free_cpus += s->free_cpus;
      core->n_unusable--;
    }
  node_refresh_bit (core, node);
  core->changes++;
  if (was != is)
    core->easy_valid = core->cons_valid = FALSE;
}

gboolean
sched_core_set_running_limit (SchedCore *core, SchedTime now, SchedJobId id,
                              SchedTime time_limit)
{
  g_return_val_if_fail (core != NULL && time_limit > 0, FALSE);
  SchedJob *j = g_hash_table_lookup (core->jobs, GUINT_TO_POINTER (id));
  if (j == NULL || j->state != SCHED_JOB_RUNNING)
    return FALSE;
  (void) now;
  j->spec.time_limit = time_limit;
  j->plan = j->spec.estimate > 0 && j->spec.estimate < time_limit ? j->spec.estimate
                                                                    : time_limit;
  heap_remove (core, j);
  j->end_limit = j->start + j->plan;
  heap_push (core, j);
  core->easy_valid = FALSE;
  core->cons_valid = FALSE;   /* the schedule planned this job's resources until its old end */
  core->changes++;
  return TRUE;
}

void
sched_core_node_set_down (SchedCore *core, SchedTime now, guint32 node, gboolean down,
                          GArray *affected)
{
  g_return_if_fail (core != NULL && node < core->n_nodes);
  (void) now;
  node_set_flag (core, node, &core->nodes[node].down, down);
  if (affected == NULL || !down)
    return;
  for (guint i = 0; i < core->running->len; i++)
    {
      const SchedJob *j = core->running->pdata[i];
      for (guint32 k = 0; k < j->alloc.n_nodes; k++)
        if (j->alloc.nodes[k].node == node)
          {
            g_array_append_val (affected, j->spec.id);
            break;
          }
    }
}

void
sched_core_node_set_drain (SchedCore *core, SchedTime now, guint32 node, gboolean drain)
{
  g_return_if_fail (core != NULL && node < core->n_nodes);
  (void) now;
  node_set_flag (core, node, &core->nodes[node].drain, drain);
}

/* ---- ordered visit of the running jobs ---- */

static inline gboolean
pos_less (const SchedCore *core, const guint32 *a, const guint32 *b)
{
  return sched__job_ends_before (core->running->pdata[*a], core->running->pdata[*b]);
}

SCHED_DEFINE_HEAP (pos_heap, guint32, SchedCore, pos_less)

void
sched__run_iter_init (SchedCore *core, SchedRunIter *it, GArray *storage)
{
  it->h = storage;
  g_array_set_size (it->h, 0);
  if (core->running->len > 0)
    pos_heap_push (it->h, core, 0);
}

const SchedJob *
sched__run_iter_peek (const SchedCore *core, const SchedRunIter *it)
{
  if (it->h->len == 0)
    return NULL;
  return core->running->pdata[g_array_index (it->h, guint32, 0)];
}

void
sched__run_iter_pop (const SchedCore *core, SchedRunIter *it)
{
  guint32 top = *pos_heap_top (it->h);
  pos_heap_pop (it->h, core);
  guint32 l = 2 * top + 1;
  if (l < core->running->len)
    pos_heap_push (it->h, core, l);
  if (l + 1 < core->running->len)
    pos_heap_push (it->h, core, l + 1);
}

void
sched__core_defer_push (SchedCore *core, gboolean defer)
{
  core->defer_push = defer;
}

void
sched__core_flush_deferred (SchedCore *core)
{
  for (guint i = 0; i < core->deferred->len; i++)
    heap_push (core, core->deferred->pdata[i]);
  g_ptr_array_set_size (core->deferred, 0);
}

gboolean
sched__try_start_now (SchedCore *core, SchedJob *j, SchedTime now, GArray *started)
{
  if (j->simple && core->pool_part && core->n_unusable == 0)
    {
      if (j->cpus > core->free_cpus)
        return FALSE;
      sched__alloc_simple (core, j);
      sched__core_start (core, j, now, NULL, started);
      return TRUE;
    }
  g_autofree SchedAvail *avail = g_new (SchedAvail, core->n_nodes);
  sched__avail_now (core, avail);
  SchedAlloc a = { 0 };
  if (!sched__select_nodes (core, &j->spec, j->part, avail, &a))
    return FALSE;
  sched__core_start (core, j, now, &a, started);
  return TRUE;
}

guint64
sched__avail_now (const SchedCore *core, SchedAvail *avail)
{
  guint64 gpus = 0;
  for (guint32 n = 0; n < core->n_nodes; n++)
    {
      const SchedNodeState *ns = &core->nodes[n];
      if (node_usable (ns))
        {
          avail[n] = (SchedAvail) { ns->free_cpus, ns->free_gpus, ns->free_mem };
          gpus += ns->free_gpus;
        }
      else
        avail[n] = (SchedAvail) { 0, 0, 0 };
    }
  return gpus;
}
