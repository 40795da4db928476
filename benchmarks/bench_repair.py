"""The repair search: how often it points at the right line, and what it costs.

Prints (1) the share of the repair fixtures (tests/fixtures/repair: one slip outside the
catalogue each) whose reported line and edit are the expected ones, and how many buggy
example submissions get a line at all; (2) the throughput of `autograder grade --jobs 2` on
bench_scale's class mix with the repair search on and off; (3) the wall time of `autograder
check` on buggy files (a fresh process each time, median of five). Run from the project root:

    python benchmarks/bench_repair.py --size 1000
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tomllib
from machine import load_average, machine  # benchmarks/machine.py, beside this script

from autograder.authoring.synthetic_class import make_class
from autograder.grading import Grader
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "repair"
CHECKED = [FIXTURES / "ohl_dw2_z1_for_a1.py", FIXTURES / "lr_dz_sigmoid_prime_twice.py",
           ROOT / "examples" / "submissions" / "one_hidden_layer" / "bug_two_tanh_from_z1_and_db2_keepdims.py"]


def line_accuracy() -> None:
    expected = tomllib.loads((FIXTURES / "expected.toml").read_text(encoding="utf-8"))
    graders: dict[str, Grader] = {}
    right = 0
    for name, want in sorted(expected.items()):
        grader = graders.setdefault(want["assignment"], Grader(load_assignment(want["assignment"], ROOT)))
        report = grader.grade_file(FIXTURES / name)
        edits = [e for f in report.functions if f.name == want["function"] for m in f.mistakes if m.repair
                 for e in m.repair["edits"]]
        ok = any(want["line"] in e["code"] for e in edits) and any(want["after"] in e["after"] for e in edits)
        right += ok
        shown = "; ".join(f"line {e['line']}: {e['before']} -> {e['after']}" for e in edits) or "no repair"
        print(f"  {'ok  ' if ok else 'MISS'} {name:<36} {shown}")
    print(f"right line and edit: {right}/{len(expected)} = {right / len(expected):.0%} (goal >= 90%)")
    with_line = buggy = 0
    for folder in sorted((ROOT / "examples" / "submissions").iterdir()):
        manifest = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
        grader = graders.setdefault(folder.name, Grader(load_assignment(folder.name, ROOT)))
        for name, entry in manifest.items():
            if entry["verdict"] == "full":
                continue
            buggy += 1
            report = grader.grade_file(folder / name)
            with_line += any(m.repair for f in report.functions for m in f.mistakes)
    print(f"buggy example submissions given a line: {with_line}/{buggy} = {with_line / buggy:.0%}")


def throughput(size: int, assignment: str) -> None:
    spec = load_assignment(assignment, ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        make_class(spec, folder, size=size, hostile_share=0.0)
        for repair in ("1", "0", "1"):
            out = Path(tmp) / f"results-{repair}"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--assignment", assignment,
                            "--jobs", "2", "--out", str(out), "--force"], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env={**os.environ, "AUTOGRADER_REPAIR": repair})
            elapsed = time.perf_counter() - start
            print(f"  {size} submissions, --jobs 2, repair {'on ' if repair == '1' else 'off'}: {elapsed:6.1f} s, "
                  f"{size / elapsed:5.1f}/s (goal >= 40/s with repair on)   (load {load_average()})", flush=True)


def check_time() -> None:
    for path in CHECKED:
        for repair in ("1", "0"):
            times = []
            for _ in range(5):
                start = time.perf_counter()
                subprocess.run([sys.executable, "-m", "autograder", "check", str(path)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "AUTOGRADER_REPAIR": repair})
                times.append(time.perf_counter() - start)
            print(f"  autograder check {path.name}, repair {'on ' if repair == '1' else 'off'}: median "
                  f"{statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}; goal < 2 s)"
                  f"   (load {load_average()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--assignment", default="one_hidden_layer")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--only-check", action="store_true", help="only the `autograder check` timings")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    if not args.only_check:
        print("1. repair fixtures")
        line_accuracy()
    print("2. autograder check on buggy files")
    check_time()
    if not args.skip_throughput and not args.only_check:
        print("3. throughput on bench_scale's class mix")
        throughput(args.size, args.assignment)


if __name__ == "__main__":
    main()
