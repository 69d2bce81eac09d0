/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-reader-opts.h - the two WlReaderOptions configurations the tabular harnesses
 * (CSV, sacct, JSON) run every input under: the defaults, and the other side of each
 * switch (strict, zero run times kept, a tiny sort window, a factor limit rule, a
 * time zone with DST, names resolved).  Only fuzz/ includes this. */
#pragma once
#include "fuzz/fuzz-common.h"
#include "workloads/rows.h"

static inline gint64
fuzz_resolve (WlNameKind kind, const char *name, gpointer user_data)
{
  (void) user_data;
  guint h = g_str_hash (name);
  return kind == WL_NAME_PARTITION ? (gint64) (h % 3) - 1 : (gint64) (h % 4);
}

/* Sets `opts` to configuration `which` (0: defaults, 1: the other sides), warnings
 * silenced.  `columns` (transfer none, may be NULL) is the CSV column map. */
static inline void
fuzz_reader_options (WlReaderOptions *opts, guint which, const char *columns)
{
  wl_reader_options_init (opts);
  opts->warn_func = fuzz_warn_quiet;
  opts->columns = columns;
  if (which == 0)
    return;
  opts->strict = TRUE;
  opts->keep_zero_runtime = TRUE;
  opts->gpus_per_node = 3;
  opts->sort_window = 2;
  opts->limit_rule = WL_LIMIT_FACTOR;
  opts->limit_factor = 1.5;
  opts->time_zone = "Europe/Berlin";
  opts->resolve = fuzz_resolve;
}
