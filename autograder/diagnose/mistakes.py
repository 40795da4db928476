"""Name the mistakes behind wrong results: catalogue fingerprints, then analysis.

A *cell* is one step of one variant (``dW1`` with tanh). The student's cells
are compared with those of every catalogue mutant of the reference, run on the
same inputs; mutants whose outputs match name the mistake. Pairs of mutants
explain two mistakes at once. What no mutant explains gets an analytic finding
(transposed, times m, keepdims lost, nan, a numpy error explained by shapes).
"""

from __future__ import annotations

import ast
import copy
import functools
import itertools
import re
import textwrap
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from autograder.judge import compare
from autograder.judge.cases import Call, Workload
from autograder.judge.checks import (
    FunctionResult,
    StepMissing,
    expected_step,
    right_everywhere,
    step_right,
    step_value,
    structure_problem,
    student_step,
)
from autograder.judge.disclose import code_span, for_call
from autograder.judge.errors import error_signature, explain_error, is_memory, is_timeout, shape_hint
from autograder.judge.reference import combinable, mutant_module, source_lines
from autograder.run.execute import Execution
from autograder.run.sandbox.trace import error_record
from autograder.spec import FunctionSpec, MistakeSpec

GENERIC = {
    "input-unchanged": "The result holds an input exactly as the function was given it: the line that should "
    "compute its new value is missing, or what it computes is not what is stored or returned.",
    "misplaced": "Each entry of the result has its own quantity: check which variable is stored under which "
    "name (a dict key, a tuple position), in the order the exercise gives them.",
    "transposed": "A transposed result usually means the two factors of a matrix product are in the wrong "
    "order or the wrong one is transposed. A gradient always has the shape of what it is the gradient of"
    "{example}: check the shapes of the factors.",
    "scaled-by-m": "The cost J is the mean of the per-example losses, J = (1/m) Σ L, so every gradient of J "
    "carries one factor 1/m. A result m times too large is missing it.",
    "scaled-by-1-over-m": "A result m times too small was divided by m twice: a 1/m written on top of "
    "np.mean (which already divides by m), or a 1/m on the error term of the layer as well as on the "
    "gradients of the weights and bias (the error term is per example and has no 1/m; only the mean over "
    "the examples, in J and so in every gradient of J, has it).",
    "sign-flipped": "The sign is reversed: check the error term at the output (the activation minus the labels, "
    "not the labels minus the activation) and the minus in the cost.",
    "scaled": "Your result is the expected one times a constant: a factor is missing or extra.",
    "wrong-count": "Every gradient of J carries 1/m, m the number of examples: the columns of X (X.shape[1]) "
    "inside the function. A count read from a global set elsewhere, or from another array, divides by the "
    "wrong number.",
    "missing-keepdims": "np.sum(…, axis=1) drops the summed axis; keepdims=True keeps the (n, 1) column shape "
    "that b and db must have.",
    "wrong-axis": "The examples are the columns (axis=1); summing over axis=0 adds up the units instead.",
    "reduced-to-scalar": "np.sum without an axis adds up everything; a gradient needs one value per entry of "
    "what it is the gradient of (a bias gradient one per unit).",
    "not-finite": "nan or inf appear where the exact result is finite: usually np.exp overflowing for large |z|, "
    "or a division by an activation that saturated to exactly 0 or 1 (Y/A, (1 − Y)/(1 − A)). Compute with a "
    "form that stays finite (e.g. σ(z) first, then σ(z)(1 − σ(z)); A − Y instead of dividing by A(1 − A)).",
    "wrong-shape": "The result does not have the shape of the quantity it stands for; write down the shape "
    "of every factor.",
    "empty": "A result that collects one entry per step of a loop stays empty when the line that adds to it "
    "never runs: it belongs in the loop, outside any condition that only decides what is printed.",
    "shape-error": "numpy could not combine two arrays because their shapes do not fit; the shapes above say "
    "which transpose or product is wrong.",
    "exception": "",  # the error itself says it
    "timeout": "Each call has a time limit; the grader's inputs are small, so a call that takes this long "
    "loops forever (a while loop whose condition never changes?) or far more often than it needs.",
    "memory": "The grader's inputs are small; running out of memory means an array far larger than the "
    "data was created (a shape built from a value instead of a size, or an outer product by mistake).",
    "wrong-return-type": "The result does not have the type the exercise asks for, so the next steps cannot use it.",
    "missing-keys": "The returned dict lacks keys the rest of the code reads.",
    "modifies-input": "Changing an argument in place (x -= …, x[...] = …, x **= …), or storing a new value in a "
    "dict the function was given (d[key] = …), changes the caller's data too; compute new arrays, "
    "into a new dict (or a copy) when the argument is a dict.",
    "differs": "The values differ from the expected ones in no simple pattern; recheck this step's formula.",
}


ERRORS = frozenset({"exception", "shape-error", "timeout", "memory"})
# the explanation of a lost column where the line sums nothing (keepdims would not help)
NO_REDUCTION = ("An array of shape (n,) has no second axis, so it is not the (n, 1) column the result must be: "
                "give both dimensions where it is made, e.g. np.zeros((n, 1)).")


def generic(kind: str, steps: list[str] | tuple[str, ...] = ()) -> str:
    """The explanation of an analytic finding, in the words of the steps it is about (a text
    shared by every assignment names none of their variables)."""
    text = GENERIC.get(kind, "")
    if "{example}" in text:
        grad = next((s for s in steps if len(s) > 1 and s[0] == "d" and s[1].isalpha()), None)
        text = text.replace("{example}", f" ({grad} has the shape of {grad[1:]})" if grad else "")
    return text


@dataclass
class Mistake:
    id: str
    step: str
    message: str
    explanation: str = ""
    doc: str | None = None
    affects: list[str] = field(default_factory=list)
    variants: list[str] = field(default_factory=list)
    source: str = "catalogue"  # catalogue, analysis or repair
    caused_by: str | None = None  # another function whose mistake shows here
    line: str | None = None  # where in the student's file the step is computed ("cell 7, line 14: `…`")
    repair: dict | None = None  # the edit that makes it right, for the instructor (diagnose.repair)

    def as_dict(self) -> dict:
        return {
            "id": self.id, "step": self.step, "message": self.message, "explanation": self.explanation,
            "doc": self.doc, "affects": self.affects, "variants": self.variants, "source": self.source,
            "caused_by": self.caused_by, "line": self.line, **({"repair": self.repair} if self.repair else {}),
        }


Cell = tuple[Any, str]  # (variant, step)


class Fingerprints:
    """Outputs of every catalogue mutant on the workload's calls, computed once and shared."""

    def __init__(self, workload: Workload) -> None:
        self.workload = workload
        self.assignment = workload.assignment
        self._cache: dict[tuple, dict[str, Any] | None] = {}
        self._effects: dict[tuple, tuple[dict, dict]] = {}
        self._forms: dict[tuple, tuple[dict, CellForm]] = {}
        self._screens: dict[tuple, tuple[dict, dict[Cell, set[str]]] | None] = {}

    def form(self, cells: dict, cell: Cell, ids: tuple[str, ...]) -> CellForm:
        """A mutant's values in one cell in their comparable form, once per batch."""
        key = (id(cells), cell, ids)
        known = self._forms.get(key)
        if known is None or known[0] is not cells:
            known = self._forms[key] = (cells, CellForm.of([cells[cell][i] for i in ids], expected=True))
        return known[1]

    def outputs(self, mistakes: tuple[MistakeSpec, ...], function: str) -> dict[str, Any] | None:
        key = (tuple(m.id for m in mistakes), function)
        if key not in self._cache:
            self._cache[key] = self._run(mistakes, function, self.workload.for_function(function))
        return self._cache[key]

    def _run(self, mistakes: tuple[MistakeSpec, ...], function: str, calls: list[Call]) -> dict[str, Any] | None:
        """The mutant's outputs (or errors) on ``calls``; None for mistakes that edit the same
        line (or, in a release, for any outputs not recorded)."""
        if not combinable(self.assignment, mistakes):
            return None
        module = mutant_module(self.assignment, mistakes)
        lines = source_lines(module)
        result = {}
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for call in calls:
                try:
                    result[call.id] = getattr(module, function)(**copy.deepcopy(call.args))
                except Exception as exc:  # noqa: BLE001 - mutants may raise numpy errors
                    result[call.id] = _error_of(exc, lines)
        return result

    def screened(self, mistakes: tuple[MistakeSpec, ...], fn: FunctionSpec, calls: list[Call],
                 key: tuple) -> tuple[dict, dict[Cell, set[str]]] | None:
        """:meth:`effect` on ``calls`` only, cached under ``key`` (the mistakes', the function's
        and the calls' ids, built once by the caller): a screen that can rule a mutant out
        before its outputs on every call are computed."""
        if key not in self._screens:
            outputs = self._run(mistakes, fn.name, calls)
            self._screens[key] = None if outputs is None else _effect_of(fn, calls, outputs)
        return self._screens[key]

    def known(self, ids: tuple[str, ...], function: str) -> tuple[dict, dict[Cell, set[str]]] | None:
        """:meth:`effect` of the mistakes ``ids`` on ``function`` if it was worked out already."""
        return self._effects.get((ids, function))

    def effect(self, mistakes: tuple[MistakeSpec, ...], fn: FunctionSpec) -> tuple[dict, dict[Cell, set[str]]] | None:
        """The mutant's cells, and per cell the calls where it differs from the reference
        (None when the outputs are unknown, as for pairs in a release).

        Independent of the student, so computed once per batch rather than per submission."""
        key = (tuple(m.id for m in mistakes), fn.name)
        if key not in self._effects:
            calls = self.workload.for_function(fn.name)
            outputs = self.outputs(mistakes, fn.name)
            if outputs is None:
                return None
            self._effects[key] = _effect_of(fn, calls, outputs)
        return self._effects[key]


@dataclass
class MutantError:
    """An error raised instead of a value (by a mutant, or by the student's code)."""

    record: dict

    @cached_property
    def signature(self) -> tuple:
        """What identifies the error across code styles (worked out once: each error is
        compared with many mutants' errors)."""
        return error_signature(self.record)


@dataclass
class CellForm:
    """A cell's values (one step over a function's calls) in a form compared in one go: which
    calls raised, the signatures of those errors, and the other values as one vector with its
    tolerance. Cells of values that cannot be flattened are compared call by call."""

    raised: tuple[bool, ...]
    errors: tuple
    flat: compare.Flat | None

    @classmethod
    def of(cls, values: list, expected: bool = False) -> CellForm:
        # an error raised, or a step the result lacks (a key left out): alike only to the same
        raised = tuple(isinstance(v, (MutantError, StepMissing)) for v in values)
        plain = [v for v, r in zip(values, raised) if not r]
        return cls(raised, tuple(v.signature if isinstance(v, MutantError) else "missing"
                                 for v, r in zip(values, raised) if r),
                   compare.flatten(plain, expected=expected) if plain else None)

    def alike(self, other: CellForm) -> bool | None:
        """Whether the two cells match call by call; None when only the calls can tell."""
        if self.raised != other.raised or self.errors != other.errors:
            return False  # a value where the other raised, or different errors
        if all(self.raised):
            return True
        if self.flat is not None and other.flat is not None:
            return compare.flat_close(self.flat, other.flat)
        return None


def _error_of(exc: BaseException, sources: dict) -> MutantError:
    return MutantError(error_record(exc, sources))


def diagnose(fn: FunctionSpec, result: FunctionResult, workload: Workload, run: Execution,
             prints: Fingerprints,
             functions_right: Callable[[], set[str]] | None = None) -> list[Mistake]:
    """Mistakes for one function, each reported once with the steps it affects."""
    calls = workload.for_function(fn.name)
    keepdims_only_on_reductions(fn, result, run.sources)
    mistakes = _interface(fn, [c for c in calls if not c.extreme], run, workload)
    if any(m.id == "wrong-return-type" for m in mistakes):
        return mistakes
    if fn.compare != "values":
        return mistakes
    observed = [c for c in calls if c.id in run.outcomes]
    if all(step_right(fn, call, step, run) for call in observed for step in fn.step_exprs()):
        return mistakes  # nothing wrong to explain
    student = _student_cells(fn, calls, run)
    wrong = {c for c, obs in student.items() if not all(step_right(fn, call, c[1], run) for *_, call in obs)}
    right = (functions_right() if functions_right else right_everywhere(workload, run)) - {fn.name}
    named, left = _fingerprint(fn, calls, student, wrong, workload, prints, right)
    if any(m.id == "missing-keys" for m in mistakes):  # a step the result lacks is said once
        absent = {step for step in fn.step_exprs()
                  if all(isinstance(student_step(fn, c, step, run), StepMissing) for c in observed if run.outcomes[c.id].ok)}
        left = {cell for cell in left if cell[1] not in absent}
        if named:  # by the catalogue mistake that leaves the keys out (the dA keys shifted by one)
            mistakes = [m for m in mistakes if m.id != "missing-keys"]
    mistakes += named
    mistakes += _analyse(fn, calls, student, left, workload, run)
    if any(c.id in run.spared for c in calls):  # a raise charged to the steps it blocked (judge.raised)
        lost = {c.step for c in result.checks if not c.passed and c.step}
        for mistake in mistakes:
            mistake.affects = [s for s in mistake.affects if s in lost or s == mistake.step]
    for mistake in named:
        function = workload.assignment.functions.get(mistake.caused_by or fn.name, fn)
        known = set(function.step_exprs()) | set(function.upstream)
        names = ([mistake.step] if mistake.step in known else []) + list(mistake.affects)
        # else the line that returns it: a mistake in the whole result, or steps computed inside the return
        whole = set(function.step_exprs()) == {"result"}
        mistake.line = source_place(run.sources, function.name, [*names, RETURNED if whole else COMPUTED])
    return mistakes


def source_place(sources: dict[str, list[str]], function: str, names: list[str]) -> str | None:
    """The line of the student's ``function`` (its last definition) that assigns the first of
    ``names`` found: the line to look at (from the grader's copy of the file)."""
    hit = assigning_line(sources, function, names)
    if hit is None:
        return None
    file, number, text = hit
    where = f"line {number}" if file.endswith(".py") else f"{file}, line {number}"
    return f"{where}: {code_span(text.strip()[:70])}"


RETURNED = "<return>"  # a name for source_place: the function's last return line
COMPUTED = "<computed return>"  # the same, only if it computes what it returns


def assigning_line(sources: dict[str, list[str]], function: str, names: list[str]) -> tuple[str, int, str] | None:
    """(file, line number, text) of the line of ``function`` that assigns the first of ``names``
    found; :data:`RETURNED` is its last ``return``, :data:`COMPUTED` that line only when it
    computes something (returning a bare name says nothing of how each entry was made)."""
    found = None
    for file, body in function_bodies(sources, function):
        for name in names:
            if name in (RETURNED, COMPUTED):
                hit = next(((n, t) for n, t in reversed(body) if re.match(r"\s*return\b", t)), None)
                if hit and name == COMPUTED and re.fullmatch(r"\s*return\s+\w+\s*(#.*)?", hit[1]):
                    hit = None
            else:
                hit = next(((n, t) for n, t in body if re.match(rf"\s*{re.escape(name)}\s*[-+*/]?=(?!=)", t)), None)
            if hit:
                found = (file, *hit)
                break
    return found


def globals_read(sources: dict[str, list[str]], function: str) -> str:
    """" (your f reads `m_train`, set outside it at cell 4, line 3)" for the names the student's
    ``function`` reads but never sets, that a top-level line of theirs assigns: where a count
    that divides by the wrong number most likely comes from. Empty when there is none."""
    bodies = function_bodies(sources, function)
    if not bodies:
        return ""
    file, body = bodies[-1]
    start = body[0][0] - 1 if body else 0
    text = "\n".join([sources[file][start - 1] if start else "", *(t for _, t in body)])
    try:
        tree = ast.parse(textwrap.dedent(text))
    except SyntaxError:
        return ""
    func = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)), None)
    if func is None:
        return ""
    set_here = {a.arg for a in ast.walk(func.args) if isinstance(a, ast.arg)} | {
        n.id for n in ast.walk(func) if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)}
    read = sorted({n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - set_here)
    for name in read:
        for where, lines in sources.items():
            number = next((k for k, line in enumerate(lines, 1) if re.match(rf"{re.escape(name)}\s*=(?!=)", line)), None)
            if number is not None:
                place = f"line {number}" if where.endswith(".py") else f"{where}, line {number}"
                return f" (your {function} reads `{name}`, set outside it at {place}: compute it from the arguments)"
    return ""


def function_bodies(sources: dict[str, list[str]], function: str) -> list[tuple[str, list[tuple[int, str]]]]:
    """Each definition of ``function`` in the student's files: (file, its numbered lines), last one last."""
    bodies = []
    for file, lines in sources.items():
        for start, text in enumerate(lines):
            if re.match(rf"\s*def {re.escape(function)}\s*\(", text):
                indent = len(text) - len(text.lstrip())
                body = []
                for number in range(start + 1, len(lines)):
                    line = lines[number]
                    if line.strip() and len(line) - len(line.lstrip()) <= indent and not line.lstrip().startswith("#"):
                        break
                    body.append((number + 1, line))
                bodies.append((file, body, _parses("\n".join([text, *(t for _, t in body)]))))
    # a definition that does not parse was not loaded (a half-edited cell): not where to look
    parsed = [(file, body) for file, body, ok in bodies if ok]
    return parsed or [(file, body) for file, body, _ in bodies]


@functools.lru_cache(maxsize=1024)
def _parses(text: str) -> bool:
    try:
        ast.parse(textwrap.dedent(text))
    except (SyntaxError, ValueError):
        return False
    return True


_REDUCTION = re.compile(r"\bnp\.(?:sum|mean)\s*\(|\.(?:sum|mean)\s*\(")


def reduces(sources: dict[str, list[str]], function: str, step: str | None) -> bool:
    """Whether the student's line computing ``step`` has a reduction (np.sum, np.mean, .sum(…)):
    only then is "keepdims=True keeps it" advice (np.zeros(dim) has no axis to keep). With no
    line that assigns the step, the function's last definition is read whole."""
    hit = assigning_line(sources, function, [step]) if step else None
    if hit is not None:
        return bool(_REDUCTION.search(hit[2].split("#")[0]))
    bodies = function_bodies(sources, function)
    return not bodies or any(_REDUCTION.search(text.split("#")[0]) for _, text in bodies[-1][1])


def keepdims_only_on_reductions(fn: FunctionSpec, result: FunctionResult, sources: dict[str, list[str]]) -> None:
    """The checks' keepdims advice is dropped where the student's line reduces nothing."""
    for check in result.checks:
        if compare.KEEPDIMS in check.feedback and not reduces(sources, fn.name, check.step):
            check.feedback = check.feedback.replace(compare.KEEPDIMS, "")


def _interface(fn: FunctionSpec, calls: list[Call], run: Execution, workload: Workload) -> list[Mistake]:
    found: list[Mistake] = []
    for call in calls:
        outcome = run.outcomes.get(call.id)
        if not outcome or not outcome.ok:
            continue
        problem = structure_problem(outcome.value, call.expected)
        if problem:  # said as far as this call's inputs allow
            problem = structure_problem(outcome.value, call.expected, for_call(call, run, workload.assignment))
            kind = "missing-keys" if "without the key" in problem else "wrong-return-type"
            if kind == "missing-keys":
                problem += _layers_left_out(outcome.value, call.expected)
            found.append(Mistake(kind, fn.name, f"{fn.name} {problem}.", GENERIC[kind], source="analysis",
                                 line=source_place(run.sources, fn.name, [RETURNED])))  # what it returns
            break
    changed = sorted({shown for c in calls for name in run.mutated.get(c.id, [])
                      if (shown := for_call(c, run, workload.assignment).name(name))})
    if changed or any(run.mutated.get(c.id) for c in calls):
        dicts = sorted({name.split("[")[0] for name in changed}) if changed and all("[" in n for n in changed) else []
        said = (f"{fn.name} changed the entries {', '.join(changed)} of the dict it was given (new arrays stored "
                f"in it, or its arrays changed): the caller's {' and '.join(dicts)} changed too. Leave them as they "
                "are: compute new arrays (x = x ** 2, not x **= 2) and put them in a new dict, or a copy, where the "
                "function returns one" if dicts else
                f"{fn.name} changed {', '.join(changed) or 'one of its inputs'} in place.")
        found.append(Mistake("modifies-input", fn.name, said, GENERIC["modifies-input"], source="analysis"))
    return found


def _layers_left_out(got: Any, expected: Any) -> str:
    """": the entries of the first layer (…): does the loop over the layers stop one layer too
    early?" when the keys missing are all those of the lowest (or highest) layer numbers of a
    per-layer dict (dA0, dW1, db1 of a backward loop that never reaches l = 0)."""
    if not isinstance(got, dict) or not isinstance(expected, dict):
        return ""
    layer = {k: int(m[1]) for k in expected if isinstance(k, str) and (m := re.fullmatch(r"[A-Za-z]+(\d+)", k))}
    missing = [k for k in expected if k not in got]
    if len(layer) < 4 or not missing or any(k not in layer for k in missing):
        return ""
    stem = {k: re.sub(r"\d+$", "", k) for k in layer}  # dW of dW1
    numbers: dict[str, list[int]] = {}
    for key, number in layer.items():
        numbers.setdefault(stem[key], []).append(number)
    if any(len(numbers[stem[k]]) < 2 for k in missing):
        return ""
    first = all(layer[k] == min(numbers[stem[k]]) for k in missing)
    last = all(layer[k] == max(numbers[stem[k]]) for k in missing)
    if first == last:
        return ""
    return (f": they are the {'first' if first else 'last'} layer's entries — does the loop over the layers stop one layer "
            "too early (the ends of range())?")


def _student_cells(fn: FunctionSpec, calls: list[Call], run: Execution) -> dict[Cell, list[tuple]]:
    """For each (variant, step): (student value or error, expected) per observed call."""
    cells: dict[Cell, list[tuple]] = {}
    for call in calls:
        outcome = run.outcomes.get(call.id)
        if outcome is None:  # skipped: nothing observed, nothing to blame
            continue
        error = None if outcome.ok else MutantError(outcome.error or {})  # one per call, whatever the step
        for step in fn.step_exprs():
            expected = expected_step(fn, call, step)
            got: Any = error if error is not None else student_step(fn, call, step, run)
            cells.setdefault((call.variant, step), []).append((got, expected, call))
    return cells


def _matches_all(pairs: list[tuple[Any, Any]]) -> list[bool]:
    """:func:`_matches` for many pairs, the plain values in one vectorised comparison."""
    result = [False] * len(pairs)
    plain = []
    for i, (got, expected) in enumerate(pairs):
        if isinstance(got, (MutantError, StepMissing)) or isinstance(expected, (MutantError, StepMissing)):
            result[i] = _matches(got, expected)
        else:
            plain.append(i)
    for i, verdict in zip(plain, compare.close_all([pairs[i] for i in plain])):
        result[i] = verdict
    return result


def _matches(got: Any, expected: Any, *_: Any) -> bool:
    if isinstance(got, MutantError) or isinstance(expected, MutantError):
        if isinstance(got, MutantError) and isinstance(expected, MutantError):
            return got.signature == expected.signature
        return False
    if isinstance(got, StepMissing) or isinstance(expected, StepMissing):
        return False
    return compare.close(got, expected, strict_shape=True)


def _mutant_cells(fn: FunctionSpec, calls: list[Call], outputs: dict[str, Any]) -> dict[Cell, dict[str, Any]]:
    cells: dict[Cell, dict[str, Any]] = {}
    for call in calls:
        out = outputs.get(call.id)
        for step, expr in fn.step_exprs().items():
            value = out if isinstance(out, MutantError) else step_value(expr, out)
            cells.setdefault((call.variant, step), {})[call.id] = value
    return cells


def _effect_of(fn: FunctionSpec, calls: list[Call], outputs: dict[str, Any]) -> tuple[dict, dict[Cell, set[str]]]:
    """A mutant's cells on ``calls``, and per cell the calls on which it differs from the reference."""
    cells = _mutant_cells(fn, calls, outputs)
    where = [((call.variant, step), call) for call in calls for step in fn.step_exprs()]
    same = _matches_all([(cells[cell][call.id], expected_step(fn, call, cell[1])) for cell, call in where])
    differs: dict[Cell, set[str]] = {}
    for (cell, call), alike in zip(where, same):
        if not alike:
            differs.setdefault(cell, set()).add(call.id)
    return cells, differs


def _screened_pairs(candidates: list, fn: FunctionSpec, student: dict, wrong: set[Cell], prints: Fingerprints,
                    changed_cells: Callable[[dict], set[Cell]]) -> list:
    """The candidate pairs that a screen cannot rule out, in order. A pair whose outputs on every
    call are known is kept if it changes exactly the wrong cells; another is first run on one
    call the student made per variant (:meth:`Fingerprints.screened`), and ruled out if there it
    changes a right cell or gives another value than the student's in a wrong one. Its outputs
    on every call, a worker's costliest first use, are then computed only for the few left.
    The values are compared in two batched passes: one wrong cell per pair, then the rest."""
    screen = list({call.variant: call for obs in student.values() for *_, call in obs}.values())
    ids = {call.id for call in screen}
    on_screen = {c for c, obs in student.items() if any(call.id in ids for *_, call in obs)}
    screen_ids = tuple(sorted(ids))
    # the student's values in the wrong cells on the screen's calls: (cell, call id, value)
    seen = [(c, call.id, got) for c in sorted(wrong) for got, _, call in student.get(c, ()) if call.id in ids]
    kept: list[tuple[Any, dict | None]] = []
    for candidate in candidates:
        pair = candidate[0]
        names = (pair[0].id, pair[1].id)
        known = prints.known(names, fn.name)
        if known is not None:
            if changed_cells(known[1]) == wrong:
                kept.append((candidate, None))
            continue
        screened = prints.screened(pair, fn, screen, (names, fn.name, screen_ids))
        # (on the screen's calls, a cell that differs is changed: each variant has one call there)
        if screened is not None and on_screen.intersection(screened[1]) <= wrong:
            kept.append((candidate, screened[0]))
    failed: set[int] = set()
    for part in (seen[:1], seen[1:]):  # most pairs fail on the first value: the others only for the rest
        owners = [(k, cell, call, got) for k, (_, cells) in enumerate(kept) if cells is not None and k not in failed
                  for cell, call, got in part]
        verdicts = _matches_all([(got, kept[k][1][cell][call]) for k, cell, call, got in owners])
        failed |= {k for (k, *_), alike in zip(owners, verdicts) if not alike}
    return [candidate for k, (candidate, _) in enumerate(kept) if k not in failed]


def _fingerprint(fn, calls, student, wrong, workload, prints, right=frozenset()) -> tuple[list[Mistake], set]:
    catalogue = workload.assignment.mistakes
    link = workload.assignment.doc_link
    effects = {}
    observed = {c: {call.id for *_, call in obs} for c, obs in student.items()}

    def changed_cells(differs: dict[Cell, set[str]]) -> set:
        """The cells where a mutant differs from the reference on a call the student made."""
        return {c for c, ids in differs.items() if c in observed and not observed[c].isdisjoint(ids)}

    for mistake in catalogue:
        if mistake.function in right:  # that function of the student's is right: not the cause
            continue
        effect = prints.effect((mistake,), fn)
        if effect is None:
            continue
        cells, differs = effect
        changed = changed_cells(differs)
        if changed:
            effects[mistake.id] = (mistake, cells, changed)

    memo: dict[int, tuple[set, set]] = {}

    forms: dict[Cell, tuple[tuple[str, ...], CellForm]] = {}

    def student_form(c: Cell) -> tuple[tuple[str, ...], CellForm]:
        if c not in forms:
            forms[c] = tuple(call.id for *_, call in student[c]), CellForm.of([got for got, _, _ in student[c]])
        return forms[c]

    def explain_all(items: list[tuple[dict, set]]) -> None:
        """Which changed cells each mutant's outputs explain (every observation alike). A cell
        of plain arrays, or of errors only, is one comparison; the others go pair by pair, batched."""
        todo = [(cells, changed) for cells, changed in items if id(cells) not in memo]
        failed, owners, pairs = set(), [], []
        for k, (cells, changed) in enumerate(todo):
            for c in changed & wrong:
                ids, got = student_form(c)
                alike = got.alike(prints.form(cells, c, ids))
                if alike is not None:
                    if not alike:
                        failed.add((k, c))
                    continue
                for value, _, call in student[c]:
                    owners.append((k, c))
                    pairs.append((value, cells[c][call.id]))
        failed.update(owner for owner, alike in zip(owners, _matches_all(pairs)) if not alike)
        for k, (cells, changed) in enumerate(todo):
            good = {c for c in changed & wrong if (k, c) not in failed}
            memo[id(cells)] = good, changed - good

    def explains(cells: dict, changed: set) -> tuple[set, set]:
        explain_all([(cells, changed)])
        return memo[id(cells)]

    # A mistake (or pair) explains everything only if it changes exactly the wrong cells and
    # matches the student in each: the value comparisons are left for those.
    # 1. one catalogue mistake explains everything
    exact = [(mistake, cells, changed) for mistake, cells, changed in effects.values() if changed == wrong]
    explain_all([(cells, changed) for _, cells, changed in exact])
    for mistake, cells, changed in exact:
        good, bad = explains(cells, changed)
        if good == wrong and not bad:
            return [_named(mistake, fn, good, link)], set()
    # 2. two mistakes in different steps, applied together (their effects may interact); a pair
    # is run on every call only if a screen on a few cannot rule it out (:func:`_screened_pairs`)
    same = [e for e in effects.values() if e[0].function == fn.name]
    candidates = [((m1, m2), ch1, ch2) for (m1, _, ch1), (m2, _, ch2) in itertools.combinations(same, 2)
                  if m1.step != m2.step and (ch1 | ch2) & wrong]
    for (m1, m2), ch1, ch2 in _screened_pairs(candidates, fn, student, wrong, prints, changed_cells):
        effect = prints.effect((m1, m2), fn)
        if effect is None:
            continue
        cells, differs = effect
        changed = changed_cells(differs)
        if changed != wrong:
            continue
        good, bad = explains(cells, changed)
        if good == wrong and not bad:
            return [_named(m1, fn, ch1 & wrong or wrong, link), _named(m2, fn, ch2 & wrong or wrong, link)], set()
    # 3. greedy: mistakes that explain some wrong cells and contradict no correct one. A match
    # on 0/1 labels alone can be luck: then the mistake must match half of what it changes.
    def informative(cell: Cell) -> bool:
        values = [compare.as_array(expected) for _, expected, _ in student[cell]]
        return any(v is not None and v.size and not np.all(v == np.round(v)) for v in values)

    # Once a mistake of a helper is found, nan or inf can come from that helper: a mistake of this
    # function matched on nothing but nan or inf is not named on top of it.
    @functools.cache
    def only_nonfinite(cell: Cell) -> bool:
        wrong_values = [compare.as_array(got) for got, expected, _ in student[cell] if not _matches(got, expected)]
        return all(v is not None and not np.isfinite(v).all() for v in wrong_values)

    left, found = set(wrong), []
    explain_all([(cells, changed) for _, cells, changed in effects.values()])
    ranked = sorted(effects.values(), key=lambda e: -len(explains(e[1], e[2])[0]))
    for mistake, cells, changed in ranked:
        good, bad = explains(cells, changed)
        enough = any(informative(c) for c in good) or 2 * len(good) >= len(changed)
        helper_blamed = any(m.caused_by for m in found)
        if helper_blamed and mistake.function == fn.name and all(only_nonfinite(c) for c in good & left):
            continue
        if good & left and not (bad - wrong) and enough:
            found.append(_named(mistake, fn, good, link))
            left -= good
    helper = next((m for m in found if m.caused_by), None)
    spread = {c for c in left if only_nonfinite(c)} if helper else set()
    if spread:  # the helper's nan or inf, carried into more of this function's steps
        helper.affects = sorted(set(helper.affects) | {step for _, step in spread} - {"result"})
        left -= spread
    return found, left


def _named(mistake: MistakeSpec, fn: FunctionSpec, cells: set, doc_link=None) -> Mistake:
    return Mistake(
        id=mistake.id,
        step=mistake.step,
        message=mistake.message,
        explanation=mistake.explanation,
        doc=doc_link(mistake.doc) if doc_link else mistake.doc,
        affects=sorted({step for _, step in cells} - {"result"}),
        variants=sorted({str(v) for v, _ in cells if v is not None}),
        caused_by=mistake.function if mistake.function != fn.name else None,
    )


def _analyse(fn, calls, student, left: set, workload: Workload, run: Execution) -> list[Mistake]:
    """Analytic findings for wrong cells no catalogue entry explains, grouped by relation."""
    found, explained = _misplaced(fn, student, left)
    left = left - explained
    groups: dict[tuple, list[Cell]] = {}
    texts: dict[tuple, str] = {}
    for cell in sorted(left, key=str):
        for got, expected, call in student[cell]:
            if _matches(got, expected):
                continue
            show = for_call(call, run, workload.assignment)  # what the message may say of this call
            if isinstance(got, MutantError):
                record = got.record
                kind = ("timeout" if is_timeout(record) else "memory" if is_memory(record)
                        else "shape-error" if shape_hint(record, show) else "exception")
                if record.get("type") in ("NotImplementedError",):
                    break
                key = (kind, explain_error(record, show))
                texts[key] = key[1]
            else:
                rel = compare.relation(got, expected, call.context.get("m"), show)
                kind = rel.kind if rel else "differs"
                text = rel.text if rel and rel.text else "the values differ"
                built = kind == "missing-keepdims" and not reduces(run.sources, fn.name, cell[1])
                key = (kind, NO_REDUCTION if built else None)  # a column lost where nothing was summed
                texts.setdefault(key, text.replace(compare.KEEPDIMS, "") if built else text)
            groups.setdefault(key, []).append(cell)
            break
    # a step is "right" only when it is right on every call (not merely outside this group)
    wrong_anywhere = {step for (_, step), observed in student.items()
                      if not all(_matches(got, expected) for got, expected, _ in observed)}
    for key, cells in groups.items():
        kind = key[0]
        steps = sorted({s for _, s in cells})
        variants = sorted({str(v) for v, _ in cells if v is not None})
        whole = steps == ["result"] or (kind in ERRORS and set(steps) == set(fn.step_exprs()))
        label = fn.name if whole else ", ".join(steps)
        message, step = f"{label}: {texts[key]}", label
        source = _common_source(fn, set(steps)) if kind in ("differs", "scaled") else None
        if kind == "wrong-count":
            message += globals_read(run.sources, fn.name)
        if source:
            right = sorted(set(fn.step_exprs()) - set(steps) - wrong_anywhere)
            said = message + ". " if kind != "differs" else ""  # "the values differ" adds nothing here
            message = (f"{said}{label} are wrong" + (f" while {', '.join(right)} are right" if right else "")
                       + f": they are all computed from {source}, so the mistake is most likely in {source}")
            step = source
        found.append(Mistake(
            id=kind, step=step, message=message, explanation=NO_REDUCTION if key[1] == NO_REDUCTION else generic(kind, steps),
            affects=[s for s in steps if s != "result"], variants=variants, source="analysis",
        ))
    return found


def _misplaced(fn: FunctionSpec, student: dict, left: set) -> tuple[list[Mistake], set[Cell]]:
    """Steps that hold, on every call, the value another step should have (an entry stored
    under the wrong key: the cache's Z1 and A1 swapped; said as a swap when it goes both ways),
    or an input exactly as it was given (b never updated); and the cells these explain."""
    holds: dict[Cell, str] = {}
    kept: dict[str, tuple[str, list]] = {}  # step -> the input it is, unchanged; its variants
    for cell in sorted(left, key=str):
        observed = student.get(cell) or []
        if not observed or any(isinstance(got, MutantError) for got, _, _ in observed):
            continue
        for other in fn.step_exprs():
            if other != cell[1] and all(compare.shape_of(got) == compare.shape_of(want := expected_step(fn, call, other))
                                        and compare.close(got, want, strict_shape=True) for got, _, call in observed):
                holds[cell] = other
                break
        else:
            given = _unchanged_input(observed)
            if given:
                kept.setdefault(cell[1], (given, []))[1].append(cell[0])
    explained = set(holds) | {(variant, step) for step, (_, variants) in kept.items() for variant in variants}
    found, said = [], set()
    if kept:  # one finding for every step of the kind (b1, b2 and b3 never updated)
        steps = list(kept)
        inputs = ", ".join(given for given, _ in kept.values())
        message = (f"{steps[0]} is {inputs} as it was given: it is never updated (or computed)" if len(steps) == 1
                   else f"{', '.join(steps)} are {inputs} as they were given: they are never updated (or computed)")
        found.append(Mistake(id="input-unchanged", step=", ".join(steps), message=message,
                             explanation=generic("input-unchanged"), affects=steps,
                             variants=sorted({str(v) for _, vs in kept.values() for v in vs if v is not None}),
                             source="analysis"))
        said.update(steps)
    for (variant, step), other in holds.items():
        if step in said:
            continue
        swapped = holds.get((variant, other)) == step
        steps = sorted({step, other}) if swapped else [step]
        said.update(steps)
        variants = sorted({str(v) for (v, s), o in holds.items() if v is not None and s in steps})
        message = (f"{steps[0]} and {steps[1]} are swapped: each holds the values the other should have"
                   if swapped else f"{step} holds the values {other} should have")
        found.append(Mistake(id="misplaced", step=", ".join(steps), message=message, explanation=generic("misplaced"),
                             affects=steps, variants=variants, source="analysis"))
    return found, explained


def _unchanged_input(observed: list) -> str | None:
    """The input (an argument, or an entry of a dict argument) a step is, on every call, exactly
    as it was given, where the reference's value differs from it: "parameters['b1']"."""
    names: set[str] | None = None
    for got, expected, call in observed:
        array = compare.as_array(got)
        if array is None or array.size == 0 or compare.close(got, expected, strict_shape=True):
            return None
        here = set()
        for name, value in call.args.items():
            items = value.items() if isinstance(value, dict) else [(None, value)]
            for key, item in items:
                other = compare.as_array(item)
                if other is not None and other.shape == array.shape and np.array_equal(other, array):
                    here.add(name if key is None else f"{name}[{key!r}]")
        names = here if names is None else names & here
        if not names:
            return None
    return sorted(names)[0] if names else None


def _common_source(fn: FunctionSpec, wrong: set[str]) -> str | None:
    """The intermediate whose dependent steps are exactly the wrong ones, if there is one."""
    if len(wrong) < 2:
        return None
    for source, steps in fn.upstream.items():
        if set(steps) == wrong:
            return source
    return None
