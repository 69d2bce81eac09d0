/* SPDX-License-Identifier: MIT */
/* realnet/ctld.c - the controller: owns the queue, runs the scheduler core on a GLib main
 * loop, launches jobs on node daemons and records everything durably.
 *
 * Flow.  Requests arrive on the Unix socket (users, identified by the kernel) and on TCP
 * (node daemons and remote clients, frames signed with the cluster key).  Each one is
 * handled at once in memory; what must be durable (new jobs, state changes) is queued in
 * the store.  One "flush" per main-loop iteration then makes jobs eligible (holds,
 * dependencies, begin times, array throttles), runs a scheduling pass, commits the store
 * once (group commit) and only then sends the replies and the launches.  A job is
 * therefore acknowledged only once durable, and a job the controller launched is durable
 * as running before its node hears of it.
 *
 * The core (sched/) sees only eligible pending jobs and running ones; jobs held, waiting on
 * a dependency, a begin time or an array throttle wait here with their Slurm reason.
 * Each task of an array has its own job id from submission (the array's id for the first
 * task, the next ids for the others); pending tasks show together as 7_[0-9].
 *
 * Nodes come from slurm.conf and are DOWN (not responding) until their noded registers on
 * its persistent TCP connection; launches, signals and srun steps go down that connection.
 * A node silent for SlurmdTimeout seconds is marked down and its jobs end NODE_FAIL.
 *
 * At restart the controller reads back every unfinished job: pending ones queue again,
 * running ones are adopted by the core on their old allocation and reconciled when their
 * node registers (a job its node no longer runs ends NODE_FAIL). */
#include "realnet/ctld.h"

#include <errno.h>
#include <glib-unix.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "realnet/config.h"
#include "realnet/conn.h"
#include "realnet/fmt.h"
#include "realnet/launch.h"
#include "realnet/log.h"
#include "realnet/proto.h"
#include "realnet/store.h"
#include "realnet/validate.h"
#include "sched/core.h"
#include "sched/policy.h"
#include "workloads/hostlist.h"
#include "workloads/assoc.h"
#include "workloads/jobextra.h"
#include "workloads/slurmconf.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

#define PRIO_BASE 4294901760u   /* Slurm's priority/basic: job 1 gets PRIO_BASE - 1 */
#define UNLIMITED_SECONDS (365 * 86400)

typedef enum { HOLD_NONE = 0, HOLD_USER, HOLD_ADMIN } HoldKind;

typedef struct Step Step;
static json_t *step_record (const Step *s, const char *state, gint64 end);

typedef struct {
  guint32       id;            /* job id */
  guint32       core_id;       /* id in the core (the job id) */
  guint32       array_job_id;  /* 0 if not an array task */
  gint32        task;          /* array task index, -1 */
  guint32       array_throttle;
  guint32       uid, gid;
  char         *user;
  char         *req_text;      /* the request as submitted, compact JSON (script, environment
                                * ...): parsed again only to launch and to restore */
  /* what the record shows beyond the fields below (the record is built on demand) */
  char         *name, *workdir, *account, *qos, *features, *dependency, *command;
  char         *out_path, *err_path, *in_path;
  char         *submit_host;
  gint64        time_limit_rec;  /* seconds, -1 = UNLIMITED */
  gint64        mem_per_cpu_rec, mem_per_node_rec, gpus_req;
  gint32        nice;
  gboolean      requeue_ok;
  guint32       restarts;
  gboolean      requeue_pending; /* scontrol requeue of a running job: back to pending */
  gint64        cancelled_by;    /* uid, -1 if not cancelled */
  double        cpu_seconds;
  gint64        max_rss_kb;
  SchedTime     last_sched_eval;
  gboolean      store_queued;    /* in C->to_store */
  gboolean      request_stored;  /* req_text is in the store's requests table */
  SchedQosId    run_qos;         /* the QOS it runs under (submit counts) */
  gboolean      warm_queued;     /* in C->warm_queue */
  char         *line[2];         /* cached squeue lines (default, -l formats) */
  const char   *line_reason[2];
  SchedJobSpec  spec;
  SchedJobState state;
  gboolean      in_core;
  gboolean      completing;    /* cancelled while running: waiting for the node's report */
  gboolean      interactive;   /* srun allocation: the job is its step 0 */
  HoldKind      hold;
  SchedTime     begin;
  GArray       *deps;          /* WlDependency, NULL if none */
  gboolean      deps_any;
  const char   *wait_reason;   /* reason while waiting outside the core */
  SchedTime     submit, eligible, start, end;
  SchedAlloc    alloc;
  GPtrArray    *gpu_ids;       /* per alloc node: GArray of guint32, NULL if no GPUs */
  GPtrArray    *steps;         /* Step*: running steps */
  json_t       *step_recs;     /* the ended steps' accounting records (array), NULL if none */
  guint32       next_step;
  int           exit_code, exit_signal;
  gboolean      refused;       /* the core can never run it (PartitionConfig, a hard limit):
                                * it stays pending, and is not offered to the core again */
  gboolean      dead;          /* purged from memory */
} Job;

struct Step {
  Job     *job;
  guint32  id;
  RnConn  *client;   /* srun's connection (a ref), NULL once gone */
  gint64   seq;
  guint    n_tasks;
  guint    n_left;
  int      max_exit;
  int      max_signal;
  gboolean label;
  /* srun's input: forwarded to the step's tasks ("stdin"), task 0 on a terminal ("pty") */
  gboolean input, pty;
  gint64   rows, cols;
  GArray  *node_idx;   /* guint32: the nodes the step runs on */
  /* for accounting (sacct, squeue -s) */
  gint64   start;
  char    *name;       /* the command's base name */
  char    *nodes;      /* the nodes it runs on (hostlist) */
  guint32  num_nodes;
  guint32  cpus;
};

typedef struct {
  guint               idx;
  const WlSlurmNode  *conf;
  RnConn             *conn;          /* the registered noded's connection (a ref) */
  gboolean            registered;    /* ever since this controller started */
  gboolean            responding;
  gint64              last_heard;
  gint64              boot_time, slurmd_start, last_busy;
  char               *addr;
  guint               port;
  guint32             cpus_alloc;
  guint64             mem_alloc;
  guint64             gpu_used;      /* bit i: GPU i allocated */
  guint32             gpus_alloc;
  gboolean            drain;
  gboolean            admin_down;
  char               *reason;
  guint32             reason_uid;
  gint64              reason_time;
  double              load;
  gint64              free_mem;
  char               *os, *arch;
} Node;

typedef struct {
  RnConn *conn;
  gint64  seq;
  char   *type;
  json_t *body;     /* transfer full */
} Reply;

typedef struct {
  GBytes  *body;      /* a jobs_text reply's attachment, shared by the replies in flight */
  guint64  gen;       /* C->text_gen when it was rendered */
  gint64   time;      /* and the second */
  gboolean running;   /* it shows running jobs (their TIME moves every second) */
} TextCache;

typedef struct {
  RnConfig      *cfg;
  RnKey          key;
  RnNet         *net;
  RnStore       *store;
  SchedCluster  *cluster;
  SchedCore     *core;
  GMainLoop     *loop;
  Node          *nodes;
  guint          n_nodes;
  GHashTable    *node_by_name;   /* name -> Node* */
  GHashTable    *by_id;          /* public id -> Job* (array pending tasks: not here) */
  GHashTable    *by_core;        /* core id -> Job* */
  GHashTable    *arrays;         /* array job id -> GPtrArray of Job* (every task) */
  GPtrArray     *jobs;           /* every job in memory, submission order */
  GPtrArray     *waiting;        /* pending jobs outside the core */
  guint32        next_id;
  guint32        stored_next_id;   /* the next_id the store holds */
  GHashTable    *submit_counts;    /* (uid << 32 | QOS id) -> jobs not yet ended, for
                                    * MaxSubmitJobsPerUser: held and dependent jobs
                                    * count, which the core has not seen */
  gint64         mem_per_cpu;    /* DefMemPerCPU or the first node's RealMemory / CPUs */
  GArray        *pending_replies;  /* Reply, sent after the next commit */
  GPtrArray     *pending_launch;   /* Job*, launched after the next commit */
  GPtrArray     *to_store;         /* Job* whose record is written at the next flush */
  guint          flush_source;
  guint          warm_source;      /* idle: renders stale squeue lines ahead of time */
  GPtrArray     *warm_queue;       /* Job* whose squeue line went stale */
  guint64        text_gen;         /* bumped by every change a job list can show */
  TextCache      text_cache[2];    /* the last unfiltered squeue text, per format */
  guint          pass_timer;
  SchedTime      pass_at;
  gboolean       need_pass;
  gboolean       need_eligibility;
  guint64        n_submitted;
  gboolean       multifactor;      /* PriorityType=priority/multifactor */
} Ctld;

static Ctld *C;

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}


static void schedule_flush (void);
static void job_finish (Job *j, SchedJobState state, int exit_code, int sig, gint64 when);

/* ---- users ---- */

/* Names of uids and gids, looked up once each (a passwd/group lookup per submission reads
 * the NSS files every time).  A name that changes later shows in jobs submitted after a
 * controller restart. */
static char *
cached_name (GHashTable **cache, guint32 id, gboolean user)
{
  if (*cache == NULL)
    *cache = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  const char *hit = g_hash_table_lookup (*cache, GUINT_TO_POINTER (id));
  if (hit)
    return g_strdup (hit);
  char *name = NULL;
  if (user)
    {
      struct passwd *pw = getpwuid (id);
      name = pw ? g_strdup (pw->pw_name) : g_strdup_printf ("%u", id);
    }
  else
    {
      struct group *gr = getgrgid (id);
      name = gr ? g_strdup (gr->gr_name) : g_strdup_printf ("%u", id);
    }
  g_hash_table_insert (*cache, GUINT_TO_POINTER (id), g_strdup (name));
  return name;
}

static GHashTable *user_names, *group_names;

static char *
user_name (guint32 uid)
{
  return cached_name (&user_names, uid, TRUE);
}

static char *
group_name (guint32 gid)
{
  return cached_name (&group_names, gid, FALSE);
}

/* A user filter entry as job records name users: Slurm's -u takes names or uids. */
static char *
user_filter_name (const char *entry)
{
  guint64 uid;
  if (g_ascii_string_to_unsigned (entry, 10, 0, G_MAXUINT32, &uid, NULL))
    return user_name ((guint32) uid);
  return g_strdup (entry);
}

/* user_filter_name on every entry of `users` (transfer full; NULL: none): a new array that
 * owns its strings. */
static GPtrArray *
user_filter_names (GPtrArray *users)
{
  if (users == NULL)
    return NULL;
  GPtrArray *named = g_ptr_array_new_full (users->len + 1, g_free);
  for (guint i = 0; i < users->len; i++)
    g_ptr_array_add (named, user_filter_name (users->pdata[i]));
  g_ptr_array_unref (users);
  return named;
}

/* ---- job records ---- */

static const char *
state_name (const Job *j)
{
  return sched_job_state_name (j->state);
}

static void
rec_set_time (json_t *rec, const char *key, SchedTime t)
{
  json_object_set_new (rec, key, t == SCHED_TIME_NEVER || t <= 0 ? json_null ()
                                                                  : json_integer (t));
}

static const char *
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

static guint32
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
static char *
job_nodes_string (const Job *j)
{
  if (j->alloc.n_nodes == 0)
    return NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  for (guint32 k = 0; k < j->alloc.n_nodes; k++)
    g_ptr_array_add (names, (gpointer) C->nodes[j->alloc.nodes[k].node].conf->name);
  return wl_hostlist_compress ((const char *const *) names->pdata, names->len);
}

static const char *
job_state_word (const Job *j)
{
  return j->completing ? "CANCELLED" : state_name (j);
}

static const char *
job_partition_name (const Job *j)
{
  return sched_cluster_partition (C->cluster, j->spec.partition)->name;
}

static json_t *
str_or_null (const char *s)
{
  return s ? json_string (s) : json_null ();
}

/* The job record of docs/realnet.md as of `now` (transfer full). */
static json_t *
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
  rec_set_time (r, "eligible_time", j->hold != HOLD_NONE ? SCHED_TIME_NEVER : j->eligible);
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
static void
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
static json_t *
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

static void
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
static void
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

static void
job_changed (Job *j)
{
  job_update_record (j);
  job_store (j);
}

/* ---- replies ---- */

static void
reply_later (RnConn *conn, gint64 seq, const char *type, json_t *body)
{
  Reply r = { rn_conn_ref (conn), seq, g_strdup (type), body };
  g_array_append_val (C->pending_replies, r);
  schedule_flush ();
}

static void
reply_error (RnConn *conn, gint64 seq, int code, const char *fmt, ...) G_GNUC_PRINTF (4, 5);

static void
reply_error (RnConn *conn, gint64 seq, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  rn_conn_send_error (conn, seq, code, m);
}

/* ---- nodes ---- */

static Node *
node_of (guint32 idx)
{
  return &C->nodes[idx];
}

static void
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

static json_t *
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

static json_t *
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

/* ---- jobs in memory ---- */

static Job *
job_lookup (guint32 id)
{
  return g_hash_table_lookup (C->by_id, GUINT_TO_POINTER (id));
}

static GPtrArray *
array_tasks (guint32 array_id)
{
  return g_hash_table_lookup (C->arrays, GUINT_TO_POINTER (array_id));
}

/* The jobs "12", "7" (every task of array 7 and job 7 itself) or "7_3" stand for. */
static GPtrArray *
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

static void
job_free (Job *j)
{
  g_free (j->user);
  g_free (j->req_text);
  g_free (j->name);
  g_free (j->workdir);
  g_free (j->account);
  g_free (j->qos);
  g_free (j->features);
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

static void
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
static void
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
static void
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
static void
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

static gboolean restoring;   /* reading jobs back at start: dependencies may be gone */

static gboolean
req_int (json_t *req, const char *k, gint64 min, gint64 max, gint64 *out, GError **error)
{
  return rn_body_get_int (req, k, FALSE, min, max, out, error);
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
static Job *
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
  if (cons && *cons)
    {
      if (!wl_check_constraint (cons, NULL))
        {
          g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "Invalid feature specification");
          job_free (j);
          return NULL;
        }
      s->constraint = sched_core_constraint (C->core, cons);
    }
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
static void
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
static void
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

static void
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
static gboolean
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

static void
handle_submit (RnConn *conn, RnMsg *msg, gboolean interactive)
{
  gint64 now = now_s ();
  g_autoptr (GError) err = NULL;
  json_t *req = msg->body;
  const char *arr = NULL;
  if (!rn_body_get_string (req, "array", FALSE, &arr, &err))
    {
      reply_error (conn, msg->seq, err->code, "%s", err->message);
      return;
    }
  WlArraySpec aspec;
  if (arr && !interactive && !wl_parse_array (arr, &aspec, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "Invalid job array specification: %s",
                   err->message);
      return;
    }
  guint n_jobs = arr && !interactive ? aspec.n_tasks : 1;
  Job *first = job_from_request (req, msg->peer.uid, msg->peer.gid, now, &err);
  if (first == NULL || !submit_allowed (first, n_jobs, &err))
    {
      reply_error (conn, msg->seq, err->code, "%s", err->message);
      g_clear_pointer (&first, job_free);
      return;
    }
  guint32 id = C->next_id++;
  if (arr && !interactive)
    {
      /* Every task has its own job id from the start (the array's id, then the next
       * ones): stable SLURM_JOB_IDs and one state record per task. */
      gint t = -1;
      gboolean first_used = FALSE;
      while ((t = wl_array_spec_next (&aspec, t)) >= 0)
        {
          Job *j = first_used ? job_from_request (req, msg->peer.uid, msg->peer.gid, now, NULL)
                              : first;
          j->id = first_used ? C->next_id++ : id;
          j->run_qos = first->run_qos;
          first_used = TRUE;
          j->array_job_id = id;
          j->task = t;
          j->array_throttle = aspec.throttle;
          j->core_id = j->id;
          j->spec.id = j->core_id;
          job_set_io_paths (j, req);
          job_register (j);
          g_ptr_array_add (C->waiting, j);
          job_update_record (j);
          job_store (j);
        }
    }
  else
    {
      first->id = first->core_id = first->spec.id = id;
      job_set_io_paths (first, req);
      job_register (first);
      g_ptr_array_add (C->waiting, first);
      job_update_record (first);
      job_store (first);
      if (interactive)
        {
          json_t *iv = json_object_get (req, "interactive");
          Step *s = g_new0 (Step, 1);
          s->job = first;
          s->id = 0;
          s->client = rn_conn_ref (conn);
          s->seq = msg->seq;
          s->label = json_is_true (json_object_get (iv, "label"));
          step_read_input (s, iv);
          first->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
          g_ptr_array_add (first->steps, s);
          first->next_step = 1;
        }
    }
  C->n_submitted++;
  C->need_eligibility = TRUE;
  reply_later (conn, msg->seq, "submitted", json_pack ("{s:i}", "job_id", id));
}

/* ---- starting jobs ---- */

static gboolean in_flush;

static gboolean flush_cb (gpointer data);

static void
schedule_flush (void)
{
  if (C->flush_source == 0 && !in_flush)
    C->flush_source = g_idle_add_full (G_PRIORITY_DEFAULT, flush_cb, NULL, NULL);
}

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

/* The job's request, parsed again from its text (transfer full). */
static json_t *
job_request (const Job *j)
{
  json_t *req = json_loads (j->req_text, 0, NULL);
  return req ? req : json_object ();
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

static void
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

static void
run_pass (gint64 now)
{
  C->text_gen++;   /* reasons and planned starts may change */
  g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
  SchedTime next = sched_core_pass (C->core, now, started);
  for (guint i = 0; i < started->len; i++)
    {
      SchedStart *st = &g_array_index (started, SchedStart, i);
      Job *j = st->tag;
      j->state = SCHED_JOB_RUNNING;
      j->start = now;
      j->wait_reason = NULL;
      sched_alloc_copy (&j->alloc, st->alloc);
      node_alloc (&j->alloc, &j->gpu_ids, TRUE, now);
      j->last_sched_eval = now;
      job_changed (j);
      g_ptr_array_add (C->pending_launch, j);
    }
  if (started->len > 0)
    C->need_eligibility = TRUE;   /* array throttles, singletons */
  if (next != SCHED_TIME_NEVER && next < C->pass_at)
    C->pass_at = next;
}

static gboolean
pass_timer_cb (gpointer data)
{
  (void) data;
  C->pass_timer = 0;
  C->need_pass = TRUE;
  C->need_eligibility = TRUE;
  schedule_flush ();
  return G_SOURCE_REMOVE;
}

static const char *job_line (Job *j, int which, gint64 now);

/* Low-priority idle work: render the squeue lines of jobs whose cached line is stale, a
 * batch at a time, so that the first squeue after a burst of submissions is fast too. */
static gboolean
warm_cb (gpointer data)
{
  (void) data;
  gint64 now = now_s ();
  guint n = MIN (C->warm_queue->len, 500u);
  for (guint i = 0; i < n; i++)
    {
      Job *j = C->warm_queue->pdata[C->warm_queue->len - 1 - i];
      j->warm_queued = FALSE;
      if (!j->dead && j->state == SCHED_JOB_PENDING && j->line[0] == NULL)
        job_line (j, 0, now);
    }
  g_ptr_array_set_size (C->warm_queue, C->warm_queue->len - n);
  if (C->warm_queue->len > 0)
    return G_SOURCE_CONTINUE;
  C->warm_source = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
flush_cb (gpointer data)
{
  (void) data;
  C->flush_source = 0;
  in_flush = TRUE;
  gint64 now = now_s ();
  /* Requests waiting for their answer are committed and answered first; the pass they call
   * for comes in the next flush, while their clients go on (a serial sbatch loop then
   * overlaps the pass with the next sbatch's start, on another CPU).  Never twice in a
   * row: a steady stream of requests does not starve the scheduler. */
  static gboolean deferred;
  gboolean defer_pass = !deferred && C->pending_replies->len > 0
                        && (C->need_eligibility || C->need_pass);
  deferred = defer_pass;
  if (!defer_pass)
    C->pass_at = SCHED_TIME_NEVER;
  for (int round = 0; round < 4 && !defer_pass && (C->need_eligibility || C->need_pass);
       round++)
    {
      if (C->need_eligibility)
        {
          C->need_eligibility = FALSE;
          update_eligibility (now);
        }
      if (C->need_pass)
        {
          C->need_pass = FALSE;
          run_pass (now);
        }
    }
  gboolean ok = TRUE;
  for (guint i = 0; i < C->to_store->len; i++)
    {
      Job *j = C->to_store->pdata[i];
      j->store_queued = FALSE;
      job_store_now (j, now);
    }
  g_ptr_array_set_size (C->to_store, 0);
  if (C->store && C->next_id != C->stored_next_id)
    {
      g_autoptr (GError) merr = NULL;
      if (rn_store_set_next_job_id (C->store, C->next_id, &merr))
        C->stored_next_id = C->next_id;
      else
        rn_log ("error: cannot store the next job id: %s", merr->message);
    }
  if (C->store)
    {
      g_autoptr (GError) err = NULL;
      ok = rn_store_commit (C->store, NULL, &err);
      if (!ok)
        rn_log ("error: state commit failed: %s", err->message);
    }
  GArray *replies = C->pending_replies;
  C->pending_replies = g_array_new (FALSE, FALSE, sizeof (Reply));
  for (guint i = 0; i < replies->len; i++)
    {
      Reply *r = &g_array_index (replies, Reply, i);
      if (ok)
        rn_conn_send (r->conn, r->type, r->seq, r->body);
      else
        rn_conn_send_error (r->conn, r->seq, RN_ERROR_INTERNAL,
                            "Unable to save the job state (not accepted)");
      rn_conn_unref (r->conn);
      g_free (r->type);
      json_decref (r->body);
    }
  g_array_unref (replies);
  GPtrArray *launches = C->pending_launch;
  C->pending_launch = g_ptr_array_new ();
  in_flush = FALSE;
  for (guint i = 0; i < launches->len; i++)
    launch_job (launches->pdata[i]);
  g_ptr_array_unref (launches);
  if (C->warm_source == 0 && C->warm_queue->len > 0)
    C->warm_source = g_idle_add_full (G_PRIORITY_LOW, warm_cb, NULL, NULL);
  if (defer_pass)
    {
      schedule_flush ();
      return G_SOURCE_REMOVE;
    }
  if (C->pass_timer)
    {
      g_source_remove (C->pass_timer);
      C->pass_timer = 0;
    }
  if (C->pass_at != SCHED_TIME_NEVER)
    {
      gint64 wait_ms = MAX ((C->pass_at - now_s ()) * 1000, 0) + 5;
      C->pass_timer = g_timeout_add ((guint) MIN (wait_ms, 3600 * 1000), pass_timer_cb, NULL);
    }
  return G_SOURCE_REMOVE;
}

/* ---- ending jobs ---- */

static void
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

static void
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
static gboolean
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

/* ---- request handlers ---- */

static gboolean
may_act_on (guint32 uid, const Job *j)
{
  return uid == j->uid || rn_config_is_admin (C->cfg, uid);
}

static gboolean
is_daemon_peer (const RnMsg *msg)
{
  return rn_config_is_admin (C->cfg, msg->peer.uid) && (msg->peer.uid == 0
                                                        || msg->peer.uid == C->cfg->slurm_user);
}

static gboolean
strv_has (GPtrArray *v, const char *s)
{
  if (v == NULL || v->len == 0)
    return TRUE;
  for (guint i = 0; i < v->len; i++)
    if (g_ascii_strcasecmp (v->pdata[i], s ? s : "") == 0)
      return TRUE;
  return FALSE;
}

static gboolean
state_matches (GPtrArray *states, const Job *j)
{
  if (states == NULL || states->len == 0)
    return TRUE;
  const char *st = job_state_word (j);
  for (guint i = 0; i < states->len; i++)
    {
      const char *w = states->pdata[i];
      if (g_ascii_strcasecmp (w, "all") == 0 || g_ascii_strcasecmp (w, st) == 0)
        return TRUE;
      static const char *const abbrev[][2] = {
        { "PD", "PENDING" }, { "R", "RUNNING" }, { "CD", "COMPLETED" }, { "F", "FAILED" },
        { "CA", "CANCELLED" }, { "TO", "TIMEOUT" }, { "NF", "NODE_FAIL" }, { "CG", "COMPLETING" },
      };
      for (gsize a = 0; a < G_N_ELEMENTS (abbrev); a++)
        if (g_ascii_strcasecmp (w, abbrev[a][0]) == 0 && g_str_equal (st, abbrev[a][1]))
          return TRUE;
    }
  return FALSE;
}

/* "0-3,5%2" from the pending tasks of an array. */
static char *
task_ranges (GPtrArray *tasks, guint32 throttle)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < tasks->len;)
    {
      gint32 a = ((Job *) tasks->pdata[i])->task, b = a;
      guint k = i + 1;
      while (k < tasks->len && ((Job *) tasks->pdata[k])->task == b + 1)
        b = ((Job *) tasks->pdata[k++])->task;
      if (s->len)
        g_string_append_c (s, ',');
      if (a == b)
        g_string_append_printf (s, "%d", a);
      else
        g_string_append_printf (s, "%d-%d", a, b);
      i = k;
    }
  if (throttle)
    g_string_append_printf (s, "%%%u", throttle);
  return g_string_free (s, FALSE);
}

/* ---- squeue's default formats, formatted here ---- */

static const char *const squeue_formats[2] = {
  "%.18i %.9P %.8j %.8u %.2t %.10M %.6D %R",
  "%.18i %.9P %.8j %.8u %.8T %.10M %.9l %.6D %R",
};

typedef struct {
  Job        *job;
  char       *ranges;     /* a collapsed array line: its pending tasks, else NULL */
  const char *part;
  int         state_order;
  guint32     prio;
  guint32     base_id;
  gint32      task;
} TextRow;

static int
state_order (const Job *j)
{
  if (j->completing)
    return 8;
  switch (j->state)
    {
    case SCHED_JOB_PENDING: return 0;
    case SCHED_JOB_RUNNING: return 2;
    case SCHED_JOB_COMPLETED: return 6;
    case SCHED_JOB_CANCELLED: return 8;
    case SCHED_JOB_FAILED: return 10;
    case SCHED_JOB_TIMEOUT: return 12;
    case SCHED_JOB_NODE_FAIL: return 14;
    default: return 99;
    }
}

/* squeue's default order P,t,-p; ties by id descending (the last key is reversed), then
 * by array task.  The same order realnet/fmt.c sorts records in. */
static int
cmp_text_rows (gconstpointer pa, gconstpointer pb)
{
  const TextRow *a = pa, *b = pb;
  int c = g_strcmp0 (a->part, b->part);
  if (c)
    return c;
  if (a->state_order != b->state_order)
    return a->state_order < b->state_order ? -1 : 1;
  if (a->prio != b->prio)
    return a->prio > b->prio ? -1 : 1;
  if (a->base_id != b->base_id)
    return a->base_id > b->base_id ? -1 : 1;
  return a->task < b->task ? -1 : a->task > b->task;
}

/* One line of `squeue` in format `which` for `record` (transfer full). */
static char *
format_line (json_t *record, int which, gint64 now)
{
  json_t *one = json_array ();
  json_array_append (one, record);
  static const char *const all[] = { "all", NULL };
  NetSqueueOptions o = { 0 };
  o.format = squeue_formats[which];
  o.no_header = TRUE;
  o.states = all;
  char *text = net_fmt_squeue (one, &o, now, NULL, NULL, NULL);
  json_decref (one);
  return text ? text : g_strdup ("");
}

static const char *
job_line (Job *j, int which, gint64 now)
{
  const char *reason = job_reason (j);
  if (j->line[which] && j->line_reason[which] == reason && j->state != SCHED_JOB_RUNNING)
    return j->line[which];
  g_clear_pointer (&j->line[which], g_free);
  json_t *r = job_brief_record (j, reason);
  j->line[which] = format_line (r, which, now);
  j->line_reason[which] = reason;
  json_decref (r);
  return j->line[which];
}

/* job_list with "text_format": the lines of squeue's default (0) or long (1) format,
 * sorted, without header, for the jobs the filters select (pending and running ones
 * unless states are given) — so that squeue over 100,000 jobs moves text, not records. */
static GString *
render_job_text (GPtrArray *cands, int which, GPtrArray *users, GPtrArray *states,
                 GPtrArray *parts, GPtrArray *names, gboolean expand, gint64 now,
                 gboolean *running_out)
{
  gboolean any_running = FALSE;
  g_autoptr (GArray) rows = g_array_new (FALSE, FALSE, sizeof (TextRow));
  GHashTable *arrays_done = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < cands->len; i++)
    {
      Job *j = cands->pdata[i];
      if (j->dead || !strv_has (users, j->user) || !strv_has (parts, job_partition_name (j))
          || !strv_has (names, j->name))
        continue;
      if (states && states->len ? !state_matches (states, j)
          : (j->state != SCHED_JOB_PENDING && j->state != SCHED_JOB_RUNNING))
        continue;
      TextRow row = { j, NULL, job_partition_name (j), state_order (j), job_priority (j),
                      j->array_job_id ? j->array_job_id : j->id, j->task };
      any_running |= j->state == SCHED_JOB_RUNNING;
      if (!expand && j->array_job_id && j->state == SCHED_JOB_PENDING)
        {
          if (g_hash_table_contains (arrays_done, GUINT_TO_POINTER (j->array_job_id)))
            continue;
          g_hash_table_add (arrays_done, GUINT_TO_POINTER (j->array_job_id));
          GPtrArray *tasks = array_tasks (j->array_job_id);
          g_autoptr (GPtrArray) pend = g_ptr_array_new ();
          for (guint k = 0; k < tasks->len; k++)
            {
              Job *t = tasks->pdata[k];
              if (!t->dead && t->state == SCHED_JOB_PENDING && job_reason (t) == job_reason (j))
                g_ptr_array_add (pend, t);
            }
          if (pend->len > 1)
            row.ranges = task_ranges (pend, j->array_throttle);
        }
      g_array_append_val (rows, row);
    }
  g_hash_table_destroy (arrays_done);
  g_array_sort (rows, cmp_text_rows);
  *running_out = any_running;
  GString *out = g_string_sized_new (rows->len * 90 + 64);
  for (guint i = 0; i < rows->len; i++)
    {
      TextRow *r = &g_array_index (rows, TextRow, i);
      if (r->ranges)
        {
          json_t *rec = job_brief_record (r->job, job_reason (r->job));
          json_object_set_new (rec, "array_tasks", json_string (r->ranges));
          json_object_del (rec, "array_task_id");
          g_autofree char *line = format_line (rec, which, now);
          json_decref (rec);
          g_string_append (out, line);
          g_free (r->ranges);
        }
      else
        g_string_append (out, job_line (r->job, which, now));
    }
  return out;
}

/* The reply body of a text job list: the last one is kept and reused while no job changed
 * (and, when it shows running jobs, within the same second) — a hundred squeue processes at
 * once cost one rendering. */
static void
reply_job_text (RnConn *conn, gint64 seq, GPtrArray *cands, int which, GPtrArray *users,
                GPtrArray *states, GPtrArray *parts, GPtrArray *names, gboolean expand)
{
  gint64 now = now_s ();
  gboolean unfiltered = cands == C->jobs && !expand && (!users || !users->len)
                        && (!states || !states->len) && (!parts || !parts->len)
                        && (!names || !names->len);
  TextCache *tc = &C->text_cache[which];
  g_autofree char *head = g_strdup_printf ("{\"time\":%" G_GINT64_FORMAT "}", now);
  if (unfiltered && tc->body && tc->gen == C->text_gen && (!tc->running || tc->time == now))
    {
      rn_conn_send_attached (conn, "jobs_text", seq, head, strlen (head), tc->body);
      return;
    }
  gboolean running = FALSE;
  GBytes *body = g_string_free_to_bytes (render_job_text (cands, which, users, states, parts,
                                                          names, expand, now, &running));
  rn_conn_send_attached (conn, "jobs_text", seq, head, strlen (head), body);
  if (unfiltered)
    {
      g_clear_pointer (&tc->body, g_bytes_unref);
      tc->body = body;
      tc->gen = C->text_gen;
      tc->time = now;
      tc->running = running;
    }
  else
    g_bytes_unref (body);
}

static void
handle_job_list (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *ids = NULL, *users = NULL, *states = NULL, *parts = NULL, *names = NULL;
  gboolean expand = FALSE;
  if (!rn_body_get_strv (msg->body, "job_ids", &ids, &err)
      || !rn_body_get_strv (msg->body, "users", &users, &err)
      || !rn_body_get_strv (msg->body, "states", &states, &err)
      || !rn_body_get_strv (msg->body, "partitions", &parts, &err)
      || !rn_body_get_strv (msg->body, "names", &names, &err)
      || !rn_body_get_bool (msg->body, "expand_arrays", FALSE, &expand, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "job_list: %s", err->message);
      goto out;
    }
  users = user_filter_names (users);
  gint64 now = now_s (), t_start = g_get_monotonic_time ();
  GString *out = g_string_sized_new (4096);
  g_string_append_printf (out, "{\"time\":%" G_GINT64_FORMAT ",\"jobs\":[", now);
  gboolean first = TRUE;
  GPtrArray *cands;
  if (ids && ids->len)
    {
      cands = g_ptr_array_new ();
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr (GPtrArray) js = jobs_for_spec (ids->pdata[i]);
          for (guint k = 0; k < js->len; k++)
            g_ptr_array_add (cands, js->pdata[k]);
        }
      if (cands->len == 0)
        {
          g_ptr_array_unref (cands);
          g_string_free (out, TRUE);
          reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB, "Invalid job id specified");
          goto out;
        }
    }
  else
    cands = g_ptr_array_ref (C->jobs);
  const char *text_format = NULL;
  rn_body_get_string (msg->body, "text_format", FALSE, &text_format, NULL);
  if (text_format)
    {
      reply_job_text (conn, msg->seq, cands, g_str_equal (text_format, "long") ? 1 : 0, users,
                      states, parts, names, expand);
      g_ptr_array_unref (cands);
      g_string_free (out, TRUE);
      goto out;
    }
  GHashTable *arrays_done = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < cands->len; i++)
    {
      Job *j = cands->pdata[i];
      if (j->dead || !strv_has (users, j->user) || !strv_has (parts, job_partition_name (j))
          || !strv_has (names, j->name)
          || !state_matches (states, j))
        continue;
      if (!expand && j->array_job_id && j->state == SCHED_JOB_PENDING)
        {
          if (g_hash_table_contains (arrays_done, GUINT_TO_POINTER (j->array_job_id)))
            continue;
          g_hash_table_add (arrays_done, GUINT_TO_POINTER (j->array_job_id));
          GPtrArray *tasks = array_tasks (j->array_job_id);
          g_autoptr (GPtrArray) pend = g_ptr_array_new ();
          for (guint k = 0; k < tasks->len; k++)
            {
              Job *t = tasks->pdata[k];
              if (!t->dead && t->state == SCHED_JOB_PENDING
                  && g_strcmp0 (job_reason (t), job_reason (j)) == 0)
                g_ptr_array_add (pend, t);
            }
          if (pend->len > 1)
            {
              json_t *r = job_record_build (j, now);
              g_autofree char *ranges = task_ranges (pend, j->array_throttle);
              json_object_set_new (r, "array_tasks", json_string (ranges));
              json_object_set_new (r, "array_task_id", json_null ());
              char *text = json_dumps (r, JSON_COMPACT);
              json_decref (r);
              if (!first)
                g_string_append_c (out, ',');
              first = FALSE;
              g_string_append (out, text);
              free (text);
              continue;
            }
        }
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      json_t *r = job_record_build (j, now);
      char *text = json_dumps (r, JSON_COMPACT);
      json_decref (r);
      g_string_append (out, text);
      free (text);
    }
  g_hash_table_destroy (arrays_done);
  g_ptr_array_unref (cands);
  g_string_append (out, "]}");
  rn_conn_send_raw (conn, "jobs", msg->seq, out->str, out->len);
  gint64 took = g_get_monotonic_time () - t_start;
  if (took > 100000)
    rn_log ("job_list: %.3f s for %zu bytes", took / 1e6, out->len);
  g_string_free (out, TRUE);
out:
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_clear_pointer (&users, g_ptr_array_unref);
  g_clear_pointer (&states, g_ptr_array_unref);
  g_clear_pointer (&parts, g_ptr_array_unref);
  g_clear_pointer (&names, g_ptr_array_unref);
}

static void
handle_node_list (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *want = NULL;
  if (!rn_body_get_strv (msg->body, "nodes", &want, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "node_list: %s", err->message);
      return;
    }
  json_t *out = json_array ();
  for (guint i = 0; i < C->n_nodes; i++)
    if (strv_has (want, C->nodes[i].conf->name))
      json_array_append_new (out, node_record (&C->nodes[i]));
  if (want && want->len && json_array_size (out) == 0)
    {
      json_decref (out);
      g_ptr_array_unref (want);
      reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "Invalid node name specified");
      return;
    }
  g_clear_pointer (&want, g_ptr_array_unref);
  rn_conn_send_new (conn, "nodes", msg->seq,
                    json_pack ("{s:I,s:o}", "time", (json_int_t) now_s (), "nodes", out));
}

static void
handle_part_list (RnConn *conn, RnMsg *msg)
{
  json_t *out = json_array ();
  for (guint p = 0; p < wl_slurmconf_n_partitions (C->cfg->conf); p++)
    json_array_append_new (out, partition_record (p));
  rn_conn_send_new (conn, "partitions", msg->seq,
                    json_pack ("{s:I,s:o}", "time", (json_int_t) now_s (), "partitions", out));
}

static void
handle_config (RnConn *conn, RnMsg *msg)
{
  json_t *out = json_array ();
  const WlParamList *g = wl_slurmconf_globals (C->cfg->conf);
  for (guint i = 0; i < wl_param_list_length (g); i++)
    json_array_append_new (out, json_pack ("[s,s]", wl_param_list_key (g, i),
                                           wl_param_list_value (g, i) ? wl_param_list_value (g, i) : ""));
  rn_conn_send_new (conn, "config", msg->seq,
                    json_pack ("{s:I,s:o,s:s}", "time", (json_int_t) now_s (), "entries", out,
                               "path", C->cfg->path));
}

static void
handle_cancel (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *ids = NULL, *states = NULL;
  const char *user = NULL, *name = NULL, *part = NULL;
  g_autofree char *user_named = NULL;
  gint64 sig = 0;
  gboolean full = TRUE;
  g_autoptr (GPtrArray) cands = NULL;
  if (!rn_body_get_strv (msg->body, "job_ids", &ids, &err)
      || !rn_body_get_strv (msg->body, "states", &states, &err)
      || !rn_body_get_string (msg->body, "user", FALSE, &user, &err)
      || !rn_body_get_string (msg->body, "name", FALSE, &name, &err)
      || !rn_body_get_string (msg->body, "partition", FALSE, &part, &err)
      || !rn_body_get_int (msg->body, "signal", FALSE, 0, 64, &sig, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "cancel: %s", err->message);
      goto out;
    }
  user_named = user ? user_filter_name (user) : NULL;
  user = user_named;
  if (sig != 0 && sig != SIGKILL && sig != SIGTERM)
    full = FALSE;   /* scancel -s: deliver the signal only */
  if (sig == 0)
    sig = SIGTERM;
  json_t *done = json_array (), *errors = json_array ();
  cands = g_ptr_array_new ();
  if (ids && ids->len)
    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr (GPtrArray) js = jobs_for_spec (ids->pdata[i]);
        if (js->len == 0)
          json_array_append_new (errors, json_pack ("[s,s]", (const char *) ids->pdata[i],
                                                    "Invalid job id specified"));
        for (guint k = 0; k < js->len; k++)
          g_ptr_array_add (cands, js->pdata[k]);
      }
  else if (user || name || part || (states && states->len))
    for (guint i = 0; i < C->jobs->len; i++)
      g_ptr_array_add (cands, C->jobs->pdata[i]);
  for (guint i = 0; i < cands->len; i++)
    {
      Job *j = cands->pdata[i];
      if (j->dead || sched_job_state_is_final (j->state))
        {
          if (ids && ids->len && !j->dead)
            {
              /* slurmctld checks who asks before whether the job is done */
              g_autofree char *id = g_strdup_printf ("%u", j->id);
              json_array_append_new (errors, json_pack ("[s,s]", id,
                                                        may_act_on (msg->peer.uid, j)
                                                        ? "Job/step already completing or completed"
                                                        : "Access/permission denied"));
            }
          continue;
        }
      if ((user && g_strcmp0 (user, j->user) != 0)
          || (name && g_strcmp0 (name, j->name) != 0)
          || (part && g_strcmp0 (part, job_partition_name (j)) != 0)
          || !state_matches (states, j))
        continue;
      g_autofree char *id = j->array_job_id && j->state == SCHED_JOB_PENDING
                              ? g_strdup_printf ("%u_%d", j->array_job_id, j->task)
                              : g_strdup_printf ("%u", j->id);
      if (!may_act_on (msg->peer.uid, j))
        {
          if (ids && ids->len)
            json_array_append_new (errors, json_pack ("[s,s]", id,
                                                      "Access/permission denied"));
          continue;
        }
      g_autoptr (GError) e = NULL;
      if (job_cancel (j, msg->peer.uid, (int) sig, full, &e))
        json_array_append_new (done, json_string (id));
      else
        json_array_append_new (errors, json_pack ("[s,s]", id, e->message));
    }
  reply_later (conn, msg->seq, "ok", json_pack ("{s:o,s:o}", "cancelled", done, "errors", errors));
out:
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_clear_pointer (&states, g_ptr_array_unref);
}

static void
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

/* Moves what a request decides from `n` (just built from `j`'s new request) into `j`;
 * `n` gets `j`'s old values, for job_free. */
static void
job_take_request (Job *j, Job *n)
{
#define SWAP(f) do { __typeof__ (j->f) t_ = j->f; j->f = n->f; n->f = t_; } while (0)
  SWAP (req_text);
  SWAP (name);
  SWAP (workdir);
  SWAP (account);
  SWAP (qos);
  SWAP (features);
  SWAP (dependency);
  SWAP (deps);
  SWAP (deps_any);
  SWAP (nice);
  SWAP (requeue_ok);
  SWAP (time_limit_rec);
  SWAP (mem_per_cpu_rec);
  SWAP (mem_per_node_rec);
  SWAP (gpus_req);
  SWAP (begin);
#undef SWAP
  SchedJobSpec spec = n->spec;
  spec.id = j->core_id;
  spec.submit = j->submit;
  j->spec = spec;
}

/* Applies `changes` (request fields; a null removes one) to pending job `j`: the new
 * request is checked as a submission is (fields, partition, QOS, limits), and the job
 * waits for eligibility again with it.  FALSE with `error` set when it is refused; the
 * job is then unchanged. */
static gboolean
job_update_request (Job *j, json_t *changes, GError **error)
{
  g_autoptr (json_t) req = job_request (j);
  const char *k;
  json_t *v;
  json_object_foreach (changes, k, v)
    if (json_is_null (v))
      json_object_del (req, k);
    else
      json_object_set (req, k, v);
  if (!rn_validate_request ("submit", req, error))
    return FALSE;
  Job *n = job_from_request (req, j->uid, j->gid, j->submit, error);
  if (n == NULL)
    return FALSE;
  n->id = j->id;
  n->array_job_id = j->array_job_id;
  n->task = j->task;
  submit_count_add (j, -1);
  if (!submit_allowed (n, 1, error))
    {
      submit_count_add (j, +1);
      job_free (n);
      return FALSE;
    }
  j->run_qos = n->run_qos;
  submit_count_add (j, +1);
  g_free (n->req_text);
  n->req_text = json_dumps (req, JSON_COMPACT);
  job_take_request (j, n);
  job_free (n);
  j->request_stored = FALSE;
  job_set_io_paths (j, req);
  /* back to the eligibility checks, then the core, with the new request */
  if (j->in_core)
    {
      sched_core_cancel (C->core, now_s (), j->core_id);
      g_hash_table_remove (C->by_core, GUINT_TO_POINTER (j->core_id));
      j->in_core = FALSE;
    }
  j->refused = FALSE;
  j->wait_reason = NULL;
  if (!g_ptr_array_find (C->waiting, j, NULL))
    g_ptr_array_add (C->waiting, j);
  C->need_eligibility = TRUE;
  return TRUE;
}

static void
handle_update_job (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  const char *id = NULL;
  gint64 tl = 0;
  gboolean has_tl = json_object_get (msg->body, "time_limit") != NULL;
  json_t *hold = json_object_get (msg->body, "hold");
  json_t *changes = json_object_get (msg->body, "request");
  if (json_is_null (changes))
    changes = NULL;
  gboolean requeue = FALSE;
  if (!rn_body_get_string (msg->body, "job_id", TRUE, &id, &err)
      || !rn_body_get_int (msg->body, "time_limit", FALSE, -1, G_MAXINT32, &tl, &err)
      || !rn_body_get_bool (msg->body, "requeue", FALSE, &requeue, &err)
      || (hold && !json_is_boolean (hold)))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "update_job: %s",
                   err ? err->message : "field \"hold\": expected true or false");
      return;
    }
  g_autoptr (GPtrArray) js = jobs_for_spec (id);
  if (js->len == 0)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB, "Invalid job id specified");
      return;
    }
  gboolean admin = rn_config_is_admin (C->cfg, msg->peer.uid);
  gint64 now = now_s ();
  for (guint i = 0; i < js->len; i++)
    {
      Job *j = js->pdata[i];
      if (!may_act_on (msg->peer.uid, j))
        {
          reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
          return;
        }
      if (hold)
        {
          if (j->state != SCHED_JOB_PENDING)
            {
              reply_error (conn, msg->seq, RN_ERROR_ALREADY_DONE,
                           "Job is no longer pending execution for job %u", j->id);
              return;
            }
          if (json_is_true (hold))
            {
              if (j->in_core)
                {
                  sched_core_cancel (C->core, now, j->core_id);
                  g_hash_table_remove (C->by_core, GUINT_TO_POINTER (j->core_id));
                  j->in_core = FALSE;
                  g_ptr_array_add (C->waiting, j);
                }
              else if (!g_ptr_array_find (C->waiting, j, NULL))
                g_ptr_array_add (C->waiting, j);
              j->hold = admin ? HOLD_ADMIN : HOLD_USER;
            }
          else
            {
              if (j->hold == HOLD_ADMIN && !admin)
                {
                  reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
                  return;
                }
              if (j->hold != HOLD_NONE && !j->in_core && !g_ptr_array_find (C->waiting, j, NULL))
                g_ptr_array_add (C->waiting, j);
              j->hold = HOLD_NONE;
              j->eligible = now;
            }
          C->need_eligibility = TRUE;
        }
      if (has_tl && j->state == SCHED_JOB_RUNNING)
        {
          /* Slurm: only administrators may raise a limit; anyone may lower their own */
          if (!admin && (tl <= 0 || (j->time_limit_rec > 0 && tl > j->time_limit_rec)))
            {
              reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
              return;
            }
          j->time_limit_rec = tl > 0 ? tl : -1;
          for (guint32 k = 0; k < j->alloc.n_nodes; k++)
            {
              Node *n = node_of (j->alloc.nodes[k].node);
              if (n->conn)
                rn_conn_send_new (n->conn, "update_limit", 0,
                                  json_pack ("{s:i,s:I}", "job_id", j->id, "time_limit",
                                             (json_int_t) j->time_limit_rec));
            }
          /* the core plans with the new limit: backfill may now use what it frees */
          const SchedPartitionSpec *ps = sched_cluster_partition (C->cluster, j->spec.partition);
          j->spec.time_limit = tl > 0 ? tl : ps->max_time == SCHED_TIME_NEVER
                                                 ? UNLIMITED_SECONDS : ps->max_time;
          sched_core_set_running_limit (C->core, now_s (), j->core_id, j->spec.time_limit);
          C->need_pass = TRUE;
          C->text_gen++;
          schedule_flush ();
          has_tl = FALSE;
        }
      if (has_tl || changes)
        {
          if (j->state != SCHED_JOB_PENDING)
            {
              reply_error (conn, msg->seq, RN_ERROR_ALREADY_DONE,
                           "Job is no longer pending execution for job %u", j->id);
              return;
            }
          /* Slurm: only administrators may raise a limit or lower a nice value */
          json_t *nice = changes ? json_object_get (changes, "nice") : NULL;
          if (!admin && ((has_tl && (tl > j->time_limit_rec || tl < 0) && j->time_limit_rec > 0)
                         || (json_is_integer (nice) && json_integer_value (nice) < 0)))
            {
              reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
              return;
            }
          g_autoptr (json_t) patch = changes ? json_copy (changes) : json_object ();
          if (has_tl)
            json_object_set_new (patch, "time_limit", json_integer (tl > 0 ? tl : -1));
          g_autoptr (GError) e = NULL;
          if (!job_update_request (j, patch, &e))
            {
              reply_error (conn, msg->seq, e->domain == RN_ERROR ? e->code : RN_ERROR_INVALID,
                           "%s", e->message);
              return;
            }
        }
      if (requeue)
        {
          if (j->state == SCHED_JOB_RUNNING && !j->completing)
            {
              j->requeue_pending = TRUE;
              j->completing = FALSE;
              send_signal (j, SIGTERM, TRUE);
            }
          else if (j->state != SCHED_JOB_PENDING)
            job_requeue_now (j, now);
        }
      job_changed (j);
    }
  reply_later (conn, msg->seq, "ok", json_object ());
}

static void
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

static void
handle_update_node (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  const char *nodes = NULL, *state = NULL, *reason = NULL;
  if (!rn_body_get_string (msg->body, "nodes", TRUE, &nodes, &err)
      || !rn_body_get_string (msg->body, "state", TRUE, &state, &err)
      || !rn_body_get_string (msg->body, "reason", FALSE, &reason, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "update_node: %s", err->message);
      return;
    }
  if (!rn_config_is_admin (C->cfg, msg->peer.uid))
    {
      reply_error (conn, msg->seq, RN_ERROR_AUTH, "Access/permission denied");
      return;
    }
  g_autoptr (GPtrArray) names = wl_hostlist_expand_max (nodes, 100000, &err);
  if (names == NULL)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "Invalid node name specified");
      return;
    }
  gboolean drain = g_ascii_strcasecmp (state, "DRAIN") == 0;
  gboolean resume = g_ascii_strcasecmp (state, "RESUME") == 0
                    || g_ascii_strcasecmp (state, "IDLE") == 0
                    || g_ascii_strcasecmp (state, "UNDRAIN") == 0;
  gboolean down = g_ascii_strcasecmp (state, "DOWN") == 0;
  if (!drain && !resume && !down)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "Invalid node state specified");
      return;
    }
  if ((drain || down) && (reason == NULL || *reason == '\0'))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "You must specify a reason when DOWNING or DRAINING a node. Request denied");
      return;
    }
  for (guint i = 0; i < names->len; i++)
    if (!g_hash_table_contains (C->node_by_name, names->pdata[i]))
      {
        reply_error (conn, msg->seq, RN_ERROR_INVALID_NODE, "Invalid node name specified");
        return;
      }
  gint64 now = now_s ();
  for (guint i = 0; i < names->len; i++)
    {
      Node *n = g_hash_table_lookup (C->node_by_name, names->pdata[i]);
      if (drain || down)
        {
          g_free (n->reason);
          n->reason = g_strdup (reason);
          n->reason_uid = msg->peer.uid;
          n->reason_time = now;
          n->drain = drain;
          n->admin_down = down;
        }
      else
        {
          n->drain = FALSE;
          n->admin_down = FALSE;
          g_clear_pointer (&n->reason, g_free);
        }
      node_set_usable (n, now);
      rn_log ("node %s: state %s by uid %u%s%s", n->conf->name, state, msg->peer.uid,
              reason ? ", reason: " : "", reason ? reason : "");
    }
  rn_conn_send_new (conn, "ok", msg->seq, json_object ());
}

static gboolean
acct_collect (json_t *job, gpointer data)
{
  json_t *out = data;
  json_t *copy = json_copy (job);
  const char *k;
  void *tmp;
  json_t *v;
  json_object_foreach_safe (copy, tmp, k, v)
    if (k[0] == '_')
      json_object_del (copy, k);
  json_array_append_new (out, copy);
  return TRUE;
}

static void
handle_acct_query (RnConn *conn, RnMsg *msg)
{
  g_autoptr (GError) err = NULL;
  GPtrArray *ids = NULL, *users = NULL, *states = NULL, *parts = NULL, *names = NULL;
  gint64 start = 0, end = 0;
  g_autoptr (GArray) sel = NULL;
  if (!rn_body_get_strv (msg->body, "job_ids", &ids, &err)
      || !rn_body_get_strv (msg->body, "users", &users, &err)
      || !rn_body_get_strv (msg->body, "states", &states, &err)
      || !rn_body_get_strv (msg->body, "partitions", &parts, &err)
      || !rn_body_get_strv (msg->body, "names", &names, &err)
      || !rn_body_get_int (msg->body, "start", FALSE, 0, G_MAXINT64, &start, &err)
      || !rn_body_get_int (msg->body, "end", FALSE, 0, G_MAXINT64, &end, &err))
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "acct_query: %s", err->message);
      goto out;
    }
  users = user_filter_names (users);
  if (C->store == NULL)
    {
      reply_error (conn, msg->seq, RN_ERROR_INVALID, "Slurm accounting storage is disabled");
      goto out;
    }
  RnStoreQuery q = { 0 };
  sel = g_array_new (FALSE, FALSE, sizeof (RnStoreJobSel));
  for (guint i = 0; ids && i < ids->len; i++)
    {
      const char *s = ids->pdata[i];
      char *e;
      guint64 id = g_ascii_strtoull (s, &e, 10);
      RnStoreJobSel js = { (guint32) id, RN_STORE_ANY_TASK };
      if (*e == '_')
        js.array_task_id = (gint64) g_ascii_strtoull (e + 1, &e, 10);
      if (id == 0 || id > G_MAXUINT32 || *e != '\0')
        {
          reply_error (conn, msg->seq, RN_ERROR_INVALID_JOB, "Invalid job id specified: %s", s);
          goto out;
        }
      g_array_append_val (sel, js);
    }
  q.jobs = (const RnStoreJobSel *) (void *) sel->data;
  q.n_jobs = sel->len;
  if (users && users->len)
    g_ptr_array_add (users, NULL);
  if (states && states->len)
    g_ptr_array_add (states, NULL);
  if (parts && parts->len)
    g_ptr_array_add (parts, NULL);
  if (names && names->len)
    g_ptr_array_add (names, NULL);
  q.users = users && users->len ? (const char *const *) users->pdata : NULL;
  q.states = states && states->len ? (const char *const *) states->pdata : NULL;
  q.partitions = parts && parts->len ? (const char *const *) parts->pdata : NULL;
  q.names = names && names->len ? (const char *const *) names->pdata : NULL;
  q.start = start;
  q.end = end;
  json_t *out = json_array ();
  if (!rn_store_query_foreach (C->store, &q, RN_STORE_READ_SKIP_CORRUPT, acct_collect, out,
                               NULL, &err))
    {
      json_decref (out);
      reply_error (conn, msg->seq, RN_ERROR_INTERNAL, "accounting query: %s", err->message);
      goto out;
    }
  rn_conn_send_new (conn, "acct", msg->seq,
                    json_pack ("{s:I,s:o}", "time", (json_int_t) now_s (), "jobs", out));
out:
  g_clear_pointer (&ids, g_ptr_array_unref);
  g_clear_pointer (&users, g_ptr_array_unref);
  g_clear_pointer (&states, g_ptr_array_unref);
  g_clear_pointer (&parts, g_ptr_array_unref);
  g_clear_pointer (&names, g_ptr_array_unref);
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

static void
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

static void
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

static void
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

static void
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

static void
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

static void
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

/* srun's input for its step: forwarded to the nodes the step runs on.  Only the srun that
 * started the step may send it. */
static void
handle_stdin (RnConn *conn, RnMsg *msg)
{
  json_t *b = msg->body;
  Job *j = job_lookup ((guint32) json_integer_value (json_object_get (b, "job_id")));
  Step *s = j ? find_step (j, (guint32) json_integer_value (json_object_get (b, "step_id")))
              : NULL;
  if (s == NULL || s->client != conn || !s->input)
    return;   /* a step that ended meanwhile, or not this client's: dropped */
  for (guint i = 0; s->node_idx && i < s->node_idx->len; i++)
    {
      Node *n = node_of (g_array_index (s->node_idx, guint32, i));
      if (n->conn && n->responding)
        rn_conn_send (n->conn, "stdin", 0, b);
    }
}

/* ---- dispatch ---- */

static void
on_message (RnConn *conn, RnMsg *msg, gpointer data)
{
  (void) data;
  const char *t = msg->type;
  g_autoptr (GError) verr = NULL;
  if (!rn_validate_request (t, msg->body, &verr))
    {
      reply_error (conn, msg->seq, verr->code, "%s", verr->message);
      if (verr->code == RN_ERROR_PROTOCOL)
        rn_conn_close (conn);
      return;
    }
  if (g_str_equal (t, "submit"))
    handle_submit (conn, msg, FALSE);
  else if (g_str_equal (t, "alloc"))
    {
      rn_conn_set_close_func (conn, srun_closed, NULL);
      handle_submit (conn, msg, TRUE);
    }
  else if (g_str_equal (t, "job_list"))
    handle_job_list (conn, msg);
  else if (g_str_equal (t, "node_list"))
    handle_node_list (conn, msg);
  else if (g_str_equal (t, "part_list"))
    handle_part_list (conn, msg);
  else if (g_str_equal (t, "config"))
    handle_config (conn, msg);
  else if (g_str_equal (t, "cancel"))
    handle_cancel (conn, msg);
  else if (g_str_equal (t, "update_job"))
    handle_update_job (conn, msg);
  else if (g_str_equal (t, "update_node"))
    handle_update_node (conn, msg);
  else if (g_str_equal (t, "acct_query"))
    handle_acct_query (conn, msg);
  else if (g_str_equal (t, "step"))
    handle_step (conn, msg);
  else if (g_str_equal (t, "stdin"))
    handle_stdin (conn, msg);
  else if (g_str_equal (t, "ping"))
    rn_conn_send_new (conn, "pong", msg->seq, json_pack ("{s:I}", "time", (json_int_t) now_s ()));
  else if (g_str_equal (t, "register") || g_str_equal (t, "heartbeat")
           || g_str_equal (t, "job_exit") || g_str_equal (t, "io")
           || g_str_equal (t, "task_exit") || g_str_equal (t, "ok") || g_str_equal (t, "error"))
    {
      if (!is_daemon_peer (msg))
        {
          reply_error (conn, msg->seq, RN_ERROR_AUTH, "%s: only node daemons may send this", t);
          rn_conn_close (conn);
          return;
        }
      if (g_str_equal (t, "register"))
        handle_register (conn, msg);
      else if (g_str_equal (t, "heartbeat"))
        handle_heartbeat (conn, msg);
      else if (g_str_equal (t, "job_exit"))
        handle_job_exit (conn, msg);
      else if (g_str_equal (t, "io"))
        handle_io (conn, msg, FALSE);
      else if (g_str_equal (t, "task_exit"))
        handle_io (conn, msg, TRUE);
      else if (g_str_equal (t, "error"))
        rn_log ("node daemon at %s reports an error: %s", rn_conn_peer_name (conn),
                json_string_value (json_object_get (msg->body, "error")));
    }
  else
    {
      reply_error (conn, msg->seq, RN_ERROR_PROTOCOL, "unknown message type \"%s\"", t);
      rn_conn_close (conn);
    }
}

/* ---- timers ---- */

static gint64 ctld_start;

static gboolean
housekeeping_cb (gpointer data)
{
  (void) data;
  gint64 now = now_s ();
  /* nodes silent for SlurmdTimeout: their jobs are lost */
  for (guint i = 0; i < C->n_nodes; i++)
    {
      Node *n = &C->nodes[i];
      gint64 heard = MAX (n->last_heard, ctld_start);
      if (n->conn && now - heard > C->cfg->slurmd_timeout)
        {
          rn_log ("node %s: not responding for %" G_GINT64_FORMAT " s", n->conf->name,
                  now - heard);
          RnConn *c = n->conn;
          rn_conn_close (c);   /* node_conn_closed marks it down */
        }
      if (n->conn == NULL && now - heard > C->cfg->slurmd_timeout)
        for (guint k = 0; k < C->jobs->len; k++)
          {
            Job *j = C->jobs->pdata[k];
            if (j->dead || j->state != SCHED_JOB_RUNNING)
              continue;
            for (guint32 a = 0; a < j->alloc.n_nodes; a++)
              if (j->alloc.nodes[a].node == n->idx)
                {
                  rn_log ("job %u: node %s lost: NODE_FAIL", j->id, n->conf->name);
                  job_finish (j, SCHED_JOB_NODE_FAIL, 0, 0, now);
                  break;
                }
          }
    }
  /* finished jobs leave memory MinJobAge seconds after they end (they stay in the store) */
  gboolean purged = FALSE;
  for (guint i = 0; i < C->jobs->len; i++)
    {
      Job *j = C->jobs->pdata[i];
      if (!j->dead && sched_job_state_is_final (j->state) && !j->completing
          && !j->warm_queued && !j->store_queued
          && j->end != SCHED_TIME_NEVER && now - j->end >= C->cfg->min_job_age)
        {
          j->dead = TRUE;
          purged = TRUE;
          if (job_lookup (j->id) == j)
            g_hash_table_remove (C->by_id, GUINT_TO_POINTER (j->id));
        }
    }
  if (purged)
    {
      GPtrArray *keep = g_ptr_array_new ();
      GPtrArray *gone = g_ptr_array_new ();
      for (guint i = 0; i < C->jobs->len; i++)
        {
          Job *j = C->jobs->pdata[i];
          gboolean array_alive = FALSE;
          if (j->dead && j->array_job_id)
            {
              GPtrArray *t = array_tasks (j->array_job_id);
              for (guint k = 0; t && k < t->len; k++)
                array_alive |= !((Job *) t->pdata[k])->dead;
            }
          g_ptr_array_add (j->dead && !array_alive ? gone : keep, j);
        }
      for (guint i = 0; i < gone->len; i++)
        {
          Job *j = gone->pdata[i];
          if (j->array_job_id && array_tasks (j->array_job_id))
            g_hash_table_remove (C->arrays, GUINT_TO_POINTER (j->array_job_id));
        }
      for (guint i = 0; i < gone->len; i++)
        job_free (gone->pdata[i]);
      g_ptr_array_unref (gone);
      g_ptr_array_unref (C->jobs);
      C->jobs = keep;
    }
  return G_SOURCE_CONTINUE;
}

/* ---- restart ---- */

static gboolean
restore_job (json_t *rec, gpointer data)
{
  (void) data;
  const char *req_text = json_string_value (json_object_get (rec, "_request_text"));
  g_autoptr (json_t) req = req_text ? json_loads (req_text, 0, NULL) : NULL;
  gint64 id = json_integer_value (json_object_get (rec, "job_id"));
  if (!json_is_object (req))
    {
      rn_log ("warning: job %" G_GINT64_FORMAT ": no request in the state file; skipped", id);
      return TRUE;
    }
  guint32 uid = (guint32) json_integer_value (json_object_get (rec, "uid"));
  guint32 gid = (guint32) json_integer_value (json_object_get (rec, "gid"));
  gint64 submit = json_integer_value (json_object_get (rec, "submit_time"));
  g_autoptr (GError) err = NULL;
  restoring = TRUE;
  Job *j = job_from_request (req, uid, gid, submit, &err);
  restoring = FALSE;
  if (j == NULL)
    {
      rn_log ("warning: job %" G_GINT64_FORMAT ": cannot restore: %s", id, err->message);
      return TRUE;
    }
  j->id = (guint32) id;
  j->request_stored = TRUE;
  j->core_id = (guint32) json_integer_value (json_object_get (rec, "_core_id"));
  if (j->core_id == 0)
    j->core_id = j->id;
  j->spec.id = j->core_id;
  j->array_job_id = (guint32) json_integer_value (json_object_get (rec, "array_job_id"));
  json_t *task = json_object_get (rec, "array_task_id");
  j->task = json_is_integer (task) ? (gint32) json_integer_value (task) : -1;
  const char *arr = json_string_value (json_object_get (req, "array"));
  WlArraySpec as;
  if (arr && wl_parse_array (arr, &as, NULL))
    j->array_throttle = as.throttle;
  j->hold = (HoldKind) json_integer_value (json_object_get (rec, "_hold"));
  json_t *el = json_object_get (rec, "eligible_time"), *st = json_object_get (rec, "start_time");
  j->eligible = json_is_integer (el) ? json_integer_value (el) : SCHED_TIME_NEVER;
  j->start = json_is_integer (st) ? json_integer_value (st) : SCHED_TIME_NEVER;
  json_t *tl = json_object_get (rec, "time_limit");
  if (json_is_integer (tl))
    j->time_limit_rec = json_integer_value (tl);
  j->restarts = (guint32) json_integer_value (json_object_get (rec, "restarts"));
  j->requeue_pending = json_is_true (json_object_get (rec, "_requeue"));
  /* the ended steps' records; steps that were running are not (their srun is gone) */
  json_t *steps = json_object_get (rec, "steps"), *sr;
  size_t si;
  json_array_foreach (steps, si, sr)
    {
      json_t *sid = json_object_get (sr, "step_id");
      if (!json_is_object (sr) || !json_is_integer (sid)
          || g_strcmp0 (json_string_value (json_object_get (sr, "state")), "RUNNING") == 0)
        continue;
      if (j->step_recs == NULL)
        j->step_recs = json_array ();
      json_array_append (j->step_recs, sr);
      j->next_step = MAX (j->next_step, (guint32) json_integer_value (sid) + 1);
    }
  json_t *cb = json_object_get (rec, "cancelled_by");
  j->cancelled_by = json_is_integer (cb) ? json_integer_value (cb) : -1;
  json_t *lse = json_object_get (rec, "last_sched_eval");
  j->last_sched_eval = json_is_integer (lse) ? json_integer_value (lse) : SCHED_TIME_NEVER;
  job_set_io_paths (j, req);
  if (j->id >= C->next_id)
    C->next_id = j->id + 1;
  const char *state = json_string_value (json_object_get (rec, "state"));
  sched_core_check_submit (C->core, &j->spec, &j->run_qos);
  job_register (j);
  if (g_strcmp0 (state, "RUNNING") == 0 || g_strcmp0 (state, "CANCELLED") == 0)
    {
      json_t *alloc = json_object_get (rec, "_alloc");
      SchedAlloc a = { 0 };
      a.n_nodes = (guint32) json_array_size (alloc);
      a.nodes = g_new0 (SchedAllocNode, MAX (a.n_nodes, 1u));
      gboolean ok = a.n_nodes > 0;
      for (guint32 i = 0; i < a.n_nodes; i++)
        {
          json_t *e = json_array_get (alloc, i);
          a.nodes[i].node = (guint32) json_integer_value (json_object_get (e, "node"));
          a.nodes[i].cpus = (guint32) json_integer_value (json_object_get (e, "cpus"));
          a.nodes[i].gpus = (guint32) json_integer_value (json_object_get (e, "gpus"));
          a.nodes[i].mem_mb = (guint64) json_integer_value (json_object_get (e, "mem"));
          a.cpus += a.nodes[i].cpus;
          a.gpus += a.nodes[i].gpus;
          ok &= a.nodes[i].node < C->n_nodes;
        }
      g_autoptr (GArray) started = g_array_new (FALSE, FALSE, sizeof (SchedStart));
      if (ok && sched_core_adopt_running (C->core, now_s (), &j->spec, j->start, &a, j, started))
        {
          j->state = SCHED_JOB_RUNNING;
          j->in_core = TRUE;
          g_hash_table_insert (C->by_core, GUINT_TO_POINTER (j->core_id), j);
          sched_alloc_copy (&j->alloc, &a);
          for (guint32 i = 0; i < a.n_nodes; i++)
            {
              json_t *g = json_object_get (json_array_get (alloc, i), "gpu_ids");
              if (json_array_size (g) == 0)
                continue;
              if (j->gpu_ids == NULL)
                {
                  j->gpu_ids = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
                  for (guint32 q = 0; q < a.n_nodes; q++)
                    g_ptr_array_add (j->gpu_ids, g_array_new (FALSE, FALSE, sizeof (guint32)));
                }
              size_t gi;
              json_t *gv;
              json_array_foreach (g, gi, gv)
                {
                  guint32 x = (guint32) json_integer_value (gv);
                  g_array_append_val (j->gpu_ids->pdata[i], x);
                }
            }
          node_alloc (&j->alloc, &j->gpu_ids, TRUE, now_s ());
          if (g_strcmp0 (state, "CANCELLED") == 0)
            j->completing = TRUE;
        }
      else
        {
          j->state = SCHED_JOB_RUNNING;
          job_finish (j, SCHED_JOB_NODE_FAIL, 0, 0, now_s ());
        }
      sched_alloc_clear (&a);
    }
  else
    {
      g_ptr_array_add (C->waiting, j);
      C->need_eligibility = TRUE;
    }
  return TRUE;
}

/* ---- main ---- */


static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_CONTINUE;
}

static gboolean
policy_from_conf (const RnConfig *cfg, SchedPolicy *policy, GError **error)
{
  const char *st = wl_slurmconf_scheduler_type (cfg->conf);
  const char *name = "slurm";
  if (g_ascii_strcasecmp (st, "sched/builtin") == 0)
    name = "fcfs";
  else if (g_ascii_strcasecmp (st, "sched/backfill") != 0)
    name = g_str_has_prefix (st, "sched/") ? st + 6 : st;
  if (!sched_policy_lookup (name, policy))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID,
                   "%s: SchedulerType=%s: expected sched/backfill, sched/builtin or sched/NAME "
                   "with a sluice policy name", cfg->path, st);
      return FALSE;
    }
  const WlParamList *sp = wl_slurmconf_sched_params (cfg->conf);
  for (guint i = 0; sp && i < wl_param_list_length (sp); i++)
    if (sched_policy_set_param (policy, wl_param_list_key (sp, i),
                                wl_param_list_value (sp, i)) == SCHED_PARAM_BAD_VALUE)
      {
        g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "%s: SchedulerParameters: %s=%s: bad value",
                     cfg->path, wl_param_list_key (sp, i), wl_param_list_value (sp, i));
        return FALSE;
      }
  return TRUE;
}

int
rn_ctld_main (int argc, char **argv)
{
  g_autofree char *conf_path = NULL;
  gboolean quiet = FALSE, foreground = FALSE;
  GOptionEntry entries[] = {
    { "conf", 'f', 0, G_OPTION_ARG_FILENAME, &conf_path, "slurm.conf to read (default: $SLUICE_CONF)", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no log lines (start-up errors still print)", NULL },
    { "foreground", 'D', 0, G_OPTION_ARG_NONE, &foreground, "run in the foreground (always)", NULL },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("- the sluice controller");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_autoptr (GError) err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  Ctld ctl = { 0 };
  C = &ctl;
  rn_log_setup (NULL, quiet);
  ctld_start = now_s ();
  C->cfg = rn_config_load (rn_config_default_path (conf_path), TRUE, &err);
  if (C->cfg == NULL)
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  if (g_mkdir_with_parents (C->cfg->state_dir, 0755) != 0)
    {
      g_printerr ("sluice ctld: %s: %s\n", C->cfg->state_dir, g_strerror (errno));
      return 1;
    }
  if (!g_file_test (C->cfg->key_path, G_FILE_TEST_EXISTS)
      && !rn_key_generate (C->cfg->key_path, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  if (!rn_key_load (&C->key, C->cfg->key_path, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  g_autofree char *db = g_build_filename (C->cfg->state_dir, "state.db", NULL);
  RnStoreOptions sopts = { 0 };
  const char *sync = wl_slurmconf_get (C->cfg->conf, "StateSync");
  if (sync && g_ascii_strcasecmp (sync, "normal") == 0)
    sopts.sync = RN_STORE_SYNC_NORMAL;
  else if (sync && g_ascii_strcasecmp (sync, "full") != 0)
    {
      g_printerr ("sluice ctld: %s: StateSync=%s: expected full or normal\n", C->cfg->path, sync);
      return 1;
    }
  C->store = rn_store_open (db, &sopts, &err);
  if (C->store == NULL)
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  C->cluster = wl_slurmconf_build_cluster (C->cfg->conf, &err);
  SchedPolicy policy;
  if (C->cluster == NULL || !policy_from_conf (C->cfg, &policy, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  /* priority/multifactor and the accounts, users, QOS and limits of AssocFile=, as
   * `sluice sim --cluster --assoc` uses them: the same core, in real time */
  gboolean multifactor = g_ascii_strcasecmp (wl_slurmconf_priority_type (C->cfg->conf),
                                             "priority/multifactor") == 0;
  const char *assoc_file = wl_slurmconf_get (C->cfg->conf, "AssocFile");
  if (multifactor)
    policy.order = SCHED_ORDER_PRIORITY;
  C->multifactor = multifactor;
  C->core = sched_core_new (C->cluster, &policy);
  if (multifactor || assoc_file)
    {
      WlSlurmPriority wp;
      wl_slurmconf_priority (C->cfg->conf, &wp);
      SchedPriorityParams pp;
      sched_priority_params_init (&pp);
      pp.weight_age = wp.weight_age;
      pp.weight_fairshare = wp.weight_fairshare;
      pp.weight_job_size = wp.weight_job_size;
      pp.weight_partition = wp.weight_partition;
      pp.weight_qos = wp.weight_qos;
      pp.decay_half_life = wp.decay_half_life;
      pp.max_age = wp.max_age;
      pp.favor_small = wp.favor_small;
      if (wp.usage_reset_period)
        sched_priority_reset_from_name (wp.usage_reset_period, &pp.usage_reset);
      if (wp.flags)
        sched_priority_params_set_flags (&pp, wp.flags, NULL);
      pp.total_cpus = sched_cluster_total_cpus (C->cluster);
      pp.total_nodes = sched_cluster_n_nodes (C->cluster);
      SchedPriority *prio = sched_priority_new (&pp);
      SchedLimits *limits = sched_limits_new ();
      WlAssocOptions aopts = { NULL, limits };
      /* and the partitions' QOS= and Deny lists, which name the file's QOS */
      if (assoc_file && (!wl_assoc_load (assoc_file, &aopts, prio, &err)
                         || !wl_slurmconf_apply_limits (C->cfg->conf, C->cluster, limits,
                                                        &err)))
        {
          g_printerr ("sluice ctld: %s\n", err->message);
          sched_priority_free (prio);
          sched_limits_free (limits);
          return 1;
        }
      sched_core_set_priority (C->core, prio);
      sched_core_set_limits (C->core, limits);
    }
  C->n_nodes = wl_slurmconf_n_nodes (C->cfg->conf);
  C->nodes = g_new0 (Node, MAX (C->n_nodes, 1u));
  C->node_by_name = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < C->n_nodes; i++)
    {
      Node *n = &C->nodes[i];
      n->idx = i;
      n->conf = wl_slurmconf_node (C->cfg->conf, i);
      n->free_mem = -1;
      g_hash_table_insert (C->node_by_name, n->conf->name, n);
      if (n->conf->state == WL_NODE_STATE_DOWN || n->conf->state == WL_NODE_STATE_FUTURE)
        n->admin_down = TRUE;
      if (n->conf->state == WL_NODE_STATE_DRAIN)
        n->drain = TRUE;
      if (n->conf->reason)
        {
          n->reason = g_strdup (n->conf->reason);
          n->reason_time = ctld_start;
        }
    }
  gint64 dmpc = 0;
  if (!wl_slurmconf_get_int (C->cfg->conf, "DefMemPerCPU", &dmpc, NULL) || dmpc <= 0)
    {
      const WlSlurmNode *n0 = C->n_nodes ? C->nodes[0].conf : NULL;
      dmpc = n0 && n0->real_memory_mb && n0->cpus ? (gint64) (n0->real_memory_mb / n0->cpus) : 0;
    }
  C->mem_per_cpu = dmpc;
  C->by_id = g_hash_table_new (NULL, NULL);
  C->by_core = g_hash_table_new (NULL, NULL);
  C->arrays = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  C->submit_counts = g_hash_table_new (NULL, NULL);
  C->jobs = g_ptr_array_new ();
  C->waiting = g_ptr_array_new ();
  C->pending_replies = g_array_new (FALSE, FALSE, sizeof (Reply));
  C->pending_launch = g_ptr_array_new ();
  C->to_store = g_ptr_array_new ();
  C->warm_queue = g_ptr_array_new ();
  C->pass_at = SCHED_TIME_NEVER;
  guint32 next = 0;
  if (!rn_store_get_next_job_id (C->store, &next, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  gint64 first = 1;
  wl_slurmconf_get_int (C->cfg->conf, "FirstJobId", &first, NULL);
  C->next_id = next ? next : (guint32) MAX (first, 1);
  C->stored_next_id = next;
  guint skipped = 0;
  if (!rn_store_foreach_active (C->store, RN_STORE_READ_SKIP_CORRUPT, restore_job, NULL,
                                &skipped, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  guint n_restored = C->jobs->len;
  for (guint i = 0; i < C->n_nodes; i++)
    node_set_usable (&C->nodes[i], ctld_start);   /* down until their noded registers */
  C->net = rn_net_new (&C->key, getuid (), getgid ());
  rn_net_set_refuse_func (C->net, rn_log_refused, NULL);
  guint16 bound = 0;
  const char *bind_host = g_strcmp0 (C->cfg->ctld_addr, "localhost") == 0 ? "127.0.0.1"
                                                                           : C->cfg->ctld_addr;
  if (!rn_net_listen_tcp (C->net, bind_host, C->cfg->ctld_port, &bound, on_message, NULL, &err)
      || !rn_net_listen_unix (C->net, C->cfg->socket_path, on_message, NULL, &err))
    {
      g_printerr ("sluice ctld: %s\n", err->message);
      return 1;
    }
  C->loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, C->loop);
  g_unix_signal_add (SIGTERM, quit_cb, C->loop);
  g_timeout_add_seconds (1, housekeeping_cb, NULL);
  schedule_flush ();
  rn_log ("sluice ctld: cluster %s, %u nodes, policy %s, listening on %s:%u and %s; "
          "%u jobs restored%s", C->cfg->cluster_name, C->n_nodes, policy.ops->name,
          bind_host, bound, C->cfg->socket_path, n_restored,
          skipped ? " (some state records were corrupt and skipped)" : "");
  g_main_loop_run (C->loop);
  rn_log ("sluice ctld: shutting down");
  if (C->flush_source)
    {
      g_source_remove (C->flush_source);
      flush_cb (NULL);
    }
  rn_net_free (C->net);
  rn_store_free (C->store);
  unlink (C->cfg->socket_path);
  /* free everything, so that leak checkers see only real leaks */
  if (C->warm_source)
    g_source_remove (C->warm_source);
  if (C->pass_timer)
    g_source_remove (C->pass_timer);
  for (guint i = 0; i < C->jobs->len; i++)
    job_free (C->jobs->pdata[i]);
  g_ptr_array_unref (C->jobs);
  g_ptr_array_unref (C->waiting);
  g_ptr_array_unref (C->pending_launch);
  g_ptr_array_unref (C->to_store);
  g_ptr_array_unref (C->warm_queue);
  g_array_unref (C->pending_replies);
  g_hash_table_destroy (C->by_id);
  g_hash_table_destroy (C->by_core);
  g_hash_table_destroy (C->arrays);
  g_hash_table_destroy (C->submit_counts);
  g_hash_table_destroy (C->node_by_name);
  for (guint i = 0; i < C->n_nodes; i++)
    {
      g_free (C->nodes[i].addr);
      g_free (C->nodes[i].reason);
      g_free (C->nodes[i].os);
      g_free (C->nodes[i].arch);
      if (C->nodes[i].conn)
        rn_conn_unref (C->nodes[i].conn);
    }
  g_free (C->nodes);
  for (int w = 0; w < 2; w++)
    g_clear_pointer (&C->text_cache[w].body, g_bytes_unref);
  sched_core_free (C->core);
  sched_cluster_free (C->cluster);
  g_main_loop_unref (C->loop);
  rn_config_free (C->cfg);
  rn_log_setup (NULL, FALSE);
  g_clear_pointer (&user_names, g_hash_table_destroy);
  g_clear_pointer (&group_names, g_hash_table_destroy);
  C = NULL;
  return 0;
}
