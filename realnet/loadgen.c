/* SPDX-License-Identifier: MIT */
/* realnet/loadgen.c - `sluice loadgen`: load for benchmarks and load tests of a running
 * controller ($SLUICE_CONF).
 *
 *   submit  --count N [--hold] [--wait]   N trivial jobs through one connection, pipelined
 *                                         (up to 512 requests in flight); prints jobs/s, and
 *                                         with --wait the time until the last one ended
 *   latency --count N                     submit-to-start: one job at a time on an idle
 *                                         cluster; the job writes the time it started
 *   nodes   --names n[1-1000] [--seconds S]  stands in for node daemons: registers every
 *                                         name on its own connection, heartbeats, and ends
 *                                         each job it is sent at once (COMPLETED)
 *   query   --count N [--clients C]       C concurrent clients each running N job_list
 *                                         requests (squeue's); prints latency percentiles
 *
 * Output is one "key: value" line per figure, for bench/realnet.sh. */
#include "realnet/cmds.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "realnet/client.h"
#include "realnet/config.h"
#include "realnet/conn.h"
#include "realnet/proto.h"
#include "workloads/hostlist.h"

static double
now_f (void)
{
  return g_get_real_time () / 1e6;
}

static json_t *
trivial_job (const char *cwd, gboolean hold, const char *script)
{
  return json_pack ("{s:s,s:s,s:s,s:b,s:s,s:[s]}", "name", "load", "script",
                    script ? script : "#!/bin/sh\ntrue\n", "workdir", cwd, "hold", hold,
                    "stdout", "/dev/null", "environment", "PATH=/usr/bin:/bin");
}

static int
do_submit (RnConfig *cfg, int count, gboolean hold, gboolean wait)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (RnClient) c = rn_client_connect (cfg, &err);
  if (c == NULL)
    {
      g_printerr ("loadgen: %s\n", err->message);
      return 1;
    }
  g_autofree char *cwd = g_get_current_dir ();
  json_t *req = trivial_job (cwd, hold, NULL);
  double t0 = now_f ();
  int sent = 0, got = 0, failed = 0;
  gint64 last_id = 0, first_id = 0;
  while (got < count)
    {
      while (sent < count && sent - got < 512)
        {
          if (!rn_client_send (c, "submit", req, &err))
            {
              g_printerr ("loadgen: %s\n", err->message);
              return 1;
            }
          sent++;
        }
      RnMsg msg;
      if (!rn_client_recv (c, &msg, 60000, &err))
        {
          g_printerr ("loadgen: %s\n", err->message);
          return 1;
        }
      if (g_str_equal (msg.type, "submitted"))
        {
          last_id = json_integer_value (json_object_get (msg.body, "job_id"));
          if (first_id == 0)
            first_id = last_id;
        }
      else
        failed++;
      got++;
      rn_msg_clear (&msg);
    }
  double t1 = now_f ();
  json_decref (req);
  printf ("submitted: %d\nfailed: %d\nsubmit_seconds: %.3f\nsubmit_jobs_per_s: %.0f\n", count,
          failed, t1 - t0, count / MAX (t1 - t0, 1e-9));
  if (wait && !hold)
    {
      for (;;)
        {
          json_t *b = json_pack ("{s:[s,s]}", "states", "PENDING", "RUNNING");
          json_t *r = rn_client_call (c, "job_list", b, NULL, &err);
          json_decref (b);
          if (r == NULL)
            {
              g_printerr ("loadgen: %s\n", err->message);
              return 1;
            }
          gsize live = 0;
          size_t i;
          json_t *j;
          json_array_foreach (json_object_get (r, "jobs"), i, j)
            {
              gint64 id = json_integer_value (json_object_get (j, "job_id"));
              const char *st = json_string_value (json_object_get (j, "state"));
              if (id >= first_id && id <= last_id
                  && (g_strcmp0 (st, "PENDING") == 0 || g_strcmp0 (st, "RUNNING") == 0))
                live++;
            }
          json_decref (r);
          if (live == 0)
            break;
          g_usleep (20000);
        }
      double t2 = now_f ();
      printf ("all_done_seconds: %.3f\nend_to_end_jobs_per_s: %.0f\n", t2 - t0,
              count / MAX (t2 - t0, 1e-9));
    }
  return failed ? 1 : 0;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
print_percentiles (const char *what, GArray *v)
{
  if (v->len == 0)
    return;
  g_array_sort (v, cmp_double);
  double p50 = g_array_index (v, double, v->len / 2);
  double p90 = g_array_index (v, double, MIN (v->len - 1, v->len * 9 / 10));
  double mx = g_array_index (v, double, v->len - 1);
  printf ("%s_ms_p50: %.2f\n%s_ms_p90: %.2f\n%s_ms_max: %.2f\n", what, p50 * 1e3, what,
          p90 * 1e3, what, mx * 1e3);
}

static int
do_latency (RnConfig *cfg, int count)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (RnClient) c = rn_client_connect (cfg, &err);
  if (c == NULL)
    {
      g_printerr ("loadgen: %s\n", err->message);
      return 1;
    }
  g_autofree char *dir = g_dir_make_tmp ("sluice-latency-XXXXXX", NULL);
  chmod (dir, 0755);
  GArray *lat = g_array_new (FALSE, FALSE, sizeof (double));
  for (int i = 0; i < count; i++)
    {
      g_autofree char *file = g_strdup_printf ("%s/t%d", dir, i);
      g_autofree char *script = g_strdup_printf ("#!/bin/sh\ndate +%%s.%%N > %s.tmp && mv %s.tmp %s\n",
                                                 file, file, file);
      json_t *req = trivial_job (dir, FALSE, script);
      double t0 = now_f ();
      json_t *r = rn_client_call (c, "submit", req, NULL, &err);
      json_decref (req);
      if (r == NULL)
        {
          g_printerr ("loadgen: %s\n", err->message);
          return 1;
        }
      json_decref (r);
      g_autofree char *text = NULL;
      for (int k = 0; k < 10000 && !g_file_get_contents (file, &text, NULL, NULL); k++)
        g_usleep (1000);
      if (text == NULL)
        {
          g_printerr ("loadgen: job %d never started\n", i);
          return 1;
        }
      double ts = g_ascii_strtod (text, NULL);
      g_array_append_val (lat, (double) { ts - t0 });
      g_unlink (file);
      g_usleep (20000);
    }
  print_percentiles ("submit_to_start", lat);
  g_array_unref (lat);
  g_rmdir (dir);
  return 0;
}

/* ---- fake node daemons ---- */

typedef struct {
  RnNet  *net;
  RnConfig *cfg;
  GPtrArray *conns;   /* RnConn*, one per name */
  GPtrArray *names;
  guint   registered;
  guint64 jobs_done;
} Fake;

static void
fake_msg (RnConn *conn, RnMsg *msg, gpointer data)
{
  Fake *f = data;
  if (g_str_equal (msg->type, "registered"))
    f->registered++;
  else if (g_str_equal (msg->type, "launch"))
    {
      json_t *id = json_object_get (msg->body, "job_id");
      rn_conn_send_new (conn, "job_exit", 0,
                        json_pack ("{s:O,s:s,s:i,s:i,s:I}", "job_id", id, "state", "COMPLETED",
                                   "exit_code", 0, "signal", 0, "end_time",
                                   (json_int_t) (g_get_real_time () / G_USEC_PER_SEC)));
      f->jobs_done++;
    }
}

static gboolean
fake_heartbeat (gpointer data)
{
  Fake *f = data;
  for (guint i = 0; i < f->conns->len; i++)
    rn_conn_send_new (f->conns->pdata[i], "heartbeat", 0,
                      json_pack ("{s:s,s:f,s:[]}", "name", (char *) f->names->pdata[i], "load", 0.0,
                                 "running"));
  return G_SOURCE_CONTINUE;
}

static gboolean
stop_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static int
do_nodes (RnConfig *cfg, const char *names_expr, int seconds)
{
  g_autoptr (GError) err = NULL;
  RnKey key;
  if (!rn_key_load (&key, cfg->key_path, &err))
    {
      g_printerr ("loadgen: %s\n", err->message);
      return 1;
    }
  Fake f = { 0 };
  f.cfg = cfg;
  f.names = wl_hostlist_expand_max (names_expr, 100000, &err);
  if (f.names == NULL)
    {
      g_printerr ("loadgen: --names: %s\n", err->message);
      return 1;
    }
  f.net = rn_net_new (&key, getuid (), getgid ());
  f.conns = g_ptr_array_new ();
  const char *host = g_strcmp0 (cfg->ctld_addr, "localhost") == 0 ? "127.0.0.1" : cfg->ctld_addr;
  double t0 = now_f ();
  for (guint i = 0; i < f.names->len; i++)
    {
      RnConn *c = rn_net_connect_tcp (f.net, host, cfg->ctld_port, fake_msg, &f, &err);
      if (c == NULL)
        {
          g_printerr ("loadgen: %s\n", err->message);
          return 1;
        }
      g_ptr_array_add (f.conns, c);
      rn_conn_send_new (c, "register", 0,
                        json_pack ("{s:s,s:i,s:i,s:[]}", "name", (char *) f.names->pdata[i],
                                   "port", 0, "cpus", 0, "running"));
    }
  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  while (f.registered < f.names->len && now_f () - t0 < 60)
    {
      g_timeout_add (10, stop_loop, loop);
      g_main_loop_run (loop);
    }
  printf ("nodes_registered: %u\nregister_seconds: %.3f\n", f.registered, now_f () - t0);
  fflush (stdout);
  g_timeout_add_seconds ((guint) MAX (cfg->heartbeat, 1), fake_heartbeat, &f);
  g_timeout_add_seconds ((guint) seconds, stop_loop, loop);
  g_main_loop_run (loop);
  printf ("jobs_completed: %" G_GUINT64_FORMAT "\n", f.jobs_done);
  g_main_loop_unref (loop);
  g_ptr_array_unref (f.conns);
  rn_net_free (f.net);
  g_ptr_array_unref (f.names);
  return f.registered == f.names->len ? 0 : 1;
}

typedef struct {
  RnConfig *cfg;
  int       count;
  GArray   *lat;
  gboolean  failed;
} QueryJob;

static gpointer
query_thread (gpointer data)
{
  QueryJob *q = data;
  g_autoptr (GError) err = NULL;
  for (int i = 0; i < q->count; i++)
    {
      double t0 = now_f ();
      RnClient *c = rn_client_connect (q->cfg, &err);
      json_t *body = json_pack ("{s:s}", "text_format", "default");   /* what squeue asks */
      json_t *r = c ? rn_client_call (c, "job_list", body, NULL, &err) : NULL;
      json_decref (body);
      if (r == NULL)
        {
          q->failed = TRUE;
          rn_client_free (c);
          return NULL;
        }
      json_decref (r);
      rn_client_free (c);
      g_array_append_val (q->lat, (double) { now_f () - t0 });
    }
  return NULL;
}

static int
do_query (RnConfig *cfg, int count, int clients)
{
  GPtrArray *threads = g_ptr_array_new ();
  QueryJob *jobs = g_new0 (QueryJob, clients);
  for (int i = 0; i < clients; i++)
    {
      jobs[i] = (QueryJob) { cfg, count, g_array_new (FALSE, FALSE, sizeof (double)), FALSE };
      g_ptr_array_add (threads, g_thread_new ("q", query_thread, &jobs[i]));
    }
  GArray *all = g_array_new (FALSE, FALSE, sizeof (double));
  int failed = 0;
  for (int i = 0; i < clients; i++)
    {
      g_thread_join (threads->pdata[i]);
      g_array_append_vals (all, jobs[i].lat->data, jobs[i].lat->len);
      failed += jobs[i].failed;
      g_array_unref (jobs[i].lat);
    }
  printf ("queries: %u\nfailed_clients: %d\n", all->len, failed);
  print_percentiles ("job_list", all);
  g_array_unref (all);
  g_ptr_array_unref (threads);
  g_free (jobs);
  return failed ? 1 : 0;
}

int
rn_cmd_loadgen (int argc, char **argv)
{
  int count = 1000, clients = 10, seconds = 30;
  gboolean hold = FALSE, wait = FALSE;
  g_autofree char *names = NULL;
  GOptionEntry entries[] = {
    { "count", 'c', 0, G_OPTION_ARG_INT, &count, "jobs (submit, latency) or queries per client", "N" },
    { "hold", 0, 0, G_OPTION_ARG_NONE, &hold, "submit held jobs (they stay queued)", NULL },
    { "wait", 'w', 0, G_OPTION_ARG_NONE, &wait, "wait until the submitted jobs ended", NULL },
    { "names", 'n', 0, G_OPTION_ARG_STRING, &names, "node names to stand in for (nodes)", "HOSTLIST" },
    { "seconds", 's', 0, G_OPTION_ARG_INT, &seconds, "how long the fake nodes stay (nodes)", "S" },
    { "clients", 'k', 0, G_OPTION_ARG_INT, &clients, "concurrent clients (query)", "C" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("submit|latency|nodes|query - load for benchmarks");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || argc < 2 || count < 1 || clients < 1)
    {
      g_printerr ("sluice loadgen: %s\n", err ? err->message : "expected submit, latency, nodes or query");
      return 2;
    }
  g_autoptr (RnConfig) cfg = rn_config_load (rn_config_default_path (NULL), FALSE, &err);
  if (cfg == NULL)
    {
      g_printerr ("sluice loadgen: %s\n", err->message);
      return 1;
    }
  if (g_str_equal (argv[1], "submit"))
    return do_submit (cfg, count, hold, wait);
  if (g_str_equal (argv[1], "latency"))
    return do_latency (cfg, count);
  if (g_str_equal (argv[1], "nodes") && names)
    return do_nodes (cfg, names, seconds);
  if (g_str_equal (argv[1], "query"))
    return do_query (cfg, count, clients);
  g_printerr ("sluice loadgen: expected submit, latency, nodes --names H or query\n");
  return 2;
}
