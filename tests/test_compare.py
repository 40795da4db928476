"""The hand-written tolerance check agrees with numpy's own, infinities and nans included."""

import numpy as np

from autograder.judge.compare import _allclose


def test_allclose_matches_numpy_on_awkward_values():
    rng = np.random.default_rng(0)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, 1e-12, -1e300])
    disagreements = []
    for trial in range(2000):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        e = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6)
        g = e * (1 + rng.choice([0, 1e-9, 1e-6, 1e-3], size=shape)) + rng.choice([0, 1e-8, 1e-2], size=shape)
        if trial % 3 == 0:
            mask = rng.random(shape) < 0.3
            e[mask] = rng.choice(specials, size=mask.sum())
        if trial % 4 == 0:
            mask = rng.random(shape) < 0.3
            g[mask] = rng.choice(specials, size=mask.sum())
        size = np.abs(e[np.isfinite(e)])
        atol = 1e-7 + 1e-5 * 0.1 * (float(size.max()) if size.size else 1.0)
        with np.errstate(all="ignore"):
            expected = bool(np.allclose(g, e, rtol=1e-5, atol=atol, equal_nan=True))
        if _allclose(g, e, 1e-5) != expected:
            disagreements.append((g, e))
    assert not disagreements, disagreements[:2]


def test_close_all_agrees_with_close_on_every_kind_of_value():
    """The batched comparison takes plain arrays through one vectorised pass and everything
    else (dicts, tuples, lost keepdims, strings, None) one by one: same verdicts as close()."""
    from autograder.judge.compare import close, close_all

    rng = np.random.default_rng(1)
    values = []
    for trial in range(400):
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        e = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6)
        g = e * (1 + rng.choice([0, 1e-7, 1e-3], size=shape))
        kind = trial % 8
        if kind == 1:
            g = g.ravel()  # keepdims lost: not close with strict shapes
        elif kind == 2:
            g, e = {"a": g, "b": 1.0}, {"a": e, "b": 1.0}
        elif kind == 3:
            g, e = (g, 2), (e, 2)
        elif kind == 4:
            g, e = float(g.flat[0]), float(e.flat[0])
        elif kind == 5:
            g = "not a number" if trial % 16 == 5 else None
        elif kind == 6:
            g, e = g.astype(np.float32), e.tolist()
        values.append((g, e))
    verdicts = close_all(values)
    assert verdicts == [close(g, e, strict_shape=True) for g, e in values]
    assert 0 < sum(verdicts) < len(values)


def test_close_many_agrees_with_close_pair_by_pair():
    from autograder.judge.compare import close, close_many

    rng = np.random.default_rng(2)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, 1e-12])
    pairs = []
    for trial in range(1500):
        shape = (int(rng.integers(0, 4)), int(rng.integers(1, 4)))
        e = rng.standard_normal(shape) * 10.0 ** rng.integers(-6, 6)
        g = e * (1 + rng.choice([0, 1e-9, 1e-6, 1e-3], size=shape)) + rng.choice([0, 1e-8, 1e-2], size=shape)
        for arr, every in ((e, 3), (g, 4)):
            if trial % every == 0 and arr.size:
                mask = rng.random(shape) < 0.3
                arr[mask] = rng.choice(specials, size=mask.sum())
        pairs.append((g, e))
    assert close_many(pairs) == [close(g, e, strict_shape=True) for g, e in pairs]
    assert sum(close_many(pairs)) not in (0, len(pairs))  # both verdicts occur


def test_judging_all_steps_at_once_gives_the_lazy_verdicts():
    """Every example submission: the vectorised pass and the one-by-one path agree."""
    from autograder.judge.checks import judge_steps, step_right
    from autograder.load.source import load_file
    from autograder.run.execute import execute
    from conftest import ROOT, grader_for

    grader = grader_for("one_hidden_layer")
    folder = ROOT / "examples" / "submissions" / "one_hidden_layer"
    compared = wrong = 0
    for path in sorted(folder.glob("bug_*.py"))[:12] + sorted(folder.glob("correct_*.py"))[:3]:
        run = execute(load_file(path), grader.workload)
        judge_steps(grader.workload, run)
        fast = dict(run.memo)
        run.memo.clear()
        for call in grader.workload.calls:
            fn = grader.assignment.functions[call.function]
            for step in fn.step_exprs():
                assert step_right(fn, call, step, run) == fast.get((call.id, step), step_right(fn, call, step, run)), (
                    path.name, call.id, step)
                compared += 1
                wrong += not run.memo[(call.id, step)]
    assert compared and wrong  # buggy files give wrong steps, so both verdicts were checked


def test_flat_comparison_of_a_cell_agrees_with_close_on_each_pair():
    """The diagnosis compares a student's cell (one step over several calls) with a mutant's
    as two flat vectors: the verdict must be close() on every pair, nan and inf included."""
    from autograder.judge.compare import close, flat_close, flatten

    rng = np.random.default_rng(3)
    specials = np.array([np.nan, np.inf, -np.inf, 0.0])
    verdicts = []
    for trial in range(600):
        expected, got = [], []
        for _ in range(int(rng.integers(1, 5))):
            shape = (int(rng.integers(0, 3)), int(rng.integers(1, 4))) if trial % 7 else ()
            e = np.asarray(rng.standard_normal(shape) * 10.0 ** rng.integers(-5, 5))
            g = np.asarray(e * (1 + rng.choice([0, 0, 0, 1e-6, 1e-2], size=shape)))
            for arr in (e, g):
                if trial % 3 == 0 and arr.size:
                    mask = rng.random(shape) < 0.3
                    arr[mask] = rng.choice(specials, size=mask.sum())
            if trial % 11 == 0 and g.ndim == 2:
                g = g.T
            expected.append(float(e) if e.ndim == 0 else e)
            got.append(float(g) if g.ndim == 0 else g)
        verdict = flat_close(flatten(got), flatten(expected, expected=True))
        assert verdict == all(close(g, e, strict_shape=True) for g, e in zip(got, expected)), (got, expected)
        verdicts.append(verdict)
    assert 0 < sum(verdicts) < len(verdicts)


def test_a_single_number_is_said_divided_by_the_wrong_count_only_when_it_exactly_is():
    """Any number is near m/k times another for some k: a scalar result (a trained bias, a
    cost) must not be blamed on "divided by k instead of m" by coincidence."""
    from autograder.judge.compare import relation

    expected = np.float64(-0.8137)
    by_chance = relation(expected * 12 / 117 * (1 + 4e-4), expected, m=12)
    assert by_chance is None or "instead of" not in by_chance.text
    exact = relation(expected * 12 / 400, expected, m=12)
    assert exact is not None and "divided by 400 instead of m = 12" in exact.text
    column = np.array([[0.3], [-1.2], [0.7]])
    assert "divided by 400 instead of m" in relation(column * 12 / 400, column, m=12).text
