/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-sacct.c - libFuzzer harness for the `sacct --parsable2` reader
 * (workloads/sacct.h).
 *
 * The input is a sacct dump.  It is read to the end twice (fuzz-reader-opts.h), checking
 * each job, the submit order and the counts; wl_sacct_header_looks_like is asked about its
 * first line. */
#include <string.h>
#include "fuzz/fuzz-reader-opts.h"
#include "workloads/sacct.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *nl = memchr (data, '\n', size);
  g_autofree char *first = fuzz_memdup (data, nl != NULL ? (size_t) (nl - data) : size);
  (void) wl_sacct_header_looks_like (first, nl != NULL ? (gsize) (nl - data) : size);

  for (guint which = 0; which < 2; which++)
    {
      WlReaderOptions opts;
      fuzz_reader_options (&opts, which, NULL);
      g_autoptr (GInputStream) in = fuzz_stream (data, size);
      g_autoptr (GError) error = NULL;
      WlReader *r = wl_sacct_reader_new (in, "fuzz.sacct", &opts, &error);
      if (r == NULL)
        {
          g_assert (error != NULL);
          continue;
        }
      fuzz_drain_reader (r, TRUE, NULL, NULL);
    }
  return 0;
}
