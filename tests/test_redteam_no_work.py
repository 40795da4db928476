"""Red team on issue 17: points for work not done.

Each attack of tests/fixtures/hostile/no_work/ computes nothing in one function but hands
back what the checks reward on their own: a point where gradient descent does not move, an
input echoed as a result step (a cache ``(A, W, b)``, model's ``learning_rate``), or an input
returned unchanged that a catalogue mistake describes. Each is graded with the real grader
against a baseline that does the same nothing without the trick: the trick must earn nothing.
Each comment says what the attack got before it was fixed.
"""

import pytest

from conftest import FIXTURES, ROOT, function_result, grader_for

NO_WORK = FIXTURES / "hostile" / "no_work"


# (assignment, attack, the function attacked, baseline or None: then that function must get 0)
ATTACKS = [
    # nn_model returns W = 0 and b2 = log-odds of mean(Y), where gradient descent stands still:
    # continuing training from there gives the same, and the training property passed (5/5)
    ("one_hidden_layer", "ohl_nn_model_fixed_point.py", "nn_model", None),
    ("one_hidden_layer", "ohl_nn_model_all_zeros.py", "nn_model", None),
    # relu_backward is `return dA`: the catalogue's relu-backward-returns-dA, and a function whose
    # every mistake the catalogue names got its withheld points back (2.24/5; `dA * 2` got 0)
    ("deep_nn", "dnn_relu_backward_identity.py", "relu_backward", "dnn_relu_backward_garbage_baseline.py"),
    # the same, nudged off exact equality (red team 4): `dA * (1 + 1e-9)` and `dA + 1e-12` got 2.24/5
    ("deep_nn", "dnn_relu_backward_nudged.py", "relu_backward", "dnn_relu_backward_garbage_baseline.py"),
    ("deep_nn", "dnn_relu_backward_shifted.py", "relu_backward", "dnn_relu_backward_garbage_baseline.py"),
    # model returns constants, but learning_rate and num_iterations as given: those right steps
    # unlocked every gated check (6.95/15; 0 without the echo)
    ("logistic_regression", "lr_model_echo_settings.py", "model", "lr_model_no_echo_baseline.py"),
    # linear_activation_forward returns zeros and linear_cache = (A_prev, W, b) (5.36/10; 0 without)
    ("deep_nn", "dnn_linear_activation_forward_echo_cache.py", "linear_activation_forward",
     "dnn_linear_activation_forward_no_echo_baseline.py"),
    # linear_forward: Z = zeros, cache = (A, W, b) (3.37/5)
    ("deep_nn", "dnn_linear_forward_echo_cache.py", "linear_forward", None),
]


@pytest.mark.parametrize(("assignment", "attack", "function", "baseline"), ATTACKS,
                         ids=[a[1].removesuffix(".py") for a in ATTACKS])
def test_a_function_that_does_no_work_earns_nothing_by_a_trick(assignment, attack, function, baseline):
    grader = grader_for(assignment)
    report = grader.grade_file(NO_WORK / attack)
    assert report.error is None
    attacked = function_result(report, function)
    if baseline is None:
        assert attacked.lost_points and attacked.score < 0.5 * attacked.max_score, (attacked.score, attacked.notes)
        return
    honest = function_result(grader.grade_file(NO_WORK / baseline), function)
    assert attacked.score <= honest.score + 1e-9, (attacked.score, honest.score)
    assert attacked.score == 0


def test_a_cache_of_the_inputs_still_counts_beside_real_work():
    """The echo steps only count with a right step beside them: a correct submission keeps
    every point of linear_forward and linear_activation_forward, caches included."""
    report = grader_for("deep_nn").grade_file(
        ROOT / "examples" / "submissions" / "deep_nn" / "correct_coursera_template.py")
    for name in ("linear_forward", "linear_activation_forward"):
        result = function_result(report, name)
        assert result.score == result.max_score
        assert all(c.passed for c in result.checks if c.step in ("cache", "linear_cache"))
