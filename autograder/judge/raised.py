"""A call that raised costs the steps the raising line feeds, once the others are shown right.

A backward pass whose ``dW2`` line raises on one input (a 1-D ``dW2`` that broadcasts only
while n_y = 1) gives no result on that input, so every step looked wrong there: dW1, db1
and db2, right on every other input and computed by lines that do not read dW2, lost their
points with it (blind check 5). The function is run again on that input, in the submission's
own child, with the raising statement and every statement that reads what it sets (through
others) skipped, their names set to None: a step that comes out as the reference's was
computed by the student's own code, on that very input, without the raising line, and the
raise does not cost it. Trusting a reading of the code instead (the steps whose lines do not
depend on the raising one) let a line made to raise on the inputs that show a mistake hide
that mistake (red team 7).
"""

from __future__ import annotations

import ast

from autograder.judge.cases import Call, Workload
from autograder.judge.checks import step_value, value_right
from autograder.load.flow import flat_targets, graded_def
from autograder.load.source import LoadedSource
from autograder.run.execute import Execution
from autograder.run.sandbox.runner import Limits, Sandbox
from autograder.run.variants import Trials

SECONDS = 2.0  # wall clock for running the skipping versions of one submission, within its own


def spared_steps(workload: Workload, loaded: LoadedSource, run: Execution, box: Sandbox | None = None,
                 limits: Limits | None = None) -> dict[str, frozenset[str]]:
    """Per call that raised, the steps the function gets right when it is run again on that
    call with the raising statement, and every statement that reads what it sets, skipped."""
    todo: dict[tuple[str, int], list[Call]] = {}
    found: dict[str, tuple | None] = {}
    for call in workload.calls:
        outcome = run.outcomes.get(call.id)
        fn = workload.assignment.functions[call.function]
        if outcome is None or outcome.ok or len(fn.step_exprs()) < 2:
            continue
        if fn.name not in found:
            found[fn.name] = graded_def(loaded, fn.name)
        if found[fn.name] is None:
            continue
        unit, _, own = found[fn.name]
        line = _raising_line(outcome.error or {}, unit.filename, own, unit.lineno)
        if line is not None:
            todo.setdefault((fn.name, line), []).append(call)
    spared: dict[str, frozenset[str]] = {}
    if not todo:
        return spared
    with Trials(loaded, workload, limits, SECONDS, box) as trials:
        for (name, line), calls in todo.items():
            fn = workload.assignment.functions[name]
            unit, func, _ = found[name]
            version = skipping(unit.source, func, line)
            if version is None or trials.left <= 0:
                continue
            _, results = trials.run(name, [version], calls)
            for call, outcome in zip(calls, results[0]):
                if outcome is None or not outcome.ok:
                    continue
                right = frozenset(s for s, expr in fn.step_exprs().items()
                                  if value_right(fn, call, s, step_value(expr, outcome.value)))
                if right:
                    spared[call.id] = right
    return spared


def skipping(source: str, func: ast.FunctionDef, line: int) -> str | None:
    """``source`` with the simple statement at ``line`` of ``func``, and every later one that
    reads what it sets (through other such statements), each run inside ``try`` and, if it
    raises, its names set to None: what the function computes that does not depend on the
    raising line. None when the raising one is not a simple statement, when an if or a loop
    tests what it sets, or when one shares its lines with another statement."""
    simple = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)
    statements = [n for n in ast.walk(func) if isinstance(n, ast.stmt) and n is not func]
    at = [n for n in statements if n.lineno <= line <= (n.end_lineno or n.lineno)]
    if not at:
        return None
    first = min(at, key=lambda n: (n.end_lineno or n.lineno) - n.lineno)
    if not isinstance(first, simple):
        return None
    wrapped, tainted = [first], set(_set_names(first))
    for node in sorted(statements, key=lambda n: (n.lineno, n.col_offset)):
        if node.lineno <= first.lineno or node in wrapped or isinstance(node, ast.Return):
            continue  # (a return runs as it is: one that computes from a None raises, and spares nothing)
        reads = {n.id for n in ast.walk(node if isinstance(node, simple) else _header(node))
                 if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        if not reads & tainted:
            continue
        if not isinstance(node, simple):
            return None  # an if, a loop or a return on what the raising line sets: not told apart
        wrapped.append(node)
        tainted |= set(_set_names(node))
    lines = source.splitlines(keepends=True)
    for node in sorted(wrapped, key=lambda n: n.lineno, reverse=True):
        start, stop = node.lineno - 1, (node.end_lineno or node.lineno) - 1
        after = lines[stop][node.end_col_offset:].strip() if stop < len(lines) else ""
        if stop >= len(lines) or lines[start][:node.col_offset].strip() or (after and not after.startswith("#")):
            return None  # another statement on the same line (a; b); a comment is no statement
        indent = lines[start][:node.col_offset]
        names = _set_names(node)
        fallback = "".join(f"{indent}    {n} = None\n" for n in names) or f"{indent}    pass\n"
        body = "".join("    " + text if text.strip() else text for text in lines[start:stop + 1])
        lines[start:stop + 1] = [f"{indent}try:\n{body}{'' if body.endswith(chr(10)) else chr(10)}"
                                 f"{indent}except Exception:\n{fallback}"]
    return "".join(lines)


def _set_names(node: ast.stmt) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return [t.id for target in targets if target is not None for t in flat_targets(target) if isinstance(t, ast.Name)]


def _header(node: ast.stmt) -> ast.AST:
    """What a compound statement reads before its body (an if's test, a loop's iterable)."""
    return getattr(node, "test", None) or getattr(node, "iter", None) or ast.Pass()


def _raising_line(error: dict, filename: str, function: str, first: int) -> int | None:
    """The line (counted in the unit) of the graded function's own frame that raised."""
    frames = error.get("frames") if isinstance(error.get("frames"), list) else []
    for frame in reversed(frames):
        if isinstance(frame, dict) and frame.get("file") == filename and frame.get("function") == function \
                and isinstance(frame.get("line"), int):
            return frame["line"] - first + 1
    return None
