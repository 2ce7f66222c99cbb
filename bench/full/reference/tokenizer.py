"""Stands in for the reference's tokenizer.py when bench-full runs it.

The reference builds `transformers.AutoTokenizer.from_pretrained(
"Qwen/Qwen2.5-7B-Instruct")` and counts `len(tokenizer.tokenize(text))`.
transformers is not installable here (no PyPI), so the count comes from
the same Rust engine transformers' fast tokenizer wraps, Hugging Face's
`tokenizers` (official napi build, npm), with the same Qwen
tokenizer.json, in a node process across a pipe (count.js).  Counts are
exact; the time differs from the real one by the pipe and by not
building Python strings for the tokens.
"""
import os
import struct
import subprocess

_HERE = os.path.dirname(os.path.abspath(__file__))
BRIDGES = []


class QwenBridge:
    def __init__(self):
        self.proc = subprocess.Popen(
            ["node", os.path.join(_HERE, "count.js"),
             os.environ["KC_REF_TOKENIZER"]],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        BRIDGES.append(self)

    def text_to_tokens(self, text):
        data = text.encode("utf-8", "surrogatepass")
        self.proc.stdin.write(struct.pack("<I", len(data)) + data)
        self.proc.stdin.flush()
        n = struct.unpack("<I", self.proc.stdout.read(4))[0]
        return range(n)     # the reference only takes len()


def select_tokenizer(tokenizer_type, tokenizer_path):
    return QwenBridge()


def bridge_cpu():
    """CPU seconds the node processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for b in BRIDGES:
        with open("/proc/%d/stat" % b.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick
    return total
