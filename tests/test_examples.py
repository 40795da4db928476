"""Every example submission gets the verdict and the named mistakes its manifest states.

The examples under examples/submissions/ are written the way students write (not
produced by the catalogue's mutation code); expected.toml says what each one did.
"""

import sys

import pytest

from conftest import EXAMPLES, mistake_ids

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANIFEST = tomllib.loads((EXAMPLES / "expected.toml").read_text(encoding="utf-8"))


def test_manifest_covers_every_example():
    files = {p.name for p in EXAMPLES.iterdir() if p.suffix in (".py", ".ipynb")}
    assert files == set(MANIFEST)
    buggy = [n for n, e in MANIFEST.items() if e["mistakes"]]
    assert len(files) >= 8 and len(buggy) >= 30


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_example_verdict_and_named_mistakes(grader, name):
    expected = MANIFEST[name]
    report = grader.grade_file(EXAMPLES / name)
    assert report.error is None, report.error
    if expected["verdict"] == "full":
        lost = [c.name + ": " + c.feedback for f in report.functions for c in f.checks if not c.passed]
        assert report.score == report.max_score, lost[:3]
        assert mistake_ids(report) == set()
    else:
        assert 0 < report.score < report.max_score
    named = mistake_ids(report)
    missing = set(expected["mistakes"]) - named
    assert not missing, f"not named: {missing}; named: {sorted(named)}"
    if expected.get("signature"):
        notes = " ".join(n for f in report.functions for n in f.notes)
        assert "no `activation` parameter" in notes
