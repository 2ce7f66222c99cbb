/*
 * concat.c - the exact token count of a concatenation of pieces,
 * without tokenizing again what was tokenized before.
 *
 * A prompt is assembled from parts (a template, "Passage 1:\n", a
 * passage, "\n\n", ...) and counted again and again while a context is
 * filled.  Counting the joined text is exact but costs the whole text
 * each time.  Instead, each piece is analysed once, on its own, and the
 * analysis is kept (the memo, keyed by a 128-bit hash of the bytes):
 *
 *   - whether it is "plain": valid UTF-8, already normalized, holding no
 *     added token nor the start of one that a following piece could
 *     complete, and (for NFC tokenizers) not starting with a character
 *     NFC could join to what comes before.  Joining plain pieces then
 *     changes only pre-tokenization, and only near each junction;
 *   - where its first few pre-tokens start (the "head") and how many tokens
 *     come before each;
 *   - its "tail": the pre-tokens whose matching looked at the end of the
 *     piece (the regexes look one character ahead, and further over runs
 *     of whitespace), which a following piece may change, and the count of
 *     tokens before the tail.
 *
 * The pre-tokenizer scans left to right and starts each match afresh, with
 * no look-behind, so once the scan of the joined text reaches a position
 * where the piece's own scan also started a pre-token, the rest of the
 * piece up to its tail is known.  So the count of the joined text is, per
 * junction, a short scan of "previous tail + next head" until such a
 * resynchronization, plus the memo's counts.  When a piece has no such
 * point (one long word across the junction, say), the joined text is
 * scanned instead, and whatever part of it can no longer change is
 * counted and dropped.  From a piece that is not plain on, the rest of
 * the text is joined and counted the ordinary way (all of it, when that
 * piece could reach back into what was counted: see local_fallback).
 * Either way the count is exact; the fuzzer (tests/fuzz/fuzz-tok.c)
 * checks it against kc_tokenizer_count on random cuts.
 */
#include <stdlib.h>

#include "core/private.h"
#include "tok/private.h"

#define HEAD 4
#define MEMO_MAX ((size_t)1 << 19)        /* entries (64 bytes); then afresh */
#define CARRY_MAX ((size_t)1 << 18)       /* a tail this long: fall back */

struct memo_ent {
	uint64_t h1, h2;
	uint32_t len;
	uint8_t used, plain, nhead;
	uint32_t tail_start, tail_count;
	uint32_t head_start[HEAD];   /* pre-token starts after 0 */
	uint32_t head_count[HEAD];   /* tokens before each */
};

struct memo {
	struct memo_ent *ents;
	size_t mask, n;
	kc_buf carry, buf, all;
};

void kc_tok_memo_free(kc_tokenizer *tok)
{
	struct memo *m = tok->memo;

	if (!m)
		return;
	free(m->ents);
	kc_buf_release(&m->carry);
	kc_buf_release(&m->buf);
	kc_buf_release(&m->all);
	free(m);
	tok->memo = NULL;
}

/* Two independent 64-bit hashes of the bytes, in one pass. */
static void hash128(const uint8_t *p, size_t n, uint64_t *h1, uint64_t *h2)
{
	uint64_t a = 0x9E3779B97F4A7C15ULL ^ n, b = 0x2545F4914F6CDD1DULL + n, v;

	while (n >= 8) {
		memcpy(&v, p, 8);
		a = (a ^ v) * 0xbf58476d1ce4e5b9ULL;
		b = (b + v) * 0x9FB21C651E98DF25ULL;
		a ^= a >> 29;
		b ^= b >> 28;
		p += 8;
		n -= 8;
	}
	v = 0;
	memcpy(&v, p, n);
	a = (a ^ v) * 0x94d049bb133111ebULL;
	b = (b + v) * 0xC2B2AE3D27D4EB4FULL;
	*h1 = tk_mix(a);
	*h2 = tk_mix(b ^ (b >> 33));
}

/* The tokens of one pre-token. */
static long word_count(kc_tokenizer *tok, const uint8_t *s, size_t n)
{
	const uint32_t *ids;

	return kc_tok_word(tok, s, n, &ids);
}

static int is_plain(kc_tokenizer *tok, const uint8_t *s, size_t n)
{
	const uint8_t *o;
	size_t ol;

	if (n > UINT32_MAX || kc_utf8_valid_prefix((const char *)s, n) != n)
		return 0;
	if (kc_tok_trie_touches(&tok->trie_raw, s, n) ||
	    kc_tok_trie_touches(&tok->trie_norm, s, n))
		return 0;
	if (tok->nfc) {
		if (kc_tok_nfc_joins_left(s, n))
			return 0;
		if (kc_tok_nfc(s, n, &tok->norm2, &o, &ol, NULL, 0) || o != s)
			return 0;
	}
	return 1;
}

/* Analyse a plain piece on its own; -1 when out of memory. */
static int analyse(kc_tokenizer *tok, const uint8_t *s, size_t n,
                   struct memo_ent *e)
{
	size_t pos = 0, seen, count = 0;
	int stable = 1;

	e->nhead = 0;
	e->tail_start = 0;
	e->tail_count = 0;
	while (pos < n) {
		size_t end = kc_tok_pretok_next(tok->pretok, s, n, pos, &seen);
		long k = word_count(tok, s + pos, end - pos);

		if (k < 0)
			return -1;
		if (stable && seen > n) {
			stable = 0;
			e->tail_start = (uint32_t)pos;
			e->tail_count = (uint32_t)count;
		}
		count += (size_t)k;
		pos = end;
		if (pos < n && e->nhead < HEAD) {
			e->head_start[e->nhead] = (uint32_t)pos;
			e->head_count[e->nhead] = (uint32_t)count;
			e->nhead++;
		}
	}
	if (stable) {   /* only for an empty piece */
		e->tail_start = (uint32_t)n;
		e->tail_count = (uint32_t)count;
	}
	return 0;
}

static struct memo_ent *lookup(kc_tokenizer *tok, struct memo *m,
                               const uint8_t *s, size_t n)
{
	uint64_t h1, h2;
	struct memo_ent *e;
	size_t j;

	hash128(s, n, &h1, &h2);
	if (m->n + 1 > MEMO_MAX) {
		memset(m->ents, 0, (m->mask + 1) * sizeof *m->ents);
		m->n = 0;
	}
	if ((m->n + 1) * 2 > m->mask + 1) {
		size_t cap = m->mask ? (m->mask + 1) * 2 : 1024;
		struct memo_ent *v = calloc(cap, sizeof *v);

		if (!v)
			return NULL;
		for (size_t i = 0; m->ents && i <= m->mask; i++) {
			if (!m->ents[i].used)
				continue;
			for (j = m->ents[i].h1 & (cap - 1); v[j].used; j = (j + 1) & (cap - 1))
				;
			v[j] = m->ents[i];
		}
		free(m->ents);
		m->ents = v;
		m->mask = cap - 1;
	}
	for (j = h1 & m->mask; m->ents[j].used; j = (j + 1) & m->mask) {
		e = &m->ents[j];
		if (e->h1 == h1 && e->h2 == h2 && e->len == n)
			return e;
	}
	e = &m->ents[j];
	memset(e, 0, sizeof *e);
	e->h1 = h1;
	e->h2 = h2;
	e->len = (uint32_t)n;
	e->plain = (uint8_t)is_plain(tok, s, n);
	if (e->plain && analyse(tok, s, n, e))
		return NULL;
	e->used = 1;
	m->n++;
	return e;
}

/*
 * Count and drop the part of the carry that no following text can change:
 * the pre-tokens whose match did not look at its end.
 */
static int settle(kc_tokenizer *tok, kc_buf *carry, size_t *total)
{
	const uint8_t *s = (const uint8_t *)carry->data;
	size_t n = carry->len, pos = 0, seen;

	while (pos < n) {
		size_t end = kc_tok_pretok_next(tok->pretok, s, n, pos, &seen);
		long k;

		if (seen > n)
			break;
		if ((k = word_count(tok, s + pos, end - pos)) < 0)
			return -1;
		*total += (size_t)k;
		pos = end;
	}
	memmove(carry->data, carry->data + pos, n - pos);
	carry->len = n - pos;
	return 0;
}

/*
 * Join piece p (memo e) after the carry.  Returns 1 when the scan of
 * carry + p met p's own pre-token starts (then the carry becomes p's
 * tail), 0 when it did not (the caller joins the texts instead), -1 when
 * out of memory.
 */
static int junction(kc_tokenizer *tok, struct memo *m, const uint8_t *p,
                    const struct memo_ent *e, size_t *total)
{
	size_t cl = m->carry.len, limit, pos = 0, seen, acc = 0;
	const uint8_t *s;

	/* carry + the head of p, and a little more for the look-ahead */
	limit = e->nhead ? e->head_start[e->nhead - 1] + 16 : 16;
	if (limit > e->len)
		limit = e->len;
	while (limit < e->len && (p[limit] & 0xC0) == 0x80)
		limit--;   /* whole characters only */
	m->buf.len = 0;
	if (kc_buf_append(&m->buf, m->carry.data, cl) ||
	    kc_buf_append(&m->buf, p, limit))
		return -1;
	s = (const uint8_t *)m->buf.data;
	while (pos < m->buf.len) {
		size_t end = kc_tok_pretok_next(tok->pretok, s, m->buf.len, pos,
		                                &seen);
		long k;

		if (seen > m->buf.len)
			return 0;
		if ((k = word_count(tok, s + pos, end - pos)) < 0)
			return -1;
		acc += (size_t)k;
		pos = end;
		if (pos < cl)
			continue;
		size_t off = pos - cl;
		if (off > e->tail_start)
			return 0;
		for (int h = -1; h < (int)e->nhead; h++) {
			size_t st = h < 0 ? 0 : e->head_start[h];
			size_t before = h < 0 ? 0 : e->head_count[h];

			if (st != off)
				continue;
			*total += acc + (e->tail_count - before);
			m->carry.len = 0;
			if (kc_buf_append(&m->carry, p + e->tail_start,
			                  e->len - e->tail_start))
				return -1;
			return 1;
		}
	}
	return 0;
}

/*
 * Can counting go on with text t (the carry and the pieces left) alone,
 * after the part already counted?  That part is plain text that ended at
 * a pre-token boundary no later text can move, with no added token begun
 * in it.  What could still reach back into it: NFC, when t starts with a
 * character that composes with or reorders across what came before ("K",
 * then U+0328 U+0301 makes K-acute; the U+0301 may even come split over
 * two pieces); an added token with lstrip (it takes the spaces before it)
 * or single_word (it looks at the character before it).
 */
static int local_fallback(const kc_tokenizer *tok, const uint8_t *t, size_t n)
{
	if (tok->nfc && kc_tok_nfc_joins_left(t, n))
		return 0;
	for (size_t i = 0; i < tok->n_added; i++)
		if (tok->added[i].lstrip || tok->added[i].single_word)
			return 0;
	return 1;
}

/*
 * The plain way: join the carry and the pieces from `from` on and count
 * that, or, when that text could reach back into what was counted (see
 * local_fallback), join and count everything.  *count gets what is
 * counted here; the caller adds what it counted before, or 0 when this
 * returns with *restarted set.
 */
static kc_status count_joined(kc_tokenizer *tok, struct memo *m,
                              const struct kc_strref *pieces, size_t n,
                              size_t from, size_t *count, int *restarted,
                              struct kc_error *err)
{
	*restarted = 0;
	for (int pass = 0; pass < 2; pass++) {
		m->all.len = 0;
		if (kc_buf_append(&m->all, m->carry.data, m->carry.len))
			return kc_error_nomem(err);
		for (size_t i = from; i < n; i++)
			if (kc_buf_append(&m->all, pieces[i].s, pieces[i].len))
				return kc_error_nomem(err);
		if (pass == 1 || from == 0 ||
		    local_fallback(tok, (const uint8_t *)m->all.data, m->all.len))
			break;
		m->carry.len = 0;
		from = 0;
		*restarted = 1;
	}
	return kc_tokenizer_count(tok, m->all.data ? m->all.data : "",
	                          m->all.len, count, err);
}

kc_status kc_tokenizer_count_concat(kc_tokenizer *tok,
                                    const struct kc_strref *pieces, size_t n,
                                    size_t *count, struct kc_error *err)
{
	struct memo *m = tok->memo;
	size_t total = 0;
	int started = 0;

	*count = 0;
	if (!m) {
		if (!(m = calloc(1, sizeof *m)))
			return kc_error_nomem(err);
		kc_buf_init(&m->carry, 0);
		kc_buf_init(&m->buf, 0);
		kc_buf_init(&m->all, 0);
		tok->memo = m;
	}
	m->carry.len = 0;
	if (tok->kind == TK_KIND_APPROX) {
		int restarted;

		return count_joined(tok, m, pieces, n, 0, count, &restarted, err);
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = (const uint8_t *)pieces[i].s;
		const struct memo_ent *e;
		int r;

		if (pieces[i].len == 0)
			continue;
		if (!(e = lookup(tok, m, p, pieces[i].len)))
			goto nomem;
		if (!e->plain || m->carry.len > CARRY_MAX) {
			int restarted;
			kc_status st = count_joined(tok, m, pieces, n, i, count,
			                            &restarted, err);

			if (!restarted)
				*count += total;
			return st;
		}
		if (!started) {
			/* the start of the text: p's own scan is the scan */
			started = 1;
			total += e->tail_count;
			m->carry.len = 0;
			if (kc_buf_append(&m->carry, p + e->tail_start,
			                  e->len - e->tail_start))
				goto nomem;
			continue;
		}
		if ((r = junction(tok, m, p, e, &total)) < 0)
			goto nomem;
		if (r == 0 && (kc_buf_append(&m->carry, p, e->len) ||
		               settle(tok, &m->carry, &total)))
			goto nomem;
	}
	/* the carry ends the text */
	{
		const uint8_t *s = (const uint8_t *)m->carry.data;
		size_t pos = 0, seen, len = m->carry.len;

		while (pos < len) {
			size_t end = kc_tok_pretok_next(tok->pretok, s, len, pos, &seen);
			long k = word_count(tok, s + pos, end - pos);

			if (k < 0)
				goto nomem;
			total += (size_t)k;
			pos = end;
		}
	}
	*count = total;
	return KC_OK;
nomem:
	return kc_error_nomem(err);
}
