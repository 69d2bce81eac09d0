/* SPDX-License-Identifier: MIT */
/* realnet/proto.c - frames, signatures and the replay cache (see proto.h).
 *
 * The MAC is HMAC-SHA256 (GHmac) over the flags byte and the JSON text, compared in
 * constant time.  Nonces are 16 bytes from getrandom(2).  The replay cache is a hash set of
 * nonce -> timestamp pruned of entries older than the window as it grows, so its size is
 * bounded by the number of signed frames accepted per RN_AUTH_WINDOW * 2. */
#include "realnet/proto.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (rn-error-quark, rn_error)

static gboolean
random_bytes (guint8 *buf, gsize len)
{
  gsize got = 0;
  while (got < len)
    {
      ssize_t n = getrandom (buf + got, len - got, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      got += (gsize) n;
    }
  return TRUE;
}

static int
hexval (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

gboolean
rn_key_load (RnKey *key, const char *path, GError **error)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, RN_ERROR, RN_ERROR_AUTH, "%s: cannot open the key file: %s", path,
                   g_strerror (e));
      return FALSE;
    }
  struct stat st;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, RN_ERROR, RN_ERROR_AUTH, "%s: not a regular file", path);
      return FALSE;
    }
  if ((st.st_mode & 077) != 0)
    {
      close (fd);
      g_set_error (error, RN_ERROR, RN_ERROR_AUTH,
                   "%s: the key file is readable by others (mode %04o); it must be 0600",
                   path, (unsigned) (st.st_mode & 07777));
      return FALSE;
    }
  char buf[2 * RN_KEY_LEN + 4];
  ssize_t n = read (fd, buf, sizeof buf);
  close (fd);
  while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
    n--;
  if (n != 2 * RN_KEY_LEN)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_AUTH,
                   "%s: expected %d hexadecimal digits", path, 2 * RN_KEY_LEN);
      return FALSE;
    }
  for (int i = 0; i < RN_KEY_LEN; i++)
    {
      int hi = hexval (buf[2 * i]), lo = hexval (buf[2 * i + 1]);
      if (hi < 0 || lo < 0)
        {
          g_set_error (error, RN_ERROR, RN_ERROR_AUTH,
                       "%s: expected %d hexadecimal digits", path, 2 * RN_KEY_LEN);
          return FALSE;
        }
      key->bytes[i] = (guint8) (hi << 4 | lo);
    }
  return TRUE;
}

gboolean
rn_key_generate (const char *path, GError **error)
{
  guint8 raw[RN_KEY_LEN];
  if (!random_bytes (raw, sizeof raw))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_INTERNAL, "getrandom: %s", g_strerror (errno));
      return FALSE;
    }
  char hex[2 * RN_KEY_LEN + 1];
  for (int i = 0; i < RN_KEY_LEN; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", raw[i]);
  hex[2 * RN_KEY_LEN] = '\n';
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, RN_ERROR, RN_ERROR_INTERNAL, "%s: %s", path, g_strerror (e));
      return FALSE;
    }
  gboolean ok = write (fd, hex, sizeof hex) == (ssize_t) sizeof hex;
  ok = (fsync (fd) == 0) && ok;
  close (fd);
  if (!ok)
    g_set_error (error, RN_ERROR, RN_ERROR_INTERNAL, "%s: write failed", path);
  return ok;
}

void
rn_msg_clear (RnMsg *msg)
{
  if (msg->root)
    json_decref (msg->root);
  if (msg->attachment)
    g_bytes_unref (msg->attachment);
  memset (msg, 0, sizeof *msg);
}

static void
compute_mac (const RnKey *key, const guint8 *data, gsize len, guint8 out[RN_MAC_LEN])
{
  GHmac *h = g_hmac_new (G_CHECKSUM_SHA256, key->bytes, RN_KEY_LEN);
  g_hmac_update (h, data, (gssize) len);
  gsize n = RN_MAC_LEN;
  g_hmac_get_digest (h, out, &n);
  g_hmac_unref (h);
}

GBytes *
rn_frame_encode (const char *type, gint64 seq, json_t *body, const RnSigner *signer,
                 gint64 now)
{
  json_t *env = json_object ();
  json_object_set_new (env, "v", json_integer (RN_PROTO_VERSION));
  json_object_set_new (env, "type", json_string (type));
  json_object_set_new (env, "seq", json_integer (seq));
  json_object_set (env, "body", body ? body : json_object ());
  if (body == NULL)
    json_decref (json_object_get (env, "body"));
  gboolean sign = signer != NULL && signer->key != NULL;
  if (sign)
    {
      guint8 raw[16];
      char nonce[33];
      if (!random_bytes (raw, sizeof raw))
        memset (raw, 0, sizeof raw);   /* the peer then refuses a repeat: no silent reuse */
      for (int i = 0; i < 16; i++)
        g_snprintf (nonce + 2 * i, 3, "%02x", raw[i]);
      json_object_set_new (env, "auth",
                           json_pack ("{s:I, s:I, s:I, s:s}", "uid", (json_int_t) signer->uid,
                                      "gid", (json_int_t) signer->gid, "ts", (json_int_t) now,
                                      "nonce", nonce));
    }
  char *text = json_dumps (env, JSON_COMPACT);
  json_decref (env);
  gsize tlen = strlen (text);
  gsize payload = 1 + tlen + (sign ? RN_MAC_LEN : 0);
  guint8 *buf = g_malloc (4 + payload);
  buf[0] = (guint8) (payload >> 24);
  buf[1] = (guint8) (payload >> 16);
  buf[2] = (guint8) (payload >> 8);
  buf[3] = (guint8) payload;
  buf[4] = sign ? RN_FRAME_SIGNED : 0;
  memcpy (buf + 5, text, tlen);
  free (text);
  if (sign)
    compute_mac (signer->key, buf + 4, 1 + tlen, buf + 5 + tlen);
  return g_bytes_new_take (buf, 4 + payload);
}

GBytes *
rn_frame_encode_raw (const char *type, gint64 seq, const char *body_text, gsize body_len,
                     const RnSigner *signer, gint64 now)
{
  return rn_frame_encode_attached (type, seq, body_text, body_len, NULL, 0, signer, now);
}

void
rn_frame_encode_parts (const char *type, gint64 seq, const char *body_text, gsize body_len,
                       GBytes *attach, const RnSigner *signer, gint64 now, GBytes *parts[3])
{
  gboolean sign = signer != NULL && signer->key != NULL;
  gsize attach_len = attach ? g_bytes_get_size (attach) : 0;
  GString *t = g_string_sized_new (body_len + 256);
  g_string_append_len (t, "\0\0\0\0\0", 5);   /* length prefix and flags, set below */
  g_string_append_printf (t, "{\"v\":%d,\"type\":\"%s\",\"seq\":%" G_GINT64_FORMAT ",\"body\":",
                          RN_PROTO_VERSION, type, seq);
  g_string_append_len (t, body_text, (gssize) body_len);
  if (sign)
    {
      guint8 raw[16];
      if (!random_bytes (raw, sizeof raw))
        memset (raw, 0, sizeof raw);
      g_string_append_printf (t, ",\"auth\":{\"uid\":%u,\"gid\":%u,\"ts\":%" G_GINT64_FORMAT
                              ",\"nonce\":\"", signer->uid, signer->gid, now);
      for (int i = 0; i < 16; i++)
        g_string_append_printf (t, "%02x", raw[i]);
      g_string_append (t, "\"}");
    }
  g_string_append_c (t, '}');
  if (attach)
    {
      t->str[4] |= RN_FRAME_ATTACHED;
      g_string_append_c (t, '\0');
    }
  if (sign)
    t->str[4] |= RN_FRAME_SIGNED;
  gsize payload = t->len - 4 + attach_len + (sign ? RN_MAC_LEN : 0);
  t->str[0] = (char) (payload >> 24);
  t->str[1] = (char) (payload >> 16);
  t->str[2] = (char) (payload >> 8);
  t->str[3] = (char) payload;
  parts[1] = attach ? g_bytes_ref (attach) : NULL;
  parts[2] = NULL;
  if (sign)
    {
      GHmac *h = g_hmac_new (G_CHECKSUM_SHA256, signer->key->bytes, RN_KEY_LEN);
      g_hmac_update (h, (const guint8 *) t->str + 4, (gssize) (t->len - 4));
      if (attach_len)
        g_hmac_update (h, g_bytes_get_data (attach, NULL), (gssize) attach_len);
      guint8 mac[RN_MAC_LEN];
      gsize n = RN_MAC_LEN;
      g_hmac_get_digest (h, mac, &n);
      g_hmac_unref (h);
      parts[2] = g_bytes_new (mac, RN_MAC_LEN);
    }
  gsize len = t->len;
  parts[0] = g_bytes_new_take (g_string_free (t, FALSE), len);
}

GBytes *
rn_frame_encode_attached (const char *type, gint64 seq, const char *body_text,
                          gsize body_len, const void *attach, gsize attach_len,
                          const RnSigner *signer, gint64 now)
{
  g_autoptr (GBytes) a = attach ? g_bytes_new_static (attach, attach_len) : NULL;
  GBytes *parts[3];
  rn_frame_encode_parts (type, seq, body_text, body_len, a, signer, now, parts);
  if (parts[1] == NULL && parts[2] == NULL)
    return parts[0];
  GByteArray *all = g_bytes_unref_to_array (parts[0]);
  for (int i = 1; i < 3; i++)
    if (parts[i])
      {
        gsize n;
        const guint8 *d = g_bytes_get_data (parts[i], &n);
        g_byte_array_append (all, d, (guint) n);
        g_bytes_unref (parts[i]);
      }
  return g_byte_array_free_to_bytes (all);
}

guint32
rn_frame_peek_length (const guint8 *d)
{
  return (guint32) d[0] << 24 | (guint32) d[1] << 16 | (guint32) d[2] << 8 | d[3];
}

/* ---- replay cache ---- */

struct _RnReplayCache {
  GHashTable *seen;     /* nonce string -> timestamp (as pointer-sized int) */
  guint       prune_at; /* size at which the next prune runs */
};

RnReplayCache *
rn_replay_cache_new (void)
{
  RnReplayCache *c = g_new0 (RnReplayCache, 1);
  c->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  c->prune_at = 1024;
  return c;
}

void
rn_replay_cache_free (RnReplayCache *c)
{
  if (c == NULL)
    return;
  g_hash_table_destroy (c->seen);
  g_free (c);
}

static gboolean
expired (gpointer key, gpointer value, gpointer data)
{
  (void) key;
  gint64 ts = GPOINTER_TO_SIZE (value), now = *(gint64 *) data;
  return ts < now - RN_AUTH_WINDOW;
}

/* Remembers `nonce` at `ts`; FALSE if it was seen already. */
static gboolean
replay_check (RnReplayCache *c, const char *nonce, gint64 ts, gint64 now)
{
  if (g_hash_table_contains (c->seen, nonce))
    return FALSE;
  if (g_hash_table_size (c->seen) >= c->prune_at)
    {
      g_hash_table_foreach_remove (c->seen, expired, &now);
      c->prune_at = MAX (1024u, 2 * g_hash_table_size (c->seen));
    }
  g_hash_table_insert (c->seen, g_strdup (nonce), GSIZE_TO_POINTER ((gsize) MAX (ts, 0)));
  return TRUE;
}

/* ---- decoding ---- */

/* The deepest nesting of objects and arrays in `text`, stopping early past `limit`. */
static int
json_depth (const char *text, gsize len, int limit)
{
  int depth = 0, max = 0;
  gboolean in_str = FALSE;
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (in_str)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_str = FALSE;
          continue;
        }
      if (c == '"')
        in_str = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > max)
            max = depth;
          if (max > limit)
            return max;
        }
      else if (c == '}' || c == ']')
        depth--;
    }
  return max;
}

static gboolean
fail (GError **error, int code, const char *fmt, ...) G_GNUC_PRINTF (3, 4);

static gboolean
fail (GError **error, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, RN_ERROR, code, m);
  g_free (m);
  return FALSE;
}

gboolean
rn_frame_decode (const guint8 *payload, gsize len, const RnKey *key, RnReplayCache *cache,
                 gint64 now, RnMsg *msg, GError **error)
{
  memset (msg, 0, sizeof *msg);
  if (len < 3)
    return fail (error, RN_ERROR_PROTOCOL, "frame too short (%zu bytes)", len);
  guint8 flags = payload[0];
  if ((flags & ~(RN_FRAME_SIGNED | RN_FRAME_ATTACHED)) != 0)
    return fail (error, RN_ERROR_PROTOCOL, "unknown frame flags 0x%02x", flags);
  gboolean is_signed = (flags & RN_FRAME_SIGNED) != 0;
  if (key != NULL && !is_signed)
    return fail (error, RN_ERROR_AUTH, "unsigned frame on an authenticated connection");
  if (key == NULL && is_signed)
    return fail (error, RN_ERROR_PROTOCOL, "signed frame where none is expected");
  gsize tlen = len - 1;
  if (is_signed)
    {
      if (tlen < RN_MAC_LEN + 2)
        return fail (error, RN_ERROR_PROTOCOL, "signed frame too short");
      tlen -= RN_MAC_LEN;
      guint8 mac[RN_MAC_LEN];
      compute_mac (key, payload, 1 + tlen, mac);
      guint8 diff = 0;
      for (int i = 0; i < RN_MAC_LEN; i++)
        diff |= mac[i] ^ payload[1 + tlen + i];
      if (diff != 0)
        return fail (error, RN_ERROR_AUTH, "bad signature");
    }
  const char *text = (const char *) payload + 1;
  const char *nul = NULL;
  if (flags & RN_FRAME_ATTACHED)
    {
      nul = memchr (text, '\0', tlen);
      if (nul == NULL)
        return fail (error, RN_ERROR_PROTOCOL, "attached frame without the NUL after its JSON");
      gsize jlen = (gsize) (nul - text);
      msg->attachment = g_bytes_new (nul + 1, tlen - jlen - 1);
      tlen = jlen;
    }
  if (json_depth (text, tlen, RN_MAX_DEPTH) > RN_MAX_DEPTH)
    return fail (error, RN_ERROR_PROTOCOL, "JSON nested deeper than %d", RN_MAX_DEPTH);
  json_error_t jerr;
  json_t *root = json_loadb (text, tlen, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL)
    return fail (error, RN_ERROR_PROTOCOL, "malformed JSON at byte %d: %s", jerr.position,
                 jerr.text);
  msg->root = root;
  if (!json_is_object (root))
    return fail (error, RN_ERROR_PROTOCOL, "the envelope is not a JSON object");
  json_t *v = json_object_get (root, "v");
  if (!json_is_integer (v))
    return fail (error, RN_ERROR_PROTOCOL, "envelope field \"v\": expected an integer");
  if (json_integer_value (v) != RN_PROTO_VERSION)
    return fail (error, RN_ERROR_PROTOCOL, "protocol version %" JSON_INTEGER_FORMAT
                 " not supported (this is version %d)", json_integer_value (v),
                 RN_PROTO_VERSION);
  json_t *type = json_object_get (root, "type");
  if (!json_is_string (type) || json_string_length (type) == 0
      || json_string_length (type) > 64)
    return fail (error, RN_ERROR_PROTOCOL, "envelope field \"type\": expected a message name");
  msg->type = json_string_value (type);
  json_t *seq = json_object_get (root, "seq");
  if (seq != NULL && !json_is_integer (seq))
    return fail (error, RN_ERROR_PROTOCOL, "envelope field \"seq\": expected an integer");
  msg->seq = seq ? json_integer_value (seq) : 0;
  json_t *body = json_object_get (root, "body");
  if (body == NULL)
    {
      body = json_object ();
      json_object_set_new (root, "body", body);
    }
  if (!json_is_object (body))
    return fail (error, RN_ERROR_PROTOCOL, "envelope field \"body\": expected an object");
  msg->body = body;
  if (is_signed)
    {
      json_t *auth = json_object_get (root, "auth");
      json_int_t uid, gid, ts;
      const char *nonce;
      if (!json_is_object (auth)
          || json_unpack (auth, "{s:I, s:I, s:I, s:s}", "uid", &uid, "gid", &gid, "ts", &ts,
                          "nonce", &nonce) != 0
          || uid < 0 || uid > G_MAXUINT32 || gid < 0 || gid > G_MAXUINT32
          || strlen (nonce) != 32)
        return fail (error, RN_ERROR_AUTH,
                     "envelope field \"auth\": expected uid, gid, ts and a 32-digit nonce");
      if (ts < now - RN_AUTH_WINDOW || ts > now + RN_AUTH_WINDOW)
        return fail (error, RN_ERROR_AUTH, "stale signature (timestamp %" JSON_INTEGER_FORMAT
                     ", now %" G_GINT64_FORMAT ")", ts, now);
      if (cache != NULL && !replay_check (cache, nonce, ts, now))
        return fail (error, RN_ERROR_AUTH, "replayed frame (nonce %s seen before)", nonce);
      msg->peer.uid = (guint32) uid;
      msg->peer.gid = (guint32) gid;
      msg->peer.signed_frame = TRUE;
    }
  return TRUE;
}

json_t *
rn_error_body (int code, const char *message)
{
  return json_pack ("{s:i, s:s}", "code", code, "error", message ? message : "error");
}

/* ---- body accessors ---- */

gboolean
rn_body_get_int (json_t *body, const char *field, gboolean required, gint64 min, gint64 max,
                 gint64 *out, GError **error)
{
  json_t *v = json_object_get (body, field);
  if (v == NULL || json_is_null (v))
    {
      if (required)
        return fail (error, RN_ERROR_INVALID, "field \"%s\": missing", field);
      return TRUE;
    }
  if (!json_is_integer (v))
    return fail (error, RN_ERROR_INVALID, "field \"%s\": expected an integer", field);
  gint64 x = json_integer_value (v);
  if (x < min || x > max)
    return fail (error, RN_ERROR_INVALID, "field \"%s\": %" G_GINT64_FORMAT
                 " is out of range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]",
                 field, x, min, max);
  *out = x;
  return TRUE;
}

gboolean
rn_body_get_string (json_t *body, const char *field, gboolean required, const char **out,
                    GError **error)
{
  json_t *v = json_object_get (body, field);
  if (v == NULL || json_is_null (v))
    {
      if (required)
        return fail (error, RN_ERROR_INVALID, "field \"%s\": missing", field);
      return TRUE;
    }
  if (!json_is_string (v))
    return fail (error, RN_ERROR_INVALID, "field \"%s\": expected a string", field);
  *out = json_string_value (v);
  return TRUE;
}

gboolean
rn_body_get_strv (json_t *body, const char *field, GPtrArray **out, GError **error)
{
  json_t *v = json_object_get (body, field);
  *out = NULL;
  if (v == NULL || json_is_null (v))
    return TRUE;
  if (!json_is_array (v))
    return fail (error, RN_ERROR_INVALID, "field \"%s\": expected an array of strings", field);
  GPtrArray *a = g_ptr_array_new ();
  size_t i;
  json_t *e;
  json_array_foreach (v, i, e)
    {
      if (!json_is_string (e))
        {
          g_ptr_array_unref (a);
          return fail (error, RN_ERROR_INVALID, "field \"%s\"[%zu]: expected a string", field,
                       i);
        }
      g_ptr_array_add (a, (gpointer) json_string_value (e));
    }
  *out = a;
  return TRUE;
}

gboolean
rn_body_get_bool (json_t *body, const char *field, gboolean dflt, gboolean *out,
                  GError **error)
{
  json_t *v = json_object_get (body, field);
  if (v == NULL || json_is_null (v))
    {
      *out = dflt;
      return TRUE;
    }
  if (!json_is_boolean (v))
    return fail (error, RN_ERROR_INVALID, "field \"%s\": expected true or false", field);
  *out = json_is_true (v);
  return TRUE;
}
