#!/bin/sh
# kc-stats on records of every stage: the real samples of the three
# datasets at 4K, 8K, 16K and 32K, records asked and judged through the
# scripted server of the stage-1 test (t5000), kc-audit's per-record
# lines.  Every number it prints, in the text and in --json, is checked
# against tests/stats-check.py, which computes them again from the
# records; the HTML report is opened in headless Chromium with the
# network off (tests/stats-html-check.py reads the DOM it rendered).
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

# check [--by FIELD] FILE...: the text and the JSON against the reference.
check() {
	kc-stats "$@" >out.txt &&
	kc-stats --json "$@" >out.json &&
	python3 "$SRC/tests/stats-check.py" --json out.json --text out.txt "$@"
}

files() {
	case $1 in
	musique) echo "$DATA/musique/*.jsonl" ;;
	*) echo "$DATA/$1/*" ;;
	esac
}

for ds in hotpotqa musique 2wikimqa; do
	test_expect_success "$ds: canonical records" "
		kc-import -q $(files $ds) >$ds.jsonl &&
		check $ds.jsonl
	"
	for len in 4k 8k 16k 32k; do
		test_expect_success "$ds at $len: rendered records" "
			kc-fill --pool $ds.jsonl -l $len <$ds.jsonl >$ds-$len.fill &&
			kc-chain <$ds-$len.fill >$ds-$len.chain &&
			kc-render <$ds-$len.chain >$ds-$len.jsonl &&
			check $ds-$len.jsonl &&
			if test $len != 8k; then rm $ds-$len.fill $ds-$len.chain; fi
		"
	done
	test_expect_success "$ds at 8k: filled and chained records" "
		check $ds-8k.fill && check $ds-8k.chain
	"
done

test_expect_success 'the numbers are the ones expected, not only the same twice' '
	kc-stats --json hotpotqa-8k.jsonl >o.json &&
	python3 - hotpotqa-8k.jsonl <<-\EOF
	import json, sys
	recs = [json.loads(l) for l in open(sys.argv[1])]
	s = json.load(open("o.json"))["all"]
	assert s["records"] == len(recs) and s["stages"] == {"rendered": len(recs)}
	assert s["keys"]["min"] == s["keys"]["max"] == 128, s["keys"]
	assert s["own"]["records"] == len(recs)
	assert s["depth_own"]["records"] == sum(len(r["render"]["own"]) for r in recs)
	assert 0.95 <= s["budget_use"]["min"] <= s["budget_use"]["max"] <= 1
	print(s["tokens"])
	EOF
'

# --recount: the counts kc-verify makes (checked against llama.cpp's
# server and Hugging Face's tokenizers elsewhere), not the record's own
test_expect_success '--recount gives the prompt tokens back where the record lies' '
	kc-stats --json hotpotqa-8k.jsonl >own.json &&
	sed "s/\"tokens\":[0-9]*,\"budget\"/\"tokens\":1,\"budget\"/" \
		hotpotqa-8k.jsonl >lies.jsonl &&
	kc-stats --json lies.jsonl >lies.json &&
	! test_cmp own.json lies.json >/dev/null &&
	kc-stats --json --recount lies.jsonl >recount.json &&
	test_cmp own.json recount.json &&
	kc-stats --json --recount -t llama3 hotpotqa-8k.jsonl >llama.json &&
	! test_cmp own.json llama.json >/dev/null &&
	test_must_fail --status=2 kc-stats -t qwen hotpotqa-8k.jsonl 2>err &&
	test_grep "tokenizer is for --recount" err
'

test_expect_success 'verl records: the render is extra_info.kc, the source from it' '
	kc-render -f verl <hotpotqa-8k.chain >hotpotqa-8k.verl &&
	check hotpotqa-8k.verl &&
	grep "^sources *hotpotqa" out.txt
'

test_expect_success 'all datasets and lengths at once, by length, source and type' '
	check --by length hotpotqa-*.jsonl musique-*.jsonl 2wikimqa-*.jsonl &&
	grep "^== length 32k: " out.txt &&
	check --by source *-8k.jsonl &&
	check --by type *-8k.jsonl
'

test_expect_success 'ids seen twice are counted' '
	cat hotpotqa.jsonl hotpotqa.jsonl >twice.jsonl &&
	check twice.jsonl &&
	dup=$(python3 -c "import json, sys
ids = [json.loads(l)[\"id\"] for l in open(sys.argv[1])]
print(len(ids) - len(set(ids)))" twice.jsonl) &&
	test $dup -ge $(wc -l <hotpotqa.jsonl) &&
	grep "^ids *0 missing, $dup duplicated" out.txt
'

test_expect_success 'a malformed line: reported, counted, the rest summed up' '
	{ head -3 hotpotqa-4k.jsonl; echo "{\"id\": "; echo "[1]"; tail -2 hotpotqa-4k.jsonl; } >bad.jsonl &&
	test_must_fail --status=1 kc-stats bad.jsonl >out.txt 2>err &&
	test_grep "^kc-stats: bad.jsonl:4: malformed JSON" err &&
	test_grep "^kc-stats: bad.jsonl:5: not a record (an array)" err &&
	test_must_fail --status=1 kc-stats --json bad.jsonl >out.json 2>/dev/null &&
	python3 "$SRC/tests/stats-check.py" --json out.json --text out.txt bad.jsonl &&
	grep "^2 lines unreadable" out.txt
'

# Stage 1 as t5000 runs it, on long contexts: the prompt ends in the
# question, which the scripted server answers right a known number of
# times out of 8; one record fails after its retries (an ask_error), one
# has its 8 answers cut short (finish reason "length").
test_expect_success 'judged records at 4K to 32K through the scripted server' '
	kc-import -q "$DATA"/musique/hipporag__musique_train.jsonl >mu.jsonl &&
	python3 -c "import json
for l in open(\"mu.jsonl\"):
    r = json.loads(l)
    print(json.dumps({\"question\": r[\"question\"], \"gold\": r[\"answers\"][0]}))" >oracle.jsonl &&
	for len in 4k 8k 16k 32k; do
		kc-fill --pool musique.jsonl -l $len <mu.jsonl | kc-chain |
			kc-render --template "{context}

Follow the chain from {chain_head}.

Question: {question}" || return 1
	done >prompts.jsonl &&
	python3 -c "import json
p = [json.loads(l)[\"messages\"][0][\"content\"] for l in open(\"prompts.jsonl\")]
json.dump({p[7]: [\"500\"] * 4, p[3]: [\"length\"]},
          open(\"script.json\", \"w\"))" &&
	start_server vllm --oracle oracle.jsonl --script script.json &&
	kc-ask --url "$(cat vllm.url)" --model m -n 8 --retries 3 --backoff 0.01 \
		--concurrency 8 <prompts.jsonl >asked.jsonl 2>ask.err;
	test_grep "1 failed" ask.err &&
	{ kc-judge --extract answer-is --metric cem <asked.jsonl >judged.jsonl 2>judge.err; true; } &&
	test_line_count = 399 judged.jsonl
'

test_expect_success 'asked records: answers, finish reasons, the failed ask' '
	check asked.jsonl &&
	grep "^ask errors *1$" out.txt &&
	grep "^finish *stop 3184, length 8$" out.txt
'

test_expect_success 'judged records: pass rates, accuracy by source, type and length x depth' '
	check judged.jsonl &&
	check --by length judged.jsonl &&
	kc-stats judged.jsonl >j.txt &&
	grep -A5 "^accuracy (records) by length x mean depth" j.txt &&
	python3 - "$SRC"/tests/ask <<-\EOF
	import json, sys
	sys.path.insert(0, sys.argv[1])
	from server import oracle_correct
	# the pass-rate histogram is the oracle s, counted from the questions
	want = [0] * 9
	for l in open("judged.jsonl"):
	    want[oracle_correct(json.loads(l)["question"])] += 1
	got = json.load(open("out.json"))["all"]["judge"]["pass"]
	assert got == want, (got, want)
	EOF
'

test_expect_success 'audited records: each solver against chance' '
	kc-audit --per-record hotpotqa-8k.jsonl >audited.jsonl 2>audit.out &&
	check audited.jsonl &&
	check --by length audited.jsonl &&
	grep "^  answer " out.txt
'

# (under ASan, freed memory waits in a quarantine: none, for this test)
test_expect_success 'memory does not grow with the records: 1 and 20 copies' '
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 &&
	export ASAN_OPTIONS &&
	/usr/bin/time -f %M kc-stats hotpotqa-32k.jsonl 2>one.rss >/dev/null &&
	for i in $(seq 20); do cat hotpotqa-32k.jsonl; done |
		/usr/bin/time -f %M kc-stats 2>big.rss >big.txt &&
	grep "^== $((20 * $(wc -l <hotpotqa-32k.jsonl))) records" big.txt &&
	echo "max RSS $(cat one.rss) KB on one copy, $(cat big.rss) KB on 20" &&
	test $(cat big.rss) -lt $(( $(cat one.rss) + 8192 ))
'

ln -s "$SRC/examples" examples
test_expect_success 'the EXAMPLES of kc-stats(1) run; its summary is what kc-stats prints' '
	"$SRC"/tests/man-examples "$SRC/man/kc-stats.1" >ex.sh &&
	test_line_count -ge 8 ex.sh &&
	bash -e -o pipefail ex.sh >ex.out 2>ex.err &&
	test_grep "^budget use from 0.9" ex.out &&
	test_grep "^== length 4k: 153 records ==" ex.out &&
	test_grep "^  answer " ex.out &&
	test -s hp-report.html &&
	sed -n "/^\.Ss The summary/,/^\.Ed/p" "$SRC/man/kc-stats.1" |
		sed "1,/^\.Bd/d; /^\.Ed/d" >man-summary &&
	kc-stats hp-8k.jsonl >now-summary &&
	test_cmp man-summary now-summary
'

test_expect_success 'kc-stats --help and the man page name the same options' '
	kc-stats --help | grep -o -- "--[a-z][a-z-]*" | sort -u >help &&
	grep -o "Fl -[a-z][a-z-]*" "$SRC/man/kc-stats.1" |
		sed "s/Fl -/--/" | sort -u >man &&
	test_cmp help man
'

# Headless Chromium, the network namespace empty (unshare -n) when the
# kernel lets us, else a proxy that goes nowhere.
chrome() {
	if unshare -n true 2>/dev/null; then
		set -- unshare -n chromium "$@"
	else
		set -- chromium --proxy-server=http://127.0.0.1:9 "$@"
	fi
	HOME=$TRASH timeout 120 "$@" --headless --no-sandbox --disable-gpu \
		--no-first-run --hide-scrollbars --enable-logging=stderr --v=0
}

if command -v chromium >/dev/null; then
test_expect_success 'the HTML report in Chromium: every chart with its labels, no error' '
	kc-stats --by length --html report.html --title "kc: MuSiQue judged, 2Wiki" \
		judged.jsonl 2wikimqa-*.jsonl >/dev/null &&
	chrome --dump-dom "file://$TRASH/report.html" >dom.html 2>chrome.err &&
	chrome --window-size=1280,2600 --screenshot="$TRASH/report.png" \
		"file://$TRASH/report.html" 2>>chrome.err &&
	python3 "$SRC/tests/stats-html-check.py" dom.html chrome.err report.png \
		judged.jsonl 2wikimqa-*.jsonl
'

test_expect_success 'the HTML check fails on a page that logs an error or fetches' '
	sed "s|<footer>|<script>console.error(\"boom\")</script><footer>|" \
		report.html >bad.html &&
	chrome --dump-dom "file://$TRASH/bad.html" >bad.dom 2>bad.err &&
	test_must_fail python3 "$SRC/tests/stats-html-check.py" bad.dom bad.err \
		report.png judged.jsonl 2wikimqa-*.jsonl 2>why &&
	test_grep "boom" why &&
	sed "s|<footer>|<img src=\"https://example.com/x.png\"><footer>|" \
		dom.html >fetch.dom &&
	test_must_fail python3 "$SRC/tests/stats-html-check.py" fetch.dom \
		chrome.err report.png judged.jsonl 2wikimqa-*.jsonl 2>why &&
	test_grep "example.com" why
'

# make stats-png: the README's chart, from this test's report.
test_expect_success 'the README chart (KC_STATS_PNG)' '
	if test -n "${KC_STATS_PNG:-}"; then
		chrome --window-size=1200,980 --screenshot="$KC_STATS_PNG" \
			"file://$TRASH/report.html" 2>/dev/null &&
		test -s "$KC_STATS_PNG"
	fi
'
else
test_skip 'the HTML report in Chromium' 'no chromium (scripts/setup-debian --tests)'
fi

test_done
