#!/bin/sh
# t1006-tok-normtest: every string of Unicode's NormalizationTest.txt
# (95,370 of them: all the canonical reorderings and compositions, and
# characters newer than the reference's Unicode 9.0 NFC data) gives the
# reference's ids, for the four tokenizers.  Golden hashes from
# tests/fuzz/regen-cases.js; the file comes from Debian's unicode-data
# (skipped when it is missing or another version).
. "$(dirname "$0")/lib.sh"

nt=/usr/share/unicode/NormalizationTest.txt.bz2
golden=$SRC/tests/fuzz/cases/normtest.sha256

if [ ! -f "$nt" ] || ! command -v python3 >/dev/null 2>&1; then
	test_skip 'NormalizationTest.txt' "needs $nt (unicode-data) and python3"
	test_done
fi
sh "$SRC/tests/fuzz/normtest-lines" "$nt" >nt.txt
if [ "input $(sha256sum <nt.txt | cut -d' ' -f1)" != "$(sed -n 1p "$golden")" ]; then
	test_skip 'NormalizationTest.txt' 'another version of unicode-data than the golden one'
	test_done
fi

for t in qwen llama3 cl100k o200k; do
	test_expect_success "$t: ids of every NormalizationTest string as the reference" '
		kc-tok -t $t --lines --ids nt.txt >ids &&
		echo "$t $(sha256sum <ids | cut -d" " -f1)" >got &&
		grep "^$t " "$golden" >want &&
		test_cmp want got
	'
done

test_done
