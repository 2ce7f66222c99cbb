#!/bin/sh
# Stage 1 against a real inference server, in one line:
#   kc-import | kc-render --preset filter --format chat | kc-ask -n 8 |
#   kc-judge | kc-filter
# on the HotpotQA examples (153 records), against llama.cpp's llama-server
# (tests/ask/llama.sh; make check-server), once with Qwen2.5's chat
# template and once with Qwen3's.
#
# What it tests: the HTTP and the OpenAI JSON of a real server, n above
# what the server allows (8 against 4 slots: kc-ask splits), kc's exact
# token counts against an independent implementation of Qwen's tokenizer
# and of each chat template (render.tokens must equal the server's
# usage.prompt_tokens for every request), and the answers' counts (-t)
# against the server's own /tokenize.
#
# What it does NOT test: answer quality.  The model's weights are random
# (scripts/tiny-model): every answer is nonsense and judged wrong.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/llama.sh"

echo "# answer quality is not tested: the model's weights are random"

test_expect_success 'setup: llama-server and the tiny model, built or reused' '
	llama_setup &&
	"$LLAMA_BIN" --version 2>&1 | tail -n 2
'

# stage1 NAME CHAT: the line against server NAME, kc-render counting with
# chat template CHAT; every stage's output and errors kept as NAME.*
stage1() {
	kc-import -q "$SRC"/examples/data/hotpotqa/*.json |
		kc-render --preset filter --format chat --chat "$2" |
		kc-ask --url "$(cat "$1.url")" -n 8 --max-tokens 8 \
			--temperature 1.0 --seed 1 -j 8 -t qwen --stats \
			2>"$1.ask.err" |
		tee "$1.answered.jsonl" |
		kc-judge --extract answer-is 2>"$1.judge.err" |
		kc-filter --preset stage1 --stats >"$1.kept.jsonl" \
			2>"$1.filter.err"
}

# counts_equal NAME TOTAL: every request's usage.prompt_tokens is the
# record's render.tokens; their sum over the records is TOTAL (- for any;
# 230,998 for Qwen2.5 was first seen by hand against this server).
counts_equal() {
	python3 - "$1.answered.jsonl" "$2" <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	assert len(recs) == 153, len(recs)
	total = 0
	for r in recs:
	    want = r["render"]["tokens"]
	    got = [u["prompt_tokens"] for u in r["request_usage"]]
	    assert got == [want, want], (r["id"], want, got)
	    assert len(r["responses"]) == 8 and len(r["finish_reasons"]) == 8
	    assert len(r["response_tokens"]) == 8
	    total += want
	assert sys.argv[2] == "-" or total == int(sys.argv[2]), total
	print("%d records, %d requests, %d prompt tokens: kc's counts are the "
	      "server's" % (len(recs), 2 * len(recs), total))
	EOF
}

# the rest of the stage: one note, the judge and the filter saw every record
stage1_rest() {
	cat "$1.ask.err" &&
	test_grep "^kc-ask: note: the server accepts at most n=4 per request" "$1.ask.err" &&
	test_grep "^kc-ask: 153 records written (153 answered), 1224 answers from 306 requests" "$1.ask.err" &&
	test_line_count = 0 "$1.judge.err" &&
	cat "$1.filter.err" &&
	test_grep "read 153" "$1.filter.err" &&
	python3 - "$1.answered.jsonl" "$1.kept.jsonl" <<-\EOF
	import json, subprocess, sys
	# kept: exactly the records kc-judge finds right 1..6 times of 8
	# (with random weights, none: answer quality is not tested)
	judge = subprocess.run(["kc-judge", "--extract", "answer-is", sys.argv[1]],
	                       capture_output=True, check=True, text=True).stdout
	want = [r["id"] for r in map(json.loads, judge.splitlines())
	        if 1 <= r["judge"]["correct"] <= 6]
	got = [json.loads(l)["id"] for l in open(sys.argv[2])]
	assert got == want, (got, want)
	EOF
}

# tokenize_check NAME: kc's count of each answer (-t qwen) is the number
# of tokens the server's own tokenizer makes of the same text.
tokenize_check() {
	python3 - "$1.answered.jsonl" "$(cat "$1.url")" <<-\EOF
	import json, sys, urllib.request
	base = sys.argv[2].rsplit("/v1", 1)[0]
	def count(text):
	    req = urllib.request.Request(base + "/tokenize",
	        data=json.dumps({"content": text, "add_special": False,
	                         "parse_special": True}).encode(),
	        headers={"Content-Type": "application/json"})
	    return len(json.load(urllib.request.urlopen(req))["tokens"])
	n = bad = 0
	for r in map(json.loads, open(sys.argv[1])):
	    for text, mine in zip(r["responses"], r["response_tokens"]):
	        theirs = count(text)
	        n += 1
	        if theirs != mine:
	            bad += 1
	            print("differs: %r kc %d, llama.cpp %d" % (text, mine, theirs))
	print("%d answers, %d counted differently" % (n, bad))
	assert bad == 0
	EOF
}

test_expect_success 'Qwen2.5: start llama-server (the model'"'"'s own template, 4 slots)' '
	llama_start q25 -c 16384
'

test_expect_success 'Qwen2.5: the stage in one line' '
	stage1 q25 qwen2.5
'

test_expect_success 'Qwen2.5: render.tokens == usage.prompt_tokens for every request' '
	counts_equal q25 230998
'

test_expect_success 'Qwen2.5: n=8 split over 4 slots, once noted; judged and filtered' '
	stage1_rest q25
'

test_expect_success 'Qwen2.5: the answers counted by kc as by the server'"'"'s tokenizer' '
	tokenize_check q25
'

test_expect_success 'Qwen3: restart llama-server with Qwen3'"'"'s template' '
	llama_stop q25 &&
	llama_start q3 -c 16384 --chat-template-file \
		"$("$SRC/scripts/llama-server" --src)/models/templates/Qwen-Qwen3-0.6B.jinja"
'

test_expect_success 'Qwen3: the stage in one line' '
	stage1 q3 chatml
'

test_expect_success 'Qwen3: render.tokens == usage.prompt_tokens for every request' '
	counts_equal q3 -
'

test_expect_success 'Qwen3: n=8 split over 4 slots, once noted; judged and filtered' '
	stage1_rest q3
'

test_expect_success 'stop the server by its pid' '
	llama_stop q3 &&
	test_must_fail curl -sf "$(cat q3.url | sed "s,/v1$,,")/health"
'

test_done
