"""Submissions written in the course's own style get the verdict a human grader would give.

The fixtures under tests/fixtures/course/ import the course's helper modules (planar_utils,
dnn_utils, lr_utils, testCases), plot and train at top level, use %magic and !pip, older
signatures, renamed functions, a helper file beside the notebook and a syntax error; the
manifest (expected.toml) says, function by function, what each deserves.
"""

import sys

import pytest

from autograder.grading import Grader
from autograder.report.feedback import render_text
from autograder.run.sandbox.runner import Limits
from autograder.spec import load_assignment
from conftest import FIXTURES, ROOT, function_result, grader_for, mistake_ids

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COURSE = FIXTURES / "course"
MANIFEST = tomllib.loads((COURSE / "expected.toml").read_text(encoding="utf-8"))
CASES = [(key, False) for key in MANIFEST] + [(key, True) for key, e in MANIFEST.items() if "accept_renamed" in e]
KINDS = ("full", "none", "extension", "lost")


def expected(key: str, accept_renamed: bool = False) -> dict:
    """The verdict per function: this entry's, over the one it is ``like``."""
    entry = MANIFEST[key]["accept_renamed"] if accept_renamed else MANIFEST[key]
    base = expected(entry["like"]) if "like" in entry else {}
    listed = {name for kind in KINDS for name in entry.get(kind, ())}
    verdicts = {name: verdict for name, verdict in base.items() if name not in listed}
    for kind in KINDS:
        items = entry.get(kind, ())
        for name in items:
            verdicts[name] = (kind, items[name] if isinstance(items, dict) else None)
    return verdicts


def test_the_manifest_covers_every_fixture():
    helper_files = {"my_helpers.py"}  # imported by a notebook beside it, not submissions of their own
    files = {p.relative_to(COURSE).as_posix() for p in COURSE.rglob("*")
             if p.suffix in (".py", ".ipynb") and p.name not in helper_files}
    assert files == set(MANIFEST)


@pytest.mark.parametrize(("key", "accept_renamed"), CASES)
def test_course_style_submission_gets_what_a_human_would_give(key, accept_renamed):
    name = key.split("/")[0]
    grader = (Grader(load_assignment(name, ROOT), limits=Limits(call_timeout_cap=3), accept_renamed=True)
              if accept_renamed else grader_for(name))
    own_folder = key.count("/") > 1  # a notebook in a folder of its own may import the .py files beside it
    report = grader.grade_file(COURSE / key, siblings=own_folder)
    assert report.error is None, report.error
    verdicts = expected(key, accept_renamed)
    assert set(verdicts) == {f.name for f in report.functions}, "the manifest names every graded function"
    for function, (kind, detail) in verdicts.items():
        result = function_result(report, function)
        said = " ".join([*result.notes, *(c.feedback for c in result.checks)])
        failed = [c for c in result.checks if not c.passed]
        if kind == "full":
            assert result.score == result.max_score, (function, [c.feedback for c in failed][:2])
        elif kind == "none":
            assert result.score == 0, function
            assert detail in said or (detail == "not defined" and result.status == "missing"), (function, said)
        elif kind == "extension":
            assert failed and all(c.variant == "sigmoid" for c in failed), (function, [c.name for c in failed])
            assert "no `activation` parameter" in said, function
        else:
            assert result.score < result.max_score, function
            assert set(detail) <= mistake_ids(report, function), (function, mistake_ids(report, function))
    notes = MANIFEST[key]["accept_renamed"]["notes"] if accept_renamed else MANIFEST[key].get("notes", {})
    for function, words in notes.items():
        assert any(words in n for n in function_result(report, function).notes), function_result(report, function).notes


def test_a_correct_caller_keeps_its_points_and_says_which_helper_to_fix():
    """deep_nn: dW without 1/m in linear_backward costs linear_backward only; its callers are
    judged with the grader's linear_backward and say so."""
    report = grader_for("deep_nn").grade_file(COURSE / "deep_nn" / "course_bug_dw_no_m.ipynb")
    for caller in ("linear_activation_backward", "L_model_backward"):
        result = function_result(report, caller)
        assert result.score == result.max_score
        assert any("is right once your linear_backward is fixed" in n for n in result.notes), result.notes


def test_cascading_is_kept_for_an_assignment_that_asks_for_it():
    from dataclasses import replace

    assignment = load_assignment("deep_nn", ROOT)
    report = Grader(replace(assignment, cascade=True), limits=Limits(call_timeout_cap=3)).grade_file(
        COURSE / "deep_nn" / "course_bug_dw_no_m.ipynb")
    assert function_result(report, "L_model_backward").score < function_result(report, "L_model_backward").max_score


def test_course_helpers_are_computed_by_the_grader_and_said_once():
    report = grader_for("deep_nn").grade_file(COURSE / "deep_nn" / "course_correct.ipynb")
    said = [n for n in report.notes if "dnn_utils" in n]
    assert len(said) == 1 and "computed them with its own copy" in said[0]
    assert function_result(report, "relu_backward").status == "provided"


def test_a_classmates_file_beside_a_submission_is_never_imported(tmp_path):
    """In a class folder, bob.py beside alice's notebook is bob's: alice's `from bob import
    sigmoid_derivative` is not served from it, and neither is a link to it in her own folder."""
    folder = COURSE / "one_hidden_layer" / "with_helper_module"
    (tmp_path / "alice.ipynb").write_text((folder / "planar_week3.ipynb").read_text(encoding="utf-8").replace(
        "from my_helpers import", "from bob import"), encoding="utf-8")
    (tmp_path / "bob.py").write_text((folder / "my_helpers.py").read_text(encoding="utf-8"), encoding="utf-8")
    grader = grader_for("one_hidden_layer")
    flat = grader.grade_file(tmp_path / "alice.ipynb")
    assert function_result(flat, "sigmoid_derivative").score == 0
    own = tmp_path / "alice"
    own.mkdir()
    (own / "alice.ipynb").write_text((tmp_path / "alice.ipynb").read_text(encoding="utf-8"), encoding="utf-8")
    (own / "bob.py").symlink_to(tmp_path / "bob.py")
    linked = grader.grade_file(own / "alice.ipynb", siblings=True)
    assert function_result(linked, "sigmoid_derivative").score == 0
    (own / "bob.py").unlink()
    (own / "bob.py").write_text((tmp_path / "bob.py").read_text(encoding="utf-8"), encoding="utf-8")
    mine = grader.grade_file(own / "alice.ipynb", siblings=True)  # her own folder, her own file
    assert function_result(mine, "sigmoid_derivative").score == function_result(mine, "sigmoid_derivative").max_score


def test_a_class_in_folders_of_their_own_with_renamed_functions_accepted(tmp_path):
    """`autograder grade` on per-student folders: alice's notebook imports her own helper file
    beside it; bob renamed four functions. Accepting renamed functions is an option that
    changes verdicts: turning it on regrades the class and says why; bob's functions then count."""
    import shutil

    from autograder.classroom.batch import grade_class
    from autograder.classroom.gradebook import Gradebook
    from autograder.classroom.layout import discover

    folder = COURSE / "one_hidden_layer"
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "bob").mkdir()
    shutil.copy(folder / "with_helper_module" / "planar_week3.ipynb", tmp_path / "class" / "alice")
    shutil.copy(folder / "with_helper_module" / "my_helpers.py", tmp_path / "class" / "alice")
    shutil.copy(folder / "course_renamed.ipynb", tmp_path / "class" / "bob")
    assignment = load_assignment("one_hidden_layer", ROOT)
    subs, _ = discover([tmp_path / "class"], assignment.name)
    assert {s.student: s.path.name for s in subs} == {"alice": "planar_week3.ipynb", "bob": "course_renamed.ipynb"}
    book = Gradebook(tmp_path / "gradebook.sqlite")
    first = grade_class(assignment, subs, book, limits=Limits(call_timeout_cap=3)).reports
    alice = {f["name"]: f["score"] for f in first["alice"]["functions"]}
    assert alice["sigmoid_derivative"] == 10  # from her my_helpers.py
    assert {f["name"]: f["score"] for f in first["bob"]["functions"]}["backward_propagation"] == 0
    again = grade_class(assignment, subs, book, limits=Limits(call_timeout_cap=3), accept_renamed=True)
    assert list(again.why) == ["the assignment changed (the grading options (--accept-renamed))"]
    assert again.why[next(iter(again.why))] == 2  # the option is part of every grade's fingerprint
    bob = {f["name"]: f["score"] for f in again.reports["bob"]["functions"]}
    assert bob["backward_propagation"] > 0 and bob["layer_sizes"] == 5
    book.close()


def test_the_class_summary_counts_a_helpers_mistake_once():
    """Three students with dW missing its 1/m in linear_backward: one mistake each, counted in
    linear_backward, where it was made — not again in the two callers."""
    from autograder.report.summary import summarise

    report = grader_for("deep_nn").grade_file(COURSE / "deep_nn" / "course_bug_dw_no_m.ipynb").as_dict()
    common = summarise([{**report, "student": s} for s in ("a", "b", "c")])["common"]
    assert [(c.id, c.function, c.students) for c in common] == [("dW-missing-1-over-m", "linear_backward", 3)]


def test_a_mistake_is_placed_in_the_definition_that_was_graded():
    """The half-edited later cell does not parse: the earlier backward_propagation is graded,
    and its mistake is placed there (cell 17), not in the cell that was skipped (cell 24)."""
    report = grader_for("one_hidden_layer").grade_file(COURSE / "one_hidden_layer" / "course_half_edited_backward.ipynb")
    mistake = next(m for m in function_result(report, "backward_propagation").mistakes
                   if m.id == "dZ1-tanh-derivative-for-sigmoid")
    assert mistake.line.startswith("cell 17, line 15"), mistake.line


def test_an_old_signature_is_one_line_to_fix_and_no_cross():
    """The course's functions without this exercise's `activation`: "To fix" listed the same
    cause once per function (four lines), and the sigmoid steps that could not be checked
    showed ✘ as if computed wrong (blind check 4)."""
    report = grader_for("one_hidden_layer").grade_file(COURSE / "one_hidden_layer" / "course_correct.ipynb")
    text = render_text(report.as_dict())
    fix = text.split("To fix, in this order:\n")[1].split("\n  note:")[0]
    assert fix.count("no `activation`") == 1 and "they have no `activation` parameter" in " ".join(fix.split())
    assert all(name in fix for name in ("forward_propagation", "backward_propagation", "nn_model", "predict"))
    assert "add `activation='tanh'` to the parameters" in " ".join(fix.split())  # what to do, not only why
    assert "sigmoid:  dW1 –" in text and "sigmoid:  dW1 ✘" not in text


def test_the_class_summary_names_every_heavy_loss():
    """A function lost to an old signature, a cell that does not parse or a missing def has no
    named mistake: the class summary's column was empty for them (blind check 5)."""
    from autograder.classroom.batch import _unnamed_losses
    from autograder.grading import grade_safely

    grader = grader_for("one_hidden_layer")
    old = grade_safely(grader, "a", COURSE / "one_hidden_layer" / "course_correct.ipynb")
    broken = grade_safely(grader, "b", COURSE / "one_hidden_layer" / "course_script_syntax_error.py")
    assert _unnamed_losses(old) == {"signature-lacks-parameter", "sigmoid_derivative-not-defined"}
    assert "update_parameters-does-not-parse" in _unnamed_losses(broken)


def test_a_count_read_from_a_global_names_the_global_and_where_it_is_set():
    """propagate divides by the notebook's m_train: the report said "is m read from a global
    variable?" and blamed the step all others are computed from (blind check 5)."""
    report = grader_for("logistic_regression").grade_file(COURSE / "logistic_regression" / "course_global_m_train.ipynb")
    (mistake,) = [m for m in function_result(report, "propagate").mistakes if m.id == "wrong-count"]
    assert "reads `m_train`, set outside it at cell" in mistake.message
    assert "most likely in" not in mistake.message
