/*
 * error.c - what jansson says about a JSON text it refuses.
 *
 * kc's messages for bad JSON have always been jansson's (tools print
 * "malformed JSON: '}' expected near end of file (column 23)", and tests
 * pin them), so the fast parser in json.c says the same: the same text,
 * the same "near '...'" context, the same line and column.  The parser
 * only finds the token where the text goes wrong; this file reads that
 * token again, slowly, the way jansson's lexer (load.c) reads it, since
 * the token decides the message:
 *
 *  - jansson reads a whole token before the parser judges it, plus one
 *    byte after a number or a word; an error of the lexer's own (bad
 *    UTF-8, a bad escape, a control character, a lone surrogate, a
 *    number too big) is met first and wins, as jansson keeps its first
 *    error;
 *  - the context is the token's text as the lexer saved it (a string
 *    from its opening quote, without a pushed-back byte), shown when it
 *    is 1 to 20 bytes long; none when empty ("near end of file", or
 *    nothing after a UTF-8 error);
 *  - the column counts characters up to the last byte the lexer kept.
 *
 * Only the error path comes here; tests/unit/test-json.c and the fuzz
 * target compare the text, line and column with jansson's.
 */
#include <stdarg.h>
#include <stdio.h>

#include "json/private.h"

typedef kc_uchar uchar;

enum kind { T_EOF, T_PUNCT, T_STRING, T_NUMBER, T_WORD, T_INVALID };

static int lex_error(struct kc_json_error *e, const uchar *q, const uchar *at,
                     kc_status st, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static int lex_error(struct kc_json_error *e, const uchar *q, const uchar *at,
                     kc_status st, const char *fmt, ...)
{
	va_list ap;

	e->status = st;
	e->ctx = q;
	e->ctx_end = at;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return 1;
}

/* jansson reads the byte at p with its UTF-8 check: 1 (and e set) if it
 * fails there; the saved text is [q, p). */
static int bad_utf8_at(struct kc_json_error *e, const uchar *q, const uchar *p,
                       const uchar *end)
{
	if (p < end && *p >= 0x80 && !kc_json_utf8(p, end))
		return lex_error(e, q, p, KC_EUTF8, "unable to decode byte 0x%x", *p);
	return 0;
}

static unsigned raw_hex4(const uchar *p)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 4 | (unsigned)kc_json_hex(p[i]);
	return v;
}

/*
 * The string token at q: jansson's first pass (the raw text up to the
 * closing quote), then its second (escapes decoded, surrogates paired).
 * Returns 1 on an error (e set), else 0 with *tok_end after the quote.
 */
static int lex_string(struct kc_json_error *e, const uchar *q,
                      const uchar *end, const uchar **tok_end)
{
	const uchar *p = q + 1;

	for (;;) {
		uchar c;

		if (p == end)
			return lex_error(e, q, p, KC_EJSON, "premature end of input");
		c = *p;
		if (c >= 0x80) {
			size_t n = kc_json_utf8(p, end);

			if (!n)
				return bad_utf8_at(e, q, p, end);
			p += n;
			continue;
		}
		if (c == '"')
			break;
		if (c < 0x20)   /* pushed back: not in the saved text */
			return c == '\n'
			       ? lex_error(e, q, p, KC_EJSON, "unexpected newline")
			       : lex_error(e, q, p, KC_EJSON,
			                   "control character 0x%x", c);
		if (c != '\\') {
			p++;
			continue;
		}
		if (++p == end)
			return lex_error(e, q, p, KC_EJSON, "invalid escape");
		if (bad_utf8_at(e, q, p, end))
			return 1;
		if (*p == 'u') {
			for (int i = 0; i < 4; i++) {
				if (++p == end)
					return lex_error(e, q, p, KC_EJSON,
					                 "invalid escape");
				if (bad_utf8_at(e, q, p, end))
					return 1;
				/* saved: the byte read (the first of a
				 * character) */
				if (kc_json_hex(*p) < 0)
					return lex_error(e, q, p + 1, KC_EJSON,
					                 "invalid escape");
			}
			p++;
		} else if (*p && strchr("\"\\/bfnrt", *p)) {
			p++;
		} else {
			return lex_error(e, q, p + 1, KC_EJSON, "invalid escape");
		}
	}
	*tok_end = ++p;
	/* the second pass, over text the first pass found sound */
	for (const uchar *s = q + 1; s < p - 1;) {
		unsigned v, lo;

		if (*s != '\\') {
			s++;
			continue;
		}
		if (s[1] != 'u') {
			s += 2;
			continue;
		}
		v = raw_hex4(s + 2);
		s += 6;
		if (v >= 0xd800 && v <= 0xdbff) {
			if (s[0] != '\\' || s[1] != 'u')
				return lex_error(e, q, p, KC_EJSON,
				                 "invalid Unicode '\\u%04X'", v);
			lo = raw_hex4(s + 2);
			s += 6;
			if (lo < 0xdc00 || lo > 0xdfff)
				return lex_error(e, q, p, KC_EJSON,
				                 "invalid Unicode '\\u%04X\\u%04X'", v, lo);
		} else if (v >= 0xdc00 && v <= 0xdfff) {
			return lex_error(e, q, p, KC_EJSON,
			                 "invalid Unicode '\\u%04X'", v);
		}
	}
	return 0;
}

/* The number token at q (see kc_json_number); *kind T_NUMBER or T_INVALID. */
static int lex_number(struct kc_json_error *e, const uchar *q, const uchar *end,
                      const uchar **tok_end, enum kind *kind)
{
	int ok, real;
	const uchar *stop = kc_json_number(q, end, &ok, &real);

	*tok_end = stop;
	*kind = ok ? T_NUMBER : T_INVALID;
	if (bad_utf8_at(e, q, stop, end))
		return 1;
	if (!ok)
		return 0;
	if (real) {
		double d;

		if (kc_json_strtod(q, (size_t)(stop - q), &d) == KC_EJSON)
			return lex_error(e, q, stop, KC_EJSON, "real number overflow");
	} else {
		long long i;

		if (kc_json_integer(q, stop, &i))
			return lex_error(e, q, stop, KC_EJSON, *q == '-'
			                 ? "too big negative integer"
			                 : "too big integer");
	}
	return 0;
}

void kc_json_error_at(struct kc_json_error *e, const uchar *q,
                      const uchar *end, const char *complaint)
{
	const uchar *tok_end = q;
	enum kind kind;

	memset(e, 0, sizeof *e);
	if (q >= end) {
		kind = T_EOF;
	} else if (strchr("{}[]:,", *q) && *q) {
		kind = T_PUNCT;
		tok_end = q + 1;
	} else if (*q == '"') {
		if (lex_string(e, q, end, &tok_end))
			return;
		kind = T_STRING;
	} else if (*q == '-' || kc_json_digit(*q)) {
		if (lex_number(e, q, end, &tok_end, &kind))
			return;
	} else if (kc_json_alpha(*q)) {
		while (tok_end < end && kc_json_alpha(*tok_end))
			tok_end++;
		if (bad_utf8_at(e, q, tok_end, end))
			return;
		kind = (tok_end - q == 4 && !memcmp(q, "true", 4)) ||
		       (tok_end - q == 5 && !memcmp(q, "false", 5)) ||
		       (tok_end - q == 4 && !memcmp(q, "null", 4))
		       ? T_WORD : T_INVALID;
	} else if (*q >= 0x80) {
		size_t n = kc_json_utf8(q, end);

		if (!n) {
			bad_utf8_at(e, q, q, end);
			return;
		}
		kind = T_INVALID;       /* the whole character is saved */
		tok_end = q + n;
	} else {
		kind = T_INVALID;
		tok_end = q + 1;
	}
	if (!complaint)
		complaint = kind == T_INVALID ? "invalid token" : "unexpected token";
	lex_error(e, q, tok_end, KC_EJSON, "%s", complaint);
}

void kc_json_error_fill(const struct kc_json_error *e, const uchar *text,
                        const uchar *const *lost, size_t nlost,
                        struct kc_error *err)
{
	char jt[200];
	size_t n = (size_t)(e->ctx_end - e->ctx);
	const uchar *ls = text;
	long line = 1, col = 0;

	/* jansson's text: the message and, maybe, the saved text */
	if (n && e->ctx[0]) {
		if (n <= 20)
			snprintf(jt, sizeof jt, "%s near '%.*s'", e->msg,
			         (int)strnlen((const char *)e->ctx, n),
			         (const char *)e->ctx);
		else
			snprintf(jt, sizeof jt, "%s", e->msg);
	} else if (e->status == KC_EUTF8) {
		snprintf(jt, sizeof jt, "%s", e->msg);
	} else {
		snprintf(jt, sizeof jt, "%s near end of file", e->msg);
	}
	/* its line and column: characters read on the line, less the NUL
	 * bytes it skipped without counting */
	for (const uchar *p = text; p < e->ctx_end; p++)
		if (*p == '\n') {
			line++;
			ls = p + 1;
		}
	for (const uchar *p = ls; p < e->ctx_end; p++)
		if (*p < 0x80 || (*p >= 0xc2 && *p <= 0xf4))
			col++;
	for (size_t i = 0; i < nlost; i++)
		if (lost[i] >= ls && lost[i] < e->ctx_end)
			col--;
	if (e->status == KC_EUTF8 && line > 1)
		kc_error_set(err, KC_EUTF8, "invalid UTF-8 (line %ld, column %ld)",
		             line, col);
	else if (e->status == KC_EUTF8)
		kc_error_set(err, KC_EUTF8, "invalid UTF-8 (column %ld)", col);
	else if (line > 1)
		kc_error_set(err, KC_EJSON, "malformed JSON: %s (line %ld, "
		             "column %ld)", jt, line, col);
	else
		kc_error_set(err, KC_EJSON, "malformed JSON: %s (column %ld)", jt,
		             col);
	if (err) {
		err->line = line;
		err->column = col;
	}
}
