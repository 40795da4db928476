"""Assignment specs: ``assignments/<name>/assignment.toml`` and ``mistakes.toml``.

The engine knows no assignment by name; everything it grades is described here
as data (functions, points, variants, cases, checks, the mistake catalogue).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


# In [course_modules]: a name the course's module provides that no graded function needs.
NOT_NEEDED = "not needed"


class SpecError(Exception):
    """The assignment's own files are inconsistent (an instructor's bug, not a student's)."""


@dataclass(frozen=True)
class Property:
    """A check on the student's result itself: ``expr`` true, else ``message`` (formatted with
    ``value``); or ``problem``, an expression giving None when fine and the feedback otherwise."""

    name: str
    expr: str = ""
    message: str = ""
    value: str | None = None
    problem: str | None = None
    cases: tuple[str, ...] | None = None  # only on these cases (default: every non-extreme one)
    weight: float | None = None  # its share of the variant's points (default: judge.WEIGHTS)
    # passing it is what shows work (judge.checks): for a function compared by shape only, whose
    # right shapes a stub sized from its inputs also has
    shows_work: bool = False


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    points: float
    args: dict[str, str]
    variants: dict[str, list[Any]] = field(default_factory=dict)
    variant_weights: dict[str, float] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)
    gradcheck: dict[str, Any] | None = None
    compare: str = "values"
    cases: tuple[str, ...] | None = None
    extreme: bool = True
    timeout: float = 10.0
    properties: tuple[Property, ...] = ()
    # intermediate results the steps are computed from (dZ1 -> dW1, db1): when exactly
    # the steps of one intermediate are wrong, the mistake is most likely there
    upstream: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the course's helper module gives students this function (dnn_utils' relu_backward):
    # one imported from there instead of written keeps its points (see Assignment.course_modules)
    course_provides: bool = False

    @property
    def variant_param(self) -> str | None:
        return next(iter(self.variants), None)

    def variant_labels(self) -> list[str | None]:
        param = self.variant_param
        return [str(v) for v in self.variants[param]] if param else [None]

    def variant_value(self, label: str | None) -> dict[str, Any]:
        param = self.variant_param
        if param is None or label is None:
            return {}
        value = next(v for v in self.variants[param] if str(v) == label)
        return {param: value}

    def variant_weight(self, label: str | None) -> float:
        labels = self.variant_labels()
        if label is None or not self.variant_weights:
            return 1.0 / len(labels)
        total = sum(self.variant_weights.get(str(lab), 0.0) for lab in labels)
        return self.variant_weights.get(label, 0.0) / total

    def step_exprs(self) -> dict[str, str]:
        return self.steps or {"result": "out"}


@dataclass(frozen=True)
class CaseSpec:
    name: str
    dims: dict[str, int]
    visibility: str = "hidden"
    extreme: bool = False
    training: bool = False
    inputs: dict[str, str] = field(default_factory=dict)
    # only for the functions that list it in their `cases` (dimensions only some functions
    # are written for, e.g. n_y > 1 for the gradients but not for a cost written for n_y = 1)
    opt_in: bool = False


@dataclass(frozen=True)
class MistakeSpec:
    id: str
    function: str
    step: str
    message: str
    explanation: str
    doc: str | None
    replace: tuple[tuple[str, str], ...]
    variant: str | None = None


@dataclass(eq=False)  # identity hash: one loaded spec, one cache entry
class Assignment:
    name: str
    title: str
    root: Path
    folder: Path
    solution: Path | None  # None in a student release, which carries recorded.json instead
    doc: str | None
    public_seed: int
    hidden_seed: int
    cases: dict[str, CaseSpec]
    inputs: dict[str, str]
    functions: dict[str, FunctionSpec]
    mistakes: list[MistakeSpec]
    # instructor code for property expressions (e.g. continuing a training run with the
    # reference's steps): never shipped to students, since it is built from the solution
    helpers: str = ""
    # the course's helper modules, which students import and the grader lacks: module ->
    # {name it provides: the reference function computing it, or NOT_NEEDED}
    course_modules: dict[str, dict[str, str]] = field(default_factory=dict)
    # True: a caller of a function that lost points loses points too; False (default): a
    # mistake costs points once, where it was made (callers are judged with the reference's helper)
    cascade: bool = False
    # what a student is shown of a repair (diagnose.repair): "line", the line and the kind of
    # change, or "edit", the corrected expression too; the instructor's JSON always has the edit
    hint: str = "edit"

    @property
    def max_score(self) -> float:
        return sum(f.points for f in self.functions.values())

    def cases_for(self, fn: FunctionSpec) -> list[CaseSpec]:
        if fn.cases is not None:
            return [self.cases[c] for c in fn.cases]
        return [
            c for c in self.cases.values() if not c.training and not c.opt_in and (fn.extreme or not c.extreme)
        ]

    @property
    def recorded(self) -> Path | None:
        """Public checks recorded for a release (see judge.release_record), used when there is no solution."""
        path = self.folder / "recorded.json"
        return path if self.solution is None and path.is_file() else None

    def doc_link(self, anchor: str | None) -> str | None:
        if not anchor or not self.doc:
            return None
        return f"{self.doc}#{anchor}"


def project_root(start: Path | None = None) -> Path:
    """The folder holding ``assignments/``: $AUTOGRADER_ROOT, the cwd's ancestors, or ours."""
    env = os.environ.get("AUTOGRADER_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "assignments").is_dir() and (
            (folder / "solutions").is_dir() or any(folder.glob("assignments/*/recorded.json"))
        ):
            return folder
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / "assignments").is_dir():
        return package_parent
    raise SpecError(
        "cannot find the course folder (with assignments/ and solutions/); "
        "run from inside it or set AUTOGRADER_ROOT"
    )


def assignment_names(root: Path | None = None) -> list[str]:
    base = (root or project_root()) / "assignments"
    return sorted(p.name for p in base.iterdir() if (p / "assignment.toml").is_file())


def load_assignment(name: str, root: Path | None = None) -> Assignment:
    root = root or project_root()
    folder = root / "assignments" / name
    spec_file = folder / "assignment.toml"
    if not spec_file.is_file():
        known = ", ".join(assignment_names(root)) or "none"
        raise SpecError(f"no assignment named {name!r} (known: {known})")
    data = _read_toml(spec_file)
    hidden_seed = int(os.environ.get("AUTOGRADER_HIDDEN_SEED", data.get("hidden_seed", 0)))
    cases = {
        key: CaseSpec(
            name=key,
            dims=dict(value.get("dims", {})),
            visibility=value.get("visibility", "hidden"),
            extreme=bool(value.get("extreme", False)),
            training=bool(value.get("training", False)),
            inputs=dict(value.get("inputs", {})),
            opt_in=bool(value.get("opt_in", False)),
        )
        for key, value in data.get("cases", {}).items()
    }
    functions = {key: _function(key, value) for key, value in data.get("functions", {}).items()}
    assignment = Assignment(
        name=data.get("name", name),
        title=data.get("title", name),
        root=root,
        folder=folder,
        solution=root / data["solution"] if "solution" in data else None,
        doc=data.get("doc"),
        public_seed=int(data.get("public_seed", 0)),
        hidden_seed=hidden_seed,
        cases=cases,
        inputs=dict(data.get("inputs", {})),
        functions=functions,
        mistakes=_mistakes(folder / "mistakes.toml", functions),
        helpers=str(data.get("helpers", "")),
        course_modules=_course_modules(name, data.get("course_modules", {})),
        cascade=bool(data.get("grading", {}).get("cascade", False)),
        hint=_hint(data.get("hint", "edit"), spec_file),
    )
    for fn in functions.values():
        for case in [*(fn.cases or ()), *(c for p in fn.properties for c in p.cases or ())]:
            if case not in cases:
                raise SpecError(f"{name}: function {fn.name} names unknown case {case!r}")
    return assignment


def _hint(value: object, path: Path) -> str:
    if value not in ("line", "edit"):
        raise SpecError(f"{path}: hint must be \"line\" or \"edit\", not {value!r}")
    return str(value)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: {exc}") from exc


def _function(name: str, value: dict) -> FunctionSpec:
    return FunctionSpec(
        name=name,
        points=float(value["points"]),
        args=dict(value.get("args", {})),
        variants=dict(value.get("variants", {})),
        variant_weights={str(k): float(v) for k, v in value.get("variant_weights", {}).items()},
        steps=dict(value.get("steps", {})),
        gradcheck=value.get("gradcheck"),
        compare=value.get("compare", "values"),
        cases=tuple(value["cases"]) if "cases" in value else None,
        extreme=bool(value.get("extreme", True)),
        timeout=float(value.get("timeout", 10.0)),
        properties=tuple(Property(**{**p, "cases": tuple(p["cases"]) if "cases" in p else None})
                         for p in value.get("properties", [])),
        upstream={k: tuple(v) for k, v in value.get("upstream", {}).items()},
        course_provides=bool(value.get("course_provides", False)),
    )


def _course_modules(assignment: str, table: object) -> dict[str, dict[str, str]]:
    """``[course_modules.planar_utils]`` tables: every value a reference function's name or NOT_NEEDED."""
    if not isinstance(table, dict):
        raise SpecError(f"{assignment}: [course_modules] must be a table of modules")
    modules: dict[str, dict[str, str]] = {}
    for module, names in table.items():
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise SpecError(f"{assignment}: [course_modules.{module}] must map names to a reference "
                            f"function's name or \"{NOT_NEEDED}\"")
        modules[str(module)] = {str(k): v for k, v in names.items()}
    return modules


def _mistakes(path: Path, functions: dict[str, FunctionSpec]) -> list[MistakeSpec]:
    if not path.is_file():
        return []
    data = _read_toml(path)
    why = data.get("why", {})
    result = []
    for entry in data.get("mistake", []):
        if entry["function"] not in functions:
            raise SpecError(f"{path}: mistake {entry['id']} names unknown function")
        parts = [why[entry["why"]]] if "why" in entry else []
        if "explanation" in entry:
            parts.append(entry["explanation"])
        result.append(
            MistakeSpec(
                id=entry["id"],
                function=entry["function"],
                step=entry["step"],
                message=entry["message"],
                explanation=" ".join(parts),
                doc=entry.get("doc"),
                replace=tuple((old, new) for old, new in entry.get("replace", [])),
                variant=entry.get("variant"),
            )
        )
    ids = [m.id for m in result]
    if len(ids) != len(set(ids)):
        raise SpecError(f"{path}: duplicate mistake ids")
    return result
