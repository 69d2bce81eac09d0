/* SPDX-License-Identifier: MIT */
/* workloads/slurmconf-query.c - reading a loaded slurm.conf back, and building the cluster.
 *
 * Accessors hand out the records and pooled strings the conf owns.  Global keys are an
 * ordered WlParamList with a parallel array of locations, so that the typed getters can say
 * where a bad value was written; the values of the common keys were checked at load, which
 * is why their getters (priority, scheduler type...) cannot fail.  Building a SchedCluster
 * is one pass over the nodes and one over the partitions: O(nodes). */
#include "workloads/slurmconf-private.h"

#include <string.h>

guint
wl_slurmconf_n_nodes (const WlSlurmConf *c)
{
  g_return_val_if_fail (c != NULL, 0);
  return c->nodes->len;
}

guint
wl_slurmconf_n_partitions (const WlSlurmConf *c)
{
  g_return_val_if_fail (c != NULL, 0);
  return c->parts->len;
}

const WlSlurmNode *
wl_slurmconf_node (const WlSlurmConf *c, guint i)
{
  g_return_val_if_fail (c != NULL && i < c->nodes->len, NULL);
  return &g_array_index (c->nodes, WlSlurmNode, i);
}

const WlSlurmPartition *
wl_slurmconf_partition (const WlSlurmConf *c, guint i)
{
  g_return_val_if_fail (c != NULL && i < c->parts->len, NULL);
  return &g_array_index (c->parts, WlSlurmPartition, i);
}

gint
wl_slurmconf_find_node (const WlSlurmConf *c, const char *name)
{
  g_return_val_if_fail (c != NULL && name != NULL, -1);
  return (gint) GPOINTER_TO_UINT (g_hash_table_lookup (c->node_index, name)) - 1;
}

gint
wl_slurmconf_find_partition (const WlSlurmConf *c, const char *name)
{
  g_return_val_if_fail (c != NULL && name != NULL, -1);
  for (guint i = 0; i < c->parts->len; i++)
    if (strcmp (g_array_index (c->parts, WlSlurmPartition, i).name, name) == 0)
      return (gint) i;
  return -1;
}

gint
wl_slurmconf_default_partition (const WlSlurmConf *c)
{
  g_return_val_if_fail (c != NULL, -1);
  return c->default_part;
}

const WlParamList *
wl_slurmconf_globals (const WlSlurmConf *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->globals;
}

const char *
wl_slurmconf_get (const WlSlurmConf *c, const char *key)
{
  const char *v = NULL;
  g_return_val_if_fail (c != NULL && key != NULL, NULL);
  return wl_param_list_lookup (c->globals, key, &v) ? v : NULL;
}

const char **
wl_slurmconf_get_all (const WlSlurmConf *c, const char *key)
{
  g_return_val_if_fail (c != NULL && key != NULL, NULL);
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < wl_param_list_length (c->globals); i++)
    if (g_ascii_strcasecmp (wl_param_list_key (c->globals, i), key) == 0)
      g_ptr_array_add (out, (gpointer) wl_param_list_value (c->globals, i));
  g_ptr_array_add (out, NULL);
  return (const char **) g_ptr_array_free (out, FALSE);
}

gboolean
wl_slurmconf_get_location (const WlSlurmConf *c, const char *key, const char **file,
                           guint *line)
{
  g_return_val_if_fail (c != NULL && key != NULL, FALSE);
  gint i = wl_param_list_find (c->globals, key);
  if (i < 0)
    return FALSE;
  const WlConfLoc *l = &g_array_index (c->global_locs, WlConfLoc, i);
  if (file)
    *file = l->file;
  if (line)
    *line = l->line;
  return TRUE;
}

/* Shared by the typed getters: finds `key`, parses it with `parse`, prefixes errors. */
static gboolean
get_typed (const WlSlurmConf *c, const char *key, gboolean (*parse) (const char *, gpointer,
                                                                     GError **),
           gpointer out, GError **error)
{
  g_return_val_if_fail (c != NULL && key != NULL && out != NULL, FALSE);
  gint i = wl_param_list_find (c->globals, key);
  if (i < 0)
    return TRUE;
  GError *inner = NULL;
  if (parse (wl_param_list_value (c->globals, (guint) i), out, &inner))
    return TRUE;
  const WlConfLoc *l = &g_array_index (c->global_locs, WlConfLoc, i);
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s:%u: %s: %s", l->file, l->line,
               wl_param_list_key (c->globals, (guint) i), inner->message);
  g_error_free (inner);
  return FALSE;
}

static gboolean
parse_int_any (const char *s, gpointer out, GError **error)
{
  return wl_parse_int (s, G_MININT64, G_MAXINT64, out, error);
}

static gboolean
parse_time_any (const char *s, gpointer out, GError **error)
{
  return wl_parse_slurm_time (s, out, error);
}

static gboolean
parse_bool_any (const char *s, gpointer out, GError **error)
{
  return wl_parse_slurm_bool (s, out, error);
}

gboolean
wl_slurmconf_get_int (const WlSlurmConf *c, const char *key, gint64 *out, GError **error)
{
  return get_typed (c, key, parse_int_any, out, error);
}

gboolean
wl_slurmconf_get_time (const WlSlurmConf *c, const char *key, gint64 *out, GError **error)
{
  return get_typed (c, key, parse_time_any, out, error);
}

gboolean
wl_slurmconf_get_bool (const WlSlurmConf *c, const char *key, gboolean *out, GError **error)
{
  return get_typed (c, key, parse_bool_any, out, error);
}

static const char *
get_or (const WlSlurmConf *c, const char *key, const char *dflt)
{
  const char *v = wl_slurmconf_get (c, key);
  return v ? v : dflt;
}

const char *
wl_slurmconf_cluster_name (const WlSlurmConf *c)
{
  return get_or (c, "ClusterName", NULL);
}

const char *
wl_slurmconf_scheduler_type (const WlSlurmConf *c)
{
  return get_or (c, "SchedulerType", "sched/backfill");
}

const char *
wl_slurmconf_select_type (const WlSlurmConf *c)
{
  return get_or (c, "SelectType", "select/cons_tres");
}

const char *
wl_slurmconf_priority_type (const WlSlurmConf *c)
{
  return get_or (c, "PriorityType", "priority/basic");
}

const WlParamList *
wl_slurmconf_sched_params (const WlSlurmConf *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->sched_params;
}

static guint32
weight (const WlSlurmConf *c, const char *key)
{
  gint64 v = 0;
  wl_slurmconf_get_int (c, key, &v, NULL);          /* checked at load */
  return (guint32) CLAMP (v, 0, G_MAXUINT32);
}

static SchedTime
minutes (const WlSlurmConf *c, const char *key, SchedTime dflt)
{
  const char *v = wl_slurmconf_get (c, key);
  gint64 s = dflt;
  if (v)
    wl_parse_slurm_time_minutes (v, &s, NULL);      /* checked at load */
  return s;
}

void
wl_slurmconf_priority (const WlSlurmConf *c, WlSlurmPriority *out)
{
  g_return_if_fail (c != NULL && out != NULL);
  memset (out, 0, sizeof *out);
  out->weight_age = weight (c, "PriorityWeightAge");
  out->weight_assoc = weight (c, "PriorityWeightAssoc");
  out->weight_fairshare = weight (c, "PriorityWeightFairshare");
  out->weight_job_size = weight (c, "PriorityWeightJobSize");
  out->weight_partition = weight (c, "PriorityWeightPartition");
  out->weight_qos = weight (c, "PriorityWeightQOS");
  out->weight_tres = wl_slurmconf_get (c, "PriorityWeightTRES");
  out->decay_half_life = minutes (c, "PriorityDecayHalfLife", 7 * 86400);
  out->max_age = minutes (c, "PriorityMaxAge", 7 * 86400);
  out->calc_period = minutes (c, "PriorityCalcPeriod", 5 * 60);
  wl_slurmconf_get_bool (c, "PriorityFavorSmall", &out->favor_small, NULL);
  out->usage_reset_period = "NONE";
  const char *v = wl_slurmconf_get (c, "PriorityUsageResetPeriod");
  static const char *const periods[] = {
    "NONE", "NOW", "DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY",
  };
  for (guint i = 0; v && i < G_N_ELEMENTS (periods); i++)
    if (g_ascii_strcasecmp (v, periods[i]) == 0)
      out->usage_reset_period = periods[i];
  out->flags = wl_slurmconf_get (c, "PriorityFlags");
}

const char *const *
wl_slurmconf_warnings (const WlSlurmConf *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return (const char *const *) c->warnings->pdata;
}

SchedCluster *
wl_slurmconf_build_cluster (const WlSlurmConf *c, GError **error)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (c->nodes->len == 0)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                   "%s: no NodeName line: the cluster has no nodes",
                   c->files->len ? (const char *) g_ptr_array_index (c->files, 0) : "slurm.conf");
      return NULL;
    }
  g_autoptr (SchedCluster) cluster = sched_cluster_new ();
  for (guint i = 0; i < c->nodes->len; i++)
    {
      const WlSlurmNode *n = &g_array_index (c->nodes, WlSlurmNode, i);
      guint32 type = sched_cluster_intern_gpu_type (cluster, n->gpu_type);
      guint32 idx = sched_cluster_add_node (cluster, n->name, n->cpus, n->real_memory_mb,
                                            n->gpus, type);
      sched_cluster_set_node_weight (cluster, idx, n->weight);
      sched_cluster_set_node_features (cluster, idx, (const char *const *) n->features);
    }
  for (guint i = 0; i < c->parts->len; i++)
    {
      const WlSlurmPartition *p = &g_array_index (c->parts, WlSlurmPartition, i);
      SchedTime dflt = p->default_time == WL_TIME_UNLIMITED ? 0 : p->default_time;
      gint32 idx = sched_cluster_add_partition (cluster, p->name, p->nodes, p->n_nodes, dflt,
                                                p->max_time, p->max_nodes, p->is_default);
      sched_cluster_set_partition_priority (cluster, idx, p->priority_tier,
                                            p->priority_job_factor);
      sched_cluster_set_partition_access (cluster, idx,
                                          (const char *const *) p->allow_accounts,
                                          (const char *const *) p->allow_qos);
    }
  if (c->parts->len == 0)
    {
      g_autofree guint32 *all = g_new (guint32, c->nodes->len);
      for (guint32 i = 0; i < c->nodes->len; i++)
        all[i] = i;
      sched_cluster_add_partition (cluster, "all", all, c->nodes->len, 0, SCHED_TIME_NEVER, 0,
                                   TRUE);
    }
  return g_steal_pointer (&cluster);
}

gboolean
wl_slurmconf_apply_limits (const WlSlurmConf *c, const SchedCluster *cluster,
                           SchedLimits *limits, GError **error)
{
  g_return_val_if_fail (c != NULL && cluster != NULL && limits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  /* every name is checked before anything is set, so a failure changes nothing */
  g_autofree SchedQosId *qos = g_new0 (SchedQosId, c->parts->len + 1);
  for (guint i = 0; i < c->parts->len; i++)
    {
      const WlSlurmPartition *p = &g_array_index (c->parts, WlSlurmPartition, i);
      if (p->qos == NULL || *p->qos == '\0')
        continue;
      qos[i] = sched_limits_find_qos (limits, p->qos);
      if (qos[i] == SCHED_QOS_INVALID)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "%s:%u: PartitionName=%s: QOS=%s: unknown qos (QOS are defined in the "
                       "assoc file)", p->file, p->line, p->name, p->qos);
          return FALSE;
        }
    }
  for (guint i = 0; i < c->parts->len; i++)
    {
      const WlSlurmPartition *p = &g_array_index (c->parts, WlSlurmPartition, i);
      gint32 part = sched_cluster_find_partition (cluster, p->name);
      if (part < 0 || (qos[i] == SCHED_QOS_DEFAULT && p->deny_accounts == NULL
                       && p->deny_qos == NULL))
        continue;
      sched_limits_set_partition (limits, part, qos[i],
                                  (const char *const *) p->deny_accounts,
                                  (const char *const *) p->deny_qos);
    }
  return TRUE;
}
