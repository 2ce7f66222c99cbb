#!/bin/sh
# t3090 - the manuals of kc-judge and kc-filter: mandoc -T lint clean,
# --help and SYNOPSIS list the same options, and the EXAMPLES that need
# no model server run as written.
. "$(dirname "$0")/lib.sh"

M=$SRC/man
J=$SRC/tests/judge

for t in kc-judge kc-filter; do
	test_expect_success "$t.1: mandoc -T lint" "
		mandoc -T lint -W warning \"\$M/$t.1\" >lint 2>&1 &&
		test_line_count = 0 lint
	"
	test_expect_success "$t: --help usage line is the SYNOPSIS" "
		$t --help | sed -n '/^Usage:/,/^\$/p' | sed 's/^Usage: //' |
			tr -s ' \n' '  ' | sed 's/ *\$//' >help &&
		mandoc -T ascii \"\$M/$t.1\" | col -bx |
			sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;\$d' |
			tr -s ' \n' '  ' | sed 's/^ *//; s/ *\$//' >syn &&
		test_cmp syn help
	"
	test_expect_success "$t: --help and OPTIONS name the same long options" "
		$t --help | grep -o -e '--[a-z][a-z-]*' | sort -u >help &&
		mandoc -T ascii \"\$M/$t.1\" | col -bx |
			sed -n '/^OPTIONS/,/^[A-Z]/p' |
			grep -o -e '--[a-z][a-z-]*' | sort -u >man &&
		test_cmp man help
	"
done

if ! [ -f "$DATA/predictions/r1searcher__hotpotqa_qwen.jsonl" ]; then
	test_skip 'kc-judge EXAMPLES: R1-Searcher generations' 'no data'
else
test_expect_success 'kc-judge EXAMPLES: R1-Searcher generations' '
	cp "$DATA/predictions/r1searcher__hotpotqa_qwen.jsonl" . &&
	python3 "$J/man-examples.py" "$M/kc-judge.1" r1searcher >ex.sh &&
	test -s ex.sh &&
	sh ex.sh 2>summary &&
	test_line_count = 500 judged.jsonl &&
	grep -q "^records 500  responses 500  answered 500" summary
'
fi

test_expect_success 'kc-filter EXAMPLES: one dataset without done ids' '
	printf "%s\t%s\n" m1 x m3 y >done.tsv &&
	printf "%s\n" "{\"id\":\"m1\",\"source\":\"musique\"}" \
		"{\"id\":\"m2\",\"source\":\"musique\"}" \
		"{\"id\":\"h1\",\"source\":\"hotpotqa\"}" >all.jsonl &&
	python3 "$J/man-examples.py" "$M/kc-filter.1" exclude-ids >ex.sh &&
	sh ex.sh &&
	echo "{\"id\":\"m2\",\"source\":\"musique\"}" >want &&
	test_cmp want todo.jsonl
'

test_expect_success 'the metrics the README names are the real ones' '
	sed -n "/the rewards (/{N;p;}" "$SRC/README" | tr "\n" " " |
		sed "s/.*the rewards (\([^)]*\)).*/\1/; s/LoongRL.s//; s/ and /,/g" |
		tr ",;" "\n\n" | tr -d " " | grep . >names &&
	test_line_count -ge 6 names &&
	while read -r m; do
		kc-judge -m "$m" </dev/null || { echo "not a metric: $m"; return 1; }
	done <names
'

test_done
