/* SPDX-License-Identifier: MIT */
/* sim/engine.h - the discrete-event simulator: replays a trace through the scheduler core.
 *
 * One binary heap of events ordered by (time, tie class, sequence).  Tie classes put
 * completions before arrivals (the default, SIM_TIE_COMPLETIONS_FIRST) or arrivals before
 * completions; core-requested passes come last.  Same-time arrivals keep trace order (the
 * reader is read one record ahead, so an arrival's sequence number is its trace position);
 * same-time completions are handled in the order the jobs started (a completion's sequence
 * number is taken when the job starts).  A job's resources are freed when its completion
 * event is handled.  Pass granularity: SIM_PASS_PER_TIME runs one pass after all events of
 * a timestamp; SIM_PASS_PER_EVENT runs one after every single arrival or completion.
 *
 * A job that starts at S ends at S + min (runtime, time limit): past its limit it ends
 * TIMEOUT, otherwise in the state the trace gives (COMPLETED, FAILED, CANCELLED).  The core
 * only ever sees the time limit.  Memory is proportional to the jobs in the system (queued
 * or running), not to the trace: arrivals are read from the reader one at a time.
 * Deterministic: the same inputs give the same records in the same order.
 *
 * Eligibility (sim/elig.c), as realnet/ctld-jobs.c does it: a job whose request (WlJobExtra)
 * holds it, gives a begin time, depends on other jobs or belongs to a throttled array
 * waits in the driver, outside the core, until it is eligible, and enters the core then
 * (with its original submit time).  Checked in this order, with Slurm's reasons:
 *  - hold: never eligible (a trace has no release): JobHeldUser;
 *  - begin: not before `begin` (a wake-up event then): BeginTime;
 *  - dependencies: Dependency while they may still hold, DependencyNeverSatisfied once they
 *    cannot (the job then stays pending to the end).  afterok: the job ended COMPLETED;
 *    afternotok: it ended otherwise (FAILED, TIMEOUT, CANCELLED, NODE_FAIL); afterany (and
 *    afterburstbuffer, aftercorr): it ended; after: it started, `delay` seconds ago (or
 *    was cancelled before it could); singleton: no other job of the same user and name is
 *    running, nor pending and read earlier.  "12" names job 12, or every task of array 12;
 *    "12_3" task 3 of array 12.  Terms joined by ',' must all hold, by '?' any one.  A job
 *    not in the system and not ended when the dependent arrives (not in the trace,
 *    skipped, or later in it) counts as satisfied;
 *  - array throttle "%N": at most N tasks of the array in the core (pending or running)
 *    at once: JobArrayTaskLimit.
 * Jobs that become eligible on an event enter the core in read order before the next pass
 * (an "after" job released by a start in a pass gets a pass of its own at that time).
 * Waiters are indexed by the job they wait on, singleton jobs by (user, name) and throttled
 * tasks by array, so an event touches only the jobs it concerns.  To answer dependencies on
 * jobs that already ended, tracking (SimOptions.track_jobs, on by itself at the first record
 * with a WlJobExtra) keeps a small record per ended job: memory then grows with the trace.
 *
 * SWF think-time chains (SimOptions.swf_dependencies): a record with a preceding job
 * (WlJob.preceding) still in the system is submitted think_time seconds after that job
 * ends, instead of at its logged submit time; if that job already ended, at its end + think
 * time, or now if that is past (counted submit_reordered); if it never ran (rejected) or is
 * not in the trace, at its logged time.  A chained job whose predecessor never ends is
 * reported as never started (Dependency).
 *
 * Preemption (SimOptions.preempt, sim/preempt.c), Slurm's preempt/partition_prio and
 * preempt/qos in their simple form.  Who may preempt whom:
 *  - partition_prio: a job of a partition of higher PriorityTier may preempt the jobs of
 *    lower-tier partitions that share a node with its own and whose PreemptMode (the
 *    partition's, else the global one) is not OFF;
 *  - qos: a job may preempt the jobs whose QOS its QOS lists in its Preempt list
 *    (sched/qos.h; Slurm's preempt_p_preemptable: priorities do not enter into it, a job
 *    without QOS neither preempts nor is preempted) and whose PreemptMode (the QOS's, else
 *    the global one; partitions' PreemptMode and GraceTime do not apply, as in Slurm) is
 *    not OFF.  When no QOS has a Preempt list at all, a higher QOS priority preempts a
 *    lower one (no QOS is priority 0): sluice's fallback for QOS files without lists.
 * A job's level (the order below) is its partition's tier or its QOS priority.  After each
 * pass, a pending job the core holds back for resources (Resources or Priority) may
 * preempt such jobs on nodes of its partition that have run at least their
 * PreemptExemptTime (their QOS's, or their partition QOS's, when set; else the cluster's):
 * the fewest such jobs that let it fit, preferring the lowest level, then the most
 * recently started, then the lowest id.  They are signalled and end at now + their
 * GraceTime (the partition's with partition_prio, the QOS's with qos; else
 * SimOptions.preempt_grace), one whose own end comes first ending normally; then, by the
 * PreemptMode they had when signalled, each is requeued (back to the core with its submit
 * time once the job it made room for has started; when it starts again it runs its whole
 * run time; its record counts the requeues and shows its last run) or cancelled
 * (CANCELLED, recorded as preempted).  The pending job starts in the normal pass once they
 * are gone; until then it claims the nodes it would get, so that the next pending jobs
 * preempt for themselves.  Higher levels should be scheduled first (sluice sim switches to
 * the `priority` order, tiers first, for partition_prio), or a lower job ahead in the
 * queue may take the room.  Runs without preemption (or where no job may ever preempt
 * another) are unchanged, event for event; with it, a pass where no pending job may
 * preempt a running one costs O(jobs started) more, not a walk of the system. */
#pragma once
#include <glib.h>
#include "sched/core.h"
#include "workloads/trace.h"

G_BEGIN_DECLS

#define SIM_ERROR (sim_error_quark ())
GQuark sim_error_quark (void);

typedef enum {
  SIM_ERROR_TRACE,    /* the reader failed */
  SIM_ERROR_INVALID,  /* bad options */
} SimError;

typedef enum {
  SIM_TIE_COMPLETIONS_FIRST = 0,
  SIM_TIE_ARRIVALS_FIRST,
} SimTieOrder;

typedef enum {
  SIM_PASS_PER_TIME = 0,
  SIM_PASS_PER_EVENT,
  SIM_PASS_PERIODIC,     /* per-time passes, plus one every `pass_period` seconds while
                          * jobs wait (slurmctld's timer-driven scheduling) */
} SimPassMode;

/* What to do with a job larger than its partition. */
typedef enum {
  SIM_OVERSIZE_SKIP = 0,   /* skip it, counted as too_large */
  SIM_OVERSIZE_CLIP,       /* clip its tasks to the partition's CPUs, counted as clipped */
} SimOversize;

/* The run time the scheduler plans with (the limit still ends jobs).  Tsafrir, Etsion and
 * Feitelson, "Backfilling using system-generated predictions rather than user runtime
 * estimates", IEEE TPDS 18(6), 2007, for the user-history predictor. */
typedef enum {
  SIM_ESTIMATE_REQUESTED = 0,  /* the trace's estimate if it has one, else the time limit */
  SIM_ESTIMATE_PERFECT,        /* the actual run time (at least 1 s) */
  SIM_ESTIMATE_FACTOR,         /* the actual run time x factor, rounded up (at least 1 s) */
  SIM_ESTIMATE_USER_HISTORY,   /* mean of the user's last two finished run times, when the
                                * user has two; else the time limit.  A job that outlives
                                * its estimate is planned with its limit from then on. */
} SimEstimate;

/* Preemption (sim/preempt.c), Slurm's PreemptType in its simple form. */
typedef enum {
  SIM_PREEMPT_NONE = 0,         /* preempt/none */
  SIM_PREEMPT_PARTITION_PRIO,   /* preempt/partition_prio: a job of a higher PriorityTier
                                 * partition preempts jobs of lower-tier partitions */
  SIM_PREEMPT_QOS,              /* preempt/qos: a job preempts the jobs of the QOS its
                                 * QOS's Preempt list names (sched/qos.h); without any
                                 * list, a higher QOS priority preempts a lower one */
} SimPreemptType;

/* What happens to a preempted job (PreemptMode). */
typedef enum {
  SIM_PREEMPT_MODE_DEFAULT = 0, /* per partition: the global mode; global: REQUEUE */
  SIM_PREEMPT_MODE_OFF,         /* its jobs are not preempted */
  SIM_PREEMPT_MODE_CANCEL,      /* it ends CANCELLED, recorded as preempted */
  SIM_PREEMPT_MODE_REQUEUE,     /* it goes back to the queue with its submit time and runs
                                 * again from the start, its whole run time */
} SimPreemptMode;

/* "none", "partition_prio", "qos" (a "preempt/" prefix is accepted): TRUE and *out, or
 * FALSE for another name. */
gboolean sim_preempt_type_from_name (const char *name, SimPreemptType *out);
const char *sim_preempt_type_name (SimPreemptType type);
/* A PreemptMode value, any case: "OFF", "CANCEL", "REQUEUE", with ",GANG" (or
 * ",WITHIN") flags accepted and ignored.  FALSE for another value; *out is
 * SIM_PREEMPT_MODE_OFF for "SUSPEND" (not modeled) with *suspend set. */
gboolean sim_preempt_mode_from_string (const char *value, SimPreemptMode *out,
                                       gboolean *suspend);
const char *sim_preempt_mode_name (SimPreemptMode mode);   /* lower case */

typedef struct {
  guint64   events;          /* arrivals + completions + passes handled */
  guint64   passes;
  guint64   submitted;
  guint64   finished;        /* records emitted for jobs that ran */
  guint64   never_started;   /* records emitted for jobs left pending at the end */
  guint64   never_started_by_reason[SCHED_REASON_N]; /* ... by why they were pending */
  guint64   peak_pending;
  guint64   peak_running;
  SchedTime first_submit;    /* SCHED_TIME_NEVER if no job */
  SchedTime last_time;       /* virtual time of the last event */
  guint64   preemptions;     /* running jobs signalled for preemption */
  guint64   requeued;        /* ... that were requeued at the end of their grace time */
  guint64   preempt_cancelled; /* ... that were cancelled */
} SimStats;

typedef void (*SimRecordFunc) (const SchedJobRecord *rec, gpointer user_data);
typedef void (*SimProgressFunc) (const SimStats *stats, gpointer user_data);

typedef struct {
  SimTieOrder     tie_order;
  SimPassMode     pass_mode;
  SchedTime       pass_period;     /* for SIM_PASS_PERIODIC (> 0; default 30 s) */
  SimOversize     oversize;
  SimEstimate     estimate;
  double          estimate_factor; /* for SIM_ESTIMATE_FACTOR (> 0) */
  gboolean        track_jobs;      /* index jobs by id and remember ended ones from the
                                    * start (for dependencies in a trace whose first jobs
                                    * carry no WlJobExtra; sluice sim sets it for JSON) */
  gboolean        swf_dependencies; /* submit jobs think_time after their preceding job
                                     * ends (WlJob.preceding; implies track_jobs) */
  SimPreemptType  preempt;         /* SIM_PREEMPT_NONE (the default): never preempt */
  SimPreemptMode  preempt_mode;    /* global PreemptMode (DEFAULT: REQUEUE) */
  SchedTime       preempt_grace;   /* grace time of partitions (partition_prio) or QOS
                                    * (qos) without their own */
  SchedTime       preempt_exempt;  /* PreemptExemptTime: a job that has run less is not
                                    * preempted (0: none), unless its QOS sets its own */
  SimProgressFunc progress;      /* called every ~2^18 events, may be NULL */
  gpointer        progress_data;
} SimOptions;

void sim_options_init (SimOptions *opts);

typedef struct _SimEngine SimEngine;

/* Returns (transfer full) an engine for `cluster` (transfer none: must outlive the engine)
 * running `policy`. */
SimEngine *sim_engine_new (const SchedCluster *cluster, const SchedPolicy *policy,
                           const SimOptions *opts);
void       sim_engine_free (SimEngine *e);

/* Replays every record of `reader` and calls `func` once per job, at its completion, in
 * completion order (jobs still pending when the trace is exhausted and nothing is running
 * come last, unstarted).  Skips and adjustments the simulator makes are added to the
 * reader's counts.  Returns FALSE with `error` set if the reader fails. */
gboolean sim_engine_run (SimEngine *e, WlReader *reader, SimRecordFunc func, gpointer data,
                         GError **error);

const SimStats *sim_engine_get_stats (const SimEngine *e);

/* Hands `priority` (transfer full) to the engine's core: see sched_core_set_priority. */
void sim_engine_set_priority (SimEngine *e, SchedPriority *priority);

/* Hands `limits` (transfer full) to the engine's core: see sched_core_set_limits.  A job's
 * account and QOS names (WlJobExtra) become its SchedJobSpec association and QOS ids
 * (sched_core_resolve_assoc, sched_core_find_qos); a QOS name the limits do not define
 * gets the job rejected (InvalidQOS, counted as `rejected`). */
void sim_engine_set_limits (SimEngine *e, SchedLimits *limits);

/* Sets partition `part`'s PreemptMode (SIM_PREEMPT_MODE_DEFAULT: the global one) and
 * GraceTime in seconds (< 0: SimOptions.preempt_grace), which apply to the jobs of that
 * partition when they are preempted with partition_prio (with qos, the job's QOS's settings
 * apply instead).  Call before sim_engine_run. */
void sim_engine_set_partition_preempt (SimEngine *e, gint32 part, SimPreemptMode mode,
                                       SchedTime grace);

/* (transfer none) the core, for tests' invariant checks. */
SchedCore *sim_engine_get_core (SimEngine *e);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimEngine, sim_engine_free)

G_END_DECLS
