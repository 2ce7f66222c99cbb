/*
 * record.c - reading the pipeline's own fields back from a record.
 *
 * A passage in rec["passages"] is either {"doc": i}, the record's own
 * docs[i], or a filler {"title": ..., "text": ...}.  Every step that
 * needs a passage's text resolves it here, so the two forms are handled
 * in one place.  kc-fill also stores each passage's token count, with a
 * check that ties it to the text and the tokenizer (kc_passage_check).
 */
#include <stdio.h>
#include <string.h>

#include "kc.h"
#include "pipe/private.h"

static const char *const pair_fields[] = { "key", "value", "passage", "at",
                                           "chain", "hop" };

long kc_pairs_open(struct kc_pairs *ps, const json_t *pairs)
{
	size_t n;

	memset(ps, 0, sizeof *ps);
	if (json_is_array(pairs)) {
		ps->list = pairs;
		return (long)json_array_size(pairs);
	}
	if (!json_is_object(pairs))
		return -1;
	n = json_array_size(json_object_get(pairs, "key"));
	for (int f = 0; f < 6; f++) {
		ps->col[f] = json_object_get(pairs, pair_fields[f]);
		if (f >= 4 && !ps->col[f])
			continue;
		if (!json_is_array(ps->col[f]) || json_array_size(ps->col[f]) != n)
			return -1;
	}
	return (long)n;
}

int kc_pair_read(const struct kc_pairs *ps, size_t i, struct kc_pair_ref *p)
{
	const json_t *v = ps->list ? json_array_get(ps->list, i) : NULL, *f[6];
	json_int_t *n[4] = { &p->passage, &p->at, &p->chain, &p->hop };

	for (int k = 0; k < 6; k++)
		f[k] = ps->list ? json_object_get(v, pair_fields[k])
		                : json_array_get(ps->col[k], i);
	if (!json_is_string(f[0]) || !json_is_string(f[1]))
		return 0;
	for (int k = 0; k < 4; k++) {
		if (k >= 2 && !f[2 + k])
			*n[k] = 0;
		else if (!json_is_integer(f[2 + k]))
			return 0;
		else
			*n[k] = json_integer_value(f[2 + k]);
	}
	p->key = json_string_value(f[0]);
	p->klen = json_string_length(f[0]);
	p->value = json_string_value(f[1]);
	p->vlen = json_string_length(f[1]);
	return 1;
}

kc_status kc_record_passage(const json_t *rec, const json_t *p,
                            const char **title, size_t *title_len,
                            const char **text, size_t *text_len, long *doc,
                            struct kc_error *err)
{
	json_t *d = json_object_get(p, "doc");
	kc_status st;

	*doc = -1;
	if (d) {
		json_t *docs = json_object_get(rec, "docs");
		if (!json_is_integer(d) || !json_is_array(docs) ||
		    json_integer_value(d) < 0 ||
		    (size_t)json_integer_value(d) >= json_array_size(docs))
			return kc_error_set(err, KC_EFIELD,
			                    "passage refers to a missing doc");
		*doc = (long)json_integer_value(d);
		p = json_array_get(docs, (size_t)*doc);
	}
	if ((st = kc_get_string(p, "title", title, title_len, NULL)) ||
	    (st = kc_get_string(p, "text", text, text_len, NULL)))
		return kc_error_set(err, KC_EFIELD,
		                    "a passage has no string \"title\" and "
		                    "\"text\"");
	return KC_OK;
}

uint64_t kc_passage_check_hash(const kc_tokenizer *tok, const char *title,
                               size_t title_len, const char *text,
                               size_t text_len)
{
	const char *name = kc_tokenizer_name(tok);
	uint64_t h = kc_hash64(name, strlen(name), 0x636865636b);

	h = kc_hash64(title, title_len, h);
	return kc_hash64(text, text_len, h ^ 0x0a);
}

void kc_passage_check(const kc_tokenizer *tok, const char *title,
                      size_t title_len, const char *text, size_t text_len,
                      char out[17])
{
	snprintf(out, 17, "%016llx", (unsigned long long)kc_passage_check_hash(
	         tok, title, title_len, text, text_len));
}
