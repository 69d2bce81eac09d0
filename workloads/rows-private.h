/* SPDX-License-Identifier: MIT */
/* workloads/rows-private.h - internals shared by the tabular readers (csvtrace.c, sacct.c);
 * swf.c uses the messages part.
 *
 * WlRow is a job as a tabular trace describes it (counts, times, a state), before the
 * shared rules turn it into a WlJob: skipping 0-second jobs, making up a time limit,
 * laying GPUs out on nodes and counting every adjustment.  WlSortBuf puts kept jobs in
 * submit order within a bounded window (at most `window` jobs held: those that arrive in
 * order in a ring, the others in a min-heap on (submit, input order), the earliest of both
 * released first; plus a FIFO of jobs already released), so memory stays O(window).
 * WlNames gives users and groups numbers.  Only workloads/ and its tests include this. */
#pragma once
#include "workloads/rows.h"

G_BEGIN_DECLS

/* ---- messages ---- */

/* TRUE for the tokens wl_parse_time calls "no value" ("", NaN, NA, N/A, None, null,
 * Unknown), after trimming blanks. */
gboolean wl__is_missing (const char *s, gsize len);

/* g_ascii_strtod on a slice (copied to the stack: at most 63 bytes).  TRUE with *out when
 * the whole slice, and nothing else, is a number; FALSE for anything else. */
gboolean wl__strtod (const char *s, gsize len, double *out);

/* Appends `s` quoted, non-printable bytes escaped, cut after 40 bytes with "...". */
void wl__append_quoted (GString *out, const char *s, gsize len);

/* Sends `msg` to the warning function if fewer than opts->max_warnings were sent, then
 * once a note that further ones are counted only.  *n_warned counts the calls. */
void wl__warn (const WlReader *r, const WlReaderOptions *opts, guint *n_warned,
               const char *msg);

/* Counts a malformed record (skipped.malformed; the caller counted it as read).  Strict:
 * sets `error` (WL_ERROR_MALFORMED, the message) and returns FALSE; otherwise warns and
 * returns TRUE.  Takes `msg`. */
gboolean wl__malformed (WlReader *r, const WlReaderOptions *opts, guint *n_warned, char *msg,
                        GError **error);

/* ---- job states ---- */

typedef enum {
  WL_STATE_ENDED = 0,   /* a final state */
  WL_STATE_PENDING,     /* never started (yet) */
  WL_STATE_RUNNING,     /* running (or suspended, requeued...) when the trace was taken */
} WlStateKind;

/* Parses a job state, case-insensitively, ignoring a trailing '+' and anything after a
 * blank ("CANCELLED by 123"):
 *   COMPLETED COMPLETE SUCCEEDED SUCCESS PASS FINISHED DONE       -> COMPLETED
 *   FAILED FAIL ERROR OUT_OF_MEMORY OOM BOOT_FAIL                  -> FAILED
 *   CANCELLED CANCELED KILLED PREEMPTED REVOKED                    -> CANCELLED
 *   TIMEOUT TIMED_OUT DEADLINE                                     -> TIMEOUT
 *   NODE_FAIL                                                      -> NODE_FAIL
 *   PENDING QUEUED WAITING                                         -> pending
 *   RUNNING SUSPENDED REQUEUED RESIZING CONFIGURING COMPLETING
 *   STOPPED SIGNALING STAGE_OUT                                    -> running
 * Returns FALSE for anything else. */
gboolean wl__parse_state (const char *s, gsize len, SchedJobState *state, WlStateKind *kind);

/* ---- numbering of names ---- */

typedef struct {
  GHashTable *ids;     /* char * -> id (GUINT_TO_POINTER) */
  guint32     next;
} WlNames;

void wl__names_init (WlNames *n);
void wl__names_clear (WlNames *n);
/* A decimal number below 2^31 is its own id; any other name gets 2^31, 2^31 + 1, ... in
 * order of first appearance; "" and missing values are 0. */
guint32 wl__names_id (WlNames *n, const char *s, gsize len);

/* Sets *tz to the zone opts->time_zone names (NULL when it names none: dates without a
 * zone are then UTC).  FALSE with `error` set (WL_ERROR_MALFORMED, "name: unknown time
 * zone \"...\"") and *tz NULL when GLib does not know the zone. */
gboolean wl__time_zone_new (const WlReaderOptions *opts, const char *name, GTimeZone **tz,
                            GError **error);

/* Resolves a partition or GPU type name through opts->resolve, caching answers in *cache
 * (created on first use; free with g_hash_table_unref).  Without a resolver, or for a
 * missing name: `dflt`. */
gint64 wl__resolve (GHashTable **cache, const WlReaderOptions *opts, WlNameKind kind,
                    const char *s, gsize len, gint64 dflt);

/* ---- rows to jobs ---- */

typedef struct {
  SchedJobId    id;
  guint32       user;
  guint32       group;
  gint32        partition;     /* -1 = default */
  guint32       gpu_type;      /* 0 = any */
  SchedTime     submit;
  SchedTime     runtime;       /* seconds; <= 0 is "did not run" */
  SchedTime     limit;         /* requested time; <= 0 = none given */
  guint64       cpus;          /* job total; 0 = not given */
  guint64       nodes;         /* 0 = not given */
  guint64       gpus;          /* job total */
  guint64       mem_per_node_mb;
  SchedJobState end_state;
  guint64       line;
  guint32       adjust_mask;   /* 1 << WlAdjustReason: adjustments made while parsing,
                                * counted if the job is kept */
} WlRow;

/* Applies the shared rules to a row the caller already counted as read and did not skip
 * for its own reasons (malformed, not_started, unfinished):
 *  - runtime <= 0: skipped as no_runtime, or with keep_zero_runtime kept as a 0-second
 *    job (runtime_zero_kept);
 *  - no limit: wl_limit_synthesize (reqtime_from_runtime or reqtime_synthesized);
 *  - GPUs: wl_gpu_layout with the row's nodes (gpus_rounded_up);
 *  - the request: tasks = max (cpus, nodes, 1) of 1 CPU each, min_nodes = max_nodes =
 *    nodes when known (else 0: any packing), gpus_per_node, mem_per_node_mb.
 * Returns TRUE with `out` filled and the job counted as kept (with its adjustments), or
 * FALSE with the skip counted. */
gboolean wl__row_to_job (WlReader *r, const WlReaderOptions *opts, const WlRow *row,
                         WlJob *out);

/* ---- bounded submit-order buffer ---- */

typedef struct {
  GArray   *heap;      /* HeapKey (submit, input order, slot), min-heap: the jobs that
                        * came out of order, which wait in `slots` */
  GArray   *slots;     /* WlJob */
  GArray   *free_slots; /* guint32: indices of unused slots */
  gpointer  run;       /* SortItem ring: jobs in order (each not before the one ahead of
                        * it), so that sorted input costs O(1) a job, not O(log window) */
  guint     run_cap;   /* a power of 2, or 0 */
  guint     run_head;
  guint     run_len;
  GArray   *fifo;      /* WlJob released in order, read from fifo_pos */
  guint     fifo_pos;
  guint     window;
  guint64   seq;
  SchedTime last;      /* submit of the last released job; G_MININT64 before the first */
} WlSortBuf;

/* `window` 0 is taken as 1: no sorting. */
void wl__sortbuf_init (WlSortBuf *b, guint window);
void wl__sortbuf_clear (WlSortBuf *b);

/* Adds a kept job.  Once the heap holds more than `window` jobs the earliest is released.
 * A job earlier than the last released one is late: strict, an error (WL_ERROR_UNSUPPORTED
 * "file:line: submit time ..."), and FALSE; otherwise its submit time becomes that of the
 * last released job and submit_reordered is counted. */
gboolean wl__sortbuf_add (WlSortBuf *b, WlReader *r, const WlReaderOptions *opts, WlJob *job,
                          GError **error);

/* Takes the next released job; with `drain` (the input has ended) also the heap's
 * earliest.  Returns FALSE when there is none. */
gboolean wl__sortbuf_take (WlSortBuf *b, gboolean drain, WlJob *out);

/* The answer a reader's next can give from the buffer: TRUE with the next job in `out`
 * (wl__sortbuf_take, draining once `ended`), or TRUE with *eof = TRUE when the input has
 * ended and the buffer is empty; FALSE when more input must be read first. */
gboolean wl__sortbuf_next (WlSortBuf *b, gboolean ended, WlJob *out, gboolean *eof);

G_END_DECLS
