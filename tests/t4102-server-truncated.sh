#!/bin/sh
# Silent truncation: a prompt that fits the server's context but leaves
# less room than --max-tokens.  llama.cpp's server then cuts the answer
# short at the end of its context with finish_reason "length" (vLLM would
# refuse the request); kc-ask records it, kc-judge --truncated decides
# what it counts for.  Answer quality is not tested (random weights;
# tests/ask/llama.sh).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/llama.sh"

test_expect_success 'setup: the longest example prompt, a server whose context just holds it' '
	llama_setup &&
	kc-import -q "$SRC"/examples/data/hotpotqa/*.json |
		kc-render --preset filter --format chat --chat qwen2.5 |
		python3 -c "
import json, sys
recs = [json.loads(l) for l in sys.stdin]
r = max(recs, key=lambda r: r[\"render\"][\"tokens\"])
print(json.dumps(r))
" >long.jsonl &&
	tokens=$(python3 -c "import json; print(json.load(open(\"long.jsonl\"))[\"render\"][\"tokens\"])") &&
	echo "$tokens" >tokens &&
	# one slot of the prompt and 16 tokens more (a multiple of 256 holds it)
	ctx=$(( (tokens + 16 + 255) / 256 * 256 )) &&
	echo "$ctx" >ctx &&
	llama_start srv -np 1 -c "$ctx"
'

test_expect_success 'the answer is cut at the end of the context: recorded as "length"' '
	kc-ask --url "$(cat srv.url)" -n 2 --max-tokens 1000 --seed 1 -t qwen \
		long.jsonl >out.jsonl &&
	python3 - "$(cat tokens)" "$(cat ctx)" <<-\EOF
	import json, sys
	tokens, ctx = int(sys.argv[1]), int(sys.argv[2])
	r = json.load(open("out.jsonl"))
	assert r["finish_reasons"] == ["length", "length"], r["finish_reasons"]
	u = r["request_usage"][0]
	assert u["prompt_tokens"] == tokens, u
	# cut by the context, long before max_tokens
	assert 0 < u["completion_tokens"] <= ctx - tokens < 1000, u
	print("prompt %d, context %d: %d tokens generated of 1000 asked" %
	      (tokens, ctx, u["completion_tokens"]))
	EOF
'

test_expect_success 'kc-judge --truncated: skip leaves them out, wrong counts them' '
	kc-judge --truncated skip out.jsonl >skip.jsonl &&
	kc-judge --truncated wrong out.jsonl >wrong.jsonl &&
	kc-judge out.jsonl >keep.jsonl &&
	python3 - <<-\EOF
	import json
	j = lambda f: json.load(open(f))["judge"]
	assert (j("skip.jsonl")["n"], j("skip.jsonl")["truncated"]) == (0, 2)
	assert (j("wrong.jsonl")["n"], j("wrong.jsonl")["correct"]) == (2, 0)
	assert j("keep.jsonl")["truncated_as"] == "keep"
	EOF
'

test_expect_success 'kc-stats counts the cut answers (as tests/stats-check.py does)' '
	kc-stats --json keep.jsonl >stats.json &&
	kc-stats keep.jsonl >stats.txt &&
	python3 "$SRC/tests/stats-check.py" --json stats.json --text stats.txt \
		keep.jsonl &&
	grep "^finish *length 2$" stats.txt
'

test_expect_success 'stop the server by its pid' '
	llama_stop srv
'

test_done
