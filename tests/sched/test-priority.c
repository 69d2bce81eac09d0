/* SPDX-License-Identifier: MIT */
/* tests/sched/test-priority.c - sched/priority: Slurm's priority/multifactor.
 *
 *  - parameters: defaults, PriorityFlags, PriorityUsageResetPeriod names;
 *  - the reset calendar (UTC boundaries, offsets, dates before 1970, leap days);
 *  - usage: the closed form of a constant load against 3 half-lives, piecewise syncing,
 *    half-life decay of a finished job, no decay, lump charges, resets through a boundary;
 *  - the tree: accounts, users, default accounts, resolve of unknown users and accounts;
 *  - classic fair-share: the worked example of Slurm's classic_fair_share.html, the
 *    dampening factor, Fairshare=parent users and accounts;
 *  - Fair Tree: a tree ranked by hand, the three tie rules of fair_tree.html,
 *    Fairshare=parent users, no usage at all;
 *  - factors and the weighted sum: age, job size (CPUs, nodes, favor small, relative to
 *    time), partition, QOS, nice, clamping to [1, 2^32 - 1], truncation;
 *  - programming errors (time going backwards, ending more than started). */
#include "sched/priority.h"

#include <math.h>

#define H7 (7 * 86400)

static SchedPriority *
new_prio (SchedFairshare algo, SchedTime half_life)
{
  SchedPriorityParams params;
  sched_priority_params_init (&params);
  params.fairshare = algo;
  params.decay_half_life = half_life;
  SchedPriority *p = sched_priority_new (&params);
  g_assert_nonnull (p);
  return p;
}

static SchedAssocInfo
info (const SchedPriority *p, SchedAssocId id)
{
  SchedAssocInfo i;
  g_assert_true (sched_priority_assoc_info (p, id, &i));
  return i;
}

static double
fs (const SchedPriority *p, SchedAssocId id)
{
  return info (p, id).fairshare;
}

static void
assert_rel (double got, double want, double tol)
{
  if (fabs (got - want) > tol * fabs (want))
    g_test_message ("got %.17g, want %.17g", got, want);
  g_assert_cmpfloat_with_epsilon (got, want, tol * fabs (want));
}

/* ---- parameters ------------------------------------------------------------------------ */

static void
test_params (void)
{
  SchedPriorityParams p;
  sched_priority_params_init (&p);
  g_assert_cmpint (p.max_age, ==, 604800);
  g_assert_cmpint (p.decay_half_life, ==, 604800);
  g_assert_cmpint (p.fairshare, ==, SCHED_FAIRSHARE_FAIR_TREE);
  g_assert_cmpint (p.usage_reset, ==, SCHED_PRIORITY_RESET_NONE);
  g_assert_cmpuint (p.dampening, ==, 1);
  g_assert_cmpuint (p.weight_age + p.weight_fairshare + p.weight_job_size
                    + p.weight_partition + p.weight_qos, ==, 0);

  g_assert_true (sched_priority_params_set_flags (&p, NULL, NULL));
  g_assert_true (sched_priority_params_set_flags (&p, " no_fair_tree , SMALL_RELATIVE_TO_TIME,",
                                                  NULL));
  g_assert_cmpint (p.fairshare, ==, SCHED_FAIRSHARE_CLASSIC);
  g_assert_true (p.size_relative);
  g_assert_true (sched_priority_params_set_flags (&p, "FAIR_TREE", NULL));
  g_assert_cmpint (p.fairshare, ==, SCHED_FAIRSHARE_FAIR_TREE);
  g_autofree char *bad = NULL;
  g_assert_false (sched_priority_params_set_flags (&p, "FAIR_TREE,DEPTH_OBLIVIOUS,X", &bad));
  g_assert_cmpstr (bad, ==, "DEPTH_OBLIVIOUS");

  static const struct { const char *name; SchedPriorityReset r; } names[] = {
    { "NONE", SCHED_PRIORITY_RESET_NONE }, { "now", SCHED_PRIORITY_RESET_NOW },
    { "Daily", SCHED_PRIORITY_RESET_DAILY }, { "WEEKLY", SCHED_PRIORITY_RESET_WEEKLY },
    { "monthly", SCHED_PRIORITY_RESET_MONTHLY }, { "QUARTERLY", SCHED_PRIORITY_RESET_QUARTERLY },
    { "yearly", SCHED_PRIORITY_RESET_YEARLY },
  };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      SchedPriorityReset r = SCHED_PRIORITY_RESET_NONE;
      g_assert_true (sched_priority_reset_from_name (names[i].name, &r));
      g_assert_cmpint (r, ==, names[i].r);
    }
  SchedPriorityReset r = SCHED_PRIORITY_RESET_DAILY;
  g_assert_false (sched_priority_reset_from_name ("HOURLY", &r));
  g_assert_false (sched_priority_reset_from_name (NULL, &r));
  g_assert_cmpint (r, ==, SCHED_PRIORITY_RESET_DAILY);
}

/* ---- reset calendar -------------------------------------------------------------------- */

static void
test_reset_calendar (void)
{
  /* 2024-03-15 12:00 UTC (a Friday) = 1710504000 */
  SchedTime t = 1710504000;
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_NONE, 0, t), ==, G_MININT64);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_NOW, 0, t), ==, G_MININT64);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_DAILY, 0, t), ==,
                   1710460800);   /* 2024-03-15 00:00 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_WEEKLY, 0, t), ==,
                   1710028800);   /* Sunday 2024-03-10 00:00 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_MONTHLY, 0, t), ==,
                   1709251200);   /* 2024-03-01 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_QUARTERLY, 0, t), ==,
                   1704067200);   /* 2024-01-01 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_YEARLY, 0, t), ==,
                   1704067200);
  /* 2024-08-20 05:00 -> quarter from 2024-07-01 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_QUARTERLY, 0, 1724130000),
                   ==, 1719792000);
  /* a boundary is its own reset time */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_WEEKLY, 0, 1710028800), ==,
                   1710028800);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_WEEKLY, 0, 1710028799), ==,
                   1710028800 - 7 * 86400);
  /* the epoch: Thursday 1970-01-01; the week started on Sunday 1969-12-28 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_DAILY, 0, 0), ==, 0);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_WEEKLY, 0, 0), ==, -345600);
  /* 1969-12-31 23:00 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_DAILY, 0, -3600), ==, -86400);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_MONTHLY, 0, -3600), ==,
                   -2678400);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_YEARLY, 0, -3600), ==,
                   -31536000);
  /* leap day 2000-02-29 10:00 */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_MONTHLY, 0, 951818400), ==,
                   949363200);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_YEARLY, 0, 951818400), ==,
                   946684800);
  /* CET (+1 h): 2024-03-31 23:30 UTC is April 1st 00:30 local; the month began at local
   * midnight, 23:00 UTC */
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_MONTHLY, 3600, 1711927800),
                   ==, 1711926000);
  g_assert_cmpint (sched_priority_reset_before (SCHED_PRIORITY_RESET_MONTHLY, 0, 1711927800), ==,
                   1709251200);
}

/* ---- usage ----------------------------------------------------------------------------- */

static void
test_decay_closed_form (void)
{
  /* A constant load of c = 16 CPUs for 3 half-lives (h = 7 days):
   *   U = c h / ln 2 (1 - 2^-3) = 12215587.45021503 CPU-seconds. */
  const double c = 16, h = H7;
  const double want = c * h / M_LN2 * (1 - 0.125);
  g_autoptr (SchedPriority) one = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
  g_autoptr (SchedPriority) steps = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
  SchedTime t0 = 1000;
  SchedAssocId a = sched_priority_add_account (one, "acct", NULL, 1);
  SchedAssocId u = sched_priority_add_user (one, "alice", "acct", 1);
  SchedAssocId us = sched_priority_resolve (steps, "alice", NULL);
  sched_priority_job_start (one, t0, u, c);
  sched_priority_job_start (steps, t0, us, c);
  /* `steps` is brought up to date every hour: the same usage */
  SchedTime t;
  for (t = t0 + 3600; t <= t0 + 3 * H7; t += 3600)
    sched_priority_update (steps, t);
  sched_priority_update (one, t0 + 3 * H7);
  assert_rel (info (one, u).usage_raw, want, 1e-9);
  assert_rel (info (one, a).usage_raw, want, 1e-9);
  assert_rel (info (one, SCHED_ASSOC_ROOT).usage_raw, want, 1e-9);
  assert_rel (info (steps, us).usage_raw, want, 1e-9);
  assert_rel (info (steps, SCHED_ASSOC_ROOT).usage_raw, want, 1e-9);
  sched__priority_check (one);

  /* the job ends; one more half-life halves the usage */
  sched_priority_job_end (one, t0 + 3 * H7, u, c);
  sched_priority_update (one, t0 + 4 * H7);
  assert_rel (info (one, u).usage_raw, want / 2, 1e-12);
  assert_rel (info (one, u).usage_norm, 1, 1e-15);
  sched__priority_check (one);

  /* two jobs overlapping: 8 CPUs on [0, 2h) and 4 on [h, 3h), seen at 3h:
   *   8 h/ln2 (1 - 2^-2) 2^-1 + 4 h/ln2 (1 - 2^-2) */
  g_autoptr (SchedPriority) two = new_prio (SCHED_FAIRSHARE_CLASSIC, H7);
  SchedAssocId b = sched_priority_resolve_uid (two, 7, "x");
  sched_priority_job_start (two, 0, b, 8);
  sched_priority_job_start (two, H7, b, 4);
  sched_priority_job_end (two, 2 * H7, b, 8);
  sched_priority_job_end (two, 3 * H7, b, 4);
  sched_priority_update (two, 3 * H7);
  double w2 = 8 * h / M_LN2 * 0.75 * 0.5 + 4 * h / M_LN2 * 0.75;
  assert_rel (info (two, b).usage_raw, w2, 1e-9);
  g_assert_cmpstr (info (two, b).name, ==, "7");
  g_assert_cmpstr (info (two, b).account, ==, "x");
}

static void
test_no_decay_and_charge (void)
{
  /* PriorityDecayHalfLife=0: usage is plain CPU-seconds */
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, 0);
  SchedAssocId u = sched_priority_resolve (p, "bob", "physics");
  sched_priority_job_start (p, 100, u, 3);
  sched_priority_job_start (p, 200, u, 2);
  sched_priority_job_end (p, 300, u, 3);
  sched_priority_charge (p, 350, u, 1000);
  sched_priority_update (p, 400);
  sched_priority_job_end (p, 400, u, 2);
  /* 3 x 200 + 2 x 200 + 1000 */
  g_assert_cmpfloat (info (p, u).usage_raw, ==, 2000);
  g_assert_cmpfloat (info (p, SCHED_ASSOC_ROOT).usage_raw, ==, 2000);
  sched_priority_update (p, 10000);
  g_assert_cmpfloat (info (p, u).usage_raw, ==, 2000);

  /* with a half-life of 1 hour, a lump charge of 1000 is 250 two hours later */
  g_autoptr (SchedPriority) q = new_prio (SCHED_FAIRSHARE_FAIR_TREE, 3600);
  SchedAssocId v = sched_priority_resolve (q, "bob", NULL);
  g_assert_cmpstr (info (q, info (q, v).parent).name, ==, SCHED_PRIORITY_DEFAULT_ACCOUNT);
  sched_priority_charge (q, 5000, v, 1000);
  sched_priority_update (q, 5000 + 7200);
  assert_rel (info (q, v).usage_raw, 250, 1e-13);
  sched__priority_check (q);
}

static void
test_reset (void)
{
  /* DAILY reset, no decay, c = 4 CPUs from 23:00 to 01:00 (2024-03-15/16 UTC): at 01:00 only
   * the hour since midnight counts, 4 x 3600; a charge before midnight is gone too. */
  SchedPriorityParams params;
  sched_priority_params_init (&params);
  params.decay_half_life = 0;
  params.usage_reset = SCHED_PRIORITY_RESET_DAILY;
  g_autoptr (SchedPriority) p = sched_priority_new (&params);
  SchedTime midnight = 1710547200;   /* 2024-03-16 00:00 */
  SchedAssocId u = sched_priority_resolve (p, "carol", "chem");
  SchedAssocId other = sched_priority_resolve (p, "dave", "chem");
  sched_priority_charge (p, midnight - 7200, other, 5000);
  sched_priority_job_start (p, midnight - 3600, u, 4);
  sched_priority_update (p, midnight - 1);
  g_assert_cmpfloat (info (p, u).usage_raw, ==, 4 * 3599);
  g_assert_cmpfloat (info (p, other).usage_raw, ==, 5000);
  sched_priority_update (p, midnight + 3600);
  g_assert_cmpfloat (info (p, u).usage_raw, ==, 4 * 3600);
  g_assert_cmpfloat (info (p, other).usage_raw, ==, 0);
  g_assert_cmpfloat (info (p, SCHED_ASSOC_ROOT).usage_raw, ==, 4 * 3600);
  /* exactly at the next midnight: reset there, nothing since */
  sched_priority_job_end (p, midnight + 86400, u, 4);
  sched_priority_update (p, midnight + 86400);
  g_assert_cmpfloat (info (p, u).usage_raw, ==, 0);
  sched__priority_check (p);

  /* with decay too: at 01:00, 4 h/ln2 (1 - 2^(-3600/h)) */
  params.decay_half_life = H7;
  params.usage_reset = SCHED_PRIORITY_RESET_WEEKLY;
  g_autoptr (SchedPriority) q = sched_priority_new (&params);
  SchedTime sunday = 1710028800;
  SchedAssocId v = sched_priority_resolve (q, "carol", NULL);
  sched_priority_job_start (q, sunday - 86400, v, 4);
  sched_priority_update (q, sunday + 3600);
  assert_rel (info (q, v).usage_raw, 4.0 * H7 / M_LN2 * -expm1 (-3600.0 * M_LN2 / H7), 1e-12);

  /* NOW: a new object has no usage: the same as NONE */
  params.usage_reset = SCHED_PRIORITY_RESET_NOW;
  g_autoptr (SchedPriority) r = sched_priority_new (&params);
  SchedAssocId w = sched_priority_resolve (r, "eve", NULL);
  sched_priority_charge (r, 10, w, 100);
  sched_priority_update (r, 10);
  g_assert_cmpfloat (info (r, w).usage_raw, ==, 100);
}

/* ---- the tree -------------------------------------------------------------------------- */

static void
test_tree (void)
{
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1);
  g_assert_cmpuint (sched_priority_add_account (p, "root", NULL, 5), ==, SCHED_ASSOC_ROOT);
  g_assert_cmpuint (sched_priority_add_account (p, "root", "x", 5), ==, SCHED_ASSOC_NONE);
  SchedAssocId sci = sched_priority_add_account (p, "science", "root", 60);
  SchedAssocId phy = sched_priority_add_account (p, "physics", "science", 40);
  g_assert_cmpuint (sched_priority_add_account (p, "bio", "nope", 1), ==, SCHED_ASSOC_NONE);
  /* same parent: shares updated; another parent: refused */
  g_assert_cmpuint (sched_priority_add_account (p, "physics", "science", 30), ==, phy);
  g_assert_cmpuint (info (p, phy).shares_raw, ==, 30);
  g_assert_cmpuint (sched_priority_add_account (p, "physics", NULL, 30), ==, SCHED_ASSOC_NONE);
  g_assert_cmpuint (sched_priority_lookup_account (p, "physics"), ==, phy);
  g_assert_cmpuint (sched_priority_lookup_account (p, "root"), ==, SCHED_ASSOC_ROOT);
  g_assert_cmpuint (sched_priority_lookup_account (p, "chem"), ==, SCHED_ASSOC_NONE);

  SchedAssocId a1 = sched_priority_add_user (p, "alice", "physics", 2);
  SchedAssocId a2 = sched_priority_add_user (p, "alice", "science", SCHED_PRIORITY_SHARES_PARENT);
  SchedAssocId r1 = sched_priority_add_user (p, "root", "", 1);
  g_assert_cmpuint (sched_priority_add_user (p, "alice", "chem", 1), ==, SCHED_ASSOC_NONE);
  g_assert_cmpuint (sched_priority_add_user (p, "alice", "physics", 3), ==, a1);
  g_assert_cmpuint (info (p, a1).shares_raw, ==, 3);
  g_assert_cmpuint (sched_priority_n_users (p), ==, 3);
  g_assert_cmpuint (sched_priority_lookup_user (p, "alice", NULL), ==, a1);   /* default */
  g_assert_cmpuint (sched_priority_lookup_user (p, "alice", "science"), ==, a2);
  g_assert_cmpuint (sched_priority_lookup_user (p, "root", "root"), ==, r1);
  g_assert_cmpuint (sched_priority_lookup_user (p, "bob", NULL), ==, SCHED_ASSOC_NONE);
  SchedAssocInfo i = info (p, a2);
  g_assert_cmpstr (i.name, ==, "alice");
  g_assert_cmpstr (i.account, ==, "science");
  g_assert_true (i.is_user);
  g_assert_cmpuint (i.parent, ==, sci);
  g_assert_cmpuint (i.shares_raw, ==, SCHED_PRIORITY_SHARES_PARENT);
  g_assert_null (info (p, SCHED_ASSOC_ROOT).account);
  SchedAssocInfo none;
  g_assert_false (sched_priority_assoc_info (p, 999, &none));

  /* resolve: known user with no account -> default; known user, known account ->
   * a new association there; unknown account -> a child of root with 1 share */
  g_assert_cmpuint (sched_priority_resolve (p, "alice", NULL), ==, a1);
  g_assert_cmpuint (sched_priority_resolve (p, "alice", ""), ==, a1);
  g_assert_cmpuint (sched_priority_resolve (p, "alice", "science"), ==, a2);
  SchedAssocId a3 = sched_priority_resolve (p, "alice", "root");
  g_assert_cmpuint (a3, ==, sched_priority_lookup_user (p, "alice", "root"));
  guint before = sched_priority_n_assocs (p);
  SchedAssocId b = sched_priority_resolve (p, "bob", "chem");
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, before + 2);
  SchedAssocId chem = sched_priority_lookup_account (p, "chem");
  g_assert_cmpuint (info (p, chem).parent, ==, SCHED_ASSOC_ROOT);
  g_assert_cmpuint (info (p, chem).shares_raw, ==, 1);
  g_assert_cmpuint (info (p, b).parent, ==, chem);
  g_assert_cmpuint (info (p, b).shares_raw, ==, 1);
  /* unknown user, no account: "default" under root */
  SchedAssocId u42 = sched_priority_resolve_uid (p, 42, NULL);
  g_assert_cmpstr (info (p, u42).name, ==, "42");
  g_assert_cmpstr (info (p, u42).account, ==, "default");
  g_assert_cmpuint (info (p, info (p, u42).parent).parent, ==, SCHED_ASSOC_ROOT);
  g_assert_cmpuint (sched_priority_resolve_uid (p, 43, NULL), ==,
                    sched_priority_lookup_user (p, "43", "default"));
  g_assert_cmpuint (sched_priority_resolve_uid (p, 42, "default"), ==, u42);
  sched__priority_check (p);
  sched_priority_update (p, 0);
  sched__priority_check (p);
}

/* ---- classic fair-share ---------------------------------------------------------------- */

/* The example of classic_fair_share.html ("Figure 3"): accounts A (40 shares) and D (60)
 * under root; B (30) and C (10) under A; E (25) and F (35) under D; user 1 in B, users 2 and
 * 3 (1 share each) in C, user 4 in E, user 5 in F.  Usage as fractions of the machine:
 * user 1 0.2, user 2 0.25, user 4 0.25; the remaining 0.3 is charged to root itself so that
 * root's usage, the normalizer, is 1.0 of the machine as the page assumes. */
static SchedPriority *
classic_example (guint32 dampening, SchedAssocId u[6])
{
  SchedPriorityParams params;
  sched_priority_params_init (&params);
  params.fairshare = SCHED_FAIRSHARE_CLASSIC;
  params.dampening = dampening;
  SchedPriority *p = sched_priority_new (&params);
  sched_priority_add_account (p, "A", NULL, 40);
  sched_priority_add_account (p, "D", NULL, 60);
  sched_priority_add_account (p, "B", "A", 30);
  sched_priority_add_account (p, "C", "A", 10);
  sched_priority_add_account (p, "E", "D", 25);
  sched_priority_add_account (p, "F", "D", 35);
  u[1] = sched_priority_add_user (p, "user1", "B", 1);
  u[2] = sched_priority_add_user (p, "user2", "C", 1);
  u[3] = sched_priority_add_user (p, "user3", "C", 1);
  u[4] = sched_priority_add_user (p, "user4", "E", 1);
  u[5] = sched_priority_add_user (p, "user5", "F", 1);
  sched_priority_charge (p, 100, u[1], 200);
  sched_priority_charge (p, 100, u[2], 250);
  sched_priority_charge (p, 100, u[4], 250);
  sched_priority_charge (p, 100, SCHED_ASSOC_ROOT, 300);
  sched_priority_update (p, 100);
  return p;
}

static void
test_classic_doc_example (void)
{
  SchedAssocId u[6];
  g_autoptr (SchedPriority) p = classic_example (1, u);
  const SchedPriority *cp = p;
#define ACC(name) sched_priority_lookup_account (cp, name)
  /* normalized shares: A .4, D .6, B .3, C .1, E .25, F .35; users 1-5: .3 .05 .05 .25 .35 */
  assert_rel (info (p, ACC ("A")).shares_norm, 0.4, 1e-15);
  assert_rel (info (p, ACC ("C")).shares_norm, 0.1, 1e-15);
  assert_rel (info (p, u[1]).shares_norm, 0.3, 1e-15);
  assert_rel (info (p, u[2]).shares_norm, 0.05, 1e-15);
  assert_rel (info (p, u[3]).shares_norm, 0.05, 1e-15);
  assert_rel (info (p, u[4]).shares_norm, 0.25, 1e-15);
  assert_rel (info (p, u[5]).shares_norm, 0.35, 1e-15);
  /* effective usage, first tier = actual: A .45, D .25;
   * B = 0.2 + (0.45 - 0.2) x 30/40 = 0.3875; C = 0.25 + (0.45 - 0.25) x 10/40 = 0.3;
   * E = 0.25 + (0.25 - 0.25) x 25/60 = 0.25; F = 0 + (0.25 - 0) x 35/60 = 0.1458333;
   * user 1 = 0.2 + (0.3875 - 0.2) x 1/1 = 0.3875; user 2 = 0.25 + (0.3 - 0.25) x 1/2 = 0.275;
   * user 3 = 0 + (0.3 - 0) x 1/2 = 0.15; user 4 = 0.25; user 5 = 0.1458333 */
  assert_rel (info (p, ACC ("A")).usage_efctv, 0.45, 1e-14);
  assert_rel (info (p, ACC ("D")).usage_efctv, 0.25, 1e-14);
  assert_rel (info (p, ACC ("B")).usage_efctv, 0.3875, 1e-14);
  assert_rel (info (p, ACC ("C")).usage_efctv, 0.3, 1e-14);
  assert_rel (info (p, ACC ("E")).usage_efctv, 0.25, 1e-14);
  assert_rel (info (p, ACC ("F")).usage_efctv, 0.25 * 35 / 60, 1e-14);
  assert_rel (info (p, u[1]).usage_efctv, 0.3875, 1e-14);
  assert_rel (info (p, u[2]).usage_efctv, 0.275, 1e-14);
  assert_rel (info (p, u[3]).usage_efctv, 0.15, 1e-14);
  assert_rel (info (p, u[4]).usage_efctv, 0.25, 1e-14);
  assert_rel (info (p, u[5]).usage_efctv, 0.25 * 35 / 60, 1e-14);
  /* F = 2^(-U_E / S): the page's 0.408479, 0.022097, 0.125000, 0.500000, 0.749154 */
  g_assert_cmpfloat_with_epsilon (fs (p, u[1]), 0.408479, 1e-6);
  g_assert_cmpfloat_with_epsilon (fs (p, u[2]), 0.022097, 1e-6);
  g_assert_cmpfloat_with_epsilon (fs (p, u[3]), 0.125000, 1e-12);
  g_assert_cmpfloat_with_epsilon (fs (p, u[4]), 0.500000, 1e-12);
  g_assert_cmpfloat_with_epsilon (fs (p, u[5]), 0.749154, 1e-6);
  assert_rel (fs (p, u[1]), exp2 (-0.3875 / 0.3), 1e-13);
  assert_rel (fs (p, u[2]), exp2 (-5.5), 1e-13);
  assert_rel (fs (p, u[5]), exp2 (-(0.25 * 35 / 60) / 0.35), 1e-13);
#undef ACC

  /* FairShareDampeningFactor=2: user 4's 2^(-1/2) */
  SchedAssocId v[6];
  g_autoptr (SchedPriority) d = classic_example (2, v);
  assert_rel (fs (d, v[4]), M_SQRT1_2, 1e-14);

  /* a job's fair-share factor is its association's */
  SchedPriorityJob job;
  sched_priority_job_init (&job);
  job.assoc = u[3];
  SchedPriorityFactors f;
  sched_priority_job (p, 100, &job, &f);
  g_assert_cmpfloat (f.fairshare, ==, fs (p, u[3]));
}

static void
test_classic_parent (void)
{
  /* root { A (1) { P (parent) { u1 (1) }, u2 (1) }, B (1) { u3 (1) }, u4 (parent) in B }
   * P is spliced out: u1 and u2 are siblings under A (level shares 2); u4 takes B's values.
   * Usage: u1 100, u3 100 (root 200).
   *   A: S .5, U_E = U_N = .5          B: S .5, U_E = .5
   *   u1: S = .5 x 1/2 = .25, U_E = .5 + (.5 - .5) x 1/2 = .5   -> F = 2^-2 = .25
   *   u2: S .25, U_E = 0 + (.5 - 0) x 1/2 = .25                  -> F = 2^-1 = .5
   *   u3: S = .5 x 1/1 (u4 does not count), U_E = .5             -> F = .5
   *   u4: B's S and U_E                                          -> F = .5 */
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_CLASSIC, H7);
  sched_priority_add_account (p, "A", NULL, 1);
  sched_priority_add_account (p, "P", "A", SCHED_PRIORITY_SHARES_PARENT);
  sched_priority_add_account (p, "B", NULL, 1);
  SchedAssocId u1 = sched_priority_add_user (p, "u1", "P", 1);
  SchedAssocId u2 = sched_priority_add_user (p, "u2", "A", 1);
  SchedAssocId u3 = sched_priority_add_user (p, "u3", "B", 1);
  SchedAssocId u4 = sched_priority_add_user (p, "u4", "B", SCHED_PRIORITY_SHARES_PARENT);
  sched_priority_charge (p, 0, u1, 100);
  sched_priority_charge (p, 0, u3, 100);
  sched_priority_update (p, 0);
  assert_rel (info (p, u1).shares_norm, 0.25, 1e-15);
  assert_rel (fs (p, u1), 0.25, 1e-14);
  assert_rel (fs (p, u2), 0.5, 1e-14);
  assert_rel (info (p, u3).shares_norm, 0.5, 1e-15);
  assert_rel (fs (p, u3), 0.5, 1e-14);
  assert_rel (fs (p, u4), fs (p, sched_priority_lookup_account (p, "B")), 1e-15);
  assert_rel (fs (p, u4), 0.5, 1e-14);

  /* no usage anywhere: every U_E is 0, every F 1 */
  g_autoptr (SchedPriority) q = new_prio (SCHED_FAIRSHARE_CLASSIC, H7);
  SchedAssocId x = sched_priority_resolve (q, "x", "a");
  sched_priority_add_user (q, "zero", "a", 0);
  sched_priority_update (q, 0);
  g_assert_cmpfloat (fs (q, x), ==, 1);
  g_assert_cmpfloat (fs (q, sched_priority_lookup_user (q, "zero", "a")), ==, 0);
}

/* ---- Fair Tree ------------------------------------------------------------------------- */

static void
test_fair_tree_ranks (void)
{
  /* root { A (3) { a1 (1), a2 (1) }, B (1) { b1 (1), B2 (1) { b2 (1) } } }
   * usage: a1 300, a2 100, b1 0, b2 100 (root 500).
   *   root level (shares 4): A: S .75, U 400/500 = .8 -> LF .9375
   *                          B: S .25, U 100/500 = .2 -> LF 1.25     => B before A
   *   in B (shares 2):  b1: S .5, U 0 -> LF inf;  B2: S .5, U 100/100 = 1 -> LF .5
   *   in B2:            b2: S 1, U 1 -> LF 1
   *   in A (shares 2):  a1: S .5, U .75 -> LF 2/3;  a2: S .5, U .25 -> LF 2
   * depth first, highest LF first: b1, b2, a2, a1 -> ranks 4 3 2 1 of 4 users:
   *   F = 1.0, 0.75, 0.5, 0.25 */
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
  SchedAssocId A = sched_priority_add_account (p, "A", NULL, 3);
  SchedAssocId B = sched_priority_add_account (p, "B", NULL, 1);
  SchedAssocId B2 = sched_priority_add_account (p, "B2", "B", 1);
  SchedAssocId a1 = sched_priority_add_user (p, "a1", "A", 1);
  SchedAssocId a2 = sched_priority_add_user (p, "a2", "A", 1);
  SchedAssocId b1 = sched_priority_add_user (p, "b1", "B", 1);
  SchedAssocId b2 = sched_priority_add_user (p, "b2", "B2", 1);
  sched_priority_charge (p, 50, a1, 300);
  sched_priority_charge (p, 50, a2, 100);
  sched_priority_charge (p, 50, b2, 100);
  sched_priority_update (p, 50);
  assert_rel (info (p, A).level_fs, 0.9375, 1e-15);
  assert_rel (info (p, B).level_fs, 1.25, 1e-15);
  g_assert_true (isinf (info (p, b1).level_fs));
  assert_rel (info (p, B2).level_fs, 0.5, 1e-15);
  assert_rel (info (p, b2).level_fs, 1, 1e-15);
  assert_rel (info (p, a1).level_fs, 2.0 / 3, 1e-15);
  assert_rel (info (p, a2).level_fs, 2, 1e-15);
  assert_rel (info (p, A).shares_norm, 0.75, 1e-15);
  assert_rel (info (p, a1).usage_efctv, 0.75, 1e-15);
  g_assert_cmpfloat (fs (p, b1), ==, 1.0);
  g_assert_cmpfloat (fs (p, b2), ==, 0.75);
  g_assert_cmpfloat (fs (p, a2), ==, 0.5);
  g_assert_cmpfloat (fs (p, a1), ==, 0.25);
  g_assert_cmpfloat (fs (p, A), ==, 0);

  /* b2 runs 1000 more: B's LF drops below A's and A's users come first:
   *   root 1500: A U 400/1500 -> LF .75/(4/15) = 2.8125; B U 1100/1500 -> LF .3409
   *   => a2 (4), a1 (3), b1 (2), b2 (1) */
  sched_priority_charge (p, 50, b2, 1000);
  sched_priority_update (p, 50);
  g_assert_cmpfloat (fs (p, a2), ==, 1.0);
  g_assert_cmpfloat (fs (p, a1), ==, 0.75);
  g_assert_cmpfloat (fs (p, b1), ==, 0.5);
  g_assert_cmpfloat (fs (p, b2), ==, 0.25);

  /* a new user is 0 until the next update, then ranked (5 users now) */
  SchedAssocId n = sched_priority_resolve (p, "newbie", "B2");
  g_assert_cmpfloat (fs (p, n), ==, 0);
  sched_priority_update (p, 60);
  g_assert_cmpfloat (fs (p, n), >, 0);
  g_assert_cmpuint (sched_priority_n_users (p), ==, 5);
  sched__priority_check (p);

  /* no usage at all: every LF is inf, every user ties at rank n: F = 1 */
  g_autoptr (SchedPriority) q = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
  SchedAssocId x = sched_priority_resolve (q, "x", "a");
  SchedAssocId y = sched_priority_resolve (q, "y", "b");
  sched_priority_update (q, 0);
  g_assert_cmpfloat (fs (q, x), ==, 1);
  g_assert_cmpfloat (fs (q, y), ==, 1);
}

static void
test_fair_tree_ties (void)
{
  /* Rule 1, sibling users with the same LF share a rank:
   *   root { X (1) { x1 (1), x2 (1), x3 (1) } }, usage x1 50, x2 50, x3 0
   *   x3 LF inf (rank 3), x1 and x2 LF (1/3)/(1/2) tie (rank 2): F = 1, 2/3, 2/3 */
  {
    g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
    SchedAssocId x1 = sched_priority_resolve (p, "x1", "X");
    SchedAssocId x2 = sched_priority_resolve (p, "x2", "X");
    SchedAssocId x3 = sched_priority_resolve (p, "x3", "X");
    sched_priority_charge (p, 0, x1, 50);
    sched_priority_charge (p, 0, x2, 50);
    sched_priority_update (p, 0);
    g_assert_cmpfloat (fs (p, x3), ==, 1);
    g_assert_cmpfloat (fs (p, x1), ==, 2.0 / 3);
    g_assert_cmpfloat (fs (p, x2), ==, 2.0 / 3);
  }
  /* Rule 2, sibling accounts with the same LF have their children merged:
   *   root { P (1) { p1 (1) }, Q (1) { q1 (1), q2 (1) } }, usage p1 100, q1 100
   *   P and Q: S .5, U .5 -> LF 1 (tied).  Merged children: q2 (S .5, U 0: inf),
   *   p1 (S 1, U 1: 1), q1 (S .5, U 1: .5) -> q2 3/3, p1 2/3, q1 1/3.
   *   (Without the merge P's p1 would come before Q's q2.) */
  {
    g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
    sched_priority_add_account (p, "P", NULL, 1);
    sched_priority_add_account (p, "Q", NULL, 1);
    SchedAssocId p1 = sched_priority_add_user (p, "p1", "P", 1);
    SchedAssocId q1 = sched_priority_add_user (p, "q1", "Q", 1);
    SchedAssocId q2 = sched_priority_add_user (p, "q2", "Q", 1);
    sched_priority_charge (p, 0, p1, 100);
    sched_priority_charge (p, 0, q1, 100);
    sched_priority_update (p, 0);
    g_assert_cmpfloat (fs (p, q2), ==, 1);
    g_assert_cmpfloat (fs (p, p1), ==, 2.0 / 3);
    g_assert_cmpfloat (fs (p, q1), ==, 1.0 / 3);
  }
  /* Rule 3, a user with the same LF as a sibling account shares its rank with the
   * account's highest ranked user:
   *   root { w (1), V (1) { v1 (1), v2 (1) } }, usage w 100, v1 100
   *   w and V: S .5, U .5 -> LF 1, users first: w rank 3; V tied: v2 (inf) rank 3;
   *   v1 (S .5, U 1 -> .5) rank 1: F = 1, 1, 1/3 */
  {
    g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
    sched_priority_add_account (p, "V", NULL, 1);
    SchedAssocId w = sched_priority_add_user (p, "w", "root", 1);
    SchedAssocId v1 = sched_priority_add_user (p, "v1", "V", 1);
    SchedAssocId v2 = sched_priority_add_user (p, "v2", "V", 1);
    sched_priority_charge (p, 0, w, 100);
    sched_priority_charge (p, 0, v1, 100);
    sched_priority_update (p, 0);
    g_assert_cmpfloat (fs (p, w), ==, 1);
    g_assert_cmpfloat (fs (p, v2), ==, 1);
    g_assert_cmpfloat (fs (p, v1), ==, 1.0 / 3);
  }
  /* Fairshare=parent: a user ranks first in its account whatever its usage; an account's
   * children join its parent's level:
   *   root { A (1) { up (parent), a1 (1) }, S (parent) { s1 (1) } }: s1 is a child of root
   *   with shares 1, so root's level shares are A 1 + s1 1.  Usage up 500, a1 10, s1 10.
   *   root: A S .5 U 510/520 -> .51; s1 S .5 U 10/520 -> 26  => s1 first (rank 3)
   *   in A: up LF inf (rank 2), a1 (rank 1) */
  {
    g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
    sched_priority_add_account (p, "A", NULL, 1);
    sched_priority_add_account (p, "S", NULL, SCHED_PRIORITY_SHARES_PARENT);
    SchedAssocId up = sched_priority_add_user (p, "up", "A", SCHED_PRIORITY_SHARES_PARENT);
    SchedAssocId a1 = sched_priority_add_user (p, "a1", "A", 1);
    SchedAssocId s1 = sched_priority_add_user (p, "s1", "S", 1);
    sched_priority_charge (p, 0, up, 500);
    sched_priority_charge (p, 0, a1, 10);
    sched_priority_charge (p, 0, s1, 10);
    sched_priority_update (p, 0);
    assert_rel (info (p, s1).level_fs, 26, 1e-14);
    assert_rel (info (p, s1).shares_norm, 0.5, 1e-15);
    g_assert_true (isinf (info (p, up).level_fs));
    g_assert_true (isnan (info (p, sched_priority_lookup_account (p, "S")).level_fs));
    g_assert_cmpfloat (fs (p, s1), ==, 1);
    g_assert_cmpfloat (fs (p, up), ==, 2.0 / 3);
    g_assert_cmpfloat (fs (p, a1), ==, 1.0 / 3);
    sched__priority_check (p);
  }
}

/* ---- factors and priority -------------------------------------------------------------- */

static void
test_factors (void)
{
  SchedPriorityParams params;
  sched_priority_params_init (&params);
  params.weight_age = 1000;
  params.weight_fairshare = 10000;
  params.weight_job_size = 1000;
  params.weight_partition = 1000;
  params.weight_qos = 2000;
  params.total_cpus = 128;
  params.partition_factor_max = 10;
  params.qos_priority_max = 4;
  g_autoptr (SchedPriority) p = sched_priority_new (&params);
  /* fair-share .25: the lowest of 4 users in the Fair Tree example above, simplified:
   * root { u1..u4 }, usage u1 40, u2 30, u3 20, u4 10 -> LF (1/4)/(4/10) < ... : u1 ranks 1 */
  SchedAssocId u[4];
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("u%u", i + 1);
      u[i] = sched_priority_add_user (p, name, "root", 1);
      sched_priority_charge (p, 0, u[i], 40.0 - 10.0 * i);
    }
  sched_priority_update (p, 0);
  g_assert_cmpfloat (fs (p, u[0]), ==, 0.25);
  g_assert_cmpfloat (fs (p, u[3]), ==, 1.0);

  /* age 3.5 days / 7 = .5 -> 500; fair-share .25 -> 2500; 32 of 128 CPUs .25 -> 250;
   * partition 5/10 -> 500; QOS 1/4 -> 500: 4250 */
  SchedTime now = 10 * 86400;
  SchedPriorityJob j;
  sched_priority_job_init (&j);
  j.assoc = u[0];
  j.eligible = now - 302400;
  j.cpus = 32;
  j.partition_factor = 5;
  j.qos_priority = 1;
  SchedPriorityFactors f;
  g_assert_cmpuint (sched_priority_job (p, now, &j, &f), ==, 4250);
  g_assert_cmpfloat (f.age, ==, 0.5);
  g_assert_cmpfloat (f.fairshare, ==, 0.25);
  g_assert_cmpfloat (f.job_size, ==, 0.25);
  g_assert_cmpfloat (f.partition, ==, 0.5);
  g_assert_cmpfloat (f.qos, ==, 0.25);
  g_assert_cmpfloat (f.sum, ==, 4250);
  /* age 1 day: 1000/7 = 142.857...; 3892.857... truncated to 3892 */
  j.eligible = now - 86400;
  g_assert_cmpuint (sched_priority_job (p, now, &j, &f), ==, 3892);
  assert_rel (f.sum, 1000.0 / 7 + 3750, 1e-15);
  /* nice: subtracted (negative raises) */
  j.nice = 100;
  g_assert_cmpuint (sched_priority_job (p, now, &j, NULL), ==, 3792);
  j.nice = -100;
  g_assert_cmpuint (sched_priority_job (p, now, &j, NULL), ==, 3992);
  j.nice = 0;
  /* age saturates at max_age; not yet eligible or never: 0 */
  j.eligible = now - 30 * 86400;
  sched_priority_job (p, now, &j, &f);
  g_assert_cmpfloat (f.age, ==, 1);
  j.eligible = now + 10;
  sched_priority_job (p, now, &j, &f);
  g_assert_cmpfloat (f.age, ==, 0);
  j.eligible = SCHED_TIME_NEVER;
  sched_priority_job (p, now, &j, &f);
  g_assert_cmpfloat (f.age, ==, 0);
  /* partition and QOS above the maximum stay at 1; no association: fair-share 0 */
  j.partition_factor = 20;
  j.qos_priority = 9;
  j.assoc = SCHED_ASSOC_NONE;
  sched_priority_job (p, now, &j, &f);
  g_assert_cmpfloat (f.partition, ==, 1);
  g_assert_cmpfloat (f.qos, ==, 1);
  g_assert_cmpfloat (f.fairshare, ==, 0);
  /* all weights 0 (Slurm's defaults): priority 1, never 0 */
  SchedPriorityParams zero;
  sched_priority_params_init (&zero);
  g_autoptr (SchedPriority) z = sched_priority_new (&zero);
  g_assert_cmpuint (sched_priority_job (z, now, &j, &f), ==, 1);
  g_assert_cmpfloat (f.job_size, ==, 0);           /* total_cpus 0 */
  j.nice = 5000;
  g_assert_cmpuint (sched_priority_job (p, now, &j, &f), ==, 1);
  g_assert_cmpfloat (f.sum, <, 0);
  /* the sum saturates at 2^32 - 1 */
  SchedPriorityParams big = params;
  big.weight_age = big.weight_job_size = big.weight_partition = big.weight_qos = G_MAXUINT32;
  big.max_age = 0;                                  /* age 1 at once */
  g_autoptr (SchedPriority) b = sched_priority_new (&big);
  j.nice = 0;
  j.eligible = now;
  j.cpus = 128;
  g_assert_cmpuint (sched_priority_job (b, now, &j, &f), ==, G_MAXUINT32);
  g_assert_cmpfloat (f.age, ==, 1);
}

static void
test_job_size (void)
{
  SchedPriorityParams params;
  sched_priority_params_init (&params);
  params.weight_job_size = 1000;
  params.total_cpus = 128;
  params.total_nodes = 8;
  SchedPriorityJob j;
  sched_priority_job_init (&j);
  SchedPriorityFactors f;
  {
    g_autoptr (SchedPriority) p = sched_priority_new (&params);
    /* no node count: CPUs only, 32/128 */
    j.cpus = 32;
    sched_priority_job (p, 0, &j, &f);
    g_assert_cmpfloat (f.job_size, ==, 0.25);
    /* 4 of 8 nodes, 32 of 128 CPUs: (0.5 + 0.25) / 2 */
    j.nodes = 4;
    g_assert_cmpuint (sched_priority_job (p, 0, &j, &f), ==, 375);
    g_assert_cmpfloat (f.job_size, ==, 0.375);
    /* more than the machine: 1 */
    j.cpus = 1000;
    j.nodes = 0;
    sched_priority_job (p, 0, &j, &f);
    g_assert_cmpfloat (f.job_size, ==, 1);
  }
  {
    params.favor_small = TRUE;
    g_autoptr (SchedPriority) p = sched_priority_new (&params);
    j.cpus = 32;
    j.nodes = 4;
    sched_priority_job (p, 0, &j, &f);
    g_assert_cmpfloat (f.job_size, ==, 0.625);
    j.nodes = 0;
    j.cpus = 1;
    sched_priority_job (p, 0, &j, &f);
    g_assert_cmpfloat (f.job_size, ==, 1 - 1.0 / 128);
  }
  {
    /* SMALL_RELATIVE_TO_TIME: max(CPUs, nodes x 16) / minutes / 128 */
    params.favor_small = FALSE;
    params.size_relative = TRUE;
    g_autoptr (SchedPriority) p = sched_priority_new (&params);
    j.cpus = 32;
    j.nodes = 4;                 /* 4 x 16 = 64 CPUs */
    j.time_limit = 7200;         /* 120 minutes */
    sched_priority_job (p, 0, &j, &f);
    assert_rel (f.job_size, 64.0 / 120 / 128, 1e-15);
    j.nodes = 1;                 /* 32 CPUs > 16 */
    j.time_limit = 90;           /* 2 minutes, rounded up */
    sched_priority_job (p, 0, &j, &f);
    assert_rel (f.job_size, 32.0 / 2 / 128, 1e-15);
    j.time_limit = 0;            /* 1 minute: the whole machine in a minute would be 1 */
    j.cpus = 128;
    sched_priority_job (p, 0, &j, &f);
    g_assert_cmpfloat (f.job_size, ==, 1);
  }
  {
    params.favor_small = TRUE;
    g_autoptr (SchedPriority) p = sched_priority_new (&params);
    j.cpus = 32;
    j.nodes = 0;
    j.time_limit = 3600;
    sched_priority_job (p, 0, &j, &f);
    assert_rel (f.job_size, 1 - 32.0 / 60 / 128, 1e-15);
  }
}

/* ---- programming errors ---------------------------------------------------------------- */

static void
test_errors (void)
{
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE, H7);
  SchedAssocId u = sched_priority_resolve (p, "u", NULL);
  sched_priority_job_start (p, 100, u, 4);

  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*now >= p->now*");
  sched_priority_update (p, 50);
  g_test_assert_expected_messages ();

  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*rate >= cpus*");
  sched_priority_job_end (p, 200, u, 8);
  g_test_assert_expected_messages ();

  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*assoc < p->nodes->len*");
  sched_priority_charge (p, 200, 77, 1);
  g_test_assert_expected_messages ();

  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*usage >= 0*");
  sched_priority_charge (p, 200, u, -1);
  g_test_assert_expected_messages ();

  SchedPriorityParams bad;
  sched_priority_params_init (&bad);
  bad.dampening = 0;
  g_test_expect_message (NULL, G_LOG_LEVEL_CRITICAL, "*dampening > 0*");
  g_assert_null (sched_priority_new (&bad));
  g_test_assert_expected_messages ();

  /* nothing changed by the refused calls */
  sched_priority_job_end (p, 200, u, 4);
  sched_priority_update (p, 200);
  g_assert_cmpfloat (info (p, u).usage_raw, >, 399);
  g_assert_cmpfloat (info (p, u).usage_raw, <, 400);
  sched__priority_check (p);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sched/priority/params", test_params);
  g_test_add_func ("/sched/priority/reset-calendar", test_reset_calendar);
  g_test_add_func ("/sched/priority/decay-closed-form", test_decay_closed_form);
  g_test_add_func ("/sched/priority/no-decay-charge", test_no_decay_and_charge);
  g_test_add_func ("/sched/priority/reset", test_reset);
  g_test_add_func ("/sched/priority/tree", test_tree);
  g_test_add_func ("/sched/priority/classic-doc-example", test_classic_doc_example);
  g_test_add_func ("/sched/priority/classic-parent", test_classic_parent);
  g_test_add_func ("/sched/priority/fair-tree-ranks", test_fair_tree_ranks);
  g_test_add_func ("/sched/priority/fair-tree-ties", test_fair_tree_ties);
  g_test_add_func ("/sched/priority/factors", test_factors);
  g_test_add_func ("/sched/priority/job-size", test_job_size);
  g_test_add_func ("/sched/priority/errors", test_errors);
  return g_test_run ();
}
