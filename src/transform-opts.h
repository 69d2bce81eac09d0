/* SPDX-License-Identifier: MIT */
/* src/transform-opts.h - the workload transform options shared by `sluice convert` and
 * `sluice sim` (--load-scale, --target-load, --window, --first, --filter, --limit-model,
 * --limit-seed, --resubmit-timeouts, --synth-limit), parsed into WlTransformOptions
 * (workloads/transform.h) and WlReaderOptions. */
#pragma once
#include <glib.h>
#include "workloads/open.h"
#include "workloads/transform.h"

G_BEGIN_DECLS

typedef struct _TransformCli TransformCli;

/* Returns (transfer full) an empty set of options. */
TransformCli *transform_cli_new (void);
void          transform_cli_free (TransformCli *tx);
/* Adds the transform options to the main group of `ctx` (so that --help lists them); they
 * write into `tx`, which must outlive the parse. */
void          transform_cli_add_entries (TransformCli *tx, GOptionContext *ctx);
/* Checks the values parsed (filter, limit model, synth-limit, numbers).  FALSE with `error`
 * set (G_OPTION_ERROR_BAD_VALUE) naming the option. */
gboolean      transform_cli_check (TransformCli *tx, GError **error);
/* Applies --synth-limit to reader options. */
void          transform_cli_reader_options (const TransformCli *tx, WlReaderOptions *ro);
/* Computes what needs the trace itself: the window's dates (against the trace's
 * UnixStartTime) and, for --target-load, the load scale, with a first pass over
 * `path` (read in `format` with `ro`) on `capacity_cpus` CPUs (0: the trace's MaxProcs,
 * else an error saying to give the machine size).  Call once before transform_cli_wrap.
 * FALSE with `error` set. */
gboolean      transform_cli_prepare (TransformCli *tx, const char *path, const char *format,
                                     const WlReaderOptions *ro, guint64 capacity_cpus,
                                     GError **error);
/* Returns (transfer full) `r` (taken) behind the transforms, or `r` itself when there are
 * none.  NULL with `error` set when transform_cli_prepare was needed and not called. */
WlReader     *transform_cli_wrap (TransformCli *tx, WlReader *r, GError **error);
/* Returns (transfer full) one line per transform in effect, for the SWF header's notes
 * (NULL-terminated; empty when none). */
GStrv         transform_cli_describe (const TransformCli *tx);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TransformCli, transform_cli_free)

G_END_DECLS
