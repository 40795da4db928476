"""Course helpers computed by the grader: what a student who has read the source may try.

The child asks the trusted parent for a course helper's value (child.ServedHelper ->
run.sandbox.served -> judge.serving's limited worker). Each test is an attack on that
path by a submission: forge a request for a graded function's answer, ask for a name the
assignment does not serve, or hand the reference arguments that would exhaust the grader.
"""

import re

import pytest

from autograder.spec import load_assignment
from conftest import EXAMPLES, ROOT, function_result

FORGE = "sys.modules['autograder.run.sandbox.child']._ask_parent"


def _with_body(function: str, body: str, head: str = "") -> str:
    """The correct submission with ``function``'s body replaced by ``body`` (and ``head`` on top)."""
    source = (EXAMPLES / "correct_classic_npdot.py").read_text(encoding="utf-8")
    start = re.search(rf"^def {function}\(.*?\):\n", source, flags=re.M)
    rest = re.search(r"^(def |\S)", source[start.end():], flags=re.M)
    end = start.end() + (rest.start() if rest else len(source[start.end():]))
    return head + source[:start.end()] + body + "\n\n" + source[end:]


def test_a_forged_request_for_a_graded_functions_answer_is_refused(grader, tmp_path):
    """backward_propagation asks the parent for the reference's backward_propagation (as a
    caller judged on its own would get it) and for one under a course module's name."""
    body = (f"    import sys\n    ask = {FORGE}\n"
            "    try:\n        return ask('', 'backward_propagation', (parameters, cache, X, Y, activation), {})\n"
            "    except Exception:\n        return ask('planar_utils', 'backward_propagation', "
            "(parameters, cache, X, Y, activation), {})\n")
    path = tmp_path / "forge.py"
    path.write_text(_with_body("backward_propagation", body), encoding="utf-8")
    report = grader.grade_file(path)
    backward = function_result(report, "backward_propagation")
    assert backward.score == 0
    said = " ".join(c.feedback for c in backward.checks)
    assert "does not compute" in said, said[:500]
    assert function_result(report, "forward_propagation").score == function_result(report, "forward_propagation").max_score


def test_a_course_helper_asked_to_exhaust_the_grader_costs_that_call_only(grader, tmp_path):
    """load_planar_dataset(m=10**10) would need 160 GB: the grader's worker runs out of its
    memory, the call fails, and the batch goes on (sigmoid is served again right after)."""
    head = "from planar_utils import load_planar_dataset, sigmoid as course_sigmoid\n"
    body = ("    X, Y = load_planar_dataset(m=10**10)\n"
            "    return (X.shape[0], 4, Y.shape[0])\n")
    source = _with_body("layer_sizes", body, head).replace(
        "def sigmoid(z):\n", "def sigmoid(z):\n    return course_sigmoid(z)\n", 1)
    path = tmp_path / "bomb.py"
    path.write_text(source, encoding="utf-8")
    report = grader.grade_file(path)
    assert report.error is None
    sizes = function_result(report, "layer_sizes")
    assert sizes.score == 0
    assert "ran out of memory" in " ".join(c.feedback for c in sizes.checks) or "took longer" in " ".join(
        c.feedback for c in sizes.checks)
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == sigmoid.max_score  # served by a fresh worker after the first one died


def test_a_request_the_parent_cannot_read_costs_the_call(grader, tmp_path):
    """A serve request whose arguments are objects the wire does not carry, then one for a
    name with no reference function behind it."""
    body = (f"    import sys\n    ask = {FORGE}\n"
            "    try:\n        ask('planar_utils', 'sigmoid', (object(),), {})\n    except Exception:\n        pass\n"
            "    return ask('planar_utils', 'plot_decision_boundary', (z,), {})\n")
    path = tmp_path / "odd.py"
    path.write_text(_with_body("sigmoid", body), encoding="utf-8")
    report = grader.grade_file(path)
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == 0 and "does not compute" in " ".join(c.feedback for c in sigmoid.checks)
    assert function_result(report, "layer_sizes").score == function_result(report, "layer_sizes").max_score


# -- where a helper call is computed: the grading process only for a graded function that runs
# straight through, on arguments small by construction (red team 8 broke the first version)

def _encoded(*args):
    from autograder.run import wire

    buffers: list[bytes] = []
    return [wire.encode(a, buffers) for a in args], buffers


def _server(assignment):
    from autograder.judge.serving import ReferenceServer

    return ReferenceServer(assignment.solution, frozenset(assignment.functions))


def test_small_arguments_are_answered_here_as_the_worker_would(assignment):
    """A training loop judged on its own asks for backward_propagation a few dozen times: those
    answers come from the grading process, and they are the limited worker's, bit for bit."""
    import numpy as np

    from autograder.judge.cases import build_workload
    from autograder.run import wire

    calls = [c for c in build_workload(assignment).calls
             if c.function in ("forward_propagation", "backward_propagation", "compute_cost")]
    assert len(calls) > 10
    here, there = _server(assignment), _server(assignment)
    try:
        for call in calls:
            args, buffers = _encoded(*call.args.values())
            value, out = here.compute(call.function, args, {}, buffers)
            assert here._proc is None, f"{call.id} started the worker"
            there._proc = there._worker()  # the worker's answer to the same request, asked directly
            wire.send(there._proc.stdin, {"function": call.function, "args": args, "kwargs": {}}, buffers)
            reply, theirs = wire.receive(there._proc.stdout)
            mine, expected = wire.decode(value, out), wire.decode(reply["value"], theirs)
            for a, b in zip(mine if isinstance(mine, tuple) else [mine],
                            expected if isinstance(expected, tuple) else [expected]):
                if isinstance(a, dict):
                    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
                else:
                    assert np.array_equal(a, b)
    finally:
        here.close()
        there.close()


def test_arguments_past_a_bound_are_not_small():
    """Each of these could make a reference allocate gigabytes or work for seconds in the
    grading process, where nothing can stop a numpy call."""
    import numpy as np

    from autograder.judge.serving import bounded
    from autograder.run.wire import Opaque

    small = [np.ones((4, 400)), {"W1": np.ones((4, 2)), "b1": np.zeros((4, 1))}, 1.2, "tanh", True, None,
             np.array([2, 4, 1]), [np.ones((3, 3))] * 10, np.ones((1, 400), dtype=int), np.zeros((3, 3), dtype=bool)]
    assert bounded((small, {}))
    hostile = [
        10**9, -(10**6), np.int64(5000),  # n_h, m, num_iterations
        np.array([20000, 20000]), np.arange(100), [512] * 3,  # sizes: too large, or three of them to multiply
        np.array([np.iinfo(np.int64).min, 3]),  # a size whose abs() overflows
        np.ones((1, 2000)), np.ones((300, 300)),  # an axis over the bound; too many numbers in all
        np.ones((8, 1024, 1, 1)),  # more than two axes: broadcasting two of them has no bound (red team 8)
        np.ones((4, 4), dtype=np.longdouble), np.ones((4, 4), dtype=np.float16),  # not vectorised, or odd
        [[[[[[[[1.0]]]]]]]], [0.5] * 300, {str(k): 1.0 for k in range(300)},
        "x" * 1000, complex(1, 2), np.ones(3, dtype=complex), Opaque("object", "?"),
    ]
    for value in hostile:
        assert not bounded(([value], {})), value
    assert not bounded(([np.ones((200, 200))] * 2, {}))  # each under the bound, not together
    assert not bounded(([512, 512], {"n": 512}))  # sizes counted across the arguments


def test_only_functions_that_run_straight_through_qualify():
    from autograder.judge.serving import straight_line

    source = """
def plain(x):
    return helper(x) * 2
def helper(x):
    return x + 1
def trains(x, n):
    for _ in range(n):
        x = plain(x)
    return x
def calls_a_loop(x):
    return trains(x, 3)
def squares(xs):
    return [x * x for x in xs]
def recursive(n):
    return 1 if n <= 1 else recursive(n - 1)
def maps(xs):
    return list(map(trains, xs))
"""
    assert straight_line(source) == {"plain", "helper"}


# Attacks of red team 8 on the first version, each now sent to the limited worker: a 4-d
# broadcast through deep_nn's served sigmoid_backward (7 s and 2 GB in the grader for each
# call), a course dataset loader asked for 256x256 images (26 s, 7 GB), nn_model's loop served
# to predict judged on its own (35 s), long-double arrays (0.8 s an iteration), three sizes.
ATTACKS = [
    ("deep_nn", "sigmoid_backward", lambda np: (np.ones((2, 1024, 1, 1)), np.ones((1, 1, 2, 1024)))),
    ("logistic_regression", "load_dataset", lambda np: (4, 4, 4)),
    ("one_hidden_layer", "nn_model", lambda np: (np.ones((2, 5)), np.ones((1, 5)), 4, 3)),
    ("one_hidden_layer", "forward_propagation",
     lambda np: (np.ones((2, 5), dtype=np.longdouble), {"W1": np.ones((4, 2)), "b1": np.ones((4, 1)),
                                                       "W2": np.ones((1, 4)), "b2": np.ones((1, 1))})),
    ("one_hidden_layer", "initialize_parameters", lambda np: (1024, 1024, 1024)),
]


@pytest.mark.parametrize("name, function, arguments", ATTACKS, ids=[a[1] for a in ATTACKS])
def test_a_call_that_could_exhaust_the_grader_goes_to_the_limited_worker(name, function, arguments):
    import numpy as np

    from autograder.judge.serving import HelperFailed

    assignment = load_assignment(name, ROOT)
    server = _server(assignment)
    try:
        args, buffers = _encoded(*arguments(np))
        try:
            server.compute(function, args, {}, buffers)
        except HelperFailed:
            pass  # (the worker's limits, or the reply's)
        assert server._proc is not None, "computed in the grading process"
    finally:
        server.close()
