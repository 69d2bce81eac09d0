/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-batsim.c - libFuzzer harness for the Batsim workload reader
 * (workloads/batsim.h).
 *
 * The input is a Batsim workload document.  It is read to the end under the two option
 * configurations of fuzz-reader-opts.h, checking each job, the submit order and the counts;
 * wl_batsim_looks_like is asked about it as the format guesser would. */
#include "fuzz/fuzz-reader-opts.h"
#include "workloads/batsim.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *copy = fuzz_memdup (data, size);
  (void) wl_batsim_looks_like (copy, size);

  for (guint which = 0; which < 2; which++)
    {
      WlReaderOptions opts;
      fuzz_reader_options (&opts, which, NULL);
      g_autoptr (GInputStream) in = fuzz_stream (data, size);
      g_autoptr (GError) error = NULL;
      WlReader *r = wl_batsim_reader_new (in, "fuzz.json", &opts, &error);
      if (r == NULL)
        {
          g_assert (error != NULL);
          continue;
        }
      fuzz_drain_reader (r, TRUE, NULL, NULL);
    }
  return 0;
}
