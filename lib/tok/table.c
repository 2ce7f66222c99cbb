/*
 * table.c - the string -> id table the tokenizer loaders fill: token
 * strings as a file spells them, and the same tokens as raw bytes.
 *
 * Open addressing with linear probing over the entries themselves, at
 * most three quarters full, the strings in one arena: a 150,000-token
 * vocabulary is two allocations, and a lookup costs the entry and one
 * compare.  Loading
 * Qwen's tokenizer does about 600,000 of them, so this is most of the
 * load time.
 */
#include <stdlib.h>

#include "tok/private.h"

void kc_tok_strtab_release(struct tk_strtab *t)
{
	free(t->ents);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

static kc_status grow(struct tk_strtab *t)
{
	size_t cap = t->mask ? (t->mask + 1) * 2 : 1024;
	struct tk_str *v = calloc(cap, sizeof *v);

	if (!v)
		return KC_ENOMEM;
	for (size_t i = 0; t->ents && i <= t->mask; i++) {
		size_t j;

		if (!t->ents[i].hash)
			continue;
		for (j = t->ents[i].hash & (cap - 1); v[j].hash; j = (j + 1) & (cap - 1))
			;
		v[j] = t->ents[i];
	}
	free(t->ents);
	t->ents = v;
	t->mask = cap - 1;
	return KC_OK;
}

const struct tk_str *kc_tok_strtab_get(const struct tk_strtab *t,
                                       const char *s, size_t len)
{
	uint64_t h;

	if (!t->ents)
		return NULL;
	h = tk_hash(s, len) | 1;
	for (size_t j = h & t->mask; t->ents[j].hash; j = (j + 1) & t->mask) {
		const struct tk_str *e = &t->ents[j];

		if (e->hash == h && e->len == len &&
		    !memcmp(t->arena + e->off, s, len))
			return e;
	}
	return NULL;
}

kc_status kc_tok_strtab_put(struct tk_strtab *t, const char *s, size_t len,
                            uint32_t id, int *existed)
{
	uint64_t h = tk_hash(s, len) | 1;
	struct tk_str *e;
	size_t j;

	if (existed)
		*existed = 0;
	if (len > UINT32_MAX / 2 || t->arena_len + len + 1 > UINT32_MAX)
		return KC_ETOOLONG;
	if ((t->n + 1) * 4 > (t->mask + 1) * 3 && grow(t))
		return KC_ENOMEM;
	for (j = h & t->mask; t->ents[j].hash; j = (j + 1) & t->mask) {
		e = &t->ents[j];
		if (e->hash == h && e->len == len &&
		    !memcmp(t->arena + e->off, s, len)) {
			e->id = id;
			if (existed)
				*existed = 1;
			return KC_OK;
		}
	}
	if (t->arena_len + len + 1 > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 1 << 16;
		char *a;

		while (cap < t->arena_len + len + 1)
			cap *= 2;
		if (!(a = realloc(t->arena, cap)))
			return KC_ENOMEM;
		t->arena = a;
		t->arena_cap = cap;
	}
	e = &t->ents[j];
	e->hash = h;
	e->off = (uint32_t)t->arena_len;
	e->len = (uint32_t)len;
	e->id = id;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = 0;
	t->arena_len += len + 1;
	t->n++;
	return KC_OK;
}
