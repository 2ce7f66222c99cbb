#!/bin/sh
# kc-ask --resume: a run killed with SIGKILL continues where it stopped,
# appending to its own output (>>), and every id ends up there exactly
# once with its answers.  tests/ask/server.py stands in for vLLM (which
# cannot run here without a GPU).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

start_server s --delay 0.02 || exit 1
URL=$(cat s.url)

test_expect_success 'kill -9 mid-run, then resume with >>: every id once, answered' '
	make_input 400 >in.jsonl &&
	: >out.jsonl &&
	{ kc-ask -u "$URL" -j 4 in.jsonl >out.jsonl 2>err & } &&
	pid=$! &&
	i=0 &&
	while [ "$(wc -l <out.jsonl)" -lt 40 ] && [ $i -lt 400 ]; do
		sleep 0.05; i=$((i + 1))
	done &&
	kill -9 $pid &&
	{ wait $pid; true; } &&
	n=$(wc -l <out.jsonl) &&
	test "$n" -ge 40 && test "$n" -lt 400 &&
	kc-ask --resume out.jsonl -u "$URL" -j 8 in.jsonl >>out.jsonl 2>err &&
	check in.jsonl out.jsonl &&
	test_grep "already answered (skipped)" err
'

test_expect_success 'a partial last line is cut off before appending' '
	make_input 6 >in.jsonl &&
	kc-ask -u "$URL" in.jsonl >full.jsonl &&
	head -n 3 full.jsonl >out.jsonl &&
	sed -n 4p full.jsonl | head -c 50 >>out.jsonl &&
	kc-ask --resume out.jsonl -u "$URL" in.jsonl >>out.jsonl 2>err &&
	check in.jsonl out.jsonl &&
	test_grep "out.jsonl: removed a partial last line (50 bytes)" err &&
	test_grep "6 records: 3 answered, 0 failed, 3 already answered" err
'

test_expect_success 'resuming into another file writes only the rest' '
	make_input 6 >in.jsonl &&
	kc-ask -u "$URL" in.jsonl >full.jsonl &&
	head -n 2 full.jsonl >old.jsonl &&
	printf "{\"id\":\"r4\",\"resp" >>old.jsonl &&
	kc-ask --resume old.jsonl -u "$URL" in.jsonl >new.jsonl &&
	check in.jsonl new.jsonl --skipped r0,r1 &&
	test_line_count = 2 old.jsonl
'

test_expect_success '> instead of >> is refused' '
	make_input 3 >in.jsonl &&
	kc-ask -u "$URL" in.jsonl >out.jsonl &&
	test_must_fail --status=2 kc-ask --resume out.jsonl -u "$URL" in.jsonl >out.jsonl 2>err &&
	test_grep "not opened for appending (use >>, not >)" err
'

test_expect_success 'failed records are asked again; the later line is the answer' '
	make_input 3 >in.jsonl &&
	test_must_fail kc-ask -u http://127.0.0.1:1/v1 --retries 0 --unreachable 0 \
		in.jsonl >out.jsonl 2>/dev/null &&
	kc-ask --resume out.jsonl -u "$URL" in.jsonl >>out.jsonl &&
	test_line_count = 6 out.jsonl &&
	tail -n 3 out.jsonl >last.jsonl &&
	check in.jsonl last.jsonl
'

test_expect_success '--max-failures stops a run whose server is gone; resume finishes it' '
	make_input 30 >in.jsonl &&
	test_must_fail --status=2 kc-ask -u http://127.0.0.1:1/v1 --retries 0 -j 2 \
		--unreachable 0 --max-failures 3 in.jsonl >out.jsonl 2>err &&
	test_grep "^kc-ask: 3 records failed: giving up" err &&
	test_line_count = 3 out.jsonl &&
	head -n 3 in.jsonl >first.jsonl &&
	check first.jsonl out.jsonl --failed r0,r1,r2 &&
	kc-ask --resume out.jsonl -u "$URL" in.jsonl >>out.jsonl &&
	tail -n 30 out.jsonl >last.jsonl &&
	check in.jsonl last.jsonl
'

test_expect_success 'missing resume file, resume from stdin: exit 2' '
	make_input 1 >in.jsonl &&
	test_must_fail --status=2 kc-ask --resume nosuch.jsonl -u "$URL" in.jsonl >out 2>err &&
	test_grep "nosuch.jsonl" err &&
	test_must_fail --status=2 kc-ask --resume - -u "$URL" in.jsonl >out 2>err
'

test_expect_success 'malformed lines inside the resume file are skipped with a warning' '
	make_input 4 >in.jsonl &&
	kc-ask -u "$URL" in.jsonl >full.jsonl &&
	{ head -n 1 full.jsonl; echo "{oops"; sed -n 2p full.jsonl; } >old.jsonl &&
	kc-ask --resume old.jsonl -u "$URL" in.jsonl >new.jsonl 2>err &&
	test_grep "old.jsonl:2: 1 malformed line ignored" err &&
	check in.jsonl new.jsonl --skipped r0,r1
'

test_done
