/*
 * audit.c - the table of solvers, one record audited, and the totals.
 *
 * Each solver scores every candidate question; its guess is the best
 * score.  Ties are common (two questions none of whose words the context
 * holds, or with the same share), and a solver must not gain from the
 * order the candidates happen to be in, so a tie is credited as a
 * uniform guess among the tied: 1/k when the real question is one of k
 * best, 0 when it is not among them.  A solver that cannot tell any two
 * questions apart thus scores exactly chance, 1/(number of questions).
 *
 * Chance is the mean of 1/questions over the records a solver ran on;
 * the ratio is accuracy / chance.  Totals are kept overall, by source
 * and by length (the labels of record.c).
 */
#include <stdlib.h>
#include <string.h>

#include "core/private.h"
#include "audit/private.h"

static const struct solver {
	const char *name;
	audit_solver_fn fn;
	int oracle;
	const char *doc;
} solvers[KC_AUDIT_SOLVERS] = {
	{ "lex", audit_lex, 0,
	  "share of the question's content words found in the context" },
	{ "lex-idf", audit_lex_idf, 0,
	  "the same, each word weighted by its rarity among the passages" },
	{ "evidence", audit_evidence, 0,
	  "rarity-weighted share covered by its two best-matching passages" },
	{ "entity", audit_entity, 0,
	  "share of its names and numbers found in the context" },
	{ "proximity", audit_proximity, 0,
	  "its pair nearest to its best-matching passage" },
	{ "first", audit_first, 0, "the first question pair in the prompt" },
	{ "last", audit_last, 0, "the last question pair in the prompt" },
	{ "center", audit_center, 0,
	  "the question pair nearest the middle of the context" },
	{ "answer", audit_answer, 1,
	  "best match to the passages holding the gold answer (an oracle)" },
};

const char *kc_audit_solver_name(int s)
{
	return s >= 0 && s < KC_AUDIT_SOLVERS ? solvers[s].name : NULL;
}

const char *kc_audit_solver_doc(int s)
{
	return s >= 0 && s < KC_AUDIT_SOLVERS ? solvers[s].doc : NULL;
}

int kc_audit_solver_oracle(int s)
{
	return s >= 0 && s < KC_AUDIT_SOLVERS && solvers[s].oracle;
}

int kc_audit_solver_find(const char *name)
{
	for (int s = 0; s < KC_AUDIT_SOLVERS; s++)
		if (!strcmp(name, solvers[s].name))
			return s;
	return -1;
}

void kc_audit_opts_init(struct kc_audit_opts *o)
{
	memset(o, 0, sizeof *o);
}

kc_status audit_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t c = *cap ? *cap : 16;
	void *p;

	if (n <= *cap)
		return KC_OK;
	while (c < n)
		c *= 2;
	if (!(p = realloc(*arr, c * size)))
		return KC_ENOMEM;
	*arr = p;
	*cap = c;
	return KC_OK;
}

/* ---- totals ---- */

#define GROUPS_MAX 256

struct total {
	unsigned long records;
	double credit, chance;
};

struct group {
	char name[64];
	unsigned long records;
	double questions, chance;
	struct total s[KC_AUDIT_SOLVERS];
};

struct groups {
	struct group *g;
	size_t n, cap;
};

struct kc_auditor {
	unsigned solvers;
	struct audit_rec r;
	double *score;
	size_t capscore;
	struct group all;
	struct groups by_source, by_length;
	unsigned long unaudited;
};

kc_status kc_auditor_new(kc_auditor **out, const struct kc_audit_opts *o,
                         struct kc_error *err)
{
	kc_auditor *a = calloc(1, sizeof *a);

	*out = NULL;
	if (!a)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	a->solvers = o && o->solvers ? o->solvers
	                             : (1u << KC_AUDIT_SOLVERS) - 1;
	a->r.want_grams = (a->solvers >> KC_AUDIT_ENTITY) & 1;
	*out = a;
	return KC_OK;
}

void kc_auditor_free(kc_auditor *a)
{
	struct audit_rec *r;

	if (!a)
		return;
	r = &a->r;
	free(r->pairs);
	free(r->refs);
	free(r->qrefs);
	free(r->pstart);
	free(r->cands);
	free(r->table);
	free(r->post);
	free(r->grams);
	free(r->cwords);
	free(r->qwords);
	free(r->pscore);
	free(r->touched);
	free(r->mark);
	free(a->score);
	free(a->by_source.g);
	free(a->by_length.g);
	free(a);
}

/* The group named `name`, added when new; "other" past the cap. */
static struct group *group(struct groups *gs, const char *name)
{
	for (size_t i = 0; i < gs->n; i++)
		if (!strcmp(gs->g[i].name, name))
			return &gs->g[i];
	if (gs->n >= GROUPS_MAX - 1 && strcmp(name, "other"))
		return group(gs, "other");
	if (audit_grow((void **)&gs->g, &gs->cap, gs->n + 1, sizeof *gs->g))
		return NULL;
	memset(&gs->g[gs->n], 0, sizeof *gs->g);
	snprintf(gs->g[gs->n].name, sizeof gs->g[gs->n].name, "%s", name);
	return &gs->g[gs->n++];
}

static void add(struct group *g, const struct kc_audit_result *res)
{
	double chance = 1.0 / (double)res->questions;

	g->records++;
	g->questions += (double)res->questions;
	g->chance += chance;
	for (int s = 0; s < KC_AUDIT_SOLVERS; s++)
		if (res->solver[s].scored) {
			g->s[s].records++;
			g->s[s].credit += res->solver[s].credit;
			g->s[s].chance += chance;
		}
}

/* ---- one record ---- */

static void credit(const double *score, size_t n, size_t real,
                   struct kc_audit_score *out)
{
	size_t higher = 0, tied = 0;

	for (size_t i = 0; i < n; i++) {
		higher += score[i] > score[real];
		tied += score[i] == score[real];
	}
	out->scored = 1;
	out->rank = higher + 1;
	out->tied = tied;
	out->credit = higher ? 0 : 1.0 / (double)tied;
}

kc_status kc_audit(kc_auditor *a, const json_t *rec,
                   struct kc_audit_result *res, struct kc_error *err)
{
	struct audit_rec *r = &a->r;
	kc_status st;
	struct group *gs, *gl;

	memset(res, 0, sizeof *res);
	res->format = "-";
	r->ncands = r->npairs = r->npassages = 0;
	r->real = -1;
	if ((st = audit_read_record(r, rec, res, err)) ||
	    (st = audit_find_pairs(r, err))) {
		res->pairs = r->npairs;
		res->passages = r->npassages;
		a->unaudited += st == KC_EFIELD;
		return st;
	}
	res->questions = r->ncands;
	res->pairs = r->npairs;
	res->passages = r->npassages;
	r->want_cwords = res->answers && (a->solvers >> KC_AUDIT_ANSWER & 1);
	if (audit_index(r) ||
	    audit_grow((void **)&a->score, &a->capscore, r->ncands,
	               sizeof *a->score))
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	for (int s = 0; s < KC_AUDIT_SOLVERS; s++) {
		if (!(a->solvers >> s & 1) || (s == KC_AUDIT_ANSWER && !res->answers))
			continue;
		solvers[s].fn(r, a->score);
		credit(a->score, r->ncands, (size_t)r->real, &res->solver[s]);
	}
	res->answer_found = r->want_cwords && r->answer_found;
	gs = group(&a->by_source, res->source);
	gl = group(&a->by_length, res->length);
	if (!gs || !gl)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	add(&a->all, res);
	add(gs, res);
	add(gl, res);
	return KC_OK;
}

/* ---- output ---- */

json_t *kc_audit_result_json(const struct kc_audit_result *res)
{
	json_t *o = json_object(), *s = json_object();

	json_object_set_new(o, "id", json_string(res->id));
	json_object_set_new(o, "source", json_string(res->source));
	json_object_set_new(o, "length", json_string(res->length));
	json_object_set_new(o, "format", json_string(res->format));
	json_object_set_new(o, "questions", json_integer((json_int_t)res->questions));
	json_object_set_new(o, "chance", json_real(res->questions ?
	                    1.0 / (double)res->questions : 0));
	json_object_set_new(o, "pairs", json_integer((json_int_t)res->pairs));
	json_object_set_new(o, "passages", json_integer((json_int_t)res->passages));
	if (res->answers && res->solver[KC_AUDIT_ANSWER].scored)
		json_object_set_new(o, "answer_found",
		                    json_boolean(res->answer_found));
	for (int k = 0; k < KC_AUDIT_SOLVERS; k++) {
		const struct kc_audit_score *x = &res->solver[k];
		if (x->scored)
			json_object_set_new(s, solvers[k].name, json_pack(
			    "{s:f,s:I,s:I}", "credit", x->credit, "rank",
			    (json_int_t)x->rank, "tied", (json_int_t)x->tied));
	}
	json_object_set_new(o, "solvers", s);
	return o;
}

/* A group's summary; `unaudited` >= 0 adds that count (the whole run). */
static json_t *group_json(const struct group *g, unsigned run, long unaudited)
{
	json_t *o = json_object(), *s = json_object();
	double n = g->records ? (double)g->records : 1;

	json_object_set_new(o, "records", json_integer((json_int_t)g->records));
	if (unaudited >= 0)
		json_object_set_new(o, "unaudited", json_integer(unaudited));
	json_object_set_new(o, "questions", json_real(g->questions / n));
	json_object_set_new(o, "chance", json_real(g->chance / n));
	for (int k = 0; k < KC_AUDIT_SOLVERS; k++) {
		const struct total *t = &g->s[k];
		json_t *x;
		if (!(run >> k & 1))
			continue;
		if (t->records)
			x = json_pack("{s:I,s:f,s:f,s:f,s:b}", "records",
			              (json_int_t)t->records, "accuracy",
			              t->credit / (double)t->records, "chance",
			              t->chance / (double)t->records, "ratio",
			              t->credit / t->chance, "oracle", solvers[k].oracle);
		else
			x = json_pack("{s:i,s:n,s:n,s:n,s:b}", "records", 0,
			              "accuracy", "chance", "ratio", "oracle",
			              solvers[k].oracle);
		json_object_set_new(s, solvers[k].name, x);
	}
	json_object_set_new(o, "solvers", s);
	return o;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct group *)a)->name,
	              ((const struct group *)b)->name);
}

static int by_length(const void *a, const void *b)
{
	return kc_length_label_cmp(((const struct group *)a)->name,
	                           ((const struct group *)b)->name);
}

static json_t *groups_json(const struct groups *gs, unsigned run,
                           int (*cmp)(const void *, const void *))
{
	json_t *o = json_object();
	struct group *sorted = malloc((gs->n + 1) * sizeof *sorted);

	if (!sorted)
		return NULL;
	if (gs->n) {   /* gs->g is NULL until the first group */
		memcpy(sorted, gs->g, gs->n * sizeof *sorted);
		qsort(sorted, gs->n, sizeof *sorted, cmp);
	}
	for (size_t i = 0; i < gs->n; i++)
		json_object_set_new(o, sorted[i].name, group_json(&sorted[i], run, -1));
	free(sorted);
	return o;
}

json_t *kc_audit_summary(const kc_auditor *a)
{
	json_t *o = group_json(&a->all, a->solvers, (long)a->unaudited);

	json_object_set_new(o, "by_source",
	                    groups_json(&a->by_source, a->solvers, by_name));
	json_object_set_new(o, "by_length",
	                    groups_json(&a->by_length, a->solvers, by_length));
	return o;
}
