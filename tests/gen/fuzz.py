#!/usr/bin/env python3
"""Runs fresh random programs (tests/gen/random_programs.py) through the macro and sorts
every failure by kind, attributed to one program, whose source is printed as a repro.

    python3 tests/gen/fuzz.py --seeds 100 110 --count 120    # seeds 100..109, 120 programs each

Per seed, in a scratch crate (target/fuzz/, its own Cargo workspace and target dir, kept
between runs; the proc macro built optimized, the generated code without debug info):
1. the programs with the attributes are built, spread over `--files` test files built by
   one cargo call; each error is attributed to the program whose lines it points at and
   classified, and those programs are dropped and their files rebuilt (the other files are
   fresh) until the build succeeds:
     MACRO_PANIC    the proc macro panicked
     UNSUPPORTED    a `compile_error!` of the macro at user code (a construct it rejects;
                    recognised by carrying no rustc error code)
     COMPILE_ERROR  rustc rejects the generated code (an error with a code, E0xxx)
   A failing program is built again without the macro attributes: an error there too is
   the generator's own (GEN_BUG);
2. the tests run, one process per file (one thread; a crash is attributed to the test that
   was running):
     DF_PANIC, PRIMAL_MISMATCH, OUT_MISMATCH, GRADIENT, GRADIENT_AT_ZEROS,
     JF_PANIC, JF_PRIMAL_MISMATCH, JF_OUT_MISMATCH, JVP_VJP   (see tests/gen/harness.rs)
     GEN_PRIMAL_PANIC, GEN_NONFINITE                     the generator's fault
     CRASH, TIMEOUT                                      the test binary died / hung

Results go to target/fuzz/results.jsonl (one line per failing program: kind, message,
tags, source) and a summary to stdout, with the programs per minute and the seconds spent
per phase (build, rebuild, plain, run). Options: --safe leaves out the known-bad constructs.
"""
import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import random_programs as rp  # noqa: E402

SCRATCH = os.path.join(ROOT, "target", "fuzz")
HARNESS = os.path.join(SCRATCH, "harness.rs")
TIMEOUT = 90  # seconds for a run of the tests; the test running then is a TIMEOUT


def setup():
    os.makedirs(os.path.join(SCRATCH, "tests"), exist_ok=True)
    os.makedirs(os.path.join(SCRATCH, "src"), exist_ok=True)
    # Profiles for throughput (tests/gen/FINDINGS.md, "Throughput"): the proc macro and
    # its dependencies optimized (expansion dominated the build), no debug info and no
    # incremental cache for the generated code, which is built once and thrown away.
    text = f"""[package]
name = "cotangent-fuzz-scratch"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
cotangent = {{ path = "{ROOT}" }}

[profile.dev]
debug = false
incremental = false
codegen-units = 16

[profile.dev.build-override]
opt-level = 3
codegen-units = 16

[workspace]
"""
    path = os.path.join(SCRATCH, "Cargo.toml")
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as fh:
            fh.write(text)
    if not os.path.exists(os.path.join(SCRATCH, "src", "lib.rs")):
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
    """The (test file, line) pairs a span (or its expansion chain) points at."""
    out = []
    while span:
        if span["file_name"].endswith(".rs") and "tests/" in span["file_name"]:
            out.append((os.path.basename(span["file_name"]), span["line_start"]))
        span = (span.get("expansion") or {}).get("span")
    return out


def build(tests, progs):
    """Builds tests/<test>.rs for each of `tests` (one name or a list) in one cargo call;
    returns {program name: (kind, message)} of the failing ones and the errors that could
    not be attributed. A program's "file" (default: the only test) says which file it is in."""
    if isinstance(tests, str):
        tests = [tests]
    args = ["test", "--no-run", "--message-format=json"]
    for t in tests:
        args += ["--test", t]
    r = cargo(args)
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
            for fname, ln in lines_of(s):
                for p in progs:
                    if p.get("file", tests[0]) + ".rs" == fname and p["start"] <= ln <= p["end"]:
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


def render_files(alive, safe, files, plain=False):
    """Writes the programs `alive` into `files` test files (tests/<prefix><j>.rs, only
    those whose text changed, so cargo rebuilds only those); returns the test names and
    the programs, each with its "file"."""
    prefix = "plain" if plain else "batch"
    tests, progs = [], []
    for j in range(files):
        # by the program's own number, so that dropping one changes its file only
        part = [i for i in alive if i[1] % files == j]
        if not part:
            continue
        name = f"{prefix}{j}"
        text, ps = rp.render(part, safe, plain=plain, harness_path=HARNESS)
        path = os.path.join(SCRATCH, "tests", name + ".rs")
        if not os.path.exists(path) or open(path).read() != text:
            with open(path, "w") as fh:
                fh.write(text)
        for p in ps:
            p["file"] = name
        tests.append(name)
        progs += ps
    return tests, progs


class Clock:
    """Seconds spent per phase (build, rebuild, plain, run), summed over a run."""

    def __init__(self):
        self.t = collections.Counter()

    def time(self, phase, f, *a):
        t0 = time.monotonic()
        try:
            return f(*a)
        finally:
            self.t[phase] += time.monotonic() - t0

    def __str__(self):
        return ", ".join(f"{k} {v:.0f} s" for k, v in sorted(self.t.items()))


def fuzz_seed(seed, count, safe, out, files=4, clock=None):
    clock = clock or Clock()
    # a copy of the harness, taken once per seed: an edit of tests/gen/harness.rs while a
    # seed runs would make its run phase rebuild every file
    shutil.copyfile(os.path.join(HERE, "harness.rs"), HARNESS + ".new")
    if not os.path.exists(HARNESS) or open(HARNESS).read() != open(HARNESS + ".new").read():
        os.replace(HARNESS + ".new", HARNESS)
    ids = [(seed, k) for k in range(count)]
    results = {}
    alive = list(ids)
    # 1. through the macro; a file with errors is rebuilt without its failing programs
    #    (the other files are fresh). A failing program is built again without the macro
    #    attributes: an error there too is the generator's own (GEN_BUG).
    for attempt in range(10):
        tests, progs = render_files(alive, safe, files)
        fails, unatt = clock.time("build" if attempt == 0 else "rebuild", build, tests, progs)
        if unatt or fails:
            suspects = alive if unatt else [i for i in alive if f"s{i[0]}_{i[1]}" in fails]
            ptests, pprogs = render_files(suspects, safe, 1, plain=True)
            pfails, punatt = clock.time("plain", build, ptests, pprogs)
            if punatt and not pfails:
                print(f"seed {seed}: unattributed plain errors:\n" + "\n".join(punatt)[:3000])
                return results, 0
            for name, (kind, msg) in pfails.items():
                fails[name] = ("GEN_BUG", msg)
            if unatt and not fails:
                print(f"seed {seed}: unattributed errors:\n" + "\n".join(unatt)[:3000])
                return results, 0
        if not fails and not unatt:
            break
        results.update(fails)
        alive = [i for i in alive if f"s{i[0]}_{i[1]}" not in fails]
    # 2. run
    for t in tests:
        results.update(clock.time("run", run_tests, t, [p for p in progs if p["file"] == t]))
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
    ap.add_argument("--files", type=int, default=4,
                    help="test files per seed (a file with an error is rebuilt alone)")
    ap.add_argument("--safe", action="store_true")
    ap.add_argument("--results", default=os.path.join(SCRATCH, "results.jsonl"))
    args = ap.parse_args()
    setup()
    total, ran = 0, 0
    kinds = collections.Counter()
    clock, t0 = Clock(), time.monotonic()
    with open(args.results, "a") as out:
        for seed in range(*args.seeds):
            res, n = fuzz_seed(seed, args.count, args.safe, out, args.files, clock)
            total += args.count
            ran += n
            kinds.update(k for k, _ in res.values())
            print(f"seed {seed}: {args.count} generated, {n} compiled and ran, failures: "
                  f"{dict(collections.Counter(k for k, _ in res.values()))}", flush=True)
            for name, (kind, msg) in sorted(res.items()):
                first = summary(kind, msg)
                print(f"  {name}: {kind}: {first[:200]}")
            rate = total / (time.monotonic() - t0) * 60
            print(f"  so far: {total} programs, {rate:.0f} per minute; {clock}", flush=True)
    print(f"total: {total} generated, {ran} compiled and ran; failures by kind: {dict(kinds)}")
    print(f"details (source of each failing program): {args.results}")


if __name__ == "__main__":
    main()
