/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-sbatch.c - libFuzzer harness for realnet/jobreq.h: sbatch and srun option
 * parsing, #SBATCH directives and the value syntaxes behind them.
 *
 * Input: the lines before the first empty line are command-line words (one per line); the
 * rest is the batch script.  The words run through sbatch (with the script) and through
 * srun, outside and inside a job.  Checks: exactly one of a request and an error comes
 * back; an error's message is what the command prints ("sbatch: ..." / "srun: ..."); a
 * request is an object that serializes to JSON (all strings UTF-8) and holds the keys
 * every request carries. */
#include <string.h>
#include <jansson.h>
#include "fuzz/fuzz-common.h"
#include "realnet/jobreq.h"

static const char *const fuzz_environ[] = {
  "PATH=/usr/bin", "HOME=/root", "SLURM_NTASKS=2", "SLURM_JOB_ID=7", "X=1", NULL,
};

static void
check (json_t *r, GError *error, const char *prog, gboolean is_step)
{
  if (r == NULL)
    {
      g_assert (error != NULL && error->domain == NET_JOBREQ_ERROR);
      g_assert (g_str_has_prefix (error->message, prog));
      return;
    }
  g_assert (error == NULL && json_is_object (r));
  char *s = json_dumps (r, JSON_COMPACT);
  g_assert (s != NULL);
  free (s);
  if (json_object_size (r) == 0)
    {
      json_decref (r);           /* srun --help */
      return;
    }
  if (is_step)
    g_assert (json_is_integer (json_object_get (r, "ntasks"))
              && json_is_array (json_object_get (r, "argv")));
  else
    g_assert (json_is_string (json_object_get (r, "name"))
              && json_is_array (json_object_get (r, "environment"))
              && json_is_string (json_object_get (r, "workdir")));
  json_decref (r);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  char *sep = strstr (text, "\n\n");
  const char *script = "#!/bin/sh\n";
  if (sep != NULL)
    {
      *sep = '\0';
      script = sep + 2;
    }
  g_auto (GStrv) lines = g_strsplit (text, "\n", 64);
  GPtrArray *argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "prog");
  for (guint i = 0; lines[i] != NULL; i++)
    g_ptr_array_add (argv, lines[i]);
  int argc = (int) argv->len;
  const char *const *av = (const char *const *) argv->pdata;

  g_autoptr (GTimeZone) tz = g_time_zone_new_offset (7200);
  NetJobEnv env = { .cwd = "/home/u", .environ = fuzz_environ, .submit_host = "vm",
                    .now = 1767261600, .tz = tz, .job_id = 0, .max_array_size = 0 };
  GError *error = NULL;
  NetClientFlags flags;
  json_t *r = net_sbatch_request (argc, av, script, &env, &flags, &error);
  check (r, error, "sbatch: ", FALSE);
  g_clear_error (&error);

  /* The directive scanner alone, on the whole input as a script. */
  GArray *dirs = net_sbatch_directives (sep ? script : text, "f", &error);
  g_assert ((dirs == NULL) == (error != NULL));
  if (dirs != NULL)
    g_array_unref (dirs);
  g_clear_error (&error);

  for (guint64 job = 0; job <= 7; job += 7)
    {
      env.job_id = job;
      char **cmd = NULL;
      gboolean is_step = FALSE;
      r = net_srun_request (argc, av, &env, &flags, &cmd, &is_step, &error);
      g_assert ((r == NULL) == (cmd == NULL || error != NULL));
      check (r, error, "srun: ", is_step);
      g_clear_error (&error);
      g_strfreev (cmd);
    }
  g_ptr_array_free (argv, TRUE);
  return 0;
}
