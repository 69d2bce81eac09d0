/* SPDX-License-Identifier: MIT */
/* sched/core.h - the scheduler core: events in, decisions out.
 *
 * SchedCore owns the pending queue, the running set and the dynamic node state of one
 * cluster, and runs one policy.  Drivers (sim/, realnet/) tell it what happened (a job was
 * submitted, cancelled, ended) at time `now`, and ask it for a scheduling pass, which answers
 * with the jobs to start now, each with its allocation, and the time the core next wants a
 * pass.  The core is pure: no I/O, no clock, no globals, no randomness; it plans with time
 * limits only and never sees actual runtimes.  Same inputs, same decisions: ties break on
 * queue order (submit time, then order of submission), then job id.
 *
 * Costs: submit and end are O(log running); a pass is policy-dependent (fcfs O(started),
 * easy O(queue + k log k) on the counting fast path, conservative O(queue x profile)). */
#pragma once
#include <glib.h>
#include "sched/types.h"
#include "sched/cluster.h"
#include "sched/policy.h"
#include "sched/priority.h"
#include "sched/qos.h"

G_BEGIN_DECLS

typedef struct _SchedCore SchedCore;

/* A started job, as returned by a pass.  `alloc` is (transfer none), owned by the core and
 * valid until the job is reported ended. */
typedef struct {
  SchedJobId        id;
  const SchedAlloc *alloc;
  gpointer          tag;   /* the driver's tag given at submission (transfer none) */
} SchedStart;

/* What the core knows of one job (sched_core_job_info). */
typedef struct {
  SchedJobId        id;
  SchedJobState     state;
  SchedReason       reason;     /* for pending jobs */
  SchedTime         submit;
  SchedTime         start;      /* SCHED_TIME_NEVER while pending */
  SchedTime         planned_start; /* reservation time, SCHED_TIME_NEVER if none */
  const SchedJobSpec *spec;     /* (transfer none) */
  const SchedAlloc  *alloc;     /* (transfer none) NULL while pending */
  guint32           priority;  /* multifactor priority at the last ordering pass, 0 if none */
  gint32            partition; /* the resolved partition (the default one for -1) */
  SchedQosId        qos;       /* the resolved QOS, SCHED_QOS_DEFAULT if none */
} SchedJobInfo;

/* Returns (transfer full) a core for `cluster` (transfer none: it must outlive the core)
 * running `policy` (copied). */
SchedCore *sched_core_new (const SchedCluster *cluster, const SchedPolicy *policy);
void       sched_core_free (SchedCore *core);

/* Queues a job.  Returns TRUE if it was queued.  Returns FALSE and sets `*reason` (if not
 * NULL) when the request can never run here (no such partition, more than the partition
 * has, over the partition's time limit); the core is then unchanged.  The spec's time limit
 * of 0 takes the partition's default.  A duplicate id is a programming error. */
gboolean sched_core_submit (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                            SchedReason *reason);

/* As sched_core_submit, attaching the driver's `tag` (transfer none, never dereferenced by
 * the core), which the pass hands back in SchedStart so drivers need no lookup by id. */
gboolean sched_core_submit_tagged (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                                   gpointer tag, SchedReason *reason);

/* TRUE if the core knows job `id` (pending or running). */
gboolean sched_core_has_job (const SchedCore *core, SchedJobId id);

/* When a job of `spec` submitted at `now` would start if the running jobs ended at their
 * limits (or estimates) and nothing else changed: slurmctld's will-run, what
 * `sbatch --test-only` prints.  The pending queue is not taken into account.  Returns the
 * start and fills *alloc (the nodes), or
 * SCHED_TIME_NEVER with *reason (nullable) set as sched_core_submit would (NONE when it
 * fits nowhere even once every running job has ended, e.g. nodes are down).  Changes
 * nothing in the core. */
SchedTime sched_core_will_run (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                               SchedAlloc *alloc, SchedReason *reason);

/* Why sched_core_submit would refuse `spec` now (partition, feasibility, account, QOS and
 * limit checks), or SCHED_REASON_NONE; nothing is queued.  *qos_out (may be NULL): the QOS
 * the job would run under (SCHED_QOS_DEFAULT without limits).  Lets a controller reject at
 * submission a job it would otherwise leave pending (EnforcePartLimits, DenyOnLimit) and
 * count submissions the core has not seen (held jobs). */
SchedReason sched_core_check_submit (SchedCore *core, const SchedJobSpec *spec,
                                     SchedQosId *qos_out);

/* Removes a pending job from the queue (state CANCELLED).  Returns FALSE if the job is not
 * pending (a running job is ended by the driver with sched_core_job_ended). */
gboolean sched_core_cancel (SchedCore *core, SchedTime now, SchedJobId id);

/* Reports that running job `id` ended at `now` in final `state`; its resources are free
 * from now on and the core forgets the job.  Returns FALSE if it was not running. */
gboolean sched_core_job_ended (SchedCore *core, SchedTime now, SchedJobId id,
                               SchedJobState state);

/* The id of feature constraint `expr` (sbatch --constraint) for SchedJobSpec.constraint:
 * only nodes whose features (sched_cluster_set_node_features) satisfy it are used.
 * Feature names are joined by '&' and '|' ('&' binding tighter) and grouped in
 * parentheses; every node of the job must satisfy the expression.  Slurm's matching OR,
 * one set of brackets ANDed with the rest, "[rack1|rack2]" or "intel&[rack1|(a&b)]",
 * takes all the nodes of a job from one alternative: the one on which the job starts
 * first, the first written on a tie, both for a start now and for a reservation.  Inside
 * brackets, '|' joins uncounted alternatives (a feature, or a parenthesized expression);
 * "[a&b]", brackets in parentheses, a second set, a count after ']' and "a|[b|c]" are
 * malformed.  Counts are approximated: "a*N" outside brackets reads as "a" (every node,
 * not N of them), and Slurm's multiple counts "[a*2&b*4]" as "a|b" (nodes of those kinds
 * in any mix, not 2 and 4).  0 for NULL or "".  A malformed expression (one that
 * sched_constraint_check refuses, sched/constraint.h), or one no node satisfies, gets an
 * id no node satisfies (the job is refused as BadConstraints).  Ids are per core; the
 * same expression gets the same id. */
guint32 sched_core_constraint (SchedCore *core, const char *expr);

/* As sched_core_constraint, with the nodes `exclude` (n_exclude node indices; others
 * ignored) taken out of every alternative (Slurm's --exclude).  0 when there is neither an
 * expression nor a node to exclude. */
guint32 sched_core_constraint_excluding (SchedCore *core, const char *expr,
                                         const guint32 *exclude, guint n_exclude);

/* Interns the node set `nodes` (n node indices; repeats and others ignored) for
 * SchedJobSpec.nodes_required: a job with it runs on every one of those nodes, and on more
 * when its node count asks for more (Slurm's --nodelist).  0 for an empty set. */
guint32 sched_core_node_set (SchedCore *core, const guint32 *nodes, guint n);

/* Running job `id` has a new time limit (scontrol update TimeLimit=): planning expects it
 * back at start + the new limit (or its estimate, when shorter) from now on.  Returns
 * FALSE if it is not running. */
gboolean sched_core_set_running_limit (SchedCore *core, SchedTime now, SchedJobId id,
                                       SchedTime time_limit);

/* Takes back a job that was already running (a controller restarting from its state):
 * queues `spec` and starts it at `start` on `alloc` (copied) without a pass, appending it
 * to `started`.  Returns FALSE (core unchanged) when the allocation does not fit the free
 * resources of usable nodes, the id is known, or the request can never run here. */
gboolean sched_core_adopt_running (SchedCore *core, SchedTime now, const SchedJobSpec *spec,
                                   SchedTime start, const SchedAlloc *alloc, gpointer tag,
                                   GArray *started);

/* Runs one scheduling pass at `now`: appends to `started` (a GArray of SchedStart) the jobs
 * that start now, in the order they were chosen; they are RUNNING from now.  Returns the
 * time the core next wants a pass without any new event, or SCHED_TIME_NEVER. */
SchedTime sched_core_pass (SchedCore *core, SchedTime now, GArray *started);

/* Fills `info` for job `id`; returns FALSE if the core does not know it. */
gboolean sched_core_job_info (const SchedCore *core, SchedJobId id, SchedJobInfo *info);

/* A what-if for drivers that preempt: would pending job `id` fit on the resources free now,
 * plus those of the running jobs `freed` (n_freed ids; ids that are not running are
 * ignored), less the allocations `held` (n_held, assumed taken by other jobs; may be NULL)?
 * Node selection is the pass's, on usable nodes only; limits, reservations and queue order
 * are not considered.  Pure: the core is unchanged.  Returns TRUE if it fits and then, when
 * `alloc` is not NULL, fills it (transfer full: sched_alloc_clear) with the nodes the job
 * would get; FALSE if it does not fit or is not pending. */
gboolean sched_core_fits_if_freed (const SchedCore *core, SchedJobId id,
                                   const SchedJobId *freed, guint n_freed,
                                   const SchedAlloc *held, guint n_held, SchedAlloc *alloc);

guint   sched_core_n_pending (const SchedCore *core);
guint   sched_core_n_running (const SchedCore *core);
guint64 sched_core_busy_cpus (const SchedCore *core);
guint64 sched_core_busy_gpus (const SchedCore *core);

/* A node's state as Slurm shows it. */
typedef enum {
  SCHED_NODE_IDLE = 0,     /* usable, nothing allocated */
  SCHED_NODE_MIXED,        /* usable, partly allocated */
  SCHED_NODE_ALLOCATED,    /* usable, every CPU allocated */
  SCHED_NODE_DOWN,         /* not usable: failed or not responding */
  SCHED_NODE_DRAINING,     /* drained by an administrator, jobs still running on it */
  SCHED_NODE_DRAINED,      /* drained and empty */
} SchedNodeStatus;

/* Upper-case Slurm names: "IDLE", "MIXED", "ALLOCATED", "DOWN", "DRAINING", "DRAINED". */
const char *sched_node_status_name (SchedNodeStatus status);

SchedNodeStatus sched_core_node_status (const SchedCore *core, guint32 node);

/* Marks `node` down (or back up).  Jobs running on a node that goes down keep their
 * resources until the driver ends them (normally as NODE_FAIL); no job starts on a down
 * node.  Returns the ids of the jobs running on it in `affected` (a GArray of SchedJobId,
 * may be NULL). */
void sched_core_node_set_down (SchedCore *core, SchedTime now, guint32 node, gboolean down,
                               GArray *affected);

/* Drains `node` (no new jobs; running ones finish) or resumes it. */
void sched_core_node_set_drain (SchedCore *core, SchedTime now, guint32 node, gboolean drain);

/* Gives the core `priority` (transfer full; NULL removes it): jobs are charged to their
 * user's association (sched_priority_resolve_uid) as they run, and the `priority` queue
 * order ranks pending jobs by multifactor priority.  Call before the first submission. */
void sched_core_set_priority (SchedCore *core, SchedPriority *priority);

/* Gives the core `limits` (transfer full; NULL removes them): QOS and association limits
 * (sched/qos.h) are checked at submission and at every pass, and QOS priorities feed
 * the multifactor QOS factor.  Association limits need a SchedPriority (its tree).  Call
 * before the first submission. */
void sched_core_set_limits (SchedCore *core, SchedLimits *limits);
/* (transfer none) the core's limits, or NULL. */
const SchedLimits *sched_core_get_limits (const SchedCore *core);

/* The association for a job of user `uid` charging `account` (NULL: the user's default),
 * for SchedJobSpec.assoc: created as sched_priority_resolve does; SCHED_ASSOC_ROOT (= "the
 * default", which the core then ignores) without a SchedPriority. */
SchedAssocId sched_core_resolve_assoc (SchedCore *core, guint32 uid, const char *account);

/* The id of QOS `name` for SchedJobSpec.qos: SCHED_QOS_DEFAULT for NULL, "" or a core
 * without limits; SCHED_QOS_INVALID for a name the limits do not define (the submission
 * is then rejected as InvalidQOS). */
SchedQosId sched_core_find_qos (const SchedCore *core, const char *name);

/* Invariant walker for tests: checks free + allocated == capacity on every node, queue
 * order, running-set order.  Aborts (g_assert) on a violation. */
void sched__core_check (const SchedCore *core);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SchedCore, sched_core_free)

G_END_DECLS
