#!/usr/bin/env node
// regen-cases.js - write the tokenizer edge cases (tests/fuzz/cases/*.txt)
// and their golden ids from the reference implementations.
//
// Usage: node tests/fuzz/regen-cases.js
//
// Needs the reference in .cache/ref ($KC_REF):
//   npm install --prefix .cache/ref tokenizers@0.23.2 tiktoken@1.0.22
// and the tokenizer files (`make tokenizers-all`).  Writes, per case
// NAME and tokenizer TOK, cases/NAME.TOK: the ids line `kc-tok --raw
// --ids` must print; TOK is also v-NAME for the variants of
// make-variants.js (built again by the test).  The long cases are not stored: the test builds them
// with the command in cases/long.cmd, and cases/long.TOK holds, per case,
// "NAME COUNT SHA256-OF-THE-IDS-LINE" (or "NAME - reason" when the
// reference cannot encode it: tiktoken is quadratic on long pre-tokens).  tests/t1001-tok-cases.sh compares.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execSync } = require('child_process');

const root = path.resolve(__dirname, '../..');
const ref = path.resolve(process.env.KC_REF || path.join(root, '.cache/ref'));
const tokdir = process.env.TOKDIR || path.join(root, 'build/share/kc/tokenizers');
const dir = path.join(__dirname, 'cases');

const cases = {
	contractions: "it's IT'S we'RE you'Ve I'M He'LL she'D 'ſa 'ſ x'S 'K 'K 'x '' " +
		"don't can'T O'Neil rock'n'roll 'tis '\u0130",
	nfc: 'e\u0301 x\u0301\u1df9 \u{11935}\u{11930} A\u030a \u212b \u1100\u1161\u11a8 ' +
		'\ud55c\u11a8 q\u0307\u0323 \u0958 \u2126 \u{16121}\u{1611e} caf\u00e9 cafe\u0301 ' +
		'a\u0328\u0301\u0316 \u0344 o\u031b\u0323\u0300 \u0f73 \u1e9b\u0323',
	added: '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\nx\n</think>\n\n' +
		'<tool_call>{}</tool_call><|endoftext|><|im_start<|im_end|>>\u0338 <|im_end|>\u0301',
	llama_special: '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi' +
		'<|eot_id|><|reserved_special_token_250|><|reserved_special_token_251|>',
	tiktoken_special: '<|endoftext|><|fim_prefix|>x<|fim_suffix|> <|endofprompt|>',
	invalid: Buffer.from('a\xffb\xc3(c\xe2\x82d\xed\xa0\x80e\xf0\x9f\x98f\xc0\x80' +
		'g\xf4\x90\x80\x80h\xe0\x80i\xf5j\x80\x80k\xc3', 'latin1'),
	spaces: 'a  b\t\tc\r\n\r\n  d   \n  e\u3000\u3000f \u00a0g \u0085h\u2028i \u200b j  \n',
	digits: '1234567 \u0661\u0662\u0663\u0664 \u00b2\u00b3 12,345.67 \u216b \u00bd 0x1F 3.14159',
	scripts: 'Привет, мир! 你好，世界。こんにちは 안녕하세요 مرحبا שָׁלוֹם עולם नमस्ते ສະບາຍດີ Ελληνικά',
	emoji: '\u{1f44d}\u{1f3fd} \u{1f468}\u200d\u{1f469}\u200d\u{1f467} \u2764\ufe0f \u{1f1eb}\u{1f1f7} ' +
		'#\ufe0f\u20e3 \u{1f3f3}\ufe0f\u200d\u{1f308}',
	code: 'int main(void)\n{\n\tfor (int i = 0; i < 10; i++) {\n\t\tprintf("%d\\n", i);\n\t}\n' +
		'\treturn 0; // done\n}\n\n\n    x = a/b//c ==> y;\r\n',
	letters: 'HELLOworld helloWorld \u00c0B\u4e2dc \u0301A CamelCase\'s THEY\'RE iPhone ' +
		'\u01c5ungla \u02b0x \u3005\u3005 \u1c89\u1c8a',
	controls: 'a\u0000b\u0001c\u007f\u0080\u009f d\ufeffe\ufffe\uffff\ufffd',
	empty: '',
};

// Long texts, made by the test itself (no 1 MB files in the repository).
const long = {
	letters: "yes abcdefghij | tr -d '\\n' | head -c 1048576",
	cjk: "yes 中文字符 | tr -d '\\n' | head -c 900000",
	digits: "yes 1234567890 | tr -d '\\n' | head -c 1048576",
	spaces: "yes ' ' | tr -d '\\n' | head -c 1048576",
};

function engines() {
	const { Tokenizer } = require(path.join(ref, 'node_modules/tokenizers'));
	const { get_encoding } = require(path.join(ref, 'node_modules/tiktoken'));
	const hf = (f) => {
		const t = Tokenizer.fromFile(path.join(tokdir, f, 'tokenizer.json'));
		return async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds();
	};
	const tt = (n) => {
		const e = get_encoding(n);
		return async (s) => Array.from(e.encode(s, 'all'));
	};
	return { qwen: hf('qwen'), llama3: hf('llama3'), cl100k: tt('cl100k_base'),
		o200k: tt('o200k_base') };
}

// The variants of make-variants.js (added-token flags, GPT-2 regex, ...).
const variants = ['flags', 'gpt2', 'o200k-split', 'nonorm'];
function variantEngines() {
	const { Tokenizer } = require(path.join(ref, 'node_modules/tokenizers'));
	const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'kc-var-'));
	execSync(`node ${path.join(__dirname, 'make-variants.js')} ${tmp}`);
	const e = {};
	for (const v of variants) {
		const t = Tokenizer.fromFile(path.join(tmp, v + '.json'));
		e['v-' + v] = async (s) => (await t.encode(s, null, { addSpecialTokens: false })).getIds();
	}
	fs.rmSync(tmp, { recursive: true });
	return e;
}

async function main() {
	fs.mkdirSync(dir, { recursive: true });
	const eng = engines();
	const veng = variantEngines();
	for (const [name, text] of Object.entries(cases)) {
		const file = path.join(dir, name + '.txt');
		fs.writeFileSync(file, text);
		// the reference sees the bytes as node decodes them (U+FFFD for
		// each maximal invalid subsequence)
		const s = fs.readFileSync(file).toString('utf8');
		for (const [tok, enc] of Object.entries({ ...eng, ...veng }))
			fs.writeFileSync(path.join(dir, `${name}.${tok}`),
				(await enc(s)).join(' ') + '\n');
	}
	const lines = Object.fromEntries(Object.keys(eng).map(t => [t, []]));
	let cmd = '';
	for (const [name, c] of Object.entries(long)) {
		cmd += `${name}\t${c}\n`;
		const s = execSync(c, { shell: '/bin/sh', maxBuffer: 1 << 26 }).toString('utf8');
		for (const [tok, enc] of Object.entries(eng)) {
			let ids;
			// tiktoken's merge loop is quadratic in the length of a
			// pre-token: a megabyte-long one would take hours
			if (tok.match(/k$/) && name !== 'digits') {
				lines[tok].push(`${name} - reference-too-slow`);
				continue;
			}
			try {
				ids = (await enc(s)).join(' ') + '\n';
			} catch (e) {
				// tiktoken's WASM build gives up on some megabyte-long
				// pre-tokens (fancy-regex's backtrack limit)
				lines[tok].push(`${name} - reference-failed`);
				continue;
			}
			const sha = crypto.createHash('sha256').update(ids).digest('hex');
			lines[tok].push(`${name} ${ids.trim() ? ids.trim().split(' ').length : 0} ${sha}`);
		}
	}
	fs.writeFileSync(path.join(dir, 'long.cmd'), cmd);

	// Unicode's NormalizationTest.txt (Debian's unicode-data), every
	// string of its five columns as a line "x" + string + "y": the hash
	// of the file, and per tokenizer of the ids lines.
	const nt = '/usr/share/unicode/NormalizationTest.txt.bz2';
	if (fs.existsSync(nt)) {
		const text = execSync(`sh ${path.join(__dirname, 'normtest-lines')} ${nt}`,
			{ maxBuffer: 1 << 28 });
		const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
		const out = [`input ${sha(text)}`];
		const lines = text.toString('utf8').split('\n');
		lines.pop();
		for (const [tok, enc] of Object.entries(eng)) {
			let ids = '';
			for (const l of lines)
				ids += (await enc(l)).join(' ') + '\n';
			out.push(`${tok} ${sha(ids)}`);
		}
		fs.writeFileSync(path.join(dir, 'normtest.sha256'), out.join('\n') + '\n');
	}
	for (const [tok, l] of Object.entries(lines))
		fs.writeFileSync(path.join(dir, `long.${tok}`), l.join('\n') + '\n');
	console.log(`${Object.keys(cases).length} cases, ${Object.keys(long).length} long cases, ` +
		`${Object.keys(eng).length} tokenizers`);
}
main().catch(e => { console.error(e); process.exit(2); });
