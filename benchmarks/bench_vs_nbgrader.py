"""`nbgrader autograde` against `autograder grade` on the same N submitted notebooks.

Why: the nbgrader export lets a course keep nbgrader, which pays a Jupyter kernel per
notebook; this measures what grading the same notebooks directly saves, and checks
that both give every student the same score. ``--kind course`` writes the notebooks as
students of the course do: heavy imports on top (matplotlib, PIL), ``%matplotlib inline``,
and a data and plot cell at top level that nbgrader runs and the grader skips. Both run in the same invocation, one
after the other (never at once), so they see the same machine. Run from the project
root with the venv's bin on PATH (nbgrader shells out to ``alembic``):

    python benchmarks/bench_vs_nbgrader.py --n 40 --jobs 2 [--kind course]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from machine import load_average, machine  # benchmarks/machine.py, beside this script
from nbgrader.api import Gradebook, MissingEntry

from autograder.integrations.nbgrader import fill_released

ROOT = Path(__file__).resolve().parents[1]
NAME = "one_hidden_layer"
EXAMPLES = ROOT / "examples" / "submissions" / NAME
TOLERANCE = 0.01


def python_m(args: list[str], cwd: Path, log: Path) -> tuple[float, int]:
    """Run ``python -m ARGS`` with the venv's bin on PATH; wall seconds and exit code, output to ``log``."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    start = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.call([sys.executable, "-m", *args], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    return time.perf_counter() - start, code


def checked(args: list[str], cwd: Path, log: Path) -> float:
    """``python_m`` that stops the benchmark on failure, showing the end of the log."""
    seconds, code = python_m(args, cwd, log)
    if code != 0:
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-30:])
        raise SystemExit(f"{' '.join(args)} failed with exit code {code}:\n{tail}")
    return seconds


def examples() -> list[Path]:
    """The example .py submissions (correct_* and bug_*), in a fixed shuffled order.

    Notebooks and old signatures are not fillable. Sorted by name, all bug_* come before
    correct_*, so a small N would hold no correct submission; a seeded shuffle mixes them.
    """
    files = sorted(p for p in EXAMPLES.glob("*.py") if p.name.startswith(("correct_", "bug_")))
    random.Random(0).shuffle(files)
    return files


# What a course-style notebook has around the answers (only packages installed here, so that
# nbgrader's kernel runs it as a student's would).
COURSE_TOP = ("import numpy as np\nimport matplotlib.pyplot as plt\nimport matplotlib\nfrom PIL import Image\n"
              "%matplotlib inline\nnp.random.seed(1)")
COURSE_BOTTOM = ("X = np.random.randn(2, 400)\nY = (X[0:1] * X[1:2] > 0).astype(float)\n"
                 "plt.scatter(X[0, :], X[1, :], c=Y.ravel(), s=40, cmap=plt.cm.Spectral)\n"
                 "plt.title('Planar data')\nplt.close('all')")


def course_style(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook as a student of the course writes it: imports on top, a plot at the end."""
    nb.cells.insert(0, nbformat.v4.new_code_cell(COURSE_TOP))
    nb.cells.append(nbformat.v4.new_code_cell(COURSE_BOTTOM))
    return nb


def build_class(course: Path, n: int, kind: str = "template") -> dict[str, Path]:
    """N submitted notebooks, cycling over the examples that ``fill_released`` can handle; student -> source."""
    released = course / "release" / NAME / f"{NAME}.ipynb"
    filled: list[tuple[Path, nbformat.NotebookNode]] = []
    for source in examples():
        try:
            filled.append((source, fill_released(released, source)))
        except (KeyError, SyntaxError, ValueError) as exc:
            print(f"skipped {source.name}: fill_released cannot handle it ({type(exc).__name__}: {exc})")
    if not filled:
        raise SystemExit("no example submission could be filled into the released notebook")
    print(f"{len(filled)} of {len(examples())} example .py submissions fillable, cycled to {n} notebooks")
    students: dict[str, Path] = {}
    for index, (source, nb) in zip(range(n), itertools.cycle(filled)):
        student = f"s{index:04d}"
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        nbformat.write(course_style(nbformat.from_dict(nb)) if kind == "course" else nb, folder / f"{NAME}.ipynb")
        students[student] = source
    correct = sum(1 for source in students.values() if source.name.startswith("correct_"))
    print(f"{len(set(students.values()))} distinct sources, {correct} of {n} notebooks from correct_* files")
    return students


def nbgrader_scores(course: Path, students: list[str]) -> dict[str, float | None]:
    """Per-student total from nbgrader's gradebook (None when nbgrader has no submission for them)."""
    scores: dict[str, float | None] = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                scores[student] = float(gradebook.find_submission(NAME, student).score)
            except MissingEntry:
                scores[student] = None
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="number of submitted notebooks")
    parser.add_argument("--jobs", type=int, default=2, help="--jobs for autograder grade")
    parser.add_argument("--keep", type=Path, help="work in this (new or empty) folder and keep it")
    parser.add_argument("--kind", choices=("template", "course"), default="template",
                        help="notebooks as our template makes them, or in the course's style")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        if any(args.keep.iterdir()):
            raise SystemExit(f"--keep {args.keep} is not empty")
        work = args.keep.resolve()
    else:
        work = Path(tempfile.mkdtemp(prefix="bench_vs_nbgrader-"))
    try:
        course, out = work / "course", work / "out"
        checked(["autograder", "export", "nbgrader", NAME, str(course)], ROOT, work / "export.log")
        checked(["nbgrader", "generate_assignment", NAME, "--force"], course, work / "generate.log")
        students = build_class(course, args.n, args.kind)
        print(f"notebooks: {args.kind} style")

        nb_seconds, nb_code = python_m(["nbgrader", "autograde", NAME], course, work / "nbgrader_autograde.log")
        if nb_code != 0:
            print(f"warning: nbgrader autograde exited with {nb_code} (see {work / 'nbgrader_autograde.log'})")
        print(f"load average after nbgrader: {load_average()}")
        ours_seconds = checked(["autograder", "grade", str(course / "submitted"), "--assignment", NAME,
                                "--jobs", str(args.jobs), "--out", str(out), "--json", str(out / "r.json")],
                               ROOT, work / "autograder_grade.log")
        print(f"load average after autograder: {load_average()}")

        ours = {r["student"]: float(r["score"])
                for r in json.loads((out / "r.json").read_text(encoding="utf-8"))["submissions"]}
        theirs = nbgrader_scores(course, list(students))
        n = len(students)
        print()
        print(f"{'tool':<28} {'N':>5} {'seconds':>9} {'s/notebook':>11} {'notebooks/s':>12}")
        timings = (("nbgrader autograde", nb_seconds), (f"autograder grade --jobs {args.jobs}", ours_seconds))
        for tool, seconds in timings:
            print(f"{tool:<28} {n:>5} {seconds:>9.1f} {seconds / n:>11.3f} {n / seconds:>12.2f}")
        print(f"throughput ratio (autograder / nbgrader): {nb_seconds / ours_seconds:.1f}x")

        disagreements = []
        for student, source in students.items():
            mine, nbg = ours.get(student), theirs.get(student)
            if mine is None or nbg is None or abs(mine - nbg) > TOLERANCE:
                disagreements.append((student, source.name, nbg, mine))
        if disagreements:
            print(f"scores agree: NO, {len(disagreements)} of {n} differ by more than {TOLERANCE}:")
            for student, source_name, nbg, mine in disagreements:
                gap = "" if nbg is None or mine is None else f", off by {abs(nbg - mine):.4f}"
                print(f"  {student} ({source_name}): nbgrader {nbg}, autograder {mine}{gap}")
        else:
            print(f"scores agree: yes, all {n} within {TOLERANCE}")
        if args.keep:
            print(f"kept in {work}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
