#!/bin/sh
# Every tool through the same table of failure paths: an unknown option,
# --help (and --help to a full disk), a file that is not there, an empty
# input, a malformed line, the same bad line many times, a JSON array (a
# dataset file) on stdin, \u0000 in a record, a 100 MB line, a full disk
# for the output, and a reader that stops after one line (| head -1).
# Each row checks the message's shape (the tool's base name, the file and
# line), the exit status, and that every record read is written or
# reported.  A new tool goes into the table below.  kc-parquet writes a
# file, not standard output: its rows read the file back (kc-parquet -d),
# and its output rows are those of kc-parquet -d.
#
# kc-ask is in the option rows only: its other rows need a server, and
# its input and failure behaviour are tested in t4000-t4007.
. "$(dirname "$0")/lib.sh"

# tool | the command | its good input (2 records) | what it writes per record
table='kc-import|kc-import -q|canon.jsonl|line
kc-fill|kc-fill --pool pool.jsonl -l 4k|canon.jsonl|line
kc-chain|kc-chain|filled.jsonl|line
kc-render|kc-render|chained.jsonl|line
kc-verify|kc-verify|rendered.jsonl|summary
kc-judge|kc-judge|answered.jsonl|line
kc-filter|kc-filter|canon.jsonl|line
kc-tok|kc-tok --field question|canon.jsonl|line
kc-parquet|kc-parquet -o out.parquet|rendered.jsonl|parquet
kc-stats|kc-stats|rendered.jsonl|stats'

# What a parquet row wrote, as JSON lines in out.
written() {
	if test "$1" = parquet; then kc-parquet -d out.parquet >out; fi
}

test_expect_success 'setup: two good records for each tool, and the bad inputs' '
	kc-import -q "$SRC"/examples/data/hotpotqa/hipporag__hotpotqa_train.json >pool.jsonl &&
	head -2 pool.jsonl >canon.jsonl &&
	kc-fill --pool pool.jsonl -l 4k <canon.jsonl >filled.jsonl &&
	kc-chain <filled.jsonl >chained.jsonl &&
	kc-render <chained.jsonl >rendered.jsonl &&
	python3 -c "import json, sys
for l in open(\"canon.jsonl\"):
    r = json.loads(l)
    r[\"responses\"] = [\"The answer is \" + r[\"answers\"][0]]
    print(json.dumps(r))" >answered.jsonl &&
	for f in canon filled chained rendered answered; do
		test_line_count = 2 $f.jsonl || return 1
	done &&
	python3 -c "import sys
sys.stdout.write(\"{\\\"id\\\": \\\"\" + \"x\" * (100 << 20) + \"\\n\")" >huge.line &&
	test $(wc -c <huge.line) -gt 100000000
'

# Run each row for each tool.  $cmd is word-split on purpose.
while IFS='|' read -r tool cmd good writes; do

test_expect_success "$tool: an unknown option, in the tool's base name" '
	test_must_fail --status=2 "$BIN/'$tool'" --no-such-option >out 2>err &&
	test_must_be_empty out &&
	printf "%s\n" "'$tool': unknown option '"'"'--no-such-option'"'"'" \
		"Try '"'"''$tool' --help'"'"' for more information." >expect &&
	test_cmp expect err
'

test_expect_success "$tool: --help, and --help to a full disk" '
	"$BIN/'$tool'" --help >out 2>err &&
	test_must_be_empty err &&
	head -1 out | grep "^Usage: '$tool' " &&
	test_must_fail --status=2 "$BIN/'$tool'" --help >/dev/full 2>err &&
	test_grep "^'$tool': write error" err
'

test_expect_success "$tool: a file that is not there" '
	test_must_fail '"$cmd"' no-such.jsonl >out 2>err &&
	test_grep "^'$tool': no-such.jsonl: No such file or directory" err
'

test_expect_success "$tool: an empty input" '
	if test '$tool' = kc-verify || test '$tool' = kc-parquet; then
		test_must_fail --status=1 '"$cmd"' </dev/null >out 2>err &&
		test_grep "^'$tool': .*no records" err
	elif test '$tool' = kc-stats; then
		'"$cmd"' </dev/null >out 2>err &&
		test_grep "^== 0 records ==" out && test_must_be_empty err
	else
		'"$cmd"' </dev/null >out 2>err &&
		test_must_be_empty out && test_must_be_empty err
	fi
'

test_expect_success "$tool: a malformed line among good ones" '
	{ head -1 '$good'; echo "{\"id\": "; tail -1 '$good'; } >in.jsonl &&
	test_must_fail --status=1 '"$cmd"' in.jsonl >out 2>err &&
	written '$writes' &&
	test_grep "^'$tool': in.jsonl:2: malformed JSON" err &&
	test_line_count = 1 err &&
	if test '$writes' = summary; then
		test_grep "^2 records, 2 passed, 0 failed" out
	elif test '$writes' = stats; then
		test_grep "^== 2 records ==" out
	else
		test_line_count = 2 out
	fi
'

test_expect_success "$tool: the same bad line over and over is summed up" '
	{ head -1 '$good'; for i in 1 2 3 4 5 6 7 8 9 10; do echo "{\"id\": 1,"; done; } >in.jsonl &&
	test_must_fail --status=1 '"$cmd"' in.jsonl >out 2>err &&
	test_line_count = 4 err &&
	test_grep "^'$tool': in.jsonl:4: malformed JSON" err &&
	test_grep "^'$tool': in.jsonl: 7 more lines with the same error (malformed JSON" err
'

test_expect_success "$tool: a JSON array (a dataset file) on stdin" '
	{ echo "["; head -1 '$good' | sed "s/\$/,/"; tail -1 '$good'; echo "]"; } >array.json &&
	if test '$tool' = kc-import; then
		'"$cmd"' <array.json >out 2>err &&
		test_line_count = 2 out
	else
		test_must_fail --status=2 '"$cmd"' <array.json >out 2>err &&
		test_line_count = 1 err &&
		test_grep "^'$tool': -: a JSON array.*run kc-import first" err
	fi
'

test_expect_success "$tool: \\u0000 in a record is valid JSON" '
	python3 -c "import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    r[\"note\"] = \"a\\u0000b\"
    print(json.dumps(r))" '$good' >nul.jsonl &&
	'"$cmd"' nul.jsonl >out 2>err &&
	test_must_be_empty err &&
	written '$writes' &&
	case '$tool' in
	kc-verify) test_grep "^2 records, 2 passed" out ;;
	kc-tok) test_line_count = 2 out ;;
	kc-stats) test_grep "^== 2 records ==" out ;;
	*) test "$(grep -c "\"note\":\"a\\\\u0000b\"" out)" = 2 ;;
	esac
'

test_expect_success "$tool: a 100 MB line among good ones" '
	{ head -1 '$good'; cat huge.line; tail -1 '$good'; } >in.jsonl &&
	test_must_fail --status=1 '"$cmd"' in.jsonl >out 2>err &&
	written '$writes' &&
	test_grep "^'$tool': in.jsonl:2: " err &&
	test_line_count = 1 err &&
	if test '$writes' = summary; then
		test_grep "^2 records, 2 passed, 0 failed" out
	elif test '$writes' = stats; then
		test_grep "^== 2 records ==" out
	else
		test_line_count = 2 out
	fi
'

test_expect_success "$tool: a full disk for the output" '
	if test '$writes' = parquet; then
		'"$cmd"' '$good' && set -- kc-parquet -d out.parquet
	else
		set -- '"$cmd"' '$good'
	fi &&
	test_must_fail --status=2 "$@" >/dev/full 2>err &&
	test_grep "^'$tool': write error" err
'

test_expect_success "$tool: a reader that stops after one line" '
	for i in $(seq 40); do cat '$good'; done >many.jsonl &&
	if test '$writes' = parquet; then
		'"$cmd"' many.jsonl && set -- kc-parquet -d out.parquet
	else
		set -- '"$cmd"' many.jsonl
	fi &&
	{ "$@" 2>err; echo $? >rc; } | head -1 >first &&
	test_line_count = 1 first &&
	test_must_be_empty err &&
	case $(cat rc) in 0|1|141) ;; *) echo "exit $(cat rc)"; false ;; esac
'

done <<EOF
$table
EOF

# The option rows for kc-ask.
test_expect_success 'kc-ask: an unknown option, --help, --help to a full disk' '
	test_must_fail --status=2 "$BIN/kc-ask" --no-such-option >out 2>err &&
	test_must_be_empty out &&
	printf "%s\n" "kc-ask: unknown option '"'"'--no-such-option'"'"'" \
		"Try '"'"'kc-ask --help'"'"' for more information." >expect &&
	test_cmp expect err &&
	"$BIN/kc-ask" --help | head -1 | grep "^Usage: kc-ask " &&
	test_must_fail --status=2 "$BIN/kc-ask" --help >/dev/full 2>err &&
	test_grep "^kc-ask: write error" err
'

test_done
