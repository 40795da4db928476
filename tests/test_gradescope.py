"""The Gradescope zip, unpacked the way Gradescope does, grades a real submission."""

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.grading import Grader
from autograder.integrations.gradescope import export
from conftest import ROOT


def _gradescope_tree(tmp_path, assignment):
    archive = export(assignment, tmp_path / "autograder.zip")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(root / "source")
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    (root / "submission").mkdir()
    return root


def _run(root):
    # Run from the unpacked copy only: no access to this checkout's package or solutions.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "AUTOGRADER_ROOT")}
    env.update(GRADESCOPE_ROOT=str(root), PYTHON=sys.executable)
    subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, cwd=root, check=True,
                   capture_output=True, timeout=300)
    return json.loads((root / "results" / "results.json").read_text())


def test_zip_grades_a_buggy_notebook_like_autograder_does(tmp_path, assignment):
    root = _gradescope_tree(tmp_path, assignment)
    names = set(os.listdir(root / "source"))
    assert {"setup.sh", "run_autograder", "requirements.txt", "autograder", "assignments", "solutions"} <= names
    source = ROOT / "tests" / "fixtures" / "gradescope" / "tanh_from_z1.py"
    shutil.copy(source, root / "submission" / "one_hidden_layer.py")
    results = _run(root)
    expected = Grader(assignment).grade_file(source)
    assert 0 < results["score"] == expected.score < expected.max_score
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all({"name", "score", "max_score", "output", "visibility"} <= set(t) for t in results["tests"])
    assert any("dZ1-tanh-derivative-from-Z1" in t["output"] for t in failed)
    assert sum(t["score"] for t in results["tests"]) == pytest.approx(results["score"], abs=0.01)


def test_zip_ships_the_solutions_but_the_student_cannot_read_them(tmp_path, assignment):
    """The autograder zip holds solutions/ (Gradescope grades with them); a submission that
    delegates every function to them, found through the grader's own package, gets nothing."""
    root = _gradescope_tree(tmp_path, assignment)
    shutil.copy(ROOT / "tests" / "fixtures" / "hostile" / "steal_full_marks.py",
                root / "submission" / "one_hidden_layer.py")
    results = _run(root)
    assert results["score"] == 0, results["score"]
    assert "PermissionError" in json.dumps(results["tests"])


def test_missing_submission_is_a_clear_zero(tmp_path, assignment):
    root = _gradescope_tree(tmp_path, assignment)
    results = _run(root)
    assert results["score"] == 0 and "No .ipynb or .py file" in results["output"]


def test_zip_of_every_assignment_gives_its_reference_full_marks(tmp_path, each_assignment):
    root = _gradescope_tree(tmp_path, each_assignment)
    shutil.copy(each_assignment.solution, root / "submission" / f"{each_assignment.name}.py")
    results = _run(root)
    assert results["score"] == pytest.approx(each_assignment.max_score)
    assert all(t["status"] == "passed" for t in results["tests"])


def test_max_scores_add_up_to_the_total_exactly(tmp_path, assignment):
    """Thirds of points rounded one by one add up to 100.0001; Gradescope shows that sum."""
    from autograder.report.gradescope import exact_shares, results_json

    assert exact_shares([1 / 3] * 3, 1.0) == [0.34, 0.33, 0.33]
    report = Grader(assignment).grade_file(ROOT / "tests" / "fixtures" / "gradescope" / "tanh_from_z1.py").as_dict()
    raw = [c["max_score"] for f in report["functions"] for c in f["checks"]]
    tests = results_json(report)["tests"]
    assert sum(round(t["max_score"] * 100) for t in tests) == round(report["max_score"] * 100) == 10000
    assert all(abs(t["max_score"] - r) <= 0.01 + 1e-9 for t, r in zip(tests, raw))
    assert all(0 <= t["score"] <= t["max_score"] for t in tests)
    assert all(t["score"] == t["max_score"] for t in tests if t["status"] == "passed")
    assert sum(round(t["score"] * 100) for t in tests) == round(report["score"] * 100)
