"""What students get: notebook, stub, public tests and the data to self-check, no solution.

The folder holds a copy of the engine (``autograder/``), the assignment's spec
reduced to its public cases, the catalogue without the code changes that
produce each mistake, and ``recorded.json`` (see judge.release_record): ``pytest`` and
``check("…")`` then give the same feedback as ``autograder check --public-only``
without the reference solution or any hidden input.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import tomli_w

from autograder.authoring.generate import write_templates
from autograder.authoring.record import record
from autograder.judge.release_record import FILENAME
from autograder.spec import Assignment

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Instructor-only parts of the engine: a class at once, writing and shipping exercises, the
# exports and the command line; the self-check needs the stages and the feedback.
_NOT_RELEASED = {"cli.py", "__main__.py", "classroom", "authoring", "integrations", "summary.py", "__pycache__"}
REQUIREMENTS = """numpy>=1.23
nbformat>=5.7
jinja2>=3.1
pytest>=7.4
tomli>=2.0; python_version < "3.11"
"""


def release(assignment: Assignment, out: Path) -> list[Path]:
    """Write the student release of ``assignment`` into ``out``; return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = write_templates(assignment, out)
    engine = Path(__file__).resolve().parents[1]  # the autograder package
    target = out / "autograder"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(engine, target, ignore=lambda _dir, names: [n for n in names if n in _NOT_RELEASED])
    written += sorted(p for p in target.rglob("*") if p.is_file())
    folder = out / "assignments" / assignment.name
    folder.mkdir(parents=True, exist_ok=True)
    spec = public_spec(tomllib.loads((assignment.folder / "assignment.toml").read_text(encoding="utf-8")),
                       list(assignment.functions))
    files = {
        folder / "assignment.toml": tomli_w.dumps(spec),
        folder / "mistakes.toml": tomli_w.dumps(public_catalogue(
            tomllib.loads((assignment.folder / "mistakes.toml").read_text(encoding="utf-8")))),
        folder / FILENAME: json.dumps(record(assignment), separators=(",", ":")),
        out / "requirements.txt": REQUIREMENTS,
        out / "README.md": _readme(assignment),
    }
    for path, text in files.items():
        path.write_text(text, encoding="utf-8")
        written.append(path)
    if assignment.doc and (assignment.root / assignment.doc).is_file():
        doc = out / assignment.doc
        doc.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(assignment.root / assignment.doc, doc)
        written.append(doc)
    return written


def public_spec(spec: dict, functions: list[str]) -> dict:
    """The spec without the solution, the hidden seed, hidden cases, the helpers (built from the
    solution), or checks that call the reference or the helpers."""
    public = {k: v for k, v in spec.items() if k not in ("solution", "hidden_seed", "cases", "functions", "helpers")}
    public["cases"] = {n: c for n, c in spec.get("cases", {}).items() if c.get("visibility") == "public"}
    helpers = re.findall(r"^def (\w+)", spec.get("helpers", ""), flags=re.MULTILINE)
    calls_reference = re.compile(r"\b(" + "|".join(map(re.escape, [*functions, *helpers])) + r")\s*\(")
    public["functions"] = {}
    for name, fn in spec.get("functions", {}).items():
        fn = {k: v for k, v in fn.items() if k != "gradcheck"}  # finite differences run on hidden cases only
        if "cases" in fn:
            fn["cases"] = [c for c in fn["cases"] if c in public["cases"]]
        props = [p for p in fn.get("properties", [])
                 if not calls_reference.search(" ".join(p.get(k) or "" for k in ("expr", "value", "problem")))]
        if props or "properties" in fn:
            fn["properties"] = props
        public["functions"][name] = fn
    return public


def public_catalogue(catalogue: dict) -> dict:
    """Messages and explanations stay; the code change that produces each mistake does not."""
    return {**catalogue, "mistake": [{k: v for k, v in m.items() if k != "replace"}
                                     for m in catalogue.get("mistake", [])]}


def _readme(assignment: Assignment) -> str:
    name = assignment.name
    functions = list(assignment.functions)
    example = max(functions, key=lambda f: assignment.functions[f].points) if functions else "function_name"
    listed = ", ".join(f"`{f}`" for f in functions)
    return f"""# {assignment.title}

Fill in `{name}.ipynb` (or `{name}.py`), then check your work:

    pip install -r requirements.txt
    pytest

Each test grades one function on the public inputs and, when it fails, says which
step is wrong, what was expected and what came, and names the mistake when it is a
known one. In the notebook, `check("{example}")` does the same for one function
(graded: {listed}). Your submission is graded on further hidden inputs too.
"""
