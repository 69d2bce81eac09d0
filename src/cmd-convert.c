/* SPDX-License-Identifier: MIT */
/* src/cmd-convert.c - `sluice convert`: read any workload the readers know, optionally
 * transform it, and write it as SWF, CSV or JSON Lines (workloads/writer.h).
 *
 * SWF needs whole-trace facts in its header (MaxJobs, EndTime...), so for SWF the input is
 * read twice through the same readers and transforms: once for WlTraceStats, once to
 * write.  CSV and JSON are written in one pass.  An output name ending in ".gz" is
 * gzip-compressed; "-" is standard output. */
#include <gio/gunixoutputstream.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "src/commands.h"
#include "src/transform-opts.h"
#include "workloads/open.h"
#include "workloads/writer.h"

typedef struct {
  const char      *in;
  const char      *from;
  WlReaderOptions  ro;
  TransformCli    *tx;
} Input;

/* Opens the input with its transforms.  (transfer full) or NULL with `error` set. */
static WlReader *
open_input (const Input *in, GError **error)
{
  g_autoptr (WlReader) r = wl_reader_open (in->in, in->from, &in->ro, error);
  if (r == NULL)
    return NULL;
  return transform_cli_wrap (in->tx, g_steal_pointer (&r), error);
}

static GOutputStream *
open_output (const char *path, GError **error)
{
  g_autoptr (GOutputStream) raw = NULL;
  if (g_strcmp0 (path, "-") == 0)
    raw = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  else
    {
      g_autoptr (GFile) f = g_file_new_for_path (path);
      if (g_file_test (path, G_FILE_TEST_EXISTS) && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        raw = G_OUTPUT_STREAM (g_file_append_to (f, G_FILE_CREATE_NONE, NULL, error));
      else
        raw = G_OUTPUT_STREAM (g_file_replace (f, NULL, FALSE, G_FILE_CREATE_NONE, NULL, error));
      if (raw == NULL)
        return NULL;
    }
  gsize n = strlen (path);
  if (n > 3 && g_ascii_strcasecmp (path + n - 3, ".gz") == 0)
    {
      g_autoptr (GZlibCompressor) z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
      g_autoptr (GOutputStream) conv = g_converter_output_stream_new (raw, G_CONVERTER (z));
      return g_buffered_output_stream_new_sized (conv, 1 << 16);
    }
  return g_buffered_output_stream_new_sized (raw, 1 << 16);
}

static gboolean
convert (const Input *in, const char *out_path, WlWriteFormat to, const WlWriteMeta *meta,
         WlCounts *counts, guint64 *written, GError **error)
{
  WlTraceStats stats;
  wl_trace_stats_init (&stats);
  WlTraceInfo machine = { .max_nodes = -1 };
  Input second = *in;
  if (to == WL_WRITE_SWF)
    {
      g_autoptr (WlReader) r = open_input (in, error);
      if (r == NULL)
        return FALSE;
      machine = *wl_reader_get_info (r);
      for (;;)
        {
          WlJob job;
          gboolean eof = FALSE;
          if (!wl_reader_next (r, &job, &eof, error))
            return FALSE;
          if (eof)
            break;
          wl_trace_stats_add (&stats, &job);
        }
      second.ro.max_warnings = 0;   /* the first pass said them */
      second.ro.scan = FALSE;       /* and found the machine */
    }
  g_autoptr (WlReader) r = open_input (&second, error);
  if (r == NULL)
    return FALSE;
  if (to == WL_WRITE_SWF && in->ro.scan && machine.max_nodes > 0)
    {
      r->info.max_nodes = machine.max_nodes;
      r->info.max_procs = machine.max_procs;
      r->info.cpus_per_node = machine.cpus_per_node;
      r->info.gpus_per_node = machine.gpus_per_node;
      r->info.mem_per_node_mb = machine.mem_per_node_mb;
    }
  g_autoptr (GOutputStream) out = open_output (out_path, error);
  if (out == NULL)
    return FALSE;
  g_autoptr (WlWriter) w = wl_writer_new (out, to, wl_reader_get_info (r), &stats, meta, error);
  if (w == NULL)
    return FALSE;
  for (;;)
    {
      WlJob job;
      gboolean eof = FALSE;
      if (!wl_reader_next (r, &job, &eof, error))
        return FALSE;
      if (eof)
        break;
      if (!wl_writer_write (w, &job, error))
        return FALSE;
    }
  *counts = *wl_reader_get_counts (r);
  *written = wl_writer_get_count (w);
  return wl_writer_close (w, error);
}

static void
print_counts (const char *in, const WlCounts *c, guint64 written)
{
  g_printerr ("sluice convert: %s: %" G_GUINT64_FORMAT " jobs read, %" G_GUINT64_FORMAT
              " written", in, c->read, written);
  for (guint i = 0; i < WL_SKIP_N; i++)
    if (c->skipped[i] > 0)
      g_printerr (", %" G_GUINT64_FORMAT " skipped (%s)", c->skipped[i],
                  wl_skip_reason_name (i));
  for (guint i = 0; i < WL_ADJ_N; i++)
    if (c->adjusted[i] > 0)
      g_printerr (", %" G_GUINT64_FORMAT " adjusted (%s)", c->adjusted[i],
                  wl_adjust_reason_name (i));
  g_printerr ("\n");
}

int
cmd_convert (int argc, char **argv)
{
  g_autofree char *from = NULL, *to = NULL, *columns = NULL, *computer = NULL,
                  *installation = NULL;
  gint trace_gpn = 8;
  gint64 capacity = 0;
  g_autofree char *base = NULL;
  g_auto (GStrv) notes = NULL;
  gboolean strict = FALSE, prefer_req = FALSE, keep_zero = FALSE, quiet = FALSE,
           bench = FALSE;
  GOptionEntry entries[] = {
    { "from", 'f', 0, G_OPTION_ARG_STRING, &from, "Input format: auto (default), swf, csv, itp, philly, alibaba, helios, sacct, json, batsim", "NAME" },
    { "to", 't', 0, G_OPTION_ARG_STRING, &to, "Output format: swf, csv or json (JSON Lines); required", "NAME" },
    { "columns", 0, 0, G_OPTION_ARG_STRING, &columns, "CSV input column map over the preset's", "MAP" },
    { "trace-gpus-per-node", 0, 0, G_OPTION_ARG_INT, &trace_gpn, "GPU traces: a job of g GPUs takes ceil(g/G) nodes (default 8)", "G" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "A malformed input record is an error (default: skip and count it)", NULL },
    { "prefer-requested", 0, 0, G_OPTION_ARG_NONE, &prefer_req, "SWF input: job size from requested processors first", NULL },
    { "keep-zero-runtime", 0, 0, G_OPTION_ARG_NONE, &keep_zero, "Keep jobs with run time 0 as 0-second jobs", NULL },
    { "procs", 0, 0, G_OPTION_ARG_INT64, &capacity, "Machine size in CPUs for --target-load (default: the trace's MaxProcs)", "N" },
    { "computer", 0, 0, G_OPTION_ARG_STRING, &computer, "SWF output: the header's Computer when the input has none", "TEXT" },
    { "installation", 0, 0, G_OPTION_ARG_STRING, &installation, "SWF output: the header's Installation when the input has none", "TEXT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not print the counts on stderr", NULL },
    { "parse-only", 0, 0, G_OPTION_ARG_NONE, &bench, "Only read IN (no OUT, no machine scan) and print records/s on stdout (bench/parse.sh)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("IN OUT - convert a workload to SWF, CSV or JSON");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (TransformCli) tx = transform_cli_new ();
  transform_cli_add_entries (tx, ctx);
  g_option_context_set_description (ctx,
    "IN is any trace sluice reads (format guessed from its name and first line unless\n"
    "--from is given; .gz is decompressed); OUT is a file (\".gz\": compressed) or - for\n"
    "standard output.  SWF output gets a Parallel Workloads Archive header; CSV output has\n"
    "the columns of workloads/writer.h; JSON output is JSON Lines (docs/workload-json.md).\n"
    "The counts of jobs read, written, skipped and adjusted go to stderr.\n"
    "Example: sluice convert --to json itp-elasticflow-cluster01.csv itp.jsonl\n");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (bench && argc == 2)
    {
      WlReaderOptions ro;
      wl_reader_options_init (&ro);
      ro.strict = strict;
      ro.keep_zero_runtime = keep_zero;
      ro.columns = columns;
      ro.max_warnings = 0;
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (WlReader) r = wl_reader_open (argv[1], from, &ro, &error);
      for (gboolean eof = FALSE; r != NULL && !eof;)
        {
          WlJob job;
          if (!wl_reader_next (r, &job, &eof, &error))
            break;
        }
      if (error != NULL)
        {
          g_printerr ("sluice convert: %s\n", error->message);
          return 1;
        }
      double s = (double) (g_get_monotonic_time () - t0) / 1e6;
      const WlCounts *c = wl_reader_get_counts (r);
      printf ("%" G_GUINT64_FORMAT " records read, %" G_GUINT64_FORMAT " kept, %.3f s, %.0f "
              "records/s\n", c->read, c->kept, s, (double) c->read / MAX (s, 1e-9));
      return 0;
    }
  if (argc != 3)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "expected two arguments, IN and OUT (- for standard output)");
      goto fail;
    }
  WlWriteFormat format;
  if (to == NULL || !wl_write_format_from_name (to, &format))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--to: expected swf, csv or json, got \"%s\"", to != NULL ? to : "");
      goto fail;
    }
  if (trace_gpn <= 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--trace-gpus-per-node must be > 0");
      goto fail;
    }
  if (capacity < 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--procs must be >= 0");
      goto fail;
    }
  if (!transform_cli_check (tx, &error))
    goto fail;
  Input in = { .in = argv[1], .from = from, .tx = tx };
  wl_reader_options_init (&in.ro);
  in.ro.strict = strict;
  in.ro.prefer_requested = prefer_req;
  in.ro.keep_zero_runtime = keep_zero;
  in.ro.columns = columns;
  in.ro.gpus_per_node = (guint) trace_gpn;
  in.ro.scan = TRUE;
  transform_cli_reader_options (tx, &in.ro);
  if (!transform_cli_prepare (tx, in.in, from, &in.ro, (guint64) capacity, &error))
    goto fail;
  base = g_path_get_basename (argv[1]);
  WlWriteMeta meta = { .source = base, .source_format = from, .computer = computer,
                       .installation = installation };
  notes = transform_cli_describe (tx);
  meta.notes = (const char *const *) notes;
  WlCounts counts;
  guint64 written = 0;
  if (!convert (&in, argv[2], format, &meta, &counts, &written, &error))
    {
      g_printerr ("sluice convert: %s\n", error->message);
      return 1;
    }
  if (!quiet)
    print_counts (argv[1], &counts, written);
  return 0;

fail:
  g_printerr ("sluice convert: %s\nRun 'sluice convert --help' for usage.\n", error->message);
  return 2;
}
