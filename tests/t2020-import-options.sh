#!/bin/sh
# kc-import's options: --limit, --source, --format, -q, --stats, stdin,
# several files, --help and --version, and usage errors; and the man page:
# its EXAMPLES run, it passes mandoc -T lint, and it and --help list the
# same options.
. "$(dirname "$0")/lib.sh"

EX=$SRC/examples/data
hp=$EX/hotpotqa/rakin061__hotpot_dev_distractor_v1.first53.json
mq=$EX/musique/hipporag__musique_train.jsonl
cas=$EX/musique/cas__musique.json
wiki=$EX/2wikimqa/kag__2wiki_qa_sub.json

test_expect_success '--limit N stops after N records, across files' '
	kc-import -q "$hp" "$mq" >all.jsonl &&
	kc-import --limit 3 "$hp" "$mq" >out 2>err &&
	head -3 all.jsonl >expect &&
	test_cmp expect out &&
	test_must_fail test -s err &&
	kc-import -n 60 "$hp" "$mq" >out &&
	head -60 all.jsonl >expect &&
	test_cmp expect out &&
	kc-import -n 0 "$hp" >out &&
	test_must_fail test -s out
'

test_expect_success '--source replaces the source tag, in place' '
	kc-import -q -s hotpot-dev "$hp" >out &&
	python3 -c "
import json, sys
for a, b in zip(open(\"out\"), open(\"all.jsonl\")):
    a = json.loads(a, object_pairs_hook=list)
    b = json.loads(b, object_pairs_hook=list)
    assert [k for k, v in a] == [k for k, v in b]
    assert dict(a)[\"source\"] == \"hotpot-dev\"
    assert [x for x in a if x[0] != \"source\"] == [x for x in b if x[0] != \"source\"]
" &&
	test_line_count = 53 out
'

test_expect_success '--format names the format; stdin and - are the same' '
	kc-import -q -f 2wikimqa <"$wiki" >a &&
	kc-import -q --format=2wikimqa - <"$wiki" >b &&
	kc-import -q "$wiki" >c &&
	cmp a c && cmp b c
'

test_expect_success '--stats: one line per file, even when all went well' '
	kc-import --stats "$hp" "$wiki" >out 2>err &&
	cat >expect <<-EOF &&
	kc-import: $hp: hotpotqa array: 53 records, 0 unanswerable left out, 0 bad, $(wc -c <"$hp" | tr -d " ") bytes read
	kc-import: $wiki: 2wikimqa array: 2 records, 0 unanswerable left out, 0 bad, $(wc -c <"$wiki" | tr -d " ") bytes read
	EOF
	test_cmp expect err
'

test_expect_success 'a summary comes unasked when items were left out; -q stops it' '
	kc-import "$cas" >out 2>err &&
	test_line_count = 1 err &&
	grep -q "^kc-import: .*cas__musique.json: musique array: 11 records, 9 unanswerable left out, 0 bad, " err &&
	kc-import -q "$cas" >out 2>err &&
	test_must_fail test -s err
'

test_expect_success 'nothing on stderr when all went well' '
	kc-import "$hp" "$mq" >out 2>err &&
	test_must_fail test -s err
'

test_expect_success '--unbuffered writes the same records' '
	kc-import --unbuffered "$hp" >out &&
	head -53 all.jsonl >expect &&
	test_cmp expect out
'

test_expect_success '--help goes to stdout, exit 0; --version too' '
	kc-import --help >out 2>err &&
	test_must_fail test -s err &&
	head -1 out | grep -q "^Usage: kc-import " &&
	kc-import -h >out2 && test_cmp out out2 &&
	kc-import --version >out &&
	grep -q "^kc-import (kc) [0-9]" out &&
	kc-import -V >out2 && test_cmp out out2
'

test_expect_success 'usage errors: one line, the hint, exit 2' '
	test_must_fail --status=2 kc-import --format csv "$hp" >out 2>err &&
	test_must_fail test -s out &&
	cat >expect <<-\EOF &&
	kc-import: invalid --format '"'"'csv'"'"' (hotpotqa, musique, 2wikimqa or canonical)
	Try '"'"'kc-import --help'"'"' for more information.
	EOF
	test_cmp expect err &&
	test_must_fail --status=2 kc-import --limit -1 "$hp" 2>err &&
	grep -q "invalid --limit" err &&
	test_must_fail --status=2 kc-import --limit x "$hp" 2>err &&
	test_must_fail --status=2 kc-import --source "" "$hp" 2>err &&
	test_must_fail --status=2 kc-import --max-record 0 "$hp" 2>err &&
	test_must_fail --status=2 kc-import --bogus "$hp" 2>err &&
	tail -1 err | grep -q "^Try '"'"'kc-import --help'"'"'"
'

test_expect_success 'the man page passes mandoc -T lint' '
	mandoc -T lint -W warning "$SRC/man/kc-import.1"
'

test_expect_success 'the man page and --help list the same long options' '
	kc-import --help | grep -o -- "--[a-z][a-z-]*" | sort -u >help-opts &&
	sed -n "s/^\.It Fl \([a-zA-Z]\) , -\([a-z-]*\).*/--\2/p; s/^\.It Fl -\([a-z-]*\).*/--\1/p" \
		"$SRC/man/kc-import.1" | sort -u >man-opts &&
	test_cmp help-opts man-opts &&
	test_line_count -ge 9 man-opts
'

test_expect_success 'the EXAMPLES of the man page run' '
	ln -s "$SRC/examples" examples &&
	sed -n "/^\.Sh EXAMPLES/,/^\.Sh /p" "$SRC/man/kc-import.1" |
	awk "/^\.Bd/ { on = 1; next } /^\.Ed/ { on = 0; print \"\"; next } on" |
	sed "s/\\\\e/\\\\/g" >examples.sh &&
	test_line_count -ge 5 examples.sh &&
	sh -e examples.sh >ex.out 2>ex.err &&
	test_line_count = 153 hotpotqa.jsonl &&
	test -s all.jsonl
'

test_done
