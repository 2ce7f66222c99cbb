/*
 * render.c - from a structured record to the prompt a model reads.
 *
 * The passages stay structured until here, which is what makes an exact
 * budget possible: the prompt is laid out and counted with the real
 * tokenizer (plus the chat template's own tokens; see layout.c for how it
 * is counted without counting it all again after each change), and while
 * it is over budget, fillers are dropped, the ones that best cover the
 * excess first, and it is counted again.  Only then are passages
 * numbered, so "Passage 1:" .. "Passage n:" has no gaps.  A prompt is
 * never written over budget.
 *
 * Provenance: the token offset of every own passage and of every pair of
 * the real chain, and its depth (0 = start, 1 = end of the context).
 */
#include <stdlib.h>
#include <string.h>

#include "pipe/private.h"

void kc_render_opts_init(struct kc_render_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = KC_FMT_CHAT;
	o->split = "train";
}

kc_status kc_format_parse(const char *s, enum kc_format *fmt)
{
	static const struct { const char *name; enum kc_format f; } t[] = {
		{ "chat", KC_FMT_CHAT }, { "verl", KC_FMT_VERL },
		{ "swift", KC_FMT_SWIFT }, { "keychain", KC_FMT_KEYCHAIN },
		{ "text", KC_FMT_TEXT },
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(s, t[i].name)) {
			*fmt = t[i].f;
			return KC_OK;
		}
	return KC_EINVAL;
}

static kc_status check_template(const struct kc_template *t,
                                struct kc_error *err)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nparts; i++)
		n += t->parts[i].slot == KC_SLOT_CONTEXT;
	if (n > 1)
		return kc_error_set(err, KC_EINVAL,
		                    "template: {context} may appear only once");
	return KC_OK;
}

kc_status kc_renderer_new(kc_renderer **out, kc_tokenizer *tok,
                          const struct kc_render_opts *opts,
                          struct kc_error *err)
{
	kc_renderer *r = calloc(1, sizeof *r);
	kc_status st;

	*out = NULL;
	if (!r)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	r->tok = tok;
	r->o = *opts;
	kc_buf_init(&r->ctx, 0);
	kc_buf_init(&r->bare, 0);
	kc_buf_init(&r->prompt, 0);
	kc_buf_init(&r->scratch, 0);
	kc_buf_init(&r->pre, 0);
	kc_buf_init(&r->suf, 0);
	if (opts->template) {
		r->has_custom = 1;
		if ((st = kc_template_parse(opts->template, &r->custom, err)) ||
		    (st = check_template(&r->custom, err))) {
			kc_renderer_free(r);
			return st;
		}
	} else if (opts->preset && !kc_preset_find(opts->preset)) {
		kc_renderer_free(r);
		return kc_error_set(err, KC_EINVAL, "unknown preset '%s'",
		                    opts->preset);
	}
	*out = r;
	return KC_OK;
}

void kc_renderer_free(kc_renderer *r)
{
	if (!r)
		return;
	if (r->has_custom)
		kc_template_release(&r->custom);
	kc_buf_release(&r->ctx);
	kc_buf_release(&r->bare);
	kc_buf_release(&r->prompt);
	kc_buf_release(&r->scratch);
	kc_buf_release(&r->pre);
	kc_buf_release(&r->suf);
	kc_tokens_release(&r->toks);
	free(r);
}

/* The record's own docs, "title\ntext" joined by "\n" (filter stage). */
static kc_status own_context(kc_renderer *r, const json_t *rec,
                             struct kc_error *err)
{
	json_t *docs, *d;
	size_t i;
	kc_status st;

	r->ctx.len = 0;
	if ((st = kc_get_array(rec, "docs", &docs, err)))
		return st;
	json_array_foreach(docs, i, d) {
		const char *t, *x;
		size_t tl, xl;
		if (kc_get_string(d, "title", &t, &tl, NULL) ||
		    kc_get_string(d, "text", &x, &xl, NULL))
			return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] needs "
			                    "string \"title\" and \"text\"", i);
		if ((i && kc_buf_append(&r->ctx, "\n", 1)) ||
		    kc_buf_append(&r->ctx, t, tl) ||
		    kc_buf_append(&r->ctx, "\n", 1) ||
		    kc_buf_append(&r->ctx, x, xl))
			return kc_error_set(err, KC_ENOMEM, "out of memory");
	}
	return kc_buf_append(&r->ctx, "", 0) ?
	       kc_error_set(err, KC_ENOMEM, "out of memory") : KC_OK;
}

static kc_status plan_of(const json_t *rec, struct kc_plan *plan, int *has,
                         struct kc_error *err)
{
	json_t *jp = json_object_get(rec, "plan");
	long length = 0;

	*has = jp != NULL;
	if (jp && json_is_integer(json_object_get(jp, "length")))
		length = (long)json_integer_value(json_object_get(jp, "length"));
	kc_plan_defaults(plan, length > 0 ? length : 1024);
	return kc_plan_load(plan, rec, err);
}

/*
 * Choose the next passage to drop: among fillers (then, when none is
 * left, the dataset's own distractor passages; never a supporting one),
 * the one whose tokens cover `left` with the least to spare, else the
 * largest.  A pairless one wins a tie: its pairs need no new home.
 * Ties beyond that go by the drawn order.
 */
static struct rpass *pick_drop(struct layout *l, const size_t *order,
                               size_t left, size_t *index)
{
	struct rpass *best = NULL;

	for (int own = 0; own < 2 && !best; own++)
		for (size_t k = 0; k < l->np; k++) {
			struct rpass *p = &l->ps[order[k]];
			int better;
			if (!p->keep || p->supporting || p->pinned ||
			    (p->doc >= 0) != own)
				continue;
			if (!best)
				better = 1;
			else if (p->tokens >= left && best->tokens >= left)
				better = p->tokens < best->tokens ||
				         (p->tokens == best->tokens && !p->npairs &&
				          best->npairs);
			else
				better = p->tokens >= left ||
				         (best->tokens < left && p->tokens > best->tokens);
			if (better) {
				best = p;
				*index = order[k];
			}
		}
	return best;
}

/* Make the laid-out record fit `limit` tokens (chat tokens included). */
static kc_status fit(kc_renderer *r, struct layout *l, long limit,
                     size_t overhead, kc_rng *rng, size_t *dropped,
                     struct kc_error *err)
{
	size_t *order = NULL;
	kc_status st;

	for (;;) {
		size_t n, removed = 0;

		if ((st = kc_layout_count(r, l, err)))
			break;
		n = l->total + overhead;
		if (limit < 0 || n <= (size_t)limit)
			break;
		if (!order) {
			/* The order that breaks ties, drawn once. */
			if (!(order = malloc((l->np + 1) * sizeof *order))) {
				st = kc_error_set(err, KC_ENOMEM, "out of memory");
				break;
			}
			for (size_t i = 0; i < l->np; i++)
				order[i] = i;
			kc_rng_shuffle(rng, order, l->np, sizeof *order);
		}
		while (removed < n - (size_t)limit) {
			size_t i;
			struct rpass *p = pick_drop(l, order, n - limit - removed, &i);
			if (!p)
				break;
			if (p->npairs && (st = kc_layout_rehome(l, i, rng))) {
				if (st == KC_ENOMEM) {
					st = kc_error_set(err, st, "out of memory");
					goto out;
				}
				p->pinned = 1;   /* its pairs have nowhere to go */
				st = KC_OK;
				continue;
			}
			p->keep = 0;
			(*dropped)++;
			removed += p->tokens;
		}
		if (!removed) {
			st = kc_error_set(err, KC_EBUDGET, "the prompt has %zu tokens, "
			                  "over the budget of %ld, and no passage but "
			                  "the supporting ones is left to drop", n, limit);
			break;
		}
	}
out:
	free(order);
	return st;
}

kc_status kc_render(kc_renderer *r, json_t *rec, json_t **out,
                    struct kc_error *err)
{
	struct kc_plan plan;
	const struct kc_preset_def *preset = NULL;
	struct kc_template preset_t, *t;
	struct layout l;
	size_t overhead, ctx_at = 0, dropped = 0;
	long limit;
	const char *id, *question, *head = "", *answer = "", *chat, *chat_name;
	size_t idlen, qlen, headlen = 0, answerlen = 0;
	int has_plan, own_ctx;
	json_t *chain, *answers, *render = NULL, *res = NULL;
	kc_span values[KC_SLOT_MAX];
	kc_rng rng;
	kc_status st;

	*out = NULL;
	memset(&preset_t, 0, sizeof preset_t);
	memset(&l, 0, sizeof l);
	if ((st = kc_get_string(rec, "id", &id, &idlen, err)) ||
	    (st = kc_get_string(rec, "question", &question, &qlen, err)) ||
	    (st = kc_get_array(rec, "answers", &answers, err)) ||
	    (st = plan_of(rec, &plan, &has_plan, err)))
		return st;
	if (json_is_string(json_array_get(answers, 0))) {
		answer = json_string_value(json_array_get(answers, 0));
		answerlen = json_string_length(json_array_get(answers, 0));
	}
	chain = json_object_get(rec, "chain");
	if (chain && (st = kc_get_string(chain, "head", &head, &headlen, err)))
		return kc_error_set(err, st, "\"chain\": %s", err->text);

	/* The template. */
	if (r->has_custom) {
		t = &r->custom;
		own_ctx = 0;
	} else {
		const char *name = r->o.preset ? r->o.preset : plan.preset;
		if (r->o.format == KC_FMT_KEYCHAIN)
			name = "keychain-rl";   /* what LoongRL wraps around it */
		if (!(preset = kc_preset_find(name)))
			return kc_error_set(err, KC_EINVAL, "unknown preset '%s'",
			                    name);
		if ((st = kc_template_parse(preset->text, &preset_t, err)))
			return st;
		t = &preset_t;
		own_ctx = preset->ctx == KC_CTX_OWN;
	}
	if ((t->uses & (1u << KC_SLOT_HEAD)) && !chain) {
		st = kc_error_set(err, KC_EFIELD, "the prompt needs {chain_head} "
		                  "but the record has no \"chain\" (run kc-chain, "
		                  "or use --preset plain)");
		goto out;
	}

	/* The budget. */
	limit = r->o.max_tokens;
	if (limit == 0)
		limit = has_plan ? plan.length - plan.generate : -1;
	chat = r->o.chat ? r->o.chat : plan.chat;
	if ((st = kc_chat_tokens(r->tok, chat, &overhead, &chat_name, err)))
		goto out;
	values[KC_SLOT_QUESTION] = (kc_span){ question, qlen };
	values[KC_SLOT_HEAD] = (kc_span){ head, headlen };
	values[KC_SLOT_ANSWER] = (kc_span){ answer, answerlen };
	kc_rng_seed(&rng, r->o.seed_set ? r->o.seed : plan.seed, id, idlen,
	            "render");

	if (own_ctx) {
		/* The filter stage: the own docs, nothing to drop. */
		size_t n;
		if ((st = own_context(r, rec, err)))
			goto out;
		values[KC_SLOT_CONTEXT] = (kc_span){ r->ctx.data, r->ctx.len };
		r->prompt.len = 0;
		if (kc_template_expand(t, values, &r->prompt, &ctx_at)) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		if ((st = kc_tokenizer_count(r->tok, r->prompt.data,
		                             r->prompt.len, &n, err)))
			goto out;
		l.total = n;
		if (limit >= 0 && n + overhead > (size_t)limit) {
			st = kc_error_set(err, KC_EBUDGET, "the prompt has %zu tokens, "
			                  "over the budget of %ld", n + overhead, limit);
			goto out;
		}
	} else {
		/* The template around an empty context gives the prefix and
		 * the suffix. */
		if ((st = kc_layout_load(r, rec, &l, err)))
			goto out;
		values[KC_SLOT_CONTEXT] = (kc_span){ "", 0 };
		r->pre.len = 0;
		if (kc_template_expand(t, values, &r->pre, &ctx_at) ||
		    kc_buf_append(&r->pre, "", 0)) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		if (!(t->uses & (1u << KC_SLOT_CONTEXT)))
			ctx_at = r->pre.len;
		l.prefix = (kc_span){ r->pre.data, ctx_at };
		l.suffix = (kc_span){ r->pre.data + ctx_at, r->pre.len - ctx_at };
		l.hard_prefix = ctx_at == 0 || r->pre.data[ctx_at - 1] == '\n';
		if ((st = kc_tokenizer_count(r->tok, l.prefix.s, l.prefix.len,
		                             &l.n_prefix, err)) ||
		    (st = kc_tokenizer_count(r->tok, l.suffix.s, l.suffix.len,
		                             &l.n_suffix, err)) ||
		    (st = fit(r, &l, limit, overhead, &rng, &dropped, err)) ||
		    (st = kc_layout_locate(r, &l, err)))
			goto out;
		if (kc_layout_build(r, &l, r->o.format == KC_FMT_KEYCHAIN)) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
		values[KC_SLOT_CONTEXT] = (kc_span){ r->ctx.data, r->ctx.len };
		r->prompt.len = 0;
		if (kc_template_expand(t, values, &r->prompt, NULL)) {
			st = kc_error_set(err, KC_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (r->o.recount) {
		/* The self-test: the prompt counted in one piece. */
		size_t n;
		if ((st = kc_tokenizer_count(r->tok, r->prompt.data, r->prompt.len,
		                             &n, err)))
			goto out;
		if (n != l.total) {
			st = kc_error_set(err, KC_EVERIFY, "recount: %zu tokens, the "
			                  "layout counted %zu", n, l.total);
			goto out;
		}
	}

	/* What the record says about the rendering. */
	render = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:I}",
	                   "tokens", (json_int_t)(l.total + overhead),
	                   "budget", (json_int_t)limit,
	                   "preset", preset ? preset->name : "custom",
	                   "tokenizer", kc_tokenizer_name(r->tok),
	                   "chat", chat_name,
	                   "chat_tokens", (json_int_t)overhead,
	                   "dropped", (json_int_t)dropped);
	if (render && !own_ctx) {
		size_t kept = 0, own_dropped = 0;
		json_t *prov = kc_layout_provenance(&l);
		for (size_t i = 0; i < l.np; i++) {
			kept += l.ps[i].keep != 0;
			own_dropped += !l.ps[i].keep && l.ps[i].doc >= 0;
		}
		json_object_set_new(render, "passages",
		                    json_integer((json_int_t)kept));
		json_object_set_new(render, "own_dropped",
		                    json_integer((json_int_t)own_dropped));
		json_object_update(render, prov);
		json_decref(prov);
	}
	if (render && !kc_tokenizer_exact(r->tok))
		json_object_set_new(render, "exact", json_false());
	if (render && chain) {
		/* What a checker needs to follow the chain, whatever the
		 * format keeps of the record. */
		static const char *const keys[] = { "head", "real", "question",
		                                    "tree", "uuid" };
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			if (json_object_get(chain, keys[i]))
				json_object_set(render, keys[i],
				                json_object_get(chain, keys[i]));
	}
	if (!render) {
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	st = kc_format_emit(r, rec, &plan, render, &res, err);
	render = NULL;
	if (!st)
		*out = res;
out:
	json_decref(render);
	if (preset)
		kc_template_release(&preset_t);
	kc_layout_release(&l);
	return st;
}
