/* SPDX-License-Identifier: MIT */
/* src/cmd-gen.c - `sluice gen`: write a synthetic workload as SWF. */
#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <unistd.h>

#include "src/commands.h"
#include "src/gen.h"
#include "workloads/lublin.h"
#include "workloads/swf.h"

gboolean
gen_write_swf (const WlLublinOptions *lo, const char *path, GError **error)
{
  g_autoptr (GOutputStream) raw = NULL;
  if (path == NULL || g_strcmp0 (path, "-") == 0)
    raw = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  else
    {
      g_autoptr (GFile) f = g_file_new_for_path (path);
      raw = G_OUTPUT_STREAM (g_file_replace (f, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error));
      if (raw == NULL)
        return FALSE;
    }
  g_autoptr (GOutputStream) out = g_buffered_output_stream_new_sized (raw, 1 << 16);
  g_autoptr (WlReader) r = wl_lublin_reader_new (lo);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_autoptr (GPtrArray) lines = g_ptr_array_new ();
  for (guint i = 0; info->header_lines && i < info->header_lines->len; i++)
    g_ptr_array_add (lines, info->header_lines->pdata[i]);
  g_ptr_array_add (lines, NULL);
  if (!wl_swf_write_header (out, (const char *const *) lines->pdata, error))
    return FALSE;
  for (;;)
    {
      WlJob job;
      gboolean eof = FALSE;
      if (!wl_reader_next (r, &job, &eof, error))
        return FALSE;
      if (eof)
        break;
      if (!wl_swf_write_job (out, &job, error))
        return FALSE;
    }
  return g_output_stream_close (out, NULL, error);
}

int
cmd_gen (int argc, char **argv)
{
  WlLublinOptions lo;
  wl_lublin_options_init (&lo);
  g_autofree char *model = NULL, *out = NULL;
  gint64 jobs = 10000, seed = 1;
  gint nodes = 256;
  gdouble load = 1.0;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "Workload model: lublin (default)", "NAME" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT64, &jobs, "Number of jobs (default 10000)", "N" },
    { "nodes", 'N', 0, G_OPTION_ARG_INT, &nodes, "Machine size in processors (default 256)", "P" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "S" },
    { "load-scale", 0, 0, G_OPTION_ARG_DOUBLE, &load, "Divide interarrival times by this (default 1)", "F" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write here (default: standard output)", "FILE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- generate a synthetic workload as SWF");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (model && g_strcmp0 (model, "lublin") != 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--model: \"%s\" is not a known model (expected: lublin)", model);
      goto fail;
    }
  if (jobs <= 0 || nodes <= 0 || seed < 0 || load <= 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--jobs and --nodes must be > 0, --seed >= 0, --load-scale > 0");
      goto fail;
    }
  lo.n_jobs = (guint64) jobs;
  lo.nodes = (guint32) nodes;
  lo.seed = (guint64) seed;
  lo.load_scale = load;
  if (!gen_write_swf (&lo, out, &error))
    {
      g_printerr ("sluice gen: %s\n", error->message);
      return 1;
    }
  return 0;

fail:
  g_printerr ("sluice gen: %s\nRun 'sluice gen --help' for usage.\n", error->message);
  return 2;
}
