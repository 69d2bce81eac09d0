/* SPDX-License-Identifier: MIT */
/* sched/steps.c - a step function of time kept in blocks, for counting profiles.
 *
 * The steps are cut into blocks of at most BLOCK consecutive steps.  A directory, in time
 * order, keeps per block its first and last times, its step count, an amount added to
 * every value of the block (so that holding CPUs over whole blocks touches no step) and the
 * least and greatest values (before that amount).  A step is addressed by (block in the
 * directory, offset in it); blocks live in a pool and the directory refers to them by
 * index, so a block that splits moves no other block.
 *
 * Costs, with S steps in B = S / BLOCK blocks: finding a time, O(log S); splitting a step,
 * O(BLOCK) (a full block splits in two); adding over an interval, O(BLOCK + blocks in
 * it); a search, O(BLOCK + blocks crossed) per candidate start, as a block whose greatest
 * value is short of the need holds no start and one whose least value suffices and that
 * ends inside the interval holds no obstacle.  Appending is O(1).  BLOCK 16 measured
 * best on the RICC trace under conservative backfilling (8 about as good, 32 and 64
 * worse: partial blocks cost more than the directory saves). */
#include "sched/steps-private.h"

#include <string.h>

#define BLOCK 16

typedef struct {
  SchedTime t[BLOCK];
  gint64    v[BLOCK];   /* values before the directory entry's `add` */
} Block;

typedef struct {
  SchedTime first, last;  /* t[0] and t[n - 1] of the block */
  gint64    add;          /* added to every v[] of the block */
  gint64    min, max;     /* least and greatest v[] of the block */
  guint32   n;            /* steps, 1..BLOCK */
  guint32   b;            /* the block, in the pool */
} Dir;

struct _SchedSteps {
  Dir     *dir;
  guint    nd, dcap;
  Block   *pool;
  guint    npool, pcap;
  guint32 *spare;         /* pool blocks no longer in the directory */
  guint    nspare, scap;
  guint    len;           /* steps in all */
  guint    hint_d, hint_o; /* where the last search's start was (it may have moved since) */
};

static guint32
block_new (SchedSteps *s)
{
  if (s->nspare > 0)
    return s->spare[--s->nspare];
  if (s->npool == s->pcap)
    {
      s->pcap = MAX (8, 2 * s->pcap);
      s->pool = g_renew (Block, s->pool, s->pcap);
    }
  return s->npool++;
}

static void
block_drop (SchedSteps *s, guint32 b)
{
  if (s->nspare == s->scap)
    {
      s->scap = MAX (8, 2 * s->scap);
      s->spare = g_renew (guint32, s->spare, s->scap);
    }
  s->spare[s->nspare++] = b;
}

/* Inserts a directory entry at `d` (uninitialized) and returns it. */
static Dir *
dir_insert (SchedSteps *s, guint d)
{
  if (s->nd == s->dcap)
    {
      s->dcap = MAX (8, 2 * s->dcap);
      s->dir = g_renew (Dir, s->dir, s->dcap);
    }
  memmove (&s->dir[d + 1], &s->dir[d], sizeof (Dir) * (s->nd - d));
  s->nd++;
  return &s->dir[d];
}

static inline Block *
block_of (const SchedSteps *s, const Dir *e)
{
  return &s->pool[e->b];
}

static void
summarize (const SchedSteps *s, Dir *e)
{
  const Block *b = block_of (s, e);
  gint64 mn = b->v[0], mx = b->v[0];
  for (guint32 k = 1; k < e->n; k++)
    {
      mn = MIN (mn, b->v[k]);
      mx = MAX (mx, b->v[k]);
    }
  e->min = mn;
  e->max = mx;
  e->first = b->t[0];
  e->last = b->t[e->n - 1];
}

SchedSteps *
sched__steps_new (SchedTime t0, gint64 v0)
{
  SchedSteps *s = g_new0 (SchedSteps, 1);
  Dir *e = dir_insert (s, 0);
  *e = (Dir) { .b = block_new (s), .n = 1 };
  block_of (s, e)->t[0] = t0;
  block_of (s, e)->v[0] = v0;
  summarize (s, e);
  s->len = 1;
  return s;
}

void
sched__steps_free (SchedSteps *s)
{
  if (s == NULL)
    return;
  g_free (s->dir);
  g_free (s->pool);
  g_free (s->spare);
  g_free (s);
}

guint
sched__steps_len (const SchedSteps *s)
{
  return s->len;
}

SchedTime
sched__steps_first_time (const SchedSteps *s)
{
  return s->dir[0].first;
}

gint64
sched__steps_first_value (const SchedSteps *s)
{
  return block_of (s, &s->dir[0])->v[0] + s->dir[0].add;
}

SchedTime
sched__steps_last_time (const SchedSteps *s)
{
  return s->dir[s->nd - 1].last;
}

gint64
sched__steps_last_value (const SchedSteps *s)
{
  const Dir *e = &s->dir[s->nd - 1];
  return block_of (s, e)->v[e->n - 1] + e->add;
}

void
sched__steps_append (SchedSteps *s, SchedTime t, gint64 v)
{
  g_assert (t > sched__steps_last_time (s));
  Dir *e = &s->dir[s->nd - 1];
  if (e->n == BLOCK)
    {
      guint32 b = block_new (s);
      e = dir_insert (s, s->nd);
      *e = (Dir) { .first = t, .min = v, .max = v, .b = b };
    }
  Block *blk = block_of (s, e);
  gint64 raw = v - e->add;
  blk->t[e->n] = t;
  blk->v[e->n] = raw;
  e->n++;
  e->last = t;
  e->min = MIN (e->min, raw);
  e->max = MAX (e->max, raw);
  s->len++;
}

/* The last block whose first time is at or before `t` (0 if none is). */
static guint
dir_find (const SchedSteps *s, SchedTime t)
{
  guint lo = 0, hi = s->nd;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (s->dir[mid].first <= t)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* The last offset of block `e` whose time is at or before `t` (0 if none is). */
static guint
off_find (const SchedSteps *s, const Dir *e, SchedTime t)
{
  const Block *b = block_of (s, e);
  guint lo = 0, hi = e->n;
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (b->t[mid] <= t)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

/* Splits full block `d` into two halves. */
static void
block_split (SchedSteps *s, guint d)
{
  guint32 nb = block_new (s);   /* may move the pool */
  Dir *e = dir_insert (s, d + 1);
  Dir *old = &s->dir[d];
  const guint h = BLOCK / 2;
  Block *from = block_of (s, old), *to = &s->pool[nb];
  memcpy (to->t, from->t + h, sizeof (SchedTime) * (BLOCK - h));
  memcpy (to->v, from->v + h, sizeof (gint64) * (BLOCK - h));
  *e = (Dir) { .add = old->add, .n = BLOCK - h, .b = nb };
  old->n = h;
  summarize (s, old);
  summarize (s, e);
}

/* Makes `t` a step's start; sets (*pd, *po) to that step. */
static void
split_at (SchedSteps *s, SchedTime t, guint *pd, guint *po)
{
  if (s->hint_d < s->nd && s->hint_o < s->dir[s->hint_d].n
      && block_of (s, &s->dir[s->hint_d])->t[s->hint_o] == t)
    {
      /* the start a search just found, as a reservation there follows */
      *pd = s->hint_d;
      *po = s->hint_o;
      return;
    }
  guint d = dir_find (s, t);
  guint o = off_find (s, &s->dir[d], t);
  Block *b = block_of (s, &s->dir[d]);
  g_assert (b->t[o] <= t);
  if (b->t[o] == t)
    {
      *pd = d;
      *po = o;
      return;
    }
  o++;   /* the new step's offset: never 0, so the block's first time stays */
  if (s->dir[d].n == BLOCK)
    {
      block_split (s, d);
      if (o > BLOCK / 2)
        {
          d++;
          o -= BLOCK / 2;
        }
    }
  Dir *e = &s->dir[d];
  b = block_of (s, e);
  memmove (b->t + o + 1, b->t + o, sizeof (SchedTime) * (e->n - o));
  memmove (b->v + o + 1, b->v + o, sizeof (gint64) * (e->n - o));
  b->t[o] = t;
  b->v[o] = b->v[o - 1];   /* the same value: the summary holds */
  e->n++;
  if (o == e->n - 1)
    e->last = t;
  s->len++;
  *pd = d;
  *po = o;
}

void
sched__steps_split (SchedSteps *s, SchedTime t)
{
  guint d, o;
  g_assert (t >= sched__steps_first_time (s));
  split_at (s, t, &d, &o);
}

/* Adds `delta` to offsets [from, to) of block `d`. */
static void
add_part (SchedSteps *s, guint d, guint from, guint to, gint64 delta)
{
  Dir *e = &s->dir[d];
  if (from == 0 && to == e->n)
    e->add += delta;
  else if (delta < 0)
    {
      /* values only fall: the least is the least of the old one and the new values; the
       * greatest changes only if it was among the values changed */
      Block *b = block_of (s, e);
      gint64 mn = e->min;
      gboolean max_hit = FALSE;
      for (guint k = from; k < to; k++)
        {
          max_hit |= b->v[k] == e->max;
          b->v[k] += delta;
          mn = MIN (mn, b->v[k]);
        }
      e->min = mn;
      if (max_hit)
        {
          gint64 mx = b->v[0];
          for (guint k = 1; k < e->n; k++)
            mx = MAX (mx, b->v[k]);
          e->max = mx;
        }
    }
  else
    {
      Block *b = block_of (s, e);
      for (guint k = from; k < to; k++)
        b->v[k] += delta;
      summarize (s, e);
    }
  g_assert (e->min + e->add >= 0);
}

void
sched__steps_add (SchedSteps *s, SchedTime from, SchedTime to, gint64 delta)
{
  guint d0, o0, d1, o1;
  g_assert (from >= sched__steps_first_time (s));
  split_at (s, from, &d0, &o0);
  if (to == SCHED_TIME_NEVER)
    {
      d1 = s->nd - 1;
      o1 = s->dir[d1].n;
    }
  else
    {
      if (to <= from)
        return;
      guint nd = s->nd;
      split_at (s, to, &d1, &o1);
      if (s->nd != nd)
        {
          /* a block split, maybe the one of `from` */
          d0 = dir_find (s, from);
          o0 = off_find (s, &s->dir[d0], from);
        }
    }
  if (d0 == d1)
    {
      add_part (s, d0, o0, o1, delta);
      return;
    }
  add_part (s, d0, o0, s->dir[d0].n, delta);
  for (guint d = d0 + 1; d < d1; d++)
    {
      s->dir[d].add += delta;
      g_assert (s->dir[d].min + s->dir[d].add >= 0);
    }
  if (o1 > 0)
    add_part (s, d1, 0, o1, delta);
}

/* Past the last step: moves (*d, *o) to where the step `more` appends will be, and asks
 * for it.  FALSE if there is none. */
static inline gboolean
at_end (SchedSteps *s, guint *d, guint *o, SchedStepsMoreFunc more, gpointer data)
{
  *d = s->nd - 1;
  *o = s->dir[*d].n;   /* past a full block, the scans step on to the block appended */
  return more != NULL && more (data);
}

/* Moves (*d, *o) to the first step from it whose value is at least `need`.  FALSE if there
 * is none up to the last step and `more` has no more. */
static gboolean
next_fit (SchedSteps *s, gint64 need, guint *d, guint *o, SchedStepsMoreFunc more,
          gpointer data)
{
  guint dd = *d, oo = *o;
  for (;;)
    {
      for (; dd < s->nd; dd++, oo = 0)
        {
          const Dir *e = &s->dir[dd];
          if (e->max + e->add < need)
            continue;   /* no step of the block has it */
          const Block *b = block_of (s, e);
          gint64 raw = need - e->add;
          while (oo < e->n && b->v[oo] < raw)
            oo++;
          if (oo < e->n)
            {
              *d = dd;
              *o = oo;
              return TRUE;
            }
        }
      if (!at_end (s, &dd, &oo, more, data))
        return FALSE;
    }
}

/* Moves (*d, *o) to the first step from it that starts at or after `end` or whose value is
 * below `need`.  FALSE if there is none up to the last step and `more` has no more. */
static gboolean
next_stop (SchedSteps *s, gint64 need, SchedTime end, guint *d, guint *o,
           SchedStepsMoreFunc more, gpointer data)
{
  guint dd = *d, oo = *o;
  for (;;)
    {
      for (; dd < s->nd; dd++, oo = 0)
        {
          const Dir *e = &s->dir[dd];
          if (e->last < end && e->min + e->add >= need)
            continue;   /* every step of the block passes */
          const Block *b = block_of (s, e);
          gint64 raw = need - e->add;
          while (oo < e->n && b->t[oo] < end && b->v[oo] >= raw)
            oo++;
          if (oo < e->n)
            {
              *d = dd;
              *o = oo;
              return TRUE;
            }
        }
      if (!at_end (s, &dd, &oo, more, data))
        return FALSE;
    }
}

SchedTime
sched__steps_earliest (SchedSteps *s, gint64 need, SchedTime dur, SchedTime lb,
                       SchedStepsMoreFunc more, gpointer data, gboolean *open)
{
  guint d = 0, o = 0;
  *open = FALSE;
  if (lb > s->dir[0].first)
    {
      d = dir_find (s, lb);
      o = off_find (s, &s->dir[d], lb);
      if (block_of (s, &s->dir[d])->t[o] < lb)
        o++;
    }
  for (;;)
    {
      if (!next_fit (s, need, &d, &o, more, data))
        return SCHED_TIME_NEVER;
      SchedTime t = block_of (s, &s->dir[d])->t[o];
      s->hint_d = d;
      s->hint_o = o;
      o++;
      if (!next_stop (s, need, t + dur, &d, &o, more, data))
        {
          *open = TRUE;   /* the last step is in the interval */
          return t;
        }
      if (block_of (s, &s->dir[d])->t[o] >= t + dur)
        return t;
      o++;   /* step (d, o) is short: no start up to it fits */
    }
}

void
sched__steps_advance (SchedSteps *s, SchedTime now)
{
  g_assert (now >= sched__steps_first_time (s));
  guint d = dir_find (s, now);
  guint o = off_find (s, &s->dir[d], now);
  for (guint k = 0; k < d; k++)
    {
      s->len -= s->dir[k].n;
      block_drop (s, s->dir[k].b);
    }
  memmove (s->dir, s->dir + d, sizeof (Dir) * (s->nd - d));
  s->nd -= d;
  Dir *e = &s->dir[0];
  Block *b = block_of (s, e);
  if (o > 0)
    {
      memmove (b->t, b->t + o, sizeof (SchedTime) * (e->n - o));
      memmove (b->v, b->v + o, sizeof (gint64) * (e->n - o));
      e->n -= o;
      s->len -= o;
    }
  b->t[0] = now;
  summarize (s, e);
}

void
sched__steps_flatten (const SchedSteps *s, GArray *times, GArray *values)
{
  g_array_set_size (times, 0);
  g_array_set_size (values, 0);
  for (guint d = 0; d < s->nd; d++)
    {
      const Dir *e = &s->dir[d];
      const Block *b = block_of (s, e);
      for (guint k = 0; k < e->n; k++)
        {
          gint64 v = b->v[k] + e->add;
          g_array_append_val (times, b->t[k]);
          g_array_append_val (values, v);
        }
    }
}

void
sched__steps_check (const SchedSteps *s)
{
  guint len = 0;
  SchedTime prev = G_MININT64;
  g_assert_cmpuint (s->nd, >, 0);
  for (guint d = 0; d < s->nd; d++)
    {
      const Dir *e = &s->dir[d];
      const Block *b = block_of (s, e);
      g_assert_cmpuint (e->n, >=, 1);
      g_assert_cmpuint (e->n, <=, BLOCK);
      g_assert_cmpint (e->first, ==, b->t[0]);
      g_assert_cmpint (e->last, ==, b->t[e->n - 1]);
      gint64 mn = G_MAXINT64, mx = G_MININT64;
      for (guint k = 0; k < e->n; k++)
        {
          g_assert_cmpint (b->t[k], >, prev);
          prev = b->t[k];
          g_assert_cmpint (b->v[k] + e->add, >=, 0);
          mn = MIN (mn, b->v[k]);
          mx = MAX (mx, b->v[k]);
        }
      g_assert_cmpint (e->min, ==, mn);
      g_assert_cmpint (e->max, ==, mx);
      len += e->n;
    }
  g_assert_cmpuint (len, ==, s->len);
}
