#!/usr/bin/env python3
"""Write the judge test set: JSON lines {id, answers, responses}.

Usage: gen-cases.py [SEED]      (default 20251125; output is deterministic)
       gen-cases.py --eight answer-is|boxed [SEED]
                                300 records of 8 responses, for the filters

The generated part draws gold answers from a vocabulary chosen to break a
naive normalizer (Unicode case mapping and final sigma, Unicode \\b and
\\w, non-ASCII white space and punctuation, articles inside words,
punctuation-only answers, yes/no), then writes responses that are
variations of a gold answer (case, articles, punctuation, extra or missing
words, another answer) wrapped in every shape the extractors look for:
\\boxed{} (nested braces, several boxes, "\\boxed x$", \\fbox), </think>,
"The answer is", "Answer:" lines, <answer> tags, long tails and long
answers (the format rewards' limits), asterisks.  The hand-written edge
cases in edge-cases.jsonl are appended after the generated ones.
"""
import json
import os
import random
import sys

WORDS = [
    # ASCII, with articles inside words and in every case
    "Paris", "France", "the", "The", "THE", "a", "A", "an", "An",
    "theatre", "another", "Anna", "atheist", "them", "answer", "ant",
    "Arthur's", "Magazine", "New", "York", "city", "1,000", "3.5", "U.S.",
    "Dr.", "x-ray", "rock'n'roll", "snake_case", "C++", "#1", "100%",
    "yes", "no", "Yes", "No.", "noanswer", "NOANSWER", "unknown",
    # Unicode case mapping
    "İstanbul", "İ", "ΟΔΟΣ", "Σ", "ΣΑΣ", "ΌΣΟΣ", "Σ'", "ΑΣ'Β", "Straße",
    "ǅemal", "ǈ", "Ǆ", "KELVIN", "K", "Å", "Ω", "ﬁne", "ς", "σ", "ΐ",
    "Ⅻ", "ⅻ", "Ⓐ", "🅰", "ª", "º", "ꭰ", "Ꭰ", "ẞ",
    # Unicode \w and \b
    "naïve", "café", "cafe\u0301", "the\u0301", "a\u0308", "東京", "١٢٣",
    "½", "²", "x\u200by", "the\u200b", "ṩ", "ⅰ", "𝔄", "the·an", "ʰthe",
    # white space Python splits on, and what it does not
    "x\u00a0y", "a\u3000b", "p\u2028q", "r\x1cs", "u\x85v", "w\u200bz",
    "\t", "\u2003", "\u180e",
    # punctuation, ASCII and not
    "...", "!!", "—", "“quoted”", "«x»", "¿qué?", "(the)", "[a]", "{an}",
    "\\", "_", "~", "`the`", "'", "－", "。", "、",
]

ANSWERS_EXTRA = ["The The", "A", "the Who", "An Lushan", "yes", "no",
                 "1984", "Ⅻ", "ΟΔΟΣ", "İzmir", "Jean-Luc Picard", ".", ""]


def gold(rng):
    n = rng.choice([1, 1, 2, 2, 3, 4])
    sep = rng.choice([" ", " ", " ", "", "-", "\u00a0", "  "])
    return sep.join(rng.choice(WORDS) for _ in range(n))


def variant(rng, g):
    """A prediction near the gold answer g."""
    k = rng.randrange(12)
    if k == 0:
        return g
    if k == 1:
        return g.upper()
    if k == 2:
        return g.lower()
    if k == 3:
        return rng.choice(["The ", "the ", "A ", "an "]) + g
    if k == 4:
        return g + rng.choice([".", "!", " .", "?", "'s", " city"])
    if k == 5:
        return g + " " + rng.choice(WORDS)
    if k == 6:
        return rng.choice(WORDS) + " " + g
    if k == 7:
        words = g.split()
        return " ".join(words[:max(1, len(words) // 2)])
    if k == 8:
        return gold(rng)
    if k == 9:
        return rng.choice(["yes", "no", "No", "Yes.", "noanswer"])
    if k == 10:
        return rng.choice(["", " ", ".", "the", "a an", "!!", "The."])
    return g.replace(" ", rng.choice(["  ", "\t", "\n", "\u3000", "_"]))


def wrap(rng, a):
    """Put the answer a in a response shape."""
    tail = rng.choice(["", ".", " Done.", "\n",
                       " and that is all I have to say about that topic.",
                       "$", " $x$"])
    lead = rng.choice(["", "Let me think. ", "<think>hmm \\boxed{wrong}</think>",
                       "Reasoning...\n", "**Step 1** ", "The answer is maybe "])
    k = rng.randrange(16)
    if k == 0:
        return a
    if k == 1:
        return lead + "\\boxed{" + a + "}" + tail
    if k == 2:
        return lead + "So \\boxed{\\text{" + a + "}}" + tail
    if k == 3:
        return "\\boxed{first} then \\boxed{" + a + "}" + tail
    if k == 4:
        return lead + "$\\boxed " + a + "$" + tail
    if k == 5:
        return "<think>" + lead + "</think>\n\n**\\boxed{" + a + "}**" + tail
    if k == 6:
        return lead + "The answer is " + a + tail
    if k == 7:
        return lead + "THE ANSWER IS: " + a + "\nThe answer is other."
    if k == 8:
        return lead + "<answer> " + a + " </answer>" + tail
    if k == 9:
        return lead + "\n**Final Answer:** " + a + tail
    if k == 10:
        return lead + "Answer:\n\n" + a + "\n"
    if k == 11:
        return lead + "\\fbox{" + a + "}" + tail
    if k == 12:
        return "\\boxed{" + a + " " + "x" * rng.choice([100, 140]) + "}"
    if k == 13:
        return "\\boxed{{" + a + "}}" + tail
    if k == 14:
        return "</think>\\boxed{" + a + "} " + "y" * rng.choice([20, 31, 32, 40])
    return lead + "\\boxed{" + a + tail   # unclosed


def eight(rng, shape, out):
    """300 records of 8 responses each, as the filter stages see them."""
    for i in range(300):
        golds = [gold(rng) if rng.random() < 0.9 else rng.choice(ANSWERS_EXTRA)
                 for _ in range(rng.choice([1, 1, 2]))]
        # a per-record skill, so every count 0..8 of correct turns up
        skill = rng.random()
        resps = []
        for _ in range(8):
            a = rng.choice(golds) if rng.random() < skill else variant(
                rng, rng.choice(golds))
            if shape == "answer-is":
                resps.append(rng.choice(["", "Reasoning... "]) +
                             rng.choice(["The answer is ", "the ANSWER is: "])
                             + a + rng.choice(["", ".", "\nDone."]))
            else:
                resps.append(rng.choice(["", "So ", "**"]) + "\\boxed{" + a
                             + "}" + rng.choice(["", ".", " **"]))
        out.write(json.dumps({"id": "%s-%03d" % (shape, i), "source":
                              rng.choice(["hotpotqa", "musique", "2wikimqa"]),
                              "answers": golds, "responses": resps},
                             ensure_ascii=False) + "\n")


def main():
    args = sys.argv[1:]
    shape = None
    if args and args[0] == "--eight":
        shape = args[1]
        args = args[2:]
    seed = int(args[0]) if args else 20251125
    rng = random.Random(seed)
    out = sys.stdout
    if shape:
        eight(rng, shape, out)
        return
    for i in range(400):
        ng = rng.choice([1, 1, 1, 2, 3])
        golds = [gold(rng) if rng.random() < 0.85 else rng.choice(ANSWERS_EXTRA)
                 for _ in range(ng)]
        nr = rng.choice([1, 2, 4])
        resps = [wrap(rng, variant(rng, rng.choice(golds))) for _ in range(nr)]
        rec = {"id": "gen-%03d" % i, "answers": golds, "responses": resps}
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "edge-cases.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out.write(line if line.endswith("\n") else line + "\n")


if __name__ == "__main__":
    main()
