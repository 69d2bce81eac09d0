/* SPDX-License-Identifier: MIT */
/* sim/engine.c - the discrete-event replay loop (see sim/engine.h for the semantics).
 *
 * The event heap holds at most one arrival (the next trace record), one completion per
 * running job and the core's next requested pass, so it stays small; the eligibility layer
 * (elig.c) adds the arrivals of think-time chains and the wake-ups of begin times and
 * "after+delay" dependencies.  Job data the core must not see (actual runtime, the trace's
 * end state) lives here in SimJob, found by id when the core starts a job and by pointer
 * when its completion fires. */
#include "sim/engine-private.h"
#include "sched/heap.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (sim-error-quark, sim_error)

typedef SimEvent Event;
typedef SimEvKind EvKind;

void
sim_options_init (SimOptions *opts)
{
  memset (opts, 0, sizeof *opts);
}

SimEngine *
sim_engine_new (const SchedCluster *cluster, const SchedPolicy *policy, const SimOptions *opts)
{
  g_return_val_if_fail (cluster != NULL && policy != NULL, NULL);
  SimEngine *e = g_new0 (SimEngine, 1);
  e->cluster = cluster;
  e->policy = *policy;
  if (opts)
    e->opts = *opts;
  else
    sim_options_init (&e->opts);
  e->core = sched_core_new (cluster, policy);
  e->heap = g_array_sized_new (FALSE, FALSE, sizeof (Event), 1024);
  e->started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  e->pass_at = SCHED_TIME_NEVER;
  e->history = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  if (e->opts.pass_period <= 0)
    e->opts.pass_period = 30;
  if (e->opts.estimate == SIM_ESTIMATE_FACTOR && !(e->opts.estimate_factor > 0))
    e->opts.estimate_factor = 1.0;
  const SchedPartitionSpec *p = sched_cluster_partition (cluster,
                                                         sched_cluster_default_partition (cluster));
  for (guint32 i = 0; i < p->n_nodes; i++)
    e->part_cpus += sched_cluster_node (cluster, p->nodes[i])->cpus;
  sim__elig_init (e);
  if (e->opts.preempt != SIM_PREEMPT_NONE)
    sim__preempt_init (e);
  return e;
}

void
sim_engine_free (SimEngine *e)
{
  if (e == NULL)
    return;
  for (SimJob *sj = e->live; sj != NULL; sj = sj->next)
    if (e->track)
      sim__elig_forget (e, sj);
  sim__elig_clear (e);
  sim__preempt_clear (e);
  sched_core_free (e->core);
  g_array_free (e->heap, TRUE);
  for (SimJob *sj = e->live, *n; sj != NULL; sj = n)
    n = sj->next, g_free (sj);
  for (SimJob *sj = e->spare, *n; sj != NULL; sj = n)
    n = sj->next, g_free (sj);
  g_array_free (e->started, TRUE);
  g_hash_table_destroy (e->history);
  g_free (e);
}

const SimStats *
sim_engine_get_stats (const SimEngine *e)
{
  return &e->stats;
}

void
sim_engine_set_priority (SimEngine *e, SchedPriority *priority)
{
  sched_core_set_priority (e->core, priority);
}

void
sim_engine_set_limits (SimEngine *e, SchedLimits *limits)
{
  sched_core_set_limits (e->core, limits);
}

void
sim_engine_set_partition_preempt (SimEngine *e, gint32 part, SimPreemptMode mode,
                                  SchedTime grace)
{
  g_return_if_fail (e != NULL);
  sim__preempt_set_partition (e, part, mode, grace);
}

SchedCore *
sim_engine_get_core (SimEngine *e)
{
  return e->core;
}

/* ---- event heap ---- */

static inline gboolean
ev_less (const void *ctx, const Event *a, const Event *b)
{
  (void) ctx;
  if (a->time != b->time)
    return a->time < b->time;
  if (a->cls != b->cls)
    return a->cls < b->cls;
  return a->seq < b->seq;
}

SCHED_DEFINE_HEAP (ev_heap, Event, void, ev_less)

static guint64
heap_push (SimEngine *e, SchedTime time, EvKind kind, SimJob *job)
{
  guint32 cls;
  if (kind == EV_PASS || kind == EV_WAKE)
    cls = 2;
  else if (kind == EV_COMPLETION)
    cls = e->opts.tie_order == SIM_TIE_COMPLETIONS_FIRST ? 0 : 1;
  else
    cls = e->opts.tie_order == SIM_TIE_COMPLETIONS_FIRST ? 1 : 0;
  Event ev = { time, cls, kind, e->seq++, job };
  ev_heap_push (e->heap, NULL, ev);
  return ev.seq;
}

guint64
sim__push (SimEngine *e, SchedTime time, SimEvKind kind, SimJob *job)
{
  return heap_push (e, time, kind, job);
}

/* TRUE for a completion that no longer holds: its job was preempted (a new completion at
 * the end of the grace time replaced it) and may even be gone. */
static inline gboolean
is_stale (const Event *ev)
{
  return ev->kind == EV_COMPLETION && ev->job->end_seq != ev->seq;
}

static Event
heap_pop (SimEngine *e)
{
  Event top = *ev_heap_top (e->heap);
  ev_heap_pop (e->heap, NULL);
  return top;
}

/* ---- job flow ---- */

typedef struct {
  SchedTime last[2];   /* the user's two most recent finished run times */
  guint     n;
} UserHistory;

/* Sets the estimate the core will plan with, by the engine's estimate mode. */
static void
set_estimate (SimEngine *e, WlJob *w)
{
  switch (e->opts.estimate)
    {
    case SIM_ESTIMATE_REQUESTED:
      break;
    case SIM_ESTIMATE_PERFECT:
      w->spec.estimate = MAX (w->runtime, 1);
      break;
    case SIM_ESTIMATE_FACTOR:
      {
        double v = ceil ((double) w->runtime * e->opts.estimate_factor);
        w->spec.estimate = v >= (double) G_MAXINT32 ? G_MAXINT32 : MAX ((SchedTime) v, 1);
        break;
      }
    case SIM_ESTIMATE_USER_HISTORY:
      {
        const UserHistory *h = g_hash_table_lookup (e->history, GUINT_TO_POINTER (w->spec.user));
        w->spec.estimate = h && h->n >= 2 ? MAX ((h->last[0] + h->last[1] + 1) / 2, 1) : 0;
        break;
      }
    }
}

static void
note_history (SimEngine *e, const SimJob *sj, SchedTime run)
{
  if (e->opts.estimate != SIM_ESTIMATE_USER_HISTORY)
    return;
  gpointer key = GUINT_TO_POINTER (sj->w.spec.user);
  UserHistory *h = g_hash_table_lookup (e->history, key);
  if (h == NULL)
    {
      h = g_new0 (UserHistory, 1);
      g_hash_table_insert (e->history, key, h);
    }
  h->last[1] = h->last[0];
  h->last[0] = run;
  if (h->n < 2)
    h->n++;
}

static SimJob *
live_add (SimEngine *e, const WlJob *w)
{
  SimJob *sj = e->spare;
  if (sj)
    e->spare = sj->next;
  else
    sj = g_new (SimJob, 1);
  memset (sj, 0, sizeof *sj);
  sj->w = *w;
  sj->start = SCHED_TIME_NEVER;
  sj->end_seq = G_MAXUINT64;
  sj->serial = e->n_read++;
  sj->next = e->live;
  if (e->live)
    e->live->prev = sj;
  e->live = sj;
  e->n_live++;
  return sj;
}

static void
live_remove (SimEngine *e, SimJob *sj)
{
  if (G_UNLIKELY (e->track))
    sim__elig_forget (e, sj);
  sj->serial = G_MAXUINT64;
  if (sj->prev)
    sj->prev->next = sj->next;
  else
    e->live = sj->next;
  if (sj->next)
    sj->next->prev = sj->prev;
  e->n_live--;
  sj->next = e->spare;
  e->spare = sj;
}

static void
emit (const SimJob *sj, SchedTime end, SchedJobState state, SimRecordFunc func,
      gpointer data)
{
  SchedJobRecord rec = {
    .id = sj->w.spec.id, .user = sj->w.spec.user, .group = sj->w.spec.group,
    .submit = sj->w.spec.submit, .start = sj->start, .end = end, .state = state,
    .cpus = sj->cpus, .gpus = sj->gpus, .nodes = sj->nodes,
    .time_limit = sj->w.spec.time_limit,
    .runtime = sj->start == SCHED_TIME_NEVER ? 0 : end - sj->start,
    .requeues = sj->requeues, .preempted = sj->preempted,
  };
  if (func)
    func (&rec, data);
}

/* Reads the next record the simulator keeps and queues its arrival.  Returns FALSE on a
 * reader error. */
static gboolean
read_next_arrival (SimEngine *e, WlReader *reader, SchedTime clock, GError **error)
{
  WlCounts *counts = wl_reader_get_counts_mutable (reader);
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      if (!wl_reader_next (reader, &w, &eof, error))
        return FALSE;
      if (eof)
        return TRUE;
      guint64 cpus = sched_job_spec_cpus (&w.spec);
      if (cpus > e->part_cpus && sched_job_spec_is_simple (&w.spec))
        {
          if (e->opts.oversize == SIM_OVERSIZE_SKIP)
            {
              counts->skipped[WL_SKIP_TOO_LARGE]++;
              counts->kept--;
              continue;
            }
          w.spec.tasks = (guint32) (e->part_cpus / w.spec.cpus_per_task);
          counts->adjusted[WL_ADJ_CLIPPED]++;
        }
      if (G_UNLIKELY (!e->track && w.extra != NULL))
        sim__elig_track_on (e);   /* request fields beyond the spec: dependencies, ... */
      if (sched_core_has_job (e->core, w.spec.id)
          || (e->pending_arrival != NULL && e->pending_arrival->w.spec.id == w.spec.id)
          || (e->track && g_hash_table_contains (e->by_id, GUINT_TO_POINTER (w.spec.id))))
        {
          counts->skipped[WL_SKIP_DUPLICATE_ID]++;
          counts->kept--;
          continue;
        }
      SimJob *sj = live_add (e, &w);
      if (e->track && sim__elig_read (e, sj, clock) != SIM_READ_NORMAL)
        {
          if (e->stats.first_submit == SCHED_TIME_NEVER)
            e->stats.first_submit = sj->w.spec.submit;
          continue;   /* not the next arrival of the trace: read on */
        }
      if (sj->w.spec.submit < clock)
        {
          sj->w.spec.submit = clock;
          counts->adjusted[WL_ADJ_SUBMIT_REORDERED]++;
        }
      w.spec.submit = sj->w.spec.submit;
      e->pending_arrival = sj;
      heap_push (e, w.spec.submit, EV_ARRIVAL, sj);
      if (e->stats.first_submit == SCHED_TIME_NEVER)
        e->stats.first_submit = w.spec.submit;
      return TRUE;
    }
}

static int
simjob_cmp (gconstpointer pa, gconstpointer pb)
{
  const SimJob *a = *(SimJob *const *) pa, *b = *(SimJob *const *) pb;
  if (a->w.spec.submit != b->w.spec.submit)
    return a->w.spec.submit < b->w.spec.submit ? -1 : 1;
  return (a->w.spec.id > b->w.spec.id) - (a->w.spec.id < b->w.spec.id);
}

static inline gboolean
enter_core (SimEngine *e, SimJob *sj, SchedTime now)
{
  SchedReason why;
  if (G_LIKELY (sched_core_submit_tagged (e->core, now, &sj->w.spec, sj, &why)))
    {
      sj->in_core = TRUE;
      if (G_UNLIKELY (e->preempt != NULL))
        sim__preempt_entered (e, sj);   /* (counts per preemption class) */
      if (G_UNLIKELY (e->track))
        {
          sj->reason = SCHED_REASON_NONE;
          if (sj->array != NULL)
            sim__array_entered (sj);
        }
      return TRUE;
    }
  e->counts->skipped[WL_SKIP_REJECTED]++;
  e->counts->kept--;
  if (e->track)
    sim__elig_left (e, sj, now, FALSE);
  live_remove (e, sj);
  return FALSE;
}

/* Submits `sj`: see engine-private.h. */
gboolean
sim__enter_core (SimEngine *e, SimJob *sj, SchedTime now)
{
  return enter_core (e, sj, now);
}

static void
run_pass (SimEngine *e, SchedTime now)
{
  if (G_UNLIKELY (e->ready->len > 0))
    sim__elig_flush (e, now);
  g_array_set_size (e->started, 0);
  SchedTime want = sched_core_pass (e->core, now, e->started);
  e->stats.passes++;
  for (guint i = 0; i < e->started->len; i++)
    {
      const SchedStart *st = &g_array_index (e->started, SchedStart, i);
      SimJob *sj = st->tag;
      g_assert (sj != NULL && sj->w.spec.id == st->id);
      sj->start = now;
      if (G_UNLIKELY (sj->group != NULL || sj->waiters != NULL))
        sim__elig_started (e, sj, now);
      sj->cpus = st->alloc->cpus;
      sj->gpus = st->alloc->gpus;
      sj->nodes = st->alloc->n_nodes;
      SchedTime limit = sj->w.spec.time_limit;
      SchedTime run = sj->w.runtime;
      SchedTime end;
      if (run > limit)
        {
          end = now + limit;
          sj->end_state = SCHED_JOB_TIMEOUT;
        }
      else
        {
          end = now + run;
          sj->end_state = sj->w.end_state;
        }
      sj->end_seq = heap_push (e, end, EV_COMPLETION, sj);
    }
  if (G_UNLIKELY (e->preempt != NULL))
    sim__preempt_round (e, now);
  guint64 running = sched_core_n_running (e->core);
  if (running > e->stats.peak_running)
    e->stats.peak_running = running;
  if (e->opts.pass_mode == SIM_PASS_PERIODIC && sched_core_n_pending (e->core) > 0)
    {
      /* ticks on a fixed grid from the first submission, like a timer thread */
      SchedTime origin = e->stats.first_submit, per = e->opts.pass_period;
      SchedTime tick = origin + ((now - origin) / per + 1) * per;
      if (tick < want)
        want = tick;
    }
  if (want != SCHED_TIME_NEVER && want > now && want < e->pass_at)
    {
      e->pass_at = want;
      heap_push (e, want, EV_PASS, NULL);
    }
}

gboolean
sim_engine_run (SimEngine *e, WlReader *reader, SimRecordFunc func, gpointer data,
                GError **error)
{
  g_return_val_if_fail (e != NULL && reader != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  GError *local = NULL;
  e->counts = wl_reader_get_counts_mutable (reader);
  if ((e->opts.track_jobs || e->opts.swf_dependencies) && !e->track)
    sim__elig_track_on (e);
  e->stats.first_submit = SCHED_TIME_NEVER;
  if (e->preempt)
    sim__preempt_prepare (e);
  SchedTime clock = G_MININT64;
  if (!read_next_arrival (e, reader, clock, &local))
    goto fail;
  guint64 next_progress = 1 << 18;
  while (e->heap->len > 0)
    {
      if (G_UNLIKELY (is_stale (ev_heap_top (e->heap))))
        {
          heap_pop (e);   /* a preempted job's original completion */
          continue;
        }
      SchedTime now = g_array_index (e->heap, Event, 0).time;
      clock = now;
      while (e->heap->len > 0 && g_array_index (e->heap, Event, 0).time == now)
        {
          Event ev = heap_pop (e);
          if (G_UNLIKELY (is_stale (&ev)))
            continue;
          e->stats.events++;
          switch ((EvKind) ev.kind)
            {
            case EV_ARRIVAL:
              {
                SimJob *sj = ev.job;
                gboolean next = sj == e->pending_arrival;   /* else a think-time chain's */
                if (next)
                  e->pending_arrival = NULL;
                set_estimate (e, &sj->w);
                /* (the next record's extra is still the reader's latest: valid here; the
                 * others' is NULL) */
                const WlJobExtra *x = sj->w.extra;
                if (x && x->account)
                  sj->w.spec.assoc = sched_core_resolve_assoc (e->core, sj->w.spec.user,
                                                               x->account);
                if (x && x->qos)
                  sj->w.spec.qos = sched_core_find_qos (e->core, x->qos);
                if (x && x->features)
                  sj->w.spec.constraint = sched_core_constraint (e->core, x->features);
                sj->w.extra = NULL;
                gboolean ok = TRUE;
                if (G_LIKELY (!e->track) || sim__elig_arrive (e, sj, now))
                  ok = enter_core (e, sj, now);
                if (next && !read_next_arrival (e, reader, clock, &local))
                  goto fail;
                if (!ok)
                  continue;
                e->stats.submitted++;
                guint64 pending = sched_core_n_pending (e->core);
                if (pending > e->stats.peak_pending)
                  e->stats.peak_pending = pending;
                break;
              }
            case EV_COMPLETION:
              {
                SimJob *sj = ev.job;
                gboolean ok = sched_core_job_ended (e->core, now, sj->w.spec.id,
                                                    G_UNLIKELY (sj->preempt == SIM_PREEMPT_KILLED)
                                                      ? SCHED_JOB_CANCELLED : sj->end_state);
                g_assert (ok);
                if (G_UNLIKELY (e->preempt != NULL))
                  sim__preempt_left (e, sj);
                if (G_UNLIKELY (sj->preempt != SIM_PREEMPT_RUNNING)
                    && sim__preempt_ended (e, sj))
                  break;   /* requeued: pending again */
                note_history (e, sj, now - sj->start);
                emit (sj, now, sj->end_state, func, data);
                e->stats.finished++;
                if (e->track)
                  sim__elig_left (e, sj, now, TRUE);
                live_remove (e, sj);
                break;
              }
            case EV_PASS:
              if (e->pass_at == now)
                e->pass_at = SCHED_TIME_NEVER;
              break;
            case EV_WAKE:
              sim__elig_wake (e, &ev, now);
              break;
            }
          if (e->opts.pass_mode == SIM_PASS_PER_EVENT)
            run_pass (e, now);
        }
      if (e->opts.pass_mode != SIM_PASS_PER_EVENT)
        run_pass (e, now);
      /* jobs that became eligible in the pass ("after" a job started now) go in now */
      while (G_UNLIKELY (e->ready->len > 0))
        run_pass (e, now);
      e->stats.last_time = now;
      if (e->opts.progress && e->stats.events >= next_progress)
        {
          next_progress = e->stats.events + (1 << 18);
          e->opts.progress (&e->stats, e->opts.progress_data);
        }
    }
  /* Anything left pending can never start (nothing runs, no arrival comes). */
  if (e->live != NULL)
    {
      g_autoptr (GPtrArray) left = g_ptr_array_new ();
      for (SimJob *sj = e->live; sj != NULL; sj = sj->next)
        g_ptr_array_add (left, sj);
      g_ptr_array_sort (left, simjob_cmp);
      for (guint i = 0; i < left->len; i++)
        {
          SimJob *sj = left->pdata[i];
          SchedReason why = sim__elig_reason (e, sj);
          if (sj->in_core)
            sched_core_cancel (e->core, e->stats.last_time, sj->w.spec.id);
          emit (sj, SCHED_TIME_NEVER, SCHED_JOB_PENDING, func, data);
          e->stats.never_started++;
          e->stats.never_started_by_reason[why]++;
        }
      for (guint i = 0; i < left->len; i++)
        live_remove (e, left->pdata[i]);
    }
  e->counts = NULL;
  return TRUE;

fail:
  e->counts = NULL;
  g_set_error (error, SIM_ERROR, SIM_ERROR_TRACE, "%s", local->message);
  g_error_free (local);
  return FALSE;
}
