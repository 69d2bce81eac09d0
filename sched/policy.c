/* SPDX-License-Identifier: MIT */
/* sched/policy.c - the table of policies, chosen by name. */
#include "sched/core-private.h"

#include <string.h>

static const SchedPolicyOps slurm_ops = {
  .name = "slurm",
  .description = "Slurm's main scheduler on events and sched/backfill every bf_interval",
  .pass = sched__slurm_pass,
};

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

#define SLURM_DEFAULTS { 30, 86400, 60, 500, 0, FALSE, 60, 100 }

static const PolicyRow policy_table[] = {
  { "fcfs", "first come first served: strict queue order, no backfill",
    { &backfill_ops, 0, FALSE, SCHED_ORDER_SUBMIT, SLURM_DEFAULTS } },
  { "easy", "EASY backfilling: the first blocked job holds a reservation",
    { &backfill_ops, 1, TRUE, SCHED_ORDER_SUBMIT, SLURM_DEFAULTS } },
  { "conservative", "conservative backfilling: every queued job holds a reservation",
    { &backfill_ops, SCHED_DEPTH_UNLIMITED, TRUE, SCHED_ORDER_SUBMIT, SLURM_DEFAULTS } },
  { "slurm", "Slurm: main scheduler on events, backfill every bf_interval within bf_window",
    { &slurm_ops, SCHED_DEPTH_UNLIMITED, TRUE, SCHED_ORDER_SUBMIT, SLURM_DEFAULTS } },
};

static const char *const policy_names[] = { "fcfs", "easy", "conservative", "slurm", NULL };

const SchedPolicyOps *
sched_policy_ops_slurm (void)
{
  return &slurm_ops;
}

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

/* Parses a non-negative decimal integer; FALSE on anything else. */
static gboolean
parse_count (const char *v, guint64 max, guint64 *out)
{
  if (v == NULL || *v == '\0')
    return FALSE;
  guint64 acc = 0;
  for (const char *p = v; *p; p++)
    {
      if (*p < '0' || *p > '9')
        return FALSE;
      acc = acc * 10 + (guint64) (*p - '0');
      if (acc > max)
        return FALSE;
    }
  *out = acc;
  return TRUE;
}

SchedParamResult
sched_policy_set_param (SchedPolicy *policy, const char *key, const char *value)
{
  g_return_val_if_fail (policy != NULL && key != NULL, SCHED_PARAM_BAD_VALUE);
  SchedSlurmParams *sp = &policy->slurm;
  guint64 v = 0;
  if (g_ascii_strcasecmp (key, "bf_continue") == 0)
    {
      if (value != NULL)
        return SCHED_PARAM_BAD_VALUE;
      sp->bf_continue = TRUE;
      return SCHED_PARAM_OK;
    }
  static const struct {
    const char *key;
    guint64 min, max;
  } num[] = {
    { "bf_interval", 1, 10800 },      { "bf_window", 1, 43200 },
    { "bf_resolution", 1, 3600 },     { "bf_max_job_test", 1, 1000000 },
    { "bf_max_job_user", 0, 1000000 }, { "sched_interval", 0, 86400 },
    { "default_queue_depth", 0, 1000000 },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (num); i++)
    {
      if (g_ascii_strcasecmp (key, num[i].key) != 0)
        continue;
      if (!parse_count (value, num[i].max, &v) || v < num[i].min)
        return SCHED_PARAM_BAD_VALUE;
      switch (i)
        {
        case 0: sp->bf_interval = (SchedTime) v; break;
        case 1: sp->bf_window = (SchedTime) v * 60; break; /* minutes in slurm.conf */
        case 2: sp->bf_resolution = (SchedTime) v; break;
        case 3: sp->bf_max_job_test = (guint32) v; break;
        case 4: sp->bf_max_job_user = (guint32) v; break;
        case 5: sp->sched_interval = (SchedTime) v; break;
        case 6: sp->default_queue_depth = (guint32) v; break;
        default: g_assert_not_reached ();
        }
      return SCHED_PARAM_OK;
    }
  return SCHED_PARAM_UNKNOWN;
}
