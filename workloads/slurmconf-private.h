/* SPDX-License-Identifier: MIT */
/* workloads/slurmconf-private.h - what slurmconf.c (reading) and slurmconf-query.c
 * (reading back, building the cluster) share: the conf's layout and the key tables.
 *
 * The conf owns every string its public records point to, in pools freed with it.  Each
 * key table lists the keys Slurm knows on one kind of line (global, NodeName,
 * PartitionName), with the kind of value slurmconf.c checks for it; WL_KEY_ANY keys are
 * kept without a check.  A key missing from its table is "unknown" (warned about once,
 * kept).  Tables end with a { NULL } entry and are searched linearly, case-insensitively. */
#pragma once
#include <glib.h>
#include "workloads/slurmconf.h"

G_BEGIN_DECLS

/* Where a value was read. */
typedef struct {
  const char *file;             /* (transfer none) pooled */
  guint       line;
} WlConfLoc;

struct _WlSlurmConf {
  GArray      *nodes;           /* WlSlurmNode */
  GHashTable  *node_index;      /* name (node's own) -> index + 1 */
  GArray      *parts;           /* WlSlurmPartition */
  gint         default_part;
  WlParamList *globals;
  GArray      *global_locs;     /* WlConfLoc, parallel to globals */
  WlParamList *sched_params;
  GPtrArray   *warnings;        /* char *, NULL-terminated */
  /* pools */
  GPtrArray   *files;           /* char * */
  GPtrArray   *param_lists;     /* WlParamList * */
  GPtrArray   *gres_arrays;     /* GArray of WlGres */
  GPtrArray   *strvs;           /* char ** */
  GPtrArray   *strings;         /* char * */
};


typedef enum {
  WL_KEY_ANY = 0,
  /* global values */
  WL_KEY_INT,              /* 0 .. 2^32 - 1 (partitions: or UNLIMITED) */
  WL_KEY_PORT,             /* port or lo-hi */
  WL_KEY_TIME,             /* Slurm time string */
  WL_KEY_BOOL,
  WL_KEY_RESET_PERIOD,     /* PriorityUsageResetPeriod */
  WL_KEY_SCHED_PARAMS,     /* SchedulerParameters */
  /* NodeName */
  WL_KEY_CPUS,
  WL_KEY_BOARDS,
  WL_KEY_SOCKETS,
  WL_KEY_SOCKETS_PER_BOARD,
  WL_KEY_CORES,
  WL_KEY_THREADS,
  WL_KEY_WEIGHT,
  WL_KEY_MEMORY,
  WL_KEY_TMP_DISK,
  WL_KEY_FEATURES,
  WL_KEY_GRES,
  WL_KEY_NODE_STATE,
  WL_KEY_REASON,
  /* PartitionName */
  WL_KEY_NODES,
  WL_KEY_DEFAULT,
  WL_KEY_MAX_TIME,
  WL_KEY_DEFAULT_TIME,
  WL_KEY_MAX_NODES,
  WL_KEY_MIN_NODES,
  WL_KEY_PRIORITY_TIER,
  WL_KEY_PRIORITY_JOB_FACTOR,
  WL_KEY_PART_STATE,
  WL_KEY_OVERSUBSCRIBE,
  WL_KEY_ALLOW_ACCOUNTS,
  WL_KEY_DENY_ACCOUNTS,
  WL_KEY_ALLOW_QOS,
  WL_KEY_DENY_QOS,
  WL_KEY_ALLOW_GROUPS,
  WL_KEY_QOS,
} WlKeyKind;

typedef struct {
  const char *name;
  WlKeyKind   kind;
} WlKeyInfo;

extern const WlKeyInfo wl__slurmconf_global_keys[];
extern const WlKeyInfo wl__slurmconf_node_keys[];
extern const WlKeyInfo wl__slurmconf_partition_keys[];

G_END_DECLS
