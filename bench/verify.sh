#!/bin/sh
# bench/verify.sh - kc-verify's speed, as ratios to references run in the
# same command on the same records:
#
#  1. kc-tok counting the same prompts: the floor, since every prompt must
#     be parsed and counted exactly; the ratio is what the structural
#     checks (pairs, chain, placement, keys, own passages) cost on top.
#  2. kc-render writing the same records from the chained input: the
#     producer; verifying should cost no more than producing.
#  3. python3 reading the same lines with json.loads: a parse-only floor
#     outside our code.
#
# The records: the real HotpotQA samples, repeated under new ids to N,
# filled at LEN, chained and rendered as verl (made once, kept in
# $KC_BUILD/bench).  Times are CPU seconds (user + system) of the child,
# best of R runs, so that other load on the machine counts little.
set -eu
cd "$(dirname "$0")/.."
. bench/records

python3 - "$R" "$out" "$chained" <<'PY'
import os, subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "bench")
from cputime import cpu

runs, out, chained = int(sys.argv[1]), sys.argv[2], sys.argv[3]
records = sum(1 for _ in open(out))
mb = os.path.getsize(out) / 1e6

check = subprocess.run(["kc-verify", "-q", out], capture_output=True,
                       text=True)
verify = cpu(["kc-verify", "-q"], runs, out, ok=(0, 1))
verify_chained = cpu(["kc-verify", "-q"], runs, chained, ok=(0, 1))
tok = cpu(["kc-tok"], runs, out, ok=(0, 1))
render = cpu(["kc-render", "-f", "verl"], runs, chained, ok=(0, 1))
pyjson = cpu(["python3", "-c",
              "import json, sys\nfor l in sys.stdin: json.loads(l)"], runs, out)

print("verify  kc-verify on %d verl records (%.1f MB), CPU seconds, best of %d"
      % (records, mb, runs))
print("  summary: " + check.stdout.splitlines()[0])
cmb = os.path.getsize(chained) / 1e6
for name, t, size in (("kc-verify", verify, mb),
                      ("kc-verify, chained input", verify_chained, cmb),
                      ("kc-tok (count only)", tok, mb),
                      ("kc-render (producer)", render, cmb),
                      ("python3 json.loads", pyjson, mb)):
    print("  %-26s %7.3f s  %8.1f records/s  %6.1f MB/s of its input"
          % (name, t, records / t, size / t))
print("  ratio kc-verify / kc-tok       %.2f" % (verify / tok))
print("  ratio kc-verify / kc-render    %.2f" % (verify / render))
print("  ratio kc-verify / json.loads   %.2f" % (verify / pyjson))
PY
