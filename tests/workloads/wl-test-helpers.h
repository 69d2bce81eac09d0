/* SPDX-License-Identifier: MIT */
/* tests/workloads/wl-test-helpers.h - helpers shared by the trace reader tests: a stream
 * that returns a few bytes per read, reading a whole trace or up to its error, collecting
 * warnings, error and count checks, the shared traces folder, gzip files, temporary
 * folders and the mutations of the fuzz tests.  Static inline, like tests/test-common.h:
 * each test program includes it once. */
#pragma once
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include "workloads/trace.h"

/* ---- a stream that returns at most `chunk` bytes per read, to cross buffer edges ---- */

#define WL_TEST_TYPE_TRICKLE_STREAM (wl_test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (WlTestTrickleStream, wl_test_trickle_stream, WL_TEST, TRICKLE_STREAM,
                      GInputStream)

struct _WlTestTrickleStream {
  GInputStream parent;
  GBytes      *data;
  gsize        pos;
  gsize        chunk;
};

G_DEFINE_TYPE (WlTestTrickleStream, wl_test_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
wl_test_trickle_read (GInputStream *stream, void *buffer, gsize count,
                      GCancellable *cancellable, GError **error)
{
  (void) cancellable;
  (void) error;
  WlTestTrickleStream *t = WL_TEST_TRICKLE_STREAM (stream);
  gsize size;
  const char *data = g_bytes_get_data (t->data, &size);
  gsize n = MIN (MIN (count, t->chunk), size - t->pos);
  if (n > 0) /* empty GBytes give a NULL data pointer: not for memcpy */
    memcpy (buffer, data + t->pos, n);
  t->pos += n;
  return (gssize) n;
}

static void
wl_test_trickle_finalize (GObject *obj)
{
  g_bytes_unref (WL_TEST_TRICKLE_STREAM (obj)->data);
  G_OBJECT_CLASS (wl_test_trickle_stream_parent_class)->finalize (obj);
}

static void
wl_test_trickle_stream_class_init (WlTestTrickleStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = wl_test_trickle_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = wl_test_trickle_read;
}

static void
wl_test_trickle_stream_init (WlTestTrickleStream *t)
{
  (void) t;
}

/* Returns (transfer full) a stream over a copy of `len` bytes of `data`, `chunk` (>= 1)
 * bytes per read at most. */
static inline GInputStream *
wl_test_trickle_new (const void *data, gsize len, gsize chunk)
{
  WlTestTrickleStream *t = g_object_new (WL_TEST_TYPE_TRICKLE_STREAM, NULL);
  t->data = g_bytes_new (data, len);
  t->chunk = chunk;
  return G_INPUT_STREAM (t);
}

/* ---- reading ---------------------------------------------------------------------------- */

/* Reads every job (transfer full: an array of WlJob); fails the test on an error. */
static inline GArray *
wl_test_read_all (WlReader *r)
{
  GArray *jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      g_autoptr (GError) error = NULL;
      gboolean ok = wl_reader_next (r, &w, &eof, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      if (eof)
        break;
      g_array_append_val (jobs, w);
    }
  return jobs;
}

/* Reads until the reader fails; returns the error (the test fails if it never does). */
static inline GError *
wl_test_read_error (WlReader *r)
{
  for (guint i = 0; i < 1000000; i++)
    {
      WlJob w;
      gboolean eof = FALSE;
      GError *error = NULL;
      if (!wl_reader_next (r, &w, &eof, &error))
        {
          g_assert_nonnull (error);
          return error;
        }
      g_assert_false (eof);
    }
  g_assert_not_reached ();
  return NULL;
}

/* ---- messages and counts ---------------------------------------------------------------- */

/* A WlWarnFunc that appends a copy of each message to the GPtrArray `data`. */
static inline void
wl_test_collect_warning (const char *message, gpointer data)
{
  g_ptr_array_add (data, g_strdup (message));
}

/* A WlWarnFunc that drops every message. */
static inline void
wl_test_silent (const char *message, gpointer data)
{
  (void) message;
  (void) data;
}

/* `error` is (domain, code) and its message contains `part`. */
static inline void
wl_test_assert_error_has (const GError *error, GQuark domain, int code, const char *part)
{
  g_assert_error (error, domain, code);
  if (strstr (error->message, part) == NULL)
    g_error ("message \"%s\" lacks \"%s\"", error->message, part);
}

/* Every record read is kept or skipped for exactly one reason. */
static inline void
wl_test_assert_counts_balance (const WlCounts *c)
{
  guint64 skipped = 0;
  for (guint i = 0; i < WL_SKIP_N; i++)
    skipped += c->skipped[i];
  g_assert_cmpuint (c->read, ==, c->kept + skipped);
}

/* ---- fuzzing ---------------------------------------------------------------------------- */

/* Returns (transfer full) `text` with 1 to 5 random edits: a byte replaced, inserted or
 * removed; a new byte is drawn from `alphabet` or, half of the time, any byte. */
static inline char *
wl_test_mutate (const char *text, const char *alphabet)
{
  gint32 n_alpha = (gint32) strlen (alphabet);
  GString *m = g_string_new (text);
  guint n = (guint) g_test_rand_int_range (1, 6);
  for (guint k = 0; k < n && m->len > 0; k++)
    {
      guint pos = (guint) g_test_rand_int_range (0, (gint32) m->len);
      char c = g_test_rand_bit () ? alphabet[g_test_rand_int_range (0, n_alpha)]
                                  : (char) g_test_rand_int_range (0, 256);
      switch (g_test_rand_int_range (0, 3))
        {
        case 0: m->str[pos] = c; break;
        case 1: g_string_insert_c (m, pos, c); break;
        default: g_string_erase (m, pos, 1); break;
        }
    }
  return g_string_free (m, FALSE);
}

/* Checks a reader made (strict or not) over a mutated trace: `r` may be NULL only with a
 * WL_ERROR in `open_error`; then a lenient read must not fail and must keep the counts
 * balanced, a strict one may fail only with a WL_ERROR; every job must have a task, a time
 * limit and a run time >= 0. */
static inline void
wl_test_check_mutated (WlReader *r, const GError *open_error, gboolean strict)
{
  if (r == NULL)
    {
      g_assert_true (open_error != NULL && open_error->domain == WL_ERROR);
      return;
    }
  g_autoptr (GError) error = NULL;
  for (;;)
    {
      WlJob w;
      gboolean eof = FALSE;
      if (!wl_reader_next (r, &w, &eof, &error))
        {
          g_assert_true (strict && error->domain == WL_ERROR);
          return;
        }
      if (eof)
        {
          wl_test_assert_counts_balance (wl_reader_get_counts (r));
          return;
        }
      g_assert_cmpuint (w.spec.tasks, >=, 1);
      g_assert_cmpint (w.spec.time_limit, >=, 1);
      g_assert_cmpint (w.runtime, >=, 0);
    }
}

/* ---- files ------------------------------------------------------------------------------ */

/* The folder SLUICE_SHARED/traces/`sub` (`sub` NULL: traces itself), or without
 * SLUICE_SHARED G_TEST_DIST/../../shared/traces/`sub`.  NULL when it does not exist. */
static inline char *
wl_test_shared_dir (const char *sub)
{
  const char *env = g_getenv ("SLUICE_SHARED");
  g_autofree char *dir = env != NULL ? g_build_filename (env, "traces", sub, NULL)
                                     : g_test_build_filename (G_TEST_DIST, "..", "..", "shared",
                                                              "traces", sub, NULL);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return g_steal_pointer (&dir);
}

/* Writes `len` bytes of `text` gzip-compressed to `path`. */
static inline void
wl_test_write_gz (const char *path, const char *text, gsize len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) fout
      = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_autoptr (GZlibCompressor) comp = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr (GOutputStream) out
      = g_converter_output_stream_new (G_OUTPUT_STREAM (fout), G_CONVERTER (comp));
  g_assert_true (g_output_stream_write_all (out, text, len, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
}

/* Removes the files in `dir` (not its subfolders), then `dir`. */
static inline void
wl_test_rm_rf (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}
