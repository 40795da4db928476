"""Every example submission gets the verdict and the named mistakes its manifest states.

The examples under examples/submissions/<assignment>/ are written the way students
write (not produced by the catalogue's mutation code); expected.toml says what each did.
"""

import sys

import pytest

from conftest import ROOT, _new_snapshot, grader_for, mistake_ids, report_digest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FOLDERS = sorted(p.parent for p in (ROOT / "examples" / "submissions").glob("*/expected.toml"))
MANIFESTS = {f.name: tomllib.loads((f / "expected.toml").read_text(encoding="utf-8")) for f in FOLDERS}
CASES = [(assignment, name) for assignment, manifest in MANIFESTS.items() for name in sorted(manifest)]
# The first assignment carries the full set; later ones at least a correct and a buggy dozen.
MINIMUM = {"one_hidden_layer": (8, 30)}


@pytest.mark.parametrize("assignment", sorted(MANIFESTS))
def test_manifest_covers_every_example(assignment):
    folder = ROOT / "examples" / "submissions" / assignment
    manifest = MANIFESTS[assignment]
    files = {p.name for p in folder.iterdir() if p.suffix in (".py", ".ipynb")}
    assert files == set(manifest)
    buggy = [n for n, e in manifest.items() if e["mistakes"]]
    at_least_files, at_least_buggy = MINIMUM.get(assignment, (8, 6))
    assert len(files) >= at_least_files and len(buggy) >= at_least_buggy


def test_every_assignment_has_examples():
    from conftest import ALL_ASSIGNMENTS

    assert set(ALL_ASSIGNMENTS) <= set(MANIFESTS)


@pytest.mark.parametrize(("assignment", "name"), CASES)
def test_example_verdict_and_named_mistakes(assignment, name, snapshot):
    expected = MANIFESTS[assignment][name]
    report = grader_for(assignment).grade_file(ROOT / "examples" / "submissions" / assignment / name)
    stored, update = snapshot
    key, seen = f"{assignment}/{name}", report_digest(report)
    if update:
        _new_snapshot[key] = seen
    else:  # the whole report, as it was when the snapshot was taken (see conftest.SNAPSHOT)
        assert stored.get(key) == seen, f"{key} changed: {stored.get(key)} -> {seen}"
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
    told = [c.feedback for f in report.functions for c in f.checks if not c.passed]
    told += [n for f in report.functions for n in f.notes]
    for text in expected.get("feedback", []):  # what a failed check or a function's note must say
        assert any(text in f for f in told), f"no failed check or note says {text!r}"
    if expected.get("signature"):
        notes = " ".join(n for f in report.functions for n in f.notes)
        assert "no `activation` parameter" in notes
