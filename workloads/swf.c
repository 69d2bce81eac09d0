/* SPDX-License-Identifier: MIT */
/* workloads/swf.c - streaming SWF reader and writer (Parallel Workloads Archive format).
 *
 * The reader pulls the stream in 1 MiB chunks through the line reader (linereader.h), which
 * finds line ends with memchr, and parses the 18 fields of a record by hand, in place: no
 * per-line allocation, no sscanf, no splitting.  A line is at most 64 KiB (longer ones are
 * malformed and skipped to the next newline), so the buffer always has room for more than
 * 900 KiB of input.  Memory is O(1) in the trace length (the header lines aside).
 * Everything that can go wrong with a line (missing or extra fields, bytes that are not
 * numbers, overflow, out-of-range values) is found by the single scan and reported only on
 * the cold path, where the message is built.  The rules are listed in swf.h.  The writer
 * formats numbers by hand as well, one write per job. */
#include "workloads/swf.h"
#include "workloads/linereader.h"
#include "workloads/rows-private.h"

#include <string.h>

#define BUF_SIZE     (1024 * 1024)
#define MAX_LINE     (64 * 1024)
#define N_FIELDS     18
#define MAX_TIME     (G_GINT64_CONSTANT (1) << 40)

typedef struct {
  const char *name;
  gint64      min;
  gint64      max;
  gboolean    decimal;            /* a fraction is allowed (and rounded) */
} FieldSpec;

/* Field i + 1 of the SWF definition. */
static const FieldSpec field_specs[N_FIELDS] = {
  { "job number", 0, G_MAXUINT32, FALSE },
  { "submit time", 0, MAX_TIME, TRUE },
  { "wait time", -G_MAXINT64, G_MAXINT64, TRUE },
  { "run time", -1, MAX_TIME, TRUE },
  { "allocated processors", -1, G_MAXUINT32, FALSE },
  { "average CPU time", -1, G_MAXINT64, TRUE },
  { "used memory", -1, G_MAXINT64, TRUE },
  { "requested processors", -1, G_MAXUINT32, FALSE },
  { "requested time", -1, MAX_TIME, TRUE },
  { "requested memory", -1, G_MAXINT64, TRUE },
  { "status", -1, G_MAXINT64, FALSE },
  { "user", -1, G_MAXUINT32, FALSE },
  { "group", -1, G_MAXUINT32, FALSE },
  { "executable", -1, G_MAXINT64, FALSE },
  { "queue", -1, G_MAXINT64, FALSE },
  { "partition", -1, G_MAXINT64, FALSE },
  { "preceding job", -G_MAXINT64, G_MAXINT64, FALSE },
  { "think time", -G_MAXINT64, G_MAXINT64, TRUE },
};

enum { F_JOB = 0, F_SUBMIT = 1, F_RUNTIME = 3, F_ALLOC = 4, F_REQPROCS = 7, F_REQTIME = 8,
       F_STATUS = 10, F_USER = 11, F_GROUP = 12, F_PRECEDING = 16, F_THINK = 17 };

typedef enum {
  FAIL_NONE = 0,
  FAIL_MISSING,      /* the line ended before field `field` */
  FAIL_EXTRA,        /* something after field 18 */
  FAIL_NOT_NUMBER,
  FAIL_NOT_INTEGER,  /* a fraction in an integer field */
  FAIL_OVERFLOW,     /* does not fit in 64 bits */
  FAIL_RANGE,        /* outside field_specs[field].min .. max */
} FailKind;

typedef struct {
  FailKind    kind;
  int         field;           /* 0-based */
  const char *token;
  gsize       token_len;
} ParseFail;

typedef struct {
  WlReader      parent;
  WlSwfOptions  opts;
  WlLineReader  lines;         /* lines.lineno is the current line's number */
  guint         n_warned;
  /* The first line that is not part of the header, found by the header scan. */
  gboolean      have_pending;
  WlLineStatus  pending_status;
  const char   *pending;
  gsize         pending_len;
} SwfReader;

/* Character classes, by table: the scanner looks at every byte of the trace. */
enum { C_SPACE = 1, C_DIGIT = 2 };
static const guint8 char_class[256] = {
  ['\t'] = C_SPACE, ['\v'] = C_SPACE, ['\f'] = C_SPACE, ['\r'] = C_SPACE, [' '] = C_SPACE,
  ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
  ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
};

static inline gboolean
is_space (char c)
{
  return char_class[(unsigned char) c] & C_SPACE;
}

static inline gboolean
is_digit (char c)
{
  return char_class[(unsigned char) c] & C_DIGIT;
}

/* ---- messages -------------------------------------------------------------------------- */

static void
emit_warning (SwfReader *s, const char *msg)
{
  if (s->opts.warn_func != NULL)
    s->opts.warn_func (msg, s->opts.warn_data);
  else
    g_printerr ("sluice: warning: %s\n", msg);
}

static void
warn (SwfReader *s, const char *msg)
{
  if (s->n_warned < s->opts.max_warnings)
    emit_warning (s, msg);
  else if (s->n_warned == s->opts.max_warnings && s->opts.max_warnings > 0)
    {
      g_autofree char *note = g_strdup_printf (
          "%s: further malformed lines are skipped and counted but not reported",
          s->parent.name);
      emit_warning (s, note);
    }
  if (s->n_warned < G_MAXUINT)
    s->n_warned++;
}

static void
append_range (GString *out, const FieldSpec *f)
{
  if (f->min == 0)
    g_string_append (out, "a number from 0");
  else if (f->min == -1)
    g_string_append (out, "-1 or a number from 0");
  if (f->max == G_MAXINT64)
    g_string_append (out, " up");
  else
    g_string_append_printf (out, " to %" G_GINT64_FORMAT, f->max);
}

static char *
fail_message (SwfReader *s, const ParseFail *fail)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "%s:%" G_GUINT64_FORMAT ": ", s->parent.name, s->lines.lineno);
  const FieldSpec *f = fail->field < N_FIELDS ? &field_specs[fail->field] : NULL;
  switch (fail->kind)
    {
    case FAIL_MISSING:
      g_string_append_printf (m, "field %d (%s): missing (the line has %d fields, SWF has %d)",
                              fail->field + 1, f->name, fail->field, N_FIELDS);
      break;
    case FAIL_EXTRA:
      g_string_append_printf (m, "field %d: unexpected, SWF has %d fields, got ",
                              N_FIELDS + 1, N_FIELDS);
      wl__append_quoted (m, fail->token, fail->token_len);
      break;
    case FAIL_NOT_NUMBER:
      g_string_append_printf (m, "field %d (%s): expected a number, got ", fail->field + 1,
                              f->name);
      wl__append_quoted (m, fail->token, fail->token_len);
      break;
    case FAIL_NOT_INTEGER:
      g_string_append_printf (m, "field %d (%s): expected an integer, got ", fail->field + 1,
                              f->name);
      wl__append_quoted (m, fail->token, fail->token_len);
      break;
    case FAIL_OVERFLOW:
      g_string_append_printf (m, "field %d (%s): number out of range, got ", fail->field + 1,
                              f->name);
      wl__append_quoted (m, fail->token, fail->token_len);
      break;
    case FAIL_RANGE:
      g_string_append_printf (m, "field %d (%s): expected ", fail->field + 1, f->name);
      append_range (m, f);
      g_string_append (m, ", got ");
      wl__append_quoted (m, fail->token, fail->token_len);
      break;
    case FAIL_NONE:
    default:
      g_assert_not_reached ();
    }
  return g_string_free (m, FALSE);
}

/* Counts a malformed line; strict: sets `error` from `msg` and returns FALSE; otherwise
 * warns and returns TRUE.  Takes `msg`. */
static gboolean
malformed (SwfReader *s, char *msg, GError **error)
{
  s->parent.counts.read++;
  s->parent.counts.skipped[WL_SKIP_MALFORMED]++;
  if (s->opts.strict)
    {
      g_set_error_literal (error, WL_ERROR, WL_ERROR_MALFORMED, msg);
      g_free (msg);
      return FALSE;
    }
  warn (s, msg);
  g_free (msg);
  return TRUE;
}

static char *
too_long_message (SwfReader *s)
{
  return g_strdup_printf ("%s:%" G_GUINT64_FORMAT ": line longer than %d bytes",
                          s->parent.name, s->lines.lineno, MAX_LINE);
}

/* ---- record parsing (the hot path) ----------------------------------------------------- */

/* Parses field i starting at `p` (not a blank, not the end) in full: signs, fractions
 * (rounded), overflow and range.  Returns where the field ends, or NULL with *fail filled. */
static const char *
parse_field_slow (const char *p, const char *end, int i, gint64 *out, ParseFail *fail)
{
  const char *tok = p;
  gboolean neg = FALSE;
  if (*p == '-' || *p == '+')
    {
      neg = *p == '-';
      p++;
    }
  const char *digits = p;
  guint64 acc = 0;
  gboolean overflow = FALSE;
  for (; is_digit (*p); p++)
    {
      guint d = (guint) (*p - '0');
      if (acc > (guint64) (G_MAXINT64 - d) / 10)
        overflow = TRUE;
      else
        acc = acc * 10 + d;
    }
  gboolean have_digits = p > digits;
  gboolean fraction = FALSE;
  gboolean round_up = FALSE;
  if (*p == '.')
    {
      p++;
      if (is_digit (*p))
        {
          fraction = TRUE;
          round_up = *p >= '5';
          while (is_digit (*p))
            p++;
        }
    }
  if ((!have_digits && !fraction) || (p < end && !is_space (*p)))
    {
      while (p < end && !is_space (*p))
        p++;
      fail->kind = FAIL_NOT_NUMBER;
      goto fail_token;
    }
  if (fraction && !field_specs[i].decimal)
    {
      fail->kind = FAIL_NOT_INTEGER;
      goto fail_token;
    }
  if (round_up)
    {
      if (acc == (guint64) G_MAXINT64)
        overflow = TRUE;
      else
        acc++;
    }
  if (overflow)
    {
      fail->kind = FAIL_OVERFLOW;
      goto fail_token;
    }
  gint64 val = neg ? -(gint64) acc : (gint64) acc;
  if (val < field_specs[i].min || val > field_specs[i].max)
    {
      fail->kind = FAIL_RANGE;
      goto fail_token;
    }
  *out = val;
  return p;

fail_token:
  fail->field = i;
  fail->token = tok;
  fail->token_len = (gsize) (p - tok);
  return NULL;
}

/* Parses the 18 fields of [p, end) into v[]; *end is '\n' (linereader.h), which is neither
 * a blank nor a digit, so the loops stop on it without comparing against `end`.  The fast
 * path takes [-]digits (1 to 18 of them) followed by a blank or the end and in range,
 * which is nearly every field of every trace; anything else is parsed again from its
 * start by parse_field_slow, which decides.  Returns TRUE, or FALSE with *fail filled. */
static gboolean
parse_fields (const char *p, const char *end, gint64 v[N_FIELDS], ParseFail *fail)
{
  g_assert (*end == '\n');
  for (int i = 0; i < N_FIELDS; i++)
    {
      while (is_space (*p))
        p++;
      if (G_UNLIKELY (p == end))
        {
          fail->kind = FAIL_MISSING;
          fail->field = i;
          return FALSE;
        }
      const char *tok = p;
      gboolean neg = *p == '-';
      p += neg;
      const char *digits = p;
      guint64 acc = 0;
      while (is_digit (*p))
        acc = acc * 10 + (guint) (*p++ - '0');
      if (G_LIKELY ((gsize) (p - digits) - 1 < 18 && (is_space (*p) || *p == '\n')))
        {
          gint64 val = neg ? -(gint64) acc : (gint64) acc;
          if (G_LIKELY (val >= field_specs[i].min && val <= field_specs[i].max))
            {
              v[i] = val;
              continue;
            }
        }
      p = parse_field_slow (tok, end, i, &v[i], fail);
      if (p == NULL)
        return FALSE;
    }
  while (is_space (*p))
    p++;
  if (p < end)
    {
      const char *tok = p;
      while (p < end && !is_space (*p))
        p++;
      fail->kind = FAIL_EXTRA;
      fail->field = N_FIELDS;
      fail->token = tok;
      fail->token_len = (gsize) (p - tok);
      return FALSE;
    }
  return TRUE;
}

/* Applies the rules of swf.h to a parsed record.  Returns TRUE if the job is kept (and
 * fills `out`), FALSE if it is skipped (and counts why). */
static gboolean
make_job (SwfReader *s, const gint64 v[N_FIELDS], WlJob *out)
{
  WlCounts *c = &s->parent.counts;
  c->read++;

  gint64 runtime = v[F_RUNTIME];
  gboolean zero_kept = FALSE;
  if (runtime <= 0)
    {
      if (!s->opts.keep_zero_runtime)
        {
          c->skipped[WL_SKIP_NO_RUNTIME]++;
          return FALSE;
        }
      runtime = 0;
      zero_kept = TRUE;
    }

  gint64 first = s->opts.prefer_requested ? v[F_REQPROCS] : v[F_ALLOC];
  gint64 second = s->opts.prefer_requested ? v[F_ALLOC] : v[F_REQPROCS];
  gint64 size;
  gboolean size_fallback = FALSE;
  if (first > 0)
    size = first;
  else if (second > 0)
    {
      size = second;
      size_fallback = TRUE;
    }
  else
    {
      c->skipped[WL_SKIP_NO_SIZE]++;
      return FALSE;
    }

  gint64 limit = v[F_REQTIME];
  gboolean limit_fallback = FALSE;
  if (limit <= 0)
    {
      limit = MAX (runtime, 1);
      limit_fallback = TRUE;
    }

  c->kept++;
  if (zero_kept)
    c->adjusted[WL_ADJ_RUNTIME_ZERO_KEPT]++;
  if (size_fallback)
    c->adjusted[s->opts.prefer_requested ? WL_ADJ_SIZE_FROM_ALLOCATED
                                         : WL_ADJ_SIZE_FROM_REQUESTED]++;
  if (limit_fallback)
    c->adjusted[WL_ADJ_REQTIME_FROM_RUNTIME]++;

  sched_job_spec_init (&out->spec);
  out->spec.id = (SchedJobId) v[F_JOB];
  out->spec.submit = v[F_SUBMIT];
  out->spec.tasks = (guint32) size;
  out->spec.cpus_per_task = 1;
  out->spec.time_limit = limit;
  out->spec.user = v[F_USER] < 0 ? 0 : (guint32) v[F_USER];
  out->spec.group = v[F_GROUP] < 0 ? 0 : (guint32) v[F_GROUP];
  out->runtime = runtime;
  switch (v[F_STATUS])
    {
    case 0:
      out->end_state = SCHED_JOB_FAILED;
      break;
    case 5:
      out->end_state = SCHED_JOB_CANCELLED;
      break;
    default:
      out->end_state = SCHED_JOB_COMPLETED;
      break;
    }
  /* feedback: -1 (or 0, or the job itself) is no preceding job; -1 think time is none */
  if (v[F_PRECEDING] > 0 && v[F_PRECEDING] <= G_MAXUINT32 && v[F_PRECEDING] != v[F_JOB])
    {
      out->preceding = (SchedJobId) v[F_PRECEDING];
      out->think_time = MIN (MAX (v[F_THINK], 0), MAX_TIME);
    }
  out->line = s->lines.lineno;
  return TRUE;
}

/* ---- header ---------------------------------------------------------------------------- */

/* If `line` (after ';' and blanks) starts with `key` (case-insensitively), returns the
 * value after it with blanks trimmed on both sides, else NULL. */
static const char *
header_value (const char *p, const char *end, const char *key, gsize *vlen)
{
  gsize klen = strlen (key);
  if ((gsize) (end - p) < klen || g_ascii_strncasecmp (p, key, klen) != 0)
    return NULL;
  p += klen;
  while (p < end && is_space (*p))
    p++;
  while (end > p && is_space (end[-1]))
    end--;
  *vlen = (gsize) (end - p);
  return p;
}

static gboolean
parse_header_int (const char *p, gsize len, gint64 *out)
{
  if (len == 0 || len > 19 + (*p == '-'))
    return FALSE;
  gsize i = *p == '-' ? 1 : 0;
  if (i == len)
    return FALSE;
  guint64 acc = 0;
  for (; i < len; i++)
    {
      if (!is_digit (p[i]))
        return FALSE;
      guint d = (guint) (p[i] - '0');
      if (acc > (guint64) (G_MAXINT64 - d) / 10)
        return FALSE;
      acc = acc * 10 + d;
    }
  *out = *p == '-' ? -(gint64) acc : (gint64) acc;
  return TRUE;
}

/* Handles one ';' line of the header.  Returns FALSE with `error` set only in strict mode
 * for a bad value of a known key. */
static gboolean
header_line (SwfReader *s, const char *line, gsize len, GError **error)
{
  WlTraceInfo *info = &s->parent.info;
  gsize keep = len;
  if (keep > 0 && line[keep - 1] == '\r')
    keep--;
  g_ptr_array_add (info->header_lines, g_strndup (line, keep));

  const char *p = line, *end = line + keep;
  while (p < end && is_space (*p))
    p++;
  p++;                                         /* the ';' */
  while (p < end && is_space (*p))
    p++;

  static const struct {
    const char *key;
    gsize       offset;
  } int_keys[] = {
    { "MaxProcs:", G_STRUCT_OFFSET (WlTraceInfo, max_procs) },
    { "MaxNodes:", G_STRUCT_OFFSET (WlTraceInfo, max_nodes) },
    { "UnixStartTime:", G_STRUCT_OFFSET (WlTraceInfo, unix_start_time) },
  };
  const char *val;
  gsize vlen;
  for (gsize k = 0; k < G_N_ELEMENTS (int_keys); k++)
    {
      if ((val = header_value (p, end, int_keys[k].key, &vlen)) == NULL)
        continue;
      if (vlen == 0)
        return TRUE;                           /* "; MaxNodes:" says nothing */
      gint64 x;
      if (parse_header_int (val, vlen, &x) && x >= -1)
        {
          G_STRUCT_MEMBER (gint64, info, int_keys[k].offset) = x;
          return TRUE;
        }
      GString *m = g_string_new (NULL);
      g_string_append_printf (m, "%s:%" G_GUINT64_FORMAT ": header %s expected an integer, "
                              "got ", s->parent.name, s->lines.lineno, int_keys[k].key);
      wl__append_quoted (m, val, vlen);
      g_autofree char *msg = g_string_free (m, FALSE);
      if (s->opts.strict)
        {
          g_set_error_literal (error, WL_ERROR, WL_ERROR_MALFORMED, msg);
          return FALSE;
        }
      warn (s, msg);
      return TRUE;
    }
  if ((val = header_value (p, end, "TimeZoneString:", &vlen)) != NULL && vlen > 0)
    {
      g_free (info->time_zone_string);
      info->time_zone_string = g_strndup (val, vlen);
    }
  return TRUE;
}

/* ---- reader ---------------------------------------------------------------------------- */

static gboolean
swf_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  SwfReader *s = (SwfReader *) r;
  *eof = FALSE;
  for (;;)
    {
      const char *line = NULL;
      gsize len = 0;
      WlLineStatus st;
      if (s->have_pending)
        {
          s->have_pending = FALSE;
          st = s->pending_status;
          line = s->pending;
          len = s->pending_len;
        }
      else
        st = wl__line_reader_next (&s->lines, &line, &len, error);

      switch (st)
        {
        case WL_LINE_OK:
          break;
        case WL_LINE_EOF:
          *eof = TRUE;
          return TRUE;
        case WL_LINE_TOO_LONG:
          if (!malformed (s, too_long_message (s), error))
            return FALSE;
          continue;
        case WL_LINE_ERROR:
        default:
          return FALSE;
        }

      const char *p = line, *end = line + len;
      while (p < end && is_space (*p))
        p++;
      if (p == end || *p == ';')
        continue;                      /* blank, or a comment after the header */

      gint64 v[N_FIELDS];
      ParseFail fail;
      if (G_UNLIKELY (!parse_fields (p, end, v, &fail)))
        {
          if (!malformed (s, fail_message (s, &fail), error))
            return FALSE;
          continue;
        }
      if (make_job (s, v, out))
        return TRUE;
    }
}

static void
swf_finalize (WlReader *r)
{
  SwfReader *s = (SwfReader *) r;
  wl__line_reader_clear (&s->lines);
}

static const WlReaderOps swf_ops = {
  .next = swf_next,
  .finalize = swf_finalize,
};

void
wl_swf_options_init (WlSwfOptions *opts)
{
  g_return_if_fail (opts != NULL);
  memset (opts, 0, sizeof *opts);
  opts->max_warnings = 10;
}

WlReader *
wl_swf_reader_new (GInputStream *in, const char *name, const WlSwfOptions *opts,
                   GError **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  SwfReader *s = g_new0 (SwfReader, 1);
  wl__reader_init (&s->parent, &swf_ops, name);
  g_autoptr (WlReader) r = &s->parent;
  if (opts != NULL)
    s->opts = *opts;
  else
    wl_swf_options_init (&s->opts);
  wl__line_reader_init (&s->lines, in, s->parent.name, BUF_SIZE, MAX_LINE);

  /* Read the header: ';' and blank lines up to the first other line, which is kept. */
  for (;;)
    {
      const char *line = NULL;
      gsize len = 0;
      WlLineStatus st = wl__line_reader_next (&s->lines, &line, &len, error);
      if (st == WL_LINE_ERROR)
        return NULL;
      if (st == WL_LINE_EOF)
        break;
      if (st == WL_LINE_OK && s->lines.lineno == 1 && len >= 3
          && memcmp (line, "\xef\xbb\xbf", 3) == 0)
        {
          line += 3;                 /* UTF-8 byte-order mark */
          len -= 3;
        }
      const char *p = line, *end = line ? line + len : line;   /* no line when too long */
      while (st == WL_LINE_OK && p < end && is_space (*p))
        p++;
      if (st == WL_LINE_OK && p == end)
        continue;
      if (st == WL_LINE_OK && *p == ';')
        {
          if (!header_line (s, line, len, error))
            return NULL;
          continue;
        }
      s->have_pending = TRUE;
      s->pending_status = st;
      s->pending = line;
      s->pending_len = len;
      break;
    }
  return g_steal_pointer (&r);
}

WlReader *
wl_swf_reader_open (const char *path, const WlSwfOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  return wl_swf_reader_new (in, path, opts, error);
}

/* ---- writer ---------------------------------------------------------------------------- */

static char *
put_int (char *p, gint64 v)
{
  char tmp[24];
  int n = 0;
  guint64 u = v < 0 ? (guint64) 0 - (guint64) v : (guint64) v;
  do
    {
      tmp[n++] = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u != 0);
  if (v < 0)
    *p++ = '-';
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

gboolean
wl_swf_write_header (GOutputStream *out, const char *const *lines, GError **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (lines == NULL)
    return TRUE;
  g_autoptr (GString) text = g_string_new (NULL);
  for (gsize i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      if (l[0] != ';')
        g_string_append (text, "; ");
      for (; *l != '\0'; l++)
        {
          if (*l == '\r' && l[1] == '\n')
            continue;
          if (*l == '\n')
            g_string_append (text, "\n; ");
          else
            g_string_append_c (text, *l);
        }
      g_string_append_c (text, '\n');
    }
  return g_output_stream_write_all (out, text->str, text->len, NULL, NULL, error);
}

static gint64
swf_status (SchedJobState st)
{
  switch (st)
    {
    case SCHED_JOB_COMPLETED:
      return 1;
    case SCHED_JOB_FAILED:
    case SCHED_JOB_TIMEOUT:
    case SCHED_JOB_NODE_FAIL:
      return 0;
    case SCHED_JOB_CANCELLED:
      return 5;
    case SCHED_JOB_PENDING:
    case SCHED_JOB_RUNNING:
    case SCHED_JOB_N_STATES:
    default:
      return -1;
    }
}

gboolean
wl_swf_write_job (GOutputStream *out, const WlJob *job, GError **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (job != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gint64 procs = (gint64) sched_job_spec_cpus (&job->spec);
  const gint64 f[N_FIELDS] = {
    job->spec.id, job->spec.submit, -1, job->runtime, procs, -1, -1, procs,
    job->spec.time_limit, -1, swf_status (job->end_state), job->spec.user, job->spec.group,
    -1, -1, -1, job->preceding > 0 ? (gint64) job->preceding : -1,
    job->preceding > 0 ? job->think_time : -1,
  };
  char buf[N_FIELDS * 21 + 2];
  char *p = buf;
  for (int i = 0; i < N_FIELDS; i++)
    {
      p = put_int (p, f[i]);
      *p++ = i + 1 < N_FIELDS ? ' ' : '\n';
    }
  return g_output_stream_write_all (out, buf, (gsize) (p - buf), NULL, NULL, error);
}
