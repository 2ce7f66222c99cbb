/*
 * answer.c - the question that best matches the passages holding the
 * gold answer.
 *
 * An oracle, not a shortcut a model can take: it reads the gold
 * answers, which the prompt does not show.  It measures how much the
 * passages that carry the answer give away about which question it
 * answers: in the reference's design those are the real question's own
 * passages, and only its question matches them.
 *
 * An answer is found where the context holds its words in order
 * (lower-cased, a/an/the left out on both sides, as SQuAD's
 * normalization does).  Each question scores the idf-weighted share of
 * its content words that the answer's passages hold; when no answer is
 * found every question scores 0 (a tie: chance).
 */
#include <string.h>

#include "audit/private.h"

#define ANSWER_WORDS 64

struct answer {
	uint64_t w[ANSWER_WORDS];
	size_t n;
};

static int answer_word(void *ctx, const struct audit_qword *w, size_t at)
{
	struct answer *a = ctx;

	(void)at;
	if (audit_article(w))
		return 0;
	if (a->n == ANSWER_WORDS)
		return 1;          /* too long to be an answer worth finding */
	a->w[a->n++] = w->lower;
	return 0;
}

/* Mark the passages where the words of s[0..n) occur in order. */
static void mark_answer(struct audit_rec *r, const char *s, size_t n)
{
	struct answer a = { { 0 }, 0 };

	if (audit_words(s, n, answer_word, &a) || !a.n)
		return;
	for (size_t i = 0; i + a.n <= r->ncwords; i++) {
		size_t k = 0;
		while (k < a.n && r->cwords[i + k].lower == a.w[k] &&
		       r->cwords[i + k].passage == r->cwords[i].passage)
			k++;
		if (k == a.n) {
			r->mark[r->cwords[i].passage] = 1;
			r->answer_found = 1;
		}
	}
}

void audit_answer(struct audit_rec *r, double *score)
{
	const json_t *v;
	size_t i;

	r->answer_found = 0;
	if (json_is_string(r->answers))
		mark_answer(r, json_string_value(r->answers),
		            json_string_length(r->answers));
	json_array_foreach(r->answers, i, v)
		if (json_is_string(v))
			mark_answer(r, json_string_value(v), json_string_length(v));
	for (i = 0; i < r->ncands; i++) {
		const struct audit_cand *c = &r->cands[i];
		const struct audit_qword *w = r->qwords + c->word0;
		double all = 0, hit = 0;

		for (size_t k = 0; k < c->nwords; k++) {
			double x;
			if (!w[k].content || w[k].repeat)
				continue;
			x = w[k].idf;
			all += x;
			for (uint32_t j = w[k].slot ? r->table[w[k].slot - 1].post : 0;
			     j; j = r->post[j - 1].next)
				if (r->mark[r->post[j - 1].passage]) {
					hit += x;
					break;
				}
		}
		score[i] = r->answer_found && all > 0 ? hit / all : 0;
	}
	memset(r->mark, 0, r->npassages);
}
