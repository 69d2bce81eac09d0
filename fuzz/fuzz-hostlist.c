/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-hostlist.c - libFuzzer harness for Slurm hostlist expressions
 * (workloads/hostlist.h).
 *
 * The input is one expression.  Checks what the header promises between the functions:
 * wl_hostlist_count fails only when expansion fails too, and otherwise gives the
 * expansion's length; a bound below the count is WL_ERROR_UNSUPPORTED;
 * the compressed form expands back to the same hosts; wl_hostlist_ranged is
 * wl_hostlist_compress of the expansion.  The bound is kept small (MAX_HOSTS) so that
 * one input cannot take gigabytes: the default bound is for real clusters, not for
 * 4 KiB names. */
#include <string.h>
#include "fuzz/fuzz-common.h"
#include "workloads/hostlist.h"

#define MAX_HOSTS 4096

static void
check_same_hosts (const char *expr, const GPtrArray *a, const GPtrArray *b)
{
  if (a->len != b->len)
    g_error ("hostlist round trip of \"%s\": %u hosts, then %u", expr, a->len, b->len);
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      g_error ("hostlist round trip of \"%s\": host %u is \"%s\", then \"%s\"", expr, i,
               (const char *) g_ptr_array_index (a, i),
               (const char *) g_ptr_array_index (b, i));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *expr = fuzz_strndup (data, size);
  g_autoptr (GError) count_error = NULL;
  g_autoptr (GError) error = NULL;
  guint64 count = 0;

  gboolean counted = wl_hostlist_count (expr, &count, &count_error);
  g_assert (counted == (count_error == NULL));
  g_autoptr (GPtrArray) hosts = wl_hostlist_expand_max (expr, MAX_HOSTS, &error);

  if (!counted)
    {
      /* Expansion may stop first at a host expression over the bound, before the
       * malformed one: either error will do. */
      g_assert_error (count_error, WL_ERROR, WL_ERROR_MALFORMED);
      g_assert (hosts == NULL && error != NULL && error->domain == WL_ERROR);
      return 0;
    }
  if (count > MAX_HOSTS)
    {
      g_assert (hosts == NULL);
      g_assert_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED);
      return 0;
    }
  if (hosts == NULL)
    g_error ("\"%s\": counted %" G_GUINT64_FORMAT " hosts, but expansion failed: %s", expr,
             count, error->message);
  if (hosts->len != count)
    g_error ("\"%s\": counted %" G_GUINT64_FORMAT " hosts, expanded %u", expr, count,
             hosts->len);

  g_autofree char *compressed =
    wl_hostlist_compress ((const char *const *) hosts->pdata, hosts->len);
  g_autoptr (GPtrArray) again = wl_hostlist_expand_max (compressed, MAX_HOSTS, &error);
  if (again == NULL)
    g_error ("\"%s\" compresses to \"%s\", which does not expand: %s", expr, compressed,
             error->message);
  check_same_hosts (expr, hosts, again);

  g_autofree char *ranged = wl_hostlist_ranged (expr, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ranged, ==, compressed);
  return 0;
}
