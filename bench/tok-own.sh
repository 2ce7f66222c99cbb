#!/bin/sh
# bench/tok-own.sh - the costs inside libkc's tokenizer, as ratios measured
# in the same run, single thread (CPU time):
#
#   count_concat  a prompt of the pipeline's shape ("Please read ...",
#                 "Passage 1:\n", passage, "\n\nPassage 2:\n", ...) of
#                 about 128K Qwen tokens, recounted as kc-fill does while
#                 it fills: kc_tokenizer_count_concat over the pieces
#                 (memo warm) against kc_tokenizer_count of the joined
#                 text (per-word cache warm);
#   word cache    kc_tokenizer_count with the per-word cache warm against
#                 kc_tokenizer_encode on a fresh handle (cache cold);
#   load          opening each tokenizer.
#
# The passages are the real HotpotQA ones in ../shared/data/real (KC_DATA).
# The reference tokenizers are compared in bench/tok.sh; this one only
# shows where kc's own time goes.  A small C driver is built against
# $KC_BUILD/lib/libkc.a.
set -u
cd "$(dirname "$0")/.." || exit 2
: "${KC_BUILD:=build}"
data=${KC_DATA:-../shared/data/real}
lib=$KC_BUILD/lib/libkc.a
[ -f "$lib" ] || { echo "tok-own: build first ($lib)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# passages, one per line, JSON-escaped newlines removed: title\ntext
python3 - "$data" >"$tmp/passages.txt" <<'PY' || exit 1
import glob, json, sys
seen = set()
for f in sorted(glob.glob(sys.argv[1] + '/hotpotqa/*.json')):
    try:
        d = json.load(open(f))
    except Exception:
        continue
    for r in d if isinstance(d, list) else []:
        for c in r.get('context', []) if isinstance(r, dict) else []:
            if isinstance(c, list) and len(c) == 2:
                p = c[0] + '\n' + ''.join(c[1])
                if p not in seen and '\0' not in p:
                    seen.add(p)
                    print(json.dumps(p))
PY
[ -s "$tmp/passages.txt" ] || { echo "tok-own: no passages in $data" >&2; exit 1; }

cat >"$tmp/b.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kc.h"

static double cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* the fastest of `reps` timings of f, as seconds per call */
#define BEST(reps, expr) ({ double best = 1e9; \
	for (int r_ = 0; r_ < (reps); r_++) { double t0_ = cpu(); expr; \
		double t_ = cpu() - t0_; if (t_ < best) best = t_; } best; })

int main(int argc, char **argv)
{
	FILE *f = fopen(argv[1], "r");
	static struct kc_strref p[20000];
	static char hdr[10000][32];
	char *line = NULL, *all;
	size_t cap = 0, np = 0, total = 0, a = 0, b = 0, n = 0;
	ssize_t got;
	struct kc_error err;
	kc_tokenizer *tok, *fresh;
	kc_tokens t = { 0 };
	int np_pass = 0;

	if (!f || kc_tokenizer_open(&tok, "qwen", &err)) {
		fprintf(stderr, "tok-own: %s\n", f ? err.text : argv[1]);
		return 1;
	}
	p[np++] = (struct kc_strref){ "Please read the following text.\n", 32 };
	/* passages until about 128K tokens */
	while ((got = getline(&line, &cap, f)) > 0 && a < 127000 && np < 19990) {
		json_t *s = json_loads(line, JSON_DECODE_ANY, NULL);
		size_t k;

		if (!json_is_string(s)) {
			json_decref(s);
			continue;
		}
		snprintf(hdr[np_pass], sizeof hdr[np_pass], "%sPassage %d:\n",
		         np_pass ? "\n\n" : "", np_pass + 1);
		p[np++] = (struct kc_strref){ hdr[np_pass], strlen(hdr[np_pass]) };
		p[np++] = (struct kc_strref){ strdup(json_string_value(s)),
		                              json_string_length(s) };
		np_pass++;
		json_decref(s);
		kc_tokenizer_count(tok, p[np - 1].s, p[np - 1].len, &k, &err);
		a += k + 5;
	}
	for (size_t i = 0; i < np; i++)
		total += p[i].len;
	all = malloc(total);
	for (size_t i = 0; i < np; i++) {
		memcpy(all + n, p[i].s, p[i].len);
		n += p[i].len;
	}
	kc_tokenizer_count(tok, all, n, &a, &err);
	kc_tokenizer_count_concat(tok, p, np, &b, &err);
	if (a != b) {
		fprintf(stderr, "tok-own: count_concat %zu != count %zu\n", b, a);
		return 1;
	}
	double tc = BEST(20, kc_tokenizer_count(tok, all, n, &a, &err));
	double tcc = BEST(20, kc_tokenizer_count_concat(tok, p, np, &b, &err));
	printf("prompt: %d passages, %zu pieces, %.2f MB, %zu tokens\n",
	       np_pass, np, n / 1e6, a);
	printf("  count of the joined text (word cache warm)  %8.3f ms  %7.1f MB/s\n",
	       tc * 1e3, n / 1e6 / tc);
	printf("  count_concat of the pieces (memo warm)      %8.3f ms  %7.1f MB/s  %5.1fx\n",
	       tcc * 1e3, n / 1e6 / tcc, tc / tcc);

	/* encode on a fresh handle: the open is not timed */
	double best = 1e9;
	for (int r = 0; r < 3; r++) {
		kc_tokenizer_open(&fresh, "qwen", &err);
		double t0 = cpu();
		kc_tokenizer_encode(fresh, all, n, &t, 0, &err);
		double t1 = cpu() - t0;
		kc_tokenizer_free(fresh);
		if (t1 < best)
			best = t1;
	}
	printf("  encode, fresh handle (word cache cold)      %8.3f ms  %7.1f MB/s\n",
	       best * 1e3, n / 1e6 / best);
	printf("  count, word cache warm, against that        %8.3f ms  %7.1f MB/s  %5.1fx\n",
	       tc * 1e3, n / 1e6 / tc, best / tc);
	{
		static const char *names[] = { "qwen", "llama3", "cl100k", "o200k" };

		printf("  load:");
		for (int i = 0; i < 4; i++) {
			double t0 = cpu();

			if (kc_tokenizer_open(&fresh, names[i], &err)) {
				printf(" %s: %s", names[i], err.text);
				continue;
			}
			printf(" %s %.3f s%s", names[i], cpu() - t0, i < 3 ? "," : "\n");
			kc_tokenizer_free(fresh);
		}
	}
	kc_tokens_release(&t);
	kc_tokenizer_free(tok);
	return 0;
}
EOF
cc -O2 -std=gnu11 -Ilib $(pkg-config --cflags jansson) -o "$tmp/b" "$tmp/b.c" \
	"$lib" $(pkg-config --libs jansson libutf8proc) -lm || exit 1
KC_TOKENIZER_DIR=${KC_TOKENIZER_DIR:-$KC_BUILD/share/kc/tokenizers} \
	taskset -c 0 "$tmp/b" "$tmp/passages.txt" 2>/dev/null ||
KC_TOKENIZER_DIR=${KC_TOKENIZER_DIR:-$KC_BUILD/share/kc/tokenizers} \
	"$tmp/b" "$tmp/passages.txt"
