"""The distinct mistakes of a report, in the order a student should fix them.

A catalogue mistake made in one function often shows in every function that calls it:
one finding, one name, explained once. A caller whose only findings are analytic guesses
while a function it uses lost points is not guessed about: its wrong results most likely
come from that function, so it points there instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from autograder.judge.checks import withheld
from autograder.run.signature import CANNOT_CHECK

# findings that describe the caller's own code whatever its helpers do
OWN = frozenset({"modifies-input", "wrong-return-type", "missing-keys", "timeout", "memory"})
_UPSTREAM_NOTE = re.compile(r"^\w+ uses your (?P<names>[\w, ]+), which lost points too")


@dataclass
class Finding:
    number: int
    key: tuple
    mistake: dict
    function: str  # where the mistake was made
    shown_in: str  # the function whose details print the explanation
    seen_in: list[str] = field(default_factory=list)  # every function it makes wrong
    # callers judged with the grader's version of this function, which keep their points
    spared: list[str] = field(default_factory=list)
    together: list[str] = field(default_factory=list)  # other functions that lost points the same way

    @property
    def where(self) -> str:
        if self.together:
            return ", ".join([self.function, *self.together])
        step = self.mistake.get("step") or ""
        if self.mistake.get("id") in ERRORS and "," in step:
            return self.function
        return self.function if step in ("", self.function) else f"{self.function}, {step}"


_SIGNATURE = re.compile(rf"your \w+ has (?P<rest>no `\w+` parameter, so it {CANNOT_CHECK} .*)")


def unparsed(fn: dict) -> str | None:
    """The note saying a function's code does not parse (its cell half-edited), if it has one."""
    return next((note for note in fn.get("notes", []) if " does not parse" in note), None)


def upstream(fn: dict) -> list[str]:
    """The functions this one uses that lost points (grading says so in a field, or a note)."""
    if fn.get("upstream"):
        return list(fn["upstream"])
    for note in fn.get("notes", []):
        match = _UPSTREAM_NOTE.match(note)
        if match:
            return [n.strip() for n in match["names"].split(",")]
    return []


def consequence_of(fn: dict, report: dict, _seen: frozenset = frozenset()) -> list[str]:
    """The functions whose mistakes most likely make this one wrong, when all this function
    has of its own is analytic guesses (then the guesses are not printed): the roots, not
    the functions in between that are wrong for the same reason."""
    own = [m for m in fn.get("mistakes", []) if not m.get("caused_by")]
    if fn.get("wrong_on_its_own") or any(m.get("source") != "analysis" or m["id"] in OWN for m in own):
        return []
    if not own and any(m.get("caused_by") for m in fn.get("mistakes", [])):
        return []  # already said with the helper's name
    by_name = {f["name"]: f for f in report.get("functions", [])}
    roots: list[str] = []
    for name in upstream(fn):
        helper = by_name.get(name)
        if helper is None or name in _seen or helper is fn:
            continue
        if not helper.get("mistakes") and helper.get("status") == "ok":
            continue
        causes = [m["caused_by"] for m in helper.get("mistakes", []) if m.get("caused_by")]
        if causes and len(causes) == len(helper["mistakes"]):  # the helper is wrong because of its own helper
            roots += [c for c in dict.fromkeys(causes) if c not in roots]
            continue
        for root in consequence_of(helper, report, _seen | {fn["name"]}) or [name]:
            if root not in roots:
                roots.append(root)
    return roots


ERRORS = frozenset({"exception", "shape-error", "timeout", "memory"})


def key_of(fn: dict, mistake: dict) -> tuple:
    if mistake["id"] in ERRORS:  # one error, raised in a helper, stops every caller: one finding
        return (mistake["id"], mistake["message"].split(": ", 1)[-1])
    if mistake.get("source") == "analysis" and not mistake.get("caused_by"):
        return (fn["name"], mistake["id"], mistake.get("step"))
    return (mistake["id"],)


def _placed(mistake: dict) -> int:
    """Within one function, what says where to look comes first: a named mistake or an edit
    found in the code (0), a line or the place an error was raised (1), a guess (2)."""
    if mistake.get("source") in ("catalogue", "repair"):
        return 0
    return 1 if mistake.get("line") or " — at " in mistake.get("message", "") else 2


def collect(report: dict) -> list[Finding]:
    """Every distinct mistake once, numbered in fixing order: the function the others depend
    on first (a report lists the functions helpers first), then as found."""
    order = {f["name"]: i for i, f in enumerate(report.get("functions", []))}
    found: dict[tuple, Finding] = {}
    for fn in report.get("functions", []):
        if fn.get("status") in ("missing", "not-implemented"):
            key = (fn["name"], fn["status"])
            broken = unparsed(fn)
            message = (f"{fn['name']} is not defined in your file" + (f": {broken}" if broken else "")
                       if fn["status"] == "missing"
                       else f"{fn['name']} is not implemented yet (it still raises NotImplementedError)")
            found[key] = Finding(0, key, {"id": fn["status"], "step": "", "message": message}, fn["name"],
                                 fn["name"], [fn["name"]])
            continue
        if consequence_of(fn, report):
            continue
        lost = fn.get("score", 0) < fn.get("max_score", 0) - 1e-6
        if lost and not fn.get("mistakes"):  # no mistake named (a training property failed): its first check
            failing = [c for c in fn.get("checks", []) if not c["passed"]]
            # the check that failed of its own, not one withheld until some result is right
            failed = next((c for c in failing if not withheld(c["feedback"])), None) or \
                next(iter(failing), None)
            if failed is not None:
                message = re.sub(r" \(on \d+ of \d+ inputs\)$", "", failed["feedback"])
                same = _SIGNATURE.fullmatch(message)  # an old signature: one line for every function it costs
                key = ("signature", same["rest"]) if same else (fn["name"], "check")
                if same and key in found:
                    found[key].together.append(fn["name"])
                    found[key].mistake["message"] = f"they have {same['rest'].replace('so it ', 'so they ')}"
                    continue
                found[key] = Finding(0, key, {"id": "check", "step": "", "message": message}, fn["name"],
                                     fn["name"], [fn["name"]])
            continue
        for mistake in fn.get("mistakes", []):
            key = key_of(fn, mistake)
            if key in found:
                if fn["name"] not in found[key].seen_in:
                    found[key].seen_in.append(fn["name"])
                continue
            found[key] = Finding(0, key, mistake, mistake.get("caused_by") or fn["name"], fn["name"], [fn["name"]])
    ranked = sorted(found.values(), key=lambda f: (order.get(f.function, len(order)), _placed(f.mistake)))
    for fn in report.get("functions", []):  # a caller wrong because of a helper: said with the helper
        for root in consequence_of(fn, report):
            first = next((f for f in ranked if f.function == root), None)
            if first is not None and fn["name"] not in first.seen_in:
                first.seen_in.append(fn["name"])
    for fn in report.get("functions", []):  # judged on its own: right once the helper is fixed
        for helper in fn.get("judged_with", []):
            first = next((f for f in ranked if f.function == helper), None)
            if first is not None and fn["name"] not in first.spared:
                first.spared.append(fn["name"])
    for number, finding in enumerate(ranked, 1):
        finding.number = number
    return ranked
