/* SPDX-License-Identifier: MIT */
/* workloads/slurmconf.h - the cluster description in slurm.conf syntax.
 *
 * A WlSlurmConf is what a slurm.conf says: the nodes (NodeName lines, in definition order,
 * each hostlist expanded), the partitions (PartitionName lines), and every other key as an
 * ordered key/value list, so that later code can read any of them.  It is built once by
 * wl_slurmconf_load and then only read; wl_slurmconf_build_cluster turns it into the
 * scheduler's SchedCluster.
 *
 * Syntax, as Slurm reads it:
 *  - "Key=Value" pairs separated by blanks, several per line; keys are case-insensitive;
 *    blanks around '=' are allowed; a value may be double-quoted to hold blanks;
 *  - '#' starts a comment anywhere ("\#" is a literal '#'); a line ending in an odd number of
 *    backslashes (blanks after them allowed) continues on the next line, joined without
 *    a blank, as Slurm joins them;
 *  - "Include PATH" reads another file in place; a relative PATH is relative to the
 *    directory of the file that includes it; nesting is limited to WL_SLURMCONF_MAX_DEPTH;
 *  - the first key of a line says what the line is: NodeName, PartitionName, DownNodes or
 *    NodeSet; any other line holds global keys.  "NodeName=DEFAULT" and
 *    "PartitionName=DEFAULT" set defaults for the lines after them (later DEFAULT lines add
 *    to and override earlier ones), as Slurm does.
 * Nodes: CPUs (or Procs), Boards, Sockets, SocketsPerBoard, CoresPerSocket, ThreadsPerCore
 * (Slurm's rules: CPUs defaults to Sockets x CoresPerSocket x ThreadsPerCore; Sockets
 * defaults to CPUs / (CoresPerSocket x ThreadsPerCore); CPUs matching none of Sockets,
 * Sockets x Cores and Sockets x Cores x Threads is reset to the last, with a warning),
 * RealMemory (MB), TmpDisk, Weight, Feature/Features (comma list), Gres ("gpu:a100:8",
 * "gpu:8", "gpu", lists "gpu:a100:4,gpu:v100:2,mps:100", counts with K/M/G/T suffixes,
 * "no_consume"), State (UNKNOWN, IDLE, DOWN, DRAIN, FAIL, FAILING, FUTURE, CLOUD) and
 * Reason.  Every gres is kept; the cluster model takes one GPU type per node: the first
 * "gpu" gres gives `gpus` and `gpu_type`, with a warning when a node lists several types.
 * A node defined twice is an error.  "DownNodes=LIST State=DOWN|DRAIN|FAIL... Reason=..."
 * sets the state of defined nodes; "NodeSet=NAME Nodes=LIST" or "NodeSet=NAME Feature=F"
 * names a set of nodes that partitions may list.
 * Partitions: Nodes (hostlist of nodes and node sets, or ALL), Default, MaxTime and
 * DefaultTime (Slurm time strings, rounded up to whole minutes as Slurm does), MaxNodes and
 * MinNodes (or UNLIMITED), PriorityTier, PriorityJobFactor, State (UP, DOWN, DRAIN,
 * INACTIVE), OverSubscribe (or Shared: NO, YES[:N], FORCE[:N], EXCLUSIVE), AllowAccounts,
 * DenyAccounts, AllowQos, DenyQos, AllowGroups, QOS, and the other Slurm partition keys,
 * kept (the QOS and Deny lists reach the scheduler through wl_slurmconf_apply_limits).  When
 * several partitions say Default=YES the last one is the default, as in Slurm (warned).
 * Global keys: all are kept (wl_slurmconf_globals); the values of the common ones are
 * checked where they are read (SlurmctldPort, SchedulerParameters, PriorityWeight*,
 * PriorityDecayHalfLife, PriorityMaxAge, PriorityCalcPeriod, PriorityFavorSmall,
 * PriorityUsageResetPeriod, MaxJobCount, FirstJobId, ...).
 * Unknown keys (not Slurm keys of that kind of line) are warned about once each
 * ("file:line: unknown key \"Foo\" (kept)"), kept and never fatal.
 * Errors are "file:line: what was expected" (WL_ERROR_MALFORMED): a pair without '=', an
 * unterminated quote, a bad number, time, boolean, state, gres or hostlist, a node listed by
 * a partition, DownNodes or NodeSet that is not defined; WL_ERROR_IO for files that cannot
 * be read.  Memory is O(nodes + lines). */
#pragma once
#include <glib.h>
#include "sched/cluster.h"
#include "sched/qos.h"
#include "workloads/trace.h"        /* WL_ERROR, WlWarnFunc */
#include "workloads/slurmparse.h"   /* WlParamList, WlGres, wl_parse_slurm_time */

G_BEGIN_DECLS

#define WL_SLURMCONF_MAX_DEPTH 16   /* Include nesting */

/* Node states a slurm.conf may give (State= on NodeName and DownNodes lines). */
typedef enum {
  WL_NODE_STATE_UNKNOWN = 0,   /* the default: usable */
  WL_NODE_STATE_IDLE,
  WL_NODE_STATE_DOWN,
  WL_NODE_STATE_DRAIN,
  WL_NODE_STATE_FAIL,
  WL_NODE_STATE_FAILING,
  WL_NODE_STATE_FUTURE,        /* not yet in service */
  WL_NODE_STATE_CLOUD,         /* powered down until needed */
} WlNodeState;

typedef enum {
  WL_PART_STATE_UP = 0,
  WL_PART_STATE_DOWN,
  WL_PART_STATE_DRAIN,
  WL_PART_STATE_INACTIVE,
} WlPartState;

/* Upper-case names as slurm.conf writes them ("DOWN", "INACTIVE"). */
const char *wl_node_state_name (WlNodeState s);
const char *wl_part_state_name (WlPartState s);

/* One node.  Strings and arrays are owned by the conf. */
typedef struct {
  char        *name;
  guint32      cpus;
  guint32      boards;
  guint32      sockets;             /* in total (Boards x SocketsPerBoard when given so) */
  guint32      cores_per_socket;
  guint32      threads_per_core;
  guint64      real_memory_mb;      /* 0 = not given (Slurm then assumes 1 MB) */
  guint64      tmp_disk_mb;
  guint32      weight;              /* default 1; lower is used first */
  char       **features;            /* NULL-terminated, never NULL */
  const WlGres *gres;               /* n_gres of them, as listed */
  guint        n_gres;
  guint32      gpus;                /* count of the first "gpu" gres, 0 if none */
  const char  *gpu_type;            /* its type, NULL if untyped or none */
  WlNodeState  state;
  const char  *reason;              /* NULL if none */
  const WlParamList *settings;      /* every key of its line and the defaults, as written */
  const char  *file;                /* where it was defined */
  guint        line;
} WlSlurmNode;

/* One partition.  Strings and arrays are owned by the conf. */
typedef struct {
  char        *name;
  const guint32 *nodes;             /* indices of wl_slurmconf_node, as listed, no duplicates */
  guint        n_nodes;
  gboolean     all_nodes;           /* Nodes=ALL */
  gboolean     is_default;          /* the default partition (the last Default=YES) */
  SchedTime    max_time;            /* seconds; WL_TIME_UNLIMITED (the default) = none */
  SchedTime    default_time;        /* seconds; 0 = not given; WL_TIME_UNLIMITED */
  guint32      max_nodes;           /* 0 = UNLIMITED */
  guint32      min_nodes;
  guint32      priority_tier;       /* default 1 */
  guint32      priority_job_factor; /* default 1 */
  WlPartState  state;
  const char  *oversubscribe;       /* as written, upper-cased; default "NO" */
  char       **allow_accounts;      /* NULL-terminated; NULL = ALL */
  char       **deny_accounts;       /* NULL-terminated; NULL = none */
  char       **allow_qos;           /* NULL = ALL */
  char       **deny_qos;            /* NULL = none */
  char       **allow_groups;        /* NULL = ALL */
  const char  *qos;                 /* partition QOS, NULL if none */
  const WlParamList *settings;      /* every key of its line and the defaults, as written */
  const char  *file;
  guint        line;
} WlSlurmPartition;

/* Priority settings (priority/multifactor), with Slurm's defaults. */
typedef struct {
  guint32     weight_age;            /* PriorityWeightAge, 0 */
  guint32     weight_assoc;          /* PriorityWeightAssoc, 0 */
  guint32     weight_fairshare;      /* PriorityWeightFairshare, 0 */
  guint32     weight_job_size;       /* PriorityWeightJobSize, 0 */
  guint32     weight_partition;      /* PriorityWeightPartition, 0 */
  guint32     weight_qos;            /* PriorityWeightQOS, 0 */
  const char *weight_tres;           /* PriorityWeightTRES, NULL */
  SchedTime   decay_half_life;       /* PriorityDecayHalfLife, 7 days; 0 = no decay */
  SchedTime   max_age;               /* PriorityMaxAge, 7 days */
  SchedTime   calc_period;           /* PriorityCalcPeriod, 5 minutes */
  gboolean    favor_small;           /* PriorityFavorSmall, NO */
  const char  *usage_reset_period;   /* PriorityUsageResetPeriod upper-cased, "NONE" */
  const char  *flags;                /* PriorityFlags, NULL */
} WlSlurmPriority;

typedef struct {
  WlWarnFunc warn_func;   /* receives each warning ("file:line: ..."); NULL prints
                           * "sluice: warning: <message>" to stderr with g_printerr */
  gpointer   warn_data;
} WlSlurmConfOptions;

typedef struct _WlSlurmConf WlSlurmConf;

/* Reads `path` and the files it includes.  `opts` may be NULL (warnings to stderr).
 * Returns (transfer full) the conf, or NULL with `error` set (see above). */
WlSlurmConf *wl_slurmconf_load (const char *path, const WlSlurmConfOptions *opts,
                                GError **error);

/* As wl_slurmconf_load, from `text` (len bytes, or NUL-terminated when len is -1) named
 * `name` in messages; relative Include paths are relative to the directory of `name`. */
WlSlurmConf *wl_slurmconf_parse (const char *text, gssize len, const char *name,
                                 const WlSlurmConfOptions *opts, GError **error);

void wl_slurmconf_free (WlSlurmConf *conf);   /* NULL is a no-op */

guint wl_slurmconf_n_nodes (const WlSlurmConf *conf);
guint wl_slurmconf_n_partitions (const WlSlurmConf *conf);
/* (transfer none), valid as long as `conf`. */
const WlSlurmNode      *wl_slurmconf_node (const WlSlurmConf *conf, guint i);
const WlSlurmPartition *wl_slurmconf_partition (const WlSlurmConf *conf, guint i);
/* Index of the node or partition called `name`, or -1. */
gint wl_slurmconf_find_node (const WlSlurmConf *conf, const char *name);
gint wl_slurmconf_find_partition (const WlSlurmConf *conf, const char *name);
/* Index of the default partition: the last with Default=YES, else -1 (Slurm has none). */
gint wl_slurmconf_default_partition (const WlSlurmConf *conf);

/* Every global key in file order, keys as written, repeated keys kept
 * (SlurmctldHost).  (transfer none), valid as long as `conf`. */
const WlParamList *wl_slurmconf_globals (const WlSlurmConf *conf);
/* The last value of global `key` (any case), or NULL.  (transfer none) */
const char *wl_slurmconf_get (const WlSlurmConf *conf, const char *key);
/* Returns (transfer container) every value of global `key`, in order; NULL-terminated. */
const char **wl_slurmconf_get_all (const WlSlurmConf *conf, const char *key);
/* Where the last value of `key` was set: TRUE with *file (transfer none) and *line. */
gboolean wl_slurmconf_get_location (const WlSlurmConf *conf, const char *key,
                                    const char **file, guint *line);

/* Typed reads of any global key.  Each returns TRUE and sets *out when the key is present
 * and its value parses; TRUE leaving *out untouched when it is absent (so preset the
 * default); FALSE with `error` set ("file:line: Key: expected ...", WL_ERROR_MALFORMED)
 * when the value does not parse. */
gboolean wl_slurmconf_get_int (const WlSlurmConf *conf, const char *key, gint64 *out,
                               GError **error);
/* Slurm time string to exact seconds (WL_TIME_UNLIMITED for UNLIMITED). */
gboolean wl_slurmconf_get_time (const WlSlurmConf *conf, const char *key, gint64 *out,
                                GError **error);
gboolean wl_slurmconf_get_bool (const WlSlurmConf *conf, const char *key, gboolean *out,
                                GError **error);

/* Common globals, with Slurm's defaults; checked at load, so these cannot fail. */
const char *wl_slurmconf_cluster_name (const WlSlurmConf *conf);     /* NULL if unset */
const char *wl_slurmconf_scheduler_type (const WlSlurmConf *conf);   /* "sched/backfill" */
const char *wl_slurmconf_select_type (const WlSlurmConf *conf);      /* "select/cons_tres" */
const char *wl_slurmconf_priority_type (const WlSlurmConf *conf);    /* "priority/basic" */
/* SchedulerParameters parsed; an empty list when unset.  (transfer none) */
const WlParamList *wl_slurmconf_sched_params (const WlSlurmConf *conf);
void wl_slurmconf_priority (const WlSlurmConf *conf, WlSlurmPriority *out);

/* Every warning given while loading, in order ("file:line: ..."); NULL-terminated,
 * (transfer none). */
const char *const *wl_slurmconf_warnings (const WlSlurmConf *conf);

/* Builds the scheduler's view: every node in definition order with its CPUs, RealMemory
 * (0 when not given: memory not modeled), GPUs, GPU type (interned) and Weight; every
 * partition with its nodes, DefaultTime (0 when not given or UNLIMITED), MaxTime, MaxNodes
 * and the default flag.  With no Default=YES partition the first partition is the default;
 * a conf without partitions gets one default partition "all" of every node, without limits
 * (Slurm would run nothing: the simulator needs somewhere to put trace jobs).  Node and
 * partition states are not part of a SchedCluster: drivers apply WlSlurmNode.state with
 * sched_core_node_set_down/drain.  Returns (transfer full) the cluster, or NULL with
 * `error` set (WL_ERROR_UNSUPPORTED) when the conf defines no node. */
SchedCluster *wl_slurmconf_build_cluster (const WlSlurmConf *conf, GError **error);

/* Gives `limits` (QOS definitions already there, from an assoc file: workloads/assoc.h)
 * each partition's QOS=, DenyAccounts= and DenyQos= (sched_limits_set_partition), for the
 * partitions of `cluster` (built from `conf` by wl_slurmconf_build_cluster).  Partition
 * QOS=NAME must name a QOS of `limits`.  Returns TRUE, or FALSE with `error` set
 * (WL_ERROR_MALFORMED, "file:line: PartitionName=p: QOS=x: unknown qos ...") and
 * `limits` unchanged. */
gboolean wl_slurmconf_apply_limits (const WlSlurmConf *conf, const SchedCluster *cluster,
                                    SchedLimits *limits, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WlSlurmConf, wl_slurmconf_free)

G_END_DECLS
