/* SPDX-License-Identifier: MIT */
/* tests/sched/test-features.c - node features and --constraint in the core: which nodes a
 * constraint admits, jobs waiting for the only nodes that match while others are idle,
 * malformed constraints refused, and the same through `sluice sim` on a slurm.conf. */
#include <glib.h>
#include <string.h>

#include "sched/core.h"

/* 4 nodes of 4 CPUs: n0 {a100, ib}, n1 {a100}, n2 {v100}, n3 none; one partition. */
static SchedCluster *
feature_cluster (void)
{
  SchedCluster *c = sched_cluster_new ();
  static const char *const f0[] = { "a100", "ib", NULL }, *const f1[] = { "a100", NULL };
  static const char *const f2[] = { "v100", NULL };
  const char *const *feats[] = { f0, f1, f2, NULL };
  guint32 nodes[4];
  for (guint32 i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      nodes[i] = sched_cluster_add_node (c, name, 4, 0, 0, 0);
      sched_cluster_set_node_features (c, nodes[i], feats[i]);
    }
  sched_cluster_add_partition (c, "all", nodes, 4, 0, SCHED_TIME_NEVER, 0, TRUE);
  return c;
}

static SchedJobSpec
whole_node (SchedJobId id, guint32 constraint)
{
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = id;
  s.tasks = 4;
  s.min_nodes = 1;
  s.max_nodes = 1;
  s.time_limit = 100;
  s.constraint = constraint;
  return s;
}

/* The node the first started job of a pass got. */
static guint32
started_node (GArray *started, guint i)
{
  return g_array_index (started, SchedStart, i).alloc->nodes[0].node;
}

static void
test_constraint_nodes (void)
{
  static const struct { const char *expr; guint8 ok[4]; } cases[] = {
    { "a100", { 1, 1, 0, 0 } }, { "a100&ib", { 1, 0, 0, 0 } }, { "v100|ib", { 1, 0, 1, 0 } },
    { "(a100|v100)&ib", { 1, 0, 0, 0 } }, { "a100|v100", { 1, 1, 1, 0 } },
    { "[a100|v100]", { 1, 1, 1, 0 } }, { "a100*2", { 1, 1, 0, 0 } }, { "gpu", { 0, 0, 0, 0 } },
    { "a100&", { 0, 0, 0, 0 } }, { "(a100", { 0, 0, 0, 0 } }, { "a1", { 0, 0, 0, 0 } },
  };
  g_autoptr (SchedCluster) c = feature_cluster ();
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (c, &pol);
  g_assert_cmpuint (sched_core_constraint (core, NULL), ==, 0);
  g_assert_cmpuint (sched_core_constraint (core, ""), ==, 0);
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      guint32 id = sched_core_constraint (core, cases[k].expr);
      g_assert_cmpuint (id, >, 0);
      g_assert_cmpuint (sched_core_constraint (core, cases[k].expr), ==, id);   /* interned */
      /* one whole-node job per node: which ones can start shows which nodes match */
      g_autoptr (SchedCore) fresh = sched_core_new (c, &pol);
      guint32 fid = sched_core_constraint (fresh, cases[k].expr);
      guint expect = 0;
      for (int n = 0; n < 4; n++)
        expect += cases[k].ok[n];
      SchedReason why;
      for (SchedJobId j = 1; j <= 4; j++)
        {
          SchedJobSpec s = whole_node (j, fid);
          gboolean queued = sched_core_submit (fresh, 0, &s, &why);
          if (queued != (expect > 0))
            g_error ("%s: queued %d (reason %s), %u nodes match", cases[k].expr, queued, queued ? "-" : sched_reason_name (why), expect);
          if (!queued)
            g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
        }
      g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
      sched_core_pass (fresh, 0, st);
      if (st->len != expect)
        g_error ("%s: %u jobs started, expected %u", cases[k].expr, st->len, expect);
      for (guint i = 0; i < st->len; i++)
        g_assert_true (cases[k].ok[started_node (st, i)]);
      sched__core_check (fresh);
    }
}

static void
test_waits_for_matching_nodes (void)
{
  /* two a100 jobs fill n0 and n1; a third a100 job waits (Resources) while n2 and n3 are
   * idle, an unconstrained job starts on them, and the a100 job starts when one ends */
  g_autoptr (SchedCluster) c = feature_cluster ();
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (c, &pol);
  guint32 a100 = sched_core_constraint (core, "a100");
  SchedReason why;
  for (SchedJobId j = 1; j <= 3; j++)
    {
      SchedJobSpec s = whole_node (j, a100);
      g_assert_true (sched_core_submit (core, 0, &s, &why));
    }
  SchedJobSpec free4 = whole_node (4, 0);
  g_assert_true (sched_core_submit (core, 0, &free4, &why));
  g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  sched_core_pass (core, 0, st);
  g_assert_cmpuint (st->len, ==, 3);
  gboolean seen[5] = { FALSE };
  for (guint i = 0; i < st->len; i++)
    {
      SchedStart *x = &g_array_index (st, SchedStart, i);
      seen[x->id] = TRUE;
      if (x->id <= 3)
        g_assert_cmpuint (x->alloc->nodes[0].node, <=, 1);
      else
        g_assert_cmpuint (x->alloc->nodes[0].node, >=, 2);
    }
  g_assert_true (seen[1] && seen[2] && !seen[3] && seen[4]);
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (core, 3, &info));
  g_assert_cmpint (info.state, ==, SCHED_JOB_PENDING);
  g_assert_cmpint (info.reason, ==, SCHED_REASON_RESOURCES);
  g_assert_true (sched_core_job_ended (core, 50, 2, SCHED_JOB_COMPLETED));
  g_array_set_size (st, 0);
  sched_core_pass (core, 50, st);
  g_assert_cmpuint (st->len, ==, 1);
  g_assert_cmpuint (g_array_index (st, SchedStart, 0).id, ==, 3);
  g_assert_cmpuint (started_node (st, 0), <=, 1);
  sched__core_check (core);
}

static void
test_sim_end_to_end (void)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  if (bin == NULL)
    {
      g_test_skip ("SLUICE_BIN not set");
      return;
    }
  g_autofree char *dir = g_dir_make_tmp ("sluice-feat-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "slurm.conf", NULL);
  g_autofree char *trace = g_build_filename (dir, "t.json", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_assert_true (g_file_set_contents (conf,
    "NodeName=g1 CPUs=4 Feature=a100,ib\nNodeName=g2 CPUs=4 Feature=v100\n"
    "PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE\n", -1, NULL));
  /* job 1 and 2 both want a100 (only g1): 2 waits for 1 although g2 is idle */
  g_assert_true (g_file_set_contents (trace,
    "{\"version\": 1, \"jobs\": [\n"
    "{\"id\": 1, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 100, \"runtime\": 50, \"constraint\": \"a100\"},\n"
    "{\"id\": 2, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 100, \"runtime\": 50, \"constraint\": \"a100\"},\n"
    "{\"id\": 3, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 100, \"runtime\": 50}\n"
    "]}\n", -1, NULL));
  g_autofree char *cmd = g_strdup_printf ("%s sim -q --trace %s --cluster %s --policy easy --out %s",
                                          bin, trace, conf, out);
  int status;
  g_autofree char *so = NULL, *se = NULL;
  g_assert_true (g_spawn_command_line_sync (cmd, &so, &se, &status, NULL));
  if (status != 0)
    g_error ("%s: %s", cmd, se);
  g_autofree char *csv_path = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_auto (GStrv) head = g_strsplit (lines[0], ",", -1);
  int cid = -1, cst = -1;
  for (int k = 0; head[k]; k++)
    {
      if (g_str_equal (head[k], "id") || g_str_equal (head[k], "job_id"))
        cid = k;
      if (g_str_equal (head[k], "start"))
        cst = k;
    }
  g_assert_cmpint (cid, >=, 0);
  g_assert_cmpint (cst, >=, 0);
  gint64 start[4] = { -1, -1, -1, -1 };
  for (guint l = 1; lines[l] && *lines[l]; l++)
    {
      g_auto (GStrv) f = g_strsplit (lines[l], ",", -1);
      guint id = (guint) g_ascii_strtoull (f[cid], NULL, 10);
      if (id >= 1 && id <= 3)
        start[id] = g_ascii_strtoll (f[cst], NULL, 10);
    }
  g_assert_cmpint (start[1], ==, 0);
  g_assert_cmpint (start[2], ==, 50);   /* waited for g1 */
  g_assert_cmpint (start[3], ==, 0);    /* the unconstrained job took g2 */
  g_autofree char *rm = g_strdup_printf ("rm -rf %s", dir);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/features/constraint-nodes", test_constraint_nodes);
  g_test_add_func ("/features/waits-for-matching-nodes", test_waits_for_matching_nodes);
  g_test_add_func ("/features/sim-end-to-end", test_sim_end_to_end);
  return g_test_run ();
}
