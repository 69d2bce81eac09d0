/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-frame.c - libFuzzer harness for realnet/proto.h's frame decoder (what a daemon
 * runs on the bytes a peer sends) and realnet/validate.h's message validator behind it.
 *
 * Input: one mode byte, then a frame payload (the L bytes after the length prefix).
 *   mode % 3 == 0: decoded as from a Unix socket (no key: signed frames are refused);
 *   mode % 3 == 1: decoded as from TCP with a fixed key (so nearly always a bad signature);
 *   mode % 3 == 2: the rest is the JSON envelope, which the harness signs with the fixed
 *                  key ([0x01][text][HMAC]) so that the fuzzer reaches the "auth" checks.
 * The clock is fixed (FUZZ_NOW), so that timestamps in the corpus stay fresh.
 * Checks: exactly one of success and an RN_ERROR (PROTOCOL or AUTH); a decoded message has a
 * non-empty type, an object body and a peer that matches the key; a signed frame decoded a
 * second time against the same replay cache is refused as replayed; re-encoding the message
 * (rn_frame_encode) and decoding that gives back the same type, seq, body and peer.  The
 * body then goes through rn_validate_request under its own type and every known type: the
 * result is TRUE or an RN_ERROR naming the type, and for the fields a handler reads with
 * rn_body_get_* a body the validator accepts is read without error. */
#include <string.h>
#include <jansson.h>
#include "fuzz/fuzz-common.h"
#include "realnet/proto.h"
#include "realnet/validate.h"
#include "fuzz/fuzz-realnet.h"

#define FUZZ_NOW G_GINT64_CONSTANT (1764121234)

static void
check_message (const RnMsg *msg, const RnKey *key)
{
  g_assert (msg->root != NULL && json_is_object (msg->root));
  g_assert (msg->type != NULL && msg->type[0] != '\0');
  g_assert (g_utf8_validate (msg->type, -1, NULL));
  g_assert (json_is_object (msg->body));
  g_assert (msg->peer.signed_frame == (key != NULL));

  /* re-encode and decode again */
  RnSigner signer = { key, msg->peer.uid, msg->peer.gid };
  GBytes *frame = rn_frame_encode (msg->type, msg->seq, msg->body, &signer, FUZZ_NOW);
  gsize len;
  const guint8 *d = g_bytes_get_data (frame, &len);
  g_assert (len > 4 && rn_frame_peek_length (d) == len - 4);
  g_autoptr (RnReplayCache) cache = rn_replay_cache_new ();
  RnMsg again;
  GError *error = NULL;
  if (!rn_frame_decode (d + 4, len - 4, key, cache, FUZZ_NOW, &again, &error))
    g_error ("a re-encoded frame does not decode: %s", error->message);
  g_assert (g_str_equal (again.type, msg->type));
  g_assert (again.seq == msg->seq);
  g_assert (json_equal (again.body, msg->body));
  g_assert (again.peer.uid == msg->peer.uid && again.peer.gid == msg->peer.gid
            && again.peer.signed_frame == msg->peer.signed_frame);
  rn_msg_clear (&again);
  g_bytes_unref (frame);

  fuzz_check_validate (msg->type, msg->body);
  for (gsize i = 0; i < fuzz_n_known_types; i++)
    fuzz_check_validate (fuzz_known_types[i], msg->body);
}

static void
decode_one (const guint8 *payload, gsize len, const RnKey *key)
{
  g_autoptr (RnReplayCache) cache = rn_replay_cache_new ();
  RnMsg msg;
  GError *error = NULL;
  gboolean ok = rn_frame_decode (payload, len, key, cache, FUZZ_NOW, &msg, &error);
  if (!ok)
    {
      g_assert (error != NULL && error->domain == RN_ERROR);
      g_assert (error->code == RN_ERROR_PROTOCOL || error->code == RN_ERROR_AUTH);
      g_error_free (error);
      rn_msg_clear (&msg);   /* a failed decode may leave the envelope, for its seq */
      return;
    }
  g_assert (error == NULL);
  check_message (&msg, key);
  rn_msg_clear (&msg);
  if (key != NULL)
    {
      /* the same frame again: a replay */
      ok = rn_frame_decode (payload, len, key, cache, FUZZ_NOW, &msg, &error);
      g_assert (!ok && error != NULL && error->code == RN_ERROR_AUTH);
      g_error_free (error);
      rn_msg_clear (&msg);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size < 1 || size > RN_MAX_REQUEST)
    return 0;
  guint8 mode = data[0] % 3;
  data++;
  size--;
  if (mode == 2)
    {
      /* sign the text with the fixed key, as an honest peer would */
      gsize len = 1 + size + RN_MAC_LEN;
      guint8 *p = g_malloc (len);
      p[0] = RN_FRAME_SIGNED;
      if (size > 0)
        memcpy (p + 1, data, size);
      GHmac *h = g_hmac_new (G_CHECKSUM_SHA256, fuzz_realnet_key ()->bytes, RN_KEY_LEN);
      g_hmac_update (h, p, (gssize) (1 + size));
      gsize n = RN_MAC_LEN;
      g_hmac_get_digest (h, p + 1 + size, &n);
      g_hmac_unref (h);
      decode_one (p, len, fuzz_realnet_key ());
      g_free (p);
      return 0;
    }
  /* an exact-size copy, so that reading past the payload is an ASan error */
  char *p = fuzz_memdup (data, size);
  decode_one ((const guint8 *) p, size, mode == 1 ? fuzz_realnet_key () : NULL);
  g_free (p);
  return 0;
}
