/* SPDX-License-Identifier: MIT */
/* tests/realnet/test-proto.c - frames, signatures, replay and the event-driven connection
 * layer, without daemons: encode/decode round trips, every refusal rule of the decoder,
 * key files, and an RnNet server on loopback talking to blocking clients (limits on
 * frame size, connections and slow peers). */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <unistd.h>

#include "realnet/client.h"
#include "realnet/conn.h"
#include "realnet/proto.h"

static RnKey key = { { 0x11, 0x22, 0x33, 0x44 } };

static gboolean
decode_bytes (GBytes *frame, const RnKey *k, RnReplayCache *cache, gint64 now, RnMsg *msg,
              GError **error)
{
  gsize len;
  const guint8 *d = g_bytes_get_data (frame, &len);
  g_assert_cmpuint (len, >=, 4);
  g_assert_cmpuint (rn_frame_peek_length (d), ==, len - 4);
  return rn_frame_decode (d + 4, len - 4, k, cache, now, msg, error);
}

static void
test_roundtrip_unsigned (void)
{
  json_t *body = json_pack ("{s:i,s:s,s:[i,i]}", "a", 1, "b", "x\"y", "c", 2, 3);
  g_autoptr (GBytes) f = rn_frame_encode ("submit", 42, body, NULL, 0);
  RnMsg msg;
  g_autoptr (GError) err = NULL;
  g_assert_true (decode_bytes (f, NULL, NULL, 0, &msg, &err));
  g_assert_no_error (err);
  g_assert_cmpstr (msg.type, ==, "submit");
  g_assert_cmpint (msg.seq, ==, 42);
  g_assert_true (json_equal (msg.body, body));
  g_assert_false (msg.peer.signed_frame);
  rn_msg_clear (&msg);
  json_decref (body);
}

static void
test_roundtrip_signed (void)
{
  RnSigner s = { &key, 1234, 99 };
  g_autoptr (RnReplayCache) cache = rn_replay_cache_new ();
  g_autoptr (GBytes) f = rn_frame_encode ("ping", 7, NULL, &s, 1000000);
  RnMsg msg;
  g_autoptr (GError) err = NULL;
  g_assert_true (decode_bytes (f, &key, cache, 1000010, &msg, &err));
  g_assert_true (msg.peer.signed_frame);
  g_assert_cmpuint (msg.peer.uid, ==, 1234);
  g_assert_cmpuint (msg.peer.gid, ==, 99);
  g_assert_true (json_is_object (msg.body));
  rn_msg_clear (&msg);
  /* the same bytes again: a replay */
  g_assert_false (decode_bytes (f, &key, cache, 1000010, &msg, &err));
  g_assert_error (err, RN_ERROR, RN_ERROR_AUTH);
  g_assert_nonnull (strstr (err->message, "replayed"));
  rn_msg_clear (&msg);
}

static void
test_signature_rules (void)
{
  RnSigner s = { &key, 0, 0 };
  g_autoptr (GBytes) f = rn_frame_encode ("ping", 1, NULL, &s, 5000);
  RnMsg msg;
  /* stale and future timestamps */
  g_autoptr (GError) e1 = NULL;
  g_assert_false (decode_bytes (f, &key, NULL, 5000 + RN_AUTH_WINDOW + 1, &msg, &e1));
  g_assert_nonnull (strstr (e1->message, "stale"));
  rn_msg_clear (&msg);
  g_autoptr (GError) e2 = NULL;
  g_assert_false (decode_bytes (f, &key, NULL, 5000 - RN_AUTH_WINDOW - 1, &msg, &e2));
  rn_msg_clear (&msg);
  /* the window's edge is inside */
  g_autoptr (GError) e3 = NULL;
  g_assert_true (decode_bytes (f, &key, NULL, 5000 + RN_AUTH_WINDOW, &msg, &e3));
  rn_msg_clear (&msg);
  /* another key */
  RnKey other = key;
  other.bytes[31] ^= 1;
  g_autoptr (GError) e4 = NULL;
  g_assert_false (decode_bytes (f, &other, NULL, 5000, &msg, &e4));
  g_assert_nonnull (strstr (e4->message, "bad signature"));
  rn_msg_clear (&msg);
  /* any flipped bit of the payload breaks the MAC */
  gsize len;
  const guint8 *d = g_bytes_get_data (f, &len);
  for (gsize i = 5; i < len; i += 7)
    {
      g_autofree guint8 *copy = g_memdup2 (d, len);
      copy[i] ^= 0x20;
      g_autoptr (GError) e = NULL;
      g_assert_false (rn_frame_decode (copy + 4, len - 4, &key, NULL, 5000, &msg, &e));
      g_assert_nonnull (e);
      rn_msg_clear (&msg);
    }
  /* unsigned where a key is expected, signed where none is */
  g_autoptr (GBytes) plain = rn_frame_encode ("ping", 1, NULL, NULL, 0);
  g_autoptr (GError) e5 = NULL;
  g_assert_false (decode_bytes (plain, &key, NULL, 0, &msg, &e5));
  g_assert_error (e5, RN_ERROR, RN_ERROR_AUTH);
  rn_msg_clear (&msg);
  g_autoptr (GError) e6 = NULL;
  g_assert_false (decode_bytes (f, NULL, NULL, 5000, &msg, &e6));
  rn_msg_clear (&msg);
}

/* A payload made of a flags byte and `json`. */
static gboolean
decode_text (const char *json, GError **error)
{
  gsize n = strlen (json);
  g_autofree guint8 *p = g_malloc (n + 1);
  p[0] = 0;
  memcpy (p + 1, json, n);
  RnMsg msg;
  gboolean ok = rn_frame_decode (p, n + 1, NULL, NULL, 0, &msg, error);
  rn_msg_clear (&msg);
  return ok;
}

static void
test_envelope_rules (void)
{
  static const struct { const char *json; const char *msg; } bad[] = {
    { "not json", "malformed JSON" },
    { "[1,2]", "not a JSON object" },
    { "{\"type\":\"x\"}", "\"v\"" },
    { "{\"v\":2,\"type\":\"x\"}", "version 2" },
    { "{\"v\":1}", "\"type\"" },
    { "{\"v\":1,\"type\":\"\"}", "\"type\"" },
    { "{\"v\":1,\"type\":5}", "\"type\"" },
    { "{\"v\":1,\"type\":\"x\",\"seq\":\"1\"}", "\"seq\"" },
    { "{\"v\":1,\"type\":\"x\",\"body\":[]}", "\"body\"" },
    { "{\"v\":1,\"type\":\"x\",\"type\":\"y\"}", "malformed" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) err = NULL;
      g_assert_false (decode_text (bad[i].json, &err));
      g_assert_nonnull (err);
      if (strstr (err->message, bad[i].msg) == NULL)
        g_error ("%s: got \"%s\", expected \"%s\"", bad[i].json, err->message, bad[i].msg);
    }
  g_autoptr (GError) ok_err = NULL;
  g_assert_true (decode_text ("{\"v\":1,\"type\":\"x\"}", &ok_err));
  /* nesting: 32 levels pass, 33 do not; brackets inside strings do not count */
  GString *s = g_string_new ("{\"v\":1,\"type\":\"x\",\"body\":{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\",\"b\":");
  for (int i = 0; i < 30; i++)
    g_string_append_c (s, '[');
  for (int i = 0; i < 30; i++)
    g_string_append_c (s, ']');
  g_string_append (s, "}}");
  g_autoptr (GError) e32 = NULL;
  g_assert_true (decode_text (s->str, &e32));
  g_string_insert_c (s, strlen ("{\"v\":1,\"type\":\"x\",\"body\":{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\",\"b\":"), '[');
  g_string_insert_c (s, s->len - 2, ']');
  g_autoptr (GError) e33 = NULL;
  g_assert_false (decode_text (s->str, &e33));
  g_assert_nonnull (strstr (e33->message, "nested deeper"));
  g_string_free (s, TRUE);
  /* bad flags, too short */
  guint8 flags_only[] = { 0x80, '{', '}' };
  RnMsg msg;
  g_autoptr (GError) ef = NULL;
  g_assert_false (rn_frame_decode (flags_only, sizeof flags_only, NULL, NULL, 0, &msg, &ef));
  rn_msg_clear (&msg);
  g_autoptr (GError) es = NULL;
  g_assert_false (rn_frame_decode (flags_only, 1, NULL, NULL, 0, &msg, &es));
  rn_msg_clear (&msg);
}

static void
test_attachment (void)
{
  static const char text[] = "line one\nline \"two\"\n\\ and bytes \001\377";
  RnSigner sg = { &key, 5, 6 };
  for (int signed_ = 0; signed_ < 2; signed_++)
    {
      g_autoptr (GBytes) f = rn_frame_encode_attached ("jobs_text", 9, "{\"time\":1}", 10, text,
                                                       sizeof text - 1, signed_ ? &sg : NULL,
                                                       777);
      RnMsg msg;
      g_autoptr (GError) err = NULL;
      g_assert_true (decode_bytes (f, signed_ ? &key : NULL, NULL, 777, &msg, &err));
      g_assert_no_error (err);
      g_assert_cmpstr (msg.type, ==, "jobs_text");
      g_assert_cmpint (json_integer_value (json_object_get (msg.body, "time")), ==, 1);
      g_assert_nonnull (msg.attachment);
      gsize n;
      const void *d = g_bytes_get_data (msg.attachment, &n);
      g_assert_cmpmem (d, n, text, sizeof text - 1);
      rn_msg_clear (&msg);
      /* the MAC covers the attachment too */
      if (signed_)
        {
          gsize len;
          const guint8 *raw = g_bytes_get_data (f, &len);
          g_autofree guint8 *copy = g_memdup2 (raw, len);
          copy[len - RN_MAC_LEN - 3] ^= 1;
          g_autoptr (GError) e2 = NULL;
          g_assert_false (rn_frame_decode (copy + 4, len - 4, &key, NULL, 777, &msg, &e2));
          g_assert_nonnull (strstr (e2->message, "bad signature"));
          rn_msg_clear (&msg);
        }
    }
  /* in pieces: the attachment is shared, not copied, and the pieces make the same frame
   * (same nonce source aside: compare unsigned, and decode the signed one) */
  g_autoptr (GBytes) shared = g_bytes_new_static (text, sizeof text - 1);
  for (int signed_ = 0; signed_ < 2; signed_++)
    {
      GBytes *parts[3];
      rn_frame_encode_parts ("jobs_text", 9, "{\"time\":1}", 10, shared,
                             signed_ ? &sg : NULL, 777, parts);
      g_assert_true (parts[1] == shared);
      g_assert_true ((parts[2] != NULL) == signed_);
      GByteArray *all = g_byte_array_new ();
      for (int i = 0; i < 3; i++)
        if (parts[i])
          {
            gsize n;
            const guint8 *d = g_bytes_get_data (parts[i], &n);
            g_byte_array_append (all, d, (guint) n);
            g_bytes_unref (parts[i]);
          }
      g_autoptr (GBytes) f = g_byte_array_free_to_bytes (all);
      if (!signed_)
        {
          g_autoptr (GBytes) whole = rn_frame_encode_attached ("jobs_text", 9, "{\"time\":1}", 10,
                                                               text, sizeof text - 1, NULL, 777);
          g_assert_true (g_bytes_equal (f, whole));
        }
      RnMsg pm;
      g_autoptr (GError) pe = NULL;
      g_assert_true (decode_bytes (f, signed_ ? &key : NULL, NULL, 777, &pm, &pe));
      g_assert_no_error (pe);
      gsize n;
      const void *d = g_bytes_get_data (pm.attachment, &n);
      g_assert_cmpmem (d, n, text, sizeof text - 1);
      rn_msg_clear (&pm);
    }
  /* the flag without the NUL separator is malformed */
  static const char bad[] = "\x02{\"v\":1,\"type\":\"x\"}";
  RnMsg msg;
  g_autoptr (GError) e3 = NULL;
  g_assert_false (rn_frame_decode ((const guint8 *) bad, sizeof bad - 1, NULL, NULL, 0, &msg, &e3));
  g_assert_nonnull (strstr (e3->message, "NUL"));
  rn_msg_clear (&msg);
}

static void
test_body_accessors (void)
{
  json_t *b = json_pack ("{s:i,s:s,s:[s,i],s:b}", "n", 5, "s", "x", "l", "a", 1, "t", 1);
  gint64 n = 0;
  const char *s = NULL;
  GPtrArray *l = NULL;
  gboolean t = FALSE;
  g_autoptr (GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL, e5 = NULL;
  g_assert_true (rn_body_get_int (b, "n", TRUE, 0, 10, &n, NULL));
  g_assert_cmpint (n, ==, 5);
  g_assert_false (rn_body_get_int (b, "n", TRUE, 6, 10, &n, &e1));
  g_assert_nonnull (strstr (e1->message, "out of range"));
  g_assert_false (rn_body_get_int (b, "s", TRUE, 0, 10, &n, &e2));
  g_assert_nonnull (strstr (e2->message, "field \"s\": expected an integer"));
  g_assert_false (rn_body_get_int (b, "missing", TRUE, 0, 10, &n, &e3));
  g_assert_true (rn_body_get_int (b, "missing", FALSE, 0, 10, &n, NULL));
  g_assert_true (rn_body_get_string (b, "s", TRUE, &s, NULL));
  g_assert_cmpstr (s, ==, "x");
  g_assert_false (rn_body_get_strv (b, "l", &l, &e4));
  g_assert_nonnull (strstr (e4->message, "\"l\"[1]"));
  g_assert_true (rn_body_get_bool (b, "t", FALSE, &t, NULL));
  g_assert_true (t);
  g_assert_false (rn_body_get_bool (b, "n", FALSE, &t, &e5));
  json_decref (b);
}

static void
test_key_files (void)
{
  g_autofree char *dir = g_dir_make_tmp ("sluice-key-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "k", NULL);
  g_assert_true (rn_key_generate (path, NULL));
  struct stat st;
  g_assert_cmpint (stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  RnKey a, b;
  g_assert_true (rn_key_load (&a, path, NULL));
  g_assert_false (rn_key_generate (path, NULL));   /* never overwrites */
  g_assert_true (rn_key_load (&b, path, NULL));
  g_assert_cmpmem (a.bytes, RN_KEY_LEN, b.bytes, RN_KEY_LEN);
  chmod (path, 0644);
  g_autoptr (GError) e1 = NULL;
  g_assert_false (rn_key_load (&a, path, &e1));
  g_assert_nonnull (strstr (e1->message, "readable by others"));
  g_autofree char *bad = g_build_filename (dir, "bad", NULL);
  g_file_set_contents (bad, "xyz\n", -1, NULL);
  chmod (bad, 0600);
  g_autoptr (GError) e2 = NULL;
  g_assert_false (rn_key_load (&a, bad, &e2));
  g_assert_nonnull (strstr (e2->message, "hexadecimal"));
  g_unlink (path);
  g_unlink (bad);
  g_rmdir (dir);
}

/* ---- RnNet on loopback ---- */

typedef struct {
  GMainLoop *loop;
  guint      n_msgs;
  guint      n_closed;
  char      *last_close;
} Server;

static void
server_msg (RnConn *conn, RnMsg *msg, gpointer data)
{
  Server *s = data;
  s->n_msgs++;
  rn_conn_send_new (conn, "echo", msg->seq, json_pack ("{s:O,s:I}", "got", msg->body, "uid",
                                                       (json_int_t) msg->peer.uid));
}

static gboolean
quit_later (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

typedef struct {
  guint16     port;
  const char *unix_path;
  int         mode;
  gboolean    ok;
  char       *detail;
} ClientJob;

/* Runs in a thread: the blocking client side of each scenario. */
static gpointer
client_thread (gpointer data)
{
  ClientJob *j = data;
  g_autoptr (GError) err = NULL;
  switch (j->mode)
    {
    case 0: /* signed TCP request/reply */
      {
        g_autoptr (RnClient) c = rn_client_connect_tcp ("127.0.0.1", j->port, &key, 77, 7, &err);
        json_t *b = json_pack ("{s:i}", "x", 1);
        json_t *r = c ? rn_client_call (c, "hello", b, NULL, &err) : NULL;
        json_decref (b);
        j->ok = r && json_integer_value (json_object_get (r, "uid")) == 77
                && json_integer_value (json_object_get (json_object_get (r, "got"), "x")) == 1;
        if (r)
          json_decref (r);
        break;
      }
    case 1: /* Unix socket: the kernel's uid */
      {
        g_autoptr (RnClient) c = rn_client_connect_unix (j->unix_path, &err);
        json_t *r = c ? rn_client_call (c, "hello", NULL, NULL, &err) : NULL;
        j->ok = r && json_integer_value (json_object_get (r, "uid")) == (json_int_t) getuid ();
        if (r)
          json_decref (r);
        break;
      }
    case 2: /* oversized frame: an error reply, then the server hangs up */
      {
        int fd = socket (AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (j->port),
                                  .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
        guint32 big = RN_MAX_REQUEST + 1;
        guint8 hdr[6] = { (guint8) (big >> 24), (guint8) (big >> 16), (guint8) (big >> 8),
                          (guint8) big, 1, '{' };
        GByteArray *got = g_byte_array_new ();
        if (connect (fd, (struct sockaddr *) &sa, sizeof sa) == 0
            && send (fd, hdr, sizeof hdr, 0) == (ssize_t) sizeof hdr)
          {
            guint8 buf[4096];
            ssize_t n;
            while ((n = recv (fd, buf, sizeof buf, 0)) > 0)
              g_byte_array_append (got, buf, (guint) n);
          }
        close (fd);
        j->ok = got->len > 5 && memmem (got->data, got->len, "refused", 7) != NULL;
        j->detail = g_strdup_printf ("%u bytes back", got->len);
        g_byte_array_unref (got);
        break;
      }
    }
  return NULL;
}

static void
run_scenario (int mode, gboolean *ok, char **detail)
{
  Server s = { 0 };
  s.loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (RnNet) net = rn_net_new (&key, 0, 0);
  guint16 port = 0;
  g_assert_true (rn_net_listen_tcp (net, "127.0.0.1", 0, &port, server_msg, &s, NULL));
  g_autofree char *dir = g_dir_make_tmp ("sluice-net-XXXXXX", NULL);
  g_autofree char *sock = g_build_filename (dir, "s.sock", NULL);
  g_assert_true (rn_net_listen_unix (net, sock, server_msg, &s, NULL));
  ClientJob j = { port, sock, mode, FALSE, NULL };
  GThread *t = g_thread_new ("client", client_thread, &j);
  /* serve until the client thread is done */
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_atomic_pointer_get (&j.detail) == NULL && !j.ok && g_get_monotonic_time () < deadline)
    {
      g_timeout_add (20, quit_later, s.loop);
      g_main_loop_run (s.loop);
      if (mode != 2 && s.n_msgs > 0)
        {
          for (int i = 0; i < 5; i++)
            {
              g_timeout_add (10, quit_later, s.loop);
              g_main_loop_run (s.loop);
            }
          break;
        }
    }
  g_thread_join (t);
  *ok = j.ok;
  if (detail)
    *detail = j.detail;
  else
    g_free (j.detail);
  g_unlink (sock);
  g_rmdir (dir);
  g_main_loop_unref (s.loop);
}

static void
test_net_signed_tcp (void)
{
  gboolean ok;
  run_scenario (0, &ok, NULL);
  g_assert_true (ok);
}

static void
test_net_unix_peercred (void)
{
  gboolean ok;
  run_scenario (1, &ok, NULL);
  g_assert_true (ok);
}

static void
test_net_oversized (void)
{
  gboolean ok;
  g_autofree char *detail = NULL;
  run_scenario (2, &ok, &detail);
  if (!ok)
    g_error ("oversized frame: %s", detail);
}

static void
test_net_connection_limit (void)
{
  Server s = { 0 };
  s.loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (RnNet) net = rn_net_new (&key, 0, 0);
  RnNetLimits lim = { 3, RN_MAX_REQUEST, 1, 0, 1 << 20 };
  rn_net_set_limits (net, &lim);
  guint16 port = 0;
  g_assert_true (rn_net_listen_tcp (net, "127.0.0.1", 0, &port, server_msg, &s, NULL));
  int fds[6];
  for (int i = 0; i < 6; i++)
    {
      fds[i] = socket (AF_INET, SOCK_STREAM, 0);
      struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (port),
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
      g_assert_cmpint (connect (fds[i], (struct sockaddr *) &sa, sizeof sa), ==, 0);
      g_assert_cmpint (send (fds[i], "\0\0", 2, 0), ==, 2);   /* half a length prefix */
    }
  for (int i = 0; i < 10; i++)
    {
      g_timeout_add (20, quit_later, s.loop);
      g_main_loop_run (s.loop);
    }
  g_assert_cmpuint (rn_net_n_conns (net), <=, 3);
  /* the slow ones are dropped after the partial-frame timeout (1 s here) */
  for (int i = 0; i < 80 && rn_net_n_conns (net) > 0; i++)
    {
      g_timeout_add (25, quit_later, s.loop);
      g_main_loop_run (s.loop);
    }
  g_assert_cmpuint (rn_net_n_conns (net), ==, 0);
  for (int i = 0; i < 6; i++)
    close (fds[i]);
  g_main_loop_unref (s.loop);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/proto/roundtrip-unsigned", test_roundtrip_unsigned);
  g_test_add_func ("/proto/roundtrip-signed", test_roundtrip_signed);
  g_test_add_func ("/proto/signature-rules", test_signature_rules);
  g_test_add_func ("/proto/envelope-rules", test_envelope_rules);
  g_test_add_func ("/proto/attachment", test_attachment);
  g_test_add_func ("/proto/body-accessors", test_body_accessors);
  g_test_add_func ("/proto/key-files", test_key_files);
  g_test_add_func ("/net/signed-tcp", test_net_signed_tcp);
  g_test_add_func ("/net/unix-peercred", test_net_unix_peercred);
  g_test_add_func ("/net/oversized-frame", test_net_oversized);
  g_test_add_func ("/net/connection-limit-slow-peers", test_net_connection_limit);
  return g_test_run ();
}
