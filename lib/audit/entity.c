/*
 * entity.c - the question whose names and numbers the context holds.
 *
 * Names are what a reader skimming for a question's evidence looks for.
 * A name is a run of capitalised words (or numbers: years, counts)
 * joined by spaces, hyphens or full stops, with lower-case connectors
 * inside ("Bank of England", "Vincent van Gogh"); a capitalised stop
 * word does not start one ("What", "The" at the start), a connector
 * does not end one.  A name is found when the context holds the same
 * words in the same order and the same case; a name of more than four
 * words when each of its four-word windows that starts with a capital
 * or a digit is found.  The score is the
 * share of the question's names found (0 for a question with none).
 */
#include "audit/private.h"

static int starts(const struct audit_qword *w)
{
	return (w->capital && w->content) || w->number;
}

static int continues(const struct audit_qword *w, size_t k, size_t n)
{
	if (!w[k].joined)
		return 0;
	if (w[k].capital || w[k].number)
		return 1;
	/* a connector only between two parts of the name */
	return w[k].connector && k + 1 < n && w[k + 1].joined &&
	       (w[k + 1].capital || w[k + 1].number);
}

/* Every window of up to four words that starts a name part (a capital
 * or a digit) must be a run of the context. */
static int found(const struct audit_rec *r, const struct audit_qword *w,
                 size_t n)
{
	uint64_t exact[4];

	for (size_t k = 0; k < n; k++) {
		size_t m = n - k < 4 ? n - k : 4;
		if (k > 0 && (!(w[k].capital || w[k].number) || n - k < 4))
			continue;
		for (size_t j = 0; j < m; j++)
			exact[j] = w[k + j].exact;
		if (!audit_gram(r, audit_gram_hash(exact, m)))
			return 0;
	}
	return 1;
}

void audit_entity(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++) {
		const struct audit_cand *c = &r->cands[i];
		const struct audit_qword *w = r->qwords + c->word0;
		size_t names = 0, hits = 0, k = 0;

		while (k < c->nwords) {
			size_t end = k + 1;
			if (!starts(&w[k])) {
				k++;
				continue;
			}
			while (end < c->nwords && continues(w, end, c->nwords))
				end++;
			names++;
			hits += found(r, w + k, end - k);
			k = end;
		}
		score[i] = names ? (double)hits / (double)names : 0;
	}
}
