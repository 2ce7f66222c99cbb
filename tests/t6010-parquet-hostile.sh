#!/bin/sh
# kc-parquet -d on files that lie: cut short, wrong magic, a footer
# length past the start, a column chunk's offset outside the file, and
# then every byte of a small nested file changed and many lengths cut
# (tests/parquet/hostile.py).  Each is refused with a message naming the
# file, or read (a change that fell on a value), and never crashes: under
# `make check-asan` a sanitizer report fails the test.
. "$(dirname "$0")/lib.sh"

test_expect_success 'setup: a small nested file' '
	printf "%s\n" "{\"s\":\"a\",\"l\":[{\"r\":\"u\",\"c\":\"x\"}],\"i\":1,\"b\":true}" \
		"{\"s\":\"a\",\"l\":[],\"i\":null,\"b\":false}" \
		"{\"s\":\"bc\",\"l\":[{\"r\":null,\"c\":\"y\"}],\"i\":-3,\"b\":null}" >small.jsonl &&
	kc-parquet -o small.parquet small.jsonl &&
	kc-parquet -d small.parquet >back &&
	test_cmp small.jsonl back
'

refused() {  # file, the message after "kc-parquet: FILE: "
	test_must_fail --status=1 kc-parquet -d "$1" >out 2>err &&
	test_must_be_empty out &&
	echo "kc-parquet: $1: $2" >expect &&
	test_cmp expect err
}

test_expect_success 'a truncated footer, and an empty file' '
	size=$(wc -c <small.parquet) &&
	head -c $((size - 3)) small.parquet >cut.parquet &&
	refused cut.parquet "not a Parquet file, or cut short (no PAR1 at the end)" &&
	: >empty.parquet &&
	refused empty.parquet "not a Parquet file (0 bytes, too short)"
'

test_expect_success 'bad magic at the start' '
	{ printf XAR1; tail -c +5 small.parquet; } >magic.parquet &&
	refused magic.parquet "not a Parquet file (no PAR1 at the start)"
'

test_expect_success 'a footer length that reaches before the start' '
	python3 -c "import struct, sys
d = open(\"small.parquet\", \"rb\").read()
sys.stdout.buffer.write(d[:-8] + struct.pack(\"<I\", len(d)) + b\"PAR1\")" >long.parquet &&
	size=$(wc -c <long.parquet) &&
	refused long.parquet "the footer length ($size bytes) does not fit the file ($size bytes)"
'

test_expect_success 'a column chunk that lies outside the file' '
	kc-parquet --no-dictionary -o plain.parquet small.jsonl &&
	python3 -c "import struct, sys
d = open(\"plain.parquet\", \"rb\").read()
n = struct.unpack(\"<I\", d[-8:-4])[0]
foot = d[-8 - n:-8]
# the offsets of the first column, 4 (a zigzag varint, 0x08, after a
# field header 0x26: an i64 two ids on), made 2^40
foot = foot.replace(b\"\\x26\\x08\", b\"\\x26\\x80\\x80\\x80\\x80\\x80\\x40\")
sys.stdout.buffer.write(d[:-8 - n] + foot + struct.pack(\"<I\", len(foot)) + b\"PAR1\")" >far.parquet &&
	test_must_fail --status=1 kc-parquet -d far.parquet 2>err &&
	test_grep "^kc-parquet: far.parquet: row group 0, column 0 lies outside the file (offset 1099511627776," err
'

test_expect_success 'every byte changed, many lengths cut: refused or read, never a crash' '
	python3 "$SRC"/tests/parquet/hostile.py "$BIN"/kc-parquet small.parquet >tally &&
	head -1 tally &&
	test_grep "^[0-9]* runs: [0-9]* read, [0-9]* refused" tally
'

test_done
