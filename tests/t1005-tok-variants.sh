#!/bin/sh
# t1005-tok-variants: what the real tokenizer files do not exercise, on
# variants of Qwen's tokenizer.json built by tests/fuzz/make-variants.js:
# added tokens with lstrip, rstrip, single_word and normalized (NFC), an
# added token whose content is in the vocabulary, GPT-2's ByteLevel
# regex, the o200k regex in a Split, no normalizer with ignore_merges.
# Golden ids from Hugging Face's tokenizers: tests/fuzz/regen-cases.js.
. "$(dirname "$0")/lib.sh"

cases=$SRC/tests/fuzz/cases

if ! command -v node >/dev/null 2>&1; then
	test_skip 'variants' 'node is needed to build the variant files'
	test_done
fi

test_expect_success 'build the variants' '
	TOKDIR=$TOKDIR node "$SRC/tests/fuzz/make-variants.js" v >/dev/null &&
	test -s v/flags.json && test -s v/gpt2.json
'

for v in flags gpt2 o200k-split nonorm; do
	test_expect_success "$v: ids as the reference" '
		for f in "$cases"/*.txt; do
			cn=$(basename "$f" .txt) &&
			kc-tok -t v/$v.json --raw --ids "$f" >out &&
			test_cmp "$cases/$cn.v-$v" out || return 1
		done
	'
done

test_done
