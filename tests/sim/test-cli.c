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

/* ---- 4b. workload transforms ------------------------------------------------------------ */

#define JOBS_HEADER "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime\n"

/* Runs `sluice sim --trace TRACE --out DIR/sub --quiet args...` and checks that jobs.csv is
 * exactly `want` (after the header).  Returns (transfer full) the parsed summary.json. */
static json_t *
sim_transformed (Fixture *f, const char *trace, const char *sub, const char *want,
                 const char *const *args)
{
  g_autofree char *out = g_build_filename (f->dir, sub, NULL);
  const char *argv[32] = { "sim", "--trace", trace, "--out", out, "--quiet" };
  gsize n = 6;
  for (gsize i = 0; args[i]; i++)
    {
      g_assert_cmpuint (n, <, G_N_ELEMENTS (argv) - 1);
      argv[n++] = args[i];
    }
  Run r;
  run_sluice_v (&r, NULL, argv);
  assert_success (&r);
  run_clear (&r);
  g_autofree char *csv = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *text = read_file (csv);
  g_autofree char *expected = g_strconcat (JOBS_HEADER, want, NULL);
  if (strcmp (text, expected) != 0)
    g_test_message ("%s: expected\n%sgot\n%s", sub, expected, text);
  g_assert_cmpstr (text, ==, expected);
  g_autofree char *summary = g_build_filename (out, "summary.json", NULL);
  return load_json (summary);
}

#define SIM_TX(f, trace, sub, want, ...)                                                   \
  sim_transformed ((f), (trace), (sub), (want), (const char *const[]) { __VA_ARGS__, NULL })

/* --first N replays the first N jobs of the trace: tiny.swf's jobs 1-3 under easy.  1 runs
 * 0-100; 2 (6 CPUs) waits for it; 3 backfills at 20 (ends by 70 <= 100).  The trace ends
 * after job 3, so the malformed line and job 6 are never read (not counted). */
static void
test_transform_first (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  json_t *root = SIM_TX (f, tiny, "first",
                         "3,3,2,20,20,50,0,COMPLETED,2,0,2,50,30\n"
                         "1,1,1,0,0,100,0,COMPLETED,4,0,4,100,100\n"
                         "2,2,1,10,100,150,90,COMPLETED,6,0,6,100,50\n",
                         "--first", "3");
  g_assert_cmpint (get_int (root, "jobs"), ==, 3);
  g_assert_cmpint (get_int (root, "skipped.malformed"), ==, 0);
  g_assert_cmpint (get_int (root, "skipped.no_runtime"), ==, 0);
  json_decref (root);
}

/* --window 20:75 keeps the jobs submitted in [20, 75): 3 (20), 4 (30), 5 (40), 6 (50, no
 * run time), 7 (60, malformed) and 8 (70); 1, 2 and 9 are outside_window.  Under easy: 3
 * runs 20-50 and is planned to its limit, 70; 4 (8 CPUs) is the head from 30 with shadow
 * 70 and no extra CPUs, so 5 (limit 200) cannot backfill at 40; 3 ends at 50 and 4 runs
 * 50-100; then 5 (100-300, TIMEOUT at its limit) and 8 (100-120). */
static void
test_transform_window (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  json_t *root = SIM_TX (f, tiny, "window",
                         "3,3,2,20,20,50,0,COMPLETED,2,0,2,50,30\n"
                         "4,1,1,30,50,100,20,COMPLETED,8,0,8,50,50\n"
                         "8,3,2,70,100,120,30,FAILED,1,0,1,30,20\n"
                         "5,2,1,40,100,300,60,TIMEOUT,2,0,2,200,200\n",
                         "--window", "20:75");
  g_assert_cmpint (get_int (root, "jobs"), ==, 4);
  g_assert_cmpint (get_int (root, "skipped.outside_window"), ==, 3);
  g_assert_cmpint (get_int (root, "skipped.malformed"), ==, 1);
  g_assert_cmpint (get_int (root, "skipped.no_runtime"), ==, 1);
  g_assert_cmpint (get_int (root, "adjusted.reqtime_from_runtime"), ==, 1);
  json_decref (root);
}

/* --load-scale 2 halves every submit time (the first is 0): 1@0 2@5 3@10 4@15 5@20 8@35
 * 9@40.  Under easy: 2 waits for 1 (shadow 100, 2 extra CPUs); 3 backfills 10-40; 5 (2
 * CPUs) takes the extra CPUs at 20 (20-220, TIMEOUT); 8 and 9 wait for 3 to end at 40; 2
 * starts at 100, 4 when 5 ends at 220.  The waits change: 2 waits 95 (90 unscaled), 4 205
 * (210), 8 5 (0).  --target-load 1.25 is the run of --load-scale 0.5: tiny.swf offers
 * 1600 CPU-s over 80 s of submits on 8 CPUs, a load of 2.5; halving it doubles the
 * inter-arrival times. */
static void
test_transform_load (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  json_t *root = SIM_TX (f, tiny, "scale2",
                         "3,3,2,10,10,40,0,COMPLETED,2,0,2,50,30\n"
                         "8,3,2,35,40,60,5,FAILED,1,0,1,30,20\n"
                         "9,0,0,40,40,60,0,COMPLETED,1,0,1,20,20\n"
                         "1,1,1,0,0,100,0,COMPLETED,4,0,4,100,100\n"
                         "2,2,1,5,100,150,95,COMPLETED,6,0,6,100,50\n"
                         "5,2,1,20,20,220,0,TIMEOUT,2,0,2,200,200\n"
                         "4,1,1,15,220,270,205,COMPLETED,8,0,8,50,50\n",
                         "--load-scale", "2");
  g_assert_cmpint (get_int (root, "jobs"), ==, 7);
  /* every job but the first moved */
  g_assert_cmpint (get_int (root, "adjusted.submit_scaled"), ==, 6);
  g_assert_cmpfloat_with_epsilon (get_num (root, "wait_s.max"), 205.0, 1e-9);
  json_decref (root);

  /* --load-scale 0.5 and --target-load 1.25 give the same jobs.csv */
  g_autofree char *half = g_build_filename (f->dir, "half", NULL);
  g_autofree char *target = g_build_filename (f->dir, "target", NULL);
  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--load-scale", "0.5", "--out", half,
              "--quiet");
  assert_success (&r);
  run_clear (&r);
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--target-load", "1.25", "--out", target);
  assert_success (&r);
  assert_contains (r.err, "divided by 0.5 for an offered load of 1.25 (was 2.5)");
  run_clear (&r);
  g_autofree char *a = g_build_filename (half, "jobs.csv", NULL);
  g_autofree char *b = g_build_filename (target, "jobs.csv", NULL);
  compare_files (a, b);
  g_autofree char *text = read_file (a);
  assert_contains (text, "\n2,2,1,20,");   /* job 2 submitted at 20 instead of 10 */
}

/* Filters drop jobs, counted as filtered after the reader's own skips (malformed, no run
 * time).  user=1 keeps 1 and 4 (fcfs: 4 waits for 1, 100-150); min-procs=4 keeps 1, 2 and 4
 * (1 0-100, 2 100-150, 4 150-200). */
static void
test_transform_filter (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  json_t *root = SIM_TX (f, tiny, "user",
                         "1,1,1,0,0,100,0,COMPLETED,4,0,4,100,100\n"
                         "4,1,1,30,100,150,70,COMPLETED,8,0,8,50,50\n",
                         "--policy", "fcfs", "--filter", "user=1");
  g_assert_cmpint (get_int (root, "jobs"), ==, 2);
  g_assert_cmpint (get_int (root, "skipped.filtered"), ==, 5);
  g_assert_cmpint (get_int (root, "skipped.malformed"), ==, 1);
  g_assert_cmpint (get_int (root, "skipped.no_runtime"), ==, 1);
  json_decref (root);
  root = SIM_TX (f, tiny, "procs",
                 "1,1,1,0,0,100,0,COMPLETED,4,0,4,100,100\n"
                 "2,2,1,10,100,150,90,COMPLETED,6,0,6,100,50\n"
                 "4,1,1,30,150,200,120,COMPLETED,8,0,8,50,50\n",
                 "--policy", "fcfs", "--filter", "min-procs=4,state=completed");
  g_assert_cmpint (get_int (root, "jobs"), ==, 3);
  g_assert_cmpint (get_int (root, "skipped.filtered"), ==, 4);
  json_decref (root);

  Run r;
  run_sluice (&r, NULL, "sim", "--trace", tiny, "--filter", "colour=red", "--quiet");
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "--filter");
  assert_contains (r.err, "colour");
  run_clear (&r);
}

/* --synth-limit on a GPU CSV trace without requested times (gpu-itp.csv, ITP columns) on 3
 * nodes of 8 GPUs: 1 (16 GPUs, 2 nodes, 1000 s) runs from 0; 2 (24 GPUs, all 3 nodes) is
 * the head from 10, its shadow 1's limit; 3 (8 GPUs, 700 s) fits on the free node at 20
 * if it ends by the shadow.  ladder: limits 3600 (1h): 3 would end at 3620 > 3600, waits
 * until 2 is done (1500).  round-up: 1800 (30 min), 600, 900: 3 ends by 920 <= 1800 and
 * backfills.  runtime: the limits are the run times: 3 backfills (720 <= 1000). */
static void
test_transform_synth_limit (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *itp = data_path ("gpu-itp.csv", NULL);
  json_t *root = SIM_TX (f, itp, "ladder",
                         "1,0,0,0,0,1000,0,COMPLETED,2,16,2,3600,1000\n"
                         "2,0,0,10,1000,1500,990,COMPLETED,3,24,3,3600,500\n"
                         "3,0,0,20,1500,2200,1480,COMPLETED,1,8,1,3600,700\n",
                         "--nodes", "3", "--cpus-per-node", "8", "--gpus-per-node", "8",
                         "--synth-limit", "ladder");
  g_assert_cmpint (get_int (root, "adjusted.reqtime_synthesized"), ==, 3);
  json_decref (root);
  root = SIM_TX (f, itp, "round-up",
                 "3,0,0,20,20,720,0,COMPLETED,1,8,1,900,700\n"
                 "1,0,0,0,0,1000,0,COMPLETED,2,16,2,1800,1000\n"
                 "2,0,0,10,1000,1500,990,COMPLETED,3,24,3,600,500\n",
                 "--nodes", "3", "--cpus-per-node", "8", "--gpus-per-node", "8",
                 "--synth-limit", "round-up");
  g_assert_cmpint (get_int (root, "jobs"), ==, 3);
  g_assert_cmpint (get_int (root, "adjusted.reqtime_synthesized"), ==, 3);
  json_decref (root);
  root = SIM_TX (f, itp, "runtime",
                 "3,0,0,20,20,720,0,COMPLETED,1,8,1,700,700\n"
                 "1,0,0,0,0,1000,0,COMPLETED,2,16,2,1000,1000\n"
                 "2,0,0,10,1000,1500,990,COMPLETED,3,24,3,500,500\n",
                 "--nodes", "3", "--cpus-per-node", "8", "--gpus-per-node", "8",
                 "--synth-limit", "runtime");
  g_assert_cmpint (get_int (root, "adjusted.reqtime_synthesized"), ==, 0);
  g_assert_cmpint (get_int (root, "adjusted.reqtime_from_runtime"), ==, 3);
  json_decref (root);

  Run r;
  run_sluice (&r, NULL, "sim", "--trace", itp, "--synth-limit", "sometimes", "--quiet");
  g_assert_cmpint (r.status, ==, 2);
  assert_contains (r.err, "--synth-limit");
  run_clear (&r);
}

/* --limit-model exact replaces each requested time by the run time (counted when it
 * changed: jobs 2, 3, 5, 8), so job 5 (run 250, limit 200) no longer times out and easy
 * backfills it at 40 (40-290), which delays 4 to 290.  --resubmit-timeouts on
 * gpu-jobs.csv: 103 ended TIMEOUT in the trace and comes again at its end, id
 * 1000000103. */
static void
test_transform_limits (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  json_t *root = SIM_TX (f, tiny, "exact",
                         "3,3,2,20,20,50,0,COMPLETED,2,0,2,30,30\n"
                         "8,3,2,70,70,90,0,FAILED,1,0,1,20,20\n"
                         "1,1,1,0,0,100,0,COMPLETED,4,0,4,100,100\n"
                         "9,0,0,80,80,100,0,COMPLETED,1,0,1,20,20\n"
                         "2,2,1,10,100,150,90,COMPLETED,6,0,6,50,50\n"
                         "5,2,1,40,40,290,0,COMPLETED,2,0,2,250,250\n"
                         "4,1,1,30,290,340,260,COMPLETED,8,0,8,50,50\n",
                         "--limit-model", "exact");
  g_assert_cmpint (get_int (root, "adjusted.limit_modeled"), ==, 4);
  g_assert_cmpint (get_int (root, "states.TIMEOUT"), ==, 0);
  json_decref (root);

  g_autofree char *gpu = data_path ("gpu-jobs.csv", NULL);
  root = SIM_TX (f, gpu, "resubmit",
                 "102,2147483649,0,1714550700,1714550700,1714550820,0,FAILED,4,1,1,3600,120\n"
                 "101,2147483648,0,1714550400,1714550400,1714554000,0,COMPLETED,32,8,1,3600,3600\n"
                 "105,17,0,1714555800,1714555800,1714555845,0,COMPLETED,2,12,2,3600,45\n"
                 "103,2147483648,0,1714550460,1714550460,1714636860,0,TIMEOUT,64,16,2,86400,86400\n"
                 "1000000103,2147483648,0,1714636860,1714636860,1714723260,0,COMPLETED,64,16,2,86400,86400\n",
                 "--nodes", "4", "--cpus-per-node", "64", "--gpus-per-node", "8",
                 "--policy", "fcfs", "--resubmit-timeouts");
  g_assert_cmpint (get_int (root, "jobs"), ==, 5);
  g_assert_cmpint (get_int (root, "adjusted.resubmitted"), ==, 1);
  g_assert_cmpint (get_int (root, "skipped.no_runtime"), ==, 1);
  json_decref (root);
}

/* `sluice sim --help` lists every transform option; bad values exit 2 naming the option. */
static void
test_transform_help (void)
{
  Run r;
  run_sluice (&r, NULL, "sim", "--help");
  assert_success (&r);
  static const char *const opts[] = { "--load-scale", "--target-load", "--window", "--first",
                                      "--filter", "--limit-model", "--limit-seed",
                                      "--resubmit-timeouts", "--synth-limit" };
  for (gsize i = 0; i < G_N_ELEMENTS (opts); i++)
    assert_contains (r.out, opts[i]);
  run_clear (&r);
  static const char *const bad[][3] = {
    { "--first", "-1", "--first" },
    { "--load-scale", "-2", "--load-scale" },
    { "--limit-model", "psychic", "--limit-model" },
    { "--window", "50:10", "--window" },
  };
  g_autofree char *tiny = data_path ("tiny.swf", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      run_sluice (&r, NULL, "sim", "--trace", tiny, bad[i][0], bad[i][1], "--quiet");
      g_assert_cmpint (r.signal, ==, 0);
      g_assert_cmpint (r.status, >=, 1);
      assert_contains (r.err, bad[i][2]);
      run_clear (&r);
    }
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
  g_test_add ("/cli/transform/first", Fixture, NULL, fixture_setup, test_transform_first,
              fixture_teardown);
  g_test_add ("/cli/transform/window", Fixture, NULL, fixture_setup, test_transform_window,
              fixture_teardown);
  g_test_add ("/cli/transform/load", Fixture, NULL, fixture_setup, test_transform_load,
              fixture_teardown);
  g_test_add ("/cli/transform/filter", Fixture, NULL, fixture_setup, test_transform_filter,
              fixture_teardown);
  g_test_add ("/cli/transform/synth-limit", Fixture, NULL, fixture_setup,
              test_transform_synth_limit, fixture_teardown);
  g_test_add ("/cli/transform/limits", Fixture, NULL, fixture_setup, test_transform_limits,
              fixture_teardown);
  g_test_add_func ("/cli/transform/help", test_transform_help);
  g_test_add ("/cli/demo", Fixture, NULL, fixture_setup, test_demo, fixture_teardown);
  return g_test_run ();
}
