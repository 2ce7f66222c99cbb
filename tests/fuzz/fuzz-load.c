/*
 * fuzz-load.c - libFuzzer target for the tokenizer.json and .tiktoken
 * loaders: whatever the file holds, opening it gives a tokenizer or an
 * error, never a crash; a tokenizer that opens encodes a text.
 *
 * The first input byte chooses the format (even: tokenizer.json, odd:
 * .tiktoken named cl100k...); the rest is the file, written to a
 * temporary file for kc_tokenizer_open.  Seeds: tests/fuzz/run makes
 * small valid files of both kinds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	char path[128];
	struct kc_error err;
	kc_tokenizer *tok;
	kc_tokens t = { 0 };
	FILE *f;
	size_t n;

	if (size < 1)
		return 0;
	if (!dir[0]) {
		snprintf(dir, sizeof dir, "/tmp/kc-fuzz-load-%ld", (long)getpid());
		if (mkdir(dir, 0700) && errno != EEXIST)
			abort();
	}
	snprintf(path, sizeof path, "%s/%s", dir,
	         data[0] & 1 ? "cl100k_base.tiktoken" : "tokenizer.json");
	if (!(f = fopen(path, "wb")))
		abort();
	if (size > 1 && fwrite(data + 1, 1, size - 1, f) != size - 1)
		abort();
	if (fclose(f))
		abort();
	if (kc_tokenizer_open(&tok, path, &err) == KC_OK) {
		static const char text[] = "Hello, world! It's 2026 <|endoftext|> "
		                           "caf\xc3\xa9 \xe4\xbd\xa0\xe5\xa5\xbd\xff";
		if (kc_tokenizer_encode(tok, text, sizeof text - 1, &t, 1, &err) ||
		    kc_tokenizer_count(tok, text, sizeof text - 1, &n, &err) ||
		    n != t.n)
			abort();
		kc_tokens_release(&t);
		kc_tokenizer_free(tok);
	} else if (!err.text[0]) {
		abort();   /* an error must say something */
	}
	return 0;
}
