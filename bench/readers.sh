#!/bin/sh
# bench/readers.sh - the speed of the tools that only read rendered
# records, kc-audit and kc-stats, as ratios to references run in the
# same command on the same records (bench/records: the real HotpotQA
# samples to N records at LEN, rendered as verl):
#
#  1. kc-verify on the same file: each should cost no more than proving
#     the records sound (issues 8 and 11);
#  2. python3 reading the same lines with json.loads: a parse-only floor
#     outside our code.
#
# Times are CPU seconds (user + system) of the child, best of R runs.
set -eu
cd "$(dirname "$0")/.."
. bench/records

python3 - "$R" "$out" <<'PY'
import os, subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "bench")
from cputime import cpu

runs, out = int(sys.argv[1]), sys.argv[2]
records = sum(1 for _ in open(out))
mb = os.path.getsize(out) / 1e6

verify = cpu(["kc-verify", "-q"], runs, out, ok=(0, 1))
pyjson = cpu(["python3", "-c",
              "import json, sys\nfor l in sys.stdin: json.loads(l)"], runs, out)
for tool, label in (("kc-audit", "kc-audit (all solvers)"),
                    ("kc-stats", "kc-stats")):
    t = cpu([tool], runs, out, ok=(0, 1))
    print("%s on %d verl records (%.1f MB), CPU seconds, best of %d"
          % (tool, records, mb, runs))
    for name, x in ((label, t), ("kc-verify", verify),
                    ("python3 json.loads", pyjson)):
        print("  %-24s %7.3f s  %8.1f records/s  %6.1f MB/s"
              % (name, x, records / x, mb / x))
    print("  ratio %s / kc-verify     %.2f" % (tool, t / verify))
    print("  ratio %s / json.loads    %.2f" % (tool, t / pyjson))
PY
