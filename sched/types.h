/* SPDX-License-Identifier: MIT */
/* sched/types.h - value types shared by every part of sluice: time, job requests, states,
 * reasons, allocations and job records.
 *
 * Everything here is a plain value record (public struct, passed by const pointer or by
 * value).  Time is SchedTime: int64 seconds on whatever clock the driver uses (virtual time
 * in the simulator, Unix time in the controller).  The core never reads a clock. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

typedef gint64 SchedTime;
#define SCHED_TIME_NEVER G_MAXINT64

typedef guint32 SchedJobId;

/* Job states, as Slurm names them (sched_job_state_name gives the upper-case name). */
typedef enum {
  SCHED_JOB_PENDING = 0,
  SCHED_JOB_RUNNING,
  SCHED_JOB_COMPLETED,
  SCHED_JOB_FAILED,
  SCHED_JOB_CANCELLED,
  SCHED_JOB_TIMEOUT,
  SCHED_JOB_NODE_FAIL,
  SCHED_JOB_N_STATES
} SchedJobState;

/* Why a pending job is not running (Slurm's reason names, sched_reason_name). */
typedef enum {
  SCHED_REASON_NONE = 0,
  SCHED_REASON_PRIORITY,          /* a job ahead of it holds the resources / reservation */
  SCHED_REASON_RESOURCES,         /* it is the next to run, waiting for resources */
  SCHED_REASON_PARTITION_DOWN,
  SCHED_REASON_PARTITION_TIME_LIMIT,
  SCHED_REASON_PARTITION_NODE_LIMIT,
  SCHED_REASON_BAD_CONSTRAINTS,   /* can never run on this cluster */
  /* limits (sched/qos.h), with the Slurm reason names */
  SCHED_REASON_INVALID_ACCOUNT,           /* InvalidAccount */
  SCHED_REASON_INVALID_QOS,               /* InvalidQOS */
  SCHED_REASON_ACCOUNT_NOT_ALLOWED,       /* AccountNotAllowed (partition AllowAccounts) */
  SCHED_REASON_QOS_NOT_ALLOWED,           /* QOSNotAllowed (partition AllowQos) */
  SCHED_REASON_QOS_MAX_WALL,              /* QOSMaxWallDurationPerJobLimit */
  SCHED_REASON_QOS_MAX_CPU_PER_JOB,       /* QOSMaxCpuPerJobLimit */
  SCHED_REASON_QOS_MAX_GRES_PER_JOB,      /* QOSMaxGRESPerJob */
  SCHED_REASON_QOS_MAX_MEM_PER_JOB,       /* QOSMaxMemoryPerJob */
  SCHED_REASON_QOS_MAX_NODE_PER_JOB,      /* QOSMaxNodePerJobLimit */
  SCHED_REASON_QOS_MAX_SUBMIT_PER_USER,   /* QOSMaxSubmitJobPerUserLimit */
  SCHED_REASON_QOS_GRP_JOBS,              /* QOSGrpJobsLimit */
  SCHED_REASON_QOS_GRP_CPU,               /* QOSGrpCpuLimit */
  SCHED_REASON_QOS_GRP_GRES,              /* QOSGrpGRES */
  SCHED_REASON_QOS_GRP_MEM,               /* QOSGrpMemLimit */
  SCHED_REASON_QOS_GRP_NODE,              /* QOSGrpNodeLimit */
  SCHED_REASON_QOS_MAX_JOBS_PER_USER,     /* QOSMaxJobsPerUserLimit */
  SCHED_REASON_QOS_MAX_CPU_PER_USER,      /* QOSMaxCpuPerUserLimit */
  SCHED_REASON_QOS_MAX_GRES_PER_USER,     /* QOSMaxGRESPerUser */
  SCHED_REASON_QOS_MAX_MEM_PER_USER,      /* QOSMaxMemoryPerUser */
  SCHED_REASON_QOS_MAX_NODE_PER_USER,     /* QOSMaxNodePerUserLimit */
  SCHED_REASON_ASSOC_GRP_JOBS,            /* AssocGrpJobsLimit */
  SCHED_REASON_ASSOC_GRP_CPU,             /* AssocGrpCpuLimit */
  SCHED_REASON_ASSOC_GRP_GRES,            /* AssocGrpGRES */
  SCHED_REASON_ASSOC_GRP_MEM,             /* AssocGrpMemLimit */
  SCHED_REASON_ASSOC_GRP_NODE,            /* AssocGrpNodeLimit */
  SCHED_REASON_ASSOC_MAX_JOBS,            /* AssocMaxJobsLimit */
  SCHED_REASON_ASSOC_MAX_SUBMIT,          /* AssocMaxSubmitJobLimit */
  SCHED_REASON_ASSOC_MAX_WALL,            /* AssocMaxWallDurationPerJobLimit */
  SCHED_REASON_ASSOC_MAX_CPU_PER_JOB,     /* AssocMaxCpuPerJobLimit */
  SCHED_REASON_ASSOC_MAX_GRES_PER_JOB,    /* AssocMaxGRESPerJob */
  SCHED_REASON_ASSOC_MAX_MEM_PER_JOB,     /* AssocMaxMemPerJob */
  SCHED_REASON_ASSOC_MAX_NODE_PER_JOB,    /* AssocMaxNodePerJobLimit */
  /* eligibility, decided by drivers outside the core (sim/, realnet/) */
  SCHED_REASON_DEPENDENCY,                /* Dependency */
  SCHED_REASON_DEPENDENCY_NEVER,          /* DependencyNeverSatisfied */
  SCHED_REASON_BEGIN_TIME,                /* BeginTime */
  SCHED_REASON_HELD_USER,                 /* JobHeldUser */
  SCHED_REASON_ARRAY_TASK_LIMIT,          /* JobArrayTaskLimit */
  SCHED_REASON_N
} SchedReason;

/* What a job asks for.  Counts of 0 mean "not specified" where noted.  The request is in
 * Slurm's terms: `tasks` tasks of `cpus_per_task` CPUs each, on at least `min_nodes` and at
 * most `max_nodes` nodes, with `mem_per_node_mb` of memory on each node used and
 * `gpus_per_node` GPUs (of `gpu_type`, any type if 0) on each node used. */
typedef struct {
  SchedJobId id;
  guint32    user;             /* numeric uid (SWF user number in traces) */
  guint32    group;            /* numeric gid */
  gint32     partition;        /* index in the cluster's partitions; -1 = the default */
  SchedTime  submit;           /* submit time */
  SchedTime  time_limit;       /* requested wall time, seconds (> 0) */
  SchedTime  estimate;         /* the run time the scheduler plans with; 0 = time_limit.
                                * Larger than the limit is taken as the limit.  The limit
                                * still ends the job (the driver's business). */
  guint32    tasks;            /* >= 1 */
  guint32    cpus_per_task;    /* >= 1 */
  guint32    tasks_per_node;   /* 0 = any; else at most this many tasks on each node
                                * (Slurm's --ntasks-per-node) */
  guint32    min_nodes;        /* 0 = as few as the packing needs */
  guint32    max_nodes;        /* 0 = no upper bound */
  guint64    mem_per_node_mb;  /* 0 = no memory request */
  guint32    gpus_per_node;    /* 0 = none */
  guint32    gpu_type;         /* interned type id, 0 = any */
  gboolean   exclusive;        /* whole nodes only */
  guint32    assoc;            /* association (SchedAssocId, sched/priority.h) the job
                                * charges; 0 = the user's default association */
  guint32    qos;              /* QOS (SchedQosId, sched/qos.h); 0 = the association's
                                * default QOS, else "normal" when defined, else none */
  guint32    constraint;       /* node features required, less excluded nodes
                                * (sched_core_constraint, _excluding); 0 = any node */
  guint32    nodes_required;   /* nodes the job must include (sched_core_node_set, Slurm's
                                * --nodelist); 0 = none */
} SchedJobSpec;

/* Initializes `spec` to a one-task, one-CPU request with everything else unset. */
void sched_job_spec_init (SchedJobSpec *spec);

/* TRUE when the request is "N CPUs anywhere": 1 CPU per task, no memory, no GPUs, not
 * exclusive, no node bounds.  Such jobs take the counting fast path. */
gboolean sched_job_spec_is_simple (const SchedJobSpec *spec);

/* Total CPUs the job asks for (tasks * cpus_per_task). */
static inline guint64
sched_job_spec_cpus (const SchedJobSpec *spec)
{
  return (guint64) spec->tasks * spec->cpus_per_task;
}

/* One node's share of an allocation. */
typedef struct {
  guint32 node;      /* node index in the cluster */
  guint32 cpus;
  guint32 gpus;
  guint64 mem_mb;
} SchedAllocNode;

/* Where a job runs.  `nodes` has n_nodes entries in increasing node index. */
typedef struct {
  guint32         n_nodes;
  guint32         cpus;        /* total CPUs */
  guint32         gpus;        /* total GPUs */
  SchedAllocNode *nodes;       /* (transfer full) g_free'd by sched_alloc_clear */
} SchedAlloc;

void sched_alloc_clear (SchedAlloc *alloc);
void sched_alloc_copy (SchedAlloc *dst, const SchedAlloc *src);

/* One job's life, as drivers report it to analysis/: what the simulator writes to jobs.csv
 * and the controller to accounting. */
typedef struct {
  SchedJobId    id;
  guint32       user;
  guint32       group;
  SchedTime     submit;
  SchedTime     start;         /* SCHED_TIME_NEVER if it never started */
  SchedTime     end;
  SchedJobState state;
  guint32       cpus;          /* CPUs allocated in total */
  guint32       gpus;
  guint32       nodes;         /* number of nodes allocated */
  SchedTime     time_limit;
  SchedTime     runtime;       /* end - start, or 0 if never started */
  guint32       requeues;      /* times it was preempted and requeued (start, end and
                                * runtime are its last run's) */
  gboolean      preempted;     /* its end was a preemption (state CANCELLED) */
} SchedJobRecord;

const char *sched_job_state_name (SchedJobState state);
const char *sched_reason_name (SchedReason reason);

/* Returns TRUE if `state` is a final state (COMPLETED .. NODE_FAIL). */
static inline gboolean
sched_job_state_is_final (SchedJobState state)
{
  return state >= SCHED_JOB_COMPLETED && state < SCHED_JOB_N_STATES;
}

G_END_DECLS
