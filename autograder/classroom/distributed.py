"""Grading on a Dask cluster: chunks of submissions graded where the workers are.

A task carries everything it needs as bytes — the submissions and the course files
of the assignment (spec, catalogue, solution) — so workers need this package
installed but no shared filesystem. Each worker unpacks the course once (keyed by
its hash) and grades a chunk with the same :class:`Grader` and sandbox as a local
run: isolation is unchanged, only the place differs. Reports come back as plain
dicts and the gradebook stays with the instructor's process. A chunk that does not
come back (its worker lost) is reported per student as a failure, which the batch
stores as a ``"grader"`` report: not current, graded again on the next run.
"""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from autograder.run.sandbox.runner import Limits
from autograder.spec import Assignment

_courses: dict[str, Path] = {}


def course_files(assignment: Assignment) -> dict[str, bytes]:
    """The files a worker needs to grade ``assignment``, by path relative to the course root."""
    files = {f"assignments/{assignment.name}/{p.name}": p.read_bytes()
             for p in sorted(assignment.folder.iterdir()) if p.is_file()}
    if assignment.solution is not None:
        files[assignment.solution.relative_to(assignment.root).as_posix()] = assignment.solution.read_bytes()
    return files


def _unpack(files: dict[str, bytes]) -> Path:
    digest = hashlib.sha256(b"".join(k.encode() + v for k, v in sorted(files.items()))).hexdigest()[:16]
    if digest not in _courses:
        root = Path(tempfile.mkdtemp(prefix=f"autograder-course-{digest}-"))
        # a copy of the solution: gone when the worker ends (it was left in /tmp by every worker)
        atexit.register(shutil.rmtree, root, True)
        for rel, data in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
        _courses[digest] = root
    return _courses[digest]


def grade_chunk(name: str, files: dict[str, bytes], chunk: list[tuple[str, str, bytes]],
                limits: Limits | None, accept_renamed: bool = False) -> list[dict]:
    """Run on a worker: grade (student, filename, content) triples; one report each."""
    from autograder.grading import grade_safely

    grader = _grader(name, _unpack(files), limits, accept_renamed)
    reports = []
    with tempfile.TemporaryDirectory(prefix="autograder-chunk-") as tmp:
        for i, (student, filename, content) in enumerate(chunk):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            path = folder / Path(filename).name
            path.write_bytes(content)
            reports.append(grade_safely(grader, student, path))
    return reports


_graders: dict[tuple, object] = {}


def _grader(name: str, root: Path, limits: Limits | None, accept_renamed: bool = False):
    from autograder.grading import Grader
    from autograder.spec import load_assignment

    key = (name, str(root), limits, accept_renamed)
    if key not in _graders:
        _graders[key] = Grader(load_assignment(name, root), limits=limits, accept_renamed=accept_renamed)
    return _graders[key]


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def grade_on_cluster(address: str, assignment: Assignment, todo: list[tuple[str, Path]], limits: Limits | None,
                     on_report: Callable[[str, dict | None, str | None], None], chunk_size: int = 8,
                     accept_renamed: bool = False) -> None:
    """Grade ``(student, path)`` pairs on the Dask scheduler at ``address``; report as chunks finish
    (``on_report(student, report, None)``, or ``(student, None, why)`` when a whole chunk was lost)."""
    from dask.distributed import Client, as_completed

    files = course_files(assignment)
    with Client(address) as client:
        [shared] = client.scatter([files], broadcast=True)
        pending = {}
        for chunk in chunks(todo, chunk_size):
            payload = [(student, path.name, path.read_bytes()) for student, path in chunk]
            future = client.submit(grade_chunk, assignment.name, shared, payload, limits, accept_renamed, pure=False)
            pending[future] = [student for student, _ in chunk]
        for future in as_completed(pending):
            try:
                reports = future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker costs its chunk, not the batch
                for student in pending[future]:
                    on_report(student, None, f"the cluster worker failed ({type(exc).__name__}: {exc})")
                continue
            for report in reports:
                on_report(report["student"], report, None)
