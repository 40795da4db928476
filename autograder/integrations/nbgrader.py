"""nbgrader: a source notebook with nbgrader cell metadata, and the ``grade()`` its test cells call.

nbgrader keeps doing what it does (strip solutions, lock cells, run the notebook,
store scores); our test cells hand it our score per function through nbgrader's
partial credit: a test cell whose last output (``execute_result``) is a number
is worth that many points (``nbgrader.utils.determine_grade``), an error or a
stderr output is worth 0. The printed feedback is the same as ``autograder check``'s.

Kept import-light at module level: the sandboxed child imports this module
whenever a graded notebook's test cells are loaded with the submission.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

    from autograder.spec import Assignment

_TEST_IMPORT = "from autograder.integrations.nbgrader import grade"
_TEST_LINE = re.compile(r"from autograder\.integrations\.nbgrader import grade|grade\(.*\)|#.*")
_STATUS = {"missing": "it is not defined", "not-implemented": "it still raises NotImplementedError"}
_MAIN_GUARD = re.compile(r'^if __name__ == ["\']__main__["\']:', re.MULTILINE)
_SKIP_AUTOGRADE = 'if os.environ.get("NBGRADER_EXECUTION") != "autograde":  # nbgrader autograde skips this'

CONFIG = '''"""nbgrader configuration written by `autograder export nbgrader`; run nbgrader from this folder."""

import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = "{course_id}"
# Where the kernels running the test cells find the assignments (their hidden inputs and
# mistakes): the copy `autograder export nbgrader` put beside this file, wherever it has moved.
os.environ["AUTOGRADER_ROOT"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "{grading}")
# The first test cell grades the whole notebook (a few seconds per student).
c.Execute.timeout = 300
'''
# the course's own copy of what grading needs (spec, catalogue, solution), beside nbgrader_config.py:
# the course does not depend on where the checkout it was exported from lives
GRADING = "autograder_course"


# --------------------------------------------------------------------------- export
def export(assignment: Assignment, course_dir: Path) -> list[Path]:
    """Write ``source/NAME/NAME.ipynb``, the course's copy of the assignment (``autograder_course/``:
    spec, catalogue, solution; export again after changing them) and ``nbgrader_config.py`` if absent,
    under ``course_dir``."""
    folder = Path(course_dir) / "source" / assignment.name
    folder.mkdir(parents=True, exist_ok=True)
    notebook = folder / f"{assignment.name}.ipynb"
    notebook.write_text(render_source_notebook(assignment), encoding="utf-8")
    written = [notebook]
    from autograder.classroom.distributed import course_files

    grading = Path(course_dir) / GRADING
    for rel, data in course_files(assignment).items():
        (grading / rel).parent.mkdir(parents=True, exist_ok=True)
        (grading / rel).write_bytes(data)
        written.append(grading / rel)
    config = Path(course_dir) / "nbgrader_config.py"
    if not config.exists():
        config.write_text(CONFIG.format(course_id=Path(course_dir).resolve().name, grading=GRADING),
                          encoding="utf-8")
        written.append(config)
    return written


def render_source_notebook(assignment: Assignment) -> str:
    """The instructor notebook: solution cells keep their markers, one test cell per function."""
    import nbformat

    from autograder.authoring.generate import BEGIN, graded_names, split_cells

    cells = []
    for index, cell in enumerate(split_cells(assignment.solution.read_text(encoding="utf-8"))):
        if cell.kind == "markdown":
            cells.append(_cell(nbformat.v4.new_markdown_cell(cell.source), f"md_{index:02d}"))
            continue
        names = graded_names(cell.source, assignment)
        if BEGIN not in cell.source:
            source = cell.source
            if _MAIN_GUARD.search(source):  # training and plots: not part of the grade, so not run by autograde
                source = "import os\n\n\n" + _MAIN_GUARD.sub(_SKIP_AUTOGRADE, source)
            cells.append(_cell(nbformat.v4.new_code_cell(source), f"code_{index:02d}"))
            continue
        cells.append(_cell(nbformat.v4.new_code_cell(cell.source), f"answer_{'_'.join(names) or index}",
                           solution=True, locked=False))
        for name in names:
            call = f'{_TEST_IMPORT}\n\ngrade("{assignment.name}", "{name}")'
            cells.append(_cell(nbformat.v4.new_code_cell(call), f"test_{name}", grade=True,
                               points=assignment.functions[name].points))
    for index, cell in enumerate(cells):  # deterministic ids keep the file stable
        cell["id"] = f"{cell.metadata['nbgrader']['grade_id'][:40]}-{index:02d}".replace("_", "-")
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "autograder": {"assignment": assignment.name},
    }
    return nbformat.writes(nb) + "\n"


def _cell(cell: Any, grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = True,
          points: float | None = None) -> Any:
    meta: dict[str, Any] = {"grade": grade, "solution": solution, "locked": locked, "task": False,
                            "schema_version": 3, "grade_id": grade_id}
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def fill_released(released: Path, submission: Path, keep_stub: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    """The released notebook with each answer cell replaced by the ``.py`` submission's definitions.

    Turns example submissions into the notebooks students would hand in, for tests and
    benchmarks against nbgrader. Functions named in ``keep_stub`` keep the released stub;
    the submission's other top-level code (imports, helpers, constants) goes first in the
    first answer cell, as a student would write it. Raises ``KeyError`` if the submission
    lacks a function of an answer cell.
    """
    import ast

    import nbformat

    source = Path(submission).read_text(encoding="utf-8")
    tree = ast.parse(source)
    defs = {n.name: ast.get_source_segment(source, n) for n in tree.body if isinstance(n, ast.FunctionDef)}
    nb = nbformat.read(released, as_version=4)
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    graded = {name for c in answers for name in re.findall(r"^def (\w+)\(", c.source, flags=re.MULTILINE)}
    extra = [ast.get_source_segment(source, n) for n in tree.body
             if not (isinstance(n, ast.FunctionDef) and n.name in graded) and not isinstance(n, ast.If)]
    for index, cell in enumerate(answers):
        names = re.findall(r"^def (\w+)\(", cell.source, flags=re.MULTILINE)
        stubs = {m.group(1): m.group(0) for m in re.finditer(r"^def (\w+)\(.*?(?=^def |\Z)", cell.source, re.M | re.S)}
        parts = (extra if index == 0 else []) + [stubs[n] if n in keep_stub else defs[n] for n in names]
        cell.source = "\n\n\n".join((p or "").strip() for p in parts)
    return nb


# --------------------------------------------------------------------------- grade (runs in the kernel)
_REPORTS: dict[tuple[str, str], dict] = {}  # (assignment, digest of the code) -> report dict, per kernel
_GRADERS: dict[str, Any] = {}
_NOTES_SHOWN: set[str] = set()


def grade(assignment: str, function: str) -> float | None:
    """Grade ``function`` from the code this kernel has run; print feedback, return the points.

    The number becomes the cell's ``execute_result``, which nbgrader reads as partial
    credit; a zero raises so nbgrader (and ``nbgrader validate``) sees a failed test.
    """
    autograding = os.environ.get("NBGRADER_EXECUTION") == "autograde"
    try:
        report = _grade_notebook(assignment)
    except Exception as exc:  # noqa: BLE001 - engine missing or misconfigured: say so, do not crash
        message = (f"The autograder cannot grade {function} here ({type(exc).__name__}: {exc}). "
                   "Your instructor's `nbgrader autograde` grades this cell.")
        if autograding:
            raise RuntimeError(message) from exc
        print(message)
        return None
    if report["error"]:
        points = _GRADERS[assignment].assignment.functions[function].points
        raise AssertionError(f"{function} earned 0 of {points:g} points: {report['error']}")
    result = next(f for f in report["functions"] if f["name"] == function)
    from autograder.report.feedback import render_function

    print("\n".join(render_function(result)))
    score = round(min(max(result["score"], 0.0), result["max_score"]), 4)
    if score <= 0:
        why = "; ".join(f"[{m['id']}] {m['message']}" for m in result["mistakes"]) or _STATUS.get(
            result["status"], "see the failed checks above")
        raise AssertionError(f"{function} earned 0 of {result['max_score']:g} points: {why}")
    return score


def _grade_notebook(assignment: str) -> dict:
    """One grading per assignment and version of the code: the test cells after an answer cell share it.

    Only what the kernel has run so far counts, as for nbgrader's own test cells; a new
    answer cell means a new grading (a fraction of a second once the grader is built).
    """
    from autograder.grading import Grader
    from autograder.load.source import load_cells
    from autograder.spec import load_assignment

    cells = [c for c in _executed_cells() if not _is_test_cell(c)]
    key = (assignment, hashlib.sha256("\0".join(cells).encode()).hexdigest())
    if key not in _REPORTS:
        if assignment not in _GRADERS:
            _GRADERS[assignment] = Grader(load_assignment(assignment))
        with warnings.catch_warnings(), contextlib.redirect_stderr(sys.stdout):  # stderr would zero the cell
            warnings.simplefilter("ignore")
            report = _GRADERS[assignment].grade_loaded(load_cells(cells, "this notebook"), "this notebook")
        _REPORTS[key] = report.as_dict()
        for note in _REPORTS[key]["notes"]:
            if note not in _NOTES_SHOWN:
                _NOTES_SHOWN.add(note)
                print(f"note: {note}")
    return _REPORTS[key]


def _is_test_cell(source: str) -> bool:
    """Our test cells (and empty ones) are left out: grading them would only add notes."""
    return all(_TEST_LINE.fullmatch(line.strip()) for line in source.splitlines() if line.strip())


def _executed_cells() -> list[str]:
    from IPython import get_ipython  # type: ignore[import-not-found]

    shell = get_ipython()
    if shell is None or "In" not in shell.user_ns:
        raise RuntimeError("grade() runs inside a notebook's test cells")
    return list(shell.user_ns["In"])

