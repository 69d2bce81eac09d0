/* SPDX-License-Identifier: MIT */
/* workloads/transform.h - transforms on any workload, as a reader that wraps a reader.
 *
 * wl_transform_reader_new puts one WlReader in front of another; it streams (O(1) memory,
 * plus the TIMEOUT copies waiting for their submit time) and composes with itself.  Per
 * job, in this order:
 *  1. window: a job submitted outside [window_start, window_end) is skipped
 *     (outside_window).  Bounds are on the trace's clock (wl_transform_parse_time reads
 *     seconds or dates).
 *  2. filter: a job that does not match every key of the filter is skipped (filtered).
 *     Keys (wl_transform_parse_filter, "key=value,key=value"; a value may list
 *     alternatives with '|'):
 *       user=3|alice   the user number, or its name (JSON traces)
 *       group=7        the group number or name
 *       partition=gpu  the partition name (JSON traces) or index; "default" = none given
 *       state=completed|timeout   the end state in the trace (any case)
 *       min-procs=4 max-procs=64  CPUs of the job (tasks x CPUs per task), bounds included
 *       min-gpus=1 max-gpus=8     GPUs of the job (per node x nodes)
 *       min-runtime=60 max-runtime=86400   run time, seconds
 *  3. first: once `first` jobs have been passed on, the trace ends (0: no bound).
 *  4. limit model: the requested time is replaced (limit_modeled):
 *       exact      the run time (at least 1 s): perfect user estimates
 *       factor:F   ceil(run time x F), at least 1 s
 *       tsafrir    a "modal" estimate after Tsafrir, Etsion and Feitelson, "Modeling user
 *                  runtime estimates" (JSSPP 2005): users pick a few popular round values
 *                  (20 values from 5 min to 48 h cover ~90% of jobs) and the maximum is
 *                  the most popular.  Each job draws from those values that are >= its
 *                  run time, with the weights of transform.c (the 48 h maximum holds 20%,
 *                  1 h 12%...); a job longer than 48 h gets its run time.  A streaming
 *                  form of the paper's model, which assigns values over the whole trace;
 *                  seeded (limit_seed) with gsl's mt19937, so runs repeat.
 *  5. load scaling: submit' = s0 + round((submit - s0) / load_scale), s0 = the first kept
 *     job's submit: inter-arrival times are divided by load_scale, so the offered load is
 *     multiplied by it (submit_scaled, when the time moved).  wl_transform_offered_load
 *     gives the factor for a target load.
 *  6. TIMEOUT resubmission (resubmit_timeouts): a job that ended TIMEOUT in the trace is
 *     passed on, then submitted again, as users resubmit jobs killed at their limit: the
 *     same request at submit + run time (its end had it started at once), with the same
 *     run time, COMPLETED, and the id + resubmit_id_offset (default 1,000,000,000), counted
 *     read, kept and resubmitted.  Copies are passed on in submit order among the jobs.
 * Counts: the wrapper's counts are the inner reader's plus its own (a skipped job counts in
 * one skip reason instead of kept), so read = kept + skipped still holds.  info is a copy
 * of the inner reader's. */
#pragma once
#include "workloads/trace.h"

G_BEGIN_DECLS

typedef enum {
  WL_LIMIT_MODEL_NONE = 0,
  WL_LIMIT_MODEL_EXACT,
  WL_LIMIT_MODEL_FACTOR,
  WL_LIMIT_MODEL_TSAFRIR,
} WlLimitModel;

typedef struct _WlFilter WlFilter;

typedef struct {
  SchedTime    window_start;      /* SCHED_TIME_NEVER: open */
  SchedTime    window_end;        /* SCHED_TIME_NEVER: open */
  const WlFilter *filter;         /* (transfer none, must outlive the reader) or NULL */
  guint64      first;             /* 0: all */
  WlLimitModel limit_model;
  double       limit_factor;      /* WL_LIMIT_MODEL_FACTOR, > 0 */
  guint64      limit_seed;        /* WL_LIMIT_MODEL_TSAFRIR */
  double       load_scale;        /* 1: none; > 0 */
  gboolean     resubmit_timeouts;
  guint32      resubmit_id_offset;
} WlTransformOptions;

/* No transform: open window, no filter, no bound, no model, scale 1, no resubmission,
 * id offset 1,000,000,000. */
void wl_transform_options_init (WlTransformOptions *opts);

/* TRUE when `opts` changes nothing (the caller may skip the wrapper). */
gboolean wl_transform_options_is_identity (const WlTransformOptions *opts);

/* Returns (transfer full) a reader passing on `inner`'s jobs (takes `inner`) transformed
 * by `opts` (copied).  Bad options (load_scale <= 0, a factor model without a factor > 0)
 * are a programming error: NULL. */
WlReader *wl_transform_reader_new (WlReader *inner, const WlTransformOptions *opts);

/* Parses a filter (see above).  Returns (transfer full) or NULL with `error` set
 * (WL_ERROR_MALFORMED "filter: key \"x\": expected ..."). */
WlFilter *wl_filter_parse (const char *text, GError **error);
void      wl_filter_free (WlFilter *f);
/* TRUE when `job` matches every key of `f`. */
gboolean  wl_filter_match (const WlFilter *f, const WlJob *job);

/* Parses "exact", "factor:F" or "tsafrir" into opts' limit_model (and limit_factor).
 * FALSE with `error` set (WL_ERROR_MALFORMED) otherwise. */
gboolean wl_limit_model_parse (const char *text, WlTransformOptions *opts, GError **error);

/* A window bound: a number of seconds on the trace's clock, or a date (ISO 8601, as
 * wl_parse_time reads it: UTC unless it names a zone), which is Unix time minus
 * `unix_start` when that is >= 0 (an SWF trace counts from its UnixStartTime).  FALSE with
 * `error` set for anything else. */
gboolean wl_transform_parse_time (const char *text, gint64 unix_start, SchedTime *out,
                                  GError **error);
/* Parses "START:END" (either may be empty: open), each as wl_transform_parse_time; dates
 * hold ':' themselves, so the separator is the ':' that leaves two valid bounds.  FALSE
 * with `error` set otherwise or when END <= START. */
gboolean wl_transform_parse_window (const char *text, gint64 unix_start,
                                    WlTransformOptions *opts, GError **error);

/* Reads `r` to its end (transfer none; it is spent afterwards) and returns the offered load
 * of its jobs on `capacity_cpus` CPUs: sum of CPUs x min(run time, limit) / (capacity x
 * (last submit - first submit)); 0 for fewer than two distinct submit times.  FALSE with
 * `error` set when the reader fails. */
gboolean wl_transform_offered_load (WlReader *r, guint64 capacity_cpus, double *load,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WlFilter, wl_filter_free)

G_END_DECLS
