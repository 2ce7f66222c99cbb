/*
 * fill.c - compose the long context around a record's own passages.
 *
 * The budget is planned once, here: the sequence length less the
 * answer's share, less what the prompt template, the chat template and
 * the chains will cost (estimated from real counts of sample keys and
 * the pool's questions), is what the passages may take.  The record's
 * own passages go in first (supporting ones always; the dataset's own
 * distractor passages while they fit), then random fillers from the pool
 * while they fit: one by one, not in steps of ten.  kc-render makes the
 * final prompt fit exactly, so the plan aims a little over (overfill)
 * and lets kc-render trim fillers that carry no chain pair.
 *
 * Placement follows the reference: own passages at positions drawn from
 * N(0, 0.30) clamped to [-0.95, 0.95] and mapped onto 0..n-1 (50 tries
 * per passage, then uniform), fillers in the rest.  Every draw comes
 * from the record's own generator, seeded by (seed, id, "fill").
 */
#include <math.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "pipe/private.h"

struct kc_filler {
	kc_pool *pool;
	kc_tokenizer *tok;
	struct kc_fill_opts o;
	struct kc_plan plan;   /* o.plan resolved */
	/* estimates, in tokens */
	double pair;           /* " {"key": "key"}." */
	double qpair;          /* " {"key": "..."}." less the question */
	size_t template_cost;  /* the template's own text and chat tokens */
	unsigned template_uses;
	size_t header[12];     /* "Passage N:\n" by number of digits */
	size_t sep;            /* "\n\n", when not in a passage's count */
	json_t *pools;         /* "fill"."pools": where the pool came from */
	kc_buf scratch;
};

static const char *const place_names[] = { "gaussian", "uniform", "depth" };

kc_status kc_place_parse(const char *s, enum kc_place *place,
                         struct kc_error *err)
{
	int v;
	/* "depth" is chosen by giving a depth, not by name */
	kc_status st = kc_name_parse(place_names, KC_PLACE_DEPTH, "placement",
	                             s, &v, err);

	if (!st)
		*place = (enum kc_place)v;
	return st;
}

const char *kc_place_name(enum kc_place place)
{
	return kc_name_of(KC_NAMES(place_names), (int)place);
}

void kc_fill_opts_init(struct kc_fill_opts *o, long length)
{
	memset(o, 0, sizeof *o);
	kc_plan_opts_init(&o->plan);
	o->plan.length = length;
	o->place = KC_PLACE_GAUSSIAN;
	o->sigma = 0.30;
	o->clamp = 0.95;
	o->overfill = 0.01;
	kc_fill_recipe(o, "kc", NULL);
}

static const char *const recipe_names[] = { "kc", "keychain" };

kc_status kc_fill_recipe(struct kc_fill_opts *o, const char *name,
                         struct kc_error *err)
{
	int v;
	kc_status st = kc_name_parse(recipe_names, 2, "recipe", name, &v, err);

	if (st)
		return st;
	o->own_all = v == 1;
	o->entangle = v == 1 ? 0 : -1;
	o->entangle_share = 0.95;
	return KC_OK;
}

static kc_status count(kc_filler *f, const char *s, size_t n, size_t *out,
                       struct kc_error *err)
{
	return kc_tokenizer_count(f->tok, s, n, out, err);
}

/* Mean cost of pairs of the plan's key format, from 64 sample keys. */
static kc_status estimate_pairs(kc_filler *f, struct kc_error *err)
{
	char k1[80], k2[80];
	kc_rng rng;
	double sum = 0, qsum = 0;
	size_t n, qn, bare;
	kc_status st;
	static const char probe[] = "Which city is the capital of the country?";

	kc_rng_seed(&rng, 0, "estimate", 8, "fill");
	if ((st = count(f, probe, sizeof probe - 1, &bare, err)))
		return st;
	for (int i = 0; i < 64; i++) {
		kc_uuid_make(&rng, &f->plan.uuid, k1);
		kc_uuid_make(&rng, &f->plan.uuid, k2);
		f->scratch.len = 0;
		kc_buf_printf(&f->scratch, " {\"%s\": \"%s\"}.", k1, k2);
		if ((st = count(f, f->scratch.data, f->scratch.len, &n, err)))
			return st;
		f->scratch.len = 0;
		kc_buf_printf(&f->scratch, " {\"%s\": \"%s\"}.", k1, probe);
		if ((st = count(f, f->scratch.data, f->scratch.len, &qn, err)))
			return st;
		sum += (double)n;
		qsum += (double)qn - (double)bare;
	}
	f->pair = sum / 64;
	f->qpair = qsum / 64;
	return KC_OK;
}

/*
 * Fail before the first record when no record can get its distractor
 * questions: each needs chains - 1 of them besides its own.
 */
static kc_status check_questions(kc_filler *f, struct kc_error *err)
{
	size_t have = kc_pool_usable_questions(f->pool);
	long need = f->plan.chains - 1;

	if (need <= 0 || have >= (size_t)need + 1)
		return KC_OK;
	return kc_error_set(err, KC_EPOOL, "the plan needs %ld distractor "
	                    "questions per record (%ld chains at length %ld), "
	                    "the pool has %zu questions: give a larger pool "
	                    "(--pool, repeatable) or fewer chains (--chains "
	                    "%zu or less)", need, f->plan.chains,
	                    f->plan.length, have, have ? have : 1);
}

/* "fill"."pools": each pool file as an absolute path with its size, so
 * that a record says where its passages came from wherever it is read. */
static kc_status describe_pools(kc_filler *f, struct kc_error *err)
{
	if (!(f->pools = json_array()))
		return kc_error_nomem(err);
	for (size_t i = 0; i < f->o.npools; i++) {
		const char *name = f->o.pools[i];
		char *abs = realpath(name, NULL);
		struct stat sb;
		json_t *p = json_pack("{s:s}", "path", abs ? abs : name);

		free(abs);
		if (p && !stat(name, &sb))
			json_object_set_new(p, "bytes", json_integer(sb.st_size));
		if (!p || json_array_append_new(f->pools, p))
			return kc_error_nomem(err);
	}
	return KC_OK;
}

/* Tokens of the preset's fixed text and of the chat template. */
static kc_status estimate_template(kc_filler *f, struct kc_error *err)
{
	const struct kc_preset_def *p = kc_preset_find(f->plan.preset, err);
	struct kc_template t;
	kc_span none[KC_SLOT_MAX] = { { "", 0 } };
	size_t n, chat;
	const char *name;
	kc_status st;

	if (!p)
		return KC_EINVAL;
	if ((st = kc_template_parse(p->text, &t, err)))
		return st;
	f->scratch.len = 0;
	st = kc_template_expand(&t, none, &f->scratch, NULL);
	f->template_uses = t.uses;
	kc_template_release(&t);
	if (st || (st = count(f, f->scratch.data, f->scratch.len, &n, err)))
		return st ? st : kc_error_nomem(err);
	if ((st = kc_chat_tokens(f->tok, f->plan.chat, &chat, &name, err)))
		return st;
	f->template_cost = n + chat;
	return KC_OK;
}

kc_status kc_filler_new(kc_filler **out, kc_pool *pool, kc_tokenizer *tok,
                        const struct kc_fill_opts *opts,
                        struct kc_error *err)
{
	kc_filler *f = calloc(1, sizeof *f);
	kc_status st;

	*out = NULL;
	if (!f)
		return kc_error_nomem(err);
	f->pool = pool;
	f->tok = tok;
	f->o = *opts;
	kc_buf_init(&f->scratch, 0);
	if ((st = kc_plan_resolve(&f->plan, NULL, &opts->plan, err)) ||
	    (st = check_questions(f, err)) || (st = estimate_pairs(f, err)) ||
	    (st = estimate_template(f, err)) || (st = describe_pools(f, err))) {
		kc_filler_free(f);
		return st;
	}
	for (int d = 1; d < 12; d++) {
		char h[32];
		int len = snprintf(h, sizeof h, "Passage %.*s:\n", d,
		                   "12345678901");
		if ((st = count(f, h, (size_t)len, &f->header[d], err))) {
			kc_filler_free(f);
			return st;
		}
	}
	f->sep = 0;   /* in the passages' counts */
	*out = f;
	return KC_OK;
}

void kc_filler_free(kc_filler *f)
{
	if (!f)
		return;
	kc_buf_release(&f->scratch);
	json_decref(f->pools);
	free(f);
}

static size_t header_cost(const kc_filler *f, size_t number)
{
	int d = 1;

	while (number >= 10 && d < 11) {
		number /= 10;
		d++;
	}
	return f->header[d];
}

/* ---- the record's own passages ---- */

struct own {
	size_t doc;
	size_t tokens;
	int supporting;
	long pool_index;
};

/* Tokens of an own passage as the context holds it: the pool's count
 * when the pool has it, else counted here. */
static kc_status own_tokens(kc_filler *f, struct own *o, const char *title,
                            size_t title_len, const char *text,
                            size_t text_len, struct kc_error *err)
{
	o->pool_index = kc_pool_find(f->pool, title, title_len, text, text_len);
	if (o->pool_index >= 0)
		return kc_pool_passage_tokens(f->pool, f->tok,
		                              (size_t)o->pool_index, &o->tokens,
		                              err);
	f->scratch.len = 0;
	if (kc_buf_append(&f->scratch, title, title_len) ||
	    kc_buf_append(&f->scratch, "\n", 1) ||
	    kc_buf_append(&f->scratch, text, text_len) ||
	    kc_buf_append(&f->scratch, "\n\n", 2))
		return kc_error_nomem(err);
	return count(f, f->scratch.data, f->scratch.len, &o->tokens, err);
}

/* Mark the passages "supporting" names; without a list, every one. */
static kc_status mark_supporting(const json_t *sup, struct own *own,
                                 size_t n, struct kc_error *err)
{
	size_t i;
	json_t *d;

	if (!sup || !json_array_size(sup)) {
		for (i = 0; i < n; i++)
			own[i].supporting = 1;
		return KC_OK;
	}
	json_array_foreach(sup, i, d) {
		json_int_t k = json_integer_value(d);
		if (!json_is_integer(d) || k < 0 || (size_t)k >= n)
			return kc_error_set(err, KC_EFIELD, "\"supporting\"[%zu]"
			                    " is not a doc index", i);
		own[k].supporting = 1;
	}
	return KC_OK;
}

static kc_status own_passages(kc_filler *f, const json_t *rec,
                              struct own **out, size_t *n,
                              struct kc_error *err)
{
	json_t *docs, *sup, *d;
	struct own *own;
	size_t i;
	kc_status st;

	if ((st = kc_get_array(rec, "docs", &docs, err)))
		return st;
	sup = json_object_get(rec, "supporting");
	if (sup && !json_is_array(sup))
		return kc_error_set(err, KC_EFIELD, "\"supporting\" is not an array");
	if (!(own = calloc(json_array_size(docs) + 1, sizeof *own)))
		return kc_error_nomem(err);
	*out = own;
	*n = json_array_size(docs);
	json_array_foreach(docs, i, d) {
		const char *title, *text;
		size_t title_len, text_len;

		if (kc_get_string(d, "title", &title, &title_len, NULL) ||
		    kc_get_string(d, "text", &text, &text_len, NULL))
			return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] needs "
			                    "string \"title\" and \"text\"", i);
		own[i].doc = i;
		if ((st = own_tokens(f, &own[i], title, title_len, text, text_len,
		                     err)))
			return st;
	}
	return mark_supporting(sup, own, *n, err);
}

/* ---- placement ---- */

/* Positions of k own passages among n slots (slot[i] = 1 when taken). */
static void place_own(const kc_filler *f, kc_rng *rng, double depth,
                      size_t n, size_t k, const int *supporting, size_t *pos,
                      unsigned char *slot)
{
	size_t placed = 0;

	if (f->o.place == KC_PLACE_GAUSSIAN) {
		size_t attempts = 0, max = 50 * k;
		double c = f->o.clamp;

		while (placed < k && attempts++ < max) {
			double x = kc_rng_normal(rng) * f->o.sigma;
			size_t p;
			x = x > c ? c : x < -c ? -c : x;
			p = (size_t)((x + c) / (2 * c) * (double)(n - 1));
			if (slot[p])
				continue;
			slot[p] = 1;
			pos[placed++] = p;
		}
	} else if (f->o.place == KC_PLACE_DEPTH) {
		/* The supporting passages side by side at the depth asked; the
		 * other own passages anywhere. */
		size_t s = 0, start;
		for (size_t i = 0; i < k; i++)
			s += supporting[i] != 0;
		start = (size_t)floor(depth * (double)(n - s) + 0.5);
		if (start > n - s)
			start = n - s;
		for (size_t i = 0, j = 0; i < k; i++)
			if (supporting[i]) {
				pos[i] = start + j++;
				slot[pos[i]] = 1;
			}
		for (size_t i = 0; i < k; i++) {
			if (supporting[i])
				continue;
			size_t free_slots = 0, r, p;
			for (p = 0; p < n; p++)
				free_slots += !slot[p];
			r = (size_t)kc_rng_below(rng, free_slots);
			for (p = 0; p < n; p++)
				if (!slot[p] && r-- == 0)
					break;
			pos[i] = p;
			slot[p] = 1;
		}
		return;
	}
	/* uniform, and what the gaussian could not place */
	while (placed < k) {
		size_t p = (size_t)kc_rng_below(rng, n);
		if (slot[p])
			continue;
		slot[p] = 1;
		pos[placed++] = p;
	}
}

/* ---- the fill ---- */

/* A set of used pool indices (open addressing, index + 1; 0 = empty). */
struct used {
	size_t *slot;
	size_t cap, n;
};

static int used_has(const struct used *u, size_t v)
{
	size_t mask = u->cap - 1;

	for (size_t i = (v * 0x9e3779b97f4a7c15ULL) >> 20 & mask;;
	     i = (i + 1) & mask) {
		if (!u->slot[i])
			return 0;
		if (u->slot[i] == v + 1)
			return 1;
	}
}

static int used_add(struct used *u, size_t v)
{
	size_t mask, i;

	if ((u->n + 1) * 2 > u->cap) {
		struct used g = { calloc(u->cap * 2, sizeof *u->slot), u->cap * 2, 0 };
		if (!g.slot)
			return -1;
		for (size_t k = 0; k < u->cap; k++)
			if (u->slot[k])
				used_add(&g, u->slot[k] - 1);
		free(u->slot);
		*u = g;
	}
	mask = u->cap - 1;
	for (i = (v * 0x9e3779b97f4a7c15ULL) >> 20 & mask; u->slot[i];
	     i = (i + 1) & mask)
		if (u->slot[i] == v + 1)
			return 0;
	u->slot[i] = v + 1;
	u->n++;
	return 1;
}

/*
 * One record's fill, as a sequence of steps over this state: read the
 * record, plan the budget, keep the own passages that fit, draw fillers
 * while they fit, place them all, write the record's fields.
 */
struct fillrec {
	kc_filler *f;
	json_t *rec;
	struct kc_error *err;
	kc_rng rng;
	const char *id, *question;
	size_t idlen, qlen;
	size_t qtok;              /* tokens of the question */
	size_t *dist, ndist;      /* distractor questions (pool indices) */
	size_t dtok;              /* tokens of those that end chains */
	struct own *own;          /* own passages; after keep_own the kept */
	size_t nown, kept, dropped;
	struct used used;         /* pool indices not to draw */
	struct ent {              /* distractor questions' evidence */
		size_t passage;       /* pool index */
		size_t set;           /* its question: index into dist */
	} *ent;
	size_t nent, sets;
	size_t *fillers;          /* pool indices drawn */
	size_t nfill, capfill;
	double budget, target, reserve, est;
	double depth;             /* --depth, or drawn for the record */
	json_t *passages, *fill;
};

/* Text that would make the record's chain ambiguous: a question with
 * '"}' or '{"', or an own passage shaped like a chain pair. */
static kc_status check_pairlike(struct fillrec *s)
{
	json_t *docs = json_object_get(s->rec, "docs");

	if (memmem(s->question, s->qlen, "\"}", 2) ||
	    memmem(s->question, s->qlen, "{\"", 2))
		return kc_error_set(s->err, KC_EFIELD, "the question holds '\"}' "
		                    "or '{\"': its chain could not be told from the "
		                    "text");
	for (size_t i = 0; i < s->nown; i++)
		if (s->own[i].pool_index >= 0 &&
		    kc_pool_passage_pairlike(s->f->pool,
		                             (size_t)s->own[i].pool_index))
			return kc_error_set(s->err, KC_EFIELD, "\"docs\"[%zu] (\"%s\") "
			                    "holds text shaped like a chain pair",
			                    s->own[i].doc, json_string_value(
			                    json_object_get(json_array_get(docs,
			                    s->own[i].doc), "title")));
	return KC_OK;
}

static kc_status read_record(struct fillrec *s)
{
	kc_status st;

	if ((st = kc_get_string(s->rec, "id", &s->id, &s->idlen, s->err)) ||
	    (st = kc_get_string(s->rec, "question", &s->question, &s->qlen,
	                        s->err)) ||
	    (st = count(s->f, s->question, s->qlen, &s->qtok, s->err)) ||
	    (st = own_passages(s->f, s->rec, &s->own, &s->nown, s->err)) ||
	    (st = check_pairlike(s)))
		return st;
	kc_rng_seed(&s->rng, s->f->plan.seed, s->id, s->idlen, "fill");
	return KC_OK;
}

/*
 * The distractor questions: the plan's number, at least one per chain
 * but the real one; those that end chains come first (with --similar,
 * the most similar of more candidates).  They are counted exactly, as
 * the chains will hold them.
 */
static kc_status pick_distractors(struct fillrec *s)
{
	kc_filler *f = s->f;
	long need = f->plan.chains > 0 ? f->plan.chains - 1 : 0;
	long k = f->plan.distractors > need ? f->plan.distractors : need;
	long pick = f->o.similar > 1 && need * f->o.similar > k ?
	            need * f->o.similar : k;
	kc_rng rng;
	kc_status st;

	kc_rng_seed(&rng, f->plan.seed, s->id, s->idlen, "distractors");
	if ((st = kc_pool_pick_questions(f->pool, &rng, s->id, s->question,
	                                 s->qlen, (size_t)pick, (size_t)need,
	                                 &s->dist, &s->ndist, s->err)))
		return st;
	if (f->o.similar > 1) {
		if (kc_rank_similar(f->pool, s->question, s->qlen, s->dist,
		                    s->ndist))
			return kc_error_nomem(s->err);
		if (s->ndist > (size_t)k)
			s->ndist = (size_t)k;
	}
	for (long i = 0; i < need; i++) {
		size_t t;
		if ((st = kc_pool_question_tokens(f->pool, f->tok, s->dist[i], &t,
		                                  s->err)))
			return st;
		s->dtok += t;
	}
	return KC_OK;
}

/* The budget for the passages: the plan's, less what the chains and the
 * prompt will cost. */
static kc_status plan_budget(struct fillrec *s)
{
	const kc_filler *f = s->f;
	long npairs, nqpairs;
	double chain = 0, prompt = (double)f->template_cost;

	kc_chain_count(&f->plan, &npairs, &nqpairs);
	s->budget = (double)kc_plan_budget(&f->plan);
	if (npairs)
		chain = (double)(npairs - nqpairs) * f->pair +
		        (double)nqpairs * f->qpair + (double)s->qtok +
		        (double)s->dtok;
	if (f->template_uses & (1u << KC_SLOT_QUESTION))
		prompt += (double)s->qtok;
	if (f->template_uses & (1u << KC_SLOT_HEAD))
		prompt += f->pair / 3;
	s->reserve = chain + prompt;
	s->target = s->budget - s->reserve;
	return KC_OK;
}

/* Fillers are never the record's own passages, kept or not. */
static kc_status exclude_own(struct fillrec *s)
{
	s->used.cap = 1024;
	if (!(s->used.slot = calloc(s->used.cap, sizeof *s->used.slot)))
		return kc_error_nomem(s->err);
	for (size_t i = 0; i < s->nown; i++)
		if (s->own[i].pool_index >= 0 &&
		    used_add(&s->used, (size_t)s->own[i].pool_index) < 0)
			return kc_error_nomem(s->err);
	return KC_OK;
}

/* Own passages: the supporting ones always, then the others in a random
 * order while they fit. */
static kc_status keep_own(struct fillrec *s)
{
	const kc_filler *f = s->f;
	size_t *order = malloc((s->nown + 1) * sizeof *order);
	struct own *kept = malloc((s->nown + 1) * sizeof *kept);
	size_t i, m = 0, sup;

	if (!order || !kept) {
		free(order);
		free(kept);
		return kc_error_nomem(s->err);
	}
	for (i = 0; i < s->nown; i++)
		if (s->own[i].supporting)
			order[m++] = i;
	sup = m;
	for (i = 0; i < s->nown; i++)
		if (!s->own[i].supporting)
			order[m++] = i;
	kc_rng_shuffle(&s->rng, order + sup, s->nown - sup, sizeof *order);
	for (i = 0; i < s->nown; i++) {
		struct own *o = &s->own[order[i]];
		double c = (double)(o->tokens + header_cost(f, s->kept + 1) + f->sep);
		if (!o->supporting && (f->o.relevant_only || !f->o.own_all ||
		                       s->est + c > s->target)) {
			s->dropped++;
			continue;
		}
		s->est += c;
		kept[s->kept++] = *o;
	}
	free(order);
	free(s->own);
	s->own = kept;
	if (s->est > s->target)
		return kc_error_set(s->err, KC_EBUDGET, "the supporting passages "
		                    "need ~%.0f tokens; the budget leaves %.0f for "
		                    "passages (length %ld)", s->est,
		                    s->target > 0 ? s->target : 0, f->plan.length);
	return KC_OK;
}

/*
 * The supporting passages of distractor question k, if all of them can
 * join the context: not pair-like, not in it already.  Their cost into
 * *cost; 0 when the set cannot join.
 */
static int evidence_of(struct fillrec *s, size_t k, double *cost,
                       kc_status *st)
{
	const kc_filler *f = s->f;
	size_t n, nsup, t;
	const uint32_t *ps = kc_pool_question_passages(f->pool, s->dist[k], &n,
	                                               &nsup);

	*cost = 0;
	for (size_t i = 0; i < nsup; i++) {
		if (kc_pool_passage_pairlike(f->pool, ps[i]) ||
		    used_has(&s->used, ps[i]))
			return 0;
		if ((*st = kc_pool_passage_tokens(f->pool, f->tok, ps[i], &t,
		                                  s->err)))
			return 0;
		*cost += (double)(t + header_cost(f, s->kept + s->nent + i + 1) +
		                  f->sep);
	}
	return nsup > 0;
}

/*
 * Entangle: the distractor questions at the ends of chains bring their
 * supporting passages, set by set in chain order, while they fit in the
 * share of the budget they may take, so that every such question is
 * answerable from the context as the real one is.
 */
static kc_status entangle(struct fillrec *s)
{
	const kc_filler *f = s->f;
	size_t chains = f->plan.chains > 1 ? (size_t)f->plan.chains - 1 : 0;
	size_t sets = f->o.entangle < 0 || (size_t)f->o.entangle > chains ?
	              chains : (size_t)f->o.entangle;
	double cap = s->target * f->o.entangle_share;
	kc_status st = KC_OK;

	if (f->o.relevant_only)
		return KC_OK;
	for (size_t k = 0; k < sets && k < s->ndist; k++) {
		size_t n, nsup;
		const uint32_t *ps;
		struct ent *more;
		double cost;

		if (!evidence_of(s, k, &cost, &st)) {
			if (st)
				return st;
			continue;
		}
		if (s->est + cost > cap)
			continue;
		ps = kc_pool_question_passages(f->pool, s->dist[k], &n, &nsup);
		if (!(more = realloc(s->ent, (s->nent + nsup) * sizeof *more)))
			return kc_error_nomem(s->err);
		s->ent = more;
		for (size_t i = 0; i < nsup; i++) {
			if (used_add(&s->used, ps[i]) < 0)
				return kc_error_nomem(s->err);
			s->ent[s->nent].passage = ps[i];
			s->ent[s->nent++].set = k;
		}
		s->est += cost;
		s->sets++;
	}
	return KC_OK;
}

/* Candidate fillers: random pool indices not used yet, and when many
 * draws hit used ones (the pool is nearly used up), a shuffled list of
 * the rest. */
struct draw {
	size_t *perm, n, i;
	size_t rejects;
};

/* The next candidate into *cand; 0 when none is left. */
static int next_candidate(struct fillrec *s, struct draw *d, size_t *cand,
                          kc_status *st)
{
	size_t npool = kc_pool_passages(s->f->pool);

	while (!d->perm) {
		*cand = (size_t)kc_rng_below(&s->rng, npool);
		if (!used_has(&s->used, *cand)) {
			d->rejects = 0;
			return 1;
		}
		if (++d->rejects < 64)
			continue;
		if (!(d->perm = malloc(npool * sizeof *d->perm))) {
			*st = kc_error_nomem(s->err);
			return 0;
		}
		for (size_t i = 0; i < npool; i++)
			if (!used_has(&s->used, i))
				d->perm[d->n++] = i;
		kc_rng_shuffle(&s->rng, d->perm, d->n, sizeof *d->perm);
	}
	if (d->i == d->n)
		return 0;
	*cand = d->perm[d->i++];
	return 1;
}

static kc_status add_filler(struct fillrec *s, size_t cand)
{
	if (s->nfill == s->capfill) {
		size_t cap = s->capfill ? s->capfill * 2 : 64;
		void *nf = realloc(s->fillers, cap * sizeof *s->fillers);
		if (!nf)
			return kc_error_nomem(s->err);
		s->fillers = nf;
		s->capfill = cap;
	}
	s->fillers[s->nfill++] = cand;
	return KC_OK;
}

/* Fillers while they fit: until 32 candidates in a row did not. */
static kc_status draw_fillers(struct fillrec *s)
{
	const kc_filler *f = s->f;
	double goal = s->target * (1 + f->o.overfill);
	struct draw d = { NULL, 0, 0, 0 };
	size_t misses = 0, cand, t;
	kc_status st = KC_OK;

	if (f->o.relevant_only || !kc_pool_passages(f->pool))
		return KC_OK;
	while (misses < 32 && next_candidate(s, &d, &cand, &st)) {
		double c;
		if (used_add(&s->used, cand) < 0) {
			st = kc_error_nomem(s->err);
			break;
		}
		if (kc_pool_passage_pairlike(f->pool, cand))
			continue;
		if ((st = kc_pool_passage_tokens(f->pool, f->tok, cand, &t,
		                                 s->err)))
			break;
		c = (double)(t + header_cost(f, s->kept + s->nent + s->nfill + 1) +
		             f->sep);
		if (s->est + c > goal) {
			misses++;
			continue;
		}
		if ((st = add_filler(s, cand)))
			break;
		s->est += c;
	}
	free(d.perm);
	if (!st && s->est < 0.95 * s->target)
		st = kc_error_set(s->err, KC_EPOOL, "pool too small: %zu passages "
		                  "fill ~%.0f of the %.0f tokens left for passages",
		                  kc_pool_passages(f->pool), s->est, s->target);
	return st;
}

/* {"doc": i, "tokens", "check"} for an own passage. */
static json_t *own_json(const struct fillrec *s, const struct own *o)
{
	json_t *d = json_array_get(json_object_get(s->rec, "docs"), o->doc);
	json_t *title = json_object_get(d, "title");
	json_t *text = json_object_get(d, "text");
	char check[17];

	kc_passage_check(s->f->tok, json_string_value(title),
	                 json_string_length(title), json_string_value(text),
	                 json_string_length(text), check);
	return json_pack("{s:I,s:I,s:s}", "doc", (json_int_t)o->doc, "tokens",
	                 (json_int_t)o->tokens, "check", check);
}

/* {"title", "text", "tokens", "check"} for pool passage i. */
/* {k0: v0, ..., k3: v3} (k3 NULL: three members), in that order,
 * taking the values' references; NULL when out of memory.  Faster than
 * json_pack, whose format parsing was a seventh of kc-fill. */
static json_t *object4(const char *k0, json_t *v0, const char *k1,
                       json_t *v1, const char *k2, json_t *v2,
                       const char *k3, json_t *v3)
{
	const char *k[4] = { k0, k1, k2, k3 };
	json_t *v[4] = { v0, v1, v2, v3 }, *o = json_object();
	int bad = !o;

	for (int i = 0; i < 4; i++) {
		if (bad || !k[i])
			json_decref(v[i]);
		else    /* takes v[i] even when it fails */
			bad = json_object_set_new_nocheck(o, k[i], v[i]);
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *filler_json(const struct fillrec *s, size_t i)
{
	const char *title, *text;
	size_t title_len, text_len, t;
	char check[17];

	kc_pool_passage(s->f->pool, i, &title, &title_len, &text, &text_len);
	kc_pool_passage_tokens(s->f->pool, s->f->tok, i, &t, NULL);
	kc_pool_passage_check(s->f->pool, s->f->tok, i, check);
	/* The pool's strings were parsed as JSON: valid UTF-8. */
	return object4("title", json_stringn_nocheck(title, title_len),
	               "text", json_stringn_nocheck(text, text_len),
	               "tokens", json_integer((json_int_t)t),
	               "check", json_stringn_nocheck(check, 16));
}

/* {"title", "text", "tokens", "check", "entangled": k} for passage i
 * of distractor question k. */
static json_t *entangled_json(const struct fillrec *s, const struct ent *e)
{
	json_t *p = filler_json(s, e->passage);

	if (p && json_object_set_new(p, "entangled", json_integer(
	                             (json_int_t)e->set))) {
		json_decref(p);
		return NULL;
	}
	return p;
}

/*
 * Place the evidence, the record's own passages and the distractor
 * questions' alike, in one random order (the reference shuffles its
 * core list before placing it), and fill the rest with fillers, into
 * s->passages.  Only the record's supporting passages count as such for
 * --depth.
 */
static kc_status place(struct fillrec *s)
{
	size_t ne = s->kept + s->nent, n = ne + s->nfill, fi = 0;
	size_t *pos = malloc((ne + 1) * sizeof *pos);
	size_t *ev = malloc((ne + 1) * sizeof *ev);   /* < kept: own */
	unsigned char *slot = calloc(n + 1, 1);
	int *sup = calloc(ne + 1, sizeof *sup);
	json_t **arr = calloc(n + 1, sizeof *arr);
	kc_status st = KC_OK;

	if (!pos || !ev || !slot || !sup || !arr ||
	    !(s->passages = json_array())) {
		st = kc_error_nomem(s->err);
		goto out;
	}
	kc_rng_shuffle(&s->rng, s->own, s->kept, sizeof *s->own);
	for (size_t i = 0; i < ne; i++)
		ev[i] = i;
	if (s->nent)
		kc_rng_shuffle(&s->rng, ev, ne, sizeof *ev);
	for (size_t i = 0; i < ne; i++)
		sup[i] = ev[i] < s->kept && s->own[ev[i]].supporting;
	s->depth = s->f->o.depth < 0 ? kc_rng_double(&s->rng) : s->f->o.depth;
	place_own(s->f, &s->rng, s->depth, n, ne, sup, pos, slot);
	for (size_t i = 0; i < ne; i++)
		arr[pos[i]] = ev[i] < s->kept ? own_json(s, &s->own[ev[i]])
		              : entangled_json(s, &s->ent[ev[i] - s->kept]);
	for (size_t p = 0; p < n; p++)
		if (!arr[p])
			arr[p] = filler_json(s, s->fillers[fi++]);
	for (size_t p = 0; p < n; p++)
		if (json_array_append_new(s->passages, arr[p]))
			st = kc_error_nomem(s->err);
out:
	free(pos);
	free(ev);
	free(slot);
	free(sup);
	free(arr);
	return st;
}

/* [{"id", "question"}] of the distractor questions. */
static json_t *distractors_json(const struct fillrec *s)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < s->ndist; i++) {
		size_t len;
		const char *id, *q = kc_pool_question(s->f->pool, s->dist[i], &len,
		                                      &id);
		if (json_array_append_new(a, object4("id", json_string(id),
		                          "question", json_stringn_nocheck(q, len),
		                          "answers", kc_pool_question_answers(
		                                     s->f->pool, s->dist[i]),
		                          NULL, NULL))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* "plan", "passages", "distractors" and "fill" into the record. */
static kc_status write_record(struct fillrec *s)
{
	const kc_filler *f = s->f;

	s->fill = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:O,s:s}",
	                    "budget", (json_int_t)s->budget,
	                    "context", (json_int_t)s->est,
	                    "reserve", (json_int_t)s->reserve,
	                    "own", (json_int_t)s->kept,
	                    "own_dropped", (json_int_t)s->dropped,
	                    "entangled", (json_int_t)s->sets,
	                    "entangled_passages", (json_int_t)s->nent,
	                    "fillers", (json_int_t)s->nfill,
	                    "place", kc_place_name(f->o.place),
	                    "pools", f->pools,
	                    "tokenizer", kc_tokenizer_name(f->tok));
	if (!s->fill)
		return kc_error_nomem(s->err);
	if (f->o.place == KC_PLACE_DEPTH)
		json_object_set_new(s->fill, "depth", json_real(s->depth));
	if (f->o.similar > 1)
		json_object_set_new(s->fill, "similar",
		                    json_integer((json_int_t)f->o.similar));
	if (f->o.place == KC_PLACE_DEPTH && f->o.depth < 0)
		json_object_set_new(s->fill, "depth_from", json_string("uniform"));
	if (!kc_tokenizer_exact(f->tok))
		json_object_set_new(s->fill, "exact", json_false());
	if (kc_plan_store(&f->plan, s->rec) ||
	    json_object_set(s->rec, "passages", s->passages) ||
	    json_object_set_new(s->rec, "distractors", distractors_json(s)) ||
	    json_object_set(s->rec, "fill", s->fill))
		return kc_error_nomem(s->err);
	return KC_OK;
}

kc_status kc_fill(kc_filler *f, json_t *rec, struct kc_error *err)
{
	struct fillrec s = { .f = f, .rec = rec, .err = err };
	kc_status st;

	if (!(st = read_record(&s)) && !(st = pick_distractors(&s)) &&
	    !(st = plan_budget(&s)) &&
	    !(st = exclude_own(&s)) && !(st = keep_own(&s)) &&
	    !(st = entangle(&s)) &&
	    !(st = draw_fillers(&s)) && !(st = place(&s)))
		st = write_record(&s);
	json_decref(s.passages);
	json_decref(s.fill);
	free(s.own);
	free(s.fillers);
	free(s.dist);
	free(s.ent);
	free(s.used.slot);
	return st;
}
