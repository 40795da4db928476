"""Red team 4 on the output side: what a class batch writes when students choose their
file names, their exception messages and the lines the feedback quotes.

Each test grades real hostile submissions (tests/fixtures/hostile/output/, adapted from the
red team's attack files) next to honest ones, in a batch run by the command line as an
instructor runs it, and reads the files the batch wrote. Each test's comment says what the
attack did before it was fixed.
"""

import csv
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from autograder.classroom.layout import discover, label
from autograder.grading import grade_safely
from autograder.judge.disclose import code_span
from autograder.report.feedback import render_html, render_markdown
from autograder.report.untrusted import clean_report, inline_markdown
from autograder.run import wire
from conftest import EXAMPLES, FIXTURES, ROOT, grader_for

OUTPUT = FIXTURES / "hostile" / "output"
CORRECT = EXAMPLES / "correct_classic_npdot.py"
BUGGY = EXAMPLES / "bug_dw1_missing_1_over_m.py"  # 93.46: dW1 misses its 1/m
FORMULA = '=HYPERLINK("https:\\\\evil.example\\regrade","Regrade portal")'


def grade_cli(folder: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", "grade", str(folder), "--assignment",
                           "one_hidden_layer", "--jobs", "2", "--out", str(out)],
                          capture_output=True, text=True, timeout=900, cwd=ROOT)


def stored(out: Path) -> dict[str, dict]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    try:
        return {s: json.loads(r) for s, r in db.execute("SELECT student, report FROM grades")}
    finally:
        db.close()


def texts(report: dict) -> list[str]:
    """Every text of a report a student reads."""
    return [report["error"] or "", *report["notes"]] + [
        t for f in report["functions"] for t in (*f["notes"], *(c["feedback"] for c in f["checks"]),
                                                   *(m["message"] for m in f["mistakes"]))]


# -- lone surrogates -------------------------------------------------------------------------

# Attack: an exception message made with b"\xff".decode("utf-8", "surrogateescape") (and one with
# "\ud800") came back from the child as a lone surrogate; the batch's main process died in
# Gradebook.record (SQLite: "surrogates not allowed"), so no grades.csv nor report.json was
# written for anyone. A file named with a raw \xff byte did the same through the student's id.
def test_lone_surrogates_cost_only_their_own_marks(tmp_path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    shutil.copy(CORRECT, folder / "alice.py")
    shutil.copy(OUTPUT / "surrogate_message.py", folder / "mallory.py")
    (Path(os.fsdecode(os.fsencode(folder) + b"/ff\xffname.py"))).write_bytes(CORRECT.read_bytes())
    out = tmp_path / "results"
    done = grade_cli(folder, out)
    assert done.returncode == 0, done.stderr
    reports = stored(out)
    assert set(reports) == {"alice", "mallory", "ff\\xffname"}
    assert reports["alice"]["score"] == reports["ff\\xffname"]["score"] == 100
    assert 0 < reports["mallory"]["score"] < 100
    said = " ".join(texts(reports["mallory"]))
    assert "bad byte: \ufffd" in said and "oops \ufffd" in said
    here = out / "one_hidden_layer"
    with open(here / "grades.csv", encoding="utf-8") as handle:
        assert {row["student"] for row in csv.DictReader(handle)} == set(reports)
    assert len(json.loads((here / "report.json").read_text(encoding="utf-8"))["submissions"]) == 3
    assert len(list((here / "feedback").glob("*.md"))) == 3


def test_a_child_s_lone_surrogates_arrive_as_replacement_characters(grader):
    """At the source: every text the parent rebuilds from a child's frame, however it was sent."""
    header = b'{"op": "done", "error": {"message": "a\\udcff b\xed\xa0\x80 c\\ud83d\\ude00", "\\ud800": 1}}'
    message, _ = wire.unframe(struct.pack(">I", len(header)) + header)
    assert message["error"] == {"message": "a\ufffd b\ufffd\ufffd\ufffd c\U0001f600", "\ufffd": 1}
    report = grader.grade_file(OUTPUT / "surrogate_message.py").as_dict()
    json.dumps(report, ensure_ascii=False).encode("utf-8")  # raised UnicodeEncodeError


# Attack: `autograder check` of that file died printing its report (click.echo).
def test_check_prints_a_report_with_lone_surrogates(tmp_path):
    path = Path(os.fsdecode(os.fsencode(tmp_path) + b"/mallory\xff.py"))
    path.write_bytes((OUTPUT / "surrogate_message.py").read_bytes())
    done = subprocess.run([sys.executable, "-m", "autograder", "check", str(path), "-a", "one_hidden_layer",
                           "--json", str(tmp_path / "report.json")], capture_output=True, timeout=600, cwd=ROOT)
    assert done.returncode == 1 and b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    assert "bad byte: \ufffd" in done.stdout.decode("utf-8")
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["submissions"][0]["score"] < 100


# -- one huge line ---------------------------------------------------------------------------

# Attack: every function raises on one line of 940 KB, and each failed check quoted that line
# whole: a 164 MB report.json (here a 10 KB line gave 1.8 MB). A quoted line is now cut at 200
# characters, and no text of a report is longer than 2000.
def test_a_huge_line_is_quoted_cut(grader):
    report = grade_safely(grader, "mallory", OUTPUT / "huge_quoted_line.py")
    assert report["score"] == 0
    assert len(json.dumps(report, ensure_ascii=False)) < 300_000
    assert len(render_markdown(report, "mallory")) < 100_000 and len(render_html(report, "mallory")) < 150_000
    assert "…" in " ".join(texts(report))


# -- ids that collide, ids that are formulas -------------------------------------------------

@pytest.fixture(scope="module")
def named_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("named")
    submissions = folder / "submissions"
    submissions.mkdir()
    shutil.copy(CORRECT, submissions / "bob~jones.py")
    shutil.copy(BUGGY, submissions / "bob_jones.py")
    shutil.copy(BUGGY, submissions / f"{FORMULA}.py")
    done = grade_cli(submissions, folder / "results")
    assert done.returncode == 0, done.stderr
    return folder / "results"


# Attack: bob~jones and bob_jones both wrote feedback/bob_jones.md and gradescope/bob_jones/:
# the one graded last overwrote the other's feedback and Gradescope score.
def test_students_whose_ids_sanitize_alike_keep_their_own_files(named_class):
    here = named_class / "one_hidden_layer"
    scores = {s: r["score"] for s, r in stored(named_class).items()}
    assert scores["bob~jones"] == 100 and scores["bob_jones"] < 100
    pages = {md.stem: md.read_text(encoding="utf-8").splitlines()[0] for md in (here / "feedback").glob("*.md")}
    assert len(pages) == 3 and len(list((here / "gradescope").iterdir())) == 3
    for student in ("bob~jones", "bob_jones"):
        [name] = [stem for stem, heading in pages.items() if heading.replace("\\", "").endswith(f" — {student}")]
        assert (here / "feedback" / f"{name}.html").is_file()
        gradescope = json.loads((here / "gradescope" / name / "results.json").read_text(encoding="utf-8"))
        assert gradescope["score"] == scores[student], student
    assert "bob_jones" in pages  # an id made of safe characters keeps its name


# Attack: a file named =HYPERLINK(...).py put the formula into grades.csv, as the student's id
# and file: a spreadsheet opening it showed a "Regrade portal" link.
def test_no_csv_cell_is_a_formula(named_class):
    for table in (named_class / "grades.csv", named_class / "one_hidden_layer" / "grades.csv"):
        with open(table, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        cells = [cell for row in rows for cell in row]
        assert not [c for c in cells if c.startswith(("=", "+", "-", "@", "\t", "\r"))], table
        [row] = [r for r in rows if "HYPERLINK" in r[0]]
        assert row[0] == "'" + label(FORMULA) and float(row[-1 if table.parent == named_class else 2]) == pytest.approx(93.46)


# -- Markdown and HTML -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def marked_class(tmp_path_factory):
    folder = tmp_path_factory.mktemp("marked")
    submissions = folder / "submissions"
    submissions.mkdir()
    shutil.copy(OUTPUT / "forge_feedback.py", submissions / "mallory_forge.py")
    shutil.copy(OUTPUT / "summary_injection.py", submissions / "mallory_inject.py")
    shutil.copy(BUGGY, submissions / "carol.py")  # shares mallory_inject's dW1 mistake
    done = grade_cli(submissions, folder / "results")
    assert done.returncode == 0, done.stderr
    summary = subprocess.run([sys.executable, "-m", "autograder", "report", str(folder / "results")],
                             capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert summary.returncode == 0, summary.stderr
    return folder / "results" / "one_hidden_layer"


def outside_code(text: str) -> str:
    """Markdown without its code spans (in one, ``**Score`` is the student's code, shown as code)."""
    return re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", text)


# Attack: mallory_forge's exception message held newlines, a heading, "**Score: 100 / 100**", an
# image and a link: feedback/mallory_forge.md and .html showed a second title with a full score
# and a "Regrade" link, and so did summary.md. mallory_inject ended the quote of its own line
# with a backtick in a comment: the rest of the line became a bold link in its .html, and in
# summary.md under the dW1 mistake that carol, an honest student, shares.
def test_student_text_makes_no_markup_in_any_file(marked_class):
    render = MarkdownIt("commonmark", {"html": False}).enable("table").render
    for name in ("mallory_forge", "mallory_inject", "carol"):
        md = (marked_class / "feedback" / f"{name}.md").read_text(encoding="utf-8")
        lines = md.splitlines()
        assert lines[0] == f"# one_hidden_layer — {name}" and lines[2].startswith("**Score: ")
        assert not [line for line in lines[1:] if line.startswith("# ")], name
        assert not [line for line in lines[3:] if "**Score" in outside_code(line)], name
        assert not re.search(r"(?<!\\)\]\(https://evil", outside_code(md)), name
        for page in (render(md), (marked_class / "feedback" / f"{name}.html").read_text(encoding="utf-8")):
            assert "evil.example" not in " ".join(re.findall(r"<a [^>]*>|<img[^>]*>", page)), name
            assert page.count("<h1>") == 1 and page.count("<strong>Score") == 1, name
    forged = (marked_class / "feedback" / "mallory_forge.md").read_text(encoding="utf-8")
    assert "Score: 100 / 100" in forged  # the student's text is still there to read, as text
    summary = (marked_class / "summary.md").read_text(encoding="utf-8")
    assert [line for line in summary.splitlines() if line.startswith("# ")] == ["# one_hidden_layer: class summary"]
    assert "**Score" not in outside_code(summary) and not re.search(r"(?<!\\)\]\(https://evil", outside_code(summary))
    for page in (render(summary), (marked_class / "summary.html").read_text(encoding="utf-8")):
        assert "evil.example" not in " ".join(re.findall(r"<a [^>]*>|<img[^>]*>", page))
        assert len(re.findall(r"<img[^>]*>", page)) == 2  # the histogram and the chart of mistakes
        assert page.count("<h1>") == 1 and "<strong>Score" not in page


def test_a_quote_is_fenced_longer_than_the_backticks_it_holds():
    line = "dW1 = dZ1 @ X.T  # ` **[approve](https://evil.example)** `"
    said = f"At line 55: {code_span(line)} — with {code_span('dZ1 @ X.T / m')} here, dW1 is right."
    for text in (said, inline_markdown(said)):
        html = MarkdownIt("commonmark").renderInline(text)
        assert f"<code>{line}</code>" in html and "<a " not in html and "<strong>" not in html
    assert inline_markdown("a *transposed* W, **not** [this](x)") == "a *transposed* W, \\*\\*not\\*\\* \\[this\\](x)"


# -- round 5: links, look-alike ids, terminal control ----------------------------------------

def test_a_symbolic_link_to_the_solution_is_nobodys_submission(tmp_path):
    """A student folder holding a link to solutions/one_hidden_layer.py, and a link in a flat
    class folder, got 100/100 from the instructor's own solution (red team 5): links are not
    graded, the instructor is told, and `check` refuses one."""
    solution = ROOT / "solutions" / "one_hidden_layer.py"
    submissions = tmp_path / "submissions"
    (submissions / "mallory").mkdir(parents=True)
    (submissions / "mallory" / "one_hidden_layer.py").symlink_to(solution)
    (submissions / "trudy.py").symlink_to(solution)
    shutil.copy(ROOT / "examples" / "submissions" / "one_hidden_layer" / "correct_classic_npdot.py",
                submissions / "honest.py")
    subs, notes = discover([submissions], "one_hidden_layer")
    assert [s.student for s in subs] == ["honest"]
    assert any("trudy.py (a symbolic link" in n for n in notes) and any("mallory: no .py" in n for n in notes)
    report = grader_for("one_hidden_layer").grade_file(submissions / "trudy.py")
    assert report.score == 0 and "symbolic link" in report.error


def test_ids_are_one_to_one_and_printable():
    """A file literally named `Ren\\xe9.py` took the id of the student whose name has the raw
    byte 0xe9 (and the second was dropped as a duplicate); an id with an escape sequence and a
    carriage return rewrote the terminal line of `grade` (red team 5)."""
    raw = os.fsdecode(b"Ren\xe9")
    assert label(raw) != label("Ren\\xe9")
    forged = "zed\x1b[2K\rzed      100.00 / 100  \x1b[8m"
    assert label(forged).isprintable() and "\x1b" not in label(forged) and "\r" not in label(forged)
    assert label("a\u202eb") != "a\u202eb" and label("René") == "René" and label("bob_jones") == "bob_jones"


def test_a_report_is_cleaned_once_and_only_by_clean_report():
    """The batch hands one report to the gradebook and to the writers; each cleans what it is
    given. What clean_report made is not walked again, anything else is, lookalikes included."""
    dirty = {"score": 1.0, "functions": [{"feedback": "x\udcff" + "y" * 3000}], "k\udc80": ("t\udc81",)}
    once = clean_report(dirty)
    assert once["functions"][0]["feedback"].startswith("x\ufffd") and len(once["functions"][0]["feedback"]) == 2000
    assert once["k\ufffd"] == ["t\ufffd"]
    assert clean_report(once) is once
    lookalike = dict(once, error="e\udcff")  # a plain dict built from a clean one is cleaned again
    assert clean_report(lookalike)["error"] == "e\ufffd"
    assert json.loads(json.dumps(once)) == once  # still a plain JSON object for every writer
