/* SPDX-License-Identifier: MIT */
/* tests/sim/test-preempt.c - preemption in the simulator (sim/preempt.c): partition
 * PriorityTier and QOS preemption, requeue and cancel, grace time, exempt time, each on a
 * hand-worked schedule, and a slurm.conf scenario end to end through `sluice sim`.
 *
 * Unless said otherwise the machine is two nodes of 4 CPUs, n1 and n2, under easy with the
 * `priority` order (higher PriorityTier first), and two partitions over both nodes: "low"
 * (PriorityTier 1, the default) and "high" (PriorityTier 2).  Every job asks for its CPUs
 * on one node and a limit of 1000 s; the numbers are (submit, start, end).  Node selection
 * is best fit: among the nodes that fit, the one with the fewest free CPUs, then n1.
 *
 * The base schedule (test_requeue_one):
 *   L1  low   4 CPUs  submit 0,   run 500  -> 0..500 on n1
 *   L2  low   4 CPUs  submit 10,  run 500  -> 10..? on n2
 *   H   high  4 CPUs  submit 100, run 100
 * At 100 H cannot start; L1 and L2 are candidates, the most recently started first: L2.
 * With L2 gone H fits, so L2 alone is preempted (grace 0: at 100) and H runs 100..200.
 * REQUEUE: L2 goes back to the queue with submit 10 and runs its whole 500 s again,
 * 200..700, requeues 1.  CANCEL: L2 ends at 100, CANCELLED, preempted.  Without
 * preemption (or with equal tiers) H waits for L1: 500..600.
 *
 * preempt/qos runs the same schedule with QOS instead of partitions (one partition tier):
 * with Preempt lists only the listed QOS are preemptable, whatever the priorities; the
 * preempted job's QOS gives its PreemptMode, GraceTime and PreemptExemptTime.  An oracle
 * test replays random workloads with and without the per-class counts that let rounds
 * skip their walk, and requires the same records. */
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>

#include "sim/engine-private.h"
#include "tests/test-common.h"

enum { LOW = 0, HIGH = 1 };

/* Two nodes of 4 CPUs, partitions low (tier 1, default) and high (tier `high_tier`). */
static SchedCluster *
make_cluster (guint32 high_tier)
{
  SchedCluster *c = sched_cluster_new ();
  guint32 nodes[2];
  nodes[0] = sched_cluster_add_node (c, "n1", 4, 0, 0, 0);
  nodes[1] = sched_cluster_add_node (c, "n2", 4, 0, 0, 0);
  gint32 low = sched_cluster_add_partition (c, "low", nodes, 2, 0, SCHED_TIME_NEVER, 0, TRUE);
  gint32 high = sched_cluster_add_partition (c, "high", nodes, 2, 0, SCHED_TIME_NEVER, 0,
                                             FALSE);
  g_assert_cmpint (low, ==, LOW);
  g_assert_cmpint (high, ==, HIGH);
  sched_cluster_set_partition_priority (c, high, high_tier, 1);
  return c;
}

/* Job `id` of partition `part`: `cpus` CPUs on one node. */
static WlJob
job (SchedJobId id, gint32 part, SchedTime submit, guint32 cpus, SchedTime run)
{
  WlJob w = test_job (id, submit, cpus, 1000, run);
  w.spec.partition = part;
  w.spec.min_nodes = 1;
  w.spec.max_nodes = 1;
  return w;
}

typedef struct {
  GArray  *recs;   /* SchedJobRecord */
  SimStats stats;
} Replay;

static void
replay_clear (Replay *r)
{
  g_clear_pointer (&r->recs, g_array_unref);
}

/* Replays `jobs` on `cluster` under easy + priority order with `opts`; `limits`
 * (transfer full) may be NULL.  `part_mode`/`part_grace`: settings of partition LOW when
 * part_mode is not DEFAULT or part_grace >= 0. */
static void
replay_full (const SchedCluster *cluster, const SimOptions *opts, SchedLimits *limits,
             SimPreemptMode low_mode, SchedTime low_grace, const WlJob *jobs, guint n,
             Replay *out)
{
  SchedPolicy policy;
  g_assert_true (sched_policy_lookup ("easy", &policy));
  policy.order = SCHED_ORDER_PRIORITY;
  g_autoptr (SimEngine) e = sim_engine_new (cluster, &policy, opts);
  if (limits)
    sim_engine_set_limits (e, limits);
  if (low_mode != SIM_PREEMPT_MODE_DEFAULT || low_grace >= 0)
    sim_engine_set_partition_preempt (e, LOW, low_mode, low_grace);
  g_autoptr (WlReader) r = test_array_reader_new (jobs, n);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_autoptr (GError) error = NULL;
  g_assert_true (sim_engine_run (e, r, test_collect, &c, &error));
  g_assert_no_error (error);
  sched__core_check (sim_engine_get_core (e));
  g_assert_cmpuint (sched_core_n_running (sim_engine_get_core (e)), ==, 0);
  out->recs = c.records;
  out->stats = *sim_engine_get_stats (e);
}

static void
replay (const SchedCluster *cluster, const SimOptions *opts, const WlJob *jobs, guint n,
        Replay *out)
{
  replay_full (cluster, opts, NULL, SIM_PREEMPT_MODE_DEFAULT, -1, jobs, n, out);
}

static void
preempt_opts (SimOptions *o, SimPreemptType type, SimPreemptMode mode, SchedTime grace)
{
  sim_options_init (o);
  o->preempt = type;
  o->preempt_mode = mode;
  o->preempt_grace = grace;
}

/* Job `id` was submitted at `submit`, ran `start`..`end` in `state`, was requeued
 * `requeues` times and (not) ended by a preemption. */
static void
assert_job (const Replay *r, SchedJobId id, SchedTime submit, SchedTime start, SchedTime end,
            SchedJobState state, guint32 requeues, gboolean preempted)
{
  const SchedJobRecord *rec = test_find (r->recs, id);
  g_assert_nonnull (rec);
  g_test_message ("job %u: submit %" G_GINT64_FORMAT " start %" G_GINT64_FORMAT " end %"
                  G_GINT64_FORMAT " %s requeues %u preempted %d", id, rec->submit,
                  rec->start, rec->end, sched_job_state_name (rec->state), rec->requeues,
                  rec->preempted);
  g_assert_cmpint (rec->submit, ==, submit);
  g_assert_cmpint (rec->start, ==, start);
  g_assert_cmpint (rec->end, ==, end);
  g_assert_cmpint (rec->state, ==, state);
  g_assert_cmpuint (rec->requeues, ==, requeues);
  g_assert_cmpint (rec->preempted, ==, preempted);
  g_assert_cmpint (rec->runtime, ==, end - start);
}

#define L1 job (1, LOW, 0, 4, 500)
#define L2 job (2, LOW, 10, 4, 500)
#define H  job (3, HIGH, 100, 4, 100)

/* ---- partition_prio ---- */

static void
test_requeue_one (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob jobs[] = { L1, L2, H };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_REQUEUE, 0);
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 1);
  g_assert_cmpuint (r.stats.requeued, ==, 1);
  g_assert_cmpuint (r.stats.preempt_cancelled, ==, 0);
  g_assert_cmpuint (r.stats.finished, ==, 3);
  replay_clear (&r);
}

static void
test_cancel_one (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob jobs[] = { L1, L2, H };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_CANCEL, 0);
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 10, 100, SCHED_JOB_CANCELLED, 0, TRUE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 1);
  g_assert_cmpuint (r.stats.requeued, ==, 0);
  g_assert_cmpuint (r.stats.preempt_cancelled, ==, 1);
  replay_clear (&r);
}

/* The partition's PreemptMode overrides the global one. */
static void
test_partition_mode (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob jobs[] = { L1, L2, H };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_REQUEUE, 0);
  Replay r;
  replay_full (c, &o, NULL, SIM_PREEMPT_MODE_CANCEL, -1, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 2, 10, 10, 100, SCHED_JOB_CANCELLED, 0, TRUE);
  replay_clear (&r);
  /* OFF: low jobs are never preempted; H waits for L1 */
  replay_full (c, &o, NULL, SIM_PREEMPT_MODE_OFF, -1, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);
}

/* Two jobs preempted, the oldest spared.  n1: A (2 CPUs, submit 0) and B (2 CPUs, submit
 * 5, best fit: n1); n2: C (4 CPUs, submit 10).  H (high, 4 CPUs anywhere, up to 2 nodes)
 * at 100 needs 4 CPUs: youngest first, C alone frees 4 on n2.  So make H need 6 CPUs
 * over two nodes: C (4) is not enough, C + B (6) is: both go, A stays.  Requeued, B and
 * C start again when H ends at 200: B (submit 5) first on n1, then C on n2. */
static void
test_two_jobs (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob h = job (9, HIGH, 100, 6, 100);
  h.spec.max_nodes = 2;
  WlJob jobs[] = { job (1, LOW, 0, 2, 800), job (2, LOW, 5, 2, 500), job (3, LOW, 10, 4, 500),
                   h };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_REQUEUE, 0);
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 800, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 9, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 5, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  assert_job (&r, 3, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 2);
  g_assert_cmpuint (r.stats.requeued, ==, 2);
  replay_clear (&r);
}

/* The fewest jobs: n1 holds A (2 CPUs, start 0) and Y (2 CPUs, start 20), n2 holds B (4
 * CPUs, start 10).  H needs 4 CPUs on one node.  Youngest first takes Y (2 free on n1: not
 * enough), then B (4 free on n2: fits); giving Y back still fits, so only B is preempted,
 * though Y started last. */
static void
test_fewest (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob jobs[] = { job (1, LOW, 0, 2, 500), job (2, LOW, 10, 4, 500), job (3, LOW, 20, 2, 500),
                   job (9, HIGH, 100, 4, 100) };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_CANCEL, 0);
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 10, 100, SCHED_JOB_CANCELLED, 0, TRUE);
  assert_job (&r, 3, 20, 20, 520, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 9, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 1);
  replay_clear (&r);
}

/* Grace time 30 s: L2 keeps running until 130, H starts then (130..230) and L2, requeued,
 * runs again 230..730.  With L2's own end at 120 (run 110), within the grace, L2 completes
 * normally and H starts at 120: no preemption is counted. */
static void
test_grace (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_REQUEUE, 30);
  WlJob jobs[] = { L1, L2, H };
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 3, 100, 130, 230, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 230, 730, SCHED_JOB_COMPLETED, 1, FALSE);
  replay_clear (&r);

  /* the partition's GraceTime over the default */
  replay_full (c, &o, NULL, SIM_PREEMPT_MODE_DEFAULT, 50, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 3, 100, 150, 250, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 250, 750, SCHED_JOB_COMPLETED, 1, FALSE);
  replay_clear (&r);

  WlJob short_jobs[] = { L1, job (2, LOW, 10, 4, 110), H };
  replay (c, &o, short_jobs, G_N_ELEMENTS (short_jobs), &r);
  assert_job (&r, 2, 10, 10, 120, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 120, 220, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);
}

/* PreemptExemptTime 150: at 100 L1 and L2 have run 100 and 90 s, too little.  L1 becomes
 * preemptable at 150 (a pass of its own then), before L2 (at 160): L1 is preempted at 150
 * and H runs 150..250; L1 runs again 250..750. */
static void
test_exempt (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_REQUEUE, 0);
  o.preempt_exempt = 150;
  WlJob jobs[] = { L1, L2, H };
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 3, 100, 150, 250, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 1, 0, 250, 750, SCHED_JOB_COMPLETED, 1, FALSE);
  assert_job (&r, 2, 10, 10, 510, SCHED_JOB_COMPLETED, 0, FALSE);
  replay_clear (&r);
}

/* Equal tiers: no preemption, H waits for L1 (500..600), exactly as without preemption. */
static void
test_equal_tiers (void)
{
  g_autoptr (SchedCluster) c = make_cluster (1);
  WlJob jobs[] = { L1, L2, H };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_REQUEUE, 0);
  Replay r, none;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 10, 510, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay (c, NULL, jobs, G_N_ELEMENTS (jobs), &none);
  g_assert_cmpuint (r.recs->len, ==, none.recs->len);
  g_assert_cmpmem (r.recs->data, r.recs->len * sizeof (SchedJobRecord), none.recs->data,
                   none.recs->len * sizeof (SchedJobRecord));
  g_assert_cmpuint (r.stats.events, ==, none.stats.events);
  g_assert_cmpuint (r.stats.passes, ==, none.stats.passes);
  replay_clear (&r);
  replay_clear (&none);

  /* a high job does not preempt another high job either */
  g_autoptr (SchedCluster) c2 = make_cluster (2);
  WlJob highs[] = { job (1, HIGH, 0, 4, 500), job (2, HIGH, 10, 4, 500), H };
  replay (c2, &o, highs, G_N_ELEMENTS (highs), &r);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);
}

/* preempt/none: the base schedule without preemption, H at 500. */
static void
test_none (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob jobs[] = { L1, L2, H };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_NONE, SIM_PREEMPT_MODE_CANCEL, 30);
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 10, 510, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);
}

/* Two high jobs at once: H1 preempts L2 (the youngest); H2 sees H1's claim on n2 and
 * preempts L1 for itself, in the same round. */
static void
test_two_pending (void)
{
  g_autoptr (SchedCluster) c = make_cluster (2);
  WlJob jobs[] = { L1, L2, job (3, HIGH, 100, 4, 100), job (4, HIGH, 100, 4, 50) };
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_PARTITION_PRIO, SIM_PREEMPT_MODE_CANCEL, 20);
  Replay r;
  replay (c, &o, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 2, 10, 10, 120, SCHED_JOB_CANCELLED, 0, TRUE);
  assert_job (&r, 1, 0, 0, 120, SCHED_JOB_CANCELLED, 0, TRUE);
  assert_job (&r, 3, 100, 120, 220, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 4, 100, 120, 170, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 2);
  replay_clear (&r);
}

/* ---- preempt/qos ---- */

/* One partition of tier 1; QOS "low" (priority 10) and "high" (priority 100).  The base
 * schedule with QOS instead of partitions: L2 is requeued at 100, H runs 100..200.  The
 * queue order knows nothing of QOS here (no multifactor), so L2 (submit 10) is ahead of H:
 * it stays out of the core until H has started, or it would take n2 back (and be
 * preempted again, forever). */
static void
test_qos (void)
{
  g_autoptr (SchedCluster) c = make_cluster (1);
  SchedLimits *limits = sched_limits_new ();
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.priority = 10;
  SchedQosId low = sched_limits_add_qos (limits, "low", &q);
  q.priority = 100;
  SchedQosId high = sched_limits_add_qos (limits, "high", &q);
  WlJob jobs[] = { L1, L2, job (3, LOW, 100, 4, 100) };
  jobs[0].spec.qos = low;
  jobs[1].spec.qos = low;
  jobs[2].spec.qos = high;
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_QOS, SIM_PREEMPT_MODE_REQUEUE, 0);
  Replay r;
  replay_full (c, &o, limits, SIM_PREEMPT_MODE_DEFAULT, -1, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  replay_clear (&r);

  /* equal QOS priorities: nothing */
  limits = sched_limits_new ();
  q.priority = 10;
  low = sched_limits_add_qos (limits, "low", &q);
  high = sched_limits_add_qos (limits, "high", &q);
  jobs[0].spec.qos = jobs[1].spec.qos = low;
  jobs[2].spec.qos = high;
  replay_full (c, &o, limits, SIM_PREEMPT_MODE_DEFAULT, -1, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);
}

/* QOS with preemption settings, for the preempt/qos tests below. */
typedef struct {
  const char         *name;
  guint32             priority;
  const char         *preempt;      /* "a,b": its Preempt list, NULL: none */
  SchedQosPreemptMode mode;
  SchedTime           grace;        /* < 0: not set */
  SchedTime           exempt;       /* < 0: not set */
} QosDef;

/* Returns (transfer full) limits with `defs` (n of them) defined in order: ids 1..n. */
static SchedLimits *
qos_limits (const QosDef *defs, guint n)
{
  SchedLimits *l = sched_limits_new ();
  for (guint i = 0; i < n; i++)
    {
      SchedQosLimits q;
      sched_qos_limits_init (&q);
      q.priority = defs[i].priority;
      q.preempt_mode = defs[i].mode;
      q.grace_time = defs[i].grace;
      q.preempt_exempt = defs[i].exempt;
      g_assert_cmpuint (sched_limits_add_qos (l, defs[i].name, &q), ==, i + 1);
    }
  for (guint i = 0; i < n; i++)
    {
      g_auto (GStrv) names = defs[i].preempt ? g_strsplit (defs[i].preempt, ",", -1) : NULL;
      g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (SchedQosId));
      for (guint k = 0; names && names[k]; k++)
        {
          SchedQosId id = sched_limits_find_qos (l, names[k]);
          g_assert_cmpuint (id, !=, SCHED_QOS_INVALID);
          g_array_append_val (ids, id);
        }
      sched_limits_set_qos_preempt (l, i + 1, (const SchedQosId *) ids->data, ids->len);
    }
  return l;
}

/* The base schedule in one tier with QOS: L1 and L2 in QOS `low`, H in QOS `high`. */
static void
qos_replay (const QosDef *defs, guint n, const char *low, const char *high,
            SimPreemptMode global, SchedTime grace, SchedTime exempt, Replay *out)
{
  g_autoptr (SchedCluster) c = make_cluster (1);
  SchedLimits *limits = qos_limits (defs, n);
  WlJob jobs[] = { L1, L2, job (3, LOW, 100, 4, 100) };
  jobs[0].spec.qos = jobs[1].spec.qos = sched_limits_find_qos (limits, low);
  jobs[2].spec.qos = sched_limits_find_qos (limits, high);
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_QOS, global, grace);
  o.preempt_exempt = exempt;
  replay_full (c, &o, limits, SIM_PREEMPT_MODE_DEFAULT, -1, jobs, G_N_ELEMENTS (jobs), out);
}

#define QC SCHED_QOS_PREEMPT_CLUSTER

/* With Preempt lists, priorities do not decide.  "high" (priority 100) lists only "mid":
 * the jobs of "low" (priority 10) are not preemptable by it, and H waits for L1 (500),
 * where the priority order would have preempted L2 at 100 (test_qos).  Listing "low" as
 * well: L2 is requeued at 100, H runs 100..200, L2 200..700.  And a QOS of lower priority
 * that lists a higher one preempts it: "scav" (priority 1) lists "low". */
static void
test_qos_preempt_list (void)
{
  const QosDef no_entry[] = {
    { "low", 10, NULL, QC, -1, -1 }, { "mid", 50, NULL, QC, -1, -1 },
    { "high", 100, "mid", QC, -1, -1 },
  };
  Replay r;
  qos_replay (no_entry, G_N_ELEMENTS (no_entry), "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0,
              0, &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 10, 510, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);

  const QosDef entry[] = {
    { "low", 10, NULL, QC, -1, -1 }, { "mid", 50, NULL, QC, -1, -1 },
    { "high", 100, "mid,low", QC, -1, -1 },
  };
  qos_replay (entry, G_N_ELEMENTS (entry), "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 0, &r);
  assert_job (&r, 1, 0, 0, 500, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 1);
  replay_clear (&r);

  const QosDef upside_down[] = {
    { "low", 10, NULL, QC, -1, -1 }, { "scav", 1, "low", QC, -1, -1 },
  };
  qos_replay (upside_down, G_N_ELEMENTS (upside_down), "low", "scav", SIM_PREEMPT_MODE_CANCEL,
              0, 0, &r);
  assert_job (&r, 2, 10, 10, 100, SCHED_JOB_CANCELLED, 0, TRUE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  replay_clear (&r);
}

/* Only the listed QOS among the candidates: L1 (QOS "low", listed) and L2 (QOS "other",
 * same priority, not listed).  L2 started last and would go first; it is not a candidate,
 * so L1 is preempted at 100 (requeued: 200..700) and L2 runs on, 10..510. */
static void
test_qos_preempt_list_candidates (void)
{
  g_autoptr (SchedCluster) c = make_cluster (1);
  const QosDef defs[] = {
    { "low", 10, NULL, QC, -1, -1 }, { "other", 10, NULL, QC, -1, -1 },
    { "high", 100, "low", QC, -1, -1 },
  };
  SchedLimits *limits = qos_limits (defs, G_N_ELEMENTS (defs));
  WlJob jobs[] = { L1, L2, job (3, LOW, 100, 4, 100) };
  jobs[0].spec.qos = 1;
  jobs[1].spec.qos = 2;
  jobs[2].spec.qos = 3;
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_QOS, SIM_PREEMPT_MODE_REQUEUE, 0);
  Replay r;
  replay_full (c, &o, limits, SIM_PREEMPT_MODE_DEFAULT, -1, jobs, G_N_ELEMENTS (jobs), &r);
  assert_job (&r, 2, 10, 10, 510, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 1, 0, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 1);
  replay_clear (&r);
}

/* The preempted job's QOS gives the PreemptMode, over the global one: "low" with
 * PreemptMode=cancel under a global REQUEUE: L2 ends CANCELLED at 100.  "low" with
 * requeue under a global CANCEL: L2 is requeued (200..700).  "low" with off: its jobs are
 * never preempted, H waits for L1 (500..600).  The preemptor's QOS mode does not matter:
 * "high" with cancel, "low" without a mode of its own under a global REQUEUE: requeued. */
static void
test_qos_preempt_mode (void)
{
  Replay r;
  const QosDef cancel[] = {
    { "low", 10, NULL, SCHED_QOS_PREEMPT_CANCEL, -1, -1 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (cancel, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 0, &r);
  assert_job (&r, 2, 10, 10, 100, SCHED_JOB_CANCELLED, 0, TRUE);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preempt_cancelled, ==, 1);
  g_assert_cmpuint (r.stats.requeued, ==, 0);
  replay_clear (&r);

  const QosDef requeue[] = {
    { "low", 10, NULL, SCHED_QOS_PREEMPT_REQUEUE, -1, -1 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (requeue, 2, "low", "high", SIM_PREEMPT_MODE_CANCEL, 0, 0, &r);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  g_assert_cmpuint (r.stats.requeued, ==, 1);
  g_assert_cmpuint (r.stats.preempt_cancelled, ==, 0);
  replay_clear (&r);

  const QosDef off[] = {
    { "low", 10, NULL, SCHED_QOS_PREEMPT_OFF, -1, -1 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (off, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 0, &r);
  assert_job (&r, 3, 100, 500, 600, SCHED_JOB_COMPLETED, 0, FALSE);
  g_assert_cmpuint (r.stats.preemptions, ==, 0);
  replay_clear (&r);

  const QosDef preemptor[] = {
    { "low", 10, NULL, QC, -1, -1 }, { "high", 100, "low", SCHED_QOS_PREEMPT_CANCEL, -1, -1 },
  };
  qos_replay (preemptor, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 0, &r);
  assert_job (&r, 2, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  replay_clear (&r);
}

/* The preempted job's QOS GraceTime: "low" GraceTime=30 with no global grace: L2 runs on
 * until 130, H runs 130..230, L2 (requeued) 230..730.  The global grace (--grace-time)
 * is the default for a QOS without one: 50 -> H at 150.  A partition's GraceTime does not
 * apply with preempt/qos (Slurm's preempt/qos reads the QOS's only): 70 on partition low,
 * still 130.  A QOS grace of 0 overrides the global default: H at 100. */
static void
test_qos_grace (void)
{
  Replay r;
  const QosDef g30[] = {
    { "low", 10, NULL, QC, 30, -1 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (g30, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 0, &r);
  assert_job (&r, 3, 100, 130, 230, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 230, 730, SCHED_JOB_COMPLETED, 1, FALSE);
  replay_clear (&r);

  const QosDef unset[] = {
    { "low", 10, NULL, QC, -1, -1 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (unset, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 50, 0, &r);
  assert_job (&r, 3, 100, 150, 250, SCHED_JOB_COMPLETED, 0, FALSE);
  replay_clear (&r);

  g_autoptr (SchedCluster) c = make_cluster (1);
  WlJob jobs[] = { L1, L2, job (3, LOW, 100, 4, 100) };
  jobs[0].spec.qos = jobs[1].spec.qos = 1;
  jobs[2].spec.qos = 2;
  SimOptions o;
  preempt_opts (&o, SIM_PREEMPT_QOS, SIM_PREEMPT_MODE_REQUEUE, 0);
  replay_full (c, &o, qos_limits (g30, 2), SIM_PREEMPT_MODE_DEFAULT, 70, jobs, 3, &r);
  assert_job (&r, 3, 100, 130, 230, SCHED_JOB_COMPLETED, 0, FALSE);
  replay_clear (&r);

  const QosDef g0[] = {
    { "low", 10, NULL, QC, 0, -1 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (g0, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 50, 0, &r);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  replay_clear (&r);
}

/* The preempted job's QOS PreemptExemptTime over the cluster's: "low" 150 s, cluster 0:
 * as test_exempt, L1 is preempted at 150 (when its exemption ends, a pass of its own),
 * H runs 150..250, L1 again 250..750.  "low" 0 under a cluster 150: L2 at 100 as in the
 * base schedule. */
static void
test_qos_exempt (void)
{
  Replay r;
  const QosDef e150[] = {
    { "low", 10, NULL, QC, -1, 150 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (e150, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 0, &r);
  assert_job (&r, 3, 100, 150, 250, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 1, 0, 250, 750, SCHED_JOB_COMPLETED, 1, FALSE);
  assert_job (&r, 2, 10, 10, 510, SCHED_JOB_COMPLETED, 0, FALSE);
  replay_clear (&r);

  const QosDef e0[] = {
    { "low", 10, NULL, QC, -1, 0 }, { "high", 100, "low", QC, -1, -1 },
  };
  qos_replay (e0, 2, "low", "high", SIM_PREEMPT_MODE_REQUEUE, 0, 150, &r);
  assert_job (&r, 3, 100, 100, 200, SCHED_JOB_COMPLETED, 0, FALSE);
  assert_job (&r, 2, 10, 200, 700, SCHED_JOB_COMPLETED, 1, FALSE);
  replay_clear (&r);
}

/* ---- the counts per class against the walk ---- */

/* Random workloads on two nodes of 4 CPUs, partitions low and high, four QOS with random
 * priorities, Preempt lists (or none: the priority order; lists name later QOS only, as
 * they must not loop) and modes; each replayed with
 * the counts that let a round skip its walk, and with every round walking (the
 * reference): the records and counters must be the same.  Both preemption types. */
static void
test_counts_oracle (void)
{
  static const char *const names[] = { "a", "b", "c", "d" };
  for (guint round = 0; round < 200; round++)
    {
      QosDef defs[4];
      GString *lists[4];
      gboolean with_lists = g_test_rand_bit ();
      for (guint i = 0; i < 4; i++)
        {
          lists[i] = g_string_new (NULL);
          for (guint k = i + 1; k < 4; k++)
            if (with_lists && g_test_rand_int_range (0, 2) == 0)
              g_string_append_printf (lists[i], "%s%s", lists[i]->len ? "," : "", names[k]);
          defs[i] = (QosDef) { names[i], (guint32) g_test_rand_int_range (0, 4),
                               lists[i]->len ? lists[i]->str : NULL,
                               (SchedQosPreemptMode) g_test_rand_int_range (0, 4),
                               g_test_rand_bit () ? -1 : g_test_rand_int_range (0, 40),
                               g_test_rand_bit () ? -1 : g_test_rand_int_range (0, 60) };
        }
      guint n = (guint) g_test_rand_int_range (5, 40);
      g_autoptr (GArray) jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
      SchedTime t = 0;
      for (guint i = 0; i < n; i++)
        {
          t += g_test_rand_int_range (0, 60);
          WlJob w = job (i + 1, g_test_rand_int_range (0, 2), t,
                         (guint32) g_test_rand_int_range (1, 5), g_test_rand_int_range (1, 400));
          w.spec.qos = (SchedQosId) g_test_rand_int_range (0, 5);   /* 0: none */
          g_array_append_val (jobs, w);
        }
      SimPreemptType type = g_test_rand_bit () ? SIM_PREEMPT_QOS : SIM_PREEMPT_PARTITION_PRIO;
      SimOptions o;
      preempt_opts (&o, type, g_test_rand_bit () ? SIM_PREEMPT_MODE_REQUEUE
                                                 : SIM_PREEMPT_MODE_CANCEL,
                    g_test_rand_int_range (0, 30));
      o.preempt_exempt = g_test_rand_bit () ? 0 : g_test_rand_int_range (0, 100);
      g_autoptr (SchedCluster) c = make_cluster ((guint32) g_test_rand_int_range (1, 3));
      Replay got[2];
      for (guint k = 0; k < 2; k++)
        {
          SchedPolicy policy;
          g_assert_true (sched_policy_lookup ("easy", &policy));
          policy.order = SCHED_ORDER_PRIORITY;
          g_autoptr (SimEngine) e = sim_engine_new (c, &policy, &o);
          sim_engine_set_limits (e, qos_limits (defs, 4));
          if (k == 1)
            sim__preempt_force_walk (e);
          g_autoptr (WlReader) r = test_array_reader_new ((const WlJob *) jobs->data, jobs->len);
          TestCollector col = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
          g_assert_true (sim_engine_run (e, r, test_collect, &col, NULL));
          sched__core_check (sim_engine_get_core (e));
          got[k].recs = col.records;
          got[k].stats = *sim_engine_get_stats (e);
        }
      g_assert_cmpuint (got[0].recs->len, ==, got[1].recs->len);
      g_assert_cmpmem (got[0].recs->data, got[0].recs->len * sizeof (SchedJobRecord),
                       got[1].recs->data, got[1].recs->len * sizeof (SchedJobRecord));
      g_assert_cmpuint (got[0].stats.preemptions, ==, got[1].stats.preemptions);
      g_assert_cmpuint (got[0].stats.requeued, ==, got[1].stats.requeued);
      g_assert_cmpuint (got[0].stats.passes, ==, got[1].stats.passes);
      for (guint k = 0; k < 2; k++)
        replay_clear (&got[k]);
      for (guint i = 0; i < 4; i++)
        g_string_free (lists[i], TRUE);
    }
}

/* ---- names ---- */

static void
test_names (void)
{
  SimPreemptType t;
  g_assert_true (sim_preempt_type_from_name ("preempt/partition_prio", &t));
  g_assert_cmpint (t, ==, SIM_PREEMPT_PARTITION_PRIO);
  g_assert_true (sim_preempt_type_from_name ("qos", &t));
  g_assert_cmpint (t, ==, SIM_PREEMPT_QOS);
  g_assert_true (sim_preempt_type_from_name ("preempt/none", &t));
  g_assert_cmpint (t, ==, SIM_PREEMPT_NONE);
  g_assert_false (sim_preempt_type_from_name ("preempt/magic", &t));
  SimPreemptMode m;
  gboolean suspend;
  g_assert_true (sim_preempt_mode_from_string ("REQUEUE", &m, &suspend));
  g_assert_cmpint (m, ==, SIM_PREEMPT_MODE_REQUEUE);
  g_assert_true (sim_preempt_mode_from_string ("cancel,GANG", &m, &suspend));
  g_assert_cmpint (m, ==, SIM_PREEMPT_MODE_CANCEL);
  g_assert_false (suspend);
  g_assert_true (sim_preempt_mode_from_string ("SUSPEND,GANG", &m, &suspend));
  g_assert_cmpint (m, ==, SIM_PREEMPT_MODE_OFF);
  g_assert_true (suspend);
  g_assert_false (sim_preempt_mode_from_string ("GANG", &m, NULL));
  g_assert_false (sim_preempt_mode_from_string ("CANCEL,REQUEUE", &m, NULL));
  g_assert_false (sim_preempt_mode_from_string ("sometimes", &m, NULL));
}

/* ---- end to end ---- */

static char *
read_text (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

static const char base_trace[] =
  "[{\"id\": 1, \"user\": 1, \"submit\": 0, \"partition\": \"low\", \"ntasks\": 4, \"nodes\": 1, \"time_limit\": 1000, \"runtime\": 500},"
  " {\"id\": 2, \"user\": 1, \"submit\": 10, \"partition\": \"low\", \"ntasks\": 4, \"nodes\": 1, \"time_limit\": 1000, \"runtime\": 500},"
  " {\"id\": 3, \"user\": 1, \"submit\": 100, \"partition\": \"high\", \"ntasks\": 4, \"nodes\": 1, \"time_limit\": 1000, \"runtime\": 100}]";

/* Runs `sluice sim` on a slurm.conf (`conf_extra` among its global lines, `low_extra` at
 * the end of partition low's line) with `trace_text` as a JSON trace (NULL: the base
 * schedule's), `assoc_text` as --assoc (NULL: none) and `extra` options.  Returns
 * jobs.csv and (in *summary) summary.json; when `fails` is given, a failing run is
 * expected: its stderr comes back and *summary is NULL. */
static char *
run_cli_full (const char *conf_extra, const char *low_extra, const char *trace_text,
              const char *assoc_text, const char *const *extra, json_t **summary,
              gboolean fails)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-test-preempt-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *conf = g_build_filename (dir, "slurm.conf", NULL);
  g_autofree char *trace = g_build_filename (dir, "trace.json", NULL);
  g_autofree char *assoc = g_build_filename (dir, "qos.assoc", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *conf_text = g_strdup_printf (
    "ClusterName=t\n%s\n"
    "NodeName=n[1-2] CPUs=4\n"
    "PartitionName=low Nodes=n[1-2] Default=YES PriorityTier=1%s\n"
    "PartitionName=high Nodes=n[1-2] PriorityTier=2\n", conf_extra, low_extra);
  g_assert_true (g_file_set_contents (conf, conf_text, -1, &error));
  g_assert_true (g_file_set_contents (trace, trace_text ? trace_text : base_trace, -1,
                                      &error));
  GPtrArray *argv = g_ptr_array_new ();
  const char *base[] = { bin, "sim", "--trace", trace, "--cluster", conf, "--out", out,
                         "--quiet" };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (argv, (gpointer) base[i]);
  if (assoc_text)
    {
      g_assert_true (g_file_set_contents (assoc, assoc_text, -1, &error));
      g_ptr_array_add (argv, (gpointer) "--assoc");
      g_ptr_array_add (argv, (gpointer) assoc);
    }
  for (guint i = 0; extra[i]; i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, NULL);
  g_autofree char *sout = NULL, *serr = NULL;
  int status = 0;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &sout, &serr, &status, &error));
  g_ptr_array_free (argv, TRUE);
  g_assert_no_error (error);
  if (fails)
    {
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      *summary = NULL;
      g_unlink (conf);
      g_unlink (trace);
      g_unlink (assoc);
      g_rmdir (dir);
      return g_steal_pointer (&serr);
    }
  if (!g_spawn_check_wait_status (status, NULL))
    g_test_message ("stderr:\n%s", serr);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_autofree char *csv = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *sum = g_build_filename (out, "summary.json", NULL);
  char *text = read_text (csv);
  json_error_t jerr;
  *summary = json_load_file (sum, 0, &jerr);
  g_assert_nonnull (*summary);
  g_unlink (csv);
  g_unlink (sum);
  g_rmdir (out);
  g_unlink (conf);
  g_unlink (trace);
  g_unlink (assoc);
  g_rmdir (dir);
  return text;
}

static char *
run_cli (const char *conf_extra, const char *const *extra, json_t **summary)
{
  return run_cli_full (conf_extra, "", NULL, NULL, extra, summary, FALSE);
}

static void
test_cli (void)
{
  if (g_getenv ("SLUICE_BIN") == NULL)
    {
      g_test_skip ("SLUICE_BIN is not set (run through meson test)");
      return;
    }
  /* slurm.conf: requeue, no grace time (sluice sim orders by tier first by itself) */
  const char *none[] = { NULL };
  json_t *sum = NULL;
  g_autofree char *csv = run_cli ("PreemptType=preempt/partition_prio\nPreemptMode=REQUEUE",
                                  none, &sum);
  g_assert_cmpstr (csv, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime,preempted,requeues\n"
                   "3,1,0,100,100,200,0,COMPLETED,4,0,1,1000,100,0,0\n"
                   "1,1,0,0,0,500,0,COMPLETED,4,0,1,1000,500,0,0\n"
                   "2,1,0,10,200,700,190,COMPLETED,4,0,1,1000,500,0,1\n");
  json_t *pre = json_object_get (sum, "preemption");
  g_assert_nonnull (pre);
  g_assert_cmpstr (json_string_value (json_object_get (pre, "type")), ==, "partition_prio");
  g_assert_cmpint (json_integer_value (json_object_get (pre, "preempted")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (pre, "requeued")), ==, 1);
  g_assert_cmpint (json_integer_value (json_object_get (pre, "cancelled")), ==, 0);
  json_decref (sum);

  /* --preempt-mode cancel --grace-time 30 over the conf */
  const char *cancel[] = { "--preempt-mode", "cancel", "--grace-time", "30", NULL };
  g_autofree char *csv2 = run_cli ("PreemptType=preempt/partition_prio\nPreemptMode=REQUEUE",
                                   cancel, &sum);
  g_assert_cmpstr (csv2, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime,preempted,requeues\n"
                   "2,1,0,10,10,130,0,CANCELLED,4,0,1,1000,120,1,0\n"
                   "3,1,0,100,130,230,30,COMPLETED,4,0,1,1000,100,0,0\n"
                   "1,1,0,0,0,500,0,COMPLETED,4,0,1,1000,500,0,0\n");
  pre = json_object_get (sum, "preemption");
  g_assert_cmpint (json_integer_value (json_object_get (pre, "cancelled")), ==, 1);
  json_decref (sum);

  /* no preemption: the usual columns, no "preemption" key */
  const char *off[] = { "--preempt", "none", NULL };
  g_autofree char *csv3 = run_cli ("PreemptType=preempt/partition_prio", off, &sum);
  g_assert_true (g_str_has_prefix (csv3, "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime\n"));
  g_assert_nonnull (strstr (csv3, "\n3,1,0,100,500,600,400,COMPLETED,"));
  g_assert_null (json_object_get (sum, "preemption"));
  json_decref (sum);
}

/* preempt/qos from the files: the assoc file's Preempt list, PreemptMode and GraceTime
 * (L2, QOS low, cancel, grace 30: ends at 130, H runs 130..230), then the command line
 * over the QOS's (--grace-time 0 --preempt-mode requeue: requeued at 100, as in the base
 * schedule).  A partition QOS from slurm.conf (low: QOS=plow, GrpTRES cpu=4, no
 * preemption): L2 waits for L1 (500..1000) and H, in high, is not held by it (100..200); a
 * partition QOS the assoc file does not define stops the run, naming the line. */
static void
test_cli_qos (void)
{
  if (g_getenv ("SLUICE_BIN") == NULL)
    {
      g_test_skip ("SLUICE_BIN is not set (run through meson test)");
      return;
    }
  const char *trace =
    "[{\"id\": 1, \"user\": 1, \"submit\": 0, \"qos\": \"low\", \"ntasks\": 4, \"nodes\": 1, \"time_limit\": 1000, \"runtime\": 500},"
    " {\"id\": 2, \"user\": 1, \"submit\": 10, \"qos\": \"low\", \"ntasks\": 4, \"nodes\": 1, \"time_limit\": 1000, \"runtime\": 500},"
    " {\"id\": 3, \"user\": 1, \"submit\": 100, \"qos\": \"high\", \"ntasks\": 4, \"nodes\": 1, \"time_limit\": 1000, \"runtime\": 100}]";
  const char *assoc =
    "qos low Priority=10 PreemptMode=cancel GraceTime=30\n"
    "qos high Priority=100 Preempt=low\n"
    "qos other Priority=50\n"
    "account all\nuser 1 account=all\n";
  const char *none[] = { NULL };
  json_t *sum = NULL;
  g_autofree char *csv = run_cli_full ("PreemptType=preempt/qos\nPreemptMode=REQUEUE", "",
                                       trace, assoc, none, &sum, FALSE);
  g_assert_cmpstr (csv, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime,preempted,requeues\n"
                   "2,1,0,10,10,130,0,CANCELLED,4,0,1,1000,120,1,0\n"
                   "3,1,0,100,130,230,30,COMPLETED,4,0,1,1000,100,0,0\n"
                   "1,1,0,0,0,500,0,COMPLETED,4,0,1,1000,500,0,0\n");
  json_t *pre = json_object_get (sum, "preemption");
  g_assert_cmpstr (json_string_value (json_object_get (pre, "type")), ==, "qos");
  g_assert_cmpint (json_integer_value (json_object_get (pre, "cancelled")), ==, 1);
  json_decref (sum);

  const char *over[] = { "--grace-time", "0", "--preempt-mode", "requeue", NULL };
  g_autofree char *csv2 = run_cli_full ("PreemptType=preempt/qos", "", trace, assoc, over,
                                        &sum, FALSE);
  g_assert_cmpstr (csv2, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime,preempted,requeues\n"
                   "3,1,0,100,100,200,0,COMPLETED,4,0,1,1000,100,0,0\n"
                   "1,1,0,0,0,500,0,COMPLETED,4,0,1,1000,500,0,0\n"
                   "2,1,0,10,200,700,190,COMPLETED,4,0,1,1000,500,0,1\n");
  json_decref (sum);

  /* "other" is not in high's Preempt list: nothing happens (the priority order would
   * have preempted) */
  g_autofree char *other_trace = g_strdup (trace);
  for (char *at = strstr (other_trace, "\"low\""); at; at = strstr (at, "\"low\""))
    memcpy (at, "\"oth\"", 5);
  g_autofree char *other_assoc = g_strconcat (assoc, "qos oth Priority=10\n", NULL);
  g_autofree char *csv3 = run_cli_full ("PreemptType=preempt/qos", "", other_trace,
                                        other_assoc, none, &sum, FALSE);
  g_assert_nonnull (strstr (csv3, "\n3,1,0,100,500,600,400,COMPLETED,"));
  g_assert_cmpint (json_integer_value (json_object_get (json_object_get (sum, "preemption"),
                                                        "preempted")), ==, 0);
  json_decref (sum);

  g_autofree char *csv4 = run_cli_full ("", " QOS=plow", NULL,
                                        "qos plow GrpTRES=cpu=4\naccount all\n"
                                        "user 1 account=all\n", none, &sum, FALSE);
  g_assert_cmpstr (csv4, ==,
                   "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime\n"
                   "3,1,0,100,100,200,0,COMPLETED,4,0,1,1000,100\n"
                   "1,1,0,0,0,500,0,COMPLETED,4,0,1,1000,500\n"
                   "2,1,0,10,500,1000,490,COMPLETED,4,0,1,1000,500\n");
  json_decref (sum);

  g_autofree char *err = run_cli_full ("", " QOS=nope", NULL, "qos plow\n", none, &sum,
                                       TRUE);
  g_assert_nonnull (strstr (err, "slurm.conf:4: PartitionName=low: QOS=nope: unknown qos"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sim/preempt/requeue-one", test_requeue_one);
  g_test_add_func ("/sim/preempt/cancel-one", test_cancel_one);
  g_test_add_func ("/sim/preempt/partition-mode", test_partition_mode);
  g_test_add_func ("/sim/preempt/two-jobs", test_two_jobs);
  g_test_add_func ("/sim/preempt/fewest", test_fewest);
  g_test_add_func ("/sim/preempt/grace", test_grace);
  g_test_add_func ("/sim/preempt/exempt", test_exempt);
  g_test_add_func ("/sim/preempt/equal-tiers", test_equal_tiers);
  g_test_add_func ("/sim/preempt/none", test_none);
  g_test_add_func ("/sim/preempt/two-pending", test_two_pending);
  g_test_add_func ("/sim/preempt/qos", test_qos);
  g_test_add_func ("/sim/preempt/qos-preempt-list", test_qos_preempt_list);
  g_test_add_func ("/sim/preempt/qos-preempt-list-candidates", test_qos_preempt_list_candidates);
  g_test_add_func ("/sim/preempt/qos-preempt-mode", test_qos_preempt_mode);
  g_test_add_func ("/sim/preempt/qos-grace", test_qos_grace);
  g_test_add_func ("/sim/preempt/qos-exempt", test_qos_exempt);
  g_test_add_func ("/sim/preempt/counts-oracle", test_counts_oracle);
  g_test_add_func ("/sim/preempt/names", test_names);
  g_test_add_func ("/sim/preempt/cli", test_cli);
  g_test_add_func ("/sim/preempt/cli-qos", test_cli_qos);
  return g_test_run ();
}
