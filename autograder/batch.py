"""Grade a class: parallel workers, the gradebook, and the results folder.

Workers are processes, each with its own :class:`Grader` (inputs and fingerprints
built once per worker); each submission still runs in its own sandbox. The
parent records every result in the gradebook as soon as it arrives, then writes
grades.csv, report.json, per-student feedback (Markdown, HTML) and Gradescope
results.json files.
"""

from __future__ import annotations

import csv
import json
import os
import traceback
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from .feedback import render_html, render_markdown
from .gradebook import Gradebook, file_hash
from .grading import Grader
from .integrations.gradescope import results_json
from .layout import Submission
from .sandbox.runner import Limits
from .spec import Assignment, load_assignment

_worker: Grader | None = None


@dataclass
class BatchResult:
    gradebook: Gradebook
    assignment: str
    students: list[str] = field(default_factory=list)
    graded: int = 0
    skipped: int = 0

    def iter_reports(self) -> Iterator[tuple[str, dict]]:
        """The class's reports, read back from the gradebook one at a time."""
        return self.gradebook.iter_reports(self.assignment, self.students)

    def iter_report_texts(self) -> Iterator[tuple[str, str]]:
        """The same, as the JSON text stored (for :func:`write_results`)."""
        return self.gradebook.iter_report_texts(self.assignment, self.students)

    @property
    def reports(self) -> dict[str, dict]:
        """All reports at once (small classes, tests); large classes should iterate."""
        return dict(self.iter_reports())


def _init_worker(name: str, root: str, limits: Limits | None) -> None:
    global _worker
    _worker = Grader(load_assignment(name, Path(root)), limits=limits)


def _grade_one(student: str, path: str) -> dict:
    assert _worker is not None
    return grade_safely(_worker, student, Path(path))


def grade_safely(grader: Grader, student: str, path: Path) -> dict:
    """A report for any submission; an error in the grader itself costs only this one."""
    try:
        report = grader.grade_file(path, label=path.name).as_dict()
    except Exception as exc:  # noqa: BLE001 - never lose the batch to one submission
        report = {
            "assignment": grader.assignment.name, "submission": path.name, "score": 0.0,
            "max_score": grader.assignment.max_score, "notes": [], "functions": [],
            "error": f"internal error while grading ({type(exc).__name__}: {exc}); "
                     f"please report it: {traceback.format_exc(limit=2)[-300:]}",
        }
    report["student"] = student
    return report


def grade_class(assignment: Assignment, submissions: list[Submission], gradebook: Gradebook, jobs: int = 1,
                limits: Limits | None = None, progress: Callable[[str, dict | None], None] | None = None,
                force: bool = False, scheduler: str | None = None) -> BatchResult:
    """Grade every submission not already in the gradebook with the same file
    (on the Dask cluster at ``scheduler`` when given)."""
    result = BatchResult(gradebook, assignment.name, [sub.student for sub in submissions])
    todo = []
    for sub in submissions:
        digest = file_hash(sub.path)
        if not force and gradebook.is_current(sub.student, assignment.name, digest):
            result.skipped += 1
            if progress:
                progress(sub.student, None)
        else:
            todo.append((sub, digest))
    if scheduler and todo:
        from .distributed import grade_on_cluster

        by_student = {sub.student: (sub, digest) for sub, digest in todo}

        def on_report(student: str, report: dict | None, failure: str | None) -> None:
            sub, digest = by_student[student]
            _store(gradebook, assignment, sub, digest, report or _failed(assignment, sub, failure or ""),
                   result, progress)

        grade_on_cluster(scheduler, assignment, [(sub.student, sub.path) for sub, _ in todo], limits, on_report)
    elif jobs <= 1:
        grader = Grader(assignment, limits=limits)
        for sub, digest in todo:
            _store(gradebook, assignment, sub, digest, grade_safely(grader, sub.student, sub.path), result, progress)
    elif todo:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                 initargs=(assignment.name, str(assignment.root), limits)) as pool:
            futures = {pool.submit(_grade_one, sub.student, str(sub.path)): (sub, digest) for sub, digest in todo}
            for future in as_completed(futures):
                sub, digest = futures.pop(future)  # let the report go once it is stored
                try:
                    report = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died: record it, go on
                    report = _failed(assignment, sub, f"the grading worker failed ({type(exc).__name__}: {exc})")
                _store(gradebook, assignment, sub, digest, report, result, progress)
    return result


def _failed(assignment: Assignment, sub: Submission, why: str) -> dict:
    return {"assignment": assignment.name, "submission": sub.path.name, "student": sub.student, "score": 0.0,
            "max_score": assignment.max_score, "notes": [], "functions": [], "error": why}


def _store(gradebook: Gradebook, assignment: Assignment, sub: Submission, digest: str, report: dict,
           result: BatchResult, progress: Callable[[str, dict | None], None] | None) -> None:
    gradebook.record(sub.student, assignment.name, digest, str(sub.path), report)
    result.graded += 1
    if progress:
        progress(sub.student, report)


@dataclass
class Line:
    """What the command line prints per student after a batch."""

    student: str
    score: float
    max_score: float
    error: str | None
    mistakes: list[str]


def write_results(out: Path, assignment: Assignment,
                  reports: Mapping[str, dict] | Iterable[tuple[str, dict | str]],
                  written: Container[str] = ()) -> list[Line]:
    """grades.csv, report.json, and each student's feedback files (see :func:`write_feedback`)
    unless they are among ``written`` already (as each report came in).

    One pass over the reports, one report in memory at a time. A report given as its JSON
    text (as the gradebook stores it) goes into report.json as it is, not encoded again:
    this pass runs on one core after the workers are done."""
    items = sorted(reports.items()) if isinstance(reports, Mapping) else reports
    out.mkdir(parents=True, exist_ok=True)
    functions = list(assignment.functions)
    lines = []
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as table, \
            open(out / "report.json", "w", encoding="utf-8") as whole:
        writer = csv.writer(table)
        writer.writerow(["student", "file", "score", "max_score", "error", *functions])
        whole.write(f'{{"assignment": {json.dumps(assignment.name)}, "submissions": [')
        for i, (student, stored) in enumerate(items):
            if isinstance(stored, str):
                text, report = stored, json.loads(stored)
            else:
                text, report = json.dumps(stored, ensure_ascii=False), stored
            per_fn = {f["name"]: f["score"] for f in report["functions"]}
            writer.writerow([student, report["submission"], report["score"], report["max_score"],
                             report["error"] or "", *[per_fn.get(f, 0.0) for f in functions]])
            whole.write(("," if i else "") + "\n" + text)
            if student not in written:
                write_feedback(out, student, report)
            ids = sorted({m["id"] for f in report["functions"] for m in f["mistakes"]})
            lines.append(Line(student, report["score"], report["max_score"], report["error"], ids))
        whole.write("\n]}\n")
    return lines


def write_feedback(out: Path, student: str, report: dict) -> None:
    """feedback/<student>.md and .html, gradescope/<student>/results.json: written as each
    report is stored, while the other submissions are being graded."""
    safe = _safe_name(student)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "feedback" / f"{safe}.md").write_text(render_markdown(report, student), encoding="utf-8")
    (out / "feedback" / f"{safe}.html").write_text(render_html(report, student), encoding="utf-8")
    folder = out / "gradescope" / safe
    folder.mkdir(parents=True, exist_ok=True)
    # no indent: json's fast C encoder only runs without one
    (folder / "results.json").write_text(json.dumps(results_json(report), ensure_ascii=False), encoding="utf-8")


def _safe_name(student: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in student) or "student"


def default_jobs() -> int:
    return max(1, (os.cpu_count() or 1))
