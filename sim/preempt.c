/* SPDX-License-Identifier: MIT */
/* sim/preempt.c - preemption in the simulator: Slurm's preempt/partition_prio and
 * preempt/qos in their simple form, driven from outside the core through its public API
 * (semantics in sim/engine.h).
 *
 * After every scheduling pass, a round looks at the pending jobs the core holds back for
 * resources (reason Resources or Priority; a job held by a limit is not helped by
 * preemption), highest level first (the partition's PriorityTier, or the QOS priority),
 * then submit time, then id.  For each such job P:
 *  1. the jobs already signalled are as good as gone: if P fits on what is free plus their
 *     resources, less what the jobs before P in this round claimed, P claims its nodes and
 *     waits for them (no new preemption);
 *  2. else the candidates are the running jobs of a lower level, not signalled, not exempt
 *     (PreemptExemptTime), in a partition whose PreemptMode is not OFF, on a node of P's
 *     partition; ordered lowest level first, then most recently started (Slurm's order),
 *     then job id;
 *  3. if P does not fit even with every candidate gone, nothing happens; else candidates
 *     are taken in order until P fits, and then every one taken but the last is given back
 *     when P still fits without it, from the last taken backwards (Slurm's cons_tres does
 *     the same: a minimal set that prefers the youngest jobs);
 *  4. the chosen jobs are signalled: each ends at now + its partition's GraceTime (a job
 *     whose own end comes first just ends), and P claims its nodes.
 * At the end of its grace a killed job is requeued or cancelled (CANCELLED, recorded as
 * preempted).  A requeued job is ended in the core and kept out of it until the job it
 * made room for has started (so that, ahead of it in queue order, it cannot take the room
 * back and be preempted again, forever); it then goes back with its original submit time
 * and will run its whole run time again.  The pending job starts through the normal pass.
 * Everything is decided in a fixed order, so it is deterministic.
 *
 * Cost: a round is O(jobs in the system) when some pending job has a level above a running
 * one (otherwise it stops after one walk of the live list), plus O(candidates x nodes) per
 * pending job it tries.  Runs without preemption never get here: with preempt/none, or
 * when no partition tier (or QOS priority) differs, e->preempt is NULL or inactive. */
#include "sim/engine-private.h"

#include <string.h>

struct _SimPreempt {
  SimPreemptType  type;
  SimPreemptMode  mode;         /* global, resolved (never DEFAULT) */
  SchedTime       grace;        /* default grace time */
  SchedTime       exempt;
  guint32         n_parts;
  SimPreemptMode *part_mode;    /* as set (DEFAULT: the global one) */
  SchedTime      *part_grace;   /* as set (< 0: the default) */
  gboolean        active;       /* some job can ever preempt another */
  SchedTime       wake_at;      /* the pass queued for an exemption's end, or NEVER */
  /* scratch, reused across rounds */
  GArray         *pend;         /* Entry */
  GArray         *run;          /* Entry */
  GArray         *cands;        /* Entry */
  GArray         *gone;         /* SchedJobId: signalled, then + chosen */
  GArray         *held;         /* SchedAlloc claimed by pending jobs this round */
  GArray         *signalled;    /* Signalled: jobs signalled, and requeued ones held out */
};

/* A signalled job and the pending job it makes room for (each valid while its serial
 * matches).  A requeued job stays out of the core (`out`) until that job has started. */
typedef struct {
  SimJob  *job;
  guint64  serial;
  SimJob  *for_job;
  guint64  for_serial;
  gboolean out;
} Signalled;

typedef struct {
  SimJob   *job;
  guint32   level;
  gint32    part;
  SchedTime start;
  SchedTime submit;
  SchedJobId id;
} Entry;

/* ---- names ---- */

static const char *const type_names[] = { "none", "partition_prio", "qos" };
static const char *const mode_names[] = { "default", "off", "cancel", "requeue" };

gboolean
sim_preempt_type_from_name (const char *name, SimPreemptType *out)
{
  g_return_val_if_fail (name != NULL && out != NULL, FALSE);
  if (g_ascii_strncasecmp (name, "preempt/", 8) == 0)
    name += 8;
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_ascii_strcasecmp (name, type_names[i]) == 0)
      {
        *out = (SimPreemptType) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sim_preempt_type_name (SimPreemptType type)
{
  return (guint) type < G_N_ELEMENTS (type_names) ? type_names[type] : "?";
}

gboolean
sim_preempt_mode_from_string (const char *value, SimPreemptMode *out, gboolean *suspend)
{
  g_return_val_if_fail (value != NULL && out != NULL, FALSE);
  if (suspend)
    *suspend = FALSE;
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);
  gboolean have = FALSE;
  SimPreemptMode mode = SIM_PREEMPT_MODE_DEFAULT;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *w = g_strstrip (parts[i]);
      if (g_ascii_strcasecmp (w, "GANG") == 0 || g_ascii_strcasecmp (w, "WITHIN") == 0)
        continue;
      if (have)
        return FALSE;
      have = TRUE;
      if (g_ascii_strcasecmp (w, "OFF") == 0)
        mode = SIM_PREEMPT_MODE_OFF;
      else if (g_ascii_strcasecmp (w, "CANCEL") == 0)
        mode = SIM_PREEMPT_MODE_CANCEL;
      else if (g_ascii_strcasecmp (w, "REQUEUE") == 0)
        mode = SIM_PREEMPT_MODE_REQUEUE;
      else if (g_ascii_strcasecmp (w, "SUSPEND") == 0)
        {
          mode = SIM_PREEMPT_MODE_OFF;
          if (suspend)
            *suspend = TRUE;
        }
      else
        return FALSE;
    }
  if (!have)
    return FALSE;
  *out = mode;
  return TRUE;
}

const char *
sim_preempt_mode_name (SimPreemptMode mode)
{
  return (guint) mode < G_N_ELEMENTS (mode_names) ? mode_names[mode] : "?";
}

/* ---- setup ---- */

void
sim__preempt_init (SimEngine *e)
{
  SimPreempt *p = g_new0 (SimPreempt, 1);
  p->type = e->opts.preempt;
  p->n_parts = sched_cluster_n_partitions (e->cluster);
  p->part_mode = g_new0 (SimPreemptMode, p->n_parts);
  p->part_grace = g_new (SchedTime, p->n_parts);
  for (guint32 i = 0; i < p->n_parts; i++)
    p->part_grace[i] = -1;
  p->pend = g_array_new (FALSE, FALSE, sizeof (Entry));
  p->run = g_array_new (FALSE, FALSE, sizeof (Entry));
  p->cands = g_array_new (FALSE, FALSE, sizeof (Entry));
  p->gone = g_array_new (FALSE, FALSE, sizeof (SchedJobId));
  p->held = g_array_new (FALSE, FALSE, sizeof (SchedAlloc));
  g_array_set_clear_func (p->held, (GDestroyNotify) sched_alloc_clear);
  p->signalled = g_array_new (FALSE, FALSE, sizeof (Signalled));
  e->preempt = p;
}

void
sim__preempt_clear (SimEngine *e)
{
  SimPreempt *p = e->preempt;
  if (p == NULL)
    return;
  g_free (p->part_mode);
  g_free (p->part_grace);
  g_array_free (p->pend, TRUE);
  g_array_free (p->run, TRUE);
  g_array_free (p->cands, TRUE);
  g_array_free (p->gone, TRUE);
  g_array_free (p->held, TRUE);
  g_array_free (p->signalled, TRUE);
  g_free (p);
  e->preempt = NULL;
}

void
sim__preempt_set_partition (SimEngine *e, gint32 part, SimPreemptMode mode, SchedTime grace)
{
  SimPreempt *p = e->preempt;
  if (p == NULL)
    return;
  g_return_if_fail (part >= 0 && (guint32) part < p->n_parts);
  p->part_mode[part] = mode;
  p->part_grace[part] = grace;
}

static SimPreemptMode
mode_of (const SimPreempt *p, gint32 part)
{
  SimPreemptMode m = p->part_mode[part];
  return m == SIM_PREEMPT_MODE_DEFAULT ? p->mode : m;
}

static SchedTime
grace_of (const SimPreempt *p, gint32 part)
{
  return p->part_grace[part] >= 0 ? p->part_grace[part] : p->grace;
}

void
sim__preempt_prepare (SimEngine *e)
{
  SimPreempt *p = e->preempt;
  if (p == NULL)
    return;
  p->mode = e->opts.preempt_mode == SIM_PREEMPT_MODE_DEFAULT ? SIM_PREEMPT_MODE_REQUEUE
                                                            : e->opts.preempt_mode;
  p->grace = MAX (e->opts.preempt_grace, 0);
  p->exempt = MAX (e->opts.preempt_exempt, 0);
  /* active when some job could preempt another: levels that differ and a partition whose
   * jobs may be preempted */
  gboolean preemptable = FALSE;
  for (guint32 i = 0; i < p->n_parts; i++)
    if (mode_of (p, (gint32) i) != SIM_PREEMPT_MODE_OFF)
      preemptable = TRUE;
  gboolean levels = FALSE;
  if (p->type == SIM_PREEMPT_PARTITION_PRIO)
    {
      for (guint32 i = 1; i < p->n_parts; i++)
        if (sched_cluster_partition (e->cluster, (gint32) i)->priority_tier
            != sched_cluster_partition (e->cluster, 0)->priority_tier)
          levels = TRUE;
    }
  else if (p->type == SIM_PREEMPT_QOS)
    {
      const SchedLimits *l = sched_core_get_limits (e->core);
      guint n = l ? sched_limits_n_qos (l) : 0;
      for (guint i = 1; i <= n; i++)
        if (sched_limits_get_qos (l, i)->priority != 0)
          levels = TRUE;   /* (a job without QOS is at level 0) */
    }
  p->active = preemptable && levels;
  p->wake_at = SCHED_TIME_NEVER;
}

/* ---- the round ---- */

static guint32
level_of (const SimEngine *e, const SchedJobInfo *info)
{
  if (e->preempt->type == SIM_PREEMPT_PARTITION_PRIO)
    return sched_cluster_partition (e->cluster, info->partition)->priority_tier;
  const SchedLimits *l = sched_core_get_limits (e->core);
  const SchedQosLimits *q = l && info->qos != SCHED_QOS_DEFAULT
                              ? sched_limits_get_qos (l, info->qos) : NULL;
  return q ? q->priority : 0;
}

/* Pending: highest level first, then submit time, then id. */
static int
pend_cmp (gconstpointer pa, gconstpointer pb)
{
  const Entry *a = pa, *b = pb;
  if (a->level != b->level)
    return a->level > b->level ? -1 : 1;
  if (a->submit != b->submit)
    return a->submit < b->submit ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Candidates: lowest level first, then the most recently started, then id. */
static int
cand_cmp (gconstpointer pa, gconstpointer pb)
{
  const Entry *a = pa, *b = pb;
  if (a->level != b->level)
    return a->level < b->level ? -1 : 1;
  if (a->start != b->start)
    return a->start > b->start ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

static int
id_cmp (gconstpointer pa, gconstpointer pb)
{
  SchedJobId a = *(const SchedJobId *) pa, b = *(const SchedJobId *) pb;
  return (a > b) - (a < b);
}

/* TRUE if running job `r` has a node of partition `part`. */
static gboolean
touches (const SimEngine *e, SchedJobId r, gint32 part)
{
  SchedJobInfo info;
  if (!sched_core_job_info (e->core, r, &info) || info.alloc == NULL)
    return FALSE;
  const SchedPartitionSpec *ps = sched_cluster_partition (e->cluster, part);
  for (guint32 k = 0; k < info.alloc->n_nodes; k++)
    {
      guint32 node = info.alloc->nodes[k].node;
      /* ps->nodes is increasing */
      guint32 lo = 0, hi = ps->n_nodes;
      while (lo < hi)
        {
          guint32 mid = lo + (hi - lo) / 2;
          if (ps->nodes[mid] < node)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < ps->n_nodes && ps->nodes[lo] == node)
        return TRUE;
    }
  return FALSE;
}

static gboolean
fits (SimEngine *e, const Entry *pj, GArray *gone, SchedAlloc *alloc)
{
  SimPreempt *p = e->preempt;
  return sched_core_fits_if_freed (e->core, pj->id, (const SchedJobId *) gone->data,
                                   gone->len, (const SchedAlloc *) p->held->data,
                                   p->held->len, alloc);
}

/* Signals running job `sj` (of partition `part`) at `now`, for pending job `for_job`. */
static void
signal_job (SimEngine *e, SimJob *sj, gint32 part, SimJob *for_job, SchedTime now)
{
  SimPreempt *p = e->preempt;
  Signalled sg = { sj, sj->serial, for_job, for_job->serial, FALSE };
  g_array_append_val (p->signalled, sg);
  SchedTime limit = sj->w.spec.time_limit, run = sj->w.runtime;
  SchedTime natural = sj->start + (run > limit ? limit : run);
  SchedTime kill = now + grace_of (p, part);
  if (natural <= kill)
    {
      sj->preempt = SIM_PREEMPT_SIGNALLED;   /* its own end comes first */
      return;
    }
  sj->preempt = SIM_PREEMPT_KILLED;
  sj->end_seq = sim__push (e, kill, EV_COMPLETION, sj);   /* the old event goes stale */
  e->stats.preemptions++;
}

/* Tries to make room for pending job `pj`; claims its nodes in p->held when it fits
 * (now or once the signalled jobs are gone). */
static void
try_job (SimEngine *e, const Entry *pj, SchedTime now)
{
  SimPreempt *p = e->preempt;
  SchedAlloc alloc = { 0 };
  guint base = p->gone->len;
  if (fits (e, pj, p->gone, &alloc))
    {
      g_array_append_val (p->held, alloc);
      return;
    }
  g_array_set_size (p->cands, 0);
  for (guint i = 0; i < p->run->len; i++)
    {
      const Entry *r = &g_array_index (p->run, Entry, i);
      if (r->level < pj->level && r->job->preempt == SIM_PREEMPT_RUNNING
          && touches (e, r->id, pj->part))
        g_array_append_val (p->cands, *r);
    }
  if (p->cands->len == 0)
    return;
  g_array_sort (p->cands, cand_cmp);
  for (guint i = 0; i < p->cands->len; i++)
    g_array_append_val (p->gone, g_array_index (p->cands, Entry, i).id);
  gboolean ok = fits (e, pj, p->gone, NULL);
  g_array_set_size (p->gone, base);
  if (!ok)
    return;
  /* take candidates in order until it fits */
  guint taken = 0;
  while (taken < p->cands->len)
    {
      g_array_append_val (p->gone, g_array_index (p->cands, Entry, taken).id);
      taken++;
      if (fits (e, pj, p->gone, NULL))
        break;
    }
  /* give back what is not needed, from the last taken backwards (the last one is needed:
   * freeing less never fits better) */
  for (gint i = (gint) taken - 2; i >= 0; i--)
    {
      guint at = base + (guint) i;
      SchedJobId id = g_array_index (p->gone, SchedJobId, at);
      g_array_remove_index (p->gone, at);
      if (!fits (e, pj, p->gone, NULL))
        g_array_insert_val (p->gone, at, id);
    }
  gboolean got = fits (e, pj, p->gone, &alloc);
  g_assert (got);
  g_array_append_val (p->held, alloc);
  for (guint i = base; i < p->gone->len; i++)
    {
      SchedJobId id = g_array_index (p->gone, SchedJobId, i);
      for (guint k = 0; k < p->cands->len; k++)
        {
          const Entry *c = &g_array_index (p->cands, Entry, k);
          if (c->id == id)
            signal_job (e, c->job, c->part, pj->job, now);
        }
    }
}

/* Puts back in the core the requeued jobs whose pending job has started (or left);
 * queues a pass at `now` for them. */
static void
release_held_out (SimEngine *e, SchedTime now)
{
  SimPreempt *p = e->preempt;
  gboolean any = FALSE;
  for (guint i = 0; i < p->signalled->len;)
    {
      Signalled *sg = &g_array_index (p->signalled, Signalled, i);
      if (!sg->out || (sg->for_job->serial == sg->for_serial
                       && sg->for_job->start == SCHED_TIME_NEVER))
        {
          i++;
          continue;
        }
      SimJob *sj = sg->job;
      g_array_remove_index (p->signalled, i);   /* (keeps the order) */
      SchedReason why;
      gboolean ok = sched_core_submit_tagged (e->core, now, &sj->w.spec, sj, &why);
      g_assert (ok);   /* the core took it before */
      any = TRUE;
    }
  if (any)
    sim__push (e, now, EV_PASS, NULL);
}

void
sim__preempt_round (SimEngine *e, SchedTime now)
{
  SimPreempt *p = e->preempt;
  if (!p->active)
    return;
  if (p->signalled->len > 0)
    release_held_out (e, now);
  g_array_set_size (p->pend, 0);
  g_array_set_size (p->run, 0);
  g_array_set_size (p->gone, 0);
  guint32 top_pending = 0, low_running = G_MAXUINT32, low_exempt = G_MAXUINT32;
  SchedTime exempt_end = SCHED_TIME_NEVER;
  for (SimJob *sj = e->live; sj != NULL; sj = sj->next)
    {
      if (!sj->in_core)
        continue;
      SchedJobInfo info;
      if (!sched_core_job_info (e->core, sj->w.spec.id, &info))
        continue;
      Entry en = { sj, level_of (e, &info), info.partition, info.start, info.submit,
                   sj->w.spec.id };
      if (info.state == SCHED_JOB_PENDING)
        {
          if (info.reason != SCHED_REASON_RESOURCES && info.reason != SCHED_REASON_PRIORITY)
            continue;
          g_array_append_val (p->pend, en);
          top_pending = MAX (top_pending, en.level);
        }
      else if (sj->preempt != SIM_PREEMPT_RUNNING)
        g_array_append_val (p->gone, en.id);
      else if (mode_of (p, en.part) == SIM_PREEMPT_MODE_OFF)
        continue;
      else if (now - info.start >= p->exempt)
        {
          g_array_append_val (p->run, en);
          low_running = MIN (low_running, en.level);
        }
      else
        {
          low_exempt = MIN (low_exempt, en.level);
          exempt_end = MIN (exempt_end, info.start + p->exempt);
        }
    }
  /* no event may come when an exemption ends: a pass of its own then */
  if (top_pending > low_exempt && (p->wake_at <= now || exempt_end < p->wake_at))
    {
      p->wake_at = exempt_end;
      sim__push (e, exempt_end, EV_PASS, NULL);
    }
  if (p->pend->len == 0 || low_running == G_MAXUINT32 || top_pending <= low_running)
    return;
  g_array_sort (p->pend, pend_cmp);
  g_array_sort (p->gone, id_cmp);   /* (any fixed order: the set is what counts) */
  for (guint i = 0; i < p->pend->len; i++)
    {
      const Entry *pj = &g_array_index (p->pend, Entry, i);
      if (pj->level <= low_running)
        break;   /* sorted: no lower job to preempt for the rest */
      try_job (e, pj, now);
    }
  g_array_set_size (p->held, 0);
}

gboolean
sim__preempt_ended (SimEngine *e, SimJob *sj)
{
  SimPreempt *p = e->preempt;
  SimPreemptState st = sj->preempt;
  sj->preempt = SIM_PREEMPT_RUNNING;
  Signalled *sg = NULL;
  guint at = 0;
  for (; at < p->signalled->len; at++)
    {
      sg = &g_array_index (p->signalled, Signalled, at);
      if (sg->job == sj && sg->serial == sj->serial)
        break;
    }
  g_assert (at < p->signalled->len);
  if (st != SIM_PREEMPT_KILLED)
    {
      g_array_remove_index (p->signalled, at);
      return FALSE;   /* it ended on its own within the grace time */
    }
  gint32 part = sj->w.spec.partition >= 0 ? sj->w.spec.partition
                                          : sched_cluster_default_partition (e->cluster);
  if (mode_of (p, part) == SIM_PREEMPT_MODE_REQUEUE)
    {
      /* out of the core (but in_core for the eligibility layer: it was let in) until the
       * job it made room for has started, so that it cannot take the room back */
      if (e->track)
        sim__elig_requeued (e, sj);
      sj->start = SCHED_TIME_NEVER;
      sj->requeues++;
      sj->cpus = sj->gpus = sj->nodes = 0;
      sj->reason = SCHED_REASON_PRIORITY;
      sg->out = TRUE;
      e->stats.requeued++;
      return TRUE;
    }
  g_array_remove_index (p->signalled, at);
  sj->end_state = SCHED_JOB_CANCELLED;
  sj->preempted = TRUE;
  e->stats.preempt_cancelled++;
  return FALSE;
}
