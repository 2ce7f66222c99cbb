/*
 * bpe.c - byte-pair merges, and the per-word cache in front of them.
 *
 * A pre-token's bytes start as one symbol each (the id of the byte's
 * token); then, again and again, the adjacent pair with the lowest merge
 * rank (the leftmost of equals) becomes the pair's merged token, until no
 * adjacent pair has a merge.  This is what Hugging Face's BPE (a heap of
 * (rank, position)) and tiktoken's byte_pair_merge (rank of the merged
 * bytes) both compute; for tiktoken a "merge" (a, b) exists when the bytes
 * of a and b together are a token, with that token's rank.
 *
 * Ranks are looked up in an open-addressing hash of (left id, right id).
 * Short words (almost all of them) use a flat array and a linear scan for
 * the lowest rank; long ones a 4-ary heap with lazy deletion, so a
 * megabyte-long pre-token costs O(n log n), never O(n^2).
 *
 * The cache maps a pre-token's bytes to its ids.  Text repeats its words,
 * so most pre-tokens are found there and cost one hash and one compare
 * (in a small direct-mapped table first, then in the big one).  It is
 * bounded (512K words, about 50 MB at most) and simply emptied when
 * full.
 */
#include <stdlib.h>

#include "tok/private.h"

#define EMPTY_KEY (~(uint64_t)0)
#define SMALL_WORD 64             /* symbols: linear scan up to this */
#define CACHE_MAX_KEY 256         /* longer pre-tokens are not cached */
#define CACHE_MAX_ENTS ((size_t)1 << 19)
#define CACHE_MAX_BYTES ((size_t)32 << 20)

kc_status kc_tok_pairs_init(kc_tokenizer *tok, size_t n)
{
	size_t cap = 1024;

	while (cap < n * 2 + 1)
		cap *= 2;
	free(tok->pairs);
	tok->pairs = malloc(cap * sizeof *tok->pairs);
	if (!tok->pairs)
		return KC_ENOMEM;
	memset(tok->pairs, 0xFF, cap * sizeof *tok->pairs);
	tok->pair_mask = cap - 1;
	tok->n_pairs = 0;
	return KC_OK;
}

static inline size_t pair_slot(uint64_t key, size_t mask)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
}

void kc_tok_pair_put(kc_tokenizer *tok, uint32_t a, uint32_t b,
                     uint32_t rank, uint32_t id)
{
	uint64_t key = (uint64_t)a << 32 | b;
	size_t j = pair_slot(key, tok->pair_mask);

	/* the caller sized the table for every merge: it cannot fill up */
	while (tok->pairs[j].key != EMPTY_KEY && tok->pairs[j].key != key)
		j = (j + 1) & tok->pair_mask;
	if (tok->pairs[j].key == EMPTY_KEY)
		tok->n_pairs++;
	tok->pairs[j].key = key;
	tok->pairs[j].val = (uint64_t)rank << 32 | id;
}

/* (rank << 32 | id) of the merge of a and b, or ~0 when there is none. */
static inline uint64_t pair_get(const kc_tokenizer *tok, uint32_t a,
                                uint32_t b)
{
	uint64_t key = (uint64_t)a << 32 | b;
	size_t j = pair_slot(key, tok->pair_mask);

	for (;;) {
		uint64_t k = tok->pairs[j].key;

		if (k == key)
			return tok->pairs[j].val;
		if (k == EMPTY_KEY)
			return ~(uint64_t)0;
		j = (j + 1) & tok->pair_mask;
	}
}

static int reserve_wbuf(kc_tokenizer *tok, size_t n)
{
	if (n <= tok->wbuf_cap)
		return 0;
	size_t cap = tok->wbuf_cap ? tok->wbuf_cap : 256;
	while (cap < n)
		cap *= 2;
	uint32_t *v = realloc(tok->wbuf, cap * sizeof *v);
	if (!v)
		return -1;
	tok->wbuf = v;
	tok->wbuf_cap = cap;
	return 0;
}

/* Merge m symbols in sym[] (m <= SMALL_WORD); returns the new count. */
static size_t merge_small(const kc_tokenizer *tok, uint32_t *sym, size_t m)
{
	uint64_t pv[SMALL_WORD];

	for (size_t i = 0; i + 1 < m; i++)
		pv[i] = pair_get(tok, sym[i], sym[i + 1]);
	while (m > 1) {
		size_t best = 0;
		uint64_t bv = pv[0];

		/* the rank is the high half: comparing whole values finds the
		 * lowest rank, and `<` keeps the leftmost of equal ranks */
		for (size_t i = 1; i + 1 < m; i++)
			if (pv[i] < bv) {
				bv = pv[i];
				best = i;
			}
		if (bv == ~(uint64_t)0)
			break;
		sym[best] = (uint32_t)bv;
		memmove(sym + best + 1, sym + best + 2,
		        (m - best - 2) * sizeof *sym);
		if (best + 2 < m)
			memmove(pv + best + 1, pv + best + 2,
			        (m - best - 3) * sizeof *pv);
		m--;
		if (best > 0)
			pv[best - 1] = pair_get(tok, sym[best - 1], sym[best]);
		if (best + 1 < m)
			pv[best] = pair_get(tok, sym[best], sym[best + 1]);
	}
	return m;
}

/*
 * The long-word merge: symbols in a linked list, candidate merges in a
 * 4-ary min-heap of (rank << 32 | position), lowest rank first and the
 * leftmost of equal ranks (4-ary: the children of a node share a cache
 * line, which matters when a megabyte-long word makes the heap big).
 * A candidate is stale when its left symbol was merged away or the pair
 * at its position is no longer the one it was made for; the pair there
 * is looked up again, and the same rank means the same merge, since a
 * rank belongs to one pair only.
 */
struct sym {
	uint32_t id;       /* UINT32_MAX once merged into its left neighbour */
	int32_t prev, next;
};

static void heap_push(uint64_t *h, size_t *n, uint64_t c)
{
	size_t i = (*n)++;

	while (i > 0) {
		size_t p = (i - 1) / 4;

		if (h[p] <= c)
			break;
		h[i] = h[p];
		i = p;
	}
	h[i] = c;
}

static uint64_t heap_pop(uint64_t *h, size_t *n)
{
	uint64_t top = h[0], last = h[--*n];
	size_t i = 0;

	for (;;) {
		size_t c = 4 * i + 1, m = i, end = c + 4 < *n ? c + 4 : *n;
		uint64_t mk = last;

		for (; c < end; c++)
			if (h[c] < mk) {
				mk = h[c];
				m = c;
			}
		if (m == i)
			break;
		h[i] = h[m];
		i = m;
	}
	if (*n > 0)
		h[i] = last;
	return top;
}

static long merge_large(kc_tokenizer *tok, uint32_t *ids, size_t m)
{
	/* the heap after the symbols, 8-byte aligned */
	size_t syms = (m * sizeof(struct sym) + 7) & ~(size_t)7;
	size_t need = syms + 2 * m * sizeof(uint64_t);
	struct sym *sy;
	uint64_t *heap, v;
	size_t nh = 0, out = 0;

	if (m > INT32_MAX)
		return -1;
	if (need > tok->bpe_scratch_cap) {
		void *p = realloc(tok->bpe_scratch, need);

		if (!p)
			return -1;
		tok->bpe_scratch = p;
		tok->bpe_scratch_cap = need;
	}
	sy = tok->bpe_scratch;
	heap = (uint64_t *)((char *)tok->bpe_scratch + syms);
	for (size_t i = 0; i < m; i++) {
		sy[i].id = ids[i];
		sy[i].prev = (int32_t)i - 1;
		sy[i].next = i + 1 < m ? (int32_t)i + 1 : -1;
	}
	for (size_t i = 0; i + 1 < m; i++)
		if ((v = pair_get(tok, ids[i], ids[i + 1])) != ~(uint64_t)0)
			heap_push(heap, &nh, (v & 0xFFFFFFFF00000000ULL) | i);
	/* heap capacity: each merge removes one symbol and adds at most two
	 * candidates, starting from m - 1: never more than 2m */
	while (nh > 0) {
		uint64_t c = heap_pop(heap, &nh);
		uint32_t pos = (uint32_t)c;
		int32_t nx, pv;

		if (sy[pos].id == UINT32_MAX || (nx = sy[pos].next) < 0)
			continue;
		v = pair_get(tok, sy[pos].id, sy[nx].id);
		if (v == ~(uint64_t)0 || (v >> 32) != (c >> 32))
			continue;
		sy[pos].id = (uint32_t)v;
		sy[pos].next = sy[nx].next;
		sy[nx].id = UINT32_MAX;
		if (sy[nx].next >= 0)
			sy[sy[nx].next].prev = (int32_t)pos;
		if ((pv = sy[pos].prev) >= 0 &&
		    (v = pair_get(tok, sy[pv].id, sy[pos].id)) != ~(uint64_t)0)
			heap_push(heap, &nh, (v & 0xFFFFFFFF00000000ULL) | (uint32_t)pv);
		if ((nx = sy[pos].next) >= 0 &&
		    (v = pair_get(tok, sy[pos].id, sy[nx].id)) != ~(uint64_t)0)
			heap_push(heap, &nh, (v & 0xFFFFFFFF00000000ULL) | pos);
	}
	for (int32_t i = 0; i >= 0; i = sy[i].next)
		ids[out++] = sy[i].id;
	return (long)out;
}

/* The ids of s[0..n) by merges alone, into tok->wbuf. */
static long encode_word(kc_tokenizer *tok, const uint8_t *s, size_t n)
{
	size_t m = 0;

	if (reserve_wbuf(tok, n + 1))
		return -1;
	if (tok->ignore_merges) {
		const struct tk_str *e = kc_tok_strtab_get(&tok->bytes,
		                                           (const char *)s, n);
		if (e) {
			tok->wbuf[0] = e->id;
			return 1;
		}
	}
	/* a byte whose token is missing from the vocabulary is dropped, as
	 * Hugging Face's BPE drops an unknown character when it has no
	 * unk_token and no byte_fallback */
	for (size_t i = 0; i < n; i++)
		if (tok->byte_id[s[i]] >= 0)
			tok->wbuf[m++] = (uint32_t)tok->byte_id[s[i]];
	if (m <= 1)
		return (long)m;
	if (m <= SMALL_WORD)
		return (long)merge_small(tok, tok->wbuf, m);
	return merge_large(tok, tok->wbuf, m);
}

/* ------------------------------------------------------------------ */
/* The cache. */

void kc_tok_cache_release(struct tk_cache *c)
{
	free(c->front);
	free(c->ents);
	free(c->keys);
	free(c->ids);
	memset(c, 0, sizeof *c);
}

static void cache_clear(struct tk_cache *c)
{
	if (c->ents)
		memset(c->ents, 0, (c->mask + 1) * sizeof *c->ents);
	if (c->front)
		memset(c->front, 0, TK_FRONT * sizeof *c->front);
	c->n = 0;
	c->keys_len = 0;
	c->ids_len = 0;
}

static int cache_grow(struct tk_cache *c)
{
	size_t cap = c->mask ? (c->mask + 1) * 2 : 4096;
	struct tk_cache_ent *e = calloc(cap, sizeof *e);

	if (!e)
		return -1;
	for (size_t i = 0; c->ents && i <= c->mask; i++) {
		size_t j;

		if (!c->ents[i].hash)
			continue;
		for (j = c->ents[i].hash & (cap - 1); e[j].hash; j = (j + 1) & (cap - 1))
			;
		e[j] = c->ents[i];
	}
	free(c->ents);
	c->ents = e;
	c->mask = cap - 1;
	return 0;
}

static int grow_bytes(void **p, size_t *cap, size_t need, size_t size)
{
	size_t c = *cap ? *cap : 1 << 16;
	void *v;

	while (c < need)
		c *= 2;
	if (!(v = realloc(*p, c * size)))
		return -1;
	*p = v;
	*cap = c;
	return 0;
}

/*
 * The two words that identify a key of n <= 16 bytes (with n), read
 * without touching bytes past s[n-1], and a hash of them.
 */
static inline void cache_key(const uint8_t *s, size_t n, uint64_t *k0,
                             uint64_t *k1)
{
	uint32_t a, b;

	if (n >= 8) {
		memcpy(k0, s, 8);
		memcpy(k1, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		*k0 = (uint64_t)a << 32 | b;
		*k1 = 0;
	} else {
		*k0 = n ? (uint64_t)s[0] << 16 | (uint64_t)s[n / 2] << 8 | s[n - 1] : 0;
		*k1 = 0;
	}
}

static inline uint64_t short_hash(uint64_t k0, uint64_t k1, size_t n)
{
	uint64_t h = (k0 ^ 0x9E3779B97F4A7C15ULL) * 0xbf58476d1ce4e5b9ULL;

	h ^= (k1 + n) * 0x94d049bb133111ebULL;
	return tk_mix(h) | 1;   /* 0 marks an empty slot */
}

static void cache_put(struct tk_cache *c, uint64_t h, uint64_t k0,
                      uint64_t k1, const uint8_t *s, size_t n,
                      const uint32_t *ids, size_t k)
{
	size_t j;
	struct tk_cache_ent *e;

	if (k > UINT16_MAX)
		return;
	if (c->n + 1 > CACHE_MAX_ENTS ||
	    c->keys_len + n > CACHE_MAX_BYTES ||
	    (c->ids_len + k) * sizeof *ids > CACHE_MAX_BYTES)
		cache_clear(c);
	if ((c->n + 1) * 4 > (c->mask + 1) * 3 && cache_grow(c))
		return;
	if (n > 16) {
		if (c->keys_len + n > c->keys_cap &&
		    grow_bytes((void **)&c->keys, &c->keys_cap, c->keys_len + n, 1))
			return;
		memcpy(c->keys + c->keys_len, s, n);
		k1 = c->keys_len;
		c->keys_len += n;
	}
	for (j = h & c->mask; c->ents[j].hash; j = (j + 1) & c->mask)
		;
	e = &c->ents[j];
	if (k == 1) {
		e->ids_off = ids[0];
	} else {
		if (c->ids_len + k > c->ids_cap &&
		    grow_bytes((void **)&c->ids, &c->ids_cap, c->ids_len + k,
		               sizeof *ids))
			return;
		memcpy(c->ids + c->ids_len, ids, k * sizeof *ids);
		e->ids_off = (uint32_t)c->ids_len;
		c->ids_len += k;
	}
	e->hash = h;
	e->k0 = k0;
	e->k1 = k1;
	e->key_len = (uint16_t)n;
	e->n_ids = (uint16_t)k;
	c->n++;
	c->front[h & (TK_FRONT - 1)] = *e;
}

static inline int cache_match(const struct tk_cache *c,
                              const struct tk_cache_ent *e, uint64_t h,
                              uint64_t k0, uint64_t k1, const uint8_t *s,
                              size_t n)
{
	if (e->hash != h || e->key_len != n || e->k0 != k0)
		return 0;
	return n <= 16 ? e->k1 == k1 : !memcmp(c->keys + e->k1, s, n);
}

static inline long cache_hit(kc_tokenizer *tok, const struct tk_cache_ent *e,
                             const uint32_t **ids)
{
	if (e->n_ids == 1) {
		tok->wbuf[0] = e->ids_off;
		*ids = tok->wbuf;
		return 1;
	}
	*ids = tok->cache.ids + e->ids_off;
	return e->n_ids;
}

long kc_tok_word(kc_tokenizer *tok, const uint8_t *s, size_t n,
                 const uint32_t **ids)
{
	struct tk_cache *c = &tok->cache;
	uint64_t h, k0, k1 = 0;
	long k;

	if (n > CACHE_MAX_KEY)
		goto miss;
	if (n <= 16) {
		cache_key(s, n, &k0, &k1);
		h = short_hash(k0, k1, n);
	} else {
		memcpy(&k0, s, 8);
		h = tk_hash(s, n) | 1;
	}
	if (c->ents) {
		struct tk_cache_ent *f = &c->front[h & (TK_FRONT - 1)];

		if (cache_match(c, f, h, k0, k1, s, n))
			return cache_hit(tok, f, ids);
		for (size_t j = h & c->mask; c->ents[j].hash; j = (j + 1) & c->mask) {
			const struct tk_cache_ent *e = &c->ents[j];

			if (cache_match(c, e, h, k0, k1, s, n)) {
				*f = *e;
				return cache_hit(tok, e, ids);
			}
		}
	}
	if ((k = encode_word(tok, s, n)) < 0)
		return -1;
	*ids = tok->wbuf;
	if (!c->ents) {
		if (cache_grow(c))
			return k;
		if (!(c->front = calloc(TK_FRONT, sizeof *c->front))) {
			free(c->ents);
			c->ents = NULL;
			c->mask = 0;
			return k;
		}
	}
	cache_put(c, h, k0, k1, s, n, tok->wbuf, (size_t)k);
	return k;
miss:
	if ((k = encode_word(tok, s, n)) < 0)
		return -1;
	*ids = tok->wbuf;
	return k;
}
