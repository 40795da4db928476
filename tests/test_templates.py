"""Student templates are generated from the solution, up to date, and carry no solution."""

import ast
import subprocess
import sys

import nbformat

from autograder.authoring.generate import BEGIN, END, render_all, stale_templates, strip_solutions
from conftest import ROOT


def test_templates_are_up_to_date(each_assignment):
    assert stale_templates(each_assignment) == [], "run `autograder generate` and commit the result"


def solution_lines(source):
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside and len(line.strip()) > 12:
            lines.append(line.strip())
    return lines


def test_no_solution_line_reaches_the_students(each_assignment):
    source = each_assignment.solution.read_text()
    answers = solution_lines(source)
    assert len(answers) > 10
    for name, content in render_all(each_assignment).items():
        if name.endswith(".ipynb"):
            nb = nbformat.reads(content, as_version=4)
            content = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        code = {line.strip() for line in content.splitlines() if not line.strip().startswith("#")}
        leaked = [a for a in answers if a in code]
        assert leaked == [], f"{name} leaks {leaked[:3]}"


def test_stub_is_valid_python_and_every_graded_function_raises(each_assignment):
    stub = strip_solutions(each_assignment.solution.read_text())
    tree = ast.parse(stub)
    defs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in each_assignment.functions:
        assert "NotImplementedError" in ast.unparse(defs[name])


def test_notebook_is_valid_and_has_explanations_and_training(assignment):
    nb = nbformat.reads(render_all(assignment)["one_hidden_layer.ipynb"], as_version=4)
    nbformat.validate(nb)
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = " ".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "W^{[2]T}" in markdown and "1 - (A^{[1]})^2" in markdown
    assert 'check("backward_propagation")' in code
    assert "load_planar_dataset" in code and "plt.contourf" in code and "nn_model(X, Y" in code


def test_generate_check_command_detects_staleness(tmp_path):
    result = subprocess.run([sys.executable, "-m", "autograder", "generate", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "up to date" in result.stdout


def test_unbalanced_markers_are_refused():
    import pytest

    from autograder.authoring.generate import TemplateError

    with pytest.raises(TemplateError):
        strip_solutions(f"def f():\n    {BEGIN}\n    return 1\n")
