/*
 * schema.c - the writer's schema, inferred from JSON records.
 *
 * Each record's types are merged into a tree (pq_schema_merge) until the
 * first row group is full; then the tree is fixed (pq_schema_freeze) and
 * every later record must fit it (pq_schema_check).  Merging: null fits
 * any type; an integer widens to a float column; an array merges its
 * elements into one element type; an object adds its new keys.  Anything
 * else is a conflict, reported with the field's path ("prompt[].role").
 */
#include <stdlib.h>
#include <string.h>

#include "core/private.h"
#include "parquet/private.h"

struct pq_node *pq_node_new(const char *name, size_t len, enum pq_kind k)
{
	struct pq_node *n = calloc(1, sizeof *n);

	if (!n || !(n->name = malloc(len + 1))) {
		free(n);
		return NULL;
	}
	memcpy(n->name, name, len);
	n->name[len] = '\0';
	n->kind = k;
	n->optional = 1;
	n->leaf = -1;
	return n;
}

void pq_node_free(struct pq_node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		pq_node_free(n->kids[i]);
	free(n->kids);
	free(n->name);
	free(n);
}

kc_status pq_node_add(struct pq_node *parent, struct pq_node *kid)
{
	if (parent->nkids == parent->capkids) {
		size_t cap = parent->capkids ? parent->capkids * 2 : 4;
		struct pq_node **k = realloc(parent->kids, cap * sizeof *k);
		if (!k)
			return KC_ENOMEM;
		parent->kids = k;
		parent->capkids = cap;
	}
	parent->kids[parent->nkids++] = kid;
	return KC_OK;
}

const char *pq_kind_name(enum pq_kind k)
{
	static const char *const names[] = { "null", "boolean", "integer",
		"float", "string", "list", "struct" };
	return names[k];
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a float";
	case JSON_TRUE: case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static enum pq_kind kind_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return PK_STRUCT;
	case JSON_ARRAY: return PK_LIST;
	case JSON_STRING: return PK_STRING;
	case JSON_INTEGER: return PK_INT;
	case JSON_REAL: return PK_DOUBLE;
	case JSON_TRUE: case JSON_FALSE: return PK_BOOL;
	default: return PK_UNKNOWN;
	}
}

/* A field's path for messages, grown and cut back as the walk goes. */
struct path {
	char s[256];
	size_t len;
};

static size_t path_push(struct path *p, const char *name, int list)
{
	size_t was = p->len;
	int n = list ? snprintf(p->s + p->len, sizeof p->s - p->len, "[]")
	             : snprintf(p->s + p->len, sizeof p->s - p->len, "%s%s",
	                        p->len ? "." : "", name);
	if (n > 0)
		p->len += (size_t)n < sizeof p->s - p->len ? (size_t)n
		                                           : sizeof p->s - 1 - p->len;
	return was;
}

static kc_status conflict(struct kc_error *err, const struct path *p,
                          const json_t *v, const struct pq_node *n)
{
	return kc_error_set(err, KC_EFIELD, "field \"%s\": %s where the schema "
	                    "has %s%s", p->s, json_kind(v),
	                    n->kind == PK_INT || n->kind == PK_LIST ? "an " : "a ",
	                    n->kind == PK_LIST ? "array" :
	                    n->kind == PK_STRUCT ? "object" :
	                    pq_kind_name(n->kind));
}

static struct pq_node *child(const struct pq_node *n, const char *name)
{
	for (size_t i = 0; i < n->nkids; i++)
		if (!strcmp(n->kids[i]->name, name))
			return n->kids[i];
	return NULL;
}

static struct pq_node *clone(const struct pq_node *n)
{
	struct pq_node *c = pq_node_new(n->name, strlen(n->name), n->kind);

	for (size_t i = 0; c && i < n->nkids; i++) {
		struct pq_node *k = clone(n->kids[i]);
		if (!k || pq_node_add(c, k)) {
			pq_node_free(k);
			pq_node_free(c);
			return NULL;
		}
	}
	return c;
}

static kc_status merge(struct pq_node *n, const json_t *v, struct path *p,
                       int depth, struct kc_error *err);

static kc_status merge_kids(struct pq_node *n, const json_t *v,
                            struct path *p, int depth, struct kc_error *err)
{
	kc_status st = KC_OK;

	if (n->kind == PK_LIST) {
		size_t i;
		json_t *e;
		if (!n->nkids) {
			struct pq_node *k = pq_node_new("element", 7, PK_UNKNOWN);
			if (!k || pq_node_add(n, k)) {
				pq_node_free(k);
				return kc_error_nomem(err);
			}
		}
		size_t was = path_push(p, NULL, 1);
		json_array_foreach(v, i, e)
			if ((st = merge(n->kids[0], e, p, depth + 1, err)))
				break;
		p->len = was;
		p->s[was] = '\0';
		return st;
	}
	const char *key;
	json_t *e;
	json_object_foreach((json_t *)v, key, e) {
		struct pq_node *k = child(n, key);
		if (!k) {
			if (!(k = pq_node_new(key, strlen(key), PK_UNKNOWN)) ||
			    pq_node_add(n, k)) {
				pq_node_free(k);
				return kc_error_nomem(err);
			}
		}
		size_t was = path_push(p, key, 0);
		st = merge(k, e, p, depth + 1, err);
		p->len = was;
		p->s[was] = '\0';
		if (st)
			return st;
	}
	return KC_OK;
}

static kc_status merge(struct pq_node *n, const json_t *v, struct path *p,
                       int depth, struct kc_error *err)
{
	enum pq_kind k = kind_of(v);

	if (depth >= PQ_MAX_DEPTH / 2)
		return kc_error_set(err, KC_EFIELD, "field \"%s\": nested deeper "
		                    "than %d levels", p->s, PQ_MAX_DEPTH / 2);
	if (k == PK_UNKNOWN)
		return KC_OK;
	if (n->kind == PK_UNKNOWN)
		n->kind = k;
	else if (n->kind == PK_INT && k == PK_DOUBLE)
		n->kind = PK_DOUBLE;
	else if (n->kind == PK_DOUBLE && k == PK_INT)
		;
	else if (n->kind != k)
		return conflict(err, p, v, n);
	if (k == PK_LIST || k == PK_STRUCT)
		return merge_kids(n, v, p, depth, err);
	return KC_OK;
}

kc_status pq_schema_merge(struct pq_node **root, const json_t *rec,
                          struct kc_error *err)
{
	struct path p = { "", 0 };
	struct pq_node *n;
	kc_status st;

	if (!json_is_object(rec))
		return kc_error_set(err, KC_EFIELD, "a record is %s, not an object",
		                    json_kind(rec));
	if (!*root) {
		if (!(*root = pq_node_new("schema", 6, PK_STRUCT)))
			return kc_error_nomem(err);
		(*root)->optional = 0;
	}
	/* into a copy, so that a record that does not fit changes nothing */
	if (!(n = clone(*root)))
		return kc_error_nomem(err);
	n->optional = 0;
	if ((st = merge_kids(n, rec, &p, 0, err))) {
		pq_node_free(n);
		return st;
	}
	pq_node_free(*root);
	*root = n;
	return KC_OK;
}

static kc_status freeze(struct pq_node *n, int def, int rep, size_t *leaves,
                        struct path *p, struct kc_error *err)
{
	kc_status st = KC_OK;

	n->def = def;
	n->rep = rep;
	n->first = (int)*leaves;
	if (n->kind == PK_UNKNOWN)
		n->kind = PK_STRING;   /* only nulls seen: a string column of nulls */
	if (n->kind == PK_LIST) {
		if (!n->nkids) {
			struct pq_node *k = pq_node_new("element", 7, PK_STRING);
			if (!k || pq_node_add(n, k)) {
				pq_node_free(k);
				return kc_error_nomem(err);
			}
		}
		size_t was = path_push(p, NULL, 1);
		n->rep = rep + 1;
		st = freeze(n->kids[0], def + 2, rep + 1, leaves, p, err);
		p->len = was;
		p->s[was] = '\0';
		return st;
	}
	if (n->kind == PK_STRUCT) {
		if (!n->nkids)
			return kc_error_set(err, KC_EFIELD, "field \"%s\": only empty "
			                    "objects in the first row group (Parquet has "
			                    "no empty structs)", p->s);
		for (size_t i = 0; i < n->nkids && !st; i++) {
			size_t was = path_push(p, n->kids[i]->name, 0);
			st = freeze(n->kids[i], def + 1, rep, leaves, p, err);
			p->len = was;
			p->s[was] = '\0';
		}
		return st;
	}
	n->leaf = (int)(*leaves)++;
	return KC_OK;
}

kc_status pq_schema_freeze(struct pq_node *root, size_t *nleaves,
                           struct kc_error *err)
{
	struct path p = { "", 0 };
	kc_status st = KC_OK;

	*nleaves = 0;
	if (!root->nkids)
		return kc_error_set(err, KC_EFIELD, "the records have no fields");
	root->def = root->rep = 0;
	root->first = 0;
	for (size_t i = 0; i < root->nkids && !st; i++) {
		size_t was = path_push(&p, root->kids[i]->name, 0);
		st = freeze(root->kids[i], 1, 0, nleaves, &p, err);
		p.len = was;
		p.s[was] = '\0';
	}
	return st;
}

static kc_status check(const struct pq_node *n, const json_t *v,
                       struct path *p, struct kc_error *err);

static kc_status check_kids(const struct pq_node *n, const json_t *v,
                            struct path *p, struct kc_error *err)
{
	kc_status st = KC_OK;
	const char *key;
	json_t *e;
	size_t i;

	if (n->kind == PK_LIST) {
		size_t was = path_push(p, NULL, 1);
		json_array_foreach(v, i, e)
			if ((st = check(n->kids[0], e, p, err)))
				break;
		p->len = was;
		p->s[was] = '\0';
		return st;
	}
	json_object_foreach((json_t *)v, key, e) {
		const struct pq_node *k = child(n, key);
		size_t was = path_push(p, key, 0);
		if (!k)
			st = kc_error_set(err, KC_EFIELD, "field \"%s\" is not in the "
			                  "schema (inferred from the first row group; "
			                  "a larger --row-group-size sees more)", p->s);
		else
			st = check(k, e, p, err);
		p->len = was;
		p->s[was] = '\0';
		if (st)
			return st;
	}
	return KC_OK;
}

static kc_status check(const struct pq_node *n, const json_t *v,
                       struct path *p, struct kc_error *err)
{
	enum pq_kind k = kind_of(v);

	if (k == PK_UNKNOWN || k == n->kind || (k == PK_INT && n->kind == PK_DOUBLE))
		return k == PK_LIST || k == PK_STRUCT ? check_kids(n, v, p, err)
		                                      : KC_OK;
	return conflict(err, p, v, n);
}

kc_status pq_schema_check(const struct pq_node *root, const json_t *rec,
                          struct kc_error *err)
{
	struct path p = { "", 0 };

	if (!json_is_object(rec))
		return kc_error_set(err, KC_EFIELD, "a record is %s, not an object",
		                    json_kind(rec));
	return check_kids(root, rec, &p, err);
}

void pq_schema_leaves(struct pq_node *n, struct pq_node **out)
{
	if (n->leaf >= 0) {
		out[n->leaf] = n;
		return;
	}
	for (size_t i = 0; i < n->nkids; i++)
		pq_schema_leaves(n->kids[i], out);
}
