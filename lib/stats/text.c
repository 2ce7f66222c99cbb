/*
 * text.c - the terminal summary of a kc_stats_summary() object: one
 * block per group (the whole first, then each group of --by), each a
 * few aligned tables and text histograms.  Every number is printed at a
 * fixed precision, so two runs over the same records diff clean, and
 * tests/stats-check.py writes the same text from its own counts.
 */
#include <stdio.h>
#include <string.h>

#include "stats/private.h"

#define BAR 30

struct out {
	kc_buf *b;
	kc_status st;
};

/* printf-style into the output, until its first error. */
#define put(o, ...) stats_put((o)->b, &(o)->st, __VA_ARGS__)

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static unsigned long count(const json_t *o, const char *key)
{
	return (unsigned long)json_integer_value(json_object_get(o, key));
}

/* "hotpotqa 100, musique 53" */
static void names(struct out *o, const char *label, const json_t *t)
{
	const char *k, *sep = "";
	const json_t *v;

	if (!t || !json_object_size(t))
		return;
	put(o, "%-14s", label);
	json_object_foreach((json_t *)t, k, v) {
		put(o, "%s%s %lu", sep, k, (unsigned long)json_integer_value(v));
		sep = ", ";
	}
	put(o, "\n");
}

static const struct row {
	const char *key, *label;
	int fraction;            /* 0..1: four decimals; else counts */
} rows[] = {
	{ "tokens", "tokens", 0 },
	{ "budget_use", "budget use", 1 },
	{ "passages", "passages", 0 },
	{ "own", "own", 0 },
	{ "entangled", "entangled", 0 },
	{ "filler", "filler", 0 },
	{ "keys", "keys", 0 },
	{ "stacked", "stacked", 0 },
	{ "refused", "refused", 0 },
	{ "hops", "hops", 0 },
	{ "depth_own", "depth own", 1 },
	{ "depth_chain", "depth chain", 1 },
	{ "responses", "responses", 0 },
	{ "answer_chars", "answer chars", 0 },
};

static void numbers(struct out *o, const json_t *g)
{
	int head = 0;

	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const json_t *x = json_object_get(g, rows[i].key);
		if (!x)
			continue;
		if (!head++)
			put(o, "%-14s %8s %10s %10s %10s\n", "", "records", "min",
			    "mean", "max");
		if (rows[i].fraction)
			put(o, "%-14s %8lu %10.4f %10.4f %10.4f\n", rows[i].label,
			    count(x, "records"), num(x, "min"), num(x, "mean"),
			    num(x, "max"));
		else
			put(o, "%-14s %8lu %10.0f %10.1f %10.0f\n", rows[i].label,
			    count(x, "records"), num(x, "min"), num(x, "mean"),
			    num(x, "max"));
	}
}

static void bar(struct out *o, const char *label, unsigned long n,
                unsigned long top)
{
	unsigned long w = top ? (BAR * n + top / 2) / top : 0;
	char s[BAR + 1];

	if (n && !w)
		w = 1;
	memset(s, '#', w);
	s[w] = '\0';
	put(o, "  %-14s %8lu  %s\n", label, n, s);
}

static unsigned long top_of(const json_t *hist)
{
	unsigned long top = 0;
	size_t i;
	const json_t *b;

	json_array_foreach(hist, i, b)
		if (count(b, "records") > top)
			top = count(b, "records");
	return top;
}

/* kind: 'i' integer ranges, 'd' depth tenths, 'u' budget use */
static void histogram(struct out *o, const char *title, const json_t *x,
                      int kind)
{
	const json_t *hist = json_object_get(x, "hist"), *b;
	unsigned long top = top_of(hist);
	size_t i;
	char label[64];

	if (!x)
		return;
	put(o, "%s\n", title);
	json_array_foreach(hist, i, b) {
		double from = num(b, "from"), to = num(b, "to");
		if (kind == 'i')
			snprintf(label, sizeof label, "%.0f-%.0f", from, to);
		else if (kind == 'd')
			snprintf(label, sizeof label, "%.1f-%.1f", from, to);
		else if (to > from)
			snprintf(label, sizeof label, "%g-%g", from, to);
		else
			snprintf(label, sizeof label, ">%g", from);
		bar(o, label, count(b, "records"), top);
	}
}

static void accuracy_table(struct out *o, const char *title, const json_t *t)
{
	const char *k;
	const json_t *v;

	if (!json_object_size(t))
		return;
	put(o, "%-22s %8s %10s\n", title, "records", "accuracy");
	json_object_foreach((json_t *)t, k, v)
		put(o, "  %-20s %8lu %10.4f\n", k, count(v, "records"),
		    num(v, "accuracy"));
}

static void heatmap(struct out *o, const json_t *h)
{
	const json_t *lengths = json_object_get(h, "lengths");
	const json_t *depths = json_object_get(h, "depths");
	size_t i, j;
	const json_t *v;

	if (!json_array_size(lengths))
		return;
	put(o, "accuracy (records) by length x mean depth of own passages\n");
	put(o, "  %-8s", "length");
	json_array_foreach(depths, j, v)
		put(o, " %14s", json_string_value(v));
	put(o, "\n");
	json_array_foreach(lengths, i, v) {
		const json_t *rn = json_array_get(json_object_get(h, "records"), i);
		const json_t *ra = json_array_get(json_object_get(h, "accuracy"), i);
		put(o, "  %-8s", json_string_value(v));
		for (j = 0; j < json_array_size(rn); j++) {
			char cell[32] = "-";
			const json_t *a = json_array_get(ra, j);
			if (json_is_number(a))
				snprintf(cell, sizeof cell, "%.3f (%lu)",
				         json_number_value(a), (unsigned long)
				         json_integer_value(json_array_get(rn, j)));
			put(o, " %14s", cell);
		}
		put(o, "\n");
	}
}

static void judged(struct out *o, const json_t *j)
{
	const json_t *pass = json_object_get(j, "pass"), *v;
	unsigned long top = 0;
	size_t i;

	if (!j)
		return;
	put(o, "judged %lu records: accuracy %.4f, any correct %.4f, "
	    "answers per record %.0f-%.0f\n", count(j, "records"),
	    num(j, "accuracy"), num(j, "any_correct"),
	    num(json_object_get(j, "n"), "min"), num(json_object_get(j, "n"), "max"));
	json_array_foreach(pass, i, v)
		if ((unsigned long)json_integer_value(v) > top)
			top = (unsigned long)json_integer_value(v);
	put(o, "pass rate (records by answers correct)\n");
	json_array_foreach(pass, i, v) {
		char label[24];
		snprintf(label, sizeof label, "%zu", i);
		bar(o, label, (unsigned long)json_integer_value(v), top);
	}
	accuracy_table(o, "accuracy by source", json_object_get(j, "by_source"));
	accuracy_table(o, "accuracy by type", json_object_get(j, "by_type"));
	heatmap(o, json_object_get(j, "heatmap"));
	if (count(j, "no_depth"))
		put(o, "judged without own passages' depths: %lu\n",
		    count(j, "no_depth"));
}

static void audited(struct out *o, const json_t *a)
{
	const char *k;
	const json_t *v;

	if (!a)
		return;
	put(o, "audited %lu records\n", count(a, "records"));
	put(o, "  %-12s %8s %10s %10s %8s\n", "solver", "records", "accuracy",
	    "chance", "ratio");
	json_object_foreach(json_object_get(a, "solvers"), k, v)
		put(o, "  %-12s %8lu %10.4f %10.4f %8.2f\n", k, count(v, "records"),
		    num(v, "accuracy"), num(v, "chance"), num(v, "ratio"));
}

static void block(struct out *o, const json_t *g, const char *by)
{
	const json_t *ids = json_object_get(g, "ids");

	if (by)
		put(o, "== %s %s: %lu records ==\n", by,
		    json_string_value(json_object_get(g, "name")), count(g, "records"));
	else
		put(o, "== %lu records ==\n", count(g, "records"));
	names(o, "stages", json_object_get(g, "stages"));
	put(o, "%-14s%lu missing, %lu duplicated\n", "ids", count(ids, "missing"),
	    count(ids, "duplicated"));
	names(o, "sources", json_object_get(g, "sources"));
	names(o, "types", json_object_get(g, "types"));
	names(o, "levels", json_object_get(g, "levels"));
	numbers(o, g);
	histogram(o, "tokens", json_object_get(g, "tokens"), 'i');
	histogram(o, "budget use", json_object_get(g, "budget_use"), 'u');
	histogram(o, "depth of own passages", json_object_get(g, "depth_own"), 'd');
	histogram(o, "depth of chain links", json_object_get(g, "depth_chain"), 'd');
	histogram(o, "answer chars", json_object_get(g, "answer_chars"), 'i');
	names(o, "finish", json_object_get(g, "finish_reasons"));
	if (json_object_get(g, "ask_errors"))
		put(o, "%-14s%lu\n", "ask errors", count(g, "ask_errors"));
	judged(o, json_object_get(g, "judge"));
	audited(o, json_object_get(g, "audit"));
}

kc_status kc_stats_text(const json_t *summary, kc_buf *b)
{
	struct out o = { b, KC_OK };
	const json_t *groups = json_object_get(summary, "groups"), *g;
	const char *by = json_string_value(json_object_get(summary, "by"));
	size_t i;

	block(&o, json_object_get(summary, "all"), NULL);
	json_array_foreach(groups, i, g) {
		put(&o, "\n");
		block(&o, g, by);
	}
	if (count(summary, "unreadable"))
		put(&o, "\n%lu line%s unreadable\n", count(summary, "unreadable"),
		    count(summary, "unreadable") == 1 ? "" : "s");
	return o.st;
}
