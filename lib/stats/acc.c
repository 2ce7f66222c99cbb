/*
 * acc.c - one record added to a group's running totals: a step per stage
 * whose fields the record has (record.c says where each one is).
 *
 * Histograms have fixed bins, so that two runs bin alike and a file of
 * any size takes the same memory: lengths in quarter octaves (the bin of
 * v is floor(4 log2 v)), depths in tenths, budget use at the edges of
 * stats_use_edges (finer near 1, where rendered prompts are).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/private.h"
#include "pipe/private.h"
#include "stats/private.h"

const char *const stats_stage_names[STAGES] = {
	"canonical", "filled", "chained", "rendered", "asked", "judged",
	"audited", "other"
};

const double stats_use_edges[STATS_USE_BINS + 1] = {
	0, 0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 1.0
};

void stats_acc_init(struct stats_acc *a, const char *name)
{
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", name);
}

void stats_acc_release(struct stats_acc *a)
{
	free(a->sources.v);
	free(a->types.v);
	free(a->levels.v);
	free(a->finish.v);
	free(a->acc_source.v);
	free(a->acc_type.v);
	free(a->solvers.v);
}

void stats_num_add(struct stats_num *x, double v)
{
	if (!x->n || v < x->min)
		x->min = v;
	if (!x->n || v > x->max)
		x->max = v;
	x->n++;
	x->sum += v;
}

/* The entry of `key`, added when new; "other" once the table is full;
 * NULL when out of memory. */
struct stats_name *stats_names_get(struct stats_names *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key))
			return &t->v[i];
	if (t->n >= STATS_NAMES - 1 && strcmp(key, "other"))
		return stats_names_get(t, "other");
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		struct stats_name *v = realloc(t->v, cap * sizeof *v);
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof *t->v);
	snprintf(t->v[t->n].key, sizeof t->v[t->n].key, "%s", key);
	return &t->v[t->n++];
}

static int count(struct stats_names *t, const char *key, double v,
                 double v2)
{
	struct stats_name *e = stats_names_get(t, key);

	if (!e)
		return -1;
	e->n++;
	e->sum += v;
	e->sum2 += v2;
	return 0;
}

int stats_log_bin(double v)
{
	int b;

	if (!(v >= 1))
		return 0;
	b = (int)floor(4 * log2(v));
	return b < STATS_LOG_BINS ? b : STATS_LOG_BINS - 1;
}

double stats_log_edge(int bin)
{
	return exp2(bin / 4.0);
}

static int depth_bin(double d, int bins)
{
	int b = (int)floor(d * bins);

	return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

static int use_bin(double use)
{
	int b = 0;

	if (use > 1)
		return STATS_USE_BINS;
	while (b + 1 < STATS_USE_BINS && use >= stats_use_edges[b + 1])
		b++;
	return b;
}

static int integer(const json_t *o, const char *key, json_int_t *v)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_integer(x))
		return 0;
	*v = json_integer_value(x);
	return 1;
}

/* tokens, budget use, and the passages of the rendered context */
static void add_render(struct stats_acc *a, const json_t *rd)
{
	json_int_t tokens, budget, np, ent;
	const json_t *own = json_object_get(rd, "own");

	if (integer(rd, "tokens", &tokens)) {
		stats_num_add(&a->tokens, (double)tokens);
		a->tokens_hist[stats_log_bin((double)tokens)]++;
		if (integer(rd, "budget", &budget) && budget > 0) {
			double use = (double)tokens / (double)budget;
			stats_num_add(&a->use, use);
			a->use_hist[use_bin(use)]++;
		}
	}
	if (!integer(rd, "passages", &np))
		return;
	stats_num_add(&a->passages, (double)np);
	if (json_is_array(own))
		stats_num_add(&a->own, (double)json_array_size(own));
	if (json_is_array(own) && integer(rd, "entangled", &ent)) {
		stats_num_add(&a->entangled, (double)ent);
		stats_num_add(&a->filler, (double)(np - ent -
		                                   (json_int_t)json_array_size(own)));
	}
}

/* kc-fill's passages, before kc-render chose among them */
static void add_passages(struct stats_acc *a, const json_t *ps)
{
	size_t i, own = 0, ent = 0;
	const json_t *p;

	json_array_foreach(ps, i, p) {
		own += json_object_get(p, "doc") != NULL;
		ent += json_object_get(p, "entangled") != NULL;
	}
	stats_num_add(&a->passages, (double)json_array_size(ps));
	stats_num_add(&a->own, (double)own);
	stats_num_add(&a->entangled, (double)ent);
	stats_num_add(&a->filler, (double)(json_array_size(ps) - own - ent));
}

/* The depths of a render list ("own", "chain"); their mean into *mean. */
static size_t add_depths(struct stats_num *num, unsigned long *hist,
                         const json_t *list, double *mean)
{
	size_t i, n = 0;
	const json_t *e;
	double sum = 0;

	json_array_foreach(list, i, e) {
		const json_t *d = json_object_get(e, "depth");
		if (!json_is_number(d))
			continue;
		stats_num_add(num, json_number_value(d));
		hist[depth_bin(json_number_value(d), STATS_DEPTH_BINS)]++;
		sum += json_number_value(d);
		n++;
	}
	if (mean)
		*mean = n ? sum / (double)n : -1;
	return n;
}

static void add_chain(struct stats_acc *a, const struct stats_rec *r)
{
	json_int_t stacked, refused;
	const json_t *real = json_object_get(r->chain, "real");
	struct kc_pairs ps;
	long pairs = kc_pairs_open(&ps, json_object_get(r->chain, "pairs"));

	if (!json_is_array(real))
		real = json_object_get(r->render, "real");
	if (pairs >= 0)
		stats_num_add(&a->keys, (double)pairs);
	if (integer(r->chain, "stacked", &stacked))
		stats_num_add(&a->stacked, (double)stacked);
	if (integer(r->chain, "refused", &refused))
		stats_num_add(&a->refused, (double)refused);
	if (json_is_array(real))
		stats_num_add(&a->hops, (double)json_array_size(real));
}

/* Characters, as code points (UTF-8 lead bytes). */
static size_t chars(const json_t *s)
{
	const unsigned char *p = (const unsigned char *)json_string_value(s);
	size_t n = 0, len = json_string_length(s);

	for (size_t i = 0; i < len; i++)
		n += (p[i] & 0xC0) != 0x80;
	return n;
}

static int add_asked(struct stats_acc *a, const struct stats_rec *r)
{
	size_t i;
	const json_t *v;

	a->ask_errors += r->ask_error;
	if (r->responses) {
		stats_num_add(&a->responses, (double)json_array_size(r->responses));
		json_array_foreach(r->responses, i, v) {
			if (!json_is_string(v))
				continue;
			double c = (double)chars(v);

			stats_num_add(&a->answer_chars, c);
			a->answer_hist[stats_log_bin(c)]++;
		}
	}
	json_array_foreach(r->finish, i, v)
		if (json_is_string(v) && count(&a->finish, json_string_value(v), 0, 0))
			return -1;
	return 0;
}

static int add_judged(struct stats_acc *a, const struct stats_rec *r,
                      double depth)
{
	json_int_t correct, n;
	double rate;

	if (!integer(r->judge, "correct", &correct) ||
	    !integer(r->judge, "n", &n) || n <= 0 || correct < 0 || correct > n)
		return 0;
	rate = (double)correct / (double)n;
	stats_num_add(&a->judged, rate);
	stats_num_add(&a->judge_n, (double)n);
	a->any_correct += correct > 0;
	a->pass[correct < STATS_PASS_MAX ? correct : STATS_PASS_MAX]++;
	if (count(&a->acc_source, r->source ? r->source : "-", rate, 0) ||
	    (r->type && count(&a->acc_type, r->type, rate, 0)))
		return -1;
	if (r->length_log2 < 0 || depth < 0) {
		a->judged_no_depth++;
		return 0;
	}
	a->heat_n[r->length_log2][depth_bin(depth, STATS_HEAT_DEPTHS)]++;
	a->heat_sum[r->length_log2][depth_bin(depth, STATS_HEAT_DEPTHS)] += rate;
	return 0;
}

static int add_audited(struct stats_acc *a, const struct stats_rec *r)
{
	const char *name;
	const json_t *s;

	a->audited++;
	json_object_foreach((json_t *)r->solvers, name, s) {
		const json_t *c = json_object_get(s, "credit");
		if (json_is_number(c) &&
		    count(&a->solvers, name, json_number_value(c), r->chance))
			return -1;
	}
	return 0;
}

static int add_names(struct stats_acc *a, const struct stats_rec *r)
{
	return count(&a->sources, r->source ? r->source : "-", 0, 0) ||
	       (r->type && count(&a->types, r->type, 0, 0)) ||
	       (r->level && count(&a->levels, r->level, 0, 0));
}

kc_status stats_acc_add(struct stats_acc *a, const struct stats_rec *r,
                        int duplicate)
{
	double depth = -1;

	a->records++;
	a->stage[r->stage]++;
	a->no_id += !r->id;
	a->duplicated += duplicate;
	if (add_names(a, r))
		return KC_ENOMEM;
	if (r->render) {
		add_render(a, r->render);
		add_depths(&a->depth_own, a->own_hist,
		           json_object_get(r->render, "own"), &depth);
		add_depths(&a->depth_chain, a->chain_hist,
		           json_object_get(r->render, "chain"), NULL);
	} else if (r->passages) {
		add_passages(a, r->passages);
	}
	if (r->chain || json_is_array(json_object_get(r->render, "real")))
		add_chain(a, r);
	if (add_asked(a, r) || (r->judge && add_judged(a, r, depth)) ||
	    (r->stage == STAGE_AUDITED && add_audited(a, r)))
		return KC_ENOMEM;
	return KC_OK;
}
