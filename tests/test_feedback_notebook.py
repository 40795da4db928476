"""A student's notebook, run by Jupyter as they would: each `check(...)` cell shows the feedback
and nothing else (no report object printed at length, no note about the check cells)."""

import subprocess
import sys

import nbformat

from autograder.authoring.generate import render_notebook
from autograder.spec import load_assignment
from conftest import ROOT

SIGN_BUG = ("    dw = np.dot(X, dZ.T) / m\n    db = float(np.sum(dZ) / m)\n",
            "    dw = np.dot(X, -dZ.T) / m\n    db = float(np.sum(-dZ) / m)\n")


def test_check_cells_print_the_feedback_only(tmp_path):
    spec = load_assignment("logistic_regression")
    source = (ROOT / "solutions" / "logistic_regression.py").read_text()
    assert SIGN_BUG[0] in source
    notebook = tmp_path / "logistic_regression.ipynb"
    notebook.write_text(render_notebook(spec, source.replace(*SIGN_BUG)))
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                           "--output", "executed.ipynb", str(notebook)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    executed = nbformat.read(tmp_path / "executed.ipynb", as_version=4)
    checks = [c for c in executed.cells if c.cell_type == "code" and c.source.startswith("check(")]
    assert len(checks) == len(spec.functions)
    for cell in checks:
        printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs
                        if o.output_type == "execute_result")
        assert "public inputs only" in printed.splitlines()[0]
        assert len(printed.splitlines()) <= 30, printed
        assert "\n" not in shown and len(shown) < 80, shown  # the returned object: one short line
        assert "check(" not in printed and "not run" not in printed  # nothing about the check cells
    propagate = next(c for c in checks if c.source == 'check("propagate")')
    text = "".join(o.get("text", "") for o in propagate.outputs if o.output_type == "stream")
    assert "[dZ-sign-flipped]" in text and "Why:" in text
