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
 *      partition AllowAccounts / AllowQos: AccountNotAllowed / QOSNotAllowed
 *      an unknown QOS: InvalidQOS; an unknown association: InvalidAccount
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
 * A job's TRES: cpu = the CPUs (allocated once running, requested before), gres/gpu = the
 * GPUs, mem = MB (per node times nodes), node = nodes (requested: min_nodes, at least 1).
 *
 * Every count and TRES limit is SCHED_LIMIT_NONE when not set (0 is a real limit: no job).
 * QOS ids are 1, 2, ... in the order of definition; in a job spec, qos 0 means "not given":
 * the association's DefaultQOS, else the QOS named "normal" when defined, else none. */
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

/* A QOS (sacctmgr add qos).  sched_qos_limits_init sets: priority 0, no limits. */
typedef struct {
  guint32   priority;             /* Priority: the QOS factor of multifactor priority */
  SchedTime max_wall;             /* MaxWall (per job), SCHED_TIME_NEVER = none */
  guint64   max_jobs_per_user;    /* MaxJobsPerUser (running) */
  guint64   max_submit_per_user;  /* MaxSubmitJobsPerUser (pending + running) */
  guint64   grp_jobs;             /* GrpJobs (running, all users) */
  SchedTres max_tres_per_job;     /* MaxTRES / MaxTRESPerJob */
  SchedTres max_tres_per_user;    /* MaxTRESPerUser (running) */
  SchedTres grp_tres;             /* GrpTRES (running, all users) */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SchedLimits, sched_limits_free)

G_END_DECLS
