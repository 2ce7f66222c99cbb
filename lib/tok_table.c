/*
 * tok_table.c - the string -> id table the tokenizer loaders fill: token
 * strings as a file spells them, and the same tokens as raw bytes.
 *
 * Open addressing with linear probing over an array of entry indices;
 * the strings live in one arena, so a 150,000-token vocabulary is three
 * allocations, not 150,000.
 */
#include <stdlib.h>

#include "tok_internal.h"

void kc_tok_strtab_release(struct tk_strtab *t)
{
	free(t->slots);
	free(t->ents);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

static kc_status grow_slots(struct tk_strtab *t)
{
	size_t cap = t->mask ? (t->mask + 1) * 2 : 1024;
	uint32_t *slots = calloc(cap, sizeof *slots);

	if (!slots)
		return KC_ENOMEM;
	for (size_t i = 0; i < t->n; i++) {
		size_t j = t->ents[i].hash & (cap - 1);

		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = (uint32_t)i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = cap - 1;
	return KC_OK;
}

const struct tk_str *kc_tok_strtab_get(const struct tk_strtab *t,
                                       const char *s, size_t len)
{
	uint64_t h;
	size_t j;

	if (!t->slots)
		return NULL;
	h = tk_hash(s, len);
	for (j = h & t->mask; t->slots[j]; j = (j + 1) & t->mask) {
		const struct tk_str *e = &t->ents[t->slots[j] - 1];

		if (e->hash == h && e->len == len &&
		    !memcmp(t->arena + e->off, s, len))
			return e;
	}
	return NULL;
}

kc_status kc_tok_strtab_put(struct tk_strtab *t, const char *s, size_t len,
                            uint32_t id)
{
	struct tk_str *e = (struct tk_str *)kc_tok_strtab_get(t, s, len);
	uint64_t h;
	size_t j;

	if (e) {
		e->id = id;
		return KC_OK;
	}
	if (len > UINT32_MAX / 2 || t->arena_len + len + 1 > UINT32_MAX)
		return KC_ETOOLONG;
	if ((t->n + 1) * 2 > t->mask + 1 && grow_slots(t))
		return KC_ENOMEM;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 1024;
		struct tk_str *v = realloc(t->ents, cap * sizeof *v);

		if (!v)
			return KC_ENOMEM;
		t->ents = v;
		t->cap = cap;
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
	h = tk_hash(s, len);
	e = &t->ents[t->n];
	e->hash = h;
	e->off = (uint32_t)t->arena_len;
	e->len = (uint32_t)len;
	e->id = id;
	memcpy(t->arena + t->arena_len, s, len);
	t->arena[t->arena_len + len] = 0;
	t->arena_len += len + 1;
	for (j = h & t->mask; t->slots[j]; j = (j + 1) & t->mask)
		;
	t->slots[j] = (uint32_t)++t->n;
	return KC_OK;
}
