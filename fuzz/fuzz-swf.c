/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-swf.c - libFuzzer harness for the SWF reader and writer (workloads/swf.h).
 *
 * The input is an SWF file.  It is read to the end (or the first error) twice: with the
 * default options, and strict with requested sizes first and zero run times kept.  When
 * the default pass reaches the end, its header and jobs are written back with the SWF
 * writer, and that output must read back, without a skipped line, to the same jobs: what
 * the writer writes, the reader reads. */
#include <string.h>
#include "fuzz/fuzz-common.h"
#include "workloads/swf.h"

typedef struct {
  GOutputStream *out;    /* the SWF writer's output (first pass) */
  GArray        *jobs;   /* WlJob: the first pass's jobs */
  guint          next;   /* the second pass: index of the job it should see next */
} Pass;

static void
write_job (const WlJob *job, gpointer user_data)
{
  Pass *p = user_data;
  g_autoptr (GError) error = NULL;
  if (!wl_swf_write_job (p->out, job, &error))
    g_error ("wl_swf_write_job: %s", error->message);
  g_array_append_vals (p->jobs, job, 1);
}

static void
check_same_job (const WlJob *job, gpointer user_data)
{
  Pass *p = user_data;
  g_assert (p->next < p->jobs->len);
  const WlJob *a = &g_array_index (p->jobs, WlJob, p->next++);
  if (a->spec.id != job->spec.id || a->spec.submit != job->spec.submit
      || a->runtime != job->runtime || a->spec.time_limit != job->spec.time_limit
      || sched_job_spec_cpus (&a->spec) != sched_job_spec_cpus (&job->spec)
      || a->spec.user != job->spec.user || a->spec.group != job->spec.group
      || a->end_state != job->end_state)
    g_error ("SWF round trip: job %u (line %" G_GUINT64_FORMAT ") read back as job %u "
             "(line %" G_GUINT64_FORMAT ") differs", a->spec.id, a->line, job->spec.id,
             job->line);
}

static WlReader *
open_swf (const uint8_t *data, size_t size, const WlSwfOptions *opts)
{
  g_autoptr (GInputStream) in = fuzz_stream (data, size);
  g_autoptr (GError) error = NULL;
  WlReader *r = wl_swf_reader_new (in, "fuzz.swf", opts, &error);
  g_assert ((r == NULL) == (error != NULL));
  return r;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  WlSwfOptions opts;
  wl_swf_options_init (&opts);
  opts.warn_func = fuzz_warn_quiet;

  /* Default options, and the round trip through the writer. */
  WlReader *r = open_swf (data, size, &opts);
  if (r != NULL)
    {
      g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr (GArray) jobs = g_array_new (FALSE, FALSE, sizeof (WlJob));
      g_autoptr (GError) error = NULL;
      Pass p = { out, jobs, 0 };
      const GPtrArray *header = wl_reader_get_info (r)->header_lines;
      g_autofree const char **lines = g_new0 (const char *, header->len + 1);
      for (guint i = 0; i < header->len; i++)
        lines[i] = g_ptr_array_index (header, i);
      if (!wl_swf_write_header (out, lines, &error))
        g_error ("wl_swf_write_header: %s", error->message);

      if (fuzz_drain_reader (r, FALSE, write_job, &p))
        {
          GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (out);
          WlSwfOptions again;
          wl_swf_options_init (&again);
          again.warn_func = fuzz_warn_quiet;
          again.keep_zero_runtime = TRUE;
          WlReader *back = open_swf (g_memory_output_stream_get_data (mem),
                                     g_memory_output_stream_get_data_size (mem), &again);
          g_assert (back != NULL);
          if (!fuzz_drain_reader (back, FALSE, check_same_job, &p) || p.next != jobs->len)
            g_error ("SWF round trip: %u jobs written, %u read back", jobs->len, p.next);
        }
    }

  /* Strict, requested size first, zero run times kept. */
  opts.strict = TRUE;
  opts.prefer_requested = TRUE;
  opts.keep_zero_runtime = TRUE;
  r = open_swf (data, size, &opts);
  if (r != NULL)
    fuzz_drain_reader (r, FALSE, NULL, NULL);
  return 0;
}
