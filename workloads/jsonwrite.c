/* SPDX-License-Identifier: MIT */
/* workloads/jsonwrite.c - writing jobs as JSON Lines, so that any trace can be converted.
 *
 * Each job becomes a jansson object built in a fixed key order and dumped compactly (ASCII
 * only), one line per job.  The writer spells out what the reader derived (tasks, the node
 * count, a made-up limit, expanded array tasks, a user's number beside its name), so what
 * it writes reads back to the same spec, run time, end state and extra (jsontrace.h).  A
 * job costs one small object and one dump; nothing is kept between calls. */
#include "workloads/json-private.h"

#include <stdlib.h>
#include <string.h>

static void
set_str (json_t *o, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_new (o, key, json_string (value));
}

static void
set_int (json_t *o, const char *key, gint64 value)
{
  json_object_set_new (o, key, json_integer (value));
}

char *
wl_json_job_to_string (const WlJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  const SchedJobSpec *s = &job->spec;
  const WlJobExtra *e = job->extra;
  json_t *o = json_object ();
  set_int (o, "id", s->id);
  if (e != NULL)
    set_str (o, "name", e->name);
  if (e != NULL && e->user_name != NULL)
    {
      set_str (o, "user", e->user_name);
      set_int (o, "uid", s->user);
    }
  else if (s->user != 0)
    set_int (o, "user", s->user);
  if (e != NULL && e->group_name != NULL)
    {
      set_str (o, "group", e->group_name);
      set_int (o, "gid", s->group);
    }
  else if (s->group != 0)
    set_int (o, "group", s->group);
  if (e != NULL)
    {
      set_str (o, "account", e->account);
      set_str (o, "qos", e->qos);
    }
  if (e != NULL && e->partition != NULL)
    set_str (o, "partition", e->partition);
  else if (s->partition >= 0)
    set_int (o, "partition", s->partition);
  set_int (o, "submit", s->submit);
  if (e != NULL && e->begin != SCHED_TIME_NEVER)
    set_int (o, "begin", e->begin);
  if (e != NULL && e->hold)
    json_object_set_new (o, "hold", json_true ());
  set_int (o, "runtime", job->runtime);
  if (e != NULL && e->time_limit_unlimited)
    set_str (o, "time_limit", "UNLIMITED");
  else
    set_int (o, "time_limit", s->time_limit);
  if (s->estimate > 0)
    set_int (o, "estimate", s->estimate);
  if (s->min_nodes > 0 && s->max_nodes == s->min_nodes)
    set_int (o, "nodes", s->min_nodes);
  else if (s->max_nodes > 0 || s->min_nodes > 0)
    {
      g_autofree char *range = s->max_nodes > 0
          ? g_strdup_printf ("%u-%u", MAX (s->min_nodes, 1), MAX (s->max_nodes, s->min_nodes))
          : g_strdup_printf ("%u-", s->min_nodes);
      set_str (o, "nodes", range);
    }
  set_int (o, "ntasks", s->tasks);
  if (s->tasks_per_node > 0)
    set_int (o, "ntasks_per_node", s->tasks_per_node);
  if (s->cpus_per_task != 1)
    set_int (o, "cpus_per_task", s->cpus_per_task);
  if (e != NULL && e->mem_per_cpu_mb > 0)
    set_int (o, "mem_per_cpu", (gint64) e->mem_per_cpu_mb);
  else if (s->mem_per_node_mb > 0)
    set_int (o, "mem", (gint64) s->mem_per_node_mb);
  if (e != NULL && e->gres != NULL)
    set_str (o, "gres", e->gres);
  else if (e != NULL && e->gpus_per_job > 0)
    set_int (o, "gpus", (gint64) e->gpus_per_job);
  else if (s->gpus_per_node > 0)
    set_int (o, "gpus_per_node", s->gpus_per_node);
  if (e != NULL && e->gpu_type != NULL)
    set_str (o, "gpu_type", e->gpu_type);
  else if (s->gpu_type != 0)
    set_int (o, "gpu_type", s->gpu_type);
  if (e != NULL)
    set_str (o, "features", e->features);
  if (s->exclusive)
    json_object_set_new (o, "exclusive", json_true ());
  if (e != NULL)
    set_str (o, "dependency", e->dependency);
  if (e != NULL && e->array_job_id != 0)
    {
      set_int (o, "array_job_id", e->array_job_id);
      set_int (o, "array_task_id", e->array_task_id);
      if (e->array_task_throttle > 0)
        set_int (o, "array_task_throttle", e->array_task_throttle);
    }
  set_str (o, "state", sched_job_state_name (job->end_state));
  if (e != NULL && e->has_exit_code)
    {
      if (e->exit_signal != 0)
        {
          g_autofree char *ec = g_strdup_printf ("%d:%d", e->exit_code, e->exit_signal);
          set_str (o, "exit_code", ec);
        }
      else
        set_int (o, "exit_code", e->exit_code);
    }
  char *text = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
  json_decref (o);
  char *line = g_strdup (text);
  free (text);
  return line;
}

gboolean
wl_json_write_job (GOutputStream *out, const WlJob *job, GError **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out) && job != NULL, FALSE);
  g_autofree char *line = wl_json_job_to_string (job);
  gsize n = strlen (line);
  if (!g_output_stream_write_all (out, line, n, NULL, NULL, error))
    return FALSE;
  return g_output_stream_write_all (out, "\n", 1, NULL, NULL, error);
}

gboolean
wl_json_write_header (GOutputStream *out, const WlTraceInfo *info, GError **error)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  json_t *o = json_object ();
  set_int (o, "version", WL_JSON_VERSION);
  if (info != NULL && info->max_nodes > 0 && info->cpus_per_node > 0)
    {
      json_t *c = json_object ();
      set_int (c, "nodes", info->max_nodes);
      set_int (c, "cpus_per_node", info->cpus_per_node);
      if (info->mem_per_node_mb > 0)
        set_int (c, "mem_per_node", info->mem_per_node_mb);
      if (info->gpus_per_node > 0)
        set_int (c, "gpus_per_node", info->gpus_per_node);
      json_object_set_new (o, "cluster", c);
    }
  else if (info != NULL && info->max_procs > 0)
    {
      json_t *c = json_object ();
      set_int (c, "procs", info->max_procs);
      json_object_set_new (o, "cluster", c);
    }
  char *text = json_dumps (o, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref (o);
  gboolean ok = g_output_stream_write_all (out, text, strlen (text), NULL, NULL, error)
                && g_output_stream_write_all (out, "\n", 1, NULL, NULL, error);
  free (text);
  return ok;
}
