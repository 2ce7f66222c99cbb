#!/bin/sh
# --seed: each request's seed comes from (seed, record id, request) only,
# so answers do not depend on the order of the records or on sharding.
# tests/ask/server.py stands in for vLLM (which cannot run here without
# a GPU) and logs the seed of every request.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

start_server s || exit 1
URL=$(cat s.url)

# seeds LOG: "prompt seed" per request, sorted
seeds() {
	python3 -c "
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(r[\"prompt\"], r[\"n\"], r[\"seed\"])
" "$1" | sort
}

test_expect_success 'seeds do not depend on record order or sharding' '
	make_input 40 >in.jsonl &&
	{ echo "{\"prompt\":\"no id\"}"; cat in.jsonl; } >in2.jsonl &&
	kc-ask -u "$URL" --seed 7 -j 8 in2.jsonl >out.jsonl &&
	seeds s.log >a &&
	: >s.log &&
	tac in2.jsonl >rev.jsonl &&
	head -n 20 rev.jsonl | kc-ask -u "$URL" --seed 7 -j 3 >/dev/null &&
	tail -n +21 rev.jsonl | kc-ask -u "$URL" --seed 7 -j 1 >/dev/null &&
	seeds s.log >b &&
	test_cmp a b &&
	test_line_count = 41 a
'

test_expect_success 'seeds differ by record, by request and by --seed' '
	make_input 40 >in.jsonl &&
	: >s.log &&
	kc-ask -u "$URL" --seed 7 -n 4 --n-per-request 2 in.jsonl >/dev/null &&
	seeds s.log >c &&
	: >s.log &&
	kc-ask -u "$URL" --seed 8 -n 4 --n-per-request 2 in.jsonl >/dev/null &&
	seeds s.log >d &&
	python3 -c "
import sys
c = [l.split() for l in open(\"c\")]
d = [l.split() for l in open(\"d\")]
assert len(c) == 80 and len(set(s for _, _, s in c)) == 80, c[:4]
assert all(0 <= int(s) < 2**31 for _, _, s in c)
assert len(set(s for _, _, s in c) & set(s for _, _, s in d)) < 3
"
'

test_expect_success 'no --seed, no seed sent' '
	make_input 3 >in.jsonl &&
	: >s.log &&
	kc-ask -u "$URL" in.jsonl >/dev/null &&
	seeds s.log >e &&
	test_must_fail grep -v " None$" e
'

test_done
