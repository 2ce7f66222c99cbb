#!/usr/bin/env node
// ref.js - the reference tokenizers, for differential testing of kc-tok.
//
// Usage: node tests/fuzz/ref.js TOKENIZER [--raw|--lines|--jsonl] [FILE...]
//
// TOKENIZER is qwen, llama3 (tokenizer.json files in $TOKDIR, default
// build/share/kc/tokenizers), cl100k, o200k (tiktoken's own registry), or
// a path to a tokenizer.json.  Prints, like `kc-tok --ids`, one line of
// ids per text: Hugging Face's Rust `tokenizers` (encode with
// addSpecialTokens false) or tiktoken (encode with allowed_special "all").
// The npm packages are expected in $KC_REF (default .cache/ref), as
// installed by: npm install --prefix .cache/ref tokenizers@0.23.2 tiktoken@1.0.22
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const ref = path.resolve(process.env.KC_REF || path.join(root, '.cache/ref'));
const tokdir = process.env.TOKDIR || path.join(root, 'build/share/kc/tokenizers');

function open(spec) {
	if (spec === 'cl100k' || spec === 'o200k') {
		const { get_encoding } = require(path.join(ref, 'node_modules/tiktoken'));
		const enc = get_encoding(spec === 'cl100k' ? 'cl100k_base' : 'o200k_base');
		return async (text) => Array.from(enc.encode(text, 'all'));
	}
	const { Tokenizer } = require(path.join(ref, 'node_modules/tokenizers'));
	const file = spec === 'qwen' || spec === 'llama3' ?
		path.join(tokdir, spec, 'tokenizer.json') : spec;
	const tok = Tokenizer.fromFile(file);
	return async (text) => (await tok.encode(text, null, { addSpecialTokens: false })).getIds();
}

async function main() {
	const args = process.argv.slice(2);
	const encode = open(args.shift());
	let mode = '--jsonl';
	if (args[0] && args[0].startsWith('--'))
		mode = args.shift();
	const files = args.length ? args : ['/dev/stdin'];
	const out = [];
	for (const f of files) {
		const buf = fs.readFileSync(f);
		let texts;
		if (mode === '--raw')
			texts = [buf.toString('utf8')];
		else {
			const s = buf.toString('utf8');
			texts = s.split('\n');
			if (texts.length && texts[texts.length - 1] === '')
				texts.pop();
			if (mode === '--jsonl')
				texts = texts.filter(l => l.trim()).map(l => JSON.parse(l).text);
		}
		for (const t of texts)
			out.push((await encode(t)).join(' '));
	}
	process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}
main().catch(e => { console.error(e); process.exit(2); });
