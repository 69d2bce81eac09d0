/* SPDX-License-Identifier: MIT */
/* realnet/noded.c - the node daemon: registers one node with the controller, heartbeats,
 * runs the jobs and srun steps the controller sends it (realnet/launch.c does the process
 * work) and reports how they ended.
 *
 * One persistent TCP connection to the controller carries everything both ways (signed
 * frames); when it breaks, noded reconnects every second or so and registers again with
 * the list of jobs it still runs, so a restarted controller can reconcile.  Reports made
 * while disconnected wait in an outbox.  noded also listens on its own port (--port, the
 * node's Port= in slurm.conf, or SlurmdPort) for signed requests: `ping`, and the same
 * `launch`/`signal` requests, so that tools and tests can reach a node directly.  Several
 * noded processes, each with its own --name and port, make a cluster on one machine. */
#include "realnet/ctld.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "realnet/config.h"
#include "realnet/conn.h"
#include "realnet/launch.h"
#include "realnet/log.h"
#include "realnet/proto.h"
#include "realnet/validate.h"

typedef struct {
  RnConfig     *cfg;
  const char   *name;
  const WlSlurmNode *node;
  RnKey         key;
  RnNet        *net;
  RnConn       *ctld;          /* a ref while connected */
  gboolean      registered;
  GQueue        outbox;        /* json_t* {"type", "body"} waiting for the controller */
  RnSupervisor *sup;
  guint16       port;
  gint64        boot_time;
  guint         reconnect_source;
  guint         backoff_ms;
} Noded;

static Noded *N;

static void connect_ctld (void);


static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* Sends to the controller now, or keeps it for after the next registration. */
static void
report (const char *type, json_t *body)
{
  if (N->ctld && N->registered && rn_conn_is_open (N->ctld))
    {
      rn_conn_send_new (N->ctld, type, 0, body);
      return;
    }
  g_queue_push_tail (&N->outbox, json_pack ("{s:s,s:o}", "type", type, "body", body));
}

static json_t *
running_jobs (void)
{
  json_t *a = json_array ();
  g_autoptr (GArray) ids = rn_supervisor_list_jobs (N->sup);
  for (guint i = 0; i < ids->len; i++)
    json_array_append_new (a, json_integer (g_array_index (ids, guint32, i)));
  return a;
}

static gint64
meminfo (const char *key)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL))
    return -1;
  const char *p = strstr (text, key);
  if (p == NULL)
    return -1;
  return g_ascii_strtoll (p + strlen (key) + 1, NULL, 10) / 1024;
}

static double
load_average (void)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return 0;
  return g_ascii_strtod (text, NULL);
}

static guint
count_gpus (void)
{
  guint n = 0;
  for (int i = 0; i < 64; i++)
    {
      g_autofree char *p = g_strdup_printf ("/dev/nvidia%d", i);
      if (g_file_test (p, G_FILE_TEST_EXISTS))
        n++;
    }
  return n;
}

static void
on_exit_report (const RnExitReport *r, gpointer data)
{
  (void) data;
  if (r->step_id == RN_STEP_BATCH)
    {
      rn_log ("job %u ended %s (exit %d, signal %d)", r->job_id, rn_end_state_to_string (r->state),
            r->exit_code, r->signal);
      report ("job_exit", json_pack ("{s:i,s:s,s:i,s:i,s:f,s:I,s:I}", "job_id", r->job_id,
                                     "state", rn_end_state_to_string (r->state),
                                     "exit_code", r->exit_code, "signal", r->signal,
                                     "cpu_seconds", r->cpu_seconds,
                                     "max_rss_kb", (json_int_t) r->max_rss_kb,
                                     "end_time", (json_int_t) r->end_time));
    }
  else
    report ("task_exit", json_pack ("{s:i,s:i,s:i,s:i,s:i,s:s}", "job_id", r->job_id,
                                    "step_id", r->step_id, "task", r->task_id,
                                    "exit_code", r->exit_code, "signal", r->signal,
                                    "state", rn_end_state_to_string (r->state)));
}

static void
on_output (guint32 job_id, guint32 step_id, guint32 task_id, RnStream stream,
           const char *data, gsize len, gpointer user)
{
  (void) user;
  if (data == NULL)
    return;
  /* text as it is; anything else (binary, NUL bytes, a split UTF-8 sequence) in base64 */
  gboolean text = g_utf8_validate_len (data, len, NULL);
  g_autofree char *b64 = text ? NULL : g_base64_encode ((const guchar *) data, len);
  g_autofree char *copy = text ? g_strndup (data, len) : NULL;
  report ("io", json_pack ("{s:i,s:i,s:i,s:s,s:s}", "job_id", job_id, "step_id", step_id,
                           "task", task_id, "stream", rn_stream_to_string (stream),
                           text ? "data" : "b64", text ? copy : b64));
}

static void
do_launch (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  json_t *jid = json_object_get (msg->body, "job_id");
  if (rn_supervisor_launch_batch (N->sup, msg->body, NULL, &err))
    {
      rn_log ("job %" JSON_INTEGER_FORMAT " launched", json_integer_value (jid));
      if (conn != N->ctld)
        rn_conn_send_new (conn, "ok", msg->seq, json_object ());
      return;
    }
  rn_log ("job %" JSON_INTEGER_FORMAT ": launch failed: %s", json_integer_value (jid),
        err->message);
  if (conn != N->ctld)
    rn_conn_send_error (conn, msg->seq, RN_ERROR_INVALID, err->message);
  if (json_is_integer (jid))
    report ("job_exit", json_pack ("{s:I,s:s,s:i,s:i,s:s,s:I}", "job_id",
                                   json_integer_value (jid), "state", "FAILED", "exit_code", 1,
                                   "signal", 0, "error", err->message,
                                   "end_time", (json_int_t) now_s ()));
}

static void
do_step_launch (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  if (rn_supervisor_launch_step (N->sup, msg->body, &err))
    return;
  (void) conn;
  json_t *jid = json_object_get (msg->body, "job_id"), *sid = json_object_get (msg->body, "step_id");
  json_t *tids = json_object_get (msg->body, "task_ids");
  rn_log ("job %" JSON_INTEGER_FORMAT " step %" JSON_INTEGER_FORMAT ": launch failed: %s",
        json_integer_value (jid), json_integer_value (sid), err->message);
  size_t i;
  json_t *t;
  json_array_foreach (tids, i, t)
    {
      g_autofree char *m = g_strdup_printf ("srun: error: %s: task %" JSON_INTEGER_FORMAT
                                            ": %s\n", N->name, json_integer_value (t),
                                            err->message);
      report ("io", json_pack ("{s:O,s:O,s:O,s:s,s:s}", "job_id", jid, "step_id", sid, "task", t,
                               "stream", "err", "data", m));
      report ("task_exit", json_pack ("{s:O,s:O,s:O,s:i,s:i,s:s}", "job_id", jid, "step_id",
                                      sid, "task", t, "exit_code", 1, "signal", 0,
                                      "state", "FAILED"));
    }
}

static void
do_signal (RnConn *conn, RnMsg *msg)
{
  json_t *jid = json_object_get (msg->body, "job_id"), *sig = json_object_get (msg->body, "signal");
  if (!json_is_integer (jid) || !json_is_integer (sig))
    {
      rn_conn_send_error (conn, msg->seq, RN_ERROR_INVALID, "signal: expected job_id and signal");
      return;
    }
  g_autoptr (GError) err = NULL;
  gboolean cancel = json_is_true (json_object_get (msg->body, "cancel"));
  guint32 id = (guint32) json_integer_value (jid);
  int s = (int) json_integer_value (sig);
  gboolean ok = cancel ? rn_supervisor_cancel_job (N->sup, id, s, &err)
                       : rn_supervisor_signal_job (N->sup, id, s, &err);
  if (!ok && cancel && g_error_matches (err, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_UNKNOWN_JOB))
    /* nothing of it runs here: tell the controller it is over */
    report ("job_exit", json_pack ("{s:i,s:s,s:i,s:i,s:I}", "job_id", id, "state", "CANCELLED",
                                   "exit_code", 0, "signal", s, "end_time", (json_int_t) now_s ()));
  if (conn != N->ctld)
    {
      if (ok)
        rn_conn_send_new (conn, "ok", msg->seq, json_object ());
      else
        rn_conn_send_error (conn, msg->seq, RN_ERROR_INVALID_JOB, err->message);
    }
}

static gboolean
from_admin (const RnMsg *msg)
{
  return msg->peer.uid == 0 || msg->peer.uid == N->cfg->slurm_user
         || msg->peer.uid == getuid ();
}

static void
on_message (RnConn *conn, RnMsg *msg, gpointer data)
{
  (void) data;
  const char *t = msg->type;
  g_autoptr (GError) verr = NULL;
  if (!rn_validate_request (t, msg->body, &verr))
    {
      rn_log ("refused a %s frame from %s: %s", t, rn_conn_peer_name (conn), verr->message);
      rn_conn_send_error (conn, msg->seq, verr->code, verr->message);
      rn_conn_close (conn);
      return;
    }
  gboolean from_ctld = conn == N->ctld && N->ctld != NULL;
  if (!from_ctld && (g_str_equal (t, "registered") || g_str_equal (t, "ok")
                     || g_str_equal (t, "error") || g_str_equal (t, "pong")))
    {
      /* replies belong on the connection to the controller only */
      rn_conn_send_error (conn, msg->seq, RN_ERROR_PROTOCOL, "unexpected reply frame");
      rn_conn_close (conn);
      return;
    }
  if (g_str_equal (t, "registered"))
    {
      N->registered = TRUE;
      N->backoff_ms = 0;
      rn_log ("registered with the controller");
      while (!g_queue_is_empty (&N->outbox))
        {
          json_t *m = g_queue_pop_head (&N->outbox);
          rn_conn_send (N->ctld, json_string_value (json_object_get (m, "type")), 0,
                        json_object_get (m, "body"));
          json_decref (m);
        }
      return;
    }
  if (g_str_equal (t, "ok") || g_str_equal (t, "pong"))
    return;
  if (g_str_equal (t, "error"))
    {
      rn_log ("controller says: %s", json_string_value (json_object_get (msg->body, "error")));
      return;
    }
  if (g_str_equal (t, "ping"))
    {
      rn_conn_send_new (conn, "pong", msg->seq,
                        json_pack ("{s:s,s:o}", "name", N->name, "running", running_jobs ()));
      return;
    }
  if (!from_admin (msg))
    {
      rn_conn_send_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
      rn_conn_close (conn);
      return;
    }
  if (g_str_equal (t, "launch"))
    do_launch (conn, msg);
  else if (g_str_equal (t, "step_launch"))
    do_step_launch (conn, msg);
  else if (g_str_equal (t, "signal"))
    do_signal (conn, msg);
  else if (g_str_equal (t, "winsize"))
    rn_supervisor_step_winsize (N->sup,
                                (guint32) json_integer_value (json_object_get (msg->body, "job_id")),
                                (guint32) json_integer_value (json_object_get (msg->body, "step_id")),
                                (guint) json_integer_value (json_object_get (msg->body, "rows")),
                                (guint) json_integer_value (json_object_get (msg->body, "cols")));
  else if (g_str_equal (t, "stdin"))
    {
      /* srun's input for a step: base64 "data", then "eof" */
      g_autoptr (GError) err = NULL;
      guint32 id = (guint32) json_integer_value (json_object_get (msg->body, "job_id"));
      guint32 sid = (guint32) json_integer_value (json_object_get (msg->body, "step_id"));
      const char *b64 = json_string_value (json_object_get (msg->body, "data"));
      gsize len = 0;
      g_autofree guchar *bytes = b64 && *b64 ? g_base64_decode (b64, &len) : NULL;
      if (!rn_supervisor_step_input (N->sup, id, sid, bytes, len,
                                     json_is_true (json_object_get (msg->body, "eof")), &err)
          && !g_error_matches (err, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_UNKNOWN_JOB))
        rn_log ("job %u step %u: input: %s", id, sid, err->message);
    }
  else if (g_str_equal (t, "update_limit"))
    {
      g_autoptr (GError) err = NULL;
      guint32 id = (guint32) json_integer_value (json_object_get (msg->body, "job_id"));
      if (!rn_supervisor_set_time_limit (N->sup, id,
                                         json_integer_value (json_object_get (msg->body, "time_limit")),
                                         &err))
        rn_log ("job %u: cannot change its time limit: %s", id, err->message);
    }
  else
    {
      rn_conn_send_error (conn, msg->seq, RN_ERROR_PROTOCOL, "unknown message type");
      rn_conn_close (conn);
    }
}


static gboolean
reconnect_cb (gpointer data)
{
  (void) data;
  N->reconnect_source = 0;
  connect_ctld ();
  return G_SOURCE_REMOVE;
}

static void
schedule_reconnect (void)
{
  if (N->reconnect_source)
    return;
  N->backoff_ms = N->backoff_ms ? MIN (N->backoff_ms * 2, 5000u) : 200;
  N->reconnect_source = g_timeout_add (N->backoff_ms, reconnect_cb, NULL);
}

static void
on_ctld_closed (RnConn *conn, const char *reason, gpointer data)
{
  (void) data;
  if (conn != N->ctld)
    return;
  if (N->registered)
    rn_log ("lost the controller (%s); reconnecting", reason ? reason : "closed");
  N->registered = FALSE;
  N->ctld = NULL;
  rn_conn_unref (conn);
  schedule_reconnect ();
}

static void
connect_ctld (void)
{
  g_autoptr (GError) err = NULL;
  const char *host = g_strcmp0 (N->cfg->ctld_addr, "localhost") == 0 ? "127.0.0.1"
                                                                      : N->cfg->ctld_addr;
  RnConn *c = rn_net_connect_tcp (N->net, host, N->cfg->ctld_port, on_message, NULL, &err);
  if (c == NULL)
    {
      schedule_reconnect ();
      return;
    }
  N->ctld = rn_conn_ref (c);
  rn_conn_set_close_func (c, on_ctld_closed, NULL);
  long ncpu = sysconf (_SC_NPROCESSORS_ONLN);
  rn_conn_send_new (c, "register", 0,
                    json_pack ("{s:s,s:i,s:i,s:I,s:i,s:I,s:o}", "name", N->name, "port",
                               N->port, "cpus", (int) ncpu,
                               "real_memory", (json_int_t) meminfo ("MemTotal:"),
                               "gpus", count_gpus (), "boot_time", (json_int_t) N->boot_time,
                               "running", running_jobs ()));
}

static gboolean
heartbeat_cb (gpointer data)
{
  (void) data;
  if (N->ctld && N->registered)
    rn_conn_send_new (N->ctld, "heartbeat", 0,
                      json_pack ("{s:s,s:f,s:I,s:o}", "name", N->name, "load", load_average (),
                                 "free_mem", (json_int_t) meminfo ("MemAvailable:"),
                                 "running", running_jobs ()));
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gint64
boot_time (void)
{
  g_autofree char *text = NULL;
  if (g_file_get_contents ("/proc/uptime", &text, NULL, NULL))
    return now_s () - (gint64) g_ascii_strtod (text, NULL);
  return now_s ();
}

int
rn_noded_main (int argc, char **argv)
{
  g_autofree char *conf_path = NULL, *name_arg = NULL;
  const char *name = NULL;
  int port = -1;
  gboolean quiet = FALSE, foreground = FALSE;
  GOptionEntry entries[] = {
    { "name", 'N', 0, G_OPTION_ARG_STRING, &name_arg, "the node this daemon serves (a NodeName of slurm.conf)", "NAME" },
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "TCP port to listen on (default: the node's Port=, else SlurmdPort, else 6818; 0: any)", "PORT" },
    { "conf", 'f', 0, G_OPTION_ARG_FILENAME, &conf_path, "slurm.conf to read (default: $SLUICE_CONF)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no log lines (start-up errors still print)", NULL },
    { "foreground", 'D', 0, G_OPTION_ARG_NONE, &foreground, "run in the foreground (always)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- the sluice node daemon");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    {
      g_printerr ("sluice noded: %s\n", err->message);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  Noded nd = { 0 };
  N = &nd;
  g_queue_init (&N->outbox);
  N->cfg = rn_config_load (rn_config_default_path (conf_path), FALSE, &err);
  if (N->cfg == NULL)
    {
      g_printerr ("sluice noded: %s\n", err->message);
      return 1;
    }
  name = name_arg;
  if (name == NULL)
    {
      static char host[256];
      if (gethostname (host, sizeof host - 1) != 0)
        g_strlcpy (host, "localhost", sizeof host);
      name = host;
    }
  gint idx = wl_slurmconf_find_node (N->cfg->conf, name);
  if (idx < 0)
    {
      g_printerr ("sluice noded: node \"%s\" is not defined in %s\n", name, N->cfg->path);
      return 1;
    }
  N->name = name;
  rn_log_setup (name, quiet);
  N->node = wl_slurmconf_node (N->cfg->conf, (guint) idx);
  if (port < 0)
    {
      const char *p = NULL;
      gint64 sp = 6818;
      if (N->node->settings && wl_param_list_lookup (N->node->settings, "Port", &p) && p)
        sp = g_ascii_strtoll (p, NULL, 10);
      else
        wl_slurmconf_get_int (N->cfg->conf, "SlurmdPort", &sp, NULL);
      port = (int) sp;
    }
  if (port > 65535)
    {
      g_printerr ("sluice noded: --port %d: expected 0 .. 65535\n", port);
      return 2;
    }
  if (!rn_key_load (&N->key, N->cfg->key_path, &err))
    {
      g_printerr ("sluice noded: %s\n", err->message);
      return 1;
    }
  g_autofree char *spool = g_build_filename (N->cfg->spool_dir, name, NULL);
  N->sup = rn_supervisor_new (spool, name, on_exit_report, on_output, NULL, &err);
  if (N->sup == NULL)
    {
      g_printerr ("sluice noded: %s\n", err->message);
      return 1;
    }
  N->net = rn_net_new (&N->key, getuid (), getgid ());
  rn_net_set_refuse_func (N->net, rn_log_refused, NULL);
  const char *addr = NULL;
  if (N->node->settings)
    wl_param_list_lookup (N->node->settings, "NodeAddr", &addr);
  guint16 bound = 0;
  if (!rn_net_listen_tcp (N->net, addr ? addr : "127.0.0.1", (guint16) port, &bound, on_message,
                          NULL, &err))
    {
      g_printerr ("sluice noded: %s\n", err->message);
      return 1;
    }
  N->port = bound;
  N->boot_time = boot_time ();
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_timeout_add_seconds ((guint) N->cfg->heartbeat, heartbeat_cb, NULL);
  rn_log ("listening on port %u; controller %s:%u", bound, N->cfg->ctld_addr, N->cfg->ctld_port);
  connect_ctld ();
  g_main_loop_run (loop);
  rn_log ("shutting down");
  /* Jobs keep running only as long as their supervisor: a stopped noded kills them, as a
   * node going away would. */
  rn_supervisor_free (N->sup);
  rn_net_free (N->net);
  g_main_loop_unref (loop);
  g_queue_clear_full (&N->outbox, (GDestroyNotify) json_decref);
  rn_config_free (N->cfg);
  return 0;
}
