"""Plain-data encoding between the trusted parent and the student's child process.

Nothing a student controls is ever unpickled: values travel as JSON with arrays
as raw bytes + dtype + shape, and the parent rebuilds only numbers, strings,
arrays of plain numeric dtypes, lists, tuples and dicts. Anything else arrives
as an ``Opaque`` holding its type name and a short repr.

On the pipe, a message is one frame: a JSON header followed by the arrays' raw
bytes (no base64, no copy into text). In files (a release's recorded data) the
same encoding carries arrays as base64 inside the JSON.

Every text the parent reads from a frame has its lone surrogates replaced by U+FFFD
(:func:`unframe`): a child can send ``"\\udcff"`` (an exception message made with
``surrogateescape``), and such a string cannot be encoded, so the gradebook, a results file
or the terminal would raise on it.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO

import numpy as np

MAX_MESSAGE = 64 * 1024 * 1024
_ALLOWED_KINDS = "biufc"  # bool, int, uint, float, complex
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # how JSON writes one (or a pair)


@dataclass(frozen=True)
class Opaque:
    """A value the parent refuses to rebuild (an object, a function, a subclass)."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


def encode(value: Any, buffers: list[bytes] | None = None, _depth: int = 0,
           refs: dict[int, str] | None = None) -> Any:
    """Turn a value into JSON-able plain data (used on both sides).

    With ``buffers``, array bytes are appended there and referred to by index (a frame);
    without, they are inlined as base64 (a JSON file). A value listed in ``refs`` (by id)
    travels as its name: the receiver already holds it (see :mod:`autograder.run.sandbox.shared`)."""
    if refs is not None and id(value) in refs:
        return {"__ref__": refs[id(value)]}
    if _depth > 20:
        return {"__opaque__": type(value).__name__, "text": "nested too deeply"}
    if value is None or isinstance(value, (bool, str)):
        return value
    if type(value) is int:
        return value if abs(value) < 2**53 else float(value)
    if type(value) is float:
        return {"__float__": repr(value)}
    if isinstance(value, np.generic) and value.dtype.kind in _ALLOWED_KINDS:
        return _array(np.asarray(value), True, buffers)
    if isinstance(value, np.ndarray) and value.dtype.kind in _ALLOWED_KINDS:
        if type(value) is not np.ndarray:
            return {"__opaque__": type(value).__name__, "text": "ndarray subclass"}
        return _array(value, False, buffers)
    # Subclasses (OrderedDict, defaultdict, a NamedTuple cache) travel as the plain container:
    # the items are read here, in the sender, and the receiver only ever builds a dict/tuple/list.
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, buffers, _depth + 1, refs) for v in tuple.__iter__(value)]}
    if isinstance(value, list):
        return [encode(v, buffers, _depth + 1, refs) for v in list.__iter__(value)]
    if isinstance(value, dict):
        return {"__dict__": [[_key(k), encode(v, buffers, _depth + 1, refs)] for k, v in dict.items(value)]}
    try:
        text = repr(value)[:200]
    except Exception:  # noqa: BLE001 - a hostile __repr__ must not break encoding
        text = "?"
    return {"__opaque__": type(value).__name__, "text": text}


def _key(key: Any) -> Any:
    return key if isinstance(key, (str, int)) and not isinstance(key, bool) else repr(key)[:100]


def _array(arr: np.ndarray, scalar: bool, buffers: list[bytes] | None) -> dict:
    raw = np.array(arr, order="C", copy=True).tobytes()  # ascontiguousarray would turn 0-d into 1-d
    if buffers is not None:
        buffers.append(raw)
        where: Any = len(buffers) - 1
    else:
        where = base64.b64encode(raw).decode("ascii")
    return {
        "__nd__": where,
        "dtype": arr.dtype.str,
        "shape": list(arr.shape),
        "scalar": scalar,
    }


def decode(data: Any, buffers: list[bytes] | None = None, shared: dict[str, Any] | None = None,
           fresh: bool = True) -> Any:
    """Rebuild plain values from :func:`encode` output (parent side: trusts nothing).

    Never raises: whatever does not have the form :func:`encode` gives (a shape that is not a
    list of sizes, a float that is not one, a dict that is not pairs, nesting too deep)
    becomes an ``Opaque``. A reference is looked up in ``shared`` (only the child passes it):
    a fresh copy of the value, or with ``fresh=False`` the held value itself (to compare with
    after a call)."""
    try:
        return _decode(data, buffers, shared, fresh)
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError, MemoryError):
        return Opaque("value", "malformed")


def _decode(data: Any, buffers: list[bytes] | None, shared: dict[str, Any] | None, fresh: bool) -> Any:
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [_decode(v, buffers, shared, fresh) for v in data]
    if not isinstance(data, dict):
        return Opaque(type(data).__name__, "unexpected")
    if "__ref__" in data:
        if shared is None or data["__ref__"] not in shared:
            return Opaque("input", "not held here")
        value = shared[data["__ref__"]]
        return fresh_copy(value) if fresh else value
    if "__float__" in data:
        return float(str(data["__float__"])[:40])
    if "__nd__" in data:
        try:
            dtype = _dtype(str(data["dtype"]))
        except TypeError:
            return Opaque("ndarray", "unknown dtype")
        if dtype.kind not in _ALLOWED_KINDS:
            return Opaque("ndarray", f"dtype {dtype} refused")
        sizes = data["shape"]
        if not isinstance(sizes, list) or len(sizes) > 32 or not all(type(n) is int and n >= 0 for n in sizes):
            return Opaque("ndarray", "malformed shape")
        shape = tuple(sizes)
        where = data["__nd__"]
        if isinstance(where, str):
            raw = base64.b64decode(where)
        elif type(where) is int and buffers is not None and 0 <= where < len(buffers):
            raw = buffers[where]
        else:
            return Opaque("ndarray", "no data")
        if len(raw) != dtype.itemsize * math.prod(shape):
            return Opaque("ndarray", "size does not match shape")
        arr = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return arr[()] if data.get("scalar") else arr
    if "__tuple__" in data and isinstance(data["__tuple__"], list):
        return tuple(_decode(v, buffers, shared, fresh) for v in data["__tuple__"])
    if "__dict__" in data and isinstance(data["__dict__"], list):
        return {k if isinstance(k, (str, int)) else str(k)[:100]: _decode(v, buffers, shared, fresh)
                for k, v in data["__dict__"]}
    if "__opaque__" in data:
        return Opaque(str(data["__opaque__"])[:80], str(data.get("text", ""))[:200])
    return Opaque("dict", "unexpected")


def fresh_copy(value: Any) -> Any:
    """A copy of a decoded value that shares no array or container with it."""
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) is dict:
        return {k: fresh_copy(v) for k, v in value.items()}
    if type(value) is list:
        return [fresh_copy(v) for v in value]
    if type(value) is tuple:
        return tuple(fresh_copy(v) for v in value)
    return value  # numbers, strings, None, numpy scalars: immutable


@lru_cache(maxsize=64)
def _dtype(text: str) -> np.dtype:
    return np.dtype(text)


def frame(message: dict, buffers: list[bytes] = ()) -> bytes:
    """One message on the pipe: total size, header size, JSON header, then each buffer
    with its size (the header refers to buffers by index)."""
    header = json.dumps(message, allow_nan=True).encode("utf-8")
    parts = [struct.pack(">I", len(header)), header]
    for raw in buffers:
        parts += [struct.pack(">Q", len(raw)), raw]
    body = b"".join(parts)
    return struct.pack(">I", len(body)) + body


def unframe(body: bytes) -> tuple[dict, list[bytes]]:
    """The header and buffers of a frame's body (after its total size); raises ValueError
    on anything malformed, since the sender may be hostile."""
    view = memoryview(body)
    if len(view) < 4:
        raise ValueError("truncated frame")
    (size,) = struct.unpack_from(">I", view)
    if 4 + size > len(view):
        raise ValueError("truncated frame")
    # decoded here, not by json: raw surrogate bytes (or a UTF-16 header) become U+FFFD
    text = bytes(view[4:4 + size]).decode("utf-8", "replace")
    message = json.loads(text)
    if _SURROGATE_ESCAPE.search(text):
        message = without_surrogates(message)
    if not isinstance(message, dict):
        raise ValueError("malformed message")
    buffers, at = [], 4 + size
    while at < len(view):
        if at + 8 > len(view):
            raise ValueError("truncated frame")
        (length,) = struct.unpack_from(">Q", view, at)
        if at + 8 + length > len(view):
            raise ValueError("truncated frame")
        buffers.append(view[at + 8:at + 8 + length])
        at += 8 + length
    return message, buffers


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD: encodable as UTF-8 again."""
    return text if text.isascii() else _SURROGATE.sub("\ufffd", text)


def without_surrogates(value: Any) -> Any:
    """A decoded JSON value whose strings (keys too) have no lone surrogate: each is U+FFFD."""
    if isinstance(value, str):
        return no_surrogates(value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value


def send(stream: BinaryIO, message: dict, buffers: list[bytes] = ()) -> None:
    """Write one frame."""
    stream.write(frame(message, buffers))
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


def receive(stream: BinaryIO) -> tuple[dict, list[bytes]]:
    """Read one frame (raises EOFError when the stream is closed)."""
    (size,) = struct.unpack(">I", read_exact(stream, 4))
    if size > MAX_MESSAGE:
        raise ValueError(f"message of {size} bytes exceeds the limit")
    return unframe(read_exact(stream, size))
