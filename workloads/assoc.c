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
#include "workloads/slurmparse.h"

#define MAX_FILE (64u << 20)
#define MAX_DEPTH 1000     /* accounts below root; sched/priority ranks recursively */

/* Limits given on an account or user line (NULL in the record when none). */
typedef struct {
  SchedAssocLimits l;
  char            *default_qos;   /* name, resolved when applied; NULL: none */
  char           **qos_list;      /* QOS=: names, resolved when applied; NULL: none */
} LimRec;

typedef struct {
  char   *name;
  char   *parent;     /* NULL or "": root */
  guint32 shares;
  guint   line;
  LimRec *lim;
} AcctRec;

typedef struct {
  char          *name;
  SchedQosLimits q;
  guint          line;
  char         **preempt;   /* Preempt=: names, resolved when applied; NULL: none */
} QosRec;

typedef struct {
  char   *user;
  char   *account;
  char   *partition;  /* NULL: none given */
  guint32 shares;
  guint   line;
  gboolean skip;      /* a later partition row of the same user and account */
  LimRec *lim;
} UserRec;

typedef struct {
  const char           *name;
  const WlAssocOptions *opts;
  GArray               *accts;   /* AcctRec */
  GArray               *users;   /* UserRec */
  GArray               *qos;     /* QosRec */
} Ctx;

static void
lim_rec_free (LimRec *l)
{
  if (l)
    {
      g_free (l->default_qos);
      g_strfreev (l->qos_list);
    }
  g_free (l);
}

static void
acct_rec_clear (gpointer data)
{
  AcctRec *a = data;
  g_free (a->name);
  g_free (a->parent);
  lim_rec_free (a->lim);
}

static void
qos_rec_clear (gpointer data)
{
  QosRec *q = data;
  g_free (q->name);
  g_strfreev (q->preempt);
}

static void
user_rec_clear (gpointer data)
{
  UserRec *u = data;
  g_free (u->user);
  g_free (u->account);
  g_free (u->partition);
  lim_rec_free (u->lim);
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
                shares, line, NULL };
  g_array_append_val (c->accts, a);
}

static void
add_user (Ctx *c, const char *user, gsize user_len, const char *acct, gsize acct_len,
          const char *part, gsize part_len, guint32 shares, guint line)
{
  UserRec u = { g_strndup (user, user_len), g_strndup (acct, acct_len),
                part_len ? g_strndup (part, part_len) : NULL, shares, line, FALSE, NULL };
  g_array_append_val (c->users, u);
}

/* ---- limits ---------------------------------------------------------------------------- */

/* Which limit a key names. */
typedef enum {
  K_NONE = 0,
  K_PRIORITY, K_MAX_WALL, K_MAX_JOBS_PU, K_MAX_SUBMIT_PU, K_MAX_TRES_PU, K_MAX_TRES,
  K_GRP_TRES, K_GRP_JOBS,                       /* QOS (the last three also associations) */
  K_PREEMPT, K_PREEMPT_MODE, K_GRACE_TIME, K_PREEMPT_EXEMPT, K_FLAGS,   /* QOS */
  K_MAX_JOBS, K_MAX_SUBMIT, K_DEFAULT_QOS, K_QOS_LIST,                  /* associations */
} LimKey;

static const struct {
  const char *name;
  LimKey      key;
  gboolean    qos, assoc;
} lim_keys[] = {
  { "Priority", K_PRIORITY, TRUE, FALSE },
  { "MaxWall", K_MAX_WALL, TRUE, TRUE },
  { "MaxWallDurationPerJob", K_MAX_WALL, TRUE, TRUE },
  { "MaxJobsPerUser", K_MAX_JOBS_PU, TRUE, FALSE },
  { "MaxJobsPU", K_MAX_JOBS_PU, TRUE, FALSE },
  { "MaxSubmitJobsPerUser", K_MAX_SUBMIT_PU, TRUE, FALSE },
  { "MaxSubmitPU", K_MAX_SUBMIT_PU, TRUE, FALSE },
  { "MaxSubmitJobsPU", K_MAX_SUBMIT_PU, TRUE, FALSE },
  { "MaxTRESPerUser", K_MAX_TRES_PU, TRUE, FALSE },
  { "MaxTRESPU", K_MAX_TRES_PU, TRUE, FALSE },
  { "MaxTRES", K_MAX_TRES, TRUE, TRUE },
  { "MaxTRESPerJob", K_MAX_TRES, TRUE, TRUE },
  { "GrpTRES", K_GRP_TRES, TRUE, TRUE },
  { "GrpJobs", K_GRP_JOBS, TRUE, TRUE },
  { "Preempt", K_PREEMPT, TRUE, FALSE },
  { "PreemptMode", K_PREEMPT_MODE, TRUE, FALSE },
  { "GraceTime", K_GRACE_TIME, TRUE, FALSE },
  { "PreemptExemptTime", K_PREEMPT_EXEMPT, TRUE, FALSE },
  { "Flags", K_FLAGS, TRUE, FALSE },
  { "MaxJobs", K_MAX_JOBS, FALSE, TRUE },
  { "MaxSubmitJobs", K_MAX_SUBMIT, FALSE, TRUE },
  { "MaxSubmit", K_MAX_SUBMIT, FALSE, TRUE },
  { "DefaultQOS", K_DEFAULT_QOS, FALSE, TRUE },
  { "DefQOS", K_DEFAULT_QOS, FALSE, TRUE },
  { "Def QOS", K_DEFAULT_QOS, FALSE, TRUE },
  { "QOS", K_QOS_LIST, FALSE, TRUE },
};

static LimKey
lim_key (const char *s, gsize n, gboolean qos)
{
  for (gsize i = 0; i < G_N_ELEMENTS (lim_keys); i++)
    if ((qos ? lim_keys[i].qos : lim_keys[i].assoc) && eq_nocase (s, n, lim_keys[i].name))
      return lim_keys[i].key;
  return K_NONE;
}

/* A count: a whole number, or -1 (none). */
static gboolean
parse_count (const char *v, guint64 *out)
{
  if (strcmp (v, "-1") == 0)
    {
      *out = SCHED_LIMIT_NONE;
      return TRUE;
    }
  return g_ascii_string_to_unsigned (v, 10, 0, G_MAXUINT64 - 1, out, NULL);
}

/* A TRES list "cpu=64,gres/gpu=8,mem=100G,node=4": mem in MB unless suffixed K, M, G or T;
 * gres/gpu:TYPE counts as GPUs; other TRES (billing, energy, licenses...) are ignored; a
 * value of -1 clears that limit. */
static gboolean
parse_tres (const char *v, SchedTres *t)
{
  g_auto (GStrv) items = g_strsplit (v, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      char *eq = strchr (items[i], '=');
      if (eq == NULL || eq == items[i])
        return FALSE;
      *eq = '\0';
      const char *k = items[i], *val = eq + 1;
      guint64 *slot = NULL, mult = 1;
      if (g_ascii_strcasecmp (k, "cpu") == 0)
        slot = &t->cpus;
      else if (g_ascii_strcasecmp (k, "node") == 0)
        slot = &t->nodes;
      else if (g_ascii_strcasecmp (k, "gres/gpu") == 0
               || g_ascii_strncasecmp (k, "gres/gpu:", 9) == 0)
        slot = &t->gpus;
      else if (g_ascii_strcasecmp (k, "mem") == 0)
        slot = &t->mem_mb;
      g_autofree char *num = g_strdup (val);
      gsize nl = strlen (num);
      if (slot == &t->mem_mb && nl > 0 && g_ascii_isalpha (num[nl - 1]))
        {
          switch (g_ascii_toupper (num[nl - 1]))
            {
            case 'K': mult = 0; break;
            case 'M': mult = 1; break;
            case 'G': mult = 1024; break;
            case 'T': mult = 1024 * 1024; break;
            default: return FALSE;
            }
          num[nl - 1] = '\0';
        }
      guint64 n;
      if (!parse_count (num, &n))
        return FALSE;
      if (slot == NULL)
        continue;
      if (n == SCHED_LIMIT_NONE)
        *slot = n;
      else if (mult == 0)
        *slot = (n + 1023) / 1024;
      else
        *slot = n * mult;
    }
  return TRUE;
}

/* A list of QOS names "a,b,c" (Preempt=, QOS=): a NULL-terminated copy, or NULL when an
 * item is empty or not a plain name (sacctmgr's "+name"/"-name" edits are not a list). */
static char **
parse_name_list (const char *v)
{
  char **items = g_strsplit (v, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] == '\0' || items[i][0] == '+' || items[i][0] == '-'
          || strpbrk (items[i], " \t=|") != NULL)
        {
          g_strfreev (items);
          return NULL;
        }
    }
  if (items[0] == NULL)
    g_clear_pointer (&items, g_strfreev);
  return items;
}

/* A QOS PreemptMode as sacctmgr shows and takes it (any case): "cluster" (the cluster's
 * mode), "off", "cancel", "requeue", or "suspend" (not modeled: its jobs are not
 * preempted, as sluice does with a cluster-wide SUSPEND), with the flags ",gang" and
 * ",within" accepted and ignored. */
static gboolean
parse_preempt_mode (const char *v, SchedQosPreemptMode *out)
{
  static const struct { const char *name; SchedQosPreemptMode mode; } modes[] = {
    { "cluster", SCHED_QOS_PREEMPT_CLUSTER }, { "off", SCHED_QOS_PREEMPT_OFF },
    { "cancel", SCHED_QOS_PREEMPT_CANCEL }, { "requeue", SCHED_QOS_PREEMPT_REQUEUE },
    { "suspend", SCHED_QOS_PREEMPT_OFF },
  };
  g_auto (GStrv) items = g_strsplit (v, ",", -1);
  gboolean have = FALSE;
  for (guint i = 0; items[i]; i++)
    {
      const char *w = g_strstrip (items[i]);
      if (g_ascii_strcasecmp (w, "gang") == 0 || g_ascii_strcasecmp (w, "within") == 0)
        continue;
      gsize m = 0;
      while (m < G_N_ELEMENTS (modes) && g_ascii_strcasecmp (w, modes[m].name) != 0)
        m++;
      if (m == G_N_ELEMENTS (modes) || have)
        return FALSE;
      *out = modes[m].mode;
      have = TRUE;
    }
  return have;
}

/* QOS Flags: OverPartQOS and DenyOnLimit are modeled; Slurm's other flags are accepted and
 * ignored. */
static gboolean
parse_qos_flags (const char *v, gboolean *over_part_qos, gboolean *deny_on_limit)
{
  static const char *const known[] = {
    "DenyOnLimit", "EnforceUsageThreshold", "NoDecay", "NoReserve", "OverPartQOS",
    "PartitionMaxNodes", "PartitionMinNodes", "PartitionTimeLimit", "RequiresReservation",
    "UsageFactorSafe", "Relative",
  };
  g_auto (GStrv) items = g_strsplit (v, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      const char *w = g_strstrip (items[i]);
      gsize k = 0;
      while (k < G_N_ELEMENTS (known) && g_ascii_strcasecmp (w, known[k]) != 0)
        k++;
      if (k == G_N_ELEMENTS (known))
        return FALSE;
      if (g_ascii_strcasecmp (w, "OverPartQOS") == 0)
        *over_part_qos = TRUE;
      if (g_ascii_strcasecmp (w, "DenyOnLimit") == 0)
        *deny_on_limit = TRUE;
    }
  return TRUE;
}

/* GraceTime: seconds (sacctmgr takes a number of seconds), or a Slurm time with ':' as
 * sacctmgr shows it ("00:05:00"); -1: not set. */
static gboolean
parse_grace (const char *v, SchedTime *out)
{
  guint64 n;
  if (strcmp (v, "-1") == 0)
    {
      *out = -1;
      return TRUE;
    }
  if (g_ascii_string_to_unsigned (v, 10, 0, G_MAXINT32, &n, NULL))
    {
      *out = (SchedTime) n;
      return TRUE;
    }
  gint64 secs;
  if (strchr (v, ':') == NULL || !wl_parse_slurm_time (v, &secs, NULL)
      || secs == WL_TIME_UNLIMITED)
    return FALSE;
  *out = secs;
  return TRUE;
}

/* Applies `key`=`v` to the QOS `qr` or the association limits `a` (the other NULL).
 * Returns FALSE with `error` set for a bad value. */
static gboolean
set_limit (Ctx *c, LimKey key, const char *kname, const char *v, QosRec *qr, LimRec *a,
           guint line, GError **error)
{
  gboolean ok = TRUE;
  guint64 n = 0;
  gint64 secs = 0;
  const char *what = "a whole number or -1";
  SchedQosLimits *q = qr ? &qr->q : NULL;
  switch (key)
    {
    case K_PRIORITY:
      ok = g_ascii_string_to_unsigned (v, 10, 0, G_MAXUINT32, &n, NULL);
      if (ok)
        q->priority = (guint32) n;
      break;
    case K_MAX_WALL:
      what = "a Slurm time (minutes, [days-]hours:minutes:seconds) or -1";
      ok = wl_parse_slurm_time (v, &secs, NULL);
      if (ok)
        *(q ? &q->max_wall : &a->l.max_wall) = secs;
      break;
    case K_MAX_JOBS_PU:
      ok = parse_count (v, &q->max_jobs_per_user);
      break;
    case K_MAX_SUBMIT_PU:
      ok = parse_count (v, &q->max_submit_per_user);
      break;
    case K_GRP_JOBS:
      ok = parse_count (v, q ? &q->grp_jobs : &a->l.grp_jobs);
      break;
    case K_MAX_JOBS:
      ok = parse_count (v, &a->l.max_jobs);
      break;
    case K_MAX_SUBMIT:
      ok = parse_count (v, &a->l.max_submit);
      break;
    case K_MAX_TRES_PU:
    case K_MAX_TRES:
    case K_GRP_TRES:
      what = "a TRES list like cpu=64,gres/gpu=8,mem=100G,node=4";
      ok = parse_tres (v, key == K_MAX_TRES_PU ? &q->max_tres_per_user
                          : key == K_MAX_TRES ? (q ? &q->max_tres_per_job : &a->l.max_tres_per_job)
                          : (q ? &q->grp_tres : &a->l.grp_tres));
      break;
    case K_DEFAULT_QOS:
      g_free (a->default_qos);
      a->default_qos = g_strdup (v);
      break;
    case K_PREEMPT:
    case K_QOS_LIST:
      {
        /* "Preempt=" says: preempts nothing; an association without a QOS list leaves
         * the key out (it inherits) */
        what = "a comma-separated list of QOS names";
        char **list = key == K_PREEMPT && *v == '\0' ? NULL : parse_name_list (v);
        ok = list != NULL || (key == K_PREEMPT && *v == '\0');
        char ***slot = key == K_PREEMPT ? &qr->preempt : &a->qos_list;
        if (ok)
          {
            g_strfreev (*slot);
            *slot = list;
          }
        break;
      }
    case K_PREEMPT_MODE:
      what = "cluster, off, cancel, requeue or suspend (optionally with ,gang)";
      ok = parse_preempt_mode (v, &q->preempt_mode);
      break;
    case K_GRACE_TIME:
      what = "seconds, [days-]hours:minutes:seconds or -1";
      ok = parse_grace (v, &q->grace_time);
      break;
    case K_PREEMPT_EXEMPT:
      what = "a Slurm time (minutes, [days-]hours:minutes:seconds) or -1";
      ok = wl_parse_slurm_time (v, &secs, NULL);
      if (ok)
        q->preempt_exempt = secs == WL_TIME_UNLIMITED ? -1 : secs;
      break;
    case K_FLAGS:
      what = "Slurm QOS flags (DenyOnLimit, NoDecay, OverPartQOS, ...)";
      ok = parse_qos_flags (v, &q->over_part_qos, &q->deny_on_limit);
      break;
    case K_NONE:
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    {
      g_autofree char *qv = quoted0 (v);
      return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s: expected %s, got %s", kname,
                   what, qv);
    }
  return TRUE;
}

static LimRec *
lim_rec_new (void)
{
  LimRec *l = g_new0 (LimRec, 1);
  sched_assoc_limits_init (&l->l);
  return l;
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
  Tok t[24];
  guint k = split_words (s, n, t, G_N_ELEMENTS (t));
  if (k == 0)
    return TRUE;
  gboolean is_account = eq_nocase (t[0].s, t[0].n, "account");
  gboolean is_qos = eq_nocase (t[0].s, t[0].n, "qos");
  if (!is_account && !is_qos && !eq_nocase (t[0].s, t[0].n, "user"))
    {
      g_autofree char *q = quoted (t[0].s, t[0].n);
      return fail (error, WL_ERROR_MALFORMED, c->name, line,
                   "expected \"account\", \"user\" or \"qos\", got %s", q);
    }
  const char *what = is_account ? "account" : is_qos ? "qos" : "user";
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
  QosRec qr = { NULL, { 0 }, line, NULL };
  sched_qos_limits_init (&qr.q);
  g_autoptr (GPtrArray) seen_keys = g_ptr_array_new ();
  LimRec *lim = NULL;
  for (guint i = 2; i < k; i++)
    {
      const char *eq = memchr (t[i].s, '=', t[i].n);
      if (eq == NULL)
        {
          lim_rec_free (lim);
          g_strfreev (qr.preempt);
          g_autofree char *q = quoted (t[i].s, t[i].n);
          return fail (error, WL_ERROR_MALFORMED, c->name, line,
                       "%s %s: expected key=value, got %s", what, name, q);
        }
      gsize kn = (gsize) (eq - t[i].s);
      const Tok **slot = NULL;
      if (is_qos)
        ;
      else if (eq_nocase (t[i].s, kn, "shares") || eq_nocase (t[i].s, kn, "share")
          || eq_nocase (t[i].s, kn, "fairshare"))
        slot = &shares;
      else if (eq_nocase (t[i].s, kn, is_account ? "parent" : "account"))
        slot = &parent;
      LimKey lk = slot == NULL ? lim_key (t[i].s, kn, is_qos) : K_NONE;
      if (lk != K_NONE)
        {
          g_autofree char *key = g_strndup (t[i].s, kn);
          g_autofree char *val = g_strndup (eq + 1, t[i].n - kn - 1);
          for (guint m = 0; m < seen_keys->len; m++)
            if (GPOINTER_TO_UINT (seen_keys->pdata[m]) == lk)
              {
                lim_rec_free (lim);
                g_strfreev (qr.preempt);
                return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: %s given twice",
                             what, name, key);
              }
          g_ptr_array_add (seen_keys, GUINT_TO_POINTER (lk));
          if (!is_qos && lim == NULL)
            lim = lim_rec_new ();
          if (!set_limit (c, lk, key, val, is_qos ? &qr : NULL, lim, line, error))
            {
              lim_rec_free (lim);
              g_strfreev (qr.preempt);
              return FALSE;
            }
          continue;
        }
      if (slot == NULL)
        {
          lim_rec_free (lim);
          g_strfreev (qr.preempt);
          g_autofree char *q = quoted (t[i].s, kn);
          return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: unknown key %s", what,
                       name, q);
        }
      g_autofree char *key = g_ascii_strdown (t[i].s, (gssize) kn);
      if (*slot != NULL || kn + 1 == t[i].n)
        lim_rec_free (g_steal_pointer (&lim));
      if (*slot != NULL)
        return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: %s given twice", what,
                     name, key);
      if (kn + 1 == t[i].n)
        return fail (error, WL_ERROR_MALFORMED, c->name, line, "%s %s: %s: empty value", what,
                     name, key);
      *slot = &t[i];
    }
  if (is_qos)
    {
      qr.name = g_strndup (t[1].s, t[1].n);
      g_array_append_val (c->qos, qr);
      return TRUE;
    }
  guint32 sh = 1;
  if (shares)
    {
      const char *v = (const char *) memchr (shares->s, '=', shares->n) + 1;
      gsize vn = shares->n - (gsize) (v - shares->s);
      if (!parse_shares (v, vn, &sh))
        {
          g_autofree char *q = quoted (v, vn);
          lim_rec_free (lim);
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
    {
      add_acct (c, t[1].s, t[1].n, pv, pn, sh, line);
      g_array_index (c->accts, AcctRec, c->accts->len - 1).lim = lim;
    }
  else
    {
      if (pv == NULL)
        {
          lim_rec_free (lim);
          return fail (error, WL_ERROR_MALFORMED, c->name, line, "user %s: missing account=",
                       name);
        }
      add_user (c, t[1].s, t[1].n, pv, pn, NULL, 0, sh, line);
      g_array_index (c->users, UserRec, c->users->len - 1).lim = lim;
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
  gboolean qos_mode;      /* a `sacctmgr show qos -P` table: Name and limit fields */
  gint    name_col;
  GArray *lim_cols;       /* LimCol: fields holding limits */
} Sacct;

typedef struct {
  guint       col;
  LimKey      key;
  const char *name;       /* static */
} LimCol;

/* Reads the limit fields of the current row into the QOS `qr` or a new *lim (when one is
 * set). */
static gboolean
row_limits (Sacct *sa, QosRec *qr, LimRec **lim, guint line, GError **error)
{
  for (guint i = 0; i < sa->lim_cols->len; i++)
    {
      const LimCol *lc = &g_array_index (sa->lim_cols, LimCol, i);
      if (lc->col >= sa->fields->len)
        continue;
      Tok v = g_array_index (sa->fields, Tok, lc->col);
      trim (&v.s, &v.n);
      if (v.n == 0)
        continue;
      g_autofree char *val = g_strndup (v.s, v.n);
      if (qr == NULL && *lim == NULL)
        *lim = lim_rec_new ();
      if (!set_limit (sa->c, lc->key, lc->name, val, qr, qr ? NULL : *lim, line, error))
        return FALSE;
    }
  return TRUE;
}

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
  g_array_set_size (sa->lim_cols, 0);
  sa->name_col = -1;
  for (guint i = 0; i < sa->fields->len; i++)
    {
      Tok t = g_array_index (sa->fields, Tok, i);
      trim (&t.s, &t.n);
      if (eq_nocase (t.s, t.n, "Name"))
        sa->name_col = (gint) i;
    }
  sa->qos_mode = sa->col[F_ACCOUNT] < 0 && sa->name_col >= 0;
  for (guint i = 0; i < sa->fields->len; i++)
    {
      Tok t = g_array_index (sa->fields, Tok, i);
      trim (&t.s, &t.n);
      LimKey k = lim_key (t.s, t.n, sa->qos_mode);
      for (gsize m = 0; k != K_NONE && m < G_N_ELEMENTS (lim_keys); m++)
        if (lim_keys[m].key == k && eq_nocase (t.s, t.n, lim_keys[m].name))
          {
            LimCol lc = { i, k, lim_keys[m].name };
            g_array_append_val (sa->lim_cols, lc);
            break;
          }
    }
  if (sa->qos_mode)
    return TRUE;
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

static gboolean sacct_assoc_row (Sacct *sa, guint line, GError **error);

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

  if (sa->qos_mode)
    {
      Tok nm = g_array_index (sa->fields, Tok, sa->name_col);
      trim (&nm.s, &nm.n);
      if (nm.n == 0)
        return fail (error, WL_ERROR_MALFORMED, c->name, line, "field Name: empty");
      QosRec qr = { NULL, { 0 }, line, NULL };
      sched_qos_limits_init (&qr.q);
      if (!row_limits (sa, &qr, NULL, line, error))
        {
          g_strfreev (qr.preempt);
          return FALSE;
        }
      qr.name = g_strndup (nm.s, nm.n);
      g_array_append_val (c->qos, qr);
      return TRUE;
    }
  LimRec *lim = NULL;
  if (!row_limits (sa, NULL, &lim, line, error))
    {
      lim_rec_free (lim);
      return FALSE;
    }
  gboolean ok = sacct_assoc_row (sa, line, error);
  if (ok && lim)
    {
      Tok user = field (sa, F_USER);
      trim (&user.s, &user.n);
      if (user.n > 0)
        g_array_index (c->users, UserRec, c->users->len - 1).lim = lim;
      else
        g_array_index (c->accts, AcctRec, c->accts->len - 1).lim = lim;
      lim = NULL;
    }
  lim_rec_free (lim);
  return ok;
}

/* The association part of a row already split into sa->fields. */
static gboolean
sacct_assoc_row (Sacct *sa, guint line, GError **error)
{
  Ctx *c = sa->c;
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

/* TRUE if the line is a sacctmgr header: fields Account and User (assoc), or Name and a
 * QOS limit field (qos). */
static gboolean
looks_like_header (const char *s, gsize n, GArray *scratch)
{
  split_bars (s, n, scratch);
  gboolean acct = FALSE, user = FALSE, name = FALSE, qlim = FALSE;
  for (guint i = 0; i < scratch->len; i++)
    {
      Tok t = g_array_index (scratch, Tok, i);
      trim (&t.s, &t.n);
      acct |= eq_nocase (t.s, t.n, "Account");
      user |= eq_nocase (t.s, t.n, "User");
      name |= eq_nocase (t.s, t.n, "Name");
      qlim |= eq_nocase (t.s, t.n, "Priority") || lim_key (t.s, t.n, TRUE) != K_NONE;
    }
  return (acct && user) || (name && qlim);
}

/* ---- collect --------------------------------------------------------------------------- */

static gboolean
collect (Ctx *c, const char *text, gsize len, GError **error)
{
  Lines l;
  lines_init (&l, text, len);
  const char *s;
  gsize n;
  gboolean sacct = FALSE, started = FALSE, after_blank = FALSE;
  Sacct sa = { c, { 0 }, 0, FALSE, NULL, 0, g_array_new (FALSE, FALSE, sizeof (Tok)),
               g_array_new (FALSE, FALSE, sizeof (Indent)), FALSE, -1,
               g_array_new (FALSE, FALSE, sizeof (LimCol)) };
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
      if (sacct && tn == 0)
        {
          after_blank = TRUE;
          continue;
        }
      if (sacct && after_blank && looks_like_header (s, n, sa.fields))
        {
          /* another table (assoc or qos) after a blank line */
          g_array_set_size (sa.stack, 0);
          ok = sacct_header (&sa, s, n, l.line, error);
          after_blank = FALSE;
          continue;
        }
      after_blank = FALSE;
      if (sacct)
        ok = sacct_row (&sa, s, n, l.line, error);
      else
        ok = simple_line (c, s, n, l.line, error);
    }
  g_array_unref (sa.fields);
  g_array_unref (sa.stack);
  g_array_unref (sa.lim_cols);
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

/* TRUE when `name` is a QOS of the file (`names`) or of opts->limits. */
static gboolean
qos_known (Ctx *c, GHashTable *names, const char *name)
{
  return g_hash_table_contains (names, name)
         || (c->opts && c->opts->limits
             && sched_limits_find_qos (c->opts->limits, name) != SCHED_QOS_INVALID);
}

/* Preempt lists must not loop (a QOS preempting itself, or A preempting B preempting A),
 * as slurmdbd refuses: the graph of the file's QOS (with their lists as given) and of
 * opts->limits' other QOS (with their lists) is peeled from its sinks; what remains holds
 * a loop, found by walking from the first QOS of the file that remains.  O(QOS + edges). */
static gboolean
check_preempt_loops (Ctx *c, GError **error)
{
  const SchedLimits *lim = c->opts ? c->opts->limits : NULL;
  g_autoptr (GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) node_names = g_ptr_array_new ();   /* (transfer none) */
  for (guint i = 0; i < c->qos->len; i++)
    {
      const char *n = g_array_index (c->qos, QosRec, i).name;
      g_hash_table_insert (index, (gpointer) n, GUINT_TO_POINTER (node_names->len));
      g_ptr_array_add (node_names, (gpointer) n);
    }
  guint n_file = node_names->len;
  for (guint id = 1; lim && id <= sched_limits_n_qos (lim); id++)
    {
      const char *n = sched_limits_qos_name (lim, id);
      if (g_hash_table_contains (index, n))
        continue;
      g_hash_table_insert (index, (gpointer) n, GUINT_TO_POINTER (node_names->len));
      g_ptr_array_add (node_names, (gpointer) n);
    }
  guint nn = node_names->len;
  /* edges: succ[n] = the QOS n preempts */
  g_autoptr (GPtrArray) succ = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) pred = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < nn; i++)
    {
      g_ptr_array_add (succ, g_array_new (FALSE, FALSE, sizeof (guint)));
      g_ptr_array_add (pred, g_array_new (FALSE, FALSE, sizeof (guint)));
    }
  for (guint i = 0; i < nn; i++)
    {
      g_autoptr (GPtrArray) targets = g_ptr_array_new ();
      if (i < n_file)
        {
          char **list = g_array_index (c->qos, QosRec, i).preempt;
          for (guint k = 0; list && list[k]; k++)
            g_ptr_array_add (targets, list[k]);
        }
      else
        {
          guint n = 0;
          SchedQosId id = sched_limits_find_qos (lim, node_names->pdata[i]);
          const SchedQosId *ids = sched_limits_get_qos_preempt (lim, id, &n);
          for (guint k = 0; k < n; k++)
            g_ptr_array_add (targets, (gpointer) sched_limits_qos_name (lim, ids[k]));
        }
      for (guint k = 0; k < targets->len; k++)
        {
          gpointer v;
          if (!g_hash_table_lookup_extended (index, targets->pdata[k], NULL, &v))
            continue;   /* (unknown names were reported before) */
          guint j = GPOINTER_TO_UINT (v);
          g_array_append_val (succ->pdata[i], j);
          g_array_append_val (pred->pdata[j], i);
        }
    }
  g_autofree guint *out = g_new (guint, nn);
  g_autoptr (GArray) sinks = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < nn; i++)
    if ((out[i] = ((GArray *) succ->pdata[i])->len) == 0)
      g_array_append_val (sinks, i);
  for (guint s = 0; s < sinks->len; s++)
    {
      const GArray *pr = pred->pdata[g_array_index (sinks, guint, s)];
      for (guint k = 0; k < pr->len; k++)
        {
          guint p = g_array_index (pr, guint, k);
          if (--out[p] == 0)
            g_array_append_val (sinks, p);
        }
    }
  if (sinks->len == nn)
    return TRUE;
  /* every QOS left preempts another one left: walk until a QOS comes back */
  guint start = 0;
  while (out[start] == 0)
    start++;
  g_autofree guint *seen_at = g_new (guint, nn);
  for (guint i = 0; i < nn; i++)
    seen_at[i] = G_MAXUINT;
  g_autoptr (GArray) path = g_array_new (FALSE, FALSE, sizeof (guint));
  guint cur = start;
  while (seen_at[cur] == G_MAXUINT)
    {
      seen_at[cur] = path->len;
      g_array_append_val (path, cur);
      const GArray *sc = succ->pdata[cur];
      guint k = 0;
      while (out[g_array_index (sc, guint, k)] == 0)
        k++;
      cur = g_array_index (sc, guint, k);
    }
  GString *loop = g_string_new (NULL);
  guint line = 0;
  for (guint k = seen_at[cur]; k < path->len; k++)
    {
      guint n = g_array_index (path, guint, k);
      if (line == 0 && n < n_file)
        line = g_array_index (c->qos, QosRec, n).line;
      const char *name = node_names->pdata[n];
      wl__append_quoted (loop, name, strlen (name));
      g_string_append (loop, " -> ");
    }
  const char *back = node_names->pdata[cur];
  wl__append_quoted (loop, back, strlen (back));
  g_autofree char *msg = g_string_free (loop, FALSE);
  return fail (error, WL_ERROR_MALFORMED, c->name, line, "Preempt: preemption loop %s", msg);
}

/* QOS names once each; every DefaultQOS names a QOS of the file or of opts->limits, and
 * one of its association's own QOS list when it has one; Preempt lists name such QOS and
 * do not loop; association QOS lists name such QOS too when any QOS is defined (a dump of
 * associations without the QOS table names QOS that cannot be asked for: the lists are
 * then dropped when applied). */
static gboolean
check_limits (Ctx *c, GError **error)
{
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < c->qos->len; i++)
    {
      const QosRec *q = &g_array_index (c->qos, QosRec, i);
      gpointer prev = g_hash_table_lookup (names, q->name);
      if (prev)
        {
          g_autofree char *qn = quoted0 (q->name);
          return fail (error, WL_ERROR_MALFORMED, c->name, q->line,
                       "qos %s already defined at line %u", qn, GPOINTER_TO_UINT (prev));
        }
      g_hash_table_insert (names, q->name, GUINT_TO_POINTER (q->line));
    }
  for (guint k = 0; k < 2; k++)
    {
      GArray *recs = k == 0 ? c->accts : c->users;
      for (guint i = 0; i < recs->len; i++)
        {
          const LimRec *l = k == 0 ? g_array_index (recs, AcctRec, i).lim
                                   : g_array_index (recs, UserRec, i).lim;
          guint line = k == 0 ? g_array_index (recs, AcctRec, i).line
                              : g_array_index (recs, UserRec, i).line;
          if (l == NULL || l->default_qos == NULL || *l->default_qos == '\0'
              || g_hash_table_contains (names, l->default_qos))
            continue;
          if (c->opts && c->opts->limits
              && sched_limits_find_qos (c->opts->limits, l->default_qos) != SCHED_QOS_INVALID)
            continue;
          g_autofree char *qn = quoted0 (l->default_qos);
          return fail (error, WL_ERROR_MALFORMED, c->name, line,
                       "DefaultQOS: unknown qos %s", qn);
        }
    }
  for (guint i = 0; i < c->qos->len; i++)
    {
      const QosRec *q = &g_array_index (c->qos, QosRec, i);
      for (guint k = 0; q->preempt && q->preempt[k]; k++)
        if (!qos_known (c, names, q->preempt[k]))
          {
            g_autofree char *qn = quoted0 (q->name), *pn = quoted0 (q->preempt[k]);
            return fail (error, WL_ERROR_MALFORMED, c->name, q->line,
                         "qos %s: Preempt: unknown qos %s", qn, pn);
          }
    }
  gboolean any_qos = c->qos->len > 0
                     || (c->opts && c->opts->limits && sched_limits_n_qos (c->opts->limits) > 0);
  for (guint k = 0; k < 2; k++)
    {
      GArray *recs = k == 0 ? c->accts : c->users;
      for (guint i = 0; i < recs->len; i++)
        {
          const LimRec *l = k == 0 ? g_array_index (recs, AcctRec, i).lim
                                   : g_array_index (recs, UserRec, i).lim;
          guint line = k == 0 ? g_array_index (recs, AcctRec, i).line
                              : g_array_index (recs, UserRec, i).line;
          if (l == NULL || l->qos_list == NULL)
            continue;
          for (guint m = 0; any_qos && l->qos_list[m]; m++)
            if (!qos_known (c, names, l->qos_list[m]))
              {
                g_autofree char *qn = quoted0 (l->qos_list[m]);
                return fail (error, WL_ERROR_MALFORMED, c->name, line,
                             "QOS: unknown qos %s", qn);
              }
          if (l->default_qos && *l->default_qos
              && !g_strv_contains ((const char *const *) l->qos_list, l->default_qos))
            {
              g_autofree char *qn = quoted0 (l->default_qos);
              return fail (error, WL_ERROR_MALFORMED, c->name, line,
                           "DefaultQOS: %s is not in the association's QOS list", qn);
            }
        }
    }
  return check_preempt_loops (c, error);
}

/* The ids of the QOS `names` (all defined). */
static GArray *
qos_ids (const SchedLimits *lim, char **names)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (SchedQosId));
  for (guint k = 0; names && names[k]; k++)
    {
      SchedQosId id = sched_limits_find_qos (lim, names[k]);
      g_assert (id != SCHED_QOS_INVALID);
      g_array_append_val (ids, id);
    }
  return ids;
}

/* Sets association `id`'s limits and QOS list from `rec`. */
static void
apply_assoc (SchedLimits *lim, SchedAssocId id, const LimRec *rec)
{
  SchedAssocLimits l = rec->l;
  if (rec->default_qos && *rec->default_qos)
    l.default_qos = sched_limits_find_qos (lim, rec->default_qos);
  sched_limits_set_assoc (lim, id, &l);
  /* QOS lists mean nothing without QOS definitions (check_limits) */
  if (rec->qos_list == NULL || sched_limits_n_qos (lim) == 0)
    return;
  g_autoptr (GArray) ids = qos_ids (lim, rec->qos_list);
  sched_limits_set_assoc_qos (lim, id, (const SchedQosId *) ids->data, ids->len);
}

/* Gives opts->limits the QOS definitions and the association limits (after the
 * associations were added to `p`). */
static void
apply_limits (Ctx *c, SchedPriority *p)
{
  SchedLimits *lim = c->opts ? c->opts->limits : NULL;
  if (lim == NULL)
    return;
  for (guint i = 0; i < c->qos->len; i++)
    {
      const QosRec *q = &g_array_index (c->qos, QosRec, i);
      sched_limits_add_qos (lim, q->name, &q->q);
    }
  /* Preempt lists once every QOS has its id; a QOS defined again gets the file's list
   * (none when the file gives none) */
  for (guint i = 0; i < c->qos->len; i++)
    {
      const QosRec *q = &g_array_index (c->qos, QosRec, i);
      g_autoptr (GArray) ids = qos_ids (lim, q->preempt);
      sched_limits_set_qos_preempt (lim, sched_limits_find_qos (lim, q->name),
                                    (const SchedQosId *) ids->data, ids->len);
    }
  for (guint i = 0; i < c->accts->len; i++)
    {
      const AcctRec *a = &g_array_index (c->accts, AcctRec, i);
      if (a->lim != NULL)
        apply_assoc (lim, sched_priority_lookup_account (p, a->name), a->lim);
    }
  for (guint i = 0; i < c->users->len; i++)
    {
      const UserRec *u = &g_array_index (c->users, UserRec, i);
      if (u->lim == NULL || u->skip)
        continue;
      SchedAssocId id = sched_priority_lookup_user (p, u->user, is_root_name (u->account)
                                                                 ? "root" : u->account);
      g_assert (id != SCHED_ASSOC_NONE);
      apply_assoc (lim, id, u->lim);
    }
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
            g_array_new (FALSE, FALSE, sizeof (UserRec)),
            g_array_new (FALSE, FALSE, sizeof (QosRec)) };
  g_array_set_clear_func (c.accts, acct_rec_clear);
  g_array_set_clear_func (c.users, user_rec_clear);
  g_array_set_clear_func (c.qos, qos_rec_clear);
  gboolean ok = collect (&c, text ? text : "", n, error) && check_limits (&c, error)
                && check_and_apply (&c, p, error);
  if (ok)
    apply_limits (&c, p);
  g_array_unref (c.accts);
  g_array_unref (c.users);
  g_array_unref (c.qos);
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
