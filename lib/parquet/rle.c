/*
 * rle.c - Parquet's RLE/bit-packed hybrid, for repetition and definition
 * levels and dictionary indices.  A run header is a varint: even, a run
 * of (header >> 1) copies of one value in ceil(width / 8) bytes; odd,
 * (header >> 1) groups of 8 values packed LSB first in `width` bits each.
 */
#include <string.h>

#include "parquet/private.h"

int pq_bit_width(unsigned max)
{
	int w = 0;

	while (max) {
		w++;
		max >>= 1;
	}
	return w;
}

static kc_status put_varint(kc_buf *b, uint64_t v)
{
	uint8_t x[10];
	size_t n = 0;

	while (v >= 0x80) {
		x[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	x[n++] = (uint8_t)v;
	return kc_buf_append(b, x, n);
}

/* How many values from i on equal v[i], counting up to `enough`. */
static size_t run_at(const uint32_t *v, size_t n, size_t i, size_t enough)
{
	size_t j = i + 1;

	while (j < n && v[j] == v[i] && j - i < enough)
		j++;
	return j - i;
}

static kc_status put_rle(kc_buf *b, size_t count, uint32_t value, int width)
{
	uint8_t x[4];
	size_t nb = (size_t)(width + 7) / 8;
	kc_status st = put_varint(b, (uint64_t)count << 1);

	for (size_t k = 0; k < nb; k++)
		x[k] = (uint8_t)(value >> (8 * k));
	return st ? st : kc_buf_append(b, x, nb);
}

/* Groups of 8 from v[i..), the last padded with zeros past n. */
static kc_status put_packed(kc_buf *b, const uint32_t *v, size_t n, size_t i,
                            size_t groups, int width)
{
	kc_status st = put_varint(b, (uint64_t)groups << 1 | 1);
	size_t bytes = groups * (size_t)width;
	uint64_t acc = 0;
	int bits = 0;

	if (st || (st = kc_buf_reserve(b, bytes)))
		return st;
	for (size_t k = 0; k < groups * 8; k++) {
		uint32_t x = i + k < n ? v[i + k] : 0;
		acc |= (uint64_t)x << bits;
		bits += width;
		while (bits >= 8) {
			b->data[b->len++] = (char)(acc & 0xff);
			acc >>= 8;
			bits -= 8;
		}
	}
	return KC_OK;
}

kc_status pq_rle_encode(kc_buf *b, const uint32_t *v, size_t n, int width)
{
	size_t i = 0;
	kc_status st;

	if (width == 0)
		return n ? put_rle(b, n, 0, 0) : KC_OK;
	while (i < n) {
		size_t r = run_at(v, n, i, 8);
		if (r >= 8) {
			r = run_at(v, n, i, (size_t)1 << 40);
			if ((st = put_rle(b, r, v[i], width)))
				return st;
			i += r;
			continue;
		}
		size_t start = i, groups = 0;
		do {
			i += 8;
			groups++;
		} while (i < n && groups < 63 && run_at(v, n, i, 8) < 8);
		if ((st = put_packed(b, v, n, start, groups, width)))
			return st;
	}
	return KC_OK;
}

static int get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		uint8_t b = *(*p)++;
		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

int pq_rle_decode(const uint8_t *p, size_t len, int width, uint32_t *out,
                  size_t n, uint32_t max)
{
	const uint8_t *end = p + len;
	size_t got = 0;
	size_t nb = (size_t)(width + 7) / 8;

	if (width < 0 || width > 32)
		return -1;
	while (got < n) {
		uint64_t h;
		if (get_varint(&p, end, &h))
			return -1;
		if (!(h & 1)) {
			uint64_t count = h >> 1;
			uint32_t x = 0;
			if (count == 0 || (size_t)(end - p) < nb)
				return -1;
			for (size_t k = 0; k < nb; k++)
				x |= (uint32_t)p[k] << (8 * k);
			p += nb;
			if (x > max)
				return -1;
			for (; count && got < n; count--)
				out[got++] = x;
		} else {
			uint64_t groups = h >> 1;
			uint64_t bytes = groups * (uint64_t)width;
			uint64_t avail = (uint64_t)(end - p);
			/* the last run may stop short of its bytes */
			uint64_t values = groups * 8;
			if (groups == 0 || groups > ((uint64_t)1 << 40))
				return -1;
			if (width && values > avail * 8 / (uint64_t)width)
				values = avail * 8 / (uint64_t)width;
			if (values > n - got)
				values = n - got;
			if (values == 0)
				return -1;
			for (uint64_t k = 0; k < values; k++) {
				uint64_t bit = k * (uint64_t)width;
				uint64_t acc = 0;
				for (int s = 0; (int)(bit % 8) + width > s * 8
				     && s < 5; s++)
					acc |= (uint64_t)p[bit / 8 + (uint64_t)s] << (8 * s);
				uint32_t x = (uint32_t)((acc >> (bit % 8)) &
				                        ((1ull << width) - 1));
				if (x > max)
					return -1;
				out[got++] = x;
			}
			p += bytes < avail ? bytes : avail;
		}
	}
	return 0;
}
