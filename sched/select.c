/* SPDX-License-Identifier: MIT */
/* sched/select.c - node selection for one job on given per-node availability.
 *
 * Like Slurm's select/cons_tres in spirit: a node is eligible when it can host at least one
 * task (cpus_per_task CPUs; at most tasks_per_node tasks go to one node) and, on every node used, the job's memory and GPUs per node (of
 * the requested type); an exclusive job needs an entirely free node and takes all its CPUs.
 * Eligible nodes are taken best-fit: lower weight first, then fewer free CPUs, then lower
 * index, each receiving as many tasks as it holds, while leaving one task for every further
 * node that min_nodes still requires.  When best fit needs more nodes than max_nodes (or the
 * partition's MaxNodes) allows, the biggest nodes go first instead, which uses the fewest
 * nodes.  Nodes the job requires (spec->nodes_required) come first, in both orders, and
 * must all be candidates.  A constraint with bracket alternatives ("[rack1|rack2]") is tried one alternative
 * at a time, in the order written, and the first on which the job fits gives all its nodes.
 * Cost O(nodes) per call (per alternative tried) when a few nodes are taken,
 * O(nodes log nodes) at worst. */
#include "sched/core-private.h"

typedef struct {
  guint32 node;
  guint32 weight;
  guint32 free_cpus;
  guint32 fit;        /* tasks this node can host */
  guint32 req;        /* 1: a node the job requires (spec->nodes_required) */
} Cand;

static int
cand_cmp (gconstpointer pa, gconstpointer pb)
{
  const Cand *a = pa, *b = pb;
  if (a->req != b->req)
    return a->req ? -1 : 1;
  if (a->weight != b->weight)
    return a->weight < b->weight ? -1 : 1;
  if (a->free_cpus != b->free_cpus)
    return a->free_cpus < b->free_cpus ? -1 : 1;
  return (a->node > b->node) - (a->node < b->node);
}

/* Most tasks first: the fewest nodes for a bounded node count. */
static int
cand_cmp_capacity (gconstpointer pa, gconstpointer pb)
{
  const Cand *a = pa, *b = pb;
  if (a->req != b->req)
    return a->req ? -1 : 1;
  if (a->fit != b->fit)
    return a->fit > b->fit ? -1 : 1;
  return cand_cmp (pa, pb);
}

static int
alloc_node_cmp (gconstpointer pa, gconstpointer pb)
{
  const SchedAllocNode *a = pa, *b = pb;
  return (a->node > b->node) - (a->node < b->node);
}

/* Brings the least remaining candidate under `cmp` to position i (a selection sort run
 * lazily: the greedy loop below mostly needs one or two).  After SORT_LAZY picks the rest
 * is sorted at once.  `cmp` is a total order (node index last), so the order is the one a
 * full sort gives. */
#define SORT_LAZY 8

static inline void
bring_least (Cand *c, guint n, guint i, GCompareFunc cmp)
{
  if (i == SORT_LAZY)
    {
      qsort (c + i, n - i, sizeof (Cand), cmp);
      return;
    }
  if (i > SORT_LAZY)
    return;
  guint best = i;
  for (guint k = i + 1; k < n; k++)
    if (cmp (&c[k], &c[best]) < 0)
      best = k;
  if (best != i)
    {
      Cand t = c[i];
      c[i] = c[best];
      c[best] = t;
    }
}

gboolean
sched__select_nodes (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                     const SchedAvail *avail, SchedAlloc *alloc)
{
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  if (spec->constraint == 0)
    return sched__select_nodes_on (core, spec, part, avail, p->nodes, p->n_nodes, alloc);
  /* every alternative would start the job now: the first that fits wins (Slurm tries
   * them in order) */
  guint32 n_alts = sched__constraint_n_alts (core, spec->constraint);
  for (guint32 a = 0; a < n_alts; a++)
    {
      guint32 n;
      const guint32 *nodes = sched__constraint_nodes (core, spec->constraint, a, part, p, &n);
      if (sched__select_nodes_on (core, spec, part, avail, nodes, n, alloc))
        return TRUE;
    }
  return FALSE;
}

#ifdef SCHED_PROFILE_VERIFY
/* Verification builds (-DSCHED_PROFILE_VERIFY): selection as it was before the lazy sort,
 * and a check that both choose the same nodes. */
static gboolean
select_nodes_reference (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                        const SchedAvail *avail, const guint32 *nodes, guint32 n_nodes,
                        SchedAlloc *alloc)
{
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  guint32 cpt = spec->cpus_per_task;
  g_autoptr (GArray) cands = g_array_sized_new (FALSE, FALSE, sizeof (Cand), 64);
  guint64 total_fit = 0;
  guint32 n_required, n_req = 0;
  const guint8 *req_mask = sched__node_set_mask (core, spec->nodes_required, &n_required);
  for (guint32 i = 0; i < n_nodes; i++)
    {
      guint32 n = nodes[i];
      const SchedNodeSpec *ns = sched_cluster_node (core->cluster, n);
      const SchedAvail *a = &avail[n];
      if (spec->exclusive
          && (a->cpus != ns->cpus || a->gpus != ns->gpus || a->mem != ns->mem_mb))
        continue;
      if (a->mem < spec->mem_per_node_mb || a->gpus < spec->gpus_per_node)
        continue;
      if (spec->gpus_per_node > 0 && spec->gpu_type != 0 && ns->gpu_type != spec->gpu_type)
        continue;
      guint32 fit = a->cpus / cpt;
      if (spec->tasks_per_node > 0 && fit > spec->tasks_per_node)
        fit = spec->tasks_per_node;
      if (fit == 0)
        continue;
      Cand c = { n, ns->weight, a->cpus, fit, req_mask ? req_mask[n] : 0 };
      g_array_append_val (cands, c);
      total_fit += fit;
      n_req += c.req;
    }
  guint32 need_nodes = MAX (MAX (spec->min_nodes, 1), n_required);
  if (total_fit < spec->tasks || cands->len < need_nodes || n_req < n_required)
    return FALSE;
  guint32 limit = spec->max_nodes;
  if (p->max_nodes > 0 && (limit == 0 || p->max_nodes < limit))
    limit = p->max_nodes;
  g_autofree SchedAllocNode *out = g_new0 (SchedAllocNode, MIN (cands->len, spec->tasks));
  guint32 used = 0;
  /* Best fit first; when that needs more nodes than allowed, take the biggest nodes first
   * (the fewest nodes that can hold the tasks), still best fit among equals. */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_array_sort (cands, attempt == 0 ? cand_cmp : cand_cmp_capacity);
      guint64 remaining = spec->tasks;
      used = 0;
      for (guint i = 0; i < cands->len && (remaining > 0 || used < need_nodes); i++)
        {
          const Cand *c = &g_array_index (cands, Cand, i);
          /* keep one task for each node min_nodes still asks for after this one */
          guint64 reserve_for_rest = need_nodes > used + 1 ? need_nodes - used - 1 : 0;
          if (remaining <= reserve_for_rest)
            break;
          guint64 take = MIN ((guint64) c->fit, remaining - reserve_for_rest);
          const SchedNodeSpec *ns = sched_cluster_node (core->cluster, c->node);
          out[used] = (SchedAllocNode) {
            .node = c->node,
            .cpus = spec->exclusive ? ns->cpus : (guint32) take * cpt,
            .gpus = spec->gpus_per_node,
            .mem_mb = spec->mem_per_node_mb,
          };
          used++;
          remaining -= take;
        }
      if (remaining == 0 && used >= need_nodes && (limit == 0 || used <= limit))
        break;
      if (attempt == 1 || limit == 0)
        return FALSE;
    }
  qsort (out, used, sizeof (SchedAllocNode), alloc_node_cmp);
  alloc->n_nodes = used;
  alloc->cpus = 0;
  alloc->gpus = 0;
  for (guint32 k = 0; k < used; k++)
    {
      alloc->cpus += out[k].cpus;
      alloc->gpus += out[k].gpus;
    }
  alloc->nodes = g_steal_pointer (&out);
  return TRUE;
}

static gboolean select_nodes_fast (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                                   const SchedAvail *avail, const guint32 *nodes, guint32 n,
                                   SchedAlloc *alloc);

gboolean
sched__select_nodes_on (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                        const SchedAvail *avail, const guint32 *nodes, guint32 n,
                        SchedAlloc *alloc)
{
  SchedAlloc ref = { 0 };
  gboolean ok = select_nodes_fast (core, spec, part, avail, nodes, n, alloc);
  gboolean rok = select_nodes_reference (core, spec, part, avail, nodes, n, &ref);
  g_assert_cmpint (ok, ==, rok);
  if (ok)
    {
      g_assert_cmpuint (alloc->n_nodes, ==, ref.n_nodes);
      g_assert_cmpuint (alloc->cpus, ==, ref.cpus);
      g_assert_cmpuint (alloc->gpus, ==, ref.gpus);
      g_assert_cmpmem (alloc->nodes, sizeof (SchedAllocNode) * alloc->n_nodes, ref.nodes,
                       sizeof (SchedAllocNode) * ref.n_nodes);
    }
  sched_alloc_clear (&ref);
  return ok;
}
#define sched__select_nodes_on select_nodes_fast
#endif

gboolean
sched__select_nodes_on (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                        const SchedAvail *avail, const guint32 *nodes, guint32 n_nodes,
                        SchedAlloc *alloc)
{
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  guint32 cpt = spec->cpus_per_task;
  Cand stack_cands[128];
  g_autofree Cand *heap_cands = n_nodes > G_N_ELEMENTS (stack_cands)
                                    ? g_new (Cand, n_nodes) : NULL;
  Cand *cands = heap_cands ? heap_cands : stack_cands;
  guint n_cands = 0;
  guint64 total_fit = 0;
  guint32 n_required, n_req = 0;
  const guint8 *req_mask = sched__node_set_mask (core, spec->nodes_required, &n_required);
  for (guint32 i = 0; i < n_nodes; i++)
    {
      guint32 n = nodes[i];
      const SchedAvail *a = &avail[n];
      if (a->mem < spec->mem_per_node_mb || a->gpus < spec->gpus_per_node || a->cpus < cpt)
        continue;   /* (as the checks below would find) */
      const SchedNodeSpec *ns = sched_cluster_node (core->cluster, n);
      if (spec->exclusive
          && (a->cpus != ns->cpus || a->gpus != ns->gpus || a->mem != ns->mem_mb))
        continue;
      if (spec->gpus_per_node > 0 && spec->gpu_type != 0 && ns->gpu_type != spec->gpu_type)
        continue;
      guint32 fit = a->cpus / cpt;
      if (spec->tasks_per_node > 0 && fit > spec->tasks_per_node)
        fit = spec->tasks_per_node;
      if (fit == 0)
        continue;
      guint32 req = req_mask ? req_mask[n] : 0;
      cands[n_cands++] = (Cand) { n, ns->weight, a->cpus, fit, req };
      total_fit += fit;
      n_req += req;
    }
  guint32 need_nodes = MAX (MAX (spec->min_nodes, 1), n_required);
  if (total_fit < spec->tasks || n_cands < need_nodes || n_req < n_required)
    return FALSE;
  guint32 limit = spec->max_nodes;
  if (p->max_nodes > 0 && (limit == 0 || p->max_nodes < limit))
    limit = p->max_nodes;
  g_autofree SchedAllocNode *out = g_new0 (SchedAllocNode, MIN (n_cands, spec->tasks));
  guint32 used = 0;
  /* Best fit first; when that needs more nodes than allowed, take the biggest nodes first
   * (the fewest nodes that can hold the tasks), still best fit among equals. */
  for (int attempt = 0; attempt < 2; attempt++)
    {
      GCompareFunc cmp = attempt == 0 ? cand_cmp : cand_cmp_capacity;
      guint64 remaining = spec->tasks;
      used = 0;
      for (guint i = 0; i < n_cands && (remaining > 0 || used < need_nodes); i++)
        {
          bring_least (cands, n_cands, i, cmp);
          const Cand *c = &cands[i];
          /* keep one task for each node min_nodes still asks for after this one */
          guint64 reserve_for_rest = need_nodes > used + 1 ? need_nodes - used - 1 : 0;
          if (remaining <= reserve_for_rest)
            break;
          guint64 take = MIN ((guint64) c->fit, remaining - reserve_for_rest);
          const SchedNodeSpec *ns = sched_cluster_node (core->cluster, c->node);
          out[used] = (SchedAllocNode) {
            .node = c->node,
            .cpus = spec->exclusive ? ns->cpus : (guint32) take * cpt,
            .gpus = spec->gpus_per_node,
            .mem_mb = spec->mem_per_node_mb,
          };
          used++;
          remaining -= take;
        }
      if (remaining == 0 && used >= need_nodes && (limit == 0 || used <= limit))
        break;
      if (attempt == 1 || limit == 0)
        return FALSE;
    }
  if (used > 1)
    qsort (out, used, sizeof (SchedAllocNode), alloc_node_cmp);
  alloc->n_nodes = used;
  alloc->cpus = 0;
  alloc->gpus = 0;
  for (guint32 k = 0; k < used; k++)
    {
      alloc->cpus += out[k].cpus;
      alloc->gpus += out[k].gpus;
    }
  alloc->nodes = g_steal_pointer (&out);
  return TRUE;
}
