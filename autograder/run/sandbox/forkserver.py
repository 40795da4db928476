"""The fork server: one clean Python per grading process that forks the sandbox children.

Starting Python and importing numpy costs a few hundred milliseconds per submission;
forking a process that already did costs a few. The server is started fresh (never
forked from the grader), so what a child inherits holds nothing of the grader but the
batch's public inputs (see :mod:`.shared`), which the child is called with anyway: no reference
solution, no expected result. The child side lives in ``child.zygote``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from autograder.run.sandbox.jail import Support

if TYPE_CHECKING:
    from autograder.run.sandbox.limits import Limits
    from autograder.run.sandbox.shared import SharedInputs

PACKAGE_PARENT = str(Path(__file__).resolve().parents[3])  # what the child puts on sys.path


def boot(entry: str) -> str:
    """The ``python -I -c`` code that starts ``autograder.run.sandbox.child.<entry>()`` from
    this checkout (the fork server, a child started without one, the jail probe)."""
    return (f"import sys; sys.path.insert(0, {PACKAGE_PARENT!r}); "
            f"from autograder.run.sandbox.child import {entry}; {entry}()")


def child_env(workdir: Path | None) -> dict[str, str]:
    """The whole environment student code sees: nothing of the grader's."""
    home = str(workdir) if workdir else "/nonexistent"
    return {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def server_env() -> dict[str, str]:
    """The fork server's environment: a child's, plus the grader's choice about the jail."""
    env = child_env(None)
    if "AUTOGRADER_JAIL" in os.environ:
        env["AUTOGRADER_JAIL"] = os.environ["AUTOGRADER_JAIL"]
    return env


class ForkServer:
    """A fork server: one clean Python with numpy imported, forking a child per submission.

    It is started by the grading process (one per process, never inherited across a
    fork) and holds nothing of the grader but the inputs it is given: no reference, no
    expected results."""

    _current: ForkServer | None = None

    def __init__(self) -> None:
        import socket

        self.owner = os.getpid()
        self.held: set[str] = set()
        self._support: Support | None = None
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock = ours
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", boot("zygote"), str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            cwd=tempfile.gettempdir(), env=server_env(), pass_fds=(theirs.fileno(),), start_new_session=True,
        )
        theirs.close()

    @classmethod
    def get(cls) -> ForkServer | None:
        """This process's zygote, started on first use; None where forking is not available."""
        zygote = cls._current
        if zygote is not None and zygote.owner == os.getpid() and zygote.proc.poll() is None:
            return zygote
        if os.environ.get("AUTOGRADER_NO_ZYGOTE") or not hasattr(os, "fork"):
            return None
        try:
            cls._current = cls()
        except OSError:
            cls._current = None
        return cls._current

    def _ask(self, message: dict, fds: list[int] | None = None) -> dict:
        import socket

        data = json.dumps(message).encode()
        if fds:
            socket.send_fds(self.sock, [data], fds)
        else:
            self.sock.sendall(data)
        reply = self.sock.recv(1 << 16)
        if not reply:
            raise OSError("the fork server stopped")
        return json.loads(reply)

    def spawn(self, workdir: Path, limits: Limits, fds: list[int]) -> Forked:
        reply = self._ask({"op": "spawn", "workdir": str(workdir), "env": child_env(workdir),
                           "memory": limits.memory_bytes, "files": limits.file_bytes, "disk": limits.disk_bytes,
                           "open_files": limits.open_files},
                          fds)
        return Forked(int(reply["pid"]), self)

    def hold(self, shared: SharedInputs) -> None:
        """Give the server a workload's public inputs, once: every child forked later has them.
        Never hidden ones: a child that runs public calls must not have them in its memory."""
        if shared.key not in self.held:
            with shared.as_file() as handle:
                self._ask({"op": "hold"}, [handle.fileno()])
            self.held.add(shared.key)

    @property
    def support(self) -> Support:
        """What the kernel enforces for this server's children (probed once, in the server)."""
        if self._support is None:
            self._support = Support.from_dict(self._ask({"op": "support"}))
        return self._support

    def poll(self, pid: int) -> int | None:
        code = self._ask({"op": "poll", "pid": pid}).get("code")
        return None if code is None else int(code)


class Forked:
    """A child forked by the zygote, with the part of Popen's interface the sandbox uses."""

    def __init__(self, pid: int, zygote: ForkServer) -> None:
        self.pid, self.zygote, self.returncode = pid, zygote, None

    def poll(self) -> int | None:
        """Asks the zygote (one round trip); the sandbox only asks once the pipe has closed."""
        if self.returncode is None:
            try:
                self.returncode = self.zygote.poll(self.pid)
            except OSError:
                self.returncode = -9
        return self.returncode

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.002)
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


