/*
 * similar.c - distractor questions that resemble the record's own.
 *
 * kc-fill --similar N draws N candidates for each chain end and keeps
 * the most similar to the real question: the share of content words
 * (three letters or more, not a question or function word) the two
 * have in common, cosine over word sets, so a model cannot tell the
 * real question from the others by its topic.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "pipe/private.h"

#define MAXWORDS 64

static const char *const stop[] = {
	"the", "and", "was", "were", "what", "which", "who", "whom", "whose",
	"when", "where", "why", "how", "for", "that", "this", "with", "from",
	"are", "did", "does", "has", "had", "have", "its", "than", "not",
	"both", "same", "also", "into", "one", "many", "much", "more", "most",
	"other", "their", "there", "they", "been", "being", "name", "born",
};

static int is_stop(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof stop / sizeof *stop; i++)
		if (strlen(stop[i]) == n && !memcmp(stop[i], w, n))
			return 1;
	return 0;
}

/* The distinct content words of s as hashes, lower-cased; their count. */
static size_t words(const char *s, size_t len, uint64_t *out)
{
	char w[64];
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t m = 0;
		while (i < len && !isalnum((unsigned char)s[i]))
			i++;
		while (i < len && isalnum((unsigned char)s[i])) {
			if (m < sizeof w)
				w[m++] = (char)tolower((unsigned char)s[i]);
			i++;
		}
		if (m < 3 || is_stop(w, m))
			continue;
		uint64_t h = kc_hash64(w, m, 0);
		size_t j = 0;
		while (j < n && out[j] != h)
			j++;
		if (j == n && n < MAXWORDS)
			out[n++] = h;
	}
	return n;
}

struct ranked {
	double score;
	size_t order, index;
};

static int by_score(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

kc_status kc_rank_similar(const kc_pool *pool, const char *q, size_t qlen,
                          size_t *idx, size_t n)
{
	uint64_t qw[MAXWORDS], cw[MAXWORDS];
	size_t nq = words(q, qlen, qw);
	struct ranked *r = malloc((n + 1) * sizeof *r);

	if (!r)
		return KC_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t len, nc, shared = 0;
		const char *text = kc_pool_question(pool, idx[i], &len, NULL);
		nc = words(text, len, cw);
		for (size_t a = 0; a < nq; a++)
			for (size_t b = 0; b < nc; b++)
				shared += qw[a] == cw[b];
		r[i].score = nq && nc ? (double)shared / sqrt((double)nq * nc) : 0;
		r[i].order = i;
		r[i].index = idx[i];
	}
	qsort(r, n, sizeof *r, by_score);
	for (size_t i = 0; i < n; i++)
		idx[i] = r[i].index;
	free(r);
	return KC_OK;
}
