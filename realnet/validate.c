/* SPDX-License-Identifier: MIT */
/* realnet/validate.c - field tables of every message (see validate.h and docs/realnet.md). */
#include "realnet/validate.h"

#include "realnet/proto.h"

typedef enum {
  F_STR,      /* string */
  F_INT,      /* integer in [min, max] */
  F_NUM,      /* any number */
  F_BOOL,
  F_STRV,     /* array of strings */
  F_INTV,     /* array of integers in [min, max] */
  F_ARGV,     /* non-empty array of strings */
  F_INTERACTIVE, /* {"argv": non-empty array of strings, "label": bool} */
  F_OBJ,      /* an object (its fields are checked by the handler) */
} Kind;

typedef struct {
  const char *name;
  Kind        kind;
  gboolean    required;
  gint64      min, max;
} Field;

#define END { NULL, F_STR, FALSE, 0, 0 }
#define BIG G_GINT64_CONSTANT (0x7fffffffffff)

static const Field submit_fields[] = {
  { "name", F_STR, FALSE, 0, 0 }, { "script", F_STR, FALSE, 0, 0 },
  { "workdir", F_STR, TRUE, 0, 0 }, { "environment", F_STRV, FALSE, 0, 0 },
  { "export", F_STR, FALSE, 0, 0 }, { "partition", F_STR, FALSE, 0, 0 },
  { "account", F_STR, FALSE, 0, 0 }, { "qos", F_STR, FALSE, 0, 0 },
  { "nodes_min", F_INT, FALSE, 0, 100000 }, { "nodes_max", F_INT, FALSE, 0, 100000 },
  { "ntasks", F_INT, FALSE, 0, 10000000 }, { "cpus_per_task", F_INT, FALSE, 1, 100000 },
  { "ntasks_per_node", F_INT, FALSE, 0, 100000 },
  { "mem_per_node_mb", F_INT, FALSE, 0, BIG }, { "mem_per_cpu_mb", F_INT, FALSE, 0, BIG },
  { "gpus_per_node", F_INT, FALSE, 0, 64 }, { "gpu_type", F_STR, FALSE, 0, 0 },
  { "gpus", F_INT, FALSE, 0, 100000 }, { "time_limit", F_INT, FALSE, -1, G_MAXINT32 },
  { "time_min", F_INT, FALSE, -1, G_MAXINT32 }, { "stdout", F_STR, FALSE, 0, 0 },
  { "stderr", F_STR, FALSE, 0, 0 }, { "stdin", F_STR, FALSE, 0, 0 },
  { "array", F_STR, FALSE, 0, 0 }, { "dependency", F_STR, FALSE, 0, 0 },
  { "hold", F_BOOL, FALSE, 0, 0 }, { "begin", F_INT, FALSE, 0, BIG },
  { "exclusive", F_BOOL, FALSE, 0, 0 }, { "constraint", F_STR, FALSE, 0, 0 },
  { "nice", F_INT, FALSE, -10000, 10000 }, { "requeue", F_BOOL, FALSE, 0, 0 },
  { "submit_host", F_STR, FALSE, 0, 0 }, { "interactive", F_INTERACTIVE, FALSE, 0, 0 },
  { "script_argv", F_STRV, FALSE, 0, 0 }, { "signal", F_OBJ, FALSE, 0, 0 },
  { "test_only", F_BOOL, FALSE, 0, 0 },
  END,
};
static const Field list_fields[] = {
  { "job_ids", F_STRV, FALSE, 0, 0 }, { "users", F_STRV, FALSE, 0, 0 },
  { "states", F_STRV, FALSE, 0, 0 }, { "partitions", F_STRV, FALSE, 0, 0 },
  { "names", F_STRV, FALSE, 0, 0 }, { "expand_arrays", F_BOOL, FALSE, 0, 0 },
  { "text_format", F_STR, FALSE, 0, 0 }, END,
};
static const Field node_list_fields[] = { { "nodes", F_STRV, FALSE, 0, 0 }, END };
static const Field no_fields[] = { END };
static const Field cancel_fields[] = {
  { "job_ids", F_STRV, FALSE, 0, 0 }, { "user", F_STR, FALSE, 0, 0 },
  { "states", F_STRV, FALSE, 0, 0 }, { "name", F_STR, FALSE, 0, 0 },
  { "partition", F_STR, FALSE, 0, 0 }, { "signal", F_INT, FALSE, 0, 64 }, END,
};
static const Field update_job_fields[] = {
  { "job_id", F_STR, TRUE, 0, 0 }, { "time_limit", F_INT, FALSE, -1, G_MAXINT32 },
  { "hold", F_BOOL, FALSE, 0, 0 }, { "requeue", F_BOOL, FALSE, 0, 0 },
  { "request", F_OBJ, FALSE, 0, 0 }, END,
};
static const Field update_node_fields[] = {
  { "nodes", F_STR, TRUE, 0, 0 }, { "state", F_STR, TRUE, 0, 0 },
  { "reason", F_STR, FALSE, 0, 0 }, END,
};
static const Field acct_fields[] = {
  { "job_ids", F_STRV, FALSE, 0, 0 }, { "users", F_STRV, FALSE, 0, 0 },
  { "states", F_STRV, FALSE, 0, 0 }, { "partitions", F_STRV, FALSE, 0, 0 },
  { "names", F_STRV, FALSE, 0, 0 }, { "start", F_INT, FALSE, 0, BIG },
  { "end", F_INT, FALSE, 0, BIG }, END,
};
static const Field step_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "argv", F_ARGV, TRUE, 0, 0 },
  { "ntasks", F_INT, FALSE, 0, 1 << 20 }, { "nodes", F_INT, FALSE, 0, 100000 },
  { "label", F_BOOL, FALSE, 0, 0 }, { "stdin", F_BOOL, FALSE, 0, 0 },
  { "pty", F_BOOL, FALSE, 0, 0 }, { "rows", F_INT, FALSE, 0, 65535 },
  { "cols", F_INT, FALSE, 0, 65535 }, END,
};
static const Field register_fields[] = {
  { "name", F_STR, TRUE, 0, 0 }, { "port", F_INT, FALSE, 0, 65535 },
  { "cpus", F_INT, FALSE, 0, 1 << 20 }, { "real_memory", F_INT, FALSE, -1, BIG },
  { "gpus", F_INT, FALSE, 0, 64 }, { "boot_time", F_INT, FALSE, 0, BIG },
  { "running", F_INTV, FALSE, 1, G_MAXUINT32 }, END,
};
static const Field heartbeat_fields[] = {
  { "name", F_STR, FALSE, 0, 0 }, { "load", F_NUM, FALSE, 0, 0 },
  { "free_mem", F_INT, FALSE, -1, BIG }, { "running", F_INTV, FALSE, 1, G_MAXUINT32 }, END,
};
static const Field job_exit_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "state", F_STR, TRUE, 0, 0 },
  { "exit_code", F_INT, FALSE, 0, 255 }, { "signal", F_INT, FALSE, 0, 128 },
  { "cpu_seconds", F_NUM, FALSE, 0, 0 }, { "max_rss_kb", F_INT, FALSE, 0, BIG },
  { "end_time", F_INT, FALSE, 0, BIG }, { "error", F_STR, FALSE, 0, 0 }, END,
};
static const Field io_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "step_id", F_INT, TRUE, 0, G_MAXUINT32 },
  { "task", F_INT, FALSE, 0, G_MAXUINT32 }, { "stream", F_STR, FALSE, 0, 0 },
  { "data", F_STR, FALSE, 0, 0 }, { "b64", F_STR, FALSE, 0, 0 }, END,
};
static const Field task_exit_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "step_id", F_INT, TRUE, 0, G_MAXUINT32 },
  { "task", F_INT, FALSE, 0, G_MAXUINT32 }, { "exit_code", F_INT, FALSE, 0, 255 },
  { "signal", F_INT, FALSE, 0, 128 }, { "state", F_STR, FALSE, 0, 0 }, END,
};
static const Field signal_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "signal", F_INT, TRUE, 0, 64 },
  { "cancel", F_BOOL, FALSE, 0, 0 }, END,
};
static const Field update_limit_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "time_limit", F_INT, TRUE, -1, G_MAXINT32 }, END,
};
static const Field stdin_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "step_id", F_INT, TRUE, 0, G_MAXUINT32 },
  { "data", F_STR, FALSE, 0, 0 }, { "eof", F_BOOL, FALSE, 0, 0 }, END,
};
static const Field winsize_fields[] = {
  { "job_id", F_INT, TRUE, 1, G_MAXUINT32 }, { "step_id", F_INT, TRUE, 0, G_MAXUINT32 },
  { "rows", F_INT, TRUE, 1, 65535 }, { "cols", F_INT, TRUE, 1, 65535 }, END,
};
static const Field reply_fields[] = { END };   /* ok, error, pong: bodies are not read */

static const struct {
  const char  *type;
  const Field *fields;
} messages[] = {
  { "submit", submit_fields }, { "alloc", submit_fields }, { "job_list", list_fields },
  { "node_list", node_list_fields }, { "part_list", no_fields }, { "config", no_fields },
  { "ping", no_fields }, { "cancel", cancel_fields }, { "update_job", update_job_fields },
  { "update_node", update_node_fields }, { "acct_query", acct_fields },
  { "step", step_fields }, { "register", register_fields },
  { "heartbeat", heartbeat_fields }, { "job_exit", job_exit_fields }, { "io", io_fields },
  { "task_exit", task_exit_fields }, { "launch", no_fields },
  { "step_launch", no_fields }, { "signal", signal_fields },
  { "update_limit", update_limit_fields }, { "stdin", stdin_fields }, { "winsize", winsize_fields },
  { "ok", reply_fields },
  { "error", reply_fields }, { "pong", reply_fields }, { "registered", reply_fields },
};

static gboolean
bad (GError **error, const char *type, const char *field, const char *what)
{
  g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "%s: field \"%s\": expected %s", type, field,
               what);
  return FALSE;
}

static gboolean
check_strv (json_t *v, gboolean non_empty)
{
  if (!json_is_array (v) || (non_empty && json_array_size (v) == 0))
    return FALSE;
  size_t i;
  json_t *e;
  json_array_foreach (v, i, e)
    if (!json_is_string (e))
      return FALSE;
  return TRUE;
}

gboolean
rn_validate_request (const char *type, json_t *body, GError **error)
{
  const Field *fields = NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (messages); i++)
    if (g_strcmp0 (type, messages[i].type) == 0)
      fields = messages[i].fields;
  if (fields == NULL)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_PROTOCOL, "unknown message type \"%s\"",
                   type ? type : "");
      return FALSE;
    }
  if (!json_is_object (body))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INVALID, "%s: the body is not an object", type);
      return FALSE;
    }
  for (const Field *f = fields; f->name; f++)
    {
      json_t *v = json_object_get (body, f->name);
      if (v == NULL || json_is_null (v))
        {
          if (f->required)
            return bad (error, type, f->name, "a value (it is required)");
          continue;
        }
      switch (f->kind)
        {
        case F_STR:
          if (!json_is_string (v))
            return bad (error, type, f->name, "a string");
          break;
        case F_INT:
          if (!json_is_integer (v) || json_integer_value (v) < f->min
              || json_integer_value (v) > f->max)
            {
              g_autofree char *w = g_strdup_printf ("an integer in [%" G_GINT64_FORMAT ", %"
                                                    G_GINT64_FORMAT "]", f->min, f->max);
              return bad (error, type, f->name, w);
            }
          break;
        case F_NUM:
          if (!json_is_number (v))
            return bad (error, type, f->name, "a number");
          break;
        case F_BOOL:
          if (!json_is_boolean (v))
            return bad (error, type, f->name, "true or false");
          break;
        case F_STRV:
          if (!check_strv (v, FALSE))
            return bad (error, type, f->name, "an array of strings");
          break;
        case F_ARGV:
          if (!check_strv (v, TRUE))
            return bad (error, type, f->name, "a non-empty array of strings");
          break;
        case F_INTV:
          {
            gboolean ok = json_is_array (v);
            size_t i;
            json_t *e;
            json_array_foreach (v, i, e)
              ok = ok && json_is_integer (e) && json_integer_value (e) >= f->min
                   && json_integer_value (e) <= f->max;
            if (!ok)
              return bad (error, type, f->name, "an array of job ids");
            break;
          }
        case F_OBJ:
          if (!json_is_object (v))
            return bad (error, type, f->name, "an object");
          break;
        case F_INTERACTIVE:
          if (!json_is_object (v) || !check_strv (json_object_get (v, "argv"), TRUE)
              || (json_object_get (v, "label") && !json_is_boolean (json_object_get (v, "label"))))
            return bad (error, type, f->name,
                        "{\"argv\": a non-empty array of strings, \"label\": true or false}");
          break;
        }
    }
  return TRUE;
}
