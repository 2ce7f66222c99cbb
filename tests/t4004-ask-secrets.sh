#!/bin/sh
# The API key never shows: not in records, not in messages (even when a
# server echoes it back), not in ps once kc-ask has started.
# tests/ask/server.py stands in for vLLM (which cannot run here without
# a GPU).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

KEY=sk-test-5ecret-Key-0123456789
start_server s --key "$KEY" || exit 1
start_server slow --delay 2 || exit 1
echo '{"echo-me": ["echo"]}' >script.json
start_server echo --script script.json || exit 1
unset OPENAI_API_KEY

test_expect_success 'the key is sent as a bearer token' '
	make_input 3 >in.jsonl &&
	kc-ask -u "$(cat s.url)" --api-key "$KEY" in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl &&
	OPENAI_API_KEY=$KEY kc-ask -u "$(cat s.url)" in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl
'

test_expect_success 'a wrong key echoed back by the server is redacted' '
	make_input 2 >in.jsonl &&
	test_must_fail --status=1 kc-ask -u "$(cat s.url)" --api-key sk-WRONG-key-987654321 \
		in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --failed r0,r1 &&
	test_grep "HTTP 401" err &&
	test_grep "REDACTED" err &&
	test_grep "REDACTED" out.jsonl &&
	test_must_fail grep -e "WRONG" -e "987654321" err out.jsonl
'

test_expect_success 'the right key echoed back is redacted too' '
	echo "{\"id\":\"e\",\"prompt\":\"echo-me\"}" >in.jsonl &&
	test_must_fail --status=1 kc-ask -u "$(cat echo.url)" in.jsonl \
		--api-key "$KEY" >out.jsonl 2>err &&
	test_grep "Bearer \[REDACTED\]" err &&
	test_must_fail grep -e "5ecret" err out.jsonl
'

test_expect_success 'ps does not show --api-key once kc-ask runs' '
	make_input 2 >in.jsonl &&
	{ kc-ask -u "$(cat slow.url)" --api-key "$KEY" in.jsonl >out.jsonl 2>err & } &&
	pid=$! &&
	i=0 &&
	while [ ! -s slow.log ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done &&
	tr "\0" " " </proc/$pid/cmdline >cmdline &&
	wait $pid &&
	test_grep "kc-ask" cmdline &&
	test_grep "api-key" cmdline &&
	test_must_fail grep -e "5ecret" cmdline &&
	check in.jsonl out.jsonl
'

test_done
