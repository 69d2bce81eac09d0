/* SPDX-License-Identifier: MIT */
/* workloads/open.h - one entry point for every trace format, and the machine a trace implies.
 *
 * wl_reader_open picks the reader by a format name or by guessing: a name ending in .swf
 * or .swf.gz is SWF, one ending in .json, .jsonl or .ndjson (maybe .gz) is JSON; otherwise
 * the first line decides: '{' or '[' first is JSON, a sacct header (JobID or Submit and
 * another sacct field) is sacct, a line with a ',' (or a name ending in .csv / .csv.gz) is
 * CSV with the preset its columns match (csvtrace.h), a ';' or a digit first is SWF.
 * Format names: "auto" (or NULL), "swf", "csv" (generic, or --columns), "itp", "philly",
 * "alibaba", "helios" (CSV presets), "sacct", "json" (jsontrace.h) and "batsim" (batsim.h).
 * A JSON file (by name or first byte) that starts with '{' and whose first 64 KiB name a
 * "subtime" key and "res" or "profiles" is a Batsim workload.
 *
 * The machine.  SWF traces say their size in the header (MaxProcs).  GPU CSV traces and
 * sacct dumps do not, so with opts->scan the trace is read once ahead (same rules, warnings
 * silenced) to fill WlTraceInfo with a uniform machine that fits it:
 *  - each node has G GPUs (opts->gpus_per_node, or more if a job asks more per node; 0 when
 *    no job uses GPUs), as many CPUs as the most any job asks per node (at least G and 1),
 *    and as much memory as the most any job asks per node (0 when none asks);
 *  - there are enough nodes for the largest job, and enough that the trace's mean demand
 *    (GPU-seconds, and CPU-seconds, over the span from the first to the last submit) fills
 *    WL_DERIVED_LOAD (70%) of the machine: big enough to run every job, small enough to
 *    queue them the way the busy production cluster did;
 * info.max_nodes, max_procs (nodes x CPUs), cpus_per_node, gpus_per_node and
 * mem_per_node_mb then describe it.  When the preset found a machine list next to the
 * trace (Philly's 552 servers, Alibaba's 1,523 nodes), info.machine_list names it and no
 * scan is made: wl_trace_cluster_new builds the cluster from the list instead.  Nor is one
 * made when the trace describes its machine itself (a JSON trace's "cluster"). */
#pragma once
#include <gio/gio.h>
#include "sched/cluster.h"
#include "workloads/csvtrace.h"
#include "workloads/jsontrace.h"
#include "workloads/sacct.h"
#include "workloads/swf.h"

G_BEGIN_DECLS

#define WL_DERIVED_LOAD 0.7

/* NULL-terminated list of the format names above, "auto" first.  (transfer none) */
const char *const *wl_reader_format_names (void);

/* Opens `path` as `format` (NULL or "auto": guessed) with `opts` (NULL: the defaults of
 * rows.h; SWF uses strict, max_warnings, warn_func/data, prefer_requested and
 * keep_zero_runtime).  Returns (transfer full) a reader, or NULL with `error` set: the
 * reader's errors, WL_ERROR_IO, or WL_ERROR_UNSUPPORTED for an unknown format name or a
 * file whose format cannot be guessed ("give the format"). */
WlReader *wl_reader_open (const char *path, const char *format, const WlReaderOptions *opts,
                          GError **error);

/* Returns (transfer full) the cluster `info` describes: the nodes of info->machine_list
 * when set (wl_machine_list_load), else info->max_nodes nodes of info->cpus_per_node
 * CPUs, info->mem_per_node_mb MB and info->gpus_per_node GPUs in one default partition
 * "all".  NULL with `error` set (WL_ERROR_UNSUPPORTED) when info has neither. */
SchedCluster *wl_trace_cluster_new (const WlTraceInfo *info, GError **error);

/* Reads a node list CSV (header row; columns found by name, any case: name = sn,
 * machineId, name, node or hostname; CPUs = cpu_milli (/1000, rounded up), cpus, cpu or
 * cpu_num; memory = memory_mib, mem_mb, memory_mb or memory (MB); GPUs = gpu, gpus,
 * "number of GPUs", num_gpu or gpu_num; GPU type = model, gpu_type or gpu_model).  A node
 * without a CPU column gets one CPU per GPU (at least 1).  Nodes are added in file order,
 * typed GPUs interned, and one default partition "all" holds them all.  Returns (transfer
 * full) the cluster, or NULL with `error` set (WL_ERROR_IO; WL_ERROR_MALFORMED "file:line:
 * ..." for a bad value, a repeated node name, or no GPU and no CPU column). */
SchedCluster *wl_machine_list_load (const char *path, GError **error);

G_END_DECLS
