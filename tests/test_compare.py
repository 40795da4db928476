"""The hand-written tolerance check agrees with numpy's own, infinities and nans included."""

import numpy as np

from autograder.compare import _allclose


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


def test_digests_never_reject_values_that_are_close():
    """The diagnosis skips element-wise comparisons the digests rule out: a digest must
    never rule out a pair that close() accepts, and should rule out most that differ."""
    from autograder.compare import close, digest, may_be_close

    rng = np.random.default_rng(1)
    rejected_wrong = total_wrong = 0
    for trial in range(3000):
        shape = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        e = rng.standard_normal(shape) * 10.0 ** rng.integers(-8, 8)
        noise = rng.choice([0, 1e-12, 1e-7, 1e-5, 9e-5, 1e-3, 1e-1], size=shape)
        g = e * (1 + noise * rng.choice([-1, 1], size=shape)) + rng.choice([0, 1e-9, 1e-8, 1e-3], size=shape)
        if trial % 5 == 0:
            g = g.T.copy() if g.shape[0] == g.shape[1] else g
        if close(g, e, strict_shape=True):
            assert may_be_close(digest(g), digest(e)), (g, e)
        else:
            total_wrong += 1
            rejected_wrong += not may_be_close(digest(g), digest(e))
    assert rejected_wrong > 0.5 * total_wrong  # and it does prune
