"""One submission end to end: load → run isolated → judge → diagnose → report."""

from __future__ import annotations

import os
import sys
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder.diagnose.mistakes import diagnose
from autograder.diagnose.recorded import fingerprints_for
from autograder.diagnose.repair import repair_report
from autograder.judge.cases import Workload, build_workload
from autograder.judge.checks import FunctionResult, judge_function, judge_steps, release_gated, right_everywhere
from autograder.judge.disclose import for_call, load_notes
from autograder.judge.reference import reach, reference_info
from autograder.load.adopt import adopt_orphans
from autograder.load.source import SUFFIXES, LoadedSource, load_file
from autograder.run.execute import Execution, execute
from autograder.run.sandbox.runner import Limits
from autograder.run.signature import CANNOT_CHECK
from autograder.spec import Assignment

GRADER = "grader"  # report["error_kind"] of a report that is no verdict: graded again on the next run


@dataclass
class SubmissionReport:
    submission: str
    assignment: str
    max_score: float
    error: str | None = None
    functions: list[FunctionResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    output: str = ""

    @property
    def score(self) -> float:
        # the sum of the per-function scores as reported (rounded), so every tool adds up the same
        return 0.0 if self.error else round(sum(round(f.score, 2) for f in self.functions), 2)

    def as_dict(self) -> dict:
        """The JSON report entry (schema of the core issue, plus notes and explanations)."""
        return {
            "assignment": self.assignment,
            "submission": self.submission,
            "score": self.score,
            "max_score": round(self.max_score, 2),
            "error": self.error,
            # whose error: the submission's own (its verdict); the batch says "grader" when grading failed
            "error_kind": "submission" if self.error else None,
            "notes": self.notes,
            "functions": [
                {
                    "name": f.name,
                    "score": round(f.score, 2),
                    "max_score": round(f.max_score, 2),
                    "status": f.status,
                    "notes": f.notes,
                    "checks": [
                        {
                            "name": c.name, "visibility": c.visibility, "score": round(c.score, 4),
                            "max_score": round(c.max_score, 4), "passed": c.passed, "feedback": c.feedback,
                            "kind": c.kind, "variant": c.variant, "step": c.step,
                        }
                        for c in f.checks
                    ],
                    "mistakes": [m.as_dict() for m in f.mistakes],
                }
                for f in self.functions
            ],
        }


class Grader:
    """Grades many submissions of one assignment, sharing inputs and fingerprints."""

    def __init__(self, assignment: Assignment, public_only: bool = False, limits: Limits | None = None,
                 repair: bool | None = None) -> None:
        self.assignment = assignment
        # the repair search (diagnose.repair); AUTOGRADER_REPAIR=0 turns it off (to measure its cost)
        self.repair = repair if repair is not None else os.environ.get("AUTOGRADER_REPAIR", "1") != "0"
        self.limits = limits
        self.workload: Workload = build_workload(assignment, public_only=public_only)
        self.fingerprints = fingerprints_for(self.workload)

    def grade_file(self, path: Path, label: str | None = None) -> SubmissionReport:
        return self.grade_loaded(load_file(path), label or path.name)

    def grade_loaded(self, loaded: LoadedSource, label: str) -> SubmissionReport:
        report = SubmissionReport(label, self.assignment.name, self.assignment.max_score)
        if loaded.orphans and not loaded.error:
            adopt_orphans(loaded, {n: p for n, p in reference_info(self.assignment).parameters.items()
                                   if n in self.assignment.functions})
        boxes: list = []  # the submission's child, kept for the repair search
        try:
            return self._graded(loaded, label, report, boxes)
        finally:
            for box in boxes:
                box.close()

    def _graded(self, loaded: LoadedSource, label: str, report: SubmissionReport, boxes: list) -> SubmissionReport:
        run = execute(loaded, self.workload, self.limits, keep=boxes if self.repair else None)
        run.notes += load_notes(run.child_notes, loaded)  # the child's words, checked against the file
        report.notes = run.notes
        report.output = run.output
        if run.error:
            report.error = run.error
            return report
        self.judge(run, report)
        if self.repair:  # the student's own line, for the functions that lost marks (diagnose.repair)
            repair_report(report.functions, self.workload, loaded, run, cache(lambda: right_everywhere(self.workload, run)),
                          reference_info(self.assignment).relies_on, self.limits, boxes[0] if boxes else None)
        return report

    def judge(self, run: Execution, report: SubmissionReport) -> None:
        # which functions are right everywhere: worked out once, and only if a diagnosis needs it
        functions_right = cache(lambda: right_everywhere(self.workload, run))
        judge_steps(self.workload, run)
        for fn in self.assignment.functions.values():
            result = judge_function(fn, self.workload, run, functions_right)
            if result.status == "ok":
                result.mistakes = diagnose(fn, result, self.workload, run, self.fingerprints, functions_right)
                if result.mistakes and all(m.source == "catalogue" for m in result.mistakes):
                    release_gated(result)
            report.functions.append(result)
        if not any(name in run.defined for name in self.assignment.functions):
            report.error = "none of the assignment's functions is defined in this file"
        self._note_upstream(report, reach(run.uses, list(self.assignment.functions)))
        _note_errors_in_helpers(self.workload, run, report)

    def _note_upstream(self, report: SubmissionReport, student: dict[str, frozenset[str]]) -> None:
        """A function that calls others (nn_model calls backward_propagation…, or a student's
        backward that calls their own sigmoid_derivative) says which of them lost points, so
        the student fixes the cause rather than the symptom."""
        lost = {f.name for f in report.functions
                if any(not c.passed and CANNOT_CHECK not in c.feedback for c in f.checks)}
        relies_on = reference_info(self.assignment).relies_on
        for result in report.functions:
            if result.name not in lost:
                continue
            uses = relies_on.get(result.name, frozenset()) | student.get(result.name, frozenset())
            upstream = sorted((uses & lost) - {result.name})
            if upstream:
                result.notes.append(
                    f"{result.name} uses your {', '.join(upstream)}, which lost points too: fix "
                    f"{'that' if len(upstream) == 1 else 'those'} first")


def submission_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """Every .py/.ipynb named or found under the given paths, and notes on what was ignored."""
    files: list[Path] = []
    notes: list[str] = []
    for path in paths:
        if path.is_dir():
            for item in sorted(path.rglob("*")):
                if not item.is_file() or any(part.startswith(".") for part in item.relative_to(path).parts):
                    continue
                if item.suffix in SUFFIXES and ".ipynb_checkpoints" not in item.parts:
                    files.append(item)
                elif item.suffix not in (".toml", ".md", ".txt"):
                    notes.append(f"ignored {item} (not a .py or .ipynb file)")
        elif path.is_file():
            files.append(path)
        else:
            notes.append(f"{path} does not exist")
    return files, notes


def _note_errors_in_helpers(workload: Workload, run: Execution, report: SubmissionReport) -> None:
    """An error raised inside another graded function that is right on its own means this
    function passed it bad arguments: say so, with the shapes it received."""
    full = {f.name for f in report.functions if f.max_score and f.score >= f.max_score - 1e-6}
    for result in report.functions:
        if result.name in full:
            continue
        for call in workload.for_function(result.name):
            outcome = run.outcomes.get(call.id)
            if outcome is None or outcome.ok or not outcome.error:
                continue
            frames = outcome.error.get("frames") or []
            names = [f.get("function") for f in frames]
            if not frames or names[-1] not in full or result.name not in names:
                continue
            show = for_call(call, run, workload.assignment)  # the call's inputs may be hidden ones
            function = names[-1]  # one of the assignment's names (in ``full``)
            helper = show.frame(frames[-1])
            caller = show.frame(frames[len(names) - 1 - names[::-1].index(result.name)])
            scope = outcome.error.get("locals") if isinstance(outcome.error.get("locals"), dict) else {}
            local = sorted(scope.items(), key=lambda kv: "[" in str(kv[0]))  # plain names first
            said = [f"{name} is {shape if isinstance(v, list) else 'a number'}" for k, v in local
                    if (name := show.name(k)) and (v == "number" or (isinstance(v, list) and (shape := show.shape(v))))]
            shapes = ", ".join(said[:5])
            at = f"at line {caller['line']} (`{caller['text']}`)" if caller else "where it calls it"
            result.notes.append(
                f"the error is raised inside your {function}" + (f" (line {helper['line']})" if helper else "")
                + f", which passes its own checks: look at what {result.name} gives it {at}"
                + (f" — there {shapes}" if shapes else ""))
            break


def grade_safely(grader: Grader, student: str, path: Path) -> dict:
    """A report for any submission; an error in the grader itself costs only this one. Its
    details go to the grader's own log (stderr), not into the report: the exception may
    carry what the submission's child sent, and the report is the student's to read."""
    try:
        report = grader.grade_file(path, label=path.name).as_dict()
    except Exception as exc:  # noqa: BLE001 - never lose the batch to one submission
        print(f"autograder: internal error while grading {student} ({path}):\n{traceback.format_exc()}",
              file=sys.stderr)
        report = {
            "assignment": grader.assignment.name, "submission": path.name, "score": 0.0,
            "max_score": grader.assignment.max_score,
            "error": f"internal error while grading ({type(exc).__name__}); the grader's log has the details, "
                     "please report it; this submission is graded again on the next run",
            "error_kind": GRADER, "notes": [], "functions": [],
        }
    report["student"] = student
    return report
