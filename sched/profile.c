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

#include <string.h>

typedef struct {
  SchedTime time;
  gint64    free;      /* counting: free CPUs */
  SchedAvail *avail;   /* node: per-node availability (owned) */
} Step;

struct _SchedProfile {
  SchedCore *core;
  gboolean   counting;
  GArray    *steps;    /* Step */
  SchedAvail *tmp;     /* node: scratch minimum vector */
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

static void
step_clear (gpointer p)
{
  Step *s = p;
  g_clear_pointer (&s->avail, g_free);
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

  Step s0 = { .time = now, .free = (gint64) core->free_cpus };
  if (!counting)
    {
      s0.avail = g_new0 (SchedAvail, core->n_nodes);
      for (guint32 n = 0; n < core->n_nodes; n++)
        {
          const SchedNodeState *ns = &core->nodes[n];
          if (!ns->down && !ns->drain)
            s0.avail[n] = (SchedAvail) { ns->free_cpus, ns->free_gpus, ns->free_mem };
        }
      p->tmp = g_new0 (SchedAvail, core->n_nodes);
    }
  g_array_append_val (p->steps, s0);
  for (guint i = 0; i < nr; i++)
    {
      Step *last = &g_array_index (p->steps, Step, p->steps->len - 1);
      const SchedJob *j = rel[i].job;
      if (last->time != rel[i].time)
        {
          Step s = { .time = rel[i].time, .free = last->free };
          if (!counting)
            s.avail = avail_dup (p, last->avail);
          g_array_append_val (p->steps, s);
          last = &g_array_index (p->steps, Step, p->steps->len - 1);
        }
      last->free += j->alloc.cpus;
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
  g_free (p);
}

static inline Step *
step_at (const SchedProfile *p, guint i)
{
  return &g_array_index (p->steps, Step, i);
}

static SchedTime
earliest_counting (SchedProfile *p, gint64 need, SchedTime dur)
{
  guint len = p->steps->len;
  guint i = 0;
  while (i < len)
    {
      if (step_at (p, i)->free < need)
        {
          i++;
          continue;
        }
      SchedTime t = step_at (p, i)->time, end = t + dur;
      guint j = i + 1;
      while (j < len && step_at (p, j)->time < end && step_at (p, j)->free >= need)
        j++;
      if (j >= len || step_at (p, j)->time >= end)
        return t;
      i = j + 1;
    }
  return SCHED_TIME_NEVER;
}

static SchedTime
earliest_node (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc)
{
  guint len = p->steps->len;
  gsize vbytes = sizeof (SchedAvail) * p->core->n_nodes;
  for (guint i = 0; i < len; i++)
    {
      SchedTime t = step_at (p, i)->time, end = t + j->spec.time_limit;
      memcpy (p->tmp, step_at (p, i)->avail, vbytes);
      for (guint k = i + 1; k < len && step_at (p, k)->time < end; k++)
        {
          const SchedAvail *a = step_at (p, k)->avail;
          for (guint32 n = 0; n < p->core->n_nodes; n++)
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

SchedTime
sched__profile_earliest (SchedProfile *p, const SchedJob *j, SchedAlloc *alloc)
{
  if (p->counting)
    return earliest_counting (p, (gint64) j->cpus, j->spec.time_limit);
  return earliest_node (p, j, alloc);
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
  Step ns = { .time = t, .free = s->free };
  if (!p->counting)
    ns.avail = avail_dup (p, s->avail);
  g_array_insert_val (p->steps, lo + 1, ns);
  return lo + 1;
}

void
sched__profile_reserve (SchedProfile *p, const SchedJob *j, SchedTime start,
                        const SchedAlloc *alloc)
{
  g_assert (start >= step_at (p, 0)->time);
  SchedTime end = start + j->spec.time_limit;
  guint i = split_at (p, start);
  guint e = end > start ? split_at (p, end) : i;
  gint64 cpus = p->counting ? (gint64) j->cpus : (gint64) alloc->cpus;
  for (guint k = i; k < e; k++)
    {
      Step *s = step_at (p, k);
      s->free -= cpus;
      g_assert (s->free >= 0);
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
