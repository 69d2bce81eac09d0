/* SPDX-License-Identifier: MIT */
/* tests/workloads/test-linereader.c - the buffered line reader of the SWF and sacct readers.
 *
 * Small buffers (16 bytes, lines of at most 6) make every case happen within a few bytes:
 * lines that end exactly at the buffer's edge, a last line without a newline, empty lines,
 * '\r' kept, overlong lines in the middle and at the end (reported once, their rest
 * skipped), line numbers, repeated EOF and a failing stream.  Random texts read through a
 * stream that returns 1 to 17 bytes per read must give what splitting on '\n' gives. */
#include "workloads/linereader.h"
#include "workloads/trace.h"
#include "wl-test-helpers.h"

#define BUF   16
#define MAXL  6

/* Reads all of `text` (chunk 0: in one piece) and describes it: "line|" for each line,
 * "LONG@n|" for an overlong line n, "EOF". */
static char *
describe (const char *text, gsize len, gsize chunk)
{
  g_autoptr (GBytes) bytes = g_bytes_new (text, len);
  g_autoptr (GInputStream) in = chunk == 0 ? g_memory_input_stream_new_from_bytes (bytes)
                                           : wl_test_trickle_new (text, len, chunk);
  WlLineReader lr;
  wl__line_reader_init (&lr, in, "t", BUF, MAXL);
  GString *out = g_string_new (NULL);
  guint64 lines = 0;
  for (;;)
    {
      const char *line = NULL;
      gsize n = 0;
      g_autoptr (GError) error = NULL;
      WlLineStatus st = wl__line_reader_next (&lr, &line, &n, &error);
      g_assert_no_error (error);
      g_assert_cmpint (st, !=, WL_LINE_ERROR);
      if (st == WL_LINE_EOF)
        break;
      g_assert_cmpuint (lr.lineno, ==, ++lines);
      if (st == WL_LINE_TOO_LONG)
        g_string_append_printf (out, "LONG@%" G_GUINT64_FORMAT "|", lr.lineno);
      else
        {
          g_assert_cmpuint (n, <=, MAXL);
          g_string_append_len (out, line, (gssize) n);
          g_string_append_c (out, '|');
        }
    }
  g_string_append (out, "EOF");
  /* the end stays the end */
  const char *line = NULL;
  gsize n = 0;
  g_assert_cmpint (wl__line_reader_next (&lr, &line, &n, NULL), ==, WL_LINE_EOF);
  g_assert_cmpuint (lr.lineno, ==, lines);
  wl__line_reader_clear (&lr);
  wl__line_reader_clear (&lr);
  return g_string_free (out, FALSE);
}

/* What describe must give: split on '\n', a last piece only when not empty. */
static char *
expected (const char *text, gsize len)
{
  GString *out = g_string_new (NULL);
  const char *p = text, *end = text + len;
  guint64 lineno = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *le = nl != NULL ? nl : end;
      lineno++;
      if ((gsize) (le - p) > MAXL)
        g_string_append_printf (out, "LONG@%" G_GUINT64_FORMAT "|", lineno);
      else
        {
          g_string_append_len (out, p, le - p);
          g_string_append_c (out, '|');
        }
      p = nl != NULL ? nl + 1 : end;
    }
  g_string_append (out, "EOF");
  return g_string_free (out, FALSE);
}

static void
check (const char *text, const char *want)
{
  gsize len = strlen (text);
  for (gsize chunk = 0; chunk <= 7; chunk++)
    {
      g_autofree char *got = describe (text, len, chunk);
      if (strcmp (got, want) != 0)
        g_error ("chunk %" G_GSIZE_FORMAT ": \"%s\" gave \"%s\", expected \"%s\"", chunk, text,
                 got, want);
    }
  g_autofree char *model = expected (text, len);
  g_assert_cmpstr (model, ==, want);
}

static void
test_lines (void)
{
  check ("", "EOF");
  check ("\n", "|EOF");
  check ("a\nbc\n", "a|bc|EOF");
  check ("a\nbc", "a|bc|EOF");                     /* a last line without a newline */
  check ("\n\nx\n\n", "||x||EOF");
  check ("ab\r\ncd\r\n", "ab\r|cd\r|EOF");          /* '\r' is the caller's business */
  check ("abcdef\n", "abcdef|EOF");                 /* exactly max_line */
  check ("abcdef", "abcdef|EOF");
  /* 15 + 1 bytes: the first line ends at the buffer's edge */
  check ("abcde\nabcde\nabc\nxy\n", "abcde|abcde|abc|xy|EOF");
}

static void
test_too_long (void)
{
  check ("abcdefg\nxy\n", "LONG@1|xy|EOF");
  check ("a\nabcdefghijklmnopqrstuvwxyz0123456789\nb\n", "a|LONG@2|b|EOF");
  check ("a\nabcdefghijklmnopqrstuvwxyz0123456789", "a|LONG@2|EOF");
  check ("a\nabcdefg", "a|LONG@2|EOF");
  check ("abcdefghijklmnopqrstuvwxyz\nabcdefghijklmnopqrstuvwxyz\n\n", "LONG@1|LONG@2||EOF");
}

static void
test_random (void)
{
  static const char alphabet[] = "ab\r\n\n\n";
  for (guint iter = 0; iter < 500; iter++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, 200);
      g_autofree char *text = g_malloc (len + 1);
      for (gsize i = 0; i < len; i++)
        text[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      text[len] = '\0';
      if (g_test_rand_bit ())
        for (gsize i = 0, run = (gsize) g_test_rand_int_range (0, 40); i < run && i < len; i++)
          text[i] = 'x';                            /* sometimes an overlong first line */
      g_autofree char *want = expected (text, len);
      g_autofree char *got = describe (text, len, 1 + iter % 17);
      g_assert_cmpstr (got, ==, want);
      g_autofree char *whole = describe (text, len, 0);
      g_assert_cmpstr (whole, ==, want);
    }
}

static void
test_read_error (void)
{
  g_autoptr (GInputStream) in = g_memory_input_stream_new_from_data ("a\nb\n", -1, NULL);
  g_assert_true (g_input_stream_close (in, NULL, NULL));
  WlLineReader lr;
  wl__line_reader_init (&lr, in, "t.txt", BUF, MAXL);
  const char *line = NULL;
  gsize n = 0;
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (wl__line_reader_next (&lr, &line, &n, &error), ==, WL_LINE_ERROR);
  wl_test_assert_error_has (error, WL_ERROR, WL_ERROR_IO, "t.txt: read failed: ");
  wl__line_reader_clear (&lr);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/wl/linereader/lines", test_lines);
  g_test_add_func ("/wl/linereader/too-long", test_too_long);
  g_test_add_func ("/wl/linereader/random", test_random);
  g_test_add_func ("/wl/linereader/read-error", test_read_error);
  return g_test_run ();
}
