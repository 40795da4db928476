"""The parent's side of a helper call: the child asks, the trusted parent computes.

A course helper module (``planar_utils``, ``dnn_utils``) is not on the grader's machine;
the assignment maps the names it provides to reference functions. In the child those
names are stand-ins that send each call here (see ``child.ServedHelper``); so is a graded
function a caller is judged without (``Request.served``). The answer is computed with the
reference in this process and sent back as plain data: the reference's code never enters
the child, and the child can ask only for the names it was given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from autograder.spec import NOT_NEEDED

SERVE_LIMIT = 8 << 20  # bytes: the most a helper call's arguments may take on the pipe


@dataclass
class Helpers:
    """What the parent serves: ``modules`` maps a course module's names to reference functions
    (or NOT_NEEDED); ``compute(function, args, kwargs, buffers)`` runs a reference function on
    arguments as the wire encodes them and gives back its value encoded the same way, with its
    buffers: the parent passes both along without decoding them (see judge.serving)."""

    modules: dict[str, dict[str, str]] = field(default_factory=dict)
    compute: Callable[[str, list, dict, list], tuple[Any, list[bytes]]] | None = None

    def stand_ins(self) -> dict[str, dict[str, str]]:
        """What the child builds its stand-in modules from: which names call the parent."""
        def how(ref: str) -> str:
            if ref == NOT_NEEDED:
                return "placeholder"
            return "serve" if self.compute is not None else "unserved"  # a student release has no reference

        return {module: {name: how(ref) for name, ref in names.items()} for module, names in self.modules.items()}

    def reference_for(self, module: str, name: str, graded: frozenset[str]) -> str | None:
        """The reference function a request may have computed, or None if it may not ask for it."""
        if module == "":
            return name if name in graded else None
        ref = self.modules.get(module, {}).get(name)
        return ref if ref and ref != NOT_NEEDED else None

    def answer(self, request: dict, buffers: list, graded: frozenset[str]) -> tuple[dict, list[bytes]]:
        """The reply to one ``serve`` request: the reference's value, or an error's text."""
        module, name = str(request.get("module", "")), str(request.get("name", ""))
        ref = self.reference_for(module, name, graded) if self.compute else None
        if ref is None:
            return {"op": "served", "error": f"the grader does not compute {module or 'the'} `{name[:60]}` here"}, []
        args = request.get("args") if isinstance(request.get("args"), list) else []
        kwargs = request.get("kwargs") if isinstance(request.get("kwargs"), dict) else {}
        try:
            value, out = self.compute(ref, args, {str(k): v for k, v in kwargs.items()}, buffers)
            return {"op": "served", "value": value}, out
        except Exception as exc:  # noqa: BLE001 - the student's arguments may be anything
            return {"op": "served", "error": str(exc)[:240] or f"{name} failed ({type(exc).__name__})"}, []
