"""``autograder new NAME``: the files of a new exercise, as a complete tiny exercise.

The scaffold grades one function (an affine layer, ``Z = W·X + b``) with one catalogued
mistake, so that ``autograder validate`` passes on it as written and every file shows the
keys an instructor edits next (docs/authoring.md is the reference for each of them).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


class ScaffoldError(Exception):
    """The exercise cannot be created (bad name, or it exists already)."""


def scaffold(name: str, root: Path, title: str | None = None) -> list[Path]:
    """Write ``assignments/NAME/{assignment.toml,mistakes.toml}`` and ``solutions/NAME.py`` under ``root``."""
    if not _NAME.match(name):
        raise ScaffoldError(f"{name!r}: an exercise name is lower-case letters, digits and _, starting with a "
                            "letter (it names the student's file and notebook)")
    folder = root / "assignments" / name
    solution = root / "solutions" / f"{name}.py"
    existing = [p for p in (folder, solution) if p.exists()]
    if existing:
        raise ScaffoldError(f"{existing[0]} exists already: choose another name, or edit that exercise")
    title = title or name.replace("_", " ").capitalize()
    files = {
        folder / "assignment.toml": _ASSIGNMENT.format(name=name, title=title.replace('"', '\\"'),
                                                        seed=1000 + secrets.randbelow(10**6)),
        folder / "mistakes.toml": _MISTAKES.format(name=name),
        solution: _SOLUTION.format(title=title),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)


_ASSIGNMENT = '''# The `{name}` exercise as data: what is graded, with which inputs, for how many
# points. Every key is described in docs/authoring.md. Expressions (strings) are
# Python evaluated by the grader with numpy as `np`, a seeded generator `rng`, the
# case's dimensions, the inputs defined before them and the reference's functions.

name = "{name}"
title = "{title}"
solution = "solutions/{name}.py"
# doc = "docs/{name}.md"   # a Markdown file; mistakes link to its headings with `doc`

# Public inputs are shown to students; hidden ones exist only at grading time
# (for a real class, set AUTOGRADER_HIDDEN_SEED instead of relying on this one).
public_seed = 1
hidden_seed = {seed}

# ------------------------------------------------------------------- cases
[cases.public]
visibility = "public"
dims = {{ n_in = 3, n_out = 2, m = 4 }}

[cases.distinct]     # every dimension different: a transposed result has the wrong shape
dims = {{ n_in = 5, n_out = 3, m = 7 }}

[cases.square]       # equal dimensions: only the values can tell W·X from Wᵀ·X
dims = {{ n_in = 4, n_out = 4, m = 4 }}

# ------------------------------------------------------------------- inputs
# Evaluated in this order for every case (a case may override any of them).
[inputs]
W = "rng.standard_normal((n_out, n_in))"
X = "rng.standard_normal((n_in, m))"
b = "rng.standard_normal((n_out, 1))"

# ------------------------------------------------------------------- functions
[functions.linear_forward]
points = 100
args = {{ W = "W", X = "X", b = "b" }}
'''

_MISTAKES = '''# Catalogue of known mistakes for `{name}` (every key: docs/authoring.md).
#
# Each [[mistake]] is recognised by its fingerprint: the grader applies `replace`
# (pairs of [old, new] text, inside the reference `function`) to the solution, runs
# the result on the same inputs as the student and names the mistake when the
# student's results match it. `why` names a shared explanation from [why].

[why]
bias = """The bias b is one number per unit, added to every example: Z = W·X + b, where b \\
of shape (n_out, 1) is broadcast across the m columns."""

[[mistake]]
id = "linear-forward-missing-bias"
function = "linear_forward"
step = "result"
message = "Z is missing the bias: it is W·X + b, with b added to every column."
why = "bias"
replace = [["np.dot(W, X) + b", "np.dot(W, X)"]]
'''

_SOLUTION = '''# %% [markdown]
# # {title}
#
# What the students build, the conventions (examples in columns, shapes), and how
# they check their work: `check("linear_forward")` in a cell, or `pytest` in this folder.

# %%
import numpy as np

# %% [markdown]
# ## 1. An affine layer
#
# `linear_forward(W, X, b)` returns `Z = W·X + b`, of shape `(n_out, m)`.


# %%
def linear_forward(W, X, b):
    """Z = W·X + b for a batch of examples stored in columns."""
    ### BEGIN SOLUTION
    Z = np.dot(W, X) + b
    return Z
    ### END SOLUTION
'''
