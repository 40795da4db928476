"""Course-style notebooks against `.py` files: `autograder grade` throughput on both.

Why: notebooks written in the course's own style start with heavy imports (matplotlib,
sklearn), the course's helper modules (planar_utils, testCases) and top-level training and
plots. The grader should pay for none of that: a class of such notebooks should grade at no
less than half the rate of the same code handed in as `.py` files. The class has N
submissions, a quarter correct: tests/fixtures/course/one_hidden_layer/course_correct.ipynb
with the course's recurring mistakes edited in (and its renamed sibling), graded as
notebooks and again as `.py` files (the code cells, one after the other). The synthetic
class of bench_scale (reference, alternatives, catalogue mistakes) is graded too, for
reference: its mistakes are the catalogue's, which the repair search undoes first, where the
course's are searched for. Run from the project root:

    python benchmarks/bench_course_style.py --n 200 --jobs 2
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from machine import load_average, machine  # benchmarks/machine.py, beside this script

from autograder.authoring.synthetic_class import make_class
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parents[1]
NAME = "one_hidden_layer"
COURSE = ROOT / "tests" / "fixtures" / "course" / NAME
# The course's recurring mistakes, as students write them in its notebook.
EDITS = [
    ("    dW2 = (1 / m) * np.dot(dZ2, A1.T)", "    dW2 = np.dot(dZ2, A1.T)"),
    ("np.sum(dZ2, axis=1, keepdims=True)", "np.sum(dZ2, axis=1)"),
    ("1 - np.power(A1, 2)", "A1 * (1 - A1)"),
    ("np.dot(W2.T, dZ2)", "np.dot(W2, dZ2)"),
    ("    A2 = sigmoid(Z2)", "    A2 = np.tanh(Z2)"),
    ("    cost = - np.sum(logprobs) / m", "    cost = - np.sum(logprobs)"),
    ("    W1 = W1 - learning_rate * dW1", "    W1 = W1 + learning_rate * dW1"),
    ("    predictions = (A2 > 0.5)", "    predictions = A2"),
    ("    dW1 = (1 / m) * np.dot(dZ1, X.T)", "    dW1 = (1 / m) * np.dot(dZ1, X)"),
]


def notebook_class(folder: Path, n: int) -> None:
    """N course-style notebooks: a quarter correct, the rest one or two of EDITS each, with
    the renamed-functions notebook among them."""
    folder.mkdir(parents=True)
    correct = nbformat.read(COURSE / "course_correct.ipynb", as_version=4)
    renamed = (COURSE / "course_renamed.ipynb").read_text(encoding="utf-8")
    for index in range(n):
        nb = nbformat.from_dict(correct)
        if index % 4:
            chosen = [EDITS[index % len(EDITS)]] + ([EDITS[(index // 3) % len(EDITS)]] if index % 3 == 0 else [])
            for cell in nb.cells:
                for old, new in chosen:
                    cell.source = cell.source.replace(old, new)
        path = folder / f"s{index:05d}.ipynb"
        if index % 17 == 5:
            path.write_text(renamed, encoding="utf-8")
        else:
            nbformat.write(nb, path)


def as_scripts(notebooks: Path, folder: Path) -> None:
    """The same submissions as `.py` files: each notebook's code cells, in order."""
    folder.mkdir(parents=True)
    for path in sorted(notebooks.glob("*.ipynb")):
        cells = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        (folder / f"{path.stem}.py").write_text("\n\n".join(cells) + "\n", encoding="utf-8")


def grade(folder: Path, jobs: int) -> float:
    out = folder.parent / f"results-{folder.name}"
    cmd = [sys.executable, "-m", "autograder", "grade", str(folder), "--assignment", NAME, "--jobs", str(jobs),
           "--out", str(out), "--force"]
    start = time.perf_counter()
    code = subprocess.call(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if code != 0:
        raise SystemExit(f"grading failed with exit code {code}: {' '.join(cmd)}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        notebooks, scripts, synthetic = Path(tmp) / "notebooks", Path(tmp) / "scripts", Path(tmp) / "synthetic"
        notebook_class(notebooks, args.n)
        as_scripts(notebooks, scripts)
        make_class(load_assignment(NAME, ROOT), synthetic, size=args.n, hostile_share=0.0)
        print(f"{'class':<36} {'N':>5} {'seconds':>9} {'subm/s':>8}")
        rates = {}
        for label, folder in (("course-style notebooks", notebooks), ("the same as .py files", scripts),
                              (".py files (synthetic class)", synthetic)):
            seconds = grade(folder, args.jobs)
            rates[label] = args.n / seconds
            print(f"{label:<36} {args.n:>5} {seconds:>9.1f} {rates[label]:>8.1f}   (load {load_average()})", flush=True)
        ratio = rates["course-style notebooks"] / rates["the same as .py files"]
        print(f"notebooks / the same .py files: {ratio:.2f} (goal: at least 0.5)")


if __name__ == "__main__":
    main()
