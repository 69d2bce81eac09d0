/* SPDX-License-Identifier: MIT */
/* sched/priority.h - Slurm's priority/multifactor: a job's priority from its age, fair-share,
 * job size, partition and QOS factors, with decayed usage over an association tree and the
 * Fair Tree or the classic fair-share algorithm.
 *
 * Pure like the rest of sched/: no clock, no I/O, no randomness; every entry point that
 * moves time takes `now` (SchedTime seconds), and times must never go backwards.  The
 * object owns an association tree, the decayed usage of every association and the
 * fair-share factors computed at the last sched_priority_update.
 *
 * Associations.  The tree is Slurm's: "root", accounts under it (each with a parent account
 * and raw `shares`, sacctmgr's Fairshare=), and users attached to accounts with their own
 * shares.  A user in two accounts is two associations.  Shares may be
 * SCHED_PRIORITY_SHARES_PARENT (Fairshare=parent): a user uses its account's fair-share; an
 * account's children are "reparented for fairshare calculations to the first parent of
 * their parent that is not Fairshare=parent" (sacctmgr(1)).  Associations have small
 * integer ids (SchedAssocId, root is 0) that jobs carry; names are interned.  Every
 * association is created once and never removed, and a parent always exists before its
 * children, so ids are in topological order.
 *
 * Jobs of unknown users or accounts (sched_priority_resolve): an unknown account is created
 * as a child of root with 1 share; an unknown user gets an association with 1 share in the
 * requested account, or, when no account is given, in its default account (the first one it
 * was added to) or, for a user never seen, in the account SCHED_PRIORITY_DEFAULT_ACCOUNT
 * ("default", a child of root with 1 share, created on first use).  Trace users are numbers:
 * sched_priority_resolve_uid names user 17 "17", so an association file can name them.
 *
 * Usage.  Each association's raw usage is CPU-seconds (or any billing unit) decayed with
 * the half-life h: a unit used at time t counts 2^(-(now - t)/h) at `now`.  Running jobs
 * are charged continuously and exactly: the driver reports each job's start and end
 * (sched_priority_job_start/_end with its CPUs), which change the association's usage rate
 * r; over an interval of length dt at constant r,
 *     U(t + dt) = U(t) 2^(-dt/h) + r h/ln 2 (1 - 2^(-dt/h))
 * (the integral of r 2^(-(t+dt-s)/h) over s in [t, t+dt]); with h = 0 (no decay)
 * U(t + dt) = U(t) + r dt.  Usage and rates are kept on the association and all its
 * ancestors, so root holds the cluster's total; each association is brought up to date
 * lazily (O(depth) per start/end, O(associations) per update).  Slurm instead charges
 * every PriorityCalcPeriod with a per-second factor 1 - 0.693/h raised to the elapsed
 * seconds; this is the limit of its scheme as the period goes to 0, with exact decay.
 *
 * Usage reset (PriorityUsageResetPeriod).  With no calendar in the core, periods are
 * boundaries of the UTC calendar shifted by params.reset_offset seconds (the site's offset
 * east of UTC, e.g. 3600 for CET in winter; 0 by default): DAILY at 00:00, WEEKLY at
 * Sunday 00:00, MONTHLY on the 1st at 00:00, QUARTERLY on Jan/Apr/Jul/Oct 1st, YEARLY on
 * Jan 1st.  Traces whose times start at 0 are read as starting 1970-01-01 (a Thursday).
 * When a boundary passes, every usage is set to 0 there and running jobs charge from the
 * boundary on.  NOW (Slurm: clear the saved usage once at start) is the same as NONE for a
 * new object, which has no usage until charged.
 *
 * Fair-share (sched_priority_update computes it for every association):
 *  - CLASSIC (PriorityFlags=NO_FAIR_TREE; Slurm's classic_fair_share.html): normalized
 *    shares S = product over the association and its ancestors (below root) of
 *    shares / shares of itself and its siblings; normalized usage U_N = U / U_root (0 when
 *    the cluster has no usage, at most 1); effective usage U_E = U_N for children of root,
 *    else U_E = U_N + (U_E,parent - U_N) shares / shares_all_siblings (the parent's U_E if
 *    the siblings have no shares); F = 2^(-U_E / S / d) with d the
 *    FairShareDampeningFactor, and F = 0 when S = 0.  Fairshare=parent associations take
 *    their parent's S and U_E.
 *  - FAIR_TREE (the default since Slurm 19.05; fair_tree.html): level fair-share
 *    LF = S / U with S = shares / shares of itself and its siblings and U = U_raw / U_raw of
 *    its parent (LF = 0 when S = 0, +inf when U = 0 < S; Fairshare=parent users +inf).
 *    Siblings are sorted by LF, highest first, users before accounts at equal LF; a
 *    depth-first walk ranks users from n_users down: F = rank / n_users.  Sibling users with
 *    equal LF share a rank; sibling accounts with equal LF have their children merged
 *    before sorting; a user with the same LF as a sibling account shares its rank with that
 *    account's highest ranked user.  Remaining ties on association id (deterministic).
 * "Siblings" are the children of the same parent in the fair-share tree (users and
 * accounts together, Fairshare=parent ones not counted), as in Slurm's level_shares.
 *
 * Factors, each in [0, 1] (priority_multifactor.html; set_priority_factors in Slurm's
 * priority_multifactor.c):
 *   age        min(now - eligible, max_age) / max_age (1 when max_age is 0; 0 before
 *              `eligible` or without one)
 *   fair-share the job's association's F at the last update (0 without an association)
 *   job size   CPUs / total CPUs; when the job's node count and the cluster's node count
 *              are both known, Slurm's mean (nodes / total nodes + CPUs / total CPUs) / 2;
 *              with favor_small, 1 minus that; with size_relative
 *              (SMALL_RELATIVE_TO_TIME), max(CPUs, nodes x CPUs per node) / time limit in
 *              minutes / total CPUs (1 minus that with favor_small)
 *   partition  the partition's PriorityJobFactor / the largest one
 *   QOS        the QOS priority / the largest one
 * and the priority is Slurm's: sum of weight x factor (in that order, as doubles) minus
 * nice, at least 1, at most 2^32 - 1, truncated to an integer.
 *
 * Costs: resolve and the tree builders are O(1) hash look-ups; start/end/charge O(depth);
 * update O(associations log associations) for Fair Tree (a sort per level), O(associations)
 * for classic; sched_priority_job O(1).  Fair Tree's ranking recurses once per level of
 * the tree (a few hundred bytes of stack each): keep trees to a sane depth (workloads/assoc
 * refuses deeper than 1000). */
#pragma once
#include <glib.h>
#include "sched/types.h"

G_BEGIN_DECLS

/* An association: index in the tree, root = 0. */
typedef guint32 SchedAssocId;
#define SCHED_ASSOC_ROOT 0u
#define SCHED_ASSOC_NONE G_MAXUINT32

/* Fairshare=parent. */
#define SCHED_PRIORITY_SHARES_PARENT G_MAXUINT32

/* Where jobs of users never added go when they name no account. */
#define SCHED_PRIORITY_DEFAULT_ACCOUNT "default"

typedef enum {
  SCHED_FAIRSHARE_FAIR_TREE = 0,  /* Slurm >= 19.05 default */
  SCHED_FAIRSHARE_CLASSIC,        /* PriorityFlags=NO_FAIR_TREE */
} SchedFairshare;

/* PriorityUsageResetPeriod. */
typedef enum {
  SCHED_PRIORITY_RESET_NONE = 0,
  SCHED_PRIORITY_RESET_NOW,
  SCHED_PRIORITY_RESET_DAILY,
  SCHED_PRIORITY_RESET_WEEKLY,
  SCHED_PRIORITY_RESET_MONTHLY,
  SCHED_PRIORITY_RESET_QUARTERLY,
  SCHED_PRIORITY_RESET_YEARLY,
} SchedPriorityReset;

/* Configuration (slurm.conf names).  sched_priority_params_init sets Slurm's defaults. */
typedef struct {
  guint32            weight_age;        /* PriorityWeightAge, 0 */
  guint32            weight_fairshare;  /* PriorityWeightFairshare, 0 */
  guint32            weight_job_size;   /* PriorityWeightJobSize, 0 */
  guint32            weight_partition;  /* PriorityWeightPartition, 0 */
  guint32            weight_qos;        /* PriorityWeightQOS, 0 */
  SchedTime          max_age;           /* PriorityMaxAge, 7 days (604800 s) */
  SchedTime          decay_half_life;   /* PriorityDecayHalfLife, 7 days; 0 = no decay */
  SchedPriorityReset usage_reset;       /* PriorityUsageResetPeriod, NONE */
  SchedTime          reset_offset;      /* the reset calendar's offset east of UTC in
                                         * seconds, within +-1 day; 0 */
  SchedFairshare     fairshare;         /* FAIR_TREE */
  guint32            dampening;         /* FairShareDampeningFactor (classic), 1 */
  gboolean           favor_small;       /* PriorityFavorSmall, FALSE */
  gboolean           size_relative;     /* PriorityFlags=SMALL_RELATIVE_TO_TIME, FALSE */
  guint64            total_cpus;        /* the cluster's CPUs, for the job size factor */
  guint32            total_nodes;       /* the cluster's nodes; 0 = job size from CPUs only */
  guint32            partition_factor_max; /* largest partition PriorityJobFactor; 0 = the
                                            * partition factor is 0 */
  guint32            qos_priority_max;  /* largest QOS priority; 0 = the QOS factor is 0 */
} SchedPriorityParams;

void sched_priority_params_init (SchedPriorityParams *params);

/* Applies a PriorityFlags value (comma-separated, case-insensitive, NULL or "" = none):
 * NO_FAIR_TREE (classic), FAIR_TREE (Fair Tree, the flag of Slurm 14.11-18.08) and
 * SMALL_RELATIVE_TO_TIME.  Returns FALSE at the first other flag, with *unsupported set to
 * (transfer full) its name when `unsupported` is not NULL; `params` may then be partly
 * changed. */
gboolean sched_priority_params_set_flags (SchedPriorityParams *params, const char *flags,
                                          char **unsupported);

/* Parses a PriorityUsageResetPeriod value (NONE NOW DAILY WEEKLY MONTHLY QUARTERLY YEARLY,
 * case-insensitive).  Returns FALSE for anything else, leaving *out unchanged. */
gboolean sched_priority_reset_from_name (const char *name, SchedPriorityReset *out);

/* The latest reset boundary at or before `t` (see the file comment), or G_MININT64 for
 * NONE and NOW. */
SchedTime sched_priority_reset_before (SchedPriorityReset period, SchedTime offset,
                                       SchedTime t);

typedef struct _SchedPriority SchedPriority;   /* opaque */

/* Returns (transfer full) an object with an association tree of root alone.  `params` is
 * copied.  Invalid params (dampening 0, negative times, reset_offset beyond a day) are a
 * programming error: NULL. */
SchedPriority *sched_priority_new  (const SchedPriorityParams *params);
void           sched_priority_free (SchedPriority *p);             /* NULL is a no-op */

/* (transfer none) the parameters, valid as long as `p`. */
const SchedPriorityParams *sched_priority_get_params (const SchedPriority *p);

/* Sets the partition and QOS factor denominators (the largest PriorityJobFactor of the
 * cluster's partitions, the largest QOS priority) that sched_priority_new took from
 * params; the core calls it with its cluster's and limits' maxima. */
void sched_priority_set_factor_max (SchedPriority *p, guint32 partition_factor_max,
                                    guint32 qos_priority_max);

/* ---- the association tree ---- */

/* Adds account `name` under `parent` (NULL, "" or "root": under root) with `shares` raw
 * shares (or SCHED_PRIORITY_SHARES_PARENT).  "root" itself is the root: adding it returns
 * SCHED_ASSOC_ROOT (its shares are not used).  Adding an existing account with the same
 * parent sets its shares.  Returns the account's id, or SCHED_ASSOC_NONE (nothing changed)
 * when the parent is unknown or the account exists under another parent. */
SchedAssocId sched_priority_add_account (SchedPriority *p, const char *name,
                                         const char *parent, guint32 shares);

/* Adds user `user` to account `account` ("" or "root": root) with `shares`.  The first
 * account a user is added to is its default account.  Adding an existing association sets
 * its shares.  Returns its id, or SCHED_ASSOC_NONE (nothing changed) for an unknown
 * account. */
SchedAssocId sched_priority_add_user (SchedPriority *p, const char *user, const char *account,
                                      guint32 shares);

/* The association a job of `user` charging `account` (NULL or "": the user's default)
 * uses, created as the file comment says when missing.  Never SCHED_ASSOC_NONE. */
SchedAssocId sched_priority_resolve (SchedPriority *p, const char *user, const char *account);
/* As sched_priority_resolve for the user named by `uid` in decimal. */
SchedAssocId sched_priority_resolve_uid (SchedPriority *p, guint32 uid, const char *account);

/* Look-ups without creating anything; SCHED_ASSOC_NONE when missing.  `account` NULL in
 * lookup_user: the user's default association. */
SchedAssocId sched_priority_lookup_account (const SchedPriority *p, const char *name);
SchedAssocId sched_priority_lookup_user (const SchedPriority *p, const char *user,
                                         const char *account);

guint sched_priority_n_assocs (const SchedPriority *p);   /* root included */
/* The parent of association `id` (SCHED_ASSOC_NONE for root or an unknown id), O(1). */
SchedAssocId sched_priority_assoc_parent (const SchedPriority *p, SchedAssocId id);
guint sched_priority_n_users (const SchedPriority *p);    /* user associations */

/* What sshare -l shows of one association, as of the last sched_priority_update (usage)
 * and that update's fair-share computation. */
typedef struct {
  const char  *name;         /* account or user name, (transfer none) valid as long as p */
  const char  *account;      /* a user's account; an account's parent (NULL for root) */
  gboolean     is_user;
  SchedAssocId parent;       /* SCHED_ASSOC_NONE for root */
  guint32      shares_raw;   /* or SCHED_PRIORITY_SHARES_PARENT */
  double       shares_norm;  /* classic: share of the machine; Fair Tree: of its level */
  double       usage_raw;    /* decayed usage (CPU-seconds) */
  double       usage_norm;   /* usage_raw / root's usage_raw */
  double       usage_efctv;  /* classic: effective usage; Fair Tree: U_raw / parent U_raw */
  double       level_fs;     /* Fair Tree: S / U (+inf without usage); NAN otherwise */
  double       fairshare;    /* the fair-share factor (Fair Tree: users only, else 0) */
} SchedAssocInfo;

/* Fills `out` for association `id`.  Returns FALSE (out untouched) for an unknown id. */
gboolean sched_priority_assoc_info (const SchedPriority *p, SchedAssocId id,
                                    SchedAssocInfo *out);

/* ---- usage ---- */

/* A job of association `assoc` started at `now` on `cpus` CPUs (billing units > 0): its
 * usage accrues from now until the matching sched_priority_job_end. */
void sched_priority_job_start (SchedPriority *p, SchedTime now, SchedAssocId assoc,
                               double cpus);
/* The job started with the same `assoc` and `cpus` ended at `now`.  Ending more than was
 * started is a programming error. */
void sched_priority_job_end   (SchedPriority *p, SchedTime now, SchedAssocId assoc,
                               double cpus);
/* Adds `usage` CPU-seconds (>= 0) to `assoc` and its ancestors at `now` (past usage, e.g.
 * from accounting, or a job charged in one piece). */
void sched_priority_charge    (SchedPriority *p, SchedTime now, SchedAssocId assoc,
                               double usage);

/* Brings every usage to `now` and recomputes the fair-share factors (Slurm's decay thread,
 * every PriorityCalcPeriod).  Call it after changing the tree; associations added since the
 * last update have fair-share 0 until then. */
void sched_priority_update (SchedPriority *p, SchedTime now);

/* ---- job priority ---- */

/* What the caller knows of a pending job. */
typedef struct {
  SchedAssocId assoc;             /* from sched_priority_resolve; NONE: fair-share 0 */
  SchedTime    eligible;          /* when it became eligible (submit, begin time);
                                   * SCHED_TIME_NEVER: not yet (age 0) */
  guint64      cpus;              /* CPUs requested */
  guint32      nodes;             /* nodes requested; 0 = unknown */
  SchedTime    time_limit;        /* seconds, rounded up to minutes (size_relative only;
                                   * <= 0: 1 minute) */
  guint32      partition_factor;  /* its partition's PriorityJobFactor */
  guint32      qos_priority;      /* its QOS's priority */
  gint32       nice;              /* subtracted from the sum */
} SchedPriorityJob;

/* Initializes `job` to: no association, not eligible, 1 CPU, everything else 0. */
void sched_priority_job_init (SchedPriorityJob *job);

/* The normalized factors of one job (sprio -n), and the sum before clamping. */
typedef struct {
  double age;
  double fairshare;
  double job_size;
  double partition;
  double qos;
  double sum;        /* sum of weight x factor, minus nice */
} SchedPriorityFactors;

/* Returns the job's priority at `now` (age from `now`, fair-share from the last update) and
 * fills `factors` when not NULL. */
guint32 sched_priority_job (const SchedPriority *p, SchedTime now, const SchedPriorityJob *job,
                            SchedPriorityFactors *factors);

/* Library-internal, for tests: asserts the tree's invariants (ids in topological order,
 * name tables, an account's usage rate at least its children's). */
void sched__priority_check (const SchedPriority *p);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SchedPriority, sched_priority_free)

G_END_DECLS
