"""Stands in for tqdm when bench-full runs the reference: no progress bar,
and the wall and CPU time of the per-sample loop (the one loop each
script wraps in tqdm), the tokenizer's node process included, written as
JSON to $KC_REF_TIMES, so that the reference's one-time start-up (loading
the dataset, sizing the context) is reported apart from its rate.
"""
import json
import os
import time

import tokenizer


def tqdm(iterable, *args, **kwargs):
    n = 0
    w0, c0, b0 = time.perf_counter(), time.process_time(), tokenizer.bridge_cpu()
    for item in iterable:
        n += 1
        yield item
    rec = {"n": n, "wall": time.perf_counter() - w0,
           "cpu": time.process_time() - c0,
           "tokenizer_cpu": tokenizer.bridge_cpu() - b0}
    with open(os.environ["KC_REF_TIMES"], "w") as f:
        json.dump(rec, f)
