"""Reference functions computed for a helper call, in a process of their own.

A student's code may call a course helper (``planar_utils.sigmoid``) or, when a caller
is judged on its own, a graded function the grader computes for it (see
:mod:`autograder.run.sandbox.served`). The arguments are the student's: a size of 10**9
or a loop far too long must cost that call, never the grader. So the reference runs
here, in a trusted worker process with a memory limit and a time limit per call,
started on the first such call and started again after a call that broke it.

Arguments that are small by construction (:func:`bounded`: no axis, count or number of more
than 1,024, no more than 65,536 numbers in all) cannot make the reference work long or take
much memory, and those calls, the bulk of a training loop judged on its own, are computed in
the grading process instead: the worker's round trip cost more than the call.
"""

from __future__ import annotations

import os
import resource
import select
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

from autograder.run import wire
from autograder.run.sandbox.served import SERVE_LIMIT

PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
MEMORY = 2 << 30  # bytes of address space for the worker
SECONDS = 2.0  # per helper call


class HelperFailed(Exception):
    """The reference could not compute a helper call on the arguments it was given."""


class ReferenceServer:
    """Computes the solution's functions on request, in a limited worker process."""

    def __init__(self, solution: Path, memory: int = MEMORY, seconds: float = SECONDS) -> None:
        self.solution = solution
        self.memory, self.seconds = memory, seconds
        self._proc: subprocess.Popen | None = None
        self._functions: dict[str, Any] | None = None  # the reference, loaded here on first use

    def compute(self, function: str, args: list, kwargs: dict, buffers: list) -> tuple[Any, list[bytes]]:
        """``function`` of the solution on ``args`` and ``kwargs`` as the wire encodes them
        (their arrays in ``buffers``): its value, encoded the same way, and the value's buffers.
        The student's arguments are decoded only in the worker, the answer only in the child.

        No answer is kept for a later request: whether one was (a faster reply) would be a
        channel from a child that holds hidden inputs to one that shows its results, or to
        another student's child (red team of issue 17)."""
        values = [wire.decode(a, buffers) for a in args], {k: wire.decode(v, buffers) for k, v in kwargs.items()}
        if bounded(values):
            return self._here(function, *values)
        proc = self._worker()
        message = {"function": function, "args": args, "kwargs": kwargs}
        try:
            wire.send(proc.stdin, message, buffers)
            ready, _, _ = select.select([proc.stdout], [], [], self.seconds)
            if not ready:
                raise TimeoutError
            reply, buffers = wire.receive(proc.stdout)
        except (OSError, EOFError, ValueError, TimeoutError) as exc:
            self.close()
            why = (f"took longer than {self.seconds:g} s" if isinstance(exc, TimeoutError)
                   else "ran out of memory (arguments far too large?)")
            raise HelperFailed(f"the grader's {function} {why} on the arguments it was given") from None
        if "error" in reply:
            raise HelperFailed(str(reply["error"]))
        return reply.get("value"), buffers

    def _here(self, function: str, args: list, kwargs: dict) -> tuple[Any, list[bytes]]:
        """The call computed in this process, as the worker would (see :func:`bounded`)."""
        if self._functions is None:
            self._functions = _functions(self.solution)
        try:
            frame = answer(self._functions, function, args, kwargs)
        except MemoryError:
            raise HelperFailed(f"the grader's {function} ran out of memory (arguments far too large?)") from None
        if "error" in frame[0]:
            raise HelperFailed(str(frame[0]["error"]))
        return frame[0]["value"], frame[1]

    def close(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                stream.close()

    def _worker(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            limit = self.memory
            code = (f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); "
                    "from autograder.judge.serving import worker; worker(sys.argv[1])")
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-c", code, str(self.solution)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                env={"PATH": os.environ.get("PATH", ""), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                     "MKL_NUM_THREADS": "1"},
                preexec_fn=lambda: _limit(limit),  # noqa: PLW1509
            )
        return self._proc


def _limit(memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    try:  # dies with the grading process
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


BOUND = 1024  # the most along an axis, as a count or as an integer argument, for a call computed here
NUMBERS = 65_536  # the most numbers in all the arguments of a call computed here


def bounded(value: Any, depth: int = 0, budget: list[int] | None = None) -> bool:
    """Whether decoded arguments are small enough for the reference to be run on them in the
    grading process: every array at most ``BOUND`` along each axis, integer arrays no more
    than 64 entries each within ``BOUND`` (they may be sizes), every int within ``BOUND`` (a
    size or a count of iterations), short strings, small shallow containers, and
    ``NUMBERS`` numbers in all. Then a call's work is milliseconds whatever the function."""
    budget = [NUMBERS] if budget is None else budget
    if depth > 6:
        return False
    if value is None or isinstance(value, (bool, float, np.floating)):
        budget[0] -= 1
        return budget[0] >= 0
    if isinstance(value, (int, np.integer)):
        budget[0] -= 1
        return abs(int(value)) <= BOUND and budget[0] >= 0
    if isinstance(value, str):
        return len(value) <= 100
    if type(value) is np.ndarray:
        budget[0] -= value.size
        if value.ndim > 4 or any(n > BOUND for n in value.shape) or budget[0] < 0:
            return False
        return value.dtype.kind not in "biu" or (value.size <= 64 and not (np.abs(value) > BOUND).any())
    if isinstance(value, (list, tuple)):
        return len(value) <= 256 and all(bounded(v, depth + 1, budget) for v in value)
    if isinstance(value, dict):
        return len(value) <= 256 and all(bounded(v, depth + 1, budget) for v in value.values())
    return False  # an Opaque: the worker says what is wrong with it


def _functions(solution: Path) -> dict[str, Any]:
    from autograder.judge.reference import load_module, reference_functions

    return reference_functions(load_module(solution.read_text(encoding="utf-8"), "reference", str(solution)))


def answer(functions: dict[str, Any], function: str, args: list, kwargs: dict) -> tuple[dict, list[bytes]]:
    """The reply to one request, in the worker or in the grading process: the value encoded
    (with its buffers), or an error's text. MemoryError propagates."""
    import warnings

    func = functions.get(function)
    try:
        if func is None:
            raise LookupError(f"the solution has no function {function!r}")
        np.random.seed(0)  # the same answer whatever was served before (initialisers draw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = func(*args, **kwargs)
        out: list[bytes] = []
        reply = {"value": wire.encode(value, out)}
        size = len(wire.frame(reply, out))
        if size > SERVE_LIMIT:  # no larger than what a helper call may send: a few bytes asked for 48 MB
            raise ValueError(f"its result would take {size / 1e6:.0f} MB, more than a helper may return "
                             f"({SERVE_LIMIT / 1e6:.0f} MB)")
        return reply, out
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - the student's arguments may be anything
        return {"error": f"{function} failed on the arguments it was given "
                         f"({type(exc).__name__}: {str(exc)[:160]})"}, []


def worker(solution: str) -> None:
    """The worker's loop: one request in, one reply out, until the grader closes the pipe."""
    functions = _functions(Path(solution))
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            request, buffers = wire.receive(requests)
        except EOFError:
            return
        try:
            reply, out = answer(functions, str(request.get("function")),
                                [wire.decode(a, buffers) for a in request.get("args", [])],
                                {k: wire.decode(v, buffers) for k, v in request.get("kwargs", {}).items()})
        except MemoryError:
            return  # the grader sees the pipe close
        wire.send(replies, reply, out)
