"""Self-checks for students: pytest in the template folder, and ``check()`` in a notebook.

Both grade on the public inputs only and print the same feedback as
``autograder check``.
"""

from __future__ import annotations

import ast
import inspect
import os
import re
from functools import cached_property
from pathlib import Path

from autograder.grading import Grader, SubmissionReport
from autograder.load.source import LoadedSource, load_cells, load_file
from autograder.report.feedback import Context, render_function, render_text
from autograder.spec import Assignment, assignment_names, load_assignment


class PublicChecks:
    """What the generated ``test_<name>.py`` uses: one grading, one test per function."""

    def __init__(self, assignment: str, test_file: str) -> None:
        self.name = assignment
        self.folder = Path(test_file).resolve().parent

    @cached_property
    def assignment(self) -> Assignment:
        return load_assignment(self.name)

    @property
    def functions(self) -> list[str]:
        return list(self.assignment.functions)

    @cached_property
    def submission(self) -> Path:
        chosen = os.environ.get("AUTOGRADER_SUBMISSION")
        if chosen:
            return Path(chosen).resolve()
        candidates = [self.folder / f"{self.name}{s}" for s in (".py", ".ipynb")]
        existing = [p for p in candidates if p.is_file()]
        if not existing:
            raise FileNotFoundError(f"no {self.name}.py or {self.name}.ipynb in {self.folder}")
        return max(existing, key=lambda p: (implemented_count(load_file(p)), p.suffix == ".py"))

    @cached_property
    def report(self) -> SubmissionReport:
        return Grader(self.assignment, public_only=True).grade_file(self.submission)

    def assert_passes(self, function: str) -> None:
        report = self.report
        if report.error:
            raise AssertionError(f"{self.submission.name}: {report.error}")
        result = next(f for f in report.as_dict()["functions"] if f["name"] == function)
        if not result["checks"]:
            import pytest

            pytest.skip(f"{function} has no public check; it is graded on hidden inputs")
        if result["score"] < result["max_score"] - 1e-9:
            __tracebackhide__ = True  # the student reads the feedback, not the grader's frames
            raise SelfCheckFailed(self.feedback(function))

    def feedback(self, function: str) -> str:
        """The text a failing test shows: the mistake's name on the first line, then the details."""
        report = self.report.as_dict()
        result = next(f for f in report["functions"] if f["name"] == function)
        first = next((m for m in result["mistakes"]), None)
        head = f"{function}: " + (f"[{first['id']}] {first['message'].splitlines()[0]}" if first else
                                  f"{result['score']:g} / {result['max_score']:g} on the public inputs")
        context = Context(report)
        context.explained = {f.key for f in context.findings if f.shown_in != function}  # said by its own test
        return head + "\n" + "\n".join(render_function(result, context=context))


class SelfCheckFailed(AssertionError):
    """A public self-check that failed: pytest shows only its text (see autograder.pytest_plugin)."""


def implemented_count(loaded: LoadedSource) -> int:
    """How many functions have a body that is not just a NotImplementedError stub."""
    count = 0
    for unit in loaded.units:
        if unit.kind != "def":
            continue
        try:
            tree = ast.parse(unit.source)
        except SyntaxError:
            continue
        node = tree.body[0]
        raises = any(
            isinstance(n, ast.Raise) and "NotImplementedError" in ast.unparse(n) for n in ast.walk(node)
        )
        count += not raises
    return count


class Feedback:
    """What ``check()`` returns: Jupyter shows its one-line repr under the printed feedback;
    the whole report is ``.report`` (and ``.text`` the feedback printed)."""

    def __init__(self, report: SubmissionReport, text: str) -> None:
        self.report, self.text = report, text

    def __repr__(self) -> str:
        r = self.report
        return f"<check: {r.score:g} / {r.max_score:g}{' — ' + r.error if r.error else ''}>"


def check(function: str | None = None, assignment: str | None = None) -> Feedback:
    """Grade the functions defined so far in this notebook (or script) on the public inputs."""
    loaded = _live_code()
    if loaded.error:
        text = f"Nothing to check yet: {loaded.error}"
        print(text)
        return Feedback(SubmissionReport("this notebook", assignment or "?", 0.0, error=loaded.error), text)
    spec = load_assignment(assignment or guess_assignment(loaded.functions))
    report = Grader(spec, public_only=True).grade_loaded(loaded, "this notebook")
    text = PUBLIC_ONLY + "\n" + render_text(report.as_dict(), functions=[function] if function else None)
    print(text)
    return Feedback(report, text)


PUBLIC_ONLY = "(self-check on the public inputs only; your grade adds hidden inputs)"


def without_check_calls(cell: str) -> str:
    """A cell without its ``check(...)`` lines: they are the self-check, not the student's code."""
    kept = [line for line in cell.splitlines() if not _CHECK_LINE.match(line)]
    return "\n".join(kept)


_CHECK_LINE = re.compile(r"^\s*(?:_\s*=\s*)?check\(.*\)\s*;?\s*(?:#.*)?$")


def guess_assignment(functions: list[str]) -> str:
    """The assignment whose function names overlap most with what is defined."""
    names = assignment_names()
    if not names:
        raise LookupError("no assignment found")
    return max(names, key=lambda n: len(set(load_assignment(n).functions) & set(functions)))


def _live_code() -> LoadedSource:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None and "In" in shell.user_ns:
        return load_cells([without_check_calls(c) for c in shell.user_ns["In"] if c], "this notebook")
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None
    module = inspect.getmodule(caller) if caller else None
    if module is not None and getattr(module, "__file__", None):
        return load_file(Path(module.__file__))
    return LoadedSource(error="cannot find the code to check (run check() inside a notebook or a script)")
