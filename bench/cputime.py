"""bench/cputime.py - the CPU time of a command, for the benches that
compare kc with references in the same run (verify.sh, readers.sh,
parquet.sh): user + system seconds of the child, the best of `runs`, so
that other load on the machine counts little."""
import resource
import subprocess
import sys


def cpu(cmd, runs, stdin=None, stdout=subprocess.DEVNULL, ok=(0,)):
    """Best CPU seconds of cmd (stdin, stdout: file names or None);
    an exit status outside `ok` ends the bench with cmd's error."""
    best = None
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
        fout = open(stdout, "wb") if isinstance(stdout, str) else stdout
        p = subprocess.run(cmd, stdin=fin, stdout=fout, stderr=subprocess.PIPE)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in ok:
            sys.exit("%s: exit %d: %s" % (cmd[0], p.returncode,
                                         p.stderr.decode()[:300]))
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = t if best is None else min(best, t)
    return max(best, 1e-6)
