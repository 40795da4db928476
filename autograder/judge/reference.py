"""The instructor's reference solution and its catalogue mutants (trusted code, parent only)."""

from __future__ import annotations

import ast
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from autograder.judge.compare import close
from autograder.judge.release_record import EMPTY, recorded_data
from autograder.run import wire
from autograder.spec import Assignment, MistakeSpec, SpecError


def load_module(source: str, name: str, filename: str) -> types.ModuleType:
    """Execute trusted source as a fresh module (never as ``__main__``)."""
    module = types.ModuleType(name)
    module.__file__ = filename
    module.__source__ = source
    module.__lines__ = {filename: source.splitlines()}  # for error records that quote the failing line
    exec(compile(source, filename, "exec"), module.__dict__)  # noqa: S102 - instructor code
    return module


def source_lines(module: types.ModuleType) -> dict[str, list[str]]:
    """The lines of every file the module's functions come from, by file name."""
    return getattr(module, "__lines__", None) or {module.__file__: getattr(module, "__source__", "").splitlines()}


@cache
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def reference_source(assignment: Assignment) -> str:
    if assignment.solution is None or not assignment.solution.is_file():
        raise SpecError(f"{assignment.name}: solution file {assignment.solution} is missing")
    return _read(assignment.solution)


def reference_module(assignment: Assignment) -> types.ModuleType:
    return _reference_for(assignment.solution, reference_source(assignment))


@lru_cache(maxsize=4096)
def mutant_module(assignment: Assignment, mistakes: tuple[MistakeSpec, ...]) -> types.ModuleType:
    """The reference with one or more catalogue mistakes applied (built once per batch).

    Only the functions the mistakes touch are edited and compiled: a batch builds hundreds
    of mutants, and parsing or compiling the whole solution for each showed up in its time."""
    base = reference_source(assignment)
    bodies: dict[str, str] = {}
    for mistake in mistakes:
        start, end = function_span(base, mistake.function)
        bodies[mistake.function] = _edited(bodies.get(mistake.function, base[start:end]), mistake)
    source, starts = _spliced(base, bodies)
    label = "+".join(m.id for m in mistakes)
    filename = f"{assignment.solution.name}[{label}]"
    reference = reference_module(assignment)
    module = _rebound(reference, filename)
    module.__source__ = source
    module.__lines__ = {**source_lines(reference), filename: source.splitlines()}
    for name, body in bodies.items():
        text = "\n" * source.count("\n", 0, starts[name]) + body  # the mutant's own line numbers
        exec(compile(text, filename, "exec"), module.__dict__)  # noqa: S102 - instructor code
    return module


def _spliced(source: str, bodies: dict[str, str]) -> tuple[str, dict[str, int]]:
    """``source`` with the named functions' text replaced, and where each now starts."""
    spans = _function_spans(source)
    pieces, starts, at, length = [], {}, 0, 0
    for name in sorted(bodies, key=lambda n: spans[n][0]):
        start, end = spans[name]
        pieces += [source[at:start], bodies[name]]
        starts[name] = length + start - at
        length += start - at + len(bodies[name])
        at = end
    pieces.append(source[at:])
    return "".join(pieces), starts


def _rebound(base: types.ModuleType, filename: str) -> types.ModuleType:
    """A new module holding ``base``'s names, its functions rebound to the new module (same
    compiled code, no compiling) so that they call whatever is redefined there."""
    module = types.ModuleType(f"_ref_{abs(hash(filename))}")
    namespace = module.__dict__
    for name, value in vars(base).items():
        if name.startswith("__"):
            continue
        if isinstance(value, types.FunctionType) and value.__globals__ is vars(base):
            clone = types.FunctionType(value.__code__, namespace, value.__name__, value.__defaults__,
                                       value.__closure__)
            clone.__kwdefaults__, clone.__doc__ = value.__kwdefaults__, value.__doc__
            value = clone
        namespace[name] = value
    module.__file__ = filename
    return module


@lru_cache(maxsize=64)
def _reference_for(path: Path, source: str) -> types.ModuleType:
    return load_module(source, f"_ref_{path.stem}", f"{path.name}[reference]")


def apply_mistake(source: str, mistake: MistakeSpec) -> str:
    """Apply a mistake's text replacements inside its function's source."""
    start, end = function_span(source, mistake.function)
    return source[:start] + _edited(source[start:end], mistake) + source[end:]


def _edited(body: str, mistake: MistakeSpec) -> str:
    for old, new in mistake.replace:
        count = body.count(old)
        if count != 1:
            raise SpecError(
                f"mistake {mistake.id}: {old!r} occurs {count} times in {mistake.function} "
                "of the reference (needs exactly one)"
            )
        body = body.replace(old, new)
    return body


def function_span(source: str, name: str) -> tuple[int, int]:
    """Character offsets of a top-level function definition in ``source``."""
    span = _function_spans(source).get(name)
    if span is None:
        raise SpecError(f"the reference has no function {name!r}")
    return span


@lru_cache(maxsize=64)
def _function_spans(source: str) -> dict[str, tuple[int, int]]:
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return {node.name: (offsets[node.lineno - 1], offsets[node.end_lineno])
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}


def reference_functions(module: types.ModuleType) -> dict[str, Callable[..., Any]]:
    return {
        k: v
        for k, v in vars(module).items()
        if inspect.isfunction(v) and not k.startswith("_")
    }


def parameters_of(func: Callable[..., Any]) -> list[inspect.Parameter]:
    return list(inspect.signature(func).parameters.values())


def _direct_calls(source: str, names: list[str]) -> dict[str, set[str]]:
    """For each top-level function among ``names``: the plain names it calls."""
    return {node.name: {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
            for node in ast.parse(source).body if isinstance(node, ast.FunctionDef) and node.name in names}


def callers_of(source: str, names: list[str], changed: set[str]) -> set[str]:
    """``changed`` plus every function among ``names`` that calls one of them, transitively."""
    bodies = _direct_calls(source, names)
    result = set(changed)
    grew = True
    while grew:
        grew = False
        for name, called in bodies.items():
            if name not in result and called & result:
                result.add(name)
                grew = True
    return result


def relies_on(source: str, names: list[str]) -> dict[str, frozenset[str]]:
    """For each function among ``names``: the others it calls, directly or not (one parse)."""
    return reach(_direct_calls(source, names), names)


def reach(direct: dict[str, set[str]], names: list[str]) -> dict[str, frozenset[str]]:
    """For each of ``names``: the others among them it reaches through ``direct`` (a function ->
    the functions it calls), through any function in between."""
    result = {}
    for name in names:
        seen, todo = set(), list(direct.get(name, ()))
        while todo:
            other = todo.pop()
            if other not in seen:
                seen.add(other)
                todo += direct.get(other, ())
        result[name] = frozenset(seen & set(names) - {name})
    return result


@dataclass(frozen=True)
class ReferenceInfo:
    """What judging needs to know of the reference besides its outputs.

    Built from the solution, or read from a release's recorded data (which has no
    functions: spec expressions that call reference functions are not in a release)."""

    functions: dict[str, Callable[..., Any]]
    parameters: dict[str, list[inspect.Parameter]]
    relies_on: dict[str, frozenset[str]]  # function -> the assignment functions it calls, transitively


@lru_cache(maxsize=16)
def reference_info(assignment: Assignment) -> ReferenceInfo:
    if assignment.recorded is not None:
        return _recorded_reference(assignment)
    module = reference_module(assignment)
    functions = reference_functions(module)
    names = [n for n in assignment.functions if n in functions]
    return ReferenceInfo(functions, {n: parameters_of(f) for n, f in functions.items()},
                         relies_on(module.__source__, names))


@lru_cache(maxsize=16)
def spec_helpers(assignment: Assignment) -> dict[str, Any]:
    """The names the spec's ``helpers`` code defines. It sees the reference's functions, numpy
    and ``close`` (the grader's own tolerance)."""
    if not assignment.helpers:
        return {}
    scope: dict[str, Any] = {**reference_info(assignment).functions, "np": np, "close": close}
    before = set(scope)
    try:
        exec(compile(assignment.helpers, f"{assignment.name} helpers", "exec"), scope)  # noqa: S102 - instructor code
    except Exception as exc:  # noqa: BLE001
        raise SpecError(f"{assignment.name}: the spec's helpers fail: {type(exc).__name__}: {exc}") from exc
    return {k: v for k, v in scope.items() if k not in before and not k.startswith("__")}


def combinable(assignment: Assignment, mistakes: tuple[MistakeSpec, ...]) -> bool:
    """Whether the mistakes can be made together (their text changes do not overlap)."""
    try:
        mutant_module(assignment, mistakes)
    except SpecError:
        return False
    return True


def _recorded_reference(assignment: Assignment) -> ReferenceInfo:
    """Signatures and calls between functions, as a release recorded them (no code)."""
    data = recorded_data(assignment)
    parameters = {
        name: [inspect.Parameter(n, getattr(inspect.Parameter, kind),
                                 default=inspect.Parameter.empty if d == EMPTY else wire.decode(d))
               for n, kind, d in params]
        for name, params in data["signatures"].items()
    }
    relies = {name: frozenset(names) for name, names in data["relies_on"].items()}
    return ReferenceInfo({}, parameters, relies)
