"""Which missing modules are the course's own helpers, and how to say that a module is missing.

Until the assignment names its course modules (a ``[course_modules]`` table in
assignment.toml), a module counts as a course helper by its name: the course's files end in
``_utils`` (planar_utils, lr_utils, dnn_utils) or start with testCases / public_tests /
test_utils. Any other missing module is a real package that is not installed here (h5py,
scipy, sklearn…). :func:`is_course_helper` is the one place to point at the spec later.
"""

from __future__ import annotations

PREFIXES = ("testCases", "public_tests", "test_utils")


def is_course_helper(module: str, named: frozenset[str] | None = None) -> bool:
    """Whether ``module`` is one of the course's helper files (``named``: the assignment's list)."""
    top = module.split(".")[0]
    if named is not None:
        return top in named
    return top.endswith("_utils") or top.startswith(PREFIXES)


def missing_module(module: str, named: frozenset[str] | None = None) -> str:
    """``module `h5py` is not installed here`` / ``module `lr_utils` is a course helper …``."""
    if is_course_helper(module, named):
        return f"module `{module}` is a course helper file, not available to the grader"
    return f"module `{module}` is not installed here"
