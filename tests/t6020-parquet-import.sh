#!/bin/sh
# kc-import on the Parquet files Hugging Face publishes: each real sample
# in the layout of its dataset card (tests/parquet/hub-layout.py), written
# as Parquet by DuckDB, gives the same canonical records as the JSON it
# came from.  A key the JSON lacks is null in Parquet (same.py
# --absent-is-null).
. "$(dirname "$0")/lib.sh"

PQ="node $SRC/tests/parquet/pq.mjs"
KC_PARQUET_READERS=$("$SRC"/scripts/fetch-parquet-readers) || exit 1
export KC_PARQUET_READERS

test_expect_success 'every sample: the Hub layout as Parquet imports as its JSON does' '
	n=0 &&
	for d in hotpotqa 2wikimqa musique; do
		for f in "$DATA"/$d/*; do
			b=$(basename "$f") &&
			python3 "$SRC"/tests/parquet/hub-layout.py $d "$f" >hub.jsonl &&
			$PQ write duckdb hub.jsonl "$b.parquet" codec=snappy &&
			kc-import -q "$f" >want &&
			kc-import -q "$b.parquet" >got &&
			test_line_count -gt 0 got &&
			python3 "$SRC"/tests/parquet/same.py --absent-is-null want got ||
			{ echo "$d $b"; return 1; }
			n=$((n + 1))
		done || return 1
	done &&
	test $n -ge 3
'

test_expect_success 'a Parquet file is detected by its magic, and its rows named in errors' '
	f=$(ls *hotpot*.parquet | head -1) &&
	kc-import --stats "$f" >/dev/null 2>stats &&
	test_grep "parquet" stats &&
	printf "%s\n" "{\"id\":\"x\",\"question\":\"q\",\"answer\":\"a\",\"supporting_facts\":{\"title\":[\"T\"],\"sent_id\":[0]},\"context\":{\"title\":[\"T\",\"U\"],\"sentences\":[[\"s\"]]}}" >bad.jsonl &&
	kc-parquet -o bad.parquet bad.jsonl &&
	test_must_fail --status=1 kc-import bad.parquet >out 2>err &&
	test_grep "^kc-import: bad.parquet:1: \"context\": lists of different lengths" err
'

test_done
