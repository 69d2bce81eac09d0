/* SPDX-License-Identifier: MIT */
/* sched/select.c - node selection for one job on given per-node availability.
 *
 * Like Slurm's select/cons_tres in spirit: a node is eligible when it can host at least one
 * task (cpus_per_task CPUs) and, on every node used, the job's memory and GPUs per node (of
 * the requested type); an exclusive job needs an entirely free node and takes all its CPUs.
 * Eligible nodes are taken best-fit: lower weight first, then fewer free CPUs, then lower
 * index, each receiving as many tasks as it holds, while leaving one task for every further
 * node that min_nodes still requires.  When best fit needs more nodes than max_nodes (or the
 * partition's MaxNodes) allows, the biggest nodes go first instead, which uses the fewest
 * nodes.  Cost O(nodes log nodes) per call. */
#include "sched/core-private.h"

typedef struct {
  guint32 node;
  guint32 weight;
  guint32 free_cpus;
  guint32 fit;        /* tasks this node can host */
} Cand;

static int
cand_cmp (gconstpointer pa, gconstpointer pb)
{
  const Cand *a = pa, *b = pb;
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

gboolean
sched__select_nodes (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                     const SchedAvail *avail, SchedAlloc *alloc)
{
  const SchedPartitionSpec *p = sched_cluster_partition (core->cluster, part);
  guint32 cpt = spec->cpus_per_task;
  g_autoptr (GArray) cands = g_array_sized_new (FALSE, FALSE, sizeof (Cand), 64);
  guint64 total_fit = 0;
  for (guint32 i = 0; i < p->n_nodes; i++)
    {
      guint32 n = p->nodes[i];
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
      if (fit == 0)
        continue;
      Cand c = { n, ns->weight, a->cpus, fit };
      g_array_append_val (cands, c);
      total_fit += fit;
    }
  guint32 need_nodes = MAX (spec->min_nodes, 1);
  if (total_fit < spec->tasks || cands->len < need_nodes)
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
