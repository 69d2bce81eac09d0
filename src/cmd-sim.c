/* SPDX-License-Identifier: MIT */
/* src/cmd-sim.c - `sluice sim`: replay a trace, write jobs.csv and summary.json, print the
 * summary. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "src/commands.h"
#include "src/runner.h"
#include "src/transform-opts.h"
#include "workloads/slurmparse.h"

static gboolean
parse_choice (const char *what, const char *value, const char *const *names, int *out,
              GError **error)
{
  for (int i = 0; names[i]; i++)
    if (strcmp (names[i], value) == 0)
      {
        *out = i;
        return TRUE;
      }
  g_autofree char *list = g_strjoinv (", ", (char **) names);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "%s: \"%s\" is not one of: %s", what, value, list);
  return FALSE;
}

int
cmd_sim (int argc, char **argv)
{
  RunConfig cfg;
  run_config_init (&cfg);
  g_autofree char *trace = NULL, *policy = NULL, *out = NULL, *tie = NULL, *pass = NULL,
                  *oversize = NULL;
  g_autofree char *cluster = NULL, *sched_params = NULL;
  g_autofree char *format = NULL, *columns = NULL;
  gint trace_gpn = 0;
  gint procs = 0, nodes = 0, cpn = 0, gpn = 0;
  gint64 mem = 0;
  gdouble tau = 10.0;
  g_autofree char *order = NULL, *estimate = NULL, *prio = NULL, *assoc = NULL;
  gint64 pass_period = 30;
  gboolean strict = FALSE, prefer_req = FALSE, keep_zero = FALSE, quiet = FALSE;
  gboolean swf_deps = FALSE;
  g_autofree char *preempt = NULL, *preempt_mode = NULL;
  gint64 grace = -1;
  GOptionEntry entries[] = {
    { "trace", 't', 0, G_OPTION_ARG_FILENAME, &trace, "Workload trace: SWF, CSV (GPU traces), sacct --parsable2 dump or JSON (docs/workload-json.md), maybe .gz", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Trace format: auto (default: from the name and first line), swf, csv, itp, philly, alibaba, helios, sacct or json", "NAME" },
    { "columns", 0, 0, G_OPTION_ARG_STRING, &columns, "CSV column map over the preset's (\"submit=submit_time,runtime=duration,gpus=gpu_num\")", "MAP" },
    { "trace-gpus-per-node", 0, 0, G_OPTION_ARG_INT, &trace_gpn, "GPU traces: a job of g GPUs takes ceil(g/G) nodes (default: --gpus-per-node with --nodes, else 8)", "G" },
    { "policy", 'p', 0, G_OPTION_ARG_STRING, &policy, "fcfs, easy (default), conservative or slurm", "NAME" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write jobs.csv and summary.json here", "DIR" },
    { "procs", 0, 0, G_OPTION_ARG_INT, &procs, "Processor pool of N 1-CPU nodes (default: the trace's MaxProcs)", "N" },
    { "nodes", 'N', 0, G_OPTION_ARG_INT, &nodes, "N identical nodes (with --cpus-per-node)", "N" },
    { "cpus-per-node", 'c', 0, G_OPTION_ARG_INT, &cpn, "CPUs per node (default 1)", "C" },
    { "mem-per-node", 0, 0, G_OPTION_ARG_INT64, &mem, "Memory per node in MB", "MB" },
    { "gpus-per-node", 0, 0, G_OPTION_ARG_INT, &gpn, "GPUs per node", "G" },
    { "cluster", 0, 0, G_OPTION_ARG_FILENAME, &cluster, "Nodes and partitions from a slurm.conf, instead of --procs/--nodes", "FILE" },
    { "sched-params", 0, 0, G_OPTION_ARG_STRING, &sched_params, "SchedulerParameters over the slurm.conf's (\"bf_window=60,bf_resolution=600\"), for the coming slurm policy: checked, not yet used", "LIST" },
    { "tie-order", 0, 0, G_OPTION_ARG_STRING, &tie, "Same-time events: completions-first (default) or arrivals-first", "ORDER" },
    { "pass", 0, 0, G_OPTION_ARG_STRING, &pass, "Scheduling passes: per-time (default), per-event or periodic", "MODE" },
    { "pass-period", 0, 0, G_OPTION_ARG_INT64, &pass_period, "Seconds between periodic passes (default 30)", "S" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &order, "Queue order: submit (default), sjf, ljf, smallest, largest, wfp3, unicef, f1, priority", "NAME" },
    { "priority-params", 0, 0, G_OPTION_ARG_STRING, &prio, "Multifactor priority settings over the slurm.conf's (\"PriorityWeightAge=1000,PriorityWeightFairshare=10000\")", "LIST" },
    { "assoc", 0, 0, G_OPTION_ARG_FILENAME, &assoc, "Accounts and users with fair-share shares, QOS (limits, Preempt lists) and association limits and QOS lists (sacctmgr show assoc|qos -P, or workloads/assoc.h's format)", "FILE" },
    { "estimate", 0, 0, G_OPTION_ARG_STRING, &estimate, "Run time the scheduler plans with: requested (default), perfect, factor:F, user-history", "MODE" },
    { "oversize", 0, 0, G_OPTION_ARG_STRING, &oversize, "Jobs larger than the machine: skip (default) or clip", "RULE" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "A malformed trace line is an error (default: skip and count it)", NULL },
    { "prefer-requested", 0, 0, G_OPTION_ARG_NONE, &prefer_req, "Job size from requested processors (field 8) first", NULL },
    { "keep-zero-runtime", 0, 0, G_OPTION_ARG_NONE, &keep_zero, "Keep jobs with run time -1 or 0 as 0-second jobs", NULL },
    { "swf-dependencies", 0, 0, G_OPTION_ARG_NONE, &swf_deps, "Submit an SWF job its think time (field 18) after its preceding job (field 17) ends, not at its logged submit time", NULL },
    { "preempt", 0, 0, G_OPTION_ARG_STRING, &preempt, "Preemption over slurm.conf's PreemptType: partition_prio (higher PriorityTier partitions preempt lower ones), qos (a QOS preempts the QOS of its Preempt list in the --assoc file; without any list, higher-priority QOS preempt lower ones) or none", "TYPE" },
    { "preempt-mode", 0, 0, G_OPTION_ARG_STRING, &preempt_mode, "What happens to preempted jobs, over slurm.conf's PreemptMode (global and per partition) and the QOS's: requeue (default) or cancel", "MODE" },
    { "grace-time", 0, 0, G_OPTION_ARG_INT64, &grace, "Seconds a preempted job keeps running before it is requeued or cancelled, over every partition's and QOS's GraceTime (default 0)", "S" },
    { "tau", 0, 0, G_OPTION_ARG_DOUBLE, &tau, "Bounded-slowdown threshold in seconds (default 10)", "S" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Do not print the summary table", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- replay a workload trace");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (TransformCli) tx = transform_cli_new ();
  transform_cli_add_entries (tx, ctx);
  g_option_context_set_description (ctx,
    "Replays TRACE on a modeled cluster under POLICY.  Outputs: DIR/jobs.csv (one row per\n"
    "job), DIR/summary.json (metrics), and the summary on stdout.  With --cluster\n"
    "slurm.conf the nodes and partitions come from the file, and trace jobs (N CPUs\n"
    "anywhere) run in its default partition.\n"
    "The transform options (--window ... --synth-limit, as for `sluice convert`) apply to\n"
    "the trace as it is read, in the order window, filter, first, limit model, load\n"
    "scaling, resubmission (workloads/transform.h); --target-load is the offered load on\n"
    "the simulated machine's CPUs.  Jobs they drop or change are counted in the summary\n"
    "(skipped: outside_window, filtered; adjusted: limit_modeled, submit_scaled,\n"
    "resubmitted, reqtime_synthesized), and what they did is said on stderr.\n"
    "Example: sluice sim --trace SDSC-SP2-1998-4.2-cln.swf.gz --policy easy --out run1\n");
  g_autoptr (GError) error = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    goto fail;
  if (argc > 1)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "unexpected argument \"%s\"", argv[1]);
      goto fail;
    }
  if (trace == NULL)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--trace FILE is required");
      goto fail;
    }
  if (procs < 0 || nodes < 0 || cpn < 0 || gpn < 0 || mem < 0 || tau <= 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--procs, --nodes, --cpus-per-node, --gpus-per-node, --mem-per-node must be >= 0 and --tau > 0");
      goto fail;
    }
  if (nodes == 0 && (cpn > 0 || gpn > 0 || mem > 0))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--cpus-per-node, --gpus-per-node and --mem-per-node describe the nodes of --nodes N; give --nodes too");
      goto fail;
    }
  if (procs > 0 && nodes > 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "give --procs or --nodes, not both");
      goto fail;
    }
  if (cluster && (procs > 0 || nodes > 0))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "give --cluster or --procs/--nodes, not both");
      goto fail;
    }
  if (sched_params)
    {
      g_autoptr (GError) perr = NULL;
      g_autoptr (WlParamList) params = wl_param_list_parse (sched_params, &perr);
      if (params == NULL || !wl_sched_params_check (params, &perr))
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--sched-params: %s",
                       perr->message);
          goto fail;
        }
    }
  static const char *const ties[] = { "completions-first", "arrivals-first", NULL };
  static const char *const passes[] = { "per-time", "per-event", "periodic", NULL };
  static const char *const oversizes[] = { "skip", "clip", NULL };
  int v;
  if (tie)
    {
      if (!parse_choice ("--tie-order", tie, ties, &v, &error))
        goto fail;
      cfg.sim.tie_order = v;
    }
  if (pass)
    {
      if (!parse_choice ("--pass", pass, passes, &v, &error))
        goto fail;
      cfg.sim.pass_mode = v;
    }
  if (oversize)
    {
      if (!parse_choice ("--oversize", oversize, oversizes, &v, &error))
        goto fail;
      cfg.sim.oversize = v;
    }
  if (!transform_cli_check (tx, &error))
    goto fail;
  if (trace_gpn < 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--trace-gpus-per-node must be >= 0");
      goto fail;
    }
  cfg.trace_path = trace;
  cfg.format = format;
  cfg.columns = columns;
  cfg.trace_gpus_per_node = (guint32) trace_gpn;
  if (pass_period <= 0 || pass_period > G_MAXINT32)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--pass-period must be > 0 seconds");
      goto fail;
    }
  cfg.sim.pass_period = pass_period;
  if (estimate)
    {
      static const char *const modes[] = { "requested", "perfect", "factor", "user-history", NULL };
      g_auto (GStrv) parts = g_strsplit (estimate, ":", 2);
      if (!parse_choice ("--estimate", parts[0], modes, &v, &error))
        goto fail;
      cfg.sim.estimate = v;
      if (v == SIM_ESTIMATE_FACTOR)
        {
          char *endp = NULL;
          double f = parts[1] ? g_ascii_strtod (parts[1], &endp) : 0;
          if (parts[1] == NULL || *endp != '\0' || !(f > 0) || f > 1e6)
            {
              g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--estimate factor:F needs a factor F > 0 (e.g. factor:2)");
              goto fail;
            }
          cfg.sim.estimate_factor = f;
        }
      else if (parts[1] != NULL)
        {
          g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--estimate %s takes no value", parts[0]);
          goto fail;
        }
    }
  cfg.order = order;
  cfg.priority_params = prio;
  cfg.assoc_path = assoc;
  cfg.policy = policy ? policy : "easy";
  cfg.out_dir = out;
  cfg.cluster_conf = cluster;
  cfg.sched_params = sched_params;
  cfg.procs = (guint32) procs;
  cfg.nodes = (guint32) nodes;
  cfg.cpus_per_node = (guint32) cpn;
  cfg.gpus_per_node = (guint32) gpn;
  cfg.mem_per_node_mb = (guint64) mem;
  cfg.tau_s = tau;
  cfg.swf.strict = strict;
  cfg.swf.prefer_requested = prefer_req;
  cfg.swf.keep_zero_runtime = keep_zero;
  cfg.sim.swf_dependencies = swf_deps;
  if (grace < -1 || grace > G_MAXINT32)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--grace-time must be >= 0 seconds");
      goto fail;
    }
  cfg.preempt = preempt;
  cfg.preempt_mode = preempt_mode;
  cfg.grace_time = grace;
  cfg.progress = isatty (STDERR_FILENO);
  cfg.transforms = tx;

  RunResult res;
  if (!run_simulation (&cfg, &res, &error))
    {
      g_printerr ("sluice sim: %s\n", error->message);
      return 1;
    }
  if (!quiet)
    {
      g_auto (GStrv) notes = transform_cli_describe (tx);
      for (guint i = 0; notes[i]; i++)
        g_printerr ("sluice sim: %s\n", notes[i]);
      ana_summary_print (stdout, &res.summary, &res.info);
      if (res.preempt != SIM_PREEMPT_NONE)
        printf ("preemption (%s): %" G_GUINT64_FORMAT " jobs preempted, %" G_GUINT64_FORMAT
                " requeued, %" G_GUINT64_FORMAT " cancelled\n",
                sim_preempt_type_name (res.preempt), res.preemptions, res.requeued,
                res.preempt_cancelled);
    }
  run_result_clear (&res);
  return 0;

fail:
  g_printerr ("sluice sim: %s\nRun 'sluice sim --help' for usage.\n", error->message);
  return 2;
}
