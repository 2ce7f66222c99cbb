#!/bin/sh
# kc-render: presets, formats, exact budgets, provenance.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	kc-import "$DATA"/hotpotqa/*.json >hp.jsonl &&
	kc-fill --pool hp.jsonl -l 8k <hp.jsonl | kc-chain >c.jsonl &&
	kc-render <c.jsonl >chat.jsonl &&
	test_line_count -gt 300 chat.jsonl
'

test_expect_success 'records chained by kc 0.1 (pairs as a list of objects) render the same' '
	python3 - <<-\EOF &&
	import json
	with open("old.jsonl", "w") as out:
	    for line in open("c.jsonl"):
	        r = json.loads(line)
	        cols = r["chain"]["pairs"]
	        r["chain"]["pairs"] = [dict(zip(cols, p)) for p in zip(*cols.values())]
	        out.write(json.dumps(r) + "\n")
	EOF
	kc-render -f verl <old.jsonl >old-verl.jsonl &&
	kc-render -f verl <c.jsonl >verl.jsonl &&
	test_cmp verl.jsonl old-verl.jsonl &&
	kc-verify old.jsonl
'

test_expect_success 'every prompt is within its budget and fills at least 95% of it' '
	python3 - <<-\EOF
	import json
	fr = []
	for line in open("chat.jsonl"):
	    r = json.loads(line)
	    g = r["render"]
	    assert g["budget"] == 8192 - 128
	    assert g["tokens"] <= g["budget"], r["id"]
	    fr.append(g["tokens"] / g["budget"])
	fr.sort()
	print("fill min %.4f median %.4f" % (fr[0], fr[len(fr) // 2]))
	assert fr[0] >= 0.95, fr[0]
	EOF
'

test_expect_success 'the count is the tokenizer count of the prompt plus the chat template' '
	python3 -c "import json,sys
for l in sys.stdin: print(json.dumps({\"text\": json.loads(l)[\"messages\"][0][\"content\"]}))" <chat.jsonl >texts &&
	kc-tok <texts >counts &&
	python3 - <<-\EOF
	import json
	counts = [int(x) for x in open("counts")]
	for n, line in zip(counts, open("chat.jsonl")):
	    g = json.loads(line)["render"]
	    assert n + g["chat_tokens"] == g["tokens"], (n, g)
	EOF
'

test_expect_success 'the keychain-rl prompt is LoongRL'"'"'s, around numbered passages' '
	python3 - <<-\EOF
	import json, re
	for line in open("chat.jsonl"):
	    r = json.loads(line)
	    p = r["messages"][0]["content"]
	    assert p.startswith("Please read the following text.\nPassage 1:\n")
	    assert p.endswith("starting from %s.\nFind the correct question first, then answer it." % r["chain"]["head"])
	    nums = [int(x) for x in re.findall(r"(?m)^Passage (\d+):$", p)]
	    assert nums == list(range(1, len(nums) + 1)), r["id"]
	    assert nums[-1] == r["render"]["passages"]
	EOF
'

test_expect_success 'provenance: own passages and the real chain where the prompt has them' '
	python3 - <<-\EOF
	import json
	for line in open("chat.jsonl"):
	    r = json.loads(line)
	    p = r["messages"][0]["content"]
	    g = r["render"]
	    assert len(g["own"]) == len(r["docs"]) - r["fill"]["own_dropped"]
	    for o in g["own"]:
	        d = r["docs"][o["doc"]]
	        head = "Passage %d:\n%s\n" % (o["passage"], d["title"])
	        assert head in p, (r["id"], head)
	        assert 0 <= o["depth"] <= 1
	    toks = [c["token"] for c in sorted(g["chain"], key=lambda c: c["hop"])]
	    assert len(g["chain"]) == r["chain"]["hops"]
	    for c in g["chain"]:
	        assert "{\"%s\": " % c["key"] in p
	EOF
'

test_expect_success 'the filter preset is KeyChain'"'"'s prompt over the own passages' '
	kc-render --preset filter --no-limit <hp.jsonl >filter.jsonl &&
	python3 - <<-\EOF
	import json
	T = ("The following are given passages.\n{context}\n\nAnswer the question based on the given "
	     "passages. Please think step by step before answering. After thinking, output the final "
	     "answer in the format of \x27The answer is <your answer here>\x27\n\nQuestion: {input}")
	for a, b in zip(open("hp.jsonl"), open("filter.jsonl")):
	    r, out = json.loads(a), json.loads(b)
	    ctx = "\n".join(d["title"] + "\n" + d["text"] for d in r["docs"])
	    assert out["messages"][0]["content"] == T.format(context=ctx, input=r["question"])
	EOF
'

test_expect_success 'verl: LoongRL'"'"'s record' '
	head -5 c.jsonl | kc-render -f verl >verl.jsonl &&
	python3 - <<-\EOF
	import json
	for line in open("verl.jsonl"):
	    r = json.loads(line)
	    assert sorted(r) == ["ability", "data_source", "extra_info", "prompt", "reward_model"]
	    assert r["ability"] == "longcontext_qa"
	    assert r["data_source"] == "custom_longcontext_needle_qa_hotpotqa"
	    assert r["prompt"][0]["role"] == "user"
	    assert r["reward_model"]["style"] == "rule" and r["reward_model"]["ground_truth"]
	    e = r["extra_info"]
	    assert e["split"] == "train" and e["input_question"] and e["index"] == e["kc"]["id"]
	EOF
'

test_expect_success 'keychain: the reference'"'"'s fields, read as LoongRL reads them' '
	head -5 c.jsonl | kc-render -f keychain >kcf.jsonl &&
	python3 - <<-\EOF
	import json
	W = ("Please read the following text.\n{context}\n\nIn the context above, there is one correct "
	     "question to answer. The correct question can only be found by following the correct "
	     "consecutive chain of key:value pairs encoded with UUID strings (e.g., "
	     "f81d4fae-7dec-11d0-a765-00a0c91e6bf6), starting from {chain_head}.")
	for line in open("kcf.jsonl"):
	    r = json.loads(line)
	    for k in ("index", "input", "context", "answers", "length", "distract_questions",
	              "distractor_context", "chain_head_with_question"):
	        assert k in r, k
	    q = W.format(context=r["distractor_context"], chain_head=r["chain_head_with_question"])
	    assert r["chain_head_with_question"] in r["distractor_context"]
	    assert "{\"" not in r["context"]
	    assert r["length"] == r["kc"]["tokens"] + 128
	EOF
'

test_expect_success 'swift rows, text and a template of ones own' '
	head -3 c.jsonl | kc-render -f swift >swift.jsonl &&
	test_line_count = 3 swift.jsonl &&
	head -3 c.jsonl | kc-render -f text --template "Q: {question}{{x}}\n{context}" >text.jsonl &&
	python3 - <<-\EOF
	import json
	for line in open("swift.jsonl"):
	    r = json.loads(line)
	    assert r["messages"][0]["role"] == "user" and r["solution"] == r["answers"][0]
	for line in open("text.jsonl"):
	    r = json.loads(line)
	    assert r["prompt"].startswith("Q: %s{x}\\n" % r["question"]), r["prompt"][:80]
	EOF
'

test_expect_success 'a smaller --max-tokens drops fillers without pairs and still fits' '
	head -20 c.jsonl | kc-render --max-tokens 7000 >small.jsonl &&
	python3 - <<-\EOF
	import json
	for line in open("small.jsonl"):
	    g = json.loads(line)["render"]
	    assert 6500 <= g["tokens"] <= 7000 and g["dropped"] > 0, g
	EOF
'

test_expect_success 'errors: unknown preset, bad template, no chain for keychain-rl' '
	test_must_fail --status=2 kc-render --preset nope </dev/null 2>err &&
	test_grep "unknown preset .nope. (keychain-rl, filter, " err &&
	test_must_fail --status=2 kc-render --template "{nope}" </dev/null 2>err &&
	test_grep "unknown placeholder {nope}" err &&
	head -1 hp.jsonl | kc-fill --pool hp.jsonl -l 4k >f1.jsonl &&
	test_must_fail --status=1 kc-render <f1.jsonl 2>err &&
	test_grep "no \"chain\"" err
'

test_expect_success 'a budget too small for the own passages is reported, never exceeded' '
	head -2 c.jsonl | test_must_fail --status=1 kc-render --max-tokens 500 >out 2>err &&
	test_line_count = 0 out &&
	test_grep "over the budget of 500" err
'

test_expect_success 'the approximate counter is said to be approximate' '
	head -2 hp.jsonl | kc-fill --pool hp.jsonl -l 4k -t approx | kc-chain |
		kc-render -t approx >approx.jsonl &&
	python3 - <<-\EOF
	import json
	for line in open("approx.jsonl"):
	    r = json.loads(line)
	    assert r["fill"]["exact"] is False and r["render"]["exact"] is False
	    assert r["render"]["tokenizer"] == "approx"
	EOF
'

test_expect_success 'a full disk is an error, a closed pipe is not' '
	test_must_fail --status=2 kc-render <c.jsonl >/dev/full 2>err &&
	test_grep "write error" err &&
	kc-render <c.jsonl 2>err | head -1 >out &&
	test_line_count = 1 out && test_line_count = 0 err
'

test_done
