/*
 * stream.c - the elements of a JSON array, or the lines of a JSON
 * lines file, one at a time (see json/private.h).
 *
 * The file is read in chunks into one buffer that holds only what is not
 * consumed yet: the element being looked for, and the rest of the last
 * chunk.  For an array, a small state machine walks the text between
 * elements (white space, ',' and the brackets of the array itself), and
 * inside an element it only follows what decides where the element ends:
 *
 *     [ {"t": "a \" ]", "s": [1, 2]} , "x" , 12 ]
 *       ^ depth 1   ^ escaped quote, no end   ^ a scalar ends at , ] or space
 *
 * strings (with their escapes, so a bracket in a string is not counted)
 * and the nesting depth of brackets.  It does not check that brackets
 * match or that the element is valid JSON: the caller parses the element
 * and reports what is wrong with it, and the walk goes on with the next.
 * Only a break in the array itself (a missing ',', the end of the file
 * inside an element) leaves no way to find the next element; that ends
 * the stream.
 *
 * Most of the bytes of a dataset are inside strings, where the walk
 * looks for '"', '\\' and '\n' (lines are counted for messages) sixteen
 * bytes at a time.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/private.h"
#include "json/private.h"

#define CHUNK_DEFAULT ((size_t)1 << 20)

enum state {
	S_ELEM_START,   /* before an element (after '[' or ',') */
	S_IN_ELEM,      /* inside an element */
	S_AFTER,        /* after an element: ',' or ']' */
	S_END,          /* after the closing ']': only white space */
	S_DONE
};

struct kc_jstream {
	FILE *f;
	int close;
	char *name;
	enum kc_jstream_kind kind;
	size_t max, chunk;

	/* buf[start, end) is what is still needed; pos is where the walk
	 * is; elem is where the current element (or line) starts. */
	char *buf;
	size_t cap, start, pos, end, elem;
	int eof;
	unsigned long long bytes;

	enum state state;
	int after_comma;        /* S_ELEM_START: a ',' came before */
	int depth, in_str, esc, scalar, skipping;
	long line;              /* the line at pos, 1-based */
	long elem_line, index;
};

static int is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The first '"', '\\' or '\n' in b[p, end), or end. */
static size_t find_in_string(const char *b, size_t p, size_t end)
{
#if defined(__SSE2__)
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i nl = _mm_set1_epi8('\n');

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + p));
		__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
		                                      _mm_cmpeq_epi8(v, bslash)),
		                         _mm_cmpeq_epi8(v, nl));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask)
			return p + (size_t)__builtin_ctz(mask);
		p += 16;
	}
#endif
	while (p < end && b[p] != '"' && b[p] != '\\' && b[p] != '\n')
		p++;
	return p;
}

static kc_status set_error(kc_jstream *js, struct kc_error *err,
                           kc_status st, long line, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

static kc_status set_error(kc_jstream *js, struct kc_error *err,
                           kc_status st, long line, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->status = st;
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof err->text, fmt, ap);
		va_end(ap);
		err->source = js->name;
		err->line = line;
		err->column = 0;
	}
	return st;
}

/*
 * Read one more chunk, first dropping what is before `start`.  Returns
 * the number of bytes read (0 at the end of the file) or -1 on a read
 * error (*st set).
 */
static long more(kc_jstream *js, kc_status *st, struct kc_error *err)
{
	size_t n;

	*st = KC_OK;
	if (js->eof)
		return 0;
	if (js->start) {
		memmove(js->buf, js->buf + js->start, js->end - js->start);
		js->pos -= js->start;
		js->elem = js->elem >= js->start ? js->elem - js->start : 0;
		js->end -= js->start;
		js->start = 0;
	}
	if (js->cap - js->end < js->chunk) {
		size_t cap = js->cap ? js->cap : js->chunk;
		char *p;

		while (cap - js->end < js->chunk)
			cap *= 2;
		if (!(p = realloc(js->buf, cap))) {
			*st = set_error(js, err, KC_ENOMEM, js->line, "out of memory");
			return -1;
		}
		js->buf = p;
		js->cap = cap;
	}
	n = fread(js->buf + js->end, 1, js->chunk, js->f);
	if (n == 0) {
		if (ferror(js->f)) {
			int e = errno;
			if (err)
				err->saved_errno = e;
			*st = set_error(js, err, KC_EIO, js->line, "read error: %s",
			                strerror(e));
			return -1;
		}
		js->eof = 1;
	}
	js->end += n;
	js->bytes += n;
	return (long)n;
}

/*
 * Skip white space (counting lines), reading more as needed.  Returns
 * the next byte, -1 at the end of the file, -2 on a read error.  Only
 * for places between elements: it drops everything before pos.
 */
static int next_byte(kc_jstream *js, kc_status *st, struct kc_error *err)
{
	for (;;) {
		while (js->pos < js->end && is_ws(js->buf[js->pos])) {
			if (js->buf[js->pos] == '\n')
				js->line++;
			js->pos++;
		}
		if (js->pos < js->end)
			return (unsigned char)js->buf[js->pos];
		js->start = js->pos;
		switch (more(js, st, err)) {
		case -1: return -2;
		case 0: return -1;
		}
	}
}

/*
 * The first byte that is not white space, as next_byte, but keeping the
 * line it is on from its start (start is left there), for JSON lines.
 */
static int first_byte(kc_jstream *js, kc_status *st, struct kc_error *err)
{
	for (;;) {
		while (js->pos < js->end && is_ws(js->buf[js->pos])) {
			if (js->buf[js->pos] == '\n') {
				js->line++;
				js->start = js->pos + 1;
			}
			js->pos++;
		}
		if (js->pos < js->end)
			return (unsigned char)js->buf[js->pos];
		switch (more(js, st, err)) {
		case -1: return -2;
		case 0: return -1;
		}
	}
}

/* Look at the first byte and set the stream up for its kind. */
static kc_status start(kc_jstream *js, struct kc_error *err)
{
	kc_status st;
	int c = first_byte(js, &st, err);

	if (c == -2)
		return st;
	if (c == -1) {
		js->kind = KC_JSTREAM_EMPTY;
		js->state = S_DONE;
	} else if (c == '[') {
		js->kind = KC_JSTREAM_ARRAY;
		js->state = S_ELEM_START;
		js->pos++;
		js->start = js->pos;
	} else if (c == '{') {
		/* JSON lines: the first line is read whole, from its start */
		js->kind = KC_JSTREAM_LINES;
		js->pos = js->start;
	} else {
		return set_error(js, err, KC_EJSON, js->line,
		                 c >= 0x20 && c < 0x7f
		                 ? "not a JSON array or JSON lines (it starts with "
		                   "'%c')"
		                 : "not a JSON array or JSON lines (it starts with "
		                   "byte 0x%02x)", c);
	}
	return KC_OK;
}

static kc_jstream *new_stream(const char *name, size_t max, size_t chunk)
{
	kc_jstream *js = calloc(1, sizeof *js);

	if (!js)
		return NULL;
	js->max = max ? max : KC_JSTREAM_MAX_DEFAULT;
	js->chunk = chunk ? chunk : CHUNK_DEFAULT;
	js->line = 1;
	js->index = -1;
	if (!(js->name = strdup(name))) {
		free(js);
		return NULL;
	}
	return js;
}

kc_status kc_jstream_open_stream(kc_jstream **out, FILE *f, const char *name,
                                 size_t max, size_t chunk,
                                 struct kc_error *err)
{
	kc_jstream *js;
	kc_status st;

	*out = NULL;
	if (!(js = new_stream(name ? name : "-", max, chunk)))
		return kc_error_nomem(err);
	js->f = f;
	if ((st = start(js, err))) {
		if (err)
			err->source = NULL;     /* js->name goes with js */
		kc_jstream_free(js);
		return st;
	}
	*out = js;
	return KC_OK;
}

kc_status kc_jstream_open(kc_jstream **out, const char *path, size_t max,
                          size_t chunk, struct kc_error *err)
{
	kc_status st;
	FILE *f;

	*out = NULL;
	if (!path || !strcmp(path, "-"))
		return kc_jstream_open_stream(out, stdin, "-", max, chunk, err);
	if (!(f = fopen(path, "rb"))) {
		int e = errno;
		if (err)
			err->saved_errno = e;
		return kc_error_set(err, e == ENOENT ? KC_ENOTFOUND : KC_EIO,
		                    "%s", strerror(e));
	}
	if ((st = kc_jstream_open_stream(out, f, path, max, chunk, err))) {
		fclose(f);
		return st;
	}
	(*out)->close = 1;
	return KC_OK;
}

void kc_jstream_free(kc_jstream *js)
{
	if (!js)
		return;
	if (js->close && js->f)
		fclose(js->f);
	free(js->buf);
	free(js->name);
	free(js);
}

enum kc_jstream_kind kc_jstream_kind(const kc_jstream *js)
{
	return js->kind;
}

void kc_jstream_set_max(kc_jstream *js, size_t max)
{
	js->max = max ? max : KC_JSTREAM_MAX_DEFAULT;
}

long kc_jstream_line(const kc_jstream *js)
{
	return js->elem_line;
}

long kc_jstream_index(const kc_jstream *js)
{
	return js->index;
}

const char *kc_jstream_name(const kc_jstream *js)
{
	return js->name;
}

unsigned long long kc_jstream_bytes(const kc_jstream *js)
{
	return js->bytes;
}

/* A break in the array: no element can be found after it. */
static kc_status broken(kc_jstream *js, struct kc_error *err, long line,
                        const char *what)
{
	js->state = S_DONE;
	return set_error(js, err, KC_EJSON, line, "%s", what);
}

/*
 * Walk the current element from pos.  Returns 1 when it ends (pos just
 * after it), 0 when the buffer ran out first.
 */
static int walk_element(kc_jstream *js)
{
	const char *b = js->buf;
	size_t p = js->pos, end = js->end;

	while (p < end) {
		char c;

		if (js->esc) {
			if (b[p++] == '\n')
				js->line++;
			js->esc = 0;
			continue;
		}
		if (js->in_str) {
			p = find_in_string(b, p, end);
			if (p == end)
				break;
			c = b[p++];
			if (c == '"') {
				js->in_str = 0;
				if (js->depth == 0) {
					js->pos = p;
					return 1;
				}
			} else if (c == '\\') {
				js->esc = 1;
			} else {
				js->line++;
			}
			continue;
		}
		c = b[p];
		if (js->scalar) {
			if (is_ws(c) || c == ',' || c == ']') {
				js->pos = p;
				return 1;
			}
			p++;
			continue;
		}
		p++;
		switch (c) {
		case '"':
			js->in_str = 1;
			break;
		case '{': case '[':
			js->depth++;
			break;
		case '}': case ']':
			if (--js->depth == 0) {
				js->pos = p;
				return 1;
			}
			break;
		case '\n':
			js->line++;
			break;
		}
	}
	js->pos = p;
	return 0;
}

/*
 * The state machine of the array around the elements (one case per
 * state, in the order they follow each other): longer than 100 lines on
 * purpose, because split up its states would no longer read in order.
 */
static kc_status next_element(kc_jstream *js, const char **text, size_t *len,
                              struct kc_error *err)
{
	kc_status st;
	int c;

	for (;;) {
		switch (js->state) {
		case S_ELEM_START:
			c = next_byte(js, &st, err);
			if (c == -2)
				return js->state = S_DONE, st;
			if (c == -1)
				return broken(js, err, js->line, js->index < 0
				              ? "the file ends before the array is closed"
				              : "the file ends after a ',' before the "
				                "array is closed");
			if (c == ']') {
				if (js->after_comma)
					return broken(js, err, js->line,
					              "a ',' before ']' (trailing comma)");
				js->pos++;
				js->state = S_END;
				continue;
			}
			if (c == ',')
				return broken(js, err, js->line,
				              "a ',' where an element should be");
			js->index++;
			js->elem = js->start = js->pos;
			js->elem_line = js->line;
			js->depth = js->in_str = js->esc = js->scalar = 0;
			js->skipping = 0;
			if (c == '{' || c == '[')
				js->depth = 1;
			else if (c == '"')
				js->in_str = 1;
			else
				js->scalar = 1;
			if (!js->scalar)
				js->pos++;
			js->state = S_IN_ELEM;
			continue;
		case S_IN_ELEM:
			if (!walk_element(js)) {
				long n;

				if (!js->skipping && js->pos - js->elem > js->max)
					js->skipping = 1;
				if (js->skipping)
					js->start = js->elem = js->pos;
				n = more(js, &st, err);
				if (n < 0)
					return js->state = S_DONE, st;
				if (n > 0)
					continue;
				if (!js->scalar) {
					char what[120];
					snprintf(what, sizeof what, "the file ends inside "
					         "element %ld", js->index);
					return broken(js, err, js->elem_line, what);
				}
				/* a scalar may end with the file; what comes
				 * next (nothing) is reported by S_AFTER */
			}
			js->state = S_AFTER;
			js->after_comma = 0;
			js->start = js->pos;
			if (js->skipping || js->pos - js->elem > js->max)
				return set_error(js, err, KC_ETOOLONG, js->elem_line,
				                 "element %ld is longer than %zu bytes",
				                 js->index, js->max);
			*text = js->buf + js->elem;
			*len = js->pos - js->elem;
			return KC_OK;
		case S_AFTER:
			c = next_byte(js, &st, err);
			if (c == -2)
				return js->state = S_DONE, st;
			if (c == ',') {
				js->pos++;
				js->after_comma = 1;
				js->state = S_ELEM_START;
				continue;
			}
			if (c == ']') {
				js->pos++;
				js->state = S_END;
				continue;
			}
			if (c == -1)
				return broken(js, err, js->line, "the file ends before "
				              "the array is closed");
			{
				char what[120];
				snprintf(what, sizeof what, c >= 0x20 && c < 0x7f
				         ? "'%c' after element %ld, where ',' or ']' "
				           "should be"
				         : "byte 0x%02x after element %ld, where ',' "
				           "or ']' should be", c, js->index);
				return broken(js, err, js->line, what);
			}
		case S_END:
			c = next_byte(js, &st, err);
			if (c == -2)
				return js->state = S_DONE, st;
			if (c == -1) {
				js->state = S_DONE;
				return KC_EOF;
			}
			return broken(js, err, js->line, "data after the end of the "
			              "array");
		case S_DONE:
			return KC_EOF;
		}
	}
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_ws(s[i]))
			return 0;
	return 1;
}

static kc_status next_line(kc_jstream *js, const char **text, size_t *len,
                           struct kc_error *err)
{
	kc_status st;

	if (js->state == S_DONE)
		return KC_EOF;
	for (;;) {
		size_t le;

		js->start = js->elem = js->pos;
		js->elem_line = js->line;
		js->skipping = 0;
		for (;;) {
			char *nl = memchr(js->buf + js->pos, '\n', js->end - js->pos);
			long n;

			if (nl) {
				le = (size_t)(nl - js->buf);
				js->pos = le + 1;
				break;
			}
			js->pos = js->end;
			if (!js->skipping && js->end - js->elem > js->max)
				js->skipping = 1;
			if (js->skipping)
				js->start = js->elem = js->pos;
			n = more(js, &st, err);
			if (n < 0)
				return js->state = S_DONE, st;
			if (n == 0) {
				le = js->end;
				if (le == js->elem && !js->skipping) {
					js->state = S_DONE;
					return KC_EOF;
				}
				break;
			}
		}
		js->line++;
		if (js->skipping || le - js->elem > js->max) {
			js->index++;
			return set_error(js, err, KC_ETOOLONG, js->elem_line,
			                 "line longer than %zu bytes", js->max);
		}
		if (le > js->elem && js->buf[le - 1] == '\r')
			le--;
		if (blank(js->buf + js->elem, le - js->elem))
			continue;
		js->index++;
		*text = js->buf + js->elem;
		*len = le - js->elem;
		return KC_OK;
	}
}

kc_status kc_jstream_next(kc_jstream *js, const char **text, size_t *len,
                          struct kc_error *err)
{
	*text = NULL;
	*len = 0;
	switch (js->kind) {
	case KC_JSTREAM_ARRAY:
		return next_element(js, text, len, err);
	case KC_JSTREAM_LINES:
		return next_line(js, text, len, err);
	default:
		return KC_EOF;
	}
}
