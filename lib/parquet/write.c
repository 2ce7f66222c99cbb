/*
 * write.c - JSON records to a Parquet file.
 *
 * Records wait, as JSON, until the first row group is full: their types
 * make the schema (schema.c).  From then on each record is checked
 * against the schema and shredded at once into its leaf columns, as
 * (repetition level, definition level, value) entries; when the columns
 * hold --row-group-size bytes they are written out as one row group and
 * emptied, so memory stays bounded by a row group.
 *
 * Each column chunk is a dictionary page when a dictionary pays (strings
 * that repeat: data_source, ability) and data pages (v1) of about 8 MiB,
 * cut where a row begins.  The footer collects each row group's column
 * metadata as it is written.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/private.h"
#include "parquet/private.h"

/* 8 MiB: zstd then finds the passages that repeat across records (the
 * pool's fillers); at 1 MiB the file was 1.6 times zstd -3's, at 8 MiB
 * 1.05 (bench/parquet.sh) */
#define PAGE_BYTES ((size_t)8 << 20)
#define DICT_MAX_BYTES ((size_t)1 << 20)

struct wcol {
	struct pq_node *node;
	char **path;               /* names from the top field to the leaf */
	size_t npath;
	uint8_t *rep, *def;
	size_t n, cap;
	kc_buf vals;               /* PLAIN values (a boolean: one byte) */
	size_t nvals;
};

struct kc_parquet_writer {
	FILE *f;
	char *path, *tmp;
	struct kc_parquet_opts o;
	struct pq_node *root;
	json_t *pending;           /* records before the schema is fixed */
	size_t pending_bytes;
	struct wcol *cols;
	size_t ncols;
	size_t rows, group_bytes;  /* of the row group being filled */
	long long total_rows;
	uint64_t offset;           /* bytes written */
	kc_buf groups;             /* the RowGroup structs written so far */
	size_t ngroups;
	kc_buf page, comp, head;   /* scratch */
	uint32_t *scratch;
	size_t capscratch;
};

void kc_parquet_opts_init(struct kc_parquet_opts *o)
{
	memset(o, 0, sizeof *o);
	o->codec = KC_PARQUET_ZSTD;
	o->row_group_size = (size_t)64 << 20;
}

kc_status kc_parquet_codec_parse(const char *name,
                                 enum kc_parquet_codec *codec,
                                 struct kc_error *err)
{
	static const char *const names[] = { "none", "snappy", "gzip", "zstd" };
	static const enum kc_parquet_codec codes[] = { KC_PARQUET_NONE,
		KC_PARQUET_SNAPPY, KC_PARQUET_GZIP, KC_PARQUET_ZSTD };
	int v;
	kc_status st = kc_name_parse(KC_NAMES(names), "codec", name, &v, err);

	if (st == KC_OK)
		*codec = codes[v];
	return st;
}

static kc_status put(kc_parquet_writer *w, const void *p, size_t n,
                     struct kc_error *err)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return kc_error_io(err, w->path);
	w->offset += n;
	return KC_OK;
}

kc_status kc_parquet_writer_open(kc_parquet_writer **wp, const char *path,
                                 const struct kc_parquet_opts *o,
                                 struct kc_error *err)
{
	kc_parquet_writer *w = calloc(1, sizeof *w);
	struct stat sb;
	int fd;
	mode_t mask;

	*wp = NULL;
	if (!w)
		return kc_error_nomem(err);
	/* the file a symbolic link names is replaced, never the link (a
	 * rename onto /dev/stdout would replace the link itself) */
	if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		char *real = realpath(path, NULL);
		if (!real) {
			free(w);
			return kc_error_io(err, path);
		}
		w->path = real;
	} else {
		w->path = strdup(path);
	}
	if (w->path && (stat(w->path, &sb) == 0 && !S_ISREG(sb.st_mode))) {
		kc_error_set(err, KC_EINVAL, "%s: not a regular file", path);
		free(w->path);
		free(w);
		return KC_EINVAL;
	}
	path = w->path ? w->path : path;
	const char *slash = strrchr(path, '/');
	size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
	if (o)
		w->o = *o;
	else
		kc_parquet_opts_init(&w->o);
	if (!w->o.row_group_size)
		w->o.row_group_size = (size_t)64 << 20;
	kc_buf_init(&w->groups, 0);
	kc_buf_init(&w->page, 0);
	kc_buf_init(&w->comp, 0);
	kc_buf_init(&w->head, 0);
	w->tmp = malloc(strlen(path) + 16);
	w->pending = json_array();
	if (!w->path || !w->tmp || !w->pending) {
		kc_parquet_writer_free(w);
		return kc_error_nomem(err);
	}
	/* beside the target, so that the rename stays in one file system */
	sprintf(w->tmp, "%.*s.%s.XXXXXX", (int)dir, path, path + dir);
	if ((fd = mkstemp(w->tmp)) < 0 || !(w->f = fdopen(fd, "wb"))) {
		kc_error_io(err, path);
		if (fd >= 0)
			close(fd);
		free(w->tmp);
		w->tmp = NULL;
		kc_parquet_writer_free(w);
		return KC_EIO;
	}
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	if (put(w, "PAR1", 4, err)) {
		kc_parquet_writer_free(w);
		return KC_EIO;
	}
	*wp = w;
	return KC_OK;
}

void kc_parquet_writer_free(kc_parquet_writer *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	if (w->tmp)
		unlink(w->tmp);
	for (size_t i = 0; i < w->ncols; i++) {
		struct wcol *c = &w->cols[i];
		for (size_t k = 0; k < c->npath; k++)
			free(c->path[k]);
		free(c->path);
		free(c->rep);
		free(c->def);
		kc_buf_release(&c->vals);
	}
	free(w->cols);
	pq_node_free(w->root);
	json_decref(w->pending);
	kc_buf_release(&w->groups);
	kc_buf_release(&w->page);
	kc_buf_release(&w->comp);
	kc_buf_release(&w->head);
	free(w->scratch);
	free(w->path);
	free(w->tmp);
	free(w);
}

/* ---- shredding ---- */

static kc_status emit(struct wcol *c, int r, int d, const json_t *v)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		uint8_t *a = realloc(c->rep, cap), *b;
		if (!a)
			return KC_ENOMEM;
		c->rep = a;
		if (!(b = realloc(c->def, cap)))
			return KC_ENOMEM;
		c->def = b;
		c->cap = cap;
	}
	c->rep[c->n] = (uint8_t)r;
	c->def[c->n] = (uint8_t)d;
	c->n++;
	if (!v)
		return KC_OK;
	c->nvals++;
	switch (c->node->kind) {
	case PK_BOOL: {
		uint8_t b = json_is_true(v);
		return kc_buf_append(&c->vals, &b, 1);
	}
	case PK_INT: {
		int64_t i = json_integer_value(v);
		return kc_buf_append(&c->vals, &i, 8);
	}
	case PK_DOUBLE: {
		double f = json_number_value(v);
		return kc_buf_append(&c->vals, &f, 8);
	}
	default: {
		size_t len = json_string_length(v);
		uint32_t n = (uint32_t)len;
		kc_status st;
		if (len > UINT32_MAX)
			return KC_ETOOLONG;
		if ((st = kc_buf_append(&c->vals, &n, 4)))
			return st;
		return kc_buf_append(&c->vals, json_string_value(v), len);
	}
	}
}

static kc_status nulls(kc_parquet_writer *w, const struct pq_node *n, int r,
                       int d)
{
	kc_status st = KC_OK;

	if (n->leaf >= 0)
		return emit(&w->cols[n->leaf], r, d, NULL);
	for (size_t i = 0; i < n->nkids && !st; i++)
		st = nulls(w, n->kids[i], r, d);
	return st;
}

static kc_status shred(kc_parquet_writer *w, const struct pq_node *n,
                       const json_t *v, int r, int pdef)
{
	kc_status st = KC_OK;

	if (!v || json_is_null(v))
		return nulls(w, n, r, pdef);
	if (n->kind == PK_STRUCT) {
		for (size_t i = 0; i < n->nkids && !st; i++)
			st = shred(w, n->kids[i], json_object_get(v, n->kids[i]->name),
			           r, n->def);
		return st;
	}
	if (n->kind == PK_LIST) {
		size_t len = json_array_size(v);
		if (!len)
			return nulls(w, n->kids[0], r, n->def);
		for (size_t i = 0; i < len && !st; i++)
			st = shred(w, n->kids[0], json_array_get(v, i),
			           i ? n->rep : r, n->def + 1);
		return st;
	}
	return emit(&w->cols[n->leaf], r, n->def, v);
}

static kc_status shred_record(kc_parquet_writer *w, const json_t *rec,
                              struct kc_error *err)
{
	kc_status st = KC_OK;
	size_t before = 0, after = 0;

	for (size_t i = 0; i < w->ncols; i++)
		before += w->cols[i].vals.len + 2 * w->cols[i].n;
	for (size_t i = 0; i < w->root->nkids && !st; i++)
		st = shred(w, w->root->kids[i],
		           json_object_get(rec, w->root->kids[i]->name), 0, 0);
	if (st)
		return kc_error_set(err, st, "%s", st == KC_ENOMEM ? "out of memory"
		                    : "a string over 4 GiB");
	for (size_t i = 0; i < w->ncols; i++)
		after += w->cols[i].vals.len + 2 * w->cols[i].n;
	w->group_bytes += after - before;
	w->rows++;
	return KC_OK;
}

/* ---- the schema fixed: columns and their paths ---- */

static kc_status col_paths(kc_parquet_writer *w, const struct pq_node *n,
                           const char **stack, size_t depth)
{
	stack[depth++] = n->name;
	if (n->kind == PK_LIST)
		stack[depth++] = "list";
	if (n->leaf >= 0) {
		struct wcol *c = &w->cols[n->leaf];
		if (!(c->path = calloc(depth, sizeof *c->path)))
			return KC_ENOMEM;
		for (size_t i = 0; i < depth; i++, c->npath++)
			if (!(c->path[i] = strdup(stack[i])))
				return KC_ENOMEM;
		return KC_OK;
	}
	for (size_t i = 0; i < n->nkids; i++)
		if (col_paths(w, n->kids[i], stack, depth))
			return KC_ENOMEM;
	return KC_OK;
}

static kc_status fix_schema(kc_parquet_writer *w, struct kc_error *err)
{
	struct pq_node **leaves;
	const char *stack[PQ_MAX_DEPTH * 2];
	kc_status st;

	if ((st = pq_schema_freeze(w->root, &w->ncols, err)))
		return st;
	if (!(w->cols = calloc(w->ncols, sizeof *w->cols)) ||
	    !(leaves = calloc(w->ncols, sizeof *leaves)))
		return kc_error_nomem(err);
	pq_schema_leaves(w->root, leaves);
	for (size_t i = 0; i < w->ncols; i++) {
		w->cols[i].node = leaves[i];
		kc_buf_init(&w->cols[i].vals, 0);
	}
	free(leaves);
	for (size_t i = 0; i < w->root->nkids; i++)
		if (col_paths(w, w->root->kids[i], stack, 0))
			return kc_error_nomem(err);
	return KC_OK;
}

/* ---- pages ---- */

static uint32_t *scratch(kc_parquet_writer *w, size_t n)
{
	if (n > w->capscratch) {
		uint32_t *s = realloc(w->scratch, n * sizeof *s);
		if (!s)
			return NULL;
		w->scratch = s;
		w->capscratch = n;
	}
	return w->scratch;
}

static kc_status put_levels(kc_parquet_writer *w, const uint8_t *lv,
                            size_t n, int max)
{
	uint32_t *s = scratch(w, n);
	size_t at = w->page.len;
	uint32_t len;
	kc_status st;

	if (!s)
		return KC_ENOMEM;
	for (size_t i = 0; i < n; i++)
		s[i] = lv[i];
	if ((st = kc_buf_append(&w->page, "\0\0\0\0", 4)) ||
	    (st = pq_rle_encode(&w->page, s, n, pq_bit_width((unsigned)max))))
		return st;
	len = (uint32_t)(w->page.len - at - 4);
	memcpy(w->page.data + at, &len, 4);
	return KC_OK;
}

/* Compress w->page and write it with its header. */
static kc_status put_page(kc_parquet_writer *w, int type, size_t nvalues,
                          int encoding, struct wcol *c, int64_t *comp_total,
                          int64_t *uncomp_total, struct kc_error *err)
{
	struct tw t;
	kc_status st;

	if (w->page.len > INT32_MAX)
		return kc_error_set(err, KC_ETOOLONG, "a page over 2 GiB in "
		                    "column \"%s\"", c->node->name);
	if ((st = pq_compress((int)w->o.codec, w->o.level, w->page.data,
	                      w->page.len, &w->comp, err)))
		return st;
	w->head.len = 0;
	tw_init(&t, &w->head);
	tw_begin(&t, 0);
	tw_i32(&t, 1, type);
	tw_i32(&t, 2, (int32_t)w->page.len);
	tw_i32(&t, 3, (int32_t)w->comp.len);
	if (type == PQ_PAGE_DICT) {
		tw_begin(&t, 7);
		tw_i32(&t, 1, (int32_t)nvalues);
		tw_i32(&t, 2, PQ_ENC_PLAIN);
		tw_end(&t);
	} else {
		tw_begin(&t, 5);
		tw_i32(&t, 1, (int32_t)nvalues);
		tw_i32(&t, 2, encoding);
		tw_i32(&t, 3, PQ_ENC_RLE);
		tw_i32(&t, 4, PQ_ENC_RLE);
		tw_end(&t);
	}
	tw_end(&t);
	if (t.st)
		return kc_error_nomem(err);
	*comp_total += (int64_t)(w->head.len + w->comp.len);
	*uncomp_total += (int64_t)(w->head.len + w->page.len);
	if ((st = put(w, w->head.data, w->head.len, err)) ||
	    (st = put(w, w->comp.data, w->comp.len, err)))
		return st;
	return KC_OK;
}

/* A dictionary for a string column: the distinct values in the order
 * first seen (*dict, PLAIN), each value's index into it (idx), or 0 when
 * a dictionary would not pay. */
struct dict {
	uint32_t *idx;
	size_t ndistinct;
	int width;
};

static uint64_t hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
	return h;
}

static int build_dict(kc_parquet_writer *w, struct wcol *c, struct dict *d,
                      kc_buf *plain)
{
	size_t cap = 64, mask, at = 0;
	uint32_t *slot;            /* 1 + index of the value's first offset */
	size_t *first;             /* offset of each distinct value in vals */

	memset(d, 0, sizeof d[0]);
	if (w->o.no_dictionary || c->node->kind != PK_STRING || !c->nvals)
		return 0;
	while (cap < c->nvals * 2 && cap < (size_t)1 << 22)
		cap *= 2;
	mask = cap - 1;
	slot = calloc(cap, sizeof *slot);
	first = malloc(sizeof *first * (cap / 2 + 1));
	d->idx = malloc(sizeof *d->idx * c->nvals);
	if (!slot || !first || !d->idx)
		goto no;
	plain->len = 0;
	for (size_t v = 0; v < c->nvals; v++) {
		uint32_t len;
		memcpy(&len, c->vals.data + at, 4);
		const char *s = c->vals.data + at + 4;
		size_t h = hash(s, len) & mask;
		for (;; h = (h + 1) & mask) {
			if (!slot[h]) {
				if (d->ndistinct >= cap / 2 ||
				    plain->len + 4 + len > DICT_MAX_BYTES ||
				    kc_buf_append(plain, c->vals.data + at, 4 + len))
					goto no;
				first[d->ndistinct] = at;
				slot[h] = (uint32_t)++d->ndistinct;
				break;
			}
			size_t o = first[slot[h] - 1];
			uint32_t olen;
			memcpy(&olen, c->vals.data + o, 4);
			if (olen == len && !memcmp(c->vals.data + o + 4, s, len))
				break;
		}
		d->idx[v] = slot[h] - 1;
		at += 4 + len;
	}
	free(slot);
	free(first);
	d->width = pq_bit_width((unsigned)(d->ndistinct - 1));
	if (d->width == 0)
		d->width = 1;
	/* pays: the dictionary and the indices under 3/4 of the values */
	if (plain->len + c->nvals * (size_t)d->width / 8 < c->vals.len / 4 * 3)
		return 1;
	free(d->idx);
	d->idx = NULL;
	return 0;
no:
	free(slot);
	free(first);
	free(d->idx);
	d->idx = NULL;
	return 0;
}

static size_t value_size(const struct wcol *c, size_t at)
{
	uint32_t len;

	switch (c->node->kind) {
	case PK_BOOL: return 1;
	case PK_INT: case PK_DOUBLE: return 8;
	default:
		memcpy(&len, c->vals.data + at, 4);
		return 4 + (size_t)len;
	}
}

/* The values v0..v1 (bytes b0..b1 of vals) of one page. */
static kc_status put_values(kc_parquet_writer *w, const struct wcol *c,
                            const struct dict *d, size_t v0, size_t v1,
                            size_t b0, size_t b1)
{
	kc_status st;

	if (d->idx) {
		uint8_t width = (uint8_t)d->width;
		if ((st = kc_buf_append(&w->page, &width, 1)))
			return st;
		return pq_rle_encode(&w->page, d->idx + v0, v1 - v0, d->width);
	}
	if (c->node->kind != PK_BOOL)
		return kc_buf_append(&w->page, c->vals.data + b0, b1 - b0);
	for (size_t v = v0; v < v1; v += 8) {
		uint8_t b = 0;
		for (size_t k = 0; k < 8 && v + k < v1; k++)
			b |= (uint8_t)((c->vals.data[v + k] & 1) << k);
		if ((st = kc_buf_append(&w->page, &b, 1)))
			return st;
	}
	return KC_OK;
}

static kc_status put_data_pages(kc_parquet_writer *w, struct wcol *c,
                                const struct dict *d, int64_t *comp,
                                int64_t *uncomp, struct kc_error *err)
{
	int maxdef = c->node->def, maxrep = c->node->rep;
	size_t e0 = 0, v0 = 0, b0 = 0, v = 0, b = 0;
	kc_status st;

	for (size_t e = 0; e <= c->n; e++) {
		int cut = e == c->n || (c->rep[e] == 0 && e > e0 &&
		                        (b - b0 >= PAGE_BYTES ||
		                         e - e0 >= ((size_t)1 << 20)));
		if (cut && e > e0) {
			w->page.len = 0;
			if ((maxrep && (st = put_levels(w, c->rep + e0, e - e0,
			                                maxrep))) ||
			    (st = put_levels(w, c->def + e0, e - e0, maxdef)) ||
			    (st = put_values(w, c, d, v0, v, b0, b)))
				return kc_error_set(err, st, "out of memory");
			if ((st = put_page(w, PQ_PAGE_DATA, e - e0,
			                   d->idx ? PQ_ENC_RLE_DICT : PQ_ENC_PLAIN,
			                   c, comp, uncomp, err)))
				return st;
			e0 = e;
			v0 = v;
			b0 = b;
		}
		if (e < c->n && c->def[e] == maxdef) {
			b += value_size(c, b);
			v++;
		}
	}
	return KC_OK;
}

static int ptype_of(enum pq_kind k)
{
	switch (k) {
	case PK_BOOL: return PQ_BOOLEAN;
	case PK_INT: return PQ_INT64;
	case PK_DOUBLE: return PQ_DOUBLE;
	default: return PQ_BYTE_ARRAY;
	}
}

static void column_meta(struct tw *t, const struct wcol *c, int dict,
                        int codec, int64_t dict_off, int64_t data_off,
                        int64_t comp, int64_t uncomp)
{
	tw_begin(t, 0);                       /* ColumnChunk */
	tw_i64(t, 2, dict ? dict_off : data_off);
	tw_begin(t, 3);                       /* ColumnMetaData */
	tw_i32(t, 1, ptype_of(c->node->kind));
	tw_list(t, 2, TC_I32, dict ? 3 : 2);
	tw_elem_i32(t, PQ_ENC_PLAIN);
	tw_elem_i32(t, PQ_ENC_RLE);
	if (dict)
		tw_elem_i32(t, PQ_ENC_RLE_DICT);
	tw_list(t, 3, TC_BINARY, c->npath);
	for (size_t k = 0; k < c->npath; k++)
		tw_elem_binary(t, c->path[k], strlen(c->path[k]));
	tw_i32(t, 4, codec);
	tw_i64(t, 5, (int64_t)c->n);
	tw_i64(t, 6, uncomp);
	tw_i64(t, 7, comp);
	tw_i64(t, 9, data_off);
	if (dict)
		tw_i64(t, 11, dict_off);
	tw_end(t);
	tw_end(t);
}

static kc_status flush_group(kc_parquet_writer *w, struct kc_error *err)
{
	struct tw t;
	kc_buf plain;
	int64_t group_start = (int64_t)w->offset, total_comp = 0, total_un = 0;
	kc_status st = KC_OK;

	if (!w->rows)
		return KC_OK;
	kc_buf_init(&plain, 0);
	tw_init(&t, &w->groups);
	tw_begin(&t, 0);                      /* RowGroup */
	tw_list(&t, 1, TC_STRUCT, w->ncols);
	for (size_t i = 0; i < w->ncols && !st; i++) {
		struct wcol *c = &w->cols[i];
		struct dict d;
		int64_t comp = 0, uncomp = 0, dict_off = (int64_t)w->offset;
		int use = build_dict(w, c, &d, &plain);
		if (use) {
			w->page.len = 0;
			if (kc_buf_append(&w->page, plain.data, plain.len))
				st = kc_error_nomem(err);
			else
				st = put_page(w, PQ_PAGE_DICT, d.ndistinct, PQ_ENC_PLAIN, c,
				              &comp, &uncomp, err);
		}
		int64_t data_off = (int64_t)w->offset;
		if (!st)
			st = put_data_pages(w, c, &d, &comp, &uncomp, err);
		free(d.idx);
		column_meta(&t, c, use, (int)w->o.codec, dict_off, data_off, comp,
		            uncomp);
		total_comp += comp;
		total_un += uncomp;
		c->n = c->nvals = c->vals.len = 0;
	}
	kc_buf_release(&plain);
	tw_i64(&t, 2, total_un);
	tw_i64(&t, 3, (int64_t)w->rows);
	tw_i64(&t, 5, group_start);
	tw_i64(&t, 6, total_comp);
	tw_end(&t);
	if (!st && t.st)
		st = kc_error_nomem(err);
	w->ngroups++;
	w->total_rows += (long long)w->rows;
	w->rows = w->group_bytes = 0;
	return st;
}

/* ---- records in ---- */

static size_t est_size(const json_t *v)
{
	size_t n = 2, i;
	const char *k;
	json_t *e;

	switch (json_typeof(v)) {
	case JSON_STRING: return 6 + json_string_length(v);
	case JSON_ARRAY:
		json_array_foreach(v, i, e)
			n += est_size(e);
		return n;
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, k, e)
			n += est_size(e);
		return n;
	default: return 10;
	}
}

static kc_status start_writing(kc_parquet_writer *w, struct kc_error *err)
{
	size_t i;
	json_t *rec;
	kc_status st;

	if ((st = fix_schema(w, err)))
		return st;
	json_array_foreach(w->pending, i, rec)
		if ((st = shred_record(w, rec, err)))
			return st;
	json_array_clear(w->pending);
	return KC_OK;
}

kc_status kc_parquet_writer_add(kc_parquet_writer *w, const json_t *rec,
                                struct kc_error *err)
{
	kc_status st;

	if (!w->cols) {
		if ((st = pq_schema_merge(&w->root, rec, err)))
			return st;
		if (json_array_append(w->pending, (json_t *)rec))
			return kc_error_nomem(err);
		w->pending_bytes += est_size(rec);
		if (w->pending_bytes < w->o.row_group_size)
			return KC_OK;
		if ((st = start_writing(w, err)))
			return st == KC_EFIELD ? KC_EINVAL : st;
	} else {
		if ((st = pq_schema_check(w->root, rec, err)) ||
		    (st = shred_record(w, rec, err)))
			return st;
	}
	if (w->group_bytes >= w->o.row_group_size)
		return flush_group(w, err);
	return KC_OK;
}

static kc_status put_schema(struct tw *t, const struct pq_node *n, int top)
{
	tw_begin(t, 0);
	if (n->leaf >= 0)
		tw_i32(t, 1, ptype_of(n->kind));
	if (!top)
		tw_i32(t, 3, PQ_OPTIONAL);
	tw_binary(t, 4, n->name, strlen(n->name));
	if (n->leaf < 0)
		tw_i32(t, 5, (int32_t)(n->kind == PK_LIST ? 1 : n->nkids));
	if (n->kind == PK_STRING || n->kind == PK_LIST) {
		tw_i32(t, 6, n->kind == PK_LIST ? PQ_CT_LIST : PQ_CT_UTF8);
		tw_begin(t, 10);              /* LogicalType */
		tw_begin(t, n->kind == PK_LIST ? 3 : 1);
		tw_end(t);
		tw_end(t);
	}
	tw_end(t);
	if (n->kind == PK_LIST) {
		tw_begin(t, 0);               /* the repeated group */
		tw_i32(t, 3, PQ_REPEATED);
		tw_binary(t, 4, "list", 4);
		tw_i32(t, 5, 1);
		tw_end(t);
	}
	for (size_t i = 0; i < n->nkids; i++)
		put_schema(t, n->kids[i], 0);
	return t->st;
}

static size_t count_elements(const struct pq_node *n)
{
	size_t c = n->kind == PK_LIST ? 2 : 1;

	for (size_t i = 0; i < n->nkids; i++)
		c += count_elements(n->kids[i]);
	return c;
}

static kc_status put_footer(kc_parquet_writer *w, struct kc_error *err)
{
	kc_buf foot;
	struct tw t;
	static const char by[] = "kc-parquet version " KC_VERSION;
	kc_status st;
	uint32_t len;

	kc_buf_init(&foot, 0);
	tw_init(&t, &foot);
	tw_begin(&t, 0);                      /* FileMetaData */
	tw_i32(&t, 1, 1);
	tw_list(&t, 2, TC_STRUCT, count_elements(w->root));
	put_schema(&t, w->root, 1);
	tw_i64(&t, 3, w->total_rows);
	tw_list(&t, 4, TC_STRUCT, w->ngroups);
	tw_raw(&t, w->groups.data, w->groups.len);
	tw_binary(&t, 6, by, strlen(by));
	tw_end(&t);
	if (t.st || foot.len > UINT32_MAX) {
		kc_buf_release(&foot);
		return kc_error_nomem(err);
	}
	len = (uint32_t)foot.len;
	st = put(w, foot.data, foot.len, err);
	kc_buf_release(&foot);
	if (!st)
		st = put(w, &len, 4, err);
	if (!st)
		st = put(w, "PAR1", 4, err);
	return st;
}

kc_status kc_parquet_writer_close(kc_parquet_writer *w, struct kc_error *err)
{
	kc_status st = KC_OK;

	if (!w->cols && !json_array_size(w->pending))
		st = kc_error_set(err, KC_EINVAL, "no records: nothing to infer "
		                  "the schema from");
	if (!st && !w->cols && (st = start_writing(w, err)) == KC_EFIELD)
		st = KC_EINVAL;
	if (!st)
		st = flush_group(w, err);
	if (!st)
		st = put_footer(w, err);
	if (!st) {
		FILE *f = w->f;
		w->f = NULL;
		if (fclose(f) != 0 || rename(w->tmp, w->path) != 0) {
			st = kc_error_io(err, w->path);
		} else {
			free(w->tmp);
			w->tmp = NULL;
		}
	}
	kc_parquet_writer_free(w);
	return st;
}
