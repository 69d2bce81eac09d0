/* SPDX-License-Identifier: MIT */
/* sched/constraint.h - the syntax of Slurm feature constraints (sbatch --constraint), for
 * every reader of one: the core compiles them into node sets (sched_core_constraint), the
 * trace readers and the controller refuse a malformed one with a message
 * (wl_check_constraint).
 *
 * The grammar, Slurm's ('&' binds tighter than '|'):
 *   expr    := term ('|' term)*,   term := factor ('&' factor)*,
 *   factor  := NAME ['*' N] | '(' expr ')' ['*' N] | '[' bracket ']',
 *   bracket := item ('|' item)*                   matching OR: one alternative per item
 *            | item '*' N ('&' item '*' N)*        multiple counts,
 *   item    := NAME | '(' expr ')',
 * with names of letters, digits and _ - . : / + = @, and counts N of 1 to 12 digits above
 * 0.  Brackets follow Slurm's rules (slurmctld's _feature_string2list and
 * _valid_feature_list): one set, not inside parentheses, no count after ']'; inside, '|'
 * between uncounted items or '&' between counted ones ("[a&b]" is refused; an alternative
 * of several features is parenthesized, "[(a&b)|c]").  Brackets must be ANDed with the
 * rest: "a|[b|c]" has no meaning Slurm documents and is refused.  Parentheses nest 32
 * deep at most, so hostile input cannot exhaust the stack.  Checking is O(length) and
 * allocates nothing. */
#pragma once
#include <glib.h>

G_BEGIN_DECLS

/* What a constraint expression lacks where it stops being valid (sched_constraint_check). */
typedef enum {
  SCHED_CONSTRAINT_VALID = 0,
  SCHED_CONSTRAINT_WANT_NAME,            /* a feature name */
  SCHED_CONSTRAINT_WANT_COUNT,           /* a count above 0 after '*' */
  SCHED_CONSTRAINT_WANT_CLOSE_PAREN,     /* ')' */
  SCHED_CONSTRAINT_WANT_CLOSE_BRACKET,   /* ']' */
  SCHED_CONSTRAINT_WANT_END,             /* '&', '|' or the end */
  SCHED_CONSTRAINT_TOO_DEEP,             /* parentheses nested more than 32 deep */
  SCHED_CONSTRAINT_BRACKET_INNER,        /* brackets inside parentheses or brackets */
  SCHED_CONSTRAINT_BRACKET_TWICE,        /* a second set of brackets */
  SCHED_CONSTRAINT_BRACKET_AFTER_OR,     /* brackets after a '|': "a|[b|c]" */
  SCHED_CONSTRAINT_OR_AFTER_BRACKET,     /* a '|' after brackets: "[a|b]|c" */
  SCHED_CONSTRAINT_BRACKET_MIXED,        /* '|' with '&' or with counts inside brackets */
  SCHED_CONSTRAINT_BRACKET_UNCOUNTED,    /* an uncounted item joined by '&' in brackets */
  SCHED_CONSTRAINT_BRACKET_COUNTED,      /* a count after ']' */
  SCHED_CONSTRAINT_N
} SchedConstraintSyntax;

/* Checks constraint expression `expr` against the grammar above.  Returns
 * SCHED_CONSTRAINT_VALID, or what was expected where the expression went wrong with *pos
 * set to that byte offset (0 for the first character; strlen (expr) for the end).  "" is
 * malformed (SCHED_CONSTRAINT_WANT_NAME at 0): callers that take "" for "no constraint"
 * say so before checking. */
SchedConstraintSyntax sched_constraint_check (const char *expr, gsize *pos);

/* What `syntax` expected, as words that follow "expected " in a message ("a feature
 * name", "')'", ...).  Returns (transfer none) a static string. */
const char *sched_constraint_syntax_expected (SchedConstraintSyntax syntax);

G_END_DECLS
