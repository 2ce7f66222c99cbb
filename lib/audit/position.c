/*
 * position.c - the solvers that read only where a question's pair sits.
 *
 *   first    the question whose pair comes first in the prompt;
 *   last     the one whose pair comes last;
 *   center   the one whose pair is nearest the middle of the context
 *            (the reference draws its own passages around the middle).
 *
 * With pairs placed at random they find the question by chance; a
 * placement that favours the real chain shows here.
 */
#include <math.h>

#include "audit/private.h"

void audit_first(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++)
		score[i] = -(double)r->cands[i].at;
}

void audit_last(struct audit_rec *r, double *score)
{
	for (size_t i = 0; i < r->ncands; i++)
		score[i] = (double)r->cands[i].at;
}

void audit_center(struct audit_rec *r, double *score)
{
	double mid = ((double)r->ctx_start + (double)r->ctx_end) / 2;

	for (size_t i = 0; i < r->ncands; i++)
		score[i] = -fabs((double)r->cands[i].at - mid);
}
