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
 *    (the processor-pool view of SWF traces).  The steps live in blocks with summaries
 *    (sched/steps-private.h), so reserve() and a candidate start of earliest() cost
 *    O(block + blocks crossed), not O(steps of the interval), and earliest() starts at
 *    what searches of shapes the job dominates found before (earliest_counting).
 *  - node: per step, a vector of per-node free CPUs, GPUs and memory (in one slab per
 *    profile), and the few nodes whose values may differ from the step before (Step.chg).
 *    earliest() finds the first step at which node selection succeeds on the per-node
 *    minimum over the job's interval, the price of exactness for heterogeneous requests;
 *    a sweep over the changed nodes rules out the steps where it cannot, so selection runs
 *    about once per search, and a search starts where an earlier one of the same shape
 *    ended (Memo): O(steps + changes + nodes) per search in the common case,
 *    O(steps x nodes) at worst.  A job whose constraint has bracket alternatives
 *    ("[rack1|rack2]": all its nodes from one) is searched once per alternative, each
 *    search bounded by the best start found so far, and takes the earliest (ties: the
 *    first alternative, the order Slurm tries them in).  Building is
 *    O(running log running + steps x nodes). */
#include "sched/core-private.h"
#include "sched/heap.h"
#include "sched/steps-private.h"

#include <string.h>

/* Changes a step keeps by node before it says "any node" */
#define STEP_CHG 7

typedef struct {
  SchedTime time;
  gint64    free;      /* free CPUs (both kinds; the node kind keeps it as a quick bound) */
  gint64    gfree;     /* node: free GPUs in all */
  guint32   vec;       /* node: its per-node availability, vector `vec` of the slab */
  gint32    n_chg;     /* node: entries of chg; -1: any node may differ (step 0, or more
                        * changes than chg holds) */
  guint32   chg[STEP_CHG]; /* node: the nodes whose availability may differ from the
                            * previous step's (duplicates allowed) */
} Step;

/* A node that a node-profile search considers (earliest_node). */
struct Watch {
  guint32              node;
  gint64               from;     /* the first step from which no step swept refuses it;
                                  * G_MAXINT64 while the last step swept does */
  const SchedNodeSpec *ns;
};

/* What a node-profile search depends on in a job: its shape, and the alternative of its
 * constraint searched.  All fields 4 or 8 bytes, in that order, so the struct has no
 * padding and compares with memcmp. */
typedef struct {
  guint32   tasks, cpus_per_task, min_nodes, max_nodes, gpus_per_node, gpu_type;
  guint64   mem_per_node_mb;
  SchedTime plan;
  gint32    part;
  guint32   exclusive;
  guint32   constraint;
  guint32   tasks_per_node;
  guint32   alt;          /* bracket alternative (0 without brackets) */
  guint32   nodes_required;
} ShapeKey;

/* The earliest start a job of shape `key` can still have in the profile: searches only
 * find later starts as the profile fills (see earliest_node). */
typedef struct {
  ShapeKey  key;
  SchedTime lb;   /* SCHED_TIME_NEVER: none */
} Memo;

G_STATIC_ASSERT (sizeof (ShapeKey) == 6 * 4 + 2 * 8 + 6 * 4);

#define MEMO_MAX 32

/* A reservation that ends beyond the materialized steps of a lazy counting profile. */
typedef struct {
  SchedTime time;
  gint64    cpus;
} PendEnd;

/* What a counting-profile search found for a job of `need` CPUs for `dur` seconds: it
 * starts at `t` or later, and so does any job of at least as many CPUs for at least as
 * long (see earliest_counting). */
typedef struct {
  gint64    need;
  SchedTime dur;
  SchedTime t;
} CountMemo;

#define COUNT_MEMO_MAX 8

struct _SchedProfile {
  SchedCore *core;
  gboolean   counting;
  GArray    *steps;    /* node: Step */
  SchedSteps *cs;      /* counting: free CPUs over time */
  CountMemo  cmemo[COUNT_MEMO_MAX]; /* counting: what earlier searches found */
  guint      n_cmemo, cmemo_next;
  SchedAvail *slab;    /* node: the steps' per-node vectors, n_nodes entries each */
  guint32    slab_len, slab_cap;  /* vectors */
  SchedAvail *tmp;     /* node: scratch minimum vector */
  struct Watch *watch; /* node: scratch, the nodes a search considers */
  guint32   *widx;     /* node: node -> its index in watch, G_MAXUINT32 if not watched */
  GArray    *memo;     /* node: Memo, what earlier searches of this profile found */
  gint64     min_from; /* node: the least Watch.from, when min_valid */
  gboolean   min_valid;
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

static inline gboolean
release_less (const Release *a, const Release *b)
{
  return a->time < b->time || (a->time == b->time && a->job->seq < b->job->seq);
}

/* Sorts `n` releases by time, then submission order (a total order, so any sort gives
 * the same result), using `tmp` (n entries): runs of 8 by insertion, then bottom-up
 * merges, with the comparison inlined (the running set is sorted at every pass).  Returns
 * the sorted array: `r` or `tmp`. */
static Release *
release_sort (Release *r, Release *tmp, guint n)
{
  const guint run = 8;
  for (guint lo = 0; lo < n; lo += run)
    {
      guint hi = MIN (lo + run, n);
      for (guint i = lo + 1; i < hi; i++)
        {
          Release v = r[i];
          guint k = i;
          for (; k > lo && release_less (&v, &r[k - 1]); k--)
            r[k] = r[k - 1];
          r[k] = v;
        }
    }
  for (guint w = run; w < n; w *= 2)
    {
      for (guint lo = 0; lo < n; lo += 2 * w)
        {
          guint mid = MIN (lo + w, n), hi = MIN (lo + 2 * w, n), a = lo, b = mid, o = lo;
          while (a < mid && b < hi)
            tmp[o++] = release_less (&r[b], &r[a]) ? r[b++] : r[a++];
          while (a < mid)
            tmp[o++] = r[a++];
          while (b < hi)
            tmp[o++] = r[b++];
        }
      Release *t = r;
      r = tmp;
      tmp = t;
    }
  return r;
}

static inline Step *step_at (const SchedProfile *p, guint i);

/* The per-node availability of step `s` of a node profile (valid until the next step is
 * added). */
static inline SchedAvail *
step_avail (const SchedProfile *p, const Step *s)
{
  return p->slab + (gsize) s->vec * p->core->n_nodes;
}

/* Gives step `s` a new vector of the slab, a copy of `from`'s (or unset if NULL). */
static void
step_new_vec (SchedProfile *p, Step *s, const Step *from)
{
  guint32 nn = p->core->n_nodes;
  if (p->slab_len == p->slab_cap)
    {
      p->slab_cap = MAX (16, 2 * p->slab_cap);
      p->slab = g_renew (SchedAvail, p->slab, (gsize) p->slab_cap * nn);
    }
  guint32 from_vec = from ? from->vec : 0;
  s->vec = p->slab_len++;
  if (from)
    memcpy (p->slab + (gsize) s->vec * nn, p->slab + (gsize) from_vec * nn,
            sizeof (SchedAvail) * nn);
}

/* Notes that the nodes of `alloc` may differ at step `s` from the step before it. */
static void
step_note_alloc (Step *s, const SchedAlloc *alloc)
{
  if (s->n_chg < 0)
    return;
  if ((guint32) s->n_chg + alloc->n_nodes > STEP_CHG)
    {
      s->n_chg = -1;
      return;
    }
  for (guint32 k = 0; k < alloc->n_nodes; k++)
    s->chg[s->n_chg++] = alloc->nodes[k].node;
}

static SchedProfile *
profile_new (SchedCore *core, SchedTime now, gboolean counting, gboolean complete_now)
{
  SchedProfile *p = g_new0 (SchedProfile, 1);
  p->core = core;
  p->counting = counting;
  p->now = now;
  if (counting)
    {
      p->cs = sched__steps_new (now, (gint64) core->free_cpus);
      p->it_storage = g_array_new (FALSE, FALSE, sizeof (guint32));
      p->pend = g_array_new (FALSE, FALSE, sizeof (PendEnd));
      if (!complete_now
          && (core->running->len == 0
              || ((const SchedJob *) core->running->pdata[0])->end_limit > now))
        {
          /* lazy: steps come from the running heap in end order as searches need them */
          sched__run_iter_init (core, &p->it, p->it_storage);
          p->live = TRUE;
          p->n_left = core->running->len;
          return p;
        }
      /* Asked for every step, or a job outlived its estimate (releases are no longer in
       * heap order): sort the releases. */
      guint nr = core->running->len;
      g_autofree Release *buf = g_new (Release, 2 * nr + 1);   /* never NULL: buf + nr */
      for (guint i = 0; i < nr; i++)
        {
          const SchedJob *j = core->running->pdata[i];
          buf[i] = (Release) { sched__release_time (j, now), j };
        }
      const Release *rel = release_sort (buf, buf + nr, nr);
      gint64 free = (gint64) core->free_cpus;
      for (guint i = 0; i < nr;)
        {
          /* a step per release time (all after `now`) */
          SchedTime t = rel[i].time;
          for (; i < nr && rel[i].time == t; i++)
            free += rel[i].job->alloc.cpus;
          sched__steps_append (p->cs, t, free);
        }
      return p;
    }
  p->steps = g_array_sized_new (FALSE, TRUE, sizeof (Step), core->running->len + 16);

  guint nr = core->running->len;
  g_autofree Release *buf = g_new (Release, 2 * nr + 1);
  for (guint i = 0; i < nr; i++)
    {
      const SchedJob *j = core->running->pdata[i];
      buf[i] = (Release) { sched__release_time (j, now), j };
    }
  const Release *rel = release_sort (buf, buf + nr, nr);

  Step s0 = { .time = now, .free = (gint64) core->free_cpus, .n_chg = -1 };
  if (!counting)
    {
      /* room for the steps of the running jobs and of a few reservations */
      p->slab_cap = 2 * nr + 16;
      p->slab = g_new (SchedAvail, (gsize) p->slab_cap * core->n_nodes);
      step_new_vec (p, &s0, NULL);
      s0.gfree = (gint64) sched__avail_now (core, step_avail (p, &s0));
      p->tmp = g_new0 (SchedAvail, core->n_nodes);
      p->watch = g_new (struct Watch, core->n_nodes);
      p->widx = g_new (guint32, core->n_nodes);
      memset (p->widx, 0xff, sizeof (guint32) * core->n_nodes);
      p->memo = g_array_new (FALSE, FALSE, sizeof (Memo));
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
            step_new_vec (p, &s, last);
          g_array_append_val (p->steps, s);
          last = &g_array_index (p->steps, Step, p->steps->len - 1);
        }
      last->free += j->alloc.cpus;
      last->gfree += j->alloc.gpus;
      if (!counting)
        step_note_alloc (last, &j->alloc);
      SchedAvail *la = counting ? NULL : step_avail (p, last);
      if (!counting)
        for (guint32 k = 0; k < j->alloc.n_nodes; k++)
          {
            const SchedAllocNode *an = &j->alloc.nodes[k];
            const SchedNodeState *ns = &core->nodes[an->node];
            if (ns->down || ns->drain)
              continue;
            la[an->node].cpus += an->cpus;
            la[an->node].gpus += an->gpus;
            la[an->node].mem += an->mem_mb;
          }
    }
  return p;
}

SchedProfile *
sched__profile_new (SchedCore *core, SchedTime now, gboolean counting)
{
  return profile_new (core, now, counting, FALSE);
}

SchedProfile *
sched__profile_new_complete (SchedCore *core, SchedTime now)
{
  return profile_new (core, now, TRUE, TRUE);
}

void
sched__profile_free (SchedProfile *p)
{
  if (p == NULL)
    return;
  if (p->steps)
    g_array_free (p->steps, TRUE);
  sched__steps_free (p->cs);
  g_free (p->slab);
  g_free (p->tmp);
  g_free (p->watch);
  g_free (p->widx);
  if (p->memo)
    g_array_free (p->memo, TRUE);
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
  gint64 free = sched__steps_last_value (p->cs);
  while (p->n_left > 0 && (r = sched__run_iter_peek (p->core, &p->it)) != NULL
         && sched__release_time (r, p->now) == t)
    {
      free += r->alloc.cpus;
      sched__run_iter_pop (p->core, &p->it);
      p->n_left--;
    }
  while (p->pend->len > 0 && g_array_index (p->pend, PendEnd, 0).time == t)
    {
      free += g_array_index (p->pend, PendEnd, 0).cpus;
      pend_heap_pop (p->pend, NULL);
    }
  sched__steps_append (p->cs, t, free);   /* (asserts t after the last step) */
  return TRUE;
}

static gboolean
more_func (gpointer data)
{
  return more (data);
}

/* The earliest step from which `need` CPUs stay free for `dur` seconds, materializing
 * steps as the search needs them; SCHED_TIME_NEVER if there is none or the profile is stale.
 *
 * The search starts at a lower bound from earlier searches of this profile (cmemo): a
 * profile only loses free CPUs between searches (reservations and starts; splitting a step
 * or materializing one changes no value), so the times at which a job fits only shrink, and
 * a job of at least `need` CPUs for at least `dur` seconds fits only where one of `need`
 * for `dur` does.  Its earliest start is therefore at or after what a search of any shape
 * it dominates found.  In a conservative schedule, where most jobs go to its end, this
 * skips the steps that the jobs before placed. */
static SchedTime
earliest_counting (SchedProfile *p, gint64 need, SchedTime dur)
{
  SchedTime lb = G_MININT64;
  gint same = -1;
  for (guint m = 0; m < p->n_cmemo; m++)
    {
      const CountMemo *c = &p->cmemo[m];
      if (c->need <= need && c->dur <= dur)
        {
          lb = MAX (lb, c->t);
          if (c->need == need && c->dur == dur)
            same = (gint) m;
        }
    }
  gboolean open;
  SchedTime t = sched__steps_earliest (p->cs, need, dur, lb, more_func, p, &open);
  if (t == SCHED_TIME_NEVER || p->stale)
    return open && p->stale ? SCHED_TIME_NEVER : t;  /* complete: the last step lasts */
  if (same < 0)
    {
      if (p->n_cmemo < COUNT_MEMO_MAX)
        same = (gint) p->n_cmemo++;
      else
        same = (gint) (p->cmemo_next++ % COUNT_MEMO_MAX);
      p->cmemo[same].need = need;
      p->cmemo[same].dur = dur;
    }
  p->cmemo[same].t = t;
  return t;
}

#ifdef SCHED_PROFILE_VERIFY
/* Verification builds: the search as it was before the blocks and the lower bounds, a pass
 * over the materialized steps from the first, and a check that both agree.  Every step the
 * reference needs is materialized: the steps before the start found end its candidates,
 * and the fast search materialized its interval. */
static SchedTime
earliest_counting_verified (SchedProfile *p, gint64 need, SchedTime dur)
{
  SchedTime t = earliest_counting (p, need, dur);
  if (p->stale)
    return t;
  sched__steps_check (p->cs);
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (SchedTime));
  g_autoptr (GArray) frees = g_array_new (FALSE, FALSE, sizeof (gint64));
  sched__steps_flatten (p->cs, times, frees);
  guint len = times->len, i = 0;
  SchedTime ref = SCHED_TIME_NEVER;
  for (;;)
    {
      if (i >= len)
        {
          g_assert (complete (p));
          break;
        }
      if (g_array_index (frees, gint64, i) < need)
        {
          i++;
          continue;
        }
      SchedTime s = g_array_index (times, SchedTime, i), end = s + dur;
      guint j = i + 1;
      while (j < len && g_array_index (times, SchedTime, j) < end
             && g_array_index (frees, gint64, j) >= need)
        j++;
      if (j >= len)
        g_assert (complete (p));
      if (j >= len || g_array_index (times, SchedTime, j) >= end)
        {
          ref = s;
          break;
        }
      i = j + 1;
    }
  g_assert_cmpint (t, ==, ref);
  return t;
}
#define earliest_counting earliest_counting_verified
#endif

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
  memcpy (m, step_avail (p, step_at (p, i)), sizeof (SchedAvail) * nn);
  for (guint k = i + 1; k < e; k++)
    {
      const Step *s = step_at (p, k);
      const SchedAvail *a = step_avail (p, s);
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

/* Updates watched node `w` for step k, whose availability of it is `a`, and the least
 * Watch.from. */
static inline void
watch_step (SchedProfile *p, struct Watch *w, const NodeNeed *nd, const SchedAvail *a, guint k)
{
  gint64 old = w->from;
  if (node_refuses (nd, a, w->ns))
    w->from = G_MAXINT64;
  else if (old == G_MAXINT64)
    w->from = k;
  if (w->from < p->min_from)
    p->min_from = w->from;
  else if (w->from > old && old == p->min_from)
    p->min_valid = FALSE;
}

/* Sweeps step k: the watched nodes it may change. */
static void
sweep_step (SchedProfile *p, const NodeNeed *nd, guint32 nw, guint k)
{
  const Step *s = step_at (p, k);
  const SchedAvail *a = step_avail (p, s);
  if (s->n_chg < 0)
    {
      for (guint32 c = 0; c < nw; c++)
        watch_step (p, &p->watch[c], nd, &a[p->watch[c].node], k);
      return;
    }
  for (gint32 x = 0; x < s->n_chg; x++)
    {
      guint32 c = p->widx[s->chg[x]];
      if (c != G_MAXUINT32)
        watch_step (p, &p->watch[c], nd, &a[s->chg[x]], k);
    }
}

/* The earliest step i (at or before `horizon`) at which node selection succeeds on the
 * per-node minimum over the job's interval [t_i, t_i + plan), that is over steps [i, e(i)).
 *
 * Node selection only runs where it can succeed.  First, a step of the interval short of
 * the job's CPUs or GPUs in all rules the start out.  Then, a node is a candidate of
 * selection on the minimum only if every step of the interval leaves it what one task
 * needs (a minimum is below a threshold exactly when some step is).  A sweep over the
 * steps keeps, per node, the first step from which no step swept refuses it (and the least
 * of these), reading at each step only the nodes it may change (Step.chg), so the
 * candidates of a start at step i are the nodes not refused from i on.  With fewer of them
 * than the job's minimum node count, or fewer task slots on their minima than its tasks,
 * selection would fail: the step is skipped without it.  For a job on one node (one task,
 * or at most one node) a candidate able to hold every task is also enough for selection
 * to succeed, so selection runs once, where it succeeds.  Selection itself always runs on
 * the full minimum vector, as without the sweep: the same starts, the same nodes.
 *
 * Within one profile a search starts at the start an earlier search of the same shape
 * found (Memo), or past the horizon it searched up to.  That is sound because a profile
 * only loses resources between searches (reservations and starts; splitting a step
 * changes no value), and selection that succeeds on less succeeds on more: its candidates,
 * their task slots and the fewest nodes that hold the tasks can only improve with more
 * free at every node.  So the set of times at which a shape fits only shrinks, and its
 * earliest element (always at a step's start: moving a start back to its step's start
 * adds only that step to the interval) only moves later.
 *
 * This searches one alternative `alt` of the job's constraint: among `nodes` (n_nodes),
 * the nodes of its partition that the alternative admits (sched__constraint_nodes). */
static SchedTime
earliest_node_alt (SchedProfile *p, const SchedJob *j, guint32 alt, const guint32 *nodes,
                   guint32 n_nodes, SchedAlloc *alloc, SchedTime horizon)
{
  const SchedCore *core = p->core;
  const SchedJobSpec *spec = &j->spec;
  const SchedPartitionSpec *part = sched_cluster_partition (core->cluster, j->part);
  ShapeKey key;
  memset (&key, 0, sizeof key);
  key = (ShapeKey) { spec->tasks, spec->cpus_per_task, spec->min_nodes, spec->max_nodes,
                     spec->gpus_per_node, spec->gpu_type, spec->mem_per_node_mb, j->plan,
                     j->part, (guint32) spec->exclusive, spec->constraint,
                     spec->tasks_per_node, alt, spec->nodes_required };
  Memo *memo = NULL;
  for (guint m = 0; m < p->memo->len && memo == NULL; m++)
    if (memcmp (&g_array_index (p->memo, Memo, m).key, &key, sizeof key) == 0)
      memo = &g_array_index (p->memo, Memo, m);
  if (memo == NULL)
    {
      Memo fresh = { key, G_MININT64 };
      if (p->memo->len == MEMO_MAX)
        g_array_remove_index (p->memo, 0);
      g_array_append_val (p->memo, fresh);
      memo = &g_array_index (p->memo, Memo, p->memo->len - 1);
    }
  if (memo->lb > horizon)
    return SCHED_TIME_NEVER;
  /* the first step at or after the bound */
  guint i0 = 0, hi = p->steps->len;
  while (i0 < hi)
    {
      guint mid = (i0 + hi) / 2;
      if (step_at (p, mid)->time < memo->lb)
        i0 = mid + 1;
      else
        hi = mid;
    }
  guint32 n_required;
  (void) sched__node_set_mask (core, spec->nodes_required, &n_required);
  guint32 need_nodes = MAX (MAX (spec->min_nodes, 1), n_required);
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
  for (guint32 x = 0; x < n_nodes; x++)
    {
      guint32 n = nodes[x];
      const SchedNodeSpec *ns = sched_cluster_node (core->cluster, n);
      if (spec->gpus_per_node > 0 && spec->gpu_type != 0 && ns->gpu_type != spec->gpu_type)
        continue;
      if (ns->cpus < nd.cpus || ns->gpus < nd.gpus || ns->mem_mb < nd.mem)
        continue;
      p->widx[n] = nw;
      p->watch[nw++] = (struct Watch) { n, 0, ns };
    }
  SchedTime found = SCHED_TIME_NEVER;
  p->min_from = 0;
  p->min_valid = TRUE;
  gint64 need_cpus = (gint64) j->cpus, need_gpus = min_gpus (j);
  guint len = nw >= need_nodes ? p->steps->len : 0, e = 0, swept = 0, checked = 0;
  gint64 short_step = -1;  /* the last step in [0, checked) short of the totals */
  for (guint i = i0; i < len && step_at (p, i)->time <= horizon; i++)
    {
      SchedTime end = step_at (p, i)->time + j->plan;
      if (e < i + 1)
        e = i + 1;
      while (e < len && step_at (p, e)->time < end)
        e++;
      for (checked = MAX (checked, i); checked < e; checked++)
        if (step_at (p, checked)->free < need_cpus || step_at (p, checked)->gfree < need_gpus)
          short_step = checked;
      if (short_step >= (gint64) i)
        continue;  /* a step of the interval is short of the totals */
      if (swept < i)
        {
          /* steps before i do not matter to starts from i on: restart the sweep there */
          const SchedAvail *a = step_avail (p, step_at (p, i));
          for (guint32 c = 0; c < nw; c++)
            p->watch[c].from = node_refuses (&nd, &a[p->watch[c].node], p->watch[c].ns)
                               ? G_MAXINT64 : (gint64) i;
          p->min_valid = FALSE;
          swept = i + 1;
        }
      for (; swept < e; swept++)
        sweep_step (p, &nd, nw, swept);
      if (!p->min_valid)
        {
          p->min_from = G_MAXINT64;
          for (guint32 c = 0; c < nw; c++)
            p->min_from = MIN (p->min_from, p->watch[c].from);
          p->min_valid = TRUE;
        }
      if (p->min_from > (gint64) i)
        continue;  /* no candidate */
      guint32 ok = 0;
      for (guint32 c = 0; c < nw && ok < need_nodes; c++)
        ok += p->watch[c].from <= (gint64) i;
      if (ok < need_nodes)
        continue;
      window_min (p, i, e);
      if (!exact)
        {
          guint64 slots = 0;
          for (guint32 c = 0; c < nw; c++)
            if (p->watch[c].from <= (gint64) i)
              {
                guint32 fit = p->tmp[p->watch[c].node].cpus / spec->cpus_per_task;
                if (spec->tasks_per_node > 0 && fit > spec->tasks_per_node)
                  fit = spec->tasks_per_node;
                slots += fit;
              }
          if (slots < spec->tasks)
            continue;
        }
      if (sched__select_nodes_on (core, spec, j->part, p->tmp, nodes, n_nodes, alloc))
        {
          found = step_at (p, i)->time;
          break;
        }
    }
  for (guint32 c = 0; c < nw; c++)
    p->widx[p->watch[c].node] = G_MAXUINT32;
  /* nothing starts before `found`, or at or before `horizon` */
  memo->lb = found != SCHED_TIME_NEVER ? found
             : horizon == SCHED_TIME_NEVER ? SCHED_TIME_NEVER : horizon + 1;
  return found;
}

/* The earliest step at or before `horizon` at which `j` fits (earliest_node_alt), over
 * the alternatives of its constraint: all of a job's nodes come from one alternative, the
 * one that starts it first; on a tie the first in the order written (Slurm's backfill
 * keeps the first of equal will-run starts).  A later alternative is only searched up to
 * a second before the best start so far, and not at all once that is the profile's
 * start, so a job that fits now on its first alternative costs one search. */
static SchedTime
earliest_node (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc, SchedTime horizon)
{
  const SchedCore *core = p->core;
  guint32 c = j->spec.constraint, n;
  const SchedPartitionSpec *ps = sched_cluster_partition (core->cluster, j->part);
  if (c == 0)
    return earliest_node_alt (p, j, 0, ps->nodes, ps->n_nodes, alloc, horizon);
  guint32 n_alts = sched__constraint_n_alts (core, c);
  if (n_alts == 1)
    {
      const guint32 *nodes = sched__constraint_nodes (core, c, 0, j->part, ps, &n);
      return earliest_node_alt (p, j, 0, nodes, n, alloc, horizon);
    }
  SchedTime best = SCHED_TIME_NEVER, first = step_at (p, 0)->time;
  for (guint32 a = 0; a < n_alts && best != first; a++)
    {
      SchedTime h = best == SCHED_TIME_NEVER ? horizon : MIN (horizon, best - 1);
      SchedAlloc cand = { 0 };
      const guint32 *nodes = sched__constraint_nodes (core, c, a, j->part, ps, &n);
      SchedTime t = earliest_node_alt (p, j, a, nodes, n, &cand, h);
      if (t == SCHED_TIME_NEVER)
        continue;
      g_assert (best == SCHED_TIME_NEVER || t < best);
      sched_alloc_clear (alloc);
      *alloc = cand;
      best = t;
    }
  return best;
}

#ifdef SCHED_PROFILE_VERIFY
/* Verification builds (-DSCHED_PROFILE_VERIFY): the search as it was before the sweep, a
 * selection at every step whose totals suffice on the full minimum vector, and a check
 * that the sweep finds the same start and the same nodes. */
static SchedTime
earliest_node_reference (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc,
                         SchedTime horizon)
{
  guint len = p->steps->len;
  gint64 need_cpus = (gint64) j->cpus, need_gpus = min_gpus (j);
  for (guint i = 0; i < len && step_at (p, i)->time <= horizon; i++)
    {
      SchedTime t = step_at (p, i)->time, end = t + j->plan;
      gboolean enough = TRUE;
      guint k;
      for (k = i; k < len && (k == i || step_at (p, k)->time < end) && enough; k++)
        enough = step_at (p, k)->free >= need_cpus && step_at (p, k)->gfree >= need_gpus;
      if (!enough)
        continue;
      guint e = i + 1;
      while (e < len && step_at (p, e)->time < end)
        e++;
      guint32 nn = p->core->n_nodes;
      memcpy (p->tmp, step_avail (p, step_at (p, i)), sizeof (SchedAvail) * nn);
      for (k = i + 1; k < e; k++)
        {
          const SchedAvail *a = step_avail (p, step_at (p, k));
          for (guint32 n = 0; n < nn; n++)
            {
              p->tmp[n].cpus = MIN (p->tmp[n].cpus, a[n].cpus);
              p->tmp[n].gpus = MIN (p->tmp[n].gpus, a[n].gpus);
              p->tmp[n].mem = MIN (p->tmp[n].mem, a[n].mem);
            }
        }
      if (sched__select_nodes (p->core, &j->spec, j->part, p->tmp, alloc))
        return t;
    }
  return SCHED_TIME_NEVER;
}

static SchedTime
earliest_node_verified (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc,
                        SchedTime horizon)
{
  SchedAlloc ref = { 0 };
  SchedTime t = earliest_node (p, j, alloc, horizon);
  SchedTime tr = earliest_node_reference (p, j, &ref, horizon);
  g_assert_cmpint (t, ==, tr);
  if (t != SCHED_TIME_NEVER)
    {
      g_assert_cmpuint (alloc->n_nodes, ==, ref.n_nodes);
      g_assert_cmpuint (alloc->cpus, ==, ref.cpus);
      g_assert_cmpuint (alloc->gpus, ==, ref.gpus);
      g_assert_cmpmem (alloc->nodes, sizeof (SchedAllocNode) * alloc->n_nodes, ref.nodes,
                       sizeof (SchedAllocNode) * ref.n_nodes);
    }
  sched_alloc_clear (&ref);
  return t;
}
#define earliest_node earliest_node_verified
#endif

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
    step_new_vec (p, &ns, s);
  g_array_insert_val (p->steps, lo + 1, ns);
  return lo + 1;
}

void
sched__profile_reserve (SchedProfile *p, const SchedJob *j, SchedTime start,
                        const SchedAlloc *alloc)
{
  sched__profile_reserve_for (p, j, start, j->plan, alloc);
}

/* Counting profile: holds j->cpus over [start, start + dur). */
static void
reserve_counting (SchedProfile *p, const SchedJob *j, SchedTime start, SchedTime dur)
{
  SchedTime end = start + dur;
  if (end <= start)
    sched__steps_split (p->cs, start);
  else if (!complete (p) && end > sched__steps_last_time (p->cs))
    {
      /* the end lies beyond the materialized steps: hold the CPUs to the last step and
       * give them back when the step at `end` is materialized */
      sched__steps_add (p->cs, start, SCHED_TIME_NEVER, -(gint64) j->cpus);
      pend_heap_push (p->pend, NULL, (PendEnd) { end, (gint64) j->cpus });
    }
  else
    sched__steps_add (p->cs, start, end, -(gint64) j->cpus);
#ifdef SCHED_PROFILE_VERIFY
  sched__steps_check (p->cs);
#endif
}

void
sched__profile_reserve_for (SchedProfile *p, const SchedJob *j, SchedTime start,
                            SchedTime dur, const SchedAlloc *alloc)
{
  g_assert (dur <= j->plan);
  if (p->counting)
    {
      g_assert (start >= sched__steps_first_time (p->cs));
      reserve_counting (p, j, start, dur);
      return;
    }
  g_assert (start >= step_at (p, 0)->time);
  SchedTime end = start + dur;
  guint i = split_at (p, start);
  guint e = end <= start ? i : split_at (p, end);
  gint64 cpus = (gint64) alloc->cpus;
  if (i < e)
    {
      /* the steps in between change with their predecessors */
      step_note_alloc (step_at (p, i), alloc);
      if (e < p->steps->len)
        step_note_alloc (step_at (p, e), alloc);
    }
  for (guint k = i; k < e; k++)
    {
      Step *s = step_at (p, k);
      s->free -= cpus;
      g_assert (s->free >= 0);
      s->gfree -= alloc->gpus;
      for (guint32 m = 0; m < alloc->n_nodes; m++)
        {
          const SchedAllocNode *an = &alloc->nodes[m];
          SchedAvail *a = &step_avail (p, s)[an->node];
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
  if (p->counting)
    {
      sched__steps_check (p->cs);
      return;
    }
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
  if (!complete (p) && sched__steps_last_time (p->cs) < now)
    {
      p->stale = TRUE; /* the step covering `now` is not materialized */
      return;
    }
  sched__steps_advance (p->cs, now);
}

gint64
sched__profile_free_now (const SchedProfile *p)
{
  return p->counting ? sched__steps_first_value (p->cs) : step_at (p, 0)->free;
}
