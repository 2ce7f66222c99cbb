#!/bin/sh
# t1002-tok-find: tokenizers found as users name them: short names in
# KC_TOKENIZER_DIR and beside the executable, $KC_TOKENIZER, paths to a
# file or a directory, and Hugging Face repo ids in a fake local cache
# laid out as huggingface_hub does.
. "$(dirname "$0")/lib.sh"

unset KC_TOKENIZER_DIR HF_HUB_CACHE HF_HOME XDG_CACHE_HOME
printf 'Hello world, it is 2026.\n' >in.txt
kc-tok -t "$TOKDIR/qwen/tokenizer.json" --raw --ids in.txt >want.qwen
kc-tok -t "$TOKDIR/llama3/tokenizer.json" --raw --ids in.txt >want.llama3

test_expect_success 'short names, found beside the executable' '
	kc-tok -t qwen --raw --ids in.txt >out && test_cmp want.qwen out &&
	kc-tok -t llama3 --raw --ids in.txt >out && test_cmp want.llama3 out &&
	kc-tok -t cl100k --raw in.txt >out && test -s out &&
	kc-tok -t o200k --raw in.txt >out && test -s out
'

test_expect_success 'qwen by default, else $KC_TOKENIZER' '
	kc-tok --raw --ids in.txt >out && test_cmp want.qwen out &&
	KC_TOKENIZER=llama3 kc-tok --raw --ids in.txt >out &&
	test_cmp want.llama3 out
'

test_expect_success 'KC_TOKENIZER_DIR comes first' '
	mkdir -p alt/qwen &&
	cp "$TOKDIR/llama3/tokenizer.json" alt/qwen/tokenizer.json &&
	KC_TOKENIZER_DIR=$PWD/alt kc-tok -t qwen --raw --ids in.txt >out &&
	test_cmp want.llama3 out &&
	KC_TOKENIZER_DIR=$PWD/nowhere kc-tok -t qwen --raw --ids in.txt >out &&
	test_cmp want.qwen out
'

test_expect_success 'a short name found nowhere says where it looked' '
	mkdir -p empty/bin &&
	cp "$BIN/kc-tok" empty/bin/ &&
	test_must_fail --status=2 env KC_TOKENIZER_DIR=$PWD/alt \
		empty/bin/kc-tok -t llama3 --raw in.txt 2>err &&
	test_grep "tokenizer .llama3. not found in $PWD/alt" err
'

test_expect_success 'a path to a file or a directory' '
	kc-tok -t "$TOKDIR/qwen" --raw --ids in.txt >out && test_cmp want.qwen out &&
	cp "$TOKDIR/cl100k.tiktoken" my.tiktoken &&
	kc-tok -t cl100k --raw --ids in.txt >want &&
	kc-tok -t my.tiktoken --raw --ids in.txt >out && test_cmp want out
'

test_expect_success 'a directory without tokenizer.json' '
	mkdir -p nothing &&
	test_must_fail --status=2 kc-tok -t nothing --raw in.txt 2>err &&
	test_grep "no tokenizer.json" err
'

# The cache as huggingface_hub writes it: refs/main names the snapshot.
make_cache() {
	m=$1/models--Qwen--Qwen2.5-7B-Instruct
	mkdir -p "$m/refs" "$m/snapshots/0123abcd" "$m/snapshots/old"
	printf '0123abcd' >"$m/refs/main"
	ln -s "$TOKDIR/qwen/tokenizer.json" "$m/snapshots/0123abcd/tokenizer.json"
	cp "$TOKDIR/llama3/tokenizer.json" "$m/snapshots/old/tokenizer.json"
	printf '{"chat_template": "{{ \\"You are Qwen, created by Alibaba Cloud. You are a helpful assistant.\\" }}"}\n' \
		>"$m/snapshots/0123abcd/tokenizer_config.json"
}

test_expect_success 'a repo id in $HF_HUB_CACHE' '
	make_cache hub1 &&
	HF_HUB_CACHE=$PWD/hub1 kc-tok -t Qwen/Qwen2.5-7B-Instruct --raw --ids in.txt >out &&
	test_cmp want.qwen out
'

test_expect_success 'a repo id in $HF_HOME/hub and ~/.cache/huggingface/hub' '
	make_cache home/hub &&
	HF_HOME=$PWD/home kc-tok -t Qwen/Qwen2.5-7B-Instruct --raw --ids in.txt >out &&
	test_cmp want.qwen out &&
	make_cache h/.cache/huggingface/hub &&
	HOME=$PWD/h kc-tok -t Qwen/Qwen2.5-7B-Instruct --raw --ids in.txt >out &&
	test_cmp want.qwen out &&
	make_cache x/huggingface/hub &&
	HOME=/nonexistent XDG_CACHE_HOME=$PWD/x \
		kc-tok -t Qwen/Qwen2.5-7B-Instruct --raw --ids in.txt >out &&
	test_cmp want.qwen out
'

test_expect_success 'the snapshot'"'"'s tokenizer_config.json names the chat template' '
	HF_HUB_CACHE=$PWD/hub1 kc-tok -t Qwen/Qwen2.5-7B-Instruct --info >out &&
	test_grep "\"chat_template\":\"qwen2.5\"" out &&
	test_grep "\"tokenizer\":\"Qwen/Qwen2.5-7B-Instruct\"" out &&
	kc-tok -t qwen --info >out &&
	test_grep "\"chat_template\":\"chatml\"" out &&
	kc-tok -t llama3 --info >out &&
	test_grep "\"chat_template\":\"llama3\"" out &&
	kc-tok -t cl100k --info >out &&
	test_grep "\"chat_template\":null" out
'

test_expect_success 'a repo id not in the cache' '
	test_must_fail --status=2 env HF_HUB_CACHE=$PWD/hub1 \
		kc-tok -t Qwen/Qwen3-8B --raw in.txt 2>err &&
	test_grep "models--Qwen--Qwen3-8B" err &&
	rm hub1/models--Qwen--Qwen2.5-7B-Instruct/refs/main &&
	test_must_fail --status=2 env HF_HUB_CACHE=$PWD/hub1 \
		kc-tok -t Qwen/Qwen2.5-7B-Instruct --raw in.txt 2>err &&
	test_grep "not found" err
'

test_expect_success 'approx: labelled approximate, counts only' '
	kc-tok -t approx --info >out &&
	test_grep "\"exact\":false" out &&
	kc-tok -t approx --raw in.txt >out && test -s out &&
	test_must_fail --status=2 kc-tok -t approx --ids --raw in.txt 2>err &&
	test_grep "approximate" err
'

test_expect_success 'an unknown name' '
	test_must_fail --status=2 kc-tok -t gpt5 --raw in.txt 2>err &&
	test_grep "tokenizer .gpt5. not found" err
'

test_done
