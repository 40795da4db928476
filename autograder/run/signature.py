"""Fit the reference's arguments to the student's signature, when the intent is clear.

Students write ``def backward_propagation(params, cache, X, Y)`` (older course,
no ``activation``), ``compute_cost(A2, Y, parameters)`` (an extra, unused
argument) or rename a parameter. Arguments are matched by name, then by
position; a missing parameter is fine when the reference would have used its
default; an extra one gets the value of that name from the case, else None.
Every adaptation is described so that feedback can say what was done.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

# How a check skipped for a missing parameter reads (an older signature, not a wrong result).
CANNOT_CHECK = "cannot be checked with"


class CannotCall(Exception):
    """The call cannot be made with this signature (e.g. a variant argument is missing)."""

    def __init__(self, text: str, without_value: str | None = None, parameter: str | None = None) -> None:
        super().__init__(text)
        self.without_value = without_value or text  # the same, not quoting the argument's value
        self.parameter = parameter

    def said(self, constants: dict[str, Any]) -> str:
        """The text for feedback: the value is quoted only for an argument that is one of the
        spec's constants (a variant such as activation='sigmoid'), never for a case's input,
        which may be a hidden one."""
        return str(self) if self.parameter in constants else self.without_value


@dataclass
class Binding:
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # the student's names for ``args``


_POSITIONAL = ("POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD")


def bind(
    function: str,
    reference: list[inspect.Parameter],
    student: list[dict] | None,
    values: dict[str, Any],
    context: dict[str, Any],
) -> Binding:
    """Map ``values`` (keyed by reference parameter names) onto the student's parameters."""
    if student is None:  # signature unknown: pass positionally in the reference order
        return _in_order(reference, values)
    if any(p["kind"] == "VAR_POSITIONAL" for p in student) and not any(
        p["kind"] in _POSITIONAL for p in student
    ):
        return _in_order(reference, values)
    takes_kwargs = any(p["kind"] == "VAR_KEYWORD" for p in student)
    named = [p for p in student if p["kind"] not in ("VAR_POSITIONAL", "VAR_KEYWORD")]
    by_lower = {p["name"].lower(): p for p in named}
    ref_names = {p.name.lower() for p in reference}
    assigned: dict[str, Any] = {}
    binding = Binding()
    for index, ref in enumerate(reference):
        if ref.name not in values:
            continue
        value = values[ref.name]
        target = by_lower.get(ref.name.lower())
        if target is None and index < len(named):
            candidate = named[index]
            if candidate["name"].lower() not in ref_names and candidate["name"] not in assigned:
                target = candidate
                binding.notes.append(f"your parameter `{candidate['name']}` was given `{ref.name}`")
        if target is not None:
            assigned[target["name"]] = value
            continue
        if takes_kwargs:
            binding.kwargs[ref.name] = value
            continue
        if ref.default is not inspect.Parameter.empty and _same(value, ref.default):
            binding.notes.append(
                f"your {function} has no `{ref.name}` parameter; it was called without it"
            )
            continue
        add = (f": add `{ref.name}={ref.default!r}` to the parameters, as the exercise's signature has it, and "
               f"handle {ref.name}={value!r} too" if isinstance(ref.default, (str, int, float, bool)) else "")
        raise CannotCall(
            f"your {function} has no `{ref.name}` parameter, so it {CANNOT_CHECK} {ref.name}={value!r}{add}",
            f"your {function} has no `{ref.name}` parameter, so it {CANNOT_CHECK} the {ref.name} of these inputs",
            ref.name,
        )
    for param in named:
        if param["name"] in assigned or param["default"]:
            continue
        extra = param["name"]
        if extra in context:
            assigned[extra] = context[extra]
            binding.notes.append(
                f"your {function} takes an extra parameter `{extra}` (an older version of the "
                f"exercise?); it was given the `{extra}` of the test case"
            )
        else:
            assigned[extra] = None
            binding.notes.append(
                f"your {function} takes an extra parameter `{extra}`; it was given None"
            )
    positional = True
    for param in named:
        if param["name"] not in assigned:
            positional = False
            continue
        if positional and param["kind"] in _POSITIONAL:
            binding.args.append(assigned[param["name"]])
            binding.names.append(param["name"])
        elif param["kind"] == "POSITIONAL_ONLY":
            raise CannotCall(f"cannot pass `{param['name']}` to your {function}")
        else:
            positional = False
            binding.kwargs[param["name"]] = assigned[param["name"]]
    return binding


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default)
    except Exception:  # noqa: BLE001 - arrays compare elementwise
        return False


def _in_order(reference: list[inspect.Parameter], values: dict[str, Any]) -> Binding:
    names = [p.name for p in reference if p.name in values]
    return Binding(args=[values[n] for n in names], names=names)
