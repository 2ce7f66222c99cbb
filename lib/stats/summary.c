/*
 * summary.c - one group's totals as JSON, the numbers kc-stats --json
 * prints and the text and HTML are written from.  A section is left out
 * when no record had its fields (a canonical file has no "tokens").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/private.h"

static json_t *num_json(const struct stats_num *x)
{
	return json_pack("{s:I,s:f,s:f,s:f}", "records", (json_int_t)x->n,
	                 "min", x->min, "mean", x->sum / (double)x->n,
	                 "max", x->max);
}

static void set_num(json_t *o, const char *key, const struct stats_num *x)
{
	if (x->n)
		json_object_set_new(o, key, num_json(x));
}

static int by_count(const void *a, const void *b)
{
	const struct stats_name *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The entries, most records first (then by name). */
static struct stats_name *sorted(const struct stats_names *t)
{
	struct stats_name *v = malloc((t->n + 1) * sizeof *v);

	if (v && t->n) {
		memcpy(v, t->v, t->n * sizeof *v);
		qsort(v, t->n, sizeof *v, by_count);
	}
	return v;
}

static json_t *counts_json(const struct stats_names *t)
{
	json_t *o = json_object();
	struct stats_name *v = sorted(t);

	for (size_t i = 0; v && i < t->n; i++)
		json_object_set_new(o, v[i].key, json_integer((json_int_t)v[i].n));
	free(v);
	return o;
}

static json_t *accuracy_json(const struct stats_names *t)
{
	json_t *o = json_object();
	struct stats_name *v = sorted(t);

	for (size_t i = 0; v && i < t->n; i++)
		json_object_set_new(o, v[i].key, json_pack("{s:I,s:f}", "records",
		                    (json_int_t)v[i].n, "accuracy",
		                    v[i].sum / (double)v[i].n));
	free(v);
	return o;
}

static json_t *bin(double from, double to, unsigned long n)
{
	return json_pack("{s:f,s:f,s:I}", "from", from, "to", to, "records",
	                 (json_int_t)n);
}

/* Quarter-octave bins from the first to the last that is not empty, as
 * integer ranges: t is in bin k when ceil(2^(k/4)) <= t < ceil(2^((k+1)/4)). */
static json_t *log_hist(const unsigned long *h)
{
	json_t *a = json_array();
	int lo = 0, hi = STATS_LOG_BINS - 1;

	while (lo < STATS_LOG_BINS && !h[lo])
		lo++;
	while (hi >= lo && !h[hi])
		hi--;
	for (int k = lo; k <= hi; k++) {
		double from = k ? ceil(stats_log_edge(k)) : 0;
		double to = ceil(stats_log_edge(k + 1)) - 1;
		if (from <= to)   /* bins 1-3 hold no whole number */
			json_array_append_new(a, bin(from, to, h[k]));
	}
	return a;
}

static json_t *depth_hist(const unsigned long *h)
{
	json_t *a = json_array();

	for (int k = 0; k < STATS_DEPTH_BINS; k++)
		json_array_append_new(a, bin(k / (double)STATS_DEPTH_BINS,
		                             (k + 1) / (double)STATS_DEPTH_BINS, h[k]));
	return a;
}

/* The budget-use bins from the first to the last that is not empty; the
 * last bin, over the budget, runs "to" 0. */
static json_t *use_hist(const unsigned long *h)
{
	json_t *a = json_array();
	int lo = 0, hi = STATS_USE_BINS;

	while (lo <= STATS_USE_BINS && !h[lo])
		lo++;
	while (hi >= lo && !h[hi])
		hi--;
	for (int k = lo; k <= hi; k++)
		json_array_append_new(a, k == STATS_USE_BINS
		    ? bin(1.0, 0, h[k])
		    : bin(stats_use_edges[k], stats_use_edges[k + 1], h[k]));
	return a;
}

static void with_hist(json_t *o, const char *key, const struct stats_num *x,
                      json_t *hist)
{
	json_t *n;

	if (!x->n) {
		json_decref(hist);
		return;
	}
	n = num_json(x);
	json_object_set_new(n, "hist", hist);
	json_object_set_new(o, key, n);
}

static json_t *length_label(int k)
{
	char s[16];

	snprintf(s, sizeof s, k >= 10 ? "%dk" : "%d",
	         k >= 10 ? 1 << (k - 10) : 1 << k);
	return json_string(s);
}

/* Accuracy by context length x the mean depth of the own passages. */
static json_t *heatmap_json(const struct stats_acc *a)
{
	json_t *lengths = json_array(), *depths = json_array();
	json_t *records = json_array(), *accuracy = json_array();

	for (int d = 0; d < STATS_HEAT_DEPTHS; d++) {
		char s[32];
		snprintf(s, sizeof s, "%d-%d%%", d * 100 / STATS_HEAT_DEPTHS,
		         (d + 1) * 100 / STATS_HEAT_DEPTHS);
		json_array_append_new(depths, json_string(s));
	}
	for (int k = 0; k < STATS_HEAT_LENGTHS; k++) {
		json_t *rn = json_array(), *ra = json_array();
		unsigned long any = 0;
		for (int d = 0; d < STATS_HEAT_DEPTHS; d++) {
			unsigned long n = a->heat_n[k][d];
			any += n;
			json_array_append_new(rn, json_integer((json_int_t)n));
			json_array_append_new(ra, n ? json_real(a->heat_sum[k][d] /
			                                        (double)n) : json_null());
		}
		if (!any) {
			json_decref(rn);
			json_decref(ra);
			continue;
		}
		json_array_append_new(lengths, length_label(k));
		json_array_append_new(records, rn);
		json_array_append_new(accuracy, ra);
	}
	return json_pack("{s:o,s:o,s:o,s:o}", "lengths", lengths, "depths",
	                 depths, "records", records, "accuracy", accuracy);
}

static json_t *judge_json(const struct stats_acc *a)
{
	json_t *pass = json_array();
	int top = (int)a->judge_n.max < STATS_PASS_MAX ? (int)a->judge_n.max
	                                                : STATS_PASS_MAX;

	for (int k = 0; k <= top; k++)
		json_array_append_new(pass, json_integer((json_int_t)a->pass[k]));
	return json_pack("{s:I,s:f,s:f,s:o,s:o,s:o,s:o,s:o,s:I}",
	                 "records", (json_int_t)a->judged.n,
	                 "accuracy", a->judged.sum / (double)a->judged.n,
	                 "any_correct", (double)a->any_correct / (double)a->judged.n,
	                 "n", num_json(&a->judge_n), "pass", pass,
	                 "by_source", accuracy_json(&a->acc_source),
	                 "by_type", accuracy_json(&a->acc_type),
	                 "heatmap", heatmap_json(a),
	                 "no_depth", (json_int_t)a->judged_no_depth);
}

static json_t *audit_json(const struct stats_acc *a)
{
	json_t *s = json_object();

	for (size_t i = 0; i < a->solvers.n; i++) {
		const struct stats_name *e = &a->solvers.v[i];
		json_object_set_new(s, e->key, json_pack("{s:I,s:f,s:f,s:f}",
		    "records", (json_int_t)e->n, "accuracy", e->sum / (double)e->n,
		    "chance", e->sum2 / (double)e->n,
		    "ratio", e->sum2 > 0 ? e->sum / e->sum2 : 0.0));
	}
	return json_pack("{s:I,s:o}", "records", (json_int_t)a->audited,
	                 "solvers", s);
}

static json_t *stages_json(const struct stats_acc *a)
{
	json_t *o = json_object();

	for (int k = 0; k < STAGES; k++)
		if (a->stage[k])
			json_object_set_new(o, stats_stage_names[k],
			                    json_integer((json_int_t)a->stage[k]));
	return o;
}

json_t *stats_acc_json(const struct stats_acc *a)
{
	json_t *o = json_pack("{s:s,s:I,s:o,s:{s:I,s:I},s:o}", "name", a->name,
	                      "records", (json_int_t)a->records,
	                      "stages", stages_json(a),
	                      "ids", "missing", (json_int_t)a->no_id,
	                      "duplicated", (json_int_t)a->duplicated,
	                      "sources", counts_json(&a->sources));

	if (a->types.n)
		json_object_set_new(o, "types", counts_json(&a->types));
	if (a->levels.n)
		json_object_set_new(o, "levels", counts_json(&a->levels));
	with_hist(o, "tokens", &a->tokens, log_hist(a->tokens_hist));
	with_hist(o, "budget_use", &a->use, use_hist(a->use_hist));
	set_num(o, "passages", &a->passages);
	set_num(o, "own", &a->own);
	set_num(o, "entangled", &a->entangled);
	set_num(o, "filler", &a->filler);
	set_num(o, "keys", &a->keys);
	set_num(o, "stacked", &a->stacked);
	set_num(o, "refused", &a->refused);
	set_num(o, "hops", &a->hops);
	with_hist(o, "depth_own", &a->depth_own, depth_hist(a->own_hist));
	with_hist(o, "depth_chain", &a->depth_chain, depth_hist(a->chain_hist));
	set_num(o, "responses", &a->responses);
	with_hist(o, "answer_chars", &a->answer_chars, log_hist(a->answer_hist));
	if (a->ask_errors)
		json_object_set_new(o, "ask_errors",
		                    json_integer((json_int_t)a->ask_errors));
	if (a->finish.n)
		json_object_set_new(o, "finish_reasons", counts_json(&a->finish));
	if (a->judged.n)
		json_object_set_new(o, "judge", judge_json(a));
	if (a->audited)
		json_object_set_new(o, "audit", audit_json(a));
	return o;
}
