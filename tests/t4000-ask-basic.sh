#!/bin/sh
# kc-ask against a scripted OpenAI-compatible server on loopback
# (tests/ask/server.py stands in for vLLM, which cannot run here without
# a GPU): answers, n, usage, pass-through, options, bad input, output
# errors.  Expected outputs come from the server's own answer().
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

start_server s --key test-key-123 || exit 1
start_server slow --delay 0.3 || exit 1
URL=$(cat s.url)
export OPENAI_API_KEY=test-key-123
unset OPENAI_BASE_URL

test_expect_success 'help and version' '
	kc-ask --help >out &&
	test_grep "^Usage: kc-ask" out &&
	test_grep "concurrency N" out &&
	kc-ask -V >out &&
	test_grep "^kc-ask (kc) " out
'

test_expect_success 'usage errors exit 2 with the hint' '
	test_must_fail --status=2 kc-ask </dev/null 2>err &&
	test_grep "no server" err &&
	test_grep "Try .kc-ask --help." err &&
	test_must_fail --status=2 kc-ask -u "$URL" -n 0 </dev/null 2>err &&
	test_grep "invalid --n" err &&
	test_must_fail --status=2 kc-ask -u "$URL" --extra "[1]" </dev/null 2>err &&
	test_grep "invalid --extra" err &&
	test_must_fail --status=2 kc-ask -u "$URL" --extra "{\"n\":2}" </dev/null 2>err &&
	test_grep "may not set \"n\"" err &&
	test_must_fail --status=2 kc-ask -u ftp://x </dev/null 2>err &&
	test_grep "http://" err &&
	test_must_fail --status=2 kc-ask -u "$URL" --bogus </dev/null 2>err &&
	test_grep "^kc-ask: unknown option .--bogus." err &&
	test_must_fail --status=2 kc-ask --url </dev/null 2>err &&
	test_grep "option .--url. needs a value" err
'

test_expect_success 'one answer per record, fields passed through, in order' '
	make_input 50 >in.jsonl &&
	kc-ask -u "$URL" in.jsonl >out.jsonl 2>err &&
	test_line_count = 50 out.jsonl &&
	check in.jsonl out.jsonl &&
	test_line_count = 0 err
'

test_expect_success 'stdin, messages, and $OPENAI_BASE_URL' '
	printf "%s\n" "{\"id\":1,\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},{\"role\":\"user\",\"content\":\"q1\"}]}" \
		"{\"id\":2,\"messages\":[{\"role\":\"user\",\"content\":\"q2\"}],\"prompt\":\"ignored\"}" >in.jsonl &&
	OPENAI_BASE_URL=$URL kc-ask <in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl
'

test_expect_success 'n answers per record, sorted by choice index' '
	make_input 20 >in.jsonl &&
	kc-ask -u "$URL" -n 4 in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl --n 4
'

test_expect_success 'n split over requests: answers in order, usage summed' '
	make_input 10 q >in.jsonl &&
	kc-ask -u "$URL" -n 5 --n-per-request 2 in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl --n 5 --npr 2 &&
	python3 -c "
import json
log = [json.loads(l) for l in open(\"s.log\") if json.loads(l)[\"prompt\"] == \"q3\"]
assert sorted(r[\"n\"] for r in log) == [1, 2, 2], log
assert [r[\"has_n\"] for r in log if r[\"n\"] == 1] == [False], log
"
'

test_expect_success 'n-per-request 1: one request per answer, n never sent' '
	make_input 5 one >in.jsonl &&
	kc-ask -u "$URL" -n 3 --n-per-request 1 in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl --n 3 --npr 1 &&
	python3 -c "
import json
log = [json.loads(l) for l in open(\"s.log\")]
log = [r for r in log if r[\"prompt\"].startswith(\"one\")]
assert len(log) == 15 and not any(r[\"has_n\"] for r in log), log
"
'

test_expect_success 'sampling options and --extra reach the body' '
	echo "{\"id\":\"x\",\"prompt\":\"opts\"}" >in.jsonl &&
	kc-ask -u "$URL/" -m qwen --temperature 0.6 --top-p 0.9 \
		--max-tokens 64 --extra "{\"top_k\":20}" \
		--extra "{\"chat_template_kwargs\":{\"enable_thinking\":false}}" \
		in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl &&
	python3 -c "
import json
r = [json.loads(l) for l in open(\"s.log\") if json.loads(l)[\"prompt\"] == \"opts\"][-1]
assert r[\"model\"] == \"qwen\", r
assert r[\"keys\"] == [\"chat_template_kwargs\", \"max_tokens\", \"messages\", \"model\", \"temperature\", \"top_k\", \"top_p\"], r
assert r[\"auth\"], r
"
'

test_expect_success 'records answered before are asked again, old fields replaced' '
	make_input 3 >in.jsonl &&
	kc-ask -u "$URL" -n 2 in.jsonl >once.jsonl &&
	kc-ask -u "$URL" once.jsonl >twice.jsonl &&
	check in.jsonl twice.jsonl
'

test_expect_success 'bad input lines are reported with file:line, the rest answered' '
	{
		echo "{\"id\":\"a\",\"prompt\":\"pa\"}" &&
		echo "{bad json" &&
		echo "{\"id\":\"b\"}" &&
		echo "{\"id\":\"c\",\"messages\":\"not a list\"}" &&
		echo "{\"id\":\"d\",\"messages\":[{\"content\":\"no role\"}]}" &&
		printf "{\"id\":\"e\",\"prompt\":\"\\377\"}\n" &&
		echo "[1,2]" &&
		echo "" &&
		echo "{\"id\":\"f\",\"prompt\":\"pf\"}"
	} >in.jsonl &&
	test_must_fail --status=1 kc-ask -u "$URL" in.jsonl >out.jsonl 2>err &&
	test_grep "^kc-ask: in.jsonl:2: malformed JSON" err &&
	test_grep "^kc-ask: in.jsonl:3: missing \"messages\" or \"prompt\"" err &&
	test_grep "^kc-ask: in.jsonl:4: \"messages\" is not an array" err &&
	test_grep "^kc-ask: in.jsonl:5: \"messages\"\[0\] has no \"role\"" err &&
	test_grep "^kc-ask: in.jsonl:6: invalid UTF-8" err &&
	test_grep "^kc-ask: in.jsonl:7: record is not an object" err &&
	test_grep "6 bad" err &&
	check in.jsonl out.jsonl
'

test_expect_success 'empty input; a missing file is a usage error, nothing asked' '
	kc-ask -u "$URL" </dev/null >out &&
	test_line_count = 0 out &&
	make_input 2 >in.jsonl &&
	before=$(server_stat s requests) &&
	test_must_fail --status=2 kc-ask -u "$URL" in.jsonl nosuch.jsonl >out 2>err &&
	test_grep "^kc-ask: nosuch.jsonl: No such file or directory" err &&
	test_grep "Try .kc-ask --help." err &&
	test_line_count = 0 out &&
	test "$(server_stat s requests)" = "$before"
'

test_expect_success 'a huge line (a 3 MB prompt) goes through' '
	python3 -c "
import json
print(json.dumps({\"id\": \"big\", \"prompt\": \"w \" * 1500000}))
print(json.dumps({\"id\": \"small\", \"prompt\": \"small\"}))
" >in.jsonl &&
	kc-ask -u "$URL" in.jsonl >out.jsonl &&
	check in.jsonl out.jsonl
'

test_expect_success 'an input that cannot be read is fatal, after what came before' '
	make_input 3 >in.jsonl &&
	test_must_fail --status=2 kc-ask -u "$URL" in.jsonl . >out.jsonl 2>err &&
	test_grep "^kc-ask: .: read error" err &&
	check in.jsonl out.jsonl
'

test_expect_success 'progress on a terminal: done/total, rate, failures, in flight' '
	make_input 12 >in.jsonl &&
	script -qec "kc-ask -u $(cat slow.url) -j 2 in.jsonl >out.jsonl" /dev/null >tty &&
	check in.jsonl out.jsonl &&
	test_grep "kc-ask: [0-9]*/12 records ([0-9]*%), [0-9.]*/s, 0 failed, 2 in flight" tty &&
	kc-ask -u "$(cat slow.url)" -j 2 in.jsonl >out.jsonl 2>err &&
	test_line_count = 0 err
'

test_expect_success 'a write error on stdout exits 2' '
	make_input 20 >in.jsonl &&
	test_must_fail --status=2 kc-ask -u "$URL" in.jsonl >/dev/full 2>err &&
	test_grep "write error" err
'

test_expect_success 'a closed pipe stops it quietly' '
	make_input 300 >in.jsonl &&
	{ kc-ask -u "$URL" -j 4 in.jsonl 2>err; echo $? >rc; } | head -n 1 >out &&
	test_line_count = 1 out &&
	test_line_count = 0 err &&
	case $(cat rc) in 0|141) ;; *) false ;; esac
'

test_done
