#!/usr/bin/env node
// make-variants.js - tokenizer.json variants that exercise what the real
// files do not: added tokens with lstrip / rstrip / single_word /
// normalized, an added token whose content is already in the vocabulary,
// the GPT-2 ByteLevel pre-tokenizer, the o200k regex in a Split, no
// normalizer.  Differential tests (diff.js --tok DIR/NAME.json) then
// compare kc with the reference on them.
//
// Usage: node tests/fuzz/make-variants.js OUTDIR
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const tokdir = process.env.TOKDIR || path.join(root, 'build/share/kc/tokenizers');
const out = process.argv[2];
if (!out) {
	console.error('usage: make-variants.js OUTDIR');
	process.exit(2);
}
fs.mkdirSync(out, { recursive: true });
const qwen = JSON.parse(fs.readFileSync(path.join(tokdir, 'qwen/tokenizer.json'), 'utf8'));
const o200k = '[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+(?i:\'s|\'t|\'re|\'ve|\'m|\'ll|\'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:\'s|\'t|\'re|\'ve|\'m|\'ll|\'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+';

function variant(name, edit) {
	const t = JSON.parse(JSON.stringify(qwen));
	edit(t);
	fs.writeFileSync(path.join(out, name + '.json'), JSON.stringify(t));
}

const tok = (id, content, flags) => Object.assign({
	id, content, single_word: false, lstrip: false, rstrip: false,
	normalized: false, special: false }, flags);

// The strings these tokens match are also in diff.js's pool.
variant('flags', t => {
	t.added_tokens.push(
		tok(151669, '<mask>', { lstrip: true, special: true }),
		tok(151670, '[SEP]', { rstrip: true }),
		tok(151671, 'word', { single_word: true }),
		tok(151672, 'h\u00e9llo', { normalized: true }),
		tok(151673, 'e\u0301x', { normalized: true }),
		tok(9707, 'Hello', { normalized: true }),
		tok(151674, ' spaced ', { lstrip: true, rstrip: true }),
		tok(151675, 'ab', { single_word: true, lstrip: true }),
		tok(151676, '\u212b\u212b', { normalized: true }),
		tok(151677, '<|im_start|>x', {}));
});
variant('gpt2', t => {
	t.pre_tokenizer = { type: 'ByteLevel', add_prefix_space: false,
		trim_offsets: true, use_regex: true };
});
variant('o200k-split', t => {
	t.pre_tokenizer.pretokenizers[0].pattern.Regex = o200k;
	t.normalizer = null;
});
variant('nonorm', t => {
	t.normalizer = null;
	t.model.ignore_merges = true;
});
console.log(fs.readdirSync(out).join(' '));
