/* SPDX-License-Identifier: MIT */
/* workloads/batsim.c - Batsim workload JSON import (batsim.h has the rules).
 *
 * The document is read whole (at most WL_BATSIM_MAX_BYTES) and parsed by jansson; profiles
 * are looked up by name in the "profiles" object; every job is checked and converted at
 * once, the kept ones sorted by (submit, position) and handed out by next.  Messages name
 * the JSON path of the value ("jobs[12].subtime"), since jansson keeps no positions for
 * values. */
#include "workloads/batsim.h"
#include "workloads/json-private.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TIME ((double) (G_GINT64_CONSTANT (1) << 40))

typedef struct {
  WlReader        parent;
  WlReaderOptions opts;
  GArray         *jobs;      /* WlJob, sorted */
  guint           pos;
  guint           n_warned;
  WlNames         users;
} BatsimReader;

typedef struct {
  WlJob   job;
  guint64 ordinal;
} Keyed;

static gint
keyed_cmp (gconstpointer a, gconstpointer b)
{
  const Keyed *x = a, *y = b;
  if (x->job.spec.submit != y->job.spec.submit)
    return x->job.spec.submit < y->job.spec.submit ? -1 : 1;
  return x->ordinal < y->ordinal ? -1 : x->ordinal > y->ordinal;
}

static gboolean
batsim_next (WlReader *r, WlJob *out, gboolean *eof, GError **error)
{
  (void) error;
  BatsimReader *b = (BatsimReader *) r;
  *eof = b->pos >= b->jobs->len;
  if (!*eof)
    *out = g_array_index (b->jobs, WlJob, b->pos++);
  return TRUE;
}

static void
batsim_finalize (WlReader *r)
{
  BatsimReader *b = (BatsimReader *) r;
  g_clear_pointer (&b->jobs, g_array_unref);
  wl__names_clear (&b->users);
}

static const WlReaderOps batsim_ops = {
  .next = batsim_next,
  .finalize = batsim_finalize,
};

/* "file: jobs[3].field: expected ..., got <value>" (transfer full). */
static char *
bad_field (const BatsimReader *b, gsize index, const char *field, const char *expected,
           const json_t *v)
{
  GString *m = g_string_new (NULL);
  g_string_append_printf (m, "%s: jobs[%" G_GSIZE_FORMAT "].%s: %s", b->parent.name, index,
                          field, expected);
  if (v != NULL)
    {
      g_string_append (m, ", got ");
      wl__json_append_value (m, v);
    }
  else
    g_string_append (m, ", but it is missing");
  return g_string_free (m, FALSE);
}

/* A number (integer or real) in [lo, hi], or FALSE. */
static gboolean
number_in (const json_t *v, double lo, double hi, double *out)
{
  if (v == NULL || !json_is_number (v))
    return FALSE;
  double x = json_number_value (v);
  if (!isfinite (x) || x < lo || x > hi)
    return FALSE;
  *out = x;
  return TRUE;
}

/* The job id (batsim.h), or 0 to use the position. */
static guint64
job_id (const json_t *v)
{
  if (json_is_integer (v))
    {
      json_int_t i = json_integer_value (v);
      return i >= 1 && i <= G_MAXUINT32 ? (guint64) i : 0;
    }
  if (!json_is_string (v))
    return 0;
  const char *s = json_string_value (v);
  const char *bang = strrchr (s, '!');
  if (bang != NULL)
    s = bang + 1;
  if (*s == '\0' || strlen (s) > 10)
    return 0;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return 0;
  guint64 id = g_ascii_strtoull (s, NULL, 10);
  return id >= 1 && id <= G_MAXUINT32 ? id : 0;
}

typedef enum { JOB_KEEP, JOB_MALFORMED, JOB_SKIP } JobResult;

/* Converts jobs[index].  KEEP fills `out`; MALFORMED sets *msg; SKIP sets *skip. */
static JobResult
convert_job (BatsimReader *b, json_t *profiles, GHashTable *warned, json_t *o, gsize index,
             WlJob *out, guint32 *adj, WlSkipReason *skip, char **msg)
{
  static const char *const known[] = { "id", "subtime", "walltime", "res", "profile", "user",
                                       NULL };
  double subtime, res, walltime = -1, delay;
  json_t *v = json_object_get (o, "subtime");
  if (!number_in (v, 0, MAX_TIME, &subtime))
    {
      *msg = bad_field (b, index, "subtime", "expected a number of seconds >= 0", v);
      return JOB_MALFORMED;
    }
  v = json_object_get (o, "res");
  if (!number_in (v, 1, G_MAXUINT32, &res) || res != floor (res))
    {
      *msg = bad_field (b, index, "res", "expected a whole number of resources >= 1", v);
      return JOB_MALFORMED;
    }
  v = json_object_get (o, "walltime");
  if (v != NULL && !json_is_null (v)
      && !(number_in (v, -1, MAX_TIME, &walltime) && (walltime == -1 || walltime >= 0)))
    {
      *msg = bad_field (b, index, "walltime", "expected seconds >= 0, or -1 for none", v);
      return JOB_MALFORMED;
    }
  v = json_object_get (o, "profile");
  if (!json_is_string (v))
    {
      *msg = bad_field (b, index, "profile", "expected the name of a profile", v);
      return JOB_MALFORMED;
    }
  const char *pname = json_string_value (v);
  json_t *p = json_object_get (profiles, pname);
  if (!json_is_object (p))
    {
      *msg = g_strdup_printf ("%s: jobs[%" G_GSIZE_FORMAT "].profile: no profile \"%s\" in "
                              "\"profiles\"%s", b->parent.name, index, pname,
                              p != NULL ? " that is an object" : "");
      return JOB_MALFORMED;
    }
  json_t *type = json_object_get (p, "type");
  if (!json_is_string (type))
    {
      *msg = g_strdup_printf ("%s: profiles.%s.type: expected a string (\"delay\", "
                              "\"parallel\", ...)", b->parent.name, pname);
      return JOB_MALFORMED;
    }
  if (strcmp (json_string_value (type), "delay") != 0)
    {
      if (!g_hash_table_contains (warned, pname))
        {
          g_hash_table_add (warned, g_strdup (pname));
          g_autofree char *w = g_strdup_printf (
              "%s: profiles.%s.type: \"%s\": only \"delay\" profiles give a run time "
              "(others need Batsim's platform model); its jobs are skipped and counted as "
              "unsupported", b->parent.name, pname, json_string_value (type));
          wl__warn (&b->parent, &b->opts, &b->n_warned, w);
        }
      *skip = WL_SKIP_UNSUPPORTED;
      return JOB_SKIP;
    }
  v = json_object_get (p, "delay");
  if (!number_in (v, 0, MAX_TIME, &delay))
    {
      GString *m = g_string_new (NULL);
      g_string_append_printf (m, "%s: profiles.%s.delay: expected a number of seconds >= 0",
                              b->parent.name, pname);
      if (v != NULL)
        {
          g_string_append (m, ", got ");
          wl__json_append_value (m, v);
        }
      *msg = g_string_free (m, FALSE);
      return JOB_MALFORMED;
    }
  v = json_object_get (o, "user");
  guint32 user = 0;
  if (v != NULL && !json_is_null (v))
    {
      if (json_is_integer (v) && json_integer_value (v) >= 0
          && json_integer_value (v) <= G_MAXUINT32)
        user = (guint32) json_integer_value (v);
      else if (json_is_string (v))
        user = wl__names_id (&b->users, json_string_value (v), json_string_length (v));
      else
        {
          *msg = bad_field (b, index, "user", "expected a user number or name", v);
          return JOB_MALFORMED;
        }
    }
  const char *key;
  json_t *val;
  json_object_foreach (o, key, val)
    {
      (void) val;
      if (!g_strv_contains (known, key) && *key != '_'
          && !g_hash_table_contains (warned, key))
        {
          g_hash_table_add (warned, g_strdup (key));
          g_autofree char *w = g_strdup_printf ("%s: jobs[%" G_GSIZE_FORMAT "]: field \"%s\" "
                                                "ignored (reported once)", b->parent.name,
                                                index, key);
          wl__warn (&b->parent, &b->opts, &b->n_warned, w);
        }
    }

  SchedTime runtime = (SchedTime) llround (delay);
  if (runtime <= 0)
    {
      if (!b->opts.keep_zero_runtime)
        {
          *skip = WL_SKIP_NO_RUNTIME;
          return JOB_SKIP;
        }
      runtime = 0;
      *adj |= 1u << WL_ADJ_RUNTIME_ZERO_KEPT;
    }
  SchedTime limit;
  if (walltime < 0 || (SchedTime) ceil (walltime) == 0)
    {
      limit = wl_limit_synthesize (b->opts.limit_rule, b->opts.limit_factor, runtime);
      *adj |= 1u << (b->opts.limit_rule == WL_LIMIT_RUNTIME ? WL_ADJ_REQTIME_FROM_RUNTIME
                                                            : WL_ADJ_REQTIME_SYNTHESIZED);
    }
  else
    limit = (SchedTime) ceil (walltime);
  guint64 id = job_id (json_object_get (o, "id"));
  sched_job_spec_init (&out->spec);
  out->spec.id = (SchedJobId) (id > 0 ? id : MIN (index + 1, G_MAXUINT32));
  out->spec.submit = (SchedTime) llround (subtime);
  out->spec.tasks = (guint32) res;
  out->spec.cpus_per_task = 1;
  out->spec.time_limit = limit;
  out->spec.user = user;
  out->runtime = runtime;
  out->end_state = SCHED_JOB_COMPLETED;
  out->line = 0;
  out->extra = NULL;
  return JOB_KEEP;
}

static gboolean
structure_error (const char *name, const char *what, GError **error)
{
  g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: %s", name, what);
  return FALSE;
}

static gboolean
load (BatsimReader *b, json_t *doc, GError **error)
{
  const char *name = b->parent.name;
  if (!json_is_object (doc))
    return structure_error (name, "expected a JSON object with \"jobs\" and \"profiles\"", error);
  json_t *jobs = json_object_get (doc, "jobs");
  if (!json_is_array (jobs))
    return structure_error (name, "jobs: expected an array of jobs", error);
  json_t *profiles = json_object_get (doc, "profiles");
  if (profiles != NULL && !json_is_object (profiles))
    return structure_error (name, "profiles: expected an object of named profiles", error);
  json_t *nb = json_object_get (doc, "nb_res");
  if (nb != NULL)
    {
      if (!json_is_integer (nb) || json_integer_value (nb) < 1
          || json_integer_value (nb) > G_MAXUINT32)
        return structure_error (name, "nb_res: expected a whole number of resources >= 1",
                                error);
      b->parent.info.max_procs = (gint64) json_integer_value (nb);
    }
  g_autoptr (GHashTable) warned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) keyed = g_array_new (FALSE, FALSE, sizeof (Keyed));
  WlCounts *c = &b->parent.counts;
  gsize index;
  json_t *o;
  json_array_foreach (jobs, index, o)
    {
      if (!json_is_object (o))
        {
          g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s: jobs[%" G_GSIZE_FORMAT "]: "
                       "expected a job object", name, index);
          return FALSE;
        }
      c->read++;
      Keyed k = { .ordinal = index };
      guint32 adj = 0;
      WlSkipReason skip = WL_SKIP_MALFORMED;
      char *msg = NULL;
      switch (convert_job (b, profiles, warned, o, index, &k.job, &adj, &skip, &msg))
        {
        case JOB_MALFORMED:
          if (!wl__malformed (&b->parent, &b->opts, &b->n_warned, msg, error))
            return FALSE;
          break;
        case JOB_SKIP:
          c->skipped[skip]++;
          break;
        case JOB_KEEP:
        default:
          c->kept++;
          for (guint i = 0; i < WL_ADJ_N; i++)
            if (adj & (1u << i))
              c->adjusted[i]++;
          g_array_append_val (keyed, k);
          break;
        }
    }
  g_array_sort (keyed, keyed_cmp);
  b->jobs = g_array_sized_new (FALSE, FALSE, sizeof (WlJob), keyed->len);
  for (guint i = 0; i < keyed->len; i++)
    g_array_append_val (b->jobs, g_array_index (keyed, Keyed, i).job);
  return TRUE;
}

WlReader *
wl_batsim_reader_new (GInputStream *in, const char *name, const WlReaderOptions *opts,
                      GError **error)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  BatsimReader *b = g_new0 (BatsimReader, 1);
  wl__reader_init (&b->parent, &batsim_ops, name);
  g_autoptr (WlReader) r = &b->parent;
  if (opts != NULL)
    b->opts = *opts;
  else
    wl_reader_options_init (&b->opts);
  b->opts.columns = NULL;
  b->opts.time_zone = NULL;
  wl__names_init (&b->users);

  g_autoptr (GByteArray) bytes = g_byte_array_new ();
  guint8 chunk[65536];
  for (;;)
    {
      gssize n = wl__read_input (in, b->parent.name, chunk, sizeof chunk, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (bytes->len + (gsize) n > WL_BATSIM_MAX_BYTES)
        {
          g_set_error (error, WL_ERROR, WL_ERROR_UNSUPPORTED,
                       "%s: a Batsim workload is read whole and this one is larger than %d "
                       "MiB; split it, or convert it to JSON Lines (sluice convert --to json) "
                       "on a machine with more memory", b->parent.name,
                       WL_BATSIM_MAX_BYTES / (1024 * 1024));
          return NULL;
        }
      g_byte_array_append (bytes, chunk, (guint) n);
    }
  json_error_t jerr;
  json_t *doc = json_loadb ((const char *) bytes->data, bytes->len,
                            JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
  if (doc == NULL)
    {
      g_set_error (error, WL_ERROR, WL_ERROR_MALFORMED, "%s:%d: invalid JSON: %s",
                   b->parent.name, jerr.line, jerr.text);
      return NULL;
    }
  gboolean ok = load (b, doc, error);
  json_decref (doc);
  if (!ok)
    return NULL;
  return g_steal_pointer (&r);
}

WlReader *
wl_batsim_reader_open (const char *path, const WlReaderOptions *opts, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_autoptr (GInputStream) in = wl_open_input (path, error);
  if (in == NULL)
    return NULL;
  return wl_batsim_reader_new (in, path, opts, error);
}

gboolean
wl_batsim_looks_like (const char *head, gsize len)
{
  g_return_val_if_fail (head != NULL || len == 0, FALSE);
  gsize i = 0;
  if (len >= 3 && memcmp (head, "\xef\xbb\xbf", 3) == 0)
    i = 3;
  while (i < len && g_ascii_isspace (head[i]))
    i++;
  if (i >= len || head[i] != '{')
    return FALSE;
  return g_strstr_len (head, (gssize) len, "\"subtime\"") != NULL
         && (g_strstr_len (head, (gssize) len, "\"res\"") != NULL
             || g_strstr_len (head, (gssize) len, "\"profiles\"") != NULL);
}
