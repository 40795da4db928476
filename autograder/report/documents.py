"""Feedback files that travel: Markdown rendered by a real renderer, and the derivation
sections a report cites carried inside the file, so its links work once it is mailed.

markdown-it-py renders (CommonMark, raw HTML escaped: a student's exception message or
printed output can never become markup, and unsafe link schemes are refused).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from markupsafe import Markup

from autograder.spec import project_root


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    body: str  # Markdown, its own heading excluded


@cache
def _markdown():
    """Imported here: the student release's self-check renders text only and does not ship it."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table")


def inline_html(text: str) -> Markup:
    """One message (`code`, *emphasis*) as HTML, everything else escaped."""
    return _inline(str(text))


def block_html(text: str) -> Markup:
    return _block(str(text))


# Kept per text: a class's reports repeat the same explanations and derivation sections.
@lru_cache(maxsize=4096)
def _inline(text: str) -> Markup:
    return Markup(_markdown().renderInline(text))


@lru_cache(maxsize=256)
def _block(text: str) -> Markup:
    return Markup(_markdown().render(text))


def slug(title: str) -> str:
    """The anchor GitHub gives a heading (the links in mistakes.toml are written that way)."""
    text = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return text.replace(" ", "-")


def local_link(doc: str | None) -> str | None:
    """``docs/derivation.md#why-the-transpose`` → ``#why-the-transpose``: the section is in the file."""
    if not doc or "#" not in doc:
        return doc
    return "#" + doc.split("#", 1)[1]


def cited_sections(report: dict, root: Path | None = None) -> list[Section]:
    """The sections of the derivation that the report's mistakes cite, in the order cited."""
    anchors: dict[str, str] = {}
    for fn in report.get("functions", []):
        for m in fn.get("mistakes", []):
            doc = m.get("doc")
            if doc and "#" in doc:
                path, anchor = doc.split("#", 1)
                anchors.setdefault(anchor, path)
    found: dict[str, Section] = {}
    todo = list(anchors.items())
    while todo:  # and the sections those sections link to, so that every link stays in the file
        anchor, path = todo.pop(0)
        section = _sections(str((root or project_root()) / path)).get(anchor)
        if section is None or anchor in found:
            continue
        found[anchor] = section
        todo += [(a, path) for a in re.findall(r"\]\(#([\w-]+)\)", section.body) if a not in found]
    return list(found.values())


@cache
def _sections(path: str) -> dict[str, Section]:
    file = Path(path)
    if not file.is_file():
        return {}
    result: dict[str, Section] = {}
    title, body = None, []
    for line in file.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            if title is not None:
                result[slug(title)] = Section(slug(title), title, "\n".join(body).strip())
            title, body = line[3:].strip(), []
        elif title is not None:
            body.append(line)
    if title is not None:
        result[slug(title)] = Section(slug(title), title, "\n".join(body).strip())
    return result
