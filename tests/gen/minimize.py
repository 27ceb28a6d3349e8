#!/usr/bin/env python3
"""Shrinks a failing program of fuzz.py's results by deleting statements (and helpers)
while it still fails the same way; prints the smallest source found.

    python3 tests/gen/minimize.py target/fuzz/results.jsonl s1004_17 [--out FILE]

The same way: the same kind and, for compile errors and macro panics, the same first line
of the message. Greedy, statement by statement, outer blocks first (a few builds a minute).
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fuzz  # noqa: E402

STARTS = ("for ", "while ", "loop ", "if ", "match ", "{")


def blocks(src):
    """(start, end) of the inside of every `{ .. }`."""
    out, stack = [], []
    for i, c in enumerate(src):
        if c == "{":
            stack.append(i)
        elif c == "}" and stack:
            s = stack.pop()
            out.append((s + 1, i))
    return out


def statements(src, lo, hi):
    """Statement spans inside src[lo:hi] (the tail expression excluded)."""
    out, i, depth, start = [], lo, 0, None
    while i < hi:
        c = src[i]
        if start is None and not c.isspace():
            start = i
        if c in "{([":
            depth += 1
        elif c in "})]":
            depth -= 1
            if depth == 0 and c == "}" and start is not None and src[start:].startswith(STARTS):
                rest = src[i + 1:hi].lstrip()
                if not rest.startswith("else") and not rest.startswith("."):
                    out.append((start, i + 1))
                    start = None
        elif c == ";" and depth == 0 and start is not None:
            out.append((start, i + 1))
            start = None
        i += 1
    return out


def fails_same(module, want, name):
    text = ("#![allow(unused, clippy::all)]\n"
            f'#[path = "{os.path.join(HERE, "harness.rs")}"]\nmod harness;\n' + module + "\n")
    with open(os.path.join(fuzz.SCRATCH, "tests", "min.rs"), "w") as fh:
        fh.write(text)
    prog = [{"name": name, "start": 1, "end": 10 ** 6}]
    fails, unatt = fuzz.build("min", prog)
    if unatt:
        return False
    if fails:
        kind, msg = fails[name]
        return kind == want[0] and fuzz.summary(kind, msg) == want[1]
    if want[0] in ("MACRO_PANIC", "UNSUPPORTED", "COMPILE_ERROR"):
        return False
    res = fuzz.run_tests("min", prog)
    return name in res and res[name][0] == want[0]


def minimize(module, want, name, log=print):
    changed = True
    while changed:
        changed = False
        # outer blocks first: sort candidates by length, longest first
        cands = []
        for lo, hi in blocks(module):
            cands += statements(module, lo, hi)
        lines = module.split("\n")
        for k, ln in enumerate(lines):
            if "#[differentiable]" in ln:
                s = module.index(ln)
                cands.append((s, s + len(ln)))
        cands = sorted(set(cands), key=lambda c: c[0] - c[1])
        for s, e in cands:
            trial = module[:s] + module[e:]
            if fails_same(trial, want, name):
                log(f"  deleted {e - s} chars, {len(trial)} left")
                module = trial
                changed = True
                break
    return module


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("name")
    ap.add_argument("--out")
    args = ap.parse_args()
    fuzz.setup()
    rec = None
    for line in open(args.results):
        r = json.loads(line)
        if r["name"] == args.name:
            rec = r
    want = (rec["kind"], fuzz.summary(rec["kind"], rec["message"]))
    print(f"{args.name}: {want}")
    if not fails_same(rec["source"], want, args.name):
        print("does not reproduce on its own")
        return
    small = minimize(rec["source"], want, args.name)
    small = re.sub(r"\n\s*\n", "\n", small)
    print(small)
    if args.out:
        with open(args.out, "w") as fh:
            fh.write(f"// {want[0]}: {want[1]}\n" + small + "\n")


if __name__ == "__main__":
    main()
