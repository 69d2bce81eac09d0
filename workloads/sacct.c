/* SPDX-License-Identifier: MIT */
/* workloads/sacct.c - streaming reader for `sacct --parsable2` dumps.
 *
 * Lines are cut out of 4 MiB chunks by the line reader (linereader.h) and split on the
 * separator in place (sacct does not quote), so a line costs one pass over its bytes plus
 * the value parsers of rows.c for the fields the header names.  A job line is parsed into a Pending record that
 * waits for its steps (the lines that follow with the same JobID and a ".step" suffix);
 * the next job line, or the end of the input, completes it: the rules of sacct.h decide
 * whether it is kept, and kept jobs go through the shared row rules and the bounded sort
 * buffer (rows-private.h).  Memory: the chunk buffer, one pending job and the sort
 * window. */
#include "workloads/sacct.h"
#include "workloads/linereader.h"
#include "workloads/rows-private.h"

#include <math.h>
#include <string.h>

#define BUF_SIZE        (4 * 1024 * 1024)
#define MAX_LINE        (1024 * 1024)
#define DEFAULT_WINDOW  65536

typedef enum {
  F_JOBID, F_JOBIDRAW, F_USER, F_UID, F_GROUP, F_GID, F_ACCOUNT, F_PARTITION, F_QOS,
  F_SUBMIT, F_ELIGIBLE, F_START, F_END, F_ELAPSED, F_ELAPSEDRAW, F_TIMELIMIT,
  F_TIMELIMITRAW, F_NNODES, F_ALLOCNODES, F_REQNODES, F_NCPUS, F_ALLOCCPUS, F_REQCPUS,
  F_REQMEM, F_REQTRES, F_ALLOCTRES, F_REQGRES, F_ALLOCGRES, F_STATE, F_EXITCODE,
  F_CPUTIMERAW, F_N
} Field;

static const char *const field_names[F_N] = {
  "JobID", "JobIDRaw", "User", "UID", "Group", "GID", "Account", "Partition", "QOS",
  "Submit", "Eligible", "Start", "End", "Elapsed", "ElapsedRaw", "Timelimit",
  "TimelimitRaw", "NNodes", "AllocNodes", "ReqNodes", "NCPUS", "AllocCPUS", "ReqCPUS",
  "ReqMem", "ReqTRES", "AllocTRES", "ReqGRES", "AllocGRES", "State", "ExitCode",
  "CPUTimeRAW",
};

/* A job line waiting for its steps. */
typedef struct {
  gboolean      active;
  gboolean      absorb;        /* the job line was malformed: its steps are swallowed */
  GString      *base;          /* JobID without the step */
  WlRow         row;
  SchedTime     start, end, elapsed;
  gboolean      have_start, have_end, have_elapsed, start_none;
  guint64       cputime;
  gboolean      have_cputime;
  guint64       alloc_cpus;
  gboolean      have_state;
  WlStateKind   kind;
  gboolean      exit_failed;
  SchedTime     step_end;
  gboolean      have_step_end;
  SchedJobState step_state;
  gboolean      have_step_state, step_state_batch;
} Pending;

typedef struct {
  WlReader        parent;
  WlReaderOptions opts;
  GTimeZone      *tz;
  WlLineReader    lines;         /* lines.lineno is the current line's number */
  char            delim;
  gboolean        trailing;      /* --parsable: a separator after the last field */
  guint           n_cols;
  gint            col[F_N];      /* column of each field, -1 = absent */
  const char    **fv;            /* the current line's fields */
  gsize          *fl;
  guint           n_warned;
  guint64         n_jobs;        /* job lines seen */
  guint32         next_synthetic;
  gboolean        ended;
  Pending         cur;
  WlNames         users, groups;
  GHashTable     *part_cache, *type_cache;
  WlSortBuf       sort;
} SacctReader;

/* ---- lines ------------------------------------------------------------------------------ */

/* The next line, without its '\n' or a '\r' before it (linereader.h). */
static WlLineStatus
get_line (SacctReader *s, const char **line, gsize *len, GError **error)
{
  WlLineStatus st = wl__line_reader_next (&s->lines, line, len, error);
  if (st == WL_LINE_OK && *len > 0 && (*line)[*len - 1] == '\r')
    (*len)--;
  return st;
}

/* Splits [line, line + len) on the separator; returns the number of fields (at most
 * n_cols + 2 are stored; more are only counted). */
static guint
split (SacctReader *s, const char *line, gsize len)
{
  guint n = 0;
  const char *p = line, *end = line + len;
  for (;;)
    {
      const char *sep = memchr (p, s->delim, (gsize) (end - p));
      const char *fe = sep != NULL ? sep : end;
      if (n < s->n_cols + 2)
        {
          s->fv[n] = p;
          s->fl[n] = (gsize) (fe - p);
        }
      n++;
      if (sep == NULL)
        break;
      p = sep + 1;
    }
  return n;
}

/* ---- values ----------------------------------------------------------------------------- */

static gboolean
get (const SacctReader *s, Field f, const char **v, gsize *len)
{
  gint c = s->col[f];
  if (c < 0)
    return FALSE;
  *v = s->fv[c];
  *len = s->fl[c];
  return TRUE;
}

static WlParse
parse_uint (const char *v, gsize len, guint64 *out)
{
  while (len > 0 && *v == ' ')
    v++, len--;
  while (len > 0 && v[len - 1] == ' ')
    len--;
  if (wl__is_missing (v, len))
    return WL_PARSE_NONE;
  if (len > 12)
    return WL_PARSE_BAD;
  guint64 x = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (v[i] < '0' || v[i] > '9')
        return WL_PARSE_BAD;
      x = x * 10 + (guint) (v[i] - '0');
    }
  *out = x;
  return WL_PARSE_OK;
}

/* Old-style GRES ("gpu:2", "gpu:a100:2", "gres/gpu:2", "gpu:a100:2(IDX:0-1)", lists). */
static WlParse
parse_gres (const char *v, gsize len, guint64 *gpus)
{
  *gpus = 0;
  if (wl__is_missing (v, len))
    return WL_PARSE_NONE;
  g_autofree char *text = g_strndup (v, len);
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      char *it = g_strstrip (items[i]);
      char *paren = strchr (it, '(');
      if (paren != NULL)
        *paren = '\0';
      if (g_str_has_prefix (it, "gres/"))
        it += 5;
      if (!g_str_has_prefix (it, "gpu"))
        continue;
      if (it[3] != '\0' && it[3] != ':' && it[3] != '=')
        continue;
      char *last = strrchr (it, it[3] == '=' ? '=' : ':');
      guint64 x = 1;
      if (last != NULL && parse_uint (last + 1, strlen (last + 1), &x) != WL_PARSE_OK)
        {
          if (strchr (last + 1, ':') == NULL && last == strchr (it, ':'))
            x = 1;                           /* "gpu:a100": one GPU of that type */
          else
            return WL_PARSE_BAD;
        }
      *gpus += x;
    }
  return WL_PARSE_OK;
}

static char *
field_message (const SacctReader *s, Field f, const char *v, gsize len, const char *what)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "%s:%" G_GUINT64_FORMAT ": field %s: expected %s, got ",
                          s->parent.name, s->lines.lineno, field_names[f], what);
  wl__append_quoted (m, v, len);
  return g_string_free (m, FALSE);
}

/* ---- job lines -------------------------------------------------------------------------- */

static gboolean
malformed (SacctReader *s, char *msg, GError **error)
{
  return wl__malformed (&s->parent, &s->opts, &s->n_warned, msg, error);
}

#define BAD(f, what)                                                                     \
  do {                                                                                   \
    s->cur.absorb = TRUE;                                                                \
    return malformed (s, field_message (s, (f), v, len, (what)), error);                 \
  } while (0)

/* The first of `fields` that gives a count above 0.  *which gets its index. */
static WlParse
first_count (SacctReader *s, const Field *fields, gsize n, guint64 *out, gsize *which,
             Field *bad)
{
  for (gsize i = 0; i < n; i++)
    {
      const char *v;
      gsize len;
      if (!get (s, fields[i], &v, &len))
        continue;
      guint64 x;
      WlParse pr = parse_uint (v, len, &x);
      if (pr == WL_PARSE_BAD)
        {
          *bad = fields[i];
          return WL_PARSE_BAD;
        }
      if (pr == WL_PARSE_OK && x > 0)
        {
          *out = x;
          *which = i;
          return WL_PARSE_OK;
        }
    }
  return WL_PARSE_NONE;
}

/* Parses the sizes of the current job line into s->cur.  FALSE after a malformed value
 * (counted; strict: `error` set, returning FALSE from the caller). */
static gboolean
parse_sizes (SacctReader *s, gboolean *ok, GError **error)
{
  Pending *cur = &s->cur;
  const char *v = "";
  gsize len = 0;
  guint64 rq_gpus = 0, rq_cpus = 0, rq_nodes = 0, rq_mem = 0;
  guint64 al_gpus = 0, al_cpus = 0, al_nodes = 0, al_mem = 0;
  g_autofree char *rq_type = NULL, *al_type = NULL;
  *ok = FALSE;
  if (get (s, F_REQTRES, &v, &len)
      && wl_parse_tres (v, len, &rq_gpus, &rq_type, &rq_cpus, &rq_nodes, &rq_mem) == WL_PARSE_BAD)
    BAD (F_REQTRES, "a TRES list (cpu=4,mem=16G,node=1,gres/gpu=2)");
  if (get (s, F_ALLOCTRES, &v, &len)
      && wl_parse_tres (v, len, &al_gpus, &al_type, &al_cpus, &al_nodes, &al_mem) == WL_PARSE_BAD)
    BAD (F_ALLOCTRES, "a TRES list (cpu=4,mem=16G,node=1,gres/gpu=2)");

  /* CPUs: requested first */
  static const Field req_cpu_fields[] = { F_REQCPUS };
  static const Field alloc_cpu_fields[] = { F_NCPUS, F_ALLOCCPUS };
  static const Field req_node_fields[] = { F_REQNODES };
  static const Field alloc_node_fields[] = { F_NNODES, F_ALLOCNODES };
  gsize which;
  Field bad = F_N;
  guint64 cpus = 0, nodes = 0, x = 0;
  if (first_count (s, req_cpu_fields, 1, &cpus, &which, &bad) == WL_PARSE_BAD)
    goto bad_count;
  if (cpus == 0)
    cpus = rq_cpus;
  if (first_count (s, alloc_cpu_fields, 2, &x, &which, &bad) == WL_PARSE_BAD)
    goto bad_count;
  cur->alloc_cpus = x > 0 ? x : al_cpus;
  if (cpus == 0 && cur->alloc_cpus > 0)
    {
      cpus = cur->alloc_cpus;
      cur->row.adjust_mask |= 1u << WL_ADJ_SIZE_FROM_ALLOCATED;
    }
  if (first_count (s, req_node_fields, 1, &nodes, &which, &bad) == WL_PARSE_BAD)
    goto bad_count;
  if (nodes == 0)
    nodes = rq_nodes;
  if (nodes == 0)
    {
      if (first_count (s, alloc_node_fields, 2, &nodes, &which, &bad) == WL_PARSE_BAD)
        goto bad_count;
      if (nodes == 0)
        nodes = al_nodes;
    }
  guint64 gpus = rq_gpus > 0 ? rq_gpus : al_gpus;
  const char *type = rq_gpus > 0 ? rq_type : al_type;
  if (gpus == 0 && get (s, F_REQGRES, &v, &len) && parse_gres (v, len, &gpus) == WL_PARSE_BAD)
    BAD (F_REQGRES, "a GRES list (gpu:2, gpu:a100:2)");
  if (gpus == 0 && get (s, F_ALLOCGRES, &v, &len) && parse_gres (v, len, &gpus) == WL_PARSE_BAD)
    BAD (F_ALLOCGRES, "a GRES list (gpu:2, gpu:a100:2)");
  if (cpus > G_MAXUINT32 || nodes > G_MAXUINT32 || gpus > G_MAXUINT32)
    {
      v = "";
      len = 0;
      BAD (F_REQCPUS, "CPU, node and GPU counts below 2^32");
    }

  /* memory per node */
  guint64 mem = 0, per_node = nodes > 0 ? nodes : 1;
  WlMemPer per = WL_MEM_PER_NODE;
  WlParse pr = WL_PARSE_NONE;
  if (get (s, F_REQMEM, &v, &len)
      && (pr = wl_parse_slurm_mem (v, len, &mem, &per)) == WL_PARSE_BAD)
    BAD (F_REQMEM, "a memory size (4000M, 2G, 4000Mc, 2Gn)");
  if (pr == WL_PARSE_OK && per == WL_MEM_PER_CPU)
    mem *= MAX ((cpus + per_node - 1) / per_node, 1);
  else if (pr != WL_PARSE_OK)
    {
      guint64 total = rq_mem > 0 ? rq_mem : al_mem;
      mem = (total + per_node - 1) / per_node;
    }

  cur->row.cpus = cpus;
  cur->row.nodes = nodes;
  cur->row.gpus = gpus;
  cur->row.mem_per_node_mb = mem;
  if (type != NULL && gpus > 0)
    cur->row.gpu_type = (guint32) wl__resolve (&s->type_cache, &s->opts, WL_NAME_GPU_TYPE,
                                               type, strlen (type), 0);
  *ok = TRUE;
  return TRUE;

bad_count:
  if (!get (s, bad, &v, &len))
    v = "", len = 0;
  BAD (bad, "a whole number");
}

/* Parses a duration field: Slurm's form, or seconds / minutes for the raw ones. */
static WlParse
duration (Field f, const char *v, gsize len, SchedTime *out)
{
  guint64 x;
  WlParse pr;
  switch (f)
    {
    case F_ELAPSEDRAW:
    case F_CPUTIMERAW:
      pr = parse_uint (v, len, &x);
      if (pr == WL_PARSE_OK)
        *out = (SchedTime) MIN (x, G_GUINT64_CONSTANT (1) << 40);
      return pr;
    case F_TIMELIMITRAW:
      pr = wl_parse_slurm_duration (v, len, out);    /* minutes, or UNLIMITED... */
      return pr;
    default:
      return wl_parse_slurm_duration (v, len, out);
    }
}

/* Parses a job line into s->cur.  Returns FALSE only with `error` set. */
static gboolean
parse_job (SacctReader *s, GError **error)
{
  Pending *cur = &s->cur;
  WlRow *row = &cur->row;
  const char *v = "";
  gsize len = 0;
  WlParse pr;
  row->partition = -1;
  row->end_state = SCHED_JOB_COMPLETED;
  row->line = s->lines.lineno;

  /* id */
  s->n_jobs++;
  if (s->col[F_JOBID] < 0)
    row->id = (SchedJobId) MIN (s->n_jobs, G_MAXUINT32);
  else
    {
      guint64 x = 0;
      gboolean plain = get (s, F_JOBID, &v, &len) && parse_uint (cur->base->str, cur->base->len,
                                                                 &x) == WL_PARSE_OK;
      const char *raw;
      gsize rlen;
      guint64 rx;
      if (get (s, F_JOBIDRAW, &raw, &rlen))
        {
          const char *dot = memchr (raw, '.', rlen);
          if (dot != NULL)
            rlen = (gsize) (dot - raw);
          if (parse_uint (raw, rlen, &rx) != WL_PARSE_OK || rx == 0 || rx > G_MAXUINT32)
            {
              v = raw;
              len = rlen;
              BAD (F_JOBIDRAW, "a job id (a number)");
            }
          row->id = (SchedJobId) rx;
        }
      else if (plain && x > 0 && x <= G_MAXUINT32)
        row->id = (SchedJobId) x;
      else
        row->id = s->next_synthetic > 0 ? s->next_synthetic-- : 0;
    }

  /* times */
  if (!get (s, F_SUBMIT, &v, &len) || (pr = wl_parse_time (v, len, s->tz, &row->submit))
                                          != WL_PARSE_OK)
    BAD (F_SUBMIT, "a time (YYYY-MM-DDTHH:MM:SS)");
  if (get (s, F_START, &v, &len))
    {
      pr = wl_parse_time (v, len, s->tz, &cur->start);
      if (pr == WL_PARSE_BAD)
        BAD (F_START, "a time (YYYY-MM-DDTHH:MM:SS, Unknown or None)");
      cur->have_start = pr == WL_PARSE_OK;
      cur->start_none = pr == WL_PARSE_NONE;
    }
  if (get (s, F_END, &v, &len))
    {
      pr = wl_parse_time (v, len, s->tz, &cur->end);
      if (pr == WL_PARSE_BAD)
        BAD (F_END, "a time (YYYY-MM-DDTHH:MM:SS, Unknown or None)");
      cur->have_end = pr == WL_PARSE_OK;
      if (cur->have_end && cur->have_start && cur->end < cur->start)
        BAD (F_END, "an end time not before the start time");
    }
  static const Field elapsed_fields[] = { F_ELAPSEDRAW, F_ELAPSED };
  for (gsize i = 0; i < G_N_ELEMENTS (elapsed_fields) && !cur->have_elapsed; i++)
    if (get (s, elapsed_fields[i], &v, &len))
      {
        pr = duration (elapsed_fields[i], v, len, &cur->elapsed);
        if (pr == WL_PARSE_BAD)
          BAD (elapsed_fields[i], "a duration ([D-]HH:MM:SS, or seconds for ElapsedRaw)");
        cur->have_elapsed = pr == WL_PARSE_OK;
      }
  static const Field limit_fields[] = { F_TIMELIMITRAW, F_TIMELIMIT };
  for (gsize i = 0; i < G_N_ELEMENTS (limit_fields) && row->limit <= 0; i++)
    if (get (s, limit_fields[i], &v, &len))
      {
        SchedTime lim = 0;
        pr = duration (limit_fields[i], v, len, &lim);
        if (pr == WL_PARSE_BAD)
          BAD (limit_fields[i], "a time limit ([D-]HH:MM:SS, minutes, UNLIMITED or "
                                "Partition_Limit)");
        if (pr == WL_PARSE_OK)
          row->limit = lim;
      }
  if (get (s, F_CPUTIMERAW, &v, &len))
    {
      SchedTime ct = 0;
      pr = duration (F_CPUTIMERAW, v, len, &ct);
      if (pr == WL_PARSE_BAD)
        BAD (F_CPUTIMERAW, "a number of CPU-seconds");
      cur->have_cputime = pr == WL_PARSE_OK;
      cur->cputime = (guint64) ct;
    }

  /* state */
  if (get (s, F_STATE, &v, &len) && !wl__is_missing (v, len))
    {
      if (!wl__parse_state (v, len, &row->end_state, &cur->kind))
        BAD (F_STATE, "a job state (COMPLETED, FAILED, CANCELLED, TIMEOUT, NODE_FAIL, "
                      "OUT_OF_MEMORY, PENDING, RUNNING, ...)");
      cur->have_state = TRUE;
    }
  if (get (s, F_EXITCODE, &v, &len) && !wl__is_missing (v, len))
    {
      const char *colon = memchr (v, ':', len);
      guint64 a = 0, b = 0;
      if (colon == NULL || parse_uint (v, (gsize) (colon - v), &a) != WL_PARSE_OK
          || parse_uint (colon + 1, len - (gsize) (colon - v) - 1, &b) != WL_PARSE_OK)
        BAD (F_EXITCODE, "an exit code N:M");
      cur->exit_failed = a != 0 || b != 0;
    }

  /* sizes and names */
  gboolean ok;
  if (!parse_sizes (s, &ok, error))
    return FALSE;
  if (!ok)
    return TRUE;
  if (get (s, F_USER, &v, &len) && !wl__is_missing (v, len))
    row->user = wl__names_id (&s->users, v, len);
  else if (get (s, F_UID, &v, &len))
    row->user = wl__names_id (&s->users, v, len);
  if (get (s, F_GROUP, &v, &len) && !wl__is_missing (v, len))
    row->group = wl__names_id (&s->groups, v, len);
  else if (get (s, F_GID, &v, &len))
    row->group = wl__names_id (&s->groups, v, len);
  if (get (s, F_PARTITION, &v, &len))
    row->partition = (gint32) wl__resolve (&s->part_cache, &s->opts, WL_NAME_PARTITION, v,
                                           len, -1);
  cur->active = TRUE;
  return TRUE;
}

#undef BAD

/* A step line of the pending job: refines End and State. */
static void
fold_step (SacctReader *s, const char *step, gsize step_len)
{
  Pending *cur = &s->cur;
  const char *v;
  gsize len;
  SchedTime t;
  if (get (s, F_END, &v, &len) && wl_parse_time (v, len, s->tz, &t) == WL_PARSE_OK)
    {
      if (!cur->have_step_end || t > cur->step_end)
        cur->step_end = t;
      cur->have_step_end = TRUE;
    }
  SchedJobState st;
  WlStateKind kind;
  if (get (s, F_STATE, &v, &len) && wl__parse_state (v, len, &st, &kind)
      && kind == WL_STATE_ENDED && !cur->step_state_batch)
    {
      cur->step_state = st;
      cur->have_step_state = TRUE;
      cur->step_state_batch = step_len == 5 && memcmp (step, "batch", 5) == 0;
    }
}

/* Completes the pending job: counts it and hands it on when kept. */
static gboolean
flush (SacctReader *s, GError **error)
{
  Pending *cur = &s->cur;
  WlCounts *c = &s->parent.counts;
  if (!cur->active)
    return TRUE;
  cur->active = FALSE;
  if (cur->absorb)
    return TRUE;
  WlRow *row = &cur->row;
  if (cur->kind == WL_STATE_PENDING || cur->start_none)
    {
      c->skipped[WL_SKIP_NOT_STARTED]++;
      return TRUE;
    }
  if (cur->kind == WL_STATE_RUNNING)
    {
      c->skipped[WL_SKIP_UNFINISHED]++;
      return TRUE;
    }
  if (!cur->have_end && cur->have_step_end && (!cur->have_start || cur->step_end >= cur->start))
    {
      cur->end = cur->step_end;
      cur->have_end = TRUE;
    }
  if (!cur->have_state)
    row->end_state = cur->have_step_state ? cur->step_state
                     : cur->exit_failed   ? SCHED_JOB_FAILED
                                          : SCHED_JOB_COMPLETED;
  gboolean known = TRUE;
  if (cur->have_elapsed)
    row->runtime = cur->elapsed;
  else if (cur->have_start && cur->have_end)
    row->runtime = cur->end - cur->start;
  else if (cur->have_cputime)
    {
      guint64 cpus = cur->alloc_cpus > 0 ? cur->alloc_cpus : row->cpus;
      if (cpus == 0)
        cpus = 1;
      row->runtime = (SchedTime) ((cur->cputime + cpus - 1) / cpus);
      if (row->limit > 0 && row->runtime > row->limit)
        row->runtime = row->limit;          /* the CPUs were more than requested */
      if (row->runtime > 0)
        row->adjust_mask |= 1u << WL_ADJ_RUNTIME_FROM_CPUTIME;
    }
  else
    known = FALSE;
  if (!known)
    row->runtime = 0;
  gboolean runs = known && (row->runtime > 0 || s->opts.keep_zero_runtime);
  if (runs && row->cpus == 0 && row->nodes == 0 && row->gpus == 0)
    {
      c->skipped[WL_SKIP_NO_SIZE]++;
      return TRUE;
    }
  WlJob job;
  if (!wl__row_to_job (&s->parent, &s->opts, row, &job))
    return TRUE;
  return wl__sortbuf_add (&s->sort, &s->parent, &s->opts, &job, error);
}

/* Handles one data line.  Returns FALSE only with `error` set. */
static gboolean
handle_line (SacctReader *s, const char *line, gsize len, GError **error)
{
  guint n = split (s, line, len);
  gboolean fields_ok = n == s->n_cols
                       || (s->trailing && n == s->n_cols + 1 && s->fl[s->n_cols] == 0);
  const char *id = NULL, *dot = NULL;
  gsize id_len = 0;
  if (s->col[F_JOBID] >= 0 && (guint) s->col[F_JOBID] < MIN (n, s->n_cols + 2))
    {
      id = s->fv[s->col[F_JOBID]];
      id_len = s->fl[s->col[F_JOBID]];
      while (id_len > 0 && *id == ' ')
        id++, id_len--;
      while (id_len > 0 && id[id_len - 1] == ' ')
        id_len--;
      dot = memchr (id, '.', id_len);
    }
  if (dot != NULL)
    {
      /* a step */
      gsize blen = (gsize) (dot - id);
      if (s->cur.active && s->cur.base->len == blen && memcmp (s->cur.base->str, id, blen) == 0)
        {
          if (fields_ok && !s->cur.absorb)
            fold_step (s, dot + 1, id_len - blen - 1);
          return TRUE;
        }
      if (!flush (s, error))
        return FALSE;
      s->parent.counts.read++;
      s->parent.counts.skipped[WL_SKIP_ORPHAN_STEP]++;
      return TRUE;
    }
  if (!flush (s, error))
    return FALSE;
  GString *base = s->cur.base;
  memset (&s->cur, 0, sizeof s->cur);
  s->cur.base = base;
  g_string_truncate (base, 0);
  s->parent.counts.read++;
  if (!fields_ok)
    {
      s->cur.active = s->cur.absorb = id != NULL && id_len > 0;
      g_string_append_len (base, id, (gssize) id_len);
      return malformed (s, g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": expected %u fields as "
                                            "in the header, got %u", s->parent.name,
                                            s->lines.lineno, s->n_cols, n), error);
    }
  if (id != NULL)
    {
      if (id_len == 0 || id[0] < '0' || id[0] > '9')
        {
          s->cur.active = s->cur.absorb = FALSE;
          return malformed (s, field_message (s, F_JOBID, id, id_len,
                                              "a job id (123, 123_4, 123_[5-9], 123+0)"),
                            error);
        }
      g_string_append_len (base, id, (gssize) id_len);
    }
  if (!parse_job (s, error))
    return FALSE;
  if (s->cur.absorb)
    s->cur.active = id != NULL;
  return TRUE;
}

/* ---- header ----------------------------------------------------------------------------- */

static gint
field_by_name (const char *name, gsize len)
{
  while (len > 0 && *name == ' ')
    name++, len--;
  while (len > 0 && name[len - 1] == ' ')
    len--;
  for (guint f = 0; f < F_N; f++)
    if (strlen (field_names[f]) == len && g_ascii_strncasecmp (name, field_names[f], len) == 0)
      return (gint) f;
  return -1;
}

static char
guess_delimiter (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    {
      char ch = line[i];
      if (!g_ascii_isalnum (ch) && ch != '_' && ch != ' ')
        return ch;
    }
  return '|';
}

gboolean
wl_sacct_header_looks_like (const char *line, gsize len)
{
  g_return_val_if_fail (line != NULL || len == 0, FALSE);
  if (len >= 3 && memcmp (line, "\xef\xbb\xbf", 3) == 0)
    line += 3, len -= 3;
  char d = guess_delimiter (line, len);
  guint known = 0;
  gboolean key = FALSE;
  const char *p = line, *end = line + len;
  while (p <= end)
    {
      const char *sep = memchr (p, d, (gsize) (end - p));
      const char *fe = sep != NULL ? sep : end;
      gsize flen = (gsize) (fe - p);
      if (flen > 0 && p[flen - 1] == '\r')
        flen--;
      gint f = field_by_name (p, flen);
      if (f >= 0)
        {
          known++;
          key = key || f == F_JOBID || f == F_SUBMIT;
        }
      if (sep == NULL)
        break;
      p = sep + 1;
    }
  return key && known >= 2;
}

static gboolean
read_header (SacctReader *s, const char *line, gsize len, GError **error)
{
  if (len >= 3 && memcmp (line, "\xef\xbb\xbf", 3) == 0)
    line += 3, len -= 3;
  s->delim = s->opts.delimiter != 0 ? s->opts.delimiter : guess_delimiter (line, len);
  guint n = 1;
  for (gsize i = 0; i < len; i++)
    n += line[i] == s->delim;
  s->n_cols = n;
  s->fv = g_new0 (const char *, n + 2);
  s->fl = g_new0 (gsize, n + 2);
  n = split (s, line, len);
  if (n > 1 && s->fl[n - 1] == 0)
    {
      s->trailing = TRUE;
      s->n_cols = --n;
    }
  for (guint f = 0; f < F_N; f++)
    s->col[f] = -1;
  for (guint i = 0; i < n; i++)
    {
      gint f = field_by_name (s->fv[i], s->fl[i]);
      if (f >= 0 && s->col[f] < 0)
        s->col[f] = (gint) i;
    }
  const char *missing = NULL;
  if (s->col[F_SUBMIT] < 0)
    missing = "Submit";
  else if (s->col[F_REQCPUS] < 0 && s->col[F_NCPUS] < 0 && s->col[F_ALLOCCPUS] < 0
           && s->col[F_REQTRES] < 0 && s->col[F_ALLOCTRES] < 0 && s->col[F_NNODES] < 0
           && s->col[F_REQNODES] < 0 && s->col[F_ALLOCNODES] < 0)
    missing = "a size (ReqCPUS, NCPUS, AllocCPUS, ReqTRES, AllocTRES or NNodes)";
  else if (s->col[F_ELAPSED] < 0 && s->col[F_ELAPSEDRAW] < 0 && s->col[F_CPUTIMERAW] < 0
           && (s->col[F_START] < 0 || s->col[F_END] < 0))
    missing = "a run time (Elapsed, ElapsedRaw, Start and End, or CPUTimeRAW)";
  if (missing != NULL)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                   "%s:%" G_GUINT64_FORMAT ": the header has no field for %s", s->parent.name,
                   s->lines.lineno, missing);
      return FALSE;
    }
  return TRUE;
}

/* ---- the reader ------------------------------------------------------------------------- */

static gboolean
sacct_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  SacctReader *s = (SacctReader *) r;
  *eof = FALSE;
  for (;;)
    {
      if (wl__sortbuf_next (&s->sort, s->ended, out, eof))
        return TRUE;
      const char *line = NULL;
      gsize len = 0;
      switch (get_line (s, &line, &len, error))
        {
        case WL_LINE_OK:
          if (len == 0 || (len == 1 && line[0] == ' '))
            continue;
          if (!handle_line (s, line, len, error))
            return FALSE;
          break;
        case WL_LINE_TOO_LONG:
          if (!flush (s, error))
            return FALSE;
          s->cur.active = FALSE;
          s->parent.counts.read++;
          if (!malformed (s, g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": line longer than %d "
                                              "bytes", s->parent.name, s->lines.lineno,
                                              MAX_LINE),
                          error))
            return FALSE;
          break;
        case WL_LINE_EOF:
          if (!flush (s, error))
            return FALSE;
          s->ended = TRUE;
          break;
        case WL_LINE_ERROR:
        default:
          return FALSE;
        }
    }
}

static void
sacct_finalize (WlReader *r)
{
  SacctReader *s = (SacctReader *) r;
  wl__line_reader_clear (&s->lines);
  g_clear_pointer (&s->tz, g_time_zone_unref);
  g_clear_pointer (&s->fv, g_free);
  g_clear_pointer (&s->fl, g_free);
  if (s->cur.base != NULL)
    g_string_free (s->cur.base, TRUE);
  s->cur.base = NULL;
  wl__names_clear (&s->users);
  wl__names_clear (&s->groups);
  g_clear_pointer (&s->part_cache, g_hash_table_unref);
  g_clear_pointer (&s->type_cache, g_hash_table_unref);
  wl__sortbuf_clear (&s->sort);
}

static const WlReaderOps sacct_ops = {
  .next = sacct_next,
  .finalize = sacct_finalize,
};

WlReader *
wl_sacct_reader_new (GInputStream *in, const char *name, const WlReaderOptions *opts,
                     GError **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  SacctReader *s = g_new0 (SacctReader, 1);
  wl__reader_init (&s->parent, &sacct_ops, name);
  g_autoptr (WlReader) r = &s->parent;
  if (opts != NULL)
    s->opts = *opts;
  else
    wl_reader_options_init (&s->opts);
  s->opts.columns = NULL;
  wl__line_reader_init (&s->lines, in, s->parent.name, BUF_SIZE, MAX_LINE);
  s->cur.base = g_string_new (NULL);
  s->next_synthetic = G_MAXUINT32;
  wl__names_init (&s->users);
  wl__names_init (&s->groups);
  wl__sortbuf_init (&s->sort, s->opts.sort_window > 0 ? s->opts.sort_window : DEFAULT_WINDOW);
  if (!wl__time_zone_new (&s->opts, s->parent.name, &s->tz, error))
    return NULL;
  for (;;)
    {
      const char *line = NULL;
      gsize len = 0;
      WlLineStatus st = get_line (s, &line, &len, error);
      if (st == WL_LINE_ERROR)
        return NULL;
      if (st == WL_LINE_EOF)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: empty file: no header line",
                       s->parent.name);
          return NULL;
        }
      if (st == WL_LINE_TOO_LONG)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s:%" G_GUINT64_FORMAT ": header line longer than %d bytes",
                       s->parent.name, s->lines.lineno, MAX_LINE);
          return NULL;
        }
      if (len == 0)
        continue;
      if (!read_header (s, line, len, error))
        return NULL;
      break;
    }
  return g_steal_pointer (&r);
}

WlReader *
wl_sacct_reader_open (const char *path, const WlReaderOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  return wl_sacct_reader_new (in, path, opts, error);
}
