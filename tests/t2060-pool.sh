#!/bin/sh
# The pool: every --pool counts, for fillers and for distractor questions;
# kc-fill fails before its first record when the pool cannot serve the
# plan; records that cannot serve are skipped and counted; text shaped
# like a chain pair never becomes a filler or a distractor (issue 7,
# items 1, 3, 4, 6, 9).
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	kc-import -q "$DATA"/hotpotqa/*.json >hp.jsonl &&
	kc-import -q "$DATA"/musique/*.jsonl >mq.jsonl &&
	head -100 hp.jsonl >hp100.jsonl
'

test_expect_success 'a pool too small for the chains fails before any output' '
	test_must_fail --status=2 kc-fill --pool hp100.jsonl -l 32k \
		<hp100.jsonl >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 1 err &&
	test_grep "needs 127 distractor questions per record" err &&
	test_grep "pool has 100 questions" err &&
	test_grep "chains 100 or less" err &&
	kc-fill --pool hp100.jsonl -l 32k --chains 100 <hp100.jsonl >ok.jsonl &&
	test_line_count = 100 ok.jsonl
'

test_expect_success 'the README one-liner on it fails, and writes nothing to verify' '
	test_must_fail sh -c "kc-fill --pool hp100.jsonl -l 32k <hp100.jsonl |
		kc-chain | kc-render -f verl | tee train.jsonl | kc-verify" 2>err &&
	test_line_count = 0 train.jsonl
'

test_expect_success 'every pool counts: distractor questions come from both' '
	kc-fill --pool hp.jsonl --pool mq.jsonl -l 8k <hp100.jsonl >two.jsonl &&
	python3 - <<-\EOF
	import json
	mq = {json.loads(l)["id"] for l in open("mq.jsonl")}
	hp = {json.loads(l)["id"] for l in open("hp.jsonl")}
	from_mq = from_hp = 0
	for l in open("two.jsonl"):
	    r = json.loads(l)
	    ids = [d["id"] for d in r["distractors"]]
	    assert len(ids) == len(set(ids)) == 128 and r["id"] not in ids
	    from_mq += sum(i in mq for i in ids)
	    from_hp += sum(i in hp for i in ids)
	    assert [p["path"].rsplit("/", 1)[1] for p in r["fill"]["pools"]] == \
	        ["hp.jsonl", "mq.jsonl"]
	# in proportion to the pools (353 and 311 questions), give or take
	assert from_mq > 0.3 * (from_mq + from_hp) and from_hp > 0.3 * (from_mq + from_hp), (from_mq, from_hp)
	EOF
'

test_expect_success 'later stages need no pool: kc-chain runs from any directory' '
	mkdir -p elsewhere &&
	(cd elsewhere && kc-chain <../two.jsonl >c.jsonl) &&
	test_line_count = 100 elsewhere/c.jsonl &&
	python3 "$SRC"/tests/chain-check.py elsewhere/c.jsonl &&
	python3 - <<-\EOF
	import json, os
	r = json.loads(open("two.jsonl").readline())
	for p in r["fill"]["pools"]:
	    assert os.path.isabs(p["path"]) and p["bytes"] == os.path.getsize(p["path"])
	EOF
'

test_expect_success 'a pool record that cannot serve is skipped with one warning' '
	{ cat hp100.jsonl &&
	  echo "{\"id\": \"e1\", \"question\": \"Q?\", \"answers\": [], \"docs\": []}" &&
	  echo "not json" &&
	  echo "{\"id\": \"e3\", \"answers\": [\"a\"], \"docs\": []}"
	} >mixed.jsonl &&
	kc-fill --pool mixed.jsonl -l 4k <hp100.jsonl >out 2>err &&
	test_line_count = 100 out &&
	test_line_count = 1 err &&
	test_grep "mixed.jsonl: 3 records skipped (first: line 101: \"answers\" is empty); --strict refuses them" err
'

test_expect_success '--strict refuses the pool before any output' '
	test_must_fail --status=2 kc-fill --strict --pool mixed.jsonl -l 4k \
		<hp100.jsonl >out 2>err &&
	test_line_count = 0 out &&
	test_grep "^kc-fill: mixed.jsonl:101: \"answers\" is empty" err
'

test_expect_success 'text shaped like a pair: never a filler, never a distractor' '
	python3 - <<-\EOF
	import json
	recs = [json.loads(l) for l in open("hp100.jsonl")]
	fake = {"title": "Fake", "text": "It said {\"deadbeef\": \"Who is fake?\"}. Then it ended."}
	with open("trap.jsonl", "w") as f:
	    for i, r in enumerate(recs):
	        r = dict(r)
	        if i < 20:   # pool records whose question would break a chain
	            r["id"] = "trap%d" % i
	            r["question"] = "Is {\"x\": \"y\"} a pair?"
	            r["docs"] = r["docs"] + [fake]
	        f.write(json.dumps(r) + "\n")
	EOF
	kc-fill --pool trap.jsonl -l 8k --chains 16 <hp100.jsonl >out 2>err &&
	test_grep "trap.jsonl: 1 passage with text shaped like a chain pair, never used as fillers" err &&
	test_grep "trap.jsonl: 20 questions holding .* never used as distractors" err &&
	python3 - <<-\EOF
	import json
	for l in open("out"):
	    r = json.loads(l)
	    assert not any(d["id"].startswith("trap") for d in r["distractors"])
	    assert not any(p.get("title") == "Fake" for p in r["passages"])
	EOF
'

test_expect_success 'a record whose own question or passage is pair-like is reported' '
	head -3 trap.jsonl >rec.jsonl &&
	head -5 hp100.jsonl | tail -2 >>rec.jsonl &&
	test_must_fail --status=1 kc-fill --pool hp.jsonl -l 8k <rec.jsonl >out 2>err &&
	test_line_count = 2 out &&
	test_line_count = 3 err &&
	test_grep "^kc-fill: -:1: .*the question holds" err
'

test_done
