"""The otter-grader export, end to end with otter's own commands (no mocks).

``autograder export otter`` → ``otter assign`` → the student notebook filled with
real submissions → ``otter run`` (otter's local grading; ``otter grade`` needs
docker). Otter's total must be our score for the same notebook, its report must
name our mistakes, and the student notebook must carry no solution.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.authoring.generate import BEGIN, END
from autograder.integrations.otter import export
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXAMPLES = ROOT / "examples" / "submissions" / "one_hidden_layer"
NAME = "one_hidden_layer"
SUBMISSIONS = {  # label: (file, mistakes otter's report must name)
    "correct": (ROOT / "assignments" / NAME / "alternatives" / "matmul_operator.py", []),
    "no_w2_transpose": (EXAMPLES / "bug_dz1_missing_w2_transpose.py", ["dZ1-missing-W2-transpose"]),
    "tanh_from_z1": (EXAMPLES / "bug_tanh_from_z1.py", ["dZ1-tanh-derivative-from-Z1"]),
}


def _start(*args: str | Path, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([str(a) for a in args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finish(proc: subprocess.Popen, ok: tuple[int, ...] = (0,)) -> str:
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode in ok, f"{proc.args} exited {proc.returncode}:\n{out[-3000:]}"
    return out


def fill(student: Path, submission: Path, out: Path) -> None:
    """The student notebook with each answer cell replaced by the submission's function;
    the submission's other code (imports, helpers) goes in a cell of its own before them."""
    nb = nbformat.read(student, as_version=4)
    text = submission.read_text(encoding="utf-8")
    graded = load_assignment(NAME).functions
    nodes = ast.parse(text).body
    defs = {n.name: ast.get_source_segment(text, n) for n in nodes if isinstance(n, ast.FunctionDef)}
    extras = [ast.get_source_segment(text, n) or "" for n in nodes if getattr(n, "name", None) not in graded]
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(graded)
    for cell in answers:
        cell.source = defs[re.match(r"def (\w+)\(", cell.source).group(1)]
    nb.cells.insert(nb.cells.index(answers[0]), nbformat.v4.new_code_cell("\n\n".join(extras)))
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)


def solution_lines() -> set[str]:
    """Lines that only occur inside the solution's answer regions."""
    inside, outside, region = set(), set(), False
    for line in load_assignment(NAME).solution.read_text(encoding="utf-8").splitlines():
        if line.strip() in (BEGIN, END):
            region = line.strip() == BEGIN
            continue
        (inside if region else outside).add(line.strip())
    return {line for line in inside - outside if len(line) > 8}


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``autograder export otter`` then the real ``otter assign``.

    ``--no-run-tests``: export already checked that the solution earns full marks, and
    the correct submission below goes through otter's grading end to end.
    """
    work = tmp_path_factory.mktemp("otter")
    [master] = export(load_assignment(NAME), work / "master")
    _finish(_start(BIN / "otter", "assign", "--no-run-tests", master, work / "dist", cwd=work))
    return work / "dist"


def test_student_notebook_has_no_solution(dist: Path) -> None:
    student = dist / "student" / f"{NAME}.ipynb"
    nb = nbformat.read(student, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "np.dot(W2.T, dZ2)" not in student.read_text(encoding="utf-8")
    leaked = sorted(line for line in solution_lines() if line in code)
    assert not leaked, f"solution lines in the student notebook: {leaked}"
    answers = [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]
    assert len(answers) == len(load_assignment(NAME).functions)
    assert all(c.source.rstrip().endswith("...") for c in answers)
    tests = nb.metadata["otter"]["tests"]
    assert sorted(tests) == sorted(load_assignment(NAME).functions)
    assert "hidden=True" not in "".join(tests.values()), "hidden tests shipped to students"


def test_otter_scores_equal_ours_and_name_mistakes(dist: Path, tmp_path: Path) -> None:
    [zip_path] = (dist / "autograder").glob("*.zip")
    student = dist / "student" / f"{NAME}.ipynb"
    runs = {}
    for label, (source, _) in SUBMISSIONS.items():
        fill(student, source, tmp_path / "subs" / label / f"{NAME}.ipynb")
        (tmp_path / "otter" / label).mkdir(parents=True)
        runs[label] = _start(BIN / "otter", "run", "--no-logo", "-a", zip_path, "-o", tmp_path / "otter" / label,
                             tmp_path / "subs" / label / f"{NAME}.ipynb", cwd=tmp_path / "otter" / label)
    ours_run = _start(sys.executable, "-m", "autograder", "grade", "subs", "-a", NAME, "--out", "results",
                      "--json", "ours.json", cwd=tmp_path)
    _finish(ours_run)
    ours = {s["student"]: s
            for s in json.loads((tmp_path / "ours.json").read_text(encoding="utf-8"))["submissions"]}
    assert sorted(ours) == sorted(SUBMISSIONS), ours.keys()
    for label, (_, mistakes) in SUBMISSIONS.items():
        _finish(runs[label])
        results = json.loads((tmp_path / "otter" / label / "results.json").read_text(encoding="utf-8"))
        total = sum(t.get("score", 0) for t in results["tests"])
        assert round(total, 2) == ours[label]["score"], f"{label}: otter {total} != ours {ours[label]['score']}"
        assert sum(t.get("max_score", 0) for t in results["tests"]) == pytest.approx(100)
        report = "\n".join(t.get("output", "") for t in results["tests"])
        assert (ours[label]["score"] == 100) == (not mistakes), f"{label}: {ours[label]['score']}"
        for mistake in mistakes:
            assert f"[{mistake}]" in report, f"{label}: otter's report does not name {mistake}"
        if mistakes:
            assert "Why:" in report  # the explanation too, not only the name


def test_grader_check_shows_our_public_feedback(dist: Path, tmp_path: Path) -> None:
    """What a student sees: ``grader.check`` in a live kernel grades the cells run so far."""
    notebook = tmp_path / f"{NAME}.ipynb"
    fill(dist / "student" / f"{NAME}.ipynb", SUBMISSIONS["tanh_from_z1"][0], notebook)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "grader.check(" not in c.source or "backward_propagation" in c.source]
    nbformat.write(nb, notebook)
    _finish(_start(BIN / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--output", "run.ipynb",
                   notebook, cwd=tmp_path))
    [cell] = [c for c in nbformat.read(tmp_path / "run.ipynb", as_version=4).cells if "grader.check(" in c.source]
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in cell.outputs)
    assert "backward_propagation results" in shown and "[dZ1-tanh-derivative-from-Z1]" in shown
    # the checks the named mistake explains are not repeated (issue 16); nothing of the hidden inputs
    assert "Why:" in shown and "hidden inputs" not in shown


def _readme_block(heading: str) -> list[str]:
    """The command lines of the first ``sh`` block after ``heading`` in the README."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(heading):].split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_the_readme_commands_run_as_written(tmp_path: Path) -> None:
    """The README's otter commands, taken from its text and run by bash in a fresh folder (the
    install line aside): the folder `-o` names exists, otter's total is `autograder check`'s
    score, and otter's table has no scoreless "Public Tests" row."""
    lines = [line for line in _readme_block("### Using with otter-grader") if not line.startswith("pip install")]
    assign = next(i for i, line in enumerate(lines) if "otter assign" in line)
    env = {**__import__("os").environ, "PATH": f"{BIN}:{__import__('os').environ['PATH']}"}
    env.pop("AUTOGRADER_ROOT", None)

    def bash(script: str, ok: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode in ok, f"{script}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        return done.stdout

    bash("\n".join(lines[:assign + 1]))
    cd = lines[assign].split("&&")[0].strip()  # the block's `cd otter`
    fill(tmp_path / "otter" / "dist" / "student" / f"{NAME}.ipynb", SUBMISSIONS["tanh_from_z1"][0],
         tmp_path / "otter" / "submission.ipynb")
    [run_line] = [line for line in lines if line.split("#")[0].strip().endswith("submission.ipynb")
                  and "otter run" in line]
    [check_line] = [line for line in lines if line.startswith("autograder check")]
    shown = bash(f"{cd}\n{run_line}")
    assert "NaN" not in shown, shown
    [results] = (tmp_path / "otter" / "out").glob("results.json")
    tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    assert "Public Tests" not in {t["name"] for t in tests}
    checked = bash(f"{cd}\n{check_line}", ok=(1,))
    score = float(re.search(r": ([\d.]+) / 100", checked).group(1))
    assert 0 < score < 100 and round(sum(t["score"] for t in tests), 2) == score
