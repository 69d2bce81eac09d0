/* SPDX-License-Identifier: MIT */
/* sched/policy-slurm.c - Slurm's scheduling as a policy: the main scheduler at every pass
 * and the sched/backfill plugin on its own timer, with Slurm 22.05's parameters.
 *
 * Algorithm (after slurmctld's job_scheduler.c and plugins/sched/backfill/backfill.c):
 *  - Main scheduler, at every pass: the queue in order (priority: submit order for now),
 *    each job started if it fits now, stopping at the first that does not (one partition:
 *    strict order), testing at most default_queue_depth + 1 jobs.  It knows nothing of
 *    backfill reservations.
 *  - Backfill, on a timer ticking every bf_interval seconds from the first pass, at the
 *    ticks where something changed since its last pass (a submission, start, end, cancel
 *    or node change: Slurm's _more_work); the core asks the driver for a pass at the next
 *    tick only then.  It builds a fresh profile from the
 *    running jobs (planned until their limits); the queue in order, at most bf_max_job_test
 *    jobs (bf_max_job_user per user); each job's earliest start in the profile; a job that
 *    can start now starts and holds its resources in the profile; one that can start within
 *    bf_window gets a reservation there, which later jobs must not delay (Slurm reserves for
 *    every job it tests: conservative within the window); beyond the window, none.
 *  - bf_resolution: Slurm's backfill map rounds a reservation's end down to a multiple of
 *    bf_resolution (at least one step after its rounded start).  Here the end is rounded so,
 *    and the reservation is never held before the earliest start nor past the job's plan,
 *    so a coarse resolution lets later jobs start into the tail of a reservation as in
 *    Slurm.  bf_continue and sched_interval are accepted: a simulated pass never yields its
 *    locks, and event passes already run the main scheduler more often than its timer.
 * What is not modeled: the coarse doubling windows of Slurm's will-run test and whole-node
 * reservations on shared nodes (this profile is per CPU, exact).
 * Worked example (10 CPUs, bf_interval 30): A (10 CPUs) runs [0, 100).  B (4 CPUs, 100 s)
 * and C (2 CPUs, 20 s) arrive at 5.  The main scheduler stops at B.  At the tick t = 30
 * backfill reserves B at 100; C would end at 50 <= 100 but no CPU is free: it waits.  At
 * 100 A ends: the main scheduler starts B and C (they fit), with no need for a tick. */
#include "sched/core-private.h"

static void
backfill (SchedCore *core, const SchedPolicy *policy, SchedTime now, GArray *started)
{
  const SchedSlurmParams *sp = &policy->slurm;
  gboolean counting = sched__core_pool_mode (core);
  SchedProfile *p = sched__profile_new (core, now, counting);
  sched__core_defer_push (core, TRUE);
  GPtrArray *queue = core->scratch_order;
  sched__order_queue (core, policy->order, now, queue);
  g_autoptr (GHashTable) per_user = sp->bf_max_job_user > 0
                                        ? g_hash_table_new (g_direct_hash, g_direct_equal)
                                        : NULL;
  guint32 tested = 0;
  for (guint qi = 0; qi < queue->len && tested < sp->bf_max_job_test; qi++)
    {
      SchedJob *j = queue->pdata[qi];
      if (sched__limits_skip (core, j))
        continue;   /* held by a limit: not tested, no reservation */
      if (per_user)
        {
          gpointer key = GUINT_TO_POINTER (j->spec.user);
          guint n = GPOINTER_TO_UINT (g_hash_table_lookup (per_user, key));
          if (n >= sp->bf_max_job_user)
            continue;
          g_hash_table_insert (per_user, key, GUINT_TO_POINTER (n + 1));
        }
      tested++;
      SchedAlloc a = { 0 };
      SchedTime t = sched__profile_earliest_by (p, j, &a, now + sp->bf_window);
      if (t == now)
        {
          sched__start_in_profile (core, p, j, now, counting, &a, started);
          continue;
        }
      j->planned = SCHED_TIME_NEVER;
      if (t != SCHED_TIME_NEVER)
        {
          SchedTime res = sp->bf_resolution;
          SchedTime s = t / res * res, e = (t + j->plan) / res * res;
          if (e < s + res)
            e = s + res;
          SchedTime dur = CLAMP (e - t, 1, j->plan);
          sched__profile_reserve_for (p, j, t, dur, &a);
          j->planned = t;
        }
      sched_alloc_clear (&a);
    }
  sched__profile_free (p);
  sched__core_defer_push (core, FALSE);
  sched__core_flush_deferred (core);
}

SchedTime
sched__slurm_pass (SchedCore *core, const SchedPolicy *policy, SchedTime now, GArray *started)
{
  const SchedSlurmParams *sp = &policy->slurm;
  core->easy_valid = core->cons_valid = FALSE;
  if (core->bf_origin == SCHED_TIME_NEVER)
    core->bf_origin = now;

  /* main scheduler */
  GPtrArray *queue = core->scratch_order;
  sched__order_queue (core, policy->order, now, queue);
  for (guint qi = 0; qi < queue->len && qi <= sp->default_queue_depth; qi++)
    {
      SchedJob *j = queue->pdata[qi];
      if (sched__limits_skip (core, j))
        continue;   /* held by a limit: Slurm's main scheduler goes on to the next job */
      if (!sched__try_start_now (core, j, now, started))
        break;
    }

  /* backfill, on its timer, when something changed since its last pass (Slurm's
   * _more_work): with nothing new it would decide the same */
  SchedTime since = now - core->bf_origin;
  gboolean work = core->changes != core->bf_changes;
  if (since > 0 && since % sp->bf_interval == 0 && core->n_pending > 0 && work)
    {
      backfill (core, policy, now, started);
      core->bf_changes = core->changes;
      work = FALSE;
    }
  if (core->n_pending == 0 || !work)
    return SCHED_TIME_NEVER;
  return core->bf_origin + (since / sp->bf_interval + 1) * sp->bf_interval;
}
