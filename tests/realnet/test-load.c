/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-load.c - the controller under load, on loopback ('slow' suite).
 *
 * One controller configured with 1,000 nodes (n[1-1000]), all served by one
 * `sluice loadgen nodes` process (fake node daemons: they register, heartbeat and end at
 * once any job they are sent); 100,000 held jobs submitted through one pipelined connection
 * (`sluice loadgen submit --hold`); then 100 concurrent clients listing the queue
 * (`sluice loadgen query --clients 100`) while sbatch processes submit more.  Checks: every
 * node registers and stays up, no submission fails, every acknowledged job is in the queue
 * afterwards (the count and each sbatch id), the controller stays alive; its latencies and
 * memory are reported with g_test_message.  Bounded: loopback only, each phase has a
 * deadline.  SLUICE_LOAD_JOBS / SLUICE_LOAD_NODES / SLUICE_LOAD_CLIENTS scale it down for a
 * quick run by hand: SLUICE_BIN=build/sluice build/tests/realnet_test_load */
#include <errno.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "realnet/client.h"
#include "realnet/config.h"
#include "realnet/proto.h"

static const char *sluice_bin;
static char *dir, *conf, *bindir;
static GSubprocess *ctld, *nodes;
static guint n_nodes = 1000, n_jobs = 100000, n_clients = 100;
static volatile pid_t daemon_pids[2];   /* for on_abort */

/* A failed assertion aborts: take the daemons down with the test. */
static void
on_abort (int sig)
{
  for (int i = 0; i < 2; i++)
    if (daemon_pids[i] > 0)
      kill (daemon_pids[i], SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

static guint16
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sa;
  g_assert_cmpint (bind (fd, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  g_assert_cmpint (getsockname (fd, (struct sockaddr *) &sa, &len), ==, 0);
  close (fd);
  return ntohs (sa.sin_port);
}

static gint64
rss_kb (GSubprocess *p)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (p));
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return -1;
  const char *s = strstr (text, "VmRSS:");
  return s ? g_ascii_strtoll (s + 6, NULL, 10) : -1;
}

static GSubprocess *
spawn (GSubprocessFlags flags, const char *log, GError **error, ...)
{
  g_autoptr (GSubprocessLauncher) l = g_subprocess_launcher_new (flags);
  g_subprocess_launcher_setenv (l, "SLUICE_CONF", conf, TRUE);
  g_autofree char *path = g_strdup_printf ("%s:%s", bindir, g_getenv ("PATH"));
  g_subprocess_launcher_setenv (l, "PATH", path, TRUE);
  if (log)
    g_subprocess_launcher_set_stderr_file_path (l, log);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  va_list ap;
  va_start (ap, error);
  for (const char *a = va_arg (ap, const char *); a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (l, (const char *const *) argv->pdata, error);
}

/* The value of "key: value" in loadgen's output, or -1. */
static double
figure (const char *out, const char *key)
{
  g_autofree char *needle = g_strdup_printf ("%s: ", key);
  const char *p = strstr (out, needle);
  return p ? g_ascii_strtod (p + strlen (needle), NULL) : -1;
}

static json_t *
call (const char *type, json_t *body)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (RnConfig) cfg = rn_config_load (conf, FALSE, &err);
  g_assert_no_error (err);
  g_autoptr (RnClient) c = rn_client_connect (cfg, &err);
  g_assert_no_error (err);
  json_t *r = rn_client_call (c, type, body, NULL, &err);
  g_assert_no_error (err);
  if (body)
    json_decref (body);
  return r;
}

static guint
count_state (json_t *list, const char *key, const char *state)
{
  guint n = 0;
  size_t i;
  json_t *e;
  json_array_foreach (json_object_get (list, key), i, e)
    n += g_strcmp0 (json_string_value (json_object_get (e, "state")), state) == 0;
  return n;
}

static void
test_load (void)
{
  /* 1. the controller and 1,000 fake nodes */
  g_autoptr (GError) err = NULL;
  g_autofree char *clog = g_build_filename (dir, "ctld.log", NULL);
  ctld = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, clog, &err, sluice_bin, "ctld", "-f", conf,
                NULL);
  g_assert_no_error (err);
  daemon_pids[0] = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (ctld), NULL, 10);
  g_autoptr (RnConfig) cfg = rn_config_load (conf, FALSE, &err);
  g_assert_no_error (err);
  for (int i = 0; i < 200 && !g_file_test (cfg->socket_path, G_FILE_TEST_EXISTS); i++)
    g_usleep (50000);
  gint64 t0 = g_get_monotonic_time ();
  g_autofree char *nlog = g_build_filename (dir, "nodes.log", NULL);
  g_autofree char *names = g_strdup_printf ("n[1-%u]", n_nodes);
  nodes = spawn (G_SUBPROCESS_FLAGS_STDOUT_SILENCE, nlog, &err, sluice_bin, "loadgen",
                 "nodes", "--names", names, "--seconds", "3600", NULL);
  g_assert_no_error (err);
  daemon_pids[1] = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (nodes), NULL, 10);
  guint idle = 0;
  while (g_get_monotonic_time () - t0 < 60 * G_USEC_PER_SEC)
    {
      json_t *r = call ("node_list", NULL);
      idle = count_state (r, "nodes", "IDLE");
      json_decref (r);
      if (idle == n_nodes)
        break;
      g_usleep (200000);
    }
  double reg_s = (g_get_monotonic_time () - t0) / 1e6;
  g_test_message ("%u of %u nodes idle after %.2f s; controller RSS %" G_GINT64_FORMAT " kB",
                  idle, n_nodes, reg_s, rss_kb (ctld));
  g_assert_cmpuint (idle, ==, n_nodes);

  /* 2. the queue: n_jobs held jobs through one connection */
  g_autofree char *count = g_strdup_printf ("%u", n_jobs);
  GSubprocess *sub = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, &err, sluice_bin, "loadgen",
                            "submit", "--count", count, "--hold", NULL);
  g_assert_no_error (err);
  g_autofree char *subout = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (sub, NULL, NULL, &subout, NULL, &err));
  g_assert_no_error (err);
  g_assert_true (g_subprocess_get_successful (sub));
  g_object_unref (sub);
  g_test_message ("%u held jobs submitted in %.2f s (%.0f jobs/s), %.0f failed; controller RSS "
                  "%" G_GINT64_FORMAT " kB", n_jobs, figure (subout, "submit_seconds"),
                  figure (subout, "submit_jobs_per_s"), figure (subout, "failed"), rss_kb (ctld));
  g_assert_cmpfloat (figure (subout, "failed"), ==, 0);

  /* 3. n_clients listing the queue, and sbatch processes meanwhile */
  g_autofree char *clients = g_strdup_printf ("%u", n_clients);
  GSubprocess *q = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, &err, sluice_bin, "loadgen",
                          "query", "--clients", clients, "--count", "1", NULL);
  g_assert_no_error (err);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *sbatch = g_build_filename (bindir, "sbatch", NULL);
  double sb_worst = 0, sb_total = 0;
  gint64 peak_rss = 0;
  for (int i = 0; i < 20; i++)
    {
      gint64 a = g_get_monotonic_time ();
      GSubprocess *sb = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE, NULL, &err, sbatch, "--parsable",
                               "--hold", "-J", "load-sbatch", "-D", dir, "--wrap=true", NULL);
      g_assert_no_error (err);
      g_autofree char *out = NULL;
      g_assert_true (g_subprocess_communicate_utf8 (sb, NULL, NULL, &out, NULL, &err));
      g_assert_true (g_subprocess_get_successful (sb));
      g_object_unref (sb);
      double s = (g_get_monotonic_time () - a) / 1e6;
      sb_worst = MAX (sb_worst, s);
      sb_total += s;
      guint id = (guint) g_ascii_strtoull (out, NULL, 10);
      g_assert_cmpuint (id, >, 0);
      g_array_append_val (ids, id);
      peak_rss = MAX (peak_rss, rss_kb (ctld));
    }
  g_autofree char *qout = NULL;
  g_assert_true (g_subprocess_communicate_utf8 (q, NULL, NULL, &qout, NULL, &err));
  g_assert_no_error (err);
  peak_rss = MAX (peak_rss, rss_kb (ctld));
  g_test_message ("%u concurrent job_list clients over %u jobs: p50 %.0f ms, p90 %.0f ms, max "
                  "%.0f ms, %.0f failed; 20 sbatch meanwhile: mean %.0f ms, max %.0f ms; "
                  "controller RSS peak %" G_GINT64_FORMAT " kB", n_clients, n_jobs,
                  figure (qout, "job_list_ms_p50"), figure (qout, "job_list_ms_p90"),
                  figure (qout, "job_list_ms_max"), figure (qout, "failed_clients"),
                  sb_total / 20 * 1e3, sb_worst * 1e3, peak_rss);
  g_assert_true (g_subprocess_get_successful (q));
  g_object_unref (q);

  /* 4. nothing lost: every acknowledged job is queued, every node still up */
  gint64 a = g_get_monotonic_time ();
  json_t *all = call ("job_list", NULL);
  double squeue_s = (g_get_monotonic_time () - a) / 1e6;
  guint pending = count_state (all, "jobs", "PENDING");
  GHashTable *seen = g_hash_table_new (NULL, NULL);
  size_t i;
  json_t *e;
  json_array_foreach (json_object_get (all, "jobs"), i, e)
    g_hash_table_add (seen, GSIZE_TO_POINTER ((gsize) json_integer_value (json_object_get (e, "job_id"))));
  json_decref (all);
  g_test_message ("job_list of the whole queue: %.0f ms, %u pending", squeue_s * 1e3, pending);
  g_assert_cmpuint (pending, ==, n_jobs + ids->len);
  for (guint k = 0; k < ids->len; k++)
    g_assert_true (g_hash_table_contains (seen, GSIZE_TO_POINTER ((gsize) g_array_index (ids, guint, k))));
  g_hash_table_unref (seen);
  g_array_unref (ids);
  json_t *nl = call ("node_list", NULL);
  g_assert_cmpuint (count_state (nl, "nodes", "IDLE"), ==, n_nodes);
  json_decref (nl);
}

static guint
env_uint (const char *name, guint dflt)
{
  const char *v = g_getenv (name);
  return v ? (guint) g_ascii_strtoull (v, NULL, 10) : dflt;
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  signal (SIGPIPE, SIG_IGN);
  signal (SIGABRT, on_abort);
  sluice_bin = g_getenv ("SLUICE_BIN");
  if (sluice_bin == NULL)
    {
      g_printerr ("SLUICE_BIN must name the sluice binary\n");
      return 1;
    }
  n_nodes = MAX (1u, env_uint ("SLUICE_LOAD_NODES", n_nodes));
  n_jobs = MAX (1u, env_uint ("SLUICE_LOAD_JOBS", n_jobs));
  n_clients = MAX (1u, env_uint ("SLUICE_LOAD_CLIENTS", n_clients));
  g_autofree char *bin_dir = g_path_get_dirname (sluice_bin);
  bindir = g_build_filename (bin_dir, "bin", NULL);
  dir = g_dir_make_tmp ("sluice-load-XXXXXX", NULL);
  chmod (dir, 0755);
  g_autofree char *state = g_build_filename (dir, "state", NULL);
  g_mkdir (state, 0755);
  conf = g_build_filename (dir, "slurm.conf", NULL);
  /* what `sluice cluster up` writes, with n_nodes nodes that no real daemon serves */
  g_autofree char *text = g_strdup_printf (
    "ClusterName=sluice\nSlurmctldHost=localhost(127.0.0.1)\nSlurmctldPort=%u\n"
    "StateSaveLocation=%s\nSlurmdSpoolDir=%s/spool\nSlurmdTimeout=60\nKillWait=5\n"
    "MinJobAge=300\nSchedulerType=sched/backfill\nSchedulerParameters=bf_interval=5\n"
    "SelectType=select/cons_tres\n"
    "NodeName=n[1-%u] CPUs=4 RealMemory=4000 NodeAddr=127.0.0.1 Port=%u\n"
    "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n",
    free_port (), state, dir, n_nodes, free_port ());
  g_assert_true (g_file_set_contents (conf, text, -1, NULL));
  g_autofree char *keyfile = g_build_filename (state, "sluice.key", NULL);
  g_assert_true (rn_key_generate (keyfile, NULL));

  g_test_add_func ("/load/1000-nodes-100000-jobs-100-clients", test_load);
  int rc = g_test_run ();
  GSubprocess *procs[] = { nodes, ctld };
  for (gsize k = 0; k < G_N_ELEMENTS (procs); k++)
    if (procs[k])
      {
        g_subprocess_send_signal (procs[k], SIGTERM);
        g_subprocess_wait (procs[k], NULL, NULL);
        g_object_unref (procs[k]);
      }
  if (rc == 0 && !g_getenv ("SLUICE_KEEP_CLUSTER"))
    {
      g_autofree char *rm = g_strdup_printf ("rm -rf %s", dir);
      g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
    }
  else
    g_printerr ("load test folder kept: %s\n", dir);
  return rc;
}
