"""A call that raised costs the steps the raising line feeds (judge.raised), read from the
student's own function: fixtures whose backward pass raises on the n_y = 2 input only. Also
what is said of a name never set and of keys left out by a loop (tests/fixtures/raised)."""

from __future__ import annotations

import ast

import pytest

from autograder.load.flow import Flow
from conftest import FIXTURES, grader_for

RAISED = FIXTURES / "raised"


def _backward(report):
    result = next(f for f in report.functions if f.name == "backward_propagation")
    lost = {c.step for c in result.checks if not c.passed and c.step}
    return result, lost


def test_a_raise_in_one_step_costs_that_step_and_not_the_others():
    """dW2 is 1-D: right values while n_y = 1, a ValueError for n_y = 2. dW1, db1 and db2,
    right on every other input, were all lost with it (4.58 of 35)."""
    report = grader_for("one_hidden_layer").grade_file(RAISED / "ohl_dw2_one_dimensional.py")
    result, lost = _backward(report)
    assert lost == {"dW2"}
    raised = [c for c in result.checks if not c.passed and "raised ValueError" in c.feedback]
    assert any(c.kind == "structure" for c in raised), "the raise itself still costs its check"
    assert 15 < result.score < result.max_score
    assert all(set(m.affects) <= {"dW2"} for m in result.mistakes)


def test_a_comment_after_the_raising_line_changes_nothing(tmp_path):
    """The line was taken for one that holds two statements, and nothing was spared (the course
    notebook's `dW2 = … # each row of A1 times dZ2`, blind check 5)."""
    source = (RAISED / "ohl_dw2_one_dimensional.py").read_text()
    line = "    dW2 = np.sum(dZ2 * A1, axis=1) / m\n"
    assert line in source
    (tmp_path / "commented.py").write_text(source.replace(line, line[:-1] + "  # each row of A1 times dZ2\n"))
    _, lost = _backward(grader_for("one_hidden_layer").grade_file(tmp_path / "commented.py"))
    assert lost == {"dW2"}


def test_a_raise_in_a_line_every_step_reads_costs_every_step():
    report = grader_for("one_hidden_layer").grade_file(RAISED / "ohl_dz2_raises.py")
    result, lost = _backward(report)
    assert lost == {"dW1", "db1", "dW2", "db2"}
    assert result.score < 10


def test_the_entries_of_a_returned_dict_are_followed_through_its_name():
    source = ("def f(a, b):\n"
              "    x = a * 2\n"          # 2: only 'x'
              "    y = b + 1\n"          # 3: only 'y'
              "    out = {'x': x}\n"     # 4
              "    out['y'] = y\n"       # 5
              "    return out\n")
    flow = Flow(ast.parse(source).body[0])
    assert set(flow.slice("x", "x")) == {2, 4}
    assert set(flow.slice("y", "y")) == {3, 5}
    unknown = Flow(ast.parse(source.replace("out['y'] = y", "out['y' + ''] = y")).body[0])
    assert {2, 3} <= set(unknown.slice("x", "x")), "an entry it cannot tell: the whole result"


@pytest.mark.parametrize("attack", ["ohl_guard_hides_elementwise.py", "ohl_elementwise_db2_sacrificed.py",
                                    "ohl_elementwise_db1_sacrificed.py"])
def test_a_line_made_to_raise_hides_no_mistake(attack):
    """dZ1 = W2.T * dZ2 is right only while n_y = 1. The attacks raise (or let dZ1 raise) where
    n_y > 1, and make the raising line's step wrong somewhere so that the raise looks like a
    mistake that shows anyway (red team 7: +19.62 and +13.08 with the data flow trusted). A step
    is spared only where the function, run again with the raising statement skipped, gets it
    right on that input: there dZ1 still raises, so nothing is spared."""
    grader = grader_for("one_hidden_layer")
    honest = grader.grade_file(RAISED / "ohl_elementwise.py")
    report = grader.grade_file(RAISED / attack)
    _, lost = _backward(report)
    assert {"dW1", "db1"} <= lost
    assert report.score <= honest.score + 1e-9, (report.score, honest.score)


def test_a_name_set_in_one_branch_only_is_said_as_python_said_it():
    """The repair search finds `Z` for `activation_cache` at the cache line, which is right but
    called it "one array is used where another belongs": the mistake is the name the sigmoid
    branch never sets. What Python said stays, with the branch hint and the repair's line."""
    report = grader_for("deep_nn").grade_file(RAISED / "dnn_cache_unset_in_sigmoid_branch.py")
    result = next(f for f in report.functions if f.name == "linear_activation_forward")
    (mistake,) = result.mistakes
    assert mistake.id == "exception" and "UnboundLocalError" in mistake.message
    assert "set only in some branches" in mistake.message
    assert mistake.repair and "with `Z` here instead of `activation_cache`" in mistake.message


def test_keys_missing_for_the_first_layer_point_at_the_loop():
    report = grader_for("deep_nn").grade_file(RAISED / "dnn_backward_loop_stops_early.py")
    result = next(f for f in report.functions if f.name == "L_model_backward")
    (mistake,) = [m for m in result.mistakes if m.id == "missing-keys"]
    assert "dA0" in mistake.message and "the first layer's entries" in mistake.message
    assert "stop one layer too early" in mistake.message


def test_a_result_that_is_an_input_unchanged_is_said_so():
    report = grader_for("deep_nn").grade_file(RAISED / "dnn_update_skips_b.py")
    result = next(f for f in report.functions if f.name == "update_parameters")
    (mistake,) = [m for m in result.mistakes if m.id == "input-unchanged"]
    assert set(mistake.affects) == {"b1", "b2", "b3"}
    assert "parameters['b1']" in mistake.message and "never updated" in mistake.message
