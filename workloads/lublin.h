/* SPDX-License-Identifier: MIT */
/* workloads/lublin.h - the Lublin-Feitelson (2003) workload model as a trace reader.
 *
 * U. Lublin and D. G. Feitelson, "The workload on parallel supercomputers: modeling the
 * characteristics of rigid jobs", J. Parallel Distrib. Comput. 63(11), 2003.  Generates
 * jobs with the model's published parameters (batch jobs: size, runtime, arrivals with the
 * daily cycle) from a seed, streaming: memory O(1).  Requested times are derived from the
 * runtime by a documented estimate model so that backfilling has something to plan with. */
#pragma once
#include "workloads/trace.h"

G_BEGIN_DECLS

typedef struct {
  guint64  seed;        /* folded to 32 bits for the generator (seed ^ seed >> 32) */
  guint64  n_jobs;      /* jobs to generate */
  guint32  nodes;       /* machine size (processors), >= 1; sizes are <= nodes */
  double   load_scale;  /* interarrival times divided by this (1.0 = model), 1e-3 .. 1e6 */
} WlLublinOptions;

/* Sets the defaults: seed 1, 10,000 jobs, 128 nodes (the model's machine), load scale 1. */
void wl_lublin_options_init (WlLublinOptions *opts);

/* Returns (transfer full) a reader generating the model's jobs (see lublin.c for the model
 * and its parameters): ids 1..n_jobs, the first submitted at 0, submits non-decreasing,
 * runtime >= 1, runtime <= time_limit, user ids 1..64, end_state COMPLETED, line 0.
 * info.max_procs = info.max_nodes = nodes; info.header_lines (';' lines) name the model and
 * the options.  `opts` NULL means the defaults; it is copied.  Options out of range are a
 * programming error: returns NULL (g_return_val_if_fail).  The reader never fails. */
WlReader *wl_lublin_reader_new (const WlLublinOptions *opts);

G_END_DECLS
