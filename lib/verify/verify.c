/*
 * verify.c - kc-verify's record level: find the prompt in a record of
 * any output format, find the context in the prompt, count the tokens.
 *
 * The formats kc-render writes keep the facts in different places:
 *
 *   format    prompt                 render         id, question, head
 *   chat      messages[0].content    render         id, question,
 *   text      prompt                 render           chain.head
 *   verl      prompt[0].content      extra_info.kc  index, input_question,
 *                                                     kc.head
 *   swift     messages[0].content    kc             id, (kc.question),
 *                                                     (kc.head)
 *   keychain  keychain-rl around     kc             index, input,
 *             distractor_context                      chain_head_with_question
 *
 * A record of kc-chain not yet rendered has no prompt: its context is
 * built here from "passages" and "chain" by the reference's rule (" " +
 * pair + "." after a sentence end, pair + "." right after a newline),
 * written afresh, not with kc-render's code.
 *
 * The context is found by matching the prompt against its preset (named
 * in render.preset) with the values the record knows filled in and the
 * unknown ones captured; the text checks are in verify/text.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kc.h"
#include "core/private.h"
#include "pipe/private.h"
#include "verify/private.h"

#define NCACHE 8

struct kc_verifier {
	struct kc_verify_opts o;
	kc_tokenizer *fixed;               /* from opts.tokenizer */
	struct {
		char *name;
		kc_tokenizer *tok;
	} cache[NCACHE];
	size_t ncache;
	kc_buf prompt, bare, lits;
};

static const char *const reason_names[KC_VERIFY_REASONS] = {
	"record", "template", "pair", "key", "chain", "placement",
	"numbering", "own", "context", "tokens", "fill",
};

const char *kc_verify_reason_name(enum kc_verify_reason r)
{
	return (unsigned)r < KC_VERIFY_REASONS ? reason_names[r] : NULL;
}

void kc_verify_result_init(struct kc_verify_result *res)
{
	memset(res, 0, sizeof *res);
	res->format = "";
	res->tokens = -1;
	res->budget = -1;
	res->question_checked = 1;
}

void kc_verify_problem(struct kc_verify_result *res, struct kc_error *err,
                       enum kc_verify_reason reason, const char *fmt, ...)
{
	va_list ap;

	res->reasons |= 1u << reason;
	if (res->problems++ == 0 && err) {
		va_start(ap, fmt);
		vsnprintf(err->text, sizeof err->text, fmt, ap);
		va_end(ap);
		err->status = KC_EVERIFY;
	}
}

void kc_verify_opts_init(struct kc_verify_opts *o)
{
	memset(o, 0, sizeof *o);
}

kc_status kc_verifier_new(kc_verifier **out, const struct kc_verify_opts *opts,
                          struct kc_error *err)
{
	kc_verifier *v = calloc(1, sizeof *v);
	kc_status st;

	*out = NULL;
	if (!v)
		return kc_error_nomem(err);
	v->o = *opts;
	kc_buf_init(&v->prompt, 0);
	kc_buf_init(&v->bare, 0);
	kc_buf_init(&v->lits, 1 << 20);
	if (opts->tokenizer &&
	    (st = kc_tokenizer_open(&v->fixed, opts->tokenizer, err))) {
		kc_verifier_free(v);
		return st;
	}
	*out = v;
	return KC_OK;
}

void kc_verifier_free(kc_verifier *v)
{
	if (!v)
		return;
	kc_tokenizer_free(v->fixed);
	for (size_t i = 0; i < v->ncache; i++) {
		free(v->cache[i].name);
		kc_tokenizer_free(v->cache[i].tok);
	}
	kc_buf_release(&v->prompt);
	kc_buf_release(&v->bare);
	kc_buf_release(&v->lits);
	free(v);
}

/* The tokenizer a record was counted with: --tokenizer, else the one
 * its render names, opened once per name. */
static kc_status tokenizer_for(kc_verifier *v, const char *name,
                               kc_tokenizer **tok, struct kc_error *err)
{
	struct kc_error e;
	kc_status st;

	if (v->fixed) {
		*tok = v->fixed;
		return KC_OK;
	}
	if (!name)
		name = "";
	for (size_t i = 0; i < v->ncache; i++)
		if (!strcmp(v->cache[i].name, name)) {
			*tok = v->cache[i].tok;
			return KC_OK;
		}
	if (v->ncache == NCACHE) {   /* many names: forget the oldest */
		free(v->cache[0].name);
		kc_tokenizer_free(v->cache[0].tok);
		memmove(v->cache, v->cache + 1, (NCACHE - 1) * sizeof *v->cache);
		v->ncache--;
	}
	kc_error_clear(&e);
	if ((st = kc_tokenizer_open(tok, *name ? name : NULL, &e)))
		return kc_error_set(err, st, "the tokenizer \"%s\" the record "
		                    "names: %s (give one with --tokenizer)", name,
		                    e.text);
	if (!(v->cache[v->ncache].name = strdup(name))) {
		kc_tokenizer_free(*tok);
		return kc_error_nomem(err);
	}
	v->cache[v->ncache++].tok = *tok;
	return KC_OK;
}

/* ---- templates ---- */

enum slot { S_CONTEXT, S_QUESTION, S_HEAD, S_ANSWER, S_LITERAL };

struct seg {
	enum slot slot;
	size_t off, len;        /* a literal: its bytes in v->lits */
};

#define MAXSEG 64

/* Split a template ({context}, {question} or {input}, {chain_head},
 * {answer}; {{ and }} for braces) into literal and slot segments. */
static int template_split(kc_verifier *v, const char *t, struct seg *segs,
                          size_t *nsegs)
{
	static const struct { const char *name; enum slot slot; } names[] = {
		{ "context", S_CONTEXT }, { "question", S_QUESTION },
		{ "input", S_QUESTION }, { "chain_head", S_HEAD },
		{ "answer", S_ANSWER },
	};
	size_t n = 0, lit = 0;

	v->lits.len = 0;
	for (const char *p = t;; p++) {
		const char *end;
		size_t k;

		if (*p && !(*p == '{' && p[1] != '{')) {
			if ((*p == '{' || *p == '}') && p[1] == *p)
				p++;
			else if (*p == '}')
				return 0;
			if (kc_buf_append(&v->lits, p, 1))
				return 0;
			continue;
		}
		if (v->lits.len > lit) {
			if (n == MAXSEG)
				return 0;
			segs[n++] = (struct seg){ S_LITERAL, lit, v->lits.len - lit };
			lit = v->lits.len;
		}
		if (!*p)
			break;
		if (!(end = strchr(p, '}')))
			return 0;
		for (k = 0; k < sizeof names / sizeof *names; k++)
			if (strlen(names[k].name) == (size_t)(end - p - 1) &&
			    !strncmp(names[k].name, p + 1, (size_t)(end - p - 1)))
				break;
		if (k == sizeof names / sizeof *names || n == MAXSEG)
			return 0;
		segs[n++] = (struct seg){ names[k].slot, 0, 0 };
		p = end;
	}
	*nsegs = n;
	return 1;
}

struct match {
	const char *p;
	size_t len;
	const char *lits;
	const struct seg *segs;
	size_t n;
	const char *val[S_LITERAL];
	size_t vlen[S_LITERAL];
	int known[S_LITERAL];
	size_t ctx0, ctx1;
	size_t head_at[MAXSEG];
	size_t nhead;
	long steps;
};

/* The bytes segment k stands for when they are known. */
static int seg_bytes(const struct match *m, size_t k, const char **s,
                     size_t *n)
{
	const struct seg *g = &m->segs[k];

	if (g->slot == S_LITERAL) {
		*s = m->lits + g->off;
		*n = g->len;
		return 1;
	}
	if (!m->known[g->slot])
		return 0;
	*s = m->val[g->slot];
	*n = m->vlen[g->slot];
	return 1;
}

/*
 * Does p[pos..] match segments k..n?  Known segments must be there byte
 * for byte; an unknown slot captures up to an occurrence of the next
 * segment's bytes: the last one first for the context (it is long and
 * what follows it is the end of the prompt), the first one first for the
 * rest.
 */
static int match_from(struct match *m, size_t k, size_t pos)
{
	const struct seg *g;
	const char *s, *a;
	size_t n, an;

	if (--m->steps < 0)
		return 0;
	if (k == m->n)
		return pos == m->len;
	g = &m->segs[k];
	if (seg_bytes(m, k, &s, &n)) {
		int ok;
		if (m->len - pos < n || memcmp(m->p + pos, s, n))
			return 0;
		if (g->slot == S_HEAD)
			m->head_at[m->nhead++] = pos;
		if (g->slot == S_CONTEXT) {
			m->ctx0 = pos;
			m->ctx1 = pos + n;
		}
		ok = match_from(m, k + 1, pos + n);
		if (!ok && g->slot == S_HEAD)
			m->nhead--;
		return ok;
	}
	/* An unknown slot: capture. */
	m->known[g->slot] = 1;
	m->val[g->slot] = m->p + pos;
	if (k + 1 == m->n) {
		m->vlen[g->slot] = m->len - pos;
		if (match_from(m, k, pos))
			return 1;
	} else if (seg_bytes(m, k + 1, &a, &an) && an > 0) {
		size_t left = m->len - pos;
		if (g->slot == S_CONTEXT) {
			const char *base = m->p + pos, *f;
			size_t e = left >= an ? left - an + 1 : 0;
			/* Backwards, by the anchor's first byte. */
			while (e > 0 && (f = memrchr(base, a[0], e))) {
				e = (size_t)(f - base);
				if (!memcmp(f, a, an)) {
					m->vlen[g->slot] = e;
					if (match_from(m, k, pos))
						return 1;
					if (m->steps < 0)
						break;
				}
			}
		} else {
			const char *f = m->p + pos;
			while (f && (size_t)(f - m->p) + an <= m->len) {
				f = memmem(f, (size_t)(m->p + m->len - f), a, an);
				if (!f)
					break;
				m->vlen[g->slot] = (size_t)(f - (m->p + pos));
				if (match_from(m, k, pos))
					return 1;
				if (m->steps < 0)
					break;
				f++;
			}
		}
	}
	m->known[g->slot] = 0;
	return 0;
}

/* ---- the fields of each format ---- */

struct view {
	const char *format;
	const char *prompt;          /* the prompt, or NULL: built */
	size_t plen;
	const json_t *render;
	const char *question, *head, *answer, *ctx, *bare;
	size_t qlen, hlen, alen, ctxlen, barelen;
	int tree;
	long decoys;
	const char *uuid;
	const json_t *real, *distractors, *own, *docs, *placed, *chain;
};

static const char *str(const json_t *o, const char *key, size_t *len)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	if (len)
		*len = json_string_length(v);
	return json_string_value(v);
}

/* The content of the first user message of a messages array. */
static const char *user_content(const json_t *msgs, size_t *len)
{
	size_t i;
	json_t *m;

	json_array_foreach(msgs, i, m) {
		const char *role = str(m, "role", NULL);
		if (role && !strcmp(role, "user"))
			return str(m, "content", len);
	}
	return NULL;
}

static const char *first_string(const json_t *arr, size_t *len)
{
	const json_t *v = json_array_get(arr, 0);

	if (!json_is_string(v))
		return NULL;
	*len = json_string_length(v);
	return json_string_value(v);
}

/* What the record's chain object (chat, text, chained) says. */
static void from_chain(struct view *w, const json_t *rec, const json_t *chain)
{
	const json_t *tree = json_object_get(chain, "tree");

	w->chain = chain;
	w->head = str(chain, "head", &w->hlen);
	w->uuid = str(chain, "uuid", NULL);
	w->tree = json_is_boolean(tree) ? json_is_true(tree) : -1;
	w->decoys = json_integer_value(json_object_get(chain, "decoys"));
	w->real = json_object_get(chain, "real");
	w->distractors = json_object_get(rec, "distractors");
}

/* What a render object of verl, swift, keychain says of the chain. */
static void from_render(struct view *w)
{
	const json_t *tree = json_object_get(w->render, "tree");

	if (!w->head)
		w->head = str(w->render, "head", &w->hlen);
	if (!w->question)
		w->question = str(w->render, "question", &w->qlen);
	if (!w->uuid)
		w->uuid = str(w->render, "uuid", NULL);
	if (w->tree < 0 && json_is_boolean(tree))
		w->tree = json_is_true(tree);
	if (!w->decoys)
		w->decoys = json_integer_value(json_object_get(w->render,
		                                               "decoys"));
	if (!w->real)
		w->real = json_object_get(w->render, "real");
}

static int view_of(const json_t *rec, struct view *w, char *id, size_t idsize)
{
	const json_t *v, *x;
	const char *s;

	memset(w, 0, sizeof *w);
	w->tree = -1;
	s = str(rec, "id", NULL);
	if (str(rec, "distractor_context", NULL) &&
	    json_is_object(json_object_get(rec, "kc"))) {
		w->format = "keychain";
		w->render = json_object_get(rec, "kc");
		w->ctx = str(rec, "distractor_context", &w->ctxlen);
		w->bare = str(rec, "context", &w->barelen);
		w->head = str(rec, "chain_head_with_question", &w->hlen);
		if (w->head && !w->hlen)
			w->head = NULL;
		w->question = str(rec, "input", &w->qlen);
		w->answer = first_string(json_object_get(rec, "answers"), &w->alen);
		w->distractors = json_object_get(rec, "distract_questions");
		s = str(rec, "index", NULL);
		from_render(w);
	} else if (json_is_object(x = json_object_get(rec, "extra_info")) &&
	           json_is_array(v = json_object_get(rec, "prompt"))) {
		w->format = "verl";
		w->prompt = user_content(v, &w->plen);
		w->render = json_object_get(x, "kc");
		w->question = str(x, "input_question", &w->qlen);
		w->answer = first_string(json_object_get(json_object_get(rec,
		                         "reward_model"), "ground_truth"), &w->alen);
		s = str(x, "index", NULL);
		if (!s)
			s = str(w->render, "id", NULL);
		from_render(w);
	} else if (json_is_object(json_object_get(rec, "render")) &&
	           (json_is_array(v = json_object_get(rec, "messages")) ||
	            json_is_string(json_object_get(rec, "prompt")))) {
		w->render = json_object_get(rec, "render");
		if (json_is_array(v)) {
			w->format = "chat";
			w->prompt = user_content(v, &w->plen);
		} else {
			w->format = "text";
			w->prompt = str(rec, "prompt", &w->plen);
		}
		w->question = str(rec, "question", &w->qlen);
		w->answer = first_string(json_object_get(rec, "answers"), &w->alen);
		w->docs = json_object_get(rec, "docs");
		w->placed = json_object_get(rec, "passages");
		if (json_is_object(x = json_object_get(rec, "chain")))
			from_chain(w, rec, x);
	} else if (json_is_array(v = json_object_get(rec, "messages")) &&
	           json_is_object(json_object_get(rec, "kc"))) {
		w->format = "swift";
		w->prompt = user_content(v, &w->plen);
		w->render = json_object_get(rec, "kc");
		w->answer = first_string(json_object_get(rec, "answers"), &w->alen);
		from_render(w);
	} else if (json_is_object(x = json_object_get(rec, "chain")) &&
	           json_is_array(json_object_get(rec, "passages"))) {
		w->format = "chained";
		w->question = str(rec, "question", &w->qlen);
		w->docs = json_object_get(rec, "docs");
		w->placed = json_object_get(rec, "passages");
		from_chain(w, rec, x);
	}
	snprintf(id, idsize, "%s", s ? s : "");
	if (!json_is_array(w->docs))
		w->docs = NULL;
	if (!json_is_array(w->placed))
		w->placed = NULL;
	if (w->render)
		w->own = json_object_get(w->render, "own");
	return w->format != NULL;
}

/* ---- building contexts the record only describes ---- */

static int passage_of(const json_t *rec, const json_t *p, const char **title,
                      size_t *title_len, const char **text, size_t *text_len)
{
	const json_t *d = json_object_get(p, "doc");

	if (json_is_integer(d))
		p = json_array_get(json_object_get(rec, "docs"),
		                   (size_t)json_integer_value(d));
	*title = str(p, "title", title_len);
	*text = str(p, "text", text_len);
	return *title && *text;
}

struct ipair {
	size_t index, passage, at;
	const char *key, *value;
	size_t klen, vlen;
};

static int ipair_cmp(const void *a, const void *b)
{
	const struct ipair *x = a, *y = b;

	if (x->passage != y->passage)
		return x->passage < y->passage ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The context of a chained record, into v->prompt: "Passage i:\n" title
 * "\n" text blocks joined by "\n\n", each pair inserted at its offset as
 * the reference does, judged by the byte written just before it: pair +
 * "." after a newline, else " " + pair + ".".
 */
static kc_status build_chained(kc_verifier *v, const json_t *rec,
                               struct view *w, struct kc_verify_result *res,
                               struct kc_error *err)
{
	const json_t *passages = json_object_get(rec, "passages");
	struct kc_pairs pairs;
	long count = kc_pairs_open(&pairs, json_object_get(w->chain, "pairs"));
	size_t np = json_array_size(passages), nq = count > 0 ? (size_t)count : 0;
	size_t k = 0;
	struct ipair *ip = calloc(nq + 1, sizeof *ip);
	kc_buf *b = &v->prompt;
	kc_status st = KC_OK;

	if (!ip)
		return kc_error_nomem(err);
	for (size_t i = 0; i < nq; i++) {
		struct kc_pair_ref q;
		const char *t, *x;
		size_t title_len = 0, text_len = 0;
		if (!kc_pair_read(&pairs, i, &q) || q.passage < 0 ||
		    (size_t)q.passage >= np ||
		    !passage_of(rec, json_array_get(passages, (size_t)q.passage),
		                &t, &title_len, &x, &text_len) ||
		    q.at < 0 || (size_t)q.at > text_len) {
			kc_verify_problem(res, err, KC_VERIFY_RECORD, "chain.pairs[%zu] "
			                  "is not a pair of this record's passages", i);
			free(ip);
			return KC_OK;
		}
		ip[i] = (struct ipair){ i, (size_t)q.passage, (size_t)q.at,
		                        q.key, q.value, q.klen, q.vlen };
	}
	qsort(ip, nq, sizeof *ip, ipair_cmp);
	b->len = 0;
	for (size_t p = 0; p < np && !st; p++) {
		const char *t, *x;
		size_t title_len = 0, text_len = 0, pos = 0;
		if (!passage_of(rec, json_array_get(passages, p), &t, &title_len,
		                &x, &text_len)) {
			kc_verify_problem(res, err, KC_VERIFY_RECORD, "passages[%zu] "
			                  "is neither {\"doc\": i} nor {\"title\", "
			                  "\"text\"}", p);
			free(ip);
			return KC_OK;
		}
		st = kc_buf_printf(b, "%sPassage %zu:\n", p ? "\n\n" : "", p + 1);
		if (!st)
			st = kc_buf_append(b, t, title_len);
		if (!st)
			st = kc_buf_append(b, "\n", 1);
		for (; k < nq && ip[k].passage == p && !st; k++) {
			const char *key = ip[k].key, *val = ip[k].value;
			size_t kl = ip[k].klen, vl = ip[k].vlen;
			st = kc_buf_append(b, x + pos, ip[k].at - pos);
			pos = ip[k].at;
			if (!st && b->data[b->len - 1] != '\n')
				st = kc_buf_append(b, " ", 1);
			if (!st)
				st = kc_buf_append(b, "{\"", 2);
			if (!st)
				st = kc_buf_append(b, key, kl);
			if (!st)
				st = kc_buf_append(b, "\": \"", 4);
			if (!st)
				st = kc_buf_append(b, val, vl);
			if (!st)
				st = kc_buf_append(b, "\"}.", 3);
		}
		if (!st)
			st = kc_buf_append(b, x + pos, text_len - pos);
	}
	if (!st)
		st = kc_buf_append(b, "", 0);
	free(ip);
	if (st)
		return kc_error_set(err, st, "out of memory");
	w->prompt = b->data;
	w->plen = b->len;
	return KC_OK;
}

/* The filter preset's context: the record's docs, title "\n" text, joined
 * by "\n", into v->bare. */
static kc_status own_context(kc_verifier *v, const json_t *docs)
{
	size_t i;
	json_t *d;

	v->bare.len = 0;
	json_array_foreach(docs, i, d) {
		size_t title_len = 0, text_len = 0;
		const char *t = str(d, "title", &title_len), *x = str(d, "text", &text_len);
		if (!t || !x)
			return KC_EFIELD;
		if ((i && kc_buf_append(&v->bare, "\n", 1)) ||
		    kc_buf_append(&v->bare, t, title_len) ||
		    kc_buf_append(&v->bare, "\n", 1) ||
		    kc_buf_append(&v->bare, x, text_len))
			return KC_ENOMEM;
	}
	return kc_buf_append(&v->bare, "", 0);
}

/* ---- tokens ---- */

static kc_status check_tokens(kc_verifier *v, const struct view *w,
                              struct kc_verify_result *res,
                              struct kc_error *err)
{
	const json_t *jt = json_object_get(w->render, "tokens");
	const json_t *jb = json_object_get(w->render, "budget");
	const json_t *jc = json_object_get(w->render, "chat_tokens");
	kc_tokenizer *tok;
	size_t n, chat = 0;
	long limit = -1;
	kc_status st;
	struct kc_error e;

	kc_error_clear(&e);
	if ((st = tokenizer_for(v, str(w->render, "tokenizer", NULL), &tok, &e)) ||
	    (st = kc_tokenizer_count(tok, w->prompt, w->plen, &n, &e))) {
		if (err)
			*err = e;
		return st;
	}
	if (json_is_integer(jc) && json_integer_value(jc) >= 0) {
		chat = (size_t)json_integer_value(jc);
	} else {
		size_t before, after;
		st = kc_tokenizer_chat_overhead(tok, &before, &after, &e);
		if (st == KC_OK)
			chat = before + after;
		else if (st != KC_EUNSUPPORTED) {
			if (err)
				*err = e;
			return st;
		}
	}
	res->tokens = (long)(n + chat);
	if (!json_is_integer(jt))
		kc_verify_problem(res, err, KC_VERIFY_RECORD, "the render has no "
		                  "\"tokens\"");
	else if (json_integer_value(jt) != res->tokens)
		kc_verify_problem(res, err, KC_VERIFY_TOKENS, "the prompt has %ld "
		                  "tokens (%zu and %zu of the chat template), the "
		                  "render says %lld", res->tokens, n, chat,
		                  (long long)json_integer_value(jt));
	if (v->o.max_tokens > 0)
		limit = v->o.max_tokens;
	else if (json_is_integer(jb) && json_integer_value(jb) > 0)
		limit = (long)json_integer_value(jb);
	res->budget = limit;
	if (limit > 0 && res->tokens > limit)
		kc_verify_problem(res, err, KC_VERIFY_TOKENS, "the prompt has %ld "
		                  "tokens, over the budget of %ld", res->tokens,
		                  limit);
	if (limit > 0 && v->o.min_fill > 0 &&
	    (double)res->tokens < v->o.min_fill * (double)limit)
		kc_verify_problem(res, err, KC_VERIFY_FILL, "the prompt has %ld "
		                  "tokens, %.1f%% of the budget of %ld, under "
		                  "--min-fill %g", res->tokens,
		                  100.0 * (double)res->tokens / (double)limit, limit,
		                  v->o.min_fill);
	return KC_OK;
}

/* ---- one record ---- */

/*
 * One record's check, as a sequence of steps over this state: find the
 * record's fields (view_of), get its prompt (built for a chained
 * record), choose its template, find the context in the prompt, check
 * the text, count the tokens.  A step returns KC_EVERIFY to stop on a
 * record that cannot be checked further (the problem is in res).
 */
struct verifyrec {
	kc_verifier *v;
	const json_t *rec;
	struct kc_verify_result *res;
	struct kc_error *err;
	struct view w;
	struct kc_verify_text in;
	struct seg segs[MAXSEG];
	size_t nsegs;
	const char *preset;       /* the template's name, for messages */
	const char *tpl;          /* NULL: no template to match */
	struct match m;
};

/* The tokens are still worth checking; then the record fails. */
static kc_status fail_after_tokens(struct verifyrec *s)
{
	kc_status st = check_tokens(s->v, &s->w, s->res, s->err);

	return st ? st : KC_EVERIFY;
}

static kc_status read_view(struct verifyrec *s)
{
	struct kc_pairs pairs;

	if (!json_is_object(s->rec) ||
	    !view_of(s->rec, &s->w, s->res->id, sizeof s->res->id)) {
		kc_verify_problem(s->res, s->err, KC_VERIFY_RECORD, "not a "
		                  "rendered or chained record (no \"messages\", "
		                  "\"prompt\", \"distractor_context\" or \"chain\")");
		return KC_EVERIFY;
	}
	s->res->format = s->w.format;
	s->in.npassages = -1;
	s->in.npairs = -1;
	if (s->w.chain)
		s->in.npairs = kc_pairs_open(&pairs, json_object_get(s->w.chain,
		                                                     "pairs"));
	return KC_OK;
}

/* A chained record's context, built by the reference's rule. */
static kc_status chained_prompt(struct verifyrec *s)
{
	kc_status st;

	if ((st = build_chained(s->v, s->rec, &s->w, s->res, s->err)))
		return st;
	if (s->res->problems)
		return KC_EVERIFY;
	s->in.ctx_start = 0;
	s->in.ctx_end = s->w.plen;
	s->in.numbered = 1;
	return KC_OK;
}

/* A rendered record has a render object and a prompt (keychain: the
 * context the prompt is made around). */
static kc_status check_fields(struct verifyrec *s)
{
	const char *problem = NULL;
	int keychain = !strcmp(s->w.format, "keychain");

	if (!json_is_object(s->w.render))
		problem = "no \"render\" object (kc in verl, swift and keychain "
		          "records)";
	else if (!keychain && !s->w.prompt)
		problem = "no prompt: no user message with a string \"content\"";
	else if (keychain && !s->w.ctx)
		problem = "no \"distractor_context\"";
	if (!problem)
		return KC_OK;
	kc_verify_problem(s->res, s->err, KC_VERIFY_RECORD, "%s", problem);
	return KC_EVERIFY;
}

/* The template the prompt was made from, split into segments; s->tpl
 * stays NULL (with a problem) when there is none. */
static kc_status choose_template(struct verifyrec *s)
{
	const char *preset = str(s->w.render, "preset", NULL), *tpl = NULL;

	if (!strcmp(s->w.format, "keychain")) {
		preset = "keychain-rl";   /* what LoongRL wraps around it */
		tpl = kc_preset(preset);
	} else if (s->v->o.template) {
		preset = "--template";
		tpl = s->v->o.template;
	} else if (!preset || !(tpl = kc_preset(preset))) {
		kc_verify_problem(s->res, s->err, KC_VERIFY_TEMPLATE, "the prompt "
		                  "was made from %s%s%s: give it with --template",
		                  preset ? "template \"" : "an unnamed template",
		                  preset ? preset : "", preset ? "\"" : "");
		tpl = NULL;
	}
	if (tpl && !template_split(s->v, tpl, s->segs, &s->nsegs)) {
		kc_verify_problem(s->res, s->err, KC_VERIFY_TEMPLATE, "the "
		                  "template of %s does not parse", preset);
		tpl = NULL;
	}
	s->preset = preset;
	s->tpl = tpl;
	return KC_OK;
}

/* The keychain record holds the context; its prompt is the preset
 * around it. */
static kc_status keychain_prompt(struct verifyrec *s)
{
	kc_verifier *v = s->v;
	struct view *w = &s->w;

	if (strcmp(w->format, "keychain"))
		return KC_OK;
	if (!s->tpl)
		return KC_EVERIFY;
	v->prompt.len = 0;
	for (size_t k = 0; k < s->nsegs; k++) {
		const char *p = NULL;
		size_t n = 0;
		switch (s->segs[k].slot) {
		case S_LITERAL:
			p = v->lits.data + s->segs[k].off;
			n = s->segs[k].len;
			break;
		case S_CONTEXT: p = w->ctx; n = w->ctxlen; break;
		case S_QUESTION: p = w->question; n = w->qlen; break;
		case S_HEAD: p = w->head; n = w->hlen; break;
		case S_ANSWER: p = w->answer; n = w->alen; break;
		}
		if (p && kc_buf_append(&v->prompt, p, n))
			return kc_error_nomem(s->err);
	}
	if (kc_buf_append(&v->prompt, "", 0))
		return kc_error_nomem(s->err);
	w->prompt = v->prompt.data;
	w->plen = v->prompt.len;
	return KC_OK;
}

static void know(struct match *m, enum slot slot, const char *val,
                 size_t len)
{
	m->known[slot] = 1;
	m->val[slot] = val;
	m->vlen[slot] = len;
}

/* Where the context is: match the template, the record's values in;
 * learn the values the template shows but the record did not say
 * (swift). */
static kc_status match_template(struct verifyrec *s)
{
	struct match *m = &s->m;
	struct view *w = &s->w;

	if (!s->tpl)
		return fail_after_tokens(s);
	memset(m, 0, sizeof *m);
	m->p = w->prompt;
	m->len = w->plen;
	m->lits = s->v->lits.data;
	m->segs = s->segs;
	m->n = s->nsegs;
	m->steps = 100000;
	if (w->question)
		know(m, S_QUESTION, w->question, w->qlen);
	if (w->head)
		know(m, S_HEAD, w->head, w->hlen);
	know(m, S_ANSWER, w->answer ? w->answer : "", w->alen);
	if (!match_from(m, 0, 0)) {
		kc_verify_problem(s->res, s->err, KC_VERIFY_TEMPLATE, "the prompt "
		                  "is not the %s%s filled in with the record's %s",
		                  s->preset, s->v->o.template &&
		                  strcmp(w->format, "keychain") ? "" : " preset",
		                  w->head ? "head and question" : "question");
		return fail_after_tokens(s);
	}
	if (!w->question && m->known[S_QUESTION]) {
		w->question = m->val[S_QUESTION];
		w->qlen = m->vlen[S_QUESTION];
	}
	if (!w->head && m->known[S_HEAD]) {
		w->head = m->val[S_HEAD];
		w->hlen = m->vlen[S_HEAD];
	}
	return KC_OK;
}

/* What the text checks get from a rendered record's match. */
static kc_status rendered_context(struct verifyrec *s)
{
	struct kc_verify_text *in = &s->in;
	struct view *w = &s->w;
	const json_t *np = json_object_get(w->render, "passages");
	kc_status st;

	in->ctx_start = s->m.ctx0;
	in->ctx_end = s->m.ctx1;
	in->head_at = s->m.head_at;
	in->nhead_at = s->m.nhead;
	/* The filter preset's context is the record's own docs, joined,
	 * without passages or pairs. */
	in->numbered = strcmp(s->preset, "filter") != 0;
	if (!in->numbered)
		w->head = NULL;
	if (json_is_integer(np))
		in->npassages = (long)json_integer_value(np);
	if (!in->numbered && w->docs) {
		if ((st = own_context(s->v, w->docs)) == KC_ENOMEM)
			return kc_error_nomem(s->err);
		if (!st) {
			in->bare = s->v->bare.data;
			in->bare_len = s->v->bare.len;
		}
	}
	if (w->bare) {
		in->bare = w->bare;
		in->bare_len = w->barelen;
	}
	in->own = json_is_array(w->own) ? w->own : NULL;
	in->docs = w->docs;
	in->placed = w->placed;
	return KC_OK;
}

static kc_status rendered_prompt(struct verifyrec *s)
{
	kc_status st;

	if ((st = check_fields(s)) || (st = choose_template(s)) ||
	    (st = keychain_prompt(s)) || (st = match_template(s)))
		return st;
	return rendered_context(s);
}

/* The text first: its problems say more than a token count that changed
 * with them. */
static kc_status check_text(struct verifyrec *s)
{
	struct kc_verify_text *in = &s->in;
	const struct view *w = &s->w;
	kc_status st;

	in->text = w->prompt;
	in->len = w->plen;
	in->head = w->head;
	in->head_len = w->hlen;
	in->question = w->question;
	in->question_len = w->qlen;
	in->tree = w->tree;
	in->decoys = w->decoys;
	in->uuid = w->uuid;
	in->real = json_is_array(w->real) ? w->real : NULL;
	in->distractors = json_is_array(w->distractors) ? w->distractors : NULL;
	s->res->question_checked = w->question != NULL || !w->head;
	if ((st = kc_verify_text(in, s->res, s->err)))
		return st;
	if (w->render && (st = check_tokens(s->v, w, s->res, s->err)))
		return st;
	return s->res->problems ? KC_EVERIFY : KC_OK;
}

kc_status kc_verify(kc_verifier *v, const json_t *rec,
                    struct kc_verify_result *res, struct kc_error *err)
{
	struct verifyrec s = { .v = v, .rec = rec, .res = res, .err = err };
	kc_status st;

	kc_verify_result_init(res);
	if ((st = read_view(&s)))
		return st;
	if ((st = strcmp(s.w.format, "chained") ? rendered_prompt(&s)
	                                        : chained_prompt(&s)))
		return st;
	return check_text(&s);
}
