"""Explain an exception raised inside student code in terms of the arrays involved.

What of the student's error record may be said (its message, type name, place, the shapes
in scope) is decided by a :class:`~autograder.judge.disclose.Disclosure`: see that module."""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from autograder.judge.course_modules import is_course_helper
from autograder.judge.disclose import NEUTRAL_EXCEPTION, TRUSTED, Disclosure, code_span
from autograder.run.sandbox.limits import Limits
from autograder.run.sandbox.runner import STOPPED

_SHAPE = re.compile(r"\((\d+(?:\s*,\s*\d+)*)\s*,?\s*\)")


def where(error: dict, show: Disclosure = TRUSTED) -> str:
    """``cell 7, line 3: `dZ1 = ...``` for the innermost student frame."""
    frames = error.get("frames") or []
    last = show.frame(frames[-1]) if frames else None
    if not last:
        return ""
    text = code_span(last["text"]) if last.get("text") else ""
    return f"{last['file']}, line {last['line']}" + (f": {text}" if text else "")


def explain_error(error: dict, show: Disclosure = TRUSTED) -> str:
    """A student-readable account of an error record from the sandbox."""
    kind, message = str(error.get("type", "Error")), str(error.get("message", ""))
    if error.get("timeout") or kind in STOPPED:
        place = where(error, show)
        text = stopped_text(kind, show.stopped(kind, message))
        joint = " It" if text.endswith("?") else " — it"
        return text + (f"{joint} was running {place}" if place else "")
    if kind == "NotImplementedError":
        return "it is not implemented yet (it raises NotImplementedError)"
    said = show.message(message) if show.open else _grader_message(kind, message, show)
    said = said.strip() if said else ""
    placeholder = _PLACEHOLDER.fullmatch(said) if kind == "ImportError" else None
    if placeholder:  # a name imported from a module that is not here: a package, or a course helper
        module = placeholder["module"]
        what = "a course helper file the grader does not have" if is_course_helper(module) else (
            "a package that is not installed here")
        said = f"`{placeholder['name']}` comes from `{module}`, {what}; define what you need yourself"
    if kind == "MemoryError":
        text = f"it ran out of memory (a submission may use {_gib(Limits().memory_bytes)} in all)"
        if said:
            text += f": {said}"
    elif kind == "AssertionError" and not said:
        text = "an assert in your code failed"
    elif kind == "ServedError":  # a course helper the grader computes refused what the student's code gave it
        text = (f"the grader's {said}" if said else
                "a course helper the grader computes failed on the arguments your code gave it")
    else:
        text = f"it raised {show.exception(kind) or NEUTRAL_EXCEPTION}" + (f": {said}" if said else "")
    if error.get("unset"):  # the grader's own finding (execute._explain_unset_global)
        text += f" ({error['unset']}: a graded function should work from its own parameters)"
    place = where(error, show)
    if place:
        text += f" — at {place}"
    hint = shape_hint(error, show)
    if hint:
        text += f". {hint}"
    elif "only 0-dimensional" in message or "only length-1" in message or "only size-1" in message:
        text += ". A function of the `math` module got a numpy array: use the numpy version (np.exp, np.log, …)."
    elif kind == "TypeError" and "'tuple'" in said and "operand" in said:
        text += (". One operand is a tuple: a function that returns several values was used as one array (the "
                 "course's dnn_utils sigmoid and relu return (A, cache)): unpack it first, A, cache = sigmoid(Z)")
    elif kind == "UnboundLocalError":
        text += (". A name used here was never given a value on the way the function took: is it set only in "
                 "some branches of an if (one activation's, not the other's)?")
    elif kind == "NameError":
        text += ". A name used in your function is not defined inside it (or was defined by a cell the grader does not run)."
    return text


_PLACEHOLDER = re.compile(r"`(?P<name>[\w.]+)` comes from the course helper module `(?P<module>[\w.]+)`, which is not "
                          r"available to the grader; define what you need yourself")


def is_timeout(error: dict) -> bool:
    return bool(error.get("timeout")) or str(error.get("type")) == "Timeout"


def is_memory(error: dict) -> bool:
    return str(error.get("type")) == "MemoryError" or "out of memory" in str(error.get("message", ""))


def stopped_text(kind: str, said: str) -> str:
    """The sandbox's account of a call it stopped, in a student's words."""
    limit = re.search(r"within (\d+(?:\.\d+)?) s", said)
    if kind == "Timeout" or "did not finish" in said:
        within = f"longer than {limit[1]} s" if limit else "longer than its time limit"
        return f"it took {within} — an infinite loop, or a loop far too long?"
    if "out of memory" in said:
        return (f"it ran out of memory: a submission may use {_gib(Limits().memory_bytes)} in all, and this call "
                "asked for more (an array far too large?)")
    return f"it {said}"


def _gib(size: int) -> str:
    return f"{size / 1024**3:g} GiB"


def _grader_message(kind: str, message: str, show: Disclosure) -> str | None:
    """On hidden inputs, the few messages the grader can say in its own words: an undefined
    name or a missing key that occurs in the submission's source."""
    if kind == "NameError":
        match = re.fullmatch(r"name '(\w+)' is not defined", message)
        if match and show.name(match.group(1)):
            return f"name '{match.group(1)}' is not defined"
    if kind == "KeyError":
        match = re.fullmatch(r"'(\w+)'", message)
        if match and show.name(match.group(1)):
            return f"'{match.group(1)}'"
    return None


def shape_hint(error: dict, show: Disclosure = TRUSTED) -> str:
    """For a failed product on the error line: the operands' shapes and what would fit."""
    pairs = failing_operands(error, show)
    if not pairs:
        return ""
    (left, ls), (right, rs), op = pairs[0]
    if not show.shapes_ok(ls, rs):
        return (f"{left} and {right} have shapes that "
                + ("cannot be multiplied as matrices" if op == "matmul" else "cannot be combined elementwise"))
    text = f"{left} is {_fmt(ls)} and {right} is {_fmt(rs)}"
    if op == "matmul" and len(ls) == 2 and len(rs) == 2:
        fits = left if ls[0] == rs[0] else right if ls[1] == rs[1] else None
        if fits is not None and fits.endswith(".T"):  # "W.T.T would fit" would undo a right transpose
            return text + (": a matrix product needs the columns of the first to match the rows of the second; "
                           "are these the arrays you meant (the right layer's, from the right cache)?")
        if ls[0] == rs[0]:
            return text + f": a matrix product needs the columns of the first ({ls[1]}) to match the rows of the second ({rs[0]}) — {left}.T would fit"
        if ls[1] == rs[1]:
            return text + f": a matrix product needs the columns of the first ({ls[1]}) to match the rows of the second ({rs[0]}) — {right}.T would fit"
        return text + ": their inner dimensions do not match"
    if op == "elementwise":
        return text + ": an elementwise operation needs equal (or broadcastable) shapes"
    return text


def error_signature(error: dict) -> tuple:
    """What identifies an error across different code styles: its kind and the shapes involved."""
    if "signature" in error:  # recorded for a release, without the code lines it came from
        return tuple(tuple(x) if isinstance(x, list) else x for x in error["signature"])
    pairs = failing_operands(error)
    if pairs:
        (_, ls), (_, rs), _ = pairs[0]
        return ("shapes", tuple(sorted([tuple(ls), tuple(rs)])))
    shapes = [tuple(int(n) for n in m.split(",") if n.strip()) for m in _SHAPE.findall(error.get("message", ""))]
    if len(shapes) >= 2:
        return ("shapes", tuple(sorted(shapes[:2])))
    if error.get("type") == "KeyError":  # the key itself: 'W0' (a loop from 0) is not 'W4' (L counted twice)
        return ("KeyError", str(error.get("message", ""))[:80])
    return (error.get("type"), re.sub(r"\d+", "#", error.get("message", ""))[:80])


def failing_operands(error: dict, show: Disclosure = TRUSTED) -> list:
    """Operand pairs on the error line whose shapes cannot be combined by their operator
    (the line as ``show`` has it: the grader's copy of the submission)."""
    frames = error.get("frames") or []
    last = show.frame(frames[-1]) if frames else None
    shapes = error.get("locals") if isinstance(error.get("locals"), dict) else {}
    if not last or not isinstance(last.get("text"), str) or not last["text"]:
        return []
    found = []
    for pair, op in _operations(last["text"]):
        resolved = [_resolve(p, shapes) for p in pair]
        if all(resolved) and not _compatible(resolved[0][1], resolved[1][1], op):
            found.append((resolved[0], resolved[1], op))
    return found


@lru_cache(maxsize=4096)
def _operations(line: str) -> tuple:
    """The binary operations on a line of code: (operand nodes, matmul/elementwise). Cached:
    the same error line is looked at for every fingerprint it is compared with."""
    try:
        tree = ast.parse(line.strip().rstrip(":"), mode="exec")
    except SyntaxError:
        return ()
    found = []
    for node in ast.walk(tree):
        pair, op = None, None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            pair, op = (node.left, node.right), "matmul"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Add, ast.Sub, ast.Div)):
            pair, op = (node.left, node.right), "elementwise"
        elif isinstance(node, ast.Call) and len(node.args) == 2:
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("dot", "matmul"):
                pair, op = (node.args[0], node.args[1]), "matmul"
            elif name in ("multiply", "add", "subtract"):
                pair, op = (node.args[0], node.args[1]), "elementwise"
        if pair is not None:
            found.append((pair, op))
    return tuple(found)


def _resolve(node: ast.expr, shapes: dict):
    transpose = False
    if isinstance(node, ast.Attribute) and node.attr == "T":
        node, transpose = node.value, True
    key = None
    if isinstance(node, ast.Name):
        key = node.id
    elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        index = node.slice
        if isinstance(index, ast.Constant) and isinstance(index.value, str):
            key = f"{node.value.id}[{index.value!r}]"
    shape = shapes.get(key) if key else None
    if not isinstance(shape, list) or len(shape) > 32 or not all(type(n) is int for n in shape):
        return None
    return (ast.unparse(node) + (".T" if transpose else ""), list(reversed(shape)) if transpose else shape)


def _compatible(a: list, b: list, op: str) -> bool:
    if op == "matmul":
        if len(a) == 2 and len(b) == 2:
            return a[1] == b[0]
        return True
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and 1 not in (x, y):
            return False
    return True


def _fmt(shape: list) -> str:
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
