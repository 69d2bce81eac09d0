/* SPDX-License-Identifier: MIT */
/* src/cmd-demo.c - `sluice demo`: the main job on an embedded default.  Generates a
 * Lublin-Feitelson workload, replays it under fcfs, easy and conservative, writes each run's
 * outputs into DIR/<policy>/ and prints a comparison table. */
#include <errno.h>
#include <stdio.h>

#include "src/commands.h"
#include "src/gen.h"
#include "src/runner.h"

int
cmd_demo (int argc, char **argv)
{
  g_autofree char *out = NULL;
  gint64 jobs = 20000, seed = 1;
  gint nodes = 256;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Output folder (default: sluice-demo)", "DIR" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT64, &jobs, "Jobs to generate (default 20000)", "N" },
    { "nodes", 'N', 0, G_OPTION_ARG_INT, &nodes, "Machine size in processors (default 256)", "P" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Random seed (default 1)", "S" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- compare fcfs, easy and conservative on a generated workload");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      g_printerr ("sluice demo: %s\n", error->message);
      return 2;
    }
  if (jobs <= 0 || nodes <= 0 || seed < 0)
    {
      g_printerr ("sluice demo: --jobs and --nodes must be > 0 and --seed >= 0\n");
      return 2;
    }
  const char *dir = out ? out : "sluice-demo";
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_printerr ("sluice demo: cannot create %s: %s\n", dir, g_strerror (errno));
      return 1;
    }
  WlLublinOptions lo;
  wl_lublin_options_init (&lo);
  lo.n_jobs = (guint64) jobs;
  lo.nodes = (guint32) nodes;
  lo.seed = (guint64) seed;
  g_autofree char *trace = g_build_filename (dir, "workload.swf", NULL);
  if (!gen_write_swf (&lo, trace, &error))
    {
      g_printerr ("sluice demo: %s\n", error->message);
      return 1;
    }
  printf ("sluice demo: %" G_GINT64_FORMAT " jobs from the Lublin-Feitelson model (seed %"
          G_GINT64_FORMAT ") on %d processors -> %s\n\n", jobs, seed, nodes, trace);

  static const char *const policies[] = { "fcfs", "easy", "conservative" };
  RunResult res[G_N_ELEMENTS (policies)];
  const AnaSummary *sums[G_N_ELEMENTS (policies)];
  const AnaRunInfo *infos[G_N_ELEMENTS (policies)];
  for (gsize i = 0; i < G_N_ELEMENTS (policies); i++)
    {
      RunConfig cfg;
      run_config_init (&cfg);
      cfg.trace_path = trace;
      cfg.policy = policies[i];
      g_autofree char *sub = g_build_filename (dir, policies[i], NULL);
      cfg.out_dir = sub;
      if (!run_simulation (&cfg, &res[i], &error))
        {
          g_printerr ("sluice demo: %s: %s\n", policies[i], error->message);
          return 1;
        }
      sums[i] = &res[i].summary;
      infos[i] = &res[i].info;
    }
  ana_compare_print (stdout, sums, infos, G_N_ELEMENTS (policies));
  printf ("\nPer-run outputs: %s/<policy>/jobs.csv and summary.json\n", dir);
  for (gsize i = 0; i < G_N_ELEMENTS (policies); i++)
    run_result_clear (&res[i]);
  return 0;
}
