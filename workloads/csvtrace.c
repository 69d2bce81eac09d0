/* SPDX-License-Identifier: MIT */
/* workloads/csvtrace.c - streaming CSV trace reader: libcsv, a column map, presets.
 *
 * The stream is read in 256 KiB chunks and fed to libcsv, whose callbacks do the work: the
 * field callback copies only the columns some target uses into a per-row arena (offsets,
 * no allocation once the arena has grown), and the row callback turns the row into a
 * WlRow, applies the rules of csvtrace.h and hands kept jobs to the bounded sort buffer
 * (rows-private.h).  next() returns jobs the buffer releases and feeds more input when it
 * has none.  The first row is the header: the column map is resolved against it once, so
 * the per-row work is a table lookup per field plus the value parsers of rows.c.  Line
 * numbers count the '\n' libcsv reports (CSV_REPALL_NL) and those inside quoted fields, so
 * messages name the physical line where a row starts.  Errors met inside a callback are
 * kept and returned by next() once libcsv returns. */
#include "workloads/csvtrace.h"
#include "workloads/rows-private.h"

#include <csv.h>
#include <math.h>
#include <string.h>

#define CHUNK_SIZE      (256 * 1024)
#define MAX_FIELD       (1024 * 1024)
#define DEFAULT_WINDOW  65536
#define PHILLY_WINDOW   131072
#define MAX_COUNT       ((double) (G_GUINT64_CONSTANT (1) << 31))

typedef enum {
  T_ID, T_USER, T_GROUP, T_SUBMIT, T_START, T_END, T_RUNTIME, T_WAIT, T_TIME_LIMIT, T_CPUS,
  T_GPUS, T_GPU_SHARE, T_NODES, T_MEM_MB, T_STATE, T_PARTITION, T_GPU_TYPE, T_N
} Target;

static const char *const target_names[T_N] = {
  "id", "user", "group", "submit", "start", "end", "runtime", "wait", "time_limit", "cpus",
  "gpus", "gpu_share", "nodes", "mem_mb", "state", "partition", "gpu_type",
};

/* Column names the generic reader tries for each target, in order. */
static const char *const aliases[T_N][9] = {
  [T_ID] = { "id", "job_id", "jobid", "job", NULL },
  [T_USER] = { "user", "user_id", "uid", "username", NULL },
  [T_GROUP] = { "group", "group_id", "gid", NULL },
  [T_SUBMIT] = { "submit", "submit_time", "submission_time", "submitted", "timestamp",
                 "creation_time", "queued_time", NULL },
  [T_START] = { "start", "start_time", "started", "scheduled_time", NULL },
  [T_END] = { "end", "end_time", "finish_time", "completion_time", "deletion_time", NULL },
  [T_RUNTIME] = { "runtime", "run_time", "duration", "elapsed", NULL },
  [T_WAIT] = { "wait", "wait_time", "queue_time", NULL },
  [T_TIME_LIMIT] = { "time_limit", "timelimit", "walltime", "wall_time", "requested_time",
                     "req_time", NULL },
  [T_CPUS] = { "cpus", "cpu", "cpu_num", "num_cpus", "num_cpu", "ncpus", NULL },
  [T_GPUS] = { "gpus", "gpu", "gpu_num", "num_gpu", "num_gpus", "ngpus", NULL },
  [T_GPU_SHARE] = { "gpu_share", NULL },
  [T_NODES] = { "nodes", "node_num", "num_nodes", "nnodes", NULL },
  [T_MEM_MB] = { "mem_mb", "memory_mb", "memory_mib", "mem", NULL },
  [T_STATE] = { "state", "status", NULL },
  [T_PARTITION] = { "partition", "vc", "virtual_cluster", NULL },
  [T_GPU_TYPE] = { "gpu_type", "gpu_model", "gpu_spec", NULL },
};

typedef struct {
  const char *name;
  const char *columns;
  const char *signature[6];     /* header columns that identify it */
} PresetSpec;

static const PresetSpec presets[WL_CSV_N_PRESETS] = {
  [WL_CSV_AUTO] = { "auto", NULL, { NULL } },
  [WL_CSV_GENERIC] = { "csv", NULL, { NULL } },
  [WL_CSV_ITP] = { "itp", "id=job_id,submit=submission_time,runtime=duration,gpus=num_gpu",
                   { "job_id", "submission_time", "duration", "num_gpu", NULL } },
  [WL_CSV_PHILLY] = { "philly", "submit=timestamp,runtime=duration,gpus=num_gpus,"
                      "partition=cluster", { "timestamp", "duration", "num_gpus", NULL } },
  [WL_CSV_ALIBABA] = { "alibaba", "id=name,submit=creation_time,start=scheduled_time,"
                       "end=deletion_time,cpus=cpu_milli/1000,mem_mb=memory_mib,gpus=num_gpu,"
                       "gpu_share=gpu_milli/1000,gpu_type=gpu_spec,state=pod_phase,nodes=1",
                       { "name", "cpu_milli", "num_gpu", "gpu_milli", "creation_time", NULL } },
  [WL_CSV_HELIOS] = { "helios", "id=job_id,user=user,partition=vc,gpus=gpu_num,cpus=cpu_num,"
                      "nodes=node_num,state=state,submit=submit_time,start=start_time,"
                      "end=end_time,runtime=duration,wait=queue",
                      { "job_id", "gpu_num", "cpu_num", "node_num", "submit_time", NULL } },
};

/* The order in which WL_CSV_AUTO tries them. */
static const WlCsvPreset auto_order[] = { WL_CSV_ALIBABA, WL_CSV_HELIOS, WL_CSV_ITP,
                                          WL_CSV_PHILLY };

typedef struct {
  gint    col;        /* header column, -1 = none */
  char   *constant;   /* a fixed value instead of a column, or NULL */
  double  scale;      /* 1 = none */
} Source;

typedef struct {
  WlReader        parent;
  GInputStream   *in;
  WlReaderOptions opts;
  char           *columns;      /* copy of opts.columns */
  WlCsvPreset     preset;
  GTimeZone      *tz;           /* NULL = UTC */
  struct csv_parser csv;
  gboolean        csv_ready;
  char           *chunk;
  gsize           chunk_pos;    /* unparsed input is chunk[chunk_pos .. chunk_len) */
  gsize           chunk_len;
  gboolean        first_chunk;
  gboolean        ended;        /* csv_fini done */
  GError         *error;        /* from a callback */
  /* header and map */
  gboolean        have_header;
  GPtrArray      *header;       /* char *, trimmed */
  guint           n_cols;
  Source          src[T_N];
  gboolean       *want;         /* n_cols: some target reads this column */
  /* current row */
  guint           col;
  gsize          *off;          /* n_cols */
  gsize          *len;
  gboolean        nonempty;
  GString        *arena;
  guint64         lines;        /* '\n' seen */
  guint64         row_line;
  guint64         data_rows;
  guint           n_warned;
  WlNames         users;
  WlNames         groups;
  GHashTable     *part_cache;
  GHashTable     *type_cache;
  WlSortBuf       sort;
} CsvReader;

/* ---- presets and the map ---------------------------------------------------------------- */

const char *
wl_csv_preset_name (WlCsvPreset preset)
{
  g_return_val_if_fail ((guint) preset < WL_CSV_N_PRESETS, "unknown");
  return presets[preset].name;
}

gboolean
wl_csv_preset_from_name (const char *name, WlCsvPreset *out)
{
  g_return_val_if_fail (name != NULL && out != NULL, FALSE);
  for (guint i = 0; i < WL_CSV_N_PRESETS; i++)
    if (g_ascii_strcasecmp (name, presets[i].name) == 0)
      {
        *out = (WlCsvPreset) i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "generic") == 0)
    {
      *out = WL_CSV_GENERIC;
      return TRUE;
    }
  return FALSE;
}

const char *
wl_csv_preset_columns (WlCsvPreset preset)
{
  g_return_val_if_fail ((guint) preset < WL_CSV_N_PRESETS, NULL);
  return presets[preset].columns;
}

static gint
find_column (const CsvReader *s, const char *name)
{
  for (guint i = 0; i < s->n_cols; i++)
    if (strcmp (g_ptr_array_index (s->header, i), name) == 0)
      return (gint) i;
  for (guint i = 0; i < s->n_cols; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (s->header, i), name) == 0)
      return (gint) i;
  return -1;
}

static gboolean
has_signature (const CsvReader *s, WlCsvPreset p)
{
  for (guint i = 0; presets[p].signature[i] != NULL; i++)
    if (find_column (s, presets[p].signature[i]) < 0)
      return FALSE;
  return TRUE;
}

static gboolean
is_number (const char *v)
{
  char *end = NULL;
  if (*v == '\0')
    return FALSE;
  double x = g_ascii_strtod (v, &end);
  return *end == '\0' && isfinite (x);
}

static void
source_clear (Source *src)
{
  g_clear_pointer (&src->constant, g_free);
  src->col = -1;
  src->scale = 1;
}

/* Applies one map: entries "target=value", comma-separated.  With `required`, a value that
 * names no column (and is not a number) is an error; otherwise such an entry is ignored. */
static gboolean
apply_map (CsvReader *s, const char *map, gboolean required, const char *what,
           GError **error)
{
  g_auto (GStrv) items = g_strsplit (map, ",", -1);
  guint given = 0;
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *item = g_strstrip (items[i]);
      if (*item == '\0')
        continue;
      char *eq = strchr (item, '=');
      if (eq == NULL)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s: %s: \"%s\": expected target=column", s->parent.name, what, item);
          return FALSE;
        }
      *eq = '\0';
      char *tname = g_strstrip (item), *value = g_strstrip (eq + 1);
      guint t = 0;
      while (t < T_N && g_ascii_strcasecmp (tname, target_names[t]) != 0)
        t++;
      if (t == T_N)
        {
          g_autofree char *list = g_strjoinv (", ", (char **) target_names);
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s: %s: unknown target \"%s\" (expected one of: %s)", s->parent.name,
                       what, tname, list);
          return FALSE;
        }
      if (required)
        {
          if (given & (1u << t))
            {
              g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                           "%s: %s: target \"%s\" given twice", s->parent.name, what,
                           target_names[t]);
              return FALSE;
            }
          given |= 1u << t;
        }
      Source src = { -1, NULL, 1 };
      if (*value == '\0')
        {
          source_clear (&s->src[t]);        /* "target=" drops it */
          continue;
        }
      gint col = find_column (s, value);
      if (col < 0)
        {
          /* "column/N" or "column*N" */
          char *op = strrchr (value, '/');
          char *op2 = strrchr (value, '*');
          if (op2 > op)
            op = op2;
          if (op != NULL && is_number (g_strstrip (op + 1)))
            {
              double x = g_ascii_strtod (op + 1, NULL);
              char c = *op;
              *op = '\0';
              col = find_column (s, g_strstrip (value));
              if (col >= 0 && x > 0)
                src.scale = c == '/' ? 1.0 / x : x;
              else if (col >= 0)
                {
                  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                               "%s: %s: %s: the scale must be above 0", s->parent.name, what,
                               target_names[t]);
                  return FALSE;
                }
              else
                *op = c;
            }
        }
      if (col >= 0)
        src.col = col;
      else if (is_number (value))
        src.constant = g_strdup (value);
      else if (required)
        {
          GString *cols = g_string_new (NULL);
          for (guint k = 0; k < s->n_cols; k++)
            g_string_append_printf (cols, "%s\"%s\"", k ? ", " : "",
                                    (char *) g_ptr_array_index (s->header, k));
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s: %s: %s: no column \"%s\" in the header (columns: %s)",
                       s->parent.name, what, target_names[t], value, cols->str);
          g_string_free (cols, TRUE);
          return FALSE;
        }
      else
        continue;
      source_clear (&s->src[t]);
      s->src[t] = src;
    }
  return TRUE;
}

static gboolean
mapped (const CsvReader *s, Target t)
{
  return s->src[t].col >= 0 || s->src[t].constant != NULL;
}

/* Checks a constant once, at open, with the row parser's rules. */
static WlParse parse_target_check (CsvReader *s, Target t, const char *v, gsize len);

static gboolean
setup_map (CsvReader *s, GError **error)
{
  for (guint t = 0; t < T_N; t++)
    source_clear (&s->src[t]);
  if (s->preset == WL_CSV_AUTO)
    {
      s->preset = WL_CSV_GENERIC;
      for (gsize i = 0; i < G_N_ELEMENTS (auto_order); i++)
        if (has_signature (s, auto_order[i]))
          {
            s->preset = auto_order[i];
            break;
          }
    }
  if (s->preset == WL_CSV_GENERIC)
    {
      for (guint t = 0; t < T_N; t++)
        for (guint k = 0; aliases[t][k] != NULL && s->src[t].col < 0; k++)
          s->src[t].col = find_column (s, aliases[t][k]);
    }
  else if (!apply_map (s, presets[s->preset].columns, FALSE, "preset", error))
    return FALSE;
  if (s->columns != NULL && !apply_map (s, s->columns, TRUE, "column map", error))
    return FALSE;

  if (!mapped (s, T_SUBMIT))
    {
      g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                   "%s: no column gives the submit time (map one with submit=COLUMN)",
                   s->parent.name);
      return FALSE;
    }
  if (!mapped (s, T_RUNTIME) && !mapped (s, T_END))
    {
      g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                   "%s: no column gives the run time (map runtime=COLUMN, or end=COLUMN "
                   "with start or wait)", s->parent.name);
      return FALSE;
    }
  guint window = s->opts.sort_window;
  if (window == 0)
    window = s->preset == WL_CSV_PHILLY ? PHILLY_WINDOW : DEFAULT_WINDOW;
  wl__sortbuf_init (&s->sort, window);
  s->want = g_new0 (gboolean, s->n_cols);
  s->off = g_new0 (gsize, s->n_cols);
  s->len = g_new0 (gsize, s->n_cols);
  for (guint t = 0; t < T_N; t++)
    {
      if (s->src[t].col >= 0)
        s->want[s->src[t].col] = TRUE;
      if (s->src[t].constant != NULL
          && parse_target_check (s, t, s->src[t].constant, strlen (s->src[t].constant))
                 == WL_PARSE_BAD)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s: column map: %s: \"%s\" is not a valid value", s->parent.name,
                       target_names[t], s->src[t].constant);
          return FALSE;
        }
    }
  return TRUE;
}

/* ---- values of a row -------------------------------------------------------------------- */

/* The bytes of target t in the current row; FALSE if unmapped. */
static gboolean
value_of (const CsvReader *s, Target t, const char **v, gsize *len)
{
  const Source *src = &s->src[t];
  if (src->constant != NULL)
    {
      *v = src->constant;
      *len = strlen (src->constant);
      return TRUE;
    }
  if (src->col < 0)
    return FALSE;
  *v = s->arena->str + s->off[src->col];
  *len = s->len[src->col];
  return TRUE;
}

static WlParse
scaled_number (const char *v, gsize len, double scale, double *out)
{
  while (len > 0 && (*v == ' ' || *v == '\t'))
    v++, len--;
  while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t' || v[len - 1] == '\r'))
    len--;
  if (wl__is_missing (v, len))
    return WL_PARSE_NONE;
  double x;
  gsize i = 0;
  guint64 whole = 0;
  while (i < len && i < 15 && v[i] >= '0' && v[i] <= '9')
    whole = whole * 10 + (guint) (v[i++] - '0');
  if (i == len)
    x = (double) whole;          /* what strtod gives for up to 15 digits: exact */
  else if (!wl__strtod (v, len, &x))
    return WL_PARSE_BAD;
  if (!isfinite (x) || x < 0)
    return x == -1 ? WL_PARSE_NONE : WL_PARSE_BAD;
  x *= scale;
  if (x >= 1e15)
    return WL_PARSE_BAD;
  *out = x;
  return WL_PARSE_OK;
}

static WlParse
time_value (const CsvReader *s, Target t, const char *v, gsize len, SchedTime *out)
{
  if (s->src[t].scale != 1)
    {
      double x;
      WlParse pr = scaled_number (v, len, s->src[t].scale, &x);
      if (pr == WL_PARSE_OK)
        *out = (SchedTime) floor (x + 0.5);
      return pr;
    }
  if (t == T_SUBMIT || t == T_START || t == T_END)
    return wl_parse_time (v, len, s->tz, out);
  return wl_parse_seconds (v, len, out);
}

static const char *
expectation (Target t)
{
  switch (t)
    {
    case T_SUBMIT:
    case T_START:
    case T_END:
      return "a time (seconds, or a date YYYY-MM-DD HH:MM:SS)";
    case T_RUNTIME:
    case T_WAIT:
    case T_TIME_LIMIT:
      return "a duration (seconds, or [D-]HH:MM:SS)";
    case T_NODES:
      return "a whole number >= 0";
    case T_STATE:
      return "a job state (COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, PENDING, "
             "RUNNING, ...)";
    case T_ID: case T_USER: case T_GROUP: case T_PARTITION: case T_GPU_TYPE:
      return "a name";
    case T_CPUS: case T_GPUS: case T_GPU_SHARE: case T_MEM_MB:
    case T_N:
    default:
      return "a number >= 0";
    }
}

static WlParse
parse_target_check (CsvReader *s, Target t, const char *v, gsize len)
{
  SchedTime tv;
  double x;
  SchedJobState st;
  WlStateKind kind;
  switch (t)
    {
    case T_SUBMIT: case T_START: case T_END: case T_RUNTIME: case T_WAIT: case T_TIME_LIMIT:
      return time_value (s, t, v, len, &tv);
    case T_CPUS: case T_GPUS: case T_GPU_SHARE: case T_NODES: case T_MEM_MB:
      return scaled_number (v, len, s->src[t].scale, &x);
    case T_STATE:
      return wl__parse_state (v, len, &st, &kind) ? WL_PARSE_OK : WL_PARSE_BAD;
    case T_ID: case T_USER: case T_GROUP: case T_PARTITION: case T_GPU_TYPE:
    case T_N:
    default:
      return WL_PARSE_OK;
    }
}

/* Builds the message for a bad value of target t; returns it (transfer full). */
static char *
bad_value (const CsvReader *s, Target t, const char *v, gsize len, const char *why)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "%s:%" G_GUINT64_FORMAT ": ", s->parent.name, s->row_line);
  if (s->src[t].col >= 0)
    g_string_append_printf (m, "column %d \"%s\" (%s): ", s->src[t].col + 1,
                            (char *) g_ptr_array_index (s->header, s->src[t].col),
                            target_names[t]);
  else
    g_string_append_printf (m, "%s: ", target_names[t]);
  g_string_append_printf (m, "expected %s, got ", why != NULL ? why : expectation (t));
  {
    const char *p = v;
    gsize n = len;
    while (n > 0 && (*p == ' ' || *p == '\t'))
      p++, n--;
    wl__append_quoted (m, p, n);
  }
  return g_string_free (m, FALSE);
}

/* A count (cpus, gpus, nodes, mem): *out rounded up, *fraction when it was not whole. */
static WlParse
count_value (const CsvReader *s, Target t, double *raw, guint64 *out, gboolean *fraction)
{
  const char *v;
  gsize len;
  *out = 0;
  *raw = 0;
  if (fraction != NULL)
    *fraction = FALSE;
  if (!value_of (s, t, &v, &len))
    return WL_PARSE_NONE;
  double x;
  WlParse pr = scaled_number (v, len, s->src[t].scale, &x);
  if (pr != WL_PARSE_OK)
    return pr;
  if (x > MAX_COUNT)
    return WL_PARSE_BAD;
  double c = ceil (x - 1e-9);
  if (c < 0)
    c = 0;
  *raw = x;
  *out = (guint64) c;
  if (fraction != NULL)
    *fraction = fabs (c - x) > 1e-9;
  return WL_PARSE_OK;
}

/* ---- one data row ----------------------------------------------------------------------- */

/* Skips the row as malformed: returns FALSE (with s->error) in strict mode. */
static gboolean
row_malformed (CsvReader *s, char *msg)
{
  return wl__malformed (&s->parent, &s->opts, &s->n_warned, msg, &s->error);
}

static gboolean
row_bad (CsvReader *s, Target t, const char *why)
{
  const char *v = "";
  gsize len = 0;
  value_of (s, t, &v, &len);
  return row_malformed (s, bad_value (s, t, v, len, why));
}

/* Processes the current data row.  Returns FALSE when it set s->error. */
static gboolean
process_row (CsvReader *s, guint n_fields)
{
  WlCounts *c = &s->parent.counts;
  s->data_rows++;
  c->read++;
  if (n_fields != s->n_cols)
    return row_malformed (s, g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": expected %u columns "
                                              "as in the header, got %u", s->parent.name,
                                              s->row_line, s->n_cols, n_fields));
  WlRow row;
  memset (&row, 0, sizeof row);
  row.partition = -1;
  row.end_state = SCHED_JOB_COMPLETED;
  row.line = s->row_line;

  const char *v;
  gsize len;
  /* times and state */
  SchedTime t_start = 0, t_end = 0, wait = 0, runtime = 0;
  WlParse p_start = WL_PARSE_NONE, p_end = WL_PARSE_NONE, p_wait = WL_PARSE_NONE,
          p_run = WL_PARSE_NONE, pr;
  static const Target time_targets[] = { T_SUBMIT, T_START, T_END, T_WAIT, T_RUNTIME,
                                         T_TIME_LIMIT };
  for (gsize i = 0; i < G_N_ELEMENTS (time_targets); i++)
    {
      Target t = time_targets[i];
      if (!value_of (s, t, &v, &len))
        continue;
      SchedTime x = 0;
      pr = time_value (s, t, v, len, &x);
      if (pr == WL_PARSE_BAD || (t == T_SUBMIT && pr == WL_PARSE_NONE))
        return row_bad (s, t, NULL);
      switch (t)
        {
        case T_SUBMIT: row.submit = x; break;
        case T_START: t_start = x; p_start = pr; break;
        case T_END: t_end = x; p_end = pr; break;
        case T_WAIT: wait = x; p_wait = pr; break;
        case T_RUNTIME: runtime = x; p_run = pr; break;
        case T_TIME_LIMIT: row.limit = pr == WL_PARSE_OK ? x : 0; break;
        default: break;
        }
    }
  WlStateKind kind = WL_STATE_ENDED;
  if (value_of (s, T_STATE, &v, &len) && !wl__is_missing (v, len)
      && !wl__parse_state (v, len, &row.end_state, &kind))
    return row_bad (s, T_STATE, NULL);

  /* sizes */
  double raw;
  guint64 cpus, gpus, nodes, mem;
  gboolean cpu_frac, gpu_frac;
  if ((pr = count_value (s, T_CPUS, &raw, &cpus, &cpu_frac)) == WL_PARSE_BAD)
    return row_bad (s, T_CPUS, NULL);
  if ((pr = count_value (s, T_GPUS, &raw, &gpus, &gpu_frac)) == WL_PARSE_BAD)
    return row_bad (s, T_GPUS, NULL);
  double gpus_raw = raw, share = 1, nraw;
  guint64 share_c;
  if ((pr = count_value (s, T_GPU_SHARE, &share, &share_c, NULL)) == WL_PARSE_BAD)
    return row_bad (s, T_GPU_SHARE, NULL);
  if (pr == WL_PARSE_OK && share > 0)
    {
      double x = gpus_raw * share;
      gpus = (guint64) ceil (x - 1e-9);
      gpu_frac = fabs ((double) gpus - x) > 1e-9;
    }
  if ((pr = count_value (s, T_NODES, &nraw, &nodes, NULL)) == WL_PARSE_BAD
      || (pr == WL_PARSE_OK && fabs (nraw - (double) nodes) > 1e-9))
    return row_bad (s, T_NODES, NULL);
  if (count_value (s, T_MEM_MB, &raw, &mem, NULL) == WL_PARSE_BAD)
    return row_bad (s, T_MEM_MB, NULL);

  /* the run time */
  if (p_start != WL_PARSE_OK && p_wait == WL_PARSE_OK)
    {
      t_start = row.submit + wait;
      p_start = WL_PARSE_OK;
    }
  gboolean known = p_run == WL_PARSE_OK;
  if (!known && p_start == WL_PARSE_OK && p_end == WL_PARSE_OK)
    {
      if (t_end < t_start)
        return row_bad (s, T_END, "an end time not before the start time");
      runtime = t_end - t_start;
      known = TRUE;
    }
  if (kind == WL_STATE_PENDING
      || (!known && (mapped (s, T_START) || mapped (s, T_WAIT)) && p_start != WL_PARSE_OK))
    {
      c->skipped[WL_SKIP_NOT_STARTED]++;
      return TRUE;
    }
  if (!known)
    {
      c->skipped[kind == WL_STATE_RUNNING ? WL_SKIP_UNFINISHED : WL_SKIP_NO_RUNTIME]++;
      return TRUE;
    }
  if (kind == WL_STATE_RUNNING)
    {
      row.adjust_mask |= 1u << WL_ADJ_UNFINISHED_KEPT;
      row.end_state = SCHED_JOB_COMPLETED;
    }
  row.runtime = runtime;
  if (runtime > 0 && cpus == 0 && gpus == 0 && nodes == 0
      && (mapped (s, T_CPUS) || mapped (s, T_GPUS) || mapped (s, T_NODES)))
    {
      c->skipped[WL_SKIP_NO_SIZE]++;
      return TRUE;
    }
  row.cpus = cpus;
  row.gpus = gpus;
  row.nodes = nodes;
  row.mem_per_node_mb = mem;
  if (cpu_frac)
    row.adjust_mask |= 1u << WL_ADJ_CPU_FRACTION_ROUNDED;
  if (gpu_frac && gpus > 0)
    row.adjust_mask |= 1u << WL_ADJ_GPU_FRACTION_ROUNDED;

  /* names */
  row.id = (SchedJobId) MIN (s->data_rows, G_MAXUINT32);
  if (value_of (s, T_ID, &v, &len))
    {
      while (len > 0 && *v == ' ')
        v++, len--;
      guint64 id = 0;
      gsize i = 0;
      while (i < len && i < 11 && v[i] >= '0' && v[i] <= '9')
        id = id * 10 + (guint) (v[i++] - '0');
      if (i == len && len > 0 && id > 0 && id <= G_MAXUINT32)
        row.id = (SchedJobId) id;
    }
  if (value_of (s, T_USER, &v, &len))
    row.user = wl__names_id (&s->users, v, len);
  if (value_of (s, T_GROUP, &v, &len))
    row.group = wl__names_id (&s->groups, v, len);
  if (value_of (s, T_PARTITION, &v, &len))
    row.partition = (gint32) wl__resolve (&s->part_cache, &s->opts, WL_NAME_PARTITION, v, len,
                                          -1);
  if (value_of (s, T_GPU_TYPE, &v, &len))
    row.gpu_type = (guint32) wl__resolve (&s->type_cache, &s->opts, WL_NAME_GPU_TYPE, v, len,
                                          0);

  WlJob job;
  if (!wl__row_to_job (&s->parent, &s->opts, &row, &job))
    return TRUE;
  return wl__sortbuf_add (&s->sort, &s->parent, &s->opts, &job, &s->error);
}

/* ---- libcsv callbacks ------------------------------------------------------------------- */

static void
on_field (void *data, size_t len, void *user)
{
  CsvReader *s = user;
  guint col = s->col++;
  if (col == 0)
    s->row_line = s->lines + 1;
  if (len > 0)
    {
      const char *p = data, *end = p + len;
      while ((p = memchr (p, '\n', (gsize) (end - p))) != NULL)
        {
          s->lines++;
          p++;
        }
      s->nonempty = TRUE;
    }
  if (s->error != NULL)
    return;
  if (!s->have_header)
    {
      const char *p = data;
      gsize n = len;
      if (col == 0 && n >= 3 && memcmp (p, "\xef\xbb\xbf", 3) == 0)
        p += 3, n -= 3;
      g_ptr_array_add (s->header, g_strstrip (g_strndup (p, n)));
      return;
    }
  if (col < s->n_cols && s->want[col])
    {
      GString *a = s->arena;
      s->off[col] = a->len;
      s->len[col] = len;
      if (a->len + len < a->allocated_len)
        {
          memcpy (a->str + a->len, data, len);   /* g_string_append_len, inline */
          a->len += len;
          a->str[a->len] = '\0';
        }
      else
        g_string_append_len (a, data, (gssize) len);
    }
}

static void
on_row (int c, void *user)
{
  CsvReader *s = user;
  guint n = s->col;
  gboolean blank = !s->nonempty && n <= 1;
  s->col = 0;
  s->nonempty = FALSE;
  if (s->error == NULL && !blank)
    {
      if (!s->have_header)
        {
          s->have_header = TRUE;
          s->n_cols = s->header->len;
          setup_map (s, &s->error);
        }
      else
        process_row (s, n);
    }
  else if (!s->have_header)
    g_ptr_array_set_size (s->header, 0);
  g_string_truncate (s->arena, 0);
  if (c == '\n')
    s->lines++;
}

static int
space_only (unsigned char c)
{
  return c == ' ';
}

/* Parses the next piece of input: the rest of the current chunk, or a new chunk read from
 * the stream; before the header row has been seen, only up to the first newline, so that
 * no data row is handled while the reader is being created (partition names are resolved
 * only once the caller reads).  At the end of the stream, finishes the parse.  FALSE with
 * `error` set on a stream failure or an overlong field. */
static gboolean
feed (CsvReader *s, GError **error)
{
  if (s->chunk_pos == s->chunk_len)
    {
      gssize n = wl__read_input (s->in, s->parent.name, s->chunk, CHUNK_SIZE, error);
      if (n < 0)
        return FALSE;
      s->chunk_pos = 0;
      s->chunk_len = (gsize) n;
      if (n == 0)
        {
          csv_fini (&s->csv, on_field, on_row, s);
          s->ended = TRUE;
          return TRUE;
        }
    }
  const char *p = s->chunk + s->chunk_pos;
  gsize len = s->chunk_len - s->chunk_pos;
  if (s->first_chunk)
    {
      s->first_chunk = FALSE;
      if (s->opts.delimiter == 0)
        {
          const char *nl = memchr (p, '\n', len);
          gsize head = nl != NULL ? (gsize) (nl - p) : len;
          char d = ',';
          if (memchr (p, ',', head) == NULL)
            d = memchr (p, '\t', head) != NULL ? '\t' : memchr (p, ';', head) != NULL ? ';' : ',';
          s->opts.delimiter = d;
        }
      csv_set_delim (&s->csv, (unsigned char) s->opts.delimiter);
      /* blanks around fields: ' ' and '\t' (libcsv's built-in test, no call per byte), or
       * only ' ' when the tab separates */
      csv_set_space_func (&s->csv, s->opts.delimiter == '\t' ? space_only : NULL);
    }
  if (!s->have_header)
    {
      const char *nl = memchr (p, '\n', len);
      if (nl != NULL)
        len = (gsize) (nl - p) + 1;
    }
  s->chunk_pos += len;
  if (csv_parse (&s->csv, p, len, on_field, on_row, s) != len)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s:%" G_GUINT64_FORMAT ": %s",
                   s->parent.name, s->lines + 1, csv_strerror (csv_error (&s->csv)));
      return FALSE;
    }
  if (csv_get_buffer_size (&s->csv) > MAX_FIELD)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "%s:%" G_GUINT64_FORMAT ": a field longer than %d bytes (an unbalanced "
                   "quote?)", s->parent.name, s->row_line, MAX_FIELD);
      return FALSE;
    }
  return TRUE;
}

/* ---- the reader ------------------------------------------------------------------------- */

static gboolean
csv_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  CsvReader *s = (CsvReader *) r;
  *eof = FALSE;
  for (;;)
    {
      if (s->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&s->error));
          return FALSE;
        }
      if (wl__sortbuf_next (&s->sort, s->ended, out, eof))
        return TRUE;
      if (!feed (s, error))
        return FALSE;
    }
}

static void
csv_finalize (WlReader *r)
{
  CsvReader *s = (CsvReader *) r;
  g_clear_object (&s->in);
  if (s->csv_ready)
    csv_free (&s->csv);
  g_clear_pointer (&s->chunk, g_free);
  g_clear_pointer (&s->columns, g_free);
  g_clear_pointer (&s->tz, g_time_zone_unref);
  g_clear_error (&s->error);
  g_clear_pointer (&s->header, g_ptr_array_unref);
  for (guint t = 0; t < T_N; t++)
    source_clear (&s->src[t]);
  g_clear_pointer (&s->want, g_free);
  g_clear_pointer (&s->off, g_free);
  g_clear_pointer (&s->len, g_free);
  if (s->arena != NULL)
    g_string_free (s->arena, TRUE);
  s->arena = NULL;
  wl__names_clear (&s->users);
  wl__names_clear (&s->groups);
  g_clear_pointer (&s->part_cache, g_hash_table_unref);
  g_clear_pointer (&s->type_cache, g_hash_table_unref);
  wl__sortbuf_clear (&s->sort);
}

static const WlReaderOps csv_ops = {
  .next = csv_next,
  .finalize = csv_finalize,
};

WlCsvPreset
wl_csv_reader_get_preset (const WlReader *r)
{
  g_return_val_if_fail (r != NULL && r->ops == &csv_ops, WL_CSV_GENERIC);
  return ((const CsvReader *) r)->preset;
}

WlReader *
wl_csv_reader_new (GInputStream *in, const char *name, WlCsvPreset preset,
                   const WlReaderOptions *opts, GError **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);
  g_return_val_if_fail ((guint) preset < WL_CSV_N_PRESETS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  CsvReader *s = g_new0 (CsvReader, 1);
  wl__reader_init (&s->parent, &csv_ops, name);
  g_autoptr (WlReader) r = &s->parent;
  s->in = g_object_ref (in);
  if (opts != NULL)
    s->opts = *opts;
  else
    wl_reader_options_init (&s->opts);
  s->columns = g_strdup (s->opts.columns);
  s->opts.columns = s->columns;
  s->preset = preset;
  s->header = g_ptr_array_new_with_free_func (g_free);
  s->arena = g_string_sized_new (256);
  s->chunk = g_malloc (CHUNK_SIZE);
  s->first_chunk = TRUE;
  for (guint t = 0; t < T_N; t++)
    source_clear (&s->src[t]);
  wl__names_init (&s->users);
  wl__names_init (&s->groups);
  if (!wl__time_zone_new (&s->opts, s->parent.name, &s->tz, error))
    return NULL;
  if (csv_init (&s->csv, CSV_REPALL_NL) != 0)
    g_error ("csv_init failed");
  s->csv_ready = TRUE;
  csv_set_realloc_func (&s->csv, g_realloc);
  csv_set_free_func (&s->csv, g_free);

  while (!s->have_header && !s->ended && s->error == NULL)
    if (!feed (s, error))
      return NULL;
  if (s->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&s->error));
      return NULL;
    }
  if (!s->have_header)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: empty file: no header row",
                   s->parent.name);
      return NULL;
    }
  return g_steal_pointer (&r);
}

/* The machine list next to `path` for `preset`, or NULL. */
static char *
find_machine_list (const char *path, WlCsvPreset preset)
{
  const char *marker, *list;
  if (preset == WL_CSV_PHILLY)
    marker = "pollux-jobs", list = "cluster_machine_list.csv";
  else if (preset == WL_CSV_ALIBABA)
    marker = "pod_list", list = "node_list_all_node.csv";
  else
    return NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  const char *at = strstr (base, marker);
  g_autofree char *prefix = at != NULL ? g_strndup (base, (gsize) (at - base)) : g_strdup ("");
  g_autofree char *name = g_strconcat (prefix, list, NULL);
  const char *const candidates[] = { name, list,
                                     preset == WL_CSV_PHILLY ? "cluster_machine_list" : NULL };
  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      if (candidates[i] == NULL)
        continue;
      g_autofree char *full = g_build_filename (dir, candidates[i], NULL);
      if (g_file_test (full, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&full);
    }
  return NULL;
}

WlReader *
wl_csv_reader_open (const char *path, WlCsvPreset preset, const WlReaderOptions *opts,
                    GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  WlReader *r = wl_csv_reader_new (in, path, preset, opts, error);
  if (r != NULL)
    r->info.machine_list = find_machine_list (path, wl_csv_reader_get_preset (r));
  return r;
}
