/*
 * kc_stats.h - a dataset at a glance: counts, lengths, depths and
 * accuracies of records at any stage of the pipeline.  (included by kc.h,
 * which a program includes)
 *
 * kc_stats_add() reads one record of any stage (canonical, filled,
 * chained, rendered in any format, asked, judged, or a kc-audit
 * --per-record line) and adds what its fields hold to running totals:
 * counters, sums, minima and maxima, and histograms of fixed bins.  No
 * record is kept, so memory grows with the number of groups and bins,
 * not with the input; the one exception is the set of ids seen (for the
 * duplicates), kept as 64-bit hashes, 8 bytes a record.
 *
 * kc_stats_summary() gives every number as one JSON object; the text
 * and the HTML report are written from that object, so the three say
 * the same.  kc-stats(1) describes each number.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_STATS_H
#define KC_STATS_H

/* What --by groups the records by, besides the whole. */
enum kc_stats_by {
	KC_STATS_BY_NONE,
	KC_STATS_BY_SOURCE,      /* the record's source */
	KC_STATS_BY_LENGTH,      /* "8k": the power of two at or above the
	                            render's budget (kc-audit's labels) */
	KC_STATS_BY_TYPE         /* HotpotQA's and 2Wiki's question type */
};

struct kc_stats_opts {
	int by;                  /* enum kc_stats_by */
};

void kc_stats_opts_init(struct kc_stats_opts *o);
/* The grouping named "source", "length", "type" (or "none") into *by;
 * KC_EINVAL with the names in err otherwise. */
kc_status kc_stats_by_parse(const char *name, int *by, struct kc_error *err);

typedef struct kc_stats kc_stats;

kc_status kc_stats_new(kc_stats **s, const struct kc_stats_opts *opts,
                       struct kc_error *err);
void kc_stats_free(kc_stats *s);

/*
 * Add one record.  KC_OK; KC_EFIELD when it is not a JSON object (it is
 * counted as unreadable); KC_ENOMEM.
 */
kc_status kc_stats_add(kc_stats *s, const json_t *rec, struct kc_error *err);
/* Count a line that did not parse. */
void kc_stats_unreadable(kc_stats *s);
/* The records added so far. */
unsigned long kc_stats_records(const kc_stats *s);

/* Every number so far, as one JSON object (a new reference; NULL when
 * out of memory).  Its layout is described in kc-stats(1). */
json_t *kc_stats_summary(const kc_stats *s);

/* The terminal summary of a kc_stats_summary() object, appended to out. */
kc_status kc_stats_text(const json_t *summary, kc_buf *out);
/* One self-contained HTML page (inline CSS and SVG charts, no script,
 * nothing fetched) of a summary, titled `title`, appended to out. */
kc_status kc_stats_html(const json_t *summary, const char *title,
                        kc_buf *out);

#endif
