/* SPDX-License-Identifier: MIT */
/* src/gen.h - writing a generated workload to SWF (shared by `gen` and `demo`). */
#pragma once
#include "workloads/lublin.h"

/* Writes the Lublin model's jobs for `lo` to `path` ("-" or NULL: stdout) as SWF. */
gboolean gen_write_swf (const WlLublinOptions *lo, const char *path, GError **error);
