#!/usr/bin/env python3
"""chain-check.py FILE - check the chains of kc-chain output, independently.

For every record: keys of the declared form, unique, absent from every
text of the record; following the pairs from the head reaches exactly one
question, the record's own; each pair sits at a real sentence end of its
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


def check(r):
    c = r["chain"]
    pat = re.compile(form(c["uuid"]) + r"\Z")
    texts = [r["question"]] + [d["question"] for d in r["distractors"]]
    for i in range(len(r["passages"])):
        d = passage(r, i)
        texts += [d["title"], d["text"]]
    blob = "\n".join(texts)
    keys = [p["key"] for p in c["pairs"]]
    assert all(pat.match(k) for k in keys), "key form"
    if not c["tree"]:
        assert len(keys) == len(set(keys)) == c["chains"] * c["hops"], "key count"
    assert not any(k in blob for k in set(keys)), "key in text"
    nxt = {}
    for p in c["pairs"]:
        nxt.setdefault(p["key"], []).append(p["value"])
    todo, found = [c["head"]], []
    while todo:
        for v in nxt.get(todo.pop(), []):
            if v in nxt:
                todo.append(v)
            elif not pat.match(v):
                found.append(v)
    assert found == [r["question"]], "chain reaches %r" % found
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
