/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-machinelist.c - libFuzzer harness for node list CSV files
 * (wl_machine_list_load, workloads/open.h: the Philly and Alibaba machine lists, a JSON
 * trace's "node_list").
 *
 * The loader takes a path, so each input is written to one temporary file first.  On
 * success the cluster must hold at least one node, each with at least one CPU, all in its
 * one default partition. */
#include <glib/gstdio.h>
#include <unistd.h>
#include "fuzz/fuzz-common.h"
#include "workloads/open.h"

static char *list_path;   /* the temporary file, removed at exit */

static void
remove_list (void)
{
  g_unlink (list_path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  if (list_path == NULL)
    {
      int fd = g_file_open_tmp ("sluice-fuzz-XXXXXX.csv", &list_path, &error);
      g_assert_no_error (error);
      close (fd);
      atexit (remove_list);
    }
  if (!g_file_set_contents (list_path, (const char *) data, (gssize) size, &error))
    g_error ("%s: %s", list_path, error->message);

  SchedCluster *cluster = wl_machine_list_load (list_path, &error);
  if (cluster == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  guint32 n = sched_cluster_n_nodes (cluster);
  g_assert_cmpuint (n, >=, 1);
  for (guint32 i = 0; i < n; i++)
    g_assert_cmpuint (sched_cluster_node (cluster, i)->cpus, >=, 1);
  g_assert_cmpuint (sched_cluster_n_partitions (cluster), ==, 1);
  g_assert_cmpint (sched_cluster_default_partition (cluster), ==, 0);
  sched_cluster_free (cluster);
  return 0;
}
