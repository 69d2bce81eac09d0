/* SPDX-License-Identifier: MIT */
/* realnet/store.c - the controller's durable state and accounting store on SQLite; the
 * contract (group commit, what a commit proves, reads) is in realnet/store.h.
 *
 * Two tables.  meta (key, value) holds schema_version and the controller's values.  jobs
 * holds one row per job: the whole record as compact JSON text plus the columns queries
 * filter on, copied out of the record at each put (job_id is the rowid).  Indexes: the
 * array job and task, uid, user, COALESCE(end_time, max) (a time window is "ended after S
 * or not ended", one range on that expression; purge uses it too) and a partial index of
 * the active jobs' ids, so that a restart reads only them.  The file is marked with
 * PRAGMA application_id 'SLCE' so that another program's SQLite file is refused.
 *
 * Writes go through statements prepared once at open.  The open transaction is tracked
 * here (in_txn); when a failed statement makes SQLite roll the transaction back on its own
 * (disk full, I/O errors), the batch is marked aborted and the next commit fails, so that
 * "commit returned TRUE" stays the only proof of durability.  Queries are built per call
 * from the filters given; lists are bound as one JSON array each and expanded with
 * json_each(), so a query is one prepared statement whatever the lengths of its lists. */
#include "realnet/store.h"

#include <stdarg.h>
#include <string.h>
#include <sqlite3.h>

#define APPLICATION_ID 0x534C4345   /* "SLCE" */
#define DEFAULT_BUSY_MS 5000
/* The end of a job for window queries: not ended sorts last.  The window test is written
 * as a two-sided range on it so that the planner, without statistics, prefers the index
 * to a scan in job-id order. */
#define END_MAX "9223372036854775807"
#define END_KEY "COALESCE(end_time, " END_MAX ")"
#define FINAL_STATES "'COMPLETED','FAILED','CANCELLED','TIMEOUT','NODE_FAIL','BOOT_FAIL'," \
                     "'DEADLINE','OUT_OF_MEMORY','PREEMPTED','REVOKED'"

static const char *const final_states[] = {
  "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "BOOT_FAIL", "DEADLINE",
  "OUT_OF_MEMORY", "PREEMPTED", "REVOKED", NULL,
};

/* Version 2: each job's request (script, environment) in a table of its own, written once at
 * submission instead of inside every rewrite of the record; a purged job takes its request
 * with it. */
#define REQUESTS_SQL \
  "CREATE TABLE requests (job_id INTEGER PRIMARY KEY, text TEXT NOT NULL);" \
  "CREATE TRIGGER jobs_purge_requests AFTER DELETE ON jobs" \
  " BEGIN DELETE FROM requests WHERE job_id = old.job_id; END;"

static const char schema_sql[] =
  "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
  "CREATE TABLE jobs ("
  "  job_id INTEGER PRIMARY KEY,"
  "  array_job_id INTEGER, array_task_id INTEGER,"
  "  uid INTEGER, \"user\" TEXT, \"partition\" TEXT, state TEXT NOT NULL, name TEXT,"
  "  submit_time INTEGER, eligible_time INTEGER, start_time INTEGER, end_time INTEGER,"
  "  record TEXT NOT NULL);"
  "CREATE INDEX jobs_array ON jobs (array_job_id, array_task_id);"
  "CREATE INDEX jobs_uid ON jobs (uid);"
  "CREATE INDEX jobs_user ON jobs (\"user\");"
  "CREATE INDEX jobs_end ON jobs (" END_KEY ");"
  "CREATE INDEX jobs_active ON jobs (job_id) WHERE state NOT IN (" FINAL_STATES ");"
  REQUESTS_SQL
  "PRAGMA application_id = 1397506885;"
  "INSERT INTO meta (key, value) VALUES ('schema_version', '2');";

G_STATIC_ASSERT (APPLICATION_ID == 1397506885);
G_STATIC_ASSERT (RN_STORE_SCHEMA_VERSION == 2);   /* schema_sql writes '2' */

/* A job's row, new or replacing another.  A known job's row goes through update_sql first,
 * which sets only the columns that change during a job's life: the ones the array, uid and
 * user indexes read stay as they are, and SQLite leaves those indexes alone (a record is
 * rewritten at least three times per job).  When it matches no row, put_sql. */
static const char put_sql[] =
  "INSERT INTO jobs (job_id, array_job_id, array_task_id, uid, \"user\", \"partition\","
  "  state, name, submit_time, eligible_time, start_time, end_time, record)"
  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
  " ON CONFLICT (job_id) DO UPDATE SET array_job_id = excluded.array_job_id,"
  "  array_task_id = excluded.array_task_id, uid = excluded.uid,"
  "  \"user\" = excluded.\"user\", \"partition\" = excluded.\"partition\","
  "  state = excluded.state, name = excluded.name, submit_time = excluded.submit_time,"
  "  eligible_time = excluded.eligible_time, start_time = excluded.start_time,"
  "  end_time = excluded.end_time, record = excluded.record";
static const char update_sql[] =
  "UPDATE jobs SET \"partition\" = ?6, state = ?7, name = ?8, submit_time = ?9,"
  "  eligible_time = ?10, start_time = ?11, end_time = ?12, record = ?13"
  " WHERE job_id = ?1 AND array_job_id IS ?2 AND array_task_id IS ?3 AND uid IS ?4"
  "  AND \"user\" IS ?5";
struct _RnStore {
  char         *path;
  sqlite3      *db;
  sqlite3_stmt *begin;
  sqlite3_stmt *commit;
  sqlite3_stmt *rollback;
  sqlite3_stmt *put;
  sqlite3_stmt *update;
  sqlite3_stmt *put_request;
  sqlite3_stmt *get_job;
  sqlite3_stmt *set_meta;
  sqlite3_stmt *get_meta;
  sqlite3_stmt *active;
  sqlite3_stmt *purge;
  gboolean      in_txn;        /* BEGIN done, COMMIT/ROLLBACK not yet */
  gboolean      aborted;       /* SQLite rolled back a batch that held writes */
  char         *abort_reason;
  guint         n_pending;     /* writes since the last commit */
  guint         n_jobs;        /* of which put_job calls */
};

G_DEFINE_QUARK (rn-store-error-quark, rn_store_error)

/* ---- errors ---------------------------------------------------------------------------- */

static gint
code_for (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      return RN_STORE_ERROR_NOT_DATABASE;
    case SQLITE_CORRUPT:
      return RN_STORE_ERROR_CORRUPT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return RN_STORE_ERROR_BUSY;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_NOLFS:
    case SQLITE_PROTOCOL:
      return RN_STORE_ERROR_IO;
    default:
      return RN_STORE_ERROR_FAILED;
    }
}

/* Sets `error` from SQLite's result `rc`: "PATH: WHAT: message" (no WHAT when NULL). */
static gboolean
fail_sql (RnStore *s, GError **error, int rc, const char *what)
{
  const char *msg = (s->db && sqlite3_errcode (s->db) == rc) ? sqlite3_errmsg (s->db)
                                                             : sqlite3_errstr (rc);
  if (what)
    g_set_error (error, RN_STORE_ERROR, code_for (rc), "%s: %s: %s", s->path, what, msg);
  else
    g_set_error (error, RN_STORE_ERROR, code_for (rc), "%s: %s", s->path, msg);
  return FALSE;
}

/* Steps a statement that returns no rows, then resets it. */
static gboolean
run (RnStore *s, sqlite3_stmt *st, const char *what, GError **error)
{
  int rc = sqlite3_step (st);
  gboolean ok = rc == SQLITE_DONE || rc == SQLITE_ROW;
  if (!ok)
    fail_sql (s, error, rc, what);
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  return ok;
}

static gboolean
prepare (RnStore *s, const char *sql, sqlite3_stmt **st, gboolean persistent, GError **error)
{
  int rc = sqlite3_prepare_v3 (s->db, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0,
                               st, NULL);
  if (rc != SQLITE_OK)
    {
      *st = NULL;
      return fail_sql (s, error, rc, "prepare");
    }
  return TRUE;
}

/* ---- transactions ---------------------------------------------------------------------- */

static void
reset_batch (RnStore *s)
{
  s->in_txn = FALSE;
  s->aborted = FALSE;
  g_clear_pointer (&s->abort_reason, g_free);
  s->n_pending = 0;
  s->n_jobs = 0;
}

static gboolean
ensure_txn (RnStore *s, GError **error)
{
  if (s->in_txn)
    return TRUE;
  if (!run (s, s->begin, "begin", error))
    return FALSE;
  s->in_txn = TRUE;
  return TRUE;
}

/* After a write statement failed with `err`: if SQLite rolled the transaction back, the
 * batch is lost (aborted, reported by the next commit); if it is still open but holds no
 * write, it is closed so that no lock is kept for nothing. */
static void
write_failed (RnStore *s, const GError *err)
{
  if (!s->in_txn)
    return;
  if (sqlite3_get_autocommit (s->db))
    {
      s->in_txn = FALSE;
      if (s->n_pending > 0 && !s->aborted)
        {
          gsize n = strlen (s->path);
          const char *m = err->message;
          if (strncmp (m, s->path, n) == 0 && m[n] == ':' && m[n + 1] == ' ')
            m += n + 2;   /* the commit's message names the path once */
          s->aborted = TRUE;
          s->abort_reason = g_strdup (m);
        }
    }
  else if (s->n_pending == 0 && !s->aborted)
    {
      sqlite3_step (s->rollback);
      sqlite3_reset (s->rollback);
      s->in_txn = FALSE;
    }
}

gboolean
rn_store_commit (RnStore *s, guint *n_jobs, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_jobs)
    *n_jobs = 0;
  if (s->aborted)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_ABORTED,
                   "%s: commit: the batch was rolled back by an earlier error (%s); "
                   "none of its %u writes was stored", s->path, s->abort_reason,
                   s->n_pending);
      rn_store_rollback (s);
      return FALSE;
    }
  if (!s->in_txn)
    {
      reset_batch (s);
      return TRUE;
    }
  if (!run (s, s->commit, "commit", error))
    {
      if (!sqlite3_get_autocommit (s->db))
        {
          sqlite3_step (s->rollback);
          sqlite3_reset (s->rollback);
        }
      reset_batch (s);
      return FALSE;
    }
  if (n_jobs)
    *n_jobs = s->n_jobs;
  reset_batch (s);
  return TRUE;
}

void
rn_store_rollback (RnStore *s)
{
  g_return_if_fail (s != NULL);
  if (s->in_txn && !sqlite3_get_autocommit (s->db))
    {
      sqlite3_step (s->rollback);
      sqlite3_reset (s->rollback);
    }
  reset_batch (s);
}

gboolean
rn_store_has_pending (const RnStore *s)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return s->n_pending > 0;
}

guint
rn_store_get_n_pending (const RnStore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->n_pending;
}

/* ---- open and close -------------------------------------------------------------------- */

/* Runs a one-row, one-column statement; *out gets the integer (or text when text_out). */
static gboolean
query_one (RnStore *s, const char *sql, gint64 *out, char **text_out, int *rc_out,
           GError **error)
{
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v2 (s->db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (st);
      if (rc == SQLITE_ROW)
        {
          if (out)
            *out = sqlite3_column_int64 (st, 0);
          if (text_out)
            *text_out = g_strdup ((const char *) sqlite3_column_text (st, 0));
          rc = SQLITE_OK;
        }
      else if (rc == SQLITE_DONE)
        rc = SQLITE_OK;
    }
  if (rc_out)
    *rc_out = rc;
  if (rc != SQLITE_OK)
    fail_sql (s, error, rc, NULL);
  sqlite3_finalize (st);
  return rc == SQLITE_OK;
}

/* Inside BEGIN IMMEDIATE: creates the schema in an empty file, or checks that the file is
 * ours and of a version we read. */
static gboolean
check_schema (RnStore *s, GError **error)
{
  gint64 n_objects = 0, has_meta = 0, app_id = 0;
  if (!query_one (s, "SELECT count(*) FROM sqlite_master", &n_objects, NULL, NULL, error))
    return FALSE;
  if (n_objects == 0)
    {
      char *msg = NULL;
      int rc = sqlite3_exec (s->db, schema_sql, NULL, NULL, &msg);
      if (rc != SQLITE_OK)
        {
          g_set_error (error, RN_STORE_ERROR, code_for (rc), "%s: creating the tables: %s",
                       s->path, msg ? msg : sqlite3_errstr (rc));
          sqlite3_free (msg);
          return FALSE;
        }
      return TRUE;
    }
  if (!query_one (s, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                  " AND name = 'meta'", &has_meta, NULL, NULL, error)
      || !query_one (s, "PRAGMA application_id", &app_id, NULL, NULL, error))
    return FALSE;
  if (!has_meta || app_id != APPLICATION_ID)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_NOT_DATABASE,
                   "%s: not a sluice state database (a SQLite database of another program)",
                   s->path);
      return FALSE;
    }

  g_autofree char *version = NULL;
  g_autoptr(GError) local = NULL;
  int rc = SQLITE_OK;
  if (!query_one (s, "SELECT value FROM meta WHERE key = 'schema_version'", NULL, &version,
                  &rc, &local))
    {
      if ((rc & 0xff) == SQLITE_ERROR)
        g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_NOT_DATABASE,
                     "%s: not a sluice state database (%s)", s->path, local->message);
      else
        g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  guint64 v = 0;
  if (version == NULL)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_VERSION,
                   "%s: no schema version in the meta table", s->path);
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (version, 10, 1, G_MAXUINT32, &v, NULL))
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_VERSION,
                   "%s: unknown schema version '%s'", s->path, version);
      return FALSE;
    }
  if (v > RN_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_VERSION,
                   "%s: schema version %" G_GUINT64_FORMAT " is newer than this sluice "
                   "supports (%d); use a newer sluice or move the file away",
                   s->path, v, RN_STORE_SCHEMA_VERSION);
      return FALSE;
    }
  if (v == 1)
    {
      /* Version 1 kept the request inside the record (as "_request_text"), where
       * decode_row still finds it. */
      char *msg = NULL;
      int urc = sqlite3_exec (s->db, REQUESTS_SQL
                              "UPDATE meta SET value = '2' WHERE key = 'schema_version';",
                              NULL, NULL, &msg);
      if (urc != SQLITE_OK)
        {
          g_set_error (error, RN_STORE_ERROR, code_for (urc),
                       "%s: upgrading the schema from version 1: %s", s->path,
                       msg ? msg : sqlite3_errstr (urc));
          sqlite3_free (msg);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
open_db (RnStore *s, const RnStoreOptions *opts, GError **error)
{
  int rc = sqlite3_open_v2 (s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            NULL);
  if (rc != SQLITE_OK)
    return fail_sql (s, error, rc, NULL);
  sqlite3_extended_result_codes (s->db, 1);
  sqlite3_busy_timeout (s->db, opts->busy_timeout_ms ? (int) MIN (opts->busy_timeout_ms,
                                                                  (guint) G_MAXINT)
                                                     : DEFAULT_BUSY_MS);

  /* The first read of the file: "file is not a database" shows here. */
  g_autofree char *mode = NULL;
  if (!query_one (s, "PRAGMA journal_mode = WAL", NULL, &mode, NULL, error))
    return FALSE;
  if (mode == NULL || g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_IO,
                   "%s: cannot use the WAL journal (journal mode is '%s')", s->path,
                   mode ? mode : "?");
      return FALSE;
    }
  const char *sync = opts->sync == RN_STORE_SYNC_NORMAL ? "PRAGMA synchronous = NORMAL"
                                                        : "PRAGMA synchronous = FULL";
  rc = sqlite3_exec (s->db, sync, NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return fail_sql (s, error, rc, NULL);

  rc = sqlite3_exec (s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    return fail_sql (s, error, rc, NULL);
  if (!check_schema (s, error))
    {
      sqlite3_exec (s->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  rc = sqlite3_exec (s->db, "COMMIT", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      fail_sql (s, error, rc, NULL);
      sqlite3_exec (s->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  return prepare (s, "BEGIN IMMEDIATE", &s->begin, TRUE, error)
    && prepare (s, "COMMIT", &s->commit, TRUE, error)
    && prepare (s, "ROLLBACK", &s->rollback, TRUE, error)
    && prepare (s, put_sql, &s->put, TRUE, error)
    && prepare (s, update_sql, &s->update, TRUE, error)
    && prepare (s, "INSERT INTO requests (job_id, text) VALUES (?1, ?2)"
                " ON CONFLICT (job_id) DO UPDATE SET text = excluded.text", &s->put_request,
                TRUE, error)
    && prepare (s, "SELECT job_id, record, requests.text FROM jobs"
                " LEFT JOIN requests USING (job_id) WHERE job_id = ?1", &s->get_job, TRUE,
                error)
    && prepare (s, "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value", &s->set_meta, TRUE,
                error)
    && prepare (s, "SELECT value FROM meta WHERE key = ?1", &s->get_meta, TRUE, error)
    && prepare (s, "SELECT job_id, record, requests.text FROM jobs"
                " LEFT JOIN requests USING (job_id) WHERE state NOT IN (" FINAL_STATES ")"
                " ORDER BY job_id", &s->active, TRUE, error)
    && prepare (s, "DELETE FROM jobs WHERE state IN (" FINAL_STATES ")"
                " AND " END_KEY " < ?1", &s->purge, TRUE, error);
}

RnStore *
rn_store_open (const char *path, const RnStoreOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  static const RnStoreOptions defaults = { RN_STORE_SYNC_FULL, 0 };
  g_autoptr(RnStore) s = g_new0 (RnStore, 1);
  s->path = g_strdup (path);
  if (!open_db (s, opts ? opts : &defaults, error))
    return NULL;
  return g_steal_pointer (&s);
}

void
rn_store_free (RnStore *s)
{
  if (s == NULL)
    return;
  if (s->db && s->in_txn)
    rn_store_rollback (s);
  sqlite3_stmt **stmts[] = { &s->begin, &s->commit, &s->rollback, &s->put, &s->update,
                             &s->put_request,
                             &s->get_job,
                             &s->set_meta, &s->get_meta, &s->active, &s->purge };
  for (gsize i = 0; i < G_N_ELEMENTS (stmts); i++)
    {
      sqlite3_finalize (*stmts[i]);
      *stmts[i] = NULL;
    }
  sqlite3_close_v2 (s->db);
  g_free (s->abort_reason);
  g_free (s->path);
  g_free (s);
}

const char *
rn_store_get_path (const RnStore *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return s->path;
}

/* ---- writes ---------------------------------------------------------------------------- */

static gboolean
field_int (json_t *job, guint32 id, const char *key, sqlite3_stmt *st, int col,
           GError **error)
{
  json_t *v = json_object_get (job, key);
  if (v == NULL || json_is_null (v))
    sqlite3_bind_null (st, col);
  else if (json_is_integer (v))
    sqlite3_bind_int64 (st, col, json_integer_value (v));
  else
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID,
                   "job %u: %s must be an integer or null", id, key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
field_str (json_t *job, guint32 id, const char *key, sqlite3_stmt *st, int col,
           GError **error)
{
  json_t *v = json_object_get (job, key);
  if (v == NULL || json_is_null (v))
    sqlite3_bind_null (st, col);
  else if (json_is_string (v))
    sqlite3_bind_text (st, col, json_string_value (v), (int) json_string_length (v),
                       SQLITE_STATIC);
  else
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID,
                   "job %u: %s must be a string or null", id, key);
      return FALSE;
    }
  return TRUE;
}

/* Reads job_id (1 .. 2^32-1) out of a record; FALSE with RN_STORE_ERROR_INVALID. */
static gboolean
record_job_id (json_t *job, guint32 *id, GError **error)
{
  json_t *v = json_object_get (job, "job_id");
  if (!json_is_integer (v) || json_integer_value (v) < 1
      || json_integer_value (v) > (json_int_t) G_MAXUINT32)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID,
                   "job record: job_id must be an integer from 1 to 4294967295");
      return FALSE;
    }
  *id = (guint32) json_integer_value (v);
  return TRUE;
}

gboolean
rn_store_put_job (RnStore *s, json_t *job, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  guint32 id = 0;
  if (!json_is_object (job))
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID,
                   "job record: not a JSON object");
      return FALSE;
    }
  if (!record_job_id (job, &id, error))
    return FALSE;
  json_t *state = json_object_get (job, "state");
  if (!json_is_string (state) || json_string_length (state) == 0)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID,
                   "job %u: state must be a non-empty string", id);
      return FALSE;
    }
  char *text = json_dumps (job, JSON_COMPACT);
  if (text == NULL)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_INVALID,
                   "job %u: the record cannot be encoded as JSON", id);
      return FALSE;
    }

  gboolean ok = TRUE, updated = FALSE;
  g_autoptr(GError) local = NULL;
  sqlite3_stmt *stmts[] = { s->update, s->put };
  for (guint k = 0; k < G_N_ELEMENTS (stmts) && ok && !updated; k++)
    {
      sqlite3_stmt *st = stmts[k];
      ok = sqlite3_bind_int64 (st, 1, id) == SQLITE_OK
        && field_int (job, id, "array_job_id", st, 2, error)
        && field_int (job, id, "array_task_id", st, 3, error)
        && field_int (job, id, "uid", st, 4, error)
        && field_str (job, id, "user", st, 5, error)
        && field_str (job, id, "partition", st, 6, error)
        && field_str (job, id, "state", st, 7, error)
        && field_str (job, id, "name", st, 8, error)
        && field_int (job, id, "submit_time", st, 9, error)
        && field_int (job, id, "eligible_time", st, 10, error)
        && field_int (job, id, "start_time", st, 11, error)
        && field_int (job, id, "end_time", st, 12, error);
      if (!ok)
        {
          sqlite3_clear_bindings (st);
          free (text);
          return FALSE;
        }
      sqlite3_bind_text (st, 13, text, -1, SQLITE_STATIC);
      ok = ensure_txn (s, &local) && run (s, st, "put job", &local);
      sqlite3_clear_bindings (st);
      updated = ok && sqlite3_changes (s->db) > 0;
    }
  free (text);
  if (!ok)
    {
      write_failed (s, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  s->n_pending++;
  s->n_jobs++;
  return TRUE;
}

gboolean
rn_store_put_request (RnStore *s, guint32 job_id, const char *text, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autoptr(GError) local = NULL;
  sqlite3_bind_int64 (s->put_request, 1, job_id);
  sqlite3_bind_text (s->put_request, 2, text, -1, SQLITE_STATIC);
  gboolean ok = ensure_txn (s, &local) && run (s, s->put_request, "put request", &local);
  sqlite3_clear_bindings (s->put_request);
  if (!ok)
    {
      write_failed (s, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  s->n_pending++;
  return TRUE;
}

gboolean
rn_store_set_meta (RnStore *s, const char *key, const char *value, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (!g_str_has_prefix (key, "schema"), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_autoptr(GError) local = NULL;
  sqlite3_bind_text (s->set_meta, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (s->set_meta, 2, value, -1, SQLITE_STATIC);
  gboolean ok = ensure_txn (s, &local) && run (s, s->set_meta, "set meta", &local);
  sqlite3_clear_bindings (s->set_meta);
  if (!ok)
    {
      write_failed (s, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  s->n_pending++;
  return TRUE;
}

gboolean
rn_store_set_next_job_id (RnStore *s, guint32 next_id, GError **error)
{
  g_return_val_if_fail (next_id > 0, FALSE);
  char buf[16];
  g_snprintf (buf, sizeof buf, "%u", next_id);
  return rn_store_set_meta (s, RN_STORE_META_NEXT_JOB_ID, buf, error);
}

gboolean
rn_store_purge (RnStore *s, gint64 before, guint64 *n_purged, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_purged)
    *n_purged = 0;
  g_autoptr(GError) local = NULL;
  sqlite3_bind_int64 (s->purge, 1, before);
  gboolean ok = ensure_txn (s, &local) && run (s, s->purge, "purge", &local);
  if (!ok)
    {
      write_failed (s, local);
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (n_purged)
    *n_purged = (guint64) sqlite3_changes64 (s->db);
  s->n_pending++;
  return TRUE;
}

/* ---- reads ----------------------------------------------------------------------------- */

gboolean
rn_store_get_meta (RnStore *s, const char *key, char **value, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (key != NULL && value != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *value = NULL;
  sqlite3_bind_text (s->get_meta, 1, key, -1, SQLITE_STATIC);
  int rc = sqlite3_step (s->get_meta);
  gboolean ok = TRUE;
  if (rc == SQLITE_ROW)
    {
      const char *t = (const char *) sqlite3_column_text (s->get_meta, 0);
      *value = g_strdup (t ? t : "");
    }
  else if (rc != SQLITE_DONE)
    ok = fail_sql (s, error, rc, "get meta");
  sqlite3_reset (s->get_meta);
  sqlite3_clear_bindings (s->get_meta);
  return ok;
}

gboolean
rn_store_get_next_job_id (RnStore *s, guint32 *next_id, GError **error)
{
  g_return_val_if_fail (next_id != NULL, FALSE);
  *next_id = 0;
  g_autofree char *text = NULL;
  if (!rn_store_get_meta (s, RN_STORE_META_NEXT_JOB_ID, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  guint64 v = 0;
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &v, NULL))
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT,
                   "%s: meta %s: '%s' is not a job id", s->path, RN_STORE_META_NEXT_JOB_ID,
                   text);
      return FALSE;
    }
  *next_id = (guint32) v;
  return TRUE;
}

/* Parses the (job_id, record[, request]) row `st` is on: the request, when the row has one,
 * becomes the record's "_request_text".  Returns (transfer full) the record, or NULL with
 * RN_STORE_ERROR_CORRUPT naming the job. */
static json_t *
decode_row (RnStore *s, sqlite3_stmt *st, GError **error)
{
  gint64 id = sqlite3_column_int64 (st, 0);
  const char *text = (const char *) sqlite3_column_text (st, 1);
  gsize len = (gsize) sqlite3_column_bytes (st, 1);
  const char *why = NULL;
  json_error_t jerr;
  json_t *job = NULL;

  if (text == NULL)
    why = "the record is missing";
  else if ((job = json_loadb (text, len, 0, &jerr)) == NULL)
    {
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT,
                   "%s: job %" G_GINT64_FORMAT ": the record is not valid JSON: %s "
                   "(at character %d)", s->path, id, jerr.text, jerr.position);
      return NULL;
    }
  else if (!json_is_object (job))
    why = "the record is not a JSON object";
  else
    {
      json_t *jid = json_object_get (job, "job_id");
      if (!json_is_integer (jid) || json_integer_value (jid) != id)
        why = "the record's job_id is not the row's";
      else if (sqlite3_column_count (st) > 2 && sqlite3_column_type (st, 2) == SQLITE_TEXT)
        json_object_set_new (job, "_request_text",
                             json_stringn ((const char *) sqlite3_column_text (st, 2),
                                           (size_t) sqlite3_column_bytes (st, 2)));
    }
  if (why)
    {
      json_decref (job);
      g_set_error (error, RN_STORE_ERROR, RN_STORE_ERROR_CORRUPT,
                   "%s: job %" G_GINT64_FORMAT ": %s", s->path, id, why);
      return NULL;
    }
  return job;
}

/* Steps `st` (selecting job_id, record) to the end or until `func` says stop, then resets
 * it. */
static gboolean
read_rows (RnStore *s, sqlite3_stmt *st, RnStoreReadFlags flags, RnStoreJobFunc func,
           gpointer user_data, guint *n_skipped, GError **error)
{
  guint skipped = 0;
  gboolean ok = TRUE;
  for (;;)
    {
      int rc = sqlite3_step (st);
      if (rc == SQLITE_DONE)
        break;
      if (rc != SQLITE_ROW)
        {
          ok = fail_sql (s, error, rc, "read jobs");
          break;
        }
      g_autoptr(GError) local = NULL;
      json_t *job = decode_row (s, st, &local);
      if (job == NULL)
        {
          if (flags & RN_STORE_READ_SKIP_CORRUPT)
            {
              g_warning ("%s; skipped", local->message);
              skipped++;
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local));
          ok = FALSE;
          break;
        }
      gboolean more = func (job, user_data);
      json_decref (job);
      if (!more)
        break;
    }
  sqlite3_reset (st);
  if (n_skipped)
    *n_skipped = skipped;
  return ok;
}

gboolean
rn_store_get_job (RnStore *s, guint32 job_id, json_t **job, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *job = NULL;
  sqlite3_bind_int64 (s->get_job, 1, job_id);
  int rc = sqlite3_step (s->get_job);
  gboolean ok = TRUE;
  if (rc == SQLITE_ROW)
    ok = (*job = decode_row (s, s->get_job, error)) != NULL;
  else if (rc != SQLITE_DONE)
    ok = fail_sql (s, error, rc, "get job");
  sqlite3_reset (s->get_job);
  return ok;
}

gboolean
rn_store_foreach_active (RnStore *s, RnStoreReadFlags flags, RnStoreJobFunc func,
                         gpointer user_data, guint *n_skipped, GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return read_rows (s, s->active, flags, func, user_data, n_skipped, error);
}

static gboolean
collect (json_t *job, gpointer user_data)
{
  g_ptr_array_add (user_data, json_incref (job));
  return TRUE;
}

static void
decref (gpointer p)
{
  json_decref (p);
}

GPtrArray *
rn_store_load_active (RnStore *s, RnStoreReadFlags flags, guint *n_skipped, GError **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (decref);
  if (!rn_store_foreach_active (s, flags, collect, jobs, n_skipped, error))
    return NULL;
  return g_steal_pointer (&jobs);
}

/* ---- accounting queries ---------------------------------------------------------------- */

/* A query under construction: SQL text and its parameters (?1, ?2 ... in order). */
typedef struct {
  GString   *sql;
  GPtrArray *texts;   /* parameter i + 1 is texts[i] when non-NULL ... */
  GArray    *ints;    /* ... else ints[i] */
  gboolean   where;   /* a WHERE has been written */
} Builder;

static int
param_text (Builder *b, char *text /* transfer full */)
{
  gint64 zero = 0;
  g_ptr_array_add (b->texts, text);
  g_array_append_val (b->ints, zero);
  return (int) b->texts->len;
}

static int
param_int (Builder *b, gint64 v)
{
  g_ptr_array_add (b->texts, NULL);
  g_array_append_val (b->ints, v);
  return (int) b->texts->len;
}

/* A JSON array parameter (json_each input); takes `array`. */
static int
param_json (Builder *b, json_t *array)
{
  char *text = json_dumps (array, JSON_COMPACT);
  json_decref (array);
  char *copy = g_strdup (text ? text : "[]");
  free (text);
  return param_text (b, copy);
}

static int
param_strv (Builder *b, const char *const *v)
{
  json_t *a = json_array ();
  for (; *v; v++)
    json_array_append_new (a, json_string (*v));   /* invalid UTF-8: matches nothing */
  return param_json (b, a);
}

static void
cond (Builder *b, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
cond (Builder *b, const char *format, ...)
{
  va_list ap;
  g_string_append (b->sql, b->where ? " AND " : " WHERE ");
  b->where = TRUE;
  va_start (ap, format);
  g_string_append_vprintf (b->sql, format, ap);
  va_end (ap);
}

static gboolean
is_final (const char *state)
{
  return g_strv_contains (final_states, state);
}

static void
cond_jobs (Builder *b, const RnStoreQuery *q)
{
  json_t *ids = json_array (), *tasks = json_array ();
  for (gsize i = 0; i < q->n_jobs; i++)
    if (q->jobs[i].array_task_id < 0)
      json_array_append_new (ids, json_integer (q->jobs[i].job_id));
    else
      json_array_append_new (tasks, json_pack ("[I, I]", (json_int_t) q->jobs[i].job_id,
                                               (json_int_t) q->jobs[i].array_task_id));
  GString *c = g_string_new ("(");
  if (json_array_size (ids) > 0)
    {
      int p = param_json (b, json_incref (ids));
      g_string_append_printf (c, "job_id IN (SELECT value FROM json_each(?%d))"
                              " OR array_job_id IN (SELECT value FROM json_each(?%d))",
                              p, p);
    }
  if (json_array_size (tasks) > 0)
    {
      int p = param_json (b, json_incref (tasks));
      g_string_append_printf (c, "%s(array_job_id, array_task_id) IN (SELECT"
                              " json_extract(value, '$[0]'), json_extract(value, '$[1]')"
                              " FROM json_each(?%d))", c->len > 1 ? " OR " : "", p);
    }
  g_string_append_c (c, ')');
  cond (b, "%s", c->str);
  g_string_free (c, TRUE);
  json_decref (ids);
  json_decref (tasks);
}

static void
cond_users (Builder *b, const RnStoreQuery *q)
{
  gboolean names = q->users && q->users[0];
  GString *c = g_string_new ("(");
  if (q->n_uids > 0)
    {
      json_t *a = json_array ();
      for (gsize i = 0; i < q->n_uids; i++)
        json_array_append_new (a, json_integer (q->uids[i]));
      g_string_append_printf (c, "uid IN (SELECT value FROM json_each(?%d))",
                              param_json (b, a));
    }
  if (names)
    g_string_append_printf (c, "%s\"user\" IN (SELECT value FROM json_each(?%d))",
                            c->len > 1 ? " OR " : "", param_strv (b, q->users));
  g_string_append_c (c, ')');
  cond (b, "%s", c->str);
  g_string_free (c, TRUE);
}

/* States within a window, per state as sacct does (see RnStoreQuery). */
static void
cond_states_window (Builder *b, const char *const *states, int ps, int pe)
{
  GString *c = g_string_new ("(");
  for (const char *const *st = states; *st; st++)
    {
      if (c->len > 1)
        g_string_append (c, " OR ");
      if (strcmp (*st, "PENDING") == 0)
        g_string_append_printf (c, "(eligible_time IS NOT NULL AND eligible_time < ?%d"
                                " AND ((start_time IS NOT NULL AND start_time > ?%d)"
                                " OR (start_time IS NULL AND end_time > ?%d)"
                                " OR (start_time IS NULL AND end_time IS NULL"
                                " AND state = 'PENDING')))", pe, ps, ps);
      else if (strcmp (*st, "RUNNING") == 0)
        g_string_append_printf (c, "(start_time IS NOT NULL AND start_time < ?%d"
                                " AND (end_time > ?%d OR (end_time IS NULL"
                                " AND state = 'RUNNING')))", pe, ps);
      else if (is_final (*st))
        g_string_append_printf (c, "(state = ?%d AND end_time BETWEEN ?%d AND ?%d)",
                                param_text (b, g_strdup (*st)), ps, pe);
      else
        g_string_append_printf (c, "state = ?%d", param_text (b, g_strdup (*st)));
    }
  g_string_append_c (c, ')');
  cond (b, "%s", c->str);
  g_string_free (c, TRUE);
}

static void
build_where (Builder *b, const RnStoreQuery *q)
{
  if (q == NULL)
    return;
  gboolean window = q->start != 0 || q->end != 0;
  gboolean states = q->states && q->states[0];
  int ps = 0, pe = 0;
  if (window)
    {
      ps = param_int (b, q->start != 0 ? q->start : G_MININT64);
      pe = param_int (b, q->end != 0 ? q->end : G_MAXINT64);
    }
  if (q->n_jobs > 0)
    cond_jobs (b, q);
  if (q->n_uids > 0 || (q->users && q->users[0]))
    cond_users (b, q);
  if (q->partitions && q->partitions[0])
    cond (b, "\"partition\" IN (SELECT value FROM json_each(?%d))",
          param_strv (b, q->partitions));
  if (q->names && q->names[0])
    cond (b, "name IN (SELECT value FROM json_each(?%d))", param_strv (b, q->names));
  if (states && window)
    cond_states_window (b, q->states, ps, pe);
  else if (states)
    cond (b, "state IN (SELECT value FROM json_each(?%d))", param_strv (b, q->states));
  else if (window && q->n_jobs > 0)
    cond (b, "submit_time <= ?%d AND " END_KEY " BETWEEN ?%d AND " END_MAX, pe, ps);
  else if (window)
    cond (b, "eligible_time IS NOT NULL AND eligible_time < ?%d"
          " AND " END_KEY " BETWEEN ?%d AND " END_MAX, pe, ps);
}

/* Prepares `head` + the WHERE of `q` + `tail` with its parameters bound. */
static sqlite3_stmt *
build (RnStore *s, const char *head, const RnStoreQuery *q, const char *tail,
       GError **error)
{
  Builder b = {
    .sql = g_string_new (head),
    .texts = g_ptr_array_new_with_free_func (g_free),
    .ints = g_array_new (FALSE, FALSE, sizeof (gint64)),
  };
  build_where (&b, q);
  g_string_append (b.sql, tail);

  sqlite3_stmt *st = NULL;
  if (prepare (s, b.sql->str, &st, FALSE, error))
    for (guint i = 0; i < b.texts->len; i++)
      {
        const char *t = g_ptr_array_index (b.texts, i);
        if (t)
          sqlite3_bind_text (st, (int) i + 1, t, -1, SQLITE_TRANSIENT);
        else
          sqlite3_bind_int64 (st, (int) i + 1, g_array_index (b.ints, gint64, i));
      }
  g_string_free (b.sql, TRUE);
  g_ptr_array_unref (b.texts);
  g_array_unref (b.ints);
  return st;
}

gboolean
rn_store_query_foreach (RnStore *s, const RnStoreQuery *q, RnStoreReadFlags flags,
                        RnStoreJobFunc func, gpointer user_data, guint *n_skipped,
                        GError **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (q == NULL || q->n_jobs == 0 || q->jobs != NULL, FALSE);
  g_return_val_if_fail (q == NULL || q->n_uids == 0 || q->uids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_skipped)
    *n_skipped = 0;
  sqlite3_stmt *st = build (s, "SELECT job_id, record FROM jobs", q, " ORDER BY job_id",
                            error);
  if (st == NULL)
    return FALSE;
  gboolean ok = read_rows (s, st, flags, func, user_data, n_skipped, error);
  sqlite3_finalize (st);
  return ok;
}

GPtrArray *
rn_store_query (RnStore *s, const RnStoreQuery *q, RnStoreReadFlags flags,
                guint *n_skipped, GError **error)
{
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func (decref);
  if (!rn_store_query_foreach (s, q, flags, collect, jobs, n_skipped, error))
    return NULL;
  return g_steal_pointer (&jobs);
}

gint64
rn_store_count_jobs (RnStore *s, const RnStoreQuery *q, GError **error)
{
  g_return_val_if_fail (s != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  sqlite3_stmt *st = build (s, "SELECT count(*) FROM jobs", q, "", error);
  if (st == NULL)
    return -1;
  gint64 n = -1;
  int rc = sqlite3_step (st);
  if (rc == SQLITE_ROW)
    n = sqlite3_column_int64 (st, 0);
  else
    fail_sql (s, error, rc, "count jobs");
  sqlite3_finalize (st);
  return n;
}

char *
rn_store__query_plan (RnStore *s, const RnStoreQuery *q, GError **error)
{
  g_return_val_if_fail (s != NULL, NULL);
  sqlite3_stmt *st = build (s, "EXPLAIN QUERY PLAN SELECT job_id, record FROM jobs", q,
                            " ORDER BY job_id", error);
  if (st == NULL)
    return NULL;
  GString *plan = g_string_new (NULL);
  int rc;
  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    g_string_append_printf (plan, "%s\n", (const char *) sqlite3_column_text (st, 3));
  sqlite3_finalize (st);
  if (rc != SQLITE_DONE)
    {
      g_string_free (plan, TRUE);
      g_set_error (error, RN_STORE_ERROR, code_for (rc), "%s: query plan: %s", s->path,
                   sqlite3_errstr (rc));
      return NULL;
    }
  return g_string_free (plan, FALSE);
}
