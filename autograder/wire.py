"""Plain-data encoding between the trusted parent and the student's child process.

Nothing a student controls is ever unpickled: values travel as JSON with arrays
as base64 bytes + dtype + shape, and the parent rebuilds only numbers, strings,
arrays of plain numeric dtypes, lists, tuples and dicts. Anything else arrives
as an ``Opaque`` holding its type name and a short repr.
"""

from __future__ import annotations

import base64
import json
import struct
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE = 64 * 1024 * 1024
_ALLOWED_KINDS = "biufc"  # bool, int, uint, float, complex


@dataclass(frozen=True)
class Opaque:
    """A value the parent refuses to rebuild (an object, a function, a subclass)."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


def encode(value: Any, _depth: int = 0) -> Any:
    """Turn a value into JSON-able plain data (used on both sides)."""
    if _depth > 20:
        return {"__opaque__": type(value).__name__, "text": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value if abs(value) < 2**53 else float(value)
    if type(value) is float:
        return {"__float__": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in _ALLOWED_KINDS:
        return _array(np.asarray(value), scalar=True)
    if isinstance(value, np.ndarray) and value.dtype.kind in _ALLOWED_KINDS:
        if type(value) is not np.ndarray:
            return {"__opaque__": type(value).__name__, "text": "ndarray subclass"}
        return _array(value, scalar=False)
    # Subclasses (OrderedDict, defaultdict, a NamedTuple cache) travel as the plain container:
    # the items are read here, in the sender, and the receiver only ever builds a dict/tuple/list.
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, _depth + 1) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return [encode(v, _depth + 1) for v in list.__iter__(value)]
    if isinstance(value, dict):
        return {"__dict__": [[_key(k), encode(v, _depth + 1)] for k, v in dict.items(value)]}
    try:
        text = repr(value)[:200]
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not break encoding
        text = "?"
    return {"__opaque__": type(value).__name__, "text": text}


def _key(key: Any) -> Any:
    return key if isinstance(key, (str, int)) and not isinstance(key, bool) else repr(key)[:100]


def _array(arr: np.ndarray, scalar: bool) -> dict:
    arr = np.array(arr, order="C", copy=True)  # ascontiguousarray would turn 0-d into 1-d
    return {
        "__nd__": base64.b64encode(arr.tobytes()).decode("ascii"),
        "dtype": arr.dtype.str,
        "shape": list(arr.shape),
        "scalar": scalar,
    }


def decode(data: Any) -> Any:
    """Rebuild plain values from :func:`encode` output (parent side: trusts nothing)."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return Opaque(type(data).__name__, "unexpected")
    if "__float__" in data:
        return float(data["__float__"])
    if "__nd__" in data:
        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in _ALLOWED_KINDS:
            return Opaque("ndarray", f"dtype {dtype} refused")
        shape = tuple(int(n) for n in data["shape"])
        raw = base64.b64decode(data["__nd__"])
        if len(raw) != dtype.itemsize * int(np.prod(shape, dtype=np.int64)):
            return Opaque("ndarray", "size does not match shape")
        arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return arr[()] if data.get("scalar") else arr
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {k if isinstance(k, (str, int)) else str(k): decode(v) for k, v in data["__dict__"]}
    if "__opaque__" in data:
        return Opaque(str(data["__opaque__"])[:80], str(data.get("text", ""))[:200])
    return Opaque("dict", "unexpected")


def send(stream: BinaryIO, message: dict) -> None:
    """Write one length-prefixed JSON message."""
    body = json.dumps(message, allow_nan=True).encode("utf-8")
    stream.write(struct.pack(">I", len(body)) + body)
    stream.flush()


def read_exact(stream: BinaryIO, size: int) -> bytes:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            raise EOFError("stream closed")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def receive(stream: BinaryIO) -> dict:
    """Read one length-prefixed JSON message (raises EOFError when closed)."""
    (size,) = struct.unpack(">I", read_exact(stream, 4))
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes exceeds the limit")
    message = json.loads(read_exact(stream, size))
    if not isinstance(message, dict):
        raise ValueError("malformed message")
    return message
