/* SPDX-License-Identifier: MIT */
/* workloads/rows.c - value parsers, job-shape rules and the submit-order buffer of the
 * tabular trace readers.
 *
 * The parsers work on (pointer, length) slices of a row, trim blanks, and never allocate
 * on their common paths: numbers and "YYYY-MM-DD HH:MM:SS" dates are parsed by hand (the
 * date through days-from-civil arithmetic, in UTC or with the offset GTimeZone gives for a
 * named zone); only unusual ISO 8601 forms go through GDateTime.  The rules that turn a
 * row into a WlJob and the buffer that sorts jobs by submit time within a window are
 * shared by csvtrace.c and sacct.c, so both formats count the same reasons the same way.
 * The sort buffer costs O(log window) per job and O(window) memory. */
#include "workloads/rows-private.h"

#include <math.h>
#include <string.h>

#define MAX_TIME     (G_GINT64_CONSTANT (1) << 40)
#define TOKEN_SHOWN  40
#define NAME_BASE    ((guint32) 1 << 31)

void
wl_reader_options_init (WlReaderOptions *opts)
{
  g_return_if_fail (opts != NULL);
  memset (opts, 0, sizeof *opts);
  opts->max_warnings = 10;
  opts->gpus_per_node = 8;
  opts->limit_rule = WL_LIMIT_LADDER;
  opts->limit_factor = 2.0;
}

/* ---- small helpers --------------------------------------------------------------------- */

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static void
trim (const char **s, gsize *len)
{
  const char *p = *s, *end = *s + *len;
  while (p < end && is_blank (*p))
    p++;
  while (end > p && is_blank (end[-1]))
    end--;
  *s = p;
  *len = (gsize) (end - p);
}

static inline char
ascii_lower (char c)
{
  return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
}

/* [s, s + len) equals `word` (NUL-terminated), ignoring ASCII case.  Inline: the state
 * and missing-value words are compared on every row. */
static inline gboolean
equal_nocase (const char *s, gsize len, const char *word)
{
  gsize i = 0;
  for (; i < len; i++)
    if (word[i] == '\0' || ascii_lower (s[i]) != ascii_lower (word[i]))
      return FALSE;
  return word[i] == '\0';
}

gboolean
wl__is_missing (const char *s, gsize len)
{
  trim (&s, &len);
  if (len == 0)
    return TRUE;
  /* every word below starts with n or u: numbers and names are turned away at once */
  if (len > 7 || ((s[0] | 0x20) != 'n' && (s[0] | 0x20) != 'u'))
    return FALSE;
  static const char *const words[] = { "nan", "na", "n/a", "none", "null", "unknown" };
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (equal_nocase (s, len, words[i]))
      return TRUE;
  return FALSE;
}

gboolean
wl__strtod (const char *s, gsize len, double *out)
{
  char tmp[64];
  if (len == 0 || len >= sizeof tmp)
    return FALSE;
  memcpy (tmp, s, len);
  tmp[len] = '\0';
  char *stop = NULL;
  double v = g_ascii_strtod (tmp, &stop);
  if (stop != tmp + len)
    return FALSE;
  *out = v;
  return TRUE;
}

/* Parses [+-]digits[.digits] or [+-].digits (optionally with an exponent, through
 * g_ascii_strtod), the whole slice.  *value gets the number, *rounded the nearest integer
 * (halves away from zero).  FALSE if it is not such a number or is 1e18 or more. */
static gboolean
parse_decimal (const char *s, gsize len, double *value, gint64 *rounded)
{
  const char *p = s, *end = s + len;
  gboolean neg = FALSE;
  if (p < end && (*p == '-' || *p == '+'))
    {
      neg = *p == '-';
      p++;
    }
  const char *digits = p;
  guint64 acc = 0;
  while (p < end && is_digit (*p) && p - digits < 18)
    acc = acc * 10 + (guint) (*p++ - '0');
  if (p < end && is_digit (*p))
    return FALSE;                             /* 18 digits or more */
  gboolean have = p > digits;
  double frac = 0, scale = 1;
  gboolean up = FALSE;
  if (p < end && *p == '.')
    {
      p++;
      if (p < end && is_digit (*p))
        up = *p >= '5';
      const char *fd = p;
      while (p < end && is_digit (*p))
        {
          if (p - fd < 15)
            {
              scale /= 10;
              frac += (*p - '0') * scale;
            }
          p++;
        }
      have = have || p > fd;
    }
  if (!have)
    return FALSE;
  if (p < end && (*p == 'e' || *p == 'E'))
    {
      double v;
      if (!wl__strtod (s, len, &v) || !isfinite (v) || fabs (v) >= 1e18)
        return FALSE;
      *value = v;
      *rounded = (gint64) (v < 0 ? -floor (-v + 0.5) : floor (v + 0.5));
      return TRUE;
    }
  if (p != end)
    return FALSE;
  gint64 r = (gint64) acc + (up ? 1 : 0);
  double v = (double) acc + frac;
  *value = neg ? -v : v;
  *rounded = neg ? -r : r;
  return TRUE;
}

/* Skips the '.' at *p and the digits of a fraction of a second after it; *round_up says
 * whether the first digit rounds the second up.  FALSE when no digit follows the '.'. */
static gboolean
skip_fraction (const char **p, const char *end, gboolean *round_up)
{
  const char *q = *p + 1;
  if (q == end || !is_digit (*q))
    return FALSE;
  *round_up = *q >= '5';
  while (q < end && is_digit (*q))
    q++;
  *p = q;
  return TRUE;
}

/* Reads exactly `n` digits at *p (advancing it) into *out. */
static gboolean
fixed_digits (const char **p, const char *end, int n, int *out)
{
  if (end - *p < n)
    return FALSE;
  int v = 0;
  for (int i = 0; i < n; i++)
    {
      if (!is_digit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

static gint64
days_from_civil (gint64 y, int m, int d)
{
  y -= m <= 2;
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
days_in_month (int y, int m)
{
  static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return mdays[m - 1];
}

/* The common date forms, by hand.  Returns OK, or BAD when the slice is not one of them
 * (the caller then tries GDateTime). */
static WlParse
parse_date_fast (const char *s, gsize len, GTimeZone *tz, SchedTime *out)
{
  const char *p = s, *end = s + len;
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!fixed_digits (&p, end, 4, &y) || p == end || *p++ != '-'
      || !fixed_digits (&p, end, 2, &mo) || p == end || *p++ != '-'
      || !fixed_digits (&p, end, 2, &d))
    return WL_PARSE_BAD;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month (y, mo))
    return WL_PARSE_BAD;
  gboolean round_up = FALSE;
  if (p < end)
    {
      if (*p != 'T' && *p != ' ')
        return WL_PARSE_BAD;
      p++;
      if (!fixed_digits (&p, end, 2, &h) || p == end || *p++ != ':'
          || !fixed_digits (&p, end, 2, &mi))
        return WL_PARSE_BAD;
      if (p < end && *p == ':')
        {
          p++;
          if (!fixed_digits (&p, end, 2, &sec))
            return WL_PARSE_BAD;
          if (p < end && *p == '.' && !skip_fraction (&p, end, &round_up))
            return WL_PARSE_BAD;
        }
      if (h > 23 || mi > 59 || sec > 60)
        return WL_PARSE_BAD;
    }
  gint64 t = days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + sec + round_up;
  if (p == end)
    {
      if (tz != NULL)
        {
          gint64 local = t;
          gint interval = g_time_zone_adjust_time (tz, G_TIME_TYPE_STANDARD, &local);
          t = local - g_time_zone_get_offset (tz, interval);
        }
      *out = t;
      return WL_PARSE_OK;
    }
  if (*p == 'Z' && p + 1 == end)
    {
      *out = t;
      return WL_PARSE_OK;
    }
  if (*p != '+' && *p != '-')
    return WL_PARSE_BAD;
  int sign = *p++ == '-' ? -1 : 1;
  int oh, om = 0;
  if (!fixed_digits (&p, end, 2, &oh))
    return WL_PARSE_BAD;
  if (p < end && *p == ':')
    p++;
  if (p < end && !fixed_digits (&p, end, 2, &om))
    return WL_PARSE_BAD;
  if (p != end || oh > 23 || om > 59)
    return WL_PARSE_BAD;
  *out = t - sign * (oh * 3600 + om * 60);
  return WL_PARSE_OK;
}

/* The start of wl_parse_time and wl_parse_seconds: trims the slice (in place), then
 * answers NONE for a missing value, and for a decimal number of seconds NONE (-1), BAD
 * (below 0 or over MAX_TIME) or OK with *out, returning TRUE.  FALSE when the slice is
 * neither: the caller tries its other forms on the trimmed slice. */
static gboolean
parse_plain_seconds (const char **s, gsize *len, SchedTime *out, WlParse *res)
{
  trim (s, len);
  double v;
  gint64 r;
  if (wl__is_missing (*s, *len))
    *res = WL_PARSE_NONE;
  else if (!parse_decimal (*s, *len, &v, &r))
    return FALSE;
  else if (r == -1 && v == -1)
    *res = WL_PARSE_NONE;
  else if (v < 0 || r > MAX_TIME)
    *res = WL_PARSE_BAD;
  else
    {
      *out = r;
      *res = WL_PARSE_OK;
    }
  return TRUE;
}

WlParse
wl_parse_time (const char *s, gsize len, GTimeZone *tz, SchedTime *out)
{
  g_return_val_if_fail (s != NULL || len == 0, WL_PARSE_BAD);
  g_return_val_if_fail (out != NULL, WL_PARSE_BAD);
  WlParse res;
  if (parse_plain_seconds (&s, &len, out, &res))
    return res;
  if (parse_date_fast (s, len, tz, out) == WL_PARSE_OK)
    return WL_PARSE_OK;
  char tmp[80];
  if (len >= sizeof tmp || !is_digit (*s))
    return WL_PARSE_BAD;
  memcpy (tmp, s, len);
  tmp[len] = '\0';
  g_autoptr (GTimeZone) utc = tz == NULL ? g_time_zone_new_utc () : NULL;
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (tmp, tz != NULL ? tz : utc);
  if (dt == NULL)
    return WL_PARSE_BAD;
  *out = g_date_time_to_unix (dt);
  return WL_PARSE_OK;
}

/* Reads digits at *p (at most 12) into *out; FALSE if there are none. */
static gboolean
some_digits (const char **p, const char *end, gint64 *out)
{
  const char *start = *p;
  gint64 v = 0;
  while (*p < end && is_digit (**p))
    {
      if (*p - start >= 12)
        return FALSE;
      v = v * 10 + (**p - '0');
      (*p)++;
    }
  *out = v;
  return *p > start;
}

WlParse
wl_parse_slurm_duration (const char *s, gsize len, SchedTime *out)
{
  g_return_val_if_fail (s != NULL || len == 0, WL_PARSE_BAD);
  g_return_val_if_fail (out != NULL, WL_PARSE_BAD);
  trim (&s, &len);
  if (len == 0 || equal_nocase (s, len, "unlimited") || equal_nocase (s, len, "infinite")
      || equal_nocase (s, len, "partition_limit") || equal_nocase (s, len, "none")
      || equal_nocase (s, len, "unknown"))
    return WL_PARSE_NONE;
  const char *p = s, *end = s + len;
  gint64 days = -1, part[3];
  int n = 0;
  gboolean round_up = FALSE;
  if (!some_digits (&p, end, &part[0]))
    return WL_PARSE_BAD;
  if (p < end && *p == '-')
    {
      days = part[0];
      p++;
      if (!some_digits (&p, end, &part[0]))
        return WL_PARSE_BAD;
    }
  n = 1;
  while (p < end && *p == ':' && n < 3)
    {
      p++;
      if (!some_digits (&p, end, &part[n++]))
        return WL_PARSE_BAD;
    }
  if (p < end && *p == '.')
    {
      /* a fraction of the seconds: only when the last part is seconds */
      if (!(days < 0 ? n >= 2 : n == 3))
        return WL_PARSE_BAD;
      if (!skip_fraction (&p, end, &round_up))
        return WL_PARSE_BAD;
    }
  if (p != end)
    return WL_PARSE_BAD;
  gint64 t;
  if (days >= 0)
    {
      /* D-H, D-H:M, D-H:M:S */
      t = days * 86400 + part[0] * 3600;
      if (n >= 2)
        t += part[1] * 60;
      if (n == 3)
        t += part[2];
    }
  else if (n == 1)
    t = part[0] * 60;                               /* M */
  else if (n == 2)
    t = part[0] * 60 + part[1];                     /* M:S */
  else
    t = part[0] * 3600 + part[1] * 60 + part[2];    /* H:M:S */
  t += round_up;
  if (t > MAX_TIME)
    return WL_PARSE_BAD;
  *out = t;
  return WL_PARSE_OK;
}

WlParse
wl_parse_seconds (const char *s, gsize len, SchedTime *out)
{
  g_return_val_if_fail (s != NULL || len == 0, WL_PARSE_BAD);
  g_return_val_if_fail (out != NULL, WL_PARSE_BAD);
  WlParse res;
  if (parse_plain_seconds (&s, &len, out, &res))
    return res;
  if (memchr (s, ':', len) != NULL || memchr (s + 1, '-', len - 1) != NULL)
    return wl_parse_slurm_duration (s, len, out);
  return WL_PARSE_BAD;
}

WlParse
wl_parse_slurm_mem (const char *s, gsize len, guint64 *mb, WlMemPer *per)
{
  g_return_val_if_fail (s != NULL || len == 0, WL_PARSE_BAD);
  g_return_val_if_fail (mb != NULL, WL_PARSE_BAD);
  trim (&s, &len);
  if (wl__is_missing (s, len))
    return WL_PARSE_NONE;
  const char *end = s + len;
  WlMemPer whom = WL_MEM_PER_NODE;
  if (end[-1] == 'c' || end[-1] == 'n')
    {
      whom = end[-1] == 'c' ? WL_MEM_PER_CPU : WL_MEM_PER_NODE;
      end--;
    }
  double factor = 1;
  if (end > s)
    switch (end[-1])
      {
      case 'K': case 'k': factor = 1.0 / 1024; end--; break;
      case 'M': case 'm': end--; break;
      case 'G': case 'g': factor = 1024; end--; break;
      case 'T': case 't': factor = 1024.0 * 1024; end--; break;
      case 'P': case 'p': factor = 1024.0 * 1024 * 1024; end--; break;
      default: break;
      }
  double v;
  gint64 r;
  if (end == s || !parse_decimal (s, (gsize) (end - s), &v, &r) || v < 0)
    return WL_PARSE_BAD;
  double x = ceil (v * factor - 1e-9);
  if (x > (double) (G_GUINT64_CONSTANT (1) << 50))
    return WL_PARSE_BAD;
  if (per != NULL)
    *per = whom;
  if (x <= 0)
    return WL_PARSE_NONE;
  *mb = (guint64) x;
  return WL_PARSE_OK;
}

static gboolean
parse_count (const char *s, gsize len, guint64 *out)
{
  double v;
  gint64 r;
  if (!parse_decimal (s, len, &v, &r) || v < 0 || v != floor (v))
    return FALSE;
  *out = (guint64) r;
  return TRUE;
}

WlParse
wl_parse_tres (const char *s, gsize len, guint64 *gpus, char **type, guint64 *cpus,
               guint64 *nodes, guint64 *mem_mb)
{
  g_return_val_if_fail (s != NULL || len == 0, WL_PARSE_BAD);
  g_return_val_if_fail (gpus != NULL, WL_PARSE_BAD);
  trim (&s, &len);
  *gpus = 0;
  if (type != NULL)
    *type = NULL;
  if (cpus != NULL)
    *cpus = 0;
  if (nodes != NULL)
    *nodes = 0;
  if (mem_mb != NULL)
    *mem_mb = 0;
  if (wl__is_missing (s, len))
    return WL_PARSE_NONE;
  const char *p = s, *end = s + len;
  guint64 untyped = 0, typed = 0;
  gboolean have_untyped = FALSE;
  const char *tname = NULL;
  gsize tlen = 0;
  gboolean many_types = FALSE;
  while (p < end)
    {
      const char *comma = memchr (p, ',', (gsize) (end - p));
      const char *item_end = comma != NULL ? comma : end;
      const char *eq = memchr (p, '=', (gsize) (item_end - p));
      if (eq == NULL)
        return WL_PARSE_BAD;
      const char *k = p, *v = eq + 1;
      gsize klen = (gsize) (eq - p), vlen = (gsize) (item_end - v);
      guint64 x;
      if (klen == 3 && memcmp (k, "cpu", 3) == 0)
        {
          if (!parse_count (v, vlen, &x))
            return WL_PARSE_BAD;
          if (cpus != NULL)
            *cpus = x;
        }
      else if (klen == 4 && memcmp (k, "node", 4) == 0)
        {
          if (!parse_count (v, vlen, &x))
            return WL_PARSE_BAD;
          if (nodes != NULL)
            *nodes = x;
        }
      else if (klen == 3 && memcmp (k, "mem", 3) == 0)
        {
          WlParse pr = wl_parse_slurm_mem (v, vlen, &x, NULL);
          if (pr == WL_PARSE_BAD)
            return WL_PARSE_BAD;
          if (mem_mb != NULL && pr == WL_PARSE_OK)
            *mem_mb = x;
        }
      else if (klen == 8 && memcmp (k, "gres/gpu", 8) == 0)
        {
          if (!parse_count (v, vlen, &x))
            return WL_PARSE_BAD;
          untyped = x;
          have_untyped = TRUE;
        }
      else if (klen > 9 && memcmp (k, "gres/gpu:", 9) == 0)
        {
          if (!parse_count (v, vlen, &x))
            return WL_PARSE_BAD;
          typed += x;
          const char *tn = k + 9;
          gsize tl = klen - 9;
          if (tname == NULL)
            {
              tname = tn;
              tlen = tl;
            }
          else if (tl != tlen || memcmp (tn, tname, tl) != 0)
            many_types = TRUE;
        }
      p = comma != NULL ? comma + 1 : end;
    }
  *gpus = have_untyped ? untyped : typed;
  if (type != NULL && tname != NULL && !many_types)
    *type = g_strndup (tname, tlen);
  return WL_PARSE_OK;
}

gboolean
wl_gpu_layout (guint64 gpus, guint32 gpus_per_node, guint32 *nodes, guint32 *gpus_each)
{
  g_return_val_if_fail (nodes != NULL && gpus_each != NULL, FALSE);
  if (gpus_per_node == 0)
    gpus_per_node = 8;
  if (gpus == 0)
    {
      *gpus_each = 0;
      return FALSE;
    }
  guint64 n = *nodes > 0 ? *nodes : (gpus + gpus_per_node - 1) / gpus_per_node;
  guint64 each = (gpus + n - 1) / n;
  *nodes = (guint32) MIN (n, G_MAXUINT32);
  *gpus_each = (guint32) MIN (each, G_MAXUINT32);
  return n * each > gpus;
}

SchedTime
wl_limit_synthesize (WlLimitRule rule, double factor, SchedTime runtime)
{
  static const SchedTime ladder[] = { 3600, 7200, 4 * 3600, 8 * 3600, 12 * 3600, 86400,
                                      2 * 86400, 3 * 86400, 7 * 86400 };
  static const SchedTime short_limits[] = { 300, 600, 900, 1800 };
  switch (rule)
    {
    case WL_LIMIT_RUNTIME:
      return MAX (runtime, 1);
    case WL_LIMIT_FACTOR:
      {
        double x = ceil ((double) runtime * (factor > 0 ? factor : 1.0));
        if (x > (double) MAX_TIME)
          return MAX_TIME;
        return MAX ((SchedTime) x, 1);
      }
    case WL_LIMIT_ROUND_UP:
      for (gsize i = 0; i < G_N_ELEMENTS (short_limits); i++)
        if (runtime <= short_limits[i])
          return short_limits[i];
      G_GNUC_FALLTHROUGH;
    case WL_LIMIT_LADDER:
    default:
      for (gsize i = 0; i < G_N_ELEMENTS (ladder); i++)
        if (runtime <= ladder[i])
          return ladder[i];
      return (runtime + 86399) / 86400 * 86400;
    }
}

/* ---- messages -------------------------------------------------------------------------- */

void
wl__append_quoted (GString *out, const char *s, gsize len)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len && i < TOKEN_SHOWN; i++)
    {
      unsigned char c = (unsigned char) s[i];
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c >= 0x20 && c < 0x7f)
        g_string_append_c (out, (char) c);
      else
        g_string_append_printf (out, "\\x%02x", c);
    }
  g_string_append_c (out, '"');
  if (len > TOKEN_SHOWN)
    g_string_append (out, "...");
}

static void
emit_warning (const WlReaderOptions *opts, const char *msg)
{
  if (opts->warn_func != NULL)
    opts->warn_func (msg, opts->warn_data);
  else
    g_printerr ("sluice: warning: %s\n", msg);
}

void
wl__warn (const WlReader *r, const WlReaderOptions *opts, guint *n_warned, const char *msg)
{
  if (*n_warned < opts->max_warnings)
    emit_warning (opts, msg);
  else if (*n_warned == opts->max_warnings && opts->max_warnings > 0)
    {
      g_autofree char *note = g_strdup_printf (
          "%s: further malformed records are skipped and counted but not reported", r->name);
      emit_warning (opts, note);
    }
  if (*n_warned < G_MAXUINT)
    (*n_warned)++;
}

gboolean
wl__malformed (WlReader *r, const WlReaderOptions *opts, guint *n_warned, char *msg,
               GError **error)
{
  r->counts.skipped[WL_SKIP_MALFORMED]++;
  if (opts->strict)
    {
      g_set_error_literal (error, WL_ERROR, WL_ERROR_MALFORMED, msg);
      g_free (msg);
      return FALSE;
    }
  wl__warn (r, opts, n_warned, msg);
  g_free (msg);
  return TRUE;
}

/* ---- states --------------------------------------------------------------------------- */

gboolean
wl__parse_state (const char *s, gsize len, SchedJobState *state, WlStateKind *kind)
{
  static const struct {
    const char   *word;
    SchedJobState state;
    WlStateKind   kind;
  } words[] = {
    { "completed", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "complete", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "succeeded", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "success", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "pass", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "finished", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "done", SCHED_JOB_COMPLETED, WL_STATE_ENDED },
    { "failed", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "fail", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "error", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "out_of_memory", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "oom", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "boot_fail", SCHED_JOB_FAILED, WL_STATE_ENDED },
    { "cancelled", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "canceled", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "killed", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "preempted", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "revoked", SCHED_JOB_CANCELLED, WL_STATE_ENDED },
    { "timeout", SCHED_JOB_TIMEOUT, WL_STATE_ENDED },
    { "timed_out", SCHED_JOB_TIMEOUT, WL_STATE_ENDED },
    { "deadline", SCHED_JOB_TIMEOUT, WL_STATE_ENDED },
    { "node_fail", SCHED_JOB_NODE_FAIL, WL_STATE_ENDED },
    { "pending", SCHED_JOB_PENDING, WL_STATE_PENDING },
    { "queued", SCHED_JOB_PENDING, WL_STATE_PENDING },
    { "waiting", SCHED_JOB_PENDING, WL_STATE_PENDING },
    { "running", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "suspended", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "requeued", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "resizing", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "configuring", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "completing", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "stopped", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "signaling", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
    { "stage_out", SCHED_JOB_RUNNING, WL_STATE_RUNNING },
  };
  trim (&s, &len);
  gsize n = 0;
  while (n < len && !is_blank (s[n]))
    n++;
  if (n > 0 && s[n - 1] == '+')
    n--;
  char first = n > 0 ? ascii_lower (s[0]) : '\0';
  for (gsize i = 0; i < G_N_ELEMENTS (words); i++)
    if (words[i].word[0] == first && equal_nocase (s, n, words[i].word))
      {
        *state = words[i].state;
        *kind = words[i].kind;
        return TRUE;
      }
  return FALSE;
}

/* ---- names ----------------------------------------------------------------------------- */

void
wl__names_init (WlNames *n)
{
  n->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  n->next = NAME_BASE;
}

void
wl__names_clear (WlNames *n)
{
  g_clear_pointer (&n->ids, g_hash_table_unref);
}

guint32
wl__names_id (WlNames *n, const char *s, gsize len)
{
  trim (&s, &len);
  if (wl__is_missing (s, len))
    return 0;
  if (len <= 10)
    {
      guint64 v = 0;
      gsize i = 0;
      while (i < len && is_digit (s[i]))
        v = v * 10 + (guint) (s[i++] - '0');
      if (i == len && v < NAME_BASE)
        return (guint32) v;
    }
  char key[128];
  g_autofree char *heap_key = NULL;
  char *k = key;
  if (len >= sizeof key)
    k = heap_key = g_malloc (len + 1);
  memcpy (k, s, len);
  k[len] = '\0';
  gpointer val;
  if (g_hash_table_lookup_extended (n->ids, k, NULL, &val))
    return GPOINTER_TO_UINT (val);
  guint32 id = n->next;
  if (n->next < G_MAXUINT32)
    n->next++;
  g_hash_table_insert (n->ids, g_strdup (k), GUINT_TO_POINTER (id));
  return id;
}

gboolean
wl__time_zone_new (const WlReaderOptions *opts, const char *name, GTimeZone **tz,
                   GError **error)
{
  *tz = NULL;
  if (opts->time_zone == NULL)
    return TRUE;
  *tz = g_time_zone_new_identifier (opts->time_zone);
  if (*tz != NULL)
    return TRUE;
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: unknown time zone \"%s\"", name,
               opts->time_zone);
  return FALSE;
}

gint64
wl__resolve (GHashTable **cache, const WlReaderOptions *opts, WlNameKind kind, const char *s,
             gsize len, gint64 dflt)
{
  trim (&s, &len);
  if (opts->resolve == NULL || wl__is_missing (s, len))
    return dflt;
  if (*cache == NULL)
    *cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *key = g_strndup (s, len);
  gint64 *hit = g_hash_table_lookup (*cache, key);
  if (hit != NULL)
    return *hit;
  gint64 *val = g_new (gint64, 1);
  *val = opts->resolve (kind, key, opts->resolve_data);
  g_hash_table_insert (*cache, g_steal_pointer (&key), val);
  return *val;
}

/* ---- rows to jobs ---------------------------------------------------------------------- */

gboolean
wl__row_to_job (WlReader *r, const WlReaderOptions *opts, const WlRow *row, WlJob *out)
{
  WlCounts *c = &r->counts;
  guint32 adj = row->adjust_mask;
  SchedTime runtime = row->runtime;
  if (runtime <= 0)
    {
      if (!opts->keep_zero_runtime)
        {
          c->skipped[WL_SKIP_NO_RUNTIME]++;
          return FALSE;
        }
      runtime = 0;
      adj |= 1u << WL_ADJ_RUNTIME_ZERO_KEPT;
    }
  SchedTime limit = row->limit;
  if (limit <= 0)
    {
      limit = wl_limit_synthesize (opts->limit_rule, opts->limit_factor, runtime);
      adj |= 1u << (opts->limit_rule == WL_LIMIT_RUNTIME ? WL_ADJ_REQTIME_FROM_RUNTIME
                                                         : WL_ADJ_REQTIME_SYNTHESIZED);
    }
  guint32 nodes = (guint32) MIN (row->nodes, G_MAXUINT32);
  guint32 gpus_each = 0;
  if (wl_gpu_layout (row->gpus, opts->gpus_per_node, &nodes, &gpus_each))
    adj |= 1u << WL_ADJ_GPUS_ROUNDED_UP;
  guint64 tasks = MAX (MAX (row->cpus, (guint64) nodes), 1);

  c->kept++;
  for (guint i = 0; i < WL_ADJ_N; i++)
    if (adj & (1u << i))
      c->adjusted[i]++;

  sched_job_spec_init (&out->spec);
  out->spec.id = row->id;
  out->spec.user = row->user;
  out->spec.group = row->group;
  out->spec.partition = row->partition;
  out->spec.submit = row->submit;
  out->spec.time_limit = limit;
  out->spec.tasks = (guint32) MIN (tasks, G_MAXUINT32);
  out->spec.cpus_per_task = 1;
  out->spec.min_nodes = nodes;
  out->spec.max_nodes = nodes;
  out->spec.mem_per_node_mb = row->mem_per_node_mb;
  out->spec.gpus_per_node = gpus_each;
  out->spec.gpu_type = gpus_each > 0 ? row->gpu_type : 0;
  out->runtime = runtime;
  out->end_state = row->end_state;
  out->line = row->line;
  out->extra = NULL;
  return TRUE;
}

/* ---- sort buffer ----------------------------------------------------------------------- */

typedef struct {
  WlJob   job;
  guint64 seq;
} SortItem;

/* What the heap orders: small, so that sifting moves 24 bytes, not a whole job. */
typedef struct {
  SchedTime submit;
  guint64   seq;
  guint32   slot;
} HeapKey;

static inline gboolean
key_less (SchedTime a_submit, guint64 a_seq, SchedTime b_submit, guint64 b_seq)
{
  if (a_submit != b_submit)
    return a_submit < b_submit;
  return a_seq < b_seq;
}

void
wl__sortbuf_init (WlSortBuf *b, guint window)
{
  memset (b, 0, sizeof *b);
  b->window = MAX (window, 1);
  b->heap = g_array_new (FALSE, FALSE, sizeof (HeapKey));
  b->slots = g_array_new (FALSE, FALSE, sizeof (WlJob));
  b->free_slots = g_array_new (FALSE, FALSE, sizeof (guint32));
  b->fifo = g_array_new (FALSE, FALSE, sizeof (WlJob));
  b->last = G_MININT64;
}

void
wl__sortbuf_clear (WlSortBuf *b)
{
  g_clear_pointer (&b->heap, g_array_unref);
  g_clear_pointer (&b->slots, g_array_unref);
  g_clear_pointer (&b->free_slots, g_array_unref);
  g_clear_pointer (&b->fifo, g_array_unref);
  g_clear_pointer (&b->run, g_free);
  b->run_cap = b->run_len = b->run_head = 0;
}

static void
heap_push (WlSortBuf *b, const SortItem *it)
{
  guint32 slot;
  if (b->free_slots->len > 0)
    {
      slot = g_array_index (b->free_slots, guint32, b->free_slots->len - 1);
      g_array_set_size (b->free_slots, b->free_slots->len - 1);
      g_array_index (b->slots, WlJob, slot) = it->job;
    }
  else
    {
      slot = b->slots->len;
      g_array_append_vals (b->slots, &it->job, 1);
    }
  HeapKey k = { it->job.spec.submit, it->seq, slot };
  GArray *heap = b->heap;
  g_array_set_size (heap, heap->len + 1);
  HeapKey *d = (HeapKey *) (void *) heap->data;
  guint i = heap->len - 1;
  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      if (!key_less (k.submit, k.seq, d[parent].submit, d[parent].seq))
        break;
      d[i] = d[parent];
      i = parent;
    }
  d[i] = k;
}

static void
heap_pop (WlSortBuf *b, WlJob *out)
{
  GArray *heap = b->heap;
  HeapKey *d = (HeapKey *) (void *) heap->data;
  guint n = heap->len - 1;
  guint32 slot = d[0].slot;
  *out = g_array_index (b->slots, WlJob, slot);
  g_array_append_vals (b->free_slots, &slot, 1);
  HeapKey v = d[n];
  guint i = 0;
  for (;;)
    {
      guint l = 2 * i + 1, rr = l + 1, m = i;
      const HeapKey *best = &v;
      if (l < n && key_less (d[l].submit, d[l].seq, best->submit, best->seq))
        m = l, best = &d[l];
      if (rr < n && key_less (d[rr].submit, d[rr].seq, best->submit, best->seq))
        m = rr, best = &d[rr];
      if (m == i)
        break;
      d[i] = *best;
      i = m;
    }
  if (n > 0)
    d[i] = v;
  g_array_set_size (heap, n);
}

static inline SortItem *
run_at (const WlSortBuf *b, guint i)
{
  return (SortItem *) b->run + ((b->run_head + i) & (b->run_cap - 1));
}

/* Appends `it` to the ring if it is not before the ring's last job; FALSE otherwise. */
static gboolean
run_push (WlSortBuf *b, const SortItem *it)
{
  if (b->run_len > 0 && it->job.spec.submit < run_at (b, b->run_len - 1)->job.spec.submit)
    return FALSE;
  if (b->run_len == b->run_cap)
    {
      guint cap = MAX (b->run_cap * 2, 64);
      SortItem *ring = g_new (SortItem, cap);
      for (guint i = 0; i < b->run_len; i++)
        ring[i] = *run_at (b, i);
      g_free (b->run);
      b->run = ring;
      b->run_cap = cap;
      b->run_head = 0;
    }
  *run_at (b, b->run_len++) = *it;
  return TRUE;
}

/* Takes the earliest held job (the ring's first or the heap's top) into `out`. */
static void
pop_min (WlSortBuf *b, WlJob *out)
{
  const SortItem *first = b->run_len > 0 ? run_at (b, 0) : NULL;
  const HeapKey *top = b->heap->len > 0 ? &g_array_index (b->heap, HeapKey, 0) : NULL;
  if (first != NULL
      && (top == NULL
          || key_less (first->job.spec.submit, first->seq, top->submit, top->seq)))
    {
      *out = run_at (b, 0)->job;
      b->run_head = (b->run_head + 1) & (b->run_cap - 1);
      b->run_len--;
      return;
    }
  heap_pop (b, out);
}

static void
release (WlSortBuf *b, const WlJob *job)
{
  if (b->fifo_pos > 0 && b->fifo_pos == b->fifo->len)
    {
      g_array_set_size (b->fifo, 0);
      b->fifo_pos = 0;
    }
  g_array_append_vals (b->fifo, job, 1);
  b->last = job->spec.submit;
}

gboolean
wl__sortbuf_add (WlSortBuf *b, WlReader *r, const WlReaderOptions *opts, WlJob *job,
                 GError **error)
{
  if (job->spec.submit < b->last)
    {
      if (opts->strict)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                       "%s:%" G_GUINT64_FORMAT ": submit time %" G_GINT64_FORMAT
                       " is earlier than %" G_GINT64_FORMAT ", that of a job already passed "
                       "on: the rows are sorted within a window of %u rows only",
                       r->name, job->line, job->spec.submit, b->last, b->window);
          return FALSE;
        }
      job->spec.submit = b->last;
      r->counts.adjusted[WL_ADJ_SUBMIT_REORDERED]++;
    }
  if (b->window <= 1)
    {
      release (b, job);
      return TRUE;
    }
  SortItem it = { *job, b->seq++ };
  if (!run_push (b, &it))
    heap_push (b, &it);
  if (b->heap->len + b->run_len > b->window)
    {
      WlJob first;
      pop_min (b, &first);
      release (b, &first);
    }
  return TRUE;
}

gboolean
wl__sortbuf_take (WlSortBuf *b, gboolean drain, WlJob *out)
{
  if (b->fifo_pos < b->fifo->len)
    {
      *out = g_array_index (b->fifo, WlJob, b->fifo_pos++);
      return TRUE;
    }
  if (drain && b->heap->len + b->run_len > 0)
    {
      pop_min (b, out);
      b->last = out->spec.submit;
      return TRUE;
    }
  return FALSE;
}

gboolean
wl__sortbuf_next (WlSortBuf *b, gboolean ended, WlJob *out, gboolean *eof)
{
  if (wl__sortbuf_take (b, ended, out))
    return TRUE;
  if (!ended)
    return FALSE;
  *eof = TRUE;
  return TRUE;
}
