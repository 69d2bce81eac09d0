/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-assoc.c - account/user description files read into sched/priority.
 *
 *  - the simple format: tests/data/assoc/doc-example.assoc (Slurm's classic fair-share
 *    example) gives the page's fair-share factors end to end; comments, CRLF, a BOM, no
 *    final newline, forward references, key aliases, Fairshare=parent, users of root;
 *  - sacctmgr -P: tests/data/assoc/sacctmgr.txt (the same tree with ParentName, the default
 *    sacctmgr columns, a partition association, a Fairshare=parent user) and
 *    tests/data/assoc/sacctmgr-tree.txt (the tree option, -p trailing bars, another column
 *    order, two clusters, CRLF);
 *  - loading into a SchedPriority that already has accounts;
 *  - QOS preemption settings (Preempt, PreemptMode, GraceTime, PreemptExemptTime, Flags)
 *    and association QOS lists, from the simple format and from sacctmgr show qos|assoc
 *    -P dumps, to the same SchedLimits;
 *  - every error with its code and "file:line: ..." message, and a failed load changes
 *    nothing;
 *  - robustness: random lines never crash the reader. */
#include "workloads/assoc.h"

#include <math.h>
#include <string.h>

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "assoc", name, NULL);
}

static SchedPriority *
new_prio (SchedFairshare algo)
{
  SchedPriorityParams params;
  sched_priority_params_init (&params);
  params.fairshare = algo;
  return sched_priority_new (&params);
}

static SchedAssocInfo
info (const SchedPriority *p, SchedAssocId id)
{
  SchedAssocInfo i;
  g_assert_true (sched_priority_assoc_info (p, id, &i));
  return i;
}

/* Asserts account `name` hangs under `parent` with `shares`. */
static void
assert_account (const SchedPriority *p, const char *name, const char *parent, guint32 shares)
{
  SchedAssocId id = sched_priority_lookup_account (p, name);
  if (id == SCHED_ASSOC_NONE)
    g_test_message ("no account %s", name);
  g_assert_cmpuint (id, !=, SCHED_ASSOC_NONE);
  SchedAssocInfo i = info (p, id);
  g_assert_cmpstr (i.account, ==, parent);
  g_assert_cmpuint (i.shares_raw, ==, shares);
  g_assert_false (i.is_user);
}

static SchedAssocId
assert_user (const SchedPriority *p, const char *user, const char *account, guint32 shares)
{
  SchedAssocId id = sched_priority_lookup_user (p, user, account);
  if (id == SCHED_ASSOC_NONE)
    g_test_message ("no user %s in %s", user, account);
  g_assert_cmpuint (id, !=, SCHED_ASSOC_NONE);
  g_assert_cmpuint (info (p, id).shares_raw, ==, shares);
  g_assert_true (info (p, id).is_user);
  return id;
}

static void
parse_ok (SchedPriority *p, const char *text, const WlAssocOptions *opts)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = wl_assoc_parse (text, -1, "x.assoc", opts, p, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  sched__priority_check (p);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_test_message ("expected \"%s\" in \"%s\"", needle, haystack);
  g_assert_nonnull (strstr (haystack, needle));
}

/* Asserts that `text` fails with `code` and a message containing `substring`, leaving a
 * SchedPriority that already has an account "a" (under root) and a user as it was. */
static void
parse_err_opts (const char *text, gssize len, const WlAssocOptions *opts, gint code,
                const char *substring)
{
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
  sched_priority_add_account (p, "a", NULL, 5);
  sched_priority_add_user (p, "u", "a", 1);
  g_autoptr (GError) error = NULL;
  g_assert_false (wl_assoc_parse (text, len, "x.assoc", opts, p, &error));
  g_assert_error (error, WL_ERROR, code);
  assert_contains (error->message, substring);
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 3);
  g_assert_cmpuint (info (p, sched_priority_lookup_account (p, "a")).shares_raw, ==, 5);
  sched__priority_check (p);
}

static void
parse_err (const char *text, gint code, const char *substring)
{
  parse_err_opts (text, -1, NULL, code, substring);
}

/* ---- good files ------------------------------------------------------------------------ */

/* Charges the doc example's usage (user1 .2, user2 .25, user4 .25, root itself .3 of the
 * machine) and checks the page's classic fair-share factors. */
static void
assert_doc_factors (SchedPriority *p, const char *(*user) (guint))
{
  SchedAssocId u1 = sched_priority_lookup_user (p, user (1), NULL);
  SchedAssocId u2 = sched_priority_lookup_user (p, user (2), NULL);
  SchedAssocId u3 = sched_priority_lookup_user (p, user (3), NULL);
  SchedAssocId u4 = sched_priority_lookup_user (p, user (4), NULL);
  SchedAssocId u5 = sched_priority_lookup_user (p, user (5), NULL);
  sched_priority_charge (p, 0, u1, 200);
  sched_priority_charge (p, 0, u2, 250);
  sched_priority_charge (p, 0, u4, 250);
  sched_priority_charge (p, 0, SCHED_ASSOC_ROOT, 300);
  sched_priority_update (p, 0);
  g_assert_cmpfloat_with_epsilon (info (p, u1).fairshare, 0.408479, 1e-6);
  g_assert_cmpfloat_with_epsilon (info (p, u2).fairshare, 0.022097, 1e-6);
  g_assert_cmpfloat_with_epsilon (info (p, u3).fairshare, 0.125000, 1e-6);
  g_assert_cmpfloat_with_epsilon (info (p, u4).fairshare, 0.500000, 1e-6);
  g_assert_cmpfloat_with_epsilon (info (p, u5).fairshare, 0.749154, 1e-6);
}

static const char *
user_n (guint i)
{
  static const char *const names[] = { NULL, "user1", "user2", "user3", "user4", "user5" };
  return names[i];
}

static void
test_simple_doc_example (void)
{
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_CLASSIC);
  g_autofree char *path = data_path ("doc-example.assoc");
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_assoc_load (path, NULL, p, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1 + 6 + 5);
  assert_account (p, "A", "root", 40);
  assert_account (p, "D", "root", 60);
  assert_account (p, "B", "A", 30);
  assert_account (p, "C", "A", 10);
  assert_account (p, "E", "D", 25);
  assert_account (p, "F", "D", 35);
  assert_user (p, "user1", "B", 1);
  assert_user (p, "user3", "C", 1);
  sched__priority_check (p);
  assert_doc_factors (p, user_n);
}

static void
test_simple_syntax (void)
{
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
  /* BOM, CRLF, blank and comment lines, tabs, case, no final newline */
  parse_ok (p,
            "\xef\xbb\xbf# header comment\r\n"
            "\r\n"
            "ACCOUNT\tphysics  parent=science\tShares=parent   # spliced for fair-share\r\n"
            "Account science SHARE=7\r\n"
            "user alice account=physics\r\n"
            "user alice account=science fairshare=3\r\n"
            "user root account=root shares=0\r\n"
            "account root\r\n"
            "   # indented comment\r\n"
            "user 17 account=science shares=parent",
            NULL);
  assert_account (p, "science", "root", 7);
  assert_account (p, "physics", "science", SCHED_PRIORITY_SHARES_PARENT);
  SchedAssocId a = assert_user (p, "alice", "physics", 1);
  assert_user (p, "alice", "science", 3);
  assert_user (p, "root", "root", 0);
  assert_user (p, "17", "science", SCHED_PRIORITY_SHARES_PARENT);
  /* the first association of a user in the file is its default */
  g_assert_cmpuint (sched_priority_lookup_user (p, "alice", NULL), ==, a);
  g_assert_cmpuint (sched_priority_resolve_uid (p, 17, NULL),
                    ==, sched_priority_lookup_user (p, "17", "science"));
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1 + 2 + 4);

  /* empty text and comment-only text add nothing */
  parse_ok (p, "", NULL);
  parse_ok (p, "# nothing\n\n", NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_assoc_parse (NULL, 0, NULL, NULL, p, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 7);

  /* a second file may use accounts already there, and give one again with its parent
   * (new shares) */
  parse_ok (p, "account biology parent=science\n"
               "account physics parent=science shares=4\n"
               "user bob account=biology\n", NULL);
  assert_account (p, "biology", "science", 1);
  assert_account (p, "physics", "science", 4);
  assert_user (p, "bob", "biology", 1);
}

static void
test_sacctmgr (void)
{
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_CLASSIC);
  g_autofree char *path = data_path ("sacctmgr.txt");
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_assoc_load (path, NULL, p, &error));
  g_assert_no_error (error);
  sched__priority_check (p);
  /* root, 6 accounts, 6 users (user1's gpu partition row merged) */
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1 + 6 + 6);
  assert_account (p, "a", "root", 40);
  assert_account (p, "b", "a", 30);
  assert_account (p, "f", "d", 35);
  assert_user (p, "user1", "b", 1);
  assert_user (p, "guest", "f", SCHED_PRIORITY_SHARES_PARENT);

  /* the same tree as the page's example: the same factors (guest does not count) */
  assert_doc_factors (p, user_n);
  SchedAssocId guest = sched_priority_lookup_user (p, "guest", "f");
  g_assert_cmpfloat (info (p, guest).fairshare, ==,
                     info (p, sched_priority_lookup_account (p, "f")).fairshare);

  /* the same dump with -p: a trailing '|' on every line */
  g_autofree char *text = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_autoptr (GString) bars = g_string_new (NULL);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    g_string_append_printf (bars, "%s|\n", lines[i]);
  g_autoptr (SchedPriority) q = new_prio (SCHED_FAIRSHARE_CLASSIC);
  parse_ok (q, bars->str, NULL);
  g_assert_cmpuint (sched_priority_n_assocs (q), ==, 13);

  /* a minimal header in another order; ParentName empty on an account: root */
  g_autoptr (SchedPriority) r = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
  parse_ok (r, "parentname|FAIRSHARE|user|account\n"
               "|5||top\n"
               "top|||sub\n"
               "||x|sub\n"
               "||y|root\n", NULL);
  assert_account (r, "top", "root", 5);
  assert_account (r, "sub", "top", 1);
  assert_user (r, "x", "sub", 1);
  assert_user (r, "y", "root", 1);
}

static void
test_sacctmgr_tree (void)
{
  g_autofree char *path = data_path ("sacctmgr-tree.txt");
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
      WlAssocOptions opts = { k == 0 ? "tux" : "other", NULL };
      g_autoptr (GError) error = NULL;
      g_assert_true (wl_assoc_load (path, &opts, p, &error));
      g_assert_no_error (error);
      sched__priority_check (p);
      /* root; science, physics, chemistry, guests; root, alice, bob, carol, dave, 17 */
      g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1 + 4 + 6);
      assert_account (p, "science", "root", 3);
      assert_account (p, "physics", "science", 2);
      assert_account (p, "chemistry", "science", 1);
      assert_account (p, "guests", "root", 1);
      assert_user (p, "root", "root", 1);
      assert_user (p, "alice", "physics", 1);
      assert_user (p, "bob", "physics", 1);
      assert_user (p, "carol", "chemistry", SCHED_PRIORITY_SHARES_PARENT);
      assert_user (p, "dave", "science", 1);
      assert_user (p, "17", "guests", 1);
    }
  /* without choosing: two clusters */
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
  g_autoptr (GError) error = NULL;
  g_assert_false (wl_assoc_load (path, NULL, p, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED);
  assert_contains (error->message, "sacctmgr-tree.txt:13: a second cluster \"other\" "
                                   "(line 2 has \"tux\"): choose one");
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1);
  /* a cluster not in the dump: nothing */
  WlAssocOptions none = { "nope", NULL };
  g_clear_error (&error);
  g_assert_true (wl_assoc_load (path, &none, p, &error));
  g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1);

  /* any indentation width: the nearest account above with less */
  g_autoptr (SchedPriority) q = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
  parse_ok (q, "Account|User|Share\n"
               "root||\n"
               "    a||2\n"
               "        b||\n"
               "            b|u|\n"
               "    c||\n"
               "        c|v|\n", NULL);
  assert_account (q, "a", "root", 2);
  assert_account (q, "b", "a", 1);
  assert_account (q, "c", "root", 1);
  assert_user (q, "u", "b", 1);
  assert_user (q, "v", "c", 1);
}

/* ---- QOS preemption settings and association QOS lists -------------------------------- */

/* The settings of the two texts below, once loaded. */
static void
assert_qos_settings (const SchedPriority *p, const SchedLimits *l)
{
  g_assert_cmpuint (sched_limits_n_qos (l), ==, 4);
  SchedQosId normal = sched_limits_find_qos (l, "normal"), low = sched_limits_find_qos (l, "low");
  SchedQosId high = sched_limits_find_qos (l, "high"), scav = sched_limits_find_qos (l, "scav");
  const SchedQosLimits *q = sched_limits_get_qos (l, normal);
  g_assert_cmpint (q->preempt_mode, ==, SCHED_QOS_PREEMPT_CLUSTER);
  g_assert_cmpint (q->grace_time, ==, 0);           /* sacctmgr shows 00:00:00: set, 0 */
  g_assert_cmpint (q->preempt_exempt, ==, -1);
  g_assert_false (q->over_part_qos);
  q = sched_limits_get_qos (l, low);
  g_assert_cmpuint (q->priority, ==, 10);
  g_assert_cmpint (q->preempt_mode, ==, SCHED_QOS_PREEMPT_REQUEUE);
  g_assert_cmpint (q->grace_time, ==, 120);
  g_assert_cmpint (q->preempt_exempt, ==, 300);
  q = sched_limits_get_qos (l, high);
  g_assert_cmpint (q->preempt_mode, ==, SCHED_QOS_PREEMPT_CANCEL);
  g_assert_cmpint (q->grace_time, ==, 120);
  g_assert_cmpint (q->preempt_exempt, ==, -1);
  g_assert_true (q->over_part_qos);
  q = sched_limits_get_qos (l, scav);
  g_assert_cmpint (q->preempt_mode, ==, SCHED_QOS_PREEMPT_OFF);   /* suspend: not modeled */
  g_assert_cmpint (q->grace_time, ==, 0);
  g_assert_true (sched_limits_has_preempt_lists (l));
  g_assert_true (sched_limits_qos_preempts (l, high, low));
  g_assert_true (sched_limits_qos_preempts (l, high, scav));
  g_assert_false (sched_limits_qos_preempts (l, high, normal));
  g_assert_false (sched_limits_qos_preempts (l, low, high));
  g_assert_false (sched_limits_qos_preempts (l, high, SCHED_QOS_DEFAULT));
  guint n;
  const SchedQosId *pl = sched_limits_get_qos_preempt (l, high, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (pl[0], ==, MIN (low, scav));
  g_assert_null (sched_limits_get_qos_preempt (l, low, &n));
  /* association QOS lists; DefaultQOS */
  SchedAssocId physics = sched_priority_lookup_account (p, "physics");
  const SchedQosId *al = sched_limits_get_assoc_qos (l, physics, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_true ((al[0] == normal && al[1] == high) || (al[0] == high && al[1] == normal));
  g_assert_cmpuint (sched_limits_get_assoc (l, physics)->default_qos, ==, high);
  SchedAssocId alice = sched_priority_lookup_user (p, "alice", "physics");
  al = sched_limits_get_assoc_qos (l, alice, &n);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpuint (al[0], ==, low);
  /* bob gives no list: he inherits physics' (in the core) and has none of his own */
  g_assert_null (sched_limits_get_assoc_qos (l, sched_priority_lookup_user (p, "bob", "physics"),
                                             &n));
}

static void
test_qos_preempt_settings (void)
{
  const char *simple =
    "qos normal GraceTime=0\n"
    "qos low Priority=10 PreemptMode=requeue GraceTime=120 PreemptExemptTime=5\n"
    "qos high Priority=100 Preempt=low,scav PreemptMode=CANCEL,GANG GraceTime=00:02:00 "
    "Flags=OverPartQOS,DenyOnLimit PreemptExemptTime=-1\n"
    "qos scav PreemptMode=suspend GraceTime=0 preempt=\n"
    "account physics QOS=normal,high DefaultQOS=high\n"
    "user alice account=physics qos=low\n"
    "user bob account=physics\n";
  /* sacctmgr show qos -P (the default columns of 22.05) and show assoc -P */
  const char *dump =
    "Name|Priority|GraceTime|Preempt|PreemptExemptTime|PreemptMode|Flags|UsageThres|"
    "UsageFactor|GrpTRES|GrpTRESMins|GrpTRESRunMins|GrpJobs|GrpSubmit|GrpWall|MaxTRES|"
    "MaxTRESPerNode|MaxTRESMins|MaxWall|MaxTRESPU|MaxJobsPU|MaxSubmitPU|MaxTRESPA|MaxJobsPA|"
    "MaxSubmitPA|MinTRES\n"
    "normal|0|00:00:00|||cluster|||1.000000||||||||||||||||||\n"
    "low|10|00:02:00||00:05:00|requeue|||1.000000||||||||||||||||||\n"
    "high|100|00:02:00|low,scav||cancel|DenyOnLimit,OverPartQOS||1.000000||||||||||||||||||\n"
    "scav|0|00:00:00|||suspend,gang|||1.000000||||||||||||||||||\n"
    "\n"
    "Cluster|Account|User|Partition|Share|Priority|GrpJobs|GrpTRES|GrpSubmit|GrpWall|"
    "GrpTRESMins|MaxJobs|MaxTRES|MaxTRESPerNode|MaxSubmit|MaxWall|MaxTRESMins|QOS|Def QOS|"
    "GrpTRESRunMins|ParentName\n"
    "tux|root|||1|||||||||||||normal|||\n"
    "tux|physics|||1|||||||||||||high,normal|high||root\n"
    "tux|physics|alice||1|||||||||||||low|||\n"
    "tux|physics|bob||1||||||||||||||||\n";
  const char *texts[] = { simple, dump };
  for (guint k = 0; k < 2; k++)
    {
      g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
      g_autoptr (SchedLimits) l = sched_limits_new ();
      WlAssocOptions o = { NULL, l };
      parse_ok (p, texts[k], &o);
      assert_qos_settings (p, l);
    }
  /* a file that only redefines a QOS resets its Preempt list */
  {
    g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
    g_autoptr (SchedLimits) l = sched_limits_new ();
    WlAssocOptions o = { NULL, l };
    parse_ok (p, simple, &o);
    parse_ok (p, "qos high Priority=5\n", &o);
    g_assert_false (sched_limits_has_preempt_lists (l));
    /* a later file may name the QOS of an earlier one */
    parse_ok (p, "qos top Preempt=high,low\naccount chem QOS=top,normal\n", &o);
    g_assert_true (sched_limits_qos_preempts (l, sched_limits_find_qos (l, "top"),
                                              sched_limits_find_qos (l, "low")));
    /* ... but not make a loop with them */
    parse_err_opts ("qos low Preempt=top\n", -1, &o, WL_ERROR_MALFORMED,
                    "x.assoc:1: Preempt: preemption loop \"low\" -> \"top\" -> \"low\"");
  }
  /* association QOS lists without any QOS definition (an assoc dump alone, as
   * tests/data/assoc/sacctmgr.txt): nothing to check them against, dropped */
  {
    g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_CLASSIC);
    g_autoptr (SchedLimits) l = sched_limits_new ();
    WlAssocOptions o = { NULL, l };
    g_autofree char *path = data_path ("sacctmgr.txt");
    g_autoptr (GError) error = NULL;
    g_assert_true (wl_assoc_load (path, &o, p, &error));
    g_assert_no_error (error);
    guint n;
    g_assert_null (sched_limits_get_assoc_qos (l, sched_priority_lookup_account (p, "a"), &n));
    g_assert_cmpuint (sched_limits_n_qos (l), ==, 0);
  }
}

/* ---- errors ---------------------------------------------------------------------------- */

static void
test_errors (void)
{
  const gint M = WL_ERROR_MALFORMED, U = WL_ERROR_UNSUPPORTED;
  /* simple format */
  parse_err ("\n# c\nbogus x\n", M, "x.assoc:3: expected \"account\", \"user\" or \"qos\", got \"bogus\"");
  parse_err ("account\n", M, "x.assoc:1: account: missing name");
  parse_err ("user   # no name\n", M, "x.assoc:1: user: missing name");
  parse_err ("account parent=x\n", M, "x.assoc:1: account: expected a name, got \"parent=x\"");
  parse_err ("account a b c d e f g h i j k l m n o p q r s t u v w x\n", M,
             "x.assoc:1: account: too many words (25, at most 24)");
  parse_err ("account b foo\n", M, "x.assoc:1: account \"b\": expected key=value, got \"foo\"");
  parse_err ("account b color=red\n", M, "x.assoc:1: account \"b\": unknown key \"color\"");
  parse_err ("user v parent=a\n", M, "x.assoc:1: user \"v\": unknown key \"parent\"");
  parse_err ("account b account=a\n", M, "x.assoc:1: account \"b\": unknown key \"account\"");
  parse_err ("account b shares=1 SHARES=2\n", M, "x.assoc:1: account \"b\": shares given twice");
  parse_err ("account b parent=\n", M, "x.assoc:1: account \"b\": parent: empty value");
  parse_err ("account b shares=lots\n", M,
             "x.assoc:1: account \"b\": shares: expected a number below 4294967295 or "
             "\"parent\", got \"lots\"");
  parse_err ("account b shares=4294967295\n", M, "got \"4294967295\"");
  parse_err ("account b shares=-1\n", M, "got \"-1\"");
  parse_err ("user v\n", M, "x.assoc:1: user \"v\": missing account=");
  parse_err ("user v shares=2\n", M, "x.assoc:1: user \"v\": missing account=");
  /* checks across lines */
  parse_err ("account b\naccount c\naccount b parent=c\n", M,
             "x.assoc:3: account \"b\" already defined at line 1");
  parse_err ("account b\nuser v account=b\nuser w account=b\nuser v account=b shares=2\n", M,
             "x.assoc:4: user \"v\" in account \"b\" already defined at line 2");
  parse_err ("account b parent=zz\n", M, "x.assoc:1: account \"b\": unknown parent account \"zz\"");
  parse_err ("account x parent=b\naccount b parent=c\naccount c parent=b\n", M,
             "x.assoc:2: account \"b\": parent cycle \"b\" -> \"c\" -> \"b\"");
  parse_err ("account b parent=b\n", M, "x.assoc:1: account \"b\": parent cycle \"b\" -> \"b\"");
  parse_err ("account x parent=y\naccount y parent=q\n", M,
             "x.assoc:2: account \"y\": unknown parent account \"q\"");
  parse_err ("user v account=nope\n", M, "x.assoc:1: user \"v\": unknown account \"nope\"");
  parse_err ("account root parent=a\n", M, "x.assoc:1: account \"root\" cannot have a parent");
  /* "a" is already in the SchedPriority, under root */
  parse_err ("account b\naccount a parent=b\n", M,
             "x.assoc:2: account \"a\" already exists under \"root\"");
  static const char nul[] = "account b\naccount \0c\n";
  parse_err_opts (nul, sizeof nul - 1, NULL, M, "x.assoc:2: NUL byte in line");
  /* a long, odd name is quoted, escaped and cut */
  parse_err ("account b shares=\x01\x02xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", M,
             "got \"\\x01\\x02xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"...");

  /* sacctmgr */
  parse_err ("Cluster|Account|Share\ntux|a|1\n", U,
             "x.assoc:1: sacctmgr header without a User field");
  parse_err ("\n\nCluster|User|Share\n", U, "x.assoc:3: sacctmgr header without an Account field");
  parse_err ("Account|User|Share|ParentName\nb|||\nb|v|1\n", M, "x.assoc:3: expected 4 fields, got 3");
  parse_err ("Account|User|Share|ParentName|\nb|||root|\nb|v|1|||\n", M,
             "x.assoc:3: expected 4 fields, got 6");
  parse_err ("Account|User|Share|ParentName\n  |v|1|\n", M, "x.assoc:2: field Account: empty");
  parse_err ("Account|User|Share|ParentName\nb||1.5|root\n", M,
             "x.assoc:2: field Share: expected a number below 4294967295 or \"parent\", got \"1.5\"");
  parse_err ("Cluster|Account|User|Share|ParentName\nc1|b|||root\nc2|b|||root\n", U,
             "x.assoc:3: a second cluster \"c2\" (line 2 has \"c1\"): choose one");
  parse_err ("Account|User|Share\nroot||\nb||\n", U,
             "x.assoc:3: account \"b\": no ParentName field and no tree indentation");
  parse_err ("Account|User|Share|ParentName\nb|||zz\n", M,
             "x.assoc:2: account \"b\": unknown parent account \"zz\"");
  parse_err ("Account|User|Share|ParentName\nb||1|\nb|v|1|\nb|v|2|\n", M,
             "x.assoc:4: user \"v\" in account \"b\" already defined at line 3");

  /* QOS preemption settings and QOS lists */
  parse_err ("qos a Preempt=b\n", M, "x.assoc:1: qos \"a\": Preempt: unknown qos \"b\"");
  parse_err ("qos a\nqos b Preempt=a,,c\n", M,
             "x.assoc:2: Preempt: expected a comma-separated list of QOS names, got \"a,,c\"");
  parse_err ("qos a Preempt=+b\nqos b\n", M, "x.assoc:1: Preempt: expected a comma-separated");
  parse_err ("qos a Preempt=a\n", M, "x.assoc:1: Preempt: preemption loop \"a\" -> \"a\"");
  parse_err ("qos z\nqos a Preempt=z,b\nqos b Preempt=c\nqos c Preempt=a\n", M,
             "x.assoc:2: Preempt: preemption loop \"a\" -> \"b\" -> \"c\" -> \"a\"");
  parse_err ("qos a PreemptMode=sometimes\n", M,
             "x.assoc:1: PreemptMode: expected cluster, off, cancel, requeue or suspend");
  parse_err ("qos a PreemptMode=gang\n", M, "x.assoc:1: PreemptMode: expected");
  parse_err ("qos a PreemptMode=cancel,requeue\n", M, "x.assoc:1: PreemptMode: expected");
  parse_err ("qos a GraceTime=soon\n", M,
             "x.assoc:1: GraceTime: expected seconds, [days-]hours:minutes:seconds or -1, got \"soon\"");
  parse_err ("qos a GraceTime=UNLIMITED\n", M, "x.assoc:1: GraceTime: expected seconds");
  parse_err ("qos a PreemptExemptTime=1:2:3:4\n", M, "x.assoc:1: PreemptExemptTime: expected a Slurm time");
  parse_err ("qos a Flags=Fast\n", M, "x.assoc:1: Flags: expected Slurm QOS flags");
  parse_err ("qos a GraceTime=1 gracetime=2\n", M, "x.assoc:1: qos \"a\": gracetime given twice");
  parse_err ("qos a QOS=b\n", M, "x.assoc:1: qos \"a\": unknown key \"QOS\"");
  parse_err ("account b Preempt=x\n", M, "x.assoc:1: account \"b\": unknown key \"Preempt\"");
  parse_err ("account b QOS=\n", M, "x.assoc:1: QOS: expected a comma-separated list of QOS names");
  parse_err ("qos normal\naccount b QOS=normal,nope\n", M, "x.assoc:2: QOS: unknown qos \"nope\"");
  parse_err ("qos normal\nqos high\naccount b QOS=normal DefaultQOS=high\n", M,
             "x.assoc:3: DefaultQOS: \"high\" is not in the association's QOS list");
  parse_err ("Name|Priority|PreemptMode\na|1|often\n", M,
             "x.assoc:2: PreemptMode: expected cluster, off, cancel, requeue or suspend");
  parse_err ("Name|Preempt\na|b\n", M, "x.assoc:2: qos \"a\": Preempt: unknown qos \"b\"");
  parse_err ("Name|Priority\nn|1\n\nAccount|User|QOS|ParentName\nb|||root\nb|v|n,zz|\n", M,
             "x.assoc:6: QOS: unknown qos \"zz\"");

  /* a chain of 1001 accounts below root is refused; 1000 are fine (with "a" at depth 1) */
  GString *deep = g_string_new ("account l1 parent=a\n");
  for (guint i = 2; i <= 1000; i++)
    g_string_append_printf (deep, "account l%u parent=l%u\n", i, i - 1);
  parse_err (deep->str, U, "x.assoc:1000: account \"l1000\": nested deeper than 1000 levels");
  {
    g_autoptr (SchedPriority) q = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
    g_string_erase (deep, 0, strlen ("account l1 parent=a\n"));
    g_string_prepend (deep, "account l1\n");
    g_string_append (deep, "user deep account=l1000\n");
    parse_ok (q, deep->str, NULL);
    SchedAssocId u = sched_priority_lookup_user (q, "deep", "l1000");
    sched_priority_charge (q, 0, u, 1);
    sched_priority_update (q, 0);
    g_assert_cmpfloat (info (q, u).fairshare, ==, 1);
  }
  g_string_free (deep, TRUE);

  /* files */
  g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
  g_autoptr (GError) error = NULL;
  g_assert_false (wl_assoc_load ("/nonexistent/assoc.txt", NULL, p, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_IO);
  assert_contains (error->message, "/nonexistent/assoc.txt");
}

/* ---- robustness ------------------------------------------------------------------------ */

static void
test_garbage (void)
{
  static const char *const words[] = {
    "account", "user", "a", "b", "root", "parent=a", "parent=b", "parent=", "account=a",
    "account=b", "shares=3", "shares=parent", "shares=x", "=", "#", "|", "||", "Account",
    "User", "Share", "ParentName", " ", "\t", "\r", "\xff", "Cluster", "c1", "c2",
    "qos", "Name", "Preempt", "QOS", "Preempt=a", "Preempt=a,b", "QOS=a,b", "QOS=b",
    "DefaultQOS=a", "PreemptMode=cancel", "GraceTime=00:01:00", "Flags=OverPartQOS", "a,b",
  };
  for (guint round = 0; round < 2000; round++)
    {
      GString *text = g_string_new (NULL);
      guint lines = (guint) g_test_rand_int_range (0, 8);
      for (guint l = 0; l < lines; l++)
        {
          guint n = (guint) g_test_rand_int_range (0, 7);
          for (guint w = 0; w < n; w++)
            {
              g_string_append (text, words[g_test_rand_int_range (0, G_N_ELEMENTS (words))]);
              if (g_test_rand_bit ())
                g_string_append_c (text, ' ');
            }
          g_string_append_c (text, '\n');
        }
      g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
      g_autoptr (SchedLimits) l = sched_limits_new ();
      WlAssocOptions o = { NULL, l };
      g_autoptr (GError) error = NULL;
      gboolean ok = wl_assoc_parse (text->str, (gssize) text->len, "g",
                                    g_test_rand_bit () ? &o : NULL, p, &error);
      g_assert_true (ok == (error == NULL));
      if (!ok)
        g_assert_cmpuint (sched_priority_n_assocs (p), ==, 1);
      sched__priority_check (p);
      sched_priority_update (p, 0);
      g_string_free (text, TRUE);
    }
  /* random bytes */
  for (guint round = 0; round < 500; round++)
    {
      guint n = (guint) g_test_rand_int_range (0, 200);
      g_autofree char *bytes = g_malloc (n + 1);
      for (guint i = 0; i < n; i++)
        bytes[i] = (char) g_test_rand_int_range (0, 256);
      g_autoptr (SchedPriority) p = new_prio (SCHED_FAIRSHARE_FAIR_TREE);
      g_autoptr (GError) error = NULL;
      gboolean ok = wl_assoc_parse (bytes, n, "r", NULL, p, &error);
      g_assert_true (ok == (error == NULL));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/assoc/simple-doc-example", test_simple_doc_example);
  g_test_add_func ("/wl/assoc/simple-syntax", test_simple_syntax);
  g_test_add_func ("/wl/assoc/sacctmgr", test_sacctmgr);
  g_test_add_func ("/wl/assoc/sacctmgr-tree", test_sacctmgr_tree);
  g_test_add_func ("/wl/assoc/qos-preempt-settings", test_qos_preempt_settings);
  g_test_add_func ("/wl/assoc/errors", test_errors);
  g_test_add_func ("/wl/assoc/garbage", test_garbage);
  return g_test_run ();
}
