#!/bin/sh
# kc-import on every real dataset file, held against an independent
# reading of the same files with python3's json module: record counts,
# every field of every record (values and key order), supporting indices
# naming the right titles, arrays and JSON lines of the same data giving
# the same records.
. "$(dirname "$0")/lib.sh"

# The reference: the format descriptions of SPEC section 2 and
# kc-import(1), written again in Python, reading whole files with json.
cat >ref.py <<'EOF'
import json, sys

def load(path):
    text = open(path, encoding='utf-8').read()
    if text.lstrip().startswith('['):
        return json.loads(text)
    return [json.loads(l) for l in text.splitlines() if l.strip()]

def convert(x, fmt):
    if fmt == 'musique':
        if x.get('answerable') is False:
            return None
        answers = [x['answer']]
        for a in x.get('answer_aliases', []):
            if a and a not in answers:
                answers.append(a)
        docs = [{'title': p['title'], 'text': p['paragraph_text']}
                for p in x['paragraphs']]
        sup = [i for i, p in enumerate(x['paragraphs']) if p['is_supporting']]
        steps = [s['paragraph_support_idx'] for s in x['question_decomposition']]
        idx = [p['idx'] for p in x['paragraphs']]
        assert sorted(idx.index(s) for s in steps) == sup, x['id']
        return {'id': x['id'], 'source': 'musique', 'question': x['question'],
                'answers': answers, 'docs': docs, 'supporting': sup,
                'question_decomposition': x['question_decomposition']}
    ctx = x['context']
    docs = [{'title': t, 'text': ''.join(s)} for t, s in ctx]
    sup = set()
    for title, k in x['supporting_facts']:
        same = [i for i, (t, s) in enumerate(ctx) if t == title]
        has = [i for i in same if 0 <= k < len(ctx[i][1])]
        sup.add((has or same)[0])
    rec = {'id': x['_id'], 'source': fmt, 'question': x['question'],
           'answers': [x['answer']], 'docs': docs, 'supporting': sorted(sup)}
    for e in (['type', 'level'] if fmt == 'hotpotqa' else ['type', 'evidences']):
        if e in x:
            rec[e] = x[e]
    return rec

mode, fmt, path = sys.argv[1:4]
items = load(path)
if mode == 'count':
    print(sum(1 for x in items if x.get('answerable') is not False))
else:
    for x in items:
        r = convert(x, fmt)
        if r is not None:
            print(json.dumps(r, ensure_ascii=False))
EOF

# Same records (values and key order), read back with json.
cat >same.py <<'EOF'
import json, sys
a = [json.loads(l, object_pairs_hook=list) for l in open(sys.argv[1])]
b = [json.loads(l, object_pairs_hook=list) for l in open(sys.argv[2])]
if len(a) != len(b):
    sys.exit('%d records, expected %d' % (len(b), len(a)))
for i, (x, y) in enumerate(zip(a, b)):
    if x != y:
        sys.exit('record %d differs:\n%s\n%s' % (i + 1, x, y))
EOF

# Supporting indices must name the titles the source names (checked
# against the source file, not against our docs).
cat >titles.py <<'EOF'
import json, sys
fmt, src, out = sys.argv[1:4]
text = open(src, encoding='utf-8').read()
items = json.loads(text) if text.lstrip().startswith('[') else \
    [json.loads(l) for l in text.splitlines() if l.strip()]
items = {x.get('_id', x.get('id')): x for x in items}
n = 0
for line in open(out):
    r = json.loads(line)
    x = items[r['id']]
    if fmt == 'musique':
        want = sorted(p['title'] for p in x['paragraphs'] if p['is_supporting'])
        paras = [(p['title'], p['paragraph_text']) for p in x['paragraphs']]
    else:
        want = sorted(set(t for t, _ in x['supporting_facts']))
        paras = [(t, ''.join(s)) for t, s in x['context']]
    got = sorted(r['docs'][i]['title'] for i in r['supporting'])
    assert got == want, (r['id'], got, want)
    assert [(d['title'], d['text']) for d in r['docs']] == paras, r['id']
    n += 1
assert n > 0
EOF

for dir in hotpotqa musique 2wikimqa; do
	for f in "$DATA"/$dir/*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		test_expect_success "$dir/$b: as many records as python3 counts" "
			python3 ref.py count $dir '$f' >expect &&
			kc-import -q '$f' >out.jsonl &&
			wc -l <out.jsonl | tr -d ' ' >actual &&
			test_cmp expect actual
		"
		test_expect_success "$dir/$b: every record as the reference reads it" "
			python3 ref.py convert $dir '$f' >ref.jsonl &&
			kc-import -q '$f' >out.jsonl &&
			python3 same.py ref.jsonl out.jsonl
		"
		test_expect_success "$dir/$b: supporting indices name the source's titles" "
			kc-import -q '$f' >out.jsonl &&
			python3 titles.py $dir '$f' out.jsonl
		"
		test_expect_success "$dir/$b: detected as $dir, same as --format $dir" "
			kc-import --stats '$f' >auto.jsonl 2>err &&
			grep -q ': $dir ' err &&
			kc-import -q --format $dir '$f' >forced.jsonl &&
			cmp auto.jsonl forced.jsonl
		"
	done
done

test_expect_success 'a JSON array and its JSON lines give the same records' '
	for pair in musique/hipporag__musique_train musique/cas__musique; do
		[ -f "$DATA/$pair.json" ] && [ -f "$DATA/$pair.jsonl" ] || continue
		kc-import -q "$DATA/$pair.json" >a.jsonl &&
		kc-import -q "$DATA/$pair.jsonl" >b.jsonl &&
		cmp a.jsonl b.jsonl || return 1
	done
'

test_expect_success 'the output is read back unchanged as canonical records' '
	kc-import -q "$DATA"/hotpotqa/* "$DATA"/musique/* "$DATA"/2wikimqa/* \
		>all.jsonl &&
	kc-import -q all.jsonl >again.jsonl &&
	cmp all.jsonl again.jsonl &&
	kc-import -q --format canonical <all.jsonl >again.jsonl &&
	cmp all.jsonl again.jsonl
'

test_expect_success 'unanswerable MuSiQue items are left out and counted' '
	f=$DATA/musique/cas__musique.json &&
	[ -f "$f" ] || f=$SRC/examples/data/musique/cas__musique.json &&
	kc-import "$f" >out.jsonl 2>err &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sum(1 for x in d if x[\"answerable\"] is False))" "$f" >n &&
	grep -q ", $(cat n) unanswerable left out, 0 bad," err &&
	test_line_count = 1 err
'

test_expect_success 'a pretty-printed array reads the same from stdin' '
	f=$DATA/2wikimqa/kag__2wiki_qa_sub.json &&
	kc-import -q <"$f" >a.jsonl &&
	kc-import -q - <"$f" >b.jsonl &&
	kc-import -q "$f" >c.jsonl &&
	cmp a.jsonl c.jsonl && cmp b.jsonl c.jsonl
'

test_done
