/* SPDX-License-Identifier: MIT */
/* sim/elig.c - the simulator's eligibility layer: holds, begin times, dependencies,
 * array throttles and SWF think-time chains, outside the core (semantics in engine.h; the
 * same as realnet/ctld-jobs.c's dep_state, deps_state and update_eligibility).
 *
 * Indexes, so that an event costs what it concerns and not the whole waiting list:
 *  - by_id: every job in the system, by id (targets, duplicate ids, SWF predecessors);
 *  - ended: id -> outcome (start, end, final state) of every job that left;
 *  - SimJob.waiters: the jobs waiting on that job (dependency terms, and SWF successors),
 *    registered once at the waiter's arrival against the targets then known; a waiter is
 *    re-examined when a target starts or ends.  Entries carry the waiter's serial, so an
 *    entry for a job that has moved on (or whose SimJob was reused) is skipped;
 *  - groups: (user, name) -> the jobs of that pair in the system, in read order, and how
 *    many run: a singleton job may go when it is the first and none runs, so only the
 *    first needs a look when one leaves;
 *  - arrays: array job id -> its tasks (for "12" and "12_3"), how many are in the core and
 *    the tasks held back by the throttle, in read order.
 * Every evaluation is O(terms x targets) of the one job evaluated.  Determinism: waiters
 * are released into `ready`, which enters the core sorted by read order. */
#include "sim/engine-private.h"

#include <string.h>

typedef struct {
  SchedTime     start;    /* SCHED_TIME_NEVER if it never ran */
  SchedTime     end;
  SchedJobState state;    /* final; CANCELLED when the core rejected it */
} SimOutcome;

typedef struct {
  SimJob  *job;
  guint64  serial;
  gboolean swf;           /* an SWF successor (parked), else a dependency waiter */
} SimWaiter;

typedef struct {
  WlDependency dep;
  guint        first, n;  /* its targets: el->targets[first .. first + n) */
} SimTerm;

struct _SimElig {
  char        *name;       /* job name (singleton), or NULL */
  WlDependency *deps;      /* as read (resolved into terms at arrival) */
  guint        n_deps;
  gboolean     deps_any;
  SimTerm     *terms;
  guint        n_terms;
  GArray      *targets;    /* SchedJobId */
  SchedJobId   array_job_id;
  guint32      task;
  guint32      throttle;
  gboolean     hold;
  SchedTime    begin;      /* SCHED_TIME_NEVER = none */
  SchedTime    wake_at;    /* the queued EV_WAKE, SCHED_TIME_NEVER = none */
  guint64      wake_seq;
};

struct _SimGroup {
  char   *key;
  GQueue  members;         /* SimJob* via group_link, read order */
  guint   n_running;
};

typedef struct {
  SchedJobId id;
  guint32    task;
} SimTask;

struct _SimArray {
  GArray *tasks;           /* SimTask, every task seen (ended ones too) */
  guint   n_active;        /* tasks in the core */
  GQueue  throttled;       /* SimJob*, read order */
};

static void
elig_free (SimElig *el)
{
  if (el == NULL)
    return;
  g_free (el->name);
  g_free (el->deps);
  g_free (el->terms);
  if (el->targets)
    g_array_free (el->targets, TRUE);
  g_free (el);
}

static void
group_free (gpointer p)
{
  SimGroup *g = p;
  g_free (g->key);
  g_free (g);
}

static void
array_free (gpointer p)
{
  SimArray *a = p;
  g_array_free (a->tasks, TRUE);
  g_queue_clear (&a->throttled);
  g_free (a);
}

void
sim__elig_init (SimEngine *e)
{
  e->ready = g_ptr_array_new ();
}

void
sim__elig_clear (SimEngine *e)
{
  g_clear_pointer (&e->ready, g_ptr_array_unref);
  g_clear_pointer (&e->by_id, g_hash_table_destroy);
  g_clear_pointer (&e->ended, g_hash_table_destroy);
  g_clear_pointer (&e->groups, g_hash_table_destroy);
  g_clear_pointer (&e->arrays, g_hash_table_destroy);
}

/* ---- groups (singleton) and arrays ---- */

static void
group_join (SimEngine *e, SimJob *sj)
{
  const char *name = sj->el ? sj->el->name : NULL;
  g_autofree char *key = g_strdup_printf ("%u\037%s", sj->w.spec.user, name ? name : "");
  SimGroup *g = g_hash_table_lookup (e->groups, key);
  if (g == NULL)
    {
      g = g_new0 (SimGroup, 1);
      g->key = g_steal_pointer (&key);
      g_queue_init (&g->members);
      g_hash_table_insert (e->groups, g->key, g);
    }
  sj->group_link.data = sj;
  g_queue_push_tail_link (&g->members, &sj->group_link);
  sj->group = g;
  if (sj->start != SCHED_TIME_NEVER)
    g->n_running++;
}

/* Takes `sj` out of its group; returns the group's first job when it may now go. */
static SimJob *
group_leave (SimEngine *e, SimJob *sj)
{
  SimGroup *g = sj->group;
  if (g == NULL)
    return NULL;
  g_queue_unlink (&g->members, &sj->group_link);
  if (sj->start != SCHED_TIME_NEVER)
    g->n_running--;
  sj->group = NULL;
  if (g->members.length == 0)
    {
      g_hash_table_remove (e->groups, g->key);
      return NULL;
    }
  return g->n_running == 0 ? g->members.head->data : NULL;
}

static gboolean
singleton_blocked (const SimJob *sj)
{
  const SimGroup *g = sj->group;
  return g != NULL && (g->members.head->data != sj || g->n_running > 0);
}

static void
array_join (SimEngine *e, SimJob *sj)
{
  SchedJobId id = sj->el->array_job_id;
  SimArray *a = g_hash_table_lookup (e->arrays, GUINT_TO_POINTER (id));
  if (a == NULL)
    {
      a = g_new0 (SimArray, 1);
      a->tasks = g_array_new (FALSE, FALSE, sizeof (SimTask));
      g_queue_init (&a->throttled);
      g_hash_table_insert (e->arrays, GUINT_TO_POINTER (id), a);
    }
  SimTask t = { sj->w.spec.id, sj->el->task };
  g_array_append_val (a->tasks, t);
  sj->array = a;
}

static gint
serial_cmp (gconstpointer pa, gconstpointer pb, gpointer data)
{
  (void) data;
  const SimJob *a = pa, *b = pb;
  return (a->serial > b->serial) - (a->serial < b->serial);
}

/* ---- tracking ---- */

static void
track_job (SimEngine *e, SimJob *sj, gboolean arrived)
{
  g_hash_table_insert (e->by_id, GUINT_TO_POINTER (sj->w.spec.id), sj);
  if (arrived)
    group_join (e, sj);
}

static int
live_serial_cmp (gconstpointer pa, gconstpointer pb)
{
  const SimJob *a = *(SimJob *const *) pa, *b = *(SimJob *const *) pb;
  return (a->serial > b->serial) - (a->serial < b->serial);
}

void
sim__elig_track_on (SimEngine *e)
{
  if (e->track)
    return;
  e->track = TRUE;
  e->by_id = g_hash_table_new (g_direct_hash, g_direct_equal);
  e->ended = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  e->groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, group_free);
  e->arrays = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, array_free);
  /* jobs already in the system (no extra, so no name): in read order */
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  for (SimJob *sj = e->live; sj != NULL; sj = sj->next)
    g_ptr_array_add (all, sj);
  g_ptr_array_sort (all, live_serial_cmp);
  for (guint i = 0; i < all->len; i++)
    {
      SimJob *sj = all->pdata[i];
      track_job (e, sj, sj != e->pending_arrival);
    }
}

/* Copies what the job waits for out of its (still valid) extra. */
static SimElig *
elig_from_extra (const WlJobExtra *x)
{
  if (x == NULL || (x->n_deps == 0 && !x->hold && x->begin == SCHED_TIME_NEVER
                    && x->array_job_id == 0 && x->name == NULL))
    return NULL;
  SimElig *el = g_new0 (SimElig, 1);
  el->name = g_strdup (x->name);
  if (x->n_deps > 0)
    el->deps = g_memdup2 (x->deps, sizeof (WlDependency) * x->n_deps);
  el->n_deps = x->n_deps;
  el->deps_any = x->deps_any;
  el->array_job_id = x->array_job_id;
  el->task = x->array_task_id;
  el->throttle = x->array_job_id != 0 ? x->array_task_throttle : 0;
  el->hold = x->hold;
  el->begin = x->begin;
  el->wake_at = SCHED_TIME_NEVER;
  return el;
}

static void
add_waiter (SimJob *target, SimJob *w, gboolean swf)
{
  if (target->waiters == NULL)
    target->waiters = g_array_new (FALSE, FALSE, sizeof (SimWaiter));
  else if (target->waiters->len > 0)
    {
      const SimWaiter *last = &g_array_index (target->waiters, SimWaiter,
                                              target->waiters->len - 1);
      if (last->job == w && last->serial == w->serial)
        return;
    }
  SimWaiter wt = { w, w->serial, swf };
  g_array_append_val (target->waiters, wt);
}

SimReadKind
sim__elig_read (SimEngine *e, SimJob *sj, SchedTime clock)
{
  track_job (e, sj, FALSE);
  sj->el = elig_from_extra (sj->w.extra);
  if (!e->opts.swf_dependencies || sj->w.preceding == 0)
    return SIM_READ_NORMAL;
  sj->w.extra = NULL;   /* (read on: the reader's record will not stay valid) */
  SimJob *p = g_hash_table_lookup (e->by_id, GUINT_TO_POINTER (sj->w.preceding));
  if (p != NULL)
    {
      add_waiter (p, sj, TRUE);
      sj->parked = TRUE;
      sj->reason = SCHED_REASON_DEPENDENCY;
      return SIM_READ_PARKED;
    }
  const SimOutcome *o = g_hash_table_lookup (e->ended, GUINT_TO_POINTER (sj->w.preceding));
  if (o == NULL || o->start == SCHED_TIME_NEVER)
    return SIM_READ_NORMAL;   /* not in the trace, or never ran: its logged time */
  SchedTime t = o->end + sj->w.think_time;
  if (t < clock)
    {
      t = clock;
      e->counts->adjusted[WL_ADJ_SUBMIT_REORDERED]++;
    }
  sj->w.spec.submit = t;
  sim__push (e, t, EV_ARRIVAL, sj);
  return SIM_READ_QUEUED;
}

/* ---- dependencies ---- */

/* Where job `id` stands: FALSE if the simulation does not know it (satisfied); else
 * *final says whether it ended, *start when it started (or NEVER), *state how it ended. */
static gboolean
target_state (SimEngine *e, SchedJobId id, gboolean *final, SchedTime *start,
              SchedJobState *state)
{
  const SimJob *t = g_hash_table_lookup (e->by_id, GUINT_TO_POINTER (id));
  if (t != NULL)
    {
      *final = FALSE;
      *start = t->start;
      *state = SCHED_JOB_PENDING;
      return TRUE;
    }
  const SimOutcome *o = g_hash_table_lookup (e->ended, GUINT_TO_POINTER (id));
  if (o == NULL)
    return FALSE;
  *final = TRUE;
  *start = o->start;
  *state = o->state;
  return TRUE;
}

static gboolean
job_known (SimEngine *e, SchedJobId id)
{
  return g_hash_table_contains (e->by_id, GUINT_TO_POINTER (id))
         || g_hash_table_contains (e->ended, GUINT_TO_POINTER (id));
}

/* The jobs "12" (job 12, or every task of array 12 seen so far) or "12_3" stand for. */
static void
resolve (SimEngine *e, const WlDependency *d, GArray *out)
{
  const SimArray *a = g_hash_table_lookup (e->arrays, GUINT_TO_POINTER (d->job));
  if (d->task >= 0)
    {
      for (guint i = 0; a && i < a->tasks->len; i++)
        {
          const SimTask *t = &g_array_index (a->tasks, SimTask, i);
          if (t->task == d->task)
            g_array_append_val (out, t->id);
        }
      return;
    }
  gboolean whole = a != NULL;
  if (whole && job_known (e, d->job))
    {
      /* a job 12 of its own, not a task of array 12, is the one named */
      whole = FALSE;
      for (guint i = 0; i < a->tasks->len; i++)
        if (g_array_index (a->tasks, SimTask, i).id == d->job)
          whole = TRUE;
    }
  if (whole)
    for (guint i = 0; i < a->tasks->len; i++)
      g_array_append_val (out, g_array_index (a->tasks, SimTask, i).id);
  else
    g_array_append_val (out, d->job);
}

/* 1: satisfied, 0: not yet, -1: never.  *wake: when an "after+delay" becomes true. */
static int
dep_state (SimEngine *e, const WlDependency *d, SchedJobId id, SchedTime now, SchedTime *wake)
{
  gboolean final;
  SchedTime start;
  SchedJobState state;
  if (!target_state (e, id, &final, &start, &state))
    return 1;
  switch (d->type)
    {
    case WL_DEP_AFTER:
      if (final && state == SCHED_JOB_CANCELLED && start == SCHED_TIME_NEVER)
        return 1;
      if (start == SCHED_TIME_NEVER)
        return 0;
      if (now >= start + d->delay)
        return 1;
      *wake = MIN (*wake, start + d->delay);
      return 0;
    case WL_DEP_AFTEROK:
      return !final ? 0 : state == SCHED_JOB_COMPLETED ? 1 : -1;
    case WL_DEP_AFTERNOTOK:
      return !final ? 0 : state != SCHED_JOB_COMPLETED ? 1 : -1;
    case WL_DEP_AFTERANY:
    case WL_DEP_AFTERBURSTBUFFER:
    case WL_DEP_AFTERCORR:
    case WL_DEP_SINGLETON:
    case WL_DEP_N:
    default:
      return final ? 1 : 0;
    }
}

static int
deps_state (SimEngine *e, SimJob *sj, SchedTime now, SchedTime *wake)
{
  const SimElig *el = sj->el;
  int all = 1, any = -1;
  for (guint i = 0; i < el->n_terms; i++)
    {
      const SimTerm *t = &el->terms[i];
      int r = 1;
      if (t->dep.type == WL_DEP_SINGLETON)
        r = singleton_blocked (sj) ? 0 : 1;
      else
        for (guint k = 0; k < t->n; k++)
          r = MIN (r, dep_state (e, &t->dep,
                                 g_array_index (el->targets, SchedJobId, t->first + k),
                                 now, wake));
      all = MIN (all, r);
      any = MAX (any, r);
    }
  return el->deps_any ? any : all;
}

/* Resolves the dependency list into terms and registers `sj` with the targets in the
 * system (once, at arrival). */
static void
deps_register (SimEngine *e, SimJob *sj)
{
  SimElig *el = sj->el;
  el->terms = g_new0 (SimTerm, el->n_deps);
  el->n_terms = el->n_deps;
  el->targets = g_array_new (FALSE, FALSE, sizeof (SchedJobId));
  for (guint i = 0; i < el->n_deps; i++)
    {
      SimTerm *t = &el->terms[i];
      t->dep = el->deps[i];
      t->first = el->targets->len;
      if (t->dep.type != WL_DEP_SINGLETON)
        resolve (e, &t->dep, el->targets);
      t->n = el->targets->len - t->first;
      for (guint k = 0; k < t->n; k++)
        {
          SchedJobId id = g_array_index (el->targets, SchedJobId, t->first + k);
          SimJob *target = g_hash_table_lookup (e->by_id, GUINT_TO_POINTER (id));
          if (target != NULL && target != sj)
            add_waiter (target, sj, FALSE);
        }
    }
}

/* ---- eligibility ---- */

static void
wake_at (SimEngine *e, SimJob *sj, SchedTime t)
{
  SimElig *el = sj->el;
  if (el->wake_at <= t)
    return;
  el->wake_at = t;
  el->wake_seq = sim__push (e, t, EV_WAKE, sj);
}

/* Checks hold, begin time and dependencies; sets the reason and the wake-up of a job that
 * must wait.  Returns TRUE if nothing but the array throttle stands in the way. */
static gboolean
eligible (SimEngine *e, SimJob *sj, SchedTime now)
{
  SimElig *el = sj->el;
  if (el->hold)
    {
      sj->reason = SCHED_REASON_HELD_USER;
      return FALSE;
    }
  if (el->begin != SCHED_TIME_NEVER && el->begin > now)
    {
      sj->reason = SCHED_REASON_BEGIN_TIME;
      wake_at (e, sj, el->begin);
      return FALSE;
    }
  if (el->n_terms > 0)
    {
      SchedTime wake = SCHED_TIME_NEVER;
      int d = deps_state (e, sj, now, &wake);
      if (d < 0)
        {
          sj->reason = SCHED_REASON_DEPENDENCY_NEVER;
          return FALSE;
        }
      if (d == 0)
        {
          sj->reason = SCHED_REASON_DEPENDENCY;
          if (wake != SCHED_TIME_NEVER)
            wake_at (e, sj, wake);
          return FALSE;
        }
    }
  sj->reason = SCHED_REASON_NONE;
  return TRUE;
}

/* TRUE (and queued behind the throttle) if the job's array has its quota in the core. */
static gboolean
throttled (SimJob *sj)
{
  SimArray *a = sj->array;
  if (a == NULL || sj->el->throttle == 0 || a->n_active < sj->el->throttle)
    return FALSE;
  sj->reason = SCHED_REASON_ARRAY_TASK_LIMIT;
  g_queue_insert_sorted (&a->throttled, sj, serial_cmp, NULL);
  return TRUE;
}

static gboolean
waiting (const SimJob *sj)
{
  return sj->el != NULL && !sj->in_core && !sj->ready && !sj->parked
         && sj->reason != SCHED_REASON_ARRAY_TASK_LIMIT;
}

/* Re-examines a waiting job after an event; an eligible one goes to `ready`. */
static void
reexamine (SimEngine *e, SimJob *sj, SchedTime now)
{
  if (!waiting (sj) || sj->reason == SCHED_REASON_DEPENDENCY_NEVER
      || sj->reason == SCHED_REASON_HELD_USER)
    return;
  if (eligible (e, sj, now))
    {
      sj->ready = TRUE;
      g_ptr_array_add (e->ready, sj);
    }
}

gboolean
sim__elig_arrive (SimEngine *e, SimJob *sj, SchedTime now)
{
  group_join (e, sj);
  if (sj->el == NULL)
    return TRUE;
  if (sj->el->array_job_id != 0)
    array_join (e, sj);
  if (sj->el->n_deps > 0)
    deps_register (e, sj);
  return eligible (e, sj, now) && !throttled (sj);
}

static void
notify (SimEngine *e, SimJob *target, SchedTime now, gboolean ended, gboolean ran)
{
  GArray *ws = target->waiters;
  if (ws == NULL)
    return;
  for (guint i = 0; i < ws->len; i++)
    {
      const SimWaiter wt = g_array_index (ws, SimWaiter, i);
      SimJob *w = wt.job;
      if (w->serial != wt.serial)
        continue;                      /* gone */
      if (!wt.swf)
        {
          reexamine (e, w, now);
          continue;
        }
      if (!ended || !w->parked)
        continue;
      /* an SWF successor: think time after the end, or its own time if this never ran */
      w->parked = FALSE;
      w->reason = SCHED_REASON_NONE;
      w->w.spec.submit = ran ? now + w->w.think_time : MAX (now, w->w.spec.submit);
      sim__push (e, w->w.spec.submit, EV_ARRIVAL, w);
    }
  if (ended)
    g_clear_pointer (&target->waiters, g_array_unref);
}

void
sim__elig_started (SimEngine *e, SimJob *sj, SchedTime now)
{
  if (sj->group != NULL)
    sj->group->n_running++;
  notify (e, sj, now, FALSE, TRUE);
}

void
sim__elig_requeued (SimEngine *e, SimJob *sj)
{
  (void) e;
  /* counted again when it restarts (sim__elig_started) */
  if (sj->group != NULL && sj->start != SCHED_TIME_NEVER)
    sj->group->n_running--;
}

void
sim__elig_left (SimEngine *e, SimJob *sj, SchedTime now, gboolean ran)
{
  SimOutcome *o = g_new (SimOutcome, 1);
  o->start = ran ? sj->start : SCHED_TIME_NEVER;
  o->end = now;
  o->state = ran ? sj->end_state : SCHED_JOB_CANCELLED;
  g_hash_table_insert (e->ended, GUINT_TO_POINTER (sj->w.spec.id), o);
  g_hash_table_remove (e->by_id, GUINT_TO_POINTER (sj->w.spec.id));
  SimJob *first = group_leave (e, sj);
  if (first != NULL)
    reexamine (e, first, now);
  SimArray *a = sj->array;
  if (a != NULL && sj->in_core)
    {
      a->n_active--;
      /* the first held-back task that is still eligible takes the slot */
      SimJob *next;
      while ((next = g_queue_pop_head (&a->throttled)) != NULL)
        {
          next->reason = SCHED_REASON_NONE;
          reexamine (e, next, now);
          if (next->ready)
            break;
        }
    }
  notify (e, sj, now, TRUE, ran);
}

void
sim__elig_forget (SimEngine *e, SimJob *sj)
{
  if (g_hash_table_lookup (e->by_id, GUINT_TO_POINTER (sj->w.spec.id)) == sj)
    g_hash_table_remove (e->by_id, GUINT_TO_POINTER (sj->w.spec.id));
  group_leave (e, sj);
  if (sj->array != NULL && sj->reason == SCHED_REASON_ARRAY_TASK_LIMIT && !sj->in_core)
    g_queue_remove (&sj->array->throttled, sj);
  sj->array = NULL;
  g_clear_pointer (&sj->el, elig_free);
  g_clear_pointer (&sj->waiters, g_array_unref);
}

void
sim__array_entered (SimJob *sj)
{
  sj->array->n_active++;
}

void
sim__elig_wake (SimEngine *e, const SimEvent *ev, SchedTime now)
{
  SimJob *sj = ev->job;
  if (sj->el == NULL || sj->el->wake_seq != ev->seq)
    return;                            /* stale: the job moved on */
  sj->el->wake_at = SCHED_TIME_NEVER;
  reexamine (e, sj, now);
}

static int
ready_cmp (gconstpointer pa, gconstpointer pb)
{
  return live_serial_cmp (pa, pb);
}

void
sim__elig_flush (SimEngine *e, SchedTime now)
{
  g_ptr_array_sort (e->ready, ready_cmp);
  g_autoptr (GPtrArray) batch = g_ptr_array_new ();
  GPtrArray *tmp = e->ready;
  e->ready = batch;
  batch = tmp;
  for (guint i = 0; i < batch->len; i++)
    {
      SimJob *sj = batch->pdata[i];
      if (!sj->ready)
        continue;
      sj->ready = FALSE;
      if (throttled (sj))
        continue;
      sim__enter_core (e, sj, now);
    }
}

SchedReason
sim__elig_reason (SimEngine *e, SimJob *sj)
{
  if (sj->in_core)
    {
      SchedJobInfo info;
      if (sched_core_job_info (e->core, sj->w.spec.id, &info))
        return info.reason;
      return (SchedReason) sj->reason;   /* requeued, held out by preemption */
    }
  return (SchedReason) sj->reason;
}
