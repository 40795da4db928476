"""Find the student's function that a missing graded function was probably renamed to.

Students rename: ``backpropagation``, ``initialize_params``, ``update_weights``,
``layer_size``. A graded function that is missing while exactly one of the student's
other functions has a close name and a signature that can take the same arguments is
named in the feedback; an instructor may have it graded under the required name
(``--accept-renamed``), which the report says.
"""

from __future__ import annotations

import ast
import inspect
from difflib import SequenceMatcher

from autograder.load.source import CodeUnit, LoadedSource

# Words students shorten or swap, to the exercise's own.
_WORDS = {"params": "parameters", "param": "parameters", "weights": "parameters", "prop": "propagation",
          "propagate": "propagation", "init": "initialize", "initialise": "initialize", "fwd": "forward",
          "bwd": "backward", "back": "backward", "backprop": "backward propagation", "grads": "gradients",
          "grad": "gradients", "sizes": "size", "layers": "layer", "calc": "compute", "calculate": "compute",
          "get": "compute", "loss": "cost"}
SIMILAR = 0.8  # how alike two normalised names must be


def renamed_candidates(loaded: LoadedSource, wanted: dict[str, list[inspect.Parameter]]) -> dict[str, tuple[str, str]]:
    """For each missing function of ``wanted`` (name -> the reference's parameters): the
    student's function that looks like it, as (its name, its signature as written)."""
    if all(any(u.kind == "def" and name in u.names for u in loaded.units) for name in wanted):
        return {}  # nothing missing (the common case): no definition needs parsing
    defs = _definitions(loaded)
    missing = [name for name in wanted if name not in defs]
    spare = {name: args for name, args in defs.items() if name not in wanted}
    found: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for name in missing:
        scored = sorted(((_likeness(name, other), other) for other, args in spare.items()
                         if other not in taken and _fits(args, wanted[name])), reverse=True)
        if not scored or scored[0][0] < SIMILAR or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            continue
        other = scored[0][1]
        taken.add(other)
        found[name] = (other, f"{other}({', '.join(a for a, _ in spare[other])})")
    return found


def accept_renamed(loaded: LoadedSource, renamed: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Grade each renamed function under the required name; required name -> the note that says so."""
    notes = {}
    for name, (other, signature) in renamed.items():
        unit = next(u for u in loaded.units if u.kind == "def" and other in u.names)
        loaded.units.append(CodeUnit(f"{name} = {other}", unit.filename, unit.lineno, "assign", (name,)))
        loaded.renamed[name] = other
        notes[name] = f"your {signature} was graded as {name} (renamed functions accepted): name it {name}"
    loaded.functions = sorted({*loaded.functions, *renamed})
    return notes


def _definitions(loaded: LoadedSource) -> dict[str, list[tuple[str, bool]]]:
    """The student's top-level functions: name -> [(parameter, has a default)]."""
    found = {}
    for unit in loaded.units:
        if unit.kind != "def":
            continue
        try:
            node = ast.parse(unit.source).body[0]
        except (SyntaxError, IndexError):
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args.posonlyargs + node.args.args
            defaults = len(node.args.defaults)
            found[node.name] = [(a.arg, i >= len(args) - defaults) for i, a in enumerate(args)]
    return found


def _fits(args: list[tuple[str, bool]], reference: list[inspect.Parameter]) -> bool:
    """Whether a call with the reference's arguments can be bound to this signature (one
    parameter more or fewer, as older versions of the exercise have)."""
    required = sum(1 for _, default in args if not default)
    return required <= len(reference) and abs(len(args) - len(reference)) <= 1


def _likeness(a: str, b: str) -> float:
    return SequenceMatcher(None, _normal(a), _normal(b)).ratio()


def _normal(name: str) -> str:
    words = [w for w in name.lower().replace("-", "_").split("_") if w]
    return "".join(_WORDS.get(w, w).replace(" ", "") for w in words)
