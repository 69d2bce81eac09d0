/* SPDX-License-Identifier: MIT */
/* analysis/report.c - run outputs: jobs.csv rows, summary.json and the text tables.
 *
 * jobs.csv is on the simulator's hot path (~1M rows/s), so a row is formatted by hand into a
 * stack buffer (integers through a two-digit table, no printf, no allocation) and written with
 * one fwrite.  A time column holding SCHED_TIME_NEVER is written empty: start, end and wait of
 * a job that never started, and end of a job that has not ended.  summary.json is built with
 * jansson in the key order of report.h (jansson >= 2.8 keeps insertion order; dump with
 * ANA_JSON_DUMP_FLAGS so that the rounded reals print short).  Reals are rounded (utilization
 * to 6 decimals, statistics and tau to 3) so the same run gives the same bytes; a non-finite
 * value becomes null, because json_real refuses NaN and infinities.  The text tables are for
 * people: cells are formatted first and each column is padded to its widest cell, so the
 * output is aligned for any magnitude and deterministic apart from the wall-clock figures. */
#include "analysis/report.h"

#include <math.h>
#include <string.h>

/* ---- jobs.csv ---------------------------------------------------------------------- */

static const char digit_pairs[201] = "00010203040506070809"
                                     "10111213141516171819"
                                     "20212223242526272829"
                                     "30313233343536373839"
                                     "40414243444546474849"
                                     "50515253545556575859"
                                     "60616263646566676869"
                                     "70717273747576777879"
                                     "80818283848586878889"
                                     "90919293949596979899";

/* Writes `v` in decimal at `p`; returns the end. */
static inline char *
put_u64 (char *p, guint64 v)
{
  char tmp[20];
  char *t = tmp + sizeof tmp;

  while (v >= 100)
    {
      guint i = (guint) (v % 100) * 2;
      v /= 100;
      *--t = digit_pairs[i + 1];
      *--t = digit_pairs[i];
    }
  if (v >= 10)
    {
      guint i = (guint) v * 2;
      *--t = digit_pairs[i + 1];
      *--t = digit_pairs[i];
    }
  else
    *--t = (char) ('0' + v);

  size_t n = (size_t) (tmp + sizeof tmp - t);
  memcpy (p, t, n);
  return p + n;
}

static inline char *
put_i64 (char *p, gint64 v)
{
  if (v < 0)
    {
      *p++ = '-';
      return put_u64 (p, -(guint64) v);
    }
  return put_u64 (p, (guint64) v);
}

/* A time column: empty for SCHED_TIME_NEVER.  Writes the separator after it. */
static inline char *
put_time (char *p, SchedTime t)
{
  if (t != SCHED_TIME_NEVER)
    p = put_i64 (p, t);
  *p++ = ',';
  return p;
}

static const char csv_header[]
    = "id,user,group,submit,start,end,wait,state,cpus,gpus,nodes,time_limit,runtime\n";

void
ana_jobs_csv_header (FILE *f)
{
  g_return_if_fail (f != NULL);
  fwrite (csv_header, 1, sizeof csv_header - 1, f);
}

void
ana_jobs_csv_header_preempt (FILE *f)
{
  static const char extra[] = ",preempted,requeues\n";
  g_return_if_fail (f != NULL);
  fwrite (csv_header, 1, sizeof csv_header - 2, f);
  fwrite (extra, 1, sizeof extra - 1, f);
}

/* Formats `rec` into `buf` (at least 384 bytes) without the line end; returns the end. */
static inline char *
format_row (char *buf, const SchedJobRecord *rec)
{
  /* 12 numbers of at most 20 characters (+ sign), 13 separators, a state name. */
  char *p = buf;
  gboolean started = rec->start != SCHED_TIME_NEVER;

  p = put_u64 (p, rec->id);
  *p++ = ',';
  p = put_u64 (p, rec->user);
  *p++ = ',';
  p = put_u64 (p, rec->group);
  *p++ = ',';
  p = put_time (p, rec->submit);
  p = put_time (p, rec->start);
  p = put_time (p, started ? rec->end : SCHED_TIME_NEVER);
  p = put_time (p, started ? rec->start - rec->submit : SCHED_TIME_NEVER);

  const char *state = sched_job_state_name (rec->state);
  size_t len = strlen (state);
  if (len > 32)
    len = 32;
  memcpy (p, state, len);
  p += len;
  *p++ = ',';

  p = put_u64 (p, rec->cpus);
  *p++ = ',';
  p = put_u64 (p, rec->gpus);
  *p++ = ',';
  p = put_u64 (p, rec->nodes);
  *p++ = ',';
  p = put_time (p, rec->time_limit);
  p = put_i64 (p, rec->runtime);
  return p;
}

void
ana_jobs_csv_row (FILE *f, const SchedJobRecord *rec)
{
  g_return_if_fail (f != NULL && rec != NULL);
  char buf[384];
  char *p = format_row (buf, rec);
  *p++ = '\n';
  g_assert ((size_t) (p - buf) <= sizeof buf);
  fwrite (buf, 1, (size_t) (p - buf), f);
}

void
ana_jobs_csv_row_preempt (FILE *f, const SchedJobRecord *rec)
{
  g_return_if_fail (f != NULL && rec != NULL);
  char buf[384 + 32];
  char *p = format_row (buf, rec);
  *p++ = ',';
  *p++ = rec->preempted ? '1' : '0';
  *p++ = ',';
  p = put_u64 (p, rec->requeues);
  *p++ = '\n';
  g_assert ((size_t) (p - buf) <= sizeof buf);
  fwrite (buf, 1, (size_t) (p - buf), f);
}

/* ---- summary.json ------------------------------------------------------------------ */

/* `v` rounded to `decimals` decimals (at most 6), or null when not finite. */
static json_t *
real_rounded (double v, int decimals)
{
  static const double scale[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6 };

  if (!isfinite (v))
    return json_null ();
  double r = round (v * scale[decimals]) / scale[decimals];
  if (!isfinite (r))
    r = v;                /* too large to scale: already integral for our purposes */
  if (r == 0)
    r = 0;                /* no "-0.0" */
  return json_real (r);
}

static json_t *
string_or_null (const char *s)
{
  if (s == NULL)
    return json_null ();
  if (g_utf8_validate (s, -1, NULL))
    return json_string (s);

  g_autofree char *valid = g_utf8_make_valid (s, -1);
  return json_string (valid);
}

static json_t *
stat_json (const AnaStat *st)
{
  json_t *o = json_object ();
  json_object_set_new (o, "mean", real_rounded (st->mean, 3));
  json_object_set_new (o, "p50", real_rounded (st->p50, 3));
  json_object_set_new (o, "p95", real_rounded (st->p95, 3));
  json_object_set_new (o, "max", real_rounded (st->max, 3));
  return o;
}

static json_t *
counts_json (const char *const *names, const guint64 *counts, guint n)
{
  json_t *o = json_object ();
  for (guint i = 0; i < n; i++)
    if (names != NULL && names[i] != NULL)
      json_object_set_new (o, names[i], json_integer ((json_int_t) (counts ? counts[i] : 0)));
  return o;
}

static const AnaRunInfo no_run_info = { 0 };

json_t *
ana_summary_to_json (const AnaSummary *s, const AnaRunInfo *run)
{
  g_return_val_if_fail (s != NULL, NULL);
  if (run == NULL)
    run = &no_run_info;

  json_t *o = json_object ();
  json_object_set_new (o, "policy", string_or_null (run->policy));
  json_object_set_new (o, "trace", string_or_null (run->trace));
  json_object_set_new (o, "jobs", json_integer ((json_int_t) s->jobs));
  json_object_set_new (o, "skipped", counts_json (run->skip_names, run->skip_counts, run->n_skip));
  json_object_set_new (o, "adjusted",
                       counts_json (run->adjust_names, run->adjust_counts, run->n_adjust));
  json_object_set_new (o, "makespan_s", json_integer ((json_int_t) s->makespan_s));
  json_object_set_new (o, "utilization", real_rounded (s->utilization, 6));
  json_object_set_new (o, "wait_s", stat_json (&s->wait_s));
  json_object_set_new (o, "response_s", stat_json (&s->response_s));
  json_object_set_new (o, "slowdown", stat_json (&s->slowdown));
  json_object_set_new (o, "bounded_slowdown", stat_json (&s->bounded_slowdown));
  json_object_set_new (o, "tau_s", real_rounded (s->tau_s, 3));

  json_t *states = json_object ();
  for (guint i = 0; i < SCHED_JOB_N_STATES; i++)
    json_object_set_new (states, sched_job_state_name ((SchedJobState) i),
                         json_integer ((json_int_t) s->by_state[i]));
  json_object_set_new (o, "states", states);

  json_t *sim = json_object ();
  json_object_set_new (sim, "wall_s", real_rounded (run->wall_s, 3));
  json_object_set_new (sim, "jobs_per_s",
                       run->wall_s > 0 ? real_rounded ((double) s->jobs / run->wall_s, 1)
                                       : json_null ());
  json_object_set_new (sim, "speedup", real_rounded (run->speedup, 1));
  json_object_set_new (sim, "peak_rss_kb", json_integer ((json_int_t) run->peak_rss_kb));
  json_object_set_new (sim, "events", json_integer ((json_int_t) run->events));
  json_object_set_new (sim, "passes", json_integer ((json_int_t) run->passes));
  json_object_set_new (o, "sim", sim);
  return o;
}

/* ---- text tables ------------------------------------------------------------------- */

/* Cells formatted first, printed with each column padded to its widest cell.  `align` has
 * one character per column: 'l' or 'r'.  The last column is never padded on the right. */
typedef struct {
  guint       n_cols;
  const char *align;
  GPtrArray  *cells;      /* (element-type utf8) row-major, owned */
} Table;

static void
table_init (Table *t, const char *align)
{
  t->n_cols = (guint) strlen (align);
  t->align = align;
  t->cells = g_ptr_array_new_with_free_func (g_free);
}

static void
table_clear (Table *t)
{
  g_clear_pointer (&t->cells, g_ptr_array_unref);
}

/* Appends one cell; (transfer full) `cell`. */
static void
table_take (Table *t, char *cell)
{
  g_ptr_array_add (t->cells, cell);
}

static void
table_add (Table *t, const char *cell)
{
  g_ptr_array_add (t->cells, g_strdup (cell));
}

static void
table_print (FILE *f, const Table *t, const char *indent)
{
  g_assert (t->cells->len % t->n_cols == 0);
  guint n_rows = t->cells->len / t->n_cols;
  g_autofree int *width = g_new0 (int, t->n_cols);

  for (guint i = 0; i < t->cells->len; i++)
    {
      int w = (int) g_utf8_strlen (g_ptr_array_index (t->cells, i), -1);
      width[i % t->n_cols] = MAX (width[i % t->n_cols], w);
    }

  for (guint r = 0; r < n_rows; r++)
    {
      fputs (indent, f);
      for (guint c = 0; c < t->n_cols; c++)
        {
          const char *cell = g_ptr_array_index (t->cells, r * t->n_cols + c);
          int pad = width[c] - (int) g_utf8_strlen (cell, -1);
          gboolean last = c + 1 == t->n_cols;

          if (c > 0)
            fputs ("  ", f);
          if (t->align[c] == 'r')
            fprintf (f, "%*s%s", pad, "", cell);
          else
            fprintf (f, "%s%*s", cell, last ? 0 : pad, "");
        }
      fputc ('\n', f);
    }
}

/* Slurm-style d-hh:mm:ss, days always present. */
static char *
duration_string (SchedTime s)
{
  const char *sign = s < 0 ? "-" : "";
  guint64 a = s < 0 ? -(guint64) s : (guint64) s;
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT "-%02u:%02u:%02u", sign, a / 86400,
                          (guint) (a / 3600 % 24), (guint) (a / 60 % 60), (guint) (a % 60));
}

/* "total (name n, name n)" over the non-zero counts, or "0". */
static char *
counts_string (const char *const *names, const guint64 *counts, guint n)
{
  guint64 total = 0;
  GString *detail = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      guint64 c = counts ? counts[i] : 0;
      if (c == 0)
        continue;
      total += c;
      g_string_append_printf (detail, "%s%s %" G_GUINT64_FORMAT, detail->len ? ", " : "",
                              names && names[i] ? names[i] : "?", c);
    }
  char *out = detail->len
                  ? g_strdup_printf ("%" G_GUINT64_FORMAT " (%s)", total, detail->str)
                  : g_strdup_printf ("%" G_GUINT64_FORMAT, total);
  g_string_free (detail, TRUE);
  return out;
}

static void
stat_row (Table *t, const char *name, const AnaStat *st)
{
  table_add (t, name);
  table_take (t, g_strdup_printf ("%.3f", st->mean));
  table_take (t, g_strdup_printf ("%.3f", st->p50));
  table_take (t, g_strdup_printf ("%.3f", st->p95));
  table_take (t, g_strdup_printf ("%.3f", st->max));
}

void
ana_summary_print (FILE *f, const AnaSummary *s, const AnaRunInfo *run)
{
  g_return_if_fail (f != NULL && s != NULL);
  if (run == NULL)
    run = &no_run_info;

  Table kv;
  table_init (&kv, "ll");

  table_add (&kv, "policy");
  table_add (&kv, run->policy ? run->policy : "-");
  table_add (&kv, "trace");
  table_add (&kv, run->trace ? run->trace : "-");
  table_add (&kv, "jobs");
  table_take (&kv, g_strdup_printf ("%" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " started)",
                                    s->jobs, s->jobs_started));
  table_add (&kv, "skipped");
  table_take (&kv, counts_string (run->skip_names, run->skip_counts, run->n_skip));
  table_add (&kv, "adjusted");
  table_take (&kv, counts_string (run->adjust_names, run->adjust_counts, run->n_adjust));

  g_autofree char *span = duration_string (s->makespan_s);
  table_add (&kv, "makespan");
  table_take (&kv, g_strdup_printf ("%" G_GINT64_FORMAT " s (%s)", (gint64) s->makespan_s, span));
  table_add (&kv, "utilization");
  table_take (&kv, g_strdup_printf ("%.2f %%", s->utilization * 100.0));
  table_add (&kv, "cpu time");
  table_take (&kv, g_strdup_printf ("%.0f cpu-s", s->cpu_seconds));

  const char *state_names[SCHED_JOB_N_STATES];
  for (guint i = 0; i < SCHED_JOB_N_STATES; i++)
    state_names[i] = sched_job_state_name ((SchedJobState) i);
  table_add (&kv, "states");
  table_take (&kv, counts_string (state_names, s->by_state, SCHED_JOB_N_STATES));

  table_add (&kv, "tau");
  table_take (&kv, g_strdup_printf ("%g s (bounded slowdown)", s->tau_s));

  table_add (&kv, "sim speed");
  if (run->wall_s > 0)
    table_take (&kv, g_strdup_printf ("%.3f s wall, %.0f jobs/s, speedup %.1fx", run->wall_s,
                                      (double) s->jobs / run->wall_s, run->speedup));
  else
    table_add (&kv, "-");
  table_add (&kv, "sim work");
  table_take (&kv, g_strdup_printf ("%" G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT
                                    " passes, peak RSS %" G_GUINT64_FORMAT " kB",
                                    run->events, run->passes, run->peak_rss_kb));
  table_print (f, &kv, "");
  table_clear (&kv);

  Table st;
  table_init (&st, "lrrrr");
  table_add (&st, "metric");
  table_add (&st, "mean");
  table_add (&st, "p50");
  table_add (&st, "p95");
  table_add (&st, "max");
  stat_row (&st, "wait (s)", &s->wait_s);
  stat_row (&st, "response (s)", &s->response_s);
  stat_row (&st, "slowdown", &s->slowdown);
  stat_row (&st, "bounded slowdown", &s->bounded_slowdown);
  fputc ('\n', f);
  table_print (f, &st, "");
  table_clear (&st);
}

void
ana_compare_print (FILE *f, const AnaSummary *const *s, const AnaRunInfo *const *runs, guint n)
{
  g_return_if_fail (f != NULL);
  g_return_if_fail (n == 0 || s != NULL);
  for (guint i = 0; i < n; i++)
    g_return_if_fail (s[i] != NULL);

  Table t;
  table_init (&t, "lrrrrrrrr");
  static const char *const head[]
      = { "policy", "jobs", "util%", "wait mean", "wait p95", "bsld mean", "bsld p95",
          "makespan", "jobs/s" };
  for (guint c = 0; c < G_N_ELEMENTS (head); c++)
    table_add (&t, head[c]);

  for (guint i = 0; i < n; i++)
    {
      const AnaSummary *si = s[i];
      const AnaRunInfo *ri = runs && runs[i] ? runs[i] : &no_run_info;

      table_add (&t, ri->policy ? ri->policy : "-");
      table_take (&t, g_strdup_printf ("%" G_GUINT64_FORMAT, si->jobs));
      table_take (&t, g_strdup_printf ("%.2f", si->utilization * 100.0));
      table_take (&t, g_strdup_printf ("%.1f", si->wait_s.mean));
      table_take (&t, g_strdup_printf ("%.1f", si->wait_s.p95));
      table_take (&t, g_strdup_printf ("%.2f", si->bounded_slowdown.mean));
      table_take (&t, g_strdup_printf ("%.2f", si->bounded_slowdown.p95));
      table_take (&t, g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) si->makespan_s));
      if (ri->wall_s > 0)
        table_take (&t, g_strdup_printf ("%.0f", (double) si->jobs / ri->wall_s));
      else
        table_add (&t, "-");
    }
  table_print (f, &t, "");
  table_clear (&t);
}
