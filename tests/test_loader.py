"""Messy submissions: magics, shell lines, broken cells, course helpers, old signatures."""

import nbformat
import pytest

from autograder.load.source import load_notebook_text, load_python_text, settle
from conftest import ROOT, function_result

SOLUTION = (ROOT / "solutions" / "one_hidden_layer.py").read_text()


def notebook(*cells: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# My work")] + [nbformat.v4.new_code_cell(c) for c in cells]
    return nbformat.writes(nb)


def test_magics_shell_lines_and_bare_cd_are_neutralised():
    loaded = load_notebook_text(notebook(
        "%matplotlib inline\nimport numpy as np\n!pip install numpy\ncd ..\nfiles = !ls\nnp.dot?",
        "def f(x):\n    return x\n",
    ), "nb.ipynb")
    assert loaded.error is None
    assert loaded.functions == ["f"]
    assert any("IPython line" in n for n in loaded.notes)


def test_only_definitions_imports_and_constants_are_kept():
    loaded = settle(load_python_text(
        "import numpy as np\nimport matplotlib.pyplot as plt\nn_h = 4\nunused = 3\nshape = np.zeros((2, 1))\n"
        "params = train(X)\nprint('hi')\nfor i in range(3):\n    pass\nrelu = lambda z: np.maximum(0, z)\n"
        "def f(x):\n    return relu(x) * n_h + shape\n",
        "s.py",
    ))
    kinds = [(u.kind, u.names) for u in loaded.units]
    assert ("assign", ("n_h",)) in kinds and ("assign", ("shape",)) in kinds and ("assign", ("relu",)) in kinds
    assert ("import", ("np",)) in kinds
    # what no function reads is not run: a constant, and an import (matplotlib costs a second)
    assert not any(names in (("params",), ("unused",), ("plt",)) for _, names in kinds)
    assert any("3 other top-level statement" in n for n in loaded.notes)


def test_only_what_the_graded_functions_need_runs():
    """A notebook's data cells (`X, Y = load_planar_dataset()`, `shape_X = X.shape`) and its
    heavy imports run only if a graded function reads what they set; the note names it."""
    cells = ["import numpy as np\nimport matplotlib.pyplot as plt\nimport sklearn.linear_model",
             "X, Y = load_data()\nshape_X = X.shape\nm = shape_X[1]\nSCALE = make_scale()",
             "def graded(x):\n    return x * SCALE\n\ndef plot_it(x):\n    plt.plot(x)\n    return m"]
    loaded = settle(load_notebook_text(notebook(*cells), "nb.ipynb"), {"graded"})
    kept = {name for u in loaded.units for name in u.names}
    assert {"SCALE", "graded", "plot_it"} <= kept  # numpy too, had a kept function read np
    assert not kept & {"plt", "sklearn", "X", "shape_X", "m"}
    assert any("because your graded uses what they set" in n for n in loaded.notes)
    everything = settle(load_notebook_text(notebook(*cells), "nb.ipynb"))  # every function a root
    assert {"plt", "m", "shape_X", "X"} <= {name for u in everything.units for name in u.names}
    assert next(u for u in everything.units if "plt" in u.names).lazy  # bound now, imported on use


def test_a_call_at_top_level_runs_only_when_the_functions_read_what_it_sets():
    """`KEYS = "...".split()` and a logger are read by the functions: run (in their place, even
    across cells, and what they read in turn). A training run and a plot nobody reads: not run."""
    loaded = load_notebook_text(notebook(
        "import logging\nfrom functools import partial\nimport numpy as np\n"
        "log = logging.getLogger('me')\nKEYS = 'W1 b1'.split()\nscale = partial(np.multiply, 2.0)\n"
        "TABLE = {'double': scale}",
        "def f(params):\n    log.info('f')\n    return {k: TABLE['double'](params[k]) for k in KEYS}\n",
        "params = f(initial_guess())\nfigure = plt.plot(params['W1'])\nlog2 = logging.getLogger('unused')\n",
    ), "nb.ipynb")
    settle(loaded)
    ran = [u.names for u in loaded.units if u.kind == "assign"]
    assert ran == [("log",), ("KEYS",), ("scale",), ("TABLE",)]
    assert all(u.limit for u in loaded.units if u.names in (("log",), ("KEYS",), ("scale",)))
    assert {n for n, how in loaded.not_run.items() if how.endswith("does not run")} == {"params", "figure", "log2"}
    assert {n for n, how in loaded.not_run.items() if "failed when the grader ran it" in how} == {"log", "KEYS", "scale"}
    assert any("3 top-level statement(s) that call code were run" in n for n in loaded.notes)
    assert any("3 other top-level statement" in n for n in loaded.notes)


def test_a_top_level_call_that_runs_too_long_is_stopped_and_the_rest_is_graded(grader):
    slow = "import time\nPAUSE = time.sleep(30) or 0.0\n\n"
    source = slow + SOLUTION.replace("def sigmoid(z):", "def sigmoid(z):\n    z = z + PAUSE", 1)
    report = grader.grade_loaded(load_python_text(source, "slow.py"), "slow.py")
    assert report.error is None
    assert any("took longer than 2 s and was stopped" in n for n in report.notes)
    assert function_result(report, "sigmoid").score == 0  # PAUSE never set
    assert function_result(report, "backward_propagation").score == function_result(
        report, "backward_propagation").max_score


def test_a_broken_cell_costs_only_its_broken_part():
    loaded = load_notebook_text(notebook(
        "import numpy as np",
        "def good(x):\n    return x\n\nparameters = nn_model(X, Y, n_h=4, num_iterations=\n\ndef also_good(x):\n    return 2 * x\n",
    ), "nb.ipynb")
    assert loaded.functions == ["also_good", "good"]
    assert any("do not parse" in n for n in loaded.notes)


def test_a_deleted_def_line_is_reported():
    loaded = load_notebook_text(notebook(
        "import numpy as np",
        "    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n",
        "def sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n",
    ), "nb.ipynb")
    assert loaded.functions == ["sigmoid"]
    assert any("def` line deleted" in n for n in loaded.notes)


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("{not json", "not a readable notebook"),
    (notebook("print('no functions here')"), "defines no function"),
])
def test_unusable_notebooks(text, words):
    assert words in load_notebook_text(text, "nb.ipynb").error


def test_python_syntax_error_points_at_the_line():
    loaded = load_python_text("import numpy as np\n\ndef f(x)\n    return x\n", "s.py")
    assert "line 3" in loaded.error


def test_a_py_file_with_a_syntax_error_is_salvaged_block_by_block(grader):
    """Like a notebook cell: the broken function is lost with the parser's message, the others are graded."""
    source = SOLUTION.replace("def layer_sizes(X, Y):", "def layer_sizes(X, Y)", 1)
    loaded = load_python_text(source, "s.py")
    assert loaded.error is None and "layer_sizes" not in loaded.functions and "sigmoid" in loaded.functions
    report = grader.grade_loaded(loaded, "s.py")
    sizes = function_result(report, "layer_sizes")
    assert sizes.score == 0 and any("does not parse (expected ':')" in n for n in sizes.notes)
    assert function_result(report, "backward_propagation").score == function_result(
        report, "backward_propagation").max_score


def test_solution_notebook_with_course_helpers_scores_full_marks(grader):
    """The reference as a real notebook with the course's helper imports, test cells and plots."""
    cells = [
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom planar_utils import plot_decision_boundary, load_planar_dataset\n"
        "from testCases_v2 import *\n%matplotlib inline",
        SOLUTION,
        "X, Y = load_planar_dataset()\nparameters = nn_model(X, Y, n_h=4, print_cost=True)\nplot_decision_boundary(lambda x: predict(parameters, x.T), X, Y)",
        "%%time\nprint(backward_propagation(parameters, cache, X_assess, Y_assess))",
    ]
    loaded = load_notebook_text(notebook(*cells), "solved.ipynb")
    report = grader.grade_loaded(loaded, "solved.ipynb")
    assert report.error is None
    assert report.score == report.max_score
    # no graded function uses planar_utils or matplotlib: neither is imported, nothing to say
    assert not any("planar_utils" in n or "matplotlib" in n for n in report.notes)


def test_helper_from_missing_module_explains_itself(grader):
    source = (
        "import numpy as np\nfrom planar_utils import sigmoid\n\n"
        "def sigmoid_derivative(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n"
    )
    report = grader.grade_loaded(load_python_text(source, "helper.py"), "helper.py")
    derivative = function_result(report, "sigmoid_derivative")  # the course's sigmoid, computed by the grader
    assert derivative.score == derivative.max_score
    sigmoid = function_result(report, "sigmoid")  # the course gives it: imported, not written, full marks
    assert sigmoid.score == sigmoid.max_score and sigmoid.status == "provided"
    assert any("planar_utils" in n and "sigmoid" in n for n in report.notes)
    # a module the assignment does not name is not installed: its names raise, and say so
    # (sigmoid is then missing, and costs its own points only: sigmoid_derivative is judged with the grader's)
    other = grader.grade_loaded(load_python_text(source.replace("planar_utils", "my_helpers"), "h.py"), "h.py")
    assert any("module `my_helpers` is not installed here" in n for n in other.notes)
    assert function_result(other, "sigmoid").status == "missing"
    derivative = function_result(other, "sigmoid_derivative")
    assert derivative.score == derivative.max_score
    assert any("right once your sigmoid is fixed" in n for n in derivative.notes)


def test_a_body_without_its_def_line_is_graded_as_the_missing_function(grader):
    """The only missing function whose parameters the orphan block reads adopts it, and says so."""
    stub = SOLUTION.split("def predict(")[0]
    body = "    A2, cache = forward_propagation(X, parameters, activation)\n    return (A2 > 0.5).astype(int)\n"
    loaded = load_notebook_text(notebook(stub, "%time\n" + body), "nb.ipynb")
    assert "predict" not in loaded.functions and loaded.orphans
    report = grader.grade_loaded(loaded, "nb.ipynb")
    predict = function_result(report, "predict")
    assert predict.score == predict.max_score
    assert any("graded as `def predict(parameters, X, activation='tanh')`" in n for n in report.notes)


def test_an_ambiguous_orphan_is_not_adopted(grader):
    stub = SOLUTION.split("def sigmoid_derivative(")[0]  # several functions missing
    loaded = load_notebook_text(notebook(stub, "    print('hello')\n    return 1\n"), "nb.ipynb")
    report = grader.grade_loaded(loaded, "nb.ipynb")
    assert function_result(report, "predict").status == "missing"
    assert not any("graded as" in n for n in report.notes)


def test_an_old_format_notebook_is_upgraded_by_nbformat():
    """Version 4 is read directly; anything older goes through nbformat's own upgrade."""
    from nbformat import v3

    old = v3.new_notebook(worksheets=[v3.new_worksheet(cells=[
        v3.new_text_cell("markdown", source="# My work"),
        v3.new_code_cell(input="import numpy as np\n\ndef f(x):\n    return np.tanh(x)\n"),
    ])])
    text = v3.writes_json(old)
    assert '"nbformat": 3' in text
    loaded = load_notebook_text(text, "old.ipynb")
    assert loaded.error is None
    assert loaded.functions == ["f"]
    current = load_notebook_text(notebook("def f(x):\n    return x\n"), "new.ipynb")
    assert current.error is None and current.functions == ["f"]


def test_a_notebook_whose_cell_lines_are_not_strings_still_loads(tmp_path):
    """A hand-edited notebook with a number among a cell's lines (it crashed the loader)."""
    import json

    from autograder.load.source import load_file

    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": ["import numpy as np\n", "def sigmoid(z):\n", "    return 1 / (1 + np.exp(-z))\n", 7]}]
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}), encoding="utf-8")
    loaded = load_file(path)
    assert loaded.error is None and "sigmoid" in loaded.functions
