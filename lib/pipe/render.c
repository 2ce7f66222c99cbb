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

#include "core/private.h"
#include "pipe/private.h"

void kc_render_opts_init(struct kc_render_opts *o)
{
	memset(o, 0, sizeof *o);
	kc_plan_opts_init(&o->plan);
	o->format = KC_FMT_CHAT;
	o->split = "train";
}

kc_status kc_format_parse(const char *s, enum kc_format *fmt,
                          struct kc_error *err)
{
	static const char *const names[] = {
		[KC_FMT_CHAT] = "chat", [KC_FMT_VERL] = "verl",
		[KC_FMT_SWIFT] = "swift", [KC_FMT_KEYCHAIN] = "keychain",
		[KC_FMT_TEXT] = "text",
	};
	int v;
	kc_status st = kc_name_parse(KC_NAMES(names), "format", s, &v, err);

	if (!st)
		*fmt = (enum kc_format)v;
	return st;
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
		return kc_error_nomem(err);
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
	} else if (opts->plan.preset && !kc_preset_find(opts->plan.preset, err)) {
		kc_renderer_free(r);
		return KC_EINVAL;
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
	free(r->headers);
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
		size_t title_len, text_len;
		if (kc_get_string(d, "title", &t, &title_len, NULL) ||
		    kc_get_string(d, "text", &x, &text_len, NULL))
			return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] needs "
			                    "string \"title\" and \"text\"", i);
		if ((i && kc_buf_append(&r->ctx, "\n", 1)) ||
		    kc_buf_append(&r->ctx, t, title_len) ||
		    kc_buf_append(&r->ctx, "\n", 1) ||
		    kc_buf_append(&r->ctx, x, text_len))
			return kc_error_nomem(err);
	}
	return kc_buf_append(&r->ctx, "", 0) ?
	       kc_error_nomem(err) : KC_OK;
}

/*
 * Choose the next passage to drop: among fillers (then, when none is
 * left, the dataset's own distractor passages and the distractor
 * questions' evidence; never a supporting one),
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
			    (p->doc >= 0 || p->entangled) != own)
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
				st = kc_error_nomem(err);
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

/*
 * One record's rendering, as a sequence of steps over this state: read
 * the record and its plan, choose the template, set the budget, lay out
 * and fit the prompt (or, for the filter stage, the own docs), count it
 * again when asked, describe it, write it in the format.
 */
struct renderrec {
	kc_renderer *r;
	json_t *rec;
	struct kc_error *err;
	struct kc_plan plan;
	int has_plan;
	const char *id;
	size_t idlen;
	json_t *chain;
	kc_span values[KC_SLOT_MAX];
	const struct kc_preset_def *preset;   /* NULL: the custom template */
	struct kc_template preset_t;
	const struct kc_template *t;
	int own_ctx;              /* the filter stage: the own docs */
	long limit;               /* tokens, chat included; -1: none */
	size_t overhead;          /* the chat template's tokens */
	const char *chat_name;
	kc_rng rng;
	struct layout l;
	size_t dropped;
};

static kc_status read_record(struct renderrec *s)
{
	const char *question, *head = "", *answer = "";
	size_t qlen, headlen = 0, answerlen = 0;
	json_t *answers, *first;
	struct kc_error e;
	kc_status st;

	if ((st = kc_get_string(s->rec, "id", &s->id, &s->idlen, s->err)) ||
	    (st = kc_get_string(s->rec, "question", &question, &qlen, s->err)) ||
	    (st = kc_get_array(s->rec, "answers", &answers, s->err)) ||
	    (st = kc_plan_resolve(&s->plan, s->rec, &s->r->o.plan, s->err)))
		return st;
	s->has_plan = s->plan.length > 0;
	if (json_is_string(first = json_array_get(answers, 0))) {
		answer = json_string_value(first);
		answerlen = json_string_length(first);
	}
	s->chain = json_object_get(s->rec, "chain");
	if (s->chain &&
	    (st = kc_get_string(s->chain, "head", &head, &headlen, &e)))
		return kc_error_set(s->err, st, "\"chain\": %s", e.text);
	s->values[KC_SLOT_QUESTION] = (kc_span){ question, qlen };
	s->values[KC_SLOT_HEAD] = (kc_span){ head, headlen };
	s->values[KC_SLOT_ANSWER] = (kc_span){ answer, answerlen };
	return KC_OK;
}

/* The custom template, else the preset (keychain-rl for the keychain
 * format: what LoongRL wraps around it). */
static kc_status choose_template(struct renderrec *s)
{
	const char *name = s->plan.preset;
	kc_status st;

	if (s->r->has_custom) {
		s->t = &s->r->custom;
	} else {
		if (s->r->o.format == KC_FMT_KEYCHAIN)
			name = "keychain-rl";
		if (!(s->preset = kc_preset_find(name, s->err)))
			return KC_EINVAL;
		if ((st = kc_template_parse(s->preset->text, &s->preset_t, s->err))) {
			s->preset = NULL;
			return st;
		}
		s->t = &s->preset_t;
		s->own_ctx = s->preset->ctx == KC_CTX_OWN;
	}
	if ((s->t->uses & (1u << KC_SLOT_HEAD)) && !s->chain)
		return kc_error_set(s->err, KC_EFIELD, "the prompt needs "
		                    "{chain_head} but the record has no \"chain\" "
		                    "(run kc-chain, or use --preset plain)");
	return KC_OK;
}

static kc_status set_budget(struct renderrec *s)
{
	s->limit = s->r->o.max_tokens;
	if (s->limit == 0)
		s->limit = s->has_plan ? kc_plan_budget(&s->plan) : -1;
	kc_rng_seed(&s->rng, s->plan.seed, s->id, s->idlen, "render");
	return kc_chat_tokens(s->r->tok, s->plan.chat, &s->overhead,
	                      &s->chat_name, s->err);
}

/* The filter stage: the own docs around the template, nothing to drop. */
static kc_status render_own(struct renderrec *s)
{
	kc_renderer *r = s->r;
	size_t n, at;
	kc_status st;

	if ((st = own_context(r, s->rec, s->err)))
		return st;
	s->values[KC_SLOT_CONTEXT] = (kc_span){ r->ctx.data, r->ctx.len };
	r->prompt.len = 0;
	if (kc_template_expand(s->t, s->values, &r->prompt, &at))
		return kc_error_nomem(s->err);
	if ((st = kc_tokenizer_count(r->tok, r->prompt.data, r->prompt.len, &n,
	                             s->err)))
		return st;
	s->l.total = n;
	if (s->limit >= 0 && n + s->overhead > (size_t)s->limit)
		return kc_error_set(s->err, KC_EBUDGET, "the prompt has %zu tokens, "
		                    "over the budget of %ld", n + s->overhead,
		                    s->limit);
	return KC_OK;
}

/* The template around an empty context: the prefix and the suffix. */
static kc_status split_template(struct renderrec *s)
{
	kc_renderer *r = s->r;
	struct layout *l = &s->l;
	size_t at = 0;
	kc_status st;

	s->values[KC_SLOT_CONTEXT] = (kc_span){ "", 0 };
	r->pre.len = 0;
	if (kc_template_expand(s->t, s->values, &r->pre, &at) ||
	    kc_buf_append(&r->pre, "", 0))
		return kc_error_nomem(s->err);
	if (!(s->t->uses & (1u << KC_SLOT_CONTEXT)))
		at = r->pre.len;
	l->prefix = (kc_span){ r->pre.data, at };
	l->suffix = (kc_span){ r->pre.data + at, r->pre.len - at };
	l->hard_prefix = at == 0 || r->pre.data[at - 1] == '\n';
	if ((st = kc_tokenizer_count(r->tok, l->prefix.s, l->prefix.len,
	                             &l->n_prefix, s->err)))
		return st;
	return kc_tokenizer_count(r->tok, l->suffix.s, l->suffix.len,
	                          &l->n_suffix, s->err);
}

/* The passages laid out, fitted to the budget, and written. */
static kc_status render_passages(struct renderrec *s)
{
	kc_renderer *r = s->r;
	kc_status st;

	if ((st = kc_layout_load(r, s->rec, &s->l, s->err)) ||
	    (st = split_template(s)) ||
	    (st = fit(r, &s->l, s->limit, s->overhead, &s->rng, &s->dropped,
	              s->err)) ||
	    (st = kc_layout_locate(r, &s->l, s->err)))
		return st;
	if (kc_layout_build(r, &s->l, r->o.format == KC_FMT_KEYCHAIN))
		return kc_error_nomem(s->err);
	s->values[KC_SLOT_CONTEXT] = (kc_span){ r->ctx.data, r->ctx.len };
	r->prompt.len = 0;
	if (kc_template_expand(s->t, s->values, &r->prompt, NULL))
		return kc_error_nomem(s->err);
	return KC_OK;
}

/* The self-test: the prompt counted in one piece. */
static kc_status recount(struct renderrec *s)
{
	kc_renderer *r = s->r;
	size_t n;
	kc_status st;

	if (!r->o.recount)
		return KC_OK;
	if ((st = kc_tokenizer_count(r->tok, r->prompt.data, r->prompt.len, &n,
	                             s->err)))
		return st;
	if (n != s->l.total)
		return kc_error_set(s->err, KC_EVERIFY, "recount: %zu tokens, the "
		                    "layout counted %zu", n, s->l.total);
	return KC_OK;
}

/* The passages kept, the own ones dropped, the distractor questions'
 * evidence kept, and where things went. */
static void describe_layout(const struct layout *l, json_t *render)
{
	size_t kept = 0, own_dropped = 0, entangled = 0;
	json_t *prov = kc_layout_provenance(l);

	for (size_t i = 0; i < l->np; i++) {
		kept += l->ps[i].keep != 0;
		own_dropped += !l->ps[i].keep && l->ps[i].doc >= 0;
		entangled += l->ps[i].keep && l->ps[i].entangled;
	}
	json_object_set_new(render, "passages", json_integer((json_int_t)kept));
	json_object_set_new(render, "own_dropped",
	                    json_integer((json_int_t)own_dropped));
	json_object_set_new(render, "entangled",
	                    json_integer((json_int_t)entangled));
	json_object_update(render, prov);
	json_decref(prov);
}

/* What the record says about the rendering. */
static json_t *describe(const struct renderrec *s)
{
	/* What a checker needs to follow the chain, whatever the format
	 * keeps of the record. */
	static const char *const keys[] = { "head", "real", "question", "tree",
	                                    "decoys", "uuid" };
	json_t *render;

	render = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:I}",
	                   "tokens", (json_int_t)(s->l.total + s->overhead),
	                   "budget", (json_int_t)s->limit,
	                   "preset", s->preset ? s->preset->name : "custom",
	                   "tokenizer", kc_tokenizer_name(s->r->tok),
	                   "chat", s->chat_name,
	                   "chat_tokens", (json_int_t)s->overhead,
	                   "dropped", (json_int_t)s->dropped);
	if (!render)
		return NULL;
	if (!s->own_ctx)
		describe_layout(&s->l, render);
	if (!kc_tokenizer_exact(s->r->tok))
		json_object_set_new(render, "exact", json_false());
	for (size_t i = 0; s->chain && i < sizeof keys / sizeof *keys; i++)
		if (json_object_get(s->chain, keys[i]))
			json_object_set(render, keys[i],
			                json_object_get(s->chain, keys[i]));
	return render;
}

static kc_status emit(struct renderrec *s, json_t **out)
{
	json_t *render = describe(s);

	if (!render)
		return kc_error_nomem(s->err);
	return kc_format_emit(s->r, s->rec, &s->plan, render, out, s->err);
}

kc_status kc_render(kc_renderer *r, json_t *rec, json_t **out,
                    struct kc_error *err)
{
	struct renderrec s = { .r = r, .rec = rec, .err = err };
	kc_status st;

	*out = NULL;
	if (!(st = read_record(&s)) && !(st = choose_template(&s)) &&
	    !(st = set_budget(&s)) &&
	    !(st = s.own_ctx ? render_own(&s) : render_passages(&s)) &&
	    !(st = recount(&s)))
		st = emit(&s, out);
	if (s.preset)
		kc_template_release(&s.preset_t);
	kc_layout_release(&s.l);
	return st;
}
