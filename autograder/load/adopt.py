"""Adopt a function body whose `def` line was deleted, when whose body it is is unambiguous.

A notebook cell that starts with an indented block no longer parses; the loader
keeps such blocks aside. If exactly one graded function is missing from the
submission and the block reads that function's parameters (more of them than of
any other missing function's), the block is graded as that function, with the
reference signature, and the feedback says so.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from autograder.load.source import CodeUnit, LoadedSource


def adopt_orphans(loaded: LoadedSource, signatures: dict[str, list[inspect.Parameter]]) -> None:
    missing = [name for name in signatures if name not in loaded.functions]
    for orphan in loaded.orphans:
        used = {n.id for n in ast.walk(ast.parse(orphan.source)) if isinstance(n, ast.Name)}
        scores = sorted(((len(used & {p.name for p in signatures[name]}), name) for name in missing), reverse=True)
        if not scores or scores[0][0] == 0 or (len(scores) > 1 and scores[1][0] == scores[0][0]):
            continue
        name = scores[0][1]
        header = f"def {name}({', '.join(_parameter(p) for p in signatures[name])}):\n"
        source = header + textwrap.indent(orphan.source, "    ")
        lineno = max(1, orphan.lineno - 1)  # the def line takes the place of the deleted one
        loaded.units.append(CodeUnit(source, orphan.filename, lineno, "def", (name,)))
        loaded.functions = sorted({*loaded.functions, name})
        missing.remove(name)
        loaded.notes.append(
            f"{orphan.filename}, line {orphan.lineno}: put the `def` line back — Python cannot run this "
            f"indented block without it; it reads the parameters of {name}, so it was graded as "
            f"`{header.strip()[:-1]}`")


def _parameter(p: inspect.Parameter) -> str:
    return p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
