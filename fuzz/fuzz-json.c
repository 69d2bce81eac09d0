/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-json.c - libFuzzer harness for the JSON workload reader and writer
 * (workloads/jsontrace.h).
 *
 * The input is a JSON trace, read to the end twice (fuzz-reader-opts.h): as a document or
 * bare array ("fuzz.json") with the default options, and as JSON Lines ("fuzz.jsonl")
 * with the other options.  Each job is checked, and so is its extra record (a copy equals
 * it).  When the first pass reaches the end, its jobs are written with wl_json_write_job
 * and must read back to the same jobs, compared as the lines the writer makes of them
 * (sorted, since jobs with equal submit times may come back in another order). */
#include <string.h>
#include "fuzz/fuzz-reader-opts.h"
#include "workloads/jsontrace.h"

typedef struct {
  GOutputStream *out;     /* the JSON Lines writer's output, or NULL */
  GPtrArray     *lines;   /* wl_json_job_to_string of each job (char *) */
} Pass;

static void
see_job (const WlJob *job, gpointer user_data)
{
  Pass *p = user_data;
  if (job->extra != NULL)
    {
      g_autoptr (WlJobExtra) copy = wl_job_extra_copy (job->extra);
      g_assert (wl_job_extra_equal (copy, job->extra));
    }
  g_ptr_array_add (p->lines, wl_json_job_to_string (job));
  if (p->out != NULL)
    {
      g_autoptr (GError) error = NULL;
      if (!wl_json_write_job (p->out, job, &error))
        g_error ("wl_json_write_job: %s", error->message);
    }
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
read_json (const uint8_t *data, size_t size, const char *name, const WlReaderOptions *opts,
           Pass *p)
{
  g_autoptr (GInputStream) in = fuzz_stream (data, size);
  g_autoptr (GError) error = NULL;
  WlReader *r = wl_json_reader_new (in, name, opts, &error);
  if (r == NULL)
    {
      g_assert (error != NULL);
      return FALSE;
    }
  return fuzz_drain_reader (r, TRUE, see_job, p);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  WlReaderOptions opts;
  fuzz_reader_options (&opts, 0, NULL);
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  Pass first = { out, lines };
  if (read_json (data, size, "fuzz.json", &opts, &first))
    {
      GMemoryOutputStream *mem = G_MEMORY_OUTPUT_STREAM (out);
      g_autoptr (GPtrArray) back_lines = g_ptr_array_new_with_free_func (g_free);
      Pass back = { NULL, back_lines };
      if (!read_json (g_memory_output_stream_get_data (mem),
                      g_memory_output_stream_get_data_size (mem), "fuzz.jsonl", &opts, &back))
        g_error ("JSON round trip: the writer's output does not read back");
      g_assert_cmpuint (lines->len, ==, back_lines->len);
      g_ptr_array_sort (lines, compare_strings);
      g_ptr_array_sort (back_lines, compare_strings);
      for (guint i = 0; i < lines->len; i++)
        if (strcmp (g_ptr_array_index (lines, i), g_ptr_array_index (back_lines, i)) != 0)
          g_error ("JSON round trip: %s\nread back as %s",
                   (const char *) g_ptr_array_index (lines, i),
                   (const char *) g_ptr_array_index (back_lines, i));
    }

  fuzz_reader_options (&opts, 1, NULL);
  g_autoptr (GPtrArray) lines2 = g_ptr_array_new_with_free_func (g_free);
  Pass second = { NULL, lines2 };
  read_json (data, size, "fuzz.jsonl", &opts, &second);
  return 0;
}
