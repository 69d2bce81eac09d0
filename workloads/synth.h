/* SPDX-License-Identifier: MIT */
/* workloads/synth.h - seeded workload generators besides Lublin-Feitelson (lublin.h):
 * Downey's model, a Poisson process with a daily cycle, and a GPU job mix.
 *
 * Every generator is a streaming WlReader (O(1) memory) drawing from one gsl mt19937
 * stream seeded with the seed folded to 32 bits, in a fixed order per job, so a seed gives
 * the same jobs on every machine with the same GSL.  Jobs: ids 1..n_jobs, the first
 * submitted at 0, submits non-decreasing, run time >= 1 s, COMPLETED, users 1..n_users
 * drawn with Zipf weights 1/k, group = user.  The requested time is the run time rounded
 * up by WL_LIMIT_ROUND_UP (5, 10, 15, 30 min, 1, 2, 4, 8, 12, 24, 48, 72 h, 7 d, days).
 *
 * Models:
 *  - WL_SYNTH_DOWNEY: A. B. Downey, "A parallel workload model and its implications for
 *    processor allocation", HPDC 1997.  The cumulative distributions of run time and of
 *    parallelism are uniform in log space: ln(run time) ~ U(ln rt_min, ln rt_max) and
 *    ln(size) ~ U(0, ln nodes) (size rounded to the nearest integer, 1..nodes); arrivals
 *    Poisson (no daily cycle), with the mean inter-arrival that gives the offered load
 *    `load`: E[size] E[run time] / (load x nodes), with E[X] = (b - a) / ln(b / a) for X
 *    log-uniform on [a, b].
 *  - WL_SYNTH_POISSON: arrivals of a non-homogeneous Poisson process of mean rate
 *    1 / interarrival (or the rate that gives `load`) times a daily profile c(t) of mean 1:
 *    c(t) = 1 + amplitude x cos(2 pi (t - peak_hour h) / 1 day), or the 24 hourly relative
 *    rates of `hourly` (normalized to mean 1); drawn by thinning (Lewis and Shedler 1979):
 *    candidates at rate max c x mean rate, each kept with probability c(t) / max c.  Sizes
 *    and run times from `size_dist` and `runtime_dist` (WlDist), rounded to whole numbers,
 *    sizes clipped to 1..nodes and run times to >= 1.
 *  - WL_SYNTH_GPU_MIX: arrivals as POISSON; a job is a GPU job with probability
 *    gpu_fraction, asking for g GPUs from {1, 2, 4, 8} with `gpu_weights`, laid out on nodes
 *    of gpus_per_node GPUs (wl_gpu_layout: ceil(g / G) nodes of ceil(g / nodes)), with
 *    cpus_per_gpu CPUs and mem_per_gpu_mb MB per GPU on each node (one task per node);
 *    other jobs are CPU jobs of `size_dist` CPUs on one node (at most the node's CPUs) with
 *    no memory request.  Run times from `runtime_dist`.  The machine (info): `nodes` nodes
 *    of gpus_per_node GPUs, gpus_per_node x cpus_per_gpu CPUs and gpus_per_node x
 *    mem_per_gpu_mb MB.  SWF cannot hold GPUs: write it as JSON (docs/workload-json.md).
 * `load` (when > 0) sets the mean rate from the model's mean demand: for POISSON
 * E[size] E[run time] / (load x nodes) with the distributions' means (sizes before
 * rounding and clipping: an approximation the tests bound), for GPU_MIX the same on GPUs
 * (GPU jobs only). */
#pragma once
#include "workloads/trace.h"

G_BEGIN_DECLS

typedef enum {
  WL_SYNTH_DOWNEY = 0,
  WL_SYNTH_POISSON,
  WL_SYNTH_GPU_MIX,
} WlSynthModel;

typedef enum {
  WL_DIST_EXPONENTIAL = 0,   /* a = mean */
  WL_DIST_LOGNORMAL,         /* a = mu, b = sigma of ln X */
  WL_DIST_UNIFORM,           /* on [a, b] */
  WL_DIST_LOGUNIFORM,        /* ln X uniform on [ln a, ln b] */
} WlDistKind;

typedef struct {
  WlDistKind kind;
  double     a, b;
} WlDist;

/* Parses "exponential:MEAN", "lognormal:MU,SIGMA", "uniform:A,B", "loguniform:A,B"
 * (parameters > 0 where they must be; A < B).  FALSE with `error` set (WL_ERROR_MALFORMED
 * "<what>: expected ...") otherwise. */
gboolean wl_dist_parse (const char *text, const char *what, WlDist *out, GError **error);
/* The distribution's mean. */
double   wl_dist_mean (const WlDist *d);

typedef struct {
  WlSynthModel model;
  guint64  seed;
  guint64  n_jobs;           /* >= 1 */
  guint32  nodes;            /* >= 1: processors (DOWNEY, POISSON) or GPU nodes (GPU_MIX) */
  guint32  n_users;          /* >= 1 (default 64) */
  double   load;             /* > 0: the rate gives this offered load; 0: interarrival */
  double   interarrival;     /* mean seconds between arrivals when load is 0 (> 0) */
  /* DOWNEY */
  double   rt_min, rt_max;   /* run time bounds, seconds (60, 86400) */
  /* POISSON and GPU_MIX */
  double   amplitude;        /* 0 .. 1 (0.5) */
  double   peak_hour;        /* 0 .. 24 (14) */
  double   hourly[24];       /* relative rates; all 0 = use the sinusoid */
  WlDist   size_dist;        /* lognormal:1.5,1.2 */
  WlDist   runtime_dist;     /* lognormal:7,1.5 (median about 18 min) */
  /* GPU_MIX */
  double   gpu_fraction;     /* 0 .. 1 (0.7) */
  double   gpu_weights[4];   /* for 1, 2, 4, 8 GPUs (0.5, 0.2, 0.15, 0.15) */
  guint32  gpus_per_node;    /* 8 */
  guint32  cpus_per_gpu;     /* 8 */
  guint64  mem_per_gpu_mb;   /* 65536 */
} WlSynthOptions;

/* Sets the defaults above for `model`: seed 1, 10,000 jobs, 128 nodes, load 0.7. */
void wl_synth_options_init (WlSynthOptions *opts, WlSynthModel model);

/* "downey", "poisson", "gpu-mix". */
const char *wl_synth_model_name (WlSynthModel model);
gboolean    wl_synth_model_from_name (const char *name, WlSynthModel *out);

/* Checks `opts`.  FALSE with `error` set (WL_ERROR_MALFORMED naming the option). */
gboolean wl_synth_options_check (const WlSynthOptions *opts, GError **error);

/* Returns (transfer full) a generator, or NULL with `error` set when wl_synth_options_check
 * fails.  info.header_lines name the model and its options; max_procs (and for GPU_MIX the
 * node shape) describe the machine.  The reader never fails afterwards. */
WlReader *wl_synth_reader_new (const WlSynthOptions *opts, GError **error);

/* The mean rate (arrivals per second) the generator uses. */
double wl_synth_mean_rate (const WlSynthOptions *opts);

G_END_DECLS
