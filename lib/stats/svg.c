/*
 * svg.c - the report's two kinds of chart, as inline SVG: bars (a
 * histogram) and a heatmap.  Drawn here rather than by gnuplot or PLplot:
 * the two charts are about 200 lines of C with no process to run, no
 * fonts or files to find, and the SVG comes out with the ids and labels
 * the browser test looks for; gnuplot's SVG terminal would add a package
 * to install, a pipe to it per chart, and its own script and styles.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "stats/private.h"

#define W 560.0
#define H 284.0
#define LEFT 60.0
#define RIGHT 16.0
#define TOP 16.0
#define BOTTOM 88.0

struct svg {
	kc_buf *b;
	kc_status st;
};

/* printf-style into the output, until its first error. */
#define put(o, ...) stats_put((o)->b, &(o)->st, __VA_ARGS__)

kc_status stats_html_escape(kc_buf *out, const char *s)
{
	kc_status st = KC_OK;

	for (; *s && !st; s++) {
		switch (*s) {
		case '<': st = kc_buf_puts(out, "&lt;"); break;
		case '>': st = kc_buf_puts(out, "&gt;"); break;
		case '&': st = kc_buf_puts(out, "&amp;"); break;
		case '"': st = kc_buf_puts(out, "&quot;"); break;
		default: st = kc_buf_append(out, s, 1);
		}
	}
	return st;
}

static void text(struct svg *s, const char *str)
{
	if (!s->st)
		s->st = stats_html_escape(s->b, str);
}

/* The smallest 1, 2 or 5 times a power of ten at or above v. */
static double nice(double v)
{
	double p;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	return v <= p ? p : v <= 2 * p ? 2 * p : v <= 2.5 * p ? 2.5 * p
	       : v <= 5 * p ? 5 * p : 10 * p;
}

static void open_svg(struct svg *s, const char *id, const char *title,
                     double h)
{
	put(s, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" xmlns=\"http://www.w3.org/2000/svg\"><title>", id, W, h);
	text(s, title);
	put(s, "</title>\n");
}

static void axis_labels(struct svg *s, const char *x, const char *y, double h)
{
	put(s, "<text class=\"axis-label\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"middle\">", LEFT + (W - LEFT - RIGHT) / 2, h - 6);
	text(s, x);
	put(s, "</text>\n<text class=\"axis-label\" transform=\"translate(14 %.1f) "
	    "rotate(-90)\" text-anchor=\"middle\">", TOP + (h - TOP - BOTTOM) / 2);
	text(s, y);
	put(s, "</text>\n");
}

/* Gridlines at round steps: top is 1, 2, 2.5 or 5 times a power of ten. */
static void y_axis(struct svg *s, double top, int percent)
{
	double ph = H - TOP - BOTTOM, lead = top / pow(10, floor(log10(top)));
	int steps = lead == 2 ? 4 : 5;

	for (int i = 0; i <= steps; i++) {
		double v = top * i / steps, y = H - BOTTOM - ph * i / steps;
		put(s, "<line class=\"gridline\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
		    "y2=\"%.1f\"/>", LEFT, W - RIGHT, y, y);
		if (percent)
			put(s, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\">%.0f%%</text>\n", LEFT - 6, y + 4,
			    v * 100);
		else
			put(s, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\">%g</text>\n", LEFT - 6, y + 4, v);
	}
}

kc_status stats_svg_bars(kc_buf *out, const struct stats_bars *b)
{
	struct svg s = { out, KC_OK };
	double top = 0, pw = W - LEFT - RIGHT, ph = H - TOP - BOTTOM, slot;
	size_t longest = 0;
	int slant;

	for (size_t i = 0; i < b->n; i++)
		if (b->values[i] > top)
			top = b->values[i];
	top = b->percent ? 1 : nice(top);
	slot = b->n ? pw / (double)b->n : pw;
	for (size_t i = 0; i < b->n; i++)
		if (strlen(b->labels[i]) > longest)
			longest = strlen(b->labels[i]);
	slant = (double)longest * 6.5 > slot * 0.95;   /* ~6.5 px a character */
	open_svg(&s, b->id, b->title, H);
	y_axis(&s, top, b->percent);
	for (size_t i = 0; i < b->n; i++) {
		double hgt = ph * b->values[i] / top, x = LEFT + slot * (double)i;
		double lx = x + slot / 2, ly = H - BOTTOM + 14;
		put(&s, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"%.1f\"><title>", x + slot * 0.1, H - BOTTOM - hgt,
		    slot * 0.8, hgt);
		text(&s, b->labels[i]);
		if (b->percent)
			put(&s, ": %.1f%%</title></rect>\n", b->values[i] * 100);
		else
			put(&s, ": %g</title></rect>\n", b->values[i]);
		if (slant)
			put(&s, "<text class=\"tick\" text-anchor=\"end\" "
			    "transform=\"translate(%.1f %.1f) rotate(-40)\">", lx + 3, ly);
		else
			put(&s, "<text class=\"tick\" text-anchor=\"middle\" "
			    "x=\"%.1f\" y=\"%.1f\">", lx, ly);
		text(&s, b->labels[i]);
		put(&s, "</text>\n");
	}
	put(&s, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
	    "y2=\"%.1f\"/>\n", LEFT, W - RIGHT, H - BOTTOM, H - BOTTOM);
	axis_labels(&s, b->xlabel, b->ylabel, H);
	put(&s, "</svg>\n");
	return s.st;
}

/* From pale yellow through green-blue to deep blue as v goes from 0 to
 * 1 (three stops of a sequential scale, in the manner of YlGnBu). */
static void shade(char *rgb, size_t size, double v)
{
	static const double stop[3][3] = {
		{ 255, 250, 210 }, { 65, 182, 196 }, { 12, 44, 132 }
	};
	int k = v < 0.5 ? 0 : 1, c[3];
	double t = v < 0.5 ? v * 2 : (v - 0.5) * 2;

	for (int i = 0; i < 3; i++)
		c[i] = (int)lround(stop[k][i] + (stop[k + 1][i] - stop[k][i]) * t);
	snprintf(rgb, size, "#%02x%02x%02x", c[0], c[1], c[2]);
}

/* The scale under the heatmap: 0% to 100% in ten steps. */
static void legend(struct svg *s, double y)
{
	double x0 = W - RIGHT - 236, w = 20;
	char fill[8];

	for (int i = 0; i < 10; i++) {
		shade(fill, sizeof fill, (i + 0.5) / 10);
		put(s, "<rect class=\"legend\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
		    "height=\"10\" fill=\"%s\"/>", x0 + w * i, y, w, fill);
	}
	put(s, "<text class=\"legend-label\" x=\"%.1f\" y=\"%.1f\" "
	    "text-anchor=\"end\">0%%</text><text class=\"legend-label\" "
	    "x=\"%.1f\" y=\"%.1f\">100%%</text>\n", x0 - 4, y + 9,
	    x0 + 10 * w + 4, y + 9);
}

kc_status stats_svg_heat(kc_buf *out, const struct stats_heat *h)
{
	struct svg s = { out, KC_OK };
	double cw = (W - LEFT - RIGHT) / (double)h->ncols, ch = 44;
	double height = TOP + ch * (double)h->nrows + 84;

	open_svg(&s, h->id, h->title, height);
	for (size_t r = 0; r < h->nrows; r++) {
		double y = TOP + ch * (double)r;
		put(&s, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"end\">", LEFT - 6, y + ch / 2 + 4);
		text(&s, h->rows[r]);
		put(&s, "</text>\n");
		for (size_t c = 0; c < h->ncols; c++) {
			double v = h->value[r * h->ncols + c], x = LEFT + cw * (double)c;
			char fill[8] = "#f1f1f1";
			if (v >= 0)
				shade(fill, sizeof fill, v);
			put(&s, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			    "height=\"%.1f\" fill=\"%s\"/>", x + 1, y + 1, cw - 2,
			    ch - 2, fill);
			if (v >= 0)
				put(&s, "<text class=\"cell-label%s\" x=\"%.1f\" y=\"%.1f\" "
				    "text-anchor=\"middle\">%.0f%% <tspan class=\"n\">"
				    "(%lu)</tspan></text>\n", v > 0.6 ? " dark" : "",
				    x + cw / 2, y + ch / 2 + 4, v * 100,
				    h->count[r * h->ncols + c]);
			else
				put(&s, "<text class=\"cell-label\" x=\"%.1f\" y=\"%.1f\" "
				    "text-anchor=\"middle\">&#8211;</text>\n", x + cw / 2,
				    y + ch / 2 + 4);
		}
	}
	for (size_t c = 0; c < h->ncols; c++) {
		put(&s, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">", LEFT + cw * ((double)c + 0.5),
		    TOP + ch * (double)h->nrows + 16);
		text(&s, h->cols[c]);
		put(&s, "</text>\n");
	}
	axis_labels(&s, h->xlabel, h->ylabel, height - 26);
	legend(&s, height - 16);
	put(&s, "</svg>\n");
	return s.st;
}
