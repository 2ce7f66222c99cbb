#!/bin/sh
# t3100 - kc-filter: bands by count (absolute and relative to n) and by
# pass rate, presets, id lists, sources, --stats, and bad input (a record
# without the fields a filter needs is reported, never silently dropped).
. "$(dirname "$0")/lib.sh"

ids() { python3 "$SRC/tests/judge/jget.py" 'r["id"]'; }

# compact, in jansson's key order, so the output must equal the input
cat >in.jsonl <<'IN'
{"id":"a","source":"hotpotqa","judge":{"n":8,"correct":0,"pass_rate":0.0},"x":[1,{"y":null}]}
{"id":"b","source":"musique","judge":{"n":8,"correct":1,"pass_rate":0.125}}
{"id":"c","source":"2wikimqa","judge":{"n":8,"correct":6,"pass_rate":0.75}}
{"id":"d","source":"hotpotqa","judge":{"n":8,"correct":7,"pass_rate":0.875}}
{"id":"e","source":"hotpotqa","judge":{"n":8,"correct":8,"pass_rate":1.0}}
{"id":17,"source":"musique","judge":{"n":4,"correct":3,"pass_rate":0.75}}
{"id":"g","source":"musique","judge":{"n":4,"correct":4,"pass_rate":1.0}}
IN

test_expect_success '--help, -V, usage errors' '
	kc-filter --help >out &&
	grep -q "^Usage: kc-filter" out &&
	kc-filter -V | grep -q "^kc-filter (kc) " &&
	test_must_fail --status=2 kc-filter --correct 6..1 2>err &&
	grep -q "empty range .6..1." err &&
	test_must_fail --status=2 kc-filter --correct x 2>err &&
	grep -q "invalid range" err &&
	test_must_fail --status=2 kc-filter --correct n+1.. 2>err &&
	test_must_fail --status=2 kc-filter --pass-rate 0..2 2>err &&
	test_must_fail --status=2 kc-filter --preset nope 2>err &&
	grep -q "unknown preset" err &&
	test_must_fail --status=2 kc-filter --preset stage1 --correct 1..2 2>err &&
	grep -q "given twice" err &&
	test_must_fail --status=2 kc-filter --ids nothere.ids 2>err &&
	grep -q "nothere.ids" err
'

test_expect_success 'no filter: every record written unchanged' '
	kc-filter in.jsonl >out &&
	test_cmp in.jsonl out
'

test_expect_success '--correct A..B, A.., ..B, A' '
	kc-filter --correct 1..6 in.jsonl | ids >got &&
	printf "%s\n" b c 17 g >want && test_cmp want got &&
	kc-filter --correct 7.. in.jsonl | ids >got &&
	printf "%s\n" d e >want && test_cmp want got &&
	kc-filter --correct ..0 in.jsonl | ids >got &&
	echo a >want && test_cmp want got &&
	kc-filter -c 4 in.jsonl | ids >got &&
	echo g >want && test_cmp want got
'

test_expect_success 'bounds relative to judge.n, and the presets' '
	kc-filter --correct 1..n-1 in.jsonl | ids >got &&
	printf "%s\n" b c d 17 >want && test_cmp want got &&
	kc-filter --preset second-chance in.jsonl | ids >got2 &&
	test_cmp want got2 &&
	kc-filter --preset filter-again in.jsonl | ids >got &&
	printf "%s\n" a b c d 17 >want && test_cmp want got &&
	kc-filter --pass-rate 0..0.99 in.jsonl | ids >got2 &&
	test_cmp want got2 &&
	kc-filter --preset stage1 in.jsonl | ids >got &&
	printf "%s\n" b c 17 g >want && test_cmp want got
'

test_expect_success '--pass-rate' '
	kc-filter --pass-rate 0.1..0.9 in.jsonl | ids >got &&
	printf "%s\n" b c d 17 >want && test_cmp want got &&
	kc-filter -p 1 in.jsonl | ids >got &&
	printf "%s\n" e g >want && test_cmp want got
'

test_expect_success '--ids, --exclude-ids (blanks, CRLF, integer ids), --source' '
	printf " c \r\n\n17\nzz\n" >keep.ids &&
	printf "17\n" >drop.ids &&
	kc-filter --ids keep.ids in.jsonl | ids >got &&
	printf "%s\n" c 17 >want && test_cmp want got &&
	kc-filter --ids keep.ids --exclude-ids drop.ids in.jsonl | ids >got &&
	echo c >want && test_cmp want got &&
	kc-filter -S musique -S 2wikimqa in.jsonl | ids >got &&
	printf "%s\n" b c 17 g >want && test_cmp want got &&
	kc-filter -S musique --preset filter-again in.jsonl | ids >got &&
	printf "%s\n" b 17 >want && test_cmp want got
'

test_expect_success '--stats: kept, dropped by reason, the histogram' '
	printf "c\n" >drop.ids &&
	kc-filter --stats -x drop.ids -S hotpotqa -S 2wikimqa -P stage1 \
		in.jsonl >/dev/null 2>err &&
	head -n 1 err >got &&
	echo "read 7  kept 0  dropped 7  bad 0" >want && test_cmp want got &&
	sed -n 2p err >got &&
	echo "dropped by  source 3  ids 0  exclude-ids 1  correct 3  pass-rate 0" >want &&
	test_cmp want got &&
	sed -n "3,\$p" err >got &&
	cat >want <<-\EOF &&
	correct     read     kept
	      0        1        0
	      1        1        0
	      2        0        0
	      3        1        0
	      4        1        0
	      5        0        0
	      6        1        0
	      7        1        0
	      8        1        0
	EOF
	test_cmp want got
'

cat >bad.jsonl <<'IN'
{"id":"a","source":"s","judge":{"n":8,"correct":3,"pass_rate":0.375}}
{"id":"b","source":"s"}
{"id":"c","source":"s","judge":{"n":8,"correct":"3"}}
{"id":"d","source":"s","judge":{"correct":3}}
{"source":"s","judge":{"n":8,"correct":3,"pass_rate":0.375}}
{"id":"f","judge":{"n":8,"correct":3,"pass_rate":0.375}}
{"id":"g","source":"s","judge":"yes"}
not json
{"id":"i","source":"s","judge":{"n":8,"correct":3,"pass_rate":0.375}}
IN

test_expect_success 'missing fields are errors with file:line, not drops' '
	echo a >any.ids && echo i >>any.ids &&
	test_must_fail --status=1 kc-filter -c 1..n-1 -i any.ids -S s bad.jsonl >out 2>err &&
	ids <out >got &&
	printf "%s\n" a i >want && test_cmp want got &&
	cat >want <<-\EOF &&
	kc-filter: bad.jsonl:2: missing "judge" (run kc-judge first)
	kc-filter: bad.jsonl:3: "judge.correct" is missing or not a count
	kc-filter: bad.jsonl:4: "judge.n" is missing or not a count
	kc-filter: bad.jsonl:5: "id" is missing or not a string or an integer
	kc-filter: bad.jsonl:6: "source" is missing or not a string
	kc-filter: bad.jsonl:7: "judge" is not an object
	kc-filter: bad.jsonl:8: malformed JSON: invalid token near '"'"'not'"'"' (column 3)
	EOF
	test_cmp want err &&
	test_must_fail --status=1 kc-filter -p 0..1 bad.jsonl >out 2>err &&
	grep -q "bad.jsonl:4: \"judge.pass_rate\" is missing" err
'

test_expect_success 'empty input, > /dev/full, closed pipe' '
	kc-filter </dev/null >out 2>err &&
	test_line_count = 0 out && test_line_count = 0 err &&
	test_must_fail --status=2 kc-filter in.jsonl >/dev/full 2>err &&
	grep -q "write error" err &&
	for i in $(seq 3000); do cat in.jsonl; done >many.jsonl &&
	kc-filter many.jsonl 2>err | head -n 1 >out &&
	test_line_count = 1 out && test_line_count = 0 err
'

test_done
