/* SPDX-License-Identifier: MIT */
/* workloads/slurmconf.c - slurm.conf reader: lines, Include, DEFAULT lines, nodes, partitions.
 *
 * Reading is two passes.  The first reads files line by line (comments, continuations,
 * Include) and splits each logical line into an ordered list of Key=Value pairs; node and
 * partition lines are merged with the DEFAULT pairs seen so far, their values checked and
 * turned into WlSlurmNode / WlSlurmPartition records at once, so that every error names the
 * line it comes from.  Whatever refers to nodes by name (partitions, DownNodes, NodeSet) is
 * only recorded in the first pass, because Slurm lets those lines come before the nodes;
 * the second pass (finish) resolves them.  Strings shared by the nodes of one line (gres,
 * features, settings) are allocated once per line and kept in pools owned by the conf.
 * Costs: O(nodes) memory and time after hostlist expansion; key tables are scanned
 * linearly, which is fine for files of hundreds of lines.  Reading back and building the
 * cluster are in slurmconf-query.c. */
#include "workloads/slurmconf.h"

#include <string.h>

#include "workloads/hostlist.h"
#include "workloads/slurmconf-private.h"

/* A line that names nodes, resolved once all nodes are known. */
typedef struct {
  char        *expr;            /* hostlist, or NULL */
  char        *feature;         /* NodeSet=... Feature=F */
  char        *name;            /* NodeSet name */
  WlNodeState  state;           /* DownNodes */
  char        *reason;
  WlConfLoc    loc;
} Pending;

typedef struct {
  WlSlurmConf              *conf;
  const WlSlurmConfOptions *opts;
  GHashTable               *warned;         /* lower-case keys warned about */
  WlParamList              *node_defaults;
  WlParamList              *part_defaults;
  GPtrArray                *part_exprs;     /* char *: Nodes= of each partition, or NULL */
  GArray                   *downs;          /* Pending */
  GArray                   *nodesets;       /* Pending */
} Parser;

/* ---- messages -------------------------------------------------------------------------- */

static void G_GNUC_PRINTF (3, 4)
warn (Parser *P, const WlConfLoc *loc, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  char *msg = g_strdup_printf ("%s:%u: %s", loc->file, loc->line, what);
  GPtrArray *w = P->conf->warnings;
  g_ptr_array_insert (w, (gint) w->len - 1, msg);      /* before the terminating NULL */
  if (P->opts && P->opts->warn_func)
    P->opts->warn_func (msg, P->opts->warn_data);
  else
    g_printerr ("sluice: warning: %s\n", msg);
}

static gboolean G_GNUC_PRINTF (4, 5)
fail (GError **error, gint code, const WlConfLoc *loc, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, WL_ERROR, code, "%s:%u: %s", loc->file, loc->line, what);
  return FALSE;
}

/* Prefixes a value error from slurmparse/hostlist with "file:line: Key: ". */
static gboolean
fail_value (GError **error, GError *inner, const WlConfLoc *loc, const char *key)
{
  fail (error, inner->code == WL_ERROR_UNSUPPORTED ? WL_ERROR_UNSUPPORTED : WL_ERROR_MALFORMED,
        loc, "%s: %s", key, inner->message);
  g_error_free (inner);
  return FALSE;
}

static void
warn_unknown (Parser *P, const WlConfLoc *loc, const char *key)
{
  char *lower = g_ascii_strdown (key, -1);
  if (!g_hash_table_add (P->warned, lower))
    return;
  warn (P, loc, "unknown key \"%s\" (kept)", key);
}

static const WlKeyInfo *
find_key (const WlKeyInfo *table, const char *key)
{
  for (const WlKeyInfo *k = table; k->name; k++)
    if (g_ascii_strcasecmp (k->name, key) == 0)
      return k;
  return NULL;
}

/* ---- values ---------------------------------------------------------------------------- */

static gboolean
get_u32 (const char *key, const char *v, const WlConfLoc *loc, guint32 min, guint32 *out,
         GError **error)
{
  GError *inner = NULL;
  gint64 x;
  if (!wl_parse_int (v, min, G_MAXUINT32 - 1, &x, &inner))
    return fail_value (error, inner, loc, key);
  *out = (guint32) x;
  return TRUE;
}

static gboolean
get_u32_or_unlimited (const char *key, const char *v, const WlConfLoc *loc, guint32 *out,
                      GError **error)
{
  if (g_ascii_strcasecmp (v, "UNLIMITED") == 0 || g_ascii_strcasecmp (v, "INFINITE") == 0)
    {
      *out = 0;
      return TRUE;
    }
  return get_u32 (key, v, loc, 0, out, error);
}

static char **
split_list (const char *v)
{
  g_auto (GStrv) parts = g_strsplit (v, ",", -1);
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  for (guint i = 0; parts[i]; i++)
    {
      char *p = g_strstrip (parts[i]);
      if (*p)
        g_ptr_array_add (out, g_strdup (p));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

static const char *const node_state_names[] = {
  "UNKNOWN", "IDLE", "DOWN", "DRAIN", "FAIL", "FAILING", "FUTURE", "CLOUD",
};
static const char *const part_state_names[] = { "UP", "DOWN", "DRAIN", "INACTIVE" };

const char *
wl_node_state_name (WlNodeState s)
{
  g_return_val_if_fail ((guint) s < G_N_ELEMENTS (node_state_names), "UNKNOWN");
  return node_state_names[s];
}

const char *
wl_part_state_name (WlPartState s)
{
  g_return_val_if_fail ((guint) s < G_N_ELEMENTS (part_state_names), "UP");
  return part_state_names[s];
}

static gboolean
get_enum (const char *key, const char *v, const WlConfLoc *loc, const char *const *names, guint n,
          guint *out, GError **error)
{
  for (guint i = 0; i < n; i++)
    if (g_ascii_strcasecmp (v, names[i]) == 0)
      {
        *out = i;
        return TRUE;
      }
  g_autoptr (GString) list = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (list, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", names[i]);
  return fail (error, WL_ERROR_MALFORMED, loc, "%s: expected %s, got \"%s\"", key, list->str,
               v);
}

/* ---- nodes ----------------------------------------------------------------------------- */

typedef struct {
  gboolean     has_cpus, has_sockets, has_spb;
  guint32      cpus, boards, sockets, spb, cores, threads, weight;
  guint64      mem, tmp;
  char       **features;
  GArray      *gres;
  WlNodeState  state;
  char        *reason;
} NodeAttrs;

static void
node_attrs_clear (NodeAttrs *a)
{
  g_strfreev (a->features);
  if (a->gres)
    g_array_unref (a->gres);
  g_free (a->reason);
}

/* Reads the node keys of `settings` (entry 0, NodeName, is skipped).  Checks values only. */
static gboolean
node_attrs_parse (Parser *P, const WlParamList *settings, const WlConfLoc *loc, NodeAttrs *a,
                  GError **error)
{
  memset (a, 0, sizeof *a);
  a->boards = a->cores = a->threads = a->weight = 1;
  a->gres = g_array_new (FALSE, FALSE, sizeof (WlGres));
  g_array_set_clear_func (a->gres, wl_gres_clear);
  for (guint i = 1; i < wl_param_list_length (settings); i++)
    {
      const char *k = wl_param_list_key (settings, i), *v = wl_param_list_value (settings, i);
      const WlKeyInfo *ki = find_key (wl__slurmconf_node_keys, k);
      gboolean ok = TRUE;
      GError *inner = NULL;
      gint64 x;
      if (ki == NULL)
        {
          warn_unknown (P, loc, k);
          continue;
        }
      switch (ki->kind)
        {
        case WL_KEY_CPUS:
          ok = get_u32 (k, v, loc, 1, &a->cpus, error);
          a->has_cpus = TRUE;
          break;
        case WL_KEY_BOARDS: ok = get_u32 (k, v, loc, 1, &a->boards, error); break;
        case WL_KEY_SOCKETS:
          ok = get_u32 (k, v, loc, 1, &a->sockets, error);
          a->has_sockets = TRUE;
          break;
        case WL_KEY_SOCKETS_PER_BOARD:
          ok = get_u32 (k, v, loc, 1, &a->spb, error);
          a->has_spb = TRUE;
          break;
        case WL_KEY_CORES: ok = get_u32 (k, v, loc, 1, &a->cores, error); break;
        case WL_KEY_THREADS: ok = get_u32 (k, v, loc, 1, &a->threads, error); break;
        case WL_KEY_WEIGHT: ok = get_u32 (k, v, loc, 0, &a->weight, error); break;
        case WL_KEY_MEMORY:
        case WL_KEY_TMP_DISK:
          if (!wl_parse_int (v, 0, G_MAXINT64 / 2, &x, &inner))
            return fail_value (error, inner, loc, k);
          *(ki->kind == WL_KEY_MEMORY ? &a->mem : &a->tmp) = (guint64) x;
          break;
        case WL_KEY_FEATURES:
          g_strfreev (a->features);
          a->features = split_list (v);
          break;
        case WL_KEY_GRES:
          g_array_set_size (a->gres, 0);
          if (!wl_parse_gres (v, a->gres, &inner))
            return fail_value (error, inner, loc, k);
          break;
        case WL_KEY_NODE_STATE:
          {
            guint s;
            ok = get_enum (k, v, loc, node_state_names, G_N_ELEMENTS (node_state_names), &s,
                           error);
            a->state = s;
          }
          break;
        case WL_KEY_REASON:
          g_free (a->reason);
          a->reason = g_strdup (v);
          break;
        default:
          break;
        }
      if (!ok)
        return FALSE;
    }
  if (a->features == NULL)
    a->features = g_new0 (char *, 1);
  return TRUE;
}

/* Slurm's topology defaults and consistency rule (read_config.c). */
static gboolean
node_attrs_finish (Parser *P, NodeAttrs *a, const char *names, const WlConfLoc *loc,
                   GError **error)
{
  if (a->has_spb && !a->has_sockets)
    {
      a->sockets = (guint32) MIN ((guint64) a->boards * a->spb, G_MAXUINT32);
      a->has_sockets = TRUE;
    }
  guint64 ct = (guint64) a->cores * a->threads;        /* < 2^64: both < 2^32 */
  guint64 all = ct > G_MAXUINT32 ? G_MAXUINT64 : (a->has_sockets ? a->sockets : 1) * ct;
  if (all > G_MAXUINT32 - 1)
    return fail (error, WL_ERROR_MALFORMED, loc,
                 "NodeName=%s: Sockets x CoresPerSocket x ThreadsPerCore is too large",
                 names);
  if (!a->has_cpus)
    a->cpus = (guint32) all;
  if (!a->has_sockets)
    a->sockets = (guint32) MAX (a->cpus / ct, 1);
  else if (a->has_cpus && a->cpus != a->sockets && a->cpus != (guint64) a->sockets * a->cores
           && a->cpus != all)
    {
      warn (P, loc, "NodeName=%s: CPUs=%u matches neither Sockets, Sockets x CoresPerSocket "
            "nor Sockets x CoresPerSocket x ThreadsPerCore (%" G_GUINT64_FORMAT "): using %"
            G_GUINT64_FORMAT " as Slurm does", names, a->cpus, all, all);
      a->cpus = (guint32) all;
    }
  return TRUE;
}

static gboolean
add_nodes (Parser *P, const char *names, const WlParamList *settings, NodeAttrs *a,
           const WlConfLoc *loc, GError **error)
{
  WlSlurmConf *c = P->conf;
  GError *inner = NULL;
  g_autoptr (GPtrArray) hosts = wl_hostlist_expand (names, &inner);
  if (hosts == NULL)
    return fail_value (error, inner, loc, "NodeName");
  if (hosts->len == 0)
    return fail (error, WL_ERROR_MALFORMED, loc, "NodeName: expected a hostlist, got \"%s\"",
                 names);
  /* GPUs: the first "gpu" gres; warn once per line when the line has several types. */
  const WlGres *gpu = NULL;
  gboolean several = FALSE;
  for (guint i = 0; i < a->gres->len; i++)
    {
      const WlGres *g = &g_array_index (a->gres, WlGres, i);
      if (strcmp (g->name, "gpu") != 0)
        continue;
      if (gpu == NULL)
        gpu = g;
      else if (g_strcmp0 (gpu->type, g->type) != 0)
        several = TRUE;
    }
  if (gpu && gpu->count > G_MAXUINT32)
    return fail (error, WL_ERROR_MALFORMED, loc, "Gres: too many GPUs (%" G_GUINT64_FORMAT ")",
                 gpu->count);
  if (several)
    warn (P, loc, "NodeName=%s: several GPU types in Gres=%s; the cluster model keeps one "
          "type per node: gpu:%s:%" G_GUINT64_FORMAT, names,
          wl_param_list_value (settings, (guint) wl_param_list_find (settings, "Gres")),
          gpu->type ? gpu->type : "", gpu->count);
  g_ptr_array_add (c->gres_arrays, g_array_ref (a->gres));
  g_ptr_array_add (c->strvs, g_strdupv (a->features));
  char **features = g_ptr_array_index (c->strvs, c->strvs->len - 1);
  char *reason = NULL;
  if (a->reason)
    g_ptr_array_add (c->strings, reason = g_strdup (a->reason));
  for (guint i = 0; i < hosts->len; i++)
    {
      const char *h = g_ptr_array_index (hosts, i);
      gpointer prev = g_hash_table_lookup (c->node_index, h);
      if (prev)
        {
          guint j = GPOINTER_TO_UINT (prev) - 1;
          const WlSlurmNode *o = &g_array_index (c->nodes, WlSlurmNode, j);
          return fail (error, WL_ERROR_MALFORMED, loc, "node \"%s\" is already defined at %s:%u",
                       h, o->file, o->line);
        }
      WlSlurmNode n = {
        .name = g_strdup (h), .cpus = a->cpus, .boards = a->boards, .sockets = a->sockets,
        .cores_per_socket = a->cores, .threads_per_core = a->threads,
        .real_memory_mb = a->mem, .tmp_disk_mb = a->tmp, .weight = a->weight,
        .features = features, .gres = (const WlGres *) (void *) a->gres->data,
        .n_gres = a->gres->len, .gpus = gpu ? (guint32) gpu->count : 0,
        .gpu_type = gpu ? gpu->type : NULL, .state = a->state, .reason = reason,
        .settings = settings, .file = loc->file, .line = loc->line,
      };
      g_array_append_val (c->nodes, n);
      g_hash_table_insert (c->node_index, n.name, GUINT_TO_POINTER (c->nodes->len));
    }
  return TRUE;
}

/* Merges DEFAULT pairs and the line's own into a new list, NodeName/PartitionName first. */
static WlParamList *
effective_settings (const WlParamList *line, const WlParamList *defaults)
{
  WlParamList *s = wl_param_list_new ();
  wl_param_list_add (s, wl_param_list_key (line, 0), wl_param_list_value (line, 0));
  for (guint i = 0; i < wl_param_list_length (defaults); i++)
    wl_param_list_set (s, wl_param_list_key (defaults, i), wl_param_list_value (defaults, i));
  for (guint i = 1; i < wl_param_list_length (line); i++)
    wl_param_list_set (s, wl_param_list_key (line, i), wl_param_list_value (line, i));
  return s;
}

static gboolean
node_line (Parser *P, const WlParamList *pairs, const WlConfLoc *loc, GError **error)
{
  const char *names = wl_param_list_value (pairs, 0);
  NodeAttrs a;
  if (g_ascii_strcasecmp (names, "DEFAULT") == 0)
    {
      gboolean ok = node_attrs_parse (P, pairs, loc, &a, error);
      node_attrs_clear (&a);
      for (guint i = 1; ok && i < wl_param_list_length (pairs); i++)
        wl_param_list_set (P->node_defaults, wl_param_list_key (pairs, i),
                           wl_param_list_value (pairs, i));
      return ok;
    }
  WlParamList *settings = effective_settings (pairs, P->node_defaults);
  g_ptr_array_add (P->conf->param_lists, settings);
  gboolean ok = node_attrs_parse (P, settings, loc, &a, error)
                && node_attrs_finish (P, &a, names, loc, error)
                && add_nodes (P, names, settings, &a, loc, error);
  node_attrs_clear (&a);
  return ok;
}

/* DownNodes=LIST State=... Reason=...  and  NodeSet=NAME Nodes=LIST | Feature=F */
static gboolean
pending_line (Parser *P, const WlParamList *pairs, const WlConfLoc *loc, gboolean nodeset,
              GError **error)
{
  Pending p = { .state = WL_NODE_STATE_DOWN, .loc = *loc };
  if (nodeset)
    p.name = g_strdup (wl_param_list_value (pairs, 0));
  else
    p.expr = g_strdup (wl_param_list_value (pairs, 0));
  for (guint i = 1; i < wl_param_list_length (pairs); i++)
    {
      const char *k = wl_param_list_key (pairs, i), *v = wl_param_list_value (pairs, i);
      guint s;
      if (!nodeset && g_ascii_strcasecmp (k, "State") == 0)
        {
          if (!get_enum (k, v, loc, node_state_names, G_N_ELEMENTS (node_state_names), &s,
                         error))
            goto bad;
          p.state = s;
        }
      else if (!nodeset && g_ascii_strcasecmp (k, "Reason") == 0)
        g_free (p.reason), p.reason = g_strdup (v);
      else if (nodeset && g_ascii_strcasecmp (k, "Nodes") == 0)
        g_free (p.expr), p.expr = g_strdup (v);
      else if (nodeset && (g_ascii_strcasecmp (k, "Feature") == 0
                           || g_ascii_strcasecmp (k, "Features") == 0))
        g_free (p.feature), p.feature = g_strdup (v);
      else
        warn_unknown (P, loc, k);
    }
  GError *inner = NULL;
  guint64 count;
  if (p.expr && !wl_hostlist_count (p.expr, &count, &inner))
    {
      fail_value (error, inner, loc, nodeset ? "Nodes" : "DownNodes");
      goto bad;
    }
  if (nodeset && p.expr == NULL && p.feature == NULL)
    {
      fail (error, WL_ERROR_MALFORMED, loc, "NodeSet=%s: expected Nodes=LIST or Feature=NAME",
            p.name);
      goto bad;
    }
  g_array_append_val (nodeset ? P->nodesets : P->downs, p);
  return TRUE;
bad:
  g_free (p.name), g_free (p.expr), g_free (p.feature), g_free (p.reason);
  return FALSE;
}

/* ---- partitions ------------------------------------------------------------------------ */

static gboolean
parse_oversubscribe (const char *k, const char *v, const WlConfLoc *loc, GError **error)
{
  g_auto (GStrv) f = g_strsplit (v, ":", 2);
  gint64 n;
  gboolean ok = g_ascii_strcasecmp (f[0], "NO") == 0 || g_ascii_strcasecmp (f[0], "EXCLUSIVE") == 0
                ? f[1] == NULL
                : (g_ascii_strcasecmp (f[0], "YES") == 0 || g_ascii_strcasecmp (f[0], "FORCE") == 0)
                  && (f[1] == NULL || wl_parse_int (f[1], 1, G_MAXUINT16, &n, NULL));
  if (!ok)
    return fail (error, WL_ERROR_MALFORMED, loc,
                 "%s: expected NO, EXCLUSIVE, YES[:N] or FORCE[:N], got \"%s\"", k, v);
  return TRUE;
}

static char **
pool_list (WlSlurmConf *c, const char *v, gboolean all_is_null)
{
  if (all_is_null && g_ascii_strcasecmp (v, "ALL") == 0)
    return NULL;
  char **l = split_list (v);
  g_ptr_array_add (c->strvs, l);
  return l;
}

/* Reads the partition keys of `settings` into `p`; values are checked, nodes recorded. */
static gboolean
part_attrs_parse (Parser *P, const WlParamList *settings, const WlConfLoc *loc, WlSlurmPartition *p,
                  char **nodes_expr, GError **error)
{
  WlSlurmConf *c = P->conf;
  p->max_time = WL_TIME_UNLIMITED;
  p->priority_tier = p->priority_job_factor = 1;
  p->oversubscribe = "NO";
  for (guint i = 1; i < wl_param_list_length (settings); i++)
    {
      const char *k = wl_param_list_key (settings, i), *v = wl_param_list_value (settings, i);
      const WlKeyInfo *ki = find_key (wl__slurmconf_partition_keys, k);
      GError *inner = NULL;
      gboolean ok = TRUE, b;
      guint s;
      if (ki == NULL)
        {
          warn_unknown (P, loc, k);
          continue;
        }
      switch (ki->kind)
        {
        case WL_KEY_NODES:
          {
            guint64 count;
            p->all_nodes = g_ascii_strcasecmp (v, "ALL") == 0;
            if (!p->all_nodes && !wl_hostlist_count (v, &count, &inner))
              return fail_value (error, inner, loc, k);
            g_free (*nodes_expr);
            *nodes_expr = p->all_nodes ? NULL : g_strdup (v);
          }
          break;
        case WL_KEY_DEFAULT:
          if (!wl_parse_slurm_bool (v, &b, &inner))
            return fail_value (error, inner, loc, k);
          p->is_default = b;
          break;
        case WL_KEY_BOOL:
          if (!wl_parse_slurm_bool (v, &b, &inner))
            return fail_value (error, inner, loc, k);
          break;
        case WL_KEY_MAX_TIME:
        case WL_KEY_DEFAULT_TIME:
          if (!wl_parse_slurm_time_minutes (v, ki->kind == WL_KEY_MAX_TIME ? &p->max_time
                                                                      : &p->default_time,
                                            &inner))
            return fail_value (error, inner, loc, k);
          break;
        case WL_KEY_MAX_NODES: ok = get_u32_or_unlimited (k, v, loc, &p->max_nodes, error); break;
        case WL_KEY_MIN_NODES: ok = get_u32 (k, v, loc, 0, &p->min_nodes, error); break;
        case WL_KEY_INT: ok = get_u32_or_unlimited (k, v, loc, &s, error); break;
        case WL_KEY_PRIORITY_TIER: ok = get_u32 (k, v, loc, 0, &p->priority_tier, error); break;
        case WL_KEY_PRIORITY_JOB_FACTOR:
          ok = get_u32 (k, v, loc, 0, &p->priority_job_factor, error);
          break;
        case WL_KEY_PART_STATE:
          ok = get_enum (k, v, loc, part_state_names, G_N_ELEMENTS (part_state_names), &s,
                         error);
          p->state = s;
          break;
        case WL_KEY_OVERSUBSCRIBE:
          ok = parse_oversubscribe (k, v, loc, error);
          if (ok)
            {
              char *up = g_ascii_strup (v, -1);
              g_ptr_array_add (c->strings, up);
              p->oversubscribe = up;
            }
          break;
        case WL_KEY_ALLOW_ACCOUNTS: p->allow_accounts = pool_list (c, v, TRUE); break;
        case WL_KEY_DENY_ACCOUNTS: p->deny_accounts = pool_list (c, v, FALSE); break;
        case WL_KEY_ALLOW_QOS: p->allow_qos = pool_list (c, v, TRUE); break;
        case WL_KEY_DENY_QOS: p->deny_qos = pool_list (c, v, FALSE); break;
        case WL_KEY_ALLOW_GROUPS: p->allow_groups = pool_list (c, v, TRUE); break;
        case WL_KEY_QOS: p->qos = v; break;
        default:
          break;
        }
      if (!ok)
        return FALSE;
    }
  return TRUE;
}

static gboolean
partition_line (Parser *P, const WlParamList *pairs, const WlConfLoc *loc, GError **error)
{
  WlSlurmConf *c = P->conf;
  const char *name = wl_param_list_value (pairs, 0);
  WlSlurmPartition p = { 0 };
  char *expr = NULL;
  if (g_ascii_strcasecmp (name, "DEFAULT") == 0)
    {
      gboolean ok = part_attrs_parse (P, pairs, loc, &p, &expr, error);
      g_free (expr);
      for (guint i = 1; ok && i < wl_param_list_length (pairs); i++)
        wl_param_list_set (P->part_defaults, wl_param_list_key (pairs, i),
                           wl_param_list_value (pairs, i));
      return ok;
    }
  gint prev = wl_slurmconf_find_partition (c, name);
  if (prev >= 0)
    {
      const WlSlurmPartition *o = &g_array_index (c->parts, WlSlurmPartition, prev);
      return fail (error, WL_ERROR_MALFORMED, loc, "partition \"%s\" is already defined at %s:%u",
                   name, o->file, o->line);
    }
  WlParamList *settings = effective_settings (pairs, P->part_defaults);
  g_ptr_array_add (c->param_lists, settings);
  if (!part_attrs_parse (P, settings, loc, &p, &expr, error))
    {
      g_free (expr);
      return FALSE;
    }
  p.name = g_strdup (name);
  p.settings = settings;
  p.file = loc->file;
  p.line = loc->line;
  g_array_append_val (c->parts, p);
  g_ptr_array_add (P->part_exprs, expr);
  return TRUE;
}

/* ---- globals --------------------------------------------------------------------------- */

static gboolean
check_global (Parser *P, const char *k, const char *v, const WlConfLoc *loc, GError **error)
{
  const WlKeyInfo *ki = find_key (wl__slurmconf_global_keys, k);
  GError *inner = NULL;
  gint64 x;
  gboolean b;
  if (ki == NULL)
    {
      warn_unknown (P, loc, k);
      return TRUE;
    }
  switch (ki->kind)
    {
    case WL_KEY_INT:
      if (!wl_parse_int (v, 0, G_MAXUINT32, &x, &inner))
        return fail_value (error, inner, loc, k);
      return TRUE;
    case WL_KEY_PORT:
      {
        g_auto (GStrv) f = g_strsplit (v, "-", 2);
        gint64 y = 0;
        if (!wl_parse_int (f[0], 1, 65535, &x, NULL)
            || (f[1] && (!wl_parse_int (f[1], 1, 65535, &y, NULL) || y < x)))
          return fail (error, WL_ERROR_MALFORMED, loc,
                       "%s: expected a port or a range of ports (6817-6820), got \"%s\"", k, v);
        return TRUE;
      }
    case WL_KEY_TIME:
      if (!wl_parse_slurm_time (v, &x, &inner))
        return fail_value (error, inner, loc, k);
      return TRUE;
    case WL_KEY_BOOL:
      if (!wl_parse_slurm_bool (v, &b, &inner))
        return fail_value (error, inner, loc, k);
      return TRUE;
    case WL_KEY_RESET_PERIOD:
      {
        static const char *const periods[] = {
          "NONE", "NOW", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY",
        };
        guint s;
        return get_enum (k, v, loc, periods, G_N_ELEMENTS (periods), &s, error);
      }
    case WL_KEY_SCHED_PARAMS:
      {
        g_autoptr (WlParamList) l = wl_param_list_parse (v, &inner);
        if (l == NULL || !wl_sched_params_check (l, &inner))
          return fail_value (error, inner, loc, k);
        wl_param_list_free (P->conf->sched_params);
        P->conf->sched_params = g_steal_pointer (&l);
        return TRUE;
      }
    default:
      return TRUE;
    }
}

/* ---- lines and files ------------------------------------------------------------------- */

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '.';
}

/* Splits "Key=Value Key2=\"a b\"" into `out`. */
static gboolean
split_pairs (const char *s, const WlConfLoc *loc, WlParamList *out, GError **error)
{
  const char *p = s;
  for (;;)
    {
      while (g_ascii_isspace (*p))
        p++;
      if (*p == '\0')
        return TRUE;
      const char *k = p;
      while (is_key_char (*p))
        p++;
      gsize klen = (gsize) (p - k);
      while (*p == ' ' || *p == '\t')
        p++;
      if (klen == 0 || *p != '=')
        {
          const char *e = k;
          while (*e && !g_ascii_isspace (*e))
            e++;
          return fail (error, WL_ERROR_MALFORMED, loc, "expected Key=Value, found \"%.*s\"",
                       (int) (e - k), k);
        }
      g_autofree char *key = g_strndup (k, klen);
      p++;
      while (*p == ' ' || *p == '\t')
        p++;
      g_autofree char *value = NULL;
      if (*p == '"')
        {
          const char *q = strchr (p + 1, '"');
          if (q == NULL)
            return fail (error, WL_ERROR_MALFORMED, loc, "%s: unterminated quote", key);
          value = g_strndup (p + 1, (gsize) (q - p - 1));
          p = q + 1;
          if (*p && !g_ascii_isspace (*p))
            return fail (error, WL_ERROR_MALFORMED, loc,
                         "%s: expected a blank after the closing quote", key);
        }
      else
        {
          const char *v = p;
          while (*p && !g_ascii_isspace (*p))
            p++;
          if (p == v)
            return fail (error, WL_ERROR_MALFORMED, loc, "%s: expected a value after '='",
                         key);
          value = g_strndup (v, (gsize) (p - v));
        }
      wl_param_list_add (out, key, value);
    }
}

static gboolean parse_text (Parser *P, const char *text, gsize len, const char *name,
                            guint depth, GError **error);

static gboolean
include_file (Parser *P, const char *arg, const WlConfLoc *loc, guint depth, GError **error)
{
  g_autofree char *path = g_strstrip (g_strdup (arg));
  gsize n = strlen (path);
  if (n >= 2 && path[0] == '"' && path[n - 1] == '"')
    {
      memmove (path, path + 1, n - 2);
      path[n - 2] = '\0';
    }
  if (*path == '\0')
    return fail (error, WL_ERROR_MALFORMED, loc, "Include: expected a file name");
  if (depth + 1 >= WL_SLURMCONF_MAX_DEPTH)
    return fail (error, WL_ERROR_MALFORMED, loc,
                 "Include %s: more than %d nested Include levels (an Include loop?)", path,
                 WL_SLURMCONF_MAX_DEPTH);
  g_autofree char *full = NULL;
  if (g_path_is_absolute (path))
    full = g_strdup (path);
  else
    {
      g_autofree char *dir = g_path_get_dirname (loc->file);
      full = g_build_filename (dir, path, NULL);
    }
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) inner = NULL;
  if (!g_file_get_contents (full, &text, &len, &inner))
    return fail (error, WL_ERROR_IO, loc, "Include %s: %s", path, inner->message);
  return parse_text (P, text, len, full, depth + 1, error);
}

static gboolean
process_line (Parser *P, const char *line, const WlConfLoc *loc, guint depth, GError **error)
{
  while (g_ascii_isspace (*line))
    line++;
  if (*line == '\0')
    return TRUE;
  if (g_ascii_strncasecmp (line, "include", 7) == 0 && g_ascii_isspace (line[7]))
    return include_file (P, line + 8, loc, depth, error);
  g_autoptr (WlParamList) pairs = wl_param_list_new ();
  if (!split_pairs (line, loc, pairs, error))
    return FALSE;
  const char *first = wl_param_list_key (pairs, 0);
  if (g_ascii_strcasecmp (first, "NodeName") == 0)
    return node_line (P, pairs, loc, error);
  if (g_ascii_strcasecmp (first, "PartitionName") == 0)
    return partition_line (P, pairs, loc, error);
  if (g_ascii_strcasecmp (first, "DownNodes") == 0)
    return pending_line (P, pairs, loc, FALSE, error);
  if (g_ascii_strcasecmp (first, "NodeSet") == 0)
    return pending_line (P, pairs, loc, TRUE, error);
  for (guint i = 0; i < wl_param_list_length (pairs); i++)
    {
      const char *k = wl_param_list_key (pairs, i), *v = wl_param_list_value (pairs, i);
      if (!check_global (P, k, v, loc, error))
        return FALSE;
      wl_param_list_add (P->conf->globals, k, v);
      g_array_append_val (P->conf->global_locs, *loc);
    }
  return TRUE;
}

/* Removes a comment ('#' not escaped as "\#", which becomes '#') from `s` in place. */
static void
strip_comment (GString *s, gsize from)
{
  for (gsize i = from; i < s->len; i++)
    {
      if (s->str[i] != '#')
        continue;
      if (i > from && s->str[i - 1] == '\\')
        {
          g_string_erase (s, (gssize) i - 1, 1);
          i--;
          continue;
        }
      g_string_truncate (s, i);
      return;
    }
}

/* TRUE when `s` ends (blanks aside) in an odd number of backslashes; the last one and the
 * blanks after it are then removed. */
static gboolean
strip_continuation (GString *s, gsize from)
{
  gsize end = s->len;
  while (end > from && (s->str[end - 1] == ' ' || s->str[end - 1] == '\t'))
    end--;
  gsize bs = 0;
  while (end - bs > from && s->str[end - bs - 1] == '\\')
    bs++;
  if (bs % 2 == 0)
    return FALSE;
  g_string_truncate (s, end - 1);
  return TRUE;
}

static gboolean
parse_text (Parser *P, const char *text, gsize len, const char *name, guint depth,
            GError **error)
{
  char *file = g_strdup (name);
  g_ptr_array_add (P->conf->files, file);
  const char *p = text, *end = text + len;
  if (len >= 3 && memcmp (p, "\xEF\xBB\xBF", 3) == 0)
    p += 3;
  g_autoptr (GString) buf = g_string_new (NULL);
  guint lineno = 0, first = 0;
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *e = nl ? nl : end;
      lineno++;
      if (buf->len == 0)
        first = lineno;
      gsize from = buf->len;
      g_string_append_len (buf, p, (gssize) (e - p));
      if (buf->len > from && buf->str[buf->len - 1] == '\r')
        g_string_truncate (buf, buf->len - 1);
      if (memchr (buf->str + from, '\0', buf->len - from))
        {
          WlConfLoc l = { file, lineno };
          return fail (error, WL_ERROR_MALFORMED, &l, "unexpected NUL byte");
        }
      strip_comment (buf, from);
      p = nl ? nl + 1 : end;
      if (strip_continuation (buf, from) && p < end)
        continue;
      WlConfLoc loc = { file, first };
      if (!process_line (P, buf->str, &loc, depth, error))
        return FALSE;
      g_string_truncate (buf, 0);
    }
  return TRUE;
}

/* ---- resolution of names --------------------------------------------------------------- */

/* Appends to `out` the nodes of hostlist `expr`: node names and node set names. */
static gboolean
resolve_names (Parser *P, GHashTable *sets, const char *expr, const WlConfLoc *loc,
               const char *what, GArray *out, GError **error)
{
  WlSlurmConf *c = P->conf;
  GError *inner = NULL;
  g_autoptr (GPtrArray) hosts = wl_hostlist_expand (expr, &inner);
  if (hosts == NULL)
    return fail_value (error, inner, loc, what);
  for (guint i = 0; i < hosts->len; i++)
    {
      const char *h = g_ptr_array_index (hosts, i);
      GArray *set = sets ? g_hash_table_lookup (sets, h) : NULL;
      gpointer idx = g_hash_table_lookup (c->node_index, h);
      if (set)
        g_array_append_vals (out, set->data, set->len);
      else if (idx)
        {
          guint32 n = GPOINTER_TO_UINT (idx) - 1;
          g_array_append_val (out, n);
        }
      else
        return fail (error, WL_ERROR_MALFORMED, loc, "%s: node \"%s\" is not defined", what, h);
    }
  return TRUE;
}

static gboolean
finish (Parser *P, GError **error)
{
  WlSlurmConf *c = P->conf;
  g_autoptr (GHashTable) sets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                       (GDestroyNotify) g_array_unref);
  for (guint i = 0; i < P->nodesets->len; i++)
    {
      const Pending *s = &g_array_index (P->nodesets, Pending, i);
      GArray *nodes = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_replace (sets, s->name, nodes);
      g_autofree char *what = g_strdup_printf ("NodeSet=%s", s->name);
      if (s->expr && !resolve_names (P, NULL, s->expr, &s->loc, what, nodes, error))
        return FALSE;
      for (guint32 n = 0; s->feature && n < c->nodes->len; n++)
        if (g_strv_contains (
              (const char *const *) g_array_index (c->nodes, WlSlurmNode, n).features,
              s->feature))
          g_array_append_val (nodes, n);
    }
  g_autoptr (GArray) nodes = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < P->downs->len; i++)
    {
      const Pending *d = &g_array_index (P->downs, Pending, i);
      g_array_set_size (nodes, 0);
      if (!resolve_names (P, NULL, d->expr, &d->loc, "DownNodes", nodes, error))
        return FALSE;
      char *reason = NULL;
      if (d->reason)
        g_ptr_array_add (c->strings, reason = g_strdup (d->reason));
      for (guint j = 0; j < nodes->len; j++)
        {
          guint32 k = g_array_index (nodes, guint32, j);
          WlSlurmNode *n = &g_array_index (c->nodes, WlSlurmNode, k);
          n->state = d->state;
          if (reason)
            n->reason = reason;
        }
    }
  g_autofree guint8 *seen = g_new0 (guint8, c->nodes->len);
  for (guint i = 0; i < c->parts->len; i++)
    {
      WlSlurmPartition *p = &g_array_index (c->parts, WlSlurmPartition, i);
      const char *expr = g_ptr_array_index (P->part_exprs, i);
      g_array_set_size (nodes, 0);
      if (p->all_nodes)
        for (guint32 n = 0; n < c->nodes->len; n++)
          g_array_append_val (nodes, n);
      else if (expr)
        {
          g_autofree char *what = g_strdup_printf ("PartitionName=%s Nodes", p->name);
          WlConfLoc loc = { p->file, p->line };
          if (!resolve_names (P, sets, expr, &loc, what, nodes, error))
            return FALSE;
        }
      guint32 *list = g_new (guint32, MAX (nodes->len, 1));
      guint m = 0;
      for (guint j = 0; j < nodes->len; j++)
        {
          guint32 n = g_array_index (nodes, guint32, j);
          if (!seen[n])
            seen[n] = 1, list[m++] = n;
        }
      for (guint j = 0; j < m; j++)
        seen[list[j]] = 0;
      p->nodes = list;
      p->n_nodes = m;
      if (p->is_default)
        {
          if (c->default_part >= 0)
            {
              WlConfLoc loc = { p->file, p->line };
              warn (P, &loc, "partitions \"%s\" and \"%s\" both say Default=YES; the last "
                    "one, \"%s\", is the default, as in Slurm",
                    g_array_index (c->parts, WlSlurmPartition, c->default_part).name, p->name,
                    p->name);
            }
          c->default_part = (gint) i;
        }
    }
  for (guint i = 0; i < c->parts->len; i++)
    g_array_index (c->parts, WlSlurmPartition, i).is_default = (gint) i == c->default_part;
  return TRUE;
}

/* ---- public ---------------------------------------------------------------------------- */

static void
pending_clear (gpointer x)
{
  Pending *p = x;
  g_free (p->expr);
  g_free (p->feature);
  g_free (p->name);
  g_free (p->reason);
}

static void
gres_array_unref (gpointer a)
{
  g_array_unref (a);
}

static WlSlurmConf *
conf_new (void)
{
  WlSlurmConf *c = g_new0 (WlSlurmConf, 1);
  c->nodes = g_array_new (FALSE, FALSE, sizeof (WlSlurmNode));
  c->node_index = g_hash_table_new (g_str_hash, g_str_equal);
  c->parts = g_array_new (FALSE, FALSE, sizeof (WlSlurmPartition));
  c->default_part = -1;
  c->globals = wl_param_list_new ();
  c->global_locs = g_array_new (FALSE, FALSE, sizeof (WlConfLoc));
  c->sched_params = wl_param_list_new ();
  c->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (c->warnings, NULL);
  c->files = g_ptr_array_new_with_free_func (g_free);
  c->param_lists = g_ptr_array_new_with_free_func ((GDestroyNotify) wl_param_list_free);
  c->gres_arrays = g_ptr_array_new_with_free_func (gres_array_unref);
  c->strvs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->strings = g_ptr_array_new_with_free_func (g_free);
  return c;
}

void
wl_slurmconf_free (WlSlurmConf *c)
{
  if (c == NULL)
    return;
  for (guint i = 0; i < c->nodes->len; i++)
    g_free (g_array_index (c->nodes, WlSlurmNode, i).name);
  for (guint i = 0; i < c->parts->len; i++)
    {
      WlSlurmPartition *p = &g_array_index (c->parts, WlSlurmPartition, i);
      g_free (p->name);
      g_free ((guint32 *) p->nodes);
    }
  g_array_unref (c->nodes);
  g_hash_table_unref (c->node_index);
  g_array_unref (c->parts);
  wl_param_list_free (c->globals);
  g_array_unref (c->global_locs);
  wl_param_list_free (c->sched_params);
  g_ptr_array_unref (c->warnings);
  g_ptr_array_unref (c->files);
  g_ptr_array_unref (c->param_lists);
  g_ptr_array_unref (c->gres_arrays);
  g_ptr_array_unref (c->strvs);
  g_ptr_array_unref (c->strings);
  g_free (c);
}

WlSlurmConf *
wl_slurmconf_parse (const char *text, gssize len, const char *name,
                    const WlSlurmConfOptions *opts, GError **error)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  g_autoptr (WlSlurmConf) conf = conf_new ();
  Parser P = {
    .conf = conf, .opts = opts,
    .warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL),
    .node_defaults = wl_param_list_new (), .part_defaults = wl_param_list_new (),
    .part_exprs = g_ptr_array_new_with_free_func (g_free),
    .downs = g_array_new (FALSE, FALSE, sizeof (Pending)),
    .nodesets = g_array_new (FALSE, FALSE, sizeof (Pending)),
  };
  g_array_set_clear_func (P.downs, pending_clear);
  g_array_set_clear_func (P.nodesets, pending_clear);
  gboolean ok = parse_text (&P, text, len < 0 ? strlen (text) : (gsize) len,
                            name ? name : "<string>", 0, error)
                && finish (&P, error);
  g_hash_table_unref (P.warned);
  wl_param_list_free (P.node_defaults);
  wl_param_list_free (P.part_defaults);
  g_ptr_array_unref (P.part_exprs);
  g_array_unref (P.downs);
  g_array_unref (P.nodesets);
  return ok ? g_steal_pointer (&conf) : NULL;
}

WlSlurmConf *
wl_slurmconf_load (const char *path, const WlSlurmConfOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr (GError) inner = NULL;
  if (!g_file_get_contents (path, &text, &len, &inner))
    {
      g_set_error (error, WL_ERROR, WL_ERROR_IO, "%s", inner->message);
      return NULL;
    }
  return wl_slurmconf_parse (text, (gssize) len, path, opts, error);
}
