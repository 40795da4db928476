"""A class graded at once: every submission accounted for, hostile ones earn nothing,
correct ones full marks; the gradebook survives a SIGKILL and the rerun finishes."""

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from autograder.batch import grade_class, write_results
from autograder.gradebook import Gradebook
from autograder.layout import discover
from autograder.sandbox.runner import Limits
from autograder.synthetic import make_class
from conftest import ROOT


@pytest.fixture(scope="module")
def graded_class(assignment, tmp_path_factory):
    folder = tmp_path_factory.mktemp("class")
    kinds = make_class(assignment, folder / "submissions", size=200, hostile_share=0.05)
    subs, notes = discover([folder / "submissions"], assignment.name)
    book = Gradebook(folder / "results" / "gradebook.sqlite")
    result = grade_class(assignment, subs, book, jobs=2, limits=Limits(call_timeout_cap=2.0, grace=0.5))
    write_results(folder / "results", assignment, result.iter_reports())
    return kinds, result, folder, book, result.reports


def test_every_submission_is_accounted_for(graded_class):
    kinds, result, folder, _, reports = graded_class
    assert set(reports) == set(kinds)
    with open(folder / "results" / "grades.csv") as handle:
        assert {row["student"] for row in csv.DictReader(handle)} == set(kinds)
    for student in kinds:
        assert (folder / "results" / "feedback" / f"{student}.md").is_file()
        assert (folder / "results" / "feedback" / f"{student}.html").is_file()
        gradescope = json.loads((folder / "results" / "gradescope" / student / "results.json").read_text())
        assert gradescope["score"] == reports[student]["score"]
        assert all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in gradescope["tests"])


def test_results_from_the_stored_text_are_those_from_the_reports(graded_class, assignment, tmp_path):
    """The command line writes report.json from the gradebook's JSON text as stored, without
    decoding and encoding it again: the files must be those written from the reports."""
    _, result, folder, _, _ = graded_class
    lines = write_results(tmp_path, assignment, result.iter_report_texts())
    for name in ("report.json", "grades.csv"):
        assert (tmp_path / name).read_bytes() == (folder / "results" / name).read_bytes(), name
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

    assert grades(out) == grades(tmp_path / "clean")

    def files(folder):  # feedback written as each report came in, or at the end for the unchanged
        return {p.relative_to(folder): p.read_bytes() for kind in ("feedback", "gradescope")
                for p in (folder / kind).rglob("*") if p.is_file()}

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
    results = folder / "results"
    done = subprocess.run([sys.executable, "-m", "autograder", "report", str(results)], capture_output=True,
                          text=True, env={**os.environ, "AUTOGRADER_ROOT": str(ROOT)})
    assert done.returncode == 0, done.stderr
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
