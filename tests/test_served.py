"""Course helpers computed by the grader: what a student who has read the source may try.

The child asks the trusted parent for a course helper's value (child.ServedHelper ->
run.sandbox.served -> judge.serving's limited worker). Each test is an attack on that
path by a submission: forge a request for a graded function's answer, ask for a name the
assignment does not serve, or hand the reference arguments that would exhaust the grader.
"""

import re

from conftest import EXAMPLES, function_result

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


# -- where a helper call is computed: the grading process only for arguments small by construction

def _encoded(*args):
    from autograder.run import wire

    buffers: list[bytes] = []
    return [wire.encode(a, buffers) for a in args], buffers


def test_small_arguments_are_answered_here_as_the_worker_would(assignment):
    """A training loop judged on its own asks for backward_propagation a few dozen times: those
    answers come from the grading process, and they are the limited worker's, bit for bit."""
    import numpy as np

    from autograder.judge.cases import build_workload
    from autograder.judge.serving import ReferenceServer
    from autograder.run import wire

    calls = [c for c in build_workload(assignment).calls
             if c.function in ("forward_propagation", "backward_propagation", "initialize_parameters")
             and c.visibility == "public"]
    assert calls
    here, there = ReferenceServer(assignment.solution), ReferenceServer(assignment.solution)
    try:
        for call in calls:
            args, buffers = _encoded(*call.args.values())
            value, out = here.compute(call.function, args, {}, buffers)
            assert here._proc is None, "a small call started the worker"
            there._proc = there._worker()  # the worker's answer to the same request, asked directly
            wire.send(there._proc.stdin, {"function": call.function, "args": args, "kwargs": {}}, buffers)
            reply, theirs = wire.receive(there._proc.stdout)
            mine, expected = wire.decode(value, out), wire.decode(reply["value"], theirs)
            flat = [mine] if not isinstance(mine, tuple) else list(mine)
            for a, b in zip(flat, [expected] if not isinstance(expected, tuple) else list(expected)):
                if isinstance(a, dict):
                    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
                else:
                    assert np.array_equal(a, b)
    finally:
        here.close()
        there.close()


def test_arguments_that_could_make_the_reference_work_long_go_to_the_limited_worker():
    """Each of these could make a reference function allocate gigabytes or loop for seconds in
    the grading process, where nothing can stop a numpy call: a large size or count, an
    integer array of sizes, a large or deeply nested value, a long list, an object the wire
    could not rebuild."""
    import numpy as np

    from autograder.judge.serving import bounded
    from autograder.run.wire import Opaque

    small = [np.ones((4, 400)), {"W1": np.ones((4, 2)), "b1": np.zeros((4, 1))}, 1.2, 3, "tanh", True, None,
             np.array([2, 4, 1]), [np.ones((3, 3))] * 10]
    assert bounded((small, {}))
    hostile = [
        10**9, -(10**6), np.int64(5000),  # n_h, m, num_iterations
        np.array([20000, 20000]), np.arange(100),  # layer_dims as an array
        np.ones((1, 2000)), np.ones((300, 300)),  # an axis over the bound; too many numbers in all
        [[[[[[[[1.0]]]]]]]], list(range(300)), {str(k): 1.0 for k in range(300)},
        "x" * 1000, complex(1, 2), Opaque("object", "?"),
    ]
    for value in hostile:
        assert not bounded(([value], {})), value
    assert not bounded(([np.ones((200, 200))] * 2, {}))  # each under the bound, not together


def test_a_call_with_a_large_argument_is_computed_by_the_limited_worker(assignment):
    import numpy as np

    from autograder.judge.serving import ReferenceServer
    from autograder.run import wire

    server = ReferenceServer(assignment.solution)
    try:
        args, buffers = _encoded(np.ones((1, 2000)))
        value, out = server.compute("sigmoid", args, {}, buffers)
        assert server._proc is not None
        assert wire.decode(value, out).shape == (1, 2000)
    finally:
        server.close()
