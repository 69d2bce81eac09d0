/* SPDX-License-Identifier: MIT */
/* sched/profile.c - availability profiles: free resources over future time.
 *
 * A profile is a step function from `now` on, built from the running jobs (each holding its
 * resources until start + time limit: the core plans with limits only) and then extended by
 * the reservations the backfill engine makes.  Step i holds from steps[i].time until the next
 * step's time; the last step lasts forever.  Times strictly increase (sched__profile_check).
 *
 * Two kinds share one interface:
 *  - counting: one number per step, free CPUs.  Exact when every job is "N CPUs anywhere"
 *    (the processor-pool view of SWF traces).  earliest() and reserve() are O(steps).
 *  - node: per step, a vector of per-node free CPUs, GPUs and memory.  earliest() tries each
 *    step as a start, takes the per-node minimum over the job's interval and runs node
 *    selection on it: O(steps^2 x nodes) in the worst case, the price of exactness for
 *    heterogeneous requests. */
#include "sched/core-private.h"
#include "sched/heap.h"

#include <string.h>

typedef struct {
  SchedTime time;
  gint64    free;      /* free CPUs (both kinds; the node kind keeps it as a quick bound) */
  gint64    gfree;     /* node: free GPUs in all */
  SchedAvail *avail;   /* node: per-node availability (owned) */
  guint32  *chg;       /* node: the nodes whose availability may differ from the previous
                        * step's (owned; duplicates allowed) */
  gint32    n_chg;     /* entries of chg; -1: any node may differ (step 0, or too many) */
  guint32   chg_cap;
} Step;

/* A node that a node-profile search considers (earliest_node). */
struct Watch {
  guint32              node;
  gboolean             refused;  /* at the last step swept */
  gint64               lastbad;  /* else the last step swept that refused it, or -1 */
  const SchedNodeSpec *ns;
};

/* A reservation that ends beyond the materialized steps of a lazy counting profile. */
typedef struct {
  SchedTime time;
  gint64    cpus;
} PendEnd;

struct _SchedProfile {
  SchedCore *core;
  gboolean   counting;
  GArray    *steps;    /* Step */
  SchedAvail *tmp;     /* node: scratch minimum vector */
  struct Watch *watch; /* node: scratch, the nodes a search considers */
  guint32   *widx;     /* node: node -> its index in watch, G_MAXUINT32 if not watched */
  /* counting profiles are materialized lazily from the running jobs in end order */
  SchedTime  now;
  SchedRunIter it;     /* valid while `live` */
  GArray    *it_storage;
  gboolean   live;     /* the running heap is as it was at build time */
  GArray    *pend;     /* PendEnd min-heap */
  guint      n_left;   /* running jobs not yet materialized */
  gboolean   stale;    /* needed a step it could not materialize */
};

typedef struct {
  SchedTime time;
  const SchedJob *job;
} Release;

static int
release_cmp (gconstpointer pa, gconstpointer pb)
{
  const Release *a = pa, *b = pb;
  if (a->time != b->time)
    return a->time < b->time ? -1 : 1;
  return (a->job->seq > b->job->seq) - (a->job->seq < b->job->seq);
}

static inline Step *step_at (const SchedProfile *p, guint i);

static void
step_clear (gpointer p)
{
  Step *s = p;
  g_clear_pointer (&s->avail, g_free);
  g_clear_pointer (&s->chg, g_free);
}

/* Notes that the nodes of `alloc` may differ at step `s` from the step before it. */
static void
step_note_alloc (const SchedProfile *p, Step *s, const SchedAlloc *alloc)
{
  if (s->n_chg < 0)
    return;
  guint32 want = (guint32) s->n_chg + alloc->n_nodes;
  if (want > p->core->n_nodes)
    {
      /* more entries than nodes: a full scan is as cheap */
      g_clear_pointer (&s->chg, g_free);
      s->n_chg = -1;
      s->chg_cap = 0;
      return;
    }
  if (want > s->chg_cap)
    {
      s->chg_cap = MAX (want, MAX (4, 2 * s->chg_cap));
      s->chg = g_renew (guint32, s->chg, s->chg_cap);
    }
  for (guint32 k = 0; k < alloc->n_nodes; k++)
    s->chg[s->n_chg++] = alloc->nodes[k].node;
}

static SchedAvail *
avail_dup (const SchedProfile *p, const SchedAvail *a)
{
  return g_memdup2 (a, sizeof (SchedAvail) * p->core->n_nodes);
}

SchedProfile *
sched__profile_new (SchedCore *core, SchedTime now, gboolean counting)
{
  SchedProfile *p = g_new0 (SchedProfile, 1);
  p->core = core;
  p->counting = counting;
  p->now = now;
  if (counting)
    {
      p->steps = g_array_sized_new (FALSE, TRUE, sizeof (Step), 64);
      Step s0 = { .time = now, .free = (gint64) core->free_cpus };
      g_array_append_val (p->steps, s0);
      p->it_storage = g_array_new (FALSE, FALSE, sizeof (guint32));
      p->pend = g_array_new (FALSE, FALSE, sizeof (PendEnd));
      if (core->running->len == 0
          || ((const SchedJob *) core->running->pdata[0])->end_limit > now)
        {
          /* lazy: steps come from the running heap in end order as searches need them */
          sched__run_iter_init (core, &p->it, p->it_storage);
          p->live = TRUE;
          p->n_left = core->running->len;
          return p;
        }
      /* A job outlived its estimate: releases are no longer in heap order.  Sort them. */
      guint nr = core->running->len;
      g_autofree Release *rel = g_new (Release, nr);
      for (guint i = 0; i < nr; i++)
        {
          const SchedJob *j = core->running->pdata[i];
          rel[i] = (Release) { sched__release_time (j, now), j };
        }
      qsort (rel, nr, sizeof (Release), release_cmp);
      for (guint i = 0; i < nr; i++)
        {
          Step *last = step_at (p, p->steps->len - 1);
          if (last->time != rel[i].time)
            {
              Step st = { .time = rel[i].time, .free = last->free };
              g_array_append_val (p->steps, st);
              last = step_at (p, p->steps->len - 1);
            }
          last->free += rel[i].job->alloc.cpus;
        }
      return p;
    }
  p->steps = g_array_sized_new (FALSE, TRUE, sizeof (Step), core->running->len + 16);
  g_array_set_clear_func (p->steps, step_clear);

  guint nr = core->running->len;
  g_autofree Release *rel = g_new (Release, nr + 1);
  for (guint i = 0; i < nr; i++)
    {
      const SchedJob *j = core->running->pdata[i];
      rel[i] = (Release) { sched__release_time (j, now), j };
    }
  qsort (rel, nr, sizeof (Release), release_cmp);

  Step s0 = { .time = now, .free = (gint64) core->free_cpus, .n_chg = -1 };
  if (!counting)
    {
      s0.avail = g_new (SchedAvail, core->n_nodes);
      s0.gfree = (gint64) sched__avail_now (core, s0.avail);
      p->tmp = g_new0 (SchedAvail, core->n_nodes);
      p->watch = g_new (struct Watch, core->n_nodes);
      p->widx = g_new (guint32, core->n_nodes);
      memset (p->widx, 0xff, sizeof (guint32) * core->n_nodes);
    }
  g_array_append_val (p->steps, s0);
  for (guint i = 0; i < nr; i++)
    {
      Step *last = &g_array_index (p->steps, Step, p->steps->len - 1);
      const SchedJob *j = rel[i].job;
      if (last->time != rel[i].time)
        {
          Step s = { .time = rel[i].time, .free = last->free, .gfree = last->gfree };
          if (!counting)
            s.avail = avail_dup (p, last->avail);
          g_array_append_val (p->steps, s);
          last = &g_array_index (p->steps, Step, p->steps->len - 1);
        }
      last->free += j->alloc.cpus;
      last->gfree += j->alloc.gpus;
      if (!counting)
        step_note_alloc (p, last, &j->alloc);
      if (!counting)
        for (guint32 k = 0; k < j->alloc.n_nodes; k++)
          {
            const SchedAllocNode *an = &j->alloc.nodes[k];
            const SchedNodeState *ns = &core->nodes[an->node];
            if (ns->down || ns->drain)
              continue;
            last->avail[an->node].cpus += an->cpus;
            last->avail[an->node].gpus += an->gpus;
            last->avail[an->node].mem += an->mem_mb;
          }
    }
  return p;
}

void
sched__profile_free (SchedProfile *p)
{
  if (p == NULL)
    return;
  g_array_free (p->steps, TRUE);
  g_free (p->tmp);
  g_free (p->watch);
  g_free (p->widx);
  if (p->it_storage)
    g_array_free (p->it_storage, TRUE);
  if (p->pend)
    g_array_free (p->pend, TRUE);
  g_free (p);
}

static inline Step *
step_at (const SchedProfile *p, guint i)
{
  return &g_array_index (p->steps, Step, i);
}

static inline gboolean
pend_less (const void *ctx, const PendEnd *a, const PendEnd *b)
{
  (void) ctx;
  return a->time < b->time;
}

SCHED_DEFINE_HEAP (pend_heap, PendEnd, void, pend_less)

/* TRUE when every step is materialized: the last one lasts forever. */
static inline gboolean
complete (const SchedProfile *p)
{
  return !p->counting || (p->n_left == 0 && p->pend->len == 0);
}

/* Materializes the next step of a lazy counting profile.  Returns FALSE when there is none
 * (the profile is complete) or it cannot be had (the running heap changed since the build:
 * the profile is then marked stale). */
static gboolean
more (SchedProfile *p)
{
  if (complete (p))
    return FALSE;
  if (p->n_left > 0 && !p->live)
    {
      p->stale = TRUE;
      return FALSE;
    }
  SchedTime t = SCHED_TIME_NEVER;
  const SchedJob *r = p->n_left > 0 ? sched__run_iter_peek (p->core, &p->it) : NULL;
  if (r)
    t = sched__release_time (r, p->now);
  if (p->pend->len > 0)
    t = MIN (t, g_array_index (p->pend, PendEnd, 0).time);
  Step *last = step_at (p, p->steps->len - 1);
  g_assert (t > last->time);
  Step s = { .time = t, .free = last->free };
  while (p->n_left > 0 && (r = sched__run_iter_peek (p->core, &p->it)) != NULL
         && sched__release_time (r, p->now) == t)
    {
      s.free += r->alloc.cpus;
      sched__run_iter_pop (p->core, &p->it);
      p->n_left--;
    }
  while (p->pend->len > 0 && g_array_index (p->pend, PendEnd, 0).time == t)
    {
      s.free += g_array_index (p->pend, PendEnd, 0).cpus;
      pend_heap_pop (p->pend, NULL);
    }
  g_array_append_val (p->steps, s);
  return TRUE;
}

static SchedTime
earliest_counting (SchedProfile *p, gint64 need, SchedTime dur)
{
  guint i = 0;
  for (;;)
    {
      if (i >= p->steps->len && !more (p))
        return SCHED_TIME_NEVER;
      if (step_at (p, i)->free < need)
        {
          i++;
          continue;
        }
      SchedTime t = step_at (p, i)->time, end = t + dur;
      guint j = i + 1;
      for (;;)
        {
          if (j >= p->steps->len && !more (p))
            return p->stale ? SCHED_TIME_NEVER : t; /* complete: the last step lasts */
          if (step_at (p, j)->time >= end || step_at (p, j)->free < need)
            break;
          j++;
        }
      if (step_at (p, j)->time >= end)
        return t;
      i = j + 1;
    }
}

gboolean
sched__profile_is_stale (const SchedProfile *p)
{
  return p->stale;
}

void
sched__profile_end_pass (SchedProfile *p, guint materialize_limit)
{
  if (!p->counting || !p->live)
    return;
  if (p->n_left <= materialize_limit)
    while (p->n_left > 0 && more (p))
      ;
  p->live = FALSE;
}

/* The least GPUs a job can run with: per node, on the fewest nodes it may use. */
static inline gint64
min_gpus (const SchedJob *j)
{
  return (gint64) j->spec.gpus_per_node * MAX (j->spec.min_nodes, 1);
}

/* What one node must have free at every step of a job's interval to be a candidate of
 * node selection (sched__select_nodes) on the interval's minimum. */
typedef struct {
  guint64  cpus;       /* cpus_per_task; tasks * cpus_per_task when `exact` */
  guint32  gpus;
  guint64  mem;
  gboolean exclusive;  /* the whole node free */
} NodeNeed;

static inline gboolean
node_refuses (const NodeNeed *nd, const SchedAvail *a, const SchedNodeSpec *ns)
{
  return a->cpus < nd->cpus || a->gpus < nd->gpus || a->mem < nd->mem
         || (nd->exclusive && (a->cpus != ns->cpus || a->gpus != ns->gpus || a->mem != ns->mem_mb));
}

/* Fills p->tmp with the per-node minimum over steps [i, e): step i's vector, lowered at
 * the nodes each later step may change. */
static void
window_min (SchedProfile *p, guint i, guint e)
{
  guint32 nn = p->core->n_nodes;
  SchedAvail *m = p->tmp;
  memcpy (m, step_at (p, i)->avail, sizeof (SchedAvail) * nn);
  for (guint k = i + 1; k < e; k++)
    {
      const Step *s = step_at (p, k);
      const SchedAvail *a = s->avail;
      guint32 cnt = s->n_chg < 0 ? nn : (guint32) s->n_chg;
      for (guint32 x = 0; x < cnt; x++)
        {
          guint32 n = s->n_chg < 0 ? x : s->chg[x];
          m[n].cpus = MIN (m[n].cpus, a[n].cpus);
          m[n].gpus = MIN (m[n].gpus, a[n].gpus);
          m[n].mem = MIN (m[n].mem, a[n].mem);
        }
    }
}

/* Updates watched node `w` for step k, whose availability of it is `a`. */
static inline void
watch_step (struct Watch *w, const NodeNeed *nd, const SchedAvail *a, guint k)
{
  gboolean r = node_refuses (nd, a, w->ns);
  if (w->refused && !r)
    w->lastbad = (gint64) k - 1;
  w->refused = r;
}

/* Sweeps step k: the watched nodes it may change. */
static void
sweep_step (SchedProfile *p, const NodeNeed *nd, guint32 nw, guint k)
{
  const Step *s = step_at (p, k);
  if (s->n_chg < 0)
    {
      for (guint32 c = 0; c < nw; c++)
        watch_step (&p->watch[c], nd, &s->avail[p->watch[c].node], k);
      return;
    }
  for (gint32 x = 0; x < s->n_chg; x++)
    {
      guint32 c = p->widx[s->chg[x]];
      if (c != G_MAXUINT32)
        watch_step (&p->watch[c], nd, &s->avail[s->chg[x]], k);
    }
}

/* The earliest step i (at or before `horizon`) at which node selection succeeds on the
 * per-node minimum over the job's interval [t_i, t_i + plan), that is over steps [i, e(i)).
 *
 * Node selection only runs where it can succeed.  First, a step of the interval short of
 * the job's CPUs or GPUs in all rules the start out.  Then, a node is a candidate of
 * selection on the minimum only if every step of the interval leaves it what one task
 * needs (a minimum is below a threshold exactly when some step is).  A sweep over the
 * steps keeps, per node, whether the last step swept refuses it and the last step before
 * that which did, reading at each step only the nodes it may change (Step.chg), so the
 * candidates of a start at step i are the nodes not refused since i.  With fewer of them
 * than the job's minimum node count, or fewer task slots on their minima than its tasks,
 * selection would fail: the step is skipped without it.  For a job on one node (one task,
 * or at most one node) a candidate able to hold every task is also enough for selection
 * to succeed, so selection runs once, where it succeeds.  Selection itself always runs on
 * the full minimum vector, as without the sweep: the same starts, the same nodes. */
static SchedTime
earliest_node (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc, SchedTime horizon)
{
  const SchedCore *core = p->core;
  const SchedJobSpec *spec = &j->spec;
  const SchedPartitionSpec *part = sched_cluster_partition (core->cluster, j->part);
  guint32 need_nodes = MAX (spec->min_nodes, 1);
  guint32 limit = spec->max_nodes;
  if (part->max_nodes > 0 && (limit == 0 || part->max_nodes < limit))
    limit = part->max_nodes;
  /* selection on one node succeeds exactly when a candidate holds every task */
  gboolean exact = need_nodes == 1 && (spec->tasks == 1 || limit == 1);
  NodeNeed nd = {
    .cpus = exact ? (guint64) spec->tasks * spec->cpus_per_task : spec->cpus_per_task,
    .gpus = spec->gpus_per_node,
    .mem = spec->mem_per_node_mb,
    .exclusive = spec->exclusive,
  };
  /* the nodes that could ever be candidates (free never exceeds the node's capacity) */
  guint32 nw = 0;
  for (guint32 x = 0; x < part->n_nodes; x++)
    {
      guint32 n = part->nodes[x];
      const SchedNodeSpec *ns = sched_cluster_node (core->cluster, n);
      if (spec->gpus_per_node > 0 && spec->gpu_type != 0 && ns->gpu_type != spec->gpu_type)
        continue;
      if (ns->cpus < nd.cpus || ns->gpus < nd.gpus || ns->mem_mb < nd.mem)
        continue;
      p->widx[n] = nw;
      p->watch[nw++] = (struct Watch) { n, FALSE, -1, ns };
    }
  SchedTime found = SCHED_TIME_NEVER;
  gint64 need_cpus = (gint64) j->cpus, need_gpus = min_gpus (j);
  guint len = nw >= need_nodes ? p->steps->len : 0, e = 0, swept = 0;
  gint64 short_step = -1;  /* the last step in [0, e) short of the totals */
  for (guint i = 0; i < len && step_at (p, i)->time <= horizon; i++)
    {
      SchedTime end = step_at (p, i)->time + j->plan;
      if (e < i + 1)
        e = i + 1;
      while (e < len && step_at (p, e)->time < end)
        e++;
      for (guint k = MAX ((gint64) i, short_step + 1); k < e; k++)
        if (step_at (p, k)->free < need_cpus || step_at (p, k)->gfree < need_gpus)
          short_step = k;
      if (short_step >= (gint64) i)
        continue;  /* a step of the interval is short of the totals */
      if (swept < i)
        {
          /* steps before i do not matter to starts from i on: restart the sweep there */
          const SchedAvail *a = step_at (p, i)->avail;
          for (guint32 c = 0; c < nw; c++)
            {
              p->watch[c].refused = node_refuses (&nd, &a[p->watch[c].node], p->watch[c].ns);
              p->watch[c].lastbad = -1;
            }
          swept = i + 1;
        }
      for (; swept < e; swept++)
        sweep_step (p, &nd, nw, swept);
      guint32 ok = 0;
      for (guint32 c = 0; c < nw && ok < need_nodes; c++)
        ok += !p->watch[c].refused && p->watch[c].lastbad < (gint64) i;
      if (ok < need_nodes)
        continue;
      window_min (p, i, e);
      if (!exact)
        {
          guint64 slots = 0;
          for (guint32 c = 0; c < nw; c++)
            if (!p->watch[c].refused && p->watch[c].lastbad < (gint64) i)
              slots += p->tmp[p->watch[c].node].cpus / spec->cpus_per_task;
          if (slots < spec->tasks)
            continue;
        }
      if (sched__select_nodes (core, spec, j->part, p->tmp, alloc))
        {
          found = step_at (p, i)->time;
          break;
        }
    }
  for (guint32 c = 0; c < nw; c++)
    p->widx[p->watch[c].node] = G_MAXUINT32;
  return found;
}

SchedTime
sched__profile_earliest (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc)
{
  if (p->counting)
    return earliest_counting (p, (gint64) j->cpus, j->plan);
  return earliest_node (p, j, alloc, SCHED_TIME_NEVER);
}

SchedTime
sched__profile_earliest_by (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc,
                            SchedTime horizon)
{
  SchedTime t;
  if (p->counting)
    t = earliest_counting (p, (gint64) j->cpus, j->plan);
  else
    t = earliest_node (p, j, alloc, horizon);
  if (t != SCHED_TIME_NEVER && t > horizon)
    {
      sched_alloc_clear (alloc);
      return SCHED_TIME_NEVER;
    }
  return t;
}

/* Returns the index of the step starting at `t`, splitting the step that covers it. */
static guint
split_at (SchedProfile *p, SchedTime t)
{
  guint lo = 0, hi = p->steps->len; /* find last step with time <= t */
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (step_at (p, mid)->time <= t)
        lo = mid;
      else
        hi = mid;
    }
  Step *s = step_at (p, lo);
  g_assert (s->time <= t);
  if (s->time == t)
    return lo;
  Step ns = { .time = t, .free = s->free, .gfree = s->gfree };
  if (!p->counting)
    ns.avail = avail_dup (p, s->avail);
  g_array_insert_val (p->steps, lo + 1, ns);
  return lo + 1;
}

void
sched__profile_reserve (SchedProfile *p, const SchedJob *j, SchedTime start,
                        const SchedAlloc *alloc)
{
  sched__profile_reserve_for (p, j, start, j->plan, alloc);
}

void
sched__profile_reserve_for (SchedProfile *p, const SchedJob *j, SchedTime start,
                            SchedTime dur, const SchedAlloc *alloc)
{
  g_assert (start >= step_at (p, 0)->time);
  g_assert (dur <= j->plan);
  SchedTime end = start + dur;
  guint i = split_at (p, start);
  guint e;
  if (end <= start)
    e = i;
  else if (p->counting && !complete (p) && end > step_at (p, p->steps->len - 1)->time)
    {
      /* the end lies beyond the materialized steps: hold the CPUs to the last step and
       * give them back when the step at `end` is materialized */
      e = p->steps->len;
      pend_heap_push (p->pend, NULL, (PendEnd) { end, (gint64) j->cpus });
    }
  else
    e = split_at (p, end);
  gint64 cpus = p->counting ? (gint64) j->cpus : (gint64) alloc->cpus;
  if (!p->counting && i < e)
    {
      /* the steps in between change with their predecessors */
      step_note_alloc (p, step_at (p, i), alloc);
      if (e < p->steps->len)
        step_note_alloc (p, step_at (p, e), alloc);
    }
  for (guint k = i; k < e; k++)
    {
      Step *s = step_at (p, k);
      s->free -= cpus;
      g_assert (s->free >= 0);
      if (!p->counting)
        s->gfree -= alloc->gpus;
      if (!p->counting)
        for (guint32 m = 0; m < alloc->n_nodes; m++)
          {
            const SchedAllocNode *an = &alloc->nodes[m];
            SchedAvail *a = &s->avail[an->node];
            g_assert (a->cpus >= an->cpus && a->gpus >= an->gpus && a->mem >= an->mem_mb);
            a->cpus -= an->cpus;
            a->gpus -= an->gpus;
            a->mem -= an->mem_mb;
          }
    }
}

void
sched__profile_check (const SchedProfile *p)
{
  for (guint i = 0; i < p->steps->len; i++)
    {
      const Step *s = step_at (p, i);
      g_assert_cmpint (s->free, >=, 0);
      if (i > 0)
        g_assert_cmpint (s->time, >, step_at (p, i - 1)->time);
    }
}

void
sched__profile_advance (SchedProfile *p, SchedTime now)
{
  g_assert (p->counting);
  if (!complete (p) && step_at (p, p->steps->len - 1)->time < now)
    {
      p->stale = TRUE; /* the step covering `now` is not materialized */
      return;
    }
  guint len = p->steps->len, k = 0;
  while (k + 1 < len && step_at (p, k + 1)->time <= now)
    k++;
  if (k > 0)
    g_array_remove_range (p->steps, 0, k);
  g_assert (step_at (p, 0)->time <= now);
  step_at (p, 0)->time = now;
}

gint64
sched__profile_free_now (const SchedProfile *p)
{
  return step_at (p, 0)->free;
}
