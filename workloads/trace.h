/* SPDX-License-Identifier: MIT */
/* workloads/trace.h - the trace reader interface every workload format implements.
 *
 * A WlReader streams WlJob records (a SchedJobSpec plus what only the driver may know: the
 * actual runtime and how the job ended in the trace).  Readers never hold the whole trace in
 * memory.  Records come in non-decreasing submit order when the source is sorted.  Each
 * reader counts the records it skipped or adjusted, by reason (WlCounts), for the run
 * summary. */
#pragma once
#include <gio/gio.h>
#include "sched/types.h"
#include "workloads/jobextra.h"

G_BEGIN_DECLS

#define WL_ERROR (wl_error_quark ())
GQuark wl_error_quark (void);

typedef enum {
  WL_ERROR_MALFORMED,     /* a record does not parse: "file:line:field: what was expected" */
  WL_ERROR_UNSUPPORTED,   /* valid but not something we can use */
  WL_ERROR_IO,            /* the stream failed */
} WlError;

/* Why a record was skipped (not given to the caller). */
typedef enum {
  WL_SKIP_MALFORMED = 0,  /* line did not parse (non-strict mode) */
  WL_SKIP_NO_RUNTIME,     /* run time -1 or <= 0 (cancelled before start), unless kept */
  WL_SKIP_NO_SIZE,        /* neither allocated nor requested processors known */
  WL_SKIP_TOO_LARGE,      /* larger than the machine (counted by the simulator) */
  WL_SKIP_DUPLICATE_ID,   /* id of a job still in the system (counted by the simulator) */
  WL_SKIP_REJECTED,       /* the core refused it: can never run here (simulator) */
  WL_SKIP_NOT_STARTED,    /* never started: pending at dump time, no start time */
  WL_SKIP_UNFINISHED,     /* still running at dump time, its run time unknown */
  WL_SKIP_ORPHAN_STEP,    /* a sacct job step whose job line is not in the dump */
  WL_SKIP_UNSUPPORTED,    /* a request the format allows but sluice cannot replay (a Batsim
                           * profile other than delay) */
  WL_SKIP_FILTERED,       /* left out by a transform's --filter (transform.h) */
  WL_SKIP_OUTSIDE_WINDOW, /* submitted outside a transform's --window */
  WL_SKIP_N
} WlSkipReason;

/* How a kept record was adjusted. */
typedef enum {
  WL_ADJ_REQTIME_FROM_RUNTIME = 0, /* requested time -1/0: used the runtime */
  WL_ADJ_SIZE_FROM_REQUESTED,      /* allocated procs -1: used requested procs */
  WL_ADJ_SIZE_FROM_ALLOCATED,      /* prefer-requested mode, requested -1: used allocated */
  WL_ADJ_RUNTIME_ZERO_KEPT,        /* runtime <= 0 kept as a 0-second job */
  WL_ADJ_CLIPPED,                  /* larger than the machine, clipped (simulator) */
  WL_ADJ_SUBMIT_REORDERED,         /* submit earlier than its predecessor (simulator), or
                                    * than a job a sorting reader already passed on */
  WL_ADJ_REQTIME_SYNTHESIZED,      /* no requested time: made up from the run time by a
                                    * rule other than "the run time" (rows.h) */
  WL_ADJ_GPUS_ROUNDED_UP,          /* GPUs laid out on nodes hold more than asked */
  WL_ADJ_GPU_FRACTION_ROUNDED,     /* a share of a GPU became a whole GPU */
  WL_ADJ_CPU_FRACTION_ROUNDED,     /* a fraction of a CPU became a whole CPU */
  WL_ADJ_RUNTIME_FROM_CPUTIME,     /* run time = CPU time / CPUs (no start, end, elapsed) */
  WL_ADJ_UNFINISHED_KEPT,          /* state says running, but an end is known: kept */
  WL_ADJ_SUBMIT_SCALED,            /* submit time moved by a transform's load scaling */
  WL_ADJ_LIMIT_MODELED,            /* time limit replaced by a transform's limit model */
  WL_ADJ_RESUBMITTED,              /* a copy of a TIMEOUT job, resubmitted (transform) */
  WL_ADJ_N
} WlAdjustReason;

typedef struct {
  guint64 skipped[WL_SKIP_N];
  guint64 adjusted[WL_ADJ_N];
  guint64 read;        /* job records read (kept + skipped) */
  guint64 kept;
} WlCounts;

/* Stable snake_case names for the summary ("malformed", "no_runtime", ...). */
const char *wl_skip_reason_name (WlSkipReason r);
const char *wl_adjust_reason_name (WlAdjustReason r);

/* One job from a trace.  `extra` is what the request says beyond the spec (jobextra.h):
 * NULL when the format has nothing more (SWF, CSV, sacct, generators).  It is (transfer
 * none), owned by the reader and valid until the next wl_reader_next or wl_reader_free on
 * it: a driver that keeps jobs (the simulator holds them until they end) must copy what it
 * needs (wl_job_extra_copy) and never follow the pointer of a kept WlJob copy. */
typedef struct {
  SchedJobSpec  spec;
  SchedTime     runtime;     /* actual run time, seconds (>= 0) */
  SchedJobState end_state;   /* COMPLETED, FAILED or CANCELLED as the trace says */
  guint64       line;        /* source line (1-based), 0 if none */
  const WlJobExtra *extra;   /* (transfer none) or NULL; see above */
  /* SWF's feedback fields 17 and 18: the job this one follows and the user's think time
   * between that job's end and this submission.  Only the SWF reader fills them (field 17
   * of -1, 0 or the job's own number gives 0; a negative think time gives 0); the
   * simulator uses them with SimOptions.swf_dependencies (sim/engine.h). */
  SchedJobId    preceding;   /* SWF field 17: preceding job number, 0 = none */
  SchedTime     think_time;  /* SWF field 18: seconds (>= 0), 0 when not given */
} WlJob;

/* What a trace's header says.  -1 = not given. */
typedef struct {
  gint64 max_procs;
  gint64 max_nodes;
  gint64 unix_start_time;
  char  *time_zone_string;   /* NULL if absent */
  GPtrArray *header_lines;   /* all ';' lines, verbatim without the newline (char *) */
  /* The machine a tabular (CSV, sacct) trace implies, when the reader knows it (open.h):
   * nodes of cpus_per_node CPUs, mem_per_node_mb MB and gpus_per_node GPUs; max_nodes is
   * then how many.  -1 = not known. */
  gint64 cpus_per_node;
  gint64 mem_per_node_mb;
  gint64 gpus_per_node;
  char  *machine_list;       /* a node list file that describes the machine, or NULL */
} WlTraceInfo;

/* Receives one human-readable warning about the input ("trace.swf:12: field 4 (run time):
 * ..."); `message` is valid during the call only. */
typedef void (*WlWarnFunc) (const char *message, gpointer user_data);

typedef struct _WlReader WlReader;

typedef struct {
  gboolean (*next) (WlReader *r, WlJob *out, gboolean *eof, GError **error);
  void     (*finalize) (WlReader *r);
} WlReaderOps;

/* Ownership: an implementation embeds WlReader as the first member of its own struct,
 * allocates that struct with g_new0 and calls wl__reader_init.  wl_reader_free then calls
 * ops->finalize (which frees only the implementation's own fields, never the struct; the
 * common part is still valid during the call), frees info.header_lines,
 * info.time_zone_string, info.machine_list and name, and finally g_free()s the struct. */
struct _WlReader {
  const WlReaderOps *ops;
  WlTraceInfo        info;
  WlCounts           counts;
  char              *name;       /* for messages: file name or generator name */
};

/* Reads the next record into `out` (out->extra is NULL and out->preceding and
 * out->think_time are 0 unless the reader sets them).  Returns
 * TRUE with *eof = FALSE and `out` filled, or TRUE with *eof = TRUE at the end, or FALSE
 * with `error` set (the reader is then at an undefined position; stop reading). */
gboolean wl_reader_next (WlReader *r, WlJob *out, gboolean *eof, GError **error);
/* Return (transfer none) the header information and the counts, valid as long as `r`.
 * The mutable counts are for drivers that skip or adjust records further (too_large,
 * clipped, submit_reordered). */
const WlTraceInfo *wl_reader_get_info (const WlReader *r);
const WlCounts    *wl_reader_get_counts (const WlReader *r);
WlCounts          *wl_reader_get_counts_mutable (WlReader *r);
/* Frees the reader (see "Ownership" above) and drops its stream; NULL is a no-op. */
void wl_reader_free (WlReader *r);

/* For implementations: initializes the common part: `ops` (static, transfer none), info
 * all -1 / NULL with an empty header_lines array (owns its strings), counts zero, and a
 * copy of `name` (NULL becomes "<stream>"). */
void wl__reader_init (WlReader *r, const WlReaderOps *ops, const char *name);

/* Opens `path` for reading, decompressing it when its name ends in ".gz", behind a 256 KiB
 * GBufferedInputStream.  Returns (transfer full) a stream, or NULL with `error` set
 * (WL_ERROR_IO, "path: reason").  Corrupt compressed data shows up as a read error. */
GInputStream *wl_open_input (const char *path, GError **error);

/* For implementations: reads at most `size` bytes of `in` into `buf`.  Returns how many
 * (0 at the end of the stream), or -1 with `error` set (WL_ERROR_IO, "name: read failed:
 * reason"). */
gssize wl__read_input (GInputStream *in, const char *name, void *buf, gsize size,
                       GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WlReader, wl_reader_free)

G_END_DECLS
