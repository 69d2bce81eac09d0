/* SPDX-License-Identifier: MIT */
/* analysis/report.h - run outputs: jobs.csv rows, summary.json, the summary table and the
 * comparison table across runs.
 *
 * jobs.csv columns (header row first; seconds as integers; start/end empty for a job that
 * never started):  id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime
 * and, in runs with preemption only (ana_jobs_csv_*_preempt), two more at the end:
 * preempted (1 when a preemption ended the job, CANCELLED), requeues (times it was
 * preempted and requeued; start, end and runtime are then its last run's).
 * summary.json: one object, keys in this order: "policy", "trace", "jobs", "skipped"
 * (object reason -> count), "adjusted" (object reason -> count), "makespan_s",
 * "utilization", "wait_s", "response_s", "slowdown", "bounded_slowdown" (each
 * {"mean","p50","p95","max"}), "tau_s", "states" (object STATE -> count) and "sim"
 * ({"wall_s","jobs_per_s","speedup","peak_rss_kb","events","passes"}). */
#pragma once
#include <stdio.h>
#include <jansson.h>
#include "sched/types.h"
#include "analysis/metrics.h"

G_BEGIN_DECLS

/* Run facts that are not metrics of the schedule. */
typedef struct {
  const char *policy;          /* (transfer none) */
  const char *trace;           /* (transfer none) trace name */
  double      wall_s;
  double      speedup;         /* simulated span / wall time */
  guint64     peak_rss_kb;
  guint64     events;
  guint64     passes;
  const char *const *skip_names;   /* n_skip names, (transfer none) */
  const guint64     *skip_counts;
  guint              n_skip;
  const char *const *adjust_names;
  const guint64     *adjust_counts;
  guint              n_adjust;
} AnaRunInfo;

/* Writes the jobs.csv header line / one record line to `f`.  Fast (no allocation, one fwrite
 * per line).  A time column holding SCHED_TIME_NEVER is empty: start, end and wait of a job
 * that never started, end of one still running, time_limit when there is none. */
void ana_jobs_csv_header (FILE *f);
void ana_jobs_csv_row (FILE *f, const SchedJobRecord *rec);
/* As above, with the columns preempted and requeues at the end (runs with preemption). */
void ana_jobs_csv_header_preempt (FILE *f);
void ana_jobs_csv_row_preempt (FILE *f, const SchedJobRecord *rec);

/* Flags for json_dump* of the summary (OR in JSON_INDENT (n) as wanted).  jansson keeps
 * insertion order by itself (JSON_PRESERVE_ORDER is a no-op since 2.8, kept for older ones),
 * but prints reals with 17 significant digits by default (0.1 as 0.10000000000000001);
 * 15 digits print the rounded values exactly as rounded. */
#define ANA_JSON_DUMP_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION (15))

/* Returns (transfer full) the summary object described above.  `run` may be NULL (policy and
 * trace null, no skip/adjust counts, sim figures 0).  Reals are rounded: utilization to 6
 * decimals, statistics, tau_s and wall_s to 3, jobs_per_s and speedup to 1; a value that is
 * not finite (jobs_per_s when wall_s is 0) is null. */
json_t *ana_summary_to_json (const AnaSummary *s, const AnaRunInfo *run);

/* Prints the summary as a readable table (`run` may be NULL). */
void ana_summary_print (FILE *f, const AnaSummary *s, const AnaRunInfo *run);

/* Prints one row per run, side by side: policy, jobs, utilization, mean/p95 wait, mean/p95
 * bounded slowdown, makespan (s), jobs/s ("-" without a wall time).  `runs` or an entry of it
 * may be NULL. */
void ana_compare_print (FILE *f, const AnaSummary *const *s, const AnaRunInfo *const *runs,
                        guint n);

G_END_DECLS
