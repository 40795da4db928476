"""The reference scores full marks through every path a user takes."""

import json
import os
import shutil
import subprocess
import sys

import nbformat

from autograder.authoring.generate import render_notebook
from conftest import ROOT

SOLUTION = ROOT / "solutions" / "one_hidden_layer.py"


def run(*args, cwd=ROOT, env=None):
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def solved_notebook(assignment, folder):
    """The template notebook with the solution left in: what a perfect student hands in."""
    path = folder / "one_hidden_layer.ipynb"
    path.write_text(render_notebook(assignment, assignment.solution.read_text()))
    return path


def test_grade_py_and_ipynb_with_json_report(assignment, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(SOLUTION, subs / "reference.py")
    solved_notebook(assignment, subs)
    out = tmp_path / "report.json"
    result = run("grade", str(subs), "--assignment", "one_hidden_layer", "--json", str(out),
                 "--out", str(tmp_path / "results"))  # never into the checkout's results/
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert report["assignment"] == "one_hidden_layer"
    subs = {s["submission"].split("/")[-1]: s for s in report["submissions"]}
    assert set(subs) == {"reference.py", "one_hidden_layer.ipynb"}
    for sub in subs.values():
        assert sub["error"] is None and sub["score"] == sub["max_score"] == 100
        assert {f["name"] for f in sub["functions"]} == set(assignment.functions)
        for fn in sub["functions"]:
            assert fn["mistakes"] == []
            for check in fn["checks"]:
                assert set(check) >= {"name", "visibility", "score", "max_score", "passed", "feedback"}
                assert check["visibility"] in ("public", "hidden") and check["passed"]


def test_check_command(tmp_path):
    result = run("check", str(SOLUTION))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "100 / 100" in result.stdout


def test_pytest_in_the_template_folder(assignment, tmp_path):
    folder = tmp_path / "student"
    shutil.copytree(ROOT / "student_templates" / "one_hidden_layer", folder)
    env = {**os.environ, "AUTOGRADER_ROOT": str(ROOT)}
    untouched = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
                               capture_output=True, text=True, env=env)
    assert untouched.returncode == 1 and "10 failed" in untouched.stdout
    assert "not implemented yet" in untouched.stdout
    # the student fills in the notebook only: pytest picks the notebook
    solved_notebook(assignment, folder)
    solved = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=folder,
                            capture_output=True, text=True, env=env)
    assert solved.returncode == 0, solved.stdout
    assert "10 passed" in solved.stdout


def test_notebook_runs_in_a_real_kernel_with_check_cells(assignment, tmp_path):
    """The solved template notebook executes top to bottom in a Jupyter kernel: every
    `check("...")` cell prints full marks, and the training cell trains and plots."""
    from nbclient import NotebookClient

    nb = nbformat.reads(render_notebook(assignment, assignment.solution.read_text()), as_version=4)
    env_root = os.environ.get("AUTOGRADER_ROOT")
    os.environ["AUTOGRADER_ROOT"] = str(ROOT)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        if env_root is None:
            os.environ.pop("AUTOGRADER_ROOT")
        else:
            os.environ["AUTOGRADER_ROOT"] = env_root
    printed = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
            printed[cell.source] = text
    check_outputs = [t for src, t in printed.items() if src.startswith("check(")]
    assert len(check_outputs) >= 5
    assert all("✘" not in t and "✔" in t for t in check_outputs), check_outputs
    assert any("Training accuracy" in t for t in printed.values())
