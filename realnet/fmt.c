/* SPDX-License-Identifier: MIT */
/* realnet/fmt.c - Slurm 22.05's output formats: squeue, sinfo, scontrol show, sacct.
 *
 * Pure functions from jansson records (docs/realnet.md) to text.  Three layers:
 *  - value helpers: typed, forgiving field access (jstr, jint ...), Slurm's time, memory
 *    and state spellings;
 *  - column writers with Slurm's two justification rules: squeue/sinfo's _print_str
 *    ("%.Ns" cuts left-justified values, "%Ns" pads right-justified ones and cuts only the
 *    fields Slurm cuts; NULL prints as glibc prints it) and sacct's print_fields ("%*s "
 *    with a '+' on a cut value);
 *  - one table of fields per command (letter, -O name, header, getter) driven by a small
 *    format-string engine shared by squeue and sinfo.
 * sinfo groups nodes by the printed values of each line (so a format without a state
 * column folds states together, as Slurm's match flags do) and sorts groups as "#P,-t".
 * Nothing here keeps state between calls, reads the clock or the environment. */
#include "realnet/fmt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "workloads/hostlist.h"

G_DEFINE_QUARK (net-fmt-error-quark, net_fmt_error)

#define MAX_ARRAY_TASKS 1000000   /* bound on the tasks one array_tasks string expands to */
#define YEAR_SECS       (365 * 24 * 3600)

/* ---- record access ------------------------------------------------------------------- */

static json_t *
jget (json_t *o, const char *key)
{
  return json_is_object (o) ? json_object_get (o, key) : NULL;
}

/* The string at `key`, or NULL when missing or not a string. */
static const char *
jstr (json_t *o, const char *key)
{
  json_t *v = jget (o, key);
  return json_is_string (v) ? json_string_value (v) : NULL;
}

/* The string at `key` when it is a non-empty string, else NULL. */
static const char *
jstr_ne (json_t *o, const char *key)
{
  const char *s = jstr (o, key);
  return (s && *s) ? s : NULL;
}

/* The string at `key` when it is a non-empty string, else `dflt`. */
static const char *
jstr_or (json_t *o, const char *key, const char *dflt)
{
  const char *s = jstr_ne (o, key);
  return s ? s : dflt;
}

/* TRUE with *out set when `key` holds a number (a real is truncated). */
static gboolean
jint (json_t *o, const char *key, gint64 *out)
{
  json_t *v = jget (o, key);
  if (json_is_integer (v))
    {
      *out = (gint64) json_integer_value (v);
      return TRUE;
    }
  if (json_is_real (v))
    {
      double d = json_real_value (v);
      if (!isfinite (d) || d > 9e18 || d < -9e18)
        return FALSE;
      *out = (gint64) d;
      return TRUE;
    }
  return FALSE;
}

static gint64
jint_or (json_t *o, const char *key, gint64 dflt)
{
  gint64 v;
  return jint (o, key, &v) ? v : dflt;
}

static double
jdouble_or (json_t *o, const char *key, double dflt)
{
  json_t *v = jget (o, key);
  if (json_is_number (v))
    {
      double d = json_number_value (v);
      return isfinite (d) ? d : dflt;
    }
  return dflt;
}

static gboolean
jbool (json_t *o, const char *key, gboolean dflt)
{
  json_t *v = jget (o, key);
  if (json_is_boolean (v))
    return json_is_true (v);
  if (json_is_integer (v))
    return json_integer_value (v) != 0;
  return dflt;
}

/* A time field: TRUE with *t set when it holds a time after the epoch. */
static gboolean
jtime (json_t *o, const char *key, gint64 *t)
{
  return jint (o, key, t) && *t > 0;
}

/* The integer or string at `key` as text, or NULL. */
static char *
jtext (json_t *o, const char *key)
{
  json_t *v = jget (o, key);
  if (json_is_string (v))
    return g_strdup (json_string_value (v));
  if (json_is_integer (v))
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) json_integer_value (v));
  return NULL;
}

static int
cmp_str0 (const char *a, const char *b)
{
  return strcmp (a ? a : "", b ? b : "");
}

static int
cmp_i64 (gint64 a, gint64 b)
{
  return (a > b) - (a < b);
}

/* ---- time, memory and list spellings ---------------------------------------------- */

char *
net_fmt_secs_short (gint64 secs)
{
  if (secs < 0 || secs > YEAR_SECS)
    return g_strdup ("INVALID");
  gint64 d = secs / 86400, h = (secs / 3600) % 24, m = (secs / 60) % 60, s = secs % 60;
  if (d)
    return g_strdup_printf ("%" G_GINT64_FORMAT "-%02d:%02d:%02d", d, (int) h, (int) m, (int) s);
  if (h)
    return g_strdup_printf ("%d:%02d:%02d", (int) h, (int) m, (int) s);
  return g_strdup_printf ("%d:%02d", (int) m, (int) s);
}

static gint64
round_up_minutes (gint64 secs)
{
  if (secs > G_MAXINT64 - 59)
    return secs;
  return (secs + 59) / 60 * 60;
}

char *
net_fmt_limit_short (gint64 limit_secs)
{
  if (limit_secs < 0)
    return g_strdup ("UNLIMITED");
  return net_fmt_secs_short (round_up_minutes (limit_secs));
}

char *
net_fmt_limit_sinfo (gint64 limit_secs)
{
  if (limit_secs < 0)
    return g_strdup ("infinite");
  return net_fmt_secs_short (round_up_minutes (limit_secs));
}

char *
net_fmt_secs_long (gint64 secs)
{
  if (secs < 0)
    return g_strdup ("INVALID");
  gint64 d = secs / 86400, h = (secs / 3600) % 24, m = (secs / 60) % 60, s = secs % 60;
  if (d)
    return g_strdup_printf ("%" G_GINT64_FORMAT "-%02d:%02d:%02d", d, (int) h, (int) m, (int) s);
  return g_strdup_printf ("%02d:%02d:%02d", (int) h, (int) m, (int) s);
}

char *
net_fmt_limit_long (gint64 limit_secs)
{
  if (limit_secs < 0)
    return g_strdup ("UNLIMITED");
  return net_fmt_secs_long (round_up_minutes (limit_secs));
}

static GDateTime *
to_local (gint64 t, GTimeZone *tz)
{
  GDateTime *utc = g_date_time_new_from_unix_utc (t);
  if (!utc)
    return NULL;
  if (!tz)
    return utc;
  GDateTime *local = g_date_time_to_timezone (utc, tz);
  g_date_time_unref (utc);
  return local;
}

char *
net_fmt_timestamp (gint64 t, GTimeZone *tz)
{
  if (t <= 0)
    return g_strdup ("Unknown");
  GDateTime *dt = to_local (t, tz);
  if (!dt)
    return g_strdup ("Unknown");
  char *s = g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d", g_date_time_get_year (dt),
                             g_date_time_get_month (dt), g_date_time_get_day_of_month (dt),
                             g_date_time_get_hour (dt), g_date_time_get_minute (dt),
                             g_date_time_get_second (dt));
  g_date_time_unref (dt);
  return s;
}

char *
net_fmt_date_line (gint64 now, GTimeZone *tz)
{
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  GDateTime *dt = to_local (now, tz);
  if (!dt)
    return g_strdup ("Thu Jan  1 00:00:00 1970");
  char *s = g_strdup_printf ("%s %s %2d %02d:%02d:%02d %d",
                             days[g_date_time_get_day_of_week (dt) - 1],
                             months[g_date_time_get_month (dt) - 1],
                             g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                             g_date_time_get_minute (dt), g_date_time_get_second (dt),
                             g_date_time_get_year (dt));
  g_date_time_unref (dt);
  return s;
}

char *
net_fmt_mem_mb (gint64 mb)
{
  static const char units[] = "MGTPE";
  int u = 0;
  while (mb >= 1024 && mb % 1024 == 0 && u < 4)
    {
      mb /= 1024;
      u++;
    }
  return g_strdup_printf ("%" G_GINT64_FORMAT "%c", mb, units[u]);
}

/* A time field of `o` as a timestamp, `none` when missing or not after the epoch. */
static char *
time_or (json_t *o, const char *key, const char *none, GTimeZone *tz)
{
  gint64 t;
  return jtime (o, key, &t) ? net_fmt_timestamp (t, tz) : g_strdup (none);
}

/* A host list expression in ranged form; NULL gives NULL; an unparsable one as is. */
static char *
ranged (const char *expr)
{
  if (!expr)
    return NULL;
  g_autoptr (GError) err = NULL;
  char *r = wl_hostlist_ranged (expr, &err);
  return r ? r : g_strdup (expr);
}

static int
cmp_strp (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A TRES string "cpu=2,mem=500M,node=1,billing=2" with its entries sorted by name, as
 * the accounting database returns them ("billing=2,cpu=2,mem=500M,node=1"). */
static char *
tres_sorted (const char *tres)
{
  if (!tres)
    return g_strdup ("");
  g_auto (GStrv) parts = g_strsplit (tres, ",", -1);
  guint n = g_strv_length (parts);
  qsort (parts, n, sizeof (char *), cmp_strp);
  return g_strjoinv (",", parts);
}

/* ---- job states ---------------------------------------------------------------------- */

typedef struct {
  const char *name, *compact;
  int         order;          /* Slurm's enum job_states (COMPLETING as RUNNING + 0.5) */
} JobStateInfo;

static const JobStateInfo job_states[] = {
  { "PENDING", "PD", 0 },     { "RUNNING", "R", 2 },      { "COMPLETING", "CG", 3 },
  { "SUSPENDED", "S", 4 },    { "COMPLETED", "CD", 6 },   { "CANCELLED", "CA", 8 },
  { "FAILED", "F", 10 },      { "TIMEOUT", "TO", 12 },    { "NODE_FAIL", "NF", 14 },
  { "PREEMPTED", "PR", 16 },  { "BOOT_FAIL", "BF", 18 },  { "DEADLINE", "DL", 20 },
  { "OUT_OF_MEMORY", "OOM", 22 },
};

static const JobStateInfo *
job_state_info (json_t *job)
{
  const char *s = jstr (job, "state");
  if (s)
    for (gsize i = 0; i < G_N_ELEMENTS (job_states); i++)
      if (strcmp (job_states[i].name, s) == 0)
        return &job_states[i];
  return NULL;
}

static gboolean
job_is (json_t *job, const char *state)
{
  return g_strcmp0 (jstr (job, "state"), state) == 0;
}

/* The seconds a job has run by `now`: 0 before it starts. */
static gint64
job_time_used (json_t *job, gint64 now)
{
  gint64 start, end;
  if (job_is (job, "PENDING") || !jtime (job, "start_time", &start))
    return 0;
  if (job_is (job, "SUSPENDED"))
    return MAX (jint_or (job, "run_time", 0), 0);
  if (job_is (job, "RUNNING") || job_is (job, "COMPLETING") || !jtime (job, "end_time", &end))
    end = now;
  return MAX (end - start, 0);
}

/* The job's limit in seconds (-1 unlimited); FALSE when not set. */
static gboolean
job_limit (json_t *job, gint64 *limit)
{
  if (!jint (job, "time_limit", limit))
    return FALSE;
  if (*limit < 0)
    *limit = -1;
  return TRUE;
}

/* The end Slurm shows: end_time, else start + limit for a started or planned job. */
static gboolean
job_end (json_t *job, gint64 *end)
{
  gint64 start, limit;
  if (jtime (job, "end_time", end))
    return TRUE;
  if ((jtime (job, "start_time", &start) || jtime (job, "planned_start", &start))
      && job_limit (job, &limit) && limit >= 0)
    {
      *end = start + round_up_minutes (limit);
      return TRUE;
    }
  return FALSE;
}

/* The id squeue prints: "7_[0-9]" for pending array tasks, "7_3" for a task (or the
 * expanded task `task` >= 0), else "12". */
static char *
job_display_id (json_t *job, gint64 task)
{
  gint64 id = jint_or (job, "job_id", 0), aj = jint_or (job, "array_job_id", 0), t;
  const char *tasks = jstr_ne (job, "array_tasks");
  if (aj <= 0)
    aj = id;
  if (task >= 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "_%" G_GINT64_FORMAT, aj, task);
  if (tasks)
    return g_strdup_printf ("%" G_GINT64_FORMAT "_[%s]", aj, tasks);
  if (jint (job, "array_task_id", &t) && t >= 0 && jint_or (job, "array_job_id", 0) > 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT "_%" G_GINT64_FORMAT, aj, t);
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

/* Expands an array task list "0-9", "3,5-9%2", "1-7:2" into `out` (gint64s), at most
 * MAX_ARRAY_TASKS; a malformed element ends the list. */
static void
parse_task_list (const char *s, GArray *out)
{
  g_autofree char *copy = g_strdup (s);
  char *pct = strchr (copy, '%');
  if (pct)
    *pct = '\0';
  g_auto (GStrv) parts = g_strsplit (copy, ",", -1);
  for (char **p = parts; *p; p++)
    {
      char *end;
      gint64 lo = g_ascii_strtoll (*p, &end, 10), hi = lo, step = 1;
      if (end == *p || lo < 0)
        return;
      if (*end == '-')
        {
          char *e2;
          hi = g_ascii_strtoll (end + 1, &e2, 10);
          if (e2 == end + 1 || hi < lo)
            return;
          end = e2;
        }
      if (*end == ':')
        {
          char *e2;
          step = g_ascii_strtoll (end + 1, &e2, 10);
          if (e2 == end + 1 || step <= 0)
            return;
          end = e2;
        }
      if (*end != '\0')
        return;
      for (gint64 v = lo; v <= hi; v += step)
        {
          if (out->len >= MAX_ARRAY_TASKS)
            return;
          g_array_append_val (out, v);
        }
    }
}

/* "3:0", "0:15": exit status and signal. */
static char *
exit_code_str (json_t *job, gboolean with_signal)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                          jint_or (job, "exit_code", 0),
                          with_signal ? jint_or (job, "exit_signal", 0) : 0);
}

/* ---- columns --------------------------------------------------------------------------- */

/* squeue's and sinfo's _print_str: right-justified values are padded ("%Ns") and cut to
 * the width only when `cut`; left-justified ones are always cut ("%.Ns") and padded.  A
 * NULL value prints as glibc prints it: "(null)", or nothing under a precision below 6. */
static void
put_col (GString *out, const char *s, int width, gboolean right, gboolean cut)
{
  if (width <= 0)
    {
      g_string_append (out, s ? s : "(null)");
      return;
    }
  gsize start = out->len;
  if (right)
    {
      const char *v = s ? s : "(null)";
      gsize len = strlen (v);
      for (gsize i = len; i < (gsize) width; i++)
        g_string_append_c (out, ' ');
      g_string_append (out, v);
      if (cut && out->len - start > (gsize) width)
        g_string_truncate (out, start + (gsize) width);
      return;
    }
  const char *v = s ? s : (width >= 6 ? "(null)" : "");
  gsize len = strlen (v);
  g_string_append_len (out, v, (gssize) MIN (len, (gsize) width));
  while (out->len - start < (gsize) width)
    g_string_append_c (out, ' ');
}

/* ---- format strings (squeue -o, sinfo -o) ---------------------------------------------- */

typedef struct {
  char     *prefix;      /* literal text printed before the field */
  int       field;       /* index in the command's field table; -1: text only */
  int       width;       /* 0: as wide as the value */
  gboolean  right;
  gboolean  autow;       /* '#': the computed width */
} FmtItem;

static void
fmt_item_clear (gpointer p)
{
  g_free (((FmtItem *) p)->prefix);
}

typedef int (*FieldLookup) (char letter);

/* Parses `fmt` into items.  Unknown letters are dropped with a message in `warnings`
 * ("Invalid <what> format specification: X"). */
static GArray *
fmt_parse (const char *fmt, FieldLookup lookup, const char *what, GPtrArray *warnings)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (FmtItem));
  g_array_set_clear_func (items, fmt_item_clear);
  GString *text = g_string_new (NULL);
  const char *p = fmt ? fmt : "";
  while (*p)
    {
      if (*p != '%')
        {
          g_string_append_c (text, *p++);
          continue;
        }
      if (p[1] == '%')
        {
          g_string_append_c (text, '%');
          p += 2;
          continue;
        }
      const char *q = p + 1;
      gboolean right = FALSE, autow = FALSE;
      for (;; q++)
        {
          if (*q == '.')
            right = TRUE;
          else if (*q == '-')
            right = FALSE;
          else if (*q == '#')
            autow = TRUE;
          else
            break;
        }
      int width = 0;
      while (g_ascii_isdigit (*q))
        {
          if (width < 100000)
            width = width * 10 + (*q - '0');
          q++;
        }
      if (*q == '\0')
        {
          g_string_append (text, p);
          break;
        }
      int field = lookup (*q);
      if (field < 0)
        {
          if (warnings)
            g_ptr_array_add (warnings, g_strdup_printf ("Invalid %s format specification: %c",
                                                        what, *q));
          p = q + 1;
          continue;
        }
      FmtItem it = { g_string_free (text, FALSE), field, width, right, autow };
      g_array_append_val (items, it);
      text = g_string_new (NULL);
      p = q + 1;
    }
  if (text->len)
    {
      FmtItem it = { g_string_free (text, FALSE), -1, 0, FALSE, FALSE };
      g_array_append_val (items, it);
    }
  else
    g_string_free (text, TRUE);
  return items;
}

/* ---- squeue ---------------------------------------------------------------------------- */

typedef struct {
  json_t    *job;
  gint64     task;           /* the task of an expanded array record, else -1 */
  gint64     now;
  GTimeZone *tz;
  /* the default sort keys (P,t,-p, then the id), read once: sorting 100,000 jobs would
   * otherwise look them up in the JSON objects millions of times */
  const char *part;
  int         state_order;
  gint64      prio;
  gint64      base_id;
  gint64      task_key;
} JobRow;

enum {
  JF_EXIT_CODE = 256, JF_NUM_TASKS, JF_STDOUT, JF_STDERR, JF_STDIN, JF_TRES_ALLOC,
  JF_ELIGIBLE, JF_BATCH_FLAG, JF_REQUEUE, JF_RESTARTS, JF_LAST_SCHED, JF_CPUS_PER_TASK,
  JF_DERIVED_EC, JF_ALLOC_NODE, JF_SCHEDULER, JF_ACCRUE,
};

typedef struct {
  int         code;          /* the -o letter, or a JF_ code for -O only fields */
  const char *name;          /* the -O name (NULL: -o only) */
  const char *header;
  gboolean    cut;           /* values are cut to the width */
} JobField;

static const JobField job_fields[] = {
  { 'a', "Account", "ACCOUNT", TRUE },
  { 'A', "JobID", "JOBID", TRUE },
  { 'b', "tres-per-node", "TRES_PER_NODE", TRUE },
  { 'B', "BatchHost", "EXEC_HOST", TRUE },
  { 'c', "MinCpus", "MIN_CPUS", TRUE },
  { 'C', "NumCPUs", "CPUS", TRUE },
  { 'd', "MinTmpDisk", "MIN_TMP_DISK", TRUE },
  { 'D', "NumNodes", "NODES", TRUE },
  { 'e', "EndTime", "END_TIME", TRUE },
  { 'E', "Dependency", "DEPENDENCY", TRUE },
  { 'f', "Feature", "FEATURES", TRUE },
  { 'F', "ArrayJobID", "ARRAY_JOB_ID", TRUE },
  { 'g', "GroupName", "GROUP", TRUE },
  { 'G', "GroupID", "GROUP", TRUE },
  { 'h', "OverSubscribe", "OVER_SUBSCRIBE", TRUE },
  { 'H', "SocketsPerNode", "SOCKETS_PER_NODE", TRUE },
  { 'i', "JobArrayID", "JOBID", TRUE },
  { 'I', "CoresPerSocket", "CORES_PER_SOCKET", TRUE },
  { 'j', "Name", "NAME", TRUE },
  { 'J', "ThreadsPerCore", "THREADS_PER_CORE", TRUE },
  { 'k', "Comment", "COMMENT", TRUE },
  { 'K', "ArrayTaskID", "ARRAY_TASK_ID", TRUE },
  { 'l', "TimeLimit", "TIME_LIMIT", FALSE },
  { 'L', "TimeLeft", "TIME_LEFT", FALSE },
  { 'm', "MinMemory", "MIN_MEMORY", TRUE },
  { 'M', "TimeUsed", "TIME", FALSE },
  { 'n', "ReqNodes", "REQ_NODES", FALSE },
  { 'N', "NodeList", "NODELIST", FALSE },
  { 'o', "Command", "COMMAND", TRUE },
  { 'O', "Contiguous", "CONTIGUOUS", TRUE },
  { 'p', "Priority", "PRIORITY", TRUE },
  { 'P', "Partition", "PARTITION", TRUE },
  { 'q', "QOS", "QOS", TRUE },
  { 'Q', "PriorityLong", "PRIORITY", TRUE },
  { 'r', "Reason", "REASON", TRUE },
  { 'R', "ReasonList", "NODELIST(REASON)", FALSE },
  { 'S', "StartTime", "START_TIME", TRUE },
  { 't', "StateCompact", "ST", TRUE },
  { 'T', "State", "STATE", TRUE },
  { 'u', "UserName", "USER", TRUE },
  { 'U', "UserID", "UID", TRUE },
  { 'v', "Reservation", "RESERVATION", TRUE },
  { 'V', "SubmitTime", "SUBMIT_TIME", TRUE },
  { 'w', "WCKey", "WCKEY", TRUE },
  { 'W', "Licenses", "LICENSES", TRUE },
  { 'x', "ExcNodes", "EXC_NODES", FALSE },
  { 'X', "CoreSpec", "CORE_SPEC", TRUE },
  { 'y', "Nice", "NICE", TRUE },
  { 'Y', "SchedNodes", "SCHEDNODES", FALSE },
  { 'z', "SCT", "S:C:T", TRUE },
  { 'Z', "WorkDir", "WORK_DIR", TRUE },
  { JF_EXIT_CODE, "ExitCode", "EXIT_CODE", TRUE },
  { JF_NUM_TASKS, "NumTasks", "TASKS", TRUE },
  { JF_STDOUT, "STDOUT", "STDOUT", TRUE },
  { JF_STDERR, "STDERR", "STDERR", TRUE },
  { JF_STDIN, "STDIN", "STDIN", TRUE },
  { JF_TRES_ALLOC, "tres-alloc", "TRES_ALLOC", TRUE },
  { JF_ELIGIBLE, "EligibleTime", "ELIGIBLE_TIME", TRUE },
  { JF_ACCRUE, "AccrueTime", "ACCRUE_TIME", TRUE },
  { JF_BATCH_FLAG, "BatchFlag", "BATCH_FLAG", TRUE },
  { JF_REQUEUE, "Requeue", "REQUEUE", TRUE },
  { JF_RESTARTS, "RestartCnt", "RESTART_COUNT", TRUE },
  { JF_LAST_SCHED, "LastSchedEval", "LAST_SCHED_EVAL", TRUE },
  { JF_CPUS_PER_TASK, "cpus-per-task", "CPUS_PER_TASK", TRUE },
  { JF_DERIVED_EC, "DerivedEC", "DERIVED_EC", TRUE },
  { JF_ALLOC_NODE, "AllocNodes", "ALLOC_NODES", TRUE },
  { JF_SCHEDULER, "Scheduler", "SCHEDULER", TRUE },
};

static int
job_field_by_letter (char letter)
{
  for (gsize i = 0; i < G_N_ELEMENTS (job_fields); i++)
    if (job_fields[i].code == (unsigned char) letter)
      return (int) i;
  return -1;
}

static int
job_field_by_name (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (job_fields); i++)
    if (job_fields[i].name && g_ascii_strcasecmp (job_fields[i].name, name) == 0)
      return (int) i;
  return -1;
}

static char *
i64 (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

/* The reason text: the record's, "None" when it has none. */
static const char *
job_reason (json_t *job)
{
  const char *r = jstr_ne (job, "reason");
  return r ? r : "None";
}

static char *
job_start_text (json_t *job, GTimeZone *tz)
{
  gint64 t;
  if (jtime (job, "start_time", &t) || (job_is (job, "PENDING") && jtime (job, "planned_start", &t)))
    return net_fmt_timestamp (t, tz);
  return g_strdup ("N/A");
}

static char *
job_stdout_path (json_t *job)
{
  const char *o = jstr_ne (job, "stdout");
  if (o)
    return g_strdup (o);
  const char *wd = jstr (job, "workdir");
  return g_strdup_printf ("%s/slurm-%" G_GINT64_FORMAT ".out", wd ? wd : "(null)",
                          jint_or (job, "job_id", 0));
}

/* The value squeue prints for field `code` of a row; NULL prints as "(null)". */
static char *
job_value (const JobRow *r, int code)
{
  json_t *job = r->job;
  gint64 v, aj;
  const JobStateInfo *st = job_state_info (job);

  switch (code)
    {
    case 'a': return g_strdup (jstr (job, "account"));
    case 'A': return i64 (jint_or (job, "job_id", 0));
    case 'b':
      {
        const char *g = jstr_ne (job, "gres");
        if (!g)
          return g_strdup ("N/A");
        if (g_str_has_prefix (g, "gres:") || g_str_has_prefix (g, "gres/"))
          return g_strdup (g);
        return g_strconcat ("gres:", g, NULL);
      }
    case 'B':
      {
        const char *h = jbool (job, "batch", TRUE) ? jstr (job, "batch_host")
                                                   : jstr (job, "alloc_node");
        return g_strdup (h ? h : "n/a");
      }
    case 'c': return i64 (MAX (jint_or (job, "cpus_per_task", 1), 1));
    case 'C': return i64 (jint_or (job, "num_cpus", 0));
    case 'd': return g_strdup ("0");
    case 'D': return i64 (jint_or (job, "num_nodes", 0));
    case 'e':
      {
        gint64 limit;
        if (!job_end (job, &v))
          return g_strdup ("N/A");
        if (job_limit (job, &limit) && limit < 0 && v > r->now)
          return g_strdup ("NONE");
        return net_fmt_timestamp (v, r->tz);
      }
    case 'E': return g_strdup (jstr_ne (job, "dependency"));
    case 'f': return g_strdup (jstr (job, "features"));
    case 'F':
      aj = jint_or (job, "array_job_id", 0);
      return i64 (aj > 0 ? aj : jint_or (job, "job_id", 0));
    case 'g':
      if (jstr (job, "group"))
        return g_strdup (jstr (job, "group"));
      return i64 (jint_or (job, "gid", 0));
    case 'G': return i64 (jint_or (job, "gid", 0));
    case 'h': return g_strdup (jbool (job, "exclusive", FALSE) ? "NO" : "OK");
    case 'H': case 'I': case 'J': return g_strdup ("*");
    case 'i': return job_display_id (job, r->task);
    case 'j': return g_strdup (jstr (job, "name"));
    case 'k': return g_strdup (jstr (job, "comment"));
    case 'K':
      if (r->task >= 0)
        return i64 (r->task);
      if (jstr_ne (job, "array_tasks"))
        return g_strdup (jstr (job, "array_tasks"));
      if (jint (job, "array_task_id", &v) && v >= 0 && jint_or (job, "array_job_id", 0) > 0)
        return i64 (v);
      return g_strdup ("N/A");
    case 'l':
      if (!job_limit (job, &v))
        return g_strdup ("NOT_SET");
      return net_fmt_limit_short (v);
    case 'L':
      if (!job_limit (job, &v))
        return g_strdup ("NOT_SET");
      if (v < 0)
        return g_strdup ("UNLIMITED");
      return net_fmt_secs_short (round_up_minutes (v) - job_time_used (job, r->now));
    case 'm':
      if (jint (job, "mem_per_cpu_mb", &v) && v > 0)
        return net_fmt_mem_mb (v);
      return net_fmt_mem_mb (MAX (jint_or (job, "mem_per_node_mb", 0), 0));
    case 'M': return net_fmt_secs_short (job_time_used (job, r->now));
    case 'n': case 'x': return g_strdup ("");
    case 'N':
      {
        char *n = ranged (jstr (job, "nodes"));
        return n ? n : g_strdup ("");
      }
    case 'o': return g_strdup (jstr (job, "command"));
    case 'O': return g_strdup ("0");
    case 'p':
      return g_strdup_printf ("%16.14f", (double) MAX (jint_or (job, "priority", 0), 0)
                                         / (double) G_MAXUINT32);
    case 'P': return g_strdup (jstr (job, "partition"));
    case 'q': return g_strdup (jstr (job, "qos"));
    case 'Q': return i64 (jint_or (job, "priority", 0));
    case 'r': return g_strdup (job_reason (job));
    case 'R':
      if (!job_is (job, "COMPLETING")
          && (job_is (job, "PENDING") || job_is (job, "TIMEOUT") || job_is (job, "FAILED")))
        return g_strdup_printf ("(%s)", job_reason (job));
      else
        {
          char *n = ranged (jstr (job, "nodes"));
          return n ? n : g_strdup ("");
        }
    case 'S': return job_start_text (job, r->tz);
    case 't':
      return g_strdup (st ? st->compact : (jstr (job, "state") ? "?" : NULL));
    case 'T': return g_strdup (jstr (job, "state"));
    case 'u':
      if (jstr (job, "user"))
        return g_strdup (jstr (job, "user"));
      return i64 (jint_or (job, "uid", 0));
    case 'U': return i64 (jint_or (job, "uid", 0));
    case 'v': case 'w': case 'W': return NULL;
    case 'V': return time_or (job, "submit_time", "N/A", r->tz);
    case 'X': return g_strdup ("N/A");
    case 'y': return i64 (jint_or (job, "nice", 0));
    case 'Y': return g_strdup (jstr (job, "sched_nodes"));
    case 'z': return g_strdup ("*:*:*");
    case 'Z': return g_strdup (jstr (job, "workdir"));
    case JF_EXIT_CODE: return exit_code_str (job, TRUE);
    case JF_NUM_TASKS: return i64 (jint_or (job, "num_tasks", 0));
    case JF_STDOUT: return job_stdout_path (job);
    case JF_STDERR:
      if (jstr_ne (job, "stderr"))
        return g_strdup (jstr (job, "stderr"));
      return job_stdout_path (job);
    case JF_STDIN: return g_strdup (jstr (job, "stdin"));
    case JF_TRES_ALLOC:
      if (jstr_ne (job, "tres_alloc"))
        return g_strdup (jstr (job, "tres_alloc"));
      return g_strdup (jstr_or (job, "tres_req", "N/A"));
    case JF_ELIGIBLE: return time_or (job, "eligible_time", "N/A", r->tz);
    case JF_ACCRUE: return time_or (job, "accrue_time", "N/A", r->tz);
    case JF_BATCH_FLAG: return i64 (jbool (job, "batch", TRUE));
    case JF_REQUEUE: return i64 (jbool (job, "requeue", TRUE));
    case JF_RESTARTS: return i64 (jint_or (job, "restarts", 0));
    case JF_LAST_SCHED: return time_or (job, "last_sched_eval", "N/A", r->tz);
    case JF_CPUS_PER_TASK: return i64 (jint_or (job, "cpus_per_task", 1));
    case JF_DERIVED_EC: return i64 (jint_or (job, "derived_exit_code", 0));
    case JF_ALLOC_NODE: return g_strdup (jstr (job, "alloc_node"));
    case JF_SCHEDULER: return g_strdup (jstr_or (job, "scheduler", "Main"));
    default: return NULL;
    }
}

/* Parses a -O list "JobID:10,Name,State:.8 ": name[:[.]width[suffix]]. */
static GArray *
fmt_parse_long (const char *fmt, GError **error)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (FmtItem));
  g_array_set_clear_func (items, fmt_item_clear);
  g_auto (GStrv) toks = g_strsplit (fmt ? fmt : "", ",", -1);
  g_autofree char *pending_suffix = NULL;
  for (char **t = toks; *t; t++)
    {
      if (**t == '\0')
        continue;
      char *colon = strchr (*t, ':');
      g_autofree char *name = colon ? g_strndup (*t, (gsize) (colon - *t)) : g_strdup (*t);
      g_strstrip (name);
      int field = job_field_by_name (name);
      if (field < 0)
        {
          g_set_error (error, NET_FMT_ERROR, NET_FMT_ERROR_BAD_FIELD,
                       "Invalid job format specification: %s", name);
          g_array_unref (items);
          return NULL;
        }
      int width = 20;
      gboolean right = FALSE;
      const char *suffix = "";
      if (colon)
        {
          const char *q = colon + 1;
          if (*q == '.')
            {
              right = TRUE;
              q++;
            }
          if (g_ascii_isdigit (*q))
            {
              width = 0;
              while (g_ascii_isdigit (*q))
                {
                  if (width < 100000)
                    width = width * 10 + (*q - '0');
                  q++;
                }
            }
          suffix = q;
        }
      FmtItem it = { g_strdup (pending_suffix ? pending_suffix : ""), field, width, right, FALSE };
      g_array_append_val (items, it);
      g_free (pending_suffix);
      pending_suffix = g_strdup (suffix);
    }
  if (pending_suffix && *pending_suffix)
    {
      FmtItem it = { g_steal_pointer (&pending_suffix), -1, 0, FALSE, FALSE };
      g_array_append_val (items, it);
    }
  return items;
}

static void
job_line (GString *out, GArray *items, const JobRow *r)
{
  for (guint i = 0; i < items->len; i++)
    {
      FmtItem *it = &g_array_index (items, FmtItem, i);
      g_string_append (out, it->prefix);
      if (it->field < 0)
        continue;
      const JobField *f = &job_fields[it->field];
      if (!r)
        {
          /* Slurm cuts every header but the node list ones */
          gboolean cut = !(f->code == 'N' || f->code == 'R' || f->code == 'Y');
          put_col (out, f->header, it->width, it->right, cut);
          continue;
        }
      g_autofree char *v = job_value (r, f->code);
      put_col (out, v, it->width, it->right, f->cut);
    }
  g_string_append_c (out, '\n');
}

typedef struct {
  char     key;
  gboolean reverse;
} SortKey;

static GArray *
parse_sort (const char *spec, GError **error)
{
  GArray *keys = g_array_new (FALSE, FALSE, sizeof (SortKey));
  static const char valid[] = "iAFPtTpQjuUgGMlLDCSVeNqarycZ";
  for (const char *p = spec; *p; p++)
    {
      if (*p == ',' || *p == ' ')
        continue;
      SortKey k = { 0, FALSE };
      if (*p == '+' || *p == '-')
        {
          k.reverse = (*p == '-');
          p++;
        }
      if (*p == '\0' || !strchr (valid, *p))
        {
          g_set_error (error, NET_FMT_ERROR, NET_FMT_ERROR_BAD_SORT,
                       "Invalid sort specification: %c", *p ? *p : '?');
          g_array_unref (keys);
          return NULL;
        }
      k.key = *p;
      g_array_append_val (keys, k);
    }
  return keys;
}

typedef struct {
  GArray *keys;
} SortCtx;

static gint64
row_base_id (const JobRow *r)
{
  return r->base_id;
}

static gint64
row_task (const JobRow *r)
{
  return r->task_key;
}

/* Fills the cached sort keys of `r` from its record. */
static void
row_init_keys (JobRow *r)
{
  gint64 aj = jint_or (r->job, "array_job_id", 0), t;
  r->base_id = aj > 0 ? aj : jint_or (r->job, "job_id", 0);
  r->task_key = r->task >= 0 ? r->task : jint (r->job, "array_task_id", &t) ? t : -1;
  r->part = jstr (r->job, "partition");
  const JobStateInfo *si = job_state_info (r->job);
  r->state_order = si ? si->order : 99;
  r->prio = jint_or (r->job, "priority", 0);
}

static gint64
limit_key (json_t *job)
{
  gint64 l;
  if (!job_limit (job, &l))
    return -2;
  return l < 0 ? G_MAXINT64 : l;
}

static int
cmp_key (const JobRow *a, const JobRow *b, char key)
{
  json_t *x = a->job, *y = b->job;

  gint64 tx, ty;
  switch (key)
    {
    case 'i': case 'A': case 'F':
      {
        int c = cmp_i64 (row_base_id (a), row_base_id (b));
        return c ? c : cmp_i64 (row_task (a), row_task (b));
      }
    case 'P': return cmp_str0 (a->part, b->part);
    case 't': case 'T':
      return cmp_i64 (a->state_order, b->state_order);
    case 'p': case 'Q':
      return cmp_i64 (a->prio, b->prio);
    case 'j': return cmp_str0 (jstr (x, "name"), jstr (y, "name"));
    case 'u': return cmp_str0 (jstr (x, "user"), jstr (y, "user"));
    case 'U': return cmp_i64 (jint_or (x, "uid", 0), jint_or (y, "uid", 0));
    case 'g': return cmp_str0 (jstr (x, "group"), jstr (y, "group"));
    case 'G': return cmp_i64 (jint_or (x, "gid", 0), jint_or (y, "gid", 0));
    case 'M': return cmp_i64 (job_time_used (x, a->now), job_time_used (y, b->now));
    case 'l': return cmp_i64 (limit_key (x), limit_key (y));
    case 'L':
      {
        gint64 lx = limit_key (x), ly = limit_key (y);
        if (lx >= 0 && lx != G_MAXINT64)
          lx -= job_time_used (x, a->now);
        if (ly >= 0 && ly != G_MAXINT64)
          ly -= job_time_used (y, b->now);
        return cmp_i64 (lx, ly);
      }
    case 'D': return cmp_i64 (jint_or (x, "num_nodes", 0), jint_or (y, "num_nodes", 0));
    case 'C': return cmp_i64 (jint_or (x, "num_cpus", 0), jint_or (y, "num_cpus", 0));
    case 'S':
      if (!jtime (x, "start_time", &tx) && !jtime (x, "planned_start", &tx))
        tx = 0;
      if (!jtime (y, "start_time", &ty) && !jtime (y, "planned_start", &ty))
        ty = 0;
      return cmp_i64 (tx, ty);
    case 'V': return cmp_i64 (jint_or (x, "submit_time", 0), jint_or (y, "submit_time", 0));
    case 'e':
      if (!job_end (x, &tx))
        tx = 0;
      if (!job_end (y, &ty))
        ty = 0;
      return cmp_i64 (tx, ty);
    case 'N': return cmp_str0 (jstr (x, "nodes"), jstr (y, "nodes"));
    case 'q': return cmp_str0 (jstr (x, "qos"), jstr (y, "qos"));
    case 'a': return cmp_str0 (jstr (x, "account"), jstr (y, "account"));
    case 'r': return cmp_str0 (job_reason (x), job_reason (y));
    case 'y': return cmp_i64 (jint_or (x, "nice", 0), jint_or (y, "nice", 0));
    case 'c': return cmp_i64 (jint_or (x, "cpus_per_task", 1), jint_or (y, "cpus_per_task", 1));
    case 'Z': return cmp_str0 (jstr (x, "workdir"), jstr (y, "workdir"));
    default: return 0;
    }
}

static int
cmp_rows (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const JobRow *a = pa, *b = pb;
  GArray *keys = ((SortCtx *) data)->keys;
  gboolean last_reverse = FALSE;
  for (guint i = 0; i < keys->len; i++)
    {
      SortKey *k = &g_array_index (keys, SortKey, i);
      int c = cmp_key (a, b, k->key);
      if (c)
        return k->reverse ? -c : c;
      last_reverse = k->reverse;
    }
  int c = cmp_i64 (row_base_id (a), row_base_id (b));
  if (c)
    return last_reverse ? -c : c;
  return cmp_i64 (row_task (a), row_task (b));
}

static gboolean
state_selected (json_t *job, const NetSqueueOptions *opts)
{
  const char *s = jstr (job, "state");
  if (opts->start)
    return g_strcmp0 (s, "PENDING") == 0;
  if (!opts->states)
    return !s || !strcmp (s, "PENDING") || !strcmp (s, "RUNNING") || !strcmp (s, "SUSPENDED")
           || !strcmp (s, "COMPLETING");
  const JobStateInfo *st = job_state_info (job);
  for (const char *const *w = opts->states; *w; w++)
    {
      if (g_ascii_strcasecmp (*w, "all") == 0)
        return TRUE;
      if (s && g_ascii_strcasecmp (*w, s) == 0)
        return TRUE;
      if (st && g_ascii_strcasecmp (*w, st->compact) == 0)
        return TRUE;
    }
  return FALSE;
}

char *
net_fmt_squeue (json_t *jobs, const NetSqueueOptions *opts, gint64 now, GTimeZone *tz,
                GPtrArray *warnings, GError **error)
{
  static const NetSqueueOptions defaults = { 0 };
  if (!opts)
    opts = &defaults;

  g_autoptr (GArray) items = NULL;
  if (opts->format_long)
    {
      items = fmt_parse_long (opts->format_long, error);
      if (!items)
        return NULL;
    }
  else
    {
      const char *fmt = opts->format;
      if (!fmt)
        fmt = opts->start ? "%.18i %.9P %.8j %.8u %.2t %.19S %.6D %20Y %R"
              : opts->long_output ? "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R"
              : "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R";
      items = fmt_parse (fmt, job_field_by_letter, "job", warnings);
    }
  SortCtx sc = { parse_sort (opts->sort ? opts->sort : opts->start ? "S" : "P,t,-p", error) };
  if (!sc.keys)
    return NULL;

  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (JobRow));
  gsize n = json_is_array (jobs) ? json_array_size (jobs) : 0;
  for (gsize i = 0; i < n; i++)
    {
      json_t *job = json_array_get (jobs, i);
      if (!json_is_object (job) || !state_selected (job, opts))
        continue;
      const char *tasks = jstr_ne (job, "array_tasks");
      if (opts->array_expand && tasks)
        {
          g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
          parse_task_list (tasks, ids);
          for (guint k = 0; k < ids->len; k++)
            {
              JobRow r = { job, g_array_index (ids, gint64, k), now, tz, NULL, 0, 0, 0, 0 };
              row_init_keys (&r);
              g_array_append_val (rows, r);
            }
          continue;
        }
      JobRow r = { job, -1, now, tz, NULL, 0, 0, 0, 0 };
      row_init_keys (&r);
      g_array_append_val (rows, r);
    }
  g_array_sort_with_data (rows, cmp_rows, &sc);
  g_array_unref (sc.keys);

  GString *out = g_string_new (NULL);
  if (opts->long_output)
    {
      g_autofree char *d = net_fmt_date_line (now, tz);
      g_string_append_printf (out, "%s\n", d);
    }
  if (!opts->no_header)
    job_line (out, items, NULL);
  for (guint i = 0; i < rows->len; i++)
    job_line (out, items, &g_array_index (rows, JobRow, i));
  return g_string_free (out, FALSE);
}

/* ---- --json ------------------------------------------------------------------------- */

static json_t *
json_meta (void)
{
  return json_pack ("{s:{s:s,s:s},s:{s:{s:i,s:i,s:i},s:s}}",
                    "plugin", "type", "openapi/v0.0.38", "name", "Slurm OpenAPI v0.0.38",
                    "Slurm", "version", "major", 22, "micro", 8, "minor", 5,
                    "release", "22.05.8");
}

/* Copies `key` of `from` to `to` as `as`, or null when missing. */
static void
json_copy_as (json_t *to, const char *as, json_t *from, const char *key)
{
  json_t *v = jget (from, key);
  json_object_set (to, as, v ? v : json_null ());
}

static json_t *
json_time_or_zero (json_t *o, const char *key)
{
  gint64 t;
  return json_integer (jtime (o, key, &t) ? t : 0);
}

static json_t *
squeue_json_job (json_t *job, gint64 now)
{
  json_t *o = json_object ();
  gint64 v;
  json_copy_as (o, "account", job, "account");
  json_object_set_new (o, "accrue_time", json_time_or_zero (job, "accrue_time"));
  json_object_set_new (o, "array_job_id", json_integer (jint_or (job, "array_job_id", 0)));
  if (jint (job, "array_task_id", &v) && v >= 0)
    json_object_set_new (o, "array_task_id", json_integer (v));
  else
    json_object_set_new (o, "array_task_id", json_null ());
  json_copy_as (o, "array_task_string", job, "array_tasks");
  json_object_set_new (o, "batch_flag", json_boolean (jbool (job, "batch", TRUE)));
  json_copy_as (o, "batch_host", job, "batch_host");
  json_copy_as (o, "command", job, "command");
  json_object_set_new (o, "cpus_per_task", json_integer (jint_or (job, "cpus_per_task", 1)));
  json_copy_as (o, "current_working_directory", job, "workdir");
  json_copy_as (o, "dependency", job, "dependency");
  json_object_set_new (o, "derived_exit_code", json_integer (jint_or (job, "derived_exit_code", 0)));
  json_object_set_new (o, "eligible_time", json_time_or_zero (job, "eligible_time"));
  json_object_set_new (o, "end_time", json_integer (job_end (job, &v) ? v : 0));
  json_object_set_new (o, "exit_code", json_integer (jint_or (job, "exit_code", 0)));
  json_copy_as (o, "features", job, "features");
  json_object_set_new (o, "group_id", json_integer (jint_or (job, "gid", 0)));
  json_copy_as (o, "group_name", job, "group");
  json_object_set_new (o, "job_id", json_integer (jint_or (job, "job_id", 0)));
  json_copy_as (o, "job_state", job, "state");
  json_object_set_new (o, "last_sched_evaluation", json_time_or_zero (job, "last_sched_eval"));
  json_copy_as (o, "name", job, "name");
  json_object_set_new (o, "nice", json_integer (jint_or (job, "nice", 0)));
  json_object_set_new (o, "node_count", json_integer (jint_or (job, "num_nodes", 0)));
  json_copy_as (o, "nodes", job, "nodes");
  json_object_set_new (o, "cpus", json_integer (jint_or (job, "num_cpus", 0)));
  json_object_set_new (o, "tasks", json_integer (jint_or (job, "num_tasks", 0)));
  json_copy_as (o, "partition", job, "partition");
  json_object_set_new (o, "memory_per_cpu", json_integer (MAX (jint_or (job, "mem_per_cpu_mb", 0), 0)));
  json_object_set_new (o, "memory_per_node", json_integer (MAX (jint_or (job, "mem_per_node_mb", 0), 0)));
  json_object_set_new (o, "priority", json_integer (jint_or (job, "priority", 0)));
  json_copy_as (o, "qos", job, "qos");
  json_object_set_new (o, "requeue", json_boolean (jbool (job, "requeue", TRUE)));
  json_object_set_new (o, "restart_cnt", json_integer (jint_or (job, "restarts", 0)));
  json_copy_as (o, "scheduled_nodes", job, "sched_nodes");
  json_object_set_new (o, "standard_error", json_string (jstr_ne (job, "stderr")
                                                         ? jstr (job, "stderr") : ""));
  json_copy_as (o, "standard_input", job, "stdin");
  json_object_set_new (o, "standard_output", json_string (jstr_ne (job, "stdout")
                                                          ? jstr (job, "stdout") : ""));
  if (!jtime (job, "start_time", &v) && !(job_is (job, "PENDING") && jtime (job, "planned_start", &v)))
    v = 0;
  json_object_set_new (o, "start_time", json_integer (v));
  json_object_set_new (o, "state_reason", json_string (job_reason (job)));
  json_object_set_new (o, "submit_time", json_time_or_zero (job, "submit_time"));
  if (job_limit (job, &v) && v >= 0)
    json_object_set_new (o, "time_limit", json_integer (round_up_minutes (v) / 60));
  else
    json_object_set_new (o, "time_limit", json_null ());
  json_object_set_new (o, "time_minimum", json_integer (MAX (jint_or (job, "time_min", 0), 0) / 60));
  json_object_set_new (o, "run_time", json_integer (job_time_used (job, now)));
  json_copy_as (o, "tres_per_node", job, "gres");
  json_copy_as (o, "tres_req_str", job, "tres_req");
  json_copy_as (o, "tres_alloc_str", job, "tres_alloc");
  json_object_set_new (o, "user_id", json_integer (jint_or (job, "uid", 0)));
  json_copy_as (o, "user_name", job, "user");
  return o;
}

/* ---- squeue -s ---- */

static int
step_job_cmp (gconstpointer pa, gconstpointer pb)
{
  json_t *a = *(json_t *const *) pa, *b = *(json_t *const *) pb;
  int c = g_strcmp0 (jstr_or (a, "partition", ""), jstr_or (b, "partition", ""));
  return c ? c : cmp_i64 (jint_or (a, "job_id", 0), jint_or (b, "job_id", 0));
}

static void
step_line (GString *out, json_t *job, const char *step, const char *name, gint64 start,
           const char *nodes, gint64 now)
{
  g_autofree char *jid = job_display_id (job, -1);
  g_autofree char *id = g_strdup_printf ("%s.%s", jid, step);
  g_autofree char *t = net_fmt_secs_short (MAX (now - start, 0));
  g_autofree char *nl = ranged (nodes);
  put_col (out, id, 15, TRUE, TRUE);
  g_string_append_c (out, ' ');
  put_col (out, name, 8, TRUE, TRUE);
  g_string_append_c (out, ' ');
  put_col (out, jstr_or (job, "partition", ""), 9, TRUE, TRUE);
  g_string_append_c (out, ' ');
  put_col (out, jstr_or (job, "user", ""), 8, TRUE, TRUE);
  g_string_append_c (out, ' ');
  put_col (out, t, 9, TRUE, TRUE);
  g_string_append_c (out, ' ');
  g_string_append_printf (out, "%s\n", nl ? nl : "");
}

char *
net_fmt_squeue_steps (json_t *jobs, gboolean no_header, gint64 now)
{
  GString *out = g_string_new (NULL);
  if (!no_header)
    g_string_append (out, "         STEPID     NAME PARTITION     USER      TIME NODELIST\n");
  g_autoptr (GPtrArray) run = g_ptr_array_new ();
  gsize n = json_is_array (jobs) ? json_array_size (jobs) : 0;
  for (gsize i = 0; i < n; i++)
    {
      json_t *job = json_array_get (jobs, i);
      if (json_is_object (job) && job_is (job, "RUNNING"))
        g_ptr_array_add (run, job);
    }
  g_ptr_array_sort (run, step_job_cmp);
  for (guint i = 0; i < run->len; i++)
    {
      json_t *job = run->pdata[i], *s;
      gint64 start = 0, sid;
      size_t k;
      json_array_foreach (json_object_get (job, "steps"), k, s)
        if (g_strcmp0 (jstr (s, "state"), "RUNNING") == 0 && jint (s, "step_id", &sid))
          {
            g_autofree char *num = g_strdup_printf ("%" G_GINT64_FORMAT, sid);
            step_line (out, job, num, jstr_or (s, "name", ""), jint_or (s, "start_time", now),
                       jstr_or (s, "nodes", ""), now);
          }
      if (jbool (job, "batch", TRUE) && jtime (job, "start_time", &start))
        step_line (out, job, "batch", "batch", start, jstr_or (job, "batch_host", ""), now);
    }
  return g_string_free (out, FALSE);
}

static char *
dump_pretty (json_t *root)
{
  char *text = json_dumps (root, JSON_INDENT (2) | JSON_PRESERVE_ORDER);
  json_decref (root);
  char *s = g_strconcat (text ? text : "{}", "\n", NULL);
  free (text);
  return s;
}

char *
net_fmt_squeue_json (json_t *jobs, gint64 now)
{
  json_t *arr = json_array ();
  gsize n = json_is_array (jobs) ? json_array_size (jobs) : 0;
  for (gsize i = 0; i < n; i++)
    if (json_is_object (json_array_get (jobs, i)))
      json_array_append_new (arr, squeue_json_job (json_array_get (jobs, i), now));
  json_t *root = json_object ();
  json_object_set_new (root, "meta", json_meta ());
  json_object_set_new (root, "errors", json_array ());
  json_object_set_new (root, "jobs", arr);
  return dump_pretty (root);
}

/* ---- nodes --------------------------------------------------------------------------- */

enum { NS_UNKNOWN = 0, NS_DOWN = 1, NS_IDLE = 2, NS_ALLOCATED = 3, NS_MIXED = 5 };
#define NS_FLAG_DRAIN   0x200
#define NS_FLAG_NO_RESP 0x800

typedef struct {
  json_t   *node;
  guint     index;          /* position in the nodes array */
  int       base;           /* NS_ */
  gboolean  drain, no_resp;
} NodeInfo;

static void
node_info_init (NodeInfo *ni, json_t *node, guint index)
{
  const char *s = jstr (node, "state");
  ni->node = node;
  ni->index = index;
  ni->base = NS_UNKNOWN;
  if (s)
    {
      if (!g_ascii_strcasecmp (s, "IDLE"))
        ni->base = NS_IDLE;
      else if (!g_ascii_strcasecmp (s, "MIXED"))
        ni->base = NS_MIXED;
      else if (!g_ascii_strcasecmp (s, "ALLOCATED"))
        ni->base = NS_ALLOCATED;
      else if (!g_ascii_strcasecmp (s, "DOWN"))
        ni->base = NS_DOWN;
    }
  ni->drain = ni->no_resp = FALSE;
  json_t *flags = jget (node, "flags");
  gsize n = json_is_array (flags) ? json_array_size (flags) : 0;
  for (gsize i = 0; i < n; i++)
    {
      const char *f = json_string_value (json_array_get (flags, i));
      if (f && !g_ascii_strcasecmp (f, "DRAIN"))
        ni->drain = TRUE;
      else if (f && !g_ascii_strcasecmp (f, "NOT_RESPONDING"))
        ni->no_resp = TRUE;
    }
}

static int
node_state_value (const NodeInfo *ni)
{
  return ni->base | (ni->drain ? NS_FLAG_DRAIN : 0) | (ni->no_resp ? NS_FLAG_NO_RESP : 0);
}

static gboolean
node_busy (const NodeInfo *ni)
{
  return ni->base == NS_ALLOCATED || ni->base == NS_MIXED;
}

/* sinfo's state: "mix", "drng", "idle*"; long: "mixed", "draining", "idle*". */
static char *
node_state_sinfo (const NodeInfo *ni, gboolean long_form)
{
  const char *s;
  if (ni->drain)
    s = node_busy (ni) ? (long_form ? "draining" : "drng") : (long_form ? "drained" : "drain");
  else
    switch (ni->base)
      {
      case NS_DOWN: s = "down"; break;
      case NS_IDLE: s = "idle"; break;
      case NS_ALLOCATED: s = long_form ? "allocated" : "alloc"; break;
      case NS_MIXED: s = long_form ? "mixed" : "mix"; break;
      default: s = long_form ? "unknown" : "unk"; break;
      }
  return g_strconcat (s, ni->no_resp ? "*" : "", NULL);
}

/* scontrol's state: "MIXED", "IDLE+DRAIN", "DOWN+NOT_RESPONDING". */
static char *
node_state_scontrol (const NodeInfo *ni)
{
  static const char *const names[] = { "UNKNOWN", "DOWN", "IDLE", "ALLOCATED", "UNKNOWN", "MIXED" };
  return g_strconcat (names[ni->base], ni->drain ? "+DRAIN" : "",
                      ni->no_resp ? "+NOT_RESPONDING" : "", NULL);
}

/* Allocated / idle / other, as sinfo's A/I/O counts. */
static int
node_aio (const NodeInfo *ni)
{
  if (node_busy (ni) || jint_or (ni->node, "cpus_alloc", 0) > 0)
    return 0;
  if (ni->drain || ni->no_resp || ni->base == NS_DOWN || ni->base == NS_UNKNOWN)
    return 2;
  return 1;
}

/* ---- sinfo ----------------------------------------------------------------------------- */

typedef struct {
  json_t    *part;          /* NULL for -R lines */
  guint      part_index;
  GPtrArray *nodes;         /* NodeInfo *, borrowed */
  char      *key;
} SinfoRow;

static void
sinfo_row_free (gpointer p)
{
  SinfoRow *r = p;
  g_ptr_array_unref (r->nodes);
  g_free (r->key);
  g_free (r);
}

typedef struct {
  int         code;
  const char *header;
  gboolean    aggregate;    /* computed over the line's nodes, not part of its key */
} NodeField;

static const NodeField node_fields[] = {
  { 'a', "AVAIL", FALSE },         { 'A', "NODES(A/I)", TRUE },
  { 'b', "ACTIVE_FEATURES", FALSE }, { 'B', "MAX_CPUS_PER_NODE", FALSE },
  { 'c', "CPUS", FALSE },          { 'C', "CPUS(A/I/O/T)", TRUE },
  { 'd', "TMP_DISK", FALSE },      { 'D', "NODES", TRUE },
  { 'e', "FREE_MEM", FALSE },      { 'E', "REASON", FALSE },
  { 'f', "AVAIL_FEATURES", FALSE }, { 'F', "NODES(A/I/O/T)", TRUE },
  { 'g', "GROUPS", FALSE },        { 'G', "GRES", FALSE },
  { 'h', "OVERSUBSCRIBE", FALSE }, { 'H', "TIMESTAMP", FALSE },
  { 'I', "PRIO_JOB_FACTOR", FALSE }, { 'l', "TIMELIMIT", FALSE },
  { 'L', "DEFAULTTIME", FALSE },   { 'm', "MEMORY", FALSE },
  { 'n', "HOSTNAMES", TRUE },      { 'N', "NODELIST", TRUE },
  { 'o', "NODE_ADDR", TRUE },      { 'O', "CPU_LOAD", FALSE },
  { 'p', "PRIO_TIER", FALSE },     { 'P', "PARTITION", FALSE },
  { 'r', "ROOT", FALSE },          { 'R', "PARTITION", FALSE },
  { 's', "JOB_SIZE", FALSE },      { 'S', "ALLOCNODES", FALSE },
  { 't', "STATE", FALSE },         { 'T', "STATE", FALSE },
  { 'u', "USER", FALSE },          { 'v', "VERSION", FALSE },
  { 'w', "WEIGHT", FALSE },        { 'X', "SOCKETS", FALSE },
  { 'Y', "CORES", FALSE },         { 'Z', "THREADS", FALSE },
  { 'z', "S:C:T", FALSE },
};

static int
node_field_by_letter (char letter)
{
  for (gsize i = 0; i < G_N_ELEMENTS (node_fields); i++)
    if (node_fields[i].code == letter)
      return (int) i;
  return -1;
}

static char *
part_display_name (json_t *part)
{
  const char *name = jstr (part, "name");
  if (!part)
    return g_strdup ("n/a");
  return g_strconcat (name ? name : "(null)", jbool (part, "default", FALSE) ? "*" : "", NULL);
}

static char *
names_of (const SinfoRow *r, const char *key)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint i = 0; i < r->nodes->len; i++)
    {
      const char *n = jstr (((NodeInfo *) r->nodes->pdata[i])->node, key);
      g_ptr_array_add (names, (gpointer) (n ? n : "(null)"));
    }
  return wl_hostlist_compress ((const char *const *) names->pdata, (gssize) names->len);
}

/* The value of sinfo field `code` for a line; NULL prints as "(null)". */
static char *
sinfo_value (const SinfoRow *r, int code, gboolean long_states, GTimeZone *tz)
{
  const NodeInfo *ni = r->nodes->len ? r->nodes->pdata[0] : NULL;
  json_t *node = ni ? ni->node : NULL, *part = r->part;
  gint64 v;
  switch (code)
    {
    case 'a':
      {
        const char *s = jstr (part, "state");
        if (!s)
          return g_strdup (part ? "up" : "n/a");
        if (!g_ascii_strcasecmp (s, "INACTIVE"))
          return g_strdup ("inact");
        return g_ascii_strdown (s, -1);
      }
    case 'A': case 'F': case 'C':
      {
        gint64 c[3] = { 0, 0, 0 }, total = 0;
        for (guint i = 0; i < r->nodes->len; i++)
          {
            const NodeInfo *x = r->nodes->pdata[i];
            int k = node_aio (x);
            if (code != 'C')
              {
                c[k]++;
                total++;
                continue;
              }
            gint64 cpus = MAX (jint_or (x->node, "cpus", 0), 0);
            gint64 alloc = CLAMP (jint_or (x->node, "cpus_alloc", 0), 0, cpus);
            c[0] += alloc;
            c[k == 2 ? 2 : 1] += cpus - alloc;
            total += cpus;
          }
        if (code == 'A')
          return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, c[0], c[1]);
        return g_strdup_printf ("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                                "/%" G_GINT64_FORMAT, c[0], c[1], c[2], total);
      }
    case 'b': case 'f': return g_strdup (jstr_ne (node, "features"));
    case 'B': return g_strdup ("UNLIMITED");
    case 'c': return i64 (jint_or (node, "cpus", 0));
    case 'd': return i64 (jint_or (node, "tmp_disk", 0));
    case 'D': return i64 (r->nodes->len);
    case 'e': return i64 (jint_or (node, "free_mem", 0));
    case 'E': return g_strdup (jstr_or (node, "reason", "none"));
    case 'g': case 'S': return g_strdup ("all");
    case 'G': return g_strdup (jstr_ne (node, "gres"));
    case 'h':
      return g_strdup (jstr_or (part, "oversubscribe", "NO"));
    case 'H': return time_or (node, "reason_time", "Unknown", tz);
    case 'I': return i64 (jint_or (part, "priority_job_factor", 1));
    case 'l':
      if (!jint (part, "max_time", &v))
        v = -1;
      return net_fmt_limit_sinfo (v);
    case 'L':
      if (!jint (part, "default_time", &v))
        return g_strdup ("n/a");
      return net_fmt_limit_sinfo (v);
    case 'm': return i64 (jint_or (node, "real_memory", 0));
    case 'n': return names_of (r, "hostname");
    case 'N': return names_of (r, "name");
    case 'o': return names_of (r, "addr");
    case 'O': return g_strdup_printf ("%.2f", jdouble_or (node, "cpu_load", 0.0));
    case 'p': return i64 (jint_or (part, "priority_tier", 1));
    case 'P': return part_display_name (part);
    case 'r': return g_strdup ("no");
    case 'R': return g_strdup (part ? jstr (part, "name") : "n/a");
    case 's':
      {
        gint64 lo = MAX (jint_or (part, "min_nodes", 0), 1), hi = jint_or (part, "max_nodes", -1);
        if (hi < 0)
          return g_strdup_printf ("%" G_GINT64_FORMAT "-infinite", lo);
        if (hi == lo)
          return i64 (lo);
        return g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, lo, hi);
      }
    case 't': case 'T':
      if (!ni)
        return g_strdup ("n/a");
      return node_state_sinfo (ni, code == 'T' || long_states);
    case 'u': return g_strdup (jstr_or (node, "reason_user", "Unknown"));
    case 'v': return g_strdup (jstr (node, "version"));
    case 'w': return i64 (jint_or (node, "weight", 1));
    case 'X': return i64 (jint_or (node, "sockets", 1));
    case 'Y': return i64 (jint_or (node, "cores_per_socket", 1));
    case 'Z': return i64 (jint_or (node, "threads_per_core", 1));
    case 'z':
      return g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                              jint_or (node, "sockets", 1), jint_or (node, "cores_per_socket", 1),
                              jint_or (node, "threads_per_core", 1));
    default: return NULL;
    }
}

/* Does `part` hold the node?  By the node's "partitions" list, else by the partition's
 * node_names or nodes expression. */
static gboolean
part_has_node (json_t *part, const NodeInfo *ni, GHashTable *expanded)
{
  const char *name = jstr (ni->node, "name"), *pname = jstr (part, "name");
  json_t *plist = jget (ni->node, "partitions");
  if (json_is_array (plist))
    {
      for (gsize i = 0; i < json_array_size (plist); i++)
        if (pname && g_strcmp0 (json_string_value (json_array_get (plist, i)), pname) == 0)
          return TRUE;
      return FALSE;
    }
  if (!name)
    return FALSE;
  json_t *names = jget (part, "node_names");
  if (json_is_array (names))
    {
      for (gsize i = 0; i < json_array_size (names); i++)
        if (g_strcmp0 (json_string_value (json_array_get (names, i)), name) == 0)
          return TRUE;
      return FALSE;
    }
  GHashTable *set = g_hash_table_lookup (expanded, part);
  if (!set)
    {
      set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr (GPtrArray) hosts = jstr (part, "nodes")
                                      ? wl_hostlist_expand (jstr (part, "nodes"), NULL) : NULL;
      for (guint i = 0; hosts && i < hosts->len; i++)
        g_hash_table_add (set, g_strdup (hosts->pdata[i]));
      g_hash_table_insert (expanded, part, set);
    }
  return g_hash_table_contains (set, name);
}

typedef struct {
  gboolean by_node;
} SinfoSort;

static int
cmp_sinfo_rows (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SinfoRow *a = *(SinfoRow *const *) pa, *b = *(SinfoRow *const *) pb;
  const NodeInfo *na = a->nodes->pdata[0], *nb = b->nodes->pdata[0];
  int c;
  if (((SinfoSort *) data)->by_node)
    {
      c = cmp_i64 (na->index, nb->index);
      return c ? c : cmp_i64 (a->part_index, b->part_index);
    }
  c = cmp_i64 (a->part_index, b->part_index);
  if (c)
    return c;
  c = -cmp_i64 (node_state_value (na), node_state_value (nb));
  return c ? c : cmp_i64 (na->index, nb->index);
}

static void
sinfo_line (GString *out, GArray *items, const SinfoRow *r, int part_w, int node_w,
            gboolean long_states, GTimeZone *tz)
{
  for (guint i = 0; i < items->len; i++)
    {
      FmtItem *it = &g_array_index (items, FmtItem, i);
      g_string_append (out, it->prefix);
      if (it->field < 0)
        continue;
      const NodeField *f = &node_fields[it->field];
      int width = it->width;
      if (it->autow)
        width = (f->code == 'N' || f->code == 'n' || f->code == 'o') ? node_w : part_w;
      if (!r)
        {
          put_col (out, f->header, width, it->right, TRUE);
          continue;
        }
      g_autofree char *v = sinfo_value (r, f->code, long_states, tz);
      put_col (out, v, width, it->right, TRUE);
    }
  g_string_append_c (out, '\n');
}

char *
net_fmt_sinfo (json_t *nodes, json_t *parts, const NetSinfoOptions *opts, gint64 now,
               GTimeZone *tz, GPtrArray *warnings)
{
  static const NetSinfoOptions defaults = { 0 };
  if (!opts)
    opts = &defaults;
  const char *fmt = opts->format;
  if (!fmt)
    {
      if (opts->list_reasons)
        fmt = "%20E %9u %19H %N";
      else if (opts->summarize)
        fmt = "%#P %.5a %.10l %.16F %N";
      else if (opts->node_oriented)
        fmt = opts->long_output ? "%#N %.6D %.9P %.11T %4c %.8z %.6m %.8d %.6w %.8f %20E"
                                : "%#N %.6D %.9P %6t";
      else
        fmt = opts->long_output ? "%#P %.5a %.10l %.10s %.4r %.8h %.10g %.6D %.11T %N"
                                : "%#P %.5a %.10l %.6D %.6t %N";
    }
  g_autoptr (GArray) items = fmt_parse (fmt, node_field_by_letter, "node", warnings);
  gboolean long_states = opts->long_output;

  gsize nn = json_is_array (nodes) ? json_array_size (nodes) : 0;
  gsize np = json_is_array (parts) ? json_array_size (parts) : 0;
  g_autofree NodeInfo *info = g_new0 (NodeInfo, MAX (nn, 1));
  guint ninfo = 0;
  for (gsize i = 0; i < nn; i++)
    if (json_is_object (json_array_get (nodes, i)))
      {
        node_info_init (&info[ninfo], json_array_get (nodes, i), ninfo);
        ninfo++;
      }

  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (sinfo_row_free);
  g_autoptr (GHashTable) by_key = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) expanded
    = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
                             (GDestroyNotify) g_hash_table_unref);

  for (gsize p = 0; p < (opts->list_reasons ? 1 : np); p++)
    {
      json_t *part = opts->list_reasons ? NULL : json_array_get (parts, p);
      if (!opts->list_reasons && !json_is_object (part))
        continue;
      for (guint k = 0; k < ninfo; k++)
        {
          NodeInfo *ni = &info[k];
          if (opts->list_reasons)
            {
              if (!(ni->drain || ni->base == NS_DOWN || ni->no_resp || jstr_ne (ni->node, "reason")))
                continue;
            }
          else if (!part_has_node (part, ni, expanded))
            continue;
          /* the line's key: partition, node (with -N) and every per-node value */
          GString *key = g_string_new (NULL);
          g_string_append_printf (key, "%u\x1f", (guint) p);
          if (opts->node_oriented)
            g_string_append_printf (key, "%u\x1f", k);
          SinfoRow probe = { part, (guint) p, g_ptr_array_new (), NULL };
          g_ptr_array_add (probe.nodes, ni);
          for (guint i = 0; i < items->len; i++)
            {
              FmtItem *it = &g_array_index (items, FmtItem, i);
              if (it->field < 0 || node_fields[it->field].aggregate)
                continue;
              g_autofree char *v = sinfo_value (&probe, node_fields[it->field].code, long_states, tz);
              g_string_append_printf (key, "%s\x1f", v ? v : "");
            }
          g_ptr_array_unref (probe.nodes);
          SinfoRow *row = g_hash_table_lookup (by_key, key->str);
          if (!row)
            {
              row = g_new0 (SinfoRow, 1);
              row->part = part;
              row->part_index = (guint) p;
              row->nodes = g_ptr_array_new ();
              row->key = g_string_free (key, FALSE);
              g_ptr_array_add (rows, row);
              g_hash_table_insert (by_key, row->key, row);
            }
          else
            g_string_free (key, TRUE);
          g_ptr_array_add (row->nodes, ni);
        }
    }

  SinfoSort ss = { opts->node_oriented };
  if (!opts->list_reasons)
    g_ptr_array_sort_with_data (rows, cmp_sinfo_rows, &ss);

  int part_w = 9, node_w = 9;
  for (gsize p = 0; p < np; p++)
    {
      json_t *part = json_array_get (parts, p);
      if (!json_is_object (part))
        continue;
      g_autofree char *name = part_display_name (part);
      part_w = MAX (part_w, (int) strlen (name));
    }
  for (guint i = 0; i < rows->len; i++)
    {
      g_autofree char *list = names_of (rows->pdata[i], "name");
      node_w = MAX (node_w, (int) strlen (list));
    }

  GString *out = g_string_new (NULL);
  if (opts->long_output)
    {
      g_autofree char *d = net_fmt_date_line (now, tz);
      g_string_append_printf (out, "%s\n", d);
    }
  if (!opts->no_header)
    sinfo_line (out, items, NULL, part_w, node_w, long_states, tz);
  for (guint i = 0; i < rows->len; i++)
    sinfo_line (out, items, rows->pdata[i], part_w, node_w, long_states, tz);
  return g_string_free (out, FALSE);
}

static json_t *
sinfo_json_node (const NodeInfo *ni, GTimeZone *tz)
{
  json_t *n = ni->node, *o = json_object ();
  (void) tz;
  static const char *const lower[] = { "unknown", "down", "idle", "allocated", "unknown", "mixed" };
  json_copy_as (o, "architecture", n, "arch");
  json_object_set_new (o, "boards", json_integer (jint_or (n, "boards", 1)));
  json_object_set_new (o, "boot_time", json_time_or_zero (n, "boot_time"));
  json_object_set_new (o, "cores", json_integer (jint_or (n, "cores_per_socket", 1)));
  json_object_set_new (o, "cpu_load", json_integer ((json_int_t) (jdouble_or (n, "cpu_load", 0) * 100)));
  json_object_set_new (o, "free_memory", json_integer (jint_or (n, "free_mem", 0)));
  json_object_set_new (o, "cpus", json_integer (jint_or (n, "cpus", 0)));
  json_object_set_new (o, "last_busy", json_time_or_zero (n, "last_busy"));
  json_object_set_new (o, "features", json_string (jstr_or (n, "features", "")));
  json_object_set_new (o, "active_features", json_string (jstr_or (n, "features", "")));
  json_object_set_new (o, "gres", json_string (jstr_or (n, "gres", "")));
  json_object_set_new (o, "gres_used", json_string (jstr_or (n, "gres_used", "")));
  json_copy_as (o, "name", n, "name");
  json_copy_as (o, "address", n, "addr");
  json_copy_as (o, "hostname", n, "hostname");
  json_object_set_new (o, "state", json_string (lower[ni->base]));
  json_t *flags = json_array ();
  if (ni->drain)
    json_array_append_new (flags, json_string ("DRAIN"));
  if (ni->no_resp)
    json_array_append_new (flags, json_string ("NOT_RESPONDING"));
  json_object_set_new (o, "state_flags", flags);
  json_copy_as (o, "operating_system", n, "os");
  json_t *pl = jget (n, "partitions");
  json_object_set_new (o, "partitions", json_is_array (pl) ? json_deep_copy (pl) : json_array ());
  json_object_set_new (o, "port", json_integer (jint_or (n, "port", 0)));
  json_object_set_new (o, "real_memory", json_integer (jint_or (n, "real_memory", 0)));
  json_object_set_new (o, "reason", json_string (jstr_or (n, "reason", "")));
  json_object_set_new (o, "reason_changed_at", json_time_or_zero (n, "reason_time"));
  json_object_set_new (o, "reason_set_by_user", json_string (jstr_or (n, "reason_user", "")));
  json_object_set_new (o, "slurmd_start_time", json_time_or_zero (n, "slurmd_start_time"));
  json_object_set_new (o, "sockets", json_integer (jint_or (n, "sockets", 1)));
  json_object_set_new (o, "threads", json_integer (jint_or (n, "threads_per_core", 1)));
  json_object_set_new (o, "temporary_disk", json_integer (jint_or (n, "tmp_disk", 0)));
  json_object_set_new (o, "weight", json_integer (jint_or (n, "weight", 1)));
  json_copy_as (o, "slurmd_version", n, "version");
  json_object_set_new (o, "alloc_memory", json_integer (jint_or (n, "alloc_mem", 0)));
  json_object_set_new (o, "alloc_cpus", json_integer (jint_or (n, "cpus_alloc", 0)));
  json_object_set_new (o, "idle_cpus", json_integer (MAX (jint_or (n, "cpus", 0) - jint_or (n, "cpus_alloc", 0), 0)));
  return o;
}

static json_t *
sinfo_json_part (json_t *p)
{
  json_t *o = json_object ();
  gint64 v;
  json_t *flags = json_array ();
  if (jbool (p, "default", FALSE))
    json_array_append_new (flags, json_string ("default"));
  json_object_set_new (o, "flags", flags);
  json_object_set_new (o, "preemption_mode", json_string (jstr_or (p, "preempt_mode", "OFF")));
  json_object_set_new (o, "allowed_accounts", json_string (jstr_or (p, "allow_accounts", "ALL")));
  json_object_set_new (o, "allowed_qos", json_string (jstr_or (p, "allow_qos", "ALL")));
  json_object_set_new (o, "default_time_limit", jint (p, "default_time", &v) && v >= 0
                       ? json_integer (round_up_minutes (v) / 60) : json_null ());
  json_object_set_new (o, "preemption_grace_time", json_integer (jint_or (p, "grace_time", 0)));
  json_object_set_new (o, "maximum_nodes_per_job", jint (p, "max_nodes", &v) && v >= 0
                       ? json_integer (v) : json_null ());
  json_object_set_new (o, "maximum_time_limit", jint (p, "max_time", &v) && v >= 0
                       ? json_integer (round_up_minutes (v) / 60) : json_null ());
  json_object_set_new (o, "minimum_nodes_per_job", json_integer (jint_or (p, "min_nodes", 0)));
  json_copy_as (o, "name", p, "name");
  json_copy_as (o, "nodes", p, "nodes");
  json_object_set_new (o, "priority_job_factor", json_integer (jint_or (p, "priority_job_factor", 1)));
  json_object_set_new (o, "priority_tier", json_integer (jint_or (p, "priority_tier", 1)));
  json_object_set_new (o, "qos", json_string (jstr_or (p, "qos", "")));
  json_object_set_new (o, "state", json_string (jstr_or (p, "state", "UP")));
  json_object_set_new (o, "total_cpus", json_integer (jint_or (p, "total_cpus", 0)));
  json_object_set_new (o, "total_nodes", json_integer (jint_or (p, "total_nodes", 0)));
  return o;
}

char *
net_fmt_sinfo_json (json_t *nodes, json_t *parts)
{
  json_t *na = json_array (), *pa = json_array ();
  gsize nn = json_is_array (nodes) ? json_array_size (nodes) : 0;
  for (gsize i = 0; i < nn; i++)
    {
      json_t *n = json_array_get (nodes, i);
      if (!json_is_object (n))
        continue;
      NodeInfo ni;
      node_info_init (&ni, n, (guint) i);
      json_array_append_new (na, sinfo_json_node (&ni, NULL));
    }
  gsize np = json_is_array (parts) ? json_array_size (parts) : 0;
  for (gsize i = 0; i < np; i++)
    if (json_is_object (json_array_get (parts, i)))
      json_array_append_new (pa, sinfo_json_part (json_array_get (parts, i)));
  json_t *root = json_object ();
  json_object_set_new (root, "meta", json_meta ());
  json_object_set_new (root, "errors", json_array ());
  json_object_set_new (root, "nodes", na);
  json_object_set_new (root, "partitions", pa);
  return dump_pretty (root);
}

/* ---- scontrol show ---------------------------------------------------------------------- */

/* "(null)" for a missing string, as Slurm's "%s" of NULL. */
static const char *
nz (const char *s)
{
  return s ? s : "(null)";
}

char *
net_fmt_scontrol_job (json_t *job, gint64 now, GTimeZone *tz)
{
  GString *o = g_string_new (NULL);
  gint64 v, t;
  const char *tasks = jstr_ne (job, "array_tasks");

  g_string_append_printf (o, "JobId=%" G_GINT64_FORMAT " ", jint_or (job, "job_id", 0));
  if (jint_or (job, "array_job_id", 0) > 0)
    {
      g_string_append_printf (o, "ArrayJobId=%" G_GINT64_FORMAT " ", jint_or (job, "array_job_id", 0));
      if (tasks)
        {
          const char *pct = strchr (tasks, '%');
          g_string_append_printf (o, "ArrayTaskId=%.*s ", pct ? (int) (pct - tasks) : (int) strlen (tasks), tasks);
          if (pct)
            g_string_append_printf (o, "ArrayTaskThrottle=%s ", pct + 1);
        }
      else
        g_string_append_printf (o, "ArrayTaskId=%" G_GINT64_FORMAT " ", jint_or (job, "array_task_id", 0));
    }
  g_string_append_printf (o, "JobName=%s\n", nz (jstr (job, "name")));

  g_string_append_printf (o, "   UserId=%s(%" G_GINT64_FORMAT ") GroupId=%s(%" G_GINT64_FORMAT
                          ") MCS_label=N/A\n", nz (jstr (job, "user")), jint_or (job, "uid", 0),
                          nz (jstr (job, "group")), jint_or (job, "gid", 0));
  g_string_append_printf (o, "   Priority=%" G_GINT64_FORMAT " Nice=%" G_GINT64_FORMAT
                          " Account=%s QOS=%s\n", jint_or (job, "priority", 0),
                          jint_or (job, "nice", 0), nz (jstr (job, "account")), nz (jstr (job, "qos")));
  g_string_append_printf (o, "   JobState=%s Reason=%s Dependency=%s\n", nz (jstr (job, "state")),
                          job_reason (job), nz (jstr_ne (job, "dependency")));
  g_autofree char *ec = exit_code_str (job, TRUE);
  g_string_append_printf (o, "   Requeue=%d Restarts=%" G_GINT64_FORMAT " BatchFlag=%d Reboot=0 ExitCode=%s\n",
                          jbool (job, "requeue", TRUE), jint_or (job, "restarts", 0),
                          jbool (job, "batch", TRUE), ec);

  g_autofree char *run = net_fmt_secs_long (job_time_used (job, now));
  g_autofree char *limit = job_limit (job, &v) ? net_fmt_limit_long (v) : g_strdup ("UNLIMITED");
  g_autofree char *tmin = (jint (job, "time_min", &v) && v > 0) ? net_fmt_limit_long (v) : g_strdup ("N/A");
  g_string_append_printf (o, "   RunTime=%s TimeLimit=%s TimeMin=%s\n", run, limit, tmin);

  g_autofree char *submit = time_or (job, "submit_time", "Unknown", tz);
  g_autofree char *elig = time_or (job, "eligible_time", "Unknown", tz);
  g_autofree char *accrue = time_or (job, "accrue_time", "Unknown", tz);
  g_string_append_printf (o, "   SubmitTime=%s EligibleTime=%s\n   AccrueTime=%s\n", submit, elig, accrue);

  g_autofree char *start = NULL;
  if (jtime (job, "start_time", &t) || (job_is (job, "PENDING") && jtime (job, "planned_start", &t)))
    start = net_fmt_timestamp (t, tz);
  else
    start = g_strdup ("Unknown");
  g_autofree char *end = NULL;
  if (job_end (job, &t) && !(job_limit (job, &v) && v < 0 && t > now))
    end = net_fmt_timestamp (t, tz);
  else
    end = g_strdup ("Unknown");
  g_string_append_printf (o, "   StartTime=%s EndTime=%s Deadline=N/A\n", start, end);

  g_autofree char *sched = time_or (job, "last_sched_eval", "Unknown", tz);
  g_string_append_printf (o, "   SuspendTime=None SecsPreSuspend=0 LastSchedEval=%s Scheduler=%s\n",
                          sched, jstr_or (job, "scheduler", "Main"));
  g_string_append_printf (o, "   Partition=%s AllocNode:Sid=%s:%" G_GINT64_FORMAT "\n",
                          nz (jstr (job, "partition")), nz (jstr (job, "alloc_node")),
                          jint_or (job, "alloc_sid", 0));
  g_autofree char *reqn = ranged (jstr_ne (job, "req_nodes"));
  g_autofree char *excn = ranged (jstr_ne (job, "exc_nodes"));
  g_string_append_printf (o, "   ReqNodeList=%s ExcNodeList=%s\n", reqn ? reqn : "(null)",
                          excn ? excn : "(null)");
  g_autofree char *nodes = ranged (jstr_ne (job, "nodes"));
  g_string_append_printf (o, "   NodeList=%s\n", nodes ? nodes : "");
  if (jstr_ne (job, "sched_nodes"))
    {
      g_autofree char *sn = ranged (jstr (job, "sched_nodes"));
      g_string_append_printf (o, "   SchedNodeList=%s\n", sn);
    }
  if (jstr_ne (job, "batch_host") && nodes)
    g_string_append_printf (o, "   BatchHost=%s\n", jstr (job, "batch_host"));
  g_string_append_printf (o, "   NumNodes=%" G_GINT64_FORMAT " NumCPUs=%" G_GINT64_FORMAT
                          " NumTasks=%" G_GINT64_FORMAT " CPUs/Task=%" G_GINT64_FORMAT
                          " ReqB:S:C:T=0:0:*:*\n", jint_or (job, "num_nodes", 0),
                          jint_or (job, "num_cpus", 0), jint_or (job, "num_tasks", 0),
                          jint_or (job, "cpus_per_task", 1));
  const char *tres = jstr_or (job, "tres_alloc", jstr (job, "tres_req"));
  g_string_append_printf (o, "   TRES=%s\n", nz (tres));
  g_string_append_printf (o, "   Socks/Node=* NtasksPerN:B:S:C=%" G_GINT64_FORMAT
                          ":0:*:* CoreSpec=*\n", jint_or (job, "ntasks_per_node", 0));
  if (jint (job, "mem_per_cpu_mb", &v) && v > 0)
    {
      g_autofree char *m = net_fmt_mem_mb (v);
      g_string_append_printf (o, "   MinCPUsNode=%" G_GINT64_FORMAT " MinMemoryCPU=%s MinTmpDiskNode=0\n",
                              MAX (jint_or (job, "cpus_per_task", 1), 1), m);
    }
  else
    {
      g_autofree char *m = net_fmt_mem_mb (MAX (jint_or (job, "mem_per_node_mb", 0), 0));
      g_string_append_printf (o, "   MinCPUsNode=%" G_GINT64_FORMAT " MinMemoryNode=%s MinTmpDiskNode=0\n",
                              MAX (jint_or (job, "cpus_per_task", 1), 1), m);
    }
  g_string_append_printf (o, "   Features=%s DelayBoot=00:00:00\n", nz (jstr_ne (job, "features")));
  g_string_append_printf (o, "   OverSubscribe=%s Contiguous=0 Licenses=(null) Network=(null)\n",
                          jbool (job, "exclusive", FALSE) ? "NO" : "OK");
  g_string_append_printf (o, "   Command=%s\n", nz (jstr_ne (job, "command")));
  g_string_append_printf (o, "   WorkDir=%s\n", nz (jstr (job, "workdir")));
  if (jbool (job, "batch", TRUE))
    {
      g_autofree char *so = job_stdout_path (job);
      const char *se = jstr_or (job, "stderr", so);
      g_string_append_printf (o, "   StdErr=%s\n   StdIn=%s\n   StdOut=%s\n", se,
                              nz (jstr (job, "stdin")), so);
    }
  g_string_append (o, "   Power=\n   \n\n");
  return g_string_free (o, FALSE);
}

char *
net_fmt_scontrol_node (json_t *node, guint slurmd_port, GTimeZone *tz)
{
  GString *o = g_string_new (NULL);
  NodeInfo ni;
  gint64 v;
  node_info_init (&ni, node, 0);

  g_string_append_printf (o, "NodeName=%s Arch=%s CoresPerSocket=%" G_GINT64_FORMAT " \n",
                          nz (jstr (node, "name")), nz (jstr (node, "arch")),
                          jint_or (node, "cores_per_socket", 1));
  g_autofree char *load = jget (node, "cpu_load") && json_is_number (jget (node, "cpu_load"))
                            ? g_strdup_printf ("%.2f", jdouble_or (node, "cpu_load", 0))
                            : g_strdup ("N/A");
  gint64 cpus = jint_or (node, "cpus", 0);
  g_string_append_printf (o, "   CPUAlloc=%" G_GINT64_FORMAT " CPUEfctv=%" G_GINT64_FORMAT
                          " CPUTot=%" G_GINT64_FORMAT " CPULoad=%s\n",
                          jint_or (node, "cpus_alloc", 0), cpus, cpus, load);
  g_string_append_printf (o, "   AvailableFeatures=%s\n   ActiveFeatures=%s\n",
                          nz (jstr_ne (node, "features")), nz (jstr_ne (node, "features")));
  g_string_append_printf (o, "   Gres=%s\n", nz (jstr_ne (node, "gres")));
  g_string_append_printf (o, "   NodeAddr=%s NodeHostName=%s", nz (jstr (node, "addr")),
                          nz (jstr (node, "hostname")));
  if (jint (node, "port", &v) && v != (gint64) slurmd_port)
    g_string_append_printf (o, " Port=%" G_GINT64_FORMAT, v);
  g_string_append_printf (o, " Version=%s\n", nz (jstr (node, "version")));
  if (jstr (node, "os"))
    g_string_append_printf (o, "   OS=%s \n", jstr (node, "os"));
  g_autofree char *free_mem = jint (node, "free_mem", &v) ? i64 (v) : g_strdup ("N/A");
  g_string_append_printf (o, "   RealMemory=%" G_GINT64_FORMAT " AllocMem=%" G_GINT64_FORMAT
                          " FreeMem=%s Sockets=%" G_GINT64_FORMAT " Boards=%" G_GINT64_FORMAT "\n",
                          jint_or (node, "real_memory", 0), jint_or (node, "alloc_mem", 0), free_mem,
                          jint_or (node, "sockets", 1), jint_or (node, "boards", 1));
  g_autofree char *state = node_state_scontrol (&ni);
  g_string_append_printf (o, "   State=%s ThreadsPerCore=%" G_GINT64_FORMAT " TmpDisk=%" G_GINT64_FORMAT
                          " Weight=%" G_GINT64_FORMAT " Owner=N/A MCS_label=N/A\n", state,
                          jint_or (node, "threads_per_core", 1), jint_or (node, "tmp_disk", 0),
                          jint_or (node, "weight", 1));
  json_t *parts = jget (node, "partitions");
  if (json_is_array (parts) && json_array_size (parts) > 0)
    {
      g_string_append (o, "   Partitions=");
      for (gsize i = 0; i < json_array_size (parts); i++)
        g_string_append_printf (o, "%s%s", i ? "," : "", nz (json_string_value (json_array_get (parts, i))));
      g_string_append (o, " \n");
    }
  g_autofree char *boot = time_or (node, "boot_time", "None", tz);
  g_autofree char *sstart = time_or (node, "slurmd_start_time", "None", tz);
  g_autofree char *busy = time_or (node, "last_busy", "Unknown", tz);
  g_string_append_printf (o, "   BootTime=%s SlurmdStartTime=%s\n   LastBusyTime=%s\n", boot, sstart, busy);
  g_autofree char *cmem = net_fmt_mem_mb (MAX (jint_or (node, "real_memory", 0), 0));
  g_string_append_printf (o, "   CfgTRES=cpu=%" G_GINT64_FORMAT ",mem=%s,billing=%" G_GINT64_FORMAT "\n",
                          cpus, cmem, cpus);
  GString *alloc = g_string_new (NULL);
  if (jint_or (node, "cpus_alloc", 0) > 0)
    g_string_append_printf (alloc, "cpu=%" G_GINT64_FORMAT, jint_or (node, "cpus_alloc", 0));
  if (jint_or (node, "alloc_mem", 0) > 0)
    {
      g_autofree char *am = net_fmt_mem_mb (jint_or (node, "alloc_mem", 0));
      g_string_append_printf (alloc, "%smem=%s", alloc->len ? "," : "", am);
    }
  g_string_append_printf (o, "   AllocTRES=%s\n", alloc->str);
  g_string_free (alloc, TRUE);
  g_string_append (o, "   CapWatts=n/a\n   CurrentWatts=0 AveWatts=0\n"
                      "   ExtSensorsJoules=n/s ExtSensorsWatts=0 ExtSensorsTemp=n/s\n");
  if (jstr_ne (node, "reason"))
    {
      g_autofree char *rt = time_or (node, "reason_time", "Unknown", tz);
      g_string_append_printf (o, "   Reason=%s [%s@%s]\n", jstr (node, "reason"),
                              jstr_or (node, "reason_user", "Unknown"), rt);
    }
  g_string_append_c (o, '\n');
  return g_string_free (o, FALSE);
}

static char *
part_limit (json_t *part, const char *key, const char *none)
{
  gint64 v;
  if (!jint (part, key, &v))
    return g_strdup (none);
  return net_fmt_limit_long (v);
}

char *
net_fmt_scontrol_partition (json_t *part)
{
  GString *o = g_string_new (NULL);
  gint64 v;
  g_string_append_printf (o, "PartitionName=%s\n", nz (jstr (part, "name")));
  g_string_append_printf (o, "   AllowGroups=ALL AllowAccounts=%s AllowQos=%s\n",
                          jstr_or (part, "allow_accounts", "ALL"),
                          jstr_or (part, "allow_qos", "ALL"));
  g_string_append_printf (o, "   AllocNodes=ALL Default=%s QoS=%s\n",
                          jbool (part, "default", FALSE) ? "YES" : "NO",
                          jstr_or (part, "qos", "N/A"));
  g_autofree char *deft = part_limit (part, "default_time", "NONE");
  g_string_append_printf (o, "   DefaultTime=%s DisableRootJobs=NO ExclusiveUser=NO GraceTime=%"
                          G_GINT64_FORMAT " Hidden=NO\n", deft, jint_or (part, "grace_time", 0));
  g_autofree char *maxn = (jint (part, "max_nodes", &v) && v >= 0) ? i64 (v) : g_strdup ("UNLIMITED");
  g_autofree char *maxt = part_limit (part, "max_time", "UNLIMITED");
  g_string_append_printf (o, "   MaxNodes=%s MaxTime=%s MinNodes=%" G_GINT64_FORMAT
                          " LLN=NO MaxCPUsPerNode=UNLIMITED\n", maxn, maxt,
                          jint_or (part, "min_nodes", 0));
  g_autofree char *nodes = ranged (jstr (part, "nodes"));
  g_string_append_printf (o, "   Nodes=%s\n", nz (nodes));
  g_string_append_printf (o, "   PriorityJobFactor=%" G_GINT64_FORMAT " PriorityTier=%" G_GINT64_FORMAT
                          " RootOnly=NO ReqResv=NO OverSubscribe=%s\n",
                          jint_or (part, "priority_job_factor", 1), jint_or (part, "priority_tier", 1),
                          jstr_or (part, "oversubscribe", "NO"));
  g_string_append_printf (o, "   OverTimeLimit=NONE PreemptMode=%s\n",
                          jstr_or (part, "preempt_mode", "OFF"));
  g_string_append_printf (o, "   State=%s TotalCPUs=%" G_GINT64_FORMAT " TotalNodes=%" G_GINT64_FORMAT
                          " SelectTypeParameters=NONE\n",
                          jstr_or (part, "state", "UP"),
                          jint_or (part, "total_cpus", 0), jint_or (part, "total_nodes", 0));
  g_string_append (o, "   JobDefaults=(null)\n   DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED\n");
  g_autofree char *mem = net_fmt_mem_mb (MAX (jint_or (part, "total_mem", 0), 0));
  g_string_append_printf (o, "   TRES=cpu=%" G_GINT64_FORMAT ",mem=%s,node=%" G_GINT64_FORMAT
                          ",billing=%" G_GINT64_FORMAT "\n\n", jint_or (part, "total_cpus", 0), mem,
                          jint_or (part, "total_nodes", 0), jint_or (part, "total_cpus", 0));
  return g_string_free (o, FALSE);
}

typedef struct {
  const char *key;
  char       *value;
} ConfEntry;

static int
cmp_conf (gconstpointer a, gconstpointer b)
{
  const ConfEntry *x = a, *y = b;
  int c = g_ascii_strcasecmp (x->key, y->key);
  return c ? c : strcmp (x->key, y->key);
}

static void
conf_entry_clear (gpointer p)
{
  g_free (((ConfEntry *) p)->value);
}

char *
net_fmt_scontrol_config (json_t *entries, gint64 now, GTimeZone *tz)
{
  g_autoptr (GArray) list = g_array_new (FALSE, FALSE, sizeof (ConfEntry));
  g_array_set_clear_func (list, conf_entry_clear);
  gsize n = json_is_array (entries) ? json_array_size (entries) : 0;
  for (gsize i = 0; i < n; i++)
    {
      json_t *e = json_array_get (entries, i);
      const char *key = json_string_value (json_array_get (e, 0));
      json_t *val = json_array_get (e, 1);
      if (!json_is_array (e) || !key)
        continue;
      ConfEntry ce = { key, NULL };
      if (json_is_string (val))
        ce.value = g_strdup (json_string_value (val));
      else if (json_is_integer (val))
        ce.value = i64 ((gint64) json_integer_value (val));
      else if (json_is_real (val))
        ce.value = g_strdup_printf ("%g", json_real_value (val));
      else if (json_is_boolean (val))
        ce.value = g_strdup (json_is_true (val) ? "Yes" : "No");
      else
        ce.value = g_strdup ("(null)");
      g_array_append_val (list, ce);
    }
  g_array_sort (list, cmp_conf);
  GString *o = g_string_new (NULL);
  g_autofree char *ts = net_fmt_timestamp (now, tz);
  g_string_append_printf (o, "Configuration data as of %s\n", ts);
  for (guint i = 0; i < list->len; i++)
    {
      ConfEntry *ce = &g_array_index (list, ConfEntry, i);
      g_string_append_printf (o, "%-23s = %s\n", ce->key, ce->value);
    }
  return g_string_free (o, FALSE);
}

/* ---- sacct ------------------------------------------------------------------------------ */

typedef enum {
  SF_JOBID, SF_JOBIDRAW, SF_JOBNAME, SF_PARTITION, SF_ACCOUNT, SF_ALLOCCPUS, SF_NCPUS,
  SF_REQCPUS, SF_STATE, SF_EXITCODE, SF_DERIVEDEC, SF_USER, SF_UID, SF_GROUP, SF_GID,
  SF_SUBMIT, SF_ELIGIBLE, SF_START, SF_END, SF_ELAPSED, SF_ELAPSEDRAW, SF_TIMELIMIT,
  SF_TIMELIMITRAW, SF_NNODES, SF_ALLOCNODES, SF_REQNODES, SF_NODELIST, SF_REQMEM,
  SF_REQTRES, SF_ALLOCTRES, SF_CPUTIME, SF_CPUTIMERAW, SF_MAXRSS, SF_TOTALCPU, SF_REASON,
  SF_PRIORITY, SF_QOS, SF_WORKDIR, SF_NTASKS, SF_REQGRES, SF_ALLOCGRES,
} SacctCode;

typedef struct {
  const char *name;
  int         width;         /* negative: left-justified */
  gboolean    cut;           /* a string column: cut with '+' */
  SacctCode   code;
} SacctField;

/* In the order of Slurm's table, so that a prefix picks what Slurm picks. */
static const SacctField sacct_fields[] = {
  { "Account", 10, TRUE, SF_ACCOUNT },
  { "AllocCPUS", 10, FALSE, SF_ALLOCCPUS },
  { "AllocGRES", 12, TRUE, SF_ALLOCGRES },
  { "AllocNodes", 10, TRUE, SF_ALLOCNODES },
  { "AllocTRES", 10, TRUE, SF_ALLOCTRES },
  { "CPUTime", 10, FALSE, SF_CPUTIME },
  { "CPUTimeRAW", 10, FALSE, SF_CPUTIMERAW },
  { "DerivedExitCode", 15, TRUE, SF_DERIVEDEC },
  { "Elapsed", 10, FALSE, SF_ELAPSED },
  { "ElapsedRaw", 10, FALSE, SF_ELAPSEDRAW },
  { "Eligible", 19, FALSE, SF_ELIGIBLE },
  { "End", 19, FALSE, SF_END },
  { "ExitCode", 8, TRUE, SF_EXITCODE },
  { "GID", 6, FALSE, SF_GID },
  { "Group", 9, TRUE, SF_GROUP },
  { "JobID", -12, TRUE, SF_JOBID },
  { "JobIDRaw", -12, TRUE, SF_JOBIDRAW },
  { "JobName", 10, TRUE, SF_JOBNAME },
  { "MaxRSS", 10, TRUE, SF_MAXRSS },
  { "NCPUS", 10, FALSE, SF_NCPUS },
  { "NNodes", 8, TRUE, SF_NNODES },
  { "NodeList", 15, TRUE, SF_NODELIST },
  { "NTasks", 8, FALSE, SF_NTASKS },
  { "Partition", 10, TRUE, SF_PARTITION },
  { "Priority", 10, FALSE, SF_PRIORITY },
  { "QOS", 10, TRUE, SF_QOS },
  { "Reason", 25, TRUE, SF_REASON },
  { "ReqCPUS", 8, FALSE, SF_REQCPUS },
  { "ReqGRES", 12, TRUE, SF_REQGRES },
  { "ReqMem", 10, TRUE, SF_REQMEM },
  { "ReqNodes", 8, TRUE, SF_REQNODES },
  { "ReqTRES", 10, TRUE, SF_REQTRES },
  { "Start", 19, FALSE, SF_START },
  { "State", 10, TRUE, SF_STATE },
  { "Submit", 19, FALSE, SF_SUBMIT },
  { "Timelimit", 10, TRUE, SF_TIMELIMIT },
  { "TimelimitRaw", 12, TRUE, SF_TIMELIMITRAW },
  { "TotalCPU", 10, TRUE, SF_TOTALCPU },
  { "UID", 6, FALSE, SF_UID },
  { "User", 9, TRUE, SF_USER },
  { "WorkDir", 30, TRUE, SF_WORKDIR },
};

typedef struct {
  const SacctField *field;
  int               width;
} SacctCol;

static GArray *
sacct_parse_format (const char *fmt, GError **error)
{
  GArray *cols = g_array_new (FALSE, FALSE, sizeof (SacctCol));
  g_auto (GStrv) toks = g_strsplit_set (fmt, ", ", -1);
  for (char **t = toks; *t; t++)
    {
      if (**t == '\0')
        continue;
      char *pct = strchr (*t, '%');
      g_autofree char *name = pct ? g_strndup (*t, (gsize) (pct - *t)) : g_strdup (*t);
      const SacctField *f = NULL;
      for (gsize i = 0; i < G_N_ELEMENTS (sacct_fields) && !f; i++)
        if (g_ascii_strcasecmp (sacct_fields[i].name, name) == 0)
          f = &sacct_fields[i];
      for (gsize i = 0; i < G_N_ELEMENTS (sacct_fields) && !f && *name; i++)
        if (g_ascii_strncasecmp (sacct_fields[i].name, name, strlen (name)) == 0)
          f = &sacct_fields[i];
      if (!f)
        {
          g_set_error (error, NET_FMT_ERROR, NET_FMT_ERROR_BAD_FIELD,
                       "Invalid field requested: \"%s\"", name);
          g_array_unref (cols);
          return NULL;
        }
      SacctCol c = { f, f->width };
      if (pct)
        {
          char *end;
          gint64 w = g_ascii_strtoll (pct + 1, &end, 10);
          if (end != pct + 1 && w != 0 && w > -10000 && w < 10000)
            c.width = (int) w;
        }
      g_array_append_val (cols, c);
    }
  return cols;
}

/* "00:00.010", "02:03:04", "1-02:03:04": sacct's TotalCPU. */
static char *
cpu_time_str (double secs)
{
  if (!(secs >= 0))
    secs = 0;
  gint64 whole = (gint64) secs, ms = (gint64) ((secs - (double) whole) * 1000.0);
  gint64 d = whole / 86400, h = (whole / 3600) % 24, m = (whole / 60) % 60, s = whole % 60;
  if (d)
    return g_strdup_printf ("%" G_GINT64_FORMAT "-%02d:%02d:%02d", d, (int) h, (int) m, (int) s);
  if (h)
    return g_strdup_printf ("%02d:%02d:%02d", (int) h, (int) m, (int) s);
  return g_strdup_printf ("%02d:%02d.%03d", (int) m, (int) s, (int) ms);
}

static gint64
batch_cpus (json_t *job)
{
  gint64 v;
  if (jint (job, "batch_cpus", &v) && v > 0)
    return v;
  gint64 cpus = MAX (jint_or (job, "num_cpus", 0), 0), nodes = MAX (jint_or (job, "num_nodes", 1), 1);
  return (cpus + nodes - 1) / nodes;
}

static gboolean
job_cancelled_like (json_t *job)
{
  return job_is (job, "CANCELLED") || job_is (job, "TIMEOUT");
}

/* A step record of `job` (its "steps") seen as the job's batch step is (sacct_value with
 * step TRUE): a shallow copy of the job with the step's times, state, exit code, CPUs and
 * nodes, and "_step", "_step_name", "_step_num_nodes", "_step_ntasks" (transfer full; NULL
 * for a malformed step). */
static json_t *
step_view (json_t *job, json_t *step)
{
  gint64 id;
  if (!json_is_object (step) || !jint (step, "step_id", &id))
    return NULL;
  json_t *v = json_copy (job);
  json_object_set_new (v, "_step", json_sprintf ("%" G_GINT64_FORMAT, id));
  json_object_set_new (v, "_step_name", json_string (jstr_or (step, "name", "")));
  json_object_set_new (v, "_step_num_nodes", json_integer (jint_or (step, "num_nodes", 1)));
  json_object_set_new (v, "_step_ntasks", json_integer (jint_or (step, "ntasks", 1)));
  static const char *const same[] = { "start_time", "end_time", "state", "exit_code",
                                      "exit_signal" };
  for (gsize i = 0; i < G_N_ELEMENTS (same); i++)
    {
      json_t *x = json_object_get (step, same[i]);
      json_object_set (v, same[i], x ? x : json_null ());
    }
  json_object_set_new (v, "batch_cpus", json_integer (jint_or (step, "cpus", 0)));
  json_object_set_new (v, "batch_host", json_string (jstr_or (step, "nodes", "")));
  json_object_set_new (v, "cpu_seconds", json_real (0));
  json_object_del (v, "max_rss_kb");
  json_object_del (v, "steps");
  return v;
}

/* The value of a sacct column for a job (step FALSE) or its batch step; never NULL. */
static char *
sacct_value (json_t *job, gboolean step, SacctCode code, gint64 now, GTimeZone *tz)
{
  gint64 v, t;
  switch (code)
    {
    case SF_JOBID:
      {
        g_autofree char *id = job_display_id (job, -1);
        return step ? g_strconcat (id, ".", jstr_or (job, "_step", "batch"), NULL)
                    : g_steal_pointer (&id);
      }
    case SF_JOBIDRAW:
      v = jint_or (job, "job_id", 0);
      return step ? g_strdup_printf ("%" G_GINT64_FORMAT ".%s", v, jstr_or (job, "_step", "batch"))
                  : i64 (v);
    case SF_JOBNAME:
      return g_strdup (step ? jstr_or (job, "_step_name", "batch") : jstr_or (job, "name", ""));
    case SF_PARTITION: return g_strdup (step ? "" : jstr (job, "partition") ? jstr (job, "partition") : "");
    case SF_ACCOUNT: return g_strdup (jstr (job, "account") ? jstr (job, "account") : "");
    case SF_ALLOCCPUS: case SF_NCPUS:
      return i64 (step ? batch_cpus (job) : jint_or (job, "num_cpus", 0));
    case SF_REQCPUS: return i64 (jint_or (job, "num_cpus", 0));
    case SF_STATE:
      {
        const char *s = jstr (job, "state");
        if (!s)
          return g_strdup ("");
        if (step)
          return g_strdup (job_cancelled_like (job) ? "CANCELLED" : s);
        if (!strcmp (s, "CANCELLED"))
          {
            g_autofree char *by = jtext (job, "cancelled_by");
            if (by)
              return g_strdup_printf ("CANCELLED by %s", by);
          }
        return g_strdup (s);
      }
    case SF_EXITCODE:
      if (!step)
        return exit_code_str (job, !job_cancelled_like (job));
      if (job_cancelled_like (job))
        {
          gint64 sig = jint_or (job, "exit_signal", 0);
          return g_strdup_printf ("%" G_GINT64_FORMAT ":%" G_GINT64_FORMAT,
                                  jint_or (job, "exit_code", 0), sig ? sig : 15);
        }
      return exit_code_str (job, TRUE);
    case SF_DERIVEDEC:
      if (step)
        return g_strdup ("");
      return g_strdup_printf ("%" G_GINT64_FORMAT ":0", jint_or (job, "derived_exit_code", 0));
    case SF_USER:
      return g_strdup (step ? "" : jstr (job, "user") ? jstr (job, "user") : "");
    case SF_UID: return step ? g_strdup ("") : i64 (jint_or (job, "uid", 0));
    case SF_GROUP:
      return g_strdup (step ? "" : jstr (job, "group") ? jstr (job, "group") : "");
    case SF_GID: return step ? g_strdup ("") : i64 (jint_or (job, "gid", 0));
    case SF_SUBMIT:
      return time_or (job, step ? "start_time" : "submit_time", "Unknown", tz);
    case SF_ELIGIBLE:
      return time_or (job, step ? "start_time" : "eligible_time", "Unknown", tz);
    case SF_START: return time_or (job, "start_time", "Unknown", tz);
    case SF_END: return time_or (job, "end_time", "Unknown", tz);
    case SF_ELAPSED: return net_fmt_secs_long (job_time_used (job, now));
    case SF_ELAPSEDRAW: return i64 (job_time_used (job, now));
    case SF_TIMELIMIT:
      if (step)
        return g_strdup ("");
      return job_limit (job, &v) ? net_fmt_limit_long (v) : g_strdup ("Partition_Limit");
    case SF_TIMELIMITRAW:
      if (step)
        return g_strdup ("");
      if (!job_limit (job, &v))
        return g_strdup ("Partition_Limit");
      return v < 0 ? g_strdup ("UNLIMITED") : i64 (round_up_minutes (v) / 60);
    case SF_NNODES: case SF_ALLOCNODES:
      return i64 (step ? jint_or (job, "_step_num_nodes", 1) : jint_or (job, "num_nodes", 0));
    case SF_REQNODES: return i64 (jint_or (job, "num_nodes", 0));
    case SF_NODELIST:
      if (step)
        return g_strdup (jstr_or (job, "batch_host", "None assigned"));
      if (jstr_ne (job, "nodes"))
        return ranged (jstr (job, "nodes"));
      return g_strdup ("None assigned");
    case SF_REQMEM:
      if (jint (job, "mem_per_cpu_mb", &v) && v > 0)
        return g_strdup_printf ("%" G_GINT64_FORMAT "Mc", v);
      return g_strdup_printf ("%" G_GINT64_FORMAT "Mn", MAX (jint_or (job, "mem_per_node_mb", 0), 0));
    case SF_REQTRES: return step ? g_strdup ("") : tres_sorted (jstr_ne (job, "tres_req"));
    case SF_ALLOCTRES:
      if (!step)
        return tres_sorted (jstr_ne (job, "tres_alloc"));
      else
        {
          gint64 cpus = batch_cpus (job), mem;
          if (jint (job, "mem_per_cpu_mb", &v) && v > 0)
            mem = v * cpus;
          else
            mem = MAX (jint_or (job, "mem_per_node_mb", 0), 0);
          GString *s = g_string_new (NULL);
          g_string_append_printf (s, "cpu=%" G_GINT64_FORMAT, cpus);
          if (jint_or (job, "gpus_per_node", 0) > 0)
            g_string_append_printf (s, ",gres/gpu=%" G_GINT64_FORMAT, jint_or (job, "gpus_per_node", 0));
          if (mem > 0)
            {
              g_autofree char *m = net_fmt_mem_mb (mem);
              g_string_append_printf (s, ",mem=%s", m);
            }
          g_string_append (s, ",node=1");
          return g_string_free (s, FALSE);
        }
    case SF_CPUTIME: case SF_CPUTIMERAW:
      t = job_time_used (job, now) * (step ? batch_cpus (job) : MAX (jint_or (job, "num_cpus", 0), 0));
      return code == SF_CPUTIME ? net_fmt_secs_long (t) : i64 (t);
    case SF_MAXRSS:
      if (!step || !jint (job, "max_rss_kb", &v))
        return g_strdup ("");
      return g_strdup_printf ("%" G_GINT64_FORMAT "K", v);
    case SF_TOTALCPU: return cpu_time_str (jdouble_or (job, "cpu_seconds", 0));
    case SF_REASON: return g_strdup (step ? "" : job_reason (job));
    case SF_PRIORITY: return step ? g_strdup ("") : i64 (jint_or (job, "priority", 0));
    case SF_QOS: return g_strdup (step ? "" : jstr (job, "qos") ? jstr (job, "qos") : "");
    case SF_WORKDIR: return g_strdup (step ? "" : jstr (job, "workdir") ? jstr (job, "workdir") : "");
    case SF_NTASKS: return step ? i64 (jint_or (job, "_step_ntasks", 1)) : g_strdup ("");
    case SF_REQGRES: case SF_ALLOCGRES:
      return g_strdup (jstr_or (job, "gres", ""));
    default: return g_strdup ("");
    }
}

/* sacct's print_fields: "%*s " (right) or "%-*s " (left), a cut value ending in '+';
 * parsable: the value and the delimiter (none after the last with -P). */
static void
sacct_put (GString *out, const char *v, const SacctCol *c, gboolean cut_allowed,
           const NetSacctOptions *opts, const char *delim, gboolean last)
{
  if (opts->parsable || opts->parsable2)
    {
      g_string_append (out, v);
      if (!(opts->parsable2 && !opts->parsable && last))
        g_string_append (out, delim);
      return;
    }
  int w = ABS (c->width);
  gsize len = strlen (v);
  g_autofree char *cut = NULL;
  if (cut_allowed && len > (gsize) w && w > 0)
    {
      cut = g_strdup_printf ("%.*s+", w - 1, v);
      v = cut;
      len = (gsize) w;
    }
  if (c->width < 0)
    g_string_append (out, v);
  for (gsize i = len; i < (gsize) w; i++)
    g_string_append_c (out, ' ');
  if (c->width >= 0)
    g_string_append (out, v);
  g_string_append_c (out, ' ');
}

static void
sacct_line (GString *out, GArray *cols, json_t *job, gboolean step, const NetSacctOptions *opts,
            const char *delim, gint64 now, GTimeZone *tz)
{
  for (guint i = 0; i < cols->len; i++)
    {
      SacctCol *c = &g_array_index (cols, SacctCol, i);
      g_autofree char *v = sacct_value (job, step, c->field->code, now, tz);
      sacct_put (out, v, c, c->field->cut, opts, delim, i + 1 == cols->len);
    }
  g_string_append_c (out, '\n');
}

char *
net_fmt_sacct (json_t *jobs, const NetSacctOptions *opts, gint64 now, GTimeZone *tz,
               GError **error)
{
  static const NetSacctOptions defaults = { 0 };
  if (!opts)
    opts = &defaults;
  g_autoptr (GArray) cols = sacct_parse_format (
    opts->format ? opts->format : "JobID,JobName,Partition,Account,AllocCPUS,State,ExitCode", error);
  if (!cols)
    return NULL;
  const char *delim = opts->delimiter ? opts->delimiter : "|";
  gboolean parsable = opts->parsable || opts->parsable2;

  GString *out = g_string_new (NULL);
  if (!opts->no_header)
    {
      for (guint i = 0; i < cols->len; i++)
        {
          SacctCol *c = &g_array_index (cols, SacctCol, i);
          if (parsable)
            {
              g_string_append (out, c->field->name);
              if (!(opts->parsable2 && !opts->parsable && i + 1 == cols->len))
                g_string_append (out, delim);
              continue;
            }
          int w = ABS (c->width);
          g_autofree char *h = g_strndup (c->field->name, (gsize) w);
          if (c->width < 0)
            g_string_append_printf (out, "%-*s ", w, h);
          else
            g_string_append_printf (out, "%*s ", w, h);
        }
      g_string_append_c (out, '\n');
      if (!parsable)
        {
          for (guint i = 0; i < cols->len; i++)
            {
              int w = ABS (g_array_index (cols, SacctCol, i).width);
              for (int k = 0; k < w; k++)
                g_string_append_c (out, '-');
              g_string_append_c (out, ' ');
            }
          g_string_append_c (out, '\n');
        }
    }

  gsize n = json_is_array (jobs) ? json_array_size (jobs) : 0;
  for (gsize i = 0; i < n; i++)
    {
      json_t *job = json_array_get (jobs, i);
      gint64 t;
      if (!json_is_object (job))
        continue;
      if (opts->skip_ineligible && !jtime (job, "eligible_time", &t))
        continue;
      sacct_line (out, cols, job, FALSE, opts, delim, now, tz);
      if (opts->no_steps)
        continue;
      if (jbool (job, "batch", TRUE) && jtime (job, "start_time", &t))
        sacct_line (out, cols, job, TRUE, opts, delim, now, tz);
      json_t *steps = json_object_get (job, "steps"), *s;
      size_t k;
      json_array_foreach (steps, k, s)
        {
          json_t *view = step_view (job, s);
          if (view)
            sacct_line (out, cols, view, TRUE, opts, delim, now, tz);
          json_decref (view);
        }
    }
  return g_string_free (out, FALSE);
}
