/* SPDX-License-Identifier: MIT */
/* workloads/jsonjob.c - one JSON job object to a WlJob and its WlJobExtra.
 *
 * The parser checks every field of docs/workload-json.md against its type and range, then
 * derives Slurm's request shape: tasks default to one per node, "gpus" (per job) are laid
 * out on nodes with wl_gpu_layout, "mem_per_cpu" becomes memory per node on the busiest
 * node, a missing or UNLIMITED time limit is made up by the reader options' rule.  Checks
 * come before skips (a malformed record is reported even if it would be skipped), so every
 * problem is found on the first read.  Field names are found by binary search in a sorted
 * table; a job costs one pass over its keys plus the value parsers of rows.c.  The writer
 * is jsonwrite.c. */
#include "workloads/json-private.h"
#include "workloads/slurmparse.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIME   (G_GINT64_CONSTANT (1) << 40)
#define MAX_LIMIT  (G_GINT64_CONSTANT (1) << 41)   /* room for limits made up from a run
                                                     * time of up to MAX_TIME */
#define MAX_MEM_MB (G_GUINT64_CONSTANT (1) << 50)
#define SHOWN      40

typedef enum {
  F_ACCOUNT, F_ARRAY, F_ARRAY_JOB_ID, F_ARRAY_TASK_ID, F_ARRAY_TASK_THROTTLE, F_BEGIN,
  F_CONSTRAINT, F_CPUS_PER_TASK, F_DEPENDENCY, F_ESTIMATE, F_EXCLUSIVE, F_EXIT_CODE,
  F_FEATURES, F_GID, F_GPU_TYPE, F_GPUS, F_GPUS_PER_NODE, F_GRES, F_GROUP, F_HOLD, F_ID,
  F_MEM, F_MEM_PER_CPU, F_NAME, F_NODES, F_NTASKS, F_NTASKS_PER_NODE, F_PARTITION, F_QOS, F_RUNTIME, F_STATE,
  F_SUBMIT, F_TIME_LIMIT, F_UID, F_USER, F_N
} Field;

/* Sorted (strcmp) for bsearch; the order of the enum above. */
static const char *const field_names[F_N] = {
  "account", "array", "array_job_id", "array_task_id", "array_task_throttle", "begin",
  "constraint", "cpus_per_task", "dependency", "estimate", "exclusive", "exit_code",
  "features", "gid", "gpu_type", "gpus", "gpus_per_node", "gres", "group", "hold", "id",
  "mem", "mem_per_cpu", "name", "nodes", "ntasks", "ntasks_per_node", "partition", "qos", "runtime", "state",
  "submit", "time_limit", "uid", "user",
};

static int
name_cmp (const void *key, const void *elem)
{
  return strcmp (key, *(const char *const *) elem);
}

static gint
field_lookup (const char *key)
{
  const char *const *hit = bsearch (key, field_names, F_N, sizeof field_names[0], name_cmp);
  return hit != NULL ? (gint) (hit - field_names) : -1;
}

/* ---- messages --------------------------------------------------------------------------- */

void
wl__json_append_value (GString *m, const json_t *v)
{
  char *text = json_dumps (v, JSON_ENCODE_ANY | JSON_COMPACT);
  if (text == NULL)
    {
      g_string_append (m, "(a value)");
      return;
    }
  gsize n = strlen (text);
  if (n > SHOWN)
    {
      g_string_append_len (m, text, SHOWN);
      g_string_append (m, "...");
    }
  else
    g_string_append (m, text);
  free (text);
}

void
wl__json_warn (const WlJsonCtx *ctx, const char *msg)
{
  if (*ctx->n_warned < ctx->opts->max_warnings)
    {
      if (ctx->opts->warn_func != NULL)
        ctx->opts->warn_func (msg, ctx->opts->warn_data);
      else
        g_printerr ("sluice: warning: %s\n", msg);
    }
  if (*ctx->n_warned < G_MAXUINT)
    (*ctx->n_warned)++;
}

typedef struct {
  const WlJsonCtx *ctx;
  guint64          line;
  guint64          ordinal;
  gint64           id;      /* -1 until known */
  char           **msg;
} P;

static GString *
prefix (const P *p)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "%s:%" G_GUINT64_FORMAT ": ", p->ctx->name, p->line);
  if (p->id >= 0)
    g_string_append_printf (m, "job %" G_GINT64_FORMAT ": ", p->id);
  else
    g_string_append_printf (m, "job #%" G_GUINT64_FORMAT ": ", p->ordinal);
  return m;
}

/* "field "f": expected `expected`, got <v>".  Returns FALSE. */
static gboolean
bad (const P *p, Field f, const char *expected, const json_t *v)
{
  GString *m = prefix (p);
  g_string_append_printf (m, "field \"%s\": expected %s, got ", field_names[f], expected);
  wl__json_append_value (m, v);
  *p->msg = g_string_free (m, FALSE);
  return FALSE;
}

/* "field "f": <text>".  Returns FALSE. */
static gboolean bad_text (const P *p, Field f, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_text (const P *p, Field f, const char *fmt, ...)
{
  GString *m = prefix (p);
  g_string_append_printf (m, "field \"%s\": ", field_names[f]);
  va_list ap;
  va_start (ap, fmt);
  g_string_append_vprintf (m, fmt, ap);
  va_end (ap);
  *p->msg = g_string_free (m, FALSE);
  return FALSE;
}

/* ---- values ----------------------------------------------------------------------------- */

/* An integral JSON number in [min, max]. */
static gboolean
as_int (const json_t *v, gint64 min, gint64 max, gint64 *out)
{
  gint64 x;
  if (json_is_integer (v))
    x = json_integer_value (v);
  else if (json_is_real (v))
    {
      double d = json_real_value (v);
      if (d != floor (d) || fabs (d) > 9e15)
        return FALSE;
      x = (gint64) d;
    }
  else
    return FALSE;
  if (x < min || x > max)
    return FALSE;
  *out = x;
  return TRUE;
}

static gboolean
as_bool (const json_t *v, gboolean *out)
{
  if (!json_is_boolean (v))
    return FALSE;
  *out = json_is_true (v);
  return TRUE;
}

/* A point in time: seconds (a number >= 0, rounded) or a date string (wl_parse_time). */
static gboolean
as_time (const WlJsonCtx *ctx, const json_t *v, SchedTime *out)
{
  if (json_is_number (v))
    {
      double d = json_number_value (v);
      if (!isfinite (d) || d < 0 || d > (double) MAX_TIME)
        return FALSE;
      *out = (SchedTime) floor (d + 0.5);
      return TRUE;
    }
  if (json_is_string (v))
    return wl_parse_time (json_string_value (v), json_string_length (v), ctx->tz, out)
               == WL_PARSE_OK
           && *out >= 0 && *out <= MAX_TIME;        /* no dates before 1970 */
  return FALSE;
}

/* A duration of at most `max` seconds: seconds (a number >= 0, rounded) or a Slurm time
 * string.  With `unlimited` not NULL, "UNLIMITED", "INFINITE" and "Partition_Limit" set
 * it. */
static gboolean
as_duration (const json_t *v, SchedTime max, SchedTime *out, gboolean *unlimited)
{
  if (json_is_number (v))
    {
      double d = json_number_value (v);
      if (!isfinite (d) || d < 0 || d > (double) max)
        return FALSE;
      *out = (SchedTime) floor (d + 0.5);
      return TRUE;
    }
  if (!json_is_string (v))
    return FALSE;
  const char *s = json_string_value (v);
  if (unlimited != NULL
      && (g_ascii_strcasecmp (s, "UNLIMITED") == 0 || g_ascii_strcasecmp (s, "INFINITE") == 0
          || g_ascii_strcasecmp (s, "Partition_Limit") == 0))
    {
      *unlimited = TRUE;
      *out = 0;
      return TRUE;
    }
  return wl_parse_slurm_duration (s, json_string_length (v), out) == WL_PARSE_OK
         && *out <= max;
}

gboolean
wl__json_mem (const json_t *v, guint64 *mb, WlMemPer *per)
{
  *per = WL_MEM_PER_NODE;
  *mb = 0;
  if (json_is_number (v))
    {
      double d = json_number_value (v);
      if (!isfinite (d) || d < 0 || d > (double) MAX_MEM_MB)
        return FALSE;
      *mb = (guint64) ceil (d - 1e-9);
      return TRUE;
    }
  if (!json_is_string (v))
    return FALSE;
  WlParse r = wl_parse_slurm_mem (json_string_value (v), json_string_length (v), mb, per);
  if (r == WL_PARSE_NONE)
    *mb = 0;
  return r != WL_PARSE_BAD;
}

/* Reads digits [p, end) entirely into *out (at most 10 of them). */
static gboolean
all_digits (const char *p, const char *end, guint64 *out)
{
  if (p == end || end - p > 10)
    return FALSE;
  guint64 x = 0;
  for (; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      x = x * 10 + (guint64) (*p - '0');
    }
  *out = x;
  return TRUE;
}

/* "nodes": N, "N", "N-M" (1 <= N <= M) or "N-" (no upper bound: *max = 0). */
static gboolean
as_nodes (const json_t *v, guint32 *min, guint32 *max)
{
  gint64 x;
  if (as_int (v, 1, G_MAXUINT32, &x))
    {
      *min = *max = (guint32) x;
      return TRUE;
    }
  if (!json_is_string (v))
    return FALSE;
  const char *s = json_string_value (v), *end = s + json_string_length (v);
  const char *dash = memchr (s, '-', (gsize) (end - s));
  guint64 lo, hi;
  if (!all_digits (s, dash != NULL ? dash : end, &lo))
    return FALSE;
  hi = lo;
  if (dash != NULL && dash + 1 == end)
    {
      if (lo < 1 || lo > G_MAXUINT32)
        return FALSE;
      *min = (guint32) lo;
      *max = 0;
      return TRUE;
    }
  if (dash != NULL && !all_digits (dash + 1, end, &hi))
    return FALSE;
  if (lo < 1 || hi < lo || hi > G_MAXUINT32)
    return FALSE;
  *min = (guint32) lo;
  *max = (guint32) hi;
  return TRUE;
}

/* A GPU count: N, "N" or "type:N" (--gpus syntax).  *type (transfer none, into v's
 * string) and *type_len are the type, or NULL. */
static gboolean
as_gpus (const json_t *v, guint64 *n, const char **type, gsize *type_len)
{
  gint64 x;
  *type = NULL;
  *type_len = 0;
  if (as_int (v, 0, G_MAXINT32, &x))
    {
      *n = (guint64) x;
      return TRUE;
    }
  if (!json_is_string (v))
    return FALSE;
  const char *s = json_string_value (v), *end = s + json_string_length (v);
  const char *colon = strrchr (s, ':');
  const char *count = colon != NULL ? colon + 1 : s;
  if (!all_digits (count, end, n) || *n > G_MAXINT32)
    return FALSE;
  if (colon != NULL)
    {
      if (colon == s || memchr (s, ':', (gsize) (colon - s)) != NULL)
        return FALSE;
      *type = s;
      *type_len = (gsize) (colon - s);
    }
  return TRUE;
}

/* "begin": a time, or "now[+N[unit]]" relative to the submit time. */
static gboolean
as_begin (const WlJsonCtx *ctx, const json_t *v, SchedTime submit, SchedTime *out)
{
  if (!json_is_string (v) || g_ascii_strncasecmp (json_string_value (v), "now", 3) != 0)
    return as_time (ctx, v, out);
  const char *p = json_string_value (v) + 3;
  if (*p == '\0')
    {
      *out = submit;
      return TRUE;
    }
  if (*p++ != '+')
    return FALSE;
  const char *unit = p;
  while (g_ascii_isdigit (*unit))
    unit++;
  guint64 n;
  if (!all_digits (p, unit, &n))
    return FALSE;
  static const struct {
    const char *name;
    gint64      secs;
  } units[] = {
    { "", 1 }, { "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
    { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
    { "hour", 3600 }, { "hours", 3600 }, { "day", 86400 }, { "days", 86400 },
    { "week", 604800 }, { "weeks", 604800 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (unit, units[i].name) == 0)
      {
        if ((double) n * (double) units[i].secs > (double) (MAX_TIME - submit))
          return FALSE;
        *out = submit + (SchedTime) n * units[i].secs;
        return TRUE;
      }
  return FALSE;
}

/* A user or group: a name or a number.  Sets *id (numbering names through `names` unless
 * `explicit_id` is >= 0, which must then agree with a number) and *name for names. */
static gboolean
user_or_group (const P *p, Field f, Field idf, const json_t *v, WlNames *names,
               gint64 explicit_id, guint32 *id, char **name)
{
  gint64 x;
  guint64 u;
  gboolean number = FALSE;
  if (as_int (v, 0, G_MAXUINT32, &x))
    number = TRUE;
  else if (!json_is_string (v))
    return bad (p, f, "a name or a number", v);
  else if (all_digits (json_string_value (v),
                       json_string_value (v) + json_string_length (v), &u)
           && u < ((guint64) 1 << 31))
    {
      x = (gint64) u;
      number = TRUE;
    }
  if (number)
    {
      if (explicit_id >= 0 && explicit_id != x)
        return bad_text (p, f, "%" G_GINT64_FORMAT " disagrees with \"%s\": %" G_GINT64_FORMAT,
                         x, field_names[idf], explicit_id);
      *id = (guint32) x;
      return TRUE;
    }
  *name = g_strdup (json_string_value (v));
  *id = explicit_id >= 0 ? (guint32) explicit_id
                         : wl__names_id (names, json_string_value (v), json_string_length (v));
  return TRUE;
}

/* ---- a job ------------------------------------------------------------------------------ */

typedef struct {
  const json_t *v[F_N];
  SchedTime     runtime, limit, estimate;
  gboolean      unlimited;
  guint32       min_nodes, max_nodes;
  gboolean      nodes_given;
  gint64        ntasks;           /* 0 = not given */
  gint64        tasks_per_node;   /* 0 = not given */
  gint64        cpus_per_task;
  guint64       mem_mb;
  WlMemPer      mem_per;
  guint64       gpus_job, gpus_node;
  gint64        gpu_type_id;      /* -1: from the name (or any) */
  SchedJobState state;
  WlStateKind   kind;
} Req;

/* Checks the keys: known fields into r->v (null and "" are absent), unknown ones warned
 * about once each (strict: an error). */
static gboolean
collect (const P *p, json_t *obj, Req *r)
{
  const char *key;
  json_t *val;
  json_object_foreach (obj, key, val)
  {
    gint f = field_lookup (key);
    if (f < 0)
      {
        if (key[0] == '_')
          continue;
        GString *m = prefix (p);
        g_string_append (m, "unknown field ");
        json_t *k = json_string (key);
        wl__json_append_value (m, k);
        json_decref (k);
        if (p->ctx->opts->strict)
          {
            g_string_append (m, " (fields starting with '_' are comments)");
            *p->msg = g_string_free (m, FALSE);
            return FALSE;
          }
        if (!g_hash_table_contains (p->ctx->warned, key))
          {
            g_hash_table_add (p->ctx->warned, g_strdup (key));
            g_string_append (m, " ignored (reported once)");
            wl__json_warn (p->ctx, m->str);
          }
        g_string_free (m, TRUE);
        continue;
      }
    if (json_is_null (val) || (json_is_string (val) && json_string_length (val) == 0))
      continue;
    r->v[f] = val;
  }
  return TRUE;
}

static gboolean
parse_names (const P *p, Req *r, WlJsonJob *out)
{
  const WlJsonCtx *ctx = p->ctx;
  SchedJobSpec *spec = &out->job.spec;
  WlJobExtra *e = out->extra;
  const json_t *const *v = r->v;
  gint64 uid = -1, gid = -1;
  if (v[F_UID] && !as_int (v[F_UID], 0, G_MAXUINT32, &uid))
    return bad (p, F_UID, "a user id from 0 to 4294967295", v[F_UID]);
  if (v[F_GID] && !as_int (v[F_GID], 0, G_MAXUINT32, &gid))
    return bad (p, F_GID, "a group id from 0 to 4294967295", v[F_GID]);
  spec->user = uid >= 0 ? (guint32) uid : 0;
  spec->group = gid >= 0 ? (guint32) gid : 0;
  if (v[F_USER]
      && !user_or_group (p, F_USER, F_UID, v[F_USER], ctx->users, uid, &spec->user,
                         &e->user_name))
    return FALSE;
  if (v[F_GROUP]
      && !user_or_group (p, F_GROUP, F_GID, v[F_GROUP], ctx->groups, gid, &spec->group,
                         &e->group_name))
    return FALSE;
  static const Field strings[] = { F_NAME, F_ACCOUNT, F_QOS };
  char **dest[] = { &e->name, &e->account, &e->qos };
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    if (v[strings[i]] != NULL)
      {
        if (!json_is_string (v[strings[i]]))
          return bad (p, strings[i], "a string", v[strings[i]]);
        *dest[i] = g_strdup (json_string_value (v[strings[i]]));
      }
  gint64 x;
  if (v[F_PARTITION] == NULL)
    spec->partition = -1;
  else if (json_is_string (v[F_PARTITION]))
    {
      const char *s = json_string_value (v[F_PARTITION]);
      const char *comma = strchr (s, ',');
      e->partition = g_strdup (s);
      spec->partition = (gint32) wl__resolve (ctx->part_cache, ctx->opts, WL_NAME_PARTITION, s,
                                              comma != NULL ? (gsize) (comma - s) : strlen (s),
                                              -1);
    }
  else if (as_int (v[F_PARTITION], 0, G_MAXINT32, &x))
    spec->partition = (gint32) x;
  else
    return bad (p, F_PARTITION, "a partition name (or index)", v[F_PARTITION]);
  return TRUE;
}

static gboolean
parse_times (const P *p, Req *r, WlJsonJob *out)
{
  const WlJsonCtx *ctx = p->ctx;
  const json_t *const *v = r->v;
  SchedJobSpec *spec = &out->job.spec;
  WlJobExtra *e = out->extra;
  static const char when[] = "a time: seconds, or a date such as \"2024-05-01T12:00:00Z\"";
  static const char dur[] = "a duration: seconds, or a Slurm time such as \"1-02:00:00\"";
  spec->submit = 0;
  if (v[F_SUBMIT] && !as_time (ctx, v[F_SUBMIT], &spec->submit))
    return bad (p, F_SUBMIT, when, v[F_SUBMIT]);
  if (v[F_BEGIN] && !as_begin (ctx, v[F_BEGIN], spec->submit, &e->begin))
    return bad (p, F_BEGIN, "a time: seconds, a date, or \"now+N[minutes|hours|days]\"",
                v[F_BEGIN]);
  if (v[F_HOLD] && !as_bool (v[F_HOLD], &e->hold))
    return bad (p, F_HOLD, "true or false", v[F_HOLD]);
  if (v[F_RUNTIME] == NULL)
    return bad_text (p, F_RUNTIME, "missing: every job needs its actual run time (seconds)");
  if (!as_duration (v[F_RUNTIME], MAX_TIME, &r->runtime, NULL))
    return bad (p, F_RUNTIME, dur, v[F_RUNTIME]);
  if (v[F_TIME_LIMIT])
    {
      if (!as_duration (v[F_TIME_LIMIT], MAX_LIMIT, &r->limit, &r->unlimited))
        return bad (p, F_TIME_LIMIT, "a duration: seconds, a Slurm time such as \"1-02:00:00\", "
                    "or \"UNLIMITED\"", v[F_TIME_LIMIT]);
      if (r->limit == 0)
        r->unlimited = TRUE;       /* Slurm: a limit of 0 is no limit */
    }
  if (v[F_ESTIMATE] && !as_duration (v[F_ESTIMATE], MAX_TIME, &r->estimate, NULL))
    return bad (p, F_ESTIMATE, dur, v[F_ESTIMATE]);
  return TRUE;
}

static gboolean
parse_shape (const P *p, Req *r, WlJsonJob *out)
{
  const json_t *const *v = r->v;
  WlJobExtra *e = out->extra;
  if (v[F_NODES])
    {
      if (!as_nodes (v[F_NODES], &r->min_nodes, &r->max_nodes))
        return bad (p, F_NODES, "a node count N >= 1, or a range \"N-M\" or \"N-\"",
                    v[F_NODES]);
      r->nodes_given = TRUE;
    }
  if (v[F_NTASKS] && !as_int (v[F_NTASKS], 1, G_MAXINT32, &r->ntasks))
    return bad (p, F_NTASKS, "a positive integer", v[F_NTASKS]);
  if (v[F_NTASKS_PER_NODE]
      && !as_int (v[F_NTASKS_PER_NODE], 1, G_MAXINT32, &r->tasks_per_node))
    return bad (p, F_NTASKS_PER_NODE, "a positive integer", v[F_NTASKS_PER_NODE]);
  r->cpus_per_task = 1;
  if (v[F_CPUS_PER_TASK] && !as_int (v[F_CPUS_PER_TASK], 1, G_MAXINT32, &r->cpus_per_task))
    return bad (p, F_CPUS_PER_TASK, "a positive integer", v[F_CPUS_PER_TASK]);
  if (r->ntasks > 0 && r->nodes_given && r->ntasks < r->min_nodes)
    return bad_text (p, F_NTASKS, "%" G_GINT64_FORMAT " tasks cannot spread over the %u nodes "
                     "\"nodes\" asks for", r->ntasks, r->min_nodes);
  static const char mem[] = "a memory size: MB, or a number with K, M, G or T (\"4G\", "
                            "\"4000M\")";
  if (v[F_MEM] && v[F_MEM_PER_CPU])
    return bad_text (p, F_MEM_PER_CPU, "give \"mem\" or \"mem_per_cpu\", not both");
  if (v[F_MEM] && !wl__json_mem (v[F_MEM], &r->mem_mb, &r->mem_per))
    return bad (p, F_MEM, mem, v[F_MEM]);
  if (v[F_MEM_PER_CPU])
    {
      if (!wl__json_mem (v[F_MEM_PER_CPU], &r->mem_mb, &r->mem_per))
        return bad (p, F_MEM_PER_CPU, mem, v[F_MEM_PER_CPU]);
      r->mem_per = WL_MEM_PER_CPU;
    }
  if (r->mem_per == WL_MEM_PER_CPU)
    e->mem_per_cpu_mb = r->mem_mb;
  if (v[F_EXCLUSIVE] && !as_bool (v[F_EXCLUSIVE], &out->job.spec.exclusive))
    return bad (p, F_EXCLUSIVE, "true or false", v[F_EXCLUSIVE]);
  return TRUE;
}

static gboolean
parse_gpus (const P *p, Req *r, WlJsonJob *out)
{
  const WlJsonCtx *ctx = p->ctx;
  const json_t *const *v = r->v;
  WlJobExtra *e = out->extra;
  g_autofree char *type = NULL;
  Field type_from = F_GPU_TYPE, count_from = F_N;
  guint64 n;
  if (v[F_GRES])
    {
      if (!json_is_string (v[F_GRES]))
        return bad (p, F_GRES, "a gres list such as \"gpu:a100:2\"", v[F_GRES]);
      g_autoptr (GArray) items = g_array_new (FALSE, TRUE, sizeof (WlGres));
      g_array_set_clear_func (items, wl_gres_clear);
      g_autoptr (GError) err = NULL;
      if (!wl_parse_gres (json_string_value (v[F_GRES]), items, &err))
        return bad_text (p, F_GRES, "%s", err->message);
      for (guint i = 0; i < items->len; i++)
        {
          const WlGres *g = &g_array_index (items, WlGres, i);
          if (strcmp (g->name, "gpu") != 0)
            continue;
          if (count_from != F_N)
            return bad_text (p, F_GRES, "name \"gpu\" once (with one type), got \"%s\"",
                             json_string_value (v[F_GRES]));
          count_from = F_GRES;
          r->gpus_node = g->count;
          if (g->type != NULL)
            {
              type = g_strdup (g->type);
              type_from = F_GRES;
            }
        }
      e->gres = g_strdup (json_string_value (v[F_GRES]));
    }
  static const Field counts[] = { F_GPUS, F_GPUS_PER_NODE };
  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      Field f = counts[i];
      if (v[f] == NULL)
        continue;
      const char *t;
      gsize tl;
      if (!as_gpus (v[f], &n, &t, &tl))
        return bad (p, f, "a GPU count, or \"type:count\" (\"a100:2\")", v[f]);
      if (count_from != F_N)
        return bad_text (p, f, "give one of \"gpus\" (per job), \"gpus_per_node\" and a gpu "
                         "in \"gres\" (per node), not \"%s\" too", field_names[count_from]);
      count_from = f;
      *(f == F_GPUS ? &r->gpus_job : &r->gpus_node) = n;
      if (t != NULL)
        {
          g_free (type);
          type = g_strndup (t, tl);
          type_from = f;
        }
    }
  r->gpu_type_id = -1;
  if (v[F_GPU_TYPE])
    {
      gint64 x;
      if (json_is_string (v[F_GPU_TYPE]))
        {
          const char *s = json_string_value (v[F_GPU_TYPE]);
          if (type != NULL && strcmp (s, type) != 0)
            return bad_text (p, F_GPU_TYPE, "\"%s\" disagrees with the type in \"%s\"", s,
                             field_names[type_from]);
          g_free (type);
          type = g_strdup (s);
        }
      else if (as_int (v[F_GPU_TYPE], 0, G_MAXUINT32, &x))
        {
          if (type != NULL)
            return bad_text (p, F_GPU_TYPE, "a type id beside a type name in \"%s\"",
                             field_names[type_from]);
          r->gpu_type_id = x;
        }
      else
        return bad (p, F_GPU_TYPE, "a GPU type name", v[F_GPU_TYPE]);
    }
  if (type != NULL)
    {
      r->gpu_type_id = wl__resolve (ctx->type_cache, ctx->opts, WL_NAME_GPU_TYPE, type,
                                    strlen (type), 0);
      e->gpu_type = g_steal_pointer (&type);
    }
  return TRUE;
}

static gboolean
parse_extras (const P *p, Req *r, WlJsonJob *out)
{
  const json_t *const *v = r->v;
  WlJobExtra *e = out->extra;
  g_autoptr (GError) err = NULL;
  /* features */
  if (v[F_FEATURES] && v[F_CONSTRAINT])
    return bad_text (p, F_CONSTRAINT, "give \"features\" or \"constraint\", not both");
  Field ff = v[F_FEATURES] ? F_FEATURES : F_CONSTRAINT;
  if (v[ff])
    {
      g_autofree char *expr = NULL;
      if (json_is_string (v[ff]))
        expr = g_strdup (json_string_value (v[ff]));
      else if (json_is_array (v[ff]) && json_array_size (v[ff]) > 0)
        {
          GString *j = g_string_new (NULL);
          for (gsize i = 0; i < json_array_size (v[ff]); i++)
            {
              const json_t *it = json_array_get (v[ff], i);
              if (!json_is_string (it) || json_string_length (it) == 0)
                {
                  g_string_free (j, TRUE);
                  return bad (p, ff, "a constraint string, or an array of feature names",
                              v[ff]);
                }
              g_string_append_printf (j, "%s%s", i > 0 ? "&" : "", json_string_value (it));
            }
          expr = g_string_free (j, FALSE);
        }
      else
        return bad (p, ff, "a constraint string, or an array of feature names", v[ff]);
      if (!wl_check_constraint (expr, &err))
        return bad_text (p, ff, "%s", err->message);
      e->features = g_steal_pointer (&expr);
    }
  /* dependency */
  if (v[F_DEPENDENCY])
    {
      if (!json_is_string (v[F_DEPENDENCY]))
        return bad (p, F_DEPENDENCY, "a Slurm dependency list such as \"afterok:12:13\"",
                    v[F_DEPENDENCY]);
      g_autoptr (GArray) deps = g_array_new (FALSE, FALSE, sizeof (WlDependency));
      if (!wl_parse_dependency (json_string_value (v[F_DEPENDENCY]), deps, &e->deps_any, &err))
        return bad_text (p, F_DEPENDENCY, "%s", err->message);
      e->dependency = g_strdup (json_string_value (v[F_DEPENDENCY]));
      e->n_deps = deps->len;
      e->deps = (WlDependency *) (void *) g_array_free (g_steal_pointer (&deps), FALSE);
    }
  /* arrays */
  gint64 x;
  if (v[F_ARRAY] && (v[F_ARRAY_JOB_ID] || v[F_ARRAY_TASK_ID] || v[F_ARRAY_TASK_THROTTLE]))
    return bad_text (p, F_ARRAY, "\"array\" is expanded into tasks here; \"array_job_id\", "
                     "\"array_task_id\" and \"array_task_throttle\" describe one task: give "
                     "one or the other (the throttle as \"0-9%%2\")");
  if (v[F_ARRAY])
    {
      if (!json_is_string (v[F_ARRAY]))
        return bad (p, F_ARRAY, "an index list such as \"0-99%10\"", v[F_ARRAY]);
      if (!wl_parse_array (json_string_value (v[F_ARRAY]), &out->array, &err))
        return bad_text (p, F_ARRAY, "%s", err->message);
      guint64 base = out->job.spec.id;
      if (base * WL_ARRAY_ID_FACTOR + out->array.max_index > G_MAXUINT32)
        return bad_text (p, F_ARRAY, "job id %" G_GUINT64_FORMAT " is too large to number its "
                         "tasks (id * %d + index must stay below 2^32)", base,
                         WL_ARRAY_ID_FACTOR);
      out->is_array = TRUE;
      out->n_tasks = out->array.n_tasks;
      e->array_task_throttle = out->array.throttle;
    }
  if (v[F_ARRAY_JOB_ID])
    {
      if (!as_int (v[F_ARRAY_JOB_ID], 1, G_MAXUINT32, &x))
        return bad (p, F_ARRAY_JOB_ID, "a job id from 1 to 4294967295", v[F_ARRAY_JOB_ID]);
      e->array_job_id = (SchedJobId) x;
      if (v[F_ARRAY_TASK_ID] == NULL)
        return bad_text (p, F_ARRAY_TASK_ID, "missing: an array task needs its index too");
    }
  if (v[F_ARRAY_TASK_ID])
    {
      if (!as_int (v[F_ARRAY_TASK_ID], 0, G_MAXUINT32, &x))
        return bad (p, F_ARRAY_TASK_ID, "an integer >= 0", v[F_ARRAY_TASK_ID]);
      if (v[F_ARRAY_JOB_ID] == NULL)
        return bad_text (p, F_ARRAY_JOB_ID, "missing: an array task needs its array's job id");
      e->array_task_id = (guint32) x;
    }
  if (v[F_ARRAY_TASK_THROTTLE])
    {
      if (!as_int (v[F_ARRAY_TASK_THROTTLE], 0, G_MAXUINT32, &x))
        return bad (p, F_ARRAY_TASK_THROTTLE, "an integer >= 0", v[F_ARRAY_TASK_THROTTLE]);
      if (v[F_ARRAY_JOB_ID] == NULL)
        return bad_text (p, F_ARRAY_JOB_ID, "missing: a throttle belongs to an array task");
      e->array_task_throttle = (guint32) x;
    }
  /* how it ended */
  if (v[F_EXIT_CODE])
    {
      const json_t *ec = v[F_EXIT_CODE];
      guint64 a, b = 0;
      if (as_int (ec, 0, G_MAXINT32, &x))
        a = (guint64) x;
      else if (json_is_string (ec))
        {
          const char *s = json_string_value (ec), *end = s + json_string_length (ec);
          const char *colon = strchr (s, ':');
          if (!all_digits (s, colon != NULL ? colon : end, &a)
              || (colon != NULL && !all_digits (colon + 1, end, &b)) || a > G_MAXINT32
              || b > G_MAXINT32)
            return bad (p, F_EXIT_CODE, "an exit code N or \"N:signal\"", ec);
        }
      else
        return bad (p, F_EXIT_CODE, "an exit code N or \"N:signal\"", ec);
      e->has_exit_code = TRUE;
      e->exit_code = (gint32) a;
      e->exit_signal = (gint32) b;
    }
  r->kind = WL_STATE_ENDED;
  r->state = e->has_exit_code && (e->exit_code != 0 || e->exit_signal != 0)
                 ? SCHED_JOB_FAILED : SCHED_JOB_COMPLETED;
  if (v[F_STATE]
      && (!json_is_string (v[F_STATE])
          || !wl__parse_state (json_string_value (v[F_STATE]), json_string_length (v[F_STATE]),
                               &r->state, &r->kind)))
    return bad (p, F_STATE, "a job state (COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, "
                "...)", v[F_STATE]);
  return TRUE;
}

/* The request shape from the checked values; FALSE (malformed) only when the memory per
 * node overflows. */
static gboolean
derive (const P *p, Req *r, WlJsonJob *out)
{
  const WlReaderOptions *opts = p->ctx->opts;
  SchedJobSpec *spec = &out->job.spec;
  guint32 nodes = r->nodes_given ? r->min_nodes : 0, max_nodes = r->nodes_given ? r->max_nodes : 0;
  /* Slurm: ntasks_per_node without ntasks means that many on each node; with it, a cap
   * per node, so at least ceil(ntasks / ntasks_per_node) nodes */
  guint64 tasks = r->ntasks > 0 ? (guint64) r->ntasks
                  : r->tasks_per_node > 0 ? (guint64) r->tasks_per_node * MAX (nodes, 1)
                  : MAX (nodes, 1);
  if (r->tasks_per_node > 0)
    {
      guint64 least = (tasks + (guint64) r->tasks_per_node - 1) / (guint64) r->tasks_per_node;
      /* above a given maximum it never fits: the core says so (BadConstraints) */
      nodes = (guint32) MIN (MAX ((guint64) nodes, least), G_MAXUINT32);
    }
  guint32 gpn = (guint32) r->gpus_node;
  if (r->gpus_job > 0)
    {
      if (wl_gpu_layout (r->gpus_job, opts->gpus_per_node, &nodes, &gpn))
        out->adjust_mask |= 1u << WL_ADJ_GPUS_ROUNDED_UP;
      max_nodes = nodes;
      tasks = MAX (tasks, nodes);
      out->extra->gpus_per_job = r->gpus_job;
    }
  spec->min_nodes = nodes;
  spec->max_nodes = max_nodes;
  spec->tasks = (guint32) MIN (tasks, G_MAXUINT32);
  spec->cpus_per_task = (guint32) r->cpus_per_task;
  spec->tasks_per_node = (guint32) MIN (r->tasks_per_node, G_MAXUINT32);
  spec->gpus_per_node = gpn;
  spec->gpu_type = gpn > 0 && r->gpu_type_id > 0 ? (guint32) r->gpu_type_id : 0;
  if (r->mem_per == WL_MEM_PER_CPU && r->mem_mb > 0)
    {
      guint64 per_node = r->tasks_per_node > 0 ? (guint64) r->tasks_per_node
                         : (tasks + MAX (nodes, 1) - 1) / MAX (nodes, 1);
      double mb = (double) r->mem_mb * (double) per_node * (double) r->cpus_per_task;
      if (mb > (double) MAX_MEM_MB)
        return bad_text (p, F_MEM_PER_CPU, "%" G_GUINT64_FORMAT " MB per CPU is more than "
                         "2^50 MB per node", r->mem_mb);
      spec->mem_per_node_mb = r->mem_mb * per_node * (guint64) r->cpus_per_task;
    }
  else
    spec->mem_per_node_mb = r->mem_mb;
  spec->estimate = r->estimate;
  return TRUE;
}

static gboolean
extra_is_empty (const WlJobExtra *e)
{
  WlJobExtra empty;
  memset (&empty, 0, sizeof empty);
  empty.begin = SCHED_TIME_NEVER;
  return wl_job_extra_equal (e, &empty);
}

WlJsonJobResult
wl__json_parse_job (const WlJsonCtx *ctx, json_t *obj, guint64 line, guint64 ordinal,
                    WlJsonJob *out, char **msg)
{
  g_return_val_if_fail (json_is_object (obj), WL_JSON_JOB_MALFORMED);
  memset (out, 0, sizeof *out);
  out->n_tasks = 1;
  out->extra = wl_job_extra_new ();
  P p = { ctx, line, ordinal, -1, msg };
  Req r;
  memset (&r, 0, sizeof r);
  SchedJobSpec *spec = &out->job.spec;
  sched_job_spec_init (spec);

  json_t *idv = json_object_get (obj, "id");
  gint64 id;
  if (idv != NULL && !json_is_null (idv))
    {
      if (!as_int (idv, 1, G_MAXUINT32, &id))
        {
          bad (&p, F_ID, "a job id from 1 to 4294967295", idv);
          goto malformed;
        }
      p.id = id;
    }
  spec->id = p.id > 0 ? (SchedJobId) p.id : (SchedJobId) MIN (ordinal, G_MAXUINT32);
  if (!collect (&p, obj, &r) || !parse_names (&p, &r, out) || !parse_times (&p, &r, out)
      || !parse_shape (&p, &r, out) || !parse_gpus (&p, &r, out)
      || !parse_extras (&p, &r, out) || !derive (&p, &r, out))
    goto malformed;

  /* skips, in the order of the other readers */
  if (r.kind == WL_STATE_PENDING)
    {
      out->skip = WL_SKIP_NOT_STARTED;
      goto skip;
    }
  if (r.runtime <= 0)
    {
      if (!ctx->opts->keep_zero_runtime)
        {
          out->skip = WL_SKIP_NO_RUNTIME;
          goto skip;
        }
      out->adjust_mask |= 1u << WL_ADJ_RUNTIME_ZERO_KEPT;
    }
  if (r.kind == WL_STATE_RUNNING)
    {
      out->adjust_mask |= 1u << WL_ADJ_UNFINISHED_KEPT;
      r.state = SCHED_JOB_COMPLETED;
    }
  if (r.limit <= 0)
    {
      WlLimitRule rule = ctx->opts->limit_rule;
      r.limit = wl_limit_synthesize (rule, ctx->opts->limit_factor, r.runtime);
      out->adjust_mask |= 1u << (rule == WL_LIMIT_RUNTIME ? WL_ADJ_REQTIME_FROM_RUNTIME
                                                          : WL_ADJ_REQTIME_SYNTHESIZED);
      out->extra->time_limit_unlimited = r.unlimited;
    }
  spec->time_limit = r.limit;
  out->job.runtime = r.runtime;
  out->job.end_state = r.state;
  out->job.line = line;
  if (extra_is_empty (out->extra))
    g_clear_pointer (&out->extra, wl_job_extra_free);
  return WL_JSON_JOB_KEEP;

malformed:
  g_clear_pointer (&out->extra, wl_job_extra_free);
  return WL_JSON_JOB_MALFORMED;
skip:
  g_clear_pointer (&out->extra, wl_job_extra_free);
  return WL_JSON_JOB_SKIP;
}

void
wl__json_job_clear (WlJsonJob *j)
{
  g_clear_pointer (&j->extra, wl_job_extra_free);
}
