#!/usr/bin/env node
// diff.js - differential test of kc-tok against the reference tokenizers.
//
// Usage: node tests/fuzz/diff.js [--tok qwen,llama3,cl100k,o200k]
//                                [--synth N] [--seed S] [--files] [--max N]
//
//   --synth N   N random texts from a pool of troublesome characters
//               (contractions in every case, long s, combining marks of all
//               classes, Hangul jamo, characters added after Unicode 9.0,
//               every kind of space, added-token strings, emoji sequences)
//   --files     real text: man pages in ~20 languages, locale definitions,
//               C and Python source, /work/shared/data/real, cut in pieces
//               of a few KB
//   --max N     stop a tokenizer after N mismatches (default 5)
//
// For each tokenizer, the texts go through `kc-tok --ids --raw` (from
// $KC_BUILD/bin, default build/bin), one file each, and through the
// reference in this process (tests/fuzz/ref.js's engines); any difference
// is printed with the text (JSON-escaped) and the first differing token.
// Exit status 1 if any text differs.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');
const zlib = require('zlib');

const root = path.resolve(__dirname, '../..');
const ref = path.resolve(process.env.KC_REF || path.join(root, '.cache/ref'));
const build = path.resolve(root, process.env.KC_BUILD || 'build');
const tokdir = process.env.TOKDIR || path.join(build, 'share/kc/tokenizers');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
	const i = args.indexOf(name);
	return i >= 0 ? args[i + 1] : dflt;
};
const toks = opt('--tok', 'qwen,llama3,cl100k,o200k').split(',');
const nsynth = Number(opt('--synth', 0));
const seed = Number(opt('--seed', 1));
const maxbad = Number(opt('--max', 5));
const useFiles = args.includes('--files');

// A small seeded generator (xorshift), so a failing run can be repeated.
let st = (seed * 2654435761) >>> 0 || 1;
function rnd(n) {
	st ^= st << 13; st >>>= 0;
	st ^= st >>> 17;
	st ^= st << 5; st >>>= 0;
	return st % n;
}
const pick = (a) => a[rnd(a.length)];
const range = (lo, hi) => String.fromCodePoint(lo + rnd(hi - lo + 1));

const pools = [
	() => pick(['a', 'b', 'e', 'o', 's', 't', 'x', 'Z', 'Q', 'I']),
	() => range(0x61, 0x7a), () => range(0x41, 0x5a), () => range(0x30, 0x39),
	() => pick([' ', ' ', ' ', '  ', '\t', '\n', '\r\n', '\r', '\n\n', ' \n ', '\u000b', '\u000c']),
	() => pick(["'s", "'S", "'t", "'T", "'re", "'RE", "'Re", "'rE", "'ve", "'VE",
		"'m", "'M", "'ll", "'LL", "'lL", "'d", "'D", "'\u017f", "'\u017fa", "'", "''",
		"don't", "I'M", "we'RE", "it'\u017f", "'K", "'\u212a", "'\u0130", "'x"]),
	() => pick(['.', ',', '!', '?', '/', '//', '...', '-', '(', ')', '"', '#', '$',
		'%', '&', '*', '+', ':', ';', '<', '=', '>', '@', '[', '\\', ']', '^',
		'_', '`', '{', '|', '}', '~', '\u00ab', '\u2014', '\u3002', '\uff01']),
	() => pick(['\u00e9', 'e\u0301', '\u00c5', 'A\u030a', '\u212b', '\u1e0b\u0323',
		'd\u0307\u0323', 'q\u0307\u0323', '\u00f1', 'n\u0303', 'x\u0301\u1df9',
		'a\u0328\u0301', '\u0344', '\u0958', '\u2126', '\uf900', 'o\u031b\u0323']),
	() => range(0x300, 0x36f), () => range(0x591, 0x5c7), () => range(0x64b, 0x65f),
	() => range(0x900, 0x97f), () => range(0x1dc0, 0x1dff), () => range(0x20d0, 0x20f0),
	() => range(0x4e00, 0x9fff), () => range(0x3040, 0x30ff),
	() => range(0xac00, 0xd7a3), () => range(0x1100, 0x1112), () => range(0x1161, 0x1175),
	() => range(0x11a8, 0x11c2), () => range(0x600, 0x6ff), () => range(0x400, 0x4ff),
	() => range(0x370, 0x3ff), () => range(0xe00, 0xe7f),
	() => pick(['\u01c5', '\u01c8', '\u02b0', '\u02b1', '\u3005', '\u1c89', '\u1c8a',
		'\u2160', '\u00b2', '\u00bd', '\u0663', '\u0966', '\uff11', '\u2460']),
	() => pick(['\u00a0', '\u1680', '\u2000', '\u2003', '\u2009', '\u200a', '\u2028',
		'\u2029', '\u202f', '\u205f', '\u3000', '\u0085', '\u200b', '\u180e', '\ufeff']),
	() => pick(['\u{1f600}', '\u{1f44d}\u{1f3fd}', '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
		'\u2764\ufe0f', '\u{1f1eb}\u{1f1f7}', '#\ufe0f\u20e3', '\u{1f3f3}\ufe0f\u200d\u{1f308}']),
	() => pick(['\u{11935}\u{11930}', '\u{11938}', '\u{16121}\u{1611e}', '\u{113c2}\u{113b8}',
		'\u{1e4d0}', '\u{11f00}', '\u{31350}', '\u{1df9}', '\u0c3c', '\u0ae0']),
	() => pick(['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<think>', '</think>',
		'<tool_call>', '</tool_call>', '<|begin_of_text|>', '<|eot_id|>',
		'<|start_header_id|>', '<|reserved_special_token_7|>', '<|fim_prefix|>',
		'<|endofprompt|>', '<|im_start', 'im_end|>', '<|', '|>', '<|<|im_end|>|>']),
	() => String.fromCodePoint(pick([rnd(0x80), 0x80 + rnd(0x780), 0x800 + rnd(0xd000),
		0xe000 + rnd(0x2000), 0x10000 + rnd(0x100000)])),
	() => pick(['\u0000', '\u0001', '\u007f', '\u0080', '\u009f', '\ufffd', '\ufffe', '\uffff']),
];

function synth() {
	const n = 1 + rnd(rnd(4) === 0 ? 400 : 40);
	let s = '';
	const local = [pick(pools), pick(pools), pick(pools)];
	for (let i = 0; i < n; i++) {
		const f = rnd(3) ? pick(local) : pick(pools);
		let piece = f();
		if (rnd(8) === 0)
			piece = piece.repeat(1 + rnd(6));
		s += piece;
	}
	return s;
}

// Real text in pieces of a few KB, cut at line ends.
function* files() {
	const docs = [];
	const walk = (dir, test, limit) => {
		let n = 0;
		const rec = (d) => {
			let ents;
			try { ents = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
			ents.sort((a, b) => a.name < b.name ? -1 : 1);
			for (const e of ents) {
				if (n >= limit)
					return;
				const p = path.join(d, e.name);
				if (e.isDirectory())
					rec(p);
				else if (e.isFile() && test(p)) {
					docs.push(p);
					n++;
				}
			}
		};
		rec(dir);
	};
	for (const lang of fs.readdirSync('/usr/share/man'))
		if (!lang.startsWith('man'))
			walk(path.join('/usr/share/man', lang), p => p.endsWith('.gz'), 12);
	walk('/usr/share/man/man1', p => p.endsWith('.gz'), 20);
	walk('/usr/share/i18n/locales', () => true, 40);
	walk('/usr/lib/python3.11', p => p.endsWith('.py'), 30);
	walk(path.join(root, 'lib'), p => p.endsWith('.c'), 30);
	walk('/work/shared/data/real', p => /\.(json|jsonl|md)$/.test(p), 20);
	for (const p of docs) {
		let text;
		try {
			let b = fs.readFileSync(p);
			if (p.endsWith('.gz'))
				b = zlib.gunzipSync(b);
			text = b.toString('utf8');
		} catch { continue; }
		for (let i = 0; i < text.length && i < 400000;) {
			let j = Math.min(text.length, i + 2000 + rnd(3000));
			const nl = text.indexOf('\n', j);
			j = nl < 0 ? text.length : nl + 1;
			yield text.slice(i, j);
			i = j;
		}
	}
}

function engine(spec) {
	if (spec === 'cl100k' || spec === 'o200k') {
		const { get_encoding } = require(path.join(ref, 'node_modules/tiktoken'));
		const enc = get_encoding(spec === 'cl100k' ? 'cl100k_base' : 'o200k_base');
		return async (t) => Array.from(enc.encode(t, 'all'));
	}
	const { Tokenizer } = require(path.join(ref, 'node_modules/tokenizers'));
	const file = spec === 'qwen' || spec === 'llama3' ?
		path.join(tokdir, spec, 'tokenizer.json') : spec;
	const tok = Tokenizer.fromFile(file);
	return async (t) => (await tok.encode(t, null, { addSpecialTokens: false })).getIds();
}

async function main() {
	const texts = [];
	for (let i = 0; i < nsynth; i++)
		texts.push(synth());
	if (useFiles)
		for (const t of files())
			texts.push(t);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kc-diff-'));
	// one file per text, read by `kc-tok --raw` (JSON lines cannot hold NUL)
	const names = texts.map((t, i) => {
		const f = path.join(tmp, String(i));
		fs.writeFileSync(f, t);
		return f;
	});
	const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
	let failed = 0;
	for (const spec of toks) {
		const spec2 = spec;
		const ours = execFileSync(path.join(build, 'bin/kc-tok'), ['-t', spec2, '--ids', '--raw', ...names],
			{ maxBuffer: 1 << 30, env: { ...process.env, KC_TOKENIZER_DIR: tokdir } })
			.toString().split('\n');
		const enc = engine(spec);
		let bad = 0;
		for (let i = 0; i < texts.length; i++) {
			const want = (await enc(texts[i])).join(' ');
			if (ours[i] === want)
				continue;
			bad++;
			if (bad <= maxbad) {
				const a = ours[i].split(' '), b = want.split(' ');
				let k = 0;
				while (k < a.length && a[k] === b[k])
					k++;
				console.log(`${spec}: text ${i} differs at token ${k}: ours ${a.slice(k, k + 5).join(' ')} | ref ${b.slice(k, k + 5).join(' ')}`);
				console.log('  text: ' + JSON.stringify(texts[i]).slice(0, 600));
			}
		}
		console.log(`${spec}: ${texts.length - bad}/${texts.length} texts identical (${(bytes / 1e6).toFixed(2)} MB)`);
		if (bad)
			failed = 1;
	}
	fs.rmSync(tmp, { recursive: true });
	process.exit(failed);
}
main().catch(e => { console.error(e); process.exit(2); });
