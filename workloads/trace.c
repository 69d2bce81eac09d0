/* SPDX-License-Identifier: MIT */
/* workloads/trace.c - the common part of every trace reader: errors, counts, lifecycle.
 *
 * A WlReader is a small vtable (next, finalize) plus what every format shares: the header
 * information, the skip/adjust counters and a name for messages.  Implementations embed
 * WlReader as the first member of their own struct; see the ownership note in trace.h.
 * Dispatch costs one indirect call per record.  wl_open_input is the one place that turns a
 * path into a (possibly decompressing) buffered stream. */
#include "workloads/trace.h"

#include <string.h>

/* Buffer of the stream wl_open_input returns.  Readers that read in larger chunks than this
 * (the SWF reader reads 1 MiB at a time) bypass it; line-oriented readers benefit. */
#define OPEN_BUFFER_SIZE (256 * 1024)

/* wl_error_quark lives in workloads/error.c: parsers that need no streams (slurm.conf,
 * hostlists, job extras) must not pull GIO into the commands. */

static const char *const skip_names[WL_SKIP_N] = {
  [WL_SKIP_MALFORMED] = "malformed",
  [WL_SKIP_NO_RUNTIME] = "no_runtime",
  [WL_SKIP_NO_SIZE] = "no_size",
  [WL_SKIP_TOO_LARGE] = "too_large",
  [WL_SKIP_DUPLICATE_ID] = "duplicate_id",
  [WL_SKIP_REJECTED] = "rejected",
  [WL_SKIP_NOT_STARTED] = "not_started",
  [WL_SKIP_UNFINISHED] = "unfinished",
  [WL_SKIP_ORPHAN_STEP] = "orphan_step",
  [WL_SKIP_UNSUPPORTED] = "unsupported",
  [WL_SKIP_FILTERED] = "filtered",
  [WL_SKIP_OUTSIDE_WINDOW] = "outside_window",
};

static const char *const adjust_names[WL_ADJ_N] = {
  [WL_ADJ_REQTIME_FROM_RUNTIME] = "reqtime_from_runtime",
  [WL_ADJ_SIZE_FROM_REQUESTED] = "size_from_requested",
  [WL_ADJ_SIZE_FROM_ALLOCATED] = "size_from_allocated",
  [WL_ADJ_RUNTIME_ZERO_KEPT] = "runtime_zero_kept",
  [WL_ADJ_CLIPPED] = "clipped",
  [WL_ADJ_SUBMIT_REORDERED] = "submit_reordered",
  [WL_ADJ_REQTIME_SYNTHESIZED] = "reqtime_synthesized",
  [WL_ADJ_GPUS_ROUNDED_UP] = "gpus_rounded_up",
  [WL_ADJ_GPU_FRACTION_ROUNDED] = "gpu_fraction_rounded",
  [WL_ADJ_CPU_FRACTION_ROUNDED] = "cpu_fraction_rounded",
  [WL_ADJ_RUNTIME_FROM_CPUTIME] = "runtime_from_cputime",
  [WL_ADJ_UNFINISHED_KEPT] = "unfinished_kept",
  [WL_ADJ_SUBMIT_SCALED] = "submit_scaled",
  [WL_ADJ_LIMIT_MODELED] = "limit_modeled",
  [WL_ADJ_RESUBMITTED] = "resubmitted",
};

const char *
wl_skip_reason_name (WlSkipReason r)
{
  g_return_val_if_fail ((guint) r < WL_SKIP_N, "unknown");
  return skip_names[r];
}

const char *
wl_adjust_reason_name (WlAdjustReason r)
{
  g_return_val_if_fail ((guint) r < WL_ADJ_N, "unknown");
  return adjust_names[r];
}

gboolean
wl_reader_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  g_return_val_if_fail (r != NULL && r->ops != NULL, FALSE);
  g_return_val_if_fail (out != NULL && eof != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  out->extra = NULL;
  out->preceding = 0;
  out->think_time = 0;
  return r->ops->next (r, out, eof, error);
}

const WlTraceInfo *
wl_reader_get_info (const WlReader *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return &r->info;
}

const WlCounts *
wl_reader_get_counts (const WlReader *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return &r->counts;
}

WlCounts *
wl_reader_get_counts_mutable (WlReader *r)
{
  g_return_val_if_fail (r != NULL, NULL);
  return &r->counts;
}

void
wl__reader_init (WlReader *r, const WlReaderOps *ops, const char *name)
{
  g_return_if_fail (r != NULL && ops != NULL && ops->next != NULL);
  r->ops = ops;
  r->info.max_procs = -1;
  r->info.max_nodes = -1;
  r->info.unix_start_time = -1;
  r->info.time_zone_string = NULL;
  r->info.cpus_per_node = -1;
  r->info.mem_per_node_mb = -1;
  r->info.gpus_per_node = -1;
  r->info.machine_list = NULL;
  r->info.header_lines = g_ptr_array_new_with_free_func (g_free);
  memset (&r->counts, 0, sizeof r->counts);
  r->name = g_strdup (name != NULL ? name : "<stream>");
}

void
wl_reader_free (WlReader *r)
{
  if (r == NULL)
    return;
  if (r->ops != NULL && r->ops->finalize != NULL)
    r->ops->finalize (r);
  g_clear_pointer (&r->info.header_lines, g_ptr_array_unref);
  g_clear_pointer (&r->info.time_zone_string, g_free);
  g_clear_pointer (&r->info.machine_list, g_free);
  g_clear_pointer (&r->name, g_free);
  g_free (r);
}

GInputStream *
wl_open_input (const char *path, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) local = NULL;
  g_autoptr (GFileInputStream) fin = g_file_read (file, NULL, &local);
  if (fin == NULL)
    {
      /* GIO's message names the file already ("Error opening file X: ...") */
      g_set_error (error, WL_ERROR, WL_ERROR_IO, "%s", local->message);
      return NULL;
    }

  g_autoptr (GInputStream) base = G_INPUT_STREAM (g_steal_pointer (&fin));
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autoptr (GZlibDecompressor) dec
          = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      GInputStream *conv = g_converter_input_stream_new (base, G_CONVERTER (dec));
      g_object_unref (base);
      base = conv;
    }
  return g_buffered_input_stream_new_sized (base, OPEN_BUFFER_SIZE);
}

gssize
wl__read_input (GInputStream *in, const char *name, void *buf, gsize size, GError **error)
{
  g_autoptr (GError) local = NULL;
  gssize n = g_input_stream_read (in, buf, size, NULL, &local);
  if (n < 0)
    g_set_error (error, WL_ERROR, WL_ERROR_IO, "%s: read failed: %s", name, local->message);
  return n;
}
