/* SPDX-License-Identifier: MIT */
/* realnet/proto.h - the wire protocol: length-prefixed JSON frames, HMAC-SHA256 signatures
 * with timestamp and nonce, and the replay cache (docs/realnet.md, "Frames").
 *
 * A frame is [u32 big-endian L][u8 flags][JSON envelope][32-byte MAC if signed].  Encoding
 * and decoding are pure functions over bytes; the replay cache is the only state.  Nothing
 * here does I/O: realnet/conn.c (event-driven, daemons) and realnet/client.c (blocking,
 * commands) move the bytes. */
#pragma once
#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define RN_PROTO_VERSION   1
#define RN_MAX_REQUEST     (4u << 20)     /* largest frame a daemon accepts from a peer */
#define RN_MAX_REPLY       (512u << 20)   /* largest frame a client accepts */
#define RN_MAX_DEPTH       32             /* deepest JSON nesting accepted */
#define RN_AUTH_WINDOW     300            /* seconds of clock skew allowed for signed frames */
#define RN_KEY_LEN         32
#define RN_MAC_LEN         32
#define RN_FRAME_SIGNED    0x01
#define RN_FRAME_ATTACHED  0x02   /* raw bytes follow the JSON after a NUL byte */

#define RN_ERROR (rn_error_quark ())
GQuark rn_error_quark (void);

/* Error codes; the numbers sent on the wire are Slurm's errno values where one exists. */
typedef enum {
  RN_ERROR_PROTOCOL = 1,          /* malformed frame or envelope */
  RN_ERROR_AUTH = 2009,           /* bad, missing, stale or replayed signature; access denied */
  RN_ERROR_INVALID_JOB = 2017,    /* Invalid job id specified */
  RN_ERROR_INVALID_PARTITION = 2001,
  RN_ERROR_INVALID_NODE = 2030,   /* Invalid node name specified */
  RN_ERROR_INVALID = 2010,        /* invalid request (a field is missing or out of range) */
  RN_ERROR_ALREADY_DONE = 2021,   /* Job/step already completing or completed */
  RN_ERROR_CONNECT = 1001,        /* cannot reach the daemon */
  RN_ERROR_BUSY = 1002,           /* too many connections */
  RN_ERROR_INTERNAL = 1003,
  RN_ERROR_TIMEOUT = 1004,        /* no reply in time (client side) */
} RnErrorCode;

/* The cluster key: RN_KEY_LEN bytes. */
typedef struct {
  guint8 bytes[RN_KEY_LEN];
} RnKey;

/* Reads a key file (64 hex digits, optional trailing newline).  A key file that others can
 * read (mode & 077) is refused: the key is as good as root on every node. */
gboolean rn_key_load (RnKey *key, const char *path, GError **error);

/* Creates a new random key file at `path` with mode 0600 (fails if it exists). */
gboolean rn_key_generate (const char *path, GError **error);

/* Who sent a frame. */
typedef struct {
  guint32  uid;
  guint32  gid;
  gboolean signed_frame;   /* proven by the key (TCP) rather than by the kernel (Unix) */
} RnPeer;

/* A decoded frame: the envelope's fields (transfer full in `root`). */
typedef struct {
  json_t     *root;    /* the whole envelope */
  const char *type;    /* points into root */
  gint64      seq;
  json_t     *body;    /* points into root; an empty object if the frame had none */
  RnPeer      peer;    /* from "auth" for signed frames; the caller sets it otherwise */
  GBytes     *attachment; /* (transfer full) raw bytes after the JSON, NULL if none */
} RnMsg;

void rn_msg_clear (RnMsg *msg);

/* What signs outgoing frames. */
typedef struct {
  const RnKey *key;    /* NULL: unsigned frames (Unix socket) */
  guint32      uid;
  guint32      gid;
} RnSigner;

/* Encodes one frame: the envelope {"v","type","seq","body"} (+ "auth" and the MAC when
 * `signer` has a key).  `body` is (transfer none), NULL for an empty body.  Returns the
 * whole frame, length prefix included.  `now` is the signature's timestamp. */
GBytes *rn_frame_encode (const char *type, gint64 seq, json_t *body, const RnSigner *signer,
                         gint64 now);

/* As rn_frame_encode, with the body given as JSON text (an object, not checked): large
 * replies assembled from cached record texts skip building and dumping a tree.  `type`
 * must be a plain identifier. */
GBytes *rn_frame_encode_raw (const char *type, gint64 seq, const char *body_text,
                             gsize body_len, const RnSigner *signer, gint64 now);

/* As rn_frame_encode_raw, with `attach_len` raw bytes attached after the JSON (flag
 * RN_FRAME_ATTACHED; the JSON is followed by a NUL byte, which JSON text never holds, then
 * the bytes; the MAC covers all).  Bulk text (squeue's lines) travels without JSON string
 * escaping and parsing. */
GBytes *rn_frame_encode_attached (const char *type, gint64 seq, const char *body_text,
                                  gsize body_len, const void *attach, gsize attach_len,
                                  const RnSigner *signer, gint64 now);

/* The same frame in three pieces to send one after the other, for attachments shared by
 * many replies (squeue's cached text): parts[0] the length prefix, flags and JSON (and the
 * NUL), parts[1] `attach` itself (a new reference; NULL without one), parts[2] the MAC
 * (NULL unsigned).  Each (transfer full). */
void rn_frame_encode_parts (const char *type, gint64 seq, const char *body_text,
                            gsize body_len, GBytes *attach, const RnSigner *signer,
                            gint64 now, GBytes *parts[3]);

/* The replay cache: nonces seen within RN_AUTH_WINDOW. */
typedef struct _RnReplayCache RnReplayCache;
RnReplayCache *rn_replay_cache_new (void);
void           rn_replay_cache_free (RnReplayCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RnReplayCache, rn_replay_cache_free)

/* Reads the length prefix at `data` (at least 4 bytes): the payload length L. */
guint32 rn_frame_peek_length (const guint8 *data);

/* Decodes the payload of one frame (the L bytes after the prefix).  When `key` is set, the
 * frame must be signed with it, fresh (|ts - now| <= RN_AUTH_WINDOW) and its nonce unseen
 * in `cache` (which then remembers it); `msg->peer` comes from its "auth".  Without `key`
 * signed frames are refused too (a Unix-socket peer has no reason to sign).  Returns FALSE
 * with RN_ERROR_PROTOCOL or RN_ERROR_AUTH on any defect; `msg->root` may then still hold the
 * envelope (for the seq of the error reply): rn_msg_clear (msg) after a failure as well. */
gboolean rn_frame_decode (const guint8 *payload, gsize len, const RnKey *key,
                          RnReplayCache *cache, gint64 now, RnMsg *msg, GError **error);

/* The error reply body: {"code": code, "error": message}. */
json_t *rn_error_body (int code, const char *message);

/* Helpers for reading request bodies with field-naming errors ("job_list: field \"users\":
 * expected an array of strings"). */
gboolean rn_body_get_int (json_t *body, const char *field, gboolean required, gint64 min,
                          gint64 max, gint64 *out, GError **error);
gboolean rn_body_get_string (json_t *body, const char *field, gboolean required,
                             const char **out, GError **error);
gboolean rn_body_get_strv (json_t *body, const char *field, GPtrArray **out, GError **error);
gboolean rn_body_get_bool (json_t *body, const char *field, gboolean dflt, gboolean *out,
                           GError **error);

G_END_DECLS
