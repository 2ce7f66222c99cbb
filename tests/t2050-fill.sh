#!/bin/sh
# kc-fill: long contexts around each record's own passages, placed as
# asked, reproducible whatever the order or sharding of the input.
. "$(dirname "$0")/lib.sh"

test_expect_success 'import the HotpotQA samples as the pool' '
	kc-import "$DATA"/hotpotqa/*.json >hp.jsonl &&
	test_line_count -gt 300 hp.jsonl
'

test_expect_success 'the reference recipe: all own passages that fit, and fillers' '
	kc-fill --pool hp.jsonl -l 8k --recipe keychain <hp.jsonl >ref8.jsonl &&
	python3 - ref8.jsonl <<-\EOF
	import json, sys
	n = 0
	for line in open(sys.argv[1]):
	    r = json.loads(line); n += 1
	    docs = r["docs"]
	    own = [p["doc"] for p in r["passages"] if "doc" in p]
	    fill = [p for p in r["passages"] if "doc" not in p]
	    assert set(r["supporting"]) <= set(own), r["id"]
	    assert len(own) == len(set(own)), r["id"]
	    assert len(own) + r["fill"]["own_dropped"] == len(docs), r["id"]
	    mine = {(d["title"], d["text"]) for d in docs}
	    assert all((p["title"], p["text"]) not in mine for p in fill), r["id"]
	    assert len(fill) == r["fill"]["fillers"] > 0, r["id"]
	    assert r["plan"]["length"] == 8192 and r["plan"]["chains"] == 32
	    assert r["fill"]["entangled"] == 0
	assert n > 300
	EOF
'

test_expect_success 'kc recipe: supporting passages, and the distractors'"'"' evidence' '
	kc-fill --pool hp.jsonl -l 8k <hp.jsonl >f8.jsonl &&
	python3 - f8.jsonl <<-\EOF
	import json, sys
	pool = {}
	for line in open("hp.jsonl"):
	    r = json.loads(line)
	    pool.setdefault(r["id"], r)
	sets = []
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    own = sorted(p["doc"] for p in r["passages"] if "doc" in p)
	    assert own == r["supporting"], r["id"]
	    ent = {}
	    for p in r["passages"]:
	        if "entangled" in p:
	            ent.setdefault(p["entangled"], []).append((p["title"], p["text"]))
	    # each set is the supporting passages of its distractor question,
	    # which ends a chain (k < chains - 1)
	    for k, got in ent.items():
	        assert k < r["plan"]["chains"] - 1
	        q = pool[r["distractors"][k]["id"]]
	        want = {(q["docs"][i]["title"], q["docs"][i]["text"]) for i in q["supporting"]}
	        assert set(got) == want, (r["id"], k)
	        assert r["distractors"][k]["question"] == q["question"]
	        assert r["distractors"][k]["answers"] == q["answers"]
	    assert len(ent) == r["fill"]["entangled"], r["id"]
	    sets.append(len(ent))
	# at 8K, most of the 31 distractor chains bring their evidence
	assert sum(sets) / len(sets) > 15, sum(sets) / len(sets)
	EOF
'

test_expect_success 'the same records whatever the input order' '
	tac hp.jsonl | kc-fill --pool hp.jsonl -l 8k | tac >rev.jsonl &&
	test_cmp f8.jsonl rev.jsonl
'

test_expect_success 'the same records from three shards' '
	split -n l/3 hp.jsonl shard. &&
	for s in shard.*; do kc-fill --pool hp.jsonl -l 8k <$s || return 1; done >sharded.jsonl &&
	test_cmp f8.jsonl sharded.jsonl
'

test_expect_success 'another seed gives other fillers' '
	kc-fill --pool hp.jsonl -l 8k -s 7 <hp.jsonl >seed7.jsonl &&
	! cmp -s f8.jsonl seed7.jsonl
'

test_expect_success '--depth 0 and 1 put the supporting passages first and last' '
	kc-fill --pool hp.jsonl -l 8k --depth 0 <hp.jsonl >d0.jsonl &&
	kc-fill --pool hp.jsonl -l 8k --depth 1 <hp.jsonl >d1.jsonl &&
	python3 - <<-\EOF
	import json
	for name, first in (("d0.jsonl", True), ("d1.jsonl", False)):
	    for line in open(name):
	        r = json.loads(line)
	        ps = r["passages"]
	        k = len(r["supporting"])
	        window = ps[:k] if first else ps[-k:]
	        got = sorted(p.get("doc", -1) for p in window)
	        assert got == sorted(r["supporting"]), (name, r["id"], got)
	EOF
'

test_expect_success 'gaussian placement keeps own passages near the middle' '
	python3 - <<-\EOF
	import json
	depths = []
	for line in open("ref8.jsonl"):
	    ps = json.loads(line)["passages"]
	    n = len(ps)
	    depths += [i / (n - 1) for i, p in enumerate(ps) if "doc" in p]
	mean = sum(depths) / len(depths)
	edge = sum(d < 0.1 or d > 0.9 for d in depths) / len(depths)
	assert 0.45 < mean < 0.55, mean
	assert edge < 0.05, edge
	EOF
'

test_expect_success 'kc recipe: own and entangled evidence are placed alike' '
	python3 - <<-\EOF
	import json
	own, ent = [], []
	for line in open("f8.jsonl"):
	    ps = json.loads(line)["passages"]
	    n = len(ps)
	    own += [i / (n - 1) for i, p in enumerate(ps) if "doc" in p]
	    ent += [i / (n - 1) for i, p in enumerate(ps) if "entangled" in p]
	mo, me = sum(own) / len(own), sum(ent) / len(ent)
	so = (sum((d - mo) ** 2 for d in own) / len(own)) ** 0.5
	se = (sum((d - me) ** 2 for d in ent) / len(ent)) ** 0.5
	assert abs(mo - me) < 0.03 and abs(so - se) < 0.03, (mo, me, so, se)
	EOF
'

test_expect_success '--relevant-only keeps the supporting passages only' '
	kc-fill --pool hp.jsonl -l 8k --relevant-only <hp.jsonl >rel.jsonl &&
	python3 - <<-\EOF
	import json
	for line in open("rel.jsonl"):
	    r = json.loads(line)
	    assert sorted(p["doc"] for p in r["passages"]) == sorted(r["supporting"])
	EOF
'

test_expect_success 'a dataset file as published serves as the pool' '
	head -5 hp.jsonl | kc-fill --pool "$DATA"/hotpotqa/hipporag__hotpotqa_train.json -l 4k >raw.jsonl &&
	test_line_count = 5 raw.jsonl
'

test_expect_success 'usage errors exit 2 with a hint' '
	test_must_fail --status=2 kc-fill --pool hp.jsonl <hp.jsonl 2>err &&
	test_grep "missing --length" err &&
	test_grep "Try .kc-fill --help." err &&
	test_must_fail --status=2 kc-fill -l 8k <hp.jsonl 2>err &&
	test_grep "missing --pool" err &&
	test_must_fail --status=2 kc-fill --pool hp.jsonl -l 8x 2>err &&
	test_grep "invalid --length .8x." err &&
	test_must_fail --status=2 kc-fill --pool nonexistent.jsonl -l 8k </dev/null 2>err &&
	test_grep "nonexistent.jsonl" err
'

test_expect_success 'bad records are reported with file and line; the rest go on' '
	{ head -2 hp.jsonl; echo "{\"id\": \"x\""; echo "{\"id\": \"y\", \"docs\": []}"; sed -n 3p hp.jsonl; } >bad.jsonl &&
	test_must_fail --status=1 kc-fill --pool hp.jsonl -l 4k bad.jsonl >out 2>err &&
	test_line_count = 3 out &&
	test_grep "^kc-fill: bad.jsonl:3: malformed JSON" err &&
	test_grep "^kc-fill: bad.jsonl:4: missing \"question\"" err
'

test_expect_success 'a pool too small for the budget is an error per record' '
	head -1 hp.jsonl >one.jsonl &&
	test_must_fail --status=1 kc-fill --pool one.jsonl -l 32k --no-chains <one.jsonl >out 2>err &&
	test_grep "pool too small" err &&
	test_line_count = 0 out
'

test_expect_success 'empty input gives empty output' '
	kc-fill --pool hp.jsonl -l 4k </dev/null >out &&
	test_line_count = 0 out
'

test_expect_success 'a full disk is an error, a closed pipe is not' '
	test_must_fail --status=2 kc-fill --pool hp.jsonl -l 4k <hp.jsonl >/dev/full 2>err &&
	test_grep "write error" err &&
	kc-fill --pool hp.jsonl -l 4k <hp.jsonl 2>err | head -1 >out &&
	test_line_count = 1 out &&
	test_line_count = 0 err
'

test_done
