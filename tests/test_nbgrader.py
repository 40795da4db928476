"""nbgrader end to end, with the real commands: export, generate, autograde, feedback.

The released notebook is filled with the functions of real submissions (one per
student); nbgrader's gradebook must then hold, per student and per test cell,
exactly the points `autograder grade` gives the same submitted notebooks, and the
feedback HTML must name the student's mistake.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from autograder.integrations.nbgrader import fill_released

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions" / "one_hidden_layer"
NAME = "one_hidden_layer"

STUDENTS = {  # student -> (submission file, functions left as the released stub)
    "correct": (ROOT / "solutions" / f"{NAME}.py", ()),
    "tanh_from_z1": (EXAMPLES / "bug_tanh_from_z1.py", ()),
    "no_transpose_no_predict": (EXAMPLES / "bug_dz1_missing_w2_transpose.py", ("predict",)),  # 0 for predict
    # every function delegates to the reference, found through the grader's package: the
    # grade(...) cells grade it in the jail, where the solutions cannot be read
    "steals": (ROOT / "tests" / "fixtures" / "hostile" / "steal_full_marks.py", ()),
}


def start(args: list[str], cwd: Path) -> subprocess.Popen:
    """``python -m ARGS`` with the venv's bin on PATH (nbgrader shells out to alembic)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.Popen([sys.executable, "-m", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def finish(process: subprocess.Popen) -> str:
    output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, f"{' '.join(map(str, process.args))} failed:\n{output}"
    return output


def run(args: list[str], cwd: Path) -> str:
    return finish(start(args, cwd))


def readme_commands() -> list[str]:
    """The README's nbgrader commands as written (its comment lines included, trailing comments not)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("### Using with nbgrader"):].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line if line.startswith("#") else line.split("  #")[0].strip()
            for line in block.splitlines() if line.strip() and not line.startswith("pip install")]


def test_nbgrader_autograde_matches_autograder_grade(tmp_path: Path) -> None:
    """The README's commands, from its text, in a fresh folder; the course is moved after export."""
    commands = readme_commands()
    assert [c.split()[:2] for c in commands if not c.startswith("#")] == [
        ["autograder", "export"], ["cd", "course"], ["nbgrader", "generate_assignment"], ["nbgrader", "autograde"],
        ["nbgrader", "generate_feedback"], ["autograder", "grade"]], commands
    (tmp_path / "before").mkdir()
    cwd = tmp_path / "before"
    for command in commands:
        if command.startswith("cd "):
            cwd = cwd / command.split()[1]
        elif command.startswith("#"):  # "students' notebooks go in submitted/STUDENT/…": put them there
            released = cwd / "release" / NAME / f"{NAME}.ipynb"
            assert "raise NotImplementedError()" in released.read_text(encoding="utf-8")
            for student, (submission, keep_stub) in STUDENTS.items():
                folder = cwd / "submitted" / student / NAME
                folder.mkdir(parents=True)
                nbformat.write(fill_released(released, submission, keep_stub), folder / f"{NAME}.ipynb")
        else:
            run(shlex.split(command), cwd)
        if command.startswith("autograder export"):
            config = (cwd / "course" / "nbgrader_config.py").read_text(encoding="utf-8")
            assert str(ROOT) not in config and str(tmp_path) not in config  # no absolute path: the course may move
            (cwd / "course").rename(tmp_path / "course")  # moved after export: it grades from its own copy
            cwd = tmp_path
    course = tmp_path / "course"
    assert cwd == course
    report = course / "results" / NAME / "report.json"
    ours = {r["student"]: r for r in json.loads(report.read_text(encoding="utf-8"))["submissions"]}
    assert len(ours) == len(STUDENTS), list(ours)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in STUDENTS:
            report = ours[student]
            submission = gradebook.find_submission(NAME, student)
            assert abs(submission.score - report["score"]) < 0.01, (student, submission.score, report["score"])
            assert submission.max_score == report["max_score"]
            for fn in report["functions"]:
                cell = gradebook.find_grade(f"test_{fn['name']}", NAME, NAME, student)
                assert abs(cell.score - fn["score"]) < 0.01, (student, fn["name"], cell.score, fn["score"])

    assert ours["correct"]["score"] == 100
    assert ours["steals"]["score"] == 0
    assert [f["score"] for f in ours["no_transpose_no_predict"]["functions"] if f["name"] == "predict"] == [0]
    buggy = ours["tanh_from_z1"]
    mistakes = [m for f in buggy["functions"] for m in f["mistakes"]]
    assert "dZ1-tanh-derivative-from-Z1" in {m["id"] for m in mistakes}
    page = (course / "feedback" / "tanh_from_z1" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", page)).split())
    for mistake in mistakes:
        assert f"[{mistake['id']}]" in text
        # the repair's place is numbered as each grading loaded the code (the kernel's cells run so
        # far, the file's code cells): the name, the text and the student's line are the same
        assert " ".join(mistake["message"].split(" At cell ")[0].split()) in text
        for edit in mistake.get("repair", {}).get("edits", []):
            assert f"`{' '.join(edit['code'].split())}`" in text

