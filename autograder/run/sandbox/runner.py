"""Parent side of the sandbox: start the child, feed it calls, enforce limits.

Each submission gets its own child process, jailed (see :mod:`.jail`) before any of its
code runs, with a scrubbed environment and resource limits; what it prints goes to an
in-memory file. Its calls go out as one batch and their
replies come back in groups (see :meth:`Sandbox.call_many` for deadlines). A call
that runs past its time or kills the child costs that call: the batch stops there
and the caller goes on in a fresh child.
"""

from __future__ import annotations

import json
import multiprocessing.util
import os
import re
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.load.source import LoadedSource
from autograder.run import wire
from autograder.run.sandbox.forkserver import Forked, ForkServer, boot, child_env, server_env
from autograder.run.sandbox.jail import Support
from autograder.run.sandbox.limits import Limits
from autograder.run.sandbox.served import SERVE_LIMIT, Helpers
from autograder.run.sandbox.shared import SharedInputs

OUTPUT_CAP = 20_000
MAX_SERVED_NAMES = 20  # course helpers a report names
SEND_SECONDS = 2.0  # for a message to the child to be read (see Sandbox._send)
PIPE_CHUNK = 1 << 16
LOAD_REPLY_LIMIT = 1 << 20  # bytes: what a loaded submission reports (its functions' signatures, notes)
FLUSH_AFTER = 0.05  # seconds: how often a child sends the replies it has (see Sandbox.call_many)


@dataclass
class Outcome:
    """What one call produced: a value, or an error record, as plain data."""

    ok: bool
    value: Any = None
    changed: list[str] = field(default_factory=list)  # inputs the call changed in place
    error: dict | None = None
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Request:
    """One call to make in the child."""

    function: str
    args: list
    kwargs: dict
    timeout: float
    names: list[str] = field(default_factory=list)  # of the positional arguments, to name changed ones
    max_reply: int = wire.MAX_MESSAGE  # bytes: a larger reply is refused unread and costs the call
    served: tuple[str, ...] = ()  # graded functions the parent computes during this call (see served)


# Error kinds of the sandbox's own (the call never returned a value): after one of them a
# function's other calls, and its callers', are not made (see execute).
STOPPED = ("Timeout", "Crash", "TooLarge", "Malformed", "Budget")
BUDGET_SPENT = "the submission used up its grading time"  # said of what was stopped or not run


def stopped_wording(kind: str, message: str) -> str:
    """The grader's wording for a call that stopped, keeping only what the child cannot choose
    (or chooses among a few fixed words): used on hidden inputs and for the calls skipped after it."""
    if kind == "TooLarge":
        return "returned far more data than its result can take: the call was stopped"
    if kind == "Malformed":
        return "sent back a reply the grader could not read"
    if kind == "Budget":
        return f"was stopped: {BUDGET_SPENT}"
    if kind == "Crash":
        if "stopped answering" in message:
            return "your code stopped answering during the call"
        if "it ran out of memory" in message:
            return "your code stopped the grader's worker during the call (it ran out of memory)"
        sig = re.search(r"\(signal (\w+)\)", message)
        if sig and sig.group(1) in signal.Signals.__members__:
            return f"your code stopped the grader's worker during the call (signal {sig.group(1)})"
        if "ended the grader's worker" in message:
            return "your code ended the grader's worker during the call (os._exit or a crash?)"
        return "your code stopped the grader's worker during the call"
    return "did not finish in time (an infinite loop?)"


class SandboxError(Exception):
    """The submission could not even be loaded (it crashed or hung while loading)."""


class JailUnavailable(RuntimeError):
    """The grader could not put a child in its jail: no fault of the submission's."""


def jail_support() -> Support:
    """What the kernel enforces for this process's sandbox children: asked of the fork
    server, or (without one) probed once in a fresh interpreter."""
    zygote = ForkServer.get()
    if zygote is not None:
        try:
            return zygote.support
        except OSError:
            pass
    global _standalone_support
    if _standalone_support is None:
        _standalone_support = JailProbe().support()
    return _standalone_support


_standalone_support: Support | None = None


class JailProbe:
    """What the kernel enforces, asked of a fresh interpreter that runs meanwhile: a process
    that forks its graders (``grade --jobs N``) learns it without a fork server of its own
    and without waiting for it before the graders start."""

    def __init__(self) -> None:
        try:
            self._proc: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-I", "-c", boot("probe_main")], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, env=server_env(), cwd=tempfile.gettempdir())
            self._failed = ""
        except OSError as exc:
            self._proc, self._failed = None, str(exc)
        self._support: Support | None = None

    def done(self) -> bool:
        return self._proc is None or self._support is not None or self._proc.poll() is not None

    def support(self) -> Support:
        """The answer, waiting for it if need be."""
        if self._support is None:
            if self._proc is None:
                self._support = Support(reasons={"probe": f"could not run ({self._failed})"})
            else:
                try:
                    out, _ = self._proc.communicate(timeout=60)
                    self._support = Support.from_dict(json.loads(out))
                except (ValueError, TypeError, AttributeError, subprocess.SubprocessError) as exc:
                    self._proc.kill()
                    self._support = Support(reasons={"probe": f"could not run ({exc})"})
        return self._support


class Sandbox:
    """One student's code, alive in a child process across many calls."""

    def __init__(self, loaded: LoadedSource, limits: Limits | None = None,
                 shared: SharedInputs | None = None, helpers: Helpers | None = None) -> None:
        self.loaded = loaded
        self.limits = limits or Limits()
        self.helpers = helpers or Helpers()  # what the parent computes for the child's helper calls
        self._may_serve: frozenset[str] = frozenset()  # graded functions the calls in flight may ask for
        self.served: dict[str, str] = {}  # name -> "module.name": the course helpers the file imported
        self.shared = shared  # public inputs: the fork server holds them, every child inherits them
        # Inputs revealed later (the hidden ones, once the public calls are done): sent to the
        # child then, and to every fresh child after its load (see reveal).
        self.revealed: list[SharedInputs] = []
        self._refs: dict[int, str] = dict(shared.refs) if shared else {}
        self._public_text: str | None = None  # what it printed before the first reveal, read then
        self.functions: dict[str, list[dict] | None] = {}
        self.uses: dict[str, set[str]] = {}  # function -> the student's functions it refers to
        self.notes: list[str] = []
        self._proc: subprocess.Popen | Forked | None = None
        self._workdir: Path | None = None
        self._output: int | None = None  # what the student's code prints (see _capture)
        self._requests = None
        self._replies_fd: int | None = None
        self._buffer = bytearray()
        self._eof = False
        self._counter = 0

    # -- lifecycle -------------------------------------------------------
    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start a child and load the student's code into it. The child says it is ready once
        it is in its jail, before any student code: a child that dies before that is the
        grader's failure (``JailUnavailable``), one that dies after is the submission's."""
        if self.limits.left() <= 0:
            raise SandboxError(f"not started: {BUDGET_SPENT}")
        self._spawn()
        message = {
            "op": "load",
            "units": [vars(u) for u in self.loaded.units],
            "sources": self.loaded.sources,
            "course": self.helpers.stand_ins(),
        }
        self._send(message)  # if the child is gone, the receive below says how
        deadline = time.monotonic() + self.limits.load_timeout
        ready = self._receive(deadline, LOAD_REPLY_LIMIT)
        if not isinstance(ready, tuple) or ready[0].get("op") != "ready":
            code = self._stop()
            raise JailUnavailable(f"the sandbox could not be set up for this submission (exit code {code}: a "
                                  "problem of the grader's machine, not of the submission); grade it again")
        # the load is the submission's time: it ends by the submission's own deadline too
        received = self._receive(min(deadline, time.monotonic() + max(self.limits.left(), 0.0)), LOAD_REPLY_LIMIT)
        reply = received[0] if isinstance(received, tuple) else None
        if reply is None:
            code = self._stop()
            raise SandboxError(self._death_message(code, "while your file was being loaded"))
        self.functions = _clean_signatures(reply.get("functions"))
        self.served = _clean_served(reply.get("served"), self.helpers, self.loaded)
        uses = reply.get("uses") if isinstance(reply.get("uses"), dict) else {}
        self.uses = {k: {n for n in v if n in self.functions or n in self.served} for k, v in uses.items()
                     if k in self.functions and isinstance(v, list)}
        if not self.notes:
            self.notes = [str(n) for n in reply.get("notes", [])][:20]
        # Inputs the child did not inherit go to it now, after the load: code that runs at load
        # time (a decorator, a class body) never sees them, so nothing it reports can carry them.
        inherited = not isinstance(self._proc, subprocess.Popen)
        for held in [*([self.shared] if self.shared and not inherited else []), *self.revealed]:
            self._send_inputs(held)

    def reveal(self, inputs: SharedInputs) -> None:
        """Hand the child more inputs (the hidden ones), from now on. What it printed before is
        read now and is the only output shown (see ``output``); every child started after this
        writes to a capture of its own, so none can leave a mark for the next."""
        if self._public_text is None:
            self._public_text = self._read_output()
        if any(held.key == inputs.key for held in self.revealed):
            return  # it has them already
        self.revealed.append(inputs)
        self._refs.update(inputs.refs)
        if self._proc is not None and not self._eof:
            self._send_inputs(inputs)

    def _send_inputs(self, held: SharedInputs) -> None:
        self._send_frame(held.framed)  # if the child is gone, the first call says how

    def close(self) -> None:
        self._stop()
        if self._output is not None:
            os.close(self._output)
            self._output = None
        if self._workdir:
            _give_back(self._workdir)
            self._workdir = None

    @property
    def output(self) -> str:
        """What the student's code printed (capped) before any input was revealed."""
        return self._public_text if self._public_text is not None else self._read_output()

    def _read_output(self) -> str:
        if self._output is None:
            return ""
        try:
            return os.pread(self._output, OUTPUT_CAP, 0).decode("utf-8", "replace")
        except OSError:
            return ""

    # -- calls -----------------------------------------------------------
    def call_many(self, requests: list[Request], precise: bool = False,
                  until: float | None = None) -> Iterator[Outcome]:
        """Make the calls in order, sent as one message; yield each outcome as it arrives.
        Nothing is waited for past ``until`` (the submission's budget, a ``time.monotonic()``).

        The child sends its replies together, every ``FLUSH_AFTER`` seconds and at the end.
        If it then hangs or dies, which call did it is not known: the batch just stops, and
        the caller runs the calls left again with ``precise``, where each reply comes as soon
        as its call is made and has its own deadline, counted from the previous reply: a call
        that times out or kills the child ends the batch with an outcome that says so. The
        next batch starts a fresh child."""
        # A child only dies during a call (it waits on its pipe in between), and then we
        # have seen the pipe close; Popen's poll is free, the zygote's costs a round trip.
        if self._proc is None or self._eof or (isinstance(self._proc, subprocess.Popen) and self._proc.poll() is not None):
            self._stop()
            self.start()
        buffers: list[bytes] = []
        first = self._counter + 1
        batch = []
        refs = self._refs or None
        for request in requests:
            self._counter += 1
            batch.append({
                "id": self._counter,
                "function": request.function,
                "args": [wire.encode(a, buffers, refs=refs) for a in request.args],
                "kwargs": {k: wire.encode(v, buffers, refs=refs) for k, v in request.kwargs.items()},
                "timeout": request.timeout,
                "names": request.names,
                **({"served": list(request.served)} if request.served else {}),
            })
        # the graded functions this child may ask for: a child judging a function on its own
        # makes only that function's calls (execute.rerun), all with the same helpers
        self._may_serve = frozenset(n for r in requests for n in r.served)
        keys = [held.key for held in ([self.shared] if self.shared else []) + self.revealed]
        self._send({"op": "calls", "calls": batch, "shared": keys, "flush_after": 0 if precise else FLUSH_AFTER},
                   buffers)  # if the child is gone, the first receive below says how
        longest = [0.0] * (len(requests) + 1)  # the longest time limit among the calls from here on
        for i in range(len(requests) - 1, -1, -1):
            longest[i] = max(longest[i + 1], requests[i].timeout)
        answered = first - 1
        try:
            for number, request in enumerate(requests, start=first):
                started = time.perf_counter()
                wait = request.timeout if precise else FLUSH_AFTER + longest[number - first]
                deadline = time.monotonic() + wait + self.limits.grace
                received = self._receive(deadline if until is None else min(deadline, until), request.max_reply)
                if not isinstance(received, tuple) or received[0].get("id") != number:
                    code = self._stop()
                    if not precise:
                        return
                    over = until is not None and time.monotonic() >= until
                    yield Outcome(False, error=self._failure(received, code, request, started, over))
                    return
                answered = number
                yield _outcome(*received, request)
        finally:
            if answered < self._counter:  # the batch was cut short: its other calls must not run on
                self._stop()

    def try_variants(self, function: str, sources: list[str], requests: list[Request], until: float,
                     probe: bool = False, defines: str | None = None) -> Iterator[Outcome | dict]:
        """Edited versions of ``function`` (each the source of its ``def``, which is named
        ``defines`` when the student's has another name: a renamed function accepted), each
        given the same calls; yield each outcome in order, version by version (with ``probe``,
        first the shapes in scope on the first call, cleaned: a dict). The child is the
        submission's, so its replies are distrusted like a call's (size caps, deadlines); a
        batch cut short stops the child and yields nothing more: the versions left count as failed."""
        if self._proc is None or self._eof or (isinstance(self._proc, subprocess.Popen) and self._proc.poll() is not None):
            self._stop()
            self.start()
        buffers: list[bytes] = []
        refs = self._refs or None
        calls = [{"args": [wire.encode(a, buffers, refs=refs) for a in r.args],
                  "kwargs": {k: wire.encode(v, buffers, refs=refs) for k, v in r.kwargs.items()},
                  "timeout": r.timeout, "names": r.names} for r in requests]
        first = self._counter + 1
        total = len(sources) * len(requests) + (1 if probe and requests else 0)
        self._counter += total
        keys = [held.key for held in ([self.shared] if self.shared else []) + self.revealed]
        self._may_serve = frozenset()  # edited versions run with the student's own helpers
        self._send({"op": "variants", "function": function, "defines": defines or function, "variants": sources,
                    "calls": calls, "shared": keys, "first": first, "probe": probe}, buffers)  # if the child is gone, the receive says how
        answered = first - 1
        try:
            number = first
            if probe and requests:
                received = self._receive(min(time.monotonic() + requests[0].timeout + self.limits.grace, until),
                                         LOAD_REPLY_LIMIT)
                if not isinstance(received, tuple) or received[0].get("id") != number:
                    return
                answered = number
                number += 1
                yield _clean_locals(received[0].get("locals"))
            for _ in sources:
                for request in requests:
                    started = time.perf_counter()
                    deadline = min(time.monotonic() + request.timeout + self.limits.grace, until)
                    received = self._receive(deadline, request.max_reply)
                    if not isinstance(received, tuple) or received[0].get("id") != number:
                        code = self._stop()
                        yield Outcome(False, error=self._failure(received, code, request, started,
                                                                 time.monotonic() >= until))
                        return
                    answered = number
                    number += 1
                    yield _outcome(*received, request)
        finally:
            if answered < self._counter:  # cut short: nothing more of this batch may run on
                self._stop()

    # -- plumbing --------------------------------------------------------
    def _spawn(self) -> None:
        if self._workdir is None:
            self._workdir = _empty_folder()
        if self._output is not None and self.revealed:  # after a reveal, a fresh capture per child
            os.close(self._output)
            self._output = None
        if self._output is None:  # before, the children of this submission append to the same one
            self._output = _capture()
        req_read, req_write = os.pipe()
        rep_read, rep_write = os.pipe()
        output = self._output
        limits = self.limits
        zygote = ForkServer.get()
        try:
            if zygote is None:
                raise OSError("no fork server")
            if self.shared:
                zygote.hold(self.shared)
            self._proc = zygote.spawn(self._workdir, limits, [req_read, rep_write, output])
        except OSError:
            support = json.dumps(jail_support().as_dict())
            self._proc = subprocess.Popen(
                [sys.executable, "-I", "-c", boot("main"), str(req_read), str(rep_write), support, str(limits.disk_bytes),
                 str(limits.open_files)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                cwd=self._workdir,
                env=child_env(self._workdir),
                pass_fds=(req_read, rep_write),
                start_new_session=True,
                preexec_fn=lambda: _apply_limits(limits),  # noqa: PLW1509
            )
        os.close(req_read)
        os.close(rep_write)
        os.set_blocking(req_write, False)  # see _send
        self._requests = req_write
        self._replies_fd = rep_read
        self._buffer = bytearray()
        self._eof = False

    def _receive(self, deadline: float, limit: int = wire.MAX_MESSAGE) -> tuple[dict, list] | None | int:
        """The next reply (see ``_frame``); the child's helper calls that come first are
        answered on the way (see :mod:`.served`)."""
        while True:
            received = self._frame(deadline, max(limit, SERVE_LIMIT))
            if not isinstance(received, tuple) or received[0].get("op") != "serve":
                if isinstance(received, tuple) and received[2] > limit:
                    return received[2]  # a reply larger than its limit: refused, as if unread
                return received[:2] if isinstance(received, tuple) else received
            if time.monotonic() >= deadline:  # requests queued to outlast the call: not answered
                return None
            answer, out = self.helpers.answer(received[0], received[1], self._may_serve)
            if not self._send(answer, out):
                return None

    def _send(self, message: dict, buffers: list[bytes] | tuple = ()) -> bool:
        """Write one message to the child within ``SEND_SECONDS``. A child waiting for its next
        message reads at once; one that stopped reading (and would block the grader on a full
        pipe) is stopped instead. False when the message could not be sent."""
        return self._send_frame(wire.frame(message, buffers))

    def _send_frame(self, frame: bytes) -> bool:
        """:meth:`_send` of a message framed already."""
        if self._requests is None:
            return False
        data = memoryview(frame)
        deadline = time.monotonic() + SEND_SECONDS
        while data:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([], [self._requests], [], left)[1]:
                self._stop()
                return False
            try:
                data = data[os.write(self._requests, data[:PIPE_CHUNK]):]
            except BlockingIOError:
                continue
            except OSError:  # the child is gone
                return False
        return True

    def _frame(self, deadline: float, limit: int) -> tuple[dict, list, int] | None | int:
        """The next frame and its size, None if the child closed its end or missed the
        deadline, or the frame's announced size (an int) when it exceeds ``limit``: refused
        before its bytes are read. Receiving is linear in the bytes: the buffer grows in place."""
        if self._replies_fd is None:  # stopped (see _send)
            return None
        need = 4
        size = None
        while True:
            if size is None and len(self._buffer) >= 4:
                (size,) = struct.unpack_from(">I", self._buffer)
                if size > min(limit, wire.MAX_MESSAGE):
                    return size
                need = 4 + size
            if size is not None and len(self._buffer) >= need:
                body = bytes(memoryview(self._buffer)[4:need])
                del self._buffer[:need]
                try:
                    return (*wire.unframe(body), size)
                except (ValueError, RecursionError, MemoryError):  # malformed, or JSON nested to break the parser
                    return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._replies_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self._replies_fd, PIPE_CHUNK)  # not 1 MiB: each such read maps and unmaps a buffer
            if not chunk:
                self._eof = True  # the child closed its end: it is exiting or has exited
                return None
            self._buffer += chunk

    def _stop(self) -> int | None:
        proc, self._proc = self._proc, None
        code = None
        if isinstance(proc, Forked) and not self._eof:
            # Alive and waiting on its pipe (or hung in a call): nobody needs its exit code, so
            # kill its group and move on; the fork server reaps it.
            _kill_group(proc.pid)
        elif proc is not None:
            code = proc.poll()  # None: still running, so we are the ones stopping it
            if code is None and self._eof:
                try:  # it is on its way out: let it finish so its exit code can be reported
                    code = proc.wait(timeout=1.0)
                except subprocess.TimeoutExpired:
                    code = None
            _kill_group(proc.pid)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self._requests is not None:
            os.close(self._requests)
            self._requests = None
        if self._replies_fd is not None:
            os.close(self._replies_fd)
            self._replies_fd = None
        return code

    def _failure(self, received: object, code: int | None, request: Request, started: float,
                 over_budget: bool = False) -> dict:
        """The error record of a call that got no proper reply: too large, too slow, cut off by
        the submission's budget, or the child died."""
        if over_budget:
            kind, text = "Budget", f"was stopped: {BUDGET_SPENT}"
        elif isinstance(received, int):
            kind, text = "TooLarge", (f"returned {received / 1e6:.1f} MB, far more than its result can take "
                                      f"(at most {request.max_reply / 1e6:.1f} MB): the call was stopped")
        elif time.perf_counter() - started >= request.timeout:
            kind, text = "Timeout", f"did not finish within {request.timeout:g} s (an infinite loop?)"
        else:
            kind, text = "Crash", self._death_message(code, "during the call")
        return {"type": kind, "message": text, "frames": [], "timeout": kind == "Timeout"}

    def _death_message(self, code: int | None, when: str) -> str:
        if code is None:
            return f"your code stopped answering {when}"
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
            reason = "it ran out of memory" if name in ("SIGKILL", "SIGSEGV") else f"signal {name}"
            return f"your code stopped the grader's worker {when} ({reason})"
        return f"your code ended the grader's worker {when} (exit code {code}: os._exit or a crash?)"


_spare: dict[int, list[Path]] = {}  # per process: empty folders a finished submission left behind


def _empty_folder() -> Path:
    """An empty private folder for one submission: one left empty by an earlier submission
    of this process, or a new one (creating and deleting a folder per submission showed up
    as file-system work in the kernel)."""
    spare = _spare.get(os.getpid(), [])
    while spare:
        folder = spare.pop()
        if folder.is_dir() and not any(os.scandir(folder)):
            return folder
        shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))


FOLDER_PREFIX = "autograder-w"  # + the grading process's pid: see sweep_folders


def sweep_folders() -> int:
    """Remove the submission folders of grading processes that are gone (a worker killed
    mid-batch never clears its spare folders); a living process's are left alone. Returns
    how many were removed."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or folder.is_symlink() or not folder.is_dir() or folder.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or another user's process: not ours to judge)
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _give_back(folder: Path) -> None:
    """Keep a folder the student's code left empty for the next submission; delete the rest."""
    try:
        empty = not any(os.scandir(folder))
    except OSError:
        return
    pid = os.getpid()
    if pid not in _spare:
        _spare[pid] = []
        # run at exit by this process, a multiprocessing worker included (plain atexit is not)
        multiprocessing.util.Finalize(None, _clear_spare, args=(pid,), exitpriority=0)
    if empty and len(_spare[pid]) < 4:
        _spare[pid].append(folder)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _clear_spare(pid: int) -> None:
    if os.getpid() == pid:
        for folder in _spare.pop(pid, []):
            shutil.rmtree(folder, ignore_errors=True)


def _capture() -> int:
    """Where the student's output goes: an anonymous in-memory file (no file-system entry to
    create and delete), capped like a file by the child's file-size limit."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("autograder-output")
    handle, path = tempfile.mkstemp(prefix="autograder-output-")
    os.unlink(path)
    return handle


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _outcome(reply: dict, buffers: list, request: Request) -> Outcome:
    """A reply as an outcome. Whatever its content (the child is the student's), this never
    raises: a reply the grader cannot read costs that call, in the grader's words."""
    try:
        seconds = min(max(float(reply.get("seconds", 0.0)), 0.0), request.timeout + 60) if \
            isinstance(reply.get("seconds", 0.0), (int, float)) else 0.0
        if reply.get("ok"):
            changed = reply.get("changed")
            allowed = _argument_names(request)
            return Outcome(
                True,
                value=wire.decode(reply.get("value"), buffers),
                changed=[n for n in changed if isinstance(n, str) and n in allowed][:10]
                if isinstance(changed, list) else [],
                warnings=[str(w)[:200] for w in reply.get("warnings", [])][:3]
                if isinstance(reply.get("warnings"), list) else [],
                seconds=seconds,
            )
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        return Outcome(False, error=_clean_error(error), seconds=seconds)
    except Exception:  # noqa: BLE001 - a reply made to break the parent
        return Outcome(False, error={"type": "Malformed", "message": "sent back a reply the grader could not read",
                                     "frames": [], "locals": {}, "timeout": False})


def _apply_limits(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _clean_error(error: dict) -> dict:
    frames = error.get("frames") if isinstance(error.get("frames"), list) else []
    return {
        "type": str(error.get("type", "Error"))[:80],
        "message": str(error.get("message", ""))[:500],
        "frames": [
            {
                "file": str(f.get("file", ""))[:80],
                "line": int(f.get("line", 0)) if str(f.get("line", "0")).isdigit() else 0,
                "function": str(f.get("function", ""))[:80],
                "text": str(f.get("text", ""))[:200],
            }
            for f in frames[:5]
            if isinstance(f, dict)
        ],
        "locals": _clean_locals(error.get("locals")),
        "timeout": bool(error.get("timeout", False)),
    }


def _argument_names(request: Request) -> set[str]:
    """What a call may say it changed in place: the arguments the grader passed, by the names
    it sent, and the entries of those that are dicts (see inputs.changed_inputs). Any other
    name the child reports is its own invention, and could carry data out."""
    named = [*zip(request.names, request.args), *request.kwargs.items()]
    allowed = {name for name, _ in named}
    allowed |= {f"{name}[{key!r}]" for name, value in named if isinstance(value, dict) for key in value}
    return allowed


def _clean_locals(scope: object) -> dict:
    """The shapes in scope an error record names (see trace.shapes_in): names as short
    strings, each a shape (a short list of sizes) or "number"; anything else is dropped."""
    if not isinstance(scope, dict):
        return {}
    clean = {}
    for name, shape in list(scope.items())[:80]:
        if not isinstance(name, str):
            continue
        if shape == "number" or (isinstance(shape, list) and len(shape) <= 8
                                 and all(type(n) is int and 0 <= n < 2**31 for n in shape)):
            clean[name[:80]] = shape
    return clean


def _clean_served(served: object, helpers: Helpers, loaded: LoadedSource) -> dict[str, str]:
    """The course helpers the child says the file imported: names of the file's own code
    bound to names the spec lists (a few; the report quotes them)."""
    if not isinstance(served, dict) or not served:  # most files import no course helper: no need to read them
        return {}
    known = {f"{module}.{name}" for module, names in helpers.modules.items() for name in names}
    words = set(re.findall(r"[A-Za-z_]\w*", "\n".join(u.source for u in loaded.units)))
    kept = {k: v for k, v in served.items() if isinstance(k, str) and k in words and isinstance(v, str) and v in known}
    return dict(sorted(kept.items())[:MAX_SERVED_NAMES])


def _clean_signatures(functions: object) -> dict[str, list[dict] | None]:
    """The loaded functions' signatures as the child reports them (see child._signature):
    one that does not have that form is unknown (None), never an error in the parent."""
    if not isinstance(functions, dict):
        return {}
    clean: dict[str, list[dict] | None] = {}
    for name, params in list(functions.items())[:500]:
        if not isinstance(name, str):
            continue
        ok = isinstance(params, list) and len(params) <= 64 and all(
            isinstance(p, dict) and isinstance(p.get("name"), str) and p.get("kind") in _KINDS
            and isinstance(p.get("default"), bool) for p in params)
        clean[name[:200]] = [{"name": p["name"][:80], "kind": p["kind"], "default": p["default"]} for p in params] \
            if ok else None
    return clean


_KINDS = {"POSITIONAL_ONLY", "POSITIONAL_OR_KEYWORD", "VAR_POSITIONAL", "KEYWORD_ONLY", "VAR_KEYWORD"}
