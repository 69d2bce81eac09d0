/* SPDX-License-Identifier: MIT */
/* sched/policy.h - scheduling policies as values.
 *
 * A policy is a SchedPolicyOps (a name and the pass function) plus its parameters.  The
 * backfill family is one engine with a reservation depth: fcfs (depth 0, no backfill:
 * strict queue order), easy (depth 1: only the first blocked job holds a reservation) and
 * conservative (unlimited depth: every queued job holds one).  Adding a policy is adding one
 * file and one row in the table of sched/policy.c. */
#pragma once
#include <glib.h>
#include "sched/types.h"

G_BEGIN_DECLS

typedef struct _SchedCore SchedCore;
typedef struct _SchedPolicyOps SchedPolicyOps;

#define SCHED_DEPTH_UNLIMITED G_MAXUINT32

/* The order in which a pass considers the pending jobs (sched/order.c has the formulas). */
typedef enum {
  SCHED_ORDER_SUBMIT = 0,   /* first come, first served */
  SCHED_ORDER_SJF,          /* shortest planned time first */
  SCHED_ORDER_LJF,          /* longest planned time first */
  SCHED_ORDER_SMALLEST,     /* fewest CPUs first */
  SCHED_ORDER_LARGEST,      /* most CPUs first */
  SCHED_ORDER_WFP3,
  SCHED_ORDER_UNICEF,
  SCHED_ORDER_F1,
  SCHED_ORDER_PRIORITY,     /* multifactor priority, highest first (sched/priority.h); the
                             * queue order when the core has no SchedPriority */
  SCHED_ORDER_N
} SchedOrder;

/* Parameters of the `slurm` policy, with Slurm 22.05's defaults (sched_policy_lookup fills
 * them in).  Times in seconds. */
typedef struct {
  SchedTime bf_interval;         /* 30: seconds between backfill passes */
  SchedTime bf_window;           /* 86400 (bf_window=1440 minutes): how far ahead to plan */
  SchedTime bf_resolution;       /* 60: reservation ends are rounded down to this */
  guint32   bf_max_job_test;     /* 500: jobs tested per backfill pass */
  guint32   bf_max_job_user;     /* 0: jobs tested per user per pass, 0 = no limit */
  gboolean  bf_continue;         /* accepted for compatibility: a simulated pass never yields */
  SchedTime sched_interval;      /* 60: accepted; event passes already cover the main loop */
  guint32   default_queue_depth; /* 100: jobs the main scheduler tests per event pass */
} SchedSlurmParams;

typedef struct {
  const SchedPolicyOps *ops;
  guint32    reservation_depth;   /* 0, 1, or SCHED_DEPTH_UNLIMITED */
  gboolean   backfill;            /* start jobs behind a blocked one */
  SchedOrder order;               /* SCHED_ORDER_SUBMIT by default */
  SchedSlurmParams slurm;         /* the `slurm` policy's parameters */
} SchedPolicy;

/* Sets a SchedulerParameters option (`bf_window`, `bf_resolution`, `bf_interval`,
 * `bf_max_job_test`, `bf_max_job_user`, `bf_continue`, `sched_interval`,
 * `default_queue_depth`) from its slurm.conf value text (`value` NULL for a flag).  Returns
 * SCHED_PARAM_OK, SCHED_PARAM_UNKNOWN (the key is not one of these: callers keep it and
 * warn) or SCHED_PARAM_BAD_VALUE (the policy is unchanged). */
typedef enum {
  SCHED_PARAM_OK = 0,
  SCHED_PARAM_UNKNOWN,
  SCHED_PARAM_BAD_VALUE,
} SchedParamResult;

SchedParamResult sched_policy_set_param (SchedPolicy *policy, const char *key,
                                         const char *value);

struct _SchedPolicyOps {
  const char *name;
  const char *description;
  /* Runs one pass; see sched_core_pass. */
  SchedTime (*pass) (SchedCore *core, const SchedPolicy *policy, SchedTime now, GArray *started);
};

/* The ops of the slurm policy, to tell it apart (transfer none). */
const SchedPolicyOps *sched_policy_ops_slurm (void);

/* Fills `policy` with the named policy's defaults.  Returns FALSE for an unknown name. */
gboolean sched_policy_lookup (const char *name, SchedPolicy *policy);

/* Looks up an order by name ("submit", "sjf", "ljf", "smallest", "largest", "wfp3",
 * "unicef", "f1", "priority"); FALSE if unknown. */
gboolean           sched_order_lookup (const char *name, SchedOrder *order);
const char        *sched_order_name (SchedOrder order);
/* NULL-terminated list of order names, (transfer none). */
const char *const *sched_order_names (void);

/* NULL-terminated list of policy names, (transfer none). */
const char *const *sched_policy_names (void);

G_END_DECLS
