/*
 * tiktoken.c - read a tiktoken rank file (cl100k_base, o200k_base).
 *
 * The file is "base64(token bytes) rank" per line; the rank is also the
 * token's id.  The regex and the special tokens are not in the file: they
 * are the ones tiktoken's registry gives each encoding, chosen here by the
 * file's name (cl100k..., o200k...) or, failing that, by its number of
 * ranks.  Special tokens are matched in the text, as tiktoken's
 * encode(text, allowed_special="all") does.
 *
 * tiktoken encodes a piece that is itself a token as that token, and
 * otherwise merges the adjacent pair whose concatenation has the lowest
 * rank.  In kc's terms: ignore_merges, and a merge (a, b) for every token
 * whose bytes split into two tokens a and b, ranked by the whole token.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/private.h"
#include "tok/private.h"

struct special {
	const char *text;
	uint32_t id;
};

static const struct special cl100k_special[] = {
	{ "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 },
	{ "<|fim_middle|>", 100259 }, { "<|fim_suffix|>", 100260 },
	{ "<|endofprompt|>", 100276 }, { NULL, 0 }
};

static const struct special o200k_special[] = {
	{ "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 },
	{ NULL, 0 }
};

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode standard base64 (with padding) into out; returns the length or
 * -1. */
static long b64decode(const char *s, size_t n, uint8_t *out)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;

	while (n > 0 && s[n - 1] == '=')
		n--;
	for (size_t i = 0; i < n; i++) {
		int v = b64val((unsigned char)s[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return (long)o;
}

struct trip {
	uint32_t a, b, t;
};

/* One "base64 rank" line of the file into the byte table. */
static kc_status read_rank(kc_tokenizer *tok, char *line, const char *path,
                           size_t lineno, struct kc_error *err)
{
	uint8_t bytes[1024];
	char *sp, *end;
	unsigned long rank;
	long nb;
	int dup;
	kc_status st;

	sp = strchr(line, ' ');
	if (!sp || (size_t)(sp - line) > 4 * sizeof bytes / 3)
		return kc_error_set(err, KC_EINVAL, "%s:%zu: not \"base64 rank\"",
		                    path, lineno);
	errno = 0;
	rank = strtoul(sp + 1, &end, 10);
	nb = b64decode(line, (size_t)(sp - line), bytes);
	if (nb <= 0 || *end || end == sp + 1 || errno || rank >= (1UL << 24))
		return kc_error_set(err, KC_EINVAL, "%s:%zu: not \"base64 rank\"",
		                    path, lineno);
	if ((st = kc_tok_strtab_put(&tok->bytes, (char *)bytes, (size_t)nb,
	                            (uint32_t)rank, &dup)))
		return kc_error_set(err, st, "%s: %s", path, kc_strerror(st));
	if (dup)
		return kc_error_set(err, KC_EINVAL, "%s:%zu: token listed twice",
		                    path, lineno);
	if (nb == 1)
		tok->byte_id[bytes[0]] = (int32_t)rank;
	if (rank > tok->max_id)
		tok->max_id = (uint32_t)rank;
	return KC_OK;
}

static kc_status read_ranks(kc_tokenizer *tok, const char *path,
                            struct kc_error *err)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t got;
	kc_status st = KC_OK;

	if (!f)
		return kc_error_set(err, errno == ENOENT ? KC_ENOTFOUND : KC_EIO,
		                    "%s: %s", path, strerror(errno));
	for (int b = 0; b < 256; b++)
		tok->byte_id[b] = -1;
	while ((got = getline(&line, &cap, f)) > 0) {
		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = 0;
		if (got && (st = read_rank(tok, line, path, lineno, err)))
			break;
	}
	free(line);
	if (!st && ferror(f))
		st = kc_error_set(err, KC_EIO, "%s: read error", path);
	fclose(f);
	return st;
}

/* Which encoding: by the file's name, else by its size. */
static kc_status which_encoding(kc_tokenizer *tok, const char *path,
                                struct kc_error *err)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strncmp(base, "cl100k", 6) || (strncmp(base, "o200k", 5) &&
	                                    tok->bytes.n == 100256))
		tok->pretok = TK_PRE_CL100K;
	else if (!strncmp(base, "o200k", 5) || tok->bytes.n == 199998)
		tok->pretok = TK_PRE_O200K;
	else
		return kc_error_set(err, KC_EUNSUPPORTED, "%s: unknown tiktoken "
		                    "encoding (kc knows cl100k_base and o200k_base)",
		                    path);
	for (int b = 0; b < 256; b++)
		if (tok->byte_id[b] < 0)
			return kc_error_set(err, KC_EUNSUPPORTED, "%s: byte 0x%02x has "
			                    "no rank", path, b);
	tok->ignore_merges = 1;
	return KC_OK;
}

/* The merges: every split of every token into two tokens. */
static kc_status make_merges(kc_tokenizer *tok, struct kc_error *err)
{
	struct trip *trips = NULL;
	size_t ntrip = 0, tripcap = 0;

	for (size_t i = 0; i <= tok->bytes.mask; i++) {
		const struct tk_str *e = &tok->bytes.ents[i];
		const char *s = tk_str_text(&tok->bytes, e);

		if (!e->hash)
			continue;
		for (uint32_t k = 1; k < e->len; k++) {
			const struct tk_str *a = kc_tok_strtab_get(&tok->bytes, s, k);
			const struct tk_str *b;

			if (!a || !(b = kc_tok_strtab_get(&tok->bytes, s + k, e->len - k)))
				continue;
			if (ntrip == tripcap) {
				size_t c = tripcap ? tripcap * 2 : 1 << 16;
				struct trip *v = realloc(trips, c * sizeof *v);

				if (!v) {
					free(trips);
					return kc_error_nomem(err);
				}
				trips = v;
				tripcap = c;
			}
			trips[ntrip++] = (struct trip){ a->id, b->id, e->id };
		}
	}
	if (kc_tok_pairs_init(tok, ntrip)) {
		free(trips);
		return kc_error_nomem(err);
	}
	for (size_t i = 0; i < ntrip; i++)
		kc_tok_pair_put(tok, trips[i].a, trips[i].b, trips[i].t, trips[i].t);
	free(trips);
	return KC_OK;
}

/* The encoding's special tokens, as added tokens. */
static kc_status add_specials(kc_tokenizer *tok, struct kc_error *err)
{
	const struct special *sp = tok->pretok == TK_PRE_CL100K ?
	                           cl100k_special : o200k_special;

	for (tok->n_added = 0; sp[tok->n_added].text; tok->n_added++)
		;
	tok->added = calloc(tok->n_added, sizeof *tok->added);
	if (!tok->added)
		return kc_error_nomem(err);
	for (size_t i = 0; i < tok->n_added; i++) {
		struct tk_added *a = &tok->added[i];

		a->len = strlen(sp[i].text);
		a->content = malloc(a->len + 1);
		if (!a->content)
			return kc_error_nomem(err);
		memcpy(a->content, sp[i].text, a->len + 1);
		a->id = sp[i].id;
		a->special = 1;
		if (a->id > tok->max_id)
			tok->max_id = a->id;
		if (kc_tok_trie_add(&tok->trie_raw, a->content, a->len, (int32_t)i))
			return kc_error_nomem(err);
	}
	return KC_OK;
}

kc_status kc_tok_load_tiktoken(kc_tokenizer *tok, const char *path,
                               struct kc_error *err)
{
	kc_status st;

	if ((st = read_ranks(tok, path, err)) ||
	    (st = which_encoding(tok, path, err)) ||
	    (st = make_merges(tok, err)))
		return st;
	return add_specials(tok, err);
}
