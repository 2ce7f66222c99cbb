#!/bin/sh
# Bad input to kc-fill, kc-chain and kc-render: each bad line is reported
# with its file and line, the tool goes on with the next, exits 1, and
# writes every good record; nothing crashes.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: good records at each stage, and bad lines' '
	kc-import -q "$DATA"/hotpotqa/hipporag__hotpotqa_train.json >pool.jsonl &&
	head -2 pool.jsonl >raw.jsonl &&
	kc-fill --pool pool.jsonl -l 4k <raw.jsonl >filled.jsonl &&
	kc-chain <filled.jsonl >chained.jsonl &&
	printf "{\"id\": \"bad\377\376\", \"question\": \"q\"}\n" >utf8.line &&
	python3 -c "import sys; sys.stdout.write(\"{\\\"id\\\": \\\"\" + \"x\" * (100 << 20) + \"\n\")" >huge.line &&
	test $(wc -c <huge.line) -gt 100000000
'

for stage in fill:raw chain:filled render:chained; do
	tool=kc-${stage%%:*}
	in=${stage#*:}.jsonl
	case $tool in
	kc-fill) cmd="kc-fill --pool pool.jsonl -l 4k" ;;
	*) cmd=$tool ;;
	esac
	test_expect_success "$tool: invalid UTF-8, a 100 MB line, no final newline" '
		{ cat utf8.line; head -1 '$in'; cat huge.line; tail -1 '$in' | tr -d "\n"; } >bad.jsonl &&
		test_must_fail --status=1 '"$cmd"' bad.jsonl >out 2>err &&
		test_line_count = 2 out &&
		test_grep "^'$tool': bad.jsonl:1: invalid UTF-8" err &&
		test_grep "^'$tool': bad.jsonl:3: malformed JSON" err &&
		test_line_count = 2 err
	'
	test_expect_success "$tool: an empty file and an empty line" '
		: >empty.jsonl &&
		'"$cmd"' empty.jsonl >out &&
		test_line_count = 0 out &&
		{ echo; head -1 '$in'; echo; } | '"$cmd"' >out &&
		test_line_count = 1 out
	'
	test_expect_success "$tool: a file that is not there, and a directory" '
		test_must_fail '"$cmd"' no-such.jsonl >out 2>err &&
		test_grep "no-such.jsonl" err &&
		test_must_fail '"$cmd"' . >out 2>err &&
		test_grep "^'$tool': \." err
	'
done

test_done
