/*
 * thrift.c - the Thrift compact protocol, the encoding of Parquet's
 * footer and page headers: varints, zigzag integers, field headers that
 * carry the delta from the previous field id, lists with the count in the
 * header.  The reader never trusts a length: every count and size is
 * checked against the bytes left, and nesting is bounded.
 */
#include <string.h>

#include "parquet/private.h"

void tw_init(struct tw *t, kc_buf *b)
{
	memset(t, 0, sizeof *t);
	t->b = b;
}

static void put(struct tw *t, const void *p, size_t n)
{
	if (t->st == KC_OK)
		t->st = kc_buf_append(t->b, p, n);
}

static void put_varint(struct tw *t, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	put(t, b, n);
}

static uint64_t zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void tw_field(struct tw *t, int id, int type)
{
	int delta = id - t->last[t->top];

	if (delta > 0 && delta <= 15) {
		uint8_t b = (uint8_t)(delta << 4 | type);
		put(t, &b, 1);
	} else {
		uint8_t b = (uint8_t)type;
		put(t, &b, 1);
		put_varint(t, zigzag(id));
	}
	t->last[t->top] = (int16_t)id;
}

void tw_i32(struct tw *t, int id, int32_t v)
{
	tw_field(t, id, TC_I32);
	put_varint(t, zigzag(v));
}

void tw_i64(struct tw *t, int id, int64_t v)
{
	tw_field(t, id, TC_I64);
	put_varint(t, zigzag(v));
}

void tw_bool(struct tw *t, int id, int v)
{
	tw_field(t, id, v ? TC_TRUE : TC_FALSE);
}

void tw_binary(struct tw *t, int id, const char *s, size_t len)
{
	tw_field(t, id, TC_BINARY);
	tw_elem_binary(t, s, len);
}

void tw_list(struct tw *t, int id, int type, size_t n)
{
	tw_field(t, id, TC_LIST);
	if (n < 15) {
		uint8_t b = (uint8_t)(n << 4 | (unsigned)type);
		put(t, &b, 1);
	} else {
		uint8_t b = (uint8_t)(0xf0 | type);
		put(t, &b, 1);
		put_varint(t, n);
	}
}

void tw_elem_i32(struct tw *t, int32_t v)
{
	put_varint(t, zigzag(v));
}

void tw_elem_binary(struct tw *t, const char *s, size_t len)
{
	put_varint(t, len);
	put(t, s, len);
}

void tw_begin(struct tw *t, int id)
{
	if (id > 0)
		tw_field(t, id, TC_STRUCT);
	if (t->top + 1 >= PQ_MAX_DEPTH) {
		t->st = KC_EINVAL;
		return;
	}
	t->last[++t->top] = 0;
}

void tw_end(struct tw *t)
{
	uint8_t stop = TC_STOP;

	put(t, &stop, 1);
	if (t->top > 0)
		t->top--;
}

void tw_raw(struct tw *t, const void *p, size_t len)
{
	put(t, p, len);
}

/* ---- reading ---- */

void tr_init(struct tr *t, const void *p, size_t len)
{
	memset(t, 0, sizeof *t);
	t->p = p;
	t->end = t->p + len;
	t->top = -1;
}

static uint64_t get_varint(struct tr *t)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (t->bad || t->p >= t->end) {
			t->bad = 1;
			return 0;
		}
		uint8_t b = *t->p++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	t->bad = 1;
	return 0;
}

static int64_t unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

void tr_begin(struct tr *t)
{
	if (t->top + 1 >= PQ_MAX_DEPTH) {
		t->bad = 1;
		return;
	}
	t->last[++t->top] = 0;
}

int tr_field(struct tr *t, int *id, int *type)
{
	if (t->bad || t->top < 0 || t->p >= t->end) {
		t->bad = 1;
		return 0;
	}
	uint8_t b = *t->p++;
	*type = b & 0x0f;
	if (*type == TC_STOP) {
		t->top--;
		return 0;
	}
	if (b >> 4)
		*id = t->last[t->top] + (b >> 4);
	else
		*id = (int)unzigzag(get_varint(t));
	if (*id < -32768 || *id > 32767 || *type > TC_STRUCT) {
		t->bad = 1;
		return 0;
	}
	t->last[t->top] = (int16_t)*id;
	return 1;
}

int64_t tr_int(struct tr *t, int type)
{
	if (type == TC_BYTE) {
		if (t->p >= t->end) {
			t->bad = 1;
			return 0;
		}
		return (int8_t)*t->p++;
	}
	if (type != TC_I16 && type != TC_I32 && type != TC_I64) {
		t->bad = 1;
		return 0;
	}
	return unzigzag(get_varint(t));
}

int tr_bool(struct tr *t, int type)
{
	if (type != TC_TRUE && type != TC_FALSE)
		t->bad = 1;
	return type == TC_TRUE;
}

const char *tr_binary(struct tr *t, int type, size_t *len)
{
	uint64_t n;
	const char *s;

	*len = 0;
	if (type != TC_BINARY) {
		t->bad = 1;
		return "";
	}
	n = get_varint(t);
	if (t->bad || n > (uint64_t)(t->end - t->p)) {
		t->bad = 1;
		return "";
	}
	s = (const char *)t->p;
	t->p += n;
	*len = (size_t)n;
	return s;
}

size_t tr_list(struct tr *t, int type, int *elem)
{
	uint64_t n;

	*elem = 0;
	if ((type != TC_LIST && type != TC_SET) || t->p >= t->end) {
		t->bad = 1;
		return 0;
	}
	uint8_t b = *t->p++;
	*elem = b & 0x0f;
	n = b >> 4;
	if (n == 15)
		n = get_varint(t);
	/* every element takes at least a byte, bools in a list too */
	if (t->bad || n > (uint64_t)(t->end - t->p)) {
		t->bad = 1;
		return 0;
	}
	return (size_t)n;
}

void tr_skip(struct tr *t, int type)
{
	int id, ft, elem;
	size_t n, len;

	switch (type) {
	case TC_TRUE: case TC_FALSE:
		break;
	case TC_BYTE: case TC_I16: case TC_I32: case TC_I64:
		(void)tr_int(t, type);
		break;
	case TC_DOUBLE:
		if (t->end - t->p < 8)
			t->bad = 1;
		else
			t->p += 8;
		break;
	case TC_BINARY:
		(void)tr_binary(t, type, &len);
		break;
	case TC_LIST: case TC_SET:
		n = tr_list(t, type, &elem);
		for (size_t i = 0; i < n && !t->bad; i++) {
			if (elem == TC_TRUE || elem == TC_FALSE) {
				/* a bool in a list is a byte */
				if (t->p >= t->end)
					t->bad = 1;
				else
					t->p++;
			} else {
				tr_skip(t, elem);
			}
		}
		break;
	case TC_STRUCT:
		tr_begin(t);
		while (!t->bad && tr_field(t, &id, &ft))
			tr_skip(t, ft);
		break;
	default:
		/* maps: none in Parquet's footer */
		t->bad = 1;
	}
}
