#!/usr/bin/env python3
"""Compare kc-judge's output with reference.py's, response by response.

Usage: compare.py REFERENCE.jsonl KC.jsonl [LABEL]

Both files hold one record per line with an "id"; the reference's has
"responses" (a list of score objects), kc-judge's has "judge.responses".
The extracted answer must be equal (or both null), every metric equal as
a number (f1 exactly: the same double).  Prints one summary line, and the
first differences; exits 1 if there is any.
"""
import json
import sys

METRICS = ["em", "sub_em", "cem", "f1", "format_em", "format_f1"]


def load(path, key):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            out[rec["id"]] = key(rec)
    return out


def main():
    ref = load(sys.argv[1], lambda r: r["responses"])
    kc = load(sys.argv[2], lambda r: r["judge"]["responses"])
    label = sys.argv[3] if len(sys.argv) > 3 else sys.argv[2]
    if set(ref) != set(kc):
        print("%s: records differ: only in reference %s, only in kc %s"
              % (label, sorted(set(ref) - set(kc))[:5],
                 sorted(set(kc) - set(ref))[:5]))
        return 1
    n = bad = 0
    ones = {m: 0 for m in METRICS}
    for rid in sorted(ref):
        if len(ref[rid]) != len(kc[rid]):
            print("%s: %s: %d responses, kc has %d"
                  % (label, rid, len(ref[rid]), len(kc[rid])))
            bad += 1
            continue
        for i, (a, b) in enumerate(zip(ref[rid], kc[rid])):
            n += 1
            diff = []
            if a["answer"] != b["answer"]:
                diff.append("answer %r != kc %r" % (a["answer"], b["answer"]))
            for m in METRICS:
                if float(a[m]) != float(b[m]):
                    diff.append("%s %r != kc %r" % (m, a[m], b[m]))
                if float(a[m]) > 0:
                    ones[m] += 1
            if diff:
                bad += 1
                if bad <= 10:
                    print("%s: %s[%d]: %s" % (label, rid, i, "; ".join(diff)))
    print("%s: %d responses, %d differ; nonzero: %s" % (
        label, n, bad, " ".join("%s %d" % (m, ones[m]) for m in METRICS)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
