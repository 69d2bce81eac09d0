/* SPDX-License-Identifier: MIT */
/* workloads/assoc.c - account and user descriptions (sacctmgr -P dumps and the simple
 * format) read into a SchedPriority; the formats are described in workloads/assoc.h.
 *
 * Reading is in two steps so that a failed load changes nothing: the lines become account
 * and user records (collect), then the records are checked against each other and against
 * the accounts already in the SchedPriority, accounts ordered parents first, and only then
 * added (apply).  Names are copied once per record; a hash table per kind finds duplicates. */
#include "workloads/assoc.h"

#include <stdarg.h>
#include <string.h>

#include "workloads/rows-private.h"

#define MAX_FILE (64u << 20)
#define MAX_DEPTH 1000     /* accounts below root; sched/priority ranks recursively */

typedef struct {
  char   *name;
  char   *parent;     /* NULL or "": root */
  guint32 shares;
  guint   line;
} AcctRec;

typedef struct {
  char   *user;
  char   *account;
  char   *partition;  /* NULL: none given */
  guint32 shares;
  guint   line;
  gboolean skip;      /* a later partition row of the same user and account */
} UserRec;

typedef struct {
  const char           *name;
  const WlAssocOptions *opts;
  GArray               *accts;   /* AcctRec */
  GArray               *users;   /* UserRec */
} Ctx;

static void
acct_rec_clear (gpointer data)
{
  AcctRec *a = data;
  g_free (a->name);
  g_free (a->parent);
}

static void
user_rec_clear (gpointer data)
{
  UserRec *u = data;
  g_free (u->user);
  g_free (u->account);
  g_free (u->partition);
}

/* ---- messages -------------------------------------------------------------------------- */

static char *
quoted (const char *s, gsize len)
{
  GString *q = g_string_new (NULL);
  wl__append_quoted (q, s, len);
  return g_string_free (q, FALSE);
}

static char *
quoted0 (const char *s)
{
  return quoted (s, strlen (s));
}

static gboolean fail (GError **error, gint code, const char *file, guint line,
                      const char *format, ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail (GError **error, gint code, const char *file, guint line, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_autofree char *what = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, WL_ERROR, code, "%s:%u: %s", file, line, what);
  return FALSE;
}

/* ---- lines and tokens ------------------------------------------------------------------ */

typedef struct {
  const char *text;
  gsize       len;
  gsize       pos;
  guint       line;
} Lines;

static void
lines_init (Lines *l, const char *text, gsize len)
{
  l->text = text;
  l->len = len;
  l->pos = 0;
  l->line = 0;
  if (len >= 3 && memcmp (text, "\xef\xbb\xbf", 3) == 0)
    l->pos = 3;
}

/* The next line without its end ("\n" or "\r\n"); FALSE at the end of the text. */
static gboolean
lines_next (Lines *l, const char **s, gsize *n)
{
  if (l->pos >= l->len)
    return FALSE;
  const char *start = l->text + l->pos;
  const char *nl = memchr (start, '\n', l->len - l->pos);
  gsize k = nl ? (gsize) (nl - start) : l->len - l->pos;
  l->pos += k + (nl ? 1 : 0);
  if (k > 0 && start[k - 1] == '\r')
    k--;
  l->line++;
  *s = start;
  *n = k;
  return TRUE;
}

static gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static void
trim (const char **s, gsize *n)
{
  while (*n > 0 && is_blank (**s))
    (*s)++, (*n)--;
  while (*n > 0 && is_blank ((*s)[*n - 1]))
    (*n)--;
}

static gboolean
eq_nocase (const char *s, gsize n, const char *word)
{
  return strlen (word) == n && g_ascii_strncasecmp (s, word, n) == 0;
}

/* Fairshare: a number below 2^32 - 1, "parent", or empty (1). */
static gboolean
parse_shares (const char *s, gsize n, guint32 *out)
{
  trim (&s, &n);
  if (n == 0)
    {
      *out = 1;
      return TRUE;
    }
  if (eq_nocase (s, n, "parent"))
    {
      *out = SCHED_PRIORITY_SHARES_PARENT;
      return TRUE;
    }
  guint64 v = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (s[i] < '0' || s[i] > '9')
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
      if (v >= SCHED_PRIORITY_SHARES_PARENT)
        return FALSE;
    }
  *out = (guint32) v;
  return TRUE;
}

static void
add_acct (Ctx *c, const char *name, gsize name_len, const char *parent, gsize parent_len,
          guint32 shares, guint line)
{
  AcctRec a = { g_strndup (name, name_len), parent ? g_strndup (parent, parent_len) : NULL,
                shares, line };
  g_array_append_val (c->accts, a);
}

static void
add_user (Ctx *c, const char *user, gsize user_len, const char *acct, gsize acct_len,
          const char *part, gsize part_len, guint32 shares, guint line)
{
  UserRec u = { g_strndup (user, user_len), g_strndup (acct, acct_len),
                part_len ? g_strndup (part, part_len) : NULL, shares, line, FALSE };
  g_array_append_val (c->users, u);
}

/* ---- the simple format ----------------------------------------------------------------- */

typedef struct {
  const char *s;
  gsize       n;
} Tok;

static guint
split_words (const char *s, gsize n, Tok *toks, guint max)
{
  guint k = 0;
  gsize i = 0;
  while (i < n)
    {
      while (i < n && is_blank (s[i]))
        i++;
      if (i >= n)
        break;
      gsize start = i;
      while (i < n && !is_blank (s[i]))
        i++;
      if (k < max)
        toks[k] = (Tok) { s + start, i - start };
      k++;
    }
  return k;
}

static gboolean
simple_line (Ctx *c, const char *s, gsize n, guint line, GError **error)
{
  const char *hash = memchr (s, '#', n);
  if (hash)
    n = (gsize) (hash - s);
  Tok t[8];
  guint k = split_words (s, n, t, G_N_ELEMENTS (t));
  if (k == 0)
    return TRUE;
  gboolean is_account = eq_nocase (t[0].s, t[0].n, "account");
  if (!is_account && !eq_nocase (t[0].s, t[0].n, "user"))
    {
      g_autofree char *q = quoted (t[0].s, t[0].n);
      return fail (error, WL_ERROR_MALFORMED, c->name, line,
                   "expected \"account\" or \"user\", got %s", q);
    }
  const char *what = is_account ? "account" : "user";
  if (k < 2)
    return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s: missing name", what);
  if (memchr (t[1].s, '=', t[1].n))
    {
      g_autofree char *q = quoted (t[1].s, t[1].n);
      return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s: expected a name, got %s",
                   what, q);
    }
  if (k > G_N_ELEMENTS (t))
    return fail (error, WL_ERROR_MALFORMED, c->name, line,
                 "%s: too many words (%u, at most %u)", what, k,
                 (guint) G_N_ELEMENTS (t));
  g_autofree char *name = quoted (t[1].s, t[1].n);
  const Tok *parent = NULL, *shares = NULL;
  for (guint i = 2; i < k; i++)
    {
      const char *eq = memchr (t[i].s, '=', t[i].n);
      if (eq == NULL)
        {
          g_autofree char *q = quoted (t[i].s, t[i].n);
          return fail (error, WL_ERROR_MALFORMED, c->name, line,
                       "%s %s: expected key=value, got %s", what, name, q);
        }
      gsize kn = (gsize) (eq - t[i].s);
      const Tok **slot = NULL;
      if (eq_nocase (t[i].s, kn, "shares") || eq_nocase (t[i].s, kn, "share")
          || eq_nocase (t[i].s, kn, "fairshare"))
        slot = &shares;
      else if (eq_nocase (t[i].s, kn, is_account ? "parent" : "account"))
        slot = &parent;
      if (slot == NULL)
        {
          g_autofree char *q = quoted (t[i].s, kn);
          return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: unknown key %s", what,
                       name, q);
        }
      g_autofree char *key = g_ascii_strdown (t[i].s, (gssize) kn);
      if (*slot != NULL)
        return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: %s given twice", what,
                     name, key);
      if (kn + 1 == t[i].n)
        return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: %s: empty value", what,
                     name, key);
      *slot = &t[i];
    }
  guint32 sh = 1;
  if (shares)
    {
      const char *v = (const char *) memchr (shares->s, '=', shares->n) + 1;
      gsize vn = shares->n - (gsize) (v - shares->s);
      if (!parse_shares (v, vn, &sh))
        {
          g_autofree char *q = quoted (v, vn);
          return fail (error, WL_ERROR_MALFORMED, c->name, line,
                       "%s %s: shares: expected a number below 4294967295 or \"parent\", got %s",
                       what, name, q);
        }
    }
  const char *pv = NULL;
  gsize pn = 0;
  if (parent)
    {
      pv = (const char *) memchr (parent->s, '=', parent->n) + 1;
      pn = parent->n - (gsize) (pv - parent->s);
    }
  if (is_account)
    add_acct (c, t[1].s, t[1].n, pv, pn, sh, line);
  else
    {
      if (pv == NULL)
        return fail (error, WL_ERROR_MALFORMED, c->name, line, "user %s: missing account=",
                     name);
      add_user (c, t[1].s, t[1].n, pv, pn, NULL, 0, sh, line);
    }
  return TRUE;
}

/* ---- sacctmgr -P ----------------------------------------------------------------------- */

enum { F_ACCOUNT, F_USER, F_SHARE, F_PARENT, F_CLUSTER, F_PARTITION, F_N };

typedef struct {
  Ctx    *c;
  gint    col[F_N];       /* field index of each, -1 when absent */
  guint   n_fields;
  gboolean trailing;      /* the header ends with '|' (sacctmgr -p) */
  char   *cluster;        /* the one cluster seen (no opts->cluster) */
  guint   cluster_line;
  GArray *fields;         /* Tok scratch */
  GArray *stack;          /* Indent: account rows above, for the tree option */
} Sacct;

typedef struct {
  gsize       indent;
  const char *name;       /* owned by an AcctRec */
} Indent;

static void
split_bars (const char *s, gsize n, GArray *out)
{
  g_array_set_size (out, 0);
  gsize start = 0;
  for (gsize i = 0; i <= n; i++)
    if (i == n || s[i] == '|')
      {
        Tok t = { s + start, i - start };
        g_array_append_val (out, t);
        start = i + 1;
      }
}

static gboolean
sacct_header (Sacct *sa, const char *s, gsize n, guint line, GError **error)
{
  static const char *const names[F_N][2] = {
    [F_ACCOUNT] = { "Account", NULL }, [F_USER] = { "User", NULL },
    [F_SHARE] = { "Share", "Fairshare" }, [F_PARENT] = { "ParentName", NULL },
    [F_CLUSTER] = { "Cluster", NULL }, [F_PARTITION] = { "Partition", NULL },
  };
  split_bars (s, n, sa->fields);
  sa->n_fields = sa->fields->len;
  sa->trailing = g_array_index (sa->fields, Tok, sa->n_fields - 1).n == 0;
  for (guint f = 0; f < F_N; f++)
    sa->col[f] = -1;
  for (guint i = 0; i < sa->fields->len; i++)
    {
      Tok t = g_array_index (sa->fields, Tok, i);
      trim (&t.s, &t.n);
      for (guint f = 0; f < F_N; f++)
        for (guint a = 0; a < 2; a++)
          if (names[f][a] && sa->col[f] < 0 && eq_nocase (t.s, t.n, names[f][a]))
            sa->col[f] = (gint) i;
    }
  if (sa->col[F_ACCOUNT] < 0 || sa->col[F_USER] < 0)
    return fail (error, WL_ERROR_UNSUPPORTED, sa->c->name, line,
                 "sacctmgr header without %s field (sacctmgr show assoc -P names "
                 "Account and User)", sa->col[F_ACCOUNT] < 0 ? "an Account" : "a User");
  return TRUE;
}

static Tok
field (const Sacct *sa, guint f)
{
  Tok t = { "", 0 };
  if (sa->col[f] >= 0 && (guint) sa->col[f] < sa->fields->len)
    t = g_array_index (sa->fields, Tok, sa->col[f]);
  return t;
}

static gboolean
sacct_row (Sacct *sa, const char *s, gsize n, guint line, GError **error)
{
  Ctx *c = sa->c;
  split_bars (s, n, sa->fields);
  guint got = sa->fields->len;
  /* -p ends every line with '|', header included; tolerate it missing on either side */
  gboolean fits = got == sa->n_fields
                  || (sa->trailing && got + 1 == sa->n_fields)
                  || (!sa->trailing && got == sa->n_fields + 1
                      && g_array_index (sa->fields, Tok, got - 1).n == 0);
  if (!fits)
    return fail (error, WL_ERROR_MALFORMED, c->name, line, "expected %u fields, got %u",
                 sa->n_fields - (sa->trailing ? 1 : 0), got);

  Tok cl = field (sa, F_CLUSTER);
  trim (&cl.s, &cl.n);
  if (cl.n > 0)
    {
      if (c->opts && c->opts->cluster)
        {
          if (!(strlen (c->opts->cluster) == cl.n && memcmp (c->opts->cluster, cl.s, cl.n) == 0))
            return TRUE;
        }
      else if (sa->cluster == NULL)
        {
          sa->cluster = g_strndup (cl.s, cl.n);
          sa->cluster_line = line;
        }
      else if (!(strlen (sa->cluster) == cl.n && memcmp (sa->cluster, cl.s, cl.n) == 0))
        {
          g_autofree char *q1 = quoted0 (sa->cluster), *q2 = quoted (cl.s, cl.n);
          return fail (error, WL_ERROR_UNSUPPORTED, c->name, line,
                       "a second cluster %s (line %u has %s): choose one", q2,
                       sa->cluster_line, q1);
        }
    }

  Tok raw = field (sa, F_ACCOUNT);
  gsize indent = 0;
  while (indent < raw.n && raw.s[indent] == ' ')
    indent++;
  Tok acct = raw, user = field (sa, F_USER), share = field (sa, F_SHARE);
  trim (&acct.s, &acct.n);
  trim (&user.s, &user.n);
  if (acct.n == 0)
    return fail (error, WL_ERROR_MALFORMED, c->name, line, "field Account: empty");
  guint32 sh;
  if (!parse_shares (share.s, share.n, &sh))
    {
      g_autofree char *q = quoted (share.s, share.n);
      return fail (error, WL_ERROR_MALFORMED, c->name, line,
                   "field Share: expected a number below 4294967295 or \"parent\", got %s", q);
    }
  if (user.n > 0)
    {
      Tok part = field (sa, F_PARTITION);
      trim (&part.s, &part.n);
      add_user (c, user.s, user.n, acct.s, acct.n, part.s, part.n, sh, line);
      return TRUE;
    }

  gboolean is_root = acct.n == 4 && memcmp (acct.s, "root", 4) == 0;
  if (sa->col[F_PARENT] >= 0)
    {
      Tok par = field (sa, F_PARENT);
      trim (&par.s, &par.n);
      add_acct (c, acct.s, acct.n, par.n ? par.s : NULL, par.n, sh, line);
      return TRUE;
    }
  /* the tree option: the nearest account above with less indentation is the parent */
  while (sa->stack->len > 0 && g_array_index (sa->stack, Indent, sa->stack->len - 1).indent
                                 >= indent)
    g_array_set_size (sa->stack, sa->stack->len - 1);
  const char *parent = NULL;
  if (sa->stack->len > 0)
    parent = g_array_index (sa->stack, Indent, sa->stack->len - 1).name;
  else if (!is_root)
    {
      g_autofree char *q = quoted (acct.s, acct.n);
      return fail (error, WL_ERROR_UNSUPPORTED, c->name, line,
                   "account %s: no ParentName field and no tree indentation to find its "
                   "parent (use sacctmgr show assoc tree, or format=...,ParentName)", q);
    }
  add_acct (c, acct.s, acct.n, parent, parent ? strlen (parent) : 0, sh, line);
  Indent in = { indent, g_array_index (c->accts, AcctRec, c->accts->len - 1).name };
  g_array_append_val (sa->stack, in);
  return TRUE;
}

/* ---- collect --------------------------------------------------------------------------- */

static gboolean
collect (Ctx *c, const char *text, gsize len, GError **error)
{
  Lines l;
  lines_init (&l, text, len);
  const char *s;
  gsize n;
  gboolean sacct = FALSE, started = FALSE;
  Sacct sa = { c, { 0 }, 0, FALSE, NULL, 0, g_array_new (FALSE, FALSE, sizeof (Tok)),
               g_array_new (FALSE, FALSE, sizeof (Indent)) };
  gboolean ok = TRUE;
  while (ok && lines_next (&l, &s, &n))
    {
      if (memchr (s, '\0', n))
        {
          ok = fail (error, WL_ERROR_MALFORMED, c->name, l.line, "NUL byte in line");
          break;
        }
      const char *t = s;
      gsize tn = n;
      trim (&t, &tn);
      if (!started)
        {
          if (tn == 0 || t[0] == '#')
            continue;
          started = TRUE;
          if (memchr (t, '|', tn))
            {
              sacct = TRUE;
              ok = sacct_header (&sa, s, n, l.line, error);
              continue;
            }
        }
      if (sacct)
        ok = tn == 0 || sacct_row (&sa, s, n, l.line, error);
      else
        ok = simple_line (c, s, n, l.line, error);
    }
  g_array_unref (sa.fields);
  g_array_unref (sa.stack);
  g_free (sa.cluster);
  return ok;
}

/* ---- check and apply ------------------------------------------------------------------- */

static gboolean
is_root_name (const char *s)
{
  return s == NULL || *s == '\0' || strcmp (s, "root") == 0;
}

/* Levels below root of account `id` already in `p`. */
static guint
depth_in (const SchedPriority *p, SchedAssocId id)
{
  guint d = 0;
  SchedAssocInfo i;
  while (id != SCHED_ASSOC_ROOT && id != SCHED_ASSOC_NONE && sched_priority_assoc_info (p, id, &i))
    {
      d++;
      id = i.parent;
    }
  return d;
}

enum { UNSEEN = 0, ON_PATH, DONE };

/* Orders the accounts parents first into `order` (indices into c->accts) and checks their
 * depth: walks up from each account not yet placed until a placed one, root or an account
 * of `p`, then places the walk from the top down.  Reports an unknown parent, a cycle or a
 * tree too deep.  O(accounts). */
static gboolean
order_accounts (Ctx *c, SchedPriority *p, GHashTable *defs, GArray *order, GError **error)
{
  guint n = c->accts->len;
  g_autofree guint8 *state = g_new0 (guint8, n);
  g_autofree guint *depth = g_new0 (guint, n);
  g_autoptr (GArray) path = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n; i++)
    {
      if (state[i] != UNSEEN || strcmp (g_array_index (c->accts, AcctRec, i).name, "root") == 0)
        continue;
      g_array_set_size (path, 0);
      g_array_append_val (path, i);
      state[i] = ON_PATH;
      guint base = 0;
      for (;;)
        {
          const AcctRec *a = &g_array_index (c->accts, AcctRec,
                                             g_array_index (path, guint, path->len - 1));
          if (a->parent == NULL)
            break;
          gpointer v = g_hash_table_lookup (defs, a->parent);
          if (v == NULL)
            {
              SchedAssocId par = sched_priority_lookup_account (p, a->parent);
              if (par != SCHED_ASSOC_NONE)
                {
                  base = depth_in (p, par);
                  break;
                }
              g_autofree char *qa = quoted0 (a->name), *qp = quoted0 (a->parent);
              return fail (error, WL_ERROR_MALFORMED, c->name, a->line,
                           "account %s: unknown parent account %s", qa, qp);
            }
          guint j = GPOINTER_TO_UINT (v) - 1;
          if (state[j] == DONE)
            {
              base = depth[j];
              break;
            }
          if (state[j] == ON_PATH)
            {
              GString *cyc = g_string_new (NULL);
              guint k = 0;
              while (g_array_index (path, guint, k) != j)
                k++;
              for (; k < path->len; k++)
                {
                  const char *name = g_array_index (c->accts, AcctRec,
                                                    g_array_index (path, guint, k)).name;
                  wl__append_quoted (cyc, name, strlen (name));
                  g_string_append (cyc, " -> ");
                }
              const AcctRec *cj = &g_array_index (c->accts, AcctRec, j);
              wl__append_quoted (cyc, cj->name, strlen (cj->name));
              g_autofree char *msg = g_string_free (cyc, FALSE);
              g_autofree char *qn = quoted0 (cj->name);
              return fail (error, WL_ERROR_MALFORMED, c->name, cj->line,
                           "account %s: parent cycle %s", qn, msg);
            }
          g_array_append_val (path, j);
          state[j] = ON_PATH;
        }
      for (guint k = path->len; k-- > 0;)
        {
          guint idx = g_array_index (path, guint, k);
          depth[idx] = ++base;
          state[idx] = DONE;
          if (base > MAX_DEPTH)
            {
              const AcctRec *a = &g_array_index (c->accts, AcctRec, idx);
              g_autofree char *qa = quoted0 (a->name);
              return fail (error, WL_ERROR_UNSUPPORTED, c->name, a->line,
                           "account %s: nested deeper than %u levels", qa, MAX_DEPTH);
            }
          g_array_append_val (order, idx);
        }
    }
  return TRUE;
}

static gboolean
check_and_apply (Ctx *c, SchedPriority *p, GError **error)
{
  /* accounts: duplicates, root, consistency with p */
  g_autoptr (GHashTable) defs = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < c->accts->len; i++)
    {
      AcctRec *a = &g_array_index (c->accts, AcctRec, i);
      g_autofree char *qa = quoted0 (a->name);
      if (strcmp (a->name, "root") == 0)
        {
          if (!is_root_name (a->parent))
            return fail (error, WL_ERROR_MALFORMED, c->name, a->line,
                         "account \"root\" cannot have a parent");
          continue;
        }
      if (is_root_name (a->parent))
        g_clear_pointer (&a->parent, g_free);
      gpointer prev = g_hash_table_lookup (defs, a->name);
      if (prev)
        return fail (error, WL_ERROR_MALFORMED, c->name, a->line,
                     "account %s already defined at line %u", qa,
                     g_array_index (c->accts, AcctRec, GPOINTER_TO_UINT (prev) - 1).line);
      g_hash_table_insert (defs, a->name, GUINT_TO_POINTER (i + 1));
      SchedAssocId id = sched_priority_lookup_account (p, a->name);
      SchedAssocInfo info;
      if (id != SCHED_ASSOC_NONE && sched_priority_assoc_info (p, id, &info)
          && strcmp (info.account, a->parent ? a->parent : "root") != 0)
        {
          g_autofree char *qp = quoted0 (info.account);
          return fail (error, WL_ERROR_MALFORMED, c->name, a->line,
                       "account %s already exists under %s", qa, qp);
        }
    }

  /* parents first */
  g_autoptr (GArray) order = g_array_new (FALSE, FALSE, sizeof (guint));
  if (!order_accounts (c, p, defs, order, error))
    return FALSE;

  /* users: known accounts, duplicates */
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < c->users->len; i++)
    {
      UserRec *u = &g_array_index (c->users, UserRec, i);
      g_autofree char *qu = quoted0 (u->user), *qa = quoted0 (u->account);
      if (!is_root_name (u->account) && !g_hash_table_contains (defs, u->account)
          && sched_priority_lookup_account (p, u->account) == SCHED_ASSOC_NONE)
        return fail (error, WL_ERROR_MALFORMED, c->name, u->line, "user %s: unknown account %s",
                     qu, qa);
      char *key = g_strdup_printf ("%s\x1f%s", is_root_name (u->account) ? "root" : u->account,
                                   u->user);
      gpointer prev = g_hash_table_lookup (seen, key);
      if (prev == NULL)
        {
          g_hash_table_insert (seen, key, GUINT_TO_POINTER (i + 1));
          continue;
        }
      g_free (key);
      const UserRec *first = &g_array_index (c->users, UserRec, GPOINTER_TO_UINT (prev) - 1);
      if (g_strcmp0 (first->partition, u->partition) != 0)
        {
          u->skip = TRUE;
          continue;
        }
      return fail (error, WL_ERROR_MALFORMED, c->name, u->line,
                   "user %s in account %s already defined at line %u", qu, qa, first->line);
    }

  /* everything checked: add */
  for (guint k = 0; k < order->len; k++)
    {
      const AcctRec *a = &g_array_index (c->accts, AcctRec, g_array_index (order, guint, k));
      SchedAssocId id = sched_priority_add_account (p, a->name, a->parent, a->shares);
      g_assert (id != SCHED_ASSOC_NONE);
    }
  for (guint i = 0; i < c->users->len; i++)
    {
      const UserRec *u = &g_array_index (c->users, UserRec, i);
      if (u->skip)
        continue;
      SchedAssocId id = sched_priority_add_user (p, u->user, is_root_name (u->account) ? "root"
                                                                                      : u->account,
                                                 u->shares);
      g_assert (id != SCHED_ASSOC_NONE);
    }
  return TRUE;
}

gboolean
wl_assoc_parse (const char *text, gssize len, const char *name, const WlAssocOptions *opts,
                SchedPriority *p, GError **error)
{
  g_return_val_if_fail (text != NULL || len == 0, FALSE);
  g_return_val_if_fail (p != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (name == NULL)
    name = "<assoc>";
  gsize n = len < 0 ? strlen (text) : (gsize) len;
  Ctx c = { name, opts, g_array_new (FALSE, FALSE, sizeof (AcctRec)),
            g_array_new (FALSE, FALSE, sizeof (UserRec)) };
  g_array_set_clear_func (c.accts, acct_rec_clear);
  g_array_set_clear_func (c.users, user_rec_clear);
  gboolean ok = collect (&c, text ? text : "", n, error) && check_and_apply (&c, p, error);
  g_array_unref (c.accts);
  g_array_unref (c.users);
  return ok;
}

gboolean
wl_assoc_load (const char *path, const WlAssocOptions *opts, SchedPriority *p, GError **error)
{
  g_return_val_if_fail (path != NULL && p != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return FALSE;
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[65536];
  for (;;)
    {
      gssize got = wl__read_input (in, path, chunk, sizeof chunk, error);
      if (got < 0)
        return FALSE;
      if (got == 0)
        break;
      if (buf->len + (gsize) got > MAX_FILE)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED, "%s: larger than %u MiB", path,
                       MAX_FILE >> 20);
          return FALSE;
        }
      g_byte_array_append (buf, chunk, (guint) got);
    }
  return wl_assoc_parse ((const char *) buf->data, (gssize) buf->len, path, opts, p, error);
}
