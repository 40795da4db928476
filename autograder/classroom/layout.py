"""Find the submissions of a class and who handed each one in.

Three layouts are understood: a flat folder (one file per student, the id is the
file name), one folder per student (``STUDENT/…``), and nbgrader's
``submitted/STUDENT/ASSIGNMENT/*.ipynb``. Anything else is ignored with a note.

A student's id is made from a file or folder name (:func:`label`): a name that is not UTF-8
(a raw ``\\xff`` byte) would give an id that no database, file or terminal can encode.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from autograder.load.source import SUFFIXES

_IGNORED_NAMES = {"expected.toml", "README.md", ".DS_Store"}


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path
    own_folder: bool = False  # in a folder of the student's own: it may import the .py files beside it


def label(name: str) -> str:
    """A student's id from a file or folder name: a byte that is not UTF-8 (which Python
    reads as a lone surrogate) is written ``\\xff``, so two such names stay two students."""
    if name.isascii():
        return name
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeError:  # not a name read from the file system
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def discover(paths: list[Path], assignment: str) -> tuple[list[Submission], list[str]]:
    """Submissions under the given files/folders, one per student, and notes on the rest."""
    found: list[Submission] = []
    notes: list[str] = []
    for path in paths:
        if path.is_file():
            if path.suffix in SUFFIXES:
                found.append(Submission(label(path.stem), path))
            else:
                notes.append(f"ignored {path} (not a .py or .ipynb file)")
        elif not path.is_dir():
            notes.append(f"{path} does not exist")
        elif (path / "submitted").is_dir():
            _nbgrader(path / "submitted", assignment, found, notes)
        elif path.name == "submitted":
            _nbgrader(path, assignment, found, notes)
        else:
            _folder(path, assignment, found, notes)
    seen: dict[str, Submission] = {}
    for sub in found:
        if sub.student in seen:
            notes.append(f"{sub.path}: a second submission for {sub.student}; using {seen[sub.student].path}")
            continue
        seen[sub.student] = sub
    return list(seen.values()), notes


def _visible(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if not p.name.startswith((".", "__")) and p.name not in _IGNORED_NAMES)


def _folder(folder: Path, assignment: str, found: list[Submission], notes: list[str]) -> None:
    for item in _visible(folder):
        if item.is_file():
            if item.suffix in SUFFIXES:
                found.append(Submission(label(item.stem), item))
            else:
                notes.append(f"ignored {item} (not a .py or .ipynb file)")
        elif item.is_dir():
            chosen = _pick(item, assignment, notes)
            if chosen:
                found.append(Submission(label(item.name), chosen, own_folder=True))


def _nbgrader(submitted: Path, assignment: str, found: list[Submission], notes: list[str]) -> None:
    for student in _visible(submitted):
        if not student.is_dir():
            notes.append(f"ignored {student} (nbgrader layout: submitted/STUDENT/{assignment}/)")
            continue
        folder = student / assignment
        if not folder.is_dir():
            notes.append(f"{student.name} has no {assignment}/ folder")
            continue
        chosen = _pick(folder, assignment, notes, suffixes=(".ipynb", ".py"))
        if chosen:
            found.append(Submission(label(student.name), chosen, own_folder=True))


def _pick(folder: Path, assignment: str, notes: list[str], suffixes: tuple[str, ...] = SUFFIXES) -> Path | None:
    """One file per student: the one named like the assignment, else the only candidate."""
    candidates = [p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes
                  and ".ipynb_checkpoints" not in p.parts and not p.name.startswith(("test_", "."))]
    if not candidates:
        notes.append(f"{folder}: no .py or .ipynb file")
        return None
    named = [p for p in candidates if p.stem == assignment]
    ranked = sorted(named or candidates, key=lambda p: (p.suffix != ".ipynb", str(p)))
    if len(candidates) > 1:
        others = ", ".join(p.name for p in candidates if p != ranked[0])
        notes.append(f"{folder.name}: graded {ranked[0].name}, ignored {others}")
    return ranked[0]
