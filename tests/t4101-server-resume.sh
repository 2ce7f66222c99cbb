#!/bin/sh
# kc-ask killed (SIGKILL) mid-run against llama.cpp's llama-server, then
# --resume: every record comes out answered, exactly once (t4003 does the
# same against the scripted server).  Answers of a resumed run need not
# match an uninterrupted one: the server's batching and prompt cache
# change sampling slightly, seeds or not.  Answer quality is not tested
# (random weights; tests/ask/llama.sh).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/llama.sh"

test_expect_success 'setup: the server, the prompts' '
	llama_setup &&
	llama_start srv -c 16384 &&
	kc-import -q "$SRC"/examples/data/hotpotqa/*.json |
		kc-render --preset filter --format chat --chat qwen2.5 >in.jsonl &&
	test_line_count = 153 in.jsonl
'

# exec: in the background ($!) the pid is kc-ask's own, not that of a
# subshell whose SIGKILL would leave kc-ask running (and writing).
exec_ask() {
	exec kc-ask --url "$(cat srv.url)" -n 4 --max-tokens 16 --seed 3 -j 4 "$@"
}
ask() {
	(exec_ask "$@")
}

test_expect_success 'kill -9 mid-run, after some records are written' '
	{ exec_ask in.jsonl >out.jsonl 2>err & echo $! >ask.pid; } &&
	while [ "$(wc -l <out.jsonl)" -lt 20 ]; do sleep 0.05; done &&
	kill -9 "$(cat ask.pid)" &&
	{ wait "$(cat ask.pid)"; test $? = 137; } &&
	n=$(wc -l <out.jsonl) &&
	echo "killed with $n complete records written" &&
	test "$n" -lt 153
'

test_expect_success '--resume completes every record, each exactly once' '
	ask --resume out.jsonl in.jsonl >>out.jsonl 2>err &&
	python3 - <<-\EOF
	import json
	want = [json.loads(l)["id"] for l in open("in.jsonl")]
	got = [json.loads(l) for l in open("out.jsonl")]
	ids = [r["id"] for r in got]
	assert sorted(ids) == sorted(want) and len(ids) == len(set(ids)), \
	    (len(ids), len(set(ids)), len(want))
	for r in got:
	    assert len(r["responses"]) == 4 and "ask_error" not in r, r["id"]
	    assert [u["prompt_tokens"] for u in r["request_usage"]] == \
	        [r["render"]["tokens"]], r["id"]
	print("%d records, each once" % len(got))
	EOF
'

test_expect_success 'a second --resume asks nothing' '
	ask --resume out.jsonl in.jsonl >more.jsonl 2>err &&
	test_line_count = 0 more.jsonl &&
	test_grep "153 records: 0 answered, 0 failed, 153 already answered" err
'

test_expect_success 'stop the server by its pid' '
	llama_stop srv
'

test_done
