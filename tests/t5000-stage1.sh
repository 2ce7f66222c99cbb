#!/bin/sh
# Stage 1 of KeyChain, the difficulty filter, in one line:
#   kc-import | kc-render --preset filter | kc-ask | kc-judge | kc-filter
# against a scripted OpenAI-compatible server on loopback that stands in
# for vLLM (no GPU here): it answers each filter prompt as a model would,
# a known number of its 8 answers right (tests/ask/server.py --oracle),
# and injects 429s with Retry-After, 500s, a dropped connection, a slow
# response past the timeout and malformed JSON on the way.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

test_expect_success 'setup: records, the oracle, the faults' '
	kc-import -q "$DATA"/musique/hipporag__musique_train.jsonl >mu.jsonl &&
	kc-render --preset filter <mu.jsonl >prompts.jsonl &&
	python3 - <<-\EOF
	import json
	recs = [json.loads(l) for l in open("mu.jsonl")]
	with open("oracle.jsonl", "w") as f:
	    for r in recs:
	        f.write(json.dumps({"question": r["question"], "gold": r["answers"][0]}) + "\n")
	prompts = [json.loads(l)["messages"][0]["content"] for l in open("prompts.jsonl")]
	faults = {prompts[3]: ["429:1", "ok"], prompts[10]: ["500", "ok"],
	          prompts[20]: ["drop", "ok"], prompts[30]: ["slow:5", "ok"],
	          prompts[40]: ["badjson", "ok"], prompts[50]: ["500", "500", "500", "500"]}
	json.dump(faults, open("script.json", "w"))
	EOF
'

test_expect_success 'start the server' '
	start_server vllm --oracle oracle.jsonl --script script.json
'

test_expect_success 'the whole stage in one line' '
	kc-import -q "$DATA"/musique/hipporag__musique_train.jsonl |
		kc-render --preset filter --format chat |
		kc-ask --url "$(cat vllm.url)" --model Qwen2.5-32B-Instruct -n 8 \
			--temperature 1.0 --max-tokens 2048 --timeout 2 --retries 3 \
			--backoff 0.05 --concurrency 16 2>ask.err |
		kc-judge --extract answer-is --metric cem 2>judge.err |
		kc-filter --correct 1..6 --stats >kept.jsonl 2>filter.err &&
	test_line_count -gt 50 kept.jsonl
'

test_expect_success 'one record failed after its retries, reported and counted' '
	test_grep "^kc-ask: -:51: no answer after 4 attempts: HTTP 500" ask.err &&
	test_grep "100 records: 99 answered, 1 failed" ask.err &&
	test_grep "^kc-judge: -:51: " judge.err &&
	test_line_count = 1 judge.err &&
	test_grep "read 99 " filter.err
'

test_expect_success 'kept: exactly the questions answered right 1..6 times of 8' '
	python3 - "$SRC"/tests/ask <<-\EOF
	import json, sys
	sys.path.insert(0, sys.argv[1])
	from server import oracle_correct
	recs = [json.loads(l) for l in open("mu.jsonl")]
	want = [r["id"] for i, r in enumerate(recs)
	        if i != 50 and 1 <= oracle_correct(r["question"]) <= 6]
	got = [json.loads(l)["id"] for l in open("kept.jsonl")]
	assert got == want, (len(got), len(want))
	print("kept %d of %d" % (len(got), len(recs)))
	EOF
'

test_expect_success 'every kept record carries its answers and its judge, in order' '
	python3 - <<-\EOF
	import json
	for l in open("kept.jsonl"):
	    r = json.loads(l)
	    assert len(r["responses"]) == 8 and r["judge"]["n"] == 8
	    assert 1 <= r["judge"]["correct"] <= 6
	    assert r["docs"] and r["messages"]
	EOF
'

test_expect_success 'kc-filter says what it dropped and why' '
	cat filter.err &&
	test_grep "kept" filter.err
'

test_done
