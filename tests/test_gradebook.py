"""The gradebook keeps verdicts only: a report whose grading failed outside the student's code
(an internal error of the grader, a chunk lost on the cluster) is stored not current and graded
again by the next run; a submission's own error is its verdict and stays. Gradebooks written
before the ``current`` column open and work."""

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from autograder.classroom import distributed
from autograder.classroom.batch import grade_class
from autograder.classroom.gradebook import Gradebook, file_hash
from autograder.classroom.layout import discover
from autograder.grading import Grader, grade_safely
from conftest import EXAMPLES, FIXTURES, ROOT

# the table as gradebooks were written before the current column
OLD_SCHEMA = """
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


def _class(tmp_path, files):
    folder = tmp_path / "class"
    folder.mkdir()
    for student, source in files.items():
        shutil.copy(source, folder / f"{student}{source.suffix}")
    return folder


def _current(database):
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT student, current FROM grades"))


def test_an_old_gradebook_opens_keeps_its_verdicts_and_regrades_its_failed_rows(assignment, grader, tmp_path):
    """A gradebook file from before the columns: the honest verdict and the submission's own error
    stay current (shown as they were), the zero an earlier batch stored for a dead worker is not; the
    rerun grades all three, since what they were graded with is unknown, and says why."""
    files = {"ada": EXAMPLES / "correct_einsum.py", "bob": EXAMPLES / "bug_dw1_missing_1_over_m.py",
             "corrupt": FIXTURES / "hostile" / "corrupt.ipynb"}
    folder = _class(tmp_path, files)
    subs, _ = discover([folder], assignment.name)
    database = tmp_path / "results" / "gradebook.sqlite"
    database.parent.mkdir()
    old = {sub.student: grade_safely(grader, sub.student, sub.path) for sub in subs}
    for report in old.values():
        report.pop("error_kind")  # old reports did not have it
    assert old["corrupt"]["error"] and not old["ada"]["error"]
    old["bob"] = {"assignment": assignment.name, "submission": "bob.py", "student": "bob", "score": 0.0,
                  "max_score": assignment.max_score, "notes": [], "functions": [],
                  "error": "the grading worker failed (BrokenProcessPool: A process in the process pool was "
                           "terminated abruptly while the future was running or pending.)"}
    with sqlite3.connect(database) as db:
        db.execute(OLD_SCHEMA)
        for sub in subs:
            report = old[sub.student]
            db.execute("INSERT INTO grades VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (sub.student, assignment.name, file_hash(sub.path), str(sub.path), report["score"],
                        report["max_score"], report["error"], json.dumps(report), time.time()))
    db.close()

    book = Gradebook(database)
    Gradebook(database).close()  # opened again: the column is not added twice
    assert _current(database) == {"ada": 1, "bob": 0, "corrupt": 1}
    assert book.reports(assignment.name) == old
    result = grade_class(assignment, subs, book)
    # rows from before fingerprints were kept are regraded once: what they were graded with is unknown
    assert (result.graded, result.skipped, result.retry) == (3, 0, 0)
    assert result.why == {"graded before assignment fingerprints were kept": 2, "grading failed last time": 1}
    assert book.reports(assignment.name)["bob"] == grade_safely(grader, "bob", folder / "bob.py")
    assert grade_class(assignment, subs, book).skipped == 3
    assert book.reports(assignment.name)["bob"]["score"] > 0
    assert _current(database) == {"ada": 1, "bob": 1, "corrupt": 1}
    book.close()


def test_an_internal_error_is_graded_again_next_run(assignment, tmp_path, monkeypatch):
    """The grader raising on one file (its bug, not the student's) costs a row that is not current;
    the submission's own error (a notebook that does not parse) is a current verdict."""
    files = {"ada": EXAMPLES / "correct_classic_npdot.py", "bob": EXAMPLES / "bug_tanh_from_z1.py",
             "corrupt": FIXTURES / "hostile" / "corrupt.ipynb"}
    folder = _class(tmp_path, files)
    subs, _ = discover([folder], assignment.name)
    database = tmp_path / "gradebook.sqlite"
    book = Gradebook(database)
    grade_file = Grader.grade_file

    def broken_for_bob(self, path, label=None, siblings=False):
        if path.stem == "bob":
            raise RuntimeError("a bug in the grader")
        return grade_file(self, path, label, siblings)

    monkeypatch.setattr(Grader, "grade_file", broken_for_bob)
    result = grade_class(assignment, subs, book)
    assert (result.graded, result.skipped, result.retry) == (2, 0, 1)
    reports = book.reports(assignment.name)
    assert reports["bob"]["error_kind"] == "grader" and "internal error while grading" in reports["bob"]["error"]
    assert reports["corrupt"]["error"] and reports["corrupt"]["error_kind"] == "submission"
    assert reports["ada"]["error_kind"] is None and reports["ada"]["score"] == assignment.max_score
    assert _current(database) == {"ada": 1, "bob": 0, "corrupt": 1}

    monkeypatch.setattr(Grader, "grade_file", grade_file)
    again = grade_class(assignment, subs, book)
    assert (again.graded, again.skipped, again.retry) == (1, 2, 0)
    assert 0 < book.reports(assignment.name)["bob"]["score"] < assignment.max_score
    assert _current(database) == {"ada": 1, "bob": 1, "corrupt": 1}
    book.close()


def test_a_chunk_lost_on_the_cluster_is_graded_again_next_run(assignment, tmp_path, monkeypatch):
    """Chunks graded by distributed.grade_chunk (what a Dask worker runs), one of them lost: its
    submissions are stored not current, the others keep their verdicts; the next run grades the lost ones."""
    files = {"ada": EXAMPLES / "correct_einsum.py", "bob": EXAMPLES / "bug_tanh_from_z1.py",
             "cy": EXAMPLES / "bug_dw2_transposed.py"}
    folder = _class(tmp_path, files)
    subs, _ = discover([folder], assignment.name)
    lose = {"bob"}

    def cluster(address, spec, todo, limits, on_report, chunk_size=8, accept_renamed=False):
        for chunk in distributed.chunks(todo, 1):
            if {student for student, _ in chunk} & lose:
                for student, _ in chunk:
                    on_report(student, None, "the cluster worker failed (KilledWorker: lost)")
                continue
            payload = [(student, path.name, path.read_bytes()) for student, path in chunk]
            for report in distributed.grade_chunk(spec.name, distributed.course_files(spec), payload, limits):
                on_report(report["student"], report, None)

    monkeypatch.setattr(distributed, "grade_on_cluster", cluster)
    database = tmp_path / "gradebook.sqlite"
    book = Gradebook(database)
    result = grade_class(assignment, subs, book, scheduler="tcp://cluster:8786")
    assert (result.graded, result.skipped, result.retry) == (2, 0, 1)
    assert book.reports(assignment.name)["bob"]["error_kind"] == "grader"
    assert _current(database) == {"ada": 1, "bob": 0, "cy": 1}

    lose.clear()
    again = grade_class(assignment, subs, book, scheduler="tcp://cluster:8786")
    assert (again.graded, again.skipped, again.retry) == (1, 2, 0)
    assert book.reports(assignment.name)["bob"]["score"] > 0
    assert _current(database) == {"ada": 1, "bob": 1, "cy": 1}
    book.close()


def test_a_cluster_worker_leaves_no_copy_of_the_solution_behind(assignment, tmp_path):
    """A Dask worker unpacks the course (the solution included) into a temporary folder to
    grade its chunks: the folder is gone once the worker process ends (every worker used to
    leave one in /tmp)."""
    code = (
        "import sys; from pathlib import Path\n"
        "from autograder.classroom import distributed\n"
        "from autograder.spec import load_assignment\n"
        f"spec = load_assignment({assignment.name!r}, Path({str(ROOT)!r}))\n"
        "files = distributed.course_files(spec)\n"
        f"path = Path({str(EXAMPLES / 'correct_einsum.py')!r})\n"
        "reports = distributed.grade_chunk(spec.name, files, [('ada', path.name, path.read_bytes())], None)\n"
        "assert reports[0]['score'] == reports[0]['max_score'], reports[0]['score']\n"
        "print(next(iter(distributed._courses.values())))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    unpacked = Path(done.stdout.strip().splitlines()[-1])
    assert unpacked.name.startswith("autograder-course-") and not unpacked.exists()
