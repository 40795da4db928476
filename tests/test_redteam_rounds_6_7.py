"""Red teams, rounds 6 and 7: a student who has read the repository and the student release.

Each test is an attack that worked before its fix: a file that only knows the release's
public answers; small files that made the repair search build millions of versions or edits
in the grading process, or exhaust its recursion; a helper module whose change did not make
its submission graded again; right shapes from a stub of nn_model. (Round 7's raises made to
hide a mistake are in tests/test_raised_steps.py.)
"""

from __future__ import annotations

import base64
import pickle

from autograder.grading import grade_safely
from autograder.judge.cases import build_workload
from conftest import EXAMPLES, FIXTURES, grader_for

LOOKUP = '''import base64
import pickle

import numpy as np

_ANSWERS = pickle.loads(base64.b64decode({table!r}))


def _same(a, b):
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and all(
            _same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    try:
        return np.shape(a) == np.shape(b) and bool(np.all(np.asarray(a) == np.asarray(b)))
    except Exception:
        return False


def _lookup(function, **args):
    for name, known, answer in _ANSWERS:
        if name == function and all(_same(args.get(k), v) for k, v in known.items() if k != "print_cost"):
            return True, answer
    return False, None

'''


def _public_answers_file(tmp_path, known: bool):
    """The red team's file: the public calls' recorded answers (what a release ships), and
    right-shaped constants everywhere else; with ``known`` False, the constants alone."""
    workload = build_workload(grader_for("one_hidden_layer").assignment)
    table = [(c.function, c.args, c.expected) for c in workload.calls if c.visibility == "public"] if known else []
    text = LOOKUP.format(table=base64.b64encode(pickle.dumps(table)).decode())
    path = tmp_path / ("lookup.py" if known else "constants.py")
    path.write_text(text + (FIXTURES / "redteam6" / "public_answers_fallback.py").read_text())
    return path


def test_the_public_answers_alone_earn_nothing_more_than_constants(tmp_path):
    """One right public answer unlocked every gated check (structure, shape, finite, inputs)
    on the hidden calls: 49.73 against 6.13 for the same file without the answers."""
    grader = grader_for("one_hidden_layer")
    lookup = grade_safely(grader, "mallory", _public_answers_file(tmp_path, known=True))
    constants = grade_safely(grader, "mallory", _public_answers_file(tmp_path, known=False))
    assert not lookup["error"] and not constants["error"]
    public_right = [c for f in lookup["functions"] for c in f["checks"] if c["kind"] == "public" and c["feedback"]
                    .startswith("no points for this check yet")]
    assert public_right, "the file did return the public answers: their checks are withheld, not failed"
    assert lookup["score"] <= constants["score"] + 1e-9, (lookup["score"], constants["score"])


def test_a_fix_repeated_on_many_lines_is_not_tried_in_every_pair(tmp_path, monkeypatch):
    """The catalogue's fix ("add / m") applies to each of 120 copies of the dW1 line: the search
    built every pair of them (7,140 versions, each the whole function's text; 1.6 GB for 300
    lines, before any time limit). Now a bounded number, and the mistake is still named."""
    from autograder.run.variants import Trials

    source = (EXAMPLES / "bug_dw1_missing_1_over_m.py").read_text()
    line = "    dW1 = dZ1 @ X.T\n"
    assert line in source
    path = tmp_path / "bomb.py"
    path.write_text(source.replace(line, "    dW1 = np.dot(dZ1, X.T)\n" * 120))
    tried = []
    original = Trials.run

    def counted(self, function, sources, calls, probe=False):
        tried.append(len(sources))
        return original(self, function, sources, calls, probe)

    monkeypatch.setattr(Trials, "run", counted)
    report = grade_safely(grader_for("one_hidden_layer"), "mallory", path)
    assert not report["error"]
    named = {m["id"] for f in report["functions"] if f["name"] == "backward_propagation" for m in f["mistakes"]}
    assert "dW1-missing-1-over-m" in named
    assert sum(tried) <= 400, tried


def test_a_changed_helper_module_is_graded_again(tmp_path):
    """carol/one_hidden_layer.py imports her own myhelpers.py. Changing only myhelpers.py left
    the first grade standing ("unchanged"): the gradebook hashed the graded file alone."""
    from autograder.classroom.batch import grade_class
    from autograder.classroom.gradebook import Gradebook
    from autograder.classroom.layout import discover

    assignment = grader_for("one_hidden_layer").assignment
    source = (EXAMPLES / "correct_classic_npdot.py").read_text()
    start = source.index("def sigmoid_derivative")
    end = source.index("\ndef ", start + 1)
    carol = tmp_path / "class" / "carol"
    carol.mkdir(parents=True)
    (carol / "myhelpers.py").write_text("import numpy as np\n\n\ndef sigmoid_derivative(z):\n"
                                        "    s = 1 / (1 + np.exp(-z))\n    return s * (1 - s)\n")
    (carol / "one_hidden_layer.py").write_text(
        source[:start] + source[end + 1:] + "\nfrom myhelpers import sigmoid_derivative  # noqa: E402\n")
    book = Gradebook(tmp_path / "gradebook.sqlite")

    def graded():
        subs, _ = discover([tmp_path / "class"], assignment.name)
        assert [s.own_folder for s in subs] == [True]
        return grade_class(assignment, subs, book, jobs=1)

    first = graded()
    assert first.graded == 1 and first.reports["carol"]["score"] == 100
    assert graded().skipped == 1  # nothing changed: not graded again
    (carol / "myhelpers.py").write_text("import numpy as np\n\n\ndef sigmoid_derivative(z):\n"
                                        "    return np.zeros_like(z)\n")
    again = graded()
    assert again.graded == 1 and again.reports["carol"]["score"] < 100


def _dw1_example_with(tmp_path, name: str, extra: str):
    source = (EXAMPLES / "bug_dw1_missing_1_over_m.py").read_text()
    line = "    dW1 = dZ1 @ X.T\n"
    assert line in source
    path = tmp_path / name
    path.write_text(source.replace(line, line + extra))
    return path


def test_an_expression_too_deep_for_the_search_costs_the_search_not_the_grade(tmp_path):
    """Red team 7: a 400-term sum in the function made the repair search's ast.unparse raise
    RecursionError; the batch stored "internal error, graded again on the next run", forever."""
    path = _dw1_example_with(tmp_path, "chain.py", "    junk = " + " + ".join(["A1"] * 400) + "\n")
    report = grade_safely(grader_for("one_hidden_layer"), "mallory", path)
    assert report["error"] is None and report["error_kind"] is None
    assert any("nested too deeply" in note for note in report["notes"])
    named = {m["id"] for f in report["functions"] for m in f["mistakes"]}
    assert "dW1-missing-1-over-m" in named


def test_a_function_far_longer_than_any_students_proposes_no_edit(tmp_path):
    """Red team 7: 80 lines of 12-entry dicts of long sums made 235,000 edits in the grading
    process (112 s, 2.5 GB) before any budget applied."""
    import ast

    from autograder.diagnose import operators

    entries = ", ".join(f"'k{i}': (A1 + A1 + A1) * {i}" for i in range(12))
    body = "".join(f"    d{j} = {{{entries}}}\n" for j in range(80))
    func = ast.parse(f"def f(A1):\n{body}    return A1\n").body[0]
    assert sum(1 for _ in ast.walk(func)) > operators.MAX_NODES
    assert operators.edits(func, {"A1": (4, 5)}) == []
    small = ast.parse(f"def f(A1):\n{body[:body.index(chr(10)) + 1]}    return A1\n").body[0]
    assert 0 < len(operators.edits(small, {"A1": (4, 5)})) <= operators.MAX_EDITS


def test_right_shapes_from_a_stub_are_no_training(tmp_path):
    """Red team 7: nn_model is compared by shape; zeros sized from n_h, X and Y, with no training,
    earned the shape checks. Its work is shown by the training property alone."""
    source = (EXAMPLES / "correct_classic_npdot.py").read_text()
    start = source.index("def nn_model")
    end = source.index("\ndef ", start + 1)
    stub = ('def nn_model(X, Y, n_h, num_iterations=10000, print_cost=False, activation="tanh"):\n'
            '    n_x, n_y = X.shape[0], Y.shape[0]\n'
            '    return {"W1": np.zeros((n_h, n_x)), "b1": np.zeros((n_h, 1)),\n'
            '            "W2": np.zeros((n_y, n_h)), "b2": np.zeros((n_y, 1))}\n')
    path = tmp_path / "stub.py"
    path.write_text(source[:start] + stub + source[end:])
    report = grade_safely(grader_for("one_hidden_layer"), "mallory", path)
    nn_model = next(f for f in report["functions"] if f["name"] == "nn_model")
    assert nn_model["score"] == 0
