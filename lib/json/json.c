/*
 * json.c - JSON text to jansson values, fast (kc_json_parse), and typed
 * access to record fields.
 *
 * Records are jansson values, and every tool parses and dumps them
 * through libkc.  At 32K tokens a record carries ~130 KB of passage text
 * and crosses three tools in a pipe, so parsing and dumping are the
 * budget.  jansson's loader reads one byte at a time through a callback,
 * saves every byte of a string, then decodes it in a second pass (~95
 * MB/s).  Here a string is looked at 16 bytes at a time for the few
 * bytes that matter: '"', '\\', control characters and non-ASCII bytes,
 * which are then checked as UTF-8 (json/private.h); a string without
 * escapes goes straight from the text to json_stringn_nocheck.
 *
 * The result is jansson's, on purpose: kc_json_parse accepts exactly
 * what json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL) accepts
 * ("\u0000" is valid JSON, and Hugging Face's tokenizers count it) and
 * builds the same values with jansson's own constructors (duplicate keys:
 * the last value, in the first one's place).  Quirks kept: at most 2048
 * nested values, counting the scalar in the innermost container
 * (JSON_PARSER_MAX_DEPTH); integers must fit a long long; a real that
 * overflows is refused, one that underflows is not; \u0000 is refused in
 * a key only; and a NUL byte right after a number or a word is skipped,
 * because jansson's one-byte push-back cannot hold a NUL and loses it.
 * On a refusal the message, line and column are jansson's too (error.c).
 *
 * tests/unit/test-json.c and the fuzz target tests/fuzz/json/ hold this
 * against jansson itself.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/private.h"
#include "json/private.h"

typedef kc_uchar uchar;

struct parser {
	const uchar *text, *p, *end;
	int depth;
	kc_buf scratch;         /* strings with escapes, decoded */
	kc_buf lost;            /* where NUL bytes were skipped (pointers) */
	int failed;             /* an error is recorded in err */
	struct kc_json_error err;
	int nomem;
};

/*
 * Record the error at the token starting at q (see kc_json_error_at);
 * the first one stays.
 */
static void fail_at(struct parser *ps, const uchar *q, const char *complaint)
{
	if (ps->failed)
		return;
	ps->failed = 1;
	kc_json_error_at(&ps->err, q, ps->end, complaint);
}

static void nomem(struct parser *ps)
{
	ps->failed = ps->nomem = 1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && kc_json_ws(*ps->p))
		ps->p++;
}

static size_t utf8_encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Four hex digits at p (p + 4 <= end), or -1. */
static long hex4(const uchar *p, const uchar *end)
{
	long v = 0;

	if (end - p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		int h = kc_json_hex(p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/*
 * Decode the escape at p (a backslash) into scratch; return the byte
 * after it, or NULL when it is not valid (*st: KC_EJSON) or memory ran
 * out (*st: KC_ENOMEM).  *nul is set when it decodes to U+0000.
 */
static const uchar *decode_escape(kc_buf *scratch, const uchar *p,
                                  const uchar *end, int *nul, kc_status *st)
{
	char u8[4];
	size_t n = 1;
	long cp, lo;

	*st = KC_EJSON;
	if (++p == end)
		return NULL;
	switch (*p) {
	case '"': case '\\': case '/':
		u8[0] = (char)*p;
		break;
	case 'b': u8[0] = '\b'; break;
	case 'f': u8[0] = '\f'; break;
	case 'n': u8[0] = '\n'; break;
	case 'r': u8[0] = '\r'; break;
	case 't': u8[0] = '\t'; break;
	case 'u':
		if ((cp = hex4(p + 1, end)) < 0)
			return NULL;
		p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (end - p < 7 || p[1] != '\\' || p[2] != 'u' ||
			    (lo = hex4(p + 3, end)) < 0xdc00 || lo > 0xdfff)
				return NULL;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			p += 6;
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			return NULL;
		}
		if (cp == 0)
			*nul = 1;
		n = utf8_encode((uint32_t)cp, u8);
		break;
	default:
		return NULL;
	}
	if (kc_buf_append(scratch, u8, n)) {
		*st = KC_ENOMEM;
		return NULL;
	}
	return p + 1;
}

kc_status kc_json_string(const uchar **at, const uchar *end, kc_buf *scratch,
                         const char **s, size_t *n, int *nul)
{
	const uchar *start = *at + 1, *p = start, *run = start;
	int escaped = 0;
	kc_status st;

	*nul = 0;
	for (;;) {
		p = kc_json_find_special(p, end);
		if (p == end)
			return KC_EJSON;
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			size_t len = kc_json_utf8(p, end);

			if (!len)
				return KC_EJSON;
			p += len;
			continue;
		}
		if (*p < 0x20)
			return KC_EJSON;
		/* a backslash: from here on the value is built in scratch */
		if (!escaped) {
			escaped = 1;
			scratch->len = 0;
		}
		if (kc_buf_append(scratch, run, (size_t)(p - run)))
			return KC_ENOMEM;
		if (!(p = decode_escape(scratch, p, end, nul, &st)))
			return st;
		run = p;
	}
	if (escaped) {
		if (kc_buf_append(scratch, run, (size_t)(p - run)))
			return KC_ENOMEM;
		*s = scratch->data;
		*n = scratch->len;
	} else {
		*s = (const char *)start;
		*n = (size_t)(p - start);
	}
	*at = p + 1;
	return KC_OK;
}

/* The string at ps->p (kc_json_string); on failure the caller reports
 * the string's token. */
static int parse_string(struct parser *ps, const char **s, size_t *n, int *nul)
{
	kc_status st = kc_json_string(&ps->p, ps->end, &ps->scratch, s, n, nul);

	if (st == KC_ENOMEM)
		nomem(ps);
	return st ? -1 : 0;
}

/* jansson pushes back the byte after a number or a word with a scheme
 * that cannot hold a NUL byte, so a NUL there is skipped (and is not
 * counted in error columns). */
static void skip_lost_nul(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '\0') {
		if (kc_buf_append(&ps->lost, &ps->p, sizeof ps->p))
			nomem(ps);
		ps->p++;
	}
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

kc_status kc_json_strtod(const uchar *p, size_t len, double *out)
{
	char small[64], *buf = small, *end;
	double d;

	if (len >= sizeof small && !(buf = malloc(len + 1)))
		return KC_ENOMEM;
	memcpy(buf, p, len);
	buf[len] = '\0';
	pthread_once(&c_locale_once, make_c_locale);
	errno = 0;
	d = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
	if (buf != small)
		free(buf);
	if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE)
		return KC_EJSON;
	*out = d;
	return KC_OK;
}

static json_t *parse_number(struct parser *ps)
{
	const uchar *q = ps->p, *stop;
	int ok, real;
	json_t *v;

	stop = kc_json_number(q, ps->end, &ok, &real);
	if (!ok)
		return fail_at(ps, q, NULL), NULL;
	if (real) {
		double d;
		kc_status st = kc_json_strtod(q, (size_t)(stop - q), &d);

		if (st == KC_ENOMEM)
			return nomem(ps), NULL;
		if (st)
			return fail_at(ps, q, NULL), NULL;
		v = json_real(d);
	} else {
		long long i;

		if (kc_json_integer(q, stop, &i))
			return fail_at(ps, q, NULL), NULL;
		v = json_integer((json_int_t)i);
	}
	if (!v)
		return nomem(ps), NULL;
	ps->p = stop;
	skip_lost_nul(ps);
	return v;
}

static json_t *parse_word(struct parser *ps)
{
	const uchar *q = ps->p, *p = q;
	size_t n;

	while (p < ps->end && kc_json_alpha(*p))
		p++;
	n = (size_t)(p - q);
	ps->p = p;
	if (n == 4 && !memcmp(q, "true", 4)) {
		skip_lost_nul(ps);
		return json_true();
	}
	if (n == 5 && !memcmp(q, "false", 5)) {
		skip_lost_nul(ps);
		return json_false();
	}
	if (n == 4 && !memcmp(q, "null", 4)) {
		skip_lost_nul(ps);
		return json_null();
	}
	return fail_at(ps, q, NULL), NULL;
}

static json_t *parse_value(struct parser *ps);

/* After an element or a member: 1 when a ',' says another follows (it
 * is skipped), 0 when `close` ends the container (skipped too), -1 on
 * anything else (the error recorded, in jansson's words). */
static int next_item(struct parser *ps, char close)
{
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ',') {
		ps->p++;
		skip_ws(ps);
		return 1;
	}
	if (ps->p < ps->end && *ps->p == (uchar)close) {
		ps->p++;
		return 0;
	}
	fail_at(ps, ps->p, close == ']' ? "']' expected" : "'}' expected");
	return -1;
}

static json_t *parse_array(struct parser *ps)
{
	json_t *a = json_array(), *e;

	if (!a)
		return nomem(ps), NULL;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return a;
	}
	for (;;) {
		/* jansson's loop ends at the end of input, where an element
		 * should be, and then misses its ']' */
		if (ps->p == ps->end) {
			fail_at(ps, ps->p, "']' expected");
			goto fail;
		}
		if (!(e = parse_value(ps)))
			goto fail;
		if (json_array_append_new(a, e)) {
			nomem(ps);
			goto fail;
		}
		switch (next_item(ps, ']')) {
		case 1: continue;
		case 0: return a;
		}
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static json_t *parse_object(struct parser *ps)
{
	json_t *o = json_object(), *v;
	const uchar *q;
	const char *key;
	char *copy;
	size_t klen;
	int nul;

	if (!o)
		return nomem(ps), NULL;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return o;
	}
	for (;;) {
		q = ps->p;
		if (q == ps->end || *q != '"') {
			fail_at(ps, q, "string or '}' expected");
			goto fail;
		}
		if (parse_string(ps, &key, &klen, &nul)) {
			fail_at(ps, q, NULL);
			goto fail;
		}
		if (nul) {
			fail_at(ps, q, "NUL byte in object key not supported");
			goto fail;
		}
		/* A decoded key lives in scratch, which the value may reuse. */
		copy = NULL;
		if (key == ps->scratch.data) {
			if (!(copy = malloc(klen + 1))) {
				nomem(ps);
				goto fail;
			}
			memcpy(copy, key, klen);
			key = copy;
		}
		skip_ws(ps);
		if (ps->p == ps->end || *ps->p != ':') {
			fail_at(ps, ps->p, "':' expected");
			free(copy);
			goto fail;
		}
		ps->p++;
		skip_ws(ps);
		v = parse_value(ps);
		if (v && json_object_setn_new_nocheck(o, key, klen, v)) {
			v = NULL;
			nomem(ps);
		}
		free(copy);
		if (!v)
			goto fail;
		switch (next_item(ps, '}')) {
		case 1: continue;
		case 0: return o;
		}
		goto fail;
	}
fail:
	json_decref(o);
	return NULL;
}

/* The value whose first byte is at ps->p (after white space). */
static json_t *parse_value(struct parser *ps)
{
	const uchar *q = ps->p;
	json_t *v = NULL;

	/* jansson counts every value, scalars too, and checks the depth
	 * once it has read the token */
	if (++ps->depth > KC_JSON_MAX_DEPTH)
		return fail_at(ps, q, "maximum parsing depth reached"), NULL;
	if (q == ps->end)
		return fail_at(ps, q, NULL), NULL;
	switch (*q) {
	case '{':
		v = parse_object(ps);
		break;
	case '[':
		v = parse_array(ps);
		break;
	case '"': {
		const char *s;
		size_t n;
		int nul;

		if (parse_string(ps, &s, &n, &nul))
			return fail_at(ps, q, NULL), NULL;
		if (!(v = json_stringn_nocheck(s, n)))
			nomem(ps);
		break;
	}
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		v = parse_number(ps);
		break;
	default:
		if (kc_json_alpha(*q))
			v = parse_word(ps);
		else
			fail_at(ps, q, NULL);
		break;
	}
	if (v)
		ps->depth--;
	return v;
}

json_t *kc_json_parse(const char *text, size_t len, struct kc_error *err)
{
	struct parser ps;
	json_t *v = NULL;

	if (!text)
		return kc_error_set(err, KC_EINVAL, "no text to parse"), NULL;
	memset(&ps, 0, sizeof ps);
	ps.text = ps.p = (const uchar *)text;
	ps.end = ps.p + len;
	kc_buf_init(&ps.scratch, 0);
	kc_buf_init(&ps.lost, 0);
	skip_ws(&ps);
	v = parse_value(&ps);
	if (v) {
		skip_ws(&ps);
		if (ps.p != ps.end)
			fail_at(&ps, ps.p, "end of file expected");
	}
	if (ps.failed) {
		json_decref(v);
		v = NULL;
		if (ps.nomem)
			kc_error_nomem(err);
		else
			kc_json_error_fill(&ps.err, ps.text,
			                   (const uchar *const *)(void *)ps.lost.data,
			                   ps.lost.len / sizeof(uchar *), err);
	}
	kc_buf_release(&ps.scratch);
	kc_buf_release(&ps.lost);
	return v;
}

/* ------------------------------------------------------------------ */
/* Typed access to record fields. */

const char *kc_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static kc_status get(const json_t *obj, const char *key, json_type want,
                     json_t **out, struct kc_error *err)
{
	json_t *v;
	static const char *const want_name[] = {
		[JSON_OBJECT] = "an object", [JSON_ARRAY] = "an array",
		[JSON_STRING] = "a string", [JSON_INTEGER] = "an integer",
	};

	if (!json_is_object(obj))
		return kc_error_set(err, KC_EFIELD, "record is not an object");
	v = json_object_get(obj, key);
	if (!v)
		return kc_error_set(err, KC_EFIELD, "missing \"%s\"", key);
	if (json_typeof(v) != want)
		return kc_error_set(err, KC_EFIELD, "\"%s\" is %s, not %s",
		                    key, kc_json_type_name(v), want_name[want]);
	*out = v;
	return KC_OK;
}

kc_status kc_get_string(const json_t *obj, const char *key, const char **out,
                        size_t *len, struct kc_error *err)
{
	json_t *v;
	kc_status st = get(obj, key, JSON_STRING, &v, err);

	if (st)
		return st;
	*out = json_string_value(v);
	if (len)
		*len = json_string_length(v);
	return KC_OK;
}

kc_status kc_get_array(const json_t *obj, const char *key, json_t **out,
                       struct kc_error *err)
{
	return get(obj, key, JSON_ARRAY, out, err);
}

kc_status kc_get_object(const json_t *obj, const char *key, json_t **out,
                        struct kc_error *err)
{
	return get(obj, key, JSON_OBJECT, out, err);
}

kc_status kc_get_int(const json_t *obj, const char *key, long long *out,
                     struct kc_error *err)
{
	json_t *v;
	kc_status st = get(obj, key, JSON_INTEGER, &v, err);

	if (st)
		return st;
	*out = json_integer_value(v);
	return KC_OK;
}
