/* SPDX-License-Identifier: MIT */
/* workloads/jsontrace.h - the JSON workload format: reader (streaming) and writer.
 *
 * docs/workload-json.md is the full description; in short.  A file is either a document
 * {"version": 1, "cluster": {...}, "time_zone": "...", "jobs": [job, ...]} in which "jobs"
 * must be the last key, a bare array [job, ...], or JSON Lines: one job object per line,
 * the first line optionally a header {"version": 1, "cluster": {...}} (names ending in
 * .jsonl or .ndjson are read as JSON Lines; other names are told apart by their first
 * object: one holding "jobs" is a document).  Any of them may be gzip-compressed (.gz).
 * A job object has the fields Slurm users know (id name user uid group gid account
 * partition qos submit begin hold runtime time_limit estimate nodes ntasks cpus_per_task
 * mem mem_per_cpu gpus gpus_per_node gpu_type gres features constraint exclusive
 * dependency array array_job_id array_task_id array_task_throttle state exit_code);
 * `runtime` is required.  Fields the core does not use yet go to WlJob.extra
 * (jobextra.h).  An array job expands into one job per task, task i of job J numbered
 * J * 1000 + i.  Keys starting with '_' are comments; other unknown keys are warned about
 * once each and ignored (strict: an error).
 *
 * Counting, as the other readers (csvtrace.h): each job (each array task) counts once in
 * read and then in kept or one skipped reason, in this order: malformed (strict: an error
 * "file:line: job 17: field \"ntasks\": expected a positive integer, got \"x\"", where
 * line is that of the job's opening brace and "job 17" its id, or "job #5", its position,
 * when it has none), not_started (state PENDING), no_runtime (runtime 0, unless
 * keep_zero_runtime).  Adjustments: reqtime_* for a missing or UNLIMITED time limit
 * (opts->limit_rule), gpus_rounded_up, unfinished_kept (state RUNNING), runtime_zero_kept.
 * Jobs come out in submit order, sorted within opts->sort_window jobs (65,536 by default)
 * as csvtrace.h describes.  A structural error (unbalanced brackets, an unterminated
 * string, a missing ',' between jobs, text after the document) cannot be skipped: it is an
 * error even when not strict.
 *
 * Streaming: the document is split into job objects by a scanner that tracks brackets,
 * strings and escapes (never loading the whole file), and each object is parsed with
 * jansson's json_loadb; JSON Lines are read line by line.  Memory is O(sort window + the
 * largest job object (at most 1 MiB) + distinct user and group names). */
#pragma once
#include <gio/gio.h>
#include "workloads/rows.h"

G_BEGIN_DECLS

/* The version of the format this reader reads and the writer writes. */
#define WL_JSON_VERSION 1

/* Returns (transfer full) a reader over `in` (takes a reference), having read the header:
 * the document's keys before "jobs", or a JSON Lines header line (so wl_reader_get_info
 * is filled from "cluster" on return); no job is parsed (so names are resolved only by
 * wl_reader_next).  `name` is used in messages and decides JSON Lines by its suffix
 * (.jsonl, .ndjson, optionally followed by .gz).  `opts` may be NULL (defaults, rows.h);
 * it is copied.  The reader uses strict, max_warnings, warn_func/data, keep_zero_runtime,
 * gpus_per_node (a job's "gpus" take ceil(gpus / G) nodes unless it says "nodes"),
 * sort_window, limit_rule, limit_factor, time_zone (else the file's "time_zone", else UTC)
 * and resolve.  Returns NULL with `error` set: WL_ERROR_IO; WL_ERROR_MALFORMED for a
 * structural error or a bad header value ("file:line: ..."); WL_ERROR_UNSUPPORTED for a
 * "version" other than 1. */
WlReader *wl_json_reader_new (GInputStream *in, const char *name, const WlReaderOptions *opts,
                              GError **error);

/* Opens `path` (.gz is decompressed) and returns a reader, or NULL with `error` set.  A
 * "cluster": {"node_list": FILE} names a node list relative to the trace's folder. */
WlReader *wl_json_reader_open (const char *path, const WlReaderOptions *opts, GError **error);

/* TRUE if `path` ends in .json, .jsonl or .ndjson, optionally followed by .gz (any case). */
gboolean wl_json_name_looks_like (const char *path);

/* Writes a JSON Lines header line {"version":1,"cluster":{...}} describing the machine of
 * `info` (may be NULL): nodes, cpus_per_node, mem_per_node, gpus_per_node when known, else
 * procs (MaxProcs), else no "cluster".  Returns TRUE, or FALSE with `error` set by the
 * stream. */
gboolean wl_json_write_header (GOutputStream *out, const WlTraceInfo *info, GError **error);

/* Writes `job` as one JSON Lines line that the reader reads back to the same spec, runtime,
 * end state and extra (the line number aside): names from job->extra when it has them,
 * else numbers (a partition index, a GPU type id), which the reader takes as they are.
 * Each call writes to `out` directly: give it a buffered stream.  Returns TRUE, or FALSE
 * with `error` set by the stream. */
gboolean wl_json_write_job (GOutputStream *out, const WlJob *job, GError **error);

/* Returns (transfer full) the line wl_json_write_job writes, without the newline. */
char *wl_json_job_to_string (const WlJob *job);

G_END_DECLS
