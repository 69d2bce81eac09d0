/* SPDX-License-Identifier: MIT */
/* sched/constraint.c - the one parser of Slurm feature constraints (grammar in
 * constraint.h): a recursive descent that checks the syntax, says what it expected where
 * it stops, and on request compiles the expression into a postfix program.
 *
 * The program has an op per feature name (push: the node has it), per '&' and '|' between
 * operands (pop two, push their AND or OR) and per further item of the brackets: PICK k
 * (pop two, push the later, item k, when the brackets stand for alternative k, else the
 * earlier) for the matching OR "[a|b]", OR for multiple counts "[a*2&b*4]".  Counts emit
 * nothing.  Each nesting level holds at most two pending values (of its '|' and its '&'),
 * so the evaluation stack is bounded by the nesting limit; evaluating costs O(ops x
 * features) and allocates nothing, which matters because the core evaluates every
 * expression once per node and alternative. */
#include "sched/constraint-private.h"

#include <string.h>

#define MAX_NESTING 32                      /* parentheses, as constraint.h says */
#define MAX_STACK   (2 * MAX_NESTING + 8)   /* two values a level, brackets, the last */

typedef enum {
  CP_NAME,   /* push: the node has the name at [a, a + b) of the expression */
  CP_AND,    /* pop two, push both */
  CP_OR,     /* pop two, push either */
  CP_PICK,   /* pop two, push the later if the brackets stand for alternative b */
} CPKind;

typedef struct {
  guint32 kind;   /* CPKind */
  guint32 a, b;
} CPOp;

typedef struct {
  const char           *s;          /* the expression */
  const char           *p;          /* the next character */
  SchedConstraintSyntax err;        /* the first error (VALID until one) */
  GArray               *ops;        /* the program (CPOp); NULL when only checking */
  guint32               sp;         /* the program's stack depth after its last op */
  guint32               n_alts;     /* alternatives of the brackets; 1 without */
  gboolean              bracket;    /* brackets met at the outer level */
  gboolean              or_seen;    /* a '|' met at the outer level */
} CParse;

static const char *const expected[SCHED_CONSTRAINT_N] = {
  [SCHED_CONSTRAINT_VALID] = "nothing more",
  [SCHED_CONSTRAINT_WANT_NAME] = "a feature name",
  [SCHED_CONSTRAINT_WANT_COUNT] = "a count above 0 after '*'",
  [SCHED_CONSTRAINT_WANT_CLOSE_PAREN] = "')'",
  [SCHED_CONSTRAINT_WANT_CLOSE_BRACKET] = "']'",
  [SCHED_CONSTRAINT_WANT_END] = "'&', '|' or the end",
  [SCHED_CONSTRAINT_TOO_DEEP] = "less nesting",
  [SCHED_CONSTRAINT_BRACKET_INNER] = "brackets [...] only at the outer level",
  [SCHED_CONSTRAINT_BRACKET_TWICE] = "one set of brackets [...] at most",
  [SCHED_CONSTRAINT_BRACKET_AFTER_OR] = "brackets [...] joined to the rest by '&' only",
  [SCHED_CONSTRAINT_OR_AFTER_BRACKET] = "'&' after brackets [...]",
  [SCHED_CONSTRAINT_BRACKET_MIXED] = ("inside brackets, uncounted alternatives joined by "
                                      "'|' (\"[a|b]\") or counted features joined by '&' "
                                      "(\"[a*2&b*4]\")"),
  [SCHED_CONSTRAINT_BRACKET_UNCOUNTED] = ("a count on every feature joined by '&' inside "
                                          "brackets"),
  [SCHED_CONSTRAINT_BRACKET_COUNTED] = "no count after ']'",
};

const char *
sched_constraint_syntax_expected (SchedConstraintSyntax syntax)
{
  g_return_val_if_fail ((guint) syntax < SCHED_CONSTRAINT_N, "?");
  return expected[syntax];
}

/* ---- parsing ---- */

/* Records the error `what` at the current position; returns FALSE. */
static gboolean
fail (CParse *c, SchedConstraintSyntax what)
{
  c->err = what;
  return FALSE;
}

static gboolean
name_char (char ch)
{
  return ch != '\0' && (g_ascii_isalnum (ch) || strchr ("_-.:/+=@", ch) != NULL);
}

/* Appends an op to the program, if one is being compiled. */
static void
emit (CParse *c, CPKind kind, guint32 a, guint32 b)
{
  if (c->ops == NULL)
    return;
  CPOp op = { kind, a, b };
  g_array_append_val (c->ops, op);
  c->sp = kind == CP_NAME ? c->sp + 1 : c->sp - 1;
  g_assert (c->sp >= 1 && c->sp <= MAX_STACK);
}

static gboolean parse_expr (CParse *c, guint depth);

/* An optional count "*N" (1 to 12 digits, above 0); *counted (if not NULL) says whether
 * there was one.  A missing or overlong number is reported at its start, a zero after it. */
static gboolean
parse_count (CParse *c, gboolean *counted)
{
  if (counted != NULL)
    *counted = *c->p == '*';
  if (*c->p != '*')
    return TRUE;
  c->p++;
  const char *q = c->p;
  guint64 n = 0;
  while (g_ascii_isdigit (*q) && q - c->p < 12)
    n = n * 10 + (guint64) (*q++ - '0');
  if (q == c->p || g_ascii_isdigit (*q))
    return fail (c, SCHED_CONSTRAINT_WANT_COUNT);
  c->p = q;
  return n > 0 || fail (c, SCHED_CONSTRAINT_WANT_COUNT);
}

/* A feature name or a parenthesized expression, with an optional count. */
static gboolean
parse_item (CParse *c, guint depth, gboolean *counted)
{
  if (depth > MAX_NESTING)
    return fail (c, SCHED_CONSTRAINT_TOO_DEEP);
  if (*c->p == '(')
    {
      c->p++;
      if (!parse_expr (c, depth + 1))
        return FALSE;
      if (*c->p != ')')
        return fail (c, SCHED_CONSTRAINT_WANT_CLOSE_PAREN);
      c->p++;
      return parse_count (c, counted);
    }
  if (*c->p == '[')
    return fail (c, SCHED_CONSTRAINT_BRACKET_INNER);
  if (!name_char (*c->p))
    return fail (c, SCHED_CONSTRAINT_WANT_NAME);
  const char *start = c->p;
  while (name_char (*c->p))
    c->p++;
  emit (c, CP_NAME, (guint32) (start - c->s), (guint32) (c->p - start));
  return parse_count (c, counted);
}

/* Slurm's bracketed forms: the matching OR "[a|b|(c&d)]" (uncounted alternatives), or
 * multiple counts "[a*2&b*4]" (every item counted); no count after ']'.  The items are
 * read to ']' before their mix is judged. */
static gboolean
parse_bracket (CParse *c, guint depth)
{
  c->p++;
  gboolean any_or = FALSE, any_and = FALSE, all_counted = TRUE, any_counted = FALSE;
  guint32 n = 0;
  char sep = 0;
  for (;;)
    {
      gboolean counted = FALSE;
      if (!parse_item (c, depth + 1, &counted))
        return FALSE;
      if (n > 0)
        emit (c, sep == '|' ? CP_PICK : CP_OR, 0, n);
      n++;
      all_counted = all_counted && counted;
      any_counted = any_counted || counted;
      if (*c->p == '|')
        any_or = TRUE;
      else if (*c->p == '&')
        any_and = TRUE;
      else
        break;
      sep = *c->p++;
    }
  if (*c->p != ']')
    return fail (c, SCHED_CONSTRAINT_WANT_CLOSE_BRACKET);
  if (any_or && (any_and || any_counted))
    return fail (c, SCHED_CONSTRAINT_BRACKET_MIXED);
  if (any_and && !all_counted)
    return fail (c, SCHED_CONSTRAINT_BRACKET_UNCOUNTED);
  c->p++;
  if (*c->p == '*')
    return fail (c, SCHED_CONSTRAINT_BRACKET_COUNTED);
  c->n_alts = any_counted ? 1 : n;   /* a matching OR has an alternative per item */
  return TRUE;
}

/* An item, or at the outer level the one set of brackets, not after a '|'. */
static gboolean
parse_factor (CParse *c, guint depth)
{
  if (*c->p != '[' || depth > 0)
    return parse_item (c, depth, NULL);
  if (c->bracket)
    return fail (c, SCHED_CONSTRAINT_BRACKET_TWICE);
  if (c->or_seen)
    return fail (c, SCHED_CONSTRAINT_BRACKET_AFTER_OR);
  c->bracket = TRUE;
  return parse_bracket (c, depth);
}

/* factor ('&' factor)* */
static gboolean
parse_term (CParse *c, guint depth)
{
  if (!parse_factor (c, depth))
    return FALSE;
  while (*c->p == '&')
    {
      c->p++;
      if (!parse_factor (c, depth))
        return FALSE;
      emit (c, CP_AND, 0, 0);
    }
  return TRUE;
}

/* term ('|' term)*; at the outer level no '|' follows the brackets (Slurm's matching OR
 * applies to the whole job: "intel&[rack1|rack2]", not "[b|c]|a"). */
static gboolean
parse_expr (CParse *c, guint depth)
{
  if (!parse_term (c, depth))
    return FALSE;
  while (*c->p == '|')
    {
      if (depth == 0)
        {
          if (c->bracket)
            return fail (c, SCHED_CONSTRAINT_OR_AFTER_BRACKET);
          c->or_seen = TRUE;
        }
      c->p++;
      if (!parse_term (c, depth))
        return FALSE;
      emit (c, CP_OR, 0, 0);
    }
  return TRUE;
}

/* The whole expression `c->s`; FALSE with c->err and c->p at the error otherwise. */
static gboolean
parse (CParse *c)
{
  c->p = c->s;
  c->n_alts = 1;
  if (!parse_expr (c, 0))
    return FALSE;
  return *c->p == '\0' || fail (c, SCHED_CONSTRAINT_WANT_END);
}

SchedConstraintSyntax
sched_constraint_check (const char *expr, gsize *pos)
{
  g_return_val_if_fail (expr != NULL, SCHED_CONSTRAINT_WANT_NAME);
  CParse c = { .s = expr };
  parse (&c);
  if (pos != NULL)
    *pos = (gsize) (c.p - c.s);
  return c.err;
}

/* ---- compiled programs ---- */

gboolean
sched__constraint_prog_init (SchedConstraintProg *prog, const char *expr)
{
  g_return_val_if_fail (prog != NULL && expr != NULL, FALSE);
  CParse c = { .s = expr, .ops = g_array_new (FALSE, FALSE, sizeof (CPOp)) };
  gboolean ok = parse (&c);
  prog->expr = expr;
  prog->n_alts = ok ? c.n_alts : 1;
  prog->ops = c.ops;
  if (!ok)
    g_array_set_size (prog->ops, 0);
  return ok;
}

static gboolean
has_feature (const char *const *features, const char *name, gsize len)
{
  for (const char *const *f = features; f != NULL && *f != NULL; f++)
    if (strlen (*f) == len && strncmp (*f, name, len) == 0)
      return TRUE;
  return FALSE;
}

gboolean
sched__constraint_prog_eval (const SchedConstraintProg *prog, const char *const *features,
                             guint32 alt)
{
  g_return_val_if_fail (prog != NULL && prog->ops != NULL && prog->ops->len > 0, FALSE);
  guint8 stack[MAX_STACK];
  guint sp = 0;
  for (guint i = 0; i < prog->ops->len; i++)
    {
      const CPOp *op = &g_array_index (prog->ops, CPOp, i);
      if (op->kind == CP_NAME)
        {
          stack[sp++] = has_feature (features, prog->expr + op->a, op->b);
          continue;
        }
      sp--;
      if (op->kind == CP_AND)
        stack[sp - 1] = stack[sp - 1] && stack[sp];
      else if (op->kind == CP_OR)
        stack[sp - 1] = stack[sp - 1] || stack[sp];
      else if (op->b == alt)   /* CP_PICK */
        stack[sp - 1] = stack[sp];
    }
  g_assert (sp == 1);
  return stack[0];
}

void
sched__constraint_prog_clear (SchedConstraintProg *prog)
{
  g_return_if_fail (prog != NULL);
  if (prog->ops != NULL)
    g_array_free (prog->ops, TRUE);
  prog->ops = NULL;
  prog->expr = NULL;
  prog->n_alts = 1;
}
