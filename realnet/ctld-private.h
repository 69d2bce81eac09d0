/* SPDX-License-Identifier: MIT */
/* realnet/ctld-private.h - the controller's shared state: the one Ctld `C`, its jobs, steps
 * and nodes, and the functions the controller's files call across (ctld.c: start-up, the
 * main loop, the flush and the dispatch; ctld-jobs.c: job records, the store and
 * eligibility; ctld-requests.c: the clients' requests; ctld-nodes.c: nodes, launches and
 * the node daemons' messages).  Only those files include it.
 *
 * Everything runs on the controller's one GLib main loop, over the state `C` that
 * rn_ctld_main sets up and tears down; no function here is safe before that or from
 * another thread.  Job, Step and Node pointers stay valid while the job, step or controller
 * lives (a Job until housekeeping frees it, MinJobAge or more after it ends).  What returns
 * "(transfer full)" the caller frees; every other pointer is borrowed. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "realnet/config.h"
#include "realnet/conn.h"
#include "realnet/proto.h"
#include "realnet/store.h"
#include "sched/core.h"
#include "workloads/slurmconf.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (json_t, json_decref)

#define UNLIMITED_SECONDS (365 * 86400)

typedef enum { HOLD_NONE = 0, HOLD_USER, HOLD_ADMIN } HoldKind;

typedef struct Step Step;

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
  char         *req_nodes, *exc_nodes;   /* --nodelist, --exclude as given */
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

/* The controller, set by rn_ctld_main for its whole run (ctld.c). */
extern Ctld *C;

/* ---- ctld.c: names, replies, the flush ---- */

/* The time now, in whole seconds since the epoch. */
static inline gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The name of a uid or gid (its number when it has none), looked up once (transfer full). */
char *user_name (guint32 uid);
char *group_name (guint32 gid);
/* A `-u` entry (a name or a uid) as a name (transfer full); the same on every entry of
 * `users`, which it takes (transfer full; NULL stays NULL). */
char *user_filter_name (const char *entry);
GPtrArray *user_filter_names (GPtrArray *users);

/* Queues `body` (transfer full) as the reply to request `seq`: sent after the next commit,
 * or replaced by an error if that commit fails. */
void reply_later (RnConn *conn, gint64 seq, const char *type, json_t *body);
/* Sends an error reply at once. */
void reply_error (RnConn *conn, gint64 seq, int code, const char *fmt, ...) G_GNUC_PRINTF (4, 5);
/* Asks for a flush (eligibility, a pass, the commit, replies, launches) when the main loop
 * is next idle: one, however often it is asked before; nothing while a flush runs. */
void schedule_flush (void);

/* ---- ctld-jobs.c: job records, the store, lookups, eligibility, submission checks ---- */

extern gboolean restoring;   /* reading jobs back at start: dependencies may be gone */

/* Records and words shown for a job. */
void rec_set_time (json_t *rec, const char *key, SchedTime t);
const char *job_reason (const Job *j);
guint32 job_priority (const Job *j);
char *alloc_nodes_string (const SchedAlloc *a); /* its nodes ranged (transfer full), NULL: none */
char *job_nodes_string (const Job *j);        /* (transfer full), NULL while pending */
const char *job_state_word (const Job *j);
const char *job_partition_name (const Job *j);
json_t *str_or_null (const char *s);
json_t *job_record_build (Job *j, gint64 now);             /* (transfer full) */
json_t *job_brief_record (Job *j, const char *reason);     /* (transfer full) */

/* A change to `j`: its cached squeue lines go stale (job_update_record), its record is
 * queued for the store (job_store, written by job_store_now at the flush), or both
 * (job_changed). */
void job_update_record (Job *j);
void job_store_now (Job *j, gint64 now);
void job_store (Job *j);
void job_changed (Job *j);

/* Jobs in memory: by id and an array's tasks (NULL if none), the jobs "12", "7" or "7_3"
 * stand for (a new array: transfer container). */
Job *job_lookup (guint32 id);
GPtrArray *array_tasks (guint32 array_id);
GPtrArray *jobs_for_spec (const char *spec);
void job_free (Job *j);
void step_free (Step *s);
void step_read_input (Step *s, json_t *o);
void step_account (Job *j, const Step *s, const char *state, gint64 end);

/* Moves the waiting jobs that became eligible into the core; the others get a reason. */
void update_eligibility (gint64 now);

/* Submission: a Job from a validated request (transfer full; NULL with `error` set), its
 * output paths, its request parsed again (transfer full), its place in the tables, and the
 * checks Slurm makes at submission. */
Job *job_from_request (json_t *req, guint32 uid, guint32 gid, gint64 now, GError **error);
void job_set_io_paths (Job *j, json_t *req);
json_t *job_request (const Job *j);
void submit_count_add (const Job *j, int delta);
void job_register (Job *j);
gboolean submit_allowed (Job *j, guint n_jobs, GError **error);

/* ---- ctld-requests.c: the clients' requests ---- */

void handle_submit (RnConn *conn, RnMsg *msg, gboolean interactive);   /* and alloc */
void handle_job_list (RnConn *conn, RnMsg *msg);
void handle_node_list (RnConn *conn, RnMsg *msg);
void handle_part_list (RnConn *conn, RnMsg *msg);
void handle_config (RnConn *conn, RnMsg *msg);
void handle_cancel (RnConn *conn, RnMsg *msg);
void handle_update_job (RnConn *conn, RnMsg *msg);
void handle_update_node (RnConn *conn, RnMsg *msg);
void handle_acct_query (RnConn *conn, RnMsg *msg);
/* May `uid` act on `j` (its owner or an administrator)? */
gboolean may_act_on (guint32 uid, const Job *j);
/* The job's squeue line in the default (0) or long (1) format, cached in the job. */
const char *job_line (Job *j, int which, gint64 now);

/* ---- ctld-nodes.c: nodes, launches, ending jobs, node daemons and srun steps ---- */

Node *node_of (guint32 idx);
/* Takes (`on`) or gives back an allocation's CPUs, memory and GPUs on its nodes; picks the
 * GPU ids when taking them the first time. */
void node_alloc (const SchedAlloc *a, GPtrArray **gpu_ids, gboolean on, gint64 now);
json_t *node_record (const Node *n);       /* (transfer full) */
json_t *partition_record (guint p);        /* (transfer full) */
/* Tells the core whether `n` is up, down or drained, as its flags say; asks for a pass. */
void node_set_usable (Node *n, gint64 now);
/* Sends a job the last pass started to its first node, or an allocation's step to its
 * nodes; a batch job whose node is not responding ends NODE_FAIL. */
void launch_job (Job *j);
/* Ends `j` in `state`: out of the core and off its nodes, its steps accounted (nothing if
 * it has ended already). */
void job_finish (Job *j, SchedJobState state, int exit_code, int sig, gint64 when);
/* Puts `j` (running or ended) back to pending, as scontrol requeue does. */
void job_requeue_now (Job *j, gint64 now);
void send_signal (Job *j, int sig, gboolean cancel);
gboolean job_cancel (Job *j, guint32 uid, int sig, gboolean full, GError **error);
/* Messages from node daemons (register, heartbeat, job_exit, io and task_exit) and from
 * srun (step, stdin; srun_closed when its connection goes). */
void handle_register (RnConn *conn, RnMsg *msg);
void handle_heartbeat (RnConn *conn, RnMsg *msg);
void handle_job_exit (RnConn *conn, RnMsg *msg);
void handle_io (RnConn *conn, RnMsg *msg, gboolean is_exit);
void handle_step (RnConn *conn, RnMsg *msg);
void handle_step_forward (RnConn *conn, RnMsg *msg);
void srun_closed (RnConn *conn, const char *reason, gpointer data);
