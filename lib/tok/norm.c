/*
 * norm.c - make text what the reference tokenizers see: valid UTF-8,
 * then (for tokenizers whose normalizer says so) NFC as Hugging Face's
 * Rust code computes it.
 *
 * Invalid UTF-8.  The references take strings; kc takes bytes and reads
 * them as Python's bytes.decode("utf-8", errors="replace") and node's
 * TextDecoder do: each maximal subpart of an ill-formed sequence (a lead
 * byte and the continuation bytes that may follow it, stopping at the
 * first byte that cannot) becomes one U+FFFD, and a byte that cannot
 * start a sequence is one U+FFFD on its own.
 *
 * NFC.  Hugging Face's normalizer uses Unicode 9.0 data.  Since the
 * normalization data of an assigned character never changes, 9.0's NFC is
 * today's NFC (utf8proc) applied as if characters assigned after 9.0 were
 * unassigned: inert starters that nothing composes with or reorders
 * across.  Most text is already normalized, so the work is done only
 * around characters flagged TK_NFC (assigned in 9.0, and either a
 * non-starter or not NFC_QC=Yes): such a run, with the starter before it,
 * is decomposed, put in canonical order (a stable counting sort, so a
 * megabyte of combining marks stays linear; utf8proc's own ordering is a
 * bubble sort), and composed by utf8proc.
 */
#include <stdlib.h>
#include <utf8proc.h>

#include "tok/private.h"

kc_status kc_tok_edits_add(struct tk_edits *e, size_t opos, size_t olen,
                           size_t ipos, size_t ilen)
{
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 16;
		struct tk_edit *v = realloc(e->v, cap * sizeof *v);

		if (!v)
			return KC_ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n++] = (struct tk_edit){ opos, olen, ipos, ilen };
	return KC_OK;
}

size_t kc_tok_edits_map(const struct tk_edits *e, size_t p)
{
	size_t lo = 0, hi = e->n;
	const struct tk_edit *d;

	/* the last edit starting at or before p */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (e->v[mid].opos <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return p;
	d = &e->v[lo - 1];
	if (p < d->opos + d->olen)
		return d->ipos;
	return p - (d->opos + d->olen) + (d->ipos + d->ilen);
}

/* ------------------------------------------------------------------ */
/* UTF-8 validation and repair. */

/*
 * The length of the valid sequence at s[0..n), or 0 when it is not valid;
 * then *bad gets the length of its maximal subpart (>= 1).
 */
static size_t seq(const uint8_t *s, size_t n, size_t *bad)
{
	uint8_t b = s[0], lo = 0x80, hi = 0xBF;
	size_t need, k;

	if (b < 0x80)
		return 1;
	if (b >= 0xC2 && b <= 0xDF)
		need = 2;
	else if (b >= 0xE0 && b <= 0xEF) {
		need = 3;
		if (b == 0xE0)
			lo = 0xA0;
		else if (b == 0xED)
			hi = 0x9F;
	} else if (b >= 0xF0 && b <= 0xF4) {
		need = 4;
		if (b == 0xF0)
			lo = 0x90;
		else if (b == 0xF4)
			hi = 0x8F;
	} else {
		*bad = 1;
		return 0;
	}
	for (k = 1; k < need; k++) {
		if (k >= n || s[k] < lo || s[k] > hi) {
			*bad = k;
			return 0;
		}
		lo = 0x80;
		hi = 0xBF;
	}
	return need;
}

/* The length of the longest valid prefix. */
static size_t valid_prefix(const uint8_t *s, size_t n)
{
	size_t i = 0, bad;

	while (i < n) {
		uint64_t w;
		size_t k;

		if (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				i += 8;
				continue;
			}
		}
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		k = seq(s + i, n - i, &bad);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

kc_status kc_tok_sanitize(const uint8_t *s, size_t n, kc_buf *buf,
                          const uint8_t **out, size_t *out_len,
                          struct tk_edits *edits)
{
	size_t i = valid_prefix(s, n), k, bad;

	if (i == n) {
		*out = s;
		*out_len = n;
		return KC_OK;
	}
	buf->len = 0;
	if (kc_buf_append(buf, s, i))
		return KC_ENOMEM;
	while (i < n) {
		size_t j = i + valid_prefix(s + i, n - i);

		if (j > i && kc_buf_append(buf, s + i, j - i))
			return KC_ENOMEM;
		i = j;
		if (i == n)
			break;
		k = seq(s + i, n - i, &bad);
		(void)k;
		if (edits && kc_tok_edits_add(edits, buf->len, 3, i, bad))
			return KC_ENOMEM;
		if (kc_buf_append(buf, "\xEF\xBF\xBD", 3))
			return KC_ENOMEM;
		i += bad;
	}
	*out = (const uint8_t *)buf->data;
	*out_len = buf->len;
	return KC_OK;
}

/* ------------------------------------------------------------------ */
/* NFC. */

static int assigned_in_9(uint32_t cp)
{
	size_t lo = 0, hi = kc_tok_v9_nranges;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (kc_tok_v9_ranges[mid][1] < cp)
			lo = mid + 1;
		else if (kc_tok_v9_ranges[mid][0] > cp)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

static inline unsigned class_at(const uint8_t *s, size_t *len)
{
	if (s[0] < 0x80) {
		*len = 1;
		return 0;
	}
	return tk_class(tk_decode(s, len));
}

int kc_tok_nfc_joins_left(const uint8_t *s, size_t n)
{
	size_t len, bad;

	/* an invalid first sequence becomes U+FFFD, which joins nothing */
	if (n == 0 || seq(s, n, &bad) == 0)
		return 0;
	return (class_at(s, &len) & TK_NFC) != 0;
}

/* Scratch for one run: code points and a sort buffer. */
struct run {
	utf8proc_int32_t *cp, *tmp;
	size_t n, cap;
};

static int run_reserve(struct run *r, size_t need)
{
	if (need <= r->cap)
		return 0;
	size_t cap = r->cap ? r->cap : 64;
	while (cap < need)
		cap *= 2;
	utf8proc_int32_t *a = realloc(r->cp, cap * sizeof *a);
	if (!a)
		return -1;
	r->cp = a;
	a = realloc(r->tmp, cap * sizeof *a);
	if (!a)
		return -1;
	r->tmp = a;
	r->cap = cap;
	return 0;
}

/* Canonical order: a stable sort of each run of non-starters by class. */
static void canonical_order(struct run *r)
{
	size_t i = 0, count[256], k, at;

	while (i < r->n) {
		size_t j = i;

		while (j < r->n && utf8proc_get_property(r->cp[j])->combining_class)
			j++;
		if (j - i > 1) {
			memset(count, 0, sizeof count);
			for (k = i; k < j; k++)
				count[utf8proc_get_property(r->cp[k])->combining_class]++;
			for (k = 0, at = 0; k < 256; k++) {
				size_t c = count[k];

				count[k] = at;
				at += c;
			}
			for (k = i; k < j; k++)
				r->tmp[count[utf8proc_get_property(r->cp[k])->combining_class]++] =
					r->cp[k];
			memcpy(r->cp + i, r->tmp, (j - i) * sizeof *r->cp);
		}
		i = j > i ? j : i + 1;
	}
}

/* Normalize s[0..n) (valid UTF-8, no post-9.0 code point) into buf. */
static kc_status nfc_run(const uint8_t *s, size_t n, kc_buf *buf,
                         struct run *r)
{
	size_t i = 0, len;
	utf8proc_ssize_t m;
	int bc = 0;

	r->n = 0;
	while (i < n) {
		uint32_t cp = tk_decode(s + i, &len);
		utf8proc_int32_t tmp[32];

		m = utf8proc_decompose_char((utf8proc_int32_t)cp, tmp, 32,
		                            UTF8PROC_STABLE | UTF8PROC_COMPOSE, &bc);
		if (m < 0 || m > 32)
			return KC_EINVAL;
		if (run_reserve(r, r->n + (size_t)m))
			return KC_ENOMEM;
		memcpy(r->cp + r->n, tmp, (size_t)m * sizeof *tmp);
		r->n += (size_t)m;
		i += len;
	}
	canonical_order(r);
	m = utf8proc_normalize_utf32(r->cp, (utf8proc_ssize_t)r->n,
	                             UTF8PROC_STABLE | UTF8PROC_COMPOSE);
	if (m < 0)
		return KC_EINVAL;
	if (kc_buf_reserve(buf, (size_t)m * 4 + 1))
		return KC_ENOMEM;
	for (utf8proc_ssize_t k = 0; k < m; k++)
		buf->len += (size_t)utf8proc_encode_char(
			r->cp[k], (utf8proc_uint8_t *)buf->data + buf->len);
	return KC_OK;
}

kc_status kc_tok_nfc(const uint8_t *s, size_t n, kc_buf *buf,
                     const uint8_t **out, size_t *out_len,
                     struct tk_edits *edits, size_t base)
{
	size_t i = 0, done = 0, prev = (size_t)-1, len;
	struct run r = { 0 };
	kc_status st = KC_OK;
	int copying = 0, changed = 0;

	while (i < n) {
		uint64_t w;

		if (i + 8 <= n) {
			memcpy(&w, s + i, 8);
			if (!(w & 0x8080808080808080ULL)) {
				i += 8;
				prev = i - 1;
				continue;
			}
		}
		if (s[i] < 0x80) {
			prev = i++;
			continue;
		}
		unsigned c = class_at(s + i, &len);
		if (!(c & TK_NFC)) {
			prev = i;
			i += len;
			continue;
		}
		/* A run of flagged characters, with the starter before it when
		 * that starter existed in Unicode 9.0. */
		size_t start = i, end = i + len;
		while (end < n && (class_at(s + end, &len) & TK_NFC))
			end += len;
		if (prev != (size_t)-1 && prev >= done) {
			size_t l;
			uint32_t cp = tk_decode(s + prev, &l);

			if (cp < 0x80 || assigned_in_9(cp))
				start = prev;
		}
		if (!copying) {
			buf->len = 0;
			copying = 1;
		}
		if (kc_buf_append(buf, s + done, start - done)) {
			st = KC_ENOMEM;
			break;
		}
		size_t at = buf->len;
		if ((st = nfc_run(s + start, end - start, buf, &r)))
			break;
		if (buf->len - at != end - start ||
		    memcmp(buf->data + at, s + start, end - start)) {
			changed = 1;
			if (edits && kc_tok_edits_add(edits, at, buf->len - at,
			                              base + start, end - start)) {
				st = KC_ENOMEM;
				break;
			}
		}
		done = end;
		i = end;
		prev = (size_t)-1;
	}
	free(r.cp);
	free(r.tmp);
	if (st)
		return st;
	if (!changed) {   /* most text: nothing to do, or nothing changed */
		*out = s;
		*out_len = n;
		return KC_OK;
	}
	if (kc_buf_append(buf, s + done, n - done))
		return KC_ENOMEM;
	*out = (const uint8_t *)buf->data;
	*out_len = buf->len;
	return KC_OK;
}
