/* SPDX-License-Identifier: MIT */
/* sched/backfill.c - the backfill engine: fcfs, EASY and conservative as one algorithm with
 * a reservation depth.
 *
 * Algorithm (generic engine).  Build the availability profile from the running jobs (each
 * holds its resources until start + its plan: the estimate, or else the time limit).  Walk
 * the pending queue in the policy's order.  For each job find the earliest time it fits for
 * its whole plan.  If that is now, start it and
 * hold its resources in the profile.  Otherwise, while fewer than `depth` jobs hold a
 * reservation, reserve it at that time in the profile; with depth 0 (fcfs) stop at the first
 * job that cannot start.  Jobs behind the reservations may start now only where they delay
 * no reservation, because the reservations are in the profile they are checked against.
 *   depth 0        fcfs: strict order, no backfill;
 *   depth 1        EASY (Lifka 1995; Mu'alem & Feitelson, IEEE TPDS 12(6) 2001): only the
 *                  first blocked job is protected;
 *   depth infinite conservative (same paper): every queued job holds a reservation, and the
 *                  schedule is rebuilt in queue order when a job ends before its plan,
 *                  which compresses it (kept as it is otherwise: conservative_counting).
 * Worked example, 10 CPUs, now = 0: A (8 CPUs) runs until 100.  Queue: B (4 CPUs, 50 s),
 * C (2 CPUs, 50 s), D (2 CPUs, 200 s).  B cannot start (2 free): fcfs stops there.  EASY
 * reserves B at 100 (free at 100: 10, B leaves 6), starts C (2 <= 2 free now, ends at 50 <=
 * 100), and then D cannot start: no CPU is free now.  Had C asked 150 s it would still start
 * (ends after 100 but 2 <= the 6 B leaves).  Conservative reserves B at 100, starts C now
 * and reserves D at 100 too (6 free beside B).
 *
 * Fast paths.  When every job is "N CPUs anywhere" and one partition spans the cluster
 * (sched__core_pool_mode) the free-CPU count is exact, so fcfs is O(started) and EASY uses
 * the classic shadow time / extra CPUs formulation: walk the running jobs by end time from
 * the heap (O(k log k) for the k needed) until the head fits; the head's shadow time is that
 * release time and `extra` what is left beside it then; a later job starts now if it fits
 * now and either ends by the shadow time or fits in `extra` (which it then consumes).  This
 * is exactly what the profile gives at depth 1, and the oracle tests check both agree.  The
 * queue is cut into blocks that keep their least CPUs and plan, so the scan hops over blocks
 * where nothing can start, and a pass after arrivals only examines the new jobs.
 * Conservative keeps its schedule between passes (conservative_counting).  The fast paths
 * serve submit order while no running job has outlived its estimate, and a core without
 * limits (sched/qos.h): with limits every pass takes the generic engine, which skips a
 * job held by a running-usage limit (it starts not, reserves not, blocks not). */
#include "sched/core-private.h"
#include "sched/heap.h"

static SchedTime
fcfs_counting (SchedCore *core, SchedTime now, GArray *started)
{
  SchedJob *j;
  while ((j = core->qhead) != NULL && j->cpus <= core->free_cpus)
    {
      sched__alloc_simple (core, j);
      sched__core_start (core, j, now, NULL, started);
    }
  return SCHED_TIME_NEVER;
}

/* Shadow time and extra CPUs for a head job needing `need` CPUs (pool mode). */
static SchedTime
shadow_time (SchedCore *core, SchedTime now, guint64 need, guint64 *extra)
{
  SchedRunIter it;
  sched__run_iter_init (core, &it, core->scratch_cand);
  guint64 avail = core->free_cpus;
  SchedTime shadow = SCHED_TIME_NEVER;
  const SchedJob *r;
  while ((r = sched__run_iter_peek (core, &it)) != NULL)
    {
      SchedTime t = sched__release_time (r, now);
      if (shadow != SCHED_TIME_NEVER && t != shadow)
        break;
      avail += r->alloc.cpus;
      if (shadow == SCHED_TIME_NEVER && avail >= need)
        shadow = t;
      sched__run_iter_pop (core, &it);
    }
  *extra = shadow == SCHED_TIME_NEVER ? 0 : avail - need;
  return shadow;
}

/* Can any job of block `b` start now beside the head's reservation at `shadow`? */
static inline gboolean
block_may_start (SchedQBlock *b, guint64 free_cpus, guint64 extra, SchedTime shadow,
                 SchedTime now)
{
  if (b->dirty)
    sched__qblock_refresh (b);
  if (b->min_cpus > free_cpus)
    return FALSE;
  return b->min_cpus <= extra || shadow == SCHED_TIME_NEVER || now + b->min_limit <= shadow;
}

/* TRUE if no running job is overdue (its planned release would depend on `now`). */
static gboolean
none_overdue (const SchedCore *core, SchedTime now)
{
  return core->running->len == 0
         || ((const SchedJob *) core->running->pdata[0])->end_limit > now;
}

static SchedTime
easy_counting (SchedCore *core, SchedTime now, GArray *started)
{
  SchedJob *head = core->qhead;
  SchedJob *from;
  guint64 extra = 0;
  SchedTime shadow;
  if (core->easy_valid && head == core->easy_head && none_overdue (core, now))
    {
      /* Since the last pass only arrivals were queued behind it: the head is still
       * blocked, the shadow time and extra CPUs are unchanged, and every job examined then
       * would be refused again (refusals only get more certain as time passes).  Examine
       * the new arrivals only. */
      shadow = core->easy_shadow;
      extra = core->easy_extra;
      from = core->easy_scanned ? core->easy_scanned->next : head->next;
    }
  else
    {
      fcfs_counting (core, now, started);
      head = core->qhead;
      if (head == NULL)
        return SCHED_TIME_NEVER;
      shadow = shadow_time (core, now, head->cpus, &extra);
      head->planned = shadow;
      from = head->next;
    }
  SchedJob *next;
  for (SchedJob *j = from; j != NULL && core->free_cpus > 0; j = next)
    {
      next = j->next;
      if (j == j->block->first)
        {
          /* Skip every block in which no job can start: starting needs cpus <= free and
           * either cpus <= extra or an end by the shadow time; the block minima bound
           * both.  Hopping over blocks touches no job. */
          SchedQBlock *b = j->block;
          while (b != NULL && !block_may_start (b, core->free_cpus, extra, shadow, now))
            b = b->next;
          if (b == NULL)
            break;
          if (b != j->block)
            {
              next = b->first;
              continue;
            }
        }
      if (j->cpus > core->free_cpus)
        continue;
      gboolean ends_in_time = now + j->plan <= shadow;
      if (!ends_in_time && j->cpus > extra)
        continue;
      if (!ends_in_time)
        extra -= j->cpus;
      sched__alloc_simple (core, j);
      sched__core_start (core, j, now, NULL, started);
    }
  core->easy_valid = none_overdue (core, now);
  core->easy_head = head;
  core->easy_scanned = core->qtail;
  core->easy_shadow = shadow;
  core->easy_extra = extra;
  return SCHED_TIME_NEVER;
}

void
sched__start_in_profile (SchedCore *core, SchedProfile *p, SchedJob *j, SchedTime now,
                         gboolean counting, SchedAlloc *alloc, GArray *started)
{
  if (counting)
    {
      sched__alloc_simple (core, j);
      sched__profile_reserve (p, j, now, &j->alloc);
      sched__core_start (core, j, now, NULL, started);
    }
  else
    {
      sched__profile_reserve (p, j, now, alloc);
      sched__core_start (core, j, now, alloc, started);
    }
}

static SchedTime
generic_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now, GArray *started)
{
  gboolean counting = sched__core_pool_mode (core) || (core->force_generic
                                                        && core->n_nonsimple == 0
                                                        && core->pool_part);
  SchedProfile *p = sched__profile_new (core, now, counting);
  guint32 reserved = 0;
  core->easy_valid = FALSE;
  sched__core_defer_push (core, TRUE);
  GPtrArray *queue = core->scratch_order;
  sched__order_queue (core, policy->order, now, queue);
  for (guint qi = 0; qi < queue->len; qi++)
    {
      SchedJob *j = queue->pdata[qi];
      if (reserved >= policy->reservation_depth && core->free_cpus == 0)
        break;
      if (sched__limits_skip (core, j))
        continue;   /* held by a running-usage limit: neither starts nor blocks */
      SchedAlloc a = { 0 };
      /* once no reservation is left to make, only a start now matters */
      gboolean want_plan = policy->backfill && reserved < policy->reservation_depth;
      SchedTime t = want_plan ? sched__profile_earliest (p, j, &a)
                              : sched__profile_earliest_by (p, j, &a, now);
      if (t == now)
        {
          sched__start_in_profile (core, p, j, now, counting, &a, started);
          continue;
        }
      j->planned = SCHED_TIME_NEVER;
      if (!policy->backfill)
        {
          sched_alloc_clear (&a);
          break;
        }
      if (t != SCHED_TIME_NEVER && reserved < policy->reservation_depth)
        {
          sched__profile_reserve (p, j, t, &a);
          j->planned = t;
          reserved++;
        }
      sched_alloc_clear (&a);
    }
  sched__profile_free (p);
  sched__core_defer_push (core, FALSE);
  sched__core_flush_deferred (core);
  return SCHED_TIME_NEVER;
}

/* ---- conservative on the counting path, incremental ---- */

static inline gboolean
due_less (const void *ctx, const SchedConsDue *a, const SchedConsDue *b)
{
  (void) ctx;
  return a->planned < b->planned || (a->planned == b->planned && a->seq < b->seq);
}

SCHED_DEFINE_HEAP (due_heap, SchedConsDue, void, due_less)

static void
due_push (GArray *h, SchedJob *j)
{
  SchedConsDue v = { j->planned, j->seq, j };
  due_heap_push (h, NULL, v);
}

static void
due_pop (GArray *h)
{
  due_heap_pop (h, NULL);
}

/* The earliest live entry of the due heap, dropping stale ones; NULL if none. */
static const SchedConsDue *
due_top (GArray *h)
{
  while (h->len > 0)
    {
      const SchedConsDue *t = &g_array_index (h, SchedConsDue, 0);
      if (t->job->seq == t->seq && t->job->state == SCHED_JOB_PENDING
          && t->job->planned == t->planned)
        return t;
      due_pop (h);
    }
  return NULL;
}

/* Conservative backfilling, counting path.  The schedule (profile with every queued job's
 * reservation) is kept between passes.  It stays exact while jobs end exactly at their
 * limits and new jobs join the tail of the queue: then a pass starts the jobs whose
 * reservation comes due and places the new arrivals.  A job ending before its limit (or a
 * cancel, an out-of-order submission, a node change) frees planned capacity, and the
 * schedule is rebuilt from scratch in queue order, which compresses it.  Both give the
 * schedule a rebuild at every pass would give (the oracle tests compare them). */
static SchedTime
conservative_counting (SchedCore *core, SchedTime now, GArray *started)
{
  SchedJob *from = NULL;
  gboolean reuse = core->cons_valid && core->cons_profile != NULL && none_overdue (core, now);
  if (reuse)
    {
      sched__profile_advance (core->cons_profile, now);
      reuse = !sched__profile_is_stale (core->cons_profile);
    }
  if (reuse)
    {
      const SchedConsDue *d;
      while ((d = due_top (core->cons_due)) != NULL && d->planned <= now)
        {
          SchedJob *j = d->job;
          if (d->planned != now || j->cpus > core->free_cpus)
            {
              reuse = FALSE; /* a reservation was missed: rebuild */
              break;
            }
          due_pop (core->cons_due);
          sched__alloc_simple (core, j);
          sched__core_start (core, j, now, NULL, started);
        }
      /* the new arrivals are the unplaced jobs at the tail */
      from = core->qtail;
      while (from != NULL && !from->cons_placed)
        from = from->prev;
      from = from ? from->next : core->qhead;
    }
  for (;;)
    {
      if (!reuse)
        {
          g_clear_pointer (&core->cons_profile, sched__profile_free);
          /* a rebuild places the whole queue: most releases are needed */
          core->cons_profile = sched__profile_new_complete (core, now);
          g_array_set_size (core->cons_due, 0);
          from = core->qhead;
          sched__core_defer_push (core, TRUE);
        }
      SchedProfile *p = core->cons_profile;
      SchedJob *next;
      gboolean stale = FALSE;
      for (SchedJob *j = from; j != NULL; j = next)
        {
          next = j->next;
          SchedTime t = sched__profile_earliest (p, j, NULL);
          if (sched__profile_is_stale (p))
            {
              stale = TRUE; /* the kept schedule ends too soon: rebuild */
              break;
            }
          g_assert (t != SCHED_TIME_NEVER);
          j->cons_placed = TRUE;
          sched__profile_reserve (p, j, t, NULL);
          if (t == now)
            {
              sched__alloc_simple (core, j);
              sched__core_start (core, j, now, NULL, started);
              continue;
            }
          j->planned = t;
          due_push (core->cons_due, j);
        }
      if (!stale)
        break;
      g_assert (reuse);
      reuse = FALSE;
    }
  sched__profile_end_pass (core->cons_profile, 0);
  sched__core_defer_push (core, FALSE);
  sched__core_flush_deferred (core);
  g_assert_cmpint (sched__profile_free_now (core->cons_profile), ==, (gint64) core->free_cpus);
  core->cons_valid = none_overdue (core, now);
  core->easy_valid = FALSE;
  /* No pass is asked for at the next reservation: while the schedule holds, a job ends
   * exactly then (an event, hence a pass); if it ended earlier the schedule was rebuilt; if
   * it outlives its estimate, the reservation waits for the next event, as in every
   * event-driven scheduler (the pass then finds it missed and rebuilds). */
  return SCHED_TIME_NEVER;
}

SchedTime
sched__backfill_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now,
                      GArray *started)
{
  if (core->qhead == NULL)
    {
      /* nothing queued: a kept conservative schedule holds only running jobs, which
       * stays exact; the next arrival is placed in it */
      return SCHED_TIME_NEVER;
    }
  if (sched__core_pool_mode (core) && policy->order == SCHED_ORDER_SUBMIT
      && core->limits == NULL && (!policy->backfill || none_overdue (core, now)))
    {
      /* (the EASY and conservative fast paths visit running jobs in heap order, which is
       * their release order only while none has outlived its estimate) */
      if (!policy->backfill)
        return fcfs_counting (core, now, started);
      if (policy->reservation_depth == 1)
        return easy_counting (core, now, started);
      if (policy->reservation_depth == SCHED_DEPTH_UNLIMITED)
        return conservative_counting (core, now, started);
    }
  core->cons_valid = FALSE;
  return generic_pass (core, policy, now, started);
}
