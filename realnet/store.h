/* SPDX-License-Identifier: MIT */
/* realnet/store.h - the controller's durable state and accounting store (SQLite).
 *
 * One file, StateSaveLocation/state.db (docs/realnet.md, "State and accounting"), holds
 * every job record the controller ever wrote, keyed by job id, plus a few meta values (the
 * next job id, the cluster name).  The controller writes a record before it acknowledges
 * a submission and again at each state change; at restart it reads back the jobs that are
 * not finished and the next job id; `sacct` (acct_query) reads any record ever written.
 *
 * Transactions: group commit.  Writes (rn_store_put_job, rn_store_set_meta and friends,
 * rn_store_purge) are not durable when they return: the first write after a commit opens
 * a transaction (BEGIN IMMEDIATE) and later writes join it.  rn_store_commit makes the
 * whole batch durable with one COMMIT (one fsync of the write-ahead log with the default
 * RN_STORE_SYNC_FULL).  The controller's main loop therefore does, per iteration:
 *
 *     for each request: validate, rn_store_put_job (job), remember the reply;
 *     if (rn_store_commit (store, &n, &error)) send the replies;
 *     else answer every request of the batch with an error (nothing was acknowledged).
 *
 * Rules the caller must follow:
 *   - acknowledge a write only after the rn_store_commit that covers it returned TRUE;
 *   - a write that returns FALSE is not part of the batch (nothing changed); the writes
 *     before it still are, unless the error was so bad that SQLite rolled the transaction
 *     back, in which case the next rn_store_commit returns FALSE (RN_STORE_ERROR_ABORTED)
 *     and the whole batch is gone: "commit TRUE" is the only proof of durability;
 *   - when rn_store_commit returns FALSE the batch is rolled back and nothing is pending;
 *     the records must be treated as not stored (with one caveat: an I/O error inside the
 *     COMMIT itself can leave the batch on disk after all, so a retried submission must be
 *     given a fresh job id, never one that may already exist);
 *   - reads see this connection's pending writes (read-your-writes);
 *   - rn_store_free discards pending writes (a rollback), as a crash would.
 *
 * The store is not thread-safe: one thread (the main loop) uses it.  Another process may
 * read the file at the same time (WAL: readers do not block the writer); a second writer
 * waits up to the busy timeout and then gets RN_STORE_ERROR_BUSY.
 *
 * Durability.  journal_mode=WAL.  synchronous=FULL (default): a committed batch survives a
 * crash of the process and a power loss.  RN_STORE_SYNC_NORMAL: survives a crash of the
 * process, but a power loss may lose the last commits (never corrupts the file).
 *
 * Costs.  A put is one upsert into the jobs table and its indexes (a few µs plus the JSON
 * encoding); a commit costs one fsync with SYNC_FULL (from 0.1 to 10 ms depending on the
 * disk) whatever the batch size, which is why batching matters.  Loading the active jobs
 * reads only them (a partial index over non-final states).  Queries by job id, array job
 * id, user and time window use indexes; other filters are checked row by row on the rows
 * those select.  Records are stored whole as compact JSON text.
 *
 * Job records have the shape of docs/realnet.md ("Job record").  The store reads only
 * job_id (required, 1 .. 2^32-1), state (required, a string), array_job_id, array_task_id,
 * uid, user, partition, name, submit_time, eligible_time, start_time and end_time (each an
 * integer or a string as the record shape says, or null or absent) and keeps the rest as
 * given.  Final states are COMPLETED FAILED CANCELLED TIMEOUT NODE_FAIL (and Slurm's
 * BOOT_FAIL DEADLINE OUT_OF_MEMORY PREEMPTED REVOKED); every other state, including ones
 * this file does not know, counts as active, so that an unknown state is never lost at a
 * restart. */
#pragma once
#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define RN_STORE_ERROR (rn_store_error_quark ())
GQuark rn_store_error_quark (void);

typedef enum {
  RN_STORE_ERROR_NOT_DATABASE,  /* "state.db: file is not a database", or a SQLite file that
                                   is not a sluice state database */
  RN_STORE_ERROR_VERSION,       /* the schema version is newer than this build, or unknown */
  RN_STORE_ERROR_CORRUPT,       /* a row's record does not parse, or SQLite found damage */
  RN_STORE_ERROR_INVALID,       /* a record or meta value the store cannot take */
  RN_STORE_ERROR_BUSY,          /* another process held the lock beyond the busy timeout */
  RN_STORE_ERROR_IO,            /* cannot open, read-only, disk full, I/O error */
  RN_STORE_ERROR_ABORTED,       /* commit: an earlier write error rolled the batch back */
  RN_STORE_ERROR_FAILED,        /* any other SQLite error */
} RnStoreError;

/* The schema version this build writes and reads. */
#define RN_STORE_SCHEMA_VERSION 2

/* Meta keys the controller uses (values are text). */
#define RN_STORE_META_NEXT_JOB_ID "next_job_id"
#define RN_STORE_META_CLUSTER_NAME "cluster_name"

typedef enum {
  RN_STORE_SYNC_FULL = 0,       /* fsync at each commit: survives power loss (default) */
  RN_STORE_SYNC_NORMAL,         /* survives a process crash; power loss may lose the last
                                   commits */
} RnStoreSync;

typedef struct {
  RnStoreSync sync;             /* default RN_STORE_SYNC_FULL */
  guint       busy_timeout_ms;  /* how long to wait for another process's lock; 0: 5000 */
} RnStoreOptions;

/* How reads treat a row whose record is not a JSON object with the row's job_id (someone
 * edited the file). */
typedef enum {
  RN_STORE_READ_STRICT = 0,          /* stop with RN_STORE_ERROR_CORRUPT naming the job */
  RN_STORE_READ_SKIP_CORRUPT = 1 << 0, /* skip it with a g_warning naming the job (like
                                        slurmctld -i) and count it in *n_skipped */
} RnStoreReadFlags;

typedef struct _RnStore RnStore;   /* opaque */

/* Opens the state database `path`, creating the file and its tables when the file does not
 * exist or is empty.  `opts` may be NULL (defaults).  Returns (transfer full) the store, or
 * NULL with `error` set: RN_STORE_ERROR_NOT_DATABASE ("PATH: file is not a database", or a
 * SQLite file with other tables: "PATH: not a sluice state database"),
 * RN_STORE_ERROR_VERSION ("PATH: schema version 3 is newer than this sluice supports (1)"),
 * RN_STORE_ERROR_IO ("PATH: unable to open database file"), RN_STORE_ERROR_BUSY. */
RnStore    *rn_store_open            (const char *path, const RnStoreOptions *opts,
                                      GError **error);

/* Closes the store; pending (uncommitted) writes are rolled back.  NULL is a no-op. */
void        rn_store_free            (RnStore *s);

/* The path given to rn_store_open; (transfer none), valid until rn_store_free. */
const char *rn_store_get_path        (const RnStore *s);

/* ---- writes (buffered in the open transaction; see the rules above) ------------------ */

/* Queues the job record `job` (transfer none; the store keeps a copy of its text),
 * replacing any record with the same job_id.  Returns TRUE, or FALSE with `error` set
 * (RN_STORE_ERROR_INVALID when job_id or state is missing or a read field has the wrong
 * type: "job record: ..." / "job 12: ..."; RN_STORE_ERROR_BUSY and others from SQLite) and
 * the record not queued. */
gboolean    rn_store_put_job         (RnStore *s, json_t *job, GError **error);

/* Queues job `job_id`'s request text (the submission as the controller keeps it), which
 * readers of active jobs find as the record's "_request_text"; purging the job removes it.
 * Written once per job rather than inside every record.  As put_job for the return value. */
gboolean    rn_store_put_request     (RnStore *s, guint32 job_id, const char *text,
                                      GError **error);

/* Queues meta `key` = `value` (NUL-terminated text; both non-NULL; keys starting with
 * "schema" are the store's own and refused by g_return_val_if_fail).  As put_job for the
 * return value. */
gboolean    rn_store_set_meta        (RnStore *s, const char *key, const char *value,
                                      GError **error);

/* rn_store_set_meta of RN_STORE_META_NEXT_JOB_ID in decimal. */
gboolean    rn_store_set_next_job_id (RnStore *s, guint32 next_id, GError **error);

/* Queues the deletion of the jobs in a final state whose end_time is before `before`
 * (accounting retention, Slurm's PurgeJobAfter; active jobs are never purged).  Sets
 * *n_purged (may be NULL) to the number of records deleted.  As put_job for the return. */
gboolean    rn_store_purge           (RnStore *s, gint64 before, guint64 *n_purged,
                                      GError **error);

/* Makes every queued write durable with one COMMIT.  Sets *n_jobs (may be NULL) to the
 * number of rn_store_put_job calls the batch held (0, and no disk write, when nothing was
 * pending).  Returns TRUE when the batch is durable; FALSE with `error` set when it is not
 * (the batch is then rolled back and nothing is pending; RN_STORE_ERROR_ABORTED when an
 * earlier write had already lost the batch).  The caller must not acknowledge on FALSE. */
gboolean    rn_store_commit          (RnStore *s, guint *n_jobs, GError **error);

/* Discards the queued writes (ROLLBACK).  No-op when nothing is pending. */
void        rn_store_rollback        (RnStore *s);

/* TRUE when writes are queued and not yet committed (also when they were lost to an
 * error: the next rn_store_commit reports it). */
gboolean    rn_store_has_pending     (const RnStore *s);

/* The number of writes (puts, meta sets, purges) queued since the last commit. */
guint       rn_store_get_n_pending   (const RnStore *s);

/* ---- reads --------------------------------------------------------------------------- */

/* Sets *value to (transfer full) the text of meta `key`, or NULL when the key was never
 * set.  Returns TRUE, or FALSE with `error` set and *value NULL. */
gboolean    rn_store_get_meta        (RnStore *s, const char *key, char **value,
                                      GError **error);

/* Sets *next_id to the stored next job id, or 0 when none was ever stored.  FALSE with
 * RN_STORE_ERROR_CORRUPT when the stored value is not a number in 1 .. 2^32-1. */
gboolean    rn_store_get_next_job_id (RnStore *s, guint32 *next_id, GError **error);

/* Sets *job to (transfer full) the record of `job_id`, or NULL when there is none.
 * Returns TRUE, or FALSE with `error` set (RN_STORE_ERROR_CORRUPT for a damaged record). */
gboolean    rn_store_get_job         (RnStore *s, guint32 job_id, json_t **job,
                                      GError **error);

/* Called once per record; `job` is (transfer none), valid during the call only (take a
 * json_incref to keep it).  Return FALSE to stop early (not an error).  The function must
 * not call into the store (collect first, write after). */
typedef gboolean (*RnStoreJobFunc) (json_t *job, gpointer user_data);

/* Calls `func` for every job not in a final state, in job-id order (the restart load).
 * Returns TRUE, or FALSE with `error` set (see RnStoreReadFlags).  *n_skipped (may be
 * NULL) counts the corrupt rows skipped. */
gboolean    rn_store_foreach_active  (RnStore *s, RnStoreReadFlags flags,
                                      RnStoreJobFunc func, gpointer user_data,
                                      guint *n_skipped, GError **error);

/* As rn_store_foreach_active, collected: (transfer full) an array of json_t * (each owned
 * by the array, freed with json_decref), or NULL with `error` set. */
GPtrArray  *rn_store_load_active     (RnStore *s, RnStoreReadFlags flags, guint *n_skipped,
                                      GError **error);

/* A job selected by id, as sacct -j takes it. */
typedef struct {
  guint32 job_id;         /* "7": job 7 and every task of array job 7 */
  gint64  array_task_id;  /* "7_3": task 3 of array job 7; RN_STORE_ANY_TASK: none given */
} RnStoreJobSel;

#define RN_STORE_ANY_TASK ((gint64) -1)

/* An accounting query (acct_query / sacct).  Zero-initialize and fill what is wanted: a
 * filter that is NULL or empty selects everything; the filters given must all hold.
 * Within one list any entry may match.  String lists are NULL-terminated. */
typedef struct {
  const RnStoreJobSel *jobs;       /* n_jobs entries: job_id or array_job_id matches */
  gsize                n_jobs;
  const guint32       *uids;       /* n_uids entries; a job matches when its uid is one of */
  gsize                n_uids;     /*   uids or its user one of users */
  const char *const   *users;
  const char *const   *states;     /* as in the record: "PENDING", "COMPLETED"... */
  const char *const   *partitions;
  const char *const   *names;      /* job names (sacct --name) */
  /* The time window [start, end] (Unix seconds); 0 for start: no lower bound (the epoch),
   * 0 for end: no upper bound.  Both 0: no time filter at all.  sacct's default window,
   * midnight today to now, is the caller's to pass.  With a window, as sacct does:
   *   - no states: the jobs eligible before `end` (held jobs never eligible are not shown)
   *     that had not ended before `start`; with `jobs` given, the jobs submitted by `end`
   *     (eligible or not) that had not ended before `start`;
   *   - states: PENDING selects the jobs pending at some point of the window, RUNNING
   *     the jobs running at some point of it, a final state the jobs that ended in the
   *     window in that state, another state the jobs now in it. */
  gint64               start;
  gint64               end;
} RnStoreQuery;

/* Calls `func` for each job matching `q` (NULL: every job), in job-id order.  Returns
 * TRUE, or FALSE with `error` set (see RnStoreReadFlags for corrupt rows). */
gboolean    rn_store_query_foreach   (RnStore *s, const RnStoreQuery *q,
                                      RnStoreReadFlags flags, RnStoreJobFunc func,
                                      gpointer user_data, guint *n_skipped, GError **error);

/* As rn_store_query_foreach, collected like rn_store_load_active. */
GPtrArray  *rn_store_query           (RnStore *s, const RnStoreQuery *q,
                                      RnStoreReadFlags flags, guint *n_skipped,
                                      GError **error);

/* The number of jobs matching `q` (NULL: all).  Returns the count, or -1 with `error`
 * set.  Records are not parsed. */
gint64      rn_store_count_jobs      (RnStore *s, const RnStoreQuery *q, GError **error);

/* For tests: (transfer full) SQLite's EXPLAIN QUERY PLAN of the query `q` would run, one
 * step per line, or NULL with `error` set. */
char       *rn_store__query_plan     (RnStore *s, const RnStoreQuery *q, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RnStore, rn_store_free)

G_END_DECLS
