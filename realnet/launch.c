/* SPDX-License-Identifier: MIT */
/* realnet/launch.c - process supervision on the node: batch scripts, srun tasks, reaping.
 *
 * A launch goes in three steps.  (1) The request is validated into a Spec (every field
 * type- and range-checked, the user looked up, the groups listed) and everything the child
 * needs is prepared in a ChildPlan: argv, envp, exec candidates, stdio paths, group list.
 * (2) vfork with all signals blocked (no copy of the daemon's page tables: a launch costs
 * the same however large the daemon grows); the child (child_run) only makes
 * async-signal-safe calls on memory prepared before: reset dispositions and mask, setsid,
 * mark fds > 2 close-on-exec, drop privileges (raw setgroups/setgid/setuid system calls,
 * which change this task alone, then verified), chdir (falling back to /tmp like slurmstepd),
 * open stdio as the user, write its pid into the SLURM_TASK_PID slot of envp, execve.  Any
 * failure goes to the parent as {stage, errno} on a close-on-exec pipe, so the parent knows,
 * before it returns, whether the exec happened (EOF) or why not (8 bytes; it then reaps the
 * child and returns a GError).  (3) The pid joins the supervisor's tables: procs (pid ->
 * Proc, owning) and jobs (job id -> Job, owning; a Job lists its Procs, holds the time
 * limit and kill timers and the batch spool directory).
 *
 * Reaping: one process-wide SIGCHLD handler writes a byte to the self-pipe of every live
 * supervisor (wake_slots: the only file-scope mutable state, which a signal handler needs).
 * The pipe's watch calls reap(): for each unreaped Proc, waitid(WNOWAIT) peeks whether it
 * exited; if so its process group gets SIGKILL while the zombie still pins the group id,
 * and wait4 collects status and rusage.  A Proc is finished (removed, then reported) once
 * it exited and both its pipes are closed; a Job goes when its last Proc does.
 *
 * Environment: the request's "environment", then Slurm 22.05's batch variables (compare
 * /work/shared/reference, "env | grep ^SLURM_"): SLURM_CLUSTER_NAME, SLURM_CONF,
 * SLURM_CPUS_ON_NODE, SLURM_CPUS_PER_TASK (> 1), SLURM_GTIDS, SLURM_JOBID, SLURM_JOB_ID,
 * SLURM_JOB_CPUS_PER_NODE, SLURM_JOB_GID, SLURM_JOB_UID, SLURM_JOB_USER, SLURM_JOB_NAME,
 * SLURM_JOB_NODELIST, SLURM_NODELIST, SLURM_JOB_NUM_NODES, SLURM_NNODES,
 * SLURM_JOB_PARTITION, SLURM_JOB_ACCOUNT, SLURM_JOB_QOS, SLURM_LOCALID, SLURM_NODEID,
 * SLURM_PROCID, SLURM_NPROCS, SLURM_NTASKS, SLURM_NTASKS_PER_NODE (when asked for),
 * SLURM_TASKS_PER_NODE, SLURM_SUBMIT_DIR,
 * SLURM_SUBMIT_HOST, SLURM_TASK_PID, SLURM_MEM_PER_CPU or SLURM_MEM_PER_NODE,
 * SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID, SLURM_NODE_ALIASES, SLURM_PRIO_PROCESS,
 * SLURM_TOPOLOGY_ADDR(_PATTERN), SLURM_WORKING_CLUSTER, SLURMD_NODENAME, the GPU set
 * (CUDA_VISIBLE_DEVICES, GPU_DEVICE_ORDINAL, SLURM_JOB_GPUS, SLURM_STEP_GPUS,
 * SLURM_GPUS_ON_NODE; all removed for a job without GPUs), SLUICE_CONF and SLUICE_CTLD;
 * steps add SLURM_STEP_ID, SLURM_STEPID, SLURM_STEP_NODELIST, SLURM_STEP_NUM_NODES,
 * SLURM_STEP_NUM_TASKS, SLURM_STEP_TASKS_PER_NODE and per-task SLURM_PROCID/SLURM_LOCALID. */
#include "realnet/launch.h"
#include "workloads/hostlist.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <termios.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK (rn-launch-error-quark, rn_launch_error)

#define DEFAULT_KILL_WAIT  30
#define DEFAULT_PATH       "/usr/local/bin:/usr/bin:/bin"
#define MAX_TASKS_PER_NODE 4096
#define READ_CHUNK         65536
#define PID_SLOT_WIDTH     24          /* digits room in "SLURM_TASK_PID=" */
#define NO_VAL_STR         "4294967294"

const char *
rn_end_state_to_string (RnEndState state)
{
  switch (state)
    {
    case RN_END_COMPLETED: return "COMPLETED";
    case RN_END_FAILED:    return "FAILED";
    case RN_END_TIMEOUT:   return "TIMEOUT";
    case RN_END_CANCELLED: return "CANCELLED";
    default:               return "FAILED";
    }
}

const char *
rn_stream_to_string (RnStream stream)
{
  return stream == RN_STREAM_ERR ? "err" : "out";
}

/* ---- types ----------------------------------------------------------------------------- */

typedef struct _Job Job;
typedef struct _Proc Proc;

struct _Proc {
  RnSupervisor  *sup;
  Job           *job;
  int            pid;
  guint32        step_id, task_id;
  gboolean       exited;
  int            status;
  RnEndState     state;            /* decided when it exited */
  struct rusage  ru;
  gint64         end_time;
  int            fd[2];            /* stdout, stderr read ends (tasks), or -1 */
  GSource       *io[2];
  int            in_fd;            /* stdin write end (steps run with input), or -1 */
  GByteArray    *in_buf;           /* input not yet written */
  GSource       *in_src;           /* waits until in_fd takes more */
  gboolean       in_eof;           /* close in_fd once in_buf is written */
  int            pty_fd;           /* the pseudo-terminal's master (fd[0]), or -1 */
  GSource       *drain;            /* forces the pipes closed after the exit */
};

struct _Job {
  RnSupervisor *sup;
  guint32       job_id, uid;
  GPtrArray    *procs;             /* Proc *, not owned (sup->procs owns) */
  Proc         *batch;
  gint64        start_time, time_limit, kill_wait;
  int           warn_sig;          /* --signal: this signal warn_time s before the limit */
  gint64        warn_time;
  gboolean      warn_batch;        /* to the batch shell (B:), else to the steps */
  GSource      *warn;
  gboolean      ending;
  RnEndState    ending_state;
  GSource      *limit, *kill;
  char         *dir;               /* SPOOL/job<ID>, removed with the job; or NULL */
};

struct _RnSupervisor {
  char          *spool, *node;
  RnExitFunc     exit_func;
  RnOutputFunc   output_func;
  gpointer       user_data;
  GMainContext  *ctx;
  int            wake[2];
  int            slot;
  GSource       *wake_source;
  GHashTable    *procs;            /* pid -> Proc (owned) */
  GHashTable    *jobs;             /* job id -> Job (owned) */
};

/* ---- the SIGCHLD handler --------------------------------------------------------------- */

static volatile sig_atomic_t wake_slots[RN_SUPERVISOR_MAX];   /* write fd + 1; 0 = free */
static struct sigaction previous_chld;
static guint n_supervisors;
G_LOCK_DEFINE_STATIC (slots);

static void
on_sigchld (int sig, siginfo_t *info, void *uctx)
{
  int saved = errno;
  for (guint i = 0; i < RN_SUPERVISOR_MAX; i++)
    {
      int fd = (int) wake_slots[i] - 1;
      if (fd >= 0)
        {
          ssize_t r = write (fd, "", 1);    /* a full pipe already means "wake up" */
          (void) r;
        }
    }
  if (previous_chld.sa_flags & SA_SIGINFO)
    {
      if (previous_chld.sa_sigaction != NULL)
        previous_chld.sa_sigaction (sig, info, uctx);
    }
  else if (previous_chld.sa_handler != SIG_DFL && previous_chld.sa_handler != SIG_IGN)
    previous_chld.sa_handler (sig);
  errno = saved;
}

static gboolean
slot_register (int fd, int *slot, GError **error)
{
  gboolean ok = FALSE;
  G_LOCK (slots);
  int i;
  for (i = 0; i < RN_SUPERVISOR_MAX && wake_slots[i] != 0; i++)
    ;
  if (i == RN_SUPERVISOR_MAX)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SETUP,
                   "more than %d process supervisors in one process", RN_SUPERVISOR_MAX);
      goto out;
    }
  if (n_supervisors == 0)
    {
      struct sigaction act;
      memset (&act, 0, sizeof act);
      act.sa_sigaction = on_sigchld;
      act.sa_flags = SA_SIGINFO | SA_RESTART | SA_NOCLDSTOP;
      sigemptyset (&act.sa_mask);
      if (sigaction (SIGCHLD, &act, &previous_chld) < 0)
        {
          int e = errno;
          g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SETUP,
                       "cannot install the SIGCHLD handler: %s", g_strerror (e));
          goto out;
        }
    }
  wake_slots[i] = fd + 1;
  *slot = i;
  n_supervisors++;
  ok = TRUE;
out:
  G_UNLOCK (slots);
  return ok;
}

static void
slot_unregister (int slot)
{
  G_LOCK (slots);
  wake_slots[slot] = 0;
  if (--n_supervisors == 0)
    {
      struct sigaction cur;
      if (sigaction (SIGCHLD, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO)
          && cur.sa_sigaction == on_sigchld)
        sigaction (SIGCHLD, &previous_chld, NULL);
    }
  G_UNLOCK (slots);
}

/* ---- small helpers --------------------------------------------------------------------- */

/* pipe2 with both ends above 2 (a daemon may run with 0-2 closed) and close-on-exec. */
static gboolean
make_pipe (int p[2], gboolean nonblock_read, GError **error)
{
  if (pipe2 (p, O_CLOEXEC) < 0)
    {
      int e = errno;
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SPAWN, "pipe: %s", g_strerror (e));
      return FALSE;
    }
  for (int i = 0; i < 2; i++)
    if (p[i] < 3)
      {
        int nfd = fcntl (p[i], F_DUPFD_CLOEXEC, 3);
        int e = errno;
        close (p[i]);
        p[i] = nfd;
        if (nfd < 0)
          {
            if (p[1 - i] >= 0)
              close (p[1 - i]);
            g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SPAWN, "fcntl: %s",
                         g_strerror (e));
            return FALSE;
          }
      }
  if (nonblock_read)
    fcntl (p[0], F_SETFL, fcntl (p[0], F_GETFL) | O_NONBLOCK);
  return TRUE;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
clear_source (GSource **s)
{
  if (*s != NULL)
    {
      GSource *src = *s;
      *s = NULL;
      g_source_destroy (src);
      g_source_unref (src);
    }
}

static GSource *
add_timeout (RnSupervisor *sup, gint64 seconds, GSourceFunc func, gpointer data)
{
  GSource *s;
  if (seconds < 0)
    seconds = 0;
  if (seconds > 3600)
    s = g_timeout_source_new_seconds ((guint) MIN (seconds, G_MAXUINT));
  else
    s = g_timeout_source_new ((guint) (seconds * 1000));
  g_source_set_callback (s, func, data, NULL);
  g_source_attach (s, sup->ctx);
  return s;
}

/* ---- the request ------------------------------------------------------------------------ */

typedef struct {
  guint32     job_id, array_job_id, uid, gid;
  gint64      array_task_id;              /* -1: not an array task */
  const char *name, *user, *script, *workdir;
  const char *stdout_pat, *stderr_pat, *stdin_pat;
  gint64      time_limit, start_time, kill_wait;
  const char *partition, *cluster, *account, *qos, *conf, *ctld;
  const char *submit_dir, *submit_host;
  char       *nodes;                      /* hostlist */
  GPtrArray  *node_names;                 /* char * */
  guint32     num_nodes, node_index;
  gint64      ntasks, cpus_per_task, cpus_on_node, mem_per_node, mem_per_cpu;
  gint64      ntasks_per_node;   /* --ntasks-per-node; 0 when not given */
  char       *tasks_per_node, *cpus_per_node;
  GArray     *gpu_ids;                    /* gint64 */
  char      **environment;
  /* steps */
  guint32     step_id;
  char      **argv;
  GArray     *task_ids;                   /* guint32 */
  gint64      step_ntasks, step_num_nodes;
  guint32     step_node_index;
  char       *step_nodes, *step_tasks_per_node;
  gint64      warn_sig, warn_time;        /* --signal ("signal": {"num", "time", "batch"}) */
  gboolean    warn_batch;
  gboolean    step_input;                 /* tasks read srun's input (a pipe each) */
  gboolean    step_pty;                   /* task 0 runs on a pseudo-terminal */
  gint64      rows, cols;                 /* its window size; 0 = not given */
  /* the user */
  gboolean    drop;
  gid_t      *groups;
  int         n_groups;
} Spec;

static void
spec_clear (Spec *s)
{
  g_free (s->nodes);
  g_clear_pointer (&s->node_names, g_ptr_array_unref);
  g_free (s->tasks_per_node);
  g_free (s->cpus_per_node);
  g_clear_pointer (&s->gpu_ids, g_array_unref);
  g_strfreev (s->environment);
  g_strfreev (s->argv);
  g_clear_pointer (&s->task_ids, g_array_unref);
  g_free (s->step_nodes);
  g_free (s->step_tasks_per_node);
  g_free (s->groups);
}

static const char *
json_type_name (const json_t *v)
{
  switch (json_typeof (v))
    {
    case JSON_OBJECT:  return "an object";
    case JSON_ARRAY:   return "an array";
    case JSON_STRING:  return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL:    return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:   return "a boolean";
    case JSON_NULL:    return "null";
    default:           return "something else";
    }
}

static gboolean G_GNUC_PRINTF (3, 4)
bad_field (GError **error, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *what = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_INVALID, "launch request: \"%s\" %s",
               key, what);
  return FALSE;
}

static gboolean
get_int (const json_t *req, const char *key, gboolean required, gint64 min, gint64 max,
         gint64 dflt, gint64 *out, GError **error)
{
  const json_t *v = json_object_get (req, key);
  if (v == NULL || json_is_null (v))
    {
      if (required)
        return bad_field (error, key, "is missing");
      *out = dflt;
      return TRUE;
    }
  if (!json_is_integer (v))
    return bad_field (error, key, "must be an integer (got %s)", json_type_name (v));
  json_int_t i = json_integer_value (v);
  if (i < min || i > max)
    return bad_field (error, key, "must be an integer from %" G_GINT64_FORMAT " to %"
                      G_GINT64_FORMAT " (got %" G_GINT64_FORMAT ")", min, max, (gint64) i);
  *out = i;
  return TRUE;
}

/* "signal": {"num": 1..64, "time": seconds before the limit, "batch": bool} (--signal) */
static gboolean
get_signal (const json_t *req, Spec *s, GError **error)
{
  const json_t *v = json_object_get (req, "signal");
  if (v == NULL || json_is_null (v))
    return TRUE;
  const json_t *b = json_object_get (v, "batch");
  if (!json_is_object (v) || (b != NULL && !json_is_boolean (b)))
    return bad_field (error, "signal", "must be {\"num\": 1..64, \"time\": seconds, "
                      "\"batch\": true|false}");
  if (!get_int (v, "num", TRUE, 1, 64, 0, &s->warn_sig, error)
      || !get_int (v, "time", FALSE, 0, 65535, 60, &s->warn_time, error))
    return FALSE;
  s->warn_batch = json_is_true (b);
  return TRUE;
}

static gboolean
check_string (const json_t *v, const char *key, GError **error)
{
  if (!json_is_string (v))
    return bad_field (error, key, "must be a string (got %s)", json_type_name (v));
  if (strlen (json_string_value (v)) != json_string_length (v))
    return bad_field (error, key, "contains a NUL character");
  return TRUE;
}

/* *out borrows the string from `req`; NULL when absent or null and not required. */
static gboolean
get_str (const json_t *req, const char *key, gboolean required, const char **out,
         GError **error)
{
  const json_t *v = json_object_get (req, key);
  if (v == NULL || json_is_null (v))
    {
      if (required)
        return bad_field (error, key, "is missing");
      *out = NULL;
      return TRUE;
    }
  if (!check_string (v, key, error))
    return FALSE;
  *out = json_string_value (v);
  return TRUE;
}

/* Returns (transfer full) a NULL-terminated copy of the string array `key`, or NULL with
 * *ok FALSE and `error` set. An absent key gives an empty vector. */
static char **
get_strv (const json_t *req, const char *key, gboolean required, gboolean *ok,
          GError **error)
{
  const json_t *v = json_object_get (req, key);
  *ok = FALSE;
  if (v == NULL || json_is_null (v))
    {
      if (required)
        {
          bad_field (error, key, "is missing");
          return NULL;
        }
      *ok = TRUE;
      return g_new0 (char *, 1);
    }
  if (!json_is_array (v))
    {
      bad_field (error, key, "must be an array (got %s)", json_type_name (v));
      return NULL;
    }
  gsize n = json_array_size (v);
  g_auto (GStrv) out = g_new0 (char *, n + 1);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *k = g_strdup_printf ("%s[%" G_GSIZE_FORMAT "]", key, i);
      const json_t *e = json_array_get (v, i);
      if (!check_string (e, k, error))
        return NULL;
      out[i] = g_strdup (json_string_value (e));
    }
  *ok = TRUE;
  return g_steal_pointer (&out);
}

static GArray *
get_int_array (const json_t *req, const char *key, gint64 min, gint64 max, GError **error)
{
  const json_t *v = json_object_get (req, key);
  g_autoptr (GArray) out = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (v == NULL || json_is_null (v))
    return g_steal_pointer (&out);
  if (!json_is_array (v))
    {
      bad_field (error, key, "must be an array (got %s)", json_type_name (v));
      return NULL;
    }
  for (gsize i = 0; i < json_array_size (v); i++)
    {
      const json_t *e = json_array_get (v, i);
      g_autofree char *k = g_strdup_printf ("%s[%" G_GSIZE_FORMAT "]", key, i);
      if (!json_is_integer (e))
        {
          bad_field (error, k, "must be an integer (got %s)", json_type_name (e));
          return NULL;
        }
      gint64 x = json_integer_value (e);
      if (x < min || x > max)
        {
          bad_field (error, k, "must be from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                     " (got %" G_GINT64_FORMAT ")", min, max, x);
          return NULL;
        }
      g_array_append_val (out, x);
    }
  return g_steal_pointer (&out);
}

/* Slurm's compressed count list: 2,2,2,1 -> "2(x3),1". */
static char *
compress_counts (const gint64 *c, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n;)
    {
      guint j = i;
      while (j + 1 < n && c[j + 1] == c[i])
        j++;
      if (s->len > 0)
        g_string_append_c (s, ',');
      g_string_append_printf (s, "%" G_GINT64_FORMAT, c[i]);
      if (j > i)
        g_string_append_printf (s, "(x%u)", j - i + 1);
      i = j + 1;
    }
  return g_string_free (s, FALSE);
}

/* Block distribution of `ntasks` over `nodes` nodes, compressed. */
static char *
default_tasks_per_node (gint64 ntasks, guint32 nodes)
{
  g_autofree gint64 *c = g_new0 (gint64, MAX (nodes, 1));
  for (guint32 i = 0; i < nodes; i++)
    c[i] = ntasks / nodes + ((gint64) i < ntasks % nodes ? 1 : 0);
  return compress_counts (c, MAX (nodes, 1));
}

static gboolean
node_index_in (const char *expr, const char *node, const char *key, guint32 *index,
               guint32 *count, GPtrArray **names_out, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GPtrArray) names = wl_hostlist_expand_max (expr, 100000, &local);
  if (names == NULL)
    return bad_field (error, key, "is not a node list: %s", local->message);
  if (names->len == 0)
    return bad_field (error, key, "is empty");
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), node) == 0)
      {
        *index = i;
        *count = names->len;
        if (names_out != NULL)
          *names_out = g_steal_pointer (&names);
        return TRUE;
      }
  return bad_field (error, key, "\"%s\" does not include this node (%s)", expr, node);
}

static gboolean
resolve_user (Spec *s, GError **error)
{
  struct passwd pw, *res = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  g_autofree char *buf = g_malloc (size > 0 ? (gsize) size : 16384);
  int rc;
  while ((rc = getpwnam_r (s->user, &pw, buf, size > 0 ? (gsize) size : 16384, &res)) == ERANGE)
    {
      size = (size > 0 ? size : 16384) * 2;
      g_free (buf);
      buf = g_malloc ((gsize) size);
    }
  if (res == NULL)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_USER, "unknown user \"%s\"%s%s",
                   s->user, rc != 0 ? ": " : "", rc != 0 ? g_strerror (rc) : "");
      return FALSE;
    }
  if (pw.pw_uid != s->uid)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_USER,
                   "user \"%s\" has uid %u but the request says uid %u", s->user,
                   (guint) pw.pw_uid, s->uid);
      return FALSE;
    }
  if (geteuid () != 0)
    {
      if (s->uid != getuid ())
        {
          g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_USER,
                       "cannot run a job of uid %u: this daemon runs as uid %u, not root",
                       s->uid, (guint) getuid ());
          return FALSE;
        }
      return TRUE;
    }
  if (s->uid == 0)
    return TRUE;
  s->drop = TRUE;
  int n = 64;
  for (;;)
    {
      g_free (s->groups);
      s->groups = g_new (gid_t, n);
      int want = n;
      if (getgrouplist (s->user, s->gid, s->groups, &want) >= 0)
        {
          s->n_groups = want;
          return TRUE;
        }
      if (want <= n)
        want = n * 2;
      if (want > 65536)
        {
          g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_USER,
                       "user \"%s\" is in too many groups", s->user);
          return FALSE;
        }
      n = want;
    }
}

/* Parses `req` into `s` (zeroed by the caller; cleared by the caller even on failure). */
static gboolean
spec_parse (Spec *s, const json_t *req, const char *node, gboolean step, GError **error)
{
  gint64 v;
  gboolean ok;

  if (req == NULL || !json_is_object (req))
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_INVALID,
                   "launch request: not a JSON object");
      return FALSE;
    }
  if (!get_int (req, "job_id", TRUE, 1, G_MAXUINT32 - 2, 0, &v, error))
    return FALSE;
  s->job_id = (guint32) v;
  if (!get_int (req, "array_job_id", FALSE, 0, G_MAXUINT32 - 2, 0, &v, error))
    return FALSE;
  s->array_job_id = (guint32) v;
  if (!get_int (req, "array_task_id", FALSE, 0, G_MAXUINT32 - 2, -1, &s->array_task_id,
                error))
    return FALSE;
  if (s->array_job_id == 0)
    s->array_task_id = -1;
  else if (s->array_task_id < 0)
    return bad_field (error, "array_task_id", "is missing (array_job_id is %u)",
                      s->array_job_id);
  if (!get_str (req, "user", TRUE, &s->user, error)
      || !get_int (req, "uid", TRUE, 0, G_MAXUINT32 - 1, 0, &v, error))
    return FALSE;
  s->uid = (guint32) v;
  if (!get_int (req, "gid", TRUE, 0, G_MAXUINT32 - 1, 0, &v, error))
    return FALSE;
  s->gid = (guint32) v;
  if (!get_str (req, "script", !step, &s->script, error)
      || !get_str (req, "workdir", TRUE, &s->workdir, error)
      || !get_str (req, "name", FALSE, &s->name, error)
      || !get_str (req, "stdout", FALSE, &s->stdout_pat, error)
      || !get_str (req, "stderr", FALSE, &s->stderr_pat, error)
      || !get_str (req, "stdin", FALSE, &s->stdin_pat, error)
      || !get_str (req, "partition", FALSE, &s->partition, error)
      || !get_str (req, "cluster", FALSE, &s->cluster, error)
      || !get_str (req, "account", FALSE, &s->account, error)
      || !get_str (req, "qos", FALSE, &s->qos, error)
      || !get_str (req, "conf", FALSE, &s->conf, error)
      || !get_str (req, "ctld", FALSE, &s->ctld, error)
      || !get_str (req, "submit_dir", FALSE, &s->submit_dir, error)
      || !get_str (req, "submit_host", FALSE, &s->submit_host, error))
    return FALSE;
  if (s->user[0] == '\0')
    return bad_field (error, "user", "is empty");
  if (s->workdir[0] != '/')
    return bad_field (error, "workdir", "must be an absolute path (got \"%s\")", s->workdir);
  if (!step && s->script[0] == '\0')
    return bad_field (error, "script", "is empty");
  if ((s->stdout_pat != NULL && s->stdout_pat[0] == '\0')
      || (s->stderr_pat != NULL && s->stderr_pat[0] == '\0')
      || (s->stdin_pat != NULL && s->stdin_pat[0] == '\0'))
    return bad_field (error, s->stdout_pat != NULL && s->stdout_pat[0] == '\0' ? "stdout"
                      : s->stderr_pat != NULL && s->stderr_pat[0] == '\0' ? "stderr"
                      : "stdin", "is empty");

  if (!get_int (req, "time_limit", FALSE, -1, G_MAXINT32, -1, &s->time_limit, error)
      || !get_int (req, "start_time", FALSE, 0, G_MAXINT64 / 2, 0, &s->start_time, error)
      || !get_int (req, "kill_wait", FALSE, 0, 65535, DEFAULT_KILL_WAIT, &s->kill_wait, error)
      || !get_signal (req, s, error)
      || !get_int (req, "ntasks", FALSE, 1, G_MAXINT32, 1, &s->ntasks, error)
      || !get_int (req, "ntasks_per_node", FALSE, 0, G_MAXINT32, 0, &s->ntasks_per_node, error)
      || !get_int (req, "cpus_per_task", FALSE, 1, 65535, 1, &s->cpus_per_task, error)
      || !get_int (req, "mem_per_node_mb", FALSE, 0, G_MAXINT64 / 2, 0, &s->mem_per_node,
                   error)
      || !get_int (req, "mem_per_cpu_mb", FALSE, 0, G_MAXINT64 / 2, 0, &s->mem_per_cpu,
                   error))
    return FALSE;
  if (s->time_limit == 0)
    return bad_field (error, "time_limit",
                      "must be -1 (unlimited) or a positive number of seconds (got 0)");
  if (!get_int (req, "cpus_on_node", FALSE, 1, G_MAXINT32, s->ntasks * s->cpus_per_task,
                &s->cpus_on_node, error))
    return FALSE;

  /* nodes: "node_names" wins, else "nodes" expanded, else this node alone */
  const char *nodes = NULL;
  if (!get_str (req, "nodes", FALSE, &nodes, error))
    return FALSE;
  const json_t *nn = json_object_get (req, "node_names");
  if (nn != NULL && !json_is_null (nn))
    {
      g_auto (GStrv) names = get_strv (req, "node_names", FALSE, &ok, error);
      if (!ok)
        return FALSE;
      if (names[0] == NULL)
        return bad_field (error, "node_names", "is empty");
      s->node_names = g_ptr_array_new_with_free_func (g_free);
      gboolean found = FALSE;
      for (guint i = 0; names[i] != NULL; i++)
        {
          if (!found && strcmp (names[i], node) == 0)
            {
              s->node_index = i;
              found = TRUE;
            }
          g_ptr_array_add (s->node_names, g_strdup (names[i]));
        }
      if (!found)
        return bad_field (error, "node_names", "does not include this node (%s)", node);
      s->nodes = nodes != NULL ? g_strdup (nodes)
                               : wl_hostlist_compress ((const char *const *) names, -1);
    }
  else if (nodes != NULL)
    {
      guint32 count;
      if (!node_index_in (nodes, node, "nodes", &s->node_index, &count, &s->node_names, error))
        return FALSE;
      s->nodes = g_strdup (nodes);
    }
  else
    {
      s->node_names = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (s->node_names, g_strdup (node));
      s->nodes = g_strdup (node);
    }
  if (!get_int (req, "num_nodes", FALSE, 1, G_MAXINT32, s->node_names->len, &v, error))
    return FALSE;
  s->num_nodes = (guint32) v;

  const char *tpn = NULL, *cpn = NULL;
  if (!get_str (req, "tasks_per_node", FALSE, &tpn, error)
      || !get_str (req, "cpus_per_node", FALSE, &cpn, error))
    return FALSE;
  s->tasks_per_node = tpn != NULL ? g_strdup (tpn)
                                  : default_tasks_per_node (s->ntasks, s->num_nodes);
  if (cpn != NULL)
    s->cpus_per_node = g_strdup (cpn);
  else if (s->num_nodes == 1)
    s->cpus_per_node = g_strdup_printf ("%" G_GINT64_FORMAT, s->cpus_on_node);
  else
    s->cpus_per_node = g_strdup_printf ("%" G_GINT64_FORMAT "(x%u)", s->cpus_on_node,
                                        s->num_nodes);

  if ((s->gpu_ids = get_int_array (req, "gpu_ids", 0, 65535, error)) == NULL)
    return FALSE;
  s->environment = get_strv (req, "environment", FALSE, &ok, error);
  if (!ok)
    return FALSE;
  for (guint i = 0; s->environment[i] != NULL; i++)
    {
      const char *eq = strchr (s->environment[i], '=');
      if (eq == NULL || eq == s->environment[i])
        {
          g_autofree char *k = g_strdup_printf ("environment[%u]", i);
          return bad_field (error, k, "is not KEY=VALUE (got \"%.40s\")", s->environment[i]);
        }
    }

  if (step)
    {
      if (!get_int (req, "step_id", TRUE, 0, RN_STEP_BATCH - 1, 0, &v, error))
        return FALSE;
      s->step_id = (guint32) v;
      s->argv = get_strv (req, "argv", TRUE, &ok, error);
      if (!ok)
        return FALSE;
      if (s->argv[0] == NULL || s->argv[0][0] == '\0')
        return bad_field (error, "argv", "must hold at least a non-empty program name");
      if (!get_int (req, "step_ntasks", FALSE, 1, G_MAXINT32, s->ntasks, &s->step_ntasks,
                    error))
        return FALSE;
      const char *sn = NULL, *stpn = NULL;
      if (!get_str (req, "step_nodes", FALSE, &sn, error)
          || !get_str (req, "step_tasks_per_node", FALSE, &stpn, error))
        return FALSE;
      guint32 count = s->num_nodes;
      s->step_node_index = s->node_index;
      if (sn != NULL
          && !node_index_in (sn, node, "step_nodes", &s->step_node_index, &count, NULL, error))
        return FALSE;
      s->step_nodes = g_strdup (sn != NULL ? sn : s->nodes);
      if (!get_int (req, "step_num_nodes", FALSE, 1, G_MAXINT32, count, &s->step_num_nodes,
                    error))
        return FALSE;
      s->step_tasks_per_node = stpn != NULL ? g_strdup (stpn)
        : default_tasks_per_node (s->step_ntasks, (guint32) s->step_num_nodes);
      const json_t *tv = json_object_get (req, "task_ids");
      if (tv == NULL || json_is_null (tv))
        return bad_field (error, "task_ids", "is missing");
      g_autoptr (GArray) ids = get_int_array (req, "task_ids", 0, s->step_ntasks - 1, error);
      if (ids == NULL)
        return FALSE;
      if (ids->len == 0)
        return bad_field (error, "task_ids", "is empty");
      if (ids->len > MAX_TASKS_PER_NODE)
        return bad_field (error, "task_ids", "has %u tasks, more than %d on one node",
                          ids->len, MAX_TASKS_PER_NODE);
      s->task_ids = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
      for (guint i = 0; i < ids->len; i++)
        {
          guint32 t = (guint32) g_array_index (ids, gint64, i);
          if (!g_hash_table_add (seen, GUINT_TO_POINTER (t + 1)))
            return bad_field (error, "task_ids", "lists task %u twice", t);
          g_array_append_val (s->task_ids, t);
        }
      const json_t *in = json_object_get (req, "input"), *pty = json_object_get (req, "pty");
      if ((in != NULL && !json_is_null (in) && !json_is_boolean (in))
          || (pty != NULL && !json_is_null (pty) && !json_is_boolean (pty)))
        return bad_field (error, in != NULL && !json_is_boolean (in) ? "input" : "pty",
                          "must be true or false");
      s->step_input = json_is_true (in);
      s->step_pty = json_is_true (pty);
      if (!get_int (req, "rows", FALSE, 0, 65535, 0, &s->rows, error)
          || !get_int (req, "cols", FALSE, 0, 65535, 0, &s->cols, error))
        return FALSE;
    }
  else
    {
      /* a batch script's arguments: sbatch script.sh ARG ... */
      s->argv = get_strv (req, "script_argv", FALSE, &ok, error);
      if (!ok)
        return FALSE;
    }
  if (s->name == NULL)
    s->name = step ? s->argv[0] : "sbatch";
  return resolve_user (s, error);
}

/* ---- output names ---------------------------------------------------------------------- */

char *
rn_launch_expand_pattern (const char *pattern, const RnPatternVars *vars)
{
  g_return_val_if_fail (pattern != NULL && vars != NULL, NULL);
  GString *out = g_string_new (NULL);
  if (strchr (pattern, '\\') != NULL)
    {
      for (const char *p = pattern; *p; p++)
        if (*p != '\\')
          g_string_append_c (out, *p);
      return g_string_free (out, FALSE);
    }
  for (const char *p = pattern; *p; p++)
    {
      if (*p != '%')
        {
          g_string_append_c (out, *p);
          continue;
        }
      const char *start = p++;
      int width = 0;
      for (; g_ascii_isdigit (*p); p++)
        width = MIN (width * 10 + (*p - '0'), 64);
      gint64 num = -1;
      const char *str = NULL;
      switch (*p)
        {
        case '%': str = "%"; break;
        case 'j': num = vars->job_id; break;
        case 'x': str = vars->name ? vars->name : ""; break;
        case 'u': str = vars->user ? vars->user : ""; break;
        case 'N': str = vars->node ? vars->node : ""; break;
        case 'A': num = vars->array_job_id ? vars->array_job_id : vars->job_id; break;
        case 'a':
          if (vars->array_job_id != 0 && vars->array_task_id >= 0)
            num = vars->array_task_id;
          else
            str = NO_VAL_STR;
          break;
        case 'n': num = vars->node_id; break;
        case 't': num = vars->task_id; break;
        case 's':
          if (vars->step_id == RN_STEP_BATCH)
            str = "batch";
          else
            num = vars->step_id;
          break;
        default:
          break;
        }
      if (num >= 0)
        g_string_append_printf (out, "%0*" G_GINT64_FORMAT, width, num);
      else if (str != NULL)
        g_string_append (out, str);
      else
        {
          /* unknown: keep as written ("%" and digits, and the letter unless at the end) */
          g_string_append_len (out, start, p - start);
          if (*p == '\0')
            break;
          g_string_append_c (out, *p);
        }
    }
  return g_string_free (out, FALSE);
}

/* ---- the environment -------------------------------------------------------------------- */

static char ** G_GNUC_PRINTF (3, 4)
env_set (char **env, const char *key, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *val = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  return g_environ_setenv (env, key, val, TRUE);
}

static char *
join_ids (const GArray *ids, gboolean wide)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 x = wide ? g_array_index (ids, gint64, i) : g_array_index (ids, guint32, i);
      g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? "," : "", x);
    }
  return g_string_free (s, FALSE);
}

/* The variables every process of the job gets (as the batch script sees them). */
static char **
env_job (const Spec *s, const char *node)
{
  char **env = g_strdupv (s->environment);
  if (s->cluster != NULL)
    env = env_set (env, "SLURM_CLUSTER_NAME", "%s", s->cluster);
  if (s->conf != NULL)
    {
      env = env_set (env, "SLURM_CONF", "%s", s->conf);
      env = env_set (env, "SLUICE_CONF", "%s", s->conf);
    }
  if (s->ctld != NULL)
    env = env_set (env, "SLUICE_CTLD", "%s", s->ctld);
  env = env_set (env, "SLURM_CPUS_ON_NODE", "%" G_GINT64_FORMAT, s->cpus_on_node);
  if (s->cpus_per_task > 1)
    env = env_set (env, "SLURM_CPUS_PER_TASK", "%" G_GINT64_FORMAT, s->cpus_per_task);
  env = env_set (env, "SLURM_GTIDS", "0");
  env = env_set (env, "SLURM_JOBID", "%u", s->job_id);
  env = env_set (env, "SLURM_JOB_ID", "%u", s->job_id);
  env = env_set (env, "SLURM_JOB_CPUS_PER_NODE", "%s", s->cpus_per_node);
  env = env_set (env, "SLURM_JOB_GID", "%u", s->gid);
  env = env_set (env, "SLURM_JOB_UID", "%u", s->uid);
  env = env_set (env, "SLURM_JOB_USER", "%s", s->user);
  env = env_set (env, "SLURM_JOB_NAME", "%s", s->name);
  env = env_set (env, "SLURM_JOB_NODELIST", "%s", s->nodes);
  env = env_set (env, "SLURM_NODELIST", "%s", s->nodes);
  env = env_set (env, "SLURM_JOB_NUM_NODES", "%u", s->num_nodes);
  env = env_set (env, "SLURM_NNODES", "%u", s->num_nodes);
  if (s->partition != NULL)
    env = env_set (env, "SLURM_JOB_PARTITION", "%s", s->partition);
  if (s->account != NULL)
    env = env_set (env, "SLURM_JOB_ACCOUNT", "%s", s->account);
  if (s->qos != NULL)
    env = env_set (env, "SLURM_JOB_QOS", "%s", s->qos);
  env = env_set (env, "SLURM_LOCALID", "0");
  env = env_set (env, "SLURM_NODEID", "%u", s->node_index);
  env = env_set (env, "SLURM_PROCID", "0");
  env = env_set (env, "SLURM_NPROCS", "%" G_GINT64_FORMAT, s->ntasks);
  env = env_set (env, "SLURM_NTASKS", "%" G_GINT64_FORMAT, s->ntasks);
  if (s->ntasks_per_node > 0)
    env = env_set (env, "SLURM_NTASKS_PER_NODE", "%" G_GINT64_FORMAT, s->ntasks_per_node);
  env = env_set (env, "SLURM_TASKS_PER_NODE", "%s", s->tasks_per_node);
  env = env_set (env, "SLURM_SUBMIT_DIR", "%s", s->submit_dir ? s->submit_dir : s->workdir);
  if (s->submit_host != NULL)
    env = env_set (env, "SLURM_SUBMIT_HOST", "%s", s->submit_host);
  if (s->mem_per_cpu > 0)
    env = env_set (env, "SLURM_MEM_PER_CPU", "%" G_GINT64_FORMAT, s->mem_per_cpu);
  else if (s->mem_per_node > 0)
    env = env_set (env, "SLURM_MEM_PER_NODE", "%" G_GINT64_FORMAT, s->mem_per_node);
  if (s->array_task_id >= 0)
    {
      env = env_set (env, "SLURM_ARRAY_JOB_ID", "%u", s->array_job_id);
      env = env_set (env, "SLURM_ARRAY_TASK_ID", "%" G_GINT64_FORMAT, s->array_task_id);
    }
  env = env_set (env, "SLURM_NODE_ALIASES", "(null)");
  env = env_set (env, "SLURM_PRIO_PROCESS", "0");
  env = env_set (env, "SLURM_TOPOLOGY_ADDR", "%s", node);
  env = env_set (env, "SLURM_TOPOLOGY_ADDR_PATTERN", "node");
  const char *colon = s->ctld != NULL ? strrchr (s->ctld, ':') : NULL;
  if (s->cluster != NULL && colon != NULL)
    env = env_set (env, "SLURM_WORKING_CLUSTER", "%s:%.*s:%s:9728:109", s->cluster,
                   (int) (colon - s->ctld), s->ctld, colon + 1);
  env = env_set (env, "SLURMD_NODENAME", "%s", node);
  static const char *const gpu_vars[] = {
    "CUDA_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL", "SLURM_JOB_GPUS", "SLURM_STEP_GPUS",
  };
  if (s->gpu_ids->len > 0)
    {
      g_autofree char *ids = join_ids (s->gpu_ids, TRUE);
      for (guint i = 0; i < G_N_ELEMENTS (gpu_vars); i++)
        env = env_set (env, gpu_vars[i], "%s", ids);
      env = env_set (env, "SLURM_GPUS_ON_NODE", "%u", s->gpu_ids->len);
    }
  else
    {
      for (guint i = 0; i < G_N_ELEMENTS (gpu_vars); i++)
        env = g_environ_unsetenv (env, gpu_vars[i]);
      env = g_environ_unsetenv (env, "SLURM_GPUS_ON_NODE");
    }
  /* filled in by the child: room for the digits of any pid */
  env = env_set (env, "SLURM_TASK_PID", "%0*d", PID_SLOT_WIDTH, 0);
  return env;
}

static char *
find_pid_slot (char **env)
{
  for (guint i = 0; env[i] != NULL; i++)
    if (g_str_has_prefix (env[i], "SLURM_TASK_PID="))
      return env[i] + strlen ("SLURM_TASK_PID=");
  g_assert_not_reached ();
}

/* ---- the child ------------------------------------------------------------------------- */

enum {
  STAGE_SIGNALS = 1, STAGE_SESSION, STAGE_GROUPS, STAGE_GID, STAGE_UID, STAGE_VERIFY,
  STAGE_STDIN, STAGE_STDOUT, STAGE_STDERR, STAGE_EXEC, STAGE_TTY,
};

typedef struct {
  int stage, err;
} ChildFailure;

/* Everything the child needs, prepared before vfork (no allocation after it). */
typedef struct {
  gboolean     drop;
  uid_t        uid;
  gid_t        gid;
  const gid_t *groups;
  size_t       n_groups;
  const char  *workdir;
  const char  *stdin_path, *stdout_path, *stderr_path;  /* stderr NULL: same as stdout */
  int          in_fd, out_fd, err_fd;                   /* task pipes or -1 */
  const char  *pty_path;                                /* a terminal for 0, 1 and 2 */
  char       **paths;                                   /* exec candidates */
  char       **argv, **sh_argv, **envp;                 /* sh_argv[1] set by the child */
  char        *pid_slot;
  int          umask;                                   /* SLURM_UMASK, or -1 */
  int          report_fd;
  int          max_fd;
} ChildPlan;

G_GNUC_NORETURN static void
child_fail (const ChildPlan *p, int stage, int err)
{
  ChildFailure f = { stage, err };
  ssize_t n;
  do
    n = write (p->report_fd, &f, sizeof f);
  while (n < 0 && errno == EINTR);
  _exit (127);
}

static void
child_write (int fd, const char *s)
{
  size_t len = strlen (s);
  while (len > 0)
    {
      ssize_t n = write (fd, s, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return;
      s += n;
      len -= (size_t) n;
    }
}

/* Puts `fd` on `target` without close-on-exec. */
static gboolean
child_move_fd (int fd, int target)
{
  if (fd == target)
    return fcntl (fd, F_SETFD, 0) == 0;
  if (dup2 (fd, target) < 0)
    return FALSE;
  close (fd);
  return TRUE;
}

static const char *
child_errno_text (int e)
{
  switch (e)
    {
    case ENOENT:  return "No such file or directory";
    case EACCES:  return "Permission denied";
    case ENOTDIR: return "Not a directory";
    case ELOOP:   return "Too many levels of symbolic links";
    default:      return "error";
    }
}

G_GNUC_NORETURN static void
child_run (const ChildPlan *p)
{
  struct sigaction dfl;
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP)
      (void) sigaction (sig, &dfl, NULL);        /* EINVAL for libc-reserved ones */
  sigset_t none;
  sigemptyset (&none);
  if (sigprocmask (SIG_SETMASK, &none, NULL) < 0)
    child_fail (p, STAGE_SIGNALS, errno);
  if (setsid () < 0)
    child_fail (p, STAGE_SESSION, errno);

  /* every inherited descriptor above 2 goes at exec (the report pipe already does) */
  if (close_range (3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    for (int fd = 3; fd < p->max_fd; fd++)
      (void) fcntl (fd, F_SETFD, FD_CLOEXEC);

  /* a terminal becomes the session's controlling one while still root: the user could not
   * open the daemon's pseudo-terminal */
  int tty = -1;
  if (p->pty_path != NULL)
    {
      tty = open (p->pty_path, O_RDWR | O_CLOEXEC);
      if (tty < 0 || ioctl (tty, TIOCSCTTY, 0) < 0)
        child_fail (p, STAGE_TTY, errno);
    }

  /* Raw system calls: libc's wrappers would apply the change to every thread of the
   * daemon, whose memory this vfork child shares. */
  if (p->drop)
    {
      if (syscall (SYS_setgroups, p->n_groups, p->groups) < 0)
        child_fail (p, STAGE_GROUPS, errno);
      if (syscall (SYS_setgid, p->gid) < 0)
        child_fail (p, STAGE_GID, errno);
      if (syscall (SYS_setuid, p->uid) < 0)
        child_fail (p, STAGE_UID, errno);
      if (getuid () != p->uid || geteuid () != p->uid || getgid () != p->gid
          || getegid () != p->gid || syscall (SYS_setuid, 0) == 0)
        child_fail (p, STAGE_VERIFY, EPERM);
    }

  if (p->umask >= 0)
    umask ((mode_t) p->umask);
  int chdir_err = 0;
  if (chdir (p->workdir) < 0)
    {
      chdir_err = errno;
      if (chdir ("/tmp") < 0)
        (void) chdir ("/");
    }

  int fd;
  if (tty >= 0)
    {
      if (dup2 (tty, 0) < 0 || dup2 (tty, 1) < 0 || dup2 (tty, 2) < 0)
        child_fail (p, STAGE_TTY, errno);
      goto stdio_done;
    }
  fd = p->in_fd >= 0 ? p->in_fd : open (p->stdin_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || (p->in_fd >= 0 ? dup2 (fd, 0) < 0 : !child_move_fd (fd, 0)))
    child_fail (p, STAGE_STDIN, errno);
  if (p->out_fd >= 0)
    {
      if (dup2 (p->out_fd, 1) < 0)
        child_fail (p, STAGE_STDOUT, errno);
    }
  else
    {
      fd = open (p->stdout_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || !child_move_fd (fd, 1))
        child_fail (p, STAGE_STDOUT, errno);
    }
  if (p->err_fd >= 0)
    {
      if (dup2 (p->err_fd, 2) < 0)
        child_fail (p, STAGE_STDERR, errno);
    }
  else if (p->stderr_path == NULL)
    {
      if (dup2 (1, 2) < 0)
        child_fail (p, STAGE_STDERR, errno);
    }
  else
    {
      fd = open (p->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || !child_move_fd (fd, 2))
        child_fail (p, STAGE_STDERR, errno);
    }
stdio_done:
  if (chdir_err != 0)
    {
      child_write (2, "slurmstepd: error: couldn't chdir to `");
      child_write (2, p->workdir);
      child_write (2, "': ");
      child_write (2, child_errno_text (chdir_err));
      child_write (2, ": going to /tmp instead\n");
    }

  /* SLURM_TASK_PID */
  char digits[PID_SLOT_WIDTH];
  int nd = 0;
  for (unsigned long pid = (unsigned long) getpid (); nd == 0 || pid > 0; pid /= 10)
    digits[nd++] = (char) ('0' + pid % 10);
  for (int i = 0; i < nd; i++)
    p->pid_slot[i] = digits[nd - 1 - i];
  p->pid_slot[nd] = '\0';

  int err = ENOENT;
  gboolean eacces = FALSE;
  for (int i = 0; p->paths[i] != NULL; i++)
    {
      execve (p->paths[i], p->argv, p->envp);
      err = errno;
      if (err == ENOEXEC)
        {
          p->sh_argv[1] = p->paths[i];
          execve ("/bin/sh", p->sh_argv, p->envp);
          err = errno;
        }
      if (err == EACCES)
        eacces = TRUE;
      else if (err != ENOENT && err != ENOTDIR)
        break;
    }
  child_fail (p, STAGE_EXEC, eacces && err != ENOEXEC ? EACCES : err);
}

/* ---- spawning ---------------------------------------------------------------------------- */

static void
reap_blocking (int pid)
{
  int st;
  while (waitpid (pid, &st, 0) < 0 && errno == EINTR)
    ;
}

static void
explain_failure (const Spec *s, const ChildPlan *p, const ChildFailure *f, GError **error)
{
  const char *e = g_strerror (f->err);
  int code = RN_LAUNCH_ERROR_SPAWN;
  g_autofree char *what = NULL;
  switch (f->stage)
    {
    case STAGE_GROUPS:
    case STAGE_GID:
    case STAGE_UID:
    case STAGE_VERIFY:
      what = g_strdup_printf ("cannot become user %s (uid %u, gid %u): %s: %s", s->user,
                              s->uid, s->gid,
                              f->stage == STAGE_GROUPS ? "setgroups"
                              : f->stage == STAGE_GID ? "setgid"
                              : f->stage == STAGE_UID ? "setuid" : "credentials check", e);
      code = RN_LAUNCH_ERROR_USER;
      break;
    case STAGE_STDIN:
    case STAGE_STDOUT:
    case STAGE_STDERR:
      {
        const char *path = f->stage == STAGE_STDIN ? p->stdin_path
                         : f->stage == STAGE_STDOUT ? p->stdout_path : p->stderr_path;
        what = g_strdup_printf ("cannot open %s \"%s\" (in %s) as user %s: %s",
                                f->stage == STAGE_STDIN ? "stdin"
                                : f->stage == STAGE_STDOUT ? "stdout" : "stderr",
                                path ? path : "(pipe)", s->workdir, s->user, e);
        break;
      }
    case STAGE_EXEC:
      what = g_strdup_printf ("cannot execute \"%s\": %s", p->argv[0], e);
      break;
    case STAGE_TTY:
      what = g_strdup_printf ("cannot set up the terminal %s: %s", p->pty_path, e);
      break;
    default:
      what = g_strdup_printf ("%s: %s", f->stage == STAGE_SESSION ? "setsid" : "sigprocmask",
                              e);
      break;
    }
  g_set_error (error, RN_LAUNCH_ERROR, code, "job %u: %s", s->job_id, what);
}

/* vforks and execs `plan`.  Returns TRUE with *pid set once the exec happened, or FALSE with
 * `error` set (the child, if any, is reaped). */
static gboolean
spawn (const Spec *s, ChildPlan *plan, int *pid_out, GError **error)
{
  int rp[2];
  if (!make_pipe (rp, FALSE, error))
    return FALSE;
  plan->report_fd = rp[1];
  struct rlimit rl;
  plan->max_fd = getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY
    ? (int) MIN (rl.rlim_cur, 65536) : 65536;

  sigset_t all, old;
  sigfillset (&all);
  pthread_sigmask (SIG_SETMASK, &all, &old);
  pid_t pid = vfork ();
  if (pid == 0)
    child_run (plan);
  int fork_errno = errno;
  pthread_sigmask (SIG_SETMASK, &old, NULL);
  close (rp[1]);
  if (pid < 0)
    {
      close (rp[0]);
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SPAWN, "job %u: vfork: %s",
                   s->job_id, g_strerror (fork_errno));
      return FALSE;
    }
  ChildFailure f;
  gsize got = 0;
  while (got < sizeof f)
    {
      ssize_t n = read (rp[0], (char *) &f + got, sizeof f - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (gsize) n;
    }
  close (rp[0]);
  if (got == sizeof f)
    {
      reap_blocking (pid);
      explain_failure (s, plan, &f, error);
      return FALSE;
    }
  *pid_out = pid;
  return TRUE;
}

static void
plan_init (ChildPlan *plan, const Spec *s)
{
  memset (plan, 0, sizeof *plan);
  plan->drop = s->drop;
  plan->uid = s->uid;
  plan->gid = s->gid;
  plan->groups = s->groups;
  plan->n_groups = (size_t) s->n_groups;
  plan->workdir = s->workdir;
  plan->in_fd = plan->out_fd = plan->err_fd = -1;
  plan->umask = -1;
  const char *um = g_environ_getenv (s->environment, "SLURM_UMASK");
  if (um != NULL && um[0] != '\0')
    {
      char *end;
      guint64 v = g_ascii_strtoull (um, &end, 8);
      if (*end == '\0' && v <= 0777)
        plan->umask = (int) v;
    }
}

/* Returns (transfer full) the exec candidates for argv0: itself when it has a '/', else
 * each PATH directory (from the job's environment) joined with it. */
static char **
exec_candidates (const char *argv0, char **env)
{
  if (strchr (argv0, '/') != NULL)
    {
      char **v = g_new0 (char *, 2);
      v[0] = g_strdup (argv0);
      return v;
    }
  const char *path = g_environ_getenv (env, "PATH");
  g_auto (GStrv) dirs = g_strsplit (path != NULL ? path : DEFAULT_PATH, ":", -1);
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; dirs[i] != NULL; i++)
    g_ptr_array_add (out, g_build_filename (dirs[i][0] ? dirs[i] : ".", argv0, NULL));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static char **
sh_argv_for (char **argv)
{
  guint n = g_strv_length (argv);
  char **v = g_new0 (char *, n + 2);
  v[0] = (char *) "/bin/sh";
  for (guint i = 1; i < n; i++)
    v[i + 1] = argv[i];
  return v;           /* borrowed strings: g_free only the vector */
}

/* ---- processes and jobs ------------------------------------------------------------------ */

static gboolean on_io_out (int fd, GIOCondition cond, gpointer data);
static gboolean on_io_err (int fd, GIOCondition cond, gpointer data);
static gboolean on_limit (gpointer data);
static gboolean on_kill (gpointer data);

static void
stream_close (Proc *p, RnStream s, gboolean emit)
{
  if (p->fd[s] < 0)
    return;
  clear_source (&p->io[s]);
  close_fd (&p->fd[s]);
  if (emit && p->sup->output_func != NULL)
    p->sup->output_func (p->job->job_id, p->step_id, p->task_id, s, NULL, 0,
                         p->sup->user_data);
}

/* ---- input (srun's stdin) ---- */

static void
input_close (Proc *p)
{
  clear_source (&p->in_src);
  close_fd (&p->in_fd);
  g_clear_pointer (&p->in_buf, g_byte_array_unref);
}

static gboolean on_input_ready (int fd, GIOCondition cond, gpointer data);

/* Writes what the task takes of its waiting input; waits for room for the rest.  A task
 * that no longer reads (EPIPE, EIO) loses its input. */
static void
input_flush (Proc *p)
{
  while (p->in_fd >= 0 && p->in_buf != NULL && p->in_buf->len > 0)
    {
      ssize_t n = write (p->in_fd, p->in_buf->data, p->in_buf->len);
      if (n > 0)
        {
          g_byte_array_remove_range (p->in_buf, 0, (guint) n);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (p->in_src == NULL)
            {
              p->in_src = g_unix_fd_source_new (p->in_fd, G_IO_OUT | G_IO_ERR | G_IO_HUP);
              g_source_set_callback (p->in_src, G_SOURCE_FUNC (on_input_ready), p, NULL);
              g_source_attach (p->in_src, p->sup->ctx);
            }
          return;
        }
      input_close (p);
      return;
    }
  clear_source (&p->in_src);
  if (p->in_eof)
    input_close (p);
}

static gboolean
on_input_ready (int fd, GIOCondition cond, gpointer data)
{
  (void) fd;
  (void) cond;
  Proc *p = data;
  GSource *self = p->in_src;
  g_source_ref (self);
  input_flush (p);
  gboolean keep = p->in_src == self;
  g_source_unref (self);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

gboolean
rn_supervisor_step_input (RnSupervisor *sup, guint32 job_id, guint32 step_id,
                          const void *data, gsize len, gboolean eof, GError **error)
{
  g_return_val_if_fail (sup != NULL && (data != NULL || len == 0), FALSE);
  Job *j = g_hash_table_lookup (sup->jobs, GUINT_TO_POINTER (job_id));
  if (j == NULL)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_UNKNOWN_JOB,
                   "job %u has no process on %s", job_id, sup->node);
      return FALSE;
    }
  gboolean ok = TRUE;
  for (guint i = 0; i < j->procs->len; i++)
    {
      Proc *p = g_ptr_array_index (j->procs, i);
      if (p->step_id != step_id || p->in_fd < 0)
        continue;
      if (p->in_buf == NULL)
        p->in_buf = g_byte_array_new ();
      if (p->in_buf->len + len > RN_LAUNCH_INPUT_MAX)
        {
          if (ok)
            g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_STATE,
                         "job %u step %u task %u: more than %d bytes of input wait to be "
                         "read: %" G_GSIZE_FORMAT " dropped", job_id, step_id, p->task_id,
                         RN_LAUNCH_INPUT_MAX, len);
          ok = FALSE;
          continue;
        }
      g_byte_array_append (p->in_buf, data, (guint) len);
      p->in_eof = p->in_eof || eof;
      input_flush (p);
    }
  return ok;
}

gboolean
rn_supervisor_step_winsize (RnSupervisor *sup, guint32 job_id, guint32 step_id, guint rows,
                            guint cols)
{
  g_return_val_if_fail (sup != NULL, FALSE);
  Job *j = g_hash_table_lookup (sup->jobs, GUINT_TO_POINTER (job_id));
  gboolean done = FALSE;
  for (guint i = 0; j != NULL && i < j->procs->len; i++)
    {
      Proc *p = g_ptr_array_index (j->procs, i);
      if (p->step_id != step_id || p->pty_fd < 0 || p->fd[0] != p->pty_fd || rows == 0
          || cols == 0 || rows > 65535 || cols > 65535)
        continue;
      struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
      done = ioctl (p->pty_fd, TIOCSWINSZ, &ws) == 0 || done;   /* the task gets SIGWINCH */
    }
  return done;
}

static void
proc_free (gpointer data)
{
  Proc *p = data;
  input_close (p);
  stream_close (p, RN_STREAM_OUT, FALSE);
  stream_close (p, RN_STREAM_ERR, FALSE);
  clear_source (&p->drain);
  g_free (p);
}

static void
job_free (gpointer data)
{
  Job *j = data;
  clear_source (&j->limit);
  clear_source (&j->kill);
  clear_source (&j->warn);
  if (j->dir != NULL)
    {
      g_autofree char *script = g_build_filename (j->dir, "script", NULL);
      g_unlink (script);
      g_rmdir (j->dir);
      g_free (j->dir);
    }
  g_ptr_array_unref (j->procs);
  g_free (j);
}

static void
signal_groups (Job *j, int sig)
{
  for (guint i = 0; i < j->procs->len; i++)
    {
      Proc *p = g_ptr_array_index (j->procs, i);
      if (!p->exited)
        (void) killpg (p->pid, sig);
    }
}

static void
job_end (Job *j, RnEndState state, int sig)
{
  if (!j->ending)
    {
      j->ending = TRUE;
      j->ending_state = state;
    }
  signal_groups (j, SIGCONT);
  if (sig != SIGCONT)
    signal_groups (j, sig);
  if (j->kill == NULL)
    j->kill = add_timeout (j->sup, j->kill_wait, on_kill, j);
}

static gboolean
on_limit (gpointer data)
{
  Job *j = data;
  clear_source (&j->limit);
  job_end (j, RN_END_TIMEOUT, SIGTERM);
  return G_SOURCE_REMOVE;
}

/* --signal's warning: to the batch shell alone (B:, "none of the other processes will be
 * signaled"), else to every step task's process group */
static gboolean
on_warn (gpointer data)
{
  Job *j = data;
  clear_source (&j->warn);
  for (guint i = 0; i < j->procs->len && !j->ending; i++)
    {
      Proc *p = g_ptr_array_index (j->procs, i);
      if (!p->exited && (p == j->batch) == j->warn_batch)
        (void) (p == j->batch ? kill (p->pid, j->warn_sig) : killpg (p->pid, j->warn_sig));
    }
  return G_SOURCE_REMOVE;
}

/* (Re)arms the --signal warning for the job's current limit. */
static void
warn_arm (Job *j)
{
  clear_source (&j->warn);
  if (j->warn_sig <= 0 || j->time_limit <= 0)
    return;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  j->warn = add_timeout (j->sup, MAX (j->start_time + j->time_limit - j->warn_time - now, 0),
                         on_warn, j);
}

static gboolean
on_kill (gpointer data)
{
  Job *j = data;
  clear_source (&j->kill);
  signal_groups (j, SIGKILL);
  return G_SOURCE_REMOVE;
}

/* Removes `p` (and its job when it was the last) and reports it. */
static void
proc_finish (Proc *p)
{
  RnSupervisor *sup = p->sup;
  Job *j = p->job;
  RnExitReport r = {
    .job_id = j->job_id, .step_id = p->step_id, .task_id = p->task_id, .pid = p->pid,
    .state = p->state,
    .exit_code = WIFEXITED (p->status) ? WEXITSTATUS (p->status) : 0,
    .signal = WIFSIGNALED (p->status) ? WTERMSIG (p->status) : 0,
    .cpu_seconds = p->ru.ru_utime.tv_sec + p->ru.ru_utime.tv_usec / 1e6
                   + p->ru.ru_stime.tv_sec + p->ru.ru_stime.tv_usec / 1e6,
    .max_rss_kb = p->ru.ru_maxrss,
    .end_time = p->end_time,
  };
  g_ptr_array_remove (j->procs, p);
  if (j->batch == p)
    j->batch = NULL;
  g_hash_table_remove (sup->procs, GINT_TO_POINTER (p->pid));
  if (j->procs->len == 0)
    g_hash_table_remove (sup->jobs, GUINT_TO_POINTER (j->job_id));
  sup->exit_func (&r, sup->user_data);
}

static void
proc_maybe_finish (Proc *p)
{
  if (p->exited && p->fd[0] < 0 && p->fd[1] < 0)
    proc_finish (p);
}

static gboolean
on_drain (gpointer data)
{
  Proc *p = data;
  clear_source (&p->drain);
  stream_close (p, RN_STREAM_OUT, TRUE);
  stream_close (p, RN_STREAM_ERR, TRUE);
  proc_maybe_finish (p);
  return G_SOURCE_REMOVE;
}

static gboolean
on_io (Proc *p, RnStream s)
{
  char buf[READ_CHUNK];
  ssize_t n = read (p->fd[s], buf, sizeof buf);
  if (n > 0)
    {
      if (p->sup->output_func != NULL)
        p->sup->output_func (p->job->job_id, p->step_id, p->task_id, s, buf, (gsize) n,
                             p->sup->user_data);
      return G_SOURCE_CONTINUE;
    }
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  stream_close (p, s, TRUE);
  proc_maybe_finish (p);
  return G_SOURCE_REMOVE;
}

static gboolean
on_io_out (int fd, GIOCondition cond, gpointer data)
{
  (void) fd;
  (void) cond;
  return on_io (data, RN_STREAM_OUT);
}

static gboolean
on_io_err (int fd, GIOCondition cond, gpointer data)
{
  (void) fd;
  (void) cond;
  return on_io (data, RN_STREAM_ERR);
}

/* `p` exited (already reaped by collect, which set p->exited). */
static void
proc_exited (Proc *p)
{
  Job *j = p->job;
  p->end_time = g_get_real_time () / G_USEC_PER_SEC;
  input_close (p);
  if (j->ending)
    p->state = j->ending_state;
  else if (WIFEXITED (p->status) && WEXITSTATUS (p->status) == 0)
    p->state = RN_END_COMPLETED;
  else
    p->state = RN_END_FAILED;
  if (j->batch == p && j->procs->len > 1)
    {
      /* the job is over: its steps on this node go too */
      if (!j->ending)
        {
          j->ending = TRUE;
          j->ending_state = RN_END_CANCELLED;
        }
      signal_groups (j, SIGKILL);
    }
  if ((p->fd[0] >= 0 || p->fd[1] >= 0) && p->drain == NULL)
    {
      p->drain = add_timeout (p->sup, RN_LAUNCH_DRAIN_SECONDS, on_drain, p);
    }
  proc_maybe_finish (p);
}

/* Waits for `p` if it has exited.  Returns TRUE when it was reaped. */
static gboolean
collect (Proc *p)
{
  siginfo_t si;
  for (;;)
    {
      memset (&si, 0, sizeof si);
      if (waitid (P_PID, (id_t) p->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0)
        break;
      if (errno == EINTR)
        continue;
      if (errno == ECHILD)
        {
          g_warning ("process %d (job %u) was reaped by someone else; its status is lost",
                     p->pid, p->job->job_id);
          p->status = 255 << 8;
          memset (&p->ru, 0, sizeof p->ru);
          p->exited = TRUE;
          return TRUE;
        }
      return FALSE;
    }
  if (si.si_pid != p->pid)
    return FALSE;
  /* the zombie still holds the group id: kill whatever it left behind */
  (void) killpg (p->pid, SIGKILL);
  while (wait4 (p->pid, &p->status, 0, &p->ru) < 0)
    if (errno != EINTR)
      {
        p->status = 255 << 8;
        memset (&p->ru, 0, sizeof p->ru);
        break;
      }
  p->exited = TRUE;     /* from now on its pid may be reused: never signal it again */
  return TRUE;
}

static void
reap (RnSupervisor *sup)
{
  g_autoptr (GPtrArray) done = g_ptr_array_new ();
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, sup->procs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    {
      Proc *p = v;
      if (!p->exited && collect (p))
        g_ptr_array_add (done, p);
    }
  for (guint i = 0; i < done->len; i++)
    proc_exited (g_ptr_array_index (done, i));
}

static gboolean
on_wake (int fd, GIOCondition cond, gpointer data)
{
  char buf[256];
  (void) cond;
  while (read (fd, buf, sizeof buf) > 0)
    ;
  reap (data);
  return G_SOURCE_CONTINUE;
}

/* Returns TRUE when a new process (the batch script if `batch`) may join job `job_id`,
 * else FALSE with `error` set (RN_LAUNCH_ERROR_STATE). */
static gboolean
job_check (RnSupervisor *sup, guint32 job_id, gboolean batch, GError **error)
{
  Job *j = g_hash_table_lookup (sup->jobs, GUINT_TO_POINTER (job_id));
  if (j == NULL)
    return TRUE;
  if (j->ending)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_STATE, "job %u is ending (%s)",
                   job_id, j->ending_state == RN_END_TIMEOUT ? "time limit" : "cancelled");
      return FALSE;
    }
  if (batch && j->batch != NULL)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_STATE,
                   "job %u already runs its batch script here (pid %d)", job_id,
                   j->batch->pid);
      return FALSE;
    }
  return TRUE;
}

static Job *
job_ensure (RnSupervisor *sup, const Spec *s)
{
  Job *j = g_hash_table_lookup (sup->jobs, GUINT_TO_POINTER (s->job_id));
  if (j != NULL)
    return j;
  j = g_new0 (Job, 1);
  j->sup = sup;
  j->job_id = s->job_id;
  j->uid = s->uid;
  j->procs = g_ptr_array_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  j->start_time = s->start_time > 0 ? s->start_time : now;
  j->time_limit = s->time_limit;
  j->kill_wait = s->kill_wait;
  if (s->time_limit > 0)
    j->limit = add_timeout (sup, j->start_time + s->time_limit - now, on_limit, j);
  j->warn_sig = (int) s->warn_sig;
  j->warn_time = s->warn_time;
  j->warn_batch = s->warn_batch;
  warn_arm (j);
  g_hash_table_insert (sup->jobs, GUINT_TO_POINTER (s->job_id), j);
  return j;
}

static Proc *
proc_add (RnSupervisor *sup, Job *j, int pid, guint32 step_id, guint32 task_id,
          int out_fd, int err_fd)
{
  Proc *p = g_new0 (Proc, 1);
  p->sup = sup;
  p->job = j;
  p->pid = pid;
  p->step_id = step_id;
  p->task_id = task_id;
  p->fd[0] = out_fd;
  p->fd[1] = err_fd;
  p->in_fd = -1;
  p->pty_fd = -1;
  for (int s = 0; s < 2; s++)
    if (p->fd[s] >= 0)
      {
        p->io[s] = g_unix_fd_source_new (p->fd[s], G_IO_IN | G_IO_HUP | G_IO_ERR);
        g_source_set_callback (p->io[s], s == 0 ? G_SOURCE_FUNC (on_io_out)
                               : G_SOURCE_FUNC (on_io_err), p, NULL);
        g_source_attach (p->io[s], sup->ctx);
      }
  g_ptr_array_add (j->procs, p);
  g_hash_table_insert (sup->procs, GINT_TO_POINTER (pid), p);
  return p;
}

/* ---- the supervisor ---------------------------------------------------------------------- */

RnSupervisor *
rn_supervisor_new (const char *spool_dir, const char *node_name, RnExitFunc exit_func,
                   RnOutputFunc output_func, gpointer user_data, GError **error)
{
  g_return_val_if_fail (spool_dir != NULL && node_name != NULL && exit_func != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_mkdir_with_parents (spool_dir, 0755) < 0)
    {
      int e = errno;
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SETUP,
                   "cannot create spool directory %s: %s", spool_dir, g_strerror (e));
      return NULL;
    }
  RnSupervisor *sup = g_new0 (RnSupervisor, 1);
  sup->wake[0] = sup->wake[1] = -1;
  if (!make_pipe (sup->wake, TRUE, error))
    {
      g_free (sup);
      return NULL;
    }
  fcntl (sup->wake[1], F_SETFL, fcntl (sup->wake[1], F_GETFL) | O_NONBLOCK);
  if (!slot_register (sup->wake[1], &sup->slot, error))
    {
      close (sup->wake[0]);
      close (sup->wake[1]);
      g_free (sup);
      return NULL;
    }
  /* input for a task that has exited must fail with EPIPE, not end the daemon (tasks start
   * with every signal at its default) */
  struct sigaction pipe_act;
  if (sigaction (SIGPIPE, NULL, &pipe_act) == 0 && pipe_act.sa_handler == SIG_DFL
      && !(pipe_act.sa_flags & SA_SIGINFO))
    signal (SIGPIPE, SIG_IGN);
  sup->spool = g_strdup (spool_dir);
  sup->node = g_strdup (node_name);
  sup->exit_func = exit_func;
  sup->output_func = output_func;
  sup->user_data = user_data;
  sup->ctx = g_main_context_ref_thread_default ();
  sup->procs = g_hash_table_new_full (NULL, NULL, NULL, proc_free);
  sup->jobs = g_hash_table_new_full (NULL, NULL, NULL, job_free);
  sup->wake_source = g_unix_fd_source_new (sup->wake[0], G_IO_IN);
  g_source_set_callback (sup->wake_source, G_SOURCE_FUNC (on_wake), sup,
                         NULL);
  g_source_attach (sup->wake_source, sup->ctx);
  return sup;
}

void
rn_supervisor_free (RnSupervisor *sup)
{
  if (sup == NULL)
    return;
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init (&it, sup->procs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (!((Proc *) v)->exited)
      (void) killpg (((Proc *) v)->pid, SIGKILL);
  g_hash_table_iter_init (&it, sup->procs);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (!((Proc *) v)->exited)
      reap_blocking (((Proc *) v)->pid);
  g_hash_table_destroy (sup->procs);
  g_hash_table_destroy (sup->jobs);
  slot_unregister (sup->slot);
  clear_source (&sup->wake_source);
  close (sup->wake[0]);
  close (sup->wake[1]);
  g_main_context_unref (sup->ctx);
  g_free (sup->spool);
  g_free (sup->node);
  g_free (sup);
}

/* Writes the script as SPOOL/job<ID>/script (0700, the user's).  Returns the directory. */
static char *
write_script (RnSupervisor *sup, const Spec *s, GError **error)
{
  g_autofree char *name = g_strdup_printf ("job%u", s->job_id);
  g_autofree char *dir = g_build_filename (sup->spool, name, NULL);
  g_autofree char *path = g_build_filename (dir, "script", NULL);
  gboolean root = geteuid () == 0;
  int e = 0;
  const char *what = NULL;

  if (g_mkdir (dir, 0700) < 0 && errno != EEXIST)
    e = errno, what = "mkdir";
  else if (chmod (dir, 0700) < 0)
    e = errno, what = "chmod";
  else if (root && chown (dir, s->uid, s->gid) < 0)
    e = errno, what = "chown";
  if (what == NULL)
    {
      (void) g_unlink (path);
      int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0700);
      if (fd < 0)
        e = errno, what = "open";
      else
        {
          const char *buf = s->script;
          gsize len = strlen (buf);
          while (len > 0 && what == NULL)
            {
              ssize_t n = write (fd, buf, len);
              if (n < 0 && errno == EINTR)
                continue;
              if (n <= 0)
                e = n < 0 ? errno : EIO, what = "write";
              else
                buf += n, len -= (gsize) n;
            }
          if (what == NULL && fchmod (fd, 0700) < 0)
            e = errno, what = "chmod";
          if (what == NULL && root && fchown (fd, s->uid, s->gid) < 0)
            e = errno, what = "chown";
          if (close (fd) < 0 && what == NULL)
            e = errno, what = "close";
        }
    }
  if (what != NULL)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SPAWN,
                   "job %u: cannot write the script %s: %s: %s", s->job_id, path, what,
                   g_strerror (e));
      (void) g_unlink (path);
      (void) g_rmdir (dir);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

gboolean
rn_supervisor_launch_batch (RnSupervisor *sup, const json_t *req, int *pid,
                            GError **error)
{
  g_return_val_if_fail (sup != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  Spec s = { 0 };
  gboolean ok = FALSE;
  g_autofree char *dir = NULL;
  g_autofree char *script_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *in = NULL;
  g_auto (GStrv) env = NULL;
  g_auto (GStrv) paths = NULL;
  g_auto (GStrv) argv = NULL;
  g_autofree char **sh_argv = NULL;

  if (!spec_parse (&s, req, sup->node, FALSE, error)
      || !job_check (sup, s.job_id, TRUE, error)
      || (dir = write_script (sup, &s, error)) == NULL)
    goto out;
  script_path = g_build_filename (dir, "script", NULL);

  RnPatternVars vars = {
    .job_id = s.job_id, .array_job_id = s.array_job_id, .array_task_id = s.array_task_id,
    .name = s.name, .user = s.user, .node = g_ptr_array_index (s.node_names, 0),
    .node_id = s.node_index, .task_id = 0, .step_id = RN_STEP_BATCH,
  };
  const char *out_pat = s.stdout_pat ? s.stdout_pat
                        : s.array_task_id >= 0 ? "slurm-%A_%a.out" : "slurm-%j.out";
  out = rn_launch_expand_pattern (out_pat, &vars);
  if (s.stderr_pat != NULL)
    err = rn_launch_expand_pattern (s.stderr_pat, &vars);
  if (err != NULL && strcmp (err, out) == 0)
    g_clear_pointer (&err, g_free);
  in = rn_launch_expand_pattern (s.stdin_pat ? s.stdin_pat : "/dev/null", &vars);

  env = env_job (&s, sup->node);
  guint n_args = s.argv ? g_strv_length (s.argv) : 0, a0 = 0;
  argv = g_new0 (char *, n_args + 3);
  paths = g_new0 (char *, 2);
  if (g_str_has_prefix (s.script, "#!"))
    {
      argv[a0++] = g_strdup (script_path);
      paths[0] = g_strdup (script_path);
    }
  else
    {
      argv[a0++] = g_strdup ("/bin/sh");
      argv[a0++] = g_strdup (script_path);
      paths[0] = g_strdup ("/bin/sh");
    }
  for (guint k = 0; k < n_args; k++)
    argv[a0++] = g_strdup (s.argv[k]);
  sh_argv = sh_argv_for (argv);

  ChildPlan plan;
  plan_init (&plan, &s);
  plan.stdin_path = in;
  plan.stdout_path = out;
  plan.stderr_path = err;
  plan.paths = paths;
  plan.argv = argv;
  plan.sh_argv = sh_argv;
  plan.envp = env;
  plan.pid_slot = find_pid_slot (env);

  int child;
  if (!spawn (&s, &plan, &child, error))
    {
      g_unlink (script_path);
      g_rmdir (dir);
      goto out;
    }
  Job *j = job_ensure (sup, &s);
  j->batch = proc_add (sup, j, child, RN_STEP_BATCH, 0, -1, -1);
  if (j->dir == NULL)
    j->dir = g_steal_pointer (&dir);
  if (pid != NULL)
    *pid = child;
  ok = TRUE;
out:
  spec_clear (&s);
  return ok;
}

typedef struct {
  int  pid;
  int  fd[2];
  int  in;     /* its stdin's write end, or -1 */
} Started;

/* A pseudo-terminal for a task: *master (non-blocking, close-on-exec) and the slave's
 * path in `path`; the window size when rows and cols are given. */
static gboolean
open_pty (int *master, char *path, gsize size, gint64 rows, gint64 cols, GError **error)
{
  int m = posix_openpt (O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m < 0 || grantpt (m) < 0 || unlockpt (m) < 0 || ptsname_r (m, path, size) != 0)
    {
      int e = errno;
      if (m >= 0)
        close (m);
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_SPAWN, "pseudo-terminal: %s",
                   g_strerror (e));
      return FALSE;
    }
  if (rows > 0 && cols > 0)
    {
      struct winsize ws = { .ws_row = (unsigned short) rows, .ws_col = (unsigned short) cols };
      (void) ioctl (m, TIOCSWINSZ, &ws);
    }
  fcntl (m, F_SETFL, fcntl (m, F_GETFL) | O_NONBLOCK);
  *master = m;
  return TRUE;
}

gboolean
rn_supervisor_launch_step (RnSupervisor *sup, const json_t *req, GError **error)
{
  g_return_val_if_fail (sup != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  Spec s = { 0 };
  gboolean ok = FALSE;
  g_autofree Started *started = NULL;
  guint n_started = 0;
  g_auto (GStrv) base = NULL;
  g_auto (GStrv) paths = NULL;
  g_autofree char **sh_argv = NULL;
  g_autofree char *gtids = NULL;

  if (!spec_parse (&s, req, sup->node, TRUE, error)
      || !job_check (sup, s.job_id, FALSE, error))
    goto out;

  base = env_job (&s, sup->node);
  gtids = join_ids (s.task_ids, FALSE);
  base = env_set (base, "SLURM_STEP_ID", "%u", s.step_id);
  base = env_set (base, "SLURM_STEPID", "%u", s.step_id);
  base = env_set (base, "SLURM_STEP_NODELIST", "%s", s.step_nodes);
  base = env_set (base, "SLURM_STEP_NUM_NODES", "%" G_GINT64_FORMAT, s.step_num_nodes);
  base = env_set (base, "SLURM_STEP_NUM_TASKS", "%" G_GINT64_FORMAT, s.step_ntasks);
  base = env_set (base, "SLURM_STEP_TASKS_PER_NODE", "%s", s.step_tasks_per_node);
  base = env_set (base, "SLURM_NODELIST", "%s", s.step_nodes);
  base = env_set (base, "SLURM_NNODES", "%" G_GINT64_FORMAT, s.step_num_nodes);
  base = env_set (base, "SLURM_NTASKS", "%" G_GINT64_FORMAT, s.step_ntasks);
  base = env_set (base, "SLURM_NPROCS", "%" G_GINT64_FORMAT, s.step_ntasks);
  base = env_set (base, "SLURM_TASKS_PER_NODE", "%s", s.step_tasks_per_node);
  base = env_set (base, "SLURM_NODEID", "%u", s.step_node_index);
  base = env_set (base, "SLURM_GTIDS", "%s", gtids);
  paths = exec_candidates (s.argv[0], base);
  sh_argv = sh_argv_for (s.argv);

  started = g_new0 (Started, s.task_ids->len);
  for (guint i = 0; i < s.task_ids->len; i++)
    {
      guint32 task = g_array_index (s.task_ids, guint32, i);
      int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, pi[2] = { -1, -1 }, master = -1;
      char tty[128];
      gboolean on_pty = s.step_pty && task == 0;
      if (on_pty)
        {
          if (!open_pty (&master, tty, sizeof tty, s.rows, s.cols, error))
            goto out;
        }
      else if (!make_pipe (po, TRUE, error))
        goto out;
      else if (!make_pipe (pe, TRUE, error)
               || (s.step_input && !make_pipe (pi, FALSE, error)))
        {
          close_fd (&po[0]);
          close_fd (&po[1]);
          close_fd (&pe[0]);
          close_fd (&pe[1]);
          goto out;
        }
      if (pi[1] >= 0)
        fcntl (pi[1], F_SETFL, fcntl (pi[1], F_GETFL) | O_NONBLOCK);
      g_auto (GStrv) env = g_strdupv (base);
      env = env_set (env, "SLURM_PROCID", "%u", task);
      env = env_set (env, "SLURM_LOCALID", "%u", i);
      ChildPlan plan;
      plan_init (&plan, &s);
      plan.stdin_path = "/dev/null";
      plan.in_fd = pi[0];
      plan.out_fd = po[1];
      plan.err_fd = pe[1];
      plan.pty_path = on_pty ? tty : NULL;
      plan.paths = paths;
      plan.argv = s.argv;
      plan.sh_argv = sh_argv;
      plan.envp = env;
      plan.pid_slot = find_pid_slot (env);
      int child;
      gboolean spawned = spawn (&s, &plan, &child, error);
      close_fd (&po[1]);
      close_fd (&pe[1]);
      close_fd (&pi[0]);
      if (!spawned)
        {
          close_fd (&po[0]);
          close_fd (&pe[0]);
          close_fd (&pi[1]);
          close_fd (&master);
          goto out;
        }
      if (on_pty)
        started[n_started++] = (Started) { child, { master, -1 },
                                           fcntl (master, F_DUPFD_CLOEXEC, 3) };
      else
        started[n_started++] = (Started) { child, { po[0], pe[0] }, pi[1] };
    }
  Job *j = job_ensure (sup, &s);
  for (guint i = 0; i < n_started; i++)
    {
      Proc *p = proc_add (sup, j, started[i].pid, s.step_id,
                          g_array_index (s.task_ids, guint32, i), started[i].fd[0],
                          started[i].fd[1]);
      p->in_fd = started[i].in;
      if (started[i].fd[1] < 0)
        p->pty_fd = started[i].fd[0];
      if (started[i].fd[1] < 0 && sup->output_func != NULL)
        /* on a terminal stderr is stdout: its stream ends at once */
        sup->output_func (s.job_id, s.step_id, p->task_id, RN_STREAM_ERR, NULL, 0,
                          sup->user_data);
    }
  n_started = 0;
  ok = TRUE;
out:
  for (guint i = 0; i < n_started; i++)
    {
      (void) killpg (started[i].pid, SIGKILL);
      reap_blocking (started[i].pid);
      close_fd (&started[i].fd[0]);
      close_fd (&started[i].fd[1]);
      close_fd (&started[i].in);
    }
  spec_clear (&s);
  return ok;
}

static gboolean
check_signal (int sig, GError **error)
{
  if (sig < 1 || sig >= NSIG)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_INVALID,
                   "invalid signal %d (1 to %d)", sig, NSIG - 1);
      return FALSE;
    }
  return TRUE;
}

static Job *
job_lookup (RnSupervisor *sup, guint32 job_id, GError **error)
{
  Job *j = g_hash_table_lookup (sup->jobs, GUINT_TO_POINTER (job_id));
  if (j == NULL)
    g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_UNKNOWN_JOB,
                 "job %u has no process on %s", job_id, sup->node);
  return j;
}

gboolean
rn_supervisor_signal_job (RnSupervisor *sup, guint32 job_id, int sig, GError **error)
{
  g_return_val_if_fail (sup != NULL, FALSE);
  if (!check_signal (sig, error))
    return FALSE;
  Job *j = job_lookup (sup, job_id, error);
  if (j == NULL)
    return FALSE;
  signal_groups (j, sig);
  return TRUE;
}

gboolean
rn_supervisor_cancel_job (RnSupervisor *sup, guint32 job_id, int sig, GError **error)
{
  g_return_val_if_fail (sup != NULL, FALSE);
  if (sig == 0)
    sig = SIGTERM;
  if (!check_signal (sig, error))
    return FALSE;
  Job *j = job_lookup (sup, job_id, error);
  if (j == NULL)
    return FALSE;
  job_end (j, RN_END_CANCELLED, sig);
  return TRUE;
}

static gint
cmp_u32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;
  return x < y ? -1 : x > y;
}

GArray *
rn_supervisor_list_jobs (RnSupervisor *sup)
{
  g_return_val_if_fail (sup != NULL, NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint32));
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, sup->jobs);
  while (g_hash_table_iter_next (&it, &k, NULL))
    {
      guint32 id = GPOINTER_TO_UINT (k);
      g_array_append_val (ids, id);
    }
  g_array_sort (ids, cmp_u32);
  return ids;
}

gboolean
rn_supervisor_set_time_limit (RnSupervisor *sup, guint32 job_id, gint64 time_limit,
                              GError **error)
{
  if (time_limit == 0 || time_limit < -1)
    {
      g_set_error (error, RN_LAUNCH_ERROR, RN_LAUNCH_ERROR_INVALID,
                   "time limit %" G_GINT64_FORMAT ": expected seconds > 0 or -1", time_limit);
      return FALSE;
    }
  Job *j = job_lookup (sup, job_id, error);
  if (j == NULL)
    return FALSE;
  if (j->ending)
    return TRUE;   /* already being ended: the new limit changes nothing */
  clear_source (&j->limit);
  j->time_limit = time_limit;
  if (time_limit > 0)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      j->limit = add_timeout (sup, MAX (j->start_time + time_limit - now, 0), on_limit, j);
    }
  warn_arm (j);
  return TRUE;
}

gboolean
rn_supervisor_lookup_job (RnSupervisor *sup, guint32 job_id, RnJobInfo *info)
{
  g_return_val_if_fail (sup != NULL && info != NULL, FALSE);
  Job *j = g_hash_table_lookup (sup->jobs, GUINT_TO_POINTER (job_id));
  if (j == NULL)
    return FALSE;
  *info = (RnJobInfo) {
    .job_id = j->job_id, .uid = j->uid, .batch_pid = j->batch ? j->batch->pid : 0,
    .n_procs = j->procs->len, .start_time = j->start_time, .time_limit = j->time_limit,
    .ending = j->ending, .ending_state = j->ending ? j->ending_state : RN_END_COMPLETED,
  };
  return TRUE;
}
