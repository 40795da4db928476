"""Write the data a student release carries instead of the solution (see
``judge.release_record``): the public calls with the reference's results, each catalogue
mistake's results where they differ, the signatures and which function calls which."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from autograder.diagnose.mistakes import Fingerprints, MutantError
from autograder.judge import compare
from autograder.judge.cases import Call, build_workload
from autograder.judge.errors import error_signature
from autograder.judge.reference import reference_info
from autograder.judge.release_record import EMPTY
from autograder.run import wire
from autograder.spec import Assignment


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
    default = EMPTY if p.default is inspect.Parameter.empty else wire.encode(p.default)
    return [p.name, p.kind.name, default]


