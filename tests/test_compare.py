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
