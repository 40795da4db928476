"""Turn an execution into scored checks, per function, variant and step.

Points of a function are split between its variants (``variant_weights``),
then between the checks of each variant by kind weight. Every step (dW1, db1,
…) has its own checks, so a mistake in dZ1 costs dW1 and db1, not dW2.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from autograder.judge import compare
from autograder.judge.cases import Call, Workload, call_id
from autograder.judge.disclose import TRUSTED, WITHHELD_SHAPE, Disclosure, for_call
from autograder.judge.errors import explain_error
from autograder.judge.reference import reference_info, spec_helpers
from autograder.run.execute import Execution
from autograder.run.sandbox.inputs import identical
from autograder.spec import FunctionSpec

WEIGHTS = {"structure": 0.25, "public": 1.0, "shape": 1.0, "values": 3.0, "gradcheck": 1.0,
           "finite": 0.5, "property": 1.0, "inputs": 2.0}
# Checks that only earn points when some result of the variant is right: returning the
# input unchanged is the right type, finite and harmless, but deserves nothing. So are the
# checks of a step whose right value is an input handed back (a cache (A, W, b), model's
# learning_rate): see echo_step.
GATED = {"structure", "shape", "finite", "inputs"}
GATED_MESSAGE = ("no points for this check yet: it counts once at least one result is right, and no "
                 "result is right yet")
GRAD_TOLERANCE = 1e-4


def withheld(feedback: str) -> bool:
    """Whether a failed check's feedback is only :data:`GATED_MESSAGE`: its result is right, its
    points wait until the function shows work (the report treats it as right, not as a mistake)."""
    return feedback.startswith(GATED_MESSAGE)


@dataclass
class CheckResult:
    name: str
    visibility: str
    score: float
    max_score: float
    passed: bool
    feedback: str
    kind: str
    variant: str | None = None
    step: str | None = None


@dataclass
class FunctionResult:
    name: str
    checks: list[CheckResult] = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: str = "ok"  # ok, missing, not-implemented, provided (imported from a course module)
    # judged again with the grader's own versions of these helpers of the student's (grading.judge_on_their_own)
    judged_with: list[str] = field(default_factory=list)
    # judged again so, it lost as much: its mistakes are its own, not its helpers' (the report says them)
    wrong_alone: bool = False

    @property
    def score(self) -> float:
        return round(sum(c.score for c in self.checks), 4)

    @property
    def max_score(self) -> float:
        return round(sum(c.max_score for c in self.checks), 4)

    @property
    def lost_points(self) -> bool:
        """Short of full marks (rounding aside)."""
        return self.score < self.max_score - 1e-6


@dataclass
class _Pending:
    kind: str
    step: str | None
    visibility: str
    calls: list[Call]
    evaluate: Callable[[Call], str | None]  # None when the call passes, else feedback
    label: str
    share: float | None = None  # the spec's own weight, else the kind's

    @property
    def weight(self) -> float:
        return WEIGHTS[self.kind] if self.share is None else self.share


def judge_function(fn: FunctionSpec, workload: Workload, run: Execution,
                   functions_right: Callable[[], set[str]] = set) -> FunctionResult:
    """``functions_right`` gives the student's functions that are right everywhere: a property
    that replays the reference (a training run) only holds a function to it when its helpers are."""
    result = FunctionResult(fn.name, notes=list(run.function_notes.get(fn.name, [])))
    calls = workload.for_function(fn.name)
    ref = reference_info(workload.assignment).functions
    ctx = _Context(fn, run, ref, spec_helpers(workload.assignment), functions_right, workload)
    if calls and all(run.skipped.get(c.id) == "not defined" for c in calls):
        result.status = "missing"
    elif calls and all(_is_not_implemented(run, c) for c in calls):
        result.status = "not-implemented"
    judged = []
    for label in fn.variant_labels():
        vcalls = [c for c in calls if c.variant == label]
        pending = [p for p in _plan(fn, vcalls, ctx) if p.calls]  # no inputs, no points
        judged.append((label, vcalls, pending, [(p, _spare(p, [(c, msg) for c in p.calls if (msg := p.evaluate(c))
                                                             is not None], run)) for p in pending]))
    # Work is shown by one right result: on a hidden input where the function has some, since
    # the public answers ship with the release (a file returning them earned the gated checks:
    # red team 6); a variant without hidden inputs of its own counts the other variants'.
    # (a function compared by shape only names the properties that show work: right shapes alone
    # a stub sized from its inputs has too, red team 7)
    work = frozenset(prop.name for prop in fn.properties if prop.shows_work)
    has_hidden = any(_proof(p, True, work) for *_, pending, _ in judged for p in pending)
    anywhere = has_hidden and any(_shows_work(fn, vcalls, verdicts, True, work)
                                  for _, vcalls, _, verdicts in judged)
    for label, vcalls, pending, verdicts in judged:
        total = sum(p.weight for p in pending)
        points = fn.points * fn.variant_weight(label)
        own = any(_proof(p, True, work) for p in pending)
        earned = anywhere if has_hidden and not own else _shows_work(fn, vcalls, verdicts, has_hidden, work)
        for p, failures in verdicts:
            max_score = points * p.weight / total if total else 0.0
            feedback = ""
            gated = (p.kind in GATED or echo_step(fn, vcalls, p.step) or (has_hidden and p.visibility == "public")
                     or (bool(work) and not _proof(p, False, work)))
            if not failures and gated and not earned:
                failures = [(p.calls[0], GATED_MESSAGE)]
            if failures:
                call, msg = failures[0]
                gated = msg == GATED_MESSAGE
                count = f" (on {len(failures)} of {len(p.calls)} inputs)" if len(p.calls) > 1 and not gated else ""
                feedback = msg + count
            name = fn.name + (f"[{label}]" if label is not None else "") + (f" {p.step}" if p.step else "") + f": {p.label}"
            result.checks.append(CheckResult(
                name=name, visibility=p.visibility, score=0.0 if failures else max_score,
                max_score=max_score, passed=not failures, feedback=feedback,
                kind=p.kind, variant=label, step=p.step,
            ))
    return result


def _spare(p: _Pending, failures: list[tuple[Call, str]], run: Execution) -> list[tuple[Call, str]]:
    """A step's check without the calls that raised at a line the step does not depend on,
    where the step was shown right with that line skipped (judge.raised): the raise is charged
    to the steps it blocked (and to "returns the right type"), not to every step."""
    if p.step is None or p.kind not in ("public", "shape", "values", "gradcheck"):
        return failures
    return [(c, m) for c, m in failures if p.step not in run.spared.get(c.id, ())]


def _proof(p: _Pending, hidden: bool, work: frozenset[str] = frozenset()) -> bool:
    """Whether a check's passing calls show work: right values or a property (only the ones in
    ``work``, when the spec names some), on hidden inputs when ``hidden`` (public ones count
    only where a function has no hidden inputs)."""
    if work and (p.kind != "property" or p.label not in work):
        return False
    if hidden:
        return p.visibility == "hidden" and p.kind in ("values", "property")
    return p.kind in ("public", "values", "property")


def _shows_work(fn: FunctionSpec, calls: list[Call], verdicts: list, hidden: bool,
                work: frozenset[str] = frozenset()) -> bool:
    """Whether one call passes one :func:`_proof` check with a value a constant would not
    have: not an input handed back (a cache (A, W, b)), not an array of one repeated value
    (a predict that returns zeros is right where every label is 0) unless every value to be
    right about is one (then any right one counts)."""
    proofs = [(p, {id(c) for c, _ in failures}) for p, failures in verdicts
              if _proof(p, hidden, work) and not echo_step(fn, calls, p.step)]

    def telling(p: _Pending, call: Call) -> bool:  # read once per batch
        if p.step is None:
            return True
        if p.step not in call.telling:
            call.telling[p.step] = _telling(expected_step(fn, call, p.step))
        return call.telling[p.step]

    some = any(telling(p, c) for p, _ in proofs for c in p.calls)
    return any(id(c) not in failed and (not some or telling(p, c)) for p, failed in proofs for c in p.calls)


def _telling(expected: Any) -> bool:
    """Whether a right value says something: not several entries all alike."""
    array = compare.as_array(expected)
    if array is None or array.size <= 1 or array.dtype.kind not in "biuf":
        return True
    return bool(np.ptp(array) > 0)


def _is_not_implemented(run: Execution, call: Call) -> bool:
    outcome = run.outcomes.get(call.id)
    return bool(outcome and not outcome.ok and outcome.error and outcome.error.get("type") == "NotImplementedError")


class _Context:
    """Shared lookups for the checks of one function."""

    def __init__(self, fn: FunctionSpec, run: Execution, ref: dict, helpers: dict,
                 functions_right: Callable[[], set[str]], workload: Workload | None = None) -> None:
        self.fn, self.run, self.ref, self.helpers = fn, run, ref, helpers
        self.functions_right = functions_right
        self.assignment = workload.assignment if workload is not None else None
        self._failures: dict[str, str | None] = {}

    def show(self, call: Call) -> Disclosure:
        """What the feedback on this call may say of the student's output (autograder.judge.disclose)."""
        return for_call(call, self.run, self.assignment)

    def other(self, call: Call, case: str) -> Any:
        """The student's result for the same function and variant on another case (a property
        may relate two runs, e.g. a training run continued from a shorter one)."""
        other = self.run.outcomes.get(call_id(call.function, call.variant, case))
        if other is None or not other.ok:
            raise ValueError(f"your {call.function} gave no result on the {case} inputs")
        return other.value

    def failure(self, call: Call) -> str | None:
        """Why there is no value for this call, if there is none (every check asks)."""
        if call.id not in self._failures:
            self._failures[call.id] = self._failure(call)
        return self._failures[call.id]

    def _failure(self, call: Call) -> str | None:
        if call.id in self.run.skipped:
            reason = self.run.skipped[call.id]
            if reason == "not defined":
                return f"{self.fn.name} is not defined in your submission"
            return reason.replace("did not finish in time (an infinite loop?)", "took longer than its time limit")
        outcome = self.run.outcomes.get(call.id)
        if outcome is None:
            return "it was not run"
        if not outcome.ok:
            return explain_error(outcome.error or {}, self.show(call))
        return None

    def value(self, call: Call) -> Any:
        return self.run.outcomes[call.id].value

    def step(self, call: Call, step: str) -> tuple[Any, str | None]:
        """The student's value for a step, or why it cannot be read."""
        failure = self.failure(call)
        if failure:
            return None, failure
        got = student_step(self.fn, call, step, self.run)
        if isinstance(got, StepMissing):
            return None, f"{step} could not be read from your result: {got.text(self.show(call))}"
        return got, None


@dataclass
class StepMissing:
    reason: str  # the grader's words, or what Python said when the step expression failed
    value: Any = None  # the result the step could not be read from
    error: str = ""  # the type of that failure (IndexError, TypeError)

    def text(self, show: Disclosure = TRUSTED) -> str:
        if not self.error:
            return self.reason
        said = show.message(self.reason)
        return f"it is {compare.describe_type(self.value, show)} ({self.error}{': ' + said if said else ''})"


@lru_cache(maxsize=1024)
def _compiled(expr: str) -> Any:
    """A spec expression (a step, a property) compiled once per process."""
    return compile(expr, "<spec>", "eval")


def step_value(expr: str, out: Any) -> Any:
    """Evaluate a spec's step expression (``out['dW1']``) on a plain-data result."""
    try:
        return eval(_compiled(expr), {"np": np, "__builtins__": {}}, {"out": out})  # noqa: S307 - spec text
    except KeyError as exc:
        return StepMissing(f"it has no key {exc}")
    except (IndexError, TypeError) as exc:
        return StepMissing(str(exc), out, type(exc).__name__)


def student_step(fn: FunctionSpec, call: Call, step: str, run: Execution) -> Any:
    """The student's value for a step of a call that returned (read once per submission: the
    checks, the diagnosis and the step table all look at it)."""
    key = ("value", call.id, step)
    if key not in run.memo:
        run.memo[key] = step_value(fn.step_exprs()[step], run.outcomes[call.id].value)
    return run.memo[key]


def expected_step(fn: FunctionSpec, call: Call, step: str) -> Any:
    """The reference's value for a step (read once per batch)."""
    if step not in call.steps:
        call.steps[step] = step_value(fn.step_exprs()[step], call.expected)
    return call.steps[step]


def echo_step(fn: FunctionSpec, calls: list[Call], step: str | None) -> bool:
    """Whether the reference's value of ``step`` is, on every call, an input handed back: one
    of the arguments, or a tuple of them (as a cache keeps them). Read once per batch."""
    if step is None or not calls:
        return False
    for call in calls:
        if step not in call.echoes:
            call.echoes[step] = handed_back(expected_step(fn, call, step), call)
        if not call.echoes[step]:
            return False
    return True


def handed_back(value: Any, call: Call, nearly: bool = False) -> bool:
    """Whether ``value`` is one of the call's inputs unchanged, or a tuple or list of them;
    ``nearly``: or within the tolerance of one (a student's ``dA * (1 + 1e-9)`` is ``dA``)."""
    if isinstance(value, (tuple, list)) and len(value) > 1 and all(handed_back(v, call, nearly) for v in value):
        return True
    same = (lambda a, b: compare.close(a, b, strict_shape=True)) if nearly else identical
    return any(same(value, given) for given in (*call.args.values(), *call.variant_args.values()))


def inputs_handed_back(fn: FunctionSpec, workload: Workload, run: Execution) -> bool:
    """Whether every wrong result of ``fn`` is only its inputs handed back (each wrong step's
    value one of its call's inputs): a function that did nothing, whatever mistake it matches."""
    wrong = [(c, s) for c in workload.for_function(fn.name) if (o := run.outcomes.get(c.id)) is not None and o.ok
             for s in fn.step_exprs() if not step_right(fn, c, s, run)]
    return bool(wrong) and all(handed_back(student_step(fn, c, s, run), c, nearly=True) for c, s in wrong)


def step_right(fn: FunctionSpec, call: Call, step: str, run: Execution) -> bool:
    """Whether the student's value for this step equals the reference's (tolerance, same shape).

    Scoring, the diagnosis and "which functions are right" all ask this of the same
    values, so it is worked out once per submission."""
    key = (call.id, step)
    if key not in run.memo:
        outcome = run.outcomes.get(call.id)
        run.memo[key] = outcome is not None and outcome.ok and value_right(fn, call, step,
                                                                           student_step(fn, call, step, run))
    return run.memo[key]


def value_right(fn: FunctionSpec, call: Call, step: str, got: Any) -> bool:
    """Whether a value read for a step (:func:`step_value`) is the reference's: within the
    tolerance, with the same shape."""
    return not isinstance(got, StepMissing) and compare.close(got, expected_step(fn, call, step), strict_shape=True)


def _step_pair(fn: FunctionSpec, call: Call, step: str, run: Execution) -> tuple[Any, Any] | None:
    """The student's and the reference's value of a step, or None when the student has none."""
    outcome = run.outcomes.get(call.id)
    if outcome is None or not outcome.ok:
        return None
    got = student_step(fn, call, step, run)
    return None if isinstance(got, StepMissing) else (got, expected_step(fn, call, step))


def judge_steps(workload: Workload, run: Execution) -> None:
    """:func:`step_right` for every call and step of a submission at once, in one vectorised
    comparison (a submission has ~300 of them; numpy's per-call cost dwarfs arrays this small)."""
    keys, pairs = [], []
    for call in workload.calls:
        fn = workload.assignment.functions[call.function]
        for step in fn.step_exprs():
            key = (call.id, step)
            if key in run.memo:
                continue
            pair = _step_pair(fn, call, step, run)
            if pair is None:
                run.memo[key] = False
            else:
                keys.append(key)
                pairs.append(pair)
    run.memo.update(zip(keys, compare.close_all(pairs)))


def _plan(fn: FunctionSpec, calls: list[Call], ctx: _Context) -> list[_Pending]:
    plain = [c for c in calls if not c.extreme]
    public = [c for c in plain if c.visibility == "public"]
    hidden = [c for c in plain if c.visibility != "public"]
    extreme = [c for c in calls if c.extreme]
    first = "public" if public else "hidden"
    plan = [_Pending("structure", None, first, plain, lambda c: _structure(c, ctx), "returns the right type")]
    for step in fn.step_exprs():
        if public:
            checker = _values if fn.compare == "values" else _shape
            plan.append(_Pending("public", step, "public", public, _bound(checker, ctx, step),
                                 "values (public inputs)" if fn.compare == "values" else "shape (public inputs)"))
        if hidden:
            plan.append(_Pending("shape", step, "hidden", hidden, _bound(_shape, ctx, step), "shape (hidden inputs)"))
            if fn.compare == "values":
                plan.append(_Pending("values", step, "hidden", hidden, _bound(_values, ctx, step), "values (hidden inputs)"))
            if fn.gradcheck and step in _grad_steps(fn):
                plan.append(_Pending("gradcheck", step, "hidden", hidden, _bound(_gradcheck, ctx, step),
                                     "matches finite differences of the cost"))
    if extreme:
        plan.append(_Pending("finite", None, "hidden", extreme, lambda c: _finite(c, ctx), "finite for |z| up to 1000"))
    for prop in fn.properties:
        on = [c for c in plain if prop.cases is None or c.case in prop.cases]
        plan.append(_Pending("property", None, "public" if any(c.visibility == "public" for c in on) else "hidden",
                             on, _property_checker(prop, ctx), prop.name, prop.weight))
    plan.append(_Pending("inputs", None, "hidden", plain, lambda c: _inputs(c, ctx), "leaves its inputs unchanged"))
    return plan


def _bound(checker: Callable, ctx: _Context, step: str) -> Callable[[Call], str | None]:
    return lambda call: checker(call, ctx, step)


def _grad_steps(fn: FunctionSpec) -> dict[str, str | None]:
    mapping = (fn.gradcheck or {}).get("steps")
    return dict(mapping) if mapping else {s: None for s in fn.step_exprs()}


def _structure(call: Call, ctx: _Context) -> str | None:
    failure = ctx.failure(call)
    if failure:
        return failure
    if structure_problem(ctx.value(call), call.expected) is None:  # the common case, said nothing
        return None
    return f"{ctx.fn.name} {structure_problem(ctx.value(call), call.expected, ctx.show(call))}"


def structure_problem(got: Any, expected: Any, show: Disclosure = TRUSTED) -> str | None:
    """How the shape of a result (dict keys, tuple length, array or number) is off."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"should return a dict with keys {', '.join(map(str, expected))}; it returned {compare.describe_type(got, show)}"
        missing = [k for k in expected if k not in got]
        if missing:
            near = [(k, g) for k in missing for g in got
                    if isinstance(g, str) and g != k and g.lower() == str(k).lower() and show.name(g)]
            hint = (f": keys are case-sensitive, and {near[0][1]} is not {near[0][0]}" if near else "")
            return (f"returned a dict without the key(s) {', '.join(map(str, missing))} "
                    f"(it has {_keys(got, show)}){hint}")
        for key, value in expected.items():
            inner = structure_problem(got[key], value, show)
            if inner:
                return f"{key}: {inner}"
        return None
    if isinstance(expected, tuple) and compare.as_array(expected) is None:
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"should return a tuple of {len(expected)}; it returned {compare.describe_type(got, show)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            inner = structure_problem(g, e, show)
            if inner:
                return f"item {i}: {inner}"
        return None
    if compare.as_array(expected) is not None and compare.as_array(got) is None:
        return f"should return {compare.describe_type(expected)}; it returned {compare.describe_type(got, show)}"
    return None


def _keys(got: dict, show: Disclosure) -> str:
    """The keys of a student's dict, as far as ``show`` allows."""
    if not got:
        return "no keys"
    names = show.listed(list(got), 12)
    if not names:
        return "other keys"
    return ", ".join(names) + (" and others" if len(names) < len(got) else "")


def _shape(call: Call, ctx: _Context, step: str) -> str | None:
    if step_right(ctx.fn, call, step, ctx.run):  # right values in the strict sense: the same shape too
        return None
    got, failure = ctx.step(call, step)
    if failure:
        return failure
    expected = expected_step(ctx.fn, call, step)
    show = ctx.show(call)
    want, have = compare.shape_of(expected), compare.shape_of(got)
    if have is None and want is not None:
        return f"{step} should be {compare.describe_type(expected)}; it is {compare.describe_type(got, show)}"
    if want != have:
        if want == () and have is not None and int(np.prod(have)) == 1:
            return f"{step} should be a plain number; it is an array of {show.shape_phrase(have)} (use float(np.squeeze(...)))"
        rel = compare.relation(got, expected, call.context.get("m"), show)
        if rel and rel.text.startswith("it has "):  # the relation already names both shapes
            return f"{step} {rel.text.removeprefix('it ')}"
        text = f"{step} should have shape {want}; it has {show.shape_phrase(have)}"
        if rel and rel.kind != "wrong-shape":
            text += f" — {rel.text}"
        return text
    return None


def _values(call: Call, ctx: _Context, step: str) -> str | None:
    if step_right(ctx.fn, call, step, ctx.run):
        return None
    got, failure = ctx.step(call, step)
    if failure:
        return failure
    expected = expected_step(ctx.fn, call, step)
    show = ctx.show(call)
    if compare.close(got, expected):
        g, e = compare.as_array(got), compare.as_array(expected)
        if g is not None and e is not None and g.shape != e.shape and e.size > 1:
            # Right numbers in a shape that broadcasts wrongly downstream (b - lr*db with db of
            # shape (n,) is (n, n)): the step is not usable as it is.
            rel = compare.relation(got, expected, call.context.get("m"), show)
            said = rel.text.split(": ", 1)[1] if rel and rel.text.startswith("it has ") and ": " in rel.text else (
                "" if rel and rel.text.startswith("it has ") else rel.text if rel else "")
            said = said.removeprefix("the values are right but ")
            why = f" — {said}" if said and rel and rel.kind != "wrong-shape" else ""
            shape = show.shape(g.shape)
            return (f"{step} has the right numbers in {f'the wrong shape {shape}' if shape else WITHHELD_SHAPE} "
                    f"(expected {e.shape}){why}; used as it is, it would broadcast into wrong values in the next step")
        return None
    return f"{step} is wrong: " + describe_wrong(got, expected, call.context.get("m"), show)


def describe_wrong(got: Any, expected: Any, m: int | None, show: Disclosure = TRUSTED) -> str:
    """Expected versus got, where they differ and by what factor (as far as ``show`` allows)."""
    if compare.as_array(expected) is None or compare.as_array(got) is None:
        inner = _first_difference(got, expected, m, show)
        if inner:
            return inner
        said, wanted = compare.describe_type(got, show), compare.describe_type(expected)
        if said == wanted:  # same kind of container: what differs is inside it
            return f"it is {said} as expected, but what it holds differs"
        return f"expected {wanted}, got {said}"
    rel = compare.relation(got, expected, m, show)
    diff = compare.difference_text(got, expected, show)
    parts = [p for p in (diff, rel.text if rel and rel.kind != "differs" else "") if p]
    return "; ".join(parts) if parts else "the values differ"


def _first_difference(got: Any, expected: Any, m: int | None, show: Disclosure) -> str | None:
    """For two containers of the same kind and size: the first item that differs, said as an item."""
    if isinstance(expected, dict) and isinstance(got, dict) and set(got) >= set(expected):
        pairs = [(f"[{k!r}]", got[k], v) for k, v in expected.items()]
    elif isinstance(expected, (tuple, list)) and isinstance(got, (tuple, list)) and len(got) == len(expected):
        pairs = [(f"[{i}]", g, e) for i, (g, e) in enumerate(zip(got, expected))]
    else:
        return None
    for label, g, e in pairs:
        if not compare.close(g, e, strict_shape=True):
            return f"item {label} is wrong: " + describe_wrong(g, e, m, show)
    return None


def _gradcheck(call: Call, ctx: _Context, step: str) -> str | None:
    if step_right(ctx.fn, call, step, ctx.run):  # the reference's value, which validate checks against the numbers
        return None
    got, failure = ctx.step(call, step)
    if failure:
        return failure
    key = _grad_steps(ctx.fn).get(step)
    numeric = call.numeric_grad[key] if key else call.numeric_grad
    show = ctx.show(call)
    g = compare.as_array(got)
    if g is None or g.shape != numeric.shape:
        has = "it is not an array" if g is None else f"it has {show.shape_phrase(g.shape)}"
        return f"{step} cannot be compared with the numerical gradient ({has}; expected shape {numeric.shape})"
    with np.errstate(all="ignore"):
        err = float(np.linalg.norm(g - numeric) / max(np.linalg.norm(g) + np.linalg.norm(numeric), 1e-12))
    if err < GRAD_TOLERANCE:
        return None
    rel = compare.relation(got, numeric, call.context.get("m"), show)
    extra = f"; {rel.text}" if rel and rel.kind not in ("differs",) and rel.text else ""
    error = show.number(err, ".2g")
    return (f"{step} does not match the numerical gradient of the cost (central differences of J "
            f"through the reference forward pass){f': relative error {error}' if error else ''}{extra}")


def _finite(call: Call, ctx: _Context) -> str | None:
    failure = ctx.failure(call)
    if failure:
        return failure
    for step in ctx.fn.step_exprs():
        got = compare.as_array(student_step(ctx.fn, call, step, ctx.run))
        exp = compare.as_array(expected_step(ctx.fn, call, step))
        if got is None or exp is None or got.shape != exp.shape:
            continue
        bad = ~np.isfinite(got) & np.isfinite(exp)
        if bad.any():
            return (f"{'' if step == 'result' else step + ' '}contains nan or inf for extreme inputs "
                    f"(|z| up to 1000) where the exact result is finite — an overflow in np.exp, or a division by "
                    f"an activation that saturated to exactly 0 or 1?")
    return None


def _property_checker(prop, ctx: _Context) -> Callable[[Call], str | None]:
    def check(call: Call) -> str | None:
        failure = ctx.failure(call)
        if failure:
            return failure
        scope = {**ctx.ref, **ctx.helpers, **call.context, "np": np, "out": ctx.value(call),
                 "student": lambda case: ctx.other(call, case),
                 "right": lambda *names: set(names) <= ctx.functions_right()}
        try:
            if prop.problem:
                problem = eval(_compiled(prop.problem), scope)  # noqa: S307 - spec text on plain data
                if problem is None:
                    return None
                # the spec's helper may quote the student's values: said on public inputs only
                return str(problem) if ctx.show(call).open else (
                    f"{ctx.fn.name} does not pass this check on these inputs (the details are only given "
                    "for public inputs)")
            if eval(_compiled(prop.expr), scope):  # noqa: S307 - spec text on plain data
                return None
            value = eval(_compiled(prop.value), scope) if prop.value else None  # noqa: S307
            if value is None:
                return prop.message
            return prop.message.format(value=value if ctx.show(call).open else _Withheld())
        except Exception as exc:  # noqa: BLE001 - a malformed result fails the property
            said = ctx.show(call).message(exc)
            return (f"could not check that {ctx.fn.name} {prop.name}: {type(exc).__name__}"
                    + (f": {said}" if said else ""))
    return check


class _Withheld:
    """A value of the student's in a property's message, on hidden inputs."""

    def __format__(self, spec: str) -> str:
        return "(not shown for hidden inputs)"


def _inputs(call: Call, ctx: _Context) -> str | None:
    failure = ctx.failure(call)
    if failure:
        return failure
    changed = ctx.run.mutated.get(call.id)
    if changed:
        show = ctx.show(call)
        names = ", ".join(name for name in map(show.name, changed) if name) or "(one of them)"
        first = names.split(", ")[0] if names != "(one of them)" else "x"
        if "[" in first:  # an entry of a dict it was given: storing a new array there changes the caller's dict too
            whole = first.split("[")[0]
            return (f"{ctx.fn.name} changed its input {names} in place: the caller's dict {whole} now holds "
                    f"other values. Copy it first ({whole} = {whole}.copy(), or build a new dict) and store the "
                    "new arrays in the copy; the caller still needs the originals")
        return (f"{ctx.fn.name} changed its input {names} in place; compute new arrays "
                f"instead (e.g. {first} = {first} - …, not {first} -= …), the caller still needs the originals")
    return None


def release_gated(result: FunctionResult) -> None:
    """Give back the structure and shape points withheld from wrong results, once every wrong
    result is explained by known mistakes: the function was written, with one slip in it."""
    for check in result.checks:
        if not check.passed and withheld(check.feedback):
            check.passed, check.score, check.feedback = True, check.max_score, ""


def right_everywhere(workload: Workload, run: Execution) -> set[str]:
    """The functions whose results match the reference on every call (every step, strict
    shapes). A catalogue mistake of such a function cannot be what makes a caller wrong."""
    return {name for name in workload.assignment.functions if _right_everywhere(name, workload, run)}


def _right_everywhere(name: str, workload: Workload, run: Execution) -> bool:
    fn = workload.assignment.functions.get(name)
    calls = workload.for_function(name)
    if fn is None or not calls:
        return False
    return all(step_right(fn, call, step, run) for call in calls for step in fn.step_exprs())
