/*
 * proximity.c - the question whose pair sits nearest the passage that
 * matches it best.
 *
 * A design that puts a question's pair next to its own evidence (or a
 * chain's last key near the passages it leads to) gives the question
 * away to a reader who looks around each pair.  The solver finds each
 * question's best matching passage (the largest sum of the idf of its
 * content words the passage holds) and scores the question by minus the
 * distance, in passages, from its pair to that passage.  A question no
 * passage matches scores lowest.
 */
#include <math.h>

#include "audit/private.h"

void audit_proximity(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++) {
		const struct audit_cand *c = &r->cands[i];
		double w;
		long p = audit_best_passage(r, c, &w);

		score[i] = p < 0 ? -HUGE_VAL
		                 : -fabs((double)c->passage - (double)p);
	}
}
