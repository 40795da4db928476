"""Turn a student's file (``.py`` or ``.ipynb``) into the code units worth running.

Only definitions, imports and constant assignments are kept: training loops,
plots, prints and test calls at top level are never run. An assignment that calls
code runs only when the kept code reads what it sets (see ``_adopt_needed``). IPython syntax
(``%magic``, ``!shell``, a bare ``cd``) is neutralised line by line; a notebook
cell that no longer parses is salvaged statement group by statement group.
Everything skipped or adapted is reported in ``notes``.
"""

from __future__ import annotations

import ast
import json
import re
import symtable
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".py", ".ipynb")

_MAGIC = re.compile(r"^(\s*)(%|!|\w+\s*=\s*[%!])")
_AUTOMAGIC = re.compile(
    r"^(\s*)(cd|ls|pwd|pip|conda|cat|mkdir|rm|cp|mv|clear|who|whos|reset|matplotlib|"
    r"load_ext|timeit|time|env|history|less|man)(\s.*)?$"
)
_HELP = re.compile(r"^(\s*)[\w.\[\]'\"]+\?{1,2}\s*$")
_CELL_MAGICS_WITH_PYTHON = {"time", "timeit", "capture", "prun"}
_NUMERIC_MODULES = {"np", "numpy", "math"}


@dataclass
class CodeUnit:
    """One top-level statement to execute, with where it came from."""

    source: str
    filename: str
    lineno: int
    kind: str  # "def", "import" or "assign"
    names: tuple[str, ...] = ()
    limit: float | None = None  # seconds: a statement that calls code at load is stopped after this


# A top-level assignment that calls code (`logger = logging.getLogger(...)`, `KEYS = "W1 b1".split()`,
# `layer = partial(...)`) runs only when the kept code reads what it sets, and for at most this long:
# top-level training runs and plots stay skipped, a graded function's module-level helpers do not.
CALL_LIMIT = 2.0
# How LoadedSource.not_run ends: why the statement that sets a name left it unset.
NOT_RUN = ", which the grader does not run"
RAN_AND_FAILED = ", which failed when the grader ran it (see the notes)"


@dataclass
class LoadedSource:
    units: list[CodeUnit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    functions: list[str] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)  # filename -> lines
    orphans: list[CodeUnit] = field(default_factory=list)  # indented bodies whose `def` line is gone
    not_run: dict[str, str] = field(default_factory=dict)  # name -> the skipped statement that sets it
    # assignments that call code, kept in order until _adopt_needed decides: (unit, how it is listed as skipped)
    _deferred: list[tuple[CodeUnit, str]] = field(default_factory=list, repr=False)

    def unit_lines(self, filename: str, lineno: int) -> str:
        lines = self.sources.get(filename, [])
        return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""


def load_file(path: Path) -> LoadedSource:
    """Read a submission file; never raises for bad content (see ``error``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadedSource(error=f"could not read {path.name}: {exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return LoadedSource(error=f"{path.name} is not UTF-8 text; save it again as UTF-8")
    try:
        if path.suffix == ".ipynb":
            return load_notebook_text(text, path.name)
        return load_python_text(text, path.name)
    except (RecursionError, MemoryError):  # Python's own parser gives up on such nesting
        return LoadedSource(error=f"{path.name} is nested too deeply to be read (an expression or block "
                                  "thousands of levels deep)")


def load_python_text(text: str, name: str) -> LoadedSource:
    """A ``.py`` file is one unit of text: a syntax error anywhere fails the load."""
    result = LoadedSource()
    if not text.strip():
        result.error = f"{name} is empty"
        return result
    cleaned, neutralised = _neutralise_ipython(text)
    if neutralised:
        result.notes.append(f"{neutralised} IPython line(s) (%magic, !shell) in {name} were ignored")
    try:
        tree = ast.parse(cleaned, filename=name)
    except SyntaxError as exc:
        result.error = (
            f"{name} does not parse: {exc.msg} at line {exc.lineno}"
            + (f": `{exc.text.strip()}`" if exc.text else "")
            + " — fix it (run `python " + name + "` to see the error) and submit again"
        )
        return result
    result.sources[name] = cleaned.splitlines()
    skipped = _collect(tree, cleaned, name, result)
    _adopt_needed(result, skipped)
    _note_skipped(result, skipped)
    _finish(result, name)
    return result


def load_notebook_text(text: str, name: str) -> LoadedSource:
    """Notebooks are taken cell by cell; a broken cell costs only itself."""
    result = LoadedSource()
    if not text.strip():
        result.error = f"{name} is empty"
        return result
    try:
        data = json.loads(text)
        if isinstance(data, dict) and data.get("nbformat") == 4 and isinstance(data.get("cells"), list):
            # The current format is read as it is: nbformat's reader would only add schema
            # validation, which warns without refusing, and importing it (jsonschema) takes
            # seconds per grading process.
            cells = data["cells"]
        else:  # older formats are upgraded by nbformat itself
            import nbformat

            cells = nbformat.reads(text, as_version=4).get("cells", [])
    except Exception as exc:  # noqa: BLE001 - nbformat raises many kinds
        result.error = f"{name} is not a readable notebook ({type(exc).__name__}: {str(exc)[:160]})"
        return result
    sources = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            source = cell.get("source", "")
            # nbformat's lines are strings; a hand-edited file may hold anything there
            sources.append("".join(map(str, source)) if isinstance(source, list) else str(source))
    return load_cells(sources, name, result)


def load_cells(cells: list[str], name: str, result: LoadedSource | None = None) -> LoadedSource:
    """Code cells in order (a notebook's, or the inputs of a live IPython session)."""
    result = result or LoadedSource()
    skipped: list[str] = []
    neutralised = 0
    for code_index, source in enumerate(cells, start=1):
        label = f"cell {code_index}"
        source, dropped = _strip_cell_magic(source)
        if dropped:
            result.notes.append(f"{label} is a %%{dropped} cell and was not run")
            continue
        cleaned, count = _neutralise_ipython(source)
        neutralised += count
        result.sources[label] = cleaned.splitlines()
        try:
            tree = ast.parse(cleaned, filename=label)
        except SyntaxError:
            skipped += _salvage(cleaned, label, result)
            continue
        skipped += _collect(tree, cleaned, label, result)
    if neutralised:
        result.notes.append(f"{neutralised} IPython line(s) (%magic, !shell, cd) were ignored")
    _adopt_needed(result, skipped)
    _note_skipped(result, skipped)
    _finish(result, name)
    return result


def _finish(result: LoadedSource, name: str) -> None:
    if not result.units:
        result.error = f"{name} defines no function (nothing to grade)"
    result.functions = sorted({n for u in result.units if u.kind == "def" for n in u.names})


def _strip_cell_magic(source: str) -> tuple[str, str]:
    """Return the Python body of a cell magic, or the magic's name if it is not Python."""
    stripped = source.lstrip()
    if not stripped.startswith("%%"):
        return source, ""
    first, _, rest = stripped.partition("\n")
    magic = first[2:].split()[0] if first[2:].split() else "?"
    if magic in _CELL_MAGICS_WITH_PYTHON:
        return "\n" + rest, ""
    return "", magic


def _neutralise_ipython(source: str) -> tuple[str, int]:
    """Replace IPython-only lines with ``pass`` at the same indent (keeps line numbers)."""
    out, count = [], 0
    for line in source.splitlines():
        match = _MAGIC.match(line) or _HELP.match(line)
        if not match:
            auto = _AUTOMAGIC.match(line)
            if auto and not _parses(line.strip()):
                match = auto
            elif auto and auto.group(3) is None and line.strip() in ("cd", "ls", "pwd", "clear"):
                match = auto
        if match:
            out.append(match.group(1) + "pass  # ignored: " + line.strip()[:60])
            count += 1
        else:
            out.append(line)
    return "\n".join(out) + "\n", count


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def _collect(tree: ast.Module, text: str, filename: str, result: LoadedSource) -> list[str]:
    """Keep definitions, imports and constants from a parsed unit; return what was skipped."""
    lines = text.splitlines()
    skipped = []
    for node in tree.body:
        kind = _kind(node)
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        segment = "\n".join(lines[start - 1 : node.end_lineno])
        if kind is None:
            first = lines[start - 1].strip() if start - 1 < len(lines) else ""
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                for name in _names(node):
                    result.not_run.setdefault(name, f"`{first[:60]}` ({filename}, line {start}){NOT_RUN}")
            listed = f"{filename}, line {start}: `{first[:60]}`"
            if first and not first.startswith("pass  # ignored") and not _skip_quietly(node):
                skipped.append(listed)
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None and _names(node):
                unit = CodeUnit(segment, filename, start, "assign", _names(node), limit=CALL_LIMIT)
                result.units.append(unit)  # in its place, in case _adopt_needed keeps it
                result._deferred.append((unit, listed))
            continue
        result.units.append(CodeUnit(segment, filename, start, kind, _names(node)))
    return skipped


def _adopt_needed(result: LoadedSource, skipped: list[str]) -> None:
    """Keep the deferred assignments whose names the kept code reads (and what those read in
    turn), drop the others. A graded function that uses a module-level object the student
    built with a call (a logger, a list of keys, a partial) then works as it does for them."""
    deferred, result._deferred = result._deferred, []
    if not deferred:
        return
    pending = {id(unit) for unit, _ in deferred}
    wanted: set[str] = set()
    for unit in result.units:
        if id(unit) not in pending:
            wanted |= _reads(unit)
    adopted: list[tuple[CodeUnit, str]] = []
    grew = True
    while grew:
        grew = False
        for unit, listed in deferred:
            if id(unit) in pending and wanted & set(unit.names):
                pending.discard(id(unit))
                adopted.append((unit, listed))
                wanted |= _reads(unit)
                grew = True
    result.units = [u for u in result.units if id(u) not in pending]
    for unit, listed in adopted:
        if listed in skipped:
            skipped.remove(listed)
        for name in unit.names:  # asked about only if the statement fails when run
            if name in result.not_run:
                result.not_run[name] = result.not_run[name].removesuffix(NOT_RUN) + RAN_AND_FAILED
    if adopted:
        first = adopted[0][1]
        result.notes.append(
            f"{len(adopted)} top-level statement(s) that call code were run because your functions use what "
            f"they set (e.g. {first}); each may take at most {CALL_LIMIT:g} s"
        )


def _reads(unit: CodeUnit) -> set[str]:
    """The global names a unit's code reads: for a definition, those its body looks up when called."""
    try:
        table = symtable.symtable(unit.source, unit.filename, "exec")
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    todo = [table]
    while todo:
        table = todo.pop()
        todo += table.get_children()
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or table.get_type() == "module"):
                names.add(symbol.get_name())
    return names


def _salvage(text: str, filename: str, result: LoadedSource) -> list[str]:
    """Parse a broken cell group by group (a group starts at an unindented line)."""
    lines = text.splitlines()
    groups: list[tuple[int, int]] = []
    start = 0
    for i, line in enumerate(lines):
        opens_group = line and not line[0].isspace() and not line.startswith(("#", ")", "]", "}"))
        continuation = line.startswith(("else", "elif", "except", "finally"))
        after_decorator = i > 0 and lines[i - 1].startswith("@")
        if i > start and opens_group and not continuation and not after_decorator:
            groups.append((start, i))
            start = i
    groups.append((start, len(lines)))
    skipped: list[str] = []
    for begin, end in groups:
        chunk = "\n".join(lines[begin:end])
        if not chunk.strip():
            continue
        try:
            tree = ast.parse("\n" * begin + chunk, filename=filename)
        except SyntaxError as exc:
            hint = " (was a `def` line deleted?)" if "indent" in exc.msg else ""
            if "unexpected indent" in exc.msg and exc.lineno:
                start = exc.lineno - 1  # the orphan starts where the indent does
                _keep_orphan("\n".join(lines[start:end]), filename, start + 1, result)
            result.notes.append(
                f"{filename}, lines {begin + 1}-{end} do not parse ({exc.msg}{hint}) and were skipped"
            )
            continue
        skipped += _collect(tree, "\n" * begin + chunk, filename, result)
    return skipped


def _keep_orphan(chunk: str, filename: str, lineno: int, result: LoadedSource) -> None:
    """An indented block that parses once dedented and returns something: probably a
    function body whose `def` line was deleted. The grader may adopt it (see load.adopt)."""
    body = textwrap.dedent(chunk)
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return
    if any(isinstance(node, ast.Return) for node in ast.walk(tree)):
        result.orphans.append(CodeUnit(body, filename, lineno, "orphan"))


def _note_skipped(result: LoadedSource, skipped: list[str]) -> None:
    if skipped:
        example = "; ".join(skipped[:2])
        result.notes.append(
            f"only definitions, imports and constants are taken from a submission; "
            f"{len(skipped)} other top-level statement(s) were not run (e.g. {example})"
        )


# Notebook set-up of the grading tools themselves (otter's `import otter`, nbgrader's
# test-cell imports): never what a student's functions need, and seconds to import.
GRADING_TOOLS = {"otter", "nbgrader"}


def _grading_tool_import(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in GRADING_TOOLS for a in node.names)
    return isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in GRADING_TOOLS


def _kind(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return "def"
    if _grading_tool_import(node):
        return None
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        return "assign" if _is_constant(node.value) else None
    if isinstance(node, ast.Try):
        inner = node.body + [s for h in node.handlers for s in h.body] + node.orelse
        return "import" if all(_kind(s) for s in inner) else None
    return None


def _skip_quietly(node: ast.stmt) -> bool:
    """Docstrings, ``pass`` and ``if __name__ == "__main__":`` run nothing on import: no note."""
    if isinstance(node, ast.If):
        return "__name__" in ast.unparse(node.test)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return isinstance(node.value.value, str)
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and getattr(node.value.func, "id", "") == "check":
        return True  # a self-check cell, `check("function")`: the student's tool, not their code
    return isinstance(node, ast.Pass) or _grading_tool_import(node)


# Built-ins that only build values: `dict(tanh=...)`, `["W" + str(i) for i in ...]`.
_PURE_BUILTINS = {"dict", "list", "tuple", "set", "frozenset", "str", "int", "float", "bool", "range", "zip",
                  "len", "sorted", "enumerate", "min", "max", "abs", "round", "namedtuple"}


def _is_constant(expr: ast.expr) -> bool:
    """No calls except numpy/math constructors and value-building built-ins; lambdas are definitions."""
    if isinstance(expr, ast.Lambda):
        return True
    for node in ast.iter_child_nodes(expr):
        if isinstance(node, ast.Lambda):
            continue
        if not _is_constant(node):
            return False
    if isinstance(expr, ast.Call):
        root = expr.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in _NUMERIC_MODULES:
            return True
        return isinstance(expr.func, ast.Name) and expr.func.id in _PURE_BUILTINS
    return True


def _names(node: ast.stmt) -> tuple[str, ...]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return (node.name,)
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return tuple(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return ()
