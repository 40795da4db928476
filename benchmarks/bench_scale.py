"""Throughput and memory of `autograder grade` on a generated class.

Prints, for each class size and --jobs value: wall time, submissions per second,
and the peak resident memory of the whole process tree (grader, workers and
sandboxed children, sampled every 0.2 s from /proc). Run from the project root:

    python benchmarks/bench_scale.py --sizes 100 1000 --jobs 1 2
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import load_average, machine, proc_stat  # benchmarks/machine.py, beside this script

from autograder.authoring.synthetic_class import make_class
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SECONDS = 0.2  # memory sampled this often: the sampler runs on the cores it measures


def tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc).

    Follows each process's ``task/*/children`` list rather than reading every process of the
    machine: a scan of all of /proc every 50 ms cost about a tenth of the throughput measured."""
    total, todo = 0, [root_pid]
    page_kib = os.sysconf("SC_PAGE_SIZE") // 1024
    while todo:
        pid = todo.pop()
        try:
            total += int(proc_stat(pid)[21]) * page_kib
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    todo += [int(child) for child in handle.read().split()]
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
    return total


def run(folder: Path, jobs: int, assignment: str) -> tuple[float, int]:
    out = folder.parent / f"results-{folder.name}-{jobs}"
    cmd = [sys.executable, "-m", "autograder", "grade", str(folder), "--assignment", assignment,
           "--jobs", str(jobs), "--out", str(out), "--force"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss_kib(proc.pid))
        time.sleep(SAMPLE_SECONDS)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"grading failed with exit code {proc.returncode}: {' '.join(cmd)}")
    return elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="one_hidden_layer")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--hostile-share", type=float, default=0.0,
                        help="share of hostile submissions (timeouts dominate the time when > 0)")
    args = parser.parse_args()
    spec = load_assignment(args.assignment, ROOT)
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    print(f"{'N':>7} {'jobs':>4} {'seconds':>9} {'subm/s':>8} {'peak RSS MiB':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = Path(tmp) / f"class{size}"
            make_class(spec, folder, size=size, hostile_share=args.hostile_share)
            for jobs in args.jobs:
                elapsed, peak = run(folder, jobs, args.assignment)
                print(f"{size:>7} {jobs:>4} {elapsed:>9.1f} {size / elapsed:>8.1f} {peak / 1024:>13.0f}"
                      f"   (load {load_average()})", flush=True)


if __name__ == "__main__":
    main()
