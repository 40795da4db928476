from pathlib import Path

import pytest

from autograder.grading import Grader
from autograder.sandbox.runner import Limits
from autograder.spec import assignment_names, load_assignment

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples" / "submissions" / "one_hidden_layer"
ALL_ASSIGNMENTS = assignment_names(ROOT)


@pytest.fixture(scope="session")
def assignment():
    return load_assignment("one_hidden_layer", ROOT)


@pytest.fixture(scope="session")
def grader(assignment):
    """One grader for the session: inputs and fingerprints are shared, as in a batch."""
    return Grader(assignment, limits=Limits(call_timeout_cap=3))


def mistake_ids(report, function=None):
    return {m.id for f in report.functions if function in (None, f.name) for m in f.mistakes}


def function_result(report, name):
    return next(f for f in report.functions if f.name == name)


@pytest.fixture(scope="session", params=ALL_ASSIGNMENTS)
def each_assignment(request):
    """Every assignment of the course, for tests that hold for all of them."""
    return load_assignment(request.param, ROOT)


_graders: dict = {}


def grader_for(name: str) -> Grader:
    """One shared grader per assignment (inputs and fingerprints built once)."""
    if name not in _graders:
        _graders[name] = Grader(load_assignment(name, ROOT), limits=Limits(call_timeout_cap=3))
    return _graders[name]
