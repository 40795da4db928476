"""Public checks recorded for a student release: a self-check with no solution in it.

A release must not ship the reference solution or the hidden inputs, yet a
student running ``pytest`` should get the same per-step feedback and named
mistakes as ``autograder check --public-only``. So the release carries, for the
public inputs only: the calls and the reference's results, each catalogue
mutant's results where they differ, the reference's signatures and which
function calls which. The engine reads these instead of running the reference.
Pairs of mistakes are not recorded (too many); they are still named one by one.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

import numpy as np

from . import compare, wire
from .cases import Call, Workload, build_workload
from .diagnose import Fingerprints, MutantError
from .explain import error_signature
from .reference import ReferenceInfo, reference_info
from .spec import Assignment, MistakeSpec

FILENAME = "recorded.json"
_EMPTY = "__empty__"


def record(assignment: Assignment) -> dict:
    """Everything a release's self-check needs, as JSON-able data (solution required here)."""
    workload = build_workload(assignment, public_only=True)
    info = reference_info(assignment)
    prints = Fingerprints(workload)
    fingerprints: dict[str, dict[str, dict[str, Any]]] = {}
    for mistake in assignment.mistakes:
        affected = [f for f in assignment.functions
                    if f == mistake.function or mistake.function in info.relies_on.get(f, ())]
        per_function = {}
        for function in affected:
            outputs = prints.outputs((mistake,), function) or {}
            expected = {c.id: c.expected for c in workload.for_function(function)}
            differing = {cid: _encode(out) for cid, out in outputs.items() if not _same(out, expected[cid])}
            if differing:
                per_function[function] = differing
        fingerprints[mistake.id] = per_function
    return {
        "assignment": assignment.name,
        "calls": [_call_data(c) for c in workload.calls],
        "signatures": {name: [_parameter_data(p) for p in params]
                       for name, params in info.parameters.items() if name in assignment.functions},
        "relies_on": {name: sorted(names) for name, names in info.relies_on.items()},
        "fingerprints": fingerprints,
    }


def _same(out: Any, expected: Any) -> bool:
    if isinstance(out, MutantError):
        return False
    return compare.close(out, expected, strict_shape=True)


def _encode(value: Any) -> Any:
    if isinstance(value, MutantError):  # kind and shapes only: the record's frames quote solution code
        record = {"type": value.record.get("type"), "signature": _lists(error_signature(value.record))}
        return {"__mutant_error__": wire.encode(record)}
    return wire.encode(value)


def _lists(value: Any) -> Any:
    return [_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _decode(data: Any) -> Any:
    if isinstance(data, dict) and "__mutant_error__" in data:
        return MutantError(wire.decode(data["__mutant_error__"]))
    return wire.decode(data)


def _plain(value: Any) -> bool:
    """Data that survives the round trip (no modules, generators or functions)."""
    if isinstance(value, (bool, int, float, str, np.ndarray, np.generic)) or value is None:
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_plain(v) for v in value.values())
    return False


def _call_data(call: Call) -> dict:
    return {
        "id": call.id, "function": call.function, "variant": call.variant, "case": call.case,
        "visibility": call.visibility, "extreme": call.extreme,
        "args": wire.encode(call.args), "variant_args": wire.encode(call.variant_args),
        "context": wire.encode({k: v for k, v in call.context.items() if _plain(v)}),
        "expected": wire.encode(call.expected),
    }


def _parameter_data(p: inspect.Parameter) -> list:
    default = _EMPTY if p.default is inspect.Parameter.empty else wire.encode(p.default)
    return [p.name, p.kind.name, default]


def _data(assignment: Assignment) -> dict:
    assert assignment.recorded is not None
    return _load(str(assignment.recorded))


_cache: dict[str, dict] = {}


def _load(path: str) -> dict:
    if path not in _cache:
        with open(path, encoding="utf-8") as handle:
            _cache[path] = json.load(handle)
    return _cache[path]


def recorded_workload(assignment: Assignment) -> Workload:
    data = _data(assignment)
    workload = Workload(assignment, assignment.public_seed)
    for c in data["calls"]:
        workload.calls.append(Call(
            id=c["id"], function=c["function"], variant=c["variant"], case=c["case"],
            visibility=c["visibility"], extreme=c["extreme"], args=wire.decode(c["args"]),
            variant_args=wire.decode(c["variant_args"]), context=wire.decode(c["context"]),
            expected=wire.decode(c["expected"]),
        ))
    return workload


def recorded_reference(assignment: Assignment) -> ReferenceInfo:
    data = _data(assignment)
    parameters = {
        name: [inspect.Parameter(n, getattr(inspect.Parameter, kind),
                                 default=inspect.Parameter.empty if d == _EMPTY else wire.decode(d))
               for n, kind, d in params]
        for name, params in data["signatures"].items()
    }
    relies = {name: frozenset(names) for name, names in data["relies_on"].items()}
    return ReferenceInfo({}, parameters, relies)


class RecordedFingerprints(Fingerprints):
    """Mutant outputs read from the release: single mistakes only."""

    def outputs(self, mistakes: tuple[MistakeSpec, ...], function: str) -> dict[str, Any] | None:
        if len(mistakes) != 1:
            return None
        key = (mistakes[0].id, function)
        if key not in self._cache:
            recorded = _data(self.assignment)["fingerprints"].get(mistakes[0].id, {}).get(function, {})
            self._cache[key] = {c.id: _decode(recorded[c.id]) if c.id in recorded else c.expected
                                for c in self.workload.for_function(function)}
        return self._cache[key]


def fingerprints_for(workload: Workload) -> Fingerprints:
    return RecordedFingerprints(workload) if workload.assignment.recorded is not None else Fingerprints(workload)
