#!/bin/sh
# bench/tok.sh - kc-tok's encode speed against the reference tokenizers,
# measured in the same run on the same corpus, single thread: Hugging
# Face's Rust tokenizers for qwen and llama3, tiktoken for cl100k and
# o200k.  Prints MB/s and tokens/s of both and their ratio, then the load
# time and peak RSS of the Qwen tokenizer.  See bench/tok/run.py.
#   KC_BENCH_REPEAT=N   passes per measurement (median; default 3)
#   KC_BENCH_TOK="qwen cl100k"   only these tokenizers
set -u
cd "$(dirname "$0")/.." || exit 2
tests/tok/install-ref >/dev/null || exit 1
exec python3 bench/tok/run.py "$@"
