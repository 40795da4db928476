"""What a student may be shown of what their own code produced: the one rule, enforced here.

Everything the sandbox child sends back is student-controlled: an exception's message and
its type's name (``type(secret, (Exception,), {})``), the frames (file, line, function, code
line), the names and shapes of the arrays in scope, the returned values and their shapes,
the repr of a returned object, the inputs said to be changed, the notes of loading. Code
that ran on hidden inputs can put those inputs (or anything else it read) into any of
them. Every text a student sees (check feedback, mistakes, notes: the ``autograder check``
text, the Markdown and HTML feedback, Gradescope's results.json, the pytest messages)
therefore describes the student's output through a :class:`Disclosure`, one per call
(:func:`for_call`):

* a call on **public inputs** (``open``): the student's own text may appear, capped: an
  exception message up to 200 characters, a type name up to 40 if it is a plain
  identifier (else "an exception"), the values it computed, dict keys, object types;
* a call on **hidden inputs**: only the grader's wording. An exception is named by its type
  only if that is a builtin or numpy exception (:data:`BUILTIN_ERRORS`); no message, no
  value computed by the student (nor where or how many entries differ), no expected value
  of the reference, no object repr or unknown type name; a shape, a length or a count only
  when every number in it is one of the case's known dimensions (its ``dims``, the shapes of
  its inputs and of the expected result, 1), else "a shape that matches none of the
  expected dimensions"; a name (a variable, a dict key, an input changed in place, an
  undefined name) only if it occurs in the submission's source as the grader loaded it and
  is one of the exercise's own names (its functions, parameters, steps, the identifiers of
  its reference) or a key of the call's inputs or expected result; and a listing of the
  student's dict keys names only keys the expected result has. (A file's own identifiers
  were a code book: returning keys p0_1, p1_3, … spelled a hidden input's digits, red team 4.)

In both, a place in the code is shown only as the grader's own copy of the submission has
it (a frame naming a file or line that is not there is dropped; the code line is read from
that copy, never from the child), at most :data:`LINE_CAP` characters of it (one line of a
million characters would be quoted by every check it fails), and quoted with
:func:`code_span` (fenced with more backticks than the line holds, so that a backtick in a
comment cannot end the quote and turn the rest into Markdown). A text about several calls (a mistake, a note, a "same
reason" line) is built from one call's text, made under that call's disclosure. Fixed
grader wording that only classifies an output (which check failed, "transposed", "times
m", a line number in the student's own file) stays: each carries a few bits at most. The
notes of loading (which runs on no input) get the public rule, rebuilt from the grader's
copy of the file (:func:`load_notes`).

What makes the public rule safe lies outside this module: the child makes every public
call before it is handed a hidden input, loads the file before it is handed any, and only
the output printed before the hidden inputs arrived is kept (``execute.execute``,
``Sandbox.reveal``). So nothing said under the public rule can carry a hidden input out
(``tests/test_leaks.py`` tries).
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from autograder.judge.course_modules import missing_module
from autograder.run.sandbox.runner import stopped_wording

if TYPE_CHECKING:
    from autograder.judge.cases import Call
    from autograder.load.source import LoadedSource
    from autograder.run.execute import Execution
    from autograder.spec import Assignment

MESSAGE_CAP = 200
LINE_CAP = 200  # characters of a line of the student's code quoted in feedback
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
TYPE_NAME_CAP = 40
WITHHELD_SHAPE = "a shape that matches none of the expected dimensions"
NEUTRAL_EXCEPTION = "an exception"
NEUTRAL_OBJECT = "an object"

# Exception names a student cannot choose freely: Python's own and numpy's.
BUILTIN_ERRORS = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type) and issubclass(value, BaseException)
) | {"LinAlgError", "AxisError", "DTypePromotionError", "TooHardError", "ComplexWarning", "RankWarning",
     "VisibleDeprecationWarning", "UFuncTypeError", "_UFuncNoLoopError", "_UFuncBinaryResolutionError",
     "_UFuncCastingError", "_UFuncInputCastingError", "_UFuncOutputCastingError", "_ArrayMemoryError"}
# Type names of returned objects the parent refuses to rebuild (wire.Opaque) that say nothing chosen.
BUILTIN_TYPES = frozenset(
    name for name, value in vars(builtins).items() if isinstance(value, type)
) | {"ndarray", "matrix", "MaskedArray", "recarray", "memmap", "function", "builtin_function_or_method",
     "method", "generator", "module", "NoneType", "input", "dict_keys", "dict_values", "dict_items", "Tensor"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# a variable, or an entry of a dict variable: dZ1, parameters['W1']
_NAME = re.compile(r"(?P<base>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<q>['\"])(?P<key>[A-Za-z_][A-Za-z0-9_]*)(?P=q)\])?")


@dataclass(frozen=True)
class Disclosure:
    """What may be said of one call's output (see the module docstring for the rule)."""

    open: bool
    dims: frozenset[int] = frozenset({1})
    words: frozenset[str] = frozenset()
    sources: Mapping[str, list[str]] = field(default_factory=dict)
    trusted: bool = False  # the grader's own code (reference, mutants): nothing to hide, frames as they are
    keys: frozenset[str] = frozenset()  # the expected result's dict keys: what a listing may name on hidden inputs

    # -- text ------------------------------------------------------------------------------
    def message(self, text: Any) -> str | None:
        """An exception message (or any free text of the student's): capped, public only."""
        if not self.open:
            return None
        text = str(text)
        return text if self.trusted or len(text) <= MESSAGE_CAP else text[:MESSAGE_CAP - 1] + "…"

    def exception(self, kind: Any) -> str | None:
        """An exception's type name, or None (then say "an exception")."""
        kind = str(kind)
        if kind in BUILTIN_ERRORS or self.trusted:
            return kind
        if self.open and len(kind) <= TYPE_NAME_CAP and _IDENTIFIER.fullmatch(kind):
            return kind
        return None

    def object_type(self, name: Any) -> str | None:
        """The type name of a returned object the grader did not rebuild, or None."""
        name = str(name)
        if name in BUILTIN_TYPES or self.trusted:
            return name
        if self.open and len(name) <= TYPE_NAME_CAP and _IDENTIFIER.fullmatch(name):
            return name
        return None

    def name(self, text: Any) -> str | None:
        """A variable or ``var['key']`` named by the child (locals, an input changed in place,
        an undefined name, a dict key), or None."""
        text = str(text)
        match = _NAME.fullmatch(text)
        if match is None:
            return text[:TYPE_NAME_CAP] if self.open and text.isprintable() else None
        if self.open or self.trusted:
            return text if len(text) <= 2 * TYPE_NAME_CAP else None
        if match["base"] in self.words and (match["key"] is None or match["key"] in self.words):
            return text
        return None

    def listed(self, names: list[Any], cap: int) -> list[str]:
        """Of the keys of a student's dict, those that may be listed (at most ``cap``): on
        hidden inputs only the expected result's own, so which are listed says a few bits."""
        if self.open or self.trusted:
            return [shown for shown in (self.name(n) for n in names[:cap]) if shown]
        return [n for n in names if isinstance(n, str) and n in self.keys][:cap]

    # -- numbers and shapes ----------------------------------------------------------------
    def number(self, x: Any, spec: str = ".6g") -> str | None:
        """A value computed by the student, or by the reference on these inputs: public only."""
        if not self.open:
            return None
        try:
            return format(float(x), spec)
        except (TypeError, ValueError):
            return None

    def count(self, n: Any) -> str | None:
        """A length or a count the student's output decides: public, or a known dimension."""
        try:
            n = int(n)
        except (TypeError, ValueError):
            return None
        return str(n) if self.open or n in self.dims else None

    def shape(self, shape: Any) -> str | None:
        """``(2, 3)`` for a shape of the student's, or None when it may not be shown."""
        try:
            if len(shape) > 64 or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in shape):
                return None  # not a numpy shape: a list the child made up
            dims = tuple(int(n) for n in shape)
        except TypeError:
            return None
        if not self.open and not all(n in self.dims for n in dims):
            return None
        return str(dims)

    def shape_phrase(self, shape: Any) -> str:
        """``shape (2, 3)``, or "a shape that matches none of the expected dimensions"."""
        text = self.shape(shape)
        return f"shape {text}" if text is not None else WITHHELD_SHAPE

    def shapes_ok(self, *shapes: Any) -> bool:
        return all(self.shape(s) is not None for s in shapes)

    # -- places ----------------------------------------------------------------------------
    def frame(self, frame: Any) -> dict | None:
        """A frame of the student's code as the grader's copy has it: ``file``, ``line`` and
        ``text`` (read from that copy), or None when the child named a place that is not there."""
        if not isinstance(frame, dict):
            return None
        if self.trusted:
            return frame
        file, line = frame.get("file"), frame.get("line")
        lines = self.sources.get(file) if isinstance(file, str) else None
        if lines is None or type(line) is not int or not 0 < line <= len(lines):
            return None
        return {"file": file, "line": line, "text": quoted_line(lines[line - 1]), "function": frame.get("function")}

    def stopped(self, kind: str, message: Any) -> str:
        """A call that hung, killed the child, flooded it, sent garbage or ran out the
        submission's time (the kinds of ``runner.STOPPED``):
        the sandbox's wording; on hidden inputs without the numbers the child could choose."""
        text = str(message)
        if self.open:
            return self.message(text) or ""
        return stopped_wording(kind, text)


TRUSTED = Disclosure(open=True, trusted=True)  # the grader's own code, and the default of pure helpers


def capped(text: str, cap: int) -> str:
    """``text`` cut to at most ``cap`` characters, an ellipsis marking the cut."""
    return text if len(text) <= cap else text[:cap - 1] + "…"


def quoted_line(text: str, cap: int = LINE_CAP) -> str:
    """A line of the student's code as feedback quotes it: stripped, one line, at most ``cap`` characters."""
    return capped(_CONTROL.sub(" ", str(text).strip()), cap)


def code_span(text: str, cap: int = LINE_CAP) -> str:
    """``text`` (capped, see :func:`quoted_line`) quoted as code (:func:`fenced`)."""
    return fenced(quoted_line(text, cap))


def fenced(code: str) -> str:
    """``code`` between runs of backticks longer than any run inside it, so that nothing in
    it can close the quote (padded where CommonMark would strip or merge a backtick)."""
    fence = "`" * (max(map(len, re.findall("`+", code)), default=0) + 1)
    pad = " " if code.startswith("`") or code.endswith("`") or (code.startswith(" ") and code.endswith(" ")) else ""
    return f"{fence}{pad}{code}{pad}{fence}"


def for_call(call: Call, run: Execution, assignment: Assignment | None = None) -> Disclosure:
    """The disclosure for one call of a submission (worked out once per call)."""
    key = ("disclosure", call.id)
    if key not in run.memo:
        case = assignment.cases.get(call.case) if assignment is not None else None
        dims = {1}
        if case is not None:
            dims |= {v for v in case.dims.values() if type(v) is int}
        for value in (*call.args.values(), call.expected):
            _sizes(value, dims)
        keys = {k for v in call.args.values() if isinstance(v, dict) for k in v if isinstance(k, str)}
        expected = _keys_of(call.expected)
        words = _hidden_words(run, assignment) | keys | expected
        run.memo[key] = Disclosure(open=call.visibility == "public" and call.id not in run.closed, dims=frozenset(dims),
                                   words=words, sources=run.sources, keys=expected)
    return run.memo[key]


def _keys_of(value: Any, depth: int = 0) -> frozenset[str]:
    """The string keys of a result's dicts (a dict, or dicts inside a tuple: (A2, cache))."""
    if isinstance(value, dict):
        return frozenset(k for k in value if isinstance(k, str)).union(
            *(_keys_of(v, depth + 1) for v in value.values() if depth < 3))
    if isinstance(value, (tuple, list)) and depth < 3:
        return frozenset().union(*(_keys_of(v, depth + 1) for v in value))
    return frozenset()


def _hidden_words(run: Execution, assignment: Assignment | None) -> frozenset[str]:
    """The submission's names that are the exercise's own too: what a text about a hidden
    call may name (worked out once per run, kept in its memo)."""
    key = ("disclosure", "hidden words")
    if key not in run.memo:
        run.memo[key] = source_words(run) & (exercise_names(assignment) if assignment is not None else frozenset())
    return run.memo[key]


def exercise_names(assignment: Assignment) -> frozenset[str]:
    """The exercise's own names: its functions, their parameters, steps and upstream steps,
    and the identifiers of its reference solution."""
    names = set(assignment.functions)
    for fn in assignment.functions.values():
        names |= set(fn.step_exprs()) | set(fn.args) | set(fn.upstream)
    if assignment.solution is not None:
        names |= _file_names(str(assignment.solution))
    return frozenset(names)


@lru_cache(maxsize=16)
def _file_names(path: str) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            return _code_names(handle.read())
    except OSError:
        return frozenset()


def source_words(run: Execution) -> frozenset[str]:
    """The identifiers of the submission's code as the grader loaded it: names only, not the
    words of its comments or strings, which a student could fill with any code book."""
    key = ("disclosure", "words")
    if key not in run.memo:
        run.memo[key] = frozenset(w for lines in run.sources.values() for w in _code_names("\n".join(lines)))
    return run.memo[key]


# One pass over Python source: strings (any prefix, triple-quoted first) and comments are
# skipped, numbers consumed whole (so `0x1f` gives no name `x1f`), names kept. A string left
# open stops the scan, and a lone quote is stepped over, as Python's tokenizer does.
_LEXEMES = re.compile(r'''
    (?P<string>[rRbBuUfF]{0,2}(?:\x22{3}(?:\\[\s\S]|[^\\])*?\x22{3}|\x27{3}(?:\\[\s\S]|[^\\])*?\x27{3}))
  | (?P<open>[rRbBuUfF]{0,2}(?:\x22{3}|\x27{3}))
  | [rRbBuUfF]{0,2}(?:\x22(?:\\[\s\S]|[^\x22\\\n])*\x22|\x27(?:\\[\s\S]|[^\x27\\\n])*\x27)
  | \#[^\n]*
  | \d[\w.]*
  | (?P<name>[^\W\d]\w*)
''', re.VERBOSE)


@lru_cache(maxsize=256)
def _code_names(text: str) -> frozenset[str]:
    """The names of Python source, as its tokenizer's NAME tokens (a regular expression does
    it in a quarter of the time of :mod:`tokenize`); a triple-quoted string left open gives the
    names up to there (kept per text: a file judged again on its own is the same text)."""
    names: set[str] = set()
    for match in _LEXEMES.finditer(text):
        if match.lastgroup == "name":
            names.add(match.group())
        elif match.lastgroup == "open":
            break
    return frozenset(names)


def _sizes(value: Any, into: set[int], depth: int = 0) -> None:
    """The dimensions of the arrays in an input or expected result, and its lengths."""
    if depth > 6:
        return
    if isinstance(value, np.ndarray):
        into.update(int(n) for n in value.shape)
    elif isinstance(value, dict):
        for item in value.values():
            _sizes(item, into, depth + 1)
    elif isinstance(value, (list, tuple)):
        into.add(len(value))
        if all(type(v) is int for v in value):  # layer_dims = [n_x, n_1, n_2, n_y]
            into.update(value)
        for item in value:
            _sizes(item, into, depth + 1)


# -- notes of loading ------------------------------------------------------------------------
_WHERE = re.compile(r"(?P<file>.+?), line (?P<line>\d+): (?P<rest>.*)", re.S)
_SLOW = re.compile(r"`.*` took longer than .* s and was stopped", re.S)
_MODULE = re.compile(r"module `(?P<module>[A-Za-z_][\w.]*)` is not (?:available|installed) here.*", re.S)
_FAILED = re.compile(r"`.*` failed \((?P<kind>[^:()]*): (?P<message>.*)\) and was skipped", re.S)


def load_notes(notes: list[str], loaded: LoadedSource) -> list[str]:
    """The child's notes on loading the submission, rebuilt from the grader's copy of it: a
    note must name a statement the grader sent (file and line), its code is quoted from that
    copy, a missing module must be imported there, and the error of a statement that failed
    is said under the public rule (loading runs on no input). Anything else is dropped."""
    units = {(u.filename, u.lineno): u for u in loaded.units}
    words = frozenset(_IDENTIFIER.findall("\n".join(u.source for u in loaded.units)))
    shown = Disclosure(open=True, words=words)
    result: list[str] = []
    for note in notes:
        match = _WHERE.fullmatch(str(note))
        unit = units.get((match["file"], int(match["line"]))) if match else None
        if unit is None:
            continue
        where = f"{unit.filename}, line {unit.lineno}"
        first = code_span(unit.source.strip().splitlines()[0][:60]) if unit.source.strip() else "``"
        rest = match["rest"]
        if _SLOW.fullmatch(rest) and unit.limit:
            result.append(f"{where}: {first} took longer than {unit.limit:g} s and was stopped")
        elif (module := _MODULE.fullmatch(rest)) and all(w in words for w in module["module"].split(".")):
            result.append(f"{where}: {missing_module(module['module'])}; its names were replaced by placeholders")
        elif failed := _FAILED.fullmatch(rest):
            kind = shown.exception(failed["kind"]) or NEUTRAL_EXCEPTION
            message = shown.message(failed["message"])
            result.append(f"{where}: {first} failed ({kind}{': ' + message if message else ''}) and was skipped")
    return result
