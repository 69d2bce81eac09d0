/* SPDX-License-Identifier: MIT */
/* realnet/ctld-jobs.c - the controller's jobs: their records, the store, lookups,
 * eligibility, and what submission builds and checks.
 *
 * A job's record (docs/realnet.md) is built on demand from its Job; a change queues the
 * job for the store once (job_store) and the flush writes it (job_store_now) before the
 * commit.  Jobs held, waiting on a dependency, a begin time or an array throttle wait in
 * C->waiting with their Slurm reason; update_eligibility, in each flush that asks for it,
 * re-examines every one and moves those that became eligible into the core.  Submission
 * turns a validated request into a Job (job_from_request), registers it in the tables and
 * counts it for MaxSubmitJobsPerUser (held and dependent jobs count, which the core has
 * not seen). */
#include "realnet/ctld-private.h"

#include "realnet/launch.h"
#include "realnet/log.h"
#include "workloads/hostlist.h"
#include "workloads/jobextra.h"

#define PRIO_BASE 4294901760u   /* Slurm's priority/basic: job 1 gets PRIO_BASE - 1 */

static json_t *step_record (const Step *s, const char *state, gint64 end);

/* ---- job records ---- */

static const char *
state_name (const Job *j)
{
  return sched_job_state_name (j->state);
}

void
rec_set_time (json_t *rec, const char *key, SchedTime t)
{
  json_object_set_new (rec, key, t == SCHED_TIME_NEVER || t <= 0 ? json_null ()
                                                                  : json_integer (t));
}

const char *
job_reason (const Job *j)
{
  if (j->state != SCHED_JOB_PENDING)
    {
      if (j->state == SCHED_JOB_FAILED && j->exit_code != 0)
        return "NonZeroExitCode";
      return "None";
    }
  if (!j->in_core)
    return j->wait_reason ? j->wait_reason : "None";
  SchedJobInfo info;
  if (!sched_core_job_info (C->core, j->core_id, &info))
    return "None";
  if (info.reason == SCHED_REASON_NONE)
    return "None";
  return sched_reason_name (info.reason);
}

guint32
job_priority (const Job *j)
{
  if (j->hold != HOLD_NONE)
    return 0;
  SchedJobInfo info;
  if (C->multifactor && j->in_core && sched_core_job_info (C->core, j->core_id, &info)
      && info.priority > 0)
    return info.priority;   /* priority/multifactor, as of the last ordering pass */
  guint32 base = j->array_job_id ? j->array_job_id : j->id;
  return base < PRIO_BASE ? PRIO_BASE - base : 1;
}

static char *
tres_string (guint32 cpus, guint64 mem, guint32 nodes, guint32 gpus, gboolean billing)
{
  GString *s = g_string_new (NULL);
  g_string_append_printf (s, "cpu=%u", cpus);
  if (mem > 0)
    g_string_append_printf (s, ",mem=%" G_GUINT64_FORMAT "M", mem);
  g_string_append_printf (s, ",node=%u", nodes);
  if (billing)
    g_string_append_printf (s, ",billing=%u", cpus);
  if (gpus > 0)
    g_string_append_printf (s, ",gres/gpu=%u", gpus);
  return g_string_free (s, FALSE);
}

static guint32
job_nodes_estimate (const Job *j)
{
  if (j->alloc.n_nodes > 0)
    return j->alloc.n_nodes;
  gint32 part = j->spec.partition;
  guint32 maxc = 1;
  if (part >= 0)
    {
      const SchedPartitionSpec *p = sched_cluster_partition (C->cluster, part);
      for (guint32 i = 0; i < p->n_nodes; i++)
        maxc = MAX (maxc, sched_cluster_node (C->cluster, p->nodes[i])->cpus);
    }
  guint64 cpus = sched_job_spec_cpus (&j->spec);
  guint32 n = (guint32) ((cpus + maxc - 1) / maxc);
  return MAX (MAX (n, j->spec.min_nodes), 1u);
}

static guint64
job_mem_total (const Job *j, guint32 cpus, guint32 nodes)
{
  if (j->spec.mem_per_node_mb > 0)
    return j->spec.mem_per_node_mb * nodes;
  gint64 per_cpu = j->mem_per_cpu_rec > 0 ? j->mem_per_cpu_rec : C->mem_per_cpu;
  return (guint64) MAX (per_cpu, 0) * cpus;
}

/* The compressed node list of the allocation, NULL while pending (transfer full). */
char *
alloc_nodes_string (const SchedAlloc *a)
{
  if (a->n_nodes == 0)
    return NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint32 k = 0; k < a->n_nodes; k++)
    g_ptr_array_add (names, (gpointer) C->nodes[a->nodes[k].node].conf->name);
  return wl_hostlist_compress ((const char *const *) names->pdata, names->len);
}

char *
job_nodes_string (const Job *j)
{
  return alloc_nodes_string (&j->alloc);
}

const char *
job_state_word (const Job *j)
{
  return j->completing ? "CANCELLED" : state_name (j);
}

const char *
job_partition_name (const Job *j)
{
  return sched_cluster_partition (C->cluster, j->spec.partition)->name;
}

json_t *
str_or_null (const char *s)
{
  return s ? json_string (s) : json_null ();
}

/* The job record of docs/realnet.md as of `now` (transfer full). */
json_t *
job_record_build (Job *j, gint64 now)
{
  json_t *r = json_object ();
  json_object_set_new (r, "job_id", json_integer (j->id));
  json_object_set_new (r, "array_job_id", json_integer (j->array_job_id));
  json_object_set_new (r, "array_task_id", j->task >= 0 ? json_integer (j->task) : json_null ());
  json_object_set_new (r, "name", json_string (j->name));
  json_object_set_new (r, "user", json_string (j->user));
  json_object_set_new (r, "uid", json_integer (j->uid));
  json_object_set_new (r, "partition", json_string (job_partition_name (j)));
  json_object_set_new (r, "state", json_string (job_state_word (j)));
  json_object_set_new (r, "reason", json_string (job_reason (j)));
  json_object_set_new (r, "priority", json_integer (job_priority (j)));
  gint64 rt = 0;
  if (j->start != SCHED_TIME_NEVER && j->start > 0)
    rt = (j->end != SCHED_TIME_NEVER && j->end > 0 ? j->end : now) - j->start;
  json_object_set_new (r, "run_time", json_integer (MAX (rt, 0)));
  json_object_set_new (r, "time_limit", json_integer (j->time_limit_rec));
  guint32 nodes = job_nodes_estimate (j);
  guint32 cpus = j->alloc.n_nodes ? j->alloc.cpus : (guint32) sched_job_spec_cpus (&j->spec);
  json_object_set_new (r, "num_nodes", json_integer (nodes));
  json_object_set_new (r, "num_cpus", json_integer (cpus));
  g_autofree char *hl = job_nodes_string (j);
  json_object_set_new (r, "nodes", str_or_null (hl));
  rec_set_time (r, "submit_time", j->submit);
  rec_set_time (r, "start_time", j->start);
  SchedTime end = j->end;
  if (j->state == SCHED_JOB_RUNNING && !j->completing)
    end = j->time_limit_rec > 0 ? j->start + j->time_limit_rec : SCHED_TIME_NEVER;
  rec_set_time (r, "end_time", end);
  SchedTime planned = SCHED_TIME_NEVER;
  if (j->in_core && j->state == SCHED_JOB_PENDING)
    {
      SchedJobInfo info;
      if (sched_core_job_info (C->core, j->core_id, &info))
        planned = info.planned_start;
    }
  rec_set_time (r, "planned_start", planned);
  g_autofree char *grp = group_name (j->gid);
  json_object_set_new (r, "group", json_string (grp));
  json_object_set_new (r, "gid", json_integer (j->gid));
  json_object_set_new (r, "account", str_or_null (j->account));
  json_object_set_new (r, "qos", str_or_null (j->qos));
  json_object_set_new (r, "nice", json_integer (j->nice));
  json_object_set_new (r, "dependency", str_or_null (j->dependency));
  json_object_set_new (r, "exit_code", json_integer (j->exit_code));
  json_object_set_new (r, "exit_signal", json_integer (j->exit_signal));
  json_object_set_new (r, "derived_exit_code", json_integer (j->exit_code));
  json_object_set_new (r, "restarts", json_integer (j->restarts));
  json_object_set_new (r, "batch", json_boolean (!j->interactive));
  json_object_set_new (r, "requeue", json_boolean (j->requeue_ok));
  json_object_set_new (r, "held", json_boolean (j->hold != HOLD_NONE));
  /* a job waiting for its --begin time shows that time, as slurmctld does */
  SchedTime eligible = j->eligible != SCHED_TIME_NEVER && j->eligible > 0 ? j->eligible
                       : j->state == SCHED_JOB_PENDING ? j->begin : SCHED_TIME_NEVER;
  rec_set_time (r, "eligible_time", j->hold != HOLD_NONE ? SCHED_TIME_NEVER : eligible);
  rec_set_time (r, "accrue_time", j->hold != HOLD_NONE ? SCHED_TIME_NEVER : j->eligible);
  rec_set_time (r, "last_sched_eval", j->last_sched_eval);
  json_object_set_new (r, "sched_nodes", json_null ());
  json_object_set_new (r, "time_min", json_integer (0));
  json_object_set_new (r, "batch_host", j->alloc.n_nodes
                       ? json_string (C->nodes[j->alloc.nodes[0].node].conf->name) : json_null ());
  json_object_set_new (r, "batch_cpus", json_integer (j->alloc.n_nodes ? j->alloc.nodes[0].cpus : 0));
  json_object_set_new (r, "num_tasks", json_integer (j->spec.tasks));
  if (j->spec.tasks_per_node > 0)
    json_object_set_new (r, "ntasks_per_node", json_integer (j->spec.tasks_per_node));
  json_object_set_new (r, "cpus_per_task", json_integer (j->spec.cpus_per_task));
  json_object_set_new (r, "mem_per_cpu_mb", json_integer (j->mem_per_node_rec > 0 ? 0
                                                          : j->mem_per_cpu_rec > 0 ? j->mem_per_cpu_rec
                                                          : C->mem_per_cpu));
  json_object_set_new (r, "mem_per_node_mb", json_integer (j->mem_per_node_rec));
  const char *gtype = j->spec.gpu_type ? sched_cluster_gpu_type_name (C->cluster, j->spec.gpu_type) : NULL;
  g_autofree char *gres = j->spec.gpus_per_node == 0 ? NULL
                          : gtype ? g_strdup_printf ("gres:gpu:%s:%u", gtype, j->spec.gpus_per_node)
                                  : g_strdup_printf ("gres:gpu:%u", j->spec.gpus_per_node);
  json_object_set_new (r, "gres", str_or_null (gres));
  json_object_set_new (r, "gpus_per_node", json_integer (j->spec.gpus_per_node));
  json_object_set_new (r, "gpus", json_integer (j->gpus_req));
  json_object_set_new (r, "features", str_or_null (j->features));
  json_object_set_new (r, "req_nodes", str_or_null (j->req_nodes));
  json_object_set_new (r, "exc_nodes", str_or_null (j->exc_nodes));
  json_object_set_new (r, "exclusive", json_boolean (j->spec.exclusive));
  guint32 gpus = j->alloc.n_nodes ? j->alloc.gpus : j->spec.gpus_per_node * nodes;
  guint64 mem = job_mem_total (j, cpus, nodes);
  g_autofree char *treq = tres_string (cpus, mem, j->alloc.n_nodes ? nodes : 1, gpus, TRUE);
  json_object_set_new (r, "tres_req", json_string (treq));
  g_autofree char *ta = j->alloc.n_nodes ? tres_string (cpus, mem, nodes, gpus, TRUE) : NULL;
  json_object_set_new (r, "tres_alloc", str_or_null (ta));
  json_object_set_new (r, "workdir", json_string (j->workdir));
  json_object_set_new (r, "command", str_or_null (j->command));
  json_object_set_new (r, "stdout", str_or_null (j->out_path));
  json_object_set_new (r, "stderr", str_or_null (j->err_path));
  json_object_set_new (r, "stdin", str_or_null (j->in_path));
  json_object_set_new (r, "scheduler", json_string ("Main"));
  json_object_set_new (r, "alloc_node", json_string (j->submit_host ? j->submit_host : "localhost"));
  json_object_set_new (r, "alloc_sid", json_integer (0));
  json_object_set_new (r, "cancelled_by", j->cancelled_by >= 0 ? json_integer (j->cancelled_by)
                                                                : json_null ());
  json_object_set_new (r, "cpu_seconds", json_real (j->cpu_seconds));
  json_object_set_new (r, "max_rss_kb", json_integer (j->max_rss_kb));
  if (j->step_recs || (j->steps && j->steps->len))
    {
      json_t *steps = j->step_recs ? json_copy (j->step_recs) : json_array ();
      for (guint i = 0; j->steps && i < j->steps->len; i++)
        {
          const Step *s = j->steps->pdata[i];
          if (s->start > 0)
            json_array_append_new (steps, step_record (s, NULL, 0));
        }
      json_object_set_new (r, "steps", steps);
    }
  return r;
}

/* What the job shows changed: its cached squeue lines are stale (re-rendered when idle),
 * and so are the cached squeue texts.  job_changed also stores it. */
void
job_update_record (Job *j)
{
  C->text_gen++;
  if (!j->warm_queued && C->warm_queue)
    {
      j->warm_queued = TRUE;
      g_ptr_array_add (C->warm_queue, j);
    }
  g_clear_pointer (&j->line[0], g_free);
  g_clear_pointer (&j->line[1], g_free);
}

/* What squeue's default formats show of a job, nothing null (transfer full): the input of
 * the controller's rendering of squeue lines (job_line). */
json_t *
job_brief_record (Job *j, const char *reason)
{
  json_t *r = json_object ();
  json_object_set_new (r, "job_id", json_integer (j->id));
  if (j->array_job_id)
    {
      json_object_set_new (r, "array_job_id", json_integer (j->array_job_id));
      json_object_set_new (r, "array_task_id", json_integer (j->task));
    }
  json_object_set_new (r, "name", json_string (j->name));
  json_object_set_new (r, "user", json_string (j->user));
  json_object_set_new (r, "partition", json_string (job_partition_name (j)));
  json_object_set_new (r, "state", json_string (job_state_word (j)));
  json_object_set_new (r, "reason", json_string (reason));
  json_object_set_new (r, "priority", json_integer (job_priority (j)));
  json_object_set_new (r, "time_limit", json_integer (j->time_limit_rec));
  json_object_set_new (r, "num_nodes", json_integer (job_nodes_estimate (j)));
  json_object_set_new (r, "num_cpus", json_integer (j->alloc.n_nodes ? j->alloc.cpus
                                                    : (guint32) sched_job_spec_cpus (&j->spec)));
  if (j->start != SCHED_TIME_NEVER && j->start > 0)
    json_object_set_new (r, "start_time", json_integer (j->start));
  if (sched_job_state_is_final (j->state) && j->end != SCHED_TIME_NEVER && j->end > 0)
    json_object_set_new (r, "end_time", json_integer (j->end));
  g_autofree char *hl = job_nodes_string (j);
  if (hl)
    json_object_set_new (r, "nodes", json_string (hl));
  return r;
}

void
job_store_now (Job *j, gint64 now)
{
  g_autoptr (GError) err = NULL;
  if (!j->request_stored)
    {
      if (!rn_store_put_request (C->store, j->id, j->req_text, &err))
        {
          rn_log ("error: job %u: cannot store its request: %s", j->id, err->message);
          g_clear_error (&err);
        }
      else
        j->request_stored = TRUE;
    }
  json_t *copy = job_record_build (j, now);
  json_object_set_new (copy, "_requeue", json_boolean (j->requeue_pending));
  json_object_set_new (copy, "_core_id", json_integer (j->core_id));
  json_object_set_new (copy, "_hold", json_integer (j->hold));
  if (j->alloc.n_nodes)
    {
      json_t *a = json_array ();
      for (guint32 k = 0; k < j->alloc.n_nodes; k++)
        {
          const SchedAllocNode *an = &j->alloc.nodes[k];
          json_t *g = json_array ();
          GArray *ids = j->gpu_ids ? j->gpu_ids->pdata[k] : NULL;
          for (guint i = 0; ids && i < ids->len; i++)
            json_array_append_new (g, json_integer (g_array_index (ids, guint32, i)));
          json_array_append_new (a, json_pack ("{s:i,s:i,s:i,s:I,s:o}", "node", an->node,
                                               "cpus", an->cpus, "gpus", an->gpus,
                                               "mem", (json_int_t) an->mem_mb, "gpu_ids", g));
        }
      json_object_set_new (copy, "_alloc", a);
    }
  if (!rn_store_put_job (C->store, copy, &err))
    rn_log ("error: job %u: cannot store its record: %s", j->id, err->message);
  json_decref (copy);
}

/* Queues the job's record for the store: written once, at the next flush, however often
 * it changes before. */
void
job_store (Job *j)
{
  if (C->store == NULL)
    return;
  if (!j->store_queued)
    {
      j->store_queued = TRUE;
      g_ptr_array_add (C->to_store, j);
    }
  schedule_flush ();
}

void
job_changed (Job *j)
{
  job_update_record (j);
  job_store (j);
}

/* ---- jobs in memory ---- */

Job *
job_lookup (guint32 id)
{
  return g_hash_table_lookup (C->by_id, GUINT_TO_POINTER (id));
}

GPtrArray *
array_tasks (guint32 array_id)
{
  return g_hash_table_lookup (C->arrays, GUINT_TO_POINTER (array_id));
}

/* The jobs "12", "7" (every task of array 7 and job 7 itself) or "7_3" stand for. */
GPtrArray *
jobs_for_spec (const char *spec)
{
  GPtrArray *out = g_ptr_array_new ();
  char *end;
  guint64 id = g_ascii_strtoull (spec, &end, 10);
  if (end == spec || id == 0 || id > G_MAXUINT32)
    return out;
  gint64 task = -1;
  if (*end == '_')
    {
      char *e2;
      task = (gint64) g_ascii_strtoull (end + 1, &e2, 10);
      if (e2 == end + 1 || *e2 != '\0')
        return out;
    }
  else if (*end != '\0')
    return out;
  GPtrArray *tasks = array_tasks ((guint32) id);
  if (tasks && task < 0 && job_lookup ((guint32) id) && job_lookup ((guint32) id)->array_job_id != id)
    tasks = NULL;
  if (tasks)
    {
      for (guint i = 0; i < tasks->len; i++)
        {
          Job *t = tasks->pdata[i];
          if (!t->dead && (task < 0 || t->task == task))
            g_ptr_array_add (out, t);
        }
      return out;
    }
  if (task >= 0)
    return out;
  Job *j = job_lookup ((guint32) id);
  if (j && !j->dead)
    g_ptr_array_add (out, j);
  return out;
}

void
job_free (Job *j)
{
  g_free (j->user);
  g_free (j->req_text);
  g_free (j->name);
  g_free (j->workdir);
  g_free (j->account);
  g_free (j->qos);
  g_free (j->features);
  g_free (j->req_nodes);
  g_free (j->exc_nodes);
  g_free (j->dependency);
  g_free (j->command);
  g_free (j->out_path);
  g_free (j->err_path);
  g_free (j->in_path);
  g_free (j->submit_host);
  g_free (j->line[0]);
  g_free (j->line[1]);
  sched_alloc_clear (&j->alloc);
  if (j->gpu_ids)
    g_ptr_array_unref (j->gpu_ids);
  if (j->deps)
    g_array_unref (j->deps);
  if (j->steps)
    g_ptr_array_unref (j->steps);
  if (j->step_recs)
    json_decref (j->step_recs);
  g_free (j);
}

void
step_free (Step *s)
{
  if (s->client)
    rn_conn_unref (s->client);
  g_free (s->name);
  g_free (s->nodes);
  if (s->node_idx)
    g_array_unref (s->node_idx);
  g_free (s);
}

/* Reads srun's input options from a step request or an alloc's "interactive" object. */
void
step_read_input (Step *s, json_t *o)
{
  s->input = json_is_true (json_object_get (o, "stdin"));
  s->pty = json_is_true (json_object_get (o, "pty"));
  json_t *r = json_object_get (o, "rows"), *c = json_object_get (o, "cols");
  s->rows = json_is_integer (r) ? CLAMP (json_integer_value (r), 0, 65535) : 0;
  s->cols = json_is_integer (c) ? CLAMP (json_integer_value (c), 0, 65535) : 0;
}

/* A step's accounting record: what sacct and squeue -s show of it (transfer full).  `state`
 * NULL while it runs. */
static json_t *
step_record (const Step *s, const char *state, gint64 end)
{
  json_t *r = json_pack ("{s:i,s:s,s:I,s:i,s:s,s:i,s:i}", "step_id", (int) s->id,
                         "name", s->name ? s->name : "", "start_time", (json_int_t) s->start,
                         "ntasks", (int) s->n_tasks, "nodes", s->nodes ? s->nodes : "",
                         "num_nodes", (int) s->num_nodes, "cpus", (int) s->cpus);
  json_object_set_new (r, "state", json_string (state ? state : "RUNNING"));
  json_object_set_new (r, "end_time", state ? json_integer (end) : json_null ());
  json_object_set_new (r, "exit_code", json_integer (state ? s->max_exit : 0));
  json_object_set_new (r, "exit_signal", json_integer (state ? s->max_signal : 0));
  return r;
}

/* Step `s` of `j` ended in `state`: its record joins the job's (stored with it). */
void
step_account (Job *j, const Step *s, const char *state, gint64 end)
{
  if (j->step_recs == NULL)
    j->step_recs = json_array ();
  json_array_append_new (j->step_recs, step_record (s, state, end));
}

/* ---- eligibility: holds, dependencies, begin times, array throttles ---- */

/* 1: satisfied, 0: not yet, -1: never. */
static int
dep_state (const Job *j, const WlDependency *d, gint64 now)
{
  if (d->type == WL_DEP_SINGLETON)
    {
      const char *name = j->name;
      for (guint i = 0; i < C->jobs->len; i++)
        {
          Job *o = C->jobs->pdata[i];
          if (o == j || o->dead || o->uid != j->uid)
            continue;
          if ((o->state == SCHED_JOB_RUNNING
               || (o->state == SCHED_JOB_PENDING && o->submit <= j->submit && o->core_id < j->core_id))
              && g_strcmp0 (o->name, name) == 0)
            return 0;
        }
      return 1;
    }
  g_autofree char *spec = d->task >= 0 ? g_strdup_printf ("%u_%" G_GINT64_FORMAT, d->job, d->task)
                                       : g_strdup_printf ("%u", d->job);
  g_autoptr (GPtrArray) targets = jobs_for_spec (spec);
  if (targets->len == 0)
    return 1;   /* purged from memory long ago: it ended */
  int result = 1;
  for (guint i = 0; i < targets->len; i++)
    {
      Job *t = targets->pdata[i];
      gboolean final = sched_job_state_is_final (t->state) && !t->completing;
      int r;
      switch (d->type)
        {
        case WL_DEP_AFTER:
          r = t->state == SCHED_JOB_CANCELLED ? 1
              : t->start != SCHED_TIME_NEVER && t->start > 0 && now >= t->start + d->delay ? 1 : 0;
          break;
        case WL_DEP_AFTERANY:
          r = final ? 1 : 0;
          break;
        case WL_DEP_AFTEROK:
          r = !final ? 0 : t->state == SCHED_JOB_COMPLETED ? 1 : -1;
          break;
        case WL_DEP_AFTERNOTOK:
          r = !final ? 0 : t->state != SCHED_JOB_COMPLETED ? 1 : -1;
          break;
        default:
          r = final ? 1 : 0;
          break;
        }
      if (r < result)
        result = r;
    }
  return result;
}

static int
deps_state (const Job *j, gint64 now)
{
  if (j->deps == NULL || j->deps->len == 0)
    return 1;
  int all = 1, any = -1;
  for (guint i = 0; i < j->deps->len; i++)
    {
      int r = dep_state (j, &g_array_index (j->deps, WlDependency, i), now);
      all = MIN (all, r);
      any = MAX (any, r);
    }
  return j->deps_any ? any : all;
}

static guint
array_running (guint32 array_id)
{
  GPtrArray *tasks = array_tasks (array_id);
  guint n = 0;
  for (guint i = 0; tasks && i < tasks->len; i++)
    {
      Job *t = tasks->pdata[i];
      if (t->state == SCHED_JOB_RUNNING || (t->in_core && t->state == SCHED_JOB_PENDING))
        n++;
    }
  return n;
}

/* Puts an eligible job into the core, or says why it cannot run (PartitionConfig...). */
static void
job_enter_core (Job *j, gint64 now)
{
  SchedReason r;
  if (sched_core_submit_tagged (C->core, now, &j->spec, j, &r))
    {
      j->in_core = TRUE;
      j->wait_reason = NULL;
      if (j->eligible == SCHED_TIME_NEVER || j->eligible <= 0)
        j->eligible = now;
      g_hash_table_insert (C->by_core, GUINT_TO_POINTER (j->core_id), j);
      C->need_pass = TRUE;
      return;
    }
  /* Slurm accepts it (EnforcePartLimits=NO) and leaves it pending forever. */
  j->refused = TRUE;
  j->wait_reason = r == SCHED_REASON_BAD_CONSTRAINTS ? "PartitionConfig"
                   : sched_reason_name (r);   /* PartitionTimeLimit, QOS... limits */
  if (j->eligible == SCHED_TIME_NEVER || j->eligible <= 0)
    j->eligible = now;
}

/* Re-examines every job waiting outside the core. */
void
update_eligibility (gint64 now)
{
  GPtrArray *still = g_ptr_array_new ();
  for (guint i = 0; i < C->waiting->len; i++)
    {
      Job *j = C->waiting->pdata[i];
      if (j->state != SCHED_JOB_PENDING || j->dead)
        continue;
      const char *prev = j->wait_reason;
      gboolean keep = TRUE;
      if (j->hold != HOLD_NONE)
        {
          /* held jobs leave the list: only a release brings them back */
          j->wait_reason = j->hold == HOLD_ADMIN ? "JobHeldAdmin" : "JobHeldUser";
          keep = FALSE;
        }
      else if (j->begin != SCHED_TIME_NEVER && j->begin > now)
        {
          j->wait_reason = "BeginTime";
          if (C->pass_at > j->begin)
            C->pass_at = j->begin;
        }
      else
        {
          int d = deps_state (j, now);
          if (d < 0)
            j->wait_reason = "DependencyNeverSatisfied";
          else if (d == 0)
            j->wait_reason = "Dependency";
          else if (j->array_job_id && j->array_throttle
                   && array_running (j->array_job_id) >= j->array_throttle)
            j->wait_reason = "JobArrayTaskLimit";
          else if (j->refused)
            keep = TRUE;   /* can never run: stays */
          else
            {
              job_enter_core (j, now);
              keep = !j->in_core;
            }
        }
      if (keep)
        g_ptr_array_add (still, j);
      if (prev != j->wait_reason || !keep)
        job_changed (j);
    }
  g_ptr_array_unref (C->waiting);
  C->waiting = still;
}

/* ---- submission ---- */

gboolean restoring;   /* reading jobs back at start: dependencies may be gone */

static gboolean
req_int (json_t *req, const char *k, gint64 min, gint64 max, gint64 *out, GError **error)
{
  return rn_body_get_int (req, k, FALSE, min, max, out, error);
}

/* The nodes of the request's host list `key` ("nodelist", "exclude") as node indices in
 * *out (NULL when absent or empty); FALSE with `error` set, as slurmctld words it, for a
 * malformed list or a node it does not know. */
static gboolean
request_nodes (json_t *req, const char *key, GArray **out, GError **error)
{
  const char *expr = NULL;
  *out = NULL;
  if (!rn_body_get_string (req, key, FALSE, &expr, error))
    return FALSE;
  if (expr == NULL || *expr == '\0')
    return TRUE;
  g_autoptr (GPtrArray) names = wl_hostlist_expand_max (expr, C->n_nodes + 1, NULL);
  if (names == NULL || names->len > C->n_nodes)
    {
      g_set_error_literal (error, RN_ERROR, RN_ERROR_INVALID, "Invalid node name specified");
      return FALSE;
    }
  GArray *idx = g_array_new (FALSE, FALSE, sizeof (guint32));
  for (guint i = 0; i < names->len; i++)
    {
      gint32 n = sched_cluster_find_node (C->cluster, names->pdata[i]);
      if (n < 0)
        {
          g_array_unref (idx);
          g_set_error_literal (error, RN_ERROR, RN_ERROR_INVALID, "Invalid node name specified");
          return FALSE;
        }
      guint32 u = (guint32) n;
      g_array_append_val (idx, u);
    }
  *out = idx;
  return TRUE;
}

/* Does some node have GPUs (of type `type`, any when NULL)? */
static gboolean
gpus_configured (const char *type)
{
  for (guint32 i = 0; i < C->n_nodes; i++)
    {
      const SchedNodeSpec *ns = sched_cluster_node (C->cluster, i);
      if (ns->gpus > 0
          && (type == NULL
              || g_strcmp0 (sched_cluster_gpu_type_name (C->cluster, ns->gpu_type), type) == 0))
        return TRUE;
    }
  return FALSE;
}

/* Builds a Job from a validated request (not yet in any table). */
Job *
job_from_request (json_t *req, guint32 uid, guint32 gid, gint64 now, GError **error)
{
  const char *part = NULL, *name = NULL, *gpu_type = NULL, *dep = NULL, *script = NULL;
  const char *workdir = NULL;
  gint64 nmin = 0, nmax = 0, ntasks = 0, tpn = 0, cpt = 1, mem = 0, mpc = 0, gpn = 0, gpus = 0;
  gint64 tl = 0, begin = 0, nice = 0;
  gboolean hold = FALSE, exclusive = FALSE;
  if (!rn_body_get_string (req, "partition", FALSE, &part, error)
      || !rn_body_get_string (req, "name", FALSE, &name, error)
      || !rn_body_get_string (req, "gpu_type", FALSE, &gpu_type, error)
      || !rn_body_get_string (req, "dependency", FALSE, &dep, error)
      || !rn_body_get_string (req, "script", FALSE, &script, error)
      || !rn_body_get_string (req, "workdir", TRUE, &workdir, error)
      || !req_int (req, "nodes_min", 0, 100000, &nmin, error)
      || !req_int (req, "nodes_max", 0, 100000, &nmax, error)
      || !req_int (req, "ntasks", 0, 10000000, &ntasks, error)
      || !req_int (req, "ntasks_per_node", 0, 100000, &tpn, error)
      || !req_int (req, "cpus_per_task", 1, 100000, &cpt, error)
      || !req_int (req, "mem_per_node_mb", 0, G_MAXINT64 / 2, &mem, error)
      || !req_int (req, "mem_per_cpu_mb", 0, G_MAXINT64 / 2, &mpc, error)
      || !req_int (req, "gpus_per_node", 0, 64, &gpn, error)
      || !req_int (req, "gpus", 0, 100000, &gpus, error)
      || !req_int (req, "time_limit", -1, G_MAXINT32, &tl, error)
      || !req_int (req, "begin", 0, G_MAXINT64, &begin, error)
      || !req_int (req, "nice", -10000, 10000, &nice, error)
      || !rn_body_get_bool (req, "hold", FALSE, &hold, error)
      || !rn_body_get_bool (req, "exclusive", FALSE, &exclusive, error))
    return NULL;
  json_t *sig = json_object_get (req, "signal");
  json_t *sig_batch = json_object_get (sig, "batch");
  gint64 sig_num = 0, sig_time = 0;
  if (sig != NULL && !json_is_null (sig)
      && (!rn_body_get_int (sig, "num", TRUE, 1, 64, &sig_num, NULL)
          || !rn_body_get_int (sig, "time", FALSE, 0, 65535, &sig_time, NULL)
          || (sig_batch != NULL && !json_is_boolean (sig_batch))))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "field \"signal\": expected {\"num\": "
                   "1..64, \"time\": 0..65535, \"batch\": true|false}");
      return NULL;
    }
  if (script == NULL && json_object_get (req, "interactive") == NULL)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "field \"script\": missing");
      return NULL;
    }
  if (!g_path_is_absolute (workdir))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "field \"workdir\": expected an absolute path");
      return NULL;
    }
  gint32 pidx = part ? sched_cluster_find_partition (C->cluster, part)
                     : sched_cluster_default_partition (C->cluster);
  if (pidx < 0)
    {
      if (part == NULL)
        g_set_error (error, RN_ERROR, RN_ERROR_INVALID_PARTITION,
                     "No partition specified or system default partition");
      else
        g_set_error (error, RN_ERROR, RN_ERROR_INVALID_PARTITION,
                     "Invalid partition name specified");
      return NULL;
    }
  if ((gpn > 0 || gpus > 0) && !restoring && !gpus_configured (gpu_type))
    {
      /* slurmctld refuses a gres no node has (before interning a user's type name) */
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID,
                   "Invalid generic resource (gres) specification");
      return NULL;
    }
  Job *j = g_new0 (Job, 1);
  j->task = -1;
  j->uid = uid;
  j->gid = gid;
  j->user = user_name (uid);
  j->req_text = json_dumps (req, JSON_COMPACT);
  j->state = SCHED_JOB_PENDING;
  j->submit = now;
  j->eligible = SCHED_TIME_NEVER;
  j->start = j->end = SCHED_TIME_NEVER;
  j->begin = begin > 0 ? begin : SCHED_TIME_NEVER;
  j->hold = hold ? HOLD_USER : HOLD_NONE;
  if (dep && *dep)
    {
      j->deps = g_array_new (FALSE, FALSE, sizeof (WlDependency));
      g_autoptr (GError) e = NULL;
      if (!wl_parse_dependency (dep, j->deps, &j->deps_any, &e))
        {
          g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "Job dependency problem: %s",
                       e->message);
          job_free (j);
          return NULL;
        }
      for (guint i = 0; i < j->deps->len; i++)
        {
          WlDependency *d = &g_array_index (j->deps, WlDependency, i);
          if (d->type == WL_DEP_SINGLETON)
            continue;
          if (!restoring && job_lookup (d->job) == NULL && array_tasks (d->job) == NULL)
            {
              g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "Job dependency problem");
              job_free (j);
              return NULL;
            }
        }
    }
  SchedJobSpec *s = &j->spec;
  sched_job_spec_init (s);
  s->user = uid;
  s->group = gid;
  s->partition = pidx;
  s->submit = now;
  s->cpus_per_task = (guint32) cpt;
  s->min_nodes = (guint32) nmin;
  s->max_nodes = (guint32) (nmax ? nmax : 0);
  /* Slurm: --ntasks-per-node without -n means that many on each of the -N nodes; with
   * -n it caps each node, so the job needs at least ceil(n / per-node) nodes */
  s->tasks = (guint32) (ntasks > 0 ? ntasks : tpn > 0 ? tpn * MAX (nmin, 1) : MAX (nmin, 1));
  s->tasks_per_node = (guint32) tpn;
  if (tpn > 0)
    s->min_nodes = MAX (s->min_nodes, (guint32) ((s->tasks + tpn - 1) / tpn));
  /* --nodelist: nodes the job must include (before the per-node memory and GPUs below,
   * which divide by the node count); --exclude: nodes it must not use */
  g_autoptr (GArray) required = NULL, excluded = NULL;
  if (!request_nodes (req, "nodelist", &required, error)
      || !request_nodes (req, "exclude", &excluded, error))
    {
      job_free (j);
      return NULL;
    }
  if (required)
    {
      s->nodes_required = sched_core_node_set (C->core, (guint32 *) required->data,
                                               required->len);
      s->min_nodes = MAX (s->min_nodes, required->len);
      if (ntasks == 0)
        s->tasks = MAX (s->tasks, required->len);
    }
  s->exclusive = exclusive;
  const SchedPartitionSpec *ps = sched_cluster_partition (C->cluster, pidx);
  SchedTime limit = tl > 0 ? tl : tl < 0 ? (ps->max_time == SCHED_TIME_NEVER ? UNLIMITED_SECONDS
                                                                            : ps->max_time)
                                         : 0;
  if (limit == 0)
    limit = ps->default_time > 0 ? ps->default_time
            : ps->max_time == SCHED_TIME_NEVER ? UNLIMITED_SECONDS : ps->max_time;
  s->time_limit = limit;
  guint32 nodes_guess = MAX (s->min_nodes, 1u);
  if (mem > 0)
    s->mem_per_node_mb = (guint64) mem;
  else if (mpc > 0)
    s->mem_per_node_mb = (guint64) mpc * ((sched_job_spec_cpus (s) + nodes_guess - 1) / nodes_guess);
  if (gpn > 0)
    s->gpus_per_node = (guint32) gpn;
  else if (gpus > 0)
    {
      s->gpus_per_node = (guint32) ((gpus + nodes_guess - 1) / nodes_guess);
      if (s->min_nodes == 0)
        s->max_nodes = MAX (s->max_nodes, 0u);
    }
  if (gpu_type)
    s->gpu_type = sched_cluster_intern_gpu_type (C->cluster, gpu_type);
  const char *acct = NULL, *qos_name = NULL;
  rn_body_get_string (req, "account", FALSE, &acct, NULL);
  rn_body_get_string (req, "qos", FALSE, &qos_name, NULL);
  if (sched_core_get_limits (C->core) != NULL)
    {
      s->assoc = sched_core_resolve_assoc (C->core, uid, acct);
      s->qos = sched_core_find_qos (C->core, qos_name);
      if (s->qos == SCHED_QOS_INVALID)
        {
          g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "Invalid qos specification");
          job_free (j);
          return NULL;
        }
    }
  const char *cons = NULL;
  rn_body_get_string (req, "constraint", FALSE, &cons, NULL);
  if (cons && *cons && !wl_check_constraint (cons, NULL))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "Invalid feature specification");
      job_free (j);
      return NULL;
    }
  if ((cons && *cons) || excluded)
    s->constraint = sched_core_constraint_excluding (C->core, cons,
                                                     excluded ? (guint32 *) excluded->data : NULL,
                                                     excluded ? excluded->len : 0);
  /* what the record shows */
  j->name = g_strdup (name ? name : "sbatch");
  j->workdir = g_strdup (workdir);
  const char *sv = NULL;
  rn_body_get_string (req, "account", FALSE, &sv, NULL);
  j->account = g_strdup (sv);
  sv = NULL;
  rn_body_get_string (req, "qos", FALSE, &sv, NULL);
  j->qos = g_strdup (sv);
  sv = NULL;
  rn_body_get_string (req, "constraint", FALSE, &sv, NULL);
  j->features = g_strdup (sv);
  sv = NULL;
  rn_body_get_string (req, "nodelist", FALSE, &sv, NULL);
  j->req_nodes = sv && *sv ? g_strdup (sv) : NULL;
  sv = NULL;
  rn_body_get_string (req, "exclude", FALSE, &sv, NULL);
  j->exc_nodes = sv && *sv ? g_strdup (sv) : NULL;
  sv = NULL;
  rn_body_get_string (req, "submit_host", FALSE, &sv, NULL);
  j->submit_host = g_strdup (sv);
  j->dependency = dep && *dep ? g_strdup (dep) : NULL;
  j->nice = (gint32) nice;
  rn_body_get_bool (req, "requeue", TRUE, &j->requeue_ok, NULL);
  j->time_limit_rec = tl < 0 || (tl == 0 && limit >= UNLIMITED_SECONDS) ? -1 : limit;
  j->mem_per_cpu_rec = mem > 0 ? 0 : mpc;
  j->mem_per_node_rec = mem;
  j->gpus_req = gpus;
  j->cancelled_by = -1;
  j->last_sched_eval = SCHED_TIME_NEVER;
  json_t *iv = json_object_get (req, "interactive");
  json_t *argv = iv ? json_object_get (iv, "argv") : NULL;
  if (json_is_array (argv))
    {
      GString *cmd = g_string_new (NULL);
      size_t i;
      json_t *a;
      json_array_foreach (argv, i, a)
        {
          if (i)
            g_string_append_c (cmd, ' ');
          g_string_append (cmd, json_is_string (a) ? json_string_value (a) : "?");
        }
      j->command = g_string_free (cmd, FALSE);
    }
  j->interactive = iv != NULL;
  return j;
}

/* The output paths as scontrol shows them (patterns expanded where the controller can). */
void
job_set_io_paths (Job *j, json_t *req)
{
  const char *wd = j->workdir;
  json_t *o = json_object_get (req, "stdout"), *e = json_object_get (req, "stderr");
  json_t *in = json_object_get (req, "stdin");
  const char *dflt = j->array_job_id ? "slurm-%A_%a.out" : "slurm-%j.out";
  RnPatternVars vars = { j->id, j->array_job_id, j->task, j->name, j->user, "%N", 0, 0,
                         RN_STEP_BATCH };
  g_autofree char *os = rn_launch_expand_pattern (json_is_string (o) ? json_string_value (o)
                                                                      : dflt, &vars);
  g_autofree char *op = g_path_is_absolute (os) ? g_strdup (os) : g_build_filename (wd, os, NULL);
  g_autofree char *es = json_is_string (e) ? rn_launch_expand_pattern (json_string_value (e), &vars)
                                           : NULL;
  g_autofree char *ep = es == NULL ? g_strdup (op) : g_path_is_absolute (es) ? g_strdup (es)
                                                   : g_build_filename (wd, es, NULL);
  g_free (j->out_path);
  g_free (j->err_path);
  g_free (j->in_path);
  j->out_path = j->interactive ? NULL : g_strdup (op);
  j->err_path = j->interactive ? NULL : g_strdup (ep);
  j->in_path = g_strdup (json_is_string (in) ? json_string_value (in) : "/dev/null");
}

/* The job's request, parsed again from its text (transfer full). */
json_t *
job_request (const Job *j)
{
  json_t *req = json_loads (j->req_text, 0, NULL);
  return req ? req : json_object ();
}

static gpointer
submit_key (guint32 uid, SchedQosId qos)
{
  return GSIZE_TO_POINTER (((gsize) uid << 32) | qos);
}

static guint
submit_count (guint32 uid, SchedQosId qos)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (C->submit_counts, submit_key (uid, qos)));
}

/* +1 when a job is registered or requeued from a final state, -1 when it ends. */
void
submit_count_add (const Job *j, int delta)
{
  if (j->run_qos == SCHED_QOS_DEFAULT || j->run_qos == SCHED_QOS_INVALID)
    return;
  gpointer key = submit_key (j->uid, j->run_qos);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (C->submit_counts, key));
  n = delta < 0 ? (n > 0 ? n - 1 : 0) : n + 1;
  if (n == 0)
    g_hash_table_remove (C->submit_counts, key);
  else
    g_hash_table_insert (C->submit_counts, key, GUINT_TO_POINTER (n));
}

void
job_register (Job *j)
{
  g_ptr_array_add (C->jobs, j);
  if (!sched_job_state_is_final (j->state))
    submit_count_add (j, +1);
  g_hash_table_insert (C->by_id, GUINT_TO_POINTER (j->id), j);
  if (j->array_job_id)
    {
      GPtrArray *t = array_tasks (j->array_job_id);
      if (t == NULL)
        {
          t = g_ptr_array_new ();
          g_hash_table_insert (C->arrays, GUINT_TO_POINTER (j->array_job_id), t);
        }
      g_ptr_array_add (t, j);
    }
}

/* The checks Slurm makes when a job is submitted, on what the core says of it: jobs it
 * could never run are rejected with Slurm's message when slurmctld would reject them
 * (an unknown account or QOS, a submit-count limit; partition limits and access lists
 * with EnforcePartLimits), and otherwise accepted to pend with the reason (Slurm's
 * EnforcePartLimits=NO: "PartitionConfig", "PartitionTimeLimit", QOS reasons ...). */
gboolean
submit_allowed (Job *j, guint n_jobs, GError **error)
{
  SchedReason r = sched_core_check_submit (C->core, &j->spec, &j->run_qos);
  const SchedLimits *limits = sched_core_get_limits (C->core);
  const SchedQosLimits *q = limits && j->run_qos != SCHED_QOS_DEFAULT
                            && j->run_qos != SCHED_QOS_INVALID
                            ? sched_limits_get_qos (limits, j->run_qos) : NULL;
  if (r == SCHED_REASON_NONE && q && q->max_submit_per_user != SCHED_LIMIT_NONE
      && submit_count (j->uid, j->run_qos) + (guint64) n_jobs > q->max_submit_per_user)
    r = SCHED_REASON_QOS_MAX_SUBMIT_PER_USER;
  /* QOS Flags=DenyOnLimit: a job over a limit of its QOS or association as a stand-alone
   * job (what the core's submit check looks at) is rejected instead of pending */
  if (q && q->deny_on_limit && r >= SCHED_REASON_QOS_MAX_WALL
      && r <= SCHED_REASON_ASSOC_MAX_NODE_PER_JOB)
    r = SCHED_REASON_QOS_MAX_SUBMIT_PER_USER;
  const char *why = NULL;
  switch (r)
    {
    case SCHED_REASON_INVALID_ACCOUNT:
      why = "Invalid account or account/partition combination specified";
      break;
    case SCHED_REASON_INVALID_QOS:
      why = "Invalid qos specification";
      break;
    case SCHED_REASON_QOS_MAX_SUBMIT_PER_USER:
    case SCHED_REASON_ASSOC_MAX_SUBMIT:
      why = "Job violates accounting/QOS policy (job submit limit, user's size and/or time "
            "limits)";
      break;
    case SCHED_REASON_PARTITION_TIME_LIMIT:
      if (C->cfg->enforce_part_limits)
        why = "Requested time limit is invalid (missing or exceeds some limit)";
      break;
    case SCHED_REASON_PARTITION_NODE_LIMIT:
      if (C->cfg->enforce_part_limits)
        why = "Node count specification invalid";
      break;
    case SCHED_REASON_BAD_CONSTRAINTS:
      if (C->cfg->enforce_part_limits)
        why = "Requested node configuration is not available";
      break;
    case SCHED_REASON_ACCOUNT_NOT_ALLOWED:
      if (C->cfg->enforce_part_limits)
        why = "Invalid account or account/partition combination specified";
      break;
    case SCHED_REASON_QOS_NOT_ALLOWED:
      if (C->cfg->enforce_part_limits)
        why = "Invalid qos specification";
      break;
    default:
      break;
    }
  if (why == NULL)
    return TRUE;
  g_set_error_literal (error, RN_ERROR, RN_ERROR_INVALID, why);
  return FALSE;
}
