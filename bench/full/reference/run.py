"""run.py REFERENCE_DIR SCRIPT ARGS... - run one of the reference's
scripts as its shell scripts run it (`python SCRIPT ARGS`), with this
directory's tokenizer.py and tqdm.py found before the reference's own,
and time its main() apart from the module's top level (arguments, the
tokenizer, loading the dataset): written as JSON to $KC_REF_TIMES.main.
The reference's code is not copied or changed.
"""
import json
import os
import runpy
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
ref, script = sys.argv[1], sys.argv[2]
sys.path[:0] = [here, ref]
sys.argv = [script] + sys.argv[3:]
w0, c0 = time.perf_counter(), time.process_time()
module = runpy.run_path(os.path.join(ref, script), run_name="kc_reference")
import tokenizer  # noqa: E402  (the one above, now loaded)
w1, c1, b1 = time.perf_counter(), time.process_time(), tokenizer.bridge_cpu()
module["main"]()
w2, c2, b2 = time.perf_counter(), time.process_time(), tokenizer.bridge_cpu()
for b in tokenizer.BRIDGES:
    b.proc.stdin.close()
    b.proc.wait()
with open(os.environ["KC_REF_TIMES"] + ".main", "w") as f:
    json.dump({"startup_wall": w1 - w0, "startup_cpu": c1 - c0 + b1,
               "main_wall": w2 - w1, "main_cpu": c2 - c1 + b2 - b1}, f)
