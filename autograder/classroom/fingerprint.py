"""What a stored grade was computed from, so that a rerun regrades when any of it changed.

A grade is current for the same file *and* the same assignment: its spec (with the hidden
seed actually used, ``AUTOGRADER_HIDDEN_SEED`` included), the catalogue, the correct
alternatives, the reference solution and the engine that graded it. Each part is hashed on
its own and stored as a small JSON object, so a rerun can say *what* changed ("the solution
and the catalogue"), not only that something did.

The engine part hashes the package's grading code (the stages, ``grading.py``, ``spec.py``,
the feedback templates) and its version; the instructor-only parts (the class, authoring,
the exports, the command line) cannot change a verdict and are left out.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from autograder import __version__
from autograder.spec import Assignment

# what each part is called when the run says why it regraded
PART_NAMES = {
    "spec": "assignment.toml",
    "seed": "the hidden seed",
    "catalogue": "mistakes.toml",
    "alternatives": "alternatives/",
    "solution": "the solution",
    "engine": "the grader",
    "options": "the grading options (--accept-renamed)",
}
_NOT_ENGINE = {"classroom", "authoring", "integrations", "cli.py", "__main__.py", "__pycache__"}


def _digest(*chunks: bytes) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(len(chunk).to_bytes(8, "little"))
        h.update(chunk)
    return h.hexdigest()[:16]


def _read(path: Path | None) -> bytes:
    return path.read_bytes() if path is not None and path.is_file() else b""


@lru_cache(maxsize=1)
def engine_hash() -> str:
    """The grading code's hash (computed once per process)."""
    package = Path(__file__).resolve().parents[1]
    files = sorted(p for p in package.rglob("*")
                   if p.is_file() and p.suffix in (".py", ".j2")
                   and not _NOT_ENGINE & set(p.relative_to(package).parts))
    return _digest(__version__.encode(), *(p.relative_to(package).as_posix().encode() + b"\0" + p.read_bytes()
                                          for p in files))


def fingerprint(assignment: Assignment, accept_renamed: bool = False) -> dict[str, str]:
    """The hash of each part a grade of ``assignment`` depends on (and the option that changes
    verdicts, only when it is on: grades stored without it stay current)."""
    alternatives = assignment.folder / "alternatives"
    alt_files = sorted(alternatives.glob("*.py")) if alternatives.is_dir() else []
    return {
        "spec": _digest(_read(assignment.folder / "assignment.toml")),
        "seed": _digest(str(assignment.hidden_seed).encode()),
        "catalogue": _digest(_read(assignment.folder / "mistakes.toml")),
        "alternatives": _digest(*(p.name.encode() + b"\0" + p.read_bytes() for p in alt_files)),
        "solution": _digest(_read(assignment.solution)),
        "engine": engine_hash(),
        **({"options": "accept-renamed"} if accept_renamed else {}),
    }


def encode(parts: dict[str, str]) -> str:
    return json.dumps(parts, sort_keys=True, separators=(",", ":"))


def changed_parts(stored: str | None, now: dict[str, str]) -> list[str]:
    """The names (:data:`PART_NAMES`) of the parts that differ from a stored fingerprint; every
    part when none was stored (a grade from before fingerprints were kept)."""
    try:
        before = json.loads(stored) if stored else {}
    except ValueError:
        before = {}
    if not isinstance(before, dict):
        before = {}
    return [PART_NAMES[k] for k in PART_NAMES if (k in now or k in before) and before.get(k) != now.get(k)]
