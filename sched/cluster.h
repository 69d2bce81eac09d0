/* SPDX-License-Identifier: MIT */
/* sched/cluster.h - the static description of a cluster: nodes and partitions.
 *
 * A SchedCluster is built once (node by node, or as N identical nodes) and then only read;
 * the dynamic state (what is free, what is drained) lives in SchedCore.  Nodes are indexed
 * 0..n-1 in the order they were added; partitions likewise.  Memory is O(nodes). */
#pragma once
#include <glib.h>
#include "sched/types.h"

G_BEGIN_DECLS

typedef struct _SchedCluster SchedCluster;

typedef struct {
  const char *name;       /* (transfer none) owned by the cluster */
  guint32     cpus;
  guint64     mem_mb;     /* 0 = not modeled */
  guint32     gpus;
  guint32     gpu_type;   /* interned, 0 = untyped */
  guint32     weight;     /* lower weight is chosen first (Slurm) */
} SchedNodeSpec;

typedef struct {
  const char    *name;         /* (transfer none) */
  const guint32 *nodes;        /* (transfer none) node indices, increasing */
  guint32        n_nodes;
  SchedTime      default_time; /* seconds; 0 = none (use max_time) */
  SchedTime      max_time;     /* seconds; SCHED_TIME_NEVER = unlimited */
  guint32        max_nodes;    /* 0 = unlimited */
  gboolean       is_default;
  gboolean       up;
  guint32        priority_tier;       /* PriorityTier, 1: higher tiers are scheduled first
                                       * (the `priority` order) */
  guint32        priority_job_factor; /* PriorityJobFactor, 1: the multifactor partition
                                       * factor */
  const char *const *allow_accounts;  /* (transfer none) AllowAccounts, NULL = ALL */
  const char *const *allow_qos;       /* (transfer none) AllowQos, NULL = ALL */
} SchedPartitionSpec;

/* Returns (transfer full) an empty cluster. */
SchedCluster *sched_cluster_new (void);

/* Returns (transfer full) a cluster of `n` identical nodes named n1..nN (zero-padded to a
 * common width), each with `cpus` CPUs, `mem_mb` MB and `gpus` GPUs, and one default
 * partition "all" holding them all with no limits.  The processor-pool view of an SWF
 * trace is sched_cluster_new_uniform (procs, 1, 0, 0). */
SchedCluster *sched_cluster_new_uniform (guint32 n, guint32 cpus, guint64 mem_mb, guint32 gpus);

void sched_cluster_free (SchedCluster *cluster);

/* Adds a node and returns its index.  Names must be unique (programming error otherwise). */
guint32 sched_cluster_add_node (SchedCluster *cluster, const char *name, guint32 cpus,
                                guint64 mem_mb, guint32 gpus, guint32 gpu_type);
void    sched_cluster_set_node_weight (SchedCluster *cluster, guint32 node, guint32 weight);
/* Sets the node's features (slurm.conf Feature=; copied; NULL or empty: none), which
 * constraints (sched_core_constraint) match. */
void    sched_cluster_set_node_features (SchedCluster *cluster, guint32 node,
                                         const char *const *features);
/* (transfer none) NULL-terminated, or NULL when the node has none. */
const char *const *sched_cluster_node_features (const SchedCluster *cluster, guint32 node);

/* Adds a partition over `nodes` (n indices, any order, duplicates ignored) and returns its
 * index.  The first partition added with is_default, or else the first one, is the default. */
gint32 sched_cluster_add_partition (SchedCluster *cluster, const char *name,
                                    const guint32 *nodes, guint32 n, SchedTime default_time,
                                    SchedTime max_time, guint32 max_nodes, gboolean is_default);

/* Sets partition `part`'s PriorityTier and PriorityJobFactor (both 1 by default). */
void sched_cluster_set_partition_priority (SchedCluster *cluster, gint32 part, guint32 tier,
                                           guint32 job_factor);

/* Sets partition `part`'s AllowAccounts and AllowQos lists (NULL-terminated, copied; NULL
 * = ALL).  A job whose account (or QOS) is not listed is rejected at submission
 * (AccountNotAllowed, QOSNotAllowed: sched/qos.h). */
void sched_cluster_set_partition_access (SchedCluster *cluster, gint32 part,
                                         const char *const *allow_accounts,
                                         const char *const *allow_qos);

/* Returns the id of GPU type `name`, interning it on first use ("" and NULL are 0). */
guint32     sched_cluster_intern_gpu_type (SchedCluster *cluster, const char *name);
const char *sched_cluster_gpu_type_name (const SchedCluster *cluster, guint32 type);

guint32 sched_cluster_n_nodes (const SchedCluster *cluster);
guint32 sched_cluster_n_partitions (const SchedCluster *cluster);
/* Returned pointers are (transfer none), valid while the cluster is not modified. */
const SchedNodeSpec      *sched_cluster_node (const SchedCluster *cluster, guint32 node);
const SchedPartitionSpec *sched_cluster_partition (const SchedCluster *cluster, gint32 part);
gint32  sched_cluster_default_partition (const SchedCluster *cluster);
gint32  sched_cluster_find_partition (const SchedCluster *cluster, const char *name); /* -1 */
gint32  sched_cluster_find_node (const SchedCluster *cluster, const char *name);      /* -1 */

/* Totals over all nodes. */
guint64 sched_cluster_total_cpus (const SchedCluster *cluster);
guint64 sched_cluster_total_gpus (const SchedCluster *cluster);

/* TRUE if every node has the same CPUs, memory and GPUs. */
gboolean sched_cluster_is_uniform (const SchedCluster *cluster);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SchedCluster, sched_cluster_free)

G_END_DECLS
