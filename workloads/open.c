/* SPDX-License-Identifier: MIT */
/* workloads/open.c - the format switch, the scan that sizes a machine, and node lists.
 *
 * wl_reader_open guesses a format from the name and the first line (one extra open of
 * the file, reading at most 64 KiB), then opens the right reader.  The scan is a full read
 * of the trace through the same reader before the real one is opened: it costs one more
 * pass (a few hundred milliseconds for the GPU traces in use) and O(1) memory beyond the
 * reader's own.  Node lists are small CSV files parsed with libcsv into a SchedCluster. */
#include "workloads/open.h"
#include "workloads/batsim.h"

#include <csv.h>
#include <math.h>
#include <string.h>

#define PEEK_SIZE (64 * 1024)

static const char *const format_names[] = {
  "auto", "swf", "csv", "itp", "philly", "alibaba", "helios", "sacct", "json", "batsim", NULL,
};

const char *const *
wl_reader_format_names (void)
{
  return format_names;
}

/* ---- guessing --------------------------------------------------------------------------- */

static gboolean
has_suffix_nocase (const char *s, const char *suffix)
{
  gsize n = strlen (s), k = strlen (suffix);
  return n >= k && g_ascii_strcasecmp (s + n - k, suffix) == 0;
}

/* TRUE when the first PEEK_SIZE bytes of `path` look like a Batsim workload (batsim.h). */
static gboolean
head_is_batsim (const char *path, GError **error)
{
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return FALSE;
  g_autofree char *buf = g_malloc (PEEK_SIZE);
  gsize len = 0;
  while (len < PEEK_SIZE)
    {
      gssize n = wl__read_input (in, path, buf + len, PEEK_SIZE - len, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      len += (gsize) n;
    }
  return wl_batsim_looks_like (buf, len);
}

/* Reads the first line of `path` (at most PEEK_SIZE bytes). */
static char *
first_line (const char *path, GError **error)
{
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  g_autofree char *buf = g_malloc (PEEK_SIZE + 1);
  gsize len = 0;
  while (len < PEEK_SIZE)
    {
      gssize n = wl__read_input (in, path, buf + len, PEEK_SIZE - len, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      len += (gsize) n;
      if (memchr (buf, '\n', len) != NULL)
        break;
    }
  /* skip blank lines */
  char *p = buf, *end = buf + len;
  while (p < end && (*p == '\n' || *p == '\r' || *p == ' ' || *p == '\t'))
    p++;
  char *nl = memchr (p, '\n', (gsize) (end - p));
  return g_strndup (p, (gsize) ((nl != NULL ? nl : end) - p));
}

static const char *
guess_format (const char *path, GError **error)
{
  if (has_suffix_nocase (path, ".swf") || has_suffix_nocase (path, ".swf.gz"))
    return "swf";
  g_autofree char *line = first_line (path, error);
  if (line == NULL)
    return NULL;
  const char *l = line;
  if (g_str_has_prefix (l, "\xef\xbb\xbf"))
    l += 3;
  if (wl_json_name_looks_like (path) || *l == '{' || *l == '[')
    {
      if (*l == '{' && head_is_batsim (path, error))
        return "batsim";
      if (error != NULL && *error != NULL)
        return NULL;
      return "json";
    }
  if (wl_sacct_header_looks_like (l, strlen (l)))
    return "sacct";
  if (strchr (l, ',') != NULL || has_suffix_nocase (path, ".csv")
      || has_suffix_nocase (path, ".csv.gz"))
    return "csv";
  if (*l == ';' || g_ascii_isdigit (*l))
    return "swf";
  g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
               "%s: cannot tell the trace format from its name or first line; give the "
               "format (swf, csv, itp, philly, alibaba, helios, sacct, json, batsim)", path);
  return NULL;
}

/* ---- opening ---------------------------------------------------------------------------- */

static WlReader *
open_format (const char *path, const char *format, const WlReaderOptions *opts,
             GError **error)
{
  WlCsvPreset preset;
  if (g_ascii_strcasecmp (format, "swf") == 0)
    {
      WlSwfOptions so;
      wl_swf_options_init (&so);
      so.strict = opts->strict;
      so.prefer_requested = opts->prefer_requested;
      so.keep_zero_runtime = opts->keep_zero_runtime;
      so.max_warnings = opts->max_warnings;
      so.warn_func = opts->warn_func;
      so.warn_data = opts->warn_data;
      return wl_swf_reader_open (path, &so, error);
    }
  if (g_ascii_strcasecmp (format, "sacct") == 0)
    return wl_sacct_reader_open (path, opts, error);
  if (g_ascii_strcasecmp (format, "json") == 0)
    return wl_json_reader_open (path, opts, error);
  if (g_ascii_strcasecmp (format, "batsim") == 0)
    return wl_batsim_reader_open (path, opts, error);
  if (g_ascii_strcasecmp (format, "csv") == 0)
    return wl_csv_reader_open (path, opts->columns != NULL ? WL_CSV_GENERIC : WL_CSV_AUTO,
                               opts, error);
  if (wl_csv_preset_from_name (format, &preset) && preset != WL_CSV_AUTO)
    return wl_csv_reader_open (path, preset, opts, error);
  g_autofree char *names = g_strjoinv (", ", (char **) format_names);
  g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
               "unknown trace format \"%s\" (expected one of: %s)", format, names);
  return NULL;
}

static void
silent (const char *message, gpointer data)
{
  (void) message;
  (void) data;
}

typedef struct {
  guint64 max_job_nodes;
  guint64 cpus_per_node;
  guint64 gpus_per_node;
  guint64 mem_per_node;
  guint64 max_free_cpus;     /* largest job without a node count */
  double  cpu_seconds;
  double  gpu_seconds;
  SchedTime first, last;
  gboolean any;
} Scan;

static void
scan_add (Scan *sc, const WlJob *w)
{
  const SchedJobSpec *j = &w->spec;
  guint64 cpus = sched_job_spec_cpus (j);
  if (j->min_nodes > 0)
    {
      sc->max_job_nodes = MAX (sc->max_job_nodes, j->min_nodes);
      sc->cpus_per_node = MAX (sc->cpus_per_node, (cpus + j->min_nodes - 1) / j->min_nodes);
    }
  else
    sc->max_free_cpus = MAX (sc->max_free_cpus, cpus);
  sc->gpus_per_node = MAX (sc->gpus_per_node, j->gpus_per_node);
  sc->mem_per_node = MAX (sc->mem_per_node, j->mem_per_node_mb);
  double run = (double) MIN (w->runtime, j->time_limit);
  sc->cpu_seconds += (double) cpus * run;
  sc->gpu_seconds += (double) j->gpus_per_node * MAX (j->min_nodes, 1) * run;
  if (!sc->any || j->submit < sc->first)
    sc->first = j->submit;
  if (!sc->any || j->submit > sc->last)
    sc->last = j->submit;
  sc->any = TRUE;
}

/* Reads the whole trace once and describes the machine in `info`. */
static gboolean
scan_machine (const char *path, const char *format, const WlReaderOptions *opts,
              WlTraceInfo *info, GError **error)
{
  WlReaderOptions quiet = *opts;
  quiet.warn_func = silent;
  quiet.max_warnings = 0;
  quiet.scan = FALSE;
  g_autoptr (WlReader) r = open_format (path, format, &quiet, error);
  if (r == NULL)
    return FALSE;
  Scan sc = { 0 };
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      if (!wl_reader_next (r, &w, &eof, error))
        return FALSE;
      if (eof)
        break;
      scan_add (&sc, &w);
    }
  if (!sc.any)
    return TRUE;
  guint64 g = sc.gpus_per_node > 0 ? MAX (sc.gpus_per_node, opts->gpus_per_node) : 0;
  guint64 cpn = MAX (MAX (sc.cpus_per_node, g), 1);
  double span = (double) MAX (sc.last - sc.first, 1);
  double need = (double) MAX (sc.max_job_nodes, 1);
  need = MAX (need, ceil ((double) sc.max_free_cpus / (double) cpn));
  need = MAX (need, ceil (sc.cpu_seconds / span / (WL_DERIVED_LOAD * (double) cpn)));
  if (g > 0)
    need = MAX (need, ceil (sc.gpu_seconds / span / (WL_DERIVED_LOAD * (double) g)));
  need = MIN (need, (double) G_MAXUINT32 / (double) cpn);
  info->max_nodes = (gint64) need;
  info->max_procs = (gint64) need * (gint64) cpn;
  info->cpus_per_node = (gint64) cpn;
  info->gpus_per_node = (gint64) g;
  info->mem_per_node_mb = (gint64) sc.mem_per_node;
  return TRUE;
}

WlReader *
wl_reader_open (const char *path, const char *format, const WlReaderOptions *opts,
                GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  WlReaderOptions defaults;
  if (opts == NULL)
    {
      wl_reader_options_init (&defaults);
      opts = &defaults;
    }
  if (format == NULL || g_ascii_strcasecmp (format, "auto") == 0)
    {
      format = guess_format (path, error);
      if (format == NULL)
        return NULL;
    }
  g_autoptr (WlReader) r = open_format (path, format, opts, error);
  if (r == NULL)
    return NULL;
  gboolean tabular = g_ascii_strcasecmp (format, "swf") != 0;
  gboolean described = r->info.machine_list != NULL || r->info.cpus_per_node > 0
                       || r->info.max_procs > 0;   /* a JSON trace's "cluster" */
  if (opts->scan && tabular && !described)
    {
      WlTraceInfo found = r->info;
      if (!scan_machine (path, format, opts, &found, error))
        return NULL;
      r->info.max_nodes = found.max_nodes;
      r->info.max_procs = found.max_procs;
      r->info.cpus_per_node = found.cpus_per_node;
      r->info.gpus_per_node = found.gpus_per_node;
      r->info.mem_per_node_mb = found.mem_per_node_mb;
    }
  return g_steal_pointer (&r);
}

/* ---- clusters --------------------------------------------------------------------------- */

SchedCluster *
wl_trace_cluster_new (const WlTraceInfo *info, GError **error)
{
  g_return_val_if_fail (info != NULL, NULL);
  if (info->machine_list != NULL)
    return wl_machine_list_load (info->machine_list, error);
  if (info->cpus_per_node > 0 && info->max_nodes > 0 && info->max_nodes <= G_MAXUINT32
      && info->cpus_per_node <= G_MAXUINT32)
    return sched_cluster_new_uniform ((guint32) info->max_nodes, (guint32) info->cpus_per_node,
                                      info->mem_per_node_mb > 0 ? (guint64) info->mem_per_node_mb
                                                                : 0,
                                      info->gpus_per_node > 0 ? (guint32) info->gpus_per_node
                                                              : 0);
  g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
               "the trace describes no machine (no machine list, no scan)");
  return NULL;
}

typedef struct {
  GPtrArray *row;        /* char * of the current row */
  GPtrArray *rows;       /* GPtrArray * of rows */
} ListParse;

static void
list_field (void *data, size_t len, void *user)
{
  ListParse *lp = user;
  g_ptr_array_add (lp->row, g_strstrip (g_strndup (data, len)));
}

static void
list_row (int c, void *user)
{
  (void) c;
  ListParse *lp = user;
  if (lp->row->len > 1 || (lp->row->len == 1 && *(char *) lp->row->pdata[0] != '\0'))
    g_ptr_array_add (lp->rows, g_steal_pointer (&lp->row));
  else
    g_ptr_array_unref (g_steal_pointer (&lp->row));
  lp->row = g_ptr_array_new_with_free_func (g_free);
}

static gint
list_column (GPtrArray *header, const char *const *names)
{
  for (guint k = 0; names[k] != NULL; k++)
    for (guint i = 0; i < header->len; i++)
      if (g_ascii_strcasecmp (g_ptr_array_index (header, i), names[k]) == 0)
        return (gint) i;
  return -1;
}

static gboolean
list_number (const char *v, double *out)
{
  char *end = NULL;
  if (*v == '\0')
    return FALSE;
  double x = g_ascii_strtod (v, &end);
  if (*end != '\0' || !isfinite (x) || x < 0 || x > 4e9)
    return FALSE;
  *out = x;
  return TRUE;
}

SchedCluster *
wl_machine_list_load (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint8 chunk[65536];
  for (;;)
    {
      gssize n = wl__read_input (in, path, chunk, sizeof chunk, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      g_byte_array_append (bytes, chunk, (guint) n);
    }
  ListParse lp = { g_ptr_array_new_with_free_func (g_free),
                   g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref) };
  g_autoptr (GPtrArray) rows = lp.rows;
  struct csv_parser csv;
  csv_init (&csv, 0);
  csv_parse (&csv, bytes->data, bytes->len, list_field, list_row, &lp);
  csv_fini (&csv, list_field, list_row, &lp);
  csv_free (&csv);
  g_ptr_array_unref (lp.row);
  if (rows->len == 0)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: empty node list", path);
      return NULL;
    }
  GPtrArray *header = g_ptr_array_index (rows, 0);
  static const char *const name_cols[] = { "sn", "machineId", "name", "node", "hostname", NULL };
  static const char *const cpu_cols[] = { "cpu_milli", "cpus", "cpu", "cpu_num", NULL };
  static const char *const mem_cols[] = { "memory_mib", "mem_mb", "memory_mb", "memory", NULL };
  static const char *const gpu_cols[] = { "gpu", "gpus", "number of GPUs", "num_gpu", "gpu_num",
                                          NULL };
  static const char *const type_cols[] = { "model", "gpu_type", "gpu_model", NULL };
  gint c_name = list_column (header, name_cols), c_cpu = list_column (header, cpu_cols),
       c_mem = list_column (header, mem_cols), c_gpu = list_column (header, gpu_cols),
       c_type = list_column (header, type_cols);
  gboolean milli = c_cpu >= 0 && g_ascii_strcasecmp (header->pdata[c_cpu], "cpu_milli") == 0;
  if (c_cpu < 0 && c_gpu < 0)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "%s:1: a node list needs a CPU or a GPU column", path);
      return NULL;
    }
  g_autoptr (SchedCluster) cluster = sched_cluster_new ();
  g_autoptr (GArray) all = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 1; i < rows->len; i++)
    {
      GPtrArray *row = g_ptr_array_index (rows, i);
      double cpus = 0, mem = 0, gpus = 0;
      const char *bad = NULL;
      if (c_cpu >= 0 && ((guint) c_cpu >= row->len || !list_number (row->pdata[c_cpu], &cpus)))
        bad = "CPUs";
      else if (c_gpu >= 0 && (guint) c_gpu < row->len && *(char *) row->pdata[c_gpu] != '\0'
               && !list_number (row->pdata[c_gpu], &gpus))
        bad = "GPUs";
      else if (c_mem >= 0 && (guint) c_mem < row->len && *(char *) row->pdata[c_mem] != '\0'
               && !list_number (row->pdata[c_mem], &mem))
        bad = "memory";
      if (bad != NULL)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s: node %u: expected a number of %s", path, i, bad);
          return NULL;
        }
      guint32 ncpu = milli ? (guint32) ceil (cpus / 1000 - 1e-9) : (guint32) ceil (cpus);
      if (c_cpu < 0)
        ncpu = MAX ((guint32) gpus, 1);
      if (ncpu == 0)
        ncpu = 1;
      g_autofree char *fallback = g_strdup_printf ("node%u", i);
      const char *name = c_name >= 0 && (guint) c_name < row->len
                             && *(char *) row->pdata[c_name] != '\0'
                         ? row->pdata[c_name] : fallback;
      if (sched_cluster_find_node (cluster, name) >= 0)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: node \"%s\" listed twice",
                       path, name);
          return NULL;
        }
      const char *type = c_type >= 0 && (guint) c_type < row->len ? row->pdata[c_type] : "";
      guint32 tid = gpus > 0 && *type != '\0' ? sched_cluster_intern_gpu_type (cluster, type) : 0;
      guint32 idx = sched_cluster_add_node (cluster, name, ncpu, (guint64) ceil (mem),
                                            (guint32) gpus, tid);
      g_array_append_val (all, idx);
    }
  if (all->len == 0)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: the node list has no nodes", path);
      return NULL;
    }
  sched_cluster_add_partition (cluster, "all", (const guint32 *) (void *) all->data, all->len,
                               0, SCHED_TIME_NEVER, 0, TRUE);
  return g_steal_pointer (&cluster);
}
