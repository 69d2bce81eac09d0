/* SPDX-License-Identifier: MIT */
/* src/runner.h - one simulation run with its outputs, shared by `sluice sim` and `demo`. */
#pragma once
#include "sched/cluster.h"
#include "sim/engine.h"
#include "analysis/metrics.h"
#include "analysis/report.h"
#include "workloads/swf.h"
#include "workloads/open.h"
#include "src/transform-opts.h"

G_BEGIN_DECLS

typedef struct {
  const char   *trace_path;     /* trace file: SWF, CSV or sacct dump (see format) */
  WlSwfOptions  swf;
  const char   *format;         /* trace format (workloads/open.h); NULL = guessed */
  const char   *columns;        /* CSV column map over the preset's (csvtrace.h), or NULL */
  guint32       trace_gpus_per_node; /* GPU traces: g GPUs take ceil(g/G) nodes; 0 = the
                                      * cluster's --gpus-per-node, else 8 */
  /* cluster: procs > 0 -> procs nodes of 1 CPU; else nodes x cpus_per_node; all 0 -> the
   * machine list or scanned machine of a CSV/sacct trace (workloads/open.h), else the
   * trace's MaxProcs (or MaxNodes) */
  guint32       procs;
  guint32       nodes;
  guint32       cpus_per_node;
  guint64       mem_per_node_mb;
  guint32       gpus_per_node;
  const char   *cluster_conf;   /* slurm.conf: nodes and partitions instead of the above */
  const char   *sched_params;   /* SchedulerParameters over the conf's (checked; for the
                                 * slurm policy), NULL if none */
  const char   *policy;
  const char   *order;          /* queue order name, NULL: submit */
  const char   *priority_params; /* "PriorityWeightAge=1000,..." over slurm.conf's */
  const char   *assoc_path;     /* accounts and users with shares (workloads/assoc.h) */
  gboolean      quiet_params;   /* no warning for SchedulerParameters sluice ignores */
  /* preemption (sim/preempt.c): slurm.conf's PreemptType, PreemptMode (global and per
   * partition), PreemptExemptTime and partition GraceTime, with these overrides */
  const char   *preempt;        /* --preempt: partition_prio, qos or none; NULL: the conf's */
  const char   *preempt_mode;   /* --preempt-mode: requeue or cancel, for every partition;
                                 * NULL: the conf's */
  SchedTime     grace_time;     /* --grace-time seconds for every partition; < 0: the conf's */
  SimOptions    sim;
  double        tau_s;
  TransformCli *transforms;     /* (transfer none) or NULL: workload transforms, checked
                                 * (transform_cli_check); run_simulation applies their
                                 * --synth-limit to the reader, prepares them on the cluster
                                 * built (--target-load: its CPUs) and reads the trace
                                 * through them */
  const char   *out_dir;        /* NULL: no files */
  gboolean      progress;       /* progress line on stderr */
} RunConfig;

typedef struct {
  AnaSummary summary;
  AnaRunInfo info;
  WlCounts   counts;
  guint64    capacity_cpus;
  guint64    never_started;   /* jobs left pending at the end (SimStats) */
  guint64    never_started_by_reason[SCHED_REASON_N];  /* ... by their pending reason */
  SimPreemptType preempt;     /* the preemption type in effect */
  guint64    preemptions;     /* SimStats: jobs preempted, requeued, cancelled */
  guint64    requeued;
  guint64    preempt_cancelled;
  /* storage behind info's pointers */
  char      *policy;
  char      *trace;
  const char *skip_names[WL_SKIP_N];
  const char *adjust_names[WL_ADJ_N];
} RunResult;

void run_config_init (RunConfig *cfg);

/* Replays cfg->trace_path under cfg->policy; writes jobs.csv and summary.json into
 * cfg->out_dir (created if needed) when set.  Returns FALSE with `error` set on a bad trace,
 * option or output directory. */
gboolean run_simulation (const RunConfig *cfg, RunResult *res, GError **error);
void     run_result_clear (RunResult *res);

/* Current peak resident set size of this process, in KiB. */
guint64 run_peak_rss_kb (void);

G_END_DECLS
