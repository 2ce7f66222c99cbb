#!/usr/bin/env python3
"""Print the EXAMPLES blocks of an mdoc page as shell text.

Usage: man-examples.py PAGE WORD

Prints, unescaped ("\\e" is a backslash), every ".Bd -literal" block of
the EXAMPLES section that contains WORD, so a test can run the very
pipelines the manual shows.
"""
import sys

page, word = sys.argv[1], sys.argv[2]
in_ex = in_bd = False
block = []
for line in open(page, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith(".Sh "):
        in_ex = line == ".Sh EXAMPLES"
        continue
    if not in_ex:
        continue
    if line.startswith(".Bd -literal"):
        in_bd, block = True, []
    elif line.startswith(".Ed"):
        in_bd = False
        text = "\n".join(block).replace("\\e", "\\")
        if word in text:
            print(text)
    elif in_bd:
        block.append(line)
