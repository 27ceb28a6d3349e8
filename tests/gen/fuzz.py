#!/usr/bin/env python3
"""Runs fresh random programs (tests/gen/random_programs.py) through the macro and sorts
every failure by kind, attributed to one program, whose source is printed as a repro.

    python3 tests/gen/fuzz.py --seeds 100 110 --count 40     # seeds 100..109, 40 programs each

Per seed, in a scratch crate (target/fuzz/, its own Cargo workspace and target dir):
1. the programs without the macro attributes are built: a compile error there is the
   generator's own (GEN_BUG; the program is dropped);
2. the programs with the attributes are built; each error is attributed to the program
   whose lines it points at and classified, and those programs are dropped and the rest
   rebuilt until the build succeeds:
     MACRO_PANIC    the proc macro panicked
     UNSUPPORTED    a `compile_error!` of the macro at user code (a construct it rejects;
                    recognised by carrying no rustc error code)
     COMPILE_ERROR  rustc rejects the generated code (an error with a code, E0xxx)
3. the tests run (one thread; a crash is attributed to the test that was running):
     DF_PANIC, PRIMAL_MISMATCH, OUT_MISMATCH, GRADIENT   (see tests/gen/harness.rs)
     GEN_PRIMAL_PANIC, GEN_NONFINITE                     the generator's fault
     CRASH, TIMEOUT                                      the test binary died / hung

Results go to target/fuzz/results.jsonl (one line per failing program: kind, message,
tags, source) and a summary to stdout. Options: --safe leaves out the known-bad constructs.
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import random_programs as rp  # noqa: E402

SCRATCH = os.path.join(ROOT, "target", "fuzz")
TIMEOUT = 90  # seconds for a run of the tests; the test running then is a TIMEOUT


def setup():
    os.makedirs(os.path.join(SCRATCH, "tests"), exist_ok=True)
    os.makedirs(os.path.join(SCRATCH, "src"), exist_ok=True)
    with open(os.path.join(SCRATCH, "Cargo.toml"), "w") as fh:
        fh.write(f"""[package]
name = "cotangent-fuzz-scratch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
cotangent = {{ path = "{ROOT}" }}

[workspace]
""")
    with open(os.path.join(SCRATCH, "src", "lib.rs"), "w") as fh:
        fh.write("")


def cargo(args, timeout=1800):
    """Runs cargo in the scratch crate; on a timeout, kills it and returns what it printed
    with returncode None."""
    env = dict(os.environ, CARGO_TERM_COLOR="never")
    p = subprocess.Popen(["cargo"] + args, cwd=SCRATCH, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)
        out, err = p.communicate()
        p.returncode = None
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def in_expansion(span, name):
    e = span.get("expansion")
    while e:
        if e.get("macro_decl_name", "").startswith(name):
            return True
        e = e["span"].get("expansion")
    return False


def lines_of(span):
    """The lines in the test file a span (or its expansion chain) points at."""
    out = []
    while span:
        if span["file_name"].endswith(".rs") and "tests/" in span["file_name"]:
            out.append(span["line_start"])
        span = (span.get("expansion") or {}).get("span")
    return out


def build(test, progs):
    """Builds tests/<test>.rs; returns {program name: (kind, message)} of the failing ones
    and whether some error could not be attributed."""
    r = cargo(["test", "--no-run", "--test", test, "--message-format=json"])
    fails, unattributed = {}, []
    for line in r.stdout.splitlines():
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("reason") != "compiler-message":
            continue
        d = m["message"]
        if d["level"] != "error":
            continue
        text = d["message"]
        if text.startswith("aborting due to") or text.startswith("could not compile"):
            continue
        rendered = d.get("rendered") or text
        if "panicked" in text and ("macro" in text or "attribute" in text):
            kind = "MACRO_PANIC"
        elif d.get("code") is None or any(in_expansion(s, "compile_error") for s in d["spans"]):
            # the macro's own errors (`compile_error!` spanned at user code) carry no code
            kind = "UNSUPPORTED"
        else:
            kind = "COMPILE_ERROR"
        found = None
        for s in d["spans"]:
            for ln in lines_of(s):
                for p in progs:
                    if p["start"] <= ln <= p["end"]:
                        found = p
            if found:
                break
        if found is None:
            unattributed.append(rendered)
            continue
        fails.setdefault(found["name"], (kind, rendered))
    if r.returncode != 0 and not fails and not unattributed:
        unattributed.append(r.stderr[-3000:])
    return fails, unattributed


def run_tests(test, progs):
    """Runs the built tests one at a time; {name: (kind, message)}."""
    fails, done = {}, set()
    while True:
        skips = []
        for n in sorted(done):
            skips += ["--skip", f"p_{n}::check"]
        r = cargo(["test", "--test", test, "--", "--test-threads", "1"] + skips, timeout=TIMEOUT)
        out = r.stdout
        for m in re.finditer(r"^test p_(\S+)::check \.\.\. (ok|FAILED)$", out, re.M):
            done.add(m.group(1))
        for m in re.finditer(r"^---- p_(\S+)::check stdout ----\n(.*?)(?=^---- |^failures:$)", out, re.M | re.S):
            name, body = m.group(1), m.group(2)
            k = re.search(r"COTANGENT_FUZZ\[(\w+)\] \S+: (.*)", body)
            if k:
                fails[name] = (k.group(1), body.strip())
            else:
                fails[name] = ("TEST_PANIC", body.strip())
        started = re.findall(r"^test p_(\S+)::check \.\.\. ", out, re.M)
        pending = [n for n in started if n not in done]
        running = re.search(r"^test p_(\S+)::check \.\.\. $", out, re.M)
        if "test result:" in out or r.returncode == 0:
            return fails
        # the binary died: the test without a result was running
        if running and running.group(1) not in done:
            n = running.group(1)
            if r.returncode is None:
                fails[n] = ("TIMEOUT", f"no result within {TIMEOUT} s (a loop that does not end)")
            else:
                fails[n] = ("CRASH", (r.stderr[-2000:] or "").strip())
            done.add(n)
            continue
        if pending:
            for n in pending:
                fails[n] = ("CRASH", r.stderr[-2000:])
                done.add(n)
            continue
        for p in progs:
            if p["name"] not in done:
                fails[p["name"]] = ("CRASH", r.stderr[-2000:])
        return fails


def fuzz_seed(seed, count, safe, out):
    ids = [(seed, k) for k in range(count)]
    results = {}
    # 1. the generator's own Rust
    alive = list(ids)
    for _ in range(6):
        text, progs = rp.render(alive, safe, plain=True, harness_path=os.path.join(HERE, "harness.rs"))
        with open(os.path.join(SCRATCH, "tests", "plain.rs"), "w") as fh:
            fh.write(text)
        fails, unatt = build("plain", progs)
        if not fails and not unatt:
            break
        for name, (kind, msg) in fails.items():
            results[name] = ("GEN_BUG", msg)
        if unatt and not fails:
            print(f"seed {seed}: unattributed plain errors:\n" + "\n".join(unatt)[:3000])
            return results, 0
        alive = [i for i in alive if f"s{i[0]}_{i[1]}" not in fails]
    # 2. through the macro
    for _ in range(10):
        text, progs = rp.render(alive, safe, harness_path=os.path.join(HERE, "harness.rs"))
        with open(os.path.join(SCRATCH, "tests", "batch.rs"), "w") as fh:
            fh.write(text)
        fails, unatt = build("batch", progs)
        if not fails and not unatt:
            break
        results.update(fails)
        if unatt and not fails:
            print(f"seed {seed}: unattributed errors:\n" + "\n".join(unatt)[:3000])
            return results, 0
        alive = [i for i in alive if f"s{i[0]}_{i[1]}" not in fails]
    bymap = {p["name"]: p for p in progs}
    # 3. run
    results.update(run_tests("batch", progs))
    allprogs = {p["name"]: p for p in rp.render(ids, safe)[1]}
    for name, (kind, msg) in results.items():
        p = allprogs[name]
        out.write(json.dumps({"seed": seed, "name": name, "kind": kind, "message": msg,
                              "tags": p["tags"], "float": p["float"], "source": p["source"]}) + "\n")
        out.flush()
    return results, len(alive)


def summary(kind, msg):
    """One line of a failure message: the panic message of a macro panic, the error line."""
    ls = [l.strip() for l in msg.strip().splitlines() if l.strip()]
    for l in ls:
        if "message:" in l or "COTANGENT_FUZZ" in l:
            return l
    return ls[0] if ls else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs=2, metavar=("FIRST", "END"), default=[1000, 1005])
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--safe", action="store_true")
    ap.add_argument("--results", default=os.path.join(SCRATCH, "results.jsonl"))
    args = ap.parse_args()
    setup()
    total, ran = 0, 0
    kinds = collections.Counter()
    with open(args.results, "a") as out:
        for seed in range(*args.seeds):
            res, n = fuzz_seed(seed, args.count, args.safe, out)
            total += args.count
            ran += n
            kinds.update(k for k, _ in res.values())
            print(f"seed {seed}: {args.count} generated, {n} compiled and ran, failures: "
                  f"{dict(collections.Counter(k for k, _ in res.values()))}", flush=True)
            for name, (kind, msg) in sorted(res.items()):
                first = summary(kind, msg)
                print(f"  {name}: {kind}: {first[:200]}")
    print(f"total: {total} generated, {ran} compiled and ran; failures by kind: {dict(kinds)}")
    print(f"details (source of each failing program): {args.results}")


if __name__ == "__main__":
    main()
