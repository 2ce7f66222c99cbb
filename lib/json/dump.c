/*
 * jsondump.c - jansson values to compact JSON text, fast: kc_json_dump
 * and kc_json_write_line.
 *
 * The output is byte for byte what json_dumps(v, JSON_COMPACT |
 * JSON_ENCODE_ANY) writes (jansson 2.14, dump.c): keys in insertion
 * order, no white space, non-ASCII UTF-8 as is, '"' '\\' and control
 * characters escaped (\b \f \n \r \t, else \u00XX in capitals), '/' not
 * escaped, integers as "%lld", reals as "%.17g" with ".0" added when it
 * would read back as an integer; and it fails where json_dumps fails: a
 * string that is not valid UTF-8 (made with a *_nocheck constructor), a
 * value that contains itself.  One deliberate difference: jansson ignores
 * an object key that is not UTF-8 and writes a broken text; we fail.
 *
 * jansson asks a callback for each run and checks UTF-8 one code point
 * at a time (~160 MB/s); here a string is looked at 16 bytes at a time
 * for the bytes that need attention (json/private.h), and the output
 * goes to a buffer in large pieces.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "json/private.h"

typedef kc_uchar uchar;

/*
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

		p = kc_json_find_special(p, end);
		if (p == end)
			break;
		if (*p >= 0x80) {
			size_t k = kc_json_utf8(p, end);
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
