/* SPDX-License-Identifier: MIT */
/* workloads/jsontrace.c - the JSON trace reader: finding job objects in a stream.
 *
 * Input is read in 256 KiB chunks.  In a document (or a bare array) a scanner walks the
 * bytes once, tracking a stack of open brackets, strings and escapes, and copies each
 * element of the "jobs" array into a buffer that json_loadb then parses: the document is
 * never loaded whole, and an element that is valid JSON but a bad job is skipped without
 * losing the place.  Keys of the document before "jobs" are scanned the same way, one value
 * at a time.  In JSON Lines each line is one element.  A raw line break inside a string,
 * a closing bracket of the wrong kind or an element over 1 MiB is a structural error: the
 * scanner could not tell where the next job starts, so it stops.  Line numbers count the
 * '\n' bytes consumed; a job's line is that of its first byte.  Kept jobs go through the
 * bounded sort buffer of rows-private.h; their WlJobExtra records travel in the buffer's
 * copies (freed with what is left at the end), and the one returned last is freed at the
 * next call.
 * jsonjob.c checks and converts each job object. */
#include "workloads/json-private.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE     (256 * 1024)
#define MAX_DEPTH      256
#define DEFAULT_WINDOW 65536

typedef enum {
  MODE_LINES = 0,   /* one job object per line */
  MODE_ARRAY,       /* inside the "jobs" array (or a bare array) */
} Mode;

typedef struct {
  WlReader        parent;
  GInputStream   *in;
  WlReaderOptions opts;
  GTimeZone      *tz;
  gboolean        tz_from_opts;   /* opts->time_zone wins over the file's "time_zone" */
  char           *chunk;
  gsize           pos, len;       /* unread input is chunk[pos .. len) */
  guint64         line;           /* line of chunk[pos] */
  Mode            mode;
  gboolean        doc_object;     /* the array is the "jobs" of a document: '}' follows */
  gboolean        need_sep;       /* array mode: a ',' or ']' comes next */
  gboolean        input_done;     /* no more job objects */
  gboolean        ended;          /* input_done and nothing left to expand */
  GString        *elem;           /* text of the current element or line */
  char            stack[MAX_DEPTH];
  json_t         *first;          /* a job object read while telling the format apart */
  GString        *first_text;     /* or a first JSON Lines line that is not an object */
  gboolean        first_too_long; /* or one that was too long */
  guint64         first_line;
  guint64         n_objects;      /* job objects met (ordinals for messages) */
  guint           n_warned;
  guint           n_field_warned;
  GHashTable     *warned;         /* unknown field and header key names reported */
  WlNames         users, groups;
  GHashTable     *part_cache, *type_cache;
  WlJsonCtx       ctx;
  WlSortBuf       sort;           /* its jobs own their extras until returned */
  gboolean        sort_ready;
  WlJobExtra     *current;        /* extra of the job returned last */
  WlJsonJob       array;          /* an array job being expanded */
  gint            array_next;     /* its next task index, -1 when none */
} JsonReader;

/* ---- input ------------------------------------------------------------------------------ */

/* Makes sure unread input is buffered; at the end of the stream s->pos == s->len. */
static gboolean
refill (JsonReader *s, GError **error)
{
  if (s->pos < s->len)
    return TRUE;
  gssize n = wl__read_input (s->in, s->parent.name, s->chunk, CHUNK_SIZE, error);
  if (n < 0)
    return FALSE;
  s->pos = 0;
  s->len = (gsize) n;
  return TRUE;
}

static gboolean structural (JsonReader *s, guint64 line, GError **error, const char *fmt, ...)
    G_GNUC_PRINTF (4, 5);

/* A structural error at `line` (always an error: the scanner lost its place). */
static gboolean
structural (JsonReader *s, guint64 line, GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s:%" G_GUINT64_FORMAT ": %s",
               s->parent.name, line, what);
  return FALSE;
}

/* A byte for a message: 'x', or "the end of the file" for -1. */
static char *
show_byte (int c)
{
  if (c < 0)
    return g_strdup ("the end of the file");
  if (c >= 0x20 && c < 0x7f)
    return g_strdup_printf ("'%c'", c);
  return g_strdup_printf ("byte 0x%02x", c);
}

/* Skips blanks, counting lines; *c is the next byte (not consumed), or -1 at the end. */
static gboolean
skip_blanks (JsonReader *s, int *c, GError **error)
{
  for (;;)
    {
      if (!refill (s, error))
        return FALSE;
      if (s->pos == s->len)
        {
          *c = -1;
          return TRUE;
        }
      char ch = s->chunk[s->pos];
      if (ch == '\n')
        s->line++;
      else if (ch != ' ' && ch != '\t' && ch != '\r')
        {
          *c = (unsigned char) ch;
          return TRUE;
        }
      s->pos++;
    }
}

/* Copies the JSON value that starts at the next byte (not a blank) into s->elem: an object,
 * an array or a string up to its closing byte, anything else up to the next delimiter. */
static gboolean
scan_value (JsonReader *s, GError **error)
{
  g_string_truncate (s->elem, 0);
  guint64 start = s->line;
  char first = s->chunk[s->pos];
  gboolean scalar = first != '{' && first != '[' && first != '"';
  gboolean in_str = FALSE, esc = FALSE, done = FALSE;
  guint depth = 0;
  while (!done)
    {
      if (!refill (s, error))
        return FALSE;
      if (s->pos == s->len)
        {
          if (scalar)
            return TRUE;
          return structural (s, start, error, "the file ends inside the value that starts "
                             "here (an unclosed bracket?)");
        }
      const char *from = s->chunk + s->pos, *p = from, *end = s->chunk + s->len;
      while (p < end)
        {
          char ch = *p;
          if (scalar)
            {
              if (strchr (" \t\r\n,:[]{}\"", ch) != NULL)
                {
                  done = TRUE;
                  break;
                }
              p++;
              continue;
            }
          p++;
          if (in_str)
            {
              if (esc)
                esc = FALSE;
              else if (ch == '\\')
                esc = TRUE;
              else if (ch == '"')
                {
                  in_str = FALSE;
                  if (depth == 0)
                    {
                      done = TRUE;
                      break;
                    }
                }
              else if (ch == '\n')
                return structural (s, s->line, error, "a line break inside a string (a "
                                   "string not closed on this line?)");
              continue;
            }
          switch (ch)
            {
            case '"':
              in_str = TRUE;
              break;
            case '{':
            case '[':
              if (depth == MAX_DEPTH)
                return structural (s, s->line, error, "brackets nested deeper than %d",
                                   MAX_DEPTH);
              s->stack[depth++] = ch;
              break;
            case '}':
            case ']':
              if (depth == 0 || s->stack[depth - 1] != (ch == '}' ? '{' : '['))
                return structural (s, s->line, error, "'%c' does not close the bracket "
                                   "opened before it", ch);
              if (--depth == 0)
                done = TRUE;
              break;
            case '\n':
              s->line++;
              break;
            default:
              break;
            }
          if (done)
            break;
        }
      g_string_append_len (s->elem, from, p - from);
      s->pos = (gsize) (p - s->chunk);
      if (s->elem->len > WL_JSON_MAX_ELEMENT)
        return structural (s, start, error, "a value longer than %d bytes starts here",
                           WL_JSON_MAX_ELEMENT);
    }
  return TRUE;
}

/* Parses s->elem, which starts at `line`, as one JSON value (transfer full); NULL with
 * *jerr set if it does not parse. */
static json_t *
parse_elem (JsonReader *s, json_error_t *jerr)
{
  return json_loadb (s->elem->str, s->elem->len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                     jerr);
}

/* Reads the next line into s->elem (without its line end).  *got is FALSE at the end of
 * the input; *too_long is TRUE when the line had more than WL_JSON_MAX_ELEMENT bytes (the
 * rest was dropped). */
static gboolean
read_line (JsonReader *s, gboolean *got, gboolean *too_long, GError **error)
{
  g_string_truncate (s->elem, 0);
  *got = FALSE;
  *too_long = FALSE;
  for (;;)
    {
      if (!refill (s, error))
        return FALSE;
      if (s->pos == s->len)
        return TRUE;
      const char *p = s->chunk + s->pos;
      gsize n = s->len - s->pos;
      const char *nl = memchr (p, '\n', n);
      gsize take = nl != NULL ? (gsize) (nl - p) : n;
      *got = TRUE;
      if (!*too_long && s->elem->len + take > WL_JSON_MAX_ELEMENT)
        {
          *too_long = TRUE;
          g_string_truncate (s->elem, 0);
        }
      if (!*too_long)
        g_string_append_len (s->elem, p, (gssize) take);
      s->pos += take + (nl != NULL ? 1 : 0);
      if (nl != NULL)
        {
          s->line++;
          if (s->elem->len > 0 && s->elem->str[s->elem->len - 1] == '\r')
            g_string_truncate (s->elem, s->elem->len - 1);
          return TRUE;
        }
    }
}

/* ---- the header ------------------------------------------------------------------------- */

static gboolean header_error (JsonReader *s, guint64 line, GError **error, const char *fmt,
                              ...) G_GNUC_PRINTF (4, 5);

static gboolean
header_error (JsonReader *s, guint64 line, GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s:%" G_GUINT64_FORMAT ": %s",
               s->parent.name, line, what);
  return FALSE;
}

/* An unknown key in the header: reported once (strict: an error). */
static gboolean
unknown_key (JsonReader *s, guint64 line, const char *where, const char *key, GError **error)
{
  if (key[0] == '_')
    return TRUE;
  if (s->opts.strict)
    return header_error (s, line, error, "%sunknown key \"%s\"", where, key);
  g_autofree char *tag = g_strconcat ("header:", where, key, NULL);
  if (g_hash_table_contains (s->warned, tag))
    return TRUE;
  g_autofree char *msg = g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": %sunknown key \"%s\" "
                                          "ignored", s->parent.name, line, where, key);
  wl__json_warn (&s->ctx, msg);
  g_hash_table_add (s->warned, g_steal_pointer (&tag));
  return TRUE;
}

static gboolean
cluster_count (JsonReader *s, guint64 line, const char *key, json_t *v, gint64 min,
               gint64 *out, GError **error)
{
  if (!json_is_integer (v) || json_integer_value (v) < min
      || json_integer_value (v) > G_MAXUINT32)
    {
      GString *m = g_string_new (NULL);
      wl__json_append_value (m, v);
      gboolean r = header_error (s, line, error, "\"cluster\": \"%s\": expected an integer "
                                 ">= %" G_GINT64_FORMAT ", got %s", key, min, m->str);
      g_string_free (m, TRUE);
      return r;
    }
  *out = json_integer_value (v);
  return TRUE;
}

/* "cluster": {"nodes", "cpus_per_node", "mem_per_node", "gpus_per_node"} or {"procs"} or
 * {"node_list"}: the machine the trace was taken on, into WlTraceInfo. */
static gboolean
apply_cluster (JsonReader *s, json_t *c, guint64 line, GError **error)
{
  if (!json_is_object (c))
    return header_error (s, line, error, "\"cluster\": expected an object");
  gint64 nodes = -1, cpn = -1, gpn = -1, procs = -1, mem = -1;
  const char *list = NULL;
  const char *key;
  json_t *v;
  json_object_foreach (c, key, v)
  {
    gboolean ok = TRUE;
    if (strcmp (key, "nodes") == 0)
      ok = cluster_count (s, line, key, v, 1, &nodes, error);
    else if (strcmp (key, "cpus_per_node") == 0)
      ok = cluster_count (s, line, key, v, 1, &cpn, error);
    else if (strcmp (key, "gpus_per_node") == 0)
      ok = cluster_count (s, line, key, v, 0, &gpn, error);
    else if (strcmp (key, "procs") == 0)
      ok = cluster_count (s, line, key, v, 1, &procs, error);
    else if (strcmp (key, "mem_per_node") == 0)
      {
        guint64 mb;
        WlMemPer per;
        if (!wl__json_mem (v, &mb, &per) || per != WL_MEM_PER_NODE)
          return header_error (s, line, error, "\"cluster\": \"mem_per_node\": expected a "
                               "memory size (MB, or \"64G\")");
        mem = (gint64) mb;
      }
    else if (strcmp (key, "node_list") == 0)
      {
        if (!json_is_string (v))
          return header_error (s, line, error, "\"cluster\": \"node_list\": expected a file "
                               "name");
        list = json_string_value (v);
      }
    else
      ok = unknown_key (s, line, "\"cluster\": ", key, error);
    if (!ok)
      return FALSE;
  }
  if (procs > 0 && (nodes > 0 || list != NULL))
    return header_error (s, line, error, "\"cluster\": give \"procs\", \"nodes\" or "
                         "\"node_list\", one of them");
  if (nodes > 0 && list != NULL)
    return header_error (s, line, error, "\"cluster\": give \"nodes\" or \"node_list\", not "
                         "both");
  if (nodes < 0 && (cpn >= 0 || gpn >= 0 || mem >= 0))
    return header_error (s, line, error, "\"cluster\": \"cpus_per_node\", \"gpus_per_node\" "
                         "and \"mem_per_node\" describe the nodes of \"nodes\": give it too");
  WlTraceInfo *info = &s->parent.info;
  if (nodes > 0)
    {
      info->max_nodes = nodes;
      info->cpus_per_node = cpn > 0 ? cpn : 1;
      info->gpus_per_node = gpn > 0 ? gpn : 0;
      info->mem_per_node_mb = mem > 0 ? mem : 0;
      info->max_procs = nodes * info->cpus_per_node;
    }
  else if (procs > 0)
    info->max_procs = procs;
  else if (list != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (s->parent.name);
      g_autofree char *path = g_path_is_absolute (list) ? g_strdup (list)
                                                        : g_build_filename (dir, list, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return header_error (s, line, error, "\"cluster\": \"node_list\": no file %s", path);
      info->machine_list = g_steal_pointer (&path);
    }
  return TRUE;
}

/* Applies the header keys of `head` (a document's keys before "jobs", or a JSON Lines
 * header line) found at `line`. */
static gboolean
apply_header (JsonReader *s, json_t *head, guint64 line, GError **error)
{
  const char *key;
  json_t *v;
  json_object_foreach (head, key, v)
  {
    if (strcmp (key, "version") == 0)
      {
        if (!json_is_integer (v))
          return header_error (s, line, error, "\"version\": expected 1");
        if (json_integer_value (v) != WL_JSON_VERSION)
          {
            g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                         "%s:%" G_GUINT64_FORMAT ": version %" JSON_INTEGER_FORMAT " of the "
                         "JSON workload format is not supported (this reader reads version %d)",
                         s->parent.name, line, json_integer_value (v), WL_JSON_VERSION);
            return FALSE;
          }
      }
    else if (strcmp (key, "cluster") == 0)
      {
        if (!apply_cluster (s, v, line, error))
          return FALSE;
      }
    else if (strcmp (key, "time_zone") == 0)
      {
        if (!json_is_string (v))
          return header_error (s, line, error, "\"time_zone\": expected a zone name such as "
                               "\"Europe/Paris\"");
        const char *zone = json_string_value (v);
        g_autoptr (GTimeZone) tz = g_time_zone_new_identifier (zone);
        if (tz == NULL)
          return header_error (s, line, error, "\"time_zone\": unknown time zone \"%s\"",
                               zone);
        g_free (s->parent.info.time_zone_string);
        s->parent.info.time_zone_string = g_strdup (zone);
        if (!s->tz_from_opts)
          {
            g_clear_pointer (&s->tz, g_time_zone_unref);
            s->tz = g_steal_pointer (&tz);
            s->ctx.tz = s->tz;
          }
      }
    else if (!unknown_key (s, line, "", key, error))
      return FALSE;
  }
  return TRUE;
}

/* Reads the document's keys up to "jobs" (array mode), or the first object of JSON Lines:
 * a header line, or the first job (kept in s->first). */
static gboolean
read_object_head (JsonReader *s, GError **error)
{
  guint64 line = s->line;
  json_error_t jerr;
  int c;
  s->pos++;                                  /* '{' */
  json_t *head = json_object ();
  gboolean first = TRUE, ok = FALSE;
  for (;;)
    {
      if (!skip_blanks (s, &c, error))
        goto out;
      if (first && c == '}')
        {
          s->pos++;
          break;
        }
      if (c != '"')
        {
          g_autofree char *b = show_byte (c);
          structural (s, s->line, error, "expected a key in double quotes, got %s", b);
          goto out;
        }
      guint64 kline = s->line;
      if (!scan_value (s, error))
        goto out;
      json_t *k = parse_elem (s, &jerr);
      if (k == NULL)
        {
          structural (s, kline, error, "bad key: %s", jerr.text);
          goto out;
        }
      g_autofree char *key = g_strdup (json_string_value (k));
      json_decref (k);
      if (!skip_blanks (s, &c, error))
        goto out;
      if (c != ':')
        {
          g_autofree char *b = show_byte (c);
          structural (s, s->line, error, "expected ':' after the key \"%s\", got %s", key, b);
          goto out;
        }
      s->pos++;
      if (!skip_blanks (s, &c, error))
        goto out;
      if (strcmp (key, "jobs") == 0)
        {
          if (c != '[')
            {
              g_autofree char *b = show_byte (c);
              structural (s, s->line, error, "\"jobs\": expected an array of job objects, got "
                          "%s", b);
              goto out;
            }
          s->pos++;
          s->mode = MODE_ARRAY;
          s->doc_object = TRUE;
          ok = apply_header (s, head, line, error);
          goto out;
        }
      if (c < 0)
        {
          structural (s, s->line, error, "the file ends after the key \"%s\"", key);
          goto out;
        }
      guint64 vline = s->line;
      if (!scan_value (s, error))
        goto out;
      json_t *v = parse_elem (s, &jerr);
      if (v == NULL)
        {
          structural (s, vline + (guint64) MAX (jerr.line, 1) - 1, error,
                      "\"%s\": invalid JSON: %s", key, jerr.text);
          goto out;
        }
      if (json_object_get (head, key) != NULL)
        {
          json_decref (v);
          structural (s, vline, error, "the key \"%s\" is given twice", key);
          goto out;
        }
      json_object_set_new (head, key, v);
      if (!skip_blanks (s, &c, error))
        goto out;
      if (c == ',')
        {
          s->pos++;
          first = FALSE;
          continue;
        }
      if (c == '}')
        {
          s->pos++;
          break;
        }
      g_autofree char *b = show_byte (c);
      structural (s, s->line, error, "expected ',' or '}' after the value of \"%s\", got %s",
                  key, b);
      goto out;
    }
  /* an object without "jobs": the first record of JSON Lines */
  s->mode = MODE_LINES;
  if (json_object_get (head, "version") != NULL)
    ok = apply_header (s, head, line, error);
  else
    {
      s->first = g_steal_pointer (&head);
      s->first_line = line;
      ok = TRUE;
    }
out:
  if (head != NULL)
    json_decref (head);
  return ok;
}

/* Reads what comes before the first job: the format and the header. */
static gboolean
read_head (JsonReader *s, gboolean lines, GError **error)
{
  /* a byte-order mark: look at the first 3 bytes, however the stream hands them out */
  while (s->len < 3)
    {
      gssize n = wl__read_input (s->in, s->parent.name, s->chunk + s->len, CHUNK_SIZE - s->len,
                                 error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      s->len += (gsize) n;
    }
  if (s->len >= 3 && memcmp (s->chunk, "\xef\xbb\xbf", 3) == 0)
    s->pos = 3;
  if (lines)
    {
      /* JSON Lines by name: a first line holding "version" is the header */
      s->mode = MODE_LINES;
      for (;;)
        {
          gboolean got, too_long;
          guint64 line = s->line;
          if (!read_line (s, &got, &too_long, error))
            return FALSE;
          if (!got)
            {
              s->input_done = TRUE;
              return TRUE;
            }
          if (too_long)
            {
              s->first_too_long = TRUE;       /* reported by next() as a malformed job */
              s->first_line = line;
              return TRUE;
            }
          if (strspn (s->elem->str, " \t\r") == s->elem->len)
            continue;
          json_error_t jerr;
          json_t *v = parse_elem (s, &jerr);
          if (v != NULL && json_is_object (v) && json_object_get (v, "version") != NULL)
            {
              gboolean ok = apply_header (s, v, line, error);
              json_decref (v);
              return ok;
            }
          if (v != NULL && json_is_object (v))
            {
              s->first = v;
              s->first_line = line;
              return TRUE;
            }
          if (v != NULL)
            json_decref (v);
          /* not an object: left for next(), which reports it as a malformed job */
          s->first_text = g_string_new_len (s->elem->str, (gssize) s->elem->len);
          s->first_line = line;
          return TRUE;
        }
    }
  int c;
  if (!skip_blanks (s, &c, error))
    return FALSE;
  if (c < 0)
    {
      s->mode = MODE_LINES;
      s->input_done = TRUE;            /* an empty file: no jobs */
      return TRUE;
    }
  if (c == '[')
    {
      s->pos++;
      s->mode = MODE_ARRAY;
      return TRUE;
    }
  if (c == '{')
    return read_object_head (s, error);
  g_autofree char *b = show_byte (c);
  return structural (s, s->line, error, "expected a JSON workload: an object {\"jobs\": "
                     "[...]}, an array of jobs or one job object per line; got %s", b);
}

/* ---- elements --------------------------------------------------------------------------- */

/* After the jobs array: the document's '}' and the end of the input. */
static gboolean
finish_document (JsonReader *s, GError **error)
{
  int c;
  if (s->doc_object)
    {
      if (!skip_blanks (s, &c, error))
        return FALSE;
      if (c == ',')
        return structural (s, s->line, error, "a key after \"jobs\": \"jobs\" must be the "
                           "last key of the document");
      if (c != '}')
        {
          g_autofree char *b = show_byte (c);
          return structural (s, s->line, error, "expected '}' after the jobs array, got %s",
                             b);
        }
      s->pos++;
    }
  if (!skip_blanks (s, &c, error))
    return FALSE;
  if (c >= 0)
    return structural (s, s->line, error, "text after the end of the document");
  return TRUE;
}

/* Array mode: the next element into s->elem and its line into *line; *got = FALSE after
 * the array's end (and the document's, checked). */
static gboolean
next_element (JsonReader *s, gboolean *got, guint64 *line, GError **error)
{
  int c;
  *got = FALSE;
  if (!skip_blanks (s, &c, error))
    return FALSE;
  if (s->need_sep)
    {
      if (c == ',')
        {
          s->pos++;
          if (!skip_blanks (s, &c, error))
            return FALSE;
          if (c == ']')
            return structural (s, s->line, error, "a ',' before ']' (remove the trailing "
                               "comma)");
        }
      else if (c < 0)
        return structural (s, s->line, error, "the file ends inside the jobs array (no "
                           "closing ']')");
      else if (c != ']')
        {
          g_autofree char *b = show_byte (c);
          return structural (s, s->line, error, "expected ',' or ']' after a job, got %s", b);
        }
    }
  else if (c == ',')
    return structural (s, s->line, error, "expected a job, got ','");
  if (c == ']')
    {
      s->pos++;
      return finish_document (s, error);
    }
  if (c < 0)
    return structural (s, s->line, error, "the file ends inside the jobs array (no closing "
                       "']')");
  *line = s->line;
  if (!scan_value (s, error))
    return FALSE;
  s->need_sep = TRUE;
  *got = TRUE;
  return TRUE;
}

/* ---- jobs ------------------------------------------------------------------------------- */

static void
count_kept (JsonReader *s, guint32 adjust_mask)
{
  WlCounts *c = &s->parent.counts;
  c->read++;
  c->kept++;
  for (guint i = 0; i < WL_ADJ_N; i++)
    if (adjust_mask & (1u << i))
      c->adjusted[i]++;
}

/* Hands a kept job to the sort buffer; the buffer's copy carries `extra` (transfer full)
 * until the job is returned (or the reader is freed). */
static gboolean
add_job (JsonReader *s, WlJob *job, WlJobExtra *extra, GError **error)
{
  job->extra = extra;
  if (wl__sortbuf_add (&s->sort, &s->parent, &s->opts, job, error))
    return TRUE;
  wl_job_extra_free (extra);      /* refused (strict, out of order): not in the buffer */
  return FALSE;
}

/* Adds the next task of the array being expanded. */
static gboolean
emit_task (JsonReader *s, GError **error)
{
  WlJsonJob *a = &s->array;
  gint i = s->array_next;
  s->array_next = wl_array_spec_next (&a->array, i);
  WlJob job = a->job;
  job.spec.id = a->job.spec.id * WL_ARRAY_ID_FACTOR + (guint32) i;
  WlJobExtra *e = a->extra != NULL ? wl_job_extra_copy (a->extra) : wl_job_extra_new ();
  e->array_job_id = a->job.spec.id;
  e->array_task_id = (guint32) i;
  count_kept (s, a->adjust_mask);
  if (s->array_next < 0)
    wl__json_job_clear (a);
  return add_job (s, &job, e, error);
}

/* Handles one job element or line, `text` of `len` bytes at `line`, or the already parsed
 * `obj` (transfer full) when not NULL. */
static gboolean
take_job (JsonReader *s, const char *text, gsize len, json_t *obj, guint64 line,
          GError **error)
{
  WlCounts *c = &s->parent.counts;
  guint64 ordinal = ++s->n_objects;
  if (obj == NULL)
    {
      json_error_t jerr;
      obj = json_loadb (text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
      if (obj == NULL)
        {
          c->read++;
          return wl__malformed (&s->parent, &s->opts, &s->n_warned,
                                g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": job #%"
                                                 G_GUINT64_FORMAT ": invalid JSON: %s",
                                                 s->parent.name,
                                                 line + (guint64) MAX (jerr.line, 1) - 1,
                                                 ordinal, jerr.text),
                                error);
        }
    }
  if (!json_is_object (obj))
    {
      c->read++;
      GString *m = g_string_new (NULL);
      g_string_append_printf (m, "%s:%" G_GUINT64_FORMAT ": job #%" G_GUINT64_FORMAT ": "
                              "expected a job object {...}, got ", s->parent.name, line,
                              ordinal);
      wl__json_append_value (m, obj);
      json_decref (obj);
      return wl__malformed (&s->parent, &s->opts, &s->n_warned, g_string_free (m, FALSE),
                            error);
    }
  WlJsonJob job;
  char *msg = NULL;
  WlJsonJobResult r = wl__json_parse_job (&s->ctx, obj, line, ordinal, &job, &msg);
  json_decref (obj);
  switch (r)
    {
    case WL_JSON_JOB_MALFORMED:
      c->read++;
      return wl__malformed (&s->parent, &s->opts, &s->n_warned, msg, error);
    case WL_JSON_JOB_SKIP:
      c->read += job.n_tasks;
      c->skipped[job.skip] += job.n_tasks;
      return TRUE;
    case WL_JSON_JOB_KEEP:
    default:
      break;
    }
  if (job.is_array)
    {
      s->array = job;
      s->array_next = wl_array_spec_next (&job.array, -1);
      return TRUE;
    }
  count_kept (s, job.adjust_mask);
  return add_job (s, &job.job, g_steal_pointer (&job.extra), error);
}

/* Counts a JSON Lines line over WL_JSON_MAX_ELEMENT bytes as a malformed job. */
static gboolean
line_too_long (JsonReader *s, guint64 line, GError **error)
{
  s->parent.counts.read++;
  s->n_objects++;
  return wl__malformed (&s->parent, &s->opts, &s->n_warned,
                        g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": a line longer than %d bytes",
                                         s->parent.name, line, WL_JSON_MAX_ELEMENT), error);
}

/* Reads and handles the next job element or line; sets s->input_done at the end. */
static gboolean
read_job (JsonReader *s, GError **error)
{
  if (s->first_too_long)
    {
      s->first_too_long = FALSE;
      return line_too_long (s, s->first_line, error);
    }
  if (s->first != NULL)
    return take_job (s, NULL, 0, g_steal_pointer (&s->first), s->first_line, error);
  if (s->first_text != NULL)
    {
      GString *text = g_steal_pointer (&s->first_text);
      gboolean ok = take_job (s, text->str, text->len, NULL, s->first_line, error);
      g_string_free (text, TRUE);
      return ok;
    }
  if (s->mode == MODE_ARRAY)
    {
      gboolean got;
      guint64 line = 0;
      if (!next_element (s, &got, &line, error))
        return FALSE;
      if (!got)
        {
          s->input_done = TRUE;
          return TRUE;
        }
      return take_job (s, s->elem->str, s->elem->len, NULL, line, error);
    }
  for (;;)
    {
      gboolean got, too_long;
      guint64 line = s->line;
      if (!read_line (s, &got, &too_long, error))
        return FALSE;
      if (!got)
        {
          s->input_done = TRUE;
          return TRUE;
        }
      if (too_long)
        return line_too_long (s, line, error);
      if (strspn (s->elem->str, " \t\r") == s->elem->len)
        continue;
      return take_job (s, s->elem->str, s->elem->len, NULL, line, error);
    }
}

/* ---- the reader ------------------------------------------------------------------------- */

static gboolean
json_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  JsonReader *s = (JsonReader *) r;
  g_clear_pointer (&s->current, wl_job_extra_free);
  *eof = FALSE;
  for (;;)
    {
      if (wl__sortbuf_take (&s->sort, s->ended, out))
        {
          s->current = (WlJobExtra *) out->extra;
          return TRUE;
        }
      if (s->ended)
        {
          *eof = TRUE;
          return TRUE;
        }
      if (s->array_next >= 0)
        {
          if (!emit_task (s, error))
            return FALSE;
          continue;
        }
      if (s->input_done)
        {
          s->ended = TRUE;
          continue;
        }
      if (!read_job (s, error))
        return FALSE;
    }
}

static void
json_finalize (WlReader *r)
{
  JsonReader *s = (JsonReader *) r;
  g_clear_object (&s->in);
  g_clear_pointer (&s->tz, g_time_zone_unref);
  g_clear_pointer (&s->chunk, g_free);
  if (s->elem != NULL)
    g_string_free (s->elem, TRUE);
  s->elem = NULL;
  if (s->first != NULL)
    json_decref (s->first);
  s->first = NULL;
  if (s->first_text != NULL)
    g_string_free (s->first_text, TRUE);
  s->first_text = NULL;
  g_clear_pointer (&s->warned, g_hash_table_unref);
  wl__names_clear (&s->users);
  wl__names_clear (&s->groups);
  g_clear_pointer (&s->part_cache, g_hash_table_unref);
  g_clear_pointer (&s->type_cache, g_hash_table_unref);
  if (s->sort_ready)
    {
      WlJob j;
      while (wl__sortbuf_take (&s->sort, TRUE, &j))
        wl_job_extra_free ((WlJobExtra *) j.extra);
    }
  wl__sortbuf_clear (&s->sort);
  g_clear_pointer (&s->current, wl_job_extra_free);
  wl__json_job_clear (&s->array);
}

static const WlReaderOps json_ops = {
  .next = json_next,
  .finalize = json_finalize,
};

static gboolean
has_suffix_nocase (const char *s, const char *suffix)
{
  gsize n = strlen (s), k = strlen (suffix);
  return n >= k && g_ascii_strcasecmp (s + n - k, suffix) == 0;
}

/* TRUE if `name` (without a .gz) ends in one of `suffixes`. */
static gboolean
name_ends_in (const char *name, const char *const *suffixes)
{
  g_autofree char *base = g_strdup (name);
  if (has_suffix_nocase (base, ".gz"))
    base[strlen (base) - 3] = '\0';
  for (guint i = 0; suffixes[i] != NULL; i++)
    if (has_suffix_nocase (base, suffixes[i]))
      return TRUE;
  return FALSE;
}

gboolean
wl_json_name_looks_like (const char *path)
{
  g_return_val_if_fail (path != NULL, FALSE);
  static const char *const all[] = { ".json", ".jsonl", ".ndjson", NULL };
  return name_ends_in (path, all);
}

WlReader *
wl_json_reader_new (GInputStream *in, const char *name, const WlReaderOptions *opts,
                    GError **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  JsonReader *s = g_new0 (JsonReader, 1);
  wl__reader_init (&s->parent, &json_ops, name);
  g_autoptr (WlReader) r = &s->parent;
  s->in = g_object_ref (in);
  if (opts != NULL)
    s->opts = *opts;
  else
    wl_reader_options_init (&s->opts);
  s->opts.columns = NULL;
  s->chunk = g_malloc (CHUNK_SIZE);
  s->line = 1;
  s->elem = g_string_sized_new (1024);
  s->warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->array_next = -1;
  wl__names_init (&s->users);
  wl__names_init (&s->groups);
  wl__sortbuf_init (&s->sort, s->opts.sort_window > 0 ? s->opts.sort_window : DEFAULT_WINDOW);
  s->sort_ready = TRUE;
  if (s->opts.time_zone != NULL)
    {
      s->tz = g_time_zone_new_identifier (s->opts.time_zone);
      if (s->tz == NULL)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: unknown time zone \"%s\"",
                       s->parent.name, s->opts.time_zone);
          return NULL;
        }
      s->tz_from_opts = TRUE;
      s->parent.info.time_zone_string = g_strdup (s->opts.time_zone);
      s->opts.time_zone = NULL;      /* not kept: the caller's string may not outlive us */
    }
  s->ctx = (WlJsonCtx) {
    .opts = &s->opts,
    .name = s->parent.name,
    .tz = s->tz,
    .users = &s->users,
    .groups = &s->groups,
    .part_cache = &s->part_cache,
    .type_cache = &s->type_cache,
    .warned = s->warned,
    .n_warned = &s->n_field_warned,
  };
  static const char *const lines[] = { ".jsonl", ".ndjson", NULL };
  if (!read_head (s, name != NULL && name_ends_in (name, lines), error))
    return NULL;
  return g_steal_pointer (&r);
}

WlReader *
wl_json_reader_open (const char *path, const WlReaderOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  return wl_json_reader_new (in, path, opts, error);
}
