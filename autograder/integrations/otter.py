"""otter-grader export: a master notebook for ``otter assign`` whose tests call this engine.

Each graded function becomes one otter question. Its solution cell is the
function from the solution file, with our ``### BEGIN SOLUTION`` regions turned
into otter's ``# BEGIN SOLUTION`` so that ``otter assign`` replaces them by
``...``. Its tests are:

* one public test (0 points): what ``grader.check("name")`` shows students, our
  public-inputs feedback for the function;
* one hidden test (0 points) with our full diagnosis of the function (per-step
  results, named mistakes and why), so otter's report carries it;
* one hidden test per check of our engine, worth exactly that check's points.

Otter test cases are pass/fail with points and our checks are all-or-nothing, so
otter's total equals our score. The tests grade the notebook's source, as
``autograder check`` does: the submission file when otter grades (``otter run``
or ``otter grade``), the cells run so far (IPython ``In``) when a student checks.
"""

from __future__ import annotations

import ast
import hashlib
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat

from autograder.authoring.generate import BEGIN, END, split_cells
from autograder.grading import Grader, SubmissionReport
from autograder.load.source import LoadedSource, load_cells, load_file
from autograder.report.feedback import render_function
from autograder.spec import Assignment, load_assignment

OTTER_BEGIN, OTTER_END = "# BEGIN SOLUTION", "# END SOLUTION"
_OTTER_CELLS = ("init_grading_mode(", "Checker.check_if_not_already_checked(")


class ExportError(Exception):
    """The solution cannot be exported safely (a solution would reach students)."""


# ------------------------------------------------------------------ export


def export(assignment: Assignment, out_dir: Path) -> list[Path]:
    """Write OUT_DIR/<assignment>.ipynb, the master notebook for ``otter assign``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{assignment.name}.ipynb"
    path.write_text(nbformat.writes(master_notebook(assignment)) + "\n", encoding="utf-8")
    return [path]


def master_notebook(assignment: Assignment) -> nbformat.NotebookNode:
    """Config cell, then the solution's cells with one question per graded function."""
    checks = reference_checks(assignment)
    cells = [_raw(_assignment_config(assignment))]
    source = assignment.solution.read_text(encoding="utf-8")
    for cell in split_cells(source):
        if cell.kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(cell.source))
            continue
        for kind, text, name in _chunks(cell.source, assignment):
            if kind == "question":
                cells += _question(assignment, name, text, checks[name])
            else:
                cells.append(nbformat.v4.new_code_cell(text))
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for index, cell in enumerate(cells):  # deterministic ids keep the file stable
        cell["id"] = f"cell-{index:03d}-{hashlib.sha1(cell.source.encode()).hexdigest()[:8]}"
    nb.cells = cells
    return nb


def reference_checks(assignment: Assignment) -> dict[str, list[tuple[str, float]]]:
    """Every check of every function with its points, read from grading the solution.

    The list of checks depends only on the spec and the inputs, never on the
    submission, so it is the same for every student.
    """
    report = Grader(assignment).grade_file(assignment.solution)
    if report.error or report.score < report.max_score - 1e-6:
        raise ExportError(f"the solution does not earn full marks ({report.score} / {report.max_score}): "
                          f"{report.error or 'run `autograder check` on it'}")
    result: dict[str, list[tuple[str, float]]] = {}
    for fn in report.functions:
        names = [c.name for c in fn.checks]
        if len(set(names)) != len(names):
            raise ExportError(f"{fn.name}: two checks share a name; otter tests find checks by name")
        result[fn.name] = [(c.name, c.max_score) for c in fn.checks]
    return result


def _assignment_config(assignment: Assignment) -> str:
    # Tests live in the notebook metadata (student copy: public tests only) and in the
    # autograder zip (all tests); the exception-based format prints our message as is.
    return "\n".join([
        "# ASSIGNMENT CONFIG",
        f"name: {assignment.name}",
        "init_cell: true",
        "check_all_cell: false",
        "export_cell: false",
        "run_tests: true",
        "tests:",
        "    files: false",
        "    ok_format: false",
        # show_hidden: one row per test, hidden ones after the grades are published (as our own
        # Gradescope export does); no "Public Tests" summary row (scoreless: NaN in otter run's table)
        "generate:",
        "    show_hidden: true",
        "    force_public_test_summary: false",
    ])


def _chunks(code: str, assignment: Assignment) -> list[tuple[str, str, str]]:
    """Split a code cell: graded functions become questions, the rest plain cells.

    ``if __name__ == "__main__":`` blocks are dropped: in a notebook they would run
    (training and plotting) on every execution, including otter's grading.
    """
    lines = code.splitlines()
    tree = ast.parse(code)
    starts = [min([n.lineno] + [d.lineno for d in getattr(n, "decorator_list", [])]) for n in tree.body]
    bounds = [1] + starts[1:] + [len(lines) + 1]
    chunks: list[tuple[str, str, str]] = []
    plain: list[str] = []
    for node, begin, end in zip(tree.body, bounds, bounds[1:]):
        text = "\n".join(lines[begin - 1 : end - 1]).strip("\n")
        graded = isinstance(node, ast.FunctionDef) and node.name in assignment.functions
        if graded:
            if plain:
                chunks.append(("code", "\n\n".join(plain), ""))
                plain = []
            chunks.append(("question", text, node.name))
        elif isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            continue
        else:
            if BEGIN in text or END in text:
                raise ExportError(f"a solution region outside a graded function: {text.splitlines()[0]!r}")
            plain.append(text)
    if plain:
        chunks.append(("code", "\n\n".join(plain), ""))
    return chunks


def otter_solution(text: str, name: str) -> str:
    """Our solution markers as otter's; refuse a function whose body would ship whole."""
    out, regions = [], 0
    for line in text.splitlines():
        marker = line.strip()
        indent = line[: len(line) - len(line.lstrip())]
        if marker == BEGIN:
            out.append(indent + OTTER_BEGIN)
            regions += 1
        elif marker == END:
            out.append(indent + OTTER_END)
        elif re.search(r"# ?SOLUTION", line):  # otter's own single-line marker
            raise ExportError(f"{name}: otter would treat this line as a solution marker: {line.strip()!r}")
        else:
            out.append(line)
    if not regions:
        raise ExportError(f"{name} has no {BEGIN} region: its whole body would reach students")
    return "\n".join(out)


def _question(assignment: Assignment, name: str, text: str, checks: list[tuple[str, float]]) -> list:
    points = assignment.functions[name].points
    config = [
        "# BEGIN QUESTION",
        f"name: {name}",
        f"# {points:g} points: one hidden test per check of the autograder, worth that check's points",
    ]
    cells = [
        _raw("\n".join(config)),
        nbformat.v4.new_markdown_cell(f"**`{name}`** ({points:g} points). The `grader.check` cell after "
                                      "your answer shows the feedback on the public inputs."),
        _raw("# BEGIN SOLUTION"),
        nbformat.v4.new_code_cell(otter_solution(text, name)),
        _raw("# END SOLUTION"),
        _raw("# BEGIN TESTS"),
        _test(0, False, 0, f'"{assignment.name}", "{name}", public_only=True'),
        _test(1, True, 0, f'"{assignment.name}", "{name}"'),
    ]
    for index, (check, value) in enumerate(checks, start=2):
        args = f'"{assignment.name}", "{name}", check={check!r}, points={value!r}'
        cells.append(_test(index, True, value, args))
    cells += [_raw("# END TESTS"), _raw("# END QUESTION")]
    return cells


def _test(index: int, hidden: bool, points: float, args: str) -> nbformat.NotebookNode:
    source = "\n".join([
        '""" # BEGIN TEST CONFIG',
        f"hidden: {'true' if hidden else 'false'}",
        f"points: {points!r}",
        '""" # END TEST CONFIG',
        f"def test_{index}(env):",
        "    from autograder.integrations.otter import check_function",
        f"    check_function({args}, env=env)",
    ])
    return nbformat.v4.new_code_cell(source)


def _raw(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_raw_cell(text)


# ------------------------------------------------------------------ grading (runs inside otter)

_graders: dict[tuple[str, bool], Grader] = {}
_reports: dict[tuple[str, bool, str], SubmissionReport] = {}


def check_function(assignment: str, function: str, *, public_only: bool = False, check: str | None = None,
                   points: float | None = None, env: dict[str, Any] | None = None) -> None:
    """An otter test case: raise AssertionError with our feedback when ``function`` loses points.

    With ``check``, only that check of the full grading counts (one otter test per
    check, worth ``points``); otherwise the whole function (``public_only``: on the
    public inputs).
    """
    submission = _graded_submission()
    loaded = _without_otter(load_file(submission) if submission else notebook_source(env))
    # While otter grades, the public test reads the public checks of the one full grading
    # (it is worth 0 points): a second, public-only grading would only cost time.
    report = _grade(assignment, public_only and submission is None, loaded)
    if report.error:
        raise AssertionError(report.error)
    result = next((f for f in report.as_dict()["functions"] if f["name"] == function), None)
    if result is None:
        raise AssertionError(f"{function} was not graded")
    if public_only and submission:
        result = _public_view(result)
    if check is None:
        if result["score"] < result["max_score"] - 1e-9:
            raise AssertionError("\n" + "\n".join(render_function(result)))
        return
    found = next((c for c in result["checks"] if c["name"] == check), None)
    if found is None or (points is not None and abs(found["max_score"] - points) > 1e-4):
        raise AssertionError(f"{check}: this test no longer matches the autograder's checks; the instructor "
                             "must run `autograder export otter` and `otter assign` again")
    if not found["passed"]:
        raise AssertionError(_check_message(found, result["mistakes"]))


def _without_otter(loaded: LoadedSource) -> LoadedSource:
    """Drop otter's own imports (its init cell): no graded function uses them, and importing
    otter in the sandbox would cost seconds per grading."""
    def is_otter(source: str) -> bool:
        node = ast.parse(source).body[0]
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [getattr(node, "module", "")]
        return all(m == "otter" or str(m).startswith("otter.") for m in modules)

    units = [u for u in loaded.units if not (u.kind == "import" and is_otter(u.source))]
    return replace(loaded, units=units)


def _public_view(result: dict) -> dict:
    """A function's result limited to its public checks (no hidden inputs' values shown)."""
    checks = [c for c in result["checks"] if c["visibility"] == "public"]
    score = round(sum(c["score"] for c in checks), 2)
    return {**result, "name": f"{result['name']} (public checks)", "checks": checks, "score": score,
            "max_score": round(sum(c["max_score"] for c in checks), 2)}


def _check_message(check: dict, mistakes: list[dict]) -> str:
    """The check's feedback and the named mistakes that explain it."""
    lines = [f"{check['name']} — {check['feedback']}"]
    for m in mistakes:
        steps = {m["step"], *(m.get("affects") or [])}
        variants = m.get("variants") or []
        if check.get("step") in steps and (not variants or check.get("variant") in variants):
            lines.append(f"[{m['id']}] {m['message']}")
    return "\n".join(lines)


def _grade(assignment: str, public_only: bool, loaded: LoadedSource) -> SubmissionReport:
    """One grading per source: otter runs every test case against the same notebook."""
    digest = hashlib.sha1(repr((loaded.error, [(u.filename, u.source) for u in loaded.units])).encode())
    key = (assignment, public_only, digest.hexdigest())
    if key not in _reports:
        if len(_reports) > 16:  # a student's session re-grades after every edit
            _reports.clear()
        if (assignment, public_only) not in _graders:
            _graders[(assignment, public_only)] = Grader(load_assignment(assignment), public_only=public_only)
        _reports[key] = _graders[(assignment, public_only)].grade_loaded(loaded, "this notebook")
    return _reports[key]


def notebook_source(env: dict[str, Any] | None = None) -> LoadedSource:
    """The cells run so far in this notebook (IPython ``In``), as ``check()`` grades them."""
    cells = (env or {}).get("In")
    if cells is None:
        try:
            from IPython import get_ipython  # type: ignore[import-not-found]
        except ImportError:
            get_ipython = None
        shell = get_ipython() if get_ipython else None
        cells = shell.user_ns.get("In") if shell is not None else None
    if not cells:
        return LoadedSource(error="cannot find the notebook's code (run this inside the notebook)")
    return load_cells([c for c in cells if c and not any(s in c for s in _OTTER_CELLS)], "this notebook")


def _graded_submission() -> Path | None:
    """The file otter is grading (its grading mode runs in the submission folder), if any.

    Otter may run a question's tests from a ``grader.check`` cell in the middle of the
    notebook; grading the whole file makes the result independent of where, and equal
    to ``autograder check`` on the same file.
    """
    otter = sys.modules.get("otter")
    notebook = getattr(otter, "Notebook", None)
    if not getattr(notebook, "_grading_mode", False):
        return None
    here = Path.cwd()
    found = sorted(here.glob("*.ipynb")) or sorted(p for p in here.glob("*.py") if p.name != "__init__.py")
    return found[0] if len(found) == 1 else None
