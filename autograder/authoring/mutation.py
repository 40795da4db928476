"""Test the tests: the repair search's operators applied to the reference.

Every single edit the operators propose (:mod:`autograder.diagnose.operators`, the same set
the repair search uses on students' code) makes a mutant of one reference function. Each is
run on the graded calls and on *probe* calls (the same cases with every dimension different
from every other, the output size included) and judged like a submission:

* **survived** — its results differ from the reference's somewhere (on a graded input, or
  only on a probe input) and yet it loses no marks: the hidden inputs (or the checks) have
  a hole. ``autograder validate`` fails on one, unless the assignment lists it under
  ``[[survivor]]`` in ``assignment.toml`` with a ``reason``;
* **killed** — it loses marks; when no catalogue entry names it, a draft ``[[mistake]]``
  entry (its ``replace`` and the steps it changes: its fingerprint) is offered to the author;
* **equivalent** — the same results everywhere: listed, not counted.

Trusted code: the mutants run in-process, like the catalogue's.
"""

from __future__ import annotations

import copy
import functools
import sys
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autograder.diagnose import operators
from autograder.diagnose.mistakes import diagnose
from autograder.diagnose.repair import shapes_on
from autograder.judge import compare
from autograder.judge.cases import Call, Workload, _case_namespace, _make_call
from autograder.judge.checks import judge_function, right_everywhere, step_value
from autograder.judge.reference import function_span, reference_functions, reference_module, reference_source
from autograder.load.flow import parse_function
from autograder.run import wire
from autograder.run.execute import Execution
from autograder.run.sandbox.runner import Outcome
from autograder.run.sandbox.trace import error_record
from autograder.spec import Assignment, FunctionSpec, SpecError, _read_toml

PROBE_SIZES = (2, 3, 4, 5, 6, 8, 9, 10, 11, 12)  # distinct sizes for the probe cases' dimensions
PROBE_M = 7  # the number of examples there: different from every other dimension


@dataclass
class Mutant:
    function: str
    edit: operators.Edit
    line: int  # in the solution file
    code: str  # that line of the solution
    verdict: str = ""  # equivalent, survived, killed
    seen_on: str = ""  # "graded inputs" or "probe inputs only": where its results differ
    changed: list[str] = field(default_factory=list)  # steps whose results differ on a graded input
    named: list[str] = field(default_factory=list)  # catalogue entries that name it
    allowed: str | None = None  # the spec's reason for a survivor

    @property
    def label(self) -> str:
        return f"{self.function} line {self.line}: `{self.edit.before}` → `{self.edit.after}` ({self.edit.kind})"


def mutants(workload: Workload, base: Execution, prints: Any, only: set[str] | None = None) -> list[Mutant]:
    """Every operator mutant of every graded function, with its verdict (``base``: the
    reference's execution; ``prints``: the catalogue's fingerprints, to say which entry names
    a killed mutant; ``only``: these functions alone)."""
    assignment = workload.assignment
    source = reference_source(assignment)
    module = reference_module(assignment)
    allowed = _allowed(assignment)
    found: list[Mutant] = []
    for fn in assignment.functions.values():
        calls = workload.for_function(fn.name)
        if not calls or (only is not None and fn.name not in only):
            continue
        try:
            start, end = function_span(source, fn.name)
        except SpecError:
            continue
        text = source[start:end]
        first_line = source.count("\n", 0, start) + 1
        func = parse_function(text, fn.name)
        if func is None:
            continue
        shapes = shapes_on(getattr(module, fn.name), next((c for c in calls if c.visibility == "public"), calls[0]))
        helpers = list(reference_functions(module))
        probes = _probe_calls(assignment, fn)
        lines = source.splitlines()
        reference = (_run(getattr(module, fn.name), calls, {}), _run(getattr(module, fn.name), probes, {}))
        for edit in operators.edits(func, shapes, helpers):
            line = first_line + edit.line - 1
            mutant = Mutant(fn.name, edit, line, lines[line - 1].strip())
            _judge(mutant, fn, operators.splice(text, [edit]), module, calls, probes, workload, base, prints, reference)
            mutant.allowed = allowed.get((fn.name, edit.before, edit.after))
            found.append(mutant)
    return found


def rows(workload: Workload, base: Execution, prints: Any) -> list[dict]:
    """``validate``'s rows (as dicts of its ``Row`` fields): one per function, failing on a
    survivor the spec does not list."""
    out = []
    by_function: dict[str, list[Mutant]] = {}
    for mutant in mutants(workload, base, prints):
        by_function.setdefault(mutant.function, []).append(mutant)
    for name, group in by_function.items():
        killed = [m for m in group if m.verdict == "killed"]
        unnamed = [m for m in killed if not m.named]
        survived = [m for m in group if m.verdict == "survived"]
        holes = [m for m in survived if not m.allowed]
        equivalent = sum(m.verdict == "equivalent" for m in group)
        label = (f"{name}: {len(survived)} survived ({len(survived) - len(holes)} listed), {len(killed)} killed "
                 f"({len(unnamed)} unnamed), {equivalent} equivalent")
        problem = "; ".join(f"survives: {m.label}, differs on {m.seen_on}" for m in holes[:3])
        out.append({"kind": "mutants", "label": label, "score": 0.0, "max_score": 0.0, "expected": [],
                    "named": [], "ok": not holes, "problem": problem})
    return out


def drafts(found: list[Mutant]) -> str:
    """Draft catalogue entries (TOML) for the killed mutants no entry names: each with the
    ``replace`` that makes it and the steps it changes, for the author to keep or drop."""
    parts = []
    for m in found:
        if m.verdict != "killed" or m.named:
            continue
        new_line = m.code.replace(m.edit.before, m.edit.after, 1) if m.edit.before in m.code else None
        if new_line is None:
            continue
        parts.append(
            "[[mistake]]\n"
            f'id = "{m.function}-{m.edit.kind}-line-{m.line}"  # draft: rename, write message and explanation\n'
            f'function = "{m.function}"\n'
            f'step = "{(m.changed or [m.function])[0]}"\n'
            f"message = {_toml_string(f'`{m.edit.after}` where `{m.edit.before}` belongs: ' + (', '.join(m.changed) or 'the result') + ' change.')}\n"
            'explanation = ""  # why a student writes this, and the right reasoning\n'
            f"replace = [[{_toml_string(m.code)}, {_toml_string(new_line)}]]\n")
    return "\n".join(parts)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _allowed(assignment: Assignment) -> dict[tuple[str, str, str], str]:
    """``[[survivor]]`` entries of assignment.toml: function, before, after, reason."""
    data = _read_toml(assignment.folder / "assignment.toml")
    allowed = {}
    for entry in data.get("survivor", []):
        if not entry.get("reason"):
            raise SpecError(f"{assignment.name}: a [[survivor]] needs a reason ({entry})")
        allowed[(entry["function"], entry["before"], entry["after"])] = str(entry["reason"])
    return allowed


def _probe_calls(assignment: Assignment, fn: FunctionSpec) -> list[Call]:
    """The function's plain cases again, every dimension different from every other and from m."""
    ref = reference_functions(reference_module(assignment))
    probes = []
    for case in assignment.cases_for(fn):
        if case.extreme or case.training or not case.dims:
            continue
        sizes = iter(PROBE_SIZES)
        dims = {k: (PROBE_M if k == "m" else next(sizes)) for k in sorted(case.dims)}
        probe = replace(case, name=f"{case.name}-probe", dims=dims, visibility="public")
        try:
            ns = _case_namespace(assignment, probe, ref, fn.name)
            probes += [_make_call(fn, probe, label, ns, ref) for label in fn.variant_labels()]
        except Exception:  # noqa: BLE001 - inputs the spec cannot build with these sizes: no probe
            continue
    return probes


def _run(func: Any, calls: list[Call], lines: dict) -> list[Outcome]:
    out = []
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for call in calls:
            np.random.seed(0)  # as the sandbox child does before every call
            try:
                value = func(**copy.deepcopy(call.args))
                out.append(Outcome(True, value=wire.decode(wire.encode(value))))
            except Exception as exc:  # noqa: BLE001 - mutants raise numpy errors
                out.append(Outcome(False, error=error_record(exc, lines)))
    return out


def _differs(fn: FunctionSpec, outcome: Outcome, reference: Outcome) -> list[str]:
    """The steps whose values differ from the reference's (run the same way) on one call."""
    steps = fn.step_exprs()
    if not outcome.ok or not reference.ok:
        return [] if outcome.ok == reference.ok else list(steps)
    return [s for s, expr in steps.items()
            if not compare.close(step_value(expr, outcome.value), step_value(expr, reference.value), strict_shape=True)]


def _judge(mutant: Mutant, fn: FunctionSpec, text: str, module: Any, calls: list[Call], probes: list[Call],
           workload: Workload, base: Execution, prints: Any, reference: tuple[list[Outcome], list[Outcome]]) -> None:
    namespace = dict(vars(module))
    lines = {"<mutant>": text.splitlines()}
    try:
        exec(compile(text, "<mutant>", "exec"), namespace)  # noqa: S102 - the reference, edited
    except Exception:  # noqa: BLE001 - an edit that does not compile is no mutant
        mutant.verdict = "equivalent"
        return
    func = namespace[fn.name]
    outcomes = _run(func, calls, lines)
    changed = sorted({s for o, r in zip(outcomes, reference[0]) for s in _differs(fn, o, r)},
                     key=list(fn.step_exprs()).index)
    mutant.changed = changed
    run = replace(base, outcomes={**base.outcomes, **{c.id: o for c, o in zip(calls, outcomes)}}, memo={},
                  mutated={})
    result = judge_function(fn, workload, run, functools.cache(lambda: right_everywhere(workload, run)))
    if result.score < result.max_score - 1e-6:
        mutant.verdict = "killed"
        mutant.named = [m.id for m in diagnose(fn, result, workload, run, prints) if m.source == "catalogue"]
        return
    if changed:
        mutant.verdict, mutant.seen_on = "survived", "graded inputs"
        return
    probed = _run(func, probes, lines)
    if any(_differs(fn, o, r) for o, r in zip(probed, reference[1])):
        mutant.verdict, mutant.seen_on = "survived", "probe inputs only"
    else:
        mutant.verdict = "equivalent"


def main(argv: list[str] | None = None) -> int:
    """``python -m autograder.authoring.mutation ASSIGNMENT``: every mutant with its verdict,
    then the draft catalogue entries for the killed ones no entry names."""
    from autograder.grading import Grader
    from autograder.judge.trusted import execute_trusted
    from autograder.spec import load_assignment

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m autograder.authoring.mutation ASSIGNMENT", file=sys.stderr)
        return 2
    grader = Grader(load_assignment(args[0]), repair=False)
    base = execute_trusted(reference_module(grader.assignment), grader.workload)
    found = mutants(grader.workload, base, grader.fingerprints)
    for m in found:
        extra = (f" on {m.seen_on}" if m.seen_on else "") + (f" — named {', '.join(m.named)}" if m.named else "") \
            + (f" — listed: {m.allowed}" if m.allowed else "")
        print(f"{m.verdict:<11} {m.label}{extra}")
    print("\n# Draft catalogue entries (killed mutants no entry names): keep or drop\n")
    print(drafts(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
