#!/usr/bin/env python3
"""Print an expression of each JSON line: jget.py 'r["judge"]["n"]' < f.

For the shell tests: `r` is the record; strings print as they are, other
values as compact JSON.  Standard library only.
"""
import json
import sys

expr = compile(sys.argv[1], "expr", "eval")
for line in sys.stdin:
    if not line.strip():
        continue
    r = json.loads(line)
    v = eval(expr, {"r": r, "json": json})
    print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False,
                                                  separators=(",", ":")))
