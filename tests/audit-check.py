#!/usr/bin/env python3
"""audit-check.py FILE... - kc-audit's solvers, written again from kc-audit(1).

An independent reading of the rendered records (verl, swift, chat, text,
keychain) and of every solver as the man page describes it, in plain
Python with re and unicodedata; no code shared with lib/audit.  Prints
one JSON line per record, {"id", "questions", "credit": {solver: c}},
for tests to compare with `kc-audit --per-record`.
"""
import json
import math
import re
import sys
import unicodedata

STOP = set("""a about above after again against all also am an and any are as
at be because been before being below between both but by can could did do
does doing down during each either few for from further had has have having he
her here hers herself him himself his how i if in into is it its itself just me
more most my myself neither no nor not now of off on once only or other our
ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under
until up very was we were what when where which while who whom whose why will
with would you your yours yourself yourselves""".split())
CONNECTORS = set("al bin da de del den der des di du el ibn la le of the van "
                 "von y".split())
ARTICLES = {"a", "an", "the"}
PAIR = re.compile(r'\{"([A-Za-z0-9_-]{1,64})": "')
KEYCHARS = re.compile(r"[A-Za-z0-9_-]+\Z")
HEADER = re.compile(r"(?:^|(?<=\n))Passage (\d+):\n")


def is_word_char(c):
    return unicodedata.category(c)[0] in "LMN"


def lower(w):
    # simple (one to one) case mapping, code point by code point
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in w)


def words(s):
    """(word, joined) pairs: joined when only ' ', '-', '.' precede it
    since the word before."""
    out, i, n, joined = [], 0, len(s), False
    while i < n:
        if not is_word_char(s[i]):
            if s[i] not in " -.":
                joined = False
            i += 1
            continue
        j = i
        while j < n and is_word_char(s[j]):
            j += 1
        out.append((s[i:j], bool(out) and joined))
        joined = True
        i = j
    return out


def content(w):
    if len(w) == 1:          # a single letter is none, a single digit is
        return "0" <= w <= "9"
    return lower(w) not in STOP


def capital(w):
    return unicodedata.category(w[0]) in ("Lu", "Lt")


def number(w):
    return "0" <= w[0] <= "9"


def record_fields(r):
    if isinstance(r.get("distractor_context"), str):
        return (r["distractor_context"], r.get("input"), r.get("answers"),
                r.get("chain_head_with_question"))
    if isinstance(r.get("prompt"), list):
        x = r.get("extra_info", {})
        text = [m["content"] for m in r["prompt"] if m.get("role") == "user"][-1]
        return (text, x.get("input_question"),
                r.get("reward_model", {}).get("ground_truth"), None)
    if isinstance(r.get("prompt"), str):
        return r["prompt"], r.get("question"), r.get("answers"), None
    text = [m["content"] for m in r["messages"] if m.get("role") == "user"][-1]
    ans = r.get("answers", r.get("solution"))
    return text, r.get("question"), ans, None


def passages(t):
    hs, want = [], 1
    for m in HEADER.finditer(t):
        if int(m.group(1)) == want:
            hs.append((m.start(), m.end()))
            want += 1
    if hs:
        nl = t.find("\n", hs[-1][1])
        end = t.find("\n\n", nl) if nl >= 0 else -1
        return hs, hs[0][0], end if end >= 0 else len(t)
    starts = [(0, 0)]
    for m in re.finditer(r"\n\n+", t):
        if m.end() < len(t):
            starts.append((m.end(), m.end()))
    return starts, 0, len(t)


def find_pairs(t):
    opens = [(m.start(), m.group(1), m.end()) for m in PAIR.finditer(t)]
    # a key's own '{"' cannot start another pair inside it
    pairs = []
    for j, (s, k, v) in enumerate(opens):
        limit = opens[j + 1][0] if j + 1 < len(opens) else len(t)
        c = t.find('"}.', v, limit)
        if c < 0 or c + 3 > limit:
            continue
        pairs.append((s, c + 3, k, t[v:c]))
    if not pairs:
        return [], 0
    lens = {}
    for p in pairs:
        lens[len(p[2])] = lens.get(len(p[2]), 0) + 1
    L = max(sorted(lens), key=lambda x: lens[x])
    return [p for p in pairs if len(p[2]) == L], L


def audit(r):
    text, question, answers, head = record_fields(r)
    heads, cs, ce = passages(text)
    pairs, L = find_pairs(text)
    keys = {p[2] for p in pairs}
    pstarts = [h[0] for h in heads]

    def passage_at(o):
        return max(i for i, s in enumerate(pstarts) if s <= o) if o >= pstarts[0] else 0
    cands = {}
    for s, e, k, v in pairs:
        if v in keys or (len(v) == L and KEYCHARS.match(v)):
            continue
        if v not in cands:
            cands[v] = (s, passage_at(s))
    if question is None:
        starts = keys - {p[3] for p in pairs}
        outside = text[:cs] + "\0" + text[ce:]
        named = sorted(k for k in starts if k in outside)
        head = named[0]
        stack, real = [head], None
        kids = {}
        for p in pairs:
            kids.setdefault(p[2], []).append(p[3])
        while stack:
            for v in kids.get(stack.pop(), []):
                if v in keys:
                    stack.append(v)
                elif v in cands:
                    real = v
        question = real
    # the context: passages minus headers and pairs
    cut = sorted([(s, e) for s, e, _, _ in pairs] +
                 [(h[0], text.find("\n", h[0]) + 1) for h in heads if h[0] != h[1]])
    pwords = [[] for _ in heads]          # per passage: (word, joined)
    at = cs
    segs = []
    for s, e in cut + [(ce, ce)]:
        if s > at:
            segs.append((at, min(s, ce)))
        at = max(at, e)
    for a, b in segs:
        # split the segment at passage starts
        bounds = [a] + [p for p in pstarts if a < p < b] + [b]
        for x, y in zip(bounds, bounds[1:]):
            pwords[passage_at(x)].extend(w for w, _ in words(text[x:y]))
    N = len(heads)
    df, where = {}, {}
    for i, ws in enumerate(pwords):
        for w in {lower(w) for w in ws if content(w)}:
            df[w] = df.get(w, 0) + 1
            where.setdefault(w, set()).add(i)
    grams = set()
    for ws in pwords:
        run = []
        for w in ws:
            if not (capital(w) or number(w) or
                    (not capital(w) and lower(w) in CONNECTORS)):
                run = []
                continue
            run = (run + [w])[-4:]
            for k in range(len(run)):
                if capital(run[k]) or number(run[k]):
                    grams.add(tuple(run[k:]))

    def idf(w):
        return math.log((N + 1) / (df.get(w, 0) + 0.5))

    def qwords(q):
        seen, out = set(), []
        for w, _ in words(q):
            lw = lower(w)
            if content(w) and lw not in seen:
                seen.add(lw)
                out.append(lw)
        return out

    def weights(ws):
        pw = {}
        for w in ws:
            for p in where.get(w, ()):
                pw[p] = pw.get(p, 0) + idf(w)
        if not pw:
            return None, 0
        best = max(pw.values())
        p = min(p for p, x in pw.items() if x == best)
        return p, best

    # answers: passages holding an answer's words in order (no articles)
    cw = [[lower(w) for w in ws if lower(w) not in ARTICLES] for ws in pwords]
    marked = set()
    if isinstance(answers, str):
        answers = [answers]
    for a in answers or []:
        aw = [lower(w) for w, _ in words(a) if lower(w) not in ARTICLES]
        if not aw or len(aw) > 64:
            continue
        for i, ws in enumerate(cw):
            if any(ws[j:j + len(aw)] == aw for j in range(len(ws) - len(aw) + 1)):
                marked.add(i)

    def entity(q):
        ws = words(q)
        names, k = [], 0
        while k < len(ws):
            w = ws[k][0]
            if not ((capital(w) and content(w)) or number(w)):
                k += 1
                continue
            e = k + 1
            while e < len(ws) and ws[e][1] and (
                    capital(ws[e][0]) or number(ws[e][0]) or
                    (not capital(ws[e][0]) and lower(ws[e][0]) in CONNECTORS and
                     e + 1 < len(ws) and ws[e + 1][1] and
                     (capital(ws[e + 1][0]) or number(ws[e + 1][0])))):
                e += 1
            names.append([x for x, _ in ws[k:e]])
            k = e
        if not names:
            return 0
        hit = 0
        for n in names:
            if len(n) <= 4:
                hit += tuple(n) in grams
            else:
                hit += all(tuple(n[i:i + 4]) in grams for i in range(len(n) - 3)
                           if i == 0 or capital(n[i]) or number(n[i]))
        return hit / len(names)

    def byte(o):             # offsets in UTF-8 bytes, as kc-audit counts
        return len(text[:o].encode("utf-8"))
    mid = (byte(cs) + byte(ce)) / 2
    score = {s: {} for s in ("lex", "lex-idf", "evidence", "entity", "proximity",
                             "first", "last", "center", "answer")}
    for q, (at, pas) in cands.items():
        ws = qwords(q)
        allw = sum(idf(w) for w in ws)
        score["lex"][q] = sum(w in df for w in ws) / len(ws) if ws else 0
        found = sum(idf(w) for w in ws if w in df)
        score["lex-idf"][q] = found / allw if allw > 0 else 0
        p1, w1 = weights(ws)
        if p1 is None or allw <= 0:
            score["evidence"][q] = 0
        else:
            _, w2 = weights([w for w in ws if p1 not in where.get(w, ())])
            score["evidence"][q] = (w1 + w2) / allw
        score["entity"][q] = entity(q)
        score["proximity"][q] = -math.inf if p1 is None else -abs(pas - p1)
        score["first"][q] = -at
        score["last"][q] = at
        score["center"][q] = -abs(byte(at) - mid)
        hit = sum(idf(w) for w in ws if where.get(w, set()) & marked)
        score["answer"][q] = hit / allw if marked and allw > 0 else 0
    if not answers:
        del score["answer"]
    credit = {}
    for s, sc in score.items():
        best = max(sc.values())
        top = [q for q, x in sc.items() if x == best]
        credit[s] = 1 / len(top) if question in top else 0
    return {"questions": len(cands), "credit": credit}


for path in sys.argv[1:]:
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        out = audit(r)
        out["id"] = r.get("id", r.get("index", r.get("extra_info", {}).get("index")))
        print(json.dumps(out))
