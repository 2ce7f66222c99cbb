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
: "${KC_BUILD:=build}"
BIN=$KC_BUILD/bin
DATA=${KC_DATA:-../shared/data/real}
N=${KC_BENCH_RECORDS:-1000}
LEN=${KC_BENCH_LENGTH:-32k}
R=${KC_BENCH_RUNS:-3}
W=$KC_BUILD/bench
mkdir -p "$W"
export PATH="$BIN:$PATH"
out=$W/verify-verl-$LEN-$N.jsonl
BIN=$BIN DATA=$DATA N=$N LEN=$LEN W=$W bench/records

python3 - "$R" "$out" <<'PY'
import os, resource, subprocess, sys

runs, out = int(sys.argv[1]), sys.argv[2]
records = sum(1 for _ in open(out))
mb = os.path.getsize(out) / 1e6

def cpu(cmd):
    """Best CPU time (user + system) of cmd over the runs."""
    best = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(out, "rb") as f:
            p = subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in (0, 1):
            sys.exit("%s: exit %d: %s" % (cmd[0], p.returncode,
                                         p.stderr.decode()[:300]))
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = t if best is None else min(best, t)
    return max(best, 1e-6)

verify = cpu(["kc-verify", "-q"])
pyjson = cpu(["python3", "-c",
              "import json, sys\nfor l in sys.stdin: json.loads(l)"])
for tool, label in (("kc-audit", "kc-audit (all solvers)"),
                    ("kc-stats", "kc-stats")):
    t = cpu([tool])
    print("%s on %d verl records (%.1f MB), CPU seconds, best of %d"
          % (tool, records, mb, runs))
    for name, x in ((label, t), ("kc-verify", verify),
                    ("python3 json.loads", pyjson)):
        print("  %-24s %7.3f s  %8.1f records/s  %6.1f MB/s"
              % (name, x, records / x, mb / x))
    print("  ratio %s / kc-verify     %.2f" % (tool, t / verify))
    print("  ratio %s / json.loads    %.2f" % (tool, t / pyjson))
PY
