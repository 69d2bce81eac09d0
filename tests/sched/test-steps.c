/* SPDX-License-Identifier: MIT */
/* tests/sched/test-steps.c - the blocked step function of sched/steps.c against a plain
 * array of (time, value) steps: random appends, splits, additions over intervals, advances
 * and earliest-start searches, the two compared after every operation (values, and the
 * start each search finds), with the block invariants checked as they go. */
#include <glib.h>

#include "sched/steps-private.h"

typedef struct {
  GArray *t;   /* SchedTime, increasing */
  GArray *v;   /* gint64 */
} Plain;

#define T(p, k) g_array_index ((p)->t, SchedTime, (k))
#define V(p, k) g_array_index ((p)->v, gint64, (k))

/* The index of the step covering `t` (at or after the first step's time). */
static guint
plain_find (const Plain *p, SchedTime t)
{
  guint k = 0;
  while (k + 1 < p->t->len && T (p, k + 1) <= t)
    k++;
  return k;
}

static void
plain_split (Plain *p, SchedTime t)
{
  guint k = plain_find (p, t);
  if (T (p, k) == t)
    return;
  gint64 v = V (p, k);
  g_array_insert_val (p->t, k + 1, t);
  g_array_insert_val (p->v, k + 1, v);
}

static void
plain_add (Plain *p, SchedTime from, SchedTime to, gint64 delta)
{
  plain_split (p, from);
  if (to != SCHED_TIME_NEVER)
    plain_split (p, to);
  for (guint k = plain_find (p, from); k < p->t->len && (to == SCHED_TIME_NEVER || T (p, k) < to);
       k++)
    V (p, k) += delta;
}

static void
plain_advance (Plain *p, SchedTime now)
{
  guint k = plain_find (p, now);
  g_array_remove_range (p->t, 0, k);
  g_array_remove_range (p->v, 0, k);
  T (p, 0) = now;
}

/* The earliest step starting at or after `lb` whose interval [start, start + dur) sees
 * only values >= need (the last step lasting forever); *open when that interval reaches
 * past the last step's start. */
static SchedTime
plain_earliest (const Plain *p, gint64 need, SchedTime dur, SchedTime lb, gboolean *open)
{
  for (guint k = 0; k < p->t->len; k++)
    {
      if (T (p, k) < lb)
        continue;
      gboolean ok = TRUE;
      guint j = k;
      for (; j < p->t->len && (j == k || T (p, j) < T (p, k) + dur) && ok; j++)
        ok = V (p, j) >= need;
      if (ok)
        {
          *open = j == p->t->len;
          return T (p, k);
        }
    }
  *open = FALSE;
  return SCHED_TIME_NEVER;
}

static void
assert_same (SchedSteps *s, const Plain *p)
{
  sched__steps_check (s);
  g_autoptr (GArray) t = g_array_new (FALSE, FALSE, sizeof (SchedTime));
  g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (gint64));
  sched__steps_flatten (s, t, v);
  g_assert_cmpuint (t->len, ==, p->t->len);
  g_assert_cmpuint (sched__steps_len (s), ==, p->t->len);
  for (guint k = 0; k < t->len; k++)
    {
      g_assert_cmpint (g_array_index (t, SchedTime, k), ==, T (p, k));
      g_assert_cmpint (g_array_index (v, gint64, k), ==, V (p, k));
    }
  g_assert_cmpint (sched__steps_first_time (s), ==, T (p, 0));
  g_assert_cmpint (sched__steps_last_value (s), ==, V (p, p->t->len - 1));
}

/* A profile as the planner builds one: free CPUs rising at job ends, then jobs reserved
 * over intervals, searched for, and the clock advancing. */
static void
one_round (guint32 seed)
{
  GRand *rnd = g_rand_new_with_seed (seed);
  gint64 cap = g_rand_int_range (rnd, 4, 200);
  gint64 free0 = g_rand_int_range (rnd, 0, (gint32) cap + 1);
  SchedSteps *s = sched__steps_new (0, free0);
  Plain p = { g_array_new (FALSE, FALSE, sizeof (SchedTime)),
              g_array_new (FALSE, FALSE, sizeof (gint64)) };
  SchedTime t0 = 0;
  g_array_append_val (p.t, t0);
  g_array_append_val (p.v, free0);
  /* running jobs ending: the free count rises step by step to the capacity */
  SchedTime t = 0;
  gint64 v = free0;
  guint n_ends = (guint) g_rand_int_range (rnd, 0, 120);
  for (guint i = 0; i < n_ends && v < cap; i++)
    {
      t += g_rand_int_range (rnd, 1, 500);
      v = MIN (cap, v + g_rand_int_range (rnd, 1, 20));
      sched__steps_append (s, t, v);
      g_array_append_val (p.t, t);
      g_array_append_val (p.v, v);
    }
  assert_same (s, &p);
  SchedTime now = 0;
  for (guint op = 0; op < 400; op++)
    {
      SchedTime horizon = T (&p, p.t->len - 1) + 1000;
      switch (g_rand_int_range (rnd, 0, 5))
        {
        case 0:
        case 1:
          {
            /* a search, then (as the planner does) a reservation where it found room */
            gint64 need = g_rand_int_range (rnd, 0, (gint32) cap + 1);
            SchedTime dur = g_rand_int_range (rnd, 1, 3000);
            SchedTime lb = now + g_rand_int_range (rnd, 0, (gint32) (horizon - now));
            gboolean open_a = FALSE, open_b = FALSE;
            SchedTime a = sched__steps_earliest (s, need, dur, lb, NULL, NULL, &open_a);
            SchedTime b = plain_earliest (&p, need, dur, lb, &open_b);
            g_assert_cmpint (a, ==, b);
            if (a != SCHED_TIME_NEVER)
              {
                g_assert_cmpint (open_a, ==, open_b);
                if (need > 0)
                  {
                    sched__steps_add (s, a, a + dur, -need);
                    plain_add (&p, a, a + dur, -need);
                  }
              }
            break;
          }
        case 2:
          {
            SchedTime at = now + g_rand_int_range (rnd, 0, (gint32) (horizon - now));
            sched__steps_split (s, at);
            plain_split (&p, at);
            break;
          }
        case 3:
          {
            /* resources given back over an interval, or to the end */
            SchedTime from = now + g_rand_int_range (rnd, 0, (gint32) (horizon - now));
            SchedTime to = g_rand_boolean (rnd) ? SCHED_TIME_NEVER
                                                : from + g_rand_int_range (rnd, 1, 2000);
            gint64 delta = g_rand_int_range (rnd, 1, 10);
            sched__steps_add (s, from, to, delta);
            plain_add (&p, from, to, delta);
            break;
          }
        default:
          now += g_rand_int_range (rnd, 0, 300);
          if (now > T (&p, p.t->len - 1))
            now = T (&p, p.t->len - 1);
          sched__steps_advance (s, now);
          plain_advance (&p, now);
          break;
        }
      assert_same (s, &p);
    }
  sched__steps_free (s);
  g_array_unref (p.t);
  g_array_unref (p.v);
  g_rand_free (rnd);
}

static void
test_steps_oracle (void)
{
  g_test_summary ("300 random profiles, 400 operations each: the blocked steps and a plain "
                  "array agree after every operation, searches included.");
  for (guint32 seed = 1; seed <= 300; seed++)
    one_round (seed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sched/steps/oracle", test_steps_oracle);
  return g_test_run ();
}
