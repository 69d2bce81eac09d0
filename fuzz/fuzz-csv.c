/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-csv.c - libFuzzer harness for the CSV trace reader (workloads/csvtrace.h).
 *
 * The input is a CSV trace; when its first line starts with "#map ", the rest of that line
 * is the column map (opts->columns, as `--columns` gives it) and the trace starts on the
 * next line.  Each input is read to the end twice (fuzz-reader-opts.h): with the defaults
 * and the preset the header picks, and with the other options and a preset chosen by the
 * input's length, checking each job, the submit order and the counts. */
#include <string.h>
#include "fuzz/fuzz-reader-opts.h"
#include "workloads/csvtrace.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *columns = NULL;
  if (size >= 5 && memcmp (data, "#map ", 5) == 0)
    {
      const uint8_t *nl = memchr (data, '\n', size);
      size_t line = nl != NULL ? (size_t) (nl - data) : size;
      columns = fuzz_strndup (data + 5, line - 5);
      data += nl != NULL ? line + 1 : size;
      size -= nl != NULL ? line + 1 : size;
    }

  for (guint which = 0; which < 2; which++)
    {
      WlReaderOptions opts;
      fuzz_reader_options (&opts, which, columns);
      WlCsvPreset preset =
        which == 0 ? WL_CSV_AUTO : (WlCsvPreset) (1 + size % (WL_CSV_N_PRESETS - 1));
      g_autoptr (GInputStream) in = fuzz_stream (data, size);
      g_autoptr (GError) error = NULL;
      WlReader *r = wl_csv_reader_new (in, "fuzz.csv", preset, &opts, &error);
      if (r == NULL)
        {
          g_assert (error != NULL);
          continue;
        }
      WlCsvPreset got = wl_csv_reader_get_preset (r);
      g_assert (got != WL_CSV_AUTO && got < WL_CSV_N_PRESETS);
      g_assert (which == 0 || preset == WL_CSV_GENERIC || got == preset);
      fuzz_drain_reader (r, TRUE, NULL, NULL);
    }
  return 0;
}
