/* SPDX-License-Identifier: MIT */
/* workloads/rows.h - what the tabular trace readers (CSV, sacct) share: options, value
 * parsers, the GPU-to-node layout and the made-up time limit.
 *
 * A tabular trace has one job per row and names its columns in a header.  Its values come
 * in a few kinds, parsed here once for every format: points in time (numbers of seconds
 * or dates), durations (seconds, or Slurm's [D-]HH:MM:SS), memory sizes with Slurm's units
 * and GPU counts that must be laid out on nodes.  Each parser is a pure function of its
 * bytes (no allocation on the common paths, no locale) and answers WL_PARSE_OK,
 * WL_PARSE_NONE for a valid token meaning "no value" (an empty field, NaN, None, Unknown,
 * UNLIMITED...) or WL_PARSE_BAD.  WlReaderOptions is the one options record of every
 * trace format; each reader documents which fields it reads. */
#pragma once
#include <gio/gio.h>
#include "workloads/trace.h"

G_BEGIN_DECLS

/* How a job without a requested time gets one (the core plans with limits only). */
typedef enum {
  WL_LIMIT_LADDER = 0,  /* the run time rounded up to the next of 1h, 2h, 4h, 8h, 12h, 24h,
                         * 48h, 72h, 7d, beyond 7 days to whole days (reqtime_synthesized) */
  WL_LIMIT_RUNTIME,     /* the run time itself, at least 1 s (reqtime_from_runtime) */
  WL_LIMIT_FACTOR,      /* the run time times limit_factor, rounded up, at least 1 s
                         * (reqtime_synthesized) */
  WL_LIMIT_ROUND_UP,    /* the run time rounded up to the next common limit value: 5, 10,
                         * 15, 30 min, then the ladder's 1h ... 7d and whole days
                         * (reqtime_synthesized; `--synth-limit round-up`) */
} WlLimitRule;

/* What a name in a trace refers to, for WlResolveFunc. */
typedef enum {
  WL_NAME_PARTITION = 0,  /* answer a partition index, or -1 for the default partition */
  WL_NAME_GPU_TYPE,       /* answer an interned GPU type id, or 0 for any type */
} WlNameKind;

/* Maps a partition or GPU type name found in a trace (NUL-terminated, valid during the
 * call) to the cluster's numbering.  Called once per distinct name; the answer is cached.
 * The CSV and sacct readers handle records only inside wl_reader_next, never while they
 * are being created, so a caller may build its cluster after opening the reader. */
typedef gint64 (*WlResolveFunc) (WlNameKind kind, const char *name, gpointer user_data);

/* Options of every trace reader.  wl_reader_options_init sets the defaults given here. */
typedef struct {
  /* all formats */
  gboolean      strict;            /* a malformed record is an error, not a counted skip
                                    * (FALSE) */
  guint         max_warnings;      /* malformed records reported when not strict (10) */
  WlWarnFunc    warn_func;         /* NULL: "sluice: warning: <message>" on stderr */
  gpointer      warn_data;
  gboolean      keep_zero_runtime; /* keep 0-second jobs instead of skipping them (FALSE) */
  /* SWF */
  gboolean      prefer_requested;  /* size from requested processors first (FALSE) */
  /* CSV and sacct */
  const char   *columns;           /* CSV column map "target=column,..." (csvtrace.h); NULL */
  char          delimiter;         /* field separator; 0 = the format's (',' or from the
                                    * sacct header) */
  guint         gpus_per_node;     /* G: a job of g GPUs takes ceil(g/G) nodes (8) */
  guint         sort_window;       /* rows held to sort by submit time; 0 = the format's
                                    * default (65,536; 131,072 for Philly); 1 = no sorting */
  WlLimitRule   limit_rule;        /* for jobs without a requested time (WL_LIMIT_LADDER) */
  double        limit_factor;      /* for WL_LIMIT_FACTOR (2.0) */
  const char   *time_zone;         /* zone of dates written without one, as
                                    * g_time_zone_new_identifier takes it; NULL = UTC */
  WlResolveFunc resolve;           /* partition and GPU type names; NULL: every job goes to
                                    * the default partition and takes any GPU type */
  gpointer      resolve_data;
  /* wl_reader_open (open.h) */
  gboolean      scan;              /* read a CSV or sacct trace once ahead to describe its
                                    * machine in WlTraceInfo (open.h) (FALSE) */
} WlReaderOptions;

void wl_reader_options_init (WlReaderOptions *opts);

typedef enum {
  WL_PARSE_OK = 0,
  WL_PARSE_NONE,      /* valid, but says there is no value */
  WL_PARSE_BAD,
} WlParse;

/* A point in time, as seconds on the trace's clock.  Accepted: a decimal number of
 * seconds (Unix time or relative to the trace start: both are kept as they are; a fraction
 * is rounded to the nearest second, halves away from zero; the number must be >= 0, and -1
 * means "no value"); a date "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" or with 'T' for the
 * space, optionally followed by "Z" or an offset "+HH", "+HH:MM", "+HHMM" (or '-'), which
 * becomes Unix time; any other ISO 8601 form g_date_time_new_from_iso8601 accepts.  A date
 * written without a zone is in `tz` (NULL: UTC).  NONE for "", "NaN", "NA", "N/A", "None",
 * "null", "Unknown" (case-insensitive) and -1. */
WlParse wl_parse_time (const char *s, gsize len, GTimeZone *tz, SchedTime *out);

/* A duration in seconds: a decimal number >= 0 (rounded as above), or, when it contains
 * ':' or '-', Slurm's form (wl_parse_slurm_duration).  NONE as for wl_parse_time, and for
 * -1. */
WlParse wl_parse_seconds (const char *s, gsize len, SchedTime *out);

/* A Slurm duration: "M" (minutes), "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S", where the
 * seconds may have a fraction ("03:04.5", rounded as above).  NONE for "UNLIMITED",
 * "INFINITE", "Partition_Limit", "None", "Unknown" and "". */
WlParse wl_parse_slurm_duration (const char *s, gsize len, SchedTime *out);

/* Whom a memory request is for. */
typedef enum {
  WL_MEM_PER_NODE = 0,  /* "n" suffix, or none */
  WL_MEM_PER_CPU,       /* "c" suffix */
} WlMemPer;

/* A Slurm memory size: a decimal number with an optional unit K, M (the default), G, T
 * (powers of 1024; the result is in MB, rounded up) and an optional 'c' (per CPU) or 'n'
 * (per node) suffix: "4000M", "2G", "4000Mc", "2Gn", "100".  NONE for "", "0" with any
 * unit, and the values wl_parse_time calls empty. */
WlParse wl_parse_slurm_mem (const char *s, gsize len, guint64 *mb, WlMemPer *per);

/* GPUs from a Slurm TRES list ("cpu=4,mem=16G,node=1,billing=4,gres/gpu=4" or with typed
 * entries "gres/gpu:a100=4"): the untyped gres/gpu count if there is one, else the sum of
 * the typed ones.  *type (transfer full, may be NULL) is the type when exactly one type is
 * named.  Also returns the "cpu", "node" and "mem" entries (memory in MB; the job's total)
 * when the pointers are not NULL; an absent entry leaves 0.  NONE when the list is empty;
 * BAD when an entry does not parse. */
WlParse wl_parse_tres (const char *s, gsize len, guint64 *gpus, char **type, guint64 *cpus,
                       guint64 *nodes, guint64 *mem_mb);

/* Lays out `gpus` GPUs (> 0) on nodes: `nodes` = the trace's node count when it gives one
 * (> 0), else ceil(gpus / gpus_per_node); then ceil(gpus / nodes) GPUs on each.  So a job
 * of g <= G GPUs takes one node with g GPUs, one of a multiple of G takes g/G full nodes,
 * and one of 12 GPUs with G = 8 takes 2 nodes of 6.  Returns TRUE when the layout holds
 * more GPUs than asked (nodes * per-node > gpus: 9 GPUs become 2 x 5), which readers count
 * as gpus_rounded_up. */
gboolean wl_gpu_layout (guint64 gpus, guint32 gpus_per_node, guint32 *nodes,
                        guint32 *gpus_each);

/* The time limit `rule` makes up for a job that ran `runtime` seconds (see WlLimitRule);
 * always >= 1. */
SchedTime wl_limit_synthesize (WlLimitRule rule, double factor, SchedTime runtime);

G_END_DECLS
