/* SPDX-License-Identifier: MIT */
/* sched/core-private.h - SchedCore internals shared by core.c, select.c, profile.c and the
 * policies.  Only sched/ and its tests include this. */
#pragma once
#include "sched/core.h"
#include "sched/priority.h"
#include "sched/qos.h"

G_BEGIN_DECLS

typedef struct _SchedJob SchedJob;
typedef struct _SchedQBlock SchedQBlock;
typedef struct _SchedProfile SchedProfile;
typedef struct _SchedLimitUsage SchedLimitUsage;

/* The pending queue is cut into blocks of consecutive jobs that keep the least CPUs and the
 * least time limit among their jobs, so the EASY fast path can skip whole blocks that hold
 * no job able to start (a sqrt decomposition of the queue). */
#define SCHED_QBLOCK_SIZE 64

struct _SchedQBlock {
  SchedJob    *first, *last;   /* consecutive in the queue */
  guint32      n;              /* jobs in the block */
  guint32      n_added;        /* jobs ever appended (blocks fill up to SCHED_QBLOCK_SIZE) */
  guint64      min_cpus;
  SchedTime    min_limit;
  gboolean     dirty;          /* minima may be stale (too low): recompute before trusting */
  SchedQBlock *prev, *next;
};

struct _SchedJob {
  SchedJobSpec  spec;
  SchedJobState state;
  SchedReason   reason;
  SchedTime     start;
  SchedTime     planned;     /* reservation start of the last pass, or NEVER */
  SchedTime     plan;        /* planned duration: the estimate, or the time limit */
  SchedTime     end_limit;   /* start + plan while running: when planning expects it back */
  guint64       seq;         /* order of submission */
  guint64       cpus;        /* tasks * cpus_per_task */
  SchedAlloc    alloc;
  guint32       alloc_cap;   /* capacity of alloc.nodes (the buffer is reused) */
  SchedJob     *prev, *next; /* pending queue links; `next` links the free list too */
  SchedQBlock  *block;       /* pending queue block */
  guint32       heap_idx;    /* position in the running heap */
  gboolean      simple;
  gint32        part;        /* resolved partition */
  gpointer      tag;         /* driver's tag */
  gboolean      cons_placed; /* has a place in the kept conservative schedule */
  SchedAssocId  assoc;       /* association for fair-share (with a SchedPriority) */
  guint32       priority;    /* multifactor priority at the last ordering pass */
  SchedQosId    qos;         /* resolved QOS (SCHED_QOS_DEFAULT: none) */
};

/* An interned feature constraint (sched_core_constraint): per alternative of its brackets
 * ("[rack1|rack2]": all the nodes of a job satisfy one and the same alternative; a single
 * one without brackets) and per partition, the partition's nodes that satisfy it, so that
 * node selection walks only those (and an unconstrained job its partition's list, with no
 * test at all).  Alternatives keep the order written, less those no node satisfies and
 * repeats of an earlier one (never chosen: ties go to the first alternative); at least one
 * remains, empty when nothing matches. */
typedef struct {
  guint32  n_alts;   /* >= 1 */
  guint32  n_parts;
  guint32 *offs;     /* n_alts * n_parts + 1 offsets into nodes */
  guint32 *nodes;    /* alternative a, partition k: nodes[offs[a * n_parts + k]] up to
                      * nodes[offs[a * n_parts + k + 1]] (excluded), increasing */
} SchedConstraint;

/* Per-node dynamic state. */
typedef struct {
  guint32 free_cpus;
  guint32 free_gpus;
  guint64 free_mem;
  guint32 n_jobs;
  guint8  down;
  guint8  drain;
} SchedNodeState;

struct _SchedCore {
  const SchedCluster *cluster;
  SchedPolicy         policy;
  GPtrArray          *constraints;  /* id - 1 -> SchedConstraint (owned) */
  GHashTable         *constraint_ids; /* expression -> id */
  GPtrArray          *node_sets;    /* id - 1 -> guint8 mask of n_nodes (sched_core_node_set) */
  GArray             *node_set_sizes; /* id - 1 -> guint32 nodes in the set */
  GHashTable         *node_set_ids; /* the set's node list as text -> id */
  GHashTable         *jobs;        /* id -> SchedJob* (owned) */
  SchedJob           *spare_jobs;  /* forgotten jobs kept for reuse, linked by next */
  SchedJob           *qhead, *qtail;
  SchedQBlock        *bhead, *btail;
  guint               n_pending;
  GPtrArray          *running;     /* binary min-heap on (end_limit, seq) */
  guint               n_nonsimple; /* pending + running jobs that are not simple */
  guint               n_unusable;  /* nodes down or drained */
  guint64             seq;
  guint32             n_nodes;
  SchedNodeState     *nodes;
  guint64            *free_bits;   /* usable nodes with a free CPU */
  guint32             n_words;
  guint32             first_word;  /* no usable free CPU in free_bits words before this */
  guint64             free_cpus;   /* on usable nodes */
  guint64             busy_cpus, busy_gpus;
  gboolean            pool_part;   /* one partition holding every node */
  guint64            *part_cpus;   /* total CPUs per partition */
  gboolean            force_generic; /* tests: always use the profile engine */
  /* EASY counting path: the state of the last pass, valid while nothing but arrivals at
   * the tail of the queue happened since (no end, cancel, out-of-order submit) */
  gboolean            easy_valid;
  SchedJob           *easy_head;
  SchedJob           *easy_scanned;  /* last queued job the pass examined */
  SchedTime           easy_shadow;
  guint64             easy_extra;
  /* Conservative counting path: the schedule of the last pass (running jobs and every
   * queued job's reservation), valid while no job ended before its limit and the queue
   * only grew at its tail.  `due` is a min-heap of ConsDue on reservation start. */
  gboolean            cons_valid;
  gboolean            defer_push;
  SchedPriority      *priority;    /* multifactor priority and fair-share, or NULL (owned) */
  SchedLimits        *limits;      /* QOS and association limits, or NULL (owned) */
  SchedLimitUsage    *limit_usage; /* what the limits are checked against (with limits) */
  gboolean            tiers;       /* partitions have different PriorityTiers */
  SchedTime           bf_origin;   /* slurm policy: the backfill timer's first tick */
  guint64             changes;     /* counts submits, starts, ends, cancels, node changes */
  guint64             bf_changes;  /* `changes` after the last backfill pass */
  GPtrArray          *deferred;    /* started jobs not yet on the running heap */
  SchedProfile       *cons_profile;
  GArray             *cons_due;
  /* scratch space reused across passes */
  GArray             *scratch_idx;
  GArray             *scratch_cand;
  GPtrArray          *scratch_order;
};

/* TRUE when the counting fast path is exact: every job in the system is simple, there is
 * one partition over all nodes and every node is usable. */
static inline gboolean
sched__core_pool_mode (const SchedCore *core)
{
  return core->n_nonsimple == 0 && core->pool_part && core->n_unusable == 0
         && !core->force_generic;
}

/* Job running-heap key comparison: earlier end_limit first, then submission order. */
static inline gboolean
sched__job_ends_before (const SchedJob *a, const SchedJob *b)
{
  return a->end_limit < b->end_limit || (a->end_limit == b->end_limit && a->seq < b->seq);
}

/* Recomputes a dirty block's minima. */
void sched__qblock_refresh (SchedQBlock *b);

/* Starts pending job `j` at `now` with allocation `alloc` (transfer full: moved into the
 * job), or with the allocation already in j->alloc when `alloc` is NULL: removes it from the
 * queue, takes the resources, adds it to the running heap and appends it to `started`. */
void sched__core_start (SchedCore *core, SchedJob *j, SchedTime now, SchedAlloc *alloc,
                        GArray *started);

/* Allocates simple job `j` on the nodes' current free CPUs, into j->alloc (reusing its
 * buffer): the lowest-index nodes with free CPUs.  The caller checked the total. */
void sched__alloc_simple (SchedCore *core, SchedJob *j);

/* The time at which a running job's resources are expected back, as planning sees it: its
 * planned end; past that (it outlived its estimate) its time limit; past that (the driver
 * has not ended it yet) the next second. */
static inline SchedTime
sched__release_time (const SchedJob *j, SchedTime now)
{
  if (j->end_limit > now)
    return j->end_limit;
  SchedTime hard = j->start + j->spec.time_limit;
  return hard > now ? hard : now + 1;
}

/* A reserved job in the conservative schedule, keyed by reservation start. */
typedef struct {
  SchedTime planned;
  guint64   seq;
  SchedJob *job;   /* valid only while job->seq == seq and it is pending */
} SchedConsDue;

/* Node availability as seen by node selection: per-node free amounts. */
typedef struct {
  guint32 cpus;
  guint32 gpus;
  guint64 mem;
} SchedAvail;

/* Fills `avail` (n_nodes entries) with what each node has free now; down and drained
 * nodes get nothing.  Returns the GPUs free in all. */
guint64 sched__avail_now (const SchedCore *core, SchedAvail *avail);

/* Chooses nodes for `spec` in partition `part` given per-node availability `avail`
 * (n_nodes entries; nodes that are down or drained must have been zeroed by the caller).
 * Best fit: among eligible nodes, lower weight first, then fewer free CPUs, then index.
 * With bracket alternatives in the constraint, all nodes come from one alternative: the
 * first, in the order written, on which the job fits.  Returns TRUE and fills `alloc`
 * (transfer full) if it fits. */
gboolean sched__select_nodes (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                              const SchedAvail *avail, SchedAlloc *alloc);

/* As sched__select_nodes among `nodes` only (n, increasing, all of partition `part`): the
 * partition's nodes that one alternative of spec->constraint admits
 * (sched__constraint_nodes), spec->constraint itself is not looked at. */
gboolean sched__select_nodes_on (const SchedCore *core, const SchedJobSpec *spec, gint32 part,
                                 const SchedAvail *avail, const guint32 *nodes, guint32 n,
                                 SchedAlloc *alloc);

/* Visits the running jobs in (end_limit, seq) order without sorting them: a small heap of
 * running-heap positions, O(log k) per job visited.  Valid while the running heap does not
 * change (no start, no end); see SchedCore.defer_push. */
typedef struct {
  GArray *h;   /* guint32 positions in core->running, heap-ordered */
} SchedRunIter;

void            sched__run_iter_init (SchedCore *core, SchedRunIter *it, GArray *storage);
const SchedJob *sched__run_iter_peek (const SchedCore *core, const SchedRunIter *it);
void            sched__run_iter_pop (const SchedCore *core, SchedRunIter *it);

/* While set, started jobs are not pushed on the running heap (so a SchedRunIter stays
 * valid during a pass) but kept in `deferred` until sched__core_flush_deferred. */
void sched__core_defer_push (SchedCore *core, gboolean defer);
void sched__core_flush_deferred (SchedCore *core);

/* Availability profiles for the backfill engine (profile.c). */

/* Counting profile from the running jobs (pool mode), or node profile (general). */
SchedProfile *sched__profile_new (SchedCore *core, SchedTime now, gboolean counting);
/* A counting profile with every running job's release in it at once (sorted, O(running log
 * running)), for a caller that will search most of it: it never goes stale.  The same
 * function of time as sched__profile_new's, which materializes releases from the running
 * heap as searches reach them (O(log running) each). */
SchedProfile *sched__profile_new_complete (SchedCore *core, SchedTime now);
void          sched__profile_free (SchedProfile *p);
/* Earliest t >= now at which `j` fits for its time limit; fills `alloc` (node profile) with
 * the nodes it would get.  SCHED_TIME_NEVER if never. */
SchedTime     sched__profile_earliest (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc);
/* As sched__profile_earliest, but SCHED_TIME_NEVER (and no allocation) for a start after
 * `horizon`; the node profile stops searching there. */
SchedTime     sched__profile_earliest_by (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc,
                                          SchedTime horizon);
/* Holds `j`'s resources (`alloc` for the node profile, j->cpus for counting) from `start`
 * for its time limit. */
void          sched__profile_reserve (SchedProfile *p, const SchedJob *j, SchedTime start,
                                      const SchedAlloc *alloc);
/* As sched__profile_reserve, for `dur` seconds (at most the job's plan) instead of its plan. */
void          sched__profile_reserve_for (SchedProfile *p, const SchedJob *j, SchedTime start,
                                          SchedTime dur, const SchedAlloc *alloc);
void          sched__profile_check (const SchedProfile *p);
/* TRUE if a search needed steps that could no longer be materialized (the running jobs
 * changed since the build): the caller must rebuild. */
gboolean      sched__profile_is_stale (const SchedProfile *p);
/* Ends the pass that built a counting profile: materializes the rest if at most
 * `materialize_limit` running jobs are left, and stops materializing from the running heap
 * (which the caller may change from now on). */
void          sched__profile_end_pass (SchedProfile *p, guint materialize_limit);
/* Moves a counting profile's start forward to `now` (dropping the past). */
void          sched__profile_advance (SchedProfile *p, SchedTime now);
/* Free CPUs at the profile's start (counting profile). */
gint64        sched__profile_free_now (const SchedProfile *p);

/* Queue orders (order.c): the key of job `j` at `now` (smaller first), and the pending
 * jobs in `order` into `out` (SchedJob*; ties in queue order). */
double sched__order_key (SchedOrder order, const SchedJob *j, SchedTime now);
void   sched__order_queue (SchedCore *core, SchedOrder order, SchedTime now, GPtrArray *out);

/* Starts `j` now, holding its resources in profile `p` for its plan: on the counting path
 * with a fresh allocation of free CPUs, else with `alloc` (transfer full), the nodes the
 * profile found. */
void sched__start_in_profile (SchedCore *core, SchedProfile *p, SchedJob *j, SchedTime now,
                              gboolean counting, SchedAlloc *alloc, GArray *started);

/* The slurm policy's pass (policy-slurm.c). */
SchedTime sched__slurm_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now,
                             GArray *started);

/* The backfill engine (backfill.c), shared by fcfs, easy and conservative. */
SchedTime sched__backfill_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now,
                                GArray *started);

/* Starts pending job `j` now if it fits on the nodes' current free resources (any node
 * selection, no look-ahead).  Returns TRUE if it started. */
gboolean sched__try_start_now (SchedCore *core, SchedJob *j, SchedTime now, GArray *started);

/* With limits: checks `j` against the running-usage limits, records the reason in
 * j->reason and returns TRUE when it must be skipped this pass (no start, no reservation:
 * j->planned is cleared).  FALSE at once without limits. */
gboolean sched__limits_skip (SchedCore *core, SchedJob *j);

/* Tests only: make every pass use the generic profile engine. */
void sched__core_set_force_generic (SchedCore *core, gboolean force);


/* The mask (n_nodes bytes, 1 = in the set) and size of node set `id` (sched_core_node_set),
 * NULL and 0 for 0; (transfer none). */
static inline const guint8 *
sched__node_set_mask (const SchedCore *core, guint32 id, guint32 *size)
{
  if (id == 0 || id > core->node_sets->len)
    {
      *size = 0;
      return NULL;
    }
  *size = g_array_index (core->node_set_sizes, guint32, id - 1);
  return core->node_sets->pdata[id - 1];
}

/* The number of alternatives of constraint `c` (sched_core_constraint, SchedConstraint):
 * 1 for 0 (no constraint), 0 for an unknown id (no node satisfies it). */
static inline guint32
sched__constraint_n_alts (const SchedCore *core, guint32 c)
{
  if (c == 0)
    return 1;
  if (c > core->constraints->len)
    return 0;
  return ((const SchedConstraint *) core->constraints->pdata[c - 1])->n_alts;
}

/* The nodes of partition `part` (its spec `ps`) that alternative `alt` of constraint `c`
 * admits, increasing; sets *n.  For 0 (no constraint) all the partition's.  `alt` must be
 * below sched__constraint_n_alts.  (transfer none) valid while the core lives. */
static inline const guint32 *
sched__constraint_nodes (const SchedCore *core, guint32 c, guint32 alt, gint32 part,
                         const SchedPartitionSpec *ps, guint32 *n)
{
  if (c == 0)
    {
      *n = ps->n_nodes;
      return ps->nodes;
    }
  const SchedConstraint *sc = core->constraints->pdata[c - 1];
  guint32 k = alt * sc->n_parts + (guint32) part;
  *n = sc->offs[k + 1] - sc->offs[k];
  return sc->nodes + sc->offs[k];
}

G_END_DECLS
