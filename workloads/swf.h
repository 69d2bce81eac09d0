/* SPDX-License-Identifier: MIT */
/* workloads/swf.h - Standard Workload Format (Parallel Workloads Archive) reader and writer.
 *
 * The format: ';' header lines ("; MaxProcs: 128"), then one job per line with 18
 * whitespace-separated numeric fields:
 *   1 job number  2 submit  3 wait  4 run time  5 allocated procs  6 avg CPU time
 *   7 used memory  8 requested procs  9 requested time  10 requested memory  11 status
 *   12 user  13 group  14 executable  15 queue  16 partition  17 preceding job
 *   18 think time
 * -1 means unknown; times may be integers or decimals (rounded to the nearest second).
 *
 * Rules for imperfect records, counted in WlCounts (README.md, "SWF rules for imperfect
 * records", sums them up for users).  Each record read counts once in counts.read and then
 * either in counts.kept or in exactly one counts.skipped reason, checked in this order:
 * malformed, no_runtime, no_size.  Adjustments are counted for kept records only.
 *  - size = allocated procs (5) when > 0, else requested procs (8); with prefer_requested,
 *    requested (8) when > 0, else allocated (5); neither known: skipped (no_size);
 *  - requested time (9) -1 or 0: the time limit is the run time (reqtime_from_runtime),
 *    and at least 1 second (a kept 0-second job gets a 1-second limit);
 *  - run time (4) -1 or 0: skipped (no_runtime), or with keep_zero_runtime kept as a
 *    0-second job (runtime_zero_kept);
 *  - status (11): 0 -> FAILED, 5 -> CANCELLED, otherwise (1, 2, 3, 4, -1, ...) COMPLETED;
 *  - user (12) and group (13) -1 become 0; partition stays -1 (the default);
 *  - preceding job (17) > 0 and not the job itself: WlJob.preceding, with the think time
 *    (18, negative -> 0) in WlJob.think_time; otherwise both 0.  Only the simulator's
 *    SimOptions.swf_dependencies uses them; the writer writes them back (-1 when none);
 *  - a line that does not parse: with strict an error "file:line: field N (name): expected
 *    ...", otherwise the same message goes to the warning function (the first
 *    max_warnings only, then one note that further ones are counted silently) and the
 *    line is skipped (malformed).
 * What "does not parse" means: fewer or more than 18 fields; a field that is not a decimal
 * number ([+-]digits[.digits], no exponent) ending at whitespace; a fraction in a field
 * that is not a time or an amount of memory (fields 1, 5, 8, 11-17 are integers); a value
 * outside its field's range: the job number must be in 0 .. 2^32-1; the submit time must
 * be >= 0 (-1 is malformed: such a job cannot be replayed); processors, user and group -1
 * or 0 .. 2^32-1; every other field -1 or >= 0, except wait (3), preceding job (17) and
 * think time (18), which may hold any 64-bit value; the submit, run and
 * requested times (2, 4, 9) at most 2^40 s (35,000 years), so that sums of times cannot
 * overflow downstream; a line longer than 64 KiB.  Decimals are rounded to the nearest
 * integer, halves away from zero.
 * Lines that are empty or only whitespace are ignored, and so are ';' lines after the
 * first record (the header is the ';' lines before it).  Line ends may be LF or CRLF; a
 * UTF-8 byte-order mark at the start is ignored; a last line without a newline is read.
 * Job numbers are not checked for uniqueness or order, nor submit times for order: that
 * needs memory proportional to the trace (the simulator counts submit_reordered). */
#pragma once
#include <gio/gio.h>
#include "workloads/trace.h"

G_BEGIN_DECLS

typedef struct {
  gboolean strict;             /* malformed line -> error instead of skip */
  gboolean prefer_requested;   /* size from field 8 first */
  gboolean keep_zero_runtime;  /* keep runtime -1/<=0 records as 0-second jobs */
  guint      max_warnings;     /* malformed lines reported in non-strict mode (10) */
  WlWarnFunc warn_func;        /* receives them; NULL prints "sluice: warning: <message>"
                                * to stderr with g_printerr */
  gpointer   warn_data;        /* for warn_func */
} WlSwfOptions;

/* Sets the defaults: not strict, allocated size first, zero runtimes skipped, 10 warnings
 * to stderr. */
void wl_swf_options_init (WlSwfOptions *opts);

/* Returns (transfer full) a reader over `in` (takes a reference).  Reads the header lines
 * at once (so wl_reader_get_info is valid on return); `name` is used in messages.  Header
 * keys MaxProcs, MaxNodes, UnixStartTime (integers) and TimeZoneString are parsed (case
 * insensitive); a bad value of one of them is a warning, or with strict an error.  `opts`
 * may be NULL for the defaults; it is copied.  Returns NULL with `error` set if the stream
 * fails (WL_ERROR_IO) or (strict) the header is malformed (WL_ERROR_MALFORMED).  The
 * reader reads `in` in 1 MiB chunks: pass an unbuffered or large-buffered stream. */
WlReader *wl_swf_reader_new (GInputStream *in, const char *name, const WlSwfOptions *opts,
                             GError **error);

/* Opens `path` (.swf or .swf.gz) and returns a reader, or NULL with `error` set. */
WlReader *wl_swf_reader_open (const char *path, const WlSwfOptions *opts, GError **error);

/* SWF writing, for `sluice gen` and trace export.  Header lines are written verbatim with a
 * leading "; " added, except that a line already starting with ';' (as info.header_lines
 * does) is written as is, and an embedded newline starts a new "; " line; `lines` is
 * NULL-terminated and may be NULL.  Jobs are written as 18 fields separated by one space:
 * 1 id, 2 submit, 3 -1, 4 runtime, 5 and 8 tasks * cpus_per_task, 6 -1, 7 -1, 9 time limit,
 * 10 -1, 11 status (COMPLETED 1, FAILED/TIMEOUT/NODE_FAIL 0, CANCELLED 5, other states -1),
 * 12 user, 13 group, 14-18 -1.  Each call writes to `out` directly: give it a buffered
 * stream.  Return TRUE, or FALSE with `error` set by the stream. */
gboolean wl_swf_write_header (GOutputStream *out, const char *const *lines, GError **error);
gboolean wl_swf_write_job (GOutputStream *out, const WlJob *job, GError **error);

G_END_DECLS
