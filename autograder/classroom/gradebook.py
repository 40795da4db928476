"""The SQLite gradebook: one row per student and assignment, keyed by the file's hash.

Each graded submission is committed on its own, so a batch killed at any point
keeps everything graded so far; a rerun skips submissions whose file is unchanged,
whose row is ``current`` and whose ``fingerprint`` (what the grade was computed from:
spec, hidden seed, catalogue, solution, engine; see :mod:`.fingerprint`) is the
assignment's now. :meth:`Gradebook.why_regrade` says which of these failed.

A row is current when its report is a verdict on the submission. A report's
``error_kind`` says whose its error is: ``None`` (no error), ``"submission"`` (the
file's own: it does not load, its process died while loading, it defines none of
the functions — that is its verdict, score 0) or ``"grader"`` (:data:`GRADER`:
grading failed for a reason outside the student's code — the grading worker died,
an internal error in the grader, a chunk lost on the cluster). A ``"grader"``
report is stored with ``current = 0``: the instructor sees it, and the next run
grades that submission again instead of keeping its zero.

Gradebooks written before the ``current`` column existed gain it when opened
(``ALTER TABLE``); their rows whose error is one of those grader failures (as the
batch worded them) are marked not current then, the others stay current. Likewise
the ``fingerprint`` column: an old row gains an empty one, so the next run regrades it
once ("graded before fingerprints were kept").

Whatever text a row gets is stored without lone surrogates and capped
(:func:`~autograder.report.untrusted.clean_report`): SQLite cannot encode a lone surrogate,
and one student's text must never stop the batch from recording the others.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from autograder.classroom.fingerprint import changed_parts, encode
from autograder.grading import GRADER
from autograder.report.untrusted import clean_report, no_surrogates

SCHEMA = """
CREATE TABLE IF NOT EXISTS grades (
    student TEXT NOT NULL,
    assignment TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    error TEXT,
    report TEXT NOT NULL,
    graded_at REAL NOT NULL,
    current INTEGER NOT NULL DEFAULT 1,
    fingerprint TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (student, assignment)
)
"""

NEW = "new"
FILE_CHANGED = "the file changed"
RETRY = "grading failed last time"

# how the batch worded grader failures before reports said so in error_kind
_OLD_GRADER_ERRORS = ("the grading worker failed", "internal error while grading", "the cluster worker failed")


def file_hash(path: Path, siblings: bool = False) -> str:
    """What a stored verdict is a verdict on. ``siblings``: the file is in a folder of the
    student's own, and the ``.py`` files beside it (modules it may import) count too: a
    change to one is a new submission (red team 6: a changed helper module kept its grade)."""
    digest = hashlib.sha256(path.read_bytes())
    if siblings:
        for other in sorted(path.parent.glob("*.py")):
            if other != path and other.is_file() and not other.is_symlink():
                digest.update(b"\0" + other.name.encode("utf-8", "surrogateescape") + b"\0" + other.read_bytes())
    return digest.hexdigest()


def is_verdict(report: dict) -> bool:
    """Whether ``report`` judges the submission (kept), rather than saying grading failed (retried)."""
    return report.get("error_kind") != GRADER


class Gradebook:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(SCHEMA)
        self.db.commit()
        self._migrate()

    def _migrate(self) -> None:
        """Add the ``current`` column to a gradebook written before it (in one write transaction,
        so that two graders opening the same old file do not both add it)."""
        if {"current", "fingerprint"} <= self._columns():
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            columns = self._columns()
            if "current" not in columns:
                self.db.execute("ALTER TABLE grades ADD COLUMN current INTEGER NOT NULL DEFAULT 1")
                for prefix in _OLD_GRADER_ERRORS:
                    self.db.execute("UPDATE grades SET current = 0 WHERE substr(error, 1, ?) = ?",
                                    (len(prefix), prefix))
            if "fingerprint" not in columns:
                self.db.execute("ALTER TABLE grades ADD COLUMN fingerprint TEXT NOT NULL DEFAULT ''")
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise

    def _columns(self) -> set[str]:
        return {row[1] for row in self.db.execute("PRAGMA table_info(grades)")}

    def close(self) -> None:
        self.db.close()

    def why_regrade(self, student: str, assignment: str, sha256: str, fingerprint: dict[str, str]) -> str | None:
        """Why the stored row is no current verdict on this file for the assignment as it is now
        (``None``: it is, a rerun skips it): one of :data:`NEW`, :data:`FILE_CHANGED`,
        :data:`RETRY`, or "the assignment changed: …" naming the parts that differ."""
        row = self.db.execute("SELECT sha256, current, fingerprint FROM grades WHERE student = ? AND assignment = ?",
                              (no_surrogates(student), assignment)).fetchone()
        if row is None:
            return NEW
        if row[0] != sha256:
            return FILE_CHANGED
        if not row[1]:
            return RETRY
        if not row[2]:
            return "graded before assignment fingerprints were kept"
        parts = changed_parts(row[2], fingerprint)
        return f"the assignment changed ({', '.join(parts)})" if parts else None

    def is_current(self, student: str, assignment: str, sha256: str, fingerprint: dict[str, str]) -> bool:
        """Whether the stored row is a verdict on this very file for this assignment (a rerun skips it)."""
        return self.why_regrade(student, assignment, sha256, fingerprint) is None

    def record(self, student: str, assignment: str, sha256: str, file: str, report: dict,
               fingerprint: dict[str, str] | None = None) -> bool:
        """Store ``report`` (not current when its ``error_kind`` is :data:`GRADER`) with the
        assignment's ``fingerprint`` it was graded under; returns whether it is current.
        Its texts are stored cleaned (see the module's docstring): this never raises on them."""
        report = clean_report(report)
        student, file = no_surrogates(student), clean_report(file)
        current = is_verdict(report)
        self.db.execute(
            "INSERT OR REPLACE INTO grades (student, assignment, sha256, file, score, max_score, error, report,"
            " graded_at, current, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (student, assignment, sha256, file, report["score"], report["max_score"], report["error"],
             json.dumps(report, ensure_ascii=False), time.time(), int(current),
             encode(fingerprint) if fingerprint else ""),
        )
        self.db.commit()
        return current

    def scores(self) -> Iterator[tuple[str, str, float | None]]:
        """(student, assignment, score) of every row; ``None`` for a grading that failed (no verdict)."""
        for student, assignment, score, current in self.db.execute(
                "SELECT student, assignment, score, current FROM grades ORDER BY student, assignment"):
            yield student, assignment, score if current else None

    def assignments(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT DISTINCT assignment FROM grades ORDER BY assignment")]

    def reports(self, assignment: str, students: list[str] | None = None) -> dict[str, dict]:
        return dict(self.iter_reports(assignment, students))

    def iter_reports(self, assignment: str, students: list[str] | None = None) -> Iterator[tuple[str, dict]]:
        """(student, report) in student order, one at a time: a class of 10,000 never sits in memory."""
        for student, text in self.iter_report_texts(assignment, students):
            yield student, json.loads(text)

    def iter_report_texts(self, assignment: str, students: list[str] | None = None) -> Iterator[tuple[str, str]]:
        """(student, report as its stored JSON text), in student order."""
        wanted = set(students) if students is not None else None
        cursor = self.db.execute(
            "SELECT student, report FROM grades WHERE assignment = ? ORDER BY student", (assignment,))
        for student, text in cursor:
            if wanted is None or student in wanted:
                yield student, text
