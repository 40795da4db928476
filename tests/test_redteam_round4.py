"""Red team, round 4 (a student who has read the source): the grader's own holes, as opposed to
the output sinks of tests/test_redteam_output.py. Each test grades a hostile submission of
tests/fixtures/hostile/ with the real grader; each comment says what the attack got before."""

import re

import pytest
from test_leaks import student_texts

from autograder.grading import Grader
from autograder.run.sandbox.limits import Limits
from autograder.run.sandbox.runner import Sandbox
from autograder.spec import load_assignment
from conftest import FIXTURES, ROOT, grader_for

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


CODE_BOOK = re.compile(r"\b(?:p\d+_\d|sign_minus|sign_plus)\b")


@pytest.mark.parametrize("name", ["leak_key_names_code_book.py", "leak_served_answer_via_key_names.py"])
def test_a_code_book_of_identifiers_says_nothing_on_hidden_inputs(name):
    """The file defines identifiers p0_0 … p11_9, and update_parameters returns the keys that
    spell a hidden input's digits (or, the second, the served reference's backward on hidden
    inputs it found in the child): "it has sign_minus, p0_1, p1_3, …" was W1[0, 0] of a hidden
    case to ten digits. On hidden inputs a listing names only the expected result's keys."""
    grader = grader_for("one_hidden_layer")
    report = grader.grade_file(HOSTILE / name)
    text = student_texts(report)
    assert "update_parameters" in text
    assert not CODE_BOOK.findall(text), CODE_BOOK.findall(text)[:12]


def test_a_caller_judged_on_its_own_cannot_show_the_served_reference_answers():
    """predict calls backward_propagation (a stub that lost points), so predict is judged again
    with the grader's backward; it calls that on inputs of its choosing and raised the answer
    on a public call: "ORACLE dW1=[0.06416, 0.1323] …", the reference's values. Calls made
    again show no text of the student's."""
    report = grader_for("one_hidden_layer").grade_file(HOSTILE / "oracle_through_served_helper.py")
    assert report.error is None
    text = student_texts(report)
    assert "ORACLE dW1=" not in text and "dW1=[" not in text  # (the raise line itself may be quoted)
