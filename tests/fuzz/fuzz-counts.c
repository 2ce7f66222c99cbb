/*
 * fuzz-counts.c - libFuzzer target for kc-fill's count files
 * (lib/pipe/counts.c): whatever a count file holds after its header, a
 * load gives counts or an error, never a crash, and a save after it
 * merges a new count in and writes a file that loads again.
 *
 * The input is the file after its magic and the tokenizer's fingerprint
 * (the target writes those, so the fuzzer reaches the entries): the
 * number of entries, then the entries.  The pool is a few passages of a
 * small canonical file; the tokenizer is Qwen's (KC_TOKENIZER_DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kc.h"
#include "pipe/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64], path[160];
static unsigned char head[16];     /* magic and fingerprint */
static kc_tokenizer *tok;

static void die(const char *what, const struct kc_error *err)
{
	fprintf(stderr, "fuzz-counts: %s: %s\n", what, err ? err->text : "");
	exit(1);
}

/* A pool of a few passages, with nothing counted. */
static kc_pool *pool_of(void)
{
	char file[128];
	struct kc_error err;
	kc_pool *pool;
	FILE *f;

	snprintf(file, sizeof file, "%s/pool.jsonl", dir);
	if (!(f = fopen(file, "w")))
		die(file, NULL);
	for (int i = 0; i < 8; i++)
		fprintf(f, "{\"id\": \"q%d\", \"question\": \"Question %d?\", "
		        "\"answers\": [\"a\"], \"docs\": [{\"title\": \"T%d\", "
		        "\"text\": \"Text %d. It ends.\"}], \"supporting\": [0]}\n",
		        i, i, i, i);
	fclose(f);
	kc_error_clear(&err);
	if (kc_pool_new(&pool) || kc_pool_load(pool, file, &err))
		die("pool", &err);
	return pool;
}

/* Count every passage once and save: the file's name and header. */
static void init(void)
{
	struct kc_error err;
	kc_pool *pool;
	size_t n, c;
	FILE *f;
	char cmd[128];

	snprintf(dir, sizeof dir, "/tmp/fuzz-counts.%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
	if (system(cmd))
		die(dir, NULL);
	kc_error_clear(&err);
	if (kc_tokenizer_open(&tok, "qwen", &err))
		die("tokenizer (set KC_TOKENIZER_DIR)", &err);
	pool = pool_of();
	for (size_t i = 0; i < kc_pool_passages(pool); i++)
		if (kc_pool_passage_tokens(pool, tok, i, &c, &err))
			die("count", &err);
	if (kc_pool_counts_save(pool, tok, dir, &n, &err) || !n)
		die("save", &err);
	snprintf(cmd, sizeof cmd, "ls %s/*.counts", dir);
	if (!(f = popen(cmd, "r")) || !fgets(path, sizeof path, f))
		die("no count file", NULL);
	pclose(f);
	path[strcspn(path, "\n")] = '\0';
	if (!(f = fopen(path, "rb")) || fread(head, 1, 16, f) != 16)
		die(path, NULL);
	fclose(f);
	kc_pool_free(pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kc_error err;
	kc_pool *pool;
	size_t found, written;
	FILE *f;

	if (!tok)
		init();
	if (!(f = fopen(path, "wb")) || fwrite(head, 1, 16, f) != 16 ||
	    fwrite(data, 1, size, f) != size || fclose(f))
		die(path, NULL);
	pool = pool_of();
	kc_error_clear(&err);
	if (kc_pool_counts_load(pool, tok, dir, &found, &err) == KC_OK) {
		size_t c;

		kc_error_clear(&err);
		if (kc_pool_passage_tokens(pool, tok, 0, &c, &err) ||
		    kc_pool_counts_save(pool, tok, dir, &written, &err) ||
		    kc_pool_counts_load(pool, tok, dir, &found, &err))
			die("save and load again", &err);
	}
	kc_pool_free(pool);
	return 0;
}
