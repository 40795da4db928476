"""Feedback from a JSON report entry: text (terminal, pytest), Markdown and HTML files.

Everything renders from the report dict, so feedback written later from the
gradebook reads exactly like what ``autograder check`` printed.
"""

from __future__ import annotations

import re
import textwrap
from functools import cache

import jinja2

OK, BAD = "✔", "✘"


def _full(item: dict) -> bool:
    return item["score"] >= item["max_score"] - 1e-6


def render_text(report: dict, functions: list[str] | None = None, verbose: bool = False) -> str:
    lines = [f"{report.get('assignment', '')} — {report['submission']}: {report['score']:g} / {report['max_score']:g}"]
    if report["error"]:
        lines.append(f"  error: {report['error']}")
        return "\n".join(lines)
    for note in report.get("notes", []):
        lines += _wrap(f"note: {note}", "  ")
    for fn in report["functions"]:
        if functions and fn["name"] not in functions:
            continue
        lines += render_function(fn, verbose)
    return "\n".join(lines)


def render_function(fn: dict, verbose: bool = False) -> list[str]:
    lines = [f"{OK if _full(fn) else BAD} {fn['name']:<28} {fn['score']:6.2f} / {fn['max_score']:g}"]
    if fn.get("status") == "missing":
        return lines + [f"    {fn['name']} is not defined in your file."] + [
            line for note in fn.get("notes", []) for line in _wrap(f"note: {note}", "    ")]
    if fn.get("status") == "not-implemented":
        return lines + ["    not implemented yet (it still raises NotImplementedError)."]
    for note in fn.get("notes", []):
        lines += _wrap(f"note: {note}", "    ")
    lines += [f"    {label:<9} {cells}" for label, cells in step_table(fn)]
    for m in fn["mistakes"]:
        lines += _wrap(f"• [{m['id']}] ({mistake_where(m)}) {m['message']}", "    ", "      ")
        if m.get("explanation"):
            lines += _wrap(f"Why: {m['explanation']}", "      ", "      ")
        if m.get("doc"):
            lines.append(f"      See {m['doc']}")
    for check in failed_checks(fn, verbose):
        lines += _wrap(f"{BAD} {check['name']} — {check['feedback']}", "    ", "      ")
    return lines


def mistake_where(m: dict) -> str:
    where = m["step"]
    if m.get("affects") and m["affects"] != [m["step"]]:
        where += f", affects {', '.join(m['affects'])}"
    if m.get("variants"):
        where += f"; {'/'.join(m['variants'])}"
    if m.get("caused_by"):
        where += f"; the mistake is in your {m['caused_by']}"
    return where


def failed_checks(fn: dict, verbose: bool = False) -> list[dict]:
    """Failed checks, one per step and variant unless verbose (the first says the most);
    checks failing for the same reason (one error stops every step) are said once."""
    shown, said, result = set(), {}, []
    for check in fn["checks"]:
        if check["passed"]:
            continue
        key = (check.get("variant"), check.get("step"))
        reason = re.sub(r" \(on \d+ of \d+ inputs\)$", "", check["feedback"])
        if not verbose and (key in shown or reason in said):
            if key not in shown and reason in said:
                said[reason]["also"] = said[reason].get("also", 0) + 1
            shown.add(key)
            continue
        shown.add(key)
        entry = dict(check)
        said[reason] = entry
        result.append(entry)
    for entry in result:
        if entry.get("also"):
            entry["name"] += f" (and {entry['also']} more check{'s' if entry['also'] > 1 else ''}, same reason)"
    return result


def step_table(fn: dict) -> list[tuple[str, str]]:
    steps = list(dict.fromkeys(c["step"] for c in fn["checks"] if c.get("step")))
    if len(steps) < 2:
        return []
    rows = []
    for variant in dict.fromkeys(c.get("variant") for c in fn["checks"]):
        cells = []
        for step in steps:
            checks = [c for c in fn["checks"] if c.get("variant") == variant and c.get("step") == step]
            cells.append(f"{step} {OK if all(c['passed'] for c in checks) else BAD}")
        rows.append((f"{variant}:" if variant is not None else "steps:", "  ".join(cells)))
    return rows


def render_markdown(report: dict, student: str | None = None) -> str:
    return _env().get_template("feedback.md.j2").render(r=report, student=student, **_helpers())


def render_html(report: dict, student: str | None = None) -> str:
    return _env(html=True).get_template("feedback.html.j2").render(r=report, student=student, **_helpers())


def _helpers() -> dict:
    return {"full": _full, "step_table": step_table, "failed_checks": failed_checks, "where": mistake_where,
            "OK": OK, "BAD": BAD}


@cache
def _env(html: bool = False) -> jinja2.Environment:
    """One environment per kind, so each template is compiled once per process, not per student."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("autograder.report", "templates"),
        autoescape=html, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


def _wrap(text: str, first: str, rest: str | None = None) -> list[str]:
    return textwrap.wrap(text, width=100, initial_indent=first, subsequent_indent=rest or first + "  ",
                         break_long_words=False, break_on_hyphens=False) or [first]
