#!/usr/bin/env python3
"""same.py EXPECTED.jsonl ACTUAL.jsonl - the same records, value for value.

Objects compare without regard to key order (JSON's own rule); numbers by
value (1 == 1.0: a reader may widen an integer to a float); everything else
exactly.  Prints the first difference (record, path, both values) and exits
1 when there is one.

--absent-is-null: a member missing on one side may be null on the other.
Parquet has no absent fields: every row has every column, so a key that
some records lack reads back as null, in kc-parquet -d as in pyarrow,
DuckDB and the rest.
"""
import json
import sys


ABSENT_IS_NULL = False


def diff(a, b, path):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if ABSENT_IS_NULL and (a.get(k, 0) is None and k not in b or
                                   b.get(k, 0) is None and k not in a):
                continue
            if k not in a or k not in b:
                return f"{path}.{k}", a.get(k, "<missing>"), b.get(k, "<missing>")
            d = diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length)", len(a), len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    num = (int, float)
    if isinstance(a, num) and isinstance(b, num) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return None if a == b else (path, a, b)
    return None if type(a) is type(b) and a == b else (path, a, b)


def main():
    global ABSENT_IS_NULL
    if sys.argv[1] == "--absent-is-null":
        ABSENT_IS_NULL = True
        del sys.argv[1]
    with open(sys.argv[1], encoding="utf-8") as f:
        want = [json.loads(l) for l in f if l.strip()]
    with open(sys.argv[2], encoding="utf-8") as f:
        got = [json.loads(l) for l in f if l.strip()]
    if len(want) != len(got):
        print(f"same.py: {len(want)} records expected, {len(got)} read",
              file=sys.stderr)
        return 1
    for i, (a, b) in enumerate(zip(want, got)):
        d = diff(a, b, "")
        if d:
            p, x, y = d
            print(f"same.py: record {i + 1}, field {p or '.'}: expected "
                  f"{json.dumps(x)[:200]}, got {json.dumps(y)[:200]}",
                  file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
