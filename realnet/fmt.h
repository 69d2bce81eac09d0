/* SPDX-License-Identifier: MIT */
/* realnet/fmt.h - Slurm 22.05's output formats: squeue, sinfo, scontrol show, sacct.
 *
 * The output side of the client commands, as pure functions from the records of
 * docs/realnet.md (jansson values: job, node and partition records, config entries) to
 * text.  A command front end fetches the records from the controller, fills an options
 * struct from its command line and prints what one call here returns.  The texts are
 * those of real Slurm 22.05 byte for byte (/work/shared/reference/slurm-22.05-outputs.md
 * is the specification; tests/realnet/test-fmt.c compares against its captures).
 *
 * Nothing here reads a clock, the environment or a file: "now" (Unix seconds) and the
 * local time zone are parameters, so outputs are deterministic.  A NULL `tz` means UTC.
 * Day and month names are English whatever the locale, as Slurm's C locale prints them.
 *
 * Records are trusted for nothing: a missing or wrongly typed field prints what Slurm
 * prints for an unknown value ("(null)", "N/A", "Unknown", "None", 0 or an empty
 * column); a non-array where a list is expected is an empty list; a non-object element
 * is skipped.  No function aborts on record contents.
 *
 * Format strings (squeue/sinfo `-o`): literal text, and fields `%[.|-][#][width]letter`.
 * `.` right-justifies, `-` (or nothing) left-justifies; a value is cut to the width when
 * Slurm cuts it (names, states, ids) and overflows it when Slurm lets it (times, node
 * lists); `%%` is a literal `%`.  An unknown letter prints nothing (Slurm drops it) and
 * adds "Invalid job format specification: X" (squeue) or "Invalid node format
 * specification: X" (sinfo) to `warnings` when given.
 *
 * Costs: O(records x fields) plus the sort, O(n log n).  Every returned string is
 * (transfer full), freed with g_free. */
#pragma once
#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define NET_FMT_ERROR (net_fmt_error_quark ())
GQuark net_fmt_error_quark (void);

typedef enum {
  NET_FMT_ERROR_BAD_FIELD = 1,  /* an unknown -O / --format field name */
  NET_FMT_ERROR_BAD_SORT,       /* an unknown -S sort key */
} NetFmtError;

/* ---- time formats ------------------------------------------------------------------ */

/* squeue's TIME/TIME_LEFT: "0:00", "0:27", "59:59", "1:00:00", "23:59:59",
 * "1-00:00:00".  Negative or beyond 365 days: "INVALID". */
char *net_fmt_secs_short (gint64 secs);

/* squeue's TIME_LIMIT for a limit in seconds: rounded up to whole minutes, then as
 * net_fmt_secs_short ("1:00" for 30 s, "1:30:00"); -1 (or below) gives "UNLIMITED". */
char *net_fmt_limit_short (gint64 limit_secs);

/* sinfo's TIMELIMIT: as net_fmt_limit_short, but -1 gives "infinite". */
char *net_fmt_limit_sinfo (gint64 limit_secs);

/* scontrol's and sacct's durations: "00:00:00", "00:10:00", "1-02:04:00"; negative
 * gives "INVALID". */
char *net_fmt_secs_long (gint64 secs);

/* scontrol's TimeLimit: rounded up to whole minutes, then as net_fmt_secs_long;
 * -1 gives "UNLIMITED". */
char *net_fmt_limit_long (gint64 limit_secs);

/* A timestamp "2026-11-25T22:56:32" in `tz`; t <= 0 gives "Unknown". */
char *net_fmt_timestamp (gint64 t, GTimeZone *tz);

/* The date line of `squeue -l` and `sinfo -l`: "Wed Nov 25 22:56:35 2026" (no newline). */
char *net_fmt_date_line (gint64 now, GTimeZone *tz);

/* A memory size in MB as Slurm prints it: "250M", "16000M", "4G" (whole units only). */
char *net_fmt_mem_mb (gint64 mb);

/* ---- squeue -------------------------------------------------------------------------- */

typedef struct {
  const char *format;          /* -o/--format; NULL: the default (or -l / --start) one */
  const char *format_long;     /* -O/--Format "JobID:10,Name,State:.8"; wins over format */
  const char *sort;            /* -S; NULL: "P,t,-p" ("S" with start) */
  const char *const *states;   /* -t: NULL-terminated names ("RUNNING") or compact forms
                                * ("R"), case-insensitive, "all"; NULL: pending, running,
                                * suspended and completing jobs only */
  gboolean    long_output;     /* -l: date line and the long default format */
  gboolean    start;           /* --start: pending jobs, START_TIME and SCHEDNODES */
  gboolean    no_header;       /* -h */
  gboolean    array_expand;    /* -r: a record with array_tasks prints one line a task */
} NetSqueueOptions;

/* The text squeue prints for `jobs` (an array of job records): date line (-l), header,
 * one line per job, sorted (ties: job id in the direction of the last key, array tasks
 * ascending).  `warnings` (nullable, element free func g_free) receives the messages of
 * unknown -o letters.  Returns NULL with `error` set for an unknown -O field or -S key
 * (NET_FMT_ERROR_BAD_FIELD, NET_FMT_ERROR_BAD_SORT). */
char *net_fmt_squeue (json_t *jobs, const NetSqueueOptions *opts, gint64 now, GTimeZone *tz,
                      GPtrArray *warnings, GError **error);

/* `squeue -s`: the running jobs' steps in Slurm's "%.15i %.8j %.9P %.8u %.9M %N" (header
 * "STEPID NAME PARTITION USER TIME NODELIST" unless `no_header`), by partition and job id,
 * each job's srun steps in step order, then its batch step. */
char *net_fmt_squeue_steps (json_t *jobs, gboolean no_header, gint64 now);

/* `squeue --json`: {"meta": {...}, "errors": [], "jobs": [...]} in Slurm 22.05's shape
 * (openapi v0.0.38 field names) with the fields our records carry, 2-space indented,
 * ending in a newline. */
char *net_fmt_squeue_json (json_t *jobs, gint64 now);

/* ---- sinfo --------------------------------------------------------------------------- */

typedef struct {
  const char *format;          /* -o; NULL: the default of the mode below */
  gboolean    node_oriented;   /* -N: one line per node and partition */
  gboolean    long_output;     /* -l: date line, long states */
  gboolean    summarize;       /* -s: "%#P %.5a %.10l %.16F %N" */
  gboolean    list_reasons;    /* -R: "%20E %9u %19H %N" over down/drained nodes */
  gboolean    no_header;       /* -h */
} NetSinfoOptions;

/* The text sinfo prints for `nodes` and `parts` (arrays of node and partition records,
 * in configuration order).  Nodes are grouped into one line per partition and set of
 * printed values (node-oriented: per node and partition), lines sorted as Slurm's "#P,-t"
 * (partition order, then state decreasing: draining before mixed before allocated before
 * idle) or "N" for -N; node lists are compressed ("n[1-4]").  %#P and %#N are as wide as
 * the longest partition name (+1 for the default's `*`) or node list, at least 9.
 * `warnings` as for net_fmt_squeue. */
char *net_fmt_sinfo (json_t *nodes, json_t *parts, const NetSinfoOptions *opts,
                     gint64 now, GTimeZone *tz, GPtrArray *warnings);

/* `sinfo --json`: {"meta", "errors": [], "nodes": [...], "partitions": [...]}. */
char *net_fmt_sinfo_json (json_t *nodes, json_t *parts);

/* ---- scontrol show ------------------------------------------------------------------- */

/* `scontrol show job` for one job record, ending in "   Power=\n   \n\n".  RunTime of a
 * running job is now - start_time. */
char *net_fmt_scontrol_job (json_t *job, gint64 now, GTimeZone *tz);

/* `scontrol show node` for one node record, ending in an empty line.  " Port=N" is
 * printed when the port differs from `slurmd_port` (SlurmdPort, 6818 by default). */
char *net_fmt_scontrol_node (json_t *node, guint slurmd_port, GTimeZone *tz);

/* `scontrol show partition` for one partition record, ending in an empty line. */
char *net_fmt_scontrol_partition (json_t *part);

/* `scontrol show config`: "Configuration data as of <now>\n" then "KEY = value" lines
 * (key padded to 23), sorted by key case-insensitively.  `entries` is the `config`
 * reply's [[key, value] ...]; a value may be a string, number, boolean or null
 * ("(null)"). */
char *net_fmt_scontrol_config (json_t *entries, gint64 now, GTimeZone *tz);

/* ---- sacct --------------------------------------------------------------------------- */

typedef struct {
  const char *format;          /* --format "JobID,JobName%20,State"; NULL: the default
                                * "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode" */
  gboolean    no_steps;        /* -X: no .batch lines */
  gboolean    parsable;        /* -p: '|' after every field */
  gboolean    parsable2;       /* -P: '|' between fields */
  gboolean    no_header;       /* -n */
  gboolean    skip_ineligible; /* leave out jobs never eligible (held, waiting on a
                                * dependency), as sacct's default time window does */
  const char *delimiter;       /* --delimiter; NULL: "|" */
} NetSacctOptions;

/* The text sacct prints for `jobs` (job records in the order to print).  A batch job
 * that started gets a "<id>.batch" step line (name "batch", the job's account, the CPUs
 * of the batch host, state CANCELLED for a cancelled or timed-out job with ExitCode
 * "0:<signal>").  Values wider than their column end in '+' ("CANCELLED+"); parsable
 * output is never cut.  Returns NULL with `error` set for an unknown field name
 * (NET_FMT_ERROR_BAD_FIELD). */
char *net_fmt_sacct (json_t *jobs, const NetSacctOptions *opts, gint64 now, GTimeZone *tz,
                     GError **error);

G_END_DECLS
