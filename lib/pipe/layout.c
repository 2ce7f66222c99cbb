/*
 * layout.c - a record's passages and pairs laid out as a prompt, and
 * counted without counting everything again after each change.
 *
 * The prompt is the template's prefix, then one unit per kept passage,
 * then the template's suffix:
 *
 *     prefix | Passage 1:\n TITLE\n TEXT{pairs} \n\n | Passage 2:\n ... | suffix
 *             \_ header _/ \________ body ________/ tail
 *
 * Units meet where a line ends and "Passage" begins.  Every pre-tokenizer
 * kc supports (Qwen, Llama-3, cl100k, o200k) starts a new pre-token at a
 * letter after a newline, and no added token spans such a place, so the
 * token count of the prompt is the sum of the counts of its units, and a
 * unit's count is its header's plus its body-and-tail's when its title
 * starts with neither a line break nor '/'.  So a dropped passage costs a
 * subtraction, a renumbered one a header count, and a passage whose pairs
 * moved one body count.  Where the template's prefix does not end in a
 * newline, or a title starts badly, the pieces are counted together.
 * kc-verify, and kc-render --recount, count each prompt in one piece.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/private.h"
#include "pipe/private.h"

static int pair_cmp(const void *a, const void *b)
{
	const struct rpair *x = a, *y = b;

	if (x->passage != y->passage)
		return x->passage < y->passage ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->key, y->key);   /* stacked pairs: a fixed order */
}

static void index_pairs(struct layout *l)
{
	qsort(l->qs, l->nq, sizeof *l->qs, pair_cmp);
	for (size_t i = 0; i < l->np; i++)
		l->ps[i].npairs = 0;
	for (size_t i = 0; i < l->nq; i++) {
		struct rpass *p = &l->ps[l->qs[i].passage];
		if (!p->npairs++)
			p->first_pair = i;
	}
}

void kc_layout_release(struct layout *l)
{
	free(l->keys);
	for (size_t i = 0; l->ps && i < l->np; i++)
		free(l->ps[i].ends);
	free(l->ps);
	free(l->qs);
	memset(l, 0, sizeof *l);
}

/* Mark the pairs on the path from the head to the question. */
static void mark_real(struct rpair *q, const json_t *real)
{
	size_t nr = json_array_size(real);

	if (q->chain != 0)
		return;
	for (size_t k = 0; k < nr; k++) {
		const char *rk = json_string_value(json_array_get(real, k));
		const char *next;
		if (!rk || strlen(rk) != q->klen || memcmp(rk, q->key, q->klen))
			continue;
		next = k + 1 < nr ? json_string_value(json_array_get(real, k + 1))
		                  : NULL;
		q->real = k + 1 == nr || (next && strlen(next) == q->vlen &&
		                          !memcmp(next, q->value, q->vlen));
	}
}

/* kc-fill's count of a passage, when it is for this text and this
 * tokenizer. */
static void take_base(kc_renderer *r, struct rpass *p, const json_t *v)
{
	json_t *n = json_object_get(v, "tokens"), *c = json_object_get(v, "check");
	char check[17];

	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    !json_is_string(c) || json_string_length(c) != 16)
		return;
	kc_passage_check(r->tok, p->title, p->title_len, p->text, p->text_len, check);
	if (memcmp(check, json_string_value(c), 16))
		return;
	p->base = (size_t)json_integer_value(n);
	p->have_base = 1;
}

kc_status kc_layout_load(kc_renderer *r, const json_t *rec, struct layout *l,
                         struct kc_error *err)
{
	json_t *passages = json_object_get(rec, "passages");
	json_t *chain = json_object_get(rec, "chain"), *real, *v, *sup;
	struct kc_pairs ps;
	long npairs;
	size_t i;
	int from_docs = 0;
	kc_status st;

	memset(l, 0, sizeof *l);
	if (!passages) {
		/* Not filled: the record's own docs are the context. */
		passages = json_object_get(rec, "docs");
		from_docs = 1;
	}
	if (!json_is_array(passages))
		return kc_error_set(err, KC_EFIELD, "missing \"passages\" (run "
		                    "kc-fill) and \"docs\"");
	l->np = json_array_size(passages);
	l->ps = calloc(l->np + 1, sizeof *l->ps);
	if (!l->ps)
		return kc_error_nomem(err);
	json_array_foreach(passages, i, v) {
		struct rpass *p = &l->ps[i];
		if (from_docs) {
			if (kc_get_string(v, "title", &p->title, &p->title_len, NULL) ||
			    kc_get_string(v, "text", &p->text, &p->text_len, NULL)) {
				kc_layout_release(l);
				return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] needs "
				                    "string \"title\" and \"text\"", i);
			}
			p->doc = (long)i;
		} else if ((st = kc_record_passage(rec, v, &p->title, &p->title_len,
		                                   &p->text, &p->text_len, &p->doc,
		                                   err))) {
			kc_layout_release(l);
			return st;
		} else {
			take_base(r, p, v);
			p->entangled = json_object_get(v, "entangled") != NULL;
		}
		p->keep = 1;
	}
	/* Supporting passages are never dropped; without a list, every own
	 * passage counts as one. */
	sup = json_object_get(rec, "supporting");
	for (i = 0; i < l->np; i++)
		l->ps[i].supporting = l->ps[i].doc >= 0 && !json_array_size(sup);
	json_array_foreach(sup, i, v)
		for (size_t k = 0; k < l->np; k++)
			if (json_is_integer(v) &&
			    l->ps[k].doc == (long)json_integer_value(v))
				l->ps[k].supporting = 1;
	if (!chain)
		return KC_OK;
	if (!json_is_object(chain) ||
	    (npairs = kc_pairs_open(&ps, json_object_get(chain, "pairs"))) < 0 ||
	    !json_is_array(real = json_object_get(chain, "real"))) {
		kc_layout_release(l);
		return kc_error_set(err, KC_EFIELD, "\"chain\" has no \"pairs\" "
		                    "or \"real\" array");
	}
	l->nq = (size_t)npairs;
	l->qs = calloc(l->nq + 1, sizeof *l->qs);
	if (!l->qs) {
		kc_layout_release(l);
		return kc_error_nomem(err);
	}
	for (i = 0; i < l->nq; i++) {
		struct rpair *q = &l->qs[i];
		struct kc_pair_ref pr;

		if (!kc_pair_read(&ps, i, &pr) || pr.passage < 0 ||
		    (size_t)pr.passage >= l->np || pr.at < 0 ||
		    (size_t)pr.at > l->ps[pr.passage].text_len ||
		    /* not inside a UTF-8 sequence */
		    ((size_t)pr.at < l->ps[pr.passage].text_len &&
		     (l->ps[pr.passage].text[pr.at] & 0xc0) == 0x80)) {
			kc_layout_release(l);
			return kc_error_set(err, KC_EFIELD, "\"chain\".\"pairs\"[%zu]"
			                    " is not a valid pair", i);
		}
		q->key = pr.key;
		q->klen = pr.klen;
		q->value = pr.value;
		q->vlen = pr.vlen;
		q->passage = (size_t)pr.passage;
		q->at = (size_t)pr.at;
		q->chain = (int)pr.chain;
		q->hop = (int)pr.hop;
		mark_real(q, real);
	}
	index_pairs(l);
	return KC_OK;
}

/* ---- text ---- */

/* Does pair k of passage p go right after a newline?  Only the first
 * pair at a spot: one stacked after it follows that pair's period. */
static int after_newline(const struct layout *l, const struct rpass *p,
                         size_t k)
{
	const struct rpair *q = &l->qs[p->first_pair + k];

	return q->at > 0 && p->text[q->at - 1] == '\n' &&
	       (k == 0 || q[-1].at != q->at);
}

static kc_status append_pair(kc_buf *b, const struct rpair *p, int nl)
{
	kc_status st = KC_OK;

	/* " " + pair + "." after a sentence end, pair + "." after a newline,
	 * as the reference writes them. */
	if (!nl)
		st = kc_buf_append(b, " ", 1);
	if (!st)
		st = kc_buf_append(b, "{\"", 2);
	if (!st)
		st = kc_buf_append(b, p->key, p->klen);
	if (!st)
		st = kc_buf_append(b, "\": \"", 4);
	if (!st)
		st = kc_buf_append(b, p->value, p->vlen);
	if (!st)
		st = kc_buf_append(b, "\"}.", 3);
	return st;
}

/* Append title + "\n" + text with its pairs; record where pairs went
 * (relative to `base`) when `mark` is set. */
static kc_status append_body(kc_buf *b, struct layout *l, struct rpass *p,
                             int with_pairs, size_t base, int mark)
{
	size_t pos = 0;
	kc_status st;

	if ((st = kc_buf_append(b, p->title, p->title_len)) ||
	    (st = kc_buf_append(b, "\n", 1)))
		return st;
	for (size_t k = 0; with_pairs && k < p->npairs; k++) {
		struct rpair *q = &l->qs[p->first_pair + k];
		int nl = after_newline(l, p, k);
		if ((st = kc_buf_append(b, p->text + pos, q->at - pos)))
			return st;
		if (mark)
			q->byte = b->len - base + !nl;
		if ((st = append_pair(b, q, nl)))
			return st;
		pos = q->at;
	}
	return kc_buf_append(b, p->text + pos, p->text_len - pos);
}

static kc_status append_header(kc_buf *b, size_t number)
{
	return kc_buf_printf(b, "Passage %zu:\n", number);
}

kc_status kc_layout_build(kc_renderer *r, struct layout *l, int bare)
{
	size_t k = 0;
	kc_status st = KC_OK;

	r->ctx.len = 0;
	r->bare.len = 0;
	for (size_t i = 0; i < l->np && !st; i++) {
		struct rpass *p = &l->ps[i];
		if (!p->keep)
			continue;
		if (k++ && (st = kc_buf_append(&r->ctx, "\n\n", 2)))
			break;
		p->start = r->ctx.len;
		if (!(st = append_header(&r->ctx, p->number)))
			st = append_body(&r->ctx, l, p, 1, 0, 1);
		p->end = r->ctx.len;
		if (bare && !st && k > 1)
			st = kc_buf_append(&r->bare, "\n\n", 2);
		if (bare && !st && !(st = append_header(&r->bare, p->number)))
			st = append_body(&r->bare, l, p, 0, 0, 0);
	}
	if (!st)
		st = kc_buf_append(&r->ctx, "", 0);
	if (!st)
		st = kc_buf_append(&r->bare, "", 0);
	return st;
}

/* ---- counting ---- */

static kc_status count(kc_renderer *r, const kc_buf *b, size_t *n,
                       struct kc_error *err)
{
	return kc_tokenizer_count(r->tok, b->data ? b->data : "", b->len, n,
	                          err);
}

/* The tokens of "Passage N:\n" alone, counted once per renderer: the
 * fit loop asks for every kept passage's on every pass. */
static kc_status header_tokens(kc_renderer *r, size_t number, size_t *n,
                               struct kc_error *err)
{
	kc_buf *b = &r->scratch;
	kc_status st;

	if (number >= r->nheaders) {
		size_t cap = number * 2 + 64;
		uint32_t *h = realloc(r->headers, cap * sizeof *h);
		if (!h)
			return kc_error_nomem(err);
		memset(h + r->nheaders, 0, (cap - r->nheaders) * sizeof *h);
		r->headers = h;
		r->nheaders = cap;
	}
	if (r->headers[number]) {
		*n = r->headers[number] - 1;
		return KC_OK;
	}
	b->len = 0;
	if (append_header(b, number))
		return kc_error_nomem(err);
	if ((st = count(r, b, n, err)))
		return st;
	r->headers[number] = (uint32_t)*n + 1;
	return KC_OK;
}

/* May the header be counted apart from the body that follows it? */
static int hard_header(const struct rpass *p)
{
	return p->title_len > 0 && p->title[0] != '\n' && p->title[0] != '\r' &&
	       p->title[0] != '/';
}

/*
 * Where a pair goes, the text around it may be cut without changing how
 * either side is tokenized: after a stop with a space or tab next, or
 * after a newline with a letter or digit next.  There every supported
 * pre-tokenizer ends a pre-token before the pair and starts one after
 * it, so the pair adds its own tokens and nothing else changes.
 */
static int clean_cut(const struct rpass *p, size_t at)
{
	unsigned char before, next;

	if (at == 0 || at >= p->text_len)
		return 0;
	before = (unsigned char)p->text[at - 1];
	next = (unsigned char)p->text[at];
	if (before == '\n')
		return isascii(next) && isalnum(next);
	return next == ' ' || next == '\t';
}

static kc_status count_str(kc_renderer *r, const char *a, size_t na,
                           const char *z, size_t *n, struct kc_error *err)
{
	kc_buf *b = &r->scratch;

	b->len = 0;
	if (kc_buf_append(b, a, na) || kc_buf_puts(b, z))
		return kc_error_nomem(err);
	return kc_tokenizer_count(r->tok, b->data, b->len, n, err);
}

/* Is s a key of hex digits and dashes that starts and ends with a hex
 * digit (the default and default_N forms)? */
static int hex_key(const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	if (!n || !memchr(hex, s[0], 16) || !memchr(hex, s[n - 1], 16))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '-' && !memchr(hex, s[i], 16))
			return 0;
	return 1;
}

/* Tokens of one hex key, remembered for the record (a key is the value
 * of one pair and the key of the next). */
static kc_status key_cost(kc_renderer *r, struct layout *l, const char *k,
                          size_t n, size_t *cost, struct kc_error *err)
{
	uint64_t h = kc_hash64(k, n, 0x6b6579) | 1;
	size_t mask, i;
	kc_status st;

	if (!l->keys) {
		for (l->nkeys = 64; l->nkeys < 4 * l->nq; l->nkeys *= 2)
			;
		if (!(l->keys = calloc(l->nkeys, sizeof *l->keys)))
			return kc_error_nomem(err);
	}
	mask = l->nkeys - 1;
	for (i = (size_t)h & mask; l->keys[i].hash; i = (i + 1) & mask)
		if (l->keys[i].hash == h) {
			*cost = l->keys[i].cost;
			return KC_OK;
		}
	if ((st = kc_tokenizer_count(r->tok, k, n, cost, err)))
		return st;
	l->keys[i].hash = h;
	l->keys[i].cost = *cost;
	return KC_OK;
}

/*
 * The tokens a pair adds.  A pair of two hex keys is counted by parts:
 * ' {"' (or '{"' after a newline), the key, '": "', the key, '"}.': each
 * key starts and ends with a digit or a letter, which every supported
 * pre-tokenizer splits from the punctuation around it, and each key is
 * counted once for the record.  Other pairs are counted whole.
 */
static kc_status pair_cost(kc_renderer *r, struct layout *l,
                           const struct rpair *q, int nl, int blank_line,
                           size_t *cost, struct kc_error *err)
{
	kc_buf *b = &r->scratch;
	size_t k1, k2;
	kc_status st;

	if (!blank_line && hex_key(q->key, q->klen) &&
	    hex_key(q->value, q->vlen)) {
		if (!r->have_parts) {
			static const char *const parts[4] = { " {\"", "{\"",
			                                      "\": \"", "\"}." };
			for (int i = 0; i < 4; i++)
				if ((st = kc_tokenizer_count(r->tok, parts[i],
				                             strlen(parts[i]),
				                             &r->parts[i], err)))
					return st;
			r->have_parts = 1;
		}
		if ((st = key_cost(r, l, q->key, q->klen, &k1, err)) ||
		    (st = key_cost(r, l, q->value, q->vlen, &k2, err)))
			return st;
		*cost = r->parts[nl ? 1 : 0] + k1 + r->parts[2] + k2 + r->parts[3];
		return KC_OK;
	}
	b->len = 0;
	if (append_pair(b, q, nl) || (blank_line && kc_buf_append(b, "\n\n", 2)))
		return kc_error_nomem(err);
	return count(r, b, cost, err);
}

/*
 * *n = kc-fill's count of the passage (body + "\n\n") plus what its
 * pairs add; KC_EUNSUPPORTED when a pair is not at a clean cut.  Pairs
 * at the end of the text meet the blank line: the text's last run of
 * punctuation (".", ".\"") and the blank line were one pre-token, and
 * the last pair's ".\"}." and the blank line are one now, so the
 * difference is counted on those few bytes alone.
 */
static kc_status add_pairs(kc_renderer *r, struct layout *l, struct rpass *p,
                           size_t *n, struct kc_error *err)
{
	size_t total = p->base, k, end;
	kc_status st;

	for (end = p->npairs; end > 0 &&
	     l->qs[p->first_pair + end - 1].at == p->text_len; end--)
		;
	for (k = 0; k < p->npairs; k++) {
		struct rpair *q = &l->qs[p->first_pair + k];
		int last = k == p->npairs - 1 && k >= end;
		if (k < end && !clean_cut(p, q->at))
			return KC_EUNSUPPORTED;
		if (!q->have_cost || last) {
			if ((st = pair_cost(r, l, q, after_newline(l, p, k), last,
			                    &q->cost, err)))
				return st;
			q->have_cost = !last;
		}
		total += q->cost;
	}
	if (end < p->npairs) {
		/* The text's final punctuation, with the space before it. */
		size_t j = p->text_len, with, without;
		const unsigned char *t = (const unsigned char *)p->text;
		while (j > 0 && isascii(t[j - 1]) && ispunct(t[j - 1]))
			j--;
		if (j > 0 && t[j - 1] == ' ')
			j--;
		if (j == p->text_len || (j > 0 && !(isascii(t[j - 1]) &&
		                              isalnum(t[j - 1]))) ||
		    t[p->text_len - 1] == '\n')
			return KC_EUNSUPPORTED;
		if ((st = count_str(r, p->text + j, p->text_len - j, "\n\n", &with,
		                    err)) ||
		    (st = count_str(r, p->text + j, p->text_len - j, "", &without,
		                    err)))
			return st;
		if (total + without < with)
			return KC_EUNSUPPORTED;
		total = total + without - with;
	}
	*n = total;
	return KC_OK;
}

kc_status kc_layout_count(kc_renderer *r, struct layout *l,
                          struct kc_error *err)
{
	size_t kept = 0, k = 0, total = 0, n;
	kc_buf *b = &r->scratch;
	kc_status st;

	for (size_t i = 0; i < l->np; i++)
		if (l->ps[i].keep)
			l->ps[i].number = ++kept;
	if (!kept) {
		b->len = 0;
		if (kc_buf_append(b, l->prefix.s, l->prefix.len) ||
		    kc_buf_append(b, l->suffix.s, l->suffix.len))
			return kc_error_nomem(err);
		l->ctx_first = l->ctx_last = l->n_prefix;
		return count(r, b, &l->total, err);
	}
	if (l->hard_prefix)
		total = l->n_prefix;
	for (size_t i = 0; i < l->np; i++) {
		struct rpass *p = &l->ps[i];
		int last, soft_first;

		if (!p->keep)
			continue;
		k++;
		last = k == kept;
		soft_first = k == 1 && !l->hard_prefix;
		if (p->dirty) {
			p->have_sep = p->have_suf = 0;
			p->dirty = 0;
			for (size_t j = 0; j < p->npairs; j++)
				l->qs[p->first_pair + j].have_cost = 0;
		}
		b->len = 0;
		if (soft_first || !hard_header(p)) {
			/* Counted whole: prefix (first unit), header, body, tail. */
			if ((soft_first &&
			     kc_buf_append(b, l->prefix.s, l->prefix.len)) ||
			    append_header(b, p->number) ||
			    append_body(b, l, p, 1, 0, 0) ||
			    (last ? kc_buf_append(b, l->suffix.s, l->suffix.len)
			          : kc_buf_append(b, "\n\n", 2)))
				return kc_error_nomem(err);
			if ((st = count(r, b, &p->tokens, err)))
				return st;
		} else {
			size_t *cached = last ? &p->n_suf : &p->n_sep;
			int *have = last ? &p->have_suf : &p->have_sep;
			if (!*have && !last && p->have_base) {
				st = add_pairs(r, l, p, cached, err);
				if (st && st != KC_EUNSUPPORTED)
					return st;
				*have = !st;
			}
			if (!*have) {
				b->len = 0;
				if (append_body(b, l, p, 1, 0, 0) ||
				    (last ? kc_buf_append(b, l->suffix.s,
				                          l->suffix.len)
				          : kc_buf_append(b, "\n\n", 2)))
					return kc_error_nomem(err);
				if ((st = count(r, b, cached, err)))
					return st;
				*have = 1;
			}
			if ((st = header_tokens(r, p->number, &n, err)))
				return st;
			p->tokens = n + *cached;
		}
		p->token = soft_first ? 0 : total;
		total += p->tokens;
	}
	l->total = total;
	for (size_t i = 0; i < l->np; i++)
		if (l->ps[i].keep) {
			l->ctx_first = l->ps[i].token;
			break;
		}
	l->ctx_last = total > l->n_suffix ? total - l->n_suffix : total;
	return KC_OK;
}

/* Token offsets of the pairs of the real chain: each unit that holds
 * one is encoded on its own, as it was counted. */
kc_status kc_layout_locate(kc_renderer *r, struct layout *l,
                           struct kc_error *err)
{
	kc_buf *b = &r->scratch;
	size_t k = 0, kept = 0;
	kc_status st;

	for (size_t i = 0; i < l->np; i++)
		kept += l->ps[i].keep != 0;
	for (size_t i = 0; i < l->np; i++) {
		struct rpass *p = &l->ps[i];
		size_t body_at, lo;
		int real = 0;

		if (!p->keep)
			continue;
		k++;
		for (size_t j = 0; j < p->npairs; j++)
			real |= l->qs[p->first_pair + j].real;
		if (!real)
			continue;
		b->len = 0;
		if (k == 1 && !l->hard_prefix &&
		    kc_buf_append(b, l->prefix.s, l->prefix.len))
			return kc_error_nomem(err);
		if (append_header(b, p->number))
			return kc_error_nomem(err);
		body_at = b->len;
		if (append_body(b, l, p, 1, body_at, 1) ||
		    (k == kept ? kc_buf_append(b, l->suffix.s, l->suffix.len)
		               : kc_buf_append(b, "\n\n", 2)))
			return kc_error_nomem(err);
		if (!kc_tokenizer_exact(r->tok)) {
			/* No ids to place: the count of what comes before. */
			for (size_t j = 0; j < p->npairs; j++) {
				struct rpair *q = &l->qs[p->first_pair + j];
				size_t n;
				if (!q->real)
					continue;
				if ((st = kc_tokenizer_count(r->tok, b->data,
				                             body_at + q->byte, &n,
				                             err)))
					return st;
				q->token = p->token + n;
			}
			continue;
		}
		if ((st = kc_tokenizer_encode(r->tok, b->data, b->len, &r->toks, 1,
		                              err)))
			return st;
		for (size_t j = 0; j < p->npairs; j++) {
			struct rpair *q = &l->qs[p->first_pair + j];
			size_t at = body_at + q->byte, hi = r->toks.n;
			if (!q->real)
				continue;
			/* the first token starting at or after the pair */
			for (lo = 0; lo < hi;) {
				size_t mid = (lo + hi) / 2;
				if (r->toks.offsets[mid] < at)
					lo = mid + 1;
				else
					hi = mid;
			}
			q->token = p->token + lo;
		}
	}
	return KC_OK;
}

/* ---- moving pairs ---- */

/* The sentence ends of passage p, found once. */
static kc_status ends_of(struct rpass *p)
{
	size_t m;

	if (p->have_ends)
		return KC_OK;
	m = kc_sentence_ends(p->text, p->text_len, NULL, 0, NULL);
	if (!(p->ends = malloc((m + 1) * sizeof *p->ends)))
		return KC_ENOMEM;
	kc_sentence_ends(p->text, p->text_len, p->ends, m, NULL);
	p->nends = m;
	p->have_ends = 1;
	return KC_OK;
}

/* Is the sentence end `at` of passage i free: no pair there, and none
 * moved there by this call (taken[0..ntaken)) */
static int spot_free(const struct layout *l, size_t i, size_t at,
                     const struct rpair *const *taken, size_t ntaken)
{
	const struct rpass *p = &l->ps[i];

	for (size_t j = 0; j < p->npairs; j++)
		if (l->qs[p->first_pair + j].at == at)
			return 0;
	for (size_t j = 0; j < ntaken; j++)
		if (taken[j]->passage == i && taken[j]->at == at)
			return 0;
	return 1;
}

/*
 * Move the pairs of passage `from` elsewhere so that it can go: each to
 * a free sentence end of a kept passage drawn at random (a few draws),
 * or else right after another pair (a pair ends a sentence too).
 * KC_EBUDGET when there is neither.
 */
kc_status kc_layout_rehome(struct layout *l, size_t from, kc_rng *rng)
{
	struct rpass *ps = l->ps, *src = &l->ps[from];
	struct rpair *qs = l->qs;
	const struct rpair *taken[64];
	size_t ntaken = 0;

	for (size_t k = 0; k < src->npairs; k++) {
		struct rpair *q = &qs[src->first_pair + k];
		int moved = 0;

		for (int tries = 0; tries < 32 && !moved && ntaken < 64; tries++) {
			size_t i = (size_t)kc_rng_below(rng, l->np), nfree = 0;
			struct rpass *p = &ps[i];
			if (!p->keep || i == from)
				continue;
			if (ends_of(p))
				return KC_ENOMEM;
			for (size_t e = 0; e < p->nends; e++)
				nfree += spot_free(l, i, p->ends[e], taken, ntaken);
			if (!nfree)
				continue;
			nfree = (size_t)kc_rng_below(rng, nfree);
			for (size_t e = 0; e < p->nends; e++)
				if (spot_free(l, i, p->ends[e], taken, ntaken) &&
				    nfree-- == 0) {
					q->passage = i;
					q->at = p->ends[e];
					break;
				}
			moved = 1;
		}
		if (!moved) {
			size_t j = (size_t)kc_rng_below(rng, l->nq), tries = 0;
#define CANNOT_STACK(j) (qs[j].passage == from || \
	!ps[qs[j].passage].keep || !kc_sentence_stackable( \
	ps[qs[j].passage].text, ps[qs[j].passage].text_len, qs[j].at))
			while (CANNOT_STACK(j) && ++tries < l->nq)
				j = (j + 1) % l->nq;
			if (CANNOT_STACK(j))
				return KC_EBUDGET;
#undef CANNOT_STACK
			q->passage = qs[j].passage;
			q->at = qs[j].at;
		}
		if (ntaken < 64)
			taken[ntaken++] = q;
		ps[q->passage].dirty = 1;
		q->have_cost = 0;
	}
	index_pairs(l);
	return KC_OK;
}

/* ---- provenance ---- */

/* FNV-1a 64 of title + "\n" + text, in hex: a plain, documented hash a
 * verifier can recompute to prove an own passage arrived intact. */
static void fnv1a_hex(const struct rpass *p, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *parts[3] = { (const unsigned char *)p->title,
	                                  (const unsigned char *)"\n",
	                                  (const unsigned char *)p->text };
	size_t lens[3] = { p->title_len, 1, p->text_len };

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < lens[k]; i++) {
			h ^= parts[k][i];
			h *= 0x100000001b3ULL;
		}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

json_t *kc_layout_provenance(const struct layout *l)
{
	json_t *own = json_array(), *chain = json_array();
	double span = l->ctx_last > l->ctx_first ?
	              (double)(l->ctx_last - l->ctx_first) : 1;

	for (size_t i = 0; i < l->np; i++) {
		const struct rpass *p = &l->ps[i];
		char fnv[17];
		if (!p->keep || p->doc < 0)
			continue;
		fnv1a_hex(p, fnv);
		json_array_append_new(own, json_pack(
		        "{s:I,s:I,s:I,s:f,s:s%,s:s}", "doc", (json_int_t)p->doc,
		        "passage", (json_int_t)p->number,
		        "token", (json_int_t)p->token,
		        "depth", (double)(p->token - l->ctx_first) / span,
		        "title", p->title, p->title_len, "fnv1a64", fnv));
	}
	for (size_t i = 0; i < l->nq; i++) {
		const struct rpair *q = &l->qs[i];
		double d;
		if (!q->real)
			continue;
		d = (double)(q->token - l->ctx_first) / span;
		json_array_append_new(chain, json_pack(
		        "{s:I,s:s%,s:I,s:I,s:f}", "hop", (json_int_t)q->hop,
		        "key", q->key, q->klen,
		        "passage", (json_int_t)l->ps[q->passage].number,
		        "token", (json_int_t)q->token,
		        "depth", d > 1 ? 1.0 : d));
	}
	return json_pack("{s:o,s:o}", "own", own, "chain", chain);
}
