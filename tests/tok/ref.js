#!/usr/bin/env node
// ref.js - run a reference tokenizer (not our code) on files, for the
// golden ids, the debugging comparison and the speed benchmark.
//
// Usage: node ref.js ENGINE TOKENIZER MODE ARGS...
//
//   ENGINE     hf       Hugging Face's Rust `tokenizers` (official napi build)
//              anush    @anush008/tokenizers (the same crate, another build)
//              hfjs     @huggingface/tokenizers (pure JavaScript)
//              tiktoken OpenAI's Rust tiktoken (official WASM build)
//              gpt      gpt-tokenizer (pure JavaScript)
//   TOKENIZER  a tokenizer.json (hf, anush, hfjs) or a cl100k/o200k
//              .tiktoken file (tiktoken, gpt); the files kc uses
//   MODE       golden CORPUSDIR  one line per MANIFEST document:
//                                "name<TAB>count<TAB>sha256 of 'id id id\n'"
//                                or "name<TAB>-" when skipped (--skip FLAG)
//              ids FILE...       like `kc-tok --raw --ids FILE...`
//              pieces ID...      each token's bytes in hex ('-': no such id)
//              bench CORPUSDIR   encode every document, timed inside node;
//                                prints one JSON line (see bench/tok.sh)
//   --skip FLAG   (golden, bench) leave out documents with that flag
//   --repeat N    (bench) time N passes, report each
//
// Text is decoded as the kc tokenizers read it: UTF-8, each maximal
// invalid subsequence replaced by U+FFFD (WHATWG TextDecoder, the same as
// Python's errors="replace").  Added/special tokens written in the text are
// matched as such: Hugging Face encode(text, add_special_tokens=false), and
// tiktoken encode(text, allowed_special="all").
//
// The packages come from .cache/tokref/node_modules (tests/tok/install-ref),
// or $KC_REF_MODULES.
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const MODULES = process.env.KC_REF_MODULES ||
	path.join(__dirname, '..', '..', '.cache', 'tokref', 'node_modules');

function need(name) {
	// resolve from the directory above node_modules, so that the
	// packages' "exports" maps apply
	return require(require.resolve(name, { paths: [path.dirname(MODULES)] }));
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

function readText(file) {
	return decoder.decode(fs.readFileSync(file));
}

// GPT-2's byte-level alphabet, reversed: token strings of a byte-level
// tokenizer.json back to the bytes they stand for.
function byteLevelDecoder() {
	const bs = [];
	for (let b = 33; b <= 126; b++) bs.push(b);
	for (let b = 161; b <= 172; b++) bs.push(b);
	for (let b = 174; b <= 255; b++) bs.push(b);
	const cs = bs.slice();
	let n = 0;
	for (let b = 0; b < 256; b++) {
		if (!bs.includes(b)) {
			bs.push(b);
			cs.push(256 + n);
			n++;
		}
	}
	const map = new Map();
	bs.forEach((b, i) => map.set(String.fromCodePoint(cs[i]), b));
	return (s) => {
		const out = [];
		for (const ch of s) {
			if (!map.has(ch)) return Buffer.from(s, 'utf8'); // an added token
			out.push(map.get(ch));
		}
		return Buffer.from(out);
	};
}

// The tiktoken encodings, read from the .tiktoken file given, with the
// pattern and special tokens of tiktoken's own registry for that name.
function tiktokenSpec(file) {
	const base = path.basename(file);
	const name = base.startsWith('cl100k') ? 'cl100k_base'
		: base.startsWith('o200k') ? 'o200k_base' : null;
	if (!name) throw new Error(`${file}: not a cl100k or o200k file`);
	const reg = JSON.parse(fs.readFileSync(
		path.join(MODULES, 'tiktoken', 'encoders', name + '.json'), 'utf8'));
	return { name, pat: reg.pat_str, special: reg.special_tokens,
		ranks: fs.readFileSync(file, 'utf8') };
}

// Each engine: { encode(text) -> Promise<number[]>, piece(id) -> Buffer }
function openEngine(engine, file) {
	if (engine === 'hf' || engine === 'anush') {
		const mod = need(engine === 'hf' ? 'tokenizers' : '@anush008/tokenizers');
		const tok = mod.Tokenizer.fromFile(file);
		const bl = byteLevelDecoder();
		return {
			async encode(text) {
				const enc = await tok.encode(text, null,
					{ addSpecialTokens: false });
				return enc.getIds();
			},
			piece(id) {
				const s = tok.idToToken(id);
				return s === null ? null : bl(s);
			},
		};
	}
	if (engine === 'hfjs') {
		const { Tokenizer } = need('@huggingface/tokenizers');
		const json = JSON.parse(fs.readFileSync(file, 'utf8'));
		const cfgFile = path.join(path.dirname(file), 'tokenizer_config.json');
		const cfg = fs.existsSync(cfgFile)
			? JSON.parse(fs.readFileSync(cfgFile, 'utf8')) : {};
		const tok = new Tokenizer(json, cfg);
		return {
			async encode(text) {
				return tok.encode(text, { add_special_tokens: false }).ids;
			},
			piece() { return null; },
		};
	}
	if (engine === 'tiktoken') {
		const { Tiktoken } = need('tiktoken/lite');
		const spec = tiktokenSpec(file);
		const enc = new Tiktoken(spec.ranks, spec.special, spec.pat);
		return {
			async encode(text) {
				return Array.from(enc.encode(text, 'all'));
			},
			piece(id) {
				try {
					return Buffer.from(enc.decode_single_token_bytes(id));
				} catch (e) {
					return null;
				}
			},
		};
	}
	if (engine === 'gpt') {
		const spec = tiktokenSpec(file);
		const { encode } = need('gpt-tokenizer/cjs/encoding/' + spec.name);
		return {
			async encode(text) {
				return encode(text, { allowedSpecial: 'all' });
			},
			piece() { return null; },
		};
	}
	throw new Error(`unknown engine '${engine}'`);
}

function readManifest(dir) {
	return fs.readFileSync(path.join(dir, 'MANIFEST'), 'utf8')
		.split('\n').filter((l) => l).map((l) => {
			const [name, bytes, sha, flags] = l.split('\t');
			return { name, bytes: +bytes, sha,
				flags: flags === '-' ? [] : flags.split(',') };
		});
}

function idsText(ids) {
	return ids.join(' ') + '\n';
}

function sha256(s) {
	return crypto.createHash('sha256').update(s).digest('hex');
}

function out(s) {
	return new Promise((resolve) => {
		if (process.stdout.write(s)) resolve();
		else process.stdout.once('drain', resolve);
	});
}

async function golden(eng, dir, skip) {
	for (const d of readManifest(dir)) {
		if (d.flags.some((f) => skip.includes(f))) {
			await out(`${d.name}\t-\n`);
			continue;
		}
		const ids = await eng.encode(readText(path.join(dir, d.name)));
		await out(`${d.name}\t${ids.length}\t${sha256(idsText(ids))}\n`);
	}
}

async function bench(eng, dir, skip, repeat, loadSeconds) {
	const docs = readManifest(dir)
		.filter((d) => !d.flags.some((f) => skip.includes(f)))
		.map((d) => ({ bytes: d.bytes,
			text: readText(path.join(dir, d.name)) }));
	const bytes = docs.reduce((a, d) => a + d.bytes, 0);
	const wall = [];
	const cpu = [];
	let tokens = 0;
	for (let r = 0; r < repeat; r++) {
		tokens = 0;
		// CPU time of the whole process: the napi build encodes on a
		// libuv worker thread while this one waits, so this is the
		// encoder's time (plus V8's own threads, little) and, unlike wall
		// time, it does not grow when other processes share the CPU.
		const c0 = process.cpuUsage();
		const t0 = process.hrtime.bigint();
		for (const d of docs) tokens += (await eng.encode(d.text)).length;
		wall.push(Number(process.hrtime.bigint() - t0) / 1e9);
		const c = process.cpuUsage(c0);
		cpu.push((c.user + c.system) / 1e6);
	}
	await out(JSON.stringify({ docs: docs.length, bytes, tokens,
		load_s: loadSeconds, encode_s: wall, cpu_s: cpu }) + '\n');
}

async function main(argv) {
	const opts = { skip: [], repeat: 1 };
	const args = [];
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--skip') opts.skip.push(argv[++i]);
		else if (argv[i] === '--repeat') opts.repeat = +argv[++i];
		else args.push(argv[i]);
	}
	const [engine, file, mode, ...rest] = args;
	if (!mode) {
		process.stderr.write('usage: ref.js ENGINE TOKENIZER ' +
			'golden|ids|pieces|bench ARGS...\n');
		return 2;
	}
	const t0 = process.hrtime.bigint();
	const eng = openEngine(engine, file);
	const loadSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
	if (mode === 'golden') {
		await golden(eng, rest[0], opts.skip);
	} else if (mode === 'ids') {
		for (const f of rest) await out(idsText(await eng.encode(readText(f))));
	} else if (mode === 'pieces') {
		for (const id of rest) {
			const b = eng.piece(+id);
			await out((b === null ? '-' : b.toString('hex')) + '\n');
		}
	} else if (mode === 'bench') {
		await bench(eng, rest[0], opts.skip, opts.repeat, loadSeconds);
	} else {
		process.stderr.write(`ref.js: unknown mode '${mode}'\n`);
		return 2;
	}
	return 0;
}

main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; },
	(e) => {
		// system errors (a missing file) need no stack trace
		process.stderr.write(`ref.js: ${e.code ? e.message : e.stack || e}\n`);
		process.exitCode = 1;
	});
