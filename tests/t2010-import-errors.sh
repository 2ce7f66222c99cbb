#!/bin/sh
# kc-import on bad input: each problem is reported with its file and line,
# the rest of the records go on, the exit status says what happened, and
# nothing is dropped without a count.
. "$(dirname "$0")/lib.sh"

hp=$DATA/hotpotqa/rakin061__hotpot_dev_distractor_v1.first53.json
[ -f "$hp" ] || hp=$SRC/examples/data/hotpotqa/rakin061__hotpot_dev_distractor_v1.first53.json
mq=$DATA/musique/hipporag__musique_train.jsonl
[ -f "$mq" ] || mq=$SRC/examples/data/musique/hipporag__musique_train.jsonl

# five real HotpotQA records as a compact array, one per line as JSON
# lines, and as a pretty-printed array
python3 - "$hp" <<'EOF'
import json, sys
recs = json.load(open(sys.argv[1]))[:5]
open('five.json', 'w').write(json.dumps(recs, ensure_ascii=False,
                                        separators=(',', ':')))
open('five.jsonl', 'w').write(''.join(json.dumps(r, ensure_ascii=False) + '\n'
                                      for r in recs))
open('five-pretty.json', 'w').write(json.dumps(recs, indent=2))
EOF
kc-import -q five.json >five.out

# keep records 0, 1, 3, 4 of five.out (record 2 is the bad one)
sed 3d five.out >four.out

test_expect_success 'a malformed element is reported; the others are written' '
	python3 -c "
import json
t = open(\"five.json\").read()
recs = json.loads(t)
s = json.dumps(recs[2], ensure_ascii=False, separators=(\",\", \":\"))
assert s in t
bad = s.replace(\"\\\"question\\\":\", \"\\\"question\\\" \", 1)
open(\"bad.json\", \"w\").write(t.replace(s, bad))
# jansson reads the whole token where the colon should be (the long
# question string) before it complains: the column is the end of it
start = bad.index(\"\\\"question\\\" \") + 11
print(json.JSONDecoder().raw_decode(bad, start)[1])
" >col &&
	test_must_fail --status=1 kc-import bad.json >out 2>err &&
	test_cmp four.out out &&
	cat >expect <<-EOF &&
	kc-import: bad.json:1: element 2: malformed JSON: '"'"':'"'"' expected (column $(cat col) in the element)
	kc-import: bad.json: hotpotqa array: 4 records, 0 unanswerable left out, 1 bad, $(wc -c <bad.json | tr -d " ") bytes read
	EOF
	test_cmp expect err
'

test_expect_success 'in a pretty-printed array, the line where the element starts' '
	python3 -c "
import json
recs = json.load(open(\"five.json\"))
del recs[2][\"question\"]
t = json.dumps(recs, indent=2)
open(\"bad.json\", \"w\").write(t)
# the line of the element: the one before its _id
print(t[:t.index(recs[2][\"_id\"])].count(\"\\n\"))
" >line &&
	test_must_fail --status=1 kc-import -q bad.json >out 2>err &&
	test_cmp four.out out &&
	echo "kc-import: bad.json:$(cat line): element 2: missing \"question\"" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing field is named; the others are written' '
	python3 -c "
import json
recs = [json.loads(l) for l in open(\"five.jsonl\")]
del recs[2][\"question\"]
open(\"bad.jsonl\", \"w\").write(\"\".join(json.dumps(r) + \"\\n\" for r in recs))
" &&
	test_must_fail --status=1 kc-import -q bad.jsonl >out 2>err &&
	test_cmp four.out out &&
	echo "kc-import: bad.jsonl:3: missing \"question\"" >expect &&
	test_cmp expect err
'

test_expect_success 'a supporting fact with no paragraph is a bad record' '
	python3 -c "
import json
recs = [json.loads(l) for l in open(\"five.jsonl\")]
recs[2][\"supporting_facts\"][1][0] = \"No Such Title\"
open(\"bad.jsonl\", \"w\").write(\"\".join(json.dumps(r) + \"\\n\" for r in recs))
" &&
	test_must_fail --status=1 kc-import -q bad.jsonl >out 2>err &&
	test_cmp four.out out &&
	echo "kc-import: bad.jsonl:3: \"supporting_facts\"[1]: no context paragraph is titled \"No Such Title\"" >expect &&
	test_cmp expect err
'

test_expect_success 'MuSiQue support indices that disagree make a bad record' '
	head -3 "$mq" >three.jsonl &&
	kc-import -q three.jsonl | sed 2d >expect.out &&
	python3 -c "
import json
recs = [json.loads(l) for l in open(\"three.jsonl\")]
p = recs[1][\"paragraphs\"]
i = next(k for k, x in enumerate(p) if x[\"is_supporting\"])
j = next(k for k, x in enumerate(p) if not x[\"is_supporting\"])
p[i][\"is_supporting\"], p[j][\"is_supporting\"] = False, True
open(\"bad.jsonl\", \"w\").write(\"\".join(json.dumps(r) + \"\\n\" for r in recs))
" &&
	test_must_fail --status=1 kc-import -q bad.jsonl >out 2>err &&
	test_cmp expect.out out &&
	grep -q "^kc-import: bad.jsonl:2: \"question_decomposition\"\[.\] \"paragraph_support_idx\" [0-9]* is not a supporting paragraph$" err
'

test_expect_success 'invalid UTF-8 in a line is reported with its column' '
	printf "{\"_id\":\"a\",\"question\":\"caf\303\251 \377\"}\n" >u.jsonl &&
	cat five.jsonl u.jsonl five.jsonl >bad.jsonl &&
	test_must_fail --status=1 kc-import -q bad.jsonl >out 2>err &&
	cat five.out five.out >expect.out &&
	test_cmp expect.out out &&
	echo "kc-import: bad.jsonl:6: invalid UTF-8 (column 28)" >expect &&
	test_cmp expect err
'

test_expect_success 'invalid UTF-8 in an array element' '
	python3 -c "
t = open(\"five.json\", \"rb\").read()
i = t.index(b\"Shirley Temple\")
open(\"bad.json\", \"wb\").write(t[:i] + b\"\\xc3\\x28\" + t[i + 2:])
" &&
	test_must_fail --status=1 kc-import -q bad.json >out 2>err &&
	grep -q "^kc-import: bad.json:1: element [0-9]: invalid UTF-8 (column [0-9]* in the element)$" err &&
	test_line_count = 4 out
'

test_expect_success 'an element that is not an object is reported' '
	printf "[1,\n%s]" "$(sed -n 2p five.jsonl)" >bad.json &&
	test_must_fail --status=1 kc-import -q bad.json >out 2>err &&
	echo "kc-import: bad.json:1: element 0: record is not an object" >expect &&
	test_cmp expect err &&
	sed -n 2p five.out >expect.out &&
	test_cmp expect.out out
'

test_expect_success 'an empty file has no records, and says so' '
	: >empty.json &&
	kc-import empty.json >out 2>err &&
	test_must_fail test -s out &&
	echo "kc-import: empty.json: empty: 0 records, 0 unanswerable left out, 0 bad, 0 bytes read" >expect &&
	test_cmp expect err &&
	printf " \n\n" | kc-import -q >out 2>err &&
	test_must_fail test -s out &&
	test_must_fail test -s err
'

test_expect_success 'an empty array has no records, and says so' '
	printf " [ \n ]\n" >empty.json &&
	kc-import empty.json >out 2>err &&
	test_must_fail test -s out &&
	echo "kc-import: empty.json: array: 0 records, 0 unanswerable left out, 0 bad, 7 bytes read" >expect &&
	test_cmp expect err
'

test_expect_success 'a truncated array: records before the cut, then one error' '
	head -c 150000 "$hp" >cut.json &&
	python3 -c "
import json
t = open(\"cut.json\", encoding=\"utf-8\", errors=\"ignore\").read()
d = json.JSONDecoder(); i = 1; n = 0
while True:
    try:
        _, i = d.raw_decode(t, i); n += 1; i += 1
    except ValueError:
        break
print(n)
" >n &&
	test_must_fail --status=1 kc-import -q cut.json >out 2>err &&
	test_line_count = "$(cat n)" out &&
	echo "kc-import: cut.json:1: the file ends inside element $(cat n)" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing comma stops the array where it is' '
	python3 -c "
t = open(\"five.json\").read()
i = t.index(\"},{\\\"_id\\\":\\\"5a85ea095542994775f606a8\")
open(\"bad.json\", \"w\").write(t[:i] + \"} {\" + t[i + 3:])
" &&
	test_must_fail --status=1 kc-import -q bad.json >out 2>err &&
	head -2 five.out >expect.out &&
	test_cmp expect.out out &&
	echo "kc-import: bad.json:1: '"'"'{'"'"' after element 1, where '"'"','"'"' or '"'"']'"'"' should be" >expect &&
	test_cmp expect err
'

test_expect_success 'data after the array is reported after its records' '
	{ cat five.json; printf "\n\n]"; } >bad.json &&
	test_must_fail --status=1 kc-import -q bad.json >out 2>err &&
	test_cmp five.out out &&
	echo "kc-import: bad.json:3: data after the end of the array" >expect &&
	test_cmp expect err
'

test_expect_success 'a huge element is skipped and reported; the rest go on' '
	python3 -c "
import json
recs = json.load(open(\"five.json\"))
recs[1][\"context\"][0][1].append(\"x\" * 300000)
open(\"huge.json\", \"w\").write(json.dumps(recs))
open(\"huge.jsonl\", \"w\").write(\"\".join(json.dumps(r) + \"\\n\" for r in recs))
" &&
	sed 2d five.out >expect.out &&
	test_must_fail --status=1 kc-import -q --max-record 100000 huge.json >out 2>err &&
	test_cmp expect.out out &&
	echo "kc-import: huge.json:1: element 1: element 1 is longer than 100000 bytes" >expect &&
	test_cmp expect err &&
	test_must_fail --status=1 kc-import -q --max-record 100000 huge.jsonl >out 2>err &&
	test_cmp expect.out out &&
	echo "kc-import: huge.jsonl:2: line longer than 100000 bytes" >expect &&
	test_cmp expect err &&
	kc-import -q huge.json >out &&
	test_line_count = 5 out
'

test_expect_success 'a file that is not JSON is reported; the next file is read' '
	echo "hello" >hello.txt &&
	test_must_fail --status=1 kc-import -q hello.txt five.json >out 2>err &&
	test_cmp five.out out &&
	echo "kc-import: hello.txt:1: not a JSON array or JSON lines (it starts with '"'"'h'"'"')" >expect &&
	test_cmp expect err
'

test_expect_success 'a missing file is reported; the next file is read' '
	test_must_fail --status=1 kc-import -q no-such.json five.json >out 2>err &&
	test_cmp five.out out &&
	echo "kc-import: no-such.json: No such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success 'an unknown format is named, with its keys and a hint' '
	echo "{\"q\": \"x\", \"a\": [1]}" >odd.jsonl &&
	test_must_fail --status=1 kc-import odd.jsonl five.json >out 2>err &&
	test_cmp five.out out &&
	echo "kc-import: odd.jsonl:1: cannot tell the dataset format from the keys of the first record (\"q\", \"a\"); pass --format hotpotqa, musique, 2wikimqa or canonical" >expect &&
	echo "kc-import: odd.jsonl: lines: 0 records, 0 unanswerable left out, 0 bad, 21 bytes read" >>expect &&
	test_cmp expect err
'

test_expect_success 'the wrong --format: every record is reported (three, then a count)' '
	test_must_fail --status=1 kc-import -q --format musique five.jsonl >out 2>err &&
	test_must_fail test -s out &&
	test_line_count = 4 err &&
	grep -q "^kc-import: five.jsonl:1: missing \"id\"$" err &&
	grep -q "^kc-import: five.jsonl: 2 more lines with the same error (missing \"id\")$" err
'

test_expect_success 'a bad line in JSON lines is reported, with its number' '
	{ head -2 five.jsonl; echo "{\"_id\": \"x\",}"; echo; tail -3 five.jsonl; } >bad.jsonl &&
	test_must_fail --status=1 kc-import -q bad.jsonl >out 2>err &&
	test_cmp five.out out &&
	echo "kc-import: bad.jsonl:3: malformed JSON: string or '"'"'}'"'"' expected near '"'"'}'"'"' (column 13)" >expect &&
	test_cmp expect err
'

test_expect_success 'CRLF line ends and a last line without one' '
	sed "s/\$/\r/" five.jsonl | head -c -2 >crlf.jsonl &&
	kc-import -q crlf.jsonl >out &&
	test_cmp five.out out
'

test_expect_success 'a full disk is a write error, exit 2' '
	test_must_fail --status=2 kc-import five.json >/dev/full 2>err &&
	echo "kc-import: write error: No space left on device" >expect &&
	test_cmp expect err
'

test_expect_success 'a closed standard output is a write error, exit 2' '
	test_must_fail --status=2 kc-import five.json >&- 2>err &&
	grep -q "^kc-import: write error: " err
'

test_expect_success 'a closed pipe ends it quietly' '
	{ kc-import "$mq" "$mq" "$mq" 2>err; echo $? >rc; } | head -1 >out &&
	test_line_count = 1 out &&
	test_must_fail test -s err &&
	echo 141 >expect &&
	test_cmp expect rc
'

test_done
