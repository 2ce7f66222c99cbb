#!/bin/sh
# t1100-tok-golden: kc-tok's token ids equal the reference tokenizers' on
# the golden corpus (about 50 MB: man pages, Debian Reference, iso-codes,
# C and Python source, the real QA data, synthetic edge cases), for Qwen,
# Llama-3 (Hugging Face's Rust tokenizers) and cl100k, o200k (tiktoken).
#
# The corpus is rebuilt by tests/tok/make-corpus and cached under the
# build directory; the golden ids come from tests/tok/regen (the reference
# run with npm).  Documents whose bytes differ here from where the golden
# file was made are skipped and counted; each tokenizer must have at least
# 20 MB compared.  On a mismatch the output names the document and, when
# the reference is installed (tests/tok/install-ref), the first differing
# token (tests/tok/compare).
. "$(dirname "$0")/lib.sh"

if [ ! -f "$SRC/tools/kc-tok.c" ]; then
	test_skip 'kc-tok ids equal the reference on the golden corpus' \
		'kc-tok is not in this tree yet'
	test_done
fi

test_expect_success 'the golden corpus builds' '
	"$SRC/tests/tok/corpus" "$BUILD/tok-corpus" >corpus &&
	test -s "$(cat corpus)/MANIFEST"
'
corpus=$BUILD/tok-corpus

for t in qwen llama3 cl100k o200k; do
	test_expect_success "kc-tok -t $t: ids and counts equal the reference's" "
		\"\$SRC/tests/tok/check\" --min-mb 20 \"$corpus\" \"\$TOKDIR\" \
			\"\$BIN/kc-tok\" $t >$t.out 2>&1 || { cat $t.out; false; }
	"
	[ -f "$t.out" ] && sed 's/^/# /' "$t.out"
done

test_done
