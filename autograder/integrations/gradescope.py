"""Gradescope: the autograder zip, and ``results.json`` in Gradescope's schema.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once when
the image is built, then ``run_autograder`` per submission with the student's files
in ``/autograder/submission``; we must write ``/autograder/results/results.json``.
The root is configurable (``GRADESCOPE_ROOT``) so the same script runs in tests.
"""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path

from autograder.report.gradescope import results_json
from autograder.report.untrusted import clean_report
from autograder.spec import Assignment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SETUP = """#!/usr/bin/env bash
# Run once by Gradescope when it builds the autograder image.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m pip install --quiet -r requirements.txt
"""

RUN = """#!/usr/bin/env bash
# Run by Gradescope for every submission: grade it, write results/results.json.
set -euo pipefail
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
export AUTOGRADER_ROOT="$ROOT/source"
export PYTHONPATH="$ROOT/source${{PYTHONPATH:+:$PYTHONPATH}}"
exec "${{PYTHON:-python3}}" -m autograder.integrations.gradescope {assignment} "$ROOT"
"""


def export(assignment: Assignment, out_zip: Path) -> Path:
    """The zip Gradescope wants: setup.sh and run_autograder at the top, our engine beside them."""
    package = Path(__file__).resolve().parents[1]
    requirements = "\n".join(_requirements()) + "\n"
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as zf:
        _add_text(zf, "setup.sh", SETUP, executable=True)
        _add_text(zf, "run_autograder", RUN.format(assignment=assignment.name), executable=True)
        zf.writestr("requirements.txt", requirements)
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, "autograder/" + path.relative_to(package).as_posix())
        for path in sorted(assignment.folder.iterdir()):
            if path.is_file():
                zf.write(path, f"assignments/{assignment.name}/{path.name}")
        zf.write(assignment.solution, f"solutions/{assignment.solution.name}")
    return out_zip


def _requirements() -> list[str]:
    """This package's own dependencies (no extras), from its installed metadata: a course folder
    made with `autograder new` has no pyproject.toml of its own."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        listed = requires("backprop-autograder") or []
    except PackageNotFoundError:  # running from a copy that is not installed: the checkout's pyproject
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        listed = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    return [r for r in listed if "extra ==" not in r]


def _add_text(zf: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = (0o755 if executable else 0o644) << 16
    zf.writestr(info, text)


def find_submission(folder: Path, assignment: str) -> Path | None:
    """The student's file: named like the assignment if possible, else the only notebook or script."""
    files = [p for p in sorted(folder.rglob("*")) if p.suffix in (".ipynb", ".py") and p.is_file()
             and ".ipynb_checkpoints" not in p.parts]
    named = [p for p in files if p.stem == assignment]
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    for group in (named, notebooks, files):
        if group:
            return group[0]
    return None


def run(assignment_name: str, root: Path) -> dict:
    """Grade what is in ``root/submission`` and write ``root/results/results.json``."""
    from autograder.grading import Grader, grade_safely
    from autograder.spec import load_assignment

    assignment = load_assignment(assignment_name, root / "source")
    submission = find_submission(root / "submission", assignment.name)
    if submission is None:
        results = {"score": 0.0, "tests": [], "output": f"No .ipynb or .py file was submitted for {assignment.name}."}
    else:
        results = results_json(clean_report(grade_safely(Grader(assignment), "student", submission)))
    out = root / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8",
                                      errors="replace")
    return results


if __name__ == "__main__":
    name, base = sys.argv[1], Path(sys.argv[2] if len(sys.argv) > 2 else os.environ.get("GRADESCOPE_ROOT", "/autograder"))
    run(name, base)
