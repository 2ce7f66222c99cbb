#!/bin/sh
# t3000 - kc-judge as a command: options, the record it writes, the
# fields it reads, and bad input (each bad record reported with its file
# and line, the others written, exit 1).
. "$(dirname "$0")/lib.sh"

jget() { python3 "$SRC/tests/judge/jget.py" "$@"; }

test_expect_success '--help to stdout, exit 0; -V' '
	kc-judge --help >out &&
	grep -q "^Usage: kc-judge" out &&
	grep -q -- "--reference-compat" out &&
	kc-judge -V >v &&
	grep -q "^kc-judge (kc) " v
'

test_expect_success 'usage errors exit 2 with a hint' '
	test_must_fail --status=2 kc-judge --bogus 2>err &&
	grep -q "Try .kc-judge --help." err &&
	test_must_fail --status=2 kc-judge --extract=magic 2>err &&
	grep -q "unknown extraction rule .magic." err &&
	test_must_fail --status=2 kc-judge --metric=acc 2>err &&
	grep -q "unknown metric .acc. (em, sub_em, cem, f1, format_em or format_f1)" err &&
	test_must_fail --status=2 kc-judge --threshold=2 2>err &&
	test_must_fail --status=2 kc-judge --answers-field= 2>err
'

cat >in.jsonl <<'IN'
{"id":"a","source":"hotpotqa","answers":["Paris"],"responses":["<think>x</think>\\boxed{Paris}","The answer is Rome.","no idea"],"usage":{"prompt_tokens":10},"x":[1,{"y":null}]}
IN

test_expect_success 'adds judge; every other field unchanged' '
	kc-judge in.jsonl >out &&
	jget "{k: v for k, v in r.items() if k != \"judge\"}" <out >got &&
	jget "r" <in.jsonl >want &&
	test_cmp want got &&
	jget "[r[\"judge\"][k] for k in (\"extract\", \"metric\", \"n\", \"correct\", \"any_correct\")]" <out >got &&
	echo "[\"auto\",\"cem\",3,1,true]" >want &&
	test_cmp want got &&
	jget "[x[\"answer\"] for x in r[\"judge\"][\"responses\"]]" <out >got &&
	echo "[\"Paris\",\"Rome.\",null]" >want &&
	test_cmp want got
'

test_expect_success 'judging twice replaces judge' '
	kc-judge in.jsonl | kc-judge --metric f1 >out &&
	jget "[r[\"judge\"][\"metric\"], r[\"judge\"][\"threshold\"], list(r).count(\"judge\")]" <out >got &&
	echo "[\"f1\",0.75,1]" >want &&
	test_cmp want got
'

test_expect_success 'prediction and pred records: one response, rule none' '
	printf "%s\n" "{\"id\":1,\"prediction\":\"the Paris\",\"answers\":[\"Paris\"]}" \
		"{\"id\":2,\"pred\":\"\\\\boxed{Paris}\",\"answers\":[\"Paris\"]}" >p.jsonl &&
	kc-judge p.jsonl >out &&
	jget "[r[\"judge\"][\"extract\"], r[\"judge\"][\"n\"], r[\"judge\"][\"responses\"][0][\"em\"]]" <out >got &&
	printf "%s\n" "[\"none\",1,1]" "[\"none\",1,0]" >want &&
	test_cmp want got
'

test_expect_success '--response-field and --answers-field (a gold string, a dotted path)' '
	printf "%s\n" "{\"gen\":\"...</think> <answer> Rome </answer>\",\"answer\":\"Rome\"}" >r1.jsonl &&
	kc-judge -r gen -a answer -e answer-tag r1.jsonl >out &&
	jget "[r[\"judge\"][\"correct\"], r[\"judge\"][\"responses\"][0][\"answer\"]]" <out >got &&
	echo "[1,\"Rome\"]" >want &&
	test_cmp want got &&
	printf "%s\n" "{\"reward_model\":{\"ground_truth\":[\"x\",\"Rome\"]},\"out\":[\"\\\\boxed{rome}\",\"\\\\boxed{no}\"]}" >v.jsonl &&
	kc-judge -r out -a reward_model.ground_truth v.jsonl >out &&
	jget "[r[\"judge\"][\"correct\"], r[\"judge\"][\"n\"]]" <out >got &&
	echo "[1,2]" >want &&
	test_cmp want got
'

test_expect_success 'an answer that normalizes to "" scores 0; --reference-compat restores the hole' '
	printf "%s\n" "{\"id\":\"h\",\"answers\":[\"Paris\"],\"responses\":[\"\\\\boxed{the}\",\"\\\\boxed{.}\",\"The answer is .\"]}" >hole.jsonl &&
	kc-judge hole.jsonl >out &&
	jget "[[x[\"sub_em\"], x[\"cem\"]] for x in r[\"judge\"][\"responses\"]]" <out >got &&
	echo "[[0,0],[0,0],[0,0]]" >want &&
	test_cmp want got &&
	kc-judge --reference-compat hole.jsonl >out &&
	jget "[[x[\"sub_em\"], x[\"cem\"]] for x in r[\"judge\"][\"responses\"]] + [r[\"judge\"][\"reference_compat\"]]" <out >got &&
	echo "[[1,1],[1,1],[1,1],true]" >want &&
	test_cmp want got
'

cat >bad.jsonl <<'IN'
{"id":1,"answers":["a"],"responses":["\\boxed{a}"]}
{"id":2,"answers":["a"]
{"id":3,"answers":["a"]}
{"id":4,"answers":["a"],"responses":"a"}
{"id":5,"answers":["a"],"responses":["a",7]}
{"id":6,"answers":"a","responses":["a"]}
{"id":7,"answers":[],"responses":["a"]}
{"id":8,"answers":["a",null],"responses":["a"]}
{"id":9,"answers":["a"],"responses":[]}
[1,2]
{"id":11,"answers":["a"],"prediction":{"text":"a"}}
{"id":12,"answers":["a"],"responses":["\\boxed{a}"]}
IN

test_expect_success 'bad records: reported with file:line, the rest written, exit 1' '
	test_must_fail --status=1 kc-judge bad.jsonl >out 2>err &&
	jget "r[\"id\"]" <out >got &&
	printf "%s\n" 1 12 >want &&
	test_cmp want got &&
	cat >want <<-\EOF &&
	kc-judge: bad.jsonl:2: malformed JSON: '"'"'}'"'"' expected near end of file (column 23)
	kc-judge: bad.jsonl:3: missing "responses" (or "prediction")
	kc-judge: bad.jsonl:4: "responses" is a string, not an array
	kc-judge: bad.jsonl:5: "responses"[1] is an integer, not a string
	kc-judge: bad.jsonl:6: "answers" is a string, not an array
	kc-judge: bad.jsonl:7: "answers" is empty
	kc-judge: bad.jsonl:8: "answers"[1] is null, not a string
	kc-judge: bad.jsonl:9: "responses" is empty
	kc-judge: bad.jsonl:10: record is not an object
	kc-judge: bad.jsonl:11: "prediction" is an object, not a string
	EOF
	test_cmp want err
'

test_expect_success 'invalid UTF-8, a missing file, empty input' '
	printf "{\"answers\":[\"a\"],\"responses\":[\"\\377\"]}\n" >utf.jsonl &&
	test_must_fail --status=1 kc-judge utf.jsonl nothere.jsonl >out 2>err &&
	grep -q "utf.jsonl:1: invalid UTF-8" err &&
	grep -q "nothere.jsonl: No such file" err &&
	kc-judge </dev/null >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err
'

test_expect_success 'no final newline; stdin as -' '
	printf "{\"answers\":[\"a\"],\"responses\":[\"a\"]}" | kc-judge - >out &&
	test_line_count = 1 out
'

test_expect_success 'a 10 MB response is judged (no error, no quadratic time)' '
	python3 -c "
import json
s = \"{\\\\\\\\boxed{\" * 600000 + \"the \" * 700000 + \"\\\\\\\\boxed{Paris}\"
print(json.dumps({\"answers\": [\"Paris\"], \"responses\": [s, s]}))" >big.jsonl &&
	test $(wc -c <big.jsonl) -gt 10000000 &&
	kc-judge --extract boxed big.jsonl >out &&
	jget "[r[\"judge\"][\"correct\"], r[\"judge\"][\"responses\"][0][\"answer\"]]" <out >got &&
	echo "[2,\"Paris\"]" >want &&
	test_cmp want got
'

test_expect_success '> /dev/full fails with exit 2' '
	test_must_fail --status=2 kc-judge in.jsonl >/dev/full 2>err &&
	grep -q "write error" err
'

test_expect_success 'a closed pipe stops it quietly' '
	for i in $(seq 2000); do cat in.jsonl; done >many.jsonl &&
	{ kc-judge many.jsonl 2>err; echo $? >rc; } | head -n 1 >out &&
	test_line_count = 1 out &&
	test_line_count = 0 err
'

test_expect_success '--summary: averages and the histogram of correct counts' '
	printf "%s\n" \
		"{\"answers\":[\"Rome\"],\"responses\":[\"\\\\boxed{Paris}\",\"\\\\boxed{Oslo}\"]}" \
		"{\"answers\":[\"Rome\"],\"responses\":[\"\\\\boxed{Rome}\",\"\\\\boxed{Oslo}\"]}" \
		"{\"answers\":[\"Rome\"],\"responses\":[\"\\\\boxed{Rome}\",\"\\\\boxed{rome.}\"]}" \
		"{\"answers\":[\"Rome\"],\"responses\":[\"\\\\boxed{Rome}\",\"x\",\"y\",\"z\"]}" >s.jsonl &&
	kc-judge --summary s.jsonl 2>err >/dev/null &&
	cat err &&
	grep -q "^records 4  responses 10  answered 7  metric cem" err &&
	grep -q "^pass rate  macro 0.4375  micro 0.4000  any correct 0.7500" err &&
	grep -q "^      0        1\$" err &&
	grep -q "^      1        2\$" err &&
	grep -q "^      2        1\$" err
'

test_done
