/* SPDX-License-Identifier: MIT */
/* tests/sim/test-cli.c - the `sluice` front end, run as a subprocess (SLUICE_BIN).
 *
 *  - golden: tests/data/tiny.swf (8 processors, 9 records: a waiting job, an EASY backfill,
 *    a TIMEOUT, requested time -1, run time -1, status 0 and a malformed line) replayed
 *    under fcfs, easy and conservative gives exactly tests/data/expected/tiny-<policy>.csv.
 *    The schedules are worked out by hand in the header of tiny.swf.  tiny.swf has no
 *    same-time arrival and completion, so --tie-order and --pass must not change them.
 *  - summary.json of the easy run: counts and metrics, recomputed by hand from the schedule.
 *  - determinism: the same command gives the same jobs.csv for every policy, tie order and
 *    pass mode on a generated trace; `sluice gen` is a function of its seed.
 *  - errors: exit statuses and messages of bad command lines and bad inputs.
 *  - `sluice demo`: the table and the files it writes.
 *
 * Data are found through G_TEST_SRCDIR (tests/, set by tests/meson.build).  To run the
 * program by hand: SLUICE_BIN=build/sluice G_TEST_SRCDIR=tests build/tests/sim_test_cli */
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>
#include <sys/wait.h>

static const char *sluice_bin;

/* ---- helpers ------------------------------------------------------------------------- */

typedef struct {
  int   status;     /* exit status, or -1 if killed by a signal */
  int   signal;     /* the signal, if any */
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

/* Runs `sluice args...` (NULL-terminated) in `cwd` (NULL: the current directory). */
static void
run_sluice_v (Run *r, const char *cwd, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) sluice_bin);
  for (gsize i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_autofree char *cmdline = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("run: %s", cmdline);

  memset (r, 0, sizeof *r);
  int wait_status = 0;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_spawn_sync (cwd, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                              &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  if (WIFEXITED (wait_status))
    {
      r->status = WEXITSTATUS (wait_status);
      r->signal = 0;
    }
  else
    {
      r->status = -1;
      r->signal = WIFSIGNALED (wait_status) ? WTERMSIG (wait_status) : -1;
      g_test_message ("%s: killed by signal %d; stderr:\n%s", cmdline, r->signal, r->err);
    }
}

#define run_sluice(r, cwd, ...)                                                          \
  run_sluice_v ((r), (cwd), (const char *const[]) { __VA_ARGS__, NULL })

/* Asserts a clean exit 0, showing stderr otherwise. */
static void
assert_success (const Run *r)
{
  if (r->status != 0)
    g_test_message ("exit status %d (signal %d); stderr:\n%s", r->status, r->signal, r->err);
  g_assert_cmpint (r->signal, ==, 0);
  g_assert_cmpint (r->status, ==, 0);
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    {
      g_test_message ("expected to find \"%s\" in:\n%s", needle, haystack);
      g_assert_nonnull (strstr (haystack, needle));
    }
}

static char *
data_path (const char *first, ...)
{
  /* G_TEST_DIST is tests/ (G_TEST_SRCDIR from tests/meson.build). */
  va_list ap;
  va_start (ap, first);
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  g_ptr_array_add (parts, (gpointer) g_test_get_dir (G_TEST_DIST));
  g_ptr_array_add (parts, (gpointer) "data");
  for (const char *p = first; p; p = va_arg (ap, const char *))
    g_ptr_array_add (parts, (gpointer) p);
  va_end (ap);
  g_ptr_array_add (parts, NULL);
  char *path = g_build_filenamev ((char **) parts->pdata);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("test data %s not found: set G_TEST_SRCDIR to the tests/ folder", path);
  return path;
}

static char *
read_file (const char *path)
{
  char *text = NULL;
  g_autoptr (GError) error = NULL;
  if (!g_file_get_contents (path, &text, NULL, &error))
    g_test_message ("cannot read %s: %s", path, error->message);
  g_assert_no_error (error);
  return text;
}

/* Compares two files byte for byte; on a mismatch prints the differing lines (up to 20)
 * as "-expected" / "+actual" and fails the test.  Returns TRUE if they are equal. */
static gboolean
compare_files (const char *expected_path, const char *actual_path)
{
  g_autofree char *exp = read_file (expected_path);
  g_autofree char *act = read_file (actual_path);
  if (strcmp (exp, act) == 0)
    return TRUE;
  g_auto (GStrv) el = g_strsplit (exp, "\n", -1);
  g_auto (GStrv) al = g_strsplit (act, "\n", -1);
  guint ne = g_strv_length (el), na = g_strv_length (al);
  GString *msg = g_string_new (NULL);
  g_string_append_printf (msg, "--- %s (expected)\n+++ %s (actual)\n", expected_path,
                          actual_path);
  guint shown = 0;
  for (guint i = 0; i < MAX (ne, na) && shown < 20; i++)
    {
      const char *e = i < ne ? el[i] : NULL, *a = i < na ? al[i] : NULL;
      if (g_strcmp0 (e, a) == 0)
        continue;
      g_string_append_printf (msg, "@@ line %u @@\n", i + 1);
      if (e)
        g_string_append_printf (msg, "-%s\n", e);
      if (a)
        g_string_append_printf (msg, "+%s\n", a);
      shown++;
    }
  g_test_message ("%s", msg->str);
  g_string_free (msg, TRUE);
  g_test_fail ();
  return FALSE;
}

static gboolean
files_equal (const char *a, const char *b)
{
  g_autofree char *x = read_file (a);
  g_autofree char *y = read_file (b);
  return strcmp (x, y) == 0;
}

static void
rm_rf (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      GDir *d = g_dir_open (path, 0, NULL);
      if (d)
        {
          const char *name;
          while ((name = g_dir_read_name (d)) != NULL)
            {
              g_autofree char *child = g_build_filename (path, name, NULL);
              rm_rf (child);
            }
          g_dir_close (d);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

typedef struct {
  char *dir;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("sluice-test-cli-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  (void) data;
  rm_rf (f->dir);
  g_free (f->dir);
}

/* The 1-based number of the malformed line of tiny.swf (the record of job 7). */
static guint
tiny_malformed_line (const char *tiny)
{
  g_autofree char *text = read_file (tiny);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "7 "))
      return i + 1;
  g_error ("%s: no record for job 7", tiny);
  return 0;
}

/* ---- 1. golden schedules --------------------------------------------------------------- */

static const char *const policies[] = { "fcfs", "easy", "conservative" };

static void
test_golden (Fixture *f, gconstpointer data)
{
  const char *policy = data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  g_autofree char *expected_name = g_strdup_printf ("tiny-%s.csv", policy);
  g_autofree char *expected = data_path ("expected", expected_name, NULL);
  g_autofree char *out = g_build_filename (f->dir, policy, NULL);
  g_autofree char *csv = g_build_filename (out, "jobs.csv", NULL);

  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--policy", policy, "--out", out, "--quiet");
  assert_success (&r);
  g_assert_cmpstr (r.out, ==, "");   /* --quiet */
  /* The malformed line is skipped with a warning naming the file and line. */
  g_autofree char *where = g_strdup_printf ("tiny.swf:%u: field 4 (run time)",
                                            tiny_malformed_line (tiny));
  assert_contains (r.err, where);
  run_clear (&r);
  compare_files (expected, csv);
}

/* tiny.swf has no arrival and completion at the same time and the same-time completions
 * (fcfs: 8, 9 at 220; easy/conservative: 1, 9 at 100) unblock nothing between them, so
 * neither --tie-order nor --pass may change the schedule. */
static void
test_golden_variants (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  static const char *const ties[] = { "completions-first", "arrivals-first" };
  static const char *const passes[] = { "per-time", "per-event" };
  for (gsize p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      g_autofree char *expected_name = g_strdup_printf ("tiny-%s.csv", policies[p]);
      g_autofree char *expected = data_path ("expected", expected_name, NULL);
      for (gsize t = 0; t < G_N_ELEMENTS (ties); t++)
        for (gsize m = 0; m < G_N_ELEMENTS (passes); m++)
          {
            g_autofree char *sub = g_strdup_printf ("%s-%s-%s", policies[p], ties[t], passes[m]);
            g_autofree char *out = g_build_filename (f->dir, sub, NULL);
            g_autofree char *csv = g_build_filename (out, "jobs.csv", NULL);
            Run r;
            run_sluice (&r, NULL, "sim", "--trace", tiny, "--policy", policies[p],
                        "--tie-order", ties[t], "--pass", passes[m], "--out", out, "--quiet");
            assert_success (&r);
            run_clear (&r);
            compare_files (expected, csv);
          }
    }
}

/* ---- 2. summary.json -------------------------------------------------------------------- */

static json_t *
load_json (const char *path)
{
  json_error_t jerr;
  json_t *root = json_load_file (path, 0, &jerr);
  if (root == NULL)
    g_test_message ("%s:%d: %s", path, jerr.line, jerr.text);
  g_assert_nonnull (root);
  g_assert_true (json_is_object (root));
  return root;
}

/* Member `path` ("a.b"): asserts it exists. */
static json_t *
json_path (json_t *root, const char *path)
{
  g_auto (GStrv) keys = g_strsplit (path, ".", -1);
  json_t *v = root;
  for (guint i = 0; keys[i]; i++)
    {
      v = json_is_object (v) ? json_object_get (v, keys[i]) : NULL;
      if (v == NULL)
        g_test_message ("summary.json has no %s", path);
      g_assert_nonnull (v);
    }
  return v;
}

static json_int_t
get_int (json_t *root, const char *path)
{
  json_t *v = json_path (root, path);
  if (!json_is_integer (v))
    g_test_message ("summary.json: %s is not an integer", path);
  g_assert_true (json_is_integer (v));
  return json_integer_value (v);
}

static double
get_num (json_t *root, const char *path)
{
  json_t *v = json_path (root, path);
  if (!json_is_number (v))
    g_test_message ("summary.json: %s is not a number", path);
  g_assert_true (json_is_number (v));
  return json_number_value (v);
}

static void
test_summary (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  g_autofree char *out = g_build_filename (f->dir, "easy", NULL);
  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--policy", "easy", "--out", out, "--quiet");
  assert_success (&r);
  run_clear (&r);

  g_autofree char *path = g_build_filename (out, "summary.json", NULL);
  json_t *root = load_json (path);
  g_assert_cmpstr (json_string_value (json_path (root, "policy")), ==, "easy");
  g_assert_cmpstr (json_string_value (json_path (root, "trace")), ==, "tiny.swf");
  g_assert_true (json_is_integer (json_path (root, "jobs")));
  g_assert_cmpint (get_int (root, "jobs"), ==, 7);
  g_assert_cmpint (get_int (root, "skipped.no_runtime"), ==, 1);
  g_assert_cmpint (get_int (root, "skipped.malformed"), ==, 1);
  g_assert_cmpint (get_int (root, "skipped.no_size"), ==, 0);
  g_assert_cmpint (get_int (root, "adjusted.reqtime_from_runtime"), ==, 1);
  g_assert_cmpint (get_int (root, "states.COMPLETED"), ==, 5);
  g_assert_cmpint (get_int (root, "states.FAILED"), ==, 1);
  g_assert_cmpint (get_int (root, "states.TIMEOUT"), ==, 1);

  /* From tiny-easy.csv: first submit 0, last end 290; sum of cpus * run = 4*100 + 6*50 +
   * 2*30 + 8*50 + 2*200 + 1*20 + 1*20 = 1600 on 8 CPUs; waits 0 90 0 210 0 0 0;
   * responses 100 140 30 260 200 20 20; slowdowns 1 2.8 1 5.2 1 1 1. */
  g_assert_cmpint (get_int (root, "makespan_s"), ==, 290);
  double util = get_num (root, "utilization");
  g_assert_cmpfloat (util, >, 0.0);
  g_assert_cmpfloat (util, <=, 1.0);
  g_assert_cmpfloat_with_epsilon (util, 1600.0 / (8 * 290), 1e-6);
  g_assert_cmpfloat_with_epsilon (get_num (root, "wait_s.mean"), 300.0 / 7, 1e-3);
  g_assert_cmpfloat_with_epsilon (get_num (root, "wait_s.p50"), 0.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (get_num (root, "wait_s.max"), 210.0, 1e-9);
  g_assert_true (json_is_number (json_path (root, "wait_s.p95")));
  g_assert_cmpfloat_with_epsilon (get_num (root, "response_s.mean"), 110.0, 1e-3);
  g_assert_cmpfloat_with_epsilon (get_num (root, "response_s.max"), 260.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (get_num (root, "slowdown.mean"), 13.0 / 7, 1e-3);
  g_assert_cmpfloat_with_epsilon (get_num (root, "slowdown.max"), 5.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (get_num (root, "bounded_slowdown.max"), 5.2, 1e-9);
  g_assert_cmpfloat_with_epsilon (get_num (root, "tau_s"), 10.0, 1e-9);
  g_assert_true (json_is_number (json_path (root, "sim.wall_s")));
  g_assert_cmpint (get_int (root, "sim.events"), >, 0);
  g_assert_cmpint (get_int (root, "sim.passes"), >, 0);
  json_decref (root);
}

/* ---- 3. determinism --------------------------------------------------------------------- */

static void
test_gen_deterministic (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *a = g_build_filename (f->dir, "a.swf", NULL);
  g_autofree char *b = g_build_filename (f->dir, "b.swf", NULL);
  g_autofree char *c = g_build_filename (f->dir, "c.swf", NULL);
  Run r;
  run_sluice (&r, NULL, "gen", "--jobs", "3000", "--nodes", "64", "--seed", "5", "-o", a);
  assert_success (&r);
  run_clear (&r);
  run_sluice (&r, NULL, "gen", "--jobs", "3000", "--nodes", "64", "--seed", "5", "-o", b);
  assert_success (&r);
  run_clear (&r);
  run_sluice (&r, NULL, "gen", "--jobs", "3000", "--nodes", "64", "--seed", "6", "-o", c);
  assert_success (&r);
  run_clear (&r);
  compare_files (a, b);
  g_assert_false (files_equal (a, c));

  /* Standard output gives the same bytes as -o. */
  run_sluice (&r, NULL, "gen", "--jobs", "3000", "--nodes", "64", "--seed", "5");
  assert_success (&r);
  g_autofree char *text = read_file (a);
  g_assert_true (strcmp (r.out, text) == 0);
  run_clear (&r);
}

/* summary.json without the "sim" member (wall-clock figures). */
static json_t *
load_summary_sans_sim (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "summary.json", NULL);
  json_t *root = load_json (path);
  json_object_del (root, "sim");
  return root;
}

static void
test_sim_deterministic (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *trace = g_build_filename (f->dir, "g.swf", NULL);
  Run r;
  run_sluice (&r, NULL, "gen", "--jobs", "3000", "--nodes", "64", "--seed", "5", "-o", trace);
  assert_success (&r);
  run_clear (&r);

  static const char *const ties[] = { "completions-first", "arrivals-first" };
  static const char *const passes[] = { "per-time", "per-event" };
  for (gsize p = 0; p < G_N_ELEMENTS (policies); p++)
    for (gsize t = 0; t < G_N_ELEMENTS (ties); t++)
      for (gsize m = 0; m < G_N_ELEMENTS (passes); m++)
        {
          char *dirs[2], *csvs[2];
          for (int k = 0; k < 2; k++)
            {
              g_autofree char *sub = g_strdup_printf ("%s-%s-%s-%d", policies[p], ties[t],
                                                      passes[m], k);
              dirs[k] = g_build_filename (f->dir, sub, NULL);
              csvs[k] = g_build_filename (dirs[k], "jobs.csv", NULL);
              run_sluice (&r, NULL, "sim", "--trace", trace, "--policy", policies[p],
                          "--tie-order", ties[t], "--pass", passes[m], "--out", dirs[k],
                          "--quiet");
              assert_success (&r);
              run_clear (&r);
            }
          compare_files (csvs[0], csvs[1]);
          json_t *s0 = load_summary_sans_sim (dirs[0]);
          json_t *s1 = load_summary_sans_sim (dirs[1]);
          g_assert_cmpint (json_integer_value (json_object_get (s0, "jobs")), >, 0);
          g_assert_true (json_equal (s0, s1));
          json_decref (s0);
          json_decref (s1);
          for (int k = 0; k < 2; k++)
            {
              g_free (dirs[k]);
              g_free (csvs[k]);
            }
        }
}

/* ---- 4. errors -------------------------------------------------------------------------- */

static void
test_error_no_trace (void)
{
  Run r;
  run_sluice (&r, NULL, "sim", "--policy", "easy");
  g_assert_cmpint (r.signal, ==, 0);
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "--trace");
  run_clear (&r);
}

static void
test_error_unknown_policy (void)
{
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--policy", "sjf", "--quiet");
  g_assert_cmpint (r.signal, ==, 0);
  g_assert_cmpint (r.status, !=, 0);
  assert_contains (r.err, "sjf");
  assert_contains (r.err, "fcfs");
  assert_contains (r.err, "easy");
  assert_contains (r.err, "conservative");
  run_clear (&r);
}

static void
test_error_missing_file (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-trace.swf", NULL);
  g_autofree char *missing_gz = g_build_filename (f->dir, "no-such-trace.swf.gz", NULL);
  const char *paths[] = { missing, missing_gz };
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      Run r;
      run_sluice (&r, NULL, "sim", "--trace", paths[i], "--quiet");
      g_assert_cmpint (r.signal, ==, 0);
      g_assert_cmpint (r.status, !=, 0);
      assert_contains (r.err, paths[i]);
      run_clear (&r);
    }
}

static void
test_error_strict (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  g_autofree char *out = g_build_filename (f->dir, "strict", NULL);
  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--strict", "--out", out, "--quiet");
  g_assert_cmpint (r.signal, ==, 0);
  g_assert_cmpint (r.status, !=, 0);
  g_autofree char *where = g_strdup_printf ("tiny.swf:%u:", tiny_malformed_line (tiny));
  assert_contains (r.err, where);
  assert_contains (r.err, "field");
  run_clear (&r);
  /* a failed run leaves no truncated jobs.csv (nor its .part) behind */
  g_autofree char *csv = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *part = g_build_filename (out, "jobs.csv.part", NULL);
  g_assert_false (g_file_test (csv, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));
  /* node shape options without --nodes are refused, not ignored */
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--cpus-per-node", "4", "--quiet");
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "--nodes");
  run_clear (&r);
}

/* Random bytes must give a clean error or a clean (empty) run, never a signal. */
static void
test_error_garbage (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GRand) rng = g_rand_new_with_seed (20240611);
  static const char *const names[] = { "garbage.swf", "garbage.swf.gz" };
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      gsize n = 64 * 1024 + 17;
      g_autofree guint8 *bytes = g_malloc (n);
      for (gsize k = 0; k < n; k++)
        bytes[k] = (guint8) g_rand_int_range (rng, 0, 256);
      if (i == 1)
        {
          bytes[0] = 0x1f;      /* a gzip magic number before the garbage */
          bytes[1] = 0x8b;
          bytes[2] = 0x08;
        }
      g_autoptr (GError) error = NULL;
      g_file_set_contents (path, (const char *) bytes, (gssize) n, &error);
      g_assert_no_error (error);

      g_autofree char *out = g_build_filename (f->dir, "garbage-out", NULL);
      /* Without a header (machine size unknown), then with --procs. */
      for (int with_procs = 0; with_procs < 2; with_procs++)
        {
          Run r;
          if (with_procs)
            run_sluice (&r, NULL, "sim", "--trace", path, "--procs", "8", "--out", out,
                        "--quiet");
          else
            run_sluice (&r, NULL, "sim", "--trace", path, "--out", out, "--quiet");
          g_assert_cmpint (r.signal, ==, 0);
          g_assert_cmpint (r.status, >=, 0);
          g_assert_cmpint (r.status, <=, 1);
          if (r.status != 0)
            g_assert_cmpstr (r.err, !=, "");
          run_clear (&r);
        }
    }
}

static void
test_error_bad_choice (void)
{
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  const char *opts[] = { "--tie-order", "--pass", "--oversize" };
  for (gsize i = 0; i < G_N_ELEMENTS (opts); i++)
    {
      Run r;
      run_sluice (&r, NULL, "sim", "--trace", tiny, opts[i], "bogus", "--quiet");
      g_assert_cmpint (r.signal, ==, 0);
      g_assert_cmpint (r.status, ==, 2);
      assert_contains (r.err, opts[i]);
      assert_contains (r.err, "bogus");
      run_clear (&r);
    }
}

/* Policy options: each runs, the summary names the policy (and order); bad values say what
 * was expected. */
static void
test_policy_options (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  g_autofree char *out = g_build_filename (f->dir, "opts", NULL);
  g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
  static const char *const good[][5] = {
    { "--policy", "slurm", NULL },
    { "--policy", "slurm", "--sched-params", "bf_window=60,bf_resolution=600,bf_continue" },
    { "--order", "sjf", NULL },
    { "--order", "wfp3", "--estimate", "perfect" },
    { "--estimate", "factor:1.5", NULL },
    { "--estimate", "user-history", "--policy", "conservative" },
    { "--pass", "periodic", "--pass-period", "45" },
    { "--order", "priority", "--priority-params", "PriorityWeightAge=100,PriorityWeightFairshare=1000" },
  };
  static const char *const want_policy[] = {
    "\"slurm\"", "\"slurm\"", "\"easy+sjf\"", "\"easy+wfp3\"", "\"easy\"",
    "\"conservative\"", "\"easy\"", "\"easy+priority\"",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      const char *args[16] = { "sim", "--trace", tiny, "--out", out, "--quiet" };
      gsize n = 6;
      for (gsize k = 0; k < 4 && good[i][k]; k++)
        args[n++] = good[i][k];
      Run r;
      run_sluice_v (&r, NULL, args);
      assert_success (&r);
      run_clear (&r);
      g_autofree char *text = NULL;
      g_assert_true (g_file_get_contents (summary, &text, NULL, NULL));
      assert_contains (text, want_policy[i]);
      assert_contains (text, "\"jobs\": 7");
    }
  static const char *const bad[][3] = {
    { "--estimate", "factor:x", "factor" },
    { "--estimate", "perfect:2", "takes no value" },
    { "--estimate", "psychic", "--estimate" },
    { "--pass-period", "0", "--pass-period" },
    { "--sched-params", "bf_window=abc", "bf_window" },
  };
  {
    Run r2;
    run_sluice (&r2, NULL, "sim", "--trace", tiny, "--order", "priority", "--priority-params",
                "PriorityWeightAge=x", "--quiet");
    g_assert_cmpint (r2.status, ==, 1);
    assert_contains (r2.err, "PriorityWeightAge=x: expected a whole number");
    run_clear (&r2);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      Run r;
      run_sluice (&r, NULL, "sim", "--trace", tiny, bad[i][0], bad[i][1], "--quiet");
      g_assert_cmpint (r.signal, ==, 0);
      g_assert_cmpint (r.status, ==, 2);
      assert_contains (r.err, bad[i][2]);
      run_clear (&r);
    }
  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--order", "random", "--quiet");
  g_assert_cmpint (r.status, ==, 1);
  assert_contains (r.err, "unknown order");
  assert_contains (r.err, "unicef");
  run_clear (&r);
}

/* ---- 5. demo ---------------------------------------------------------------------------- */

static void
test_demo (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *dir = g_build_filename (f->dir, "demo", NULL);
  Run r;
  run_sluice (&r, NULL, "demo", "--jobs", "2000", "--out", dir);
  assert_success (&r);

  /* The table has one row per policy: name first, then the job count. */
  g_auto (GStrv) lines = g_strsplit (r.out, "\n", -1);
  for (gsize p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      gboolean found = FALSE;
      for (guint i = 0; lines[i] && !found; i++)
        {
          g_auto (GStrv) cells = g_strsplit_set (lines[i], " \t", -1);
          g_autoptr (GPtrArray) words = g_ptr_array_new ();
          for (guint k = 0; cells[k]; k++)
            if (*cells[k])
              g_ptr_array_add (words, cells[k]);
          found = words->len >= 2 && strcmp (words->pdata[0], policies[p]) == 0
                  && strcmp (words->pdata[1], "2000") == 0;
        }
      if (!found)
        g_test_message ("no table row for %s in:\n%s", policies[p], r.out);
      g_assert_true (found);
    }
  run_clear (&r);

  g_autofree char *workload = g_build_filename (dir, "workload.swf", NULL);
  g_assert_true (g_file_test (workload, G_FILE_TEST_IS_REGULAR));
  for (gsize p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      g_autofree char *csv = g_build_filename (dir, policies[p], "jobs.csv", NULL);
      g_autofree char *sum = g_build_filename (dir, policies[p], "summary.json", NULL);
      g_assert_true (g_file_test (csv, G_FILE_TEST_IS_REGULAR));
      g_assert_true (g_file_test (sum, G_FILE_TEST_IS_REGULAR));
      json_t *root = load_json (sum);
      g_assert_cmpstr (json_string_value (json_path (root, "policy")), ==, policies[p]);
      json_int_t jobs = get_int (root, "jobs");
      g_assert_cmpint (jobs, ==, 2000);
      json_decref (root);
      /* jobs.csv: a header and one row per job. */
      g_autofree char *text = read_file (csv);
      guint n_lines = 0;
      for (const char *c = text; *c; c++)
        n_lines += *c == '\n';
      g_assert_cmpuint (n_lines, ==, (guint) jobs + 1);
      g_assert_true (g_str_has_prefix (text, "id,user,group,submit,start,end,wait,state,"));
    }

  /* The workload is what `sluice gen` writes with the demo's defaults (256 nodes, seed 1). */
  g_autofree char *gen = g_build_filename (f->dir, "gen.swf", NULL);
  run_sluice (&r, NULL, "gen", "--jobs", "2000", "--nodes", "256", "--seed", "1", "-o", gen);
  assert_success (&r);
  run_clear (&r);
  compare_files (gen, workload);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sluice_bin = g_getenv ("SLUICE_BIN");
  if (sluice_bin == NULL || !g_file_test (sluice_bin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("SLUICE_BIN must name the sluice binary (tests/meson.build sets it)\n");
      return 1;
    }

  for (gsize p = 0; p < G_N_ELEMENTS (policies); p++)
    {
      g_autofree char *name = g_strdup_printf ("/cli/golden/%s", policies[p]);
      g_test_add (name, Fixture, policies[p], fixture_setup, test_golden, fixture_teardown);
    }
  g_test_add ("/cli/golden/variants", Fixture, NULL, fixture_setup, test_golden_variants,
              fixture_teardown);
  g_test_add ("/cli/summary", Fixture, NULL, fixture_setup, test_summary, fixture_teardown);
  g_test_add ("/cli/determinism/gen", Fixture, NULL, fixture_setup, test_gen_deterministic,
              fixture_teardown);
  g_test_add ("/cli/determinism/sim", Fixture, NULL, fixture_setup, test_sim_deterministic,
              fixture_teardown);
  g_test_add_func ("/cli/errors/no-trace", test_error_no_trace);
  g_test_add_func ("/cli/errors/unknown-policy", test_error_unknown_policy);
  g_test_add ("/cli/errors/missing-file", Fixture, NULL, fixture_setup,
              test_error_missing_file, fixture_teardown);
  g_test_add ("/cli/errors/strict", Fixture, NULL, fixture_setup, test_error_strict,
              fixture_teardown);
  g_test_add ("/cli/errors/garbage", Fixture, NULL, fixture_setup, test_error_garbage,
              fixture_teardown);
  g_test_add_func ("/cli/errors/bad-choice", test_error_bad_choice);
  g_test_add ("/cli/policy-options", Fixture, NULL, fixture_setup, test_policy_options,
              fixture_teardown);
  g_test_add ("/cli/demo", Fixture, NULL, fixture_setup, test_demo, fixture_teardown);
  return g_test_run ();
}
