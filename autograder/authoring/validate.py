"""Test the tests: the grader must pass the reference, catch every catalogued mistake
(alone and in pairs across steps) and name it, and accept every correct alternative."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.authoring import mutation
from autograder.authoring.vocabulary import vocabulary_problems
from autograder.grading import Grader, SubmissionReport
from autograder.judge.reference import (
    apply_mistake,
    callers_of,
    combinable,
    function_span,
    mutant_module,
    reference_module,
    reference_source,
)
from autograder.judge.trusted import execute_trusted
from autograder.run.execute import Execution
from autograder.spec import Assignment, MistakeSpec, SpecError


@dataclass
class Row:
    kind: str  # reference, mistake, pair, alternative
    label: str
    score: float
    max_score: float
    expected: list[str]
    named: list[str]
    ok: bool
    problem: str = ""


def _report(grader: Grader, run: Execution, label: str) -> SubmissionReport:
    report = SubmissionReport(label, grader.assignment.name, grader.assignment.max_score)
    grader.judge(run, report)
    return report


def _named(report: SubmissionReport, function: str) -> list[str]:
    return [m.id for f in report.functions if f.name == function for m in f.mistakes]


def doc_anchors(text: str) -> set[str]:
    """The anchors of a Markdown file's headings, spelled as GitHub links them (``#why-the-transpose``)."""
    return {re.sub(r"[^\w\- ]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
            for line in text.splitlines() if line.startswith("#")}


def spec_problems(assignment: Assignment) -> list[str]:
    """What is wrong with the exercise's own files, one line each, before anything is graded:
    the solution, each mistake's function and ``replace`` (exactly one match in the reference's
    function) and its ``doc`` anchor (a heading of the assignment's ``doc`` file)."""
    try:
        source = reference_source(assignment)
    except (SpecError, OSError) as exc:
        return [str(exc)]
    problems = []
    anchors = None
    if assignment.doc:
        doc = assignment.root / assignment.doc
        if doc.is_file():
            anchors = doc_anchors(doc.read_text(encoding="utf-8"))
        else:
            problems.append(f"assignment.toml: doc = {assignment.doc!r} does not exist")
    for fn in assignment.functions:
        try:
            function_span(source, fn)
        except SpecError:
            problems.append(f"assignment.toml: [functions.{fn}]: the solution defines no function {fn!r}")
    for mistake in assignment.mistakes:
        try:
            apply_mistake(source, mistake)
        except SpecError as exc:
            problems.append(f"mistakes.toml: {exc}" if str(exc).startswith("mistake ") else
                            f"mistakes.toml: mistake {mistake.id}: {exc}")
        if mistake.doc and assignment.doc is None:
            problems.append(f"mistakes.toml: mistake {mistake.id}: doc = {mistake.doc!r}, but assignment.toml "
                            "names no doc file")
        elif mistake.doc and anchors is not None and mistake.doc not in anchors:
            problems.append(f"mistakes.toml: mistake {mistake.id}: doc = {mistake.doc!r} is no heading of "
                            f"{assignment.doc}")
    return problems


def validate(assignment: Assignment, pairs: bool = True) -> list[Row]:
    grader = Grader(assignment)
    rows: list[Row] = []
    base = execute_trusted(reference_module(assignment), grader.workload)
    ref_report = _report(grader, base, "reference")
    rows.append(Row("reference", "reference solution", ref_report.score, ref_report.max_score, [],
                    sorted({m.id for f in ref_report.functions for m in f.mistakes}),
                    ref_report.score >= ref_report.max_score - 1e-6))
    source = reference_module(assignment).__source__
    for mistake in assignment.mistakes:
        rows.append(_check_mutants(grader, base, source, (mistake,)))
    if pairs:
        for m1, m2 in itertools.combinations(assignment.mistakes, 2):
            if m1.function == m2.function and m1.step != m2.step and combinable(assignment, (m1, m2)):
                rows.append(_check_mutants(grader, base, source, (m1, m2), only_own=True))
    rows.append(_inputs_row(grader))
    rows += [Row("vocabulary", label, 0.0, 0.0, [], [], not problem, problem) for label, problem in vocabulary_problems(assignment)]
    rows += [Row(**row) for row in mutation.rows(grader.workload, base, grader.fingerprints)]  # operator mutants
    for path in sorted((assignment.folder / "alternatives").glob("*.py")):
        report = grader.grade_file(path)
        ok = report.score >= report.max_score - 1e-6 and not report.error
        named = sorted({m.id for f in report.functions for m in f.mistakes})
        rows.append(Row("alternative", path.name, report.score, report.max_score, [], named, ok,
                        "" if ok else (report.error or _lost(report))))
    return rows


def _check_mutants(grader: Grader, base: Execution, source: str, mistakes: tuple[MistakeSpec, ...],
                   only_own: bool = False) -> Row:
    assignment = grader.assignment
    module = mutant_module(assignment, mistakes)
    own = {m.function for m in mistakes}
    affected = own if only_own else callers_of(source, list(assignment.functions), own)
    run = execute_trusted(module, grader.workload, functions=affected, base=base)
    report = _report(grader, run, "+".join(m.id for m in mistakes))
    named = sorted({i for m in mistakes for i in _named(report, m.function)})
    expected = [m.id for m in mistakes]
    missing = [i for i in expected if i not in named]
    masked = _masked(grader, mistakes) if len(mistakes) == 2 and missing else []
    missing = [i for i in missing if i not in masked]
    lost = report.score < report.max_score - 1e-6
    problem = "no marks lost" if not lost else (f"not named: {', '.join(missing)}" if missing else "")
    if masked and not problem:
        problem = f"{', '.join(masked)} cannot show (masked by the other mistake)"
    return Row("pair" if len(mistakes) > 1 else "mistake", report.submission, report.score,
               report.max_score, expected, named, lost and not missing, problem)


def _inputs_row(grader: Grader) -> Row:
    """No call's expected result may be an input the same child holds for another call: a
    submission could look it up instead of computing it (backward's cache is forward's result
    on backward's own inputs, drawn apart from forward's: see cases._derives). The call's own
    inputs in its result (linear_forward's cache) and arrays of 0s and 1s, equal by chance,
    do not count."""
    problems = []
    for visibility in ("public", "hidden"):
        calls = [c for c in grader.workload.calls if c.visibility == visibility]
        held = _arrays([v for c in calls for v in (*c.args.values(), *c.context.values())])
        for call in calls:
            own = _arrays(list(call.args.values()))
            if any(_among(a, held) and not _among(a, own) for a in _arrays([call.expected])):
                problems.append(call.id)
    problem = f"expected results held as inputs: {', '.join(problems[:4])}" if problems else ""
    return Row("inputs", "no expected result among the held inputs", 0.0, 0.0, [], [], not problems, problem)


def _arrays(values: list) -> list[np.ndarray]:
    found, todo = [], list(values)
    while todo:
        value = todo.pop()
        if isinstance(value, np.ndarray):
            if value.size >= 2 and value.dtype.kind == "f" and not np.isin(value, (0.0, 1.0)).all():
                found.append(value)
        elif isinstance(value, dict):
            todo += value.values()
        elif isinstance(value, (list, tuple)):
            todo += value
    return found


def _among(value: np.ndarray, pool: list[np.ndarray]) -> bool:
    return any(other.shape == value.shape and np.array_equal(other, value) for other in pool)


def _masked(grader: Grader, pair: tuple[MistakeSpec, ...]) -> list[str]:
    """Mistakes of a pair whose effect cannot be seen: the pair behaves like the other alone
    (an exception raised earlier, a 1/m removed twice) or like some other single mistake."""
    from autograder.diagnose.mistakes import _matches

    fn = pair[0].function
    both = grader.fingerprints.outputs(pair, fn)

    def same(a: dict, b: dict) -> bool:
        return all(_matches(a[k], b[k]) for k in a)

    masked = []
    for i, mistake in enumerate(pair):
        other = pair[1 - i]
        if same(both, grader.fingerprints.outputs((other,), fn)):
            masked.append(mistake.id)
    if not masked:
        # A single mistake of any function can look the same here: one made in a helper
        # shows in its callers (two swapped layer activations = a swapped helper).
        for single in grader.assignment.mistakes:
            if single not in pair and same(both, grader.fingerprints.outputs((single,), fn)):
                return [m.id for m in pair]  # indistinguishable from a different single mistake
        # ... or like another pair: summing the cost instead of averaging hides whether m came
        # from the wrong axis everywhere or only in the gradients.
        for m1, m2 in itertools.combinations(grader.assignment.mistakes, 2):
            if {m1, m2} != set(pair) and m1.function == m2.function == fn and m1.step != m2.step:
                outputs = grader.fingerprints.outputs((m1, m2), fn)
                if outputs is not None and same(both, outputs):
                    return [m.id for m in pair if m not in (m1, m2)]
    return masked


def _lost(report: SubmissionReport) -> str:
    failed = [c.name for f in report.functions for c in f.checks if not c.passed]
    return "failed: " + "; ".join(failed[:3])


def render(rows: list[Row]) -> str:
    width = min(max(len(r.label) for r in rows), 70)
    lines = [f"{'kind':<12} {'submission':<{width}} {'score':>7}  verdict"]
    for r in rows:
        verdict = "ok" if r.ok else f"MISS ({r.problem})"
        lines.append(f"{r.kind:<12} {r.label[:width]:<{width}} {r.score:7.2f}  {verdict}")
    by_kind: dict[str, list[Row]] = {}
    for r in rows:
        by_kind.setdefault(r.kind, []).append(r)
    lines.append("")
    for kind, group in by_kind.items():
        lines.append(f"{kind}: {sum(r.ok for r in group)}/{len(group)} ok")
    return "\n".join(lines)


def alternatives_folder(assignment: Assignment) -> Path:
    return assignment.folder / "alternatives"
