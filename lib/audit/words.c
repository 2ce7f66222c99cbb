/*
 * words.c - the context as words, and the candidates' words.
 *
 * A word is a run of letters, marks and digits; two hashes are kept of
 * it, lower-cased (for the lexical solvers) and as written (for names).
 * A content word is any word but an English stop word or a single
 * letter.  The context (the passages with the pairs and the "Passage
 * N:" headers skipped) gives:
 *
 *   table    each content word with its document frequency (the number
 *            of passages holding it) and the list of those passages;
 *   grams    the hashes of every run of 1 to 4 words as written, for the
 *            names of the entity solver;
 *   cwords   every word in order (but a, an, the) for the answer search.
 *
 * Each candidate's words go to qwords, each pointing at its table entry.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "audit/private.h"

#define FNV_PRIME 0x100000001b3ULL
#define FNV_BASIS 0xcbf29ce484222325ULL

/* English function words. */
static const char *const stop[] = {
	"a", "about", "above", "after", "again", "against", "all", "also",
	"am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
	"before", "being", "below", "between", "both", "but", "by", "can",
	"could", "did", "do", "does", "doing", "down", "during", "each",
	"either", "few", "for", "from", "further", "had", "has", "have",
	"having", "he", "her", "here", "hers", "herself", "him", "himself",
	"his", "how", "i", "if", "in", "into", "is", "it", "its", "itself",
	"just", "me", "more", "most", "my", "myself", "neither", "no", "nor",
	"not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
	"ours", "ourselves", "out", "over", "own", "same", "she", "should",
	"so", "some", "such", "than", "that", "the", "their", "theirs", "them",
	"themselves", "then", "there", "these", "they", "this", "those",
	"through", "to", "too", "under", "until", "up", "very", "was", "we",
	"were", "what", "when", "where", "which", "while", "who", "whom",
	"whose", "why", "will", "with", "would", "you", "your", "yours",
	"yourself", "yourselves",
};

/* Lower-case words that may stand inside a name ("Bank of England",
 * "Vincent van Gogh"). */
static const char *const connectors[] = {
	"al", "bin", "da", "de", "del", "den", "der", "des", "di", "du", "el",
	"ibn", "la", "le", "of", "the", "van", "von", "y",
};

/*
 * The two lists as sets of word hashes, built once (pthread_once: the
 * library may run in several threads at once).  A word is hashed as
 * audit_words() hashes it: FNV-1a over its lower-cased code points.
 */
#define SET_SIZE 512
static uint64_t stop_set[SET_SIZE], connector_set[SET_SIZE];
static pthread_once_t sets_once = PTHREAD_ONCE_INIT;

static uint64_t fnv(const char *s)
{
	uint64_t h = FNV_BASIS;

	while (*s)
		h = (h ^ (unsigned char)*s++) * FNV_PRIME;
	return h | !h;
}

static void set_add(uint64_t *set, uint64_t h)
{
	size_t i = (size_t)h & (SET_SIZE - 1);

	while (set[i] && set[i] != h)
		i = (i + 1) & (SET_SIZE - 1);
	set[i] = h;
}

static int set_has(const uint64_t *set, uint64_t h)
{
	for (size_t i = (size_t)h & (SET_SIZE - 1); set[i];
	     i = (i + 1) & (SET_SIZE - 1))
		if (set[i] == h)
			return 1;
	return 0;
}

static void sets_build(void)
{
	for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
		set_add(stop_set, fnv(stop[i]));
	for (size_t i = 0; i < sizeof connectors / sizeof *connectors; i++)
		set_add(connector_set, fnv(connectors[i]));
}

static int word_cp(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_NO);
}

static int upper_cp(int32_t cp)
{
	utf8proc_category_t c = utf8proc_category(cp);

	return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* The code point at s[0..n) and its length; an invalid byte is -1, 1. */
static size_t next_cp(const char *s, size_t n, int32_t *cp)
{
	utf8proc_ssize_t k;

	if ((unsigned char)*s < 0x80) {
		*cp = (unsigned char)*s;
		return 1;
	}
	k = utf8proc_iterate((const utf8proc_uint8_t *)s,
	                     (utf8proc_ssize_t)(n < 4 ? n : 4), cp);
	if (k <= 0) {
		*cp = -1;
		return 1;
	}
	return (size_t)k;
}

static int is_word_cp(int32_t cp)
{
	if (cp < 0)
		return 0;
	if (cp < 0x80)
		return (cp >= '0' && cp <= '9') || ((cp | 32) >= 'a' && (cp | 32) <= 'z');
	return word_cp(cp);
}

int audit_words(const char *s, size_t n, audit_word_fn fn, void *ctx)
{
	size_t i = 0;
	int seen = 0, joined = 0;

	pthread_once(&sets_once, sets_build);
	while (i < n) {
		struct audit_qword w;
		uint64_t lower, exact;   /* in registers, not in w */
		size_t start = i, k, ncp = 0;
		int32_t cp, lc;
		int rc;

		k = next_cp(s + i, n - i, &cp);
		if (!is_word_cp(cp)) {
			/* only ' ', '-' and '.' between two words join them */
			if (s[i] != ' ' && s[i] != '-' && s[i] != '.')
				joined = 0;
			i += k;
			continue;
		}
		memset(&w, 0, sizeof w);
		w.capital = cp < 0x80 ? cp >= 'A' && cp <= 'Z' : upper_cp(cp);
		w.number = cp >= '0' && cp <= '9';
		w.joined = seen && joined;
		lower = exact = FNV_BASIS;
		while (i < n && is_word_cp(cp)) {
			lc = cp < 0x80 ? (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp)
			               : utf8proc_tolower(cp);
			lower = (lower ^ (uint64_t)lc) * FNV_PRIME;
			exact = (exact ^ (uint64_t)cp) * FNV_PRIME;
			ncp++;
			i += k;
			if (i < n)
				k = next_cp(s + i, n - i, &cp);
		}
		w.lower = lower;
		w.exact = exact;
		w.lower |= !w.lower;
		w.exact |= !w.exact;
		/* a single letter is no content word, a single digit is */
		w.content = ncp > 1 ? !set_has(stop_set, w.lower) : w.number;
		w.connector = !w.capital && set_has(connector_set, w.lower);
		if ((rc = fn(ctx, &w, start)))
			return rc;
		seen = 1;
		joined = 1;
	}
	return 0;
}

/* ---- the context's tables ---- */

static kc_status table_grow(struct audit_rec *r)
{
	size_t cap = r->tablecap ? r->tablecap * 2 : 4096;
	struct audit_entry *t = calloc(cap, sizeof *t), *old = r->table;

	if (!t)
		return KC_ENOMEM;
	for (size_t i = 0; i < r->tablecap; i++) {
		size_t j;
		if (!old[i].lower)
			continue;
		for (j = (size_t)old[i].lower & (cap - 1); t[j].lower;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = old[i];
	}
	free(old);
	r->table = t;
	r->tablecap = cap;
	return KC_OK;
}

static size_t slot_of(const struct audit_rec *r, uint64_t lower)
{
	size_t mask = r->tablecap - 1, i = (size_t)lower & mask;

	while (r->table[i].lower && r->table[i].lower != lower)
		i = (i + 1) & mask;
	return i;
}

/* The entry of a lower-case hash in the context's table, or NULL. */
static const struct audit_entry *lookup(const struct audit_rec *r,
                                        uint64_t lower)
{
	const struct audit_entry *e;

	if (!r->tablecap)
		return NULL;
	e = &r->table[slot_of(r, lower)];
	return e->lower ? e : NULL;
}

/* Count a content word seen in passage p. */
static kc_status table_add(struct audit_rec *r, uint64_t lower, uint32_t p)
{
	struct audit_entry *e;

	if ((r->tablen + 1) * 2 > r->tablecap && table_grow(r))
		return KC_ENOMEM;
	e = &r->table[slot_of(r, lower)];
	if (!e->lower) {
		e->lower = lower;
		r->tablen++;
	}
	if (e->last == p + 1)
		return KC_OK;
	if (audit_grow((void **)&r->post, &r->cappost, r->npost + 1,
	               sizeof *r->post))
		return KC_ENOMEM;
	r->post[r->npost].passage = p;
	r->post[r->npost].next = e->post;
	e->post = (uint32_t)++r->npost;
	e->last = p + 1;
	e->df++;
	return KC_OK;
}

static kc_status gram_add(struct audit_rec *r, uint64_t h)
{
	size_t mask, i;

	if ((r->gramn + 1) * 2 > r->gramcap) {
		size_t cap = r->gramcap ? r->gramcap * 2 : 16384;
		uint64_t *g = calloc(cap, sizeof *g), *old = r->grams;
		if (!g)
			return KC_ENOMEM;
		for (size_t k = 0; k < r->gramcap; k++) {
			if (!old[k])
				continue;
			for (i = (size_t)(old[k] >> 3) & (cap - 1); g[i];
			     i = (i + 1) & (cap - 1))
				;
			g[i] = old[k];
		}
		free(old);
		r->grams = g;
		r->gramcap = cap;
	}
	mask = r->gramcap - 1;
	for (i = (size_t)(h >> 3) & mask; r->grams[i]; i = (i + 1) & mask)
		if (r->grams[i] == h)
			return KC_OK;
	r->grams[i] = h;
	r->gramn++;
	return KC_OK;
}

int audit_gram(const struct audit_rec *r, uint64_t h)
{
	size_t mask = r->gramcap - 1, i;

	if (!r->gramcap)
		return 0;
	for (i = (size_t)(h >> 3) & mask; r->grams[i]; i = (i + 1) & mask)
		if (r->grams[i] == h)
			return 1;
	return 0;
}

uint64_t audit_gram_hash(const uint64_t *exact, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ exact[i]) * FNV_PRIME + i;
	return h | !h;
}

/* What the context's word callback needs. */
struct scan {
	struct audit_rec *r;
	size_t base;             /* offset of the segment in the text */
	uint32_t passage;
	uint64_t last[3];        /* the words before, in this passage */
	unsigned char starts[3]; /* ... and whether each may start a name */
	size_t nlast;
	kc_status st;
};

/* FNV-1a of a word's code points, as audit_words() hashes it. */
#define FNV1(a) ((FNV_BASIS ^ (uint64_t)(a)) * FNV_PRIME)
#define FNV2(a, b) ((FNV1(a) ^ (uint64_t)(b)) * FNV_PRIME)
#define FNV3(a, b, c) ((FNV2(a, b) ^ (uint64_t)(c)) * FNV_PRIME)

/* "a", "an", "the": left out of the answer search, as SQuAD's
 * normalization leaves them out. */
int audit_article(const struct audit_qword *w)
{
	return w->lower == FNV1('a') || w->lower == FNV2('a', 'n') ||
	       w->lower == FNV3('t', 'h', 'e');
}

static int context_word(void *ctx, const struct audit_qword *w, size_t at)
{
	struct scan *s = ctx;
	struct audit_rec *r = s->r;
	size_t abs = s->base + at;

	while (s->passage + 1 < r->npassages && r->pstart[s->passage + 1] <= abs) {
		s->passage++;
		s->nlast = 0;
	}
	if (w->content && (s->st = table_add(r, w->lower, s->passage)))
		return 1;
	if (r->want_grams) {
		/* Names are runs of capitalised words, numbers and connectors:
		 * only such runs are kept, those of 1..4 words that end here
		 * and start with a capital or a digit. */
		uint64_t run[4];
		unsigned char starts[4];
		size_t n = s->nlast;
		if (!(w->capital || w->number || w->connector)) {
			s->nlast = 0;
			goto cwords;
		}
		memcpy(run, s->last, n * sizeof *run);
		memcpy(starts, s->starts, n);
		run[n] = w->exact;
		starts[n] = w->capital || w->number;
		for (size_t k = 0; k <= n; k++)
			if (starts[k] &&
			    (s->st = gram_add(r, audit_gram_hash(run + k, n + 1 - k))))
				return 1;
		if (n == 3) {
			memcpy(s->last, run + 1, 3 * sizeof *run);
			memcpy(s->starts, starts + 1, 3);
		} else {
			s->last[n] = run[n];
			s->starts[n] = starts[n];
			s->nlast++;
		}
	}
cwords:
	if (r->want_cwords && !audit_article(w)) {
		if (audit_grow((void **)&r->cwords, &r->capcwords, r->ncwords + 1,
		               sizeof *r->cwords)) {
			s->st = KC_ENOMEM;
			return 1;
		}
		r->cwords[r->ncwords].lower = w->lower;
		r->cwords[r->ncwords++].passage = s->passage;
	}
	return 0;
}

/* Index text[from, to) of the context. */
static kc_status scan_segment(struct scan *s, size_t from, size_t to)
{
	if (to <= from)
		return KC_OK;
	s->base = from;
	audit_words(s->r->text + from, to - from, context_word, s);
	return s->st;
}

/* Where a passage's header ends ("Passage N:\n"), or its start. */
static size_t header_end(const struct audit_rec *r, uint32_t p)
{
	const char *nl;

	if (!r->numbered)
		return r->pstart[p];
	nl = memchr(r->text + r->pstart[p], '\n', r->len - r->pstart[p]);
	return nl ? (size_t)(nl - r->text) + 1 : r->len;
}

static kc_status index_context(struct audit_rec *r)
{
	struct scan s = { r, 0, 0, { 0 }, { 0 }, 0, KC_OK };
	size_t at = r->ctx_start, j = 0;
	uint32_t p = 0;

	/* Segments between the pairs and the headers, in order. */
	while (at < r->ctx_end) {
		size_t stop = r->ctx_end, next = stop;

		while (j < r->npairs && r->pairs[j].end <= at)
			j++;
		while (p < r->npassages && header_end(r, p) <= at)
			p++;
		if (j < r->npairs && r->pairs[j].start < stop) {
			stop = r->pairs[j].start;
			next = r->pairs[j].end;
		}
		if (p < r->npassages && r->pstart[p] < stop) {
			stop = r->pstart[p];
			next = header_end(r, p);
		}
		if (stop > at && scan_segment(&s, at, stop))
			return s.st;
		at = next > at ? next : at + 1;
	}
	return KC_OK;
}

/* ---- the candidates' words ---- */

static int question_word(void *ctx, const struct audit_qword *w, size_t at)
{
	struct audit_rec *r = ctx;
	struct audit_qword *q;
	const struct audit_entry *e;

	(void)at;
	if (audit_grow((void **)&r->qwords, &r->capqwords, r->nqwords + 1,
	               sizeof *r->qwords))
		return 1;
	q = &r->qwords[r->nqwords++];
	*q = *w;
	e = w->content ? lookup(r, w->lower) : NULL;
	q->slot = e ? (uint32_t)(e - r->table) + 1 : 0;
	return 0;
}

/* Mark each word of c that repeats a content word before it, and give
 * each content word its idf. */
static void mark_words(struct audit_rec *r, const struct audit_cand *c)
{
	struct audit_qword *w = r->qwords + c->word0;

	for (size_t i = 0; i < c->nwords; i++) {
		double df = w[i].slot ? (double)r->table[w[i].slot - 1].df : 0;
		w[i].repeat = 0;
		for (size_t k = 0; k < i && w[i].content && !w[i].repeat; k++)
			w[i].repeat = w[k].content && w[k].lower == w[i].lower;
		w[i].idf = log(((double)r->npassages + 1) / (df + 0.5));
	}
}

kc_status audit_index(struct audit_rec *r)
{
	kc_status st;

	if (r->tablecap)
		memset(r->table, 0, r->tablecap * sizeof *r->table);
	if (r->gramcap)
		memset(r->grams, 0, r->gramcap * sizeof *r->grams);
	r->tablen = r->npost = r->gramn = r->ncwords = r->nqwords = 0;
	if (!r->tablecap && table_grow(r))
		return KC_ENOMEM;
	if ((st = index_context(r)))
		return st;
	for (size_t i = 0; i < r->ncands; i++) {
		struct audit_cand *c = &r->cands[i];
		c->word0 = r->nqwords;
		if (audit_words(c->text, c->len, question_word, r))
			return KC_ENOMEM;
		c->nwords = r->nqwords - c->word0;
		mark_words(r, c);
	}
	/* scratch per passage, all zero between solvers */
	if (r->npassages + 1 > r->cappscore) {
		size_t cap = r->npassages + 1;
		free(r->pscore);
		free(r->touched);
		free(r->mark);
		r->pscore = calloc(cap, sizeof *r->pscore);
		r->touched = malloc(cap * sizeof *r->touched);
		r->mark = calloc(cap, 1);
		r->cappscore = r->pscore && r->touched && r->mark ? cap : 0;
		if (!r->cappscore)
			return KC_ENOMEM;
	}
	return KC_OK;
}

void audit_passage_weights(struct audit_rec *r, const struct audit_cand *c,
                           uint64_t skip, size_t *n)
{
	const struct audit_qword *w = r->qwords + c->word0;

	*n = 0;
	for (size_t i = 0; i < c->nwords; i++) {
		double x;
		if (!w[i].content || !w[i].slot || (i < 64 && skip >> i & 1) ||
		    w[i].repeat)
			continue;
		x = w[i].idf;
		for (uint32_t k = r->table[w[i].slot - 1].post; k;
		     k = r->post[k - 1].next) {
			uint32_t p = r->post[k - 1].passage;
			if (r->pscore[p] == 0)
				r->touched[(*n)++] = p;
			r->pscore[p] += x;
		}
	}
}

void audit_passage_clear(struct audit_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		r->pscore[r->touched[i]] = 0;
}
