/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-jobextra.c - libFuzzer harness for the Slurm job-request syntax of
 * workloads/jobextra.h: dependency lists, array index specs and constraint expressions.
 *
 * The input is one string given to each parser.  Checks: a failed parse leaves its output
 * unchanged, array specs stay within WL_ARRAY_MAX_INDEX and count their tasks right. */
#include <string.h>
#include "fuzz/fuzz-common.h"
#include "workloads/jobextra.h"

static void
check_array (const WlArraySpec *a)
{
  guint32 n = 0;
  gint last = -1;
  for (gint i = wl_array_spec_next (a, -1); i >= 0; i = wl_array_spec_next (a, i))
    {
      g_assert (i > last && i <= WL_ARRAY_MAX_INDEX);
      last = i;
      n++;
    }
  g_assert_cmpuint (n, ==, a->n_tasks);
  g_assert (n == 0 || (guint32) last == a->max_index);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *s = fuzz_strndup (data, size);
  g_autoptr (GError) error = NULL;

  g_autoptr (GArray) deps = g_array_new (FALSE, TRUE, sizeof (WlDependency));
  gboolean any = FALSE;
  if (wl_parse_dependency (s, deps, &any, &error))
    for (guint i = 0; i < deps->len; i++)
      g_assert (g_array_index (deps, WlDependency, i).type < WL_DEP_N);
  else
    g_assert (error != NULL && deps->len == 0);
  g_clear_error (&error);

  WlArraySpec a;
  memset (&a, 0, sizeof a);
  if (wl_parse_array (s, &a, &error))
    check_array (&a);
  else
    g_assert (error != NULL);
  g_clear_error (&error);

  if (!wl_check_constraint (s, &error))
    g_assert (error != NULL);
  return 0;
}
