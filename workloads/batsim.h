/* SPDX-License-Identifier: MIT */
/* workloads/batsim.h - Batsim workload JSON import (format name "batsim").
 *
 * A Batsim workload is one JSON document:
 *   {"nb_res": 4,
 *    "jobs": [{"id": 1, "subtime": 0, "walltime": 100, "res": 4, "profile": "d10"}, ...],
 *    "profiles": {"d10": {"type": "delay", "delay": 10}, ...}}
 * Each job becomes: id (an integer >= 1, a string of digits, or Batsim's "workload!N"
 * whose N is used; anything else gives the job's position, 1-based), submit = subtime
 * (seconds >= 0, rounded), tasks = res one-CPU tasks (as SWF's processors), time limit =
 * walltime (rounded up; -1, null or absent: made up from the run time by opts->limit_rule,
 * counted reqtime_*), run time = the "delay" of its profile when that profile's type is
 * "delay" (rounded to the nearest second; 0 is a no_runtime skip unless keep_zero_runtime).
 * "user" (a number or a name) is used when present.  nb_res goes to info.max_procs.
 *
 * Counting, as the other readers: each job counts once in read, then in kept or one skip:
 *  - malformed: a field of the wrong type or range ("file: jobs[12].subtime: expected a
 *    number >= 0, got \"x\""; strict: that error, else a warning, the first max_warnings),
 *    or a profile name not in "profiles" ("file: jobs[3].profile: no profile \"p\" in
 *    \"profiles\"");
 *  - unsupported: its profile is of another type (parallel, parallel_homogeneous,
 *    composed, ...), whose run time depends on a platform model sluice does not have: one
 *    warning per profile name ("file: profiles.p1.type: \"parallel\" ...");
 *  - no_runtime: a delay of 0.
 * A walltime below the delay is kept: the job ends TIMEOUT at its limit in a replay, as
 * Batsim would kill it.  Jobs come out sorted by submit time (stable: file order for equal
 * times).  Structural errors (not JSON, no "jobs" array, "profiles" not an object, a job
 * that is not an object) are always errors, with the line jansson reports.
 *
 * Not streaming: a Batsim workload is one document whose "profiles" may come after the
 * jobs, so the file is loaded whole, with jansson, up to WL_BATSIM_MAX_BYTES (256 MiB,
 * about two million jobs); a larger file is refused with a clear error (convert it with
 * `sluice convert --to json` on a larger machine, or split it).  Memory: the document
 * plus one WlJob per job. */
#pragma once
#include <gio/gio.h>
#include "workloads/rows.h"

G_BEGIN_DECLS

#define WL_BATSIM_MAX_BYTES (256 * 1024 * 1024)

/* Returns (transfer full) a reader of the whole document in `in` (takes a reference; read
 * at once), or NULL with `error` set: WL_ERROR_IO; WL_ERROR_MALFORMED for invalid JSON or
 * a bad structure ("name:line: ..."), or a malformed job in strict mode;
 * WL_ERROR_UNSUPPORTED for a document larger than WL_BATSIM_MAX_BYTES.  Uses strict,
 * max_warnings, warn_func/data, keep_zero_runtime, limit_rule and limit_factor. */
WlReader *wl_batsim_reader_new (GInputStream *in, const char *name, const WlReaderOptions *opts,
                                GError **error);
WlReader *wl_batsim_reader_open (const char *path, const WlReaderOptions *opts, GError **error);

/* TRUE when `head` (the first bytes of a file) looks like a Batsim workload: JSON that
 * names a "subtime" key, and "res" or "profiles". */
gboolean wl_batsim_looks_like (const char *head, gsize len);

G_END_DECLS
