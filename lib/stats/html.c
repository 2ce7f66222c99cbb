/*
 * html.c - the report: one HTML page with its style inline, the charts
 * as inline SVG (svg.c) and the tables, from a kc_stats_summary()
 * object.  No script and nothing fetched, so it opens the same from a
 * file, a mail or a dataset card, with the network off.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/private.h"

static const char style[] =
"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,"
"'DejaVu Sans',sans-serif;color:#1f2933;background:#f6f7f9;margin:0}\n"
"main{max-width:1200px;margin:0 auto;padding:28px 32px 48px}\n"
"h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 12px;"
"border-bottom:1px solid #d9dee4;padding-bottom:6px}\n"
"h3{font-size:14px;margin:0 0 8px;color:#3e4c59}\n"
".sub{color:#616e7c;margin:0 0 20px}\n"
".cards{display:flex;flex-wrap:wrap;gap:12px}\n"
".card{background:#fff;border:1px solid #e4e7eb;border-radius:8px;"
"padding:12px 16px;min-width:140px}\n"
".card .v{font-size:22px;font-weight:600}.card .k{color:#616e7c;font-size:12px}\n"
".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(540px,1fr));"
"gap:16px}\n"
"figure{background:#fff;border:1px solid #e4e7eb;border-radius:8px;"
"margin:0;padding:14px 16px}\n"
"figcaption{color:#616e7c;font-size:12px;margin-top:4px}\n"
"svg.chart{width:100%;height:auto;font-size:11px}\n"
".bar{fill:#3d6fb6}.bar:hover{fill:#1d4e89}.gridline{stroke:#e4e7eb}\n"
".axis{stroke:#7b8794}.tick{fill:#52606d}.axis-label{fill:#323f4b;"
"font-size:12px}\n"
".cell-label{fill:#1f2933;font-size:12px}.cell-label.dark{fill:#fff}"
".legend-label{fill:#52606d;font-size:10px}"
".n{font-size:10px;opacity:.8}\n"
"table{border-collapse:collapse;background:#fff;border:1px solid #e4e7eb;"
"margin:0 0 12px}\n"
"th,td{padding:5px 12px;text-align:right;border-bottom:1px solid #eef0f2}\n"
"th:first-child,td:first-child{text-align:left}\n"
"th{background:#f0f4f8;font-weight:600;color:#323f4b}\n"
".tables{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}\n"
"footer{color:#9aa5b1;font-size:12px;margin-top:32px}\n";

struct page {
	kc_buf *b;
	kc_status st;
};

/* printf-style into the output, until its first error. */
#define put(o, ...) stats_put((o)->b, &(o)->st, __VA_ARGS__)

static void esc(struct page *p, const char *s)
{
	if (!p->st)
		p->st = stats_html_escape(p->b, s ? s : "");
}

static double num(const json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static void card(struct page *p, const char *key, const char *fmt, double v)
{
	put(p, "<div class=\"card\"><div class=\"v\">");
	put(p, fmt, v);
	put(p, "</div><div class=\"k\">%s</div></div>\n", key);
}

static void cards(struct page *p, const json_t *g)
{
	const json_t *x;

	put(p, "<div class=\"cards\">\n");
	card(p, "records", "%.0f", num(g, "records"));
	if ((x = json_object_get(g, "tokens")))
		card(p, "mean prompt tokens", "%.0f", num(x, "mean"));
	if ((x = json_object_get(g, "budget_use")))
		card(p, "mean budget use", "%.1f%%", 100 * num(x, "mean"));
	if ((x = json_object_get(g, "passages")))
		card(p, "passages per record", "%.1f", num(x, "mean"));
	if ((x = json_object_get(g, "keys")))
		card(p, "keys per record", "%.1f", num(x, "mean"));
	if ((x = json_object_get(g, "judge")))
		card(p, "accuracy (mean pass rate)", "%.1f%%", 100 * num(x, "accuracy"));
	put(p, "</div>\n");
}

/* A histogram of the summary as a bar chart; percent: as shares. */
static void hist_chart(struct page *p, const json_t *x, const char *id,
                       const char *title, const char *xlabel, int kind,
                       const char *caption)
{
	const json_t *hist = json_object_get(x, "hist"), *b;
	size_t n = json_array_size(hist), i;
	char (*labels)[32] = calloc(n + 1, sizeof *labels);
	const char **lp = calloc(n + 1, sizeof *lp);
	double *v = calloc(n + 1, sizeof *v);

	if (!labels || !lp || !v) {
		p->st = KC_ENOMEM;
		goto out;
	}
	json_array_foreach(hist, i, b) {
		double from = num(b, "from"), to = num(b, "to");
		if (kind == 'i')
			snprintf(labels[i], sizeof labels[i], "%.0f-%.0f", from, to);
		else if (kind == 'd')
			snprintf(labels[i], sizeof labels[i], "%.0f-%.0f%%", from * 100,
			         to * 100);
		else if (to > from)
			snprintf(labels[i], sizeof labels[i], "%g-%g", from, to);
		else
			snprintf(labels[i], sizeof labels[i], ">%g", from);
		lp[i] = labels[i];
		v[i] = num(b, "records");
	}
	put(p, "<figure><h3>%s</h3>\n", title);
	if (!p->st)
		p->st = stats_svg_bars(p->b, &(struct stats_bars){ id, title, xlabel,
		                       "records", lp, v, n, 0 });
	put(p, "<figcaption>%s</figcaption></figure>\n", caption);
out:
	free(labels);
	free(lp);
	free(v);
}

static void pass_chart(struct page *p, const json_t *j)
{
	const json_t *pass = json_object_get(j, "pass"), *c;
	size_t n = json_array_size(pass), i;
	char (*labels)[24] = calloc(n + 1, sizeof *labels);
	const char **lp = calloc(n + 1, sizeof *lp);
	double *v = calloc(n + 1, sizeof *v);

	if (!labels || !lp || !v) {
		p->st = KC_ENOMEM;
		goto out;
	}
	json_array_foreach(pass, i, c) {
		snprintf(labels[i], sizeof labels[i], "%zu", i);
		lp[i] = labels[i];
		v[i] = (double)json_integer_value(c);
	}
	put(p, "<figure><h3>Pass rate</h3>\n");
	if (!p->st)
		p->st = stats_svg_bars(p->b, &(struct stats_bars){ "chart-pass",
		    "Pass rate", "answers correct of n", "records", lp, v, n, 0 });
	put(p, "<figcaption>Records by how many of their answers were judged "
	    "correct (the reference's cem_stats).</figcaption></figure>\n");
out:
	free(labels);
	free(lp);
	free(v);
}

static void heat_chart(struct page *p, const json_t *h)
{
	const json_t *lengths = json_object_get(h, "lengths");
	const json_t *depths = json_object_get(h, "depths");
	size_t nr = json_array_size(lengths), nc = json_array_size(depths);
	const char **rows = calloc(nr + 1, sizeof *rows);
	const char **cols = calloc(nc + 1, sizeof *cols);
	double *v = calloc(nr * nc + 1, sizeof *v);
	unsigned long *n = calloc(nr * nc + 1, sizeof *n);

	if (!rows || !cols || !v || !n) {
		p->st = KC_ENOMEM;
		goto out;
	}
	for (size_t r = 0; r < nr; r++) {
		rows[r] = json_string_value(json_array_get(lengths, r));
		for (size_t c = 0; c < nc; c++) {
			const json_t *a = json_array_get(json_array_get(
			    json_object_get(h, "accuracy"), r), c);
			v[r * nc + c] = json_is_number(a) ? json_number_value(a) : -1;
			n[r * nc + c] = (unsigned long)json_integer_value(json_array_get(
			    json_array_get(json_object_get(h, "records"), r), c));
		}
	}
	for (size_t c = 0; c < nc; c++)
		cols[c] = json_string_value(json_array_get(depths, c));
	put(p, "<figure><h3>Accuracy by context length &#215; evidence depth</h3>\n");
	if (!p->st)
		p->st = stats_svg_heat(p->b, &(struct stats_heat){ "chart-heatmap",
		    "Accuracy by context length and evidence depth",
		    "mean depth of the question's own passages", "context length",
		    rows, cols, nr, nc, v, n });
	put(p, "<figcaption>Mean pass rate (records) by the prompt's length and "
	    "where the question's own passages sit, on average, from the start "
	    "(0%%) to the end (100%%) of the context.</figcaption></figure>\n");
out:
	free(rows);
	free(cols);
	free(v);
	free(n);
}

static void counts_table(struct page *p, const char *title, const json_t *t)
{
	const char *k;
	const json_t *v;

	if (!json_object_size(t))
		return;
	put(p, "<table><tr><th>");
	esc(p, title);
	put(p, "</th><th>records</th></tr>\n");
	json_object_foreach((json_t *)t, k, v) {
		put(p, "<tr><td>");
		esc(p, k);
		put(p, "</td><td>%lld</td></tr>\n", (long long)json_integer_value(v));
	}
	put(p, "</table>\n");
}

static const struct { const char *key, *label; int fraction; } rows[] = {
	{ "tokens", "prompt tokens", 0 }, { "budget_use", "budget use", 1 },
	{ "passages", "passages", 0 }, { "own", "own passages", 0 },
	{ "entangled", "entangled passages", 0 }, { "filler", "fillers", 0 },
	{ "keys", "keys", 0 }, { "stacked", "stacked pairs", 0 },
	{ "refused", "refused sentence ends", 0 },
	{ "hops", "real chain links", 0 },
	{ "depth_own", "depth of own passages", 1 },
	{ "depth_chain", "depth of chain links", 1 },
	{ "responses", "answers", 0 }, { "answer_chars", "answer characters", 0 },
};

static void numbers_table(struct page *p, const json_t *g)
{
	int head = 0;

	for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
		const json_t *x = json_object_get(g, rows[i].key);
		const char *f = rows[i].fraction ? "<td>%.4f</td>" : "<td>%.0f</td>";
		if (!x)
			continue;
		if (!head++)
			put(p, "<table><tr><th>per record</th><th>records</th>"
			    "<th>min</th><th>mean</th><th>max</th></tr>\n");
		put(p, "<tr><td>%s</td><td>%.0f</td>", rows[i].label,
		    num(x, "records"));
		put(p, f, num(x, "min"));
		put(p, rows[i].fraction ? "<td>%.4f</td>" : "<td>%.1f</td>",
		    num(x, "mean"));
		put(p, f, num(x, "max"));
		put(p, "</tr>\n");
	}
	if (head)
		put(p, "</table>\n");
}

static void accuracy_table(struct page *p, const char *title, const json_t *t)
{
	const char *k;
	const json_t *v;

	if (!json_object_size(t))
		return;
	put(p, "<table><tr><th>%s</th><th>records</th><th>accuracy</th></tr>\n",
	    title);
	json_object_foreach((json_t *)t, k, v) {
		put(p, "<tr><td>");
		esc(p, k);
		put(p, "</td><td>%.0f</td><td>%.1f%%</td></tr>\n", num(v, "records"),
		    100 * num(v, "accuracy"));
	}
	put(p, "</table>\n");
}

static void audit_table(struct page *p, const json_t *a)
{
	const char *k;
	const json_t *v;

	put(p, "<h2>Shortcut solvers (kc-audit)</h2>\n<table><tr><th>solver</th>"
	    "<th>records</th><th>accuracy</th><th>chance</th><th>ratio</th></tr>\n");
	json_object_foreach(json_object_get(a, "solvers"), k, v) {
		put(p, "<tr><td>");
		esc(p, k);
		put(p, "</td><td>%.0f</td><td>%.1f%%</td><td>%.2f%%</td>"
		    "<td>%.2f</td></tr>\n", num(v, "records"), 100 * num(v, "accuracy"),
		    100 * num(v, "chance"), num(v, "ratio"));
	}
	put(p, "</table>\n");
}

static void groups_table(struct page *p, const json_t *sum)
{
	const json_t *groups = json_object_get(sum, "groups"), *g;
	size_t i;

	if (!json_array_size(groups))
		return;
	put(p, "<h2>By ");
	esc(p, json_string_value(json_object_get(sum, "by")));
	put(p, "</h2>\n<table><tr><th>group</th><th>records</th><th>mean tokens"
	    "</th><th>budget use</th><th>passages</th><th>depth of own</th>"
	    "<th>accuracy</th></tr>\n");
	json_array_foreach(groups, i, g) {
		static const char *const keys[] = { "tokens", "budget_use",
		                                    "passages", "depth_own" };
		const json_t *j = json_object_get(g, "judge");
		put(p, "<tr><td>");
		esc(p, json_string_value(json_object_get(g, "name")));
		put(p, "</td><td>%.0f</td>", num(g, "records"));
		for (int k = 0; k < 4; k++) {
			const json_t *x = json_object_get(g, keys[k]);
			if (!x)
				put(p, "<td>&#8211;</td>");
			else
				put(p, k == 0 ? "<td>%.0f</td>" : k == 2 ? "<td>%.1f</td>"
				    : "<td>%.4f</td>", num(x, "mean"));
		}
		if (j)
			put(p, "<td>%.1f%%</td></tr>\n", 100 * num(j, "accuracy"));
		else
			put(p, "<td>&#8211;</td></tr>\n");
	}
	put(p, "</table>\n");
}

static void charts(struct page *p, const json_t *g)
{
	const json_t *x, *j = json_object_get(g, "judge");

	put(p, "<h2>Charts</h2>\n<div class=\"charts\">\n");
	if ((x = json_object_get(g, "tokens")))
		hist_chart(p, x, "chart-tokens", "Prompt length", "tokens", 'i',
		           "Records by the exact token count of the prompt, in "
		           "quarter-octave bins.");
	if ((x = json_object_get(g, "budget_use")))
		hist_chart(p, x, "chart-budget", "Budget use", "tokens / budget",
		           'u', "How full each prompt is: its tokens over the "
		           "budget it was rendered for.");
	if ((x = json_object_get(g, "depth_own")))
		hist_chart(p, x, "chart-depth-own", "Depth of the own passages",
		           "position in the context", 'd', "Where the real "
		           "question's own (supporting) passages start, 0% being "
		           "the start of the context.");
	if ((x = json_object_get(g, "depth_chain")))
		hist_chart(p, x, "chart-depth-chain", "Depth of the chain links",
		           "position in the context", 'd', "Where each key:value "
		           "pair of the real chain sits.");
	if (j)
		pass_chart(p, j);
	if (j && json_array_size(json_object_get(json_object_get(j, "heatmap"),
	                                         "lengths")))
		heat_chart(p, json_object_get(j, "heatmap"));
	if ((x = json_object_get(g, "answer_chars")))
		hist_chart(p, x, "chart-answers", "Answer length", "characters",
		           'i', "The model's answers by their length in "
		           "characters.");
	put(p, "</div>\n");
}

kc_status kc_stats_html(const json_t *sum, const char *title, kc_buf *out)
{
	struct page p = { out, KC_OK };
	const json_t *g = json_object_get(sum, "all"), *j;

	put(&p, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	esc(&p, title);
	put(&p, " - kc-stats</title>\n<style>\n");
	if (!p.st)
		p.st = kc_buf_puts(out, style);
	put(&p, "</style></head>\n<body><main>\n<h1>");
	esc(&p, title);
	put(&p, "</h1>\n<p class=\"sub\">%.0f records", num(sum, "records"));
	if (num(sum, "unreadable") > 0)
		put(&p, ", %.0f unreadable lines", num(sum, "unreadable"));
	put(&p, "</p>\n");
	cards(&p, g);
	charts(&p, g);
	put(&p, "<h2>Records</h2>\n<div class=\"tables\">\n");
	counts_table(&p, "stage", json_object_get(g, "stages"));
	counts_table(&p, "source", json_object_get(g, "sources"));
	counts_table(&p, "type", json_object_get(g, "types"));
	counts_table(&p, "level", json_object_get(g, "levels"));
	counts_table(&p, "finish reason", json_object_get(g, "finish_reasons"));
	put(&p, "<table><tr><th>ids</th><th>records</th></tr><tr><td>missing</td>"
	    "<td>%.0f</td></tr><tr><td>duplicated</td><td>%.0f</td></tr></table>\n",
	    num(json_object_get(g, "ids"), "missing"),
	    num(json_object_get(g, "ids"), "duplicated"));
	put(&p, "</div>\n<div class=\"tables\">\n");
	numbers_table(&p, g);
	if ((j = json_object_get(g, "judge"))) {
		accuracy_table(&p, "accuracy by source", json_object_get(j, "by_source"));
		accuracy_table(&p, "accuracy by type", json_object_get(j, "by_type"));
	}
	put(&p, "</div>\n");
	if (json_object_get(g, "audit"))
		audit_table(&p, json_object_get(g, "audit"));
	groups_table(&p, sum);
	put(&p, "<footer>Made by kc-stats (kc %s).</footer>\n</main></body>"
	    "</html>\n", KC_VERSION);
	return p.st;
}
