#!/usr/bin/env python3
"""hostile.py KC_PARQUET FILE.parquet - every byte of FILE changed (to
0xff, and its low bit flipped), and FILE cut at every fifth length and
each of the last 24, read with kc-parquet -d: each run must end with exit 0
(the change fell on a value) or 1 with a "kc-parquet: FILE: ..." line,
never a crash, a sanitizer report or another status.

Prints "N runs: A read, B refused" and the refusals by message (numbers
aside); exits 1 on the first run that breaks the rule, saving its input
as hostile-fail.parquet.
"""
import collections
import os
import re
import subprocess
import sys

env = dict(os.environ)
# a sanitizer's report must not look like a clean refusal (exit 1)
env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":exitcode=99"
env["UBSAN_OPTIONS"] = "halt_on_error=1:exitcode=99"


def run(tool, data, why, tally):
    with open("hostile.parquet", "wb") as f:
        f.write(data)
    p = subprocess.run([tool, "-d", "hostile.parquet"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=env, timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    ok = p.returncode == 0 or (
        p.returncode == 1 and err.startswith("kc-parquet: hostile.parquet: "))
    if not ok:
        os.replace("hostile.parquet", "hostile-fail.parquet")
        print(f"hostile.py: {why}: exit {p.returncode}: {err[:500]}", file=sys.stderr)
        sys.exit(1)
    if p.returncode == 1:
        msg = err.splitlines()[0][len("kc-parquet: hostile.parquet: "):]
        tally[re.sub(r"\d+", "N", msg)] += 1
    return p.returncode


def main():
    tool, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    tally = collections.Counter()
    runs = read = 0
    for i in range(len(data)):
        for new in {0xff, data[i] ^ 0x01}:
            if new == data[i]:
                continue
            runs += 1
            read += run(tool, data[:i] + bytes([new]) + data[i + 1:],
                        f"byte {i} set to {new:#x}", tally) == 0
    for n in sorted(set(range(0, len(data), 5)) | set(range(len(data) - 24, len(data)))):
        runs += 1
        read += run(tool, data[:n], f"cut to {n} bytes", tally) == 0
    print(f"{runs} runs: {read} read, {runs - read} refused")
    for msg, n in tally.most_common():
        print(f"{n:6d}  {msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
