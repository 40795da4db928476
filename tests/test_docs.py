"""Every `doc` anchor of every catalogue points at a heading of docs/derivation.md."""

import re

from conftest import ROOT


def github_anchor(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_catalogue_anchors_exist(each_assignment):
    doc = ROOT / each_assignment.doc
    anchors = {github_anchor(line.lstrip("#")) for line in doc.read_text(encoding="utf-8").splitlines()
               if line.startswith("#")}
    missing = {m.doc for m in each_assignment.mistakes if m.doc and m.doc not in anchors}
    assert not missing, f"anchors not in {each_assignment.doc}: {sorted(missing)}"
