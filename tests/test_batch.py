"""A class graded at once: every submission accounted for, hostile ones earn nothing,
correct ones full marks; the gradebook survives a SIGKILL and the rerun finishes."""

import csv
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.authoring.synthetic_class import make_class
from autograder.classroom import batch
from autograder.classroom.batch import grade_class, write_results, write_view
from autograder.classroom.gradebook import Gradebook
from autograder.classroom.layout import discover
from autograder.cli import main
from autograder.grading import grade_safely
from autograder.run.sandbox.runner import Limits
from conftest import EXAMPLES, FIXTURES, ROOT


@pytest.fixture(scope="module")
def graded_class(assignment, tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    kinds = make_class(assignment, folder / "submissions", size=200, hostile_share=0.05)
    subs, notes = discover([folder / "submissions"], assignment.name)
    book = Gradebook(folder / "results" / "gradebook.sqlite")
    result = grade_class(assignment, subs, book, jobs=2, limits=Limits(call_timeout_cap=2.0, grace=0.5))
    write_view(folder / "results", book, assignment)
    return kinds, result, folder, book, result.reports


def test_every_submission_is_accounted_for(graded_class):
    kinds, result, folder, _, reports = graded_class
    assert set(reports) == set(kinds)
    here = folder / "results" / "one_hidden_layer"
    with open(here / "grades.csv") as handle:
        assert {row["student"] for row in csv.DictReader(handle)} == set(kinds)
    with open(folder / "results" / "grades.csv") as handle:  # the class across exercises
        assert {row["student"]: row["one_hidden_layer"] for row in csv.DictReader(handle)} == {
            s: str(r["score"]) if r["error_kind"] != "grader" else "" for s, r in reports.items()}
    for student in kinds:
        assert (here / "feedback" / f"{student}.md").is_file()
        assert (here / "feedback" / f"{student}.html").is_file()
        gradescope = json.loads((here / "gradescope" / student / "results.json").read_text())
        assert gradescope["score"] == reports[student]["score"]
        assert all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in gradescope["tests"])


def test_results_from_the_stored_text_are_those_from_the_reports(graded_class, assignment, tmp_path):
    """The command line writes report.json from the gradebook's JSON text as stored, without
    decoding and encoding it again: the files must be those written from the reports."""
    _, result, folder, _, _ = graded_class
    lines = write_results(tmp_path, assignment, result.iter_report_texts())
    for name in ("report.json", "grades.csv"):
        assert (tmp_path / name).read_bytes() == (folder / "results" / "one_hidden_layer" / name).read_bytes(), name
    assert len(lines) == len(result.students) and any(line.mistakes for line in lines)


def test_correct_full_buggy_partial_hostile_nothing(graded_class):
    kinds, _, _, _, reports = graded_class
    for student, kind in kinds.items():
        report = reports[student]
        if kind == "correct":
            assert report["score"] == report["max_score"], (student, report["error"])
        elif kind.startswith("buggy"):
            assert 0 < report["score"] < report["max_score"], student
        else:
            assert report["score"] == 0, (student, kind, report["score"])
            if kind.endswith((".py", ".ipynb")):
                assert report["error"], kind


def test_rerun_skips_unchanged_submissions(graded_class, assignment):
    kinds, _, folder, book, _ = graded_class
    subs, _ = discover([folder / "submissions"], assignment.name)
    again = grade_class(assignment, subs, book, jobs=1)
    assert again.graded == 0 and again.skipped == len(kinds)


def test_sigkill_midway_then_rerun_gives_identical_grades(assignment, tmp_path):
    submissions = tmp_path / "subs"
    make_class(assignment, submissions, size=24, hostile_share=0)
    command = [sys.executable, "-m", "autograder", "grade", str(submissions), "-a", assignment.name]
    env = {**os.environ, "AUTOGRADER_ROOT": str(ROOT)}

    reference = subprocess.run([*command, "--out", str(tmp_path / "clean")], env=env, capture_output=True, text=True)
    assert reference.returncode == 0, reference.stderr

    out = tmp_path / "killed"
    proc = subprocess.Popen([*command, "--out", str(out)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    database = out / "gradebook.sqlite"
    deadline = time.time() + 120
    graded = 0
    while time.time() < deadline and graded < 6:
        time.sleep(0.2)
        if database.exists():
            try:
                graded = sqlite3.connect(database).execute("SELECT COUNT(*) FROM grades").fetchone()[0]
            except sqlite3.OperationalError:
                pass
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    survived = sqlite3.connect(database).execute("SELECT COUNT(*) FROM grades").fetchone()[0]
    assert 6 <= survived < 24  # killed midway, nothing graded was lost

    rerun = subprocess.run([*command, "--out", str(out)], env=env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{24 - survived} graded, {survived} unchanged" in rerun.stdout

    def grades(folder):
        with open(folder / "grades.csv") as handle:
            return sorted(tuple(row.values()) for row in csv.DictReader(handle))

    assert grades(out / assignment.name) == grades(tmp_path / "clean" / assignment.name)

    def files(folder):  # feedback written as each report came in, or at the end for the unchanged
        return {p.relative_to(folder): p.read_bytes() for kind in ("feedback", "gradescope")
                for p in (folder / assignment.name / kind).rglob("*") if p.is_file()}

    assert len(files(out)) == 3 * 24
    assert files(out) == files(tmp_path / "clean")


def test_layouts(tmp_path, assignment):
    solution = assignment.solution.read_text()
    nb = tmp_path / "course" / "submitted"
    (nb / "ada" / assignment.name).mkdir(parents=True)
    (nb / "ada" / assignment.name / f"{assignment.name}.py").write_text(solution)
    (nb / "bob").mkdir()
    per_student = tmp_path / "class"
    (per_student / "carl").mkdir(parents=True)
    (per_student / "carl" / "work.py").write_text(solution)
    (per_student / "carl" / "notes.txt").write_text("x")
    (per_student / "dora.py").write_text(solution)
    (per_student / "README.md").write_text("x")
    subs, notes = discover([tmp_path / "course", per_student], assignment.name)
    assert {s.student for s in subs} == {"ada", "carl", "dora"}
    assert any("bob has no" in n for n in notes)


def test_class_summary_counts_each_mistake_once_per_student(graded_class):
    kinds, _, folder, _, reports = graded_class
    done = subprocess.run([sys.executable, "-m", "autograder", "report", str(folder / "results")],
                          capture_output=True, text=True, env={**os.environ, "AUTOGRADER_ROOT": str(ROOT)})
    assert done.returncode == 0, done.stderr
    results = folder / "results" / "one_hidden_layer"
    for name in ("histogram.png", "mistakes.png"):
        assert (results / name).read_bytes().startswith(b"\x89PNG")
    summary = (results / "summary.md").read_text()
    assert f"{len(kinds)} submissions" in summary
    students_with = {}
    for student, report in reports.items():
        for fn in report["functions"]:
            for m in fn["mistakes"]:
                if not m.get("caused_by"):
                    students_with.setdefault((m["id"], fn["name"], m["step"]), set()).add(student)
    (top, function, step), count = max(((k, len(v)) for k, v in students_with.items()), key=lambda kv: kv[1])
    assert f"`{top}` — {count} student(s) ({function}, step {step})" in summary
    assert "dZ1" in (results / "summary.html").read_text()


def _kill_worker(marks: str, student: str) -> None:
    """Run in a pool worker before it grades ``student`` (``batch._worker_hook``): when
    ``marks/<student>`` exists the worker is SIGKILLed, as the OOM killer or a submission
    out of its sandbox would; a mark reading "once" is used up by that death."""
    mark = Path(marks) / student
    if mark.is_file():
        if mark.read_text() == "once":
            mark.unlink()
        os.kill(os.getpid(), signal.SIGKILL)


def _class_folder(folder: Path, files: dict[str, Path]) -> Path:
    folder.mkdir(parents=True)
    for student, source in files.items():
        shutil.copy(source, folder / f"{student}{source.suffix}")
    return folder


def _current(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return dict(db.execute("SELECT student, current FROM grades"))


def test_a_dying_worker_costs_no_honest_submission_and_its_victim_is_graded_next_run(
        assignment, grader, tmp_path, monkeypatch):
    """Real submissions graded with --jobs 2 while pool workers die: 'victim' kills its worker
    every time, 'flaky' the first time only. Every other report is exactly what grading the file
    alone gives; flaky is graded in the same run; victim is stored as not graded, not current,
    and the next run grades exactly it."""
    files = {"ada": EXAMPLES / "correct_classic_npdot.py", "bob": EXAMPLES / "bug_dw1_missing_1_over_m.py",
             "cy": EXAMPLES / "bug_tanh_from_z1.py", "dee": EXAMPLES / "correct_notebook_messy.ipynb",
             "eve": EXAMPLES / "bug_two_keepdims_and_transpose.py",
             "crash": FIXTURES / "hostile" / "crash_on_call.py", "corrupt": FIXTURES / "hostile" / "corrupt.ipynb",
             "flaky": EXAMPLES / "bug_db2_wrong_axis.py", "victim": EXAMPLES / "correct_matmul_style.py"}
    folder = _class_folder(tmp_path / "class", files)
    expected = {student: grade_safely(grader, student, folder / f"{student}{path.suffix}")
                for student, path in files.items()}
    marks = tmp_path / "marks"
    marks.mkdir()
    (marks / "victim").write_text("always")
    (marks / "flaky").write_text("once")
    monkeypatch.setattr(batch, "_worker_hook", partial(_kill_worker, str(marks)))
    subs, _ = discover([folder], assignment.name)
    database = tmp_path / "results" / "gradebook.sqlite"
    book = Gradebook(database)

    result = grade_class(assignment, subs, book, jobs=2, limits=Limits(call_timeout_cap=3))
    assert (result.graded, result.skipped, result.retry) == (len(files) - 1, 0, 1)
    reports = result.reports
    for student in files.keys() - {"victim"}:
        assert reports[student] == expected[student], student  # exact scores, whole report
    assert expected["victim"]["score"] == assignment.max_score > 0
    assert expected["crash"]["score"] < assignment.max_score and expected["corrupt"]["error_kind"] == "submission"
    victim = reports["victim"]
    assert victim["score"] == 0 and victim["error_kind"] == "grader"
    assert "the grading worker died 2 times" in victim["error"] and "next run" in victim["error"]
    assert not (marks / "flaky").exists()  # flaky's worker did die once
    assert _current(database) == {student: int(student != "victim") for student in files}

    (marks / "victim").unlink()
    again = grade_class(assignment, subs, book, jobs=2, limits=Limits(call_timeout_cap=3))
    assert (again.graded, again.skipped, again.retry) == (1, len(files) - 1, 0)
    assert again.reports["victim"] == expected["victim"]
    assert _current(database) == dict.fromkeys(files, 1)
    book.close()


def test_command_line_says_how_many_will_be_retried(tmp_path, monkeypatch):
    files = {"ada": EXAMPLES / "correct_einsum.py", "bob": EXAMPLES / "bug_tanh_from_z1.py",
             "victim": EXAMPLES / "correct_classic_npdot.py"}
    folder = _class_folder(tmp_path / "class", files)
    marks = tmp_path / "marks"
    marks.mkdir()
    (marks / "victim").write_text("always")
    monkeypatch.setattr(batch, "_worker_hook", partial(_kill_worker, str(marks)))
    monkeypatch.setenv("AUTOGRADER_ROOT", str(ROOT))
    command = ["grade", str(folder), "-a", "one_hidden_layer", "--jobs", "2", "--out", str(tmp_path / "results")]

    first = CliRunner().invoke(main, command)
    assert first.exit_code == 0, first.output
    assert "3 submission(s): 2 graded, 0 unchanged, 1 could not be graded (will be retried on the next run)" \
        in first.output
    assert "not graded: the grading worker died" in next(line for line in first.output.splitlines()
                                                         if line.startswith("victim"))
    scores = _csv_scores(tmp_path / "results")
    assert f"; mean {(scores['ada'] + scores['bob']) / 2:.1f}; 0 not gradable" in first.output  # victim's 0 left out

    (marks / "victim").unlink()
    second = CliRunner().invoke(main, command)
    assert second.exit_code == 0, second.output
    assert "3 submission(s): 1 graded, 2 unchanged, 0 could not be graded" in second.output
    assert _csv_scores(tmp_path / "results") == {**scores, "victim": 100}


def _csv_scores(results: Path) -> dict[str, float]:
    with open(results / "one_hidden_layer" / "grades.csv") as handle:
        return {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}


def test_workers_that_always_die_still_end_the_batch(assignment, tmp_path, monkeypatch):
    """Every worker dies before grading anything (a broken machine, not one submission): the batch
    ends, nothing is given a zero as a verdict, and each row waits for the next run."""
    files = {name: EXAMPLES / "correct_einsum.py" for name in ("ada", "bob", "cy", "dee", "eve", "fay", "gus")}
    folder = _class_folder(tmp_path / "class", files)
    marks = tmp_path / "marks"
    marks.mkdir()
    for student in files:
        (marks / student).write_text("always")
    monkeypatch.setattr(batch, "_worker_hook", partial(_kill_worker, str(marks)))
    subs, _ = discover([folder], assignment.name)
    database = tmp_path / "gradebook.sqlite"
    book = Gradebook(database)
    result = grade_class(assignment, subs, book, jobs=2)
    assert (result.graded, result.skipped, result.retry) == (0, 0, len(files))
    assert _current(database) == dict.fromkeys(files, 0)
    errors = {r["error"].split(" (")[0] for _, r in result.iter_reports()}
    assert errors == {"the grading worker died 2 times while grading this file, the last time alone",
                      "the grading workers kept dying before grading anything"}, errors
    book.close()


def _record_memory_limit(marks: str, student: str) -> None:
    """Run in a pool worker before it grades ``student``: what its address-space limit is."""
    import resource

    (Path(marks) / student).write_text(str(resource.getrlimit(resource.RLIMIT_AS)[0]))


def test_a_grading_worker_has_a_memory_limit_of_its_own(assignment, tmp_path, monkeypatch):
    """A stage that grows with a submission (red team 6: a repair search that built every pair
    of 300 copied lines took 1.6 GB in the worker) fails that submission with MemoryError
    instead of taking the machine; the worker's limit leaves its children's own above it."""
    folder = _class_folder(tmp_path / "class", {"ada": EXAMPLES / "correct_einsum.py"})
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setattr(batch, "_worker_hook", partial(_record_memory_limit, str(marks)))
    subs, _ = discover([folder], assignment.name)
    result = grade_class(assignment, subs, Gradebook(tmp_path / "gradebook.sqlite"), jobs=2)
    assert result.reports["ada"]["score"] == assignment.max_score
    limit = int((marks / "ada").read_text())
    assert 2 * Limits().memory_bytes <= limit <= batch.WORKER_MEMORY
