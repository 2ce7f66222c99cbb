#!/usr/bin/env python3
"""hub-layout.py DATASET FILE - the items of a published dataset file
(a JSON array or JSON lines) as JSON lines in the layout of its Hugging
Face Parquet release, from the dataset cards:

  hotpotqa  (hotpot_qa)  id, question, answer, type, level,
            supporting_facts {title[], sent_id[]},
            context {title[], sentences[][]}
  2wikimqa  (2WikiMultihopQA)  _id, type, question,
            context {title[], content[][]},
            supporting_facts {title[], sent_id[]},
            evidences {fact[], relation[], entity[]}, answer
  musique   (MuSiQue)  as its JSON lines: id, paragraphs [{idx, title,
            paragraph_text, is_supporting}], question,
            question_decomposition [...], answer, answer_aliases,
            answerable

DuckDB then writes them as Parquet (tests/t6020).
"""
import json
import sys


def items(path):
    text = open(path, encoding="utf-8").read()
    if text.lstrip().startswith("["):
        return json.loads(text)
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def columns(pairs, *names):
    return {n: [p[i] for p in pairs] for i, n in enumerate(names)}


def hotpot(it):
    out = {"id": it["_id"], "question": it["question"], "answer": it["answer"]}
    for k in ("type", "level"):
        if k in it:
            out[k] = it[k]
    out["supporting_facts"] = columns(it["supporting_facts"], "title", "sent_id")
    out["context"] = columns(it["context"], "title", "sentences")
    return out


def wiki(it):
    out = {"_id": it["_id"], "type": it.get("type"), "question": it["question"]}
    out["context"] = columns(it["context"], "title", "content")
    out["supporting_facts"] = columns(it["supporting_facts"], "title", "sent_id")
    if "evidences" in it:
        out["evidences"] = columns(it["evidences"], "fact", "relation", "entity")
    out["answer"] = it["answer"]
    return out


def main():
    conv = {"hotpotqa": hotpot, "2wikimqa": wiki, "musique": lambda it: it}
    f = conv[sys.argv[1]]
    for it in items(sys.argv[2]):
        print(json.dumps(f(it), ensure_ascii=False))


if __name__ == "__main__":
    main()
