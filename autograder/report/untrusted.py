"""Text a submission controls, made harmless wherever the grader writes it.

A student chooses their file's name, their exception messages and the code lines the
feedback quotes, and each place the grader writes to can be fooled its own way: a lone
surrogate (``b"\\xff".decode("utf-8", "surrogateescape")``) cannot be encoded, so SQLite, a
file or the terminal raises; a CSV cell starting with ``=`` is a spreadsheet formula; a
newline, ``#``, ``[text](url)`` or a stray backtick in Markdown makes a heading, a link or
an image in a feedback file. One rule per place, here:

* anything written: lone surrogates become U+FFFD, a string is at most :data:`TEXT_CAP`
  characters (:func:`clean_report`);
* a CSV cell: a text starting with ``= + - @``, tab or CR gets a leading ``'`` (OWASP);
* Markdown: a report's text is one line in which only code spans stay markup, each fenced
  with more backticks than it holds; every other markup character is escaped
  (:func:`inline_markdown`).
"""

from __future__ import annotations

import re
from typing import Any

from autograder.judge.disclose import capped, fenced
from autograder.run.wire import no_surrogates  # (imported from here by the writers too)

TEXT_CAP = 2000  # characters of one string of a report: the longest the grader writes is a few hundred
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_BREAK = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]+")  # newlines and other controls: one line
# what can start markup inline: escapes, code, emphasis, links and images, HTML and autolinks,
# entities, strikethrough; an underscore only where it could open or close emphasis
_MARKUP = re.compile(r"[\\`*\[\]<&~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_EMPHASIS = re.compile(r"(?<![\w*])\*([A-Za-z]{1,30})\*(?![\w*])")  # the catalogue's *transposed*: kept
_AT_LINE_START = re.compile(r"^(\s*[0-9]*)([#>=+-]|(?<=[0-9])[.)])")  # "# x", "> x", "- x", "1. x"
_BACKTICKS = re.compile(r"`+")
_ADDRESS = re.compile(r"(?i)(?:\b[a-z][a-z0-9+.-]*:/*|\bwww\.)[^\s`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class CleanReport(dict):
    """A report :func:`clean_report` made: every sink cleans what it is given, and one that
    is given this (the batch hands the same report to the gradebook and to the writers) is
    not walked again. Only ``clean_report`` makes one; nothing a child sends is one."""


def clean_report(value: Any) -> Any:
    """A report (any JSON-like value) whose strings, keys too, have no lone surrogate and
    are at most :data:`TEXT_CAP` long: what the gradebook and every writer may store."""
    if isinstance(value, CleanReport):
        return value
    cleaned = _clean(value)
    return CleanReport(cleaned) if isinstance(cleaned, dict) else cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return capped(no_surrogates(value), TEXT_CAP)
    if isinstance(value, dict):
        return {_clean(k) if isinstance(k, str) else k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: a text that would start a formula gets a
    leading ``'``; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def one_line(text: str) -> str:
    """Newlines and other control characters collapsed into one space."""
    return _BREAK.sub(" ", str(text))


def markdown_text(text: str) -> str:
    """Plain text inert in Markdown: one line, every markup character escaped (a one-word
    ``*emphasis*`` aside), nothing that starts a block (heading, quote, list) at its start,
    and an address (``https://…``, ``www.…``, an e-mail) in a code span, where no viewer makes
    it a link (GitHub's Markdown links bare addresses: red team 5)."""
    text, parts, at = one_line(text), [], 0
    for address in _ADDRESS.finditer(text):
        parts += [_words(text[at:address.start()]), markdown_code(address[0])]
        at = address.end()
    parts.append(_words(text[at:]))
    return _AT_LINE_START.sub(lambda m: m[1] + "\\" + m[2], "".join(parts), count=1)


def _words(text: str) -> str:
    parts, at = [], 0
    for word in _EMPHASIS.finditer(text):
        parts += [_escape(text[at:word.start()]), word[0]]
        at = word.end()
    parts.append(_escape(text[at:]))
    return "".join(parts)


def _escape(text: str) -> str:
    return _MARKUP.sub(lambda m: "\\" + m[0], text)


def markdown_code(code: str) -> str:
    """``code`` as one code span, fenced with more backticks than any run inside it."""
    code = one_line(code)
    return fenced(code) if code else ""


def inline_markdown(text: Any) -> str:
    """A report's text (a message, a note, a check's feedback) as one line of Markdown in
    which only its code spans are markup: a span opens with a run of backticks and closes
    with a run of the same length, as CommonMark reads it; everything else is escaped.
    Student text then makes no heading, link, image, bold text or HTML, however it was quoted."""
    text = one_line(text)
    parts, at = [], 0
    for run in _BACKTICKS.finditer(text):
        if run.start() < at:
            continue
        close = re.compile(rf"(?<!`){run[0]}(?!`)").search(text, run.end())
        if close is None:
            continue  # a stray run: escaped with the text around it
        parts += [markdown_text(text[at:run.start()]), markdown_code(_span_content(text[run.end():close.start()]))]
        at = close.end()
    parts.append(markdown_text(text[at:]))
    return "".join(parts)


def _span_content(inner: str) -> str:
    """A code span's content as CommonMark shows it: one space stripped from each side when
    both have one and it is not all spaces."""
    if len(inner) >= 2 and inner.startswith(" ") and inner.endswith(" ") and inner.strip(" "):
        return inner[1:-1]
    return inner
