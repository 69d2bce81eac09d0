/* SPDX-License-Identifier: MIT */
/* realnet/jobreq.c - sbatch/srun options and #SBATCH directives -> job request (jobreq.h).
 *
 * One table lists every option (long name, short letter, argument kind, which commands
 * take it); one walker reads words as glibc's getopt_long does with a leading '+' (stop
 * at the first non-option), and calls one handler per option, which checks the value and
 * sets keys of the request object directly, so a later setting simply replaces an earlier
 * one.  sbatch applies the #SBATCH lines (level 0) and then its command line again (level
 * 1): the command line wins, and the few "one of these per level" rules (--mem against
 * --mem-per-cpu) are tracked per level.  Value syntax comes from workloads/: times
 * (wl_parse_slurm_time_minutes), gres (wl_parse_gres), dependencies (wl_parse_dependency),
 * arrays (wl_parse_array) and constraints (wl_check_constraint).  Messages are Slurm's
 * texts where known; every string put in the request is checked to be UTF-8 first, since
 * the request travels as JSON. */
#include "realnet/jobreq.h"
#include "workloads/jobextra.h"
#include "workloads/slurmparse.h"

#include <string.h>

G_DEFINE_QUARK (net-jobreq-error-quark, net_jobreq_error)

/* ---- the option table ------------------------------------------------------------------ */

typedef enum { M_SBATCH = 1, M_SRUN = 2, M_BOTH = 3 } Mode;
typedef enum { A_NONE, A_REQ, A_OPT } ArgKind;

typedef enum {
  O_ACCOUNT, O_ARRAY, O_BEGIN, O_CHDIR, O_COMMENT, O_CONSTRAINT, O_CPUS_PER_TASK,
  O_DEPENDENCY, O_ERROR, O_EXCLUDE, O_EXCLUSIVE, O_EXPORT, O_GPUS, O_GPUS_PER_NODE, O_GRES,
  O_HELP, O_HOLD, O_INPUT, O_JOB_NAME, O_LABEL, O_MAIL_TYPE, O_MAIL_USER, O_MEM,
  O_MEM_PER_CPU, O_NICE, O_NO_REQUEUE, O_NODELIST, O_NODES, O_NTASKS, O_NTASKS_PER_NODE,
  O_OPEN_MODE, O_OUTPUT, O_PARSABLE, O_PARTITION, O_PTY, O_QOS, O_QUIET, O_REQUEUE,
  O_TEST_ONLY, O_TIME, O_TIME_MIN, O_UID, O_UNBUFFERED, O_USAGE, O_VERBOSE, O_VERSION,
  O_WAIT, O_SRUN_WAIT, O_WRAP, O_SIGNAL, O_GPUS_PER_TASK, O_MEM_PER_GPU, O_CPUS_PER_GPU,
  O_LICENSES, O_RESERVATION,
  O_IGNORED,   /* accepted, no effect in sluice's model (README "Options accepted") */
} OptId;

typedef struct {
  const char *name;
  char        letter;   /* 0: long only */
  ArgKind     arg;
  guint8      modes;
  OptId       id;
} OptDef;

static const OptDef options[] = {
  { "account", 'A', A_REQ, M_BOTH, O_ACCOUNT },
  { "array", 'a', A_REQ, M_SBATCH, O_ARRAY },
  { "begin", 'b', A_REQ, M_BOTH, O_BEGIN },
  { "chdir", 'D', A_REQ, M_BOTH, O_CHDIR },
  { "comment", 0, A_REQ, M_BOTH, O_COMMENT },
  { "constraint", 'C', A_REQ, M_BOTH, O_CONSTRAINT },
  { "cpus-per-task", 'c', A_REQ, M_BOTH, O_CPUS_PER_TASK },
  { "dependency", 'd', A_REQ, M_BOTH, O_DEPENDENCY },
  { "error", 'e', A_REQ, M_BOTH, O_ERROR },
  { "exclude", 'x', A_REQ, M_BOTH, O_EXCLUDE },
  { "exclusive", 0, A_OPT, M_BOTH, O_EXCLUSIVE },
  { "export", 0, A_REQ, M_BOTH, O_EXPORT },
  { "gpus", 'G', A_REQ, M_BOTH, O_GPUS },
  { "gpus-per-node", 0, A_REQ, M_BOTH, O_GPUS_PER_NODE },
  { "gres", 0, A_REQ, M_BOTH, O_GRES },
  { "help", 'h', A_NONE, M_BOTH, O_HELP },
  { "hold", 'H', A_NONE, M_BOTH, O_HOLD },
  { "input", 'i', A_REQ, M_BOTH, O_INPUT },
  { "job-name", 'J', A_REQ, M_BOTH, O_JOB_NAME },
  { "label", 'l', A_NONE, M_SRUN, O_LABEL },
  { "mail-type", 0, A_REQ, M_BOTH, O_MAIL_TYPE },
  { "mail-user", 0, A_REQ, M_BOTH, O_MAIL_USER },
  { "mem", 0, A_REQ, M_BOTH, O_MEM },
  { "mem-per-cpu", 0, A_REQ, M_BOTH, O_MEM_PER_CPU },
  { "nice", 0, A_OPT, M_BOTH, O_NICE },
  { "no-requeue", 0, A_NONE, M_SBATCH, O_NO_REQUEUE },
  { "nodelist", 'w', A_REQ, M_BOTH, O_NODELIST },
  { "nodes", 'N', A_REQ, M_BOTH, O_NODES },
  { "ntasks", 'n', A_REQ, M_BOTH, O_NTASKS },
  { "ntasks-per-node", 0, A_REQ, M_BOTH, O_NTASKS_PER_NODE },
  { "open-mode", 0, A_REQ, M_BOTH, O_OPEN_MODE },
  { "output", 'o', A_REQ, M_BOTH, O_OUTPUT },
  { "parsable", 0, A_NONE, M_SBATCH, O_PARSABLE },
  { "partition", 'p', A_REQ, M_BOTH, O_PARTITION },
  { "pty", 0, A_NONE, M_SRUN, O_PTY },
  { "qos", 'q', A_REQ, M_BOTH, O_QOS },
  { "quiet", 'Q', A_NONE, M_BOTH, O_QUIET },
  { "requeue", 0, A_NONE, M_SBATCH, O_REQUEUE },
  { "test-only", 0, A_NONE, M_BOTH, O_TEST_ONLY },
  { "time", 't', A_REQ, M_BOTH, O_TIME },
  { "time-min", 0, A_REQ, M_BOTH, O_TIME_MIN },
  { "uid", 0, A_REQ, M_BOTH, O_UID },
  { "unbuffered", 'u', A_NONE, M_SRUN, O_UNBUFFERED },
  { "usage", 0, A_NONE, M_BOTH, O_USAGE },
  { "verbose", 'v', A_NONE, M_BOTH, O_VERBOSE },
  { "version", 'V', A_NONE, M_BOTH, O_VERSION },
  { "wait", 'W', A_NONE, M_SBATCH, O_WAIT },
  { "wait", 'W', A_REQ, M_SRUN, O_SRUN_WAIT },    /* srun: -W seconds */
  { "wrap", 0, A_REQ, M_SBATCH, O_WRAP },
  { "signal", 0, A_REQ, M_BOTH, O_SIGNAL },
  { "tasks-per-node", 0, A_REQ, M_BOTH, O_NTASKS_PER_NODE },
  { "gpus-per-task", 0, A_REQ, M_BOTH, O_GPUS_PER_TASK },
  { "mem-per-gpu", 0, A_REQ, M_BOTH, O_MEM_PER_GPU },
  { "cpus-per-gpu", 0, A_REQ, M_BOTH, O_CPUS_PER_GPU },
  { "licenses", 'L', A_REQ, M_BOTH, O_LICENSES },
  { "reservation", 0, A_REQ, M_BOTH, O_RESERVATION },
  /* accepted without effect: placement inside nodes, accounting and energy options, and
   * requests sluice does not model */
  { "acctg-freq", 0, A_REQ, M_BOTH, O_IGNORED },
  { "clusters", 'M', A_REQ, M_BOTH, O_IGNORED },
  { "contiguous", 0, A_NONE, M_BOTH, O_IGNORED },
  { "cores-per-socket", 0, A_REQ, M_BOTH, O_IGNORED },
  { "cpu-freq", 0, A_REQ, M_BOTH, O_IGNORED },
  { "deadline", 0, A_REQ, M_BOTH, O_IGNORED },
  { "delay-boot", 0, A_REQ, M_BOTH, O_IGNORED },
  { "distribution", 'm', A_REQ, M_BOTH, O_IGNORED },
  { "get-user-env", 0, A_OPT, M_SBATCH, O_IGNORED },
  { "gres-flags", 0, A_REQ, M_BOTH, O_IGNORED },
  { "hint", 0, A_REQ, M_BOTH, O_IGNORED },
  { "kill-on-invalid-dep", 0, A_REQ, M_SBATCH, O_IGNORED },
  { "mincpus", 0, A_REQ, M_BOTH, O_IGNORED },
  { "no-kill", 'k', A_OPT, M_BOTH, O_IGNORED },
  { "ntasks-per-core", 0, A_REQ, M_BOTH, O_IGNORED },
  { "ntasks-per-socket", 0, A_REQ, M_BOTH, O_IGNORED },
  { "overcommit", 'O', A_NONE, M_BOTH, O_IGNORED },
  { "oversubscribe", 's', A_NONE, M_BOTH, O_IGNORED },
  { "priority", 0, A_REQ, M_BOTH, O_IGNORED },
  { "profile", 0, A_REQ, M_BOTH, O_IGNORED },
  { "propagate", 0, A_OPT, M_BOTH, O_IGNORED },
  { "sockets-per-node", 0, A_REQ, M_BOTH, O_IGNORED },
  { "spread-job", 0, A_NONE, M_BOTH, O_IGNORED },
  { "switches", 0, A_REQ, M_BOTH, O_IGNORED },
  { "threads-per-core", 0, A_REQ, M_BOTH, O_IGNORED },
  { "tmp", 0, A_REQ, M_BOTH, O_IGNORED },
  { "use-min-nodes", 0, A_NONE, M_BOTH, O_IGNORED },
  { "wait-all-nodes", 0, A_REQ, M_SBATCH, O_IGNORED },
  { "wckey", 0, A_REQ, M_BOTH, O_IGNORED },
};

static const char *
mode_prog (Mode mode)
{
  return mode == M_SRUN ? "srun" : "sbatch";
}

static const OptDef *
find_short (Mode mode, char c)
{
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if ((options[i].modes & mode) && options[i].letter == c && c != 0)
      return &options[i];
  return NULL;
}

/* An exact name, else the one option that `name` is a prefix of; *ambiguous when several. */
static const OptDef *
find_long (Mode mode, const char *name, gsize len, gboolean *ambiguous)
{
  const OptDef *found = NULL;
  *ambiguous = FALSE;
  if (len == 0)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const OptDef *d = &options[i];
      if (!(d->modes & mode) || strncmp (d->name, name, len) != 0)
        continue;
      if (d->name[len] == '\0')
        {
          *ambiguous = FALSE;
          return d;
        }
      if (found != NULL)
        *ambiguous = TRUE;
      else
        found = d;
    }
  return *ambiguous ? NULL : found;
}

/* ---- applying options ------------------------------------------------------------------ */

typedef struct {
  Mode             mode;
  json_t          *req;       /* the request being built */
  NetClientFlags  *flags;
  const NetJobEnv *env;       /* NULL while only parsing the command line */
  guint            level;     /* 0: #SBATCH lines, 1: command line */
  gboolean         mem_at[2], mem_per_cpu_at[2];
  char            *wrap;      /* --wrap, owned */
  gboolean         no_input;  /* srun -i none */
} Apply;

static gboolean
fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Sets a value error: `format` gives the text after "<prog>: ", starting with "error: " or
 * "fatal: ". */
static gboolean
fail (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE, msg);
  g_free (msg);
  return FALSE;
}

static void
set_str (json_t *req, const char *key, const char *value)
{
  /* Values were checked to be UTF-8 (the whole argv and script are), so this succeeds. */
  json_t *v = json_string (value);
  if (v != NULL)
    json_object_set_new (req, key, v);
}

static void
set_int (json_t *req, const char *key, gint64 value)
{
  json_object_set_new (req, key, json_integer ((json_int_t) value));
}

/* Slurm's parse_int: a positive decimal int. */
static gboolean
opt_int (Apply *a, const char *key, const char *opt, const char *v, GError **error)
{
  gint64 n;
  if (!wl_parse_int (v, 1, G_MAXINT32, &n, NULL))
    return fail (error, "error: Invalid numeric value \"%s\" for %s.", v, opt);
  set_int (a->req, key, n);
  return TRUE;
}

/* Slurm's str_to_mbytes: digits and an optional K, M (default), G or T; MB, K rounded up. */
static gboolean
parse_mbytes (const char *s, gint64 *mb)
{
  gsize n = strlen (s);
  guint64 mult = 1;
  gboolean kilo = FALSE;
  if (n > 1 && strchr ("kKmMgGtT", s[n - 1]) != NULL)
    {
      char u = g_ascii_toupper (s[n - 1]);
      kilo = u == 'K';
      mult = u == 'G' ? 1024 : u == 'T' ? 1024 * 1024 : 1;
      n--;
    }
  if (n == 0 || n > 15)
    return FALSE;
  guint64 v = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
    }
  v = kilo ? (v + 1023) / 1024 : v * mult;
  if (v > (G_GUINT64_CONSTANT (1) << 50))
    return FALSE;
  *mb = (gint64) v;
  return TRUE;
}

/* -N: "N" or "MIN-MAX" (Slurm's verify_node_count, without its k/m multipliers). */
static gboolean
opt_nodes (Apply *a, const char *v, GError **error)
{
  const char *dash = strchr (v, '-');
  g_autofree char *lo_s = dash ? g_strndup (v, (gsize) (dash - v)) : g_strdup (v);
  gint64 lo, hi;
  if (!wl_parse_int (lo_s, 0, G_MAXINT32, &lo, NULL))
    return fail (error, "error: \"%s\" is not a valid node count", lo_s);
  if (lo == 0)
    lo = 1;
  hi = lo;
  if (dash != NULL && !wl_parse_int (dash + 1, 1, G_MAXINT32, &hi, NULL))
    return fail (error, "error: \"%s\" is not a valid node count", dash + 1);
  if (hi < lo)
    return fail (error, "error: Maximum node count %" G_GINT64_FORMAT " is less than "
                 "minimum node count %" G_GINT64_FORMAT, hi, lo);
  set_int (a->req, "nodes_min", lo);
  set_int (a->req, "nodes_max", hi);
  return TRUE;
}

/* "[type:]N" of --gpus and --gpus-per-node, read as the gres "gpu:[type:]N". */
static gboolean
parse_gpu_spec (const char *v, char **type, gint64 *count)
{
  const char *last = strrchr (v, ':');
  gint64 n;
  if (strchr (v, ',') != NULL || !wl_parse_int (last ? last + 1 : v, 0, G_MAXINT32, &n, NULL))
    return FALSE;
  g_autofree char *g = g_strconcat ("gpu:", v, NULL);
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (WlGres));
  g_array_set_clear_func (items, wl_gres_clear);
  if (!wl_parse_gres (g, items, NULL) || items->len != 1)
    return FALSE;
  WlGres *it = &g_array_index (items, WlGres, 0);
  if (it->no_consume || it->count != (guint64) n)
    return FALSE;
  *type = g_strdup (it->type);
  *count = n;
  return TRUE;
}

/* --gres: GPU items become gpus_per_node (+ gpu_type); the others stay a "gres" string. */
static gboolean
opt_gres (Apply *a, const char *v, GError **error)
{
  json_object_del (a->req, "gres");
  if (g_ascii_strcasecmp (v, "none") == 0)
    {
      json_object_del (a->req, "gpus_per_node");
      json_object_del (a->req, "gpu_type");
      return TRUE;
    }
  g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (WlGres));
  g_array_set_clear_func (items, wl_gres_clear);
  if (!wl_parse_gres (v, items, NULL))
    return fail (error, "error: Invalid generic resource (gres) specification");
  guint64 gpus = 0;
  guint n_gpu = 0;
  const char *type = NULL;
  gboolean mixed = FALSE;
  g_autoptr (GString) rest = g_string_new (NULL);
  g_auto (GStrv) written = g_strsplit (v, ",", -1);
  for (guint i = 0; i < items->len; i++)
    {
      const WlGres *g = &g_array_index (items, WlGres, i);
      if (strcmp (g->name, "gpu") != 0)
        {
          if (rest->len > 0)
            g_string_append_c (rest, ',');
          g_string_append (rest, g_strstrip (written[i]));
          continue;
        }
      if (n_gpu > 0 && g_strcmp0 (type, g->type) != 0)
        mixed = TRUE;
      type = g->type;
      gpus += g->count;
      n_gpu++;
    }
  if (gpus > G_MAXINT32)
    return fail (error, "error: Invalid generic resource (gres) specification");
  if (n_gpu > 0)
    {
      set_int (a->req, "gpus_per_node", (gint64) gpus);
      if (type != NULL && !mixed)
        set_str (a->req, "gpu_type", type);
      else
        json_object_del (a->req, "gpu_type");
    }
  if (mixed)
    set_str (a->req, "gres", v);
  else if (rest->len > 0)
    set_str (a->req, "gres", rest->str);
  return TRUE;
}

/* The largest index an --array spec names (steps and the %throttle left out). */
static gint64
array_max_index (const char *s)
{
  gint64 max = -1, cur = -1;
  gboolean step = FALSE;
  for (const char *p = s; *p && *p != '%'; p++)
    {
      if (g_ascii_isdigit (*p))
        {
          cur = MIN ((cur < 0 ? 0 : cur) * 10 + (*p - '0'), G_GINT64_CONSTANT (1) << 40);
          continue;
        }
      if (cur >= 0 && !step)
        max = MAX (max, cur);
      cur = -1;
      step = *p == ':';
    }
  if (cur >= 0 && !step)
    max = MAX (max, cur);
  return max;
}

static gboolean
opt_array (Apply *a, const char *v, GError **error)
{
  guint limit = a->env && a->env->max_array_size ? a->env->max_array_size
                                                  : NET_JOBREQ_MAX_ARRAY_SIZE;
  gint64 max = array_max_index (v);
  WlArraySpec spec;
  if (max >= (gint64) limit || (max > WL_ARRAY_MAX_INDEX && max >= 0))
    {
      /* Slurm's controller refuses indices >= MaxArraySize; sluice numbers up to
       * WL_ARRAY_MAX_INDEX (999), one less than Slurm's default allows. */
      return fail (error, "error: Batch job submission failed: Invalid job array "
                   "specification");
    }
  if (!wl_parse_array (v, &spec, NULL))
    return fail (error, "error: Invalid --array specification");
  set_str (a->req, "array", v);
  return TRUE;
}

static const char *const mail_types[] = {
  "NONE", "BEGIN", "END", "FAIL", "REQUEUE", "ALL", "INVALID_DEPEND", "STAGE_OUT",
  "TIME_LIMIT", "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50", "ARRAY_TASKS",
};

static gboolean
opt_mail_type (Apply *a, const char *v, GError **error)
{
  g_auto (GStrv) items = g_strsplit (v, ",", -1);
  gboolean ok = items[0] != NULL;
  for (guint i = 0; ok && items[i]; i++)
    {
      ok = FALSE;
      for (guint j = 0; j < G_N_ELEMENTS (mail_types); j++)
        ok = ok || g_ascii_strcasecmp (items[i], mail_types[j]) == 0;
    }
  if (!ok)
    return fail (error, "error: --mail-type=%s invalid", v);
  set_str (a->req, "mail_type", v);
  return TRUE;
}

/* --signal=[{R|B}:]SIG[@TIME]: SIG by number or name (with or without "SIG"), TIME seconds
 * before the time limit (default 60, at most 65535); B: signals the batch shell only, R:
 * (reservations) is read and has no effect. */
static gboolean
opt_signal (Apply *a, const char *v, GError **error)
{
  static const struct { const char *name; int num; } names[] = {
    { "HUP", 1 }, { "INT", 2 }, { "QUIT", 3 }, { "KILL", 9 }, { "USR1", 10 }, { "USR2", 12 },
    { "ALRM", 14 }, { "TERM", 15 }, { "CONT", 18 }, { "STOP", 19 }, { "TSTP", 20 },
    { "URG", 23 }, { "XCPU", 24 }, { "XFSZ", 25 }, { "VTALRM", 26 }, { "PROF", 27 },
    { "WINCH", 28 }, { "IO", 29 }, { "PWR", 30 },
  };
  gboolean batch = FALSE;
  const char *p = v;
  while (p[0] != '\0' && p[1] == ':' && strchr ("RBrb", p[0]) != NULL)
    {
      batch = batch || p[0] == 'B' || p[0] == 'b';
      p += 2;
    }
  const char *at = strchr (p, '@');
  g_autofree char *sig = at ? g_strndup (p, (gsize) (at - p)) : g_strdup (p);
  gint64 num = 0, secs = 60;
  const char *bare = g_ascii_strncasecmp (sig, "SIG", 3) == 0 ? sig + 3 : sig;
  if (!wl_parse_int (sig, 1, 64, &num, NULL))
    for (gsize i = 0; i < G_N_ELEMENTS (names) && num == 0; i++)
      if (g_ascii_strcasecmp (bare, names[i].name) == 0)
        num = names[i].num;
  if (num == 0 || (at != NULL && !wl_parse_int (at + 1, 0, 65535, &secs, NULL)))
    return fail (error, "error: Invalid --signal specification");
  json_object_set_new (a->req, "signal", json_pack ("{s:I,s:I,s:b}", "num", (json_int_t) num,
                                                    "time", (json_int_t) secs, "batch", batch));
  return TRUE;
}

/* What options combine into once all are read: --gpus-per-task gives the job's GPUs
 * (times its tasks), --mem-per-gpu its memory per node (times the GPUs on a node), unless
 * --gpus or --mem say otherwise. */
static void
finish_request (json_t *r)
{
  gint64 gpt = json_integer_value (json_object_get (r, "gpus_per_task"));
  if (gpt > 0 && json_object_get (r, "gpus") == NULL
      && json_object_get (r, "gpus_per_node") == NULL)
    {
      gint64 tasks = json_integer_value (json_object_get (r, "ntasks"));
      if (tasks <= 0)
        tasks = MAX (json_integer_value (json_object_get (r, "nodes_min")), 1);
      set_int (r, "gpus", MIN (gpt * tasks, 100000));
    }
  gint64 mpg = json_integer_value (json_object_get (r, "mem_per_gpu_mb"));
  if (mpg > 0 && json_object_get (r, "mem_per_node_mb") == NULL
      && json_object_get (r, "mem_per_cpu_mb") == NULL)
    {
      gint64 per_node = json_integer_value (json_object_get (r, "gpus_per_node"));
      if (per_node <= 0)
        {
          gint64 gpus = json_integer_value (json_object_get (r, "gpus"));
          gint64 nodes = MAX (json_integer_value (json_object_get (r, "nodes_min")), 1);
          per_node = (gpus + nodes - 1) / nodes;
        }
      if (per_node > 0)
        set_int (r, "mem_per_node_mb", MIN (mpg * per_node, G_MAXINT64 / 4));
    }
}

/* --mem and --mem-per-cpu: one per level; a later level's choice drops the other. */
static gboolean
opt_mem (Apply *a, gboolean per_cpu, const char *v, GError **error)
{
  gint64 mb;
  if (!parse_mbytes (v, &mb))
    return fail (error, "error: Invalid --%s specification", per_cpu ? "mem-per-cpu" : "mem");
  gboolean *mine = per_cpu ? a->mem_per_cpu_at : a->mem_at;
  gboolean *other = per_cpu ? a->mem_at : a->mem_per_cpu_at;
  if (other[a->level])
    return fail (error, "fatal: --mem, --mem-per-cpu, and --mem-per-gpu are mutually "
                 "exclusive.");
  mine[a->level] = TRUE;
  json_object_del (a->req, per_cpu ? "mem_per_node_mb" : "mem_per_cpu_mb");
  set_int (a->req, per_cpu ? "mem_per_cpu_mb" : "mem_per_node_mb", mb);
  return TRUE;
}

static gboolean
opt_time (Apply *a, const char *key, const char *opt, const char *v, GError **error)
{
  gint64 secs;
  if (!net_jobreq_parse_time (v, &secs))
    return fail (error, "error: Invalid --%s specification", opt);
  set_int (a->req, key, secs);
  return TRUE;
}

static gboolean
apply_option (Apply *a, const OptDef *d, const char *v, GError **error)
{
  json_t *r = a->req;
  NetClientFlags *f = a->flags;
  gint64 n;
  switch (d->id)
    {
    case O_ACCOUNT: set_str (r, "account", v); return TRUE;
    case O_COMMENT: set_str (r, "comment", v); return TRUE;
    case O_ERROR: set_str (r, "stderr", v); return TRUE;
    case O_INPUT:
      /* srun: "all" (the default) or a task number forward srun's input, "none" does not,
       * anything else names a file (as sbatch's -i) */
      if (a->mode == M_SRUN && (g_ascii_strcasecmp (v, "all") == 0
                                || g_ascii_strcasecmp (v, "none") == 0
                                || wl_parse_int (v, 0, G_MAXINT32, &n, NULL)))
        {
          a->no_input = g_ascii_strcasecmp (v, "none") == 0;
          json_object_del (r, "stdin");
          return TRUE;
        }
      set_str (r, "stdin", v);
      return TRUE;
    case O_OUTPUT: set_str (r, "stdout", v); return TRUE;
    case O_EXCLUDE: set_str (r, "exclude", v); return TRUE;
    case O_NODELIST: set_str (r, "nodelist", v); return TRUE;
    case O_JOB_NAME: set_str (r, "name", v); return TRUE;
    case O_MAIL_USER: set_str (r, "mail_user", v); return TRUE;
    case O_PARTITION: set_str (r, "partition", v); return TRUE;
    case O_QOS: set_str (r, "qos", v); return TRUE;
    case O_HOLD: json_object_set_new (r, "hold", json_true ()); return TRUE;
    case O_REQUEUE: json_object_set_new (r, "requeue", json_true ()); return TRUE;
    case O_NO_REQUEUE: json_object_set_new (r, "requeue", json_false ()); return TRUE;
    case O_NODES: return opt_nodes (a, v, error);
    case O_NTASKS: return opt_int (a, "ntasks", "--ntasks", v, error);
    case O_CPUS_PER_TASK: return opt_int (a, "cpus_per_task", "--cpus-per-task", v, error);
    case O_NTASKS_PER_NODE:
      return opt_int (a, "ntasks_per_node", "--ntasks-per-node", v, error);
    case O_TIME: return opt_time (a, "time_limit", "time", v, error);
    case O_TIME_MIN: return opt_time (a, "time_min", "time-min", v, error);
    case O_MEM: return opt_mem (a, FALSE, v, error);
    case O_MEM_PER_CPU: return opt_mem (a, TRUE, v, error);
    case O_GRES: return opt_gres (a, v, error);
    case O_ARRAY: return opt_array (a, v, error);
    case O_MAIL_TYPE: return opt_mail_type (a, v, error);
    case O_GPUS:
    case O_GPUS_PER_NODE:
      {
        g_autofree char *type = NULL;
        gboolean per_node = d->id == O_GPUS_PER_NODE;
        if (!parse_gpu_spec (v, &type, &n))
          return fail (error, "error: Invalid --%s specification", d->name);
        set_int (r, per_node ? "gpus_per_node" : "gpus", n);
        if (type != NULL)
          set_str (r, "gpu_type", type);
        return TRUE;
      }
    case O_DEPENDENCY:
      {
        g_autoptr (GArray) deps = g_array_new (FALSE, TRUE, sizeof (WlDependency));
        gboolean any;
        if (!wl_parse_dependency (v, deps, &any, NULL))
          return fail (error, "error: Batch job submission failed: Job dependency problem");
        set_str (r, "dependency", v);
        return TRUE;
      }
    case O_CONSTRAINT:
      if (!wl_check_constraint (v, NULL))
        return fail (error, "error: Batch job submission failed: Invalid feature "
                     "specification");
      set_str (r, "constraint", v);
      return TRUE;
    case O_BEGIN:
      if (!net_jobreq_parse_begin (v, a->env ? a->env->now : 0, a->env ? a->env->tz : NULL,
                                   &n))
        return fail (error, "error: Invalid --begin specification");
      set_int (r, "begin", n);
      return TRUE;
    case O_CHDIR:
      if (*v == '\0')
        return fail (error, "error: Invalid --chdir specification");
      if (a->env != NULL && !g_path_is_absolute (v))
        {
          g_autofree char *abs = g_canonicalize_filename (v, a->env->cwd);
          set_str (r, "workdir", abs);
        }
      else
        set_str (r, "workdir", v);
      return TRUE;
    case O_EXPORT:
      {
        g_auto (GStrv) check = net_jobreq_apply_export (v, NULL);
        if (check == NULL)
          return fail (error, "error: Invalid --export specification");
        set_str (r, "export", v);
        return TRUE;
      }
    case O_EXCLUSIVE:
      if (v == NULL)
        {
          json_object_set_new (r, "exclusive", json_true ());
          json_object_del (r, "exclusive_mode");
        }
      else if (strcmp (v, "user") == 0 || strcmp (v, "mcs") == 0 || strcmp (v, "topo") == 0)
        set_str (r, "exclusive_mode", v);
      else
        return fail (error, "error: Invalid --exclusive specification");
      return TRUE;
    case O_NICE:
      n = 100;
      if (v != NULL && !wl_parse_int (v, -2147483645, 2147483645, &n, NULL))
        return fail (error, "error: Invalid --nice value: %s", v);
      set_int (r, "nice", n);
      return TRUE;
    case O_OPEN_MODE:
      if (v[0] == 'a' || v[0] == 'A')
        set_str (r, "open_mode", "append");
      else if (v[0] == 't' || v[0] == 'T')
        set_str (r, "open_mode", "truncate");
      else
        return fail (error, "error: Invalid --open-mode specification");
      return TRUE;
    case O_UID:
      return fail (error, "error: --uid is not supported: submit as the user who should "
                   "run the job");
    case O_PTY:
      a->flags->pty = TRUE;
      return TRUE;
    case O_SRUN_WAIT:
      if (!wl_parse_int (v, 0, G_MAXINT32, &n, NULL))
        return fail (error, "error: Invalid numeric value \"%s\" for --wait.", v);
      return TRUE;
    case O_WRAP:
      if (a->level == 0)
        return fail (error, "error: --wrap is not allowed in a batch script");
      g_free (a->wrap);
      a->wrap = g_strdup (v);
      return TRUE;
    case O_HELP: f->help = TRUE; return TRUE;
    case O_USAGE: f->usage = TRUE; return TRUE;
    case O_VERSION: f->version = TRUE; return TRUE;
    case O_PARSABLE: f->parsable = TRUE; return TRUE;
    case O_QUIET: f->quiet = TRUE; return TRUE;
    case O_VERBOSE: f->verbose++; return TRUE;
    case O_TEST_ONLY: f->test_only = TRUE; return TRUE;
    case O_IGNORED: return TRUE;
    case O_LICENSES:
      return fail (error, "error: Batch job submission failed: Invalid license specification");
    case O_RESERVATION:
      return fail (error, "error: Batch job submission failed: Requested reservation is "
                   "invalid");
    case O_SIGNAL:
      return opt_signal (a, v, error);
    case O_GPUS_PER_TASK:
      {
        g_autofree char *type = NULL;
        if (!parse_gpu_spec (v, &type, &n))
          return fail (error, "error: Invalid --gpus-per-task specification");
        set_int (r, "gpus_per_task", n);
        if (type != NULL)
          set_str (r, "gpu_type", type);
        return TRUE;
      }
    case O_MEM_PER_GPU:
      if (!parse_mbytes (v, &n))
        return fail (error, "error: Invalid --mem-per-gpu specification");
      set_int (r, "mem_per_gpu_mb", n);
      return TRUE;
    case O_CPUS_PER_GPU:
      if (!wl_parse_int (v, 1, 100000, &n, NULL))
        return fail (error, "error: Invalid --cpus-per-gpu specification");
      set_int (r, "cpus_per_gpu", n);
      return TRUE;
    case O_WAIT: f->wait = TRUE; return TRUE;
    case O_LABEL: f->label = TRUE; return TRUE;
    case O_UNBUFFERED: f->unbuffered = TRUE; return TRUE;
    }
  g_assert_not_reached ();
}

/* ---- the getopt_long walker -------------------------------------------------------------- */

typedef enum { WALK_OK, WALK_GETOPT, WALK_VALUE } WalkStatus;

/* Sets a getopt-level error (the text after "<prog>: ") and returns WALK_GETOPT. */
static WalkStatus
getopt_fail (GError **error, const char *format, ...) G_GNUC_PRINTF (2, 3);

static WalkStatus
getopt_fail (GError **error, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  char *msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE, msg);
  g_free (msg);
  return WALK_GETOPT;
}

/* Reads options from words[*i ..), as getopt_long with "+": stops at the first
 * non-option (or after "--") and leaves *i there. */
static WalkStatus
walk (Apply *a, int n, const char *const *words, int *i, GError **error)
{
  while (*i < n)
    {
      const char *w = words[*i];
      if (strcmp (w, "--") == 0)
        {
          (*i)++;
          return WALK_OK;
        }
      if (w[0] != '-' || w[1] == '\0')
        return WALK_OK;
      (*i)++;
      if (w[1] == '-')
        {
          const char *name = w + 2, *eq = strchr (name, '=');
          gsize len = eq ? (gsize) (eq - name) : strlen (name);
          gboolean ambiguous;
          const OptDef *d = find_long (a->mode, name, len, &ambiguous);
          if (ambiguous)
            {
              GString *s = g_string_new (NULL);
              g_string_append_printf (s, "option '--%.*s' is ambiguous; possibilities:",
                                      (int) len, name);
              for (guint k = 0; k < G_N_ELEMENTS (options); k++)
                if ((options[k].modes & a->mode) && strncmp (options[k].name, name, len) == 0)
                  g_string_append_printf (s, " '--%s'", options[k].name);
              WalkStatus st = getopt_fail (error, "%s", s->str);
              g_string_free (s, TRUE);
              return st;
            }
          if (d == NULL)
            return getopt_fail (error, "unrecognized option '%s'", w);
          if (d->arg == A_NONE && eq != NULL)
            return getopt_fail (error, "option '--%s' doesn't allow an argument", d->name);
          const char *v = eq ? eq + 1 : NULL;
          if (d->arg == A_REQ && v == NULL)
            {
              if (*i >= n)
                return getopt_fail (error, "option '--%s' requires an argument", d->name);
              v = words[(*i)++];
            }
          if (!apply_option (a, d, v, error))
            return WALK_VALUE;
          continue;
        }
      for (const char *p = w + 1; *p; p++)
        {
          const OptDef *d = find_short (a->mode, *p);
          if (d == NULL)
            return getopt_fail (error, "invalid option -- '%c'", *p);
          const char *v = NULL;
          if (d->arg != A_NONE)
            {
              if (p[1] != '\0')
                v = p + 1;
              else if (*i < n)
                v = words[(*i)++];
              else
                return getopt_fail (error, "option requires an argument -- '%c'", *p);
            }
          if (!apply_option (a, d, v, error))
            return WALK_VALUE;
          if (v != NULL)
            break;
        }
    }
  return WALK_OK;
}

/* Turns a walker error on the command line into what the command prints. */
static void
cli_error (Mode mode, WalkStatus st, GError **error)
{
  const char *prog = mode_prog (mode);
  g_prefix_error (error, "%s: ", prog);
  if (st == WALK_GETOPT && error != NULL && *error != NULL)
    {
      char *m = g_strdup_printf ("%s\nTry \"%s --help\" for more information",
                                 (*error)->message, prog);
      g_free ((*error)->message);
      (*error)->message = m;
    }
}

static gboolean
strv_is_utf8 (int n, const char *const *words, const char *prog, GError **error)
{
  for (int i = 0; i < n; i++)
    if (words[i] != NULL && !g_utf8_validate (words[i], -1, NULL))
      {
        g_set_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE,
                     "%s: error: argument %d is not valid UTF-8", prog, i);
        return FALSE;
      }
  return TRUE;
}

/* ---- directives ------------------------------------------------------------------------- */

static void
directive_clear (gpointer p)
{
  g_strfreev (((NetDirective *) p)->words);
}

/* Splits the rest of an #SBATCH line as Slurm's _get_argument does. */
static gboolean
split_directive (const char *file, guint lineno, const char *line, const char *rest,
                 GPtrArray *out, GError **error)
{
  const char *p = rest;
  for (;;)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0' || *p == '#')
        return TRUE;
      GString *w = g_string_new (NULL);
      char quote = 0;
      while (*p != '\0' && (quote || !g_ascii_isspace (*p)))
        {
          if (*p == '\\' && p[1] != '\0')
            {
              g_string_append_c (w, p[1]);
              p += 2;
            }
          else if (quote && *p == quote)
            {
              quote = 0;
              p++;
            }
          else if (!quote && (*p == '"' || *p == '\''))
            quote = *p++;
          else
            g_string_append_c (w, *p++);
        }
      if (quote)
        {
          g_string_free (w, TRUE);
          g_set_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_DIRECTIVE,
                       "sbatch: fatal: %s: line %u: Unmatched `%c` in [%s]", file, lineno,
                       quote, line);
          return FALSE;
        }
      g_ptr_array_add (out, g_string_free (w, FALSE));
    }
}

GArray *
net_sbatch_directives (const char *script, const char *file, GError **error)
{
  g_return_val_if_fail (script != NULL, NULL);
  if (file == NULL)
    file = "stdin";
  g_autoptr (GArray) out = g_array_new (FALSE, TRUE, sizeof (NetDirective));
  g_array_set_clear_func (out, directive_clear);
  guint lineno = 0;
  for (const char *p = script; *p != '\0';)
    {
      const char *nl = strchr (p, '\n');
      gsize len = nl ? (gsize) (nl - p) : strlen (p);
      g_autofree char *line = g_strndup (p, len);
      p += len + (nl ? 1 : 0);
      lineno++;
      gsize l = strlen (line);       /* a NUL cannot be there, but be exact */
      if (l > 0 && line[l - 1] == '\r')
        line[l - 1] = '\0';
      if (g_str_has_prefix (line, "#SBATCH"))
        {
          GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
          if (!split_directive (file, lineno, line, line + 7, words, error))
            {
              g_ptr_array_unref (words);
              return NULL;
            }
          g_ptr_array_add (words, NULL);
          NetDirective d = { lineno, (char **) g_ptr_array_free (words, FALSE) };
          g_array_append_val (out, d);
          continue;
        }
      const char *q = line;
      while (g_ascii_isspace (*q))
        q++;
      if (*q != '\0' && *q != '#')
        break;                       /* the first command: no directives after it */
    }
  return g_steal_pointer (&out);
}

/* ---- environment ----------------------------------------------------------------------- */

static gint
env_find (GPtrArray *env, const char *name, gsize len)
{
  for (guint i = 0; i < env->len; i++)
    {
      const char *e = g_ptr_array_index (env, i);
      if (strncmp (e, name, len) == 0 && e[len] == '=')
        return (gint) i;
    }
  return -1;
}

static void
env_set (GPtrArray *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  gint i = env_find (env, kv, (gsize) (eq - kv));
  if (i >= 0)
    {
      g_free (env->pdata[i]);
      env->pdata[i] = g_strdup (kv);
    }
  else
    g_ptr_array_add (env, g_strdup (kv));
}

GStrv
net_jobreq_apply_export (const char *spec, const char *const *envp)
{
  g_auto (GStrv) items = g_strsplit (spec ? spec : "ALL", ",", -1);
  gboolean all = FALSE, nil = FALSE;
  for (guint i = 0; items[i]; i++)
    {
      if (g_ascii_strcasecmp (items[i], "ALL") == 0)
        all = TRUE;
      else if (g_ascii_strcasecmp (items[i], "NIL") == 0)
        nil = TRUE;
      else if (g_ascii_strcasecmp (items[i], "NONE") != 0
               && (items[i][0] == '=' || items[i][0] == '\0'))
        return NULL;
    }
  GPtrArray *env = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; envp && envp[i]; i++)
    {
      const char *e = envp[i];
      if (strchr (e, '=') == NULL || !g_utf8_validate (e, -1, NULL))
        continue;
      if (all || (!nil && g_str_has_prefix (e, "SLURM_")))
        env_set (env, e);
    }
  for (guint i = 0; items[i]; i++)
    {
      const char *it = items[i];
      if (g_ascii_strcasecmp (it, "ALL") == 0 || g_ascii_strcasecmp (it, "NONE") == 0
          || g_ascii_strcasecmp (it, "NIL") == 0)
        continue;
      if (strchr (it, '=') != NULL)
        env_set (env, it);
      else if (!all)
        for (guint j = 0; envp && envp[j]; j++)
          if (g_str_has_prefix (envp[j], it) && envp[j][strlen (it)] == '='
              && g_utf8_validate (envp[j], -1, NULL))
            {
              env_set (env, envp[j]);
              break;
            }
    }
  g_ptr_array_add (env, NULL);
  return (GStrv) g_ptr_array_free (env, FALSE);
}

/* Adds what every request carries: workdir, environment, submit host, name. */
static void
add_common (json_t *req, const NetJobEnv *env, const char *default_name)
{
  if (json_object_get (req, "workdir") == NULL && env->cwd != NULL)
    set_str (req, "workdir", env->cwd);
  json_t *e = json_object_get (req, "export");
  g_auto (GStrv) vars = net_jobreq_apply_export (e ? json_string_value (e) : NULL,
                                                 env->environ);
  json_t *arr = json_array ();
  for (guint i = 0; vars && vars[i]; i++)
    json_array_append_new (arr, json_string (vars[i]));
  json_object_set_new (req, "environment", arr);
  if (env->submit_host != NULL)
    set_str (req, "submit_host", env->submit_host);
  if (json_object_get (req, "name") == NULL && default_name != NULL)
    set_str (req, "name", default_name);
}

/* ---- sbatch ---------------------------------------------------------------------------- */

struct _NetSbatch {
  int            n_opts;        /* option words, argv[1 .. n_opts] */
  char         **opt_words;
  char          *script_path;   /* NULL: stdin or --wrap */
  char         **script_args;   /* NULL-terminated */
  char          *wrap;
  NetClientFlags flags;
};

void
net_sbatch_free (NetSbatch *s)
{
  if (s == NULL)
    return;
  g_strfreev (s->opt_words);
  g_free (s->script_path);
  g_strfreev (s->script_args);
  g_free (s->wrap);
  g_free (s);
}

NetSbatch *
net_sbatch_parse_args (int argc, const char *const *argv, GError **error)
{
  g_return_val_if_fail (argc >= 0 && (argc == 0 || argv != NULL), NULL);
  if (!strv_is_utf8 (argc, argv, "sbatch", error))
    return NULL;
  g_autoptr (NetSbatch) s = g_new0 (NetSbatch, 1);
  Apply a = { .mode = M_SBATCH, .req = json_object (), .flags = &s->flags, .level = 1 };
  int i = MIN (argc, 1);
  WalkStatus st = walk (&a, argc, argv, &i, error);
  json_decref (a.req);
  s->wrap = a.wrap;
  if (st != WALK_OK)
    {
      cli_error (M_SBATCH, st, error);
      return NULL;
    }
  s->n_opts = i - MIN (argc, 1);
  s->opt_words = g_new0 (char *, (gsize) s->n_opts + 1);
  for (int k = 0; k < s->n_opts; k++)
    s->opt_words[k] = g_strdup (argv[1 + k]);
  if (s->wrap != NULL && i < argc)
    {
      g_set_error_literal (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE,
                           "sbatch: error: Script arguments not permitted with --wrap option");
      return NULL;
    }
  if (i < argc)
    s->script_path = g_strdup (argv[i++]);
  s->script_args = g_new0 (char *, (gsize) (argc - i) + 1);
  for (int k = 0; i < argc; k++)
    s->script_args[k] = g_strdup (argv[i++]);
  return g_steal_pointer (&s);
}

const char *
net_sbatch_get_script_path (const NetSbatch *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return s->wrap ? NULL : s->script_path;
}

gboolean
net_sbatch_needs_script (const NetSbatch *s)
{
  g_return_val_if_fail (s != NULL, FALSE);
  return s->wrap == NULL;
}

const NetClientFlags *
net_sbatch_get_flags (const NetSbatch *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  return &s->flags;
}

static gboolean
script_error (GError **error, const char *text)
{
  g_set_error_literal (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_SCRIPT, text);
  return FALSE;
}

/* Slurm's refusals of a script, in its order. */
static gboolean
check_script (const char *script, const char *file, GError **error)
{
  if (script == NULL || *script == '\0')
    return script_error (error, "sbatch: error: Batch script is empty!");
  const char *p = script;
  while (g_ascii_isspace (*p))
    p++;
  if (*p == '\0')
    return script_error (error, "sbatch: error: Batch script contains only whitespace!");
  if (!g_str_has_prefix (script, "#!"))
    return script_error (error,
                         "sbatch: error: This does not look like a batch script.  The first\n"
                         "sbatch: error: line must start with #! followed by the path to an "
                         "interpreter.\n"
                         "sbatch: error: For instance: #!/bin/sh");
  if (strstr (script, "\r\n") != NULL)
    return script_error (error,
                         "sbatch: error: Batch script contains DOS line breaks (\\r\\n)\n"
                         "sbatch: error: instead of expected UNIX line breaks (\\n).");
  if (!g_utf8_validate (script, -1, NULL))
    {
      g_set_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_SCRIPT,
                   "sbatch: error: %s is not valid UTF-8 text", file);
      return FALSE;
    }
  return TRUE;
}

/* Applies the #SBATCH lines of `script` at level 0. */
static gboolean
apply_directives (Apply *a, const char *script, const char *file, GError **error)
{
  g_autoptr (GArray) dirs = net_sbatch_directives (script, file, error);
  if (dirs == NULL)
    return FALSE;
  for (guint k = 0; k < dirs->len; k++)
    {
      const NetDirective *d = &g_array_index (dirs, NetDirective, k);
      int n = (int) g_strv_length (d->words), i = 0;
      WalkStatus st = walk (a, n, (const char *const *) d->words, &i, error);
      if (st == WALK_OK && i < n)
        {
          g_set_error (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_DIRECTIVE,
                       "sbatch: error: %s:%u: Invalid directive found in batch script: %s",
                       file, d->line, d->words[i]);
          return FALSE;
        }
      if (st == WALK_OK)
        continue;
      GError *e = *error;
      const char *msg = e->message;
      gboolean fatal = g_str_has_prefix (msg, "fatal: ");
      if (st == WALK_VALUE)
        msg += 7;                 /* "error: " or "fatal: " */
      char *m = g_strdup_printf ("sbatch: %s: %s:%u: %s", fatal ? "fatal" : "error", file,
                                 d->line, msg);
      g_free (e->message);
      e->message = m;
      e->code = NET_JOBREQ_ERROR_DIRECTIVE;
      return FALSE;
    }
  return TRUE;
}

json_t *
net_sbatch_build (const NetSbatch *s, const char *script, const NetJobEnv *env,
                  NetClientFlags *flags, GError **error)
{
  g_return_val_if_fail (s != NULL && env != NULL && env->cwd != NULL, NULL);
  g_autofree char *text = NULL;
  g_autofree char *base = NULL;
  const char *file = s->script_path ? s->script_path : "stdin";
  const char *name;
  if (s->wrap != NULL)
    {
      text = g_strdup_printf ("#!/bin/sh\n# This script was created by sbatch --wrap.\n\n%s\n",
                              s->wrap);
      name = "wrap";
    }
  else
    {
      if (!check_script (script, file, error))
        return NULL;
      text = g_strdup (script);
      name = s->script_path ? (base = g_path_get_basename (s->script_path)) : "sbatch";
    }

  NetClientFlags fl = { 0 };
  Apply a = { .mode = M_SBATCH, .req = json_object (), .flags = &fl, .env = env };
  if (s->wrap == NULL && !apply_directives (&a, text, file, error))
    goto fail;
  a.level = 1;
  int i = 0;
  WalkStatus st = walk (&a, s->n_opts, (const char *const *) s->opt_words, &i, error);
  if (st != WALK_OK)
    {
      cli_error (M_SBATCH, st, error);
      goto fail;
    }
  set_str (a.req, "script", text);
  if (s->script_args != NULL && s->script_args[0] != NULL)
    {
      json_t *args = json_array ();
      for (guint k = 0; s->script_args[k]; k++)
        json_array_append_new (args, json_string (s->script_args[k]));
      json_object_set_new (a.req, "script_argv", args);
    }
  add_common (a.req, env, name);
  finish_request (a.req);
  g_free (a.wrap);
  if (flags != NULL)
    *flags = fl;
  return a.req;

fail:
  g_free (a.wrap);
  json_decref (a.req);
  return NULL;
}

json_t *
net_sbatch_request (int argc, const char *const *argv, const char *script,
                    const NetJobEnv *env, NetClientFlags *flags, GError **error)
{
  g_autoptr (NetSbatch) s = net_sbatch_parse_args (argc, argv, error);
  if (s == NULL)
    return NULL;
  return net_sbatch_build (s, script, env, flags, error);
}

/* ---- srun ------------------------------------------------------------------------------ */

static const char *
env_lookup (const char *const *envp, const char *name)
{
  gsize len = strlen (name);
  for (guint i = 0; envp && envp[i]; i++)
    if (strncmp (envp[i], name, len) == 0 && envp[i][len] == '=')
      return envp[i] + len + 1;
  return NULL;
}

json_t *
net_srun_request (int argc, const char *const *argv, const NetJobEnv *env,
                  NetClientFlags *flags, char ***cmd_argv, gboolean *is_step, GError **error)
{
  g_return_val_if_fail (argc >= 0 && (argc == 0 || argv != NULL), NULL);
  g_return_val_if_fail (env != NULL && env->cwd != NULL, NULL);
  if (!strv_is_utf8 (argc, argv, "srun", error))
    return NULL;
  NetClientFlags fl = { 0 };
  Apply a = { .mode = M_SRUN, .req = json_object (), .flags = &fl, .env = env, .level = 1 };
  int i = MIN (argc, 1);
  WalkStatus st = walk (&a, argc, argv, &i, error);
  if (st != WALK_OK)
    {
      cli_error (M_SRUN, st, error);
      json_decref (a.req);
      return NULL;
    }
  fl.input = !a.no_input && json_object_get (a.req, "stdin") == NULL;
  finish_request (a.req);
  if (flags != NULL)
    *flags = fl;
  if (is_step != NULL)
    *is_step = FALSE;
  if (cmd_argv != NULL)
    *cmd_argv = NULL;
  if (i >= argc && (fl.help || fl.usage || fl.version))
    {
      json_decref (a.req);
      if (cmd_argv != NULL)
        *cmd_argv = g_new0 (char *, 1);
      return json_object ();
    }
  if (i >= argc)
    {
      json_decref (a.req);
      g_set_error_literal (error, NET_JOBREQ_ERROR, NET_JOBREQ_ERROR_USAGE,
                           "srun: fatal: No command given to execute.");
      return NULL;
    }
  json_t *args = json_array ();
  for (int k = i; k < argc; k++)
    json_array_append_new (args, json_string (argv[k]));
  if (cmd_argv != NULL)
    {
      *cmd_argv = g_new0 (char *, (gsize) (argc - i) + 1);
      for (int k = i; k < argc; k++)
        (*cmd_argv)[k - i] = g_strdup (argv[k]);
    }

  json_t *req;
  if (env->job_id != 0)
    {
      gint64 ntasks = 1, v;
      json_t *nt = json_object_get (a.req, "ntasks");
      json_t *nmin = json_object_get (a.req, "nodes_min");
      const char *e = env_lookup (env->environ, "SLURM_NTASKS");
      if (nt != NULL)
        ntasks = json_integer_value (nt);
      else if (e != NULL && wl_parse_int (e, 1, G_MAXINT32, &v, NULL))
        ntasks = v;
      else if (nmin != NULL)
        ntasks = json_integer_value (nmin);
      req = json_pack ("{sI, so, sI, sb, sb, sb}", "job_id", (json_int_t) env->job_id,
                       "argv", args, "ntasks", (json_int_t) ntasks, "label", fl.label,
                       "stdin", fl.input, "pty", fl.pty);
      if (nmin != NULL)
        json_object_set (req, "nodes", nmin);
      json_decref (a.req);
      if (is_step != NULL)
        *is_step = TRUE;
      return req;
    }
  req = a.req;
  g_autofree char *base = g_path_get_basename (argv[i]);
  add_common (req, env, base);
  json_object_set_new (req, "interactive",
                       json_pack ("{so, sb, sb, sb}", "argv", args, "label", fl.label,
                                  "stdin", fl.input, "pty", fl.pty));
  return req;
}

/* ---- value syntax ---------------------------------------------------------------------- */

gboolean
net_jobreq_parse_time (const char *s, gint64 *seconds)
{
  g_return_val_if_fail (s != NULL && seconds != NULL, FALSE);
  gint64 v;
  if (!wl_parse_slurm_time_minutes (s, &v, NULL))
    return FALSE;
  /* Slurm: a limit of 0 minutes means no limit. */
  *seconds = v == WL_TIME_UNLIMITED || v == 0 ? -1 : v;
  return TRUE;
}

static const struct {
  const char *name;
  gint64      mult;
} begin_units[] = {
  { "seconds", 1 }, { "minutes", 60 }, { "hours", 3600 }, { "days", 86400 },
  { "weeks", 604800 }, { "sec", 1 }, { "min", 60 }, { "hour", 3600 }, { "day", 86400 },
  { "week", 604800 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
  { "w", 604800 },
};

/* "+N[unit]" or "-N[unit]" after "now". */
static gboolean
begin_delta (const char *p, gint64 *delta)
{
  if (*p != '+' && *p != '-')
    return FALSE;
  gint64 sign = *p++ == '-' ? -1 : 1, n = 0;
  const char *d = p;
  while (g_ascii_isdigit (*p) && p - d < 10)
    n = n * 10 + (*p++ - '0');
  if (p == d || g_ascii_isdigit (*p))
    return FALSE;
  gint64 mult = *p == '\0' ? 1 : 0;
  for (guint i = 0; mult == 0 && i < G_N_ELEMENTS (begin_units); i++)
    if (g_ascii_strcasecmp (p, begin_units[i].name) == 0)
      mult = begin_units[i].mult;
  if (mult == 0 || n * mult > (G_GINT64_CONSTANT (1) << 40))
    return FALSE;
  *delta = sign * n * mult;
  return TRUE;
}

/* Reads exactly `n` digits. */
static gboolean
fixed_digits (const char **p, int n, int *out)
{
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/* "HH:MM[:SS]" then optionally AM/PM; *p advanced past it. */
static gboolean
time_of_day (const char **p, int *h, int *mi, int *sec)
{
  const char *q = *p;
  int hd = g_ascii_isdigit (q[0]) && g_ascii_isdigit (q[1]) ? 2 : 1;
  *sec = 0;
  if (!fixed_digits (&q, hd, h) || *q++ != ':' || !fixed_digits (&q, 2, mi))
    return FALSE;
  if (*q == ':')
    {
      q++;
      if (!fixed_digits (&q, 2, sec))
        return FALSE;
    }
  if (g_ascii_strncasecmp (q, "am", 2) == 0 || g_ascii_strncasecmp (q, "pm", 2) == 0)
    {
      if (*h < 1 || *h > 12)
        return FALSE;
      *h = *h % 12 + (g_ascii_tolower (*q) == 'p' ? 12 : 0);
      q += 2;
    }
  if (*h > 23 || *mi > 59 || *sec > 59)
    return FALSE;
  *p = q;
  return TRUE;
}

gboolean
net_jobreq_parse_begin (const char *s, gint64 now, GTimeZone *tz, gint64 *out)
{
  g_return_val_if_fail (s != NULL && out != NULL, FALSE);
  g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr (GDateTime) unow = g_date_time_new_from_unix_utc (now);
  if (unow == NULL)
    return FALSE;
  g_autoptr (GDateTime) dnow = g_date_time_to_timezone (unow, tz ? tz : utc);
  if (dnow == NULL)
    return FALSE;
  int y = g_date_time_get_year (dnow), mo = g_date_time_get_month (dnow);
  int d = g_date_time_get_day_of_month (dnow);
  int h = 0, mi = 0, sec = 0;
  gboolean has_year = TRUE, has_date = TRUE, has_time = FALSE;
  const char *p = s;

  if (g_ascii_strncasecmp (s, "now", 3) == 0)
    {
      gint64 delta = 0;
      if (s[3] != '\0' && !begin_delta (s + 3, &delta))
        return FALSE;
      *out = now + delta;
      return TRUE;
    }
  static const struct { const char *name; int hour; } named[] = {
    { "midnight", 0 }, { "elevenses", 11 }, { "noon", 12 }, { "fika", 15 },
    { "teatime", 16 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (named); i++)
    if (g_ascii_strcasecmp (s, named[i].name) == 0)
      {
        h = named[i].hour;
        has_date = FALSE;
        has_time = TRUE;
        p = s + strlen (s);
      }
  if (g_ascii_strcasecmp (s, "today") == 0 || g_ascii_strcasecmp (s, "tomorrow") == 0)
    {
      g_autoptr (GDateTime) t = g_date_time_new (tz ? tz : utc, y, mo, d, 0, 0, 0);
      if (t == NULL)
        return FALSE;
      g_autoptr (GDateTime) t2 = g_ascii_strcasecmp (s, "tomorrow") == 0
                                 ? g_date_time_add_days (t, 1) : g_date_time_ref (t);
      if (t2 == NULL)
        return FALSE;
      *out = g_date_time_to_unix (t2);
      return TRUE;
    }
  if (!has_time)
    {
      int a, b;
      const char *q = s;
      if (fixed_digits (&q, 4, &a) && *q == '-')
        {
          /* YYYY-MM-DD[THH:MM[:SS]] */
          y = a;
          q++;
          if (!fixed_digits (&q, 2, &mo) || *q++ != '-' || !fixed_digits (&q, 2, &d))
            return FALSE;
          if (*q == 'T')
            {
              q++;
              if (!time_of_day (&q, &h, &mi, &sec))
                return FALSE;
              has_time = TRUE;
            }
          p = q;
        }
      else if ((q = s, fixed_digits (&q, 2, &a)) && (*q == '/' || *q == '.'))
        {
          /* MM/DD[/YY] or MM.DD[.YY] */
          char sep = *q++;
          if (!fixed_digits (&q, 2, &b))
            return FALSE;
          mo = a;
          d = b;
          has_year = FALSE;
          if (*q == sep)
            {
              q++;
              if (!fixed_digits (&q, 2, &y))
                return FALSE;
              y += 2000;
              has_year = TRUE;
            }
          p = q;
        }
      else if ((strlen (s) == 4 || strlen (s) == 6) && strspn (s, "0123456789") == strlen (s))
        {
          /* MMDD[YY] */
          q = s;
          if (!fixed_digits (&q, 2, &mo) || !fixed_digits (&q, 2, &d))
            return FALSE;
          has_year = *q != '\0';
          if (has_year && !fixed_digits (&q, 2, &y))
            return FALSE;
          if (has_year)
            y += 2000;
          p = q;
        }
      else
        {
          q = s;
          if (!time_of_day (&q, &h, &mi, &sec))
            return FALSE;
          has_date = FALSE;
          has_time = TRUE;
          p = q;
        }
    }
  if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970 || y > 9999)
    return FALSE;
  if (d > g_date_get_days_in_month ((GDateMonth) mo, (GDateYear) y))
    return FALSE;
  g_autoptr (GDateTime) t = g_date_time_new (tz ? tz : utc, y, mo, d, h, mi, sec);
  if (t == NULL)
    return FALSE;
  gint64 when = g_date_time_to_unix (t);
  if (!has_date && when <= now)
    when += 86400;               /* a time of day already past: tomorrow */
  else if (!has_year && when < now)
    {
      if (mo == 2 && d == 29)
        return FALSE;
      g_autoptr (GDateTime) t2 = g_date_time_add_years (t, 1);
      if (t2 == NULL)
        return FALSE;
      when = g_date_time_to_unix (t2);
    }
  *out = when;
  return TRUE;
}
