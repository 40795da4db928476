"""Reference functions computed for a helper call, in a process of their own.

A student's code may call a course helper (``planar_utils.sigmoid``) or, when a caller
is judged on its own, a graded function the grader computes for it (see
:mod:`autograder.run.sandbox.served`). The arguments are the student's: a size of 10**9
or a loop far too long must cost that call, never the grader. So the reference runs
here, in a trusted worker process with a memory limit and a time limit per call,
started on the first helper call and started again after a call that broke it.
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

    def compute(self, function: str, args: list, kwargs: dict, buffers: list) -> tuple[Any, list[bytes]]:
        """``function`` of the solution on ``args`` and ``kwargs`` as the wire encodes them
        (their arrays in ``buffers``): its value, encoded the same way, and the value's buffers.
        The student's arguments are decoded only in the worker, the answer only in the child.

        No answer is kept for a later request: whether one was (a faster reply) would be a
        channel from a child that holds hidden inputs to one that shows its results, or to
        another student's child (red team of issue 17)."""
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


def worker(solution: str) -> None:
    """The worker's loop: one request in, one reply out, until the grader closes the pipe."""
    import warnings

    import numpy

    from autograder.judge.reference import load_module, reference_functions

    warnings.simplefilter("ignore")
    path = Path(solution)
    functions = reference_functions(load_module(path.read_text(encoding="utf-8"), "reference", str(path)))
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            request, buffers = wire.receive(requests)
        except EOFError:
            return
        func = functions.get(str(request.get("function")))
        try:
            if func is None:
                raise LookupError(f"the solution has no function {request.get('function')!r}")
            numpy.random.seed(0)  # the same answer whatever was served before (initialisers draw)
            value = func(*[wire.decode(a, buffers) for a in request.get("args", [])],
                         **{k: wire.decode(v, buffers) for k, v in request.get("kwargs", {}).items()})
            out: list[bytes] = []
            frame = wire.frame({"value": wire.encode(value, out)}, out)
            if len(frame) > SERVE_LIMIT:  # no larger than what a helper call may send: a few bytes asked for 48 MB
                raise ValueError(f"its result would take {len(frame) / 1e6:.0f} MB, more than a helper may return "
                                 f"({SERVE_LIMIT / 1e6:.0f} MB)")
            replies.write(frame)
            replies.flush()
        except MemoryError:
            return  # the grader sees the pipe close
        except Exception as exc:  # noqa: BLE001 - the student's arguments may be anything
            wire.send(replies, {"error": f"{request.get('function')} failed on the arguments it was given "
                                         f"({type(exc).__name__}: {str(exc)[:160]})"})

