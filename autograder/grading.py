"""One submission end to end: load → run isolated → judge → diagnose → report."""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from autograder.diagnose.mistakes import diagnose
from autograder.diagnose.recorded import fingerprints_for
from autograder.diagnose.repair import repair_report
from autograder.judge.cases import Workload, build_workload
from autograder.judge.checks import (
    CheckResult,
    FunctionResult,
    inputs_handed_back,
    judge_function,
    judge_steps,
    release_gated,
    right_everywhere,
    step_right,
)
from autograder.judge.disclose import code_span, for_call, load_notes
from autograder.judge.raised import spared_steps
from autograder.judge.reference import reach, reference_info
from autograder.load.adopt import adopt_orphans
from autograder.load.renamed import accept_renamed, renamed_candidates
from autograder.load.source import SUFFIXES, LoadedSource, load_file, settle
from autograder.run.execute import Execution, execute, rerun, stopped
from autograder.run.sandbox.runner import Limits, Sandbox
from autograder.run.signature import CANNOT_CHECK
from autograder.spec import Assignment, FunctionSpec

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
                    **({"judged_with": f.judged_with} if f.judged_with else {}),
                    **({"wrong_on_its_own": True} if f.wrong_alone else {}),
                }
                for f in self.functions
            ],
        }


class Grader:
    """Grades many submissions of one assignment, sharing inputs and fingerprints."""

    def __init__(self, assignment: Assignment, public_only: bool = False, limits: Limits | None = None,
                 accept_renamed: bool = False, repair: bool | None = None) -> None:
        self.assignment = assignment
        # the repair search (diagnose.repair); AUTOGRADER_REPAIR=0 turns it off (to measure its cost)
        self.repair = repair if repair is not None else os.environ.get("AUTOGRADER_REPAIR", "1") != "0"
        self.limits = limits
        self.accept_renamed = accept_renamed  # grade a renamed function under the required name
        self.workload: Workload = build_workload(assignment, public_only=public_only)
        self.fingerprints = fingerprints_for(self.workload)

    def grade_file(self, path: Path, label: str | None = None, siblings: bool = False) -> SubmissionReport:
        """``siblings``: the file is in a folder of the student's own, whose ``.py`` files it may import."""
        return self.grade_loaded(load_file(path, siblings), label or path.name)

    def grade_loaded(self, loaded: LoadedSource, label: str) -> SubmissionReport:
        report = SubmissionReport(label, self.assignment.name, self.assignment.max_score)
        graded = {n: p for n, p in reference_info(self.assignment).parameters.items() if n in self.assignment.functions}
        if loaded.orphans and not loaded.error:
            adopt_orphans(loaded, graded)
        renamed = renamed_candidates(loaded, graded) if not loaded.error else {}
        accepted = accept_renamed(loaded, renamed) if renamed and self.accept_renamed else {}
        settle(loaded, set(self.assignment.functions))
        boxes: list = []  # the submission's child, kept for the repair search
        limits = (self.limits or Limits()).for_one()  # one clock for all of it: loads, reruns, repair
        try:
            return self._graded(loaded, report, boxes, renamed, accepted, limits)
        finally:
            for box in boxes:
                box.close()

    def _graded(self, loaded: LoadedSource, report: SubmissionReport, boxes: list,
                renamed: dict[str, tuple[str, str]], accepted: dict[str, str], limits: Limits) -> SubmissionReport:
        again = not self.assignment.cascade  # callers judged on their own
        run = execute(loaded, self.workload, limits, keep=boxes if self.repair or again else None)
        skipped: list[str] = []
        run.spared = _optional(lambda: spared_steps(self.workload, loaded, run, boxes[0] if boxes else None, limits),
                               {}, "a raise charged to the steps it feeds", skipped)
        run.notes += load_notes(run.child_notes, loaded)  # the child's words, checked against the file
        run.notes += skipped
        report.notes = run.notes + _served_note(run.served)
        report.output = run.output
        if run.error:
            report.error = run.error
            return report
        # a function judged again on its own is diagnosed once, with the verdict that stands
        pending = self.judge(run, report, diagnosed=self.assignment.cascade)
        _explain_missing(report, loaded, renamed, accepted)
        served = self._to_judge_on_their_own(run, report, loaded) if again else {}
        self.diagnose(run, report, pending - set(served))  # the verdicts that stand as they are
        pending &= set(served)
        if self.repair:  # the student's own line, for the functions that lost marks of their own (diagnose.repair)
            # (not one that lost them only on calls its signature cannot take: no edit of a line adds a parameter)
            own = [f for f in report.functions
                   if any(_to_judge_again(self.workload, c, run) for c in self.workload.for_function(f.name))]
            _optional(lambda: repair_report(own, self.workload, loaded, run, _right_everywhere(self.workload, run),
                                            reference_info(self.assignment).relies_on, limits,
                                            boxes[0] if boxes else None), None, "the search for your line",
                      report.notes)
        if served:  # last: the submission's child, once it has the reference's answers, judges nothing else
            self.judge_on_their_own(loaded, run, report, served, pending, boxes[0] if boxes else None, limits)
            self.diagnose(run, report, pending)
        self._note_upstream(report, reach(run.uses, list(self.assignment.functions)), loaded)
        _note_errors_in_helpers(self.workload, run, report)
        return report

    def judge(self, run: Execution, report: SubmissionReport, diagnosed: bool = True) -> set[str]:
        """Score every function; name the mistakes too unless ``diagnosed`` is False (then the
        names of the functions still to diagnose are returned, see :meth:`diagnose`)."""
        judge_steps(self.workload, run)
        # which functions are right everywhere: worked out once, and only if a diagnosis needs it
        functions_right = _right_everywhere(self.workload, run)
        pending = set()
        for fn in self.assignment.functions.values():
            if fn.name in run.served and fn.name not in run.defined:
                report.functions.append(_served_result(fn, run.served[fn.name], self.assignment))
                continue
            report.functions.append(judge_function(fn, self.workload, run, functions_right))
            if diagnosed:
                self._diagnose_one(report.functions[-1], run, functions_right)
            else:
                pending.add(fn.name)
        if not any(name in run.defined for name in self.assignment.functions):
            report.error = "none of the assignment's functions is defined in this file"
        return pending

    def diagnose(self, run: Execution, report: SubmissionReport, pending: set[str]) -> None:
        """Name the mistakes of the ``pending`` functions (as :meth:`judge` left them)."""
        functions_right = _right_everywhere(self.workload, run)
        for result in report.functions:
            if result.name in pending:
                pending.discard(result.name)
                self._diagnose_one(result, run, functions_right)

    def _diagnose_one(self, result: FunctionResult, run: Execution, functions_right: Callable[[], set[str]]) -> None:
        """The mistakes of a judged function; a function whose every mistake is a catalogue one
        gets back the points withheld from its wrong results (release_gated)."""
        if result.status == "ok":
            fn = self.assignment.functions[result.name]
            result.mistakes = diagnose(fn, result, self.workload, run, self.fingerprints, functions_right)
            # (not a function that only hands its inputs back: relu_backward returning dA did nothing)
            if (result.mistakes and all(m.source == "catalogue" for m in result.mistakes)
                    and not inputs_handed_back(fn, self.workload, run)):
                release_gated(result)

    def _to_judge_on_their_own(self, run: Execution, report: SubmissionReport,
                               loaded: LoadedSource) -> dict[str, tuple[str, ...]]:
        """The functions to judge again on their own (see :meth:`judge_on_their_own`), each with
        the helpers the grader computes for it: a function that lost points while calling the
        student's own graded functions that lost points too, on the calls that went wrong."""
        lost = {f.name for f in report.functions if f.lost_points}
        missing = {f.name for f in report.functions if f.status == "missing"}
        student = reach(run.uses, list(self.assignment.functions))
        relies_on = reference_info(self.assignment).relies_on  # what a missing helper would have been called for
        served: dict[str, tuple[str, ...]] = {}
        for result in report.functions:
            # a missing helper only if this function's code names it (then its call raised NameError)
            uses = student.get(result.name, frozenset()) | _named_by(
                loaded, result.name, relies_on.get(result.name, frozenset()) & missing)
            # never a function whose reference calls this one: its answer would hold this one's
            callers = {name for name, callees in relies_on.items() if result.name in callees}
            helpers = tuple(sorted((uses & lost) - callers - {result.name}))
            if (result.name in lost and result.name in run.defined and helpers
                    and not stopped(run, result.name, self.workload.calls)):  # one that hung is not run to hang again
                served[result.name] = helpers
        # only the calls that went wrong: the others were right with the student's own helpers
        return {name: helpers for name, helpers in served.items()
                if any(_to_judge_again(self.workload, c, run) for c in self.workload.for_function(name))}

    def judge_on_their_own(self, loaded: LoadedSource, run: Execution, report: SubmissionReport,
                           served: dict[str, tuple[str, ...]], pending: set[str] = frozenset(),
                           box: Sandbox | None = None, limits: Limits | None = None) -> None:
        """Judge each function of ``served`` again with the grader computing the helpers it
        names (see run.execute.rerun; ``box``: the submission's own child, done with everything
        else): a mistake costs points once, where it was made. The better verdict stands, and
        says why. ``pending``: functions whose first verdict is not diagnosed yet (it is, here,
        only when the second one does not give full marks)."""
        calls = [c for c in self.workload.calls if c.function in served and _to_judge_again(self.workload, c, run)]
        # the first caller in the submission's own child, each other one in a fresh child; every
        # call made again shows no details of its own (see run.execute.rerun)
        again = rerun(loaded, self.workload, calls, served, limits or self.limits, box)
        alone = _with(self.workload, run, again, calls)
        functions_right = _right_everywhere(self.workload, alone)
        fairs = {name: judge_function(self.assignment.functions[name], self.workload, alone, functions_right)
                 for name in served}
        for index, result in enumerate(report.functions):
            if result.name not in served:
                continue
            helpers = served[result.name]
            fair = fairs[result.name]
            self._diagnose_one(fair, alone, functions_right)
            if result.name in pending and fair.lost_points:  # the first verdict may still stand: diagnose it
                pending.discard(result.name)
                self._diagnose_one(result, run, _right_everywhere(self.workload, run))
            if fair.score <= result.score + 1e-9:
                # (the same checks failing: with the helpers right, what fails elsewhere may be a
                # compensation for a helper's mistake, as a .T for a transposed dw)
                failing = {c.name for c in fair.checks if not c.passed}
                own = any(CANNOT_CHECK not in c.feedback for c in fair.checks if not c.passed)  # not a signature's
                if (fair.lost_points and own and failing == {c.name for c in result.checks if not c.passed}
                        and not any(c.id in again.skipped for c in calls if c.function == result.name)):
                    result.wrong_alone = True
                    result.notes.insert(0, (
                        f"judged again with the grader's own {', '.join(helpers)} in place of yours, {result.name} "
                        "loses as much: what it loses is its own mistake"))
                continue
            pending.discard(result.name)
            # the helpers to fix: those still wrong on their own (one right once its own helper is fixed is not)
            wrong = [h for h in helpers if any(f.name == h and f.lost_points for f in report.functions)]
            fix = " and ".join(wrong or helpers)
            fair.notes.insert(0, (
                f"judged with the grader's own {', '.join(helpers)} in place of yours (a mistake costs points once, "
                f"where it was made): {result.name} "
                + (f"is right once your {fix} {'is' if len(wrong or helpers) == 1 else 'are'} fixed"
                   if not fair.lost_points else "still loses the points shown here, its own")))
            fair.notes += [n for n in result.notes if n not in fair.notes]
            fair.judged_with = list(wrong or helpers)
            report.functions[index] = fair

    def _note_upstream(self, report: SubmissionReport, student: dict[str, frozenset[str]],
                       loaded: LoadedSource) -> None:
        """A function that calls others (nn_model calls backward_propagation…, or a student's
        backward that calls their own sigmoid_derivative) says which of them lost points, so
        the student fixes the cause rather than the symptom. Of the functions the reference's
        calls, only those the student's own code names (a nn_model that calls its own
        backpropagation is not wrong because backward_propagation is missing)."""
        lost = {f.name for f in report.functions
                if any(not c.passed and CANNOT_CHECK not in c.feedback for c in f.checks)}
        relies_on = reference_info(self.assignment).relies_on
        for result in report.functions:
            if result.name not in lost or result.judged_with or result.wrong_alone:
                continue
            uses = _named_by(loaded, result.name, relies_on.get(result.name, frozenset()))
            upstream = sorted(((uses | student.get(result.name, frozenset())) & lost) - {result.name})
            if upstream:
                result.notes.append(
                    f"{result.name} uses your {', '.join(upstream)}, which lost points too: fix "
                    f"{'that' if len(upstream) == 1 else 'those'} first")


T = TypeVar("T")


def _optional(stage: Callable[[], T], fallback: T, what: str, notes: list[str]) -> T:
    """A stage the verdict can do without, which reads the student's syntax in this process:
    code nested thousands of levels deep (a 400-term sum) exhausts Python's recursion there,
    and that costs the stage, with a note, not the submission its grade (red team 7)."""
    try:
        return stage()
    except (RecursionError, MemoryError):
        notes.append(f"{what} was skipped: an expression in your code is nested too deeply to be analysed")
        return fallback


def _named_by(loaded: LoadedSource, function: str, names: frozenset[str]) -> frozenset[str]:
    """Those of ``names`` that the student's def of ``function`` mentions (all of them when the
    file has no def of it: a course helper's, or a missing one's, calls are the reference's)."""
    unit = loaded.definition(function)
    if unit is None:
        return names
    return frozenset(n for n in names if re.search(rf"\b{re.escape(n)}\b", unit.source))


def _with(workload: Workload, run: Execution, again: Execution, calls: list) -> Execution:
    """``run`` with the outcomes of ``calls`` made again (``again``) in place of the first ones,
    its steps judged."""
    ids = {c.id for c in calls}
    alone = replace(run, outcomes={**run.outcomes, **again.outcomes},
                    skipped={**{k: v for k, v in run.skipped.items() if k not in ids}, **again.skipped},
                    mutated={**{k: v for k, v in run.mutated.items() if k not in ids}, **again.mutated},
                    closed=run.closed | again.closed, memo=_memo_except(run.memo, ids),
                    spared={k: v for k, v in run.spared.items() if k not in ids})  # (a call made again raised anew)
    judge_steps(workload, alone)
    return alone


def _memo_except(memo: dict, ids: set[str]) -> dict:
    """What ``memo`` worked out that still holds once the calls ``ids`` are made again: every
    entry that names none of them (step values and verdicts, disclosures), but not which
    functions are right everywhere. Keys are tuples of strings; a call's id is in its own."""
    return {k: v for k, v in memo.items() if k != RIGHT_EVERYWHERE and ids.isdisjoint(k)}


def _right_everywhere(workload: Workload, run: Execution) -> Callable[[], set[str]]:
    """Which functions are right everywhere on ``run``: worked out only if a diagnosis asks, and
    once per run (kept in its memo, so every stage that diagnoses this run shares it)."""
    def right() -> set[str]:
        if RIGHT_EVERYWHERE not in run.memo:
            run.memo[RIGHT_EVERYWHERE] = right_everywhere(workload, run)
        return run.memo[RIGHT_EVERYWHERE]

    return right


RIGHT_EVERYWHERE = ("right everywhere",)  # its key in Execution.memo


def _to_judge_again(workload: Workload, call, run: Execution) -> bool:
    """Whether another helper could change this call's verdict: it was made and went wrong
    (or changed an input in place), or it was not made because a helper hung ("not run: …"); not a call the function's own
    signature cannot take (an `activation` it lacks), which no helper changes."""
    outcome = run.outcomes.get(call.id)
    if outcome is None:
        return str(run.skipped.get(call.id, "")).startswith("not run:")
    fn = workload.assignment.functions[call.function]
    # (an input changed in place may be a helper's doing: relu_backward writing into dA)
    return not outcome.ok or bool(run.mutated.get(call.id)) or not all(step_right(fn, call, step, run)
                                                                        for step in fn.step_exprs())


def _explain_missing(report: SubmissionReport, loaded: LoadedSource, renamed: dict[str, tuple[str, str]],
                     accepted: dict[str, str]) -> None:
    """Why a graded function is missing (its block does not parse; the student named it
    otherwise), or that a renamed one was graded under the required name."""
    for result in report.functions:
        if result.name in accepted:
            result.notes.insert(0, accepted[result.name])
        elif result.status != "missing":
            if result.name in loaded.broken:  # a later version that does not parse: the earlier one was graded
                result.notes.insert(0, f"your {result.name} at {loaded.broken[result.name]}, so the grader "
                                       f"graded your earlier {result.name} instead: fix the newer one and submit again")
            continue
        elif result.name in loaded.broken:
            result.notes.append(f"{loaded.broken[result.name]}: fix it and submit again")
        elif result.name in renamed:
            result.notes.append(f"{result.name} is not defined; your {renamed[result.name][1]} looks like it — "
                                f"rename it to {result.name}")


def _served_note(served: dict[str, str]) -> list[str]:
    """One line on the course helpers the file imports and the grader computed."""
    if not served:
        return []
    modules = sorted({origin.rpartition(".")[0] for origin in served.values()})
    names = ", ".join(f"`{name}`" for name in sorted(served))
    return [f"{names} {'comes' if len(served) == 1 else 'come'} from the course's {', '.join(modules)}, which "
            f"the grader does not have: it computed {'it' if len(served) == 1 else 'them'} with its own copy"]


def _served_result(fn: FunctionSpec, origin: str, assignment: Assignment) -> FunctionResult:
    """A graded function the file imports from the course's helper module instead of defining:
    its points if the course gives it to students (``course_provides``) under that very name,
    none otherwise (``from dnn_utils import sigmoid as relu_backward`` is no relu_backward)."""
    module, _, name = origin.rpartition(".")
    if fn.course_provides and assignment.course_modules.get(module, {}).get(name) == fn.name:
        feedback, note = "", (f"imported from the course's {module}, which gives it to students: the grader "
                              "computes it with its own copy, full marks")
    else:
        feedback, note = (f"{fn.name} is imported from the course's {module}; this exercise asks you to write "
                          "it yourself"), f"imported from the course's {module}, not written in your file"
    given = not feedback
    check = CheckResult(name=f"{fn.name}: written in your file", visibility="public",
                        score=fn.points if given else 0.0, max_score=fn.points,
                        passed=given, feedback=feedback, kind="provided")
    return FunctionResult(fn.name, checks=[check], notes=[note], status="provided")


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
    full = {f.name for f in report.functions if f.max_score and not f.lost_points}
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
            at = f"at line {caller['line']} ({code_span(caller['text'])})" if caller else "where it calls it"
            result.notes.append(
                f"the error is raised inside your {function}" + (f" (line {helper['line']})" if helper else "")
                + f", which passes its own checks: look at what {result.name} gives it {at}"
                + (f" — there {shapes}" if shapes else ""))
            break


def grade_safely(grader: Grader, student: str, path: Path, own_folder: bool = False) -> dict:
    """A report for any submission; an error in the grader itself costs only this one. Its
    details go to the grader's own log (stderr), not into the report: the exception may
    carry what the submission's child sent, and the report is the student's to read."""
    try:
        report = grader.grade_file(path, label=path.name, siblings=own_folder).as_dict()
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
