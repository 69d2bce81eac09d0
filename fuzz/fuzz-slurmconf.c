/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-slurmconf.c - libFuzzer harness for slurm.conf parsing (workloads/slurmconf.h).
 *
 * The input is a slurm.conf, parsed with wl_slurmconf_parse as if it were
 * <tmp>/slurm.conf, where <tmp> is a fresh folder holding nodes.conf and loop.conf (which
 * includes itself), so that "Include nodes.conf" and Include loops are reached.  Inputs
 * that name "include" and hold a '/' are rejected (returned -1, kept out of the corpus):
 * an Include of an absolute path would read the machine's own files (/dev/zero never
 * ends).  So are inputs whose hostlists may add up to more than MAX_HOSTS hosts: each
 * NodeName expression may give 1,000,000 nodes and a conf any number of them
 * (docs/threat-model.md, "Known limits"), at about 1 KB and 10 us per node here; that is
 * a size, not a bug.  Then every query of the header is run on the result, and
 * wl_slurmconf_build_cluster, checking the cross references: partitions list defined
 * nodes, names find their own entries. */
#include <glib/gstdio.h>
#include <string.h>
#include "fuzz/fuzz-common.h"
#include "workloads/hostlist.h"
#include "workloads/slurmconf.h"

#define MAX_HOSTS 20000

static char *conf_dir;       /* <tmp>: holds nodes.conf, removed at exit */
static char *conf_name;      /* <tmp>/slurm.conf: the name the input is parsed as */
static char *nodes_path;
static char *loop_path;

static const char nodes_conf[] =
  "NodeName=DEFAULT Sockets=2 CoresPerSocket=4 RealMemory=8000\n"
  "NodeName=inc[1-4] Gres=gpu:v100:2 Feature=inc\n"
  "PartitionName=included Nodes=inc[1-4]\n";

static void
remove_conf_dir (void)
{
  g_unlink (nodes_path);
  g_unlink (loop_path);
  g_rmdir (conf_dir);
}

static void
make_conf_dir (void)
{
  g_autoptr (GError) error = NULL;
  conf_dir = g_dir_make_tmp ("sluice-fuzz-XXXXXX", &error);
  g_assert_no_error (error);
  conf_name = g_build_filename (conf_dir, "slurm.conf", NULL);
  nodes_path = g_build_filename (conf_dir, "nodes.conf", NULL);
  loop_path = g_build_filename (conf_dir, "loop.conf", NULL);
  g_file_set_contents (nodes_path, nodes_conf, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (loop_path, "Include loop.conf\n", -1, &error);
  g_assert_no_error (error);
  atexit (remove_conf_dir);
}

static gboolean
names_outside_files (const char *text, gsize len)
{
  gboolean include = FALSE;
  for (gsize i = 0; i + 7 <= len && !include; i++)
    include = g_ascii_strncasecmp (text + i, "include", 7) == 0;
  return include && memchr (text, '/', len) != NULL;
}

/* The hosts the words of `text` name as hostlists, whole and after their first '=', with
 * line continuations joined, quotes dropped and, if `comments`, each '#' not written
 * "\#" ending its line as in slurm.conf. */
static guint64
count_hosts (const char *text, gsize len, gboolean comments)
{
  g_autoptr (GString) joined = g_string_sized_new (len);
  for (gsize i = 0; i < len; i++)
    {
      gsize j = i + 1;
      while (text[i] == '\\' && j < len
             && (text[j] == ' ' || text[j] == '\t' || text[j] == '\r'))
        j++;
      if (text[i] == '\\' && j < len && text[j] == '\n')
        i = j;                       /* a continuation: joined without a blank */
      else if (comments && text[i] == '#' && (i == 0 || text[i - 1] != '\\'))
        while (i + 1 < len && text[i + 1] != '\n')
          i++;
      else if (text[i] != '"')       /* quotes only hold blanks: drop them */
        g_string_append_c (joined, text[i] == '\0' ? ' ' : text[i]);
    }
  g_auto (GStrv) words = g_strsplit_set (joined->str, " \t\r\n", -1);
  guint64 total = 0;
  for (char **w = words; *w != NULL && total <= MAX_HOSTS; w++)
    {
      const char *value = strchr (*w, '=');
      guint64 n = 0;
      if (wl_hostlist_count (*w, &n, NULL))
        total += n;
      if (value != NULL && wl_hostlist_count (value + 1, &n, NULL))
        total += n;
    }
  return total;
}

/* TRUE if `text` may name more than MAX_HOSTS hosts in all (an over-estimate). */
static gboolean
names_many_hosts (const char *text, gsize len)
{
  return count_hosts (text, len, FALSE) > MAX_HOSTS || count_hosts (text, len, TRUE) > MAX_HOSTS;
}

static void
query (const WlSlurmConf *conf)
{
  guint n_nodes = wl_slurmconf_n_nodes (conf);
  guint n_parts = wl_slurmconf_n_partitions (conf);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n_nodes; i++)
    {
      const WlSlurmNode *n = wl_slurmconf_node (conf, i);
      g_assert (n->features != NULL);
      g_assert_cmpint (wl_slurmconf_find_node (conf, n->name), ==, (gint) i);
      for (guint g = 0; g < n->n_gres; g++)
        g_assert (n->gres[g].name != NULL);
      (void) wl_node_state_name (n->state);
    }
  for (guint i = 0; i < n_parts; i++)
    {
      const WlSlurmPartition *p = wl_slurmconf_partition (conf, i);
      g_assert (wl_slurmconf_find_partition (conf, p->name) >= 0);
      for (guint j = 0; j < p->n_nodes; j++)
        g_assert_cmpuint (p->nodes[j], <, n_nodes);
      (void) wl_part_state_name (p->state);
    }
  gint def = wl_slurmconf_default_partition (conf);
  g_assert (def >= -1 && def < (gint) n_parts);

  const WlParamList *globals = wl_slurmconf_globals (conf);
  for (guint i = 0; i < wl_param_list_length (globals); i++)
    {
      const char *key = wl_param_list_key (globals, i);
      g_autofree const char **all = wl_slurmconf_get_all (conf, key);
      g_assert (all != NULL && all[0] != NULL);
      const char *file = NULL;
      guint line = 0;
      g_assert (wl_slurmconf_get_location (conf, key, &file, &line) && file != NULL);
      gint64 v;
      gboolean b;
      if (!wl_slurmconf_get_int (conf, key, &v, &error))
        g_clear_error (&error);
      if (!wl_slurmconf_get_time (conf, key, &v, &error))
        g_clear_error (&error);
      if (!wl_slurmconf_get_bool (conf, key, &b, &error))
        g_clear_error (&error);
    }
  (void) wl_slurmconf_cluster_name (conf);
  g_assert (wl_slurmconf_scheduler_type (conf) != NULL);
  g_assert (wl_slurmconf_select_type (conf) != NULL);
  g_assert (wl_slurmconf_priority_type (conf) != NULL);
  g_assert (wl_slurmconf_sched_params (conf) != NULL);
  WlSlurmPriority prio;
  wl_slurmconf_priority (conf, &prio);
  for (const char *const *w = wl_slurmconf_warnings (conf); *w != NULL; w++)
    g_assert (**w != '\0');

  SchedCluster *cluster = wl_slurmconf_build_cluster (conf, &error);
  if (cluster == NULL)
    {
      g_assert_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED);
      g_assert_cmpuint (n_nodes, ==, 0);
      return;
    }
  g_assert_cmpuint (sched_cluster_n_nodes (cluster), ==, n_nodes);
  gint32 cdef = sched_cluster_default_partition (cluster);
  g_assert (cdef >= 0 && (guint32) cdef < sched_cluster_n_partitions (cluster));
  sched_cluster_free (cluster);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (conf_dir == NULL)
    make_conf_dir ();
  if (names_outside_files ((const char *) data, size)
      || names_many_hosts ((const char *) data, size))
    return -1;

  WlSlurmConfOptions opts = { fuzz_warn_quiet, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (WlSlurmConf) conf =
    wl_slurmconf_parse ((const char *) data, (gssize) size, conf_name, &opts, &error);
  if (conf == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  g_assert_no_error (error);
  query (conf);
  return 0;
}
