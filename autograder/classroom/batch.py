"""Grade a class: parallel workers, the gradebook, and the results folder.

Workers are processes, each with its own :class:`Grader` (inputs and fingerprints
built once per worker); each submission still runs in its own sandbox. The
parent records every result in the gradebook as soon as it arrives, then writes
the results folder from the gradebook (:func:`write_results`): the folder is the
gradebook's view, every stored row of every exercise, so a run on a few late files adds
and updates rows and never drops the others.

The results folder holds one subfolder per exercise, ``OUT/<exercise>/`` with
grades.csv (a column per function), report.json, feedback/STUDENT.md and .html and
gradescope/STUDENT/results.json, next to ``OUT/gradebook.sqlite`` and ``OUT/grades.csv``,
the class at a glance: one row per student, one column per exercise's score.

Only verdicts are kept for good. A report whose grading failed for a reason outside the
student's code carries ``error_kind = "grader"`` (:data:`~autograder.grading.GRADER`; a
submission's own error, its verdict, has ``"submission"``, no error ``None``): an internal
error of the grader (:func:`grade_safely`), a chunk lost on the cluster, or a grading
worker that died. The gradebook stores such a report as not current, so the next run
grades that submission again; :class:`BatchResult` counts them in ``retry``.

A worker that dies (``BrokenProcessPool``: killed from outside, out of memory, or by a
submission that got out of its sandbox) does not fail the submissions still waiting. At
most ``2 * jobs`` submissions are out in the pool at a time; when a worker dies, the pool
is started again, the submissions not yet sent are sent as before, and those that were
out (one of them killed the worker) are graded again one at a time, alone in the pool.
One that was out when a worker died :data:`WORKER_DEATHS` times — the second time alone,
so that death was its own — is stored as not graded (``"grader"``, retried on the next
run), and the batch goes on. Pools that keep dying before grading anything
(``2 * jobs + 2`` in a row) end the attempt: what is left is stored the same way.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import json
import os
import sys
from collections import deque
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from autograder.classroom.fingerprint import fingerprint
from autograder.classroom.gradebook import Gradebook, file_hash, is_verdict
from autograder.classroom.layout import Submission
from autograder.grading import GRADER, Grader, grade_safely
from autograder.report.feedback import render_html, render_markdown
from autograder.report.findings import unparsed
from autograder.report.gradescope import results_json
from autograder.report.untrusted import clean_report, csv_cell, no_surrogates
from autograder.run.sandbox.runner import Limits, sweep_folders
from autograder.run.signature import CANNOT_CHECK
from autograder.spec import Assignment, load_assignment

_worker: Grader | None = None
_worker_before: Callable[[str], None] | None = None

# Test hook: when set (to a picklable function), each pool worker calls it with the student's id
# before grading that submission; tests make a worker die there. Never set outside tests.
_worker_hook: Callable[[str], None] | None = None

WORKER_DEATHS = 2  # a submission out when a worker died this many times is not graded in this run


@dataclass
class BatchResult:
    gradebook: Gradebook
    assignment: str
    students: list[str] = field(default_factory=list)
    graded: int = 0  # stored with a verdict
    skipped: int = 0  # unchanged since their stored verdict
    retry: int = 0  # grading failed (not the submission's doing): stored not current, graded again next run
    unchanged: list[str] = field(default_factory=list)  # the students skipped (same file, same assignment)
    why: dict[str, int] = field(default_factory=dict)  # why the others were graded: reason -> how many

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


# The most address space a grading worker may take. Its own work is small (a few hundred MB:
# numpy, the reference, one report); a stage that grows with a submission past this fails that
# submission with MemoryError instead of the machine running out (red team 6: a repair search
# that built every pair of 300 copied lines took 1.6 GB). Its sandbox children have their own
# lower limit (Limits.memory_bytes), the reference server its own (judge.serving.MEMORY).
WORKER_MEMORY = 6 * 1024**3


def _init_worker(name: str, root: str, limits: Limits | None, before: Callable[[str], None] | None,
                 accept_renamed: bool = False) -> None:
    global _worker, _worker_before
    _die_with_parent()
    _limit_memory(max(WORKER_MEMORY, 2 * (limits or Limits()).memory_bytes))
    _worker = Grader(load_assignment(name, Path(root)), limits=limits, accept_renamed=accept_renamed)
    _worker_before = before
    _collect_rarely()


def _collect_rarely() -> None:
    """Garbage collection for a process that grades many files: what lives now (modules, the
    workload, the grader) is never scanned again, and young objects are collected 14 times
    less often. A report's objects are freed by reference counting; only cycles (tracebacks)
    wait for a collection. With the defaults, collections cost about 2 ms a submission."""
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _limit_memory(size: int) -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > size:
        resource.setrlimit(resource.RLIMIT_AS, (size if hard == resource.RLIM_INFINITY else min(size, hard), hard))


def _die_with_parent() -> None:
    """A worker ends when the grading process does, even killed with ``kill -9``: its fork
    server then sees its socket close and ends too, and so do the sandboxes (see jail.enter)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG, SIGKILL
        if os.getppid() == 1:  # the grader was already gone
            os._exit(1)


def _grade_one(student: str, path: str, own_folder: bool = False) -> dict:
    assert _worker is not None
    if _worker_before is not None:
        _worker_before(student)
    return grade_safely(_worker, student, Path(path), own_folder)


def grade_class(assignment: Assignment, submissions: list[Submission], gradebook: Gradebook, jobs: int = 1,
                limits: Limits | None = None, progress: Callable[[str, dict | None], None] | None = None,
                force: bool = False, scheduler: str | None = None, accept_renamed: bool = False) -> BatchResult:
    """Grade every submission without a current verdict in the gradebook for the same file and
    the same assignment (:mod:`.fingerprint`), on the Dask cluster at ``scheduler`` when given;
    ``result.why`` counts why each was graded, ``result.unchanged`` names the others.
    ``accept_renamed``: a renamed function is graded under the required name (the report says so)."""
    result = BatchResult(gradebook, assignment.name, [sub.student for sub in submissions])
    now = fingerprint(assignment, accept_renamed)
    todo = []
    for sub in submissions:
        digest = file_hash(sub.path, sub.own_folder)
        why = "--force" if force else gradebook.why_regrade(sub.student, assignment.name, digest, now)
        if why is None:
            result.skipped += 1
            result.unchanged.append(sub.student)
            if progress:
                progress(sub.student, None)
        else:
            result.why[why] = result.why.get(why, 0) + 1
            todo.append((sub, digest))

    def store(item: tuple[Submission, str], report: dict) -> None:
        _store(gradebook, assignment, item[0], item[1], report, result, progress, now)

    if scheduler and todo:
        from autograder.classroom.distributed import grade_on_cluster

        by_student = {sub.student: (sub, digest) for sub, digest in todo}

        def on_report(student: str, report: dict | None, failure: str | None) -> None:
            sub, digest = by_student[student]
            store((sub, digest), report or _failed(assignment, sub, failure or ""))

        grade_on_cluster(scheduler, assignment, [(sub.student, sub.path) for sub, _ in todo], limits, on_report,
                         accept_renamed=accept_renamed)
    elif jobs <= 1:
        grader = Grader(assignment, limits=limits, accept_renamed=accept_renamed)
        thresholds = gc.get_threshold()
        _collect_rarely()
        try:
            for sub, digest in todo:
                store((sub, digest), grade_safely(grader, sub.student, sub.path, sub.own_folder))
        finally:
            gc.unfreeze()
            gc.set_threshold(*thresholds)
    elif todo:
        _grade_in_pools(assignment, todo, jobs, limits, store, accept_renamed)
    return result


def _grade_in_pools(assignment: Assignment, todo: list[tuple[Submission, str]], jobs: int, limits: Limits | None,
                    store: Callable[[tuple[Submission, str], dict], None], accept_renamed: bool = False) -> None:
    """Grade ``todo`` in a pool of ``jobs`` workers, started again whenever a worker dies
    (see the module's docstring); every item is stored exactly once."""
    waiting = deque(range(len(todo)))  # not sent yet
    alone: deque[int] = deque()  # out when a worker died: sent again one at a time
    deaths = [0] * len(todo)
    fruitless = 0  # pools in a row that died before a single report came back
    while waiting or alone:
        out: dict[Future, int] = {}
        lost: list[int] = []
        broken: BaseException | None = None
        delivered = 0
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                   initargs=(assignment.name, str(assignment.root), limits, _worker_hook,
                                             accept_renamed))
        try:
            while True:
                if broken is None and not (alone and out):
                    source, room = (alone, 1) if alone else (waiting, 2 * jobs)
                    while source and len(out) < room:
                        i = source.popleft()
                        try:
                            out[pool.submit(_grade_one, todo[i][0].student, str(todo[i][0].path),
                                        todo[i][0].own_folder)] = i
                        except BrokenProcessPool as exc:  # it died before this one was sent
                            source.appendleft(i)
                            broken = exc
                            break
                if not out:
                    break
                done, _ = wait(out, return_when=FIRST_COMPLETED)
                for future in done:
                    i = out.pop(future)  # let the report go once it is stored
                    try:
                        report = future.result()
                    except BrokenProcessPool as exc:  # a worker died: this one was out, the rest goes on
                        broken = broken or exc
                        lost.append(i)
                        continue
                    except Exception as exc:  # noqa: BLE001 - the report did not come back: record it, go on
                        report = _failed(assignment, todo[i][0],
                                         f"the grading worker failed ({type(exc).__name__}: {exc})")
                    delivered += 1
                    store(todo[i], report)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            sweep_folders()  # a worker that died left its submission folders behind
        if broken is None:
            continue
        fruitless = 0 if delivered else fruitless + 1
        why = f"{type(broken).__name__}: {broken}"
        for i in lost:
            deaths[i] += 1
            if deaths[i] < WORKER_DEATHS:
                alone.append(i)
            else:
                store(todo[i], _failed(assignment, todo[i][0], (
                    f"the grading worker died {deaths[i]} times while grading this file, the last time "
                    f"alone ({why}); it is graded again on the next run")))
        if fruitless >= 2 * jobs + 2:
            for i in (*alone, *waiting):
                store(todo[i], _failed(assignment, todo[i][0], (
                    f"the grading workers kept dying before grading anything ({fruitless} times in a "
                    f"row; {why}); it is graded again on the next run")))
            alone.clear()
            waiting.clear()


def _failed(assignment: Assignment, sub: Submission, why: str) -> dict:
    """The report of a submission whose grading failed outside its own code: no verdict."""
    return {"assignment": assignment.name, "submission": sub.path.name, "student": sub.student, "score": 0.0,
            "max_score": assignment.max_score, "error": why, "error_kind": GRADER, "notes": [], "functions": []}


def _store(gradebook: Gradebook, assignment: Assignment, sub: Submission, digest: str, report: dict,
           result: BatchResult, progress: Callable[[str, dict | None], None] | None,
           now: dict[str, str]) -> None:
    report = clean_report(report)  # a file's name or a child's text may hold what no file can encode
    if gradebook.record(sub.student, assignment.name, digest, str(sub.path), report, now):
        result.graded += 1
    else:
        result.retry += 1
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
    retry: bool = False  # grading failed (not the submission's doing): graded again on the next run


def exercise_folder(out: Path, assignment: str) -> Path:
    """Where one exercise's files live in the results folder ``out``."""
    return out / safe_name(assignment)


def write_view(out: Path, gradebook: Gradebook, assignment: Assignment, written: Container[str] = (),
               jail: str | None = None) -> list[Line]:
    """The results folder as the gradebook's view: this exercise's files from every row stored
    for it (:func:`write_results`), and ``OUT/grades.csv`` across exercises (:func:`write_overview`)."""
    lines = write_results(exercise_folder(out, assignment.name), assignment,
                          gradebook.iter_report_texts(assignment.name), written, jail=jail)
    write_overview(out, gradebook)
    return lines


def write_overview(out: Path, gradebook: Gradebook) -> Path:
    """``OUT/grades.csv``: one row per student, one column per exercise (its score; empty when
    the student handed nothing in, or when its grading failed and waits for the next run)."""
    names = gradebook.assignments()
    table: dict[str, dict[str, float | None]] = {}
    for student, name, score in gradebook.scores():
        table.setdefault(student, {})[name] = score
    out.mkdir(parents=True, exist_ok=True)
    path = out / "grades.csv"
    with open(path, "w", newline="", encoding="utf-8", errors="replace") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *names])
        for student in sorted(table):
            row = table[student]
            writer.writerow([csv_cell(student), *("" if row.get(n) is None else row[n] for n in names)])
    return path


def write_results(folder: Path, assignment: Assignment,
                  reports: Mapping[str, dict] | Iterable[tuple[str, dict | str]],
                  written: Container[str] = (), jail: str | None = None) -> list[Line]:
    """One exercise's files in ``folder``: grades.csv, report.json, and each student's feedback
    files (see :func:`write_feedback`) unless they are among ``written`` already (as each report
    came in) or exist already (an unchanged row: the same report wrote them before). ``jail``
    (what the kernel enforced around the students' code, see ``runner.jail_support``) heads
    report.json.

    One pass over the reports, one report in memory at a time. A report given as its JSON
    text (as the gradebook stores it) goes into report.json as it is, not encoded again:
    this pass runs on one core after the workers are done.

    Text cells of grades.csv that a spreadsheet would run as a formula (a student named
    ``=HYPERLINK(…)``) start with ``'`` (:func:`~autograder.report.untrusted.csv_cell`)."""
    items = sorted(reports.items()) if isinstance(reports, Mapping) else reports
    folder.mkdir(parents=True, exist_ok=True)
    functions = list(assignment.functions)
    lines = []
    with open(folder / "grades.csv", "w", newline="", encoding="utf-8", errors="replace") as table, \
            open(folder / "report.json", "w", encoding="utf-8", errors="replace") as whole:
        writer = csv.writer(table)
        writer.writerow(["student", "file", "score", "max_score", "error", *functions])
        jail_field = f'"jail": {json.dumps(jail)}, ' if jail else ""
        whole.write(f'{{"assignment": {json.dumps(assignment.name)}, {jail_field}"submissions": [')
        for i, (student, stored) in enumerate(items):
            if isinstance(stored, str):
                text, report = stored, json.loads(stored)
            else:
                report = clean_report(stored)
                text = json.dumps(report, ensure_ascii=False)
            per_fn = {f["name"]: f["score"] for f in report["functions"]}
            writer.writerow([csv_cell(student), csv_cell(report["submission"]), report["score"], report["max_score"],
                             csv_cell(report["error"] or ""), *[per_fn.get(f, 0.0) for f in functions]])
            whole.write(("," if i else "") + "\n" + text)
            if student not in written and not _has_feedback(folder, student):
                write_feedback(folder, student, report)
            ids = sorted({m["id"] for f in report["functions"] for m in f["mistakes"]} | _unnamed_losses(report))
            lines.append(Line(student, report["score"], report["max_score"], report["error"], ids,
                              not is_verdict(report)))
        whole.write("\n]}\n")
    return lines


def _unnamed_losses(report: dict) -> set[str]:
    """What the class summary says of a function that lost points without a named mistake, so
    that no heavy loss has an empty column: not defined, its cell not parsing, an old signature."""
    said = set()
    for fn in report.get("functions", []):
        if fn.get("mistakes") or fn.get("score", 0) >= fn.get("max_score", 0) - 1e-9:
            continue
        feedback = " ".join(c.get("feedback", "") for c in fn.get("checks", []) if not c.get("passed"))
        if unparsed(fn):
            said.add(f"{fn['name']}-does-not-parse")
        elif fn.get("status") in ("missing", "not-implemented"):
            said.add(f"{fn['name']}-{'not-defined' if fn['status'] == 'missing' else 'not-implemented'}")
        elif CANNOT_CHECK in feedback:
            said.add("signature-lacks-parameter")
    return said


def _has_feedback(folder: Path, student: str) -> bool:
    safe = safe_name(student)
    return all(p.is_file() for p in (folder / "feedback" / f"{safe}.md", folder / "feedback" / f"{safe}.html",
                                     folder / "gradescope" / safe / "results.json"))


def write_feedback(folder: Path, student: str, report: dict) -> None:
    """feedback/<student>.md and .html, gradescope/<student>/results.json in the exercise's
    ``folder``: written as each report is stored, while the other submissions are being graded.
    The files are named by :func:`safe_name`."""
    safe = safe_name(student)
    report = clean_report(report)
    (folder / "feedback").mkdir(parents=True, exist_ok=True)
    (folder / "feedback" / f"{safe}.md").write_text(render_markdown(report, student), encoding="utf-8",
                                                   errors="replace")
    (folder / "feedback" / f"{safe}.html").write_text(render_html(report, student), encoding="utf-8",
                                                     errors="replace")
    gradescope = folder / "gradescope" / safe
    gradescope.mkdir(parents=True, exist_ok=True)
    # no indent: json's fast C encoder only runs without one
    (gradescope / "results.json").write_text(json.dumps(results_json(report), ensure_ascii=False),
                                             encoding="utf-8", errors="replace")


_SAFE_BYTES = 120  # of a student's id kept in a file name (a name may have 255 bytes)


def safe_name(student: str) -> str:
    """The name of a student's files (feedback/NAME.md, gradescope/NAME/): the id itself when
    it is made of letters, digits, ``-``, ``_`` and ``.``; otherwise the id with every other
    character replaced by ``_`` and ``+`` and a hash of the id appended, so that ``bob~jones``
    and ``bob_jones`` never share (and overwrite) each other's files. A long id is cut, with
    its hash, and one starting with a dot gets a ``_`` first (no ``..`` folder)."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in student)
    safe = safe.encode("utf-8")[:_SAFE_BYTES].decode("utf-8", "ignore")
    if safe.startswith("."):
        safe = "_" + safe
    if safe == student and safe:
        return safe
    # "+" is no character of an id kept as it is: no student can name a file to take this name
    return f"{safe or 'student'}+{hashlib.sha256(no_surrogates(student).encode('utf-8')).hexdigest()[:16]}"


def default_jobs() -> int:
    return max(1, (os.cpu_count() or 1))
