/* SPDX-License-Identifier: MIT */
/* sched/order.c - queue orders for the backfill engine.
 *
 * An order ranks the pending jobs at each pass by a key computed from the job and `now`;
 * smaller keys go first and ties keep queue order (submit time, then submission order).
 * With r the time the scheduler plans with (the estimate, or else the time limit), n the
 * CPUs asked for, w = now - submit and s the submit time:
 *   submit    queue order (first come, first served)
 *   sjf/ljf   r ascending / descending (shortest / longest job first)
 *   smallest/largest  n ascending / descending
 *   wfp3      -(w / r)^3 * n                     (Tang et al., IPDPS 2009)
 *   unicef    -w / (log2 (max (n, 2)) * r)       (Tang et al.; serial jobs count as 2 CPUs
 *                                                 so that log2 stays positive)
 *   f1        log10 (r) * n + 870 * log10 (s)    (Carastan-Santos & de Camargo, SC 2017; r
 *                                                 and s below 0.1 count as 0.1)
 *   priority  -(Slurm multifactor priority), from the core's SchedPriority updated to `now`
 *             (eligible = submit time; the partition factor from its PriorityJobFactor,
 *             the QOS factor from its QOS's priority); without one, queue order (Slurm's
 *             priority/basic).  As in Slurm's queue sort, jobs of partitions with a
 *             higher PriorityTier come first, whatever their priority.
 * Sorting is O(Q log Q) per pass, so the fast paths of fcfs, EASY and conservative (which
 * keep the queue in submit order between passes) apply to `submit` only. */
#include "sched/core-private.h"

#include <math.h>
#include <string.h>

static const char *const order_names[SCHED_ORDER_N + 1] = {
  [SCHED_ORDER_SUBMIT] = "submit",   [SCHED_ORDER_SJF] = "sjf",
  [SCHED_ORDER_LJF] = "ljf",         [SCHED_ORDER_SMALLEST] = "smallest",
  [SCHED_ORDER_LARGEST] = "largest", [SCHED_ORDER_WFP3] = "wfp3",
  [SCHED_ORDER_UNICEF] = "unicef",   [SCHED_ORDER_F1] = "f1",
  [SCHED_ORDER_PRIORITY] = "priority", [SCHED_ORDER_N] = NULL,
};

gboolean
sched_order_lookup (const char *name, SchedOrder *order)
{
  g_return_val_if_fail (name != NULL && order != NULL, FALSE);
  for (int i = 0; i < SCHED_ORDER_N; i++)
    if (strcmp (order_names[i], name) == 0)
      {
        *order = (SchedOrder) i;
        return TRUE;
      }
  return FALSE;
}

const char *const *
sched_order_names (void)
{
  return order_names;
}

const char *
sched_order_name (SchedOrder order)
{
  g_return_val_if_fail (order < SCHED_ORDER_N, "unknown");
  return order_names[order];
}

double
sched__order_key (SchedOrder order, const SchedJob *j, SchedTime now)
{
  double r = (double) j->plan, n = (double) j->cpus;
  double w = (double) (now - j->spec.submit);
  switch (order)
    {
    case SCHED_ORDER_SUBMIT:
      return (double) j->spec.submit;
    case SCHED_ORDER_SJF:
      return r;
    case SCHED_ORDER_LJF:
      return -r;
    case SCHED_ORDER_SMALLEST:
      return n;
    case SCHED_ORDER_LARGEST:
      return -n;
    case SCHED_ORDER_WFP3:
      {
        double q = w / MAX (r, 1.0);
        return -(q * q * q) * n;
      }
    case SCHED_ORDER_UNICEF:
      return -w / (log2 (MAX (n, 2.0)) * MAX (r, 1.0));
    case SCHED_ORDER_F1:
      return log10 (MAX (r, 0.1)) * n + 870.0 * log10 (MAX ((double) j->spec.submit, 0.1));
    case SCHED_ORDER_PRIORITY:
      return (double) j->spec.submit; /* no SchedPriority: priority/basic */
    case SCHED_ORDER_N:
    default:
      g_assert_not_reached ();
    }
}

typedef struct {
  guint32   tier;    /* partition PriorityTier (priority order), higher first */
  double    key;
  SchedJob *job;
} Keyed;

static int
keyed_cmp (gconstpointer pa, gconstpointer pb)
{
  const Keyed *a = pa, *b = pb;
  if (a->tier != b->tier)
    return a->tier > b->tier ? -1 : 1;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  const SchedJob *x = a->job, *y = b->job;
  if (x->spec.submit != y->spec.submit)
    return x->spec.submit < y->spec.submit ? -1 : 1;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

static inline guint32
tier_of (const SchedCore *core, const SchedJob *j)
{
  return core->tiers ? sched_cluster_partition (core->cluster, j->part)->priority_tier : 0;
}

void
sched__order_queue (SchedCore *core, SchedOrder order, SchedTime now, GPtrArray *out)
{
  g_ptr_array_set_size (out, 0);
  if (order == SCHED_ORDER_SUBMIT)
    {
      for (SchedJob *j = core->qhead; j != NULL; j = j->next)
        g_ptr_array_add (out, j);
      return;
    }
  g_autofree Keyed *k = g_new (Keyed, core->n_pending);
  guint n = 0;
  if (order == SCHED_ORDER_PRIORITY && core->priority != NULL)
    {
      sched_priority_update (core->priority, now);
      for (SchedJob *j = core->qhead; j != NULL; j = j->next)
        {
          SchedPriorityJob pj;
          sched_priority_job_init (&pj);
          pj.assoc = j->assoc;
          pj.eligible = j->spec.submit;
          pj.cpus = j->cpus;
          pj.nodes = j->spec.min_nodes;
          pj.time_limit = j->spec.time_limit;
          pj.partition_factor = sched_cluster_partition (core->cluster, j->part)->priority_job_factor;
          if (core->limits && j->qos != SCHED_QOS_DEFAULT)
            pj.qos_priority = sched_limits_get_qos (core->limits, j->qos)->priority;
          j->priority = sched_priority_job (core->priority, now, &pj, NULL);
          k[n++] = (Keyed) { tier_of (core, j), -(double) j->priority, j };
        }
    }
  else if (order == SCHED_ORDER_PRIORITY)
    for (SchedJob *j = core->qhead; j != NULL; j = j->next)
      k[n++] = (Keyed) { tier_of (core, j), sched__order_key (order, j, now), j };
  else
    for (SchedJob *j = core->qhead; j != NULL; j = j->next)
      k[n++] = (Keyed) { 0, sched__order_key (order, j, now), j };
  qsort (k, n, sizeof (Keyed), keyed_cmp);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (out, k[i].job);
}
