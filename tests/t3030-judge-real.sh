#!/bin/sh
# t3030 - kc-judge on real model outputs, compared with the numbers stored
# beside them (../shared/data/real/predictions; see its SOURCES.md):
#  - R1-Searcher generations: our <answer> extraction equals their
#    pred_ans on every row; agreement of em/sub_em/cem/f1 with their
#    GPT-4o judge is reported; the scores equal reference.py's.
#  - leideng CSVs: our f1 equals their LongBench-style f1 column within
#    1e-6 on every row, on the raw response or after LongBench's
#    parse_generation() (which some of their runs applied); the scores
#    equal reference.py's.
. "$(dirname "$0")/lib.sh"

P=$DATA/predictions
J=$SRC/tests/judge
if ! command -v python3 >/dev/null 2>&1 || ! [ -d "$P" ]; then
	test_skip 'real predictions' 'no python3 or no data'
	test_done
fi

for f in hotpotqa 2wiki; do
	test_expect_success "R1-Searcher $f: extraction equals pred_ans" "
		python3 \"\$J/real-data.py\" r1 \"\$P/r1searcher__${f}_qwen.jsonl\" >r1-$f.jsonl &&
		kc-judge -e answer-tag r1-$f.jsonl >tag-$f.jsonl &&
		python3 \"\$J/real-data.py\" report-r1 tag-$f.jsonl >>numbers &&
		kc-judge r1-$f.jsonl >auto-$f.jsonl &&
		python3 \"\$J/real-data.py\" report-r1 auto-$f.jsonl >auto.out
	"
	test_expect_success "R1-Searcher $f: scores equal the reference's" "
		python3 \"\$J/reference.py\" --extract answer-tag <r1-$f.jsonl >ref-$f.jsonl &&
		python3 \"\$J/compare.py\" ref-$f.jsonl tag-$f.jsonl r1-$f >>numbers
	"
done

test_expect_success 'R1-Searcher, the fields kc-judge reads directly' '
	kc-judge -r gen_text_store -a answer -e answer-tag \
		"$P/r1searcher__hotpotqa_qwen.jsonl" >direct.jsonl &&
	python3 "$J/jget.py" "r[\"judge\"][\"responses\"][0][\"cem\"]" <direct.jsonl >a &&
	python3 "$J/jget.py" "r[\"judge\"][\"responses\"][0][\"cem\"]" <tag-hotpotqa.jsonl >b &&
	test_cmp a b
'

for csv in "$P"/leideng__*.csv; do
	b=$(basename "$csv" .csv)
	test_expect_success "leideng ${b#leideng__}: f1 equals theirs" "
		python3 \"\$J/real-data.py\" leideng \"$csv\" >$b.raw &&
		python3 \"\$J/real-data.py\" leideng \"$csv\" --parse >$b.parsed &&
		kc-judge -e none -m f1 $b.raw >$b.raw.out &&
		kc-judge -e none -m f1 $b.parsed >$b.parsed.out &&
		python3 \"\$J/real-data.py\" report-leideng $b.raw.out $b.parsed.out >>numbers &&
		python3 \"\$J/reference.py\" --extract none <$b.raw >$b.ref &&
		python3 \"\$J/compare.py\" $b.ref $b.raw.out $b >>numbers
	"
done

sed "s|$P/||; s|^|# |" numbers 2>/dev/null
test_done
