"""A report in Gradescope's ``results.json`` schema: one test per check, the named mistakes
on the failed ones; checks on hidden inputs appear once the grades are published."""

from __future__ import annotations


def results_json(report: dict) -> dict:
    """Gradescope's results format from our report: one test per check, mistakes on failures."""
    tests = []
    for fn in report["functions"]:
        mistakes = "\n".join(f"[{m['id']}] {m['message']} Why: {m.get('explanation', '')}" for m in fn["mistakes"])
        for check in fn["checks"]:
            output = check["feedback"] or "passed"
            if mistakes and not check["passed"]:
                output += "\n" + mistakes
            tests.append({
                "name": check["name"],
                "score": check["score"],
                "max_score": check["max_score"],
                "status": "passed" if check["passed"] else "failed",
                "output": output,
                "visibility": "visible" if check["visibility"] == "public" else "after_published",
            })
    result = {"score": report["score"], "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}
    if report["error"]:
        result["output"] = f"Your submission could not be graded: {report['error']}"
    elif report.get("notes"):
        result["output"] = "\n".join(f"note: {n}" for n in report["notes"])
    return result
