/* SPDX-License-Identifier: MIT */
/* sim/engine-private.h - the simulator's internal records, shared by engine.c (the event
 * loop) and elig.c (the eligibility layer: holds, begin times, dependencies, array
 * throttles and SWF think-time chains).  Only sim/ includes it.
 *
 * A SimJob is one job in the system: read from the trace and not yet ended.  It is in the
 * core (in_core: pending or running there) or waits outside it, in the driver, until it
 * becomes eligible (elig.c), exactly as realnet/ctld-jobs.c keeps such jobs out of its core.
 * Jobs without anything to wait for never touch the eligibility layer: the SWF replay pays
 * one branch per event for it. */
#pragma once
#include "sim/engine.h"

typedef enum { EV_COMPLETION, EV_ARRIVAL, EV_PASS, EV_WAKE } SimEvKind;

typedef struct _SimElig  SimElig;
typedef struct _SimPreempt SimPreempt;
typedef struct _SimGroup SimGroup;
typedef struct _SimArray SimArray;
typedef struct _SimJob   SimJob;

struct _SimJob {
  WlJob         w;
  SchedTime     start;
  SchedJobState end_state;
  guint32       cpus, gpus, nodes;
  SimJob       *prev, *next;   /* jobs in the system */
  guint64       serial;        /* read order, unique in a run; G_MAXUINT64 once removed */
  /* eligibility (elig.c): all 0 / NULL for a job that goes straight to the core */
  SimElig      *el;            /* (owned) what it waits for, or NULL */
  GArray       *waiters;       /* (owned) SimWaiter: jobs waiting on this one, or NULL */
  SimGroup     *group;         /* its (user, name) group, for singleton, or NULL */
  GList         group_link;    /* its link in group->members */
  SimArray     *array;         /* its array, or NULL */
  guint8        reason;        /* SchedReason while it waits outside the core */
  guint8        in_core;       /* submitted to the core */
  guint8        ready;         /* eligible, in SimEngine.ready */
  guint8        parked;        /* SWF: waits for its preceding job to end */
  /* preemption (preempt.c) */
  guint8        preempt;       /* SimPreemptState */
  guint8        preempted;     /* ended by a preemption (CANCELLED) */
  guint16       pclass;        /* its preemption class while in the core (preempt.c) */
  guint32       requeues;      /* times preempted and requeued */
  guint64       end_seq;       /* sequence number of its live completion event */
};

/* Where a running job stands with preemption. */
typedef enum {
  SIM_PREEMPT_RUNNING = 0,     /* not signalled */
  SIM_PREEMPT_SIGNALLED,       /* signalled, but its own end comes within the grace time:
                                * it ends normally */
  SIM_PREEMPT_KILLED,          /* signalled; its completion event is the end of its grace
                                * time, where it is requeued or cancelled */
} SimPreemptState;

typedef struct {
  SchedTime time;
  guint32   cls;
  guint32   kind;
  guint64   seq;
  SimJob   *job;
} SimEvent;

struct _SimEngine {
  const SchedCluster *cluster;
  SchedPolicy policy;
  SimOptions  opts;
  SchedCore  *core;
  GArray     *heap;       /* SimEvent */
  SimJob     *live;       /* jobs in the system (owned), a doubly linked list */
  guint64     n_live;
  SimJob     *spare;      /* freed SimJobs for reuse (linked by next) */
  GArray     *started;    /* SchedStart */
  guint64     seq;
  guint64     n_read;     /* serial numbers given */
  SchedTime   pass_at;    /* earliest queued EV_PASS, or NEVER */
  SimJob     *pending_arrival; /* read from the trace, not yet submitted */
  GHashTable *history;    /* user -> UserHistory* (SIM_ESTIMATE_USER_HISTORY) */
  SimStats    stats;
  guint64     part_cpus;  /* CPUs of the default partition, for the oversize rule */
  WlCounts   *counts;     /* the reader's, during sim_engine_run */
  /* eligibility (elig.c) */
  gboolean    track;      /* jobs are indexed by id and their ends remembered */
  GHashTable *by_id;      /* id -> SimJob* (every job in the system, when tracking) */
  GHashTable *ended;      /* id -> SimOutcome* (every job that left, when tracking) */
  GHashTable *groups;     /* "uid\037name" -> SimGroup* */
  GHashTable *arrays;     /* array job id -> SimArray* */
  GPtrArray  *ready;      /* SimJob*: became eligible, enter the core before the pass */
  /* preemption (preempt.c), NULL without */
  SimPreempt *preempt;
};

/* engine.c */
/* Queues an event; returns its sequence number. */
guint64  sim__push (SimEngine *e, SchedTime time, SimEvKind kind, SimJob *job);
/* Submits `sj` to the core at `now`.  Returns TRUE if the core took it; otherwise counts
 * it `rejected`, tells the eligibility layer and removes it (sj is then gone). */
gboolean sim__enter_core (SimEngine *e, SimJob *sj, SchedTime now);

/* elig.c */
typedef enum {
  SIM_READ_NORMAL = 0,  /* arrives at its submit time, as the trace's next record */
  SIM_READ_QUEUED,      /* its arrival is queued at a time of its own (think-time chain) */
  SIM_READ_PARKED,      /* waits for its preceding job to end */
} SimReadKind;

void        sim__elig_init (SimEngine *e);
void        sim__elig_clear (SimEngine *e);
/* Turns tracking on (idempotent), indexing the jobs already in the system. */
void        sim__elig_track_on (SimEngine *e);
/* A record just read (sj new in the live list, its extra still valid); tracking on. */
SimReadKind sim__elig_read (SimEngine *e, SimJob *sj, SchedTime clock);
/* The arrival of a tracked job: TRUE if it goes to the core now. */
gboolean    sim__elig_arrive (SimEngine *e, SimJob *sj, SchedTime now);
/* Job `sj` (tracked) started at `now`. */
void        sim__elig_started (SimEngine *e, SimJob *sj, SchedTime now);
/* Job `sj` (tracked) leaves at `now`: it ended (`ran`) or the core rejected it.  Called
 * before it is removed. */
void        sim__elig_left (SimEngine *e, SimJob *sj, SchedTime now, gboolean ran);
/* Job `sj` is being removed: drops it from every index and frees what it owns. */
void        sim__elig_forget (SimEngine *e, SimJob *sj);
/* Task `sj` of a tracked array entered the core (counts against its throttle). */
void        sim__array_entered (SimJob *sj);
/* An EV_WAKE event fired. */
void        sim__elig_wake (SimEngine *e, const SimEvent *ev, SchedTime now);
/* Submits the jobs that became eligible, in read order (or queues them behind their
 * array's throttle). */
void        sim__elig_flush (SimEngine *e, SchedTime now);
/* Job `sj` (tracked), preempted, goes back to the queue: it no longer runs. */
void        sim__elig_requeued (SimEngine *e, SimJob *sj);
/* Why a job still in the system at the end never started. */
SchedReason sim__elig_reason (SimEngine *e, SimJob *sj);

/* preempt.c */
/* Creates e->preempt from e->opts (preempt != NONE). */
void     sim__preempt_init (SimEngine *e);
void     sim__preempt_clear (SimEngine *e);
void     sim__preempt_set_partition (SimEngine *e, gint32 part, SimPreemptMode mode,
                                     SchedTime grace);
/* Resolves the per-partition settings before the run. */
void     sim__preempt_prepare (SimEngine *e);
/* Tests: keep no counts per class, so that every round walks the jobs in the system (the
 * reference the counted rounds must match).  Call before sim_engine_run. */
void     sim__preempt_force_walk (SimEngine *e);
/* Job `sj` entered the core (pending). */
void     sim__preempt_entered (SimEngine *e, SimJob *sj);
/* Running job `sj` ended in the core (before sim__preempt_ended, if signalled). */
void     sim__preempt_left (SimEngine *e, SimJob *sj);
/* After a pass at `now` (its starts in e->started): signals the running jobs whose
 * resources let a pending job that may preempt them start. */
void     sim__preempt_round (SimEngine *e, SchedTime now);
/* Signalled job `sj` ended (the core was told, as CANCELLED if it was killed).
 * Returns TRUE if it was requeued (it stays in the system, pending); FALSE if it ends
 * here, in sj->end_state (CANCELLED and sj->preempted for a preemption). */
gboolean sim__preempt_ended (SimEngine *e, SimJob *sj);
