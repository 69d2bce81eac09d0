/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-realnet.c - helpers of the wire-protocol harnesses (fuzz-realnet.h). */
#include "fuzz/fuzz-realnet.h"
#include "realnet/validate.h"

const char *const fuzz_known_types[] = {
  "submit", "alloc", "job_list", "node_list", "part_list", "config", "ping", "cancel",
  "update_job", "update_node", "acct_query", "step", "register", "heartbeat", "job_exit",
  "io", "task_exit", "launch", "step_launch", "signal", "ok", "error", "pong", "registered",
};
const gsize fuzz_n_known_types = G_N_ELEMENTS (fuzz_known_types);

const RnKey *
fuzz_realnet_key (void)
{
  static RnKey key;
  static gboolean init;
  if (!init)
    {
      for (int i = 0; i < RN_KEY_LEN; i++)
        key.bytes[i] = (guint8) (0x11 * (i + 1));
      init = TRUE;
    }
  return &key;
}

/* What handlers read after validation: a field the validator let through must read back
 * without error through the matching accessor.  A few per message, not the whole table. */
typedef struct {
  const char *type, *field;
  char        kind;   /* 'i' integer, 's' string, 'v' string array, 'b' boolean */
  gint64      min, max;
} Oracle;

static const Oracle oracles[] = {
  { "submit", "ntasks", 'i', 0, 10000000 }, { "submit", "time_limit", 'i', -1, G_MAXINT32 },
  { "submit", "workdir", 's', 0, 0 }, { "submit", "environment", 'v', 0, 0 },
  { "submit", "hold", 'b', 0, 0 }, { "job_list", "users", 'v', 0, 0 },
  { "job_list", "expand_arrays", 'b', 0, 0 }, { "cancel", "signal", 'i', 0, 64 },
  { "cancel", "job_ids", 'v', 0, 0 }, { "update_job", "job_id", 's', 0, 0 },
  { "update_job", "time_limit", 'i', -1, G_MAXINT32 }, { "step", "job_id", 'i', 1, G_MAXUINT32 },
  { "register", "name", 's', 0, 0 }, { "register", "port", 'i', 0, 65535 },
  { "job_exit", "job_id", 'i', 1, G_MAXUINT32 }, { "job_exit", "exit_code", 'i', 0, 255 },
  { "signal", "signal", 'i', 0, 64 }, { "io", "step_id", 'i', 0, G_MAXUINT32 },
};

void
fuzz_check_validate (const char *type, json_t *body)
{
  GError *error = NULL;
  gboolean ok = rn_validate_request (type, body, &error);
  if (!ok)
    {
      g_assert (error != NULL && error->domain == RN_ERROR);
      g_assert (error->code == RN_ERROR_INVALID || error->code == RN_ERROR_PROTOCOL);
      g_assert (g_utf8_validate (error->message, -1, NULL));
      if (error->code == RN_ERROR_INVALID)
        g_assert (g_str_has_prefix (error->message, type));
      g_error_free (error);
      return;
    }
  g_assert (error == NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (oracles); i++)
    {
      const Oracle *o = &oracles[i];
      if (!g_str_equal (o->type, type))
        continue;
      gint64 x = 0;
      const char *s = NULL;
      GPtrArray *v = NULL;
      gboolean b = FALSE, read = FALSE;
      switch (o->kind)
        {
        case 'i':
          read = rn_body_get_int (body, o->field, FALSE, o->min, o->max, &x, &error);
          break;
        case 's':
          read = rn_body_get_string (body, o->field, FALSE, &s, &error);
          break;
        case 'v':
          read = rn_body_get_strv (body, o->field, &v, &error);
          if (v)
            g_ptr_array_unref (v);
          break;
        default:
          read = rn_body_get_bool (body, o->field, FALSE, &b, &error);
          break;
        }
      if (!read)
        g_error ("%s: validated, but field %s does not read back: %s", type, o->field,
                 error->message);
    }
}

