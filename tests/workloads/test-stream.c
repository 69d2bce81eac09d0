/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-stream.c - the readers stream: a trace far larger than the memory they
 * may use is read in O(1) memory (slow suite).
 *
 * Each case writes a generated trace into a temporary directory (SWF: 3,000,000 lines, about
 * 250 MB; CSV: 1,000,000 rows, rows a little out of order so that the sort buffer works),
 * then reads it through wl_reader_open (and, for SWF, behind a transform), checks every job
 * arrived in order, and checks that the peak resident set size (VmHWM, else ru_maxrss) grew
 * by less than a few tens of MB while reading: loading the file whole would cost hundreds.
 * The file is deleted afterwards, also when the test fails (the fixture's teardown). */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "workloads/open.h"
#include "workloads/transform.h"

#define MB (1024 * 1024)

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  (void) data;
  g_autoptr (GError) error = NULL;
  f->dir = g_dir_make_tmp ("sluice-stream-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  (void) data;
  if (f->path != NULL)
    g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Peak resident set size of this process so far, in KiB: VmHWM from /proc/self/status,
 * else getrusage's ru_maxrss. */
static guint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    {
      const char *p = strstr (status, "\nVmHWM:");
      if (p != NULL)
        return g_ascii_strtoull (p + 7, NULL, 10);
    }
  struct rusage ru;
  g_assert_cmpint (getrusage (RUSAGE_SELF, &ru), ==, 0);
  return (guint64) ru.ru_maxrss;
}

/* Writes `n` lines made by `line` (which appends line i to the string) to `path` through a
 * small buffer, so that writing does not raise the peak either.  Returns the size. */
static guint64
write_trace (const char *path, const char *header, guint64 n,
             void (*line) (GString *out, guint64 i))
{
  FILE *fp = fopen (path, "w");
  g_assert_nonnull (fp);
  g_autoptr (GString) buf = g_string_sized_new (1 << 16);
  g_string_append (buf, header);
  guint64 size = 0;
  for (guint64 i = 1; i <= n; i++)
    {
      line (buf, i);
      if (buf->len >= (1 << 16) - 256 || i == n)
        {
          g_assert_cmpuint (fwrite (buf->str, 1, buf->len, fp), ==, buf->len);
          size += buf->len;
          g_string_truncate (buf, 0);
        }
    }
  g_assert_cmpint (fclose (fp), ==, 0);
  return size;
}

/* PWA-style padded columns: about 85 bytes a line. */
static void
swf_line (GString *out, guint64 i)
{
  g_string_append_printf (out, "%7" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT " %6d %6"
                          G_GUINT64_FORMAT " %4u %7d %6d %4u %6" G_GUINT64_FORMAT
                          " %6d %2d %4u %3u %3d %2d %2d %3d %3d\n",
                          i, i * 3, 0, 60 + i % 3600, 1 + (guint) (i % 64), -1, -1,
                          1 + (guint) (i % 64), 120 + i % 7200, -1, 1,
                          (guint) (i % 500), (guint) (i % 20), -1, 1, -1, -1, -1);
}

/* Reads everything from `r`, checking ids and submit order; returns the peak RSS growth
 * in KiB over `before`. */
static guint64
read_through (WlReader *r, guint64 expect_jobs, gboolean ids_in_order, guint64 before)
{
  guint64 jobs = 0;
  SchedTime last = G_MININT64;
  for (;;)
    {
      WlJob job;
      gboolean eof = FALSE;
      g_autoptr (GError) error = NULL;
      g_assert_true (wl_reader_next (r, &job, &eof, &error));
      g_assert_no_error (error);
      if (eof)
        break;
      jobs++;
      if (ids_in_order && job.spec.id != jobs)
        g_error ("job %" G_GUINT64_FORMAT " has id %u", jobs, job.spec.id);
      g_assert_cmpint (job.spec.submit, >=, last);
      last = job.spec.submit;
    }
  g_assert_cmpuint (jobs, ==, expect_jobs);
  const WlCounts *c = wl_reader_get_counts (r);
  g_assert_cmpuint (c->kept, ==, expect_jobs);
  g_assert_cmpuint (c->skipped[WL_SKIP_MALFORMED], ==, 0);
  guint64 after = peak_rss_kb ();
  return after > before ? after - before : 0;
}

static void
test_swf_stream (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("a 3,000,000-line SWF file (~250 MB) is read in O(1) memory, also behind "
                  "a transform");
  const guint64 n = 3000000;
  f->path = g_build_filename (f->dir, "big.swf", NULL);
  guint64 size = write_trace (f->path, "; MaxProcs: 64\n; UnixStartTime: 0\n", n, swf_line);
  g_test_message ("%s: %" G_GUINT64_FORMAT " MB", f->path, size / MB);
  g_assert_cmpuint (size, >, 200 * (guint64) MB);

  guint64 before = peak_rss_kb ();
  g_autoptr (GError) error = NULL;
  g_autoptr (WlReader) r = wl_reader_open (f->path, NULL, NULL, &error);
  g_assert_no_error (error);
  guint64 grew = read_through (r, n, TRUE, before);
  g_test_message ("SWF: peak RSS %" G_GUINT64_FORMAT " KiB before, +%" G_GUINT64_FORMAT
                  " KiB while reading", before, grew);
  g_assert_cmpuint (grew, <, 24 * 1024);
  g_clear_pointer (&r, wl_reader_free);

  /* the same through a transform (filter and load scaling) */
  before = peak_rss_kb ();
  WlTransformOptions o;
  wl_transform_options_init (&o);
  g_autoptr (WlFilter) filter = wl_filter_parse ("max-procs=32", &error);
  g_assert_no_error (error);
  o.filter = filter;
  o.load_scale = 2;
  r = wl_reader_open (f->path, "swf", NULL, &error);
  g_assert_no_error (error);
  r = wl_transform_reader_new (r, &o);
  /* sizes 1 + i % 64: 32 of every 64 jobs have at most 32 CPUs */
  grew = read_through (r, n / 2, FALSE, before);
  g_test_message ("SWF + transform: +%" G_GUINT64_FORMAT " KiB", grew);
  g_assert_cmpuint (grew, <, 24 * 1024);
}

/* Rows out of order by up to 1,000 positions (every 1,000th row is submitted 500 s early),
 * so jobs pass through the sort buffer's heap as well as its in-order ring. */
static void
csv_line (GString *out, guint64 i)
{
  guint64 submit = i * 2 - (i % 1000 == 0 ? 500 : 0);
  g_string_append_printf (out, "%" G_GUINT64_FORMAT ",u%u,%" G_GUINT64_FORMAT ",%"
                          G_GUINT64_FORMAT ",%u,%u,COMPLETED\n",
                          i, (guint) (i % 300), submit, 30 + i % 5000, (guint) (i % 8),
                          1 + (guint) (i % 16));
}

static void
test_csv_stream (Fixture *f, gconstpointer data)
{
  (void) data;
  g_test_summary ("a 1,000,000-row CSV file is read in O(sort window) memory");
  const guint64 n = 1000000;
  f->path = g_build_filename (f->dir, "big.csv", NULL);
  guint64 size = write_trace (f->path, "job_id,user,submit_time,duration,gpu_num,cpu_num,state\n",
                              n, csv_line);
  g_test_message ("%s: %" G_GUINT64_FORMAT " MB", f->path, size / MB);

  guint64 before = peak_rss_kb ();
  g_autoptr (GError) error = NULL;
  WlReaderOptions ro;
  wl_reader_options_init (&ro);
  ro.max_warnings = 0;
  g_autoptr (WlReader) r = wl_reader_open (f->path, "csv", &ro, &error);
  g_assert_no_error (error);
  guint64 grew = read_through (r, n, FALSE, before);
  g_test_message ("CSV: peak RSS %" G_GUINT64_FORMAT " KiB before, +%" G_GUINT64_FORMAT
                  " KiB while reading", before, grew);
  /* the sort window holds 65,536 jobs; the users' names are 300 */
  g_assert_cmpuint (grew, <, 48 * 1024);
  g_assert_cmpuint (wl_reader_get_counts (r)->adjusted[WL_ADJ_SUBMIT_REORDERED], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/wl/stream/swf-3M", Fixture, NULL, fixture_setup, test_swf_stream,
              fixture_teardown);
  g_test_add ("/wl/stream/csv-1M", Fixture, NULL, fixture_setup, test_csv_stream,
              fixture_teardown);
  return g_test_run ();
}
