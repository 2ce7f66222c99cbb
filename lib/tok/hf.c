/*
 * hf.c - read a Hugging Face tokenizer.json (byte-level BPE) into a
 * kc_tokenizer, or refuse it saying what kc does not reproduce.
 *
 * What is read is what the reference (the Rust `tokenizers` crate, 0.23)
 * does when it deserializes the file and then encodes with
 * add_special_tokens=False:
 *
 *   normalizer      null, NFC, or a Sequence of NFCs;
 *   pre_tokenizer   Sequence[Split(one of the regexes in tok/pretok.c,
 *                   Isolated), ByteLevel(add_prefix_space=false,
 *                   use_regex=false)], or ByteLevel(use_regex=true,
 *                   add_prefix_space=false) alone (GPT-2);
 *   model           BPE over the 256 byte-level symbols: vocab, merges
 *                   ("a b" strings or [a, b] pairs), ignore_merges;
 *   added_tokens    matched in the text first (tok/added.c), with ids
 *                   assigned as the reference assigns them: the model's id
 *                   when the content is in the vocabulary, else the next
 *                   free id from the vocabulary's size (the file's "id" is
 *                   only checked by the reference, with a warning);
 *   truncation, padding   must be null (they change what encode returns);
 *   post_processor, decoder   not used by encode without special tokens.
 *
 * Speed: the file is 9-11 MB, nearly all of it the vocabulary and the
 * merges.  Building a jansson tree of it takes 0.2 s and 60 MB, so the
 * file is walked by a small scanner here: the top-level values and the
 * model's members are located by their byte spans; "vocab" and "merges"
 * are decoded straight into kc's tables, their strings read by json.c's
 * lexer (kc_json_string); every other member is small and parsed by
 * kc_json_parse.  Errors in the JSON are worded as everywhere in kc
 * (jansson's words, json/error.c), with the file's line and column.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/private.h"
#include "json/private.h"
#include "tok/private.h"

#define MAX_ID ((uint32_t)1 << 24)

/* GPT-2's byte <-> character mapping of byte-level BPE. */
static uint32_t byte_char[256];
static int16_t char_byte[324];   /* code points up to 323 */

static void init_bytelevel(void)
{
	uint32_t extra = 256;

	if (byte_char['!'])
		return;
	for (int b = 0; b < 256; b++) {
		int keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) ||
		           (b >= 0xAE && b <= 0xFF);
		byte_char[b] = keep ? (uint32_t)b : extra++;
	}
	for (int c = 0; c < 324; c++)
		char_byte[c] = -1;
	for (int b = 0; b < 256; b++)
		char_byte[byte_char[b]] = (int16_t)b;
}

/*
 * The bytes a byte-level token string stands for, into out (at least
 * len bytes); returns their count, or -1 when a character is outside the
 * byte-level alphabet (such a token cannot come out of byte-level BPE).
 */
static long bytelevel_decode(const char *s, size_t len, char *out)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, n = 0, l;

	while (i < len) {
		uint32_t c = tk_decode(p + i, &l);

		if (i + l > len || c >= 324 || char_byte[c] < 0)
			return -1;
		out[n++] = (char)char_byte[c];
		i += l;
	}
	return (long)n;
}

/* ------------------------------------------------------------------ */
/* The scanner. */

struct js {
	const char *base, *p, *end;
	const char *path;
	struct kc_error *err;
};

/* The file is not JSON at j->p: kc's words for it, which are jansson's
 * (json/error.c), with the file's line and column. */
static kc_status bad(struct js *j, const char *complaint)
{
	struct kc_json_error e;
	struct kc_error je;

	kc_json_error_at(&e, (const kc_uchar *)j->p, (const kc_uchar *)j->end,
	                 complaint);
	kc_json_error_fill(&e, (const kc_uchar *)j->base, NULL, 0, &je);
	return kc_error_set(j->err, KC_EJSON, "%s: %s", j->path, je.text);
}

static int peek(struct js *j)
{
	while (j->p < j->end && kc_json_ws(*j->p))
		j->p++;
	return j->p < j->end ? (unsigned char)*j->p : -1;
}

static kc_status expect(struct js *j, char c)
{
	if (peek(j) != (unsigned char)c) {
		char what[16];

		snprintf(what, sizeof what, "'%c' expected", c);
		return bad(j, what);
	}
	j->p++;
	return KC_OK;
}

/* A JSON string into out, NUL-terminated (json.c's lexer: what jansson
 * and serde_json refuse in a string is refused). */
static kc_status string(struct js *j, kc_buf *out)
{
	const kc_uchar *p;
	const char *s;
	size_t n;
	int nul;
	kc_status st;

	if (peek(j) != '"')
		return bad(j, "string expected");
	p = (const kc_uchar *)j->p;
	st = kc_json_string(&p, (const kc_uchar *)j->end, out, &s, &n, &nul);
	if (st == KC_ENOMEM)
		return kc_error_nomem(j->err);
	if (st)
		return bad(j, NULL);
	if (s != out->data) {            /* no escapes: still in the text */
		out->len = 0;
		if (kc_buf_append(out, s, n))
			return kc_error_nomem(j->err);
	}
	if (kc_buf_append(out, "", 0))   /* the NUL after the value */
		return kc_error_nomem(j->err);
	j->p = (const char *)p;
	return KC_OK;
}

/* A non-negative integer that fits a token id. */
static kc_status uint_id(struct js *j, uint32_t *v)
{
	uint64_t x = 0;
	const char *s;

	peek(j);
	s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
		x = x * 10 + (uint64_t)(*j->p - '0');
		if (x > UINT32_MAX)
			break;
		j->p++;
	}
	if (j->p == s || x > UINT32_MAX || (j->p < j->end &&
	    (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))) {
		j->p = s;
		return bad(j, "a non-negative integer id expected");
	}
	*v = (uint32_t)x;
	return KC_OK;
}

/* The byte after the string whose opening quote is at p, or NULL when
 * it does not end (the string is checked by whoever reads it): the
 * first '"' after an even number of backslashes. */
static const char *string_end(const char *p, const char *end)
{
	for (const char *q = p + 1; (q = memchr(q, '"', (size_t)(end - q)));
	     q++) {
		size_t bs = 0;

		while (q - bs > p + 1 && q[-1 - (long)bs] == '\\')
			bs++;
		if (!(bs & 1))
			return q + 1;
	}
	return NULL;
}

/* Skip one value, returning its span; whoever reads the span checks it. */
static kc_status skip(struct js *j, const char **start)
{
	int c = peek(j), depth = 0;

	*start = j->p;
	if (c < 0)
		return bad(j, NULL);
	do {
		c = (unsigned char)*j->p;
		if (c == '"') {
			const char *e = string_end(j->p, j->end);

			if (!e)
				return bad(j, NULL);
			j->p = e;
		} else if (c == '{' || c == '[') {
			depth++;
			j->p++;
		} else if (c == '}' || c == ']') {
			if (--depth < 0)
				return bad(j, NULL);
			j->p++;
		} else if (depth == 0) {
			while (j->p < j->end && !strchr(",}] \t\r\n", *j->p))
				j->p++;
		} else {
			j->p++;
		}
	} while (depth > 0 && j->p < j->end);
	return depth > 0 ? bad(j, NULL) : KC_OK;
}

/* Parse a skipped span, the value of member `what`. */
static kc_status load_span(struct js *j, const char *start, const char *end,
                           const char *what, json_t **out)
{
	struct kc_error e;

	if ((*out = kc_json_parse(start, (size_t)(end - start), &e)))
		return KC_OK;
	if (e.status == KC_ENOMEM)
		return kc_error_nomem(j->err);
	return kc_error_set(j->err, KC_EJSON, "%s: \"%s\": %s", j->path, what,
	                    e.text);
}

/* Iterate the members of an object: call with *first = 1, then 0. */
static kc_status member(struct js *j, int *first, kc_buf *key, int *done)
{
	int c = peek(j);

	*done = 0;
	if (*first) {
		*first = 0;
		if (c == '}') {
			j->p++;
			*done = 1;
			return KC_OK;
		}
	} else if (c == ',') {
		j->p++;
	} else if (c == '}') {
		j->p++;
		*done = 1;
		return KC_OK;
	} else {
		return bad(j, "'}' expected");
	}
	if (string(j, key))
		return j->err->status;
	return expect(j, ':');
}

/* ------------------------------------------------------------------ */
/* What the file says, before it is checked and used. */

struct spans {
	const char *s, *e;
};

struct hf {
	struct js j;
	struct spans top_version, top_trunc, top_pad, top_added, top_norm,
	             top_pre, top_model;
	struct spans m_vocab, m_merges;
	json_t *model;          /* the model's members other than vocab/merges */
	kc_buf key, a, b;
};

static struct spans *top_slot(struct hf *h, const char *k)
{
	static const char *names[] = { "version", "truncation", "padding",
		"added_tokens", "normalizer", "pre_tokenizer", "model" };
	struct spans *slots[] = { &h->top_version, &h->top_trunc, &h->top_pad,
		&h->top_added, &h->top_norm, &h->top_pre, &h->top_model };

	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!strcmp(k, names[i]))
			return slots[i];
	return NULL;
}

static struct spans *model_slot(struct hf *h, const char *k)
{
	return !strcmp(k, "vocab") ? &h->m_vocab :
	       !strcmp(k, "merges") ? &h->m_merges : NULL;
}

/* The members of the object at j->p: where `slot` has a place for one,
 * its span goes there; the others are parsed into `rest` (NULL: only
 * checked). */
static kc_status scan_object(struct hf *h,
                             struct spans *(*slot)(struct hf *, const char *),
                             json_t *rest)
{
	struct js *j = &h->j;
	int first = 1, done;
	const char *start;
	struct spans *sl;
	json_t *v;

	if (expect(j, '{'))
		return j->err->status;
	for (;;) {
		if (member(j, &first, &h->key, &done))
			return j->err->status;
		if (done)
			return KC_OK;
		if (skip(j, &start))
			return j->err->status;
		if ((sl = slot(h, h->key.data))) {
			sl->s = start;
			sl->e = j->p;
			continue;
		}
		if (load_span(j, start, j->p, h->key.data, &v))
			return j->err->status;
		if (!rest)
			json_decref(v);
		else if (json_object_set_new(rest, h->key.data, v))
			return kc_error_nomem(j->err);
	}
}

/* post_processor, decoder, anything else at the top: only checked. */
static kc_status scan_top(struct hf *h)
{
	kc_status st = scan_object(h, top_slot, NULL);

	if (!st && peek(&h->j) >= 0)
		return bad(&h->j, "end of file expected");
	return st;
}

static kc_status scan_model(struct hf *h)
{
	struct js *j = &h->j;
	const char *end = j->end;
	kc_status st;

	j->p = h->top_model.s;
	j->end = h->top_model.e;
	if (!(h->model = json_object()))
		return kc_error_nomem(j->err);
	st = scan_object(h, model_slot, h->model);
	j->end = end;
	return st;
}

/* ------------------------------------------------------------------ */
/* Checking the parts. */

static kc_status unsupported(struct hf *h, const char *fmt, const char *what)
{
	char msg[300];

	snprintf(msg, sizeof msg, fmt, what);
	return kc_error_set(h->j.err, KC_EUNSUPPORTED, "%s: %s", h->j.path, msg);
}

static const char *type_of(const json_t *v)
{
	const char *t = json_string_value(json_object_get(v, "type"));

	return t ? t : "(no type)";
}

static int is_false(const json_t *v)
{
	return !v || json_is_false(v) || json_is_null(v);
}

static kc_status check_normalizer(struct hf *h, kc_tokenizer *tok,
                                  const json_t *n)
{
	if (!n || json_is_null(n))
		return KC_OK;
	if (!strcmp(type_of(n), "NFC")) {
		tok->nfc = 1;
		return KC_OK;
	}
	if (!strcmp(type_of(n), "Sequence")) {
		const json_t *list = json_object_get(n, "normalizers"), *x;
		size_t i;

		if (!json_is_array(list))
			return unsupported(h, "normalizer Sequence without a list%s", "");
		json_array_foreach(list, i, x) {
			if (strcmp(type_of(x), "NFC"))
				return unsupported(h, "normalizer %s is not supported "
				                   "(kc implements NFC)", type_of(x));
			tok->nfc = 1;
		}
		return KC_OK;
	}
	return unsupported(h, "normalizer %s is not supported (kc implements "
	                   "NFC)", type_of(n));
}

static kc_status check_bytelevel(struct hf *h, const json_t *b, int use_regex)
{
	const json_t *ur = json_object_get(b, "use_regex");

	if (!is_false(json_object_get(b, "add_prefix_space")))
		return unsupported(h, "ByteLevel pre-tokenizer with "
		                   "add_prefix_space is not supported%s", "");
	/* use_regex defaults to true */
	if (use_regex != (ur ? json_is_true(ur) : 1))
		return unsupported(h, use_regex ? "ByteLevel pre-tokenizer "
		                   "without its regex is not supported alone%s" :
		                   "ByteLevel pre-tokenizer with use_regex after a "
		                   "Split is not supported%s", "");
	return KC_OK;
}

static kc_status check_pretok(struct hf *h, kc_tokenizer *tok,
                              const json_t *p)
{
	const json_t *list, *split, *pat, *re;
	const char *behavior;

	if (!p || json_is_null(p))
		return unsupported(h, "no pre-tokenizer: kc implements byte-level "
		                   "BPE only%s", "");
	if (!strcmp(type_of(p), "ByteLevel")) {
		if (check_bytelevel(h, p, 1))
			return KC_EUNSUPPORTED;
		tok->pretok = TK_PRE_GPT2;
		return KC_OK;
	}
	if (strcmp(type_of(p), "Sequence"))
		return unsupported(h, "pre-tokenizer %s is not supported (kc "
		                   "implements Sequence[Split, ByteLevel] and "
		                   "ByteLevel)", type_of(p));
	list = json_object_get(p, "pretokenizers");
	if (json_array_size(list) != 2 ||
	    strcmp(type_of(json_array_get(list, 0)), "Split") ||
	    strcmp(type_of(json_array_get(list, 1)), "ByteLevel"))
		return unsupported(h, "pre-tokenizer Sequence other than [Split, "
		                   "ByteLevel] is not supported%s", "");
	split = json_array_get(list, 0);
	if (check_bytelevel(h, json_array_get(list, 1), 0))
		return KC_EUNSUPPORTED;
	behavior = json_string_value(json_object_get(split, "behavior"));
	if (!behavior || strcmp(behavior, "Isolated") ||
	    !is_false(json_object_get(split, "invert")))
		return unsupported(h, "Split pre-tokenizer with behavior %s is not "
		                   "supported (kc implements Isolated, not "
		                   "inverted)", behavior ? behavior : "(none)");
	pat = json_object_get(split, "pattern");
	re = json_object_get(pat, "Regex");
	if (!json_is_string(re))
		return unsupported(h, "Split pre-tokenizer without a Regex "
		                   "pattern is not supported%s", "");
	for (int k = 0; k < 4; k++) {
		if (k != TK_PRE_GPT2 && !strcmp(json_string_value(re),
		                                kc_tok_pattern[k])) {
			tok->pretok = k;
			return KC_OK;
		}
	}
	return unsupported(h, "Split regex %s is not one kc implements (Qwen2, "
	                   "Llama-3/cl100k or o200k patterns)",
	                   json_string_value(re));
}

static kc_status check_model(struct hf *h, kc_tokenizer *tok, int *lenient)
{
	const json_t *m = h->model, *v;
	const char *s;

	if (strcmp(type_of(m), "BPE"))
		return unsupported(h, "model %s is not supported (kc implements "
		                   "BPE)", type_of(m));
	v = json_object_get(m, "dropout");
	if (v && !json_is_null(v) && json_number_value(v) != 0.0)
		return unsupported(h, "BPE dropout is not supported%s", "");
	for (int k = 0; k < 2; k++) {
		const char *f = k ? "end_of_word_suffix" : "continuing_subword_prefix";

		v = json_object_get(m, f);
		s = json_string_value(v);
		if (v && !json_is_null(v) && (!s || *s))
			return unsupported(h, "BPE %s is not supported", f);
	}
	v = json_object_get(m, "ignore_merges");
	tok->ignore_merges = json_is_true(v);
	/* unk_token and byte_fallback only act on a symbol missing from the
	 * vocabulary; allowed when all 256 byte symbols are there */
	*lenient = !(json_string_value(json_object_get(m, "unk_token")) ||
	             json_is_true(json_object_get(m, "byte_fallback")));
	if (!h->m_vocab.s || !h->m_merges.s)
		return kc_error_set(h->j.err, KC_EJSON, "%s: Missing vocab/merges",
		                    h->j.path);
	return KC_OK;
}

/* ------------------------------------------------------------------ */
/* The vocabulary and the merges. */

static kc_status read_vocab(struct hf *h, kc_tokenizer *tok)
{
	struct js *j = &h->j;
	int first = 1, done;
	uint8_t *seen;
	char *bytes = NULL;
	size_t bytes_cap = 0;
	kc_status st = KC_OK;

	j->p = h->m_vocab.s;
	if (expect(j, '{'))
		return j->err->status;
	seen = calloc(MAX_ID / 8, 1);
	if (!seen)
		return kc_error_nomem(j->err);
	for (;;) {
		uint32_t id = 0;
		long nb;
		int dup;

		if ((st = member(j, &first, &h->key, &done)) || done)
			break;
		if ((st = uint_id(j, &id)))
			break;
		if (id >= MAX_ID) {
			st = kc_error_set(j->err, KC_EUNSUPPORTED, "%s: vocab id %u is "
			                  "too large (kc supports ids below %u)",
			                  j->path, id, MAX_ID);
			break;
		}
		if (seen[id / 8] & (1 << (id % 8))) {
			st = kc_error_set(j->err, KC_EUNSUPPORTED, "%s: vocab gives "
			                  "id %u to two tokens", j->path, id);
			break;
		}
		seen[id / 8] |= (uint8_t)(1 << (id % 8));
		if (id > tok->max_id)
			tok->max_id = id;
		if ((st = kc_tok_strtab_put(&tok->vocab, h->key.data, h->key.len, id,
		                            &dup)))
			break;
		if (dup) {
			/* the reference would keep the last id: refused, as the
			 * first id would then name no token */
			st = kc_error_set(j->err, KC_EUNSUPPORTED, "%s: vocab lists "
			                  "\"%.60s\" twice", j->path, h->key.data);
			break;
		}
		if (h->key.len > bytes_cap) {
			char *nbuf = realloc(bytes, h->key.len);

			if (!nbuf) {
				st = KC_ENOMEM;
				break;
			}
			bytes = nbuf;
			bytes_cap = h->key.len;
		}
		nb = bytelevel_decode(h->key.data, h->key.len, bytes);
		if (nb > 0 && (st = kc_tok_strtab_put(&tok->bytes, bytes,
		                                      (size_t)nb, id, NULL)))
			break;
		if (nb == 1)
			tok->byte_id[(uint8_t)bytes[0]] = (int32_t)id;
	}
	free(seen);
	free(bytes);
	if (st == KC_ENOMEM || st == KC_ETOOLONG)
		return kc_error_set(j->err, st, "%s: vocab: %s", j->path,
		                    kc_strerror(st));
	return st;
}

/* The id of a merge's token, or an error naming it. */
static kc_status merge_id(struct hf *h, kc_tokenizer *tok, const char *s,
                          size_t len, uint32_t *id)
{
	const struct tk_str *e = kc_tok_strtab_get(&tok->vocab, s, len);

	if (!e)
		return kc_error_set(h->j.err, KC_EJSON, "%s: merge token \"%.60s\" "
		                    "is not in the vocab", h->j.path, s);
	*id = e->id;
	return KC_OK;
}

static kc_status read_merges(struct hf *h, kc_tokenizer *tok)
{
	struct js *j = &h->j;
	uint32_t rank = 0;
	size_t count = 0;
	kc_buf cat;
	kc_status st = KC_OK;
	int c;

	/* size the pair table: count the elements (commas at depth 1 bound
	 * it; a cheap upper estimate is enough) */
	for (const char *p = h->m_merges.s; p < h->m_merges.e; p++)
		count += *p == ',';
	if (kc_tok_pairs_init(tok, count + 1))
		return kc_error_nomem(j->err);
	kc_buf_init(&cat, 0);
	j->p = h->m_merges.s;
	if (expect(j, '['))
		return j->err->status;
	if (peek(j) == ']') {
		j->p++;
		return KC_OK;
	}
	for (;;) {
		uint32_t a = 0, b = 0, id = 0;
		const char *sp;

		c = peek(j);
		if (c == '"') {
			/* "a b": exactly one space; "#version" lines skipped */
			if ((st = string(j, &h->a)))
				break;
			if (h->a.len >= 8 && !memcmp(h->a.data, "#version", 8))
				goto next;
			sp = memchr(h->a.data, ' ', h->a.len);
			if (!sp || memchr(sp + 1, ' ', h->a.len - (size_t)(sp + 1 - h->a.data))) {
				st = kc_error_set(j->err, KC_EJSON, "%s: merge %u is not "
				                  "two tokens separated by a space",
				                  j->path, rank + 1);
				break;
			}
			h->b.len = 0;
			kc_buf_append(&h->b, sp + 1, h->a.len - (size_t)(sp + 1 - h->a.data));
			h->a.len = (size_t)(sp - h->a.data);
			h->a.data[h->a.len] = 0;
		} else if (c == '[') {
			j->p++;
			if ((st = string(j, &h->a)) || (st = expect(j, ',')) ||
			    (st = string(j, &h->b)) || (st = expect(j, ']')))
				break;
		} else {
			st = bad(j, "expected a merge");
			break;
		}
		if ((st = merge_id(h, tok, h->a.data ? h->a.data : "", h->a.len, &a)) ||
		    (st = merge_id(h, tok, h->b.data ? h->b.data : "", h->b.len, &b)))
			break;
		cat.len = 0;
		if (kc_buf_append(&cat, h->a.data, h->a.len) ||
		    kc_buf_append(&cat, h->b.data, h->b.len)) {
			st = kc_error_nomem(j->err);
			break;
		}
		if ((st = merge_id(h, tok, cat.data, cat.len, &id)))
			break;
		if (tok->n_pairs * 2 >= tok->pair_mask) {
			st = bad(j, "more merges than elements");
			break;
		}
		kc_tok_pair_put(tok, a, b, rank, id);
		rank++;
next:
		c = peek(j);
		if (c == ',') {
			j->p++;
			continue;
		}
		if (c == ']') {
			j->p++;
			break;
		}
		st = bad(j, "']' expected");
		break;
	}
	kc_buf_release(&cat);
	return st;
}

/* ------------------------------------------------------------------ */
/* Added tokens. */

/* An added token's matched text, into a->content: the content, or its
 * NFC form for a normalized token of an NFC tokenizer. */
static kc_status added_text(const kc_tokenizer *tok, struct tk_added *a,
                            const char *content, size_t len)
{
	kc_status st = KC_OK;

	if (a->normalized && tok->nfc) {
		kc_buf nb;
		const uint8_t *o;
		size_t ol;

		kc_buf_init(&nb, 0);
		st = kc_tok_nfc((const uint8_t *)content, len, &nb, &o, &ol,
		                NULL, 0);
		if (!st && (a->content = malloc(ol + 1))) {
			memcpy(a->content, o, ol);
			a->content[ol] = 0;
			a->len = ol;
		}
		kc_buf_release(&nb);
	} else if ((a->content = malloc(len + 1))) {
		memcpy(a->content, content, len + 1);
		a->len = len;
	}
	if (st || !a->content) {
		free(a->content);
		a->content = NULL;
		return KC_ENOMEM;
	}
	return KC_OK;
}

static kc_status read_added(struct hf *h, kc_tokenizer *tok, const json_t *list)
{
	size_t i, n = json_array_size(list);
	uint32_t next_id = (uint32_t)tok->vocab.n;
	struct tk_strtab map = { 0 };   /* content -> index in tok->added */
	const json_t *x;
	kc_status st = KC_OK;

	if (list && !json_is_null(list) && !json_is_array(list))
		return kc_error_set(h->j.err, KC_EJSON, "%s: added_tokens is not "
		                    "an array", h->j.path);
	tok->added = calloc(n ? n : 1, sizeof *tok->added);
	if (!tok->added)
		return kc_error_nomem(h->j.err);
	json_array_foreach(list, i, x) {
		const char *content = json_string_value(json_object_get(x, "content"));
		size_t len = json_string_length(json_object_get(x, "content"));
		const json_t *nz = json_object_get(x, "normalized");
		const struct tk_str *e;
		struct tk_added a = { 0 };
		uint32_t id;
		size_t at;

		if (!content || !json_is_integer(json_object_get(x, "id"))) {
			st = kc_error_set(h->j.err, KC_EJSON, "%s: added token %zu has "
			                  "no content or id", h->j.path, i);
			goto out;
		}
		if (len == 0)
			continue;
		a.single_word = json_is_true(json_object_get(x, "single_word"));
		a.lstrip = json_is_true(json_object_get(x, "lstrip"));
		a.rstrip = json_is_true(json_object_get(x, "rstrip"));
		a.special = json_is_true(json_object_get(x, "special"));
		a.normalized = nz ? json_is_true(nz) : !a.special;
		/* the id: an added token seen before with this content, else
		 * the model's, else the next free one */
		if ((e = kc_tok_strtab_get(&map, content, len)))
			id = tok->added[e->id].id;
		else if ((e = kc_tok_strtab_get(&tok->vocab, content, len)))
			id = e->id;
		else
			id = next_id++;
		if (id >= MAX_ID) {
			st = kc_error_set(h->j.err, KC_EUNSUPPORTED, "%s: added token "
			                  "id %u is too large", h->j.path, id);
			goto out;
		}
		a.id = id;
		if (id > tok->max_id)
			tok->max_id = id;
		if (added_text(tok, &a, content, len)) {
			st = kc_error_nomem(h->j.err);
			goto out;
		}
		/* the same id again replaces the earlier token */
		at = tok->n_added;
		for (size_t k = 0; k < tok->n_added; k++)
			if (tok->added[k].id == id)
				at = k;
		if (at < tok->n_added)
			free(tok->added[at].content);
		else
			tok->n_added++;
		tok->added[at] = a;
		if ((st = kc_tok_strtab_put(&map, content, len, (uint32_t)at, NULL))) {
			st = kc_error_set(h->j.err, st, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < tok->n_added; i++) {
		struct tk_added *a = &tok->added[i];

		st = kc_tok_trie_add(a->normalized ? &tok->trie_norm : &tok->trie_raw,
		                     a->content, a->len, (int32_t)i);
		if (st) {
			st = kc_error_set(h->j.err, st, "out of memory");
			goto out;
		}
	}
out:
	kc_tok_strtab_release(&map);
	return st;
}

/* ------------------------------------------------------------------ */

static kc_status read_file(const char *path, char **data, size_t *len,
                           struct kc_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	size_t n;

	if (!f)
		return kc_error_set(err, errno == ENOENT ? KC_ENOTFOUND : KC_EIO,
		                    "%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return kc_error_set(err, KC_EIO, "%s: not a regular file", path);
	}
	if ((uint64_t)sb.st_size > ((uint64_t)1 << 31)) {
		fclose(f);
		return kc_error_set(err, KC_ETOOLONG, "%s: too large", path);
	}
	*data = malloc((size_t)sb.st_size + 1);
	if (!*data) {
		fclose(f);
		return kc_error_nomem(err);
	}
	n = fread(*data, 1, (size_t)sb.st_size, f);
	if (n != (size_t)sb.st_size || ferror(f)) {
		int e = errno;

		fclose(f);
		free(*data);
		return kc_error_set(err, KC_EIO, "%s: read error: %s", path,
		                    strerror(e));
	}
	fclose(f);
	(*data)[n] = 0;
	*len = n;
	return KC_OK;
}

kc_status kc_tok_load_hf(kc_tokenizer *tok, const char *path,
                         struct kc_error *err)
{
	struct hf h;
	char *data = NULL;
	size_t len = 0;
	kc_status st;
	json_t *v = NULL, *norm = NULL, *pre = NULL, *added = NULL;
	int lenient = 1;

	init_bytelevel();
	if ((st = read_file(path, &data, &len, err)))
		return st;
	memset(&h, 0, sizeof h);
	h.j = (struct js){ data, data, data + len, path, err };
	kc_buf_init(&h.key, 0);
	kc_buf_init(&h.a, 0);
	kc_buf_init(&h.b, 0);
	for (int b = 0; b < 256; b++)
		tok->byte_id[b] = -1;

	if ((st = scan_top(&h)))
		goto out;
	if (!h.top_model.s) {
		st = kc_error_set(err, KC_EJSON, "%s: no \"model\"", path);
		goto out;
	}
	if (h.top_version.s) {
		if ((st = load_span(&h.j, h.top_version.s, h.top_version.e,
		                    "version", &v)))
			goto out;
		if (!json_is_string(v) || strcmp(json_string_value(v), "1.0")) {
			st = kc_error_set(err, KC_EUNSUPPORTED, "%s: unknown "
			                  "tokenizer.json version", path);
			goto out;
		}
	}
	for (int k = 0; k < 2; k++) {
		struct spans *sp = k ? &h.top_pad : &h.top_trunc;
		json_t *x;

		if (!sp->s)
			continue;
		if ((st = load_span(&h.j, sp->s, sp->e, k ? "padding" :
		                    "truncation", &x)))
			goto out;
		int set = !json_is_null(x);
		json_decref(x);
		if (set) {
			st = unsupported(&h, "%s is set: kc counts whole texts "
			                 "(set it to null)", k ? "padding" : "truncation");
			goto out;
		}
	}
	if ((h.top_norm.s && (st = load_span(&h.j, h.top_norm.s, h.top_norm.e,
	                                     "normalizer", &norm))) ||
	    (h.top_pre.s && (st = load_span(&h.j, h.top_pre.s, h.top_pre.e,
	                                    "pre_tokenizer", &pre))) ||
	    (h.top_added.s && (st = load_span(&h.j, h.top_added.s, h.top_added.e,
	                                      "added_tokens", &added))))
		goto out;
	if ((st = scan_model(&h)) ||
	    (st = check_model(&h, tok, &lenient)) ||
	    (st = check_normalizer(&h, tok, norm)) ||
	    (st = check_pretok(&h, tok, pre)) ||
	    (st = read_vocab(&h, tok)) ||
	    (st = read_merges(&h, tok)))
		goto out;
	if (!lenient) {
		for (int b = 0; b < 256; b++)
			if (tok->byte_id[b] < 0) {
				st = unsupported(&h, "the vocabulary lacks byte-level "
				                 "symbols and the model has an unk_token "
				                 "or byte_fallback%s", "");
				goto out;
			}
	}
	if ((st = read_added(&h, tok, added)))
		goto out;
out:
	json_decref(v);
	json_decref(norm);
	json_decref(pre);
	json_decref(added);
	json_decref(h.model);
	kc_buf_release(&h.key);
	kc_buf_release(&h.a);
	kc_buf_release(&h.b);
	free(data);
	return st;
}
