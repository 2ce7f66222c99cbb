#!/bin/sh
# bench/json.sh - JSON speed, as ratios to references run in the same
# command on the same input:
#
#  1. kc_json_parse / kc_json_dump against json_loadb / json_dumps, in MB/s
#     of JSON text, on records with ~130 KB of passage text (what a 32K
#     record carries) and on the real dataset records;
#  2. kc-import on a large HotpotQA-format array (the real records again
#     and again with new ids, like the 550 MB train file) against python3's
#     json.load of the same file: MB/s and peak memory (RSS).
#
#   bench/run json                      (or: sh bench/json.sh)
#   KC_BENCH_MB=550 bench/run json      the size of the array (default 200)
set -eu
cd "$(dirname "$0")/.."
: "${KC_BUILD:=build}"
: "${KC_BENCH_MB:=200}"
data=${KC_DATA:-../shared/data/real}
[ -d "$data" ] || data=examples/data
pkgs="jansson libutf8proc libcurl uuid"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -std=c11 -D_GNU_SOURCE -Ilib $(pkg-config --cflags $pkgs) \
	-o "$tmp/json-bench" bench/json-bench.c "$KC_BUILD/lib/libkc.a" \
	$(pkg-config --libs $pkgs) -lm -lpthread

# 200 records of ~130 KB of text; every real record, one per line
"$tmp/json-bench" gen 200 130000 >"$tmp/long-130k.jsonl"
python3 - "$data" "$tmp/real.jsonl" <<'EOF'
import glob, json, sys
out = open(sys.argv[2], 'w', encoding='utf-8')
for f in sorted(glob.glob(sys.argv[1] + '/*/*.json*')):
    text = open(f, encoding='utf-8').read()
    items = json.loads(text) if text.lstrip().startswith('[') else \
        [json.loads(l) for l in text.splitlines() if l.strip()]
    for x in items:
        if isinstance(x, dict) and ('context' in x or 'paragraphs' in x):
            out.write(json.dumps(x, ensure_ascii=False) + '\n')
EOF
(cd "$tmp" && nice ./json-bench long-130k.jsonl real.jsonl)

# A HotpotQA-format array of KC_BENCH_MB MB, compact like the real file.
python3 - "$data" "$KC_BENCH_MB" "$tmp/big.json" <<'EOF'
import glob, json, sys
recs = []
for f in sorted(glob.glob(sys.argv[1] + '/hotpotqa/*.json')):
    recs += json.load(open(f, encoding='utf-8'))
target = int(sys.argv[2]) * 1000000
with open(sys.argv[3], 'w', encoding='utf-8') as out:
    out.write('[')
    n = size = 0
    while size < target:
        x = dict(recs[n % len(recs)])
        x['_id'] = '%s%08d' % (x['_id'][:16], n)
        s = json.dumps(x, ensure_ascii=False, separators=(',', ':'))
        out.write(',' + s if n else s)
        size += len(s.encode()) + 1
        n += 1
    out.write(']')
EOF

python3 - "$KC_BUILD/bin/kc-import" "$tmp/big.json" "$tmp/json-bench" <<'EOF'
import os, subprocess, sys, time
imp, big, jb = sys.argv[1:4]
mb = os.path.getsize(big) / 1e6

def run(cmd):
    """Best of two runs, in seconds, and the peak RSS in MB (measured by
    json-bench rss, a small parent)."""
    best = None
    for _ in range(2):
        t0 = time.monotonic()
        p = subprocess.run(['nice'] + cmd, stdout=subprocess.DEVNULL)
        t = time.monotonic() - t0
        if p.returncode:
            sys.exit('%s: exit %d' % (cmd[0], p.returncode))
        best = t if best is None else min(best, t)
    kb = subprocess.run([jb, 'rss'] + cmd, capture_output=True, text=True,
                        check=True).stdout
    return best, int(kb) / 1024

subprocess.run(['cat', big], stdout=subprocess.DEVNULL)   # warm the cache
t_cat, _ = run(['cat', big])
t_py, rss_py = run([sys.executable, '-c',
                    'import json,sys; json.load(open(sys.argv[1]))', big])
t_kc, rss_kc = run([imp, '-q', big])
n = subprocess.run([imp, '-q', big], capture_output=True).stdout.count(b'\n')
print('big.json: %.0f MB HotpotQA-format array, %d records' % (mb, n))
print('  cat                 %7.1f MB/s' % (mb / t_cat))
print('  python3 json.load   %7.1f MB/s   peak RSS %7.1f MB' % (mb / t_py, rss_py))
print('  kc-import           %7.1f MB/s   peak RSS %7.1f MB   x%.1f python3'
      % (mb / t_kc, rss_kc, t_py / t_kc))
EOF
