/*
 * pool.c - the unique passages and the questions of a dataset.
 *
 * kc-fill draws filler passages from here and kc-chain draws distractor
 * questions.  Passages are deduplicated on title + "\n" + text, the
 * string the reference uses as a passage's identity, and numbered in
 * order of first appearance: the same files give the same pool, which
 * is what makes a record's fillers reproducible.
 *
 * Texts live in an arena of large blocks (never moved, so pointers into
 * it stay valid); the index is an open-addressing hash of 64-bit hashes.
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "pipe/private.h"

#define BLOCK ((size_t)32 << 20)
#define TOKENS_UNKNOWN UINT32_MAX

struct passage {
	const char *title;
	const char *text;
	uint32_t title_len;
	uint32_t text_len;
	uint32_t tokens;
	uint64_t hash;
};

struct question {
	const char *text;
	const char *id;
	uint32_t len;
};

struct block {
	struct block *next;
	size_t used, size;
	char data[];
};

struct kc_pool {
	struct block *blocks;
	struct passage *p;
	size_t np, capp;
	struct question *q;
	size_t nq, capq;
	uint32_t *slots;        /* passage index + 1; 0 = empty */
	size_t nslots;          /* power of two */
	const kc_tokenizer *counted_with;
	unsigned flags;
};

void kc_pool_set_flags(kc_pool *pool, unsigned flags)
{
	pool->flags = flags;
}

kc_status kc_pool_new(kc_pool **out)
{
	kc_pool *pool = calloc(1, sizeof *pool);

	*out = pool;
	return pool ? KC_OK : KC_ENOMEM;
}

void kc_pool_free(kc_pool *pool)
{
	if (!pool)
		return;
	for (struct block *b = pool->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(pool->p);
	free(pool->q);
	free(pool->slots);
	free(pool);
}

/* Copy n bytes (NUL-terminated) into the arena. */
static const char *intern(kc_pool *pool, const char *s, size_t n)
{
	struct block *b = pool->blocks;
	char *dst;

	if (!b || b->size - b->used < n + 1) {
		size_t size = n + 1 > BLOCK ? n + 1 : BLOCK;
		b = malloc(sizeof *b + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = pool->blocks;
		pool->blocks = b;
	}
	dst = b->data + b->used;
	if (s)
		memcpy(dst, s, n);
	dst[n] = '\0';
	b->used += n + 1;
	return dst;
}

/* title + "\n" + text + "\n\n": the passage as a context holds it,
 * separator included, so it can be counted without a copy. */
static const char *intern_joined(kc_pool *pool, const char *a, size_t na,
                                 const char *b, size_t nb)
{
	char *dst = (char *)intern(pool, NULL, na + 1 + nb + 2);

	if (dst) {
		memcpy(dst, a, na);
		dst[na] = '\n';
		memcpy(dst + na + 1, b, nb);
		memcpy(dst + na + 1 + nb, "\n\n", 2);
	}
	return dst;
}

static uint64_t passage_hash(const char *title, size_t title_len,
                             const char *text, size_t text_len)
{
	/* hash(title + "\n" + text) without building the string */
	uint64_t h = kc_hash64(title, title_len, 0x706f6f6c);

	return kc_hash64(text, text_len, h ^ 0x0a);
}

static int same(const struct passage *p, const char *title, size_t title_len,
                const char *text, size_t text_len)
{
	return p->title_len == title_len && p->text_len == text_len &&
	       !memcmp(p->title, title, title_len) && !memcmp(p->text, text, text_len);
}

static long lookup(const kc_pool *pool, uint64_t h, const char *title,
                   size_t title_len, const char *text, size_t text_len,
                   size_t *slot)
{
	size_t mask = pool->nslots - 1, i = (size_t)h & mask;

	for (;; i = (i + 1) & mask) {
		uint32_t v = pool->slots[i];
		if (!v) {
			*slot = i;
			return -1;
		}
		if (pool->p[v - 1].hash == h &&
		    same(&pool->p[v - 1], title, title_len, text, text_len))
			return (long)v - 1;
	}
}

static kc_status grow_index(kc_pool *pool)
{
	size_t n = pool->nslots ? pool->nslots * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof *slots);

	if (!slots)
		return KC_ENOMEM;
	for (size_t k = 0; k < pool->np; k++) {
		size_t i = (size_t)pool->p[k].hash & (n - 1);
		while (slots[i])
			i = (i + 1) & (n - 1);
		slots[i] = (uint32_t)k + 1;
	}
	free(pool->slots);
	pool->slots = slots;
	pool->nslots = n;
	return KC_OK;
}

long kc_pool_find(const kc_pool *pool, const char *title, size_t title_len,
                  const char *text, size_t text_len)
{
	size_t slot;

	if (!pool->nslots)
		return -1;
	return lookup(pool, passage_hash(title, title_len, text, text_len),
	              title, title_len, text, text_len, &slot);
}

static kc_status add_passage(kc_pool *pool, const char *title, size_t title_len,
                             const char *text, size_t text_len)
{
	uint64_t h = passage_hash(title, title_len, text, text_len);
	size_t slot;
	struct passage *p;

	if (title_len > UINT32_MAX / 2 || text_len > UINT32_MAX / 2)
		return KC_ETOOLONG;
	if ((pool->np + 1) * 2 > pool->nslots && grow_index(pool))
		return KC_ENOMEM;
	if (lookup(pool, h, title, title_len, text, text_len, &slot) >= 0)
		return KC_OK;
	if (pool->np == pool->capp) {
		size_t cap = pool->capp ? pool->capp * 2 : 4096;
		void *np = realloc(pool->p, cap * sizeof *pool->p);
		if (!np)
			return KC_ENOMEM;
		pool->p = np;
		pool->capp = cap;
	}
	p = &pool->p[pool->np];
	p->title = intern_joined(pool, title, title_len, text, text_len);
	if (!p->title)
		return KC_ENOMEM;
	p->text = p->title + title_len + 1;
	p->title_len = (uint32_t)title_len;
	p->text_len = (uint32_t)text_len;
	p->tokens = TOKENS_UNKNOWN;
	p->hash = h;
	pool->slots[slot] = (uint32_t)++pool->np;
	return KC_OK;
}

static kc_status add_question(kc_pool *pool, const char *q, size_t len,
                              const char *id, size_t idlen)
{
	struct question *e;

	if (pool->nq == pool->capq) {
		size_t cap = pool->capq ? pool->capq * 2 : 1024;
		void *nq = realloc(pool->q, cap * sizeof *pool->q);
		if (!nq)
			return KC_ENOMEM;
		pool->q = nq;
		pool->capq = cap;
	}
	e = &pool->q[pool->nq];
	e->text = intern(pool, q, len);
	e->id = intern(pool, id, idlen);
	if (!e->text || !e->id)
		return KC_ENOMEM;
	e->len = (uint32_t)len;
	pool->nq++;
	return KC_OK;
}

kc_status kc_pool_add(kc_pool *pool, const json_t *rec, struct kc_error *err)
{
	const char *q, *id;
	size_t qlen, idlen;
	json_t *docs, *d;
	size_t i;
	kc_status st;

	if ((st = kc_get_string(rec, "question", &q, &qlen, err)) ||
	    (st = kc_get_string(rec, "id", &id, &idlen, err)))
		return st;
	if (pool->flags & KC_POOL_QUESTIONS_ONLY)
		goto question;
	if ((st = kc_get_array(rec, "docs", &docs, err)))
		return st;
	json_array_foreach(docs, i, d) {
		const char *title, *text;
		size_t title_len, text_len;

		if (kc_get_string(d, "title", &title, &title_len, NULL) ||
		    kc_get_string(d, "text", &text, &text_len, NULL))
			return kc_error_set(err, KC_EFIELD,
			                    "\"docs\"[%zu] needs string \"title\" "
			                    "and \"text\"", i);
		if ((st = add_passage(pool, title, title_len, text, text_len)))
			return kc_error_set(err, st, "%s", kc_strerror(st));
	}
question:
	if ((st = add_question(pool, q, qlen, id, idlen)))
		return kc_error_set(err, st, "%s", kc_strerror(st));
	return KC_OK;
}

size_t kc_pool_passages(const kc_pool *pool)
{
	return pool->np;
}

size_t kc_pool_questions(const kc_pool *pool)
{
	return pool->nq;
}

void kc_pool_passage(const kc_pool *pool, size_t i, const char **title,
                     size_t *title_len, const char **text, size_t *text_len)
{
	const struct passage *p = &pool->p[i];

	*title = p->title;
	*title_len = p->title_len;
	*text = p->text;
	*text_len = p->text_len;
}

const char *kc_pool_question(const kc_pool *pool, size_t i, size_t *len,
                             const char **id)
{
	if (len)
		*len = pool->q[i].len;
	if (id)
		*id = pool->q[i].id;
	return pool->q[i].text;
}

kc_status kc_pool_passage_tokens(kc_pool *pool, kc_tokenizer *tok, size_t i,
                                 size_t *count, struct kc_error *err)
{
	struct passage *p = &pool->p[i];
	kc_status st;

	if (pool->counted_with != tok) {
		/* Counts cached with another tokenizer are worthless. */
		for (size_t k = 0; k < pool->np; k++)
			pool->p[k].tokens = TOKENS_UNKNOWN;
		pool->counted_with = tok;
	}
	if (p->tokens == TOKENS_UNKNOWN) {
		size_t n;

		st = kc_tokenizer_count(tok, p->title,
		                        (size_t)p->title_len + 1 + p->text_len + 2,
		                        &n, err);
		if (st)
			return st;
		p->tokens = n > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)n;
	}
	*count = p->tokens;
	return KC_OK;
}

kc_status kc_pool_load(kc_pool *pool, const char *path, struct kc_error *err)
{
	kc_importer *im;
	json_t *rec;
	kc_status st;

	if ((st = kc_importer_open(&im, path, NULL, err))) {
		if (err)
			err->source = path;
		return st;
	}
	while ((st = kc_importer_next(im, &rec, err)) == KC_OK) {
		st = kc_pool_add(pool, rec, err);
		json_decref(rec);
		if (st)
			break;
	}
	if (st == KC_EOF)
		st = KC_OK;
	if (st && err)
		err->source = path;   /* the importer's copy dies with it */
	kc_importer_free(im);
	return st;
}
