"""Compare a student's value with the expected one, and say how they differ.

The tolerance accepts float32 results and any correct formulation; the
relations (transposed, scaled by m, keepdims lost, …) are the analytic
fallback of the diagnosis and the "by what factor" of every failed check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.judge.disclose import TRUSTED, Disclosure
from autograder.run.wire import Opaque

RTOL = 1e-4


def as_array(value: Any) -> np.ndarray | None:
    """Numbers, booleans and numeric arrays (or lists of them) as float arrays (a float array
    comes back as it is, not copied: callers compute new arrays, never write into these)."""
    if type(value) is np.ndarray and value.dtype == np.float64:
        return value
    if isinstance(value, (Opaque, dict, str)) or value is None:
        return None
    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001
        return None
    if arr.dtype.kind not in "biuf":
        return None
    return arr.astype(float)


def close(got: Any, expected: Any, rtol: float = RTOL, strict_shape: bool = False) -> bool:
    """Equal within tolerance. Unless ``strict_shape``, shapes that differ only by axes of
    length 1 (a lost keepdims, a row for a column) count as equal values: the shape
    check reports those."""
    if isinstance(expected, dict):
        return isinstance(got, dict) and all(
            k in got and close(got[k], v, rtol, strict_shape) for k, v in expected.items())
    if isinstance(expected, (tuple, list)) and as_array(expected) is None:
        return (
            isinstance(got, (tuple, list))
            and len(got) == len(expected)
            and all(close(g, e, rtol, strict_shape) for g, e in zip(got, expected))
        )
    g, e = as_array(got), as_array(expected)
    if g is None or e is None:
        return False
    if g.shape != e.shape:
        loose = g.size == e.size and g.squeeze().shape == e.squeeze().shape
        if strict_shape or not loose:
            return False
    return _allclose(g.reshape(e.shape), e, rtol)


def _allclose(g: np.ndarray, e: np.ndarray, rtol: float) -> bool:
    """np.allclose(equal_nan=True) with an absolute tolerance scaled to the expected values;
    written out because this runs ~10,000 times per submission."""
    with np.errstate(all="ignore"):
        size = np.abs(e)
        finite = np.isfinite(size)
        scale = float(size.max()) if finite.all() and size.size else (float(size[finite].max()) if finite.any() else 1.0)
        ok = _within(g, e, size, scale, rtol)
        if finite.all() and ok.all() and np.isfinite(g).all():
            return True
        return bool(np.all(_settled(ok, g, e, finite)))


def _within(g: np.ndarray, e: np.ndarray, size: np.ndarray, scale: Any, rtol: float) -> np.ndarray:
    """Elementwise: within the tolerance (absolute part scaled to the largest finite |e|)."""
    return np.abs(g - e) <= _tolerance(size, scale, rtol)


def _tolerance(size: np.ndarray, scale: Any, rtol: float) -> np.ndarray:
    return 1e-7 + rtol * 0.1 * scale + rtol * size


def _settled(ok: np.ndarray, g: np.ndarray, e: np.ndarray, finite: np.ndarray) -> np.ndarray:
    """The elementwise verdict once non-finite values are accounted for: infinities must match
    exactly and nan matches nan, as in np.isclose(equal_nan=True)."""
    return (ok & finite & np.isfinite(g)) | (g == e) | (np.isnan(g) & np.isnan(e))


def close_many(pairs: list[tuple[np.ndarray, np.ndarray]], rtol: float = RTOL) -> list[bool]:
    """``_allclose`` for many pairs of same-shape float arrays in one numpy pass: a submission
    has ~300 (call, step) results, and numpy's per-call overhead dwarfs arrays this small."""
    result = [True] * len(pairs)  # an empty array is close to an empty array
    sized = [i for i, (_, e) in enumerate(pairs) if e.size]
    if not sized:
        return result
    lengths = [pairs[i][1].size for i in sized]
    g = np.concatenate([pairs[i][0].ravel() for i in sized])
    e = np.concatenate([pairs[i][1].ravel() for i in sized])
    with np.errstate(all="ignore"):
        size = np.abs(e)
        finite = np.isfinite(size)
        ok = _settled(_within(g, e, size, _scales(size, finite, lengths), rtol), g, e, finite)
        verdicts = np.logical_and.reduceat(ok, np.cumsum([0, *lengths[:-1]]))
    for i, verdict in zip(sized, verdicts.tolist()):
        result[i] = verdict
    return result


def _scales(size: np.ndarray, finite: np.ndarray, lengths: list[int]) -> np.ndarray:
    """Per element of several arrays laid end to end: the largest finite |e| of its own array
    (1.0 when it has none), the scale of ``_allclose``'s absolute tolerance."""
    sized = [n for n in lengths if n]  # an empty array contributes no element
    if not sized:
        return np.zeros(0)
    scale = np.maximum.reduceat(np.where(finite, size, -np.inf), np.cumsum([0, *sized[:-1]]))
    scale[np.isneginf(scale)] = 1.0
    return np.repeat(scale, sized)


def close_all(pairs: list[tuple[Any, Any]], rtol: float = RTOL) -> list[bool]:
    """``close(got, expected, strict_shape=True)`` for many pairs: the plain numeric arrays
    (nearly all of them) in one :func:`close_many` pass, the rest one by one."""
    result = [False] * len(pairs)
    batch: list[tuple[np.ndarray, np.ndarray]] = []
    where: list[int] = []
    for i, (got, expected) in enumerate(pairs):
        if isinstance(expected, (dict, tuple, list)):
            result[i] = close(got, expected, rtol, strict_shape=True)
            continue
        g, e = as_array(got), as_array(expected)
        if g is not None and e is not None and g.shape == e.shape:
            batch.append((g, e))
            where.append(i)
    for i, verdict in zip(where, close_many(batch, rtol)):
        result[i] = verdict
    return result


@dataclass(frozen=True)
class Flat:
    """Several plain numeric values as one float vector, so that comparing two lists of
    values is one numpy operation (see :func:`flat_close`)."""

    shapes: tuple
    values: np.ndarray
    tolerance: np.ndarray | None = None  # when these are the expected values
    finite: bool = True


def flatten(values: list[Any], expected: bool = False, rtol: float = RTOL) -> Flat | None:
    """None unless every value is a plain number or numeric array (dicts, tuples and lists
    take :func:`close`'s own path)."""
    arrays = []
    for value in values:
        if isinstance(value, (dict, tuple, list)):
            return None
        arr = as_array(value)
        if arr is None:
            return None
        arrays.append(arr.ravel())
    flat = np.concatenate(arrays) if arrays else np.zeros(0)
    shapes = tuple(np.shape(v) for v in values)
    if not expected:
        return Flat(shapes, flat)
    with np.errstate(all="ignore"):
        size = np.abs(flat)
        finite = np.isfinite(size)
        scale = _scales(size, finite, [a.size for a in arrays])
        return Flat(shapes, flat, _tolerance(size, scale, rtol), bool(finite.all()))


def flat_close(got: Flat, expected: Flat) -> bool:
    """``close(g, e, strict_shape=True)`` for every pair of the two lists at once."""
    if got.shapes != expected.shapes:
        return False
    g, e = got.values, expected.values
    with np.errstate(all="ignore"):
        ok = np.abs(g - e) <= expected.tolerance
        if expected.finite:  # then nan, inf and out-of-tolerance values all fail the comparison
            return bool(ok.all())
        return bool(np.all(_settled(ok, g, e, np.isfinite(e))))


# the advice for a lost column: only true of a reduction (diagnose.mistakes drops it where the line has none)
KEEPDIMS = " (after np.sum or np.mean, keepdims=True keeps it)"


@dataclass(frozen=True)
class Relation:
    """How a wrong value relates to the expected one."""

    kind: str  # transposed, sign-flipped, scaled-by-m, scaled-by-1-over-m, scaled, missing-keepdims,
    # wrong-axis, reduced-to-scalar, not-finite, wrong-shape, empty, differs
    text: str
    factor: float | None = None


def relation(got: Any, expected: Any, m: int | None = None, show: Disclosure = TRUSTED) -> Relation | None:
    """The simplest relation between a wrong numeric value and the expected one (its text
    says of the student's value only what ``show`` allows: see :mod:`autograder.judge.disclose`)."""
    g, e = as_array(got), as_array(expected)
    if g is None or e is None:
        return None
    lost_column = e.ndim == 2 and e.shape[1] == 1 and g.shape == (e.shape[0],)
    if g.size == 1 and e.size == 1 and g.shape != e.shape and not lost_column and _allclose(g.reshape(e.shape), e, RTOL):
        kind = "a plain number" if e.ndim == 0 else f"shape {_shape(e)}"
        return Relation("wrong-shape", f"the value is right but it has {show.shape_phrase(g.shape)}; it should be {kind}"
                        + (" (float(np.squeeze(...)) gives one)" if e.ndim == 0 else ""))
    if g.shape == e.shape or (g.size == 1 and e.size == 1 and not lost_column):
        g = g.reshape(e.shape)
        bad = ~np.isfinite(g) & np.isfinite(e)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            at = f" (first at index {list(where)})" if show.open else ""
            return Relation("not-finite", f"it contains {_nonfinite(g[bad])} where the result is finite{at}")
        if e.ndim == 2 and e.shape[0] == e.shape[1] and e.shape[0] > 1 and _allclose(g.T, e, RTOL):
            return Relation("transposed", "it is the expected result transposed")
        return _scaling(g, e, m, show) or Relation("differs", "")
    phrase = show.shape_phrase(g.shape)
    has = (f"it has {phrase} instead of {_shape(e)}" if phrase.startswith("shape") else
           f"it should have shape {_shape(e)}; it has {phrase}")
    if g.size == 0 and e.size > 0:  # a list of costs nothing was appended to
        return Relation("empty", f"it is empty ({has}): nothing was added to it — is the line that fills it "
                                 "under a condition that is false here?")
    if g.shape[::-1] == e.shape and g.ndim == 2:
        if _allclose(g.T, e, RTOL):
            return Relation("transposed", f"{has}: it is the expected result transposed")
        scaled = _scaling(g.T, e, m, show)
        if scaled:
            return Relation("transposed", f"{has}: it is the expected result transposed, and {scaled.text}", scaled.factor)
    if lost_column:
        if _allclose(g.reshape(e.shape), e, RTOL):
            return Relation("missing-keepdims", f"{has}: the values are right but the column dimension is missing{KEEPDIMS}")
        return Relation("missing-keepdims", f"{has}: the column dimension is missing{KEEPDIMS}, and the values differ too")
    if g.size == 1 and e.size > 1:
        if g.ndim == 0 or g.shape == (1,):
            value = show.number(g.reshape(-1)[0], ".4g")
            return Relation("reduced-to-scalar", f"it is a single number{f' ({value})' if value else ''}; the result has shape {_shape(e)}")
        return Relation("wrong-shape", f"{has}: check which arrays "
                        "were multiplied (a product of the wrong pair can collapse to one entry)")
    if e.ndim == 2 and e.shape[1] == 1 and (g.ndim == 1 or (g.ndim == 2 and g.shape[0] == 1)):
        return Relation("wrong-axis", f"{has}: the sum ran over the wrong axis (the examples are the columns, axis=1)")
    return Relation("wrong-shape", has)


def _scaling(g: np.ndarray, e: np.ndarray, m: int | None, show: Disclosure = TRUSTED) -> Relation | None:
    denom = float(np.sum(e * e))
    if denom == 0 or not np.isfinite(g).all():
        return None
    factor = float(np.sum(g * e)) / denom
    if not np.isfinite(factor) or abs(factor) < 1e-12 or abs(factor - 1) < 1e-6 or not _allclose(g, factor * e, 1e-3):
        return None
    if abs(factor + 1) < 1e-3:
        return Relation("sign-flipped", "it is the expected result with the opposite sign", -1.0)
    if m and m > 1 and abs(factor - m) < 1e-3 * m:
        return Relation("scaled-by-m", f"it is the expected result times {m} (= m, the number of examples)", factor)
    if m and m > 1 and abs(factor * m - 1) < 1e-3:
        return Relation("scaled-by-1-over-m", f"it is the expected result divided by {m} (= m, the number of examples)", factor)
    if m and m > 1 and 0 < factor < 1:
        k = round(m / factor)
        # A single number is near m/k for some k by chance; dividing by k itself is exact.
        near = 1e-3 if e.size > 1 else 1e-9
        if k > 1 and k != m and abs(m / k - factor) < near * factor:
            shown = show.count(k)
            said = (f"times {m}/{shown}: it was divided by {shown} instead of m = {m}" if shown else
                    f"divided by a number other than m = {m}")
            return Relation("wrong-count", f"it is the expected result {said} — is m read from a global variable "
                            "or from the wrong array?", factor)
    if m and m > 1 and abs(factor + m) < 1e-3 * m:
        return Relation("scaled", f"it is the expected result times −{m} (= −m)", factor)
    if e.size <= 1:  # any number is a multiple of any other: only m, 1/m and −1 say something
        return None
    shown = show.number(factor, ".4g")
    return Relation("scaled", f"it is the expected result times {shown or 'a constant factor'}", factor)


def difference_text(got: Any, expected: Any, show: Disclosure = TRUSTED) -> str:
    """Where and by how much two same-shape arrays differ (nothing on hidden inputs: every
    part of it, the expected values too, is a value of those inputs)."""
    g, e = as_array(got), as_array(expected)
    if g is None or e is None or not show.open:
        return ""
    if g.size == 1 and e.size == 1:
        return f"expected {_num(e.reshape(-1)[0])}, got {_num(g.reshape(-1)[0])}"
    if g.shape != e.shape:
        return ""
    with np.errstate(all="ignore"):
        diff = np.abs(g - e)
        diff[np.isnan(diff)] = np.inf
    finite = np.isfinite(e)
    scale = float(np.max(np.abs(e[finite]))) if finite.any() else 1.0
    wrong = diff > 1e-7 + RTOL * np.abs(e) + RTOL * 0.1 * scale
    where = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    return (
        f"{int(wrong.sum())} of {e.size} entries differ; the largest difference is at index "
        f"{list(where)}: expected {_num(e[where])}, got {_num(g[where])}"
    )


def shape_of(value: Any) -> tuple[int, ...] | None:
    arr = as_array(value)
    return None if arr is None else tuple(arr.shape)


def describe_type(value: Any, show: Disclosure = TRUSTED) -> str:
    """A short, student-readable description of a value's type and shape (of a student's value,
    what ``show`` allows of it)."""
    if isinstance(value, Opaque):
        name = show.object_type(value.type_name)
        return f"a {name}" if name else "an object"
    if isinstance(value, dict):
        if not value:
            return "an empty dict"
        shown = show.listed(list(value), 8)
        more = len(shown) < len(value)
        if not shown:
            return "a dict with other keys"
        return f"a dict with keys {', '.join(shown)}" + (" and others" if more and not show.open else "")
    if isinstance(value, (tuple, list)):
        kind = "a tuple" if isinstance(value, tuple) else "a list"
        n = show.count(len(value))
        return f"{kind} of {n}" if n is not None else kind
    if isinstance(value, np.ndarray):
        return f"an array of {show.shape_phrase(value.shape)}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def _shape(arr: np.ndarray) -> str:
    return str(tuple(int(n) for n in arr.shape))


def _num(x: float) -> str:
    return f"{float(x):.6g}"


def _nonfinite(values: np.ndarray) -> str:
    kinds = sorted({"nan" if np.isnan(v) else "inf" for v in values.reshape(-1)})
    return " and ".join(kinds)
