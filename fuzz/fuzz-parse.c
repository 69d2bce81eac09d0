/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-parse.c - libFuzzer harness for the value parsers: Slurm times, booleans,
 * integers, gres and parameter lists (workloads/slurmparse.h), and the tabular readers'
 * times, durations, memory sizes and TRES lists (workloads/rows.h).
 *
 * Every parser gets the whole input: the C-string ones a NUL-terminated copy, the
 * (pointer, length) ones a copy of exactly `size` bytes, so that a read past the slice is
 * an ASan error.  Checks: results in the documented ranges, outputs untouched on failure,
 * a parameter list printed and parsed again prints the same. */
#include <string.h>
#include "fuzz/fuzz-common.h"
#include "workloads/rows.h"
#include "workloads/slurmparse.h"

#define MAX_TIME ((gint64) 1 << 40)
#define UNTOUCHED G_GINT64_CONSTANT (-777)

static void
slurm_values (const char *s)
{
  g_autoptr (GError) error = NULL;
  gint64 secs = UNTOUCHED, mins = UNTOUCHED, v = UNTOUCHED;

  if (wl_parse_slurm_time (s, &secs, &error))
    g_assert (secs == WL_TIME_UNLIMITED || (secs >= 0 && secs <= MAX_TIME));
  else
    g_assert (error != NULL && secs == UNTOUCHED);
  g_clear_error (&error);

  if (wl_parse_slurm_time_minutes (s, &mins, &error))
    g_assert (mins == WL_TIME_UNLIMITED
              || (mins >= 0 && mins % 60 == 0 && secs != UNTOUCHED && mins >= secs));
  else
    g_assert (error != NULL && mins == UNTOUCHED);
  g_clear_error (&error);

  gboolean b;
  if (!wl_parse_slurm_bool (s, &b, &error))
    g_assert (error != NULL);
  g_clear_error (&error);

  if (wl_parse_int (s, G_MININT64, G_MAXINT64, &v, &error))
    g_assert (v != UNTOUCHED || strcmp (s, "-777") == 0);
  g_clear_error (&error);
  v = UNTOUCHED;
  if (wl_parse_int (s, 0, 1000, &v, &error))
    g_assert (v >= 0 && v <= 1000);
  g_clear_error (&error);

  g_autoptr (GArray) gres = g_array_new (FALSE, TRUE, sizeof (WlGres));
  g_array_set_clear_func (gres, wl_gres_clear);
  if (wl_parse_gres (s, gres, &error))
    for (guint i = 0; i < gres->len; i++)
      g_assert (g_array_index (gres, WlGres, i).name != NULL);
  g_clear_error (&error);
}

static void
param_list (const char *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (WlParamList) l = wl_param_list_parse (s, &error);
  if (l == NULL)
    {
      g_assert (error != NULL);
      return;
    }
  g_autofree char *text = wl_param_list_to_string (l);
  g_autoptr (WlParamList) again = wl_param_list_parse (text, &error);
  if (again == NULL)
    g_error ("parameter list \"%s\" prints as \"%s\", which does not parse: %s", s, text,
             error->message);
  g_autofree char *text2 = wl_param_list_to_string (again);
  g_assert_cmpstr (text, ==, text2);
  g_assert_cmpuint (wl_param_list_length (l), ==, wl_param_list_length (again));

  g_autoptr (WlParamList) copy = wl_param_list_copy (l);
  for (guint i = 0; i < wl_param_list_length (l); i++)
    {
      const char *value = NULL;
      g_assert (wl_param_list_lookup (copy, wl_param_list_key (l, i), &value));
    }
  if (!wl_sched_params_check (l, &error))
    g_assert (error != NULL);
  g_clear_error (&error);
  /* Updating with the same text changes nothing but may not fail. */
  g_assert (wl_param_list_update (copy, s, &error));
}

static void
row_values (const char *buf, gsize len)
{
  static GTimeZone *zones[3];
  if (zones[0] == NULL)
    {
      zones[0] = g_time_zone_new_utc ();
      zones[1] = g_time_zone_new_identifier ("Europe/Berlin");   /* DST gaps and folds */
      zones[2] = g_time_zone_new_identifier ("+05:30");
      if (zones[1] == NULL)
        zones[1] = g_time_zone_new_utc ();                       /* no tzdata */
    }

  SchedTime t;
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    wl_parse_time (buf, len, i == 0 ? NULL : zones[i], &t);
  if (wl_parse_seconds (buf, len, &t) == WL_PARSE_OK)
    g_assert (t >= 0);
  if (wl_parse_slurm_duration (buf, len, &t) == WL_PARSE_OK)
    g_assert (t >= 0);

  guint64 mb;
  WlMemPer per;
  if (wl_parse_slurm_mem (buf, len, &mb, &per) == WL_PARSE_OK)
    g_assert (per == WL_MEM_PER_NODE || per == WL_MEM_PER_CPU);

  guint64 gpus = 0, cpus = 0, nodes = 0, mem = 0;
  char *type = NULL;
  wl_parse_tres (buf, len, &gpus, &type, &cpus, &nodes, &mem);
  g_free (type);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *s = fuzz_strndup (data, size);
  g_autofree char *buf = fuzz_memdup (data, size);
  slurm_values (s);
  param_list (s);
  row_values (buf, size);
  return 0;
}
