"""The class summary an instructor reads before the next lecture (Markdown, HTML, PNG).

A common mistake is shown with the message of one student who made it, which may quote
that student's code or error, and the errors list students' names: in summary.md that
text is inert Markdown (:func:`~autograder.report.untrusted.inline_markdown`), in
summary.html escaped."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from autograder.report.untrusted import inline_markdown, markdown_text  # noqa: E402


@dataclass
class Common:
    id: str
    step: str
    function: str
    students: int
    message: str
    explanation: str


def summarise(reports: Iterable[dict]) -> dict:
    """One pass over the reports (they may stream from the gradebook)."""
    scores: list[float] = []
    errors: list[dict] = []
    full = 0
    max_score = 0.0
    per_function: dict[str, list[float]] = {}
    maxima: dict[str, float] = {}
    seen: dict[tuple, set] = {}
    texts: dict[tuple, tuple[str, str]] = {}
    for r in reports:
        scores.append(r["score"])
        max_score = r["max_score"]
        full += r["score"] >= r["max_score"] - 1e-6
        if r["error"]:
            errors.append({"student": r.get("student"), "submission": r["submission"], "error": r["error"]})
        for fn in r["functions"]:
            per_function.setdefault(fn["name"], []).append(fn["score"])
            maxima[fn["name"]] = fn["max_score"]
            for m in fn["mistakes"]:
                if m.get("caused_by"):  # counted once, in the function where it was made
                    continue
                key = (m["id"], m["step"], fn["name"])
                seen.setdefault(key, set()).add(r.get("student", r["submission"]))
                texts.setdefault(key, (m["message"], m.get("explanation", "")))
    common = sorted((Common(k[0], k[1], k[2], len(v), *texts[k]) for k, v in seen.items()),
                    key=lambda c: (-c.students, c.id))
    by_step = Counter()
    for c in common:
        by_step[c.step] += c.students
    return {
        "count": len(scores),
        "errors": errors,
        "scores": scores,
        "max_score": max_score,
        "mean": sum(scores) / len(scores) if scores else 0.0,
        "full": full,
        "functions": {n: (sum(v) / len(v), maxima[n]) for n, v in per_function.items()},
        "common": common,
        "by_step": by_step,
    }


def write_summary(out: Path, assignment: str, reports: Iterable[dict]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    s = summarise(reports)
    paths = [_histogram(out / "histogram.png", s, assignment), _mistake_chart(out / "mistakes.png", s)]
    md = _markdown(assignment, s)
    (out / "summary.md").write_text(md, encoding="utf-8", errors="replace")
    (out / "summary.html").write_text(_html(assignment, s), encoding="utf-8", errors="replace")
    return [out / "summary.md", out / "summary.html", *paths]


def _histogram(path: Path, s: dict, assignment: str) -> Path:
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(s["scores"], bins=20, range=(0, s["max_score"] or 1), color="#4c72b0", edgecolor="white")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # no half students
    ax.set_title(f"{assignment}: {s['count']} submissions, mean {s['mean']:.1f}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _mistake_chart(path: Path, s: dict) -> Path:
    top = s["common"][:12][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.4 * max(len(top), 3) + 1))
    ax.barh([f"{c.id} ({c.step})" for c in top], [c.students for c in top], color="#dd8452")
    ax.set_xlabel("students")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("most common mistakes")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _markdown(assignment: str, s: dict) -> str:
    lines = [
        f"# {assignment}: class summary", "",
        f"{s['count']} submissions; mean score {s['mean']:.1f} / {s['max_score']:g}; "
        f"{s['full']} with full marks; {len(s['errors'])} could not be graded.", "",
        "![score histogram](histogram.png)", "", "## Per function", "", "| function | mean | max |", "|---|---|---|",
    ]
    lines += [f"| `{n}` | {mean:.2f} | {mx:g} |" for n, (mean, mx) in s["functions"].items()]
    lines += ["", "## Mistakes per step", "", "| step | students |", "|---|---|"]
    lines += [f"| {step} | {n} |" for step, n in s["by_step"].most_common()]
    lines += ["", "## Most common mistakes", "", "![most common mistakes](mistakes.png)", ""]
    for c in s["common"][:10]:
        lines += [f"### `{c.id}` — {c.students} student(s) ({c.function}, step {c.step})", "",
                  inline_markdown(c.message), ""]
        if c.explanation:
            lines += [f"*Why:* {c.explanation}", ""]
    if s["errors"]:
        lines += ["## Not graded", ""]
        lines += [f"- {markdown_text(str(r.get('student') or r['submission']))}: {inline_markdown(r['error'])}"
                  for r in s["errors"]]
    return "\n".join(lines) + "\n"


def _html(assignment: str, s: dict) -> str:
    e = html.escape
    rows = "".join(f"<tr><td><code>{e(n)}</code></td><td>{mean:.2f}</td><td>{mx:g}</td></tr>"
                   for n, (mean, mx) in s["functions"].items())
    steps = "".join(f"<tr><td>{e(step)}</td><td>{n}</td></tr>" for step, n in s["by_step"].most_common())
    common = "".join(
        f"<h3><code>{e(c.id)}</code> — {c.students} student(s) ({e(c.function)}, step {e(c.step)})</h3>"
        f"<p>{e(c.message)}</p><p><em>Why:</em> {e(c.explanation)}</p>" for c in s["common"][:10])
    errors = "".join(f"<li>{e(str(r.get('student', r['submission'])))}: {e(r['error'])}</li>" for r in s["errors"])
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{e(assignment)} summary</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto}"
        "td,th{border:1px solid #ccc;padding:.2rem .6rem}table{border-collapse:collapse}</style></head><body>"
        f"<h1>{e(assignment)}: class summary</h1><p>{s['count']} submissions; mean score {s['mean']:.1f} / "
        f"{s['max_score']:g}; {s['full']} with full marks; {len(s['errors'])} could not be graded.</p>"
        "<img src='histogram.png' alt='score histogram'>"
        f"<h2>Per function</h2><table><tr><th>function</th><th>mean</th><th>max</th></tr>{rows}</table>"
        f"<h2>Mistakes per step</h2><table><tr><th>step</th><th>students</th></tr>{steps}</table>"
        f"<h2>Most common mistakes</h2><img src='mistakes.png' alt='most common mistakes'>{common}"
        + (f"<h2>Not graded</h2><ul>{errors}</ul>" if errors else "") + "</body></html>\n"
    )
