/* SPDX-License-Identifier: MIT */
/* realnet/ctld-nodes.c - the controller's nodes and what runs on them: node records and
 * allocations, launches of batch jobs and srun steps, signals, ends of jobs, and the
 * messages of node daemons (register, heartbeat, job_exit, io, task_exit) and of srun
 * (step, stdin).
 *
 * A node is DOWN until its noded registers on its persistent TCP connection; launches,
 * signals and step input go down that connection.  At registration the jobs the node
 * runs are reconciled with the controller's: one the controller does not know there is
 * killed, one it expects there and the node does not run ends NODE_FAIL.  A step's tasks
 * are spread over the job's nodes in blocks; their output and exits come back through
 * here to the step's srun, and the step ends with its last task. */
#include "realnet/ctld-private.h"

#include <signal.h>

#include "realnet/log.h"
#include "workloads/hostlist.h"

/* ---- nodes ---- */

Node *
node_of (guint32 idx)
{
  return &C->nodes[idx];
}

void
node_alloc (const SchedAlloc *a, GPtrArray **gpu_ids, gboolean on, gint64 now)
{
  for (guint32 k = 0; k < a->n_nodes; k++)
    {
      const SchedAllocNode *an = &a->nodes[k];
      Node *n = node_of (an->node);
      if (on)
        {
          n->cpus_alloc += an->cpus;
          n->mem_alloc += an->mem_mb;
          n->gpus_alloc += an->gpus;
        }
      else
        {
          n->cpus_alloc -= MIN (n->cpus_alloc, an->cpus);
          n->mem_alloc -= MIN (n->mem_alloc, an->mem_mb);
          n->gpus_alloc -= MIN (n->gpus_alloc, an->gpus);
        }
      n->last_busy = now;
      if (an->gpus == 0)
        continue;
      if (*gpu_ids == NULL)
        {
          *gpu_ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
          for (guint32 i = 0; i < a->n_nodes; i++)
            g_ptr_array_add (*gpu_ids, g_array_new (FALSE, FALSE, sizeof (guint32)));
        }
      GArray *ids = (*gpu_ids)->pdata[k];
      if (on && ids->len == 0)
        {
          /* lowest free GPU indices: disjoint by construction */
          for (guint32 g = 0; g < 64 && ids->len < an->gpus; g++)
            if (!(n->gpu_used & (G_GUINT64_CONSTANT (1) << g)))
              {
                n->gpu_used |= G_GUINT64_CONSTANT (1) << g;
                g_array_append_val (ids, g);
              }
        }
      else if (on)
        {
          for (guint i = 0; i < ids->len; i++)
            n->gpu_used |= G_GUINT64_CONSTANT (1) << g_array_index (ids, guint32, i);
        }
      else
        {
          for (guint i = 0; i < ids->len; i++)
            n->gpu_used &= ~(G_GUINT64_CONSTANT (1) << g_array_index (ids, guint32, i));
        }
    }
}

static const char *
node_state_word (const Node *n)
{
  if (n->admin_down || !n->responding)
    return "DOWN";
  if (n->cpus_alloc == 0)
    return "IDLE";
  if (n->cpus_alloc >= n->conf->cpus)
    return "ALLOCATED";
  return "MIXED";
}

json_t *
node_record (const Node *n)
{
  const WlSlurmNode *c = n->conf;
  json_t *flags = json_array ();
  if (n->drain)
    json_array_append_new (flags, json_string ("DRAIN"));
  if (!n->responding && !n->admin_down)
    json_array_append_new (flags, json_string ("NOT_RESPONDING"));
  json_t *parts = json_array ();
  for (guint p = 0; p < wl_slurmconf_n_partitions (C->cfg->conf); p++)
    {
      const WlSlurmPartition *wp = wl_slurmconf_partition (C->cfg->conf, p);
      for (guint i = 0; i < wp->n_nodes; i++)
        if (wp->nodes[i] == n->idx)
          {
            json_array_append_new (parts, json_string (wp->name));
            break;
          }
    }
  g_autofree char *gres = c->gpus ? (c->gpu_type ? g_strdup_printf ("gpu:%s:%u", c->gpu_type,
                                                                    c->gpus)
                                                 : g_strdup_printf ("gpu:%u", c->gpus))
                                  : NULL;
  g_autofree char *gres_used = c->gpus ? g_strdup_printf ("gpu:%u", n->gpus_alloc) : NULL;
  g_autofree char *features = c->features && c->features[0]
                                ? g_strjoinv (",", c->features) : NULL;
  json_t *r = json_object ();
  json_object_set_new (r, "name", json_string (c->name));
  json_object_set_new (r, "state", json_string (node_state_word (n)));
  json_object_set_new (r, "flags", flags);
  json_object_set_new (r, "reason", n->reason ? json_string (n->reason) : json_null ());
  if (n->reason)
    {
      g_autofree char *ru = user_name (n->reason_uid);
      json_object_set_new (r, "reason_user", json_string (ru));
    }
  else
    json_object_set_new (r, "reason_user", json_null ());
  rec_set_time (r, "reason_time", n->reason ? n->reason_time : SCHED_TIME_NEVER);
  json_object_set_new (r, "cpus", json_integer (c->cpus));
  json_object_set_new (r, "cpus_alloc", json_integer (n->cpus_alloc));
  json_object_set_new (r, "boards", json_integer (MAX (c->boards, 1u)));
  json_object_set_new (r, "sockets", json_integer (MAX (c->sockets, 1u)));
  json_object_set_new (r, "cores_per_socket", json_integer (MAX (c->cores_per_socket, 1u)));
  json_object_set_new (r, "threads_per_core", json_integer (MAX (c->threads_per_core, 1u)));
  json_object_set_new (r, "real_memory", json_integer ((json_int_t) MAX (c->real_memory_mb, 1)));
  json_object_set_new (r, "alloc_mem", json_integer ((json_int_t) n->mem_alloc));
  json_object_set_new (r, "free_mem", n->free_mem >= 0 ? json_integer (n->free_mem) : json_null ());
  json_object_set_new (r, "tmp_disk", json_integer ((json_int_t) c->tmp_disk_mb));
  json_object_set_new (r, "gres", gres ? json_string (gres) : json_null ());
  json_object_set_new (r, "gres_used", gres_used ? json_string (gres_used) : json_null ());
  json_object_set_new (r, "features", features ? json_string (features) : json_null ());
  json_object_set_new (r, "weight", json_integer (c->weight));
  json_object_set_new (r, "partitions", parts);
  json_object_set_new (r, "addr", n->addr ? json_string (n->addr) : json_null ());
  json_object_set_new (r, "hostname", json_string (n->addr ? "localhost" : c->name));
  json_object_set_new (r, "port", n->port ? json_integer (n->port) : json_null ());
  json_object_set_new (r, "cpu_load", json_real (n->load));
  rec_set_time (r, "boot_time", n->boot_time);
  rec_set_time (r, "slurmd_start_time", n->slurmd_start);
  rec_set_time (r, "last_busy", n->last_busy);
  json_object_set_new (r, "arch", json_string (n->arch ? n->arch : "x86_64"));
  json_object_set_new (r, "os", json_string (n->os ? n->os : "Linux"));
  json_object_set_new (r, "version", json_string ("0.1.0"));
  return r;
}

json_t *
partition_record (guint p)
{
  const WlSlurmPartition *wp = wl_slurmconf_partition (C->cfg->conf, p);
  gint32 sp = sched_cluster_find_partition (C->cluster, wp->name);
  const SchedPartitionSpec *ps = sp >= 0 ? sched_cluster_partition (C->cluster, sp) : NULL;
  guint64 cpus = 0, mem = 0;
  json_t *names = json_array ();
  g_autoptr (GPtrArray) nn = g_ptr_array_new ();
  for (guint i = 0; i < wp->n_nodes; i++)
    {
      const WlSlurmNode *n = wl_slurmconf_node (C->cfg->conf, wp->nodes[i]);
      cpus += n->cpus;
      mem += n->real_memory_mb;
      json_array_append_new (names, json_string (n->name));
      g_ptr_array_add (nn, n->name);
    }
  g_autofree char *hl = wl_hostlist_compress ((const char *const *) nn->pdata, nn->len);
  json_t *r = json_object ();
  json_object_set_new (r, "name", json_string (wp->name));
  json_object_set_new (r, "default", json_boolean (ps ? ps->is_default : wp->is_default));
  json_object_set_new (r, "state", json_string (wl_part_state_name (wp->state)));
  json_object_set_new (r, "max_time", json_integer (wp->max_time == WL_TIME_UNLIMITED
                                                    ? -1 : wp->max_time));
  json_object_set_new (r, "default_time",
                       wp->default_time == 0 ? json_null ()
                       : json_integer (wp->default_time == WL_TIME_UNLIMITED ? -1
                                       : wp->default_time));
  json_object_set_new (r, "max_nodes", json_integer (wp->max_nodes ? (json_int_t) wp->max_nodes : -1));
  json_object_set_new (r, "min_nodes", json_integer (wp->min_nodes));
  json_object_set_new (r, "nodes", json_string (hl));
  json_object_set_new (r, "node_names", names);
  json_object_set_new (r, "total_cpus", json_integer ((json_int_t) cpus));
  json_object_set_new (r, "total_nodes", json_integer (wp->n_nodes));
  json_object_set_new (r, "total_mem", json_integer ((json_int_t) mem));
  json_object_set_new (r, "priority_tier", json_integer (wp->priority_tier));
  json_object_set_new (r, "priority_job_factor", json_integer (wp->priority_job_factor));
  json_object_set_new (r, "oversubscribe", json_string (wp->oversubscribe ? wp->oversubscribe : "NO"));
  json_object_set_new (r, "allow_accounts", json_null ());
  json_object_set_new (r, "allow_qos", json_null ());
  json_object_set_new (r, "qos", wp->qos ? json_string (wp->qos) : json_null ());
  json_object_set_new (r, "grace_time", json_integer (0));
  json_object_set_new (r, "preempt_mode", json_string ("OFF"));
  return r;
}

void
node_set_usable (Node *n, gint64 now)
{
  gboolean down = n->admin_down || !n->responding;
  if (down && sched_core_node_status (C->core, n->idx) != SCHED_NODE_DOWN)
    sched_core_node_set_down (C->core, now, n->idx, TRUE, NULL);
  else if (!down && sched_core_node_status (C->core, n->idx) == SCHED_NODE_DOWN)
    sched_core_node_set_down (C->core, now, n->idx, FALSE, NULL);
  SchedNodeStatus st = sched_core_node_status (C->core, n->idx);
  gboolean drained = st == SCHED_NODE_DRAINING || st == SCHED_NODE_DRAINED;
  if (!down && n->drain != drained)
    sched_core_node_set_drain (C->core, now, n->idx, n->drain);
  C->need_pass = TRUE;
  schedule_flush ();
}

/* ---- starting jobs: launches of batch jobs and srun steps ---- */

/* Tasks per allocated node: block distribution over the CPUs of each node. */
static guint32 *
tasks_per_node (const Job *j, guint32 ntasks)
{
  guint32 n = j->alloc.n_nodes;
  guint32 *t = g_new0 (guint32, n);
  guint32 cpt = MAX (j->spec.cpus_per_task, 1u), left = ntasks;
  for (guint32 k = 0; k < n && left > 0; k++)
    {
      guint32 cap = MAX (j->alloc.nodes[k].cpus / cpt, 1u);
      if (j->spec.tasks_per_node > 0)
        cap = MIN (cap, j->spec.tasks_per_node);
      t[k] = MIN (cap, left);
      left -= t[k];
    }
  for (guint32 k = 0; left > 0; k = (k + 1) % n, left--)
    t[k]++;
  /* every node of the allocation runs at least one task when there are enough */
  return t;
}

static char *
tasks_per_node_string (const guint32 *t, guint32 n)
{
  GString *s = g_string_new (NULL);
  for (guint32 k = 0; k < n;)
    {
      guint32 r = 1;
      while (k + r < n && t[k + r] == t[k])
        r++;
      if (s->len)
        g_string_append_c (s, ',');
      if (r > 1)
        g_string_append_printf (s, "%u(x%u)", t[k], r);
      else
        g_string_append_printf (s, "%u", t[k]);
      k += r;
    }
  return g_string_free (s, FALSE);
}

/* The launch request for job `j` as node `k` of its allocation sees it. */
static json_t *
launch_request (Job *j, json_t *req, guint32 k)
{
  json_t *q = json_object ();
  const SchedAllocNode *an = &j->alloc.nodes[k];
  json_object_set_new (q, "job_id", json_integer (j->id));
  json_object_set_new (q, "array_job_id", json_integer (j->array_job_id));
  json_object_set_new (q, "array_task_id", j->task >= 0 ? json_integer (j->task) : json_null ());
  json_object_set_new (q, "name", json_string (j->name));
  json_object_set_new (q, "user", json_string (j->user));
  json_object_set_new (q, "uid", json_integer (j->uid));
  json_object_set_new (q, "gid", json_integer (j->gid));
  json_t *script = json_object_get (req, "script");
  if (script)
    json_object_set (q, "script", script);
  json_t *sargv = json_object_get (req, "script_argv");
  if (json_is_array (sargv))
    json_object_set (q, "script_argv", sargv);
  json_object_set_new (q, "workdir", json_string (j->workdir));
  json_t *env = json_object_get (req, "environment");
  json_object_set_new (q, "environment", json_is_array (env) ? json_incref (env) : json_array ());
  json_t *o = json_object_get (req, "stdout"), *e = json_object_get (req, "stderr");
  json_t *in = json_object_get (req, "stdin");
  if (json_is_string (o))
    json_object_set (q, "stdout", o);
  if (json_is_string (e))
    json_object_set (q, "stderr", e);
  if (json_is_string (in))
    json_object_set (q, "stdin", in);
  json_t *sig = json_object_get (req, "signal");   /* --signal: the node warns the job */
  if (json_is_object (sig))
    json_object_set (q, "signal", sig);
  json_object_set_new (q, "time_limit", json_integer (j->time_limit_rec > 0 ? j->time_limit_rec
                                                                         : -1));
  json_object_set_new (q, "start_time", json_integer (j->start));
  json_object_set_new (q, "kill_wait", json_integer (C->cfg->kill_wait));
  json_object_set_new (q, "partition", json_string (job_partition_name (j)));
  json_object_set_new (q, "cluster", json_string (C->cfg->cluster_name));
  g_autofree char *hl = job_nodes_string (j);
  json_object_set_new (q, "nodes", str_or_null (hl));
  json_t *names = json_array ();
  for (guint32 i = 0; i < j->alloc.n_nodes; i++)
    json_array_append_new (names, json_string (C->nodes[j->alloc.nodes[i].node].conf->name));
  json_object_set_new (q, "node_names", names);
  json_object_set_new (q, "num_nodes", json_integer (j->alloc.n_nodes));
  json_object_set_new (q, "node_id", json_integer (k));
  json_object_set_new (q, "ntasks", json_integer (j->spec.tasks));
  if (j->spec.tasks_per_node > 0)
    json_object_set_new (q, "ntasks_per_node", json_integer (j->spec.tasks_per_node));
  json_object_set_new (q, "cpus_per_task", json_integer (j->spec.cpus_per_task));
  json_object_set_new (q, "cpus_on_node", json_integer (an->cpus));
  g_autofree guint32 *tpn = tasks_per_node (j, j->spec.tasks);
  g_autofree char *tpns = tasks_per_node_string (tpn, j->alloc.n_nodes);
  json_object_set_new (q, "tasks_per_node", json_string (tpns));
  g_autofree guint32 *cpn = g_new0 (guint32, j->alloc.n_nodes);
  for (guint32 i = 0; i < j->alloc.n_nodes; i++)
    cpn[i] = j->alloc.nodes[i].cpus;
  g_autofree char *cpns = tasks_per_node_string (cpn, j->alloc.n_nodes);
  json_object_set_new (q, "cpus_per_node", json_string (cpns));
  json_t *g = json_array ();
  GArray *ids = j->gpu_ids ? j->gpu_ids->pdata[k] : NULL;
  for (guint i = 0; ids && i < ids->len; i++)
    json_array_append_new (g, json_integer (g_array_index (ids, guint32, i)));
  json_object_set_new (q, "gpu_ids", g);
  json_object_set_new (q, "mem_per_node_mb", json_integer (j->mem_per_node_rec));
  json_object_set_new (q, "mem_per_cpu_mb", json_integer (j->mem_per_node_rec > 0 ? 0
                                                          : j->mem_per_cpu_rec > 0 ? j->mem_per_cpu_rec
                                                          : C->mem_per_cpu));
  json_object_set_new (q, "submit_dir", json_string (j->workdir));
  json_object_set_new (q, "submit_host", json_string (j->submit_host ? j->submit_host : "localhost"));
  json_object_set_new (q, "account", str_or_null (j->account));
  json_object_set_new (q, "qos", str_or_null (j->qos));
  json_object_set_new (q, "conf", json_string (C->cfg->path));
  g_autofree char *ctld = g_strdup_printf ("%s:%u", C->cfg->ctld_addr, C->cfg->ctld_port);
  json_object_set_new (q, "ctld", json_string (ctld));
  return q;
}

static void
launch_step (Job *j, Step *s, json_t *argv, guint32 ntasks)
{
  g_autoptr (json_t) req = job_request (j);
  g_autofree guint32 *tpn = tasks_per_node (j, ntasks);
  guint32 first = 0;
  s->n_tasks = ntasks;
  s->n_left = ntasks;
  guint32 used_nodes = 0;
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    used_nodes += tpn[k] > 0;
  g_autoptr (GPtrArray) step_names = g_ptr_array_new ();
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    if (tpn[k] > 0)
      g_ptr_array_add (step_names, (gpointer) C->nodes[j->alloc.nodes[k].node].conf->name);
  g_autofree char *step_nodes = wl_hostlist_compress ((const char *const *) step_names->pdata,
                                                      step_names->len);
  g_autofree char *step_tpn = tasks_per_node_string (tpn, j->alloc.n_nodes);
  s->start = now_s ();
  g_free (s->name);
  const char *cmd = json_string_value (json_array_get (argv, 0));
  s->name = g_path_get_basename (cmd ? cmd : "");
  g_free (s->nodes);
  s->nodes = g_strdup (step_nodes);
  s->num_nodes = used_nodes;
  s->cpus = 0;
  if (s->node_idx == NULL)
    s->node_idx = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_array_set_size (s->node_idx, 0);
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    if (tpn[k] > 0)
      {
        s->cpus += MIN (j->alloc.nodes[k].cpus, tpn[k] * MAX (j->spec.cpus_per_task, 1u));
        g_array_append_val (s->node_idx, j->alloc.nodes[k].node);
      }
  job_changed (j);
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    {
      if (tpn[k] == 0)
        continue;
      Node *n = node_of (j->alloc.nodes[k].node);
      json_t *q = launch_request (j, req, k);
      json_object_set_new (q, "step_id", json_integer (s->id));
      json_object_set (q, "argv", argv);
      json_t *tids = json_array ();
      for (guint32 t = 0; t < tpn[k]; t++)
        json_array_append_new (tids, json_integer (first + t));
      first += tpn[k];
      json_object_set_new (q, "task_ids", tids);
      json_object_set_new (q, "step_ntasks", json_integer (ntasks));
      json_object_set_new (q, "step_nodes", json_string (step_nodes));
      json_object_set_new (q, "step_num_nodes", json_integer (used_nodes));
      json_object_set_new (q, "step_tasks_per_node", json_string (step_tpn));
      if (s->input)
        json_object_set_new (q, "input", json_true ());
      if (s->pty)
        json_object_set_new (q, "pty", json_true ());
      if (s->rows > 0 && s->cols > 0)
        {
          json_object_set_new (q, "rows", json_integer (s->rows));
          json_object_set_new (q, "cols", json_integer (s->cols));
        }
      if (n->conn && n->responding)
        rn_conn_send (n->conn, "step_launch", 0, q);
      else
        {
          s->n_left -= tpn[k];
          s->max_exit = MAX (s->max_exit, 1);
        }
      json_decref (q);
    }
}

static void
step_done (Job *j, Step *s)
{
  if (s->client)
    {
      rn_conn_send_new (s->client, "step_done", s->seq,
                        json_pack ("{s:i,s:i,s:i,s:i}", "job_id", j->id, "step_id", s->id,
                                   "exit_code", s->max_exit, "signal", s->max_signal));
    }
  gboolean whole_job = j->interactive && s->id == 0;
  int code = s->max_exit, sig = s->max_signal;
  step_account (j, s, j->completing && sig != 0 ? "CANCELLED"
                      : code == 0 && sig == 0 ? "COMPLETED" : "FAILED", now_s ());
  job_changed (j);
  g_ptr_array_remove (j->steps, s);
  if (whole_job && j->state == SCHED_JOB_RUNNING)
    job_finish (j, j->completing ? SCHED_JOB_CANCELLED
                   : code == 0 && sig == 0 ? SCHED_JOB_COMPLETED : SCHED_JOB_FAILED,
                code, sig, now_s ());
}

void
launch_job (Job *j)
{
  if (j->state != SCHED_JOB_RUNNING || j->completing)
    return;
  if (j->interactive)
    {
      Step *s = j->steps && j->steps->len ? j->steps->pdata[0] : NULL;
      if (s == NULL)
        return;
      g_autofree char *hl = job_nodes_string (j);
      if (s->client)
        rn_conn_send_new (s->client, "alloc_started", s->seq,
                          json_pack ("{s:i,s:s}", "job_id", j->id, "nodes", hl ? hl : ""));
      g_autoptr (json_t) req = job_request (j);
      json_t *iv = json_object_get (req, "interactive");
      launch_step (j, s, json_object_get (iv, "argv"), j->spec.tasks);
      if (s->n_left == 0)
        step_done (j, s);
      return;
    }
  Node *n = node_of (j->alloc.nodes[0].node);
  if (n->conn == NULL || !n->responding)
    {
      rn_log ("job %u: node %s is not responding: NODE_FAIL", j->id, n->conf->name);
      job_finish (j, SCHED_JOB_NODE_FAIL, 0, 0, now_s ());
      return;
    }
  g_autoptr (json_t) req = job_request (j);
  json_t *q = launch_request (j, req, 0);
  rn_conn_send (n->conn, "launch", 0, q);
  json_decref (q);
}

/* ---- ending jobs ---- */

void
job_finish (Job *j, SchedJobState state, int exit_code, int sig, gint64 when)
{
  if (sched_job_state_is_final (j->state))
    return;
  gint64 now = now_s ();
  if (j->state == SCHED_JOB_RUNNING)
    {
      sched_core_job_ended (C->core, now, j->core_id, state);
      node_alloc (&j->alloc, &j->gpu_ids, FALSE, now);
    }
  else if (j->in_core)
    sched_core_cancel (C->core, now, j->core_id);
  g_hash_table_remove (C->by_core, GUINT_TO_POINTER (j->core_id));
  j->in_core = FALSE;
  j->state = state;
  submit_count_add (j, -1);
  j->completing = FALSE;
  j->end = when > 0 ? when : now;
  if (j->start != SCHED_TIME_NEVER && j->end < j->start)
    j->end = j->start;
  j->exit_code = exit_code;
  j->exit_signal = sig;
  while (j->steps && j->steps->len > 0)
    {
      Step *s = j->steps->pdata[0];
      if (s->start > 0)
        step_account (j, s, state == SCHED_JOB_COMPLETED ? "COMPLETED"
                            : state == SCHED_JOB_FAILED ? "FAILED"
                            : state == SCHED_JOB_NODE_FAIL ? "NODE_FAIL" : "CANCELLED", j->end);
      if (s->client)
        rn_conn_send_new (s->client, "step_done", s->seq,
                          json_pack ("{s:i,s:i,s:i,s:i,s:s}", "job_id", j->id, "step_id", s->id,
                                     "exit_code", exit_code, "signal", sig,
                                     "state", sched_job_state_name (state)));
      g_ptr_array_remove_index (j->steps, 0);
    }
  job_changed (j);
  C->need_eligibility = TRUE;
  C->need_pass = TRUE;
  schedule_flush ();
}

void
job_requeue_now (Job *j, gint64 now)
{
  if (j->state == SCHED_JOB_RUNNING)
    {
      sched_core_job_ended (C->core, now, j->core_id, SCHED_JOB_CANCELLED);
      node_alloc (&j->alloc, &j->gpu_ids, FALSE, now);
    }
  else if (j->in_core)
    sched_core_cancel (C->core, now, j->core_id);
  g_hash_table_remove (C->by_core, GUINT_TO_POINTER (j->core_id));
  sched_alloc_clear (&j->alloc);
  g_clear_pointer (&j->gpu_ids, g_ptr_array_unref);
  j->in_core = FALSE;
  j->completing = FALSE;
  if (sched_job_state_is_final (j->state))
    submit_count_add (j, +1);
  j->state = SCHED_JOB_PENDING;
  j->start = j->end = SCHED_TIME_NEVER;
  j->exit_code = j->exit_signal = 0;
  g_clear_pointer (&j->step_recs, json_decref);   /* sacct shows the latest run's steps */
  j->next_step = 0;
  j->restarts++;
  j->requeue_pending = FALSE;
  g_ptr_array_add (C->waiting, j);
  j->wait_reason = "BeginTime";
  job_changed (j);
  C->need_eligibility = TRUE;
  schedule_flush ();
}

void
send_signal (Job *j, int sig, gboolean cancel)
{
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    {
      Node *n = node_of (j->alloc.nodes[k].node);
      if (n->conn)
        rn_conn_send_new (n->conn, "signal", 0,
                          json_pack ("{s:i,s:i,s:b}", "job_id", j->id, "signal", sig,
                                     "cancel", cancel));
    }
}

/* Cancels `j` on behalf of `uid`; FALSE with a message when it cannot. */
gboolean
job_cancel (Job *j, guint32 uid, int sig, gboolean full, GError **error)
{
  if (sched_job_state_is_final (j->state) || j->completing)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_ALREADY_DONE,
                   "Job/step already completing or completed");
      return FALSE;
    }
  if (j->state == SCHED_JOB_PENDING)
    {
      j->cancelled_by = uid;
      job_finish (j, SCHED_JOB_CANCELLED, 0, 0, now_s ());
      return TRUE;
    }
  if (!full)
    {
      send_signal (j, sig, FALSE);
      return TRUE;
    }
  j->completing = TRUE;
  j->exit_signal = sig;
  j->end = now_s ();
  j->cancelled_by = uid;
  send_signal (j, sig, TRUE);
  gboolean any = FALSE;
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    any |= node_of (j->alloc.nodes[k].node)->conn != NULL;
  if (!any)
    job_finish (j, SCHED_JOB_CANCELLED, 0, sig, now_s ());
  else
    job_changed (j);
  return TRUE;
}

/* ---- node daemons ---- */

static void
node_conn_closed (RnConn *conn, const char *reason, gpointer data)
{
  (void) data;
  Node *n = rn_conn_get_data (conn);
  if (n == NULL || n->conn != conn)
    return;
  rn_log ("node %s: connection closed (%s)", n->conf->name, reason ? reason : "");
  n->conn = NULL;
  n->responding = FALSE;
  node_set_usable (n, now_s ());
  rn_conn_unref (conn);
}

static Job *
job_running_here (guint32 id, const Node *n)
{
  Job *j = job_lookup (id);
  if (j == NULL || j->state != SCHED_JOB_RUNNING)
    return NULL;
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    if (j->alloc.nodes[k].node == n->idx)
      return j;
  return NULL;
}

void
handle_register (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  const char *name = NULL;
  gint64 port = 0, cpus = 0, boot = 0;
  json_t *running = json_object_get (msg->body, "running");
  if (!rn_body_get_string (msg->body, "name", TRUE, &name, &err)
      || !rn_body_get_int (msg->body, "port", FALSE, 0, 65535, &port, &err)
      || !rn_body_get_int (msg->body, "cpus", FALSE, 0, 1 << 20, &cpus, &err)
      || !rn_body_get_int (msg->body, "boot_time", FALSE, 0, G_MAXINT64, &boot, &err)
      || (running && !json_is_array (running)))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "register: %s",
                   err ? err->message : "field \"running\": expected an array");
      rn_conn_close (conn);
      return;
    }
  Node *n = g_hash_table_lookup (C->node_by_name, name);
  if (n == NULL)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE,
                   "Invalid node name specified: %s is not in %s", name, C->cfg->path);
      rn_conn_close (conn);
      return;
    }
  gint64 now = now_s ();
  if (n->conn && n->conn != conn)
    {
      RnConn *old = n->conn;
      n->conn = NULL;
      rn_conn_set_data (old, NULL);
      rn_conn_close (old);
      rn_conn_unref (old);
    }
  if (n->conn != conn)
    {
      n->conn = rn_conn_ref (conn);
      rn_conn_set_data (conn, n);
      rn_conn_set_close_func (conn, node_conn_closed, NULL);
    }
  n->registered = TRUE;
  n->responding = TRUE;
  n->last_heard = now;
  n->port = (guint) port;
  g_free (n->addr);
  n->addr = g_strdup (rn_conn_peer_host (conn) ? rn_conn_peer_host (conn) : "127.0.0.1");
  n->boot_time = boot;
  n->slurmd_start = now;
  if (cpus > 0 && cpus < n->conf->cpus)
    rn_log ("node %s: has %" G_GINT64_FORMAT " CPUs, configured with %u", name, cpus,
            n->conf->cpus);
  /* reconcile: what the node runs against what we think it runs */
  GHashTable *there = g_hash_table_new (NULL, NULL);
  size_t i;
  json_t *v;
  json_array_foreach (running, i, v)
    if (json_is_integer (v))
      {
        guint32 id = (guint32) json_integer_value (v);
        g_hash_table_add (there, GUINT_TO_POINTER (id));
        if (job_running_here (id, n) == NULL)
          rn_conn_send_new (conn, "signal", 0,
                            json_pack ("{s:i,s:i,s:b}", "job_id", id, "signal", SIGKILL,
                                       "cancel", TRUE));
      }
  for (guint k = 0; k < C->jobs->len; k++)
    {
      Job *j = C->jobs->pdata[k];
      if (j->dead || j->state != SCHED_JOB_RUNNING || j->interactive || j->alloc.n_nodes == 0
          || j->alloc.nodes[0].node != n->idx
          || g_hash_table_contains (there, GUINT_TO_POINTER (j->id)))
        continue;
      gboolean just_started = g_ptr_array_find (C->pending_launch, j, NULL);
      if (!just_started)
        {
          rn_log ("job %u: node %s registered without it: NODE_FAIL", j->id, name);
          job_finish (j, SCHED_JOB_NODE_FAIL, 0, 0, now);
        }
    }
  g_hash_table_destroy (there);
  node_set_usable (n, now);
  rn_log ("node %s registered from %s", name, rn_conn_peer_name (conn));
  rn_conn_send_new (conn, "registered", msg->seq,
                    json_pack ("{s:I}", "heartbeat", (json_int_t) C->cfg->heartbeat));
}

static Node *
node_of_conn (RnConn *conn, RnMsg *msg)
{
  Node *n = rn_conn_get_data (conn);
  if (n == NULL || n->conn != conn)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "%s: register first", msg->type);
      rn_conn_close (conn);
      return NULL;
    }
  n->last_heard = now_s ();
  return n;
}

void
handle_heartbeat (RnConn *conn, RnMsg *msg)
{
  Node *n = node_of_conn (conn, msg);
  if (n == NULL)
    return;
  json_t *load = json_object_get (msg->body, "load");
  json_t *fm = json_object_get (msg->body, "free_mem");
  if (json_is_number (load))
    n->load = json_number_value (load);
  if (json_is_integer (fm))
    n->free_mem = json_integer_value (fm);
  if (!n->responding)
    {
      n->responding = TRUE;
      node_set_usable (n, now_s ());
    }
  rn_conn_send_new (conn, "ok", msg->seq, json_object ());
}

static SchedJobState
state_from_string (const char *s)
{
  for (int i = SCHED_JOB_COMPLETED; i < SCHED_JOB_N_STATES; i++)
    if (g_strcmp0 (s, sched_job_state_name (i)) == 0)
      return i;
  return SCHED_JOB_FAILED;
}

void
handle_job_exit (RnConn *conn, RnMsg *msg)
{
  Node *n = node_of_conn (conn, msg);
  if (n == NULL)
    return;
  g_autoptr (GError) err = NULL;
  gint64 id = 0, code = 0, sig = 0, end = 0, rss = 0;
  const char *state = NULL;
  if (!rn_body_get_int (msg->body, "job_id", TRUE, 1, G_MAXUINT32, &id, &err)
      || !rn_body_get_string (msg->body, "state", TRUE, &state, &err)
      || !rn_body_get_int (msg->body, "exit_code", FALSE, 0, 255, &code, &err)
      || !rn_body_get_int (msg->body, "signal", FALSE, 0, 128, &sig, &err)
      || !rn_body_get_int (msg->body, "end_time", FALSE, 0, G_MAXINT64, &end, &err)
      || !rn_body_get_int (msg->body, "max_rss_kb", FALSE, 0, G_MAXINT64, &rss, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "job_exit: %s", err->message);
      return;
    }
  Job *j = job_running_here ((guint32) id, n);
  if (j == NULL)
    {
      rn_conn_send_new (conn, "ok", msg->seq, json_object ());
      return;
    }
  json_t *cpu = json_object_get (msg->body, "cpu_seconds");
  if (json_is_number (cpu))
    j->cpu_seconds = json_number_value (cpu);
  j->max_rss_kb = rss;
  if (j->requeue_pending)
    job_requeue_now (j, now_s ());
  else
    {
      SchedJobState st = j->completing ? SCHED_JOB_CANCELLED : state_from_string (state);
      if (st == SCHED_JOB_COMPLETED && (code != 0 || sig != 0))
        st = SCHED_JOB_FAILED;
      job_finish (j, st, (int) code, j->completing ? j->exit_signal : (int) sig, end);
    }
  reply_later (conn, msg->seq, "ok", json_object ());
}

static Step *
find_step (Job *j, guint32 step_id)
{
  for (guint i = 0; j->steps && i < j->steps->len; i++)
    if (((Step *) j->steps->pdata[i])->id == step_id)
      return j->steps->pdata[i];
  return NULL;
}

void
handle_io (RnConn *conn, RnMsg *msg, gboolean is_exit)
{
  Node *n = node_of_conn (conn, msg);
  if (n == NULL)
    return;
  json_t *jid = json_object_get (msg->body, "job_id"), *sid = json_object_get (msg->body, "step_id");
  if (!json_is_integer (jid) || !json_is_integer (sid))
    return;
  Job *j = job_lookup ((guint32) json_integer_value (jid));
  if (j == NULL)
    return;
  Step *s = find_step (j, (guint32) json_integer_value (sid));
  if (s == NULL)
    return;
  json_t *b = json_deep_copy (msg->body);
  json_object_set_new (b, "node", json_string (n->conf->name));
  if (s->client)
    rn_conn_send (s->client, is_exit ? "task_exit" : "io", s->seq, b);
  if (is_exit)
    {
      json_t *ec = json_object_get (b, "exit_code"), *sg = json_object_get (b, "signal");
      s->max_exit = MAX (s->max_exit, json_is_integer (ec) ? (int) json_integer_value (ec) : 1);
      s->max_signal = MAX (s->max_signal, json_is_integer (sg) ? (int) json_integer_value (sg) : 0);
      if (s->n_left > 0 && --s->n_left == 0)
        step_done (j, s);
    }
  json_decref (b);
}

void
srun_closed (RnConn *conn, const char *reason, gpointer data)
{
  (void) reason;
  (void) data;
  for (guint i = 0; i < C->jobs->len; i++)
    {
      Job *j = C->jobs->pdata[i];
      for (guint k = 0; j->steps && k < j->steps->len; k++)
        {
          Step *s = j->steps->pdata[k];
          if (s->client != conn)
            continue;
          rn_conn_unref (s->client);
          s->client = NULL;
          if (j->interactive && s->id == 0 && !sched_job_state_is_final (j->state))
            job_cancel (j, j->uid, SIGKILL, TRUE, NULL);
        }
    }
}

void
handle_step (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  gint64 id = 0, ntasks = 0;
  json_t *argv = json_object_get (msg->body, "argv");
  gboolean label = FALSE;
  if (!rn_body_get_int (msg->body, "job_id", TRUE, 1, G_MAXUINT32, &id, &err)
      || !rn_body_get_int (msg->body, "ntasks", FALSE, 0, 1 << 20, &ntasks, &err)
      || !rn_body_get_bool (msg->body, "label", FALSE, &label, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "step: %s", err->message);
      return;
    }
  if (!json_is_array (argv) || json_array_size (argv) == 0)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "step: field \"argv\": expected a command");
      return;
    }
  Job *j = job_lookup ((guint32) id);
  if (j == NULL || j->state != SCHED_JOB_RUNNING || j->completing)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB,
                   "Job %" G_GINT64_FORMAT " is not running", id);
      return;
    }
  if (!may_act_on (msg->peer.uid, j))
    {
      reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
      return;
    }
  if (j->steps == NULL)
    j->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  Step *s = g_new0 (Step, 1);
  s->job = j;
  s->id = j->next_step++;
  s->client = rn_conn_ref (conn);
  s->seq = msg->seq;
  s->label = label;
  step_read_input (s, msg->body);
  g_ptr_array_add (j->steps, s);
  rn_conn_set_close_func (conn, srun_closed, NULL);
  rn_conn_send_new (conn, "step_started", msg->seq,
                    json_pack ("{s:i,s:i}", "job_id", j->id, "step_id", s->id));
  launch_step (j, s, argv, ntasks > 0 ? (guint32) ntasks : j->spec.tasks);
  if (s->n_left == 0)
    step_done (j, s);
}

/* srun's input ("stdin") or terminal size ("winsize", --pty) for its step: forwarded to
 * the nodes the step runs on.  Only the srun that started the step may send them. */
void
handle_step_forward (RnConn *conn, RnMsg *msg)
{
  gboolean winsize = g_str_equal (msg->type, "winsize");
  json_t *b = msg->body;
  Job *j = job_lookup ((guint32) json_integer_value (json_object_get (b, "job_id")));
  Step *s = j ? find_step (j, (guint32) json_integer_value (json_object_get (b, "step_id")))
              : NULL;
  if (s == NULL || s->client != conn || !(winsize ? s->pty : s->input))
    return;   /* a step that ended meanwhile, or not this client's: dropped */
  for (guint i = 0; s->node_idx && i < s->node_idx->len; i++)
    {
      Node *n = node_of (g_array_index (s->node_idx, guint32, i));
      if (n->conn && n->responding)
        rn_conn_send (n->conn, msg->type, 0, b);
    }
}
