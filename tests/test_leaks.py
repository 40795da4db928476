"""What a submission controls never carries hidden inputs into what a student sees.

Each hostile submission below tries to print the grader's inputs into its feedback: as an
exception message, as the name of an exception type made on the spot, as the shape of a
returned array (or the length of a tuple), as the repr, type name or dict keys of a
returned object. Graded by the real grader, no hidden input value (nor any value the
reference computes on hidden inputs) may appear in any text a student gets: the
``autograder check`` text (every failed check), the Markdown and HTML feedback, and
Gradescope's results.json. On the public inputs, the same text still shows, capped, so a
student can debug. The rule is :mod:`autograder.judge.disclose`'s.
"""

import json
import re

import numpy as np
import pytest

from autograder.judge.cases import build_workload
from autograder.report.feedback import render_html, render_markdown, render_text
from autograder.report.gradescope import results_json
from conftest import EXAMPLES, FIXTURES, function_result

HOSTILE = FIXTURES / "hostile"


def student_texts(report) -> str:
    """Everything a student may be shown of a report, as one text."""
    entry = report.as_dict()
    return "\n".join([
        render_text(entry, verbose=True),
        render_markdown(entry, "student"),
        render_html(entry, "student"),
        json.dumps(results_json(entry), ensure_ascii=False),
    ])


def _floats(value, into):
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            _floats(item, into)
    elif isinstance(value, (np.ndarray, np.generic, float)):
        into += [float(x) for x in np.ravel(value) if np.isfinite(x) and x != round(float(x))]
    return into


def _first_values(value):
    """The first entry of every array of a call's inputs (what the hostile files encode)."""
    found = []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            found += _first_values(item)
    elif isinstance(value, np.ndarray) and value.size and value.dtype.kind == "f":
        found += [float(x) for x in value.ravel()[:2]]
    return found


def _calls(assignment, hidden):
    """The calls the grader makes, built the way it builds them (autograder.judge.cases): the hidden
    ones or the public ones."""
    return [c for c in build_workload(assignment).calls if (c.visibility != "public") == hidden]


def secrets(assignment):
    """Hidden input values and the reference's results on them, in the forms the attacks
    print them (repr of a float, 6 significant digits, its first six decimals as an
    integer), minus any form that a public value shares; and the shape codes of
    leak_shape_encodes_input.py."""
    def forms(calls, with_expected):
        texts, codes = set(), set()
        for call in calls:
            values = _floats(list(call.args.values()), [])
            if with_expected:
                values = _floats(call.expected, values)
            for x in values:
                texts |= {repr(abs(x)), f"{abs(x):.6g}", str(int(abs(x) * 1e6))}
            codes |= {int(abs(x) * 1e6) % 9000 + 1000 for x in _first_values(list(call.args.values()))}
        return texts, codes

    hidden_texts, hidden_codes = forms(_calls(assignment, hidden=True), with_expected=True)
    public_texts, public_codes = forms(_calls(assignment, hidden=False), with_expected=True)
    texts = {t for t in hidden_texts - public_texts if len(t.replace(".", "").lstrip("0")) >= 4}
    return texts, hidden_codes - public_codes


def leaked(text, assignment):
    texts, codes = secrets(assignment)
    found = [t for t in texts if re.search(rf"(?<![\d.]){re.escape(t)}(?!\d)", text)]
    found += [f"shape code {k}" for k in codes if re.search(rf"(?<![\d.]){k}(?![\d.])", text)]
    return found


def public_first_values(assignment, function, argument=None):
    call = next(c for c in _calls(assignment, hidden=False) if c.function == function)
    return _first_values(list(call.args.values()) if argument is None else call.args[argument])


@pytest.mark.parametrize("name", [
    "leak_raises_repr_of_inputs.py",   # (a) the message is the repr of the inputs
    "leak_exception_type_name.py",     # (b) the exception type's name encodes them
    "leak_shape_encodes_input.py",     # (c) a returned shape (or tuple length) encodes one
    "leak_object_repr.py",             # (d) a returned object's repr, type name, dict keys
])
def test_no_hidden_input_reaches_the_student(grader, assignment, name):
    report = grader.grade_file(HOSTILE / name)
    assert report.error is None, report.error
    assert report.score == 0
    text = student_texts(report)
    assert not leaked(text, assignment), f"{name} leaked hidden values into the feedback: {leaked(text, assignment)[:5]}"


def test_the_secrets_are_found_when_they_are_there(assignment):
    """The check above can fail: each form of a hidden value it looks for is found in a text
    that has it."""
    texts, codes = secrets(assignment)
    assert len(texts) > 1000 and len(codes) > 20
    call = next(c for c in _calls(assignment, hidden=True) if c.function == "sigmoid")
    x = next(x for x in _floats(call.args["z"], []) if abs(x) > 0.01)
    for shown in (repr(call.args["z"].tolist()), f"got {x:.6g}", f"E_{int(abs(x) * 1e6)}_1"):
        assert leaked(f"it raised {shown} — at", assignment), shown
    k = sorted(codes)[0]
    assert leaked(f"it has shape ({k},) instead of (4, 7)", assignment)


def test_public_inputs_still_show_the_students_text_capped(grader, assignment):
    report = grader.grade_file(HOSTILE / "leak_raises_repr_of_inputs.py")
    sigmoid = function_result(report, "sigmoid")
    public = [c for c in sigmoid.checks if c.visibility == "public" and not c.passed]
    x = public_first_values(assignment, "sigmoid")[0]
    assert any(f"it raised ValueError: [[[{x!r}" in c.feedback for c in public)
    for check in public:
        shown = re.search(r"it raised ValueError: (.*?) — at ", check.feedback).group(1)
        assert len(shown) <= 200
    hidden = [c for c in sigmoid.checks if c.kind in ("shape", "values", "gradcheck", "finite") and not c.passed]
    assert hidden and all("it raised ValueError — at " in c.feedback and "[[[" not in c.feedback for c in hidden)
    assert all("raise ValueError(repr(values))" in c.feedback for c in hidden)  # the place, from the grader's copy


def test_public_inputs_still_show_type_names_shapes_and_objects(grader, assignment):
    first = public_first_values(assignment, "sigmoid")
    named = student_texts(grader.grade_file(HOSTILE / "leak_exception_type_name.py"))
    assert f"it raised E_{int(abs(first[0]) * 1e6)}_{int(abs(first[1]) * 1e6)}: see the name" in named
    assert "it raised an exception — at" in named  # the same on hidden inputs
    shapes = grader.grade_file(HOSTILE / "leak_shape_encodes_input.py")
    code = int(abs(first[0]) * 1e6) % 9000 + 1000
    feedback = [c.feedback for c in function_result(shapes, "sigmoid").checks if not c.passed]
    assert any(f"it has shape ({code},)" in f for f in feedback)
    assert any("has a shape that matches none of the expected dimensions" in f for f in feedback)
    predict = [c.feedback for c in function_result(shapes, "predict").checks if not c.passed]
    code = int(abs(public_first_values(assignment, "predict", "X")[0]) * 1e6) % 9000 + 1000
    assert any(f"W1 is (4, 2) and code is ({code}, 2): a matrix product" in f for f in predict)
    assert any("W1 and code have shapes that cannot be multiplied as matrices" in f for f in predict)
    objects = student_texts(grader.grade_file(HOSTILE / "leak_object_repr.py"))
    assert f"it returned a R_{int(abs(first[0]) * 1e6)}_" in objects and "it is an object" in objects
    x = public_first_values(assignment, "backward_propagation", "X")[0]
    assert f"(it has {x!r}, " in objects  # the public dict's keys


def test_hidden_inputs_keep_shapes_made_of_known_dimensions(grader):
    """The dimension rule hides only what no dimension of the case explains: a lost keepdims
    is still said on the hidden inputs, with both shapes; the scaling by m too."""
    report = grader.grade_file(EXAMPLES / "bug_two_tanh_from_z1_and_db2_keepdims.py")
    backward = function_result(report, "backward_propagation")
    hidden = [c.feedback for c in backward.checks if c.visibility == "hidden" and c.step == "db2" and not c.passed]
    assert any("db2 has shape (1,) instead of (1, 1): the values are right" in f for f in hidden)
    report = grader.grade_file(EXAMPLES / "bug_dw1_missing_1_over_m.py")
    backward = function_result(report, "backward_propagation")
    hidden = [c.feedback for c in backward.checks if c.visibility == "hidden" and c.kind == "values" and not c.passed]
    assert hidden and all("times 7 (= m" in f and "expected 0" not in f and "got" not in f for f in hidden)


def test_a_public_call_cannot_raise_the_hidden_inputs_it_finds_in_the_child(grader, assignment):
    report = grader.grade_file(HOSTILE / "leak_reads_held_inputs.py")
    assert not leaked(student_texts(report), assignment)


def test_what_the_child_says_of_a_place_or_a_stop_is_checked():
    """A forged error record: a place that is not in the file, a Timeout whose message is a
    secret, an exit code. On hidden inputs only the grader's words are left; a place is quoted
    from the grader's copy of the file, never from the record."""
    from autograder.judge.disclose import Disclosure
    from autograder.judge.errors import explain_error

    sources = {"sub.py": ["def sigmoid(z):", "    return 1 / (1 + np.exp(-z))"]}
    hidden = Disclosure(open=False, dims=frozenset({1, 5, 7}), words=frozenset({"z", "np"}), sources=sources)
    public = Disclosure(open=True, sources=sources)
    forged = {"type": "Timeout", "message": "0.4806743734839156", "timeout": True,
              "frames": [{"file": "sub.py", "line": 2, "function": "sigmoid", "text": "0.8050106036601551"}]}
    said = explain_error(forged, hidden)
    assert "0.48" not in said and "0.80" not in said
    assert said == ("it took longer than its time limit — an infinite loop, or a loop far too long? It was running "
                    "sub.py, line 2: `return 1 / (1 + np.exp(-z))`")
    # on public inputs the time limit the sandbox reported is said (in the grader's sentence)
    assert "longer than 0.4806743734839156 s" in explain_error(
        {**forged, "message": "did not finish within 0.4806743734839156 s (an infinite loop?)"}, public)
    elsewhere = {"type": "ValueError", "message": "x", "frames": [{"file": "0.8050106036601551", "line": 1, "text": ""}]}
    assert explain_error(elsewhere, public) == "it raised ValueError: x"
    crash = {"type": "Crash", "message": "your code ended the grader's worker during the call (exit code 93: "
             "os._exit or a crash?)", "frames": []}
    assert "93" not in explain_error(crash, hidden) and "ended the grader's worker" in explain_error(crash, hidden)
    numpy = {"type": "ValueError", "message": "shapes (5,3) and (4321,2) not aligned", "locals": {"W": [5, 3], "Q": [4321, 2]},
             "frames": [{"file": "sub.py", "line": 2, "text": "return np.dot(W, Q)"}]}
    assert "4321" not in explain_error(numpy, hidden)  # the line quoted is the file's, which has no product


def test_notes_of_loading_are_rebuilt_from_the_file():
    from autograder.judge.disclose import load_notes
    from autograder.load.source import load_python_text

    loaded = load_python_text("import numpy as np\nfrom testCases_v2 import *\nW = np.zeros(3)\n", "sub.py")
    unit = loaded.units[-1]
    where = f"{unit.filename}, line {unit.lineno}"
    notes = load_notes([
        f"{where}: `W = np.zeros(3)` failed (E_480674_805010: {'x' * 500}) and was skipped",
        f"{where}: module `testCases_v2` is not available here; its names were replaced by placeholders",
        f"{where}: module `secret_0_4806743` is not available here; its names were replaced",
        "sub.py, line 99: `W = np.zeros(3)` failed (ValueError: 0.4806743734839156) and was skipped",
        "0.4806743734839156",
    ], loaded)
    assert len(notes) == 2
    assert notes[0].startswith(f"{where}: `{unit.source.strip()}` failed (E_480674_805010: xxx")
    assert len(notes[0]) < 300 and "testCases_v2" in notes[1]


def test_code_run_at_load_cannot_publish_hidden_inputs_as_parameter_names(grader, assignment):
    """The hidden inputs reach their child only after it has loaded the file, and hidden calls
    are bound to the signatures the other child (which never holds them) reported."""
    import struct

    report = grader.grade_file(HOSTILE / "leak_through_signature.py")
    text = student_texts(report)
    hidden = {struct.pack(">d", x).hex() for call in _calls(assignment, hidden=True)
              for value in call.args.values() for x in _floats(value, [])}
    assert hidden and not [h for h in hidden if h in text]


def test_only_the_arguments_the_grader_passed_can_be_said_changed(grader, assignment):
    """Names of "inputs changed in place" come from the child: the parent keeps only those of
    the arguments it sent (and their dict entries), so none can spell out an input."""
    report = grader.grade_file(HOSTILE / "leak_changed_names.py")
    assert not re.search(r"z\['k[0-9a-f]{3}'\]", student_texts(report))  # z is an array: it has no entries


def test_a_submission_cannot_trade_its_grade_for_a_grader_error(grader):
    """It dies on a hidden call after leaving a mark, and a child that sees the mark exits like
    a failed jail: the jail says it is ready before any student code runs, so that is the
    submission's own failure (a verdict), and the children after the hidden inputs are revealed
    share no output, so none sees the mark. What it printed on public inputs is kept as printed."""
    report = grader.grade_file(HOSTILE / "void_after_hidden.py")
    entry = report.as_dict()
    assert entry["error_kind"] is None and report.error is None
    sigmoid = function_result(report, "sigmoid")
    # its public calls pass, its hidden ones crash: no right hidden result, no points (red team 6)
    assert sigmoid.score == 0 and any(c.passed is False and "no points for this check yet" in c.feedback
                                      for c in sigmoid.checks if c.visibility == "public")
    derivative = function_result(report, "sigmoid_derivative")
    assert derivative.score == derivative.max_score
    assert "HIDDEN" not in report.output and "P" * 100 in report.output


TRICKY_SOURCES = [
    'x = "W1 in a string" + f"{hidden_name}"  # comment_name\ny = 0x1f + 1e-5 + 1_000j',
    's = """a \\""" still_in_string""" ; after_it = 1',
    "r = rb'\\'' ; also = r\"\\\"\" ; ok_name = 2",
    "t = '''unterminated\nstill_inside = 1\n",
    "u = 'open\nnext_line = 3",
    "def f(arg_name, *rest, key_word=1):\n    return [x for x in rest if x is not None]\n",
    "naïve_é = 1\nclass Klass(object): pass",
]


@pytest.mark.parametrize("text", TRICKY_SOURCES)
def test_the_words_of_a_submission_are_its_tokenizers_names(text):
    """Only names of code unlock the student's own words in feedback, never the words of a
    comment or a string (where any identifier could be parked): the grader's fast lexer must
    find exactly the NAME tokens of Python's tokenizer, up to where a string is left open."""
    import io
    import tokenize

    from autograder.judge.disclose import _code_names

    names: set[str] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME:
                names.add(token.string)
    except (tokenize.TokenError, SyntaxError):
        pass
    assert set(_code_names(text)) == names
