/* SPDX-License-Identifier: MIT */
/* tests/sched/test-core.c - the scheduler core: hand-worked schedules for fcfs, EASY and
 * conservative, the simulator's knobs, and oracle tests against a naive reference. */
#include <glib.h>
#include <math.h>
#include <string.h>

#include "sched/core-private.h"
#include "tests/test-common.h"

/* ---- hand-worked schedules ---- */

typedef struct {
  SchedJobId id;
  SchedTime  start;
} Expect;

static void
check_starts (GArray *recs, const Expect *exp, guint n)
{
  g_assert_cmpuint (recs->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const SchedJobRecord *r = test_find (recs, exp[i].id);
      g_assert_nonnull (r);
      if (r->start != exp[i].start)
        g_error ("job %u started at %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                 exp[i].id, r->start, exp[i].start);
    }
}

/* 10 CPUs.  A 6 CPUs [0,100).  B (head) 6 CPUs, 50 s: reserved at 100 with 4 to spare.
 * C 10 CPUs, 100 s: behind B, at 150 under fcfs and conservative.  D 4 CPUs, 200 s at t=3:
 * EASY backfills it (4 <= the 4 CPUs B leaves free at its shadow time 100), which delays C
 * to D's end, 203; conservative protects C's reservation at 150 and runs D after C, at 250. */
static const WlJob *
scenario_easy_vs_conservative (guint *n)
{
  static WlJob jobs[4];
  jobs[0] = test_job (1, 0, 6, 100, 100);
  jobs[1] = test_job (2, 1, 6, 50, 50);
  jobs[2] = test_job (3, 2, 10, 100, 100);
  jobs[3] = test_job (4, 3, 4, 200, 200);
  *n = 4;
  return jobs;
}

static void
test_easy_vs_conservative (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  guint n;
  const WlJob *jobs = scenario_easy_vs_conservative (&n);
  const Expect fcfs[] = { { 1, 0 }, { 2, 100 }, { 3, 150 }, { 4, 250 } };
  const Expect easy[] = { { 1, 0 }, { 2, 100 }, { 3, 203 }, { 4, 3 } };
  const Expect cons[] = { { 1, 0 }, { 2, 100 }, { 3, 150 }, { 4, 250 } };
  g_autoptr (GArray) r1 = test_replay (cl, "fcfs", NULL, jobs, n);
  check_starts (r1, fcfs, n);
  g_autoptr (GArray) r2 = test_replay (cl, "easy", NULL, jobs, n);
  check_starts (r2, easy, n);
  g_autoptr (GArray) r3 = test_replay (cl, "conservative", NULL, jobs, n);
  check_starts (r3, cons, n);
}

/* 10 CPUs.  A 8 CPUs [0,100).  B (head) 10 CPUs, 100 s: shadow 100, nothing to spare.
 * E 2 CPUs, 200 s at t=2 fits now but would end after 100: refused by EASY and conservative
 * (it would delay B).  F 2 CPUs, 50 s at t=3 ends by 100: backfilled by both. */
static void
test_long_job_must_not_delay_head (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  WlJob jobs[] = {
    test_job (1, 0, 8, 100, 100), test_job (2, 1, 10, 100, 100),
    test_job (3, 2, 2, 200, 200), test_job (4, 3, 2, 50, 50),
  };
  const Expect fcfs[] = { { 1, 0 }, { 2, 100 }, { 3, 200 }, { 4, 200 } };
  const Expect easy[] = { { 1, 0 }, { 2, 100 }, { 3, 200 }, { 4, 3 } };
  g_autoptr (GArray) r1 = test_replay (cl, "fcfs", NULL, jobs, 4);
  check_starts (r1, fcfs, 4);
  g_autoptr (GArray) r2 = test_replay (cl, "easy", NULL, jobs, 4);
  check_starts (r2, easy, 4);
  g_autoptr (GArray) r3 = test_replay (cl, "conservative", NULL, jobs, 4);
  check_starts (r3, easy, 4);
}

/* Jobs end at start + min (runtime, limit); past the limit the state is TIMEOUT; the core
 * plans with limits, so an early end lets the queue move up (compression). */
static void
test_timeout_and_early_end (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (4, 1, 0, 0);
  WlJob jobs[] = {
    test_job (1, 0, 4, 100, 30),   /* ends early at 30 */
    test_job (2, 5, 4, 50, 80),    /* starts 30, killed at 80: TIMEOUT */
    test_job (3, 6, 2, 10, 10),    /* starts 80 */
  };
  jobs[0].end_state = SCHED_JOB_FAILED;
  for (int p = 0; p < 3; p++)
    {
      const char *names[] = { "fcfs", "easy", "conservative" };
      g_autoptr (GArray) r = test_replay (cl, names[p], NULL, jobs, 3);
      const SchedJobRecord *a = test_find (r, 1), *b = test_find (r, 2), *c = test_find (r, 3);
      g_assert_cmpint (a->end, ==, 30);
      g_assert_cmpint (a->state, ==, SCHED_JOB_FAILED);
      g_assert_cmpint (b->start, ==, 30);
      g_assert_cmpint (b->end, ==, 80);
      g_assert_cmpint (b->state, ==, SCHED_JOB_TIMEOUT);
      g_assert_cmpint (b->runtime, ==, 50);
      g_assert_cmpint (c->start, ==, 80);
      g_assert_cmpint (c->state, ==, SCHED_JOB_COMPLETED);
      g_assert_cmpuint (c->cpus, ==, 2);
      g_assert_cmpuint (c->nodes, ==, 2);
    }
}

/* 12 CPUs.  A 8 CPUs, 100 s at 0.  B (head) 10 CPUs, 50 s at 1.  X 4 CPUs, 1 s, at 100 when
 * A ends.  Completions first: A frees its CPUs, B starts at 100, X waits for B's end (150).
 * Arrivals first with a pass per event: X arrives while A still holds its CPUs; A's release
 * is planned for 101 (it is overdue), X ends by then and is backfilled at 100, so B starts
 * when X ends, at 101.  One pass per timestamp: the order of same-time events is moot. */
static void
test_tie_order_and_pass_mode (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (12, 1, 0, 0);
  WlJob jobs[] = {
    test_job (1, 0, 8, 100, 100), test_job (2, 1, 10, 50, 50), test_job (3, 100, 4, 1, 1),
  };
  SimOptions o;
  sim_options_init (&o);
  const Expect cf[] = { { 1, 0 }, { 2, 100 }, { 3, 150 } };
  const Expect af[] = { { 1, 0 }, { 2, 101 }, { 3, 100 } };
  g_autoptr (GArray) r1 = test_replay (cl, "easy", &o, jobs, 3);
  check_starts (r1, cf, 3);
  o.pass_mode = SIM_PASS_PER_EVENT;
  g_autoptr (GArray) r2 = test_replay (cl, "easy", &o, jobs, 3);
  check_starts (r2, cf, 3);
  o.tie_order = SIM_TIE_ARRIVALS_FIRST;
  g_autoptr (GArray) r3 = test_replay (cl, "easy", &o, jobs, 3);
  check_starts (r3, af, 3);
  o.pass_mode = SIM_PASS_PER_TIME;
  g_autoptr (GArray) r4 = test_replay (cl, "easy", &o, jobs, 3);
  check_starts (r4, cf, 3);
}

static void
assert_same_records (GArray *a, GArray *b, const char *what)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const SchedJobRecord *x = &g_array_index (a, SchedJobRecord, i);
      const SchedJobRecord *y = &g_array_index (b, SchedJobRecord, i);
      if (x->id != y->id || x->start != y->start || x->end != y->end)
        g_error ("%s: record %u: job %u [%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ") vs job %u [%"
                 G_GINT64_FORMAT ",%" G_GINT64_FORMAT ")", what, i, x->id, x->start, x->end,
                 y->id, y->start, y->end);
    }
}

/* Periodic passes: more passes, and for event-driven policies with exact plans the same
 * schedule as one pass per timestamp (nothing changes between events). */
static void
test_periodic_passes (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  guint n;
  const WlJob *jobs = scenario_easy_vs_conservative (&n);
  const char *names[] = { "fcfs", "easy", "conservative" };
  for (int p = 0; p < 3; p++)
    {
      SchedPolicy pol;
      g_assert_true (sched_policy_lookup (names[p], &pol));
      guint64 passes[2];
      GArray *recs[2];
      for (int mode = 0; mode < 2; mode++)
        {
          SimOptions o;
          sim_options_init (&o);
          o.pass_mode = mode ? SIM_PASS_PERIODIC : SIM_PASS_PER_TIME;
          o.pass_period = 7;
          g_autoptr (SimEngine) e = sim_engine_new (cl, &pol, &o);
          g_autoptr (WlReader) r = test_array_reader_new (jobs, n);
          TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
          g_assert_true (sim_engine_run (e, r, test_collect, &c, NULL));
          passes[mode] = sim_engine_get_stats (e)->passes;
          recs[mode] = c.records;
        }
      assert_same_records (recs[0], recs[1], names[p]);
      /* jobs wait from t=1 to t=250 at most: about 250 / 7 extra passes */
      g_assert_cmpuint (passes[1], >, passes[0] + 20);
      g_array_free (recs[0], TRUE);
      g_array_free (recs[1], TRUE);
    }
}

/* Same-time completions are reported in the order the jobs started. */
static void
test_same_time_completions_in_start_order (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (8, 1, 0, 0);
  WlJob jobs[] = {
    test_job (7, 0, 1, 20, 20), test_job (3, 0, 1, 30, 10), test_job (5, 10, 1, 10, 10),
  };
  g_autoptr (GArray) r = test_replay (cl, "fcfs", NULL, jobs, 3);
  /* 3 ends at 10, then 7 and 5 both end at 20: 7 started first */
  g_assert_cmpuint (g_array_index (r, SchedJobRecord, 0).id, ==, 3);
  g_assert_cmpuint (g_array_index (r, SchedJobRecord, 1).id, ==, 7);
  g_assert_cmpuint (g_array_index (r, SchedJobRecord, 2).id, ==, 5);
}

/* Node-level requests: 3 nodes of 4 CPUs, 8 GB, 2 GPUs. */
static void
test_node_level_allocation (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (3, 4, 8000, 2);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedJobSpec s;
  /* job 1: 2 tasks x 2 CPUs, 6 GB per node, 1 GPU per node, 100 s */
  sched_job_spec_init (&s);
  s.id = 1, s.tasks = 2, s.cpus_per_task = 2, s.mem_per_node_mb = 6000, s.gpus_per_node = 1;
  s.time_limit = 100;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  /* job 2: exclusive, 2 nodes */
  sched_job_spec_init (&s);
  s.id = 2, s.tasks = 2, s.min_nodes = 2, s.exclusive = TRUE, s.time_limit = 50;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  /* job 3: 1 task, 4 GB: cannot share job 1's node (6 of 8 GB used) */
  sched_job_spec_init (&s);
  s.id = 3, s.mem_per_node_mb = 4000, s.time_limit = 10;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  /* impossible: 3 GPUs per node */
  sched_job_spec_init (&s);
  s.id = 4, s.gpus_per_node = 3, s.time_limit = 10;
  SchedReason why;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);

  sched_core_pass (core, 0, started);
  sched__core_check (core);
  g_assert_cmpuint (started->len, ==, 2);
  const SchedStart *a = &g_array_index (started, SchedStart, 0);
  g_assert_cmpuint (a->id, ==, 1);
  g_assert_cmpuint (a->alloc->n_nodes, ==, 1); /* best fit: both tasks on one node */
  g_assert_cmpuint (a->alloc->cpus, ==, 4);
  g_assert_cmpuint (a->alloc->nodes[0].mem_mb, ==, 6000);
  g_assert_cmpuint (a->alloc->gpus, ==, 1);
  const SchedStart *b = &g_array_index (started, SchedStart, 1);
  g_assert_cmpuint (b->id, ==, 2);
  g_assert_cmpuint (b->alloc->n_nodes, ==, 2);
  g_assert_cmpuint (b->alloc->cpus, ==, 8); /* exclusive: whole nodes */
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (core, 3, &info));
  g_assert_cmpint (info.state, ==, SCHED_JOB_PENDING);
  g_assert_cmpint (info.planned_start, ==, 50); /* EASY reservation on job 2's nodes */
  g_assert_true (sched_core_job_ended (core, 50, 2, SCHED_JOB_COMPLETED));
  g_array_set_size (started, 0);
  sched_core_pass (core, 50, started);
  sched__core_check (core);
  g_assert_cmpuint (started->len, ==, 1);
  g_assert_cmpuint (g_array_index (started, SchedStart, 0).id, ==, 3);
}

/* A node-count-bounded job on mixed nodes: best fit (small nodes first) would spill over two
 * nodes; the big node must be chosen instead. */
static void
test_select_bounded_nodes (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new ();
  guint32 nodes[3];
  nodes[0] = sched_cluster_add_node (cl, "s1", 4, 0, 0, 0);
  nodes[1] = sched_cluster_add_node (cl, "s2", 8, 0, 0, 0);
  nodes[2] = sched_cluster_add_node (cl, "big", 16, 0, 0, 0);
  sched_cluster_add_partition (cl, "all", nodes, 3, 0, SCHED_TIME_NEVER, 0, TRUE);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("fcfs", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = 1, s.tasks = 12, s.min_nodes = 1, s.max_nodes = 1, s.time_limit = 10;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 2, s.tasks = 3, s.min_nodes = 1, s.max_nodes = 1, s.time_limit = 10;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_core_pass (core, 0, st);
  sched__core_check (core);
  g_assert_cmpuint (st->len, ==, 2);
  const SchedStart *a = &g_array_index (st, SchedStart, 0);
  g_assert_cmpuint (a->alloc->n_nodes, ==, 1);
  g_assert_cmpuint (a->alloc->nodes[0].node, ==, nodes[2]);
  const SchedStart *b = &g_array_index (st, SchedStart, 1);
  g_assert_cmpuint (b->alloc->nodes[0].node, ==, nodes[0]); /* best fit for the small one */
  /* 20 tasks on one node: no node has 20 CPUs, so it can never run */
  sched_job_spec_init (&s);
  s.id = 3, s.tasks = 20, s.max_nodes = 1, s.time_limit = 10;
  SchedReason why;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
}

/* --ntasks-per-node: 3 nodes of 4 CPUs.  Job 1 (4 tasks, at most 2 per node) spreads
 * over two nodes with 2 CPUs each, where best fit alone would pack one node.  Job 2 (1
 * task of 4 CPUs, 100 s) takes the third node.  Job 3 (4 tasks, at most 1 per node) needs
 * 4 nodes: more than there are, so it never fits.  Job 4 (3 tasks, at most 1 per node)
 * needs all three nodes: it is planned at 100, when job 2's node frees, not earlier when
 * the free CPUs (4) already cover its 3 tasks.  Job 5 (2 CPUs, per-node cap of 2) fills
 * job 1's nodes' spare CPUs at once without delaying job 4 (ends by 100). */
static void
test_tasks_per_node (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (3, 4, 0, 0);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = 1, s.tasks = 4, s.tasks_per_node = 2, s.time_limit = 200;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 2, s.tasks = 1, s.cpus_per_task = 4, s.time_limit = 100;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 3, s.tasks = 4, s.tasks_per_node = 1, s.time_limit = 10;
  SchedReason why;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
  sched_job_spec_init (&s);
  s.id = 4, s.tasks = 3, s.tasks_per_node = 1, s.time_limit = 50;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 5, s.tasks = 2, s.tasks_per_node = 2, s.time_limit = 90;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_core_pass (core, 0, st);
  sched__core_check (core);
  g_assert_cmpuint (st->len, ==, 3);
  const SchedStart *a = &g_array_index (st, SchedStart, 0);
  g_assert_cmpuint (a->id, ==, 1);
  g_assert_cmpuint (a->alloc->n_nodes, ==, 2);
  g_assert_cmpuint (a->alloc->nodes[0].cpus, ==, 2);
  g_assert_cmpuint (a->alloc->nodes[1].cpus, ==, 2);
  g_assert_cmpuint (g_array_index (st, SchedStart, 1).id, ==, 2);
  const SchedStart *e = &g_array_index (st, SchedStart, 2);
  g_assert_cmpuint (e->id, ==, 5);
  g_assert_cmpuint (e->alloc->n_nodes, ==, 1);
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (core, 4, &info));
  g_assert_cmpint (info.state, ==, SCHED_JOB_PENDING);
  g_assert_cmpint (info.planned_start, ==, 100);
  g_assert_true (sched_core_job_ended (core, 90, 5, SCHED_JOB_COMPLETED));
  g_array_set_size (st, 0);
  sched_core_pass (core, 90, st);
  g_assert_cmpuint (st->len, ==, 0);   /* 4 CPUs free on two nodes, but one task each */
  g_assert_true (sched_core_job_ended (core, 100, 2, SCHED_JOB_COMPLETED));
  sched_core_pass (core, 100, st);
  sched__core_check (core);
  g_assert_cmpuint (st->len, ==, 1);
  const SchedStart *d = &g_array_index (st, SchedStart, 0);
  g_assert_cmpuint (d->id, ==, 4);
  g_assert_cmpuint (d->alloc->n_nodes, ==, 3);
  g_assert_cmpuint (d->alloc->cpus, ==, 3);
}

/* --nodelist and --exclude: 4 nodes of 4 CPUs.  Job 1 (2 tasks) requires node 3: best fit
 * would take node 0, but it runs on node 3.  Job 2 (2 nodes, 2 tasks) requires node 1 and
 * gets one more: node 3, the best fit (2 CPUs free).  Job 3 (4 tasks) excludes nodes 0-2:
 * only node 3 is left, where jobs 1 and 2 hold 3 CPUs, so it waits for their end (100).
 * Job 5 requires nodes 0-3 with 1 task: fewer tasks than required nodes never fits. */
static void
test_nodelist_exclude (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (4, 4, 0, 0);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("conservative", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  const guint32 n3[] = { 3 }, n1[] = { 1, 1 }, n012[] = { 2, 0, 1, 9 }, all[] = { 0, 1, 2, 3 };
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = 1, s.tasks = 2, s.time_limit = 100;
  s.nodes_required = sched_core_node_set (core, n3, 1);
  g_assert_cmpuint (s.nodes_required, !=, 0);
  g_assert_false (sched_job_spec_is_simple (&s));
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 2, s.tasks = 2, s.min_nodes = 2, s.time_limit = 100;
  s.nodes_required = sched_core_node_set (core, n1, 2);
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 3, s.tasks = 4, s.time_limit = 50;
  s.constraint = sched_core_constraint_excluding (core, NULL, n012, 4);
  g_assert_cmpuint (s.constraint, ==, sched_core_constraint_excluding (core, "", n012, 3));
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_job_spec_init (&s);
  s.id = 5, s.tasks = 1, s.time_limit = 10;
  s.nodes_required = sched_core_node_set (core, all, 4);
  SchedReason why;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
  g_assert_cmpuint (sched_core_node_set (core, NULL, 0), ==, 0);
  g_assert_cmpuint (sched_core_constraint_excluding (core, NULL, NULL, 0), ==, 0);

  sched_core_pass (core, 0, st);
  sched__core_check (core);
  g_assert_cmpuint (st->len, ==, 2);
  const SchedStart *a = &g_array_index (st, SchedStart, 0);
  g_assert_cmpuint (a->id, ==, 1);
  g_assert_cmpuint (a->alloc->n_nodes, ==, 1);
  g_assert_cmpuint (a->alloc->nodes[0].node, ==, 3);
  const SchedStart *b = &g_array_index (st, SchedStart, 1);
  g_assert_cmpuint (b->id, ==, 2);
  g_assert_cmpuint (b->alloc->n_nodes, ==, 2);
  g_assert_cmpuint (b->alloc->nodes[0].node, ==, 1);
  g_assert_cmpuint (b->alloc->nodes[1].node, ==, 3);
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (core, 3, &info));
  g_assert_cmpint (info.state, ==, SCHED_JOB_PENDING);
  g_assert_cmpint (info.planned_start, ==, 100);
  g_assert_true (sched_core_job_ended (core, 100, 1, SCHED_JOB_COMPLETED));
  g_array_set_size (st, 0);
  sched_core_pass (core, 100, st);
  g_assert_cmpuint (st->len, ==, 0);   /* job 2 still holds a CPU of node 3 */
  g_assert_true (sched_core_job_ended (core, 100, 2, SCHED_JOB_COMPLETED));
  sched_core_pass (core, 100, st);
  sched__core_check (core);
  g_assert_cmpuint (st->len, ==, 1);
  g_assert_cmpuint (g_array_index (st, SchedStart, 0).id, ==, 3);
  g_assert_cmpuint (g_array_index (st, SchedStart, 0).alloc->nodes[0].node, ==, 3);
}

/* Will-run (sbatch --test-only): 2 nodes of 4 CPUs, job 1 holds node 0 until 100 and
 * job 2 node 1 until 300 (EASY leaves job 3, 8 CPUs, pending).  A 2-task job would start
 * at 100 on node 0 (the queue is not considered), a 6-task job at 300, one that needs a
 * node 1 must wait for 300, one of 16 CPUs never, and the core is unchanged. */
static void
test_will_run (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (2, 4, 0, 0);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedJobSpec s;
  for (guint id = 1; id <= 3; id++)
    {
      sched_job_spec_init (&s);
      s.id = id, s.tasks = id == 3 ? 8 : 4, s.min_nodes = 1, s.max_nodes = id == 3 ? 2 : 1;
      s.time_limit = id == 1 ? 100 : 300;
      g_assert_true (sched_core_submit (core, 0, &s, NULL));
    }
  sched_core_pass (core, 0, st);
  g_assert_cmpuint (st->len, ==, 2);
  guint pending = sched_core_n_pending (core);
  struct { guint32 tasks, req; SchedTime start; } cases[] = {
    { 2, 0, 100 }, { 6, 0, 300 }, { 1, 2, 300 }, { 16, 0, SCHED_TIME_NEVER },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      sched_job_spec_init (&s);
      s.id = 99, s.tasks = cases[k].tasks, s.time_limit = 50;
      guint32 node = cases[k].req - 1;
      if (cases[k].req)
        s.nodes_required = sched_core_node_set (core, &node, 1);
      SchedAlloc a = { 0 };
      SchedReason why = SCHED_REASON_NONE;
      SchedTime t = sched_core_will_run (core, 10, &s, &a, &why);
      g_assert_cmpint (t, ==, cases[k].start);
      if (t == SCHED_TIME_NEVER)
        g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
      else if (cases[k].req)
        g_assert_cmpuint (a.nodes[0].node, ==, node);
      sched_alloc_clear (&a);
    }
  g_assert_cmpuint (sched_core_n_pending (core), ==, pending);
  g_assert_false (sched_core_has_job (core, 99));
  sched__core_check (core);
}

static void
test_submit_rejects (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new ();
  guint32 n0 = sched_cluster_add_node (cl, "a1", 4, 0, 0, 0);
  guint32 n1 = sched_cluster_add_node (cl, "a2", 4, 0, 0, 0);
  guint32 nodes[] = { n0, n1 };
  sched_cluster_add_partition (cl, "short", nodes, 2, 60, 3600, 1, TRUE);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("fcfs", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  SchedJobSpec s;
  SchedReason why;
  sched_job_spec_init (&s);
  s.id = 1, s.time_limit = 7200;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_PARTITION_TIME_LIMIT);
  s.time_limit = 0, s.min_nodes = 2, s.tasks = 2;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_PARTITION_NODE_LIMIT);
  s.min_nodes = 0, s.tasks = 9;
  g_assert_false (sched_core_submit (core, 0, &s, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
  s.tasks = 8;
  g_assert_true (sched_core_submit (core, 0, &s, &why));
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (core, 1, &info));
  g_assert_cmpint (info.spec->time_limit, ==, 60); /* partition default */
  g_assert_cmpint (info.reason, ==, SCHED_REASON_RESOURCES);
  g_assert_true (sched_core_cancel (core, 1, 1));
  g_assert_false (sched_core_job_info (core, 1, &info));
  g_assert_cmpuint (sched_core_n_pending (core), ==, 0);
  g_assert_cmpstr (sched_reason_name (SCHED_REASON_PRIORITY), ==, "Priority");
  g_assert_cmpstr (sched_job_state_name (SCHED_JOB_NODE_FAIL), ==, "NODE_FAIL");
  SchedPolicy none;
  g_assert_false (sched_policy_lookup ("nope", &none));
}

/* A running job's time limit changed (scontrol update TimeLimit=): the head job's
 * reservation follows the new end, and a job that now fits before it backfills.  One node
 * of 4 CPUs: A (4 CPUs, limit 100) runs; B (4 CPUs) waits for it; C (4 CPUs, limit 30)
 * cannot start before B's reservation. */
static void
test_running_limit_change (void)
{
  static const char *const policies[] = { "easy", "conservative" };
  for (guint k = 0; k < G_N_ELEMENTS (policies); k++)
    {
      g_autoptr (SchedCluster) cl = sched_cluster_new ();
      guint32 n0 = sched_cluster_add_node (cl, "a1", 4, 0, 0, 0);
      sched_cluster_add_partition (cl, "p", &n0, 1, 0, SCHED_TIME_NEVER, 0, TRUE);
      SchedPolicy pol;
      g_assert_true (sched_policy_lookup (policies[k], &pol));
      g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
      SchedJobSpec s;
      sched_job_spec_init (&s);
      s.tasks = 4;
      s.id = 1, s.time_limit = 100;
      g_assert_true (sched_core_submit (core, 0, &s, NULL));
      g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
      sched_core_pass (core, 0, st);
      g_assert_cmpuint (st->len, ==, 1);
      s.id = 2, s.time_limit = 100;
      g_assert_true (sched_core_submit (core, 10, &s, NULL));
      g_array_set_size (st, 0);
      sched_core_pass (core, 10, st);
      SchedJobInfo info;
      g_assert_true (sched_core_job_info (core, 2, &info));
      g_assert_cmpint (info.planned_start, ==, 100);
      /* raised: B's reservation moves out with A's end */
      g_assert_true (sched_core_set_running_limit (core, 20, 1, 300));
      g_array_set_size (st, 0);
      sched_core_pass (core, 20, st);
      g_assert_true (sched_core_job_info (core, 2, &info));
      g_assert_cmpint (info.planned_start, ==, 300);
      /* lowered to 40: B is planned at 40 */
      g_assert_true (sched_core_set_running_limit (core, 30, 1, 40));
      g_array_set_size (st, 0);
      sched_core_pass (core, 30, st);
      g_assert_cmpuint (st->len, ==, 0);
      g_assert_true (sched_core_job_info (core, 2, &info));
      g_assert_cmpint (info.planned_start, ==, 40);
      /* the node comes back at 40 as now expected */
      g_assert_true (sched_core_job_ended (core, 40, 1, SCHED_JOB_TIMEOUT));
      g_array_set_size (st, 0);
      sched_core_pass (core, 40, st);
      g_assert_cmpuint (st->len, ==, 1);
      g_assert_cmpuint (g_array_index (st, SchedStart, 0).id, ==, 2);
      g_assert_false (sched_core_set_running_limit (core, 40, 1, 50));   /* gone */
      g_assert_false (sched_core_set_running_limit (core, 40, 99, 50));  /* unknown */
    }
}

/* Node states: IDLE, MIXED, ALLOCATED, DRAINING, DRAINED, DOWN, and that drained and down
 * nodes receive no jobs. */
static void
test_node_states (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (2, 2, 0, 0);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  g_autoptr (GArray) affected = g_array_new (FALSE, FALSE, sizeof (SchedJobId));
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = 1, s.time_limit = 100;
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_core_pass (core, 0, started);
  g_assert_cmpuint (started->len, ==, 1);
  g_assert_cmpint (sched_core_node_status (core, 0), ==, SCHED_NODE_MIXED);
  g_assert_cmpint (sched_core_node_status (core, 1), ==, SCHED_NODE_IDLE);
  g_assert_cmpstr (sched_node_status_name (SCHED_NODE_DRAINING), ==, "DRAINING");
  sched_core_node_set_drain (core, 1, 0, TRUE);
  g_assert_cmpint (sched_core_node_status (core, 0), ==, SCHED_NODE_DRAINING);
  sched_job_spec_init (&s);
  s.id = 3, s.tasks = 2, s.time_limit = 10;
  g_assert_true (sched_core_submit (core, 1, &s, NULL));
  g_array_set_size (started, 0);
  sched_core_pass (core, 1, started);
  sched__core_check (core);
  g_assert_cmpuint (started->len, ==, 1);
  const SchedStart *st = &g_array_index (started, SchedStart, 0);
  g_assert_cmpuint (st->id, ==, 3);
  g_assert_cmpuint (st->alloc->nodes[0].node, ==, 1); /* not on the drained node */
  g_assert_cmpint (sched_core_node_status (core, 1), ==, SCHED_NODE_ALLOCATED);
  g_assert_true (sched_core_job_ended (core, 5, 1, SCHED_JOB_COMPLETED));
  g_assert_cmpint (sched_core_node_status (core, 0), ==, SCHED_NODE_DRAINED);
  sched_core_node_set_down (core, 6, 1, TRUE, affected);
  g_assert_cmpuint (affected->len, ==, 1);
  g_assert_cmpuint (g_array_index (affected, SchedJobId, 0), ==, 3);
  g_assert_cmpint (sched_core_node_status (core, 1), ==, SCHED_NODE_DOWN);
  g_assert_true (sched_core_job_ended (core, 6, 3, SCHED_JOB_NODE_FAIL));
  sched_job_spec_init (&s);
  s.id = 4, s.time_limit = 10;
  g_assert_true (sched_core_submit (core, 6, &s, NULL));
  g_array_set_size (started, 0);
  sched_core_pass (core, 6, started);
  g_assert_cmpuint (started->len, ==, 0); /* every node drained or down */
  sched_core_node_set_drain (core, 7, 0, FALSE);
  g_array_set_size (started, 0);
  sched_core_pass (core, 7, started);
  sched__core_check (core);
  g_assert_cmpuint (started->len, ==, 1);
  g_assert_cmpint (sched_core_node_status (core, 0), ==, SCHED_NODE_MIXED);
  sched_core_node_set_down (core, 8, 1, FALSE, NULL);
  g_assert_cmpint (sched_core_node_status (core, 1), ==, SCHED_NODE_IDLE);
  sched__core_check (core);
}

/* ---- the slurm policy, parameter by parameter ---- */

static GArray *
replay_with (const SchedCluster *cl, const SchedPolicy *pol, const WlJob *jobs, guint n)
{
  g_autoptr (SimEngine) e = sim_engine_new (cl, pol, NULL);
  g_autoptr (WlReader) r = test_array_reader_new (jobs, n);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_assert_true (sim_engine_run (e, r, test_collect, &c, NULL));
  return c.records;
}

static SchedPolicy
slurm_policy (const char *params)
{
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("slurm", &pol));
  g_auto (GStrv) kv = g_strsplit (params, ",", -1);
  for (guint i = 0; kv[i] && *kv[i]; i++)
    {
      g_auto (GStrv) pair = g_strsplit (kv[i], "=", 2);
      g_assert_cmpint (sched_policy_set_param (&pol, pair[0], pair[1]), ==, SCHED_PARAM_OK);
    }
  return pol;
}

/* 10 CPUs.  A 8 CPUs [0,100).  B (10 CPUs) at 1 waits for A.  C (2 CPUs, 50 s) at 5 fits
 * beside A and ends before B's reservation.  EASY starts C at 5; Slurm's main scheduler
 * stops at B and C waits for the backfill timer: ticks every bf_interval from the first pass
 * (t = 0), so C starts at 30 (or 20 with bf_interval=20).  With bf_max_job_test=1 backfill
 * tests B only and C waits for B's end (200). */
static void
test_slurm_interval_and_max_job_test (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  WlJob jobs[] = {
    test_job (1, 0, 8, 100, 100), test_job (2, 1, 10, 100, 100), test_job (3, 5, 2, 50, 50),
  };
  const Expect dflt[] = { { 1, 0 }, { 2, 100 }, { 3, 30 } };
  const Expect i20[] = { { 1, 0 }, { 2, 100 }, { 3, 20 } };
  const Expect t1[] = { { 1, 0 }, { 2, 100 }, { 3, 200 } };
  SchedPolicy pol = slurm_policy ("");
  g_assert_cmpint (pol.slurm.bf_interval, ==, 30);
  g_assert_cmpint (pol.slurm.bf_window, ==, 86400);
  g_assert_cmpint (pol.slurm.bf_resolution, ==, 60);
  g_assert_cmpuint (pol.slurm.bf_max_job_test, ==, 500);
  g_assert_cmpuint (pol.slurm.default_queue_depth, ==, 100);
  g_autoptr (GArray) r1 = replay_with (cl, &pol, jobs, 3);
  check_starts (r1, dflt, 3);
  pol = slurm_policy ("bf_interval=20");
  g_autoptr (GArray) r2 = replay_with (cl, &pol, jobs, 3);
  check_starts (r2, i20, 3);
  pol = slurm_policy ("bf_max_job_test=1");
  g_autoptr (GArray) r3 = replay_with (cl, &pol, jobs, 3);
  check_starts (r3, t1, 3);
  /* per user: B and C of the same user, bf_max_job_user=1 -> C untested, as above */
  pol = slurm_policy ("bf_max_job_user=1");
  g_autoptr (GArray) r4 = replay_with (cl, &pol, jobs, 3);
  check_starts (r4, t1, 3);
  jobs[2].spec.user = 7; /* C of another user: tested again */
  g_autoptr (GArray) r5 = replay_with (cl, &pol, jobs, 3);
  check_starts (r5, dflt, 3);
}

/* bf_window: A 8 CPUs [0,200).  B (10 CPUs) at 1 can start at 200.  C (2 CPUs, 300 s) at 5.
 * With the default window (1 day) backfill reserves B at 200 and C, which would delay it,
 * waits for B to end (300).  With bf_window=1 (60 s) B's start is beyond the window at the
 * tick t = 30: no reservation, so C starts then and B waits for C's end (330). */
static void
test_slurm_window (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  WlJob jobs[] = {
    test_job (1, 0, 8, 200, 200), test_job (2, 1, 10, 100, 100), test_job (3, 5, 2, 300, 300),
  };
  const Expect wide[] = { { 1, 0 }, { 2, 200 }, { 3, 300 } };
  const Expect narrow[] = { { 1, 0 }, { 2, 330 }, { 3, 30 } };
  SchedPolicy pol = slurm_policy ("");
  g_autoptr (GArray) r1 = replay_with (cl, &pol, jobs, 3);
  check_starts (r1, wide, 3);
  pol = slurm_policy ("bf_window=1");
  g_assert_cmpint (pol.slurm.bf_window, ==, 60);
  g_autoptr (GArray) r2 = replay_with (cl, &pol, jobs, 3);
  check_starts (r2, narrow, 3);
}

/* bf_resolution and default_queue_depth, on the core directly.  10 CPUs: A (10 CPUs) runs
 * [0,100).  B (10 CPUs, 90 s) is reserved at 100 until 190 exactly with bf_resolution=1;
 * with 60 its reservation ends at floor(190/60)*60 = 180, so C (10 CPUs) is planned at 180
 * instead of 190.  default_queue_depth=0 lets a main pass test one job only. */
static void
test_slurm_resolution_and_depth (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  for (int res = 0; res < 2; res++)
    {
      SchedPolicy pol = slurm_policy (res ? "bf_resolution=60" : "bf_resolution=1");
      g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
      g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
      SchedJobSpec s;
      sched_job_spec_init (&s);
      s.id = 1, s.tasks = 10, s.time_limit = 100;
      g_assert_true (sched_core_submit (core, 0, &s, NULL));
      SchedTime next = sched_core_pass (core, 0, st);
      g_assert_cmpuint (st->len, ==, 1);
      g_assert_cmpint (next, ==, SCHED_TIME_NEVER); /* nothing waits */
      s.id = 2, s.time_limit = 90;
      g_assert_true (sched_core_submit (core, 1, &s, NULL));
      s.id = 3, s.time_limit = 20;
      g_assert_true (sched_core_submit (core, 2, &s, NULL));
      next = sched_core_pass (core, 2, st);
      g_assert_cmpint (next, ==, 30); /* the backfill timer's next tick */
      next = sched_core_pass (core, 30, st);
      /* nothing changed since this backfill pass: no tick asked for (Slurm's _more_work) */
      g_assert_cmpint (next, ==, SCHED_TIME_NEVER);
      SchedJobInfo info;
      g_assert_true (sched_core_job_info (core, 2, &info));
      g_assert_cmpint (info.planned_start, ==, 100);
      g_assert_true (sched_core_job_info (core, 3, &info));
      g_assert_cmpint (info.planned_start, ==, res ? 180 : 190);
      /* a new submission is a change: the next tick is asked for again */
      s.id = 4, s.time_limit = 5;
      g_assert_true (sched_core_submit (core, 41, &s, NULL));
      next = sched_core_pass (core, 41, st);
      g_assert_cmpint (next, ==, 60);
    }
  /* default_queue_depth */
  WlJob jobs[] = { test_job (1, 0, 1, 100, 100), test_job (2, 0, 1, 100, 100) };
  SchedPolicy pol = slurm_policy ("default_queue_depth=0");
  g_autoptr (GArray) r1 = replay_with (cl, &pol, jobs, 2);
  const Expect d0[] = { { 1, 0 }, { 2, 30 } };
  check_starts (r1, d0, 2);
  pol = slurm_policy ("");
  g_autoptr (GArray) r2 = replay_with (cl, &pol, jobs, 2);
  const Expect d1[] = { { 1, 0 }, { 2, 0 } };
  check_starts (r2, d1, 2);
  /* bad values change nothing; unknown keys are reported */
  SchedPolicy before = pol;
  g_assert_cmpint (sched_policy_set_param (&pol, "bf_window", "abc"), ==, SCHED_PARAM_BAD_VALUE);
  g_assert_cmpint (sched_policy_set_param (&pol, "bf_interval", "0"), ==, SCHED_PARAM_BAD_VALUE);
  g_assert_cmpint (sched_policy_set_param (&pol, "bf_continue", "1"), ==, SCHED_PARAM_BAD_VALUE);
  g_assert_cmpint (sched_policy_set_param (&pol, "bf_busy_nodes", NULL), ==, SCHED_PARAM_UNKNOWN);
  g_assert_true (memcmp (&before, &pol, sizeof pol) == 0);
  g_assert_cmpint (sched_policy_set_param (&pol, "bf_continue", NULL), ==, SCHED_PARAM_OK);
  g_assert_true (pol.slurm.bf_continue);
}

/* The priority order with fair-share: user 1 has used the machine alone for 1000 s, so when
 * it frees up, user 2's job (submitted later) goes first; without a SchedPriority the same
 * order is the queue order. */
static void
test_priority_fairshare_order (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (10, 1, 0, 0);
  WlJob jobs[] = {
    test_job (1, 0, 10, 1000, 1000), test_job (2, 10, 10, 100, 100),
    test_job (3, 20, 10, 100, 100),
  };
  jobs[0].spec.user = 1, jobs[1].spec.user = 1, jobs[2].spec.user = 2;
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("fcfs", &pol));
  g_assert_true (sched_order_lookup ("priority", &pol.order));
  g_autoptr (GArray) plain = replay_with (cl, &pol, jobs, 3);
  const Expect fifo[] = { { 1, 0 }, { 2, 1000 }, { 3, 1100 } };
  check_starts (plain, fifo, 3);

  SchedPriorityParams pp;
  sched_priority_params_init (&pp);
  pp.weight_fairshare = 10000;
  pp.total_cpus = 10;
  g_autoptr (SimEngine) e = sim_engine_new (cl, &pol, NULL);
  sim_engine_set_priority (e, sched_priority_new (&pp));
  g_autoptr (WlReader) r = test_array_reader_new (jobs, 3);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_assert_true (sim_engine_run (e, r, test_collect, &c, NULL));
  g_autoptr (GArray) fair = c.records;
  const Expect fs[] = { { 1, 0 }, { 3, 1000 }, { 2, 1100 } };
  check_starts (fair, fs, 3);
}

/* ---- oracle: a naive time-stepped reference ---- */

/* The reference: integer time, a free-CPU array over a horizon, depth-limited reservations
 * made by scanning every time step.  O(horizon) per job per pass; only for tiny inputs. */
typedef struct {
  SchedTime start;
  SchedTime end;
} RefOut;

static SchedTime
ref_plan (const WlJob *j)
{
  SchedTime e = j->spec.estimate;
  return e > 0 && e < j->spec.time_limit ? e : j->spec.time_limit;
}

/* The order key, written out independently of sched/order.c from the formulas it documents. */
static double
ref_key (SchedOrder order, const WlJob *j, SchedTime now)
{
  double r = (double) ref_plan (j), n = j->spec.tasks, w = (double) (now - j->spec.submit);
  switch (order)
    {
    case SCHED_ORDER_SUBMIT: return (double) j->spec.submit;
    case SCHED_ORDER_PRIORITY: return (double) j->spec.submit; /* no SchedPriority: basic */
    case SCHED_ORDER_SJF: return r;
    case SCHED_ORDER_LJF: return -r;
    case SCHED_ORDER_SMALLEST: return n;
    case SCHED_ORDER_LARGEST: return -n;
    case SCHED_ORDER_WFP3: return -pow (w / r, 3) * n;
    case SCHED_ORDER_UNICEF: return -w / (log2 (n < 2 ? 2 : n) * r);
    case SCHED_ORDER_F1:
      return log10 (r < 0.1 ? 0.1 : r) * n
             + 870.0 * log10 (j->spec.submit < 0.1 ? 0.1 : (double) j->spec.submit);
    default: g_assert_not_reached ();
    }
}

static SchedOrder ref_sort_order;
static SchedTime ref_sort_now;
static const WlJob *ref_sort_jobs;

static int
ref_cmp (gconstpointer pa, gconstpointer pb)
{
  guint a = *(const guint *) pa, b = *(const guint *) pb;
  double ka = ref_key (ref_sort_order, &ref_sort_jobs[a], ref_sort_now);
  double kb = ref_key (ref_sort_order, &ref_sort_jobs[b], ref_sort_now);
  if (ka != kb)
    return ka < kb ? -1 : 1;
  if (ref_sort_jobs[a].spec.submit != ref_sort_jobs[b].spec.submit)
    return ref_sort_jobs[a].spec.submit < ref_sort_jobs[b].spec.submit ? -1 : 1;
  return (a > b) - (a < b);
}

/* The reference: integer time, a free-CPU array over a horizon, depth-limited reservations
 * made by scanning every time step, jobs taken in `order` at each pass, planned durations
 * from the estimates.  O(horizon) per job per pass; only for tiny inputs. */
static void
reference_schedule (const WlJob *jobs, guint n, guint32 cpus, guint32 depth, SchedOrder order,
                    RefOut *out)
{
  SchedTime horizon = 0;
  for (guint i = 0; i < n; i++)
    horizon = MAX (horizon, jobs[i].spec.submit);
  for (guint i = 0; i < n; i++)
    horizon += jobs[i].spec.time_limit + 1;
  gint64 *freev = g_new (gint64, horizon + 1);
  guint *idx = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    out[i].start = out[i].end = -1;
  for (SchedTime now = 0; now <= horizon; now++)
    {
      gboolean any_pending = FALSE, event = FALSE;
      for (guint i = 0; i < n; i++)
        {
          if (out[i].start < 0 && jobs[i].spec.submit <= now)
            any_pending = TRUE;
          if (jobs[i].spec.submit == now || (out[i].start >= 0 && out[i].end == now))
            event = TRUE;
        }
      if (!any_pending || !event)
        continue;
      for (SchedTime t = now; t <= horizon; t++)
        freev[t] = cpus;
      for (guint i = 0; i < n; i++)
        if (out[i].start >= 0 && out[i].end > now)
          {
            SchedTime rel = out[i].start + ref_plan (&jobs[i]);
            if (rel <= now)
              rel = out[i].start + jobs[i].spec.time_limit;
            if (rel <= now)
              rel = now + 1;
            for (SchedTime t = now; t < rel && t <= horizon; t++)
              freev[t] -= jobs[i].spec.tasks;
          }
      guint m = 0;
      for (guint i = 0; i < n; i++)
        if (out[i].start < 0 && jobs[i].spec.submit <= now)
          idx[m++] = i;
      ref_sort_order = order, ref_sort_now = now, ref_sort_jobs = jobs;
      qsort (idx, m, sizeof (guint), ref_cmp);
      guint32 reserved = 0;
      for (guint k = 0; k < m; k++)
        {
          guint i = idx[k];
          SchedTime lim = ref_plan (&jobs[i]), found = -1;
          for (SchedTime t = now; t + lim <= horizon && found < 0; t++)
            {
              gboolean ok = TRUE;
              for (SchedTime u = t; u < t + lim && ok; u++)
                ok = freev[u] >= jobs[i].spec.tasks;
              if (ok)
                found = t;
            }
          g_assert_cmpint (found, >=, 0);
          if (found == now)
            {
              out[i].start = now;
              out[i].end = now + MIN (jobs[i].runtime, jobs[i].spec.time_limit);
            }
          else if (depth == 0)
            break;
          else if (reserved >= depth)
            continue;
          else
            reserved++;
          for (SchedTime u = found; u < found + lim; u++)
            freev[u] -= jobs[i].spec.tasks;
        }
    }
  g_free (idx);
  g_free (freev);
}

static WlJob *
random_workload (guint n, guint32 cpus, gboolean zero_ok)
{
  WlJob *jobs = g_new (WlJob, n);
  SchedTime t = 0;
  for (guint i = 0; i < n; i++)
    {
      t += g_test_rand_int_range (0, 6);
      guint32 size = g_test_rand_int_range (1, cpus + 1);
      SchedTime lim = g_test_rand_int_range (1, 30);
      SchedTime run = g_test_rand_int_range (zero_ok ? 0 : 1, lim + 5);
      jobs[i] = test_job (i + 1, t, size, lim, run);
    }
  return jobs;
}

static void
oracle_round (guint round, SchedOrder order, gboolean estimates)
{
  const char *names[] = { "fcfs", "easy", "conservative" };
  const guint32 depths[] = { 0, 1, G_MAXUINT32 };
  guint32 cpus = g_test_rand_int_range (1, 12);
  guint n = g_test_rand_int_range (1, 14);
  g_autofree WlJob *jobs = random_workload (n, cpus, FALSE);
  if (estimates)
    for (guint i = 0; i < n; i++)
      jobs[i].spec.estimate = g_test_rand_int_range (0, 3) == 0 ? 0
                              : g_test_rand_int_range (1, (gint32) jobs[i].spec.time_limit + 1);
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (cpus, 1, 0, 0);
  for (int p = 0; p < 3; p++)
    {
      g_autofree RefOut *ref = g_new (RefOut, n);
      reference_schedule (jobs, n, cpus, depths[p], order, ref);
      SchedPolicy policy;
      g_assert_true (sched_policy_lookup (names[p], &policy));
      policy.order = order;
      g_autoptr (SimEngine) e = sim_engine_new (cl, &policy, NULL);
      g_autoptr (WlReader) r = test_array_reader_new (jobs, n);
      TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
      g_assert_true (sim_engine_run (e, r, test_collect, &c, NULL));
      g_autoptr (GArray) recs = c.records;
      g_assert_cmpuint (recs->len, ==, n);
      for (guint i = 0; i < n; i++)
        {
          const SchedJobRecord *rec = test_find (recs, i + 1);
          if (rec->start != ref[i].start || rec->end != ref[i].end)
            g_error ("%s, order %s%s, round %u, %u CPUs: job %u: core [%" G_GINT64_FORMAT ",%"
                     G_GINT64_FORMAT ") reference [%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                     ") (replay with --seed)", names[p], sched_order_name (order),
                     estimates ? " with estimates" : "", round, cpus, i + 1, rec->start,
                     rec->end, ref[i].start, ref[i].end);
        }
    }
}

static void
test_oracle_policies (void)
{
  guint rounds = g_test_thorough () ? 20000 : 2000;
  for (guint round = 0; round < rounds; round++)
    oracle_round (round, SCHED_ORDER_SUBMIT, FALSE);
}

/* Every queue order and estimates below the limits (jobs then outlive their estimates and
 * are planned with their limits), against the reference. */
static void
test_oracle_orders_and_estimates (void)
{
  guint rounds = g_test_thorough () ? 3000 : 300;
  for (int o = 0; o < SCHED_ORDER_N; o++)
    for (guint round = 0; round < rounds; round++)
      oracle_round (round, (SchedOrder) o, round % 2 == 1);
}

/* The fast paths (fcfs and EASY on the free-CPU count) against the generic profile engine
 * under every knob setting, and fcfs on the per-node profile against the count. */
static GArray *
replay_forced (const SchedCluster *cl, const char *policy_name, const SimOptions *o,
               const WlJob *jobs, guint n, gboolean force)
{
  SchedPolicy policy;
  g_assert_true (sched_policy_lookup (policy_name, &policy));
  g_autoptr (SimEngine) e = sim_engine_new (cl, &policy, o);
  sched__core_set_force_generic (sim_engine_get_core (e), force);
  g_autoptr (WlReader) r = test_array_reader_new (jobs, n);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_assert_true (sim_engine_run (e, r, test_collect, &c, NULL));
  return c.records;
}


static void
test_oracle_fast_paths (void)
{
  const char *names[] = { "fcfs", "easy", "conservative" };
  guint rounds = g_test_thorough () ? 5000 : 500;
  for (guint round = 0; round < rounds; round++)
    {
      guint32 cpus = g_test_rand_int_range (1, 16);
      guint n = g_test_rand_int_range (1, 40);
      g_autofree WlJob *jobs = random_workload (n, cpus, TRUE);
      g_autoptr (SchedCluster) pool = sched_cluster_new_uniform (cpus, 1, 0, 0);
      /* the same machine with a second partition: not pool mode, so the node profile runs */
      g_autoptr (SchedCluster) split = sched_cluster_new_uniform (cpus, 1, 0, 0);
      guint32 first = 0;
      sched_cluster_add_partition (split, "one", &first, 1, 0, SCHED_TIME_NEVER, 0, FALSE);
      for (int tie = 0; tie < 2; tie++)
        for (int pm = 0; pm < 2; pm++)
          for (int p = 0; p < 3; p++)
            {
              SimOptions o;
              sim_options_init (&o);
              o.tie_order = tie;
              o.pass_mode = pm;
              g_autoptr (GArray) fast = replay_forced (pool, names[p], &o, jobs, n, FALSE);
              g_autoptr (GArray) gen = replay_forced (pool, names[p], &o, jobs, n, TRUE);
              g_autoptr (GArray) node = replay_forced (split, names[p], &o, jobs, n, FALSE);
              g_autofree char *what = g_strdup_printf ("%s tie=%d pass=%d", names[p], tie, pm);
              g_autofree char *what2 = g_strdup_printf ("%s tie=%d pass=%d (node profile)", names[p], tie, pm);
              if (g_test_verbose ())
                for (guint i = 0; i < n; i++)
                  g_test_message ("job %u submit %" G_GINT64_FORMAT " cpus %u limit %" G_GINT64_FORMAT " run %" G_GINT64_FORMAT,
                                  jobs[i].spec.id, jobs[i].spec.submit, jobs[i].spec.tasks, jobs[i].spec.time_limit, jobs[i].runtime);
              assert_same_records (fast, gen, what);
              /* Reservations in the node profile hold specific nodes, so backfill around them
               * can differ from the count (where nodes are interchangeable); without
               * reservations both must agree exactly. */
              if (p == 0)
                assert_same_records (fast, node, what2);
            }
    }
}

/* Random node-level workloads: no overcommit (sched__core_check after every record), every
 * job ends, nothing starts before its submit time. */
static void
test_node_level_invariants (void)
{
  const char *names[] = { "fcfs", "easy", "conservative" };
  for (guint round = 0; round < 200; round++)
    {
      g_autoptr (SchedCluster) cl = sched_cluster_new ();
      guint32 nn = g_test_rand_int_range (1, 6);
      for (guint32 i = 0; i < nn; i++)
        {
          g_autofree char *name = g_strdup_printf ("n%u", i);
          sched_cluster_add_node (cl, name, g_test_rand_int_range (1, 9),
                                  g_test_rand_int_range (0, 3) * 4000,
                                  g_test_rand_int_range (0, 3), 0);
        }
      g_autofree guint32 *all = g_new (guint32, nn);
      for (guint32 i = 0; i < nn; i++)
        all[i] = i;
      sched_cluster_add_partition (cl, "all", all, nn, 0, SCHED_TIME_NEVER, 0, TRUE);
      guint n = g_test_rand_int_range (1, 25);
      g_autofree WlJob *jobs = g_new (WlJob, n);
      SchedTime t = 0;
      for (guint i = 0; i < n; i++)
        {
          t += g_test_rand_int_range (0, 5);
          jobs[i] = test_job (i + 1, t, g_test_rand_int_range (1, 4), g_test_rand_int_range (1, 20),
                              g_test_rand_int_range (0, 25));
          jobs[i].spec.cpus_per_task = g_test_rand_int_range (1, 3);
          jobs[i].spec.mem_per_node_mb = g_test_rand_int_range (0, 2) * 2000;
          jobs[i].spec.gpus_per_node = g_test_rand_int_range (0, 2);
          jobs[i].spec.exclusive = g_test_rand_int_range (0, 5) == 0;
          jobs[i].spec.min_nodes = g_test_rand_int_range (0, 3);
          if (jobs[i].spec.min_nodes > jobs[i].spec.tasks)
            jobs[i].spec.min_nodes = jobs[i].spec.tasks;
        }
      for (int p = 0; p < 3; p++)
        {
          g_autoptr (GArray) recs = test_replay (cl, names[p], NULL, jobs, n);
          for (guint i = 0; i < recs->len; i++)
            {
              const SchedJobRecord *r = &g_array_index (recs, SchedJobRecord, i);
              g_assert_cmpint (r->start, >=, r->submit);
              g_assert_cmpint (r->end, >=, r->start);
              g_assert_cmpint (r->state, !=, SCHED_JOB_PENDING);
            }
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sched/backfill/easy-vs-conservative", test_easy_vs_conservative);
  g_test_add_func ("/sched/backfill/long-job-must-not-delay-head", test_long_job_must_not_delay_head);
  g_test_add_func ("/sched/core/timeout-and-early-end", test_timeout_and_early_end);
  g_test_add_func ("/sched/core/submit-rejects", test_submit_rejects);
  g_test_add_func ("/sched/select/node-level", test_node_level_allocation);
  g_test_add_func ("/sched/select/tasks-per-node", test_tasks_per_node);
  g_test_add_func ("/sched/select/nodelist-exclude", test_nodelist_exclude);
  g_test_add_func ("/sched/core/will-run", test_will_run);
  g_test_add_func ("/sched/select/bounded-nodes", test_select_bounded_nodes);
  g_test_add_func ("/sched/slurm/interval-and-max-job-test", test_slurm_interval_and_max_job_test);
  g_test_add_func ("/sched/slurm/window", test_slurm_window);
  g_test_add_func ("/sched/order/priority-fairshare", test_priority_fairshare_order);
  g_test_add_func ("/sched/slurm/resolution-and-depth", test_slurm_resolution_and_depth);
  g_test_add_func ("/sched/core/node-states", test_node_states);
  g_test_add_func ("/sim/knobs/tie-order-and-pass-mode", test_tie_order_and_pass_mode);
  g_test_add_func ("/sim/knobs/same-time-completions", test_same_time_completions_in_start_order);
  g_test_add_func ("/sim/knobs/periodic", test_periodic_passes);
  g_test_add_func ("/sched/oracle/policies", test_oracle_policies);
  g_test_add_func ("/sched/oracle/orders-and-estimates", test_oracle_orders_and_estimates);
  g_test_add_func ("/sched/oracle/fast-paths", test_oracle_fast_paths);
  g_test_add_func ("/sched/oracle/node-level-invariants", test_node_level_invariants);
  g_test_add_func ("/sched/core/running-limit-change", test_running_limit_change);
  return g_test_run ();
}
