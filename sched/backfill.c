/* SPDX-License-Identifier: MIT */
/* sched/backfill.c - the backfill engine: fcfs, EASY and conservative as one algorithm with
 * a reservation depth.
 *
 * Algorithm (generic engine).  Build the availability profile from the running jobs (each
 * holds its resources until start + time limit).  Walk the pending queue in order.  For each
 * job find the earliest time it fits for its whole time limit.  If that is now, start it and
 * hold its resources in the profile.  Otherwise, while fewer than `depth` jobs hold a
 * reservation, reserve it at that time in the profile; with depth 0 (fcfs) stop at the first
 * job that cannot start.  Jobs behind the reservations may start now only where they delay
 * no reservation, because the reservations are in the profile they are checked against.
 *   depth 0        fcfs: strict order, no backfill;
 *   depth 1        EASY (Lifka 1995; Mu'alem & Feitelson, IEEE TPDS 12(6) 2001): only the
 *                  first blocked job is protected;
 *   depth infinite conservative (same paper): every queued job holds a reservation, and the
 *                  schedule is rebuilt in queue order at every pass, which compresses it
 *                  when jobs end before their limits.
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
 * is exactly what the profile gives at depth 1, and the oracle tests check both agree. */
#include "sched/core-private.h"

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

/* Auxiliary heap over running-heap indices, to visit running jobs in end order. */
static inline gboolean
aux_less (const SchedCore *core, guint32 a, guint32 b)
{
  return sched__job_ends_before (core->running->pdata[a], core->running->pdata[b]);
}

static void
aux_push (SchedCore *core, GArray *h, guint32 v)
{
  g_array_append_val (h, v);
  guint32 *d = (guint32 *) h->data;
  guint i = h->len - 1;
  while (i > 0 && aux_less (core, v, d[(i - 1) / 2]))
    {
      d[i] = d[(i - 1) / 2];
      i = (i - 1) / 2;
    }
  d[i] = v;
}

static guint32
aux_pop (SchedCore *core, GArray *h)
{
  guint32 *d = (guint32 *) h->data;
  guint32 top = d[0], v = d[h->len - 1];
  guint n = h->len - 1, i = 0;
  g_array_set_size (h, n);
  d = (guint32 *) h->data;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      guint32 best = v;
      if (l < n && aux_less (core, d[l], best))
        m = l, best = d[l];
      if (r < n && aux_less (core, d[r], best))
        m = r, best = d[r];
      if (m == i)
        break;
      d[i] = best;
      i = m;
    }
  if (n > 0)
    d[i] = v;
  return top;
}

/* Shadow time and extra CPUs for a head job needing `need` CPUs (pool mode). */
static SchedTime
shadow_time (SchedCore *core, SchedTime now, guint64 need, guint64 *extra)
{
  GArray *h = core->scratch_cand;
  g_array_set_size (h, 0);
  guint64 avail = core->free_cpus;
  SchedTime shadow = SCHED_TIME_NEVER;
  if (core->running->len > 0)
    aux_push (core, h, 0);
  while (h->len > 0)
    {
      guint32 i = aux_pop (core, h);
      const SchedJob *r = core->running->pdata[i];
      SchedTime t = sched__release_time (r, now);
      if (shadow != SCHED_TIME_NEVER && t != shadow)
        break;
      avail += r->alloc.cpus;
      if (shadow == SCHED_TIME_NEVER && avail >= need)
        shadow = t;
      guint32 l = 2 * i + 1;
      if (l < core->running->len)
        aux_push (core, h, l);
      if (l + 1 < core->running->len)
        aux_push (core, h, l + 1);
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
      gboolean ends_in_time = now + j->spec.time_limit <= shadow;
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

static SchedTime
generic_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now, GArray *started)
{
  gboolean counting = sched__core_pool_mode (core) || (core->force_generic
                                                        && core->n_nonsimple == 0
                                                        && core->pool_part);
  SchedProfile *p = sched__profile_new (core, now, counting);
  guint32 reserved = 0;
  core->easy_valid = FALSE;
  SchedJob *next;
  for (SchedJob *j = core->qhead; j != NULL; j = next)
    {
      next = j->next;
      if (reserved >= policy->reservation_depth && core->free_cpus == 0)
        break;
      SchedAlloc a = { 0 };
      SchedTime t = sched__profile_earliest (p, j, &a);
      if (t == now)
        {
          if (counting)
            {
              sched__alloc_simple (core, j);
              sched__profile_reserve (p, j, now, &j->alloc);
              sched__core_start (core, j, now, NULL, started);
            }
          else
            {
              sched__profile_reserve (p, j, now, &a);
              sched__core_start (core, j, now, &a, started);
            }
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
  return SCHED_TIME_NEVER;
}

SchedTime
sched__backfill_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now,
                      GArray *started)
{
  if (core->qhead == NULL)
    return SCHED_TIME_NEVER;
  if (sched__core_pool_mode (core))
    {
      if (!policy->backfill)
        return fcfs_counting (core, now, started);
      if (policy->reservation_depth == 1)
        return easy_counting (core, now, started);
    }
  return generic_pass (core, policy, now, started);
}
