/*
 * body.c - what kc-ask sends and how it reads what comes back.
 *
 * A request body is built in two pieces.  The part that is the same for
 * every request of a record (model, messages, sampling options, --extra)
 * is dumped once into a prefix without its closing brace; each request
 * then appends its own tail (,"n":K,"seed":S}).  A record whose n is
 * split over several requests thus costs one JSON dump, and the
 * (possibly 500 KB) prompt is held once, not once per request.
 *
 * Responses follow OpenAI's chat-completions shape: choices[i].message.
 * content, choices[i].finish_reason, usage.  Servers differ in the
 * details (vLLM's error bodies, null content when a reasoning parser took
 * everything, choices in any order), so the reading is lenient where the
 * answer is still unambiguous and strict where it is not (the number of
 * choices must be the number asked for: a server that silently caps n
 * must not pass for one that answered).
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "ask/private.h"

static kc_status check_messages(const json_t *msgs, struct kc_error *err)
{
	size_t i;
	json_t *m;

	if (!json_is_array(msgs))
		return kc_error_set(err, KC_EFIELD,
		                    "\"messages\" is not an array");
	if (json_array_size(msgs) == 0)
		return kc_error_set(err, KC_EFIELD, "\"messages\" is empty");
	json_array_foreach(msgs, i, m) {
		if (!json_is_object(m))
			return kc_error_set(err, KC_EFIELD,
			                    "\"messages\"[%zu] is not an object",
			                    i);
		if (!json_is_string(json_object_get(m, "role")))
			return kc_error_set(err, KC_EFIELD,
			                    "\"messages\"[%zu] has no \"role\" "
			                    "string", i);
	}
	return KC_OK;
}

/* The messages to send for `rec`: its own array (borrowed, with a new
 * reference) or a new one made of its "prompt". */
static json_t *messages_of(const json_t *rec, struct kc_error *err)
{
	json_t *msgs = json_object_get(rec, "messages");
	json_t *prompt;

	if (!json_is_object(rec)) {
		kc_error_set(err, KC_EFIELD, "record is not an object");
		return NULL;
	}
	if (msgs) {
		if (check_messages(msgs, err))
			return NULL;
		return json_incref(msgs);
	}
	prompt = json_object_get(rec, "prompt");
	if (!prompt) {
		kc_error_set(err, KC_EFIELD, "missing \"messages\" or \"prompt\"");
		return NULL;
	}
	if (!json_is_string(prompt)) {
		kc_error_set(err, KC_EFIELD, "\"prompt\" is not a string");
		return NULL;
	}
	msgs = json_pack("[{s:s,s:O}]", "role", "user", "content", prompt);
	if (!msgs)
		kc_error_set(err, KC_ENOMEM, "out of memory");
	return msgs;
}

kc_status kc_ask_body(const struct kc_ask_opts *o, const json_t *rec,
                      kc_buf *out, struct kc_error *err)
{
	json_t *body, *msgs;
	size_t start = out->len;
	int bad = 0;
	kc_status st;

	msgs = messages_of(rec, err);
	if (!msgs)
		return err ? err->status : KC_EFIELD;
	body = json_object();
	if (!body) {
		json_decref(msgs);
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	}
	/* Key order is insertion order (jansson >= 2.8): model first makes
	 * the bodies easy to read in a server's log. */
	if (o->model)
		bad |= json_object_set_new(body, "model", json_string(o->model));
	bad |= json_object_set_new(body, "messages", msgs);
	if (!isnan(o->temperature))
		bad |= json_object_set_new(body, "temperature",
		                           json_real(o->temperature));
	if (!isnan(o->top_p))
		bad |= json_object_set_new(body, "top_p", json_real(o->top_p));
	if (o->max_tokens > 0)
		bad |= json_object_set_new(body, "max_tokens",
		                           json_integer(o->max_tokens));
	/* --extra comes last so that its fields win: it is how a user says
	 * exactly what a particular server wants. */
	if (o->extra)
		bad |= json_object_update(body, (json_t *)o->extra);
	if (bad) {
		json_decref(body);
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	}
	st = kc_json_dump(body, out);
	json_decref(body);
	if (st) {
		out->len = start;
		return kc_error_set(err, st, "request body: %s",
		                    kc_strerror(st));
	}
	/* Drop the closing brace: the request's own tail adds it. */
	out->data[--out->len] = '\0';
	return KC_OK;
}

int kc_ask_parts(const struct kc_ask_opts *o)
{
	int per = o->n_per_request > 0 && o->n_per_request < o->n
	          ? o->n_per_request : o->n;

	return (o->n + per - 1) / per;
}

int kc_ask_part_n(const struct kc_ask_opts *o, int part)
{
	int per = o->n_per_request > 0 && o->n_per_request < o->n
	          ? o->n_per_request : o->n;
	int left = o->n - part * per;

	return left < per ? left : per;
}

long kc_ask_seed(uint64_t seed, const char *key, size_t keylen, int part)
{
	kc_rng r;
	uint64_t x = 0;

	kc_rng_seed(&r, seed, key, keylen, "ask");
	for (int i = 0; i <= part; i++)
		x = kc_rng_next(&r);
	return (long)(x >> 33);
}

/* Put the choices of `choices` into `slot` by their "index" (or in array
 * order when no choice has one). */
static kc_status order_choices(json_t *choices, size_t want, json_t **slot,
                               struct kc_error *err)
{
	size_t i;
	json_t *c;
	int indexed = 0;

	json_array_foreach(choices, i, c) {
		if (!json_is_object(c))
			return kc_error_set(err, KC_EJSON,
			                    "choices[%zu] is not an object", i);
		if (json_object_get(c, "index"))
			indexed = 1;
	}
	memset(slot, 0, want * sizeof *slot);
	json_array_foreach(choices, i, c) {
		json_t *ix = json_object_get(c, "index");
		json_int_t k = (json_int_t)i;

		if (indexed) {
			if (!json_is_integer(ix))
				return kc_error_set(err, KC_EJSON,
				                    "choices[%zu] has no integer "
				                    "\"index\"", i);
			k = json_integer_value(ix);
		}
		if (k < 0 || (size_t)k >= want || slot[k])
			return kc_error_set(err, KC_ESERVER,
			                    "choices[%zu] has index %lld (expected "
			                    "0..%zu, each once)", i, (long long)k,
			                    want - 1);
		slot[k] = c;
	}
	return KC_OK;
}

kc_status kc_ask_parse_response(const char *body, size_t len, int want,
                                json_t *responses, json_t *finish,
                                json_t **usage, struct kc_error *err)
{
	json_t *v, *choices, *u, **slot = NULL;
	kc_status st = KC_OK;
	size_t n;

	v = kc_json_parse(body, len, err);
	if (!v)
		return kc_error_set(err, KC_EJSON, "malformed response: %s",
		                    err ? err->text : "not JSON");
	if (!json_is_object(v)) {
		st = kc_error_set(err, KC_EJSON,
		                  "malformed response: not a JSON object");
		goto out;
	}
	choices = json_object_get(v, "choices");
	if (!choices && json_object_get(v, "error")) {
		char text[400];

		kc_ask_error_text(body, len, text, sizeof text);
		st = kc_error_set(err, KC_ESERVER, "server error: %s", text);
		goto out;
	}
	if (!json_is_array(choices)) {
		st = kc_error_set(err, KC_EJSON,
		                  "malformed response: no \"choices\" array");
		goto out;
	}
	n = json_array_size(choices);
	if (n != (size_t)want) {
		st = kc_error_set(err, KC_ESERVER,
		                  "server returned %zu choices for n=%d (does it "
		                  "cap n? see --n-per-request)", n, want);
		goto out;
	}
	slot = malloc((size_t)want * sizeof *slot);
	if (!slot) {
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	if ((st = order_choices(choices, (size_t)want, slot, err)))
		goto out;
	/* Check every choice before appending any, so a bad response adds
	 * nothing to the record's lists. */
	for (int i = 0; i < want; i++) {
		json_t *m = json_object_get(slot[i], "message");
		json_t *c = json_object_get(m, "content");
		json_t *f = json_object_get(slot[i], "finish_reason");

		if (!json_is_object(m) || (c && !json_is_string(c) &&
		                           !json_is_null(c))) {
			st = kc_error_set(err, KC_EJSON, "malformed response: "
			                  "choice %d has no message content", i);
			goto out;
		}
		if (f && !json_is_string(f) && !json_is_null(f)) {
			st = kc_error_set(err, KC_EJSON, "malformed response: "
			                  "choice %d has a bad finish_reason", i);
			goto out;
		}
	}
	for (int i = 0; i < want; i++) {
		json_t *m = json_object_get(slot[i], "message");
		json_t *c = json_object_get(m, "content");
		json_t *f = json_object_get(slot[i], "finish_reason");

		/* Null content (a reasoning parser took all the text, or the
		 * answer was cut before any content) is an empty answer; the
		 * finish reason says why. */
		if (json_array_append_new(responses, json_is_string(c)
		                          ? json_incref(c) : json_string("")) ||
		    json_array_append_new(finish, f ? json_incref(f)
		                                    : json_null())) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
	}
	u = json_object_get(v, "usage");
	if (json_is_object(u)) {
		if (!*usage && !(*usage = json_object()))
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
		else if (kc_ask_usage_add(*usage, u))
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
	}
out:
	free(slot);
	json_decref(v);
	return st;
}

int kc_ask_n_limit(long status, const char *text)
{
	const char *p;
	long k;

	if (status != 400 || (!strstr(text, "'n'") && !strstr(text, "\"n\"") &&
	                      !strstr(text, "`n`")))
		return 0;
	for (p = text; (p = strstr(p, "<=")); ) {
		p += 2;
		while (*p == ' ')
			p++;
		if (isdigit((unsigned char)*p)) {
			k = strtol(p, NULL, 10);
			return k >= 1 && k <= 65536 ? (int)k : 0;
		}
	}
	return 0;
}

kc_status kc_ask_usage_add(json_t *acc, const json_t *u)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)u, key, v) {
		json_t *a = json_object_get(acc, key);
		json_t *sum = NULL;

		if (!a) {
			sum = json_deep_copy(v);
		} else if (json_is_integer(a) && json_is_integer(v)) {
			sum = json_integer(json_integer_value(a) +
			                   json_integer_value(v));
		} else if (json_is_number(a) && json_is_number(v)) {
			sum = json_real(json_number_value(a) +
			                json_number_value(v));
		} else if (json_is_object(a) && json_is_object(v)) {
			if (kc_ask_usage_add(a, v))
				return KC_ENOMEM;
			continue;
		} else {
			continue;   /* text, null, lists: the first one stays */
		}
		if (!sum || json_object_set_new(acc, key, sum))
			return KC_ENOMEM;
	}
	return KC_OK;
}

/* Copy at most size-1 bytes of s into buf as one clean line: control
 * characters become spaces and a UTF-8 sequence is never cut. */
static void one_line(const char *s, size_t len, char *buf, size_t size)
{
	size_t n = len < size - 1 ? len : size - 1;

	n = kc_utf8_valid_prefix(s, n);
	for (size_t i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	buf[n] = '\0';
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

void kc_ask_error_text(const char *body, size_t len, char *buf, size_t size)
{
	json_t *v, *e, *m = NULL;

	if (!size)
		return;
	v = json_loadb(body, len, 0, NULL);
	if (json_is_object(v)) {
		e = json_object_get(v, "error");
		if (json_is_object(e))
			m = json_object_get(e, "message");
		else if (json_is_string(e))
			m = e;
		if (!json_is_string(m))
			m = json_object_get(v, "message");
		if (!json_is_string(m))
			m = json_object_get(v, "detail");   /* FastAPI */
	}
	if (json_is_string(m))
		one_line(json_string_value(m), json_string_length(m), buf, size);
	else if (len)
		one_line(body, len, buf, size);
	else
		snprintf(buf, size, "(empty body)");
	json_decref(v);
}

void kc_ask_redact(char *text, size_t size, const char *secret)
{
	static const char mask[] = "[REDACTED]";
	size_t slen, o = 0;
	char *tmp;
	const char *p;

	if (!secret || !*secret || !size)
		return;
	slen = strlen(secret);
	tmp = malloc(size);
	if (!tmp) {
		/* No memory for the copy: blank the secret in place. */
		while ((p = strstr(text, secret)))
			memset((char *)p, '*', slen);
		return;
	}
	for (p = text; *p && o + 1 < size;) {
		if (!strncmp(p, secret, slen)) {
			for (size_t k = 0; mask[k] && o + 1 < size; k++)
				tmp[o++] = mask[k];
			p += slen;
		} else {
			tmp[o++] = *p++;
		}
	}
	tmp[o] = '\0';
	/* A message cut to fit its buffer may end in the first characters
	 * of the secret: mask those too. */
	for (size_t k = slen - 1; k >= 4; k--) {
		if (o >= k && !strncmp(tmp + o - k, secret, k)) {
			o -= k;
			for (size_t j = 0; mask[j] && o + 1 < size; j++)
				tmp[o++] = mask[j];
			tmp[o] = '\0';
			break;
		}
	}
	memcpy(text, tmp, o + 1);
	free(tmp);
}
