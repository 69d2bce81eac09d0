/* SPDX-License-Identifier: MIT */
/* analysis/metrics.h - per-run job metrics: wait, response, slowdown, bounded slowdown,
 * utilization, makespan.
 *
 * An AnaMetrics accumulates SchedJobRecords one at a time (in any order) and summarizes them
 * into an AnaSummary.  Definitions (for a job that ran; jobs that never started count in
 * `jobs` only):
 *   wait = start - submit;  response = end - submit;  run = end - start;
 *   slowdown = response / run  (run = 0: response / 1 s; a 0 s job that waited 0 s has 1);
 *   bounded slowdown = max (1, response / max (run, tau))  (Feitelson; tau = 10 s default);
 *   makespan = last end - first submit;
 *   utilization = sum (cpus * run) / (capacity_cpus * makespan).
 * Percentiles are exact (gsl_stats_quantile_from_sorted_data over the sorted values), so the
 * accumulator keeps 4 doubles per job. */
#pragma once
#include <glib.h>
#include "sched/types.h"

G_BEGIN_DECLS

typedef struct _AnaMetrics AnaMetrics;

typedef struct {
  double mean, p50, p95, max;
} AnaStat;

typedef struct {
  guint64   jobs;            /* records added */
  guint64   jobs_started;    /* of which started */
  SchedTime first_submit;
  SchedTime last_end;
  SchedTime makespan_s;
  double    utilization;     /* 0..1 */
  double    cpu_seconds;     /* sum cpus * run */
  AnaStat   wait_s, response_s, slowdown, bounded_slowdown;
  double    tau_s;
  guint64   by_state[SCHED_JOB_N_STATES];
} AnaSummary;

/* Returns (transfer full) an accumulator for a machine of `capacity_cpus` CPUs with bounded
 * slowdown threshold `tau_s` (> 0). */
AnaMetrics *ana_metrics_new (guint64 capacity_cpus, double tau_s);
void        ana_metrics_free (AnaMetrics *m);
void        ana_metrics_add (AnaMetrics *m, const SchedJobRecord *rec);
/* Fills `out` with the summary of what was added so far (may be called more than once; it
 * sorts the accumulated values in place).  With nothing added, or nothing that ran, every
 * statistic is 0 (never NaN); first_submit and last_end are 0 when there is none. */
void        ana_metrics_summarize (AnaMetrics *m, AnaSummary *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AnaMetrics, ana_metrics_free)

G_END_DECLS
