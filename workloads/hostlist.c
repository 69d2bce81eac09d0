/* SPDX-License-Identifier: MIT */
/* workloads/hostlist.c - Slurm hostlist expressions: expansion and compression.
 *
 * Expansion splits the expression into host expressions at commas and blanks outside
 * brackets, checks the brackets, parses each bracket into ranges, counts the hosts (so the
 * bound is checked before anything is allocated) and then walks the product of the
 * brackets in Slurm's order (see hostlist.h), formatting each name into one reused
 * GString.  Compression scans the names once, splitting each into a prefix and a trailing
 * number, and grows runs the way Slurm's hostlist_push_host does; the runs are then printed
 * with consecutive same-prefix runs sharing a bracket.  The zero-padding rule
 * (width_equiv) is Slurm's: two widths are compatible when printing both numbers with
 * either width changes the padding of neither.  Nothing here keeps state between calls. */
#include "workloads/hostlist.h"

#include <string.h>

#define MAX_DIGITS   18           /* numbers stay below 10^18: no overflow in sums */
#define QUOTE_MAX    60           /* bytes of an expression quoted in a message */

/* ---- messages -------------------------------------------------------------------------- */

/* Returns (transfer full) `s[0..len)` quoted for a message, shortened to QUOTE_MAX bytes. */
static char *
quote (const char *s, gsize len)
{
  if (len > QUOTE_MAX)
    return g_strdup_printf ("\"%.*s...\"", QUOTE_MAX, s);
  return g_strdup_printf ("\"%.*s\"", (int) len, s);
}

static gboolean
fail_token (GError **error, const char *tok, gsize len, const char *what)
{
  g_autofree char *q = quote (tok, len);
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "bad range %s: %s", q, what);
  return FALSE;
}

/* ---- parsing --------------------------------------------------------------------------- */

typedef struct {
  guint64 lo, hi;
  int     width;                /* digits of lo as written */
} Range;

static inline gboolean
is_sep (char c)
{
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gboolean
parse_number (const char *s, gsize len, guint64 *out)
{
  if (len == 0 || len > MAX_DIGITS)
    return FALSE;
  guint64 v = 0;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
    }
  *out = v;
  return TRUE;
}

static inline guint64
sat_add (guint64 a, guint64 b)
{
  return a > G_MAXUINT64 - b ? G_MAXUINT64 : a + b;
}

static inline guint64
sat_mul (guint64 a, guint64 b)
{
  return (b != 0 && a > G_MAXUINT64 / b) ? G_MAXUINT64 : a * b;
}

/* Parses the inside of one bracket, s[0..len), of host expression `tok`, appending to
 * `ranges` and adding the number of values to *count. */
static gboolean
parse_bracket (const char *tok, gsize tok_len, const char *s, gsize len, GArray *ranges,
               guint64 *count, GError **error)
{
  if (len == 0)
    return fail_token (error, tok, tok_len, "empty brackets");
  const char *end = s + len;
  const char *p = s;
  for (;;)
    {
      const char *comma = memchr (p, ',', (gsize) (end - p));
      const char *e = comma ? comma : end;
      if (e == p)
        return fail_token (error, tok, tok_len, "empty element");
      const char *dash = memchr (p, '-', (gsize) (e - p));
      gsize lo_len = (gsize) ((dash ? dash : e) - p);
      Range r = { 0, 0, (int) lo_len };
      if (!parse_number (p, lo_len, &r.lo)
          || (dash && !parse_number (dash + 1, (gsize) (e - dash - 1), &r.hi)))
        {
          g_autofree char *what = g_strdup_printf (
            "\"%.*s\" is not a number or a range lo-hi of numbers of at most %d digits",
            (int) (e - p), p, MAX_DIGITS);
          return fail_token (error, tok, tok_len, what);
        }
      if (!dash)
        r.hi = r.lo;
      if (r.lo > r.hi)
        {
          g_autofree char *what = g_strdup_printf (
            "start %" G_GUINT64_FORMAT " is after end %" G_GUINT64_FORMAT, r.lo, r.hi);
          return fail_token (error, tok, tok_len, what);
        }
      g_array_append_val (ranges, r);
      *count = sat_add (*count, r.hi - r.lo + 1);
      if (comma == NULL)
        return TRUE;
      p = comma + 1;
    }
}

/* One host expression, parsed: literal 0, bracket 0, literal 1, ..., bracket nb-1, literal
 * nb.  With nb == 0 the expression is one host name, literal 0. */
typedef struct {
  const char *tok;
  gsize       tok_len;
  guint       nb;
  const char **lit;            /* nb + 1 literals */
  gsize      *lit_len;
  GArray    **ranges;          /* nb arrays of Range */
  guint64     count;           /* hosts, saturated */
} HostExpr;

static void
host_expr_clear (HostExpr *h)
{
  for (guint b = 0; b < h->nb; b++)
    if (h->ranges[b])                 /* NULL after a parse error */
      g_array_unref (h->ranges[b]);
  g_free (h->ranges);
  g_free (h->lit);
  g_free (h->lit_len);
}

/* Parses tok[0..len), whose brackets are known to be balanced and not nested. */
static gboolean
parse_host_expr (const char *tok, gsize len, HostExpr *h, GError **error)
{
  memset (h, 0, sizeof *h);
  h->tok = tok;
  h->tok_len = len;
  for (gsize i = 0; i < len; i++)
    if (tok[i] == '[')
      h->nb++;
  h->lit = g_new0 (const char *, h->nb + 1);
  h->lit_len = g_new0 (gsize, h->nb + 1);
  h->ranges = g_new0 (GArray *, h->nb);
  h->count = 1;
  const char *p = tok, *end = tok + len;
  for (guint b = 0; b < h->nb; b++)
    {
      const char *open = memchr (p, '[', (gsize) (end - p));
      const char *close = memchr (open, ']', (gsize) (end - open));
      g_assert (open != NULL && close != NULL);
      h->lit[b] = p;
      h->lit_len[b] = (gsize) (open - p);
      h->ranges[b] = g_array_new (FALSE, FALSE, sizeof (Range));
      guint64 n = 0;
      if (!parse_bracket (tok, len, open + 1, (gsize) (close - open - 1), h->ranges[b], &n,
                          error))
        return FALSE;
      h->count = sat_mul (h->count, n);
      p = close + 1;
    }
  h->lit[h->nb] = p;
  h->lit_len[h->nb] = (gsize) (end - p);
  return TRUE;
}

/* Calls `func` on each host expression of `expr` in order, after checking its brackets. */
typedef gboolean (*HostExprFunc) (HostExpr *h, gpointer data, GError **error);

static gboolean
foreach_host_expr (const char *expr, HostExprFunc func, gpointer data, GError **error)
{
  const char *p = expr;
  for (;;)
    {
      while (*p && is_sep (*p))
        p++;
      if (*p == '\0')
        return TRUE;
      const char *start = p;
      gboolean inside = FALSE;
      for (; *p && (inside || !is_sep (*p)); p++)
        {
          const char *what = NULL;
          if (*p == '[' && inside)
            what = "nested bracket";
          else if (*p == ']' && !inside)
            what = "unbalanced bracket";
          if (what)
            {
              g_autofree char *q = quote (start, strlen (start));
              g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s in %s", what, q);
              return FALSE;
            }
          if (*p == '[')
            inside = TRUE;
          else if (*p == ']')
            inside = FALSE;
        }
      if (inside)
        {
          g_autofree char *q = quote (start, (gsize) (p - start));
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "unbalanced bracket in %s", q);
          return FALSE;
        }
      HostExpr h;
      gboolean ok = parse_host_expr (start, (gsize) (p - start), &h, error)
                    && func (&h, data, error);
      host_expr_clear (&h);
      if (!ok)
        return FALSE;
    }
}

/* ---- expansion ------------------------------------------------------------------------- */

typedef struct {
  const char *expr;
  guint64     max;
  guint64     total;
  GPtrArray  *out;
  GString    *buf;
  guint64    *cur;             /* value of each bracket but the last */
  int        *cur_w;
} Expander;

static void
emit_main (Expander *e, const HostExpr *h)
{
  guint last = h->nb - 1;
  GString *b = e->buf;
  g_string_truncate (b, 0);
  for (guint j = 0; j < last; j++)
    {
      g_string_append_len (b, h->lit[j], (gssize) h->lit_len[j]);
      g_string_append_printf (b, "%0*" G_GUINT64_FORMAT, e->cur_w[j], e->cur[j]);
    }
  g_string_append_len (b, h->lit[last], (gssize) h->lit_len[last]);
  gsize head = b->len;
  const GArray *rs = h->ranges[last];
  for (guint i = 0; i < rs->len; i++)
    {
      const Range *r = &g_array_index (rs, Range, i);
      for (guint64 v = r->lo;; v++)
        {
          g_string_truncate (b, head);
          g_string_append_printf (b, "%0*" G_GUINT64_FORMAT, r->width, v);
          g_string_append_len (b, h->lit[h->nb], (gssize) h->lit_len[h->nb]);
          g_ptr_array_add (e->out, g_strndup (b->str, b->len));
          if (v == r->hi)
            break;
        }
    }
}

/* Slurm's order: bracket j (counting from the one before the last down to the first)
 * varies slower than bracket j - 1; the last bracket varies fastest (emit_main). */
static void
walk (Expander *e, const HostExpr *h, int j)
{
  if (j < 0)
    {
      emit_main (e, h);
      return;
    }
  const GArray *rs = h->ranges[j];
  for (guint i = 0; i < rs->len; i++)
    {
      const Range *r = &g_array_index (rs, Range, i);
      for (guint64 v = r->lo;; v++)
        {
          e->cur[j] = v;
          e->cur_w[j] = r->width;
          walk (e, h, j - 1);
          if (v == r->hi)
            break;
        }
    }
}

static gboolean
expand_one (HostExpr *h, gpointer data, GError **error)
{
  Expander *e = data;
  if (h->count > e->max - e->total)
    {
      g_autofree char *q = quote (e->expr, strlen (e->expr));
      g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                   "hostlist %s has more than %" G_GUINT64_FORMAT " hosts", q, e->max);
      return FALSE;
    }
  e->total += h->count;
  if (h->nb == 0)
    {
      g_ptr_array_add (e->out, g_strndup (h->tok, h->tok_len));
      return TRUE;
    }
  e->cur = g_new0 (guint64, h->nb);
  e->cur_w = g_new0 (int, h->nb);
  walk (e, h, (int) h->nb - 2);
  g_clear_pointer (&e->cur, g_free);
  g_clear_pointer (&e->cur_w, g_free);
  return TRUE;
}

GPtrArray *
wl_hostlist_expand_max (const char *expr, guint max_hosts, GError **error)
{
  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) buf = g_string_new (NULL);
  Expander e = { .expr = expr, .max = max_hosts, .out = out, .buf = buf };
  if (!foreach_host_expr (expr, expand_one, &e, error))
    return NULL;
  return g_steal_pointer (&out);
}

GPtrArray *
wl_hostlist_expand (const char *expr, GError **error)
{
  return wl_hostlist_expand_max (expr, WL_HOSTLIST_MAX_HOSTS, error);
}

static gboolean
count_one (HostExpr *h, gpointer data, GError **error)
{
  (void) error;
  guint64 *count = data;
  *count = sat_add (*count, h->count);
  return TRUE;
}

gboolean
wl_hostlist_count (const char *expr, guint64 *count, GError **error)
{
  g_return_val_if_fail (expr != NULL && count != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  guint64 n = 0;
  if (!foreach_host_expr (expr, count_one, &n, error))
    return FALSE;
  *count = n;
  return TRUE;
}

/* ---- compression ----------------------------------------------------------------------- */

typedef struct {
  const char *prefix;          /* (transfer none) into the caller's name */
  gsize       plen;
  guint64     lo, hi;
  int         width;
  gboolean    single;          /* no trailing number: the name is prefix */
} Run;

/* Zeros that printing `num` with `width` adds. */
static int
zero_pad (guint64 num, int width)
{
  int digits = 1;
  while (num /= 10)
    digits++;
  return width > digits ? width - digits : 0;
}

/* Slurm's rule: widths wn (for n) and wm (for m) are compatible when they are equal, or
 * when one of them can be used for both numbers without changing either one's padding; the
 * other width is then set to it. */
static gboolean
width_equiv (guint64 n, int *wn, guint64 m, int *wm)
{
  if (*wn == *wm)
    return TRUE;
  gboolean n_differs = zero_pad (n, *wn) != zero_pad (n, *wm);
  gboolean m_differs = zero_pad (m, *wm) != zero_pad (m, *wn);
  if (n_differs && m_differs)
    return FALSE;
  if (n_differs)
    *wm = *wn;
  else
    *wn = *wm;
  return TRUE;
}

static gboolean
same_prefix (const Run *a, const Run *b)
{
  return !a->single && !b->single && a->plen == b->plen
         && memcmp (a->prefix, b->prefix, a->plen) == 0;
}

static void
push_name (GArray *runs, const char *name)
{
  gsize len = strlen (name);
  gsize plen = len;
  while (plen > 0 && g_ascii_isdigit (name[plen - 1]))
    plen--;
  Run r = { .prefix = name, .plen = len, .single = TRUE };
  if (len - plen > 0 && len - plen <= MAX_DIGITS)
    {
      r.single = FALSE;
      r.plen = plen;
      r.width = (int) (len - plen);
      parse_number (name + plen, len - plen, &r.lo);
      r.hi = r.lo;
    }
  if (runs->len > 0)
    {
      Run *tail = &g_array_index (runs, Run, runs->len - 1);
      if (same_prefix (tail, &r) && tail->hi + 1 == r.lo
          && width_equiv (tail->lo, &tail->width, r.lo, &r.width))
        {
          tail->hi = r.lo;
          return;
        }
    }
  g_array_append_val (runs, r);
}

static void
append_numbers (GString *out, const Run *r)
{
  g_string_append_printf (out, "%0*" G_GUINT64_FORMAT, r->width, r->lo);
  if (r->hi > r->lo)
    g_string_append_printf (out, "-%0*" G_GUINT64_FORMAT, r->width, r->hi);
}

char *
wl_hostlist_compress (const char *const *names, gssize n)
{
  g_return_val_if_fail (names != NULL || n == 0, NULL);
  g_autoptr (GArray) runs = g_array_new (FALSE, FALSE, sizeof (Run));
  for (gsize i = 0; n < 0 ? names[i] != NULL : i < (gsize) n; i++)
    push_name (runs, names[i]);

  GString *out = g_string_new (NULL);
  for (guint i = 0; i < runs->len;)
    {
      const Run *r = &g_array_index (runs, Run, i);
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append_len (out, r->prefix, (gssize) r->plen);
      if (r->single)
        {
          i++;
          continue;
        }
      guint j = i + 1;
      while (j < runs->len && same_prefix (r, &g_array_index (runs, Run, j)))
        j++;
      gboolean bracket = j > i + 1 || r->hi > r->lo;
      if (bracket)
        g_string_append_c (out, '[');
      for (guint k = i; k < j; k++)
        {
          if (k > i)
            g_string_append_c (out, ',');
          append_numbers (out, &g_array_index (runs, Run, k));
        }
      if (bracket)
        g_string_append_c (out, ']');
      i = j;
    }
  return g_string_free (out, FALSE);
}

char *
wl_hostlist_ranged (const char *expr, GError **error)
{
  g_autoptr (GPtrArray) hosts = wl_hostlist_expand (expr, error);
  if (hosts == NULL)
    return NULL;
  return wl_hostlist_compress ((const char *const *) hosts->pdata, (gssize) hosts->len);
}
