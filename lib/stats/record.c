/*
 * record.c - where each stage keeps what kc-stats reads.
 *
 *   stage      the record has                     read from
 *   canonical  question, docs                     source, type, level
 *   filled     passages, fill                     passages
 *   chained    chain                              chain.pairs, stacked, refused
 *   rendered   render (chat, text)                render: tokens, budget,
 *              extra_info.kc (verl)               passages, own, entangled,
 *              kc (swift, keychain)               own[].depth, chain[].depth
 *   asked      responses or ask_error             finish_reasons
 *   judged     judge                              judge.correct, judge.n
 *   audited    solvers and chance (kc-audit       solvers[].credit
 *              --per-record)
 *
 * A record's stage is the last of these it has.  The length label is
 * kc-audit's: the power of two at or above the render's budget (else its
 * tokens, else the plan's length).
 */
#include <stdio.h>
#include <string.h>

#include "stats/private.h"

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *obj(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_object(v) ? v : NULL;
}

static json_t *arr(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

/* verl's render is extra_info.kc; swift's and keychain's, kc. */
static const json_t *render_of(const json_t *rec)
{
	const json_t *r = obj(rec, "render");

	if (!r)
		r = obj(obj(rec, "extra_info"), "kc");
	if (!r)
		r = obj(rec, "kc");
	return r;
}

static void length_of(struct stats_rec *r, const json_t *rec)
{
	const json_t *b = json_object_get(r->render, "budget");
	json_int_t n = 0;
	const char *label = str(rec, "length");   /* kc-audit's line */

	if (!json_is_integer(b) || json_integer_value(b) <= 0)
		b = json_object_get(r->render, "tokens");
	if (!json_is_integer(b) || json_integer_value(b) <= 0)
		b = json_object_get(r->plan, "length");
	if (json_is_integer(b))
		n = json_integer_value(b);
	r->length_log2 = -1;
	snprintf(r->length, sizeof r->length, "-");
	if (n > 0) {
		int k = 0;
		while (k < STATS_HEAT_LENGTHS - 1 && ((json_int_t)1 << k) < n)
			k++;
		r->length_log2 = k;
		if (k >= 10)
			snprintf(r->length, sizeof r->length, "%dk", 1 << (k - 10));
		else
			snprintf(r->length, sizeof r->length, "%d", 1 << k);
	} else if (label && strlen(label) < sizeof r->length) {
		snprintf(r->length, sizeof r->length, "%s", label);
		for (int k = 0; k < 31; k++) {
			char l[16];
			snprintf(l, sizeof l, k >= 10 ? "%dk" : "%d",
			         k >= 10 ? 1 << (k - 10) : 1 << k);
			if (!strcmp(l, label))
				r->length_log2 = k;
		}
	}
}

static enum stats_stage stage_of(const struct stats_rec *r, const json_t *rec)
{
	if (r->solvers && json_object_get(rec, "chance"))
		return STAGE_AUDITED;
	if (r->judge)
		return STAGE_JUDGED;
	if (r->responses || r->ask_error)
		return STAGE_ASKED;
	if (r->render)
		return STAGE_RENDERED;
	if (r->chain)
		return STAGE_CHAINED;
	if (r->passages || obj(rec, "fill"))
		return STAGE_FILLED;
	if (json_object_get(rec, "question") && json_object_get(rec, "docs"))
		return STAGE_CANONICAL;
	return STAGE_OTHER;
}

/* verl's data_source is "custom_longcontext_needle_qa_" + source. */
static const char *source_of(const struct stats_rec *r, const json_t *rec)
{
	static const char prefix[] = "custom_longcontext_needle_qa_";
	const char *s = str(rec, "source"), *ds;

	if (!s)
		s = str(r->render, "source");
	if (!s && (ds = str(rec, "data_source")) &&
	    !strncmp(ds, prefix, sizeof prefix - 1))
		s = ds + sizeof prefix - 1;
	return s;
}

void stats_read_record(struct stats_rec *r, const json_t *rec)
{
	memset(r, 0, sizeof *r);
	r->render = render_of(rec);
	r->chain = obj(rec, "chain");
	r->passages = arr(rec, "passages");
	r->plan = obj(rec, "plan");
	r->responses = arr(rec, "responses");
	r->finish = arr(rec, "finish_reasons");
	r->ask_error = json_object_get(rec, "ask_error") != NULL;
	r->judge = obj(rec, "judge");
	r->solvers = obj(rec, "solvers");
	r->chance = json_number_value(json_object_get(rec, "chance"));
	r->id = str(rec, "id");
	if (!r->id)
		r->id = str(r->render, "id");
	r->source = source_of(r, rec);
	r->type = str(rec, "type");
	r->level = str(rec, "level");
	r->stage = stage_of(r, rec);
	length_of(r, rec);
}
