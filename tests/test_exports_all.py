"""Every assignment goes through the nbgrader and otter exports with the tools' own
commands, and what they release to students holds no line of the solution."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat

from autograder.authoring.generate import BEGIN, END

BIN = Path(sys.executable).parent


def run(args: list, cwd: Path) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def answer_lines(assignment) -> set[str]:
    inside, outside, region = set(), set(), False
    for line in assignment.solution.read_text(encoding="utf-8").splitlines():
        if line.strip() in (BEGIN, END):
            region = line.strip() == BEGIN
            continue
        (inside if region else outside).add(line.strip())
    return {line for line in inside - outside if len(line) > 8}


def code_of(notebook: Path) -> str:
    return "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")


def test_nbgrader_and_otter_release_no_solution(each_assignment, tmp_path):
    name = each_assignment.name
    run([sys.executable, "-m", "autograder", "export", "nbgrader", name, tmp_path / "course"], cwd=each_assignment.root)
    run([BIN / "nbgrader", "generate_assignment", name, "--force"], cwd=tmp_path / "course")
    run([sys.executable, "-m", "autograder", "export", "otter", name, tmp_path / "otter"], cwd=each_assignment.root)
    run([BIN / "otter", "assign", "--no-run-tests", f"{name}.ipynb", "dist"], cwd=tmp_path / "otter")
    secret = answer_lines(each_assignment)
    for released in (tmp_path / "course" / "release" / name / f"{name}.ipynb",
                     tmp_path / "otter" / "dist" / "student" / f"{name}.ipynb"):
        code = code_of(released)
        leaked = sorted(line for line in secret if line in code)
        assert not leaked, f"{released.name} from {released.parts[-4]} leaks {leaked[:3]}"
        for function in each_assignment.functions:
            assert f"def {function}(" in code
