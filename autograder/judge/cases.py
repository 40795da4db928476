"""Build the calls a submission is graded on: seeded inputs and reference results.

Computed once per assignment and seed, then shared by every submission of a
batch (and by the mistake fingerprints, which run on the very same inputs).
"""

from __future__ import annotations

import ast
import copy
import hashlib
import inspect
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from autograder.judge.reference import reference_functions, reference_info, reference_module
from autograder.judge.release_record import recorded_data
from autograder.judge.serving import ReferenceServer
from autograder.run import wire
from autograder.run.sandbox.served import Helpers
from autograder.run.sandbox.shared import SharedInputs
from autograder.spec import NOT_NEEDED, Assignment, CaseSpec, FunctionSpec, SpecError


@dataclass
class Call:
    """One call of one student function: which inputs, and what the reference returns."""

    id: str
    function: str
    variant: str | None
    case: str
    visibility: str
    extreme: bool
    args: dict[str, Any]
    variant_args: dict[str, Any]
    context: dict[str, Any]
    expected: Any = None
    numeric_grad: Any = None  # finite differences of the spec's objective, when any
    steps: dict[str, Any] = field(default_factory=dict, repr=False)  # expected value per step, read once
    echoes: dict[str, bool] = field(default_factory=dict, repr=False)  # per step: is it an input handed back
    telling: dict[str, bool] = field(default_factory=dict, repr=False)  # per step: not one repeated value


@dataclass
class Workload:
    assignment: Assignment
    seed: int
    calls: list[Call] = field(default_factory=list)
    _shared: dict[str, SharedInputs] = field(default_factory=dict, repr=False)

    @cached_property
    def parameters(self) -> dict[str, list[inspect.Parameter]]:
        """The reference's parameters of each function: what a student's signature is bound by."""
        return reference_info(self.assignment).parameters

    @cached_property
    def helpers(self) -> Helpers:
        """What the grader computes for a submission's helper calls: the course modules' names
        the spec maps to reference functions, run in a limited worker (judge.serving). A
        student release has no reference: its course helpers are placeholders."""
        solution = self.assignment.solution
        if solution is None or not solution.is_file():
            return Helpers(self.assignment.course_modules)
        server = ReferenceServer(solution, frozenset(self.assignment.functions))
        parameters = self.parameters

        def compute(function: str, args: list, kwargs: dict, buffers: list) -> tuple[Any, list[bytes]]:
            # an older signature's extra arguments (compute_cost(A2, Y, parameters)) are left out
            names = [p.name for p in parameters.get(function, [])]
            if names:
                args = args[:len(names)]
                kwargs = {k: v for k, v in kwargs.items() if k in names}
            return server.compute(function, args, kwargs, buffers)

        return Helpers(self.assignment.course_modules, compute)

    def for_function(self, name: str) -> list[Call]:
        return [c for c in self.calls if c.function == name]

    def by_id(self) -> dict[str, Call]:
        return {c.id: c for c in self.calls}

    def shared_inputs(self, visibility: str) -> SharedInputs:
        """The inputs of the calls with this visibility, handed to the sandbox side once for
        the whole batch (public ones to the fork server, hidden ones to each child once its
        public calls are done: see ``execute``)."""
        if visibility not in self._shared:
            self._shared[visibility] = SharedInputs.of(
                (v for c in self.calls if (c.visibility == "public") == (visibility == "public")
                 for v in (*c.args.values(), *c.context.values())),
                prefix=visibility[0])
        return self._shared[visibility]


def call_id(function: str, variant: str | None, case: str) -> str:
    return f"{function}|{variant or '-'}|{case}"


def case_seed(base: int, case: str) -> int:
    digest = hashlib.sha256(f"{base}:{case}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


def build_workload(assignment: Assignment, public_only: bool = False) -> Workload:
    return _cached_workload(assignment, public_only)


@lru_cache(maxsize=8)
def _cached_workload(assignment: Assignment, public_only: bool) -> Workload:
    if assignment.recorded is not None:  # a student release: public calls, recorded
        return _recorded_workload(assignment)
    ref = reference_functions(reference_module(assignment))
    workload = Workload(assignment, assignment.hidden_seed)
    namespaces = {}
    for case in assignment.cases.values():
        if public_only and case.visibility != "public":
            continue
        namespaces[case.name] = _case_namespace(assignment, case, ref)
    for module, names in assignment.course_modules.items():
        for name, function in names.items():
            if function != NOT_NEEDED and function not in ref:
                raise SpecError(f"{assignment.name}: [course_modules.{module}] maps {name} to {function!r}, "
                                f"which the reference does not define (or write \"{NOT_NEEDED}\")")
    for fn in assignment.functions.values():
        if fn.name not in ref:
            raise SpecError(f"{assignment.name}: the reference has no function {fn.name}")
        derives = _derives(fn, assignment)
        for case in assignment.cases_for(fn):
            if case.name not in namespaces:
                continue
            ns = _case_namespace(assignment, case, ref, fn.name) if derives else namespaces[case.name]
            for label in fn.variant_labels():
                workload.calls.append(_make_call(fn, case, label, ns, ref))
    return workload


def _derives(fn: FunctionSpec, assignment: Assignment) -> bool:
    """Whether an argument of ``fn`` is built by calling a graded function (backward's cache
    from forward_propagation). Such a call draws its inputs on their own: were they the
    case's, the argument would be the graded function's expected result on those very inputs,
    held by the child that is asked for it (forward answered by looking the cache up)."""
    names = {n.id for expr in fn.args.values() for n in ast.walk(ast.parse(expr, mode="eval"))
             if isinstance(n, ast.Name)}
    return bool(names & set(assignment.functions))


def _case_namespace(assignment: Assignment, case: CaseSpec, ref: dict, stream: str = "") -> dict[str, Any]:
    """The case's inputs; with a ``stream``, drawn apart from every other function's."""
    base = assignment.public_seed if case.visibility == "public" else assignment.hidden_seed
    seed = case_seed(base, f"{case.name}/{stream}" if stream else case.name)
    ns: dict[str, Any] = {"np": np, "rng": np.random.default_rng(seed), "seed": seed % 10_000}
    ns.update(ref)
    ns.update(case.dims)
    # Defaults first, then the case's overrides (which may refer to the defaults).
    for name, expr in [*assignment.inputs.items(), *case.inputs.items()]:
        ns[name] = _eval(expr, ns, f"input {name} of case {case.name}")
    return {k: v for k, v in ns.items() if k not in ref}


def _make_call(fn: FunctionSpec, case: CaseSpec, label: str | None, ns: dict, ref: dict) -> Call:
    variant_args = fn.variant_value(label)
    scope = {**ref, **ns, **variant_args}
    args = {p: _eval(expr, scope, f"{fn.name} argument {p}") for p, expr in fn.args.items()}
    args.update(variant_args)
    call = Call(
        id=call_id(fn.name, label, case.name),
        function=fn.name,
        variant=label,
        case=case.name,
        visibility=case.visibility,
        extreme=case.extreme,
        args=args,
        variant_args=variant_args,
        context={**ns, **variant_args},
    )
    call.expected = ref[fn.name](**copy.deepcopy(args))
    if fn.gradcheck and not case.extreme and case.visibility != "public":
        call.numeric_grad = numeric_gradient(fn.gradcheck, {**scope, **args})
    return call


def _eval(expr: str, scope: dict, what: str) -> Any:
    try:
        return eval(expr, dict(scope))  # noqa: S307 - instructor-written spec expressions
    except Exception as exc:  # noqa: BLE001
        raise SpecError(f"cannot evaluate {what} = {expr!r}: {type(exc).__name__}: {exc}") from exc


def numeric_gradient(spec: dict, scope: dict, eps: float = 1e-6) -> Any:
    """Central differences of a scalar objective with respect to an array, a dict of arrays,
    or several inputs at once (``wrt = ["w", "b"]`` gives ``{"w": …, "b": …}``)."""
    wrt = spec["wrt"]
    if isinstance(wrt, list):
        return {name: numeric_gradient({**spec, "wrt": name}, scope, eps) for name in wrt}
    original = scope[wrt]
    if isinstance(original, dict):
        target: Any = {k: np.array(v, dtype=float) for k, v in original.items()}
    else:
        target = np.array(original, dtype=float)
    local = {**scope, wrt: target}

    def objective() -> float:
        return float(eval(spec["objective"], local))  # noqa: S307

    def grad_of(arr: np.ndarray) -> np.ndarray:
        out = np.zeros_like(arr, dtype=float)
        flat, gflat = arr.reshape(-1), out.reshape(-1)
        for i in range(flat.size):
            keep = flat[i]
            flat[i] = keep + eps
            plus = objective()
            flat[i] = keep - eps
            minus = objective()
            flat[i] = keep
            gflat[i] = (plus - minus) / (2 * eps)
        return out

    if isinstance(target, dict):
        return {k: grad_of(v) for k, v in target.items()}
    return grad_of(target)


def _recorded_workload(assignment: Assignment) -> Workload:
    """The public calls and the reference's results, as a release recorded them."""
    data = recorded_data(assignment)
    workload = Workload(assignment, assignment.public_seed)
    for c in data["calls"]:
        workload.calls.append(Call(
            id=c["id"], function=c["function"], variant=c["variant"], case=c["case"],
            visibility=c["visibility"], extreme=c["extreme"], args=wire.decode(c["args"]),
            variant_args=wire.decode(c["variant_args"]), context=wire.decode(c["context"]),
            expected=wire.decode(c["expected"]),
        ))
    return workload
