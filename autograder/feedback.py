"""Human-readable feedback from a report: what a student reads in a terminal or in pytest."""

from __future__ import annotations

import textwrap

from .grading import SubmissionReport
from .judge import FunctionResult

OK, BAD = "✔", "✘"


def render_text(report: SubmissionReport, functions: list[str] | None = None, verbose: bool = False) -> str:
    lines = [f"{report.assignment} — {report.submission}: {report.score:g} / {report.max_score:g}"]
    if report.error:
        lines.append(f"  error: {report.error}")
        return "\n".join(lines)
    for note in report.notes:
        lines += _wrap(f"note: {note}", "  ")
    for result in report.functions:
        if functions and result.name not in functions:
            continue
        lines += render_function(result, verbose)
    return "\n".join(lines)


def render_function(result: FunctionResult, verbose: bool = False) -> list[str]:
    mark = OK if result.score >= result.max_score - 1e-9 else BAD
    lines = [f"{mark} {result.name:<28} {result.score:6.2f} / {result.max_score:g}"]
    if result.status == "missing":
        return lines + [f"    {result.name} is not defined in your file."]
    if result.status == "not-implemented":
        return lines + ["    not implemented yet (it still raises NotImplementedError)."]
    for note in result.notes:
        lines += _wrap(f"adapted: {note}", "    ")
    steps = _step_table(result)
    if steps:
        lines += steps
    for m in result.mistakes:
        where = f"{m.step}" + (f", affects {', '.join(m.affects)}" if m.affects and m.affects != [m.step] else "")
        if m.variants:
            where += f"; {'/'.join(m.variants)}"
        if m.caused_by:
            where += f"; the mistake is in your {m.caused_by}"
        lines += _wrap(f"• [{m.id}] ({where}) {m.message}", "    ", "      ")
        if m.explanation:
            lines += _wrap(f"Why: {m.explanation}", "      ", "      ")
        if m.doc:
            lines.append(f"      See {m.doc}")
    shown: set = set()
    for check in result.checks:
        if check.passed:
            continue
        key = (check.variant, check.step, check.feedback)
        if not verbose and (check.variant, check.step) in shown:
            continue
        shown.add((check.variant, check.step))
        shown.add(key)
        lines += _wrap(f"{BAD} {check.name} — {check.feedback}", "    ", "      ")
    return lines


def _step_table(result: FunctionResult) -> list[str]:
    steps = [c.step for c in result.checks if c.step]
    steps = list(dict.fromkeys(steps))
    if len(steps) < 2:
        return []
    variants = list(dict.fromkeys(c.variant for c in result.checks))
    lines = []
    for variant in variants:
        cells = []
        for step in steps:
            checks = [c for c in result.checks if c.variant == variant and c.step == step]
            cells.append(f"{step} {OK if all(c.passed for c in checks) else BAD}")
        label = f"{variant}:" if variant is not None else "steps:"
        lines.append(f"    {label:<9} " + "  ".join(cells))
    return lines


def _wrap(text: str, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=first, subsequent_indent=rest or first + "  ",
                         break_long_words=False, break_on_hyphens=False) or [first]
