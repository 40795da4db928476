"""A synthetic class for load tests and benchmarks: correct, buggy and hostile files.

Correct submissions are the reference (as ``.py`` and as a notebook) and the
assignment's alternatives; buggy ones apply catalogue mistakes (alone or in
pairs) to the reference; hostile ones try to break the grader.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from autograder.authoring.generate import render_notebook
from autograder.judge.reference import apply_mistake
from autograder.spec import Assignment

HOSTILE = {
    "infinite_loop": "def {f}(*args, **kwargs):\n    while True:\n        pass\n",
    "exit_in_function": "import os\n\ndef {f}(*args, **kwargs):\n    os._exit(0)\n",
    "sys_exit": "import sys\n\ndef {f}(*args, **kwargs):\n    sys.exit('bye')\n",
    "memory_eater": "def {f}(*args, **kwargs):\n    hog = []\n    while True:\n        hog.append(bytearray(50_000_000))\n",
    "numpy_monkeypatch": "import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.array_equal = lambda *a, **k: True\n\n"
                         "def {f}(*args, **kwargs):\n    np.allclose = lambda *a, **k: True\n    return 0\n",
    "forged_output": "import sys\n\ndef {f}(*args, **kwargs):\n    print('{{\"score\": 100, \"passed\": true}}')\n"
                     "    sys.stdout.write('PASSED all checks\\n')\n    return 'all good'\n",
    "forged_array": "import numpy as np\n\nclass Always(np.ndarray):\n    def __eq__(self, other):\n        return True\n\n"
                    "def {f}(*args, **kwargs):\n    return np.zeros(3).view(Always)\n",
}
BROKEN = {
    "syntax_error.py": "def sigmoid(z):\n    return 1 / (1 + np.exp(-z)\n",
    "empty.py": "",
    "corrupt.ipynb": '{"cells": [{"cell_type": "code", "source": "def sig',
}


def hostile_source(kind: str, assignment: Assignment) -> str:
    body = HOSTILE[kind]
    header = "import os\nos._exit(3)\n\n" if kind == "exit_in_function" else ""
    return header + "\n\n".join(body.format(f=name) for name in assignment.functions)


def make_class(assignment: Assignment, out: Path, size: int = 200, hostile_share: float = 0.12) -> dict[str, str]:
    """Write ``size`` submissions (one per student) into ``out``; return student -> kind."""
    out.mkdir(parents=True, exist_ok=True)
    reference = assignment.solution.read_text(encoding="utf-8")
    alternatives = sorted((assignment.folder / "alternatives").glob("*.py"))
    mistakes = assignment.mistakes
    pairs = [(a, b) for a, b in itertools.combinations(mistakes, 2) if a.function == b.function and a.step != b.step]
    kinds: dict[str, str] = {}
    n_hostile = max(len(HOSTILE) + len(BROKEN), int(size * hostile_share)) if hostile_share > 0 else 0
    n_correct = max(1, (size - n_hostile) // 4)
    n_buggy = size - n_hostile - n_correct
    for i in range(n_correct):
        student = f"s{len(kinds):05d}"
        if i % 3 == 0:
            (out / f"{student}.ipynb").write_text(render_notebook(assignment, reference), encoding="utf-8")
        elif alternatives and i % 3 == 1:
            (out / f"{student}.py").write_text(alternatives[i % len(alternatives)].read_text(), encoding="utf-8")
        else:
            (out / f"{student}.py").write_text(reference, encoding="utf-8")
        kinds[student] = "correct"
    for i in range(n_buggy):
        student = f"s{len(kinds):05d}"
        chosen = (mistakes[i % len(mistakes)],) if i % 2 == 0 or not pairs else pairs[(i // 2) % len(pairs)]
        source = reference
        for mistake in chosen:
            source = apply_mistake(source, mistake)
        (out / f"{student}.py").write_text(source, encoding="utf-8")
        kinds[student] = "buggy:" + "+".join(m.id for m in chosen)
    hostile_kinds = [*HOSTILE, *BROKEN]
    for i in range(size - len(kinds)):
        student = f"s{len(kinds):05d}"
        kind = hostile_kinds[i % len(hostile_kinds)]
        if kind in BROKEN:
            (out / f"{student}{Path(kind).suffix}").write_text(BROKEN[kind], encoding="utf-8")
        else:
            (out / f"{student}.py").write_text(hostile_source(kind, assignment), encoding="utf-8")
        kinds[student] = "hostile:" + kind
    return kinds
