"""Reference functions computed for a helper call, in a process of their own.

A student's code may call a course helper (``planar_utils.sigmoid``) or, when a caller
is judged on its own, a graded function the grader computes for it (see
:mod:`autograder.run.sandbox.served`). The arguments are the student's: a size of 10**9
or a loop far too long must cost that call, never the grader. So the reference runs
here, in a trusted worker process with a memory limit and a time limit per call,
started on the first such call and started again after a call that broke it.

A call of a graded function whose reference runs straight through (:func:`straight_line`: no
loop, no comprehension, nothing that calls one) on arguments small by construction (:func:`bounded`:
matrices of plain numbers at most 1,024 along each axis, 65,536 numbers in all, at most two
sizes) does a few numpy operations on at most a million numbers: those calls, the bulk of a
training loop judged on its own, are computed in the grading process instead, where the
worker's round trip cost more than the call. A loop (nn_model), a course module's helper (a
dataset loader asked for 10**5 images) or an argument past a bound (a broadcast of two 4-d
arrays) still goes to the worker (red team 8).
"""

from __future__ import annotations

import ast
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


OUT_OF_MEMORY = "ran out of memory (arguments far too large?)"


def _failed(function: str, why: str) -> HelperFailed:
    return HelperFailed(f"the grader's {function} {why} on the arguments it was given")


class ReferenceServer:
    """Computes the solution's functions on request, in a limited worker process."""

    def __init__(self, solution: Path, graded: frozenset[str] = frozenset(), memory: int = MEMORY,
                 seconds: float = SECONDS) -> None:
        """``graded``: the exercise's graded functions, the only ones computed here when they
        run straight through (a course module's loader or plot helper never is)."""
        self.solution = solution
        self.memory, self.seconds = memory, seconds
        self._proc: subprocess.Popen | None = None
        # loaded now, not on a first call: a later student must not tell whether one came before
        source = solution.read_text(encoding="utf-8")
        self._functions = _functions(source, solution)
        self._here_ok = straight_line(source) & graded

    def compute(self, function: str, args: list, kwargs: dict, buffers: list) -> tuple[Any, list[bytes]]:
        """``function`` of the solution on ``args`` and ``kwargs`` as the wire encodes them
        (their arrays in ``buffers``): its value, encoded the same way, and the value's buffers.
        The student's arguments are decoded only in the worker, the answer only in the child.

        No answer is kept for a later request: whether one was (a faster reply) would be a
        channel from a child that holds hidden inputs to one that shows its results, or to
        another student's child (red team of issue 17)."""
        if function in self._here_ok:
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
            raise _failed(function, f"took longer than {self.seconds:g} s" if isinstance(exc, TimeoutError)
                          else OUT_OF_MEMORY) from None
        if "error" in reply:
            raise HelperFailed(str(reply["error"]))
        return reply.get("value"), buffers

    def _here(self, function: str, args: list, kwargs: dict) -> tuple[Any, list[bytes]]:
        """The call computed in this process, as the worker would (see the module's docstring)."""
        try:
            reply, out, _ = answer(self._functions, function, args, kwargs)
        except MemoryError:
            raise _failed(function, OUT_OF_MEMORY) from None
        if "error" in reply:
            raise HelperFailed(str(reply["error"]))
        return reply["value"], out

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


BOUND = 1024  # the most along an axis, or as an integer (a size, a count), for a call computed here
NUMBERS = 65_536  # the most numbers in all the arguments of a call computed here
SIZES = 2  # the most integers beyond 0 and ±1 (each may be a size) in such a call: their product is bounded
_PLAIN = {np.dtype(t) for t in ("float64", "float32", "int64", "int32", "bool")}


def bounded(value: Any) -> bool:
    """Whether decoded arguments are small by construction: arrays of plain dtypes (no long
    double, whose arithmetic is not vectorised) with at most two axes of at most ``BOUND``, so
    that any broadcast or product of two of them is at most a million numbers; ``NUMBERS``
    numbers in all; at most ``SIZES`` integers other than 0 and ±1 (in integer arrays too:
    labels and masks are 0 and 1), each within ``BOUND``; short strings, small shallow
    containers. Anything else (an object the wire could not rebuild, a complex number) is not."""
    return _bounded(value, 0, {"numbers": NUMBERS, "sizes": SIZES})


def _bounded(value: Any, depth: int, budget: dict[str, int]) -> bool:
    if depth > 6:
        return False
    if value is None or isinstance(value, (bool, np.bool_)):
        return True
    if isinstance(value, str):
        return len(value) <= 100
    if type(value) in (int, float) or (isinstance(value, np.generic) and value.dtype in _PLAIN):
        budget["numbers"] -= 1
        return budget["numbers"] >= 0 and (isinstance(value, (float, np.floating)) or _sizes(budget, [int(value)]))
    if type(value) is np.ndarray:
        budget["numbers"] -= value.size
        if value.dtype not in _PLAIN or value.ndim > 2 or any(n > BOUND for n in value.shape) or budget["numbers"] < 0:
            return False
        if value.dtype.kind == "i":
            big = value[(value > 1) | (value < -1)]  # (not np.abs: it overflows on the most negative int)
            return _sizes(budget, [int(v) for v in big[:SIZES + 1]])
        return True
    if isinstance(value, (list, tuple)):
        return len(value) <= 256 and all(_bounded(v, depth + 1, budget) for v in value)
    if isinstance(value, dict):
        return len(value) <= 256 and all(_bounded(v, depth + 1, budget) for v in value.values())
    return False


def _sizes(budget: dict[str, int], values: list[int]) -> bool:
    """Counts the integers that may be sizes (beyond 0 and ±1); False past the bounds."""
    big = [v for v in values if abs(v) > 1]
    budget["sizes"] -= len(big)
    return budget["sizes"] >= 0 and all(abs(v) <= BOUND for v in big)


def straight_line(source: str) -> frozenset[str]:
    """The top-level functions of a reference that run straight through: no loop and no
    comprehension, in them or in the module's functions they name (a cycle counts as a loop).
    Their work is a fixed number of operations, each bounded by its arguments."""
    defs = {node.name: node for node in ast.parse(source).body if isinstance(node, ast.FunctionDef)}
    loops = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
    # a module function named anywhere counts as called (map(f, …) calls f without a Call node)
    calls = {name: {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defs}
             for name, node in defs.items()}
    straight = {name for name, node in defs.items() if not any(isinstance(n, loops) for n in ast.walk(node))}
    changed = True
    while changed:  # a function that calls one that is not straight (or itself, in a cycle) is not
        changed = False
        for name in list(straight):
            if name in calls[name] or not calls[name] <= straight:
                straight.discard(name)
                changed = True
    return frozenset(straight)


def _functions(source: str, solution: Path) -> dict[str, Any]:
    from autograder.judge.reference import load_module, reference_functions

    return reference_functions(load_module(source, "reference", str(solution)))


def answer(functions: dict[str, Any], function: str, args: list, kwargs: dict) -> tuple[dict, list[bytes], bytes]:
    """The reply to one request, in the worker or in the grading process: the value encoded
    (with its buffers), or an error's text, and the frame that carries them (measured against
    the cap, so the worker sends it as it is). MemoryError propagates."""
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
        frame = wire.frame(reply, out)
        if len(frame) > SERVE_LIMIT:  # no larger than what a helper call may send: a few bytes asked for 48 MB
            raise ValueError(f"its result would take {len(frame) / 1e6:.0f} MB, more than a helper may return "
                             f"({SERVE_LIMIT / 1e6:.0f} MB)")
        return reply, out, frame
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - the student's arguments may be anything
        reply = {"error": f"{function} failed on the arguments it was given ({type(exc).__name__}: {str(exc)[:160]})"}
        return reply, [], wire.frame(reply)


def worker(solution: str) -> None:
    """The worker's loop: one request in, one reply out, until the grader closes the pipe."""
    path = Path(solution)
    functions = _functions(path.read_text(encoding="utf-8"), path)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            request, buffers = wire.receive(requests)
        except EOFError:
            return
        try:
            _, _, frame = answer(functions, str(request.get("function")),
                                [wire.decode(a, buffers) for a in request.get("args", [])],
                                {k: wire.decode(v, buffers) for k, v in request.get("kwargs", {}).items()})
        except MemoryError:
            return  # the grader sees the pipe close
        replies.write(frame)
        replies.flush()
