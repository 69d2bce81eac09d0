/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-launch.c - the node's process supervisor (realnet/launch.h).
 *
 * Every case runs real processes under a fresh supervisor on the default main context, in
 * a temporary directory, and spins a GMainLoop until the expected exit reports arrived; a
 * safety timeout fails the case instead of hanging.  Covered: Slurm's environment in a
 * batch script (with and without GPUs), exit codes, scripts without "#!", output-name
 * patterns and defaults, the chdir fallback, time limits (SIGTERM, then SIGKILL after
 * kill_wait), cancel of a whole process group, rusage, srun-style tasks with their output on
 * pipes, rejected requests (no child left behind) and, as root, running as nobody. */
#include "realnet/launch.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TASKS 8

typedef struct {
  char         *tmp, *spool, *work;
  RnSupervisor *sup;
  GMainLoop    *loop;
  GArray       *reports;                   /* RnExitReport */
  GString      *out[MAX_TASKS][2];         /* task output by task id and stream */
  gboolean      eof[MAX_TASKS][2];
  guint         want;
  gboolean      timed_out;
} Fixture;

/* ---- helpers -------------------------------------------------------------------------- */

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      const char *name;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          if (g_file_test (child, G_FILE_TEST_IS_DIR)
              && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            rm_rf (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
}

static void
on_exit_report (const RnExitReport *r, gpointer data)
{
  Fixture *f = data;
  if (r->step_id != RN_STEP_BATCH && r->task_id < MAX_TASKS)
    {
      /* a task is reported only after both of its streams reached end of file */
      g_assert_true (f->eof[r->task_id][0]);
      g_assert_true (f->eof[r->task_id][1]);
    }
  g_array_append_val (f->reports, *r);
  if (f->reports->len >= f->want)
    g_main_loop_quit (f->loop);
}

static void
on_output (guint32 job_id, guint32 step_id, guint32 task_id, RnStream stream,
           const char *data, gsize len, gpointer user_data)
{
  Fixture *f = user_data;
  (void) job_id;
  (void) step_id;
  g_assert_cmpuint (task_id, <, MAX_TASKS);
  g_assert_false (f->eof[task_id][stream]);
  if (data == NULL)
    {
      g_assert_cmpuint (len, ==, 0);
      f->eof[task_id][stream] = TRUE;
      return;
    }
  if (f->out[task_id][stream] == NULL)
    f->out[task_id][stream] = g_string_new (NULL);
  g_string_append_len (f->out[task_id][stream], data, (gssize) len);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  f->tmp = g_dir_make_tmp ("sluice-launch-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (f->tmp, 0755), ==, 0);       /* so that nobody can reach it */
  f->spool = g_build_filename (f->tmp, "spool", NULL);
  f->work = g_build_filename (f->tmp, "work", NULL);
  g_assert_cmpint (g_mkdir (f->work, 0777), ==, 0);
  g_assert_cmpint (chmod (f->work, 0777), ==, 0);
  f->loop = g_main_loop_new (NULL, FALSE);
  f->reports = g_array_new (FALSE, TRUE, sizeof (RnExitReport));
  f->sup = rn_supervisor_new (f->spool, "n1", on_exit_report, on_output, f, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->sup);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  (void) data;
  g_clear_pointer (&f->sup, rn_supervisor_free);
  for (int t = 0; t < MAX_TASKS; t++)
    for (int s = 0; s < 2; s++)
      if (f->out[t][s] != NULL)
        g_string_free (f->out[t][s], TRUE);
  g_array_unref (f->reports);
  g_main_loop_unref (f->loop);
  rm_rf (f->tmp);
  g_free (f->tmp);
  g_free (f->spool);
  g_free (f->work);
}

static gboolean
on_safety_timeout (gpointer data)
{
  Fixture *f = data;
  f->timed_out = TRUE;
  g_main_loop_quit (f->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the loop until `n` reports arrived in all; fails after `seconds`. */
static void
run_until (Fixture *f, guint n, guint seconds)
{
  f->want = n;
  if (f->reports->len >= n)
    return;
  guint id = g_timeout_add_seconds (seconds, on_safety_timeout, f);
  g_main_loop_run (f->loop);
  if (f->timed_out)
    g_error ("no exit report after %u s (%u of %u arrived)", seconds, f->reports->len, n);
  g_source_remove (id);
}

static const RnExitReport *
report (Fixture *f, guint i)
{
  g_assert_cmpuint (i, <, f->reports->len);
  return &g_array_index (f->reports, RnExitReport, i);
}

/* A launch request for the current user, on nodes n[1-2] (this supervisor is n1). */
static json_t *
make_req (Fixture *f, guint32 job_id, const char *script)
{
  struct passwd *pw = getpwuid (getuid ());
  g_assert_nonnull (pw);
  json_t *req = json_pack ("{s:i, s:s, s:s, s:i, s:i, s:s, s:s, s:[s,s,s], s:i, s:i,"
                           " s:s, s:s, s:s, s:s, s:[s,s], s:i, s:i, s:i, s:s, s:i,"
                           " s:s, s:s, s:s}",
                           "job_id", (int) job_id, "name", "envjob",
                           "user", pw->pw_name, "uid", (int) getuid (), "gid", (int) getgid (),
                           "workdir", f->work, "stdin", "/dev/null",
                           "environment", "PATH=/usr/bin:/bin", "FOO=bar", "SLURM_JOB_ID=999",
                           "time_limit", -1, "kill_wait", 1,
                           "partition", "debug", "cluster", "bench",
                           "nodes", "n[1-2]", "submit_host", "vm",
                           "node_names", "n1", "n2", "num_nodes", 2,
                           "ntasks", 4, "cpus_on_node", 2, "tasks_per_node", "2(x2)",
                           "mem_per_cpu_mb", 250,
                           "conf", "/etc/sluice/slurm.conf", "ctld", "127.0.0.1:6817",
                           "submit_dir", f->work);
  g_assert_nonnull (req);
  if (script != NULL)
    json_object_set_new (req, "script", json_string (script));
  return req;
}

static void
launch_ok (Fixture *f, json_t *req, int *pid)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = rn_supervisor_launch_batch (f->sup, req, pid, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  json_decref (req);
}

static char *
read_work_file (Fixture *f, const char *name)
{
  g_autofree char *path = g_build_filename (f->work, name, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* "KEY=VALUE" lines -> table. */
static GHashTable *
parse_env (const char *text)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *eq = strchr (lines[i], '=');
      if (eq != NULL)
        g_hash_table_insert (h, g_strndup (lines[i], (gsize) (eq - lines[i])),
                             g_strdup (eq + 1));
    }
  return h;
}

static void
assert_env (GHashTable *env, const char *key, const char *want)
{
  const char *got = g_hash_table_lookup (env, key);
  if (g_strcmp0 (got, want) != 0)
    g_error ("%s: got %s, want %s", key, got ? got : "(unset)", want ? want : "(unset)");
}

/* Whether `pid` is gone (no such process, or a zombie nobody reaps). */
static gboolean
pid_gone (int pid)
{
  if (kill (pid, 0) < 0 && errno == ESRCH)
    return TRUE;
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  const char *paren = strrchr (stat, ')');
  return paren != NULL && (paren[2] == 'Z' || paren[2] == 'X');
}

/* The process has no child left (nothing was started, or all were reaped). */
static void
assert_no_children (void)
{
  int st;
  g_assert_cmpint (waitpid (-1, &st, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

/* ---- cases ------------------------------------------------------------------------------ */

static void
test_pattern (void)
{
  RnPatternVars v = {
    .job_id = 42, .array_job_id = 0, .array_task_id = -1, .name = "job", .user = "alice",
    .node = "n1", .node_id = 0, .task_id = 3, .step_id = RN_STEP_BATCH,
  };
  struct { const char *pat, *want; } cases[] = {
    { "slurm-%j.out", "slurm-42.out" },
    { "%x_%u_%N_%n_%t_%s", "job_alice_n1_0_3_batch" },
    { "%A_%a", "42_4294967294" },
    { "%5j%%", "00042%" },
    { "a%qb%", "a%qb%" },
    { "lit\\%j", "lit%j" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = rn_launch_expand_pattern (cases[i].pat, &v);
      g_assert_cmpstr (got, ==, cases[i].want);
    }
  v.array_job_id = 7;
  v.array_task_id = 3;
  v.step_id = 2;
  g_autofree char *arr = rn_launch_expand_pattern ("slurm-%A_%3a.%s", &v);
  g_assert_cmpstr (arr, ==, "slurm-7_003.2");
}

static void
test_env (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("A script printing its environment sees Slurm's variables with the "
                  "request's values; GPU variables only when the job has GPUs.");
  const char *script = "#!/bin/sh\nenv | grep -E '^(SLURM|SLUICE|CUDA|GPU|FOO)' | sort\n";
  json_t *req = make_req (f, 42, script);
  json_object_set_new (req, "gpu_ids", json_pack ("[i,i]", 0, 1));
  json_object_set_new (req, "account", json_string ("acct"));
  int pid = 0;
  launch_ok (f, req, &pid);
  g_assert_cmpint (pid, >, 0);

  RnJobInfo info;
  g_assert_true (rn_supervisor_lookup_job (f->sup, 42, &info));
  g_assert_cmpint (info.batch_pid, ==, pid);
  g_assert_cmpuint (info.n_procs, ==, 1);

  req = make_req (f, 43, script);
  json_t *env = json_object_get (req, "environment");
  json_array_append_new (env, json_string ("CUDA_VISIBLE_DEVICES=7"));
  launch_ok (f, req, NULL);

  g_autoptr (GArray) ids = rn_supervisor_list_jobs (f->sup);
  g_assert_cmpuint (ids->len, ==, 2);
  g_assert_cmpuint (g_array_index (ids, guint32, 0), ==, 42);
  g_assert_cmpuint (g_array_index (ids, guint32, 1), ==, 43);

  run_until (f, 2, 10);
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpint (report (f, i)->state, ==, RN_END_COMPLETED);
      g_assert_cmpint (report (f, i)->exit_code, ==, 0);
      g_assert_cmpuint (report (f, i)->step_id, ==, RN_STEP_BATCH);
    }
  g_autoptr (GArray) none = rn_supervisor_list_jobs (f->sup);
  g_assert_cmpuint (none->len, ==, 0);

  g_autofree char *text = read_work_file (f, "slurm-42.out");
  g_autoptr (GHashTable) e = parse_env (text);
  g_autofree char *pidstr = g_strdup_printf ("%d", pid);
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());
  g_autofree char *gid = g_strdup_printf ("%u", (guint) getgid ());
  assert_env (e, "SLURM_JOB_ID", "42");
  assert_env (e, "SLURM_JOBID", "42");
  assert_env (e, "SLURM_JOB_NAME", "envjob");
  assert_env (e, "SLURM_JOB_NODELIST", "n[1-2]");
  assert_env (e, "SLURM_NODELIST", "n[1-2]");
  assert_env (e, "SLURM_JOB_NUM_NODES", "2");
  assert_env (e, "SLURM_NNODES", "2");
  assert_env (e, "SLURM_NTASKS", "4");
  assert_env (e, "SLURM_NPROCS", "4");
  assert_env (e, "SLURM_TASKS_PER_NODE", "2(x2)");
  assert_env (e, "SLURM_JOB_CPUS_PER_NODE", "2(x2)");
  assert_env (e, "SLURM_CPUS_ON_NODE", "2");
  assert_env (e, "SLURM_NODEID", "0");
  assert_env (e, "SLURM_PROCID", "0");
  assert_env (e, "SLURM_LOCALID", "0");
  assert_env (e, "SLURM_GTIDS", "0");
  assert_env (e, "SLURMD_NODENAME", "n1");
  assert_env (e, "SLURM_CLUSTER_NAME", "bench");
  assert_env (e, "SLURM_CONF", "/etc/sluice/slurm.conf");
  assert_env (e, "SLUICE_CONF", "/etc/sluice/slurm.conf");
  assert_env (e, "SLUICE_CTLD", "127.0.0.1:6817");
  assert_env (e, "SLURM_WORKING_CLUSTER", "bench:127.0.0.1:6817:9728:109");
  assert_env (e, "SLURM_JOB_PARTITION", "debug");
  assert_env (e, "SLURM_JOB_ACCOUNT", "acct");
  assert_env (e, "SLURM_JOB_QOS", NULL);
  assert_env (e, "SLURM_JOB_UID", uid);
  assert_env (e, "SLURM_JOB_GID", gid);
  assert_env (e, "SLURM_MEM_PER_CPU", "250");
  assert_env (e, "SLURM_MEM_PER_NODE", NULL);
  assert_env (e, "SLURM_SUBMIT_DIR", f->work);
  assert_env (e, "SLURM_SUBMIT_HOST", "vm");
  assert_env (e, "SLURM_TASK_PID", pidstr);
  assert_env (e, "SLURM_ARRAY_JOB_ID", NULL);
  assert_env (e, "SLURM_STEP_ID", NULL);
  assert_env (e, "FOO", "bar");
  assert_env (e, "CUDA_VISIBLE_DEVICES", "0,1");
  assert_env (e, "GPU_DEVICE_ORDINAL", "0,1");
  assert_env (e, "SLURM_STEP_GPUS", "0,1");
  assert_env (e, "SLURM_GPUS_ON_NODE", "2");

  g_autofree char *text2 = read_work_file (f, "slurm-43.out");
  g_autoptr (GHashTable) e2 = parse_env (text2);
  assert_env (e2, "SLURM_JOB_ID", "43");
  assert_env (e2, "CUDA_VISIBLE_DEVICES", NULL);
  assert_env (e2, "GPU_DEVICE_ORDINAL", NULL);
  assert_env (e2, "SLURM_STEP_GPUS", NULL);
  assert_env (e2, "SLURM_GPUS_ON_NODE", NULL);

  /* the job directory went with the job */
  g_autofree char *jobdir = g_build_filename (f->spool, "job42", NULL);
  g_assert_false (g_file_test (jobdir, G_FILE_TEST_EXISTS));
}

static void
test_exit_code (Fixture *f, gconstpointer data)
{
  (void) data;
  json_t *req = make_req (f, 9, "#!/bin/sh\necho out\necho err >&2\nexit 3\n");
  json_array_append_new (json_object_get (req, "environment"), json_string ("SLURM_UMASK=0077"));
  launch_ok (f, req, NULL);
  run_until (f, 1, 10);
  const RnExitReport *r = report (f, 0);
  g_assert_cmpuint (r->job_id, ==, 9);
  g_assert_cmpint (r->state, ==, RN_END_FAILED);
  g_assert_cmpstr (rn_end_state_to_string (r->state), ==, "FAILED");
  g_assert_cmpint (r->exit_code, ==, 3);
  g_assert_cmpint (r->signal, ==, 0);
  g_assert_cmpint (r->end_time, >=, g_get_real_time () / G_USEC_PER_SEC - 10);
  g_autofree char *text = read_work_file (f, "slurm-9.out");
  g_assert_cmpstr (text, ==, "out\nerr\n");   /* stderr defaults to the stdout file */
  g_autofree char *path = g_build_filename (f->work, "slurm-9.out", NULL);
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);   /* the job's SLURM_UMASK */
}

static void
test_no_shebang (Fixture *f, gconstpointer data)
{
  (void) data;
  launch_ok (f, make_req (f, 5, "echo plain $((1 + 2))\n"), NULL);
  run_until (f, 1, 10);
  g_assert_cmpint (report (f, 0)->state, ==, RN_END_COMPLETED);
  g_autofree char *text = read_work_file (f, "slurm-5.out");
  g_assert_cmpstr (text, ==, "plain 3\n");
}

static void
test_patterns (Fixture *f, gconstpointer data)
{
  (void) data;
  struct passwd *pw = getpwuid (getuid ());
  json_t *req = make_req (f, 12, "#!/bin/sh\necho to-out\necho to-err >&2\n");
  json_object_set_new (req, "name", json_string ("pat"));
  json_object_set_new (req, "array_job_id", json_integer (7));
  json_object_set_new (req, "array_task_id", json_integer (3));
  json_object_set_new (req, "stdout", json_string ("o_%x_%j_%u.txt"));
  json_object_set_new (req, "stderr", json_string ("e_%A_%a.txt"));
  launch_ok (f, req, NULL);
  req = make_req (f, 13, "#!/bin/sh\necho default\n");
  json_object_set_new (req, "array_job_id", json_integer (7));
  json_object_set_new (req, "array_task_id", json_integer (4));
  launch_ok (f, req, NULL);
  run_until (f, 2, 10);

  g_autofree char *oname = g_strdup_printf ("o_pat_12_%s.txt", pw->pw_name);
  g_autofree char *o = read_work_file (f, oname);
  g_autofree char *e = read_work_file (f, "e_7_3.txt");
  g_autofree char *d = read_work_file (f, "slurm-7_4.out");
  g_assert_cmpstr (o, ==, "to-out\n");
  g_assert_cmpstr (e, ==, "to-err\n");
  g_assert_cmpstr (d, ==, "default\n");
  g_assert_cmpint (report (f, 0)->state, ==, RN_END_COMPLETED);
}

static void
test_chdir_fallback (Fixture *f, gconstpointer data)
{
  (void) data;
  json_t *req = make_req (f, 14, "#!/bin/sh\npwd\n");
  g_autofree char *out = g_build_filename (f->work, "fallback.out", NULL);
  json_object_set_new (req, "workdir", json_string ("/nonexistent-sluice-dir"));
  json_object_set_new (req, "stdout", json_string (out));
  launch_ok (f, req, NULL);
  run_until (f, 1, 10);
  g_autofree char *text = read_work_file (f, "fallback.out");
  g_assert_nonnull (strstr (text, "couldn't chdir to `/nonexistent-sluice-dir'"));
  g_assert_true (g_str_has_suffix (text, "going to /tmp instead\n/tmp\n"));
}

static void
test_timeout (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("A time limit of 1 s ends `sleep 30` with SIGTERM: TIMEOUT within ~2 s.");
  json_t *req = make_req (f, 20, "#!/bin/sh\nsleep 30\n");
  json_object_set_new (req, "time_limit", json_integer (1));
  gint64 t0 = g_get_monotonic_time ();
  launch_ok (f, req, NULL);
  run_until (f, 1, 10);
  double took = (g_get_monotonic_time () - t0) / 1e6;
  const RnExitReport *r = report (f, 0);
  g_assert_cmpint (r->state, ==, RN_END_TIMEOUT);
  g_assert_cmpint (r->signal, ==, SIGTERM);
  g_assert_cmpfloat (took, >=, 0.9);
  g_assert_cmpfloat (took, <, 2.5);
}

static void
test_signal_warning (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("--signal=B:USR1@2 with a 3 s limit: the batch shell gets SIGUSR1 about "
                  "1 s in, traps it, and ends before the limit (COMPLETED).");
  json_t *req = make_req (f, 22, "#!/bin/sh\ntrap 'echo warned; exit 0' USR1\n"
                          "i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done\n"
                          "echo not-warned\n");
  json_object_set_new (req, "time_limit", json_integer (3));
  json_object_set_new (req, "signal", json_pack ("{s:i,s:i,s:b}", "num", SIGUSR1, "time", 2,
                                                 "batch", TRUE));
  gint64 t0 = g_get_monotonic_time ();
  launch_ok (f, req, NULL);
  run_until (f, 1, 10);
  double took = (g_get_monotonic_time () - t0) / 1e6;
  const RnExitReport *r = report (f, 0);
  g_assert_cmpint (r->state, ==, RN_END_COMPLETED);
  g_assert_cmpfloat (took, >=, 0.5);
  g_assert_cmpfloat (took, <, 2.8);
  g_autofree char *text = read_work_file (f, "slurm-22.out");
  g_assert_cmpstr (text, ==, "warned\n");
}

static void
test_timeout_kill (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("A script ignoring SIGTERM is SIGKILLed kill_wait (1 s) after its limit.");
  json_t *req = make_req (f, 21, "#!/bin/sh\ntrap '' TERM\nsleep 30\n");
  json_object_set_new (req, "time_limit", json_integer (1));
  gint64 t0 = g_get_monotonic_time ();
  launch_ok (f, req, NULL);
  run_until (f, 1, 10);
  double took = (g_get_monotonic_time () - t0) / 1e6;
  const RnExitReport *r = report (f, 0);
  g_assert_cmpint (r->state, ==, RN_END_TIMEOUT);
  g_assert_cmpint (r->signal, ==, SIGKILL);
  g_assert_cmpfloat (took, >=, 1.9);
  g_assert_cmpfloat (took, <, 4.0);
}

static gboolean
on_poll_file (gpointer data)
{
  Fixture *f = data;
  g_autofree char *path = g_build_filename (f->work, "gc.pid", NULL);
  g_autofree char *text = NULL;
  if (g_file_get_contents (path, &text, NULL, NULL) && g_str_has_suffix (text, "\n"))
    {
      g_main_loop_quit (f->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("Cancel signals the whole process group: the script and a backgrounded "
                  "grandchild both die; the script is reported CANCELLED.");
  g_autoptr (GError) error = NULL;
  launch_ok (f, make_req (f, 30, "#!/bin/sh\nsleep 100 &\necho $! > gc.pid\nwait\n"), NULL);

  guint poll = g_timeout_add (20, on_poll_file, f);
  guint safety = g_timeout_add_seconds (5, on_safety_timeout, f);
  g_main_loop_run (f->loop);
  g_assert_false (f->timed_out);
  g_source_remove (safety);
  (void) poll;
  g_autofree char *text = read_work_file (f, "gc.pid");
  int gc = atoi (text);
  g_assert_cmpint (gc, >, 1);
  g_assert_false (pid_gone (gc));

  g_assert_false (rn_supervisor_cancel_job (f->sup, 999, 0, &error));
  g_assert_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_UNKNOWN_JOB);
  g_clear_error (&error);
  g_assert_false (rn_supervisor_signal_job (f->sup, 30, 0, &error));
  g_assert_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (rn_supervisor_signal_job (f->sup, 30, SIGCONT, &error));
  g_assert_no_error (error);
  g_assert_true (rn_supervisor_cancel_job (f->sup, 30, 0, &error));
  g_assert_no_error (error);
  RnJobInfo info;
  g_assert_true (rn_supervisor_lookup_job (f->sup, 30, &info));
  g_assert_true (info.ending);
  g_assert_cmpint (info.ending_state, ==, RN_END_CANCELLED);

  run_until (f, 1, 10);
  const RnExitReport *r = report (f, 0);
  g_assert_cmpint (r->state, ==, RN_END_CANCELLED);
  g_assert_cmpint (r->signal, ==, SIGTERM);
  g_assert_false (rn_supervisor_lookup_job (f->sup, 30, &info));
  for (int i = 0; i < 100 && !pid_gone (gc); i++)
    g_usleep (20000);
  g_assert_true (pid_gone (gc));
}

static void
test_rusage (Fixture *f, gconstpointer data)
{
  (void) data;
  launch_ok (f, make_req (f, 40, "#!/bin/sh\ni=0\nwhile [ $i -lt 150000 ]; do "
                          "i=$((i + 1)); done\n"), NULL);
  run_until (f, 1, 10);
  const RnExitReport *r = report (f, 0);
  g_assert_cmpint (r->state, ==, RN_END_COMPLETED);
  g_assert_cmpfloat (r->cpu_seconds, >, 0.0);
  g_assert_cmpint (r->max_rss_kb, >, 0);
}

static void
test_step (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("Three srun tasks: each one's stdout and stderr reach the output callback "
                  "with its task id, then end of file, then its exit report.");
  g_autoptr (GError) error = NULL;
  json_t *req = make_req (f, 50, NULL);
  json_object_set_new (req, "step_id", json_integer (2));
  json_object_set_new (req, "task_ids", json_pack ("[i,i,i]", 1, 2, 3));
  json_object_set_new (req, "argv", json_pack ("[s,s,s]", "sh", "-c",
                       "echo $SLURM_PROCID $SLURM_LOCALID $SLURM_STEP_ID $SLURM_NODEID "
                       "$SLURM_STEP_NUM_TASKS; echo err$SLURM_PROCID >&2; "
                       "exit $((SLURM_PROCID - 1))"));
  gboolean ok = rn_supervisor_launch_step (f->sup, req, &error);
  json_decref (req);
  g_assert_no_error (error);
  g_assert_true (ok);
  run_until (f, 3, 10);
  for (guint t = 1; t <= 3; t++)
    {
      g_autofree char *want_out = g_strdup_printf ("%u %u 2 0 4\n", t, t - 1);
      g_autofree char *want_err = g_strdup_printf ("err%u\n", t);
      g_assert_nonnull (f->out[t][RN_STREAM_OUT]);
      g_assert_nonnull (f->out[t][RN_STREAM_ERR]);
      g_assert_cmpstr (f->out[t][RN_STREAM_OUT]->str, ==, want_out);
      g_assert_cmpstr (f->out[t][RN_STREAM_ERR]->str, ==, want_err);
    }
  g_assert_null (f->out[0][0]);
  guint seen = 0;
  for (guint i = 0; i < 3; i++)
    {
      const RnExitReport *r = report (f, i);
      g_assert_cmpuint (r->job_id, ==, 50);
      g_assert_cmpuint (r->step_id, ==, 2);
      g_assert_cmpint (r->exit_code, ==, (int) r->task_id - 1);
      g_assert_cmpint (r->state, ==, r->task_id == 1 ? RN_END_COMPLETED : RN_END_FAILED);
      seen |= 1u << r->task_id;
    }
  g_assert_cmpuint (seen, ==, 0xe);
  assert_no_children ();
}

static void
test_clean_slate (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("Tasks inherit no descriptor above 2 (the daemon's sockets, the SIGCHLD "
                  "pipe), no blocked signal and no ignored signal from the daemon.");
  g_autoptr (GError) error = NULL;
  int extra = dup (2);                            /* an open fd without close-on-exec */
  g_assert_cmpint (extra, >, 2);
  sigset_t block, old;
  sigemptyset (&block);
  sigaddset (&block, SIGUSR1);
  g_assert_cmpint (sigprocmask (SIG_BLOCK, &block, &old), ==, 0);
  void (*old_pipe) (int) = signal (SIGPIPE, SIG_IGN);

  json_t *req = make_req (f, 55, NULL);
  json_object_set_new (req, "step_id", json_integer (0));
  json_object_set_new (req, "task_ids", json_pack ("[i]", 0));
  json_object_set_new (req, "argv", json_pack ("[s,s,s]", "sh", "-c",
                       "ls /proc/self/fd; grep -E '^Sig(Blk|Ign)' /proc/self/status"));
  gboolean ok = rn_supervisor_launch_step (f->sup, req, &error);
  json_decref (req);
  signal (SIGPIPE, old_pipe);
  sigprocmask (SIG_SETMASK, &old, NULL);
  close (extra);
  g_assert_no_error (error);
  g_assert_true (ok);
  run_until (f, 1, 10);
  g_assert_nonnull (f->out[0][RN_STREAM_OUT]);
  g_assert_cmpstr (f->out[0][RN_STREAM_OUT]->str, ==,
                   "0\n1\n2\n3\nSigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
  g_assert_null (f->out[0][RN_STREAM_ERR]);
}

/* A step request of job `job_id`: step 0, tasks `task_ids` here, running `argv` (both
 * transfer full); srun's input when `input`. */
static json_t *
make_step_req (Fixture *f, guint32 job_id, json_t *task_ids, json_t *argv, gboolean input)
{
  json_t *req = make_req (f, job_id, NULL);
  json_object_set_new (req, "step_id", json_integer (0));
  json_object_set_new (req, "task_ids", task_ids);
  json_object_set_new (req, "argv", argv);
  if (input)
    json_object_set_new (req, "input", json_true ());
  return req;
}

static void
test_step_input (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("srun's input: every task of the step reads what is given, in order, then "
                  "end of file; more than the cap waiting is refused; a step without input "
                  "reads /dev/null.");
  g_autoptr (GError) error = NULL;
  json_t *req = make_step_req (f, 57, json_pack ("[i,i]", 0, 1),
                               json_pack ("[s,s,s]", "sh", "-c", "wc -c; cat"), TRUE);
  g_assert_true (rn_supervisor_launch_step (f->sup, req, &error));
  json_decref (req);
  g_assert_no_error (error);
  /* 200 KiB: more than a pipe holds, so the writes wait for the readers */
  gsize big = 200 * 1024;
  g_autofree char *chunk = g_malloc (big);
  memset (chunk, 'x', big);
  g_assert_true (rn_supervisor_step_input (f->sup, 57, 0, chunk, big, FALSE, &error));
  g_assert_true (rn_supervisor_step_input (f->sup, 57, 0, "", 0, TRUE, &error));
  g_assert_no_error (error);
  run_until (f, 2, 10);
  for (guint t = 0; t < 2; t++)
    {
      g_assert_nonnull (f->out[t][RN_STREAM_OUT]);
      g_autofree char *want = g_strdup_printf ("%" G_GSIZE_FORMAT "\n", big);
      g_assert_cmpstr (f->out[t][RN_STREAM_OUT]->str, ==, want);
    }
  g_assert_false (rn_supervisor_step_input (f->sup, 57, 0, "late", 4, FALSE, &error));
  g_assert_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_UNKNOWN_JOB);
  g_clear_error (&error);
  assert_no_children ();
}

static void
test_step_input_cap (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("A task that does not read its input: past the cap more is refused, and "
                  "the task still ends normally.");
  g_autoptr (GError) error = NULL;
  json_t *req = make_step_req (f, 58, json_pack ("[i]", 0), json_pack ("[s,s]", "sleep", "1"),
                               TRUE);
  g_assert_true (rn_supervisor_launch_step (f->sup, req, &error));
  json_decref (req);
  g_autofree char *cap = g_malloc0 (RN_LAUNCH_INPUT_MAX);
  g_assert_true (rn_supervisor_step_input (f->sup, 58, 0, cap, RN_LAUNCH_INPUT_MAX, FALSE,
                                           &error));
  g_assert_false (rn_supervisor_step_input (f->sup, 58, 0, cap, 70000, FALSE, &error));
  g_assert_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_STATE);
  g_clear_error (&error);
  run_until (f, 1, 10);
  g_assert_cmpint (report (f, 0)->state, ==, RN_END_COMPLETED);
  assert_no_children ();
}

static void
test_step_pty (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("--pty: task 0 runs on a terminal of the given size, its controlling one, "
                  "reading srun's input; the other tasks get pipes.");
  g_autoptr (GError) error = NULL;
  json_t *argv = json_pack ("[s,s,s]", "sh", "-c",
                            "if [ -t 0 ]; then stty size; stty -echo; read x; echo got $x; "
                            "stty size; tty >/dev/null && echo ctty; else echo pipe; fi");
  json_t *req = make_step_req (f, 59, json_pack ("[i,i]", 0, 1), argv, TRUE);
  json_object_set_new (req, "pty", json_true ());
  json_object_set_new (req, "rows", json_integer (33));
  json_object_set_new (req, "cols", json_integer (111));
  g_assert_true (rn_supervisor_launch_step (f->sup, req, &error));
  json_decref (req);
  g_assert_no_error (error);
  /* once the first size is printed, resized before the input arrives: the second `stty
   * size` sees the new size */
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((f->out[0][RN_STREAM_OUT] == NULL
          || strstr (f->out[0][RN_STREAM_OUT]->str, "33 111\r\n") == NULL)
         && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  g_assert_true (rn_supervisor_step_winsize (f->sup, 59, 0, 40, 120));
  g_assert_false (rn_supervisor_step_winsize (f->sup, 59, 7, 40, 120));   /* no such step */
  g_assert_true (rn_supervisor_step_input (f->sup, 59, 0, "hello\n", 6, TRUE, &error));
  g_assert_no_error (error);
  run_until (f, 2, 10);
  g_assert_nonnull (f->out[0][RN_STREAM_OUT]);
  g_assert_nonnull (strstr (f->out[0][RN_STREAM_OUT]->str, "33 111\r\n"));
  g_assert_nonnull (strstr (f->out[0][RN_STREAM_OUT]->str, "got hello\r\n40 120\r\nctty\r\n"));
  g_assert_null (f->out[0][RN_STREAM_ERR]);   /* stderr is the terminal too */
  g_assert_cmpstr (f->out[1][RN_STREAM_OUT]->str, ==, "pipe\n");
  assert_no_children ();
}

typedef struct {
  const char *what;
  const char *set;          /* JSON object merged over the good request, or NULL */
  const char *remove;       /* key removed, or NULL */
  gboolean    step;
  int         code;
  const char *message;      /* substring of the error message */
} BadCase;

static void
test_bad_requests (Fixture *f, gconstpointer data)
{
  (void) data;
  static const BadCase cases[] = {
    { "missing script", NULL, "script", FALSE, RN_LAUNCH_ERROR_INVALID, "\"script\" is missing" },
    { "negative ntasks", "{\"ntasks\": -2}", NULL, FALSE, RN_LAUNCH_ERROR_INVALID,
      "\"ntasks\" must be an integer from 1" },
    { "job id type", "{\"job_id\": \"12\"}", NULL, FALSE, RN_LAUNCH_ERROR_INVALID,
      "\"job_id\" must be an integer (got a string)" },
    { "missing uid", NULL, "uid", FALSE, RN_LAUNCH_ERROR_INVALID, "\"uid\" is missing" },
    { "relative workdir", "{\"workdir\": \"rel\"}", NULL, FALSE, RN_LAUNCH_ERROR_INVALID,
      "\"workdir\" must be an absolute path" },
    { "bad environment", "{\"environment\": [\"A=1\", \"NOEQUALS\"]}", NULL, FALSE,
      RN_LAUNCH_ERROR_INVALID, "\"environment[1]\" is not KEY=VALUE" },
    { "environment type", "{\"environment\": [\"A=1\", 3]}", NULL, FALSE,
      RN_LAUNCH_ERROR_INVALID, "\"environment[1]\" must be a string" },
    { "time limit 0", "{\"time_limit\": 0}", NULL, FALSE, RN_LAUNCH_ERROR_INVALID,
      "\"time_limit\"" },
    { "gpu id", "{\"gpu_ids\": [0, -1]}", NULL, FALSE, RN_LAUNCH_ERROR_INVALID,
      "\"gpu_ids[1]\"" },
    { "not this node", "{\"node_names\": [\"n7\"]}", NULL, FALSE, RN_LAUNCH_ERROR_INVALID,
      "does not include this node (n1)" },
    { "bad hostlist", "{\"nodes\": \"n[1-\"}", "node_names", FALSE, RN_LAUNCH_ERROR_INVALID,
      "\"nodes\" is not a node list" },
    { "unknown user", "{\"user\": \"no-such-user-sluice\"}", NULL, FALSE,
      RN_LAUNCH_ERROR_USER, "unknown user \"no-such-user-sluice\"" },
    { "user and uid disagree", "{\"uid\": 4242}", NULL, FALSE, RN_LAUNCH_ERROR_USER,
      "but the request says uid 4242" },
    { "stdout in a missing dir", "{\"stdout\": \"nodir/x.out\"}", NULL, FALSE,
      RN_LAUNCH_ERROR_SPAWN, "cannot open stdout \"nodir/x.out\"" },
    { "step: missing argv", "{\"step_id\": 0, \"task_ids\": [0]}", NULL, TRUE,
      RN_LAUNCH_ERROR_INVALID, "\"argv\" is missing" },
    { "step: task id too large", "{\"step_id\": 0, \"task_ids\": [0, 4], \"argv\": [\"true\"]}",
      NULL, TRUE, RN_LAUNCH_ERROR_INVALID, "\"task_ids[1]\" must be from 0 to 3" },
    { "step: duplicate task", "{\"step_id\": 0, \"task_ids\": [1, 1], \"argv\": [\"true\"]}",
      NULL, TRUE, RN_LAUNCH_ERROR_INVALID, "lists task 1 twice" },
    { "step: no such program", "{\"step_id\": 0, \"task_ids\": [0, 1], "
      "\"argv\": [\"no-such-program-sluice\"]}", NULL, TRUE, RN_LAUNCH_ERROR_SPAWN,
      "cannot execute \"no-such-program-sluice\": No such file or directory" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadCase *c = &cases[i];
      g_autoptr (GError) error = NULL;
      json_t *req = make_req (f, 60 + i, c->step ? NULL : "#!/bin/sh\ntrue\n");
      if (c->set != NULL)
        {
          json_t *over = json_loads (c->set, 0, NULL);
          g_assert_nonnull (over);
          json_object_update (req, over);
          json_decref (over);
        }
      if (c->remove != NULL)
        json_object_del (req, c->remove);
      gboolean ok = c->step ? rn_supervisor_launch_step (f->sup, req, &error)
                            : rn_supervisor_launch_batch (f->sup, req, NULL, &error);
      json_decref (req);
      g_test_message ("%s: %s", c->what, error ? error->message : "(no error)");
      g_assert_false (ok);
      g_assert_error (error, RN_LAUNCH_ERROR, c->code);
      if (strstr (error->message, c->message) == NULL)
        g_error ("%s: message \"%s\" lacks \"%s\"", c->what, error->message, c->message);
    }
  g_autoptr (GError) error = NULL;
  g_assert_false (rn_supervisor_launch_batch (f->sup, NULL, NULL, &error));
  g_assert_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_INVALID);

  g_autoptr (GArray) ids = rn_supervisor_list_jobs (f->sup);
  g_assert_cmpuint (ids->len, ==, 0);
  g_assert_cmpuint (f->reports->len, ==, 0);
  assert_no_children ();
  /* no job directory was left behind */
  GDir *dir = g_dir_open (f->spool, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
  g_dir_close (dir);
}

static void
noop_exit (const RnExitReport *r, gpointer data)
{
  (void) r;
  (void) data;
  g_assert_not_reached ();
}

static void
test_other_uid (void)
{
  g_test_summary ("A daemon that is not root refuses a job of another uid.");
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, 0);
      g_test_trap_assert_passed ();
      return;
    }
  if (geteuid () == 0)
    {
      /* play the unprivileged daemon */
      g_assert_cmpint (setgid (65534), ==, 0);
      g_assert_cmpint (setuid (65534), ==, 0);
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("sluice-launch-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *spool = g_build_filename (tmp, "spool", NULL);
  RnSupervisor *sup = rn_supervisor_new (spool, "n1", noop_exit, NULL, NULL, &error);
  g_assert_no_error (error);
  json_t *req = json_pack ("{s:i, s:s, s:i, s:i, s:s, s:s}", "job_id", 1, "user", "root",
                           "uid", 0, "gid", 0, "workdir", tmp, "script", "#!/bin/sh\n");
  g_assert_false (rn_supervisor_launch_batch (sup, req, NULL, &error));
  json_decref (req);
  g_assert_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_USER);
  g_assert_nonnull (strstr (error->message, "cannot run a job of uid 0"));
  assert_no_children ();
  rn_supervisor_free (sup);
  rm_rf (tmp);
}

static void
test_as_nobody (Fixture *f, gconstpointer data)
{
  (void) data;
  if (geteuid () != 0)
    {
      g_test_skip ("needs root");
      return;
    }
  struct passwd *pw = getpwnam ("nobody");
  if (pw == NULL)
    {
      g_test_skip ("no user nobody");
      return;
    }
  guint uid = pw->pw_uid, gid = pw->pw_gid;
  g_autofree char *secret = g_build_filename (f->tmp, "rootonly", NULL);
  g_assert_true (g_file_set_contents (secret, "secret\n", -1, NULL));
  g_assert_cmpint (chmod (secret, 0600), ==, 0);

  g_autofree char *script = g_strdup_printf ("#!/bin/sh\nid -u\nid -g\n"
                                             "(echo changed > %s) 2>/dev/null && echo wrote "
                                             "|| echo denied\n", secret);
  json_t *req = make_req (f, 70, script);
  json_object_set_new (req, "user", json_string ("nobody"));
  json_object_set_new (req, "uid", json_integer (uid));
  json_object_set_new (req, "gid", json_integer (gid));
  launch_ok (f, req, NULL);
  run_until (f, 1, 10);
  g_assert_cmpint (report (f, 0)->state, ==, RN_END_COMPLETED);

  g_autofree char *text = read_work_file (f, "slurm-70.out");
  g_autofree char *want = g_strdup_printf ("%u\n%u\ndenied\n", uid, gid);
  g_assert_cmpstr (text, ==, want);
  g_autofree char *content = NULL;
  g_assert_true (g_file_get_contents (secret, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "secret\n");
  g_autofree char *out = g_build_filename (f->work, "slurm-70.out", NULL);
  GStatBuf st;
  g_assert_cmpint (g_stat (out, &st), ==, 0);
  g_assert_cmpuint (st.st_uid, ==, uid);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/realnet/launch/pattern", test_pattern);
#define ADD(path, fn) \
  g_test_add ("/realnet/launch/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("batch/env", test_env);
  ADD ("batch/exit-code", test_exit_code);
  ADD ("batch/no-shebang", test_no_shebang);
  ADD ("batch/patterns", test_patterns);
  ADD ("batch/chdir-fallback", test_chdir_fallback);
  ADD ("batch/timeout", test_timeout);
  ADD ("batch/timeout-kill", test_timeout_kill);
  ADD ("batch/signal-warning", test_signal_warning);
  ADD ("batch/cancel", test_cancel);
  ADD ("batch/rusage", test_rusage);
  ADD ("batch/as-nobody", test_as_nobody);
  ADD ("step/tasks", test_step);
  ADD ("step/clean-slate", test_clean_slate);
  ADD ("step/input", test_step_input);
  ADD ("step/input-cap", test_step_input_cap);
  ADD ("step/pty", test_step_pty);
  ADD ("bad-requests", test_bad_requests);
#undef ADD
  g_test_add_func ("/realnet/launch/bad-requests/other-uid", test_other_uid);
  return g_test_run ();
}
