from pathlib import Path

import pytest

from autograder.grading import Grader
from autograder.run.sandbox.runner import Limits
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


# -- snapshot of every example's report (tests/test_examples.py) -------------------------------
# A change detector for refactors: the whole JSON report of every example, digested. A change
# meant to alter feedback regenerates it with `pytest tests/test_examples.py --update-snapshots`
# (review `git diff tests/snapshots/` before committing it).
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "example_reports.json"
_new_snapshot: dict = {}


def pytest_addoption(parser):
    parser.addoption("--update-snapshots", action="store_true", help="rewrite tests/snapshots/ from this run")


@pytest.fixture(scope="session")
def snapshot(request):
    import json

    stored = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.is_file() else {}
    return stored, request.config.getoption("--update-snapshots")


def pytest_sessionfinish(session, exitstatus):
    import json

    if _new_snapshot and session.config.getoption("--update-snapshots"):
        SNAPSHOT.parent.mkdir(exist_ok=True)
        stored = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.is_file() else {}
        stored.update(_new_snapshot)
        SNAPSHOT.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def report_digest(report) -> dict:
    """What the snapshot keeps of a report: scores and mistakes to read, a digest of the rest."""
    import hashlib
    import json

    whole = report.as_dict()
    return {
        "score": whole["score"],
        "functions": {f["name"]: f["score"] for f in whole["functions"]},
        "mistakes": sorted({m["id"] for f in whole["functions"] for m in f["mistakes"]}),
        "digest": hashlib.sha256(json.dumps(whole, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:16],
    }
