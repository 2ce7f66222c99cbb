#!/bin/sh
# kc-verify: good pipeline output passes in every format; records broken
# on purpose, one rule at a time, are caught with the right message.
. "$(dirname "$0")/lib.sh"

test_must_be_empty() {
	if test -s "$1"; then
		echo "test_must_be_empty: $1 is not empty:" >&2
		head -c 2000 "$1" >&2
		return 1
	fi
}

test_expect_success 'setup: canonical HotpotQA records, filled and chained' '
	# The canonical records, read by Python straight from the dataset
	# files (not by kc-import), so the verifier checks the pipeline
	# against an outside reading of the data.
	python3 - "$DATA"/hotpotqa/*.json >hp.jsonl <<-\EOF &&
	import json, sys
	seen = set()
	for path in sys.argv[1:]:
	    for r in json.load(open(path, encoding="utf-8")):
	        if r["_id"] in seen:
	            continue
	        seen.add(r["_id"])
	        docs = [{"title": t, "text": "".join(s)} for t, s in r["context"]]
	        sup = {t for t, _ in r["supporting_facts"]}
	        print(json.dumps({"id": r["_id"], "source": "hotpotqa",
	                          "question": r["question"], "answers": [r["answer"]],
	                          "docs": docs,
	                          "supporting": [i for i, d in enumerate(docs)
	                                         if d["title"] in sup]}))
	EOF
	kc-fill --pool hp.jsonl -l 4k --chains 2 <hp.jsonl 2>/dev/null |
		kc-chain >c.jsonl 2>/dev/null &&
	test_line_count -gt 300 c.jsonl &&
	kc-render <c.jsonl >chat.jsonl &&
	test_line_count -gt 300 chat.jsonl &&
	cat >break.py <<-\EOF
	# break.py MODE: break the first record MODE applies to, one rule.
	import json, re, sys
	mode = sys.argv[1]
	KEY = "[0-9a-f]{8}"
	PAIR = re.compile(r"\{\"(%s)\": \"(.*?)\"\}\." % KEY)
	KPAIR = re.compile(r" \{\"%s\": \"%s\"\}\." % (KEY, KEY))

	def blocks(p):
	    hs = list(re.finditer(r"(?m)^Passage (\d+):\n", p))
	    return [(int(m.group(1)), m.start(),
	             hs[i + 1].start() - 2 if i + 1 < len(hs) else
	             p.index("\n\nIn the context above"))
	            for i, m in enumerate(hs)]

	def brk(r, p):
	    own = {o["passage"] for o in r["render"]["own"]}
	    c = r["chain"]
	    if mode == "number":
	        m = KPAIR.search(p)
	        q = p[:m.start()] + p[m.end():]
	        n = re.search(r"\d\.\d", q[q.index("Passage 1:"):])
	        if not n:
	            return None
	        at = q.index("Passage 1:") + n.start() + 2
	        return q[:at] + m.group(0) + q[at:]
	    if mode == "header":
	        m = KPAIR.search(p)
	        q = p[:m.start()] + p[m.end():]
	        at = q.index("Passage 2:\n") + len("Passage 2:\n")
	        return q[:at] + m.group(0)[1:] + q[at:]
	    if mode == "abbrev":
	        m = KPAIR.search(p)
	        w = m.start() - 1
	        while p[w - 1].isalnum():
	            w -= 1
	        return p[:w] + "U.S" + p[m.start() - 1:]
	    if mode == "paren":
	        # an opener early in the paragraph of a pair, never closed
	        m = KPAIR.search(p)
	        para = p.rindex("\n", 0, m.start()) + 1
	        if para >= m.start() - 1:
	            return None
	        return p[:para] + "(" + p[para:]
	    if mode == "quote":
	        # a quotation opened after a space, after the last
	        # quote mark of the paragraph and before a pair, never closed
	        m = KPAIR.search(p)
	        para = p.rindex("\n", 0, m.start()) + 1
	        last = p.rfind("\"", para, m.start())
	        sp = p.find(" ", max(para, last + 1), m.start() - 1)
	        if sp < 0:
	            return None
	        return p[:sp + 1] + "\"" + p[sp + 1:]
	    if mode == "dupkey":
	        other = [k for k, v in PAIR.findall(p) if k not in c["real"]]
	        return p.replace("{\"%s\": " % other[0],
	                         "{\"%s\": " % c["real"][1], 1)
	    if mode == "distractor":
	        q = c["question"]
	        d = [v for k, v in PAIR.findall(p)
	             if not re.fullmatch(KEY, v) and v != q][0]
	        return (p.replace("\"%s\"}." % q, "\"@Q@\"}.")
	                 .replace("\"%s\"}." % d, "\"%s\"}." % q)
	                 .replace("\"@Q@\"}.", "\"%s\"}." % d))
	    if mode == "keyintext":
	        at = p.index("\n", p.index("Passage 1:\n") + 11) + 1
	        return p[:at] + "Code %s here. " % c["real"][2] + p[at:]
	    if mode == "removeown":
	        bl = blocks(p)
	        free = [b for b in bl if b[0] in own and "{\"" not in p[b[1]:b[2]]
	                and b[0] < bl[-1][0]]
	        if not free:
	            return None
	        n, s, e = free[0]
	        q = p[:s] + p[e + 2:]
	        r["render"]["passages"] -= 1
	        return re.sub(r"(?m)^Passage (\d+):\n", lambda m: "Passage %d:\n" %
	                      (int(m.group(1)) - (int(m.group(1)) > n)), q)
	    if mode == "byte":
	        n, s, e = [b for b in blocks(p) if b[0] in own][0]
	        body = p.index("\n", p.index("\n", s) + 1) + 1
	        at = (body + e) // 2
	        while not p[at].isalpha() or "{" in p[at - 40:at + 40]:
	            at -= 1
	        if at <= body:
	            return None
	        return p[:at] + ("x" if p[at] != "x" else "y") + p[at + 1:]
	    if mode == "filler":
	        fill = [b for b in blocks(p) if b[0] not in own]
	        if not fill:
	            return None
	        n, s, e = fill[0]
	        at = p.index("\n", p.index("\n", s) + 1) + 1
	        while not p[at].isalpha():
	            at += 1
	        return p[:at] + ("x" if p[at] != "x" else "y") + p[at + 1:]
	    if mode == "gap":
	        last = blocks(p)[-1][0]
	        return p.replace("Passage %d:\n" % last, "Passage %d:\n" % (last + 1))
	    if mode == "budget":
	        r["render"]["budget"] = r["render"]["tokens"] - 1
	        return p
	    if mode == "claim":
	        r["render"]["tokens"] += 1
	        return p
	    sys.exit("break.py: unknown mode " + mode)

	done = False
	for line in sys.stdin:
	    r = json.loads(line)
	    if not done:
	        p = brk(r, r["messages"][0]["content"])
	        if p is not None:
	            r["messages"][0]["content"] = p
	            done = r["id"]
	    print(json.dumps(r, ensure_ascii=False))
	if not done:
	    sys.exit("break.py: %s applies to no record" % mode)
	open("broken-id", "w").write(done)
	EOF
	cat >count.sh <<-\EOF
	# count.sh FILE: the number of records in FILE, as a summary says it
	n=$(wc -l <"$1" | tr -d " ")
	echo "$n records, $n passed, 0 failed" >expect
	EOF
	true
'

test_expect_success 'chat records of the pipeline pass' '
	kc-verify chat.jsonl >out 2>err &&
	sh count.sh chat.jsonl &&
	head -1 out >first &&
	test_cmp expect first &&
	test_grep "^tokens/budget: min" out &&
	test_must_be_empty err
'

for f in text verl swift keychain; do
	test_expect_success "$f records of the pipeline pass" '
		kc-render -f '$f' <c.jsonl >'$f'.jsonl &&
		kc-verify '$f'.jsonl >out 2>err &&
		sh count.sh '$f'.jsonl &&
		head -1 out >first &&
		test_cmp expect first
	'
done

test_expect_success 'swift records carry the chain in "kc": checked in full' '
	kc-verify swift.jsonl >out &&
	! grep -q "name no real question" out &&
	sh count.sh swift.jsonl &&
	head -1 out >first &&
	test_cmp expect first
'

test_expect_success 'chained records, before kc-render, pass' '
	kc-verify c.jsonl >out &&
	sh count.sh c.jsonl &&
	head -1 out >first &&
	test_cmp expect first
'

test_expect_success 'trees, UUIDs and nanoid keys pass' '
	head -40 hp.jsonl >few.jsonl &&
	kc-fill --pool hp.jsonl -l 8k --tree --chains 4 <few.jsonl 2>/dev/null |
		kc-chain 2>/dev/null | kc-render >tree.jsonl &&
	test_line_count -gt 20 tree.jsonl &&
	kc-verify tree.jsonl &&
	kc-fill --pool hp.jsonl -l 4k --chains 2 --uuid default <few.jsonl |
		kc-chain | kc-render -f verl | kc-verify &&
	kc-fill --pool hp.jsonl -l 4k --chains 2 --uuid nano_12 <few.jsonl |
		kc-chain | kc-render -f text | kc-verify
'

test_expect_success 'the summary as JSON' '
	kc-verify --json chat.jsonl >out &&
	python3 - <<-\EOF
	import json
	s = json.loads(open("out").read())
	n = sum(1 for _ in open("chat.jsonl"))
	assert s["records"] == s["passed"] == n, s
	assert s["failed"] == 0 and s["unreadable"] == 0
	assert set(s["reasons"]) == {"record", "template", "pair", "key", "chain",
	    "placement", "numbering", "own", "context", "tokens", "fill"}
	u = s["token_use"]
	assert u["records"] == n and 0 < u["min"] <= u["median"] <= u["max"] <= 1
	EOF
'

# broken MODE REASON MESSAGE: break one record with MODE; kc-verify must
# fail with exit 1, name the record's file, line and id, say MESSAGE, and
# pass the other records.
broken() {
	python3 break.py "$1" <chat.jsonl >bad.jsonl &&
	id=$(cat broken-id) &&
	line=$(grep -n "\"id\": \"$id\"" bad.jsonl | cut -d: -f1) &&
	test_must_fail --status=1 kc-verify bad.jsonl >out 2>err &&
	test_line_count = 1 err &&
	test_grep "^kc-verify: bad.jsonl:$line: id $id: $3" err &&
	n=$(wc -l <bad.jsonl | tr -d " ") &&
	echo "$n records, $((n - 1)) passed, 1 failed" >expect &&
	head -1 out >first &&
	test_cmp expect first &&
	test_grep "^failed by reason:.* $2 1" out
}

test_expect_success 'a pair moved into a number' '
	broken number placement "pair {\"[0-9a-f]*\": ...} inside the number"
'
test_expect_success 'a pair moved into a passage header' '
	broken header placement "pair {\"[0-9a-f]*\": ...} in the header of passage 2"
'
test_expect_success 'a pair after an abbreviation' '
	broken abbrev placement "pair .* after the abbreviation \"U.S.\""
'
test_expect_success 'a pair inside an open parenthesis or quotation' '
	broken paren placement "pair .* inside an open parenthesis or bracket" &&
	broken quote placement "pair .* inside an open quotation"
'
test_expect_success 'a pair after a glued sentence and before a one-word one passes' '
	# 2Wiki: "Carol!Freddie. Daniel": after the first pair, "Freddie."
	# is a word, not the abbreviation ".Freddie."
	echo "{\"id\": \"g1\", \"question\": \"Who?\", \"answers\": [\"x\"], \"docs\": [{\"title\": \"A\", \"text\": \"He met Carol!Freddie. Daniel left. Then came Eve.\"}], \"supporting\": [0]}" >glued.jsonl &&
	kc-fill --pool glued.jsonl --relevant-only -l 1k --chains 1 --hops 3 \
		-s 10 <glued.jsonl | kc-chain | kc-render --no-limit >g.jsonl &&
	grep -q "Carol! {.*}.Freddie. {" g.jsonl &&
	kc-verify --quiet g.jsonl
'
test_expect_success 'a key used twice' '
	broken dupkey key "key [0-9a-f]* is the key of 2 pairs"
'
test_expect_success 'the chain made to reach a distractor' '
	broken distractor chain "the chain from the head reaches another question"
'
test_expect_success 'a key written in the text' '
	broken keyintext key "key [0-9a-f]* occurs outside the pairs"
'
test_expect_success 'an own passage removed' '
	broken removeown own "own passage .* is missing"
'
test_expect_success 'one byte of an own passage changed' '
	broken byte own "passage [0-9]* is not docs\[[0-9]*\] (.*): they differ at byte [0-9]* of the text"
'
test_expect_success 'one byte of a filler passage changed' '
	broken filler context "passage [0-9]* (.*) is not the record.s passage that follows"
'
test_expect_success 'a gap in the passage numbers' '
	broken gap numbering "passage [0-9]* follows passage [0-9]*"
'
test_expect_success 'over the budget' '
	broken budget tokens "the prompt has [0-9]* tokens, over the budget of"
'
test_expect_success 'a token count that is not the one claimed' '
	broken claim tokens "the prompt has [0-9]* tokens (.*), the render says"
'

test_expect_success 'keychain and verl records broken are caught too' '
	python3 - <<-\EOF &&
	import json
	rs = [json.loads(l) for l in open("keychain.jsonl")]
	p = rs[0]["distractor_context"]
	at = p.index("Passage 1:\n") + 20
	rs[0]["distractor_context"] = p[:at] + "#" + p[at + 1:]
	with open("bad-keychain.jsonl", "w") as f:
	    for r in rs:
	        print(json.dumps(r), file=f)
	rs = [json.loads(l) for l in open("verl.jsonl")]
	rs[1]["extra_info"]["input_question"] = "Who is it?"
	with open("bad-verl.jsonl", "w") as f:
	    for r in rs:
	        print(json.dumps(r), file=f)
	EOF
	test_must_fail --status=1 kc-verify bad-keychain.jsonl >out 2>err &&
	test_grep "bad-keychain.jsonl:1: .*differs from the bare context" err &&
	test_must_fail --status=1 kc-verify bad-verl.jsonl >out 2>err &&
	test_grep "bad-verl.jsonl:2: .*reaches another question" err
'

test_expect_success 'prompts of a template of one'"'"'s own, and of the filter preset' '
	head -20 c.jsonl >few-c.jsonl &&
	T="Context:\n{context}\n\nStart at {chain_head}; the question is {{hidden}}." &&
	kc-render --template "$T" <few-c.jsonl >own.jsonl &&
	test_must_fail --status=1 kc-verify own.jsonl >out 2>err &&
	test_grep "template \"custom\": give it with --template" err &&
	kc-verify --template "$T" own.jsonl >out &&
	test_grep "^20 records, 20 passed" out &&
	printf "%s" "$T" >t.txt &&
	kc-verify --template-file t.txt own.jsonl >out &&
	test_must_fail --status=1 kc-verify --template "Context: {context}" own.jsonl \
		>out 2>err &&
	test_grep "the prompt is not the --template filled in" err &&
	head -20 hp.jsonl | kc-render --preset filter --no-limit >filter.jsonl &&
	kc-verify filter.jsonl >out &&
	test_grep "^20 records, 20 passed" out
'

test_expect_success '--max-tokens and --min-fill' '
	test_must_fail --status=1 kc-verify -m 1k chat.jsonl >out 2>err &&
	test_grep "over the budget of 1024" err &&
	test_grep "tokens/budget: min [0-9.]*, median" out &&
	test_must_fail --status=1 kc-verify --min-fill 0.9999 chat.jsonl >out 2>err &&
	test_grep "under --min-fill 0.9999" err &&
	test_grep "failed by reason: fill" out &&
	kc-verify --min-fill 0.5 chat.jsonl >out
'

test_expect_success '--quiet keeps the summary, not the lines' '
	test_must_fail --status=1 kc-verify -q -m 1k chat.jsonl >out 2>err &&
	test_must_be_empty err &&
	test_grep "failed by reason: tokens" out
'

test_expect_success 'pairs placed the way the reference places them are caught' '
	# KeyChain inserts after any ".", "?" or newline: re-place every pair
	# of the chained records so, and most records must fail.
	python3 - c.jsonl >ref.jsonl <<-\EOF &&
	import json, random, sys
	random.seed(7)
	for line in open(sys.argv[1]):
	    r = json.loads(line)
	    ps = r["passages"]
	    spots = []
	    for i, p in enumerate(ps):
	        t = (r["docs"][p["doc"]] if "doc" in p else p)["text"].encode()
	        spots += [(i, k + 1) for k, c in enumerate(t) if c in b".?\n"]
	    random.shuffle(spots)
	    pairs = r["chain"]["pairs"]   # columns: key, value, passage, at ...
	    for i, s in zip(range(len(pairs["key"])), spots):
	        pairs["passage"][i], pairs["at"][i] = s
	    print(json.dumps(r))
	EOF
	test_must_fail --status=1 kc-verify --json ref.jsonl >out 2>err &&
	test_grep "inside the number" err &&
	test_grep "after the initial" err &&
	python3 -c "
import json; s = json.load(open(\"out\"))
assert s[\"reasons\"][\"placement\"] > s[\"records\"] // 2, s"
'

test_expect_success 'bad input: malformed JSON, not a record, missing fields, bad UTF-8' '
	head -2 chat.jsonl >in.jsonl &&
	printf "{\"id\": \"x\", \"messages\": [\n" >>in.jsonl &&
	printf "{\"id\": \"y\", \"question\": \"q\"}\n" >>in.jsonl &&
	printf "{\"id\": \"z\", \"messages\": [], \"render\": {}}\n" >>in.jsonl &&
	printf "{\"id\": \"w\377\"}\n" >>in.jsonl &&
	tail -1 chat.jsonl >>in.jsonl &&
	test_must_fail --status=1 kc-verify in.jsonl >out 2>err &&
	test_grep "^kc-verify: in.jsonl:3: " err &&
	test_grep "^kc-verify: in.jsonl:4: id y: not a rendered or chained record" err &&
	test_grep "^kc-verify: in.jsonl:5: id z: no prompt" err &&
	test_grep "^kc-verify: in.jsonl:6: " err &&
	test_line_count = 4 err &&
	test_grep "^5 records, 3 passed, 2 failed" out &&
	test_grep "^2 lines unreadable" out
'

test_expect_success 'empty input, and a record with a huge prompt' '
	test_must_fail --status=1 kc-verify </dev/null >out 2>err &&
	test_grep "^kc-verify: no records" err &&
	kc-verify --allow-empty </dev/null >out &&
	echo "0 records, 0 passed, 0 failed" >expect &&
	test_cmp expect out &&
	python3 - <<-\EOF &&
	import json
	r = json.loads(open("chat.jsonl").readline())
	r["messages"][0]["content"] += " Filler." * 400000
	open("huge.jsonl", "w").write(json.dumps(r) + "\n")
	EOF
	test_must_fail --status=1 kc-verify huge.jsonl >out 2>err &&
	test_grep "not the keychain-rl preset" err
'

test_expect_success 'a tokenizer the record names that cannot be opened is fatal' '
	python3 - <<-\EOF &&
	import json
	with open("tok.jsonl", "w") as f:
	    for i, line in enumerate(open("chat.jsonl")):
	        r = json.loads(line)
	        if i == 1:
	            r["render"]["tokenizer"] = "no-such-tokenizer"
	        print(json.dumps(r), file=f)
	        if i == 3:
	            break
	EOF
	test_must_fail --status=2 kc-verify tok.jsonl >out 2>err &&
	test_grep "^kc-verify: tok.jsonl:2: the tokenizer \"no-such-tokenizer\" the record names" err &&
	test_grep "^1 record, 1 passed, 0 failed" out &&
	kc-verify -t qwen tok.jsonl >out &&
	test_grep "^4 records, 4 passed" out
'

test_expect_success 'write errors: /dev/full and a closed stdout exit 2' '
	test_must_fail --status=2 kc-verify chat.jsonl >/dev/full 2>err &&
	test_grep "write error" err &&
	test_must_fail --status=2 kc-verify chat.jsonl >&- 2>err &&
	test_grep "write error" err
'

test_expect_success 'a closed pipe ends it quietly' '
	{ kc-verify chat.jsonl 2>err; echo $? >rc; } | true &&
	test_must_be_empty err &&
	grep -E "^(0|141)$" rc
'

test_expect_success 'usage errors exit 2; --help and --version exit 0' '
	test_must_fail --status=2 kc-verify --bogus 2>err &&
	test_grep "Try .kc-verify --help." err &&
	test_must_fail --status=2 kc-verify --min-fill 2 2>err &&
	test_must_fail --status=2 kc-verify -m 4kb 2>err &&
	test_must_fail --status=2 kc-verify no-such-file.jsonl >out 2>err &&
	test_grep "no-such-file.jsonl" err &&
	kc-verify --help >out &&
	test_grep "^Usage: kc-verify" out &&
	kc-verify -V >out &&
	test_grep "^kc-verify (kc) " out
'

test_expect_success 'the options of --help are those of the man page' '
	kc-verify --help | grep -o -- "--[a-z-]*" | sort -u >help-opts &&
	grep "^\.It Fl" "$SRC"/man/kc-verify.1 | grep -o "Fl -[a-z-]*" |
		sed "s/^Fl -/--/" | sort -u >man-opts &&
	test_cmp man-opts help-opts
'

test_expect_success 'the man page is lint-clean' '
	mandoc -T lint -W warning "$SRC"/man/kc-verify.1
'

test_done
