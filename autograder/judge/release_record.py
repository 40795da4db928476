"""The data a student release carries instead of the solution (``recorded.json``).

A release must not ship the reference solution or the hidden inputs, yet a student running
``pytest`` should get the same per-step feedback and named mistakes as ``autograder check
--public-only``. So the release carries, for the public inputs only: the calls and the
reference's results, each catalogue mutant's results where they differ, the reference's
signatures and which function calls which. ``authoring.record`` writes it; the judge reads
the calls and signatures here (``cases``, ``reference``) and the diagnosis the mutants'
results (``diagnose.recorded``). Pairs of mistakes are not recorded (too many); they are
still named one by one.
"""

from __future__ import annotations

import json

from autograder.spec import Assignment

FILENAME = "recorded.json"
EMPTY = "__empty__"  # a parameter with no default

_cache: dict[str, dict] = {}


def recorded_data(assignment: Assignment) -> dict:
    """The release's record for ``assignment`` (read once per process)."""
    assert assignment.recorded is not None
    path = str(assignment.recorded)
    if path not in _cache:
        with open(path, encoding="utf-8") as handle:
            _cache[path] = json.load(handle)
    return _cache[path]
