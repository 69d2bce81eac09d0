/* SPDX-License-Identifier: MIT */
/* realnet/client.h - the commands' side of the protocol: one blocking connection to the
 * controller.
 *
 * A client prefers the controller's Unix socket (the kernel then vouches for the user);
 * when that is missing or refuses, it uses TCP with frames signed by the cluster key, which
 * only root and the daemons can read. */
#pragma once
#include <glib.h>
#include <jansson.h>
#include "realnet/config.h"
#include "realnet/proto.h"

G_BEGIN_DECLS

typedef struct _RnClient RnClient;

/* Connects to the controller of `cfg` (transfer none; must outlive the client). */
RnClient *rn_client_connect (const RnConfig *cfg, GError **error);
/* Connects to `host:port` with frames signed by `key` (node daemons, tests). */
RnClient *rn_client_connect_tcp (const char *host, guint16 port, const RnKey *key,
                                 guint32 uid, guint32 gid, GError **error);
/* Connects to a Unix socket. */
RnClient *rn_client_connect_unix (const char *path, GError **error);
void      rn_client_free (RnClient *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RnClient, rn_client_free)

/* Sends one request and waits for its reply.  Returns (transfer full) the reply body; an
 * `error` reply becomes a GError (RN_ERROR, its code) with the controller's message.
 * `reply_type` (may be NULL) receives the reply's type (transfer full). */
json_t *rn_client_call (RnClient *c, const char *type, json_t *body, char **reply_type,
                        GError **error);
/* As rn_client_call; `attachment` (may be NULL) receives (transfer full) the reply's
 * attached bytes, NULL when it has none. */
json_t *rn_client_call_attached (RnClient *c, const char *type, json_t *body,
                                 GBytes **attachment, GError **error);
/* Sends without waiting. */
gboolean rn_client_send (RnClient *c, const char *type, json_t *body, GError **error);
/* Waits for the next frame (timeout_ms < 0: forever).  Returns FALSE with `error` on a
 * broken connection or a timeout (RN_ERROR_TIMEOUT). */
gboolean rn_client_recv (RnClient *c, RnMsg *msg, int timeout_ms, GError **error);
/* The socket, for poll(). */
int rn_client_fd (const RnClient *c);

G_END_DECLS
