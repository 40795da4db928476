"""Each assignment speaks its own language: its feedback texts name only its own steps,
variables and functions.

A text shared by every assignment (the analytic explanations of autograder.diagnose) or written
for one (its mistakes.toml) that names a variable of another exercise — "dZ2 = A2 − Y" in
logistic regression, "dW1" where only dW exists — confuses the student who reads it.
``autograder validate`` lists every such name.
"""

from __future__ import annotations

import re

import tomllib

from autograder.diagnose.mistakes import GENERIC, generic
from autograder.judge.disclose import exercise_names
from autograder.spec import Assignment, assignment_names, load_assignment

_WORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def vocabulary(assignment: Assignment) -> frozenset[str]:
    """Every name the assignment has: its functions, their parameters and steps, and the
    identifiers of its reference solution."""
    names = set(exercise_names(assignment))  # what feedback on hidden inputs may name too
    if assignment.solution is not None and assignment.solution.is_file():
        # and the names its text (markdown, comments) uses: the conventions students read there
        names |= set(_WORD.findall(assignment.solution.read_text(encoding="utf-8")))
    catalogue = assignment.folder / "mistakes.toml"
    if catalogue.is_file():  # names of the derivation the code never stores (dA1), listed by the author
        names |= set(tomllib.loads(catalogue.read_text(encoding="utf-8")).get("vocabulary", []))
    return frozenset(names)


def code_like(word: str) -> bool:
    """A name that can only be code: with a digit or an underscore, or a gradient (dW, dZ)."""
    return any(c.isdigit() for c in word) or "_" in word.strip("_") or (
        len(word) > 1 and word[0] == "d" and word[1].isupper())


def foreign_names(text: str, own: frozenset[str], course: frozenset[str]) -> list[str]:
    """Names in ``text`` that belong to the course's other exercises and not to this one."""
    return sorted({w for w in _WORD.findall(text)
                   if w in course and w not in own and code_like(w) and not _family(w, own)})


def _family(word: str, own: frozenset[str]) -> bool:
    """``dW`` said of an exercise with dW1 and dW2: the general name of its own variables."""
    return any(name.startswith(word) and name[len(word):].isdigit() for name in own)


def texts(assignment: Assignment) -> list[tuple[str, str]]:
    """(label, text) of every explanation a report of this assignment can print."""
    steps = sorted({s for fn in assignment.functions.values() for s in fn.step_exprs()})
    found = [(f"explanation of analytic finding `{kind}`", generic(kind, steps)) for kind in GENERIC]
    for m in assignment.mistakes:
        found.append((f"mistake `{m.id}` (message)", m.message))
        found.append((f"mistake `{m.id}` (explanation)", m.explanation))
    return found


def vocabulary_problems(assignment: Assignment) -> list[tuple[str, str]]:
    """(label, problem) per text: an empty problem when the text names nothing foreign."""
    own = vocabulary(assignment)
    others = [load_assignment(n, assignment.root) for n in assignment_names(assignment.root) if n != assignment.name]
    course = frozenset().union(*(vocabulary(a) for a in others)) if others else frozenset()
    result = []
    for label, text in texts(assignment):
        foreign = foreign_names(text, own, course)
        result.append((label, f"names {', '.join(foreign)}, which {assignment.name} does not have" if foreign else ""))
    return result
