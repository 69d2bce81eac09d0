/* SPDX-License-Identifier: MIT */
/* fuzz/fuzz-validate.c - libFuzzer harness for realnet/validate.h, the message validator
 * every daemon runs on a request body before a handler reads it.
 *
 * Input: a first line naming the message type (unknown names are fine: they must be
 * refused), then the body as JSON text (any JSON value; the validator must refuse what is
 * not an object).  Bodies that do not parse are skipped: fuzz-frame covers the parser.
 * The body goes through rn_validate_request under the named type and under every known
 * type; fuzz_check_validate (fuzz-realnet.h) checks the contract. */
#include <string.h>
#include <jansson.h>
#include "fuzz/fuzz-common.h"
#include "fuzz/fuzz-realnet.h"
#include "realnet/validate.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const uint8_t *nl = memchr (data, '\n', size);
  if (nl == NULL)
    return 0;
  g_autofree char *type = fuzz_strndup (data, (size_t) (nl - data));
  size_t blen = size - (size_t) (nl - data) - 1;
  char *text = fuzz_memdup (nl + 1, blen);
  json_error_t jerr;
  json_t *body = json_loadb (text, blen, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
  g_free (text);
  if (body == NULL)
    return 0;
  if (g_utf8_validate (type, -1, NULL))
    fuzz_check_validate (type, body);
  for (gsize i = 0; i < fuzz_n_known_types; i++)
    fuzz_check_validate (fuzz_known_types[i], body);
  json_decref (body);
  return 0;
}
