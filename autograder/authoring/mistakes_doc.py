"""``docs/mistakes.md``: the mistake catalogues as a page for students and instructors."""

from __future__ import annotations

from pathlib import Path

from autograder.spec import Assignment


def render_mistakes(assignments: list[Assignment]) -> str:
    lines = [
        "# Known mistakes",
        "",
        "Generated from `assignments/*/mistakes.toml` by `autograder generate`; do not edit by hand.",
        "The grader recognises each of these by its fingerprint (it runs the mistake on the same",
        "inputs as your code and compares the results), alone or two at a time.",
        "",
    ]
    for assignment in assignments:
        lines += [f"## {assignment.name}", ""]
        by_function: dict[str, list] = {}
        for mistake in assignment.mistakes:
            by_function.setdefault(mistake.function, []).append(mistake)
        for function, mistakes in by_function.items():
            lines += [f"### {function}", "", "| id | step | what is wrong |", "|---|---|---|"]
            for m in mistakes:
                link = f" ([why]({Path(assignment.doc).name}#{m.doc}))" if m.doc and assignment.doc else ""
                message = m.message.replace("|", "\\|")
                lines.append(f"| `{m.id}` | {m.step} | {message}{link} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def mistakes_doc_path(root: Path) -> Path:
    return root / "docs" / "mistakes.md"
