/* SPDX-License-Identifier: MIT */
/* realnet/validate.h - the message validator: every request body a daemon accepts is
 * checked against a table of its fields (type, range, required) before any handler reads
 * it, so handlers see well-formed values and every refusal names the message and the
 * field ("submit: field \"ntasks\": expected an integer in [0, 10000000]").  Unknown
 * fields are ignored (a newer client may send more); unknown message types are refused. */
#pragma once
#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Checks `body` (a JSON object) of a message of type `type`.  Returns TRUE, or FALSE with
 * `error` set (RN_ERROR, RN_ERROR_INVALID for a bad field, RN_ERROR_PROTOCOL for an unknown
 * type). */
gboolean rn_validate_request (const char *type, json_t *body, GError **error);

G_END_DECLS
