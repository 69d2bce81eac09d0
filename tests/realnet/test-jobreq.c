/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-jobreq.c - sbatch/srun command lines and #SBATCH lines -> job
 * requests (realnet/jobreq.h): every option's forms and errors, Slurm's texts byte for
 * byte, directive rules, --export, srun argv splitting and step requests. */
#include <glib.h>
#include <signal.h>
#include <string.h>
#include "realnet/jobreq.h"

#define NOW 1767261600        /* 2026-01-01T10:00:00Z */
#define SCRIPT "#!/bin/sh\nsleep 1\n"

static const char *const test_environ[] = {
  "PATH=/usr/bin", "HOME=/home/alice", "SLURM_CONF=/etc/slurm.conf", "LANG=C", NULL,
};

static NetJobEnv
test_env (void)
{
  NetJobEnv e = { .cwd = "/home/alice/work", .environ = test_environ, .submit_host = "vm",
                  .now = NOW, .tz = NULL, .job_id = 0, .max_array_size = 0 };
  return e;
}

/* sbatch ARGS... NULL with `script`; returns the request or NULL with *error set. */
static json_t *
sbatch_v (const char *script, NetClientFlags *flags, GError **error, va_list ap)
{
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "sbatch");
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  NetJobEnv env = test_env ();
  json_t *r = net_sbatch_request ((int) argv->len, (const char *const *) argv->pdata, script,
                                  &env, flags, error);
  g_ptr_array_free (argv, TRUE);
  return r;
}

static json_t *
sbatch_ok (const char *script, ...)
{
  va_list ap;
  va_start (ap, script);
  GError *error = NULL;
  json_t *r = sbatch_v (script, NULL, &error, ap);
  va_end (ap);
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* Asserts that sbatch fails with exactly `message`. */
static void
sbatch_fails (const char *message, const char *script, ...)
{
  va_list ap;
  va_start (ap, script);
  GError *error = NULL;
  json_t *r = sbatch_v (script, NULL, &error, ap);
  va_end (ap);
  g_assert_null (r);
  g_assert_nonnull (error);
  g_assert_true (error->domain == NET_JOBREQ_ERROR);
  g_assert_cmpstr (error->message, ==, message);
  g_error_free (error);
}

static gint64
iget (json_t *r, const char *key)
{
  json_t *v = json_object_get (r, key);
  if (v == NULL || !json_is_integer (v))
    g_error ("no integer \"%s\" in %s", key, json_dumps (r, JSON_COMPACT));
  return json_integer_value (v);
}

static const char *
sget (json_t *r, const char *key)
{
  json_t *v = json_object_get (r, key);
  return v != NULL ? json_string_value (v) : NULL;
}

static gboolean
has (json_t *r, const char *key)
{
  return json_object_get (r, key) != NULL;
}

/* ---- basics ----------------------------------------------------------------------------- */

static void
test_wrap (void)
{
  json_t *r = sbatch_ok (NULL, "--wrap=sleep 120", NULL);
  g_assert_cmpstr (sget (r, "script"), ==,
                   "#!/bin/sh\n# This script was created by sbatch --wrap.\n\nsleep 120\n");
  g_assert_cmpstr (sget (r, "name"), ==, "wrap");
  g_assert_cmpstr (sget (r, "workdir"), ==, "/home/alice/work");
  g_assert_cmpstr (sget (r, "submit_host"), ==, "vm");
  g_assert_cmpuint (json_array_size (json_object_get (r, "environment")), ==, 4);
  /* Only what the user gave: no defaults. */
  g_assert_false (has (r, "time_limit") || has (r, "ntasks") || has (r, "partition")
                  || has (r, "export") || has (r, "stdout"));
  json_decref (r);
  r = sbatch_ok (NULL, "--wrap", "hostname", NULL);
  g_assert_true (strstr (sget (r, "script"), "\n\nhostname\n") != NULL);
  json_decref (r);
  sbatch_fails ("sbatch: error: Script arguments not permitted with --wrap option", NULL,
                "--wrap=true", "extra", NULL);
}

static void
test_names (void)
{
  json_t *r = sbatch_ok (SCRIPT, "dir/job.sh", "a1", "a2", NULL);
  g_assert_cmpstr (sget (r, "name"), ==, "job.sh");
  g_assert_cmpstr (sget (r, "script"), ==, SCRIPT);
  json_t *args = json_object_get (r, "script_argv");
  g_assert_cmpuint (json_array_size (args), ==, 2);
  g_assert_cmpstr (json_string_value (json_array_get (args, 1)), ==, "a2");
  json_decref (r);
  r = sbatch_ok (SCRIPT, NULL);          /* from stdin */
  g_assert_cmpstr (sget (r, "name"), ==, "sbatch");
  g_assert_false (has (r, "script_argv"));
  json_decref (r);
  r = sbatch_ok (SCRIPT, "-J", "x", "job.sh", NULL);
  g_assert_cmpstr (sget (r, "name"), ==, "x");
  json_decref (r);
  r = sbatch_ok (SCRIPT, "--job-name=y", "job.sh", NULL);
  g_assert_cmpstr (sget (r, "name"), ==, "y");
  json_decref (r);

  GError *error = NULL;
  const char *argv[] = { "sbatch", "-N2", "job.sh", "--time=5" };
  g_autoptr (NetSbatch) s = net_sbatch_parse_args (4, argv, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sbatch_get_script_path (s), ==, "job.sh");
  g_assert_true (net_sbatch_needs_script (s));
  NetJobEnv env = test_env ();
  r = net_sbatch_build (s, SCRIPT, &env, NULL, &error);
  g_assert_no_error (error);
  /* "--time=5" follows the script: an argument of the script, not an option. */
  g_assert_false (has (r, "time_limit"));
  g_assert_cmpstr (json_string_value (json_array_get (json_object_get (r, "script_argv"), 0)),
                   ==, "--time=5");
  json_decref (r);
}

static void
test_script_errors (void)
{
  sbatch_fails ("sbatch: error: This does not look like a batch script.  The first\n"
                "sbatch: error: line must start with #! followed by the path to an "
                "interpreter.\n"
                "sbatch: error: For instance: #!/bin/sh", "sleep 1\n", "job.sh", NULL);
  sbatch_fails ("sbatch: error: This does not look like a batch script.  The first\n"
                "sbatch: error: line must start with #! followed by the path to an "
                "interpreter.\n"
                "sbatch: error: For instance: #!/bin/sh", " #!/bin/sh\n", NULL);
  sbatch_fails ("sbatch: error: Batch script is empty!", "", NULL);
  sbatch_fails ("sbatch: error: Batch script is empty!", NULL, "job.sh", NULL);
  sbatch_fails ("sbatch: error: Batch script contains only whitespace!", " \n\t\n", NULL);
  sbatch_fails ("sbatch: error: Batch script contains DOS line breaks (\\r\\n)\n"
                "sbatch: error: instead of expected UNIX line breaks (\\n).",
                "#!/bin/sh\r\n#SBATCH -N 2\r\nhostname\r\n", NULL);
  GError *error = NULL;
  NetJobEnv env = test_env ();
  const char *argv[] = { "sbatch", "x.sh" };
  json_t *r = net_sbatch_request (2, argv, "#!/bin/sh\n\xff\n", &env, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_SCRIPT);
  g_clear_error (&error);
}

/* Options of real scripts beyond the core set: --signal, the GPU companions, aliases, the
 * ones accepted without effect, and the two refused as Slurm refuses them here. */
static void
test_more_options (void)
{
  const struct { const char *opt; gint64 num, time; gboolean batch; } sig[] = {
    { "--signal=B:USR1@90", SIGUSR1, 90, TRUE }, { "--signal=SIGTERM", SIGTERM, 60, FALSE },
    { "--signal=R:B:2@5", 2, 5, TRUE }, { "--signal=usr2@0", SIGUSR2, 0, FALSE },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (sig); k++)
    {
      json_t *r = sbatch_ok (NULL, sig[k].opt, "--wrap=x", NULL);
      json_t *s = json_object_get (r, "signal");
      g_assert_cmpint (iget (s, "num"), ==, sig[k].num);
      g_assert_cmpint (iget (s, "time"), ==, sig[k].time);
      g_assert_cmpint (json_is_true (json_object_get (s, "batch")), ==, sig[k].batch);
      json_decref (r);
    }
  const char *bad_sig[] = { "--signal=FOO", "--signal=B:", "--signal=10@x", "--signal=99" };
  for (gsize k = 0; k < G_N_ELEMENTS (bad_sig); k++)
    sbatch_fails ("sbatch: error: Invalid --signal specification", NULL, bad_sig[k],
                  "--wrap=x", NULL);
  /* 2 GPUs a task x 3 tasks; 4 GB per GPU on 2 GPUs a node */
  json_t *r = sbatch_ok (NULL, "-n3", "--gpus-per-task=a100:2", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus"), ==, 6);
  g_assert_cmpstr (sget (r, "gpu_type"), ==, "a100");
  json_decref (r);
  r = sbatch_ok (NULL, "--gpus-per-node=2", "--mem-per-gpu=4G", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "mem_per_node_mb"), ==, 8192);
  json_decref (r);
  r = sbatch_ok (NULL, "--mem=1G", "--gpus-per-node=2", "--mem-per-gpu=4G", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "mem_per_node_mb"), ==, 1024);   /* --mem wins */
  json_decref (r);
  r = sbatch_ok (NULL, "-N2", "--tasks-per-node=3", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "ntasks_per_node"), ==, 3);
  json_decref (r);
  /* accepted, no effect: the request is what it would be without them */
  r = sbatch_ok (NULL, "--hint=nomultithread", "-m", "block:cyclic", "--threads-per-core=1",
                 "--tmp=10G", "--mincpus=4", "-O", "-s", "--wckey=w", "--acctg-freq=30",
                 "--get-user-env", "--no-kill", "--propagate=STACK", "-M", "c1", "--wrap=x",
                 NULL);
  json_t *plain = sbatch_ok (NULL, "--wrap=x", NULL);
  g_assert_true (json_equal (r, plain));
  json_decref (r);
  json_decref (plain);
  sbatch_fails ("sbatch: error: Batch job submission failed: Invalid license specification",
                NULL, "-L", "matlab:1", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Batch job submission failed: Requested reservation is invalid",
                NULL, "--reservation=maint", "--wrap=x", NULL);
}

static void
test_unknown_options (void)
{
  sbatch_fails ("sbatch: unrecognized option '--foo'\n"
                "Try \"sbatch --help\" for more information", NULL, "--foo", NULL);
  sbatch_fails ("sbatch: unrecognized option '--foo=1'\n"
                "Try \"sbatch --help\" for more information", NULL, "--foo=1", NULL);
  sbatch_fails ("sbatch: invalid option -- 'z'\n"
                "Try \"sbatch --help\" for more information", NULL, "-Hz", NULL);
  sbatch_fails ("sbatch: option requires an argument -- 'N'\n"
                "Try \"sbatch --help\" for more information", NULL, "-N", NULL);
  sbatch_fails ("sbatch: option '--time' requires an argument\n"
                "Try \"sbatch --help\" for more information", NULL, "--time", NULL);
  sbatch_fails ("sbatch: option '--hold' doesn't allow an argument\n"
                "Try \"sbatch --help\" for more information", NULL, "--hold=yes", NULL);
  sbatch_fails ("sbatch: option '--ti' is ambiguous; possibilities: '--time' '--time-min'\n"
                "Try \"sbatch --help\" for more information", NULL, "--ti=5", NULL);
  /* srun-only options are unknown to sbatch. */
  sbatch_fails ("sbatch: unrecognized option '--label'\n"
                "Try \"sbatch --help\" for more information", NULL, "--label", NULL);
  sbatch_fails ("sbatch: error: --uid is not supported: submit as the user who should run "
                "the job", NULL, "--uid=0", "--wrap=x", NULL);
  /* Unique prefixes are fine, as with getopt_long; an exact name beats longer ones. */
  json_t *r = sbatch_ok (NULL, "--part=debug", "--mem=10", "--wrap=x", NULL);
  g_assert_cmpstr (sget (r, "partition"), ==, "debug");
  g_assert_cmpint (iget (r, "mem_per_node_mb"), ==, 10);
  json_decref (r);
}

/* ---- option forms ----------------------------------------------------------------------- */

static void
test_option_forms (void)
{
  json_t *r = sbatch_ok (NULL, "-N2", "-n", "4", "-c2", "--ntasks-per-node=2", "-J", "nm",
                         "-p", "debug", "-A", "acct", "-q", "normal", "-C", "a100&ib",
                         "-o", "out-%j", "-e", "err-%j", "-i", "/dev/null", "-w", "n[1-2]",
                         "-x", "n3", "--comment", "hi there", "--mail-type=END,FAIL",
                         "--mail-user=a@b", "--open-mode=append", "-H", "--exclusive",
                         "--requeue", "--wrap=true", NULL);
  g_assert_cmpint (iget (r, "nodes_min"), ==, 2);
  g_assert_cmpint (iget (r, "nodes_max"), ==, 2);
  g_assert_cmpint (iget (r, "ntasks"), ==, 4);
  g_assert_cmpint (iget (r, "cpus_per_task"), ==, 2);
  g_assert_cmpint (iget (r, "ntasks_per_node"), ==, 2);
  g_assert_cmpstr (sget (r, "name"), ==, "nm");
  g_assert_cmpstr (sget (r, "partition"), ==, "debug");
  g_assert_cmpstr (sget (r, "account"), ==, "acct");
  g_assert_cmpstr (sget (r, "qos"), ==, "normal");
  g_assert_cmpstr (sget (r, "constraint"), ==, "a100&ib");
  g_assert_cmpstr (sget (r, "stdout"), ==, "out-%j");
  g_assert_cmpstr (sget (r, "stderr"), ==, "err-%j");
  g_assert_cmpstr (sget (r, "stdin"), ==, "/dev/null");
  g_assert_cmpstr (sget (r, "nodelist"), ==, "n[1-2]");
  g_assert_cmpstr (sget (r, "exclude"), ==, "n3");
  g_assert_cmpstr (sget (r, "comment"), ==, "hi there");
  g_assert_cmpstr (sget (r, "mail_type"), ==, "END,FAIL");
  g_assert_cmpstr (sget (r, "mail_user"), ==, "a@b");
  g_assert_cmpstr (sget (r, "open_mode"), ==, "append");
  g_assert_true (json_is_true (json_object_get (r, "hold")));
  g_assert_true (json_is_true (json_object_get (r, "exclusive")));
  g_assert_true (json_is_true (json_object_get (r, "requeue")));
  json_decref (r);

  /* Long forms with a separate word, clustered short flags, --opt=val. */
  r = sbatch_ok (NULL, "--nodes", "2-4", "--ntasks=8", "--cpus-per-task", "3", "-HQn4",
                 "--partition=gpu", "--no-requeue", "--exclusive=user", "--nice",
                 "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "nodes_min"), ==, 2);
  g_assert_cmpint (iget (r, "nodes_max"), ==, 4);
  g_assert_cmpint (iget (r, "ntasks"), ==, 4);     /* the later -n4 wins */
  g_assert_cmpint (iget (r, "cpus_per_task"), ==, 3);
  g_assert_true (json_is_false (json_object_get (r, "requeue")));
  g_assert_cmpstr (sget (r, "exclusive_mode"), ==, "user");
  g_assert_false (has (r, "exclusive"));
  g_assert_cmpint (iget (r, "nice"), ==, 100);
  json_decref (r);
  r = sbatch_ok (NULL, "--nice=-5", "--open-mode=truncate", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "nice"), ==, -5);
  g_assert_cmpstr (sget (r, "open_mode"), ==, "truncate");
  json_decref (r);

  /* Errors of the numeric options, with Slurm's texts. */
  sbatch_fails ("sbatch: error: \"x\" is not a valid node count", NULL, "-Nx", "--wrap=x",
                NULL);
  sbatch_fails ("sbatch: error: \"b\" is not a valid node count", NULL, "-N", "2-b",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Maximum node count 2 is less than minimum node count 4", NULL,
                "-N4-2", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid numeric value \"0\" for --ntasks.", NULL, "-n0",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid numeric value \"4x\" for --ntasks.", NULL,
                "--ntasks=4x", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid numeric value \"-1\" for --cpus-per-task.", NULL,
                "-c", "-1", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid numeric value \"a\" for --ntasks-per-node.", NULL,
                "--ntasks-per-node=a", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: --mail-type=SOMETIMES invalid", NULL, "--mail-type=SOMETIMES",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid --open-mode specification", NULL, "--open-mode=x",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid --exclusive specification", NULL, "--exclusive=no",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid --nice value: x", NULL, "--nice=x", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Batch job submission failed: Invalid feature specification",
                NULL, "-C", "a&&b", "--wrap=x", NULL);
}

static void
test_client_flags (void)
{
  NetClientFlags f;
  GError *error = NULL;
  NetJobEnv env = test_env ();
  const char *argv[] = { "sbatch", "--parsable", "-W", "-Q", "-vv", "--test-only", "job.sh" };
  json_t *r = net_sbatch_request (7, argv, "#!/bin/sh\n#SBATCH -v\ntrue\n", &env, &f, &error);
  g_assert_no_error (error);
  g_assert_true (f.parsable && f.wait && f.quiet && f.test_only);
  g_assert_cmpuint (f.verbose, ==, 3);
  g_assert_false (f.help || f.version || f.label);
  /* Client flags are not part of the request. */
  g_assert_false (has (r, "parsable") || has (r, "wait") || has (r, "quiet"));
  json_decref (r);
  const char *help[] = { "sbatch", "--help" };
  g_autoptr (NetSbatch) s = net_sbatch_parse_args (2, help, &error);
  g_assert_no_error (error);
  g_assert_true (net_sbatch_get_flags (s)->help);
}

/* ---- times ------------------------------------------------------------------------------ */

static void
test_times (void)
{
  static const struct { const char *in; gint64 secs; } cases[] = {
    { "0:30", 60 }, { "90", 5400 }, { "2-0", 172800 }, { "1-2:3:4", 93840 },
    { "UNLIMITED", -1 }, { "infinite", -1 }, { "-1", -1 }, { "0", -1 },
    { "1:2:3", 3720 + 60 }, { "10", 600 }, { "5:00", 300 }, { "1-0:0", 86400 },
    { "1-1", 90000 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *t = g_strdup_printf ("--time=%s", cases[i].in);
      json_t *r = sbatch_ok (NULL, t, "--wrap=x", NULL);
      g_assert_cmpint (iget (r, "time_limit"), ==, cases[i].secs);
      json_decref (r);
    }
  json_t *r = sbatch_ok (NULL, "-t", "10", "--time-min", "0:30", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "time_limit"), ==, 600);
  g_assert_cmpint (iget (r, "time_min"), ==, 60);
  json_decref (r);
  r = sbatch_ok (NULL, "-t10", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "time_limit"), ==, 600);
  json_decref (r);
  const char *bad[] = { "abc", "1:2:3:4", "", "1-", "-5", "1:", "inf", "1.5" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *t = g_strdup_printf ("--time=%s", bad[i]);
      sbatch_fails ("sbatch: error: Invalid --time specification", NULL, t, "--wrap=x", NULL);
    }
  sbatch_fails ("sbatch: error: Invalid --time-min specification", NULL, "--time-min=x",
                "--wrap=x", NULL);
  gint64 s = 0;
  g_assert_true (net_jobreq_parse_time ("1-2:3:4", &s));
  g_assert_cmpint (s, ==, 93840);
  g_assert_false (net_jobreq_parse_time ("abc", &s));
}

/* ---- memory, gres, gpus ---------------------------------------------------------------- */

static void
test_memory (void)
{
  static const struct { const char *in; gint64 mb; } cases[] = {
    { "4000", 4000 }, { "4000M", 4000 }, { "2G", 2048 }, { "2g", 2048 }, { "1T", 1048576 },
    { "1024K", 1 }, { "1k", 1 }, { "1025K", 2 }, { "0", 0 }, { "100m", 100 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *m = g_strdup_printf ("--mem=%s", cases[i].in);
      json_t *r = sbatch_ok (NULL, m, "--wrap=x", NULL);
      g_assert_cmpint (iget (r, "mem_per_node_mb"), ==, cases[i].mb);
      json_decref (r);
    }
  json_t *r = sbatch_ok (NULL, "--mem-per-cpu=250", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "mem_per_cpu_mb"), ==, 250);
  g_assert_false (has (r, "mem_per_node_mb"));
  json_decref (r);
  const char *bad[] = { "x", "1.5G", "G", "-1", "4GB", "", "1P" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *m = g_strdup_printf ("--mem=%s", bad[i]);
      sbatch_fails ("sbatch: error: Invalid --mem specification", NULL, m, "--wrap=x", NULL);
    }
  sbatch_fails ("sbatch: error: Invalid --mem-per-cpu specification", NULL,
                "--mem-per-cpu=lots", "--wrap=x", NULL);
  sbatch_fails ("sbatch: fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually "
                "exclusive.", NULL, "--mem=1G", "--mem-per-cpu=100", "--wrap=x", NULL);
  /* The command line's choice replaces the script's. */
  r = sbatch_ok ("#!/bin/sh\n#SBATCH --mem=1G\n", "--mem-per-cpu=100", NULL);
  g_assert_cmpint (iget (r, "mem_per_cpu_mb"), ==, 100);
  g_assert_false (has (r, "mem_per_node_mb"));
  json_decref (r);
}

static void
test_gres (void)
{
  json_t *r = sbatch_ok (NULL, "--gres=gpu", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 1);
  g_assert_false (has (r, "gpu_type") || has (r, "gres"));
  json_decref (r);
  r = sbatch_ok (NULL, "--gres=gpu:2", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 2);
  json_decref (r);
  r = sbatch_ok (NULL, "--gres=gpu:a100:4", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 4);
  g_assert_cmpstr (sget (r, "gpu_type"), ==, "a100");
  json_decref (r);
  r = sbatch_ok (NULL, "--gres=gpu:2,mps:100", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 2);
  g_assert_cmpstr (sget (r, "gres"), ==, "mps:100");
  json_decref (r);
  r = sbatch_ok (NULL, "--gres=fpga:xilinx:1", "--wrap=x", NULL);
  g_assert_cmpstr (sget (r, "gres"), ==, "fpga:xilinx:1");
  g_assert_false (has (r, "gpus_per_node"));
  json_decref (r);
  r = sbatch_ok (NULL, "--gres=gpu:a100:1,gpu:v100:2", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 3);
  g_assert_cmpstr (sget (r, "gres"), ==, "gpu:a100:1,gpu:v100:2");
  g_assert_false (has (r, "gpu_type"));
  json_decref (r);
  r = sbatch_ok ("#!/bin/sh\n#SBATCH --gres=gpu:2\n", "--gres=none", NULL);
  g_assert_false (has (r, "gpus_per_node") || has (r, "gres"));
  json_decref (r);
  sbatch_fails ("sbatch: error: Invalid generic resource (gres) specification", NULL,
                "--gres=gpu::", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid generic resource (gres) specification", NULL,
                "--gres=", "--wrap=x", NULL);

  r = sbatch_ok (NULL, "-G", "4", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus"), ==, 4);
  json_decref (r);
  r = sbatch_ok (NULL, "--gpus=a100:2", "--gpus-per-node=v100:1", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "gpus"), ==, 2);
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 1);
  g_assert_cmpstr (sget (r, "gpu_type"), ==, "v100");
  json_decref (r);
  sbatch_fails ("sbatch: error: Invalid --gpus specification", NULL, "--gpus=a100",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid --gpus specification", NULL, "-Gx:y:1",
                "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Invalid --gpus-per-node specification", NULL,
                "--gpus-per-node=1,2", "--wrap=x", NULL);
}

/* ---- arrays and dependencies ----------------------------------------------------------- */

static void
test_array (void)
{
  const char *good[] = { "0-99%10", "1,3,5-7", "0-15:4", "0-9", "7", "0-999" };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      json_t *r = sbatch_ok (NULL, "-a", good[i], "--wrap=x", NULL);
      g_assert_cmpstr (sget (r, "array"), ==, good[i]);
      json_decref (r);
    }
  const char *bad[] = { "x", "1-", "5-3", "0-9%", "0-9%0", "1,,2", "", "0-15:0", "-1" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *a = g_strdup_printf ("--array=%s", bad[i]);
      sbatch_fails ("sbatch: error: Invalid --array specification", NULL, a, "--wrap=x", NULL);
    }
  sbatch_fails ("sbatch: error: Batch job submission failed: Invalid job array specification",
                NULL, "--array=0-1001", "--wrap=x", NULL);
  sbatch_fails ("sbatch: error: Batch job submission failed: Invalid job array specification",
                NULL, "--array=1,5000", "--wrap=x", NULL);
  /* A smaller MaxArraySize. */
  NetJobEnv env = test_env ();
  env.max_array_size = 10;
  GError *error = NULL;
  const char *argv[] = { "sbatch", "--array=0-10", "--wrap=x" };
  g_assert_null (net_sbatch_request (3, argv, NULL, &env, NULL, &error));
  g_assert_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE);
  g_clear_error (&error);
}

static void
test_dependency (void)
{
  const char *good[] = { "afterok:12", "afterok:1:2", "afterany:3,afternotok:4",
                         "after:5+10", "singleton", "afterok:7_3?afterany:8", "afterok:1,singleton" };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      json_t *r = sbatch_ok (NULL, "-d", good[i], "--wrap=x", NULL);
      g_assert_cmpstr (sget (r, "dependency"), ==, good[i]);
      json_decref (r);
    }
  const char *bad[] = { "afterok", "afterok:", "afterok:x", "sometime:1", "singleton:1",
                        "afterok:1,afterany:2?afterok:3", "", "afterok:1+5" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *d = g_strdup_printf ("--dependency=%s", bad[i]);
      sbatch_fails ("sbatch: error: Batch job submission failed: Job dependency problem", NULL,
                    d, "--wrap=x", NULL);
    }
}

/* ---- --begin ---------------------------------------------------------------------------- */

static void
test_begin (void)
{
  static const struct { const char *in; gint64 t; } cases[] = {
    { "now", NOW }, { "now+60", NOW + 60 }, { "now+1hour", NOW + 3600 },
    { "now+2days", NOW + 172800 }, { "now+5min", NOW + 300 }, { "NOW+1h", NOW + 3600 },
    { "11:00", NOW + 3600 }, { "09:30", 1767346200 }, { "10:00:30", NOW + 30 },
    { "noon", NOW + 7200 }, { "midnight", 1767312000 }, { "teatime", NOW + 6 * 3600 },
    { "2026-03-04T05:06:07", 1772600767 }, { "2026-03-04", 1772582400 },
    { "2026-03-04T05:06", 1772600760 }, { "030426", 1772582400 }, { "0304", 1772582400 },
    { "03/04/26", 1772582400 }, { "03.04", 1772582400 }, { "01/01", 1798761600 },
    { "today", 1767225600 }, { "tomorrow", 1767312000 }, { "1:00pm", NOW + 3 * 3600 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 t = 0;
      if (!net_jobreq_parse_begin (cases[i].in, NOW, NULL, &t))
        g_error ("--begin=%s does not parse", cases[i].in);
      g_assert_cmpint (t, ==, cases[i].t);
    }
  const char *bad[] = { "", "later", "now+", "now+5parsecs", "25:00", "2026-13-01",
                        "2026-02-30", "13/01", "1:60", "nowx", "2026-03-04T", "0230" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      gint64 t = 42;
      if (net_jobreq_parse_begin (bad[i], NOW, NULL, &t))
        g_error ("--begin=%s parses", bad[i]);
      g_assert_cmpint (t, ==, 42);
    }
  json_t *r = sbatch_ok (NULL, "--begin=now+60", "--wrap=x", NULL);
  g_assert_cmpint (iget (r, "begin"), ==, NOW + 60);
  json_decref (r);
  sbatch_fails ("sbatch: error: Invalid --begin specification", NULL, "--begin=soon",
                "--wrap=x", NULL);
  /* A time zone: 11:00 in UTC+2 is 09:00 UTC, already past: tomorrow. */
  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (7200);
  g_assert_nonnull (tz);
  gint64 t = 0;
  g_assert_true (net_jobreq_parse_begin ("11:00", NOW, tz, &t));
  g_assert_cmpint (t, ==, NOW - 3600 + 86400);
}

/* ---- chdir and export ------------------------------------------------------------------- */

static void
test_chdir (void)
{
  json_t *r = sbatch_ok (NULL, "-D", "sub/dir", "--wrap=x", NULL);
  g_assert_cmpstr (sget (r, "workdir"), ==, "/home/alice/work/sub/dir");
  json_decref (r);
  r = sbatch_ok (NULL, "--chdir=/tmp", "--wrap=x", NULL);
  g_assert_cmpstr (sget (r, "workdir"), ==, "/tmp");
  json_decref (r);
  r = sbatch_ok (NULL, "--chdir=..", "--wrap=x", NULL);
  g_assert_cmpstr (sget (r, "workdir"), ==, "/home/alice");
  json_decref (r);
}

static char *
env_str (json_t *r)
{
  GString *s = g_string_new (NULL);
  json_t *a = json_object_get (r, "environment");
  for (gsize i = 0; i < json_array_size (a); i++)
    g_string_append_printf (s, "%s%s", i ? " " : "", json_string_value (json_array_get (a, i)));
  return g_string_free (s, FALSE);
}

static void
test_export (void)
{
  static const struct { const char *spec; const char *env; } cases[] = {
    { "ALL", "PATH=/usr/bin HOME=/home/alice SLURM_CONF=/etc/slurm.conf LANG=C" },
    { "NONE", "SLURM_CONF=/etc/slurm.conf" },
    { "NIL", "" },
    { "ALL,LANG=en,NEW=1", "PATH=/usr/bin HOME=/home/alice SLURM_CONF=/etc/slurm.conf "
                           "LANG=en NEW=1" },
    { "PATH,X=2", "SLURM_CONF=/etc/slurm.conf PATH=/usr/bin X=2" },
    { "NONE,HOME,MISSING", "SLURM_CONF=/etc/slurm.conf HOME=/home/alice" },
    { "NIL,A=b=c", "A=b=c" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *e = g_strdup_printf ("--export=%s", cases[i].spec);
      json_t *r = sbatch_ok (NULL, e, "--wrap=x", NULL);
      g_autofree char *got = env_str (r);
      g_assert_cmpstr (got, ==, cases[i].env);
      g_assert_cmpstr (sget (r, "export"), ==, cases[i].spec);
      json_decref (r);
    }
  sbatch_fails ("sbatch: error: Invalid --export specification", NULL, "--export=A,=x",
                "--wrap=x", NULL);
  g_auto (GStrv) none = net_jobreq_apply_export ("ALL", NULL);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

/* ---- directives ------------------------------------------------------------------------- */

static void
test_directives (void)
{
  /* Forms: --opt=val, -N 2, quoting, trailing comments, blank and comment lines between. */
  const char *script =
    "#!/bin/bash\n"
    "# a comment\n"
    "\n"
    "#SBATCH --job-name=\"my job\"   # the name\n"
    "#SBATCH -N 2\n"
    "#SBATCH --time 10 --partition=debug\n"
    "   # indented comment\n"
    "#SBATCH --comment='a # b'\n"
    "#SBATCH -o out\\ file\n"
    "# SBATCH --ntasks=99\n"
    "#SBATCH --output=final\n"
    "srun hostname\n"
    "#SBATCH --qos=ignored\n"
    "cat <<EOF\n#SBATCH --account=ignored\nEOF\n";
  json_t *r = sbatch_ok (script, "job.sh", NULL);
  g_assert_cmpstr (sget (r, "name"), ==, "my job");
  g_assert_cmpint (iget (r, "nodes_min"), ==, 2);
  g_assert_cmpint (iget (r, "time_limit"), ==, 600);
  g_assert_cmpstr (sget (r, "partition"), ==, "debug");
  g_assert_cmpstr (sget (r, "comment"), ==, "a # b");
  g_assert_cmpstr (sget (r, "stdout"), ==, "final");
  g_assert_false (has (r, "ntasks"));      /* "# SBATCH" is a comment */
  g_assert_false (has (r, "qos"));         /* after the first command */
  g_assert_false (has (r, "account"));     /* in a heredoc after a command */
  json_decref (r);

  /* The command line overrides directives, whatever its order. */
  r = sbatch_ok ("#!/bin/sh\n#SBATCH -t 5 -p a -J dname\n#SBATCH --hold\ntrue\n",
                 "-p", "b", "--time=7", "job.sh", NULL);
  g_assert_cmpint (iget (r, "time_limit"), ==, 420);
  g_assert_cmpstr (sget (r, "partition"), ==, "b");
  g_assert_cmpstr (sget (r, "name"), ==, "dname");
  g_assert_true (json_is_true (json_object_get (r, "hold")));
  json_decref (r);

  /* Errors name the script and the line. */
  sbatch_fails ("sbatch: error: job.sh:3: Invalid --time specification",
                "#!/bin/sh\n#SBATCH -N1\n#SBATCH --time=abc\n", "job.sh", NULL);
  sbatch_fails ("sbatch: error: stdin:2: unrecognized option '--foo'",
                "#!/bin/sh\n#SBATCH --foo\n", NULL);
  sbatch_fails ("sbatch: error: job.sh:2: option requires an argument -- 'N'",
                "#!/bin/sh\n#SBATCH -N\n", "job.sh", NULL);
  sbatch_fails ("sbatch: error: job.sh:2: Invalid directive found in batch script: referencing",
                "#!/bin/sh\n#SBATCH referencing the docs\n", "job.sh", NULL);
  sbatch_fails ("sbatch: fatal: job.sh: line 2: Unmatched `\"` in [#SBATCH -J \"oops]",
                "#!/bin/sh\n#SBATCH -J \"oops\n", "job.sh", NULL);
  sbatch_fails ("sbatch: error: job.sh:2: --wrap is not allowed in a batch script",
                "#!/bin/sh\n#SBATCH --wrap=x\n", "job.sh", NULL);
  sbatch_fails ("sbatch: fatal: job.sh:2: --mem, --mem-per-cpu, and --mem-per-gpu are "
                "mutually exclusive.", "#!/bin/sh\n#SBATCH --mem=1 --mem-per-cpu=1\n",
                "job.sh", NULL);
  /* A bad directive after the first command is not read at all. */
  r = sbatch_ok ("#!/bin/sh\ntrue\n#SBATCH --time=abc\n", "job.sh", NULL);
  json_decref (r);
  /* Directives may set client flags. */
  NetClientFlags f;
  GError *error = NULL;
  NetJobEnv env = test_env ();
  const char *argv[] = { "sbatch" };
  r = net_sbatch_request (1, argv, "#!/bin/sh\n#SBATCH --parsable\n", &env, &f, &error);
  g_assert_no_error (error);
  g_assert_true (f.parsable);
  json_decref (r);
}

static void
test_directives_crlf (void)
{
  /* net_sbatch_directives reads CRLF lines (sbatch itself refuses such scripts, as Slurm
   * does: see test_script_errors). */
  GError *error = NULL;
  g_autoptr (GArray) d = net_sbatch_directives ("#!/bin/sh\r\n#SBATCH -N 2\r\n"
                                                "#SBATCH --time=5\r\nhostname\r\n"
                                                "#SBATCH -n 3\r\n", "job.sh", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (d->len, ==, 2);
  NetDirective *x = &g_array_index (d, NetDirective, 0);
  g_assert_cmpuint (x->line, ==, 2);
  g_assert_cmpuint (g_strv_length (x->words), ==, 2);
  g_assert_cmpstr (x->words[1], ==, "2");
  x = &g_array_index (d, NetDirective, 1);
  g_assert_cmpuint (x->line, ==, 3);
  g_assert_cmpstr (x->words[0], ==, "--time=5");
  /* "#SBATCH" alone and a comment-only directive give no words. */
  g_autoptr (GArray) e = net_sbatch_directives ("#!/bin/sh\n#SBATCH\n#SBATCH # x\n", NULL,
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpuint (e->len, ==, 2);
  g_assert_null (g_array_index (e, NetDirective, 0).words[0]);
}

/* ---- srun ------------------------------------------------------------------------------- */

static json_t *
srun (NetJobEnv *env, NetClientFlags *f, char ***argv_out, gboolean *is_step, GError **error,
      ...)
{
  va_list ap;
  va_start (ap, error);
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "srun");
  for (const char *a = va_arg (ap, const char *); a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) a);
  va_end (ap);
  json_t *r = net_srun_request ((int) argv->len, (const char *const *) argv->pdata, env, f,
                                argv_out, is_step, error);
  g_ptr_array_free (argv, TRUE);
  return r;
}

static void
test_srun (void)
{
  NetJobEnv env = test_env ();
  NetClientFlags f;
  g_auto (GStrv) cmd = NULL;
  gboolean step = TRUE;
  GError *error = NULL;
  json_t *r = srun (&env, &f, &cmd, &step, &error, "-n2", "bash", "-c", "echo x", NULL);
  g_assert_no_error (error);
  g_assert_false (step);
  g_assert_cmpuint (g_strv_length (cmd), ==, 3);
  g_assert_cmpstr (cmd[1], ==, "-c");
  g_assert_cmpint (iget (r, "ntasks"), ==, 2);
  g_assert_false (has (r, "cpus_per_task"));  /* -c belongs to bash */
  g_assert_cmpstr (sget (r, "name"), ==, "bash");
  g_assert_false (has (r, "script"));
  json_t *inter = json_object_get (r, "interactive");
  g_assert_cmpuint (json_array_size (json_object_get (inter, "argv")), ==, 3);
  g_assert_true (json_is_false (json_object_get (inter, "label")));
  g_assert_true (json_is_true (json_object_get (inter, "stdin")));   /* -i all, the default */
  g_assert_true (json_is_false (json_object_get (inter, "pty")));
  g_assert_true (f.input && !f.pty);
  g_assert_cmpstr (sget (r, "workdir"), ==, "/home/alice/work");
  json_decref (r);
  g_clear_pointer (&cmd, g_strfreev);

  /* --pty, and -i: "none" forwards nothing, a task number still forwards, a file is read
   * by the task instead */
  r = srun (&env, &f, &cmd, NULL, &error, "--pty", "bash", NULL);
  g_assert_no_error (error);
  g_assert_true (f.pty && f.input);
  g_assert_true (json_is_true (json_object_get (json_object_get (r, "interactive"), "pty")));
  json_decref (r);
  g_clear_pointer (&cmd, g_strfreev);
  const struct { const char *opt; gboolean input; const char *file; } inputs[] = {
    { "-inone", FALSE, NULL }, { "--input=all", TRUE, NULL }, { "-i0", TRUE, NULL },
    { "--input=in-%t.txt", FALSE, "in-%t.txt" },
  };
  for (gsize k = 0; k < G_N_ELEMENTS (inputs); k++)
    {
      r = srun (&env, &f, &cmd, NULL, &error, inputs[k].opt, "cat", NULL);
      g_assert_no_error (error);
      g_assert_cmpint (f.input, ==, inputs[k].input);
      g_assert_cmpint (json_is_true (json_object_get (json_object_get (r, "interactive"),
                                                      "stdin")), ==, inputs[k].input);
      g_assert_cmpstr (json_string_value (json_object_get (r, "stdin")), ==, inputs[k].file);
      json_decref (r);
      g_clear_pointer (&cmd, g_strfreev);
    }

  r = srun (&env, &f, &cmd, &step, &error, "-N2", "-n4", "-l", "-u", "-p", "gpu",
            "--gres=gpu:1", "/usr/bin/hostname", NULL);
  g_assert_no_error (error);
  g_assert_true (f.label && f.unbuffered);
  g_assert_cmpstr (sget (r, "name"), ==, "hostname");
  g_assert_cmpint (iget (r, "gpus_per_node"), ==, 1);
  g_assert_true (json_is_true (json_object_get (json_object_get (r, "interactive"), "label")));
  json_decref (r);
  g_clear_pointer (&cmd, g_strfreev);

  /* "--" ends the options. */
  r = srun (&env, NULL, &cmd, NULL, &error, "--", "-weird", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (cmd[0], ==, "-weird");
  json_decref (r);
  g_clear_pointer (&cmd, g_strfreev);

  /* Errors. */
  g_assert_null (srun (&env, NULL, NULL, NULL, &error, "-n2", NULL));
  g_assert_cmpstr (error->message, ==, "srun: fatal: No command given to execute.");
  g_clear_error (&error);
  g_assert_null (srun (&env, NULL, NULL, NULL, &error, "--wrap=x", "true", NULL));
  g_assert_cmpstr (error->message, ==, "srun: unrecognized option '--wrap=x'\n"
                   "Try \"srun --help\" for more information");
  g_clear_error (&error);
  g_assert_null (srun (&env, NULL, NULL, NULL, &error, "-t", "abc", "true", NULL));
  g_assert_cmpstr (error->message, ==, "srun: error: Invalid --time specification");
  g_clear_error (&error);
  r = srun (&env, &f, &cmd, NULL, &error, "--help", NULL);
  g_assert_no_error (error);
  g_assert_true (f.help);
  json_decref (r);
  g_clear_pointer (&cmd, g_strfreev);
}

static void
test_srun_step (void)
{
  static const char *const job_environ[] = { "SLURM_JOB_ID=12", "SLURM_NTASKS=3", NULL };
  NetJobEnv env = test_env ();
  env.job_id = 12;
  gboolean step = FALSE;
  GError *error = NULL;
  json_t *r = srun (&env, NULL, NULL, &step, &error, "-n2", "-l", "hostname", NULL);
  g_assert_no_error (error);
  g_assert_true (step);
  g_autofree char *s = json_dumps (r, JSON_COMPACT | JSON_SORT_KEYS);
  g_assert_cmpstr (s, ==, "{\"argv\":[\"hostname\"],\"job_id\":12,\"label\":true,\"ntasks\":2,"
                   "\"pty\":false,\"stdin\":true}");
  json_decref (r);
  r = srun (&env, NULL, NULL, &step, &error, "--pty", "-i", "none", "bash", NULL);
  g_assert_true (json_is_true (json_object_get (r, "pty")));
  g_assert_true (json_is_false (json_object_get (r, "stdin")));
  json_decref (r);
  r = srun (&env, NULL, NULL, &step, &error, "-N2", "true", NULL);
  g_assert_cmpint (iget (r, "ntasks"), ==, 2);
  g_assert_cmpint (iget (r, "nodes"), ==, 2);
  json_decref (r);
  r = srun (&env, NULL, NULL, &step, &error, "true", NULL);
  g_assert_cmpint (iget (r, "ntasks"), ==, 1);
  json_decref (r);
  env.environ = job_environ;
  r = srun (&env, NULL, NULL, &step, &error, "true", NULL);
  g_assert_cmpint (iget (r, "ntasks"), ==, 3);
  json_decref (r);
}

/* ---- regressions ------------------------------------------------------------------------ */

static void
test_regressions (void)
{
  /* Inputs the fuzzer (fuzz/fuzz-sbatch.c) or review found; each must fail cleanly. */
  GError *error = NULL;
  NetJobEnv env = test_env ();
  const char *argv[] = { "sbatch", "--begin=now+9999999999w", "--wrap=x" };
  json_t *r = net_sbatch_request (3, argv, NULL, &env, NULL, &error);
  g_assert_null (r);
  g_clear_error (&error);
  const char *argv2[] = { "sbatch", "-\xc3" };
  g_assert_null (net_sbatch_request (2, argv2, NULL, &env, NULL, &error));
  g_assert_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE);
  g_clear_error (&error);
  /* A trailing backslash in a directive is kept literally. */
  g_autoptr (GArray) d = net_sbatch_directives ("#!/bin/sh\n#SBATCH -J a\\\n", "j", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_array_index (d, NetDirective, 0).words[1], ==, "a\\");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/realnet/jobreq/wrap", test_wrap);
  g_test_add_func ("/realnet/jobreq/names", test_names);
  g_test_add_func ("/realnet/jobreq/script-errors", test_script_errors);
  g_test_add_func ("/realnet/jobreq/unknown-options", test_unknown_options);
  g_test_add_func ("/realnet/jobreq/more-options", test_more_options);
  g_test_add_func ("/realnet/jobreq/option-forms", test_option_forms);
  g_test_add_func ("/realnet/jobreq/client-flags", test_client_flags);
  g_test_add_func ("/realnet/jobreq/times", test_times);
  g_test_add_func ("/realnet/jobreq/memory", test_memory);
  g_test_add_func ("/realnet/jobreq/gres", test_gres);
  g_test_add_func ("/realnet/jobreq/array", test_array);
  g_test_add_func ("/realnet/jobreq/dependency", test_dependency);
  g_test_add_func ("/realnet/jobreq/begin", test_begin);
  g_test_add_func ("/realnet/jobreq/chdir", test_chdir);
  g_test_add_func ("/realnet/jobreq/export", test_export);
  g_test_add_func ("/realnet/jobreq/directives", test_directives);
  g_test_add_func ("/realnet/jobreq/directives-crlf", test_directives_crlf);
  g_test_add_func ("/realnet/jobreq/srun", test_srun);
  g_test_add_func ("/realnet/jobreq/srun-step", test_srun_step);
  g_test_add_func ("/realnet/jobreq/regressions", test_regressions);
  return g_test_run ();
}
