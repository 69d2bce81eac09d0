/* SPDX-License-Identifier: MIT */
/* sim/preempt.c - preemption in the simulator: Slurm's preempt/partition_prio and
 * preempt/qos in their simple form, driven from outside the core through its public API
 * (semantics in sim/engine.h).
 *
 * Who may preempt whom is decided per class of job: its partition (partition_prio) or its
 * QOS (qos; class 0 is "no QOS").  A class's level is its PriorityTier or QOS priority.
 * Class P may preempt class R when
 *  - partition_prio: P's tier is above R's, their partitions share a node and R's
 *    PreemptMode (the partition's, else the global one) is not OFF;
 *  - qos: P's QOS lists R's in its Preempt list (Slurm's preempt_p_preemptable; a job
 *    without QOS neither preempts nor is preempted), and R's PreemptMode (the QOS's, else
 *    the global one: partitions' do not count, as in Slurm's preempt/qos) is not OFF.
 *    When no QOS has a Preempt list at all, sluice falls back to the QOS priority order
 *    (P's priority above R's; no QOS is priority 0), so that QOS files written before
 *    Preempt lists were read keep their meaning.
 *
 * After every scheduling pass, a round looks at the pending jobs the core holds back for
 * resources (reason Resources or Priority; a job held by a limit is not helped by
 * preemption), highest level first, then submit time, then id.  For each such job P:
 *  1. the jobs already signalled are as good as gone: if P fits on what is free plus their
 *     resources, less what the jobs before P in this round claimed, P claims its nodes and
 *     waits for them (no new preemption);
 *  2. else the candidates are the running jobs of a class P may preempt, not signalled,
 *     not exempt (PreemptExemptTime: the QOS's, else the cluster's), on a node of P's
 *     partition; ordered lowest level first, then most recently started (Slurm's order),
 *     then job id;
 *  3. if P does not fit even with every candidate gone, nothing happens; else candidates
 *     are taken in order until P fits, and then every one taken but the last is given back
 *     when P still fits without it, from the last taken backwards (Slurm's cons_tres does
 *     the same: a minimal set that prefers the youngest jobs);
 *  4. the chosen jobs are signalled: each ends at now + its GraceTime (its partition's with
 *     partition_prio, its QOS's with qos; else SimOptions.preempt_grace) and a job whose
 *     own end comes first just ends; P claims its nodes.
 * At the end of its grace a killed job is requeued or cancelled (CANCELLED, recorded as
 * preempted), by its PreemptMode at the time it was signalled.  A requeued job is ended in
 * the core and kept out of it until the job it made room for has started (so that, ahead
 * of it in queue order, it cannot take the room back and be preempted again, forever); it
 * then goes back with its original submit time and will run its whole run time again.
 * The pending job starts through the normal pass.  Everything is decided in a fixed
 * order, so it is deterministic.
 *
 * Cost.  Runs without preemption never get here: with preempt/none, or when no class may
 * preempt another, e->preempt is NULL or inactive.  Otherwise the round keeps, per class,
 * the jobs pending and running in the core (updated in O(1) per submission, start and end,
 * plus O(related classes) when a count leaves or reaches 0), and from them the number of
 * (pending class, running class) pairs where the first may preempt the second.  While that
 * number is 0 (no pending job could preempt any running job: the common case) a round is
 * O(jobs started in the pass).  Otherwise it walks the jobs in the system, looking up only
 * those of a class in such a pair, plus O(candidates x nodes) per pending job it tries. */
#include "sim/engine-private.h"

#include <string.h>

/* Classes beyond this many get no relation matrix (it is n^2 bytes) and no counts: every
 * round then walks the jobs in the system.  (Partitions and QOS are tens in practice.) */
#define MAX_CLASSES 4096

struct _SimPreempt {
  SimPreemptType  type;
  SimPreemptMode  mode;         /* global, resolved (never DEFAULT) */
  SchedTime       grace;        /* default grace time */
  SchedTime       exempt;       /* cluster PreemptExemptTime */
  guint32         n_parts;
  SimPreemptMode *part_mode;    /* as set (DEFAULT: the global one) */
  SchedTime      *part_grace;   /* as set (< 0: the default) */
  gboolean        active;       /* some job can ever preempt another */
  gboolean        force_walk;   /* tests: no counts, every round walks (the reference) */
  gboolean        lists;        /* qos: Preempt lists decide (else the priority order) */
  SchedTime       wake_at;      /* the pass queued for an exemption's end, or NEVER */
  const SchedLimits *limits;    /* (transfer none) the core's, or NULL */
  /* classes */
  guint32         n_classes;
  guint32        *level;        /* [class] tier or QOS priority */
  guint8         *can;          /* [p * n + r]: class p may preempt class r; NULL past
                                 * MAX_CLASSES (then computed, and nothing is counted) */
  GPtrArray      *victims;      /* [class] -> GArray of guint32: classes it may preempt */
  GPtrArray      *preemptors;   /* [class] -> GArray of guint32: classes that may preempt it */
  guint64        *pend;         /* [class] pending jobs in the core */
  guint64        *run;          /* [class] running jobs */
  guint32        *victims_live; /* [class] victim classes with running jobs */
  guint32        *preemptors_live; /* [class] preemptor classes with pending jobs */
  guint64         pairs;        /* sum of victims_live over classes with pending jobs */
  /* scratch, reused across rounds */
  GArray         *pend_e;       /* Entry */
  GArray         *run_e;        /* Entry */
  GArray         *cands;        /* Entry */
  GArray         *gone;         /* SchedJobId: signalled, then + chosen */
  GArray         *held;         /* SchedAlloc claimed by pending jobs this round */
  GArray         *exempt_e;     /* Exempt: exempt running jobs met in the walk */
  guint8         *hot;          /* [class] pending jobs collected this round */
  guint8         *run_hot;      /* [class] candidates collected this round */
  GArray         *signalled;    /* Signalled: jobs signalled, and requeued ones held out */
};

/* A signalled job and the pending job it makes room for (each valid while its serial
 * matches).  A requeued job stays out of the core (`out`) until that job has started. */
typedef struct {
  SimJob        *job;
  guint64        serial;
  SimJob        *for_job;
  guint64        for_serial;
  gboolean       out;
  SimPreemptMode mode;   /* what happens to it at the end of its grace time */
} Signalled;

typedef struct {
  SimJob   *job;
  guint32   level;
  guint32   cls;
  gint32    part;
  SchedTime start;
  SchedTime submit;
  SchedJobId id;
} Entry;

typedef struct {
  guint32   cls;
  SchedTime end;        /* when its exemption ends */
} Exempt;

/* ---- names ---- */

static const char *const type_names[] = { "none", "partition_prio", "qos" };
static const char *const mode_names[] = { "default", "off", "cancel", "requeue" };

gboolean
sim_preempt_type_from_name (const char *name, SimPreemptType *out)
{
  g_return_val_if_fail (name != NULL && out != NULL, FALSE);
  if (g_ascii_strncasecmp (name, "preempt/", 8) == 0)
    name += 8;
  for (guint i = 0; i < G_N_ELEMENTS (type_names); i++)
    if (g_ascii_strcasecmp (name, type_names[i]) == 0)
      {
        *out = (SimPreemptType) i;
        return TRUE;
      }
  return FALSE;
}

const char *
sim_preempt_type_name (SimPreemptType type)
{
  return (guint) type < G_N_ELEMENTS (type_names) ? type_names[type] : "?";
}

gboolean
sim_preempt_mode_from_string (const char *value, SimPreemptMode *out, gboolean *suspend)
{
  g_return_val_if_fail (value != NULL && out != NULL, FALSE);
  if (suspend)
    *suspend = FALSE;
  g_auto (GStrv) parts = g_strsplit (value, ",", -1);
  gboolean have = FALSE;
  SimPreemptMode mode = SIM_PREEMPT_MODE_DEFAULT;
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *w = g_strstrip (parts[i]);
      if (g_ascii_strcasecmp (w, "GANG") == 0 || g_ascii_strcasecmp (w, "WITHIN") == 0)
        continue;
      if (have)
        return FALSE;
      have = TRUE;
      if (g_ascii_strcasecmp (w, "OFF") == 0)
        mode = SIM_PREEMPT_MODE_OFF;
      else if (g_ascii_strcasecmp (w, "CANCEL") == 0)
        mode = SIM_PREEMPT_MODE_CANCEL;
      else if (g_ascii_strcasecmp (w, "REQUEUE") == 0)
        mode = SIM_PREEMPT_MODE_REQUEUE;
      else if (g_ascii_strcasecmp (w, "SUSPEND") == 0)
        {
          mode = SIM_PREEMPT_MODE_OFF;
          if (suspend)
            *suspend = TRUE;
        }
      else
        return FALSE;
    }
  if (!have)
    return FALSE;
  *out = mode;
  return TRUE;
}

const char *
sim_preempt_mode_name (SimPreemptMode mode)
{
  return (guint) mode < G_N_ELEMENTS (mode_names) ? mode_names[mode] : "?";
}

/* ---- setup ---- */

static void
id_array_free (gpointer a)
{
  if (a != NULL)
    g_array_unref (a);
}

void
sim__preempt_init (SimEngine *e)
{
  SimPreempt *p = g_new0 (SimPreempt, 1);
  p->type = e->opts.preempt;
  p->n_parts = sched_cluster_n_partitions (e->cluster);
  p->part_mode = g_new0 (SimPreemptMode, p->n_parts);
  p->part_grace = g_new (SchedTime, p->n_parts);
  for (guint32 i = 0; i < p->n_parts; i++)
    p->part_grace[i] = -1;
  p->victims = g_ptr_array_new_with_free_func (id_array_free);
  p->preemptors = g_ptr_array_new_with_free_func (id_array_free);
  p->pend_e = g_array_new (FALSE, FALSE, sizeof (Entry));
  p->run_e = g_array_new (FALSE, FALSE, sizeof (Entry));
  p->cands = g_array_new (FALSE, FALSE, sizeof (Entry));
  p->gone = g_array_new (FALSE, FALSE, sizeof (SchedJobId));
  p->held = g_array_new (FALSE, FALSE, sizeof (SchedAlloc));
  g_array_set_clear_func (p->held, (GDestroyNotify) sched_alloc_clear);
  p->exempt_e = g_array_new (FALSE, FALSE, sizeof (Exempt));
  p->signalled = g_array_new (FALSE, FALSE, sizeof (Signalled));
  e->preempt = p;
}

static void
classes_clear (SimPreempt *p)
{
  g_clear_pointer (&p->level, g_free);
  g_clear_pointer (&p->can, g_free);
  g_ptr_array_set_size (p->victims, 0);
  g_ptr_array_set_size (p->preemptors, 0);
  g_clear_pointer (&p->pend, g_free);
  g_clear_pointer (&p->run, g_free);
  g_clear_pointer (&p->victims_live, g_free);
  g_clear_pointer (&p->preemptors_live, g_free);
  g_clear_pointer (&p->hot, g_free);
  g_clear_pointer (&p->run_hot, g_free);
  p->n_classes = 0;
  p->pairs = 0;
}

void
sim__preempt_clear (SimEngine *e)
{
  SimPreempt *p = e->preempt;
  if (p == NULL)
    return;
  classes_clear (p);
  g_free (p->part_mode);
  g_free (p->part_grace);
  g_ptr_array_free (p->victims, TRUE);
  g_ptr_array_free (p->preemptors, TRUE);
  g_array_free (p->pend_e, TRUE);
  g_array_free (p->run_e, TRUE);
  g_array_free (p->cands, TRUE);
  g_array_free (p->gone, TRUE);
  g_array_free (p->held, TRUE);
  g_array_free (p->exempt_e, TRUE);
  g_array_free (p->signalled, TRUE);
  g_free (p);
  e->preempt = NULL;
}

void
sim__preempt_set_partition (SimEngine *e, gint32 part, SimPreemptMode mode, SchedTime grace)
{
  SimPreempt *p = e->preempt;
  if (p == NULL)
    return;
  g_return_if_fail (part >= 0 && (guint32) part < p->n_parts);
  p->part_mode[part] = mode;
  p->part_grace[part] = grace;
}

/* The QOS of class `cls` (qos), NULL for class 0 or without limits. */
static const SchedQosLimits *
class_qos (const SimPreempt *p, guint32 cls)
{
  return p->limits && cls != 0 ? sched_limits_get_qos (p->limits, cls) : NULL;
}

/* The PreemptMode of the jobs of class `cls`. */
static SimPreemptMode
class_mode (const SimPreempt *p, guint32 cls)
{
  if (p->type == SIM_PREEMPT_PARTITION_PRIO)
    {
      SimPreemptMode m = p->part_mode[cls];
      return m == SIM_PREEMPT_MODE_DEFAULT ? p->mode : m;
    }
  const SchedQosLimits *q = class_qos (p, cls);
  switch (q ? q->preempt_mode : SCHED_QOS_PREEMPT_CLUSTER)
    {
    case SCHED_QOS_PREEMPT_OFF: return SIM_PREEMPT_MODE_OFF;
    case SCHED_QOS_PREEMPT_CANCEL: return SIM_PREEMPT_MODE_CANCEL;
    case SCHED_QOS_PREEMPT_REQUEUE: return SIM_PREEMPT_MODE_REQUEUE;
    case SCHED_QOS_PREEMPT_CLUSTER:
    default: return p->mode;
    }
}

/* The GraceTime of the jobs of class `cls`. */
static SchedTime
class_grace (const SimPreempt *p, guint32 cls)
{
  if (p->type == SIM_PREEMPT_PARTITION_PRIO)
    return p->part_grace[cls] >= 0 ? p->part_grace[cls] : p->grace;
  const SchedQosLimits *q = class_qos (p, cls);
  return q && q->grace_time >= 0 ? q->grace_time : p->grace;
}

/* TRUE when partitions a and b share a node (both node lists are increasing). */
static gboolean
parts_overlap (const SchedCluster *c, gint32 a, gint32 b)
{
  const SchedPartitionSpec *x = sched_cluster_partition (c, a);
  const SchedPartitionSpec *y = sched_cluster_partition (c, b);
  for (guint32 i = 0, j = 0; i < x->n_nodes && j < y->n_nodes;)
    {
      if (x->nodes[i] == y->nodes[j])
        return TRUE;
      if (x->nodes[i] < y->nodes[j])
        i++;
      else
        j++;
    }
  return FALSE;
}

/* TRUE when jobs of class `pc` may preempt jobs of class `rc` (see the top). */
static gboolean
relate (const SimEngine *e, guint32 pc, guint32 rc)
{
  const SimPreempt *p = e->preempt;
  /* (a QOS listing itself preempts nothing: Slurm preempts within a QOS only with
   * PreemptMode=WITHIN, not modeled) */
  if (pc == rc || class_mode (p, rc) == SIM_PREEMPT_MODE_OFF)
    return FALSE;
  if (p->type == SIM_PREEMPT_PARTITION_PRIO)
    return p->level[pc] > p->level[rc] && parts_overlap (e->cluster, (gint32) pc, (gint32) rc);
  if (p->lists)
    return sched_limits_qos_preempts (p->limits, pc, rc);
  return p->level[pc] > p->level[rc];
}

static inline gboolean
may_preempt (const SimEngine *e, guint32 pc, guint32 rc)
{
  const SimPreempt *p = e->preempt;
  return p->can ? p->can[(gsize) pc * p->n_classes + rc] != 0 : relate (e, pc, rc);
}

void
sim__preempt_prepare (SimEngine *e)
{
  SimPreempt *p = e->preempt;
  if (p == NULL)
    return;
  p->mode = e->opts.preempt_mode == SIM_PREEMPT_MODE_DEFAULT ? SIM_PREEMPT_MODE_REQUEUE
                                                            : e->opts.preempt_mode;
  p->grace = MAX (e->opts.preempt_grace, 0);
  p->exempt = MAX (e->opts.preempt_exempt, 0);
  p->limits = sched_core_get_limits (e->core);
  p->wake_at = SCHED_TIME_NEVER;
  classes_clear (p);
  if (p->type == SIM_PREEMPT_PARTITION_PRIO)
    {
      p->n_classes = p->n_parts;
      p->level = g_new (guint32, p->n_classes);
      for (guint32 i = 0; i < p->n_parts; i++)
        p->level[i] = sched_cluster_partition (e->cluster, (gint32) i)->priority_tier;
    }
  else
    {
      /* class 0: no QOS (level 0), then every QOS by id */
      p->n_classes = (p->limits ? sched_limits_n_qos (p->limits) : 0) + 1;
      p->level = g_new0 (guint32, p->n_classes);
      for (guint32 i = 1; i < p->n_classes; i++)
        p->level[i] = sched_limits_get_qos (p->limits, i)->priority;
      p->lists = p->limits && sched_limits_has_preempt_lists (p->limits);
    }
  /* the relation, its adjacency lists both ways, and whether anything relates at all */
  guint32 n = p->n_classes;
  gboolean counted = n <= MAX_CLASSES && !p->force_walk;
  if (counted)
    p->can = g_new0 (guint8, (gsize) n * n);
  g_ptr_array_set_size (p->victims, (gint) n);
  g_ptr_array_set_size (p->preemptors, (gint) n);
  p->active = FALSE;
  for (guint32 pc = 0; pc < n; pc++)
    for (guint32 rc = 0; rc < n; rc++)
      {
        if (pc == rc || !relate (e, pc, rc))
          continue;
        p->active = TRUE;
        if (!counted)
          continue;
        p->can[(gsize) pc * n + rc] = 1;
        if (p->victims->pdata[pc] == NULL)
          p->victims->pdata[pc] = g_array_new (FALSE, FALSE, sizeof (guint32));
        if (p->preemptors->pdata[rc] == NULL)
          p->preemptors->pdata[rc] = g_array_new (FALSE, FALSE, sizeof (guint32));
        g_array_append_val (p->victims->pdata[pc], rc);
        g_array_append_val (p->preemptors->pdata[rc], pc);
      }
  if (counted)
    {
      p->pend = g_new0 (guint64, n);
      p->run = g_new0 (guint64, n);
      p->victims_live = g_new0 (guint32, n);
      p->preemptors_live = g_new0 (guint32, n);
    }
  p->hot = g_new0 (guint8, n);
  p->run_hot = g_new0 (guint8, n);
}

/* ---- counts per class ---- */

void
sim__preempt_force_walk (SimEngine *e)
{
  if (e->preempt)
    e->preempt->force_walk = TRUE;
}

static void
pend_add (SimPreempt *p, guint32 c, int sign)
{
  g_assert (sign > 0 || p->pend[c] > 0);
  if (sign > 0 ? p->pend[c]++ != 0 : --p->pend[c] != 0)
    return;
  /* the class gained its first pending job or lost its last one */
  const GArray *v = p->victims->pdata[c];
  for (guint i = 0; v && i < v->len; i++)
    p->preemptors_live[g_array_index (v, guint32, i)] += sign;
  if (sign > 0)
    p->pairs += p->victims_live[c];
  else
    p->pairs -= p->victims_live[c];
}

static void
run_add (SimPreempt *p, guint32 c, int sign)
{
  g_assert (sign > 0 || p->run[c] > 0);
  if (sign > 0 ? p->run[c]++ != 0 : --p->run[c] != 0)
    return;
  const GArray *pr = p->preemptors->pdata[c];
  for (guint i = 0; pr && i < pr->len; i++)
    {
      guint32 pc = g_array_index (pr, guint32, i);
      p->victims_live[pc] += sign;
      if (p->pend[pc] > 0)
        p->pairs += sign;
    }
}

/* The class of a job the core holds. */
static guint32
class_of (const SimPreempt *p, const SchedJobInfo *info)
{
  return p->type == SIM_PREEMPT_PARTITION_PRIO ? (guint32) info->partition : info->qos;
}

void
sim__preempt_entered (SimEngine *e, SimJob *sj)
{
  SimPreempt *p = e->preempt;
  if (!p->active || p->pend == NULL)
    return;
  SchedJobInfo info;
  gboolean ok = sched_core_job_info (e->core, sj->w.spec.id, &info);
  g_assert (ok);
  sj->pclass = (guint16) class_of (p, &info);
  pend_add (p, sj->pclass, 1);
}

void
sim__preempt_left (SimEngine *e, SimJob *sj)
{
  SimPreempt *p = e->preempt;
  if (p->active && p->pend != NULL)
    run_add (p, sj->pclass, -1);
}

/* ---- the round ---- */

/* Pending: highest level first, then submit time, then id. */
static int
pend_cmp (gconstpointer pa, gconstpointer pb)
{
  const Entry *a = pa, *b = pb;
  if (a->level != b->level)
    return a->level > b->level ? -1 : 1;
  if (a->submit != b->submit)
    return a->submit < b->submit ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

/* Candidates: lowest level first, then the most recently started, then id. */
static int
cand_cmp (gconstpointer pa, gconstpointer pb)
{
  const Entry *a = pa, *b = pb;
  if (a->level != b->level)
    return a->level < b->level ? -1 : 1;
  if (a->start != b->start)
    return a->start > b->start ? -1 : 1;
  return (a->id > b->id) - (a->id < b->id);
}

static int
id_cmp (gconstpointer pa, gconstpointer pb)
{
  SchedJobId a = *(const SchedJobId *) pa, b = *(const SchedJobId *) pb;
  return (a > b) - (a < b);
}

/* TRUE if running job `r` has a node of partition `part`. */
static gboolean
touches (const SimEngine *e, SchedJobId r, gint32 part)
{
  SchedJobInfo info;
  if (!sched_core_job_info (e->core, r, &info) || info.alloc == NULL)
    return FALSE;
  const SchedPartitionSpec *ps = sched_cluster_partition (e->cluster, part);
  for (guint32 k = 0; k < info.alloc->n_nodes; k++)
    {
      guint32 node = info.alloc->nodes[k].node;
      /* ps->nodes is increasing */
      guint32 lo = 0, hi = ps->n_nodes;
      while (lo < hi)
        {
          guint32 mid = lo + (hi - lo) / 2;
          if (ps->nodes[mid] < node)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo < ps->n_nodes && ps->nodes[lo] == node)
        return TRUE;
    }
  return FALSE;
}

static gboolean
fits (SimEngine *e, const Entry *pj, GArray *gone, SchedAlloc *alloc)
{
  SimPreempt *p = e->preempt;
  return sched_core_fits_if_freed (e->core, pj->id, (const SchedJobId *) gone->data,
                                   gone->len, (const SchedAlloc *) p->held->data,
                                   p->held->len, alloc);
}

/* Signals running job `c` at `now`, for pending job `for_job`. */
static void
signal_job (SimEngine *e, const Entry *c, SimJob *for_job, SchedTime now)
{
  SimPreempt *p = e->preempt;
  SimJob *sj = c->job;
  Signalled sg = { sj, sj->serial, for_job, for_job->serial, FALSE, class_mode (p, c->cls) };
  g_array_append_val (p->signalled, sg);
  SchedTime limit = sj->w.spec.time_limit, run = sj->w.runtime;
  SchedTime natural = sj->start + (run > limit ? limit : run);
  SchedTime kill = now + class_grace (p, c->cls);
  if (natural <= kill)
    {
      sj->preempt = SIM_PREEMPT_SIGNALLED;   /* its own end comes first */
      return;
    }
  sj->preempt = SIM_PREEMPT_KILLED;
  sj->end_seq = sim__push (e, kill, EV_COMPLETION, sj);   /* the old event goes stale */
  e->stats.preemptions++;
}

/* TRUE when some candidate of the round is of a class `pj` may preempt. */
static gboolean
has_victims (const SimEngine *e, const Entry *pj)
{
  const SimPreempt *p = e->preempt;
  if (p->can != NULL)
    {
      const GArray *v = p->victims->pdata[pj->cls];
      for (guint i = 0; v && i < v->len; i++)
        if (p->run_hot[g_array_index (v, guint32, i)])
          return TRUE;
      return FALSE;
    }
  for (guint i = 0; i < p->run_e->len; i++)
    if (may_preempt (e, pj->cls, g_array_index (p->run_e, Entry, i).cls))
      return TRUE;
  return FALSE;
}

/* Tries to make room for pending job `pj`; claims its nodes in p->held when it fits
 * (now or once the signalled jobs are gone).  A job with no candidate of a class it may
 * preempt takes no part. */
static void
try_job (SimEngine *e, const Entry *pj, SchedTime now)
{
  SimPreempt *p = e->preempt;
  if (!has_victims (e, pj))
    return;
  SchedAlloc alloc = { 0 };
  guint base = p->gone->len;
  if (fits (e, pj, p->gone, &alloc))
    {
      g_array_append_val (p->held, alloc);
      return;
    }
  g_array_set_size (p->cands, 0);
  for (guint i = 0; i < p->run_e->len; i++)
    {
      const Entry *r = &g_array_index (p->run_e, Entry, i);
      if (may_preempt (e, pj->cls, r->cls) && r->job->preempt == SIM_PREEMPT_RUNNING
          && touches (e, r->id, pj->part))
        g_array_append_val (p->cands, *r);
    }
  if (p->cands->len == 0)
    return;
  g_array_sort (p->cands, cand_cmp);
  for (guint i = 0; i < p->cands->len; i++)
    g_array_append_val (p->gone, g_array_index (p->cands, Entry, i).id);
  gboolean ok = fits (e, pj, p->gone, NULL);
  g_array_set_size (p->gone, base);
  if (!ok)
    return;
  /* take candidates in order until it fits */
  guint taken = 0;
  while (taken < p->cands->len)
    {
      g_array_append_val (p->gone, g_array_index (p->cands, Entry, taken).id);
      taken++;
      if (fits (e, pj, p->gone, NULL))
        break;
    }
  /* give back what is not needed, from the last taken backwards (the last one is needed:
   * freeing less never fits better) */
  for (gint i = (gint) taken - 2; i >= 0; i--)
    {
      guint at = base + (guint) i;
      SchedJobId id = g_array_index (p->gone, SchedJobId, at);
      g_array_remove_index (p->gone, at);
      if (!fits (e, pj, p->gone, NULL))
        g_array_insert_val (p->gone, at, id);
    }
  gboolean got = fits (e, pj, p->gone, &alloc);
  g_assert (got);
  g_array_append_val (p->held, alloc);
  for (guint i = base; i < p->gone->len; i++)
    {
      SchedJobId id = g_array_index (p->gone, SchedJobId, i);
      for (guint k = 0; k < p->cands->len; k++)
        {
          const Entry *c = &g_array_index (p->cands, Entry, k);
          if (c->id == id)
            signal_job (e, c, pj->job, now);
        }
    }
}

/* Puts back in the core the requeued jobs whose pending job has started (or left);
 * queues a pass at `now` for them. */
static void
release_held_out (SimEngine *e, SchedTime now)
{
  SimPreempt *p = e->preempt;
  gboolean any = FALSE;
  for (guint i = 0; i < p->signalled->len;)
    {
      Signalled *sg = &g_array_index (p->signalled, Signalled, i);
      if (!sg->out || (sg->for_job->serial == sg->for_serial
                       && sg->for_job->start == SCHED_TIME_NEVER))
        {
          i++;
          continue;
        }
      SimJob *sj = sg->job;
      g_array_remove_index (p->signalled, i);   /* (keeps the order) */
      SchedReason why;
      gboolean ok = sched_core_submit_tagged (e->core, now, &sj->w.spec, sj, &why);
      g_assert (ok);   /* the core took it before */
      sim__preempt_entered (e, sj);
      any = TRUE;
    }
  if (any)
    sim__push (e, now, EV_PASS, NULL);
}

/* Whether class `rc`'s running jobs interest this round: some class with pending jobs
 * may preempt them.  Without counts, every class does. */
static inline gboolean
wanted_running (const SimPreempt *p, guint32 rc)
{
  return p->preemptors_live == NULL || p->preemptors_live[rc] > 0;
}

static inline gboolean
wanted_pending (const SimPreempt *p, guint32 pc)
{
  return p->victims_live == NULL || p->victims_live[pc] > 0;
}

/* Collects the round's pending jobs (p->pend_e), candidates (p->run_e), the signalled
 * jobs (p->gone) and the exempt running jobs (p->exempt_e). */
static void
walk (SimEngine *e, SchedTime now)
{
  SimPreempt *p = e->preempt;
  for (SimJob *sj = e->live; sj != NULL; sj = sj->next)
    {
      if (!sj->in_core)
        continue;
      gboolean pending = sj->start == SCHED_TIME_NEVER;
      /* the class filter first: it costs no look-up */
      if (p->pend != NULL && sj->preempt == SIM_PREEMPT_RUNNING
          && !(pending ? wanted_pending (p, sj->pclass) : wanted_running (p, sj->pclass)))
        continue;
      SchedJobInfo info;
      if (!sched_core_job_info (e->core, sj->w.spec.id, &info))
        continue;   /* requeued, held out of the core */
      guint32 cls = class_of (p, &info);
      Entry en = { sj, p->level[cls], cls, info.partition, info.start, info.submit,
                   sj->w.spec.id };
      if (info.state == SCHED_JOB_PENDING)
        {
          if ((info.reason != SCHED_REASON_RESOURCES && info.reason != SCHED_REASON_PRIORITY)
              || !wanted_pending (p, cls))
            continue;
          g_array_append_val (p->pend_e, en);
          p->hot[cls] = 1;
        }
      else if (sj->preempt != SIM_PREEMPT_RUNNING)
        g_array_append_val (p->gone, en.id);
      else if (!wanted_running (p, cls))
        continue;
      else
        {
          SchedTime exempt = p->limits ? sched_limits_preempt_exempt (p->limits, info.qos,
                                                                     info.partition, p->exempt)
                                       : p->exempt;
          if (now - info.start >= exempt)
            {
              g_array_append_val (p->run_e, en);
              p->run_hot[cls] = 1;
            }
          else
            {
              Exempt x = { cls, info.start + exempt };
              g_array_append_val (p->exempt_e, x);
            }
        }
    }
}

void
sim__preempt_round (SimEngine *e, SchedTime now)
{
  SimPreempt *p = e->preempt;
  if (!p->active)
    return;
  if (p->pend != NULL)
    for (guint i = 0; i < e->started->len; i++)
      {
        SimJob *sj = g_array_index (e->started, SchedStart, i).tag;
        pend_add (p, sj->pclass, -1);
        run_add (p, sj->pclass, 1);
      }
  if (p->signalled->len > 0)
    release_held_out (e, now);
  /* nothing pending may preempt anything running (the common case): done */
  if (p->pend != NULL && p->pairs == 0)
    return;
  g_array_set_size (p->pend_e, 0);
  g_array_set_size (p->run_e, 0);
  g_array_set_size (p->gone, 0);
  g_array_set_size (p->exempt_e, 0);
  walk (e, now);
  /* no event may come when an exemption ends: a pass of its own then, when a job that
   * waits now could preempt that job */
  SchedTime exempt_end = SCHED_TIME_NEVER;
  for (guint i = 0; i < p->exempt_e->len; i++)
    {
      const Exempt *x = &g_array_index (p->exempt_e, Exempt, i);
      if (x->end >= exempt_end)
        continue;
      for (guint32 pc = 0; pc < p->n_classes; pc++)
        if (p->hot[pc] && may_preempt (e, pc, x->cls))
          {
            exempt_end = x->end;
            break;
          }
    }
  if (exempt_end != SCHED_TIME_NEVER && (p->wake_at <= now || exempt_end < p->wake_at))
    {
      p->wake_at = exempt_end;
      sim__push (e, exempt_end, EV_PASS, NULL);
    }
  for (guint i = 0; i < p->pend_e->len; i++)
    p->hot[g_array_index (p->pend_e, Entry, i).cls] = 0;
  if (p->pend_e->len > 0 && p->run_e->len > 0)
    {
      g_array_sort (p->pend_e, pend_cmp);
      g_array_sort (p->gone, id_cmp);   /* (any fixed order: the set is what counts) */
      for (guint i = 0; i < p->pend_e->len; i++)
        try_job (e, &g_array_index (p->pend_e, Entry, i), now);
      g_array_set_size (p->held, 0);
    }
  for (guint i = 0; i < p->run_e->len; i++)
    p->run_hot[g_array_index (p->run_e, Entry, i).cls] = 0;
}

gboolean
sim__preempt_ended (SimEngine *e, SimJob *sj)
{
  SimPreempt *p = e->preempt;
  SimPreemptState st = sj->preempt;
  sj->preempt = SIM_PREEMPT_RUNNING;
  Signalled *sg = NULL;
  guint at = 0;
  for (; at < p->signalled->len; at++)
    {
      sg = &g_array_index (p->signalled, Signalled, at);
      if (sg->job == sj && sg->serial == sj->serial)
        break;
    }
  g_assert (at < p->signalled->len);
  if (st != SIM_PREEMPT_KILLED)
    {
      g_array_remove_index (p->signalled, at);
      return FALSE;   /* it ended on its own within the grace time */
    }
  if (sg->mode == SIM_PREEMPT_MODE_REQUEUE)
    {
      /* out of the core (but in_core for the eligibility layer: it was let in) until the
       * job it made room for has started, so that it cannot take the room back */
      if (e->track)
        sim__elig_requeued (e, sj);
      sj->start = SCHED_TIME_NEVER;
      sj->requeues++;
      sj->cpus = sj->gpus = sj->nodes = 0;
      sj->reason = SCHED_REASON_PRIORITY;
      sg->out = TRUE;
      e->stats.requeued++;
      return TRUE;
    }
  g_array_remove_index (p->signalled, at);
  sj->end_state = SCHED_JOB_CANCELLED;
  sj->preempted = TRUE;
  e->stats.preempt_cancelled++;
  return FALSE;
}
