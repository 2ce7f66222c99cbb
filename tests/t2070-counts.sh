#!/bin/sh
# kc-fill keeps the pool's passage counts between runs (lib/pipe/counts.c):
# a second run, a shard, another length read them instead of counting
# again, and write the same records; a count file of another tokenizer is
# never used; a broken one is a warning, then replaced.
. "$(dirname "$0")/lib.sh"

# counts FILE: the entries of a count file, checked: the header, the
# size, sorted hashes (the format of lib/pipe/counts.c)
counts() {
	python3 - "$1" <<-\EOF
	import struct, sys
	b = open(sys.argv[1], "rb").read()
	assert b[:8] == b"kc-cnt1\n", b[:8]
	fp, n = struct.unpack("<QQ", b[8:24])
	assert len(b) == 24 + 16 * n, (len(b), n)
	e = [struct.unpack("<QII", b[24 + 16 * i:40 + 16 * i]) for i in range(n)]
	assert all(e[i][0] < e[i + 1][0] for i in range(n - 1)), "not sorted"
	assert all(0 < c <= l for h, l, c in e), "a count beyond its length"
	print(n)
	EOF
}

test_expect_success 'setup' '
	kc-import -q "$DATA"/hotpotqa/*.json >hp.jsonl &&
	head -40 hp.jsonl >in.jsonl &&
	KC_COUNTS_DIR= kc-fill --pool hp.jsonl -l 8k <in.jsonl >none.jsonl
'

test_expect_success 'the first run writes the counts, the second reads them: the same records' '
	kc-fill --pool hp.jsonl -l 8k <in.jsonl >cold.jsonl &&
	test_cmp none.jsonl cold.jsonl &&
	ls .counts/*.counts >files && test_line_count = 1 files &&
	counts "$(cat files)" >n1 &&
	test "$(cat n1)" -gt 100 &&
	kc-fill --pool hp.jsonl -l 8k <in.jsonl >warm.jsonl &&
	test_cmp cold.jsonl warm.jsonl &&
	kc-fill --no-count-cache --pool hp.jsonl -l 8k <in.jsonl >off.jsonl &&
	test_cmp cold.jsonl off.jsonl
'

test_expect_success 'the counts are read: a count changed in the file changes "tokens"' '
	python3 - "$(cat files)" <<-\EOF &&
	import struct, sys
	b = bytearray(open(sys.argv[1], "rb").read())
	n = struct.unpack("<Q", b[16:24])[0]
	for i in range(n):
	    at = 24 + 16 * i + 12
	    b[at:at + 4] = struct.pack("<I", struct.unpack("<I", b[at:at + 4])[0] + 1)
	open(sys.argv[1], "wb").write(b)
	EOF
	kc-fill --pool hp.jsonl -l 8k <in.jsonl >poisoned.jsonl &&
	! cmp -s cold.jsonl poisoned.jsonl &&
	kc-fill --no-count-cache --pool hp.jsonl -l 8k <in.jsonl >off2.jsonl &&
	test_cmp cold.jsonl off2.jsonl &&
	rm -f .counts/*
'

test_expect_success 'shards add to the same file; another length reads it' '
	head -20 in.jsonl | kc-fill --pool hp.jsonl -l 8k >/dev/null &&
	counts .counts/*.counts >n20 &&
	tail -20 in.jsonl | kc-fill --pool hp.jsonl -l 8k >/dev/null &&
	counts .counts/*.counts >n40 &&
	test "$(cat n40)" -gt "$(cat n20)" &&
	kc-fill --pool hp.jsonl -l 4k <in.jsonl >4k.jsonl &&
	KC_COUNTS_DIR= kc-fill --pool hp.jsonl -l 4k <in.jsonl >4k-none.jsonl &&
	test_cmp 4k-none.jsonl 4k.jsonl
'

test_expect_success 'another tokenizer has its own file' '
	kc-fill -t llama3 --pool hp.jsonl -l 8k <in.jsonl >llama.jsonl &&
	ls .counts/*.counts >files2 && test_line_count = 2 files2 &&
	KC_COUNTS_DIR= kc-fill -t llama3 --pool hp.jsonl -l 8k <in.jsonl >llama-none.jsonl &&
	test_cmp llama-none.jsonl llama.jsonl
'

test_expect_success 'a broken count file: a warning, the same records, then a good file' '
	for f in .counts/*.counts; do echo garbage >"$f"; done &&
	kc-fill --pool hp.jsonl -l 8k <in.jsonl >broken.jsonl 2>err &&
	test_cmp cold.jsonl broken.jsonl &&
	test_grep "kc-fill: .*\.counts: not a count file of this tokenizer (counting the passages anew)" err &&
	for f in $(cat files); do counts "$f" >/dev/null || return 1; done
'

test_expect_success 'a count directory that cannot be made: a warning, the same records' '
	: >file &&
	KC_COUNTS_DIR=file/sub kc-fill --pool hp.jsonl -l 8k <in.jsonl >nodir.jsonl 2>err &&
	test_cmp cold.jsonl nodir.jsonl &&
	test_grep "counts of this run are not kept" err
'

test_done
