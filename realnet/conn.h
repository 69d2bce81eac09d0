/* SPDX-License-Identifier: MIT */
/* realnet/conn.h - event-driven framed connections on the GLib main loop, for the daemons.
 *
 * An RnNet holds what every connection of one daemon shares: the cluster key, the replay
 * cache, the identity that signs outgoing frames, and the limits (connections, frame size,
 * buffered output, slow peers).  Listening sockets (TCP, Unix) and outgoing connections
 * produce RnConns; each decoded frame is handed to the RnMsgFunc given when the socket was
 * made.  A peer that sends a malformed, oversized or badly authenticated frame gets an
 * `error` frame and is disconnected; the daemon goes on.
 *
 * Frames on TCP must be signed (with the key); frames on a Unix socket must not be, and
 * the peer's uid/gid come from SO_PEERCRED. */
#pragma once
#include <glib.h>
#include "realnet/proto.h"

G_BEGIN_DECLS

typedef struct _RnNet RnNet;
typedef struct _RnConn RnConn;

/* A frame arrived on `conn`.  `msg` is (transfer none): it is cleared after the call;
 * json_incref what must outlive it. */
typedef void (*RnMsgFunc) (RnConn *conn, RnMsg *msg, gpointer data);
/* `conn` is closed (by either side, or after a protocol error: `reason`). */
typedef void (*RnCloseFunc) (RnConn *conn, const char *reason, gpointer data);

typedef struct {
  guint max_conns;          /* open connections at once (default 4096) */
  guint max_frame;          /* largest incoming frame (default RN_MAX_REQUEST) */
  guint partial_timeout_s;  /* a frame begun but unfinished this long closes (default 10) */
  guint idle_timeout_s;     /* no traffic this long closes, 0 = never (default 0) */
  gsize max_output;         /* bytes queued towards one slow reader (default 1 GiB) */
} RnNetLimits;

/* `key` (copied; NULL: Unix sockets only) signs frames as `uid`/`gid`. */
RnNet *rn_net_new (const RnKey *key, guint32 uid, guint32 gid);
void   rn_net_free (RnNet *net);   /* closes every connection and listener */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RnNet, rn_net_free)
void   rn_net_set_limits (RnNet *net, const RnNetLimits *limits);
/* Called with the peer and the reason each time a frame is refused (malformed, oversized,
 * badly signed, replayed, stale) before the connection is closed: daemons log it. */
typedef void (*RnRefuseFunc) (const char *peer, const char *why, gpointer data);
void   rn_net_set_refuse_func (RnNet *net, RnRefuseFunc func, gpointer data);
guint  rn_net_n_conns (const RnNet *net);

/* Listens on TCP `host:port` (port 0: any; the port chosen is returned in `*bound`). */
gboolean rn_net_listen_tcp (RnNet *net, const char *host, guint16 port, guint16 *bound,
                            RnMsgFunc func, gpointer data, GError **error);
/* Listens on the Unix socket `path` (replaced if stale), mode 0666. */
gboolean rn_net_listen_unix (RnNet *net, const char *path, RnMsgFunc func, gpointer data,
                             GError **error);
/* Starts a connection to `host:port` (TCP, signed frames); frames sent before it is up are
 * queued.  Returns (transfer none) the connection, owned by `net` until closed; NULL with
 * `error` if the address does not resolve. */
RnConn *rn_net_connect_tcp (RnNet *net, const char *host, guint16 port, RnMsgFunc func,
                            gpointer data, GError **error);

/* Queues a frame (body transfer none; NULL = {}). */
void rn_conn_send (RnConn *conn, const char *type, gint64 seq, json_t *body);
/* Queues a frame whose body is given as (transfer full). */
void rn_conn_send_new (RnConn *conn, const char *type, gint64 seq, json_t *body);
void rn_conn_send_error (RnConn *conn, gint64 seq, int code, const char *message);
/* Queues a frame whose body is JSON text (rn_frame_encode_raw). */
void rn_conn_send_raw (RnConn *conn, const char *type, gint64 seq, const char *body_text,
                       gsize body_len);
/* Queues a frame with `attach` attached (rn_frame_encode_parts): the bytes are shared, not
 * copied, so that many replies of one cached text cost one copy of it. */
void rn_conn_send_attached (RnConn *conn, const char *type, gint64 seq, const char *body_text,
                            gsize body_len, GBytes *attach);
/* Closes after the queued output is written. */
void rn_conn_close (RnConn *conn);
gboolean rn_conn_is_open (const RnConn *conn);
void rn_conn_set_close_func (RnConn *conn, RnCloseFunc func, gpointer data);
void     rn_conn_set_data (RnConn *conn, gpointer data);
gpointer rn_conn_get_data (const RnConn *conn);
/* "127.0.0.1:40212" or "unix". */
const char *rn_conn_peer_name (const RnConn *conn);
/* The peer's IPv4/IPv6 address without port ("127.0.0.1"), NULL on Unix sockets. */
const char *rn_conn_peer_host (const RnConn *conn);
gboolean rn_conn_is_unix (const RnConn *conn);
RnConn *rn_conn_ref (RnConn *conn);
void    rn_conn_unref (RnConn *conn);

G_END_DECLS
