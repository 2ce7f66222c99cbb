/*
 * lexical.c - the solvers that read which words of a question the
 * context holds.
 *
 * They catch the shortcut the reference's design leaves open: the real
 * question's own passages are in the context and the other questions'
 * passages are not, so the real question is the one whose words the
 * context holds.  Each question counts its distinct content words once.
 *
 *   lex       the share of its content words found anywhere in the
 *             context;
 *   lex-idf   the same share with each word weighted by its inverse
 *             document frequency over the context's passages (a word
 *             found in few passages weighs more; a word found nowhere
 *             weighs most, as it is missing);
 *   evidence  the idf-weighted share covered by the two passages that
 *             match it best, chosen greedily: a multi-hop question's
 *             words sit in its two or more supporting passages, and
 *             words scattered over fillers do not count.
 *
 * A question without content words scores 0.
 */
#include "audit/private.h"

void audit_lex(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++) {
		const struct audit_cand *c = &r->cands[i];
		const struct audit_qword *w = r->qwords + c->word0;
		size_t all = 0, found = 0;

		for (size_t k = 0; k < c->nwords; k++)
			if (w[k].content && !w[k].repeat) {
				all++;
				found += w[k].slot != 0;
			}
		score[i] = all ? (double)found / (double)all : 0;
	}
}

/* The idf of all the candidate's distinct content words, and of those
 * the context holds (into *found). */
static double idf_total(struct audit_rec *r, const struct audit_cand *c,
                        double *found)
{
	const struct audit_qword *w = r->qwords + c->word0;
	double all = 0;

	*found = 0;
	for (size_t k = 0; k < c->nwords; k++) {
		double x;
		if (!w[k].content || w[k].repeat)
			continue;
		x = w[k].idf;
		all += x;
		if (w[k].slot)
			*found += x;
	}
	return all;
}

void audit_lex_idf(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++) {
		double found, all = idf_total(r, &r->cands[i], &found);
		score[i] = all > 0 ? found / all : 0;
	}
}

/* The passage with the largest weight (the first of equals), or -1. */
static long best_passage(const struct audit_rec *r, size_t n, double *weight)
{
	long best = -1;

	*weight = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t p = r->touched[i];
		if (r->pscore[p] > *weight ||
		    (r->pscore[p] == *weight && best >= 0 && p < (uint32_t)best)) {
			*weight = r->pscore[p];
			best = p;
		}
	}
	return best;
}

/* Bit k set for each of the candidate's words found in passage p. */
static uint64_t words_in(const struct audit_rec *r, const struct audit_cand *c,
                         uint32_t p)
{
	const struct audit_qword *w = r->qwords + c->word0;
	uint64_t bits = 0;

	for (size_t k = 0; k < c->nwords && k < 64; k++) {
		if (!w[k].content || !w[k].slot)
			continue;
		for (uint32_t j = r->table[w[k].slot - 1].post; j;
		     j = r->post[j - 1].next)
			if (r->post[j - 1].passage == p) {
				bits |= (uint64_t)1 << k;
				break;
			}
	}
	return bits;
}

long audit_best_passage(struct audit_rec *r, const struct audit_cand *c,
                        double *weight)
{
	size_t n;
	long p;

	audit_passage_weights(r, c, 0, &n);
	p = best_passage(r, n, weight);
	audit_passage_clear(r, n);
	return p;
}

void audit_evidence(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++) {
		const struct audit_cand *c = &r->cands[i];
		double found, all = idf_total(r, c, &found), w1, w2;
		long p1 = audit_best_passage(r, c, &w1);
		size_t n;

		score[i] = 0;
		if (p1 < 0 || all <= 0)
			continue;
		/* the second passage: the best on the words the first lacks */
		audit_passage_weights(r, c, words_in(r, c, (uint32_t)p1), &n);
		best_passage(r, n, &w2);
		audit_passage_clear(r, n);
		score[i] = (w1 + w2) / all;
	}
}
