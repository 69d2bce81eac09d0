/* SPDX-License-Identifier: MIT */
/* src/cmd-gen.c - `sluice gen`: write a synthetic workload: the Lublin-Feitelson model as
 * SWF (gen_write_swf, shared with `demo`), or Downey, Poisson with a daily cycle and a GPU
 * mix (workloads/synth.h) as SWF, CSV or JSON through workloads/writer.h. */
#include <gio/gunixoutputstream.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "src/commands.h"
#include "src/gen.h"
#include "workloads/lublin.h"
#include "workloads/swf.h"
#include "workloads/synth.h"
#include "workloads/writer.h"

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

/* Writes the generator of `so` as `format`; SWF generates twice (same seed, same jobs) to
 * know its header's totals first. */
static gboolean
write_synth (const WlSynthOptions *so, WlWriteFormat format, const char *path, GError **error)
{
  WlTraceStats stats;
  wl_trace_stats_init (&stats);
  if (format == WL_WRITE_SWF)
    {
      g_autoptr (WlReader) r = wl_synth_reader_new (so, error);
      if (r == NULL)
        return FALSE;
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
    }
  g_autoptr (WlReader) r = wl_synth_reader_new (so, error);
  if (r == NULL)
    return FALSE;
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
  g_autofree char *source = g_strdup_printf ("the %s model", wl_synth_model_name (so->model));
  WlWriteMeta meta = { .source = source, .installation = "none (synthetic workload)" };
  g_autoptr (WlWriter) w = wl_writer_new (out, format, wl_reader_get_info (r), &stats, &meta,
                                          error);
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
  return wl_writer_close (w, error);
}

static gboolean
bad_value (GError **error, const char *msg)
{
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, msg);
  return FALSE;
}

/* "1:0.5,2:0.2,4:0.15,8:0.15" into weights for 1, 2, 4, 8 GPUs (unnamed counts: 0). */
static gboolean
parse_gpu_weights (const char *text, double w[4], GError **error)
{
  static const guint counts[4] = { 1, 2, 4, 8 };
  for (int i = 0; i < 4; i++)
    w[i] = 0;
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *end = NULL, *end2 = NULL;
      guint64 g = g_ascii_strtoull (items[i], &end, 10);
      double x = *end == ':' ? g_ascii_strtod (end + 1, &end2) : -1;
      int k = -1;
      for (int j = 0; j < 4; j++)
        if (counts[j] == g)
          k = j;
      if (k < 0 || *end != ':' || end2 == end + 1 || *end2 != '\0' || !(x >= 0) || !isfinite (x))
        return bad_value (error, "--gpu-weights: expected GPUS:WEIGHT,... with GPUS one of 1, "
                          "2, 4, 8 and WEIGHT >= 0 (1:0.5,2:0.2,4:0.15,8:0.15)");
      w[k] = x;
    }
  return TRUE;
}

static gboolean
parse_hourly (const char *text, double h[24], GError **error)
{
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  if (g_strv_length (items) != 24)
    return bad_value (error, "--daily-profile: expected 24 relative rates, one per hour from "
                      "midnight, separated by commas");
  double sum = 0;
  for (int i = 0; i < 24; i++)
    {
      char *end = NULL;
      h[i] = g_ascii_strtod (items[i], &end);
      if (end == items[i] || *end != '\0' || !(h[i] >= 0) || !isfinite (h[i]))
        return bad_value (error, "--daily-profile: expected 24 numbers >= 0");
      sum += h[i];
    }
  if (!(sum > 0))
    return bad_value (error, "--daily-profile: at least one rate must be > 0");
  return TRUE;
}

int
cmd_gen (int argc, char **argv)
{
  WlLublinOptions lo;
  wl_lublin_options_init (&lo);
  g_autofree char *model = NULL, *out = NULL, *format = NULL, *size_dist = NULL,
                  *runtime_dist = NULL, *gpu_weights = NULL, *daily = NULL;
  gint64 jobs = 10000, seed = 1, mem_per_gpu = -1;
  gint nodes = -1, gpn = -1, cpg = -1;
  gdouble load_scale = 1.0, load = -1, interarrival = 0, rt_min = -1, rt_max = -1,
          amplitude = -1, peak = -1, gpu_fraction = -1;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_STRING, &model, "Workload model: lublin (default), downey, poisson, gpu-mix", "NAME" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT64, &jobs, "Number of jobs (default 10000)", "N" },
    { "nodes", 'N', 0, G_OPTION_ARG_INT, &nodes, "Machine size: processors (default 256 for lublin, 128 otherwise); GPU nodes for gpu-mix (default 16)", "P" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "S" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write here (default: standard output)", "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Output format: swf (default), csv or json (default for gpu-mix: SWF has no GPUs); lublin writes SWF only", "NAME" },
    { "load-scale", 0, 0, G_OPTION_ARG_DOUBLE, &load_scale, "lublin: divide interarrival times by this (default 1)", "F" },
    { "load", 0, 0, G_OPTION_ARG_DOUBLE, &load, "downey, poisson, gpu-mix: offered load that sets the arrival rate (default 0.7)", "L" },
    { "interarrival", 0, 0, G_OPTION_ARG_DOUBLE, &interarrival, "downey, poisson, gpu-mix: mean seconds between arrivals instead of --load", "S" },
    { "runtime-min", 0, 0, G_OPTION_ARG_DOUBLE, &rt_min, "downey: shortest run time, seconds (default 60)", "S" },
    { "runtime-max", 0, 0, G_OPTION_ARG_DOUBLE, &rt_max, "downey: longest run time, seconds (default 86400)", "S" },
    { "size-dist", 0, 0, G_OPTION_ARG_STRING, &size_dist, "poisson, gpu-mix: job sizes in CPUs: exponential:MEAN, lognormal:MU,SIGMA (default lognormal:1.5,1.2), uniform:A,B, loguniform:A,B", "DIST" },
    { "runtime-dist", 0, 0, G_OPTION_ARG_STRING, &runtime_dist, "poisson, gpu-mix: run times in seconds (default lognormal:7,1.5)", "DIST" },
    { "amplitude", 0, 0, G_OPTION_ARG_DOUBLE, &amplitude, "poisson, gpu-mix: daily cycle amplitude 0..1 (default 0.5)", "A" },
    { "peak-hour", 0, 0, G_OPTION_ARG_DOUBLE, &peak, "poisson, gpu-mix: hour of the daily peak, 0..24 (default 14)", "H" },
    { "daily-profile", 0, 0, G_OPTION_ARG_STRING, &daily, "poisson, gpu-mix: 24 relative hourly rates from midnight instead of the sinusoid", "LIST" },
    { "gpu-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &gpu_fraction, "gpu-mix: share of GPU jobs (default 0.7)", "F" },
    { "gpu-weights", 0, 0, G_OPTION_ARG_STRING, &gpu_weights, "gpu-mix: weights of 1, 2, 4, 8 GPUs per job (default 1:0.5,2:0.2,4:0.15,8:0.15)", "LIST" },
    { "gpus-per-node", 0, 0, G_OPTION_ARG_INT, &gpn, "gpu-mix: GPUs per node (default 8)", "G" },
    { "cpus-per-gpu", 0, 0, G_OPTION_ARG_INT, &cpg, "gpu-mix: CPUs per GPU (default 8)", "C" },
    { "mem-per-gpu", 0, 0, G_OPTION_ARG_INT64, &mem_per_gpu, "gpu-mix: memory per GPU, MB (default 65536)", "MB" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- generate a synthetic workload");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Models (workloads/lublin.h, workloads/synth.h): lublin (Lublin-Feitelson 2003),\n"
    "downey (Downey 1997: log-uniform run times and sizes, Poisson arrivals), poisson\n"
    "(Poisson arrivals with a daily cycle, by thinning; sizes and run times from given\n"
    "distributions), gpu-mix (GPU and CPU jobs, as JSON).  Every model is seeded.\n"
    "Example: sluice gen --model gpu-mix --nodes 32 --jobs 5000 --seed 3 -o mix.jsonl\n");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (argc > 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument \"%s\"", argv[1]);
      goto fail;
    }
  if (jobs <= 0 || nodes == 0 || nodes < -1 || seed < 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--jobs and --nodes must be > 0, --seed >= 0");
      goto fail;
    }
  WlSynthModel sm = WL_SYNTH_DOWNEY;
  if (model == NULL || g_ascii_strcasecmp (model, "lublin") == 0)
    {
      if (load_scale <= 0)
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--load-scale must be > 0");
          goto fail;
        }
      if (format != NULL && g_ascii_strcasecmp (format, "swf") != 0)
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--format: the lublin model writes SWF (convert it with sluice convert)");
          goto fail;
        }
      lo.n_jobs = (guint64) jobs;
      lo.nodes = nodes > 0 ? (guint32) nodes : 256;
      lo.seed = (guint64) seed;
      lo.load_scale = load_scale;
      if (!gen_write_swf (&lo, out, &error))
        {
          g_printerr ("sluice gen: %s\n", error->message);
          return 1;
        }
      return 0;
    }
  if (!wl_synth_model_from_name (model, &sm))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--model: \"%s\" is not a known model (expected: lublin, downey, poisson, gpu-mix)",
                   model);
      goto fail;
    }
  WlSynthOptions so;
  wl_synth_options_init (&so, sm);
  so.n_jobs = (guint64) jobs;
  so.seed = (guint64) seed;
  so.nodes = nodes > 0 ? (guint32) nodes : sm == WL_SYNTH_GPU_MIX ? 16 : 128;
  if (interarrival != 0)
    {
      if (load >= 0)
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "give --load or --interarrival, not both");
          goto fail;
        }
      so.load = 0;
      so.interarrival = interarrival;
    }
  else if (load >= 0)
    so.load = load;
  if (rt_min >= 0)
    so.rt_min = rt_min;
  if (rt_max >= 0)
    so.rt_max = rt_max;
  if (amplitude >= 0)
    so.amplitude = amplitude;
  if (peak >= 0)
    so.peak_hour = peak;
  if (gpu_fraction >= 0)
    so.gpu_fraction = gpu_fraction;
  if (gpn >= 0)
    so.gpus_per_node = (guint32) gpn;
  if (cpg >= 0)
    so.cpus_per_gpu = (guint32) cpg;
  if (mem_per_gpu >= 0)
    so.mem_per_gpu_mb = (guint64) mem_per_gpu;
  {
    g_autoptr (GError) e = NULL;
    if ((size_dist && !wl_dist_parse (size_dist, "--size-dist", &so.size_dist, &e))
        || (runtime_dist && !wl_dist_parse (runtime_dist, "--runtime-dist", &so.runtime_dist, &e)))
      {
        g_set_error_literal (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, e->message);
        goto fail;
      }
    if ((gpu_weights && !parse_gpu_weights (gpu_weights, so.gpu_weights, &error))
        || (daily && !parse_hourly (daily, so.hourly, &error)))
      goto fail;
    if (!wl_synth_options_check (&so, &e))
      {
        g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s", e->message);
        goto fail;
      }
  }
  WlWriteFormat wf = sm == WL_SYNTH_GPU_MIX ? WL_WRITE_JSON : WL_WRITE_SWF;
  if (format != NULL && !wl_write_format_from_name (format, &wf))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--format: expected swf, csv or json, got \"%s\"", format);
      goto fail;
    }
  if (!write_synth (&so, wf, out, &error))
    {
      g_printerr ("sluice gen: %s\n", error->message);
      return 1;
    }
  return 0;

fail:
  g_printerr ("sluice gen: %s\nRun 'sluice gen --help' for usage.\n", error->message);
  return 2;
}
