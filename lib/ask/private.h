/*
 * ask/private.h - what the OpenAI client's files share, private to libkc
 * (unit tests include it): request bodies and responses (body.c),
 * retries (retry.c), the set of answered ids (resume.c).
 */
#ifndef KC_ASK_PRIVATE_H
#define KC_ASK_PRIVATE_H

#include <time.h>

#include "kc.h"

#define KC_ASK_BACKOFF_MAX_MS 60000L     /* cap on the computed backoff */
#define KC_ASK_RETRY_AFTER_MAX_MS 600000L /* cap on a server's Retry-After */

/* Add `len` bytes of `id`; KC_OK (also when already there) or KC_ENOMEM. */
kc_status kc_idset_add(kc_idset *s, const char *id, size_t len);
/* 1 when `id` is in the set. */
int kc_idset_has(const kc_idset *s, const char *id, size_t len);
size_t kc_idset_count(const kc_idset *s);

/*
 * The key of a record for --resume and per-record seeds: its "id" as
 * text (a string as is, an integer in decimal).  Returns 0 and sets
 * *key and *len (pointing into `rec` or into `buf`, of `size` bytes), or -1
 * when the record has no usable id.
 */
int kc_ask_record_key(const json_t *rec, char *buf, size_t size,
                      const char **key, size_t *len);

/* ------------------------------------------------------------------ */
/* Request bodies and responses (body.c). */

/*
 * Append to `out` the body of a request for `rec` without its closing
 * brace: {"model":..., "messages":[...], sampling options..., extra
 * fields.  The prompt is the record's "messages" (an array of objects
 * with a string "role"), or else its "prompt" string sent as one user
 * message.  KC_EFIELD (with a message) when the record has neither.
 */
kc_status kc_ask_body(const struct kc_ask_opts *o, const json_t *rec,
                      kc_buf *out, struct kc_error *err);

/*
 * The number of requests a record needs, and how many answers request
 * `part` asks for.
 */
int kc_ask_parts(const struct kc_ask_opts *o);
int kc_ask_part_n(const struct kc_ask_opts *o, int part);

/*
 * The seed sent with request `part` of the record whose key is `key`:
 * a function of (seed, key, part) only, so answers do not depend on the
 * order of the records or on sharding.  31 bits, so that every server
 * (some keep it in an int32) takes it.
 */
long kc_ask_seed(uint64_t seed, const char *key, size_t keylen, int part);

/*
 * Read a successful response body.  Appends the `want` answers to
 * `responses` and their finish reasons to `finish`, in choice index
 * order, and adds the response's usage to *usage (creating it).
 * KC_EJSON for a body that is not a JSON object with "choices" (worth
 * retrying: a truncated or garbled body); KC_ESERVER when it is one but
 * says something else (an "error" object, a wrong number of choices);
 * both with a message in err.
 */
kc_status kc_ask_parse_response(const char *body, size_t len, int want,
                                json_t *responses, json_t *finish,
                                json_t **usage, struct kc_error *err);

/*
 * Add the numbers of usage object `u` to `acc`, key by key, recursing
 * into objects; keys `acc` lacks are copied.  KC_ENOMEM or KC_OK.
 */
kc_status kc_ask_usage_add(json_t *acc, const json_t *u);

/*
 * The message of an error response body (OpenAI's {"error":{"message"}},
 * vLLM's {"message"}, or the start of the text), at most `size` - 1
 * bytes, written to `buf`.
 */
void kc_ask_error_text(const char *body, size_t len, char *buf, size_t size);

/*
 * The largest n a server accepts, from its refusal of a larger one: an
 * HTTP 400 whose message names the field n and a bound "<= K" (llama.cpp:
 * "Field 'n': Value must be between 1 <= value <= 4, but got 8"; OpenAI:
 * "Invalid 'n': ... Expected a value <= 128").  0 when it is not one.
 */
int kc_ask_n_limit(long status, const char *text);

/* Replace every occurrence of `secret` in `text` with "[REDACTED]"
 * (text is a NUL-terminated buffer of `size` bytes). */
void kc_ask_redact(char *text, size_t size, const char *secret);

/* ------------------------------------------------------------------ */
/* Retries (retry.c). */

/* 1 when an HTTP status is worth retrying: 408, 429 and 5xx. */
int kc_ask_status_retryable(long status);

/*
 * The delay a Retry-After header value asks for, in milliseconds, given
 * the time now: delay-seconds or an HTTP-date.  -1 when the value is
 * neither; a date in the past gives 0; capped at KC_ASK_RETRY_AFTER_MAX_MS.
 */
long kc_ask_retry_after(const char *value, time_t now);

/*
 * The delay before retry number `attempt` (1 for the first retry):
 * base * 2^(attempt-1), capped at KC_ASK_BACKOFF_MAX_MS (or base when
 * larger), with "equal jitter" (a uniform draw from its upper half).
 */
long kc_ask_backoff(long base_ms, int attempt, kc_rng *rng);

#endif
