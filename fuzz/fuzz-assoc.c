/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-assoc.c - libFuzzer harness for association files (workloads/assoc.h):
 * `sacctmgr show assoc -P` dumps and the simple account/user format.
 *
 * The input is one file, parsed twice into a SchedPriority that already holds an account
 * and a user: once with Fair Tree and any cluster, once with classic fair-share and only
 * cluster "c1".  Checks what the header promises: a failed parse leaves the tree as it
 * was; a successful one leaves a valid tree (sched__priority_check) whose every
 * association the look-up finds, and whose fair-share factors, after some usage and an
 * update, are within [0, 1]. */
#include <math.h>
#include "fuzz/fuzz-common.h"
#include "sched/priority.h"
#include "workloads/assoc.h"

static void
exercise (SchedPriority *p)
{
  guint n = sched_priority_n_assocs (p);
  for (SchedAssocId id = 0; id < n; id++)
    sched_priority_charge (p, 0, id, 10.0 * id);
  sched_priority_update (p, 3600);
  sched__priority_check (p);

  guint found = 0;
  for (SchedAssocId id = 0; id < n + 2; id++)
    {
      SchedAssocInfo info;
      if (!sched_priority_assoc_info (p, id, &info))
        continue;
      found++;
      g_assert (info.name != NULL);
      SchedAssocId back = info.is_user
        ? sched_priority_lookup_user (p, info.name, info.account)
        : sched_priority_lookup_account (p, info.name);
      g_assert_cmpuint (back, ==, id);
      if (!(info.fairshare >= 0 && info.fairshare <= 1))
        g_error ("association %u (%s): fair-share factor %g", id, info.name, info.fairshare);
    }
  g_assert_cmpuint (found, ==, n);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  for (guint which = 0; which < 2; which++)
    {
      SchedPriorityParams params;
      sched_priority_params_init (&params);
      params.fairshare = which == 0 ? SCHED_FAIRSHARE_FAIR_TREE : SCHED_FAIRSHARE_CLASSIC;
      params.weight_fairshare = 1000;
      g_autoptr (SchedPriority) p = sched_priority_new (&params);
      g_assert (sched_priority_add_account (p, "base", NULL, 2) != SCHED_ASSOC_NONE);
      g_assert (sched_priority_add_user (p, "u", "base", 1) != SCHED_ASSOC_NONE);
      guint n_assocs = sched_priority_n_assocs (p), n_users = sched_priority_n_users (p);

      WlAssocOptions opts = { which == 0 ? NULL : "c1" };
      g_autoptr (GError) error = NULL;
      if (!wl_assoc_parse ((const char *) data, (gssize) size, "fuzz.assoc", &opts, p,
                           &error))
        {
          g_assert (error != NULL);
          g_assert_cmpuint (sched_priority_n_assocs (p), ==, n_assocs);
          g_assert_cmpuint (sched_priority_n_users (p), ==, n_users);
          sched__priority_check (p);
          continue;
        }
      g_assert_no_error (error);
      exercise (p);
    }
  return 0;
}
