#!/usr/bin/env node
// count.js TOKENIZER_JSON - the reference's tokenizer for bench-full:
// Hugging Face's Rust `tokenizers` (the official napi build, the engine
// behind transformers' fast AutoTokenizer that the reference loads)
// with Qwen's tokenizer.json.  Reads texts as [u32 LE length][UTF-8]
// on standard input and answers each with its token count, u32 LE.
// The packages come from tests/tok/install-ref (KC_REF_MODULES).
'use strict';

const path = require('path');

const modules = process.env.KC_REF_MODULES;
const { Tokenizer } = require(require.resolve('tokenizers',
	{ paths: [path.dirname(modules)] }));
const tok = Tokenizer.fromFile(process.argv[2]);

let pending = Buffer.alloc(0);
let busy = false;

async function drain() {
	busy = true;
	while (pending.length >= 4) {
		const n = pending.readUInt32LE(0);
		if (pending.length < 4 + n)
			break;
		const text = pending.subarray(4, 4 + n).toString('utf8');
		pending = pending.subarray(4 + n);
		const enc = await tok.encode(text, null, { addSpecialTokens: false });
		const out = Buffer.alloc(4);
		out.writeUInt32LE(enc.getIds().length, 0);
		process.stdout.write(out);
	}
	busy = false;
}

process.stdin.on('data', (chunk) => {
	pending = Buffer.concat([pending, chunk]);
	if (!busy)
		drain();
});
