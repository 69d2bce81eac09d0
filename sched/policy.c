/* SPDX-License-Identifier: MIT */
/* sched/policy.c - the table of policies, chosen by name. */
#include "sched/core-private.h"

#include <string.h>

static const SchedPolicyOps backfill_ops = {
  .name = "backfill",
  .description = "backfill engine with a reservation depth",
  .pass = sched__backfill_pass,
};

typedef struct {
  const char *name;
  const char *description;
  SchedPolicy policy;
} PolicyRow;

static const PolicyRow policy_table[] = {
  { "fcfs", "first come first served: strict queue order, no backfill",
    { &backfill_ops, 0, FALSE, SCHED_ORDER_SUBMIT } },
  { "easy", "EASY backfilling: the first blocked job holds a reservation",
    { &backfill_ops, 1, TRUE, SCHED_ORDER_SUBMIT } },
  { "conservative", "conservative backfilling: every queued job holds a reservation",
    { &backfill_ops, SCHED_DEPTH_UNLIMITED, TRUE, SCHED_ORDER_SUBMIT } },
};

static const char *const policy_names[] = { "fcfs", "easy", "conservative", NULL };

gboolean
sched_policy_lookup (const char *name, SchedPolicy *policy)
{
  g_return_val_if_fail (name != NULL && policy != NULL, FALSE);
  for (gsize i = 0; i < G_N_ELEMENTS (policy_table); i++)
    if (strcmp (policy_table[i].name, name) == 0)
      {
        *policy = policy_table[i].policy;
        return TRUE;
      }
  return FALSE;
}

const char *const *
sched_policy_names (void)
{
  return policy_names;
}
