/*
 * judge.c - rule-based rewards: em, sub_em, cem, f1 and LoongRL's
 * format-strict rewards, for one response or a whole record.
 *
 * The definitions, and where each is re-typed from in
 * tests/judge/reference.py (which the tests run against this file):
 *
 *   em        normalize(pred) == normalize(gold)
 *             (LoongRL longcontext_qa_llm_judge.py exact_match_score)
 *   sub_em    either normalized string contains the other
 *             (LoongRL sub_em, the RL reward; KeyChain judge_utils
 *             exact_match_score is the same test)
 *   cem       normalize(pred) in normalize(gold)
 *             (KeyChain filter_question/merge_output.py _cem_score)
 *   f1        token F1 of the normalized strings; when either is "yes",
 *             "no" or "noanswer" and they differ, 0 (LoongRL f1_score)
 *   format_em LoongRL _format_exact_match_in_string: on the stripped
 *             response, 0 if "\boxed" occurs more than once, if there is
 *             no boxed answer, or if the answer holds more than one '{',
 *             '}' or '\'; else 1 when normalize_text(gold) is in
 *             normalize_text(answer), minus 1 if the answer is more than
 *             128 characters longer than the gold, minus 1 if more than
 *             32 characters follow its last occurrence; at least 0.
 *   format_f1 LoongRL _format_f1_score: the same checks; the plain token
 *             F1 (no yes/no rule) when it is over 0.5, else 0; 0 if the
 *             answer is too long or followed by too much.
 *
 * Each is the best over the gold answers.  The format rewards read the
 * whole response (they judge its shape), whatever extraction rule the
 * other metrics use.
 *
 * The one departure, on purpose: in the reference a prediction that
 * normalizes to "" (\boxed{the}, "The answer is .") is contained in
 * every gold answer, so sub_em and cem call it correct, and a gold that
 * normalizes to "" (the band "The The") is contained in every
 * prediction.  Here a comparison where either side normalizes to ""
 * scores 0 (em, sub_em, cem; format_em for an empty gold);
 * reference_compat restores the old behaviour for comparisons.  An
 * answer that is empty before normalization, or not found, scores 0
 * everywhere, as in every reference.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "judge/private.h"

static const char *const metric_names[KC_METRIC_COUNT] = {
	[KC_METRIC_EM] = "em",
	[KC_METRIC_SUB_EM] = "sub_em",
	[KC_METRIC_CEM] = "cem",
	[KC_METRIC_F1] = "f1",
	[KC_METRIC_FORMAT_EM] = "format_em",
	[KC_METRIC_FORMAT_F1] = "format_f1",
};

const char *kc_metric_name(enum kc_metric m)
{
	return kc_name_of(KC_NAMES(metric_names), (int)m);
}

kc_status kc_metric_parse(const char *name, enum kc_metric *m,
                          struct kc_error *err)
{
	int v;
	kc_status st = kc_name_parse(KC_NAMES(metric_names), "metric", name,
	                             &v, err);

	if (!st)
		*m = (enum kc_metric)v;
	return st;
}

int kc_metric_graded(enum kc_metric m)
{
	return m == KC_METRIC_F1 || m == KC_METRIC_FORMAT_F1;
}

void kc_judge_opts_init(struct kc_judge_opts *opt)
{
	memset(opt, 0, sizeof *opt);
	opt->extract = KC_EXTRACT_DEFAULT;
	opt->metric = KC_METRIC_CEM;
	/* the reference's "high F1" count is f1 > 0.75 */
	opt->threshold = 0.75;
}

/* One gold answer: its text and both normalizations, as offsets into
 * the handle's store (which may move when it grows). */
struct gold {
	size_t raw, raw_len, raw_cp;
	size_t norm, norm_len;
	size_t loong, loong_len;
};

/* A slot of the token table used by F1. */
struct tok {
	const char *s;
	size_t len;
	unsigned long cg, cp;   /* count in gold, in prediction */
};

struct kc_judge {
	struct kc_judge_opts opt;
	char *response_field, *answers_field;
	struct gold *golds;
	size_t ngold, gold_cap;
	kc_buf store;           /* gold texts and normalizations */
	kc_buf scratch;         /* extraction */
	kc_buf tmp;             /* normalization */
	kc_buf npred, npred2, lpred;
	struct tok *tab;        /* F1 token table, open addressing */
	size_t tab_cap;
	struct kc_judge_totals tot;
};

kc_status kc_judge_new(kc_judge **out, const struct kc_judge_opts *opt,
                       struct kc_error *err)
{
	kc_judge *j = calloc(1, sizeof *j);

	*out = NULL;
	if (!j)
		return kc_error_nomem(err);
	if (opt)
		j->opt = *opt;
	else
		kc_judge_opts_init(&j->opt);
	if ((unsigned)j->opt.metric >= KC_METRIC_COUNT ||
	    (j->opt.extract != KC_EXTRACT_DEFAULT &&
	     (unsigned)j->opt.extract >= KC_EXTRACT_COUNT) ||
	    !isfinite(j->opt.threshold)) {
		free(j);
		return kc_error_set(err, KC_EINVAL, "invalid judge options");
	}
	if (j->opt.response_field &&
	    !(j->response_field = strdup(j->opt.response_field)))
		goto nomem;
	if (j->opt.answers_field &&
	    !(j->answers_field = strdup(j->opt.answers_field)))
		goto nomem;
	j->opt.response_field = j->response_field;
	j->opt.answers_field = j->answers_field;
	kc_buf_init(&j->store, 0);
	kc_buf_init(&j->scratch, 0);
	kc_buf_init(&j->tmp, 0);
	kc_buf_init(&j->npred, 0);
	kc_buf_init(&j->npred2, 0);
	kc_buf_init(&j->lpred, 0);
	*out = j;
	return KC_OK;
nomem:
	free(j->response_field);
	free(j);
	return kc_error_nomem(err);
}

void kc_judge_free(kc_judge *j)
{
	if (!j)
		return;
	free(j->response_field);
	free(j->answers_field);
	free(j->golds);
	kc_buf_release(&j->store);
	kc_buf_release(&j->scratch);
	kc_buf_release(&j->tmp);
	kc_buf_release(&j->npred);
	kc_buf_release(&j->npred2);
	kc_buf_release(&j->lpred);
	free(j->tab);
	free(j->tot.hist);
	free(j);
}

const struct kc_judge_totals *kc_judge_totals(const kc_judge *j)
{
	return &j->tot;
}

kc_status kc_judge_set_golds(kc_judge *j, const char *const *golds,
                             const size_t *lens, size_t n,
                             struct kc_error *err)
{
	kc_status st;

	if (n == 0)
		return kc_error_set(err, KC_EINVAL, "no gold answers");
	if (n > j->gold_cap) {
		struct gold *g = realloc(j->golds, n * sizeof *g);

		if (!g)
			return kc_error_nomem(err);
		j->golds = g;
		j->gold_cap = n;
	}
	j->store.len = 0;
	for (size_t i = 0; i < n; i++) {
		struct gold *g = &j->golds[i];

		g->raw = j->store.len;
		g->raw_len = lens[i];
		g->raw_cp = kc_text_cplen(golds[i], lens[i]);
		if ((st = kc_buf_append(&j->store, golds[i], lens[i])))
			goto fail;
		g->norm = j->store.len;
		if ((st = kc_text_normalize(golds[i], lens[i], &j->store,
		                            &j->tmp)))
			goto fail;
		g->norm_len = j->store.len - g->norm;
		g->loong = j->store.len;
		if ((st = kc_text_normalize_loong(golds[i], lens[i], &j->store,
		                                  &j->tmp)))
			goto fail;
		g->loong_len = j->store.len - g->loong;
	}
	j->ngold = n;
	return KC_OK;
fail:
	j->ngold = 0;
	return kc_error_set(err, st, "gold answer: %s", kc_strerror(st));
}

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* The slot of token s[0..n) in the first `cap` slots of the table (an
 * empty slot if it is absent); cap is a power of two. */
static struct tok *tab_slot(struct tok *tab, size_t cap, const char *s,
                            size_t n)
{
	size_t mask = cap - 1, i = (size_t)fnv(s, n) & mask;

	while (tab[i].s && (tab[i].len != n || memcmp(tab[i].s, s, n)))
		i = (i + 1) & mask;
	return &tab[i];
}

/* The next space-separated token of s[..end) starting at s. */
static const char *tok_end(const char *s, const char *end)
{
	const char *e = memchr(s, ' ', (size_t)(end - s));

	return e ? e : end;
}

/*
 * Token F1 of two normalized strings (tokens separated by single
 * spaces), computed with the same floating-point operations, in the same
 * order, as the Python, so the doubles are equal bit for bit.
 * Counter(p) & Counter(g) is a table of the gold's tokens, counted
 * against one pass over the prediction's: linear in both lengths, and
 * the table is as small as the gold.
 */
static kc_status token_f1(kc_judge *j, const char *p, size_t pn,
                          const char *g, size_t gn, double *f1)
{
	size_t ptoks = 0, gtoks = 0, same = 0, cap = 16;
	const char *s, *e;

	*f1 = 0;
	if (!pn || !gn)
		return KC_OK;
	for (s = g;; s = e + 1) {
		e = tok_end(s, g + gn);
		gtoks++;
		if (e == g + gn)
			break;
	}
	while (cap < 2 * gtoks)
		cap *= 2;
	if (cap > j->tab_cap) {
		struct tok *t = malloc(cap * sizeof *t);

		if (!t)
			return KC_ENOMEM;
		free(j->tab);
		j->tab = t;
		j->tab_cap = cap;
	}
	memset(j->tab, 0, cap * sizeof *j->tab);
	for (s = g;; s = e + 1) {
		struct tok *t;

		e = tok_end(s, g + gn);
		t = tab_slot(j->tab, cap, s, (size_t)(e - s));
		if (!t->s) {
			t->s = s;
			t->len = (size_t)(e - s);
		}
		t->cg++;
		if (e == g + gn)
			break;
	}
	for (s = p;; s = e + 1) {
		struct tok *t;

		e = tok_end(s, p + pn);
		ptoks++;
		t = tab_slot(j->tab, cap, s, (size_t)(e - s));
		if (t->s && t->cp < t->cg) {
			t->cp++;
			same++;
		}
		if (e == p + pn)
			break;
	}
	if (same) {
		double precision = 1.0 * (double)same / (double)ptoks;
		double recall = 1.0 * (double)same / (double)gtoks;

		*f1 = (2 * precision * recall) / (precision + recall);
	}
	return KC_OK;
}

static int streq(const char *a, size_t an, const char *b)
{
	return an == strlen(b) && !memcmp(a, b, an);
}

static int yes_no(const char *s, size_t n)
{
	return streq(s, n, "yes") || streq(s, n, "no") ||
	       streq(s, n, "noanswer");
}

/* needle in hay, as Python's `in` ("" is in everything). */
static int contains(const char *hay, size_t hn, const char *needle,
                    size_t nn)
{
	if (nn == 0)
		return 1;
	return memmem(hay, hn, needle, nn) != NULL;
}

/* Whether needle occurs within the last `k` code points of t[0..n). */
static int in_last_cps(const char *t, size_t n, const char *needle,
                       size_t nn, size_t k)
{
	size_t i = n;

	while (i > 0 && k > 0) {
		i--;
		while (i > 0 && ((unsigned char)t[i] & 0xc0) == 0x80)
			i--;
		k--;
	}
	return contains(t + i, n - i, needle, nn);
}

static const char *gstr(const kc_judge *j, size_t off)
{
	return j->store.data + off;
}

/* LoongRL's format_exact_match and format_f1_score on the response. */
static kc_status format_scores(kc_judge *j, const char *s, size_t n,
                               double *fem, double *ff1)
{
	const char *p, *t = s, *a;
	size_t tn = n, an, boxes = 0, a_cp, open = 0, close = 0, bsl = 0;
	int eot_ok, compat = j->opt.reference_compat;
	kc_status st;

	*fem = *ff1 = 0;
	kc_text_strip(&t, &tn);
	for (p = t; boxes < 2 && (p = memmem(p, (size_t)(t + tn - p),
	                                     "\\boxed", 6)); p += 6)
		boxes++;
	if (boxes > 1)
		return KC_OK;
	if (!kc_extract_boxed(t, tn, 0, &a, &an))
		return KC_OK;
	for (size_t i = 0; i < an; i++) {
		open += a[i] == '{';
		close += a[i] == '}';
		bsl += a[i] == '\\';
	}
	if (open > 1 || close > 1 || bsl > 1)
		return KC_OK;
	a_cp = kc_text_cplen(a, an);
	/* len(t) - (t.rfind(a) + len(a)) > 32, without a quadratic rfind:
	 * the last occurrence ends within the last 32 characters exactly
	 * when one lies within the last 32 + len(a). */
	eot_ok = in_last_cps(t, tn, a, an, 32 + a_cp);
	j->lpred.len = 0;
	j->npred2.len = 0;
	if ((st = kc_text_normalize_loong(a, an, &j->lpred, &j->tmp)) ||
	    (st = kc_text_normalize(a, an, &j->npred2, &j->tmp)))
		return st;
	for (size_t i = 0; i < j->ngold; i++) {
		const struct gold *g = &j->golds[i];
		int over = a_cp > g->raw_cp && a_cp - g->raw_cp > 128;
		double f;

		if ((compat || g->loong_len) &&
		    contains(j->lpred.data, j->lpred.len, gstr(j, g->loong),
		             g->loong_len)) {
			double r = 1.0 - over - !eot_ok;

			if (r > *fem)
				*fem = r;
		}
		if ((st = token_f1(j, j->npred2.data, j->npred2.len,
		                   gstr(j, g->norm), g->norm_len, &f)))
			return st;
		if (f > 0.5) {
			double r = over || !eot_ok ? 0 : f;

			if (r > *ff1)
				*ff1 = r;
		}
	}
	return KC_OK;
}

kc_status kc_judge_score(kc_judge *j, enum kc_extract how, const char *s,
                         size_t n, struct kc_judge_score *out,
                         struct kc_error *err)
{
	const char *a;
	size_t an;
	int compat = j->opt.reference_compat;
	double *m = out->m;
	kc_status st;

	memset(out, 0, sizeof *out);
	if ((st = kc_extract(how, s, n, &j->scratch, &a, &an)))
		return kc_error_set(err, st, "extracting the answer: %s",
		                    kc_strerror(st));
	out->answer = a;
	out->answer_len = an;
	if (a && an) {
		const char *p;
		size_t pn;

		j->npred.len = 0;
		if ((st = kc_text_normalize(a, an, &j->npred, &j->tmp)))
			return kc_error_set(err, st, "normalizing the answer: %s",
			                    kc_strerror(st));
		p = j->npred.data;
		pn = j->npred.len;
		for (size_t i = 0; i < j->ngold; i++) {
			const struct gold *g = &j->golds[i];
			const char *gn = gstr(j, g->norm);
			size_t gl = g->norm_len;
			double f = 0;

			if (compat || (pn && gl)) {
				int in_gold = contains(gn, gl, p, pn);

				if (pn == gl && !memcmp(p, gn, pn))
					m[KC_METRIC_EM] = 1;
				if (in_gold)
					m[KC_METRIC_CEM] = 1;
				if (in_gold || contains(p, pn, gn, gl))
					m[KC_METRIC_SUB_EM] = 1;
			}
			if (!((yes_no(p, pn) || yes_no(gn, gl)) &&
			      !(pn == gl && !memcmp(p, gn, pn)))) {
				if ((st = token_f1(j, p, pn, gn, gl, &f)))
					return kc_error_set(err, st, "out of memory");
			}
			if (f > m[KC_METRIC_F1])
				m[KC_METRIC_F1] = f;
		}
	}
	if ((st = format_scores(j, s, n, &m[KC_METRIC_FORMAT_EM],
	                        &m[KC_METRIC_FORMAT_F1])))
		return kc_error_set(err, st, "scoring the format: %s",
		                    kc_strerror(st));
	if (kc_metric_graded(j->opt.metric))
		out->correct = m[j->opt.metric] > j->opt.threshold;
	else
		out->correct = m[j->opt.metric] >= 1;
	return KC_OK;
}

json_t *kc_judge_lookup(const json_t *obj, const char *path)
{
	const char *dot;
	json_t *v = (json_t *)obj;

	while ((dot = strchr(path, '.'))) {
		if (!json_is_object(v))
			return NULL;
		v = json_object_getn(v, path, (size_t)(dot - path));
		path = dot + 1;
	}
	return json_is_object(v) ? json_object_get(v, path) : NULL;
}

/*
 * Collect the strings of field `name` (value v): an array of strings,
 * or one string when `one_ok`.  Fills *arr (a borrowed array, or NULL
 * for a single string held in *one).
 */
static kc_status strings_of(const char *name, json_t *v, int one_ok,
                            json_t **arr, size_t *count,
                            struct kc_error *err)
{
	*arr = NULL;
	if (json_is_string(v) && one_ok) {
		*count = 1;
		return KC_OK;
	}
	if (!json_is_array(v))
		return kc_error_set(err, KC_EFIELD, "\"%s\" is %s, not %s",
		                    name, kc_json_type_name(v), one_ok ?
		                    "a string or an array" : "an array");
	*count = json_array_size(v);
	if (*count == 0)
		return kc_error_set(err, KC_EFIELD, "\"%s\" is empty", name);
	for (size_t i = 0; i < *count; i++) {
		json_t *e = json_array_get(v, i);

		if (!json_is_string(e))
			return kc_error_set(err, KC_EFIELD,
			                    "\"%s\"[%zu] is %s, not a string",
			                    name, i, kc_json_type_name(e));
	}
	*arr = v;
	return KC_OK;
}

static const char *nth(json_t *arr, json_t *one, size_t i, size_t *len)
{
	json_t *v = arr ? json_array_get(arr, i) : one;

	*len = json_string_length(v);
	return json_string_value(v);
}

/* Grow a histogram to `len` bins (at most KC_JUDGE_HIST_MAX). */
static kc_status hist_grow(unsigned long **hist, size_t *hist_len, size_t len)
{
	unsigned long *h;

	if (len > KC_JUDGE_HIST_MAX)
		len = KC_JUDGE_HIST_MAX;
	if (len <= *hist_len)
		return KC_OK;
	if (!(h = realloc(*hist, len * sizeof *h)))
		return KC_ENOMEM;
	memset(h + *hist_len, 0, (len - *hist_len) * sizeof *h);
	*hist = h;
	*hist_len = len;
	return KC_OK;
}

static kc_status add_totals(kc_judge *j, size_t n, size_t correct,
                            size_t answered, const double *sums)
{
	struct kc_judge_totals *t = &j->tot;
	kc_status st;

	t->records++;
	t->responses += n;
	t->answered += answered;
	t->correct += correct;
	t->any_correct += correct > 0;
	if (n)
		t->pass_rate_sum += (double)correct / (double)n;
	for (int k = 0; k < KC_METRIC_COUNT; k++)
		t->metric_sum[k] += sums[k];
	/* bins 0..n, as the reference's cem_stats shows them */
	if ((st = hist_grow(&t->hist, &t->hist_len, n + 1)))
		return st;
	if (correct >= KC_JUDGE_HIST_MAX)
		t->hist_over++;
	else
		t->hist[correct]++;
	return KC_OK;
}

/*
 * The record's responses: the field named by the options, else
 * "responses" (kc-ask's list), else "prediction" or "pred" (one string,
 * *is_pred set).
 */
static kc_status find_responses(const kc_judge *j, json_t *rec, json_t **rv,
                                const char **rname, int *is_pred,
                                struct kc_error *err)
{
	*rname = j->opt.response_field;
	*is_pred = 0;
	if (*rname) {
		if (!(*rv = kc_judge_lookup(rec, *rname)))
			return kc_error_set(err, KC_EFIELD, "missing \"%s\"", *rname);
		return KC_OK;
	}
	if ((*rv = json_object_get(rec, "responses"))) {
		*rname = "responses";
		return KC_OK;
	}
	if ((*rv = json_object_get(rec, "prediction")) ||
	    (*rv = json_object_get(rec, "pred"))) {
		*rname = json_object_get(rec, "prediction") ? "prediction" : "pred";
		*is_pred = 1;
		if (!json_is_string(*rv))
			return kc_error_set(err, KC_EFIELD, "\"%s\" is %s, not a "
			                    "string", *rname, kc_json_type_name(*rv));
		return KC_OK;
	}
	return kc_error_set(err, KC_EFIELD, "missing \"responses\" (or "
	                    "\"prediction\")");
}

/* The gold answers of the record, for the scores that follow. */
static kc_status golds_of(kc_judge *j, json_t *garr, json_t *av, size_t n,
                          struct kc_error *err)
{
	const char **gs = malloc(n * sizeof *gs);
	size_t *gl = malloc(n * sizeof *gl);
	kc_status st;

	if (!gs || !gl) {
		free(gs);
		free(gl);
		return kc_error_nomem(err);
	}
	for (size_t i = 0; i < n; i++)
		gs[i] = nth(garr, av, i, &gl[i]);
	st = kc_judge_set_golds(j, gs, gl, n, err);
	free(gs);
	free(gl);
	return st;
}

/* What one record's responses scored, summed. */
struct tally {
	size_t n, correct, answered, truncated, skipped;
	double sums[KC_METRIC_COUNT];
};

/* {"answer", one number per metric} for response s[0..len). */
static kc_status score_one(kc_judge *j, enum kc_extract how, const char *s,
                           size_t len, const char *rname, size_t i,
                           struct tally *t, json_t *list,
                           struct kc_error *err)
{
	struct kc_judge_score sc;
	json_t *o, *a;
	kc_status st;

	if ((st = kc_judge_score(j, how, s, len, &sc, err)))
		return st;
	if (!sc.answer)
		a = json_null();
	else if (!(a = json_stringn(sc.answer, sc.answer_len)))
		return kc_error_set(err, KC_EUTF8, "\"%s\"[%zu]: the answer is "
		                    "not valid UTF-8", rname, i);
	if (!(o = json_object()) || json_object_set_new(o, "answer", a)) {
		json_decref(o);
		return kc_error_nomem(err);
	}
	for (int k = 0; k < KC_METRIC_COUNT; k++) {
		json_t *num = kc_metric_graded((enum kc_metric)k)
		        ? json_real(sc.m[k])
		        : json_integer((json_int_t)sc.m[k]);

		json_object_set_new(o, metric_names[k], num);
		t->sums[k] += sc.m[k];
	}
	t->correct += sc.correct != 0;
	t->answered += sc.answer != NULL;
	return json_array_append_new(list, o) ? kc_error_nomem(err) : KC_OK;
}

static const char *const trunc_names[] = {
	[KC_TRUNCATED_KEEP] = "keep", [KC_TRUNCATED_WRONG] = "wrong",
	[KC_TRUNCATED_SKIP] = "skip",
};

/* 1 when response i was cut short: "finish_reasons"[i] is "length". */
static int cut_short(const json_t *finish, size_t i)
{
	const char *f = json_string_value(json_array_get(finish, i));

	return f && !strcmp(f, "length");
}

/* The entry of a truncated response that is not judged: wrong (every
 * metric 0) or skipped (no metrics). */
static kc_status unjudged(kc_judge *j, struct tally *t, json_t *list,
                          struct kc_error *err)
{
	json_t *o = json_pack("{s:n,s:b}", "answer", "truncated", 1);

	if (!o)
		return kc_error_nomem(err);
	if (j->opt.truncated == KC_TRUNCATED_SKIP) {
		json_object_set_new(o, "skipped", json_true());
		t->skipped++;
	} else {
		for (int k = 0; k < KC_METRIC_COUNT; k++)
			json_object_set_new(o, metric_names[k],
			                    kc_metric_graded((enum kc_metric)k)
			                    ? json_real(0) : json_integer(0));
	}
	return json_array_append_new(list, o) ? kc_error_nomem(err) : KC_OK;
}

/* The record's "judge": the rule, the metric, the counts, the list. */
static json_t *judge_json(const kc_judge *j, enum kc_extract how,
                          const struct tally *t, json_t *list)
{
	json_t *jd = json_object();

	if (!jd)
		return NULL;
	json_object_set_new(jd, "extract", json_string(kc_extract_name(how)));
	json_object_set_new(jd, "metric",
	                    json_string(metric_names[j->opt.metric]));
	if (kc_metric_graded(j->opt.metric))
		json_object_set_new(jd, "threshold", json_real(j->opt.threshold));
	if (j->opt.reference_compat)
		json_object_set_new(jd, "reference_compat", json_true());
	json_object_set_new(jd, "n", json_integer((json_int_t)t->n));
	json_object_set_new(jd, "correct", json_integer((json_int_t)t->correct));
	/* every answer skipped (--truncated skip): no rate, 0 */
	json_object_set_new(jd, "pass_rate", json_real(t->n ? (double)t->correct
	                                               / (double)t->n : 0.0));
	if (t->truncated) {
		json_object_set_new(jd, "truncated",
		                    json_integer((json_int_t)t->truncated));
		json_object_set_new(jd, "truncated_as",
		                    json_string(trunc_names[j->opt.truncated]));
	}
	json_object_set_new(jd, "any_correct", json_boolean(t->correct > 0));
	json_object_set(jd, "responses", list);
	return jd;
}

kc_status kc_judge_record(kc_judge *j, json_t *rec, struct kc_error *err)
{
	const char *aname = j->opt.answers_field ? j->opt.answers_field
	                                         : "answers";
	const char *rname;
	json_t *av, *rv, *garr, *rarr, *jd, *list, *finish;
	size_t ngold;
	struct tally t = { 0 };
	enum kc_extract how = j->opt.extract;
	int is_pred;
	kc_status st;

	if (!json_is_object(rec))
		return kc_error_set(err, KC_EFIELD, "record is not an object");
	if (!(av = kc_judge_lookup(rec, aname)))
		return kc_error_set(err, KC_EFIELD, "missing \"%s\"", aname);
	/* the canonical "answers" is a list; a file named with
	 * --answers-field may hold one gold string; "responses" is kc-ask's
	 * list, a named field may be one string */
	if ((st = strings_of(aname, av, j->opt.answers_field != NULL, &garr,
	                     &ngold, err)) ||
	    (st = find_responses(j, rec, &rv, &rname, &is_pred, err)) ||
	    (st = strings_of(rname, rv, is_pred || j->opt.response_field,
	                     &rarr, &t.n, err)) ||
	    (st = golds_of(j, garr, av, ngold, err)))
		return st;
	if (how == KC_EXTRACT_DEFAULT)
		how = is_pred ? KC_EXTRACT_NONE : KC_EXTRACT_AUTO;
	/* kc-ask's finish reasons, when they go with these responses */
	finish = json_object_get(rec, "finish_reasons");
	if (strcmp(rname, "responses") || !json_is_array(finish) ||
	    json_array_size(finish) != t.n)
		finish = NULL;
	if (!(list = json_array()))
		return kc_error_nomem(err);
	for (size_t i = 0; i < t.n && !st; i++) {
		size_t len;
		const char *s = nth(rarr, rv, i, &len);
		int cut = finish && cut_short(finish, i);

		t.truncated += cut;
		if (cut && j->opt.truncated != KC_TRUNCATED_KEEP)
			st = unjudged(j, &t, list, err);
		else
			st = score_one(j, how, s, len, rname, i, &t, list, err);
	}
	t.n -= t.skipped;
	jd = st ? NULL : judge_json(j, how, &t, list);
	json_decref(list);
	if (st)
		return st;
	if (!jd || json_object_set_new(rec, "judge", jd))
		return kc_error_nomem(err);
	if ((st = add_totals(j, t.n, t.correct, t.answered, t.sums)))
		return kc_error_set(err, st, "out of memory");
	return KC_OK;
}
