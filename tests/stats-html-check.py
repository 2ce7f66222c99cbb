#!/usr/bin/env python3
"""stats-html-check.py - the kc-stats report as Chromium rendered it.

    stats-html-check.py DOM CHROME-STDERR SCREENSHOT.png FILE...

DOM is `chromium --headless --dump-dom` of the report made from FILE...
(with --by length).  Checks, with the expected values from
tests/stats-check.py's own computation on FILE...:

  - every chart is an <svg> in the DOM with its <title>, its two axis
    labels and one bar (or heatmap cell) per bin, each bin's label;
  - the page has no script, and nothing that would be fetched (src, href
    and CSS url() other than a fragment);
  - the page logged no console message (INFO:CONSOLE lines, but those
    of Chromium's own chrome:// pages);
  - the screenshot is a PNG of the window size asked for.

Exit 0 when all hold, else what did not and exit 1.
"""
import importlib.util
import os
import re
import struct
import sys
from html.parser import HTMLParser

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location(
    "stats_check", os.path.join(HERE, "stats-check.py"))
stats_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(stats_check)


class Dom(HTMLParser):
    """Each svg's id -> title, texts (by class) and rect classes."""

    def __init__(self):
        super().__init__()
        self.svgs = {}
        self.cur = None
        self.stack = []
        self.fetches = []
        self.scripts = 0
        self.tables = []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href", "xlink:href", "srcset", "data"):
            if k in a and not a[k].startswith("#"):
                self.fetches.append("%s %s=%s" % (tag, k, a[k]))
        for url in re.findall(r"url\(([^)]*)\)", a.get("style", "")):
            self.fetches.append("%s style url(%s)" % (tag, url))
        if tag in ("script", "link", "iframe", "object", "embed"):
            self.scripts += 1
        if tag == "svg":
            self.cur = {"id": a.get("id"), "title": None, "texts": [],
                        "rects": []}
            self.svgs[a.get("id")] = self.cur
        if self.cur is not None:
            if tag == "rect":
                self.cur["rects"].append(a.get("class", ""))
            if tag in ("title", "text"):
                self.stack.append([tag, a.get("class", ""), ""])
        if tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if self.cur is not None and tag in ("title", "text") and self.stack:
            t, cls, s = self.stack.pop()
            if t == "title" and self.cur["title"] is None and not self.stack:
                self.cur["title"] = s
            elif t == "text":
                self.cur["texts"].append((cls, s))
        if tag == "svg":
            self.cur = None
        if tag in ("td", "th") and self.cell is not None:
            self.tables.append(self.cell.strip())
            self.cell = None

    def handle_data(self, data):
        for e in self.stack:
            e[2] += data
        if self.cell is not None:
            self.cell += data


def labels(hist, kind):
    out = []
    for b in hist:
        if kind == "i":
            out.append("%.0f-%.0f" % (b["from"], b["to"]))
        elif kind == "d":
            out.append("%.0f-%.0f%%" % (b["from"] * 100, b["to"] * 100))
        elif b["to"] > b["from"]:
            out.append("%g-%g" % (b["from"], b["to"]))
        else:
            out.append(">%g" % b["from"])
    return out


def main():
    dom_path, err_path, png_path = sys.argv[1:4]
    want = stats_check.compute(sys.argv[4:], "length")
    g = want["all"]
    d = Dom()
    d.feed(open(dom_path, encoding="utf-8").read())
    problems = []

    def chart(cid, xlabel, bins):
        s = d.svgs.get(cid)
        if s is None:
            problems.append("%s: no such svg in the DOM" % cid)
            return
        if not s["title"]:
            problems.append("%s: no title" % cid)
        axis = [t for c, t in s["texts"] if c == "axis-label"]
        if xlabel not in axis or len(axis) != 2:
            problems.append("%s: axis labels %r, want %r and one more" % (
                cid, axis, xlabel))
        ticks = [t for c, t in s["texts"] if c == "tick"]
        bars = [r for r in s["rects"] if r == "bar"]
        if len(bars) != len(bins):
            problems.append("%s: %d bars, want %d" % (cid, len(bars), len(bins)))
        for b in bins:
            if b not in ticks:
                problems.append("%s: no label %r among %r" % (cid, b, ticks))

    if "tokens" in g:
        chart("chart-tokens", "tokens", labels(g["tokens"]["hist"], "i"))
    if "budget_use" in g:
        chart("chart-budget", "tokens / budget",
              labels(g["budget_use"]["hist"], "u"))
    if "depth_own" in g:
        chart("chart-depth-own", "position in the context",
              labels(g["depth_own"]["hist"], "d"))
    if "depth_chain" in g:
        chart("chart-depth-chain", "position in the context",
              labels(g["depth_chain"]["hist"], "d"))
    if "answer_chars" in g:
        chart("chart-answers", "characters",
              labels(g["answer_chars"]["hist"], "i"))
    j = g.get("judge")
    if j:
        chart("chart-pass", "answers correct of n",
              [str(i) for i in range(len(j["pass"]))])
        h = j["heatmap"]
        s = d.svgs.get("chart-heatmap")
        if s is None:
            problems.append("chart-heatmap: no such svg in the DOM")
        else:
            ticks = [t for c, t in s["texts"] if c == "tick"]
            if ticks != h["lengths"] + h["depths"]:
                problems.append("chart-heatmap: labels %r, want %r and %r" % (
                    ticks, h["lengths"], h["depths"]))
            cells = [t for c, t in s["texts"] if c.startswith("cell-label")]
            want_cells = []
            for rn, ra in zip(h["records"], h["accuracy"]):
                for n, a in zip(rn, ra):
                    want_cells.append("%.0f%% (%d)" % (a * 100, n)
                                      if a is not None else "\u2013")
            if cells != want_cells:
                problems.append("chart-heatmap: cells %r, want %r" % (
                    cells, want_cells))
    for grp in want.get("groups", []):
        if grp["name"] not in d.tables:
            problems.append("by-length table: no row %r" % grp["name"])
    if d.scripts:
        problems.append("%d script, link, iframe or object elements" % d.scripts)
    for f in d.fetches:
        problems.append("would fetch: %s" % f)
    # The page's own messages; Chromium's internal pages (chrome://, its
    # new-tab box) log their own under load, which are not the report's.
    for line in open(err_path, encoding="utf-8", errors="replace"):
        if "CONSOLE" in line and "source: chrome://" not in line:
            problems.append("console: " + line.strip())
    with open(png_path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        problems.append("%s: not a PNG" % png_path)
    else:
        w, h_ = struct.unpack(">II", head[16:24])
        print("screenshot %dx%d, %d charts" % (w, h_, len(d.svgs)))
    for p in problems:
        print(p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
