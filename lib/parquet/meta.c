/*
 * meta.c - a Parquet footer (FileMetaData) read into what the reader
 * needs: the schema as a tree of pq_nodes with each node's definition and
 * repetition levels, and each row group's column chunks.
 *
 * Lists come in the forms the format allows: the standard three levels
 * (a LIST group, a repeated group, the element), the older two (a LIST
 * group over a repeated field, or one named "array" or NAME_tuple), and a
 * bare repeated field, which is a list of its values.  Maps and the
 * logical types that have no JSON form (dates, times, decimals ...) are
 * refused with the column's name.
 */
#include <stdlib.h>
#include <string.h>

#include "core/private.h"
#include "parquet/private.h"

size_t pq_max_alloc = (size_t)1 << 30;
size_t pq_max_entries = (size_t)1 << 28;

struct selem {
	const char *name;
	size_t nlen;
	int type, rep, nkids, ctype, logical, bits, is_signed;
	int has_type;
};

static void read_logical(struct tr *t, struct selem *e)
{
	int id, type, fid, ftype;

	tr_begin(t);
	while (tr_field(t, &id, &type)) {
		e->logical = id;
		if (id == 10 && type == TC_STRUCT) {      /* INTEGER */
			tr_begin(t);
			while (tr_field(t, &fid, &ftype))
				if (fid == 1)
					e->bits = (int)tr_int(t, ftype);
				else if (fid == 2)
					e->is_signed = tr_bool(t, ftype);
				else
					tr_skip(t, ftype);
		} else {
			tr_skip(t, type);
		}
	}
}

static void read_selem(struct tr *t, struct selem *e)
{
	int id, type;

	memset(e, 0, sizeof *e);
	e->ctype = -1;
	e->name = "";
	tr_begin(t);
	while (tr_field(t, &id, &type)) {
		switch (id) {
		case 1: e->type = (int)tr_int(t, type); e->has_type = 1; break;
		case 3: e->rep = (int)tr_int(t, type); break;
		case 4: e->name = tr_binary(t, type, &e->nlen); break;
		case 5: e->nkids = (int)tr_int(t, type); break;
		case 6: e->ctype = (int)tr_int(t, type); break;
		case 10:
			if (type == TC_STRUCT)
				read_logical(t, e);
			else
				tr_skip(t, type);
			break;
		default: tr_skip(t, type);
		}
	}
}

static void read_chunk(struct tr *t, struct pq_chunk *c, int *external)
{
	int id, type, mid, mtype;
	int64_t data = -1, dict = -1;

	tr_begin(t);
	while (tr_field(t, &id, &type)) {
		if (id == 1) {
			size_t len;
			(void)tr_binary(t, type, &len);
			*external = 1;
		} else if (id == 3 && type == TC_STRUCT) {
			tr_begin(t);
			while (tr_field(t, &mid, &mtype)) {
				switch (mid) {
				case 4: c->codec = (int)tr_int(t, mtype); break;
				case 5: c->num_values = tr_int(t, mtype); break;
				case 7: c->size = tr_int(t, mtype); break;
				case 9: data = tr_int(t, mtype); break;
				case 11: dict = tr_int(t, mtype); break;
				default: tr_skip(t, mtype);
				}
			}
		} else {
			tr_skip(t, type);
		}
	}
	/* a dictionary page, when there is one, comes first; some writers
	 * put 0 for none */
	c->start = dict > 0 && dict < data ? dict : data;
}

struct build {
	struct selem *e;
	size_t n, at, leaves;
	struct kc_error *err;
};

static kc_status unsupported(struct build *b, const struct selem *e,
                             const char *what)
{
	return kc_error_set(b->err, KC_EUNSUPPORTED, "column \"%.*s\": %s (kc "
	                    "reads strings, integers, floats, booleans, lists "
	                    "and structs)", (int)(e->nlen > 100 ? 100 : e->nlen),
	                    e->name, what);
}

static kc_status leaf_type(struct build *b, const struct selem *e,
                           struct pq_node *n)
{
	int lt = e->logical, ct = e->ctype;

	n->ptype = e->type;
	n->ctype = ct;
	if (lt == 5 || lt == 6 || lt == 7 || lt == 8 || lt == 13 || lt == 14 ||
	    lt == 15 || lt > 15 || (ct >= 5 && ct <= 10) || ct == 20 ||
	    ct == 21)
		return unsupported(b, e, "a logical type with no JSON form "
		                   "(decimal, date, time, timestamp, uuid ...)");
	switch (e->type) {
	case PQ_BOOLEAN: n->kind = PK_BOOL; return KC_OK;
	case PQ_INT32: case PQ_INT64:
		n->kind = PK_INT;
		n->unsigned_int = (ct >= PQ_CT_UINT_8 && ct <= PQ_CT_UINT_64) ||
		                  (lt == 10 && !e->is_signed);
		return KC_OK;
	case PQ_FLOAT: case PQ_DOUBLE: n->kind = PK_DOUBLE; return KC_OK;
	case PQ_BYTE_ARRAY: n->kind = PK_STRING; return KC_OK;
	case PQ_INT96: return unsupported(b, e, "INT96 (a timestamp)");
	case PQ_FIXED: return unsupported(b, e, "FIXED_LEN_BYTE_ARRAY");
	}
	return kc_error_set(b->err, KC_EFORMAT, "column \"%.*s\": physical type "
	                    "%d", (int)(e->nlen > 100 ? 100 : e->nlen), e->name,
	                    e->type);
}

static kc_status convert(struct build *b, size_t i, int pdef, int prep,
                         int inner, int depth, struct pq_node **out);

/* The elements of the subtree at i, in order: the index after it. */
static size_t skip_subtree(struct build *b, size_t i)
{
	size_t k = (size_t)(b->e[i].nkids > 0 ? b->e[i].nkids : 0);

	i++;
	while (k-- && i < b->n)
		i = skip_subtree(b, i);
	return i;
}

static kc_status convert_list(struct build *b, size_t i, struct pq_node *n,
                              int prep, int depth)
{
	const struct selem *e = &b->e[i];
	size_t r = i + 1;
	const struct selem *re;

	if (e->nkids != 1 || r >= b->n || b->e[r].rep != PQ_REPEATED)
		return kc_error_set(b->err, KC_EFORMAT, "column \"%.*s\": a LIST "
		                    "without one repeated field",
		                    (int)(e->nlen > 100 ? 100 : e->nlen), e->name);
	re = &b->e[r];
	n->kind = PK_LIST;
	n->rep = prep + 1;
	int three = !re->has_type && re->nkids == 1 &&
	            !(re->nlen == 5 && !memcmp(re->name, "array", 5)) &&
	            !(re->nlen == e->nlen + 6 &&
	              !memcmp(re->name, e->name, e->nlen) &&
	              !memcmp(re->name + e->nlen, "_tuple", 6));
	struct pq_node *el;
	kc_status st = three
		? convert(b, r + 1, n->def + 1, prep + 1, 0, depth + 1, &el)
		: convert(b, r, n->def + 1, prep + 1, 1, depth + 1, &el);
	if (st)
		return st;
	if (pq_node_add(n, el)) {
		pq_node_free(el);
		return kc_error_nomem(b->err);
	}
	return KC_OK;
}

/*
 * The node for element i, under a parent whose value is there at pdef
 * and repeats at prep.  inner: the element is the repeated field of a
 * list, taken as one required value.
 */
static kc_status convert(struct build *b, size_t i, int pdef, int prep,
                         int inner, int depth, struct pq_node **out)
{
	const struct selem *e;
	struct pq_node *n;
	kc_status st = KC_OK;

	*out = NULL;
	if (i >= b->n || depth >= PQ_MAX_DEPTH / 2 || pdef >= PQ_MAX_DEPTH - 4)
		return kc_error_set(b->err, KC_EFORMAT, "the schema is cut short "
		                    "or nested too deep");
	e = &b->e[i];
	/* names become JSON keys: UTF-8 without NUL */
	json_t *key = memchr(e->name, 0, e->nlen) ? NULL
	                                          : json_stringn(e->name, e->nlen);
	if (!key)
		return kc_error_set(b->err, KC_EFORMAT, "a column name that is "
		                    "not UTF-8 text");
	json_decref(key);
	if (!(n = pq_node_new(e->name, e->nlen, PK_STRUCT)))
		return kc_error_nomem(b->err);
	n->first = (int)b->leaves;
	n->rep = prep;
	if (e->rep == PQ_REPEATED && !inner) {
		/* a bare repeated field: a list of its values */
		struct pq_node *el;
		n->kind = PK_LIST;
		n->optional = 0;
		n->def = pdef;
		n->rep = prep + 1;
		if ((st = convert(b, i, pdef + 1, prep + 1, 1, depth + 1, &el)) ||
		    (st = pq_node_add(n, el) ? kc_error_nomem(b->err) : KC_OK)) {
			pq_node_free(el);
			pq_node_free(n);
			return st;
		}
		*out = n;
		return KC_OK;
	}
	n->optional = !inner && e->rep == PQ_OPTIONAL;
	n->def = pdef + n->optional;
	if (inner)
		n->def = pdef;
	if (e->has_type && e->nkids <= 0) {
		n->leaf = (int)b->leaves++;
		st = leaf_type(b, e, n);
	} else if (e->ctype == PQ_CT_MAP || e->ctype == PQ_CT_MAP_KV ||
	           e->logical == 2) {
		st = unsupported(b, e, "a MAP");
	} else if ((e->ctype == PQ_CT_LIST || e->logical == 3) && !inner) {
		st = convert_list(b, i, n, prep, depth);
	} else if (e->nkids <= 0) {
		st = kc_error_set(b->err, KC_EFORMAT, "column \"%.*s\": a group "
		                  "without fields", (int)(e->nlen > 100 ? 100 :
		                  e->nlen), e->name);
	} else {
		size_t k = i + 1;
		for (int c = 0; c < e->nkids && !st; c++) {
			struct pq_node *kid;
			if (k >= b->n) {
				st = kc_error_set(b->err, KC_EFORMAT, "the schema is cut "
				                  "short");
				break;
			}
			if (!(st = convert(b, k, n->def, prep, 0, depth + 1, &kid)) &&
			    pq_node_add(n, kid)) {
				pq_node_free(kid);
				st = kc_error_nomem(b->err);
			}
			k = skip_subtree(b, k);
		}
	}
	if (st) {
		pq_node_free(n);
		return st;
	}
	*out = n;
	return KC_OK;
}

static kc_status read_schema(struct tr *t, int type, struct pq_file *f,
                             struct kc_error *err)
{
	struct build b = { .err = err };
	int elem;
	kc_status st;

	b.n = tr_list(t, type, &elem);
	if (t->bad || elem != TC_STRUCT || b.n == 0)
		return kc_error_set(err, KC_EFORMAT, "the footer's schema is "
		                    "malformed");
	if (!(b.e = calloc(b.n, sizeof *b.e)))
		return kc_error_nomem(err);
	for (size_t i = 0; i < b.n && !t->bad; i++)
		read_selem(t, &b.e[i]);
	if (t->bad || b.e[0].nkids <= 0) {
		free(b.e);
		return kc_error_set(err, KC_EFORMAT, "the footer's schema is "
		                    "malformed");
	}
	/* the root: a required struct at level 0 */
	if (!(f->root = pq_node_new("schema", 6, PK_STRUCT))) {
		free(b.e);
		return kc_error_nomem(err);
	}
	f->root->optional = 0;
	size_t k = 1;
	st = KC_OK;
	for (int c = 0; c < b.e[0].nkids && !st; c++) {
		struct pq_node *kid;
		if (k >= b.n) {
			st = kc_error_set(err, KC_EFORMAT, "the schema is cut short");
			break;
		}
		if (!(st = convert(&b, k, 0, 0, 0, 1, &kid)) &&
		    pq_node_add(f->root, kid)) {
			pq_node_free(kid);
			st = kc_error_nomem(err);
		}
		k = skip_subtree(&b, k);
	}
	f->nleaves = b.leaves;
	free(b.e);
	if (!st && !f->nleaves)
		st = kc_error_set(err, KC_EFORMAT, "the schema has no columns");
	if (!st && !(f->leaves = calloc(f->nleaves, sizeof *f->leaves)))
		st = kc_error_nomem(err);
	if (!st)
		pq_schema_leaves(f->root, f->leaves);
	return st;
}

static kc_status read_groups(struct tr *t, int type, struct pq_file *f,
                             uint64_t size, struct kc_error *err)
{
	int elem, id, ft, ce;

	f->ngroups = tr_list(t, type, &elem);
	if (t->bad || elem != TC_STRUCT)
		return kc_error_set(err, KC_EFORMAT, "the footer's row groups are "
		                    "malformed");
	if (f->ngroups && !(f->groups = calloc(f->ngroups, sizeof *f->groups)))
		return kc_error_nomem(err);
	for (size_t g = 0; g < f->ngroups && !t->bad; g++) {
		struct pq_group *gr = &f->groups[g];
		size_t nc = 0;
		int external = 0;
		tr_begin(t);
		while (tr_field(t, &id, &ft)) {
			if (id == 1 && ft == TC_LIST && !gr->chunks) {
				nc = tr_list(t, ft, &ce);
				if (t->bad || ce != TC_STRUCT || nc != f->nleaves)
					return kc_error_set(err, KC_EFORMAT, "row group %zu "
					                    "has %zu columns, the schema %zu",
					                    g, nc, f->nleaves);
				if (!(gr->chunks = calloc(nc, sizeof *gr->chunks)))
					return kc_error_nomem(err);
				for (size_t c = 0; c < nc && !t->bad; c++)
					read_chunk(t, &gr->chunks[c], &external);
			} else if (id == 3) {
				gr->rows = tr_int(t, ft);
			} else {
				tr_skip(t, ft);
			}
		}
		if (t->bad)
			break;
		if (external)
			return kc_error_set(err, KC_EUNSUPPORTED, "row group %zu keeps "
			                    "columns in another file", g);
		if (!gr->chunks && gr->rows)
			return kc_error_set(err, KC_EFORMAT, "row group %zu has no "
			                    "columns", g);
		if (gr->rows < 0)
			return kc_error_set(err, KC_EFORMAT, "row group %zu has %lld "
			                    "rows", g, (long long)gr->rows);
		for (size_t c = 0; gr->rows && c < nc; c++) {
			const struct pq_chunk *ch = &gr->chunks[c];
			if (ch->start < 4 || ch->size <= 0 ||
			    (uint64_t)ch->start > size ||
			    (uint64_t)ch->size > size - (uint64_t)ch->start ||
			    ch->num_values < 0)
				return kc_error_set(err, KC_EFORMAT, "row group %zu, "
				                    "column %zu lies outside the file "
				                    "(offset %lld, %lld bytes)", g, c,
				                    (long long)ch->start,
				                    (long long)ch->size);
		}
	}
	if (t->bad)
		return kc_error_set(err, KC_EFORMAT, "the footer's row groups are "
		                    "malformed");
	return KC_OK;
}

kc_status pq_file_parse(struct pq_file *f, const uint8_t *foot, size_t len,
                        uint64_t file_size, struct kc_error *err)
{
	struct tr t;
	int id, type, have_schema = 0;
	kc_status st = KC_OK;

	memset(f, 0, sizeof *f);
	tr_init(&t, foot, len);
	tr_begin(&t);
	while (!st && tr_field(&t, &id, &type)) {
		if (id == 2 && !have_schema) {
			st = read_schema(&t, type, f, err);
			have_schema = 1;
		} else if (id == 3) {
			f->rows = tr_int(&t, type);
		} else if (id == 4 && have_schema && !f->groups) {
			st = read_groups(&t, type, f, file_size, err);
		} else {
			tr_skip(&t, type);
		}
	}
	if (!st && (t.bad || !have_schema))
		st = kc_error_set(err, KC_EFORMAT, "the footer is malformed");
	if (st)
		pq_file_release(f);
	return st;
}

void pq_file_release(struct pq_file *f)
{
	pq_node_free(f->root);
	free(f->leaves);
	for (size_t g = 0; g < f->ngroups && f->groups; g++)
		free(f->groups[g].chunks);
	free(f->groups);
	memset(f, 0, sizeof *f);
}
