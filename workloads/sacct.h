/* SPDX-License-Identifier: MIT */
/* workloads/sacct.h - reader for Slurm accounting dumps (`sacct --parsable2`, `-P`).
 *
 * The format: a header line naming the fields, then one line per job or job step, fields
 * separated by '|' (or the character of `--delimiter`: the first byte of the header that is
 * not a letter, digit or '_'; opts->delimiter overrides), no quoting.  `--parsable` output
 * (a trailing separator) is read too.  Fields are recognized by name, in any order and any
 * subset, case-insensitively; others are ignored:
 *   JobID JobIDRaw User UID Group GID Account Partition QOS Submit Eligible Start End
 *   Elapsed ElapsedRaw Timelimit TimelimitRaw NNodes AllocNodes ReqNodes NCPUS AllocCPUS
 *   ReqCPUS ReqMem ReqTRES AllocTRES ReqGRES AllocGRES State ExitCode CPUTimeRAW
 * Submit is required, a size (ReqCPUS, NCPUS, AllocCPUS, ReqTRES, AllocTRES, NNodes,
 * ReqNodes or AllocNodes) and a run time (Elapsed, ElapsedRaw, Start with End, or
 * CPUTimeRAW) must be available, else the dump is refused (WL_ERROR_UNSUPPORTED).
 *
 * Jobs and steps.  JobID is "123", an array task "123_4", a pending array range
 * "123_[5-9]" or a het-job component "123+0", optionally followed by ".step" (123.batch,
 * 123.extern, 123.0, 123_4.batch, 123+0.1).  A step line is folded into the job line
 * before it with the same id; the job line carries the request, and steps only refine what
 * it lacks: an End (the latest step End) and a State (that of the batch step, else the last
 * step with one).  Step values that do not parse are ignored; a step whose job line is not
 * just before it is skipped (orphan_step).  Het-job components are replayed as separate
 * jobs.  Job ids: JobIDRaw when the dump has it; else the JobID of plain jobs; array tasks,
 * array ranges and het components without JobIDRaw are numbered down from 2^32 - 1 in dump
 * order; with no JobID at all, jobs are numbered 1, 2, ... in dump order.
 *
 * Values.  Times are "YYYY-MM-DDTHH:MM:SS" in opts->time_zone (UTC by default; sacct
 * prints the cluster's local time) or Unix seconds; "Unknown" and "None" mean none.
 * Elapsed and Timelimit are Slurm durations ("1-02:03:04", "02:03:04", "03:04.5"; a bare
 * number is minutes); ElapsedRaw and CPUTimeRAW are seconds, TimelimitRaw minutes.
 * Timelimit "UNLIMITED", "Partition_Limit" or empty: the limit is made up
 * (opts->limit_rule).  ReqMem "4000M", "2G" is per node (suffix 'n', or none), "4000Mc"
 * per CPU (times the CPUs on the busiest node, ceil(cpus / nodes)); TRES "mem=" is the
 * job's total (divided by the nodes, rounded up).  GPUs come from ReqTRES, else AllocTRES
 * ("gres/gpu=4", or the sum of "gres/gpu:a100=4" entries), else ReqGRES/AllocGRES
 * ("gpu:2", "gpu:a100:2"); they are the job's total, laid out with wl_gpu_layout.
 * Requested values come first: CPUs from ReqCPUS, ReqTRES cpu=, then NCPUS, AllocCPUS,
 * AllocTRES cpu= (size_from_allocated); nodes from ReqNodes, ReqTRES node=, NNodes,
 * AllocNodes, AllocTRES node=; memory from ReqMem, ReqTRES mem=, AllocTRES mem=.  Users
 * and groups: User/Group names or UID/GID numbers (rows-private.h numbering).  Partition
 * and GPU type names go through opts->resolve.
 *
 * States: COMPLETED; FAILED, OUT_OF_MEMORY, BOOT_FAIL -> FAILED; CANCELLED (and
 * "CANCELLED by 123"), PREEMPTED -> CANCELLED; TIMEOUT, DEADLINE -> TIMEOUT; NODE_FAIL;
 * no State: ExitCode other than "0:0" -> FAILED, else COMPLETED.  A job PENDING at dump
 * time, or whose Start is Unknown/None, never started: skipped (not_started).  A job
 * RUNNING (or SUSPENDED, REQUEUED, ...) at dump time is skipped as unfinished: its Elapsed
 * is only the time so far.
 *
 * Each job line counts once in read and then in kept or one skipped reason, in this
 * order: malformed (a wrong number of fields, a bad value; an End before the Start;
 * strict: an error "file:line: field Name: expected ..., got "..."", otherwise a warning,
 * the first max_warnings only), not_started, unfinished, no_runtime (the run time:
 * ElapsedRaw, Elapsed, End - Start, else CPUTimeRAW / CPUs rounded up, counted as
 * runtime_from_cputime, where CPUs are the allocated ones if known, else the requested
 * ones, and an estimate above the time limit is taken as the limit (more CPUs were
 * allocated than requested: whole nodes); 0 or none is no_runtime unless keep_zero_runtime), no_size (no CPU,
 * node or GPU count above 0); then the shared rules of rows-private.h.  Orphan steps count
 * as read and orphan_step.  Jobs come out sorted by submit time within opts->sort_window
 * lines (65,536 by default), as the CSV reader does.  Lines are at most 1 MiB; CRLF,
 * blank lines, a BOM and a last line without a newline are fine.  Memory is O(sort window)
 * plus the distinct names. */
#pragma once
#include <gio/gio.h>
#include "workloads/rows.h"

G_BEGIN_DECLS

/* Returns (transfer full) a reader over `in` (takes a reference), having read the header.
 * `opts` may be NULL (defaults, rows.h) and is copied.  Returns NULL with `error` set:
 * WL_ERROR_IO, WL_ERROR_MALFORMED (empty input, a bad time zone) or WL_ERROR_UNSUPPORTED
 * (missing fields, as above). */
WlReader *wl_sacct_reader_new (GInputStream *in, const char *name, const WlReaderOptions *opts,
                               GError **error);

/* Opens `path` (.gz is decompressed) and returns a reader, or NULL with `error` set. */
WlReader *wl_sacct_reader_open (const char *path, const WlReaderOptions *opts, GError **error);

/* TRUE if `line` (one line, no newline needed) looks like a sacct header: it names JobID
 * or Submit and at least one other sacct field, separated by a non-alphanumeric byte. */
gboolean wl_sacct_header_looks_like (const char *line, gsize len);

G_END_DECLS
