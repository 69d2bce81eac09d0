/* SPDX-License-Identifier: MIT */
/* tests/sched/test-limits.c - QOS, association and partition limits (sched/qos.h), one
 * hand-worked scenario per limit: the submission rejects, the pending reasons, that a
 * limited job neither blocks the queue nor holds a reservation, and the QOS priority and
 * PriorityTier in the priority order.  Partition QOS (its limits over the job QOS's,
 * OverPartQOS, usage counted in both), DenyAccounts/DenyQos, association QOS lists and
 * the DefaultQOS they imply; and the same settings read from slurm.conf and assoc files. */
#include <glib.h>

#include "sched/core-private.h"
#include "tests/test-common.h"
#include "workloads/assoc.h"
#include "workloads/slurmconf.h"

typedef struct {
  SchedCluster  *cluster;
  SchedCore     *core;
  SchedPriority *prio;     /* owned by the core */
  SchedLimits   *limits;   /* owned by the core */
  GArray        *started;
} Fx;

/* A core on `cpus` one-CPU nodes (or the given cluster) under `policy`, with an
 * association tree (accounts physics and chem; users 1 and 2 in physics, 3 in chem) and
 * limits to be filled by the test before the first submission. */
static void
fx_init (Fx *f, SchedCluster *cluster, const char *policy)
{
  f->cluster = cluster;
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup (policy, &pol));
  f->core = sched_core_new (cluster, &pol);
  SchedPriorityParams pp;
  sched_priority_params_init (&pp);
  pp.total_cpus = sched_cluster_total_cpus (cluster);
  f->prio = sched_priority_new (&pp);
  sched_priority_add_account (f->prio, "physics", NULL, 1);
  sched_priority_add_account (f->prio, "chem", NULL, 1);
  sched_priority_add_user (f->prio, "1", "physics", 1);
  sched_priority_add_user (f->prio, "2", "physics", 1);
  sched_priority_add_user (f->prio, "3", "chem", 1);
  f->limits = sched_limits_new ();
  f->started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
}

/* Hands the tree and the limits to the core (after the test set the limits). */
static void
fx_arm (Fx *f)
{
  sched_core_set_priority (f->core, f->prio);
  sched_core_set_limits (f->core, f->limits);
}

static void
fx_clear (Fx *f)
{
  sched_core_free (f->core);
  sched_cluster_free (f->cluster);
  g_array_free (f->started, TRUE);
}

static SchedJobSpec
spec (SchedJobId id, guint32 user, guint32 cpus, SchedTime limit)
{
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = id;
  s.user = user;
  s.tasks = cpus;
  s.time_limit = limit;
  return s;
}

static gboolean
fx_submit (Fx *f, SchedTime now, const SchedJobSpec *s, SchedReason *why)
{
  gboolean ok = sched_core_submit (f->core, now, s, why);
  sched__core_check (f->core);
  return ok;
}

static void
submit_ok (Fx *f, SchedTime now, SchedJobSpec s)
{
  SchedReason why;
  if (!fx_submit (f, now, &s, &why))
    g_error ("job %u rejected: %s", s.id, sched_reason_name (why));
}

static void
submit_rejected (Fx *f, SchedTime now, SchedJobSpec s, SchedReason expect)
{
  SchedReason why = SCHED_REASON_NONE;
  g_assert_false (fx_submit (f, now, &s, &why));
  g_assert_cmpstr (sched_reason_name (why), ==, sched_reason_name (expect));
  g_assert_false (sched_core_has_job (f->core, s.id));
}

/* Runs a pass at `now`; returns the ids started, in order, as "1,2,3". */
static char *
fx_pass (Fx *f, SchedTime now)
{
  g_array_set_size (f->started, 0);
  sched_core_pass (f->core, now, f->started);
  sched__core_check (f->core);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < f->started->len; i++)
    g_string_append_printf (s, "%s%u", i ? "," : "",
                            g_array_index (f->started, SchedStart, i).id);
  return g_string_free (s, FALSE);
}

static void
pass_starts (Fx *f, SchedTime now, const char *expect)
{
  g_autofree char *got = fx_pass (f, now);
  g_assert_cmpstr (got, ==, expect);
}

static void
end_job (Fx *f, SchedTime now, SchedJobId id)
{
  g_assert_true (sched_core_job_ended (f->core, now, id, SCHED_JOB_COMPLETED));
  sched__core_check (f->core);
}

static void
reason_is (Fx *f, SchedJobId id, SchedReason r)
{
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (f->core, id, &info));
  g_assert_cmpint (info.state, ==, SCHED_JOB_PENDING);
  g_assert_cmpstr (sched_reason_name (info.reason), ==, sched_reason_name (r));
  g_assert_cmpint (info.planned_start, ==, SCHED_TIME_NEVER);
}

static SchedQosId
add_normal (Fx *f, SchedQosLimits *q)
{
  return sched_limits_add_qos (f->limits, "normal", q);
}

/* QOS normal MaxJobsPerUser=2, 10 CPUs, fcfs.  User 1 submits jobs 1-3, user 2 job 4 (one
 * CPU each).  At 0: 1 and 2 start, 3 waits (QOSMaxJobsPerUserLimit) and, even under fcfs,
 * does not block 4.  At 10 job 1 ends: 3 starts. */
static void
test_qos_max_jobs_per_user (void)
{
  Fx f;
  fx_init (&f, sched_cluster_new_uniform (10, 1, 0, 0), "fcfs");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.max_jobs_per_user = 2;
  add_normal (&f, &q);
  fx_arm (&f);
  for (SchedJobId id = 1; id <= 3; id++)
    submit_ok (&f, 0, spec (id, 1, 1, 100));
  submit_ok (&f, 0, spec (4, 2, 1, 100));
  pass_starts (&f, 0, "1,2,4");
  reason_is (&f, 3, SCHED_REASON_QOS_MAX_JOBS_PER_USER);
  end_job (&f, 10, 1);
  pass_starts (&f, 10, "3");
  fx_clear (&f);
}

/* MaxTRESPerUser=cpu=4 on 10 CPUs, EASY.  A job of 5 CPUs can never run: rejected
 * (QOSMaxCpuPerUserLimit).  User 1: job 1 (3 CPUs) starts, job 2 (2 CPUs) would make 5:
 * held; user 2's job 3 (2 CPUs) starts.  Job 1 ends at 50: job 2 starts. */
static void
test_qos_max_cpu_per_user (void)
{
  Fx f;
  fx_init (&f, sched_cluster_new_uniform (10, 1, 0, 0), "easy");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.max_tres_per_user.cpus = 4;
  add_normal (&f, &q);
  fx_arm (&f);
  submit_rejected (&f, 0, spec (9, 1, 5, 100), SCHED_REASON_QOS_MAX_CPU_PER_USER);
  submit_ok (&f, 0, spec (1, 1, 3, 100));
  submit_ok (&f, 0, spec (2, 1, 2, 100));
  submit_ok (&f, 0, spec (3, 2, 2, 100));
  pass_starts (&f, 0, "1,3");
  reason_is (&f, 2, SCHED_REASON_QOS_MAX_CPU_PER_USER);
  end_job (&f, 50, 1);
  pass_starts (&f, 50, "2");
  fx_clear (&f);
}

/* GrpTRES=cpu=6 over all users, 10 CPUs: user 1 takes 4, user 2's 4 would make 8 (held:
 * QOSGrpCpuLimit), user 3's 2 fit (6).  GrpJobs=2 on a second QOS "batch": its third job
 * is held with QOSGrpJobsLimit. */
static void
test_qos_grp (void)
{
  Fx f;
  fx_init (&f, sched_cluster_new_uniform (10, 1, 0, 0), "conservative");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.grp_tres.cpus = 6;
  add_normal (&f, &q);
  sched_qos_limits_init (&q);
  q.grp_jobs = 2;
  SchedQosId batch = sched_limits_add_qos (f.limits, "batch", &q);
  fx_arm (&f);
  submit_ok (&f, 0, spec (1, 1, 4, 100));
  submit_ok (&f, 0, spec (2, 2, 4, 100));
  submit_ok (&f, 0, spec (3, 3, 2, 100));
  submit_rejected (&f, 0, spec (4, 3, 7, 100), SCHED_REASON_QOS_GRP_CPU);
  pass_starts (&f, 0, "1,3");
  reason_is (&f, 2, SCHED_REASON_QOS_GRP_CPU);
  g_assert_cmpuint (sched_core_find_qos (f.core, "batch"), ==, batch);
  for (SchedJobId id = 5; id <= 7; id++)
    {
      SchedJobSpec s = spec (id, 1, 1, 100);
      s.qos = batch;
      submit_ok (&f, 1, s);
    }
  pass_starts (&f, 1, "5,6");
  reason_is (&f, 7, SCHED_REASON_QOS_GRP_JOBS);
  reason_is (&f, 2, SCHED_REASON_QOS_GRP_CPU);
  end_job (&f, 20, 1);
  pass_starts (&f, 20, "2");
  fx_clear (&f);
}

/* Account physics GrpTRES=cpu=4 and MaxJobs=1 (users 1 and 2), chem GrpJobs=1 (user 3),
 * 10 CPUs, the slurm policy.  User 1 runs 3 CPUs; user 2's 2 CPUs would make 5 in physics:
 * AssocGrpCpuLimit; user 3's first job runs, its second waits (AssocGrpJobsLimit); MaxJobs
 * of physics is inherited by user 1's association: user 1's second job, which fits the
 * CPUs, waits with AssocMaxJobsLimit.  A 5-CPU job in physics can never run: rejected. */
static void
test_assoc_grp_and_max_jobs (void)
{
  Fx f;
  fx_init (&f, sched_cluster_new_uniform (10, 1, 0, 0), "slurm");
  SchedAssocLimits a;
  sched_assoc_limits_init (&a);
  a.grp_tres.cpus = 4;
  a.max_jobs = 1;
  sched_limits_set_assoc (f.limits, sched_priority_lookup_account (f.prio, "physics"), &a);
  sched_assoc_limits_init (&a);
  a.grp_jobs = 1;
  sched_limits_set_assoc (f.limits, sched_priority_lookup_account (f.prio, "chem"), &a);
  fx_arm (&f);
  submit_ok (&f, 0, spec (1, 1, 3, 100));
  submit_ok (&f, 0, spec (2, 2, 2, 100));
  submit_ok (&f, 0, spec (3, 3, 2, 100));
  submit_ok (&f, 0, spec (4, 3, 1, 100));
  submit_ok (&f, 0, spec (5, 1, 1, 100));
  submit_rejected (&f, 0, spec (6, 2, 5, 100), SCHED_REASON_ASSOC_GRP_CPU);
  pass_starts (&f, 0, "1,3");
  reason_is (&f, 2, SCHED_REASON_ASSOC_GRP_CPU);
  reason_is (&f, 4, SCHED_REASON_ASSOC_GRP_JOBS);
  reason_is (&f, 5, SCHED_REASON_ASSOC_MAX_JOBS);
  end_job (&f, 30, 1);
  /* physics is empty: 2 (user 2, 2 CPUs) and 5 (user 1, 1 CPU) both fit in 4 CPUs */
  pass_starts (&f, 30, "2,5");
  end_job (&f, 40, 3);
  pass_starts (&f, 40, "4");
  fx_clear (&f);
}

/* Per-job limits are hard: QOS MaxWall, MaxTRES per job, association MaxWall and MaxTRES
 * (inherited from the account), MaxSubmitJobsPerUser and MaxSubmitJobs (counted over
 * pending and running jobs; a slot frees when a job leaves). */
static void
test_per_job_and_submit_limits (void)
{
  Fx f;
  fx_init (&f, sched_cluster_new_uniform (10, 1, 0, 0), "easy");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.max_wall = 3600;
  q.max_tres_per_job.cpus = 8;
  q.max_submit_per_user = 2;
  add_normal (&f, &q);
  SchedAssocLimits a;
  sched_assoc_limits_init (&a);
  a.max_wall = 1800;
  a.max_tres_per_job.cpus = 6;
  a.max_submit = 1;
  sched_limits_set_assoc (f.limits, sched_priority_lookup_account (f.prio, "chem"), &a);
  fx_arm (&f);
  submit_rejected (&f, 0, spec (1, 1, 1, 7200), SCHED_REASON_QOS_MAX_WALL);
  submit_rejected (&f, 0, spec (2, 1, 9, 60), SCHED_REASON_QOS_MAX_CPU_PER_JOB);
  submit_rejected (&f, 0, spec (3, 3, 1, 3000), SCHED_REASON_ASSOC_MAX_WALL);
  submit_rejected (&f, 0, spec (4, 3, 7, 60), SCHED_REASON_ASSOC_MAX_CPU_PER_JOB);
  submit_ok (&f, 0, spec (5, 1, 8, 60));
  submit_ok (&f, 0, spec (12, 2, 2, 60));
  submit_ok (&f, 0, spec (6, 1, 1, 60));
  submit_rejected (&f, 0, spec (7, 1, 1, 60), SCHED_REASON_QOS_MAX_SUBMIT_PER_USER);
  submit_ok (&f, 0, spec (8, 2, 1, 60));       /* another user */
  submit_ok (&f, 0, spec (10, 3, 1, 60));
  submit_rejected (&f, 0, spec (11, 3, 1, 60), SCHED_REASON_ASSOC_MAX_SUBMIT);
  pass_starts (&f, 0, "5,12");
  g_assert_true (sched_core_cancel (f.core, 1, 6));
  submit_ok (&f, 1, spec (7, 1, 1, 60));        /* a slot is free again */
  end_job (&f, 60, 5);
  end_job (&f, 60, 12);
  pass_starts (&f, 60, "8,10,7");
  end_job (&f, 70, 10);
  submit_ok (&f, 70, spec (11, 3, 1, 60));
  fx_clear (&f);
}

/* GPUs and memory per user: gres/gpu=4 and mem=64000 per user on 2 nodes of 8 GPUs, 64
 * CPUs and 128000 MB.  User 1: job 1 (1 node, 3 GPUs) runs; job 2 (2 GPUs) waits
 * (QOSMaxGRESPerUser); job 3 (no GPU, 70000 MB) can never run (QOSMaxMemoryPerUser at
 * submission); user 1's job 4 of 60000 MB and no GPU waits on memory (QOSMaxMemoryPerUser)
 * after job 5 (user 1, 10000 MB) took its share. */
static void
test_qos_gres_and_mem_per_user (void)
{
  SchedCluster *cl = sched_cluster_new ();
  guint32 n[2];
  n[0] = sched_cluster_add_node (cl, "g1", 64, 128000, 8, 0);
  n[1] = sched_cluster_add_node (cl, "g2", 64, 128000, 8, 0);
  sched_cluster_add_partition (cl, "gpu", n, 2, 0, SCHED_TIME_NEVER, 0, TRUE);
  Fx f;
  fx_init (&f, cl, "easy");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.max_tres_per_user.gpus = 4;
  q.max_tres_per_user.mem_mb = 64000;
  add_normal (&f, &q);
  fx_arm (&f);
  SchedJobSpec s = spec (1, 1, 1, 100);
  s.gpus_per_node = 3, s.min_nodes = 1, s.mem_per_node_mb = 1000;
  submit_ok (&f, 0, s);
  s = spec (2, 1, 1, 100);
  s.gpus_per_node = 2, s.min_nodes = 1, s.mem_per_node_mb = 1000;
  submit_ok (&f, 0, s);
  s = spec (3, 1, 1, 100);
  s.mem_per_node_mb = 70000;
  submit_rejected (&f, 0, s, SCHED_REASON_QOS_MAX_MEM_PER_USER);
  s = spec (5, 1, 1, 100);
  s.mem_per_node_mb = 10000;
  submit_ok (&f, 0, s);
  s = spec (4, 1, 1, 100);
  s.mem_per_node_mb = 60000;
  submit_ok (&f, 0, s);
  pass_starts (&f, 0, "1,5");
  reason_is (&f, 2, SCHED_REASON_QOS_MAX_GRES_PER_USER);
  reason_is (&f, 4, SCHED_REASON_QOS_MAX_MEM_PER_USER);
  end_job (&f, 10, 1);
  pass_starts (&f, 10, "2");
  end_job (&f, 20, 5);
  pass_starts (&f, 20, "4");
  fx_clear (&f);
}

/* A limited job must not hold a reservation.  4 CPUs, EASY and slurm, QOS
 * MaxJobsPerUser=1.  A (user 1, 2 CPUs, limit 100) runs.  B (user 1, 4 CPUs, 10 s) is held
 * by the limit.  C (user 2, 2 CPUs, 200 s): were B the reserved head (at 100, all 4 CPUs),
 * C could not start (it would end at 200 on 2 of B's CPUs); B being skipped, C starts at
 * once.  A ends at 100: B is within its limit again, but C holds 2 CPUs until 200. */
static void
test_limited_job_reserves_nothing (void)
{
  const char *policies[] = { "easy", "conservative", "slurm", "fcfs" };
  for (guint p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      Fx f;
      fx_init (&f, sched_cluster_new_uniform (4, 1, 0, 0), policies[p]);
      SchedQosLimits q;
      sched_qos_limits_init (&q);
      q.max_jobs_per_user = 1;
      add_normal (&f, &q);
      fx_arm (&f);
      submit_ok (&f, 0, spec (1, 1, 2, 100));
      pass_starts (&f, 0, "1");
      submit_ok (&f, 1, spec (2, 1, 4, 10));
      submit_ok (&f, 2, spec (3, 2, 2, 200));
      pass_starts (&f, 2, "3");
      reason_is (&f, 2, SCHED_REASON_QOS_MAX_JOBS_PER_USER);
      end_job (&f, 100, 1);
      pass_starts (&f, 100, "");
      SchedJobInfo info;
      g_assert_true (sched_core_job_info (f.core, 2, &info));
      g_assert_cmpint (info.reason, !=, SCHED_REASON_QOS_MAX_JOBS_PER_USER);
      end_job (&f, 200, 3);
      pass_starts (&f, 200, "2");
      fx_clear (&f);
    }
}

/* Partition AllowAccounts and AllowQos, unknown QOS, default QOS of an association. */
static void
test_partition_access_and_default_qos (void)
{
  SchedCluster *cl = sched_cluster_new ();
  guint32 n[2];
  n[0] = sched_cluster_add_node (cl, "a", 4, 0, 0, 0);
  n[1] = sched_cluster_add_node (cl, "b", 4, 0, 0, 0);
  gint32 open = sched_cluster_add_partition (cl, "open", n, 2, 0, SCHED_TIME_NEVER, 0, TRUE);
  gint32 phys = sched_cluster_add_partition (cl, "phys", n, 1, 0, SCHED_TIME_NEVER, 0, FALSE);
  const char *const accts[] = { "physics", NULL };
  const char *const qoses[] = { "high", NULL };
  sched_cluster_set_partition_access (cl, phys, accts, qoses);
  Fx f;
  fx_init (&f, cl, "easy");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  SchedQosId normal = add_normal (&f, &q);
  q.max_jobs_per_user = 1;
  SchedQosId high = sched_limits_add_qos (f.limits, "high", &q);
  SchedAssocLimits a;
  sched_assoc_limits_init (&a);
  a.default_qos = high;
  sched_limits_set_assoc (f.limits, sched_priority_lookup_account (f.prio, "physics"), &a);
  fx_arm (&f);
  SchedJobSpec s = spec (1, 3, 1, 10);       /* chem: not allowed */
  s.partition = phys;
  s.qos = high;
  submit_rejected (&f, 0, s, SCHED_REASON_ACCOUNT_NOT_ALLOWED);
  s = spec (2, 1, 1, 10);                    /* physics, QOS normal: not allowed */
  s.partition = phys;
  s.qos = normal;
  submit_rejected (&f, 0, s, SCHED_REASON_QOS_NOT_ALLOWED);
  s = spec (3, 1, 1, 10);                    /* physics, its default QOS high */
  s.partition = phys;
  submit_ok (&f, 0, s);
  s = spec (4, 1, 1, 10);
  s.qos = sched_core_find_qos (f.core, "nope");
  g_assert_cmpuint (s.qos, ==, SCHED_QOS_INVALID);
  submit_rejected (&f, 0, s, SCHED_REASON_INVALID_QOS);
  s = spec (5, 1, 1, 10);
  s.assoc = 999;
  submit_rejected (&f, 0, s, SCHED_REASON_INVALID_ACCOUNT);
  s = spec (6, 1, 1, 10);                    /* open partition, default QOS high again */
  s.partition = open;
  submit_ok (&f, 0, s);
  pass_starts (&f, 0, "3");
  reason_is (&f, 6, SCHED_REASON_QOS_MAX_JOBS_PER_USER);
  s = spec (7, 1, 1, 10);                    /* chem's account explicitly, QOS normal */
  s.assoc = sched_core_resolve_assoc (f.core, 1, "chem");
  submit_ok (&f, 1, s);
  pass_starts (&f, 1, "7");
  fx_clear (&f);
}

/* QOS priority and partition PriorityJobFactor in the multifactor priority, and
 * PriorityTier before priority.  2 CPUs, fcfs with the priority order, weights QOS 1000
 * and partition 100.  A job in QOS high (priority 10 of max 10: factor 1) outranks an older
 * one in QOS low (factor 0): 1000 > 0.  A job of partition "hi" (PriorityTier 2, factor 1 of
 * max 4) goes before everything of tier 1 though its priority is lower. */
static void
test_priority_qos_partition_tier (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new ();
  guint32 n[2];
  n[0] = sched_cluster_add_node (cl, "a", 1, 0, 0, 0);
  n[1] = sched_cluster_add_node (cl, "b", 1, 0, 0, 0);
  gint32 lo = sched_cluster_add_partition (cl, "lo", n, 2, 0, SCHED_TIME_NEVER, 0, TRUE);
  gint32 hi = sched_cluster_add_partition (cl, "hi", n, 2, 0, SCHED_TIME_NEVER, 0, FALSE);
  sched_cluster_set_partition_priority (cl, lo, 1, 4);
  sched_cluster_set_partition_priority (cl, hi, 2, 1);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("fcfs", &pol));
  pol.order = SCHED_ORDER_PRIORITY;
  g_autoptr (SchedCore) core = sched_core_new (cl, &pol);
  SchedPriorityParams pp;
  sched_priority_params_init (&pp);
  pp.weight_qos = 1000;
  pp.weight_partition = 100;
  pp.total_cpus = 2;
  sched_core_set_priority (core, sched_priority_new (&pp));
  SchedLimits *l = sched_limits_new ();
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  SchedQosId low = sched_limits_add_qos (l, "low", &q);
  q.priority = 10;
  SchedQosId high = sched_limits_add_qos (l, "high", &q);
  sched_core_set_limits (core, l);
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedJobSpec s = spec (1, 1, 2, 100);
  g_assert_true (sched_core_submit (core, 0, &s, NULL));
  sched_core_pass (core, 0, started);                        /* 1 runs until 100 */
  s = spec (2, 1, 1, 10), s.qos = low;
  g_assert_true (sched_core_submit (core, 1, &s, NULL));
  s = spec (3, 1, 1, 10), s.qos = high;
  g_assert_true (sched_core_submit (core, 2, &s, NULL));
  s = spec (4, 1, 1, 10), s.qos = low, s.partition = hi;
  g_assert_true (sched_core_submit (core, 3, &s, NULL));
  g_array_set_size (started, 0);
  sched_core_pass (core, 3, started);
  SchedJobInfo i2, i3, i4;
  sched_core_job_info (core, 2, &i2);
  sched_core_job_info (core, 3, &i3);
  sched_core_job_info (core, 4, &i4);
  g_assert_cmpuint (i2.priority, ==, 100);           /* partition 4/4 x 100 */
  g_assert_cmpuint (i3.priority, ==, 1100);          /* + QOS 10/10 x 1000 */
  g_assert_cmpuint (i4.priority, ==, 25);            /* partition 1/4 x 100 */
  g_assert_true (sched_core_job_ended (core, 100, 1, SCHED_JOB_COMPLETED));
  g_array_set_size (started, 0);
  sched_core_pass (core, 100, started);
  g_assert_cmpuint (started->len, ==, 2);
  g_assert_cmpuint (g_array_index (started, SchedStart, 0).id, ==, 4);   /* tier 2 */
  g_assert_cmpuint (g_array_index (started, SchedStart, 1).id, ==, 3);   /* QOS high */
}

/* The simulator: limits through sim_engine_set_limits, same schedule as the core. */
static void
test_sim_with_limits (void)
{
  g_autoptr (SchedCluster) cl = sched_cluster_new_uniform (4, 1, 0, 0);
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SimEngine) e = sim_engine_new (cl, &pol, NULL);
  SchedPriorityParams pp;
  sched_priority_params_init (&pp);
  sim_engine_set_priority (e, sched_priority_new (&pp));
  SchedLimits *l = sched_limits_new ();
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.max_jobs_per_user = 1;
  sched_limits_add_qos (l, "normal", &q);
  sim_engine_set_limits (e, l);
  WlJob jobs[] = { test_job (1, 0, 2, 100, 100), test_job (2, 1, 4, 10, 10),
                   test_job (3, 2, 2, 200, 200) };
  jobs[0].spec.user = jobs[1].spec.user = 1;
  jobs[2].spec.user = 2;
  g_autoptr (WlReader) r = test_array_reader_new (jobs, 3);
  TestCollector c = { g_array_new (FALSE, FALSE, sizeof (SchedJobRecord)), e };
  g_assert_true (sim_engine_run (e, r, test_collect, &c, NULL));
  g_autoptr (GArray) recs = c.records;
  g_assert_cmpint (test_find (recs, 1)->start, ==, 0);
  g_assert_cmpint (test_find (recs, 2)->start, ==, 202);   /* 3 runs [2, 202) */
  g_assert_cmpint (test_find (recs, 3)->start, ==, 2);
}

/* The assoc file carries QOS definitions and association limits: the simple format and
 * the sacctmgr dumps (show assoc -P with limit fields, then show qos -P after a blank
 * line) give the same limits. */
static void
test_assoc_file_limits (void)
{
  const char *simple =
    "qos normal Priority=10 MaxJobsPerUser=2 MaxTRESPerUser=cpu=8,gres/gpu=2,mem=4G\n"
    "qos long MaxWall=2-00:00:00 GrpTRES=cpu=100 MaxSubmitJobsPerUser=5\n"
    "account physics GrpTRES=cpu=64,node=4 MaxJobs=10 DefaultQOS=long\n"
    "user 1 account=physics MaxWall=1:00:00 maxsubmitjobs=3\n";
  const char *dump =
    "Cluster|Account|User|Share|ParentName|GrpTRES|MaxJobs|MaxSubmit|MaxWall|Def QOS|QOS\n"
    "c|root||1||||||normal|normal\n"
    "c|physics||1|root|cpu=64,node=4|10|||long|normal,long\n"
    "c|physics|1|1||||3|01:00:00||normal,long\n"
    "\n"
    "Name|Priority|GraceTime|Preempt|Flags|GrpTRES|GrpJobs|MaxTRES|MaxWall|MaxTRESPU|MaxJobsPU|MaxSubmitPU\n"
    "normal|10|00:00:00|||||||cpu=8,gres/gpu=2,mem=4096M|2|\n"
    "long|0|00:00:00|||cpu=100|||2-00:00:00|||5\n";
  const char *texts[] = { simple, dump };
  for (guint k = 0; k < 2; k++)
    {
      SchedPriorityParams pp;
      sched_priority_params_init (&pp);
      g_autoptr (SchedPriority) p = sched_priority_new (&pp);
      g_autoptr (SchedLimits) l = sched_limits_new ();
      WlAssocOptions o = { NULL, l };
      g_autoptr (GError) error = NULL;
      if (!wl_assoc_parse (texts[k], -1, k ? "dump" : "simple", &o, p, &error))
        g_error ("%s", error->message);
      g_assert_cmpuint (sched_limits_n_qos (l), ==, 2);
      const SchedQosLimits *n = sched_limits_get_qos (l, sched_limits_find_qos (l, "normal"));
      g_assert_cmpuint (n->priority, ==, 10);
      g_assert_cmpuint (n->max_jobs_per_user, ==, 2);
      g_assert_cmpuint (n->max_tres_per_user.cpus, ==, 8);
      g_assert_cmpuint (n->max_tres_per_user.gpus, ==, 2);
      g_assert_cmpuint (n->max_tres_per_user.mem_mb, ==, 4096);
      g_assert_cmpuint (n->max_tres_per_user.nodes, ==, SCHED_LIMIT_NONE);
      SchedQosId long_id = sched_limits_find_qos (l, "long");
      const SchedQosLimits *lq = sched_limits_get_qos (l, long_id);
      g_assert_cmpint (lq->max_wall, ==, 2 * 86400);
      g_assert_cmpuint (lq->grp_tres.cpus, ==, 100);
      g_assert_cmpuint (lq->max_submit_per_user, ==, 5);
      const SchedAssocLimits *a = sched_limits_get_assoc (l, sched_priority_lookup_account (p, "physics"));
      g_assert_nonnull (a);
      g_assert_cmpuint (a->grp_tres.cpus, ==, 64);
      g_assert_cmpuint (a->grp_tres.nodes, ==, 4);
      g_assert_cmpuint (a->max_jobs, ==, 10);
      g_assert_cmpuint (a->default_qos, ==, long_id);
      const SchedAssocLimits *u = sched_limits_get_assoc (l, sched_priority_lookup_user (p, "1", "physics"));
      g_assert_nonnull (u);
      g_assert_cmpint (u->max_wall, ==, 3600);
      g_assert_cmpuint (u->max_submit, ==, 3);
    }
  /* errors name the line */
  SchedPriorityParams pp;
  sched_priority_params_init (&pp);
  g_autoptr (SchedPriority) p = sched_priority_new (&pp);
  g_autoptr (SchedLimits) l = sched_limits_new ();
  WlAssocOptions o = { NULL, l };
  g_autoptr (GError) error = NULL;
  g_assert_false (wl_assoc_parse ("qos a MaxTRESPerUser=cpu\n", -1, "x", &o, p, &error));
  g_assert_nonnull (strstr (error->message, "x:1: MaxTRESPerUser: expected a TRES list"));
  g_clear_error (&error);
  g_assert_false (wl_assoc_parse ("account a DefaultQOS=nope\n", -1, "x", &o, p, &error));
  g_assert_nonnull (strstr (error->message, "x:1: DefaultQOS: unknown qos"));
  g_assert_cmpuint (sched_limits_n_qos (l), ==, 0);
}

/* A cluster of `n` one-CPU nodes with partitions over all of them, the first the
 * default, named as given (NULL-terminated). */
static SchedCluster *
cluster_parts (guint32 n, const char *const *names)
{
  SchedCluster *cl = sched_cluster_new ();
  g_autofree guint32 *nodes = g_new (guint32, n);
  for (guint32 i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i + 1);
      nodes[i] = sched_cluster_add_node (cl, name, 1, 0, 0, 0);
    }
  for (guint i = 0; names[i]; i++)
    g_assert_cmpint (sched_cluster_add_partition (cl, names[i], nodes, n, 0, SCHED_TIME_NEVER,
                                                  0, i == 0), ==, (gint32) i);
  return cl;
}

/* Partition QOS.  10 one-CPU nodes, partitions "all" and "debug" (QOS=pdebug: MaxWall 600,
 * GrpTRES cpu=2), easy.  QOS normal: GrpJobs=3 and GrpTRES cpu=10.  QOS "over": OverPartQOS,
 * MaxWall 2000, no CPU limit.  User 1:
 *  - job 1 (debug, limit 1000): rejected QOSMaxWallDurationPerJobLimit (the partition QOS
 *    is first: its 600, though normal has no MaxWall); job 8 (debug, 3 CPUs) can never fit
 *    pdebug's cpu=2 (over normal's 10): rejected QOSGrpCpuLimit;
 *  - 2 and 3 (debug, 1 CPU) start; 4 (debug) would make 3 CPUs in pdebug: QOSGrpCpuLimit;
 *  - 5 (all) starts: the third job of normal, where 2 and 3 count too; 6 (all):
 *    QOSGrpJobsLimit;
 *  - 7 (debug, QOS over, limit 1000) is accepted: over's MaxWall goes first; over sets no
 *    CPU limit, so pdebug's applies: QOSGrpCpuLimit.
 * At 50 job 2 ends: 4 starts (pdebug 2 CPUs, normal 3 jobs again); 6 and 7 still wait.
 * At 60 jobs 3 and 4 end: 6 (normal has 1 running job) and 7 (pdebug empty) start.  Jobs
 * of "over" count in pdebug too: at 61, job 9 (debug, over) makes 2 CPUs in pdebug and
 * starts, job 10 would make 3: QOSGrpCpuLimit. */
static void
test_partition_qos (void)
{
  const char *const parts[] = { "all", "debug", NULL };
  Fx f;
  fx_init (&f, cluster_parts (10, parts), "easy");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  q.grp_jobs = 3;
  q.grp_tres.cpus = 10;
  add_normal (&f, &q);
  sched_qos_limits_init (&q);
  q.max_wall = 600;
  q.grp_tres.cpus = 2;
  SchedQosId pdebug = sched_limits_add_qos (f.limits, "pdebug", &q);
  sched_qos_limits_init (&q);
  q.over_part_qos = TRUE;
  q.max_wall = 2000;
  SchedQosId over = sched_limits_add_qos (f.limits, "over", &q);
  sched_limits_set_partition (f.limits, 1, pdebug, NULL, NULL);
  g_assert_cmpuint (sched_limits_partition_qos (f.limits, 1), ==, pdebug);
  g_assert_cmpuint (sched_limits_partition_qos (f.limits, 0), ==, SCHED_QOS_DEFAULT);
  fx_arm (&f);
  SchedJobSpec s = spec (1, 1, 1, 1000);
  s.partition = 1;
  submit_rejected (&f, 0, s, SCHED_REASON_QOS_MAX_WALL);
  s = spec (8, 1, 3, 100);
  s.partition = 1;
  submit_rejected (&f, 0, s, SCHED_REASON_QOS_GRP_CPU);
  for (SchedJobId id = 2; id <= 4; id++)
    {
      s = spec (id, 1, 1, 100);
      s.partition = 1;
      submit_ok (&f, 0, s);
    }
  submit_ok (&f, 0, spec (5, 1, 1, 100));
  submit_ok (&f, 0, spec (6, 1, 1, 100));
  s = spec (7, 1, 1, 1000);
  s.partition = 1;
  s.qos = over;
  submit_ok (&f, 0, s);
  pass_starts (&f, 0, "2,3,5");
  reason_is (&f, 4, SCHED_REASON_QOS_GRP_CPU);
  reason_is (&f, 6, SCHED_REASON_QOS_GRP_JOBS);
  reason_is (&f, 7, SCHED_REASON_QOS_GRP_CPU);
  end_job (&f, 50, 2);
  pass_starts (&f, 50, "4");
  reason_is (&f, 6, SCHED_REASON_QOS_GRP_JOBS);
  reason_is (&f, 7, SCHED_REASON_QOS_GRP_CPU);
  end_job (&f, 60, 3);
  end_job (&f, 60, 4);
  pass_starts (&f, 60, "6,7");
  for (SchedJobId id = 9; id <= 10; id++)
    {
      s = spec (id, 2, 1, 1000);
      s.partition = 1;
      s.qos = over;
      submit_ok (&f, 61, s);
    }
  pass_starts (&f, 61, "9");
  reason_is (&f, 10, SCHED_REASON_QOS_GRP_CPU);
  fx_clear (&f);
}

/* DenyAccounts and DenyQos, the opposites of AllowAccounts and AllowQos, which win over
 * them (slurm.conf(5): with the Allow list set the Deny list is not enforced).  Partitions
 * over 4 one-CPU nodes: open (the default), nochem (DenyAccounts=chem), nolow
 * (DenyQos=low), allowlow (AllowQos=low and DenyQos=low), allowphys (AllowAccounts=physics
 * and DenyAccounts=physics).  Users 1 (physics) and 3 (chem). */
static void
test_partition_deny (void)
{
  const char *const parts[] = { "open", "nochem", "nolow", "allowlow", "allowphys", NULL };
  SchedCluster *cl = cluster_parts (4, parts);
  const char *const chem[] = { "chem", NULL }, *const physics[] = { "physics", NULL };
  const char *const low[] = { "low", NULL };
  sched_cluster_set_partition_access (cl, 3, NULL, low);
  sched_cluster_set_partition_access (cl, 4, physics, NULL);
  Fx f;
  fx_init (&f, cl, "easy");
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  SchedQosId normal = add_normal (&f, &q);
  SchedQosId lowq = sched_limits_add_qos (f.limits, "low", &q);
  sched_limits_set_partition (f.limits, 1, SCHED_QOS_DEFAULT, chem, NULL);
  sched_limits_set_partition (f.limits, 2, SCHED_QOS_DEFAULT, NULL, low);
  sched_limits_set_partition (f.limits, 3, SCHED_QOS_DEFAULT, NULL, low);
  sched_limits_set_partition (f.limits, 4, SCHED_QOS_DEFAULT, physics, NULL);
  g_assert_cmpstr (sched_limits_partition_deny_accounts (f.limits, 1)[0], ==, "chem");
  g_assert_null (sched_limits_partition_deny_accounts (f.limits, 0));
  g_assert_null (sched_limits_partition_deny_qos (f.limits, 7));
  fx_arm (&f);
  static const struct {
    SchedJobId id;
    guint32    user;
    gint32     part;
    int        qos;      /* 0 none, 1 normal, 2 low */
    SchedReason expect;
  } cases[] = {
    { 1, 3, 1, 0, SCHED_REASON_ACCOUNT_NOT_ALLOWED },
    { 2, 1, 1, 0, SCHED_REASON_NONE },
    { 3, 3, 0, 0, SCHED_REASON_NONE },
    { 4, 1, 2, 2, SCHED_REASON_QOS_NOT_ALLOWED },
    { 5, 1, 2, 1, SCHED_REASON_NONE },
    { 6, 1, 2, 0, SCHED_REASON_NONE },           /* normal, by default */
    { 7, 1, 3, 2, SCHED_REASON_NONE },           /* AllowQos=low: DenyQos not enforced */
    { 8, 1, 3, 1, SCHED_REASON_QOS_NOT_ALLOWED },
    { 9, 1, 4, 0, SCHED_REASON_NONE },           /* AllowAccounts=physics wins */
    { 10, 3, 4, 0, SCHED_REASON_ACCOUNT_NOT_ALLOWED },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SchedJobSpec s = spec (cases[i].id, cases[i].user, 1, 10);
      s.partition = cases[i].part;
      s.qos = cases[i].qos == 1 ? normal : cases[i].qos == 2 ? lowq : SCHED_QOS_DEFAULT;
      if (cases[i].expect == SCHED_REASON_NONE)
        submit_ok (&f, 0, s);
      else
        submit_rejected (&f, 0, s, cases[i].expect);
    }
  fx_clear (&f);
}

static SchedQosId
job_qos (Fx *f, SchedJobId id)
{
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (f->core, id, &info));
  return info.qos;
}

/* Association QOS lists (sacctmgr QOS=) and the default QOS they give.  QOS normal, high,
 * low, debug.  physics: QOS=normal,high (no DefaultQOS); chem: QOS=low; user 2 (physics):
 * its own QOS=debug,high with DefaultQOS=debug; geo: QOS=low,debug; bio: no list.
 *  - user 1 without QOS: no DefaultQOS, two QOS in the list: "normal" (in the list);
 *    asking high: fine; asking low: InvalidQOS;
 *  - user 3 (chem) without QOS: the list's only QOS, low; asking normal: InvalidQOS;
 *  - user 2: its own list, not physics': without QOS debug; normal: InvalidQOS;
 *  - user 5 (geo) without QOS: "normal", not in its list: InvalidQOS (Slurm's rule);
 *  - user 4 (bio): nothing up its tree has a list: any QOS. */
static void
test_assoc_qos_list (void)
{
  Fx f;
  fx_init (&f, sched_cluster_new_uniform (10, 1, 0, 0), "easy");
  sched_priority_add_account (f.prio, "geo", NULL, 1);
  sched_priority_add_account (f.prio, "bio", NULL, 1);
  sched_priority_add_user (f.prio, "5", "geo", 1);
  sched_priority_add_user (f.prio, "4", "bio", 1);
  SchedQosLimits q;
  sched_qos_limits_init (&q);
  SchedQosId normal = add_normal (&f, &q);
  SchedQosId high = sched_limits_add_qos (f.limits, "high", &q);
  SchedQosId low = sched_limits_add_qos (f.limits, "low", &q);
  SchedQosId debug = sched_limits_add_qos (f.limits, "debug", &q);
  const SchedQosId phys_list[] = { high, normal }, chem_list[] = { low };
  const SchedQosId u2_list[] = { debug, high }, geo_list[] = { low, debug };
  sched_limits_set_assoc_qos (f.limits, sched_priority_lookup_account (f.prio, "physics"),
                              phys_list, 2);
  sched_limits_set_assoc_qos (f.limits, sched_priority_lookup_account (f.prio, "chem"),
                              chem_list, 1);
  sched_limits_set_assoc_qos (f.limits, sched_priority_lookup_account (f.prio, "geo"),
                              geo_list, 2);
  SchedAssocId u2 = sched_priority_lookup_user (f.prio, "2", "physics");
  sched_limits_set_assoc_qos (f.limits, u2, u2_list, 2);
  SchedAssocLimits a;
  sched_assoc_limits_init (&a);
  a.default_qos = debug;
  sched_limits_set_assoc (f.limits, u2, &a);
  guint n;
  const SchedQosId *got = sched_limits_get_assoc_qos (f.limits, u2, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (got[0], ==, MIN (debug, high));
  g_assert_null (sched_limits_get_assoc_qos (f.limits, sched_priority_lookup_account (f.prio,
                                                                                      "bio"),
                                             &n));
  g_assert_cmpuint (n, ==, 0);
  fx_arm (&f);
  submit_ok (&f, 0, spec (1, 1, 1, 10));
  g_assert_cmpuint (job_qos (&f, 1), ==, normal);
  SchedJobSpec s = spec (2, 1, 1, 10);
  s.qos = high;
  submit_ok (&f, 0, s);
  s = spec (3, 1, 1, 10);
  s.qos = low;
  submit_rejected (&f, 0, s, SCHED_REASON_INVALID_QOS);
  submit_ok (&f, 0, spec (4, 3, 1, 10));
  g_assert_cmpuint (job_qos (&f, 4), ==, low);
  s = spec (5, 3, 1, 10);
  s.qos = normal;
  submit_rejected (&f, 0, s, SCHED_REASON_INVALID_QOS);
  submit_ok (&f, 0, spec (6, 2, 1, 10));
  g_assert_cmpuint (job_qos (&f, 6), ==, debug);
  s = spec (7, 2, 1, 10);
  s.qos = normal;
  submit_rejected (&f, 0, s, SCHED_REASON_INVALID_QOS);
  submit_rejected (&f, 0, spec (8, 5, 1, 10), SCHED_REASON_INVALID_QOS);
  s = spec (9, 4, 1, 10);
  s.qos = debug;
  submit_ok (&f, 0, s);
  submit_ok (&f, 0, spec (10, 4, 1, 10));
  g_assert_cmpuint (job_qos (&f, 10), ==, normal);
  s = spec (11, 4, 1, 10);
  s.qos = SCHED_QOS_INVALID;
  submit_rejected (&f, 0, s, SCHED_REASON_INVALID_QOS);
  pass_starts (&f, 0, "1,2,4,6,9,10");
  fx_clear (&f);
}

/* The same settings from the files a site has: the assoc file's QOS (preemption fields
 * included) and association QOS lists, slurm.conf's partition QOS=, DenyAccounts= and
 * DenyQos= (wl_slurmconf_apply_limits), then a job held by the partition QOS. */
static void
test_files_partition_qos (void)
{
  const char *assoc =
    "qos normal\n"
    "qos pdebug GrpTRES=cpu=1 MaxWall=10:00\n"
    "qos high Priority=100 Preempt=normal PreemptMode=cancel GraceTime=60\n"
    "account physics QOS=normal,high DefaultQOS=normal\n"
    "user 1 account=physics\n";
  const char *conf =
    "NodeName=n[1-4] CPUs=1\n"
    "PartitionName=all Nodes=ALL Default=YES\n"
    "PartitionName=debug Nodes=ALL QOS=pdebug DenyAccounts=chem DenyQos=high,other\n";
  SchedPriorityParams pp;
  sched_priority_params_init (&pp);
  SchedPriority *p = sched_priority_new (&pp);
  SchedLimits *l = sched_limits_new ();
  WlAssocOptions ao = { NULL, l };
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_assoc_parse (assoc, -1, "a.assoc", &ao, p, &error));
  g_autoptr (WlSlurmConf) c = wl_slurmconf_parse (conf, -1, "x.conf", NULL, &error);
  g_assert_no_error (error);
  SchedCluster *cl = wl_slurmconf_build_cluster (c, &error);
  g_assert_no_error (error);
  g_assert_true (wl_slurmconf_apply_limits (c, cl, l, &error));
  g_assert_no_error (error);
  SchedQosId pdebug = sched_limits_find_qos (l, "pdebug");
  g_assert_cmpuint (sched_limits_partition_qos (l, 1), ==, pdebug);
  g_assert_cmpuint (sched_limits_partition_qos (l, 0), ==, SCHED_QOS_DEFAULT);
  const char *const *dq = sched_limits_partition_deny_qos (l, 1);
  g_assert_cmpstr (dq[0], ==, "high");
  g_assert_cmpstr (dq[1], ==, "other");
  g_assert_null (dq[2]);
  g_assert_cmpstr (sched_limits_partition_deny_accounts (l, 1)[0], ==, "chem");
  g_assert_cmpuint (wl_slurmconf_partition (c, 1)->deny_qos != NULL, ==, TRUE);

  /* a partition QOS the assoc file does not define: an error naming the line */
  g_autoptr (WlSlurmConf) bad = wl_slurmconf_parse ("NodeName=n1 CPUs=1\n"
                                                    "PartitionName=p Nodes=n1 QOS=nope\n",
                                                    -1, "y.conf", NULL, &error);
  g_assert_no_error (error);
  g_autoptr (SchedCluster) bcl = wl_slurmconf_build_cluster (bad, &error);
  g_assert_false (wl_slurmconf_apply_limits (bad, bcl, l, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_nonnull (strstr (error->message, "y.conf:2: PartitionName=p: QOS=nope: unknown qos"));
  g_clear_error (&error);
  g_assert_cmpuint (sched_limits_partition_qos (l, 0), ==, SCHED_QOS_DEFAULT);

  /* the core: user 1's jobs in debug are held by pdebug's GrpTRES cpu=1; QOS high is in
   * physics' list but denied on debug */
  Fx f;
  f.cluster = cl;
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  f.core = sched_core_new (cl, &pol);
  f.prio = p;
  f.limits = l;
  f.started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  fx_arm (&f);
  SchedJobSpec s = spec (1, 1, 1, 60);
  s.partition = 1;
  submit_ok (&f, 0, s);
  s.id = 2;
  submit_ok (&f, 0, s);
  s = spec (3, 1, 1, 60);
  s.partition = 1;
  s.qos = sched_limits_find_qos (l, "high");
  submit_rejected (&f, 0, s, SCHED_REASON_QOS_NOT_ALLOWED);
  s = spec (4, 1, 1, 3600);
  s.partition = 1;
  submit_rejected (&f, 0, s, SCHED_REASON_QOS_MAX_WALL);
  pass_starts (&f, 0, "1");
  reason_is (&f, 2, SCHED_REASON_QOS_GRP_CPU);
  fx_clear (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sched/limits/qos-max-jobs-per-user", test_qos_max_jobs_per_user);
  g_test_add_func ("/sched/limits/qos-max-cpu-per-user", test_qos_max_cpu_per_user);
  g_test_add_func ("/sched/limits/qos-grp", test_qos_grp);
  g_test_add_func ("/sched/limits/assoc-grp-and-max-jobs", test_assoc_grp_and_max_jobs);
  g_test_add_func ("/sched/limits/per-job-and-submit", test_per_job_and_submit_limits);
  g_test_add_func ("/sched/limits/qos-gres-and-mem-per-user", test_qos_gres_and_mem_per_user);
  g_test_add_func ("/sched/limits/limited-job-reserves-nothing", test_limited_job_reserves_nothing);
  g_test_add_func ("/sched/limits/partition-access-default-qos", test_partition_access_and_default_qos);
  g_test_add_func ("/sched/limits/priority-qos-partition-tier", test_priority_qos_partition_tier);
  g_test_add_func ("/sched/limits/sim", test_sim_with_limits);
  g_test_add_func ("/sched/limits/assoc-file", test_assoc_file_limits);
  g_test_add_func ("/sched/limits/partition-qos", test_partition_qos);
  g_test_add_func ("/sched/limits/partition-deny", test_partition_deny);
  g_test_add_func ("/sched/limits/assoc-qos-list", test_assoc_qos_list);
  g_test_add_func ("/sched/limits/files-partition-qos", test_files_partition_qos);
  return g_test_run ();
}
