"""Find the submissions of a class and who handed each one in.

Three layouts are understood: a flat folder (one file per student, the id is the
file name), one folder per student (``STUDENT/…``), and nbgrader's
``submitted/STUDENT/ASSIGNMENT/*.ipynb``. Anything else is ignored with a note.

A student's id is made from a file or folder name (:func:`label`): a name that is not UTF-8
(a raw ``\\xff`` byte) would give an id that no database, file or terminal can encode.
"""

from __future__ import annotations

import unicodedata
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
    """A student's id from a file or folder name, printable and one to one: a backslash is
    written ``\\``, a byte that is not UTF-8 (which Python reads as a lone surrogate) ``\xff``,
    and a control or formatting character (an escape sequence, a carriage return, a bidi
    override) ``\x1b`` or ``\u202e``. So no name can spell another's id, nor rewrite the
    terminal line or the CSV row it is printed on (red team 5)."""
    if name.isascii() and name.isprintable() and "\\" not in name:
        return name
    out = []
    for char in name:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as os.fsdecode gives it
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


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
    """The entries of a class folder a student may have handed in: not a symbolic link (a link
    to the solution, or to another student's folder, is nobody's own work)."""
    return sorted(p for p in folder.iterdir()
                  if not p.name.startswith((".", "__")) and p.name not in _IGNORED_NAMES and not p.is_symlink())


def _links(folder: Path, notes: list[str]) -> None:
    notes += [f"ignored {p} (a symbolic link: only a student's own files are graded)"
              for p in sorted(folder.iterdir()) if p.is_symlink()]


def _folder(folder: Path, assignment: str, found: list[Submission], notes: list[str]) -> None:
    _links(folder, notes)
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
    _links(submitted, notes)
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


def _linked(path: Path, top: Path) -> bool:
    """Whether ``path`` or a folder between ``top`` and it is a symbolic link."""
    inside = path.relative_to(top)
    return any((top / part).is_symlink() for part in (inside, *inside.parents[:-1]))


def _pick(folder: Path, assignment: str, notes: list[str], suffixes: tuple[str, ...] = SUFFIXES) -> Path | None:
    """One file per student: the one named like the assignment, else the only candidate."""
    candidates = [p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes
                  and ".ipynb_checkpoints" not in p.parts and not p.name.startswith(("test_", "."))
                  and not _linked(p, folder)]
    if not candidates:
        linked = any(_linked(p, folder) for p in folder.rglob("*") if p.suffix in suffixes)
        notes.append(f"{folder}: no .py or .ipynb file" + (" of its own (only symbolic links)" if linked else ""))
        return None
    named = [p for p in candidates if p.stem == assignment]
    ranked = sorted(named or candidates, key=lambda p: (p.suffix != ".ipynb", str(p)))
    if len(candidates) > 1:
        others = ", ".join(p.name for p in candidates if p != ranked[0])
        notes.append(f"{folder.name}: graded {ranked[0].name}, ignored {others}")
    return ranked[0]
