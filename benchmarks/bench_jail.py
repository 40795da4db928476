"""What the jail costs per submission: a sandbox child started, loaded and stopped, with the
jail on and off (``AUTOGRADER_JAIL=off``), and each layer's set-up time on its own.

Each setting runs in a fresh process of its own (a fork server is started once per process
and probes the kernel once). Run from the project root:

    python benchmarks/bench_jail.py --children 300
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import load_average, machine, machine_busy  # benchmarks/machine.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "submissions" / "one_hidden_layer" / "correct_classic_npdot.py"


def children(count: int) -> dict:
    """In this process: start, load and stop ``count`` sandbox children; wall and CPU each."""
    from autograder.load.source import load_file
    from autograder.run.sandbox.forkserver import ForkServer
    from autograder.run.sandbox.runner import Sandbox, jail_support

    loaded = load_file(SUBMISSION)
    support = jail_support()
    zygote = ForkServer.get()
    walls = []
    assert zygote is not None, "no fork server"
    for _ in range(20):  # warm up
        with Sandbox(loaded):
            pass
    busy_before = machine_busy()
    for _ in range(count):
        start = time.perf_counter()
        with Sandbox(loaded):
            pass
        walls.append(time.perf_counter() - start)
    time.sleep(0.3)  # the kernel tears namespaces down after the process ends
    cpu = machine_busy() - busy_before
    return {"jail": support.summary(), "median_ms": 1000 * statistics.median(walls),
            "p90_ms": 1000 * sorted(walls)[int(0.9 * len(walls))], "cpu_ms": 1000 * cpu / count}


def layers(count: int) -> dict:
    """Each layer's set-up alone, timed inside a forked process (median of ``count``)."""
    from autograder.run.sandbox import jail

    support = jail.probe(tempfile.mkdtemp())
    package = str(ROOT / "autograder")
    started = time.perf_counter()
    paths = jail.read_paths(package)
    rules = jail.Rules(paths)
    prepare_ms = 1000 * (time.perf_counter() - started)
    work = tempfile.mkdtemp()

    def timed(step) -> float:
        times = []
        for _ in range(count):
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:
                start = time.perf_counter()
                step()
                os.write(write, repr(time.perf_counter() - start).encode())
                os._exit(0)
            os.close(write)
            times.append(float(os.read(read, 100) or b"nan"))
            os.close(read)
            os.waitpid(pid, 0)
        return 1000 * statistics.median(times)

    def namespaces():
        jail._unshare_and_fork()
        jail._private_mounts(work, 1 << 20)

    figures = {"read rules": len(rules.fds), "prepare rules (once per fork server) ms": prepare_ms}
    if support.namespaces:
        figures["namespaces + /proc + tmpfs ms"] = timed(namespaces)
    if support.landlock_abi:
        figures["landlock ms"] = timed(lambda: (jail._drop_privileges(), jail._landlock(support.landlock_abi, work, rules)))
    if support.seccomp:
        figures["seccomp ms"] = timed(lambda: (jail._drop_privileges(), jail._seccomp()))
    figures["whole jail ms"] = timed(lambda: jail.enter(work, 1 << 20, rules, support))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=300)
    parser.add_argument("--part", choices=["children", "layers"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:  # one measurement, in this fresh process
        print(json.dumps(children(args.children) if args.part == "children" else layers(50)))
        return
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")

    def run(part: str, jail: str) -> dict:
        env = {**os.environ, "AUTOGRADER_JAIL": jail}
        done = subprocess.run([sys.executable, __file__, "--part", part, "--children", str(args.children)],
                              capture_output=True, text=True, env=env, cwd=ROOT, check=True)
        return json.loads(done.stdout.strip().splitlines()[-1])

    print(f"\nsandbox children started, loaded ({SUBMISSION.name}) and stopped, {args.children} each:")
    print(f"{'':>5} {'median ms':>10} {'p90 ms':>8} {'CPU ms':>8}  jail   (CPU: the whole machine's, per child)")
    for setting in ("off", "on"):
        figures = run("children", setting)
        print(f"{setting:>5} {figures['median_ms']:10.2f} {figures['p90_ms']:8.2f} {figures['cpu_ms']:8.2f}  "
              f"{figures['jail']}")
    print("\neach layer alone (median of 50, timed inside the child):")
    for name, value in run("layers", "on").items():
        print(f"  {name:<42} {value:8.2f}" if isinstance(value, float) else f"  {name:<42} {value:8d}")


if __name__ == "__main__":
    main()
