"""Feedback from a JSON report entry: text (terminal, pytest), Markdown and HTML files.

Everything renders from the report dict, so feedback written later from the
gradebook reads exactly like what ``autograder check`` printed.
"""

from __future__ import annotations

import re
import textwrap
from functools import cache

import jinja2

from autograder.judge.checks import withheld
from autograder.report.documents import block_html, cited_sections, inline_html, local_link
from autograder.report.findings import Finding, collect, consequence_of, key_of
from autograder.report.untrusted import inline_markdown, markdown_code, markdown_text
from autograder.run.signature import CANNOT_CHECK

OK, BAD = "✔", "✘"
NOT_CHECKED = "–"  # a step that could not be checked (the function lacks the parameter)


def _full(item: dict) -> bool:
    return item["score"] >= item["max_score"] - 1e-6


def _note_lines(notes: list[str], verbose: bool) -> list[str]:
    """How the file was read, under the score: every note with --verbose, else the compact list."""
    return [line for note in (notes if verbose else compact_notes(notes)) for line in _wrap(f"note: {note}", "  ")]


def render_text(report: dict, functions: list[str] | None = None, verbose: bool = False) -> str:
    """The score, then what to fix in order (one line per mistake), notes, then each function."""
    lines = [f"{report.get('assignment', '')} — {report['submission']}: {report['score']:g} / {report['max_score']:g}"]
    if report["error"]:  # with how the file was read: a cell that does not parse is often why
        lines.append(f"  error: {report['error']}")
        return "\n".join(lines + _note_lines(report.get("notes", []), verbose))
    context = Context(report)
    relevant = [f for f in context.findings
                if not functions or f.function in functions or set(f.seen_in) & set(functions)]
    by_name = {fn["name"]: fn for fn in report["functions"]}
    if relevant and said_below(relevant, functions):  # the details follow: only their order and lines
        if len(relevant) > 1:
            lines += _wrap("To fix, in this order: " + "; ".join(
                f"{f.number}. {short_fix_line(f, by_name.get(f.shown_in))}" for f in relevant), "", "  ")
    elif relevant:
        lines.append("To fix, in this order:")
        for finding in relevant:
            lines += _wrap(f"{finding.number}. {to_fix_line(finding, by_name.get(finding.shown_in))}", "  ", "     ")
    notes = report.get("notes", [])
    if functions and notes and not verbose:
        lines.append(f"  note: {len(notes)} note{'s' if len(notes) > 1 else ''} on how your file was read "
                     "(the whole report, or --verbose, shows them)")
    else:
        lines += _note_lines(notes, verbose)
    shown = [fn for fn in report["functions"] if not functions or fn["name"] in functions]
    if not functions and not verbose:
        right = [fn for fn in shown if _full(fn) and fn.get("max_score")]
        if right:
            lines += _wrap(f"{OK} full marks: " + ", ".join(
                f"{fn['name']} {fn['score']:g}/{fn['max_score']:g}" for fn in right), "", "    ")
        shown = [fn for fn in shown if fn not in right]
    for fn in shown:
        lines += render_function(fn, verbose, context)
    return "\n".join(lines)


def said_below(relevant: list[Finding], functions: list[str] | None) -> bool:
    """With -f, whether the details say every finding in the fixing order, so "To fix" need
    only name them: one mistake, or all of them made and explained in the one function shown."""
    if not functions:
        return False
    return len(relevant) == 1 or (len(functions) == 1 and all(
        f.function == f.shown_in == functions[0] for f in relevant))


def short_fix_line(finding: Finding, fn: dict | None = None) -> str:
    """A finding named in a few words (the step, its line, its name): the details below say the rest."""
    m = finding.mistake
    line = fix_line_number(finding, fn)
    return f"{m.get('step') or finding.function}{f' ({line})' if line else ''} [{m['id']}]"


class Context:
    """What the details of one report share: its findings, numbered, and which are explained."""

    def __init__(self, report: dict) -> None:
        self.report = report
        self.findings = collect(report)
        self.by_key = {f.key: f for f in self.findings}
        self.explained: set[tuple] = set()


RAISED = ("exception", "shape-error")  # findings of an error, which may be raised inside a right helper


def to_fix_line(finding: Finding, fn: dict | None = None) -> str:
    """One line of "To fix": where (the line too, when an error shows it), what, and what else it makes wrong."""
    m = finding.mistake
    line = fix_line_number(finding, fn)
    message = m["message"]
    for label in (m.get("step"), finding.function):
        if label and message.startswith(f"{label}: "):
            message = message.removeprefix(f"{label}: ")
    inside = _raised_inside(fn) if m.get("id") in RAISED else None
    if inside and inside[1]:  # the helper's line is where it broke; the line to fix is where the caller calls it
        message = re.sub(r" — at .*", f" inside your {inside[0]}, which passes its own checks: look at what it is "
                         "given", message)
    text = f"{finding.where}{f' ({line})' if line else ''}: {_sentence(message)}"
    if m.get("id") not in ("missing", "not-implemented", "check"):
        text += f" [{m['id']}]"
    others = [name for name in finding.seen_in if name != finding.function]
    if others:
        text += f" — it also makes your {_names(others)} wrong"
    if finding.spared:
        text += (f"; your {_names(finding.spared)} {'uses' if len(finding.spared) == 1 else 'use'} it and "
                 f"{'keeps its' if len(finding.spared) == 1 else 'keep their'} points (right once it is fixed)")
    return text


def _raised_inside(fn: dict | None) -> tuple[str, str | None] | None:
    """(helper, "line 83") when the function's note says its error was raised inside a helper
    that is right on its own, called from that line of the function (None: the line unknown)."""
    for note in (fn or {}).get("notes", []):
        found = re.search(INSIDE + r" (\w+)(?:.*?gives it at (line \d+))?", note)
        if found:
            return found[1], found[2]
    return None


def fix_line_number(finding: Finding, fn: dict | None = None) -> str | None:
    """"line 43" (or "file, line 43") to look at for a finding: the line that computes its step,
    or where its error was raised."""
    m = finding.mistake
    edits = (m.get("repair") or {}).get("edits") or []
    if edits:  # the line of the edit the repair search found (run: it makes the steps right)
        file, number = edits[0].get("file", ""), edits[0].get("line")
        return f"{file}, line {number}" if str(file).startswith("cell ") else f"line {number}"
    if m.get("line") and (said := re.match(r"(.*?line \d+)", m["line"])):  # the line that computes the step
        return said[1]
    inside = _raised_inside(fn)
    if m.get("id") in RAISED and inside and inside[1]:  # the caller's line that passes it on
        return inside[1]
    place = error_place(fn) if fn is not None and m.get("source") != "analysis" and not inside else None
    found = re.search(r" at (.+?, line \d+)", place) if place else None
    return found[1] if found else None


def render_function(fn: dict, verbose: bool = False, context: Context | None = None) -> list[str]:
    lines = [f"{OK if _full(fn) else BAD} {fn['name']:<28} {fn['score']:6.2f} / {fn['max_score']:g}"]
    if fn.get("status") == "missing":
        return lines + [f"    {fn['name']} is not defined in your file."] + [
            line for note in fn.get("notes", []) for line in _wrap(f"note: {note}", "    ")]
    if fn.get("status") == "not-implemented":
        return lines + ["    not implemented yet (it still raises NotImplementedError)."]
    if context is None:
        context = Context({"functions": [fn]})
    roots = consequence_of(fn, context.report)
    repaired = not verbose and repair_fixes_all(fn)
    for note in (fn.get("notes", []) if verbose else distinct_notes(fn.get("notes", []))):
        if repaired and INSIDE in note:  # the edit on the caller's line says where to look
            continue
        if verbose or not upstream_note(note):
            wrapped = _wrap(f"note: {note}", "    ")
            lines += wrapped if verbose or len(wrapped) <= NOTE_LINES else _shorten(wrapped, NOTE_LINES)
    lines += [f"    {label:<9} {cells}" for label, cells in step_table(fn)]
    if roots and not verbose:
        numbers = [str(f.number) for f in context.findings if f.function in roots]
        see = f" (mistake {', '.join(numbers)} above)" if numbers and len(context.findings) > 1 else ""
        lines += _wrap(f"• most likely wrong because of your {_names(roots)}{see}: fix that first, then check "
                       "again", "    ", "      ")
        return lines
    for m in fn["mistakes"]:
        finding = context.by_key.get(key_of(fn, m))
        if finding is not None and finding.key in context.explained:
            lines += _wrap(f"• [{m['id']}] ({mistake_where(m)}) explained under {finding.shown_in}",
                           "    ", "      ")
            continue
        if finding is not None:
            context.explained.add(finding.key)
        where = mistake_where(m) if m.get("source") != "analysis" else _variants(m["step"], m)  # it lists its steps
        at = m["line"].split(":")[0] if m.get("line") else ""
        if at and not m.get("caused_by") and not m.get("repair"):  # the line that computes the step
            # (unless the repair found the line: its sentence says "At line N", one line to look at)
            where = re.sub(r"^([^;,]*)", lambda g, at=at: f"{g[1]} at {at}", where, count=1)
        lines += _wrap(f"• [{m['id']}] ({where}) {bullet_message(fn, m, verbose)}", "    ", "      ")
        if m.get("explanation") and (verbose or m["id"] not in SAYS_NOTHING_MORE):
            lines += why_lines(m["explanation"], verbose)
        if m.get("doc"):
            lines.append(f"      See {m['doc']}")
    place = None if verbose or repaired else error_place(fn)
    said = [m["line"].split(":")[0] for m in fn["mistakes"] if m.get("line")]
    if place and not any(f" at {where}:" in place for where in said):  # not where the mistake is said to be
        lines.append("    " + _one_line(f"{BAD} {place}", 96))
    failed = failed_checks(fn, verbose)
    limit = 1 if every_cell_said(fn) else CHECK_LINES  # then one check's numbers are enough
    for check in failed if verbose else failed[:limit]:
        lines += _wrap(f"{BAD} {check['name']} — {check['feedback']}", "    ", "      ")
    if not verbose and len(failed) > limit:
        more = len(failed) - limit
        lines.append(f"    {BAD} {more} more failed check{'s' if more > 1 else ''} (--verbose lists them)")
    return lines


INSIDE = "the error is raised inside your"
# analytic findings whose generic "Why" adds nothing to their message (--verbose keeps it)
SAYS_NOTHING_MORE = frozenset({"differs"})


def repair_fixes_all(fn: dict) -> bool:
    """Whether an edit found by the repair search makes every failing step right: then that
    edit is the place to look, and where the error was raised is not printed beside it."""
    fixed = {step for m in fn.get("mistakes", []) for step in (m.get("repair") or {}).get("fixes", [])}
    failing = {c["step"] for c in fn.get("checks", []) if not c["passed"] and c.get("step")}
    return bool(fixed) and failing <= fixed


def every_cell_said(fn: dict) -> bool:
    """Whether the findings printed for this function (guesses too) name every failing step."""
    cells = {(variant, step) for m in fn.get("mistakes", [])
             for step in (m.get("affects") or (m.get("step") or "").split(", "))
             for variant in (m.get("variants") or [None])}
    failing = [c for c in fn.get("checks", []) if not c["passed"] and c.get("step")]
    return bool(cells) and bool(failing) and all(_covered(c, cells) for c in failing)


def bullet_message(fn: dict, m: dict, verbose: bool = False) -> str:
    """A mistake's message in the details: without the steps its label already lists, and an
    error raised in a helper said in one line when the function's note says where."""
    message = m["message"]
    if m.get("step") and message.startswith(f"{m['step']}: "):
        message = message.removeprefix(f"{m['step']}: ")
    inside = _raised_inside(fn) if not verbose and m["id"] in RAISED else None
    if inside and not repair_fixes_all(fn):  # (then the note is not printed)
        message = re.sub(r" — at .*", f" inside your {inside[0]}: see the note", message)
    return message


# the quoted line is a code span of one or more backticks (judge.disclose.code_span)
_PLACE = re.compile(r"it raised (?P<kind>[\w.]+).*? — at (?P<where>.+?, line \d+(?:: (?P<fence>`+).*?(?<!`)(?P=fence)(?!`))?)")


def error_place(fn: dict) -> str | None:
    """Where the error that a named mistake explains was raised (its check is not printed):
    the line to look at, without the analytic guess that came with it."""
    covered = named_cells(fn)
    for check in fn.get("checks", []):
        if not check["passed"] and _covered(check, covered):
            match = _PLACE.search(check["feedback"])
            if match:
                return f"it raised {match['kind']} at {match['where']}"
    return None


WHY_LINES, NOTE_LINES, CHECK_LINES = 3, 2, 2  # the text report's budget per explanation, note, function


def why_lines(explanation: str, verbose: bool = False) -> list[str]:
    """The explanation, in the report at most its first sentences that fit WHY_LINES lines (the
    first sentence always whole); the rest is in --verbose and in the derivation it links to."""
    whole = _wrap(f"Why: {explanation}", "      ", "      ")
    if verbose or len(whole) <= WHY_LINES:
        return whole
    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", explanation.strip())
    kept = sentences[0]
    for sentence in sentences[1:]:
        if len(_wrap(f"Why: {kept} {sentence} …", "      ", "      ")) > WHY_LINES:
            break
        kept += " " + sentence
    return _wrap(f"Why: {kept} …", "      ", "      ")


def _shorten(wrapped: list[str], size: int) -> list[str]:
    head = wrapped[:size]
    head[-1] = head[-1].rstrip() + " …"
    return head


def upstream_note(note: str) -> bool:
    """grading's "X uses your Y, which lost points too: fix that first" (said by "To fix")."""
    return " which lost points too" in note or ", which lost points too" in note


def compact_notes(notes: list[str]) -> list[str]:
    """One line per kind of note (``--verbose`` and the JSON keep every detail)."""
    result: list[str] = []
    modules: dict[str, list[str]] = {}
    failed = 0
    for note in notes:
        if "IPython line" in note:
            line = "IPython lines (%magic, !shell, cd) were ignored"
        elif match := re.search(r"(\d+) other top-level statement\(s\) were not run", note):
            count = int(match[1])
            line = (f"{count} top-level statement{'s' if count > 1 else ''} (not definitions, imports or constants) "
                    f"{'were' if count > 1 else 'was'} not run")
        elif match := re.search(r"module `([\w.]+)` (is not installed here|is a course helper|is not available)", note):
            modules.setdefault(_module_kind(note), []).append(match[1])
            continue
        elif "` failed (" in note and "and was skipped" in note:
            failed += 1
            continue
        elif match := re.match(r"(\d+) top-level statement\(s\) that call code were run", note):
            line = f"{match[1]} top-level statement(s) that set what your functions use were run"
        else:
            line = _one_line(note)
        if line not in result:
            result.append(line)
    if failed:
        result.append(f"{failed} top-level statement{'s' if failed > 1 else ''} failed when run and "
                      f"{'were' if failed > 1 else 'was'} skipped (they did not define a graded function)")
    for kind, names in modules.items():
        listed = ", ".join(f"`{n}`" for n in dict.fromkeys(names))
        result.append(f"{'module' if len(names) == 1 else 'modules'} {listed}: {kind}; "
                      "the names imported from them were replaced by placeholders")
    return result


def distinct_notes(notes: list[str]) -> list[str]:
    """Notes of a function without one that a later note repeats and extends ("X has no
    `activation` parameter; it was called without it" then "…, so it cannot be checked")."""
    return [n for i, n in enumerate(notes)
            if not any(len(_common(n, later)) >= 30 for later in notes[i + 1:])]


def _common(a: str, b: str) -> str:
    size = 0
    while size < min(len(a), len(b)) and a[size] == b[size]:
        size += 1
    return a[:size]


def _module_kind(note: str) -> str:
    if "not installed here" in note:
        return "not installed here"
    if "course helper" in note:
        return "course helper, not available to the grader"
    return "not available here"


def _one_line(text: str, width: int = 92) -> str:
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + " …"


def _sentence(text: str) -> str:
    """The first sentence of a message (the rest is in the details)."""
    first = re.split(r"(?<=[.!])\s+(?=[A-Z])", text.strip(), maxsplit=1)[0]
    return first.rstrip(".")


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _variants(where: str, m: dict) -> str:
    return where + (f"; {'/'.join(m['variants'])}" if m.get("variants") else "")


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
    covered = named_cells(fn)
    told = [m["message"] for m in fn.get("mistakes", [])] + list(fn.get("notes", []))
    for check in fn["checks"]:
        if check["passed"] or (not verbose and _covered(check, covered)):
            continue
        if not verbose and check.get("kind") == "inputs" and any(m["id"] == "modifies-input" for m in fn["mistakes"]):
            continue  # the finding says it
        if not verbose and any(_reason(check) in text for text in told):
            continue  # said already by a finding or a note
        key = (check.get("variant"), check.get("step"))
        reason = re.sub(r" \(on \d+ of \d+ inputs\)$", "", check["feedback"])
        if not verbose and (key in shown or reason in said):
            if key not in shown and reason in said:
                said[reason]["also"] = said[reason].get("also", 0) + 1
            shown.add(key)
            continue
        shown.add(key)
        entry = dict(check)
        if _covered(check, covered):  # shown with --verbose: the numbers, not a guess beside the named mistake
            entry["feedback"] = without_guess(entry["feedback"])
        said[reason] = entry
        result.append(entry)
    for entry in result:
        if entry.get("also"):
            entry["name"] += f" (and {entry['also']} more check{'s' if entry['also'] > 1 else ''}, same reason)"
    return result


def named_cells(fn: dict) -> set[tuple]:
    """The (variant, step) cells a named mistake explains (its own or a helper's): no analytic
    guess about them is printed beside it. (None, None) when every failing step is explained."""
    cells = set()
    for m in fn.get("mistakes", []):
        if m["id"] in ("wrong-return-type", "missing-keys"):  # no step can be read: it says it all
            return {(None, None)} | {(None, c.get("step")) for c in fn.get("checks", [])}
        if m.get("source") == "analysis" and not m.get("caused_by"):
            continue
        for step in m.get("affects") or [m.get("step")]:
            for variant in m.get("variants") or [None]:
                cells.add((variant, step))
        for step in (m.get("repair") or {}).get("fixes", []):  # the edit that makes them right says it all
            cells.add((None, step))
    failing = {(c.get("variant"), c.get("step")) for c in fn.get("checks", []) if not c["passed"] and c.get("step")}
    if cells and all(_covered({"variant": v, "step": s}, cells) for v, s in failing):
        cells.add((None, None))
    return cells


_GUESS = re.compile(r"(?:; it is the expected result| — it is the expected result|: it is the expected result|\. [^.]*? would fit| — is m read)"
                    r".*?(?=(?: \(on \d+ of \d+ inputs\))?$)")


def without_guess(feedback: str) -> str:
    """A check's feedback without the analytic relation ("divided by 125 instead of m — a global?",
    "W.T would fit"): beside a named mistake it would contradict the name."""
    return _GUESS.sub("", feedback)


def _reason(check: dict) -> str:
    return re.sub(r" \(on \d+ of \d+ inputs\)$", "", check["feedback"])


def _covered(check: dict, cells: set[tuple]) -> bool:
    step, variant = check.get("step"), check.get("variant")
    if step is None:
        return (None, None) in cells
    return (None, step) in cells or (str(variant), step) in cells or (variant, step) in cells


def step_table(fn: dict) -> list[tuple[str, str]]:
    steps = list(dict.fromkeys(c["step"] for c in fn["checks"] if c.get("step")))
    if len(steps) < 2:
        return []
    rows = []
    for variant in dict.fromkeys(c.get("variant") for c in fn["checks"]):
        cells = []
        for step in steps:
            checks = [c for c in fn["checks"] if c.get("variant") == variant and c.get("step") == step]
            # not checked (a parameter the function lacks) is no ✘ of the student's, and a right value
            # whose points are withheld until the function shows work is right
            right = all(c["passed"] or withheld(c.get("feedback", "")) for c in checks)
            unchecked = all(c["passed"] or CANNOT_CHECK in c.get("feedback", "") for c in checks)
            mark = OK if right else NOT_CHECKED if unchecked else BAD
            cells.append(f"{step} {mark}")
        if all(cell.endswith(OK) for cell in cells):  # every step right, yet points lost: say which check
            failed = [c for c in fn["checks"] if c.get("variant") == variant and not c.get("step") and not c["passed"]
                      and not withheld(c["feedback"])]
            cells += [f"{label} {BAD}" for label in dict.fromkeys(c["name"].split(": ", 1)[-1] for c in failed)]
        rows.append((f"{variant}:" if variant is not None else "steps:", "  ".join(cells)))
    if len(rows) > 1 and len({cells for _, cells in rows}) == 1:  # the same in every variant: one row
        rows = [("/".join(label.rstrip(":") for label, _ in rows) + ":", rows[0][1])]
    return rows


def render_markdown(report: dict, student: str | None = None) -> str:
    """The feedback file: "To fix" first, then each function, then the derivation sections cited."""
    return _env().get_template("feedback.md.j2").render(r=report, student=student, **_helpers(report))


def render_html(report: dict, student: str | None = None) -> str:
    """The same as HTML, rendered from Markdown by markdown-it-py, with every link inside the file."""
    return _env(html=True).get_template("feedback.html.j2").render(r=report, student=student, **_helpers(report))


def _helpers(report: dict) -> dict:
    by_name = {fn["name"]: fn for fn in report.get("functions", [])}
    return {"full": _full, "step_table": step_table, "failed_checks": failed_checks, "where": mistake_where,
            "OK": OK, "BAD": BAD, "findings": collect(report) if not report.get("error") else [],
            # each "To fix" line read with its function, as in the text report (an error's caller line)
            "to_fix": lambda finding: to_fix_line(finding, by_name.get(finding.shown_in)),
            "link": local_link, "sections": cited_sections(report),
            # a report's texts may quote the student (messages, notes, errors, the file's name):
            # inert Markdown (untrusted.inline_markdown); the catalogue's explanations are ours
            "text": inline_markdown, "plain": markdown_text, "code": markdown_code,
            "md": lambda text: inline_html(inline_markdown(text)), "ours": inline_html, "block": block_html}


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
