"""Hostile and broken submissions cost themselves their marks, never the grader."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.run.sandbox.forkserver import ForkServer
from autograder.run.sandbox.runner import jail_support
from conftest import EXAMPLES, FIXTURES, function_result, mistake_ids

HOSTILE = FIXTURES / "hostile"


def test_infinite_loop_costs_only_that_function(grader):
    report = grader.grade_file(HOSTILE / "infinite_loop.py")
    assert report.error is None
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == 0
    feedback = " ".join(c.feedback for c in sigmoid.checks)
    assert "took longer than" in feedback and "while True" in feedback
    derivative = function_result(report, "sigmoid_derivative")
    assert derivative.score == derivative.max_score


def test_exit_calls_inside_functions_are_contained(grader):
    report = grader.grade_file(HOSTILE / "exits.py")
    assert report.error is None
    assert function_result(report, "sigmoid").score == 0
    assert "SystemExit" in " ".join(c.feedback for c in function_result(report, "sigmoid").checks)
    assert function_result(report, "sigmoid_derivative").score == 0
    # the worker died in sigmoid_derivative; the next function still ran in a fresh one
    layer = function_result(report, "layer_sizes")
    assert layer.score == layer.max_score


def test_crash_during_a_call_is_reported(grader):
    report = grader.grade_file(HOSTILE / "crash_on_call.py")
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == 0
    assert "exit code 7" in " ".join(c.feedback for c in sigmoid.checks)
    assert function_result(report, "sigmoid_derivative").score == 10


def test_top_level_exit_is_never_run(grader):
    report = grader.grade_file(HOSTILE / "exit_at_import.py")
    assert report.error is None
    assert function_result(report, "sigmoid").score == 5
    assert any("not run" in n and "os._exit" in n for n in report.notes)


def test_memory_eater_hits_the_limit(grader):
    report = grader.grade_file(HOSTILE / "memory_eater.py")
    assert function_result(report, "sigmoid").score == 0
    feedback = " ".join(c.feedback for c in function_result(report, "sigmoid").checks)
    assert "ran out of memory" in feedback or "took longer than" in feedback  # filling 2 GiB may take a while
    assert function_result(report, "layer_sizes").score == 5


def test_monkeypatching_numpy_and_forged_output_change_nothing(grader):
    report = grader.grade_file(HOSTILE / "monkeypatch_and_forge.py")
    assert report.error is None
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score < 1  # returns z: only its shape is right
    derivative = function_result(report, "sigmoid_derivative")
    assert derivative.score == 0
    assert "wrong-return-type" in mistake_ids(report, "sigmoid_derivative")  # the ndarray subclass is refused
    assert report.score < 10


@pytest.mark.parametrize("name, words", [
    ("empty.py", "empty"),
    ("syntax_error.py", "does not parse"),
    ("corrupt.ipynb", "not a readable notebook"),
])
def test_unloadable_files_get_a_clear_error_and_zero(grader, name, words):
    report = grader.grade_file(HOSTILE / name)
    assert report.score == 0
    assert words in report.error


def test_forked_grandchild_is_killed(grader, tmp_path):
    """daemon.py forks a process that sleeps for a minute. In the jail the fork is refused (one
    process per submission); without it the process is killed with its group. Fork servers and
    sandbox children lead their own sessions; a process forked by student code is in its child's
    session, so a sandbox process that does not lead its session is a survivor. Only processes
    of this test's own tree count, or orphans handed to init: another grader running on the
    machine at the same time has sandboxes of its own (a jailed child's inner process does not
    lead its session either)."""
    before = {p for p in os.listdir("/proc") if p.isdigit()}
    report = grader.grade_file(HOSTILE / "daemon.py")
    sigmoid = function_result(report, "sigmoid")
    if jail_support().seccomp:
        assert sigmoid.score == 0 and "Operation not permitted" in " ".join(c.feedback for c in sigmoid.checks)
    else:
        assert sigmoid.score == 5
    time.sleep(0.5)
    leftovers = []
    for pid in {p for p in os.listdir("/proc") if p.isdigit()} - before:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                sandboxed = b"autograder.run.sandbox.child" in handle.read()
            with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, session = int(fields[1]), int(fields[3])
        if sandboxed and session != int(pid) and (ppid == 1 or _descends_from(int(pid), os.getpid())):
            leftovers.append(pid)
    assert leftovers == []


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            return False
    return False


def test_student_process_holds_nothing_of_the_grader(grader):
    """The child is forked from a clean fork server, not from the grader: no reference, no calls."""
    report = grader.grade_file(HOSTILE / "looks_for_the_reference.py")
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == sigmoid.max_score, [c.feedback for c in sigmoid.checks if not c.passed]


def test_notebook_self_check_import_is_a_stand_in(grader, tmp_path):
    """`from autograder import check` (every student notebook has it) must not pull the grader
    into the child: the self-check is replaced by a stand-in that says it does nothing here."""
    path = tmp_path / "uses_check.py"
    path.write_text(
        "import sys\nimport numpy as np\nfrom autograder import check\n\n"
        "def sigmoid(z):\n"
        "    if 'autograder.grading' in sys.modules:\n"
        "        raise RuntimeError('the grader was imported into the sandbox')\n"
        "    check('sigmoid')\n"
        "    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))\n",
        encoding="utf-8",
    )
    report = grader.grade_file(path)
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == sigmoid.max_score, [c.feedback for c in sigmoid.checks if not c.passed]
    assert "does nothing while the grader runs" in report.output


def test_a_child_started_without_the_fork_server_grades_the_same(grader, monkeypatch):
    """Children forked by the fork server inherit the batch's inputs; a child started on its
    own is sent them. Both must see the same inputs, fresh for every call (an in-place update
    in one call must not leak into the next)."""
    names = ["correct_classic_npdot.py", "bug_interface_update_in_place.py", "bug_interface_cache_mutated.py",
             "bug_notebook_db2_keepdims.ipynb"]
    forked = [grader.grade_file(EXAMPLES / name).as_dict() for name in names]
    monkeypatch.setattr(ForkServer, "get", classmethod(lambda cls: None))
    started = [grader.grade_file(EXAMPLES / name).as_dict() for name in names]
    assert started == forked
    assert forked[0]["score"] == forked[0]["max_score"]
    assert {m["id"] for f in forked[1]["functions"] for m in f["mistakes"]} >= {"modifies-input"}


def test_a_call_that_swallows_its_time_out_costs_only_its_function(assignment):
    """The child cannot stop this call itself: the parent's deadline kills it, the calls left
    run again one reply at a time to find which call it was, and the others keep their marks."""
    from autograder.grading import Grader
    from autograder.run.sandbox.runner import Limits

    report = Grader(assignment, limits=Limits(call_timeout_cap=1, grace=0.5)).grade_file(HOSTILE / "swallows_timeout.py")
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == 0
    assert "took longer than" in " ".join(c.feedback for c in sigmoid.checks)
    for name in ("sigmoid_derivative", "layer_sizes"):
        result = function_result(report, name)
        assert result.score == result.max_score, [c.feedback for c in result.checks if not c.passed]


def test_each_submission_starts_in_an_empty_folder(grader, tmp_path):
    """Folders are reused between submissions only when the code left them empty: what one
    student writes is never seen by the next."""
    writer, reader = tmp_path / "writer.py", tmp_path / "reader.py"
    sigmoid = "def sigmoid(z):\n{}    return np.where(z >= 0, 1 / (1 + np.exp(-np.abs(z))), np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))))\n"
    writer.write_text("import numpy as np\n\n" + sigmoid.format("    open('left_behind.txt', 'w').write('x')\n"))
    reader.write_text("import os\nimport numpy as np\n\n" + sigmoid.format(
        "    if os.listdir('.'):\n        raise RuntimeError(f'found {os.listdir(\".\")}')\n"))
    for path in (reader, writer, reader):
        result = function_result(grader.grade_file(path), "sigmoid")
        assert result.score == result.max_score, (path.name, [c.feedback for c in result.checks if not c.passed])


def test_a_callable_that_fails_every_attribute_lookup_is_not_a_crash(grader):
    """Loading lists the submission's functions and what they call; an object that raises on
    every attribute must not take the whole file down with it."""
    report = grader.grade_file(HOSTILE / "odd_callable.py")
    assert report.error is None, report.error
    sigmoid = function_result(report, "sigmoid")
    assert sigmoid.score == sigmoid.max_score, [c.feedback for c in sigmoid.checks if not c.passed]


def test_attacks_held_before_the_jail_stay_held(grader):
    """Forged reply frames, a C-stack overflow, KeyboardInterrupt and values equal to anything
    cost their own function only."""
    report = grader.grade_file(HOSTILE / "held_attacks.py")
    assert report.error is None
    for name in ("sigmoid", "sigmoid_derivative", "layer_sizes", "initialize_parameters"):
        assert function_result(report, name).score < function_result(report, name).max_score / 2, name
    cost = function_result(report, "compute_cost")
    assert cost.score == cost.max_score, [c.feedback for c in cost.checks if not c.passed]


def test_folders_of_a_grading_process_that_died_are_swept():
    """A grading worker killed mid-batch never clears its spare submission folders: the batch
    sweeps those of processes that are gone, and leaves a living process's alone."""
    import tempfile

    from autograder.run.sandbox.runner import FOLDER_PREFIX, sweep_folders

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{int(gone.stdout)}-"))
    alive = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))
    try:
        sweep_folders()
        assert not dead.exists() and alive.is_dir()
    finally:
        shutil.rmtree(alive, ignore_errors=True)
        shutil.rmtree(dead, ignore_errors=True)
