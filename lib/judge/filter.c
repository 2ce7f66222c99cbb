/*
 * filter.c - keep or drop judged records: by difficulty band (how many of
 * n responses were correct, or the pass rate), by id list, by source.
 *
 * The bands of the reference, as ranges here:
 *
 *   stage 1        keep 1..6 of 8 correct      (merge_output.py)
 *   second chance  keep 1..n-1: re-asked items that the stronger model
 *                  got right sometimes, not always (merge_all_0_qwq.py)
 *   filter again   drop items always answered: 0..n-1
 *                  (get_filter_parquet.py keeps avg_acc < 1.0)
 *
 * A bound written "n" or "n-K" is taken from each record's judge.n, so
 * the same band works for any number of samples.  A record that lacks a
 * field an active filter needs is an error for the caller to report,
 * never a silent drop: a record without "judge" is not "0 correct".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "judge/private.h"

struct bound {
	int set;        /* 0: open */
	int rel;        /* relative to judge.n */
	long long k;    /* the value, or the offset from n */
};

/* A set of id strings: open addressing, grown at half full. */
struct idset {
	char **slot;
	size_t cap, count;
};

struct kc_filter {
	int have_correct, have_rate;
	struct bound clo, chi;
	double rlo, rhi;
	char **sources;
	size_t nsources;
	struct idset keep, drop;
	int have_keep, have_drop;
	struct kc_filter_stats st;
};

static const char *const drop_names[KC_DROP_COUNT] = {
	[KC_DROP_NONE] = "kept",
	[KC_DROP_SOURCE] = "source",
	[KC_DROP_IDS] = "ids",
	[KC_DROP_EXCLUDE_IDS] = "exclude-ids",
	[KC_DROP_CORRECT] = "correct",
	[KC_DROP_PASS_RATE] = "pass-rate",
};

const char *kc_drop_name(enum kc_drop why)
{
	return kc_name_of(KC_NAMES(drop_names), (int)why);
}

kc_status kc_filter_new(kc_filter **out, struct kc_error *err)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return kc_error_nomem(err);
	return KC_OK;
}

static void idset_release(struct idset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
}

void kc_filter_free(kc_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nsources; i++)
		free(f->sources[i]);
	free(f->sources);
	idset_release(&f->keep);
	idset_release(&f->drop);
	free(f->st.hist_read);
	free(f->st.hist_kept);
	free(f);
}

const struct kc_filter_stats *kc_filter_stats(const kc_filter *f)
{
	return &f->st;
}

/* Parse one bound of a count range: "", "7", "n", "n-1". */
static int parse_count_bound(const char *s, size_t n, struct bound *b)
{
	char buf[32], *end;
	long long v;

	memset(b, 0, sizeof *b);
	if (n == 0)
		return 0;
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	b->set = 1;
	if (buf[0] == 'n') {
		b->rel = 1;
		if (n == 1)
			return 0;
		if (buf[1] != '-' || !(buf[2] >= '0' && buf[2] <= '9'))
			return -1;
		errno = 0;
		v = strtoll(buf + 2, &end, 10);
		if (errno || *end)
			return -1;
		b->k = -v;
		return 0;
	}
	if (!(buf[0] >= '0' && buf[0] <= '9'))
		return -1;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end)
		return -1;
	b->k = v;
	return 0;
}

/* Split "A..B" (or "A" alone, meaning A..A) into its two halves. */
static void split_range(const char *r, const char **a, size_t *an,
                        const char **b, size_t *bn)
{
	const char *dots = strstr(r, "..");

	*a = r;
	if (!dots) {
		*an = *bn = strlen(r);
		*b = r;
		return;
	}
	*an = (size_t)(dots - r);
	*b = dots + 2;
	*bn = strlen(*b);
}

kc_status kc_filter_set_correct(kc_filter *f, const char *range,
                                struct kc_error *err)
{
	const char *a, *b;
	size_t an, bn;
	struct bound lo, hi;

	if (f->have_correct)
		return kc_error_set(err, KC_EINVAL, "the correct band is "
		                    "given twice");
	split_range(range, &a, &an, &b, &bn);
	if (parse_count_bound(a, an, &lo) || parse_count_bound(b, bn, &hi) ||
	    (!lo.set && !hi.set) || strstr(b, ".."))
		return kc_error_set(err, KC_EINVAL, "invalid range '%s' (A..B, "
		                    "A.., ..B or A; a bound may be n or n-K)",
		                    range);
	if (lo.set && hi.set && lo.rel == hi.rel && lo.k > hi.k)
		return kc_error_set(err, KC_EINVAL, "empty range '%s'", range);
	f->clo = lo;
	f->chi = hi;
	f->have_correct = 1;
	return KC_OK;
}

static int parse_rate(const char *s, size_t n, int *set, double *v)
{
	char buf[64], *end;

	*set = 0;
	if (n == 0)
		return 0;
	if (n >= sizeof buf)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	if (errno || *end || end == buf || !(*v >= 0 && *v <= 1))
		return -1;
	*set = 1;
	return 0;
}

kc_status kc_filter_set_pass_rate(kc_filter *f, const char *range,
                                  struct kc_error *err)
{
	const char *a, *b;
	size_t an, bn;
	int lset, hset;
	double lo = 0, hi = 1;

	if (f->have_rate)
		return kc_error_set(err, KC_EINVAL, "the pass-rate band is "
		                    "given twice");
	split_range(range, &a, &an, &b, &bn);
	if (parse_rate(a, an, &lset, &lo) || parse_rate(b, bn, &hset, &hi) ||
	    (!lset && !hset))
		return kc_error_set(err, KC_EINVAL, "invalid range '%s' (A..B "
		                    "with 0 <= A <= B <= 1)", range);
	if (!lset)
		lo = 0;
	if (!hset)
		hi = 1;
	if (lo > hi)
		return kc_error_set(err, KC_EINVAL, "empty range '%s'", range);
	f->rlo = lo;
	f->rhi = hi;
	f->have_rate = 1;
	return KC_OK;
}

kc_status kc_filter_set_preset(kc_filter *f, const char *name,
                               struct kc_error *err)
{
	static const char *const names[] = { "stage1", "filter-again",
	                                     "second-chance" };
	static const char *const bands[] = { "1..6", "0..n-1", "1..n-1" };
	int i;
	kc_status st = kc_name_parse(KC_NAMES(names), "preset", name, &i, err);

	return st ? st : kc_filter_set_correct(f, bands[i], err);
}

kc_status kc_filter_add_source(kc_filter *f, const char *name,
                               struct kc_error *err)
{
	char **v = realloc(f->sources, (f->nsources + 1) * sizeof *v);

	if (!v)
		return kc_error_nomem(err);
	f->sources = v;
	if (!(v[f->nsources] = strdup(name)))
		return kc_error_nomem(err);
	f->nsources++;
	return KC_OK;
}

static size_t id_hash(const char *s, size_t n)
{
	return (size_t)kc_hash64(s, n, 0x6b632d66696c7472ULL);
}

static char **idset_find(const struct idset *s, const char *id, size_t n)
{
	size_t mask = s->cap - 1, i = id_hash(id, n) & mask;

	while (s->slot[i] && (strlen(s->slot[i]) != n ||
	                      memcmp(s->slot[i], id, n)))
		i = (i + 1) & mask;
	return &s->slot[i];
}

static int idset_has(const struct idset *s, const char *id, size_t n)
{
	return s->cap && *idset_find(s, id, n) != NULL;
}

static kc_status idset_add(struct idset *s, const char *id, size_t n)
{
	char **p;

	if (2 * (s->count + 1) > s->cap) {
		struct idset g = { 0 };

		g.cap = s->cap ? 2 * s->cap : 1024;
		if (!(g.slot = calloc(g.cap, sizeof *g.slot)))
			return KC_ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i])
				*idset_find(&g, s->slot[i],
				            strlen(s->slot[i])) = s->slot[i];
		g.count = s->count;
		free(s->slot);
		*s = g;
	}
	p = idset_find(s, id, n);
	if (*p)
		return KC_OK;
	if (!(*p = strndup(id, n)))
		return KC_ENOMEM;
	s->count++;
	return KC_OK;
}

kc_status kc_filter_load_ids(kc_filter *f, const char *path, int exclude,
                             struct kc_error *err)
{
	struct idset *set = exclude ? &f->drop : &f->keep;
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	long lineno = 0;
	kc_status st = KC_OK;

	if (!in) {
		if (err)
			err->saved_errno = errno;
		return kc_error_set(err, errno == ENOENT ? KC_ENOTFOUND : KC_EIO,
		                    "%s: %s", path, strerror(errno));
	}
	while ((len = getline(&line, &cap, in)) >= 0) {
		const char *s = line;
		size_t n = (size_t)len;

		lineno++;
		while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' ||
		             s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		if (n == 0)
			continue;
		if (memchr(s, '\0', n)) {
			st = kc_error_set(err, KC_EINVAL, "%s:%ld: NUL byte in "
			                  "an id", path, lineno);
			break;
		}
		if ((st = idset_add(set, s, n))) {
			kc_error_set(err, st, "out of memory");
			break;
		}
	}
	if (!st && ferror(in)) {
		if (err)
			err->saved_errno = errno;
		st = kc_error_set(err, KC_EIO, "%s: %s", path, strerror(errno));
	}
	free(line);
	fclose(in);
	if (!st) {
		if (exclude)
			f->have_drop = 1;
		else
			f->have_keep = 1;
	}
	return st;
}

/* Count one record in the histograms, which grow to n + 1 bins. */
static kc_status hist_add(struct kc_filter_stats *st, long long correct,
                          long long n, int kept)
{
	size_t len = (size_t)(n > correct ? n : correct) + 1;

	if (len > KC_JUDGE_HIST_MAX)
		len = KC_JUDGE_HIST_MAX;
	if (len > st->hist_len) {
		unsigned long *r = realloc(st->hist_read, len * sizeof *r);

		if (!r)
			return KC_ENOMEM;
		st->hist_read = r;
		r = realloc(st->hist_kept, len * sizeof *r);
		if (!r)
			return KC_ENOMEM;
		st->hist_kept = r;
		memset(st->hist_read + st->hist_len, 0,
		       (len - st->hist_len) * sizeof *r);
		memset(st->hist_kept + st->hist_len, 0,
		       (len - st->hist_len) * sizeof *r);
		st->hist_len = len;
	}
	if (correct >= KC_JUDGE_HIST_MAX) {
		st->hist_over++;
		return KC_OK;
	}
	st->hist_read[correct]++;
	st->hist_kept[correct] += kept != 0;
	return KC_OK;
}

static long long bound_value(const struct bound *b, long long n)
{
	return b->rel ? n + b->k : b->k;
}

/* The record's id as a string: a string id, or an integer's digits. */
static const char *record_id(const json_t *rec, char *buf, size_t size,
                             size_t *len)
{
	json_t *v = json_object_get(rec, "id");

	if (json_is_string(v)) {
		*len = json_string_length(v);
		return json_string_value(v);
	}
	if (json_is_integer(v)) {
		*len = (size_t)snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
		                        json_integer_value(v));
		return buf;
	}
	return NULL;
}

/* What the active filters read of a record. */
struct fields {
	json_t *jc, *jn, *jr, *src;   /* judge.correct, .n, .pass_rate */
	const char *id;
	char idbuf[32];
	size_t idlen;
	int need_n;                   /* the bounds are relative to n */
};

/* Every field an active filter needs, checked first, so that a bad
 * record is reported whatever the other filters would say. */
static kc_status read_fields(const kc_filter *f, const json_t *rec,
                             struct fields *x, struct kc_error *err)
{
	json_t *jd;

	if (!json_is_object(rec))
		return kc_error_set(err, KC_EFIELD, "record is not an object");
	jd = json_object_get(rec, "judge");
	if ((f->have_correct || f->have_rate) && !json_is_object(jd))
		return kc_error_set(err, KC_EFIELD, jd ? "\"judge\" is not an "
		                    "object" : "missing \"judge\" (run kc-judge "
		                    "first)");
	if (json_is_object(jd)) {
		x->jc = json_object_get(jd, "correct");
		x->jn = json_object_get(jd, "n");
		x->jr = json_object_get(jd, "pass_rate");
	}
	if (f->have_correct && !(json_is_integer(x->jc) &&
	                         json_integer_value(x->jc) >= 0))
		return kc_error_set(err, KC_EFIELD, "\"judge.correct\" is "
		                    "missing or not a count");
	x->need_n = f->have_correct && (f->clo.rel || f->chi.rel);
	if (x->need_n && !(json_is_integer(x->jn) &&
	                   json_integer_value(x->jn) >= 0))
		return kc_error_set(err, KC_EFIELD, "\"judge.n\" is missing or "
		                    "not a count");
	if (f->have_rate && !json_is_number(x->jr))
		return kc_error_set(err, KC_EFIELD, "\"judge.pass_rate\" is "
		                    "missing or not a number");
	if ((f->have_keep || f->have_drop) &&
	    !(x->id = record_id(rec, x->idbuf, sizeof x->idbuf, &x->idlen)))
		return kc_error_set(err, KC_EFIELD, "\"id\" is missing or not a "
		                    "string or an integer");
	if (f->nsources) {
		x->src = json_object_get(rec, "source");
		if (!json_is_string(x->src))
			return kc_error_set(err, KC_EFIELD, "\"source\" is "
			                    "missing or not a string");
	}
	return KC_OK;
}

/* The first filter that drops the record, or KC_DROP_NONE. */
static enum kc_drop decide(const kc_filter *f, const struct fields *x)
{
	if (f->nsources) {
		size_t i;

		for (i = 0; i < f->nsources; i++)
			if (!strcmp(json_string_value(x->src), f->sources[i]))
				break;
		if (i == f->nsources)
			return KC_DROP_SOURCE;
	}
	if (f->have_keep && !idset_has(&f->keep, x->id, x->idlen))
		return KC_DROP_IDS;
	if (f->have_drop && idset_has(&f->drop, x->id, x->idlen))
		return KC_DROP_EXCLUDE_IDS;
	if (f->have_correct) {
		long long c = json_integer_value(x->jc);
		long long n = x->need_n ? json_integer_value(x->jn) : 0;

		if ((f->clo.set && c < bound_value(&f->clo, n)) ||
		    (f->chi.set && c > bound_value(&f->chi, n)))
			return KC_DROP_CORRECT;
	}
	if (f->have_rate) {
		double r = json_number_value(x->jr);

		if (!(r >= f->rlo && r <= f->rhi))
			return KC_DROP_PASS_RATE;
	}
	return KC_DROP_NONE;
}

kc_status kc_filter_record(kc_filter *f, const json_t *rec,
                           enum kc_drop *why, struct kc_error *err)
{
	struct fields x = { 0 };
	kc_status st;

	*why = KC_DROP_NONE;
	f->st.read++;
	if ((st = read_fields(f, rec, &x, err))) {
		f->st.bad++;
		return st;
	}
	*why = decide(f, &x);
	if (*why)
		f->st.dropped[*why]++;
	else
		f->st.kept++;
	if (json_is_integer(x.jc) && json_integer_value(x.jc) >= 0) {
		long long n = json_is_integer(x.jn) && json_integer_value(x.jn) > 0
		              ? json_integer_value(x.jn) : 0;

		f->st.judged++;
		if ((st = hist_add(&f->st, json_integer_value(x.jc), n, !*why)))
			return kc_error_set(err, st, "out of memory");
	}
	return KC_OK;
}
