"""The repair search points at the student's own line, and mutation testing finds holes.

Each fixture under tests/fixtures/repair/ is a correct example with one slip typed in
(expected.toml says which line and what the corrected expression holds); the repair must
name that line and that edit. Correct submissions never get a repair, a version that hangs
or floods costs only the search, and the operator mutants of the reference show the hole
an output layer of one unit leaves (W2ᵀ * dZ2 for W2ᵀ·dZ2).
"""

import dataclasses
import shutil
import sys

import pytest

from autograder.authoring import mutation
from autograder.grading import Grader
from autograder.judge.reference import reference_module
from autograder.judge.trusted import execute_trusted
from autograder.load.source import load_python_text
from autograder.run.sandbox.runner import Limits
from autograder.run.variants import Trials
from autograder.spec import load_assignment
from conftest import FIXTURES, ROOT, grader_for

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPAIR = FIXTURES / "repair"
EXPECTED = tomllib.loads((REPAIR / "expected.toml").read_text(encoding="utf-8"))


def _repairs(report, function):
    return [m for f in report.functions if f.name == function for m in f.mistakes if m.repair]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_repair_points_at_the_slipped_line_with_the_edit(name):
    expected = EXPECTED[name]
    report = grader_for(expected["assignment"]).grade_file(REPAIR / name)
    found = _repairs(report, expected["function"])
    assert found, f"no repair for {expected['function']}: {[m.message for f in report.functions for m in f.mistakes]}"
    edits = found[0].repair["edits"]
    assert any(expected["line"] in e["code"] for e in edits), edits
    assert any(expected["after"] in e["after"] for e in edits), edits
    if "not_named" in expected:  # a catalogue name that fits some values, not the slip
        assert all(m.id != expected["not_named"] for f in report.functions for m in f.mistakes)
    source = (REPAIR / name).read_text(encoding="utf-8").splitlines()
    for edit in edits:  # the line quoted is the student's own, at the line number said
        assert source[edit["line"] - 1].strip() == edit["code"]
        assert f"line {edit['line']}: `{edit['code']}`" in found[0].message


def test_a_renamed_function_accepted_gets_the_line_of_its_required_name():
    """With --accept-renamed, the student's backpropagation is graded as backward_propagation:
    the search edits the student's own def (its name followed from the required one) and the
    child runs each version under both names, so the file gets the line and the edit the same
    file gets with the function under its required name (ohl_da1_elementwise.py, renamed)."""
    grader = Grader(load_assignment("one_hidden_layer", ROOT), limits=Limits(call_timeout_cap=3), accept_renamed=True)
    report = grader.grade_file(REPAIR / "ohl_da1_elementwise_renamed.py")
    (mistake,) = _repairs(report, "backward_propagation")
    assert "line 55: `dZ1 = (W2.T * dZ2) * gprime` — with `np.dot(W2.T, dZ2)` here" in mistake.message
    (required,) = _repairs(grader_for("one_hidden_layer").grade_file(REPAIR / "ohl_da1_elementwise.py"),
                           "backward_propagation")
    assert (mistake.id, mistake.message, mistake.repair["fixes"]) == (required.id, required.message,
                                                                     required.repair["fixes"])
    assert [e | {"file": ""} for e in mistake.repair["edits"]] == [e | {"file": ""} for e in required.repair["edits"]]


def test_a_catalogue_mistake_keeps_its_name_and_gains_the_line():
    report = grader_for("one_hidden_layer").grade_file(ROOT / "examples" / "submissions" / "one_hidden_layer"
                                                       / "bug_dw1_missing_1_over_m.py")
    (mistake,) = _repairs(report, "backward_propagation")
    assert mistake.id == "dW1-missing-1-over-m" and mistake.source == "catalogue"
    assert "At line 55: `dW1 = dZ1 @ X.T` — with `dZ1 @ X.T / m` here, dW1 is right." in mistake.message


def test_a_step_the_repair_makes_right_is_not_a_second_mistake(tmp_path):
    """`A1 = cache["Z1"]` in backward_propagation: the catalogue names the tanh derivative
    written with Z1 (what it computes), the repair finds the line that fixes dZ1, dW1, db1 and
    dW2 at once; dW2 is then no second mistake of its own ("the values differ")."""
    source = (ROOT / "solutions" / "one_hidden_layer.py").read_text(encoding="utf-8")
    assert source.count('A1 = cache["A1"]') == 1
    path = tmp_path / "a1_from_z1.py"
    path.write_text(source.replace('A1 = cache["A1"]', 'A1 = cache["Z1"]'), encoding="utf-8")
    backward = next(f for f in grader_for("one_hidden_layer").grade_file(path).functions
                    if f.name == "backward_propagation")
    (mistake,) = backward.mistakes
    assert mistake.repair and "dW2" in mistake.repair["fixes"]


def test_the_hint_setting_hides_the_edit_from_students_but_not_from_the_instructor():
    assignment = dataclasses.replace(load_assignment("one_hidden_layer", ROOT), hint="line")
    report = Grader(assignment).grade_file(REPAIR / "ohl_dw2_z1_for_a1.py")
    (mistake,) = _repairs(report, "backward_propagation")
    assert "line 108: `dW2 = np.dot(dZ2, Z1.T) / m` — one array is used where another of the same shape belongs " \
           "here; with that fixed, dW2 is right." in mistake.message
    assert "`A1`" not in mistake.message
    assert mistake.repair["edits"][0]["after"] == "A1"  # the instructor's JSON has the edit


def test_a_wrong_hint_setting_is_a_clear_spec_error(tmp_path):
    shutil.copytree(ROOT / "assignments" / "logistic_regression", tmp_path / "assignments" / "logistic_regression")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    spec = tmp_path / "assignments" / "logistic_regression" / "assignment.toml"
    spec.write_text('hint = "everything"\n' + spec.read_text(encoding="utf-8"), encoding="utf-8")
    from autograder.spec import SpecError

    with pytest.raises(SpecError, match='hint must be "line" or "edit"'):
        load_assignment("logistic_regression", tmp_path)


@pytest.mark.parametrize("assignment", ["one_hidden_layer", "logistic_regression", "deep_nn"])
def test_correct_submissions_never_get_a_repair(assignment):
    folder = ROOT / "examples" / "submissions" / assignment
    manifest = tomllib.loads((folder / "expected.toml").read_text(encoding="utf-8"))
    files = [folder / n for n, e in manifest.items() if e["verdict"] == "full"]
    files += sorted((ROOT / "assignments" / assignment / "alternatives").glob("*.py"))
    for path in files:
        report = grader_for(assignment).grade_file(path)
        assert report.score == report.max_score, path.name
        assert not [m for f in report.functions for m in f.mistakes], path.name


def test_a_version_that_hangs_costs_only_the_search():
    """The edited versions run in the submission's jailed child, under its deadlines: one that
    loops forever, or floods the parent, gives no outcome, and the search's budget holds."""
    grader = grader_for("logistic_regression")
    loaded = load_python_text((ROOT / "solutions" / "logistic_regression.py").read_text(encoding="utf-8"), "s.py")
    calls = grader.workload.for_function("propagate")[:2]
    hang = "def propagate(w, b, X, Y):\n    while True:\n        pass\n"
    flood = "import numpy as np\ndef propagate(w, b, X, Y):\n    return np.zeros(2_000_000)\n"
    fine = "def propagate(w, b, X, Y):\n    return {'dw': w, 'db': 0.0}, 1.0\n"
    with Trials(loaded, grader.workload, seconds=3) as trials:
        shapes, results = trials.run("propagate", [fine, flood], calls, probe=True)
        assert {"w", "X", "m"} <= set(shapes)  # the shapes in scope of the function as loaded
        assert all(o is not None and o.ok for o in results[0])
        assert results[1][0] is not None and results[1][0].error["type"] == "TooLarge"
        assert results[1][1] is None  # the child was stopped: nothing more of that batch
        _, results = trials.run("propagate", [hang, fine], calls)  # a fresh child
        assert results[0][0] is not None and not results[0][0].ok and results[0][1:] + results[1] == [None, None, None]


def test_mutation_testing_finds_the_elementwise_product_hole(tmp_path):
    """With every output layer of one unit, W2ᵀ * dZ2 equals W2ᵀ·dZ2 on every graded input:
    the mutant survives (seen on the probe inputs only). The `outputs` case (n_y = 2) kills it."""
    def elementwise(assignment):
        grader = Grader(assignment, repair=False)
        base = execute_trusted(reference_module(assignment), grader.workload)
        found = mutation.mutants(grader.workload, base, grader.fingerprints, only={"backward_propagation"})
        return next(m for m in found if m.edit.before == "np.dot(W2.T, dZ2)" and m.edit.after == "W2.T * dZ2")

    assert elementwise(load_assignment("one_hidden_layer", ROOT)).verdict == "killed"
    shutil.copytree(ROOT / "assignments" / "one_hidden_layer", tmp_path / "assignments" / "one_hidden_layer")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    spec = tmp_path / "assignments" / "one_hidden_layer" / "assignment.toml"
    text = spec.read_text(encoding="utf-8")
    assert '"tall", "outputs", "extreme"' in text
    spec.write_text(text.replace('"tall", "outputs", "extreme"', '"tall", "extreme"'), encoding="utf-8")
    hole = elementwise(load_assignment("one_hidden_layer", tmp_path))
    assert (hole.verdict, hole.seen_on) == ("survived", "probe inputs only")


def test_validate_rows_fail_on_an_unlisted_survivor(tmp_path):
    shutil.copytree(ROOT / "assignments" / "deep_nn", tmp_path / "assignments" / "deep_nn")
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    spec = tmp_path / "assignments" / "deep_nn" / "assignment.toml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text[:text.index('[[survivor]]\nfunction = "linear_forward"')], encoding="utf-8")
    assignment = load_assignment("deep_nn", tmp_path)
    grader = Grader(assignment, repair=False)
    base = execute_trusted(reference_module(assignment), grader.workload)
    found = mutation.mutants(grader.workload, base, grader.fingerprints, only={"linear_forward", "compute_cost"})
    survived = {(m.function, m.edit.after, m.allowed is not None) for m in found if m.verdict == "survived"}
    assert ("linear_forward", "b.T", False) in survived
    assert any(f == "compute_cost" and listed for f, _, listed in survived)
    drafts = mutation.drafts(found)
    assert "[[mistake]]" in drafts and 'function = "compute_cost"' in drafts


def test_only_names_the_student_spelt_can_reach_an_edit():
    """The child reports the names in scope; one it invents (it may hold hidden inputs) must
    never become part of an edit, which the feedback quotes."""
    from autograder.diagnose import operators
    from autograder.diagnose.repair import _own_names
    from autograder.load.flow import parse_function

    source = "def f(cache, X):\n    A1 = cache['A1']\n    Z1 = cache['Z1']\n    return Z1 @ X.T\n"
    func = parse_function(source, "f")
    call = grader_for("one_hidden_layer").workload.for_function("backward_propagation")[0]
    reported = {"A1": [4, 5], "Z1": [4, 5], "X": [2, 5], "cache['A1']": [4, 5], "s3cr3t_0_517": [4, 5],
                "cache['x0_517']": [4, 5], "__import__('os')": [4, 5]}
    kept = _own_names(reported, func, call)
    assert set(kept) == {"A1", "Z1", "X", "cache['A1']"}
    afters = {e.after for e in operators.edits(func, kept)}
    assert "A1" in afters and not any("s3cr3t" in a or "x0_517" in a for a in afters)


def test_entries_stored_under_each_others_keys_are_said_swapped_without_the_search():
    """Without a line from the repair search, the analysis still says what happened: Z1 holds
    A1's values and A1 holds Z1's (it said "the values differ", blind check 5)."""
    grader = Grader(grader_for("one_hidden_layer").assignment, repair=False)
    report = grader.grade_file(FIXTURES / "repair" / "ohl_cache_entries_swapped.py")
    (mistake,) = next(f for f in report.functions if f.name == "forward_propagation").mistakes
    assert mistake.id == "misplaced" and set(mistake.affects) == {"A1", "Z1"}
    assert "swapped" in mistake.message
