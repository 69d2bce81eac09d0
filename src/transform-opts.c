/* SPDX-License-Identifier: MIT */
/* src/transform-opts.c - parsing the transform options of `convert` and `sim` (see
 * src/transform-opts.h and workloads/transform.h). */
#include "src/transform-opts.h"

#include <math.h>
#include <string.h>

struct _TransformCli {
  /* as parsed */
  double   load_scale;
  double   target_load;
  char    *window;
  gint64   first;
  char    *filter_text;
  char    *limit_model;
  gint64   limit_seed;
  gboolean resubmit;
  char    *synth_limit;
  /* derived */
  WlTransformOptions opts;
  WlFilter          *filter;
  WlLimitRule        limit_rule;
  double             limit_factor;
  gboolean           have_rule;
  gboolean           prepared;
  double             found_load;
};

TransformCli *
transform_cli_new (void)
{
  TransformCli *tx = g_new0 (TransformCli, 1);
  tx->limit_seed = 1;
  wl_transform_options_init (&tx->opts);
  return tx;
}

void
transform_cli_free (TransformCli *tx)
{
  if (tx == NULL)
    return;
  g_free (tx->window);
  g_free (tx->filter_text);
  g_free (tx->limit_model);
  g_free (tx->synth_limit);
  wl_filter_free (tx->filter);
  g_free (tx);
}

void
transform_cli_add_entries (TransformCli *tx, GOptionContext *ctx)
{
  GOptionEntry entries[] = {
    { "load-scale", 0, 0, G_OPTION_ARG_DOUBLE, &tx->load_scale, "Divide inter-arrival times by F (F > 1 raises the load)", "F" },
    { "target-load", 0, 0, G_OPTION_ARG_DOUBLE, &tx->target_load, "Scale inter-arrival times so the offered load is L on the machine (0 < L)", "L" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &tx->window, "Only jobs submitted in [START, END): seconds on the trace's clock or dates (2024-05-01T00:00:00Z); either side may be empty", "START:END" },
    { "first", 0, 0, G_OPTION_ARG_INT64, &tx->first, "Only the first N jobs (after window and filter)", "N" },
    { "filter", 0, 0, G_OPTION_ARG_STRING, &tx->filter_text, "Only matching jobs: user=, group=, partition=, state= (alternatives with |), min-procs=, max-procs=, min-gpus=, max-gpus=, min-runtime=, max-runtime=", "LIST" },
    { "limit-model", 0, 0, G_OPTION_ARG_STRING, &tx->limit_model, "Replace requested times: exact (the run time), factor:F (run time x F) or tsafrir (modal user estimates)", "MODEL" },
    { "limit-seed", 0, 0, G_OPTION_ARG_INT64, &tx->limit_seed, "Seed of --limit-model tsafrir (default 1)", "S" },
    { "resubmit-timeouts", 0, 0, G_OPTION_ARG_NONE, &tx->resubmit, "Submit every TIMEOUT job again when it ended (id + 1000000000)", NULL },
    { "synth-limit", 0, 0, G_OPTION_ARG_STRING, &tx->synth_limit, "Time limit for jobs without one: ladder (default: 1h, 2h, 4h ... 7d), round-up (5, 10, 15, 30 min, then the ladder), runtime, factor:F", "RULE" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_option_context_add_main_entries (ctx, entries, NULL);
}

static gboolean
bad (GError **error, const char *what, const char *detail)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "%s: %s", what, detail);
  return FALSE;
}

gboolean
transform_cli_check (TransformCli *tx, GError **error)
{
  g_autoptr (GError) e = NULL;
  if (tx->load_scale != 0 && !(tx->load_scale > 0 && tx->load_scale <= 1e6))
    return bad (error, "--load-scale", "expected a factor F > 0");
  if (tx->target_load != 0 && !(tx->target_load > 0 && tx->target_load <= 1e3))
    return bad (error, "--target-load", "expected a load L > 0 (0.8 = 80%)");
  if (tx->load_scale != 0 && tx->target_load != 0)
    return bad (error, "--load-scale", "give it or --target-load, not both");
  if (tx->first < 0)
    return bad (error, "--first", "expected N >= 1");
  if (tx->limit_seed < 0)
    return bad (error, "--limit-seed", "expected S >= 0");
  if (tx->filter_text != NULL)
    {
      tx->filter = wl_filter_parse (tx->filter_text, &e);
      if (tx->filter == NULL)
        return bad (error, "--filter", e->message);
      tx->opts.filter = tx->filter;
    }
  if (tx->limit_model != NULL && !wl_limit_model_parse (tx->limit_model, &tx->opts, &e))
    return bad (error, "--limit-model", e->message);
  if (tx->synth_limit != NULL)
    {
      const char *s = tx->synth_limit;
      tx->have_rule = TRUE;
      if (g_ascii_strcasecmp (s, "ladder") == 0)
        tx->limit_rule = WL_LIMIT_LADDER;
      else if (g_ascii_strcasecmp (s, "round-up") == 0)
        tx->limit_rule = WL_LIMIT_ROUND_UP;
      else if (g_ascii_strcasecmp (s, "runtime") == 0)
        tx->limit_rule = WL_LIMIT_RUNTIME;
      else if (g_ascii_strncasecmp (s, "factor:", 7) == 0)
        {
          char *end = NULL;
          double f = g_ascii_strtod (s + 7, &end);
          if (end == s + 7 || *end != '\0' || !(f >= 1) || f > 1e6)
            return bad (error, "--synth-limit", "factor:F needs F >= 1");
          tx->limit_rule = WL_LIMIT_FACTOR;
          tx->limit_factor = f;
        }
      else
        {
          g_autofree char *d = g_strdup_printf (
              "expected ladder, round-up, runtime or factor:F, got \"%s\"", s);
          return bad (error, "--synth-limit", d);
        }
    }
  tx->opts.first = (guint64) tx->first;
  tx->opts.limit_seed = (guint64) tx->limit_seed;
  tx->opts.resubmit_timeouts = tx->resubmit;
  if (tx->load_scale > 0)
    tx->opts.load_scale = tx->load_scale;
  return TRUE;
}

void
transform_cli_reader_options (const TransformCli *tx, WlReaderOptions *ro)
{
  if (tx->have_rule)
    {
      ro->limit_rule = tx->limit_rule;
      ro->limit_factor = tx->limit_factor;
    }
}

gboolean
transform_cli_prepare (TransformCli *tx, const char *path, const char *format,
                       const WlReaderOptions *ro, guint64 capacity_cpus, GError **error)
{
  tx->prepared = TRUE;
  if (tx->window == NULL && tx->target_load == 0)
    return TRUE;
  g_autoptr (WlReader) r = wl_reader_open (path, format, ro, error);
  if (r == NULL)
    return FALSE;
  const WlTraceInfo *info = wl_reader_get_info (r);
  if (tx->window != NULL)
    {
      g_autoptr (GError) e = NULL;
      if (!wl_transform_parse_window (tx->window, info->unix_start_time, &tx->opts, &e))
        return bad (error, "--window", e->message);
    }
  if (tx->target_load == 0)
    return TRUE;
  if (capacity_cpus == 0 && info->max_procs > 0)
    capacity_cpus = (guint64) info->max_procs;
  if (capacity_cpus == 0)
    return bad (error, "--target-load",
                "the trace does not say its machine size; give it (--procs, or --nodes with "
                "--cpus-per-node)");
  /* the load of the jobs the other transforms let through */
  WlTransformOptions o = tx->opts;
  o.load_scale = 1.0;
  o.resubmit_timeouts = FALSE;
  g_autoptr (WlReader) t = wl_transform_reader_new (g_steal_pointer (&r), &o);
  double load = 0;
  if (!wl_transform_offered_load (t, capacity_cpus, &load, error))
    return FALSE;
  if (!(load > 0))
    return bad (error, "--target-load",
                "the trace has no load to scale (fewer than two submit times)");
  tx->found_load = load;
  tx->opts.load_scale = tx->target_load / load;
  return TRUE;
}

WlReader *
transform_cli_wrap (TransformCli *tx, WlReader *r, GError **error)
{
  if ((tx->window != NULL || tx->target_load != 0) && !tx->prepared)
    {
      wl_reader_free (r);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "internal: transform options not prepared");
      return NULL;
    }
  if (wl_transform_options_is_identity (&tx->opts))
    return r;
  return wl_transform_reader_new (r, &tx->opts);
}

static void
take (GStrvBuilder *b, char *s)
{
  g_strv_builder_add (b, s);
  g_free (s);
}

GStrv
transform_cli_describe (const TransformCli *tx)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  if (tx->window != NULL)
    take (b, g_strdup_printf ("transform: window %s", tx->window));
  if (tx->filter_text != NULL)
    take (b, g_strdup_printf ("transform: filter %s", tx->filter_text));
  if (tx->first > 0)
    take (b, g_strdup_printf ("transform: first %" G_GINT64_FORMAT " jobs",
                                             tx->first));
  if (tx->limit_model != NULL)
    take (b, g_strdup_printf ("transform: requested times from limit model %s%s",
                                             tx->limit_model,
                                             tx->opts.limit_model == WL_LIMIT_MODEL_TSAFRIR
                                                 ? " (seeded)" : ""));
  if (tx->target_load > 0)
    take (b, g_strdup_printf ("transform: inter-arrival times divided by %.6g "
                                             "for an offered load of %.3g (was %.3g)",
                                             tx->opts.load_scale, tx->target_load,
                                             tx->found_load));
  else if (tx->load_scale > 0)
    take (b, g_strdup_printf ("transform: inter-arrival times divided by %.6g",
                                             tx->load_scale));
  if (tx->resubmit)
    take (b, g_strdup ("transform: TIMEOUT jobs resubmitted (id + 1000000000)"));
  if (tx->synth_limit != NULL)
    take (b, g_strdup_printf ("jobs without a requested time got one by rule %s",
                                             tx->synth_limit));
  return g_strv_builder_end (b);
}
