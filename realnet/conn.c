/* SPDX-License-Identifier: MIT */
/* realnet/conn.c - framed connections on the GLib main loop (see conn.h).
 *
 * Plain non-blocking file descriptors watched with g_unix_fd_add: one read watch per
 * connection for its life, a write watch only while output is queued.  Input accumulates
 * in one buffer per connection, bounded by the frame limit; complete frames are decoded and
 * dispatched in order.  A sweep every second closes peers that hold a frame half-sent too
 * long (slow-loris), accepted peers that have not completed their first frame within the
 * same delay (idle connections held open to use up the connection limit), and peers idle
 * past the idle limit.
 *
 * Connection budgets, checked at accept: at most `max_conns` in all, capped below the
 * process's file limit (RLIMIT_NOFILE less a reserve for the daemon's own files); on a Unix
 * socket at most 1/8 of that per uid other than root; on TCP at most 1/4 of it in
 * connections that have not yet delivered a valid (signed) frame.  So a local user, or
 * anyone who can reach the port without the key, cannot take every connection.  When
 * accept fails for want of file descriptors, a spare descriptor is given up to accept and
 * drop the pending peer, so that the listener does not spin. */
#include "realnet/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/un.h>
#include <unistd.h>

typedef struct {
  RnNet    *net;
  int       fd;
  guint     watch;
  gboolean  is_unix;
  RnMsgFunc func;
  gpointer  data;
} Listener;

struct _RnNet {
  RnKey           key;
  gboolean        has_key;
  RnSigner        signer;
  RnReplayCache  *replay;
  RnNetLimits     limits;
  GHashTable     *conns;      /* RnConn* set (a reference each) */
  GPtrArray      *listeners;
  guint           sweep;
  guint           fd_cap;     /* connections the file limit allows */
  guint           n_unproven; /* accepted TCP connections without a valid frame yet */
  GHashTable     *per_uid;    /* Unix peer uid -> open connections (GUINT_TO_POINTER) */
  int             spare_fd;   /* given up when accept runs out of descriptors */
  RnRefuseFunc    refuse_func;  /* told of every refused frame, for the log */
  gpointer        refuse_data;
};

struct _RnConn {
  int          ref;
  RnNet       *net;
  int          fd;
  gboolean     is_unix;
  gboolean     connecting;
  gboolean     closing;      /* stop reading; close once output is flushed */
  gboolean     closed;
  guint        read_watch;
  guint        write_watch;
  GByteArray  *in;
  gsize        in_off;
  GQueue       out;          /* GBytes* */
  gsize        out_off;      /* bytes of the head already written */
  gsize        out_bytes;
  RnPeer       peer;         /* Unix: SO_PEERCRED */
  char        *peer_name;
  char        *peer_host;
  gint64       partial_since; /* monotonic µs when the frame now being received began (or
                                 * the connection was accepted, until its first frame); 0 if
                                 * none is pending */
  gboolean     accepted;     /* from a listener (not rn_net_connect_tcp) */
  gboolean     proven;       /* a valid frame arrived (or we made the connection) */
  gint64       last_activity;
  RnMsgFunc    func;
  gpointer     func_data;
  RnCloseFunc  close_func;
  gpointer     close_data;
  gpointer     user;
  char        *close_reason;
};

static void conn_close_now (RnConn *c, const char *reason);
static void conn_flush (RnConn *c);

static gint64
now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static gboolean
sweep_cb (gpointer data)
{
  RnNet *net = data;
  gint64 now = g_get_monotonic_time ();
  GPtrArray *victims = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init (&it, net->conns);
  while (g_hash_table_iter_next (&it, &k, NULL))
    {
      RnConn *c = k;
      if (c->partial_since
          && now - c->partial_since > (gint64) net->limits.partial_timeout_s * G_USEC_PER_SEC)
        g_ptr_array_add (victims, c);
      else if (net->limits.idle_timeout_s && c->out_bytes == 0
               && now - c->last_activity > (gint64) net->limits.idle_timeout_s * G_USEC_PER_SEC)
        g_ptr_array_add (victims, c);
    }
  for (guint i = 0; i < victims->len; i++)
    {
      RnConn *c = victims->pdata[i];
      conn_close_now (c, !c->partial_since ? "idle"
                         : c->proven ? "frame not completed in time"
                                     : "no request in time");
    }
  g_ptr_array_unref (victims);
  return G_SOURCE_CONTINUE;
}

RnNet *
rn_net_new (const RnKey *key, guint32 uid, guint32 gid)
{
  RnNet *net = g_new0 (RnNet, 1);
  if (key)
    {
      net->key = *key;
      net->has_key = TRUE;
    }
  net->signer.key = key ? &net->key : NULL;
  net->signer.uid = uid;
  net->signer.gid = gid;
  net->replay = rn_replay_cache_new ();
  net->limits = (RnNetLimits) { 4096, RN_MAX_REQUEST, 10, 0, (gsize) 1 << 30 };
  net->conns = g_hash_table_new (NULL, NULL);
  net->listeners = g_ptr_array_new ();
  net->sweep = g_timeout_add_seconds (1, sweep_cb, net);
  net->per_uid = g_hash_table_new (NULL, NULL);
  net->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  /* keep 64 descriptors for the daemon's own files, pipes and outgoing connections */
  struct rlimit rl;
  rlim_t files = getrlimit (RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
  if (files == RLIM_INFINITY || files > G_MAXUINT)
    files = G_MAXUINT;
  net->fd_cap = files > 128 ? (guint) files - 64 : (guint) files / 2;
  return net;
}

/* Connections allowed in all: the configured limit, within the file limit. */
static guint
conn_cap (const RnNet *net)
{
  return MAX (1u, MIN (net->limits.max_conns, net->fd_cap));
}

/* Why a new connection from a Unix peer `uid` (or TCP, when !is_unix) is refused; NULL
 * when it is not.  (transfer full) */
static char *
conn_refusal (const RnNet *net, gboolean is_unix, guint32 uid)
{
  guint cap = conn_cap (net);
  if (g_hash_table_size (net->conns) >= cap)
    return g_strdup ("too many connections");
  if (is_unix && uid != 0)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (net->per_uid, GUINT_TO_POINTER (uid)));
      if (n >= MAX (8u, cap / 8))
        return g_strdup_printf ("too many connections from uid %u", uid);
    }
  if (!is_unix && net->n_unproven >= MAX (8u, cap / 4))
    return g_strdup ("too many unauthenticated connections");
  return NULL;
}

/* The budgets: `c` (accepted) starts (delta 1) or stops (delta -1) using them. */
static void
conn_account (RnConn *c, int delta)
{
  RnNet *net = c->net;
  if (c->is_unix)
    {
      gpointer k = GUINT_TO_POINTER (c->peer.uid);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (net->per_uid, k));
      n = delta > 0 ? n + 1 : n - 1;
      if (n == 0)
        g_hash_table_remove (net->per_uid, k);
      else
        g_hash_table_insert (net->per_uid, k, GUINT_TO_POINTER (n));
    }
  else if (!c->proven)
    net->n_unproven = delta > 0 ? net->n_unproven + 1 : net->n_unproven - 1;
}

void
rn_net_set_limits (RnNet *net, const RnNetLimits *limits)
{
  net->limits = *limits;
  if (net->limits.max_frame == 0)
    net->limits.max_frame = RN_MAX_REQUEST;
  if (net->limits.partial_timeout_s == 0)
    net->limits.partial_timeout_s = 10;
  if (net->limits.max_output == 0)
    net->limits.max_output = (gsize) 1 << 30;
}

guint
rn_net_n_conns (const RnNet *net)
{
  return g_hash_table_size (net->conns);
}

void
rn_net_free (RnNet *net)
{
  if (net == NULL)
    return;
  for (guint i = 0; i < net->listeners->len; i++)
    {
      Listener *l = net->listeners->pdata[i];
      g_source_remove (l->watch);
      close (l->fd);
      g_free (l);
    }
  g_ptr_array_unref (net->listeners);
  GList *all = g_hash_table_get_keys (net->conns);
  for (GList *l = all; l; l = l->next)
    conn_close_now (l->data, "shutting down");
  g_list_free (all);
  g_hash_table_destroy (net->conns);
  g_hash_table_destroy (net->per_uid);
  if (net->spare_fd >= 0)
    close (net->spare_fd);
  g_source_remove (net->sweep);
  rn_replay_cache_free (net->replay);
  g_free (net);
}

/* ---- connections ---- */

RnConn *
rn_conn_ref (RnConn *c)
{
  c->ref++;
  return c;
}

void
rn_conn_unref (RnConn *c)
{
  if (c == NULL || --c->ref > 0)
    return;
  g_byte_array_unref (c->in);
  g_queue_clear_full (&c->out, (GDestroyNotify) g_bytes_unref);
  g_free (c->peer_name);
  g_free (c->peer_host);
  g_free (c->close_reason);
  g_free (c);
}

gboolean
rn_conn_is_open (const RnConn *c)
{
  return !c->closed && !c->closing;
}

void
rn_conn_set_close_func (RnConn *c, RnCloseFunc func, gpointer data)
{
  c->close_func = func;
  c->close_data = data;
}

void
rn_conn_set_data (RnConn *c, gpointer data)
{
  c->user = data;
}

gpointer
rn_conn_get_data (const RnConn *c)
{
  return c->user;
}

const char *
rn_conn_peer_name (const RnConn *c)
{
  return c->peer_name;
}

const char *
rn_conn_peer_host (const RnConn *c)
{
  return c->peer_host;
}

gboolean
rn_conn_is_unix (const RnConn *c)
{
  return c->is_unix;
}

static void
conn_close_now (RnConn *c, const char *reason)
{
  if (c->closed)
    return;
  c->closed = TRUE;
  if (c->read_watch)
    g_source_remove (c->read_watch);
  if (c->write_watch)
    g_source_remove (c->write_watch);
  c->read_watch = c->write_watch = 0;
  close (c->fd);
  c->fd = -1;
  if (c->accepted)
    conn_account (c, -1);
  rn_conn_ref (c);
  if (c->close_func)
    c->close_func (c, reason ? reason : c->close_reason, c->close_data);
  if (g_hash_table_remove (c->net->conns, c))
    rn_conn_unref (c);
  rn_conn_unref (c);
}

void
rn_conn_close (RnConn *c)
{
  if (c->closed)
    return;
  if (c->out_bytes == 0 && !c->connecting)
    {
      conn_close_now (c, NULL);
      return;
    }
  c->closing = TRUE;
  if (c->read_watch)
    {
      g_source_remove (c->read_watch);
      c->read_watch = 0;
    }
}

static gboolean
write_cb (int fd, GIOCondition cond, gpointer data)
{
  (void) fd;
  (void) cond;
  RnConn *c = data;
  if (c->connecting)
    {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt (c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0)
        {
          c->write_watch = 0;
          g_autofree char *m = g_strdup_printf ("connect to %s: %s", c->peer_name,
                                                g_strerror (err));
          conn_close_now (c, m);
          return G_SOURCE_REMOVE;
        }
      c->connecting = FALSE;
    }
  rn_conn_ref (c);
  conn_flush (c);
  gboolean keep = !c->closed && c->out_bytes > 0;
  if (!keep && !c->closed)
    c->write_watch = 0;
  if (!c->closed && c->closing && c->out_bytes == 0)
    conn_close_now (c, NULL);
  rn_conn_unref (c);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* Writes as much queued output as the socket takes. */
static void
conn_flush (RnConn *c)
{
  if (c->connecting || c->closed)
    return;
  while (!g_queue_is_empty (&c->out))
    {
      GBytes *b = g_queue_peek_head (&c->out);
      gsize len;
      const guint8 *d = g_bytes_get_data (b, &len);
      ssize_t n = send (c->fd, d + c->out_off, len - c->out_off, MSG_NOSIGNAL);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
          g_autofree char *m = g_strdup_printf ("write: %s", g_strerror (errno));
          conn_close_now (c, m);
          return;
        }
      c->out_off += (gsize) n;
      c->out_bytes -= (gsize) n;
      if (c->out_off == len)
        {
          g_bytes_unref (g_queue_pop_head (&c->out));
          c->out_off = 0;
        }
    }
  if (c->out_bytes > 0 && c->write_watch == 0)
    c->write_watch = g_unix_fd_add (c->fd, G_IO_OUT, write_cb, c);
}

/* Queues the `n` pieces of one frame (transfer full; NULL pieces are skipped). */
static void
conn_queue_parts (RnConn *c, GBytes **parts, guint n)
{
  gsize len = 0;
  for (guint i = 0; i < n; i++)
    len += parts[i] ? g_bytes_get_size (parts[i]) : 0;
  gboolean refuse = !c->closed && c->out_bytes + len > c->net->limits.max_output;
  for (guint i = 0; i < n; i++)
    if (parts[i] && (c->closed || refuse))
      g_bytes_unref (parts[i]);
    else if (parts[i])
      g_queue_push_tail (&c->out, parts[i]);
  if (c->closed)
    return;
  if (refuse)
    {
      conn_close_now (c, "peer does not read its replies (output limit)");
      return;
    }
  c->out_bytes += len;
  c->last_activity = g_get_monotonic_time ();
  if (c->write_watch == 0)
    conn_flush (c);
}

static void
conn_queue (RnConn *c, GBytes *frame)
{
  conn_queue_parts (c, &frame, 1);
}

void
rn_conn_send (RnConn *c, const char *type, gint64 seq, json_t *body)
{
  if (c->closed)
    return;
  const RnSigner *s = c->is_unix ? NULL : &c->net->signer;
  conn_queue (c, rn_frame_encode (type, seq, body, s, now_s ()));
}

void
rn_conn_send_new (RnConn *c, const char *type, gint64 seq, json_t *body)
{
  rn_conn_send (c, type, seq, body);
  if (body)
    json_decref (body);
}

void
rn_conn_send_attached (RnConn *c, const char *type, gint64 seq, const char *body_text,
                       gsize body_len, GBytes *attach)
{
  if (c->closed)
    return;
  const RnSigner *s = c->is_unix ? NULL : &c->net->signer;
  GBytes *parts[3];
  rn_frame_encode_parts (type, seq, body_text, body_len, attach, s, now_s (), parts);
  conn_queue_parts (c, parts, 3);
}

void
rn_conn_send_raw (RnConn *c, const char *type, gint64 seq, const char *body_text,
                  gsize body_len)
{
  if (c->closed)
    return;
  const RnSigner *s = c->is_unix ? NULL : &c->net->signer;
  conn_queue (c, rn_frame_encode_raw (type, seq, body_text, body_len, s, now_s ()));
}

void
rn_conn_send_error (RnConn *c, gint64 seq, int code, const char *message)
{
  rn_conn_send_new (c, "error", seq, rn_error_body (code, message));
}

static void
conn_refused (RnConn *c, const char *why)
{
  if (c->net->refuse_func)
    c->net->refuse_func (c->peer_name ? c->peer_name : "?", why, c->net->refuse_data);
}

void
rn_net_set_refuse_func (RnNet *net, RnRefuseFunc func, gpointer data)
{
  net->refuse_func = func;
  net->refuse_data = data;
}

/* Decodes and dispatches every complete frame in the buffer.  FALSE if the connection was
 * closed meanwhile. */
static gboolean
conn_dispatch (RnConn *c)
{
  gboolean progress = FALSE;
  while (!c->closed && !c->closing)
    {
      gsize avail = c->in->len - c->in_off;
      if (avail < 4)
        break;
      guint8 *p = c->in->data + c->in_off;
      guint32 len = rn_frame_peek_length (p);
      if (len > c->net->limits.max_frame || len == 0)
        {
          g_autofree char *m = g_strdup_printf ("frame of %u bytes refused (limit %u)", len,
                                                c->net->limits.max_frame);
          rn_conn_send_error (c, 0, RN_ERROR_PROTOCOL, m);
          conn_refused (c, m);
          g_free (c->close_reason);
          c->close_reason = g_strdup (m);
          rn_conn_close (c);
          return FALSE;
        }
      if (avail < 4 + (gsize) len)
        break;
      RnMsg msg;
      g_autoptr (GError) err = NULL;
      gboolean ok = rn_frame_decode (p + 4, len, c->is_unix ? NULL : &c->net->key,
                                     c->net->replay, now_s (), &msg, &err);
      c->in_off += 4 + (gsize) len;
      if (ok && !c->is_unix && !c->net->has_key)
        {
          ok = FALSE;
          g_set_error (&err, RN_ERROR, RN_ERROR_AUTH, "no key to check signatures with");
        }
      if (!ok)
        {
          gint64 seq = 0;
          if (msg.root && json_is_integer (json_object_get (msg.root, "seq")))
            seq = json_integer_value (json_object_get (msg.root, "seq"));
          rn_msg_clear (&msg);
          rn_conn_send_error (c, seq, err->code, err->message);
          conn_refused (c, err->message);
          g_free (c->close_reason);
          c->close_reason = g_strdup (err->message);
          rn_conn_close (c);
          return FALSE;
        }
      if (c->is_unix)
        msg.peer = c->peer;
      if (!c->proven)
        {
          if (c->accepted)
            conn_account (c, -1);   /* leaves the unauthenticated budget */
          c->proven = TRUE;
          if (c->accepted)
            conn_account (c, 1);
        }
      progress = TRUE;
      c->func (c, &msg, c->func_data);
      rn_msg_clear (&msg);
    }
  if (c->closed)
    return FALSE;
  if (c->in_off > 0 && c->in_off == c->in->len && c->in->len > (1u << 20))
    {
      /* do not keep a large frame's buffer for the life of the connection */
      g_byte_array_unref (c->in);
      c->in = g_byte_array_new ();
      c->in_off = 0;
    }
  else if (c->in_off > 0 && (c->in_off == c->in->len || c->in_off > 65536))
    {
      g_byte_array_remove_range (c->in, 0, (guint) c->in_off);
      c->in_off = 0;
    }
  /* The clock of the partial-frame timeout runs from the start of the frame being received:
   * a peer streaming many frames whose reads end mid-frame is making progress.  An accepted
   * connection's clock runs from its accept until its first frame. */
  if (c->in->len > c->in_off)
    c->partial_since = progress || !c->partial_since ? g_get_monotonic_time ()
                                                      : c->partial_since;
  else if (c->proven)
    c->partial_since = 0;
  return TRUE;
}

static gboolean
read_cb (int fd, GIOCondition cond, gpointer data)
{
  (void) fd;
  (void) cond;
  RnConn *c = data;
  rn_conn_ref (c);
  guint8 buf[65536];
  gboolean keep = TRUE;
  for (int rounds = 0; rounds < 16; rounds++)
    {
      ssize_t n = recv (c->fd, buf, sizeof buf, 0);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              c->read_watch = 0;
              keep = FALSE;
              g_autofree char *m = g_strdup_printf ("read: %s", g_strerror (errno));
              conn_close_now (c, m);
            }
          break;
        }
      if (n == 0)
        {
          c->read_watch = 0;
          keep = FALSE;
          if (c->out_bytes > 0)
            {
              c->closing = TRUE;   /* half-closed peer: finish sending, then close */
              break;
            }
          conn_close_now (c, "peer closed the connection");
          break;
        }
      c->last_activity = g_get_monotonic_time ();
      g_byte_array_append (c->in, buf, (guint) n);
      if (!conn_dispatch (c))
        {
          keep = FALSE;
          break;
        }
      if (c->closing)
        {
          keep = FALSE;
          break;
        }
      if ((gsize) n < sizeof buf)
        break;
    }
  if (!keep && !c->closed)
    c->read_watch = 0;
  rn_conn_unref (c);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static RnConn *
conn_new (RnNet *net, int fd, gboolean is_unix, RnMsgFunc func, gpointer data)
{
  RnConn *c = g_new0 (RnConn, 1);
  c->ref = 1;   /* the net's */
  c->net = net;
  c->fd = fd;
  c->is_unix = is_unix;
  c->in = g_byte_array_new ();
  g_queue_init (&c->out);
  c->func = func;
  c->func_data = data;
  c->last_activity = g_get_monotonic_time ();
  g_hash_table_add (net->conns, c);
  c->read_watch = g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, read_cb, c);
  return c;
}

static void
set_peer_names (RnConn *c, const struct sockaddr *sa)
{
  if (c->is_unix)
    {
      c->peer_name = g_strdup_printf ("unix:uid=%u", c->peer.uid);
      return;
    }
  char host[NI_MAXHOST], serv[NI_MAXSERV];
  socklen_t len = sa->sa_family == AF_INET6 ? sizeof (struct sockaddr_in6)
                                             : sizeof (struct sockaddr_in);
  if (getnameinfo (sa, len, host, sizeof host, serv, sizeof serv,
                   NI_NUMERICHOST | NI_NUMERICSERV) == 0)
    {
      c->peer_host = g_strdup (host);
      c->peer_name = g_strdup_printf ("%s:%s", host, serv);
    }
  else
    c->peer_name = g_strdup ("?");
}

/* Says `why` in one unsigned error frame (the peer has proven nothing; we sign nothing for
 * it) and hangs up. */
static void
refuse (int cfd, const char *why)
{
  json_t *body = json_pack ("{s:i,s:s}", "code", RN_ERROR_BUSY, "error", why);
  GBytes *b = rn_frame_encode ("error", 0, body, NULL, now_s ());
  json_decref (body);
  gsize len;
  const void *d = g_bytes_get_data (b, &len);
  if (send (cfd, d, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
    { /* nothing more to do */ }
  g_bytes_unref (b);
  close (cfd);
}

static gboolean
accept_cb (int fd, GIOCondition cond, gpointer data)
{
  (void) cond;
  Listener *l = data;
  RnNet *net = l->net;
  for (int i = 0; i < 64; i++)
    {
      struct sockaddr_storage ss;
      socklen_t slen = sizeof ss;
      int cfd = accept4 (fd, (struct sockaddr *) &ss, &slen, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (cfd < 0)
        {
          if (errno == EINTR || errno == ECONNABORTED)
            continue;
          if ((errno == EMFILE || errno == ENFILE) && net->spare_fd >= 0)
            {
              /* out of descriptors: drop the pending peer rather than leave the listener
               * readable (the main loop would spin on it) */
              close (net->spare_fd);
              cfd = accept4 (fd, NULL, NULL, SOCK_CLOEXEC);
              if (cfd >= 0)
                close (cfd);
              net->spare_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
            }
          break;
        }
      RnPeer peer = { 0, 0, FALSE };
      if (l->is_unix)
        {
          struct ucred cr;
          socklen_t cl = sizeof cr;
          if (getsockopt (cfd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
            {
              peer.uid = cr.uid;
              peer.gid = cr.gid;
            }
          else
            {
              peer.uid = G_MAXUINT32;   /* unknown: acts as nobody */
              peer.gid = G_MAXUINT32;
            }
        }
      g_autofree char *why = conn_refusal (net, l->is_unix, peer.uid);
      if (why != NULL)
        {
          refuse (cfd, why);
          continue;
        }
      RnConn *c = conn_new (net, cfd, l->is_unix, l->func, l->data);
      c->peer = peer;
      c->accepted = TRUE;
      c->partial_since = g_get_monotonic_time ();   /* the first frame is due in time */
      conn_account (c, 1);
      if (!l->is_unix)
        {
          int one = 1;
          setsockopt (cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        }
      set_peer_names (c, (struct sockaddr *) &ss);
    }
  return G_SOURCE_CONTINUE;
}

static Listener *
add_listener (RnNet *net, int fd, gboolean is_unix, RnMsgFunc func, gpointer data)
{
  Listener *l = g_new0 (Listener, 1);
  l->net = net;
  l->fd = fd;
  l->is_unix = is_unix;
  l->func = func;
  l->data = data;
  l->watch = g_unix_fd_add (fd, G_IO_IN, accept_cb, l);
  g_ptr_array_add (net->listeners, l);
  return l;
}

static struct addrinfo *
resolve (const char *host, guint16 port, gboolean passive, GError **error)
{
  struct addrinfo hints = { 0 }, *res = NULL;
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  char serv[16];
  g_snprintf (serv, sizeof serv, "%u", port);
  int rc = getaddrinfo (host, serv, &hints, &res);
  if (rc != 0)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "%s: %s", host ? host : "*",
                   gai_strerror (rc));
      return NULL;
    }
  return res;
}

gboolean
rn_net_listen_tcp (RnNet *net, const char *host, guint16 port, guint16 *bound,
                   RnMsgFunc func, gpointer data, GError **error)
{
  struct addrinfo *res = resolve (host, port, TRUE, error);
  if (res == NULL)
    return FALSE;
  int fd = -1, e = 0;
  for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
    {
      fd = socket (ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0)
        continue;
      int one = 1;
      setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
      if (bind (fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen (fd, 1024) == 0)
        break;
      e = errno;
      close (fd);
      fd = -1;
    }
  freeaddrinfo (res);
  if (fd < 0)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "cannot listen on %s:%u: %s",
                   host ? host : "*", port, g_strerror (e));
      return FALSE;
    }
  if (bound)
    {
      struct sockaddr_storage ss;
      socklen_t sl = sizeof ss;
      getsockname (fd, (struct sockaddr *) &ss, &sl);
      *bound = ss.ss_family == AF_INET6 ? ntohs (((struct sockaddr_in6 *) &ss)->sin6_port)
                                        : ntohs (((struct sockaddr_in *) &ss)->sin_port);
    }
  add_listener (net, fd, FALSE, func, data);
  return TRUE;
}

gboolean
rn_net_listen_unix (RnNet *net, const char *path, RnMsgFunc func, gpointer data,
                    GError **error)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof sa.sun_path)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "%s: socket path too long", path);
      return FALSE;
    }
  strcpy (sa.sun_path, path);
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "socket: %s", g_strerror (errno));
      return FALSE;
    }
  unlink (path);
  mode_t old = umask (0);
  int rc = bind (fd, (struct sockaddr *) &sa, sizeof sa);
  umask (old);
  if (rc != 0 || listen (fd, 1024) != 0)
    {
      int e = errno;
      close (fd);
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "cannot listen on %s: %s", path,
                   g_strerror (e));
      return FALSE;
    }
  add_listener (net, fd, TRUE, func, data);
  return TRUE;
}

RnConn *
rn_net_connect_tcp (RnNet *net, const char *host, guint16 port, RnMsgFunc func,
                    gpointer data, GError **error)
{
  struct addrinfo *res = resolve (host, port, FALSE, error);
  if (res == NULL)
    return NULL;
  int fd = socket (res->ai_family, res->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      freeaddrinfo (res);
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "socket: %s", g_strerror (errno));
      return NULL;
    }
  int one = 1;
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int rc = connect (fd, res->ai_addr, res->ai_addrlen);
  int e = errno;
  RnConn *c = conn_new (net, fd, FALSE, func, data);
  c->proven = TRUE;   /* we chose the peer */
  set_peer_names (c, res->ai_addr);
  freeaddrinfo (res);
  if (rc != 0 && e != EINPROGRESS)
    {
      g_set_error (error, RN_ERROR, RN_ERROR_CONNECT, "connect to %s:%u: %s", host, port,
                   g_strerror (e));
      conn_close_now (c, "connect failed");
      return NULL;
    }
  if (rc != 0)
    {
      c->connecting = TRUE;
      c->write_watch = g_unix_fd_add (fd, G_IO_OUT, write_cb, c);
    }
  return c;
}
