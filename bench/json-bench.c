/*
 * json-bench.c - the C side of bench/json.sh: parse and dump speed of
 * kc_json_parse / kc_json_dump against json_loadb / json_dumps on the same
 * lines in the same process, and a generator of long-passage records.
 *
 *   json-bench gen N SIZE    N records whose "docs" hold SIZE bytes of text
 *   json-bench rss CMD...    run CMD (stdout to /dev/null), print its peak
 *                            RSS in kB (from a small process, so that what
 *                            the parent had mapped before exec is small)
 *   json-bench FILE...       time parse and dump on each JSON line of FILE
 *
 * Each measurement runs the lines round after round until a second has
 * passed, three times, and keeps the best; the reference and ours
 * alternate so that both see the same machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include "kc.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct lines {
	char **s;
	size_t *len, n, bytes;
	json_t **v;
};

static void load(struct lines *L, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f) {
		perror(path);
		exit(2);
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		if (!n)
			continue;
		L->s = realloc(L->s, (L->n + 1) * sizeof *L->s);
		L->len = realloc(L->len, (L->n + 1) * sizeof *L->len);
		L->s[L->n] = malloc((size_t)n);
		memcpy(L->s[L->n], line, (size_t)n);
		L->len[L->n++] = (size_t)n;
		L->bytes += (size_t)n;
	}
	free(line);
	fclose(f);
	L->v = calloc(L->n, sizeof *L->v);
	for (size_t i = 0; i < L->n; i++) {
		L->v[i] = json_loadb(L->s[i], L->len[i], JSON_DECODE_ANY, NULL);
		if (!L->v[i]) {
			fprintf(stderr, "%s: line %zu does not parse\n", path, i + 1);
			exit(2);
		}
	}
}

enum job { REF_PARSE, KC_PARSE, REF_DUMP, KC_DUMP };

static int sink;

/* One round over every line; returns the bytes it went through. */
static size_t round_of(const struct lines *L, enum job job, kc_buf *buf)
{
	size_t bytes = 0;

	for (size_t i = 0; i < L->n; i++) {
		json_t *v;
		char *s;

		switch (job) {
		case REF_PARSE:
			v = json_loadb(L->s[i], L->len[i], JSON_DECODE_ANY, NULL);
			sink += v != NULL;
			json_decref(v);
			break;
		case KC_PARSE:
			v = kc_json_parse(L->s[i], L->len[i], NULL);
			sink += v != NULL;
			json_decref(v);
			break;
		case REF_DUMP:
			s = json_dumps(L->v[i], JSON_COMPACT | JSON_ENCODE_ANY);
			sink += s != NULL;
			free(s);
			break;
		case KC_DUMP:
			buf->len = 0;
			sink += kc_json_dump(L->v[i], buf) == KC_OK;
			break;
		}
		bytes += L->len[i];
	}
	return bytes;
}

static double rate(const struct lines *L, enum job job, kc_buf *buf)
{
	double t0 = now(), t;
	size_t bytes = 0;

	do
		bytes += round_of(L, job, buf);
	while ((t = now() - t0) < 1.0);
	return (double)bytes / t / 1e6;
}

static void bench(const char *path)
{
	struct lines L = { 0 };
	double best[4] = { 0 };
	kc_buf buf;

	kc_buf_init(&buf, 0);
	load(&L, path);
	for (int rep = 0; rep < 3; rep++)
		for (int j = 0; j < 4; j++) {
			double r = rate(&L, (enum job)j, &buf);
			if (r > best[j])
				best[j] = r;
		}
	printf("%s: %zu lines, %.1f MB\n", path, L.n, (double)L.bytes / 1e6);
	printf("  parse  json_loadb %7.1f MB/s   kc_json_parse %7.1f MB/s   x%.2f\n",
	       best[REF_PARSE], best[KC_PARSE], best[KC_PARSE] / best[REF_PARSE]);
	printf("  dump   json_dumps %7.1f MB/s   kc_json_dump  %7.1f MB/s   x%.2f\n",
	       best[REF_DUMP], best[KC_DUMP], best[KC_DUMP] / best[REF_DUMP]);
	for (size_t i = 0; i < L.n; i++) {
		free(L.s[i]);
		json_decref(L.v[i]);
	}
	free(L.s);
	free(L.len);
	free(L.v);
	kc_buf_release(&buf);
}

/*
 * Records shaped like the pipeline's at 32K: a question, and docs whose
 * text is sentences of words, with the quotes, newlines and non-ASCII
 * letters real passages have.
 */
static void gen(long n, long size)
{
	static const char *words[] = {
		"the", "of", "album", "released", "in", "1976", "by", "American",
		"singer", "\"Hello\"", "caf\xc3\xa9", "Z\xc3\xbcrich", "\xe2\x80\x93",
		"born", "was", "a", "Scott", "Derrickson", "film", "director",
	};
	kc_rng r;

	kc_rng_seed(&r, 1, "bench", 5, "gen");
	for (long i = 0; i < n; i++) {
		json_t *rec = json_object(), *docs = json_array();
		long left = size;

		json_object_set_new(rec, "id", json_sprintf("bench-%ld", i));
		json_object_set_new(rec, "source", json_string("hotpotqa"));
		json_object_set_new(rec, "question",
		                    json_string("Were Scott Derrickson and Ed Wood "
		                                "of the same nationality?"));
		json_object_set_new(rec, "answers", json_pack("[s]", "yes"));
		while (left > 0) {
			kc_buf t;
			json_t *doc;

			kc_buf_init(&t, 0);
			for (int s = 0; s < 8; s++) {
				int nw = 8 + (int)kc_rng_below(&r, 20);
				for (int w = 0; w < nw; w++) {
					kc_buf_puts(&t, w ? " " : s ? " " : "");
					kc_buf_puts(&t, words[kc_rng_below(&r,
					            sizeof words / sizeof *words)]);
				}
				kc_buf_puts(&t, kc_rng_below(&r, 10) ? "." : ".\n");
			}
			doc = json_pack("{s:s, s:s}", "title", "A title",
			                "text", t.data);
			json_array_append_new(docs, doc);
			left -= (long)t.len;
			kc_buf_release(&t);
		}
		json_object_set_new(rec, "docs", docs);
		json_object_set_new(rec, "supporting", json_pack("[i,i]", 0, 3));
		kc_json_write_line(stdout, rec, NULL);
		json_decref(rec);
	}
}

static int rss(char **cmd)
{
	struct rusage ru;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "json-bench: %s failed\n", cmd[0]);
		return 2;
	}
	printf("%ld\n", ru.ru_maxrss);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "rss"))
		return rss(argv + 2);
	if (argc == 4 && !strcmp(argv[1], "gen")) {
		gen(atol(argv[2]), atol(argv[3]));
		return fclose(stdout) ? 2 : 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: json-bench gen N SIZE | json-bench FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++)
		bench(argv[i]);
	return sink < 0;
}
