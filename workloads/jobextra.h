/* SPDX-License-Identifier: MIT */
/* workloads/jobextra.h - the parts of a job request the scheduler core does not use yet,
 * and their Slurm syntax: names, account, QOS, features, dependencies, arrays, hold, begin
 * time and exit code.
 *
 * A WlJobExtra travels beside a job's SchedJobSpec (WlJob.extra, trace.h) from the readers
 * that know such fields (the JSON reader, jsontrace.h) to the drivers, so that the policies
 * can use them once the core models them.  It is a plain value record that owns its strings
 * and its dependency list; copy it with wl_job_extra_copy to keep it beyond the reader's
 * lifetime rule.  The parsers check Slurm's syntax completely and keep no state: dependency
 * lists ("afterok:12:13,singleton"), array index specs ("0-99%10", "1,3,5-7:2") and
 * constraint expressions ("a100&ib", "[rack1|rack2]", "(knl&flat)*4").  Each is O(length)
 * and allocates only its result. */
#pragma once
#include <glib.h>
#include "sched/types.h"

G_BEGIN_DECLS

/* Slurm's dependency types (sbatch --dependency). */
typedef enum {
  WL_DEP_AFTER = 0,         /* the job started (plus `delay`), or was cancelled */
  WL_DEP_AFTERANY,          /* the job ended, in any state */
  WL_DEP_AFTERBURSTBUFFER,  /* the job ended and its burst buffer stage-out completed */
  WL_DEP_AFTERCORR,         /* the same task of another array ended successfully */
  WL_DEP_AFTERNOTOK,        /* the job ended in a failed state (FAILED, TIMEOUT, ...) */
  WL_DEP_AFTEROK,           /* the job ended COMPLETED, exit code 0 */
  WL_DEP_SINGLETON,         /* no other job of the same name and user is running */
  WL_DEP_N
} WlDepType;

/* "after", "afterany", ... as Slurm spells them. */
const char *wl_dep_type_name (WlDepType type);

/* One term of a dependency list: "afterok:12" gives { AFTEROK, 12, -1, 0 }, "after:12_3+5"
 * gives { AFTER, 12, 3, 300 }, "singleton" gives { SINGLETON, 0, -1, 0 }. */
typedef struct {
  WlDepType  type;
  SchedJobId job;     /* the job id as written (0 for singleton) */
  gint64     task;    /* array task index ("12_3"), -1 for the whole job */
  SchedTime  delay;   /* "after:12+5": 5 minutes after the start, in seconds; else 0 */
} WlDependency;

/* The largest array task index.  Slurm's default MaxArraySize (1001) allows 0 .. 1000;
 * sluice stops at 999 because the JSON reader numbers task i of array job J as
 * J * WL_ARRAY_ID_FACTOR + i, which keeps the ids of different arrays apart. */
#define WL_ARRAY_MAX_INDEX 999
#define WL_ARRAY_ID_FACTOR 1000

/* What a job asks for beyond SchedJobSpec.  Every string is (transfer full) owned by the
 * record, NULL when the trace does not say; every number is 0 when not given unless noted. */
typedef struct {
  char         *name;            /* job name */
  char         *user_name;       /* the user as written, when a name rather than a number */
  char         *group_name;      /* likewise for the group */
  char         *account;
  char         *qos;
  char         *partition;       /* as written, maybe a list "a,b" (the spec has the first) */
  char         *gpu_type;        /* GPU type name, as written */
  char         *gres;            /* the --gres list as written ("gpu:a100:2,mps:100") */
  char         *features;        /* constraint expression, checked (wl_check_constraint) */
  char         *dependency;      /* dependency list as written, checked */
  WlDependency *deps;            /* n_deps terms of `dependency`, in order */
  guint         n_deps;
  gboolean      deps_any;        /* terms separated by '?': any one suffices (else all) */
  SchedJobId    array_job_id;    /* an array task: the array's job id (Slurm's ArrayJobID) */
  guint32       array_task_id;   /* ... and its index (valid when array_job_id != 0) */
  guint32       array_task_throttle; /* "%N": at most N tasks of the array run at once */
  gboolean      hold;            /* submitted held: not eligible until released */
  SchedTime     begin;           /* not eligible before this time; SCHED_TIME_NEVER = none */
  guint64       mem_per_cpu_mb;  /* memory asked per CPU (the spec has a per-node figure) */
  guint64       gpus_per_job;    /* GPUs asked for the whole job (the spec has them laid
                                  * out per node) */
  gboolean      time_limit_unlimited; /* "UNLIMITED": the spec's limit was made up */
  gboolean      has_exit_code;
  gint32        exit_code;       /* exit status in the trace ("1:0" -> 1) */
  gint32        exit_signal;     /* signal in the trace ("0:9" -> 9) */
} WlJobExtra;

/* Returns (transfer full) an empty record: all NULL and 0, begin = SCHED_TIME_NEVER. */
WlJobExtra *wl_job_extra_new (void);
/* Returns (transfer full) a deep copy of `e`. */
WlJobExtra *wl_job_extra_copy (const WlJobExtra *e);
/* Frees `e` and everything it owns; NULL is a no-op. */
void        wl_job_extra_free (WlJobExtra *e);
/* TRUE if `a` and `b` hold the same values (NULL equals NULL only). */
gboolean    wl_job_extra_equal (const WlJobExtra *a, const WlJobExtra *b);

/* Parses a Slurm dependency list: terms "type:job[:job...]" separated by ',' (all must
 * hold) or by '?' (any one suffices), not both; types as WlDepType names them; a job is
 * "123" or an array task "123_4"; only "after" takes a delay "+minutes" per job;
 * "singleton" takes no job.  Appends one WlDependency per job (and one for singleton) to
 * `out` (a GArray of WlDependency) and sets *any.  Returns FALSE with `error` set
 * (WL_ERROR_MALFORMED, "expected type:jobid[:jobid...] terms ..., got ...") otherwise;
 * `out` is then unchanged. */
gboolean wl_parse_dependency (const char *s, GArray *out, gboolean *any, GError **error);

/* The indices of a job array. */
typedef struct {
  guint8  bits[(WL_ARRAY_MAX_INDEX + 8) / 8];   /* bit i: index i is a task */
  guint32 n_tasks;
  guint32 max_index;
  guint32 throttle;    /* "%N", 0 = none */
} WlArraySpec;

/* Parses sbatch --array syntax: comma-separated "N", "N-M" or "N-M:S" items (0 <= N <= M
 * <= WL_ARRAY_MAX_INDEX, S >= 1; repeated indices count once), then optionally "%T" with T
 * >= 1.  Returns FALSE with `error` set (WL_ERROR_MALFORMED) otherwise. */
gboolean wl_parse_array (const char *s, WlArraySpec *out, GError **error);

/* The first task index above `after` (pass -1 for the first), or -1 when there is none. */
gint     wl_array_spec_next (const WlArraySpec *a, gint after);

/* Checks a Slurm constraint expression (sbatch --constraint) with the core's parser
 * (sched_constraint_check, which has the grammar): feature names (letters, digits and
 * _ - . : / + = @) joined by '&' (and) or '|' (or), each optionally counted "name*N";
 * parentheses group and may be counted "(a&b)*2"; one level of brackets "[a|b]" or
 * "[a*2&b*4]" asks all nodes to match one alternative.  Returns FALSE with `error` set
 * (WL_ERROR_MALFORMED, "bad constraint \"...\": expected ... at position N", from 1)
 * otherwise. */
gboolean wl_check_constraint (const char *s, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (WlJobExtra, wl_job_extra_free)

G_END_DECLS
