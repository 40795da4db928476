"""How long is the feedback a student reads? Lines of ``autograder check`` per example submission.

Prints, for every example submission of every assignment, the lines of the whole text report
and the lines with ``-f FUNCTION`` for each function that lost points (the longest is shown),
and the budget: a submission with one mistake gets at most 30 lines, 12 with ``-f``.
Run: ``python benchmarks/bench_feedback_length.py`` (numbers go in benchmarks/RESULTS.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

import tomllib

from autograder.grading import Grader
from autograder.report.feedback import render_text
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parent.parent
WHOLE, ONE = 30, 12


def mistakes_in(expected: dict, name: str) -> int | None:
    """How many mistakes the example was written with (from its file name: bug_two_… has two)."""
    if name.startswith("correct"):
        return 0
    return 2 if name.startswith(("bug_two", "bug_notebook_two")) else 1


def main() -> int:
    over = 0
    rows = []
    for folder in sorted((ROOT / "examples" / "submissions").iterdir()):
        spec = load_assignment(folder.name)
        grader = Grader(spec)
        expected = tomllib.loads((folder / "expected.toml").read_text()) if (folder / "expected.toml").exists() else {}
        for path in sorted(p for p in folder.iterdir() if p.suffix in (".py", ".ipynb")):
            report = grader.grade_file(path).as_dict()
            whole = len(render_text(report).splitlines())
            lost = [f["name"] for f in report["functions"] if f["score"] < f["max_score"] - 1e-6]
            one = max((len(render_text(report, [name]).splitlines()) for name in lost), default=0)
            count = mistakes_in(expected, path.stem)
            within = count != 1 or (whole <= WHOLE and one <= ONE)
            over += not within
            rows.append((folder.name, path.name, count, whole, one, "" if within else "  OVER BUDGET"))
    print(f"{'assignment':<20} {'submission':<58} {'mistakes':>8} {'lines':>5} {'-f max':>6}")
    for assignment, name, count, whole, one, flag in rows:
        print(f"{assignment:<20} {name:<58} {count:>8} {whole:>5} {one:>6}{flag}")
    single = [r for r in rows if r[2] == 1]
    print(f"\nsingle-mistake submissions: {len(single)}; longest whole report {max(r[3] for r in single)} lines "
          f"(budget {WHOLE}), longest -f report {max(r[4] for r in single)} lines (budget {ONE}); over budget: {over}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
