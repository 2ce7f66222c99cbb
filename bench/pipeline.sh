#!/bin/sh
# bench/pipeline.sh - kc-fill | kc-chain | kc-render at 32K on a large pool.
#
# The pool: 200,000 passages made from the real samples (bench/make-pool;
# the raw train files are not at hand).  The input: the real HotpotQA
# samples, repeated under new ids to N records.  Reported: records/s and
# MB/s of the pipeline (exact Qwen counts, chains, verl output), its
# start-up (loading the pool) apart, and `cat` of the same output in the
# same run as the I/O ceiling.
set -eu
cd "$(dirname "$0")/.."
: "${KC_BUILD:=build}"
BIN=$KC_BUILD/bin
DATA=${KC_DATA:-../shared/data/real}
N=${KC_BENCH_RECORDS:-6000}
LEN=${KC_BENCH_LENGTH:-32k}
W=$KC_BUILD/bench
mkdir -p "$W"
export PATH="$BIN:$PATH"

[ -s "$W/pool.jsonl" ] || bench/make-pool "$DATA" 20000 >"$W/pool.jsonl"
kc-import "$DATA"/hotpotqa/*.json >"$W/hp.jsonl"
python3 - "$W/hp.jsonl" "$N" >"$W/in.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
for i in range(int(sys.argv[2])):
    r = dict(recs[i % len(recs)])
    r["id"] = "%s-%d" % (r["id"], i)
    print(json.dumps(r))
PY

now() { date +%s.%N; }
cpu() {  # cpu FILE CMD...: run CMD, write its user+sys seconds to FILE
	f=$1
	shift
	/usr/bin/time -f "%U %S" -o "$f" "$@"
}
# kc-fill's count cache: empty for the first run, as on a new machine
KC_COUNTS_DIR=$W/counts
export KC_COUNTS_DIR
rm -rf "$KC_COUNTS_DIR"
t0=$(now)
kc-fill --pool "$W/pool.jsonl" -l "$LEN" </dev/null |
	kc-chain -q "$W/pool.jsonl" | kc-render -f verl >/dev/null
t1=$(now)
cpu "$W/cpu.fill" kc-fill --pool "$W/pool.jsonl" -l "$LEN" <"$W/in.jsonl" |
	cpu "$W/cpu.chain" kc-chain -q "$W/pool.jsonl" |
	cpu "$W/cpu.render" kc-render -f verl >"$W/out.jsonl"
t2=$(now)
cat "$W/out.jsonl" | cat | cat >/dev/null
t3=$(now)
cat "$W/out.jsonl" | cat | cat >/dev/null
t4=$(now)
records=$(wc -l <"$W/out.jsonl")
bytes=$(wc -c <"$W/out.jsonl")
python3 - "$t0" "$t1" "$t2" "$t3" "$t4" "$records" "$bytes" "$LEN" "$W" <<'PY'
import os, sys
t0, t1, t2, t3, t4 = map(float, sys.argv[1:6])
n, b, length, w = int(sys.argv[6]), int(sys.argv[7]), sys.argv[8], sys.argv[9]
start = t1 - t0
run = t2 - t1
cat = t4 - t3
cpu = {}
for stage in ("fill", "chain", "render"):
    u, s = map(float, open(os.path.join(w, "cpu." + stage)).read().split()[-2:])
    cpu[stage] = u + s
total = sum(cpu.values())
bound = n / max(total / 2, max(cpu.values()))
print("pipeline  kc-fill | kc-chain | kc-render -f verl at %s, pool 200,000 passages" % length)
print("  records %d, output %.1f MB; load average %.2f" % (n, b / 1e6, os.getloadavg()[0]))
print("  start-up (pool and tokenizer load) %.2f s; run %.2f s wall" % (start, run))
print("  kc pipeline     %8.1f records/s  %7.1f MB/s (wall, whole run, start-up included)" % (n / run, b / 1e6 / run))
print("  cat | cat | cat %8.1f records/s  %7.1f MB/s (I/O ceiling, same output)" % (n / cat, b / 1e6 / cat))
print("  ratio kc / cat  %.3f" % ((n / run) / (n / cat)))
print("  CPU per record: fill %.2f ms, chain %.2f ms, render %.2f ms (start-up included)"
      % tuple(1000 * cpu[k] / n for k in ("fill", "chain", "render")))
print("  two idle cores could run %.0f records/s (total CPU / 2, or the slowest stage)" % bound)
PY
kc-verify -q "$W/out.jsonl" 2>/dev/null | tail -3 || true

# The same run again: kc-fill reads the passage counts the first one kept.
w0=$(now)
cpu "$W/cpu.fill" kc-fill --pool "$W/pool.jsonl" -l "$LEN" <"$W/in.jsonl" |
	cpu "$W/cpu.chain" kc-chain -q "$W/pool.jsonl" |
	cpu "$W/cpu.render" kc-render -f verl >"$W/out2.jsonl"
w1=$(now)
cmp -s "$W/out.jsonl" "$W/out2.jsonl" || echo "the second run wrote other records" >&2
python3 - "$w0" "$w1" "$records" "$W" <<'PY'
import os, sys
w0, w1, n, w = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cpu = {}
for stage in ("fill", "chain", "render"):
    u, s = map(float, open(os.path.join(w, "cpu." + stage)).read().split()[-2:])
    cpu[stage] = u + s
bound = n / max(sum(cpu.values()) / 2, max(cpu.values()))
print("again, with the passage counts kept by the first run (the same records)")
print("  kc pipeline     %8.1f records/s (wall, start-up included)" % (n / (w1 - w0)))
print("  CPU per record: fill %.2f ms, chain %.2f ms, render %.2f ms (start-up included)"
      % tuple(1000 * cpu[k] / n for k in ("fill", "chain", "render")))
print("  two idle cores could run %.0f records/s" % bound)
PY
rm -f "$W/out2.jsonl"

# Issue 8: what kc's recipe (every chain end's evidence in the context)
# costs against the reference's, in the same run: CPU of the three stages.
recipe_cpu() {  # recipe_cpu RECIPE: user+sys seconds of the pipeline
	for s in fill chain render; do rm -f "$W/rcpu.$s"; done
	cpu "$W/rcpu.fill" env KC_COUNTS_DIR= kc-fill --recipe "$1" --pool "$W/pool.jsonl" \
		-l "$LEN" <"$W/in.jsonl" |
		cpu "$W/rcpu.chain" kc-chain | cpu "$W/rcpu.render" kc-render -f verl \
		>/dev/null
	cat "$W/rcpu.fill" "$W/rcpu.chain" "$W/rcpu.render" |
		awk '{ t += $1 + $2 } END { print t }'
}
kc=$(recipe_cpu kc)
ref=$(recipe_cpu keychain)
python3 - "$kc" "$ref" "$N" <<'PY'
import sys
kc, ref, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
print("recipes   CPU of the pipeline per record, same input and pool")
print("  --recipe kc (default) %.2f ms, --recipe keychain %.2f ms" % (1000 * kc / n, 1000 * ref / n))
print("  throughput kc / keychain %.2f (issue 8: not below 0.75)" % (ref / kc))
PY
