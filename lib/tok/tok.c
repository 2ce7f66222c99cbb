/*
 * tok.c - the tokenizer interface of libkc: open a tokenizer by name, and
 * encode or count text with it exactly as the reference implementation
 * does.
 *
 * One encode runs the stages listed in tok/private.h: make the bytes
 * valid UTF-8, cut out the added tokens, normalize the rest (NFC when the
 * tokenizer says so), cut out added tokens that match normalized text,
 * split into pre-tokens, and turn each pre-token into ids through the
 * per-word cache or the BPE merges.  Counting runs the same stages and
 * only adds up lengths.
 */
#include <stdlib.h>

#include "core/private.h"
#include "tok/private.h"

enum tk_chat { CHAT_NONE, CHAT_CHATML, CHAT_QWEN25, CHAT_LLAMA3, CHAT_LLAMA31 };

static const struct {
	const char *name, *before, *after;
} chats[] = {
	[CHAT_CHATML] = { "chatml", "<|im_start|>user\n",
		"<|im_end|>\n<|im_start|>assistant\n" },
	[CHAT_QWEN25] = { "qwen2.5",
		"<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You "
		"are a helpful assistant.<|im_end|>\n<|im_start|>user\n",
		"<|im_end|>\n<|im_start|>assistant\n" },
	[CHAT_LLAMA3] = { "llama3",
		"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n",
		"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" },
	[CHAT_LLAMA31] = { "llama3.1",
		"<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
		"Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
		"<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n",
		"<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" },
};

/* ------------------------------------------------------------------ */
/* Opening. */

static int has_added(const kc_tokenizer *tok, const char *content)
{
	for (size_t i = 0; i < tok->n_added; i++)
		if (!strcmp(tok->added[i].content, content))
			return 1;
	return 0;
}

/* The default chat template: from tokenizer_config.json beside the
 * tokenizer.json, else from the added tokens. */
static int detect_chat(const kc_tokenizer *tok)
{
	const char *slash = strrchr(tok->path, '/');
	int chat = CHAT_NONE;

	if (slash && tok->kind == TK_KIND_BPE) {
		size_t dl = (size_t)(slash - tok->path);
		char *cfg = malloc(dl + sizeof "/tokenizer_config.json");
		json_t *j = NULL;
		const char *t;

		if (cfg) {
			memcpy(cfg, tok->path, dl);
			strcpy(cfg + dl, "/tokenizer_config.json");
			j = json_load_file(cfg, 0, NULL);
			free(cfg);
		}
		t = json_string_value(json_object_get(j, "chat_template"));
		if (t && strstr(t, "You are Qwen, created by Alibaba Cloud"))
			chat = CHAT_QWEN25;
		else if (t && strstr(t, "<|im_start|>"))
			chat = CHAT_CHATML;
		else if (t && strstr(t, "Cutting Knowledge Date"))
			chat = CHAT_LLAMA31;
		else if (t && strstr(t, "<|start_header_id|>"))
			chat = CHAT_LLAMA3;
		json_decref(j);
	}
	if (chat == CHAT_NONE && has_added(tok, "<|im_start|>") &&
	    has_added(tok, "<|im_end|>"))
		chat = CHAT_CHATML;
	if (chat == CHAT_NONE && has_added(tok, "<|start_header_id|>") &&
	    has_added(tok, "<|eot_id|>"))
		chat = CHAT_LLAMA3;
	return chat;
}

static kc_status build_idrefs(kc_tokenizer *tok)
{
	struct tk_idref *r = calloc((size_t)tok->max_id + 1, sizeof *r);

	if (!r)
		return KC_ENOMEM;
	/* strings as the file spells them first, then their bytes */
	for (size_t i = 0; i <= tok->vocab.mask && tok->vocab.ents; i++) {
		const struct tk_str *e = &tok->vocab.ents[i];

		if (e->hash)
			r[e->id] = (struct tk_idref){ tk_str_text(&tok->vocab, e), e->len };
	}
	for (size_t i = 0; i <= tok->bytes.mask && tok->bytes.ents; i++) {
		const struct tk_str *e = &tok->bytes.ents[i];

		if (e->hash)
			r[e->id] = (struct tk_idref){ tk_str_text(&tok->bytes, e), e->len };
	}
	for (size_t i = 0; i < tok->n_added; i++)
		r[tok->added[i].id] = (struct tk_idref){ tok->added[i].content,
		                                         (uint32_t)tok->added[i].len };
	tok->idrefs = r;
	return KC_OK;
}

kc_status kc_tokenizer_open(kc_tokenizer **out, const char *spec,
                            struct kc_error *err)
{
	kc_tokenizer *tok;
	char *path;
	int format = TK_FMT_HF;
	kc_status st;
	struct kc_error local;

	*out = NULL;
	if (!err)
		err = &local;   /* the loaders read err->status back */
	kc_error_clear(err);
	if ((st = kc_tok_find(spec, &path, &format, err)))
		return st;
	if (!(tok = calloc(1, sizeof *tok))) {
		free(path);
		return kc_error_nomem(err);
	}
	tok->path = path;
	if (!spec || !*spec) {
		spec = getenv("KC_TOKENIZER");
		if (!spec || !*spec)
			spec = "qwen";
	}
	tok->name = strdup(spec);
	kc_buf_init(&tok->clean, 0);
	kc_buf_init(&tok->norm, 0);
	kc_buf_init(&tok->norm2, 0);
	if (!tok->name) {
		kc_tokenizer_free(tok);
		return kc_error_nomem(err);
	}
	switch (format) {
	case TK_FMT_APPROX:
		tok->kind = TK_KIND_APPROX;
		tok->pretok = TK_PRE_CL100K;
		break;
	case TK_FMT_TIKTOKEN:
		st = kc_tok_load_tiktoken(tok, path, err);
		break;
	default:
		st = kc_tok_load_hf(tok, path, err);
		break;
	}
	if (!st && tok->kind == TK_KIND_BPE && (st = build_idrefs(tok)))
		kc_error_set(err, st, "out of memory");
	if (st) {
		if (err && !err->text[0])
			kc_error_set(err, st, "%s: %s", path, kc_strerror(st));
		kc_tokenizer_free(tok);
		return st;
	}
	tok->chat = detect_chat(tok);
	*out = tok;
	return KC_OK;
}

void kc_tokenizer_free(kc_tokenizer *tok)
{
	if (!tok)
		return;
	free(tok->name);
	free(tok->path);
	kc_tok_strtab_release(&tok->vocab);
	kc_tok_strtab_release(&tok->bytes);
	free(tok->idrefs);
	free(tok->pairs);
	for (size_t i = 0; i < tok->n_added; i++)
		free(tok->added[i].content);
	free(tok->added);
	kc_tok_trie_release(&tok->trie_raw);
	kc_tok_trie_release(&tok->trie_norm);
	kc_tok_cache_release(&tok->cache);
	kc_buf_release(&tok->clean);
	kc_buf_release(&tok->norm);
	kc_buf_release(&tok->norm2);
	free(tok->pieces);
	free(tok->pieces2);
	free(tok->wbuf);
	free(tok->bpe_scratch);
	kc_tok_memo_free(tok);
	free(tok);
}

const char *kc_tokenizer_name(const kc_tokenizer *tok)
{
	return tok->name;
}

int kc_tokenizer_exact(const kc_tokenizer *tok)
{
	return tok->kind != TK_KIND_APPROX;
}

const char *kc_tokenizer_token(const kc_tokenizer *tok, uint32_t id,
                               size_t *len)
{
	const struct tk_idref *r = tok->idrefs;

	if (!r || id > tok->max_id || !r[id].s)
		return NULL;
	*len = r[id].len;
	return r[id].s;
}

/* ------------------------------------------------------------------ */
/* Encoding. */

void kc_tokens_release(kc_tokens *t)
{
	if (!t)
		return;
	free(t->ids);
	free(t->offsets);
	t->ids = NULL;
	t->offsets = NULL;
	t->n = t->cap = 0;
}

/* Where the ids go. */
struct sink {
	kc_tokens *out;              /* NULL: count only */
	int offsets;
	size_t count;
	const struct tk_edits *clean;   /* sanitize's changes */
	const struct tk_edits *norm;    /* this piece's NFC changes */
	size_t base;                 /* the piece's start in the clean text */
};

static kc_status reserve_tokens(kc_tokens *t, size_t more, int offsets)
{
	size_t need = t->n + more, cap = t->cap;

	if (offsets && !t->offsets && t->cap) {
		if (!(t->offsets = malloc(t->cap * sizeof *t->offsets)))
			return KC_ENOMEM;
	}
	if (need <= t->cap)
		return KC_OK;
	cap = cap ? cap : 256;
	while (cap < need)
		cap *= 2;
	uint32_t *v = realloc(t->ids, cap * sizeof *v);
	if (!v)
		return KC_ENOMEM;
	t->ids = v;
	if (offsets || t->offsets) {
		v = realloc(t->offsets, cap * sizeof *v);
		if (!v)
			return KC_ENOMEM;
		t->offsets = v;
	}
	t->cap = cap;
	return KC_OK;
}

/* The caller's offset of position p of the current (normalized) piece. */
static uint32_t offset_of(const struct sink *k, size_t p)
{
	size_t q = k->base + (k->norm && k->norm->n ?
	                      kc_tok_edits_map(k->norm, p) : p);

	return (uint32_t)(k->clean && k->clean->n ?
	                  kc_tok_edits_map(k->clean, q) : q);
}

static kc_status emit(kc_tokenizer *tok, struct sink *k, const uint32_t *ids,
                      size_t m, size_t at)
{
	const struct tk_idref *r = tok->idrefs;

	k->count += m;
	if (!k->out)
		return KC_OK;
	if (reserve_tokens(k->out, m, k->offsets))
		return KC_ENOMEM;
	memcpy(k->out->ids + k->out->n, ids, m * sizeof *ids);
	if (k->offsets) {
		for (size_t i = 0; i < m; i++) {
			k->out->offsets[k->out->n + i] = offset_of(k, at);
			at += r[ids[i]].len;
		}
	}
	k->out->n += m;
	return KC_OK;
}

/* Pre-tokens of s[0..n) (`at` is s's position in the piece). */
static kc_status encode_text(kc_tokenizer *tok, const uint8_t *s, size_t n,
                             size_t at, struct sink *k)
{
	size_t pos = 0, seen;

	if (!k->out) {
		/* counting: the same walk, without the copies */
		while (pos < n) {
			size_t end = kc_tok_pretok_next(tok->pretok, s, n, pos, &seen);
			const uint32_t *ids;
			long m = kc_tok_word(tok, s + pos, end - pos, &ids);

			if (m < 0)
				return KC_ENOMEM;
			k->count += (size_t)m;
			pos = end;
		}
		return KC_OK;
	}
	while (pos < n) {
		size_t end = kc_tok_pretok_next(tok->pretok, s, n, pos, &seen);
		const uint32_t *ids;
		long m = kc_tok_word(tok, s + pos, end - pos, &ids);

		if (m < 0 || emit(tok, k, ids, (size_t)m, at + pos))
			return KC_ENOMEM;
		pos = end;
	}
	return KC_OK;
}

/* One piece of text between raw added tokens. */
static kc_status encode_piece(kc_tokenizer *tok, const uint8_t *s, size_t n,
                              struct sink *k)
{
	const uint8_t *ns = s;
	size_t nn = n, np = 0;
	struct tk_edits ne = { 0 };
	kc_status st = KC_OK;

	if (tok->nfc && (st = kc_tok_nfc(s, n, &tok->norm, &ns, &nn,
	                                 k->offsets ? &ne : NULL, 0)))
		goto out;
	k->norm = &ne;
	if (tok->trie_norm.n == 0) {
		st = encode_text(tok, ns, nn, 0, k);
		goto out;
	}
	if ((st = kc_tok_split_added(tok, &tok->trie_norm, ns, nn, 0,
	                             &tok->pieces2, &np, &tok->pieces2_cap)))
		goto out;
	for (size_t i = 0; i < np && !st; i++) {
		struct tk_piece p = tok->pieces2[i];

		if (p.id >= 0) {
			uint32_t id = (uint32_t)p.id;

			st = emit(tok, k, &id, 1, p.start);
		} else {
			st = encode_text(tok, ns + p.start, p.end - p.start, p.start, k);
		}
	}
out:
	free(ne.v);
	k->norm = NULL;
	return st;
}

/* Approximate: the cl100k pre-tokens, each counted by its length. */
static kc_status approx_count(kc_tokenizer *tok, const uint8_t *s, size_t n,
                              struct sink *k)
{
	size_t pos = 0, seen;

	(void)tok;
	while (pos < n) {
		size_t end = kc_tok_pretok_next(TK_PRE_CL100K, s, n, pos, &seen);

		k->count += 1 + (end - pos - 1) / 6;
		pos = end;
	}
	return KC_OK;
}

static kc_status run(kc_tokenizer *tok, const char *text, size_t len,
                     struct sink *k, struct kc_error *err)
{
	const uint8_t *s;
	size_t n, np = 0;
	struct tk_edits ce = { 0 };
	kc_status st;

	if ((st = kc_tok_sanitize((const uint8_t *)text, len, &tok->clean, &s,
	                          &n, k->offsets ? &ce : NULL)))
		goto out;
	k->clean = &ce;
	if (tok->kind == TK_KIND_APPROX) {
		st = approx_count(tok, s, n, k);
		goto out;
	}
	if ((st = kc_tok_split_added(tok, &tok->trie_raw, s, n, 0, &tok->pieces,
	                             &np, &tok->pieces_cap)))
		goto out;
	for (size_t i = 0; i < np && !st; i++) {
		struct tk_piece p = tok->pieces[i];

		k->base = p.start;
		if (p.id >= 0) {
			uint32_t id = (uint32_t)p.id;

			st = emit(tok, k, &id, 1, 0);
		} else {
			st = encode_piece(tok, s + p.start, p.end - p.start, k);
		}
	}
out:
	free(ce.v);
	if (st)
		return kc_error_set(err, st, "%s", st == KC_ENOMEM ? "out of memory"
		                    : kc_strerror(st));
	return KC_OK;
}

kc_status kc_tokenizer_encode(kc_tokenizer *tok, const char *text,
                              size_t len, kc_tokens *out, int want_offsets,
                              struct kc_error *err)
{
	struct sink k = { out, want_offsets, 0, NULL, NULL, 0 };

	out->n = 0;
	if (tok->kind == TK_KIND_APPROX)
		return kc_error_set(err, KC_EUNSUPPORTED, "the approximate counter "
		                    "has no token ids");
	if (want_offsets && len > UINT32_MAX)
		return kc_error_set(err, KC_ETOOLONG, "text too long for offsets");
	if (want_offsets && reserve_tokens(out, 0, 1))
		return kc_error_nomem(err);
	return run(tok, text, len, &k, err);
}

kc_status kc_tokenizer_count(kc_tokenizer *tok, const char *text, size_t len,
                             size_t *count, struct kc_error *err)
{
	struct sink k = { NULL, 0, 0, NULL, NULL, 0 };
	kc_status st = run(tok, text, len, &k, err);

	*count = st ? 0 : k.count;
	return st;
}

/* ------------------------------------------------------------------ */
/* Chat templates. */

const char *kc_tokenizer_chat_default(const kc_tokenizer *tok)
{
	return tok->chat == CHAT_NONE ? NULL : chats[tok->chat].name;
}

kc_status kc_tokenizer_chat_template(const kc_tokenizer *tok,
                                     const char *name, const char **before,
                                     const char **after, struct kc_error *err)
{
	int c = CHAT_NONE;

	if (!name) {
		c = tok->chat;
		if (c == CHAT_NONE)
			return kc_error_set(err, KC_EUNSUPPORTED, "tokenizer %s has no "
			                    "known chat template", tok->name);
	} else {
		for (int i = CHAT_CHATML; i <= CHAT_LLAMA31; i++)
			if (!strcmp(name, chats[i].name))
				c = i;
		if (c == CHAT_NONE)
			return kc_error_set(err, KC_EINVAL, "unknown chat template '%s' "
			                    "(chatml, qwen2.5, llama3, llama3.1)", name);
	}
	*before = chats[c].before;
	*after = chats[c].after;
	return KC_OK;
}

kc_status kc_tokenizer_chat_overhead_for(kc_tokenizer *tok, const char *name,
                                         size_t *before, size_t *after,
                                         struct kc_error *err)
{
	const char *b, *a;
	kc_status st;

	if ((st = kc_tokenizer_chat_template(tok, name, &b, &a, err)) ||
	    (st = kc_tokenizer_count(tok, b, strlen(b), before, err)) ||
	    (st = kc_tokenizer_count(tok, a, strlen(a), after, err)))
		return st;
	return KC_OK;
}

kc_status kc_tokenizer_chat_overhead(kc_tokenizer *tok, size_t *before,
                                     size_t *after, struct kc_error *err)
{
	return kc_tokenizer_chat_overhead_for(tok, NULL, before, after, err);
}
