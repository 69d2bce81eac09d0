/* SPDX-License-Identifier: MIT */
/* tests/sched/test-features.c - node features and --constraint in the core: which nodes a
 * constraint admits, jobs waiting for the only nodes that match while others are idle,
 * malformed constraints refused, Slurm's matching OR "[rack1|rack2]" (all the nodes of a
 * job from one alternative, now and in reservations), and the same through `sluice sim`
 * on a slurm.conf. */
#include <glib.h>
#include <string.h>

#include "sched/constraint.h"
#include "sched/core-private.h"

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
    /* brackets: one job per node here, so each may take any alternative */
    { "ib&[a100|v100]", { 1, 0, 0, 0 } }, { "[(a100&ib)|v100]", { 1, 0, 1, 0 } },
    { "[a100]", { 1, 1, 0, 0 } }, { "[v100|a100]", { 1, 1, 1, 0 } },
    { "(ib|v100)&[a100|v100]", { 1, 0, 1, 0 } }, { "[gpu|v100]", { 0, 0, 1, 0 } },
    { "[a100*1&v100*1]", { 1, 1, 1, 0 } },   /* counts approximated: a100|v100 */
    /* malformed brackets, as Slurm refuses them */
    { "[a100|v100", { 0, 0, 0, 0 } }, { "[a100&ib]", { 0, 0, 0, 0 } },
    { "[a100|v100]*2", { 0, 0, 0, 0 } }, { "[[a100]]", { 0, 0, 0, 0 } },
    { "([a100|v100])", { 0, 0, 0, 0 } }, { "[a100]&[ib]", { 0, 0, 0, 0 } },
    { "ib|[a100|v100]", { 0, 0, 0, 0 } }, { "[a100*1|v100]", { 0, 0, 0, 0 } },
    { "[a100*1&v100]", { 0, 0, 0, 0 } }, { "[a100|v100&ib]", { 0, 0, 0, 0 } },
    { "[]", { 0, 0, 0, 0 } }, { "[a100|]", { 0, 0, 0, 0 } },
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
test_constraint_syntax (void)
{
  g_test_summary ("sched_constraint_check says what it expected and where, for every "
                  "error; the core compiles exactly what it accepts (a node with every "
                  "feature named satisfies each valid expression, none a malformed one).");
  static const struct { const char *expr; SchedConstraintSyntax syntax; gsize pos; } cases[] = {
    { "a100", SCHED_CONSTRAINT_VALID, 4 }, { "[a100*2&ib*1]", SCHED_CONSTRAINT_VALID, 13 },
    { "ib&[a100|(v100&ib)]", SCHED_CONSTRAINT_VALID, 19 },
    { "", SCHED_CONSTRAINT_WANT_NAME, 0 }, { "a100&&ib", SCHED_CONSTRAINT_WANT_NAME, 5 },
    { "a100*", SCHED_CONSTRAINT_WANT_COUNT, 5 }, { "a100*0", SCHED_CONSTRAINT_WANT_COUNT, 6 },
    { "a100*1234567890123", SCHED_CONSTRAINT_WANT_COUNT, 5 },
    { "(a100", SCHED_CONSTRAINT_WANT_CLOSE_PAREN, 5 },
    { "[a100|ib", SCHED_CONSTRAINT_WANT_CLOSE_BRACKET, 8 },
    { "a100)", SCHED_CONSTRAINT_WANT_END, 4 },
    { "([a100])", SCHED_CONSTRAINT_BRACKET_INNER, 1 },
    { "[a100]&[ib]", SCHED_CONSTRAINT_BRACKET_TWICE, 7 },
    { "ib|[a100|v100]", SCHED_CONSTRAINT_BRACKET_AFTER_OR, 3 },
    { "[a100|v100]|ib", SCHED_CONSTRAINT_OR_AFTER_BRACKET, 11 },
    { "[a100|v100&ib]", SCHED_CONSTRAINT_BRACKET_MIXED, 13 },
    { "[a100*1&ib]", SCHED_CONSTRAINT_BRACKET_UNCOUNTED, 10 },
    { "[a100|v100]*2", SCHED_CONSTRAINT_BRACKET_COUNTED, 11 },
  };
  g_autoptr (SchedCluster) c = feature_cluster ();
  static const char *const all[] = { "a100", "ib", "v100", NULL };
  sched_cluster_set_node_features (c, 3, all);   /* n3: every feature */
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup ("easy", &pol));
  g_autoptr (SchedCore) core = sched_core_new (c, &pol);
  g_autoptr (GString) deep = g_string_new (NULL);
  for (int depth = 32; depth <= 33; depth++)
    {
      /* 32 nested parentheses are the most */
      g_string_assign (deep, "");
      for (int i = 0; i < depth; i++)
        g_string_append_c (deep, '(');
      g_string_append (deep, "a100");
      for (int i = 0; i < depth; i++)
        g_string_append_c (deep, ')');
      gsize pos;
      g_assert_cmpint (sched_constraint_check (deep->str, &pos), ==,
                       depth <= 32 ? SCHED_CONSTRAINT_VALID : SCHED_CONSTRAINT_TOO_DEEP);
      g_assert_cmpuint (pos, ==, depth <= 32 ? deep->len : 33);
      guint32 id = sched_core_constraint (core, deep->str);
      g_assert_cmpuint (sched__constraint_n_alts (core, id), ==, 1);
      guint32 n;
      sched__constraint_nodes (core, id, 0, 0, sched_cluster_partition (c, 0), &n);
      g_assert_cmpuint (n, ==, depth <= 32 ? 3 : 0);
    }
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      gsize pos = 999;
      g_test_message ("%s", cases[k].expr);
      g_assert_cmpint (sched_constraint_check (cases[k].expr, &pos), ==, cases[k].syntax);
      g_assert_cmpuint (pos, ==, cases[k].pos);
      g_assert_nonnull (sched_constraint_syntax_expected (cases[k].syntax));
      if (cases[k].expr[0] == '\0')
        continue;   /* the core reads "" as no constraint */
      guint32 id = sched_core_constraint (core, cases[k].expr), n;
      const guint32 *nodes = sched__constraint_nodes (core, id, 0, 0,
                                                      sched_cluster_partition (c, 0), &n);
      gboolean admits_n3 = n > 0 && nodes[n - 1] == 3;
      g_assert_cmpint (admits_n3, ==, cases[k].syntax == SCHED_CONSTRAINT_VALID);
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

/* ---- brackets: Slurm's matching OR ---- */

/* 8 nodes of 4 CPUs, one partition: n0..n3 rack1, n4..n7 rack2; n0, n2, n4 and n6 intel. */
static SchedCluster *
rack_cluster (void)
{
  SchedCluster *c = sched_cluster_new ();
  static const char *const r1[] = { "rack1", NULL }, *const r1i[] = { "rack1", "intel", NULL };
  static const char *const r2[] = { "rack2", NULL }, *const r2i[] = { "rack2", "intel", NULL };
  const char *const *feats[] = { r1i, r1, r1i, r1, r2i, r2, r2i, r2 };
  guint32 nodes[8];
  for (guint32 i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%u", i);
      nodes[i] = sched_cluster_add_node (c, name, 4, 0, 0, 0);
      sched_cluster_set_node_features (c, nodes[i], feats[i]);
    }
  sched_cluster_add_partition (c, "all", nodes, 8, 0, SCHED_TIME_NEVER, 0, TRUE);
  return c;
}

static SchedCore *
rack_core (const SchedCluster *c, const char *policy)
{
  SchedPolicy pol;
  g_assert_true (sched_policy_lookup (policy, &pol));
  return sched_core_new (c, &pol);
}

/* A job of `n` whole nodes (4 tasks on each, exclusive) for `limit` seconds. */
static SchedJobSpec
nodes_job (SchedJobId id, guint32 n, SchedTime limit, guint32 constraint)
{
  SchedJobSpec s;
  sched_job_spec_init (&s);
  s.id = id;
  s.tasks = 4 * n;
  s.min_nodes = n;
  s.max_nodes = n;
  s.exclusive = TRUE;
  s.time_limit = limit;
  s.constraint = constraint;
  return s;
}

static void
submit_ok (SchedCore *core, SchedTime now, const SchedJobSpec *s)
{
  SchedReason why = SCHED_REASON_NONE;
  if (!sched_core_submit (core, now, s, &why))
    g_error ("job %u refused: %s", s->id, sched_reason_name (why));
}

/* Job `id` already runs on the whole nodes `nodes` (n), from `start` for `limit` seconds:
 * planning holds them until start + limit. */
static void
occupy (SchedCore *core, SchedJobId id, const guint32 *nodes, guint32 n, SchedTime start,
        SchedTime limit)
{
  SchedJobSpec s = nodes_job (id, n, limit, 0);
  s.submit = start;
  SchedAllocNode an[8];
  for (guint32 k = 0; k < n; k++)
    an[k] = (SchedAllocNode) { .node = nodes[k], .cpus = 4 };
  SchedAlloc a = { n, 4 * n, 0, an };
  g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  g_assert_true (sched_core_adopt_running (core, start, &s, start, &a, NULL, st));
}

/* Runs a pass at `now`; returns the started jobs (transfer full). */
static GArray *
pass (SchedCore *core, SchedTime now)
{
  GArray *st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  sched_core_pass (core, now, st);
  sched__core_check (core);
  return st;
}

static const SchedStart *
find_start (GArray *st, SchedJobId id)
{
  for (guint i = 0; i < st->len; i++)
    if (g_array_index (st, SchedStart, i).id == id)
      return &g_array_index (st, SchedStart, i);
  return NULL;
}

/* Asserts that job `id` started in `st` on exactly the nodes of `want` (n, increasing). */
static void
assert_started_on (GArray *st, SchedJobId id, const guint32 *want, guint32 n)
{
  const SchedStart *x = find_start (st, id);
  if (x == NULL)
    g_error ("job %u did not start", id);
  GString *got = g_string_new (NULL);
  for (guint32 k = 0; k < x->alloc->n_nodes; k++)
    g_string_append_printf (got, " n%u", x->alloc->nodes[k].node);
  gboolean same = x->alloc->n_nodes == n;
  for (guint32 k = 0; same && k < n; k++)
    same = x->alloc->nodes[k].node == want[k];
  if (!same)
    g_error ("job %u started on%s", id, got->str);
  g_string_free (got, TRUE);
}

static SchedTime
planned (SchedCore *core, SchedJobId id)
{
  SchedJobInfo info;
  g_assert_true (sched_core_job_info (core, id, &info));
  g_assert_cmpint (info.state, ==, SCHED_JOB_PENDING);
  return info.planned_start;
}

static void
test_brackets_never_mix (void)
{
  g_test_summary ("2 of rack1's 4 nodes are busy until 100, 2 of rack2's until 50: a "
                  "4-node job on [rack1|rack2] waits for rack2 (whole first) and starts "
                  "there at 50, where rack1|rack2 starts at once on the 4 idle nodes of "
                  "both racks");
  g_autoptr (SchedCluster) c = rack_cluster ();
  static const char *const policies[] = { "easy", "conservative", "slurm" };
  static const guint32 a[] = { 0, 1 }, b[] = { 4, 5 }, rack2[] = { 4, 5, 6, 7 };
  static const guint32 mixed[] = { 2, 3, 6, 7 };
  for (gsize k = 0; k < G_N_ELEMENTS (policies); k++)
    {
      g_autoptr (SchedCore) core = rack_core (c, policies[k]);
      occupy (core, 1, a, 2, 0, 100);
      occupy (core, 2, b, 2, 0, 50);
      SchedJobSpec j = nodes_job (10, 4, 100, sched_core_constraint (core, "[rack1|rack2]"));
      submit_ok (core, 0, &j);
      g_autoptr (GArray) st0 = pass (core, 0);
      g_assert_cmpuint (st0->len, ==, 0);
      if (!g_str_equal (policies[k], "slurm"))   /* slurm reserves at its backfill ticks */
        g_assert_cmpint (planned (core, 10), ==, 50);
      g_assert_true (sched_core_job_ended (core, 50, 2, SCHED_JOB_COMPLETED));
      g_autoptr (GArray) st1 = pass (core, 50);
      g_assert_cmpuint (st1->len, ==, 1);
      assert_started_on (st1, 10, rack2, 4);

      /* the plain OR mixes the racks */
      g_autoptr (SchedCore) plain = rack_core (c, policies[k]);
      occupy (plain, 1, a, 2, 0, 100);
      occupy (plain, 2, b, 2, 0, 50);
      SchedJobSpec o = nodes_job (10, 4, 100, sched_core_constraint (plain, "rack1|rack2"));
      submit_ok (plain, 0, &o);
      g_autoptr (GArray) st2 = pass (plain, 0);
      assert_started_on (st2, 10, mixed, 4);
    }
}

static void
test_brackets_alternative_order (void)
{
  g_test_summary ("with both racks free the first alternative written wins; with a node "
                  "of it busy, the next one starts now; outer features apply to each");
  g_autoptr (SchedCluster) c = rack_cluster ();
  static const char *const policies[] = { "fcfs", "easy", "conservative", "slurm" };
  static const guint32 rack1[] = { 0, 1, 2, 3 }, rack2[] = { 4, 5, 6, 7 };
  static const guint32 n0[] = { 0 }, r1_3[] = { 1, 2, 3 }, intel2[] = { 4, 6 };
  for (gsize k = 0; k < G_N_ELEMENTS (policies); k++)
    {
      /* a tie: rack2 written first, although best fit alone would take rack1's nodes */
      g_autoptr (SchedCore) core = rack_core (c, policies[k]);
      SchedJobSpec j1 = nodes_job (10, 4, 100, sched_core_constraint (core, "[rack2|rack1]"));
      SchedJobSpec j2 = nodes_job (11, 4, 100, sched_core_constraint (core, "[rack2|rack1]"));
      submit_ok (core, 0, &j1);
      submit_ok (core, 0, &j2);
      g_autoptr (GArray) st = pass (core, 0);
      assert_started_on (st, 10, rack2, 4);
      assert_started_on (st, 11, rack1, 4);

      /* n0 busy: rack1 cannot hold 4 nodes now, rack2 can */
      g_autoptr (SchedCore) busy = rack_core (c, policies[k]);
      occupy (busy, 1, n0, 1, 0, 100);
      SchedJobSpec j3 = nodes_job (12, 4, 100, sched_core_constraint (busy, "[rack1|rack2]"));
      SchedJobSpec j4 = nodes_job (13, 3, 100, sched_core_constraint (busy, "[rack2|rack1]"));
      submit_ok (busy, 0, &j3);
      submit_ok (busy, 0, &j4);
      g_autoptr (GArray) st2 = pass (busy, 0);
      assert_started_on (st2, 12, rack2, 4);
      assert_started_on (st2, 13, r1_3, 3);   /* rack2 is full now: its second choice */

      /* intel&[...]: rack1 has one free intel node (n2), rack2 two: not n2 with n4 */
      g_autoptr (SchedCore) in = rack_core (c, policies[k]);
      occupy (in, 1, n0, 1, 0, 100);
      SchedJobSpec j5 = nodes_job (14, 2, 100,
                                   sched_core_constraint (in, "intel&[rack1|rack2]"));
      submit_ok (in, 0, &j5);
      g_autoptr (GArray) st3 = pass (in, 0);
      assert_started_on (st3, 14, intel2, 2);
    }
}

static void
test_brackets_backfill_reservation (void)
{
  g_test_summary ("EASY reserves a bracket job on the alternative that frees first, "
                  "and only its nodes: later jobs backfill on the other rack");
  g_autoptr (SchedCluster) c = rack_cluster ();
  static const guint32 a[] = { 0, 1 }, b[] = { 4, 5 };
  for (int mirror = 0; mirror < 2; mirror++)
    {
      /* mirror 0: rack1 frees at 100, rack2 at 150; mirror 1 the other way round */
      g_autoptr (SchedCore) core = rack_core (c, "easy");
      occupy (core, 1, a, 2, 0, mirror ? 150 : 100);
      occupy (core, 2, b, 2, 0, mirror ? 100 : 150);
      SchedJobSpec j1 = nodes_job (10, 4, 100, sched_core_constraint (core, "[rack1|rack2]"));
      SchedJobSpec j2 = nodes_job (11, 2, 1000, 0);   /* long: must avoid the reservation */
      SchedJobSpec j3 = nodes_job (12, 1, 1000, 0);   /* no long-lived room is left */
      SchedJobSpec j4 = nodes_job (13, 1, 50, 0);     /* ends before the reservation */
      submit_ok (core, 0, &j1);
      submit_ok (core, 0, &j2);
      submit_ok (core, 0, &j3);
      submit_ok (core, 0, &j4);
      g_autoptr (GArray) st = pass (core, 0);
      g_assert_cmpuint (st->len, ==, 2);
      g_assert_cmpint (planned (core, 10), ==, 100);
      static const guint32 r2free[] = { 6, 7 }, r1free[] = { 2, 3 }, n2[] = { 2 }, n6[] = { 6 };
      /* the reserved rack's free nodes take the short job, the other rack's the long one */
      assert_started_on (st, 11, mirror ? r1free : r2free, 2);
      assert_started_on (st, 13, mirror ? n6 : n2, 1);
      g_assert_null (find_start (st, 12));
      /* at 100 the reservation is honoured on its rack */
      g_assert_true (sched_core_job_ended (core, 50, 13, SCHED_JOB_COMPLETED));
      g_autoptr (GArray) st1 = pass (core, 50);
      g_assert_null (find_start (st1, 10));
      g_assert_true (sched_core_job_ended (core, 100, mirror ? 2 : 1, SCHED_JOB_COMPLETED));
      g_autoptr (GArray) st2 = pass (core, 100);
      static const guint32 rack1[] = { 0, 1, 2, 3 }, rack2[] = { 4, 5, 6, 7 };
      assert_started_on (st2, 10, mirror ? rack2 : rack1, 4);
    }
}

static void
test_brackets_conservative_per_alternative (void)
{
  g_test_summary ("conservative: two bracket jobs each reserved on the alternative that "
                  "starts it first, given the reservations before it");
  g_autoptr (SchedCluster) c = rack_cluster ();
  g_autoptr (SchedCore) core = rack_core (c, "conservative");
  static const guint32 n0[] = { 0 }, n1[] = { 1 }, n4[] = { 4 }, rack1[] = { 0, 1, 2, 3 };
  static const guint32 rack2[] = { 4, 5, 6, 7 };
  occupy (core, 1, n0, 1, 0, 50);
  occupy (core, 2, n4, 1, 0, 80);
  guint32 cid = sched_core_constraint (core, "[rack1|rack2]");
  SchedJobSpec j1 = nodes_job (10, 4, 100, cid);   /* rack1 at 50, rack2 at 80: rack1 */
  SchedJobSpec j2 = nodes_job (11, 4, 100, cid);   /* rack1 at 150, rack2 at 80: rack2 */
  SchedJobSpec j3 = nodes_job (12, 1, 30, 0);      /* ends before either reservation */
  SchedJobSpec j4 = nodes_job (13, 1, 90, 0);      /* would delay j1 on n1..n3, j2 on n5..n7 */
  submit_ok (core, 0, &j1);
  submit_ok (core, 0, &j2);
  submit_ok (core, 0, &j3);
  submit_ok (core, 0, &j4);
  g_autoptr (GArray) st = pass (core, 0);
  g_assert_cmpuint (st->len, ==, 1);
  assert_started_on (st, 12, n1, 1);
  g_assert_cmpint (planned (core, 10), ==, 50);
  g_assert_cmpint (planned (core, 11), ==, 80);
  g_assert_cmpint (planned (core, 13), ==, 150);   /* n1 free from 30, j1 50-150 */
  g_assert_true (sched_core_job_ended (core, 30, 12, SCHED_JOB_COMPLETED));
  g_autoptr (GArray) st0 = pass (core, 30);
  g_assert_cmpuint (st0->len, ==, 0);
  g_assert_true (sched_core_job_ended (core, 50, 1, SCHED_JOB_COMPLETED));
  g_autoptr (GArray) st1 = pass (core, 50);
  assert_started_on (st1, 10, rack1, 4);
  g_assert_true (sched_core_job_ended (core, 80, 2, SCHED_JOB_COMPLETED));
  g_autoptr (GArray) st2 = pass (core, 80);
  assert_started_on (st2, 11, rack2, 4);
  g_assert_null (find_start (st2, 13));
}

static void
test_brackets_feasibility_and_counts (void)
{
  g_test_summary ("a job larger than every alternative can never run (BadConstraints), "
                  "though the plain OR of them holds it; multiple counts are accepted and "
                  "read as the OR of the counted features (documented approximation)");
  g_autoptr (SchedCluster) c = rack_cluster ();
  g_autoptr (SchedCore) core = rack_core (c, "easy");
  SchedReason why = SCHED_REASON_NONE;
  SchedJobSpec big = nodes_job (10, 5, 100, sched_core_constraint (core, "[rack1|rack2]"));
  g_assert_false (sched_core_submit (core, 0, &big, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
  SchedJobSpec plain = nodes_job (11, 5, 100, sched_core_constraint (core, "rack1|rack2"));
  submit_ok (core, 0, &plain);
  /* intel nodes: two per rack, so three intel nodes from one rack cannot be had */
  SchedJobSpec in3 = nodes_job (12, 3, 100, sched_core_constraint (core, "intel&[rack1|rack2]"));
  g_assert_false (sched_core_submit (core, 0, &in3, &why));
  g_assert_cmpint (why, ==, SCHED_REASON_BAD_CONSTRAINTS);
  g_autoptr (GArray) st = pass (core, 0);
  static const guint32 five[] = { 0, 1, 2, 3, 4 };
  assert_started_on (st, 11, five, 5);
  /* [rack1*2&rack2*2]: Slurm wants 2 nodes of each; here any 4 of rack1|rack2, and best
   * fit takes rack1's */
  g_autoptr (SchedCore) fresh = rack_core (c, "easy");
  SchedJobSpec counts = nodes_job (13, 4, 100,
                                   sched_core_constraint (fresh, "[rack1*2&rack2*2]"));
  submit_ok (fresh, 0, &counts);
  g_autoptr (GArray) st1 = pass (fresh, 0);
  static const guint32 rack1[] = { 0, 1, 2, 3 };
  assert_started_on (st1, 13, rack1, 4);
}

/* What a random workload's constraint asks, for checking allocations. */
typedef struct {
  const char *expr;        /* NULL: no constraint */
  gboolean    matching;    /* all nodes of one alternative (else each node of any) */
  guint       n_alts;
  guint       rack[3];     /* the rack each alternative asks */
  gboolean    intel[3];    /* and whether it asks "x" too */
} RandCons;

static gboolean
node_matches (const RandCons *rc, guint a, guint rack, gboolean x)
{
  return rc->rack[a] == rack && (!rc->intel[a] || x);
}

static void
test_brackets_random_never_mix (void)
{
  g_test_summary ("random workloads on 3 racks under every policy: a job of a bracket "
                  "constraint never gets nodes of two alternatives, nodes are never "
                  "overcommitted, and every accepted job runs");
  static const RandCons cons[] = {
    { "[r0|r1|r2]", TRUE, 3, { 0, 1, 2 }, { FALSE, FALSE, FALSE } },
    { "[r2|r0]", TRUE, 2, { 2, 0 }, { FALSE, FALSE } },
    { "x&[r0|r1|r2]", TRUE, 3, { 0, 1, 2 }, { TRUE, TRUE, TRUE } },
    { "[(r0&x)|r1]", TRUE, 2, { 0, 1 }, { TRUE, FALSE } },
    { "r0|r1", FALSE, 2, { 0, 1 }, { FALSE, FALSE } },
    { NULL, FALSE, 0, { 0 }, { FALSE } },
  };
  static const char *const policies[] = { "fcfs", "easy", "conservative", "slurm" };
  for (guint round = 0; round < 150; round++)
    {
      g_autoptr (SchedCluster) cl = sched_cluster_new ();
      guint rack_of[12];
      gboolean x_of[12];
      guint32 nn = 0;
      for (guint r = 0; r < 3; r++)
        for (gint32 k = g_test_rand_int_range (1, 4); k > 0; k--, nn++)
          {
            g_autofree char *name = g_strdup_printf ("n%u", nn);
            g_autofree char *rname = g_strdup_printf ("r%u", r);
            rack_of[nn] = r;
            x_of[nn] = g_test_rand_bit ();
            const char *feats[] = { rname, x_of[nn] ? "x" : NULL, NULL };
            sched_cluster_add_node (cl, name, g_test_rand_int_range (1, 5), 0, 0, 0);
            sched_cluster_set_node_features (cl, nn, feats);
          }
      guint32 all[12];
      for (guint32 i = 0; i < nn; i++)
        all[i] = i;
      sched_cluster_add_partition (cl, "all", all, nn, 0, SCHED_TIME_NEVER, 0, TRUE);
      const char *policy = policies[round % G_N_ELEMENTS (policies)];
      g_autoptr (SchedCore) core = rack_core (cl, policy);
      guint n = g_test_rand_int_range (1, 20);
      g_autofree SchedJobSpec *specs = g_new0 (SchedJobSpec, n);
      g_autofree SchedTime *runtime = g_new0 (SchedTime, n);
      g_autofree SchedTime *end = g_new0 (SchedTime, n);
      g_autofree const RandCons **what = g_new0 (const RandCons *, n);
      SchedTime t = 0;
      for (guint i = 0; i < n; i++)
        {
          SchedJobSpec *s = &specs[i];
          sched_job_spec_init (s);
          t += g_test_rand_int_range (0, 4);
          s->id = i + 1;
          s->submit = t;
          s->tasks = g_test_rand_int_range (1, 7);
          s->min_nodes = MIN ((guint32) g_test_rand_int_range (0, 4), s->tasks);
          s->exclusive = g_test_rand_int_range (0, 4) == 0;
          s->time_limit = g_test_rand_int_range (1, 20);
          runtime[i] = g_test_rand_int_range (1, (gint32) s->time_limit + 1);
          what[i] = &cons[g_test_rand_int_range (0, G_N_ELEMENTS (cons))];
          s->constraint = sched_core_constraint (core, what[i]->expr);
          end[i] = SCHED_TIME_NEVER;
        }
      guint next_sub = 0, accepted = 0, done = 0;
      SchedTime now = 0, wanted = SCHED_TIME_NEVER;
      for (guint steps = 0; steps < 10000; steps++)
        {
          for (guint i = 0; i < n; i++)
            if (end[i] == now)
              {
                g_assert_true (sched_core_job_ended (core, now, i + 1, SCHED_JOB_COMPLETED));
                done++;
              }
          for (; next_sub < n && specs[next_sub].submit == now; next_sub++)
            accepted += sched_core_submit (core, now, &specs[next_sub], NULL);
          g_autoptr (GArray) st = g_array_new (FALSE, FALSE, sizeof (SchedStart));
          wanted = sched_core_pass (core, now, st);
          sched__core_check (core);
          for (guint k = 0; k < st->len; k++)
            {
              const SchedStart *x = &g_array_index (st, SchedStart, k);
              guint i = x->id - 1;
              const RandCons *rc = what[i];
              end[i] = now + runtime[i];
              if (rc->expr == NULL)
                continue;
              gboolean fits_one = FALSE;
              for (guint a = 0; a < rc->n_alts; a++)
                {
                  gboolean all_in = TRUE;
                  for (guint32 m = 0; m < x->alloc->n_nodes; m++)
                    {
                      guint32 nd = x->alloc->nodes[m].node;
                      if (rc->matching)
                        all_in = all_in && node_matches (rc, a, rack_of[nd], x_of[nd]);
                      else
                        all_in = all_in && (node_matches (rc, 0, rack_of[nd], x_of[nd])
                                            || node_matches (rc, 1, rack_of[nd], x_of[nd]));
                    }
                  fits_one = fits_one || all_in;
                }
              if (!fits_one)
                g_error ("round %u (%s): job %u (%s) mixes alternatives", round, policy,
                         x->id, rc->expr);
            }
          SchedTime next = wanted;
          if (next_sub < n)
            next = MIN (next, specs[next_sub].submit);
          for (guint i = 0; i < n; i++)
            if (end[i] > now && end[i] != SCHED_TIME_NEVER)
              next = MIN (next, end[i]);
          if (next == SCHED_TIME_NEVER)
            break;
          g_assert_cmpint (next, >, now);
          now = next;
        }
      g_assert_cmpuint (done, ==, accepted);
      g_assert_cmpuint (sched_core_n_pending (core), ==, 0);
    }
}

/* Runs `sluice sim` on slurm.conf `conf` and JSON trace `trace` under `policy` and fills
 * start[id] for jobs 1..n (-1 if absent).  FALSE (test skipped) without SLUICE_BIN. */
static gboolean
sim_starts (const char *conf_text, const char *trace_text, const char *policy,
            gint64 *start, guint n)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  if (bin == NULL)
    {
      g_test_skip ("SLUICE_BIN not set");
      return FALSE;
    }
  g_autofree char *dir = g_dir_make_tmp ("sluice-feat-XXXXXX", NULL);
  g_autofree char *conf = g_build_filename (dir, "slurm.conf", NULL);
  g_autofree char *trace = g_build_filename (dir, "t.json", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_assert_true (g_file_set_contents (conf, conf_text, -1, NULL));
  g_assert_true (g_file_set_contents (trace, trace_text, -1, NULL));
  g_autofree char *cmd = g_strdup_printf ("%s sim -q --trace %s --cluster %s --policy %s --out %s",
                                          bin, trace, conf, policy, out);
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
  for (guint i = 0; i <= n; i++)
    start[i] = -1;
  for (guint l = 1; lines[l] && *lines[l]; l++)
    {
      g_auto (GStrv) f = g_strsplit (lines[l], ",", -1);
      guint id = (guint) g_ascii_strtoull (f[cid], NULL, 10);
      if (id >= 1 && id <= n)
        start[id] = g_ascii_strtoll (f[cst], NULL, 10);
    }
  g_autofree char *rm = g_strdup_printf ("rm -rf %s", dir);
  g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  return TRUE;
}

static void
test_sim_end_to_end (void)
{
  /* job 1 and 2 both want a100 (only g1): 2 waits for 1 although g2 is idle */
  gint64 start[4];
  if (!sim_starts ("NodeName=g1 CPUs=4 Feature=a100,ib\nNodeName=g2 CPUs=4 Feature=v100\n"
                   "PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE\n",
                   "{\"version\": 1, \"jobs\": [\n"
                   "{\"id\": 1, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 100, \"runtime\": 50, \"constraint\": \"a100\"},\n"
                   "{\"id\": 2, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 100, \"runtime\": 50, \"constraint\": \"a100\"},\n"
                   "{\"id\": 3, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 100, \"runtime\": 50}\n"
                   "]}\n", "easy", start, 3))
    return;
  g_assert_cmpint (start[1], ==, 0);
  g_assert_cmpint (start[2], ==, 50);   /* waited for g1 */
  g_assert_cmpint (start[3], ==, 0);    /* the unconstrained job took g2 */
}

static void
test_sim_brackets (void)
{
  g_test_summary ("sluice sim on a slurm.conf with Feature=rack1/rack2: a 2-node job on "
                  "[rack1|rack2] does not start on the idle r1b and r2b, it waits for "
                  "rack2 (free at 50) under easy and slurm; rack1|rack2 mixes them at 0");
  /* jobs 1 and 2 hold r1a until 100 (limit 200) and r2a until 50 (limit 60) */
  static const char conf[] =
    "NodeName=r1a CPUs=4 Feature=rack1\nNodeName=r1b CPUs=4 Feature=rack1\n"
    "NodeName=r2a CPUs=4 Feature=rack2\nNodeName=r2b CPUs=4 Feature=rack2\n"
    "PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE\n";
  static const char trace[] =
    "{\"version\": 1, \"jobs\": [\n"
    "{\"id\": 1, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 200, \"runtime\": 100, \"constraint\": \"rack1\"},\n"
    "{\"id\": 2, \"submit\": 0, \"ntasks\": 4, \"time_limit\": 60, \"runtime\": 50, \"constraint\": \"rack2\"},\n"
    "{\"id\": 3, \"submit\": 0, \"nodes\": 2, \"ntasks\": 8, \"time_limit\": 100, \"runtime\": 10, \"constraint\": \"[rack1|rack2]\"},\n"
    "{\"id\": 4, \"submit\": 0, \"nodes\": 2, \"ntasks\": 8, \"time_limit\": 40, \"runtime\": 40, \"constraint\": \"rack1|rack2\"}\n"
    "]}\n";
  gint64 start[5];
  if (!sim_starts (conf, trace, "easy", start, 4))
    return;
  g_assert_cmpint (start[1], ==, 0);
  g_assert_cmpint (start[2], ==, 0);
  g_assert_cmpint (start[3], ==, 50);   /* rack2, when job 2 ended; never r1b + r2b */
  g_assert_cmpint (start[4], ==, 0);    /* the plain OR: r1b + r2b, done by 40 <= 60 */
  g_assert_true (sim_starts (conf, trace, "slurm", start, 4));
  g_assert_cmpint (start[1], ==, 0);
  g_assert_cmpint (start[2], ==, 0);
  g_assert_cmpint (start[3], ==, 50);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/features/constraint-nodes", test_constraint_nodes);
  g_test_add_func ("/features/constraint-syntax", test_constraint_syntax);
  g_test_add_func ("/features/waits-for-matching-nodes", test_waits_for_matching_nodes);
  g_test_add_func ("/features/brackets/never-mix", test_brackets_never_mix);
  g_test_add_func ("/features/brackets/alternative-order", test_brackets_alternative_order);
  g_test_add_func ("/features/brackets/backfill-reservation", test_brackets_backfill_reservation);
  g_test_add_func ("/features/brackets/conservative-per-alternative",
                   test_brackets_conservative_per_alternative);
  g_test_add_func ("/features/brackets/feasibility-and-counts",
                   test_brackets_feasibility_and_counts);
  g_test_add_func ("/features/brackets/random-never-mix", test_brackets_random_never_mix);
  g_test_add_func ("/features/sim-end-to-end", test_sim_end_to_end);
  g_test_add_func ("/features/sim-brackets", test_sim_brackets);
  return g_test_run ();
}
