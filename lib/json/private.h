/*
 * json/private.h - what json.c (parsing), dump.c (dumping), error.c
 * (jansson's error messages) and stream.c (records of a dataset file)
 * share; private to libkc.
 *
 * The byte classes and scans are static inline: they are the inner loops
 * of both directions.
 */
#ifndef KC_JSON_PRIVATE_H
#define KC_JSON_PRIVATE_H

#include <stdint.h>
#include <string.h>
/* KC_JSON_PORTABLE builds the plain C scan, to test it on x86 too. */
#if defined(__SSE2__) && !defined(KC_JSON_PORTABLE)
#define KC_JSON_SSE2 1
#include <emmintrin.h>
#endif

#include "kc.h"

typedef unsigned char kc_uchar;

#define KC_JSON_MAX_DEPTH 2048  /* jansson's JSON_PARSER_MAX_DEPTH */

static inline int kc_json_digit(int c) { return c >= '0' && c <= '9'; }
static inline int kc_json_alpha(int c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
static inline int kc_json_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline int kc_json_hex(int c)
{
	if (kc_json_digit(c))
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
static inline const kc_uchar *kc_json_find_special(const kc_uchar *p,
                                                   const kc_uchar *end)
{
#if KC_JSON_SSE2
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
static inline size_t kc_json_utf8(const kc_uchar *p, const kc_uchar *end)
{
	kc_uchar c = p[0];
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

/*
 * A number in JSON's grammar from p: returns the first byte that does not
 * belong to it (the byte jansson's lexer reads last and rejects), with
 * *ok set when the grammar was complete there and *real when it has a
 * fraction or an exponent.
 */
static inline const kc_uchar *kc_json_number(const kc_uchar *p,
                                             const kc_uchar *end, int *ok,
                                             int *real)
{
#define KC_AT(c) (p < end && (c))
	*ok = 0;
	*real = 0;
	if (KC_AT(*p == '-'))
		p++;
	if (KC_AT(*p == '0')) {
		p++;
		if (KC_AT(kc_json_digit(*p)))
			return p;
	} else if (KC_AT(kc_json_digit(*p))) {
		while (KC_AT(kc_json_digit(*p)))
			p++;
	} else {
		return p;
	}
	if (KC_AT(*p == '.')) {
		*real = 1;
		p++;
		if (!KC_AT(kc_json_digit(*p)))
			return p;
		while (KC_AT(kc_json_digit(*p)))
			p++;
	}
	if (KC_AT(*p == 'e' || *p == 'E')) {
		*real = 1;
		p++;
		if (KC_AT(*p == '+' || *p == '-'))
			p++;
		if (!KC_AT(kc_json_digit(*p)))
			return p;
		while (KC_AT(kc_json_digit(*p)))
			p++;
	}
	*ok = 1;
	return p;
#undef KC_AT
}

/*
 * The string whose opening quote is at *p, as JSON has it (json.c's
 * parser reads its strings with this, tok/hf.c tokenizer.json's).  On
 * KC_OK *p is past the closing quote and *s, *n give the value: inside
 * the text when it has no escapes, else in scratch (overwritten), with
 * *nul set when it holds U+0000.  KC_EJSON when the string is not valid
 * (a control character, a bad escape or surrogate, bad UTF-8, no closing
 * quote: kc_json_error_at at *p says which), *p unchanged; KC_ENOMEM.
 */
kc_status kc_json_string(const kc_uchar **p, const kc_uchar *end,
                         kc_buf *scratch, const char **s, size_t *n,
                         int *nul);

/* The integer of JSON's grammar in [q, stop) in *v, as strtoll reads it;
 * -1 when it is beyond LLONG_MIN..LLONG_MAX. */
static inline int kc_json_integer(const kc_uchar *q, const kc_uchar *stop,
                                  long long *v)
{
	int neg = *q == '-';
	unsigned long long u = 0, limit = neg ? 9223372036854775808ULL
	                                      : 9223372036854775807ULL;

	for (const kc_uchar *d = q + neg; d < stop; d++) {
		unsigned digit = (unsigned)(*d - '0');

		if (u > (limit - digit) / 10)
			return -1;
		u = u * 10 + digit;
	}
	*v = neg ? (long long)(0 - u) : (long long)u;
	return 0;
}

/* Read the real of `len` bytes at p in the C locale's format whatever the
 * program's locale, as jansson does (json.c); KC_EJSON when it overflows
 * (underflow is not an error), KC_ENOMEM. */
kc_status kc_json_strtod(const kc_uchar *p, size_t len, double *out);

/*
 * jansson's error for a text it refuses (json/error.c).  The parser stops at
 * the token where the text goes wrong and calls kc_json_error_at with the
 * token's first byte and the parser's complaint about it, or NULL for
 * "unexpected token" / "invalid token" as jansson says where a value
 * should be.  The token is read again the way jansson's lexer reads it:
 * its own error, if it has one (bad UTF-8, a bad escape, a number too
 * big), comes first, as it does in jansson.
 */
struct kc_json_error {
	kc_status status;               /* KC_EJSON or KC_EUTF8 */
	const kc_uchar *ctx, *ctx_end;  /* jansson's "saved text" */
	char msg[96];
};

void kc_json_error_at(struct kc_json_error *e, const kc_uchar *token,
                      const kc_uchar *end, const char *complaint);

/*
 * Fill err from e as kc shows it: "malformed JSON: <jansson's text>
 * (column C)" or "invalid UTF-8 (column C)", "line L, " added when L > 1,
 * with jansson's line and column (err->line, err->column).  `lost` lists
 * the NUL bytes jansson skipped without counting (see json.c).
 */
void kc_json_error_fill(const struct kc_json_error *e, const kc_uchar *text,
                        const kc_uchar *const *lost, size_t nlost,
                        struct kc_error *err);

/* ---- stream.c ---- */
/*
 * The records of a JSON array or JSON lines file, one at a
 * time, without reading the whole file.
 *
 * The published datasets come either as one JSON array (HotpotQA train is
 * 550 MB on one line) or as JSON lines.  A kc_jstream tells which from
 * the first byte that is not white space, then hands out the raw text of
 * one element (or one line) at a time, with the line where it starts.  It
 * does not parse: it finds where an element ends by following strings,
 * escapes and brackets, so the caller can parse each element on its own
 * and memory stays bounded by the largest element.
 */

typedef struct kc_jstream kc_jstream;

enum kc_jstream_kind {
	KC_JSTREAM_EMPTY,       /* nothing but white space */
	KC_JSTREAM_ARRAY,       /* one JSON array: its elements */
	KC_JSTREAM_LINES        /* JSON lines: its non-blank lines */
};

/* Default cap on one element or line. */
#define KC_JSTREAM_MAX_DEFAULT KC_LINE_MAX_DEFAULT

/*
 * Open `path` ("-" or NULL: stdin) and look at its first byte that is
 * not white space: '[' makes an array, '{' JSON lines.  Anything else is
 * KC_EJSON ("not a JSON array or JSON lines").  `max` caps one element
 * (0: the default); `chunk` is how much one read asks for (0: 1 MiB; the
 * tests use tiny ones to cross every boundary).
 */
kc_status kc_jstream_open(kc_jstream **js, const char *path, size_t max,
                          size_t chunk, struct kc_error *err);
/* The same on an open stream (not closed by kc_jstream_free); `name` is
 * what messages call it. */
kc_status kc_jstream_open_stream(kc_jstream **js, FILE *f, const char *name,
                                 size_t max, size_t chunk,
                                 struct kc_error *err);
void kc_jstream_free(kc_jstream *js);

enum kc_jstream_kind kc_jstream_kind(const kc_jstream *js);

/* Change the cap on one element (0: the default) for what comes next. */
void kc_jstream_set_max(kc_jstream *js, size_t max);

/*
 * The next element: *text and *len (borrowed until the next call; not
 * NUL-terminated).  Returns KC_OK, KC_EOF at the end, or:
 *   KC_ETOOLONG  the element is over the cap; it was skipped and the
 *                next call goes on after it;
 *   KC_EJSON     the array is broken where no element boundary can be
 *                found any more (truncated, no ',' between elements,
 *                data after the closing ']'): every later call returns
 *                KC_EOF;
 *   KC_EIO       a read error (later calls return KC_EOF).
 * err->line is the line where the element (or the problem) starts.
 */
kc_status kc_jstream_next(kc_jstream *js, const char **text, size_t *len,
                          struct kc_error *err);

/* The 1-based line where the last element starts, its 0-based index
 * among the elements (lines: among the non-blank lines), the source's
 * name ("-" for stdin) and the bytes read so far. */
long kc_jstream_line(const kc_jstream *js);
long kc_jstream_index(const kc_jstream *js);
const char *kc_jstream_name(const kc_jstream *js);
unsigned long long kc_jstream_bytes(const kc_jstream *js);

#endif
