#!/usr/bin/env node
// probe-classes.js - every code point through the pre-tokenizer regexes,
// in the reference and in kc.
//
// Usage: node tests/fuzz/probe-classes.js
//
// Each code point c (but surrogates, CR, LF) is put in eight contexts
// ("A"c"a", "a"c"A", c"a", c"A", "A"c"A", " "c"'S", cc"b", "1"c): 8.9
// million strings that show how the regex classes c (\p{L}, \p{N}, \s,
// \p{Lu}, \p{Ll}, \p{M} ...).  For each regex (Qwen, Llama-3/cl100k,
// o200k, GPT-2) the reference's pre-tokenizer (Hugging Face's, Oniguruma,
// through preTokenizeString; o200k and GPT-2 on variants made by
// make-variants.js) and kc's (pretok-dump.c) must cut every string at
// the same places.  This is how kc's tables were found to need Unicode
// 16.0 categories (scripts/gen-tok-unicode.mjs).  About two minutes.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, execSync } = require('child_process');

const root = path.resolve(__dirname, '../..');
const ref = path.resolve(process.env.KC_REF || path.join(root, '.cache/ref'));
const build = path.resolve(root, process.env.KC_BUILD || 'build');
const tokdir = process.env.TOKDIR || path.join(build, 'share/kc/tokenizers');
const { Tokenizer } = require(path.join(ref, 'node_modules/tokenizers'));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-probe-'));
const dump = path.join(tmp, 'pretok-dump');
execSync(`cc -O2 -std=gnu11 -I${root}/lib $(pkg-config --cflags jansson) ` +
	`-o ${dump} ${__dirname}/pretok-dump.c ${build}/lib/libkc.a ` +
	'$(pkg-config --libs jansson libutf8proc)', { stdio: 'inherit' });
execFileSync('node', [path.join(__dirname, 'make-variants.js'), tmp],
	{ env: { ...process.env, TOKDIR: tokdir } });

const lines = [];
for (let cp = 0; cp < 0x110000; cp++) {
	if ((cp >= 0xd800 && cp < 0xe000) || cp === 10 || cp === 13)
		continue;
	const c = String.fromCodePoint(cp);
	lines.push('A' + c + 'a', 'a' + c + 'A', c + 'a', c + 'A', 'A' + c + 'A',
		' ' + c + "'S", c + c + 'b', '1' + c);
}
const input = path.join(tmp, 'probe.txt');
fs.writeFileSync(input, lines.join('\n') + '\n');

const regexes = [
	['qwen', path.join(tmp, 'nonorm.json'), 0],
	['llama3/cl100k', path.join(tokdir, 'llama3/tokenizer.json'), 1],
	['o200k', path.join(tmp, 'o200k-split.json'), 2],
	['gpt2', path.join(tmp, 'gpt2.json'), 3],
];
let failed = 0;
for (const [name, file, kind] of regexes) {
	const pt = Tokenizer.fromFile(file).getPreTokenizer();
	const ours = execFileSync(dump, [String(kind)], { input: fs.readFileSync(input),
		maxBuffer: 1 << 30 }).toString().split('\n');
	let bad = 0;
	for (let i = 0; i < lines.length; i++) {
		const r = pt.preTokenizeString(lines[i]);
		const want = r.map(p => p[1][1]).join(' ') + (r.length ? ' ' : '');
		if (ours[i] !== want && bad++ < 5)
			console.log(`${name}: ${JSON.stringify(lines[i])}: kc ${ours[i]}| ref ${want}`);
	}
	console.log(`${name}: ${lines.length - bad} of ${lines.length} strings cut alike`);
	if (bad)
		failed = 1;
}
fs.rmSync(tmp, { recursive: true });
process.exit(failed);
