#!/bin/sh
# kc-ask keeps --concurrency requests in flight from one process, never
# more, and reads ahead a bounded number of records.  The scripted
# server (tests/ask/server.py, standing in for vLLM, which cannot run
# here without a GPU) records the peak number of requests it handles at
# once.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

start_server slow --delay 1 || exit 1
start_server slow4 --delay 0.3 || exit 1
echo '{"p0": ["slow:2"]}' >script.json
start_server head --script script.json || exit 1

test_expect_success '64 requests in flight with --concurrency 64' '
	make_input 192 >in.jsonl &&
	kc-ask -u "$(cat slow.url)" -j 64 in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl &&
	test "$(server_stat slow peak)" -eq 64
'

test_expect_success 'never more than --concurrency' '
	make_input 24 q >in.jsonl &&
	kc-ask -u "$(cat slow4.url)" -j 4 in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl &&
	test "$(server_stat slow4 peak)" -eq 4
'

test_expect_success 'a slow first record holds back at most 2 x concurrency records' '
	make_input 100 >in.jsonl &&
	kc-ask -u "$(cat head.url)" -j 4 in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl &&
	python3 -c "
import json
log = [json.loads(l) for l in open(\"head.log\")]
t0 = [r[\"t\"] for r in log if r[\"prompt\"] == \"p0\"][0]
early = [r for r in log if r[\"t\"] < t0 + 1.5]
# the window holds 8 records: p0 and the 7 after it
assert len(early) == 8, [r[\"prompt\"] for r in early]
"
'

test_done
