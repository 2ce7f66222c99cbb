#!/usr/bin/env python3
"""stats-check.py - kc-stats' numbers, computed again from the records.

    stats-check.py [--by FIELD] --json OUT.json --text OUT.txt FILE...

reads the same JSON lines kc-stats read, computes every number of its
summary from the records' fields as kc-stats(1) and kc(7) define them
(this file shares no code with lib/stats/), and checks

  - kc-stats --json: every number (integers exactly, others to 1e-9);
  - kc-stats' terminal summary: the whole text, written here from the
    numbers computed here, in the layout kc-stats(1) describes.

Exit 0 when both agree; else the first differences, and exit 1.
"""
import argparse
import json
import math
import sys

STAGES = ["canonical", "filled", "chained", "rendered", "asked", "judged",
          "audited", "other"]
USE_EDGES = [0, 0.5, 0.8, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 1.0]
PREFIX = "custom_longcontext_needle_qa_"


def obj(o, k):
    v = o.get(k) if isinstance(o, dict) else None
    return v if isinstance(v, dict) else None


def arr(o, k):
    v = o.get(k) if isinstance(o, dict) else None
    return v if isinstance(v, list) else None


def sget(o, k):
    v = o.get(k) if isinstance(o, dict) else None
    return v if isinstance(v, str) else None


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def length_label(rec, render, plan):
    n = 0
    for v in (render.get("budget") if render else None,
              render.get("tokens") if render else None,
              plan.get("length") if plan else None):
        if is_int(v) and v > 0:
            n = v
            break
    if n > 0:
        k = 0
        while k < 40 and (1 << k) < n:
            k += 1
        return ("%dk" % (1 << (k - 10)) if k >= 10 else "%d" % (1 << k)), k
    lab = sget(rec, "length")
    if lab:
        for k in range(31):
            if lab == ("%dk" % (1 << (k - 10)) if k >= 10 else "%d" % (1 << k)):
                return lab, k
        return lab, -1
    return "-", -1


class Num:
    def __init__(self):
        self.vals_n = 0
        self.sum = 0.0
        self.min = None
        self.max = None

    def add(self, v):
        v = float(v)
        self.min = v if self.min is None or v < self.min else self.min
        self.max = v if self.max is None or v > self.max else self.max
        self.vals_n += 1
        self.sum += v

    def json(self):
        return {"records": self.vals_n, "min": self.min,
                "mean": self.sum / self.vals_n, "max": self.max}


def log_bin(v):
    if not v >= 1:
        return 0
    return min(int(math.floor(4 * math.log2(v))), 95)


def log_hist(values):
    bins = {}
    for v in values:
        b = log_bin(v)
        bins[b] = bins.get(b, 0) + 1
    out = []
    if bins:
        for k in range(min(bins), max(bins) + 1):
            lo = math.ceil(2 ** (k / 4)) if k else 0
            hi = math.ceil(2 ** ((k + 1) / 4)) - 1
            if lo <= hi:
                out.append({"from": lo, "to": hi, "records": bins.get(k, 0)})
    return out


def depth_hist(values, n=10):
    h = [0] * n
    for d in values:
        h[max(0, min(n - 1, int(math.floor(d * n))))] += 1
    return [{"from": k / n, "to": (k + 1) / n, "records": h[k]}
            for k in range(n)]


def use_hist(values):
    h = [0] * 10
    for u in values:
        if u > 1:
            h[9] += 1
            continue
        b = 0
        while b + 1 < 9 and u >= USE_EDGES[b + 1]:
            b += 1
        h[b] += 1
    nz = [k for k in range(10) if h[k]]
    out = []
    if nz:
        for k in range(nz[0], nz[-1] + 1):
            if k == 9:
                out.append({"from": 1.0, "to": 0, "records": h[k]})
            else:
                out.append({"from": USE_EDGES[k], "to": USE_EDGES[k + 1],
                            "records": h[k]})
    return out


def sorted_counts(d):
    """name -> count, most first, then by name (byte order)."""
    items = sorted(d.items(), key=lambda kv: (-kv[1], kv[0].encode()))
    return dict(items)


class Group:
    def __init__(self, name):
        self.name = name
        self.records = 0
        self.no_id = 0
        self.dup = 0
        self.stages = {}
        self.sources, self.types, self.levels = {}, {}, {}
        self.nums = {k: Num() for k in (
            "tokens", "budget_use", "passages", "own", "entangled", "filler",
            "keys", "stacked", "refused", "hops", "depth_own", "depth_chain",
            "responses", "answer_chars")}
        self.vals = {"tokens": [], "budget_use": [], "depth_own": [],
                     "depth_chain": [], "answer_chars": []}
        self.ask_errors = 0
        self.finish = {}
        self.rates = Num()
        self.judge_n = Num()
        self.any = 0
        self.pass_ = {}
        self.acc_source, self.acc_type = {}, {}
        self.heat = {}
        self.no_depth = 0
        self.audited = 0
        self.solvers = {}

    def num(self, k, v, keep=False):
        self.nums[k].add(v)
        if keep:
            self.vals[k].append(v)


def read(rec):
    """What the record says: a dict of its stage's fields."""
    render = obj(rec, "render") or obj(obj(rec, "extra_info"), "kc") or \
        obj(rec, "kc")
    r = {"render": render, "chain": obj(rec, "chain"),
         "passages": arr(rec, "passages"), "plan": obj(rec, "plan"),
         "responses": arr(rec, "responses"),
         "finish": arr(rec, "finish_reasons"),
         "ask_error": "ask_error" in rec, "judge": obj(rec, "judge"),
         "solvers": obj(rec, "solvers")}
    chance = rec.get("chance")
    r["chance"] = float(chance) if is_num(chance) else 0.0
    r["id"] = sget(rec, "id") or sget(render, "id")
    src = sget(rec, "source") or sget(render, "source")
    ds = sget(rec, "data_source")
    if not src and ds and ds.startswith(PREFIX):
        src = ds[len(PREFIX):]
    r["source"] = src
    r["type"] = sget(rec, "type")
    r["level"] = sget(rec, "level")
    if r["solvers"] is not None and "chance" in rec:
        st = "audited"
    elif r["judge"] is not None:
        st = "judged"
    elif r["responses"] is not None or r["ask_error"]:
        st = "asked"
    elif render is not None:
        st = "rendered"
    elif r["chain"] is not None:
        st = "chained"
    elif r["passages"] is not None or obj(rec, "fill") is not None:
        st = "filled"
    elif "question" in rec and "docs" in rec:
        st = "canonical"
    else:
        st = "other"
    r["stage"] = st
    r["length"], r["log2"] = length_label(rec, render, r["plan"])
    return r


def add(g, r, dup):
    g.records += 1
    g.stages[r["stage"]] = g.stages.get(r["stage"], 0) + 1
    g.no_id += r["id"] is None
    g.dup += dup
    src = r["source"] or "-"
    g.sources[src] = g.sources.get(src, 0) + 1
    if r["type"]:
        g.types[r["type"]] = g.types.get(r["type"], 0) + 1
    if r["level"]:
        g.levels[r["level"]] = g.levels.get(r["level"], 0) + 1
    rd = r["render"]
    own_depths = []
    if rd is not None:
        t = rd.get("tokens")
        if is_int(t):
            g.num("tokens", t, True)
            b = rd.get("budget")
            if is_int(b) and b > 0:
                g.num("budget_use", t / b, True)
        np_ = rd.get("passages")
        own = rd.get("own")
        if is_int(np_):
            g.num("passages", np_)
            if isinstance(own, list):
                g.num("own", len(own))
                if is_int(rd.get("entangled")):
                    g.num("entangled", rd["entangled"])
                    g.num("filler", np_ - rd["entangled"] - len(own))
        for e in own if isinstance(own, list) else []:
            d = e.get("depth") if isinstance(e, dict) else None
            if is_num(d):
                g.num("depth_own", d, True)
                own_depths.append(float(d))
        ch = rd.get("chain")
        for e in ch if isinstance(ch, list) else []:
            d = e.get("depth") if isinstance(e, dict) else None
            if is_num(d):
                g.num("depth_chain", d, True)
    elif r["passages"] is not None:
        ps = r["passages"]
        own = sum(1 for p in ps if isinstance(p, dict) and "doc" in p)
        ent = sum(1 for p in ps if isinstance(p, dict) and "entangled" in p)
        g.num("passages", len(ps))
        g.num("own", own)
        g.num("entangled", ent)
        g.num("filler", len(ps) - own - ent)
    real_in_render = isinstance(rd.get("real") if rd else None, list)
    if r["chain"] is not None or real_in_render:
        c = r["chain"] or {}
        pairs = c.get("pairs")   # columns, or a list of objects
        if isinstance(pairs, dict) and isinstance(pairs.get("key"), list):
            g.num("keys", len(pairs["key"]))
        elif isinstance(pairs, list):
            g.num("keys", len(pairs))
        if is_int(c.get("stacked")):
            g.num("stacked", c["stacked"])
        if is_int(c.get("refused")):
            g.num("refused", c["refused"])
        real = c.get("real") if isinstance(c.get("real"), list) else \
            (rd.get("real") if rd else None)
        if isinstance(real, list):
            g.num("hops", len(real))
    g.ask_errors += r["ask_error"]
    if r["responses"] is not None:
        g.num("responses", len(r["responses"]))
        for a in r["responses"]:
            if isinstance(a, str):
                g.num("answer_chars", len(a), True)
    for f in r["finish"] or []:
        if isinstance(f, str):
            g.finish[f] = g.finish.get(f, 0) + 1
    j = r["judge"]
    if j is not None:
        c, n = j.get("correct"), j.get("n")
        if is_int(c) and is_int(n) and n > 0 and 0 <= c <= n:
            rate = c / n
            g.rates.add(rate)
            g.judge_n.add(n)
            g.any += c > 0
            g.pass_[min(c, 64)] = g.pass_.get(min(c, 64), 0) + 1
            for table, key in ((g.acc_source, src), (g.acc_type, r["type"])):
                if key:
                    e = table.setdefault(key, [0, 0.0])
                    e[0] += 1
                    e[1] += rate
            if r["log2"] < 0 or not own_depths:
                g.no_depth += 1
            else:
                mean = sum(own_depths) / len(own_depths)
                cell = (r["log2"], max(0, min(4, int(math.floor(mean * 5)))))
                e = g.heat.setdefault(cell, [0, 0.0])
                e[0] += 1
                e[1] += rate
    if r["stage"] == "audited":
        g.audited += 1
        for name, s in r["solvers"].items():
            c = s.get("credit") if isinstance(s, dict) else None
            if is_num(c):
                e = g.solvers.setdefault(name, [0, 0.0, 0.0])
                e[0] += 1
                e[1] += c
                e[2] += r["chance"]


def label(k):
    return "%dk" % (1 << (k - 10)) if k >= 10 else "%d" % (1 << k)


def summary_of(g):
    out = {"name": g.name, "records": g.records,
           "stages": {s: g.stages[s] for s in STAGES if g.stages.get(s)},
           "ids": {"missing": g.no_id, "duplicated": g.dup},
           "sources": sorted_counts(g.sources)}
    if g.types:
        out["types"] = sorted_counts(g.types)
    if g.levels:
        out["levels"] = sorted_counts(g.levels)
    hists = {"tokens": log_hist, "budget_use": use_hist,
             "depth_own": depth_hist, "depth_chain": depth_hist,
             "answer_chars": log_hist}
    for k in ("tokens", "budget_use", "passages", "own", "entangled",
              "filler", "keys", "stacked", "refused", "hops", "depth_own",
              "depth_chain", "responses", "answer_chars"):
        if g.nums[k].vals_n:
            out[k] = g.nums[k].json()
            if k in hists:
                out[k]["hist"] = hists[k](g.vals[k])
    if g.ask_errors:
        out["ask_errors"] = g.ask_errors
    if g.finish:
        out["finish_reasons"] = sorted_counts(g.finish)
    if g.rates.vals_n:
        top = min(int(g.judge_n.max), 64)
        acc = lambda t: {k: {"records": v[0], "accuracy": v[1] / v[0]}
                         for k, v in sorted(t.items(), key=lambda kv:
                                            (-kv[1][0], kv[0].encode()))}
        ks = sorted({k for k, _ in g.heat})
        out["judge"] = {
            "records": g.rates.vals_n,
            "accuracy": g.rates.sum / g.rates.vals_n,
            "any_correct": g.any / g.rates.vals_n,
            "n": g.judge_n.json(),
            "pass": [g.pass_.get(c, 0) for c in range(top + 1)],
            "by_source": acc(g.acc_source), "by_type": acc(g.acc_type),
            "heatmap": {
                "lengths": [label(k) for k in ks],
                "depths": ["%d-%d%%" % (d * 20, d * 20 + 20) for d in range(5)],
                "records": [[g.heat.get((k, d), [0])[0] for d in range(5)]
                            for k in ks],
                "accuracy": [[g.heat[(k, d)][1] / g.heat[(k, d)][0]
                              if (k, d) in g.heat else None
                              for d in range(5)] for k in ks]},
            "no_depth": g.no_depth}
    if g.audited:
        out["audit"] = {"records": g.audited, "solvers": {
            k: {"records": v[0], "accuracy": v[1] / v[0],
                "chance": v[2] / v[0],
                "ratio": v[1] / v[2] if v[2] > 0 else 0.0}
            for k, v in g.solvers.items()}}
    return out


def length_order(name):
    try:
        if name.endswith("k"):
            return (float(name[:-1]) * 1024, name.encode())
        return (float(name), name.encode())
    except ValueError:
        return (1e300, name.encode())


def compute(files, by):
    whole = Group("all")
    groups = {}
    seen = set()
    unreadable = 0
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except ValueError:
                    unreadable += 1
                    continue
                if not isinstance(rec, dict):
                    unreadable += 1
                    continue
                r = read(rec)
                dup = 0
                if r["id"] is not None:
                    dup = int(r["id"] in seen)
                    seen.add(r["id"])
                add(whole, r, dup)
                if by:
                    key = {"source": r["source"] or "-", "length": r["length"],
                           "type": r["type"] or "-"}[by]
                    if key not in groups:
                        groups[key] = Group(key)
                    add(groups[key], r, dup)
    out = {"records": whole.records, "unreadable": unreadable, "by": by,
           "all": summary_of(whole)}
    if by:
        names = sorted(groups, key=length_order if by == "length"
                       else (lambda s: s.encode()))
        out["groups"] = [summary_of(groups[k]) for k in names]
    return out


# ---- the terminal summary, as kc-stats(1) lays it out ----

ROWS = [("tokens", "tokens", 0), ("budget_use", "budget use", 1),
        ("passages", "passages", 0), ("own", "own", 0),
        ("entangled", "entangled", 0), ("filler", "filler", 0),
        ("keys", "keys", 0), ("stacked", "stacked", 0),
        ("refused", "refused", 0), ("hops", "hops", 0),
        ("depth_own", "depth own", 1), ("depth_chain", "depth chain", 1),
        ("responses", "responses", 0), ("answer_chars", "answer chars", 0)]


def cfmt(fmt, v):
    """printf's %g and %.Nf, as C rounds them (Python's % does the same)."""
    return fmt % v


def bar_line(label_, n, top):
    w = (30 * n + top // 2) // top if top else 0
    if n and not w:
        w = 1
    return "  %-14s %8d  %s" % (label_, n, "#" * w)


def text_of(s):
    lines = []

    def names(title, d):
        if d:
            lines.append("%-14s" % title + ", ".join(
                "%s %d" % (k, v) for k, v in d.items()))

    def hist(title, x, kind):
        if not x:
            return
        lines.append(title)
        top = max([b["records"] for b in x["hist"]] + [0])
        for b in x["hist"]:
            if kind == "i":
                lab = "%.0f-%.0f" % (b["from"], b["to"])
            elif kind == "d":
                lab = "%.1f-%.1f" % (b["from"], b["to"])
            elif b["to"] > b["from"]:
                lab = "%g-%g" % (b["from"], b["to"])
            else:
                lab = ">%g" % b["from"]
            lines.append(bar_line(lab, b["records"], top))

    def block(g, by):
        if by:
            lines.append("== %s %s: %d records ==" % (by, g["name"], g["records"]))
        else:
            lines.append("== %d records ==" % g["records"])
        names("stages", g["stages"])
        lines.append("%-14s%d missing, %d duplicated" % (
            "ids", g["ids"]["missing"], g["ids"]["duplicated"]))
        names("sources", g["sources"])
        names("types", g.get("types"))
        names("levels", g.get("levels"))
        head = False
        for key, lab, frac in ROWS:
            x = g.get(key)
            if not x:
                continue
            if not head:
                lines.append("%-14s %8s %10s %10s %10s" % (
                    "", "records", "min", "mean", "max"))
                head = True
            f = "%-14s %8d %10.4f %10.4f %10.4f" if frac else \
                "%-14s %8d %10.0f %10.1f %10.0f"
            lines.append(f % (lab, x["records"], x["min"], x["mean"], x["max"]))
        hist("tokens", g.get("tokens"), "i")
        hist("budget use", g.get("budget_use"), "u")
        hist("depth of own passages", g.get("depth_own"), "d")
        hist("depth of chain links", g.get("depth_chain"), "d")
        hist("answer chars", g.get("answer_chars"), "i")
        names("finish", g.get("finish_reasons"))
        if "ask_errors" in g:
            lines.append("%-14s%d" % ("ask errors", g["ask_errors"]))
        j = g.get("judge")
        if j:
            lines.append("judged %d records: accuracy %.4f, any correct %.4f, "
                         "answers per record %.0f-%.0f" % (
                             j["records"], j["accuracy"], j["any_correct"],
                             j["n"]["min"], j["n"]["max"]))
            lines.append("pass rate (records by answers correct)")
            top = max(j["pass"] + [0])
            for c, n in enumerate(j["pass"]):
                lines.append(bar_line(str(c), n, top))
            for title, t in (("accuracy by source", j["by_source"]),
                             ("accuracy by type", j["by_type"])):
                if t:
                    lines.append("%-22s %8s %10s" % (title, "records", "accuracy"))
                    for k, v in t.items():
                        lines.append("  %-20s %8d %10.4f" % (
                            k, v["records"], v["accuracy"]))
            h = j["heatmap"]
            if h["lengths"]:
                lines.append("accuracy (records) by length x mean depth of "
                             "own passages")
                lines.append("  %-8s" % "length" + "".join(
                    " %14s" % d for d in h["depths"]))
                for i, lab in enumerate(h["lengths"]):
                    cells = []
                    for n, a in zip(h["records"][i], h["accuracy"][i]):
                        cells.append(" %14s" % ("%.3f (%d)" % (a, n)
                                                if a is not None else "-"))
                    lines.append("  %-8s" % lab + "".join(cells))
            if j["no_depth"]:
                lines.append("judged without own passages' depths: %d"
                             % j["no_depth"])
        a = g.get("audit")
        if a:
            lines.append("audited %d records" % a["records"])
            lines.append("  %-12s %8s %10s %10s %8s" % (
                "solver", "records", "accuracy", "chance", "ratio"))
            for k, v in a["solvers"].items():
                lines.append("  %-12s %8d %10.4f %10.4f %8.2f" % (
                    k, v["records"], v["accuracy"], v["chance"], v["ratio"]))

    block(s["all"], None)
    for g in s.get("groups", []):
        lines.append("")
        block(g, s["by"])
    if s["unreadable"]:
        lines.append("")
        lines.append("%d line%s unreadable" % (
            s["unreadable"], "" if s["unreadable"] == 1 else "s"))
    return "\n".join(lines) + "\n"


def compare(want, got, path, errors):
    if isinstance(want, dict):
        if not isinstance(got, dict) or list(want) != list(got):
            errors.append("%s: keys %s, kc-stats %s" % (
                path, list(want), list(got) if isinstance(got, dict) else got))
            return
        for k in want:
            compare(want[k], got[k], path + "." + k, errors)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            errors.append("%s: %r, kc-stats %r" % (path, want, got))
            return
        for i, (w, g) in enumerate(zip(want, got)):
            compare(w, g, "%s[%d]" % (path, i), errors)
    elif is_int(want) and is_int(got):
        if want != got:
            errors.append("%s: %d, kc-stats %d" % (path, want, got))
    elif is_num(want) and is_num(got):
        if not math.isclose(want, got, rel_tol=1e-9, abs_tol=1e-12):
            errors.append("%s: %r, kc-stats %r" % (path, want, got))
    elif want != got:
        errors.append("%s: %r, kc-stats %r" % (path, want, got))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--by")
    ap.add_argument("--json", required=True)
    ap.add_argument("--text", required=True)
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    want = compute(a.files, a.by)
    errors = []
    with open(a.json) as f:
        compare(want, json.load(f), "", errors)
    text = text_of(want)
    with open(a.text) as f:
        got = f.read()
    if got != text:
        wl, gl = text.split("\n"), got.split("\n")
        for i in range(max(len(wl), len(gl))):
            w = wl[i] if i < len(wl) else "<none>"
            g = gl[i] if i < len(gl) else "<none>"
            if w != g:
                errors.append("text line %d:\n  want %r\n  got  %r" % (i + 1, w, g))
                break
    for e in errors[:20]:
        print(e, file=sys.stderr)
    if errors:
        sys.exit(1)
    print("%d records, %d numbers and %d lines of text agree" % (
        want["records"], count_numbers(want), text.count("\n")))


def count_numbers(v):
    if isinstance(v, dict):
        return sum(count_numbers(x) for x in v.values())
    if isinstance(v, list):
        return sum(count_numbers(x) for x in v)
    return int(is_num(v))


if __name__ == "__main__":
    main()
