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
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "pipe/private.h"

struct kc_filler {
	kc_pool *pool;
	kc_tokenizer *tok;
	struct kc_fill_opts o;
	/* estimates, in tokens */
	double pair;           /* " {"key": "key"}." */
	double qpair;          /* " {"key": "..."}." less the question */
	double question;       /* a distractor question */
	size_t template_cost;  /* the template's own text and chat tokens */
	unsigned template_uses;
	size_t header[12];     /* "Passage N:\n" by number of digits */
	size_t sep;            /* "\n\n", when not in a passage's count */
	kc_buf scratch;
};

void kc_fill_opts_init(struct kc_fill_opts *o, long length)
{
	memset(o, 0, sizeof *o);
	kc_plan_defaults(&o->plan, length);
	o->place = KC_PLACE_GAUSSIAN;
	o->sigma = 0.30;
	o->clamp = 0.95;
	o->overfill = 0.01;
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
		kc_uuid_make(&rng, &f->o.plan.uuid, k1);
		kc_uuid_make(&rng, &f->o.plan.uuid, k2);
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

/* Mean question length of the pool (up to 4096 of them, spread out). */
static kc_status estimate_questions(kc_filler *f, struct kc_error *err)
{
	size_t nq = kc_pool_questions(f->pool), step, k = 0;
	double sum = 0;
	kc_status st;

	f->question = 24;
	if (!nq)
		return KC_OK;
	step = nq > 4096 ? nq / 4096 : 1;
	for (size_t i = 0; i < nq; i += step, k++) {
		size_t len, n;
		const char *q = kc_pool_question(f->pool, i, &len, NULL);
		if ((st = count(f, q, len, &n, err)))
			return st;
		sum += (double)n;
	}
	f->question = sum / (double)k;
	return KC_OK;
}

/* Tokens of the preset's fixed text and of the chat template. */
static kc_status estimate_template(kc_filler *f, struct kc_error *err)
{
	const struct kc_preset_def *p = kc_preset_find(f->o.plan.preset);
	struct kc_template t;
	kc_span none[KC_SLOT_MAX] = { { "", 0 } };
	size_t n, chat;
	const char *name;
	kc_status st;

	if (!p)
		return kc_error_set(err, KC_EINVAL, "unknown preset '%s'",
		                    f->o.plan.preset);
	if ((st = kc_template_parse(p->text, &t, err)))
		return st;
	f->scratch.len = 0;
	st = kc_template_expand(&t, none, &f->scratch, NULL);
	f->template_uses = t.uses;
	kc_template_release(&t);
	if (st || (st = count(f, f->scratch.data, f->scratch.len, &n, err)))
		return st ? st : kc_error_set(err, KC_ENOMEM, "out of memory");
	if ((st = kc_chat_tokens(f->tok, f->o.plan.chat, &chat, &name, err)))
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
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	f->pool = pool;
	f->tok = tok;
	f->o = *opts;
	kc_buf_init(&f->scratch, 0);
	if ((st = estimate_pairs(f, err)) || (st = estimate_questions(f, err)) ||
	    (st = estimate_template(f, err))) {
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
	own = calloc(json_array_size(docs) + 1, sizeof *own);
	if (!own)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	json_array_foreach(docs, i, d) {
		const char *title, *text;
		size_t tl, xl;

		if (kc_get_string(d, "title", &title, &tl, NULL) ||
		    kc_get_string(d, "text", &text, &xl, NULL)) {
			free(own);
			return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] needs "
			                    "string \"title\" and \"text\"", i);
		}
		own[i].doc = i;
		own[i].pool_index = kc_pool_find(f->pool, title, tl, text, xl);
		if (own[i].pool_index >= 0) {
			st = kc_pool_passage_tokens(f->pool, f->tok,
			                            (size_t)own[i].pool_index,
			                            &own[i].tokens, err);
		} else {
			f->scratch.len = 0;
			st = kc_buf_append(&f->scratch, title, tl);
			if (!st)
				st = kc_buf_append(&f->scratch, "\n", 1);
			if (!st)
				st = kc_buf_append(&f->scratch, text, xl);
			if (!st)
				st = kc_buf_append(&f->scratch, "\n\n", 2);
			if (!st)
				st = count(f, f->scratch.data, f->scratch.len,
				           &own[i].tokens, err);
		}
		if (st) {
			free(own);
			return st;
		}
	}
	/* No supporting list: every own passage is needed. */
	if (!sup || !json_array_size(sup)) {
		for (i = 0; i < json_array_size(docs); i++)
			own[i].supporting = 1;
	} else {
		json_array_foreach(sup, i, d) {
			json_int_t k = json_integer_value(d);
			if (!json_is_integer(d) || k < 0 ||
			    (size_t)k >= json_array_size(docs)) {
				free(own);
				return kc_error_set(err, KC_EFIELD, "\"supporting\"[%zu]"
				                    " is not a doc index", i);
			}
			own[k].supporting = 1;
		}
	}
	*out = own;
	*n = json_array_size(docs);
	return KC_OK;
}

/* ---- placement ---- */

/* Positions of k own passages among n slots (slot[i] = 1 when taken). */
static void place_own(const kc_filler *f, kc_rng *rng, size_t n, size_t k,
                      const int *supporting, size_t *pos, unsigned char *slot)
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
		start = (size_t)floor(f->o.depth * (double)(n - s) + 0.5);
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

kc_status kc_fill(kc_filler *f, json_t *rec, struct kc_error *err)
{
	const struct kc_plan *plan = &f->o.plan;
	const char *id, *question;
	size_t idlen, qlen, qtok, nown = 0, k = 0, nfill = 0, capfill = 0;
	size_t npool = kc_pool_passages(f->pool);
	struct own *own = NULL, *kept = NULL;
	size_t *fillers = NULL, *pos = NULL;
	unsigned char *slot = NULL;
	struct used used = { NULL, 0, 0 };
	long npairs, nqpairs;
	double budget, target, reserve_chain, reserve_prompt, est = 0;
	kc_rng rng;
	kc_status st;
	json_t *passages = NULL, *fill = NULL;
	size_t dropped = 0, n;

	if ((st = kc_get_string(rec, "id", &id, &idlen, err)) ||
	    (st = kc_get_string(rec, "question", &question, &qlen, err)))
		return st;
	if ((st = count(f, question, qlen, &qtok, err)))
		return st;
	if ((st = own_passages(f, rec, &own, &nown, err)))
		return st;
	kc_rng_seed(&rng, plan->seed, id, idlen, "fill");

	/* The budget for the passages. */
	kc_chain_count(plan, &npairs, &nqpairs);
	budget = (double)(plan->length - plan->generate);
	reserve_chain = 0;
	if (npairs)
		reserve_chain = (double)(npairs - nqpairs) * f->pair +
		                (double)nqpairs * f->qpair + (double)qtok +
		                (double)(nqpairs - 1) * f->question;
	reserve_prompt = (double)f->template_cost;
	if (f->template_uses & (1u << KC_SLOT_QUESTION))
		reserve_prompt += (double)qtok;
	if (f->template_uses & (1u << KC_SLOT_HEAD))
		reserve_prompt += f->pair / 3;
	target = budget - reserve_chain - reserve_prompt;

	/* Fillers are never the record's own passages, kept or not. */
	used.cap = 1024;
	used.slot = calloc(used.cap, sizeof *used.slot);
	if (!used.slot) {
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nown; i++)
		if (own[i].pool_index >= 0 &&
		    used_add(&used, (size_t)own[i].pool_index) < 0) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}

	/* Own passages: the supporting ones always, then the others in a
	 * random order while they fit. */
	{
		size_t *order = malloc((nown + 1) * sizeof *order);
		size_t i, m = 0, s;

		if (!order) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < nown; i++)
			if (own[i].supporting)
				order[m++] = i;
		s = m;
		for (i = 0; i < nown; i++)
			if (!own[i].supporting)
				order[m++] = i;
		kc_rng_shuffle(&rng, order + s, nown - s, sizeof *order);
		kept = malloc((nown + 1) * sizeof *kept);
		if (!kept) {
			free(order);
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		for (i = 0; i < nown; i++) {
			struct own *o = &own[order[i]];
			double c = (double)(o->tokens + header_cost(f, k + 1) + f->sep);
			if (!o->supporting &&
			    (f->o.relevant_only || est + c > target)) {
				dropped++;
				continue;
			}
			est += c;
			kept[k++] = *o;
		}
		free(order);
		free(own);
		own = kept;
		kept = NULL;
	}
	if (est > target) {
		st = kc_error_set(err, KC_EBUDGET,
		                  "the supporting passages need ~%.0f tokens; the "
		                  "budget leaves %.0f for passages (length %ld)",
		                  est, target > 0 ? target : 0, plan->length);
		goto out;
	}

	/* Fillers while they fit. */
	if (!f->o.relevant_only && npool) {
		double goal = target * (1 + f->o.overfill);
		size_t misses = 0, rejects = 0, *perm = NULL, perm_n = 0,
		       perm_i = 0;

		while (misses < 32) {
			size_t cand, t;
			double c;

			if (!perm) {
				cand = (size_t)kc_rng_below(&rng, npool);
				if (used_has(&used, cand)) {
					/* Many rejections: the pool is nearly used
					 * up; switch to a shuffled list of the rest. */
					if (++rejects < 64)
						continue;
					perm = malloc(npool * sizeof *perm);
					if (!perm) {
						st = kc_error_set(err, KC_ENOMEM,
						                  "out of memory");
						goto out;
					}
					for (size_t i = 0; i < npool; i++)
						if (!used_has(&used, i))
							perm[perm_n++] = i;
					kc_rng_shuffle(&rng, perm, perm_n, sizeof *perm);
					continue;
				}
				rejects = 0;
			} else {
				if (perm_i == perm_n)
					break;
				cand = perm[perm_i++];
			}
			if (used_add(&used, cand) < 0) {
				free(perm);
				st = kc_error_set(err, KC_ENOMEM, "out of memory");
				goto out;
			}
			if ((st = kc_pool_passage_tokens(f->pool, f->tok, cand, &t,
			                                 err))) {
				free(perm);
				goto out;
			}
			c = (double)(t + header_cost(f, k + nfill + 1) + f->sep);
			if (est + c > goal) {
				misses++;
				continue;
			}
			if (nfill == capfill) {
				size_t cap = capfill ? capfill * 2 : 64;
				void *nf = realloc(fillers, cap * sizeof *fillers);
				if (!nf) {
					free(perm);
					st = kc_error_set(err, KC_ENOMEM, "out of memory");
					goto out;
				}
				fillers = nf;
				capfill = cap;
			}
			fillers[nfill++] = cand;
			est += c;
		}
		free(perm);
		if (est < 0.95 * target) {
			st = kc_error_set(err, KC_EPOOL,
			                  "pool too small: %zu passages fill ~%.0f of "
			                  "the %.0f tokens left for passages",
			                  npool, est, target);
			goto out;
		}
	}

	/* Placement. */
	n = k + nfill;
	pos = malloc((k + 1) * sizeof *pos);
	slot = calloc(n + 1, 1);
	if (!pos || !slot) {
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	{
		/* Own passages in a random order, as the reference shuffles its
		 * core list before placing it. */
		int *s = calloc(k + 1, sizeof *s);
		if (!s) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		kc_rng_shuffle(&rng, own, k, sizeof *own);
		for (size_t i = 0; i < k; i++)
			s[i] = own[i].supporting;
		place_own(f, &rng, n, k, s, pos, slot);
		free(s);
	}
	{
		json_t **arr = calloc(n + 1, sizeof *arr);
		size_t fi = 0;

		if (!arr) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < k; i++) {
			json_t *d = json_array_get(json_object_get(rec, "docs"),
			                           own[i].doc);
			json_t *title = json_object_get(d, "title");
			json_t *text = json_object_get(d, "text");
			char check[17];
			kc_passage_check(f->tok, json_string_value(title),
			                 json_string_length(title),
			                 json_string_value(text),
			                 json_string_length(text), check);
			arr[pos[i]] = json_pack("{s:I,s:I,s:s}", "doc",
			                        (json_int_t)own[i].doc, "tokens",
			                        (json_int_t)own[i].tokens, "check",
			                        check);
		}
		for (size_t p = 0; p < n; p++) {
			const char *title, *text;
			size_t tl, xl, t;
			char check[17];
			if (arr[p])
				continue;
			kc_pool_passage(f->pool, fillers[fi], &title, &tl, &text,
			                &xl);
			kc_pool_passage_tokens(f->pool, f->tok, fillers[fi++], &t,
			                       NULL);
			kc_passage_check(f->tok, title, tl, text, xl, check);
			/* The pool's strings were parsed as JSON: valid UTF-8. */
			arr[p] = json_pack("{s:o,s:o,s:I,s:s}", "title",
			                   json_stringn_nocheck(title, tl), "text",
			                   json_stringn_nocheck(text, xl), "tokens",
			                   (json_int_t)t, "check", check);
		}
		passages = json_array();
		for (size_t p = 0; p < n; p++)
			json_array_append_new(passages, arr[p]);
		free(arr);
	}
	{
		static const char *const place[] = { "gaussian", "uniform",
		                                     "depth" };
		fill = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:s,s:s?,s:s}",
		                 "budget", (json_int_t)budget,
		                 "context", (json_int_t)est,
		                 "reserve", (json_int_t)(reserve_chain +
		                                          reserve_prompt),
		                 "own", (json_int_t)k,
		                 "own_dropped", (json_int_t)dropped,
		                 "fillers", (json_int_t)nfill,
		                 "place", place[f->o.place],
		                 "pool", f->o.pool_name,
		                 "tokenizer", kc_tokenizer_name(f->tok));
		if (f->o.place == KC_PLACE_DEPTH)
			json_object_set_new(fill, "depth", json_real(f->o.depth));
		if (!kc_tokenizer_exact(f->tok))
			json_object_set_new(fill, "exact", json_false());
	}
	if (!passages || !fill || kc_plan_store(plan, rec) ||
	    json_object_set_new(rec, "passages", passages) ||
	    json_object_set_new(rec, "fill", fill)) {
		passages = fill = NULL;
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	passages = fill = NULL;
	st = KC_OK;
out:
	json_decref(passages);
	json_decref(fill);
	free(own);
	free(fillers);
	free(pos);
	free(slot);
	free(used.slot);
	return st;
}
