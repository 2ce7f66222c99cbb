#!/bin/sh
# t3020 - kc-judge gives the same extracted answers and the same numbers
# (em, sub_em, cem, f1 as the same double, format_em, format_f1) as the
# reference's Python definitions, re-typed in tests/judge/reference.py,
# on the generated test set plus the hand-written edge cases, for every
# extraction rule, with and without --reference-compat.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	test_skip 'comparison with the reference Python' 'no python3'
	test_done
fi

J=$SRC/tests/judge

test_expect_success 'the test set: generated, deterministic, >= 500 pairs' '
	python3 "$J/gen-cases.py" >cases.jsonl &&
	python3 "$J/gen-cases.py" >again.jsonl &&
	test_cmp cases.jsonl again.jsonl &&
	python3 -c "
import json, sys
p = sum(len(r[\"responses\"]) * len(r[\"answers\"])
        for r in map(json.loads, open(\"cases.jsonl\")))
print(p, \"pairs\")
sys.exit(p < 500)"
'

for rule in auto boxed think answer-is answer-line answer-tag none; do
	for compat in "" --reference-compat; do
		test_expect_success "same as the reference: --extract $rule $compat" "
			kc-judge --extract $rule $compat cases.jsonl >kc.jsonl &&
			python3 \"\$J/reference.py\" --extract $rule $compat \
				<cases.jsonl >ref.jsonl &&
			python3 \"\$J/compare.py\" ref.jsonl kc.jsonl $rule$compat
		"
	done
done

test_expect_success 'the comparison can fail (compat against strict)' '
	kc-judge --extract boxed cases.jsonl >kc.jsonl &&
	python3 "$J/reference.py" --extract boxed --reference-compat \
		<cases.jsonl >ref.jsonl &&
	test_must_fail python3 "$J/compare.py" ref.jsonl kc.jsonl x >out &&
	grep -q "edge-the-the" out
'

test_done
