"""The child process that runs student code. It judges nothing.

It receives code units and calls from the parent on a private pipe, runs them,
and sends back plain data (see :mod:`autograder.wire`): results, the arguments
as they were after the call (so the parent can spot in-place changes), and for
exceptions the student's frames with the shapes of the arrays in scope.
Student output goes to a capped file, never to the result channel.
"""

from __future__ import annotations

import builtins
import inspect
import os
import signal
import sys
import time
import warnings

from autograder import wire
from autograder.sandbox.trace import error_record


class _SoftTimeout(BaseException):
    """Raised inside student code when a call runs past its time."""


class MissingHelper:
    """Stands in for a name imported from a course helper module that is not here."""

    def __init__(self, name: str, module: str) -> None:
        self._name, self._module = name, module

    def __call__(self, *args, **kwargs):
        raise ImportError(
            f"`{self._name}` comes from the course helper module `{self._module}`, "
            "which is not available to the grader; define what you need yourself"
        )

    def __getattr__(self, attr: str) -> MissingHelper:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return MissingHelper(f"{self._name}.{attr}", self._module)


def _on_alarm(signum, frame):
    raise _SoftTimeout()


def main() -> None:
    requests = os.fdopen(int(sys.argv[-2]), "rb")
    replies = os.fdopen(int(sys.argv[-1]), "wb")
    sources: dict[str, list[str]] = {}
    namespace: dict = {"__name__": "submission", "__builtins__": builtins}
    signal.signal(signal.SIGALRM, _on_alarm)
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    while True:
        try:
            message = wire.receive(requests)
        except EOFError:
            return
        op = message.get("op")
        if op == "load":
            sources.update(message["sources"])
            wire.send(replies, _load(message["units"], namespace, sources))
        elif op == "call":
            wire.send(replies, _call(message, namespace, sources))
        else:
            return


def _load(units: list[dict], namespace: dict, sources: dict) -> dict:
    notes: list[str] = []
    for unit in units:
        code = "\n" * (unit["lineno"] - 1) + unit["source"]
        where = f"{unit['filename']}, line {unit['lineno']}"
        try:
            compiled = compile(code, unit["filename"], "exec")
            exec(compiled, namespace)  # noqa: S102 - this is the sandbox
        except ModuleNotFoundError as exc:
            _stub_missing_import(unit["source"], exc.name or "?", namespace)
            notes.append(
                f"{where}: module `{exc.name}` is not available here (a course helper?); "
                "its names were replaced by placeholders"
            )
        except BaseException as exc:  # noqa: BLE001 - student code may raise anything
            notes.append(f"{where}: `{_first_line(unit['source'])}` failed ({_describe(exc)}) and was skipped")
    functions = {}
    for name, value in list(namespace.items()):
        if inspect.isfunction(value) and not name.startswith("__"):
            functions[name] = _signature(value)
    return {"op": "loaded", "functions": functions, "notes": notes}


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
    except (TypeError, ValueError):
        return None
    return [
        {"name": p.name, "kind": p.kind.name, "default": p.default is not inspect.Parameter.empty}
        for p in params
    ]


def _call(message: dict, namespace: dict, sources: dict) -> dict:
    reply: dict = {"op": "result", "id": message["id"]}
    func = namespace.get(message["function"])
    if not callable(func):
        reply.update(ok=False, error={"type": "NameError", "message": "not defined", "frames": []})
        return reply
    args = [wire.decode(a) for a in message["args"]]
    kwargs = {k: wire.decode(v) for k, v in message["kwargs"].items()}
    _seed_numpy(int(message.get("seed", 0)))
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, float(message.get("timeout", 10)))
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = func(*args, **kwargs)
        signal.setitimer(signal.ITIMER_REAL, 0)
        reply.update(
            ok=True,
            value=wire.encode(value),
            args_after=wire.encode([args, kwargs]),
            warnings=sorted({str(w.message)[:120] for w in caught})[:3],
        )
    except _SoftTimeout as exc:
        limit = float(message.get("timeout", 10))
        record = error_record(exc, sources, timeout=True)
        record.update(type="Timeout", message=f"did not finish within {limit:g} s (an infinite loop?)")
        reply.update(ok=False, error=record)
    except BaseException as exc:  # noqa: BLE001 - includes SystemExit from sys.exit()
        signal.setitimer(signal.ITIMER_REAL, 0)
        reply.update(ok=False, error=error_record(exc, sources))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    reply["seconds"] = time.perf_counter() - start
    return reply


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
