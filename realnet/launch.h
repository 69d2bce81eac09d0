/* SPDX-License-Identifier: MIT */
/* realnet/launch.h - the node daemon's process supervision: batch scripts, srun tasks, reaping.
 *
 * An RnSupervisor starts the processes of the jobs that run on one node (`sluice noded`)
 * and watches them on a GLib main context until they end:
 *  - a batch job (docs/realnet.md, "Launch request") is one process running the job's
 *    script, written to SPOOL/job<ID>/script, with stdout/stderr in files named by the
 *    request's patterns (relative to the working directory);
 *  - an srun step (the `step_launch` body: a launch request plus "step_id", "argv" and
 *    "task_ids") is one process per task of this node, with stdout and stderr on pipes
 *    that the supervisor reads without blocking and hands to the output callback.
 * Each process gets its own session and process group (setsid), runs as the job's user
 * (when the daemon is root), starts from the request's "environment" with Slurm's variables
 * set over it as Slurm 22.05 does (SLURM_JOB_ID, SLURM_NODELIST, SLURM_PROCID, ...,
 * CUDA_VISIBLE_DEVICES when the job has GPUs; see launch.c for the full list) and with every
 * descriptor above 2 closed, every signal unblocked and at its default disposition.
 *
 * Reaping: the supervisor installs a SIGCHLD handler that writes to a self-pipe watched on
 * the thread-default main context of the thread that created it, and then collects its
 * own children with wait4 (for the rusage).  It only ever waits for the pids it started
 * (one wait4 per known pid, never wait4(-1)), so other children of the process keep their
 * status.  A process is reported once it has exited and, for a task, both of its pipes have
 * reached end of file (or were closed 10 s after the exit, if a descendant keeps them
 * open).  When a process is reaped, whatever is left in its process group gets SIGKILL
 * (Slurm kills the rest of a job when it ends); when a batch script ends, the steps still
 * running for that job on this node are killed too (reported CANCELLED).
 *
 * Time limits and cancel: a job's "time_limit" (seconds from "start_time" if the request
 * has it, else from its first launch here) ends it with SIGCONT + SIGTERM to every process
 * group of the job, then SIGKILL "kill_wait" seconds later (state TIMEOUT).  With
 * "signal": {"num": N, "time": T, "batch": B} (sbatch --signal=[B:]N@T) signal N goes T
 * seconds before the limit to the batch shell alone (B true) or to each step task's group.
 * rn_supervisor_cancel_job does the same with a chosen signal (state CANCELLED);
 * rn_supervisor_signal_job only delivers a signal.
 *
 * Threading and re-entrancy: every call must come from the thread that runs the
 * supervisor's main context.  Callbacks run from that context; they may call any function
 * here except rn_supervisor_free.  At most RN_SUPERVISOR_MAX supervisors exist at a time in
 * one process (they share the SIGCHLD handler).  Do not mix with g_child_watch_add or
 * GSubprocess in the same process on GLib builds that watch children through SIGCHLD: GLib
 * would replace the handler.
 *
 * Costs: a launch forks once per process and writes one small file (batch); each SIGCHLD
 * costs one waitid per live process of the node; output is read in chunks of up to 64 KiB. */
#pragma once
#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define RN_LAUNCH_ERROR (rn_launch_error_quark ())
GQuark rn_launch_error_quark (void);

typedef enum {
  RN_LAUNCH_ERROR_INVALID,     /* the request: missing field, wrong type, out of range
                                * ("launch request: \"ntasks\" must be ... (got -2)") */
  RN_LAUNCH_ERROR_USER,        /* unknown user, uid/user mismatch, a uid we cannot run as */
  RN_LAUNCH_ERROR_SPAWN,       /* spool file, pipe, fork, privileges, stdio files, exec */
  RN_LAUNCH_ERROR_STATE,       /* the job is ending (cancel/timeout), or already has a script */
  RN_LAUNCH_ERROR_UNKNOWN_JOB, /* no process of that job runs here */
  RN_LAUNCH_ERROR_SETUP,       /* the supervisor itself: spool dir, SIGCHLD handler, limit */
} RnLaunchError;

/* The step id of a batch script in reports (Slurm's SLURM_BATCH_SCRIPT). */
#define RN_STEP_BATCH 0xfffffffbu

/* Maximum number of supervisors alive at once in one process. */
#define RN_SUPERVISOR_MAX 16

/* Seconds between a task's exit and the forced close of pipes a descendant keeps open. */
#define RN_LAUNCH_DRAIN_SECONDS 10

typedef enum {
  RN_END_COMPLETED,   /* exit status 0 */
  RN_END_FAILED,      /* non-zero exit status, or killed by a signal not sent by us */
  RN_END_TIMEOUT,     /* the supervisor ended it at its time limit */
  RN_END_CANCELLED,   /* ended through rn_supervisor_cancel_job (or its batch script ended) */
} RnEndState;

/* Returns (transfer none) "COMPLETED", "FAILED", "TIMEOUT" or "CANCELLED". */
const char *rn_end_state_to_string (RnEndState state);

typedef enum {
  RN_STREAM_OUT,
  RN_STREAM_ERR,
} RnStream;

/* Returns (transfer none) "out" or "err" (the `io` frame's "stream"). */
const char *rn_stream_to_string (RnStream stream);

/* How one batch script or task ended. */
typedef struct {
  guint32    job_id;
  guint32    step_id;       /* RN_STEP_BATCH for the batch script */
  guint32    task_id;       /* global task id (0 for the batch script) */
  int        pid;           /* the process that ended (already reaped) */
  RnEndState state;
  int        exit_code;     /* WEXITSTATUS, 0 when killed by a signal */
  int        signal;        /* terminating signal, 0 when it exited */
  double     cpu_seconds;   /* user + system time (rusage of the process and its waited-for
                             * descendants) */
  gint64     max_rss_kb;    /* ru_maxrss, KiB */
  gint64     end_time;      /* Unix seconds at reaping */
} RnExitReport;

/* Called once per batch script or task, after the process was reaped and (task) both of its
 * streams delivered end of file.  `report` is valid during the call only.  By then the
 * process is no longer counted in rn_supervisor_lookup_job, and if it was the job's last
 * process here, the job is no longer in rn_supervisor_list_jobs. */
typedef void (*RnExitFunc) (const RnExitReport *report, gpointer user_data);

/* Called with each chunk a task writes (`data`, `len` > 0 bytes, not NUL-terminated, valid
 * during the call only), and once per stream with `data` NULL and `len` 0 at end of file.
 * Chunks are cut where the pipe read returned, not at line ends.  Never called for batch
 * scripts (their output goes to files).  A task on a pseudo-terminal writes all to stdout:
 * its stderr ends (data NULL) as soon as it starts. */
typedef void (*RnOutputFunc) (guint32 job_id, guint32 step_id, guint32 task_id,
                              RnStream stream, const char *data, gsize len,
                              gpointer user_data);

typedef struct _RnSupervisor RnSupervisor;   /* opaque */

/* Creates a supervisor for node `node_name` keeping job files under `spool_dir` (created
 * with mode 0755 if missing; job users must be able to search it), attached to the calling
 * thread's thread-default main context, and installs the SIGCHLD handler.  `output_func`
 * may be NULL (task output is then read and dropped); `exit_func` may not.  Returns
 * (transfer full) the supervisor, or NULL with `error` set (RN_LAUNCH_ERROR_SETUP: spool
 * directory, pipe, sigaction, more than RN_SUPERVISOR_MAX supervisors). */
RnSupervisor *rn_supervisor_new (const char *spool_dir, const char *node_name,
                                 RnExitFunc exit_func, RnOutputFunc output_func,
                                 gpointer user_data, GError **error);

/* SIGKILLs every process group it started, reaps them (waiting for them to die), closes
 * the pipes and removes the job directories, without calling any callback; restores the
 * previous SIGCHLD action when it was the last supervisor.  NULL is a no-op.  Not from a
 * callback. */
void rn_supervisor_free (RnSupervisor *sup);

/* Starts the batch script of launch request `req` (docs/realnet.md; required: "job_id",
 * "user", "uid", "gid", "script", "workdir"; everything else has Slurm's default, and the
 * optional extras "start_time" (Unix seconds the time limit counts from) and
 * "cpus_per_node" (SLURM_JOB_CPUS_PER_NODE, e.g. "16,4") are read when present).
 * When the daemon runs as root and "uid" is not 0 the script runs as that user (its groups
 * from the group database); when it is not root, "uid" must be its own.  Errors found in
 * the child before exec (privileges, opening stdin/stdout/stderr as the user, exec) come
 * back here as errors: nothing is reported for such a launch.  A working directory that
 * cannot be entered is not an error: as Slurm does, the script runs in /tmp and its stderr
 * gets "slurmstepd: error: couldn't chdir to `DIR': ...: going to /tmp instead".
 * Output files are opened with O_TRUNC, mode 0644 less the umask: the "SLURM_UMASK" of the
 * request's environment (octal, as sbatch exports it) when present, else the daemon's.
 * Returns TRUE with *pid (may be NULL) set to the script's pid, or FALSE with `error` set
 * (RN_LAUNCH_ERROR_INVALID naming the field, _USER, _SPAWN, _STATE when the job is ending
 * or already runs a batch script here); on FALSE no process was left running. */
gboolean rn_supervisor_launch_batch (RnSupervisor *sup, const json_t *req, int *pid,
                                     GError **error);

/* Starts the tasks of an srun step on this node from `req`, a launch request plus
 * "step_id" (0 .. RN_STEP_BATCH-1), "argv" (non-empty array of strings; argv[0] without a
 * '/' is searched in the PATH of the request's environment, else /usr/local/bin:/usr/bin:/bin)
 * and "task_ids" (the global ids of this node's tasks, each below the step's task count).
 * Optional extras describe the step when it differs from the job: "step_ntasks",
 * "step_nodes" (hostlist), "step_num_nodes", "step_tasks_per_node"; "script" is not needed.
 * Each task's stdout and stderr are pipes read through the main context (RnOutputFunc);
 * its stdin is /dev/null, or a pipe fed by rn_supervisor_step_input with "input": true.
 * With "pty": true, task 0 (when it is on this node) runs on a new pseudo-terminal, its
 * controlling terminal, for stdin, stdout and stderr (what it prints comes as stdout;
 * "rows" and "cols" set the window size).
 * All tasks start or none does (on a failure the started ones are killed and reaped).
 * Returns TRUE, or FALSE with `error` set as rn_supervisor_launch_batch does. */
gboolean rn_supervisor_launch_step (RnSupervisor *sup, const json_t *req, GError **error);

/* The most input a task may have waiting (unread) before more is refused. */
#define RN_LAUNCH_INPUT_MAX (4 << 20)

/* Input for step `step_id` of job `job_id`: `data` (len bytes) goes to the stdin of each of
 * its tasks here that reads input (in order, written as they take it, without blocking);
 * `eof` then closes their stdin.  A task that ended or closed its stdin is skipped.
 * Returns TRUE, or FALSE with `error` set: RN_LAUNCH_ERROR_UNKNOWN_JOB, or
 * RN_LAUNCH_ERROR_STATE when a task has RN_LAUNCH_INPUT_MAX bytes waiting (the data is
 * then dropped for that task). */
gboolean rn_supervisor_step_input (RnSupervisor *sup, guint32 job_id, guint32 step_id,
                                   const void *data, gsize len, gboolean eof, GError **error);

/* The terminal of step `step_id` of job `job_id` (srun --pty) here becomes `rows` x `cols`
 * (1..65535): its task gets SIGWINCH.  FALSE when no task of the step has one here. */
gboolean rn_supervisor_step_winsize (RnSupervisor *sup, guint32 job_id, guint32 step_id,
                                     guint rows, guint cols);

/* Sends `sig` (1 .. 64) to every process group of job `job_id` on this node (the batch
 * script and all steps).  Does not change how the job's processes will be reported.
 * Returns TRUE, or FALSE with `error` set (RN_LAUNCH_ERROR_UNKNOWN_JOB, _INVALID signal). */
gboolean rn_supervisor_signal_job (RnSupervisor *sup, guint32 job_id, int sig,
                                   GError **error);

/* Cancels job `job_id` on this node: SIGCONT and `sig` (SIGTERM when 0) to every process
 * group of the job now, SIGKILL to those still alive after the job's kill_wait; its
 * processes are reported CANCELLED (TIMEOUT if its time limit already fired).  Cancelling a
 * job that is already ending sends `sig` again and keeps the first SIGKILL deadline.
 * Returns TRUE, or FALSE with `error` set (RN_LAUNCH_ERROR_UNKNOWN_JOB, _INVALID signal). */
gboolean rn_supervisor_cancel_job (RnSupervisor *sup, guint32 job_id, int sig,
                                   GError **error);

/* Changes the time limit of job `job_id` (seconds from its start, -1 unlimited): a limit
 * already passed ends it now (TIMEOUT).  scontrol update JobId=... TimeLimit=... on a
 * running job.  Returns FALSE with `error` set (RN_LAUNCH_ERROR_UNKNOWN_JOB, _INVALID). */
gboolean rn_supervisor_set_time_limit (RnSupervisor *sup, guint32 job_id, gint64 time_limit,
                                       GError **error);

/* Returns (transfer full) the ids (guint32) of the jobs with at least one process here that
 * has not been reported yet, ascending (for heartbeats and `register`). */
GArray *rn_supervisor_list_jobs (RnSupervisor *sup);

/* What the supervisor knows about one job. */
typedef struct {
  guint32    job_id;
  guint32    uid;
  int        batch_pid;       /* 0 when no batch script of the job runs here */
  guint      n_procs;         /* processes not reported yet (batch script + tasks) */
  gint64     start_time;      /* Unix seconds the time limit counts from */
  gint64     time_limit;      /* seconds, -1 for unlimited */
  gboolean   ending;          /* cancelled or timed out; processes still to be reported */
  RnEndState ending_state;    /* RN_END_TIMEOUT or RN_END_CANCELLED when `ending` */
} RnJobInfo;

/* Returns TRUE and fills `info` when job `job_id` has processes here, else FALSE. */
gboolean rn_supervisor_lookup_job (RnSupervisor *sup, guint32 job_id, RnJobInfo *info);

/* What the output-name patterns may use (see rn_launch_expand_pattern). */
typedef struct {
  guint32     job_id;
  guint32     array_job_id;    /* 0 when not an array task */
  gint64      array_task_id;   /* -1 when not an array task */
  const char *name;            /* %x */
  const char *user;            /* %u */
  const char *node;            /* %N */
  guint32     node_id;         /* %n */
  guint32     task_id;         /* %t */
  guint32     step_id;         /* %s; RN_STEP_BATCH prints "batch" */
} RnPatternVars;

/* Expands an sbatch --output/--error/--input pattern as Slurm does: %j job id, %x job name,
 * %u user, %N node, %A array job id (the job id outside arrays), %a array task id
 * (4294967294 outside arrays, as Slurm prints it), %n node id, %t task id, %s step id, %%
 * a '%'; a number after the '%' zero-pads numbers to that width ("%4j" -> "0042"); other
 * "%c" stay as written; a pattern containing '\\' is not expanded, only its backslashes are
 * removed.  Returns (transfer full) the expanded name. */
char *rn_launch_expand_pattern (const char *pattern, const RnPatternVars *vars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RnSupervisor, rn_supervisor_free)

G_END_DECLS
