/* SPDX-License-Identifier: MIT */
/* workloads/linereader.h - the buffered line reader of the line-based trace readers
 * (swf.c, sacct.c).
 *
 * The stream is pulled in chunks into one buffer of `buf_size` bytes and lines are found
 * with memchr and handed out in place: no per-line allocation or copy.  A line is at most
 * `max_line` bytes (< buf_size); a longer one is reported once (WL_LINE_TOO_LONG) and the
 * rest of it is skipped up to the next newline, so after an unfinished line has been moved
 * to the front the buffer always has room for more than buf_size - max_line bytes of
 * input.  A last line without a newline is read.  Lines are returned as they are, without
 * the '\n' (a '\r' before it is kept: each format decides what it means).  Memory is
 * buf_size + 1 bytes, whatever the length of the stream.  Only workloads/ and its tests
 * include this. */
#pragma once
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  WL_LINE_OK = 0,
  WL_LINE_TOO_LONG,    /* the line (numbered in lineno) is longer than max_line */
  WL_LINE_EOF,
  WL_LINE_ERROR,       /* the stream failed: `error` is set */
} WlLineStatus;

typedef struct {
  GInputStream *in;
  const char   *name;      /* for messages; not owned, must outlive the reader */
  char         *buf;       /* `size` bytes; unread data is buf[pos .. len) */
  gsize         size;
  gsize         max_line;
  gsize         pos;
  gsize         len;
  gboolean      in_eof;    /* the stream has no more bytes */
  gboolean      skipping;  /* discarding the rest of an overlong line */
  guint64       lineno;    /* lines seen so far: the current line's number */
} WlLineReader;

/* Sets up `lr` over `in` (takes a reference) with a buffer of `buf_size` bytes for lines of
 * at most `max_line` bytes (max_line < buf_size).  `name` is used in messages. */
void wl__line_reader_init (WlLineReader *lr, GInputStream *in, const char *name,
                           gsize buf_size, gsize max_line);

/* Frees the buffer and drops the stream; `lr` may be cleared twice. */
void wl__line_reader_clear (WlLineReader *lr);

/* Returns WL_LINE_OK with the next line (without its '\n') in *line / *len, valid until
 * the next call, and followed by a '\n' (written there for a last line without one): a
 * scanner may stop on that '\n', which is never inside a line, instead of checking the
 * length at every byte; WL_LINE_TOO_LONG for a line over max_line bytes (the rest of which is
 * then skipped; *line / *len are not set); WL_LINE_EOF at the end (again on every later
 * call); or WL_LINE_ERROR with `error` set (WL_ERROR_IO, "name: read failed: reason").
 * lineno counts the lines returned and those reported too long. */
WlLineStatus wl__line_reader_next (WlLineReader *lr, const char **line, gsize *len,
                                   GError **error);

G_END_DECLS
