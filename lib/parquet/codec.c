/*
 * codec.c - page compression: zstd (libzstd), snappy (libsnappy's C
 * interface), gzip (zlib, the gzip wrapper as Parquet's GZIP codec means
 * it), or none.  Decompression must give exactly the size the page header
 * promised: a page that says otherwise is malformed.
 */
#include <string.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "core/private.h"
#include "parquet/private.h"

static kc_status gzip_compress(int level, const void *src, size_t n,
                               kc_buf *out, struct kc_error *err)
{
	z_stream z;
	uLong bound;
	kc_status st;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED,
	                 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return kc_error_nomem(err);
	bound = deflateBound(&z, (uLong)n) + 32;
	if ((st = kc_buf_reserve(out, bound))) {
		deflateEnd(&z);
		return kc_error_set(err, st, "a page of %zu bytes is too big", n);
	}
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->data + out->len;
	z.avail_out = (uInt)bound;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&z);
		return kc_error_set(err, KC_EIO, "gzip compression failed");
	}
	out->len += z.total_out;
	deflateEnd(&z);
	return KC_OK;
}

kc_status pq_compress(int codec, int level, const void *src, size_t n,
                      kc_buf *out, struct kc_error *err)
{
	kc_status st;
	size_t bound;

	out->len = 0;
	switch (codec) {
	case KC_PARQUET_NONE:
		if ((st = kc_buf_append(out, src, n)))
			return kc_error_set(err, st, "out of memory");
		return KC_OK;
	case KC_PARQUET_ZSTD:
		bound = ZSTD_compressBound(n);
		if ((st = kc_buf_reserve(out, bound)))
			return kc_error_set(err, st, "out of memory");
		bound = ZSTD_compress(out->data, bound, src, n, level ? level : 3);
		if (ZSTD_isError(bound))
			return kc_error_set(err, KC_EIO, "zstd: %s",
			                    ZSTD_getErrorName(bound));
		out->len = bound;
		return KC_OK;
	case KC_PARQUET_SNAPPY:
		bound = snappy_max_compressed_length(n);
		if ((st = kc_buf_reserve(out, bound)))
			return kc_error_set(err, st, "out of memory");
		if (snappy_compress(src, n, out->data, &bound) != SNAPPY_OK)
			return kc_error_set(err, KC_EIO, "snappy compression failed");
		out->len = bound;
		return KC_OK;
	case KC_PARQUET_GZIP:
		return gzip_compress(level, src, n, out, err);
	}
	return kc_error_set(err, KC_EINVAL, "unknown codec %d", codec);
}

static kc_status gzip_decompress(const void *src, size_t n, void *out,
                                 size_t want, struct kc_error *err)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof z);
	/* 15 + 32: a gzip or a zlib header, as writers differ */
	if (inflateInit2(&z, 15 + 32) != Z_OK)
		return kc_error_nomem(err);
	z.next_in = (Bytef *)(uintptr_t)src;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)want;
	rc = inflate(&z, Z_FINISH);
	size_t got = z.total_out;
	inflateEnd(&z);
	if (rc != Z_STREAM_END || got != want)
		return kc_error_set(err, KC_EFORMAT, "gzip data does not give the "
		                    "page's %zu bytes", want);
	return KC_OK;
}

kc_status pq_decompress(int codec, const void *src, size_t n, void *out,
                        size_t want, struct kc_error *err)
{
	size_t got;

	switch (codec) {
	case KC_PARQUET_NONE:
		if (n != want)
			return kc_error_set(err, KC_EFORMAT, "an uncompressed page of "
			                    "%zu bytes says %zu", n, want);
		if (n)
			memcpy(out, src, n);
		return KC_OK;
	case KC_PARQUET_ZSTD:
		got = ZSTD_decompress(out, want, src, n);
		if (ZSTD_isError(got) || got != want)
			return kc_error_set(err, KC_EFORMAT, "zstd data does not give "
			                    "the page's %zu bytes", want);
		return KC_OK;
	case KC_PARQUET_SNAPPY:
		if (snappy_uncompressed_length(src, n, &got) != SNAPPY_OK ||
		    got != want ||
		    snappy_uncompress(src, n, out, &got) != SNAPPY_OK || got != want)
			return kc_error_set(err, KC_EFORMAT, "snappy data does not give "
			                    "the page's %zu bytes", want);
		return KC_OK;
	case KC_PARQUET_GZIP:
		if (n > UINT32_MAX || want > UINT32_MAX)
			return kc_error_set(err, KC_EUNSUPPORTED, "a gzip page over "
			                    "4 GiB");
		return gzip_decompress(src, n, out, want, err);
	}
	return kc_error_set(err, KC_EUNSUPPORTED, "compression codec %d (kc "
	                    "reads zstd, snappy, gzip and none)", codec);
}
