"""Writing an exercise: docs/authoring.md names every key the spec loader reads, `autograder new`
scaffolds an exercise that validates, `validate` reports spec errors in one line, and a new
exercise built from the scaffold goes through validate, generate, check, grade, release and
the exports."""

import ast
import csv
import re
import textwrap
import zipfile
from dataclasses import fields

import pytest
import test_release as release_checks
from click.testing import CliRunner

from autograder.cli import main
from autograder.spec import Property, load_assignment
from conftest import ROOT

DOC = ROOT / "docs" / "authoring.md"


def spec_keys() -> set[str]:
    """Every key autograder/spec.py reads from assignment.toml or mistakes.toml (``x.get("k")``,
    ``x["k"]``, ``"k" in x``), and the fields a property table may set."""
    keys = {f.name for f in fields(Property)}
    for node in ast.walk(ast.parse((ROOT / "autograder" / "spec.py").read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and node.args and isinstance(node.args[0], ast.Constant)):
            keys.add(node.args[0].value)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            keys.add(node.slice.value)
        elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
              and isinstance(node.ops[0], ast.In)):
            keys.add(node.left.value)
    return {k for k in keys if isinstance(k, str)}


def test_every_spec_key_is_documented():
    keys = spec_keys()
    assert {"points", "hidden_seed", "replace", "why", "doc", "variants", "upstream", "expr"} <= keys  # the scan works
    text = DOC.read_text(encoding="utf-8")
    blocks = re.findall(r"```\w*\n(.*?)```", text, flags=re.S)  # code blocks, then inline `code`
    spans = [*blocks, *re.findall(r"`([^`\n]+)`", re.sub(r"```\w*\n.*?```", "", text, flags=re.S))]
    documented = {word for span in spans for word in re.findall(r"\w+", span)}
    missing = sorted(keys - documented)
    assert not missing, f"docs/authoring.md does not name: {missing}"


@pytest.fixture
def course(tmp_path, monkeypatch):
    root = tmp_path / "course"
    root.mkdir()
    monkeypatch.setenv("AUTOGRADER_ROOT", str(root))
    monkeypatch.delenv("AUTOGRADER_HIDDEN_SEED", raising=False)
    return root


def cli(*args: str, ok: tuple[int, ...] = (0,)) -> str:
    done = CliRunner().invoke(main, list(args))
    assert done.exit_code in ok, done.output + repr(done.exception)
    assert done.exception is None or isinstance(done.exception, SystemExit), repr(done.exception)  # no traceback
    return done.output


def test_new_scaffolds_an_exercise_that_validates(course):
    out = cli("new", "affine_layer", "--root", str(course))
    assert "assignments/affine_layer/assignment.toml" in out
    shown = cli("validate", "-a", "affine_layer")
    assert "reference: 1/1 ok" in shown and "mistake: 1/1 ok" in shown
    again = cli("new", "affine_layer", "--root", str(course), ok=(1,))
    assert "exists already" in again
    assert "lower-case" in cli("new", "Bad-Name", "--root", str(course), ok=(1,))


def test_validate_prints_spec_errors_in_one_line(course):
    cli("new", "affine_layer", "--root", str(course))
    catalogue = course / "assignments" / "affine_layer" / "mistakes.toml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace('"np.dot(W, X) + b", ', '"np.dot(W, X) + bias", '),
                         encoding="utf-8")
    shown = cli("validate", "-a", "affine_layer", ok=(1,))
    assert "Traceback" not in shown
    [line] = [x for x in shown.splitlines() if x.startswith("spec error:")]
    assert "linear-forward-missing-bias" in line and "'np.dot(W, X) + bias' occurs 0 times" in line

    catalogue.write_text(catalogue.read_text(encoding="utf-8").replace("+ bias", "+ b")
                         .replace('why = "bias"', 'why = "bias"\ndoc = "the-bias-of-a-layer"'), encoding="utf-8")
    spec = course / "assignments" / "affine_layer" / "assignment.toml"
    spec.write_text(spec.read_text(encoding="utf-8").replace('# doc = "docs/affine_layer.md"', 'doc = "docs/layer.md"'),
                    encoding="utf-8")
    (course / "docs").mkdir()
    (course / "docs" / "layer.md").write_text("# Layers\n\n## The bias\n", encoding="utf-8")
    shown = cli("validate", "-a", "affine_layer", ok=(1,))
    problem = "mistakes.toml: mistake linear-forward-missing-bias: doc = 'the-bias-of-a-layer' is no heading of " \
              "docs/layer.md"
    assert f"spec error: {problem}" in shown
    assert f"warning: affine_layer: {problem}" in cli("generate", "affine_layer")  # generating still works
    (course / "docs" / "layer.md").write_text("# Layers\n\n## The bias of a layer\n", encoding="utf-8")
    assert "mistake: 1/1 ok" in cli("validate", "-a", "affine_layer")

    spec.write_text(spec.read_text(encoding="utf-8").replace("points = 100\n", ""), encoding="utf-8")
    shown = cli("validate", "-a", "affine_layer", ok=(1,))
    assert "Traceback" not in shown and "spec error: assignment.toml or mistakes.toml lacks the required key " \
                                        "'points'" in shown


def _doc_blocks(language: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    return [textwrap.dedent(b) for b in re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)]


SOFTMAX_STUDENT = """import numpy as np


def softmax(Z):
    e = np.exp(Z - Z.max(axis=0))
    return e / e.sum(axis={axis}, keepdims=True)
"""


def test_a_new_exercise_from_the_scaffold_goes_all_the_way(course, tmp_path):
    """The softmax exercise of docs/authoring.md's worked example, from its own code blocks."""
    cli("new", "softmax", "--root", str(course))
    [function] = [b for b in _doc_blocks("python") if "def softmax" in b]
    solution = course / "solutions" / "softmax.py"
    solution.write_text("# %% [markdown]\n# # Softmax\n\n# %%\nimport numpy as np\n\n\n" + function, encoding="utf-8")
    [cases] = [b for b in _doc_blocks("toml") if "[cases.public]" in b and "[inputs]" in b]
    spec = course / "assignments" / "softmax" / "assignment.toml"
    head = spec.read_text(encoding="utf-8").split("# ------------------------------------------------------------------- cases")[0]
    spec.write_text(head + cases + '\n[functions.softmax]\npoints = 100\nargs = { Z = "Z" }\n', encoding="utf-8")
    [why] = [b for b in _doc_blocks("toml") if b.startswith("[why]") and "normalise" in b]
    [mistake] = [b for b in _doc_blocks("toml") if 'id = "softmax-sum-over-rows"' in b]
    (course / "assignments" / "softmax" / "mistakes.toml").write_text(
        why + "\n" + "\n".join(line for line in mistake.splitlines() if not line.startswith("doc =")), encoding="utf-8")

    assert "mistake: 1/1 ok" in cli("validate", "-a", "softmax")
    cli("generate", "softmax")
    assert "softmax: up to date" in cli("generate", "--check")
    assert "raise NotImplementedError" in (course / "student_templates" / "softmax" / "softmax.py").read_text()

    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "ada.py").write_text(SOFTMAX_STUDENT.format(axis=0), encoding="utf-8")
    (subs / "bob.py").write_text(SOFTMAX_STUDENT.format(axis=1), encoding="utf-8")
    assert "100 / 100" in cli("check", str(subs / "ada.py"), "-a", "softmax")
    assert "[softmax-sum-over-rows]" in cli("check", str(subs / "bob.py"), "-a", "softmax", ok=(1,))
    cli("grade", str(subs), "-a", "softmax", "--out", str(tmp_path / "results"))
    with open(tmp_path / "results" / "softmax" / "grades.csv", newline="") as handle:
        scores = {row["student"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert scores["ada"] == 100 and 0 < scores["bob"] < 100

    assignment = load_assignment("softmax", course)
    cli("release", "softmax", str(tmp_path / "release"))
    release_checks.test_release_holds_no_solution_and_no_hidden_input(tmp_path / "release", assignment)
    assert 'check("softmax")' in (tmp_path / "release" / "README.md").read_text(encoding="utf-8")

    cli("export", "gradescope", "softmax", str(tmp_path / "softmax.zip"))
    with zipfile.ZipFile(tmp_path / "softmax.zip") as zf:
        assert {"run_autograder", "solutions/softmax.py", "assignments/softmax/assignment.toml"} <= set(zf.namelist())
    cli("export", "nbgrader", "softmax", str(tmp_path / "nbgrader"))
    assert str(course) not in (tmp_path / "nbgrader" / "nbgrader_config.py").read_text(encoding="utf-8")
    assert (tmp_path / "nbgrader" / "source" / "softmax" / "softmax.ipynb").is_file()
    cli("export", "otter", "softmax", str(tmp_path / "otter"))
    assert (tmp_path / "otter" / "softmax.ipynb").is_file()
