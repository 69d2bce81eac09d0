/* SPDX-License-Identifier: MIT */
/* realnet/jobreq.h - sbatch and srun command lines plus #SBATCH directives -> the job
 * request of docs/realnet.md (a jansson object).
 *
 * Pure: no I/O, no clock, no process environment.  The caller reads the script (from its
 * path or from stdin), and passes the working directory, the environment, the submit host
 * and "now" in a NetJobEnv.  Options follow Slurm 22.05's getopt_long rules: short options
 * cluster ("-HN2"), take their value attached or as the next word ("-N2", "-N 2"), long
 * ones take "--opt=val" or "--opt val" (optional values only with '='), unique prefixes of
 * long names are accepted ("--part=debug"), and parsing stops at the first non-option word
 * or at "--" (sbatch: the script and its arguments; srun: the command and its arguments).
 * Only what the user gave goes into the request; the controller applies the defaults.
 *
 * Keys of the request, beyond docs/realnet.md's table (all optional, absent = not given):
 *   "name" (-J, else the script's basename, "wrap" for --wrap, "sbatch" for a script read
 *   from stdin, srun: the command's basename), "script", "script_argv" (only when the
 *   script has arguments), "workdir" (cwd, or -D made absolute against cwd),
 *   "environment" (the environment after --export), "export" (--export as written),
 *   "submit_host", "nodes_min"/"nodes_max" (-N N gives both N; -N 2-4 gives 2 and 4),
 *   "ntasks", "cpus_per_task", "ntasks_per_node", "time_limit"/"time_min" (seconds,
 *   rounded up to whole minutes; -1 = UNLIMITED, which "0" also means, as in Slurm),
 *   "mem_per_node_mb" (--mem; 0 = all the memory of each node, as Slurm's --mem=0),
 *   "mem_per_cpu_mb", "gpus_per_node" and "gpu_type" (--gres=gpu[:type][:N],
 *   --gpus-per-node), "gres" (the --gres items that are not GPUs, or the whole list when
 *   it names several GPU types; as written), "gpus" (-G [type:]N), "stdout", "stderr",
 *   "stdin" (as written, %-patterns kept), "array", "dependency" (as written, checked),
 *   "hold", "begin" (Unix time), "exclusive" (true for --exclusive),
 *   "exclusive_mode" ("user", "mcs" or "topo" for --exclusive=MODE), "account", "qos",
 *   "constraint", "nice", "requeue", "nodelist", "exclude", "comment", "mail_type",
 *   "mail_user", "open_mode" ("append" or "truncate").
 *   srun adds "interactive": {"argv": [...], "label": bool} (the `alloc` message).
 *
 * Errors: every failure is a GError in NET_JOBREQ_ERROR whose message is exactly what the
 * command prints on stderr, one or more lines joined by '\n' without a final newline
 * ("sbatch: error: Invalid --time specification"); the caller prints it and exits 1.
 * Errors in #SBATCH lines name the place: "sbatch: error: job.sh:3: Invalid --time
 * specification".  Costs: O(length of argv + script). */
#pragma once
#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define NET_JOBREQ_ERROR (net_jobreq_error_quark ())
GQuark net_jobreq_error_quark (void);

typedef enum {
  NET_JOBREQ_ERROR_USAGE,      /* unknown option, missing value, bad value */
  NET_JOBREQ_ERROR_SCRIPT,     /* empty script, no "#!", DOS line breaks */
  NET_JOBREQ_ERROR_DIRECTIVE,  /* a bad #SBATCH line */
} NetJobreqError;

/* Slurm's default MaxArraySize: array indices go from 0 to this - 1. */
#define NET_JOBREQ_MAX_ARRAY_SIZE 1001

/* What the command knows about where it runs.  Every pointer is (transfer none) and must
 * live for the call. */
typedef struct {
  const char        *cwd;            /* absolute working directory (required) */
  const char *const *environ;        /* NULL-terminated "K=V" array; NULL = empty */
  const char        *submit_host;    /* NULL: no "submit_host" key */
  gint64             now;            /* Unix time, for --begin */
  GTimeZone         *tz;             /* for --begin dates; NULL = UTC */
  guint64            job_id;         /* srun: SLURM_JOB_ID of the enclosing job, 0 = none */
  guint              max_array_size; /* MaxArraySize; 0 = NET_JOBREQ_MAX_ARRAY_SIZE */
} NetJobEnv;

/* Switches for the command itself, not sent to the controller.  Directives may set them
 * too (#SBATCH --parsable). */
typedef struct {
  gboolean parsable;     /* --parsable: print only the job id */
  gboolean wait;         /* sbatch -W/--wait: wait for the job to end */
  gboolean quiet;        /* -Q/--quiet */
  guint    verbose;      /* -v, counted */
  gboolean test_only;    /* --test-only */
  gboolean help;         /* -h/--help: print help, submit nothing */
  gboolean usage;        /* --usage */
  gboolean version;      /* -V/--version */
  gboolean label;        /* srun -l/--label */
  gboolean unbuffered;   /* srun -u/--unbuffered */
  gboolean pty;          /* srun --pty: task 0 on a terminal */
  gboolean input;        /* srun forwards its stdin to the tasks (not -i none / -i FILE) */
} NetClientFlags;

/* ---- sbatch --------------------------------------------------------------------------- */

/* A parsed sbatch command line, before the script is known. */
typedef struct _NetSbatch NetSbatch;

/* Parses sbatch's argv (argv[0] is the program name and is skipped; argc counts it).
 * Returns (transfer full) the parsed line, or NULL with `error` set (unknown option,
 * missing or bad value, script arguments with --wrap).  Values are fully checked here,
 * except --export and --begin, which need the environment and are checked by
 * net_sbatch_build. */
NetSbatch *net_sbatch_parse_args (int argc, const char *const *argv, GError **error);
void       net_sbatch_free       (NetSbatch *s);     /* NULL is a no-op */

/* (transfer none, lives as `s`) The script path to read, or NULL when the script comes
 * from stdin or from --wrap (see net_sbatch_needs_script). */
const char *net_sbatch_get_script_path (const NetSbatch *s);
/* FALSE when --wrap makes the script: the caller need not read anything. */
gboolean    net_sbatch_needs_script    (const NetSbatch *s);
/* (transfer none) The flags the command line set (help, version ...), before directives. */
const NetClientFlags *net_sbatch_get_flags (const NetSbatch *s);

/* Builds the submit request.  `script` (transfer none) is the text of the script file or
 * of stdin; it is ignored (may be NULL) with --wrap.  The script must not be empty or
 * blank, must start with "#!" and must not hold "\r\n" (Slurm's three refusals, with its
 * texts).  Its #SBATCH directives are applied first, then the command line again, so the
 * command line wins.  `flags` (may be NULL) receives the client switches.  Returns
 * (transfer full) the request, or NULL with `error` set. */
json_t *net_sbatch_build (const NetSbatch *s, const char *script, const NetJobEnv *env,
                          NetClientFlags *flags, GError **error);

/* net_sbatch_parse_args then net_sbatch_build, in one call. */
json_t *net_sbatch_request (int argc, const char *const *argv, const char *script,
                            const NetJobEnv *env, NetClientFlags *flags, GError **error);

/* One #SBATCH line, split into words as Slurm splits them (quotes, backslashes, a word
 * starting with '#' ends the line). */
typedef struct {
  guint  line;           /* 1-based line number in the script */
  char **words;          /* NULL-terminated, (transfer full) */
} NetDirective;

/* Finds the #SBATCH lines of `script`: lines starting with "#SBATCH" before the first
 * line that is neither blank nor a comment (Slurm's rule); "# SBATCH" is a comment.  A
 * trailing '\r' is dropped from each line.  `file` names the script in errors.  Returns
 * (transfer full) a GArray of NetDirective (its clear function frees the words), or NULL
 * with `error` set (NET_JOBREQ_ERROR_DIRECTIVE, "sbatch: fatal: job.sh: line 3: Unmatched
 * `\"` in [...]"). */
GArray *net_sbatch_directives (const char *script, const char *file, GError **error);

/* ---- srun ----------------------------------------------------------------------------- */

/* Parses srun's argv: options, then the command and its arguments (the first non-option
 * word and everything after it, options included: "srun -n2 bash -c x" runs
 * ["bash", "-c", "x"]).  Outside a job (env->job_id == 0) returns the `alloc` request:
 * a job request with "interactive": {"argv", "label"}.  Inside one, returns the `step`
 * request {"job_id", "argv", "ntasks", "nodes"?, "label"}, where ntasks is -n, else
 * SLURM_NTASKS from the environment, else -N's minimum, else 1.  `cmd_argv` (may be NULL)
 * receives (transfer full) the command; `is_step` (may be NULL) which kind was built;
 * `flags` (may be NULL) the client switches.  No command is an error ("srun: fatal: No
 * command given to execute."), unless --help, --usage or --version was given (then the
 * request is an empty object).  Returns (transfer full) the request, or NULL with `error`
 * set. */
json_t *net_srun_request (int argc, const char *const *argv, const NetJobEnv *env,
                          NetClientFlags *flags, char ***cmd_argv, gboolean *is_step,
                          GError **error);

/* ---- value syntax, for other commands (scontrol update ...) --------------------------- */

/* Slurm's --time syntax ("MM", "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS",
 * "UNLIMITED", "INFINITE", "-1"; "0" means UNLIMITED) into seconds rounded up to whole
 * minutes, -1 for UNLIMITED.  FALSE if it does not parse (*seconds unchanged). */
gboolean net_jobreq_parse_time (const char *s, gint64 *seconds);

/* Slurm's --begin syntax: "now[+-N[units]]", "HH:MM[:SS][AM|PM]" (today, or tomorrow if
 * past), "midnight", "noon", "elevenses", "fika", "teatime", "today", "tomorrow",
 * "YYYY-MM-DD[THH:MM[:SS]]", "MMDD[YY]", "MM/DD[/YY]", "MM.DD[.YY]" (a date without year
 * that is past means next year).  Units: s, sec, seconds, m, min, minutes, h, hour(s),
 * d, day(s), w, week(s); none = seconds.  Dates are in `tz` (NULL = UTC).  FALSE if it
 * does not parse (*out unchanged). */
gboolean net_jobreq_parse_begin (const char *s, gint64 now, GTimeZone *tz, gint64 *out);

/* Applies --export `spec` (NULL = ALL) to `environ` (NULL-terminated, may be NULL):
 * "ALL" (everything), "ALL,A=1,B" (everything, A set to 1), "NONE" (only the SLURM_*
 * variables), "NIL" (nothing), "A,B=2" or "NONE,A" (the SLURM_* variables, A from the
 * environment if set there, and B=2).  Order follows `environ`, new variables at the end.
 * Returns (transfer full) the "K=V" strings, or NULL if `spec` has an empty name. */
GStrv net_jobreq_apply_export (const char *spec, const char *const *envp);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSbatch, net_sbatch_free)

G_END_DECLS
