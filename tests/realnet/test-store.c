/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-store.c - the SQLite state and accounting store (realnet/store.h):
 * round trips, upserts, group commit, the restart load, sacct queries and their indexes,
 * meta values, refused files, corrupt rows, and durability when the writer is killed with
 * SIGKILL (after known commits, and at a random instant of a run of small commits).  Each
 * case works in its own temporary directory, removed at teardown. */
#include "realnet/store.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* The job record of docs/realnet.md, verbatim. */
static const char doc_record[] =
  "{\"job_id\": 9, \"array_job_id\": 7, \"array_task_id\": 0, \"array_tasks\": null,"
  " \"name\": \"envjob\", \"user\": \"root\", \"uid\": 0, \"group\": \"root\", \"gid\": 0,"
  " \"account\": null, \"qos\": null, \"partition\": \"debug\","
  " \"state\": \"FAILED\", \"reason\": \"NonZeroExitCode\", \"priority\": 4294901752,"
  " \"nice\": 0, \"dependency\": null, \"exit_code\": 3, \"exit_signal\": 0,"
  " \"derived_exit_code\": 3, \"restarts\": 0, \"batch\": true, \"requeue\": true,"
  " \"held\": false, \"submit_time\": 1764111398, \"eligible_time\": 1764111398,"
  " \"accrue_time\": 1764111398, \"start_time\": 1764111400, \"end_time\": 1764111401,"
  " \"last_sched_eval\": 1764111400, \"planned_start\": null, \"sched_nodes\": null,"
  " \"time_limit\": -1, \"time_min\": 0, \"run_time\": 1,"
  " \"nodes\": \"n1\", \"batch_host\": \"n1\", \"num_nodes\": 1, \"num_cpus\": 2,"
  " \"num_tasks\": 2, \"cpus_per_task\": 1, \"mem_per_cpu_mb\": 250, \"mem_per_node_mb\": 0,"
  " \"gres\": null, \"gpus_per_node\": 0, \"gpus\": 0, \"features\": null,"
  " \"exclusive\": false, \"tres_req\": \"cpu=2,mem=500M,node=1,billing=2\","
  " \"tres_alloc\": \"cpu=2,mem=500M,node=1,billing=2\","
  " \"workdir\": \"/home/alice/work\", \"command\": null,"
  " \"stdout\": \"/home/alice/work/slurm-9.out\", \"stderr\": \"/home/alice/work/slurm-9.out\","
  " \"stdin\": \"/dev/null\", \"scheduler\": \"Main\", \"alloc_node\": \"localhost\","
  " \"alloc_sid\": 2418, \"cpu_seconds\": 0.01, \"max_rss_kb\": 1200, \"cancelled_by\": null}";

typedef struct {
  char *dir;
  char *path;   /* dir/state.db */
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  f->dir = g_dir_make_tmp ("sluice-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "state.db", NULL);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        g_rmdir (p);
      else
        g_unlink (p);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->path);
  g_free (f->dir);
}

#define TEST(name, func) \
  g_test_add ("/realnet/store/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)

/* ---- helpers --------------------------------------------------------------------------- */

static RnStore *
open_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  RnStore *s = rn_store_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

static void
put_ok (RnStore *s, json_t *job /* transfer full */)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = rn_store_put_job (s, job, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  json_decref (job);
}

static guint
commit_ok (RnStore *s)
{
  g_autoptr(GError) error = NULL;
  guint n = G_MAXUINT;
  gboolean ok = rn_store_commit (s, &n, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (rn_store_has_pending (s));
  return n;
}

/* A record in the shape of docs/realnet.md for the crash and bulk tests; the same id
 * gives the same record. */
static json_t *
bulk_job (guint32 id)
{
  return json_pack ("{s:I, s:n, s:n, s:s, s:s, s:I, s:s, s:s, s:I, s:I, s:n, s:n,"
                    " s:[s, s], s:f, s:b}",
                    "job_id", (json_int_t) id, "array_job_id", "array_task_id",
                    "name", "bulk", "user", (id % 2) ? "alice" : "bob",
                    "uid", (json_int_t) ((id % 2) ? 1001 : 1002),
                    "partition", "debug", "state", (id % 3) ? "PENDING" : "RUNNING",
                    "submit_time", (json_int_t) (1764000000 + id),
                    "eligible_time", (json_int_t) (1764000000 + id), "start_time",
                    "end_time", "environment", "PATH=/usr/bin", "HOME=/home/x",
                    "cpu_seconds", id / 8.0, "batch", TRUE);
}

/* A record with the fields queries look at. */
static json_t *
qjob (guint32 id, gint64 array_job_id, gint64 task, const char *user, guint32 uid,
      const char *partition, const char *name, const char *state, gint64 submit,
      gint64 eligible, gint64 start, gint64 end)
{
  json_t *j = json_pack ("{s:I, s:s, s:I, s:s, s:s, s:s, s:I}", "job_id", (json_int_t) id,
                         "user", user, "uid", (json_int_t) uid, "partition", partition,
                         "name", name, "state", state, "submit_time", (json_int_t) submit);
  json_object_set_new (j, "array_job_id", array_job_id >= 0 ? json_integer (array_job_id)
                                                            : json_null ());
  json_object_set_new (j, "array_task_id", task >= 0 ? json_integer (task) : json_null ());
  json_object_set_new (j, "eligible_time", eligible >= 0 ? json_integer (eligible)
                                                         : json_null ());
  json_object_set_new (j, "start_time", start >= 0 ? json_integer (start) : json_null ());
  json_object_set_new (j, "end_time", end >= 0 ? json_integer (end) : json_null ());
  return j;
}

/* "1,2,3": the job ids of an array of records, for comparisons. */
static char *
ids_of (GPtrArray *jobs)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < jobs->len; i++)
    g_string_append_printf (s, "%s%" JSON_INTEGER_FORMAT, i ? "," : "",
                            json_integer_value (json_object_get (jobs->pdata[i], "job_id")));
  return g_string_free (s, FALSE);
}

/* Runs `sql` on the file directly, as someone editing it would. */
static void
raw_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
  sqlite3_close (db);
}

/* ---- round trip, upsert, group commit, restart load ---------------------------------- */

static void
test_round_trip (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  json_error_t jerr;
  json_t *doc = json_loads (doc_record, 0, &jerr);
  g_assert_nonnull (doc);
  json_t *odd = json_pack ("{s:I, s:s, s:s, s:o, s:[i, {s:f}], s:s}", "job_id",
                           (json_int_t) 4000000000u, "state", "PENDING", "name",
                           "caf\xc3\xa9 \"quoted\" \\ \n tab\t", "array_tasks", json_null (),
                           "nested", 1, "x", -0.125, "user", "\xe2\x98\x83");

  RnStore *s = open_ok (f->path);
  g_assert_cmpstr (rn_store_get_path (s), ==, f->path);
  g_assert_false (rn_store_has_pending (s));
  put_ok (s, json_incref (doc));
  put_ok (s, json_incref (odd));
  g_assert_true (rn_store_has_pending (s));
  g_assert_cmpuint (rn_store_get_n_pending (s), ==, 2);

  json_t *got = NULL;   /* read-your-writes before the commit */
  g_assert_true (rn_store_get_job (s, 9, &got, &error));
  g_assert_true (json_equal (got, doc));
  json_decref (got);

  g_assert_cmpuint (commit_ok (s), ==, 2);
  g_assert_cmpuint (commit_ok (s), ==, 0);   /* nothing pending: a no-op */
  rn_store_free (s);

  s = open_ok (f->path);
  g_assert_true (rn_store_get_job (s, 9, &got, &error));
  g_assert_no_error (error);
  g_assert_true (json_equal (got, doc));
  json_decref (got);
  g_assert_true (rn_store_get_job (s, 4000000000u, &got, &error));
  g_assert_true (json_equal (got, odd));
  json_decref (got);
  g_assert_true (rn_store_get_job (s, 10, &got, &error));
  g_assert_no_error (error);
  g_assert_null (got);

  g_autoptr(GPtrArray) all = rn_store_query (s, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_true (json_equal (all->pdata[0], doc));
  g_assert_true (json_equal (all->pdata[1], odd));
  g_assert_cmpint (rn_store_count_jobs (s, NULL, &error), ==, 2);
  rn_store_free (s);
  json_decref (doc);
  json_decref (odd);
}

static void
test_upsert (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = open_ok (f->path);
  put_ok (s, qjob (5, -1, -1, "alice", 1001, "debug", "a", "PENDING", 100, 100, -1, -1));
  commit_ok (s);
  put_ok (s, qjob (5, -1, -1, "alice", 1001, "debug", "a", "RUNNING", 100, 100, 110, -1));
  put_ok (s, qjob (5, -1, -1, "alice", 1001, "debug", "a", "COMPLETING", 100, 100, 110, 150));
  g_assert_cmpuint (commit_ok (s), ==, 2);
  g_assert_cmpint (rn_store_count_jobs (s, NULL, &error), ==, 1);

  json_t *got = NULL;
  g_assert_true (rn_store_get_job (s, 5, &got, &error));
  g_assert_cmpstr (json_string_value (json_object_get (got, "state")), ==, "COMPLETING");
  g_assert_cmpint (json_integer_value (json_object_get (got, "end_time")), ==, 150);
  json_decref (got);
  g_autoptr(GPtrArray) active = rn_store_load_active (s, 0, NULL, &error);
  g_assert_cmpuint (active->len, ==, 1);

  put_ok (s, qjob (5, -1, -1, "alice", 1001, "debug", "a", "COMPLETED", 100, 100, 110, 151));
  commit_ok (s);
  g_autoptr(GPtrArray) none = rn_store_load_active (s, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  /* The indexed columns follow the record: a state query sees the new state only. */
  const char *completed[] = { "COMPLETED", NULL };
  const char *running[] = { "RUNNING", NULL };
  RnStoreQuery q = { .states = completed };
  g_assert_cmpint (rn_store_count_jobs (s, &q, &error), ==, 1);
  q.states = running;
  g_assert_cmpint (rn_store_count_jobs (s, &q, &error), ==, 0);

  /* A record whose user and array fields changed (not something the controller does):
   * the row follows it, indexes included. */
  put_ok (s, qjob (5, 4, 1, "bob", 1002, "debug", "a", "COMPLETED", 100, 100, 110, 151));
  commit_ok (s);
  const char *bob[] = { "bob", NULL }, *alice[] = { "alice", NULL };
  RnStoreQuery qu = { .users = bob };
  g_assert_cmpint (rn_store_count_jobs (s, &qu, &error), ==, 1);
  qu.users = alice;
  g_assert_cmpint (rn_store_count_jobs (s, &qu, &error), ==, 0);
  g_assert_cmpint (rn_store_count_jobs (s, NULL, &error), ==, 1);
}

static void
test_group_commit (Fixture *f, gconstpointer data)
{
  (void) data;
  const guint n = 10000;
  g_autoptr(GError) error = NULL;
  RnStore *s = open_ok (f->path);
  gint64 t0 = g_get_monotonic_time ();
  for (guint32 id = n; id >= 1; id--)   /* out of order: the load sorts */
    put_ok (s, bulk_job (id));
  g_assert_true (rn_store_set_next_job_id (s, n + 1, &error));
  g_assert_cmpuint (rn_store_get_n_pending (s), ==, n + 1);
  gint64 t1 = g_get_monotonic_time ();
  g_assert_cmpuint (commit_ok (s), ==, n);
  gint64 t2 = g_get_monotonic_time ();
  g_test_message ("%u puts: %.1f ms, one commit: %.1f ms", n, (t1 - t0) / 1000.0,
                  (t2 - t1) / 1000.0);
  rn_store_free (s);

  s = open_ok (f->path);
  g_autoptr(GPtrArray) jobs = rn_store_load_active (s, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (jobs->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      json_t *want = bulk_job (i + 1);
      g_assert_true (json_equal (jobs->pdata[i], want));
      json_decref (want);
    }
  guint32 next = 0;
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));
  g_assert_cmpuint (next, ==, n + 1);
  rn_store_free (s);
}

static gboolean
stop_after_two (json_t *job, gpointer data)
{
  (void) job;
  return ++*(guint *) data < 2;
}

static void
test_active_filter (Fixture *f, gconstpointer data)
{
  (void) data;
  static const char *const states[] = {
    "COMPLETED", "PENDING", "FAILED", "RUNNING", "CANCELLED", "COMPLETING", "TIMEOUT",
    "SUSPENDED", "NODE_FAIL", "REQUEUED", "OUT_OF_MEMORY", "SOMETHING_NEW", "BOOT_FAIL",
    "DEADLINE", "PREEMPTED", "REVOKED",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = open_ok (f->path);
  for (guint i = G_N_ELEMENTS (states); i > 0; i--)
    put_ok (s, json_pack ("{s:i, s:s}", "job_id", 100 + i, "state", states[i - 1]));
  commit_ok (s);
  g_autoptr(GPtrArray) active = rn_store_load_active (s, 0, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *ids = ids_of (active);
  /* PENDING RUNNING COMPLETING SUSPENDED REQUEUED SOMETHING_NEW, in job-id order */
  g_assert_cmpstr (ids, ==, "102,104,106,108,110,112");

  guint seen = 0;   /* the callback can stop the walk */
  g_assert_true (rn_store_foreach_active (s, 0, stop_after_two, &seen, NULL, &error));
  g_assert_cmpuint (seen, ==, 2);
}

/* ---- accounting queries ---------------------------------------------------------------- */

static RnStore *
query_fixture (const char *path)
{
  RnStore *s = open_ok (path);
  /*               id  array task user     uid   part     name     state      sub   elig  start end */
  put_ok (s, qjob (1, 0, -1, "alice", 1001, "debug", "prep", "COMPLETED", 1000, 1000, 1010, 1100));
  put_ok (s, qjob (2, 0, -1, "bob", 1002, "gpu", "train", "FAILED", 2000, 2000, 2010, 2050));
  put_ok (s, qjob (3, 0, -1, "alice", 1001, "gpu", "train", "RUNNING", 3000, 3000, 3005, -1));
  put_ok (s, qjob (4, 0, -1, "bob", 1002, "debug", "wait", "PENDING", 3500, 3500, -1, -1));
  put_ok (s, qjob (5, 0, -1, "carol", 1003, "debug", "held", "PENDING", 3600, -1, -1, -1));
  put_ok (s, qjob (10, 10, 0, "alice", 1001, "debug", "arr", "COMPLETED", 4000, 4000, 4001, 4100));
  put_ok (s, qjob (11, 10, 1, "alice", 1001, "debug", "arr", "CANCELLED", 4000, 4000, -1, 4050));
  put_ok (s, qjob (12, 10, 2, "alice", 1001, "debug", "arr", "RUNNING", 4000, 4000, 4100, -1));
  put_ok (s, qjob (13, -1, -1, "bob", 1002, "debug", "last", "COMPLETED", 4900, 4900, 4950, 5000));
  g_assert_cmpuint (commit_ok (s), ==, 9);
  return s;
}

static void
check_query (RnStore *s, const RnStoreQuery *q, const char *want)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = rn_store_query (s, q, 0, NULL, &error);
  g_assert_no_error (error);
  g_autofree char *ids = ids_of (jobs);
  g_assert_cmpstr (ids, ==, want);
  g_assert_cmpint (rn_store_count_jobs (s, q, &error), ==, jobs->len);
  g_assert_no_error (error);
}

static void
test_query_ids (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(RnStore) s = query_fixture (f->path);
  RnStoreJobSel array[] = { { 10, RN_STORE_ANY_TASK } };
  RnStoreJobSel task[] = { { 10, 1 } };
  RnStoreJobSel plain[] = { { 13, RN_STORE_ANY_TASK }, { 1, RN_STORE_ANY_TASK } };
  RnStoreJobSel member[] = { { 11, RN_STORE_ANY_TASK } };
  RnStoreJobSel mixed[] = { { 2, RN_STORE_ANY_TASK }, { 10, 2 }, { 99, RN_STORE_ANY_TASK } };
  RnStoreJobSel missing[] = { { 10, 7 } };

  check_query (s, &(RnStoreQuery) { .jobs = array, .n_jobs = 1 }, "10,11,12");
  check_query (s, &(RnStoreQuery) { .jobs = task, .n_jobs = 1 }, "11");
  check_query (s, &(RnStoreQuery) { .jobs = plain, .n_jobs = 2 }, "1,13");
  check_query (s, &(RnStoreQuery) { .jobs = member, .n_jobs = 1 }, "11");
  check_query (s, &(RnStoreQuery) { .jobs = mixed, .n_jobs = 3 }, "2,12");
  check_query (s, &(RnStoreQuery) { .jobs = missing, .n_jobs = 1 }, "");
  check_query (s, NULL, "1,2,3,4,5,10,11,12,13");
  check_query (s, &(RnStoreQuery) { 0 }, "1,2,3,4,5,10,11,12,13");
}

static void
test_query_filters (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(RnStore) s = query_fixture (f->path);
  const guint32 bob_uid[] = { 1002 };
  const char *carol[] = { "carol", NULL };
  const char *alice[] = { "alice", NULL };
  const char *nobody[] = { "nobody", "\xff\xfe", NULL };   /* not UTF-8: matches nothing */
  const char *pending[] = { "PENDING", NULL };
  const char *running[] = { "RUNNING", NULL };
  const char *ended[] = { "COMPLETED", "FAILED", NULL };
  const char *gpu[] = { "gpu", NULL };
  const char *train[] = { "train", NULL };

  check_query (s, &(RnStoreQuery) { .uids = bob_uid, .n_uids = 1 }, "2,4,13");
  check_query (s, &(RnStoreQuery) { .users = carol }, "5");
  check_query (s, &(RnStoreQuery) { .uids = bob_uid, .n_uids = 1, .users = carol },
               "2,4,5,13");
  check_query (s, &(RnStoreQuery) { .users = nobody }, "");
  check_query (s, &(RnStoreQuery) { .states = pending }, "4,5");
  check_query (s, &(RnStoreQuery) { .states = ended }, "1,2,10,13");
  check_query (s, &(RnStoreQuery) { .partitions = gpu }, "2,3");
  check_query (s, &(RnStoreQuery) { .names = train }, "2,3");
  check_query (s, &(RnStoreQuery) { .users = alice, .states = running }, "3,12");
  check_query (s, &(RnStoreQuery) { .users = alice, .partitions = gpu, .states = ended }, "");
}

static void
test_query_window (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(RnStore) s = query_fixture (f->path);
  const char *pending[] = { "PENDING", NULL };
  const char *running[] = { "RUNNING", NULL };
  const char *completed[] = { "COMPLETED", NULL };
  const char *cancelled_running[] = { "CANCELLED", "RUNNING", NULL };
  RnStoreJobSel held[] = { { 5, RN_STORE_ANY_TASK } };

  /* No states: eligible before the end, not ended before the start. */
  check_query (s, &(RnStoreQuery) { .start = 2040, .end = 3000 }, "2");
  check_query (s, &(RnStoreQuery) { .start = 2040, .end = 3001 }, "2,3");
  check_query (s, &(RnStoreQuery) { .start = 4060 }, "3,4,10,12,13");
  check_query (s, &(RnStoreQuery) { .end = 1500 }, "1");
  /* A held job (never eligible) shows only when asked for by id. */
  check_query (s, &(RnStoreQuery) { .start = 4060, .jobs = held, .n_jobs = 1 }, "5");
  check_query (s, &(RnStoreQuery) { .start = 4060, .end = 3500, .jobs = held, .n_jobs = 1 },
               "");
  /* With states, sacct's per-state rules. */
  check_query (s, &(RnStoreQuery) { .states = running, .start = 3006, .end = 3010 }, "3");
  /* job 2 ran from 2010 to 2050 and then failed: it was running in the window */
  check_query (s, &(RnStoreQuery) { .states = running, .start = 2000, .end = 2020 }, "2");
  check_query (s, &(RnStoreQuery) { .states = running, .start = 4000 }, "3,10,12,13");
  check_query (s, &(RnStoreQuery) { .states = completed, .start = 1000, .end = 1200 }, "1");
  check_query (s, &(RnStoreQuery) { .states = completed, .start = 1101, .end = 4099 }, "");
  check_query (s, &(RnStoreQuery) { .states = pending, .start = 3550, .end = 3700 }, "4");
  /* job 11 was cancelled while pending: pending until 4050 */
  check_query (s, &(RnStoreQuery) { .states = pending, .start = 4020, .end = 4030 },
               "4,11,12");
  check_query (s, &(RnStoreQuery) { .states = cancelled_running, .start = 4040,
                                    .end = 4060 }, "3,10,11");
}

/* The plans of user and window queries must search an index, not read the whole table. */
static void
test_query_plans (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = query_fixture (f->path);
  const guint32 uid[] = { 1002 };
  const char *users[] = { "bob", NULL };
  RnStoreJobSel ids[] = { { 10, RN_STORE_ANY_TASK }, { 7, 3 } };
  const RnStoreQuery queries[] = {
    { .uids = uid, .n_uids = 1 },
    { .users = users },
    { .uids = uid, .n_uids = 1, .users = users },
    { .start = 1764000000, .end = 1764086400 },
    { .start = 1764000000 },
    { .jobs = ids, .n_jobs = 2 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autofree char *plan = rn_store__query_plan (s, &queries[i], &error);
      g_assert_no_error (error);
      g_test_message ("query %zu plan:\n%s", i, plan);
      g_auto(GStrv) lines = g_strsplit (plan, "\n", -1);
      for (char **l = lines; *l; l++)
        {
          g_assert_false (g_str_has_prefix (*l, "SCAN jobs"));
          g_assert_false (g_str_has_prefix (*l, "SCAN TABLE jobs"));
        }
      g_assert_nonnull (strstr (plan, "jobs"));
    }
}

/* ---- meta, reopen, rollback, purge ----------------------------------------------------- */

static void
test_meta (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  RnStore *s = open_ok (f->path);
  guint32 next = 99;
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));
  g_assert_cmpuint (next, ==, 0);
  char *v = (char *) "x";
  g_assert_true (rn_store_get_meta (s, RN_STORE_META_CLUSTER_NAME, &v, &error));
  g_assert_null (v);

  g_assert_true (rn_store_set_next_job_id (s, 42, &error));
  g_assert_true (rn_store_set_meta (s, RN_STORE_META_CLUSTER_NAME, "bench", &error));
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));   /* read-your-writes */
  g_assert_cmpuint (next, ==, 42);
  g_assert_cmpuint (rn_store_get_n_pending (s), ==, 2);
  g_assert_cmpuint (commit_ok (s), ==, 0);   /* no job records in that batch */
  g_assert_true (rn_store_set_next_job_id (s, 43, &error));
  g_assert_cmpuint (commit_ok (s), ==, 0);
  rn_store_free (s);

  s = open_ok (f->path);
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));
  g_assert_cmpuint (next, ==, 43);
  g_assert_true (rn_store_get_meta (s, RN_STORE_META_CLUSTER_NAME, &v, &error));
  g_assert_cmpstr (v, ==, "bench");
  g_free (v);

  /* A next id that is not a number is reported, not guessed. */
  g_assert_true (rn_store_set_meta (s, RN_STORE_META_NEXT_JOB_ID, "4x", &error));
  g_assert_false (rn_store_get_next_job_id (s, &next, &error));
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, f->path));
  g_clear_error (&error);
  rn_store_rollback (s);
  g_assert_false (rn_store_has_pending (s));
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));
  g_assert_cmpuint (next, ==, 43);

  /* The store's own keys are not the caller's. */
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*schema*");
  g_assert_false (rn_store_set_meta (s, "schema_version", "9", &error));
  g_test_assert_expected_messages ();
  g_assert_false (rn_store_has_pending (s));
  rn_store_free (s);
}

static void
test_reopen_uncommitted (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  RnStore *s = open_ok (f->path);
  put_ok (s, bulk_job (1));
  put_ok (s, bulk_job (2));
  commit_ok (s);
  put_ok (s, bulk_job (3));
  rn_store_rollback (s);
  g_assert_false (rn_store_has_pending (s));
  json_t *got = NULL;
  g_assert_true (rn_store_get_job (s, 3, &got, &error));
  g_assert_null (got);
  put_ok (s, bulk_job (4));
  rn_store_free (s);   /* pending job 4 is discarded */

  s = open_ok (f->path);
  g_assert_cmpint (rn_store_count_jobs (s, NULL, &error), ==, 2);
  g_assert_true (rn_store_get_job (s, 4, &got, &error));
  g_assert_null (got);
  put_ok (s, bulk_job (5));   /* the reopened store writes again */
  commit_ok (s);
  rn_store_free (s);
  s = open_ok (f->path);
  g_assert_cmpint (rn_store_count_jobs (s, NULL, &error), ==, 3);
  rn_store_free (s);
}

static void
test_purge (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = query_fixture (f->path);
  guint64 n = 99;
  g_assert_true (rn_store_purge (s, 4060, &n, &error));   /* ended before 4060 */
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 3);   /* 1, 2, 11; never the active 3 4 5 12 */
  g_assert_true (rn_store_has_pending (s));
  commit_ok (s);
  check_query (s, NULL, "3,4,5,10,12,13");
  g_assert_true (rn_store_purge (s, 0, &n, &error));
  g_assert_cmpuint (n, ==, 0);
  g_assert_true (rn_store_purge (s, G_MAXINT64, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  commit_ok (s);
  check_query (s, NULL, "3,4,5,12");
}

/* ---- refused files and records --------------------------------------------------------- */

static void
test_not_a_database (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  GString *junk = g_string_new (NULL);
  for (int i = 0; i < 200; i++)
    g_string_append (junk, "this is a text file, not a database\n");
  g_assert_true (g_file_set_contents (f->path, junk->str, (gssize) junk->len, &error));
  g_string_free (junk, TRUE);

  RnStore *s = rn_store_open (f->path, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_NOT_DATABASE);
  g_autofree char *want = g_strdup_printf ("%s: file is not a database", f->path);
  g_assert_cmpstr (error->message, ==, want);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* Another program's SQLite file. */
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  raw_exec (other, "CREATE TABLE meta (k, v); CREATE TABLE x (y);");
  s = rn_store_open (other, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_NOT_DATABASE);
  g_assert_true (g_str_has_prefix (error->message, other));
  g_assert_nonnull (strstr (error->message, "not a sluice state database"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* A directory, and a file in a directory that does not exist. */
  s = rn_store_open (f->dir, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, f->dir));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_autofree char *nowhere = g_build_filename (f->dir, "no", "state.db", NULL);
  s = rn_store_open (nowhere, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, nowhere));
  g_clear_error (&error);

  /* An empty file is a new database. */
  g_autofree char *empty = g_build_filename (f->dir, "empty.db", NULL);
  g_assert_true (g_file_set_contents (empty, "", 0, &error));
  s = open_ok (empty);
  rn_store_free (s);
}

static void
test_schema_version (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  rn_store_free (open_ok (f->path));
  raw_exec (f->path, "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
  RnStore *s = rn_store_open (f->path, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_VERSION);
  g_assert_true (g_str_has_prefix (error->message, f->path));
  g_assert_nonnull (strstr (error->message, "schema version 3 is newer"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  raw_exec (f->path, "UPDATE meta SET value = 'banana' WHERE key = 'schema_version'");
  s = rn_store_open (f->path, NULL, &error);
  g_assert_null (s);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "'banana'"));
  g_clear_error (&error);

  raw_exec (f->path, "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
  rn_store_free (open_ok (f->path));
}

/* The number of rows `sql` (a SELECT count(*)) counts, read from the file directly. */
static gint64
raw_count (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  gint64 n = sqlite3_column_int64 (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
  return n;
}

static gboolean
find_request (json_t *job, gpointer user_data)
{
  if (json_integer_value (json_object_get (job, "job_id")) == 3)
    *(char **) user_data = g_strdup (json_string_value (json_object_get (job,
                                                                         "_request_text")));
  return TRUE;
}

/* Requests live in their own table: readers of active jobs and get_job see them as the
 * record's "_request_text", rewriting the record keeps them, purging the job drops them. */
static void
test_requests (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = query_fixture (f->path);
  g_assert_true (rn_store_put_request (s, 1, "{\"script\":\"one\"}", &error));
  g_assert_true (rn_store_put_request (s, 3, "{\"script\":\"three\"}", &error));
  g_assert_no_error (error);
  commit_ok (s);
  json_t *rec3 = NULL;
  g_assert_true (rn_store_get_job (s, 3, &rec3, &error));
  g_assert_cmpstr (json_string_value (json_object_get (rec3, "_request_text")), ==,
                   "{\"script\":\"three\"}");
  json_object_del (rec3, "_request_text");
  put_ok (s, rec3);   /* a rewrite of the record */
  commit_ok (s);
  g_autofree char *seen = NULL;
  g_assert_true (rn_store_foreach_active (s, 0, find_request, &seen, NULL, &error));
  g_assert_cmpstr (seen, ==, "{\"script\":\"three\"}");
  json_t *rec4 = NULL;
  g_assert_true (rn_store_get_job (s, 4, &rec4, &error));
  g_assert_null (json_object_get (rec4, "_request_text"));   /* none stored */
  json_decref (rec4);

  g_assert_cmpint (raw_count (f->path, "SELECT count(*) FROM requests"), ==, 2);
  guint64 n = 0;
  g_assert_true (rn_store_purge (s, 4060, &n, &error));   /* 1, 2, 11 */
  g_assert_cmpuint (n, ==, 3);
  commit_ok (s);
  g_assert_cmpint (raw_count (f->path, "SELECT count(*) FROM requests"), ==, 1);
  g_assert_cmpint (raw_count (f->path, "SELECT count(*) FROM requests WHERE job_id = 3"), ==,
                   1);
}

/* A version 1 file (the request inside the record) is upgraded in place and still read. */
static void
test_schema_upgrade (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = open_ok (f->path);
  json_t *j = qjob (3, -1, -1, "alice", 1001, "debug", "old", "PENDING", 4000, 4000, -1, -1);
  json_object_set_new (j, "_request_text", json_string ("{\"script\":\"v1\"}"));
  put_ok (s, j);
  commit_ok (s);
  g_clear_pointer (&s, rn_store_free);
  raw_exec (f->path, "DROP TRIGGER jobs_purge_requests; DROP TABLE requests;"
            " UPDATE meta SET value = '1' WHERE key = 'schema_version'");

  s = open_ok (f->path);
  g_assert_cmpint (raw_count (f->path, "SELECT count(*) FROM meta WHERE key = 'schema_version'"
                              " AND value = '2'"), ==, 1);
  g_autofree char *seen = NULL;
  g_assert_true (rn_store_foreach_active (s, 0, find_request, &seen, NULL, &error));
  g_assert_cmpstr (seen, ==, "{\"script\":\"v1\"}");
  g_assert_true (rn_store_put_request (s, 3, "{\"script\":\"v2\"}", &error));
  g_assert_no_error (error);
  commit_ok (s);
  g_clear_pointer (&seen, g_free);
  g_assert_true (rn_store_foreach_active (s, 0, find_request, &seen, NULL, &error));
  g_assert_cmpstr (seen, ==, "{\"script\":\"v2\"}");   /* the table wins */
}

static void
test_corrupt_rows (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  RnStore *s = query_fixture (f->path);
  rn_store_free (s);
  raw_exec (f->path, "UPDATE jobs SET record = '{\"job_id\": 3, \"state\": ' WHERE job_id = 3;"
                     "UPDATE jobs SET record = '[4]' WHERE job_id = 4;"
                     "UPDATE jobs SET record = '{\"job_id\": 1, \"state\": \"PENDING\"}'"
                     " WHERE job_id = 12;");
  s = open_ok (f->path);

  g_autoptr(GPtrArray) none = rn_store_load_active (s, RN_STORE_READ_STRICT, NULL, &error);
  g_assert_null (none);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT);
  g_autofree char *want = g_strdup_printf ("%s: job 3: the record is not valid JSON", f->path);
  g_assert_true (g_str_has_prefix (error->message, want));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  guint skipped = 0;
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*job 3: *skipped");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*job 4: *not a JSON object*");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*job 12: *job_id*");
  g_autoptr(GPtrArray) active = rn_store_load_active (s, RN_STORE_READ_SKIP_CORRUPT,
                                                      &skipped, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpuint (skipped, ==, 3);
  g_autofree char *ids = ids_of (active);
  g_assert_cmpstr (ids, ==, "5");

  json_t *got = NULL;
  g_assert_false (rn_store_get_job (s, 4, &got, &error));
  g_assert_null (got);
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT);
  g_clear_error (&error);

  const char *alice[] = { "alice", NULL };
  RnStoreQuery q = { .users = alice };
  g_assert_null (rn_store_query (s, &q, 0, NULL, &error));
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT);
  g_clear_error (&error);
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*job 3: *");
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "*job 12: *");
  g_autoptr(GPtrArray) some = rn_store_query (s, &q, RN_STORE_READ_SKIP_CORRUPT, &skipped,
                                              &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_autofree char *ids2 = ids_of (some);
  g_assert_cmpstr (ids2, ==, "1,10,11");
  g_assert_cmpuint (skipped, ==, 2);
  g_assert_cmpint (rn_store_count_jobs (s, &q, &error), ==, 5);   /* counting parses nothing */

  /* Rewriting a job repairs its row. */
  put_ok (s, qjob (3, 0, -1, "alice", 1001, "gpu", "train", "RUNNING", 3000, 3000, 3005, -1));
  commit_ok (s);
  g_assert_true (rn_store_get_job (s, 3, &got, &error));
  g_assert_nonnull (got);
  json_decref (got);
  rn_store_free (s);
}

static void
test_invalid_records (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(RnStore) s = open_ok (f->path);
  const char *bad[] = {
    "[1, 2]",
    "{\"state\": \"PENDING\"}",
    "{\"job_id\": 0, \"state\": \"PENDING\"}",
    "{\"job_id\": 4294967296, \"state\": \"PENDING\"}",
    "{\"job_id\": \"7\", \"state\": \"PENDING\"}",
    "{\"job_id\": 7}",
    "{\"job_id\": 7, \"state\": \"\"}",
    "{\"job_id\": 7, \"state\": \"PENDING\", \"user\": 5}",
    "{\"job_id\": 7, \"state\": \"PENDING\", \"submit_time\": \"now\"}",
    "{\"job_id\": 7, \"state\": \"PENDING\", \"end_time\": 1.5}",
    "{\"job_id\": 7, \"state\": \"PENDING\", \"array_task_id\": [1]}",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      json_t *j = json_loads (bad[i], 0, NULL);
      g_assert_nonnull (j);
      g_assert_false (rn_store_put_job (s, j, &error));
      g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID);
      g_test_message ("%s -> %s", bad[i], error->message);
      json_decref (j);
      g_assert_false (rn_store_has_pending (s));
    }
  /* A failed put leaves the batch as it was. */
  g_autoptr(GError) error = NULL;
  put_ok (s, bulk_job (1));
  json_t *j = json_pack ("{s:i}", "job_id", 2);
  g_assert_false (rn_store_put_job (s, j, &error));
  json_decref (j);
  g_clear_error (&error);
  g_assert_cmpuint (rn_store_get_n_pending (s), ==, 1);
  g_assert_cmpuint (commit_ok (s), ==, 1);
}

/* Another writer holds the lock: the put fails after the busy timeout, nothing is pending,
 * and the store works again once the lock is gone. */
static void
test_busy (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  RnStoreOptions opts = { .sync = RN_STORE_SYNC_NORMAL, .busy_timeout_ms = 50 };
  g_autoptr(RnStore) s = rn_store_open (f->path, &opts, &error);
  g_assert_no_error (error);
  sqlite3 *other = NULL;
  g_assert_cmpint (sqlite3_open (f->path, &other), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (other, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  json_t *j = bulk_job (1);
  g_assert_false (rn_store_put_job (s, j, &error));
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_BUSY);
  g_assert_true (g_str_has_prefix (error->message, f->path));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (rn_store_has_pending (s));

  g_assert_cmpint (sqlite3_exec (other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (other);
  g_assert_true (rn_store_put_job (s, j, &error));
  json_decref (j);
  g_assert_cmpuint (commit_ok (s), ==, 1);
}

/* A write error that makes SQLite roll the whole transaction back (here a trigger doing
 * RAISE(ROLLBACK), standing for disk full or an I/O error) loses the batch: the next
 * commit says so and nothing of the batch is stored.  An error that undoes only its own
 * statement (RAISE(ABORT)) leaves the batch intact. */
static void
test_aborted_batch (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr(GError) error = NULL;
  rn_store_free (open_ok (f->path));
  raw_exec (f->path,
            "CREATE TRIGGER boom BEFORE INSERT ON jobs WHEN NEW.job_id = 666"
            " BEGIN SELECT RAISE(ROLLBACK, 'boom'); END;"
            "CREATE TRIGGER fizz BEFORE INSERT ON jobs WHEN NEW.job_id = 777"
            " BEGIN SELECT RAISE(ABORT, 'fizz'); END;");
  g_autoptr(RnStore) s = open_ok (f->path);

  /* Statement-level failure, first write of a batch: nothing pending, no lock kept. */
  json_t *fizz = json_pack ("{s:i, s:s}", "job_id", 777, "state", "PENDING");
  g_assert_false (rn_store_put_job (s, fizz, &error));
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "fizz"));
  g_clear_error (&error);
  g_assert_false (rn_store_has_pending (s));

  /* Statement-level failure inside a batch: the batch stays. */
  put_ok (s, bulk_job (1));
  g_assert_false (rn_store_put_job (s, fizz, &error));
  g_clear_error (&error);
  put_ok (s, bulk_job (2));
  g_assert_cmpuint (commit_ok (s), ==, 2);

  /* Transaction-level failure: the batch is lost, and the commit says so. */
  put_ok (s, bulk_job (3));
  g_assert_true (rn_store_set_next_job_id (s, 4, &error));
  json_t *boom = json_pack ("{s:i, s:s}", "job_id", 666, "state", "PENDING");
  g_assert_false (rn_store_put_job (s, boom, &error));
  g_assert_nonnull (strstr (error->message, "boom"));
  g_clear_error (&error);
  g_assert_true (rn_store_has_pending (s));
  put_ok (s, bulk_job (4));   /* joins the lost batch: not acknowledged either */
  guint n = 99;
  g_assert_false (rn_store_commit (s, &n, &error));
  g_assert_error (error, RN_STORE_ERROR, RN_STORE_ERROR_ABORTED);
  g_assert_nonnull (strstr (error->message, "boom"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (rn_store_has_pending (s));
  check_query (s, NULL, "1,2");
  guint32 next = 0;
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));
  g_assert_cmpuint (next, ==, 0);

  /* And the store goes on. */
  put_ok (s, bulk_job (5));
  g_assert_cmpuint (commit_ok (s), ==, 1);
  check_query (s, NULL, "1,2,5");
  json_decref (fizz);
  json_decref (boom);
}

/* ---- durability under SIGKILL ---------------------------------------------------------- */

static void
write_all (int fd, const void *buf, gsize len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t k = write (fd, p, len);
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        _exit (3);
      p += k;
      len -= (gsize) k;
    }
}

/* In the child: commits batches of jobs 1, 2, ... (each batch also sets the next job id),
 * writing the number of jobs committed to `fd` after each commit.  Batch i holds
 * 1 + i % max_batch jobs.  After n_commits commits (0: never stop) it puts `n_after` more
 * jobs without committing, writes G_MAXUINT32 and waits to be killed. */
static void G_GNUC_NORETURN
writer_child (const char *path, int fd, guint n_commits, guint max_batch, guint n_after)
{
  RnStore *s = rn_store_open (path, NULL, NULL);
  if (s == NULL)
    _exit (2);
  guint32 id = 1;
  for (guint c = 0; n_commits == 0 || c < n_commits; c++)
    {
      guint n = 1 + c % max_batch;
      for (guint k = 0; k < n; k++, id++)
        {
          json_t *j = bulk_job (id);
          if (!rn_store_put_job (s, j, NULL))
            _exit (4);
          json_decref (j);
        }
      if (!rn_store_set_next_job_id (s, id, NULL) || !rn_store_commit (s, NULL, NULL))
        _exit (5);
      guint32 done = id - 1;
      write_all (fd, &done, sizeof done);
    }
  for (guint k = 0; k < n_after; k++, id++)
    {
      json_t *j = bulk_job (id);
      if (!rn_store_put_job (s, j, NULL))
        _exit (4);
      json_decref (j);
    }
  guint32 marker = G_MAXUINT32;
  write_all (fd, &marker, sizeof marker);
  for (;;)
    pause ();
}

/* Reads one count from the child; FALSE at end of file. */
static gboolean
read_count (int fd, guint32 *out)
{
  gsize got = 0;
  while (got < sizeof *out)
    {
      ssize_t k = read (fd, (char *) out + got, sizeof *out - got);
      if (k < 0 && errno == EINTR)
        continue;
      if (k == 0)
        return FALSE;
      g_assert_cmpint (k, >, 0);
      got += (gsize) k;
    }
  return TRUE;
}

static void
kill_and_reap (pid_t pid)
{
  int status = 0;
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
}

/* Reopens the file after the crash: jobs 1..M are there, equal to what was written, and
 * nothing else; returns M.  The next job id was committed with them: M + 1. */
static guint32
check_after_crash (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RnStore) s = open_ok (path);
  g_autoptr(GPtrArray) all = rn_store_query (s, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      json_t *want = bulk_job (i + 1);
      g_assert_true (json_equal (all->pdata[i], want));
      json_decref (want);
    }
  guint32 next = 0;
  g_assert_true (rn_store_get_next_job_id (s, &next, &error));
  g_assert_cmpuint (next, ==, all->len + 1);
  return all->len;
}

static void
test_crash_after_commits (Fixture *f, gconstpointer data)
{
  (void) data;
  int fds[2];
  g_assert_cmpint (pipe (fds), ==, 0);
  pid_t pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      close (fds[0]);
      writer_child (f->path, fds[1], 40, 7, 25);
    }
  close (fds[1]);
  guint32 v = 0, acked = 0;
  guint n_reports = 0;
  while (read_count (fds[0], &v) && v != G_MAXUINT32)
    {
      g_assert_cmpuint (v, >, acked);
      acked = v;
      n_reports++;
    }
  g_assert_cmpuint (v, ==, G_MAXUINT32);   /* the child put the extra jobs and waits */
  kill_and_reap (pid);
  close (fds[0]);

  g_assert_cmpuint (n_reports, ==, 40);
  guint32 present = check_after_crash (f->path);
  g_test_message ("%u jobs acknowledged, %u present after SIGKILL (25 never committed)",
                  acked, present);
  g_assert_cmpuint (present, ==, acked);
}

static void
test_crash_random (Fixture *f, gconstpointer data)
{
  (void) data;
  for (int round = 0; round < 4; round++)
    {
      g_autofree char *path = g_strdup_printf ("%s.%d", f->path, round);
      int fds[2];
      g_assert_cmpint (pipe (fds), ==, 0);
      pid_t pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          writer_child (path, fds[1], 0, 3, 0);
        }
      close (fds[1]);
      guint32 v = 0, acked = 0;
      g_assert_true (read_count (fds[0], &v));   /* the child is writing */
      acked = v;
      gulong delay_us = (gulong) g_test_rand_int_range (1000, 200000);
      g_usleep (delay_us);
      kill_and_reap (pid);
      while (read_count (fds[0], &v))
        {
          g_assert_cmpuint (v, >, acked);
          acked = v;
        }
      close (fds[0]);

      guint32 present = check_after_crash (path);
      g_test_message ("round %d: killed after %.1f ms, %u jobs acknowledged, %u present",
                      round, delay_us / 1000.0, acked, present);
      g_assert_cmpuint (present, >=, acked);
      g_assert_cmpuint (present, <=, acked + 3);   /* at most one unreported commit */
      g_autofree char *wal = g_strconcat (path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (path, "-shm", NULL);
      g_unlink (wal);
      g_unlink (shm);
      g_unlink (path);
    }
}

/* ---- throughput (reported, not asserted) ----------------------------------------------- */

static void
throughput (const char *path, RnStoreSync sync, const char *label)
{
  g_autoptr(GError) error = NULL;
  RnStoreOptions opts = { .sync = sync };
  g_autoptr(RnStore) s = rn_store_open (path, &opts, &error);
  g_assert_no_error (error);
  static const guint sizes[] = { 1, 10, 100 };
  guint32 id = 1;
  for (gsize k = 0; k < G_N_ELEMENTS (sizes); k++)
    {
      gint64 t0 = g_get_monotonic_time (), t;
      guint commits = 0;
      do
        {
          for (guint i = 0; i < sizes[k]; i++)
            put_ok (s, bulk_job (id++));
          commit_ok (s);
          commits++;
          t = g_get_monotonic_time ();
        }
      while (commits < 2000 && t - t0 < 300000);
      double secs = (t - t0) / 1e6;
      g_test_message ("%s, %3u records per commit: %6.0f commits/s, %7.0f records/s "
                      "(%u commits in %.2f s)", label, sizes[k], commits / secs,
                      commits * sizes[k] / secs, commits, secs);
    }
}

static void
test_throughput (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_message ("directory: %s", f->dir);
  throughput (f->path, RN_STORE_SYNC_FULL, "synchronous=FULL");
  g_autofree char *other = g_build_filename (f->dir, "normal.db", NULL);
  throughput (other, RN_STORE_SYNC_NORMAL, "synchronous=NORMAL");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  TEST ("round-trip", test_round_trip);
  TEST ("upsert", test_upsert);
  TEST ("group-commit-10k", test_group_commit);
  TEST ("active-filter", test_active_filter);
  TEST ("query-ids", test_query_ids);
  TEST ("query-filters", test_query_filters);
  TEST ("query-window", test_query_window);
  TEST ("query-plans", test_query_plans);
  TEST ("meta", test_meta);
  TEST ("reopen-uncommitted", test_reopen_uncommitted);
  TEST ("purge", test_purge);
  TEST ("not-a-database", test_not_a_database);
  TEST ("schema-version", test_schema_version);
  TEST ("schema-upgrade", test_schema_upgrade);
  TEST ("requests", test_requests);
  TEST ("corrupt-rows", test_corrupt_rows);
  TEST ("invalid-records", test_invalid_records);
  TEST ("busy", test_busy);
  TEST ("aborted-batch", test_aborted_batch);
  TEST ("crash-after-commits", test_crash_after_commits);
  TEST ("crash-random", test_crash_random);
  TEST ("throughput", test_throughput);
  return g_test_run ();
}
