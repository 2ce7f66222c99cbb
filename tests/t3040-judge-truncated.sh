#!/bin/sh
# kc-judge --truncated keep|wrong|skip: answers cut short (kc-ask's
# finish_reasons "length") are judged, counted wrong, or left out.  The
# expected counts are worked out below by hand from the records.
. "$(dirname "$0")/lib.sh"

# Four answers, all right; the second and fourth were cut short.
cat >in.jsonl <<'EOF2'
{"id":"a","answers":["Paris"],"responses":["The answer is Paris","The answer is Paris","The answer is Paris","The answer is Paris"],"finish_reasons":["stop","length","stop","length"]}
{"id":"b","answers":["Paris"],"responses":["The answer is Paris","The answer is Paris"],"finish_reasons":["length","length"]}
{"id":"c","answers":["Paris"],"responses":["The answer is Paris"],"finish_reasons":["stop"]}
{"id":"d","answers":["Paris"],"responses":["The answer is Paris","The answer is Paris"],"finish_reasons":["length"]}
EOF2

# judged FIELD...: one line per record with those judge fields
judged() {
	python3 -c '
import json, sys
for l in open("out.jsonl"):
    j = json.loads(l)["judge"]
    print(" ".join(str(j.get(k)) for k in sys.argv[1:]))
' "$@"
}

test_expect_success 'keep (the default): judged like the others, counted' '
	kc-judge -e answer-is in.jsonl >out.jsonl &&
	judged n correct truncated truncated_as >got &&
	printf "%s\n" "4 4 2 keep" "2 2 2 keep" "1 1 None None" \
		"2 2 None None" >expect &&
	test_cmp expect got
'

test_expect_success 'wrong: counted as wrong, not judged' '
	kc-judge -e answer-is --truncated wrong in.jsonl >out.jsonl &&
	judged n correct pass_rate truncated >got &&
	printf "%s\n" "4 2 0.5 2" "2 0 0.0 2" "1 1 1.0 None" \
		"2 2 1.0 None" >expect &&
	test_cmp expect got &&
	python3 -c "
import json
r = json.loads(open(\"out.jsonl\").readline())[\"judge\"][\"responses\"]
assert r[1] == dict(answer=None, truncated=True, em=0, sub_em=0, cem=0,
                    f1=0.0, format_em=0, format_f1=0.0), r[1]
assert \"truncated\" not in r[0] and r[0][\"cem\"] == 1, r[0]
"
'

test_expect_success 'skip: left out of n, correct and pass_rate' '
	kc-judge -e answer-is --truncated skip -s in.jsonl >out.jsonl 2>sum &&
	judged n correct pass_rate >got &&
	printf "%s\n" "2 2 1.0" "0 0 0.0" "1 1 1.0" "2 2 1.0" >expect &&
	test_cmp expect got &&
	test_grep "^records 4  responses 5 " sum &&
	python3 -c "
import json
r = json.loads(open(\"out.jsonl\").readline())[\"judge\"][\"responses\"]
assert len(r) == 4 and r[3] == dict(answer=None, truncated=True,
                                    skipped=True), r
"
'

test_expect_success 'skip, then kc-filter: a record with no complete answer is not kept' '
	kc-judge -e answer-is --truncated skip in.jsonl |
		kc-filter --correct 1..8 >kept.jsonl &&
	python3 -c "
import json
print(\" \".join(json.loads(l)[\"id\"] for l in open(\"kept.jsonl\")))
" >got &&
	echo "a c d" >expect &&
	test_cmp expect got
'

test_expect_success 'an unknown rule lists the valid ones' '
	test_must_fail --status=2 kc-judge --truncated drop in.jsonl 2>err &&
	test_grep "unknown --truncated .drop. (keep, wrong or skip)" err
'

test_done
