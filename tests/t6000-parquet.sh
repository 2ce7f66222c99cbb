#!/bin/sh
# kc-parquet: every kc-render format on the real samples goes to Parquet
# and back unchanged; three independent implementations (DuckDB, arrow-rs
# as parquet-wasm, hyparquet; from npm, scripts/fetch-parquet-readers)
# read every file kc-parquet writes and give the JSON input's values; the
# files their writers make (every codec, dictionary on and off, nested
# columns, data pages v1 and v2) read back exactly with kc-parquet -d.
# Values are compared by tests/parquet/same.py, key order aside; a key
# that some records lack reads back as null (Parquet has no absent
# fields), which same.py --absent-is-null allows.
. "$(dirname "$0")/lib.sh"

PQ="node $SRC/tests/parquet/pq.mjs"
same() { python3 "$SRC/tests/parquet/same.py" "$@"; }
formats='chat verl swift keychain text'

test_expect_success 'setup: the readers, and records of every format' '
	KC_PARQUET_READERS=$("$SRC"/scripts/fetch-parquet-readers) &&
	echo "$KC_PARQUET_READERS" >readers &&
	for d in hotpotqa musique 2wikimqa; do
		kc-import -q "$DATA"/$d/* >$d.jsonl || return 1
	done &&
	cat hotpotqa.jsonl musique.jsonl 2wikimqa.jsonl >pool.jsonl &&
	for d in hotpotqa musique 2wikimqa; do head -12 $d.jsonl; done >q.jsonl &&
	kc-fill --pool pool.jsonl -l 4k <q.jsonl | kc-chain >chained.jsonl &&
	test_line_count = 36 chained.jsonl &&
	for f in $formats; do
		kc-render -f $f <chained.jsonl >$f.jsonl &&
		test_line_count = 36 $f.jsonl || return 1
	done &&
	cat >nested.jsonl <<-\EOF
	{"s":"a","i":1,"f":1.5,"b":true,"l":[{"r":"u","c":"x"}],"t":{"g":["p","q"],"n":null},"ll":[[1,2],[]],"e":"caf\u00e9 \u4e2d \ud83d\ude00","z":"a\u0000b"}
	{"s":"a","i":-7,"f":null,"b":false,"l":[],"t":null,"ll":null,"e":"","z":null}
	{"s":"bb","i":9007199254740991,"f":-2e-300,"b":null,"l":[{"r":null,"c":"yy"},{"r":"v","c":""}],"t":{"g":[],"n":3},"ll":[[null],[4]],"e":null,"z":"\n"}
	EOF
'
export KC_PARQUET_READERS="$(cat readers 2>/dev/null)"

test_expect_success 'every format, and nested values, round trip through kc-parquet' '
	for f in $formats nested; do
		kc-parquet -o $f.parquet $f.jsonl &&
		kc-parquet -d $f.parquet >$f.back &&
		same --absent-is-null $f.jsonl $f.back || { echo "format $f"; return 1; }
	done
'

test_expect_success 'each codec and row groups of a few records round trip' '
	for c in zstd snappy gzip none; do
		kc-parquet -c $c -r 64K -o verl-$c.parquet verl.jsonl &&
		kc-parquet -d verl-$c.parquet >back &&
		same verl.jsonl back &&
		kc-parquet -c $c --no-dictionary -o nested-$c.parquet nested.jsonl &&
		kc-parquet -d nested-$c.parquet >back &&
		same nested.jsonl back || { echo "codec $c"; return 1; }
	done &&
	$PQ sql "SELECT count(*) AS n FROM parquet_metadata('"'verl-zstd.parquet'"') WHERE column_id = 0" >groups &&
	python3 -c "import json; n = json.load(open(\"groups\"))[\"n\"]; assert n > 2, n"
'

test_expect_success 'DuckDB, arrow-rs and hyparquet read every file kc-parquet wrote' '
	for r in duckdb arrow hyparquet; do
		$PQ read $r $(for f in $formats nested; do echo $f.parquet; done) \
			verl-*.parquet nested-*.parquet || return 1
		for f in $formats nested; do
			same --absent-is-null $f.jsonl $f.parquet.$r || { echo "$r $f"; return 1; }
		done &&
		for c in zstd snappy gzip none; do
			same verl.jsonl verl-$c.parquet.$r &&
			same nested.jsonl nested-$c.parquet.$r || { echo "$r $c"; return 1; }
		done || return 1
	done
'

test_expect_success 'DuckDB sees verl'"'"'s columns with the nested types a trainer expects' '
	$PQ sql "SELECT column_name, column_type FROM (DESCRIBE SELECT data_source, prompt, ability, reward_model FROM read_parquet('"'verl.parquet'"'))" >types &&
	cat >expect <<-\EOF &&
	{"column_name":"data_source","column_type":"VARCHAR"}
	{"column_name":"prompt","column_type":"STRUCT(\"role\" VARCHAR, \"content\" VARCHAR)[]"}
	{"column_name":"ability","column_type":"VARCHAR"}
	{"column_name":"reward_model","column_type":"STRUCT(style VARCHAR, ground_truth VARCHAR[])"}
	EOF
	test_cmp expect types &&
	$PQ schema verl.parquet >schema &&
	test_grep "\"name\":\"prompt\",\"type\":null,\"repetition_type\":\"OPTIONAL\",\"num_children\":1,\"converted_type\":\"LIST\"" schema &&
	test_grep "\"name\":\"content\",\"type\":\"BYTE_ARRAY\",\"repetition_type\":\"OPTIONAL\",\"num_children\":null,\"converted_type\":\"UTF8\"" schema
'

test_expect_success 'repeated strings (data_source, ability) are dictionary-encoded' '
	$PQ sql "SELECT path_in_schema AS p, encodings AS e FROM parquet_metadata('"'verl.parquet'"') WHERE path_in_schema IN ('"'data_source'"', '"'ability'"')" >enc &&
	test_line_count = 2 enc &&
	test "$(grep -c RLE_DICTIONARY enc)" = 2
'

# Each writer's files: PREFIX-CODEC-DICT.parquet (pq.mjs writes)
read_back() {  # writer, records, [options]
	$PQ writes $1 $2.jsonl w-$1-$2 ${3:-} &&
	for p in w-$1-$2-*.parquet; do
		kc-parquet -d $p >got &&
		same $2.jsonl got || { echo "$p"; return 1; }
	done
}

test_expect_success 'DuckDB'"'"'s files, every codec, dictionary on and off, read back exactly' '
	read_back duckdb verl rows=10 &&
	read_back duckdb nested rows=2 &&
	test $(ls w-duckdb-*.parquet | wc -l) = 16
'

test_expect_success 'arrow-rs'"'"'s files, every codec, dictionary on and off, pages v1 and v2' '
	read_back arrow verl &&
	read_back arrow nested rows=2 &&
	test $(ls w-arrow-*.parquet | wc -l) = 24
'

test_expect_success 'hyparquet'"'"'s files, its codecs, dictionary on and off' '
	read_back hyparquet verl rows=7 &&
	read_back hyparquet nested rows=2 &&
	test $(ls w-hyparquet-*.parquet | wc -l) = 12
'

test_expect_success 'an encoding kc does not read is refused by name' '
	$PQ write arrow nested.jsonl v2.parquet codec=zstd dict=0 v2=1 &&
	test_must_fail --status=1 kc-parquet -d v2.parquet >out 2>err &&
	test_grep "^kc-parquet: v2.parquet: column \"s\": encoding DELTA_BYTE_ARRAY (kc reads PLAIN, RLE_DICTIONARY and PLAIN_DICTIONARY)" err
'

test_expect_success 'a record that does not fit the schema: file, line, field; the rest written' '
	printf "%s\n" "{\"a\":1,\"p\":[{\"c\":\"x\"}]}" "{\"a\":2,\"p\":[{\"c\":7}]}" \
		"{\"a\":\"three\"}" "{\"a\":4.5}" >bad.jsonl &&
	test_must_fail --status=1 kc-parquet -o bad.parquet bad.jsonl 2>err &&
	cat >expect <<-\EOF &&
	kc-parquet: bad.jsonl:2: field "p[].c": an integer where the schema has a string
	kc-parquet: bad.jsonl:3: field "a": a string where the schema has an integer
	EOF
	test_cmp expect err &&
	kc-parquet -d bad.parquet >got &&
	printf "%s\n" "{\"a\":1.0,\"p\":[{\"c\":\"x\"}]}" "{\"a\":4.5,\"p\":null}" >want &&
	test_cmp want got
'

test_expect_success 'after the first row group the schema is fixed: a new field is named' '
	for i in $(seq 50); do echo "{\"a\":$i,\"s\":\"$(printf %0400d $i)\"}"; done >many.jsonl &&
	echo "{\"a\":51,\"new\":true}" >>many.jsonl &&
	test_must_fail --status=1 kc-parquet -r 4K -o many.parquet many.jsonl 2>err &&
	test_grep "^kc-parquet: many.jsonl:51: field \"new\" is not in the schema" err &&
	kc-parquet -d many.parquet >got &&
	test_line_count = 50 got
'

test_expect_success 'standard output is refused, and why' '
	test_must_fail --status=2 kc-parquet -o - verl.jsonl >out 2>err &&
	test_grep "^kc-parquet: -o -: a Parquet file ends with the footer" err &&
	test_must_fail --status=2 kc-parquet -o /dev/stdout verl.jsonl >out 2>err &&
	test_grep "cannot be streamed" err &&
	test -L /dev/stdout &&
	ln -s out link.parquet &&
	kc-parquet -o link.parquet nested.jsonl &&
	test -L link.parquet &&
	kc-parquet -d out >got &&
	same nested.jsonl got &&
	test_must_fail --status=2 kc-parquet verl.jsonl >out 2>err &&
	test_grep "^kc-parquet: no output file (-o FILE.parquet)" err &&
	test_must_be_empty out
'

test_expect_success 'no records: no file' '
	test_must_fail --status=1 kc-parquet -o empty.parquet </dev/null 2>err &&
	test_grep "no records" err &&
	test ! -e empty.parquet
'

test_expect_success 'a file read from standard input, and --schema' '
	kc-parquet -d <nested.parquet >got &&
	same nested.jsonl got &&
	kc-parquet --schema verl.parquet >schema &&
	test_grep "^prompt: list<struct>$" schema &&
	test_grep "^  ground_truth: list<string>$" schema
'

test_expect_success 'verl records carry the fields LoongRL'"'"'s preprocessing writes; --json-array' '
	kc-render -f verl --json-array <chained.jsonl >verl.json &&
	python3 - <<-\EOF
	import json
	# rStar-RL/LoongRL verl/examples/data_preprocess/
	# longcontextqa_needle_like_dataset_system.py: data_source
	# custom_longcontext_needle_qa_{stem}, one user message, ability
	# longcontext_qa, reward_model {style: rule, ground_truth: answers},
	# extra_info {split, index}; its index is the row number, kc writes
	# the record id (a string: stable across splits and reruns)
	arr = json.load(open("verl.json"))
	lines = [json.loads(l) for l in open("verl.jsonl")]
	assert arr == lines, "the array is not the JSON lines"
	for r in arr:
	    assert r["data_source"].startswith("custom_longcontext_needle_qa_")
	    assert [m["role"] for m in r["prompt"]] == ["user"]
	    assert r["ability"] == "longcontext_qa"
	    assert r["reward_model"]["style"] == "rule"
	    gt = r["reward_model"]["ground_truth"]
	    assert isinstance(gt, list) and gt and all(isinstance(x, str) for x in gt)
	    assert r["extra_info"]["split"] == "train"
	    assert isinstance(r["extra_info"]["index"], str)
	EOF
	kc-render -f verl --json-array </dev/null >empty.json &&
	echo "[]" >expect && test_cmp expect empty.json
'

test_done
