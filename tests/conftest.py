from pathlib import Path

import pytest

from autograder.grading import Grader
from autograder.sandbox.runner import Limits
from autograder.spec import load_assignment

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = ROOT / "examples" / "submissions" / "one_hidden_layer"


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
