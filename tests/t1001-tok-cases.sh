#!/bin/sh
# t1001-tok-cases: kc-tok gives the reference's ids on the edge cases of
# tests/fuzz/cases (contractions with long s, NFC with Unicode 9.0 data,
# added tokens, invalid UTF-8, every kind of space, digits, scripts,
# emoji, controls) and on megabyte-long texts without a space, for the
# four tokenizers.  The golden ids come from Hugging Face's tokenizers and
# tiktoken: tests/fuzz/regen-cases.js.
. "$(dirname "$0")/lib.sh"

cases=$SRC/tests/fuzz/cases
toks="qwen llama3 cl100k o200k"

for f in "$cases"/*.txt; do
	cn=$(basename "$f" .txt)
	test_expect_success "$cn: ids as the reference" '
		for t in $toks; do
			kc-tok -t $t --raw --ids "$f" >out.$t &&
			test_cmp "$cases/$cn.$t" out.$t || return 1
		done
	'
done

test_expect_success 'counts agree with the ids' '
	for t in $toks; do
		kc-tok -t $t --raw "$cases"/*.txt >counts &&
		for f in "$cases"/*.txt; do
			kc-tok -t $t --raw --ids "$f" | awk "{print NF}"
		done >want &&
		test_cmp want counts || return 1
	done
'

tab=$(printf '\t')
while IFS=$tab read -r cn cmd; do
	test_expect_success "long $cn: 1 MB in one pre-token, as the reference" '
		sh -c "$cmd" >long.txt &&
		for t in $toks; do
			grep "^$cn " "$cases/long.$t" >want &&
			if grep -q " - " want; then
				continue   # the reference cannot do this one
			fi &&
			kc-tok -t $t --raw --ids long.txt >ids &&
			printf "%s %s %s\n" "$cn" "$(awk "{print NF}" ids)" \
				"$(sha256sum <ids | cut -d" " -f1)" >got &&
			test_cmp want got || return 1
		done
	'
done <"$cases/long.cmd"

test_done
