"""Red team, round 4 (a student who has read the source): the grader's own holes, as opposed to
the output sinks of tests/test_redteam_output.py. Each test grades a hostile submission of
tests/fixtures/hostile/ with the real grader; each comment says what the attack got before."""

from conftest import FIXTURES, grader_for

from autograder.grading import Grader
from autograder.run.sandbox.limits import Limits
from autograder.run.sandbox.runner import Sandbox
from autograder.spec import load_assignment
from conftest import ROOT

HOSTILE = FIXTURES / "hostile"


def test_one_clock_for_a_submission_whose_every_child_loads_slowly(monkeypatch):
    """A decorator spinning at load (18 s in the attack), every function wrong and naming the
    others: each caller judged on its own reloaded the file in a fresh child, each with a
    fresh deadline — 198 s for one `check` against a 120 s limit. Every child now counts
    against one clock: with 3 s for the submission and 1 s per load, at most four children
    start (the attack started eleven), none once the time is up."""
    started = []
    start = Sandbox.start

    def counted(box):
        started.append(box)
        return start(box)

    monkeypatch.setattr(Sandbox, "start", counted)
    grader = Grader(load_assignment("one_hidden_layer", ROOT), limits=Limits(submission_seconds=3.0))
    report = grader.grade_file(HOSTILE / "slow_load_every_child.py")
    assert report.error is None
    assert 1 <= len(started) <= 4, started
