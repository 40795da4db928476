"""Where one submission's CPU time goes, phase by phase, in one grading process.

Grades a generated class in this process (as one `--jobs` worker does) and prints, per
submission: the CPU time of each phase of the grading worker (reading the file, running it
in the sandbox as seen from the worker, scoring the checks, naming the mistakes), and the
CPU time of the sandbox side (the fork server and the children it forked, read from /proc).
The first submissions warm the batch-wide caches (reference outputs, mistake fingerprints)
and are not counted. Run from the project root:

    python benchmarks/bench_phases.py --size 600 --warm 200
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from machine import load_average, machine, machine_busy, proc_stat  # benchmarks/machine.py, beside this script

from autograder import grading
from autograder.authoring.synthetic_class import make_class
from autograder.grading import grade_safely
from autograder.run.sandbox.forkserver import ForkServer
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parents[1]
PHASES = {"load_file": "read the file", "execute": "run it (worker side)",
          "judge_steps": "compare every step", "judge_function": "score the checks",
          "diagnose": "name the mistakes",
          "rerun": "callers run on their own", "repair_report": "repair search"}


def timed(spent: Counter, name: str, function):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - start
    return wrapper


def sandbox_cpu(pid: int) -> tuple[float, float]:
    """CPU seconds of a process itself and of its children it has reaped."""
    fields = proc_stat(pid)
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="one_hidden_layer")
    parser.add_argument("--size", type=int, default=600)
    parser.add_argument("--warm", type=int, default=200, help="submissions graded first, not counted")
    args = parser.parse_args()
    spent: Counter = Counter()
    for name in PHASES:  # the names grading.py calls, wrapped where it looks them up
        setattr(grading, name, timed(spent, name, getattr(grading, name)))
    spec = load_assignment(args.assignment, ROOT)
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        make_class(spec, Path(tmp), size=args.size, hostile_share=0.0)
        files = sorted(Path(tmp).iterdir())
        grader = grading.Grader(spec)
        for path in files[: args.warm]:
            grade_safely(grader, path.stem, path)
        server = ForkServer.get()
        counted = files[args.warm:]
        spent.clear()
        own0, children0 = sandbox_cpu(server.proc.pid) if server else (0.0, 0.0)
        start, wall, busy = time.process_time(), time.perf_counter(), machine_busy()
        for path in counted:
            grade_safely(grader, path.stem, path)
        worker = time.process_time() - start
        wall = time.perf_counter() - wall
        busy = machine_busy() - busy
        own1, children1 = sandbox_cpu(server.proc.pid) if server else (0.0, 0.0)
    n = len(counted)
    print(f"{n} submissions counted (after {args.warm} to warm up); CPU ms per submission:")
    print(f"  wall clock                    {wall / n * 1e3:7.2f}")
    print(f"  grading worker                {worker / n * 1e3:7.2f}")
    for name, label in PHASES.items():
        print(f"    {label:<27} {spent[name] / n * 1e3:7.2f}")
    rest = worker - sum(spent.values())
    print(f"    {'the rest (report, ...)':<27} {rest / n * 1e3:7.2f}")
    print(f"  fork server                   {(own1 - own0) / n * 1e3:7.2f}")
    print(f"  sandbox children              {(children1 - children0) / n * 1e3:7.2f}   (those the fork server reaped)")
    print(f"  whole machine                 {busy / n * 1e3:7.2f}   (every process and the kernel: the children's")
    print("                                          PID-1 processes, reaped by init, and the jail's kernel work too;")
    print("                                          meaningful only on an otherwise idle machine)")
    print(f"load average at end: {load_average()}")


if __name__ == "__main__":
    main()
