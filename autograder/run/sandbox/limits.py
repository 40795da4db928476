"""What one submission may use: its memory, files, descriptors and time."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Limits:
    memory_bytes: int = 2 * 1024**3  # the submission's whole memory: it runs as one process (see jail)
    file_bytes: int = 16 * 1024**2  # any one file it writes, its captured output included
    disk_bytes: int = 16 * 1024**2  # all it writes: its working folder is a tmpfs of this size
    open_files: int = 64  # descriptors: each pipe it could open holds kernel memory outside memory_bytes
    load_timeout: float = 20.0
    grace: float = 2.0
    call_timeout_cap: float | None = None  # lower every function's own time limit
    submission_seconds: float = 120.0  # all of one submission's calls together
    # the clock time (time.monotonic) by which everything of one submission ends: its loads,
    # its calls, its callers judged on their own and the repair search (see Limits.for_one)
    until: float | None = None

    def for_one(self) -> Limits:
        """These limits for one submission about to be graded: ``submission_seconds`` from now
        for all of it, every child it starts included (a slow load repeated in each fresh
        child must not multiply a file's time)."""
        return replace(self, until=time.monotonic() + self.submission_seconds)

    def left(self) -> float:
        """Seconds left of the submission's time (unbounded without ``until``)."""
        return float("inf") if self.until is None else self.until - time.monotonic()
