/* SPDX-License-Identifier: MIT */
/* sched/constraint-private.h - constraint expressions compiled for evaluation over nodes'
 * features (constraint.c), for the core's sched_core_constraint.  Only sched/ and its tests
 * include this. */
#pragma once
#include "sched/constraint.h"

G_BEGIN_DECLS

/* A valid constraint expression as a postfix program over its feature names.  Counts are
 * not in it (read as uncounted), and multiple counts "[a*2&b*4]" read as "a|b": see
 * sched_core_constraint.  Caller-embedded: sched__constraint_prog_init, then _clear. */
typedef struct {
  const char *expr;     /* (transfer none) the text the names point into */
  GArray     *ops;      /* the program (constraint.c's CPOp) */
  guint32     n_alts;   /* alternatives of its matching OR "[a|b]"; 1 without one */
} SchedConstraintProg;

/* Compiles `expr` into `prog`, which borrows `expr` and must not outlive it.  Returns
 * FALSE, and an empty `prog`, if `expr` is malformed (sched_constraint_check). */
gboolean sched__constraint_prog_init  (SchedConstraintProg *prog, const char *expr);

/* Whether a node with `features` (a NULL-terminated list, NULL for none) satisfies the
 * expression, its matching OR standing for its alternative `alt` (below prog->n_alts).
 * O(length of the expression x features). */
gboolean sched__constraint_prog_eval  (const SchedConstraintProg *prog,
                                       const char *const *features, guint32 alt);

/* Frees what `prog` holds; it may be initialized again. */
void     sched__constraint_prog_clear (SchedConstraintProg *prog);

G_END_DECLS
