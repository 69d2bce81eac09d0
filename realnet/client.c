/* SPDX-License-Identifier: MIT */
/* realnet/client.c - blocking client connection (see client.h). */
#include "realnet/client.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct _RnClient {
  int            fd;
  gboolean       tcp;
  RnKey          key;
  RnSigner       signer;
  RnReplayCache *replay;
  gint64         seq;
  GByteArray    *in;
};

static RnClient *
client_new (int fd, gboolean tcp, const RnKey *key, guint32 uid, guint32 gid)
{
  RnClient *c = g_new0 (RnClient, 1);
  c->fd = fd;
  c->tcp = tcp;
  if (key)
    c->key = *key;
  c->signer.key = tcp ? &c->key : NULL;
  c->signer.uid = uid;
  c->signer.gid = gid;
  c->replay = rn_replay_cache_new ();
  c->in = g_byte_array_new ();
  return c;
}

void
rn_client_free (RnClient *c)
{
  if (c == NULL)
    return;
  if (c->fd >= 0)
    close (c->fd);
  rn_replay_cache_free (c->replay);
  g_byte_array_unref (c->in);
  g_free (c);
}

int
rn_client_fd (const RnClient *c)
{
  return c->fd;
}

RnClient *
rn_client_connect_unix (const char *path, GError **error)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "%s: socket path too long", path);
      return NULL;
    }
  strcpy (sa.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *) &sa, sizeof sa) != 0)
    {
      int e = errno;
      if (fd >= 0)
        close (fd);
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "%s: %s", path, g_strerror (e));
      return NULL;
    }
  return client_new (fd, FALSE, NULL, 0, 0);
}

RnClient *
rn_client_connect_tcp (const char *host, guint16 port, const RnKey *key, guint32 uid,
                       guint32 gid, GError **error)
{
  struct addrinfo hints = { 0 }, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  char serv[16];
  g_snprintf (serv, sizeof serv, "%u", port);
  int rc = getaddrinfo (host, serv, &hints, &res);
  if (rc != 0)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "%s: %s", host, gai_strerror (rc));
      return NULL;
    }
  int fd = -1, e = 0;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
      if (fd >= 0 && connect (fd, ai->ai_addr, ai->ai_addrlen) == 0)
        break;
      e = errno;
      if (fd >= 0)
        close (fd);
      fd = -1;
    }
  freeaddrinfo (res);
  if (fd < 0)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "connect to %s:%u: %s", host, port,
                   g_strerror (e));
      return NULL;
    }
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return client_new (fd, TRUE, key, uid, gid);
}

RnClient *
rn_client_connect (const RnConfig *cfg, GError **error)
{
  g_autoptr (GError) uerr = NULL;
  RnClient *c = rn_client_connect_unix (cfg->socket_path, &uerr);
  if (c)
    return c;
  RnKey key;
  g_autoptr (GError) kerr = NULL;
  if (!rn_key_load (&key, cfg->key_path, &kerr))
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT,
                   "Unable to contact slurm controller (connect failure): %s; and no key "
                   "for TCP (%s)", uerr->message, kerr->message);
      return NULL;
    }
  return rn_client_connect_tcp (cfg->ctld_addr, cfg->ctld_port, &key, getuid (), getgid (),
                                error);
}

gboolean
rn_client_send (RnClient *c, const char *type, json_t *body, GError **error)
{
  GBytes *b = rn_frame_encode (type, ++c->seq, body, &c->signer,
                               g_get_real_time () / G_USEC_PER_SEC);
  gsize len;
  const guint8 *d = g_bytes_get_data (b, &len);
  gsize off = 0;
  while (off < len)
    {
      ssize_t n = send (c->fd, d + off, len - off, MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "send: %s", g_strerror (errno));
          g_bytes_unref (b);
          return FALSE;
        }
      off += (gsize) n;
    }
  g_bytes_unref (b);
  return TRUE;
}

gboolean
rn_client_recv (RnClient *c, RnMsg *msg, int timeout_ms, GError **error)
{
  gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  for (;;)
    {
      if (c->in->len >= 4)
        {
          guint32 len = rn_frame_peek_length (c->in->data);
          if (len == 0 || len > RN_MAX_REPLY)
            {
              g_set_error (error, RN_ERROR, RN_ERROR_PROTOCOL, "reply frame of %u bytes", len);
              return FALSE;
            }
          if (c->in->len >= 4 + (gsize) len)
            {
              GError *derr = NULL;
              gboolean ok = rn_frame_decode (c->in->data + 4, len, c->tcp ? &c->key : NULL,
                                             c->replay, g_get_real_time () / G_USEC_PER_SEC,
                                             msg, &derr);
              if (!ok)
                {
                  /* The one unsigned frame a TCP peer may get: a daemon over its connection
                   * limit says so before it knows who we are. */
                  RnMsg busy;
                  if (c->tcp && rn_frame_decode (c->in->data + 4, len, NULL, NULL, 0, &busy, NULL)
                      && g_str_equal (busy.type, "error")
                      && json_integer_value (json_object_get (busy.body, "code")) == RN_ERROR_BUSY)
                    {
                      g_clear_error (&derr);
                      g_set_error (&derr, RN_ERROR, RN_ERROR_BUSY, "%s",
                                   json_is_string (json_object_get (busy.body, "error"))
                                   ? json_string_value (json_object_get (busy.body, "error"))
                                   : "too many connections");
                    }
                  rn_msg_clear (&busy);
                  rn_msg_clear (msg);   /* a failed decode may leave the envelope */
                  g_propagate_error (error, derr);
                }
              g_byte_array_remove_range (c->in, 0, 4 + len);
              return ok;
            }
        }
      int wait = -1;
      if (deadline >= 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();
          if (left <= 0)
            {
              g_set_error (error, RN_ERROR, RN_ERROR_TIMEOUT, "timed out");
              return FALSE;
            }
          wait = (int) MIN (left / 1000 + 1, G_MAXINT);
        }
      struct pollfd p = { .fd = c->fd, .events = POLLIN };
      int rc = poll (&p, 1, wait);
      if (rc < 0 && errno == EINTR)
        continue;
      if (rc == 0)
        continue;
      guint8 buf[65536];
      ssize_t n = recv (c->fd, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          g_set_error (error, RN_ERROR, RN_ERROR_CONNECT,
                       "Unable to contact slurm controller (connection closed)");
          return FALSE;
        }
      g_byte_array_append (c->in, buf, (guint) n);
    }
}

static json_t *
client_call (RnClient *c, const char *type, json_t *body, char **reply_type,
             GBytes **attachment, GError **error)
{
  if (attachment)
    *attachment = NULL;
  if (!rn_client_send (c, type, body, error))
    return NULL;
  gint64 seq = c->seq;
  for (;;)
    {
      RnMsg msg;
      if (!rn_client_recv (c, &msg, -1, error))
        return NULL;
      if (msg.seq != seq && msg.seq != 0)
        {
          rn_msg_clear (&msg);   /* a pushed frame for someone else: not ours */
          continue;
        }
      if (g_str_equal (msg.type, "error"))
        {
          json_t *code = json_object_get (msg.body, "code");
          json_t *m = json_object_get (msg.body, "error");
          g_set_error_literal (error, RN_ERROR,
                               json_is_integer (code) ? (int) json_integer_value (code)
                                                      : RN_ERROR_INTERNAL,
                               json_is_string (m) ? json_string_value (m) : "error");
          rn_msg_clear (&msg);
          return NULL;
        }
      if (reply_type)
        *reply_type = g_strdup (msg.type);
      if (attachment)
        *attachment = g_steal_pointer (&msg.attachment);
      json_t *b = json_incref (msg.body);
      rn_msg_clear (&msg);
      return b;
    }
}

json_t *
rn_client_call (RnClient *c, const char *type, json_t *body, char **reply_type,
                GError **error)
{
  return client_call (c, type, body, reply_type, NULL, error);
}

json_t *
rn_client_call_attached (RnClient *c, const char *type, json_t *body, GBytes **attachment,
                         GError **error)
{
  return client_call (c, type, body, NULL, attachment, error);
}
