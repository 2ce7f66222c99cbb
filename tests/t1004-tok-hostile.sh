#!/bin/sh
# t1004-tok-hostile: tokenizer files kc cannot or must not use are refused
# with a message, never a crash: truncated and corrupted tokenizer.json,
# models, normalizers and pre-tokenizers kc does not reproduce (named in
# the message), broken vocabularies and merges, deep nesting, garbage,
# bad .tiktoken files.
. "$(dirname "$0")/lib.sh"

q=$TOKDIR/qwen/tokenizer.json
printf 'Hello world\n' >in.txt

# refuse FILE PATTERN: kc-tok exits 2 naming what is wrong
refuse() {
	test_must_fail --status=2 kc-tok -t "$1" --raw in.txt >out 2>err &&
	test_grep "$2" err && test ! -s out
}

test_expect_success 'truncated at many points' '
	size=$(wc -c <"$q") &&
	for n in 0 1 100 1000 5000 20000 $((size / 3)) $((size / 2)) \
	         $((size - 10)) $((size - 1)); do
		head -c $n "$q" >t.json &&
		refuse t.json "t.json" || { echo "at $n"; return 1; }
	done
'

test_expect_success 'bytes flipped here and there' '
	size=$(wc -c <"$q") &&
	for at in 10 3000 400000 5000000 $((size - 3)); do
		{ head -c $at "$q" && printf "\\001\\377{[" &&
		  tail -c +$((at + 5)) "$q"; } >f.json &&
		test_must_fail --status=2 kc-tok -t f.json --raw in.txt 2>err ||
		{ echo "at $at"; return 1; }
	done
'

# edit JSON-EXPRESSION: a copy of the Qwen file changed by python3
edit() {
	python3 -c "
import json, sys
t = json.load(open(sys.argv[1]))
$1
json.dump(t, open('e.json', 'w'))
" "$q"
}

test_expect_success 'models, normalizers and pre-tokenizers kc does not do' '
	edit "t[\"model\"][\"type\"] = \"WordPiece\"" &&
	refuse e.json "model WordPiece is not supported" &&
	edit "t[\"normalizer\"] = {\"type\": \"Lowercase\"}" &&
	refuse e.json "normalizer Lowercase is not supported" &&
	edit "t[\"normalizer\"] = {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"NFC\"}, {\"type\": \"NFKC\"}]}" &&
	refuse e.json "normalizer NFKC is not supported" &&
	edit "t[\"pre_tokenizer\"] = {\"type\": \"Whitespace\"}" &&
	refuse e.json "pre-tokenizer Whitespace is not supported" &&
	edit "t[\"pre_tokenizer\"] = None" &&
	refuse e.json "no pre-tokenizer" &&
	edit "t[\"pre_tokenizer\"][\"pretokenizers\"][0][\"pattern\"][\"Regex\"] = \"\\\\s+\"" &&
	refuse e.json "Split regex .* is not one kc implements" &&
	edit "t[\"pre_tokenizer\"][\"pretokenizers\"][0][\"behavior\"] = \"Removed\"" &&
	refuse e.json "behavior Removed" &&
	edit "t[\"pre_tokenizer\"][\"pretokenizers\"][1][\"add_prefix_space\"] = True" &&
	refuse e.json "add_prefix_space" &&
	edit "t[\"model\"][\"dropout\"] = 0.1" &&
	refuse e.json "dropout" &&
	edit "t[\"model\"][\"continuing_subword_prefix\"] = \"##\"" &&
	refuse e.json "continuing_subword_prefix" &&
	edit "t[\"truncation\"] = {\"max_length\": 8}" &&
	refuse e.json "truncation is set" &&
	edit "t[\"padding\"] = {\"length\": 8}" &&
	refuse e.json "padding is set" &&
	edit "t[\"version\"] = \"2.0\"" &&
	refuse e.json "version"
'

test_expect_success 'broken vocabularies and merges' '
	edit "t[\"model\"][\"merges\"].append([\"Ġ\", \"nosuchtoken\"])" &&
	refuse e.json "merge token \"nosuchtoken\" is not in the vocab" &&
	edit "t[\"model\"][\"merges\"].append(\"a b c\")" &&
	refuse e.json "not two tokens" &&
	edit "t[\"model\"][\"merges\"].append(7)" &&
	refuse e.json "expected a merge" &&
	edit "t[\"model\"][\"vocab\"][\"zzzzzz\"] = 5" &&
	refuse e.json "id 5 to two tokens" &&
	edit "t[\"model\"][\"vocab\"][\"zzzzzz\"] = 4000000000" &&
	refuse e.json "too large" &&
	edit "t[\"model\"][\"vocab\"][\"zzzzzz\"] = -1" &&
	refuse e.json "non-negative integer" &&
	edit "t[\"model\"][\"vocab\"][\"zzzzzz\"] = 1.5" &&
	refuse e.json "non-negative integer" &&
	edit "del t[\"model\"][\"vocab\"]" &&
	refuse e.json "Missing vocab/merges" &&
	edit "del t[\"model\"]" &&
	refuse e.json "no \"model\"" &&
	edit "t[\"added_tokens\"] = 3" &&
	refuse e.json "added_tokens is not an array" &&
	edit "t[\"added_tokens\"][0] = {\"id\": 1}" &&
	refuse e.json "has no content"
'

test_expect_success 'escapes, surrogates, control characters in strings' '
	printf "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\\\\ud800\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false}}" >s.json &&
	refuse s.json "invalid Unicode .\\\\uD800" &&
	printf "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\\001\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false}}" >s.json &&
	refuse s.json "control character" &&
	printf "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\\\\q\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false}}" >s.json &&
	refuse s.json "invalid escape" &&
	printf "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\\377\": 0}, \"merges\": []}, \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false}}" >s.json &&
	refuse s.json "invalid UTF-8"
'

test_expect_success 'deep nesting, garbage, empty, a directory, /dev/null' '
	python3 -c "print(\"{\\\"decoder\\\": \" + \"[\" * 100000 + \"]\" * 100000 + \"}\")" >deep.json &&
	refuse deep.json "deep.json" &&
	python3 -c "print(\"{\\\"model\\\": \" + \"[\" * 100000 + \"}\")" >deep2.json &&
	refuse deep2.json "deep2.json" &&
	head -c 100000 /dev/urandom >garbage.json &&
	refuse garbage.json "garbage.json" &&
	: >empty.json && refuse empty.json "empty.json" &&
	refuse /dev/null "not found"
'

test_expect_success 'a tiny but valid tokenizer.json works' '
	python3 -c "
import json
b = [c for c in range(33, 127)] + [c for c in range(161, 173)] + [c for c in range(174, 256)]
cs = b[:] ; n = 0
for c in range(256):
    if c not in b:
        b.append(c); cs.append(256 + n); n += 1
vocab = {chr(c): i for i, c in enumerate(cs)}
vocab[\"He\"] = 256; vocab[\"Hel\"] = 257
json.dump({\"model\": {\"type\": \"BPE\", \"vocab\": vocab, \"merges\": [\"H e\", [\"He\", \"l\"]]},
           \"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": False}}, open(\"tiny.json\", \"w\"))
" &&
	printf "Hello" >h.txt &&
	kc-tok -t tiny.json --raw --ids h.txt >out &&
	echo "257 75 78" >want && test_cmp want out
'

test_expect_success 'bad .tiktoken files' '
	printf "not base64!! 0\n" >b1.tiktoken &&
	refuse b1.tiktoken "not \"base64 rank\"" &&
	printf "YQ== 0\nYQ== 1\n" >b2.tiktoken &&
	refuse b2.tiktoken "token listed twice" &&
	printf "YQ== 0\nYg== 1\n" >b3.tiktoken &&
	refuse b3.tiktoken "unknown tiktoken encoding" &&
	sed -n 2,1000p "$TOKDIR/cl100k.tiktoken" >cl100k_small.tiktoken &&
	refuse cl100k_small.tiktoken "has no rank"
'

test_done
