#!/bin/sh
# t3110 - kc-judge | kc-filter keeps exactly the records the reference's
# three filter passes keep (tests/judge/reference-filter.py, re-typed from
# KeyChain): stage 1 (cem of the first "the answer is", 1..6 of 8), the
# second chance (not 0, not 8 of 8) and filter again (judge_utils' boxed
# judge, drop accuracy 1.0), on 300 generated items of 8 responses each.
# With --reference-compat the sets are equal; without it, kc drops the
# items whose only "correct" answers normalize to nothing.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	test_skip 'comparison with the reference filters' 'no python3'
	test_done
fi

J=$SRC/tests/judge
ids() { python3 "$J/jget.py" 'r["id"]'; }

test_expect_success 'the items: 300 x 8 responses, two shapes' '
	python3 "$J/gen-cases.py" --eight answer-is >is.jsonl &&
	python3 "$J/gen-cases.py" --eight boxed >boxed.jsonl &&
	test_line_count = 300 is.jsonl
'

for p in stage1 second-chance; do
	test_expect_success "--preset $p keeps what the reference keeps" "
		python3 \"\$J/reference-filter.py\" $p <is.jsonl >want &&
		kc-judge -e answer-is --reference-compat is.jsonl |
		kc-filter --preset $p | ids >got &&
		test_cmp want got &&
		kc-judge -e answer-is is.jsonl | kc-filter --preset $p | ids >strict &&
		test \$(wc -l <strict) -le \$(wc -l <want) &&
		echo \"# $p: reference keeps \$(wc -l <want), kc \$(wc -l <strict) without --reference-compat\"
	"
done

test_expect_success '--preset filter-again keeps what the reference keeps' '
	python3 "$J/reference-filter.py" filter-again <boxed.jsonl >want &&
	kc-judge -e boxed -m sub_em --reference-compat boxed.jsonl |
	kc-filter --preset filter-again | ids >got &&
	test_cmp want got
'

test_expect_success 'the histogram covers every count 0..8' '
	kc-judge -e answer-is is.jsonl | kc-filter --stats >/dev/null 2>err &&
	test $(grep -c "^ *[0-8]  " err) = 9
'

test_done
