/*
 * buf.c - a growable byte buffer with a hard size cap.
 *
 * Every buffer that grows with its input has a maximum, so a hostile
 * input (a 100 GB line) ends in KC_ETOOLONG instead of exhausting memory.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"

void kc_buf_init(kc_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : KC_BUF_MAX;
}

void kc_buf_release(kc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

kc_status kc_buf_reserve(kc_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (!b->max)
		b->max = KC_BUF_MAX;
	/* One byte more than asked, for the terminating NUL. */
	if (extra > b->max || b->len > b->max - extra)
		return KC_ETOOLONG;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return KC_OK;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	if (cap > b->max + 1)
		cap = b->max + 1;
	p = realloc(b->data, cap);
	if (!p)
		return KC_ENOMEM;
	b->data = p;
	b->cap = cap;
	return KC_OK;
}

kc_status kc_buf_append(kc_buf *b, const void *data, size_t len)
{
	kc_status st = kc_buf_reserve(b, len);

	if (st)
		return st;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return KC_OK;
}

kc_status kc_buf_puts(kc_buf *b, const char *s)
{
	return kc_buf_append(b, s, strlen(s));
}

kc_status kc_buf_vprintf(kc_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;
	kc_status st;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0) {
		va_end(again);
		return KC_EINVAL;
	}
	if (!(st = kc_buf_reserve(b, (size_t)n))) {
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
		b->len += (size_t)n;
	}
	va_end(again);
	return st;
}

kc_status kc_buf_printf(kc_buf *b, const char *fmt, ...)
{
	va_list ap;
	kc_status st;

	va_start(ap, fmt);
	st = kc_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return st;
}
