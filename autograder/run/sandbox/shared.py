"""Inputs every submission of a batch is called with, held by the sandbox side once.

A call names its inputs; the child calls with fresh copies and compares with the held
originals. The public inputs are held by the fork server once per workload and every child
inherits them; the hidden ones are sent (one message) to a child only once its public calls
are done, so that no public call ever runs with them in memory. A child holds no more than
it is called with; expected results never go there.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Any

import numpy as np

from autograder.run import wire


@dataclass(frozen=True)
class SharedInputs:
    key: str
    values: dict[str, Any] = field(repr=False)
    refs: dict[int, str] = field(repr=False)  # id(value) -> its name; the values are kept alive above

    @classmethod
    def of(cls, values: Iterable[Any], prefix: str = "i") -> SharedInputs:
        """The arrays and containers among ``values`` (numbers travel as they are), named
        ``prefix`` + a number (a child may hold several sets: their names must not meet)."""
        named: dict[str, Any] = {}
        refs: dict[int, str] = {}
        for value in values:
            if isinstance(value, (np.ndarray, dict, list, tuple)) and id(value) not in refs:
                refs[id(value)] = name = f"{prefix}{len(named)}"
                named[name] = value
        return cls(uuid.uuid4().hex, named, refs)

    def message(self) -> tuple[dict, list[bytes]]:
        """The values as a message (to a child started without the fork server)."""
        buffers: list[bytes] = []
        return {"op": "hold", "key": self.key, "values": wire.encode(self.values, buffers)}, buffers

    @cached_property
    def framed(self) -> bytes:
        """The message as one frame, encoded once for every child of the batch."""
        return wire.frame(*self.message())

    def as_file(self) -> IO[bytes]:
        """The same message in an anonymous file, handed to the fork server as a descriptor."""
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
        handle.write(self.framed)
        handle.flush()
        handle.seek(0)
        return handle


def held_values(message: dict, buffers: list) -> tuple[str, dict[str, Any]]:
    """The key and values of a :meth:`SharedInputs.message` (in the fork server or a child)."""
    values = wire.decode(message.get("values"), buffers)
    return str(message.get("key")), values if isinstance(values, dict) else {}
