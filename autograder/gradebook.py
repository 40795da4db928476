"""The SQLite gradebook: one row per student and assignment, keyed by the file's hash.

Each graded submission is committed on its own, so a batch killed at any point
keeps everything graded so far; a rerun skips submissions whose file is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

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
    PRIMARY KEY (student, assignment)
)
"""


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Gradebook:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute(SCHEMA)
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def is_current(self, student: str, assignment: str, sha256: str) -> bool:
        row = self.db.execute(
            "SELECT sha256 FROM grades WHERE student = ? AND assignment = ?", (student, assignment)
        ).fetchone()
        return row is not None and row[0] == sha256

    def record(self, student: str, assignment: str, sha256: str, file: str, report: dict) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO grades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (student, assignment, sha256, file, report["score"], report["max_score"], report["error"],
             json.dumps(report, ensure_ascii=False), time.time()),
        )
        self.db.commit()

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
