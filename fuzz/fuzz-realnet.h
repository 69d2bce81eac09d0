/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-realnet.h - what the wire-protocol harnesses (fuzz-frame, fuzz-validate) share:
 * the fixed cluster key, the list of message types the daemons know and the validator's
 * contract check. */
#pragma once
#include <glib.h>
#include <jansson.h>
#include "realnet/proto.h"

G_BEGIN_DECLS

/* Every message type of docs/realnet.md that rn_validate_request knows. */
extern const char *const fuzz_known_types[];
extern const gsize fuzz_n_known_types;

/* Returns (transfer none) the fixed key the harnesses sign with. */
const RnKey *fuzz_realnet_key (void);

/* Runs rn_validate_request (type, body) and aborts unless it keeps its contract: TRUE with
 * no error, or FALSE with an RN_ERROR (INVALID naming the type, or PROTOCOL for an unknown
 * type) whose message is UTF-8; and when TRUE, the fields handlers read with rn_body_get_*
 * (a sample per message) read back without error. */
void fuzz_check_validate (const char *type, json_t *body);

G_END_DECLS
