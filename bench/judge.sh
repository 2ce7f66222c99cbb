#!/bin/sh
# bench/judge.sh - kc-judge's speed as ratios to reference runs in the
# same command, in CPU seconds (user + system, the best of 3 runs: the
# machine is shared, so wall time says little):
#  1. records/s on the R1-Searcher generations (both files, repeated):
#     kc-judge against the re-typed Python reference (tests/judge/
#     reference.py) doing the same job (read each record, score it with
#     the same rule, write it back with the scores added); and kc-filter
#     passing the records through, which is the JSON reading and writing
#     alone, so the cost of the judging itself shows;
#  2. the cost of 10 MB responses against 1 MB ones (10x means linear).
set -u
cd "$(dirname "$0")/.." || exit 2
: "${KC_BUILD:=build}"
BIN=$KC_BUILD/bin
DATA=${KC_DATA:-../shared/data/real}/predictions
J=tests/judge
REPEAT=${REPEAT:-4}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cpu IN OUT CMD...: the best CPU time of 3 runs of CMD <IN >OUT
cpu() {
	python3 - "$@" <<'PY'
import resource, subprocess, sys
inp, out, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
best = None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(inp, "rb") as i, open(out, "wb") as o:
        if subprocess.run(cmd, stdin=i, stdout=o).returncode:
            sys.exit("failed: " + " ".join(cmd))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = t if best is None else min(best, t)
print("%.4f" % best)
PY
}
div() { echo "$1 / $2" | bc -l; }

for f in "$DATA"/r1searcher__*_qwen.jsonl; do
	python3 "$J/real-data.py" r1 "$f"
done >"$tmp/one.jsonl" || exit 2
i=0
while [ $i -lt "$REPEAT" ]; do cat "$tmp/one.jsonl"; i=$((i + 1)); done >"$tmp/in.jsonl"
n=$(wc -l <"$tmp/in.jsonl")
mb=$(div "$(wc -c <"$tmp/in.jsonl")" 1048576)
cat >"$tmp/ref.py" <<PY
import json, sys
sys.path.insert(0, "$J")
from reference import score
for line in sys.stdin:
    rec = json.loads(line)
    rec["judge"] = {"responses": [score(r, rec["answers"], "answer-tag", False)
                                  for r in rec["responses"]]}
    sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
PY

kc=$(cpu "$tmp/in.jsonl" "$tmp/kc.jsonl" "$BIN/kc-judge" -e answer-tag) || exit 1
py=$(cpu "$tmp/in.jsonl" "$tmp/ref.jsonl" python3 "$tmp/ref.py") || exit 1
io=$(cpu "$tmp/in.jsonl" /dev/null "$BIN/kc-filter") || exit 1
cat >"$tmp/io.py" <<PY
import json, sys
for line in sys.stdin:
    sys.stdout.write(json.dumps(json.loads(line), ensure_ascii=False) + "\n")
PY
pyio=$(cpu "$tmp/in.jsonl" /dev/null python3 "$tmp/io.py") || exit 1
python3 -c "
import json, sys
a = [json.loads(l)['judge']['responses'] for l in open(sys.argv[1])]
b = [json.loads(l)['judge']['responses'] for l in open(sys.argv[2])]
sys.exit(a != b)" "$tmp/ref.jsonl" "$tmp/kc.jsonl" ||
	{ echo "judge: kc-judge and the reference disagree"; exit 1; }
printf 'judge: %d records (%.1f MB) of R1-Searcher generations, answer-tag, CPU s\n' "$n" "$mb"
printf '  kc-judge   %7.3f s  %8.0f records/s  %6.1f MB/s\n' "$kc" "$(div "$n" "$kc")" "$(div "$mb" "$kc")"
printf '  reference  %7.3f s  %8.0f records/s  %6.1f MB/s\n' "$py" "$(div "$n" "$py")" "$(div "$mb" "$py")"
printf '  kc-filter  %7.3f s  (the same records read and written, not judged)\n' "$io"
printf '  python io  %7.3f s  (json.loads and json.dumps of the same records)\n' "$pyio"
printf '  ratio      %7.1fx the records/s of the Python reference\n' "$(div "$py" "$kc")"
printf '  judging    %7.3f s  against %.3f s for the reference: %.1fx; JSON in and out is %.0f%% of kc-judge'"'"'s time\n' \
	"$(echo "$kc - $io" | bc -l)" "$(echo "$py - $pyio" | bc -l)" \
	"$(echo "($py - $pyio) / ($kc - $io)" | bc -l)" "$(echo "100 * $io / $kc" | bc -l)"

for size in 1 10; do
	python3 -c "
import json
n = $size << 20
pat = '{\\\\boxe{d}\u03a3 the \u03a3\'a <answer> '
s = (pat * (n // len(pat) + 1))[:n] + '\\\\boxed{Paris}'
print(json.dumps({'answers': ['Paris'], 'responses': [s] * 4}))" >"$tmp/big$size.jsonl"
	t=0
	for e in auto boxed answer-is answer-line answer-tag; do
		x=$(cpu "$tmp/big$size.jsonl" /dev/null "$BIN/kc-judge" -e $e) || exit 1
		t=$(echo "$t + $x" | bc -l)
	done
	eval "big$size=$t"
done
printf 'judge: 4 responses x 5 rules: 1 MB each %.3f s, 10 MB each %.3f s: %.1fx the time for 10x the text\n' \
	"$big1" "$big10" "$(div "$big10" "$big1")"
