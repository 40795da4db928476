"""Point at the student's own line: search small edits of a function that lost marks.

The student's code is in our hands and we can run it. For a function that lost marks
(and whose helpers did not), its own ``def`` is parsed from the grader's copy of the file,
the operators (:mod:`autograder.diagnose.operators`) propose edits typed by the shapes in
scope on a real call, and the edited versions run in the submission's own jailed child
(:class:`autograder.run.variants.Trials`): first on one failing call per variant, edits
closest to the wrong steps first, then the survivors on every input, public and hidden,
judged like the submission itself. The smallest edit (one, else two) that gives the
function full marks is kept. Bounded: a budget of versions and of seconds per submission.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autograder.diagnose import operators
from autograder.diagnose.mistakes import Mistake
from autograder.judge import compare
from autograder.judge.cases import Call, Workload
from autograder.judge.checks import FunctionResult, expected_step, judge_function, step_right, step_value
from autograder.load.source import LoadedSource
from autograder.run.execute import Execution
from autograder.run.sandbox.runner import Outcome
from autograder.run.variants import Trials
from autograder.spec import FunctionSpec

SINGLES = 300  # versions with one edit tried per function
PAIRS = 300  # versions with two edits, when no single edit works
CONFIRM = 12  # versions that pass the failing calls, tried on every call
SECONDS = 3.0  # wall clock for the whole search of one submission
# analytic findings a repair replaces (the value relations); interface findings stay
_VALUE_KINDS = {"transposed", "scaled-by-m", "scaled-by-1-over-m", "sign-flipped", "scaled", "missing-keepdims",
                "wrong-axis", "reduced-to-scalar", "not-finite", "wrong-shape", "shape-error", "exception",
                "differs"}


@dataclass
class Repair:
    """The edit (or two) that gives a function full marks, and where it is in the student's file."""

    function: str
    edits: list[operators.Edit]
    places: list[tuple[str, int, str]]  # (file, line, the student's line as the grader's copy has it)
    fixes: list[str]  # steps that were wrong and are right with the edit
    variants: list[str] = field(default_factory=list)
    target: str | None = None  # what the edited statement computes (dW2), when it assigns one name
    steps: list[str] = field(default_factory=list)  # every step of the function
    assigns: list[set[str]] = field(default_factory=list)  # per edit, what its statement assigns

    def where(self, k: int = 0) -> str:
        file, line, _ = self.places[k]
        return f"{file}, line {line}" if file.startswith("cell ") else f"line {line}"

    def sentence(self, hint: str, upstream: dict[str, tuple[str, ...]] | None = None) -> str:
        """"cell 7, line 14: `np.dot(W2, dZ2)` — with `W2.T` here, dZ1, dW1 and db1 are right."""
        fixed = list(self.fixes)
        if self.target in (upstream or {}) and set(upstream[self.target]) == set(fixed):
            fixed = [self.target, *fixed]  # dZ1, dW1 and db1
        said = (", ".join(fixed[:-1]) + " and " + fixed[-1]) if len(fixed) > 1 else (fixed[0] if fixed else "it")
        verb = "are" if len(fixed) > 1 else "is"
        if fixed in ([], ["result"]):
            said, verb = "the result", "is"
        elif len(fixed) > 2 and set(fixed) == set(self.steps):
            said, verb = "every step", "is"
        parts = []
        for k, edit in enumerate(self.edits):
            code = self.places[k][2]
            if hint == "line":
                parts.append(f"{self.where(k)}: `{code}` — {edit.name} here")
            else:
                added = len(edit.before) > 2 and edit.before in edit.after  # `dZ1 @ X.T / m`: said in full
                instead = "" if added else f" instead of `{edit.before}`"
                parts.append(f"{self.where(k)}: `{code}` — with `{edit.after}` here{instead}")
        fixed_by = "with that fixed" if hint == "line" and len(parts) == 1 else \
            "with those fixed" if hint == "line" else ""
        return ", and ".join(parts) + (f"; {fixed_by}" if fixed_by else "") + f", {said} {verb} right."

    def as_dict(self) -> dict:
        """The instructor's record: always the edit itself, whatever students are shown."""
        return {
            "edits": [{"file": f, "line": n, "code": code, "kind": e.kind, "before": e.before, "after": e.after}
                      for (f, n, code), e in zip(self.places, self.edits)],
            "fixes": self.fixes,
        }


def repair_report(functions: list[FunctionResult], workload: Workload, loaded: LoadedSource, run: Execution,
                  functions_right: Callable[[], set[str]], relies_on: dict[str, frozenset[str]],
                  limits: Any = None) -> None:
    """Search a repair for every function that lost marks on its own (not through a helper of
    the student's that lost marks too), and put the line into its mistakes."""
    lost = {f.name for f in functions if f.status == "ok" and f.max_score and f.score < f.max_score - 1e-6}
    todo = [f for f in functions if f.name in lost
            and not ((relies_on.get(f.name, frozenset()) | run.uses.get(f.name, set())) & (lost - {f.name}))
            and not any(m.caused_by for m in f.mistakes)]
    if not todo:
        return
    assignment = workload.assignment
    with Trials(loaded, workload, limits, SECONDS) as trials:
        for result in todo:
            fn = assignment.functions[result.name]
            found = search(fn, workload, loaded, run, trials, functions_right)
            if found is not None:
                result.mistakes = with_repair(result.mistakes, found, fn, getattr(assignment, "hint", "edit"))


def with_repair(mistakes: list[Mistake], found: Repair, fn: FunctionSpec, hint: str) -> list[Mistake]:
    """A catalogue mistake keeps its name and explanation and gains the line; analytic
    findings of values give way to the operator's name and why."""
    sentence = found.sentence(hint, fn.upstream)
    catalogue = [m for m in mistakes if m.source == "catalogue" and not m.caused_by]
    if len(catalogue) == len(found.edits) == 2:  # two named mistakes, two edits: each its own line
        parts = [replace(found, edits=[e], places=[p], assigns=[a], target=None)
                 for e, p, a in zip(found.edits, found.places, found.assigns)]
        first = next((k for k, part in enumerate(parts)
                      if part.assigns[0] & {catalogue[0].step, *catalogue[0].affects}), 0)
        for mistake, part in zip(catalogue, [parts[first], parts[1 - first]]):
            part.fixes = [s for s in found.fixes if s in mistake.affects] or found.fixes
            mistake.message = f"{mistake.message} At {part.sentence(hint, fn.upstream)}"
            mistake.repair = part.as_dict()
        return mistakes
    if catalogue:
        first = catalogue[0]
        first.message = f"{first.message} At {sentence}"
        first.repair = found.as_dict()
        return mistakes
    kept = [m for m in mistakes if m.id not in _VALUE_KINDS]
    step = found.target or fn.name
    kinds = sorted({e.kind for e in found.edits})
    names = " and ".join(dict.fromkeys(e.name for e in found.edits))
    why = " ".join(dict.fromkeys(e.why for e in found.edits))
    kept.append(Mistake(
        id=f"{step}-{'-and-'.join(kinds)}", step=step, message=f"{step}: {names} — {sentence}", explanation=why,
        affects=[s for s in found.fixes if s != "result"], variants=found.variants, source="repair",
        repair=found.as_dict()))
    return kept


def search(fn: FunctionSpec, workload: Workload, loaded: LoadedSource, run: Execution, trials: Trials,
           functions_right: Callable[[], set[str]]) -> Repair | None:
    """The smallest edit of the student's ``fn`` (one, else two) that gives it full marks."""
    unit = next((u for u in reversed(loaded.units) if u.kind == "def" and fn.name in u.names), None)
    func = operators.parse_function(unit.source, fn.name) if unit else None
    calls = [c for c in workload.for_function(fn.name) if c.id in run.outcomes]
    if func is None or not calls or trials.left <= 0:
        return None
    steps = list(fn.step_exprs())
    failing = [c for c in calls if not run.outcomes[c.id].ok
               or not all(step_right(fn, c, s, run) for s in steps)]
    wrong = sorted({s for c in failing for s in steps if not step_right(fn, c, s, run)}, key=steps.index)
    screen = _screen_calls(failing or calls) if fn.compare == "values" else calls
    probe_call = next((c for c in calls if c.visibility == "public"), calls[0])
    shapes, _ = trials.run(fn.name, [], [probe_call], probe=True)
    helpers = [n for u in loaded.units if u.kind == "def" for n in u.names]
    singles = _ranked(func, operators.edits(func, shapes, helpers), fn, wrong)[:SINGLES]
    if not singles:
        return None
    judge = _Judge(fn, workload, run, calls, screen, functions_right)
    scores = _try(trials, fn, unit.source, [[e] for e in singles], judge)
    best = _confirmed(trials, fn, unit.source, [[e] for e, s in zip(singles, scores) if s == 0.0], judge)
    if best is None and trials.left > 0:
        base = judge.distance(screen, [run.outcomes.get(c.id) for c in screen])
        pairs = _pairs(singles, scores, base)
        pair_scores = _try(trials, fn, unit.source, pairs, judge)
        best = _confirmed(trials, fn, unit.source, [p for p, s in zip(pairs, pair_scores) if s == 0.0], judge)
    if best is None:
        return None
    places = []
    for edit in best:
        line = unit.lineno + edit.line - 1
        places.append((unit.filename, line, loaded.unit_lines(unit.filename, line)))
    fixed = [s for s in wrong]
    variants = sorted({str(c.variant) for c in failing if c.variant is not None})
    targets = operators.assigned_names(func).get(best[0].line, set())
    target = next(iter(targets)) if len(targets) == 1 else None
    assigned = operators.assigned_names(func)
    return Repair(fn.name, best, places, fixed, variants, target if target and target.isidentifier() else None,
                  steps, [assigned.get(e.line, set()) for e in best])


def _pairs(singles: list[operators.Edit], scores: list[float | None], base: float | None) -> list[list[operators.Edit]]:
    """Versions with two edits: first two that each bring the results closer, then one of the
    closest with any of the edits nearest the wrong steps."""
    scored = sorted((s, k) for k, s in enumerate(scores) if s is not None and (base is None or s < base))
    better = [singles[k] for _, k in scored[:20]]
    chosen: list[list[operators.Edit]] = []
    seen: set[tuple[int, int]] = set()
    candidates = [(a, b) for i, a in enumerate(better) for b in better[i + 1:]]
    candidates += [(a, b) for a in better[:8] for b in singles[:60]]
    for a, b in candidates:
        key = (min(id(a), id(b)), max(id(a), id(b)))
        if a is b or key in seen or not operators.compatible(a, b):
            continue
        seen.add(key)
        chosen.append([a, b])
        if len(chosen) >= PAIRS:
            break
    return chosen


def _screen_calls(failing: list[Call]) -> list[Call]:
    """One failing call per variant, public first: a cheap first test of every version."""
    chosen: dict[Any, Call] = {}
    for call in sorted(failing, key=lambda c: c.visibility != "public"):
        chosen.setdefault(call.variant, call)
    return list(chosen.values())


def _ranked(func: ast.FunctionDef, found: list[operators.Edit], fn: FunctionSpec,
            wrong: list[str]) -> list[operators.Edit]:
    """Edits closest to the wrong steps first: by how many assignments lie between the edited
    line and what a wrong step returns; lines only right steps depend on last."""
    assigned = operators.assigned_names(func)
    reads = operators.statement_reads(func)
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None]
    depth: dict[int, int] = {}
    frontier: set[str] = set()
    for step in wrong:
        key = _step_key(fn.step_exprs()[step])
        frontier.add(step)
        for ret in returns:
            if isinstance(ret.value, ast.Dict) and key is not None:
                for k, v in zip(ret.value.keys, ret.value.values):
                    if isinstance(k, ast.Constant) and k.value == key:
                        frontier |= {n.id for n in ast.walk(v) if isinstance(n, ast.Name)}
                        depth.setdefault(ret.lineno, 0)
            else:
                frontier |= reads.get(ret.lineno, set())
                depth.setdefault(ret.lineno, 0)
    level = 1
    seen: set[str] = set()
    while frontier:
        seen |= frontier
        lines = [ln for ln, names in assigned.items() if {n.split("[")[0] for n in names} & frontier]
        nxt: set[str] = set()
        for ln in lines:
            if ln not in depth:
                depth[ln] = level
                nxt |= reads.get(ln, set())
        frontier = nxt - seen
        level += 1
    return sorted(found, key=lambda e: (depth.get(e.line, 99), -e.line, len(e.span)))  # then the smallest change


def _step_key(expr: str) -> str | None:
    """'dW2' of a step expression ``out['dW2']``."""
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


class _Judge:
    """How far a version's results are from the reference's, and whether it earns full marks."""

    def __init__(self, fn: FunctionSpec, workload: Workload, run: Execution, calls: list[Call], screen: list[Call],
                 functions_right: Callable[[], set[str]]) -> None:
        self.fn, self.workload, self.run, self.calls, self.screen = fn, workload, run, calls, screen
        self.functions_right = functions_right

    def distance(self, calls: list[Call], outcomes: list[Outcome | None]) -> float | None:
        """0 when every step is right on every call; larger the further off; None with no result."""
        if self.fn.compare != "values":
            return 0.0 if all(o is not None and o.ok for o in outcomes) else None
        total = 0.0
        for call, outcome in zip(calls, outcomes):
            if outcome is None:
                return None
            if not outcome.ok:
                total += 100.0
                continue
            for step, expr in self.fn.step_exprs().items():
                got, want = step_value(expr, outcome.value), expected_step(self.fn, call, step)
                if compare.close(got, want, strict_shape=True):
                    continue
                g, e = compare.as_array(got), compare.as_array(want)
                if g is None or e is None or g.shape != e.shape:
                    total += 20.0
                    continue
                with np.errstate(all="ignore"):
                    rel = float(np.linalg.norm(g - e) / (np.linalg.norm(e) + 1e-12))
                total += min(rel, 10.0) if np.isfinite(rel) else 10.0
        return total

    def full_marks(self, outcomes: list[Outcome | None]) -> bool:
        if any(o is None for o in outcomes):
            return False
        ids = {c.id for c in self.calls}
        patched = replace(
            self.run,
            outcomes={**self.run.outcomes, **{c.id: o for c, o in zip(self.calls, outcomes)}},
            mutated={**{k: v for k, v in self.run.mutated.items() if k not in ids},
                     **{c.id: o.changed for c, o in zip(self.calls, outcomes) if o.changed}},
            skipped={k: v for k, v in self.run.skipped.items() if k not in ids},
            memo={},
        )
        result = judge_function(self.fn, self.workload, patched, self.functions_right)
        return result.max_score > 0 and result.score >= result.max_score - 1e-6




def _try(trials: Trials, fn: FunctionSpec, source: str, versions: list[list[operators.Edit]],
         judge: _Judge) -> list[float | None]:
    """The distance of each version on the screening calls (None: no result in the budget)."""
    if not versions:
        return []
    _, results = trials.run(fn.name, [operators.splice(source, v) for v in versions], judge.screen)
    return [judge.distance(judge.screen, outcomes) for outcomes in results]


def _confirmed(trials: Trials, fn: FunctionSpec, source: str, versions: list[list[operators.Edit]],
               judge: _Judge) -> list[operators.Edit] | None:
    """The first version (in rank order) that earns full marks on every call."""
    versions = versions[:CONFIRM]
    if not versions or trials.left <= 0:
        return None
    _, results = trials.run(fn.name, [operators.splice(source, v) for v in versions], judge.calls)
    for version, outcomes in zip(versions, results):
        if judge.full_marks(outcomes):
            return version
    return None
