"""Turn a student's file (``.py`` or ``.ipynb``) into the code units worth running.

Only definitions, imports and constant assignments are kept: training loops,
plots, prints and test calls at top level are never run. An assignment that calls
code or an import runs only when the kept code reads what it sets (see ``settle``). IPython syntax
(``%magic``, ``!shell``, a bare ``cd``) is neutralised line by line; a notebook
cell that no longer parses is salvaged statement group by statement group.
Everything skipped or adapted is reported in ``notes``.
"""

from __future__ import annotations

import ast
import functools
import json
import re
import symtable
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".py", ".ipynb")
MAX_CODE = 1 << 20  # characters of code: far more than any answer, and parsing stays cheap

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
    lazy: bool = False  # an import of a heavy package (matplotlib…): bound now, imported on first use
    module: str = ""  # run in this module (a helper file beside the notebook that it imports), not in the submission


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
    broken: dict[str, str] = field(default_factory=dict)  # function -> why its block could not be read
    renamed: dict[str, str] = field(default_factory=dict)  # required name -> the def graded as it (--accept-renamed)
    # imports, and assignments that call code, kept in order until ``settle`` decides:
    # (unit, how it is listed as skipped; "" for an import, which is dropped quietly)
    _deferred: list[tuple[CodeUnit, str]] = field(default_factory=list, repr=False)
    _skipped: list[str] = field(default_factory=list, repr=False)  # statements not run, for the note
    settled: bool = False

    def unit_lines(self, filename: str, lineno: int) -> str:
        lines = self.sources.get(filename, [])
        return lines[lineno - 1].strip() if 0 < lineno <= len(lines) else ""

    def definition(self, name: str) -> CodeUnit | None:
        """The unit whose ``def`` is graded as ``name`` (the last one: it is the one in force)."""
        own = self.renamed.get(name, name)
        return next((u for u in reversed(self.units) if u.kind == "def" and own in u.names), None)


def load_file(path: Path, siblings: bool = False) -> LoadedSource:
    """Read a submission file; never raises for bad content (see ``error``). With
    ``siblings`` (the file is alone in a folder of the student's own), the modules it imports
    from ``.py`` files beside it are loaded with it — never in a folder shared by a class,
    where a file beside it is another student's. A symbolic link is refused: a submission
    linked to ``solutions/…`` was graded as the solution (red team 5)."""
    if path.is_symlink():
        return LoadedSource(error=f"{path.name} is a symbolic link, not a file of its own: submit the file itself")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return LoadedSource(error=f"could not read {path.name}: {exc.strerror or exc}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return LoadedSource(error=f"{path.name} is not UTF-8 text; save it again as UTF-8")
    try:
        loaded = load_notebook_text(text, path.name) if path.suffix == ".ipynb" else load_python_text(text, path.name)
        if siblings:
            _add_sibling_modules(loaded, path)
        return loaded
    except (RecursionError, MemoryError):  # Python's own parser gives up on such nesting
        return LoadedSource(error=f"{path.name} is nested too deeply to be read (an expression or block "
                                  "thousands of levels deep)")


def _add_sibling_modules(loaded: LoadedSource, path: Path) -> None:
    """A module the submission imports that is a ``.py`` file beside it (the student's own
    helpers, imported from the notebook) and no installed module: its definitions are loaded
    as that module, ahead of the submission's code."""
    import importlib.util

    wanted = {}
    for unit in loaded.units:
        if unit.kind == "import":
            for node in ast.walk(ast.parse(unit.source)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                    [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else [])
                for name in names:
                    wanted.setdefault(name.split(".")[0], unit)
    siblings = []
    for name in sorted(wanted):
        sibling = path.with_name(f"{name}.py")
        if (sibling == path or sibling.is_symlink() or not sibling.is_file()
                or sibling.resolve().parent != path.resolve().parent or importlib.util.find_spec(name) is not None):
            continue
        helper = load_file(sibling)
        if helper.error:
            loaded.notes.append(f"{sibling.name}, which {path.name} imports, was not loaded: {helper.error}")
            continue
        settle(helper)
        for unit in helper.units:
            unit.module = name
        siblings += helper.units
        loaded.sources.update(helper.sources)
        loaded.notes.append(f"your {sibling.name} (imported as `{name}`) was loaded with {path.name}")
    loaded.units[:0] = siblings


def load_python_text(text: str, name: str) -> LoadedSource:
    """A ``.py`` file; one that does not parse is salvaged like a notebook cell, block by
    top-level block: the broken function is lost (and the note says why), the others are graded."""
    result = LoadedSource()
    if not text.strip():
        result.error = f"{name} is empty"
        return result
    if len(text) > MAX_CODE:
        result.error = _too_large(name, len(text))
        return result
    cleaned, neutralised = _neutralise_ipython(text)
    if neutralised:
        result.notes.append(f"{neutralised} IPython line(s) (%magic, !shell) in {name} were ignored")
    result.sources[name] = cleaned.splitlines()
    try:
        tree = ast.parse(cleaned, filename=name)
    except SyntaxError as exc:
        result._skipped = _salvage(cleaned, name, result)
        if not any(u.kind == "def" for u in result.units):
            result.error = (f"{name} does not parse: {exc.msg} at line {exc.lineno}"
                            + (f": `{exc.text.strip()}`" if exc.text else "")
                            + f" — fix it (run `python {name}` to see the error) and submit again")
            return result
        _finish(result, name)  # the notes say which lines were skipped, and why
        return result
    result._skipped = _collect(tree, cleaned.splitlines(), name, result)
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
    if sum(len(c) for c in cells) > MAX_CODE:
        result.error = _too_large(name, sum(len(c) for c in cells))
        return result
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
        skipped += _collect(tree, cleaned.splitlines(), label, result)
    if neutralised:
        result.notes.append(f"{neutralised} IPython line(s) (%magic, !shell, cd) were ignored")
    result._skipped = skipped
    _finish(result, name)
    return result


def _too_large(name: str, size: int) -> str:
    return (f"{name} holds {size // 1024} kB of code, more than the {MAX_CODE // 1024} kB a submission may have: "
            "remove data or generated code pasted into it")


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


def _collect(tree: ast.Module, lines: list[str], filename: str, result: LoadedSource) -> list[str]:
    """Keep definitions, imports and constants from a parsed unit (``lines``: its whole text);
    return what was skipped."""
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
        unit = CodeUnit(segment, filename, start, kind, _names(node), lazy=kind == "import" and _heavy(node))
        result.units.append(unit)
        if kind in ("import", "assign") and unit.names:  # run only if the kept code reads a name it binds
            result._deferred.append((unit, ""))
    return skipped


def settle(result: LoadedSource, roots: set[str] | None = None) -> LoadedSource:
    """Decide which deferred statements run: an import or an assignment that calls code is
    kept only when code that runs needs a name it binds — what every kept statement reads
    as it runs, and what the functions in ``roots`` (the graded ones; default: every
    function) read when called, and what those read in turn. Training runs, plots and the
    imports only they use stay out; a graded function's module-level helpers (a logger, a
    list of keys, a partial) are run, and the note names the function that needs them."""
    if result.settled:
        return result
    result.settled = True
    deferred = {id(unit): listed for unit, listed in result._deferred}
    shadows = _shadowing(result, deferred)
    binders: dict[str, list[CodeUnit]] = {}
    for unit in result.units:
        for name in unit.names if id(unit) not in shadows else ():
            binders.setdefault(name, []).append(unit)
    wanted: dict[str, str | None] = {}  # name -> the graded function that needs it
    todo: list[tuple[str, str | None]] = []
    active: set[int] = set()

    def activate(unit: CodeUnit, who: str | None) -> None:
        if id(unit) in active:
            return
        active.add(id(unit))
        now, later = _reads(unit)
        todo.extend((n, who) for n in now | later)

    for unit in result.units:  # whatever runs anyway needs what it reads as it runs
        if id(unit) not in deferred:
            todo.extend((n, None) for n in _reads(unit)[0])
    for unit in result.units:  # a graded name is needed however it is bound: by a def, an import
        # of the course's helper (``from planar_utils import sigmoid``), an assignment (np.vectorize)
        if id(unit) not in shadows and ((unit.kind == "def") if roots is None else bool(set(unit.names) & roots)):
            activate(unit, unit.names[0])
    while todo:
        name, who = todo.pop()
        if name in wanted:
            continue
        wanted[name] = who
        for unit in binders.get(name, []):
            activate(unit, who)
    adopted = [(u, deferred[id(u)]) for u in result.units if id(u) in deferred and id(u) in active]
    result.units = [u for u in result.units if id(u) not in deferred or id(u) in active]
    skipped = result._skipped
    for unit, listed in adopted:
        if listed in skipped:
            skipped.remove(listed)
        for name in unit.names:  # asked about only if the statement fails when run
            if name in result.not_run:
                result.not_run[name] = result.not_run[name].removesuffix(NOT_RUN) + RAN_AND_FAILED
    statements = [(unit, listed) for unit, listed in adopted if listed]
    if statements:
        unit, first = statements[0]
        who = next((wanted[n] for n in unit.names if wanted.get(n)), None)
        result.notes.append(
            f"{len(statements)} top-level statement(s) that call code were run because "
            + (f"your {who} uses what they set" if who else "your code uses what they set")
            + f" (e.g. {first}); each may take at most {CALL_LIMIT:g} s")
    _note_skipped(result, skipped)
    return result


def _shadowing(result: LoadedSource, deferred: dict[int, str]) -> set[int]:
    """The statements that replace a function defined above them by what it returns (a test
    cell's ``sigmoid = sigmoid(np.array([0, 2]))``): never run, so the function is graded, and
    said in a note (in the notebook too, the name is no longer a function after that cell)."""
    defined: set[str] = set()
    shadows: set[int] = set()
    for unit in result.units:
        if unit.kind == "def":
            defined.update(unit.names)
            continue
        if id(unit) not in deferred or not set(unit.names) & defined:
            continue
        try:
            node = ast.parse(unit.source).body[0]
        except (SyntaxError, IndexError):
            continue
        value = getattr(node, "value", None)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in unit.names:
            shadows.add(id(unit))
            listed = deferred[id(unit)]
            if listed in result._skipped:
                result._skipped.remove(listed)
            name = value.func.id
            result.notes.append(f"{listed or unit.source.splitlines()[0][:60]} replaces your function {name} by "
                                f"what it returns: not run, so your def of {name} is graded (in your notebook, "
                                f"{name} is no longer a function after it)")
    return shadows


def _reads(unit: CodeUnit) -> tuple[frozenset[str], frozenset[str]]:
    """The global names a unit's code reads as it runs, and those its functions read when
    called (a definition's body, a lambda's)."""
    return _reads_of(unit.source)


@functools.lru_cache(maxsize=2048)
def _reads_of(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """:func:`_reads` of a unit's text (each is asked for twice in :func:`settle`; an import
    or a helper kept from the template is the same text in every submission, whatever the
    file's name: the name would only word a syntax error, and those are not kept)."""
    try:
        table = symtable.symtable(source, "<unit>", "exec")
    except (SyntaxError, ValueError):
        return frozenset(), frozenset()
    now = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    later: set[str] = set()
    todo = table.get_children()
    while todo:
        child = todo.pop()
        todo += child.get_children()
        later |= {s.get_name() for s in child.get_symbols() if s.is_referenced() and s.is_global()}
    return frozenset(now), frozenset(later)


# Packages that take a second or more to import and that graded functions hardly ever need:
# an import of one is bound at load and imported on first use (see child.LazyModule).
HEAVY = {"matplotlib", "sklearn", "scipy", "h5py", "PIL", "pandas", "seaborn", "IPython", "tensorflow", "torch",
         "keras", "cv2", "skimage", "imageio", "plotly", "tqdm"}


def _heavy(node: ast.stmt) -> bool:
    if isinstance(node, ast.Import):
        return all(a.name.split(".")[0] in HEAVY for a in node.names)
    return (isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] in HEAVY
            and all(a.name != "*" for a in node.names))


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
    broken: list[str] = []
    for begin, end in groups:
        chunk = "\n".join(lines[begin:end])
        if not chunk.strip():
            continue
        try:  # each group on its own (linear in the file), then moved to its place
            tree = ast.increment_lineno(ast.parse(chunk, filename=filename), begin)
        except SyntaxError as exc:
            at = begin + (exc.lineno or 1)
            hint = " (was a `def` line deleted?)" if "indent" in exc.msg else ""
            if "unexpected indent" in exc.msg and exc.lineno:
                _keep_orphan("\n".join(lines[at - 1:end]), filename, at, result)  # the orphan starts at the indent
            defined = re.match(r"\s*(?:async\s+)?def\s+(\w+)", chunk)
            if defined:
                result.broken[defined.group(1)] = f"{filename}, line {at} does not parse ({exc.msg}{hint})"
            broken.append(f"{filename}, lines {begin + 1}-{end} do not parse ({exc.msg} at line {at}{hint})")
            continue
        skipped += _collect(tree, lines, filename, result)
    if broken:
        more = f" (and {len(broken) - 3} more such groups of lines)" if len(broken) > 3 else ""
        result.notes += [f"{b} and were skipped" for b in broken[:3]]
        if more:
            result.notes[-1] += more
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
    if isinstance(node, (ast.Import, ast.ImportFrom)):  # a star import binds names unknown here: ()
        if any(a.name == "*" for a in node.names):
            return ()
        return tuple(a.asname or a.name.split(".")[0] for a in node.names)
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return tuple(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return ()
