/*
 * json.c - JSON text to jansson values and back, fast; typed access to
 * record fields.
 *
 * Records are jansson values, and every tool parses and dumps them
 * through the functions here.  At 32K tokens a record carries ~130 KB of
 * passage text and crosses three tools in a pipe, so these two steps are
 * the budget.  jansson's loader reads one byte at a time through a
 * callback, saves every byte of a string, then decodes it in a second
 * pass (~95 MB/s); its dumper asks a callback for every run and checks
 * UTF-8 one code point at a time (~160 MB/s).  Here both look at 16 bytes
 * at a time (SSE2, or 8 with plain 64-bit arithmetic elsewhere) for the
 * few bytes that matter in a string: '"', '\\', control characters and
 * non-ASCII bytes (which are then checked as UTF-8).
 *
 * The result is the same as jansson's, on purpose:
 *
 *  - kc_json_parse accepts exactly what json_loadb(text, len,
 *    JSON_DECODE_ANY) accepts, builds the same values with jansson's own
 *    constructors, and when it refuses a text, it says KC_EUTF8 exactly
 *    when jansson says json_error_invalid_utf8.  jansson reports the first
 *    error it meets while reading a whole token ahead (plus one byte after
 *    a number or a word), so at a syntax error we look at the token there
 *    the way jansson's lexer would, to see whether it meets bad UTF-8
 *    first (token_bad_utf8).  Quirks kept: a nesting limit of 2048 values
 *    (JSON_PARSER_MAX_DEPTH, counting the scalar inside the innermost
 *    container), integers must fit a long long, a real that overflows is
 *    an error but one that underflows is not, and a NUL byte right after
 *    a number or a literal is skipped (jansson's one-byte push-back loses
 *    it).
 *  - kc_json_dump writes byte for byte what json_dumps(v, JSON_COMPACT |
 *    JSON_ENCODE_ANY) writes: keys in insertion order, non-ASCII UTF-8 as
 *    is, '"' '\\' and control characters escaped (\b \f \n \r \t, else
 *    \u00XX in capitals), '/' not escaped, reals as "%.17g" with ".0"
 *    added when needed; it fails where json_dumps fails (a string that is
 *    not UTF-8, a value that contains itself).  One deliberate difference:
 *    jansson ignores an invalid UTF-8 object key and writes a broken text;
 *    we fail.
 *
 * tests/unit/test-json.c and the fuzz target tests/fuzz/json/ hold these
 * claims against jansson itself.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
/* KC_JSON_PORTABLE builds the plain C scan, for testing it on x86 too. */
#if defined(__SSE2__) && !defined(KC_JSON_PORTABLE)
#define USE_SSE2 1
#include <emmintrin.h>
#endif

#include "kc.h"

#define MAX_DEPTH 2048          /* jansson's JSON_PARSER_MAX_DEPTH */

typedef unsigned char uchar;

/* ------------------------------------------------------------------ */
/* Byte classes shared by the parser and the dumper. */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }
static int is_ws(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static int hex_value(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The first byte in [p, end) that a string cannot pass through as is:
 * '"', '\\', a control character (< 0x20) or a non-ASCII byte; end if
 * there is none.
 */
static const uchar *find_special(const uchar *p, const uchar *end)
{
#if USE_SSE2
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(' ');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		/* A signed compare with ' ' catches both the control
		 * characters and the bytes >= 0x80 (negative as signed). */
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		                                      _mm_cmpeq_epi8(v, bslash)),
		                         _mm_cmplt_epi8(v, space));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask)
			return p + __builtin_ctz(mask);
		p += 16;
	}
#else
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;

	while (end - p >= 8) {
		uint64_t x, q, b;

		memcpy(&x, p, 8);
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		/* Set when a byte of q or b is zero, or a byte of x is below
		 * 0x20 or has its high bit: never missed, sometimes set by
		 * a borrow, so the bytes are then looked at one by one. */
		if ((((q - ones) & ~q) | ((b - ones) & ~b) |
		     (x - ones * 0x20) | x) & highs) {
			for (int i = 0; i < 8; i++)
				if (p[i] == '"' || p[i] == '\\' || p[i] < 0x20 ||
				    p[i] >= 0x80)
					return p + i;
		}
		p += 8;
	}
#endif
	while (p < end && *p != '"' && *p != '\\' && *p >= 0x20 && *p < 0x80)
		p++;
	return p;
}

/*
 * The length (2 to 4) of the valid UTF-8 sequence at p (*p >= 0x80), or
 * 0 when it is not valid: the rules of jansson's utf.c (no overlong
 * forms, no surrogates, nothing above U+10FFFF, no truncated sequence).
 */
static size_t utf8_seq(const uchar *p, const uchar *end)
{
	uchar c = p[0];
	size_t n, avail = (size_t)(end - p);
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
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

/* ------------------------------------------------------------------ */
/* What jansson's lexer meets first: bad UTF-8 or a syntax error. */

/* p is the byte jansson reads last, after a number or a word. */
static const uchar *lookahead_bad(const uchar *p, const uchar *end)
{
	return p < end && *p >= 0x80 && !utf8_seq(p, end) ? p : NULL;
}

/*
 * Read the rest of a string from p (just after the opening quote, or
 * anywhere inside) the way jansson's first pass does, which stops at the
 * closing quote, a control character, a bad escape or the end; return
 * the bad UTF-8 byte met before that, or NULL.
 */
static const uchar *string_bad_utf8(const uchar *p, const uchar *end)
{
	for (;;) {
		p = find_special(p, end);
		if (p == end || *p == '"' || *p < 0x20)
			return NULL;
		if (*p >= 0x80) {
			size_t n = utf8_seq(p, end);
			if (!n)
				return p;
			p += n;
			continue;
		}
		/* a backslash */
		if (++p == end)
			return NULL;
		if (*p == 'u') {
			for (int i = 0; i < 4; i++) {
				if (++p == end)
					return NULL;
				if (hex_value(*p) < 0)
					return lookahead_bad(p, end);
			}
			p++;
		} else if (strchr("\"\\/bfnrt", *p) && *p) {
			p++;
		} else {
			return lookahead_bad(p, end);
		}
	}
}

/* Where jansson's number lexer stops: the first byte it reads and rejects. */
static const uchar *number_stop(const uchar *p, const uchar *end)
{
#define AT(c) (p < end && (c))
	if (AT(*p == '-'))
		p++;
	if (AT(*p == '0')) {
		p++;
		if (AT(is_digit(*p)))
			return p;
	} else if (AT(is_digit(*p))) {
		while (AT(is_digit(*p)))
			p++;
	} else {
		return p;
	}
	if (AT(*p == '.')) {
		p++;
		if (!AT(is_digit(*p)))
			return p;
		while (AT(is_digit(*p)))
			p++;
	}
	if (AT(*p == 'e' || *p == 'E')) {
		p++;
		if (AT(*p == '+' || *p == '-'))
			p++;
		if (!AT(is_digit(*p)))
			return p;
		while (AT(is_digit(*p)))
			p++;
	}
	return p;
#undef AT
}

/*
 * jansson reports a syntax error only once it has read the whole token
 * where the error is (and one byte more after a number or a word); if
 * that reading meets bad UTF-8 first, the error it reports is that.
 * Return the bad byte, or NULL.
 */
static const uchar *token_bad_utf8(const uchar *q, const uchar *end)
{
	if (q >= end)
		return NULL;
	if (*q >= 0x80)
		return utf8_seq(q, end) ? NULL : q;
	if (*q == '"')
		return string_bad_utf8(q + 1, end);
	if (*q == '-' || is_digit(*q))
		return lookahead_bad(number_stop(q, end), end);
	if (is_alpha(*q)) {
		while (q < end && is_alpha(*q))
			q++;
		return lookahead_bad(q, end);
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The parser. */

struct parser {
	const uchar *text, *p, *end;
	int depth;
	kc_buf scratch;         /* strings with escapes, decoded */
	kc_status status;       /* the first error, KC_OK until then */
	const uchar *errpos;
	char msg[200];
};

/*
 * Record an error found at `at` (the first one wins, as in jansson).
 * `token` is where the token that shows it starts: the error becomes
 * KC_EUTF8 when reading that token meets bad UTF-8 first.
 */
static void syntax_error(struct parser *ps, const uchar *token,
                         const uchar *at, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static void syntax_error(struct parser *ps, const uchar *token,
                         const uchar *at, const char *fmt, ...)
{
	const uchar *bad;
	va_list ap;

	if (ps->status)
		return;
	bad = token ? token_bad_utf8(token, ps->end) : NULL;
	if (bad) {
		ps->status = KC_EUTF8;
		ps->errpos = bad;
		snprintf(ps->msg, sizeof ps->msg, "invalid UTF-8");
		return;
	}
	ps->status = KC_EJSON;
	ps->errpos = at;
	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof ps->msg, fmt, ap);
	va_end(ap);
}

static void utf8_error(struct parser *ps, const uchar *at)
{
	if (ps->status)
		return;
	ps->status = KC_EUTF8;
	ps->errpos = at;
	snprintf(ps->msg, sizeof ps->msg, "invalid UTF-8");
}

static void nomem(struct parser *ps)
{
	if (ps->status)
		return;
	ps->status = KC_ENOMEM;
	ps->errpos = ps->p;
	snprintf(ps->msg, sizeof ps->msg, "out of memory");
}

/*
 * A string error that jansson finds only after reading the whole string
 * (a lone surrogate, \u0000): bad UTF-8 later in the string wins.
 */
static void late_string_error(struct parser *ps, const uchar *rest,
                              const uchar *at, const char *msg)
{
	const uchar *bad = string_bad_utf8(rest, ps->end);

	if (bad)
		utf8_error(ps, bad);
	else
		syntax_error(ps, NULL, at, "%s", msg);
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && is_ws(*ps->p))
		ps->p++;
}

/* Four hex digits after "\u" at p (p points at the 'u'). */
static int read_hex4(struct parser *ps, const uchar *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 1; i <= 4; i++) {
		int h;

		if (p + i >= ps->end) {
			syntax_error(ps, NULL, ps->end, "premature end of input");
			return -1;
		}
		h = hex_value(p[i]);
		if (h < 0) {
			if (lookahead_bad(p + i, ps->end))
				utf8_error(ps, p + i);
			else
				syntax_error(ps, NULL, p + i, "invalid escape");
			return -1;
		}
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return 0;
}

/*
 * Decode the escape at p (a backslash) into ps->scratch; return the byte
 * after it, or NULL on error.  *nul is set when it decodes to U+0000.
 */
static const uchar *decode_escape(struct parser *ps, const uchar *p, int *nul)
{
	const uchar *esc = p, *end = ps->end;
	char u8[4];
	size_t n = 1;
	uint32_t cp, lo;

	if (++p == end) {
		syntax_error(ps, NULL, end, "premature end of input");
		return NULL;
	}
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
		if (read_hex4(ps, p, &cp))
			return NULL;
		p += 4;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			/* jansson's first pass checks the next escape's digits
			 * before the pair is judged. */
			if (p + 2 < end && p[1] == '\\' && p[2] == 'u') {
				if (read_hex4(ps, p + 2, &lo))
					return NULL;
				if (lo < 0xdc00 || lo > 0xdfff) {
					late_string_error(ps, p + 7, esc,
					                  "invalid Unicode surrogate pair");
					return NULL;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			} else {
				late_string_error(ps, p + 1, esc,
				                  "invalid Unicode: lone surrogate");
				return NULL;
			}
		} else if (cp >= 0xdc00 && cp <= 0xdfff) {
			late_string_error(ps, p + 1, esc,
			                  "invalid Unicode: lone surrogate");
			return NULL;
		}
		if (cp == 0)
			*nul = 1;
		n = utf8_encode(cp, u8);
		break;
	default:
		if (lookahead_bad(p, end))
			utf8_error(ps, p);
		else
			syntax_error(ps, NULL, esc, "invalid escape");
		return NULL;
	}
	if (kc_buf_append(&ps->scratch, u8, n)) {
		nomem(ps);
		return NULL;
	}
	return p + 1;
}

/*
 * Parse the string whose opening quote is at ps->p.  On success *s and
 * *n give its value: inside the text when it has no escapes, else in
 * ps->scratch (valid until the next string).  *nul says whether it holds
 * U+0000.
 */
static int parse_string(struct parser *ps, const char **s, size_t *n, int *nul)
{
	const uchar *start = ps->p + 1, *p = start, *run = start, *end = ps->end;
	int escaped = 0;

	*nul = 0;
	for (;;) {
		p = find_special(p, end);
		if (p == end) {
			syntax_error(ps, NULL, end, "premature end of input");
			return -1;
		}
		if (*p == '"')
			break;
		if (*p >= 0x80) {
			size_t len = utf8_seq(p, end);
			if (!len) {
				utf8_error(ps, p);
				return -1;
			}
			p += len;
			continue;
		}
		if (*p < 0x20) {
			if (*p == '\n')
				syntax_error(ps, NULL, p, "unexpected newline in string");
			else
				syntax_error(ps, NULL, p, "control character 0x%x in string",
				             *p);
			return -1;
		}
		/* a backslash: from here on the value is built in scratch */
		if (!escaped) {
			escaped = 1;
			ps->scratch.len = 0;
		}
		if (kc_buf_append(&ps->scratch, run, (size_t)(p - run))) {
			nomem(ps);
			return -1;
		}
		p = decode_escape(ps, p, nul);
		if (!p)
			return -1;
		run = p;
	}
	if (escaped) {
		if (kc_buf_append(&ps->scratch, run, (size_t)(p - run))) {
			nomem(ps);
			return -1;
		}
		*s = ps->scratch.data;
		*n = ps->scratch.len;
	} else {
		*s = (const char *)start;
		*n = (size_t)(p - start);
	}
	ps->p = p + 1;
	return 0;
}

/* jansson pushes back the byte after a number or a word with a scheme
 * that cannot hold a NUL byte, so a NUL there is skipped. */
static void skip_lost_nul(struct parser *ps)
{
	if (ps->p < ps->end && *ps->p == '\0')
		ps->p++;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static json_t *parse_real(struct parser *ps, const uchar *q, size_t len)
{
	char small[64], *buf = small, *end;
	double d;
	json_t *v;

	if (len >= sizeof small && !(buf = malloc(len + 1))) {
		nomem(ps);
		return NULL;
	}
	memcpy(buf, q, len);
	buf[len] = '\0';
	pthread_once(&c_locale_once, make_c_locale);
	errno = 0;
	/* jansson reads reals in the C locale's format whatever the
	 * program's locale. */
	d = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
	if (buf != small)
		free(buf);
	if ((d == HUGE_VAL || d == -HUGE_VAL) && errno == ERANGE) {
		syntax_error(ps, q, q, "real number overflow");
		return NULL;
	}
	v = json_real(d);
	if (!v)
		nomem(ps);
	return v;
}

static json_t *parse_number(struct parser *ps)
{
	const uchar *q = ps->p, *p = q, *end = ps->end;
	int real = 0, neg = 0;
	unsigned long long u = 0, limit;
	json_t *v;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p == end || !is_digit(*p))
		goto bad;
	if (*p == '0') {
		p++;
		if (p < end && is_digit(*p))
			goto bad;
	} else {
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && *p == '.') {
		real = 1;
		p++;
		if (p == end || !is_digit(*p))
			goto bad;
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p == end || !is_digit(*p))
			goto bad;
		while (p < end && is_digit(*p))
			p++;
	}
	ps->p = p;
	if (real) {
		v = parse_real(ps, q, (size_t)(p - q));
	} else {
		/* as strtoll: up to LLONG_MAX, down to LLONG_MIN */
		limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
		for (const uchar *d = q + neg; d < p; d++) {
			unsigned digit = (unsigned)(*d - '0');
			if (u > (limit - digit) / 10) {
				syntax_error(ps, q, q, neg ? "too big negative integer"
				                           : "too big integer");
				return NULL;
			}
			u = u * 10 + digit;
		}
		v = json_integer(neg ? (json_int_t)(0 - u) : (json_int_t)u);
		if (!v)
			nomem(ps);
	}
	if (v)
		skip_lost_nul(ps);
	return v;
bad:
	syntax_error(ps, q, q, "invalid number");
	return NULL;
}

static json_t *parse_word(struct parser *ps)
{
	const uchar *q = ps->p, *p = q;
	size_t n;

	while (p < ps->end && is_alpha(*p))
		p++;
	n = (size_t)(p - q);
	ps->p = p;
	skip_lost_nul(ps);
	if (n == 4 && !memcmp(q, "true", 4))
		return json_true();
	if (n == 5 && !memcmp(q, "false", 5))
		return json_false();
	if (n == 4 && !memcmp(q, "null", 4))
		return json_null();
	syntax_error(ps, q, q, "invalid token '%.*s'", n > 20 ? 20 : (int)n, q);
	return NULL;
}

static json_t *parse_value(struct parser *ps);

static json_t *parse_array(struct parser *ps)
{
	json_t *a = json_array(), *e;

	if (!a) {
		nomem(ps);
		return NULL;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return a;
	}
	for (;;) {
		if (!(e = parse_value(ps)))
			goto fail;
		if (json_array_append_new(a, e)) {
			nomem(ps);
			goto fail;
		}
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return a;
		}
		syntax_error(ps, ps->p, ps->p, ps->p < ps->end
		             ? "',' or ']' expected" : "premature end of input");
		goto fail;
	}
fail:
	json_decref(a);
	return NULL;
}

static json_t *parse_object(struct parser *ps)
{
	json_t *o = json_object(), *v;
	const char *key;
	char *copy;
	size_t klen;
	int nul;

	if (!o) {
		nomem(ps);
		return NULL;
	}
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return o;
	}
	for (;;) {
		if (ps->p == ps->end || *ps->p != '"') {
			syntax_error(ps, ps->p, ps->p, ps->p < ps->end
			             ? "string or '}' expected" : "premature end of input");
			goto fail;
		}
		if (parse_string(ps, &key, &klen, &nul))
			goto fail;
		if (nul) {
			syntax_error(ps, NULL, ps->p, "NUL byte in object key");
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
			syntax_error(ps, ps->p, ps->p, ps->p < ps->end
			             ? "':' expected" : "premature end of input");
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
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			skip_ws(ps);
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return o;
		}
		syntax_error(ps, ps->p, ps->p, ps->p < ps->end
		             ? "',' or '}' expected" : "premature end of input");
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
	 * before it looks at the token. */
	if (++ps->depth > MAX_DEPTH) {
		syntax_error(ps, q, q, "maximum nesting depth (%d) reached",
		             MAX_DEPTH);
		return NULL;
	}
	if (q == ps->end) {
		syntax_error(ps, NULL, q, "premature end of input");
		return NULL;
	}
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
			return NULL;
		if (nul) {
			syntax_error(ps, NULL, q, "\\u0000 is not allowed in a string");
			return NULL;
		}
		if (!(v = json_stringn_nocheck(s, n)))
			nomem(ps);
		break;
	}
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		v = parse_number(ps);
		break;
	default:
		if (is_alpha(*q))
			v = parse_word(ps);
		else if (*q >= 0x20 && *q < 0x7f)
			syntax_error(ps, q, q, "unexpected '%c'", *q);
		else
			syntax_error(ps, q, q, "unexpected byte 0x%02x", *q);
		break;
	}
	if (v)
		ps->depth--;
	return v;
}

/* Line (1-based) and column (1-based, in characters) of `at`. */
static void locate(const uchar *text, const uchar *at, long *line, long *col)
{
	const uchar *ls = text;

	*line = 1;
	for (const uchar *p = text; p < at; p++)
		if (*p == '\n') {
			(*line)++;
			ls = p + 1;
		}
	*col = 1;
	for (const uchar *p = ls; p < at; p++)
		if ((*p & 0xc0) != 0x80)
			(*col)++;
}

json_t *kc_json_parse(const char *text, size_t len, struct kc_error *err)
{
	struct parser ps;
	json_t *v;
	long line, col;

	memset(&ps, 0, sizeof ps);
	ps.text = ps.p = (const uchar *)text;
	ps.end = ps.p + len;
	kc_buf_init(&ps.scratch, 0);
	if (!text) {
		ps.end = ps.p;
		syntax_error(&ps, NULL, ps.p, "no text");
		v = NULL;
	} else {
		skip_ws(&ps);
		v = parse_value(&ps);
		if (v) {
			skip_ws(&ps);
			if (ps.p != ps.end) {
				syntax_error(&ps, ps.p, ps.p, "end of input expected");
				json_decref(v);
				v = NULL;
			}
		}
	}
	kc_buf_release(&ps.scratch);
	if (v)
		return v;
	if (ps.status == KC_ENOMEM)
		return kc_error_set(err, KC_ENOMEM, "out of memory"), NULL;
	locate(ps.text, ps.errpos, &line, &col);
	if (line > 1)
		kc_error_set(err, ps.status, "%s%s (line %ld, column %ld)",
		             ps.status == KC_EJSON ? "malformed JSON: " : "",
		             ps.msg, line, col);
	else
		kc_error_set(err, ps.status, "%s%s (column %ld)",
		             ps.status == KC_EJSON ? "malformed JSON: " : "",
		             ps.msg, col);
	if (err) {
		err->line = line;
		err->column = col;
	}
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The dumper.
 *
 * Output goes through a window [p, lim): the free space of a kc_buf, or
 * a local block that is written to a FILE when full, so that one record
 * costs a handful of fwrite calls, not one per token.
 */

struct out {
	char *p, *lim;
	kc_buf *buf;            /* dumping into a buffer ... */
	FILE *f;                /* ... or into a file through block[] */
	char *block;
	size_t block_size;
	kc_status status;
	int saved_errno;
};

/* Parents of the value being written, to refuse a value that contains
 * itself (jansson's loop check). */
struct parent {
	const json_t *v;
	const struct parent *up;
};

static int out_flush(struct out *o)
{
	size_t n = (size_t)(o->p - o->block);

	if (n && fwrite(o->block, 1, n, o->f) != n) {
		o->saved_errno = errno;
		o->status = KC_EIO;
		return -1;
	}
	o->p = o->block;
	return 0;
}

/* Make the window hold at least n bytes. */
static int out_room(struct out *o, size_t n)
{
	kc_status st;

	if ((size_t)(o->lim - o->p) >= n)
		return 0;
	if (o->status)
		return -1;
	if (o->f) {
		if (out_flush(o))
			return -1;
		return n <= o->block_size ? 0 : -1;
	}
	o->buf->len = (size_t)(o->p - o->buf->data);
	if ((st = kc_buf_reserve(o->buf, n))) {
		o->status = st;
		return -1;
	}
	o->p = o->buf->data + o->buf->len;
	o->lim = o->buf->data + o->buf->cap - 1;        /* room for the NUL */
	return 0;
}

static int out_write(struct out *o, const void *s, size_t n)
{
	if ((size_t)(o->lim - o->p) < n) {
		/* A long run bypasses the block on its way to a file. */
		if (o->f && n > o->block_size / 2) {
			if (out_flush(o))
				return -1;
			if (fwrite(s, 1, n, o->f) != n) {
				o->saved_errno = errno;
				o->status = KC_EIO;
				return -1;
			}
			return 0;
		}
		if (out_room(o, n))
			return -1;
	}
	memcpy(o->p, s, n);
	o->p += n;
	return 0;
}

static int out_byte(struct out *o, char c)
{
	if (o->p == o->lim && out_room(o, 1))
		return -1;
	*o->p++ = c;
	return 0;
}

static int dump_string(struct out *o, const char *str, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const uchar *s = (const uchar *)str, *end = s + len, *run = s, *p = s;

	if (out_byte(o, '"'))
		return -1;
	for (;;) {
		char esc[6];
		size_t n = 2;

		p = find_special(p, end);
		if (p == end)
			break;
		if (*p >= 0x80) {
			size_t k = utf8_seq(p, end);
			if (!k) {
				o->status = KC_EUTF8;
				return -1;
			}
			p += k;
			continue;
		}
		if (out_write(o, run, (size_t)(p - run)))
			return -1;
		esc[0] = '\\';
		switch (*p) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			n = 6;
		}
		if (out_write(o, esc, n))
			return -1;
		run = ++p;
	}
	if (out_write(o, run, (size_t)(end - run)))
		return -1;
	return out_byte(o, '"');
}

/* jansson's jsonp_dtostr with precision 17, step by step. */
static int dump_real(struct out *o, double d)
{
	char buf[100], *pos, *start, *stop;
	const char *point;
	int n;
	size_t len;

	n = snprintf(buf, sizeof buf, "%.17g", d);
	if (n < 0 || (size_t)n >= sizeof buf)
		return o->status = KC_EINVAL, -1;
	len = (size_t)n;
	point = localeconv()->decimal_point;
	if (*point != '.' && (pos = strchr(buf, *point)))
		*pos = '.';
	/* a dot or an exponent, or the value would read back as an integer */
	if (!strchr(buf, '.') && !strchr(buf, 'e')) {
		memcpy(buf + len, ".0", 3);
		len += 2;
	}
	/* no '+' and no leading zeros in the exponent */
	if ((start = strchr(buf, 'e'))) {
		start++;
		stop = start + 1;
		if (*start == '-')
			start++;
		while (*stop == '0')
			stop++;
		if (stop != start) {
			memmove(start, stop, len - (size_t)(stop - buf) + 1);
			len -= (size_t)(stop - start);
		}
	}
	return out_write(o, buf, len);
}

static int dump_value(struct out *o, const json_t *v, const struct parent *up)
{
	struct parent me;
	char num[24], *d;

	switch (json_typeof(v)) {
	case JSON_NULL:
		return out_write(o, "null", 4);
	case JSON_TRUE:
		return out_write(o, "true", 4);
	case JSON_FALSE:
		return out_write(o, "false", 5);
	case JSON_INTEGER: {
		json_int_t i = json_integer_value(v);
		unsigned long long u = i < 0 ? 0 - (unsigned long long)i
		                             : (unsigned long long)i;

		d = num + sizeof num;
		do
			*--d = (char)('0' + u % 10);
		while (u /= 10);
		if (i < 0)
			*--d = '-';
		return out_write(o, d, (size_t)(num + sizeof num - d));
	}
	case JSON_REAL:
		return dump_real(o, json_real_value(v));
	case JSON_STRING:
		return dump_string(o, json_string_value(v), json_string_length(v));
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	default:
		return o->status = KC_EINVAL, -1;
	}
	for (const struct parent *a = up; a; a = a->up)
		if (a->v == v)
			return o->status = KC_EINVAL, -1;
	me.v = v;
	me.up = up;
	if (json_is_array(v)) {
		size_t n = json_array_size(v);

		if (out_byte(o, '['))
			return -1;
		for (size_t i = 0; i < n; i++) {
			if ((i && out_byte(o, ',')) ||
			    dump_value(o, json_array_get(v, i), &me))
				return -1;
		}
		return out_byte(o, ']');
	}
	if (out_byte(o, '{'))
		return -1;
	for (void *it = json_object_iter((json_t *)v); it;) {
		if (dump_string(o, json_object_iter_key(it),
		                json_object_iter_key_len(it)) ||
		    out_byte(o, ':') ||
		    dump_value(o, json_object_iter_value(it), &me))
			return -1;
		it = json_object_iter_next((json_t *)v, it);
		if (it && out_byte(o, ','))
			return -1;
	}
	return out_byte(o, '}');
}

kc_status kc_json_dump(const json_t *v, kc_buf *buf)
{
	struct out o = { .buf = buf };
	size_t start = buf->len;

	kc_status st;

	if (!v)
		return KC_EINVAL;
	if ((st = kc_buf_reserve(buf, 64)))
		return st;
	o.p = buf->data + buf->len;
	o.lim = buf->data + buf->cap - 1;               /* room for the NUL */
	if (dump_value(&o, v, NULL) == 0) {
		buf->len = (size_t)(o.p - buf->data);
		buf->data[buf->len] = '\0';
		return KC_OK;
	}
	/* leave the buffer as it was */
	buf->len = start;
	if (buf->data)
		buf->data[start] = '\0';
	return o.status ? o.status : KC_ENOMEM;
}

kc_status kc_json_write_line(FILE *f, const json_t *v, struct kc_error *err)
{
	char block[1 << 15];
	struct out o = { .f = f, .block = block, .block_size = sizeof block };
	kc_status st;

	if (!v)
		return kc_error_set(err, KC_EINVAL, "no value to write");
	o.p = block;
	o.lim = block + sizeof block;
	if (dump_value(&o, v, NULL) == 0 && out_byte(&o, '\n') == 0 &&
	    out_flush(&o) == 0)
		return KC_OK;
	st = o.status ? o.status : KC_EIO;
	if (st == KC_EIO) {
		if (err)
			err->saved_errno = o.saved_errno;
		return kc_error_set(err, KC_EIO, "write error: %s",
		                    strerror(o.saved_errno));
	}
	return kc_error_set(err, st, "cannot write the value as JSON: %s",
	                    st == KC_EUTF8 ? "a string is not valid UTF-8"
	                    : st == KC_EINVAL ? "it contains itself"
	                    : kc_strerror(st));
}

/* ------------------------------------------------------------------ */
/* Typed access to record fields. */

static const char *type_name(const json_t *v)
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
		                    key, type_name(v), want_name[want]);
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
