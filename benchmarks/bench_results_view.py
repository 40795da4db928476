"""What the results folder costs when it is the gradebook's view: a run on one late file
rewrites grades.csv and report.json from every stored row of the exercise, and renders
feedback only for the students graded in that run (or whose files are missing).

A gradebook of N rows (one real report, stored N times) is written out twice: first with no
feedback files (every one rendered), then again as after a one-file run. Run from the
project root:

    python benchmarks/bench_results_view.py --rows 1000
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from machine import load_average, machine  # benchmarks/machine.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
SUBMISSION = ROOT / "examples" / "submissions" / "one_hidden_layer" / "bug_dw1_missing_1_over_m.py"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    from autograder.classroom.batch import write_view
    from autograder.classroom.fingerprint import encode, fingerprint
    from autograder.classroom.gradebook import Gradebook
    from autograder.grading import Grader
    from autograder.spec import load_assignment

    assignment = load_assignment("one_hidden_layer", ROOT)
    report = Grader(assignment).grade_file(SUBMISSION).as_dict()
    print(f"machine: {machine()}")
    print(f"load average at start: {load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        book = Gradebook(out / "gradebook.sqlite")
        now = fingerprint(assignment)
        for i in range(args.rows):
            book.record(f"s{i:05d}", assignment.name, "0" * 64, "s.py", {**report, "student": f"s{i:05d}"}, now)
        start = time.perf_counter()
        write_view(out, book, assignment)
        first = time.perf_counter() - start
        start = time.perf_counter()
        write_view(out, book, assignment, written={"s00001"})
        again = time.perf_counter() - start
        book.close()
    print(json.dumps({"rows": args.rows, "first_view_s": round(first, 2), "after_one_late_file_s": round(again, 2),
                      "fingerprint": encode(now)[:40] + "…"}))


if __name__ == "__main__":
    main()
