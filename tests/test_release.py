"""The student release: no solution or hidden input in it, and self-checks that work without them."""

import re
import shutil
import subprocess
import sys
import venv

import pytest

from autograder.authoring.generate import render_notebook, strip_solutions
from autograder.authoring.release import release
from autograder.judge.reference import reference_source
from autograder.run.sandbox.runner import jail_support
from conftest import FIXTURES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@pytest.fixture(scope="module")
def released(assignment, tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / assignment.name
    release(assignment, out)
    return out


def test_every_assignment_releases_without_solution_or_hidden_input(each_assignment, tmp_path):
    out = tmp_path / each_assignment.name
    release(each_assignment, out)
    test_release_holds_no_solution_and_no_hidden_input(out, each_assignment)


def _solution_lines(assignment):
    """Every substantial line inside the solution regions of the reference that the
    exercise text outside them does not already show (hints such as `s = sigmoid(z)`)."""
    source = reference_source(assignment)
    shown = strip_solutions(source)
    lines, inside = [], False
    for line in source.splitlines():
        if "BEGIN SOLUTION" in line:
            inside = True
        elif "END SOLUTION" in line:
            inside = False
        elif inside and len(line.strip()) >= 12 and not line.strip().startswith("#"):
            lines.append(line.strip())
    return [line for line in lines if line not in shown]


def test_release_holds_no_solution_and_no_hidden_input(released, assignment):
    texts = {p: p.read_text(encoding="utf-8") for p in released.rglob("*") if p.is_file()}
    assert not (released / "solutions").exists()
    secret = _solution_lines(assignment)
    assert secret, "no solution line to look for: the scan below would pass vacuously"
    pairs = list(zip(secret, secret[1:]))
    for path, text in texts.items():
        # Code and data hold no solution line; prose — the derivation, and the catalogue's
        # messages, which students see in feedback anyway — may quote one line of a formula
        # ("dZ[Z <= 0] = 0") but never two lines of a solution in a row.
        stripped = [line.strip() for line in text.splitlines()]
        runs = [(a, b) for a, b in pairs if any(stripped[i:i + 2] == [a, b] for i in range(len(stripped) - 1))]
        prose = path.suffix == ".md" or path.name == "mistakes.toml"
        lines = [] if prose else [line for line in secret if line in text]
        assert not runs and not lines, f"{path.relative_to(released)} has solution code: {(runs or lines)[:3]}"
        assert "BEGIN SOLUTION" not in text
    spec = texts[released / "assignments" / assignment.name / "assignment.toml"]
    assert "hidden_seed" not in spec and str(assignment.hidden_seed) not in spec
    hidden = [c for c in assignment.cases.values() if c.visibility != "public"]
    released_cases = tomllib.loads(spec)["cases"]
    assert hidden and not {c.name for c in hidden} & set(released_cases)
    recorded = texts[released / "assignments" / assignment.name / "recorded.json"]
    assert '"visibility":"hidden"' not in recorded
    catalogue = texts[released / "assignments" / assignment.name / "mistakes.toml"]
    assert "replace" not in catalogue and assignment.mistakes[0].id in catalogue
    readme = texts[released / "README.md"]
    named = set(re.findall(r'check\("(\w+)"\)', readme))
    assert named and named <= set(assignment.functions), named  # the exercise's own function names


def test_pytest_in_a_fresh_venv_passes_correct_and_names_mistakes(released, assignment, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "-r", released / "requirements.txt"], check=True,
                   capture_output=True, timeout=600)

    def self_check(name, files):
        copy = tmp_path / name
        shutil.copytree(released, copy)
        (copy / f"{assignment.name}.py").unlink()
        for filename, text in files.items():
            (copy / filename).write_text(text, encoding="utf-8")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # nothing of this checkout reachable
        return subprocess.run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=copy, env=env,
                              capture_output=True, text=True, timeout=600)

    correct = self_check("correct", {f"{assignment.name}.ipynb": render_notebook(assignment, reference_source(assignment))})
    assert correct.returncode == 0, correct.stdout[-2000:]
    assert " passed" in correct.stdout and "failed" not in correct.stdout

    buggy = (FIXTURES / "gradescope" / "tanh_from_z1.py").read_text(encoding="utf-8")
    wrong = self_check("buggy", {f"{assignment.name}.py": buggy})
    assert wrong.returncode == 1
    assert "1 failed" in wrong.stdout
    assert "[dZ1-tanh-derivative-from-Z1]" in wrong.stdout and "1 − A1²" in wrong.stdout

    # the release's recorded reference results lie beside the student's file: the jail keeps
    # the student's code from reading them (or anything of the engine's copy)
    peeks = (FIXTURES / "gradescope" / "tanh_from_z1.py").read_text(encoding="utf-8").replace(
        "def sigmoid(z):", "def sigmoid(z):\n    import autograder, os\n"
        "    root = os.path.dirname(os.path.dirname(autograder.__file__))\n"
        f"    open(os.path.join(root, 'assignments', '{assignment.name}', 'recorded.json')).read()", 1)
    assert peeks.count("recorded.json") == 1
    peeked = self_check("peeks", {f"{assignment.name}.py": peeks})
    if jail_support().landlock_abi:
        assert "PermissionError" in peeked.stdout, peeked.stdout[-2000:]


def test_the_self_check_says_it_cannot_compute_a_course_helper(released, assignment):
    """A release has no reference: a course helper (planar_utils.sigmoid) cannot be served, and
    the self-check says so instead of calling it a missing module."""
    from autograder.grading import Grader
    from autograder.load.source import load_python_text
    from autograder.spec import load_assignment

    spec = load_assignment(assignment.name, released)
    source = ("import numpy as np\nfrom planar_utils import sigmoid\n\n"
              "def sigmoid_derivative(z):\n    s = sigmoid(z)\n    return s * (1 - s)\n")
    report = Grader(spec, public_only=True).grade_loaded(load_python_text(source, "mine.py"), "mine.py")
    derivative = next(f for f in report.functions if f.name == "sigmoid_derivative")
    said = " ".join(c.feedback for c in derivative.checks)
    assert derivative.score == 0 and "the self-check cannot compute (your grade will)" in said, said
