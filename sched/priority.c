/* SPDX-License-Identifier: MIT */
/* sched/priority.c - Slurm's priority/multifactor plugin: association tree, decayed usage,
 * classic and Fair Tree fair-share, job priority.  The formulas and their sources are in
 * sched/priority.h.
 *
 * The tree is one array of Node indexed by SchedAssocId.  A parent is always created before
 * its children, so increasing ids are a top-down order of both the real tree and the
 * fair-share tree (where Fairshare=parent accounts are spliced out and their children hang
 * from the first ancestor that is not Fairshare=parent); update walks ids upwards and never
 * recurses except for Fair Tree's ranking walk.  The fair-share tree's children lists are a
 * CSR array rebuilt only when the tree changes (`dirty`).
 *
 * Usage is lazy: each node keeps (usage, rate, stamp), the usage at `stamp` and the CPUs of
 * its subtree's running jobs; sync brings one node to a later time in closed form.  Starting
 * or ending a job syncs and changes the nodes on its path; update syncs them all. */
#include "sched/priority.h"

#include <math.h>
#include <string.h>

#define STAMP_UNSET G_MININT64

typedef struct {
  char        *name;
  SchedAssocId parent;        /* real parent; NONE for root */
  guint32      shares;
  gboolean     user;
  /* usage of the subtree: `usage` at `stamp`, growing at `rate` */
  double       usage;
  double       rate;
  SchedTime    stamp;
  /* fair-share tree (rebuilt when dirty) */
  SchedAssocId fs_parent;     /* first ancestor that is not a spliced account; NONE for
                               * root */
  gboolean     spliced;       /* a Fairshare=parent account: not in the fair-share tree */
  guint32      fs_first;      /* children in p->fs_children[fs_first .. fs_first+fs_count) */
  guint32      fs_count;
  guint64      child_shares;  /* shares of the fair-share children that count */
  /* computed by update */
  double       shares_norm;
  double       usage_norm;
  double       usage_efctv;
  double       level_fs;
  double       fairshare;
} Node;

struct _SchedPriority {
  SchedPriorityParams params;
  GArray     *nodes;          /* Node */
  GHashTable *accounts;       /* account name -> id + 1 */
  GHashTable *users;          /* "<account id>:<user>" -> id + 1 */
  GHashTable *defaults;       /* user name -> id + 1 of its default association */
  guint       n_users;
  gboolean    dirty;          /* the fair-share tree must be rebuilt */
  SchedTime   now;            /* the latest time seen */
  GArray     *fs_children;    /* SchedAssocId */
};

static inline Node *
node_at (const SchedPriority *p, SchedAssocId id)
{
  return &g_array_index (p->nodes, Node, id);
}

/* ---- parameters ------------------------------------------------------------------------ */

void
sched_priority_params_init (SchedPriorityParams *params)
{
  g_return_if_fail (params != NULL);
  memset (params, 0, sizeof *params);
  params->max_age = 7 * 86400;
  params->decay_half_life = 7 * 86400;
  params->usage_reset = SCHED_PRIORITY_RESET_NONE;
  params->fairshare = SCHED_FAIRSHARE_FAIR_TREE;
  params->dampening = 1;
}

gboolean
sched_priority_params_set_flags (SchedPriorityParams *params, const char *flags,
                                 char **unsupported)
{
  g_return_val_if_fail (params != NULL, FALSE);
  if (flags == NULL)
    return TRUE;
  g_auto (GStrv) parts = g_strsplit (flags, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *f = g_strstrip (parts[i]);
      if (*f == '\0')
        continue;
      if (g_ascii_strcasecmp (f, "NO_FAIR_TREE") == 0)
        params->fairshare = SCHED_FAIRSHARE_CLASSIC;
      else if (g_ascii_strcasecmp (f, "FAIR_TREE") == 0)
        params->fairshare = SCHED_FAIRSHARE_FAIR_TREE;
      else if (g_ascii_strcasecmp (f, "SMALL_RELATIVE_TO_TIME") == 0)
        params->size_relative = TRUE;
      else
        {
          if (unsupported != NULL)
            *unsupported = g_strdup (f);
          return FALSE;
        }
    }
  return TRUE;
}

static const char *const reset_names[] = {
  [SCHED_PRIORITY_RESET_NONE] = "NONE",
  [SCHED_PRIORITY_RESET_NOW] = "NOW",
  [SCHED_PRIORITY_RESET_DAILY] = "DAILY",
  [SCHED_PRIORITY_RESET_WEEKLY] = "WEEKLY",
  [SCHED_PRIORITY_RESET_MONTHLY] = "MONTHLY",
  [SCHED_PRIORITY_RESET_QUARTERLY] = "QUARTERLY",
  [SCHED_PRIORITY_RESET_YEARLY] = "YEARLY",
};

gboolean
sched_priority_reset_from_name (const char *name, SchedPriorityReset *out)
{
  g_return_val_if_fail (out != NULL, FALSE);
  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (reset_names); i++)
    if (g_ascii_strcasecmp (name, reset_names[i]) == 0)
      {
        *out = (SchedPriorityReset) i;
        return TRUE;
      }
  return FALSE;
}

/* ---- reset calendar (proleptic Gregorian, days since 1970-01-01) ----------------------- */

static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since the epoch of y-m-d (H. Hinnant's days_from_civil). */
static gint64
days_from_civil (gint64 y, gint64 m, gint64 d)
{
  y -= m <= 2;
  gint64 era = floor_div (y, 400);
  gint64 yoe = y - era * 400;
  gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Year and month of day `z` since the epoch (H. Hinnant's civil_from_days). */
static void
civil_from_days (gint64 z, gint64 *year, gint64 *month)
{
  z += 719468;
  gint64 era = floor_div (z, 146097);
  gint64 doe = z - era * 146097;
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  gint64 mp = (5 * doy + 2) / 153;
  gint64 m = mp < 10 ? mp + 3 : mp - 9;
  *year = yoe + era * 400 + (m <= 2);
  *month = m;
}

SchedTime
sched_priority_reset_before (SchedPriorityReset period, SchedTime offset, SchedTime t)
{
  if (period == SCHED_PRIORITY_RESET_NONE || period == SCHED_PRIORITY_RESET_NOW)
    return G_MININT64;
  /* keep the arithmetic far from overflow: +-2^50 s is +-35 million years */
  g_return_val_if_fail (t > -(G_GINT64_CONSTANT (1) << 50)
                        && t < (G_GINT64_CONSTANT (1) << 50), G_MININT64);
  g_return_val_if_fail (offset >= -86400 && offset <= 86400, G_MININT64);
  gint64 days = floor_div (t + offset, 86400);
  gint64 y, m, b;
  switch (period)
    {
    case SCHED_PRIORITY_RESET_DAILY:
      b = days;
      break;
    case SCHED_PRIORITY_RESET_WEEKLY:
      /* 1970-01-04 (day 3) was a Sunday */
      b = days - (days - 3 - floor_div (days - 3, 7) * 7);
      break;
    case SCHED_PRIORITY_RESET_MONTHLY:
      civil_from_days (days, &y, &m);
      b = days_from_civil (y, m, 1);
      break;
    case SCHED_PRIORITY_RESET_QUARTERLY:
      civil_from_days (days, &y, &m);
      b = days_from_civil (y, (m - 1) / 3 * 3 + 1, 1);
      break;
    case SCHED_PRIORITY_RESET_YEARLY:
      civil_from_days (days, &y, &m);
      b = days_from_civil (y, 1, 1);
      break;
    default:
      g_return_val_if_reached (G_MININT64);
    }
  return b * 86400 - offset;
}

/* ---- object ---------------------------------------------------------------------------- */

static void
node_clear (gpointer data)
{
  g_free (((Node *) data)->name);
}

static SchedAssocId
node_new (SchedPriority *p, const char *name, SchedAssocId parent, guint32 shares,
          gboolean user)
{
  Node n;
  memset (&n, 0, sizeof n);
  n.name = g_strdup (name);
  n.parent = parent;
  n.shares = shares;
  n.user = user;
  n.stamp = STAMP_UNSET;
  n.fs_parent = SCHED_ASSOC_NONE;
  n.level_fs = NAN;
  g_array_append_val (p->nodes, n);
  p->dirty = TRUE;
  if (user)
    p->n_users++;
  return p->nodes->len - 1;
}

SchedPriority *
sched_priority_new (const SchedPriorityParams *params)
{
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (params->dampening > 0, NULL);
  g_return_val_if_fail (params->max_age >= 0 && params->decay_half_life >= 0, NULL);
  g_return_val_if_fail (params->reset_offset >= -86400 && params->reset_offset <= 86400,
                        NULL);
  g_return_val_if_fail ((guint) params->usage_reset < G_N_ELEMENTS (reset_names), NULL);
  g_return_val_if_fail (params->fairshare == SCHED_FAIRSHARE_FAIR_TREE
                        || params->fairshare == SCHED_FAIRSHARE_CLASSIC, NULL);
  SchedPriority *p = g_new0 (SchedPriority, 1);
  p->params = *params;
  p->nodes = g_array_new (FALSE, FALSE, sizeof (Node));
  g_array_set_clear_func (p->nodes, node_clear);
  p->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p->users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p->defaults = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  p->fs_children = g_array_new (FALSE, FALSE, sizeof (SchedAssocId));
  p->now = G_MININT64;
  node_new (p, "root", SCHED_ASSOC_NONE, 1, FALSE);
  g_hash_table_insert (p->accounts, g_strdup ("root"), GUINT_TO_POINTER (1));
  return p;
}

void
sched_priority_free (SchedPriority *p)
{
  if (p == NULL)
    return;
  g_array_unref (p->nodes);
  g_hash_table_unref (p->accounts);
  g_hash_table_unref (p->users);
  g_hash_table_unref (p->defaults);
  g_array_unref (p->fs_children);
  g_free (p);
}

const SchedPriorityParams *
sched_priority_get_params (const SchedPriority *p)
{
  g_return_val_if_fail (p != NULL, NULL);
  return &p->params;
}

/* ---- the tree -------------------------------------------------------------------------- */

static gboolean
is_root_name (const char *name)
{
  return name == NULL || *name == '\0' || strcmp (name, "root") == 0;
}

SchedAssocId
sched_priority_lookup_account (const SchedPriority *p, const char *name)
{
  g_return_val_if_fail (p != NULL, SCHED_ASSOC_NONE);
  if (name == NULL)
    return SCHED_ASSOC_NONE;
  gpointer v = g_hash_table_lookup (p->accounts, name);
  return v ? GPOINTER_TO_UINT (v) - 1 : SCHED_ASSOC_NONE;
}

static SchedAssocId
account_or_root (const SchedPriority *p, const char *name)
{
  return is_root_name (name) ? SCHED_ASSOC_ROOT : sched_priority_lookup_account (p, name);
}

static char *
user_key (SchedAssocId account, const char *user)
{
  return g_strdup_printf ("%u:%s", account, user);
}

static SchedAssocId
find_user (const SchedPriority *p, SchedAssocId account, const char *user)
{
  g_autofree char *key = user_key (account, user);
  gpointer v = g_hash_table_lookup (p->users, key);
  return v ? GPOINTER_TO_UINT (v) - 1 : SCHED_ASSOC_NONE;
}

SchedAssocId
sched_priority_lookup_user (const SchedPriority *p, const char *user, const char *account)
{
  g_return_val_if_fail (p != NULL, SCHED_ASSOC_NONE);
  g_return_val_if_fail (user != NULL, SCHED_ASSOC_NONE);
  if (account == NULL)
    {
      gpointer v = g_hash_table_lookup (p->defaults, user);
      return v ? GPOINTER_TO_UINT (v) - 1 : SCHED_ASSOC_NONE;
    }
  SchedAssocId a = account_or_root (p, account);
  return a == SCHED_ASSOC_NONE ? SCHED_ASSOC_NONE : find_user (p, a, user);
}

static void
set_shares (SchedPriority *p, SchedAssocId id, guint32 shares)
{
  Node *n = node_at (p, id);
  if (n->shares != shares)
    {
      n->shares = shares;
      p->dirty = TRUE;
    }
}

SchedAssocId
sched_priority_add_account (SchedPriority *p, const char *name, const char *parent,
                            guint32 shares)
{
  g_return_val_if_fail (p != NULL, SCHED_ASSOC_NONE);
  g_return_val_if_fail (name != NULL && *name != '\0', SCHED_ASSOC_NONE);
  SchedAssocId par = account_or_root (p, parent);
  if (strcmp (name, "root") == 0)
    return is_root_name (parent) ? SCHED_ASSOC_ROOT : SCHED_ASSOC_NONE;
  if (par == SCHED_ASSOC_NONE)
    return SCHED_ASSOC_NONE;
  SchedAssocId id = sched_priority_lookup_account (p, name);
  if (id != SCHED_ASSOC_NONE)
    {
      if (node_at (p, id)->parent != par)
        return SCHED_ASSOC_NONE;
      set_shares (p, id, shares);
      return id;
    }
  id = node_new (p, name, par, shares, FALSE);
  g_hash_table_insert (p->accounts, g_strdup (name), GUINT_TO_POINTER (id + 1));
  return id;
}

static SchedAssocId
add_user_at (SchedPriority *p, const char *user, SchedAssocId account, guint32 shares)
{
  SchedAssocId id = find_user (p, account, user);
  if (id != SCHED_ASSOC_NONE)
    {
      set_shares (p, id, shares);
      return id;
    }
  id = node_new (p, user, account, shares, TRUE);
  g_hash_table_insert (p->users, user_key (account, user), GUINT_TO_POINTER (id + 1));
  if (!g_hash_table_contains (p->defaults, user))
    g_hash_table_insert (p->defaults, g_strdup (user), GUINT_TO_POINTER (id + 1));
  return id;
}

SchedAssocId
sched_priority_add_user (SchedPriority *p, const char *user, const char *account,
                         guint32 shares)
{
  g_return_val_if_fail (p != NULL, SCHED_ASSOC_NONE);
  g_return_val_if_fail (user != NULL && *user != '\0', SCHED_ASSOC_NONE);
  g_return_val_if_fail (account != NULL, SCHED_ASSOC_NONE);
  SchedAssocId a = account_or_root (p, account);
  if (a == SCHED_ASSOC_NONE)
    return SCHED_ASSOC_NONE;
  return add_user_at (p, user, a, shares);
}

SchedAssocId
sched_priority_resolve (SchedPriority *p, const char *user, const char *account)
{
  g_return_val_if_fail (p != NULL, SCHED_ASSOC_ROOT);
  g_return_val_if_fail (user != NULL && *user != '\0', SCHED_ASSOC_ROOT);
  SchedAssocId a;
  if (account == NULL || *account == '\0')
    {
      SchedAssocId d = sched_priority_lookup_user (p, user, NULL);
      if (d != SCHED_ASSOC_NONE)
        return d;
      account = SCHED_PRIORITY_DEFAULT_ACCOUNT;
    }
  a = account_or_root (p, account);
  if (a == SCHED_ASSOC_NONE)
    a = sched_priority_add_account (p, account, NULL, 1);
  SchedAssocId u = find_user (p, a, user);
  return u != SCHED_ASSOC_NONE ? u : add_user_at (p, user, a, 1);
}

SchedAssocId
sched_priority_resolve_uid (SchedPriority *p, guint32 uid, const char *account)
{
  char buf[16];
  g_snprintf (buf, sizeof buf, "%u", uid);
  return sched_priority_resolve (p, buf, account);
}

guint
sched_priority_n_assocs (const SchedPriority *p)
{
  g_return_val_if_fail (p != NULL, 0);
  return p->nodes->len;
}

guint
sched_priority_n_users (const SchedPriority *p)
{
  g_return_val_if_fail (p != NULL, 0);
  return p->n_users;
}

SchedAssocId
sched_priority_assoc_parent (const SchedPriority *p, SchedAssocId id)
{
  g_return_val_if_fail (p != NULL, SCHED_ASSOC_NONE);
  return id < p->nodes->len ? node_at (p, id)->parent : SCHED_ASSOC_NONE;
}

void
sched_priority_set_factor_max (SchedPriority *p, guint32 partition_factor_max,
                               guint32 qos_priority_max)
{
  g_return_if_fail (p != NULL);
  p->params.partition_factor_max = partition_factor_max;
  p->params.qos_priority_max = qos_priority_max;
}

gboolean
sched_priority_assoc_info (const SchedPriority *p, SchedAssocId id, SchedAssocInfo *out)
{
  g_return_val_if_fail (p != NULL && out != NULL, FALSE);
  if (id >= p->nodes->len)
    return FALSE;
  const Node *n = node_at (p, id);
  out->name = n->name;
  out->account = n->parent == SCHED_ASSOC_NONE ? NULL : node_at (p, n->parent)->name;
  out->is_user = n->user;
  out->parent = n->parent;
  out->shares_raw = n->shares;
  out->shares_norm = n->shares_norm;
  out->usage_raw = n->usage;
  out->usage_norm = n->usage_norm;
  out->usage_efctv = n->usage_efctv;
  out->level_fs = n->level_fs;
  out->fairshare = n->fairshare;
  return TRUE;
}

/* ---- usage ----------------------------------------------------------------------------- */

/* Brings `n` from its stamp to `now` at its constant rate, through the reset boundary
 * `reset` (the latest at or before now, G_MININT64 for none) if it passed since. */
static void
sync_node (const SchedPriorityParams *pp, Node *n, SchedTime now, SchedTime reset)
{
  if (n->stamp == STAMP_UNSET)
    {
      g_assert (n->usage == 0 && n->rate == 0);
      n->stamp = now;
      return;
    }
  if (now <= n->stamp)
    return;
  if (reset > n->stamp)
    {
      n->usage = 0;
      n->stamp = reset;
    }
  double dt = (double) (now - n->stamp);
  if (pp->decay_half_life > 0)
    {
      double h = (double) pp->decay_half_life;
      double x = dt * M_LN2 / h;
      /* U 2^(-dt/h) + r h/ln2 (1 - 2^(-dt/h)); expm1 keeps small intervals exact */
      n->usage = n->usage * exp (-x) + n->rate * (h / M_LN2) * -expm1 (-x);
    }
  else
    n->usage += n->rate * dt;
  n->stamp = now;
}

/* Moves the clock to `now`; returns the reset boundary for sync_node, or FALSE (and a
 * critical) when time would go backwards. */
static gboolean
advance_to (SchedPriority *p, SchedTime now, SchedTime *reset)
{
  g_return_val_if_fail (now >= p->now, FALSE);
  g_return_val_if_fail (now > -(G_GINT64_CONSTANT (1) << 50)
                        && now < (G_GINT64_CONSTANT (1) << 50), FALSE);
  p->now = now;
  *reset = sched_priority_reset_before (p->params.usage_reset, p->params.reset_offset, now);
  return TRUE;
}

/* Changes the CPU rate charged to `assoc` and its ancestors by `delta` from `now` on. */
static void
add_rate (SchedPriority *p, SchedTime now, SchedAssocId assoc, double delta)
{
  SchedTime reset;
  if (!advance_to (p, now, &reset))
    return;
  for (SchedAssocId id = assoc; id != SCHED_ASSOC_NONE; id = node_at (p, id)->parent)
    {
      Node *n = node_at (p, id);
      sync_node (&p->params, n, now, reset);
      n->rate += delta;
      if (n->rate < 0)          /* rounding of fractional billing units */
        n->rate = 0;
    }
}

void
sched_priority_job_start (SchedPriority *p, SchedTime now, SchedAssocId assoc, double cpus)
{
  g_return_if_fail (p != NULL);
  g_return_if_fail (assoc < p->nodes->len);
  g_return_if_fail (cpus >= 0 && isfinite (cpus));
  add_rate (p, now, assoc, cpus);
}

void
sched_priority_job_end (SchedPriority *p, SchedTime now, SchedAssocId assoc, double cpus)
{
  g_return_if_fail (p != NULL);
  g_return_if_fail (assoc < p->nodes->len);
  g_return_if_fail (cpus >= 0 && isfinite (cpus));
  g_return_if_fail (node_at (p, assoc)->rate >= cpus * (1 - 1e-12));
  add_rate (p, now, assoc, -cpus);
}

void
sched_priority_charge (SchedPriority *p, SchedTime now, SchedAssocId assoc, double usage)
{
  g_return_if_fail (p != NULL);
  g_return_if_fail (assoc < p->nodes->len);
  g_return_if_fail (usage >= 0 && isfinite (usage));
  SchedTime reset;
  if (!advance_to (p, now, &reset))
    return;
  for (SchedAssocId id = assoc; id != SCHED_ASSOC_NONE; id = node_at (p, id)->parent)
    {
      Node *n = node_at (p, id);
      sync_node (&p->params, n, now, reset);
      n->usage += usage;
    }
}

/* ---- the fair-share tree --------------------------------------------------------------- */

static void
rebuild (SchedPriority *p)
{
  guint len = p->nodes->len;
  for (SchedAssocId id = 0; id < len; id++)
    {
      Node *n = node_at (p, id);
      n->fs_count = 0;
      n->child_shares = 0;
      n->spliced = id != SCHED_ASSOC_ROOT && !n->user && n->shares == SCHED_PRIORITY_SHARES_PARENT;
      if (id == SCHED_ASSOC_ROOT)
        {
          n->fs_parent = SCHED_ASSOC_NONE;
          continue;
        }
      const Node *par = node_at (p, n->parent);
      n->fs_parent = par->spliced ? par->fs_parent : n->parent;
      if (n->spliced)
        continue;
      Node *fp = node_at (p, n->fs_parent);
      fp->fs_count++;
      if (n->shares != SCHED_PRIORITY_SHARES_PARENT)
        fp->child_shares += n->shares;
    }
  guint32 pos = 0;
  for (SchedAssocId id = 0; id < len; id++)
    {
      Node *n = node_at (p, id);
      n->fs_first = pos;
      pos += n->fs_count;
      n->fs_count = 0;
    }
  g_array_set_size (p->fs_children, pos);
  for (SchedAssocId id = 1; id < len; id++)
    {
      const Node *n = node_at (p, id);
      if (n->spliced)
        continue;
      Node *fp = node_at (p, n->fs_parent);
      g_array_index (p->fs_children, SchedAssocId, fp->fs_first + fp->fs_count++) = id;
    }
  p->dirty = FALSE;
}

static double
usage_norm (const SchedPriority *p, const Node *n)
{
  double total = node_at (p, SCHED_ASSOC_ROOT)->usage;
  if (total <= 0)
    return 0;
  return MIN (1.0, n->usage / total);
}

/* classic_fair_share.html; Slurm's _set_assoc_usage_efctv and
 * _normalize_assoc_shares_traditional */
static void
compute_classic (SchedPriority *p)
{
  Node *root = node_at (p, SCHED_ASSOC_ROOT);
  root->shares_norm = 1;
  root->usage_norm = root->usage > 0 ? 1 : 0;
  root->usage_efctv = 1;
  root->fairshare = 0;
  double damp = (double) p->params.dampening;
  for (SchedAssocId id = 1; id < p->nodes->len; id++)
    {
      Node *n = node_at (p, id);
      const Node *fp = node_at (p, n->fs_parent);
      n->usage_norm = usage_norm (p, n);
      n->level_fs = NAN;
      if (n->shares == SCHED_PRIORITY_SHARES_PARENT)
        {
          n->shares_norm = fp->shares_norm;
          n->usage_efctv = n->fs_parent == SCHED_ASSOC_ROOT ? n->usage_norm : fp->usage_efctv;
        }
      else
        {
          guint64 level = fp->child_shares;
          double ratio = level ? (double) n->shares / (double) level : 0;
          n->shares_norm = fp->shares_norm * ratio;
          if (n->fs_parent == SCHED_ASSOC_ROOT)
            n->usage_efctv = n->usage_norm;
          else if (level == 0)
            n->usage_efctv = fp->usage_efctv;
          else
            n->usage_efctv = n->usage_norm + (fp->usage_efctv - n->usage_norm) * ratio;
        }
      n->fairshare = n->shares_norm > 0 ? exp2 (-(n->usage_efctv / n->shares_norm) / damp) : 0;
    }
}

typedef struct {
  SchedPriority *p;
  guint32        rank;     /* the rank the next tied user gets */
  guint32        rnt;      /* rank with no ties */
} Ranking;

static int
level_fs_cmp (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const SchedPriority *p = data;
  SchedAssocId a = *(const SchedAssocId *) pa, b = *(const SchedAssocId *) pb;
  const Node *na = node_at (p, a), *nb = node_at (p, b);
  if (na->level_fs != nb->level_fs)
    return na->level_fs > nb->level_fs ? -1 : 1;
  if (na->user != nb->user)
    return na->user ? -1 : 1;
  return (a > b) - (a < b);
}

/* fair_tree.html "Algorithm" and "Ties"; Slurm's _calc_tree_fs.  `siblings` is sorted here
 * and its accounts are descended into in order. */
static void
rank_level (Ranking *r, GArray *siblings, gboolean account_tied)
{
  SchedPriority *p = r->p;
  g_array_sort_with_data (siblings, level_fs_cmp, p);
  gboolean have_prev = FALSE;
  double prev = 0;
  for (guint i = 0; i < siblings->len; i++)
    {
      Node *n = node_at (p, g_array_index (siblings, SchedAssocId, i));
      gboolean tied = (i == 0 && account_tied) || (have_prev && prev == n->level_fs);
      if (n->user)
        {
          if (!tied)
            r->rank = r->rnt;
          n->fairshare = (double) r->rank / (double) p->n_users;
          r->rnt--;
        }
      else
        {
          /* sibling accounts with the same level fair-share: children merged */
          guint last = i;
          while (last + 1 < siblings->len)
            {
              const Node *m = node_at (p, g_array_index (siblings, SchedAssocId, last + 1));
              if (m->user || m->level_fs != n->level_fs)
                break;
              last++;
            }
          g_autoptr (GArray) children = g_array_new (FALSE, FALSE, sizeof (SchedAssocId));
          for (guint k = i; k <= last; k++)
            {
              const Node *a = node_at (p, g_array_index (siblings, SchedAssocId, k));
              g_array_append_vals (children, &g_array_index (p->fs_children, SchedAssocId,
                                                             a->fs_first), a->fs_count);
            }
          if (children->len > 0)
            rank_level (r, children, tied);
          i = last;
        }
      have_prev = TRUE;
      prev = n->level_fs;
    }
}

/* fair_tree.html "Level Fairshare Calculation"; Slurm's _calc_assoc_fs */
static void
compute_fair_tree (SchedPriority *p)
{
  Node *root = node_at (p, SCHED_ASSOC_ROOT);
  root->shares_norm = 1;
  root->usage_norm = root->usage > 0 ? 1 : 0;
  root->usage_efctv = root->usage_norm;
  root->level_fs = NAN;
  root->fairshare = 0;
  for (SchedAssocId id = 1; id < p->nodes->len; id++)
    {
      Node *n = node_at (p, id);
      n->usage_norm = usage_norm (p, n);
      n->fairshare = 0;
      if (n->spliced)
        {
          n->shares_norm = 0;
          n->usage_efctv = 0;
          n->level_fs = NAN;
          continue;
        }
      const Node *fp = node_at (p, n->fs_parent);
      guint64 level = fp->child_shares;
      double s = 0;
      if (n->shares == SCHED_PRIORITY_SHARES_PARENT)
        {
          /* Slurm's _normalize_assoc_shares_fair_tree: the parent's own share of its level
           * (shown only: such users rank first in their account) */
          const Node *gp = fp->fs_parent != SCHED_ASSOC_NONE ? node_at (p, fp->fs_parent) : NULL;
          s = gp && gp->child_shares ? (double) fp->shares / (double) gp->child_shares : 0;
        }
      else if (level)
        s = (double) n->shares / (double) level;
      double u = fp->usage > 0 ? n->usage / fp->usage : 0;
      n->shares_norm = s;
      n->usage_efctv = u;
      if (n->shares == SCHED_PRIORITY_SHARES_PARENT)
        n->level_fs = INFINITY;
      else if (s == 0)
        n->level_fs = 0;
      else
        n->level_fs = u > 0 ? s / u : INFINITY;
    }
  if (root->fs_count == 0)
    return;
  Ranking r = { p, p->n_users, p->n_users };
  g_autoptr (GArray) top = g_array_new (FALSE, FALSE, sizeof (SchedAssocId));
  g_array_append_vals (top, &g_array_index (p->fs_children, SchedAssocId, root->fs_first),
                       root->fs_count);
  rank_level (&r, top, FALSE);
}

void
sched_priority_update (SchedPriority *p, SchedTime now)
{
  g_return_if_fail (p != NULL);
  SchedTime reset;
  if (!advance_to (p, now, &reset))
    return;
  for (SchedAssocId id = 0; id < p->nodes->len; id++)
    sync_node (&p->params, node_at (p, id), now, reset);
  if (p->dirty)
    rebuild (p);
  if (p->params.fairshare == SCHED_FAIRSHARE_CLASSIC)
    compute_classic (p);
  else
    compute_fair_tree (p);
}

/* ---- job priority ---------------------------------------------------------------------- */

void
sched_priority_job_init (SchedPriorityJob *job)
{
  g_return_if_fail (job != NULL);
  memset (job, 0, sizeof *job);
  job->assoc = SCHED_ASSOC_NONE;
  job->eligible = SCHED_TIME_NEVER;
  job->cpus = 1;
}

static double
age_factor (const SchedPriorityParams *pp, SchedTime now, SchedTime eligible)
{
  if (eligible == SCHED_TIME_NEVER || eligible > now)
    return 0;
  SchedTime wait = now - eligible;
  return wait < pp->max_age ? (double) wait / (double) pp->max_age : 1.0;
}

static double
size_factor (const SchedPriorityParams *pp, const SchedPriorityJob *j)
{
  if (pp->total_cpus == 0)
    return 0;
  double cpus = (double) j->cpus, total = (double) pp->total_cpus;
  double f;
  if (pp->size_relative)
    {
      /* Slurm's PRIORITY_FLAGS_SIZE_RELATIVE: CPUs (at least nodes x the mean CPUs per
       * node) per minute of time limit, over the cluster's CPUs */
      f = 0;
      if (pp->total_nodes > 0 && j->nodes > 0)
        f = (double) j->nodes * total / (double) pp->total_nodes;
      if (cpus > f)
        f = cpus;
      double minutes = j->time_limit > 0 ? ceil ((double) j->time_limit / 60.0) : 1;
      f = f / minutes / total;
      if (pp->favor_small)
        f = 1.0 - f;
    }
  else
    {
      if (pp->total_nodes > 0 && j->nodes > 0)
        f = ((double) j->nodes / (double) pp->total_nodes + cpus / total) / 2;
      else
        f = cpus / total;
      if (pp->favor_small)
        f = 1.0 - f;
    }
  return CLAMP (f, 0.0, 1.0);
}

static double
ratio (guint32 value, guint32 max)
{
  return max ? MIN (1.0, (double) value / (double) max) : 0;
}

guint32
sched_priority_job (const SchedPriority *p, SchedTime now, const SchedPriorityJob *job,
                    SchedPriorityFactors *factors)
{
  g_return_val_if_fail (p != NULL && job != NULL, 1);
  const SchedPriorityParams *pp = &p->params;
  SchedPriorityFactors f;
  f.age = age_factor (pp, now, job->eligible);
  f.fairshare = job->assoc < p->nodes->len ? node_at (p, job->assoc)->fairshare : 0;
  f.job_size = size_factor (pp, job);
  f.partition = ratio (job->partition_factor, pp->partition_factor_max);
  f.qos = ratio (job->qos_priority, pp->qos_priority_max);
  /* Slurm's _get_priority_internal: weighted factors summed in this order, minus nice */
  f.sum = f.age * (double) pp->weight_age
          + f.fairshare * (double) pp->weight_fairshare
          + f.job_size * (double) pp->weight_job_size
          + f.partition * (double) pp->weight_partition
          + f.qos * (double) pp->weight_qos
          - (double) job->nice;
  if (factors != NULL)
    *factors = f;
  double prio = f.sum;
  if (prio < 1)
    prio = 1;     /* 0 is for held jobs */
  if (prio > 4294967295.0)
    prio = 4294967295.0;
  return (guint32) prio;
}

/* ---- invariants ------------------------------------------------------------------------ */

void
sched__priority_check (const SchedPriority *p)
{
  g_assert_nonnull (p);
  g_assert_cmpuint (p->nodes->len, >=, 1);
  g_assert_cmpuint (node_at (p, SCHED_ASSOC_ROOT)->parent, ==, SCHED_ASSOC_NONE);
  guint users = 0, accounts = 0;
  g_autofree double *child_rate = g_new0 (double, p->nodes->len);
  for (SchedAssocId id = 1; id < p->nodes->len; id++)
    {
      const Node *n = node_at (p, id);
      g_assert_cmpuint (n->parent, <, id);
      const Node *par = node_at (p, n->parent);
      g_assert_false (par->user);
      g_assert_cmpfloat (n->rate, >=, 0);
      g_assert_cmpfloat (n->usage, >=, 0);
      child_rate[n->parent] += n->rate;
      if (n->user)
        {
          users++;
          g_assert_cmpuint (find_user (p, n->parent, n->name), ==, id);
          g_assert_true (g_hash_table_contains (p->defaults, n->name));
        }
      else
        {
          accounts++;
          g_assert_cmpuint (sched_priority_lookup_account (p, n->name), ==, id);
        }
    }
  g_assert_cmpuint (users, ==, p->n_users);
  g_assert_cmpuint (accounts + 1, ==, g_hash_table_size (p->accounts));
  g_assert_cmpuint (users, ==, g_hash_table_size (p->users));
  for (SchedAssocId id = 0; id < p->nodes->len; id++)
    g_assert_cmpfloat (node_at (p, id)->rate, >=, child_rate[id] * (1 - 1e-12) - 1e-9);
}
