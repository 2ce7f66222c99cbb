#!/bin/sh
# kc-chain: sound UUID chains at real sentence ends, reproducible.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup' '
	kc-import "$DATA"/hotpotqa/*.json >hp.jsonl &&
	kc-fill --pool hp.jsonl -l 8k <hp.jsonl >f.jsonl &&
	kc-chain <f.jsonl >c.jsonl
'

test_expect_success 'chains are sound: unique keys absent from the text, one question' '
	python3 "$SRC"/tests/chain-check.py c.jsonl
'

test_expect_success 'pair counts follow the plan: 4 chains and 16 questions per 1K' '
	python3 - <<-\EOF
	import json
	for line in open("c.jsonl"):
	    r = json.loads(line)
	    c = r["chain"]
	    assert c["chains"] == 32 and c["hops"] == 4 and len(c["pairs"]["key"]) == 128
	    assert len(r["distractors"]) == 128
	EOF
'

test_expect_success 'reproducible, and independent of order and sharding' '
	kc-chain <f.jsonl >again.jsonl &&
	test_cmp c.jsonl again.jsonl &&
	tac f.jsonl | kc-chain | tac >rev.jsonl &&
	test_cmp c.jsonl rev.jsonl
'

test_expect_success '--system-entropy gives other keys each run' '
	head -3 f.jsonl | kc-chain --system-entropy >e1.jsonl &&
	head -3 f.jsonl | kc-chain --system-entropy >e2.jsonl &&
	! cmp -s e1.jsonl e2.jsonl
'

test_expect_success 'other key forms and a tree' '
	head -20 f.jsonl | kc-chain --uuid default --chains 8 >d.jsonl &&
	python3 "$SRC"/tests/chain-check.py d.jsonl &&
	head -20 f.jsonl | kc-chain --uuid nano_12 --chains 8 >n.jsonl &&
	python3 "$SRC"/tests/chain-check.py n.jsonl &&
	head -20 f.jsonl | kc-chain --tree --chains 8 --hops 3 >t.jsonl &&
	python3 "$SRC"/tests/chain-check.py t.jsonl &&
	python3 - <<-\EOF
	import json
	for line in open("t.jsonl"):
	    c = json.loads(line)["chain"]
	    # 7 nodes: 6 edges and 4 leaves, then 7 chains of 3
	    assert len(c["pairs"]["key"]) == 6 + 4 + 7 * 3, c["pairs"]
	    assert len(c["real"]) == 3
	EOF
'

# issue 8: decoys and near misses, checked by chain-check.py and by
# kc-verify, which fails a record that hides them
test_expect_success 'decoys and near misses: sound and verified in every key form' '
	for u in default_8 default nano_21; do
		head -20 f.jsonl |
		kc-chain --uuid $u --decoys 5 --near-miss 4 >dn.jsonl &&
		python3 "$SRC"/tests/chain-check.py dn.jsonl &&
		kc-verify dn.jsonl >/dev/null || return 1
	done &&
	test_must_fail --status=2 kc-chain --tree --decoys 1 <f.jsonl 2>err &&
	test_grep "decoys branch off a chain" err &&
	test_must_fail --status=2 kc-fill --pool hp.jsonl -l 8k --tree --decoys 1 <f.jsonl 2>err &&
	test_grep "decoys branch off a chain" err
'

test_expect_success 'decoys planned by kc-fill fit the budget; kc-verify sees hidden ones' '
	head -20 hp.jsonl |
		kc-fill --pool hp.jsonl -l 8k --decoys 6 --near-miss 6 |
		kc-chain | kc-render >dv.jsonl &&
	kc-verify dv.jsonl >out &&
	test_grep "^20 records, 20 passed" out &&
	sed "s/\"decoys\":6/\"decoys\":0/g" dv.jsonl >hidden.jsonl &&
	test_must_fail --status=1 kc-verify hidden.jsonl >out 2>err &&
	test_grep "is the key of [23] pairs" err
'

test_expect_success 'a question pool too small for the chains is an error' '
	head -3 hp.jsonl >few.jsonl &&
	head -1 f.jsonl >one.jsonl &&
	test_must_fail --status=1 kc-chain -q few.jsonl <one.jsonl >out 2>err &&
	test_grep "distractor questions needed" err &&
	test_line_count = 0 out
'

test_expect_success 'records not filled are reported' '
	head -1 hp.jsonl >raw.jsonl &&
	test_must_fail --status=1 kc-chain <raw.jsonl 2>err &&
	test_grep "passages" err
'

test_expect_success 'a full disk is an error, a closed pipe is not' '
	test_must_fail --status=2 kc-chain <f.jsonl >/dev/full 2>err &&
	test_grep "write error" err &&
	kc-chain <f.jsonl 2>err | head -1 >out &&
	test_line_count = 1 out && test_line_count = 0 err
'

test_done
