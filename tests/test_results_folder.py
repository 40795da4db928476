"""The results folder is the gradebook's view, and a stored grade is current only for the
same file and the same assignment: late work adds rows, two exercises sit side by side, a
changed spec/catalogue/seed regrades and the run says why."""

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from autograder.classroom.fingerprint import fingerprint
from autograder.classroom.gradebook import Gradebook
from autograder.cli import main
from autograder.spec import load_assignment
from conftest import ROOT

LR = ROOT / "examples" / "submissions" / "logistic_regression"
OHL = ROOT / "examples" / "submissions" / "one_hidden_layer"


def _grade(*args: str, env: dict | None = None) -> str:
    done = CliRunner().invoke(main, ["grade", *args, "--call-timeout", "3"], env=env)
    assert done.exit_code == 0, done.output
    return done.output


def _rows(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _folder(path: Path, files: dict[str, Path]) -> Path:
    path.mkdir(parents=True)
    for student, source in files.items():
        shutil.copy(source, path / f"{student}{source.suffix}")
    return path


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the logistic_regression course that a test may edit."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "assignments" / "logistic_regression", root / "assignments" / "logistic_regression")
    (root / "solutions").mkdir()
    shutil.copy(ROOT / "solutions" / "logistic_regression.py", root / "solutions")
    shutil.copytree(ROOT / "docs", root / "docs")
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    monkeypatch.delenv("AUTOGRADER_HIDDEN_SEED", raising=False)
    return root


def test_late_work_adds_to_the_class_and_two_exercises_sit_side_by_side(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ROOT", str(ROOT))
    out = tmp_path / "results"
    lr = _folder(tmp_path / "lr", {"alice": LR / "correct_coursera_clipped.py", "bob": LR / "bug_db_summed.py"})
    _grade(str(lr), "-a", "logistic_regression", "--out", str(out))
    late = _folder(tmp_path / "late", {"carol": LR / "bug_dw_transposed.py"})
    _grade(str(late), "-a", "logistic_regression", "--out", str(out))  # one late file: the class stays

    here = out / "logistic_regression"
    rows = _rows(here / "grades.csv")
    assert set(rows) == {"alice", "bob", "carol"}
    assert float(rows["alice"]["score"]) == 100 and float(rows["bob"]["score"]) < 100
    report = json.loads((here / "report.json").read_text(encoding="utf-8"))
    assert sorted(s["student"] for s in report["submissions"]) == ["alice", "bob", "carol"]
    for student in rows:
        assert (here / "feedback" / f"{student}.md").is_file()
        assert (here / "gradescope" / student / "results.json").is_file()

    ohl = _folder(tmp_path / "ohl", {"alice": OHL / "bug_dw1_missing_1_over_m.py"})
    _grade(str(ohl), "-a", "one_hidden_layer", "--out", str(out))
    first = (here / "feedback" / "alice.md").read_text(encoding="utf-8")
    second = (out / "one_hidden_layer" / "feedback" / "alice.md").read_text(encoding="utf-8")
    assert "logistic_regression" in first and "dW1-missing-1-over-m" in second  # neither overwrote the other
    overview = _rows(out / "grades.csv")
    assert list(overview["alice"]) == ["student", "logistic_regression", "one_hidden_layer"]
    assert float(overview["alice"]["logistic_regression"]) == 100
    assert 0 < float(overview["alice"]["one_hidden_layer"]) < 100 and overview["bob"]["one_hidden_layer"] == ""

    done = CliRunner().invoke(main, ["report", str(out)])
    assert done.exit_code == 0, done.output
    lr_summary = (here / "summary.md").read_text(encoding="utf-8")
    assert "3 submissions" in lr_summary and "1 submissions" in (out / "one_hidden_layer" / "summary.md").read_text()
    (here / "summary.md").unlink()
    (out / "one_hidden_layer" / "summary.md").unlink()
    done = CliRunner().invoke(main, ["report", str(out), "--assignment", "one_hidden_layer"])
    assert done.exit_code == 0 and (out / "one_hidden_layer" / "summary.md").is_file()
    assert not (here / "summary.md").exists()
    done = CliRunner().invoke(main, ["report", str(out), "--assignment", "deep_nn"])
    assert done.exit_code != 0 and "no grades for deep_nn" in done.output


def test_a_results_folder_of_the_older_layout_is_pointed_out(tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_ROOT", str(ROOT))
    out = tmp_path / "results"
    (out / "feedback").mkdir(parents=True)
    (out / "report.json").write_text("{}", encoding="utf-8")
    subs = _folder(tmp_path / "subs", {"alice": LR / "correct_coursera_clipped.py"})
    shown = _grade(str(subs), "-a", "logistic_regression", "--out", str(out))
    assert f"note: {out / 'report.json'} is from an older version" in shown
    assert f"note: {out / 'feedback'} is from an older version" in shown
    assert (out / "logistic_regression" / "report.json").is_file()


def test_a_changed_assignment_regrades_and_the_run_says_why(course, tmp_path):
    out = tmp_path / "results"
    subs = _folder(tmp_path / "subs", {"alice": LR / "correct_coursera_clipped.py", "bob": LR / "bug_db_summed.py"})
    first = _grade(str(subs), "-a", "logistic_regression", "--out", str(out))
    assert "graded because: new: 2" in first

    again = _grade(str(subs), "-a", "logistic_regression", "--out", str(out))
    assert "skipped as unchanged (same file, same assignment; --force regrades): alice, bob" in again
    assert "2 submission(s): 0 graded, 2 unchanged" in again

    catalogue = course / "assignments" / "logistic_regression" / "mistakes.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "\n# a comment is a change too\n", encoding="utf-8")
    edited = _grade(str(subs), "-a", "logistic_regression", "--out", str(out))
    assert "graded because: the assignment changed (mistakes.toml): 2" in edited
    assert "2 submission(s): 2 graded, 0 unchanged" in edited

    seeded = _grade(str(subs), "-a", "logistic_regression", "--out", str(out), env={"AUTOGRADER_HIDDEN_SEED": "7"})
    assert "graded because: the assignment changed (the hidden seed): 2" in seeded

    shutil.copy(LR / "bug_dw_transposed.py", subs / "bob.py")
    solution = course / "solutions" / "logistic_regression.py"
    solution.write_text(solution.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    both = _grade(str(subs), "-a", "logistic_regression", "--out", str(out), env={"AUTOGRADER_HIDDEN_SEED": "7"})
    assert "graded because: the assignment changed (the solution): 1; the file changed: 1" in both


def test_a_gradebook_without_fingerprints_regrades_once(course, tmp_path):
    """A row from before fingerprints were kept is regraded once, and said so."""
    database = tmp_path / "gradebook.sqlite"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE grades (student TEXT NOT NULL, assignment TEXT NOT NULL, sha256 TEXT NOT NULL,"
                   " file TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, error TEXT,"
                   " report TEXT NOT NULL, graded_at REAL NOT NULL, current INTEGER NOT NULL DEFAULT 1,"
                   " PRIMARY KEY (student, assignment))")
        db.execute("INSERT INTO grades VALUES ('alice', 'logistic_regression', 'abc', 'alice.py', 100, 100, NULL,"
                   " '{}', 0, 1)")
    book = Gradebook(database)
    now = fingerprint(load_assignment("logistic_regression", course))
    assert book.why_regrade("alice", "logistic_regression", "abc", now) == \
        "graded before assignment fingerprints were kept"
    book.record("alice", "logistic_regression", "abc", "alice.py",
                {"score": 100, "max_score": 100, "error": None, "functions": []}, now)
    assert book.is_current("alice", "logistic_regression", "abc", now)
    assert book.why_regrade("alice", "logistic_regression", "abd", now) == "the file changed"
    book.close()


def test_limits_are_options_with_their_defaults_shown():
    for command in ("grade", "check"):
        text = " ".join(CliRunner().invoke(main, [command, "--help"]).output.split())
        assert "--call-timeout SECONDS" in text and "--submission-timeout SECONDS" in text
        assert "[default: 120.0" in text and "own `timeout` in assignment.toml (10 s when not set)" in text


def test_the_per_call_limit_reaches_the_sandbox(tmp_path, monkeypatch):
    """--call-timeout reaches the sandbox: a sigmoid that sleeps 2 s times out under a 1 s limit."""
    monkeypatch.setenv("AUTOGRADER_ROOT", str(ROOT))
    source = (LR / "correct_coursera_clipped.py").read_text(encoding="utf-8")
    slow = tmp_path / "slow.py"
    slow.write_text(source.replace("def sigmoid(z):", "def sigmoid(z):\n    import time; time.sleep(2)", 1),
                    encoding="utf-8")
    assert "import time; time.sleep(2)" in slow.read_text(encoding="utf-8")
    capped = CliRunner().invoke(main, ["check", str(slow), "-a", "logistic_regression", "-f", "sigmoid",
                                       "--call-timeout", "1"])
    assert capped.exit_code == 1 and "time" in capped.output.lower() and "sigmoid" in capped.output
    line = next(x for x in capped.output.splitlines() if "sigmoid" in x and "/ 10" in x)
    assert line.split()[-3] == "0.00", line


def test_count_axes_show_whole_students(tmp_path, monkeypatch):
    """Three students: matplotlib's default ticks would say 0.25 students."""
    from autograder.report import summary

    figures: list = []
    monkeypatch.setattr(summary.plt, "close", figures.append)
    reports = [{"student": s, "submission": f"{s}.py", "score": score, "max_score": 100, "error": None,
                "functions": [{"name": "f", "score": score, "max_score": 100,
                               "mistakes": [{"id": "m", "step": "s", "message": "x"}] if score < 100 else []}]}
               for s, score in (("a", 100), ("b", 40), ("c", 45))]
    summary.write_summary(tmp_path, "demo", reports)
    histogram, chart = figures
    counts = [*histogram.axes[0].get_yticks(), *chart.axes[0].get_xticks()]
    assert counts and all(float(t).is_integer() for t in counts), counts
