#!/bin/sh
# t1003-tok-cli: kc-tok's input modes, output forms and failure paths:
# JSON lines with their field fallbacks, --raw, --lines, --ids,
# --offsets, --tokens, --chat; malformed lines, missing fields, invalid
# UTF-8, empty input, a huge line, a full disk, a closed pipe, usage
# errors.
. "$(dirname "$0")/lib.sh"

ids() {  # TEXT -> its ids, through --raw
	printf '%s' "$1" >ids.in && kc-tok --raw --ids ids.in
}

test_expect_success 'JSON lines: one count per record, the "text" field' '
	printf "%s\n" "{\"text\": \"Hello world\"}" "" "{\"text\": \"\"}" \
		"{\"text\": \"a b c\", \"x\": 1}" >in.jsonl &&
	kc-tok in.jsonl >out &&
	printf "2\n0\n3\n" >want &&
	test_cmp want out
'

test_expect_success '--ids: ids separated by one space, an empty line for ""' '
	kc-tok --ids in.jsonl >out &&
	{ ids "Hello world" && echo && ids "a b c"; } >want &&
	test_cmp want out
'

test_expect_success '--field, and the prompt fallbacks (string, verl list)' '
	printf "%s\n" "{\"q\": \"a b c\"}" >q.jsonl &&
	kc-tok -f q q.jsonl >out && echo 3 >want && test_cmp want out &&
	printf "%s\n" "{\"prompt\": \"a b c\"}" \
		"{\"prompt\": [{\"role\": \"user\", \"content\": \"Hello world\"}]}" >p.jsonl &&
	kc-tok p.jsonl >out && printf "3\n2\n" >want && test_cmp want out
'

test_expect_success 'records without the text are reported; the others printed' '
	printf "%s\n" "{\"text\": \"a\"}" "{\"other\": 1}" "{\"text\": 5}" \
		"not json" "{\"prompt\": 3}" "{\"text\": \"b c\"}" >bad.jsonl &&
	test_must_fail --status=1 kc-tok bad.jsonl >out 2>err &&
	printf "1\n2\n" >want && test_cmp want out &&
	test_grep "kc-tok: bad.jsonl:2: missing \"text\"" err &&
	test_grep "kc-tok: bad.jsonl:3: " err &&
	test_grep "kc-tok: bad.jsonl:4: malformed JSON" err &&
	test_grep "kc-tok: bad.jsonl:5: " err &&
	test_line_count = 4 err
'

test_expect_success 'a JSON line with invalid UTF-8 is reported' '
	printf "{\"text\": \"a\\377b\"}\n{\"text\": \"ok\"}\n" >inv.jsonl &&
	test_must_fail --status=1 kc-tok inv.jsonl >out 2>err &&
	echo 1 >want && test_cmp want out &&
	test_grep "inv.jsonl:1: invalid UTF-8" err
'

test_expect_success 'empty input, no final newline' '
	kc-tok </dev/null >out && test_line_count = 0 out &&
	printf "{\"text\": \"a b\"}" | kc-tok >out && echo 2 >want &&
	test_cmp want out
'

test_expect_success '--raw: each file is one text; invalid UTF-8 is U+FFFD' '
	printf "a\377b" >r1 && printf "a\357\277\275b" >r2 && : >r3 &&
	kc-tok --raw --ids r1 r2 r3 >out &&
	sed -n 1p out >one && sed -n 2p out >two &&
	test_cmp one two && test "$(sed -n 3p out)" = "" &&
	test_line_count = 3 out
'

test_expect_success '--lines: each line without its newline, CR kept' '
	printf "a b\r\n\nc d e" >l.txt &&
	kc-tok --lines l.txt >out &&
	{ ids "a b$(printf "\r")" | awk "{print NF}" && echo 0 && echo 3; } >want &&
	test_cmp want out
'

test_expect_success 'stdin as "-" and as no file' '
	printf "x y\n" | kc-tok --lines - >out1 &&
	printf "x y\n" | kc-tok --lines >out2 &&
	test_cmp out1 out2
'

test_expect_success '--offsets: where each token starts, in bytes' '
	printf "caf\303\251 au lait" >o.txt &&
	kc-tok --raw --offsets o.txt >out &&
	tr " " "\n" <out | cut -d@ -f2 | tr "\n" " " >offs &&
	test "$(cat offs)" = "0 2 5 8 11 " &&
	tr " " "\n" <out | cut -d@ -f1 | tr "\n" " " | sed "s/ \$//" >got &&
	kc-tok --raw --ids o.txt | tr -d "\n" >want &&
	test "$(cat got)" = "$(cat want)"
'

test_expect_success '--tokens: readable token bytes, one per id' '
	printf "It'"'"'s a\ttest\n" >t.txt &&
	kc-tok --raw --tokens t.txt >out &&
	test "$(wc -w <out)" = "$(kc-tok --raw t.txt)" &&
	tr -d " " <out | sed "s/\\\\s/ /g; s/\\\\t/\t/g; s/\\\\n\$//" >back &&
	printf "It'"'"'s a\ttest\n" >want &&
	test_cmp want back
'

test_expect_success '--chat: the message counted inside the template' '
	printf "%s\n" "{\"text\": \"Hello world\"}" >c.jsonl &&
	kc-tok --chat c.jsonl >out &&
	printf "<|im_start|>user\nHello world<|im_end|>\n<|im_start|>assistant\n" >full &&
	kc-tok --raw full >want && test_cmp want out &&
	kc-tok --chat=qwen2.5 c.jsonl >out2 &&
	test "$(cat out2)" -gt "$(cat out)" &&
	kc-tok --chat=chatml --ids c.jsonl >ids1 &&
	kc-tok --raw --ids full >ids2 && test_cmp ids2 ids1 &&
	test_must_fail --status=2 kc-tok --chat=nope c.jsonl 2>err &&
	test_grep "unknown chat template" err
'

test_expect_success 'a huge line (20 MB) is one text' '
	yes "word " | head -c 20000000 | tr -d "\n" >huge.txt &&
	{ printf "{\"text\": \"" && cat huge.txt && printf "\"}\n"; } >huge.jsonl &&
	kc-tok huge.jsonl >out && kc-tok --raw huge.txt >want &&
	test_cmp want out && test "$(cat out)" -gt 3000000
'

test_expect_success 'a full disk: exit 2 with a message' '
	test_must_fail --status=2 kc-tok in.jsonl >/dev/full 2>err &&
	test_grep "write error" err
'

test_expect_success 'a closed pipe: stops quietly' '
	yes "{\"text\": \"a b c\"}" | head -n 200000 >many.jsonl &&
	{ kc-tok many.jsonl 2>err; echo $? >rc; } | head -n 1 >out &&
	echo 3 >want && test_cmp want out &&
	test ! -s err
'

test_expect_success 'usage errors: exit 2 and the --help hint' '
	test_must_fail --status=2 kc-tok --bogus 2>err &&
	test_grep "Try .kc-tok --help." err &&
	test_must_fail --status=2 kc-tok --raw -f text in.jsonl 2>err &&
	test_grep "Try .kc-tok --help." err &&
	test_must_fail --status=2 kc-tok --info in.jsonl 2>err
'

test_expect_success 'a missing file: reported, exit 1, the others printed' '
	test_must_fail --status=1 kc-tok nope.jsonl in.jsonl >out 2>err &&
	test_line_count = 3 out && test_grep "nope.jsonl" err &&
	test_must_fail --status=1 kc-tok --raw nope r1 >out 2>err &&
	test_line_count = 1 out
'

test_expect_success '--help mirrors the man page synopsis; --version' '
	kc-tok --help >out && test_grep "^Usage: kc-tok \[-t SPEC\]" out &&
	for o in --tokenizer --ids --offsets --tokens --chat --raw --lines \
	         --field --info --help --version; do
		test_grep "$o" out || return 1
		grep -q -- "Fl -*${o#--}" "$SRC/man/kc-tok.1" || { echo "man: $o"; return 1; }
	done &&
	kc-tok --version >out && test_grep "^kc-tok (kc) " out
'

test_expect_success 'the man page is lint-clean' '
	if command -v mandoc >/dev/null; then
		mandoc -T lint -W warning "$SRC/man/kc-tok.1"
	fi
'

test_expect_success 'a record with \u0000 is read and counted as the reference counts it' '
	# cases/controls.txt holds U+0000; its ids come from Hugging Face
	# tokenizers and tiktoken (tests/fuzz/regen-cases.js)
	python3 -c "import json, sys; print(json.dumps({\"text\": open(sys.argv[1], encoding=\"utf-8\").read()}))" \
		"$SRC/tests/fuzz/cases/controls.txt" >nul.jsonl &&
	test_grep "u0000" nul.jsonl &&
	for t in qwen llama3 cl100k o200k; do
		kc-tok -t $t --ids nul.jsonl >out &&
		test_cmp "$SRC/tests/fuzz/cases/controls.$t" out || return 1
	done
'

test_done
