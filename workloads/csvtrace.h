/* SPDX-License-Identifier: MIT */
/* workloads/csvtrace.h - CSV job traces (GPU cluster traces and the like) with a column map.
 *
 * A CSV trace has a header row naming its columns and one job per row (RFC 4180 quoting,
 * through libcsv; separator ',' unless WlReaderOptions.delimiter says otherwise or the
 * header has no ',' but a tab or ';').  A column map says which column gives which part
 * of a job: "target=column,target=column/1000,target=VALUE".  Targets:
 *   id          job id: a decimal number 1 .. 2^32-1 is used as is; anything else (UUIDs,
 *               pod names) and an unmapped id give the row's number (1 = first data row)
 *   user group  names or numbers (numbers below 2^31 are kept; other names are numbered
 *               2^31, 2^31 + 1, ... in order of first appearance)
 *   submit      submit time (required)
 *   start end   start and end times
 *   runtime     run time (duration); else end - start
 *   wait        wait time (duration): start = submit + wait when there is no start
 *   time_limit  requested time (duration); missing or 0: made up (opts->limit_rule)
 *   cpus        CPUs of the whole job (fractions are rounded up: cpu_fraction_rounded)
 *   gpus        GPUs of the whole job
 *   gpu_share   the share of each GPU used (1 = whole); gpus x gpu_share is rounded up
 *               (gpu_fraction_rounded when it was not whole)
 *   nodes       node count; without it a job of g GPUs takes ceil(g/G) nodes
 *   mem_mb      memory per node, MB (rounded up)
 *   state       final state: Slurm's names ("CANCELLED by 12" too), Succeeded, Killed,
 *               Pass, Running, Pending, ... (rows-private.h lists them)
 *   partition   name, mapped through opts->resolve (else the default partition)
 *   gpu_type    name, mapped through opts->resolve (else any type)
 * Times are numbers of seconds (Unix or relative: kept as they are) or dates (UTC, or
 * opts->time_zone when the date has no zone), as wl_parse_time reads them; durations are
 * seconds or Slurm's [D-]HH:MM:SS (wl_parse_seconds).  "/N" or "*N" after a column name
 * scales its numbers (milli-CPUs: cpus=cpu_milli/1000; milliseconds: submit=ts/1000).  A
 * value that names no column but is a number is a constant for every row (nodes=1).
 * Column names match exactly, else ignoring case; blanks around names are trimmed.
 *
 * Presets, chosen by name or (WL_CSV_AUTO) by the header's columns, in this order:
 *   alibaba (name, cpu_milli, num_gpu, gpu_milli, creation_time): Alibaba PAI GPU 2023
 *     "id=name,submit=creation_time,start=scheduled_time,end=deletion_time,
 *      cpus=cpu_milli/1000,mem_mb=memory_mib,gpus=num_gpu,gpu_share=gpu_milli/1000,
 *      gpu_type=gpu_spec,state=pod_phase,nodes=1"
 *   helios (job_id, gpu_num, cpu_num, node_num, submit_time): SenseTime Helios
 *     cluster_log.csv "id=job_id,user=user,partition=vc,gpus=gpu_num,cpus=cpu_num,
 *      nodes=node_num,state=state,submit=submit_time,start=start_time,end=end_time,
 *      runtime=duration,wait=queue" (Helios's `queue` is the wait in seconds, not a queue
 *      name; `vc` is the virtual cluster)
 *   itp (job_id, submission_time, duration, num_gpu): Microsoft ITP / ElasticFlow
 *     "id=job_id,submit=submission_time,runtime=duration,gpus=num_gpu"
 *   philly (timestamp, duration, num_gpus): Microsoft Philly as processed by Pollux
 *     "submit=timestamp,runtime=duration,gpus=num_gpus,partition=cluster"; its rows are
 *     not sorted, so its default sort window is 131,072 rows (the file has 82,247)
 * With no preset (WL_CSV_GENERIC, or AUTO matching none) each target takes the first
 * column named like it (submit: submit, submit_time, submission_time, timestamp, ...; see
 * csvtrace.c).  The preset's entries (or the guesses) are used when their column exists;
 * opts->columns entries replace them ("target=" drops one) and must name real columns.
 * Without submit, or without both runtime and end, the reader refuses the file.
 *
 * Rules for each row, counted in WlCounts: it counts once in read and then in kept or in
 * exactly one skipped reason, checked in this order:
 *  - malformed: a different number of columns than the header, or a value that does not
 *    parse (strict: an error "file:line: column N "name" (target): expected ..., got
 *    "..."", otherwise a warning, the first max_warnings only, and the row is skipped);
 *    an end before the start is malformed too;
 *  - not_started: the state is pending, or a start column is mapped and empty (no wait
 *    either) while the run time is unknown (Alibaba's Pending pods);
 *  - unfinished: the state is running and the run time is unknown;
 *  - no_runtime: the run time is unknown, or 0 (with keep_zero_runtime: kept as a
 *    0-second job, runtime_zero_kept);
 *  - no_size: cpus, gpus or nodes is mapped but none of them is above 0;
 *  - kept, with the adjustments of workloads/rows-private.h (reqtime_*, gpus_rounded_up)
 *    and: unfinished_kept when the state says running but the run time is known (Alibaba's
 *    Running pods, which have a deletion time), cpu_/gpu_fraction_rounded.
 * The request: tasks = max (cpus, nodes, 1) of one CPU, on exactly `nodes` nodes when the
 * node count is known (given, or from the GPUs), with ceil(gpus/nodes) GPUs on each.
 * Jobs come out in submit order, sorted within opts->sort_window rows: a job is passed
 * on once that many later rows have been read (or at the end); a row earlier than a job
 * already passed on is an error with strict (WL_ERROR_UNSUPPORTED "file:line: submit time
 * ..."), else its submit time is raised to that job's (submit_reordered).  Blank lines are ignored; a UTF-8 BOM,
 * CRLF line ends and a last line without a newline are fine; a quoted field longer than
 * 1 MiB is an error (an unbalanced quote would swallow the file).  Memory is O(sort
 * window), plus the distinct user and group names. */
#pragma once
#include <gio/gio.h>
#include "workloads/rows.h"

G_BEGIN_DECLS

typedef enum {
  WL_CSV_AUTO = 0,   /* a preset chosen by the header, else generic */
  WL_CSV_GENERIC,
  WL_CSV_ITP,
  WL_CSV_PHILLY,
  WL_CSV_ALIBABA,
  WL_CSV_HELIOS,
  WL_CSV_N_PRESETS
} WlCsvPreset;

/* "auto", "csv" (generic), "itp", "philly", "alibaba", "helios". */
const char *wl_csv_preset_name (WlCsvPreset preset);
/* Returns TRUE and sets *out if `name` is one of the names above. */
gboolean    wl_csv_preset_from_name (const char *name, WlCsvPreset *out);
/* The preset's column map (above), or NULL for auto and generic. */
const char *wl_csv_preset_columns (WlCsvPreset preset);

/* Returns (transfer full) a reader over `in` (takes a reference), having read the header
 * (so the column map is checked and wl_csv_reader_get_preset is known on return).  `opts`
 * may be NULL for the defaults (rows.h); it is copied, and opts->columns with it.  Returns
 * NULL with `error` set: WL_ERROR_IO if the stream fails; WL_ERROR_MALFORMED for an empty
 * file or a bad column map ("name: column map: ..."), a bad opts->time_zone; or
 * WL_ERROR_UNSUPPORTED when no column gives the submit time or the run time. */
WlReader *wl_csv_reader_new (GInputStream *in, const char *name, WlCsvPreset preset,
                             const WlReaderOptions *opts, GError **error);

/* Opens `path` (.gz is decompressed) and returns a reader, or NULL with `error` set.  For
 * the philly and alibaba presets, a machine list next to the trace
 * ("<prefix>cluster_machine_list.csv", "<prefix>node_list_all_node.csv", where <prefix> is
 * what comes before "pollux-jobs" or "pod_list" in the trace's name) goes to
 * info.machine_list. */
WlReader *wl_csv_reader_open (const char *path, WlCsvPreset preset, const WlReaderOptions *opts,
                              GError **error);

/* The preset the reader uses (WL_CSV_GENERIC if none); `r` must be a CSV reader. */
WlCsvPreset wl_csv_reader_get_preset (const WlReader *r);

G_END_DECLS
