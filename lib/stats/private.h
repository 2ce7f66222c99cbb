/*
 * stats/private.h - what kc-stats' files share, private to libkc: the
 * running totals of one group of records (acc.c adds to them), what is
 * read from one record (record.c), and the summary's writers (summary.c
 * to JSON; text.c, html.c and svg.c from that JSON).
 */
#ifndef KC_STATS_PRIVATE_H
#define KC_STATS_PRIVATE_H

#include "kc.h"

#define STATS_NAMES 64      /* names kept per table; the rest are "other" */
#define STATS_LOG_BINS 96   /* quarter octaves: 2^(k/4), k < 96 */
#define STATS_DEPTH_BINS 10 /* tenths of the context */
#define STATS_USE_BINS 9    /* between stats_use_edges; then "over" */
#define STATS_PASS_MAX 64   /* correct answers counted up to 64 */
#define STATS_HEAT_LENGTHS 41 /* "1" .. "1024m": 2^0 .. 2^40 */
#define STATS_HEAT_DEPTHS 5 /* fifths of the context */
#define STATS_SOLVERS 16

/* Count, sum, smallest and largest of a number. */
struct stats_num {
	unsigned long n;
	double sum, min, max;
};

/* A count and a sum (of a rate) per name, in the order first seen. */
struct stats_name {
	char key[64];
	unsigned long n;
	double sum, sum2;        /* audit: credit, chance */
};

struct stats_names {
	struct stats_name *v;
	size_t n, cap;
};

enum stats_stage {
	STAGE_CANONICAL, STAGE_FILLED, STAGE_CHAINED, STAGE_RENDERED,
	STAGE_ASKED, STAGE_JUDGED, STAGE_AUDITED, STAGE_OTHER, STAGES
};

extern const char *const stats_stage_names[STAGES];
extern const double stats_use_edges[STATS_USE_BINS + 1];

/* The totals of one group of records. */
struct stats_acc {
	char name[64];
	unsigned long records, no_id, duplicated;
	unsigned long stage[STAGES];
	struct stats_names sources, types, levels;
	struct stats_num tokens, use, passages, own, entangled, filler;
	unsigned long tokens_hist[STATS_LOG_BINS];
	unsigned long use_hist[STATS_USE_BINS + 1];   /* the last: over */
	struct stats_num keys, stacked, refused, hops;
	struct stats_num depth_own, depth_chain;
	unsigned long own_hist[STATS_DEPTH_BINS], chain_hist[STATS_DEPTH_BINS];
	/* asked */
	struct stats_num responses, answer_chars;
	unsigned long answer_hist[STATS_LOG_BINS];
	unsigned long ask_errors;
	struct stats_names finish;
	/* judged */
	struct stats_num judged;          /* of pass rates (correct / n) */
	struct stats_num judge_n;
	unsigned long any_correct;
	unsigned long pass[STATS_PASS_MAX + 1];
	struct stats_names acc_source, acc_type;
	unsigned long heat_n[STATS_HEAT_LENGTHS][STATS_HEAT_DEPTHS];
	double heat_sum[STATS_HEAT_LENGTHS][STATS_HEAT_DEPTHS];
	unsigned long judged_no_depth;
	/* audited */
	unsigned long audited;
	struct stats_names solvers;
};

/* What one record says, borrowed from it (record.c). */
struct stats_rec {
	enum stats_stage stage;
	const char *id, *source, *type, *level;
	char length[16];             /* "8k", "-" */
	int length_log2;             /* -1 when unknown */
	const json_t *render;        /* render / extra_info.kc / kc */
	const json_t *chain, *passages, *plan;
	const json_t *responses, *finish, *judge, *solvers;
	double chance;               /* audited: 1 / questions */
	int ask_error;
};

void stats_read_record(struct stats_rec *r, const json_t *rec);

/* acc.c */
void stats_acc_init(struct stats_acc *a, const char *name);
void stats_acc_release(struct stats_acc *a);
kc_status stats_acc_add(struct stats_acc *a, const struct stats_rec *r,
                        int duplicate);
void stats_num_add(struct stats_num *x, double v);
struct stats_name *stats_names_get(struct stats_names *t, const char *key);
int stats_log_bin(double v);
double stats_log_edge(int bin);

/* summary.c */
json_t *stats_acc_json(const struct stats_acc *a);

/* svg.c: one chart, appended to out.  A bar chart of labels[i] ->
 * values[i]; a heatmap of rows x cols cells (value < 0: empty). */
struct stats_bars {
	const char *id, *title, *xlabel, *ylabel;
	const char *const *labels;
	const double *values;
	size_t n;
	int percent;             /* values are shares: 0..1 */
};
kc_status stats_svg_bars(kc_buf *out, const struct stats_bars *b);

struct stats_heat {
	const char *id, *title, *xlabel, *ylabel;
	const char *const *rows, *const *cols;
	size_t nrows, ncols;
	const double *value;     /* nrows * ncols, -1: no records */
	const unsigned long *count;
};
kc_status stats_svg_heat(kc_buf *out, const struct stats_heat *h);
kc_status stats_html_escape(kc_buf *out, const char *s);

/* Append printf-style to b unless *st holds an error already, which
 * it then keeps (text.c, html.c, svg.c write through it). */
void stats_put(kc_buf *b, kc_status *st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
