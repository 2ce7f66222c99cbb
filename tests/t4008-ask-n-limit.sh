#!/bin/sh
# kc-ask against a server that caps n (llama.cpp's server: n at most its
# number of slots, refused with an HTTP 400): the samples are split
# across requests by kc-ask, with one note; each request's usage is kept;
# --stats says whose figures are whose; -t counts every answer.  The
# scripted server (tests/ask/server.py --max-n) answers as llama.cpp
# does, in its words; t4100 does the same against the real one.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

start_server cap --max-n 4 || exit 1
URL=$(cat cap.url)

test_expect_success 'n=8 against at most 4: split in two, one note, nothing failed' '
	make_input 40 >in.jsonl &&
	kc-ask -u "$URL" -n 8 -j 8 in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --n 8 --npr 4 &&
	cat err &&
	test_line_count = 1 err &&
	test_grep "^kc-ask: note: the server accepts at most n=4 per request: asking the 8 answers of each record in requests of at most 4 (--n-per-request 4 says so from the start)" err
'

test_expect_success 'the refusals: no more than the window held, and not counted as attempts' '
	python3 -c "
import json
log = [json.loads(l) for l in open(\"cap.log\")]
refused = [r for r in log if r[\"n\"] > 4]
assert 1 <= len(refused) <= 16, len(refused)
ok = [r for r in log if r[\"n\"] <= 4]
assert len(ok) == 80 and all(r[\"n\"] == 4 for r in ok), len(ok)
"
'

test_expect_success 'with --seed: the same seeds as --n-per-request 4 from the start' '
	make_input 10 s >in.jsonl &&
	kc-ask -u "$URL" -n 8 --seed 7 in.jsonl >auto.jsonl 2>/dev/null &&
	kc-ask -u "$URL" -n 8 --seed 7 --n-per-request 4 in.jsonl >given.jsonl &&
	test_cmp given.jsonl auto.jsonl &&
	python3 -c "
import json
seeds = {}
for r in map(json.loads, open(\"cap.log\")):
    if r[\"prompt\"].startswith(\"s\") and r[\"n\"] == 4:
        seeds.setdefault(r[\"prompt\"], set()).add(r[\"seed\"])
assert len(seeds) == 10 and all(len(v) == 2 for v in seeds.values()), seeds
"
'

test_expect_success 'n=6 with --n-per-request 6: split into 4 and 2' '
	make_input 5 t >in.jsonl &&
	kc-ask -u "$URL" -n 6 --n-per-request 6 in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --n 6 --npr 4 &&
	test_grep "at most n=4" err
'

test_expect_success 'a cap of 1: every answer its own request' '
	start_server one --max-n 1 &&
	make_input 3 u >in.jsonl &&
	kc-ask -u "$(cat one.url)" -n 3 in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --n 3 --npr 1
'

test_expect_success 'more parts than a record has room for: the server'"'"'s error, not a crash' '
	make_input 2 v >in.jsonl &&
	test_must_fail --status=1 kc-ask -u "$(cat one.url)" -n 100 in.jsonl >out.jsonl 2>err &&
	test_grep "HTTP 400: Field .n.: Value must be between 1 <= value <= 1, but got" err &&
	check in.jsonl out.jsonl --failed r0,r1
'

test_expect_success '--stats: the totals, the server'"'"'s figures said to be its own' '
	make_input 4 w >in.jsonl &&
	kc-ask -u "$URL" -n 8 --stats in.jsonl >out.jsonl 2>err &&
	cat err &&
	test_grep "^kc-ask: 4 records written (4 answered), 32 answers from 8 requests (" err &&
	python3 - <<-\EOF
	import json, sys
	sys.path.insert(0, "'"$SRC"'/tests/ask")
	from server import usage_of
	p = c = 0
	for r in map(json.loads, open("in.jsonl")):
	    p += 2 * usage_of(r["prompt"], 4)["prompt_tokens"]
	    c += 2 * usage_of(r["prompt"], 4)["completion_tokens"]
	want = ("kc-ask: the server'"'"'s usage, summed as reported: %d prompt tokens"
	        " (once per request), %d completion tokens" % (p, c))
	err = open("err").read()
	assert want in err, (want, err)
	assert "answers not counted by kc (-t TOKENIZER counts them)" in err
	EOF
'

test_expect_success '-t: every answer counted, the same count kc-tok gives' '
	make_input 3 x >in.jsonl &&
	kc-ask -u "$URL" -n 2 -t qwen --stats in.jsonl >out.jsonl 2>err &&
	python3 -c "
import json
for r in map(json.loads, open(\"out.jsonl\")):
    assert len(r[\"response_tokens\"]) == 2
    for t, n in zip(r[\"responses\"], r[\"response_tokens\"]):
        print(n, t)
" >counts &&
	while read -r n text; do
		printf "%s" "$text" >one.txt &&
		test "$(kc-tok --raw one.txt)" = "$n" || return 1
	done <counts &&
	test_grep "counted by kc with qwen: [0-9]* tokens in 6 answers" err
'

test_done
