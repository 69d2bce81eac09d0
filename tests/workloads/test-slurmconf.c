/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-slurmconf.c - slurm.conf reading, Slurm value syntax, the cluster
 * built from a conf, and `sluice sim --cluster`.
 *
 *  - values: time strings (every format, UNLIMITED, minute rounding), booleans, integers,
 *    gres lists, SchedulerParameters lists (parse, override, checks);
 *  - syntax: comments, "\#", continuation lines, quotes, case, blanks, CRLF, Include
 *    (relative paths, nesting, loops, missing files);
 *  - NodeName: DEFAULT lines, Slurm's CPU/socket rules, Gres forms and the one-GPU-type
 *    rule, features, states, DownNodes, NodeSet; PartitionName: DEFAULT, ALL, node sets,
 *    time limits, MaxNodes, states, OverSubscribe, account lists, the default partition;
 *  - unknown keys: warned about once each, kept, readable back; global typed getters;
 *  - every error with its code and "file:line: ..." message;
 *  - tests/data/conf/cluster.conf (a CPU partition and an A100 partition, through Include)
 *    built into a SchedCluster whose totals are asserted;
 *  - end to end: `sluice sim --cluster tests/data/conf/cluster.conf --trace
 *    tests/data/tiny.swf` runs every job, and the option errors exit 2 (SLUICE_BIN);
 *  - robustness: random lines never crash the reader. */
#include "workloads/slurmconf.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

/* ---- helpers --------------------------------------------------------------------------- */

static void
collect_warning (const char *message, gpointer data)
{
  g_ptr_array_add (data, g_strdup (message));
}

/* Parses `text` as "x.conf", collecting warnings into `warnings` (may be NULL). */
static WlSlurmConf *
parse_ok (const char *text, GPtrArray *warnings)
{
  g_autoptr (GPtrArray) sink = g_ptr_array_new_with_free_func (g_free);
  WlSlurmConfOptions opts = { collect_warning, warnings ? warnings : sink };
  g_autoptr (GError) error = NULL;
  WlSlurmConf *conf = wl_slurmconf_parse (text, -1, "x.conf", &opts, &error);
  g_assert_no_error (error);
  g_assert_nonnull (conf);
  return conf;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_test_message ("expected \"%s\" in \"%s\"", needle, haystack);
  g_assert_nonnull (strstr (haystack, needle));
}

/* Asserts that `text` fails with `code` and a message containing `substring`. */
static void
parse_err (const char *text, gint code, const char *substring)
{
  g_autoptr (GPtrArray) sink = g_ptr_array_new_with_free_func (g_free);
  WlSlurmConfOptions opts = { collect_warning, sink };
  g_autoptr (GError) error = NULL;
  g_autoptr (WlSlurmConf) conf = wl_slurmconf_parse (text, -1, "x.conf", &opts, &error);
  g_assert_null (conf);
  g_assert_error (error, WL_ERROR, code);
  assert_contains (error->message, substring);
}

static char *
conf_data (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "conf", name, NULL);
}

/* A temporary directory with files, removed by tmpdir_free. */
typedef struct {
  char      *path;
  GPtrArray *files;
} TmpDir;

static TmpDir *
tmpdir_new (void)
{
  TmpDir *t = g_new0 (TmpDir, 1);
  g_autoptr (GError) error = NULL;
  t->path = g_dir_make_tmp ("sluice-conf-XXXXXX", &error);
  g_assert_no_error (error);
  t->files = g_ptr_array_new_with_free_func (g_free);
  return t;
}

/* Writes `text` to `name` (may hold one subdirectory level); returns (transfer none) the
 * full path. */
static const char *
tmpdir_write (TmpDir *t, const char *name, const char *text)
{
  char *path = g_build_filename (t->path, name, NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  if (strcmp (dir, t->path) != 0 && !g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
      g_ptr_array_insert (t->files, 0, g_strdup (dir));   /* removed last */
    }
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_ptr_array_insert (t->files, 0, path);
  return path;
}

static void
tmpdir_free (TmpDir *t)
{
  for (guint i = 0; i < t->files->len; i++)
    g_remove (g_ptr_array_index (t->files, i));
  g_rmdir (t->path);
  g_ptr_array_unref (t->files);
  g_free (t->path);
  g_free (t);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TmpDir, tmpdir_free)

/* ---- values ---------------------------------------------------------------------------- */

static void
test_time (void)
{
  static const struct { const char *s; gint64 secs; } ok[] = {
    { "0", 0 },             { "30", 1800 },         { "90", 5400 },
    { "30:15", 1815 },      { "1:75", 135 },        { "1:02:03", 3723 },
    { "2-0", 172800 },      { "1-02", 93600 },      { "1-02:03", 93780 },
    { "1-02:03:04", 93784 }, { "14-0", 1209600 },   { "00:00:05", 5 },
    { "UNLIMITED", WL_TIME_UNLIMITED }, { "unlimited", WL_TIME_UNLIMITED },
    { "INFINITE", WL_TIME_UNLIMITED },  { "-1", WL_TIME_UNLIMITED },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 v = -7;
      g_assert_true (wl_parse_slurm_time (ok[i].s, &v, &error));
      g_assert_no_error (error);
      g_assert_cmpint (v, ==, ok[i].secs);
    }
  g_assert_cmpint (WL_TIME_UNLIMITED, ==, SCHED_TIME_NEVER);
  static const char *const bad[] = {
    "", "abc", "1:2:3:4", "1-2-3", "-5", "1-", "1:", ":5", "1-2:3:4:5", "1.5", " 5", "5 ",
    "1-:3", "--1", "1:-2", "99999999999999", "unlimitedx",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      gint64 v = -7;
      g_assert_false (wl_parse_slurm_time (bad[i], &v, &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
      g_assert_cmpint (v, ==, -7);
    }
  g_autoptr (GError) error = NULL;
  gint64 v;
  g_assert_false (wl_parse_slurm_time ("1:2:3:4", &v, &error));
  g_assert_cmpstr (error->message, ==,
                   "bad time \"1:2:3:4\": expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, "
                   "D-HH:MM:SS or UNLIMITED");
  g_clear_error (&error);
  g_assert_false (wl_parse_slurm_time ("99999999999-0", &v, &error));
  assert_contains (error->message, "more than 2^40 seconds");
  g_clear_error (&error);
  /* minute rounding, as Slurm stores partition limits */
  g_assert_true (wl_parse_slurm_time_minutes ("0:30", &v, NULL));
  g_assert_cmpint (v, ==, 60);
  g_assert_true (wl_parse_slurm_time_minutes ("1:01", &v, NULL));
  g_assert_cmpint (v, ==, 120);
  g_assert_true (wl_parse_slurm_time_minutes ("1:00", &v, NULL));
  g_assert_cmpint (v, ==, 60);
  g_assert_true (wl_parse_slurm_time_minutes ("0", &v, NULL));
  g_assert_cmpint (v, ==, 0);
  g_assert_true (wl_parse_slurm_time_minutes ("UNLIMITED", &v, NULL));
  g_assert_cmpint (v, ==, WL_TIME_UNLIMITED);
  g_assert_false (wl_parse_slurm_time_minutes ("x", &v, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
}

static void
test_bool_int (void)
{
  static const char *const yes[] = { "YES", "yes", "True", "UP", "1" };
  static const char *const no[] = { "NO", "no", "FALSE", "down", "0" };
  gboolean b;
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      g_assert_true (wl_parse_slurm_bool (yes[i], &b, NULL));
      g_assert_true (b);
      g_assert_true (wl_parse_slurm_bool (no[i], &b, NULL));
      g_assert_false (b);
    }
  g_autoptr (GError) error = NULL;
  g_assert_false (wl_parse_slurm_bool ("maybe", &b, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "expected YES or NO, got \"maybe\"");
  g_clear_error (&error);

  gint64 x;
  g_assert_true (wl_parse_int ("42", 0, 100, &x, NULL));
  g_assert_cmpint (x, ==, 42);
  g_assert_true (wl_parse_int ("-5", -10, 10, &x, NULL));
  g_assert_cmpint (x, ==, -5);
  g_assert_true (wl_parse_int ("9223372036854775807", 0, G_MAXINT64, &x, NULL));
  g_assert_cmpint (x, ==, G_MAXINT64);
  g_assert_true (wl_parse_int ("-9223372036854775808", G_MININT64, 0, &x, NULL));
  g_assert_cmpint (x, ==, G_MININT64);
  static const char *const bad[] = {
    "", "-", "+1", " 1", "1 ", "1x", "0x10", "-5", "101", "9223372036854775808",
    "99999999999999999999999",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_false (wl_parse_int (bad[i], 0, 100, &x, &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
      g_clear_error (&error);
    }
  g_assert_false (wl_parse_int ("abc", 1, 10, &x, &error));
  g_assert_cmpstr (error->message, ==, "expected an integer from 1 to 10, got \"abc\"");
  g_clear_error (&error);
  g_assert_false (wl_parse_int ("abc", 0, 10, &x, &error));
  g_assert_cmpstr (error->message, ==, "expected an integer from 0 to 10, got \"abc\"");
}

static void
test_gres (void)
{
  g_autoptr (GArray) g = g_array_new (FALSE, FALSE, sizeof (WlGres));
  g_array_set_clear_func (g, wl_gres_clear);
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_parse_gres ("gpu:a100:8,gpu:8,gpu,mps:100,bandwidth:lustre:no_consume:4G,"
                                "gpu:tesla", g, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g->len, ==, 6);
  const WlGres *x = (const WlGres *) (void *) g->data;
  g_assert_cmpstr (x[0].name, ==, "gpu");
  g_assert_cmpstr (x[0].type, ==, "a100");
  g_assert_cmpuint (x[0].count, ==, 8);
  g_assert_null (x[1].type);
  g_assert_cmpuint (x[1].count, ==, 8);
  g_assert_null (x[2].type);
  g_assert_cmpuint (x[2].count, ==, 1);
  g_assert_cmpstr (x[3].name, ==, "mps");
  g_assert_cmpuint (x[3].count, ==, 100);
  g_assert_cmpstr (x[4].type, ==, "lustre");
  g_assert_true (x[4].no_consume);
  g_assert_cmpuint (x[4].count, ==, G_GUINT64_CONSTANT (4) << 30);
  g_assert_false (x[0].no_consume);
  g_assert_cmpstr (x[5].type, ==, "tesla");
  g_assert_cmpuint (x[5].count, ==, 1);
  static const char *const bad[] = {
    "", "gpu:", "gpu::8", ":8", "gpu:a:b:8", "gpu:8:a100", "gpu,,mps", "g pu:1", "gpu:a100:8x",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_array_set_size (g, 0);
      g_assert_false (wl_parse_gres (bad[i], g, &error));
      g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
      assert_contains (error->message, "expected name[:type][:count] items");
      g_clear_error (&error);
    }
}

static void
test_param_list (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlParamList) l = wl_param_list_parse ("bf_window=60, bf_resolution=600,,bf_continue,",
                                                   &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wl_param_list_length (l), ==, 3);
  g_assert_cmpstr (wl_param_list_key (l, 2), ==, "bf_continue");
  g_assert_null (wl_param_list_value (l, 2));
  const char *v = "unset";
  g_assert_true (wl_param_list_lookup (l, "BF_WINDOW", &v));
  g_assert_cmpstr (v, ==, "60");
  g_assert_true (wl_param_list_lookup (l, "bf_continue", &v));
  g_assert_null (v);
  g_assert_false (wl_param_list_lookup (l, "bf_interval", &v));
  g_assert_true (wl_sched_params_check (l, &error));

  /* overriding keeps the place of known keys and appends new ones */
  g_assert_true (wl_param_list_update (l, "bf_window=120,bf_max_job_test=500", &error));
  g_autofree char *s = wl_param_list_to_string (l);
  g_assert_cmpstr (s, ==, "bf_window=120,bf_resolution=600,bf_continue,bf_max_job_test=500");
  g_autoptr (WlParamList) back = wl_param_list_parse (s, &error);
  g_autofree char *s2 = wl_param_list_to_string (back);
  g_assert_cmpstr (s2, ==, s);

  /* a failed update changes nothing */
  g_assert_false (wl_param_list_update (l, "bf_window=1,=5", &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==,
                   "bad parameter \"=5\" in \"bf_window=1,=5\": expected key or key=value");
  g_clear_error (&error);
  g_assert_true (wl_param_list_lookup (l, "bf_window", &v));
  g_assert_cmpstr (v, ==, "120");
  g_assert_null (wl_param_list_parse ("a b=1", &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_clear_error (&error);

  /* add keeps duplicates (lookup sees the last); set folds them */
  g_autoptr (WlParamList) d = wl_param_list_new ();
  wl_param_list_add (d, "k", "1");
  wl_param_list_add (d, "x", NULL);
  wl_param_list_add (d, "K", "2");
  g_assert_cmpint (wl_param_list_find (d, "k"), ==, 2);
  g_assert_true (wl_param_list_lookup (d, "k", &v));
  g_assert_cmpstr (v, ==, "2");
  wl_param_list_set (d, "k", "3");
  g_autofree char *ds = wl_param_list_to_string (d);
  g_assert_cmpstr (ds, ==, "k=3,x");
  g_autoptr (WlParamList) copy = wl_param_list_copy (d);
  g_autofree char *cs = wl_param_list_to_string (copy);
  g_assert_cmpstr (cs, ==, ds);

  /* numeric SchedulerParameters */
  g_autoptr (WlParamList) b1 = wl_param_list_parse ("bf_continue,bf_window=x", NULL);
  g_assert_false (wl_sched_params_check (b1, &error));
  g_assert_cmpstr (error->message, ==,
                   "bf_window: expected an integer >= 0, got \"x\"");
  g_clear_error (&error);
  g_autoptr (WlParamList) b2 = wl_param_list_parse ("bf_resolution", NULL);
  g_assert_false (wl_sched_params_check (b2, &error));
  assert_contains (error->message, "bf_resolution: expected an integer >= 0, got no value");
  g_clear_error (&error);
  g_autoptr (WlParamList) b3 = wl_param_list_parse ("default_queue_depth=-1", NULL);
  g_assert_false (wl_sched_params_check (b3, &error));
  g_clear_error (&error);
  g_autoptr (WlParamList) ok = wl_param_list_parse ("kill_invalid_depend,max_switch_wait=300,"
                                                    "some_future_knob=abc", NULL);
  g_assert_true (wl_sched_params_check (ok, &error));
}

/* ---- syntax ---------------------------------------------------------------------------- */

static void
test_syntax (void)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WlSlurmConf) c = parse_ok (
    "\xEF\xBB\xBF# a comment line\r\n"
    "   \t\n"
    "clustername=alpha   # trailing comment\r\n"
    "MailProg=/usr/bin/mail\\#x\n"                      /* \# is a literal # */
    "SlurmUser = slurm\n"                               /* blanks around = */
    "StateSaveLocation=\"/var/spool/a b\" SlurmdUser=root\n"
    "nodename=n[1-2] \\\n"                              /* continuation */
    "   cpus=4 \\   \n"                                 /* blanks after the backslash */
    "   REALMEMORY=1000\n"
    "NodeName=n3 CPUs=2 Reason=\"broken \\\\\"\n"       /* even backslashes: no continuation */
    "NodeName=n4 CPUs=8", warnings);                   /* no final newline */
  g_assert_cmpstr (wl_slurmconf_cluster_name (c), ==, "alpha");
  g_assert_cmpstr (wl_slurmconf_get (c, "MAILPROG"), ==, "/usr/bin/mail#x");
  g_assert_cmpstr (wl_slurmconf_get (c, "slurmuser"), ==, "slurm");
  g_assert_cmpstr (wl_slurmconf_get (c, "StateSaveLocation"), ==, "/var/spool/a b");
  g_assert_cmpstr (wl_slurmconf_get (c, "SlurmdUser"), ==, "root");
  g_assert_cmpuint (wl_slurmconf_n_nodes (c), ==, 4);
  const WlSlurmNode *n2 = wl_slurmconf_node (c, 1);
  g_assert_cmpstr (n2->name, ==, "n2");
  g_assert_cmpuint (n2->cpus, ==, 4);
  g_assert_cmpuint (n2->real_memory_mb, ==, 1000);
  g_assert_cmpuint (n2->line, ==, 7);                 /* first line of the logical line */
  g_assert_cmpstr (n2->file, ==, "x.conf");
  const WlSlurmNode *n3 = wl_slurmconf_node (c, 2);
  g_assert_cmpuint (n3->line, ==, 10);
  g_assert_cmpstr (n3->reason, ==, "broken \\\\");
  g_assert_cmpuint (wl_slurmconf_node (c, 3)->cpus, ==, 8);
  g_assert_cmpuint (wl_slurmconf_node (c, 3)->line, ==, 11);
  g_assert_cmpuint (warnings->len, ==, 0);
  g_assert_cmpint (wl_slurmconf_find_node (c, "n3"), ==, 2);
  g_assert_cmpint (wl_slurmconf_find_node (c, "n9"), ==, -1);

  /* a continuation on the last line, and a comment ending a continued line */
  g_autoptr (WlSlurmConf) d = parse_ok ("NodeName=a1 CPUs=2 \\\n# not a comment?\n", NULL);
  g_assert_cmpuint (wl_slurmconf_n_nodes (d), ==, 1);
  g_autoptr (WlSlurmConf) e = parse_ok ("NodeName=a1 \\", NULL);
  g_assert_cmpuint (wl_slurmconf_node (e, 0)->cpus, ==, 1);
  g_autoptr (WlSlurmConf) f = parse_ok ("NodeName=a[1-2] CPUs=2 # \\\nNodeName=b1\n", NULL);
  g_assert_cmpuint (wl_slurmconf_n_nodes (f), ==, 3);
  g_autoptr (WlSlurmConf) empty = parse_ok ("", NULL);
  g_assert_cmpuint (wl_slurmconf_n_nodes (empty), ==, 0);
  g_assert_null (wl_slurmconf_cluster_name (empty));
}

static void
test_include (void)
{
  g_autoptr (TmpDir) t = tmpdir_new ();
  tmpdir_write (t, "sub/nodes.conf", "NodeName=n[1-2] CPUs=4\nInclude more.conf\n");
  tmpdir_write (t, "sub/more.conf", "NodeName=m1 CPUs=2\n");
  tmpdir_write (t, "parts.conf", "PartitionName=p Nodes=ALL Default=YES\n");
  g_autofree char *abs_parts = g_build_filename (t->path, "parts.conf", NULL);
  g_autofree char *main_text = g_strdup_printf (
    "ClusterName=inc\ninclude sub/nodes.conf\nInclude \"%s\"\n", abs_parts);
  const char *main_path = tmpdir_write (t, "slurm.conf", main_text);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlSlurmConf) c = wl_slurmconf_load (main_path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (wl_slurmconf_n_nodes (c), ==, 3);
  const WlSlurmNode *m1 = wl_slurmconf_node (c, 2);
  g_assert_cmpstr (m1->name, ==, "m1");
  g_assert_true (g_str_has_suffix (m1->file, "sub/more.conf"));   /* relative to sub/ */
  g_assert_cmpuint (m1->line, ==, 1);
  g_assert_cmpuint (wl_slurmconf_partition (c, 0)->n_nodes, ==, 3);

  /* an Include loop stops at the nesting limit */
  const char *loop = tmpdir_write (t, "loop.conf", "ClusterName=l\nInclude loop.conf\n");
  g_autoptr (WlSlurmConf) l = wl_slurmconf_load (loop, NULL, &error);
  g_assert_null (l);
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  assert_contains (error->message, "loop.conf:2: Include loop.conf: more than 16 nested");
  g_clear_error (&error);

  /* a missing file: WL_ERROR_IO with the including line */
  const char *miss = tmpdir_write (t, "miss.conf", "# x\nInclude nope.conf\n");
  g_autoptr (WlSlurmConf) m = wl_slurmconf_load (miss, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, WL_ERROR, WL_ERROR_IO);
  assert_contains (error->message, "miss.conf:2: Include nope.conf: ");
  g_clear_error (&error);
  parse_err ("Include   \n", WL_ERROR_MALFORMED, "x.conf:1: Include: expected a file name");

  g_autofree char *nowhere = g_build_filename (t->path, "absent.conf", NULL);
  g_assert_null (wl_slurmconf_load (nowhere, NULL, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_IO);
  assert_contains (error->message, "absent.conf");
}

/* ---- nodes ----------------------------------------------------------------------------- */

static void
test_node_defaults (void)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WlSlurmConf) c = parse_ok (
    "NodeName=a1\n"                                          /* before any DEFAULT */
    "NodeName=DEFAULT CPUs=8 RealMemory=1000 Weight=5 Feature=x\n"
    "NodeName=b1\n"
    "NodeName=b2 CPUs=16 Feature=y,z\n"                      /* the line wins */
    "NodeName=default RealMemory=2000\n"                     /* adds to the defaults */
    "NodeName=c1\n", warnings);
  const WlSlurmNode *a1 = wl_slurmconf_node (c, 0), *b1 = wl_slurmconf_node (c, 1),
                    *b2 = wl_slurmconf_node (c, 2), *c1 = wl_slurmconf_node (c, 3);
  g_assert_cmpuint (a1->cpus, ==, 1);
  g_assert_cmpuint (a1->real_memory_mb, ==, 0);
  g_assert_cmpuint (a1->weight, ==, 1);
  g_assert_cmpuint (g_strv_length (a1->features), ==, 0);
  g_assert_cmpuint (b1->cpus, ==, 8);
  g_assert_cmpuint (b1->real_memory_mb, ==, 1000);
  g_assert_cmpuint (b1->weight, ==, 5);
  g_assert_cmpstr (b1->features[0], ==, "x");
  g_assert_cmpuint (b2->cpus, ==, 16);
  g_assert_cmpuint (g_strv_length (b2->features), ==, 2);
  g_assert_cmpstr (b2->features[1], ==, "z");
  g_assert_cmpuint (c1->cpus, ==, 8);
  g_assert_cmpuint (c1->real_memory_mb, ==, 2000);
  /* settings hold the line and its defaults */
  const char *v = NULL;
  g_assert_true (wl_param_list_lookup (c1->settings, "weight", &v));
  g_assert_cmpstr (v, ==, "5");
  g_assert_cmpstr (wl_param_list_key (c1->settings, 0), ==, "NodeName");
  g_assert_cmpuint (warnings->len, ==, 0);
}

static void
test_node_cpus (void)
{
  g_test_summary ("Slurm's rules: CPUs = Sockets x Cores x Threads when not given; Sockets = "
                  "CPUs / (Cores x Threads) when not given; a CPUs that matches neither "
                  "Sockets, Sockets x Cores nor the product is reset to the product.");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WlSlurmConf) c = parse_ok (
    "NodeName=a Sockets=2 CoresPerSocket=8 ThreadsPerCore=2\n"
    "NodeName=b CPUs=16\n"
    "NodeName=c CPUs=16 Sockets=2 CoresPerSocket=8 ThreadsPerCore=2\n"
    "NodeName=d CPUs=20 Sockets=2 CoresPerSocket=8 ThreadsPerCore=2\n"
    "NodeName=e Boards=2 SocketsPerBoard=2 CoresPerSocket=4\n"
    "NodeName=f\n"
    "NodeName=g CPUs=12 CoresPerSocket=6\n"
    "NodeName=h Procs=4\n", warnings);
  static const struct { guint32 cpus, sockets; } want[] = {
    { 32, 2 }, { 16, 16 }, { 16, 2 }, { 32, 2 }, { 16, 4 }, { 1, 1 }, { 12, 2 }, { 4, 4 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const WlSlurmNode *n = wl_slurmconf_node (c, i);
      g_assert_cmpuint (n->cpus, ==, want[i].cpus);
      g_assert_cmpuint (n->sockets, ==, want[i].sockets);
    }
  g_assert_cmpuint (wl_slurmconf_node (c, 4)->boards, ==, 2);
  g_assert_cmpuint (warnings->len, ==, 1);
  assert_contains (g_ptr_array_index (warnings, 0),
                   "x.conf:4: NodeName=d: CPUs=20 matches neither Sockets");
  g_assert_true (g_strv_contains (wl_slurmconf_warnings (c), g_ptr_array_index (warnings, 0)));
}

static void
test_node_gres (void)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WlSlurmConf) c = parse_ok (
    "NodeName=a Gres=gpu:a100:8\n"
    "NodeName=b Gres=gpu:8\n"
    "NodeName=c Gres=gpu:a100:4,gpu:v100:2\n"
    "NodeName=d Gres=mps:100,gpu:2\n"
    "NodeName=e Gres=gpu\n"
    "NodeName=f Gres=mps:100\n"
    "NodeName=g Gres=gpu:a100:2,gpu:a100:2\n", warnings);
  const WlSlurmNode *n;
  n = wl_slurmconf_node (c, 0);
  g_assert_cmpuint (n->gpus, ==, 8);
  g_assert_cmpstr (n->gpu_type, ==, "a100");
  g_assert_cmpuint (n->n_gres, ==, 1);
  n = wl_slurmconf_node (c, 1);
  g_assert_cmpuint (n->gpus, ==, 8);
  g_assert_null (n->gpu_type);
  n = wl_slurmconf_node (c, 2);
  g_assert_cmpuint (n->gpus, ==, 4);
  g_assert_cmpstr (n->gpu_type, ==, "a100");
  g_assert_cmpuint (n->n_gres, ==, 2);                 /* every gres is kept */
  g_assert_cmpstr (n->gres[1].type, ==, "v100");
  g_assert_cmpuint (n->gres[1].count, ==, 2);
  n = wl_slurmconf_node (c, 3);
  g_assert_cmpuint (n->gpus, ==, 2);
  g_assert_null (n->gpu_type);
  g_assert_cmpstr (n->gres[0].name, ==, "mps");
  g_assert_cmpuint (wl_slurmconf_node (c, 4)->gpus, ==, 1);
  g_assert_cmpuint (wl_slurmconf_node (c, 5)->gpus, ==, 0);
  g_assert_cmpuint (wl_slurmconf_node (c, 6)->gpus, ==, 2);   /* same type: no warning */
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==,
                   "x.conf:3: NodeName=c: several GPU types in Gres=gpu:a100:4,gpu:v100:2; the "
                   "cluster model keeps one type per node: gpu:a100:4");
  g_autoptr (GError) error = NULL;
  g_autoptr (SchedCluster) cl = wl_slurmconf_build_cluster (c, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_total_gpus (cl), ==, 8 + 8 + 4 + 2 + 1 + 0 + 2);
  const SchedNodeSpec *s = sched_cluster_node (cl, 2);
  g_assert_cmpstr (sched_cluster_gpu_type_name (cl, s->gpu_type), ==, "a100");
  g_assert_cmpuint (sched_cluster_node (cl, 1)->gpu_type, ==, 0);
}

static void
test_node_states (void)
{
  g_autoptr (WlSlurmConf) c = parse_ok (
    "DownNodes=n[3-4] State=DRAIN Reason=\"bad dimm\"\n"    /* before the nodes: resolved later */
    "NodeName=n[1-6] CPUs=4\n"
    "NodeName=m1 State=DOWN Reason=maintenance\n"
    "NodeName=m2 State=future\n"
    "DownNodes=n5\n", NULL);
  g_assert_cmpint (wl_slurmconf_node (c, 0)->state, ==, WL_NODE_STATE_UNKNOWN);
  g_assert_null (wl_slurmconf_node (c, 0)->reason);
  g_assert_cmpint (wl_slurmconf_node (c, 2)->state, ==, WL_NODE_STATE_DRAIN);
  g_assert_cmpstr (wl_slurmconf_node (c, 3)->reason, ==, "bad dimm");
  g_assert_cmpint (wl_slurmconf_node (c, 4)->state, ==, WL_NODE_STATE_DOWN);
  g_assert_cmpint (wl_slurmconf_node (c, 6)->state, ==, WL_NODE_STATE_DOWN);
  g_assert_cmpstr (wl_slurmconf_node (c, 6)->reason, ==, "maintenance");
  g_assert_cmpint (wl_slurmconf_node (c, 7)->state, ==, WL_NODE_STATE_FUTURE);
  g_assert_cmpstr (wl_node_state_name (WL_NODE_STATE_DRAIN), ==, "DRAIN");
  g_assert_cmpstr (wl_part_state_name (WL_PART_STATE_INACTIVE), ==, "INACTIVE");
}

/* ---- partitions ------------------------------------------------------------------------ */

static void
test_partitions (void)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WlSlurmConf) c = parse_ok (
    "PartitionName=early Nodes=n[1-2]\n"                       /* before its nodes */
    "NodeName=n[1-4] CPUs=4 Feature=fast\n"
    "NodeName=g[1-2] CPUs=8 Gres=gpu:2\n"
    "NodeSet=gpus Nodes=g[1-2]\n"
    "NodeSet=quick Feature=fast\n"
    "PartitionName=DEFAULT MaxTime=30 State=DOWN\n"
    "PartitionName=all Nodes=ALL Default=YES\n"
    "PartitionName=mix Nodes=gpus,n1,n1,g1 MaxTime=1-0 DefaultTime=0:30 MaxNodes=UNLIMITED "
    "MinNodes=1 PriorityTier=10 PriorityJobFactor=3 State=UP OverSubscribe=force:4 "
    "AllowAccounts=ALL DenyAccounts=bad AllowQos=normal,high QOS=part_qos\n"
    "PartitionName=q Nodes=quick Default=YES Shared=EXCLUSIVE AllowAccounts=a,b State=inactive "
    "Hidden=YES GraceTime=30\n"
    "PartitionName=empty\n", warnings);
  g_assert_cmpuint (wl_slurmconf_n_partitions (c), ==, 5);
  const WlSlurmPartition *early = wl_slurmconf_partition (c, 0);
  g_assert_cmpuint (early->n_nodes, ==, 2);
  g_assert_cmpint (early->max_time, ==, WL_TIME_UNLIMITED);   /* before the DEFAULT line */
  g_assert_cmpint (early->state, ==, WL_PART_STATE_UP);
  g_assert_cmpstr (early->oversubscribe, ==, "NO");
  const WlSlurmPartition *all = wl_slurmconf_partition (c, 1);
  g_assert_true (all->all_nodes);
  g_assert_cmpuint (all->n_nodes, ==, 6);
  g_assert_cmpint (all->max_time, ==, 1800);
  g_assert_cmpint (all->state, ==, WL_PART_STATE_DOWN);
  g_assert_false (all->is_default);                  /* q, the last Default=YES, is */
  const WlSlurmPartition *mix = wl_slurmconf_partition (c, 2);
  g_assert_cmpuint (mix->n_nodes, ==, 3);            /* g1, g2, n1: duplicates dropped */
  g_assert_cmpuint (mix->nodes[0], ==, 4);
  g_assert_cmpuint (mix->nodes[1], ==, 5);
  g_assert_cmpuint (mix->nodes[2], ==, 0);
  g_assert_cmpint (mix->max_time, ==, 86400);
  g_assert_cmpint (mix->default_time, ==, 60);       /* 30 s rounded up to a minute */
  g_assert_cmpuint (mix->max_nodes, ==, 0);
  g_assert_cmpuint (mix->min_nodes, ==, 1);
  g_assert_cmpuint (mix->priority_tier, ==, 10);
  g_assert_cmpuint (mix->priority_job_factor, ==, 3);
  g_assert_cmpint (mix->state, ==, WL_PART_STATE_UP);
  g_assert_cmpstr (mix->oversubscribe, ==, "FORCE:4");
  g_assert_null (mix->allow_accounts);
  g_assert_cmpstr (mix->deny_accounts[0], ==, "bad");
  g_assert_cmpuint (g_strv_length (mix->allow_qos), ==, 2);
  g_assert_null (mix->allow_groups);
  g_assert_cmpstr (mix->qos, ==, "part_qos");
  const WlSlurmPartition *q = wl_slurmconf_partition (c, 3);
  g_assert_cmpuint (q->n_nodes, ==, 4);
  g_assert_true (q->is_default);
  g_assert_cmpstr (q->oversubscribe, ==, "EXCLUSIVE");
  g_assert_cmpstr (q->allow_accounts[1], ==, "b");
  g_assert_cmpint (q->state, ==, WL_PART_STATE_INACTIVE);
  g_assert_cmpuint (wl_slurmconf_partition (c, 4)->n_nodes, ==, 0);
  g_assert_cmpint (wl_slurmconf_default_partition (c), ==, 3);
  g_assert_cmpint (wl_slurmconf_find_partition (c, "mix"), ==, 2);
  g_assert_cmpint (wl_slurmconf_find_partition (c, "nope"), ==, -1);
  g_assert_cmpuint (warnings->len, ==, 1);
  assert_contains (g_ptr_array_index (warnings, 0),
                   "x.conf:9: partitions \"all\" and \"q\" both say Default=YES; the last "
                   "one, \"q\", is the default");

  g_autoptr (GError) error = NULL;
  g_autoptr (SchedCluster) cl = wl_slurmconf_build_cluster (c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sched_cluster_default_partition (cl), ==, 3);
  const SchedPartitionSpec *ps = sched_cluster_partition (cl, 2);
  g_assert_cmpstr (ps->name, ==, "mix");
  g_assert_cmpuint (ps->n_nodes, ==, 3);
  g_assert_cmpint (ps->max_time, ==, 86400);
  g_assert_cmpint (ps->default_time, ==, 60);
  g_assert_cmpint (sched_cluster_partition (cl, 0)->max_time, ==, SCHED_TIME_NEVER);
  g_assert_cmpuint (sched_cluster_partition (cl, 4)->n_nodes, ==, 0);
}

static void
test_partition_default_rules (void)
{
  /* no Default=YES: Slurm has no default partition; the cluster takes the first */
  g_autoptr (WlSlurmConf) c = parse_ok ("NodeName=n[1-2]\nPartitionName=a Nodes=n1\n"
                                        "PartitionName=b Nodes=n2 DefaultTime=UNLIMITED\n", NULL);
  g_assert_cmpint (wl_slurmconf_default_partition (c), ==, -1);
  g_assert_cmpint (wl_slurmconf_partition (c, 1)->default_time, ==, WL_TIME_UNLIMITED);
  g_autoptr (GError) error = NULL;
  g_autoptr (SchedCluster) cl = wl_slurmconf_build_cluster (c, &error);
  g_assert_cmpint (sched_cluster_default_partition (cl), ==, 0);
  g_assert_cmpint (sched_cluster_partition (cl, 1)->default_time, ==, 0);

  /* no partition at all: one default partition "all" of every node */
  g_autoptr (WlSlurmConf) d = parse_ok ("NodeName=n[1-3] CPUs=2\n", NULL);
  g_autoptr (SchedCluster) dl = wl_slurmconf_build_cluster (d, &error);
  g_assert_cmpuint (sched_cluster_n_partitions (dl), ==, 1);
  g_assert_cmpstr (sched_cluster_partition (dl, 0)->name, ==, "all");
  g_assert_cmpuint (sched_cluster_partition (dl, 0)->n_nodes, ==, 3);
  g_assert_cmpuint (sched_cluster_total_cpus (dl), ==, 6);

  /* no nodes: nothing to build */
  g_autoptr (WlSlurmConf) e = parse_ok ("ClusterName=x\n", NULL);
  g_assert_null (wl_slurmconf_build_cluster (e, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED);
  g_assert_cmpstr (error->message, ==, "x.conf: no NodeName line: the cluster has no nodes");
}

/* ---- globals and unknown keys ---------------------------------------------------------- */

static void
test_unknown_keys (void)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (WlSlurmConf) c = parse_ok (
    "FooBar=1\n"
    "foobar=2 SlurmUser=slurm\n"                          /* same key, other case: once */
    "NodeName=n1 CPUs=2 Sparkle=yes\n"
    "NodeName=DEFAULT Glitter=1\n"
    "NodeName=n2\n"                                        /* Glitter from DEFAULT: once */
    "PartitionName=p Nodes=ALL Sparkle=no Shiny=1\n", warnings);
  g_assert_cmpuint (warnings->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, "x.conf:1: unknown key \"FooBar\" (kept)");
  g_assert_cmpstr (g_ptr_array_index (warnings, 1), ==, "x.conf:3: unknown key \"Sparkle\" (kept)");
  g_assert_cmpstr (g_ptr_array_index (warnings, 2), ==, "x.conf:4: unknown key \"Glitter\" (kept)");
  g_assert_cmpstr (g_ptr_array_index (warnings, 3), ==, "x.conf:6: unknown key \"Shiny\" (kept)");
  const char *const *all = wl_slurmconf_warnings (c);
  g_assert_cmpuint (g_strv_length ((char **) all), ==, 4);
  /* kept and readable back */
  g_assert_cmpstr (wl_slurmconf_get (c, "FOOBAR"), ==, "2");
  g_autofree const char **both = wl_slurmconf_get_all (c, "foobar");
  g_assert_cmpuint (g_strv_length ((char **) both), ==, 2);
  g_assert_cmpstr (both[0], ==, "1");
  const char *file = NULL;
  guint line = 0;
  g_assert_true (wl_slurmconf_get_location (c, "FooBar", &file, &line));
  g_assert_cmpstr (file, ==, "x.conf");
  g_assert_cmpuint (line, ==, 2);
  g_assert_false (wl_slurmconf_get_location (c, "Nope", &file, &line));
  const char *v = NULL;
  g_assert_true (wl_param_list_lookup (wl_slurmconf_node (c, 0)->settings, "sparkle", &v));
  g_assert_cmpstr (v, ==, "yes");
  g_assert_true (wl_param_list_lookup (wl_slurmconf_node (c, 1)->settings, "Glitter", &v));
  g_assert_true (wl_param_list_lookup (wl_slurmconf_partition (c, 0)->settings, "Shiny", &v));
  g_assert_cmpuint (wl_param_list_length (wl_slurmconf_globals (c)), ==, 3);
}

static void
test_warnings_to_stderr (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (WlSlurmConf) c = wl_slurmconf_parse ("Foo=1\nFoo=2\n", -1, "w.conf", NULL,
                                                      &error);
      g_assert_no_error (error);
      g_assert_nonnull (c);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("sluice: warning: w.conf:1: unknown key \"Foo\" (kept)\n");
}

static void
test_typed_getters (void)
{
  g_autoptr (WlSlurmConf) c = parse_ok (
    "MyInt=12\nMyTime=1-0\nMyFlag=yes\nBadInt=x\nBadTime=1:2:3:4\nBadFlag=perhaps\n"
    "MaxJobCount=5000\n", NULL);
  gint64 i = -1, t = -1;
  gboolean b = FALSE;
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_slurmconf_get_int (c, "myint", &i, &error));
  g_assert_cmpint (i, ==, 12);
  g_assert_true (wl_slurmconf_get_int (c, "MaxJobCount", &i, &error));
  g_assert_cmpint (i, ==, 5000);
  g_assert_true (wl_slurmconf_get_time (c, "MyTime", &t, &error));
  g_assert_cmpint (t, ==, 86400);
  g_assert_true (wl_slurmconf_get_bool (c, "MyFlag", &b, &error));
  g_assert_true (b);
  i = 77;
  g_assert_true (wl_slurmconf_get_int (c, "Absent", &i, &error));   /* untouched */
  g_assert_cmpint (i, ==, 77);
  g_assert_false (wl_slurmconf_get_int (c, "BadInt", &i, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  assert_contains (error->message, "x.conf:4: BadInt: expected an integer");
  g_clear_error (&error);
  g_assert_false (wl_slurmconf_get_time (c, "BadTime", &t, &error));
  assert_contains (error->message, "x.conf:5: BadTime: bad time \"1:2:3:4\"");
  g_clear_error (&error);
  g_assert_false (wl_slurmconf_get_bool (c, "BadFlag", &b, &error));
  assert_contains (error->message, "x.conf:6: BadFlag: expected YES or NO");
  g_clear_error (&error);

  /* defaults of the common keys */
  g_assert_cmpstr (wl_slurmconf_scheduler_type (c), ==, "sched/backfill");
  g_assert_cmpstr (wl_slurmconf_select_type (c), ==, "select/cons_tres");
  g_assert_cmpstr (wl_slurmconf_priority_type (c), ==, "priority/basic");
  g_assert_cmpuint (wl_param_list_length (wl_slurmconf_sched_params (c)), ==, 0);
  WlSlurmPriority p;
  wl_slurmconf_priority (c, &p);
  g_assert_cmpuint (p.weight_age, ==, 0);
  g_assert_cmpint (p.decay_half_life, ==, 7 * 86400);
  g_assert_cmpint (p.max_age, ==, 7 * 86400);
  g_assert_cmpint (p.calc_period, ==, 300);
  g_assert_false (p.favor_small);
  g_assert_cmpstr (p.usage_reset_period, ==, "NONE");
  g_assert_null (p.weight_tres);
}

/* ---- errors ---------------------------------------------------------------------------- */

static void
test_errors (void)
{
  static const struct { const char *text; gint code; const char *msg; } cases[] = {
    { "NodeName=n1 CPUs\n", WL_ERROR_MALFORMED, "x.conf:1: expected Key=Value, found \"CPUs\"" },
    { "# c\n\nJustAWord\n", WL_ERROR_MALFORMED,
      "x.conf:3: expected Key=Value, found \"JustAWord\"" },
    { "=5\n", WL_ERROR_MALFORMED, "x.conf:1: expected Key=Value, found \"=5\"" },
    { "Key=\n", WL_ERROR_MALFORMED, "x.conf:1: Key: expected a value after '='" },
    { "Key=\"abc\n", WL_ERROR_MALFORMED, "x.conf:1: Key: unterminated quote" },
    { "Key=\"a\"b\n", WL_ERROR_MALFORMED,
      "x.conf:1: Key: expected a blank after the closing quote" },
    { "NodeName=n1 CPUs=abc\n", WL_ERROR_MALFORMED,
      "x.conf:1: CPUs: expected an integer from 1 to 4294967294, got \"abc\"" },
    { "NodeName=n1 CPUs=0\n", WL_ERROR_MALFORMED, "x.conf:1: CPUs: expected an integer from 1" },
    { "NodeName=n1 RealMemory=1G\n", WL_ERROR_MALFORMED,
      "x.conf:1: RealMemory: expected an integer" },
    { "NodeName=n1 Weight=-1\n", WL_ERROR_MALFORMED, "x.conf:1: Weight: expected an integer" },
    { "NodeName=n1 State=SLEEPY\n", WL_ERROR_MALFORMED,
      "x.conf:1: State: expected UNKNOWN, IDLE, DOWN, DRAIN, FAIL, FAILING, FUTURE or CLOUD, "
      "got \"SLEEPY\"" },
    { "NodeName=n1 Gres=gpu::2\n", WL_ERROR_MALFORMED,
      "x.conf:1: Gres: expected name[:type][:count] items (\"gpu:a100:8\"), got \"gpu::2\"" },
    { "NodeName=n1 Gres=gpu:99999999999\n", WL_ERROR_MALFORMED, "x.conf:1: Gres: too many GPUs" },
    { "NodeName=n[5-3]\n", WL_ERROR_MALFORMED,
      "x.conf:1: NodeName: bad range \"n[5-3]\": start 5 is after end 3" },
    { "NodeName=n[1-3\n", WL_ERROR_MALFORMED,
      "x.conf:1: NodeName: unbalanced bracket in \"n[1-3\"" },
    { "NodeName=n[1-2000000]\n", WL_ERROR_UNSUPPORTED,
      "x.conf:1: NodeName: hostlist \"n[1-2000000]\" has more than 1000000 hosts" },
    { "NodeName=n1\nNodeName=n[0-2]\n", WL_ERROR_MALFORMED,
      "x.conf:2: node \"n1\" is already defined at x.conf:1" },
    { "NodeName=n1 Sockets=65536 CoresPerSocket=65536 ThreadsPerCore=2\n", WL_ERROR_MALFORMED,
      "x.conf:1: NodeName=n1: Sockets x CoresPerSocket x ThreadsPerCore is too large" },
    { "NodeName=n1\nPartitionName=p Nodes=n[1-2]\n", WL_ERROR_MALFORMED,
      "x.conf:2: PartitionName=p Nodes: node \"n2\" is not defined" },
    { "PartitionName=p Nodes=n[1-\n", WL_ERROR_MALFORMED, "x.conf:1: Nodes: unbalanced bracket" },
    { "PartitionName=p\nPartitionName=p\n", WL_ERROR_MALFORMED,
      "x.conf:2: partition \"p\" is already defined at x.conf:1" },
    { "PartitionName=p MaxTime=1:2:3:4\n", WL_ERROR_MALFORMED,
      "x.conf:1: MaxTime: bad time \"1:2:3:4\"" },
    { "PartitionName=DEFAULT DefaultTime=soon\n", WL_ERROR_MALFORMED,
      "x.conf:1: DefaultTime: bad time \"soon\"" },
    { "PartitionName=p Default=maybe\n", WL_ERROR_MALFORMED,
      "x.conf:1: Default: expected YES or NO, got \"maybe\"" },
    { "PartitionName=p MaxNodes=lots\n", WL_ERROR_MALFORMED,
      "x.conf:1: MaxNodes: expected an integer" },
    { "PartitionName=p State=OPEN\n", WL_ERROR_MALFORMED,
      "x.conf:1: State: expected UP, DOWN, DRAIN or INACTIVE, got \"OPEN\"" },
    { "PartitionName=p OverSubscribe=SOMETIMES\n", WL_ERROR_MALFORMED,
      "x.conf:1: OverSubscribe: expected NO, EXCLUSIVE, YES[:N] or FORCE[:N], got \"SOMETIMES\"" },
    { "PartitionName=p OverSubscribe=NO:2\n", WL_ERROR_MALFORMED, "OverSubscribe: expected NO" },
    { "PartitionName=p Hidden=perhaps\n", WL_ERROR_MALFORMED,
      "x.conf:1: Hidden: expected YES or NO" },
    { "PriorityWeightAge=abc\n", WL_ERROR_MALFORMED,
      "x.conf:1: PriorityWeightAge: expected an integer from 0 to 4294967295, got \"abc\"" },
    { "PriorityDecayHalfLife=7days\n", WL_ERROR_MALFORMED,
      "x.conf:1: PriorityDecayHalfLife: bad time \"7days\"" },
    { "PriorityFavorSmall=sure\n", WL_ERROR_MALFORMED,
      "x.conf:1: PriorityFavorSmall: expected YES or NO" },
    { "PriorityUsageResetPeriod=SOMETIMES\n", WL_ERROR_MALFORMED,
      "x.conf:1: PriorityUsageResetPeriod: expected NONE, NOW, DAILY, WEEKLY, MONTHLY, QUARTERLY "
      "or YEARLY, got \"SOMETIMES\"" },
    { "SchedulerParameters=bf_window=abc\n", WL_ERROR_MALFORMED,
      "x.conf:1: SchedulerParameters: bf_window: expected an integer >= 0" },
    { "SchedulerParameters=bf_continue,=3\n", WL_ERROR_MALFORMED,
      "x.conf:1: SchedulerParameters: bad parameter \"=3\"" },
    { "SlurmctldPort=70000\n", WL_ERROR_MALFORMED,
      "x.conf:1: SlurmctldPort: expected a port or a range of ports (6817-6820), got \"70000\"" },
    { "SlurmctldPort=6820-6817\n", WL_ERROR_MALFORMED, "SlurmctldPort: expected a port" },
    { "DownNodes=zz\n", WL_ERROR_MALFORMED, "x.conf:1: DownNodes: node \"zz\" is not defined" },
    { "DownNodes=n1 State=NAPPING\n", WL_ERROR_MALFORMED, "x.conf:1: State: expected UNKNOWN" },
    { "NodeSet=s\n", WL_ERROR_MALFORMED,
      "x.conf:1: NodeSet=s: expected Nodes=LIST or Feature=NAME" },
    { "NodeSet=s Nodes=q1\n", WL_ERROR_MALFORMED,
      "x.conf:1: NodeSet=s: node \"q1\" is not defined" },
    { "NodeName=n1 \\\n  CPUs=x\n", WL_ERROR_MALFORMED, "x.conf:1: CPUs: expected an integer" },
    { "NodeName=DEFAULT CPUs=x\nNodeName=n1\n", WL_ERROR_MALFORMED, "x.conf:1: CPUs:" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      parse_err (cases[i].text, cases[i].code, cases[i].msg);
    }
  /* a NUL byte in the text */
  g_autoptr (GPtrArray) sink = g_ptr_array_new_with_free_func (g_free);
  WlSlurmConfOptions opts = { collect_warning, sink };
  g_autoptr (GError) error = NULL;
  g_assert_null (wl_slurmconf_parse ("A=1\nB=\0\n", 7, "x.conf", &opts, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  assert_contains (error->message, "x.conf:2: unexpected NUL byte");
}

/* ---- the realistic cluster ------------------------------------------------------------- */

static void
test_cluster_conf (void)
{
  g_test_summary ("tests/data/conf/cluster.conf: 16 CPU nodes (default partition cpu) and 4 "
                  "nodes with 8 A100 each (partition gpu), read through Include.");
  g_autofree char *path = conf_data ("cluster.conf");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  WlSlurmConfOptions opts = { collect_warning, warnings };
  g_autoptr (GError) error = NULL;
  g_autoptr (WlSlurmConf) c = wl_slurmconf_load (path, &opts, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (warnings->len, ==, 1);
  assert_contains (g_ptr_array_index (warnings, 0), "cluster.conf:23: unknown key "
                   "\"SiteLocalThing\" (kept)");
  g_assert_cmpstr (wl_slurmconf_get (c, "sitelocalthing"), ==, "42");

  g_assert_cmpstr (wl_slurmconf_cluster_name (c), ==, "testcluster");
  g_autofree const char **ctl = wl_slurmconf_get_all (c, "SlurmctldHost");
  g_assert_cmpuint (g_strv_length ((char **) ctl), ==, 2);
  g_assert_cmpstr (ctl[0], ==, "ctl1(10.0.0.1)");
  g_assert_cmpstr (wl_slurmconf_get (c, "StateSaveLocation"), ==, "/var/spool/slurm ctld");
  g_assert_cmpstr (wl_slurmconf_get (c, "SlurmctldPort"), ==, "6817-6818");
  g_assert_cmpstr (wl_slurmconf_scheduler_type (c), ==, "sched/backfill");
  g_assert_cmpstr (wl_slurmconf_select_type (c), ==, "select/cons_tres");
  g_assert_cmpstr (wl_slurmconf_get (c, "SelectTypeParameters"), ==, "CR_Core_Memory");
  g_assert_cmpstr (wl_slurmconf_priority_type (c), ==, "priority/multifactor");
  const WlParamList *sp = wl_slurmconf_sched_params (c);
  g_autofree char *sps = wl_param_list_to_string (sp);
  g_assert_cmpstr (sps, ==, "bf_window=2880,bf_resolution=600,bf_continue,default_queue_depth=200");
  WlSlurmPriority p;
  wl_slurmconf_priority (c, &p);
  g_assert_cmpuint (p.weight_age, ==, 1000);
  g_assert_cmpuint (p.weight_fairshare, ==, 10000);
  g_assert_cmpuint (p.weight_job_size, ==, 500);
  g_assert_cmpuint (p.weight_partition, ==, 2000);
  g_assert_cmpuint (p.weight_qos, ==, 3000);
  g_assert_cmpint (p.decay_half_life, ==, 14 * 86400);
  g_assert_cmpint (p.max_age, ==, 7 * 86400);
  g_assert_false (p.favor_small);
  g_assert_cmpstr (p.usage_reset_period, ==, "MONTHLY");

  g_assert_cmpuint (wl_slurmconf_n_nodes (c), ==, 20);
  const WlSlurmNode *c1 = wl_slurmconf_node (c, 0), *g4 = wl_slurmconf_node (c, 19);
  g_assert_cmpstr (c1->name, ==, "c001");
  g_assert_cmpuint (c1->cpus, ==, 32);
  g_assert_cmpuint (c1->real_memory_mb, ==, 192000);
  g_assert_cmpuint (c1->weight, ==, 10);
  g_assert_true (g_strv_contains ((const char *const *) c1->features, "skylake"));
  g_assert_true (g_str_has_suffix (c1->file, "nodes.conf"));
  g_assert_cmpstr (g4->name, ==, "g04");
  g_assert_cmpuint (g4->cpus, ==, 48);
  g_assert_cmpuint (g4->cores_per_socket, ==, 24);
  g_assert_cmpuint (g4->real_memory_mb, ==, 512000);
  g_assert_cmpuint (g4->gpus, ==, 8);
  g_assert_cmpstr (g4->gpu_type, ==, "a100");
  g_assert_cmpuint (g4->weight, ==, 100);
  g_assert_cmpstr (g4->features[0], ==, "gpu");

  g_assert_cmpuint (wl_slurmconf_n_partitions (c), ==, 3);
  const WlSlurmPartition *cpu = wl_slurmconf_partition (c, 0),
                         *gpu = wl_slurmconf_partition (c, 1),
                         *all = wl_slurmconf_partition (c, 2);
  g_assert_cmpint (wl_slurmconf_default_partition (c), ==, 0);
  g_assert_true (cpu->is_default);
  g_assert_cmpint (cpu->max_time, ==, 2 * 86400);
  g_assert_cmpint (cpu->default_time, ==, 3600);
  g_assert_cmpuint (cpu->max_nodes, ==, 8);
  g_assert_cmpint (gpu->max_time, ==, 86400);
  g_assert_cmpstr (gpu->qos, ==, "gpu_qos");
  g_assert_cmpuint (gpu->priority_tier, ==, 2);
  g_assert_cmpstr (gpu->allow_accounts[0], ==, "ml");
  g_assert_cmpint (all->max_time, ==, WL_TIME_UNLIMITED);
  g_assert_cmpint (all->state, ==, WL_PART_STATE_INACTIVE);

  g_autoptr (SchedCluster) cl = wl_slurmconf_build_cluster (c, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_n_nodes (cl), ==, 20);
  g_assert_cmpuint (sched_cluster_total_cpus (cl), ==, 16 * 32 + 4 * 48);
  g_assert_cmpuint (sched_cluster_total_gpus (cl), ==, 32);
  g_assert_false (sched_cluster_is_uniform (cl));
  guint64 mem = 0;
  for (guint32 i = 0; i < sched_cluster_n_nodes (cl); i++)
    mem += sched_cluster_node (cl, i)->mem_mb;
  g_assert_cmpuint (mem, ==, 16 * G_GUINT64_CONSTANT (192000) + 4 * G_GUINT64_CONSTANT (512000));
  gint32 gi = sched_cluster_find_node (cl, "g02");
  g_assert_cmpint (gi, ==, 17);
  const SchedNodeSpec *gn = sched_cluster_node (cl, (guint32) gi);
  g_assert_cmpuint (gn->gpus, ==, 8);
  g_assert_cmpstr (sched_cluster_gpu_type_name (cl, gn->gpu_type), ==, "a100");
  g_assert_cmpuint (gn->weight, ==, 100);
  g_assert_cmpuint (sched_cluster_node (cl, 0)->weight, ==, 10);
  g_assert_cmpuint (sched_cluster_n_partitions (cl), ==, 3);
  g_assert_cmpint (sched_cluster_default_partition (cl), ==, 0);
  const SchedPartitionSpec *pc = sched_cluster_partition (cl, 0);
  g_assert_cmpstr (pc->name, ==, "cpu");
  g_assert_cmpuint (pc->n_nodes, ==, 16);
  g_assert_cmpint (pc->max_time, ==, 172800);
  g_assert_cmpint (pc->default_time, ==, 3600);
  g_assert_cmpuint (pc->max_nodes, ==, 8);
  gint32 gpi = sched_cluster_find_partition (cl, "gpu");
  const SchedPartitionSpec *pg = sched_cluster_partition (cl, gpi);
  g_assert_cmpuint (pg->n_nodes, ==, 4);
  g_assert_cmpuint (pg->nodes[0], ==, 16);
  g_assert_cmpuint (pg->max_nodes, ==, 0);
  g_assert_cmpuint (sched_cluster_partition (cl, 2)->n_nodes, ==, 20);
  g_assert_cmpint (sched_cluster_partition (cl, 2)->max_time, ==, SCHED_TIME_NEVER);
}

/* ---- end to end ------------------------------------------------------------------------ */

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_sluice (Run *r, const char *const *args)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) bin);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  int wait_status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &r->out, &r->err, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  r->status = WEXITSTATUS (wait_status);
  if (r->status != 0)
    g_test_message ("exit %d, stderr:\n%s", r->status, r->err);
}

static void
run_clear (Run *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

static void
test_cli (void)
{
  if (g_getenv ("SLUICE_BIN") == NULL)
    {
      g_test_skip ("SLUICE_BIN is not set (run through meson test)");
      return;
    }
  g_autofree char *conf = conf_data ("cluster.conf");
  g_autofree char *trace = g_test_build_filename (G_TEST_DIST, "data", "tiny.swf", NULL);
  g_autoptr (TmpDir) t = tmpdir_new ();
  g_autofree char *out = g_build_filename (t->path, "run", NULL);
  Run r = { 0 };
  run_sluice (&r, (const char *const[]) { "sim", "--cluster", conf, "--trace", trace, "--out", out,
                                          "--sched-params", "bf_window=60,bf_resolution=600",
                                          NULL });
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.err, "cluster.conf:23: unknown key \"SiteLocalThing\" (kept)");
  assert_contains (r.out, "jobs         7 (7 started)");
  g_autofree char *csv_path = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) rows = g_strsplit (g_strstrip (csv), "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 1 + 7);
  for (guint i = 1; rows[i]; i++)
    g_assert_null (strstr (rows[i], "CANCELLED"));
  g_remove (csv_path);
  g_remove (summary);
  g_rmdir (out);
  run_clear (&r);

  run_sluice (&r, (const char *const[]) { "sim", "--cluster", conf, "--procs", "8", "--trace",
                                          trace, NULL });
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "give --cluster or --procs/--nodes, not both");
  run_clear (&r);

  run_sluice (&r, (const char *const[]) { "sim", "--cluster", conf, "--sched-params",
                                          "bf_window=soon", "--trace", trace, NULL });
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "--sched-params: bf_window: expected an integer >= 0, got \"soon\"");
  run_clear (&r);

  const char *bad = tmpdir_write (t, "bad.conf", "NodeName=n[1-4] CPUs=4\n"
                                  "PartitionName=p Nodes=n[1-5] Default=YES\n");
  run_sluice (&r, (const char *const[]) { "sim", "--cluster", bad, "--trace", trace, NULL });
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "bad.conf:2: PartitionName=p Nodes: node \"n5\" is not defined");
  run_clear (&r);

  run_sluice (&r, (const char *const[]) { "sim", "--help", NULL });
  g_assert_cmpint (r.status, ==, 0);
  assert_contains (r.out, "--cluster");
  assert_contains (r.out, "--sched-params");
  run_clear (&r);
}

/* ---- robustness ------------------------------------------------------------------------ */

static void
test_garbage (void)
{
  g_test_summary ("Random lines built from conf fragments never crash the reader: each text "
                  "loads (and builds) or fails with a message.");
  static const char *const frags[] = {
    "NodeName=", "PartitionName=", "DEFAULT", "n[1-3]", "n[", "]", " CPUs=", "4", "0", "x",
    " Gres=", "gpu:a100:2", "gpu::", " Nodes=", "ALL", " MaxTime=", "1-0", "1:2:3:4",
    " State=", "DOWN", "\"", "\\", "\n", "#", " ", "=", "DownNodes=", "NodeSet=s",
    " Feature=", "f", "Include ", "SchedulerParameters=", "bf_window=", ",", "Default=YES",
    " Sockets=", "CoresPerSocket=", "65536",
  };
  for (int round = 0; round < 2000; round++)
    {
      GString *s = g_string_new (NULL);
      int n = g_test_rand_int_range (0, 24);
      for (int i = 0; i < n; i++)
        g_string_append (s, frags[g_test_rand_int_range (0, G_N_ELEMENTS (frags))]);
      g_autoptr (GPtrArray) sink = g_ptr_array_new_with_free_func (g_free);
      WlSlurmConfOptions opts = { collect_warning, sink };
      g_autoptr (GError) error = NULL;
      g_autoptr (WlSlurmConf) c = wl_slurmconf_parse (s->str, (gssize) s->len, "g.conf", &opts,
                                                     &error);
      g_assert_true ((c == NULL) != (error == NULL));
      if (c && wl_slurmconf_n_nodes (c) > 0)
        {
          g_autoptr (SchedCluster) cl = wl_slurmconf_build_cluster (c, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (sched_cluster_n_nodes (cl), ==, wl_slurmconf_n_nodes (c));
        }
      else if (error)
        g_assert_true (g_str_has_prefix (error->message, "g.conf:"));
      g_string_free (s, TRUE);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/slurmconf/time", test_time);
  g_test_add_func ("/wl/slurmconf/bool-int", test_bool_int);
  g_test_add_func ("/wl/slurmconf/gres", test_gres);
  g_test_add_func ("/wl/slurmconf/param-list", test_param_list);
  g_test_add_func ("/wl/slurmconf/syntax", test_syntax);
  g_test_add_func ("/wl/slurmconf/include", test_include);
  g_test_add_func ("/wl/slurmconf/node-defaults", test_node_defaults);
  g_test_add_func ("/wl/slurmconf/node-cpus", test_node_cpus);
  g_test_add_func ("/wl/slurmconf/node-gres", test_node_gres);
  g_test_add_func ("/wl/slurmconf/node-states", test_node_states);
  g_test_add_func ("/wl/slurmconf/partitions", test_partitions);
  g_test_add_func ("/wl/slurmconf/partition-default-rules", test_partition_default_rules);
  g_test_add_func ("/wl/slurmconf/unknown-keys", test_unknown_keys);
  g_test_add_func ("/wl/slurmconf/warnings-to-stderr", test_warnings_to_stderr);
  g_test_add_func ("/wl/slurmconf/typed-getters", test_typed_getters);
  g_test_add_func ("/wl/slurmconf/errors", test_errors);
  g_test_add_func ("/wl/slurmconf/cluster-conf", test_cluster_conf);
  g_test_add_func ("/wl/slurmconf/cli", test_cli);
  g_test_add_func ("/wl/slurmconf/garbage", test_garbage);
  return g_test_run ();
}
