// pq.mjs - the independent Parquet implementations the tests hold
// kc-parquet to: DuckDB (C++), arrow-rs (parquet-wasm) and hyparquet.
//
//   node pq.mjs read duckdb|arrow|hyparquet FILE.parquet...
//       the rows as JSON lines, of one file on stdout, of more in FILE.READER
//   node pq.mjs schema FILE.parquet          DuckDB's parquet_schema() rows
//   node pq.mjs write duckdb|arrow|hyparquet IN.jsonl OUT.parquet [OPT...]
//       OPT: codec=zstd|snappy|gzip|none, dict=0|1, v2=1 (arrow), rows=N
//   node pq.mjs writes duckdb|arrow|hyparquet IN.jsonl PREFIX [OPT...]
//       every codec the writer has, dictionary on and off:
//       PREFIX-CODEC-DICT.parquet (and PREFIX-CODEC-1-v2.parquet, arrow)
//   node pq.mjs sql QUERY                    DuckDB, the rows as JSON lines
//
// The packages come from scripts/fetch-parquet-readers ($KC_PARQUET_READERS).
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = process.env.KC_PARQUET_READERS ||
	path.join(os.homedir(), '.cache/kc/parquet-readers');
const require = createRequire(path.join(dir, 'package.json'));
const load = (name) => import(pathToFileURL(require.resolve(name)).href);

// Values as JSON has them: 64-bit integers as numbers, Arrow's vectors
// and struct rows as arrays and objects.
function plain(v, arrow) {
	if (v === null || v === undefined) return null;
	if (typeof v === 'bigint') {
		const n = Number(v);
		return Number.isSafeInteger(n) ? n : v.toString();
	}
	if (arrow && v instanceof arrow.Vector) return [...v].map((x) => plain(x, arrow));
	if (Array.isArray(v)) return v.map((x) => plain(x, arrow));
	if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
	if (typeof v === 'object') {
		if (typeof v.toJSON === 'function' && !(v instanceof Date)) v = v.toJSON();
		const o = {};
		for (const [k, x] of Object.entries(v)) o[k] = plain(x, arrow);
		return o;
	}
	return v;
}

function out(rows) {
	const lines = rows.map((r) => JSON.stringify(r));
	fs.writeSync(1, lines.length ? lines.join('\n') + '\n' : '');
}

async function duck() {
	const { DuckDBInstance } = await load('@duckdb/node-api');
	const inst = await DuckDBInstance.create(':memory:');
	return inst.connect();
}

const quote = (s) => "'" + s.replace(/'/g, "''") + "'";

async function readDuckdb(file) {
	const con = await duck();
	const r = await con.runAndReadAll(`SELECT * FROM read_parquet(${quote(file)})`);
	return r.getRowObjectsJS().map((x) => plain(x));
}

async function readArrow(file) {
	const pw = await load('parquet-wasm');
	const arrow = await load('apache-arrow');
	const t = arrow.tableFromIPC(pw.readParquet(fs.readFileSync(file)).intoIPCStream());
	const rows = [];
	for (const row of t) rows.push(plain(row, arrow));
	return rows;
}

async function readHyparquet(file) {
	const { parquetReadObjects, asyncBufferFromFile } = await load('hyparquet');
	const { compressors } = await load('hyparquet-compressors');
	const f = await asyncBufferFromFile(file);
	return (await parquetReadObjects({ file: f, compressors })).map((x) => plain(x));
}

function opts(args) {
	const o = { codec: 'zstd', dict: '1', v2: '0' };
	for (const a of args) {
		const [k, v] = a.split('=');
		o[k] = v;
	}
	return o;
}

async function writeDuckdb(inp, outp, o) {
	const con = await duck();
	const codec = o.codec === 'none' ? 'uncompressed' : o.codec;
	// the columns as DuckDB reads them from the JSON lines; no dates
	const src = `read_json(${quote(inp)}, format='newline_delimited', ` +
		`dateformat='%%no', timestampformat='%%no')`;
	let with_ = `FORMAT parquet, COMPRESSION ${codec}`;
	if (o.dict === '0') with_ += ', DICTIONARY_COMPRESSION_RATIO_THRESHOLD -1';
	if (o.rows) with_ += `, ROW_GROUP_SIZE ${o.rows}`;
	await con.run(`COPY (SELECT * FROM ${src}) TO ${quote(outp)} (${with_})`);
}

// arrow-rs and hyparquet-writer take typed columns, which JSON is not:
// DuckDB types the JSON lines first (an uncompressed, plain file), and
// the writer rewrites that file's columns with its own encoder.
async function typed(inp) {
	const tmp = path.join(os.tmpdir(), `pq-${process.pid}-typed.parquet`);
	await writeDuckdb(inp, tmp, { codec: 'none', dict: '0' });
	return tmp;
}

async function writeArrow(inp, outp, o) {
	const pw = await load('parquet-wasm');
	const tmp = await typed(inp);
	const t = pw.readParquet(fs.readFileSync(tmp));
	fs.unlinkSync(tmp);
	const C = { zstd: pw.Compression.ZSTD, snappy: pw.Compression.SNAPPY,
		gzip: pw.Compression.GZIP, none: pw.Compression.UNCOMPRESSED };
	let b = new pw.WriterPropertiesBuilder().setCompression(C[o.codec])
		.setDictionaryEnabled(o.dict !== '0')
		.setWriterVersion(o.v2 === '1' ? pw.WriterVersion.V2 : pw.WriterVersion.V1);
	if (o.rows) b = b.setMaxRowGroupSize(Number(o.rows));
	fs.writeFileSync(outp, pw.writeParquet(t, b.build()));
}

async function writeHyparquet(inp, outp, o) {
	const { parquetWriteBuffer } = await load('hyparquet-writer');
	const { parquetMetadataAsync, parquetReadObjects, asyncBufferFromFile } =
		await load('hyparquet');
	const tmp = await typed(inp);
	const f = await asyncBufferFromFile(tmp);
	const meta = await parquetMetadataAsync(f);
	const rows = await parquetReadObjects({ file: f });
	fs.unlinkSync(tmp);
	const schema = meta.schema.map((e) => {
		const x = { ...e };
		delete x.field_id;
		return x;
	});
	const tops = [];
	for (let i = 1, k = 0; k < schema[0].num_children; k++) {
		tops.push(schema[i].name);
		const skip = (j) => { let n = schema[j].num_children || 0; j++; while (n--) j = skip(j); return j; };
		i = skip(i);
	}
	const columnData = tops.map((name) => ({ name,
		data: rows.map((r) => (r[name] === undefined ? null : r[name])) }));
	const C = { zstd: 'ZSTD', snappy: 'SNAPPY', gzip: 'GZIP', none: 'UNCOMPRESSED' };
	const opt = { columnData, schema, codec: C[o.codec], compressors: await writers() };
	if (o.dict === '0') opt.dictionarySize = 0;
	if (o.rows) opt.rowGroupSize = Number(o.rows);
	fs.writeFileSync(outp, Buffer.from(parquetWriteBuffer(opt)));
}

// hyparquet-writer writes snappy itself; gzip (and zstd where this node
// has it) from node's zlib.
async function writers() {
	const zlib = await import('node:zlib');
	const c = { GZIP: (b) => new Uint8Array(zlib.gzipSync(b)) };
	if (zlib.zstdCompressSync) c.ZSTD = (b) => new Uint8Array(zlib.zstdCompressSync(b));
	return c;
}

const [cmd, a, b, c, ...rest] = process.argv.slice(2);
if (cmd === 'read') {
	const f = { duckdb: readDuckdb, arrow: readArrow, hyparquet: readHyparquet }[a];
	const files = [b, c, ...rest].filter((x) => x !== undefined);
	if (files.length === 1) {
		out(await f(b));
	} else {
		for (const file of files) {
			const rows = await f(file);
			fs.writeFileSync(`${file}.${a}`, rows.map((r) => JSON.stringify(r) + '\n').join(''));
		}
	}
} else if (cmd === 'writes') {
	const f = { duckdb: writeDuckdb, arrow: writeArrow, hyparquet: writeHyparquet }[a];
	const codecs = a === 'hyparquet' ? ['snappy', 'gzip', 'none'] : ['zstd', 'snappy', 'gzip', 'none'];
	for (const codec of codecs) {
		for (const dict of ['1', '0'])
			await f(b, `${c}-${codec}-${dict}.parquet`, { ...opts(rest), codec, dict });
		if (a === 'arrow')
			await f(b, `${c}-${codec}-1-v2.parquet`, { ...opts(rest), codec, dict: '1', v2: '1' });
	}
} else if (cmd === 'schema') {
	const con = await duck();
	const r = await con.runAndReadAll(
		`SELECT name, type, repetition_type, num_children, converted_type, ` +
		`logical_type FROM parquet_schema(${quote(a)})`);
	out(r.getRowObjectsJS().map((x) => plain(x)));
} else if (cmd === 'write') {
	const f = { duckdb: writeDuckdb, arrow: writeArrow, hyparquet: writeHyparquet }[a];
	await f(b, c, opts(rest));
} else if (cmd === 'sql') {
	const con = await duck();
	const r = await con.runAndReadAll(a);
	out(r.getRowObjectsJS().map((x) => plain(x)));
} else {
	console.error('usage: pq.mjs read|schema|write|sql ...');
	process.exit(2);
}
