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
  guint64  seed;
  guint64  n_jobs;      /* jobs to generate */
  guint32  nodes;       /* machine size (processors); sizes are <= nodes */
  double   load_scale;  /* interarrival times divided by this (1.0 = model) */
} WlLublinOptions;

void wl_lublin_options_init (WlLublinOptions *opts);

/* Returns (transfer full) a reader generating the model's jobs; info.max_procs = nodes. */
WlReader *wl_lublin_reader_new (const WlLublinOptions *opts);

G_END_DECLS
