/* SPDX-License-Identifier: MIT */
/* realnet/cluster.c - `sluice cluster up|down|status`: a whole cluster on this machine, for
 * demos and tests.
 *
 * `up -n N --dir DIR` writes DIR/slurm.conf (free loopback ports, state and spool under
 * DIR), generates the cluster key, starts one controller and N node daemons in their own
 * sessions with their logs in DIR/log, records their pids in DIR/pids, waits until every
 * node is idle and prints the `export SLUICE_CONF=...` line to use it.  `down --dir DIR`
 * sends SIGTERM to every recorded daemon, waits for them (SIGKILL after 10 s) and removes
 * DIR/pids. */
#include "realnet/cmds.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "realnet/client.h"
#include "realnet/config.h"
#include "realnet/proto.h"

/* A TCP port free on 127.0.0.1 right now (the kernel's choice). */
static guint16
free_port (void)
{
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
  socklen_t len = sizeof sa;
  guint16 port = 0;
  if (fd >= 0 && bind (fd, (struct sockaddr *) &sa, sizeof sa) == 0
      && getsockname (fd, (struct sockaddr *) &sa, &len) == 0)
    port = ntohs (sa.sin_port);
  if (fd >= 0)
    close (fd);
  return port;
}

static char *
self_exe (void)
{
  char buf[4096];
  ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return g_strdup ("sluice");
  buf[n] = '\0';
  return g_strdup (buf);
}

/* Starts `argv` detached (own session), stdout/stderr to `log`.  Returns its pid. */
static pid_t
spawn_daemon (char **argv, const char *log, GError **error)
{
  int fd = open (log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INTERNAL, "%s: %s", log, g_strerror (errno));
      return -1;
    }
  pid_t pid = fork ();
  if (pid < 0)
    {
      close (fd);
      g_set_error (error, RN_ERROR, RN_ERROR_INTERNAL, "fork: %s", g_strerror (errno));
      return -1;
    }
  if (pid == 0)
    {
      setsid ();
      int nul = open ("/dev/null", O_RDONLY);
      if (nul >= 0)
        dup2 (nul, 0);
      dup2 (fd, 1);
      dup2 (fd, 2);
      execv (argv[0], argv);
      _exit (127);
    }
  close (fd);
  return pid;
}

static int
cluster_up (const char *dir, int n, int cpus, int mem, int gpus, const char *policy,
            gboolean quiet)
{
  g_autoptr (GError) err = NULL;
  if (n < 1 || n > 4096)
    {
      g_printerr ("sluice cluster up: -n %d: expected 1 .. 4096 nodes\n", n);
      return 2;
    }
  g_autofree char *adir = g_canonicalize_filename (dir, NULL);
  g_autofree char *pids = g_build_filename (adir, "pids", NULL);
  if (g_file_test (pids, G_FILE_TEST_EXISTS))
    {
      g_printerr ("sluice cluster up: %s exists: a cluster runs there (sluice cluster down --dir %s)\n",
                  pids, dir);
      return 1;
    }
  g_autofree char *state = g_build_filename (adir, "state", NULL);
  g_autofree char *spool = g_build_filename (adir, "spool", NULL);
  g_autofree char *logs = g_build_filename (adir, "log", NULL);
  if (g_mkdir_with_parents (state, 0755) || g_mkdir_with_parents (spool, 0755)
      || g_mkdir_with_parents (logs, 0755))
    {
      g_printerr ("sluice cluster up: %s: %s\n", adir, g_strerror (errno));
      return 1;
    }
  chmod (adir, 0755);
  g_autofree char *conf = g_build_filename (adir, "slurm.conf", NULL);
  GString *c = g_string_new (NULL);
  g_string_append_printf (c,
    "# Written by `sluice cluster up -n %d`: a controller and %d node daemons on loopback.\n"
    "ClusterName=sluice\n"
    "SlurmctldHost=localhost(127.0.0.1)\n"
    "SlurmctldPort=%u\n"
    "StateSaveLocation=%s\n"
    "SlurmdSpoolDir=%s\n"
    "SlurmdTimeout=60\n"
    "KillWait=5\n"
    "MinJobAge=300\n"
    "SchedulerType=sched/%s\n"
    "SchedulerParameters=bf_interval=5\n"
    "SelectType=select/cons_tres\n",
    n, n, free_port (), state, spool, policy);
  for (int i = 1; i <= n; i++)
    {
      g_string_append_printf (c, "NodeName=n%d CPUs=%d RealMemory=%d NodeAddr=127.0.0.1 Port=%u",
                              i, cpus, mem, free_port ());
      if (gpus > 0)
        g_string_append_printf (c, " Gres=gpu:%d", gpus);
      g_string_append_c (c, '\n');
    }
  g_string_append_printf (c, "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP\n");
  if (!g_file_set_contents (conf, c->str, (gssize) c->len, &err))
    {
      g_printerr ("sluice cluster up: %s\n", err->message);
      g_string_free (c, TRUE);
      return 1;
    }
  g_string_free (c, TRUE);
  g_autofree char *key = g_build_filename (state, "sluice.key", NULL);
  if (!g_file_test (key, G_FILE_TEST_EXISTS) && !rn_key_generate (key, &err))
    {
      g_printerr ("sluice cluster up: %s\n", err->message);
      return 1;
    }
  g_autofree char *exe = self_exe ();
  GString *pidtext = g_string_new (NULL);
  g_autofree char *clog = g_build_filename (logs, "ctld.log", NULL);
  char *cargv[] = { exe, (char *) "ctld", (char *) "-f", conf, NULL };
  pid_t p = spawn_daemon (cargv, clog, &err);
  if (p < 0)
    {
      g_printerr ("sluice cluster up: %s\n", err->message);
      return 1;
    }
  g_string_append_printf (pidtext, "%d ctld\n", (int) p);
  for (int i = 1; i <= n; i++)
    {
      g_autofree char *name = g_strdup_printf ("n%d", i);
      g_autofree char *nlog = g_strdup_printf ("%s/%s.log", logs, name);
      char *nargv[] = { exe, (char *) "noded", (char *) "-f", conf, (char *) "--name", name, NULL };
      p = spawn_daemon (nargv, nlog, &err);
      if (p < 0)
        {
          g_printerr ("sluice cluster up: %s\n", err->message);
          break;
        }
      g_string_append_printf (pidtext, "%d %s\n", (int) p, name);
    }
  g_file_set_contents (pids, pidtext->str, (gssize) pidtext->len, NULL);
  g_string_free (pidtext, TRUE);
  /* wait until every node is idle */
  g_autoptr (RnConfig) cfg = rn_config_load (conf, FALSE, &err);
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  int idle = 0;
  while (cfg && g_get_monotonic_time () < deadline)
    {
      g_usleep (50000);
      g_autoptr (GError) e = NULL;
      g_autoptr (RnClient) cl = rn_client_connect (cfg, &e);
      if (cl == NULL)
        continue;
      json_t *rep = rn_client_call (cl, "node_list", NULL, NULL, &e);
      if (rep == NULL)
        continue;
      idle = 0;
      size_t i;
      json_t *nd;
      json_array_foreach (json_object_get (rep, "nodes"), i, nd)
        idle += g_strcmp0 (json_string_value (json_object_get (nd, "state")), "IDLE") == 0;
      json_decref (rep);
      if (idle == n)
        break;
    }
  if (idle != n)
    {
      g_printerr ("sluice cluster up: only %d of %d nodes are idle after 30 s; see %s\n", idle,
                  n, logs);
      return 1;
    }
  if (!quiet)
    g_printerr ("sluice cluster up: controller and %d node daemons running; logs in %s\n", n,
                logs);
  printf ("export SLUICE_CONF=%s\n", conf);
  return 0;
}

static int
cluster_down (const char *dir)
{
  g_autofree char *pids = g_build_filename (dir, "pids", NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (pids, &text, NULL, NULL))
    {
      g_printerr ("sluice cluster down: %s: no cluster runs there\n", pids);
      return 1;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  GArray *ps = g_array_new (FALSE, FALSE, sizeof (pid_t));
  /* node daemons first, then the controller */
  for (int pass = 0; pass < 2; pass++)
    for (guint i = 0; lines[i]; i++)
      {
        pid_t p = (pid_t) g_ascii_strtoll (lines[i], NULL, 10);
        gboolean is_ctld = strstr (lines[i], " ctld") != NULL;
        if (p <= 1 || is_ctld != (pass == 1))
          continue;
        if (kill (p, SIGTERM) == 0)
          g_array_append_val (ps, p);
      }
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  for (guint i = 0; i < ps->len; i++)
    {
      pid_t p = g_array_index (ps, pid_t, i);
      while (kill (p, 0) == 0 && g_get_monotonic_time () < deadline)
        {
          waitpid (p, NULL, WNOHANG);
          g_usleep (20000);
        }
      if (kill (p, 0) == 0)
        kill (p, SIGKILL);
    }
  g_array_unref (ps);
  unlink (pids);
  return 0;
}

int
rn_cmd_cluster (int argc, char **argv)
{
  int n = 4, cpus = 4, mem = 4000, gpus = 0;
  g_autofree char *dir = NULL, *policy_arg = NULL;
  gboolean quiet = FALSE;
  GOptionEntry entries[] = {
    { "nodes", 'n', 0, G_OPTION_ARG_INT, &n, "node daemons to start (up; default 4)", "N" },
    { "dir", 'd', 0, G_OPTION_ARG_FILENAME, &dir, "folder for the configuration, state and logs", "DIR" },
    { "cpus", 'c', 0, G_OPTION_ARG_INT, &cpus, "CPUs per node (default 4)", "C" },
    { "mem", 'm', 0, G_OPTION_ARG_INT, &mem, "RealMemory per node in MB (default 4000)", "MB" },
    { "gpus", 'g', 0, G_OPTION_ARG_INT, &gpus, "GPUs per node (default 0)", "G" },
    { "policy", 'p', 0, G_OPTION_ARG_STRING, &policy_arg, "SchedulerType: backfill (Slurm's), builtin, easy, conservative, fcfs", "NAME" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "print only the export line", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("up|down - a controller and node daemons on this machine");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    {
      g_printerr ("sluice cluster: %s\n", err->message);
      return 2;
    }
  if (argc < 2 || dir == NULL)
    {
      g_printerr ("usage: sluice cluster up -n N --dir DIR | sluice cluster down --dir DIR\n");
      return 2;
    }
  if (g_str_equal (argv[1], "up"))
    return cluster_up (dir, n, cpus, mem, gpus, policy_arg ? policy_arg : "backfill", quiet);
  if (g_str_equal (argv[1], "down"))
    return cluster_down (dir);
  g_printerr ("sluice cluster: unknown action \"%s\" (up or down)\n", argv[1]);
  return 2;
}
