/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-convert.c - writers (SWF with its header, CSV, JSON), round trips
 * read -> write -> read for each format, `sluice convert`, the Batsim reader and the
 * transforms (window, filter, first, limit models, load scaling, resubmission).
 *
 * Round trips compare every field a format keeps (writer.h says which) on tests/data files,
 * on generated workloads and on real traces of ../shared/traces (skipped with a message
 * when absent).  Expected values of the Batsim and transform tests are worked out by hand
 * in the comments next to them. */
#include "workloads/batsim.h"
#include "workloads/csvtrace.h"
#include "workloads/jobextra.h"
#include "workloads/jsontrace.h"
#include "workloads/open.h"
#include "workloads/swf.h"
#include "workloads/synth.h"
#include "workloads/transform.h"
#include "workloads/writer.h"
#include "tests/workloads/wl-test-helpers.h"

#include <math.h>

#define JOB(a, i) (&g_array_index ((a), WlJob, (i)))

/* Reads every job, keeping a copy of each extra (freed with the array). */
static GArray *
read_jobs (WlReader *r)
{
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      g_autoptr (GError) error = NULL;
      g_assert_true (wl_reader_next (r, &w, &eof, &error));
      g_assert_no_error (error);
      if (eof)
        break;
      w.extra = w.extra != NULL ? wl_job_extra_copy (w.extra) : NULL;
      g_array_append_val (jobs, w);
    }
  wl_test_assert_counts_balance (wl_reader_get_counts (r));
  return jobs;
}

typedef GArray GArray_jobs;

static void
free_jobs (GArray_jobs *jobs)
{
  for (guint i = 0; jobs != NULL && i < jobs->len; i++)
    wl_job_extra_free ((WlJobExtra *) JOB (jobs, i)->extra);
  if (jobs != NULL)
    g_array_unref (jobs);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GArray_jobs, free_jobs)

static void
assert_same_spec (const WlJob *a, const WlJob *b, gboolean extras)
{
  g_assert_cmpuint (a->spec.id, ==, b->spec.id);
  g_assert_cmpint (a->spec.submit, ==, b->spec.submit);
  g_assert_cmpint (a->spec.time_limit, ==, b->spec.time_limit);
  g_assert_cmpint (a->spec.estimate, ==, b->spec.estimate);
  g_assert_cmpuint (a->spec.tasks, ==, b->spec.tasks);
  g_assert_cmpuint (a->spec.cpus_per_task, ==, b->spec.cpus_per_task);
  g_assert_cmpuint (a->spec.min_nodes, ==, b->spec.min_nodes);
  g_assert_cmpuint (a->spec.max_nodes, ==, b->spec.max_nodes);
  g_assert_cmpuint (a->spec.mem_per_node_mb, ==, b->spec.mem_per_node_mb);
  g_assert_cmpuint (a->spec.gpus_per_node, ==, b->spec.gpus_per_node);
  g_assert_cmpuint (a->spec.gpu_type, ==, b->spec.gpu_type);
  g_assert_cmpint (a->spec.exclusive, ==, b->spec.exclusive);
  g_assert_cmpuint (a->spec.user, ==, b->spec.user);
  g_assert_cmpuint (a->spec.group, ==, b->spec.group);
  g_assert_cmpint (a->spec.partition, ==, b->spec.partition);
  g_assert_cmpint (a->runtime, ==, b->runtime);
  g_assert_cmpint (a->end_state, ==, b->end_state);
  if (extras)
    g_assert_true (wl_job_extra_equal (a->extra, b->extra));
}

static void
assert_same_jobs (GArray *a, GArray *b, gboolean extras)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    assert_same_spec (JOB (a, i), JOB (b, i), extras);
}

/* Writes `jobs` (with `info`) as `format` into memory; returns the bytes. */
static GBytes *
write_all (GArray *jobs, const WlTraceInfo *info, WlWriteFormat format)
{
  WlTraceStats st;
  wl_trace_stats_init (&st);
  for (guint i = 0; i < jobs->len; i++)
    wl_trace_stats_add (&st, JOB (jobs, i));
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GError) error = NULL;
  WlWriteMeta meta = { .source = "test", .source_format = "memory" };
  g_autoptr (WlWriter) w = wl_writer_new (out, format, info, &st, &meta, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < jobs->len; i++)
    g_assert_true (wl_writer_write (w, JOB (jobs, i), &error));
  g_assert_cmpuint (wl_writer_get_count (w), ==, jobs->len);
  g_assert_true (wl_writer_close (w, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static WlReader *
reader_over (GBytes *bytes, WlWriteFormat format, const WlReaderOptions *ro)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);
  g_autoptr (GError) error = NULL;
  WlReader *r = NULL;
  switch (format)
    {
    case WL_WRITE_SWF:
      {
        WlSwfOptions so;
        wl_swf_options_init (&so);
        so.keep_zero_runtime = ro->keep_zero_runtime;
        so.strict = TRUE;
        r = wl_swf_reader_new (in, "rt.swf", &so, &error);
        break;
      }
    case WL_WRITE_CSV:
      {
        WlReaderOptions o = *ro;
        o.strict = TRUE;
        o.columns = NULL;
        r = wl_csv_reader_new (in, "rt.csv", WL_CSV_GENERIC, &o, &error);
        break;
      }
    case WL_WRITE_JSON:
    default:
      {
        WlReaderOptions o = *ro;
        o.strict = TRUE;
        o.columns = NULL;
        r = wl_json_reader_new (in, "rt.jsonl", &o, &error);
        break;
      }
    }
  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

/* Opens `path` (auto), reads it, writes it as `format`, reads that back, writes again:
 * the jobs must match after the first write, and the bytes must be a fixed point. */
static void
round_trip_file (const char *path, const char *from, WlWriteFormat format,
                 const WlReaderOptions *ro_in)
{
  WlReaderOptions ro;
  if (ro_in != NULL)
    ro = *ro_in;
  else
    wl_reader_options_init (&ro);
  ro.warn_func = wl_test_silent;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, from, &ro, &error);
  g_assert_no_error (error);
  g_autoptr (GArray_jobs) jobs = read_jobs (r);
  g_assert_cmpuint (jobs->len, >, 0);
  g_autoptr (GBytes) b1 = write_all (jobs, wl_reader_get_info (r), format);
  g_autoptr (WlReader) r2 = reader_over (b1, format, &ro);
  g_autoptr (GArray_jobs) back = read_jobs (r2);
  g_autoptr (GBytes) b2 = write_all (back, wl_reader_get_info (r2), format);
  g_autoptr (WlReader) r3 = reader_over (b2, format, &ro);
  g_autoptr (GArray_jobs) again = read_jobs (r3);
  if (format == WL_WRITE_CSV)
    {
      /* a CSV reader's jobs come back as they were; other sources' task shapes become
       * tasks of one CPU, so compare CSV -> CSV from the first read-back on */
      g_autofree char *lower = g_ascii_strdown (path, -1);
      if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".csv.gz"))
        assert_same_jobs (jobs, back, FALSE);
      assert_same_jobs (back, again, FALSE);
    }
  else if (format == WL_WRITE_SWF)
    {
      g_assert_cmpuint (jobs->len, ==, back->len);
      /* Unix submit times without a UnixStartTime are rebased to the first (writer.h) */
      SchedTime first = G_MAXINT64;
      for (guint i = 0; i < jobs->len; i++)
        first = MIN (first, JOB (jobs, i)->spec.submit);
      SchedTime off = wl_reader_get_info (r)->unix_start_time < 0 && first >= 100000000
                      ? first : 0;
      if (off > 0)
        g_assert_cmpint (wl_reader_get_info (r2)->unix_start_time, ==, off);
      for (guint i = 0; i < jobs->len; i++)
        {
          const WlJob *a = JOB (jobs, i), *b = JOB (back, i);
          /* SWF keeps id, submit, run time, CPUs, limit, user, group and the state */
          g_assert_cmpuint (a->spec.id, ==, b->spec.id);
          g_assert_cmpint (a->spec.submit - off, ==, b->spec.submit);
          g_assert_cmpint (a->runtime, ==, b->runtime);
          g_assert_cmpuint (sched_job_spec_cpus (&a->spec), ==, sched_job_spec_cpus (&b->spec));
          g_assert_cmpint (a->spec.time_limit, ==, b->spec.time_limit);
          g_assert_cmpuint (a->spec.user, ==, b->spec.user);
          g_assert_cmpuint (a->spec.group, ==, b->spec.group);
          SchedJobState want = a->end_state == SCHED_JOB_TIMEOUT
                                       || a->end_state == SCHED_JOB_NODE_FAIL
                                   ? SCHED_JOB_FAILED : a->end_state;
          g_assert_cmpint (want, ==, b->end_state);
        }
      assert_same_jobs (back, again, FALSE);
    }
  else
    {
      assert_same_jobs (jobs, back, TRUE);
      assert_same_jobs (back, again, TRUE);
    }
  /* what a format keeps survives any number of round trips: the second write is the third */
  g_autoptr (GBytes) b3 = write_all (again, wl_reader_get_info (r3), format);
  if (!g_bytes_equal (b2, b3))
    g_error ("%s: not a fixed point:\n%.*s\n----\n%.*s", path, (int) g_bytes_get_size (b2),
             (const char *) g_bytes_get_data (b2, NULL), (int) g_bytes_get_size (b3),
             (const char *) g_bytes_get_data (b3, NULL));
  if (format == WL_WRITE_JSON)
    g_assert_true (g_bytes_equal (b1, b2));
}

static void
test_round_trip_data (void)
{
  g_test_summary ("read -> write -> read gives the same jobs for SWF, CSV and JSON, on the "
                  "files of tests/data, and writing what was read back is a fixed point");
  g_autofree char *tiny = g_test_build_filename (G_TEST_DIST, "data", "tiny.swf", NULL);
  g_autofree char *scen = g_test_build_filename (G_TEST_DIST, "data", "scenario.json", NULL);
  g_autofree char *csv = g_test_build_filename (G_TEST_DIST, "data", "gpu-jobs.csv", NULL);
  g_autofree char *bat = g_test_build_filename (G_TEST_DIST, "data", "batsim-workload.json",
                                                NULL);
  WlReaderOptions keep;
  wl_reader_options_init (&keep);
  keep.keep_zero_runtime = TRUE;
  for (WlWriteFormat f = WL_WRITE_SWF; f <= WL_WRITE_JSON; f++)
    {
      round_trip_file (tiny, NULL, f, NULL);
      round_trip_file (tiny, NULL, f, &keep);
      round_trip_file (scen, NULL, f, NULL);
      round_trip_file (csv, NULL, f, NULL);
      round_trip_file (bat, NULL, f, NULL);
    }
}

static void
test_round_trip_shared (void)
{
  g_test_summary ("round trips on real traces of ../shared/traces (SWF, GPU CSV, sacct)");
  g_autofree char *dir = wl_test_shared_dir (NULL);
  if (dir == NULL)
    {
      g_test_skip ("../shared/traces is absent (set SLUICE_SHARED)");
      return;
    }
  g_autofree char *kth = g_build_filename (dir, "KTH-SP2-1996-2.swf.gz", NULL);
  g_autofree char *itp = g_build_filename (dir, "gpu", "itp-elasticflow-cluster01.csv", NULL);
  g_autofree char *sacct = g_build_filename (dir, "sacct", "kabre-sacct-parsable2.txt.gz", NULL);
  const char *files[] = { kth, itp, sacct };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      if (!g_file_test (files[i], G_FILE_TEST_EXISTS))
        {
          g_test_message ("%s is absent: not tested", files[i]);
          continue;
        }
      for (WlWriteFormat f = WL_WRITE_SWF; f <= WL_WRITE_JSON; f++)
        round_trip_file (files[i], NULL, f, NULL);
    }
}

/* ---- the SWF header --------------------------------------------------------------------- */

static WlJob
mkjob (SchedJobId id, SchedTime submit, guint32 tasks, SchedTime run, SchedTime limit)
{
  WlJob j = { 0 };
  sched_job_spec_init (&j.spec);
  j.spec.id = id;
  j.spec.submit = submit;
  j.spec.tasks = tasks;
  j.spec.time_limit = limit;
  j.runtime = run;
  j.end_state = SCHED_JOB_COMPLETED;
  return j;
}

static char *
header_text (GPtrArray *lines)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    g_string_append_printf (s, "%s\n", (char *) lines->pdata[i]);
  return g_string_free (s, FALSE);
}

static void
test_swf_header (void)
{
  g_test_summary ("the PWA header: totals, dates in the trace's zone, kept source lines, "
                  "notes on what SWF drops, Unix times rebased");
  /* A source header as an SWF reader gives it: kept except the regenerated keys. */
  WlTraceInfo info = { .max_procs = 100, .max_nodes = -1, .unix_start_time = 843480031,
                       .cpus_per_node = -1, .mem_per_node_mb = -1, .gpus_per_node = -1 };
  info.time_zone_string = (char *) "Europe/Stockholm";
  info.header_lines = g_ptr_array_new ();
  g_ptr_array_add (info.header_lines, (char *) "; Version: 2");
  g_ptr_array_add (info.header_lines, (char *) "; Computer: IBM SP2");
  g_ptr_array_add (info.header_lines, (char *) "; MaxJobs: 28490");
  g_ptr_array_add (info.header_lines, (char *) "; Note: uses the EASY scheduler");
  WlTraceStats st;
  wl_trace_stats_init (&st);
  WlJob a = mkjob (1, 0, 4, 100, 200), b = mkjob (2, 3600, 8, 7200, 7200);
  b.spec.gpus_per_node = 2;
  b.spec.min_nodes = b.spec.max_nodes = 1;
  wl_trace_stats_add (&st, &a);
  wl_trace_stats_add (&st, &b);
  SchedTime off = -1;
  WlWriteMeta meta = { .source = "KTH.swf", .source_format = "swf" };
  g_autoptr (GPtrArray) lines = wl_swf_header_build (&info, &st, &meta, &off);
  g_autofree char *text = header_text (lines);
  g_assert_cmpint (off, ==, 0);
  const char *want[] = {
    "; Version: 2.2\n; Computer: IBM SP2\n; Installation: unknown\n",
    "; Note: uses the EASY scheduler\n",
    "; MaxJobs: 2\n; MaxRecords: 2\n; UnixStartTime: 843480031\n",
    "; TimeZoneString: Europe/Stockholm\n",
    /* 843480031 is 1996-09-23 12:00:31 UTC, 14:00:31 in Stockholm (CEST) */
    "; StartTime: Mon Sep 23 14:00:31 CEST 1996\n",
    /* the last end: 3600 + 7200 s later, 17:00:31 */
    "; EndTime:   Mon Sep 23 17:00:31 CEST 1996\n",
    "; MaxNodes: 1\n; MaxProcs: 100\n; MaxRuntime: 7200\n",
    "; Note: converted by sluice from KTH.swf (swf)\n",
    "; Note: 1 jobs asked for GPUs",
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    if (strstr (text, want[i]) == NULL)
      g_error ("header lacks \"%s\":\n%s", want[i], text);
  g_assert_null (strstr (text, "28490"));
  g_assert_null (strstr (text, "Version: 2\n"));
  g_ptr_array_unref (info.header_lines);

  /* Unix submit times, no UnixStartTime: rebased to the first submit */
  wl_trace_stats_init (&st);
  WlJob c = mkjob (1, 1700000000, 1, 10, 10), d = mkjob (2, 1700000100, 1, 10, 10);
  wl_trace_stats_add (&st, &c);
  wl_trace_stats_add (&st, &d);
  WlTraceInfo none = { .max_procs = -1, .max_nodes = -1, .unix_start_time = -1 };
  g_autoptr (GPtrArray) l2 = wl_swf_header_build (&none, &st, NULL, &off);
  g_autofree char *t2 = header_text (l2);
  g_assert_cmpint (off, ==, 1700000000);
  g_assert_nonnull (strstr (t2, "; UnixStartTime: 1700000000\n"));
  /* 1700000000 = 2023-11-14 22:13:20 UTC */
  g_assert_nonnull (strstr (t2, "; StartTime: Tue Nov 14 22:13:20 UTC 2023\n"));
  g_assert_nonnull (strstr (t2, "; MaxProcs: 1\n"));
  g_assert_nonnull (strstr (t2, "Unix times"));

  /* and the records are written relative to it */
  g_autoptr (GArray) jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
  g_array_append_val (jobs, c);
  g_array_append_val (jobs, d);
  g_autoptr (GBytes) bytes = write_all (jobs, &none, WL_WRITE_SWF);
  g_autofree char *s = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_assert_nonnull (strstr (s, "\n1 0 -1 10 1 -1 -1 1 10 -1 1 0 0 -1 -1 -1 -1 -1\n"
                               "2 100 -1 10 1 -1 -1 1 10 -1 1 0 0 -1 -1 -1 -1 -1\n"));
}

static void
test_csv_rows (void)
{
  g_test_summary ("CSV rows: the documented columns, names quoted when needed");
  g_assert_cmpstr (wl_csv_header_row (), ==,
                   "id,user,group,partition,submit,runtime,time_limit,nodes,cpus,gpus,gpu_type,"
                   "mem_mb,state");
  WlJob j = mkjob (12, 50, 2, 30, 60);
  j.spec.cpus_per_task = 4;
  j.spec.min_nodes = j.spec.max_nodes = 2;
  j.spec.gpus_per_node = 3;
  j.spec.mem_per_node_mb = 1000;
  j.end_state = SCHED_JOB_TIMEOUT;
  WlJobExtra *e = wl_job_extra_new ();
  e->user_name = g_strdup ("o'brien, pat");
  e->partition = g_strdup ("gpu");
  j.extra = e;
  g_autofree char *row = wl_csv_job_to_row (&j);
  g_assert_cmpstr (row, ==, "12,\"o'brien, pat\",0,gpu,50,30,60,2,8,6,,1000,TIMEOUT");
  wl_job_extra_free (e);
}

/* ---- sluice convert --------------------------------------------------------------------- */

static char *
run_sluice (const char *const *args, int *status, char **err)
{
  const char *bin = g_getenv ("SLUICE_BIN");
  g_assert_nonnull (bin);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) bin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  char *out = NULL;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, err, status, &error));
  g_assert_no_error (error);
  return out;
}

static void
test_convert_cli (void)
{
  g_test_summary ("sluice convert: every output format from an auto-detected input, to a "
                  "file (.gz too) and to stdout, with counts on stderr and clear errors");
  g_autofree char *dir = g_dir_make_tmp ("sluice-convert-XXXXXX", NULL);
  g_autofree char *tiny = g_test_build_filename (G_TEST_DIST, "data", "tiny.swf", NULL);
  g_autofree char *bat = g_test_build_filename (G_TEST_DIST, "data", "batsim-workload.json",
                                                NULL);
  g_autofree char *json = g_build_filename (dir, "t.jsonl.gz", NULL);
  g_autofree char *swf = g_build_filename (dir, "t.swf", NULL);
  int st;
  g_autofree char *err = NULL;
  const char *a1[] = { "convert", "--to", "json", tiny, json, NULL };
  g_free (run_sluice (a1, &st, &err));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  /* tiny.swf: 9 records, job 6 no_runtime, line 50 malformed, 7 kept */
  g_assert_nonnull (strstr (err, "9 jobs read, 7 written, 1 skipped (malformed), 1 skipped "
                                 "(no_runtime), 1 adjusted (reqtime_from_runtime)"));
  g_clear_pointer (&err, g_free);
  const char *a2[] = { "convert", "-q", "--to", "swf", json, swf, NULL };
  g_free (run_sluice (a2, &st, &err));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  g_clear_pointer (&err, g_free);
  const char *a3[] = { "convert", "-q", "--to", "csv", swf, "-", NULL };
  g_autofree char *csv = run_sluice (a3, &st, &err);
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  g_assert_true (g_str_has_prefix (csv, "id,user,group,partition,submit,runtime,time_limit,"));
  /* job 5 of tiny.swf: 2 CPUs at t=40, run 250, limit 200, user 5 (tiny.swf's fields) */
  g_assert_nonnull (strstr (csv, "\n1,"));
  g_auto (GStrv) rows = g_strsplit (csv, "\n", -1);
  g_assert_cmpuint (g_strv_length (rows), ==, 9);  /* header, 7 jobs, "" */
  g_clear_pointer (&err, g_free);
  const char *a4[] = { "convert", "--to", "csv", bat, "-", NULL };
  g_free (run_sluice (a4, &st, &err));
  g_assert_true (g_spawn_check_wait_status (st, NULL));
  g_assert_nonnull (strstr (err, "1 skipped (unsupported)"));
  g_clear_pointer (&err, g_free);
  const char *a5[] = { "convert", "--to", "xml", tiny, "-", NULL };
  g_free (run_sluice (a5, &st, &err));
  g_assert_false (g_spawn_check_wait_status (st, NULL));
  g_assert_nonnull (strstr (err, "--to: expected swf, csv or json, got \"xml\""));
  g_clear_pointer (&err, g_free);
  const char *a6[] = { "convert", "--to", "csv", "--filter", "cpus=3", tiny, "-", NULL };
  g_free (run_sluice (a6, &st, &err));
  g_assert_false (g_spawn_check_wait_status (st, NULL));
  g_assert_nonnull (strstr (err, "--filter: filter: unknown key \"cpus\""));
  wl_test_rm_rf (dir);
}

/* ---- Batsim ----------------------------------------------------------------------------- */

static WlReader *
batsim_text (const char *text, gboolean strict, GPtrArray *warnings, GError **error)
{
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.strict = strict;
  o.warn_func = warnings != NULL ? wl_test_collect_warning : wl_test_silent;
  o.warn_data = warnings;
  g_autoptr (GInputStream) in = wl_test_trickle_new (text, strlen (text), 7);
  return wl_batsim_reader_new (in, "w.json", &o, error);
}

static void
test_batsim_file (void)
{
  g_test_summary ("tests/data/batsim-workload.json by hand: ids, rounding, sorting, walltime "
                  "-1, delay profiles, the parallel profile and the zero delay skipped");
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "batsim-workload.json",
                                                 NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.warn_func = wl_test_collect_warning;
  o.warn_data = warnings;
  /* auto-detected from the content, though the name says .json */
  g_autoptr (WlReader) r = wl_reader_open (path, NULL, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_reader_get_info (r)->max_procs, ==, 8);
  g_autoptr (GArray_jobs) jobs = read_jobs (r);
  /* kept, by submit: 1 (t=0), 3 (t=5), 2 (t=10.4 -> 10), 5 (t=30) */
  g_assert_cmpuint (jobs->len, ==, 4);
  static const struct { guint id; SchedTime submit, run, limit; guint tasks, user; } want[] = {
    { 1, 0, 60, 100, 4, 0 },
    { 3, 5, 60, 3600, 8, 7 },       /* no walltime: the ladder's 1 h */
    { 2, 10, 30, 3600, 2, 0 },      /* walltime -1; delay 30.2 -> 30 */
    { 5, 30, 30, 21, 3, 0 },        /* walltime 20.5 rounded up to 21 */
  };
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const WlJob *j = JOB (jobs, i);
      g_assert_cmpuint (j->spec.id, ==, want[i].id);
      g_assert_cmpint (j->spec.submit, ==, want[i].submit);
      g_assert_cmpint (j->runtime, ==, want[i].run);
      g_assert_cmpint (j->spec.time_limit, ==, want[i].limit);
      g_assert_cmpuint (j->spec.tasks, ==, want[i].tasks);
      g_assert_cmpuint (j->spec.user, ==, want[i].user);
    }
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->read, ==, 6);
  g_assert_cmpuint (c->skipped[WL_SKIP_UNSUPPORTED], ==, 1);
  g_assert_cmpuint (c->skipped[WL_SKIP_NO_RUNTIME], ==, 1);
  g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 2);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_assert_nonnull (strstr (warnings->pdata[0], "profiles.par.type: \"parallel_homogeneous\""));
}

static void
test_batsim_errors (void)
{
  g_test_summary ("Batsim errors name the JSON path and what was expected; strict fails, "
                  "lenient counts malformed");
  static const struct { const char *text, *part; gboolean structural; } cases[] = {
    { "{\"jobs\": [{\"id\": 1, \"subtime\": \"x\", \"res\": 1, \"profile\": \"d\"}],"
      " \"profiles\": {\"d\": {\"type\": \"delay\", \"delay\": 5}}}",
      "w.json: jobs[0].subtime: expected a number of seconds >= 0, got \"x\"", FALSE },
    { "{\"jobs\": [{\"id\": 1, \"subtime\": 0, \"res\": 1, \"profile\": \"d\"},"
      " {\"subtime\": 0, \"res\": 0, \"profile\": \"d\"}],"
      " \"profiles\": {\"d\": {\"type\": \"delay\", \"delay\": 5}}}",
      "w.json: jobs[1].res: expected a whole number of resources >= 1, got 0", FALSE },
    { "{\"jobs\": [{\"subtime\": 0, \"res\": 2, \"profile\": \"nope\"}], \"profiles\": {}}",
      "w.json: jobs[0].profile: no profile \"nope\" in \"profiles\"", FALSE },
    { "{\"jobs\": [{\"subtime\": 0, \"res\": 2, \"walltime\": \"1h\", \"profile\": \"d\"}],"
      " \"profiles\": {\"d\": {\"type\": \"delay\", \"delay\": 5}}}",
      "w.json: jobs[0].walltime: expected seconds >= 0, or -1 for none, got \"1h\"", FALSE },
    { "{\"jobs\": [{\"subtime\": 0, \"res\": 2, \"profile\": \"d\"}],"
      " \"profiles\": {\"d\": {\"type\": \"delay\"}}}",
      "w.json: profiles.d.delay: expected a number of seconds >= 0", FALSE },
    { "{\"jobs\": {}}", "w.json: jobs: expected an array of jobs", TRUE },
    { "{\"jobs\": [1]}", "w.json: jobs[0]: expected a job object", TRUE },
    { "{\"jobs\": [], \"profiles\": []}", "w.json: profiles: expected an object", TRUE },
    { "{\"jobs\": [\n{\"subtime\": 0,,}]}", "w.json:2: invalid JSON", TRUE },
    { "{\"nb_res\": -3, \"jobs\": []}", "w.json: nb_res: expected a whole number", TRUE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = batsim_text (cases[i].text, TRUE, NULL, &error);
      g_assert_null (r);
      wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, cases[i].part);
      g_clear_error (&error);
      g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
      g_autoptr (WlReader) lenient = batsim_text (cases[i].text, FALSE, warnings, &error);
      if (cases[i].structural)
        {
          g_assert_null (lenient);
          continue;
        }
      g_assert_no_error (error);
      g_autoptr (GArray_jobs) jobs = read_jobs (lenient);
      g_assert_nonnull (jobs);
      g_assert_cmpuint (wl_reader_get_counts (lenient)->skipped[WL_SKIP_MALFORMED], ==, 1);
      g_assert_cmpuint (warnings->len, ==, 1);
      g_assert_nonnull (strstr (warnings->pdata[0], cases[i].part));
    }
  g_assert_true (wl_batsim_looks_like ("{\"jobs\":[{\"subtime\":0,\"res\":1", 31));
  g_assert_false (wl_batsim_looks_like ("{\"jobs\":[{\"submit\":0,\"runtime\":1", 33));
  g_assert_false (wl_batsim_looks_like ("[{\"subtime\":0,\"res\":1}]", 24));
}

/* ---- transforms ------------------------------------------------------------------------- */

/* Five jobs submitted at 0, 100, 200, 300, 400: job i has i CPUs, runs 100 x i seconds with
 * a 1000 s limit, user i % 2, and job 3 ended TIMEOUT. */
static const char transform_swf[] =
  "; MaxProcs: 16\n"
  "1   0 -1 100 1 -1 -1 1 1000 -1 1 1 1 -1 -1 -1 -1 -1\n"
  "2 100 -1 200 2 -1 -1 2 1000 -1 1 0 0 -1 -1 -1 -1 -1\n"
  "3 200 -1 300 3 -1 -1 3 1000 -1 0 1 1 -1 -1 -1 -1 -1\n"
  "4 300 -1 400 4 -1 -1 4 1000 -1 1 0 0 -1 -1 -1 -1 -1\n"
  "5 400 -1 500 5 -1 -1 5 1000 -1 5 1 1 -1 -1 -1 -1 -1\n";

static WlReader *
transformed (const WlTransformOptions *o)
{
  g_autoptr (GInputStream) in = wl_test_trickle_new (transform_swf, strlen (transform_swf),
                                                     4096);
  g_autoptr (GError) error = NULL;
  WlReader *r = wl_swf_reader_new (in, "t.swf", NULL, &error);
  g_assert_no_error (error);
  return wl_transform_reader_new (r, o);
}

static void
test_transform_window_filter_first (void)
{
  g_test_summary ("window, filter and first: the jobs passed on and the skip counts");
  WlTransformOptions o;
  wl_transform_options_init (&o);
  g_assert_true (wl_transform_options_is_identity (&o));
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_transform_parse_window ("100:400", -1, &o, &error));
  g_autoptr (WlFilter) f = wl_filter_parse ("user=1|0, min-procs=3, state=completed|failed",
                                            &error);
  g_assert_no_error (error);
  o.filter = f;
  g_autoptr (WlReader) r = transformed (&o);
  g_autoptr (GArray_jobs) jobs = read_jobs (r);
  /* window [100, 400): jobs 2, 3, 4; min-procs 3: 3, 4 (3 is FAILED, status 0) */
  g_assert_cmpuint (jobs->len, ==, 2);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 3);
  g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 4);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->read, ==, 5);
  g_assert_cmpuint (c->skipped[WL_SKIP_OUTSIDE_WINDOW], ==, 2);
  g_assert_cmpuint (c->skipped[WL_SKIP_FILTERED], ==, 1);

  WlTransformOptions o2;
  wl_transform_options_init (&o2);
  o2.first = 2;
  g_autoptr (WlReader) r2 = transformed (&o2);
  g_autoptr (GArray_jobs) two = read_jobs (r2);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpuint (JOB (two, 1)->spec.id, ==, 2);

  /* windows: dates against UnixStartTime; bad ones */
  WlTransformOptions o3;
  wl_transform_options_init (&o3);
  g_assert_true (wl_transform_parse_window ("1970-01-01T00:01:40Z:", 40, &o3, &error));
  g_assert_cmpint (o3.window_start, ==, 60);
  g_assert_cmpint (o3.window_end, ==, SCHED_TIME_NEVER);
  g_assert_false (wl_transform_parse_window ("50:10", -1, &o3, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, "the end must come after");
  g_clear_error (&error);
  g_assert_false (wl_transform_parse_window ("yesterday", -1, &o3, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, "expected START:END");
  g_clear_error (&error);
  g_assert_null (wl_filter_parse ("min-procs=x", &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                            "key \"min-procs\": expected a whole number >= 0, got \"x\"");
  g_clear_error (&error);
  g_assert_null (wl_filter_parse ("state=done", &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, "key \"state\"");
}

static void
test_transform_limits_scale_resubmit (void)
{
  g_test_summary ("limit models (exact, factor, tsafrir), load scaling and TIMEOUT "
                  "resubmission, by hand");
  WlTransformOptions o;
  wl_transform_options_init (&o);
  g_autoptr (GError) error = NULL;
  g_assert_true (wl_limit_model_parse ("factor:1.5", &o, &error));
  o.load_scale = 2;
  g_autoptr (WlReader) r = transformed (&o);
  g_autoptr (GArray_jobs) jobs = read_jobs (r);
  g_assert_cmpuint (jobs->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      /* limit = 1.5 x 100 (i + 1); submit 100 i / 2 */
      g_assert_cmpint (JOB (jobs, i)->spec.time_limit, ==, 150 * (i + 1));
      g_assert_cmpint (JOB (jobs, i)->spec.submit, ==, 50 * i);
    }
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->adjusted[WL_ADJ_LIMIT_MODELED], ==, 5);
  g_assert_cmpuint (c->adjusted[WL_ADJ_SUBMIT_SCALED], ==, 4);   /* job 1 stays at 0 */

  wl_transform_options_init (&o);
  g_assert_true (wl_limit_model_parse ("tsafrir", &o, &error));
  o.limit_seed = 9;
  g_autoptr (WlReader) t1 = transformed (&o);
  g_autoptr (WlReader) t2 = transformed (&o);
  g_autoptr (GArray_jobs) a = read_jobs (t1);
  g_autoptr (GArray_jobs) b = read_jobs (t2);
  assert_same_jobs (a, b, FALSE);
  static const SchedTime modal[] = { 300, 600, 900, 1200, 1800, 2400, 3600, 5400, 7200,
                                     10800, 14400, 18000, 21600, 28800, 36000, 43200, 64800,
                                     86400, 129600, 172800 };
  for (guint i = 0; i < a->len; i++)
    {
      const WlJob *j = JOB (a, i);
      g_assert_cmpint (j->spec.time_limit, >=, j->runtime);
      gboolean found = FALSE;
      for (guint k = 0; k < G_N_ELEMENTS (modal); k++)
        found |= modal[k] == j->spec.time_limit;
      g_assert_true (found);
    }
  g_assert_false (wl_limit_model_parse ("factor:-1", &o, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, "factor:F needs a number");
  g_clear_error (&error);

  /* resubmission: job 3 of a JSON trace ended TIMEOUT at 200 + 300 = 500 */
  const char *text = "{\"id\": 1, \"submit\": 0, \"runtime\": 100, \"time_limit\": 100}\n"
                     "{\"id\": 3, \"submit\": 200, \"runtime\": 300, \"time_limit\": 300, "
                     "\"state\": \"TIMEOUT\", \"user\": \"ann\"}\n"
                     "{\"id\": 4, \"submit\": 400, \"runtime\": 10, \"time_limit\": 10}\n"
                     "{\"id\": 5, \"submit\": 600, \"runtime\": 10, \"time_limit\": 10}\n";
  g_autoptr (GInputStream) in = wl_test_trickle_new (text, strlen (text), 13);
  WlReader *jr = wl_json_reader_new (in, "r.jsonl", NULL, &error);
  g_assert_no_error (error);
  wl_transform_options_init (&o);
  o.resubmit_timeouts = TRUE;
  g_autoptr (WlReader) rr = wl_transform_reader_new (jr, &o);
  g_autoptr (GArray_jobs) rj = read_jobs (rr);
  g_assert_cmpuint (rj->len, ==, 5);
  static const guint ids[] = { 1, 3, 4, 1000000003, 5 };
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (JOB (rj, i)->spec.id, ==, ids[i]);
  const WlJob *copy = JOB (rj, 3);
  g_assert_cmpint (copy->spec.submit, ==, 500);
  g_assert_cmpint (copy->runtime, ==, 300);
  g_assert_cmpint (copy->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_nonnull (copy->extra);
  g_assert_cmpstr (copy->extra->user_name, ==, "ann");
  const WlCounts *rc = wl_reader_get_counts (rr);
  g_assert_cmpuint (rc->read, ==, 5);
  g_assert_cmpuint (rc->adjusted[WL_ADJ_RESUBMITTED], ==, 1);
}

static void
test_transform_offered_load (void)
{
  g_test_summary ("offered load by hand, and a target load reached by scaling");
  WlTransformOptions o;
  wl_transform_options_init (&o);
  g_autoptr (WlReader) r = transformed (&o);
  double load = 0;
  g_autoptr (GError) error = NULL;
  /* work = sum i x 100 i for i = 1..5 = 100 x 55 = 5500 CPU-s over 400 s on 16 CPUs */
  g_assert_true (wl_transform_offered_load (r, 16, &load, &error));
  g_assert_cmpfloat_with_epsilon (load, 5500.0 / (16 * 400), 1e-12);
  o.load_scale = 0.8 / load;
  g_autoptr (WlReader) s = transformed (&o);
  double scaled = 0;
  g_assert_true (wl_transform_offered_load (s, 16, &scaled, &error));
  g_assert_cmpfloat_with_epsilon (scaled, 0.8, 0.01);
}

static void
test_synth_limit_round_up (void)
{
  g_test_summary ("--synth-limit round-up: 5, 10, 15, 30 min, then the ladder");
  static const SchedTime cases[][2] = {
    { 1, 300 }, { 300, 300 }, { 301, 600 }, { 700, 900 }, { 1000, 1800 }, { 1801, 3600 },
    { 3601, 7200 }, { 90000, 172800 }, { 8 * 86400 + 1, 9 * 86400 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_ROUND_UP, 1, cases[i][0]), ==, cases[i][1]);
  /* above 30 minutes it agrees with the ladder the CSV presets use */
  for (SchedTime t = 1801; t < 20 * 86400; t = t * 3 / 2)
    g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_ROUND_UP, 1, t), ==,
                     wl_limit_synthesize (WL_LIMIT_LADDER, 1, t));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/convert/round-trip-data", test_round_trip_data);
  g_test_add_func ("/wl/convert/round-trip-shared", test_round_trip_shared);
  g_test_add_func ("/wl/convert/swf-header", test_swf_header);
  g_test_add_func ("/wl/convert/csv-rows", test_csv_rows);
  g_test_add_func ("/wl/convert/cli", test_convert_cli);
  g_test_add_func ("/wl/batsim/file", test_batsim_file);
  g_test_add_func ("/wl/batsim/errors", test_batsim_errors);
  g_test_add_func ("/wl/transform/window-filter-first", test_transform_window_filter_first);
  g_test_add_func ("/wl/transform/limits-scale-resubmit", test_transform_limits_scale_resubmit);
  g_test_add_func ("/wl/transform/offered-load", test_transform_offered_load);
  g_test_add_func ("/wl/transform/synth-limit-round-up", test_synth_limit_round_up);
  return g_test_run ();
}
