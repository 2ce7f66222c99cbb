#!/usr/bin/env python3
"""Compare kc's per-code-point text properties with the running Python.

Reads the output of `test-judge --dump-unicode` on stdin: one line per code
point, "CP FLAGS LOWER...", all in hex except FLAGS (decimal KC_UNI_* bits),
and checks each against what CPython itself does:

  lower       chr(cp).lower()                       (str.lower)
  word  0x01  re.match(r'\\w', c)                   (re's Unicode \\w)
  space 0x02  c.isspace(), which must equal re's \\s (str.split)
  cased 0x04  whether c before a final 'Σ' makes it 'ς'  (Final_Sigma)
  ign   0x08  whether c between a cased letter and 'Σ' is looked past
  loong 0x10  LoongRL's normalize_text character class

Cased and Case_Ignorable are not exposed by Python; they are measured
through str.lower() itself, which is what matters.  Cased is only
compared for characters that are not case-ignorable (for those the
final-sigma scan never asks).

A difference is allowed only where Python's own Unicode database says the
code point is unassigned (category Cn: Python 3.11 carries Unicode 14,
utf8proc 15); everything else fails.  Prints a summary line.
"""
import re
import sys
import unicodedata
import warnings

WORD = re.compile(r"\w")
SPACE = re.compile(r"\s")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    # Re-typed from LoongRL verl/utils/reward_score/longcontext_qa.py,
    # normalize_text(): the same (non-raw) string literal.
    LOONG = re.compile("[,.:\"'\[\]\-=\+\\|!@#$%^&*();<>?/！￥…（）—\{\}：”“《》？]")


def ignorable(c):
    if c.islower() or c.isupper() or c.istitle():
        return ("1" + c + "Σ").lower()[-1] == "σ"
    return ("A" + c + "Σ").lower()[-1] == "ς"


def cased(c):
    return (c + "Σ").lower()[-1] == "ς"


def props(c):
    f = 0
    if WORD.match(c):
        f |= 0x01
    sp = c.isspace()
    if sp != bool(SPACE.match(c)):
        raise SystemExit("isspace and \\s disagree on U+%04X" % ord(c))
    if sp:
        f |= 0x02
    ig = ignorable(c)
    if ig:
        f |= 0x08
    elif cased(c):
        f |= 0x04
    if LOONG.match(c):
        f |= 0x10
    return f


def main():
    seen = bad = allowed = 0
    allowed_examples = []
    for line in sys.stdin:
        parts = line.split()
        cp = int(parts[0], 16)
        flags = int(parts[1])
        low = "".join(chr(int(x, 16)) for x in parts[2:])
        c = chr(cp)
        want_low = c.lower()
        want_flags = props(c)
        if flags & 0x08:
            flags &= ~0x04
        seen += 1
        if (low, flags) == (want_low, want_flags):
            continue
        if unicodedata.category(c) == "Cn":
            allowed += 1
            if len(allowed_examples) < 5:
                allowed_examples.append("U+%04X" % cp)
            continue
        bad += 1
        if bad <= 20:
            print("U+%04X %s: kc flags %#x lower %r, python flags %#x lower %r"
                  % (cp, unicodedata.name(c, "?"), flags, low, want_flags,
                     want_low))
    print("unicode: %d code points, %d differ where Python %s has them "
          "unassigned (e.g. %s), %d other differences"
          % (seen, allowed, unicodedata.unidata_version,
             " ".join(allowed_examples), bad))
    expected = 0x110000 - 0x800
    if seen != expected:
        print("expected %d code points, got %d" % (expected, seen))
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
