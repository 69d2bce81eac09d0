/* SPDX-License-Identifier: MIT */
/* tests/realnet/cluster-guard.h - stops a test's cluster when the test aborts.
 *
 * A failed g_assert aborts the test program: no teardown runs, and the controller and node
 * daemons that `sluice cluster up` started in their own sessions would outlive it.  The
 * guard catches SIGABRT and runs `sluice cluster down --dir DIR` (fork + exec, prepared in
 * advance) before letting the abort proceed. */
#pragma once
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

static char *cluster_guard_argv[5];

static void
cluster_guard_on_abort (int sig)
{
  pid_t pid = fork ();
  if (pid == 0)
    {
      execv (cluster_guard_argv[0], cluster_guard_argv);
      _exit (127);
    }
  if (pid > 0)
    waitpid (pid, NULL, 0);
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Arms the guard for the cluster in `dir` started with `sluice_bin`. */
static inline void
cluster_guard_arm (const char *sluice_bin, const char *dir)
{
  cluster_guard_argv[0] = g_strdup (sluice_bin);
  cluster_guard_argv[1] = g_strdup ("cluster");
  cluster_guard_argv[2] = g_strdup ("down");
  cluster_guard_argv[3] = g_strdup_printf ("--dir=%s", dir);
  cluster_guard_argv[4] = NULL;
  signal (SIGABRT, cluster_guard_on_abort);
}
