"""Run edited versions of a submission's function in that submission's own jailed child.

The repair search (:mod:`autograder.diagnose.repair`) proposes edits; this makes the calls,
on the same inputs as the grading (public, then hidden, handed over the same way) and
bound to the same signatures, and brings the results back as plain outcomes. Nothing here
judges. One child serves every version of every function of the submission.
"""

from __future__ import annotations

import time
from typing import Any

from autograder.load.source import LoadedSource
from autograder.run.execute import Call, Workload, reply_limit
from autograder.run.sandbox.runner import Limits, Outcome, Request, Sandbox, SandboxError
from autograder.run.signature import CannotCall, bind


class Trials:
    """A child of the submission for trying versions of its functions, started on first use."""

    def __init__(self, loaded: LoadedSource, workload: Workload, limits: Limits | None = None,
                 seconds: float = 2.0, box: Sandbox | None = None) -> None:
        """``box``: the sandbox the submission was graded in (its child holds the inputs
        already; the caller closes it), else a child is started on first use."""
        self.loaded, self.workload = loaded, workload
        self.limits = limits or Limits()
        # the whole search's wall-clock budget, within the submission's
        self.until = time.monotonic() + min(seconds, self.limits.left())
        self._box: Sandbox | None = box
        self._own = box is None
        self.failed = False

    def __enter__(self) -> Trials:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def left(self) -> float:
        return self.until - time.monotonic()

    def _sandbox(self) -> Sandbox | None:
        if self._box is None and not self.failed:
            box = Sandbox(self.loaded, self.limits, self.workload.shared_inputs("public"))
            self._own = True
            try:
                box.start()
                if any(c.visibility != "public" for c in self.workload.calls):
                    box.reveal(self.workload.shared_inputs("hidden"))
            except (SandboxError, RuntimeError, OSError):
                box.close()
                self.failed = True
                return None
            self._box = box
        return self._box

    def run(self, function: str, sources: list[str], calls: list[Call],
            probe: bool = False) -> tuple[dict, list[list[Outcome | None]]]:
        """Each version (the source of its ``def``, under the name the student gave it: a
        renamed function accepted keeps its own) on each call: ``results[version][call]``,
        None where no outcome came (a call it cannot take, or the budget ran out); with
        ``probe``, also the shapes in scope of the function as loaded, on the first call."""
        results: list[list[Outcome | None]] = [[None] * len(calls) for _ in sources]
        box = self._sandbox()
        if box is None or self.left <= 0:
            return {}, results
        fn = self.workload.assignment.functions[function]
        signature = box.functions.get(function)
        planned: list[tuple[int, Request]] = []
        for j, call in enumerate(calls):
            try:
                binding = bind(function, self.workload.parameters[function], signature, call.args, call.context)
            except CannotCall:
                continue
            timeout = min(fn.timeout, self.limits.call_timeout_cap or fn.timeout, max(self.left, 0.05))
            planned.append((j, Request(function, binding.args, binding.kwargs, timeout, binding.names,
                                       reply_limit(call.expected))))
        if not planned:
            return {}, results
        shapes: dict[str, Any] = {}
        replies = box.try_variants(function, sources, [r for _, r in planned], self.until, probe=probe,
                                   defines=self.loaded.renamed.get(function))
        try:
            if probe:
                first = next(replies, None)
                shapes = first if isinstance(first, dict) else {}
            for k, outcome in enumerate(replies):
                i, j = divmod(k, len(planned))
                results[i][planned[j][0]] = outcome if isinstance(outcome, Outcome) else None
        finally:
            replies.close()
        return shapes, results

    def close(self) -> None:
        if self._box is not None and self._own:
            self._box.close()
        self._box = None
