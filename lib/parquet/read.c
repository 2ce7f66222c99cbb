/*
 * read.c - a Parquet file back to JSON records.
 *
 * A row group at a time: each leaf column chunk is read whole, its pages
 * (dictionary, data v1 and v2) decompressed and decoded into arrays of
 * levels and values; then the rows are put together from the columns in
 * lockstep (assemble), each node taking its shape from the first leaf
 * under it.  Every count, length and offset in the file is checked before
 * it is used; a file that contradicts itself is an error, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/private.h"
#include "parquet/private.h"

struct rcol {
	uint8_t *rep, *def;
	size_t n, cap;
	struct pq_val *vals;
	size_t nv, capv;
	struct pq_val *dict;
	size_t ndict;
	void **bufs;               /* what the values point into */
	size_t nbufs, capbufs;
	size_t ci, vi;             /* cursors while assembling */
};

struct kc_parquet_reader {
	int fd;
	const uint8_t *mem;
	uint64_t size;
	struct pq_file f;
	size_t g;                  /* the next row group */
	int64_t row, rows;         /* in the loaded row group */
	struct rcol *cols;
	int failed;
	uint32_t *idx;             /* scratch for levels and indices */
	size_t capidx;
};

static kc_status bad(struct kc_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static kc_status bad(struct kc_error *err, const char *fmt, ...)
{
	va_list ap;
	char text[400];

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return kc_error_set(err, KC_EFORMAT, "%s", text);
}

static kc_status read_at(kc_parquet_reader *r, uint64_t off, size_t len,
                         uint8_t **out, int *owned, struct kc_error *err)
{
	if (off > r->size || len > r->size - off)
		return bad(err, "%zu bytes at offset %llu lie outside the file",
		           len, (unsigned long long)off);
	if (r->mem) {
		*out = (uint8_t *)(uintptr_t)(r->mem + off);
		*owned = 0;
		return KC_OK;
	}
	if (!(*out = malloc(len ? len : 1)))
		return kc_error_nomem(err);
	*owned = 1;
	for (size_t got = 0; got < len;) {
		ssize_t n = pread(r->fd, *out + got, len - got, (off_t)(off + got));
		if (n <= 0) {
			free(*out);
			*out = NULL;
			kc_error_set(err, KC_EIO, "%s", n < 0 ? strerror(errno)
			             : "the file is shorter than it was");
			if (err)
				err->saved_errno = errno;
			return KC_EIO;
		}
		got += (size_t)n;
	}
	return KC_OK;
}

static kc_status open_common(kc_parquet_reader *r, struct kc_error *err)
{
	uint8_t tail[8], *foot;
	uint8_t *head;
	int owned, owned2;
	uint32_t len;
	kc_status st;

	if (r->size < 12)
		return bad(err, "not a Parquet file (%llu bytes, too short)",
		           (unsigned long long)r->size);
	if ((st = read_at(r, 0, 4, &head, &owned, err)))
		return st;
	int magic = !memcmp(head, "PAR1", 4);
	if (owned)
		free(head);
	if (!magic)
		return bad(err, "not a Parquet file (no PAR1 at the start)");
	if ((st = read_at(r, r->size - 8, 8, &head, &owned, err)))
		return st;
	memcpy(tail, head, 8);
	if (owned)
		free(head);
	if (!memcmp(tail + 4, "PARE", 4))
		return kc_error_set(err, KC_EUNSUPPORTED, "an encrypted Parquet "
		                    "file");
	if (memcmp(tail + 4, "PAR1", 4))
		return bad(err, "not a Parquet file, or cut short (no PAR1 at the "
		           "end)");
	memcpy(&len, tail, 4);
	if (len == 0 || len > r->size - 12)
		return bad(err, "the footer length (%u bytes) does not fit the "
		           "file (%llu bytes)", len, (unsigned long long)r->size);
	if (len > pq_max_alloc)
		return kc_error_set(err, KC_ETOOLONG, "a footer of %u bytes", len);
	if ((st = read_at(r, r->size - 8 - len, len, &foot, &owned2, err)))
		return st;
	st = pq_file_parse(&r->f, foot, len, r->size - 8 - len, err);
	if (owned2)
		free(foot);
	if (st)
		return st;
	if (!(r->cols = calloc(r->f.nleaves, sizeof *r->cols)))
		return kc_error_nomem(err);
	return KC_OK;
}

kc_status kc_parquet_reader_open(kc_parquet_reader **rp, const char *path,
                                 struct kc_error *err)
{
	kc_parquet_reader *r = calloc(1, sizeof *r);
	struct stat sb;
	kc_status st;

	*rp = NULL;
	if (!r)
		return kc_error_nomem(err);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &sb) != 0) {
		kc_error_set(err, errno == ENOENT ? KC_ENOTFOUND : KC_EIO, "%s",
		             strerror(errno));
		if (err)
			err->saved_errno = errno;
		st = err ? err->status : KC_EIO;
		kc_parquet_reader_free(r);
		return st;
	}
	if (!S_ISREG(sb.st_mode)) {
		kc_parquet_reader_free(r);
		return kc_error_set(err, KC_EINVAL, "not a regular file (Parquet "
		                    "is read from its footer, at the end)");
	}
	r->size = (uint64_t)sb.st_size;
	if ((st = open_common(r, err))) {
		kc_parquet_reader_free(r);
		return st;
	}
	*rp = r;
	return KC_OK;
}

kc_status kc_parquet_reader_open_mem(kc_parquet_reader **rp, const void *data,
                                     size_t len, struct kc_error *err)
{
	kc_parquet_reader *r = calloc(1, sizeof *r);
	kc_status st;

	*rp = NULL;
	if (!r)
		return kc_error_nomem(err);
	r->fd = -1;
	r->mem = data ? data : (const uint8_t *)"";
	r->size = len;
	if ((st = open_common(r, err))) {
		kc_parquet_reader_free(r);
		return st;
	}
	*rp = r;
	return KC_OK;
}

long long kc_parquet_reader_rows(const kc_parquet_reader *r)
{
	return r->f.rows;
}

static void release_cols(kc_parquet_reader *r)
{
	for (size_t i = 0; r->cols && i < r->f.nleaves; i++) {
		struct rcol *c = &r->cols[i];
		for (size_t b = 0; b < c->nbufs; b++)
			free(c->bufs[b]);
		free(c->bufs);
		free(c->rep);
		free(c->def);
		free(c->vals);
		free(c->dict);
		memset(c, 0, sizeof *c);
	}
}

void kc_parquet_reader_free(kc_parquet_reader *r)
{
	if (!r)
		return;
	release_cols(r);
	free(r->cols);
	pq_file_release(&r->f);
	free(r->idx);
	if (r->fd >= 0)
		close(r->fd);
	free(r);
}

/* ---- pages ---- */

struct page {
	int type, encoding, def_enc, rep_enc;
	int64_t usize, csize, nvalues;
	int64_t def_len, rep_len;
	int compressed;
	int has_header;
};

/* A DataPageHeader (v2 0), DataPageHeaderV2 (v2 1) or, with dict, a
 * DictionaryPageHeader: num_values and encoding are fields 1 and 2. */
static void read_data_header(struct tr *t, struct page *p, int v2, int dict)
{
	int id, type;

	p->has_header = 1;
	tr_begin(t);
	while (tr_field(t, &id, &type)) {
		if (id == 1)
			p->nvalues = tr_int(t, type);
		else if (dict && id == 2)
			p->encoding = (int)tr_int(t, type);
		else if (dict)
			tr_skip(t, type);
		else if (id == (v2 ? 4 : 2))
			p->encoding = (int)tr_int(t, type);
		else if (!v2 && id == 3)
			p->def_enc = (int)tr_int(t, type);
		else if (!v2 && id == 4)
			p->rep_enc = (int)tr_int(t, type);
		else if (v2 && id == 5)
			p->def_len = tr_int(t, type);
		else if (v2 && id == 6)
			p->rep_len = tr_int(t, type);
		else if (v2 && id == 7)
			p->compressed = tr_bool(t, type);
		else
			tr_skip(t, type);
	}
}

/* The page header at p[0..len): its size, or 0 on an error. */
static size_t read_page_header(const uint8_t *p, size_t len, struct page *pg)
{
	struct tr t;
	int id, type;

	memset(pg, 0, sizeof *pg);
	pg->type = -1;
	pg->compressed = 1;
	pg->def_enc = pg->rep_enc = PQ_ENC_RLE;
	tr_init(&t, p, len);
	tr_begin(&t);
	while (tr_field(&t, &id, &type)) {
		switch (id) {
		case 1: pg->type = (int)tr_int(&t, type); break;
		case 2: pg->usize = tr_int(&t, type); break;
		case 3: pg->csize = tr_int(&t, type); break;
		case 5: case 7: case 8:
			if (type == TC_STRUCT)
				read_data_header(&t, pg, id == 8, id == 7);
			else
				tr_skip(&t, type);
			break;
		default: tr_skip(&t, type);
		}
	}
	if (t.bad)
		return 0;
	return (size_t)(t.p - p);
}

static kc_status keep(struct rcol *c, void *buf, struct kc_error *err)
{
	if (c->nbufs == c->capbufs) {
		size_t cap = c->capbufs ? c->capbufs * 2 : 8;
		void **b = realloc(c->bufs, cap * sizeof *b);
		if (!b) {
			free(buf);
			return kc_error_nomem(err);
		}
		c->bufs = b;
		c->capbufs = cap;
	}
	c->bufs[c->nbufs++] = buf;
	return KC_OK;
}

/* n PLAIN values of the leaf's type from p[0..len) into out. */
static kc_status plain(const struct pq_node *leaf, const uint8_t *p,
                       size_t len, struct pq_val *out, size_t n,
                       struct kc_error *err)
{
	size_t at = 0, w = leaf->ptype == PQ_INT32 || leaf->ptype == PQ_FLOAT ? 4
	                 : 8;

	if (leaf->ptype == PQ_BOOLEAN) {
		if (n > len * 8)
			return bad(err, "column \"%s\": %zu booleans in %zu bytes",
			           leaf->name, n, len);
		for (size_t i = 0; i < n; i++)
			out[i].u.i = (p[i / 8] >> (i % 8)) & 1;
		return KC_OK;
	}
	if (leaf->ptype != PQ_BYTE_ARRAY) {
		if (n > len / w)
			return bad(err, "column \"%s\": %zu values in %zu bytes",
			           leaf->name, n, len);
		for (size_t i = 0; i < n; i++, p += w) {
			if (leaf->ptype == PQ_INT32) {
				uint32_t x;
				memcpy(&x, p, 4);
				out[i].u.i = leaf->unsigned_int ? (int64_t)x
				                                : (int64_t)(int32_t)x;
			} else if (leaf->ptype == PQ_INT64) {
				memcpy(&out[i].u.i, p, 8);
			} else if (leaf->ptype == PQ_FLOAT) {
				float f;
				memcpy(&f, p, 4);
				out[i].u.f = f;
			} else {
				memcpy(&out[i].u.f, p, 8);
			}
		}
		return KC_OK;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t l;
		if (len - at < 4)
			return bad(err, "column \"%s\": a string runs past its page",
			           leaf->name);
		memcpy(&l, p + at, 4);
		at += 4;
		if (l > len - at)
			return bad(err, "column \"%s\": a string of %u bytes runs past "
			           "its page", leaf->name, l);
		out[i].u.s.p = (const char *)p + at;
		out[i].u.s.len = l;
		at += l;
	}
	return KC_OK;
}

static uint32_t *idx_scratch(kc_parquet_reader *r, size_t n)
{
	if (n > r->capidx) {
		uint32_t *s = realloc(r->idx, (n ? n : 1) * sizeof *s);
		if (!s)
			return NULL;
		r->idx = s;
		r->capidx = n;
	}
	return r->idx;
}

static kc_status grow(struct rcol *c, size_t n, size_t nv,
                      struct kc_error *err)
{
	if (n > pq_max_entries - c->n)
		return kc_error_set(err, KC_ETOOLONG, "a column of over %zu values "
		                    "in one row group", pq_max_entries);
	if (!c->rep || c->n + n > c->cap) {
		size_t cap = c->cap ? c->cap : 1024;
		while (cap < c->n + n)
			cap *= 2;
		uint8_t *a = realloc(c->rep, cap), *b;
		if (!a)
			return kc_error_nomem(err);
		c->rep = a;
		if (!(b = realloc(c->def, cap)))
			return kc_error_nomem(err);
		c->def = b;
		c->cap = cap;
	}
	if (!c->vals || c->nv + nv > c->capv) {
		size_t cap = c->capv ? c->capv : 1024;
		while (cap < c->nv + nv)
			cap *= 2;
		struct pq_val *v = realloc(c->vals, cap * sizeof *v);
		if (!v)
			return kc_error_nomem(err);
		c->vals = v;
		c->capv = cap;
	}
	return KC_OK;
}

/* One level run (`max` > 0) of n entries into lv. */
static kc_status levels(kc_parquet_reader *r, const struct pq_node *leaf,
                        const uint8_t *p, size_t len, int max, uint8_t *lv,
                        size_t n, struct kc_error *err)
{
	uint32_t *s = idx_scratch(r, n);

	if (!s)
		return kc_error_nomem(err);
	if (pq_rle_decode(p, len, pq_bit_width((unsigned)max), s, n,
	                  (uint32_t)max))
		return bad(err, "column \"%s\": malformed levels", leaf->name);
	for (size_t i = 0; i < n; i++)
		lv[i] = (uint8_t)s[i];
	return KC_OK;
}

static kc_status values(kc_parquet_reader *r, const struct pq_node *leaf,
                        struct rcol *c, int encoding, const uint8_t *p,
                        size_t len, size_t n, struct kc_error *err)
{
	struct pq_val *out = c->vals + c->nv;

	if (encoding == PQ_ENC_PLAIN)
		return plain(leaf, p, len, out, n, err);
	if (encoding == PQ_ENC_RLE_DICT || encoding == PQ_ENC_PLAIN_DICT) {
		uint32_t *s = idx_scratch(r, n);
		if (!s)
			return kc_error_nomem(err);
		if ((!c->dict || !c->ndict) && n)
			return bad(err, "column \"%s\": dictionary indices without a "
			           "dictionary", leaf->name);
		if (n && (len < 1 || p[0] > 32 ||
		          pq_rle_decode(p + 1, len - 1, p[0], s, n,
		                        (uint32_t)(c->ndict - 1))))
			return bad(err, "column \"%s\": malformed dictionary indices",
			           leaf->name);
		for (size_t i = 0; i < n; i++)
			out[i] = c->dict[s[i]];
		return KC_OK;
	}
	if (encoding == PQ_ENC_RLE && leaf->ptype == PQ_BOOLEAN) {
		uint32_t l, *s = idx_scratch(r, n);
		if (!s)
			return kc_error_nomem(err);
		if (len < 4 || (memcpy(&l, p, 4), l > len - 4) ||
		    pq_rle_decode(p + 4, l, 1, s, n, 1))
			return bad(err, "column \"%s\": malformed booleans",
			           leaf->name);
		for (size_t i = 0; i < n; i++)
			out[i].u.i = s[i];
		return KC_OK;
	}
	static const char *const names[] = { "PLAIN", "GROUP_VAR_INT",
		"PLAIN_DICTIONARY", "RLE", "BIT_PACKED", "DELTA_BINARY_PACKED",
		"DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY", "RLE_DICTIONARY",
		"BYTE_STREAM_SPLIT" };
	const char *name = kc_name_of(KC_NAMES(names), encoding);
	char num[16];

	if (!name)
		snprintf(num, sizeof num, "%d", encoding), name = num;
	return kc_error_set(err, KC_EUNSUPPORTED, "column \"%s\": encoding %s "
	                    "(kc reads PLAIN, RLE_DICTIONARY and "
	                    "PLAIN_DICTIONARY)", leaf->name, name);
}

static kc_status dict_page(const struct pq_node *leaf, struct rcol *c,
                           const struct page *pg, const uint8_t *p,
                           size_t len, struct kc_error *err)
{
	if (pg->encoding != PQ_ENC_PLAIN && pg->encoding != PQ_ENC_PLAIN_DICT)
		return kc_error_set(err, KC_EUNSUPPORTED, "column \"%s\": a "
		                    "dictionary in encoding %d", leaf->name,
		                    pg->encoding);
	if (c->dict)
		return bad(err, "column \"%s\": a second dictionary", leaf->name);
	/* every value takes a byte at least (a bit for booleans); arrow-rs
	 * writes an empty dictionary for a column chunk of nulls */
	if (pg->nvalues < 0 || (uint64_t)pg->nvalues > (uint64_t)len * 8)
		return bad(err, "column \"%s\": a dictionary of %lld values in %zu "
		           "bytes", leaf->name, (long long)pg->nvalues, len);
	c->ndict = (size_t)pg->nvalues;
	if (!(c->dict = calloc(c->ndict ? c->ndict : 1, sizeof *c->dict)))
		return kc_error_nomem(err);
	return plain(leaf, p, len, c->dict, c->ndict, err);
}

/* Room for a page's levels in c. */
static kc_status page_begin(const struct pq_node *leaf, struct rcol *c,
                            const struct page *pg, struct kc_error *err)
{
	if (pg->nvalues < 0 || (uint64_t)pg->nvalues > pq_max_entries)
		return bad(err, "column \"%s\": a page of %lld values", leaf->name,
		           (long long)pg->nvalues);
	return grow(c, (size_t)pg->nvalues, 0, err);
}

/* The page's values, len bytes at p, once its levels are in c. */
static kc_status page_end(kc_parquet_reader *r, const struct pq_node *leaf,
                          struct rcol *c, const struct page *pg,
                          const uint8_t *p, size_t len, struct kc_error *err)
{
	size_t n = (size_t)pg->nvalues, nv = 0;
	kc_status st;

	for (size_t i = 0; i < n; i++)
		nv += c->def[c->n + i] == leaf->def;
	if ((st = grow(c, 0, nv, err)) ||
	    (st = values(r, leaf, c, pg->encoding, p, len, nv, err)))
		return st;
	c->n += n;
	c->nv += nv;
	return KC_OK;
}

/* A v1 page: each level run behind its 4-byte length, then the values. */
static kc_status data_page(kc_parquet_reader *r, const struct pq_node *leaf,
                           struct rcol *c, const struct page *pg,
                           const uint8_t *p, size_t len, struct kc_error *err)
{
	size_t n = (size_t)pg->nvalues;
	kc_status st;

	if ((st = page_begin(leaf, c, pg, err)))
		return st;
	for (int k = 0; k < 2; k++) {
		int max = k ? leaf->def : leaf->rep;
		uint8_t *lv = (k ? c->def : c->rep) + c->n;
		if (max == 0) {
			memset(lv, 0, n);
			continue;
		}
		if ((k ? pg->def_enc : pg->rep_enc) != PQ_ENC_RLE)
			return kc_error_set(err, KC_EUNSUPPORTED, "column \"%s\": "
			                    "levels in encoding %d", leaf->name,
			                    k ? pg->def_enc : pg->rep_enc);
		uint32_t l;
		if (len < 4 || (memcpy(&l, p, 4), l > len - 4))
			return bad(err, "column \"%s\": levels run past the page",
			           leaf->name);
		if ((st = levels(r, leaf, p + 4, l, max, lv, n, err)))
			return st;
		p += 4 + l;
		len -= 4 + l;
	}
	return page_end(r, leaf, c, pg, p, len, err);
}

/* A v2 page: levels first, uncompressed, without length prefixes; the
 * caller put the values after them, decompressed. */
static kc_status data_page_v2(kc_parquet_reader *r, const struct pq_node *leaf,
                              struct rcol *c, const struct page *pg,
                              const uint8_t *p, size_t len,
                              struct kc_error *err)
{
	size_t n = (size_t)pg->nvalues;
	kc_status st;

	if ((st = page_begin(leaf, c, pg, err)))
		return st;
	for (int k = 0; k < 2; k++) {
		int max = k ? leaf->def : leaf->rep;
		int64_t l = k ? pg->def_len : pg->rep_len;
		uint8_t *lv = (k ? c->def : c->rep) + c->n;
		if (max == 0)
			memset(lv, 0, n);
		else if ((st = levels(r, leaf, p, (size_t)l, max, lv, n, err)))
			return st;
		p += l;
	}
	return page_end(r, leaf, c, pg, p,
	                len - (size_t)(pg->rep_len + pg->def_len), err);
}

static kc_status decompress_page(struct rcol *c, int codec, const uint8_t *src,
                                 size_t n, size_t want, uint8_t **out,
                                 struct kc_error *err)
{
	uint8_t *buf;
	kc_status st;

	if (want > pq_max_alloc)
		return kc_error_set(err, KC_ETOOLONG, "a page of %zu bytes", want);
	if (!(buf = malloc(want ? want : 1)))
		return kc_error_nomem(err);
	if ((st = pq_decompress(codec, src, n, buf, want, err))) {
		free(buf);
		return st;
	}
	*out = buf;
	return keep(c, buf, err);
}

static kc_status one_page(kc_parquet_reader *r, const struct pq_node *leaf,
                          struct rcol *c, int codec, const struct page *pg,
                          const uint8_t *p, struct kc_error *err)
{
	size_t cs = (size_t)pg->csize, us = (size_t)pg->usize;
	uint8_t *buf = NULL;
	kc_status st;

	if (pg->type == PQ_PAGE_INDEX)
		return KC_OK;
	if ((pg->type != PQ_PAGE_DATA && pg->type != PQ_PAGE_DICT &&
	     pg->type != PQ_PAGE_DATA_V2) || !pg->has_header)
		return bad(err, "column \"%s\": a page of unknown type %d",
		           leaf->name, pg->type);
	if (pg->type == PQ_PAGE_DATA_V2) {
		int64_t lv = pg->rep_len + pg->def_len;
		if (pg->rep_len < 0 || pg->def_len < 0 || lv > pg->csize ||
		    lv > pg->usize)
			return bad(err, "column \"%s\": level lengths over the page",
			           leaf->name);
		if (pg->compressed && codec != KC_PARQUET_NONE) {
			if (us > pq_max_alloc)
				return kc_error_set(err, KC_ETOOLONG, "a page of %zu "
				                    "bytes", us);
			if (!(buf = malloc(us ? us : 1)))
				return kc_error_nomem(err);
			memcpy(buf, p, (size_t)lv);
			if ((st = pq_decompress(codec, p + lv, cs - (size_t)lv,
			                        buf + lv, us - (size_t)lv, err))) {
				free(buf);
				return st;
			}
			if ((st = keep(c, buf, err)))
				return st;
			p = buf;
		} else if (cs != us) {
			return bad(err, "column \"%s\": an uncompressed page of %zu "
			           "bytes says %zu", leaf->name, cs, us);
		}
		return data_page_v2(r, leaf, c, pg, p, us, err);
	}
	if (codec != KC_PARQUET_NONE) {
		if ((st = decompress_page(c, codec, p, cs, us, &buf, err)))
			return st;
		p = buf;
	} else if (cs != us) {
		return bad(err, "column \"%s\": an uncompressed page of %zu bytes "
		           "says %zu", leaf->name, cs, us);
	}
	if (pg->type == PQ_PAGE_DICT)
		return dict_page(leaf, c, pg, p, us, err);
	return data_page(r, leaf, c, pg, p, us, err);
}

static kc_status read_chunk(kc_parquet_reader *r, size_t g, size_t i,
                            struct kc_error *err)
{
	const struct pq_chunk *ch = &r->f.groups[g].chunks[i];
	const struct pq_node *leaf = r->f.leaves[i];
	struct rcol *c = &r->cols[i];
	uint8_t *data;
	int owned;
	size_t at = 0, size = (size_t)ch->size;
	kc_status st;

	if (ch->codec != KC_PARQUET_NONE && ch->codec != KC_PARQUET_SNAPPY &&
	    ch->codec != KC_PARQUET_GZIP && ch->codec != KC_PARQUET_ZSTD)
		return kc_error_set(err, KC_EUNSUPPORTED, "column \"%s\": "
		                    "compression codec %d (kc reads zstd, snappy, "
		                    "gzip and none)", leaf->name, ch->codec);
	if ((uint64_t)ch->size > pq_max_alloc)
		return kc_error_set(err, KC_ETOOLONG, "column \"%s\": a column "
		                    "chunk of %lld bytes", leaf->name,
		                    (long long)ch->size);
	if ((st = read_at(r, (uint64_t)ch->start, size, &data, &owned, err)))
		return st;
	if (owned && (st = keep(c, data, err)))
		return st;
	while (at < size && (int64_t)c->n < ch->num_values) {
		struct page pg;
		size_t h = read_page_header(data + at, size - at, &pg);
		if (!h)
			return bad(err, "column \"%s\": a malformed page header at "
			           "offset %lld", leaf->name,
			           (long long)(ch->start + (int64_t)at));
		at += h;
		if (pg.csize < 0 || pg.usize < 0 || (uint64_t)pg.csize > size - at)
			return bad(err, "column \"%s\": a page of %lld bytes where "
			           "%zu are left", leaf->name, (long long)pg.csize,
			           size - at);
		if ((st = one_page(r, leaf, c, ch->codec, &pg, data + at, err)))
			return st;
		at += (size_t)pg.csize;
	}
	if ((int64_t)c->n != ch->num_values)
		return bad(err, "column \"%s\": %zu values where the footer says "
		           "%lld", leaf->name, c->n, (long long)ch->num_values);
	return KC_OK;
}

static kc_status load_group(kc_parquet_reader *r, struct kc_error *err)
{
	kc_status st;

	release_cols(r);
	while (r->g < r->f.ngroups && r->f.groups[r->g].rows == 0)
		r->g++;
	if (r->g >= r->f.ngroups)
		return KC_EOF;
	for (size_t i = 0; i < r->f.nleaves; i++)
		if ((st = read_chunk(r, r->g, i, err)))
			return st;
	r->rows = r->f.groups[r->g].rows;
	r->row = 0;
	r->g++;
	return KC_OK;
}

/* ---- rows ---- */

struct asm_ctx {
	kc_parquet_reader *r;
	struct kc_error *err;
	kc_status st;
};

static int peek(struct asm_ctx *a, const struct pq_node *n, int *rep)
{
	struct rcol *c = &a->r->cols[n->first];

	if (c->ci >= c->n) {
		if (!a->st)
			a->st = bad(a->err, "column \"%s\" ends before its rows",
			            a->r->f.leaves[n->first]->name);
		return -1;
	}
	if (rep)
		*rep = c->rep[c->ci];
	return c->def[c->ci];
}

/* One entry from each leaf under n: a null or an empty list. */
static void skip_entries(struct asm_ctx *a, const struct pq_node *n)
{
	if (n->leaf >= 0) {
		struct rcol *c = &a->r->cols[n->leaf];
		if (c->ci < c->n)
			c->ci++;
		else if (!a->st)
			a->st = bad(a->err, "column \"%s\" ends before its rows",
			            n->name);
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		skip_entries(a, n->kids[i]);
}

static json_t *leaf_value(struct asm_ctx *a, const struct pq_node *n)
{
	struct rcol *c = &a->r->cols[n->leaf];
	const struct pq_val *v;
	json_t *j;

	if (c->ci >= c->n || c->def[c->ci] != n->def) {
		skip_entries(a, n);
		return json_null();
	}
	c->ci++;
	if (c->vi >= c->nv) {
		a->st = bad(a->err, "column \"%s\": fewer values than levels",
		            n->name);
		return NULL;
	}
	v = &c->vals[c->vi++];
	switch (n->kind) {
	case PK_BOOL: return json_boolean(v->u.i);
	case PK_INT:
		if (n->unsigned_int && n->ptype == PQ_INT64 && v->u.i < 0) {
			a->st = kc_error_set(a->err, KC_EUNSUPPORTED, "column \"%s\": "
			                     "an unsigned integer over 2^63", n->name);
			return NULL;
		}
		return json_integer(v->u.i);
	case PK_DOUBLE:
		if (!isfinite(v->u.f)) {
			a->st = kc_error_set(a->err, KC_EUNSUPPORTED, "column \"%s\": "
			                     "%g has no JSON form", n->name, v->u.f);
			return NULL;
		}
		return json_real(v->u.f);
	default:
		if (!(j = json_stringn(v->u.s.p, v->u.s.len)))
			a->st = kc_error_set(a->err, KC_EUTF8, "column \"%s\": a "
			                     "string that is not UTF-8", n->name);
		return j;
	}
}

static json_t *node_value(struct asm_ctx *a, const struct pq_node *n,
                          int depth);

static json_t *list_value(struct asm_ctx *a, const struct pq_node *n,
                          int depth)
{
	json_t *arr = json_array();
	int rep;

	if (!arr)
		return NULL;
	for (;;) {
		json_t *e = node_value(a, n->kids[0], depth + 1);
		if (!e || json_array_append_new(arr, e)) {
			json_decref(arr);
			return NULL;
		}
		struct rcol *c = &a->r->cols[n->first];
		if (c->ci >= c->n)
			break;
		int d = peek(a, n, &rep);
		if (d < 0 || rep != n->rep || d <= n->def)
			break;
	}
	return arr;
}

static json_t *node_value(struct asm_ctx *a, const struct pq_node *n,
                          int depth)
{
	int d;

	if (a->st || depth > PQ_MAX_DEPTH)
		return NULL;
	if ((d = peek(a, n, NULL)) < 0)
		return NULL;
	if (d < n->def || (n->kind == PK_LIST && d == n->def)) {
		skip_entries(a, n);
		if (a->st)
			return NULL;
		return d < n->def ? json_null() : json_array();
	}
	if (n->leaf >= 0)
		return leaf_value(a, n);
	if (n->kind == PK_LIST)
		return list_value(a, n, depth);
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < n->nkids; i++) {
		const struct pq_node *k = n->kids[i];
		json_t *v = node_value(a, k, depth + 1);
		if (!v || json_object_set_new_nocheck(obj, k->name, v)) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

kc_status kc_parquet_reader_next(kc_parquet_reader *r, json_t **rec,
                                 struct kc_error *err)
{
	struct asm_ctx a = { r, err, KC_OK };
	kc_status st;

	*rec = NULL;
	if (r->failed)
		return kc_error_set(err, KC_EINVAL, "the file failed before");
	if (r->row >= r->rows) {
		for (size_t i = 0; i < r->f.nleaves && r->rows; i++)
			if (r->cols[i].ci != r->cols[i].n || r->cols[i].vi !=
			    r->cols[i].nv) {
				r->failed = 1;
				return bad(err, "column \"%s\" has more values than the "
				           "row group's %lld rows", r->f.leaves[i]->name,
				           (long long)r->rows);
			}
		if ((st = load_group(r, err))) {
			r->failed = st != KC_EOF;
			return st;
		}
	}
	for (size_t i = 0; i < r->f.nleaves; i++) {
		struct rcol *c = &r->cols[i];
		if (c->ci >= c->n || c->rep[c->ci] != 0) {
			r->failed = 1;
			return bad(err, "column \"%s\" does not start row %lld where "
			           "the others do", r->f.leaves[i]->name,
			           (long long)r->row);
		}
	}
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < r->f.root->nkids; i++) {
		const struct pq_node *k = r->f.root->kids[i];
		json_t *v = node_value(&a, k, 0);
		if (!v || json_object_set_new_nocheck(obj, k->name, v)) {
			json_decref(obj);
			obj = NULL;
		}
	}
	if (!obj) {
		r->failed = 1;
		return a.st ? a.st : kc_error_nomem(err);
	}
	for (size_t i = 0; i < r->f.nleaves; i++) {
		struct rcol *c = &r->cols[i];
		if (c->ci < c->n && c->rep[c->ci] != 0) {
			json_decref(obj);
			r->failed = 1;
			return bad(err, "column \"%s\" runs on past row %lld",
			           r->f.leaves[i]->name, (long long)r->row);
		}
	}
	r->row++;
	*rec = obj;
	return KC_OK;
}

/* ---- the schema as text ---- */

static kc_status schema_lines(const struct pq_node *n, int depth, kc_buf *out)
{
	const struct pq_node *t = n;
	kc_status st;
	char type[256] = "";
	size_t len = 0;

	while (t->kind == PK_LIST && len < sizeof type - 16) {
		len += (size_t)snprintf(type + len, sizeof type - len, "list<");
		t = t->kids[0];
	}
	len += (size_t)snprintf(type + len, sizeof type - len, "%s",
	                        pq_kind_name(t->kind));
	for (const struct pq_node *u = n; u->kind == PK_LIST &&
	     len < sizeof type - 2; u = u->kids[0])
		type[len++] = '>', type[len] = '\0';
	if ((st = kc_buf_printf(out, "%*s%s: %s\n", 2 * depth, "", n->name,
	                        type)))
		return st;
	if (t->kind == PK_STRUCT)
		for (size_t i = 0; i < t->nkids; i++)
			if ((st = schema_lines(t->kids[i], depth + 1, out)))
				return st;
	return KC_OK;
}

kc_status kc_parquet_reader_schema(const kc_parquet_reader *r, kc_buf *out,
                                   struct kc_error *err)
{
	for (size_t i = 0; i < r->f.root->nkids; i++)
		if (schema_lines(r->f.root->kids[i], 0, out))
			return kc_error_nomem(err);
	return KC_OK;
}
