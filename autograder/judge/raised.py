"""A call that raised costs the steps the raising line feeds, not every step of the function.

A backward pass whose ``dW2`` line raises on one input (a 1-D ``dW2`` that broadcasts only
while n_y = 1) gives no result on that input, so every step looked wrong there: dW1, db1
and db2, right on every other input and computed by lines that do not read dW2, lost their
points with it (blind check 5). Which lines a step depends on is read from the student's
own function (:mod:`autograder.load.flow`); the raise is charged to the steps whose lines
include the line it came from (the function's own line, when it came from a helper it called).
"""

from __future__ import annotations

from autograder.judge.cases import Workload
from autograder.judge.checks import step_right
from autograder.load.flow import Flow, parse_function, step_key
from autograder.load.source import LoadedSource
from autograder.run.execute import Execution
from autograder.spec import FunctionSpec


def spared_steps(workload: Workload, loaded: LoadedSource, run: Execution) -> dict[str, frozenset[str]]:
    """Per call that raised, the steps whose value does not depend on the line it raised at
    (only for functions with several steps, never when the line is not found, and only when
    a step that line feeds is wrong on some input where the function returned)."""
    spared: dict[str, frozenset[str]] = {}
    flows: dict[str, tuple | None] = {}
    for call in workload.calls:
        outcome = run.outcomes.get(call.id)
        fn = workload.assignment.functions[call.function]
        if outcome is None or outcome.ok or len(fn.step_exprs()) < 2:
            continue
        if fn.name not in flows:
            flows[fn.name] = _flow(loaded, fn.name)
        found = flows[fn.name]
        if found is None:
            continue
        unit, flow, own = found
        line = _raising_line(outcome.error or {}, unit.filename, own, unit.lineno)
        if line is None:
            continue
        steps = fn.step_exprs()
        blocked = {s for s, expr in steps.items() if line in flow.slice(s, step_key(expr))}
        if blocked and blocked != set(steps) and _wrong_elsewhere(workload, run, fn, blocked):
            spared[call.id] = frozenset(steps) - blocked
    return spared


def _wrong_elsewhere(workload: Workload, run: Execution, fn: FunctionSpec, blocked: set[str]) -> bool:
    """Whether a step the raise blocked is wrong on a call that returned: the raise comes from
    a mistake that shows anyway. A line that raises only where it chooses to (on the inputs
    that break a coincidence its other steps rely on) and is right everywhere else spares
    nothing, so it cannot hide those steps from the inputs that test them."""
    returned = [c for c in workload.for_function(fn.name) if (o := run.outcomes.get(c.id)) is not None and o.ok]
    return any(not step_right(fn, c, s, run) for c in returned for s in blocked)


def _flow(loaded: LoadedSource, name: str) -> tuple | None:
    unit = loaded.definition(name)
    own = loaded.renamed.get(name, name)
    func = parse_function(unit.source, own) if unit else None
    return (unit, Flow(func), own) if func is not None else None


def _raising_line(error: dict, filename: str, function: str, first: int) -> int | None:
    """The line (counted in the unit) of the graded function's own frame that raised."""
    frames = error.get("frames") if isinstance(error.get("frames"), list) else []
    for frame in reversed(frames):
        if isinstance(frame, dict) and frame.get("file") == filename and frame.get("function") == function \
                and isinstance(frame.get("line"), int):
            return frame["line"] - first + 1
    return None
