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
import copy
import functools
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from autograder.diagnose import operators
from autograder.diagnose.mistakes import Mistake
from autograder.judge import compare
from autograder.judge.cases import Call, Workload, build_workload
from autograder.judge.checks import FunctionResult, expected_step, judge_function, step_right, step_value
from autograder.judge.disclose import code_span
from autograder.judge.reference import (
    apply_mistake,
    function_span,
    reference_functions,
    reference_module,
    reference_source,
)
from autograder.load.flow import Flow, graded_def, parse_function, step_key
from autograder.load.source import LoadedSource
from autograder.run.execute import Execution
from autograder.run.sandbox.runner import STOPPED, Outcome
from autograder.run.sandbox.trace import shapes_on_return
from autograder.run.variants import Trials
from autograder.spec import Assignment, FunctionSpec, MistakeSpec, SpecError

SINGLES = 300  # versions with one edit tried per function
PAIRS = 120  # versions with two edits, when no single edit works
# when the catalogue named every mistake, the search is only for the line: a small budget (the
# edits that undo those mistakes are tried first: see catalogue_fixes)
NAMED = 16  # single edits, for one named mistake
NAMED_PAIRS = 16  # pairs, for two (from the first FIRST_CHUNK single edits)
OUTSIDE = 40  # edits of lines no wrong step depends on (through names) tried at most
FIRST_CHUNK = 8  # the first versions screened: the best-ranked edit is most often the one
CHUNK = 30  # versions screened at a time: most repairs are among the first edits
CONFIRM = 12  # versions that pass the failing calls, tried on every call
SECONDS = 3.0  # wall clock for the whole search of one submission
# analytic findings a repair replaces (the value relations); interface findings stay
_VALUE_KINDS = {"transposed", "scaled-by-m", "scaled-by-1-over-m", "sign-flipped", "scaled", "missing-keepdims",
                "wrong-axis", "reduced-to-scalar", "not-finite", "wrong-shape", "empty", "shape-error", "exception",
                "differs", "misplaced", "wrong-count", "input-unchanged"}


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
                parts.append(f"{self.where(k)}: {code_span(code)} — {edit.name} here")
            else:
                added = len(edit.before) >= 2 and edit.before in edit.after  # `dZ1 @ X.T / m`, `W2.T`: said in full
                long = len(edit.before) > 24  # the line quoted just before shows it
                before, after = _quoted_like(edit.before, code), _quoted_like(edit.after, code)
                instead = "" if added or long else f" instead of {code_span(before)}"
                parts.append(f"{self.where(k)}: {code_span(code)} — with {code_span(after)} here{instead}")
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


def _quoted_like(text: str, code: str) -> str:
    """An expression the grader wrote (ast.unparse quotes with ') in the quotes of the student's
    line: cache["A1"] beside their cache["Z1"]."""
    if '"' in code and "'" not in code and '"' not in text:
        return text.replace("'", '"')
    return text


def repair_report(functions: list[FunctionResult], workload: Workload, loaded: LoadedSource, run: Execution,
                  functions_right: Callable[[], set[str]], relies_on: dict[str, frozenset[str]],
                  limits: Any = None, box: Any = None) -> None:
    """Search a repair for every function that lost marks on its own (not through a helper of
    the student's that lost marks too), and put the line into its mistakes. ``box``: the
    sandbox the submission was graded in, whose child tries the edited versions."""
    lost = {f.name for f in functions if f.status == "ok" and f.max_score and f.lost_points}
    todo = [f for f in functions if f.name in lost
            and not ((relies_on.get(f.name, frozenset()) | run.uses.get(f.name, set())) & (lost - {f.name}))
            and not any(m.caused_by for m in f.mistakes)]
    if not todo:
        return
    assignment = workload.assignment
    with Trials(loaded, workload, limits, SECONDS, box) as trials:
        for result in todo:
            fn = assignment.functions[result.name]
            own = [m for m in result.mistakes if m.source == "catalogue" and not m.caused_by]
            explained = bool(own) and all(m.source == "catalogue" for m in result.mistakes)
            specs = {m.id: m for m in assignment.mistakes}
            likely = frozenset().union(*(catalogue_fixes(assignment, specs[m.id]) for m in own if m.id in specs))
            found = search(fn, workload, loaded, run, trials, functions_right, [m.step for m in own], explained,
                           likely)
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
    if len(catalogue) == len(found.edits) == 1:
        named = {catalogue[0].step, *catalogue[0].affects}
        beyond = {s for m in mistakes if m.source != "catalogue" and m.id in _VALUE_KINDS and not m.caused_by
                  for s in (m.affects or [m.step])} - named
        if beyond and beyond <= set(found.fixes):
            # one edit makes right steps the named mistake cannot change, which a finding of their own
            # said were wrong (cache['Z1'] read for A1: dW2 is wrong too, where a tanh derivative
            # written with Z1 leaves it right): the name fits some values, not the slip, and the
            # operator says what the edit does
            mistakes = [m for m in mistakes if m is not catalogue[0]]
            catalogue = []
    if catalogue:
        first = catalogue[0]
        first.message = f"{first.message} At {sentence}"
        first.repair = found.as_dict()
        # a step the edit makes right is no second mistake ("dW2: the values differ" beside it)
        return [m for m in mistakes if m.source == "catalogue" or m.caused_by
                or not set(m.affects or [m.step]) <= set(found.fixes)]
    # a finding that already says what the mistake is, the edit being its line: what Python said (a
    # name set in one branch only), or the input changed in place when the edit is a copy
    said = next((m for m in mistakes if m.id == "exception" and "UnboundLocalError" in m.message), None)
    if said is None and all(e.kind == "copy" for e in found.edits):
        said = next((m for m in mistakes if m.id == "modifies-input"), None)
    if said is not None:
        said.message = f"{said.message}{'' if said.message.endswith('.') else '.'} At {sentence}"
        said.repair = found.as_dict()
        return [m for m in mistakes if m is said or m.id not in _VALUE_KINDS]
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
           functions_right: Callable[[], set[str]], named: list[str] = (), explained: bool = False,
           likely: frozenset[tuple[str, str, str]] = frozenset()) -> Repair | None:
    """The smallest edit of the student's ``fn`` (one, else two) that gives it full marks.
    ``named``: the steps of the catalogue mistakes found in it (lines assigning those names
    are tried first); ``explained``: every mistake of it is a catalogue one, so the search
    is only for the line (a smaller budget, pairs only for two mistakes); ``likely``: the
    edits that undo those mistakes in the reference (:func:`catalogue_fixes`), tried first."""
    unit, func, _ = graded_def(loaded, fn.name) or (None, None, None)
    calls = [c for c in workload.for_function(fn.name) if c.id in run.outcomes]
    stopped = any(not run.outcomes[c.id].ok and (run.outcomes[c.id].error or {}).get("type") in STOPPED
                  for c in calls)  # it hung, crashed or flooded: no small edit of an expression fixes that
    if func is None or not calls or stopped or trials.left <= 0:
        return None
    steps = list(fn.step_exprs())
    failing = [c for c in calls if not run.outcomes[c.id].ok
               or not all(step_right(fn, c, s, run) for s in steps)]
    wrong = sorted({s for c in failing for s in steps if not step_right(fn, c, s, run)}, key=steps.index)
    screen = _screen_calls(failing or calls) if fn.compare == "values" else calls
    probe_call = next((c for c in calls if c.visibility == "public"), calls[0])
    shapes, _ = trials.run(fn.name, [], [probe_call], probe=True)
    shapes = _own_names(shapes, func, probe_call)
    helpers = [n for u in loaded.units if u.kind == "def" for n in u.names]
    flow = _Flow(func, fn, named, likely)
    judge = _Judge(fn, workload, run, calls, screen, functions_right)
    best, singles = None, []
    if likely:  # first the edits that undo a named mistake, alone: most often one of them is the line
        inside, outside = flow.ranked(operators.edits(func, shapes, helpers, flow.likely_kinds), wrong)
        # (not a line that only binds a name: renaming there would move the mistake, not fix it)
        undoing = [e for e in inside + outside if flow.undoes(e) and e.line not in flow.binding_lines]
        best = _undone(trials, fn, unit.source, undoing, judge, len(named))
    scores: list[tuple[float | None, frozenset[str]]] = []
    if best is None:
        inside, outside = flow.ranked(operators.edits(func, shapes, helpers), wrong)
        singles = (inside + outside[:OUTSIDE])[:(FIRST_CHUNK if len(named) > 1 else NAMED) if explained else SINGLES]
        best = _in_chunks(trials, fn, unit.source, [[e] for e in singles], judge, scores)
    if best is None and singles and trials.left > 0 and (len(named) > 1 or not explained):
        base = judge.distance(screen, [run.outcomes.get(c.id) for c in screen])[0]
        rank = functools.partial(flow.ranked, singles)
        pairs = _pairs(singles, scores, base, rank)[:NAMED_PAIRS if explained else PAIRS]
        best = _in_chunks(trials, fn, unit.source, pairs, judge, [])
    if best is None:
        return None
    places = []
    for edit in best:
        line = unit.lineno + edit.line - 1
        places.append((unit.filename, line, loaded.unit_lines(unit.filename, line)))
    fixed = [s for s in wrong]
    variants = sorted({str(c.variant) for c in failing if c.variant is not None})
    targets = flow.assigned.get(best[0].line, set())
    target = next(iter(targets)) if len(targets) == 1 else None
    assigned = flow.assigned
    return Repair(fn.name, best, places, fixed, variants, target if target and target.isidentifier() else None,
                  steps, [assigned.get(e.line, set()) for e in best])


def _undone(trials: Trials, fn: FunctionSpec, source: str, undoing: list[operators.Edit], judge: _Judge,
            named: int) -> list[operators.Edit] | None:
    """The edits that undo the named catalogue mistakes, screened together (one run on the
    failing calls) and the ones that pass confirmed on every call: when the catalogue named
    the mistakes, one of them is most often the line. Pairs of them too: two named mistakes,
    or one made on two lines (once per branch of an ``if activation``); first the pairs when
    two mistakes were named."""
    if not undoing:
        return None
    undoing = undoing[:NAMED]  # a fix repeated on every line of a long function: not every pair (red team 6)
    singles = [[e] for e in undoing]
    pairs = [[a, b] for i, a in enumerate(undoing) for b in undoing[i + 1:]
             if a.line != b.line and operators.compatible(a, b)][:NAMED_PAIRS * 4]
    versions = pairs + singles if named > 1 else singles + pairs
    passed = [v for v, (score, _) in zip(versions, _try(trials, fn, source, versions, judge)) if score == 0.0]
    return _confirmed(trials, fn, source, passed, judge)


def _in_chunks(trials: Trials, fn: FunctionSpec, source: str, versions: list[list[operators.Edit]], judge: _Judge,
               scores: list[tuple[float | None, frozenset[str]]]) -> list[operators.Edit] | None:
    """Screen the versions a chunk at a time, in rank order, and confirm the ones that pass:
    the first confirmed is the answer, and the versions after it are never run. ``scores``
    receives each screened version's distance (for the pairs)."""
    start = 0
    while start < len(versions):
        chunk = versions[start:start + (FIRST_CHUNK if start == 0 else CHUNK)]
        start += len(chunk)
        chunk_scores = _try(trials, fn, source, chunk, judge)
        scores += chunk_scores
        best = _confirmed(trials, fn, source, [v for v, s in zip(chunk, chunk_scores) if s[0] == 0.0], judge)
        if best is not None or trials.left <= 0:
            return best
    return None


def _pairs(singles: list[operators.Edit], scores: list[tuple[float | None, frozenset[str]]], base: float | None,
           rank: Callable[[list[str]], tuple[list[operators.Edit], list[operators.Edit]]]) -> list[list[operators.Edit]]:
    """Versions with two edits: two that each bring the results closer; then, for the edits
    that bring them closest, the edits nearest the steps still wrong with it."""
    scored = sorted((s, k) for k, (s, _) in enumerate(scores) if s is not None and (base is None or s < base))
    better = [singles[k] for _, k in scored[:12]]
    candidates = [(a, b) for i, a in enumerate(better) for b in better[i + 1:]]
    for _, k in scored[:4]:
        still = sorted(scores[k][1])
        candidates += [(singles[k], b) for b in _by_line(rank(still)[0])[:40]]
    chosen: list[list[operators.Edit]] = []
    seen: set[tuple[int, int]] = set()
    for a, b in candidates:
        key = (min(id(a), id(b)), max(id(a), id(b)))
        if a is b or key in seen or not operators.compatible(a, b):
            continue
        seen.add(key)
        chosen.append([a, b])
        if len(chosen) >= PAIRS:
            break
    return chosen


def _by_line(edits: list[operators.Edit]) -> list[operators.Edit]:
    """The edits taken line by line in turn (the first of each line, then the second…): a
    second edit is looked for on many lines, not only on the nearest one."""
    lines: dict[int, list[operators.Edit]] = {}
    for edit in edits:
        lines.setdefault(edit.line, []).append(edit)
    rounds = max((len(v) for v in lines.values()), default=0)
    return [group[r] for r in range(rounds) for group in lines.values() if r < len(group)]


def shapes_on(func: Any, call: Call) -> dict:
    """The shapes of a trusted function's locals when it returns on ``call`` (in-process: the
    reference's, to type the edits of its mutants)."""
    def run() -> None:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                func(**copy.deepcopy(call.args))
        except Exception:  # noqa: BLE001 - the shapes seen up to an error still type the edits
            pass

    return shapes_on_return(getattr(func, "__code__", None), run)


@functools.lru_cache(maxsize=256)
def catalogue_fixes(assignment: Assignment, mistake: MistakeSpec) -> frozenset[tuple[str, str, str]]:
    """The operator edits that turn a catalogue mistake back into the reference: (kind,
    before, after) in the reference's names. A student's edit of the same kind is tried first
    when that mistake was named (once per batch and mistake)."""
    if assignment.solution is None:  # a student release: no reference to undo the mistake in
        return frozenset()
    source = reference_source(assignment)
    try:
        mutated = apply_mistake(source, mistake)
        start, end = function_span(mutated, mistake.function)
        ref_start, ref_end = function_span(source, mistake.function)
    except SpecError:
        return frozenset()
    text = mutated[start:end]
    func = parse_function(text, mistake.function)
    changed = {i + 1 for i, (a, b) in enumerate(zip(text.splitlines(), source[ref_start:ref_end].splitlines()))
               if a != b}
    module = reference_module(assignment)
    calls = [c for c in build_workload(assignment).for_function(mistake.function) if c.visibility == "public"]
    if func is None or not calls:
        return frozenset()
    shapes = shapes_on(getattr(module, mistake.function), calls[0])
    fixes = set()
    for edit in operators.edits(func, shapes, list(reference_functions(module))):
        if changed and edit.line not in changed:
            continue
        namespace = dict(vars(module))
        try:
            exec(compile(operators.splice(text, [edit]), "<fix>", "exec"), namespace)  # noqa: S102 - the reference
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                right = all(compare.close(namespace[mistake.function](**copy.deepcopy(c.args)), c.expected,
                                          strict_shape=True) for c in calls)
        except Exception:  # noqa: BLE001 - an edit of a mutant may raise
            right = False
        if right:
            fixes.add((edit.kind, edit.before, edit.after))
    return frozenset(fixes)


def _screen_calls(failing: list[Call]) -> list[Call]:
    """One failing call per variant, public first: a cheap first test of every version."""
    chosen: dict[Any, Call] = {}
    for call in sorted(failing, key=lambda c: c.visibility != "public"):
        chosen.setdefault(call.variant, call)
    return list(chosen.values())


class _Flow:
    """Which lines of the function each step depends on, through the names it assigns."""

    def __init__(self, func: ast.FunctionDef, fn: FunctionSpec, named: list[str] = (),
                 likely: frozenset[tuple[str, str, str]] = frozenset()) -> None:
        self.func, self.fn = func, fn
        self.likely = {(kind, _plain(before), _plain(after)) for kind, before, after in likely}
        self.likely_kinds = {kind for kind, _, _ in likely}
        self.flow = Flow(func)
        self.assigned = self.flow.assigned
        self.named_lines = {line for line, names in self.assigned.items() if names & set(named)}
        # lines that only bind names to what is there (a dict entry, an argument): an edit there renames
        # for the whole function, so it comes after the edits of lines that compute
        self.binding_lines = {node.lineno for node in ast.walk(func) if isinstance(node, ast.Assign)
                              and all(isinstance(n, (ast.Name, ast.Subscript, ast.Attribute, ast.Tuple, ast.Constant,
                                                     ast.Load, ast.expr_context))
                                      for n in ast.walk(node.value))}

    def ranked(self, found: list[operators.Edit], wrong: list[str]) -> tuple[list[operators.Edit], list[operators.Edit]]:
        """The edits in the order to try them, and apart the ones on lines outside the slices
        of the wrong steps. First the lines computing a named catalogue mistake's step, then
        (the edits undoing a named catalogue mistake first, by their kind), then the lines every wrong step depends on (one edit there can fix them all), then the
        others; among those, the fewest assignments between the line and what a wrong step
        returns, the latest line, the smallest change."""
        slices = [self.slice(step) for step in wrong] or [self.slice(None)]

        def key(edit: operators.Edit) -> tuple:
            depths = [s[edit.line] for s in slices if edit.line in s]
            guess = 0 if self.undoes(edit) else \
                1 if edit.kind in self.likely_kinds and edit.line in self.named_lines else \
                2 if edit.kind in self.likely_kinds else 3
            binding = edit.line in self.binding_lines
            return (guess + 3 * binding if guess < 3 else 6 + binding, edit.line not in self.named_lines,
                    -len(depths), min(depths, default=99), -edit.line, len(edit.span))

        ordered = sorted(found, key=key)
        inside = [e for e in ordered if any(e.line in s for s in slices)]
        return inside, [e for e in ordered if not any(e.line in s for s in slices)]

    def undoes(self, edit: operators.Edit) -> bool:
        """Whether the edit is one that turns a named catalogue mistake back into the reference."""
        return (edit.kind, _plain(edit.before), _plain(edit.after)) in self.likely

    def slice(self, step: str | None) -> dict[int, int]:
        """The lines a step's value depends on (see :class:`autograder.load.flow.Flow`)."""
        return self.flow.slice(step, step_key(self.fn.step_exprs()[step]) if step else None)


def _own_names(shapes: dict, func: ast.FunctionDef, call: Call) -> dict:
    """The child's report of the shapes in scope, kept only for names the student's function
    itself spells (and dict keys it or the grader's inputs spell): an edit may put a name into
    the feedback, and the child, which may hold hidden inputs, chooses the names it reports."""
    names, keys = set(), set()
    for node in ast.walk(func):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            keys.add(node.value)
    keys |= {k for v in call.args.values() if isinstance(v, dict) for k in v if isinstance(k, str)}
    kept = {}
    for text, shape in shapes.items():
        match = re.fullmatch(r"([A-Za-z_]\w*)(?:\['(\w+)'\])?", text)
        if match and match.group(1) in names and (match.group(2) is None or match.group(2) in keys):
            kept[text] = shape
    return kept


def _plain(code: str) -> str:
    """Code with dict entries read as plain names (``cache['A1']`` as ``A1``): the reference
    and a student name the same arrays both ways."""
    return re.sub(r"\b\w+\[(['\"])(\w+)\1\]", r"\2", code)


class _Judge:
    """How far a version's results are from the reference's, and whether it earns full marks."""

    def __init__(self, fn: FunctionSpec, workload: Workload, run: Execution, calls: list[Call], screen: list[Call],
                 functions_right: Callable[[], set[str]]) -> None:
        self.fn, self.workload, self.run, self.calls, self.screen = fn, workload, run, calls, screen
        self.functions_right = functions_right

    def distance(self, calls: list[Call], outcomes: list[Outcome | None]) -> tuple[float | None, frozenset[str]]:
        """How far the results are from the reference's (0: every step right on every call;
        None: no result) and which steps are still wrong."""
        steps = self.fn.step_exprs()
        if self.fn.compare != "values":
            ok = all(o is not None and o.ok for o in outcomes)
            return (0.0 if ok else None), frozenset() if ok else frozenset(steps)
        total, wrong = 0.0, set()
        for call, outcome in zip(calls, outcomes):
            if outcome is None:
                return None, frozenset(steps)
            if not outcome.ok:
                total += 100.0
                wrong |= set(steps)
                continue
            for step, expr in steps.items():
                got, want = step_value(expr, outcome.value), expected_step(self.fn, call, step)
                g, e = compare.as_array(got), compare.as_array(want)
                if g is None or e is None or g.shape != e.shape:
                    if not compare.close(got, want, strict_shape=True):
                        total += 20.0
                        wrong.add(step)
                    continue
                with np.errstate(all="ignore"):
                    rel = float(np.linalg.norm(g - e) / (np.linalg.norm(e) + 1e-12))
                if rel > 1e-6 or not np.isfinite(rel):  # (a screen: full marks are judged on every call after it)
                    total += min(rel, 10.0) if np.isfinite(rel) else 10.0
                    wrong.add(step)
        return total, frozenset(wrong)

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
            memo={k: v for k, v in self.run.memo.items() if k[0] == "disclosure"},  # the rest depends on outcomes
            spared={},  # a repaired version raises nowhere
        )
        result = judge_function(self.fn, self.workload, patched, self.functions_right)
        return result.max_score > 0 and not result.lost_points


def _try(trials: Trials, fn: FunctionSpec, source: str, versions: list[list[operators.Edit]],
         judge: _Judge) -> list[tuple[float | None, frozenset[str]]]:
    """The distance of each version on the screening calls (None: no result in the budget)."""
    if not versions:
        return []
    _, results = trials.run(fn.name, [operators.splice(source, v) for v in versions], judge.screen)
    return [judge.distance(judge.screen, outcomes) for outcomes in results]


def _confirmed(trials: Trials, fn: FunctionSpec, source: str, versions: list[list[operators.Edit]],
               judge: _Judge) -> list[operators.Edit] | None:
    """The first version (in rank order) that earns full marks on every call."""
    versions = versions[:CONFIRM]
    for group in (versions[:1], versions[1:]):  # the first alone: it is most often the one
        if not group or trials.left <= 0:
            return None
        _, results = trials.run(fn.name, [operators.splice(source, v) for v in group], judge.calls)
        for version, outcomes in zip(group, results):
            if judge.full_marks(outcomes):
                return version
    return None
