/*
 * render.c - from a structured record to the prompt a model reads.
 *
 * The passages stay structured until here, which is what makes an exact
 * budget possible: the prompt is built, counted with the real tokenizer
 * (plus the chat template's own tokens), and while it is over budget,
 * filler passages that carry no chain pair are dropped (in an order
 * drawn from the record's generator) and it is counted again.  Only then
 * are passages numbered, so "Passage 1:" .. "Passage n:" has no gaps.
 * A prompt is never written over budget.
 *
 * Provenance: the final encoding's byte offsets give the exact token
 * offset of every own passage and every pair of the real chain; depth
 * is that offset's relative position in the context (0 = start, 1 =
 * end).
 */
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "prompt.h"

struct kc_renderer {
	kc_tokenizer *tok;
	struct kc_render_opts o;
	struct kc_template custom;   /* o.template, parsed once */
	int has_custom;
	kc_buf ctx, bare, prompt;
	kc_tokens toks;
};

struct rpair {
	const char *key, *value;
	size_t klen, vlen;
	size_t passage, at;
	int chain, hop, real;
	size_t byte;              /* offset in the context */
};

struct rpass {
	const char *title, *text;
	size_t tl, xl;
	long doc;
	size_t first_pair, npairs;
	int keep;
	size_t number;
	size_t start, end;        /* block offsets in the context */
};

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
	if (opts->template) {
		if ((st = kc_template_parse(opts->template, &r->custom, err))) {
			kc_renderer_free(r);
			return st;
		}
		r->has_custom = 1;
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
	kc_tokens_release(&r->toks);
	free(r);
}

/* The index of the first token starting at or after byte b. */
static size_t token_at(const kc_tokens *t, size_t b)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (t->offsets[mid] < b)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static kc_status append_pair(kc_buf *b, const struct rpair *p,
                             int after_newline)
{
	kc_status st = KC_OK;

	if (!after_newline)
		st = kc_buf_append(b, " ", 1);
	if (!st)
		st = kc_buf_append(b, "{\"", 2);
	if (!st)
		st = kc_buf_append(b, p->key, p->klen);
	if (!st)
		st = kc_buf_append(b, "\": \"", 4);
	if (!st)
		st = kc_buf_append(b, p->value, p->vlen);
	if (!st)
		st = kc_buf_append(b, "\"}.", 3);
	return st;
}

/* Build the context of the kept passages into r->ctx (with the pairs)
 * and, when `bare` is set, r->bare (without them). */
static kc_status build_context(kc_renderer *r, struct rpass *ps, size_t np,
                               struct rpair *pairs, int bare)
{
	size_t number = 0;
	kc_status st = KC_OK;

	r->ctx.len = 0;
	r->bare.len = 0;
	for (size_t i = 0; i < np && !st; i++) {
		struct rpass *p = &ps[i];
		size_t pos = 0;

		if (!p->keep)
			continue;
		p->number = ++number;
		if (number > 1)
			st = kc_buf_append(&r->ctx, "\n\n", 2);
		p->start = r->ctx.len;
		if (!st)
			st = kc_buf_printf(&r->ctx, "Passage %zu:\n", number);
		if (!st)
			st = kc_buf_append(&r->ctx, p->title, p->tl);
		if (!st)
			st = kc_buf_append(&r->ctx, "\n", 1);
		for (size_t k = 0; k < p->npairs && !st; k++) {
			struct rpair *q = &pairs[p->first_pair + k];
			int nl = q->at > 0 && p->text[q->at - 1] == '\n';
			st = kc_buf_append(&r->ctx, p->text + pos, q->at - pos);
			q->byte = r->ctx.len + !nl;
			if (!st)
				st = append_pair(&r->ctx, q, nl);
			pos = q->at;
		}
		if (!st)
			st = kc_buf_append(&r->ctx, p->text + pos, p->xl - pos);
		p->end = r->ctx.len;
		if (bare && !st)
			st = kc_buf_printf(&r->bare, "%sPassage %zu:\n%.*s\n%.*s",
			                   number > 1 ? "\n\n" : "", number,
			                   (int)p->tl, p->title, (int)p->xl, p->text);
	}
	return st;
}

/* The record's own docs, "title\ntext" joined by "\n" (filter stage). */
static kc_status build_own_context(kc_renderer *r, const json_t *rec,
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
	return KC_OK;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct rpair *x = a, *y = b;

	if (x->passage != y->passage)
		return x->passage < y->passage ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->key, y->key);   /* stacked pairs: a fixed order */
}

/* Read the passages and the pairs of a record. */
static kc_status load(const json_t *rec, struct rpass **pout, size_t *npout,
                      struct rpair **qout, size_t *nqout, struct kc_error *err)
{
	json_t *passages = json_object_get(rec, "passages");
	json_t *chain = json_object_get(rec, "chain"), *pairs = NULL, *v;
	struct rpass *ps;
	struct rpair *qs = NULL;
	size_t np, nq = 0, i;
	kc_status st;
	int from_docs = 0;

	if (!passages) {
		/* Not filled: the record's own docs are the context. */
		passages = json_object_get(rec, "docs");
		from_docs = 1;
	}
	if (!json_is_array(passages))
		return kc_error_set(err, KC_EFIELD, "missing \"passages\" (run "
		                    "kc-fill) and \"docs\"");
	np = json_array_size(passages);
	ps = calloc(np + 1, sizeof *ps);
	if (!ps)
		return kc_error_set(err, KC_ENOMEM, "out of memory");
	json_array_foreach(passages, i, v) {
		if (from_docs) {
			if (kc_get_string(v, "title", &ps[i].title, &ps[i].tl, NULL) ||
			    kc_get_string(v, "text", &ps[i].text, &ps[i].xl, NULL)) {
				free(ps);
				return kc_error_set(err, KC_EFIELD, "\"docs\"[%zu] needs "
				                    "string \"title\" and \"text\"", i);
			}
			ps[i].doc = (long)i;
		} else if ((st = kc_record_passage(rec, v, &ps[i].title, &ps[i].tl,
		                                   &ps[i].text, &ps[i].xl,
		                                   &ps[i].doc, err))) {
			free(ps);
			return st;
		}
		ps[i].keep = 1;
	}
	if (chain) {
		json_t *real;
		if (!json_is_object(chain) ||
		    !json_is_array(pairs = json_object_get(chain, "pairs")) ||
		    !json_is_array(real = json_object_get(chain, "real"))) {
			free(ps);
			return kc_error_set(err, KC_EFIELD, "\"chain\" has no "
			                    "\"pairs\" or \"real\" array");
		}
		nq = json_array_size(pairs);
		qs = calloc(nq + 1, sizeof *qs);
		if (!qs) {
			free(ps);
			return kc_error_set(err, KC_ENOMEM, "out of memory");
		}
		json_array_foreach(pairs, i, v) {
			struct rpair *q = &qs[i];
			json_t *jp = json_object_get(v, "passage"),
			       *ja = json_object_get(v, "at");
			if (kc_get_string(v, "key", &q->key, &q->klen, NULL) ||
			    kc_get_string(v, "value", &q->value, &q->vlen, NULL) ||
			    !json_is_integer(jp) || !json_is_integer(ja) ||
			    json_integer_value(jp) < 0 ||
			    (size_t)json_integer_value(jp) >= np ||
			    json_integer_value(ja) < 0 ||
			    (size_t)json_integer_value(ja) >
			            ps[json_integer_value(jp)].xl) {
				free(ps);
				free(qs);
				return kc_error_set(err, KC_EFIELD, "\"chain\".\"pairs\""
				                    "[%zu] is not a valid pair", i);
			}
			q->passage = (size_t)json_integer_value(jp);
			q->at = (size_t)json_integer_value(ja);
			q->chain = (int)json_integer_value(json_object_get(v, "chain"));
			q->hop = (int)json_integer_value(json_object_get(v, "hop"));
			/* On the real path: chain 0 and the key is a real key
			 * whose value is the next one (or the question). */
			if (q->chain == 0) {
				size_t nr = json_array_size(real);
				for (size_t k = 0; k < nr; k++) {
					const char *rk = json_string_value(
					        json_array_get(real, k));
					if (!rk || strlen(rk) != q->klen ||
					    memcmp(rk, q->key, q->klen))
						continue;
					const char *next = k + 1 < nr ? json_string_value(
					        json_array_get(real, k + 1)) : NULL;
					q->real = k + 1 == nr ||
					          (next && strlen(next) == q->vlen &&
					           !memcmp(next, q->value, q->vlen));
				}
			}
		}
		qsort(qs, nq, sizeof *qs, pair_cmp);
		for (i = 0; i < nq; i++) {
			struct rpass *p = &ps[qs[i].passage];
			if (!p->npairs++)
				p->first_pair = i;
		}
	}
	*pout = ps;
	*npout = np;
	*qout = qs;
	*nqout = nq;
	return KC_OK;
}

/* Move the pairs of passage `from` to free sentence ends of the other
 * kept passages, so that it can be dropped. */
static kc_status rehome(struct rpass *ps, size_t np, struct rpair *qs,
                        size_t nq, size_t from, kc_rng *rng)
{
	struct { size_t passage, at; } *spots = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < np; i++) {
		uint32_t *offs;
		size_t m;
		if (!ps[i].keep || i == from)
			continue;
		m = kc_sentence_ends(ps[i].text, ps[i].xl, NULL, 0);
		offs = malloc((m + 1) * sizeof *offs);
		if (!offs)
			goto nomem;
		kc_sentence_ends(ps[i].text, ps[i].xl, offs, m);
		for (size_t k = 0; k < m; k++) {
			int taken = 0;
			for (size_t j = 0; j < ps[i].npairs && !taken; j++)
				taken = qs[ps[i].first_pair + j].at == offs[k];
			if (taken)
				continue;
			if (n == cap) {
				void *ns = realloc(spots, (cap = cap * 2 + 64) *
				                          sizeof *spots);
				if (!ns) {
					free(offs);
					goto nomem;
				}
				spots = ns;
			}
			spots[n].passage = i;
			spots[n++].at = offs[k];
		}
		free(offs);
	}
	for (size_t k = 0; k < ps[from].npairs; k++) {
		struct rpair *q = &qs[ps[from].first_pair + k];
		if (k < n) {
			size_t j = k + (size_t)kc_rng_below(rng, n - k);
			q->passage = spots[j].passage;
			q->at = spots[j].at;
			spots[j] = spots[k];
		} else {
			/* No free sentence end left: stack the pair right
			 * after another one (a pair ends a sentence too). */
			size_t j = (size_t)kc_rng_below(rng, nq), tries = 0;
			while (qs[j].passage == from && ++tries < nq)
				j = (j + 1) % nq;
			if (qs[j].passage == from) {
				free(spots);
				return KC_EBUDGET;
			}
			q->passage = qs[j].passage;
			q->at = qs[j].at;
		}
	}
	free(spots);
	/* Re-sort and re-index the pairs of every passage. */
	qsort(qs, nq, sizeof *qs, pair_cmp);
	for (size_t i = 0; i < np; i++)
		ps[i].npairs = 0;
	for (size_t i = 0; i < nq; i++) {
		struct rpass *p = &ps[qs[i].passage];
		if (!p->npairs++)
			p->first_pair = i;
	}
	return KC_OK;
nomem:
	free(spots);
	return KC_ENOMEM;
}

/* FNV-1a 64 of title + "\n" + text, in hex: a plain, documented hash a
 * verifier can recompute to prove an own passage arrived intact. */
static void fnv1a_hex(const char *title, size_t tl, const char *text,
                      size_t xl, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *parts[3] = { (const unsigned char *)title,
	                                  (const unsigned char *)"\n",
	                                  (const unsigned char *)text };
	size_t lens[3] = { tl, 1, xl };

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < lens[k]; i++) {
			h ^= parts[k][i];
			h *= 0x100000001b3ULL;
		}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static json_t *provenance(const kc_renderer *r, const struct rpass *ps,
                          size_t np, const struct rpair *qs, size_t nq,
                          size_t ctx_at)
{
	json_t *own = json_array(), *chain = json_array(), *o;
	size_t t0 = token_at(&r->toks, ctx_at);
	size_t t1 = token_at(&r->toks, ctx_at + r->ctx.len);
	double span = t1 > t0 ? (double)(t1 - t0) : 1;

	for (size_t i = 0; i < np; i++) {
		size_t t;
		if (!ps[i].keep || ps[i].doc < 0)
			continue;
		char fnv[17];
		t = token_at(&r->toks, ctx_at + ps[i].start);
		fnv1a_hex(ps[i].title, ps[i].tl, ps[i].text, ps[i].xl, fnv);
		json_array_append_new(own, json_pack(
		        "{s:I,s:I,s:I,s:f,s:s%,s:s}", "doc", (json_int_t)ps[i].doc,
		        "passage", (json_int_t)ps[i].number, "token",
		        (json_int_t)t, "depth", (double)(t - t0) / span,
		        "title", ps[i].title, ps[i].tl, "fnv1a64", fnv));
	}
	for (size_t i = 0; i < nq; i++) {
		size_t t;
		if (!qs[i].real)
			continue;
		t = token_at(&r->toks, ctx_at + qs[i].byte);
		json_array_append_new(chain, json_pack(
		        "{s:I,s:s%,s:I,s:I,s:f}", "hop", (json_int_t)qs[i].hop,
		        "key", qs[i].key, qs[i].klen, "passage",
		        (json_int_t)ps[qs[i].passage].number, "token",
		        (json_int_t)t, "depth", (double)(t - t0) / span));
	}
	o = json_pack("{s:o,s:o}", "own", own, "chain", chain);
	return o;
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

static json_t *user_message(const kc_buf *prompt)
{
	return json_pack("[{s:s,s:s%}]", "role", "user", "content",
	                 prompt->data, prompt->len);
}

/*
 * Write the rendered record in the asked format.  chat and text add to
 * the record; verl, swift and keychain make the trainer's own record.
 * Takes the reference to `render`.
 */
static kc_status emit(kc_renderer *r, json_t *rec, const struct kc_plan *plan,
                      json_t *render, json_t **out, struct kc_error *err)
{
	json_t *res = NULL, *answers = json_object_get(rec, "answers");
	json_t *chain = json_object_get(rec, "chain");
	const char *source = json_string_value(json_object_get(rec, "source"));
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *question = json_string_value(json_object_get(rec, "question"));
	json_int_t tokens = json_integer_value(json_object_get(render, "tokens"));

	switch (r->o.format) {
	case KC_FMT_CHAT:
	case KC_FMT_TEXT:
		if (r->o.format == KC_FMT_CHAT)
			json_object_set_new(rec, "messages", user_message(&r->prompt));
		else
			json_object_set_new(rec, "prompt",
			                    json_stringn(r->prompt.data, r->prompt.len));
		json_object_set_new(rec, "render", render);
		res = json_incref(rec);
		break;
	case KC_FMT_VERL: {
		char ds[256];
		if (r->o.data_source)
			snprintf(ds, sizeof ds, "%s", r->o.data_source);
		else
			snprintf(ds, sizeof ds, "custom_longcontext_needle_qa_%s",
			         source ? source : "kc");
		json_object_set_new(render, "id", json_string(id));
		if (source)
			json_object_set_new(render, "source", json_string(source));
		if (chain) {
			json_object_set(render, "head", json_object_get(chain, "head"));
			json_object_set(render, "real", json_object_get(chain, "real"));
		}
		res = json_pack("{s:s,s:o,s:s,s:{s:s,s:O},s:{s:s,s:s,s:s,s:o}}",
		                "data_source", ds,
		                "prompt", user_message(&r->prompt),
		                "ability", "longcontext_qa",
		                "reward_model", "style", "rule", "ground_truth",
		                answers,
		                "extra_info", "split", r->o.split, "index", id,
		                "input_question", question, "kc", render);
		break;
	}
	case KC_FMT_SWIFT: {
		json_t *resp = json_object_get(rec, "responses");
		json_t *row = json_pack("{s:o,s:O,s:O,s:s,s:s?,s:I,s:o}",
		                        "messages", user_message(&r->prompt),
		                        "answers", answers,
		                        "solution", json_array_get(answers, 0) ?
		                        json_array_get(answers, 0) : json_null(),
		                        "id", id, "source", source,
		                        "length", tokens, "kc", render);
		size_t i;
		json_t *v;
		if (!json_is_array(resp) || !row) {
			res = row;
			break;
		}
		/* SFT rows: one per response, the response as the assistant's
		 * turn (as KeyChain's convert_to_swift writes them). */
		res = json_array();
		json_array_foreach(resp, i, v) {
			json_t *copy = json_deep_copy(row);
			if (!json_is_string(v))
				continue;
			json_array_append_new(json_object_get(copy, "messages"),
			                      json_pack("{s:s,s:O}", "role",
			                                "assistant", "content", v));
			json_array_append_new(res, copy);
		}
		json_decref(row);
		break;
	}
	case KC_FMT_KEYCHAIN:
		res = json_pack("{s:s,s:s,s:s%,s:O,s:I,s:O,s:s%,s:s,s:o}",
		                "index", id, "input", question,
		                "context", r->bare.data ? r->bare.data : "",
		                r->bare.len, "answers", answers,
		                "length", tokens + plan->generate,
		                "distract_questions",
		                chain && json_object_get(chain, "distractors") ?
		                json_object_get(chain, "distractors") : json_null(),
		                "distractor_context",
		                r->ctx.data ? r->ctx.data : "", r->ctx.len,
		                "chain_head_with_question",
		                chain ? json_string_value(json_object_get(chain,
		                                                          "head"))
		                      : "",
		                "kc", render);
		break;
	}
	if (!res)
		return kc_error_set(err, KC_ENOMEM, "cannot build the %s record",
		                    "output");
	*out = res;
	return KC_OK;
}

kc_status kc_render(kc_renderer *r, json_t *rec, json_t **out,
                    struct kc_error *err)
{
	struct kc_plan plan;
	const struct kc_preset_def *preset = NULL;
	struct kc_template preset_t, *t;
	struct rpass *ps = NULL;
	struct rpair *qs = NULL;
	size_t np = 0, nq = 0, overhead, ctx_at = 0, dropped = 0, *order = NULL;
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
	if ((st = kc_get_string(rec, "id", &id, &idlen, err)) ||
	    (st = kc_get_string(rec, "question", &question, &qlen, err)) ||
	    (st = kc_get_array(rec, "answers", &answers, err)) ||
	    (st = plan_of(rec, &plan, &has_plan, err)))
		return st;
	if (json_array_size(answers) &&
	    json_is_string(json_array_get(answers, 0))) {
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

	if (own_ctx) {
		st = build_own_context(r, rec, err);
		if (st)
			goto out;
	} else if ((st = load(rec, &ps, &np, &qs, &nq, err))) {
		goto out;
	}
	values[KC_SLOT_QUESTION] = (kc_span){ question, qlen };
	values[KC_SLOT_HEAD] = (kc_span){ head, headlen };
	values[KC_SLOT_ANSWER] = (kc_span){ answer, answerlen };
	kc_rng_seed(&rng, r->o.seed_set ? r->o.seed : plan.seed, id, idlen,
	            "render");

	for (int round = 0;; round++) {
		size_t n, over, removed = 0;

		if (!own_ctx && (st = build_context(r, ps, np, qs, 0))) {
			st = kc_error_set(err, st, "out of memory");
			goto out;
		}
		values[KC_SLOT_CONTEXT] = (kc_span){ r->ctx.data ? r->ctx.data : "",
		                                     r->ctx.len };
		r->prompt.len = 0;
		if ((st = kc_template_expand(t, values, &r->prompt, &ctx_at))) {
			st = kc_error_set(err, st, "out of memory");
			goto out;
		}
		if ((st = kc_tokenizer_encode(r->tok, r->prompt.data,
		                              r->prompt.len, &r->toks, 1, err)))
			goto out;
		n = r->toks.n + overhead;
		if (limit < 0 || n <= (size_t)limit)
			break;
		over = n - (size_t)limit;
		if (own_ctx || round == 64) {
			st = kc_error_set(err, KC_EBUDGET, "the prompt has %zu tokens, "
			                  "over the budget of %ld", n, limit);
			goto out;
		}
		if (!order) {
			/* The order in which fillers go, drawn once. */
			order = malloc((np + 1) * sizeof *order);
			if (!order) {
				st = kc_error_set(err, KC_ENOMEM, "out of memory");
				goto out;
			}
			for (size_t i = 0; i < np; i++)
				order[i] = i;
			kc_rng_shuffle(&rng, order, np, sizeof *order);
		}
		/* Drop fillers until the excess is covered: the smallest one
		 * that covers what is left, or else the largest and look
		 * again, so that little more than the excess goes.  Fillers
		 * that carry no pair go first; a filler with pairs goes only
		 * when none is left, its pairs moved to other sentence ends.
		 * Ties go by the drawn order. */
		while (removed < over) {
			struct rpass *best = NULL;
			size_t best_n = 0, best_k = 0, left = over - removed;
			for (int with_pairs = 0; with_pairs < 2 && !best;
			     with_pairs++)
				for (size_t k = 0; k < np; k++) {
					struct rpass *p = &ps[order[k]];
					size_t m;
					if (!p->keep || p->doc >= 0 ||
					    (p->npairs != 0) != with_pairs)
						continue;
					m = token_at(&r->toks, ctx_at + p->end) -
					    token_at(&r->toks, ctx_at + p->start) + 1;
					if (!best || (m >= left ?
					              best_n < left || m < best_n :
					              best_n < left && m > best_n)) {
						best = p;
						best_n = m;
						best_k = order[k];
					}
				}
			if (!best)
				break;
			if (best->npairs) {
				st = rehome(ps, np, qs, nq, best_k, &rng);
				if (st == KC_ENOMEM) {
					st = kc_error_set(err, st, "out of memory");
					goto out;
				}
				if (st)
					break;
			}
			best->keep = 0;
			dropped++;
			removed += best_n;
		}
		if (!removed) {
			st = kc_error_set(err, KC_EBUDGET, "the prompt has %zu tokens, "
			                  "over the budget of %ld, and no filler "
			                  "passage can go", n, limit);
			goto out;
		}
	}

	/* What the record says about the rendering. */
	render = json_pack("{s:I,s:I,s:s,s:s,s:s,s:I,s:I}",
	                   "tokens", (json_int_t)(r->toks.n + overhead),
	                   "budget", (json_int_t)limit,
	                   "preset", preset ? preset->name : "custom",
	                   "tokenizer", kc_tokenizer_name(r->tok),
	                   "chat", chat_name,
	                   "chat_tokens", (json_int_t)overhead,
	                   "dropped", (json_int_t)dropped);
	if (!own_ctx && render) {
		size_t kept = 0;
		for (size_t i = 0; i < np; i++)
			kept += ps[i].keep != 0;
		json_t *prov = provenance(r, ps, np, qs, nq, ctx_at);
		json_object_set_new(render, "passages", json_integer((json_int_t)kept));
		json_object_update(render, prov);
		json_decref(prov);
	}
	if (!render) {
		st = kc_error_set(err, KC_ENOMEM, "out of memory");
		goto out;
	}
	if (r->o.format == KC_FMT_KEYCHAIN &&
	    (st = build_context(r, ps, np, qs, 1))) {
		st = kc_error_set(err, st, "out of memory");
		goto out;
	}
	st = emit(r, rec, &plan, render, &res, err);
	render = NULL;
	if (st)
		goto out;
	*out = res;
out:
	json_decref(render);
	if (preset)
		kc_template_release(&preset_t);
	free(ps);
	free(qs);
	free(order);
	return st;
}
