#!/usr/bin/env python3
"""chain-check.py FILE - check the chains of kc-chain output, independently.

For every record: keys of the declared form, unique, absent from every
text of the record; following the pairs from the head reaches exactly one
question, the record's own; decoys branch off the real chain to dead ends
as deep as the question; near misses are unreachable keys one or two
characters from a real key, leading to a dead end; each pair sits at a real sentence end of its
passage (after . ? ! and closing quotes, or after a newline; not after an
initial or a common abbreviation; white space or the end follows).
"""
import json
import re
import sys

FORMS = {
    "default": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
}


def form(name):
    if name in FORMS:
        return FORMS[name]
    kind, n = name.split("_")
    return (r"[0-9a-f]{%s}" if kind == "default" else r"[A-Za-z0-9_-]{%s}") % n


def passage(r, i):
    q = r["passages"][i]
    return r["docs"][q["doc"]] if "doc" in q else q


def rows(pairs):
    """The pairs one by one: kc-chain writes them as columns."""
    if isinstance(pairs, list):
        return pairs
    return [dict(zip(pairs, p)) for p in zip(*pairs.values())]


def check(r):
    c = r["chain"]
    c["pairs"] = rows(c["pairs"])
    pat = re.compile(form(c["uuid"]) + r"\Z")
    texts = [r["question"]] + [d["question"] if isinstance(d, dict) else d
                               for d in r["distractors"]]
    for i in range(len(r["passages"])):
        d = passage(r, i)
        texts += [d["title"], d["text"]]
    blob = "\n".join(texts)
    keys = [p["key"] for p in c["pairs"]]
    assert all(pat.match(k) for k in keys), "key form"
    h, nd, nm = c["hops"], c.get("decoys", 0), c.get("near_miss", 0)
    if not c["tree"]:
        # decoy i branches at key 1 + i mod (hops - 1), to depth hops
        want = c["chains"] * h + sum(h - 1 - i % (h - 1) for i in range(nd))
        assert len(keys) == want + nm, "pair count"
        assert len(set(keys)) == len(keys) - nd, "key count"
    assert not any(k in blob for k in set(keys)), "key in text"
    nxt = {}
    for p in c["pairs"]:
        nxt.setdefault(p["key"], []).append(p["value"])
    todo, found, seen, dead = [(c["head"], 0)], [], set(), []
    while todo:
        k, d = todo.pop()
        seen.add(k)
        for v in nxt.get(k, []):
            if v in nxt:
                todo.append((v, d + 1))
            elif not pat.match(v):
                found.append(v)
            else:
                dead.append(d + 1)
    assert found == [r["question"]], "chain reaches %r" % found
    if not c["tree"]:
        assert dead == [h] * nd, "dead ends at depths %r" % dead
    real = c["real"]
    near = [k for k in nxt if k not in seen and any(
        len(k) == len(x) and 1 <= sum(a != b for a, b in zip(k, x)) <= 2
        for x in real)]
    # random keys may fall near a real one by chance: at least nm
    assert len(near) >= nm, "%d near misses" % len(near)
    ours = [p["key"] for p in c["pairs"] if p["chain"] >= c["chains"] + nd]
    assert set(ours) <= set(near), "a near miss is not"
    for k in ours:
        assert len(nxt[k]) == 1 and nxt[k][0] not in nxt and pat.match(nxt[k][0]), "near miss %s" % k
    for p in c["pairs"]:
        text = passage(r, p["passage"])["text"].encode()
        before = text[:p["at"]].decode()
        after = text[p["at"]:].decode()
        assert before.endswith("\n") or re.search(
            "[.?!][\"')\\]\u2019\u201d\u00bb]*\\Z", before), "not after a stop: %r" % before[-20:]
        # white space follows, or a capital glued to the word before
        # (HotpotQA and 2Wiki sometimes join sentences with no space)
        assert after == "" or after[0] in " \t\n" or (
            after[0].isupper() and re.search(r"[a-z][.?!]\Z", before)), "glued: %r" % after[:10]
        assert not re.search(r"(?:\b[A-Za-z]|\b(?:Dr|Mr|Mrs|St|Jr|Inc|vs|etc|No))\.\Z",
                             before), "abbreviation: %r" % before[-20:]


n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    try:
        check(r)
    except AssertionError as e:
        sys.exit("chain-check: %s: %s" % (r["id"], e))
    n += 1
print("chain-check: %d records ok" % n)
