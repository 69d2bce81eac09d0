/* SPDX-License-Identifier: MIT */
/* workloads/writer.h - writing any workload as SWF, CSV or JSON Lines (`sluice convert`).
 *
 * A WlWriter turns a stream of WlJob into one of three formats: SWF with a Parallel
 * Workloads Archive header (swf.h writes the records), CSV with a header row (below) and
 * JSON Lines (jsontrace.h).  SWF's header states facts about the whole trace (MaxJobs,
 * StartTime, EndTime, MaxProcs...), which a streaming writer knows only at the end: the
 * caller gathers them first in a WlTraceStats (one pass over the same reader, or the
 * same generator with the same seed) and hands them to wl_writer_new.  The writer itself
 * holds O(1) state and writes each job at once.
 *
 * SWF header (wl_swf_header_build): "Version: 2.2", "Computer" and "Installation" (the
 * source's own lines when it is an SWF file, else the meta's, else "unknown"), the
 * source's other lines kept as they are (Acknowledge, Information, Conversion, Queues,
 * Notes...) except the keys regenerated here: MaxJobs and MaxRecords (the job count),
 * UnixStartTime, TimeZoneString, StartTime and EndTime (dates in the trace's zone, else
 * UTC: the start, and the latest submit + run time), MaxNodes and MaxProcs (the source's,
 * else the largest job's), MaxRuntime; then "Note:" lines saying that sluice converted
 * the file, from what, and what SWF could not express (GPUs, memory per node, partitions,
 * exclusive nodes: counted jobs).  Submit times in SWF are seconds from UnixStartTime:
 * when the source gives no UnixStartTime and its first submit is a Unix date (after
 * 1973-03-03, 10^8 s), UnixStartTime becomes that first submit and every submit is
 * written relative to it (said in a Note); otherwise times are written as they are.  A
 * source without a start date gets no UnixStartTime, StartTime or EndTime, and a Note
 * says so.
 *
 * CSV columns (header row, then one row per job; RFC 4180 quoting where needed), which
 * the generic CSV reader (csvtrace.h) maps back by name:
 *   id          job id
 *   user group  the name when the source had one (JSON), else the number
 *   partition   the name when the source had one, else the index, else empty (default)
 *   submit      submit time, seconds (as the source had it: Unix or relative)
 *   runtime     actual run time, seconds
 *   time_limit  requested time, seconds (made-up limits written explicitly)
 *   nodes       node count when the job fixes it (min_nodes = max_nodes), else empty
 *   cpus        CPUs of the whole job: tasks x cpus_per_task
 *   gpus        GPUs of the whole job: gpus_per_node x nodes (x 1 without a node count)
 *   gpu_type    the type name when the source had one, else the type id, else empty
 *   mem_mb      memory per node, MB (empty: none)
 *   state       COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL
 * Read back, a CSV gives the jobs a CSV reader gave (tasks of one CPU); the task shape
 * (cpus_per_task), exclusivity, estimates and the JSON extras are not kept: use JSON for
 * those.  User and group numbers of 2^31 and above (names numbered by a reader) are read
 * back as names and numbered again in order of first appearance, which gives the same
 * numbers when the file is in submit order. */
#pragma once
#include <gio/gio.h>
#include "workloads/trace.h"

G_BEGIN_DECLS

typedef enum {
  WL_WRITE_SWF = 0,
  WL_WRITE_CSV,
  WL_WRITE_JSON,
} WlWriteFormat;

/* "swf", "csv", "json". */
const char *wl_write_format_name (WlWriteFormat f);
/* TRUE and *out when `name` is one of the names above (any case; "jsonl" is JSON). */
gboolean    wl_write_format_from_name (const char *name, WlWriteFormat *out);

/* Facts about a whole trace, for the SWF header.  wl_trace_stats_add each job in the
 * order it will be written. */
typedef struct {
  guint64   jobs;
  SchedTime first_submit;      /* SCHED_TIME_NEVER before the first job */
  SchedTime last_submit;
  SchedTime last_end;          /* max (submit + runtime) */
  SchedTime max_runtime;
  guint64   max_cpus;          /* largest job, CPUs */
  guint64   max_nodes;         /* largest fixed node count */
  guint64   gpu_jobs;          /* jobs SWF cannot express fully, by what they lose */
  guint64   mem_jobs;
  guint64   partition_jobs;
  guint64   exclusive_jobs;
} WlTraceStats;

void wl_trace_stats_init (WlTraceStats *st);
void wl_trace_stats_add (WlTraceStats *st, const WlJob *job);

/* Describes the source for the header's notes. */
typedef struct {
  const char *source;          /* the input's name ("KTH.swf.gz"), or NULL */
  const char *source_format;   /* "swf", "itp", "lublin model"... or NULL */
  const char *computer;        /* for "Computer:" when the source has none; NULL: unknown */
  const char *installation;    /* for "Installation:"; NULL: unknown */
  const char *const *notes;    /* more "Note:" lines (NULL-terminated), or NULL */
} WlWriteMeta;

/* Returns (transfer full) the SWF header lines ("; Key: value", char *) for a trace with
 * header `info` and whole-trace `stats` (see above), and sets *offset to what is
 * subtracted from every submit time (0 unless the times are rebased).  `meta` may be NULL. */
GPtrArray *wl_swf_header_build (const WlTraceInfo *info, const WlTraceStats *stats,
                                const WlWriteMeta *meta, SchedTime *offset);

typedef struct _WlWriter WlWriter;

/* Returns (transfer full) a writer of `format` to `out` (takes a reference; give it a
 * buffered stream).  The header is written at once: SWF from `info`, `stats` (required for
 * SWF, ignored otherwise) and `meta` (may be NULL); CSV the column row; JSON a header line
 * from `info` (jsontrace.h).  NULL with `error` set when the stream fails. */
WlWriter *wl_writer_new (GOutputStream *out, WlWriteFormat format, const WlTraceInfo *info,
                         const WlTraceStats *stats, const WlWriteMeta *meta, GError **error);
/* Writes one job.  FALSE with `error` set when the stream fails. */
gboolean  wl_writer_write (WlWriter *w, const WlJob *job, GError **error);
/* Flushes and closes the stream.  FALSE with `error` set when it fails. */
gboolean  wl_writer_close (WlWriter *w, GError **error);
/* Jobs written so far. */
guint64   wl_writer_get_count (const WlWriter *w);
/* Frees the writer (without closing the stream: close it first); NULL is a no-op. */
void      wl_writer_free (WlWriter *w);

/* Returns (transfer full) the CSV row for `job` without the newline, and the header row
 * for wl_csv_write_header_row (static, transfer none). */
char       *wl_csv_job_to_row (const WlJob *job);
const char *wl_csv_header_row (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WlWriter, wl_writer_free)

G_END_DECLS
