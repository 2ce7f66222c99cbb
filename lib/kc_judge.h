/*
 * kc_judge.h - answer extraction and rule-based rewards (kc-judge, kc-filter)
 * (included by kc.h, which a program includes).
 *
 * A record's responses judged in place: each one's final answer found
 * (\boxed{}, after </think>, "the answer is", an "Answer:" line,
 * <answer></answer>; lib/judge/extract.c), scored with em, sub_em, cem,
 * f1 and LoongRL's format rewards against the gold answers (judge.c,
 * with Python-exact text functions in text.c), running totals for a
 * summary; and the difficulty filter of kc-filter (filter.c).
 *
 * Where each rule comes from, and the one place where kc departs from
 * the reference on purpose (an answer that normalizes to the empty string
 * matches nothing), is written in man/kc-judge.1 and beside the code.
 */
#include "kc.h"   /* first: kc.h includes this header in its place */

#ifndef KC_JUDGE_H
#define KC_JUDGE_H

/* ------------------------------------------------------------------ */
/* Extraction rules (extract.c) */

enum kc_extract {
	KC_EXTRACT_AUTO,        /* think, then boxed, tag, line, answer-is */
	KC_EXTRACT_BOXED,       /* the last \boxed{...} (or \boxed x, \fbox{}) */
	KC_EXTRACT_THINK,       /* after the last </think>, then boxed */
	KC_EXTRACT_ANSWER_IS,   /* after the first "the answer is" */
	KC_EXTRACT_ANSWER_LINE, /* the last "Answer:" line */
	KC_EXTRACT_ANSWER_TAG,  /* the last <answer>...</answer> */
	KC_EXTRACT_NONE,        /* the whole response is the answer */
	KC_EXTRACT_COUNT
};

/* "auto", "boxed", ...; NULL for a value out of range. */
const char *kc_extract_name(enum kc_extract how);
/* KC_OK, or KC_EINVAL for an unknown name (err lists the names). */
kc_status kc_extract_parse(const char *name, enum kc_extract *how,
                           struct kc_error *err);

/* ------------------------------------------------------------------ */
/* Scores (judge.c) */

enum kc_metric {
	KC_METRIC_EM,        /* normalized prediction == normalized gold */
	KC_METRIC_SUB_EM,    /* either contains the other */
	KC_METRIC_CEM,       /* prediction contained in gold */
	KC_METRIC_F1,        /* token F1; yes/no/noanswer match only themselves */
	KC_METRIC_FORMAT_EM, /* LoongRL format_exact_match */
	KC_METRIC_FORMAT_F1, /* LoongRL format_f1_score */
	KC_METRIC_COUNT
};

/* "em", "sub_em", ...; NULL for a value out of range. */
const char *kc_metric_name(enum kc_metric m);
/* KC_OK, or KC_EINVAL for an unknown name (err lists the names). */
kc_status kc_metric_parse(const char *name, enum kc_metric *m,
                          struct kc_error *err);
/* Whether the metric takes values between 0 and 1 (f1, format_f1). */
int kc_metric_graded(enum kc_metric m);

/* The extraction rule chosen by the kind of record (see kc_judge_record). */
#define KC_EXTRACT_DEFAULT ((enum kc_extract)-1)

/*
 * What to do with an answer the server cut short: one whose entry in the
 * record's "finish_reasons" (kc-ask's, parallel to "responses") is
 * "length".  Such an answer is not a wrong one; it may not be a right one.
 */
enum kc_truncated {
	KC_TRUNCATED_KEEP,    /* judge it like any other (the default) */
	KC_TRUNCATED_WRONG,   /* count it, as wrong, without judging it */
	KC_TRUNCATED_SKIP     /* leave it out of n, correct and pass_rate */
};

struct kc_judge_opts {
	enum kc_extract extract;    /* KC_EXTRACT_DEFAULT: auto, or none for
	                               "prediction"/"pred" records */
	enum kc_metric metric;      /* which metric counts as correct */
	double threshold;           /* graded metrics: correct when > this */
	int reference_compat;       /* let empty normalized strings match */
	const char *response_field; /* NULL: responses, prediction or pred */
	const char *answers_field;  /* NULL: answers */
	enum kc_truncated truncated;/* answers cut short (see below) */
};

/* Fill `opt` with the defaults: extract by record, cem, 0.75, strict. */
void kc_judge_opts_init(struct kc_judge_opts *opt);

/*
 * Running totals over the records judged by one handle, for --summary.
 * hist[k] counts records with k correct responses, for k from 0 to the
 * largest n seen; counts past the last bin (KC_JUDGE_HIST_MAX) go to
 * hist_over.
 */
#define KC_JUDGE_HIST_MAX 4096
struct kc_judge_totals {
	unsigned long records;
	unsigned long responses;
	unsigned long answered;      /* responses where an answer was found */
	unsigned long correct;       /* responses correct under the metric */
	unsigned long any_correct;   /* records with at least one correct */
	double pass_rate_sum;        /* sum over records of correct / n */
	double metric_sum[KC_METRIC_COUNT]; /* sums over responses */
	unsigned long *hist;         /* hist_len bins */
	size_t hist_len;
	unsigned long hist_over;
};

typedef struct kc_judge kc_judge;

/* A new judge with a copy of `opt` (NULL: the defaults). */
kc_status kc_judge_new(kc_judge **out, const struct kc_judge_opts *opt,
                       struct kc_error *err);
void kc_judge_free(kc_judge *j);

/*
 * Judge one record in place: read its responses and gold answers (fields
 * as in the options; see kc-judge(1)), score every response, and set
 * "judge" on it (replacing an old one).  Other fields are untouched.
 * KC_EFIELD with a message naming the field when the record cannot be
 * judged; the record is then unchanged.  Adds the record to the totals.
 */
kc_status kc_judge_record(kc_judge *j, json_t *rec, struct kc_error *err);

/* The totals so far (borrowed). */
const struct kc_judge_totals *kc_judge_totals(const kc_judge *j);

/* ------------------------------------------------------------------ */
/* Difficulty, id and source filter (filter.c) */

/* Why a record was dropped; KC_DROP_NONE means kept. */
enum kc_drop {
	KC_DROP_NONE,
	KC_DROP_SOURCE,
	KC_DROP_IDS,          /* not in the --ids list */
	KC_DROP_EXCLUDE_IDS,  /* in the --exclude-ids list */
	KC_DROP_CORRECT,
	KC_DROP_PASS_RATE,
	KC_DROP_COUNT
};

/* "source", "ids", ...; "kept" for KC_DROP_NONE. */
const char *kc_drop_name(enum kc_drop why);

struct kc_filter_stats {
	unsigned long read;     /* records given to kc_filter_record */
	unsigned long kept;
	unsigned long bad;      /* records that lacked a needed field */
	unsigned long dropped[KC_DROP_COUNT];
	/* records by judge.correct (when present), read and kept */
	unsigned long *hist_read, *hist_kept;
	size_t hist_len;        /* bins: the largest judge.n seen + 1 */
	unsigned long hist_over;
	unsigned long judged;   /* records that carried judge.correct */
};

typedef struct kc_filter kc_filter;

kc_status kc_filter_new(kc_filter **out, struct kc_error *err);
void kc_filter_free(kc_filter *f);

/*
 * Keep records whose judge.correct lies in `range`: "A..B" (inclusive),
 * "A..", "..B" or "A"; a bound may be written relative to the record's
 * judge.n: "n", "n-1".  KC_EINVAL with a message for a bad range.
 */
kc_status kc_filter_set_correct(kc_filter *f, const char *range,
                                struct kc_error *err);

/* Keep records whose judge.pass_rate lies in "A..B" (inclusive). */
kc_status kc_filter_set_pass_rate(kc_filter *f, const char *range,
                                  struct kc_error *err);

/*
 * A named band: "stage1" (correct 1..6), "filter-again" (0..n-1: drop
 * the items always answered), "second-chance" (1..n-1: right sometimes,
 * not always).  KC_EINVAL for another name.
 */
kc_status kc_filter_set_preset(kc_filter *f, const char *name,
                               struct kc_error *err);

/* Keep records whose "source" is `name` (may be given several times). */
kc_status kc_filter_add_source(kc_filter *f, const char *name,
                               struct kc_error *err);

/*
 * Read ids, one per line (blank lines skipped, surrounding white space
 * trimmed), from `path`; keep only records whose id is listed
 * (exclude 0), or drop them (exclude 1).  Several files add up.
 */
kc_status kc_filter_load_ids(kc_filter *f, const char *path, int exclude,
                             struct kc_error *err);

/*
 * Decide on one record: *why is KC_DROP_NONE to keep it, else the first
 * reason to drop it (in the order of enum kc_drop).  KC_EFIELD, with a
 * message naming the field, when the record lacks a field one of the
 * filters needs (the record counts as bad, neither kept nor dropped).
 */
kc_status kc_filter_record(kc_filter *f, const json_t *rec,
                           enum kc_drop *why, struct kc_error *err);

/* The counts so far (borrowed). */
const struct kc_filter_stats *kc_filter_stats(const kc_filter *f);

#endif /* KC_JUDGE_H */
