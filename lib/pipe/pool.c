/*
 * pool.c - the unique passages and the questions of a dataset.
 *
 * kc-fill draws filler passages from here and kc-chain draws distractor
 * questions.  Passages are deduplicated on title + "\n" + text, the
 * string the reference uses as a passage's identity, and numbered in
 * order of first appearance: the same files give the same pool, which
 * is what makes a record's fillers reproducible.
 *
 * Each question keeps the pool indices of its record's own passages,
 * supporting ones first, so that kc-fill can bring a distractor
 * question's evidence into a context.  What cannot serve is set aside
 * and counted, never used: records that do not parse or have no
 * question (skipped, unless the pool is strict), passages with text
 * shaped like a chain pair (never fillers), questions holding '"}' or
 * '{"' (never distractors): either would make a chain that no reader can
 * resolve unambiguously.
 *
 * Texts live in an arena of large blocks (never moved, so pointers into
 * it stay valid); the index is an open-addressing hash of 64-bit hashes.
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "pipe/private.h"

#define BLOCK ((size_t)32 << 20)
#define TOKENS_UNKNOWN UINT32_MAX

struct passage {
	const char *title;
	const char *text;
	uint32_t title_len;
	uint32_t text_len;
	uint32_t tokens;
	uint32_t pairlike;      /* text shaped like a chain pair */
	uint64_t hash;
	uint64_t check;         /* kc_passage_check_hash; 0: not yet */
};

struct question {
	const char *text;
	const char *id;
	uint32_t len;
	uint32_t own;           /* its passages: own[first..first + nown) */
	uint32_t nown, nsup;    /* supporting ones first */
	uint32_t tokens;        /* as kc_pool_question_tokens counts it */
	uint32_t nanswers;      /* answers: NUL-terminated, one after another */
	const char *answers;
	int usable;             /* may end a distractor chain */
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
	uint32_t *qslots;       /* question index + 1 by the id's hash */
	size_t nqslots;         /* power of two */
	uint32_t *own;          /* questions' passage indices */
	size_t nown, capown;
	struct kc_pool_stats stats;
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
	free(pool->own);
	free(pool->qslots);
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

/* Text shaped like a chain pair: '{"', a short run without quotes, then
 * '": "'.  A reader could take it for a link of a chain. */
static int pairlike(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while ((p = memmem(p, (size_t)(end - p), "{\"", 2))) {
		const char *q = p += 2;
		while (q < end && q - p <= 64 && *q != '"')
			q++;
		if (end - q >= 4 && !memcmp(q, "\": \"", 4))
			return 1;
	}
	return 0;
}

/* Add a passage (or find it); its index in *index. */
static kc_status add_passage(kc_pool *pool, const char *title,
                             size_t title_len, const char *text,
                             size_t text_len, uint32_t *index)
{
	uint64_t h = passage_hash(title, title_len, text, text_len);
	size_t slot;
	long found;
	struct passage *p;

	if (title_len > UINT32_MAX / 2 || text_len > UINT32_MAX / 2 ||
	    pool->np >= UINT32_MAX - 1)
		return KC_ETOOLONG;
	if ((pool->np + 1) * 2 > pool->nslots && grow_index(pool))
		return KC_ENOMEM;
	if ((found = lookup(pool, h, title, title_len, text, text_len, &slot)) >= 0) {
		*index = (uint32_t)found;
		return KC_OK;
	}
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
	p->pairlike = pairlike(title, title_len) || pairlike(p->text, text_len);
	pool->stats.pairlike_passages += p->pairlike;
	p->hash = h;
	*index = (uint32_t)pool->np;
	pool->slots[slot] = (uint32_t)++pool->np;
	return KC_OK;
}

/*
 * Is a question of this id in the pool already?  If not, *slot is where
 * its index goes.  The index grows with the questions (half full at most).
 */
static kc_status question_seen(kc_pool *pool, const char *id, size_t idlen,
                               int *seen, size_t *slot)
{
	size_t mask, i;

	if ((pool->nq + 1) * 2 > pool->nqslots) {
		size_t n = pool->nqslots ? pool->nqslots * 2 : 1024;
		uint32_t *qs = calloc(n, sizeof *qs);
		if (!qs)
			return KC_ENOMEM;
		for (size_t k = 0; k < pool->nq; k++) {
			const struct question *e = &pool->q[k];
			i = (size_t)kc_hash64(e->id, strlen(e->id), 0) & (n - 1);
			while (qs[i])
				i = (i + 1) & (n - 1);
			qs[i] = (uint32_t)k + 1;
		}
		free(pool->qslots);
		pool->qslots = qs;
		pool->nqslots = n;
	}
	mask = pool->nqslots - 1;
	for (i = (size_t)kc_hash64(id, idlen, 0) & mask; pool->qslots[i];
	     i = (i + 1) & mask) {
		const char *other = pool->q[pool->qslots[i] - 1].id;
		if (!strncmp(other, id, idlen) && !other[idlen]) {
			*seen = 1;
			return KC_OK;
		}
	}
	*seen = 0;
	*slot = i;
	return KC_OK;
}

/* Add a question, unless one of its id is there (the same question in
 * two files): the first one stays. */
/* The record's answers, one after another, each NUL-terminated, into
 * the arena; the count in *n.  Answers that are not strings are left
 * out: a pool needs none. */
static const char *intern_answers(kc_pool *pool, const json_t *rec,
                                  uint32_t *n)
{
	json_t *a = json_object_get(rec, "answers"), *v;
	size_t i, total = 0;
	char *dst, *p;

	*n = 0;
	json_array_foreach(a, i, v)
		total += json_is_string(v) ? json_string_length(v) + 1 : 0;
	if (!(p = dst = (char *)intern(pool, NULL, total)))
		return NULL;
	json_array_foreach(a, i, v)
		if (json_is_string(v)) {
			memcpy(p, json_string_value(v), json_string_length(v) + 1);
			p += json_string_length(v) + 1;
			(*n)++;
		}
	return dst;
}

static kc_status add_question(kc_pool *pool, const json_t *rec,
                              const char *q, size_t len, const char *id,
                              size_t idlen, size_t first, size_t nsup)
{
	struct question *e;
	size_t slot;
	int seen;
	kc_status st;

	if ((st = question_seen(pool, id, idlen, &seen, &slot)))
		return st;
	if (seen) {
		pool->nown = first;
		return KC_OK;
	}

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
	e->answers = intern_answers(pool, rec, &e->nanswers);
	if (!e->text || !e->id || !e->answers)
		return KC_ENOMEM;
	e->len = (uint32_t)len;
	e->tokens = TOKENS_UNKNOWN;
	e->own = (uint32_t)first;
	e->nown = (uint32_t)(pool->nown - first);
	e->nsup = (uint32_t)nsup;
	e->usable = !memmem(q, len, "\"}", 2) && !memmem(q, len, "{\"", 2);
	pool->stats.pairlike_questions += !e->usable;
	pool->qslots[slot] = (uint32_t)++pool->nq;
	return KC_OK;
}

static kc_status own_push(kc_pool *pool, uint32_t v)
{
	if (pool->nown == pool->capown) {
		size_t cap = pool->capown ? pool->capown * 2 : 4096;
		void *no = realloc(pool->own, cap * sizeof *pool->own);
		if (!no)
			return KC_ENOMEM;
		pool->own = no;
		pool->capown = cap;
	}
	pool->own[pool->nown++] = v;
	return KC_OK;
}

/* Is doc i of the record named by "supporting"?  (All are, without it.) */
static int supporting(const json_t *sup, size_t i)
{
	size_t k;
	json_t *v;

	if (!json_array_size(sup))
		return 1;
	json_array_foreach(sup, k, v)
		if (json_is_integer(v) && json_integer_value(v) == (json_int_t)i)
			return 1;
	return 0;
}

/* The record's docs into the pool, and their indices (supporting ones
 * first) into pool->own. */
static kc_status add_docs(kc_pool *pool, const json_t *rec, size_t *nsup,
                          struct kc_error *err)
{
	json_t *docs, *sup = json_object_get(rec, "supporting"), *d;
	size_t i, first = pool->nown;
	kc_status st;

	*nsup = 0;
	if ((st = kc_get_array(rec, "docs", &docs, err)))
		return st;
	for (int pass = 1; pass >= 0; pass--)
		json_array_foreach(docs, i, d) {
			const char *title, *text;
			size_t title_len, text_len;
			uint32_t index;

			if (supporting(sup, i) != pass)
				continue;
			if (kc_get_string(d, "title", &title, &title_len, NULL) ||
			    kc_get_string(d, "text", &text, &text_len, NULL)) {
				pool->nown = first;
				return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] "
				                    "needs string \"title\" and \"text\"",
				                    i);
			}
			if ((st = add_passage(pool, title, title_len, text, text_len, &index)) ||
			    (st = own_push(pool, index)))
				return kc_error_set(err, st, "%s", kc_strerror(st));
			*nsup += pass;
		}
	return KC_OK;
}

kc_status kc_pool_add(kc_pool *pool, const json_t *rec, struct kc_error *err)
{
	const char *q, *id;
	size_t qlen, idlen, first = pool->nown, nsup = 0;
	kc_status st;

	if ((st = kc_get_string(rec, "question", &q, &qlen, err)) ||
	    (st = kc_get_string(rec, "id", &id, &idlen, err)))
		return st;
	if (!(pool->flags & KC_POOL_QUESTIONS_ONLY) &&
	    (st = add_docs(pool, rec, &nsup, err)))
		return st;
	if ((st = add_question(pool, rec, q, qlen, id, idlen, first, nsup)))
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

/* Counts cached with another tokenizer are worthless. */
static void count_with(kc_pool *pool, const kc_tokenizer *tok)
{
	if (pool->counted_with == tok)
		return;
	for (size_t k = 0; k < pool->np; k++) {
		pool->p[k].tokens = TOKENS_UNKNOWN;
		pool->p[k].check = 0;
	}
	for (size_t k = 0; k < pool->nq; k++)
		pool->q[k].tokens = TOKENS_UNKNOWN;
	pool->counted_with = tok;
}

/* Count s[0..n) into *cache unless it holds a count already. */
static kc_status cached_count(kc_tokenizer *tok, const char *s, size_t n,
                              uint32_t *cache, size_t *count,
                              struct kc_error *err)
{
	if (*cache == TOKENS_UNKNOWN) {
		size_t c;
		kc_status st = kc_tokenizer_count(tok, s, n, &c, err);
		if (st)
			return st;
		*cache = c > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)c;
	}
	*count = *cache;
	return KC_OK;
}

kc_status kc_pool_passage_tokens(kc_pool *pool, kc_tokenizer *tok, size_t i,
                                 size_t *count, struct kc_error *err)
{
	struct passage *p = &pool->p[i];

	count_with(pool, tok);
	return cached_count(tok, p->title,
	                    (size_t)p->title_len + 1 + p->text_len + 2,
	                    &p->tokens, count, err);
}

void kc_pool_passage_check(kc_pool *pool, const kc_tokenizer *tok, size_t i,
                           char out[17])
{
	struct passage *p = &pool->p[i];

	count_with(pool, tok);
	if (!p->check)      /* a filler is drawn again and again in a run */
		p->check = kc_passage_check_hash(tok, p->title, p->title_len,
		                                 p->text, p->text_len);
	snprintf(out, 17, "%016llx", (unsigned long long)p->check);
}

size_t kc_pool_count_items(const kc_pool *pool)
{
	return pool->np + pool->nq;
}

/* Item i's count, and its key and length. */
static uint32_t *count_of(kc_pool *pool, size_t i, uint64_t *key,
                          uint32_t *len)
{
	if (i < pool->np) {
		*len = pool->p[i].title_len + 1 + pool->p[i].text_len + 2;
		*key = pool->p[i].hash;
		return &pool->p[i].tokens;
	}
	i -= pool->np;
	*len = pool->q[i].len;
	*key = kc_hash64(pool->q[i].text, pool->q[i].len, 0x7175657374696f6e);
	return &pool->q[i].tokens;
}

int kc_pool_count_get(kc_pool *pool, const kc_tokenizer *tok, size_t i,
                      uint64_t *key, uint32_t *len, uint32_t *count)
{
	count_with(pool, tok);
	*count = *count_of(pool, i, key, len);
	return *count != TOKENS_UNKNOWN;
}

void kc_pool_count_set(kc_pool *pool, const kc_tokenizer *tok, size_t i,
                       uint32_t count)
{
	uint64_t key;
	uint32_t len;

	count_with(pool, tok);
	if (count != TOKENS_UNKNOWN)
		*count_of(pool, i, &key, &len) = count;
}

kc_status kc_pool_question_tokens(kc_pool *pool, kc_tokenizer *tok, size_t i,
                                  size_t *count, struct kc_error *err)
{
	struct question *q = &pool->q[i];

	count_with(pool, tok);
	return cached_count(tok, q->text, q->len, &q->tokens, count, err);
}

size_t kc_pool_usable_questions(const kc_pool *pool)
{
	size_t n = 0;

	for (size_t i = 0; i < pool->nq; i++)
		n += pool->q[i].usable != 0;
	return n;
}

const uint32_t *kc_pool_question_passages(const kc_pool *pool, size_t i,
                                          size_t *n, size_t *nsup)
{
	const struct question *q = &pool->q[i];

	*n = q->nown;
	if (nsup)
		*nsup = q->nsup;
	return pool->own + q->own;
}

json_t *kc_pool_question_answers(const kc_pool *pool, size_t i)
{
	const struct question *q = &pool->q[i];
	json_t *a = json_array();
	const char *s = q->answers;

	for (uint32_t k = 0; a && k < q->nanswers; k++, s += strlen(s) + 1)
		if (json_array_append_new(a, json_string_nocheck(s))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

int kc_pool_passage_pairlike(const kc_pool *pool, size_t i)
{
	return pool->p[i].pairlike != 0;
}

/* May question i end a distractor chain of the record (id, q)? */
static int eligible(const kc_pool *pool, size_t i, const char *id,
                    const char *q, size_t qlen)
{
	const struct question *e = &pool->q[i];

	return e->usable && strcmp(e->id, id) &&
	       !(e->len == qlen && !memcmp(e->text, q, qlen));
}

/* Insert v into a set of size_t + 1 (cap a power of two, never full);
 * 1 if it was new. */
static int set_add(size_t *set, size_t cap, size_t v)
{
	size_t i = (v * 0x9e3779b97f4a7c15ULL) >> 20 & (cap - 1);

	for (; set[i]; i = (i + 1) & (cap - 1))
		if (set[i] == v + 1)
			return 0;
	set[i] = v + 1;
	return 1;
}

kc_status kc_pool_pick_questions(const kc_pool *pool, kc_rng *rng,
                                 const char *id, const char *q, size_t qlen,
                                 size_t k, size_t need, size_t **out,
                                 size_t *got, struct kc_error *err)
{
	size_t nq = pool->nq, n = 0, tries = 0, cap = 64, *set, *res;

	*out = NULL;
	*got = 0;
	while (cap < 4 * k)
		cap *= 2;
	set = calloc(cap, sizeof *set);
	res = malloc((k > nq ? k : nq) * sizeof *res + 1);
	if (!set || !res)
		goto nomem;
	/* By rejection while k is small next to the pool ... */
	if (k * 4 < nq)
		while (n < k && tries++ < 64 * k) {
			size_t i = (size_t)kc_rng_below(rng, nq);
			if (set_add(set, cap, i) && eligible(pool, i, id, q, qlen))
				res[n++] = i;
		}
	/* ... else, or when that failed, from a shuffle of all the others. */
	if (n < k) {
		size_t m = 0;
		for (size_t i = 0; i < nq; i++)
			if (eligible(pool, i, id, q, qlen))
				res[m++] = i;
		if (m < need) {
			free(set);
			free(res);
			return kc_error_set(err, KC_EPOOL, "%zu distractor questions "
			                    "needed, the question pool has %zu others",
			                    need, m);
		}
		for (n = 0; n < k && n < m; n++) {
			size_t j = n + (size_t)kc_rng_below(rng, m - n), t = res[n];
			res[n] = res[j];
			res[j] = t;
		}
	}
	free(set);
	*out = res;
	*got = n;
	return KC_OK;
nomem:
	free(set);
	free(res);
	return kc_error_nomem(err);
}

const struct kc_pool_stats *kc_pool_stats(const kc_pool *pool)
{
	return &pool->stats;
}

/* Errors that end a pool's load whatever the flags: the file cannot be
 * read, or memory ran out. */
static int fatal(kc_status st)
{
	return st == KC_EIO || st == KC_ENOMEM || st == KC_EUNSUPPORTED ||
	       st == KC_ENOTFOUND;
}

kc_status kc_pool_load(kc_pool *pool, const char *path, struct kc_error *err)
{
	kc_importer *im;
	json_t *rec;
	struct kc_error e;
	kc_status st;

	if ((st = kc_importer_open(&im, path, NULL, err))) {
		if (err)
			err->source = path;
		return st;
	}
	for (;;) {
		kc_error_clear(&e);
		st = kc_importer_next(im, &rec, &e);
		if (st == KC_OK) {
			if ((st = kc_pool_add(pool, rec, &e)))
				e.line = kc_importer_line(im);
			json_decref(rec);
		}
		if (st == KC_EOF) {
			st = KC_OK;
			break;
		}
		if (!st)
			continue;
		e.source = path;   /* the importer's copy dies with it */
		if (fatal(st) || (pool->flags & KC_POOL_STRICT))
			break;
		if (!pool->stats.skipped++)
			pool->stats.first_skipped = e;
	}
	if (st && err)
		*err = e;
	kc_importer_free(im);
	return st;
}
