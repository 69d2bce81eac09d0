/* SPDX-License-Identifier: MIT */
/* workloads/writer.c - SWF (with a PWA header), CSV and JSON Lines writers behind one type.
 *
 * The SWF and JSON records come from swf.c and jsonwrite.c; this file adds the SWF header
 * built from whole-trace statistics (writer.h says what each key holds), the CSV row
 * format and the switch between the three.  A writer keeps the format, the submit-time
 * offset of SWF and a count; every job is one buffered write. */
#include "workloads/writer.h"
#include "workloads/jsontrace.h"
#include "workloads/swf.h"
#include "workloads/jobextra.h"

#include <string.h>

/* A submit time at or above this is a Unix date (1973-03-03), not seconds from a start. */
#define UNIX_DATE_FLOOR G_GINT64_CONSTANT (100000000)

static const char *const format_names[] = { "swf", "csv", "json" };

const char *
wl_write_format_name (WlWriteFormat f)
{
  g_return_val_if_fail ((guint) f < G_N_ELEMENTS (format_names), NULL);
  return format_names[f];
}

gboolean
wl_write_format_from_name (const char *name, WlWriteFormat *out)
{
  g_return_val_if_fail (name != NULL && out != NULL, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (name, format_names[i]) == 0)
      {
        *out = (WlWriteFormat) i;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "jsonl") == 0)
    {
      *out = WL_WRITE_JSON;
      return TRUE;
    }
  return FALSE;
}

/* ---- statistics ------------------------------------------------------------------------- */

void
wl_trace_stats_init (WlTraceStats *st)
{
  g_return_if_fail (st != NULL);
  memset (st, 0, sizeof *st);
  st->first_submit = SCHED_TIME_NEVER;
  st->last_submit = SCHED_TIME_NEVER;
  st->last_end = SCHED_TIME_NEVER;
}

void
wl_trace_stats_add (WlTraceStats *st, const WlJob *job)
{
  g_return_if_fail (st != NULL && job != NULL);
  const SchedJobSpec *s = &job->spec;
  SchedTime end = s->submit + job->runtime;
  if (st->jobs == 0)
    {
      st->first_submit = st->last_submit = s->submit;
      st->last_end = end;
    }
  st->first_submit = MIN (st->first_submit, s->submit);
  st->last_submit = MAX (st->last_submit, s->submit);
  st->last_end = MAX (st->last_end, end);
  st->max_runtime = MAX (st->max_runtime, job->runtime);
  st->max_cpus = MAX (st->max_cpus, sched_job_spec_cpus (s));
  if (s->min_nodes > 0 && s->min_nodes == s->max_nodes)
    st->max_nodes = MAX (st->max_nodes, s->min_nodes);
  st->jobs++;
  if (s->gpus_per_node > 0)
    st->gpu_jobs++;
  if (s->mem_per_node_mb > 0)
    st->mem_jobs++;
  if (s->partition >= 0)
    st->partition_jobs++;
  if (s->exclusive)
    st->exclusive_jobs++;
}

/* ---- SWF header ------------------------------------------------------------------------- */

/* The keys wl_swf_header_build writes itself (a source line with one is dropped). */
static const char *const regenerated[] = {
  "Version", "MaxJobs", "MaxRecords", "UnixStartTime", "TimeZone", "TimeZoneString",
  "StartTime", "EndTime", "MaxNodes", "MaxProcs", "MaxRuntime", NULL,
};

/* The key of an SWF header line ("; MaxJobs: 5" -> "MaxJobs"), or NULL for a line without
 * one (a continuation, a comment).  (transfer full) */
static char *
line_key (const char *line)
{
  const char *p = line;
  while (*p == ';' || *p == ' ' || *p == '\t')
    p++;
  const char *k = p;
  while (g_ascii_isalnum (*p) || *p == '_')
    p++;
  if (p == k || *p != ':')
    return NULL;
  return g_strndup (k, (gsize) (p - k));
}

static gboolean
is_regenerated (const char *key)
{
  for (guint i = 0; regenerated[i] != NULL; i++)
    if (g_ascii_strcasecmp (key, regenerated[i]) == 0)
      return TRUE;
  return FALSE;
}

/* TRUE for the notes this writer adds itself (a converted file converted again gets them
 * afresh, not twice). */
static gboolean
is_own_note (const char *body)
{
  static const char *const own[] = {
    "Note: converted by sluice", "Note: fields 5 and 8 are", "Note: the source gives no",
    "Note: the source's submit times", "Note: transform:", "Note: jobs without a requested",
  };
  for (guint i = 0; i < G_N_ELEMENTS (own); i++)
    if (g_str_has_prefix (body, own[i]))
      return TRUE;
  if (!g_str_has_prefix (body, "Note: "))
    return FALSE;
  const char *p = body + 6;
  while (g_ascii_isdigit (*p))
    p++;
  return p > body + 6 && g_str_has_prefix (p, " jobs ");
}

static char *
format_date (gint64 unix_time, GTimeZone *tz)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (unix_time);
  if (utc == NULL)
    return NULL;
  g_autoptr (GDateTime) local = g_date_time_to_timezone (utc, tz);
  return local != NULL ? g_date_time_format (local, "%a %b %d %H:%M:%S %Z %Y") : NULL;
}

static void
add (GPtrArray *lines, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
add (GPtrArray *lines, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *body = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (lines, g_strconcat ("; ", body, NULL));
}

GPtrArray *
wl_swf_header_build (const WlTraceInfo *info, const WlTraceStats *stats,
                     const WlWriteMeta *meta, SchedTime *offset)
{
  g_return_val_if_fail (stats != NULL && offset != NULL, NULL);
  static const WlWriteMeta no_meta = { 0 };
  if (meta == NULL)
    meta = &no_meta;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  *offset = 0;

  /* the source's own lines, without the regenerated keys */
  gboolean have_computer = FALSE, have_installation = FALSE;
  g_autoptr (GPtrArray) kept = g_ptr_array_new_with_free_func (g_free);
  gboolean dropping = FALSE;
  for (guint i = 0; info != NULL && info->header_lines != NULL && i < info->header_lines->len;
       i++)
    {
      const char *l = info->header_lines->pdata[i];
      g_autofree char *key = line_key (l);
      if (key != NULL)
        dropping = is_regenerated (key);
      if (dropping)
        continue;
      const char *body = l;
      while (*body == ';' || *body == ' ' || *body == '\t')
        body++;
      if (is_own_note (body))
        continue;
      if (*body == '\0' && (kept->len == 0))
        continue;
      if (key != NULL && g_ascii_strcasecmp (key, "Computer") == 0)
        have_computer = TRUE;
      if (key != NULL && g_ascii_strcasecmp (key, "Installation") == 0)
        have_installation = TRUE;
      g_ptr_array_add (kept, g_strdup (l));
    }
  /* a trailing lone ";" of the source would end up in the middle */
  while (kept->len > 0)
    {
      const char *b = kept->pdata[kept->len - 1];
      while (*b == ';' || *b == ' ' || *b == '\t')
        b++;
      if (*b != '\0')
        break;
      g_ptr_array_remove_index (kept, kept->len - 1);
    }

  add (lines, "Version: 2.2");
  if (!have_computer)
    add (lines, "Computer: %s", meta->computer != NULL ? meta->computer : "unknown");
  /* the source's Computer lines first, as the archive orders them */
  for (guint i = 0; i < kept->len; i++)
    {
      g_autofree char *key = line_key (kept->pdata[i]);
      if (key != NULL && g_ascii_strcasecmp (key, "Computer") == 0)
        g_ptr_array_add (lines, g_strdup (kept->pdata[i]));
    }
  if (!have_installation)
    add (lines, "Installation: %s",
         meta->installation != NULL ? meta->installation : "unknown");
  for (guint i = 0; i < kept->len; i++)
    {
      g_autofree char *key = line_key (kept->pdata[i]);
      if (key == NULL || g_ascii_strcasecmp (key, "Computer") != 0)
        g_ptr_array_add (lines, g_strdup (kept->pdata[i]));
    }
  add (lines, "MaxJobs: %" G_GUINT64_FORMAT, stats->jobs);
  add (lines, "MaxRecords: %" G_GUINT64_FORMAT, stats->jobs);

  gint64 start = info != NULL ? info->unix_start_time : -1;
  gboolean rebased = FALSE;
  if (start < 0 && stats->jobs > 0 && stats->first_submit >= UNIX_DATE_FLOOR)
    {
      start = stats->first_submit;
      *offset = start;
      rebased = TRUE;
    }
  const char *zone = info != NULL ? info->time_zone_string : NULL;
  g_autoptr (GTimeZone) tz = zone != NULL ? g_time_zone_new_identifier (zone) : NULL;
  if (tz == NULL)
    tz = g_time_zone_new_utc ();
  if (start >= 0)
    {
      add (lines, "UnixStartTime: %" G_GINT64_FORMAT, start);
      add (lines, "TimeZoneString: %s", zone != NULL ? zone : "UTC");
      g_autofree char *s = format_date (start, tz);
      if (s != NULL)
        add (lines, "StartTime: %s", s);
      if (stats->jobs > 0)
        {
          g_autofree char *e = format_date (start + stats->last_end - *offset, tz);
          if (e != NULL)
            add (lines, "EndTime:   %s", e);
        }
    }
  else if (zone != NULL)
    add (lines, "TimeZoneString: %s", zone);
  gint64 max_nodes = info != NULL && info->max_nodes > 0 ? info->max_nodes
                                                         : (gint64) stats->max_nodes;
  gint64 max_procs = info != NULL && info->max_procs > 0 ? info->max_procs
                                                         : (gint64) stats->max_cpus;
  if (max_nodes > 0)
    add (lines, "MaxNodes: %" G_GINT64_FORMAT, max_nodes);
  if (max_procs > 0)
    add (lines, "MaxProcs: %" G_GINT64_FORMAT, max_procs);
  if (stats->jobs > 0)
    add (lines, "MaxRuntime: %" G_GINT64_FORMAT, stats->max_runtime);

  add (lines, "Note: converted by sluice from %s%s%s%s",
       meta->source != NULL ? meta->source : "a workload",
       meta->source_format != NULL ? " (" : "",
       meta->source_format != NULL ? meta->source_format : "",
       meta->source_format != NULL ? ")" : "");
  if (rebased)
    add (lines, "Note: the source's submit times were Unix times; they are written as "
         "seconds from UnixStartTime, its first submit");
  else if (start < 0)
    add (lines, "Note: the source gives no start date; submit times are seconds on its "
         "own clock");
  add (lines, "Note: fields 5 and 8 are the CPUs asked for (tasks x CPUs per task); "
       "fields 3, 6, 7, 10 and 14-18 are unknown (-1)");
  if (stats->gpu_jobs > 0)
    add (lines, "Note: %" G_GUINT64_FORMAT " jobs asked for GPUs, which SWF cannot express: "
         "written with their CPUs only (convert to JSON to keep them)", stats->gpu_jobs);
  if (stats->mem_jobs > 0)
    add (lines, "Note: %" G_GUINT64_FORMAT " jobs asked for memory per node, not written",
         stats->mem_jobs);
  if (stats->partition_jobs > 0)
    add (lines, "Note: %" G_GUINT64_FORMAT " jobs named a partition, not written",
         stats->partition_jobs);
  if (stats->exclusive_jobs > 0)
    add (lines, "Note: %" G_GUINT64_FORMAT " jobs asked for exclusive nodes, not written",
         stats->exclusive_jobs);
  for (guint i = 0; meta->notes != NULL && meta->notes[i] != NULL; i++)
    add (lines, "Note: %s", meta->notes[i]);
  g_ptr_array_add (lines, g_strdup (";"));
  return lines;
}

/* ---- CSV -------------------------------------------------------------------------------- */

const char *
wl_csv_header_row (void)
{
  return "id,user,group,partition,submit,runtime,time_limit,nodes,cpus,gpus,gpu_type,mem_mb,"
         "state";
}

/* Appends `s` as one CSV field, quoted when it holds a separator, a quote or a line end. */
static void
csv_field (GString *row, const char *s)
{
  if (strpbrk (s, ",\"\r\n") == NULL && s[0] != ' ' && s[0] != '\0'
      && s[strlen (s) - 1] != ' ')
    {
      g_string_append (row, s);
      return;
    }
  if (*s == '\0')
    return;
  g_string_append_c (row, '"');
  for (; *s != '\0'; s++)
    {
      if (*s == '"')
        g_string_append_c (row, '"');
      g_string_append_c (row, *s);
    }
  g_string_append_c (row, '"');
}

/* A name, else a number (when `num` is set), else nothing. */
static void
csv_name (GString *row, const char *name, gboolean has_num, gint64 num)
{
  if (name != NULL)
    csv_field (row, name);
  else if (has_num)
    g_string_append_printf (row, "%" G_GINT64_FORMAT, num);
  g_string_append_c (row, ',');
}

char *
wl_csv_job_to_row (const WlJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  const SchedJobSpec *s = &job->spec;
  const WlJobExtra *e = job->extra;
  GString *row = g_string_sized_new (96);
  g_string_append_printf (row, "%u,", s->id);
  csv_name (row, e != NULL ? e->user_name : NULL, TRUE, s->user);
  csv_name (row, e != NULL ? e->group_name : NULL, TRUE, s->group);
  csv_name (row, e != NULL ? e->partition : NULL, s->partition >= 0, s->partition);
  gboolean fixed = s->min_nodes > 0 && s->min_nodes == s->max_nodes;
  g_string_append_printf (row, "%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                          ",", s->submit, job->runtime, s->time_limit);
  if (fixed)
    g_string_append_printf (row, "%u", s->min_nodes);
  g_string_append_printf (row, ",%" G_GUINT64_FORMAT ",", sched_job_spec_cpus (s));
  if (s->gpus_per_node > 0)
    g_string_append_printf (row, "%" G_GUINT64_FORMAT,
                            (guint64) s->gpus_per_node * MAX (s->min_nodes, 1));
  g_string_append_c (row, ',');
  csv_name (row, e != NULL ? e->gpu_type : NULL, s->gpu_type != 0, s->gpu_type);
  if (s->mem_per_node_mb > 0)
    g_string_append_printf (row, "%" G_GUINT64_FORMAT, s->mem_per_node_mb);
  g_string_append_c (row, ',');
  g_string_append (row, sched_job_state_name (job->end_state));
  return g_string_free (row, FALSE);
}

/* ---- the writer ------------------------------------------------------------------------- */

struct _WlWriter {
  GOutputStream *out;
  WlWriteFormat  format;
  SchedTime      offset;     /* SWF: subtracted from submit times */
  guint64        count;
};

static gboolean
write_str (GOutputStream *out, const char *s, gsize len, GError **error)
{
  return g_output_stream_write_all (out, s, len, NULL, NULL, error);
}

WlWriter *
wl_writer_new (GOutputStream *out, WlWriteFormat format, const WlTraceInfo *info,
               const WlTraceStats *stats, const WlWriteMeta *meta, GError **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), NULL);
  g_return_val_if_fail (format != WL_WRITE_SWF || stats != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  WlWriter *w = g_new0 (WlWriter, 1);
  w->out = g_object_ref (out);
  w->format = format;
  gboolean ok = TRUE;
  switch (format)
    {
    case WL_WRITE_SWF:
      {
        g_autoptr (GPtrArray) lines = wl_swf_header_build (info, stats, meta, &w->offset);
        g_ptr_array_add (lines, NULL);
        ok = wl_swf_write_header (out, (const char *const *) lines->pdata, error);
        break;
      }
    case WL_WRITE_CSV:
      ok = write_str (out, wl_csv_header_row (), strlen (wl_csv_header_row ()), error)
           && write_str (out, "\n", 1, error);
      break;
    case WL_WRITE_JSON:
    default:
      ok = wl_json_write_header (out, info, error);
      break;
    }
  if (!ok)
    {
      wl_writer_free (w);
      return NULL;
    }
  return w;
}

gboolean
wl_writer_write (WlWriter *w, const WlJob *job, GError **error)
{
  g_return_val_if_fail (w != NULL && job != NULL, FALSE);
  gboolean ok;
  switch (w->format)
    {
    case WL_WRITE_SWF:
      {
        WlJob j = *job;
        j.spec.submit -= w->offset;
        ok = wl_swf_write_job (w->out, &j, error);
        break;
      }
    case WL_WRITE_CSV:
      {
        g_autofree char *row = wl_csv_job_to_row (job);
        gsize n = strlen (row);
        row[n] = '\n';        /* the NUL becomes the line end: one write */
        ok = write_str (w->out, row, n + 1, error);
        break;
      }
    case WL_WRITE_JSON:
    default:
      ok = wl_json_write_job (w->out, job, error);
      break;
    }
  if (ok)
    w->count++;
  return ok;
}

gboolean
wl_writer_close (WlWriter *w, GError **error)
{
  g_return_val_if_fail (w != NULL, FALSE);
  return g_output_stream_close (w->out, NULL, error);
}

guint64
wl_writer_get_count (const WlWriter *w)
{
  g_return_val_if_fail (w != NULL, 0);
  return w->count;
}

void
wl_writer_free (WlWriter *w)
{
  if (w == NULL)
    return;
  g_object_unref (w->out);
  g_free (w);
}
