/*
 * fuzz-tok.c - libFuzzer target for the encode path: sanitizing, added
 * tokens, NFC, the hand-written pre-tokenizers and the BPE merges, on the
 * four real tokenizers.
 *
 * The first input byte picks the tokenizer, the rest is the text.  Beyond
 * "no crash, no sanitizer report", each input checks what must hold
 * whatever the text:
 *   - every pre-tokenizer makes progress and stays in bounds;
 *   - count == the number of ids; offsets never go back and stay inside;
 *   - for valid UTF-8 that NFC leaves alone, the tokens' bytes put
 *     together are the text;
 *   - count_concat of the text cut in pieces (at places taken from the
 *     input) == count.
 * Build and run: tests/fuzz/run (clang -fsanitize=fuzzer,address,undefined).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tok/private.h"

static kc_tokenizer *toks[4];
static const char *names[4] = { "qwen", "llama3", "cl100k", "o200k" };

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kc_error err;

	(void)argc;
	(void)argv;
	for (int i = 0; i < 4; i++) {
		if (kc_tokenizer_open(&toks[i], names[i], &err)) {
			fprintf(stderr, "fuzz-tok: %s (set KC_TOKENIZER_DIR)\n", err.text);
			abort();
		}
	}
	return 0;
}

static void pretok_bounds(const uint8_t *s, size_t n)
{
	for (int kind = 0; kind < 4; kind++) {
		size_t pos = 0, seen;

		while (pos < n) {
			size_t end = kc_tok_pretok_next(kind, s, n, pos, &seen);

			if (end <= pos || end > n || seen < end)
				abort();
			pos = end;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static kc_tokens t;
	static kc_buf clean, norm;
	struct kc_error err;
	kc_tokenizer *tok;
	const char *text;
	const uint8_t *s, *ns;
	size_t n, nn, count = 0, cat = 0, m = 0, len;
	struct kc_strref pieces[16];
	size_t np = 0, at = 0;

	if (size < 1)
		return 0;
	tok = toks[data[0] % 4];
	text = (const char *)data + 1;
	n = size - 1;

	if (kc_tok_sanitize((const uint8_t *)text, n, &clean, &s, &nn, NULL))
		abort();
	pretok_bounds(s, nn);

	if (kc_tokenizer_encode(tok, text, n, &t, 1, &err) ||
	    kc_tokenizer_count(tok, text, n, &count, &err))
		abort();
	if (count != t.n)
		abort();
	for (size_t i = 0; i < t.n; i++)
		if ((i && t.offsets[i] < t.offsets[i - 1]) || t.offsets[i] >= n)
			abort();

	/* the text comes back, when nothing changed it */
	if (s == (const uint8_t *)text &&
	    (!tok->nfc || (!kc_tok_nfc(s, nn, &norm, &ns, &len, NULL, 0) &&
	                   ns == s))) {
		for (size_t i = 0; i < t.n; i++) {
			const char *b = kc_tokenizer_token(tok, t.ids[i], &len);

			if (!b || m + len > n || memcmp(text + m, b, len))
				abort();
			m += len;
		}
		if (m != n)
			abort();
	}

	/* cut where the input says */
	for (size_t i = 0; i < 15 && at < n; i++) {
		size_t l = data[(i * 7 + 3) % size] % 24;

		if (l > n - at)
			l = n - at;
		pieces[np++] = (struct kc_strref){ text + at, l };
		at += l;
	}
	pieces[np++] = (struct kc_strref){ text + at, n - at };
	if (kc_tokenizer_count_concat(tok, pieces, np, &cat, &err) || cat != count)
		abort();
	return 0;
}
