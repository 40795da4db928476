"""Error records: an exception as plain data (frames in student code, shapes in scope).

Used in the child for student code and in the parent for catalogue mutants, so
both kinds of error can be compared by :func:`autograder.judge.errors.error_signature`.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from typing import Any

import numpy as np


def error_record(exc: BaseException, sources: dict[str, list[str]], timeout: bool = False) -> dict:
    frames = []
    scope: dict = {}
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename in sources:
            lines = sources[filename]
            text = lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""
            frames.append({"file": filename, "line": lineno, "function": frame.f_code.co_name, "text": text})
            scope = shapes_in(frame.f_locals)
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "frames": frames[-5:],
        "locals": scope,
        "timeout": timeout,
    }


def shapes_in(local_vars: dict) -> dict:
    """Shapes of the arrays in scope (and inside dicts), to explain numpy errors."""
    shapes: dict = {}
    for name, value in list(local_vars.items())[:60]:
        if isinstance(value, np.ndarray):
            shapes[name] = list(value.shape)
        elif isinstance(value, dict):
            for key, item in list(value.items())[:20]:
                if isinstance(key, str) and isinstance(item, np.ndarray):
                    shapes[f"{name}[{key!r}]"] = list(item.shape)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            shapes[name] = "number"
    return shapes


def shapes_on_return(code: Any, run: Callable[[], object]) -> dict:
    """The shapes in scope of the frame of ``code`` when it first returns (or raises) while
    ``run()`` runs: what the edits of the repair search are typed by."""
    seen: dict = {}

    def profile(frame, event, arg):
        if event == "return" and frame.f_code is code and not seen:
            seen.update(shapes_in(frame.f_locals))

    sys.setprofile(profile)
    try:
        run()
    finally:
        sys.setprofile(None)
    return seen
