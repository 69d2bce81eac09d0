/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-csv.c - the CSV trace reader, the shared value parsers, the format
 * switch and the GPU traces.
 *
 * Small inline files check each rule of workloads/csvtrace.h and rows.h: the presets and
 * the column map (scales, constants, overrides, every map error), the time, duration,
 * memory and TRES parsers, the GPU layout and made-up limits, every row error with its
 * message in strict mode and its count otherwise, the skip reasons, the bounded sort
 * buffer, quoting, line ends, BOM and a stream that returns a few bytes per read.  With the
 * shared traces (SLUICE_SHARED/traces/gpu) each preset reads its real file and the counts
 * are checked against the figures in that folder's README.md; `sluice sim` replays one ITP
 * cluster end to end.  The parsing speed is printed (and checked with -m perf). */
#include "workloads/open.h"
#include "workloads/rows-private.h"
#include "wl-test-helpers.h"

#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------------------------- */

static WlReader *
csv_text (const char *text, WlCsvPreset preset, const WlReaderOptions *opts, GError **error)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (g_strdup (text), -1, g_free);
  return wl_csv_reader_new (in, "t.csv", preset, opts, error);
}

#define JOB(arr, i) (&g_array_index ((arr), WlJob, (i)))

static guint64
total_gpus (GArray *jobs)
{
  guint64 n = 0;
  for (guint i = 0; i < jobs->len; i++)
    n += (guint64) JOB (jobs, i)->spec.gpus_per_node * MAX (JOB (jobs, i)->spec.min_nodes, 1);
  return n;
}

static void
assert_sorted (GArray *jobs)
{
  for (guint i = 1; i < jobs->len; i++)
    g_assert_cmpint (JOB (jobs, i - 1)->spec.submit, <=, JOB (jobs, i)->spec.submit);
}

/* ---- value parsers ---------------------------------------------------------------------- */

static void
test_parse_time (void)
{
  SchedTime t = 0;
#define T_OK(s, want)                                                                    \
  do {                                                                                   \
    t = -42;                                                                             \
    g_assert_cmpint (wl_parse_time ((s), strlen (s), NULL, &t), ==, WL_PARSE_OK);        \
    g_assert_cmpint (t, ==, (want));                                                     \
  } while (0)
#define T_IS(s, res) g_assert_cmpint (wl_parse_time ((s), strlen (s), NULL, &t), ==, (res))
  T_OK ("1932025", 1932025);
  T_OK (" 66.5 ", 67);
  T_OK ("66.4", 66);
  T_OK ("0", 0);
  T_OK ("1970-01-01 00:00:00", 0);
  T_OK ("2017-10-09 07:01:55", 1507532515);
  T_OK ("2017-10-09T07:01:55", 1507532515);
  T_OK ("2017-10-09T07:01:55Z", 1507532515);
  T_OK ("2017-10-09T09:01:55+02:00", 1507532515);
  T_OK ("2017-10-09T00:01:55-0700", 1507532515);
  T_OK ("2017-10-09T09:01:55+02", 1507532515);
  T_OK ("2017-10-09 07:01:54.5", 1507532515);
  T_OK ("2017-10-09 07:01", 1507532460);
  T_OK ("2017-10-09", 1507507200);
  T_OK ("2024-02-29 00:00:00", 1709164800);
  T_OK ("20171009T070155Z", 1507532515);              /* GDateTime's basic format */
  T_IS ("", WL_PARSE_NONE);
  T_IS ("-1", WL_PARSE_NONE);
  T_IS ("NaN", WL_PARSE_NONE);
  T_IS ("None", WL_PARSE_NONE);
  T_IS ("unknown", WL_PARSE_NONE);
  T_IS ("N/A", WL_PARSE_NONE);
  T_IS ("-5", WL_PARSE_BAD);
  T_IS ("abc", WL_PARSE_BAD);
  T_IS ("2017-13-01", WL_PARSE_BAD);
  T_IS ("2023-02-29", WL_PARSE_BAD);
  T_IS ("2017-10-09 25:00:00", WL_PARSE_BAD);
  T_IS ("12:30", WL_PARSE_BAD);
  T_IS ("1e20", WL_PARSE_BAD);
  T_IS ("99999999999999999999", WL_PARSE_BAD);
  T_IS ("1700000000000", WL_PARSE_BAD);               /* milliseconds: above 2^40 */
#undef T_OK
#undef T_IS

  /* a named zone, with summer and winter time */
  g_autoptr (GTimeZone) la = g_time_zone_new_identifier ("America/Los_Angeles");
  g_assert_nonnull (la);
  const char *summer = "2017-10-09 00:01:55", *winter = "2017-12-01 00:00:00";
  g_assert_cmpint (wl_parse_time (summer, strlen (summer), la, &t), ==, WL_PARSE_OK);
  g_assert_cmpint (t, ==, 1507532515);
  g_assert_cmpint (wl_parse_time (winter, strlen (winter), la, &t), ==, WL_PARSE_OK);
  g_assert_cmpint (t, ==, 1512115200);
  const char *explicit_zone = "2017-10-09T07:01:55Z";   /* a written zone wins */
  g_assert_cmpint (wl_parse_time (explicit_zone, strlen (explicit_zone), la, &t), ==,
                   WL_PARSE_OK);
  g_assert_cmpint (t, ==, 1507532515);
}

static void
test_parse_durations (void)
{
  SchedTime t = 0;
#define D_OK(s, want)                                                                    \
  do {                                                                                   \
    g_assert_cmpint (wl_parse_slurm_duration ((s), strlen (s), &t), ==, WL_PARSE_OK);    \
    g_assert_cmpint (t, ==, (want));                                                     \
  } while (0)
#define D_IS(s, res) g_assert_cmpint (wl_parse_slurm_duration ((s), strlen (s), &t), ==, (res))
  D_OK ("1-02:03:04", 93784);
  D_OK ("02:03:04", 7384);
  D_OK ("03:04.5", 185);
  D_OK ("03:04.4", 184);
  D_OK ("5", 300);
  D_OK ("1-2", 93600);
  D_OK ("1-02:03", 93780);
  D_OK ("7-04:00:00", 619200);
  D_OK ("90:00", 5400);
  D_OK ("0:00:00", 0);
  D_IS ("UNLIMITED", WL_PARSE_NONE);
  D_IS ("Partition_Limit", WL_PARSE_NONE);
  D_IS ("INFINITE", WL_PARSE_NONE);
  D_IS ("", WL_PARSE_NONE);
  D_IS ("1:2:3:4", WL_PARSE_BAD);
  D_IS ("abc", WL_PARSE_BAD);
  D_IS ("1-", WL_PARSE_BAD);
  D_IS ("-1", WL_PARSE_BAD);
  D_IS ("1.5", WL_PARSE_BAD);
  D_IS ("02:03:04.", WL_PARSE_BAD);
  D_IS ("1-02:03.5", WL_PARSE_BAD);
#undef D_OK
#undef D_IS
#define S_OK(s, want)                                                                    \
  do {                                                                                   \
    g_assert_cmpint (wl_parse_seconds ((s), strlen (s), &t), ==, WL_PARSE_OK);           \
    g_assert_cmpint (t, ==, (want));                                                     \
  } while (0)
  S_OK ("600", 600);
  S_OK ("66.0", 66);
  S_OK ("2951.5", 2952);
  S_OK ("1-00:00:00", 86400);
  S_OK ("01:00:00", 3600);
#undef S_OK
  g_assert_cmpint (wl_parse_seconds ("-1", 2, &t), ==, WL_PARSE_NONE);
  g_assert_cmpint (wl_parse_seconds ("NaN", 3, &t), ==, WL_PARSE_NONE);
  g_assert_cmpint (wl_parse_seconds ("-3", 2, &t), ==, WL_PARSE_BAD);
  g_assert_cmpint (wl_parse_seconds ("ten", 3, &t), ==, WL_PARSE_BAD);
}

static void
test_parse_memory (void)
{
  guint64 mb = 0;
  WlMemPer per = WL_MEM_PER_CPU;
#define M_OK(s, want, whom)                                                              \
  do {                                                                                   \
    g_assert_cmpint (wl_parse_slurm_mem ((s), strlen (s), &mb, &per), ==, WL_PARSE_OK);  \
    g_assert_cmpuint (mb, ==, (want));                                                   \
    g_assert_cmpint (per, ==, (whom));                                                   \
  } while (0)
  M_OK ("4000M", 4000, WL_MEM_PER_NODE);
  M_OK ("2G", 2048, WL_MEM_PER_NODE);
  M_OK ("4000Mc", 4000, WL_MEM_PER_CPU);
  M_OK ("2Gn", 2048, WL_MEM_PER_NODE);
  M_OK ("100Mc", 100, WL_MEM_PER_CPU);
  M_OK ("500Gn", 512000, WL_MEM_PER_NODE);
  M_OK ("100", 100, WL_MEM_PER_NODE);
  M_OK ("1.5G", 1536, WL_MEM_PER_NODE);
  M_OK ("512K", 1, WL_MEM_PER_NODE);
  M_OK ("1T", 1048576, WL_MEM_PER_NODE);
#undef M_OK
  g_assert_cmpint (wl_parse_slurm_mem ("0", 1, &mb, &per), ==, WL_PARSE_NONE);
  g_assert_cmpint (wl_parse_slurm_mem ("0n", 2, &mb, &per), ==, WL_PARSE_NONE);
  g_assert_cmpint (wl_parse_slurm_mem ("", 0, &mb, &per), ==, WL_PARSE_NONE);
  g_assert_cmpint (wl_parse_slurm_mem ("abc", 3, &mb, &per), ==, WL_PARSE_BAD);
  g_assert_cmpint (wl_parse_slurm_mem ("4000X", 5, &mb, &per), ==, WL_PARSE_BAD);
  g_assert_cmpint (wl_parse_slurm_mem ("-5M", 3, &mb, &per), ==, WL_PARSE_BAD);
  g_assert_cmpint (wl_parse_slurm_mem ("Mc", 2, &mb, &per), ==, WL_PARSE_BAD);
}

static void
test_parse_tres (void)
{
  guint64 gpus, cpus, nodes, mem;
  char *type = NULL;
  const char *a = "billing=16,cpu=16,gres/gpu=4,mem=64000M,node=2";
  g_assert_cmpint (wl_parse_tres (a, strlen (a), &gpus, &type, &cpus, &nodes, &mem), ==,
                   WL_PARSE_OK);
  g_assert_cmpuint (gpus, ==, 4);
  g_assert_null (type);
  g_assert_cmpuint (cpus, ==, 16);
  g_assert_cmpuint (nodes, ==, 2);
  g_assert_cmpuint (mem, ==, 64000);
  const char *b = "cpu=8,gres/gpu:a100=2,gres/gpu=2,mem=2G";
  g_assert_cmpint (wl_parse_tres (b, strlen (b), &gpus, &type, &cpus, &nodes, &mem), ==,
                   WL_PARSE_OK);
  g_assert_cmpuint (gpus, ==, 2);
  g_assert_cmpstr (type, ==, "a100");
  g_assert_cmpuint (mem, ==, 2048);
  g_assert_cmpuint (nodes, ==, 0);
  g_clear_pointer (&type, g_free);
  const char *c = "gres/gpu:a100=2,gres/gpu:v100=1";
  g_assert_cmpint (wl_parse_tres (c, strlen (c), &gpus, &type, NULL, NULL, NULL), ==,
                   WL_PARSE_OK);
  g_assert_cmpuint (gpus, ==, 3);
  g_assert_null (type);
  const char *d = "gres/gpumem=40G,gres/gpu=1,gres/gpuutil=100";
  g_assert_cmpint (wl_parse_tres (d, strlen (d), &gpus, NULL, NULL, NULL, NULL), ==,
                   WL_PARSE_OK);
  g_assert_cmpuint (gpus, ==, 1);
  g_assert_cmpint (wl_parse_tres ("", 0, &gpus, NULL, NULL, NULL, NULL), ==, WL_PARSE_NONE);
  g_assert_cmpint (wl_parse_tres ("cpu", 3, &gpus, NULL, NULL, NULL, NULL), ==, WL_PARSE_BAD);
  g_assert_cmpint (wl_parse_tres ("cpu=x", 5, &gpus, NULL, NULL, NULL, NULL), ==, WL_PARSE_BAD);
}

static void
test_gpu_layout (void)
{
  static const struct {
    guint64  gpus;
    guint32  g, given, nodes, each;
    gboolean rounded;
  } cases[] = {
    { 1, 8, 0, 1, 1, FALSE },   { 2, 8, 0, 1, 2, FALSE },   { 8, 8, 0, 1, 8, FALSE },
    { 9, 8, 0, 2, 5, TRUE },    { 12, 8, 0, 2, 6, FALSE },  { 16, 8, 0, 2, 8, FALSE },
    { 24, 8, 0, 3, 8, FALSE },  { 64, 8, 0, 8, 8, FALSE },  { 3, 2, 0, 2, 2, TRUE },
    { 2, 8, 4, 4, 1, TRUE },    { 16, 8, 2, 2, 8, FALSE },  { 16, 0, 0, 2, 8, FALSE },
    { 128, 8, 0, 16, 8, FALSE }, { 16, 4, 0, 4, 4, FALSE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint32 nodes = cases[i].given, each = 0;
      gboolean r = wl_gpu_layout (cases[i].gpus, cases[i].g, &nodes, &each);
      g_assert_cmpuint (nodes, ==, cases[i].nodes);
      g_assert_cmpuint (each, ==, cases[i].each);
      g_assert_cmpint (r, ==, cases[i].rounded);
    }
  guint32 nodes = 3, each = 9;
  g_assert_false (wl_gpu_layout (0, 8, &nodes, &each));
  g_assert_cmpuint (each, ==, 0);
  g_assert_cmpuint (nodes, ==, 3);
}

static void
test_limit_rules (void)
{
  static const SchedTime ladder[][2] = {
    { 0, 3600 },          { 1, 3600 },          { 3600, 3600 },        { 3601, 7200 },
    { 7200, 7200 },       { 14401, 28800 },     { 43200, 43200 },      { 86400, 86400 },
    { 86401, 172800 },    { 259201, 604800 },   { 604800, 604800 },    { 604801, 691200 },
    { 1237189, 1296000 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (ladder); i++)
    g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_LADDER, 0, ladder[i][0]), ==, ladder[i][1]);
  g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_RUNTIME, 0, 0), ==, 1);
  g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_RUNTIME, 0, 50), ==, 50);
  g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_FACTOR, 2.0, 50), ==, 100);
  g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_FACTOR, 1.5, 3), ==, 5);
  g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_FACTOR, 0, 7), ==, 7);
  g_assert_cmpint (wl_limit_synthesize (WL_LIMIT_FACTOR, 2.0, 0), ==, 1);

  /* in a reader: the rule chosen, and its counter */
  const char *text = "submit,runtime,time_limit\n1,50,\n2,50,600\n3,50,00:20:00\n";
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.limit_rule = WL_LIMIT_FACTOR;
  o.limit_factor = 3;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text, WL_CSV_AUTO, &o, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpint (JOB (jobs, 0)->spec.time_limit, ==, 150);
  g_assert_cmpint (JOB (jobs, 1)->spec.time_limit, ==, 600);
  g_assert_cmpint (JOB (jobs, 2)->spec.time_limit, ==, 1200);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 1);
  g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_FROM_RUNTIME], ==, 0);

  o.limit_rule = WL_LIMIT_RUNTIME;
  g_autoptr (WlReader) r2 = csv_text (text, WL_CSV_AUTO, &o, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs2 = wl_test_read_all (r2);
  g_assert_cmpint (JOB (jobs2, 0)->spec.time_limit, ==, 50);
  g_assert_cmpuint (wl_reader_get_counts (r2)->adjusted[WL_ADJ_REQTIME_FROM_RUNTIME], ==, 1);
}

static void
test_states (void)
{
  static const struct {
    const char   *text;
    SchedJobState state;
    WlStateKind   kind;
  } cases[] = {
    { "COMPLETED", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "Succeeded", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "Pass", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "CANCELLED by 12345", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "CANCELLED+", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "Killed", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "failed", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "OUT_OF_MEMORY", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "TIMEOUT", SCHED_JOB_TIMEOUT, WL_STATE_ENDED },
    { "NODE_FAIL", SCHED_JOB_NODE_FAIL, WL_STATE_ENDED },
    { "PENDING", SCHED_JOB_PENDING, WL_STATE_PENDING },
    { "Running", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { " REQUEUED ", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      SchedJobState st;
      WlStateKind kind;
      g_assert_true (wl__parse_state (cases[i].text, strlen (cases[i].text), &st, &kind));
      g_assert_cmpint (st, ==, cases[i].state);
      g_assert_cmpint (kind, ==, cases[i].kind);
    }
  SchedJobState st;
  WlStateKind kind;
  g_assert_false (wl__parse_state ("WEIRD", 5, &st, &kind));
  g_assert_false (wl__parse_state ("", 0, &st, &kind));
}

static void
test_reason_names (void)
{
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_NOT_STARTED), ==, "not_started");
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_UNFINISHED), ==, "unfinished");
  g_assert_cmpstr (wl_skip_reason_name (WL_SKIP_ORPHAN_STEP), ==, "orphan_step");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_REQTIME_SYNTHESIZED), ==, "reqtime_synthesized");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_GPUS_ROUNDED_UP), ==, "gpus_rounded_up");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_GPU_FRACTION_ROUNDED), ==,
                   "gpu_fraction_rounded");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_CPU_FRACTION_ROUNDED), ==,
                   "cpu_fraction_rounded");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_RUNTIME_FROM_CPUTIME), ==,
                   "runtime_from_cputime");
  g_assert_cmpstr (wl_adjust_reason_name (WL_ADJ_UNFINISHED_KEPT), ==, "unfinished_kept");
  for (guint i = 0; i < WL_SKIP_N; i++)
    g_assert_nonnull (wl_skip_reason_name (i));
  for (guint i = 0; i < WL_ADJ_N; i++)
    g_assert_nonnull (wl_adjust_reason_name (i));
}

/* ---- reading ---------------------------------------------------------------------------- */

static const char itp_text[] = "job_id,submission_time,duration,num_gpu\n"
                               "965d744f-0445,100,600,1\n"
                               "fb10987f-20ac,200,3600,8\n"
                               "0bc6e292-b9b4,300,3601,16\n"
                               "56a60db5-0776,400,700000,12";

static void
check_itp_jobs (GArray *jobs)
{
  g_assert_cmpuint (jobs->len, ==, 4);
  static const struct {
    SchedTime submit, runtime, limit;
    guint32   nodes, gpn, line;
  } want[] = {
    { 100, 600, 3600, 1, 1, 2 },
    { 200, 3600, 3600, 1, 8, 3 },
    { 300, 3601, 7200, 2, 8, 4 },
    { 400, 700000, 777600, 2, 6, 5 },
  };
  for (guint i = 0; i < 4; i++)
    {
      const WlJob *w = JOB (jobs, i);
      g_assert_cmpuint (w->spec.id, ==, i + 1);
      g_assert_cmpint (w->spec.submit, ==, want[i].submit);
      g_assert_cmpint (w->runtime, ==, want[i].runtime);
      g_assert_cmpint (w->spec.time_limit, ==, want[i].limit);
      g_assert_cmpuint (w->spec.min_nodes, ==, want[i].nodes);
      g_assert_cmpuint (w->spec.max_nodes, ==, want[i].nodes);
      g_assert_cmpuint (w->spec.tasks, ==, want[i].nodes);
      g_assert_cmpuint (w->spec.cpus_per_task, ==, 1);
      g_assert_cmpuint (w->spec.gpus_per_node, ==, want[i].gpn);
      g_assert_cmpuint (w->spec.gpu_type, ==, 0);
      g_assert_cmpint (w->spec.partition, ==, -1);
      g_assert_cmpuint (w->spec.mem_per_node_mb, ==, 0);
      g_assert_cmpint (w->end_state, ==, SCHED_JOB_COMPLETED);
      g_assert_cmpuint (w->line, ==, want[i].line);
    }
}

static void
test_itp_inline (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (itp_text, WL_CSV_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_csv_reader_get_preset (r), ==, WL_CSV_ITP);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  check_itp_jobs (jobs);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->read, ==, 4);
  g_assert_cmpuint (c->kept, ==, 4);
  g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 4);
  g_assert_cmpuint (c->adjusted[WL_ADJ_GPUS_ROUNDED_UP], ==, 0);
  g_assert_null (wl_reader_get_info (r)->machine_list);

  /* CRLF line ends, a BOM, blank lines: the same jobs and lines */
  g_autoptr (GString) crlf = g_string_new ("\xef\xbb\xbf");
  for (const char *p = itp_text; *p; p++)
    {
      if (*p == '\n')
        g_string_append_c (crlf, '\r');
      g_string_append_c (crlf, *p);
    }
  g_string_append (crlf, "\r\n\r\n");
  g_autoptr (WlReader) r2 = csv_text (crlf->str, WL_CSV_ITP, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs2 = wl_test_read_all (r2);
  check_itp_jobs (jobs2);

  /* a few bytes per read: every boundary is crossed */
  for (gsize chunk = 1; chunk <= 7; chunk++)
    {
      g_autoptr (GInputStream) in = wl_test_trickle_new (crlf->str, strlen (crlf->str), chunk);
      g_autoptr (WlReader) r3 = wl_csv_reader_new (in, "t.csv", WL_CSV_AUTO, NULL, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) jobs3 = wl_test_read_all (r3);
      check_itp_jobs (jobs3);
    }

  /* G = 4: 8 GPUs take 2 nodes */
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.gpus_per_node = 4;
  g_autoptr (WlReader) r4 = csv_text (itp_text, WL_CSV_AUTO, &o, &error);
  g_autoptr (GArray) jobs4 = wl_test_read_all (r4);
  g_assert_cmpuint (JOB (jobs4, 1)->spec.min_nodes, ==, 2);
  g_assert_cmpuint (JOB (jobs4, 1)->spec.gpus_per_node, ==, 4);
  g_assert_cmpuint (JOB (jobs4, 3)->spec.min_nodes, ==, 3);
  g_assert_cmpuint (JOB (jobs4, 3)->spec.gpus_per_node, ==, 4);
}

static void
test_column_map (void)
{
  const char *text = "ts_ms,run,g,c_milli,who,st\n"
                     "1000000,60,2,1500,alice,COMPLETED\n"
                     "2000000,120,0,4000,bob,failed\n"
                     "3000000,30,1,500,alice,Killed\n"
                     "4000000,30,1,1000,42,done\n";
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.columns = "submit = ts_ms/1000, runtime=run,gpus=g,cpus=c_milli/1000,user=who,state=st,"
              "nodes=1,time_limit=7200";
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text, WL_CSV_GENERIC, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_csv_reader_get_preset (r), ==, WL_CSV_GENERIC);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  g_assert_cmpuint (jobs->len, ==, 4);
  const guint32 base = (guint32) 1 << 31;
  const WlJob *a = JOB (jobs, 0), *b = JOB (jobs, 1), *c = JOB (jobs, 2), *d = JOB (jobs, 3);
  g_assert_cmpint (a->spec.submit, ==, 1000);
  g_assert_cmpint (a->runtime, ==, 60);
  g_assert_cmpint (a->spec.time_limit, ==, 7200);
  g_assert_cmpuint (a->spec.min_nodes, ==, 1);
  g_assert_cmpuint (a->spec.gpus_per_node, ==, 2);
  g_assert_cmpuint (a->spec.tasks, ==, 2);                 /* 1.5 CPUs */
  g_assert_cmpuint (a->spec.user, ==, base);
  g_assert_cmpint (a->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (b->spec.gpus_per_node, ==, 0);
  g_assert_cmpuint (b->spec.tasks, ==, 4);
  g_assert_cmpuint (b->spec.min_nodes, ==, 1);
  g_assert_cmpuint (b->spec.user, ==, base + 1);
  g_assert_cmpint (b->end_state, ==, SCHED_JOB_FAILED);
  g_assert_cmpuint (c->spec.tasks, ==, 1);
  g_assert_cmpuint (c->spec.user, ==, base);
  g_assert_cmpint (c->end_state, ==, SCHED_JOB_CANCELLED);
  g_assert_cmpuint (d->spec.user, ==, 42);
  const WlCounts *cn = wl_reader_get_counts (r);
  g_assert_cmpuint (cn->adjusted[WL_ADJ_CPU_FRACTION_ROUNDED], ==, 2);
  g_assert_cmpuint (cn->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, 0);

  /* over a preset: "gpus=" drops the preset's entry, others add */
  o.columns = "gpus=,cpus=num_gpu";
  g_autoptr (WlReader) r2 = csv_text (itp_text, WL_CSV_AUTO, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_csv_reader_get_preset (r2), ==, WL_CSV_ITP);
  g_autoptr (GArray) jobs2 = wl_test_read_all (r2);
  g_assert_cmpuint (JOB (jobs2, 2)->spec.gpus_per_node, ==, 0);
  g_assert_cmpuint (JOB (jobs2, 2)->spec.tasks, ==, 16);
  g_assert_cmpuint (JOB (jobs2, 2)->spec.min_nodes, ==, 0);

  /* the generic reader finds columns by their usual names, any case */
  const char *guess = "Job_ID,Submit_Time,Duration,GPU_Num,Status\n7,10,20,2,FAILED\n";
  g_autoptr (WlReader) r3 = csv_text (guess, WL_CSV_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs3 = wl_test_read_all (r3);
  g_assert_cmpuint (jobs3->len, ==, 1);
  g_assert_cmpuint (JOB (jobs3, 0)->spec.id, ==, 7);
  g_assert_cmpint (JOB (jobs3, 0)->runtime, ==, 20);
  g_assert_cmpuint (JOB (jobs3, 0)->spec.gpus_per_node, ==, 2);
  g_assert_cmpint (JOB (jobs3, 0)->end_state, ==, SCHED_JOB_FAILED);
}

static void
test_map_errors (void)
{
  const char *text = "ts_ms,run,g\n1,2,3\n";
  static const struct {
    const char *columns;
    int         code;
    const char *part;
  } cases[] = {
    { "submit=ts_ms,runtime=nope", WL_ERROR_MALFORMED,
      "t.csv: column map: runtime: no column \"nope\" in the header (columns: \"ts_ms\", "
      "\"run\", \"g\")" },
    { "sbmit=ts_ms", WL_ERROR_MALFORMED, "t.csv: column map: unknown target \"sbmit\" "
                                         "(expected one of: id, user, group, submit" },
    { "submit=ts_ms,submit=run", WL_ERROR_MALFORMED, "target \"submit\" given twice" },
    { "submit", WL_ERROR_MALFORMED, "t.csv: column map: \"submit\": expected target=column" },
    { "submit=ts_ms/0,runtime=run", WL_ERROR_MALFORMED, "submit: the scale must be above 0" },
    { "submit=ts_ms,runtime=run,state=7", WL_ERROR_MALFORMED,
      "column map: state: \"7\" is not a valid value" },
    { "runtime=run", WL_ERROR_UNSUPPORTED,
      "t.csv: no column gives the submit time (map one with submit=COLUMN)" },
    { "submit=ts_ms", WL_ERROR_UNSUPPORTED, "t.csv: no column gives the run time" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.columns = cases[i].columns;
      g_autoptr (GError) error = NULL;
      WlReader *r = csv_text (text, WL_CSV_GENERIC, &o, &error);
      g_assert_null (r);
      wl_test_assert_error_has (error, WL_ERROR, cases[i].code, cases[i].part);
    }
  g_autoptr (GError) error = NULL;
  g_assert_null (csv_text ("", WL_CSV_AUTO, NULL, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                            "t.csv: empty file: no header row");
  g_clear_error (&error);
  g_assert_null (csv_text ("a,b\n1,2\n", WL_CSV_AUTO, NULL, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                            "no column gives the submit time");
  g_clear_error (&error);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.time_zone = "Mars/Olympus_Mons";
  g_assert_null (csv_text (itp_text, WL_CSV_AUTO, &o, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                    "t.csv: unknown time zone \"Mars/Olympus_Mons\"");
}

static const char *const bad_rows[][2] = {
  { "1,2\n", "t.csv:2: expected 6 columns as in the header, got 2" },
  { "x,10,1,COMPLETED,,\n", "t.csv:2: column 1 \"submit\" (submit): expected a time "
                            "(seconds, or a date YYYY-MM-DD HH:MM:SS), got \"x\"" },
  { ",10,1,COMPLETED,,\n", "t.csv:2: column 1 \"submit\" (submit): expected a time" },
  { "1,abc,1,COMPLETED,,\n", "t.csv:2: column 2 \"runtime\" (runtime): expected a duration "
                             "(seconds, or [D-]HH:MM:SS), got \"abc\"" },
  { "1,10,-3,COMPLETED,,\n", "t.csv:2: column 3 \"gpus\" (gpus): expected a number >= 0, "
                             "got \"-3\"" },
  { "1,10,1,WEIRD,,\n", "t.csv:2: column 4 \"state\" (state): expected a job state" },
  { "1,,1,COMPLETED,50,40\n", "t.csv:2: column 6 \"end\" (end): expected an end time not "
                              "before the start time, got \"40\"" },
  { "1,,1,COMPLETED,2017-02-30 00:00:00,\n", "t.csv:2: column 5 \"start\" (start): expected "
                                             "a time" },
};

static const char bad_header[] = "submit,runtime,gpus,state,start,end\n";

static void
test_row_errors_strict (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (bad_rows); i++)
    {
      g_autofree char *text = g_strconcat (bad_header, bad_rows[i][0], NULL);
      WlReaderOptions o;
      wl_reader_options_init (&o);
      o.strict = TRUE;
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = csv_text (text, WL_CSV_AUTO, &o, &error);
      g_assert_no_error (error);
      g_autoptr (GError) e = wl_test_read_error (r);
      wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_MALFORMED, bad_rows[i][1]);
      g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_MALFORMED], ==, 1);
    }
}

static void
test_row_errors_lenient (void)
{
  g_autoptr (GString) text = g_string_new (bad_header);
  for (gsize i = 0; i < G_N_ELEMENTS (bad_rows); i++)
    g_string_append (text, bad_rows[i][0]);
  g_string_append (text, "5,10,1,COMPLETED,,\n");
  g_autoptr (GPtrArray) msgs = g_ptr_array_new_with_free_func (g_free);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.max_warnings = 3;
  o.warn_func = wl_test_collect_warning;
  o.warn_data = msgs;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text->str, WL_CSV_AUTO, &o, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  g_assert_cmpuint (jobs->len, ==, 1);
  g_assert_cmpuint (JOB (jobs, 0)->line, ==, G_N_ELEMENTS (bad_rows) + 2);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->read, ==, G_N_ELEMENTS (bad_rows) + 1);
  g_assert_cmpuint (c->skipped[WL_SKIP_MALFORMED], ==, G_N_ELEMENTS (bad_rows));
  g_assert_cmpuint (c->kept, ==, 1);
  g_assert_cmpuint (msgs->len, ==, 4);                   /* 3, then one note */
  g_assert_nonnull (strstr (msgs->pdata[0], "t.csv:2: expected 6 columns"));
  g_assert_nonnull (strstr (msgs->pdata[2], "t.csv:4: column 1 \"submit\""));
  g_assert_nonnull (strstr (msgs->pdata[3], "further malformed records are skipped"));
}

static void
test_skip_rules (void)
{
  const char *text = "id,submit,start,end,runtime,state,gpus,cpus\n"
                     "1,10,20,80,,COMPLETED,1,\n"     /* kept: 60 s */
                     "2,11,,,,PENDING,1,\n"           /* not_started: pending */
                     "3,12,,,,COMPLETED,1,\n"         /* not_started: no start */
                     "4,13,20,,,RUNNING,1,\n"         /* unfinished */
                     "5,14,20,,100,RUNNING,1,\n"      /* kept: unfinished_kept */
                     "6,15,20,20,,FAILED,1,\n"        /* no_runtime: 0 s */
                     "7,16,20,30,,COMPLETED,0,0\n"    /* no_size */
                     "8,17,20,30,,,1,\n"              /* kept: no state = COMPLETED */
                     "9,18,20,,,COMPLETED,1,\n";      /* no_runtime: no end */
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text, WL_CSV_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  g_assert_cmpuint (jobs->len, ==, 3);
  g_assert_cmpuint (JOB (jobs, 0)->spec.id, ==, 1);
  g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 60);
  g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 5);
  g_assert_cmpint (JOB (jobs, 1)->runtime, ==, 100);
  g_assert_cmpint (JOB (jobs, 1)->end_state, ==, SCHED_JOB_COMPLETED);
  g_assert_cmpuint (JOB (jobs, 2)->spec.id, ==, 8);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->read, ==, 9);
  g_assert_cmpuint (c->kept, ==, 3);
  g_assert_cmpuint (c->skipped[WL_SKIP_NOT_STARTED], ==, 2);
  g_assert_cmpuint (c->skipped[WL_SKIP_UNFINISHED], ==, 1);
  g_assert_cmpuint (c->skipped[WL_SKIP_NO_RUNTIME], ==, 2);
  g_assert_cmpuint (c->skipped[WL_SKIP_NO_SIZE], ==, 1);
  g_assert_cmpuint (c->adjusted[WL_ADJ_UNFINISHED_KEPT], ==, 1);
  wl_test_assert_counts_balance (c);

  /* keep_zero_runtime keeps the 0-second job, not the one without an end */
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.keep_zero_runtime = TRUE;
  g_autoptr (WlReader) r2 = csv_text (text, WL_CSV_AUTO, &o, &error);
  g_autoptr (GArray) jobs2 = wl_test_read_all (r2);
  g_assert_cmpuint (jobs2->len, ==, 4);
  const WlCounts *c2 = wl_reader_get_counts (r2);
  g_assert_cmpuint (c2->adjusted[WL_ADJ_RUNTIME_ZERO_KEPT], ==, 1);
  g_assert_cmpuint (c2->skipped[WL_SKIP_NO_RUNTIME], ==, 1);
  g_assert_cmpint (JOB (jobs2, 2)->runtime, ==, 0);
  g_assert_cmpint (JOB (jobs2, 2)->spec.time_limit, ==, 3600);
}

static void
test_sort_window (void)
{
  const char *text = "submit,runtime\n50,1\n10,1\n40,1\n20,1\n30,1\n";
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.sort_window = 2;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text, WL_CSV_AUTO, &o, &error);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  static const guint ids[] = { 2, 4, 5, 3, 1 };
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint (JOB (jobs, i)->spec.id, ==, ids[i]);
      g_assert_cmpint (JOB (jobs, i)->spec.submit, ==, 10 * (i + 1));
    }
  g_assert_cmpuint (wl_reader_get_counts (r)->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);

  /* window 1: input order; earlier rows are raised to the last submit time */
  o.sort_window = 1;
  g_autoptr (WlReader) r1 = csv_text (text, WL_CSV_AUTO, &o, &error);
  g_autoptr (GArray) jobs1 = wl_test_read_all (r1);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpuint (JOB (jobs1, i)->spec.id, ==, i + 1);
      g_assert_cmpint (JOB (jobs1, i)->spec.submit, ==, 50);
    }
  g_assert_cmpuint (wl_reader_get_counts (r1)->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 4);
  g_assert_cmpuint (wl_reader_get_counts (r1)->kept, ==, 5);

  /* a row later than the window can absorb */
  const char *late = "submit,runtime\n100,1\n90,1\n80,1\n10,1\n";
  o.sort_window = 2;
  g_autoptr (WlReader) r2 = csv_text (late, WL_CSV_AUTO, &o, &error);
  g_autoptr (GArray) jobs2 = wl_test_read_all (r2);
  static const guint ids2[] = { 3, 4, 2, 1 };
  static const SchedTime sub2[] = { 80, 80, 90, 100 };
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpuint (JOB (jobs2, i)->spec.id, ==, ids2[i]);
      g_assert_cmpint (JOB (jobs2, i)->spec.submit, ==, sub2[i]);
    }
  g_assert_cmpuint (wl_reader_get_counts (r2)->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 1);

  /* strict: an error naming the line */
  o.strict = TRUE;
  g_autoptr (WlReader) r3 = csv_text (late, WL_CSV_AUTO, &o, &error);
  g_autoptr (GError) e = wl_test_read_error (r3);
  wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_UNSUPPORTED,
                    "t.csv:5: submit time 10 is earlier than 80, that of a job already passed "
                    "on: the rows are sorted within a window of 2 rows only");
}

static void
test_quoting (void)
{
  const char *text = "\"job id\",submit,\"note\",runtime\r\n"
                     "1,100,\"multi\nline, with \"\"comma\"\"\",50\r\n"
                     "\r\n"
                     "2,xx,\"\",60\r\n"
                     "3,300,plain,70";
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.columns = "id=job id,submit=submit,runtime=runtime";
  g_autoptr (GPtrArray) msgs = g_ptr_array_new_with_free_func (g_free);
  o.warn_func = wl_test_collect_warning;
  o.warn_data = msgs;
  for (gsize chunk = 0; chunk <= 5; chunk++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GInputStream) in = chunk == 0
          ? g_memory_input_stream_new_from_data (text, -1, NULL)
          : wl_test_trickle_new (text, strlen (text), chunk);
      g_autoptr (WlReader) r = wl_csv_reader_new (in, "t.csv", WL_CSV_GENERIC, &o, &error);
      g_assert_no_error (error);
      g_ptr_array_set_size (msgs, 0);
      g_autoptr (GArray) jobs = wl_test_read_all (r);
      g_assert_cmpuint (jobs->len, ==, 2);
      g_assert_cmpuint (JOB (jobs, 0)->line, ==, 2);
      g_assert_cmpuint (JOB (jobs, 1)->spec.id, ==, 3);
      g_assert_cmpuint (JOB (jobs, 1)->line, ==, 6);
      g_assert_cmpuint (msgs->len, ==, 1);
      g_assert_nonnull (strstr (msgs->pdata[0], "t.csv:5: column 2 \"submit\""));
    }

  /* tab- and semicolon-separated files */
  const char *tabs = "submit\truntime\tgpus\n100\t5\t2\n";
  const char *semis = "submit;runtime;gpus\n100;5;2\n";
  for (int k = 0; k < 2; k++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = csv_text (k == 0 ? tabs : semis, WL_CSV_AUTO, NULL, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) jobs = wl_test_read_all (r);
      g_assert_cmpuint (jobs->len, ==, 1);
      g_assert_cmpint (JOB (jobs, 0)->runtime, ==, 5);
      g_assert_cmpuint (JOB (jobs, 0)->spec.gpus_per_node, ==, 2);
    }

  /* an unbalanced quote swallowing the file is an error, not a crash */
  g_autoptr (GString) big = g_string_new ("submit,runtime\n1,\"");
  for (int i = 0; i < 300000; i++)
    g_string_append (big, "abcdefg,\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) rb = csv_text (big->str, WL_CSV_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GError) e = wl_test_read_error (rb);
  wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_MALFORMED, "t.csv:2: a field longer than");
}

static void
test_helios_inline (void)
{
  const char *text =
      "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,"
      "duration,queue\n"
      "1425511,uXBbc,vcJkd,1,1,1,COMPLETED,2020-06-09 18:41:01,2020-06-09 18:41:01,"
      "2020-06-10 04:55:09,36848,0\n"
      "1425512,uVMrF,vchbv,4,16,1,FAILED,2020-06-09 18:41:27,2020-06-09 18:41:27,"
      "2020-06-09 18:45:36,249,0\n"
      "1425514,uXBbc,vcJkd,16,32,2,NODE_FAIL,2020-06-09 18:42:00,2020-06-09 18:50:00,"
      "2020-06-09 19:50:00,3600,480\n"
      "1425515,uXBbc,vcJkd,0,4,1,CANCELLED,2020-06-09 18:43:00,,,,\n"
      "1425516,u1,vc1,0,8,1,COMPLETED,2020-06-09 18:43:00,,,100,5\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text, WL_CSV_AUTO, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_csv_reader_get_preset (r), ==, WL_CSV_HELIOS);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  g_assert_cmpuint (jobs->len, ==, 4);
  const guint32 base = (guint32) 1 << 31;
  const WlJob *a = JOB (jobs, 0), *b = JOB (jobs, 1), *c = JOB (jobs, 2), *d = JOB (jobs, 3);
  g_assert_cmpuint (a->spec.id, ==, 1425511);
  g_assert_cmpuint (a->spec.user, ==, base);
  g_assert_cmpint (a->spec.submit, ==, 1591728061);
  g_assert_cmpint (a->runtime, ==, 36848);
  g_assert_cmpuint (a->spec.tasks, ==, 1);
  g_assert_cmpuint (a->spec.gpus_per_node, ==, 1);
  g_assert_cmpuint (b->spec.user, ==, base + 1);
  g_assert_cmpuint (b->spec.tasks, ==, 16);
  g_assert_cmpuint (b->spec.min_nodes, ==, 1);
  g_assert_cmpuint (b->spec.gpus_per_node, ==, 4);
  g_assert_cmpint (b->end_state, ==, SCHED_JOB_FAILED);
  g_assert_cmpuint (c->spec.min_nodes, ==, 2);
  g_assert_cmpuint (c->spec.max_nodes, ==, 2);
  g_assert_cmpuint (c->spec.gpus_per_node, ==, 8);
  g_assert_cmpuint (c->spec.tasks, ==, 32);
  g_assert_cmpint (c->end_state, ==, SCHED_JOB_NODE_FAIL);
  g_assert_cmpuint (c->spec.user, ==, base);
  g_assert_cmpuint (d->spec.id, ==, 1425516);             /* the CPU job: start = submit + 5 */
  g_assert_cmpuint (d->spec.gpus_per_node, ==, 0);
  g_assert_cmpuint (d->spec.tasks, ==, 8);
  g_assert_cmpuint (d->spec.min_nodes, ==, 1);
  g_assert_cmpuint (d->spec.user, ==, base + 2);
  g_assert_cmpuint (wl_reader_get_counts (r)->skipped[WL_SKIP_NOT_STARTED], ==, 1);
}

static guint resolve_calls;

static gint64
resolve_test (WlNameKind kind, const char *name, gpointer data)
{
  g_assert_cmpstr (data, ==, "ctx");
  resolve_calls++;
  if (kind == WL_NAME_GPU_TYPE)
    return strcmp (name, "v100") == 0 ? 5 : 0;
  return strcmp (name, "a") == 0 ? 0 : strcmp (name, "b") == 0 ? 1 : -1;
}

static void
test_resolve (void)
{
  const char *text = "submit,runtime,partition,gpu_type,gpus,cpus\n"
                     "1,10,a,v100,1,1\n2,10,b,,1,1\n3,10,a,v100,0,1\n4,10,c,k80,1,1\n";
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.resolve = resolve_test;
  o.resolve_data = (gpointer) "ctx";
  resolve_calls = 0;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = csv_text (text, WL_CSV_AUTO, &o, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resolve_calls, ==, 0);        /* nothing before the first next() */
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  g_assert_cmpuint (jobs->len, ==, 4);
  g_assert_cmpint (JOB (jobs, 0)->spec.partition, ==, 0);
  g_assert_cmpuint (JOB (jobs, 0)->spec.gpu_type, ==, 5);
  g_assert_cmpint (JOB (jobs, 1)->spec.partition, ==, 1);
  g_assert_cmpuint (JOB (jobs, 1)->spec.gpu_type, ==, 0);
  g_assert_cmpuint (JOB (jobs, 2)->spec.gpu_type, ==, 0);  /* no GPUs, no type */
  g_assert_cmpint (JOB (jobs, 3)->spec.partition, ==, -1);
  g_assert_cmpuint (resolve_calls, ==, 5);        /* a, v100, b, c, k80: once each */
}

/* ---- the format switch ------------------------------------------------------------------ */

static void
test_open_formats (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-csv-XXXXXX", NULL);
  g_assert_nonnull (dir);
  struct {
    const char *name, *text, *format;
    WlCsvPreset preset;
  } cases[] = {
    { "a.swf", "; MaxProcs: 4\n1 0 0 10 1 -1 -1 1 20 -1 1 1 1 -1 -1 -1 -1 -1\n", NULL, 0 },
    { "jobs.txt", "JobID|Submit|Elapsed|NCPUS\n1|2024-01-01T00:00:00|00:01:00|1\n", NULL, 0 },
    { "x.csv", itp_text, NULL, WL_CSV_ITP },
    { "y.data", "timestamp,duration,num_gpus\n2017-10-09 07:01:55,66.0,1\n", NULL,
      WL_CSV_PHILLY },
    { "z.csv", itp_text, "csv", WL_CSV_ITP },
    { "w.csv", itp_text, "itp", WL_CSV_ITP },
  };
  const char *want[] = { "swf", "sacct", "csv", "csv", "csv", "csv" };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, cases[i].name, NULL);
      g_assert_true (g_file_set_contents (path, cases[i].text, -1, NULL));
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = wl_reader_open (path, cases[i].format, NULL, &error);
      g_assert_no_error (error);
      g_autoptr (GArray) jobs = wl_test_read_all (r);
      g_assert_cmpuint (jobs->len, ==, strcmp (cases[i].name, "x.csv") == 0
                                               || cases[i].format != NULL ? 4 : 1);
      if (strcmp (want[i], "csv") == 0)
        g_assert_cmpint (wl_csv_reader_get_preset (r), ==, cases[i].preset);
      g_unlink (path);
    }
  g_autofree char *odd = g_build_filename (dir, "odd.bin", NULL);
  g_assert_true (g_file_set_contents (odd, "hello world\n", -1, NULL));
  g_autoptr (GError) error = NULL;
  g_assert_null (wl_reader_open (odd, NULL, NULL, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_UNSUPPORTED, "cannot tell the trace format");
  g_clear_error (&error);
  g_assert_null (wl_reader_open (odd, "parquet", NULL, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                    "unknown trace format \"parquet\" (expected one of: auto, swf, csv, itp, "
                    "philly, alibaba, helios, sacct, json, batsim)");
  g_clear_error (&error);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_assert_null (wl_reader_open (missing, NULL, NULL, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_IO);
  g_unlink (odd);
  g_rmdir (dir);
}

static void
test_scan_machine (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "t.csv", NULL);
  /* 3 jobs over 1000 s: 8 GPUs x 1000 s, 16 GPUs x 500 s, 1 GPU x 10 s: mean demand
   * 16.01 GPUs, / (0.7 x 8) -> 3 nodes; the largest job needs 2; memory 4000 MB */
  const char *text = "submit,runtime,gpus,cpus,mem_mb\n0,1000,8,4,1000\n500,500,16,40,4000\n"
                     "1000,10,1,1,\n";
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.scan = TRUE;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, NULL, &o, &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_assert_cmpint (info->max_nodes, ==, 3);
  g_assert_cmpint (info->gpus_per_node, ==, 8);
  g_assert_cmpint (info->cpus_per_node, ==, 20);
  g_assert_cmpint (info->max_procs, ==, 60);
  g_assert_cmpint (info->mem_per_node_mb, ==, 4000);
  g_autoptr (SchedCluster) cl = wl_trace_cluster_new (info, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_n_nodes (cl), ==, 3);
  g_assert_cmpuint (sched_cluster_total_gpus (cl), ==, 24);
  g_assert_cmpuint (sched_cluster_total_cpus (cl), ==, 60);
  g_autoptr (GArray) jobs = wl_test_read_all (r);           /* the scan left the reader untouched */
  g_assert_cmpuint (jobs->len, ==, 3);

  WlTraceInfo none = { 0 };
  none.cpus_per_node = -1;
  g_assert_null (wl_trace_cluster_new (&none, &error));
  g_assert_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_machine_list_inline (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "nodes.csv", NULL);
  const char *text = "sn,cpu_milli,memory_mib,gpu,model\nn0,32000,262144,0,\n"
                     "n1,96500,393216,8,G2\nn2,96000,393216,8,G2\nn3,8000,32768,1,T4\n";
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_autoptr (GError) error = NULL;
  g_autoptr (SchedCluster) cl = wl_machine_list_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_n_nodes (cl), ==, 4);
  g_assert_cmpuint (sched_cluster_total_gpus (cl), ==, 17);
  g_assert_cmpuint (sched_cluster_node (cl, 1)->cpus, ==, 97);
  g_assert_cmpuint (sched_cluster_node (cl, 1)->mem_mb, ==, 393216);
  g_assert_cmpstr (sched_cluster_gpu_type_name (cl, sched_cluster_node (cl, 3)->gpu_type), ==,
                   "T4");
  g_assert_cmpuint (sched_cluster_node (cl, 0)->gpu_type, ==, 0);
  g_assert_cmpint (sched_cluster_default_partition (cl), ==, 0);

  const char *dup = "sn,gpu\na,1\na,2\n";
  g_assert_true (g_file_set_contents (path, dup, -1, NULL));
  g_assert_null (wl_machine_list_load (path, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, "node \"a\" listed twice");
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "sn,gpu\na,x\n", -1, NULL));
  g_assert_null (wl_machine_list_load (path, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED,
                            "node 1: expected a number of GPUs");
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "name,colour\na,red\n", -1, NULL));
  g_assert_null (wl_machine_list_load (path, &error));
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_MALFORMED, "needs a CPU or a GPU column");
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- the real GPU traces ---------------------------------------------------------------- */

static void
test_real_itp (void)
{
  g_autofree char *dir = wl_test_shared_dir ("gpu");
  if (dir == NULL)
    {
      g_test_skip ("shared traces not found (SLUICE_SHARED/traces/gpu)");
      return;
    }
  /* README.md, section 5 */
  static const struct {
    const char *file;
    guint       jobs;
    guint64     gpus;
  } files[] = {
    { "itp-elasticflow-cluster01.csv", 1595, 3728 },
    { "itp-elasticflow-cluster02.csv", 5778, 11785 },
    { "itp-elasticflow-cluster03.csv", 3011, 18760 },
    { "itp-elasticflow-cluster04.csv", 15802, 47958 },
    { "itp-elasticflow-cluster05.csv", 3629, 4329 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].file, NULL);
      g_autoptr (GError) error = NULL;
      g_autoptr (WlReader) r = wl_reader_open (path, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (wl_csv_reader_get_preset (r), ==, WL_CSV_ITP);
      g_autoptr (GArray) jobs = wl_test_read_all (r);
      const WlCounts *c = wl_reader_get_counts (r);
      g_assert_cmpuint (jobs->len, ==, files[i].jobs);
      g_assert_cmpuint (c->read, ==, files[i].jobs);
      g_assert_cmpuint (c->kept, ==, files[i].jobs);
      g_assert_cmpuint (c->adjusted[WL_ADJ_REQTIME_SYNTHESIZED], ==, files[i].jobs);
      wl_test_assert_counts_balance (c);
      g_assert_cmpuint (c->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);
      g_assert_cmpuint (c->adjusted[WL_ADJ_GPUS_ROUNDED_UP], ==, 0);
      g_assert_cmpuint (total_gpus (jobs), ==, files[i].gpus);
      assert_sorted (jobs);
      for (guint k = 0; k < jobs->len; k++)
        {
          g_assert_cmpuint (JOB (jobs, k)->spec.id, ==, k + 1);   /* sorted already */
          g_assert_cmpint (JOB (jobs, k)->runtime, >=, 600);
          g_assert_cmpint (JOB (jobs, k)->runtime, <=, JOB (jobs, k)->spec.time_limit);
        }
    }
}

static void
test_real_philly (void)
{
  g_autofree char *dir = wl_test_shared_dir ("gpu");
  if (dir == NULL)
    {
      g_test_skip ("shared traces not found (SLUICE_SHARED/traces/gpu)");
      return;
    }
  g_autofree char *path = g_build_filename (dir, "philly-pollux-jobs.csv.gz", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, "philly", NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->read, ==, 82247);
  g_assert_cmpuint (c->kept, ==, 82247);
  g_assert_cmpuint (c->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);   /* 131,072-row window */
  g_assert_cmpuint (c->adjusted[WL_ADJ_GPUS_ROUNDED_UP], ==, 0);    /* 12 -> 2 x 6 */
  g_assert_cmpuint (total_gpus (jobs), ==, 107235);
  assert_sorted (jobs);
  g_assert_cmpint (JOB (jobs, 0)->spec.submit, ==, 1504521041);     /* 2017-09-04 10:30:41 */
  g_assert_cmpint (JOB (jobs, jobs->len - 1)->spec.submit, ==, 1513929731);
  const char *ml = wl_reader_get_info (r)->machine_list;
  g_assert_nonnull (ml);
  g_assert_true (g_str_has_suffix (ml, "philly-cluster_machine_list.csv"));
  g_autoptr (SchedCluster) cl = wl_trace_cluster_new (wl_reader_get_info (r), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_n_nodes (cl), ==, 552);
  g_assert_cmpuint (sched_cluster_total_gpus (cl), ==, 2490);

  /* the default window of other formats is too small for this file: counted, clamped */
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.sort_window = 65536;
  g_autoptr (WlReader) r2 = wl_reader_open (path, "philly", &o, &error);
  g_assert_no_error (error);
  g_autoptr (GArray) jobs2 = wl_test_read_all (r2);
  g_assert_cmpuint (jobs2->len, ==, 82247);
  g_assert_cmpuint (wl_reader_get_counts (r2)->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 2185);
  assert_sorted (jobs2);
  o.strict = TRUE;
  g_autoptr (WlReader) r3 = wl_reader_open (path, "philly", &o, &error);
  g_autoptr (GError) e = wl_test_read_error (r3);
  wl_test_assert_error_has (e, WL_ERROR, WL_ERROR_UNSUPPORTED,
                            "sorted within a window of 65536 rows");
}

static void
test_real_alibaba (void)
{
  g_autofree char *dir = wl_test_shared_dir ("gpu");
  if (dir == NULL)
    {
      g_test_skip ("shared traces not found (SLUICE_SHARED/traces/gpu)");
      return;
    }
  g_autofree char *path = g_build_filename (dir, "alibaba-gpu-v2023-openb_pod_list_default.csv",
                                            NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (wl_csv_reader_get_preset (r), ==, WL_CSV_ALIBABA);
  g_autoptr (GArray) jobs = wl_test_read_all (r);
  const WlCounts *c = wl_reader_get_counts (r);
  /* README.md, section 1: 8,152 pods, 897 Pending, 5,193 Running (with a deletion time) */
  g_assert_cmpuint (c->read, ==, 8152);
  g_assert_cmpuint (c->skipped[WL_SKIP_NOT_STARTED], ==, 897);
  g_assert_cmpuint (c->kept, ==, 7255);
  g_assert_cmpuint (jobs->len, ==, 7255);
  g_assert_cmpuint (c->adjusted[WL_ADJ_UNFINISHED_KEPT], ==, 5193);
  wl_test_assert_counts_balance (c);
  g_assert_cmpuint (c->adjusted[WL_ADJ_GPU_FRACTION_ROUNDED], ==, 2573);
  g_assert_cmpuint (c->adjusted[WL_ADJ_CPU_FRACTION_ROUNDED], ==, 4983);
  g_assert_cmpuint (c->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);
  g_assert_cmpuint (total_gpus (jobs), ==, 6571);
  assert_sorted (jobs);
  guint failed = 0;
  for (guint i = 0; i < jobs->len; i++)
    {
      const WlJob *w = JOB (jobs, i);
      g_assert_cmpuint (w->spec.min_nodes, ==, 1);
      g_assert_cmpuint (w->spec.max_nodes, ==, 1);
      g_assert_cmpuint (w->spec.gpus_per_node, <=, 8);
      g_assert_cmpint (w->runtime, >, 0);
      failed += w->end_state == SCHED_JOB_FAILED;
    }
  g_assert_cmpuint (failed, ==, 1870);
  const char *ml = wl_reader_get_info (r)->machine_list;
  g_assert_nonnull (ml);
  g_autoptr (SchedCluster) cl = wl_machine_list_load (ml, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sched_cluster_n_nodes (cl), ==, 1523);
  g_assert_cmpuint (sched_cluster_total_gpus (cl), ==, 6212);
}

static void
test_real_scan (void)
{
  g_autofree char *dir = wl_test_shared_dir ("gpu");
  if (dir == NULL)
    {
      g_test_skip ("shared traces not found (SLUICE_SHARED/traces/gpu)");
      return;
    }
  g_autofree char *path = g_build_filename (dir, "itp-elasticflow-cluster01.csv", NULL);
  WlReaderOptions o;
  wl_reader_options_init (&o);
  o.scan = TRUE;
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (path, "itp", &o, &error);
  g_assert_no_error (error);
  const WlTraceInfo *info = wl_reader_get_info (r);
  g_assert_cmpint (info->gpus_per_node, ==, 8);
  g_assert_cmpint (info->cpus_per_node, ==, 8);
  g_assert_cmpint (info->max_nodes, >=, 8);       /* the 64-GPU jobs */
  g_test_message ("itp cluster01: derived machine of %" G_GINT64_FORMAT " nodes x 8 GPUs",
                  info->max_nodes);
}

static void
test_sim_end_to_end (void)
{
  g_autofree char *dir = wl_test_shared_dir ("gpu");
  const char *bin = g_getenv ("SLUICE_BIN");
  if (dir == NULL || bin == NULL)
    {
      g_test_skip ("needs the shared traces and SLUICE_BIN");
      return;
    }
  g_autofree char *trace = g_build_filename (dir, "itp-elasticflow-cluster01.csv", NULL);
  g_autofree char *out = g_dir_make_tmp ("sluice-e2e-XXXXXX", NULL);
  const char *argv[] = { bin, "sim", "--trace", trace, "--format", "itp", "--policy", "easy",
                         "--out", out, "--quiet", NULL };
  g_autofree char *sout = NULL, *serr = NULL;
  int status = 0;
  g_autoptr (GError) error = NULL;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &sout,
                               &serr, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("sluice sim failed: %s", serr);
  g_autofree char *csv_path = g_build_filename (out, "jobs.csv", NULL);
  g_autofree char *csv = NULL;
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  guint rows = 0;
  for (const char *p = csv; *p; p++)
    rows += *p == '\n';
  g_assert_cmpuint (rows, ==, 1595 + 1);           /* header + one record per job */
  g_autofree char *sum_path = g_build_filename (out, "summary.json", NULL);
  json_t *root = json_load_file (sum_path, 0, NULL);
  g_assert_nonnull (root);
  g_assert_cmpint (json_integer_value (json_object_get (root, "jobs")), ==, 1595);
  json_t *skipped = json_object_get (root, "skipped"), *adjusted = json_object_get (root, "adjusted");
  const char *key;
  json_t *val;
  json_object_foreach (skipped, key, val)
    g_assert_cmpint (json_integer_value (val), ==, 0);
  g_assert_cmpint (json_integer_value (json_object_get (adjusted, "reqtime_synthesized")), ==,
                   1595);
  json_decref (root);
  g_unlink (csv_path);
  g_unlink (sum_path);
  g_rmdir (out);
}

/* ---- speed ------------------------------------------------------------------------------ */

static void
test_speed (void)
{
  const guint n = 400000;
  GString *text = g_string_new ("job_id,submission_time,duration,num_gpu\n");
  guint32 seed = 1;
  for (guint i = 0; i < n; i++)
    {
      seed = seed * 1103515245 + 12345;
      static const int gpus[] = { 1, 1, 1, 2, 4, 8, 16, 64 };
      g_string_append_printf (text, "%08x-0445-c1a8-12af-97e4c536c66e,%u,%u,%d\n", i, i * 3,
                              600 + (seed >> 8) % 100000, gpus[(seed >> 4) % 8]);
    }
  gsize len = text->len;
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data (g_string_free (text, FALSE),
                                                                     (gssize) len, g_free);
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_csv_reader_new (in, "speed.csv", WL_CSV_AUTO, NULL, &error);
  g_assert_no_error (error);
  guint64 count = 0;
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      g_assert_true (wl_reader_next (r, &w, &eof, &error));
      if (eof)
        break;
      count++;
    }
  double s = (double) (g_get_monotonic_time () - t0) / 1e6;
  g_assert_cmpuint (count, ==, n);
  double rate = (double) n / s;
  g_test_message ("CSV parsing: %u rows (%.1f MB) in %.3f s: %.0f rows/s", n,
                  (double) len / 1e6, s, rate);
  if (g_test_perf ())
    {
      g_test_minimized_result (s, "%u rows in %.3f s", n, s);
      g_assert_cmpfloat (rate, >=, 500000);
    }
}

/* ---- robustness ------------------------------------------------------------------------- */

static void
test_fuzz (void)
{
  g_test_summary ("Mutated files never crash the reader; lenient reads never fail and "
                  "keep the counts balanced; strict reads fail only with WL_ERROR.");
  const char *base = "id,submit,start,end,runtime,state,gpus,cpus,mem_mb,user,gpu_share\n"
                     "1,100,110,200,,COMPLETED,1,2,100,alice,0.5\n"
                     "2,2017-10-09 07:01:55,,,60,FAILED,8,,,bob,\n"
                     "3,\"120\",130,,1-00:00:00,RUNNING,16,4,2000,7,1\n"
                     "4,90,95,99,,PENDING,0,1,,alice,\n"
                     "5,300,310,400,,CANCELLED,3,1,1.5,carol,0.25\n";
  for (guint iter = 0; iter < 2000; iter++)
    {
      g_autofree char *text = wl_test_mutate (base, ",\"\n\r0123456789abcZ:-. |\t");
      for (int strict = 0; strict <= 1; strict++)
        {
          WlReaderOptions o;
          wl_reader_options_init (&o);
          o.strict = strict;
          o.warn_func = wl_test_silent;
          o.sort_window = 1 + iter % 3;
          g_autoptr (GError) error = NULL;
          g_autoptr (GInputStream) in = wl_test_trickle_new (text, strlen (text), 1 + iter % 17);
          g_autoptr (WlReader) r = wl_csv_reader_new (in, "f.csv", WL_CSV_AUTO, &o, &error);
          wl_test_check_mutated (r, error, strict);
        }
    }
}

/* The sort buffer (an in-order ring plus a heap) against a naive oracle: hold every job,
 * release the earliest (submit, input order) by a linear scan whenever more than `window`
 * are held, raise late ones to the last released time.  Random runs of in-order, equal,
 * early and late submit times; --seed replays a failure. */
static void
test_sortbuf_oracle (void)
{
  for (guint round = 0; round < 200; round++)
    {
      guint window = 1 + (guint) g_test_rand_int_range (0, 40);
      guint n = (guint) g_test_rand_int_range (0, 400);
      WlReaderOptions ro;
      wl_reader_options_init (&ro);
      WlReader r = { 0 };
      r.name = (char *) "oracle";
      WlSortBuf b;
      wl__sortbuf_init (&b, window);
      g_autoptr (GArray) held = g_array_new (FALSE, FALSE, sizeof (WlJob));
      g_autoptr (GArray) want = g_array_new (FALSE, FALSE, sizeof (WlJob));
      g_autoptr (GArray) got = g_array_new (FALSE, FALSE, sizeof (WlJob));
      SchedTime last = G_MININT64, t = 1000;
      for (guint i = 0; i <= n; i++)
        {
          gboolean end = i == n;
          if (!end)
            {
              switch (g_test_rand_int_range (0, 4))
                {
                case 0: t += g_test_rand_int_range (0, 10); break;
                case 1: break;
                case 2: t -= g_test_rand_int_range (0, 30); break;
                default: t += g_test_rand_int_range (-200, 200); break;
                }
              WlJob job = { 0 };
              job.spec.id = i + 1;
              job.spec.submit = t;
              WlJob mine = job;
              g_autoptr (GError) error = NULL;
              g_assert_true (wl__sortbuf_add (&b, &r, &ro, &mine, &error));
              if (job.spec.submit < last)
                job.spec.submit = last;
              g_array_append_val (held, job);
            }
          while (held->len > (end || window == 1 ? 0 : window))   /* 1: no sorting */
            {
              guint best = 0;
              for (guint k = 1; k < held->len; k++)
                if (g_array_index (held, WlJob, k).spec.submit
                    < g_array_index (held, WlJob, best).spec.submit)
                  best = k;            /* ties: the first held, the earliest input */
              WlJob first = g_array_index (held, WlJob, best);
              g_array_remove_index (held, best);
              g_array_append_val (want, first);
              last = first.spec.submit;
            }
          WlJob out;
          while (wl__sortbuf_take (&b, end, &out))
            g_array_append_val (got, out);
        }
      wl__sortbuf_clear (&b);
      g_assert_cmpuint (got->len, ==, want->len);
      for (guint k = 0; k < got->len; k++)
        {
          g_assert_cmpuint (g_array_index (got, WlJob, k).spec.id, ==,
                            g_array_index (want, WlJob, k).spec.id);
          g_assert_cmpint (g_array_index (got, WlJob, k).spec.submit, ==,
                           g_array_index (want, WlJob, k).spec.submit);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/csv/parse-time", test_parse_time);
  g_test_add_func ("/wl/csv/parse-durations", test_parse_durations);
  g_test_add_func ("/wl/csv/parse-memory", test_parse_memory);
  g_test_add_func ("/wl/csv/parse-tres", test_parse_tres);
  g_test_add_func ("/wl/csv/gpu-layout", test_gpu_layout);
  g_test_add_func ("/wl/csv/limit-rules", test_limit_rules);
  g_test_add_func ("/wl/csv/sortbuf-oracle", test_sortbuf_oracle);
  g_test_add_func ("/wl/csv/states", test_states);
  g_test_add_func ("/wl/csv/reason-names", test_reason_names);
  g_test_add_func ("/wl/csv/itp-inline", test_itp_inline);
  g_test_add_func ("/wl/csv/column-map", test_column_map);
  g_test_add_func ("/wl/csv/map-errors", test_map_errors);
  g_test_add_func ("/wl/csv/row-errors-strict", test_row_errors_strict);
  g_test_add_func ("/wl/csv/row-errors-lenient", test_row_errors_lenient);
  g_test_add_func ("/wl/csv/skip-rules", test_skip_rules);
  g_test_add_func ("/wl/csv/sort-window", test_sort_window);
  g_test_add_func ("/wl/csv/quoting", test_quoting);
  g_test_add_func ("/wl/csv/helios-inline", test_helios_inline);
  g_test_add_func ("/wl/csv/resolve", test_resolve);
  g_test_add_func ("/wl/csv/open-formats", test_open_formats);
  g_test_add_func ("/wl/csv/scan-machine", test_scan_machine);
  g_test_add_func ("/wl/csv/machine-list", test_machine_list_inline);
  g_test_add_func ("/wl/csv/real-itp", test_real_itp);
  g_test_add_func ("/wl/csv/real-philly", test_real_philly);
  g_test_add_func ("/wl/csv/real-alibaba", test_real_alibaba);
  g_test_add_func ("/wl/csv/real-scan", test_real_scan);
  g_test_add_func ("/wl/csv/sim-end-to-end", test_sim_end_to_end);
  g_test_add_func ("/wl/csv/fuzz", test_fuzz);
  g_test_add_func ("/wl/csv/speed", test_speed);
  return g_test_run ();
}
