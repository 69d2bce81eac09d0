/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-common.c - helpers of the libFuzzer harnesses (fuzz-common.h).
 *
 * LLVMFuzzerInitialize lives here so that every harness makes GLib criticals and warnings
 * fatal: a g_return_if_fail reached from input bytes is a bug the fuzzer should report,
 * not a line on stderr. */
#include <string.h>
#include "fuzz/fuzz-common.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc;
  (void) argv;
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

void
fuzz_warn_quiet (const char *message, gpointer user_data)
{
  (void) user_data;
  /* Touch every byte, so that ASan checks the message is a live C string. */
  volatile size_t n = strlen (message);
  (void) n;
}

char *
fuzz_strndup (const uint8_t *data, size_t size)
{
  char *s = g_malloc (size + 1);
  if (size > 0)
    memcpy (s, data, size);
  s[size] = '\0';
  return s;
}

char *
fuzz_memdup (const uint8_t *data, size_t size)
{
  /* g_malloc (0) returns NULL; the parsers may still look at s[0] when len is 0, which
   * would then be a NULL read: give them a real (empty) block instead. */
  char *s = g_malloc (size > 0 ? size : 1);
  if (size > 0)
    memcpy (s, data, size);
  return s;
}

GInputStream *
fuzz_stream (const uint8_t *data, size_t size)
{
  return g_memory_input_stream_new_from_data (data, (gssize) size, NULL);
}

void
fuzz_check_job (const WlJob *job)
{
  const SchedJobSpec *s = &job->spec;
  if (s->time_limit <= 0 || s->tasks < 1 || s->cpus_per_task < 1 || job->runtime < 0
      || (s->max_nodes != 0 && s->min_nodes > s->max_nodes)
      || !sched_job_state_is_final (job->end_state))
    g_error ("bad job from a reader: id %" G_GUINT64_FORMAT " line %" G_GUINT64_FORMAT
             ": time_limit %" G_GINT64_FORMAT " tasks %u cpus_per_task %u runtime %"
             G_GINT64_FORMAT " nodes %u..%u state %d",
             (guint64) s->id, job->line, (gint64) s->time_limit, s->tasks, s->cpus_per_task,
             (gint64) job->runtime, s->min_nodes, s->max_nodes, (int) job->end_state);
}

gboolean
fuzz_drain_reader (WlReader *r, gboolean sorted, FuzzJobFunc func, gpointer user_data)
{
  guint64 n = 0;
  SchedTime last_submit = G_MININT64;
  gboolean eof = FALSE;
  g_autoptr (GError) error = NULL;

  while (TRUE)
    {
      WlJob job;
      memset (&job, 0, sizeof job);
      if (!wl_reader_next (r, &job, &eof, &error))
        {
          g_assert (error != NULL);
          break;
        }
      g_assert (error == NULL);
      if (eof)
        break;
      fuzz_check_job (&job);
      if (sorted && job.spec.submit < last_submit)
        g_error ("job %" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT ") submitted at %"
                 G_GINT64_FORMAT ", before the previous job's %" G_GINT64_FORMAT,
                 (guint64) job.spec.id, job.line, (gint64) job.spec.submit,
                 (gint64) last_submit);
      last_submit = job.spec.submit;
      if (func != NULL)
        func (&job, user_data);
      n++;
    }

  if (eof)
    {
      const WlCounts *c = wl_reader_get_counts (r);
      guint64 skipped = 0;
      for (guint i = 0; i < WL_SKIP_N; i++)
        skipped += c->skipped[i];
      if (c->read != c->kept + skipped || c->kept != n)
        g_error ("counts: read %" G_GUINT64_FORMAT " != kept %" G_GUINT64_FORMAT
                 " + skipped %" G_GUINT64_FORMAT ", or kept != %" G_GUINT64_FORMAT
                 " jobs passed on", c->read, c->kept, skipped, n);
    }
  wl_reader_free (r);
  return eof;
}
