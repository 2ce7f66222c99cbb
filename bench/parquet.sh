#!/bin/sh
# bench/parquet.sh - kc-parquet's speed and the size of its files, against
# references run in the same command on the same records (the 32K verl
# records of bench/records):
#
#  1. writing: MB/s of JSON lines in, as a ratio to `zstd -3` compressing
#     the same file (a codec alone, no parsing, no shredding);
#  2. reading: MB/s of Parquet in and of JSON lines out (kc-parquet -d),
#     as a ratio to `zstd -d` of the zstd -3 file;
#  3. sizes: the Parquet file (zstd, the default), the JSON lines, and
#     the JSON lines through zstd -3.
#
# Times are CPU seconds (user + system) of the child, best of R runs.
set -eu
cd "$(dirname "$0")/.."
. bench/records

python3 - "$R" "$out" "$W" <<'PY'
import os, subprocess, sys
sys.dont_write_bytecode = True
sys.path.insert(0, "bench")
from cputime import cpu

runs, jsonl, w = int(sys.argv[1]), sys.argv[2], sys.argv[3]
pq, zs, back = w + "/bench.parquet", w + "/bench.jsonl.zst", w + "/bench.back"

records = sum(1 for _ in open(jsonl))
mb = os.path.getsize(jsonl) / 1e6
write = cpu(["kc-parquet", "-o", pq, jsonl], runs)
zwrite = cpu(["zstd", "-3", "-q", "-f", "-o", zs, jsonl], runs)
read = cpu(["kc-parquet", "-d", pq], runs, stdout=back)
zread = cpu(["zstd", "-d", "-q", "-c", zs], runs)
same = subprocess.run(["cmp", "-s", jsonl, back]).returncode == 0
pmb, zmb = os.path.getsize(pq) / 1e6, os.path.getsize(zs) / 1e6
print("%d verl records, %.1f MB of JSON lines (%s)" % (records, mb, os.path.basename(jsonl)))
print("write  kc-parquet -o  %7.1f MB/s of JSON in   zstd -3: %7.1f MB/s  ratio %.2f"
      % (mb / write, mb / zwrite, zwrite / write))
print("read   kc-parquet -d  %7.1f MB/s of Parquet, %.1f MB/s of JSON out   zstd -d: %.1f MB/s of JSON  ratio %.2f"
      % (pmb / read, mb / read, mb / zread, zread / read))
print("size   JSON lines %.1f MB   Parquet (zstd) %.1f MB (%.3f)   zstd -3 %.1f MB (%.3f)   Parquet/zstd-3 %.2f"
      % (mb, pmb, pmb / mb, zmb, zmb / mb, pmb / zmb))
print("round trip byte for byte: %s" % ("yes" if same else "no (values same, see t6000)"))
PY
