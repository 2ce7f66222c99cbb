#!/usr/bin/env python3
"""check.py - compare kc-ask's output with what server.py answers.

    check.py IN OUT [--n N] [--npr K] [--failed ID,...] [--skipped ID,...]

Every record of IN (minus --skipped) must come out in OUT exactly once,
in input order, with every input field unchanged.  Records listed in
--failed must carry an ask_error (message, status, attempts) and no
answers; the others must carry the n answers the reference server gives
(server.answer: requests of at most K answers, in order), "stop" finish
reasons, the usage summed over the requests and each request's usage.  Prints a one-line
summary; exits 1 with the first differences otherwise.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from server import answer, usage_of  # noqa: E402


def prompt_of(rec):
    if "messages" in rec:
        return rec["messages"][-1]["content"]
    return rec["prompt"]


def parse(line):
    """An input line as kc-ask reads it, or None when it is not JSON."""
    try:
        return json.loads(line.decode("utf-8"))
    except ValueError:
        return None


def askable(rec):
    """Whether kc-ask can ask this record (others are reported)."""
    if not isinstance(rec, dict):
        return False
    if "messages" in rec:
        m = rec["messages"]
        return isinstance(m, list) and len(m) > 0 and all(
            isinstance(x, dict) and isinstance(x.get("role"), str) for x in m)
    return isinstance(rec.get("prompt"), str)


def add_usage(acc, u):
    for k, v in u.items():
        if k not in acc:
            acc[k] = json.loads(json.dumps(v))
        elif isinstance(v, dict):
            add_usage(acc[k], v)
        else:
            acc[k] += v


def expected_answers(prompt, n, npr):
    parts, left = [], n
    while left > 0:
        k = min(npr, left)
        parts.append(k)
        left -= k
    responses, usage, each = [], {}, []
    for k in parts:
        responses += [answer(prompt, i) for i in range(k)]
        add_usage(usage, usage_of(prompt, k))
        each.append(usage_of(prompt, k))
    return responses, usage, each


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=1)
    ap.add_argument("--npr", type=int, default=0)
    ap.add_argument("--failed", default="")
    ap.add_argument("--skipped", default="")
    a = ap.parse_args()
    npr = a.npr or a.n
    failed = set(x for x in a.failed.split(",") if x)
    skipped = set(x for x in a.skipped.split(",") if x)
    inp = [r for r in map(parse, open(a.inp, "rb"))
           if askable(r) and str(r.get("id")) not in skipped]
    errors = []
    out = []
    for no, line in enumerate(open(a.out, encoding="utf-8"), 1):
        try:
            out.append(json.loads(line))
        except ValueError as e:
            errors.append("%s:%d: not JSON: %s" % (a.out, no, e))
    want_ids = [r.get("id") for r in inp]
    got_ids = [r.get("id") for r in out]
    if want_ids != got_ids:
        errors.append("ids differ: expected %s..., got %s..." %
                      (want_ids[:10], got_ids[:10]))
    nf = 0
    for want, got in zip(inp, out):
        rid = str(want.get("id"))
        for k, v in want.items():
            if k in ("responses", "finish_reasons", "usage", "ask_error",
                     "request_usage"):
                continue
            if got.get(k) != v:
                errors.append("%s: field %s changed" % (rid, k))
        if rid in failed:
            nf += 1
            e = got.get("ask_error")
            if not isinstance(e, dict) or not isinstance(e.get("message"), str) \
                    or not isinstance(e.get("attempts"), int) \
                    or not (e.get("status") is None or isinstance(e.get("status"), int)):
                errors.append("%s: no proper ask_error: %s" % (rid, e))
            for k in ("responses", "finish_reasons", "usage",
                      "request_usage"):
                if k in got:
                    errors.append("%s: failed record has %s" % (rid, k))
            continue
        if "ask_error" in got:
            errors.append("%s: unexpected ask_error %s" % (rid, got["ask_error"]))
            continue
        responses, usage, each = expected_answers(prompt_of(want), a.n, npr)
        if got.get("responses") != responses:
            errors.append("%s: responses %s, expected %s" %
                          (rid, got.get("responses"), responses))
        if got.get("finish_reasons") != ["stop"] * a.n:
            errors.append("%s: finish_reasons %s" % (rid, got.get("finish_reasons")))
        if got.get("usage") != usage:
            errors.append("%s: usage %s, expected %s" % (rid, got.get("usage"), usage))
        if got.get("request_usage") != each:
            errors.append("%s: request_usage %s, expected %s" %
                          (rid, got.get("request_usage"), each))
    if nf != len(failed):
        errors.append("expected %d failed records, found %d in the output" %
                      (len(failed), nf))
    if errors:
        for e in errors[:20]:
            print(e)
        return 1
    print("ok: %d records, %d answered, %d failed" % (len(out), len(out) - nf, nf))
    return 0


if __name__ == "__main__":
    sys.exit(main())
