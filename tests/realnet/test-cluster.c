/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-cluster.c - a real controller and four node daemons on loopback
 * (`sluice cluster up` in a temporary folder), real jobs, the real commands.
 *
 * Each test submits its own jobs and waits for them with a deadline; all share one cluster
 * (4 nodes x 4 CPUs x 2 GPUs, Slurm's backfill) started once.  Where a test needs a time
 * limit in seconds (Slurm's --time counts minutes) it submits through the protocol
 * directly with realnet/client.c.  Run by hand: SLUICE_BIN=build/sluice
 * build/tests/realnet_test_cluster */
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "realnet/client.h"
#include "realnet/config.h"
#include "realnet/proto.h"
#include "tests/realnet/cluster-guard.h"

static const char *sluice_bin;
static char *dir;        /* the cluster's folder */
static char *conf;       /* its slurm.conf */
static char *work;       /* where jobs are submitted from */
static char *bindir;     /* build/bin: sbatch, squeue ... */
static RnConfig *cfg;

/* ---- running commands ---- */

static uid_t child_uid = 0;

static void
child_setup (gpointer data)
{
  (void) data;
  if (child_uid != 0)
    {
      if (setgid (child_uid) != 0 || setuid (child_uid) != 0)
        _exit (126);
    }
}

/* Runs `cmdline` (shell words) with the cluster's environment in `work`; returns its exit
 * status and (transfer full) its stdout and stderr. */
static int
run (const char *cmdline, char **out, char **err)
{
  g_auto (GStrv) argv = NULL;
  g_assert_true (g_shell_parse_argv (cmdline, NULL, &argv, NULL));
  g_auto (GStrv) envp = g_get_environ ();
  envp = g_environ_setenv (envp, "SLUICE_CONF", conf, TRUE);
  g_autofree char *path = g_strdup_printf ("%s:%s", bindir, g_getenv ("PATH"));
  envp = g_environ_setenv (envp, "PATH", path, TRUE);
  envp = g_environ_unsetenv (envp, "SLURM_JOB_ID");
  char *o = NULL, *e = NULL;
  int status = -1;
  g_autoptr (GError) error = NULL;
  gboolean ok = g_spawn_sync (work, argv, envp, G_SPAWN_SEARCH_PATH_FROM_ENVP, child_setup, NULL,
                              &o, &e, &status, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  if (out)
    *out = o;
  else
    g_free (o);
  if (err)
    *err = e;
  else
    g_free (e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

/* sbatch ARGS; returns the job id. */
static guint
submit (const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("sbatch --parsable %s", args);
  g_autofree char *out = NULL, *err = NULL;
  int rc = run (cmd, &out, &err);
  if (rc != 0)
    g_error ("%s: exit %d: %s", cmd, rc, err);
  return (guint) g_ascii_strtoull (out, NULL, 10);
}

/* The job's state as `squeue -t all` prints it (%T). */
static char *
job_state (guint id)
{
  g_autofree char *cmd = g_strdup_printf ("squeue -h -t all -j %u -o %%T", id);
  char *out = NULL;
  run (cmd, &out, NULL);
  return g_strstrip (out);
}

static gboolean
is_final (const char *st)
{
  return !g_str_equal (st, "PENDING") && !g_str_equal (st, "RUNNING") && *st;
}

/* Waits until job `id` is in state `want` (NULL: any final state), at most `secs`; returns
 * the state it was last seen in. */
static char *
wait_for (guint id, const char *want, double secs)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (secs * G_USEC_PER_SEC);
  for (;;)
    {
      char *st = job_state (id);
      if ((want ? g_str_equal (st, want) : is_final (st)) || g_get_monotonic_time () > deadline)
        return st;
      g_free (st);
      g_usleep (50000);
    }
}

static char *
wait_final (guint id, double secs)
{
  return wait_for (id, NULL, secs);
}

static char *
wait_state (guint id, const char *want, double secs)
{
  return wait_for (id, want, secs);
}

static char *
read_work_file (const char *name)
{
  g_autofree char *p = g_build_filename (work, name, NULL);
  char *text = NULL;
  g_file_get_contents (p, &text, NULL, NULL);
  return text;
}

/* One field of `scontrol show job ID`: "ExitCode" -> "3:0". */
static char *
scontrol_field (guint id, const char *field)
{
  g_autofree char *cmd = g_strdup_printf ("scontrol show job %u", id);
  g_autofree char *out = NULL;
  run (cmd, &out, NULL);
  g_autofree char *needle = g_strdup_printf (" %s=", field);
  const char *p = strstr (out, needle);
  if (p == NULL)
    return NULL;
  p += strlen (needle);
  return g_strndup (p, strcspn (p, " \n"));
}

/* A protocol client signed with the cluster key. */
static RnClient *
tcp_client (void)
{
  RnKey key;
  g_autoptr (GError) err = NULL;
  g_assert_true (rn_key_load (&key, cfg->key_path, &err));
  RnClient *c = rn_client_connect_tcp ("127.0.0.1", cfg->ctld_port, &key, 0, 0, &err);
  g_assert_no_error (err);
  return c;
}

/* Submits a job request with a time limit in seconds through the protocol. */
static guint
submit_raw (const char *name, const char *script, gint64 ntasks, gint64 limit_s)
{
  g_autoptr (RnClient) c = rn_client_connect (cfg, NULL);
  g_assert_nonnull (c);
  json_t *req = json_pack ("{s:s,s:s,s:s,s:I,s:I,s:[s]}", "name", name, "script", script,
                           "workdir", work, "ntasks", (json_int_t) ntasks,
                           "time_limit", (json_int_t) limit_s, "environment", "PATH=/usr/bin:/bin");
  g_autoptr (GError) err = NULL;
  json_t *rep = rn_client_call (c, "submit", req, NULL, &err);
  json_decref (req);
  g_assert_no_error (err);
  guint id = (guint) json_integer_value (json_object_get (rep, "job_id"));
  json_decref (rep);
  return id;
}

/* ---- tests ---- */

static void
test_batch_output_env (void)
{
  guint id = submit ("-J envjob -n 2 --wrap='env | grep ^SLURM_ | sort; echo out; echo err >&2; exit 3'");
  g_autofree char *st = wait_final (id, 20);
  g_assert_cmpstr (st, ==, "FAILED");
  g_autofree char *name = g_strdup_printf ("slurm-%u.out", id);
  g_autofree char *text = read_work_file (name);
  g_assert_nonnull (text);
  g_autofree char *jid = g_strdup_printf ("SLURM_JOB_ID=%u\n", id);
  g_assert_nonnull (strstr (text, jid));
  g_assert_nonnull (strstr (text, "SLURM_JOB_NAME=envjob\n"));
  g_assert_nonnull (strstr (text, "SLURM_NTASKS=2\n"));
  g_assert_nonnull (strstr (text, "SLURM_NNODES=1\n"));
  g_assert_nonnull (strstr (text, "SLURM_CPUS_ON_NODE=2\n"));
  g_autofree char *sd = g_strdup_printf ("SLURM_SUBMIT_DIR=%s\n", work);
  g_assert_nonnull (strstr (text, sd));
  g_assert_nonnull (strstr (text, "SLURM_JOB_NODELIST=n"));
  g_assert_null (strstr (text, "CUDA_VISIBLE_DEVICES"));
  g_assert_nonnull (strstr (text, "out\nerr\n"));
  g_autofree char *ec = scontrol_field (id, "ExitCode");
  g_assert_cmpstr (ec, ==, "3:0");
  g_autofree char *reason = scontrol_field (id, "Reason");
  g_assert_cmpstr (reason, ==, "NonZeroExitCode");
}

static void
test_output_patterns (void)
{
  guint id = submit ("-J pat -o out-%x-%j.txt -e err-%j.txt --wrap='echo to-out; echo to-err >&2'");
  g_autofree char *st = wait_final (id, 20);
  g_assert_cmpstr (st, ==, "COMPLETED");
  g_autofree char *on = g_strdup_printf ("out-pat-%u.txt", id);
  g_autofree char *en = g_strdup_printf ("err-%u.txt", id);
  g_autofree char *o = read_work_file (on), *e = read_work_file (en);
  g_assert_cmpstr (o, ==, "to-out\n");
  g_assert_cmpstr (e, ==, "to-err\n");
}

static void
test_cancel_kills_group (void)
{
  guint id = submit ("-J victim --wrap='sleep 300 & echo $! > grandchild-$SLURM_JOB_ID; wait'");
  g_autofree char *st = wait_state (id, "RUNNING", 20);
  g_assert_cmpstr (st, ==, "RUNNING");
  g_autofree char *gname = g_strdup_printf ("grandchild-%u", id);
  g_autofree char *pidtext = NULL;
  /* the shell creates the file before `echo` writes to it: wait for a whole line */
  for (int i = 0; i < 100; i++)
    {
      g_clear_pointer (&pidtext, g_free);
      pidtext = read_work_file (gname);
      if (pidtext != NULL && strchr (pidtext, '\n') != NULL)
        break;
      g_usleep (50000);
    }
  g_assert_nonnull (pidtext);
  pid_t gc = (pid_t) g_ascii_strtoll (pidtext, NULL, 10);
  g_assert_cmpint (gc, >, 1);
  g_autofree char *cmd = g_strdup_printf ("scancel %u", id);
  g_assert_cmpint (run (cmd, NULL, NULL), ==, 0);
  g_autofree char *fin = wait_final (id, 20);
  g_assert_cmpstr (fin, ==, "CANCELLED");
  gboolean gone = FALSE;
  for (int i = 0; i < 100 && !gone; i++)
    {
      gone = kill (gc, 0) != 0 && errno == ESRCH;
      if (!gone)
        g_usleep (50000);
    }
  g_assert_true (gone);
  g_autofree char *ec = scontrol_field (id, "ExitCode");
  g_assert_cmpstr (ec, ==, "0:15");
  /* cancelling it again is an error, as in Slurm */
  g_autofree char *err = NULL;
  g_assert_cmpint (run (cmd, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "already completing or completed"));
}

static void
test_timeout (void)
{
  guint id = submit_raw ("limited", "#!/bin/sh\ntrap '' TERM\nsleep 60\n", 1, 1);
  g_autofree char *st = wait_final (id, 30);   /* 1 s limit, then KillWait=5 s */
  g_assert_cmpstr (st, ==, "TIMEOUT");
  /* --signal=B:USR1@58 with a 1-minute limit: the shell hears USR1 ~2 s in and ends */
  gint64 t0 = g_get_monotonic_time ();
  guint w = submit ("-t 1 --signal=B:USR1@58 -o warned-%j.out --wrap='trap \"echo warned; "
                    "exit 0\" USR1; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done'");
  g_autofree char *ws = wait_final (w, 30);
  g_assert_cmpstr (ws, ==, "COMPLETED");
  g_assert_cmpfloat ((g_get_monotonic_time () - t0) / 1e6, <, 20.0);
  g_autofree char *name = g_strdup_printf ("warned-%u.out", w);
  g_autofree char *out = read_work_file (name);
  g_assert_cmpstr (out, ==, "warned\n");
}

static void
test_running_time_limit (void)
{
  /* a running job's limit lowered to 1 minute and then raised back by root: it keeps
   * running; lowered to a limit already passed it ends TIMEOUT */
  guint id = submit ("-t 10 --wrap='sleep 60'");
  g_autofree char *st = wait_state (id, "RUNNING", 20);
  g_assert_cmpstr (st, ==, "RUNNING");
  g_autofree char *c1 = g_strdup_printf ("scontrol update JobId=%u TimeLimit=5", id);
  g_assert_cmpint (run (c1, NULL, NULL), ==, 0);
  g_autofree char *tl = scontrol_field (id, "TimeLimit");
  g_assert_cmpstr (tl, ==, "00:05:00");
  g_usleep (1100000);
  g_autoptr (RnClient) c = rn_client_connect (cfg, NULL);
  g_autofree char *sid = g_strdup_printf ("%u", id);
  json_t *b = json_pack ("{s:s,s:i}", "job_id", sid, "time_limit", 1);
  g_autoptr (GError) err = NULL;
  json_t *r = rn_client_call (c, "update_job", b, NULL, &err);
  json_decref (b);
  g_assert_no_error (err);
  json_decref (r);
  g_autofree char *fin = wait_final (id, 20);   /* 1 s limit passed: SIGTERM now */
  g_assert_cmpstr (fin, ==, "TIMEOUT");
}

static void
test_drained_node_gets_nothing (void)
{
  g_assert_cmpint (run ("scontrol update NodeName=n3 State=DRAIN Reason=testing", NULL, NULL), ==, 0);
  g_autofree char *out = NULL;
  run ("sinfo -R -h", &out, NULL);
  g_assert_nonnull (strstr (out, "testing"));
  g_assert_nonnull (strstr (out, "n3"));
  /* 12 one-CPU jobs fill the three other nodes exactly */
  guint ids[12];
  for (int i = 0; i < 12; i++)
    ids[i] = submit ("-n 1 --wrap='sleep 3'");
  for (int i = 0; i < 12; i++)
    {
      g_autofree char *st = wait_state (ids[i], "RUNNING", 20);
      g_autofree char *cmd = g_strdup_printf ("squeue -h -t all -j %u -o %%N", ids[i]);
      g_autofree char *node = NULL;
      run (cmd, &node, NULL);
      if (g_str_equal (st, "RUNNING"))
        g_assert_cmpstr (g_strstrip (node), !=, "n3");
    }
  g_autofree char *extra_out = NULL;
  guint extra = submit ("-n 1 --wrap=true");
  g_usleep (300000);
  g_autofree char *cmd = g_strdup_printf ("squeue -h -t all -j %u -o %%T:%%N", extra);
  run (cmd, &extra_out, NULL);
  g_assert_null (strstr (extra_out, "n3"));
  g_assert_cmpint (run ("scontrol update NodeName=n3 State=RESUME", NULL, NULL), ==, 0);
  for (int i = 0; i < 12; i++)
    g_free (wait_final (ids[i], 30));
  g_free (wait_final (extra, 30));
}

static void
test_gpus_disjoint (void)
{
  /* 8 jobs of 1 GPU on 4 nodes x 2 GPUs: every (node, GPU index) pair at most once */
  guint ids[8];
  for (int i = 0; i < 8; i++)
    ids[i] = submit ("--gres=gpu:1 -o gpu-%j.out --wrap='echo $SLURMD_NODENAME $CUDA_VISIBLE_DEVICES; sleep 2'");
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (int i = 0; i < 8; i++)
    {
      g_autofree char *st = wait_final (ids[i], 40);
      g_assert_cmpstr (st, ==, "COMPLETED");
      g_autofree char *name = g_strdup_printf ("gpu-%u.out", ids[i]);
      g_autofree char *text = read_work_file (name);
      g_assert_nonnull (text);
      g_strstrip (text);
      g_assert_true (g_str_has_prefix (text, "n"));
      g_assert_nonnull (strchr (text, ' '));
      g_assert_false (g_hash_table_contains (seen, text));
      g_hash_table_add (seen, g_strdup (text));
    }
  g_hash_table_destroy (seen);
}

static void
test_srun (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run ("srun -N2 -n4 -l hostname", &out, &err), ==, 0);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (int t = 0; t < 4; t++)
    {
      g_autofree char *pre = g_strdup_printf ("%d: ", t);
      gboolean found = FALSE;
      for (guint i = 0; lines[i]; i++)
        found |= g_str_has_prefix (lines[i], pre);
      g_assert_true (found);
    }
  /* srun's input reaches every task (text and binary), -i none sends none, and --pty gives
   * task 0 a terminal */
  g_autofree char *in1 = NULL;
  g_assert_cmpint (run ("sh -c \"printf 'a\\nb\\n' | srun -n2 -l cat | sort\"", &in1, NULL), ==, 0);
  g_assert_cmpstr (in1, ==, "0: a\n0: b\n1: a\n1: b\n");
  g_autofree char *in2 = NULL;
  g_assert_cmpint (run ("sh -c \"head -c 300000 /dev/urandom > rnd.bin && srun cat < rnd.bin "
                        "| cmp - rnd.bin && echo same\"", &in2, NULL), ==, 0);
  g_assert_cmpstr (in2, ==, "same\n");
  g_autofree char *in3 = NULL;
  g_assert_cmpint (run ("sh -c \"echo lost | srun -i none cat; echo rc=$?\"", &in3, NULL), ==, 0);
  g_assert_cmpstr (in3, ==, "rc=0\n");
  g_autofree char *in4 = NULL;
  g_assert_cmpint (run ("sh -c \"printf 'tty; exit 3\\n' | srun --pty sh\"", &in4, NULL), ==, 3);
  g_assert_nonnull (strstr (in4, "/dev/pts/"));
  g_autofree char *o2 = NULL, *e2 = NULL;
  g_assert_cmpint (run ("srun false", &o2, &e2), ==, 1);
  g_assert_nonnull (strstr (e2, ": task 0: Exited with exit code 1"));
  /* a step inside a batch job */
  guint id = submit ("-N2 -n2 -o step-%j.out --wrap='srun -l hostname | sort'");
  g_autofree char *st = wait_final (id, 30);
  g_assert_cmpstr (st, ==, "COMPLETED");
  g_autofree char *name = g_strdup_printf ("step-%u.out", id);
  g_autofree char *text = read_work_file (name);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "0: "));
  g_assert_nonnull (strstr (text, "\n1: "));
  /* sacct lists the step after the batch step */
  g_autofree char *acmd = g_strdup_printf ("sacct -j %u -P -n --format=JobID,JobName,NTasks,State",
                                           id);
  g_autofree char *acct = NULL;
  g_assert_cmpint (run (acmd, &acct, NULL), ==, 0);
  g_autofree char *awant = g_strdup_printf ("%u|wrap||COMPLETED\n%u.batch|batch|1|COMPLETED\n"
                                            "%u.0|hostname|2|COMPLETED\n", id, id, id);
  g_assert_cmpstr (acct, ==, awant);
  /* --ntasks-per-node: 2 tasks on each of 2 nodes (4-CPU nodes would take all 4 on one),
   * the step runs them where they were placed */
  guint tpn = submit ("-N2 --ntasks-per-node=2 -o tpn-%j.out --wrap='echo $SLURM_NTASKS "
                      "$SLURM_NTASKS_PER_NODE $SLURM_TASKS_PER_NODE; "
                      "srun sh -c \"echo \\$SLURMD_NODENAME\" | sort | uniq -c'");
  g_autofree char *tst = wait_final (tpn, 30);
  g_assert_cmpstr (tst, ==, "COMPLETED");
  g_autofree char *tname = g_strdup_printf ("tpn-%u.out", tpn);
  g_autofree char *ttext = read_work_file (tname);
  g_assert_nonnull (ttext);
  g_auto (GStrv) tl = g_strsplit (g_strstrip (ttext), "\n", -1);
  g_assert_cmpuint (g_strv_length (tl), ==, 3);
  g_assert_cmpstr (tl[0], ==, "4 2 2(x2)");
  g_assert_true (g_str_has_prefix (g_strstrip (tl[1]), "2 n"));   /* "2 nI" */
  g_assert_true (g_str_has_prefix (g_strstrip (tl[2]), "2 n"));
  g_assert_cmpstr (tl[1], !=, tl[2]);
}

static void
test_dependency_and_hold (void)
{
  guint a = submit ("--wrap='sleep 1; exit 1'");
  guint ok = submit_raw ("x", "#!/bin/sh\ntrue\n", 1, 60);
  g_autofree char *dep1 = g_strdup_printf ("--dependency=afterok:%u --wrap=true", a);
  g_autofree char *dep2 = g_strdup_printf ("--dependency=afternotok:%u --wrap=true", a);
  guint b = submit (dep1), c = submit (dep2);
  g_autofree char *rb = NULL;
  g_autofree char *cmd = g_strdup_printf ("squeue -h -j %u -o %%r", b);
  run (cmd, &rb, NULL);
  g_assert_cmpstr (g_strstrip (rb), ==, "Dependency");
  g_autofree char *sc = wait_final (c, 30);
  g_assert_cmpstr (sc, ==, "COMPLETED");
  g_usleep (300000);
  g_autofree char *sb = job_state (b);
  g_assert_cmpstr (sb, ==, "PENDING");
  g_autofree char *rb2 = NULL;
  run (cmd, &rb2, NULL);
  g_assert_cmpstr (g_strstrip (rb2), ==, "DependencyNeverSatisfied");
  g_free (wait_final (ok, 20));
  g_autofree char *cc = g_strdup_printf ("scancel %u", b);
  run (cc, NULL, NULL);
  /* hold and release */
  guint h = submit ("--hold --wrap=true");
  g_autofree char *pr = scontrol_field (h, "Priority");
  g_assert_cmpstr (pr, ==, "0");
  g_autofree char *hr = scontrol_field (h, "Reason");
  g_assert_cmpstr (hr, ==, "JobHeldUser");
  g_autofree char *rel = g_strdup_printf ("scontrol release %u", h);
  g_assert_cmpint (run (rel, NULL, NULL), ==, 0);
  g_autofree char *sh = wait_final (h, 20);
  g_assert_cmpstr (sh, ==, "COMPLETED");
}

static void
test_errors_as_slurm (void)
{
  g_autofree char *out = NULL, *err = NULL;
  g_assert_cmpint (run ("sbatch -p nosuch --wrap=true", &out, &err), ==, 1);
  g_assert_cmpstr (err, ==, "sbatch: error: invalid partition specified: nosuch\n"
                   "sbatch: error: Batch job submission failed: Invalid partition name specified\n");
  g_autofree char *o2 = NULL, *e2 = NULL;
  g_assert_cmpint (run ("squeue -j 999999", &o2, &e2), ==, 1);
  g_assert_cmpstr (e2, ==, "slurm_load_jobs error: Invalid job id specified\n");
  g_autofree char *o3 = NULL, *e3 = NULL;
  g_assert_cmpint (run ("scontrol show job 999999", &o3, &e3), ==, 1);
  g_assert_cmpstr (e3, ==, "slurm_load_jobs error: Invalid job id specified\n");
  g_autofree char *script = g_build_filename (work, "nohash.sh", NULL);
  g_file_set_contents (script, "echo no interpreter line\n", -1, NULL);
  g_autofree char *o4 = NULL, *e4 = NULL;
  g_assert_cmpint (run ("sbatch nohash.sh", &o4, &e4), ==, 1);
  g_assert_cmpstr (e4, ==, "sbatch: error: This does not look like a batch script.  The first\n"
                   "sbatch: error: line must start with #! followed by the path to an interpreter.\n"
                   "sbatch: error: For instance: #!/bin/sh\n");
  /* a GPU type no node has (the cluster's GPUs are untyped) */
  g_autofree char *o6 = NULL, *e6 = NULL;
  g_assert_cmpint (run ("sbatch --gres=gpu:h100:1 --wrap=true", &o6, &e6), ==, 1);
  g_assert_cmpstr (e6, ==, "sbatch: error: Batch job submission failed: Invalid generic "
                   "resource (gres) specification\n");
  g_autofree char *o5 = NULL;
  g_assert_cmpint (run ("sbatch --wrap=true", &o5, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (o5, "Submitted batch job "));
}

/* -w/--nodelist and -x/--exclude choose the nodes; --test-only submits nothing and says
 * when and where the job would start. */
static void
test_nodelist_test_only (void)
{
  guint w = submit ("-w n3 --wrap=true");
  guint x = submit ("-x n1,n2,n4 -N1 --wrap=true");
  guint w2 = submit ("-w n[2-3] -N2 --wrap=true");
  const guint ids[] = { w, x, w2 };
  const char *want[] = { "n3", "n3", "n[2-3]" };
  for (gsize k = 0; k < G_N_ELEMENTS (ids); k++)
    {
      g_autofree char *st = wait_final (ids[k], 30);
      g_assert_cmpstr (st, ==, "COMPLETED");
      g_autofree char *cmd = g_strdup_printf ("sacct -j %u -X -P -n --format=NodeList", ids[k]);
      g_autofree char *out = NULL;
      g_assert_cmpint (run (cmd, &out, NULL), ==, 0);
      g_autofree char *line = g_strdup_printf ("%s\n", want[k]);
      g_assert_cmpstr (out, ==, line);
    }
  g_autofree char *e1 = NULL;
  g_assert_cmpint (run ("sbatch -w n99 --wrap=true", NULL, &e1), ==, 1);
  g_assert_cmpstr (e1, ==, "sbatch: error: Batch job submission failed: Invalid node name "
                   "specified\n");
  /* --test-only: the idle cluster starts it now, on 2 nodes; nothing is queued */
  g_autofree char *before = NULL, *after = NULL, *o = NULL, *e = NULL;
  run ("squeue -h -o %i", &before, NULL);
  g_assert_cmpint (run ("sbatch --test-only -N2 --wrap=true", &o, &e), ==, 0);
  g_assert_cmpstr (o, ==, "");
  g_assert_true (g_str_has_prefix (e, "sbatch: Job "));
  g_assert_nonnull (strstr (e, " to start at 20"));
  g_assert_nonnull (strstr (e, " using 2 processors on nodes n["));
  g_assert_true (g_str_has_suffix (e, " in partition debug\n"));
  run ("squeue -h -o %i", &after, NULL);
  g_assert_cmpstr (after, ==, before);
}

/* scontrol's host list helpers (as MPI batch scripts use them), ping and every command's
 * --version. */
static void
test_scontrol_misc (void)
{
  const char *cases[][2] = {
    { "scontrol show hostnames n[1-3],x5", "n1\nn2\nn3\nx5\n" },
    { "scontrol show hostlist n3,n1,n2,n4", "n[3,1-2,4]\n" },
    { "scontrol show hostlistsorted n3,n1,n2,n4", "n[1-4]\n" },
    { "scontrol ping", "Slurmctld(primary) at localhost is UP\n" },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *out = NULL;
      g_assert_cmpint (run (cases[k][0], &out, NULL), ==, 0);
      g_assert_cmpstr (out, ==, cases[k][1]);
    }
  /* inside a job, hostnames defaults to the job's nodes */
  guint id = submit ("-N2 -o hosts-%j.out --wrap='scontrol show hostnames | sort'");
  g_autofree char *st = wait_final (id, 30);
  g_assert_cmpstr (st, ==, "COMPLETED");
  g_autofree char *name = g_strdup_printf ("hosts-%u.out", id);
  g_autofree char *text = read_work_file (name);
  g_assert_nonnull (text);
  g_auto (GStrv) lines = g_strsplit (g_strstrip (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (lines[0][0] == 'n' && lines[1][0] == 'n');
  g_autofree char *bad = NULL;
  g_assert_cmpint (run ("scontrol show hostnames n[5-3]", NULL, &bad), ==, 1);
  g_assert_true (g_str_has_prefix (bad, "scontrol: error: Invalid hostlist: n[5-3]"));
  /* squeue -i N: a date line and the listing (none here) every N seconds until stopped */
  g_autofree char *it = NULL;
  g_assert_cmpint (run ("sh -c \"timeout 2.5 squeue -i 1 -h -u nosuchuser; true\"", &it, NULL),
                   ==, 0);
  g_auto (GStrv) dates = g_strsplit (g_strstrip (it), "\n", -1);
  g_assert_cmpuint (g_strv_length (dates), >=, 2);
  for (guint k = 0; dates[k]; k++)
    g_assert_nonnull (strstr (dates[k], " 20"));   /* "Thu Nov 26 09:55:07 2026" */
  const char *cmds[] = { "sbatch", "squeue", "sinfo", "scancel", "sacct", "scontrol", "srun" };
  for (gsize k = 0; k < G_N_ELEMENTS (cmds); k++)
    {
      g_autofree char *cmd = g_strdup_printf ("%s --version", cmds[k]);
      g_autofree char *out = NULL;
      g_assert_cmpint (run (cmd, &out, NULL), ==, 0);
      g_assert_true (g_str_has_prefix (out, "sluice "));
    }
}

static void
test_other_user (void)
{
  if (getuid () != 0)
    {
      g_test_skip ("needs root to run a second uid");
      return;
    }
  guint id = submit ("--wrap='sleep 30'");
  child_uid = 65534;
  g_autofree char *err = NULL;
  g_autofree char *cmd = g_strdup_printf ("scancel %u", id);
  int rc = run (cmd, NULL, &err);
  child_uid = 0;
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err, "Access/permission denied"));
  g_autofree char *st = job_state (id);
  g_assert_true (g_str_equal (st, "RUNNING") || g_str_equal (st, "PENDING"));
  /* nobody's own job runs as nobody */
  child_uid = 65534;
  g_autofree char *out = NULL, *e2 = NULL;
  rc = run ("sbatch --parsable -o /tmp/sluice-nobody-%j.out --wrap='id -u'", &out, &e2);
  child_uid = 0;
  g_assert_cmpint (rc, ==, 0);
  guint nid = (guint) g_ascii_strtoull (out, NULL, 10);
  g_autofree char *nst = wait_final (nid, 20);
  g_assert_cmpstr (nst, ==, "COMPLETED");
  g_autofree char *path = g_strdup_printf ("/tmp/sluice-nobody-%u.out", nid);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "65534\n");
  g_unlink (path);
  run (cmd, NULL, NULL);
  /* another user's ended job: refused as not theirs, not as already done (slurmctld's
   * order) */
  g_free (wait_final (id, 20));
  child_uid = 65534;
  g_autofree char *err3 = NULL;
  rc = run (cmd, NULL, &err3);
  child_uid = 0;
  g_assert_cmpint (rc, ==, 1);
  g_assert_nonnull (strstr (err3, "Access/permission denied"));
}

/* Sends raw bytes to the controller's TCP port; returns what came back (up to a close). */
static GBytes *
raw_exchange (const guint8 *data, gsize len, gboolean half_close)
{
  g_autoptr (GError) err = NULL;
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  g_autoptr (GSocketConnection) conn = g_socket_client_connect_to_host (sc, "127.0.0.1",
                                                                        cfg->ctld_port, NULL, &err);
  g_assert_no_error (err);
  GOutputStream *os = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (os, data, len, NULL, NULL, NULL);
  if (half_close)
    g_socket_shutdown (g_socket_connection_get_socket (conn), FALSE, TRUE, NULL);
  GInputStream *is = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 5);
  GByteArray *got = g_byte_array_new ();
  guint8 buf[4096];
  gssize n;
  while ((n = g_input_stream_read (is, buf, sizeof buf, NULL, NULL)) > 0)
    g_byte_array_append (got, buf, (guint) n);
  return g_byte_array_free_to_bytes (got);
}

/* Whether `b` (binary: a frame) contains `text`. */
static gconstpointer
bytes_find (GBytes *b, const char *text)
{
  gsize len;
  const void *d = g_bytes_get_data (b, &len);
  return d ? memmem (d, len, text, strlen (text)) : NULL;
}

static void
assert_ctld_alive (void)
{
  g_autoptr (RnClient) c = tcp_client ();
  g_autoptr (GError) err = NULL;
  json_t *r = rn_client_call (c, "ping", NULL, NULL, &err);
  g_assert_no_error (err);
  json_decref (r);
}

static void
test_protocol_abuse (void)
{
  /* random bytes */
  guint8 junk[1024];
  GRand *rng = g_rand_new_with_seed (7);
  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_rand_int (rng);
  g_rand_free (rng);
  g_bytes_unref (raw_exchange (junk, sizeof junk, TRUE));
  assert_ctld_alive ();
  /* a huge length prefix is answered with an error and closed */
  guint8 huge[] = { 0x7f, 0xff, 0xff, 0xff, 0x00, '{' };
  g_autoptr (GBytes) r1 = raw_exchange (huge, sizeof huge, FALSE);
  g_assert_cmpuint (g_bytes_get_size (r1), >, 4);
  assert_ctld_alive ();
  /* a truncated frame, then the peer hangs up */
  guint8 trunc[] = { 0, 0, 0, 100, 0, '{', '"' };
  g_bytes_unref (raw_exchange (trunc, sizeof trunc, TRUE));
  assert_ctld_alive ();
  /* unsigned JSON on TCP, and a frame signed with another key */
  GBytes *plain = rn_frame_encode ("job_list", 1, NULL, NULL, 0);
  gsize plen;
  const guint8 *pd = g_bytes_get_data (plain, &plen);
  g_autoptr (GBytes) r2 = raw_exchange (pd, plen, FALSE);
  g_assert_nonnull (bytes_find (r2, "unsigned frame"));
  g_bytes_unref (plain);
  RnKey other = { { 1, 2, 3 } };
  RnSigner bad = { &other, 0, 0 };
  GBytes *forged = rn_frame_encode ("cancel", 1, NULL, &bad, g_get_real_time () / G_USEC_PER_SEC);
  const guint8 *fd = g_bytes_get_data (forged, &plen);
  g_autoptr (GBytes) r3 = raw_exchange (fd, plen, FALSE);
  g_assert_nonnull (bytes_find (r3, "bad signature"));
  g_bytes_unref (forged);
  /* a replayed frame: the same signed bytes twice */
  RnKey key;
  g_assert_true (rn_key_load (&key, cfg->key_path, NULL));
  RnSigner good = { &key, 0, 0 };
  GBytes *ping = rn_frame_encode ("ping", 1, NULL, &good, g_get_real_time () / G_USEC_PER_SEC);
  const guint8 *gd = g_bytes_get_data (ping, &plen);
  g_autoptr (GBytes) r4 = raw_exchange (gd, plen, TRUE);
  g_assert_nonnull (bytes_find (r4, "pong"));
  g_autoptr (GBytes) r5 = raw_exchange (gd, plen, TRUE);
  g_assert_nonnull (bytes_find (r5, "replayed"));
  g_bytes_unref (ping);
  /* a stale signature */
  GBytes *old = rn_frame_encode ("ping", 1, NULL, &good, g_get_real_time () / G_USEC_PER_SEC - 3600);
  const guint8 *od = g_bytes_get_data (old, &plen);
  g_autoptr (GBytes) r6 = raw_exchange (od, plen, TRUE);
  g_assert_nonnull (bytes_find (r6, "stale"));
  g_bytes_unref (old);
  /* deeply nested JSON */
  GString *deep = g_string_new ("{\"v\":1,\"type\":\"job_list\",\"body\":{\"x\":");
  for (int i = 0; i < 5000; i++)
    g_string_append_c (deep, '[');
  GBytes *nested = NULL;
  {
    gsize tl = deep->len + 1;
    guint8 *b = g_malloc (4 + tl);
    b[0] = (guint8) (tl >> 24);
    b[1] = (guint8) (tl >> 16);
    b[2] = (guint8) (tl >> 8);
    b[3] = (guint8) tl;
    b[4] = 0;
    memcpy (b + 5, deep->str, deep->len);
    nested = g_bytes_new_take (b, 4 + tl);
  }
  g_string_free (deep, TRUE);
  /* on the Unix socket (no signature needed), so the parser is what refuses it */
  g_autoptr (GError) err = NULL;
  g_autoptr (GSocket) us = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &err);
  g_autoptr (GSocketAddress) ua = g_unix_socket_address_new (cfg->socket_path);
  g_assert_true (g_socket_connect (us, ua, NULL, &err));
  gsize nl;
  const guint8 *nd = g_bytes_get_data (nested, &nl);
  g_socket_send (us, (const char *) nd, nl, NULL, NULL);
  char rb[4096];
  g_socket_set_timeout (us, 5);
  gssize got = g_socket_receive (us, rb, sizeof rb - 1, NULL, NULL);
  g_assert_cmpint (got, >, 5);
  rb[got] = '\0';
  g_assert_nonnull (g_strstr_len (rb + 5, got - 5, "nested deeper"));
  g_bytes_unref (nested);
  /* a request for a node-daemon message from a user socket is refused */
  assert_ctld_alive ();
}

/* scontrol update JobId=... on a pending job: the request changes as if submitted so,
 * checked as a submission is; bad values and keys are refused and change nothing. */
static void
test_update_pending_job (void)
{
  guint id = submit ("--hold -J before -N1 --wrap='echo $SLURM_JOB_NAME $SLURM_NNODES'");
  g_autofree char *ok_cmd = g_strdup_printf ("scontrol update JobId=%u Name=after NumNodes=2 "
                                             "Nice=7 MinMemoryNode=100 TimeLimit=20", id);
  g_autofree char *e1 = NULL;
  g_assert_cmpint (run (ok_cmd, NULL, &e1), ==, 0);
  g_autofree char *q = g_strdup_printf ("squeue -h -j %u -o %%j|%%D|%%l|%%y|%%m", id);
  g_autofree char *line = NULL;
  g_assert_cmpint (run (q, &line, NULL), ==, 0);
  g_assert_cmpstr (line, ==, "after|2|20:00|7|100M\n");
  /* refusals: the job is unchanged */
  const char *bad[][2] = {
    { "Partition=nosuch", "slurm_update error: Invalid partition name specified\n" },
    { "Foo=bar", "Update of this parameter is not supported: Foo=bar\nRequest aborted\n" },
    { "NumTasks=abc", "Invalid NumTasks value: abc\n" },
    { "Dependency=afterok:999999", "slurm_update error: Job dependency problem\n" },
    { "Gres=gpu:h100:1",
      "slurm_update error: Invalid generic resource (gres) specification\n" },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (bad); k++)
    {
      g_autofree char *cmd = g_strdup_printf ("scontrol update JobId=%u %s", id, bad[k][0]);
      g_autofree char *err = NULL;
      g_assert_cmpint (run (cmd, NULL, &err), ==, 1);
      g_assert_cmpstr (err, ==, bad[k][1]);
    }
  g_autofree char *again = NULL;
  run (q, &again, NULL);
  g_assert_cmpstr (again, ==, line);
  if (getuid () == 0)
    {
      /* a user may not lower a nice value, nor raise a limit */
      g_autofree char *mine = NULL;
      child_uid = 65534;
      g_assert_cmpint (run ("sbatch --parsable --hold --wrap=true -t 5", &mine, NULL), ==, 0);
      guint m = (guint) g_ascii_strtoull (mine, NULL, 10);
      g_autofree char *c1 = g_strdup_printf ("scontrol update JobId=%u Nice=-5", m);
      g_autofree char *c2 = g_strdup_printf ("scontrol update JobId=%u TimeLimit=50", m);
      g_autofree char *c3 = g_strdup_printf ("scontrol update JobId=%u Name=renamed Nice=3", m);
      g_autofree char *x1 = NULL, *x2 = NULL;
      int r1 = run (c1, NULL, &x1), r2 = run (c2, NULL, &x2), r3 = run (c3, NULL, NULL);
      child_uid = 0;
      g_assert_cmpint (r1, ==, 1);
      g_assert_cmpstr (x1, ==, "slurm_update error: Access/permission denied\n");
      g_assert_cmpint (r2, ==, 1);
      g_assert_cmpint (r3, ==, 0);
      g_autofree char *cancel = g_strdup_printf ("scancel %u", m);
      run (cancel, NULL, NULL);
    }
  /* released, it runs as updated */
  g_autofree char *rel = g_strdup_printf ("scontrol release %u", id);
  g_assert_cmpint (run (rel, NULL, NULL), ==, 0);
  g_autofree char *st = wait_final (id, 30);
  g_assert_cmpstr (st, ==, "COMPLETED");
  g_autofree char *name = g_strdup_printf ("slurm-%u.out", id);
  g_autofree char *out = read_work_file (name);
  g_assert_cmpstr (out, ==, "after 2\n");
}

static void
test_restart_keeps_jobs (void)
{
  guint held = submit ("--hold -J keepme --wrap=true");
  /* an updated request is what a restart reads back */
  g_autofree char *upd = g_strdup_printf ("scontrol update JobId=%u Name=kept2 TimeLimit=7", held);
  g_assert_cmpint (run (upd, NULL, NULL), ==, 0);
  guint running = submit ("-J survivor -o survivor-%j.out --wrap='sleep 3; echo survived'");
  g_autofree char *st = wait_state (running, "RUNNING", 20);
  g_assert_cmpstr (st, ==, "RUNNING");
  /* kill -9 the controller and start a new one on the same state */
  g_autofree char *pids = g_build_filename (dir, "pids", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (pids, &text, NULL, NULL));
  pid_t ctld = (pid_t) g_ascii_strtoll (text, NULL, 10);
  g_assert_cmpint (kill (ctld, SIGKILL), ==, 0);
  g_usleep (200000);
  g_autofree char *log = g_build_filename (dir, "log", "ctld.log", NULL);
  const char *argv[] = { sluice_bin, "ctld", "-f", conf, NULL };
  GPid pid;
  g_autoptr (GError) err = NULL;
  int logfd = open (log, O_WRONLY | O_APPEND);
  g_assert_true (g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                         &pid, -1, logfd, logfd, &err));
  close (logfd);
  g_autofree char *newpids = g_strdup_printf ("%d ctld\n%s", (int) pid, strchr (text, '\n') + 1);
  g_file_set_contents (pids, newpids, -1, NULL);
  /* the held job is still there, and the running one finishes */
  g_autofree char *hs = wait_state (held, "PENDING", 20);
  g_assert_cmpstr (hs, ==, "PENDING");
  g_autofree char *hq = g_strdup_printf ("squeue -h -j %u -o %%j|%%l", held);
  g_autofree char *hl = NULL;
  g_assert_cmpint (run (hq, &hl, NULL), ==, 0);
  g_assert_cmpstr (hl, ==, "kept2|7:00\n");
  g_autofree char *rs = wait_final (running, 30);
  g_assert_cmpstr (rs, ==, "COMPLETED");
  g_autofree char *name = g_strdup_printf ("survivor-%u.out", running);
  g_autofree char *out = read_work_file (name);
  g_assert_cmpstr (out, ==, "survived\n");
  g_autofree char *cmd = g_strdup_printf ("scancel %u", held);
  run (cmd, NULL, NULL);
}

static void
test_sacct (void)
{
  guint id = submit ("-J acctjob --wrap='exit 2'");
  g_free (wait_final (id, 20));
  g_autofree char *cmd = g_strdup_printf ("sacct -j %u -X -P -n --format=JobID,JobName,State,ExitCode", id);
  g_autofree char *out = NULL;
  g_assert_cmpint (run (cmd, &out, NULL), ==, 0);
  g_autofree char *want = g_strdup_printf ("%u|acctjob|FAILED|2:0\n", id);
  g_assert_cmpstr (out, ==, want);

  /* the default window (midnight to now, this second included) shows a job that just
   * ended and one running; -s R alone means "running now" (Slurm: -S defaults to now) */
  guint run_id = submit ("-J acctrun --wrap='sleep 30'");
  g_free (wait_state (run_id, "RUNNING", 20));
  g_autofree char *all = NULL, *running = NULL;
  g_assert_cmpint (run ("sacct -X -P -n --format=JobID,State", &all, NULL), ==, 0);
  g_autofree char *l1 = g_strdup_printf ("%u|FAILED\n", id);
  g_autofree char *l2 = g_strdup_printf ("%u|RUNNING\n", run_id);
  g_assert_nonnull (strstr (all, l1));
  g_assert_nonnull (strstr (all, l2));
  g_assert_cmpint (run ("sacct -X -P -n -s R --format=JobID,State", &running, NULL), ==, 0);
  g_assert_null (strstr (running, "FAILED"));
  g_assert_null (strstr (running, "COMPLETED"));
  g_assert_nonnull (strstr (running, l2));
  g_autofree char *cancel = g_strdup_printf ("scancel %u", run_id);
  run (cancel, NULL, NULL);
  g_free (wait_final (run_id, 20));
}

/* sbatch script.sh ARG ...: the script gets its arguments (a script file with and
 * without "#!", arguments with spaces). */
static void
test_script_arguments (void)
{
  g_autofree char *p1 = g_build_filename (work, "args.sh", NULL);
  g_assert_true (g_file_set_contents (p1, "#!/bin/sh\necho \"$#|$1|$2\"\n", -1, NULL));
  guint id = submit ("-o args-%j.out args.sh 'two words' last");
  g_autofree char *st = wait_final (id, 20);
  g_assert_cmpstr (st, ==, "COMPLETED");
  g_autofree char *name = g_strdup_printf ("args-%u.out", id);
  g_autofree char *out = read_work_file (name);
  g_assert_cmpstr (out, ==, "2|two words|last\n");
}

/* Slurm's -u takes uids as well as names; --me and sacct's default send the caller's uid
 * (the commands look up no names themselves). */
static void
test_users_by_uid (void)
{
  guint id = submit ("--hold -J byuid --wrap=true");
  g_autofree char *want = g_strdup_printf ("%u\n", id);
  guint uid = (guint) getuid ();
  char *cmds[] = {
    g_strdup_printf ("squeue --me -h -o %%i -j %u", id),
    g_strdup_printf ("squeue -u %u -h -o %%i -j %u", uid, id),
    g_strdup_printf ("squeue -u nosuchuser,%u -h -o %%i -j %u", uid, id),
  };
  for (guint k = 0; k < G_N_ELEMENTS (cmds); k++)
    {
      g_autofree char *out = NULL;
      g_assert_cmpint (run (cmds[k], &out, NULL), ==, 0);
      g_assert_cmpstr (out, ==, want);
      g_free (cmds[k]);
    }
  g_autofree char *other = g_strdup_printf ("squeue -u %u -h -o %%i -j %u",
                                            (guint) getuid () + 4242, id);
  g_autofree char *none = NULL;
  g_assert_cmpint (run (other, &none, NULL), ==, 0);
  g_assert_cmpstr (none, ==, "");
  g_autofree char *cancel = g_strdup_printf ("scancel -u %u -n byuid", (guint) getuid ());
  run (cancel, NULL, NULL);
  g_autofree char *st = wait_final (id, 20);
  g_assert_cmpstr (st, ==, "CANCELLED");
}

/* ---- the real cluster schedules as the simulator predicts ---- */

typedef struct {
  const char *name;
  int         cpus;
  int         limit;     /* seconds */
  int         runtime;   /* seconds the script sleeps */
} Shape;

/* The start order of `ids` by (start time, job id). */
static GArray *
order_by_start (const gint64 *start, const guint *ids, guint n)
{
  GArray *o = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    g_array_append_val (o, i);
  for (guint a = 0; a < n; a++)
    for (guint b = a + 1; b < n; b++)
      {
        guint x = g_array_index (o, guint, a), y = g_array_index (o, guint, b);
        if (start[y] < start[x] || (start[y] == start[x] && ids[y] < ids[x]))
          {
            g_array_index (o, guint, a) = y;
            g_array_index (o, guint, b) = x;
          }
      }
  return o;
}

static void
test_backfill_matches_simulator (void)
{
  /* A small cluster of its own (2 nodes x 4 CPUs, EASY backfill), so that the other tests'
   * jobs do not interfere.  A blocks B (8 CPUs); C fits in the hole before B's
   * reservation and backfills; D would delay B, so it waits.  Times in seconds. */
  static const Shape shapes[] = {
    { "A", 6, 4, 3 }, { "B", 8, 4, 1 }, { "C", 2, 2, 1 }, { "D", 2, 10, 1 },
  };
  const guint n = G_N_ELEMENTS (shapes);
  g_autofree char *sdir = g_build_filename (dir, "small", NULL);
  g_autofree char *up = g_strdup_printf ("%s cluster up -q -n 2 --cpus 4 --policy easy --dir %s",
                                         sluice_bin, sdir);
  int status = 0;
  g_autofree char *uo = NULL, *ue = NULL;
  g_assert_true (g_spawn_command_line_sync (up, &uo, &ue, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_autofree char *sconf = g_build_filename (sdir, "slurm.conf", NULL);
  g_autoptr (RnConfig) scfg = rn_config_load (sconf, FALSE, NULL);
  g_autoptr (RnClient) c = rn_client_connect (scfg, NULL);
  g_assert_nonnull (c);
  guint ids[8];
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *script = g_strdup_printf ("#!/bin/sh\nsleep %d\n", shapes[i].runtime);
      json_t *req = json_pack ("{s:s,s:s,s:s,s:i,s:i,s:s}", "name", shapes[i].name, "script",
                               script, "workdir", work, "ntasks", shapes[i].cpus,
                               "time_limit", shapes[i].limit, "stdout", "/dev/null");
      g_autoptr (GError) err = NULL;
      json_t *rep = rn_client_call (c, "submit", req, NULL, &err);
      json_decref (req);
      g_assert_no_error (err);
      ids[i] = (guint) json_integer_value (json_object_get (rep, "job_id"));
      json_decref (rep);
    }
  /* wait for all, then read their start times */
  gint64 real_start[8];
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (;;)
    {
      g_autoptr (GError) err = NULL;
      json_t *q = json_pack ("{s:b}", "expand_arrays", TRUE);
      json_t *rep = rn_client_call (c, "job_list", q, NULL, &err);
      json_decref (q);
      g_assert_no_error (err);
      guint done = 0;
      size_t k;
      json_t *j;
      json_array_foreach (json_object_get (rep, "jobs"), k, j)
        for (guint i = 0; i < n; i++)
          if ((guint) json_integer_value (json_object_get (j, "job_id")) == ids[i])
            {
              const char *st = json_string_value (json_object_get (j, "state"));
              done += g_strcmp0 (st, "COMPLETED") == 0;
              real_start[i] = json_integer_value (json_object_get (j, "start_time"));
            }
      json_decref (rep);
      if (done == n)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100000);
    }
  g_autofree char *down = g_strdup_printf ("%s cluster down --dir %s", sluice_bin, sdir);
  g_spawn_command_line_sync (down, NULL, NULL, NULL, NULL);
  /* the same workload through the simulator, on the same slurm.conf */
  GString *trace = g_string_new ("{\"version\": 1, \"jobs\": [\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (trace, "%s{\"id\": %u, \"submit\": 0, \"ntasks\": %d, "
                            "\"time_limit\": %d, \"runtime\": %d}\n", i ? "," : "", ids[i],
                            shapes[i].cpus, shapes[i].limit, shapes[i].runtime);
  g_string_append (trace, "]}\n");
  g_autofree char *tpath = g_build_filename (sdir, "trace.json", NULL);
  g_assert_true (g_file_set_contents (tpath, trace->str, -1, NULL));
  g_string_free (trace, TRUE);
  g_autofree char *out = g_build_filename (sdir, "sim", NULL);
  g_autofree char *sim = g_strdup_printf ("%s sim -q --trace %s --cluster %s --policy easy --out %s",
                                          sluice_bin, tpath, sconf, out);
  g_autofree char *so = NULL, *se = NULL;
  g_assert_true (g_spawn_command_line_sync (sim, &so, &se, &status, NULL));
  if (status != 0)
    g_error ("%s: %s", sim, se);
  g_autofree char *csv_path = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_auto (GStrv) head = g_strsplit (lines[0], ",", -1);
  int col_id = -1, col_start = -1;
  for (int k = 0; head[k]; k++)
    {
      if (g_str_equal (head[k], "id") || g_str_equal (head[k], "job_id"))
        col_id = k;
      if (g_str_equal (head[k], "start"))
        col_start = k;
    }
  g_assert_cmpint (col_id, >=, 0);
  g_assert_cmpint (col_start, >=, 0);
  gint64 sim_start[8] = { 0 };
  for (guint l = 1; lines[l] && *lines[l]; l++)
    {
      g_auto (GStrv) f = g_strsplit (lines[l], ",", -1);
      guint id = (guint) g_ascii_strtoull (f[col_id], NULL, 10);
      for (guint i = 0; i < n; i++)
        if (ids[i] == id)
          sim_start[i] = g_ascii_strtoll (f[col_start], NULL, 10);
    }
  g_autoptr (GArray) real_order = order_by_start (real_start, ids, n);
  g_autoptr (GArray) sim_order = order_by_start (sim_start, ids, n);
  GString *r = g_string_new (NULL), *sm = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      guint a = g_array_index (real_order, guint, i), b = g_array_index (sim_order, guint, i);
      g_string_append_printf (r, "%s@%" G_GINT64_FORMAT " ", shapes[a].name,
                              real_start[a] - real_start[0]);
      g_string_append_printf (sm, "%s@%" G_GINT64_FORMAT " ", shapes[b].name, sim_start[b]);
    }
  g_test_message ("real: %s / simulated: %s", r->str, sm->str);
  /* the order the hand-worked schedule says, on both */
  g_assert_cmpstr (shapes[g_array_index (sim_order, guint, 0)].name, ==, "A");
  g_assert_cmpstr (shapes[g_array_index (sim_order, guint, 1)].name, ==, "C");
  g_assert_cmpstr (shapes[g_array_index (sim_order, guint, 2)].name, ==, "B");
  g_assert_cmpstr (shapes[g_array_index (sim_order, guint, 3)].name, ==, "D");
  for (guint i = 0; i < n; i++)
    if (g_array_index (real_order, guint, i) != g_array_index (sim_order, guint, i))
      g_error ("start order differs: real %s, simulated %s", r->str, sm->str);
  g_string_free (r, TRUE);
  g_string_free (sm, TRUE);
}

static void
test_qos_limit_on_the_cluster (void)
{
  /* AssocFile= with a QOS "normal" allowing one running job per user: the second job of
   * the same user waits with Slurm's reason while the first runs.  What slurmctld rejects
   * at submission is rejected with its message: an unknown QOS, a QOS's submit limit, and
   * (EnforcePartLimits=ALL) a time limit over the partition's MaxTime. */
  g_autofree char *qdir = g_build_filename (dir, "qos", NULL);
  g_autofree char *up = g_strdup_printf ("%s cluster up -q -n 2 --cpus 4 --dir %s", sluice_bin,
                                         qdir);
  int status = 0;
  g_autofree char *uo = NULL, *ue = NULL;
  g_assert_true (g_spawn_command_line_sync (up, &uo, &ue, &status, NULL));
  g_assert_cmpint (status, ==, 0);
  g_autofree char *down = g_strdup_printf ("%s cluster down --dir %s", sluice_bin, qdir);
  g_spawn_command_line_sync (down, NULL, NULL, NULL, NULL);
  g_autofree char *assoc = g_build_filename (qdir, "assoc.txt", NULL);
  g_assert_true (g_file_set_contents (assoc, "qos normal MaxJobsPerUser=1\n"
                                      "qos once MaxSubmitJobsPerUser=1\n"
                                      "qos strict MaxWall=00:01:00 Flags=DenyOnLimit\n"
                                      "qos banned\n",
                                      -1, NULL));
  g_autofree char *qconf = g_build_filename (qdir, "slurm.conf", NULL);
  g_autofree char *text = NULL;
  g_assert_true (g_file_get_contents (qconf, &text, NULL, NULL));
  g_autofree char *text_limited = NULL;
  {
    g_auto (GStrv) parts = g_strsplit (text, "MaxTime=INFINITE", 2);
    g_assert_cmpuint (g_strv_length (parts), ==, 2);
    text_limited = g_strjoinv ("MaxTime=10 DenyQos=banned", parts);
  }
  g_autofree char *more = g_strdup_printf ("%sAssocFile=%s\nEnforcePartLimits=ALL\n",
                                           text_limited, assoc);
  g_assert_true (g_file_set_contents (qconf, more, -1, NULL));
  /* cluster up would rewrite slurm.conf: start the daemons by hand on the edited file */
  g_autofree char *ctld_cmd = g_strdup_printf ("%s ctld -q -f %s", sluice_bin, qconf);
  g_auto (GStrv) cargv = NULL;
  g_assert_true (g_shell_parse_argv (ctld_cmd, NULL, &cargv, NULL));
  GPid cpid;
  g_assert_true (g_spawn_async (NULL, cargv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &cpid, NULL));
  GPid npid[2];
  for (int i = 0; i < 2; i++)
    {
      g_autofree char *ncmd = g_strdup_printf ("%s noded -q -f %s --name n%d", sluice_bin, qconf,
                                               i + 1);
      g_auto (GStrv) nargv = NULL;
      g_assert_true (g_shell_parse_argv (ncmd, NULL, &nargv, NULL));
      g_assert_true (g_spawn_async (NULL, nargv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &npid[i], NULL));
    }
  g_autoptr (RnConfig) qcfg = rn_config_load (qconf, FALSE, NULL);
  g_assert_nonnull (qcfg);
  RnClient *c = NULL;
  for (int i = 0; i < 100 && c == NULL; i++)
    {
      c = rn_client_connect (qcfg, NULL);
      if (c == NULL)
        g_usleep (50000);
    }
  g_assert_nonnull (c);
  /* wait for both nodes */
  for (int i = 0; i < 100; i++)
    {
      json_t *r = rn_client_call (c, "node_list", NULL, NULL, NULL);
      int idle = 0;
      size_t k;
      json_t *n;
      json_array_foreach (json_object_get (r, "nodes"), k, n)
        idle += g_strcmp0 (json_string_value (json_object_get (n, "state")), "IDLE") == 0;
      json_decref (r);
      if (idle == 2)
        break;
      g_usleep (50000);
    }
  guint ids[2];
  for (int i = 0; i < 2; i++)
    {
      json_t *req = json_pack ("{s:s,s:s,s:s,s:i,s:s}", "name", "q", "script",
                               "#!/bin/sh\nsleep 2\n", "workdir", work, "time_limit", 60,
                               "stdout", "/dev/null");
      json_t *rep = rn_client_call (c, "submit", req, NULL, NULL);
      json_decref (req);
      g_assert_nonnull (rep);
      ids[i] = (guint) json_integer_value (json_object_get (rep, "job_id"));
      json_decref (rep);
    }
  g_usleep (500000);
  const char *reason2 = NULL, *state1 = NULL;
  json_t *q = json_pack ("{s:b}", "expand_arrays", TRUE);
  json_t *r = rn_client_call (c, "job_list", q, NULL, NULL);
  json_decref (q);
  size_t k;
  json_t *j;
  json_array_foreach (json_object_get (r, "jobs"), k, j)
    {
      guint id = (guint) json_integer_value (json_object_get (j, "job_id"));
      if (id == ids[0])
        state1 = json_string_value (json_object_get (j, "state"));
      if (id == ids[1])
        reason2 = json_string_value (json_object_get (j, "reason"));
    }
  g_assert_cmpstr (state1, ==, "RUNNING");
  g_assert_cmpstr (reason2, ==, "QOSMaxJobsPerUserLimit");
  json_decref (r);

  static const struct { const char *qos; int limit; const char *error; } refused[] = {
    { "nosuch", 300, "Invalid qos specification" },
    { "once", 300, NULL },   /* the QOS's one submission per user, held: still counts */
    { "once", 300, "Job violates accounting/QOS policy (job submit limit, user's size and/or "
                   "time limits)" },
    { NULL, 20 * 60, "Requested time limit is invalid (missing or exceeds some limit)" },
    /* Flags=DenyOnLimit: over the QOS's MaxWall is rejected, not left pending */
    { "strict", 300, "Job violates accounting/QOS policy (job submit limit, user's size "
                     "and/or time limits)" },
    { "strict", 60, NULL },
    /* the partition's DenyQos= (EnforcePartLimits=ALL: rejected, not pending) */
    { "banned", 60, "Invalid qos specification" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      json_t *req = json_pack ("{s:s,s:s,s:s,s:i,s:s}", "name", "refused", "script",
                               "#!/bin/sh\nsleep 20\n", "workdir", work, "time_limit",
                               refused[i].limit, "stdout", "/dev/null");
      if (refused[i].qos)
        json_object_set_new (req, "qos", json_string (refused[i].qos));
      if (g_strcmp0 (refused[i].qos, "once") == 0)
        json_object_set_new (req, "hold", json_true ());
      g_autoptr (GError) err = NULL;
      json_t *rep = rn_client_call (c, "submit", req, NULL, &err);
      json_decref (req);
      if (refused[i].error == NULL)
        {
          g_assert_no_error (err);
          g_assert_nonnull (rep);
        }
      else
        {
          g_assert_null (rep);
          g_assert_nonnull (err);
          g_assert_cmpstr (err->message, ==, refused[i].error);
        }
      json_decref (rep);
    }
  rn_client_free (c);
  kill (cpid, SIGTERM);
  for (int i = 0; i < 2; i++)
    kill (npid[i], SIGTERM);
  waitpid (cpid, NULL, 0);
  for (int i = 0; i < 2; i++)
    waitpid (npid[i], NULL, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sluice_bin = g_getenv ("SLUICE_BIN");
  if (sluice_bin == NULL)
    {
      g_printerr ("SLUICE_BIN must name the sluice binary\n");
      return 1;
    }
  g_autofree char *bin_dir = g_path_get_dirname (sluice_bin);
  bindir = g_build_filename (bin_dir, "bin", NULL);
  dir = g_dir_make_tmp ("sluice-cluster-XXXXXX", NULL);
  chmod (dir, 0755);
  work = g_build_filename (dir, "work", NULL);
  g_mkdir (work, 0777);
  chmod (work, 0777);
  conf = g_build_filename (dir, "slurm.conf", NULL);
  g_autofree char *up = g_strdup_printf ("%s cluster up -q -n 4 --cpus 4 --gpus 2 --dir %s",
                                         sluice_bin, dir);
  int status = 0;
  g_autofree char *uperr = NULL, *upout = NULL;
  if (!g_spawn_command_line_sync (up, &upout, &uperr, &status, NULL) || status != 0)
    {
      g_printerr ("cluster up failed: %s\n", uperr ? uperr : "");
      return 1;
    }
  cluster_guard_arm (sluice_bin, dir);
  cfg = rn_config_load (conf, FALSE, NULL);
  g_test_add_func ("/cluster/batch-output-env", test_batch_output_env);
  g_test_add_func ("/cluster/output-patterns", test_output_patterns);
  g_test_add_func ("/cluster/errors-as-slurm", test_errors_as_slurm);
  g_test_add_func ("/cluster/cancel-kills-group", test_cancel_kills_group);
  g_test_add_func ("/cluster/timeout", test_timeout);
  g_test_add_func ("/cluster/running-time-limit", test_running_time_limit);
  g_test_add_func ("/cluster/drained-node", test_drained_node_gets_nothing);
  g_test_add_func ("/cluster/gpus-disjoint", test_gpus_disjoint);
  g_test_add_func ("/cluster/srun", test_srun);
  g_test_add_func ("/cluster/dependency-hold", test_dependency_and_hold);
  g_test_add_func ("/cluster/other-user", test_other_user);
  g_test_add_func ("/cluster/scontrol-misc", test_scontrol_misc);
  g_test_add_func ("/cluster/nodelist-test-only", test_nodelist_test_only);
  g_test_add_func ("/cluster/protocol-abuse", test_protocol_abuse);
  g_test_add_func ("/cluster/sacct", test_sacct);
  g_test_add_func ("/cluster/users-by-uid", test_users_by_uid);
  g_test_add_func ("/cluster/script-arguments", test_script_arguments);
  g_test_add_func ("/cluster/backfill-matches-simulator", test_backfill_matches_simulator);
  g_test_add_func ("/cluster/qos-limit", test_qos_limit_on_the_cluster);
  g_test_add_func ("/cluster/update-pending-job", test_update_pending_job);
  g_test_add_func ("/cluster/restart-keeps-jobs", test_restart_keeps_jobs);
  int rc = g_test_run ();
  g_autofree char *down = g_strdup_printf ("%s cluster down --dir %s", sluice_bin, dir);
  g_spawn_command_line_sync (down, NULL, NULL, NULL, NULL);
  if (rc == 0 && !g_getenv ("SLUICE_KEEP_CLUSTER"))
    {
      g_autofree char *rm = g_strdup_printf ("rm -rf %s", dir);
      g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
    }
  else
    g_printerr ("cluster folder kept: %s\n", dir);
  rn_config_free (cfg);
  return rc;
}
