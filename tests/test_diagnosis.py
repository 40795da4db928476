"""Analytic diagnosis of mistakes no catalogue entry describes (student-style variants)."""

from autograder.load.source import load_python_text
from conftest import EXAMPLES, function_result

BASE = (EXAMPLES / "correct_classic_npdot.py").read_text()


def grade(grader, old, new, extra=""):
    assert old in BASE
    report = grader.grade_loaded(load_python_text(BASE.replace(old, new) + extra, "variant.py"), "variant.py")
    return report


def findings(report, function):
    return function_result(report, function).mistakes


def test_unknown_mistake_in_dz1_is_located_upstream_once(grader):
    report = grade(grader, "1 - np.power(A1, 2))", "1 - np.power(A1, 3))")
    [finding] = findings(report, "backward_propagation")
    assert finding.step == "dZ1" and set(finding.affects) == {"dW1", "db1"}
    assert "most likely in dZ1" in finding.message


def test_m_read_from_a_global_is_said(grader):
    report = grade(grader, "    m = X.shape[1]\n\n    # First", "    m = X_train.shape[1]\n\n    # First",
                   "\nX_train = np.zeros((2, 400))\n")
    messages = " ".join(m.message for m in findings(report, "backward_propagation"))
    assert "divided by 400 instead of m" in messages and "global" in messages


def test_a_cost_with_the_right_value_in_an_array_says_so(grader):
    report = grade(grader, "    cost = float(np.squeeze(cost))  # makes sure cost is the dimension we expect.\n",
                   "    cost = np.array([[cost]])\n")
    [finding] = findings(report, "compute_cost")
    assert finding.id == "wrong-shape" and "the value is right" in finding.message
    cost = function_result(report, "compute_cost")
    assert 0 < cost.score < cost.max_score


def test_a_global_set_by_a_skipped_statement_is_named(grader):
    report = grade(grader, "    m = X.shape[1]\n\n    # First", "    m = X_train.shape[1]\n\n    # First",
                   "\nX_train, Y_train = load_planar_dataset()\n")
    text = " ".join(c.feedback for c in function_result(report, "backward_propagation").checks)
    assert "X_train is set by `X_train, Y_train = load_planar_dataset()`" in text


def test_an_error_inside_a_correct_helper_points_at_the_caller(grader):
    report = grade(grader, "grads = backward_propagation(parameters, cache, X, Y, activation)",
                   "grads = backward_propagation(parameters, cache, X.T, Y, activation)")
    notes = " ".join(function_result(report, "nn_model").notes)
    assert "raised inside your backward_propagation" in notes and "passes its own checks" in notes
    assert "X is (" in notes  # the shapes it was given
    assert function_result(report, "backward_propagation").score == function_result(report, "backward_propagation").max_score


def test_a_cell_compared_whole_agrees_with_its_calls_compared_one_by_one():
    """The diagnosis compares a student's cell (one step over several calls) with a mutant's
    in one go: all plain arrays as one vector, all errors as their signatures. Whenever it
    gives a verdict, the verdict must be that of comparing call by call."""
    import numpy as np

    from autograder.diagnose.mistakes import CellForm, MutantError, _matches
    from autograder.run.sandbox.trace import error_record

    def raised(left, right):
        try:
            np.dot(np.zeros(left), np.zeros(right))
        except ValueError as exc:
            return MutantError(error_record(exc, {}))
        raise AssertionError("np.dot should have failed")

    rng = np.random.default_rng(5)
    values = [
        lambda: raised((2, 3), (2, 3)), lambda: raised((4, 3), (4, 3)), lambda: raised((2, 3), (2, 3)),
        lambda: MutantError({"type": "KeyError", "message": "'W2'"}),
        lambda: np.ones((2, 3)), lambda: np.ones((2, 3)) * 2, lambda: np.ones((3, 2)), lambda: 0.5,
    ]
    verdicts, decided = [], 0
    for _ in range(800):
        size = int(rng.integers(1, 4))
        picks = rng.integers(0, len(values), size)
        got = [values[int(i)]() for i in picks]
        if rng.random() < 0.4:  # made the same way again: equal values, distinct error objects
            picks = picks if rng.random() < 0.5 else rng.integers(0, len(values), size)
        else:
            picks = rng.integers(0, len(values), size)
        other = [values[int(i)]() for i in picks]
        whole = CellForm.of(got).alike(CellForm.of(other, expected=True))
        one_by_one = all(_matches(g, o) for g, o in zip(got, other))
        if whole is not None:
            decided += 1
            assert whole == one_by_one, (got, other)
        verdicts.append(one_by_one)
    assert decided > 400 and 0 < sum(verdicts) < len(verdicts)


def test_deep_nn_layers_below_a_right_one_point_at_what_they_are_computed_from():
    """Every layer given dAL instead of the dA handed down (no catalogue entry): dA2, dW3 and
    db3 are right, everything below is wrong, so the finding points at dZ2 (spec `upstream`)."""
    from conftest import ROOT, grader_for

    path = ROOT / "examples" / "submissions" / "deep_nn" / "bug_every_layer_gets_dAL.py"
    report = grader_for("deep_nn").grade_file(path)
    # (on the n_y = 2 case, dAL handed to a relu layer also raises: a finding of its own)
    [finding] = [m for m in function_result(report, "L_model_backward").mistakes if m.id != "exception"]
    assert finding.step == "dZ2" and "most likely in dZ2" in finding.message
    assert "dA2" not in finding.affects and set(finding.affects) == {"dA1", "dW2", "db2", "dA0", "dW1", "db1"}


def test_nan_from_a_wrong_helper_is_not_blamed_on_the_caller_too():
    """The student's sigmoid gives nan for large z; propagate (which clips A before its logs)
    gets a nan cost only through it. With cascading, the sigmoid's mistake is named once in
    propagate, covering the cost too, and no mistake of propagate's own (such as a log of zero)
    is invented from the nan; by default propagate is judged with the grader's sigmoid and is right."""
    from dataclasses import replace

    from autograder.grading import Grader
    from conftest import ROOT, grader_for

    path = ROOT / "examples" / "submissions" / "logistic_regression" / "bug_sigmoid_exp_over_exp_plus_one_clipped_cost.py"
    cascading = Grader(replace(grader_for("logistic_regression").assignment, cascade=True)).grade_file(path)
    [finding] = function_result(cascading, "propagate").mistakes
    assert finding.id == "sigmoid-overflow" and finding.caused_by == "sigmoid"
    assert {"cost", "dw", "db"} <= set(finding.affects)
    alone = function_result(grader_for("logistic_regression").grade_file(path), "propagate")
    assert alone.score == alone.max_score and not alone.mistakes
    assert any("right once your sigmoid is fixed" in n for n in alone.notes)


def test_a_key_error_is_named_by_its_key(tmp_path):
    """A layer loop from 0 raises KeyError 'W0'; the catalogue's L = len(parameters) raises
    KeyError 'W4' (and its message asks for the len(parameters) // 2 the student wrote): the
    same kind of error with another key is not that mistake."""
    from conftest import ROOT, grader_for, mistake_ids

    source = (ROOT / "solutions" / "deep_nn.py").read_text(encoding="utf-8")
    loop = "for l in range(1, L + 1):  # noqa: E741 - the course names layers l"
    assert source.count(loop) == 1
    path = tmp_path / "update_from_layer_0.py"
    path.write_text(source.replace(loop, "for l in range(L):  # noqa: E741"), encoding="utf-8")
    report = grader_for("deep_nn").grade_file(path)
    assert "update-L-counts-W-and-b" not in mistake_ids(report, "update_parameters")
    update = function_result(report, "update_parameters")
    assert any("KeyError: 'W0'" in m.message for m in update.mistakes)
