/* SPDX-License-Identifier: MIT */
/* sched/cluster.c - the static cluster description: nodes, partitions, GPU type names.
 *
 * Built once, then read-only.  Node and partition names are owned by the cluster; GPU type
 * names are interned into small integers (0 = untyped) so node selection compares ints. */
#include "sched/cluster.h"

#include <string.h>

struct _SchedCluster {
  GArray     *nodes;       /* SchedNodeSpec, names owned */
  GArray     *parts;       /* SchedPartitionSpec, names and node arrays owned */
  GHashTable *node_index;  /* name -> index + 1 */
  GPtrArray  *gpu_types;   /* index -> name; [0] = "" */
  GPtrArray  *features;    /* node index -> GStrv of its features (NULL: none) */
  gint32      default_part;
};

SchedCluster *
sched_cluster_new (void)
{
  SchedCluster *c = g_new0 (SchedCluster, 1);
  c->nodes = g_array_new (FALSE, TRUE, sizeof (SchedNodeSpec));
  c->parts = g_array_new (FALSE, TRUE, sizeof (SchedPartitionSpec));
  c->node_index = g_hash_table_new (g_str_hash, g_str_equal);
  c->gpu_types = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (c->gpu_types, g_strdup (""));
  c->features = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  c->default_part = -1;
  return c;
}

SchedCluster *
sched_cluster_new_uniform (guint32 n, guint32 cpus, guint64 mem_mb, guint32 gpus)
{
  g_return_val_if_fail (n > 0 && cpus > 0, NULL);
  SchedCluster *c = sched_cluster_new ();
  int width = 1;
  for (guint32 v = n; v >= 10; v /= 10)
    width++;
  g_autofree guint32 *all = g_new (guint32, n);
  char name[32];
  for (guint32 i = 0; i < n; i++)
    {
      g_snprintf (name, sizeof name, "n%0*u", width, i + 1);
      all[i] = sched_cluster_add_node (c, name, cpus, mem_mb, gpus, 0);
    }
  sched_cluster_add_partition (c, "all", all, n, 0, SCHED_TIME_NEVER, 0, TRUE);
  return c;
}

void
sched_cluster_free (SchedCluster *c)
{
  if (c == NULL)
    return;
  for (guint i = 0; i < c->nodes->len; i++)
    g_free ((char *) g_array_index (c->nodes, SchedNodeSpec, i).name);
  for (guint i = 0; i < c->parts->len; i++)
    {
      SchedPartitionSpec *p = &g_array_index (c->parts, SchedPartitionSpec, i);
      g_free ((char *) p->name);
      g_free ((guint32 *) p->nodes);
      g_strfreev ((char **) p->allow_accounts);
      g_strfreev ((char **) p->allow_qos);
    }
  g_array_free (c->nodes, TRUE);
  g_array_free (c->parts, TRUE);
  g_hash_table_destroy (c->node_index);
  g_ptr_array_free (c->gpu_types, TRUE);
  g_ptr_array_free (c->features, TRUE);
  g_free (c);
}

guint32
sched_cluster_add_node (SchedCluster *c, const char *name, guint32 cpus, guint64 mem_mb,
                        guint32 gpus, guint32 gpu_type)
{
  g_return_val_if_fail (c != NULL && name != NULL && cpus > 0, 0);
  g_return_val_if_fail (!g_hash_table_contains (c->node_index, name), 0);
  g_return_val_if_fail (gpu_type < c->gpu_types->len, 0);
  SchedNodeSpec n = {
    .name = g_strdup (name), .cpus = cpus, .mem_mb = mem_mb, .gpus = gpus,
    .gpu_type = gpu_type, .weight = 1,
  };
  g_array_append_val (c->nodes, n);
  guint32 idx = c->nodes->len - 1;
  g_hash_table_insert (c->node_index, (char *) n.name, GUINT_TO_POINTER (idx + 1));
  return idx;
}

void
sched_cluster_set_node_features (SchedCluster *c, guint32 node, const char *const *features)
{
  g_return_if_fail (c != NULL && node < c->nodes->len);
  while (c->features->len <= node)
    g_ptr_array_add (c->features, NULL);
  g_strfreev (c->features->pdata[node]);
  c->features->pdata[node] = features && features[0] ? g_strdupv ((char **) features) : NULL;
}

const char *const *
sched_cluster_node_features (const SchedCluster *c, guint32 node)
{
  g_return_val_if_fail (c != NULL, NULL);
  return node < c->features->len ? (const char *const *) c->features->pdata[node] : NULL;
}

void
sched_cluster_set_node_weight (SchedCluster *c, guint32 node, guint32 weight)
{
  g_return_if_fail (c != NULL && node < c->nodes->len);
  g_array_index (c->nodes, SchedNodeSpec, node).weight = weight;
}

static int
cmp_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return (x > y) - (x < y);
}

gint32
sched_cluster_add_partition (SchedCluster *c, const char *name, const guint32 *nodes,
                             guint32 n, SchedTime default_time, SchedTime max_time,
                             guint32 max_nodes, gboolean is_default)
{
  g_return_val_if_fail (c != NULL && name != NULL && (n == 0 || nodes != NULL), -1);
  g_return_val_if_fail (sched_cluster_find_partition (c, name) < 0, -1);
  guint32 *sorted = g_memdup2 (nodes, sizeof (guint32) * n);
  if (n > 1)                     /* g_memdup2 gives NULL for n == 0: not for qsort */
    qsort (sorted, n, sizeof (guint32), cmp_u32);
  guint32 m = 0;
  for (guint32 i = 0; i < n; i++)
    {
      g_return_val_if_fail (sorted[i] < c->nodes->len, (g_free (sorted), -1));
      if (m == 0 || sorted[m - 1] != sorted[i])
        sorted[m++] = sorted[i];
    }
  SchedPartitionSpec p = {
    .name = g_strdup (name), .nodes = sorted, .n_nodes = m, .default_time = default_time,
    .max_time = max_time > 0 ? max_time : SCHED_TIME_NEVER, .max_nodes = max_nodes,
    .is_default = is_default, .up = TRUE, .priority_tier = 1, .priority_job_factor = 1,
  };
  g_array_append_val (c->parts, p);
  gint32 idx = (gint32) c->parts->len - 1;
  if (is_default && (c->default_part < 0
                     || !g_array_index (c->parts, SchedPartitionSpec, c->default_part).is_default))
    c->default_part = idx;
  else if (c->default_part < 0)
    c->default_part = idx;
  return idx;
}

void
sched_cluster_set_partition_priority (SchedCluster *c, gint32 part, guint32 tier,
                                      guint32 job_factor)
{
  g_return_if_fail (c != NULL && part >= 0 && (guint) part < c->parts->len);
  SchedPartitionSpec *p = &g_array_index (c->parts, SchedPartitionSpec, part);
  p->priority_tier = tier;
  p->priority_job_factor = job_factor;
}

void
sched_cluster_set_partition_access (SchedCluster *c, gint32 part,
                                    const char *const *allow_accounts,
                                    const char *const *allow_qos)
{
  g_return_if_fail (c != NULL && part >= 0 && (guint) part < c->parts->len);
  SchedPartitionSpec *p = &g_array_index (c->parts, SchedPartitionSpec, part);
  g_strfreev ((char **) p->allow_accounts);
  g_strfreev ((char **) p->allow_qos);
  p->allow_accounts = (const char *const *) g_strdupv ((char **) allow_accounts);
  p->allow_qos = (const char *const *) g_strdupv ((char **) allow_qos);
}

guint32
sched_cluster_intern_gpu_type (SchedCluster *c, const char *name)
{
  g_return_val_if_fail (c != NULL, 0);
  if (name == NULL || *name == '\0')
    return 0;
  for (guint i = 1; i < c->gpu_types->len; i++)
    if (strcmp (g_ptr_array_index (c->gpu_types, i), name) == 0)
      return i;
  g_ptr_array_add (c->gpu_types, g_strdup (name));
  return c->gpu_types->len - 1;
}

const char *
sched_cluster_gpu_type_name (const SchedCluster *c, guint32 type)
{
  g_return_val_if_fail (c != NULL && type < c->gpu_types->len, NULL);
  return g_ptr_array_index (c->gpu_types, type);
}

guint32
sched_cluster_n_nodes (const SchedCluster *c)
{
  return c->nodes->len;
}

guint32
sched_cluster_n_partitions (const SchedCluster *c)
{
  return c->parts->len;
}

const SchedNodeSpec *
sched_cluster_node (const SchedCluster *c, guint32 node)
{
  g_return_val_if_fail (node < c->nodes->len, NULL);
  return &g_array_index (c->nodes, SchedNodeSpec, node);
}

const SchedPartitionSpec *
sched_cluster_partition (const SchedCluster *c, gint32 part)
{
  g_return_val_if_fail (part >= 0 && (guint) part < c->parts->len, NULL);
  return &g_array_index (c->parts, SchedPartitionSpec, part);
}

gint32
sched_cluster_default_partition (const SchedCluster *c)
{
  return c->default_part;
}

gint32
sched_cluster_find_partition (const SchedCluster *c, const char *name)
{
  for (guint i = 0; i < c->parts->len; i++)
    if (strcmp (g_array_index (c->parts, SchedPartitionSpec, i).name, name) == 0)
      return (gint32) i;
  return -1;
}

gint32
sched_cluster_find_node (const SchedCluster *c, const char *name)
{
  gpointer v = g_hash_table_lookup (c->node_index, name);
  return v ? (gint32) GPOINTER_TO_UINT (v) - 1 : -1;
}

guint64
sched_cluster_total_cpus (const SchedCluster *c)
{
  guint64 t = 0;
  for (guint i = 0; i < c->nodes->len; i++)
    t += g_array_index (c->nodes, SchedNodeSpec, i).cpus;
  return t;
}

guint64
sched_cluster_total_gpus (const SchedCluster *c)
{
  guint64 t = 0;
  for (guint i = 0; i < c->nodes->len; i++)
    t += g_array_index (c->nodes, SchedNodeSpec, i).gpus;
  return t;
}

gboolean
sched_cluster_is_uniform (const SchedCluster *c)
{
  for (guint i = 1; i < c->nodes->len; i++)
    {
      const SchedNodeSpec *a = &g_array_index (c->nodes, SchedNodeSpec, 0);
      const SchedNodeSpec *b = &g_array_index (c->nodes, SchedNodeSpec, i);
      if (a->cpus != b->cpus || a->mem_mb != b->mem_mb || a->gpus != b->gpus
          || a->gpu_type != b->gpu_type)
        return FALSE;
    }
  return TRUE;
}
