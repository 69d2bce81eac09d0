/* SPDX-License-Identifier: MIT */
/* sched/qos.h - Slurm's QOS and association limits (AccountingStorageEnforce=limits,qos)
 * as a value the core consults: QOS definitions with their priority and limits, and limits
 * on the associations of the tree in sched/priority.h.
 *
 * A SchedLimits holds definitions only; the usage it is checked against (running jobs and
 * their resources per QOS, per QOS and user, per association) lives in the SchedCore that
 * owns it (sched_core_set_limits).  Pure like the rest of sched/.
 *
 * Two kinds of limits, as the Slurm documentation (resource_limits.html, sacctmgr(1))
 * groups them:
 *  - per job, checked once at submission: a job over one can never run and is rejected
 *    with the reason (sched_core_submit):
 *      QOS MaxWall                 QOSMaxWallDurationPerJobLimit
 *      QOS MaxTRES (per job)       QOSMaxCpuPerJobLimit, QOSMaxGRESPerJob,
 *                                  QOSMaxMemoryPerJob, QOSMaxNodePerJobLimit
 *      QOS MaxSubmitJobsPerUser    QOSMaxSubmitJobPerUserLimit (pending + running jobs
 *                                  of the user in the QOS, this one included)
 *      association MaxWall, MaxTRES, MaxSubmitJobs: AssocMaxWallDurationPerJobLimit,
 *                                  AssocMaxCpuPerJobLimit, AssocMaxGRESPerJob,
 *                                  AssocMaxSubmitJobLimit
 *      a running-usage limit smaller than the job alone (MaxTRESPerUser cpu=8 for a
 *      16-CPU job; GrpTRES likewise): the running-usage reason below
 *      partition AllowAccounts / AllowQos: AccountNotAllowed / QOSNotAllowed; without
 *      AllowAccounts (AllowQos), an account (QOS) in the partition's DenyAccounts
 *      (DenyQos) likewise, as Slurm ignores the Deny list when the Allow list is set
 *      an unknown QOS, or a QOS not in the association's QOS list (the nearest list up
 *      the tree; an association tree without any list allows every QOS; a job without a
 *      QOS at all, none being defined as "normal", passes): InvalidQOS; an unknown
 *      association: InvalidAccount
 *    (Slurm leaves such jobs pending forever unless the QOS has DenyOnLimit; sluice
 *    rejects them, which is what a replay wants: they would never run anyway);
 *  - on running usage, checked at every scheduling pass before a job is tried: a job over
 *    one stays pending with the reason, is skipped (it neither blocks the queue nor holds a
 *    backfill reservation) and is tried again at the next pass:
 *      QOS GrpJobs, GrpTRES        QOSGrpJobsLimit, QOSGrpCpuLimit, QOSGrpGRES,
 *                                  QOSGrpMemLimit, QOSGrpNodeLimit
 *      QOS MaxJobsPerUser,         QOSMaxJobsPerUserLimit, QOSMaxCpuPerUserLimit,
 *      MaxTRESPerUser              QOSMaxGRESPerUser, QOSMaxMemoryPerUser,
 *                                  QOSMaxNodePerUserLimit
 *      association GrpJobs, GrpTRES (this association and every ancestor: the usage of
 *      the whole subtree): AssocGrpJobsLimit, AssocGrpCpuLimit, AssocGrpGRES,
 *      AssocGrpMemLimit, AssocGrpNodeLimit
 *      association MaxJobs (the user association's own running jobs): AssocMaxJobsLimit
 *    QOS limits are checked before association limits, each in the order listed.
 * Association limits other than Grp* are inherited: a user association without MaxJobs,
 * MaxSubmitJobs, MaxWall or MaxTRES takes the nearest ancestor's (sacctmgr(1)).
 *
 * Partition QOS (slurm.conf PartitionName ... QOS=, sched_limits_set_partition): the
 * partition QOS's limits apply to every job of the partition in addition to the job's
 * QOS, as in Slurm (qos.html, "Partition QOS"): for each limit (and each TRES of a TRES
 * limit) the value of the partition QOS is used when it sets one, else the job QOS's; the
 * job QOS goes first instead when it has the OverPartQOS flag.  The limit is checked
 * against the usage of the QOS that gave it: a job counts in both QOS (once when they are
 * the same).  The reasons are the QOS ones above.  A partition QOS gives no priority and
 * no preemption rights (those stay the job QOS's).
 *
 * Preemption settings (sacctmgr add qos ... Preempt=, PreemptMode=, GraceTime=,
 * PreemptExemptTime=) are kept here for the drivers (sim/preempt.c); the core does not
 * preempt.  With PreemptType=preempt/qos a job may preempt the jobs whose QOS its QOS
 * lists in Preempt (sched_limits_qos_preempts); the preempted job's QOS gives the
 * PreemptMode and GraceTime, and its PreemptExemptTime (as Slurm's acct_policy, the
 * partition QOS's in the order above) overrides the cluster's.
 *
 * A job's TRES: cpu = the CPUs (allocated once running, requested before), gres/gpu = the
 * GPUs, mem = MB (per node times nodes), node = nodes (requested: min_nodes, at least 1).
 *
 * Every count and TRES limit is SCHED_LIMIT_NONE when not set (0 is a real limit: no job).
 * QOS ids are 1, 2, ... in the order of definition; in a job spec, qos 0 means "not given":
 * the association's DefaultQOS (inherited), else the only QOS of its QOS list when the
 * list has one, else the QOS named "normal" when defined, else none (Slurm's
 * _determine_and_validate_qos). */
#pragma once
#include <glib.h>
#include "sched/types.h"
#include "sched/priority.h"

G_BEGIN_DECLS

typedef guint32 SchedQosId;
#define SCHED_QOS_DEFAULT 0u           /* in a spec: not given */
#define SCHED_QOS_INVALID G_MAXUINT32  /* in a spec: a name that is not defined */

#define SCHED_LIMIT_NONE G_MAXUINT64

/* Trackable resources, Slurm's TRES names in comments. */
typedef struct {
  guint64 cpus;     /* cpu */
  guint64 gpus;     /* gres/gpu */
  guint64 mem_mb;   /* mem */
  guint64 nodes;    /* node */
} SchedTres;

/* Sets every field of `t` to SCHED_LIMIT_NONE. */
void sched_tres_init_unlimited (SchedTres *t);

/* A QOS's PreemptMode (sacctmgr: "cluster", the default, means the cluster's). */
typedef enum {
  SCHED_QOS_PREEMPT_CLUSTER = 0,  /* slurm.conf's PreemptMode */
  SCHED_QOS_PREEMPT_OFF,          /* its jobs are not preempted */
  SCHED_QOS_PREEMPT_CANCEL,
  SCHED_QOS_PREEMPT_REQUEUE,
} SchedQosPreemptMode;

/* A QOS (sacctmgr add qos).  sched_qos_limits_init sets: priority 0, no limits, no
 * preemption settings of its own (mode CLUSTER, grace and exempt time -1). */
typedef struct {
  guint32   priority;             /* Priority: the QOS factor of multifactor priority */
  SchedTime max_wall;             /* MaxWall (per job), SCHED_TIME_NEVER = none */
  guint64   max_jobs_per_user;    /* MaxJobsPerUser (running) */
  guint64   max_submit_per_user;  /* MaxSubmitJobsPerUser (pending + running) */
  guint64   grp_jobs;             /* GrpJobs (running, all users) */
  SchedTres max_tres_per_job;     /* MaxTRES / MaxTRESPerJob */
  SchedTres max_tres_per_user;    /* MaxTRESPerUser (running) */
  SchedTres grp_tres;             /* GrpTRES (running, all users) */
  gboolean  deny_on_limit;        /* Flags=DenyOnLimit: a controller rejects at submission
                                   * a job over a limit of this QOS or of its association
                                   * (the simulator rejects such jobs anyway) */
  gboolean  over_part_qos;        /* Flags=OverPartQOS: its limits go before the partition
                                   * QOS's */
  SchedQosPreemptMode preempt_mode; /* PreemptMode of its jobs when they are preempted */
  SchedTime grace_time;           /* GraceTime, seconds; < 0: not set (the driver's
                                   * default, 0 in Slurm) */
  SchedTime preempt_exempt;       /* PreemptExemptTime, seconds; < 0: not set (the
                                   * cluster's PreemptExemptTime) */
} SchedQosLimits;

void sched_qos_limits_init (SchedQosLimits *q);

/* Limits of one association (sacctmgr modify account/user set ...).
 * sched_assoc_limits_init sets: no limits, no default QOS. */
typedef struct {
  guint64    grp_jobs;            /* GrpJobs: running jobs of the subtree */
  SchedTres  grp_tres;            /* GrpTRES: running TRES of the subtree */
  guint64    max_jobs;            /* MaxJobs: running jobs of a user association (inherited) */
  guint64    max_submit;          /* MaxSubmitJobs (inherited) */
  SchedTres  max_tres_per_job;    /* MaxTRES (inherited, per resource) */
  SchedTime  max_wall;            /* MaxWall, SCHED_TIME_NEVER = none (inherited) */
  SchedQosId default_qos;         /* DefaultQOS, SCHED_QOS_DEFAULT = none (inherited) */
} SchedAssocLimits;

void sched_assoc_limits_init (SchedAssocLimits *a);

typedef struct _SchedLimits SchedLimits;

/* Returns (transfer full) an empty set of definitions. */
SchedLimits *sched_limits_new (void);
void         sched_limits_free (SchedLimits *l);   /* NULL is a no-op */

/* Defines QOS `name` with `q` (copied), or redefines it.  Returns its id (>= 1). */
SchedQosId sched_limits_add_qos (SchedLimits *l, const char *name, const SchedQosLimits *q);
/* The id of QOS `name`, or SCHED_QOS_INVALID. */
SchedQosId sched_limits_find_qos (const SchedLimits *l, const char *name);
guint      sched_limits_n_qos (const SchedLimits *l);
/* (transfer none) QOS `id`'s limits and name, valid until the next add; NULL for a bad id. */
const SchedQosLimits *sched_limits_get_qos (const SchedLimits *l, SchedQosId id);
const char           *sched_limits_qos_name (const SchedLimits *l, SchedQosId id);

/* Sets association `assoc`'s limits (copied). */
void sched_limits_set_assoc (SchedLimits *l, SchedAssocId assoc, const SchedAssocLimits *a);
/* (transfer none) association `assoc`'s own limits, or NULL when none were set. */
const SchedAssocLimits *sched_limits_get_assoc (const SchedLimits *l, SchedAssocId assoc);

/* The largest QOS priority (0 without QOS). */
guint32 sched_limits_max_qos_priority (const SchedLimits *l);

/* Sets QOS `id`'s Preempt list: the `n` QOS (ids, copied; duplicates ignored) whose jobs
 * its jobs may preempt with PreemptType=preempt/qos.  n = 0 clears it.  The lists must not
 * loop (A preempting B preempting A: two jobs could then preempt each other forever);
 * slurmdbd refuses such lists and so does the assoc reader (workloads/assoc.h).  A QOS in
 * its own list is ignored by the simulator (Slurm preempts within a QOS only with
 * PreemptMode=WITHIN). */
void     sched_limits_set_qos_preempt (SchedLimits *l, SchedQosId id, const SchedQosId *victims,
                                       guint n);
/* (transfer none) QOS `id`'s Preempt list, increasing ids, *n of them (0 and NULL when it
 * has none); valid until the list changes. */
const SchedQosId *sched_limits_get_qos_preempt (const SchedLimits *l, SchedQosId id, guint *n);
/* TRUE when QOS `preemptor` lists QOS `preemptee` in its Preempt list (FALSE when either
 * is SCHED_QOS_DEFAULT: a job without QOS neither preempts nor is preempted). */
gboolean sched_limits_qos_preempts (const SchedLimits *l, SchedQosId preemptor,
                                    SchedQosId preemptee);
/* TRUE when some QOS has a Preempt list. */
gboolean sched_limits_has_preempt_lists (const SchedLimits *l);

/* Sets association `assoc`'s QOS list (sacctmgr QOS=): the `n` QOS (ids, copied) its
 * jobs may ask for, inherited by the associations below it that have none.  n = 0 removes
 * it (the association inherits). */
void sched_limits_set_assoc_qos (SchedLimits *l, SchedAssocId assoc, const SchedQosId *qos,
                                 guint n);
/* (transfer none) association `assoc`'s own QOS list (*n of them, increasing ids), or NULL
 * when it has none. */
const SchedQosId *sched_limits_get_assoc_qos (const SchedLimits *l, SchedAssocId assoc,
                                              guint *n);

/* Sets partition `part`'s (an index of the core's cluster) QOS= (SCHED_QOS_DEFAULT: none)
 * and its DenyAccounts= and DenyQos= lists (NULL-terminated, copied; NULL: none), which
 * the core checks as said above. */
void sched_limits_set_partition (SchedLimits *l, gint32 part, SchedQosId qos,
                                 const char *const *deny_accounts,
                                 const char *const *deny_qos);
/* Partition `part`'s QOS, or SCHED_QOS_DEFAULT. */
SchedQosId sched_limits_partition_qos (const SchedLimits *l, gint32 part);
/* (transfer none) partition `part`'s DenyAccounts / DenyQos, NULL-terminated, or NULL. */
const char *const *sched_limits_partition_deny_accounts (const SchedLimits *l, gint32 part);
const char *const *sched_limits_partition_deny_qos (const SchedLimits *l, gint32 part);

/* The PreemptExemptTime that applies to a job of QOS `qos` in partition `part`: the QOS's
 * or the partition QOS's (in their precedence order) when set, else `cluster`. */
SchedTime sched_limits_preempt_exempt (const SchedLimits *l, SchedQosId qos, gint32 part,
                                       SchedTime cluster);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SchedLimits, sched_limits_free)

G_END_DECLS
