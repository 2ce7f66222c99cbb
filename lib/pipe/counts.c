/*
 * counts.c - passage token counts kept on disk between runs.
 *
 * Counting the pool's passages (and the distractor questions) is most
 * of what kc-fill does on a sample (each is counted the first time it is
 * drawn), and every kc-fill process counts them again: each dataset,
 * each length, each shard of a fan-out.  The counts are kept in one file
 * per tokenizer:
 *
 *   "kc-cnt1\n"       8 bytes of magic and version, then
 *   fingerprint       u64: the tokenizer, by the ids it gives `canary`
 *   n                 u64: entries, then n of
 *   hash, len, count  u64, u32, u32: the pool's hash of a passage's
 *                     title and text (or of a question), the length
 *                     counted, its count
 *
 * in the machine's byte order, sorted by hash.  A count is used only
 * for a passage of the same hash and length, with a tokenizer of the same
 * fingerprint (a changed tokenizer.json makes a new file).  Counts are
 * exact either way: the file only saves the work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/private.h"
#include "pipe/private.h"

static const char magic[8] = "kc-cnt1\n";

/* Text whose ids tell tokenizers apart: words, digits, punctuation,
 * white space runs and several scripts. */
static const char canary[] =
	"The quick brown fox (1897-1962) jumped 3.14159 metres; 'don't'?\n\n"
	"  Ångström, naïve café, Straße, 東京都, Москва, القاهرة, हिन्दी, "
	"😀 emoji, tab\there, {\"key\": \"a1b2c3d4\"}. <|im_start|> 2024年";

struct entry {
	uint64_t hash;
	uint32_t len, count;
};

static int by_hash(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static kc_status fingerprint(kc_tokenizer *tok, uint64_t *fp,
                             struct kc_error *err)
{
	kc_tokens t = { 0 };
	kc_status st = kc_tokenizer_encode(tok, canary, sizeof canary - 1, &t,
	                                   0, err);

	if (!st)
		*fp = kc_hash64(t.ids, t.n * sizeof *t.ids, 0x636f756e7473);
	kc_tokens_release(&t);
	return st;
}

/* dir/FINGERPRINT.counts into path. */
static kc_status file_of(const char *dir, uint64_t fp, char *path,
                         size_t size, struct kc_error *err)
{
	if ((size_t)snprintf(path, size, "%s/%016llx.counts", dir,
	                     (unsigned long long)fp) >= size)
		return kc_error_set(err, KC_EINVAL, "%s: path too long", dir);
	return KC_OK;
}

/* The entries of the file (none when it does not exist). */
static kc_status read_entries(const char *path, uint64_t fp,
                              struct entry **out, size_t *n,
                              struct kc_error *err)
{
	FILE *f = fopen(path, "rb");
	char m[8];
	uint64_t head[2];
	struct stat sb;
	kc_status st = KC_OK;

	*out = NULL;
	*n = 0;
	if (!f)
		return errno == ENOENT ? KC_OK : kc_error_io(err, path);
	if (fread(m, 1, 8, f) != 8 || memcmp(m, magic, 8) ||
	    fread(head, sizeof head[0], 2, f) != 2 || head[0] != fp)
		st = kc_error_set(err, KC_EFORMAT, "%s: not a count file of "
		                  "this tokenizer", path);
	else if (fstat(fileno(f), &sb) || sb.st_size < 24 ||
	         ((uint64_t)sb.st_size - 24) % sizeof **out ||
	         head[1] != ((uint64_t)sb.st_size - 24) / sizeof **out)
		st = kc_error_set(err, KC_EFORMAT, "%s: truncated or too long",
		                  path);
	else if (!(*out = malloc((size_t)head[1] * sizeof **out + 1)))
		st = kc_error_nomem(err);
	else if (fread(*out, sizeof **out, (size_t)head[1], f) != head[1])
		st = kc_error_io(err, path);
	fclose(f);
	if (st) {
		free(*out);
		*out = NULL;
		return st;
	}
	*n = (size_t)head[1];
	for (size_t i = 1; i < *n; i++)
		if ((*out)[i - 1].hash >= (*out)[i].hash) {
			free(*out);
			*out = NULL;
			*n = 0;
			return kc_error_set(err, KC_EFORMAT, "%s: not sorted", path);
		}
	return KC_OK;
}

static const struct entry *find(const struct entry *e, size_t n, uint64_t h)
{
	struct entry key = { .hash = h };

	return bsearch(&key, e, n, sizeof *e, by_hash);
}

kc_status kc_pool_counts_load(kc_pool *pool, kc_tokenizer *tok,
                              const char *dir, size_t *found,
                              struct kc_error *err)
{
	char path[4096];
	struct entry *e;
	uint64_t fp;
	size_t n;
	kc_status st;

	*found = 0;
	if (!kc_tokenizer_exact(tok))
		return KC_OK;            /* nothing worth keeping */
	if ((st = fingerprint(tok, &fp, err)) ||
	    (st = file_of(dir, fp, path, sizeof path, err)) ||
	    (st = read_entries(path, fp, &e, &n, err)))
		return st;
	for (size_t i = 0; n && i < kc_pool_count_items(pool); i++) {
		uint64_t key;
		uint32_t len, count;
		const struct entry *x;

		kc_pool_count_get(pool, tok, i, &key, &len, &count);
		x = find(e, n, key);
		/* a count over the length cannot be: a token is a byte or more */
		if (x && x->len == len && x->count <= len) {
			kc_pool_count_set(pool, tok, i, x->count);
			++*found;
		}
	}
	free(e);
	return KC_OK;
}

/* The file's entries and the pool's known counts, sorted, one a hash;
 * *added: how many of the pool's were not in the file. */
static kc_status merge(kc_pool *pool, const kc_tokenizer *tok,
                       struct entry **e, size_t *n, size_t *added,
                       struct kc_error *err)
{
	size_t np = kc_pool_count_items(pool), m = *n;
	struct entry *all = realloc(*e, (m + np + 1) * sizeof *all);

	if (!all)
		return kc_error_nomem(err);
	*e = all;
	*added = 0;
	for (size_t i = 0; i < np; i++) {
		struct entry x;

		if (!kc_pool_count_get(pool, tok, i, &x.hash, &x.len, &x.count))
			continue;
		if (!find(all, *n, x.hash)) {
			all[m++] = x;
			++*added;
		}
	}
	qsort(all, m, sizeof *all, by_hash);
	*n = 0;
	for (size_t i = 0; i < m; i++)          /* a passage in two pools */
		if (!*n || all[*n - 1].hash != all[i].hash)
			all[(*n)++] = all[i];
	return KC_OK;
}

/* mkdir -p dir. */
static kc_status make_dir(const char *dir, struct kc_error *err)
{
	char p[4096];
	size_t n = strlen(dir);

	if (n >= sizeof p)
		return kc_error_set(err, KC_EINVAL, "%s: path too long", dir);
	memcpy(p, dir, n + 1);
	for (size_t i = 1; i <= n; i++)
		if (p[i] == '/' || p[i] == '\0') {
			char c = p[i];

			p[i] = '\0';
			if (mkdir(p, 0777) && errno != EEXIST)
				return kc_error_io(err, p);
			p[i] = c;
		}
	return KC_OK;
}

static kc_status write_entries(const char *dir, const char *path,
                               uint64_t fp, const struct entry *e, size_t n,
                               struct kc_error *err)
{
	char tmp[4200];
	uint64_t head[2] = { fp, n };
	kc_status st = make_dir(dir, err);
	FILE *f;
	int fd, bad;

	if (st)
		return st;
	snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
		return kc_error_io(err, dir);
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "wb"))) {
		close(fd);
		unlink(tmp);
		return kc_error_io(err, tmp);
	}
	bad = fwrite(magic, 1, 8, f) != 8 ||
	      fwrite(head, sizeof *head, 2, f) != 2 ||
	      fwrite(e, sizeof *e, n, f) != n;
	if (fclose(f) || bad) {
		unlink(tmp);
		return kc_error_io(err, tmp);
	}
	if (rename(tmp, path)) {
		unlink(tmp);
		return kc_error_io(err, path);
	}
	return KC_OK;
}

kc_status kc_pool_counts_save(kc_pool *pool, kc_tokenizer *tok,
                              const char *dir, size_t *written,
                              struct kc_error *err)
{
	char path[4096];
	struct entry *e = NULL;
	uint64_t fp;
	size_t n = 0, added = 0;
	kc_status st;

	*written = 0;
	if (!kc_tokenizer_exact(tok))
		return KC_OK;
	if ((st = fingerprint(tok, &fp, err)) ||
	    (st = file_of(dir, fp, path, sizeof path, err)))
		return st;
	/* what other runs wrote meanwhile is kept; a bad file is replaced */
	if (read_entries(path, fp, &e, &n, NULL) != KC_OK)
		n = 0;
	if (!(st = merge(pool, tok, &e, &n, &added, err)) && added &&
	    !(st = write_entries(dir, path, fp, e, n, err)))
		*written = n;
	free(e);
	return st;
}
