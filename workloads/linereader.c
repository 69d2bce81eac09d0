/* SPDX-License-Identifier: MIT */
/* workloads/linereader.c - the buffered line reader of swf.c and sacct.c (linereader.h). */
#include "workloads/linereader.h"
#include "workloads/trace.h"

#include <string.h>

void
wl__line_reader_init (WlLineReader *lr, GInputStream *in, const char *name, gsize buf_size,
                      gsize max_line)
{
  g_return_if_fail (lr != NULL && G_IS_INPUT_STREAM (in));
  g_return_if_fail (max_line < buf_size);
  memset (lr, 0, sizeof *lr);
  lr->in = g_object_ref (in);
  lr->name = name;
  lr->buf = g_malloc (buf_size + 1);    /* + the terminator of a last line at the end */
  lr->size = buf_size;
  lr->max_line = max_line;
}

void
wl__line_reader_clear (WlLineReader *lr)
{
  g_clear_object (&lr->in);
  g_clear_pointer (&lr->buf, g_free);
}

/* Moves the unread bytes to the front and appends what the stream gives. */
static gboolean
fill (WlLineReader *lr, GError **error)
{
  if (lr->pos > 0)
    {
      memmove (lr->buf, lr->buf + lr->pos, lr->len - lr->pos);
      lr->len -= lr->pos;
      lr->pos = 0;
    }
  g_assert (lr->len < lr->size);
  gssize n = wl__read_input (lr->in, lr->name, lr->buf + lr->len, lr->size - lr->len, error);
  if (n < 0)
    return FALSE;
  if (n == 0)
    lr->in_eof = TRUE;
  lr->len += (gsize) n;
  return TRUE;
}

WlLineStatus
wl__line_reader_next (WlLineReader *lr, const char **line, gsize *len, GError **error)
{
  for (;;)
    {
      char *start = lr->buf + lr->pos;
      gsize avail = lr->len - lr->pos;
      char *nl = memchr (start, '\n', avail);
      if (nl != NULL)
        {
          gsize n = (gsize) (nl - start);
          lr->pos += n + 1;
          if (lr->skipping)
            {
              lr->skipping = FALSE;
              continue;
            }
          lr->lineno++;
          if (n > lr->max_line)
            return WL_LINE_TOO_LONG;
          *line = start;
          *len = n;
          return WL_LINE_OK;
        }
      if (lr->in_eof)
        {
          lr->pos = lr->len;
          if (avail == 0 || lr->skipping)
            {
              lr->skipping = FALSE;
              return WL_LINE_EOF;
            }
          lr->lineno++;              /* a last line without a newline */
          if (avail > lr->max_line)
            return WL_LINE_TOO_LONG;
          start[avail] = '\n';       /* its terminator (linereader.h) */
          *line = start;
          *len = avail;
          return WL_LINE_OK;
        }
      if (lr->skipping)
        lr->pos = lr->len;
      else if (avail > lr->max_line)
        {
          lr->pos = lr->len;
          lr->skipping = TRUE;
          lr->lineno++;
          return WL_LINE_TOO_LONG;
        }
      if (!fill (lr, error))
        return WL_LINE_ERROR;
    }
}
