/*
 * pairs.c - the passages, the pairs and the questions at chain ends,
 * found in the prompt's text alone.
 *
 * A pair is '{"', a key of 1 to 64 characters of [A-Za-z0-9_-], '": "',
 * a value, and the first '"}.' before the next pair begins (a question
 * is written raw and may hold double quotes).  Keys of a record all have
 * one length; a brace in the text that happens to look like a pair with
 * a key of another length is not one of them.  A value that is the key
 * of some pair continues a chain; any other value ends one, and is a
 * question unless it is shaped like a key (a tree's dead ends).
 *
 * The passages are the "Passage N:" blocks, numbered from 1; the context
 * runs from the first block to the blank line after the last one.  A
 * prompt without such blocks is one context cut at blank lines.
 */
#include <stdlib.h>
#include <string.h>

#include "audit/private.h"

static int key_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_' || c == '-';
}

/* ---- passages ---- */

/* "Passage N:\n" at t[at..len), N being `want`: its length, or 0. */
static size_t header(const char *t, size_t len, size_t at, size_t want)
{
	size_t i = at + 8, v = 0;

	if (len - at < 11 || memcmp(t + at, "Passage ", 8) ||
	    (at > 0 && t[at - 1] != '\n'))
		return 0;
	while (i < len && t[i] >= '0' && t[i] <= '9' && i - at < 20)
		v = v * 10 + (size_t)(t[i++] - '0');
	if (i == at + 8 || i + 2 > len || t[i] != ':' || t[i + 1] != '\n' ||
	    v != want)
		return 0;
	return i + 2 - at;
}

static kc_status add_passage(struct audit_rec *r, size_t at)
{
	if (audit_grow((void **)&r->pstart, &r->cappassages, r->npassages + 1,
	               sizeof *r->pstart))
		return KC_ENOMEM;
	r->pstart[r->npassages++] = at;
	return KC_OK;
}

static kc_status find_passages(struct audit_rec *r)
{
	const char *t = r->text, *p;
	size_t len = r->len, at = 0, h = 0, last = 0;

	r->npassages = 0;
	while (at < len && (p = memmem(t + at, len - at, "Passage ", 8))) {
		at = (size_t)(p - t);
		if ((h = header(t, len, at, r->npassages + 1u))) {
			if (add_passage(r, at))
				return KC_ENOMEM;
			last = at + h;
		}
		at += 8;
	}
	r->numbered = r->npassages > 0;
	if (r->numbered) {
		/* The last block ends at the first blank line after its title. */
		const char *nl = memchr(t + last, '\n', len - last);
		const char *end = nl ? memmem(nl, len - (size_t)(nl - t), "\n\n", 2)
		                     : NULL;
		r->ctx_start = r->pstart[0];
		r->ctx_end = end ? (size_t)(end - t) : len;
		return KC_OK;
	}
	r->ctx_start = 0;
	r->ctx_end = len;
	if (add_passage(r, 0))
		return KC_ENOMEM;
	for (at = 0; at + 2 < len && (p = memmem(t + at, len - at, "\n\n", 2));) {
		at = (size_t)(p - t) + 2;
		while (at < len && t[at] == '\n')
			at++;
		if (at < len && add_passage(r, at))
			return KC_ENOMEM;
	}
	return KC_OK;
}

uint32_t audit_passage_at(const struct audit_rec *r, size_t at)
{
	size_t lo = 0, hi = r->npassages;

	/* the last passage starting at or before `at` */
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (r->pstart[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t)lo;
}

/* ---- pairs ---- */

/* The offset of the first '"}.' in t[from, to), or to. */
static size_t find_close(const char *t, size_t from, size_t to)
{
	const char *c;

	if (to < from + 3)
		return to;
	c = memmem(t + from, to - from, "\"}.", 3);
	return c ? (size_t)(c - t) : to;
}

static kc_status find_openings(struct audit_rec *r)
{
	const char *t = r->text;
	size_t n = r->len;

	r->npairs = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		const char *p = memchr(t + i, '{', n - i);
		size_t k, e;
		struct audit_pair *q;

		if (!p)
			break;
		i = (size_t)(p - t);
		if (i + 1 >= n || t[i + 1] != '"')
			continue;
		for (k = e = i + 2; e < n && e - k <= 64 && key_char((unsigned char)t[e]);)
			e++;
		if (e == k || e - k > 64 || e + 4 > n || memcmp(t + e, "\": \"", 4))
			continue;
		if (audit_grow((void **)&r->pairs, &r->cappairs, r->npairs + 1,
		               sizeof *r->pairs))
			return KC_ENOMEM;
		q = &r->pairs[r->npairs++];
		memset(q, 0, sizeof *q);
		q->start = i;
		q->key = k;
		q->klen = e - k;
		q->value = e + 4;
		i = e + 3;
	}
	return KC_OK;
}

/* Close each opening's value; keep the closed pairs whose key has the
 * record's key length (the most common one). */
static void close_pairs(struct audit_rec *r)
{
	size_t count[65] = { 0 }, best = 0, m = 0;

	for (size_t j = 0; j < r->npairs; j++) {
		struct audit_pair *q = &r->pairs[j];
		size_t limit = j + 1 < r->npairs ? r->pairs[j + 1].start : r->len;
		size_t c = find_close(r->text, q->value, limit);

		if (c == limit) {
			q->klen = 0;   /* not closed: not a pair */
			continue;
		}
		q->vlen = c - q->value;
		q->end = c + 3;
		count[q->klen]++;
	}
	for (size_t L = 1; L <= 64; L++)
		if (count[L] > count[best])
			best = L;
	r->keylen = best;
	for (size_t j = 0; j < r->npairs; j++)
		if (best && r->pairs[j].klen == best)
			r->pairs[m++] = r->pairs[j];
	r->npairs = m;
}

static int ref_cmp(const void *a, const void *b)
{
	const struct audit_ref *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->pair < y->pair ? -1 : x->pair > y->pair;
}

/* The first ref (by pair order) whose key is s[0..n), or -1. */
static long key_ref(const struct audit_rec *r, const char *s, size_t n)
{
	uint64_t h = kc_hash64(s, n, 0);
	size_t lo = 0, hi = r->nrefs;

	if (n != r->keylen)
		return -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (r->refs[mid].hash < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < r->nrefs && r->refs[lo].hash == h; lo++)
		if (!memcmp(r->text + r->pairs[r->refs[lo].pair].key, s, n))
			return (long)lo;
	return -1;
}

static kc_status index_keys(struct audit_rec *r)
{
	if (audit_grow((void **)&r->refs, &r->caprefs, r->npairs + 1,
	               sizeof *r->refs))
		return KC_ENOMEM;
	for (size_t j = 0; j < r->npairs; j++) {
		r->refs[j].hash = kc_hash64(r->text + r->pairs[j].key,
		                            r->pairs[j].klen, 0);
		r->refs[j].pair = j;
	}
	r->nrefs = r->npairs;
	qsort(r->refs, r->nrefs, sizeof *r->refs, ref_cmp);
	for (size_t j = 0; j < r->npairs; j++) {
		struct audit_pair *q = &r->pairs[j];
		q->value_key = key_ref(r, r->text + q->value, q->vlen) >= 0;
		q->passage = audit_passage_at(r, q->start);
	}
	return KC_OK;
}

static int key_shaped(const struct audit_rec *r, const struct audit_pair *q)
{
	if (q->vlen != r->keylen)
		return 0;
	for (size_t i = 0; i < q->vlen; i++)
		if (!key_char((unsigned char)r->text[q->value + i]))
			return 0;
	return 1;
}

/* The distinct questions at chain ends, by the hash of their text. */
static kc_status find_candidates(struct audit_rec *r)
{
	struct audit_ref *qs;
	size_t nq = 0;

	r->ncands = 0;
	if (audit_grow((void **)&r->qrefs, &r->capqrefs, r->npairs + 1,
	               sizeof *r->qrefs))
		return KC_ENOMEM;
	qs = r->qrefs;
	for (size_t j = 0; j < r->npairs; j++) {
		const struct audit_pair *q = &r->pairs[j];
		if (q->value_key || key_shaped(r, q))
			continue;
		qs[nq].hash = kc_hash64(r->text + q->value, q->vlen, 0);
		qs[nq++].pair = j;
	}
	qsort(qs, nq, sizeof *qs, ref_cmp);
	for (size_t i = 0; i < nq; i++) {
		const struct audit_pair *q = &r->pairs[qs[i].pair];
		struct audit_cand *c;
		size_t k;

		/* the same text earlier, among the same hash: one candidate */
		for (k = i; k > 0 && qs[k - 1].hash == qs[i].hash; k--) {
			const struct audit_pair *o = &r->pairs[qs[k - 1].pair];
			if (o->vlen == q->vlen &&
			    !memcmp(r->text + o->value, r->text + q->value, q->vlen))
				break;
		}
		if (k > 0 && qs[k - 1].hash == qs[i].hash)
			continue;
		if (audit_grow((void **)&r->cands, &r->capcands, r->ncands + 1,
		               sizeof *r->cands))
			return KC_ENOMEM;
		c = &r->cands[r->ncands++];
		memset(c, 0, sizeof *c);
		c->text = r->text + q->value;
		c->len = q->vlen;
		c->at = q->start;
		c->passage = q->passage;
	}
	return KC_OK;
}

static long cand_find(const struct audit_rec *r, const char *s, size_t n)
{
	for (size_t i = 0; i < r->ncands; i++)
		if (r->cands[i].len == n && !memcmp(r->cands[i].text, s, n))
			return (long)i;
	return -1;
}

/* Does the key of pair j occur outside every pair, in the template's
 * text around the context?  That is where a prompt names its head. */
static int named_outside(const struct audit_rec *r, size_t j)
{
	const char *k = r->text + r->pairs[j].key;
	size_t n = r->pairs[j].klen;

	return (r->ctx_start >= n && memmem(r->text, r->ctx_start, k, n)) ||
	       (r->len - r->ctx_end >= n &&
	        memmem(r->text + r->ctx_end, r->len - r->ctx_end, k, n));
}

/* The head: the record's, else the one chain start (a key that is no
 * pair's value) the template names. */
static long find_head(const struct audit_rec *r)
{
	unsigned char *value;
	long head = -1;

	if (r->head) {
		long f = key_ref(r, r->head, r->head_len);
		return f < 0 ? -1 : (long)r->refs[f].pair;
	}
	if (!(value = calloc(r->npairs + 1, 1)))
		return -1;
	for (size_t j = 0; j < r->npairs; j++) {
		const struct audit_pair *q = &r->pairs[j];
		long f = q->value_key ? key_ref(r, r->text + q->value, q->vlen) : -1;
		for (size_t k = (size_t)f; f >= 0 && k < r->nrefs &&
		     r->refs[k].hash == r->refs[f].hash; k++)
			if (!memcmp(r->text + r->pairs[r->refs[k].pair].key,
			            r->text + q->value, q->vlen))
				value[r->refs[k].pair] = 1;
	}
	for (size_t j = 0; j < r->npairs; j++) {
		const struct audit_pair *q = &r->pairs[j];

		if (value[j] || !named_outside(r, j))
			continue;
		if (head >= 0 && memcmp(r->text + r->pairs[head].key,
		                        r->text + q->key, q->klen)) {
			head = -2;    /* two heads named */
			break;
		}
		if (head < 0)
			head = (long)j;
	}
	free(value);
	return head;
}

/* Push every pair whose key is s[0..n) (two in a tree), while the
 * stack (of r->npairs) has room. */
static void push_key(const struct audit_rec *r, const char *s, size_t n,
                     size_t *stack, size_t *depth)
{
	long f = key_ref(r, s, n);

	for (size_t k = (size_t)f; f >= 0 && k < r->nrefs &&
	     r->refs[k].hash == r->refs[f].hash && *depth < r->npairs; k++)
		if (!memcmp(r->text + r->pairs[r->refs[k].pair].key, s, n))
			stack[(*depth)++] = r->refs[k].pair;
}

/* The one question the head's pairs lead to (every branch of a tree
 * followed), or -1 when none or several. */
static long follow(struct audit_rec *r, long head)
{
	size_t *stack = malloc((r->npairs + 1) * sizeof *stack), n = 0, steps = 0;
	long found = -1;

	if (!stack)
		return -1;
	push_key(r, r->text + r->pairs[head].key, r->pairs[head].klen, stack, &n);
	/* each pair is pushed once at most unless keys repeat as values;
	 * the steps bound both the stack and a cycle */
	while (n && steps++ < r->npairs) {
		const struct audit_pair *q = &r->pairs[stack[--n]];

		if (q->value_key) {
			push_key(r, r->text + q->value, q->vlen, stack, &n);
			continue;
		}
		long c = cand_find(r, r->text + q->value, q->vlen);
		if (c >= 0 && found >= 0 && c != found) {
			found = -1;
			break;
		}
		if (c >= 0)
			found = c;
	}
	free(stack);
	return found;
}

kc_status audit_find_pairs(struct audit_rec *r, struct kc_error *err)
{
	if (find_passages(r) || find_openings(r))
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	close_pairs(r);
	if (!r->npairs)
		return kc_error_set(err, KC_EFIELD, "no {\"key\": \"value\"} "
		                    "pairs in the prompt");
	if (index_keys(r) || find_candidates(r))
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	if (!r->ncands)
		return kc_error_set(err, KC_EFIELD, "no chain ends in a question");
	if (r->question) {
		r->real = cand_find(r, r->question, r->question_len);
		if (r->real < 0)
			return kc_error_set(err, KC_EFIELD, "the real question is at "
			                    "the end of no chain");
	} else {
		long head = find_head(r);
		if (head < 0)
			return kc_error_set(err, KC_EFIELD, "no real question: the "
			                    "record carries none and the prompt names "
			                    "%s chain head", head == -2 ? "more than "
			                    "one" : "no");
		if ((r->real = follow(r, head)) < 0)
			return kc_error_set(err, KC_EFIELD, "no real question: the "
			                    "record carries none and the head does not "
			                    "lead to exactly one");
	}
	return KC_OK;
}
