"""Which lines of a student's function each part of its result depends on, through names.

Read from the function's syntax alone, never by running it: the repair search tries the
edits nearest a wrong step first (diagnose.repair); judge.raised parses the function and its
assignments' names here too.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from autograder.load.source import CodeUnit, LoadedSource


def parse_function(source: str, name: str) -> ast.FunctionDef | None:
    """The (last) definition of ``name`` in a unit of code, or None."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            found = node
    return found


def graded_def(loaded: LoadedSource, name: str) -> tuple[CodeUnit, ast.FunctionDef, str] | None:
    """The unit graded as ``name``, its ``def`` parsed, and the name that ``def`` has (a renamed
    function accepted keeps its own), or None when there is none that parses."""
    unit = loaded.definition(name)
    own = loaded.renamed.get(name, name)
    func = parse_function(unit.source, own) if unit else None
    return (unit, func, own) if func is not None else None


def assigned_names(func: ast.FunctionDef) -> dict[int, set[str]]:
    """Per statement line, the names (and ``name['key']`` entries) it assigns."""
    out: dict[int, set[str]] = {}
    for node in ast.walk(func):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {ast.unparse(t) for tgt in targets for t in flat_targets(tgt)}
            out.setdefault(node.lineno, set()).update(names)
    return out


def statement_reads(func: ast.FunctionDef) -> dict[int, set[str]]:
    """Per statement line, the names it reads (for the distance from the wrong steps)."""
    out: dict[int, set[str]] = {}
    for node in ast.walk(func):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return, ast.Expr)):
            value = node.value
            if value is None:
                continue
            out.setdefault(node.lineno, set()).update(
                n.id for n in ast.walk(value) if isinstance(n, ast.Name))
    return out


def flat_targets(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, (ast.Tuple, ast.List)):
        return [t for elt in target.elts for t in flat_targets(elt)]
    return [target]


def step_key(expr: str) -> str | None:
    """'dW2' of a step expression ``out['dW2']``."""
    try:
        node = ast.parse(expr, mode="eval").body
    except SyntaxError:
        return None
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
        return node.slice.value
    return None


class Flow:
    """The lines each returned dict entry (or the whole result) depends on."""

    def __init__(self, func: ast.FunctionDef) -> None:
        self.func = func
        self.assigned = assigned_names(func)
        self.reads = statement_reads(func)
        self.returns = [n for n in ast.walk(func) if isinstance(n, ast.Return) and n.value is not None]
        self._slices: dict[tuple[str | None, str | None], dict[int, int]] = {}

    def slice(self, name: str | None, key: str | None = None) -> dict[int, int]:
        """The lines a step's value depends on (``name``: what the student likely calls it;
        ``key``: its entry in a returned dict, else the whole result), each with how many
        assignments lie between it and the return (the return itself: 0)."""
        if (name, key) not in self._slices:
            self._slices[name, key] = self._slice(name, key)
        return self._slices[name, key]

    def _slice(self, name: str | None, key: str | None) -> dict[int, int]:
        depth: dict[int, int] = {}
        frontier: set[str] = {name} if name else set()
        for ret in self.returns:
            entries = self._entries(ret, key) if key is not None else None
            if entries is None:  # the whole result
                frontier |= self.reads.get(ret.lineno, set())
                depth.setdefault(ret.lineno, 0)
                continue
            for line, value in entries:
                frontier |= {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
                depth.setdefault(line, 0)
        level, seen = 1, set()
        while frontier:
            seen |= frontier
            nxt: set[str] = set()
            for line, names in self.assigned.items():
                if {n.split("[")[0] for n in names} & frontier and line not in depth:
                    depth[line] = level
                    nxt |= self.reads.get(line, set())
            frontier = nxt - seen
            level += 1
        return depth

    def _entries(self, ret: ast.Return, key: str) -> list[tuple[int, ast.expr]] | None:
        """Where the returned dict's ``key`` entry is made: the entry of a dict returned as it
        is written, or of a dict bound to the name returned (``grads = {...}``, or
        ``grads[key] = ...``); None when it cannot be told (then the whole result counts)."""
        def entry(node: ast.expr) -> ast.expr | None:
            if isinstance(node, ast.Dict):
                return next((v for k, v in zip(node.keys, node.values)
                             if isinstance(k, ast.Constant) and k.value == key), None)
            return None

        if isinstance(ret.value, ast.Dict):
            value = entry(ret.value)
            return [(ret.lineno, value)] if value is not None else None
        if not isinstance(ret.value, ast.Name):
            return None
        bound, found = ret.value.id, []
        for node in ast.walk(self.func):
            if not isinstance(node, ast.Assign) or node.lineno > ret.lineno:
                continue
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == bound and isinstance(node.value, ast.Dict):
                    value = entry(node.value)
                    if value is None and any(k is None for k in node.value.keys):  # {**other}: not told
                        return None
                    found += [(node.lineno, value)] if value is not None else []
                elif isinstance(target, ast.Name) and target.id == bound:
                    return None  # bound to what a call returns: not told
                elif (isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name)
                      and target.value.id == bound and isinstance(target.slice, ast.Constant)
                      and target.slice.value == key):
                    found.append((node.lineno, node.value))
                elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name) \
                        and target.value.id == bound and not isinstance(target.slice, ast.Constant):
                    return None  # grads["dW" + str(l)] = …: which entry is not told
        return found or None
