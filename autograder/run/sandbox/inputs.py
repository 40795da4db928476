"""Which inputs a call changed in place (``W -= …`` in update_parameters, a cache edited).

Worked out where the call ran: in the sandbox child for student code, so the arguments
do not travel back; in the parent for the trusted reference and its mutants.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def changed_inputs(names: list[str], before: tuple[list, dict], after: tuple[list, dict]) -> list[str]:
    """Names of the arguments (or ``name['key']`` entries of dict arguments) that differ."""
    (args, kwargs), (later_args, later_kwargs) = before, after
    pairs = [*zip(names, args, later_args), *((k, v, later_kwargs.get(k)) for k, v in kwargs.items())]
    changed: list[str] = []
    for name, value, later in pairs:
        if isinstance(value, dict):
            for key, item in value.items():
                other = later.get(key) if isinstance(later, dict) else None
                if not identical(item, other):
                    changed.append(f"{name}[{key!r}]")
        elif not identical(value, later):
            changed.append(name)
    return changed


def identical(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        # same bytes is the common case and cheap; otherwise equal values (nan equal to nan)
        return isinstance(b, np.ndarray) and a.shape == b.shape and (
            (a.dtype == b.dtype and a.tobytes() == b.tobytes())
            or bool(np.array_equal(a, b, equal_nan=True)))
    if isinstance(a, (tuple, list)):  # e.g. a cache (A, W, b) or a list of caches
        return type(b) is type(a) and len(a) == len(b) and all(identical(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - student objects may refuse to compare
        return False
