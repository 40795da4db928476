"""A report in Gradescope's ``results.json`` schema: one test per check, the named mistakes
on the failed ones; checks on hidden inputs appear once the grades are published."""

from __future__ import annotations


def exact_shares(values: list[float], total: float, unit: float = 0.01) -> list[float]:
    """``values`` rounded to multiples of ``unit`` that add up to ``total`` exactly (largest
    remainders round up): Gradescope shows the sum of the tests' max_scores as the total."""
    units = round(total / unit)
    raw = sum(values)
    if not values or raw <= 0:
        return [0.0] * len(values) if raw == 0 else [round(v, 2) for v in values]
    ideal = [v / raw * units for v in values]
    floors = [int(x) for x in ideal]
    for i in sorted(range(len(ideal)), key=lambda i: floors[i] - ideal[i])[:units - sum(floors)]:
        floors[i] += 1
    return [round(n * unit, 10) for n in floors]


def _points(checks: list[dict], total: float, score: float) -> tuple[list[float], list[float]]:
    """Each test's max_score and score, in cents: the max_scores add up to ``total``, the passed
    tests score their max_score and, with the partial credit of the failed ones, add up to
    ``score`` (passed and failed tests are rounded apart, so that neither sum drifts)."""
    passed = [i for i, c in enumerate(checks) if c["passed"]]
    failed = [i for i, c in enumerate(checks) if not c["passed"]]
    won = min(round(sum(checks[i]["max_score"] for i in passed), 2), total)
    maxima = [0.0] * len(checks)
    for group, amount in ((passed, won), (failed, round(total - won, 2))):
        for i, share in zip(group, exact_shares([checks[i]["max_score"] for i in group], amount)):
            maxima[i] = share
    scores = [maxima[i] if c["passed"] else 0.0 for i, c in enumerate(checks)]
    partial = [i for i in failed if checks[i]["score"] > 0]
    rest = round(score - won, 2)
    if partial and rest > 0:
        for i, share in zip(partial, exact_shares([checks[i]["score"] for i in partial], rest)):
            scores[i] = min(share, maxima[i])
    return maxima, scores


def results_json(report: dict) -> dict:
    """Gradescope's results format from our report: one test per check, mistakes on failures;
    the tests' max_scores add up to the report's max_score exactly."""
    checks = [c for fn in report["functions"] for c in fn["checks"]]
    maxima, scores = _points(checks, report["max_score"], report["score"])
    tests = []
    for fn in report["functions"]:
        mistakes = "\n".join(f"[{m['id']}] {m['message']} Why: {m.get('explanation', '')}" for m in fn["mistakes"])
        for check in fn["checks"]:
            i = len(tests)
            output = check["feedback"] or "passed"
            if mistakes and not check["passed"]:
                output += "\n" + mistakes
            tests.append({
                "name": check["name"],
                "score": scores[i],
                "max_score": maxima[i],
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
