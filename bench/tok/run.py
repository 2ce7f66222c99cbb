#!/usr/bin/env python3
"""bench/tok/run.py - kc-tok against the reference tokenizers, single thread.

Called by bench/tok.sh (which installs the reference first).  For each
tokenizer, on the golden corpus (tests/tok/corpus) less the documents the
tiktoken reference cannot finish (flag long-pretoken), so every row is
measured on the same text:

  reference  node tests/tok/ref.js ENGINE FILE bench: one encode call per
             document, timed inside node around the calls only (no node
             start-up, no tokenizer load, no file reading).  The napi build
             encodes one text on one thread (its CPU time equals its wall
             time on an idle machine); RAYON_NUM_THREADS=1 and taskset -c 0
             make sure of it.
  kc-tok     `taskset -c 0 kc-tok -t FILE --raw [--ids] DOC... >/dev/null`,
             timed from outside, minus the same command on one empty
             document (start-up and tokenizer load); with --ids (the same
             work as the reference: ids) and without (counts).

Both are measured as CPU time (user + system) and as wall time.  The
ratio uses CPU time: the machine is shared, and another process's load
stretches wall time by whatever share it takes at that moment, while CPU
time stays closer to what the work costs on one core.  Even CPU time
varies with the neighbours' load (shared caches, SMT), so the passes of
the reference and of kc-tok are interleaved, KC_BENCH_REPEAT (3) of each,
and each figure is the fastest pass (the least disturbed one).  MB = 10^6 bytes of the documents; tokens per
second count the reference's tokens.  Then the load time and peak RSS
(/usr/bin/time -f '%M %e') of a process that loads the Qwen tokenizer and
encodes nothing: kc-tok, and node with the reference.

Exit status 1 when kc-tok is not built (the reference is still measured).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.normpath(os.path.join(os.path.dirname(
    os.path.abspath(__file__)), '..', '..'))
TOKENIZERS = [('qwen', 'qwen/tokenizer.json', 'hf'),
              ('llama3', 'llama3/tokenizer.json', 'hf'),
              ('cl100k', 'cl100k.tiktoken', 'tiktoken'),
              ('o200k', 'o200k.tiktoken', 'tiktoken')]
LABELS = {'hf': 'tokenizers 0.23.2 (Rust)',
          'tiktoken': 'tiktoken 1.0.22 (Rust/WASM)'}
SKIP = 'long-pretoken'


def build_dir():
    b = os.environ.get('KC_BUILD', 'build')
    return b if os.path.isabs(b) else os.path.join(TOP, b)


def pin():
    """The command prefix that keeps a process on one CPU."""
    return ['taskset', '-c', '0'] if shutil.which('taskset') else []


def ref_bench(engine, tokfile, corpus, repeat=1):
    """(bytes, tokens, cpu seconds, wall seconds) of the reference."""
    env = dict(os.environ, RAYON_NUM_THREADS='1')
    out = subprocess.run(pin() + ['node', os.path.join(TOP, 'tests', 'tok',
                                                       'ref.js'),
                                  engine, tokfile, 'bench', corpus, '--skip',
                                  SKIP, '--repeat', str(repeat)],
                         env=env, check=True, capture_output=True,
                         text=True).stdout
    r = json.loads(out)
    return r['bytes'], r['tokens'], min(r['cpu_s']), min(r['encode_s'])


def run_timed(cmd, cwd):
    """(cpu seconds, wall seconds) of one run of cmd."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit('bench: %s failed with status %d'
                         % (' '.join(cmd[:6]), p.returncode))
    return ru.ru_utime + ru.ru_stime, wall


def kc_bench(kctok, tokfile, corpus, docs, ids):
    """(cpu, wall) seconds of one pass of encoding, less start-up and
    load (the same command on an empty document)."""
    base = pin() + [kctok, '-t', tokfile, '--raw'] + (['--ids'] if ids
                                                       else [])
    with tempfile.NamedTemporaryFile() as empty:
        c0, w0 = run_timed(base + [empty.name], corpus)
        c1, w1 = run_timed(base + docs, corpus)
    return max(c1 - c0, 1e-6), max(w1 - w0, 1e-6)


def rss(cmd):
    """(peak RSS in MB, seconds) of a command, by /usr/bin/time."""
    if not os.path.exists('/usr/bin/time'):
        return None
    p = subprocess.run(['/usr/bin/time', '-f', '%M %e'] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    kb, secs = p.stderr.strip().split('\n')[-1].split()
    return int(kb) / 1024, float(secs)


def row(name, label, nbytes, ntok, cpu, wall, ratio=''):
    print('%-7s %-27s %8.2f %8.2f %8.2f %9.2f %8s' % (
        name, label, nbytes / 1e6 / cpu, ntok / 1e6 / cpu, cpu,
        nbytes / 1e6 / wall, ratio))


def main():
    repeat = int(os.environ.get('KC_BENCH_REPEAT', '3'))
    only = os.environ.get('KC_BENCH_TOK', '').split()
    build = build_dir()
    tokdir = os.path.join(build, 'share', 'kc', 'tokenizers')
    kctok = os.path.join(build, 'bin', 'kc-tok')
    have_kc = os.access(kctok, os.X_OK)
    corpus = subprocess.run([os.path.join(TOP, 'tests', 'tok', 'corpus')],
                            check=True, capture_output=True,
                            text=True).stdout.strip()
    docs = []
    with open(os.path.join(corpus, 'MANIFEST')) as f:
        for line in f:
            name, _, _, flags = line.rstrip('\n').split('\t')
            if SKIP not in flags.split(','):
                docs.append(name)
    print('corpus: %d documents of %s (without %s ones); single thread%s; '
          'fastest of %d passes' % (len(docs), corpus, SKIP,
                                   ' (taskset -c 0)' if pin() else '',
                                   repeat))
    print('%-7s %-27s %8s %8s %8s %9s %8s' % (
        '', 'engine', 'MB/s', 'Mtok/s', 'cpu s', 'wall MB/s', 'ratio'))
    for name, rel, engine in TOKENIZERS:
        if only and name not in only:
            continue
        tokfile = os.path.join(tokdir, rel)
        ref, ids, count = [], [], []
        for _ in range(repeat):
            nbytes, ntok, c, w = ref_bench(engine, tokfile, corpus)
            ref.append((c, w))
            if have_kc:
                ids.append(kc_bench(kctok, tokfile, corpus, docs, True))
                count.append(kc_bench(kctok, tokfile, corpus, docs, False))
        rcpu = min(c for c, _ in ref)
        row(name, LABELS[engine], nbytes, ntok, rcpu, min(w for _, w in ref))
        for label, runs in (('kc-tok --ids', ids), ('kc-tok (count)', count)):
            if runs:
                cpu = min(c for c, _ in runs)
                row(name, label, nbytes, ntok, cpu, min(w for _, w in runs),
                    '%.2fx' % (rcpu / cpu))
        sys.stdout.flush()

    qwen = os.path.join(tokdir, 'qwen', 'tokenizer.json')
    mods = os.path.join(TOP, '.cache', 'tokref', 'node_modules', 'tokenizers')
    node_base = rss(['node', '-e', ''])
    node_ref = rss(['node', '-e', 'require(%s).Tokenizer.fromFile(%s)' % (
        json.dumps(mods), json.dumps(qwen))])
    if node_ref:
        print('load qwen: reference (node + Tokenizer.fromFile) %.2f s, '
              '%.0f MB peak RSS (node alone %.2f s, %.0f MB)' % (
                  node_ref[1], node_ref[0], node_base[1], node_base[0]))
    if not have_kc:
        print('kc-tok: not built (%s); reference only' % kctok)
        return 1
    with tempfile.NamedTemporaryFile() as empty:
        ours = rss([kctok, '-t', qwen, '--raw', empty.name])
        cpu, wall = run_timed([kctok, '-t', qwen, '--raw', empty.name], None)
    if ours:
        print('load qwen: kc-tok %.2f s, %.0f MB peak RSS (cpu %.3f s, '
              'wall %.3f s)' % (ours[1], ours[0], cpu, wall))
    return 0


if __name__ == '__main__':
    sys.exit(main())
