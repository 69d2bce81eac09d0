/* SPDX-License-Identifier: MIT */
/* realnet/ctld.c - the controller: owns the queue, runs the scheduler core on a GLib main
 * loop, launches jobs on node daemons and records everything durably.
 *
 * Flow.  Requests arrive on the Unix socket (users, identified by the kernel) and on TCP
 * (node daemons and remote clients, frames signed with the cluster key).  Each one is
 * handled at once in memory; what must be durable (new jobs, state changes) is queued in
 * the store.  One "flush" per main-loop iteration then makes jobs eligible (holds,
 * dependencies, begin times, array throttles), runs a scheduling pass, commits the store
 * once (group commit) and only then sends the replies and the launches.  A job is
 * therefore acknowledged only once durable, and a job the controller launched is durable
 * as running before its node hears of it.
 *
 * The core (sched/) sees only eligible pending jobs and running ones; jobs held, waiting on
 * a dependency, a begin time or an array throttle wait here with their Slurm reason.
 * Each task of an array has its own job id from submission (the array's id for the first
 * task, the next ids for the others); pending tasks show together as 7_[0-9].
 *
 * Nodes come from slurm.conf and are DOWN (not responding) until their noded registers on
 * its persistent TCP connection; launches, signals and srun steps go down that connection.
 * A node silent for SlurmdTimeout seconds is marked down and its jobs end NODE_FAIL.
 *
 * At restart the controller reads back every unfinished job: pending ones queue again,
 * running ones are adopted by the core on their old allocation and reconciled when their
 * node registers (a job its node no longer runs ends NODE_FAIL).
 *
 * Files.  This one holds start-up and shutdown, the restart from the store, the timers, the
 * flush (eligibility, the pass, the group commit, then the replies and the launches) and
 * the dispatch of messages, with the helpers every file uses (user names, replies).
 * ctld-jobs.c holds the job records, the store and eligibility; ctld-requests.c the
 * clients' requests; ctld-nodes.c the nodes, launches, ends of jobs and the messages of
 * node daemons and srun; ctld-private.h the state they share. */
#include "realnet/ctld.h"

#include <errno.h>
#include <glib-unix.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include "realnet/ctld-private.h"
#include "realnet/log.h"
#include "realnet/validate.h"
#include "sched/policy.h"
#include "workloads/assoc.h"
#include "workloads/jobextra.h"

/* The controller (ctld-private.h). */
Ctld *C;

/* ---- users ---- */

/* Names of uids and gids, looked up once each (a passwd/group lookup per submission reads
 * the NSS files every time).  A name that changes later shows in jobs submitted after a
 * controller restart. */
static char *
cached_name (GHashTable **cache, guint32 id, gboolean user)
{
  if (*cache == NULL)
    *cache = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  const char *hit = g_hash_table_lookup (*cache, GUINT_TO_POINTER (id));
  if (hit)
    return g_strdup (hit);
  char *name = NULL;
  if (user)
    {
      struct passwd *pw = getpwuid (id);
      name = pw ? g_strdup (pw->pw_name) : g_strdup_printf ("%u", id);
    }
  else
    {
      struct group *gr = getgrgid (id);
      name = gr ? g_strdup (gr->gr_name) : g_strdup_printf ("%u", id);
    }
  g_hash_table_insert (*cache, GUINT_TO_POINTER (id), g_strdup (name));
  return name;
}

static GHashTable *user_names, *group_names;

char *
user_name (guint32 uid)
{
  return cached_name (&user_names, uid, TRUE);
}

char *
group_name (guint32 gid)
{
  return cached_name (&group_names, gid, FALSE);
}

/* A user filter entry as job records name users: Slurm's -u takes names or uids. */
char *
user_filter_name (const char *entry)
{
  guint64 uid;
  if (g_ascii_string_to_unsigned (entry, 10, 0, G_MAXUINT32, &uid, NULL))
    return user_name ((guint32) uid);
  return g_strdup (entry);
}

/* user_filter_name on every entry of `users` (transfer full; NULL: none): a new array that
 * owns its strings. */
GPtrArray *
user_filter_names (GPtrArray *users)
{
  if (users == NULL)
    return NULL;
  GPtrArray *named = g_ptr_array_new_full (users->len + 1, g_free);
  for (guint i = 0; i < users->len; i++)
    g_ptr_array_add (named, user_filter_name (users->pdata[i]));
  g_ptr_array_unref (users);
  return named;
}

typedef struct {
  RnConn *conn;
  gint64  seq;
  char   *type;
  json_t *body;     /* transfer full */
} Reply;

/* ---- replies ---- */

void
reply_later (RnConn *conn, gint64 seq, const char *type, json_t *body)
{
  Reply r = { rn_conn_ref (conn), seq, g_strdup (type), body };
  g_array_append_val (C->pending_replies, r);
  schedule_flush ();
}

void
reply_error (RnConn *conn, gint64 seq, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  rn_conn_send_error (conn, seq, code, m);
}

/* ---- the flush: eligibility, the pass, the commit, replies, launches ---- */

static gboolean in_flush;

static gboolean flush_cb (gpointer data);

void
schedule_flush (void)
{
  if (C->flush_source == 0 && !in_flush)
    C->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, NULL, NULL);
}

static void
run_pass (gint64 now)
{
  C->text_gen++;   /* reasons and planned starts may change */
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedTime next = sched_core_pass (C->core, now, started);
  for (guint i = 0; i < started->len; i++)
    {
      SchedStart *st = &g_array_index (started, SchedStart, i);
      Job *j = st->tag;
      j->state = SCHED_JOB_RUNNING;
      j->start = now;
      j->wait_reason = NULL;
      sched_alloc_copy (&j->alloc, st->alloc);
      node_alloc (&j->alloc, &j->gpu_ids, TRUE, now);
      j->last_sched_eval = now;
      job_changed (j);
      g_ptr_array_add (C->pending_launch, j);
    }
  if (started->len > 0)
    C->need_eligibility = TRUE;   /* array throttles, singletons */
  if (next != SCHED_TIME_NEVER && next < C->pass_at)
    C->pass_at = next;
}

static gboolean
pass_timer_cb (gpointer data)
{
  (void) data;
  C->pass_timer = 0;
  C->need_pass = TRUE;
  C->need_eligibility = TRUE;
  schedule_flush ();
  return G_SOURCE_REMOVE;
}

/* Low-priority idle work: render the squeue lines of jobs whose cached line is stale, a
 * batch at a time, so that the first squeue after a burst of submissions is fast too. */
static gboolean
warm_cb (gpointer data)
{
  (void) data;
  gint64 now = now_s ();
  guint n = MIN (C->warm_queue->len, 500u);
  for (guint i = 0; i < n; i++)
    {
      Job *j = C->warm_queue->pdata[C->warm_queue->len - 1 - i];
      j->warm_queued = FALSE;
      if (!j->dead && j->state == SCHED_JOB_PENDING && j->line[0] == NULL)
        job_line (j, 0, now);
    }
  g_ptr_array_set_size (C->warm_queue, C->warm_queue->len - n);
  if (C->warm_queue->len > 0)
    return G_SOURCE_CONTINUE;
  C->warm_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
flush_cb (gpointer data)
{
  (void) data;
  C->flush_source = 0;
  in_flush = TRUE;
  gint64 now = now_s ();
  /* Requests waiting for their answer are committed and answered first; the pass they call
   * for comes in the next flush, while their clients go on (a serial sbatch loop then
   * overlaps the pass with the next sbatch's start, on another CPU).  Never twice in a
   * row: a steady stream of requests does not starve the scheduler. */
  static gboolean deferred;
  gboolean defer_pass = !deferred && C->pending_replies->len > 0
                        && (C->need_eligibility || C->need_pass);
  deferred = defer_pass;
  if (!defer_pass)
    C->pass_at = SCHED_TIME_NEVER;
  for (int round = 0; round < 4 && !defer_pass && (C->need_eligibility || C->need_pass);
       round++)
    {
      if (C->need_eligibility)
        {
          C->need_eligibility = FALSE;
          update_eligibility (now);
        }
      if (C->need_pass)
        {
          C->need_pass = FALSE;
          run_pass (now);
        }
    }
  gboolean ok = TRUE;
  for (guint i = 0; i < C->to_store->len; i++)
    {
      Job *j = C->to_store->pdata[i];
      j->store_queued = FALSE;
      job_store_now (j, now);
    }
  g_ptr_array_set_size (C->to_store, 0);
  if (C->store && C->next_id != C->stored_next_id)
    {
      g_autoptr (GError) merr = NULL;
      if (rn_store_set_next_job_id (C->store, C->next_id, &merr))
        C->stored_next_id = C->next_id;
      else
        rn_log ("error: cannot store the next job id: %s", merr->message);
    }
  if (C->store)
    {
      g_autoptr (GError) err = NULL;
      ok = rn_store_commit (C->store, NULL, &err);
      if (!ok)
        rn_log ("error: state commit failed: %s", err->message);
    }
  GArray *replies = C->pending_replies;
  C->pending_replies = g_array_new (FALSE, FALSE, sizeof (Reply));
  for (guint i = 0; i < replies->len; i++)
    {
      Reply *r = &g_array_index (replies, Reply, i);
      if (ok)
        rn_conn_send (r->conn, r->type, r->seq, r->body);
      else
        rn_conn_send_error (r->conn, r->seq, RN_ERROR_INTERNAL,
                            "Unable to save the job state (not accepted)");
      rn_conn_unref (r->conn);
      g_free (r->type);
      json_decref (r->body);
    }
  g_array_unref (replies);
  GPtrArray *launches = C->pending_launch;
  C->pending_launch = g_ptr_array_new ();
  in_flush = FALSE;
  for (guint i = 0; i < launches->len; i++)
    launch_job (launches->pdata[i]);
  g_ptr_array_unref (launches);
  if (C->warm_source == 0 && C->warm_queue->len > 0)
    C->warm_source = g_idle_add_full (G_PRIORITY_LOW, warm_cb, NULL, NULL);
  if (defer_pass)
    {
      schedule_flush ();
      return G_SOURCE_REMOVE;
    }
  if (C->pass_timer)
    {
      g_source_remove (C->pass_timer);
      C->pass_timer = 0;
    }
  if (C->pass_at != SCHED_TIME_NEVER)
    {
      gint64 wait_ms = MAX ((C->pass_at - now_s ()) * 1000, 0) + 5;
      C->pass_timer = g_timeout_add ((guint) MIN (wait_ms, 3600 * 1000), pass_timer_cb, NULL);
    }
  return G_SOURCE_REMOVE;
}

/* ---- dispatch ---- */

static gboolean
is_daemon_peer (const RnMsg *msg)
{
  return rn_config_is_admin (C->cfg, msg->peer.uid) && (msg->peer.uid == 0
                                                        || msg->peer.uid == C->cfg->slurm_user);
}

static void
on_message (RnConn *conn, RnMsg *msg, gpointer data)
{
  (void) data;
  const char *t = msg->type;
  g_autoptr (GError) verr = NULL;
  if (!rn_validate_request (t, msg->body, &verr))
    {
      reply_error (conn, msg->seq, verr->code, "%s", verr->message);
      if (verr->code == RN_ERROR_PROTOCOL)
        rn_conn_close (conn);
      return;
    }
  if (g_str_equal (t, "submit"))
    handle_submit (conn, msg, FALSE);
  else if (g_str_equal (t, "alloc"))
    {
      rn_conn_set_close_func (conn, srun_closed, NULL);
      handle_submit (conn, msg, TRUE);
    }
  else if (g_str_equal (t, "job_list"))
    handle_job_list (conn, msg);
  else if (g_str_equal (t, "node_list"))
    handle_node_list (conn, msg);
  else if (g_str_equal (t, "part_list"))
    handle_part_list (conn, msg);
  else if (g_str_equal (t, "config"))
    handle_config (conn, msg);
  else if (g_str_equal (t, "cancel"))
    handle_cancel (conn, msg);
  else if (g_str_equal (t, "update_job"))
    handle_update_job (conn, msg);
  else if (g_str_equal (t, "update_node"))
    handle_update_node (conn, msg);
  else if (g_str_equal (t, "acct_query"))
    handle_acct_query (conn, msg);
  else if (g_str_equal (t, "step"))
    handle_step (conn, msg);
  else if (g_str_equal (t, "stdin") || g_str_equal (t, "winsize"))
    handle_step_forward (conn, msg);
  else if (g_str_equal (t, "ping"))
    rn_conn_send_new (conn, "pong", msg->seq, json_pack ("{s:I}", "time", (json_int_t) now_s ()));
  else if (g_str_equal (t, "register") || g_str_equal (t, "heartbeat")
           || g_str_equal (t, "job_exit") || g_str_equal (t, "io")
           || g_str_equal (t, "task_exit") || g_str_equal (t, "ok") || g_str_equal (t, "error"))
    {
      if (!is_daemon_peer (msg))
        {
          reply_error (conn, msg->seq, RN_ERROR_AUTH, "%s: only node daemons may send this", t);
          rn_conn_close (conn);
          return;
        }
      if (g_str_equal (t, "register"))
        handle_register (conn, msg);
      else if (g_str_equal (t, "heartbeat"))
        handle_heartbeat (conn, msg);
      else if (g_str_equal (t, "job_exit"))
        handle_job_exit (conn, msg);
      else if (g_str_equal (t, "io"))
        handle_io (conn, msg, FALSE);
      else if (g_str_equal (t, "task_exit"))
        handle_io (conn, msg, TRUE);
      else if (g_str_equal (t, "error"))
        rn_log ("node daemon at %s reports an error: %s", rn_conn_peer_name (conn),
                json_string_value (json_object_get (msg->body, "error")));
    }
  else
    {
      reply_error (conn, msg->seq, RN_ERROR_PROTOCOL, "unknown message type \"%s\"", t);
      rn_conn_close (conn);
    }
}

/* ---- timers ---- */

static gint64 ctld_start;

static gboolean
housekeeping_cb (gpointer data)
{
  (void) data;
  gint64 now = now_s ();
  /* nodes silent for SlurmdTimeout: their jobs are lost */
  for (guint i = 0; i < C->n_nodes; i++)
    {
      Node *n = &C->nodes[i];
      gint64 heard = MAX (n->last_heard, ctld_start);
      if (n->conn && now - heard > C->cfg->slurmd_timeout)
        {
          rn_log ("node %s: not responding for %" G_GINT64_FORMAT " s", n->conf->name,
                  now - heard);
          RnConn *c = n->conn;
          rn_conn_close (c);   /* node_conn_closed marks it down */
        }
      if (n->conn == NULL && now - heard > C->cfg->slurmd_timeout)
        for (guint k = 0; k < C->jobs->len; k++)
          {
            Job *j = C->jobs->pdata[k];
            if (j->dead || j->state != SCHED_JOB_RUNNING)
              continue;
            for (guint32 a = 0; a < j->alloc.n_nodes; a++)
              if (j->alloc.nodes[a].node == n->idx)
                {
                  rn_log ("job %u: node %s lost: NODE_FAIL", j->id, n->conf->name);
                  job_finish (j, SCHED_JOB_NODE_FAIL, 0, 0, now);
                  break;
                }
          }
    }
  /* finished jobs leave memory MinJobAge seconds after they end (they stay in the store) */
  gboolean purged = FALSE;
  for (guint i = 0; i < C->jobs->len; i++)
    {
      Job *j = C->jobs->pdata[i];
      if (!j->dead && sched_job_state_is_final (j->state) && !j->completing
          && !j->warm_queued && !j->store_queued
          && j->end != SCHED_TIME_NEVER && now - j->end >= C->cfg->min_job_age)
        {
          j->dead = TRUE;
          purged = TRUE;
          if (job_lookup (j->id) == j)
            g_hash_table_remove (C->by_id, GUINT_TO_POINTER (j->id));
        }
    }
  if (purged)
    {
      GPtrArray *keep = g_ptr_array_new ();
      GPtrArray *gone = g_ptr_array_new ();
      for (guint i = 0; i < C->jobs->len; i++)
        {
          Job *j = C->jobs->pdata[i];
          gboolean array_alive = FALSE;
          if (j->dead && j->array_job_id)
            {
              GPtrArray *t = array_tasks (j->array_job_id);
              for (guint k = 0; t && k < t->len; k++)
                array_alive |= !((Job *) t->pdata[k])->dead;
            }
          g_ptr_array_add (j->dead && !array_alive ? gone : keep, j);
        }
      for (guint i = 0; i < gone->len; i++)
        {
          Job *j = gone->pdata[i];
          if (j->array_job_id && array_tasks (j->array_job_id))
            g_hash_table_remove (C->arrays, GUINT_TO_POINTER (j->array_job_id));
        }
      for (guint i = 0; i < gone->len; i++)
        job_free (gone->pdata[i]);
      g_ptr_array_unref (gone);
      g_ptr_array_unref (C->jobs);
      C->jobs = keep;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- restart ---- */

static gboolean
restore_job (json_t *rec, gpointer data)
{
  (void) data;
  const char *req_text = json_string_value (json_object_get (rec, "_request_text"));
  g_autoptr (json_t) req = req_text ? json_loads (req_text, 0, NULL) : NULL;
  gint64 id = json_integer_value (json_object_get (rec, "job_id"));
  if (!json_is_object (req))
    {
      rn_log ("warning: job %" G_GINT64_FORMAT ": no request in the state file; skipped", id);
      return TRUE;
    }
  guint32 uid = (guint32) json_integer_value (json_object_get (rec, "uid"));
  guint32 gid = (guint32) json_integer_value (json_object_get (rec, "gid"));
  gint64 submit = json_integer_value (json_object_get (rec, "submit_time"));
  g_autoptr (GError) err = NULL;
  restoring = TRUE;
  Job *j = job_from_request (req, uid, gid, submit, &err);
  restoring = FALSE;
  if (j == NULL)
    {
      rn_log ("warning: job %" G_GINT64_FORMAT ": cannot restore: %s", id, err->message);
      return TRUE;
    }
  j->id = (guint32) id;
  j->request_stored = TRUE;
  j->core_id = (guint32) json_integer_value (json_object_get (rec, "_core_id"));
  if (j->core_id == 0)
    j->core_id = j->id;
  j->spec.id = j->core_id;
  j->array_job_id = (guint32) json_integer_value (json_object_get (rec, "array_job_id"));
  json_t *task = json_object_get (rec, "array_task_id");
  j->task = json_is_integer (task) ? (gint32) json_integer_value (task) : -1;
  const char *arr = json_string_value (json_object_get (req, "array"));
  WlArraySpec as;
  if (arr && wl_parse_array (arr, &as, NULL))
    j->array_throttle = as.throttle;
  j->hold = (HoldKind) json_integer_value (json_object_get (rec, "_hold"));
  json_t *el = json_object_get (rec, "eligible_time"), *st = json_object_get (rec, "start_time");
  j->eligible = json_is_integer (el) ? json_integer_value (el) : SCHED_TIME_NEVER;
  j->start = json_is_integer (st) ? json_integer_value (st) : SCHED_TIME_NEVER;
  json_t *tl = json_object_get (rec, "time_limit");
  if (json_is_integer (tl))
    j->time_limit_rec = json_integer_value (tl);
  j->restarts = (guint32) json_integer_value (json_object_get (rec, "restarts"));
  j->requeue_pending = json_is_true (json_object_get (rec, "_requeue"));
  /* the ended steps' records; steps that were running are not (their srun is gone) */
  json_t *steps = json_object_get (rec, "steps"), *sr;
  size_t si;
  json_array_foreach (steps, si, sr)
    {
      json_t *sid = json_object_get (sr, "step_id");
      if (!json_is_object (sr) || !json_is_integer (sid)
          || g_strcmp0 (json_string_value (json_object_get (sr, "state")), "RUNNING") == 0)
        continue;
      if (j->step_recs == NULL)
        j->step_recs = json_array ();
      json_array_append (j->step_recs, sr);
      j->next_step = MAX (j->next_step, (guint32) json_integer_value (sid) + 1);
    }
  json_t *cb = json_object_get (rec, "cancelled_by");
  j->cancelled_by = json_is_integer (cb) ? json_integer_value (cb) : -1;
  json_t *lse = json_object_get (rec, "last_sched_eval");
  j->last_sched_eval = json_is_integer (lse) ? json_integer_value (lse) : SCHED_TIME_NEVER;
  job_set_io_paths (j, req);
  if (j->id >= C->next_id)
    C->next_id = j->id + 1;
  const char *state = json_string_value (json_object_get (rec, "state"));
  sched_core_check_submit (C->core, &j->spec, &j->run_qos);
  job_register (j);
  if (g_strcmp0 (state, "RUNNING") == 0 || g_strcmp0 (state, "CANCELLED") == 0)
    {
      json_t *alloc = json_object_get (rec, "_alloc");
      SchedAlloc a = { 0 };
      a.n_nodes = (guint32) json_array_size (alloc);
      a.nodes = g_new0 (SchedAllocNode, MAX (a.n_nodes, 1u));
      gboolean ok = a.n_nodes > 0;
      for (guint32 i = 0; i < a.n_nodes; i++)
        {
          json_t *e = json_array_get (alloc, i);
          a.nodes[i].node = (guint32) json_integer_value (json_object_get (e, "node"));
          a.nodes[i].cpus = (guint32) json_integer_value (json_object_get (e, "cpus"));
          a.nodes[i].gpus = (guint32) json_integer_value (json_object_get (e, "gpus"));
          a.nodes[i].mem_mb = (guint64) json_integer_value (json_object_get (e, "mem"));
          a.cpus += a.nodes[i].cpus;
          a.gpus += a.nodes[i].gpus;
          ok &= a.nodes[i].node < C->n_nodes;
        }
      g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
      if (ok && sched_core_adopt_running (C->core, now_s (), &j->spec, j->start, &a, j, started))
        {
          j->state = SCHED_JOB_RUNNING;
          j->in_core = TRUE;
          g_hash_table_insert (C->by_core, GUINT_TO_POINTER (j->core_id), j);
          sched_alloc_copy (&j->alloc, &a);
          for (guint32 i = 0; i < a.n_nodes; i++)
            {
              json_t *g = json_object_get (json_array_get (alloc, i), "gpu_ids");
              if (json_array_size (g) == 0)
                continue;
              if (j->gpu_ids == NULL)
                {
                  j->gpu_ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
                  for (guint32 q = 0; q < a.n_nodes; q++)
                    g_ptr_array_add (j->gpu_ids, g_array_new (FALSE, FALSE, sizeof (guint32)));
                }
              size_t gi;
              json_t *gv;
              json_array_foreach (g, gi, gv)
                {
                  guint32 x = (guint32) json_integer_value (gv);
                  g_array_append_val (j->gpu_ids->pdata[i], x);
                }
            }
          node_alloc (&j->alloc, &j->gpu_ids, TRUE, now_s ());
          if (g_strcmp0 (state, "CANCELLED") == 0)
            j->completing = TRUE;
        }
      else
        {
          j->state = SCHED_JOB_RUNNING;
          job_finish (j, SCHED_JOB_NODE_FAIL, 0, 0, now_s ());
        }
      sched_alloc_clear (&a);
    }
  else
    {
      g_ptr_array_add (C->waiting, j);
      C->need_eligibility = TRUE;
    }
  return TRUE;
}

/* ---- main ---- */


static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
policy_from_conf (const RnConfig *cfg, SchedPolicy *policy, GError **error)
{
  const char *st = wl_slurmconf_scheduler_type (cfg->conf);
  const char *name = "slurm";
  if (g_ascii_strcasecmp (st, "sched/builtin") == 0)
    name = "fcfs";
  else if (g_ascii_strcasecmp (st, "sched/backfill") != 0)
    name = g_str_has_prefix (st, "sched/") ? st + 6 : st;
  if (!sched_policy_lookup (name, policy))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID,
                   "%s: SchedulerType=%s: expected sched/backfill, sched/builtin or sched/NAME "
                   "with a sluice policy name", cfg->path, st);
      return FALSE;
    }
  const WlParamList *sp = wl_slurmconf_sched_params (cfg->conf);
  for (guint i = 0; sp && i < wl_param_list_length (sp); i++)
    if (sched_policy_set_param (policy, wl_param_list_key (sp, i),
                                wl_param_list_value (sp, i)) == SCHED_PARAM_BAD_VALUE)
      {
        g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "%s: SchedulerParameters: %s=%s: bad value",
                     cfg->path, wl_param_list_key (sp, i), wl_param_list_value (sp, i));
        return FALSE;
      }
  return TRUE;
}

int
rn_ctld_main (int argc, char **argv)
{
  g_autofree char *conf_path = NULL;
  gboolean quiet = FALSE, foreground = FALSE;
  GOptionEntry entries[] = {
    { "conf", 'f', 0, G_OPTION_ARG_FILENAME, &conf_path, "slurm.conf to read (default: $SLUICE_CONF)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no log lines (start-up errors still print)", NULL },
    { "foreground", 'D', 0, G_OPTION_ARG_NONE, &foreground, "run in the foreground (always)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- the sluice controller");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  Ctld ctl = { 0 };
  C = &ctl;
  rn_log_setup (NULL, quiet);
  ctld_start = now_s ();
  C->cfg = rn_config_load (rn_config_default_path (conf_path), TRUE, &err);
  if (C->cfg == NULL)
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  if (g_mkdir_with_parents (C->cfg->state_dir, 0755) != 0)
    {
      g_printerr ("sluice ctld: %s: %s\n", C->cfg->state_dir, g_strerror (errno));
      return 1;
    }
  if (!g_file_test (C->cfg->key_path, G_FILE_TEST_EXISTS)
      && !rn_key_generate (C->cfg->key_path, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  if (!rn_key_load (&C->key, C->cfg->key_path, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  g_autofree char *db = g_build_filename (C->cfg->state_dir, "state.db", NULL);
  RnStoreOptions sopts = { 0 };
  const char *sync = wl_slurmconf_get (C->cfg->conf, "StateSync");
  if (sync && g_ascii_strcasecmp (sync, "normal") == 0)
    sopts.sync = RN_STORE_SYNC_NORMAL;
  else if (sync && g_ascii_strcasecmp (sync, "full") != 0)
    {
      g_printerr ("sluice ctld: %s: StateSync=%s: expected full or normal\n", C->cfg->path, sync);
      return 1;
    }
  C->store = rn_store_open (db, &sopts, &err);
  if (C->store == NULL)
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  C->cluster = wl_slurmconf_build_cluster (C->cfg->conf, &err);
  SchedPolicy policy;
  if (C->cluster == NULL || !policy_from_conf (C->cfg, &policy, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  /* priority/multifactor and the accounts, users, QOS and limits of AssocFile=, as
   * `sluice sim --cluster --assoc` uses them: the same core, in real time */
  gboolean multifactor = g_ascii_strcasecmp (wl_slurmconf_priority_type (C->cfg->conf),
                                             "priority/multifactor") == 0;
  const char *assoc_file = wl_slurmconf_get (C->cfg->conf, "AssocFile");
  if (multifactor)
    policy.order = SCHED_ORDER_PRIORITY;
  C->multifactor = multifactor;
  C->core = sched_core_new (C->cluster, &policy);
  if (multifactor || assoc_file)
    {
      WlSlurmPriority wp;
      wl_slurmconf_priority (C->cfg->conf, &wp);
      SchedPriorityParams pp;
      sched_priority_params_init (&pp);
      pp.weight_age = wp.weight_age;
      pp.weight_fairshare = wp.weight_fairshare;
      pp.weight_job_size = wp.weight_job_size;
      pp.weight_partition = wp.weight_partition;
      pp.weight_qos = wp.weight_qos;
      pp.decay_half_life = wp.decay_half_life;
      pp.max_age = wp.max_age;
      pp.favor_small = wp.favor_small;
      if (wp.usage_reset_period)
        sched_priority_reset_from_name (wp.usage_reset_period, &pp.usage_reset);
      if (wp.flags)
        sched_priority_params_set_flags (&pp, wp.flags, NULL);
      pp.total_cpus = sched_cluster_total_cpus (C->cluster);
      pp.total_nodes = sched_cluster_n_nodes (C->cluster);
      SchedPriority *prio = sched_priority_new (&pp);
      SchedLimits *limits = sched_limits_new ();
      WlAssocOptions aopts = { NULL, limits };
      /* and the partitions' QOS= and Deny lists, which name the file's QOS */
      if (assoc_file && (!wl_assoc_load (assoc_file, &aopts, prio, &err)
                         || !wl_slurmconf_apply_limits (C->cfg->conf, C->cluster, limits,
                                                        &err)))
        {
          g_printerr ("sluice ctld: %s\n", err->message);
          sched_priority_free (prio);
          sched_limits_free (limits);
          return 1;
        }
      sched_core_set_priority (C->core, prio);
      sched_core_set_limits (C->core, limits);
    }
  C->n_nodes = wl_slurmconf_n_nodes (C->cfg->conf);
  C->nodes = g_new0 (Node, MAX (C->n_nodes, 1u));
  C->node_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < C->n_nodes; i++)
    {
      Node *n = &C->nodes[i];
      n->idx = i;
      n->conf = wl_slurmconf_node (C->cfg->conf, i);
      n->free_mem = -1;
      g_hash_table_insert (C->node_by_name, n->conf->name, n);
      if (n->conf->state == WL_NODE_STATE_DOWN || n->conf->state == WL_NODE_STATE_FUTURE)
        n->admin_down = TRUE;
      if (n->conf->state == WL_NODE_STATE_DRAIN)
        n->drain = TRUE;
      if (n->conf->reason)
        {
          n->reason = g_strdup (n->conf->reason);
          n->reason_time = ctld_start;
        }
    }
  gint64 dmpc = 0;
  if (!wl_slurmconf_get_int (C->cfg->conf, "DefMemPerCPU", &dmpc, NULL) || dmpc <= 0)
    {
      const WlSlurmNode *n0 = C->n_nodes ? C->nodes[0].conf : NULL;
      dmpc = n0 && n0->real_memory_mb && n0->cpus ? (gint64) (n0->real_memory_mb / n0->cpus) : 0;
    }
  C->mem_per_cpu = dmpc;
  C->by_id = g_hash_table_new (NULL, NULL);
  C->by_core = g_hash_table_new (NULL, NULL);
  C->arrays = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  C->submit_counts = g_hash_table_new (NULL, NULL);
  C->jobs = g_ptr_array_new ();
  C->waiting = g_ptr_array_new ();
  C->pending_replies = g_array_new (FALSE, FALSE, sizeof (Reply));
  C->pending_launch = g_ptr_array_new ();
  C->to_store = g_ptr_array_new ();
  C->warm_queue = g_ptr_array_new ();
  C->pass_at = SCHED_TIME_NEVER;
  guint32 next = 0;
  if (!rn_store_get_next_job_id (C->store, &next, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  gint64 first = 1;
  wl_slurmconf_get_int (C->cfg->conf, "FirstJobId", &first, NULL);
  C->next_id = next ? next : (guint32) MAX (first, 1);
  C->stored_next_id = next;
  guint skipped = 0;
  if (!rn_store_foreach_active (C->store, RN_STORE_READ_SKIP_CORRUPT, restore_job, NULL,
                                &skipped, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  guint n_restored = C->jobs->len;
  for (guint i = 0; i < C->n_nodes; i++)
    node_set_usable (&C->nodes[i], ctld_start);   /* down until their noded registers */
  C->net = rn_net_new (&C->key, getuid (), getgid ());
  rn_net_set_refuse_func (C->net, rn_log_refused, NULL);
  guint16 bound = 0;
  const char *bind_host = g_strcmp0 (C->cfg->ctld_addr, "localhost") == 0 ? "127.0.0.1"
                                                                           : C->cfg->ctld_addr;
  if (!rn_net_listen_tcp (C->net, bind_host, C->cfg->ctld_port, &bound, on_message, NULL, &err)
      || !rn_net_listen_unix (C->net, C->cfg->socket_path, on_message, NULL, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  C->loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, C->loop);
  g_unix_signal_add (SIGTERM, quit_cb, C->loop);
  g_timeout_add_seconds (1, housekeeping_cb, NULL);
  schedule_flush ();
  rn_log ("sluice ctld: cluster %s, %u nodes, policy %s, listening on %s:%u and %s; "
          "%u jobs restored%s", C->cfg->cluster_name, C->n_nodes, policy.ops->name,
          bind_host, bound, C->cfg->socket_path, n_restored,
          skipped ? " (some state records were corrupt and skipped)" : "");
  g_main_loop_run (C->loop);
  rn_log ("sluice ctld: shutting down");
  if (C->flush_source)
    {
      g_source_remove (C->flush_source);
      flush_cb (NULL);
    }
  rn_net_free (C->net);
  rn_store_free (C->store);
  unlink (C->cfg->socket_path);
  /* free everything, so that leak checkers see only real leaks */
  if (C->warm_source)
    g_source_remove (C->warm_source);
  if (C->pass_timer)
    g_source_remove (C->pass_timer);
  for (guint i = 0; i < C->jobs->len; i++)
    job_free (C->jobs->pdata[i]);
  g_ptr_array_unref (C->jobs);
  g_ptr_array_unref (C->waiting);
  g_ptr_array_unref (C->pending_launch);
  g_ptr_array_unref (C->to_store);
  g_ptr_array_unref (C->warm_queue);
  g_array_unref (C->pending_replies);
  g_hash_table_destroy (C->by_id);
  g_hash_table_destroy (C->by_core);
  g_hash_table_destroy (C->arrays);
  g_hash_table_destroy (C->submit_counts);
  g_hash_table_destroy (C->node_by_name);
  for (guint i = 0; i < C->n_nodes; i++)
    {
      g_free (C->nodes[i].addr);
      g_free (C->nodes[i].reason);
      g_free (C->nodes[i].os);
      g_free (C->nodes[i].arch);
      if (C->nodes[i].conn)
        rn_conn_unref (C->nodes[i].conn);
    }
  g_free (C->nodes);
  for (int w = 0; w < 2; w++)
    g_clear_pointer (&C->text_cache[w].body, g_bytes_unref);
  sched_core_free (C->core);
  sched_cluster_free (C->cluster);
  g_main_loop_unref (C->loop);
  rn_config_free (C->cfg);
  rn_log_setup (NULL, FALSE);
  g_clear_pointer (&user_names, g_hash_table_destroy);
  g_clear_pointer (&group_names, g_hash_table_destroy);
  C = NULL;
  return 0;
}
