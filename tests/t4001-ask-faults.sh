#!/bin/sh
# kc-ask against a misbehaving server: 429 with Retry-After (seconds and
# HTTP-date), 500/503, a dropped connection, a response slower than the
# timeout, malformed JSON, a truncated body, a server that caps n, a
# client error, and no server at all.  Nothing is lost: every record
# comes out once, in order, answered or with its ask_error, and the
# failures are counted.  tests/ask/server.py stands in for vLLM (which
# cannot run here without a GPU).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

cat >script.json <<'JSON'
{
 "f0": ["429:1", "ok"],
 "f1": ["429date:2", "ok"],
 "f2": ["500", "503", "ok"],
 "f3": ["drop", "ok"],
 "f4": ["slow:3", "ok"],
 "f5": ["badjson", "ok"],
 "f6": ["truncate", "ok"],
 "f7": ["500", "500", "500", "500"],
 "f8": ["400", "ok"],
 "f9": DROPS,
 "f10": ["slow:3", "slow:3", "slow:3", "slow:3", "slow:3"],
 "f11": ["badjson", "truncate", "503", "ok"],
 "c0": ["cap:1"]
}
JSON
# libcurl itself resends a request whose reused connection died before
# any answer (at most 5 times), so a server that keeps dropping needs
# more than retries x 6 drops to make kc-ask give up.
python3 -c "import json; print(json.dumps(['drop'] * 40))" >drops &&
sed "s/DROPS/$(cat drops)/" script.json >script2.json && mv script2.json script.json
start_server s --script script.json || exit 1
URL=$(cat s.url)

test_expect_success 'faults are retried; nothing lost, order kept, failures counted' '
	{ make_input 12 f; make_input 30 ok; } | python3 -c "
import sys
lines = sys.stdin.read().splitlines()
faults, oks = lines[:12], lines[12:]
out = []
for i, f in enumerate(faults):
    out += [f.replace(\"\\\"r%d\\\"\" % i, \"\\\"f%d\\\"\" % i)] + oks[2 * i:2 * i + 2]
print(\"\\n\".join(out))
" >in.jsonl &&
	test_line_count = 36 in.jsonl &&
	test_must_fail --status=1 kc-ask -u "$URL" -j 8 --retries 3 --backoff 0.05 \
		--timeout 1 in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --failed f7,f8,f9,f10 &&
	test_grep "^kc-ask: in.jsonl:22: no answer after 4 attempts: HTTP 500: injected 500" err &&
	test_grep "^kc-ask: in.jsonl:25: no answer after 1 attempt: HTTP 400: injected 400" err &&
	# libcurl reports a dropped connection as "got nothing" or, when it
	# had retried a reused connection itself, as a failed connection
	grep -E "^kc-ask: in.jsonl:28: no answer after 4 attempts: (the server closed the connection without a response|connection failed: )" err &&
	test_grep "^kc-ask: in.jsonl:31: no answer after 4 attempts: timed out" err &&
	test_grep "36 records: 32 answered, 4 failed" err &&
	python3 -c "
import json
out = {r[\"id\"]: r for r in map(json.loads, open(\"out.jsonl\"))}
e = {k: out[k][\"ask_error\"] for k in (\"f7\", \"f8\", \"f9\", \"f10\")}
assert (e[\"f7\"][\"status\"], e[\"f7\"][\"attempts\"]) == (500, 4), e
assert (e[\"f8\"][\"status\"], e[\"f8\"][\"attempts\"]) == (400, 1), e
assert (e[\"f9\"][\"status\"], e[\"f9\"][\"attempts\"]) == (None, 4), e
assert (e[\"f10\"][\"status\"], e[\"f10\"][\"attempts\"]) == (None, 4), e
log = [json.loads(l) for l in open(\"s.log\")]
assert not any(r[\"early\"] for r in log), \"a retry came before Retry-After\"
seen = {}
for r in log:
    seen.setdefault(r[\"prompt\"], []).append(r[\"what\"])
assert seen[\"f8\"] == [\"400\"], seen[\"f8\"]
assert seen[\"f11\"] == [\"badjson\", \"truncate\", \"503\", \"ok\"], seen[\"f11\"]
assert seen[\"f0\"] == [\"429:1\", \"ok\"], seen[\"f0\"]
"
'

test_expect_success 'Retry-After is a floor on the wait' '
	python3 -c "
import json
log = [json.loads(l) for l in open(\"s.log\")]
t = {}
for r in log:
    t.setdefault(r[\"prompt\"], []).append(r[\"t\"])
assert t[\"f0\"][1] - t[\"f0\"][0] >= 0.95, t[\"f0\"]
assert t[\"f1\"][1] - t[\"f1\"][0] >= 1.0, t[\"f1\"]
"
'

test_expect_success 'a server that caps n is an error, not fewer answers' '
	echo "{\"id\":\"c0\",\"prompt\":\"c0\"}" >in.jsonl &&
	test_must_fail --status=1 kc-ask -u "$URL" -n 3 in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --n 3 --failed c0 &&
	test_grep "returned 1 choices for n=3" err &&
	test_grep "n-per-request" err
'

test_expect_success 'no server: one error, nothing written, exit 2, within 3 attempts' '
	make_input 200 >in.jsonl &&
	test_must_fail --status=2 kc-ask -u http://127.0.0.1:1/v1 --backoff 0.01 \
		in.jsonl >out.jsonl 2>err &&
	test_line_count = 0 out.jsonl &&
	cat err &&
	test_line_count = 1 err &&
	test_grep "^kc-ask: http://127.0.0.1:1/v1/chat/completions: no answer from the server yet, 3 attempts of one request failed (cannot connect: Connection refused" err &&
	test_grep "is it running? (--unreachable)" err
'

test_expect_success 'no server, --retries below --unreachable: the same' '
	make_input 5 >in.jsonl &&
	test_must_fail --status=2 kc-ask -u http://127.0.0.1:1/v1 --retries 1 \
		--backoff 0.01 in.jsonl >out.jsonl 2>err &&
	test_line_count = 0 out.jsonl &&
	test_line_count = 1 err &&
	test_grep "2 attempts of one request failed" err
'

test_expect_success 'no such host: the same' '
	make_input 5 >in.jsonl &&
	test_must_fail --status=2 kc-ask -u http://no-such-host.invalid/v1 \
		--backoff 0.01 in.jsonl >out.jsonl 2>err &&
	test_line_count = 1 err &&
	test_grep "cannot resolve the host" err
'

test_expect_success 'a server that has answered, then went away: retried as any failure' '
	start_server once --delay 0.2 &&
	make_input 6 >in.jsonl &&
	{ kc-ask -u "$(cat once.url)" -j 1 --retries 2 --backoff 0.05 \
		--unreachable 1 in.jsonl >out.jsonl 2>err; echo $? >rc; } &
	while ! test -s out.jsonl; do sleep 0.02; done &&
	kill "$(cat "$TRASH/once.pid")" &&
	wait &&
	test "$(cat rc)" = 1 &&
	test_grep "no answer after 3 attempts: cannot connect" err &&
	! grep -q unreachable err &&
	test_line_count = 6 out.jsonl
'

test_expect_success 'no server, --unreachable 0: every record written with its error, exit 1' '
	make_input 5 >in.jsonl &&
	test_must_fail --status=1 kc-ask -u http://127.0.0.1:1/v1 --retries 1 \
		--unreachable 0 --backoff 0.01 in.jsonl >out.jsonl 2>err &&
	check in.jsonl out.jsonl --failed r0,r1,r2,r3,r4 &&
	test_grep "^kc-ask: in.jsonl:1: no answer after 2 attempts: cannot connect: Connection refused" err &&
	test_grep "5 records: 0 answered, 5 failed" err &&
	python3 -c "
import json
for r in map(json.loads, open(\"out.jsonl\")):
    e = r[\"ask_error\"]
    assert e[\"status\"] is None and e[\"attempts\"] == 2, e
    assert \"Connection refused\" in e[\"message\"], e
"
'

test_done
