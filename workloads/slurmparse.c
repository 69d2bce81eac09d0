/* SPDX-License-Identifier: MIT */
/* workloads/slurmparse.c - Slurm value syntax: time strings, booleans, integers, gres
 * lists and key[=value] parameter lists.
 *
 * Every parser here checks the whole string by hand (no sscanf, no strtol leniency about
 * blanks, signs or trailing bytes) and says what it expected.  Gres lists are split at
 * commas and colons; the last field of an item is its count when it reads as one.  A
 * WlParamList is a GArray of (key, value) string pairs in insertion order; lookups compare
 * keys with g_ascii_strcasecmp.  Update is all-or-nothing: the items are parsed into a
 * scratch list first and applied only when all of them parse. */
#include "workloads/slurmparse.h"

#include <string.h>

#define MAX_TIME       (G_GINT64_CONSTANT (1) << 40)
#define MAX_FIELD_LEN  12        /* digits of one time field */

/* ---- times, booleans, integers --------------------------------------------------------- */

static gboolean
bad_time (const char *s, GError **error)
{
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
               "bad time \"%s\": expected MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS "
               "or UNLIMITED", s);
  return FALSE;
}

/* Reads a run of digits at *p into *out; FALSE if there is none or it is too long. */
static gboolean
read_field (const char **p, gint64 *out)
{
  const char *q = *p;
  gint64 v = 0;
  while (g_ascii_isdigit (*q))
    {
      if (q - *p >= MAX_FIELD_LEN)
        return FALSE;
      v = v * 10 + (*q - '0');
      q++;
    }
  if (q == *p)
    return FALSE;
  *p = q;
  *out = v;
  return TRUE;
}

gboolean
wl_parse_slurm_time (const char *s, gint64 *seconds, GError **error)
{
  g_return_val_if_fail (s != NULL && seconds != NULL, FALSE);
  if (g_ascii_strcasecmp (s, "UNLIMITED") == 0 || g_ascii_strcasecmp (s, "INFINITE") == 0
      || strcmp (s, "-1") == 0)
    {
      *seconds = WL_TIME_UNLIMITED;
      return TRUE;
    }
  /* Up to four numeric fields; which is which depends on the dash and the colons. */
  gint64 f[4] = { 0 };
  int n = 0;
  gboolean dash = FALSE;
  const char *p = s;
  for (;;)
    {
      if (n == 4 || !read_field (&p, &f[n]))
        return bad_time (s, error);
      n++;
      if (*p == '\0')
        break;
      if (*p == '-' && n == 1)
        dash = TRUE;             /* only after the first field: days */
      else if (*p != ':')
        return bad_time (s, error);
      p++;
    }
  gint64 secs;
  if (dash)
    /* D-HH, D-HH:MM, D-HH:MM:SS (n >= 2: the dash is followed by a field) */
    secs = f[0] * 86400 + f[1] * 3600 + f[2] * 60 + f[3];
  else if (n == 1)
    secs = f[0] * 60;                            /* MM */
  else if (n == 2)
    secs = f[0] * 60 + f[1];                     /* MM:SS */
  else if (n == 3)
    secs = f[0] * 3600 + f[1] * 60 + f[2];       /* HH:MM:SS */
  else
    return bad_time (s, error);
  if (secs > MAX_TIME)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "bad time \"%s\": more than 2^40 seconds", s);
      return FALSE;
    }
  *seconds = secs;
  return TRUE;
}

gboolean
wl_parse_slurm_time_minutes (const char *s, gint64 *seconds, GError **error)
{
  gint64 v;
  if (!wl_parse_slurm_time (s, &v, error))
    return FALSE;
  *seconds = v == WL_TIME_UNLIMITED ? v : (v + 59) / 60 * 60;
  return TRUE;
}

gboolean
wl_parse_slurm_bool (const char *s, gboolean *out, GError **error)
{
  g_return_val_if_fail (s != NULL && out != NULL, FALSE);
  static const char *const yes[] = { "yes", "true", "up", "1" };
  static const char *const no[] = { "no", "false", "down", "0" };
  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    {
      if (g_ascii_strcasecmp (s, yes[i]) == 0)
        {
          *out = TRUE;
          return TRUE;
        }
      if (g_ascii_strcasecmp (s, no[i]) == 0)
        {
          *out = FALSE;
          return TRUE;
        }
    }
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "expected YES or NO, got \"%s\"", s);
  return FALSE;
}

gboolean
wl_parse_int (const char *s, gint64 min, gint64 max, gint64 *out, GError **error)
{
  g_return_val_if_fail (s != NULL && out != NULL && min <= max, FALSE);
  const char *p = s;
  gboolean neg = FALSE;
  if (*p == '-' && min < 0)
    {
      neg = TRUE;
      p++;
    }
  guint64 v = 0;
  gboolean ok = g_ascii_isdigit (*p);
  for (; ok && *p; p++)
    {
      if (!g_ascii_isdigit (*p) || v > (G_MAXUINT64 - 9) / 10)
        ok = FALSE;
      else
        v = v * 10 + (guint64) (*p - '0');
    }
  if (ok && !neg && v > (guint64) G_MAXINT64)
    ok = FALSE;
  if (ok && neg && v > (guint64) G_MAXINT64 + 1)
    ok = FALSE;
  gint64 x = 0;
  if (ok)
    {
      x = neg ? (gint64) (0 - v) : (gint64) v;
      ok = x >= min && x <= max;
    }
  if (!ok)
    {
      if (min == 0)
        g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                     "expected an integer from 0 to %" G_GINT64_FORMAT ", got \"%s\"", max, s);
      else
        g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                     "expected an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                     ", got \"%s\"", min, max, s);
      return FALSE;
    }
  *out = x;
  return TRUE;
}

/* ---- gres -------------------------------------------------------------------------------- */

void
wl_gres_clear (gpointer p)
{
  WlGres *g = p;
  g_free (g->name);
  g_free (g->type);
}

/* Parses a gres count: digits with an optional K, M, G or T (powers of 1024). */
static gboolean
parse_gres_count (const char *s, guint64 *out)
{
  gsize n = strlen (s);
  guint64 mult = 1;
  if (n > 1 && strchr ("kKmMgGtT", s[n - 1]))
    {
      static const char units[] = "kmgt";
      gsize shift = 10 * (gsize) (strchr (units, g_ascii_tolower (s[n - 1])) - units + 1);
      mult = G_GUINT64_CONSTANT (1) << shift;
      n--;
    }
  if (n == 0 || n > 12)
    return FALSE;
  guint64 v = 0;
  for (gsize i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
      v = v * 10 + (guint64) (s[i] - '0');
    }
  *out = v * mult;
  return TRUE;
}

gboolean
wl_parse_gres (const char *s, GArray *out, GError **error)
{
  g_return_val_if_fail (s != NULL && out != NULL, FALSE);
  if (*s == '\0')
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                   "expected name[:type][:count] items (\"gpu:a100:8\"), got \"\"");
      return FALSE;
    }
  g_auto (GStrv) items = g_strsplit (s, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      char *item = g_strstrip (items[i]);
      g_auto (GStrv) f = g_strsplit (item, ":", -1);
      guint nf = g_strv_length (f);
      WlGres g = { 0 };
      gboolean ok = nf >= 1 && *f[0] != '\0', have_count = FALSE;
      for (const char *c = f[0]; ok && *c; c++)
        ok = g_ascii_isalnum (*c) || *c == '_' || *c == '-';
      for (guint j = 1; ok && j < nf; j++)
        {
          if (g_ascii_strcasecmp (f[j], "no_consume") == 0)
            g.no_consume = TRUE;
          else if (j == nf - 1 && parse_gres_count (f[j], &g.count))
            have_count = TRUE;
          else if (g.type == NULL && *f[j] != '\0' && !g.no_consume)
            g.type = g_strdup (f[j]);
          else
            ok = FALSE;
        }
      if (!ok)
        {
          g_free (g.type);
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "expected name[:type][:count] items (\"gpu:a100:8\"), got \"%s\"",
                       item);
          return FALSE;
        }
      g.name = g_strdup (f[0]);
      if (!have_count)
        g.count = 1;
      g_array_append_val (out, g);
    }
  return TRUE;
}

/* ---- parameter lists ------------------------------------------------------------------- */

typedef struct {
  char *key;
  char *value;                  /* NULL: a flag */
} Param;

struct _WlParamList {
  GArray *items;                /* Param */
};

static void
param_clear (gpointer p)
{
  Param *x = p;
  g_free (x->key);
  g_free (x->value);
}

WlParamList *
wl_param_list_new (void)
{
  WlParamList *l = g_new0 (WlParamList, 1);
  l->items = g_array_new (FALSE, FALSE, sizeof (Param));
  g_array_set_clear_func (l->items, param_clear);
  return l;
}

WlParamList *
wl_param_list_copy (const WlParamList *l)
{
  g_return_val_if_fail (l != NULL, NULL);
  WlParamList *c = wl_param_list_new ();
  for (guint i = 0; i < l->items->len; i++)
    {
      const Param *p = &g_array_index (l->items, Param, i);
      wl_param_list_add (c, p->key, p->value);
    }
  return c;
}

void
wl_param_list_free (WlParamList *l)
{
  if (l == NULL)
    return;
  g_array_unref (l->items);
  g_free (l);
}

void
wl_param_list_add (WlParamList *l, const char *key, const char *value)
{
  g_return_if_fail (l != NULL && key != NULL);
  Param p = { g_strdup (key), g_strdup (value) };
  g_array_append_val (l->items, p);
}

void
wl_param_list_set (WlParamList *l, const char *key, const char *value)
{
  g_return_if_fail (l != NULL && key != NULL);
  gint first = -1;
  for (guint i = 0; i < l->items->len;)
    {
      Param *p = &g_array_index (l->items, Param, i);
      if (g_ascii_strcasecmp (p->key, key) != 0)
        i++;
      else if (first < 0)
        {
          first = (gint) i;
          char *v = g_strdup (value);
          g_free (p->value);
          p->value = v;
          i++;
        }
      else
        g_array_remove_index (l->items, i);
    }
  if (first < 0)
    wl_param_list_add (l, key, value);
}

gint
wl_param_list_find (const WlParamList *l, const char *key)
{
  g_return_val_if_fail (l != NULL && key != NULL, -1);
  for (guint i = l->items->len; i-- > 0;)
    if (g_ascii_strcasecmp (g_array_index (l->items, Param, i).key, key) == 0)
      return (gint) i;
  return -1;
}

gboolean
wl_param_list_lookup (const WlParamList *l, const char *key, const char **value)
{
  gint i = wl_param_list_find (l, key);
  if (i < 0)
    return FALSE;
  if (value)
    *value = g_array_index (l->items, Param, i).value;
  return TRUE;
}

guint
wl_param_list_length (const WlParamList *l)
{
  g_return_val_if_fail (l != NULL, 0);
  return l->items->len;
}

const char *
wl_param_list_key (const WlParamList *l, guint i)
{
  g_return_val_if_fail (l != NULL && i < l->items->len, NULL);
  return g_array_index (l->items, Param, i).key;
}

const char *
wl_param_list_value (const WlParamList *l, guint i)
{
  g_return_val_if_fail (l != NULL && i < l->items->len, NULL);
  return g_array_index (l->items, Param, i).value;
}

char *
wl_param_list_to_string (const WlParamList *l)
{
  g_return_val_if_fail (l != NULL, NULL);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < l->items->len; i++)
    {
      const Param *p = &g_array_index (l->items, Param, i);
      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, p->key);
      if (p->value)
        g_string_append_printf (s, "=%s", p->value);
    }
  return g_string_free (s, FALSE);
}

static gboolean
is_key_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.';
}

gboolean
wl_param_list_update (WlParamList *l, const char *s, GError **error)
{
  g_return_val_if_fail (l != NULL && s != NULL, FALSE);
  g_auto (GStrv) items = g_strsplit (s, ",", -1);
  g_autoptr (WlParamList) scratch = wl_param_list_new ();
  for (guint i = 0; items[i]; i++)
    {
      char *item = g_strstrip (items[i]);
      if (*item == '\0')
        continue;
      char *eq = strchr (item, '=');
      if (eq)
        *eq = '\0';
      char *key = g_strstrip (item);
      gboolean ok = *key != '\0';
      for (const char *k = key; ok && *k; k++)
        ok = is_key_char (*k);
      if (!ok)
        {
          if (eq)
            *eq = '=';
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                       "bad parameter \"%s\" in \"%s\": expected key or key=value", item, s);
          return FALSE;
        }
      wl_param_list_add (scratch, key, eq ? g_strstrip (eq + 1) : NULL);
    }
  for (guint i = 0; i < scratch->items->len; i++)
    {
      const Param *p = &g_array_index (scratch->items, Param, i);
      wl_param_list_set (l, p->key, p->value);
    }
  return TRUE;
}

WlParamList *
wl_param_list_parse (const char *s, GError **error)
{
  g_autoptr (WlParamList) l = wl_param_list_new ();
  if (!wl_param_list_update (l, s, error))
    return NULL;
  return g_steal_pointer (&l);
}

/* SchedulerParameters whose values are counts or times (Slurm's slurm.conf man page). */
static const char *const numeric_sched_params[] = {
  "bf_interval", "bf_job_part_count_reserve", "bf_max_job_array_resv", "bf_max_job_assoc",
  "bf_max_job_part", "bf_max_job_start", "bf_max_job_test", "bf_max_job_user",
  "bf_max_job_user_part", "bf_max_time", "bf_min_age_reserve", "bf_min_prio_reserve",
  "bf_node_space_size", "bf_resolution", "bf_window", "bf_yield_interval", "bf_yield_sleep",
  "default_queue_depth", "max_array_tasks", "max_depend_depth", "max_rpc_cnt",
  "max_sched_time", "max_script_size", "max_switch_wait", "partition_job_depth",
  "sched_interval", "sched_max_job_start", "sched_min_interval",
};

gboolean
wl_sched_params_check (const WlParamList *l, GError **error)
{
  g_return_val_if_fail (l != NULL, FALSE);
  for (guint i = 0; i < l->items->len; i++)
    {
      const Param *p = &g_array_index (l->items, Param, i);
      for (guint j = 0; j < G_N_ELEMENTS (numeric_sched_params); j++)
        {
          if (g_ascii_strcasecmp (p->key, numeric_sched_params[j]) != 0)
            continue;
          gint64 v;
          if (p->value == NULL || !wl_parse_int (p->value, 0, G_MAXINT32, &v, NULL))
            {
              g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED,
                           "%s: expected an integer >= 0, got %s%s%s",
                           p->key, p->value ? "\"" : "", p->value ? p->value : "no value",
                           p->value ? "\"" : "");
              return FALSE;
            }
        }
    }
  return TRUE;
}
