"""The child process that runs student code. It judges nothing.

It receives code units and calls from the parent on a private pipe, runs them,
and sends back plain data (see :mod:`autograder.run.wire`): results, which inputs a
call changed in place, and for exceptions the student's frames with the shapes
of the arrays in scope.
Student output goes to a capped file, never to the result channel.
"""

from __future__ import annotations

import builtins
import gc
import inspect
import os
import signal
import sys
import time
import types
import warnings

from autograder.run import wire
from autograder.run.sandbox import jail
from autograder.run.sandbox.inputs import changed_inputs
from autograder.run.sandbox.shared import held_values
from autograder.run.sandbox.trace import error_record, shapes_on_return


class _SoftTimeout(BaseException):
    """Raised inside student code when a call runs past its time."""


class MissingHelper:
    """Stands in for a name imported from a module that is not here: calling it raises."""

    def __init__(self, name: str, module: str, why: str = "") -> None:
        self._name, self._module, self._why = name, module, why

    def __call__(self, *args, **kwargs):
        raise ImportError(self._why or (  # worded for the student by judge.errors (a package, or a course file)
            f"`{self._name}` comes from the course helper module `{self._module}`, which is not available to "
            "the grader; define what you need yourself"))

    def __getattr__(self, attr: str) -> MissingHelper:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return MissingHelper(f"{self._name}.{attr}", self._module, self._why)


class ServedHelper:
    """Stands in for a function of the course's helper module that the grader computes: each
    call is sent to the trusted parent, which answers with the reference's result. Nothing of
    the reference's code is here."""

    def __init__(self, name: str, module: str) -> None:
        self._name, self._module = name, module
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        return _ask_parent(self._module, self._name, args, kwargs)


class ServedError(Exception):
    """A course helper the grader computes refused the arguments it was given."""


# The child's pipes, for a course helper's call to the parent (set by ``serve``).
_PIPES: list = []


def _ask_parent(module: str, name: str, args: tuple, kwargs: dict):
    requests, replies = _PIPES
    out: list[bytes] = []
    try:
        message = {"op": "serve", "module": module, "name": name,
                   "args": [wire.encode(a, out) for a in args],
                   "kwargs": {str(k): wire.encode(v, out) for k, v in kwargs.items()}}
    except Exception as exc:  # noqa: BLE001 - whatever the student passed
        raise TypeError(f"{module}.{name} got an argument the grader cannot take ({_describe(exc)})") from None
    replies.write(wire.frame(message, out))
    replies.flush()
    answer, buffers = wire.receive(requests)
    if answer.get("op") != "served":
        os._exit(70)  # the parent answers a helper's call before anything else: a protocol error
    if "error" in answer:
        raise ServedError(str(answer["error"]))
    return wire.decode(answer.get("value"), buffers, {})


def _course_module(module: str, names: dict[str, str]) -> types.ModuleType:
    """A stand-in for a course helper module: names the grader computes call the parent, the
    others (plots, data loaders, test cases) raise if called."""
    stand_in = types.ModuleType(module)
    for name, how in names.items():
        if name == "*":
            continue
        if how == "serve":
            setattr(stand_in, name, ServedHelper(name, module))
        elif how == "unserved":
            setattr(stand_in, name, MissingHelper(name, module, (
                f"`{name}` comes from the course's `{module}`, which the self-check cannot compute (your grade "
                "will): define it in your file to check what uses it here")))
        else:
            setattr(stand_in, name, _not_needed(name, module))
    if "*" in names:
        def others(attr: str) -> MissingHelper:
            if attr.startswith("__"):
                raise AttributeError(attr)
            return _not_needed(attr, module)

        stand_in.__getattr__ = others
    stand_in.__all__ = [n for n, how in names.items() if how == "serve"]  # `import *` takes what is served
    return stand_in


def _not_needed(name: str, module: str) -> MissingHelper:
    return MissingHelper(name, module, f"`{name}` comes from the course's `{module}`, which the grader "
                                       "does not run (it is not needed for grading)")


class LazyModule(types.ModuleType):
    """A heavy package a notebook imports on top (matplotlib, sklearn): bound at load,
    imported the first time the code uses it — a graded function that never plots never
    pays for matplotlib."""

    def __init__(self, target: str, attribute: str = "", also: str = "") -> None:
        super().__init__(target)
        self._target, self._attribute, self._also = target, attribute, also

    def _resolve(self):
        import importlib

        try:
            if self._also:  # `import a.b` binds `a`, and a.b must be there on use
                importlib.import_module(self._also)
            module = importlib.import_module(self._target)
            if not self._attribute:
                return module
            try:
                return getattr(module, self._attribute)
            except AttributeError:
                return importlib.import_module(f"{self._target}.{self._attribute}")
        except ModuleNotFoundError:  # worded for the student by judge.errors, like a placeholder's
            raise ImportError(f"`{self._attribute or self._target}` comes from the course helper module "
                              f"`{self._target}`, which is not available to the grader; define what you need "
                              "yourself") from None

    def __getattr__(self, attr: str):
        if attr.startswith("__") or attr in ("_target", "_attribute", "_also"):
            raise AttributeError(attr)
        return getattr(self._resolve(), attr)

    def __call__(self, *args, **kwargs):
        return self._resolve()(*args, **kwargs)


def _bind_lazily(source: str, namespace: dict) -> None:
    """Bind the names of a heavy import (see load.source.HEAVY) without importing anything."""
    import ast

    for node in ast.parse(source).body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    namespace[alias.asname] = LazyModule(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    namespace[top] = LazyModule(top, also=alias.name if "." in alias.name else "")
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                namespace[alias.asname or alias.name] = LazyModule(node.module or "", alias.name)


def _check_while_grading(*args, **kwargs) -> None:
    """What ``check`` is to the code being graded: the self-check grades nothing here."""
    print("check() is the students' self-check; it does nothing while the grader runs your code")


# Inputs held for every child (see autograder.run.sandbox.shared): filled in the fork server,
# inherited by the children it forks; a child started on its own gets them in a message.
_HELD: dict[str, dict] = {}
# What the kernel enforces and what a child may read (see autograder.run.sandbox.jail): found
# once in the fork server, inherited by every child it forks.
_SUPPORT = jail.Support()
_RULES: jail.Rules | None = None


def _prepare_jail(support: jail.Support | None = None) -> None:
    """Probe the kernel's layers (unless ``support`` says what a parent found) and open the
    read rules, once, before any student code."""
    import shutil
    import tempfile

    global _SUPPORT, _RULES
    if support is None:
        scratch = tempfile.mkdtemp(prefix="autograder-probe-")
        try:
            support = jail.probe(scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    _SUPPORT = support
    if _SUPPORT.landlock_abi:
        _RULES = jail.Rules(jail.read_paths(_package_dir()))


def _package_dir() -> str:
    return os.path.dirname(os.path.realpath(sys.modules["autograder"].__file__))


def _on_alarm(signum, frame):
    raise _SoftTimeout()


class _TimeLimit:
    """Raise _SoftTimeout in the code run inside after ``seconds`` (no limit when falsy); the
    one-shot timer is cleared however that code ends. A class, not a generator: every call
    of a submission goes through it."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds

    def __enter__(self) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)


def main() -> None:
    """A child started on its own (no fork server): ``requests replies support disk open_files``
    in argv, ``support`` being what the parent found (see ``runner.jail_support``)."""
    import json

    requests, replies, support, disk, open_files = sys.argv[-5:]
    _prepare_jail(jail.Support.from_dict(json.loads(support)))
    jail.enter(os.getcwd(), int(disk), _RULES, _SUPPORT, int(open_files))
    serve(int(requests), int(replies))


def probe_main() -> None:
    """``python -I -c …probe_main()``: print what the kernel enforces, as JSON."""
    import json

    _prepare_jail()
    print(json.dumps(_SUPPORT.as_dict()))


def zygote() -> None:
    """A clean process (numpy imported, no grader state) that forks one child per submission.

    Forking it costs milliseconds where starting Python and numpy costs a few hundred;
    the child gets nothing of the grader's memory because the zygote never had any."""
    import json
    import resource
    import socket

    import numpy  # noqa: F401 - imported once here, inherited by every child

    _warm_up()
    _prepare_jail()
    gc.freeze()  # what is here now is never collected: children share its pages instead of copying them

    control = socket.socket(fileno=int(sys.argv[-1]))
    exited: dict[int, int] = {}
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 3)
        except OSError:
            return
        if not data:
            return
        message = json.loads(data)
        while True:  # reap every child that has ended, so none lingers as a zombie
            try:
                done, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if not done:
                break
            exited[done] = os.waitstatus_to_exitcode(status)
        while len(exited) > 1000:  # codes nobody asked for (children killed when done with)
            exited.pop(next(iter(exited)))
        if message.get("op") == "spawn":
            pid = os.fork()
            if pid == 0:
                control.close()
                _become_child(message, fds, resource)
            for fd in fds:
                os.close(fd)
            control.sendall(json.dumps({"pid": pid}).encode())
        elif message.get("op") == "hold":
            with os.fdopen(fds[0], "rb") as stream:
                key, values = held_values(*wire.receive(stream))
            _HELD[key] = values
            control.sendall(b'{"held": true}')
        elif message.get("op") == "poll":
            control.sendall(json.dumps({"code": exited.pop(int(message["pid"]), None)}).encode())
        elif message.get("op") == "support":
            control.sendall(json.dumps(_SUPPORT.as_dict()).encode())


def _warm_up() -> None:
    """Run, once and in the fork server, the code every child runs: numpy's first-use set-up
    (ufunc loops, dispatch, the random state), the wire and the warnings machinery. Done
    here, it is shared by every child instead of being redone after every fork. No student
    code and no grader data is involved."""
    import numpy as np

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        np.random.seed(0)
        for dtype in (np.float64, np.float32):
            x = np.random.randn(3, 4).astype(dtype)
            w = np.random.randn(2, 3).astype(dtype) * 0.01
            z = np.dot(w, x) + np.zeros((2, 1), dtype=dtype)
            a = np.tanh(z) * (1 / (1 + np.exp(-z))) @ x.T
            cost = -np.sum(np.multiply(np.log(np.abs(a) + 1), 1 - a), axis=1, keepdims=True) / 4
            float(np.squeeze(np.mean(cost)) + np.max(np.abs(a)) + np.power(a, 2).sum(axis=0).mean())
            (a > 0.5).astype(int).reshape(-1).tolist()
        buffers: list[bytes] = []
        encoded = wire.encode({"x": x, "t": (x, 1.0, 2), "l": [x]}, buffers)
        changed_inputs(["x"], ([wire.decode(encoded, buffers)], {}), ([wire.decode(encoded, buffers)], {}))
        wire.frame({"value": encoded}, buffers)
        _signature(_warm_up)
        try:
            np.dot(x, x)
        except ValueError as exc:  # the shape error of a buggy submission, and its record
            error_record(exc, {})


def _become_child(message: dict, fds: list[int], resource) -> None:
    try:
        os.setsid()
        memory, files = int(message["memory"]), int(message["files"])
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (files, files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.chdir(message["workdir"])
        os.environ.clear()
        os.environ.update(message["env"])
        requests, replies, output = fds
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        for fd in (devnull, output):
            os.close(fd)
        jail.enter(message["workdir"], int(message["disk"]), _RULES, _SUPPORT, int(message["open_files"]))
        serve(requests, replies)
    except BaseException:  # noqa: BLE001 - the parent sees the exit code
        os._exit(1)
    os._exit(0)


class _CappedOutput:
    """stdout/stderr for student code: past the cap, prints are dropped instead of failing.

    A debug print left in a function called a thousand times must not turn into an
    error in the student's code (the output file has a hard size limit as a backstop)."""

    CAP = 1_000_000

    def __init__(self, stream) -> None:
        self._stream, self._written, self._full = stream, 0, False

    def write(self, text: str) -> int:
        if not self._full:
            room = self.CAP - self._written
            if len(text) > room:
                text, self._full = text[:room] + "\n[further output dropped]\n", True
            self._written += len(text)
            self._stream.write(text)
        return len(text)

    def flush(self) -> None:
        self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def serve(requests_fd: int, replies_fd: int) -> None:
    sys.stdout, sys.stderr = _CappedOutput(sys.stdout), _CappedOutput(sys.stderr)
    original_print = builtins.print

    def capped_print(*args, **kwargs):  # once the output is full, skip even formatting the text
        target = kwargs.get("file") or sys.stdout
        if isinstance(target, _CappedOutput) and target._full:
            return
        original_print(*args, **kwargs)

    builtins.print = capped_print
    # A notebook's `from autograder import check` would import the whole grader (~40 ms and
    # thousands of copied pages per child) for a self-check that is never run here.
    sys.modules["autograder"].check = _check_while_grading
    requests = os.fdopen(requests_fd, "rb")
    replies = os.fdopen(replies_fd, "wb")
    _PIPES[:] = [requests, replies]
    wire.send(replies, {"op": "ready"})  # in the jail, and nothing of the student's has run yet
    sources: dict[str, list[str]] = {}
    namespace: dict = {"__name__": "submission", "__builtins__": builtins}
    signal.signal(signal.SIGALRM, _on_alarm)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    while True:
        try:
            message, buffers = wire.receive(requests)
        except EOFError:
            return
        op = message.get("op")
        if op == "load":
            sources.update(message["sources"])
            course = message.get("course") if isinstance(message.get("course"), dict) else {}
            for module, names in course.items():
                sys.modules[module] = _course_module(module, names)
            loaded = _load(message["units"], namespace, sources)
            _flush_output()
            wire.send(replies, loaded)
        elif op == "hold":
            key, values = held_values(message, buffers)
            _HELD[key] = values
        elif op == "calls":
            _run_batch(message, buffers, namespace, sources, replies)
        elif op == "served":
            continue  # the answer to a helper's call that timed out meanwhile
        elif op == "variants":  # edited versions of one function (the repair search)
            _run_variants(message, buffers, namespace, sources, replies)
        else:
            return


def _run_batch(message: dict, buffers: list, namespace: dict, sources: dict, replies) -> None:
    """One reply per call, sent together once ``flush_after`` seconds have gone by since the
    last send, and at the end (a fast batch is one write, one wake-up of the parent); with
    ``flush_after`` 0, each reply as soon as its call is made."""
    keys = message.get("shared") if isinstance(message.get("shared"), list) else []
    shared = {name: value for key in keys for name, value in _HELD.get(str(key), {}).items()}
    flush_after = float(message.get("flush_after", 0))
    pending: list[bytes] = []
    last = time.monotonic()
    for request in message["calls"]:
        pending.append(wire.frame(*_call(request, buffers, shared, namespace, sources)))
        if time.monotonic() - last >= flush_after:
            _send_all(pending, replies)
            last = time.monotonic()
    _send_all(pending, replies)


def _run_variants(message: dict, buffers: list, namespace: dict, sources: dict, replies) -> None:
    """Edited versions of one function, each compiled in a copy of the namespace and given
    the same calls: one reply per (version, call), in order, ids counted from ``first``. A
    version defines ``defines`` (the def's own name: a renamed function accepted keeps it),
    and the calls' name is bound to it too, so both reach the edited function. With
    ``probe``, first a reply with the shapes in scope when the function, as loaded, returns
    (or raises) on the first call: what the edits are typed by."""
    keys = message.get("shared") if isinstance(message.get("shared"), list) else []
    shared = {name: value for key in keys for name, value in _HELD.get(str(key), {}).items()}
    name, calls, number = str(message["function"]), message["calls"], int(message["first"])
    own = str(message.get("defines") or name)
    pending: list[bytes] = []
    if message.get("probe") and calls:
        pending.append(wire.frame({"op": "locals", "id": number, "locals": _locals_on(name, calls[0], buffers, shared,
                                                                                    namespace, sources)}))
        number += 1
    last = time.monotonic()
    for source in message["variants"]:
        scope = dict(namespace)
        try:
            with _TimeLimit(2.0):  # a def runs its decorators and defaults
                exec(compile(str(source), "<variant>", "exec"), scope)  # noqa: S102 - this is the sandbox
            scope[name] = scope[own]
        except BaseException:  # noqa: BLE001 - an edit may not even define the function
            scope[name] = None
        for request in calls:
            pending.append(wire.frame(*_call({**request, "id": number, "function": name}, buffers, shared, scope,
                                             sources)))
            number += 1
        if time.monotonic() - last >= 0.05:  # replies go in groups, as in _run_batch
            _send_all(pending, replies)
            last = time.monotonic()
    _send_all(pending, replies)


def _locals_on(name: str, request: dict, buffers: list, shared: dict, namespace: dict, sources: dict) -> dict:
    """The shapes of ``name``'s locals when its call on ``request`` returns or raises."""
    return shapes_on_return(getattr(namespace.get(name), "__code__", None),
                            lambda: _call(request | {"id": 0, "function": name}, buffers, shared, namespace, sources))


def _send_all(pending: list[bytes], replies) -> None:
    if pending:
        _flush_output()  # before the replies: the parent may stop this child once it has them
        replies.write(b"".join(pending))
        replies.flush()
        pending.clear()


def _flush_output() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a student may have replaced or closed the stream
            pass


def _load(units: list[dict], namespace: dict, sources: dict) -> dict:
    notes: list[str] = []
    for unit in units:
        code = "\n" * (unit["lineno"] - 1) + unit["source"]
        where = f"{unit['filename']}, line {unit['lineno']}"
        limit = float(unit.get("limit") or 0)  # a top-level statement that calls code (load.source.CALL_LIMIT)
        target = namespace
        if unit.get("module"):  # a helper file of the student's, which the submission imports
            module = sys.modules.get(unit["module"])
            if not isinstance(module, types.ModuleType) or getattr(module, "__autograder_sibling__", False) is not True:
                module = sys.modules[unit["module"]] = types.ModuleType(unit["module"])
                module.__autograder_sibling__ = True
            target = vars(module)
        if unit.get("lazy"):
            try:
                _bind_lazily(unit["source"], target)
                continue
            except SyntaxError:
                pass  # run as it is below, which says what is wrong
        try:
            compiled = compile(code, unit["filename"], "exec")
            with _TimeLimit(limit):
                exec(compiled, target)  # noqa: S102 - this is the sandbox
        except _SoftTimeout:
            notes.append(f"{where}: `{_first_line(unit['source'])}` took longer than {limit:g} s "
                         "and was stopped")
        except ModuleNotFoundError as exc:
            _stub_missing_import(unit["source"], exc.name or "?", target)
            notes.append(f"{where}: module `{exc.name}` is not available here; its names were replaced by placeholders")
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            notes.append(f"{where}: `{_first_line(unit['source'])}` failed ({_describe(exc)}) and was skipped")
    functions, served = {}, {}
    for name, value in list(namespace.items()):
        if isinstance(value, ServedHelper):  # imported from a course module: not the student's own
            served[name] = f"{value._module}.{value._name}"
        elif isinstance(value, MissingHelper):
            continue
        # plain functions, and whatever else a student may define a function as (np.vectorize,
        # functools.partial, an lru_cache wrapper, a lambda); the parent only calls graded names
        elif not name.startswith("__") and callable(value) and not inspect.isclass(value):
            functions[name] = _signature(value)
    uses = {name: sorted(_names_used(namespace[name]) & (functions.keys() | served.keys()) - {name})
            for name in functions}
    return {"op": "loaded", "functions": functions, "served": served,
            "uses": {k: v for k, v in uses.items() if v}, "notes": notes}


def _names_used(func) -> set[str]:
    """The global names a function's code (nested functions included) refers to: which of
    the student's other functions it calls, for the feedback's "fix that first"."""
    try:
        code = getattr(func, "__code__", None)
    except Exception:  # noqa: BLE001 - a student's callable object may raise anything here
        code = None
    names: set[str] = set()
    todo = [code] if isinstance(code, types.CodeType) else []
    while todo:
        code = todo.pop()
        names.update(code.co_names)
        todo += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


def _stub_missing_import(source: str, module: str, namespace: dict) -> None:
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*" and (alias.asname or alias.name) not in namespace:
                    namespace[alias.asname or alias.name] = MissingHelper(alias.name, node.module or "?")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                top = (alias.asname or alias.name).split(".")[0]
                namespace.setdefault(top, MissingHelper(top, alias.name))


def _signature(func) -> list[dict] | None:
    try:
        params = inspect.signature(func).parameters.values()
    except Exception:  # noqa: BLE001 - no signature, or a student's object that raises on lookup
        return None
    return [
        {"name": p.name, "kind": p.kind.name, "default": p.default is not inspect.Parameter.empty}
        for p in params
    ]


def _call(message: dict, buffers: list, shared: dict, namespace: dict, sources: dict) -> tuple[dict, list[bytes]]:
    reply: dict = {"op": "result", "id": message["id"]}
    out: list[bytes] = []
    func = namespace.get(message["function"])
    if not callable(func):
        reply.update(ok=False, error={"type": "NameError", "message": "not defined", "frames": []})
        return reply, out
    args = [wire.decode(a, buffers, shared) for a in message["args"]]
    kwargs = {k: wire.decode(v, buffers, shared) for k, v in message["kwargs"].items()}
    # to compare with after the call: the held inputs themselves, the others decoded again
    before = ([wire.decode(a, buffers, shared, fresh=False) for a in message["args"]],
              {k: wire.decode(v, buffers, shared, fresh=False) for k, v in message["kwargs"].items()})
    _seed_numpy(int(message.get("seed", 0)))
    # Judged on its own: the graded functions named here are computed by the parent's reference
    # during this call (a caller is not charged for its helper's mistake).
    swapped = {name: namespace.get(name) for name in message.get("served", []) if isinstance(name, str)}
    for name in swapped:
        namespace[name] = ServedHelper(name, "")
    start = time.perf_counter()
    try:
        with _TimeLimit(float(message.get("timeout", 10))), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = func(*args, **kwargs)
        reply.update(
            ok=True,
            value=wire.encode(value, out),
            changed=changed_inputs(list(message.get("names", [])), before, (args, kwargs)),
            warnings=sorted({str(w.message)[:120] for w in caught})[:3],
        )
    except _SoftTimeout as exc:
        limit = float(message.get("timeout", 10))
        record = error_record(exc, sources, timeout=True)
        record.update(type="Timeout", message=f"did not finish within {limit:g} s (an infinite loop?)")
        reply.update(ok=False, error=record)
    except BaseException as exc:  # noqa: BLE001 - includes SystemExit from sys.exit()
        reply.update(ok=False, error=error_record(exc, sources))
    finally:
        for name, value in swapped.items():  # as it was (a name the student never set stays unset)
            if value is None:
                namespace.pop(name, None)
            else:
                namespace[name] = value
    reply["seconds"] = time.perf_counter() - start
    return reply, out


def _seed_numpy(seed: int) -> None:
    """Same random numbers for every run of a call: grading is reproducible."""
    module = sys.modules.get("numpy")
    if module is not None:
        try:
            module.random.seed(seed)
        except Exception:  # noqa: BLE001 - a student may have replaced numpy.random
            pass


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}"


def _first_line(source: str) -> str:
    return source.strip().splitlines()[0][:60] if source.strip() else ""


if __name__ == "__main__":
    main()
