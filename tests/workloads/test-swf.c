/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-swf.c - the SWF reader's rules, messages, robustness and writer.
 *
 * Small in-memory traces check each rule of workloads/swf.h and its counter, the text of
 * the errors (file:line: field N (name): ...), the non-strict skipping and warnings, line
 * endings, gzip input and the writer round trip.  Robustness tests feed random bytes,
 * mutated records, NUL bytes, overlong lines and huge numbers, also through a stream that
 * returns a few bytes per read so that every buffer boundary is crossed.  When the shared
 * traces are present (SLUICE_SHARED, or G_TEST_SRCDIR/../../shared) every *.swf.gz there
 * is read and checked against the record counts in their README. */
#include "workloads/swf.h"
#include "wl-test-helpers.h"

#include <glib/gstdio.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------------------- */

/* Collected warnings. */
typedef struct {
  GPtrArray *messages;
} WarnLog;

static void
warn_collect (const char *message, gpointer user_data)
{
  WarnLog *log = user_data;
  g_ptr_array_add (log->messages, g_strdup (message));
}

static void
opts_quiet (WlSwfOptions *opts, WarnLog *log)
{
  wl_swf_options_init (opts);
  log->messages = g_ptr_array_new_with_free_func (g_free);
  opts->warn_func = warn_collect;
  opts->warn_data = log;
}

static WlReader *
reader_from_data (const void *data, gsize len, gsize chunk, const WlSwfOptions *opts,
                  GError **error)
{
  g_autoptr (GInputStream) in = NULL;
  if (chunk == 0)
    {
      g_autoptr (GBytes) bytes = g_bytes_new_static (data, len);
      in = g_memory_input_stream_new_from_bytes (bytes);
    }
  else
    in = wl_test_trickle_new (data, len, chunk);
  return wl_swf_reader_new (in, "trace.swf", opts, error);
}

static WlReader *
reader_from_text (const char *text, const WlSwfOptions *opts, GError **error)
{
  return reader_from_data (text, strlen (text), 0, opts, error);
}

/* Reads every job into `jobs` (may be NULL).  Returns FALSE with `error` set on error. */
static gboolean
read_all (WlReader *r, GArray *jobs, GError **error)
{
  for (;;)
    {
      WlJob job;
      gboolean eof = TRUE;
      if (!wl_reader_next (r, &job, &eof, error))
        return FALSE;
      if (eof)
        return TRUE;
      if (jobs != NULL)
        g_array_append_val (jobs, job);
    }
}

static char *
rec (gint64 id, const char *submit, const char *runtime, const char *alloc, const char *req,
     const char *reqtime, const char *status, const char *user, const char *group)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT " %s -1 %s %s -1 -1 %s %s -1 %s %s %s"
                          " -1 -1 -1 -1 -1\n",
                          id, submit, runtime, alloc, req, reqtime, status, user, group);
}

/* Reads `text` with `opts` (NULL: defaults, warnings collected) and returns the jobs. */
static GArray *
read_text (const char *text, WlSwfOptions *opts, WlCounts *counts_out)
{
  WlSwfOptions local;
  WarnLog log;
  opts_quiet (&local, &log);
  if (opts == NULL)
    opts = &local;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text (text, opts, &error);
  g_assert_no_error (error);
  GArray *jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
  g_assert_true (read_all (r, jobs, &error));
  g_assert_no_error (error);
  wl_test_assert_counts_balance (wl_reader_get_counts (r));
  if (counts_out != NULL)
    *counts_out = *wl_reader_get_counts (r);
  g_ptr_array_unref (log.messages);
  return jobs;
}

#define JOB(a, i) (&g_array_index ((a), WlJob, (i)))

/* ---- names ----------------------------------------------------------------------------- */

static void
test_reason_names (void)
{
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_MALFORMED), ==, "malformed");
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_NO_RUNTIME), ==, "no_runtime");
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_NO_SIZE), ==, "no_size");
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_TOO_LARGE), ==, "too_large");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_REQTIME_FROM_RUNTIME), ==,
                   "reqtime_from_runtime");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_SIZE_FROM_REQUESTED), ==,
                   "size_from_requested");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_SIZE_FROM_ALLOCATED), ==,
                   "size_from_allocated");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_RUNTIME_ZERO_KEPT), ==, "runtime_zero_kept");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_CLIPPED), ==, "clipped");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_SUBMIT_REORDERED), ==, "submit_reordered");
  g_assert_cmpuint (WL_ERROR, !=, 0);
}

/* ---- header and mapping ---------------------------------------------------------------- */

static void
test_header (void)
{
  const char *text = "; Version: 2.2\n"
                     ";   MaxProcs:   128  \r\n"
                     "; maxnodes: 64\n"
                     "; UnixStartTime: 893466664\n"
                     "; TimeZoneString: US/Pacific \n"
                     ";\n"
                     "\n"
                     "   \t\n"
                     "  ; Note: indented\n"
                     "1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
                     "; MaxProcs: 4\n"
                     "2 5 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text (text, NULL, &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_assert_cmpint (info->max_procs, ==, 128);
  g_assert_cmpint (info->max_nodes, ==, 64);
  g_assert_cmpint (info->unix_start_time, ==, 893466664);
  g_assert_cmpstr (info->time_zone_string, ==, "US/Pacific");
  g_assert_cmpuint (info->header_lines->len, ==, 7);
  g_assert_cmpstr (g_ptr_array_index (info->header_lines, 0), ==, "; Version: 2.2");
  g_assert_cmpstr (g_ptr_array_index (info->header_lines, 1), ==, ";   MaxProcs:   128  ");
  g_assert_cmpstr (g_ptr_array_index (info->header_lines, 5), ==, ";");
  g_assert_cmpstr (g_ptr_array_index (info->header_lines, 6), ==, "  ; Note: indented");
  g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
  g_assert_true (read_all (r, jobs, &error));
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 0)->line, ==, 10);
  g_assert_cmpuint (JOB (jobs, 1)->line, ==, 12);
  /* ';' lines after the first record are comments, not header. */
  g_assert_cmpint (info->max_procs, ==, 128);
  g_assert_cmpuint (info->header_lines->len, ==, 7);
}

static void
test_header_absent (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text ("", NULL, &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_assert_cmpint (info->max_procs, ==, -1);
  g_assert_cmpint (info->max_nodes, ==, -1);
  g_assert_cmpint (info->unix_start_time, ==, -1);
  g_assert_null (info->time_zone_string);
  g_assert_cmpuint (info->header_lines->len, ==, 0);
  WlJob job;
  gboolean eof = FALSE;
  g_assert_true (wl_reader_next (r, &job, &eof, &error));
  g_assert_true (eof);
  /* Still at the end when asked again. */
  g_assert_true (wl_reader_next (r, &job, &eof, &error));
  g_assert_true (eof);
  g_assert_cmpuint (wl_reader_get_counts (r)->read, ==, 0);
}

static void
test_header_bad_value (void)
{
  const char *text = "; MaxProcs: lots\n; MaxNodes: 16\n";
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text (text, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, -1);
  g_assert_cmpint (wl_reader_get_info (r)->max_nodes, ==, 16);
  g_assert_cmpuint (log.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (log.messages, 0), ==,
                   "trace.swf:1: header MaxProcs: expected an integer, got \"lots\"");

  opts.strict = TRUE;
  g_autoptr (WlReader) r2 = reader_from_text (text, &opts, &error);
  g_assert_null (r2);
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==,
                   "trace.swf:1: header MaxProcs: expected an integer, got \"lots\"");
  g_ptr_array_unref (log.messages);
}

static void
test_mapping (void)
{
  const char *text = "  17  3600.4 12 4000 32 3999 -1 64 7200 -1 1 42 7 3 1 2 -1 -1  \n";
  WlCounts c;
  g_autoptr (GArray) jobs = read_text (text, NULL, &c);
  g_assert_cmpuint (jobs->len, ==, 1);
  const WlJob *j = JOB (jobs, 0);
  g_assert_cmpuint (j->spec.id, ==, 17);
  g_assert_cmpint (j->spec.submit, ==, 3600);
  g_assert_cmpuint (j->spec.tasks, ==, 32);
  g_assert_cmpuint (j->spec.cpus_per_task, ==, 1);
  g_assert_cmpint (j->spec.time_limit, ==, 7200);
  g_assert_cmpuint (j->spec.user, ==, 42);
  g_assert_cmpuint (j->spec.group, ==, 7);
  g_assert_cmpint (j->spec.partition, ==, -1);
  g_assert_cmpuint (j->spec.min_nodes, ==, 0);
  g_assert_cmpuint (j->spec.mem_per_node_mb, ==, 0);
  g_assert_false (j->spec.exclusive);
  g_assert_cmpint (j->runtime, ==, 4000);
  g_assert_cmpint (j->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (j->line, ==, 1);
  g_assert_cmpuint (c.read, ==, 1);
  g_assert_cmpuint (c.kept, ==, 1);
  for (int i = 0; i < WL_ADJ_N; i++)
    g_assert_cmpuint (c.adjusted[i], ==, 0);
}

static void
test_status (void)
{
  static const struct {
    const char   *status;
    SchedJobState state;
  } cases[] = {
    { "0", SCHED_JOB_FAILED },    { "1", SCHED_JOB_COMPLETED }, { "2", SCHED_JOB_COMPLETED },
    { "3", SCHED_JOB_COMPLETED }, { "4", SCHED_JOB_COMPLETED }, { "5", SCHED_JOB_CANCELLED },
    { "-1", SCHED_JOB_COMPLETED },
  };
  g_autoptr (GString) text = g_string_new (NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *l = rec ((gint64) i + 1, "0", "10", "1", "1", "20", cases[i].status,
                                "1", "1");
      g_string_append (text, l);
    }
  g_autoptr (GArray) jobs = read_text (text->str, NULL, NULL);
  g_assert_cmpuint (jobs->len, ==, G_N_ELEMENTS (cases));
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (JOB (jobs, i)->end_state, ==, cases[i].state);
}

static void
test_user_group_unknown (void)
{
  g_autofree char *text = rec (1, "0", "10", "1", "1", "20", "1", "-1", "-1");
  g_autoptr (GArray) jobs = read_text (text, NULL, NULL);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (JOB (jobs, 0)->spec.user, ==, 0);
  g_assert_cmpuint (JOB (jobs, 0)->spec.group, ==, 0);
}

/* ---- the -1 rules ---------------------------------------------------------------------- */

static void
test_reqtime_fallback (void)
{
  g_autofree char *a = rec (1, "0", "300", "4", "4", "-1", "1", "1", "1");
  g_autofree char *b = rec (2, "1", "400", "4", "4", "0", "1", "1", "1");
  g_autofree char *c = rec (3, "2", "500", "4", "4", "600", "1", "1", "1");
  g_autofree char *text = g_strconcat (a, b, c, NULL);
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, NULL, &n);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 300);
  g_assert_cmpint (JOB (jobs, 1)->spec.time_limit, ==, 400);
  g_assert_cmpint (JOB (jobs, 2)->spec.time_limit, ==, 600);
  g_assert_cmpuint (n.adjusted[WL_ADJ_REQTIME_FROM_RUNTIME], ==, 2);
  g_assert_cmpuint (n.kept, ==, 3);
}

static void
test_size_fallback (void)
{
  g_autofree char *a = rec (1, "0", "10", "-1", "8", "20", "1", "1", "1");
  g_autofree char *b = rec (2, "0", "10", "0", "16", "20", "1", "1", "1");
  g_autofree char *c = rec (3, "0", "10", "4", "-1", "20", "1", "1", "1");
  g_autofree char *d = rec (4, "0", "10", "4", "2", "20", "1", "1", "1");
  g_autofree char *text = g_strconcat (a, b, c, d, NULL);
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, NULL, &n);
  g_assert_cmpuint (jobs->len, ==, 4);
  g_assert_cmpuint (JOB (jobs, 0)->spec.tasks, ==, 8);
  g_assert_cmpuint (JOB (jobs, 1)->spec.tasks, ==, 16);
  g_assert_cmpuint (JOB (jobs, 2)->spec.tasks, ==, 4);
  g_assert_cmpuint (JOB (jobs, 3)->spec.tasks, ==, 4);   /* allocated wins */
  g_assert_cmpuint (n.adjusted[WL_ADJ_SIZE_FROM_REQUESTED], ==, 2);
  g_assert_cmpuint (n.adjusted[WL_ADJ_SIZE_FROM_ALLOCATED], ==, 0);
}

static void
test_prefer_requested (void)
{
  g_autofree char *a = rec (1, "0", "10", "4", "2", "20", "1", "1", "1");
  g_autofree char *b = rec (2, "0", "10", "4", "-1", "20", "1", "1", "1");
  g_autofree char *c = rec (3, "0", "10", "-1", "8", "20", "1", "1", "1");
  g_autofree char *text = g_strconcat (a, b, c, NULL);
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  opts.prefer_requested = TRUE;
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, &opts, &n);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpuint (JOB (jobs, 0)->spec.tasks, ==, 2);
  g_assert_cmpuint (JOB (jobs, 1)->spec.tasks, ==, 4);
  g_assert_cmpuint (JOB (jobs, 2)->spec.tasks, ==, 8);
  g_assert_cmpuint (n.adjusted[WL_ADJ_SIZE_FROM_ALLOCATED], ==, 1);
  g_assert_cmpuint (n.adjusted[WL_ADJ_SIZE_FROM_REQUESTED], ==, 0);
  g_ptr_array_unref (log.messages);
}

static void
test_no_size (void)
{
  g_autofree char *a = rec (1, "0", "10", "-1", "-1", "20", "1", "1", "1");
  g_autofree char *b = rec (2, "0", "10", "0", "0", "20", "1", "1", "1");
  g_autofree char *c = rec (3, "0", "10", "1", "1", "20", "1", "1", "1");
  g_autofree char *text = g_strconcat (a, b, c, NULL);
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, NULL, &n);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 3);
  g_assert_cmpuint (n.skipped[WL_SKIP_NO_SIZE], ==, 2);
  g_assert_cmpuint (n.read, ==, 3);
  g_assert_cmpuint (n.kept, ==, 1);
}

static void
test_no_runtime (void)
{
  g_autofree char *a = rec (1, "0", "-1", "4", "4", "20", "5", "1", "1");
  g_autofree char *b = rec (2, "0", "0", "4", "4", "20", "1", "1", "1");
  g_autofree char *c = rec (3, "0", "-1", "-1", "-1", "20", "5", "1", "1");  /* both */
  g_autofree char *d = rec (4, "0", "0.4", "4", "4", "20", "1", "1", "1");  /* rounds to 0 */
  g_autofree char *e = rec (5, "0", "1", "4", "4", "20", "1", "1", "1");
  g_autofree char *text = g_strconcat (a, b, c, d, e, NULL);
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, NULL, &n);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 5);
  /* no_runtime is checked before no_size. */
  g_assert_cmpuint (n.skipped[WL_SKIP_NO_RUNTIME], ==, 4);
  g_assert_cmpuint (n.skipped[WL_SKIP_NO_SIZE], ==, 0);
  g_assert_cmpuint (n.adjusted[WL_ADJ_RUNTIME_ZERO_KEPT], ==, 0);
}

static void
test_keep_zero_runtime (void)
{
  g_autofree char *a = rec (1, "0", "-1", "4", "4", "20", "5", "1", "1");
  g_autofree char *b = rec (2, "0", "0", "4", "4", "-1", "1", "1", "1");
  g_autofree char *c = rec (3, "0", "-1", "-1", "-1", "20", "5", "1", "1");
  g_autofree char *text = g_strconcat (a, b, c, NULL);
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  opts.keep_zero_runtime = TRUE;
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, &opts, &n);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 0);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 20);
  g_assert_cmpint (JOB (jobs, 0)->end_state, ==, SCHED_JOB_CANCELLED);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 0);
  g_assert_cmpint (JOB (jobs, 1)->spec.time_limit, ==, 1);  /* limits are > 0 */
  g_assert_cmpuint (n.adjusted[WL_ADJ_RUNTIME_ZERO_KEPT], ==, 2);
  g_assert_cmpuint (n.adjusted[WL_ADJ_REQTIME_FROM_RUNTIME], ==, 1);
  g_assert_cmpuint (n.skipped[WL_SKIP_NO_SIZE], ==, 1);
  g_assert_cmpuint (n.skipped[WL_SKIP_NO_RUNTIME], ==, 0);
  g_ptr_array_unref (log.messages);
}

static void
test_decimal (void)
{
  const char *text =
      "1 10.5 -1.5 123.45 2 17.25 1024.5 2 3599.5 -1 1 1 1 -1 -1 -1 -1 0.75\n"
      "2 11.49 -1 0.5 2 -1 -1 2 +60 -1 1 1 1 -1 -1 -1 -1 -1\n"
      "3 12. 0 7.0 2 -1 -1 2 .5 -1 1 1 1 -1 -1 -1 -1 -1\n";
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text, NULL, &n);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpint (JOB (jobs, 0)->spec.submit, ==, 11);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 123);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 3600);
  g_assert_cmpint (JOB (jobs, 1)->spec.submit, ==, 11);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 1);
  g_assert_cmpint (JOB (jobs, 1)->spec.time_limit, ==, 60);
  g_assert_cmpint (JOB (jobs, 2)->spec.submit, ==, 12);
  g_assert_cmpint (JOB (jobs, 2)->runtime, ==, 7);
  g_assert_cmpint (JOB (jobs, 2)->spec.time_limit, ==, 1);
  g_assert_cmpuint (n.skipped[WL_SKIP_MALFORMED], ==, 0);
}

/* ---- malformed lines ------------------------------------------------------------------- */

/* Reads a one-record trace (after a good record on line 1) in strict mode and returns the
 * error message. */
static char *
strict_message (const char *bad_line)
{
  g_autofree char *text = g_strconcat ("1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                                       bad_line, NULL);
  WlSwfOptions opts;
  wl_swf_options_init (&opts);
  opts.strict = TRUE;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text (text, &opts, &error);
  g_assert_no_error (error);
  WlJob job;
  gboolean eof = TRUE;
  g_assert_true (wl_reader_next (r, &job, &eof, &error));
  g_assert_false (eof);
  g_assert_false (wl_reader_next (r, &job, &eof, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 1);
  return g_strdup (error->message);
}

static void
check_strict (const char *bad_line, const char *expected)
{
  g_autofree char *msg = strict_message (bad_line);
  g_assert_cmpstr (msg, ==, expected);
}

static void
test_strict_messages (void)
{
  check_strict ("2 5 -1 abc 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 4 (run time): expected a number, got \"abc\"");
  check_strict ("2 5 -1 10 1 -1 -1 1 20 -1 1\n",
                "trace.swf:2: field 12 (user): missing (the line has 11 fields, SWF has 18)");
  check_strict ("2 5 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1 99\n",
                "trace.swf:2: field 19: unexpected, SWF has 18 fields, got \"99\"");
  check_strict ("2 5 -1 10 -2 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 5 (allocated processors): expected -1 or a number from 0 "
                "to 4294967295, got \"-2\"");
  check_strict ("2 -1 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 2 (submit time): expected a number from 0 to "
                "1099511627776, got \"-1\"");
  check_strict ("-1 5 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 1 (job number): expected a number from 0 to 4294967295, "
                "got \"-1\"");
  check_strict ("4294967296 5 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 1 (job number): expected a number from 0 to 4294967295, "
                "got \"4294967296\"");
  check_strict ("2 5 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 99999999999999999999\n",
                "trace.swf:2: field 18 (think time): number out of range, got "
                "\"99999999999999999999\"");
  check_strict ("2 5 -1 10 1 -1 -2.5 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 7 (used memory): expected -1 or a number from 0 up, got "
                "\"-2.5\"");
  check_strict ("2 5 -1 10 1.5 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 5 (allocated processors): expected an integer, got "
                "\"1.5\"");
  check_strict ("2 5 -1 1e3 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 4 (run time): expected a number, got \"1e3\"");
  check_strict ("2 5 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -\n",
                "trace.swf:2: field 18 (think time): expected a number, got \"-\"");
  check_strict ("2 5 -1 10 1 -1 -1 1 . -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 9 (requested time): expected a number, got \".\"");
  check_strict ("2\t5 -1 1\x01\xff\"\\ 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 4 (run time): expected a number, got "
                "\"1\\x01\\xff\\\"\\\\\"");
  check_strict ("2 5 -1 10 1 -1 -1 1 1099511627777 -1 1 1 1 -1 -1 -1 -1 -1\n",
                "trace.swf:2: field 9 (requested time): expected -1 or a number from 0 to "
                "1099511627776, got \"1099511627777\"");
  check_strict ("# a comment\n",
                "trace.swf:2: field 1 (job number): expected a number, got \"#\"");
  /* Long tokens are cut in the message. */
  g_autofree char *msg
      = strict_message ("2 5 -1 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                        "xxxxxxxxxxxxxxxx 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n");
  g_assert_true (g_str_has_suffix (msg, "xxxx\"..."));
  g_assert_cmpuint (strlen (msg), <, 120);
}

static void
test_nonstrict_skip (void)
{
  g_autoptr (GString) text = g_string_new ("; MaxProcs: 4\n");
  for (int i = 1; i <= 30; i++)
    {
      if (i % 2 == 0)
        g_string_append_printf (text, "%d %d -1 oops 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n",
                                i, i);
      else
        g_string_append_printf (text, "%d %d -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n", i,
                                i);
    }
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  WlCounts n;
  g_autoptr (GArray) jobs = read_text (text->str, &opts, &n);
  g_assert_cmpuint (jobs->len, ==, 15);
  g_assert_cmpuint (n.skipped[WL_SKIP_MALFORMED], ==, 15);
  g_assert_cmpuint (n.read, ==, 30);
  g_assert_cmpuint (n.kept, ==, 15);
  /* The first 10 messages, then one note. */
  g_assert_cmpuint (log.messages->len, ==, 11);
  g_assert_cmpstr (g_ptr_array_index (log.messages, 0), ==,
                   "trace.swf:3: field 4 (run time): expected a number, got \"oops\"");
  g_assert_cmpstr (g_ptr_array_index (log.messages, 9), ==,
                   "trace.swf:21: field 4 (run time): expected a number, got \"oops\"");
  g_assert_nonnull (strstr (g_ptr_array_index (log.messages, 10), "not reported"));
  for (guint i = 0; i < jobs->len; i++)
    g_assert_cmpuint (JOB (jobs, i)->spec.id % 2, ==, 1);
  g_ptr_array_unref (log.messages);

  /* max_warnings 0: silent. */
  opts_quiet (&opts, &log);
  opts.max_warnings = 0;
  g_autoptr (GArray) jobs2 = read_text (text->str, &opts, &n);
  g_assert_cmpuint (jobs2->len, ==, 15);
  g_assert_cmpuint (log.messages->len, ==, 0);
  g_assert_cmpuint (n.skipped[WL_SKIP_MALFORMED], ==, 15);
  g_ptr_array_unref (log.messages);
}

/* The default warning output goes to stderr, and is not a GLib warning (which tests make
 * fatal). */
static void
test_default_warnings (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r
          = reader_from_text ("x 1 2\n1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n", NULL,
                              &error);
      g_assert_true (read_all (r, NULL, &error));
      g_assert_cmpuint (wl_reader_get_counts (r)->kept, ==, 1);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*sluice: warning: trace.swf:1: field 1 (job number): expected a "
                             "number, got \"x\"*");
}

/* ---- line endings and blank lines ------------------------------------------------------ */

static void
test_crlf (void)
{
  const char *text = "; MaxProcs: 8\r\n"
                     "; TimeZoneString: Europe/Stockholm\r\n"
                     "1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\r\n"
                     "\r\n"
                     "2 5 -1 10 2 -1 -1 2 20 -1 1 1 1 -1 -1 -1 -1 -1\r\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text (text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, 8);
  g_assert_cmpstr (wl_reader_get_info (r)->time_zone_string, ==, "Europe/Stockholm");
  g_assert_cmpstr (g_ptr_array_index (wl_reader_get_info (r)->header_lines, 0), ==,
                   "; MaxProcs: 8");
  g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
  g_assert_true (read_all (r, jobs, &error));
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 1)->spec.tasks, ==, 2);
  g_assert_cmpuint (JOB (jobs, 1)->line, ==, 5);
  g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 0);
}

static void
test_blank_lines (void)
{
  const char *text = "\xef\xbb\xbf; Version: 2\n"
                     "\n \n\t\t\n"
                     "1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
                     "   \n\n"
                     "; a comment in the middle\n"
                     "2 5 -1 10 2 -1 -1 2 20 -1 1 1 1 -1 -1 -1 -1 -1";   /* no newline */
  WlCounts n;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_text (text, NULL, &error);
  g_assert_cmpstr (g_ptr_array_index (wl_reader_get_info (r)->header_lines, 0), ==,
                   "; Version: 2");
  g_autoptr (GArray) jobs = read_text (text, NULL, &n);
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 0)->line, ==, 5);
  g_assert_cmpuint (JOB (jobs, 1)->line, ==, 9);
  g_assert_cmpuint (n.read, ==, 2);

  /* A BOM before a record, and a file of only blank lines. */
  g_autoptr (GArray) jobs2
      = read_text ("\xef\xbb\xbf" "1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n", NULL, &n);
  g_assert_cmpuint (jobs2->len, ==, 1);
  g_autoptr (GArray) jobs3 = read_text ("\n\n  \n\r\n", NULL, &n);
  g_assert_cmpuint (jobs3->len, ==, 0);
  g_assert_cmpuint (n.read, ==, 0);
}

/* Number forms around the parser's fast path ([-]1..18 digits then a blank or the end) and
 * its slow path, which must agree with it: a sign, leading zeros, 18 and 19 digits, a
 * fraction (rounded half up), "-0", CRLF, a last line without a newline; and the errors
 * just past it: 20 digits (overflow), a lone "-", "5-", digits glued to a NUL. */
static void
test_number_forms (void)
{
  const char *text =
      "1 +5 123456789012345678 10.5 007 -1 -1 7 -1 -1 1 -0 +2 -1 -1 -1 -1 -1\r\n"
      "2 6 1234567890123456789 10.4 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -9223372036854775807 "
      "0.5\n"
      "3 7 12345678901234567890 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
      "4 8 - 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
      "5 9 -1 10 5- -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
      "6 10 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1 extra\n"
      "7 11 -1 99 3 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1";
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  g_autoptr (GArray) jobs = read_text (text, &opts, NULL);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 1);
  g_assert_cmpint (JOB (jobs, 0)->spec.submit, ==, 5);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 11);
  g_assert_cmpuint (JOB (jobs, 0)->spec.tasks, ==, 7);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 11);
  g_assert_cmpuint (JOB (jobs, 0)->spec.user, ==, 0);
  g_assert_cmpuint (JOB (jobs, 0)->spec.group, ==, 2);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 10);
  g_assert_cmpuint (JOB (jobs, 2)->spec.id, ==, 7);
  g_assert_cmpint (JOB (jobs, 2)->runtime, ==, 99);
  g_assert_cmpuint (JOB (jobs, 2)->spec.tasks, ==, 3);
  g_assert_cmpuint (JOB (jobs, 2)->line, ==, 7);
  g_assert_cmpuint (log.messages->len, ==, 4);
  g_assert_cmpstr (log.messages->pdata[0], ==,
                   "trace.swf:3: field 3 (wait time): number out of range, got "
                   "\"12345678901234567890\"");
  g_assert_cmpstr (log.messages->pdata[1], ==,
                   "trace.swf:4: field 3 (wait time): expected a number, got \"-\"");
  g_assert_cmpstr (log.messages->pdata[2], ==,
                   "trace.swf:5: field 5 (allocated processors): expected a number, got "
                   "\"5-\"");
  g_assert_cmpstr (log.messages->pdata[3], ==,
                   "trace.swf:6: field 19: unexpected, SWF has 18 fields, got \"extra\"");
  g_ptr_array_unref (log.messages);

  /* a NUL right after digits, and in place of a field */
  static const char nul[] = "1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 5\0\n"
                            "2 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 \0\n";
  opts_quiet (&opts, &log);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_data (nul, sizeof nul - 1, 0, &opts, &error);
  g_assert_no_error (error);
  g_assert_true (read_all (r, NULL, &error));
  g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 2);
  g_assert_cmpuint (log.messages->len, ==, 2);
  g_assert_nonnull (strstr (log.messages->pdata[0], "trace.swf:1: field 18 (think time): "
                                                    "expected a number"));
  g_assert_nonnull (strstr (log.messages->pdata[1], "trace.swf:2: field 18 (think time): "
                                                    "expected a number"));
  g_ptr_array_unref (log.messages);
}

/* ---- gzip and files -------------------------------------------------------------------- */

static void
test_gz (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("sluice-swf-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *gz = g_build_filename (dir, "t.swf.gz", NULL);
  g_autofree char *plain = g_build_filename (dir, "t.swf", NULL);

  /* Enough records to cross several 1 MiB buffers. */
  g_autoptr (GString) text = g_string_new ("; MaxProcs: 64\n; UnixStartTime: 1000\n");
  const guint n = 40000;
  for (guint i = 1; i <= n; i++)
    g_string_append_printf (text,
                            "%6u %9u -1 %6u %3u -1 -1 %3u %6u -1 1 %3u 1 -1 -1 -1 -1 -1\n",
                            i, i * 3, 1 + i % 5000, 1 + i % 64, 1 + i % 64, 10000, i % 97);
  wl_test_write_gz (gz, text->str, text->len);
  g_assert_true (g_file_set_contents (plain, text->str, (gssize) text->len, &error));

  const char *paths[] = { gz, plain };
  for (gsize k = 0; k < G_N_ELEMENTS (paths); k++)
    {
      g_autoptr (WlReader) r = wl_swf_reader_open (paths[k], NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, 64);
      g_assert_cmpint (wl_reader_get_info (r)->unix_start_time, ==, 1000);
      g_assert_cmpstr (r->name, ==, paths[k]);
      g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
      g_assert_true (read_all (r, jobs, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (jobs->len, ==, n);
      for (guint i = 0; i < n; i++)
        {
          const WlJob *j = JOB (jobs, i);
          g_assert_cmpuint (j->spec.id, ==, i + 1);
          g_assert_cmpint (j->spec.submit, ==, (gint64) (i + 1) * 3);
          g_assert_cmpint (j->runtime, ==, 1 + (i + 1) % 5000);
          g_assert_cmpuint (j->spec.tasks, ==, 1 + (i + 1) % 64);
          g_assert_cmpuint (j->spec.user, ==, (i + 1) % 97);
          g_assert_cmpuint (j->line, ==, i + 3);
        }
    }

  /* Missing file and corrupt gzip data are I/O errors. */
  g_autofree char *missing = g_build_filename (dir, "nope.swf", NULL);
  g_autoptr (WlReader) r1 = wl_swf_reader_open (missing, NULL, &error);
  g_assert_null (r1);
  g_assert_error (error, WL_ERROR, WL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "nope.swf"));
  g_clear_error (&error);

  g_autofree char *bad = g_build_filename (dir, "bad.swf.gz", NULL);
  static const char bad_gz[] = "\x1f\x8b\x08\x00garbage garbage garbage";
  g_assert_true (g_file_set_contents (bad, bad_gz, sizeof bad_gz - 1, &error));
  g_autoptr (WlReader) r2 = wl_swf_reader_open (bad, NULL, &error);
  if (r2 != NULL)
    g_assert_false (read_all (r2, NULL, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_IO);
  g_clear_error (&error);

  wl_test_rm_rf (dir);
}

/* ---- robustness ------------------------------------------------------------------------ */

static const char good_line[] = "12 3456 -1 789 16 -1 -1 16 1000 -1 1 3 4 -1 -1 -1 -1 -1\n";

static void
read_garbage (const void *data, gsize len, gsize chunk, gboolean strict)
{
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  opts.strict = strict;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_data (data, len, chunk, &opts, &error);
  if (r != NULL)
    {
      WlJob job;
      gboolean eof = FALSE;
      guint64 n = 0;
      while (wl_reader_next (r, &job, &eof, &error) && !eof)
        {
          g_assert_cmpuint (job.spec.tasks, >=, 1);
          g_assert_cmpint (job.spec.time_limit, >=, 1);
          g_assert_cmpint (job.runtime, >=, 1);
          g_assert_cmpint (job.spec.submit, >=, 0);
          n++;
        }
      const WlCounts *c = wl_reader_get_counts (r);
      wl_test_assert_counts_balance (c);
      g_assert_cmpuint (c->kept, ==, n);
      g_assert_true (strict || error == NULL);
    }
  else
    g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_ptr_array_unref (log.messages);
}

static void
test_robust_garbage (void)
{
  for (int iter = 0; iter < 200; iter++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, 4096);
      g_autofree guint8 *data = g_malloc (len + 1);
      int mode = iter % 3;
      for (gsize i = 0; i < len; i++)
        {
          if (mode == 0)
            data[i] = (guint8) g_test_rand_int_range (0, 256);
          else if (mode == 1)           /* digits, signs, blanks, newlines, NUL */
            data[i] = (guint8) "0123456789-+. \t\n\r;\0"[g_test_rand_int_range (0, 20)];
          else
            data[i] = (guint8) "01 -\n"[g_test_rand_int_range (0, 5)];
        }
      read_garbage (data, len, 0, FALSE);
      read_garbage (data, len, 0, TRUE);
      read_garbage (data, len, (gsize) g_test_rand_int_range (1, 17), FALSE);
    }
}

static void
test_robust_mutations (void)
{
  gsize gl = strlen (good_line);
  for (int iter = 0; iter < 500; iter++)
    {
      g_autoptr (GByteArray) buf = g_byte_array_new ();
      for (int k = 0; k < 8; k++)
        g_byte_array_append (buf, (const guint8 *) good_line, (guint) gl);
      int n_mut = g_test_rand_int_range (1, 6);
      for (int m = 0; m < n_mut; m++)
        {
          guint pos = (guint) g_test_rand_int_range (0, (gint32) buf->len);
          switch (g_test_rand_int_range (0, 4))
            {
            case 0:
              buf->data[pos] = (guint8) g_test_rand_int_range (0, 256);
              break;
            case 1:
              buf->data[pos] = 0;
              break;
            case 2:
              g_byte_array_remove_index (buf, pos);
              break;
            default:
              {
                static const char *ins[] = { "9999999999999999999999", "-", ".", " ", "\n",
                                             "-7", ".5", "\r" };
                const char *s = ins[g_test_rand_int_range (0, G_N_ELEMENTS (ins))];
                GByteArray *tail = g_byte_array_new ();
                g_byte_array_append (tail, buf->data + pos, buf->len - pos);
                g_byte_array_set_size (buf, pos);
                g_byte_array_append (buf, (const guint8 *) s, (guint) strlen (s));
                g_byte_array_append (buf, tail->data, tail->len);
                g_byte_array_unref (tail);
              }
            }
          if (buf->len == 0)
            break;
        }
      read_garbage (buf->data, buf->len, 0, FALSE);
      read_garbage (buf->data, buf->len, 3, FALSE);
    }
}

static void
test_robust_nul (void)
{
  static const char text[] = "1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
                             "2 0 -1 1\0 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n"
                             "\0\n"
                             "3 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n";
  WlSwfOptions opts;
  WarnLog log;
  opts_quiet (&opts, &log);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_data (text, sizeof text - 1, 0, &opts, &error);
  g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
  g_assert_true (read_all (r, jobs, &error));
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 3);
  g_assert_cmpuint (JOB (jobs, 1)->line, ==, 4);
  g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log.messages, 0), ==,
                   "trace.swf:2: field 4 (run time): expected a number, got \"1\\x00\"");
  g_ptr_array_unref (log.messages);
}

static void
test_robust_long_lines (void)
{
  const gsize max_line = 64 * 1024;
  const gsize chunks[] = { 0, 1000, 4093 };
  for (gsize k = 0; k < G_N_ELEMENTS (chunks); k++)
    {
      g_autoptr (GString) text = g_string_new (good_line);
      /* Line 2: exactly the limit (padded record), accepted. */
      gsize gl = strlen (good_line) - 1;
      g_string_append_len (text, good_line, (gssize) gl);
      for (gsize i = gl; i < max_line; i++)
        g_string_append_c (text, ' ');
      g_string_append_c (text, '\n');
      /* Line 3: one byte over, malformed. */
      g_string_append_len (text, good_line, (gssize) gl);
      for (gsize i = gl; i < max_line + 1; i++)
        g_string_append_c (text, ' ');
      g_string_append_c (text, '\n');
      /* Line 4: 3 MiB of digits without blanks, malformed. */
      for (gsize i = 0; i < 3 * 1024 * 1024; i++)
        g_string_append_c (text, (char) ('0' + i % 10));
      g_string_append_c (text, '\n');
      /* Line 5: good. */
      g_string_append (text, good_line);
      /* Line 6: 200 KiB of garbage without a newline at the end. */
      for (gsize i = 0; i < 200 * 1024; i++)
        g_string_append_c (text, 'z');

      WlSwfOptions opts;
      WarnLog log;
      opts_quiet (&opts, &log);
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r
          = reader_from_data (text->str, text->len, chunks[k], &opts, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
      g_assert_true (read_all (r, jobs, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (jobs->len, ==, 3);
      g_assert_cmpuint (JOB (jobs, 0)->line, ==, 1);
      g_assert_cmpuint (JOB (jobs, 1)->line, ==, 2);
      g_assert_cmpuint (JOB (jobs, 2)->line, ==, 5);
      const WlCounts *c = wl_reader_get_counts (r);
      g_assert_cmpuint (c->skipped[WL_SKIP_MALFORMED], ==, 3);
      g_assert_cmpuint (c->read, ==, 6);
      g_assert_cmpuint (log.messages->len, ==, 3);
      g_assert_cmpstr (g_ptr_array_index (log.messages, 0), ==,
                       "trace.swf:3: line longer than 65536 bytes");
      g_assert_cmpstr (g_ptr_array_index (log.messages, 1), ==,
                       "trace.swf:4: line longer than 65536 bytes");
      g_assert_cmpstr (g_ptr_array_index (log.messages, 2), ==,
                       "trace.swf:6: line longer than 65536 bytes");
      g_ptr_array_unref (log.messages);
    }

  /* Strict: an overlong first line is an error from next(), not from new(). */
  g_autoptr (GString) big = g_string_new (NULL);
  for (gsize i = 0; i < 100000; i++)
    g_string_append_c (big, '7');
  WlSwfOptions opts;
  wl_swf_options_init (&opts);
  opts.strict = TRUE;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = reader_from_data (big->str, big->len, 0, &opts, &error);
  g_assert_no_error (error);
  WlJob job;
  gboolean eof = FALSE;
  g_assert_false (wl_reader_next (r, &job, &eof, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_MALFORMED);
  g_assert_cmpstr (error->message, ==, "trace.swf:1: line longer than 65536 bytes");
}

/* Every split of a small trace into reads gives the same result. */
static void
test_robust_chunking (void)
{
  const char *text = "; MaxProcs: 8\r\n;\n\n1 0 -1 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\r\n"
                     "bad\n2 5.5 -1 10 -1 -1 -1 2 -1 -1 0 1 1 -1 -1 -1 -1 -1";
  for (gsize chunk = 1; chunk <= strlen (text) + 1; chunk++)
    {
      WlSwfOptions opts;
      WarnLog log;
      opts_quiet (&opts, &log);
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = reader_from_data (text, strlen (text), chunk, &opts, &error);
      g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, 8);
      g_assert_cmpuint (wl_reader_get_info (r)->header_lines->len, ==, 2);
      g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
      g_assert_true (read_all (r, jobs, &error));
      g_assert_cmpuint (jobs->len, ==, 2);
      g_assert_cmpint (JOB (jobs, 1)->spec.submit, ==, 6);
      g_assert_cmpuint (JOB (jobs, 1)->spec.tasks, ==, 2);
      g_assert_cmpint (JOB (jobs, 1)->spec.time_limit, ==, 10);
      g_assert_cmpint (JOB (jobs, 1)->end_state, ==, SCHED_JOB_FAILED);
      g_assert_cmpuint (JOB (jobs, 1)->line, ==, 6);
      g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 1);
      g_ptr_array_unref (log.messages);
    }
}

/* ---- writer ---------------------------------------------------------------------------- */

static void
test_writer_roundtrip (void)
{
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  const char *header[] = { "Version: 2.2", "; MaxProcs: 256", "Note: two\nlines", NULL };
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_swf_write_header (out, header, &error));
  g_assert_true (wl_swf_write_header (out, NULL, &error));

  WlJob in[4];
  for (int i = 0; i < 4; i++)
    {
      memset (&in[i], 0, sizeof in[i]);
      sched_job_spec_init (&in[i].spec);
      in[i].spec.id = (SchedJobId) (100 + i);
      in[i].spec.submit = 1000000 * (gint64) i;
      in[i].spec.tasks = (guint32) (4 + i);
      in[i].spec.cpus_per_task = (guint32) (1 + i % 2);
      in[i].spec.time_limit = 3600 + i;
      in[i].spec.user = (guint32) (7 * i);
      in[i].spec.group = 3;
      in[i].runtime = 1 + 1000 * i;
    }
  in[0].end_state = SCHED_JOB_COMPLETED;
  in[1].end_state = SCHED_JOB_FAILED;
  in[2].end_state = SCHED_JOB_CANCELLED;
  in[3].end_state = SCHED_JOB_TIMEOUT;
  in[3].spec.user = G_MAXUINT32 - 1;
  for (int i = 0; i < 4; i++)
    g_assert_true (wl_swf_write_job (out, &in[i], &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));

  gsize size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  g_autofree char *text = g_strndup (
      g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)), size);
  g_assert_true (g_str_has_prefix (text,
                                   "; Version: 2.2\n; MaxProcs: 256\n; Note: two\n; lines\n"
                                   "100 0 -1 1 4 -1 -1 4 3600 -1 1 0 3 -1 -1 -1 -1 -1\n"));
  g_assert_nonnull (
      strstr (text, "101 1000000 -1 1001 10 -1 -1 10 3601 -1 0 7 3 -1 -1 -1 -1 -1\n"));

  g_autoptr (WlReader) r = reader_from_text (text, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, 256);
  g_assert_cmpuint (wl_reader_get_info (r)->header_lines->len, ==, 4);
  g_autoptr (GArray) jobs = g_array_new (FALSE, TRUE, sizeof (WlJob));
  g_assert_true (read_all (r, jobs, &error));
  g_assert_cmpuint (jobs->len, ==, 4);
  static const SchedJobState back[] = { SCHED_JOB_COMPLETED, SCHED_JOB_FAILED,
                                        SCHED_JOB_CANCELLED, SCHED_JOB_FAILED };
  for (int i = 0; i < 4; i++)
    {
      const WlJob *j = JOB (jobs, i);
      g_assert_cmpuint (j->spec.id, ==, in[i].spec.id);
      g_assert_cmpint (j->spec.submit, ==, in[i].spec.submit);
      g_assert_cmpuint (j->spec.tasks, ==, in[i].spec.tasks * in[i].spec.cpus_per_task);
      g_assert_cmpint (j->spec.time_limit, ==, in[i].spec.time_limit);
      g_assert_cmpuint (j->spec.user, ==, in[i].spec.user);
      g_assert_cmpuint (j->spec.group, ==, in[i].spec.group);
      g_assert_cmpint (j->runtime, ==, in[i].runtime);
      g_assert_cmpint (j->end_state, ==, back[i]);
    }

  /* The header of a read trace goes back out unchanged. */
  g_autoptr (GOutputStream) out2 = g_memory_output_stream_new_resizable ();
  const GPtrArray *lines = wl_reader_get_info (r)->header_lines;
  g_autoptr (GPtrArray) strv = g_ptr_array_new ();
  for (guint i = 0; i < lines->len; i++)
    g_ptr_array_add (strv, g_ptr_array_index (lines, i));
  g_ptr_array_add (strv, NULL);
  g_assert_true (wl_swf_write_header (out2, (const char *const *) strv->pdata, &error));
  g_assert_true (g_output_stream_close (out2, NULL, &error));
  gsize size2 = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out2));
  g_assert_cmpmem (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out2)), size2,
                   "; Version: 2.2\n; MaxProcs: 256\n; Note: two\n; lines\n", 51);
}

/* ---- the shared traces ----------------------------------------------------------------- */

/* Parses "1,234" into *out. */
static gboolean
parse_count (const char *s, guint64 *out)
{
  g_autofree char *digits = g_strstrip (g_strdup (s));
  char *w = digits;
  for (const char *p = digits; *p; p++)
    if (*p != ',')
      *w++ = *p;
  *w = '\0';
  return g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT64, out, NULL);
}

typedef struct {
  guint64 jobs;             /* G_MAXUINT64 if unknown */
  guint64 runtime_unknown;  /* runtime = -1 */
  guint64 runtime_zero;
  gboolean have_quality;
} Expected;

/* Reads the two tables of the README: "| `F` | system | Jobs | ..." and the data-quality
 * table "| F | sha | runtime(4) = -1 | ... | runtime = 0 | ...".  File -> Expected. */
static GHashTable *
read_readme (const char *dir)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *path = g_build_filename (dir, "README.md", NULL);
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return t;
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  int jobs_col = -1, rt_unknown_col = -1, rt_zero_col = -1;
  for (char **l = lines; *l != NULL; l++)
    {
      if ((*l)[0] != '|')
        continue;
      g_auto (GStrv) cells = g_strsplit (*l, "|", -1);
      guint n = g_strv_length (cells);
      if (n < 3)
        continue;
      for (guint i = 0; i < n; i++)
        g_strstrip (cells[i]);
      if (g_str_equal (cells[1], "File"))
        {
          jobs_col = rt_unknown_col = rt_zero_col = -1;
          for (guint i = 1; i < n; i++)
            {
              if (g_str_equal (cells[i], "Jobs"))
                jobs_col = (int) i;
              else if (g_str_has_prefix (cells[i], "runtime(4) = -1"))
                rt_unknown_col = (int) i;
              else if (g_str_equal (cells[i], "runtime = 0"))
                rt_zero_col = (int) i;
            }
          continue;
        }
      /* "`NAME.swf.gz`" or "NAME" (without the extension). */
      g_autofree char *name = g_strdup (cells[1]);
      g_strdelimit (name, "`", ' ');
      g_strstrip (name);
      if (name[0] == '\0' || name[0] == '-')
        continue;
      if (!g_str_has_suffix (name, ".swf.gz"))
        {
          char *full = g_strconcat (name, ".swf.gz", NULL);
          g_free (name);
          name = full;
        }
      Expected *e = g_hash_table_lookup (t, name);
      if (e == NULL)
        {
          e = g_new0 (Expected, 1);
          e->jobs = G_MAXUINT64;
          g_hash_table_insert (t, g_strdup (name), e);
        }
      if (jobs_col > 0 && (guint) jobs_col < n)
        parse_count (cells[jobs_col], &e->jobs);
      if (rt_unknown_col > 0 && rt_zero_col > 0 && (guint) MAX (rt_unknown_col, rt_zero_col) < n
          && parse_count (cells[rt_unknown_col], &e->runtime_unknown)
          && parse_count (cells[rt_zero_col], &e->runtime_zero))
        e->have_quality = TRUE;
    }
  return t;
}

static gint
cmp_strptr (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
test_shared_traces (void)
{
  g_autofree char *dir = wl_test_shared_dir (NULL);
  if (dir == NULL)
    {
      g_test_skip ("no shared traces: set SLUICE_SHARED to the folder holding traces/ "
                   "(meson test sets it to ../shared)");
      return;
    }
  g_autoptr (GHashTable) expected = read_readme (dir);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".swf.gz"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, cmp_strptr);
  if (names->len == 0)
    {
      g_test_skip ("no *.swf.gz files in the shared traces folder");
      return;
    }
  guint checked = 0;
  for (guint i = 0; i < names->len; i++)
    {
      const char *f = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, f, NULL);
      WlSwfOptions opts;
      wl_swf_options_init (&opts);
      opts.strict = TRUE;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = wl_swf_reader_open (path, &opts, &error);
      g_assert_no_error (error);
      SchedTime last = G_MININT64;
      WlJob job;
      gboolean eof = FALSE;
      while (wl_reader_next (r, &job, &eof, &error) && !eof)
        {
          if (job.spec.submit < last)
            g_error ("%s:%" G_GUINT64_FORMAT ": submit %" G_GINT64_FORMAT
                     " before the previous %" G_GINT64_FORMAT, f, job.line, job.spec.submit,
                     last);
          last = job.spec.submit;
          g_assert_cmpint (job.runtime, >, 0);
          g_assert_cmpint (job.spec.time_limit, >, 0);
          g_assert_cmpuint (job.spec.tasks, >, 0);
        }
      g_assert_no_error (error);
      const WlCounts *c = wl_reader_get_counts (r);
      wl_test_assert_counts_balance (c);
      g_assert_cmpuint (c->skipped[WL_SKIP_MALFORMED], ==, 0);
      g_test_message ("%s: %" G_GUINT64_FORMAT " read, %" G_GUINT64_FORMAT " kept", f, c->read,
                      c->kept);
      const Expected *e = g_hash_table_lookup (expected, f);
      if (e == NULL || e->jobs == G_MAXUINT64)
        {
          g_test_message ("%s: not in README.md, count not checked", f);
          continue;
        }
      if (c->read != e->jobs)
        g_error ("%s: read %" G_GUINT64_FORMAT " records, README.md says %" G_GUINT64_FORMAT,
                 f, c->read, e->jobs);
      if (e->have_quality)
        g_assert_cmpuint (c->skipped[WL_SKIP_NO_RUNTIME], ==,
                          e->runtime_unknown + e->runtime_zero);
      checked++;
    }
  g_assert_cmpuint (checked, >, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/swf/reason-names", test_reason_names);
  g_test_add_func ("/wl/swf/header", test_header);
  g_test_add_func ("/wl/swf/header-absent", test_header_absent);
  g_test_add_func ("/wl/swf/header-bad-value", test_header_bad_value);
  g_test_add_func ("/wl/swf/mapping", test_mapping);
  g_test_add_func ("/wl/swf/status", test_status);
  g_test_add_func ("/wl/swf/user-group-unknown", test_user_group_unknown);
  g_test_add_func ("/wl/swf/reqtime-fallback", test_reqtime_fallback);
  g_test_add_func ("/wl/swf/size-fallback", test_size_fallback);
  g_test_add_func ("/wl/swf/prefer-requested", test_prefer_requested);
  g_test_add_func ("/wl/swf/no-size", test_no_size);
  g_test_add_func ("/wl/swf/no-runtime", test_no_runtime);
  g_test_add_func ("/wl/swf/keep-zero-runtime", test_keep_zero_runtime);
  g_test_add_func ("/wl/swf/decimal", test_decimal);
  g_test_add_func ("/wl/swf/strict-messages", test_strict_messages);
  g_test_add_func ("/wl/swf/nonstrict-skip", test_nonstrict_skip);
  g_test_add_func ("/wl/swf/default-warnings", test_default_warnings);
  g_test_add_func ("/wl/swf/crlf", test_crlf);
  g_test_add_func ("/wl/swf/blank-lines", test_blank_lines);
  g_test_add_func ("/wl/swf/gz", test_gz);
  g_test_add_func ("/wl/swf/robust/garbage", test_robust_garbage);
  g_test_add_func ("/wl/swf/robust/mutations", test_robust_mutations);
  g_test_add_func ("/wl/swf/robust/nul", test_robust_nul);
  g_test_add_func ("/wl/swf/number-forms", test_number_forms);
  g_test_add_func ("/wl/swf/robust/long-lines", test_robust_long_lines);
  g_test_add_func ("/wl/swf/robust/chunking", test_robust_chunking);
  g_test_add_func ("/wl/swf/writer-roundtrip", test_writer_roundtrip);
  g_test_add_func ("/wl/swf/shared-traces", test_shared_traces);
  return g_test_run ();
}
