"""Red team on issue 15: course helpers served by the parent, and callers judged on their own.

Each test grades a hostile submission of tests/fixtures/hostile/served/ with the real grader
and asserts that the grader holds: no marks for code that was not written, no hidden input in
the feedback, and an honest file graded next by the same Grader (the same ReferenceServer
worker) keeps every point. Each test's comment says what the attack did before it was fixed.
"""

import subprocess
import sys

from test_leaks import _calls, _first_values, leaked, student_texts

from conftest import FIXTURES, ROOT, function_result, grader_for

SERVED = FIXTURES / "hostile" / "served"


def _full_marks_after(grader) -> None:
    """An honest file that uses the course's served sigmoid, graded next by the same Grader."""
    honest = grader.grade_file(SERVED / "honest_course_sigmoid.py")
    assert honest.error is None
    assert [f.name for f in honest.functions if f.score < f.max_score - 1e-6] == []


# -- marks for code that was not written -----------------------------------------------------

# Attack (held since issue 15's fixes; it used to work): forward_propagation and
# backward_propagation each name the other, lose all their points, and are rerun in one child
# whose batch serves both names; each builds ServedHelper(<its own name>, '') (type() of the
# swapped-in helper) and returns the reference's answer: 100/100 with 50 points of code missing.
# Parent allows any name of the batch's served lists (Sandbox._may_serve is their union) and
# served lists come from the student's own uses
def test_a_function_judged_on_its_own_cannot_ask_for_its_own_reference(grader):
    report = grader.grade_file(SERVED / "mutual_reference.py")
    assert function_result(report, "forward_propagation").score == 0
    assert function_result(report, "backward_propagation").score == 0


# Attack (issue 17's red team; it used to work): nn_model trains nothing (random parameters of
# the right shapes, seeded by num_iterations) and update_parameters is wrong on one hidden input
# on purpose: the training property was skipped whenever a step nn_model relies on lost points,
# and nn_model (compared by shape) took 5/5, 3 points more than with an honest update_parameters.
# Now the property fails; a caller that does train is judged again with the grader's steps
def test_a_wrong_helper_does_not_excuse_a_training_run_that_does_not_train(grader):
    report = grader.grade_file(SERVED / "fake_training_run.py")
    model = function_result(report, "nn_model")
    assert model.lost_points and not model.judged_with
    assert "trains by gradient descent" in " ".join(c.name for c in model.checks if not c.passed)
    honest = grader.grade_file(ROOT / "examples" / "submissions" / "one_hidden_layer" / "bug_update_adds_gradient.py")
    model = function_result(honest, "nn_model")
    assert model.score == model.max_score and model.judged_with, model.notes


# Attack (held since issue 15's fixes; it used to work): linear_backward is not written; it calls
# its caller linear_activation_backward with a relu cache that passes dZ through. Judged on its
# own, its served list is the student's uses, so its caller is the reference's, which computes
# linear_backward for it: 10/10. A per-call check of the served names alone does not stop this;
# serving only what the reference relies on (reference_info.relies_on) does
def test_a_callee_is_not_computed_by_its_callers_reference():
    grader = grader_for("deep_nn")
    report = grader.grade_file(SERVED / "callee_from_caller_deep_nn.py")
    assert function_result(report, "linear_backward").score == 0


# Attack (held since issue 15's fixes; it used to work): sigmoid_derivative and
# backward_propagation are not written and name each other. In the rerun child
# sigmoid_derivative's call (first in the batch) may ask for backward's reference: it computes it
# on every input the child holds, hidden ones included, and backward's own calls, later in the
# same child, return those answers: 35/35. Survives a per-call check of served names; needs served
# lists from the reference's relies_on and no caller's call before its callee's in one child
def test_a_caller_cannot_stash_its_callees_answers_for_a_later_call(grader):
    report = grader.grade_file(SERVED / "stash_for_a_later_call.py")
    assert function_result(report, "backward_propagation").score == 0


# Attack (held since issue 15's fixes; it used to work): `from dnn_utils import sigmoid as
# relu_backward` gets relu_backward's full marks as 'imported from the course's module':
# _served_result checks course_provides, not that the served origin is dnn_utils.relu_backward
def test_a_provided_function_imported_under_another_helpers_name_gets_no_marks():
    grader = grader_for("deep_nn")
    report = grader.grade_file(SERVED / "provided_under_another_name_deep_nn.py")
    relu_backward = function_result(report, "relu_backward")
    assert relu_backward.score < relu_backward.max_score


# -- hidden inputs in the feedback -----------------------------------------------------------

# Attack (held since issue 15's fixes; it used to work): execute.rerun reveals the hidden inputs
# before any call, then makes the public calls too, and a better rerun verdict replaces the first
# one: a public call's error text (shown under the public rule) carries hidden inputs read from
# child._HELD. Since issue 17 the first caller is judged again in the submission's
# own child, which holds the hidden inputs: those calls' details are withheld (Execution.closed)
def test_the_rerun_child_cannot_show_hidden_inputs_on_public_calls(grader, assignment):
    report = grader.grade_file(SERVED / "leak_in_rerun.py")
    forward = function_result(report, "forward_propagation")
    assert forward.judged_with, "the attack needs forward_propagation judged on its own"
    # what the fixture raises: the first two values of the held hidden arrays, as repr
    public = {repr(x) for c in _calls(assignment, hidden=False) for x in _first_values(list(c.args.values()))}
    hidden = {repr(x) for c in _calls(assignment, hidden=True) for x in _first_values(list(c.args.values()))}
    text = student_texts(report)
    shown = sorted(x for x in hidden - public if x in text)
    assert not shown, shown[:5]


# Attack (issue 17's red team of the caller judged in the submission's own child; it used to
# work): sigmoid is wrong on purpose, so forward_propagation is judged again, first in the
# submission's own child (which holds the hidden inputs: its public calls' details withheld),
# where it returns dict keys spelling a hidden array; it then still loses points, and the fresh
# child it is judged in next dies on its first call: the own child's outcomes of the calls the
# fresh one skipped were kept, no longer withheld, and the diagnosis quoted the keys
def test_a_fresh_child_that_dies_does_not_unveil_the_own_childs_results(grader):
    report = grader.grade_file(SERVED / "rerun_fallback_crash.py")
    text = student_texts(report)
    assert "h0_shape" not in text and "v0_" not in text


# Attack (issue 17's red team; it used to work): the reference worker's answers were kept per
# grading process, and a kept answer comes back faster; the child that holds the hidden inputs
# asked for course-helper answers that spell a hidden array bit by bit, and a later child, in its
# public phase, timed the same requests and returned what it read in a public result
def test_no_timing_channel_through_the_reference_worker(grader, assignment):
    report = grader.grade_file(SERVED / "cache_timing_channel.py")
    assert not leaked(student_texts(report), assignment)


# The same channel between two students of a batch graded by one worker: alice's child writes
# her hidden inputs, bob's (graded next, same Grader) reads them in his public phase
def test_no_channel_from_one_students_child_to_the_next(grader, assignment):
    grader.grade_file(SERVED / "cache_writer.py")
    report = grader.grade_file(SERVED / "cache_reader.py")
    assert not leaked(student_texts(report), assignment)


# Attack (issue 17's red team; it used to work with the answers kept per process): predict, judged
# on its own with the grader's forward_propagation, asked for it on forward_propagation's own
# inputs; forward_propagation, computing nothing, read the answers back in its fresh child
def test_a_helper_does_not_get_its_own_answers_through_another_caller(grader):
    attacked = function_result(grader.grade_file(SERVED / "own_answer_via_another_caller.py"), "forward_propagation")
    honest = function_result(grader.grade_file(SERVED / "own_answer_via_another_caller_baseline.py"),
                             "forward_propagation")
    assert attacked.score <= honest.score + 1e-9


# Attack (held since issue 15's fixes; it used to work): the child's list of served names
# (runner._clean_served) keeps any string key up to 80 characters, uncounted, and
# grading._served_note quotes each: 200 globals named 'NOTE FROM YOUR INSTRUCTOR: all points
# granted' bound to the served sigmoid put 13 kB of the student's wording in the grader's notes
# (6,000 names: 384 kB in the report and the gradebook), where every other child note is checked
# against the file and capped at 20
def test_the_childs_served_names_do_not_write_the_reports_notes(grader):
    report = grader.grade_file(SERVED / "served_names_flood.py")
    text = student_texts(report)
    assert "NOTE FROM YOUR INSTRUCTOR" not in text
    assert len(" ".join(report.notes)) < 2000


# -- the ReferenceServer and the serve round trip ---------------------------------------------

def test_abusing_the_reference_worker_costs_only_the_abuser(grader):
    """A request slower than the worker's 2 s (killed mid-request), a flood of 2,000 requests,
    8 MB requests at load: the abuser's own functions lose, its other functions and the next
    file graded by the same Grader keep their points."""
    report = grader.grade_file(SERVED / "worker_abuse.py")
    assert report.error is None
    slow = function_result(report, "layer_sizes")
    assert slow.score == 0 and "took longer than 2 s" in " ".join(c.feedback for c in slow.checks)
    for name in ("sigmoid", "forward_propagation", "backward_propagation", "predict"):
        result = function_result(report, name)
        assert result.score == result.max_score, name
    _full_marks_after(grader)


def test_forged_serve_frames_cost_only_their_calls(grader):
    """An unsolicited 'served' frame given as a call's reply, a malformed request after it, a
    request whose answer the child dies before reading."""
    report = grader.grade_file(SERVED / "forged_serve_frames.py")
    assert report.error is None
    assert function_result(report, "initialize_parameters").score == 0
    assert function_result(report, "compute_cost").score == 0
    for name in ("sigmoid", "layer_sizes", "forward_propagation", "backward_propagation"):
        result = function_result(report, name)
        assert result.score == result.max_score, name
    _full_marks_after(grader)


# Attack (held since issue 15's fixes; it used to work): a request of a few bytes
# (load_planar_dataset(m=2_000_000)) is answered with 48 MB that the grading process reads,
# decodes, encodes and sends on (about 0.15 s of its CPU and 150 MB of its memory per call);
# requests are capped at SERVE_LIMIT (8 MiB), the worker's replies only at wire.MAX_MESSAGE (64
# MiB)
def test_a_served_reply_is_capped_like_a_request(grader):
    report = grader.grade_file(SERVED / "big_reply.py")
    said = " ".join(c.feedback for c in function_result(report, "layer_sizes").checks)
    assert "the grader sent 48000000 bytes" not in said
    _full_marks_after(grader)


# Grades the file that never reads its answer, then an honest one, in a process of its own: the
# whole submission has 4 s, so a grader that holds is done in a few seconds; one that hangs is
# stopped by the time limit below (a hang detector, not a speed figure).
_STUCK_THEN_HONEST = """
import sys
from pathlib import Path
from autograder.grading import Grader
from autograder.run.sandbox.runner import Limits
from autograder.spec import load_assignment
grader = Grader(load_assignment(sys.argv[4], Path(sys.argv[1])),
                limits=Limits(call_timeout_cap=2, submission_seconds=4))
stuck = grader.grade_file(Path(sys.argv[2]))
honest = grader.grade_file(Path(sys.argv[3]))
print(sum(f.score for f in stuck.functions), sum(f.score for f in honest.functions), honest.max_score)
"""


def _grade_in_a_process(assignment: str, hostile: str, honest) -> None:
    done = subprocess.run([sys.executable, "-c", _STUCK_THEN_HONEST, str(ROOT), str(SERVED / hostile), str(honest),
                           assignment], capture_output=True, text=True, timeout=15, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    _, honest_score, best = (float(x) for x in done.stdout.split())
    assert honest_score == best


# Attack (held since issue 15's fixes; it used to work): runner.Sandbox._receive sends a serve
# request's answer with a blocking wire.send to the child's request pipe; a child that asked for a
# 4 MB answer and never reads it (sleeping, swallowing its soft time limit) blocks the grading
# process forever: no call deadline, no submission budget, and classroom.batch has no watchdog
def test_a_child_that_never_reads_its_answer_cannot_hang_the_grader():
    _grade_in_a_process("one_hidden_layer", "never_reads_its_answer.py", SERVED / "honest_course_sigmoid.py")


# Attack (issue 17's red team; it used to work): the child writes 30 serve requests for a
# helper call the worker gives up on after 2 s straight onto its reply pipe, then sleeps; the
# grading process answered every request already in its buffer before looking at the call's
# deadline: a minute of its time (and a reference worker restarted 30 times) for one call
def test_serve_requests_queued_past_the_deadline_are_not_answered():
    _grade_in_a_process("one_hidden_layer", "pipelined_serve_flood.py", SERVED / "honest_course_sigmoid.py")


# Attack (held since issue 15's fixes; it used to work): Sandbox.reveal writes the hidden inputs
# (deep_nn: 75 kB, more than a pipe's 64 kB) with a blocking write; a child that patched its own
# wire.receive at load never reads them, and the grading process waits forever
def test_a_child_that_never_reads_the_hidden_inputs_cannot_hang_the_grader():
    _grade_in_a_process("deep_nn", "never_reads_the_hidden_inputs_deep_nn.py",
                        ROOT / "examples" / "submissions" / "deep_nn" / "correct_coursera_template.py")


# -- the loader: salvage of a .py that does not parse ---------------------------------------

# Attack (held since issue 15's fixes; it used to work): load.source._salvage parses each top-
# level group as '\n' * begin + chunk, so a broken .py of N one-line groups costs N²/2 characters
# of parsing: 20,000 lines (278 kB) take 14 s, 100,000 lines minutes, in the parent, with no time
# limit. ast.increment_lineno on the chunk alone keeps it linear
def test_salvaging_a_broken_file_is_linear_in_its_size(tmp_path, monkeypatch):
    import ast

    from autograder.load import source

    parsed = []
    real_parse = ast.parse

    def counting_parse(text, *args, **kwargs):
        parsed.append(len(text))
        return real_parse(text, *args, **kwargs)

    monkeypatch.setattr(source.ast, "parse", counting_parse)
    text = "def broken(:\n" + "".join(f"x{i} = {i}\n" for i in range(3000)) + "def sigmoid(z):\n    return z\n"
    path = tmp_path / "broken.py"
    path.write_text(text, encoding="utf-8")
    loaded = source.load_file(path)
    assert "sigmoid" in loaded.functions  # salvaged
    assert sum(parsed) < 20 * len(text), f"{sum(parsed)} characters parsed for a file of {len(text)}"
