"""Three-point estimates as distributions: Beta-PERT (lambda = 4) and triangular.

Everything works on the unit interval: a value is ``low + (high - low) * q`` where ``q``
is a quantile of a standard distribution whose only shape parameter is the position of
the mode, ``c = (likely - low) / (high - low)``. For PERT with lambda = 4 the Beta
parameters are ``alpha = 1 + 4c`` and ``beta = 1 + 4(1 - c)`` and the mean is
``(low + 4 likely + high) / 6`` (Vose, *Risk Analysis*, 3rd ed., 2008, sec. III.7).

Uniforms are mapped through the inverse CDF (rather than drawing Beta variates directly)
so that one uniform can drive a whole stream of years and a Gaussian copula can correlate
projects. The exact PERT inverse (``scipy.special.betaincinv``) costs about a microsecond
a value, too slow for 10,000 draws of thousands of streams, so :func:`pert_quantile_table`
tabulates it once on a grid of mode positions and probabilities, and :class:`PertTable`
interpolates bilinearly; the table's error is tested against the exact inverse and is far
below Monte Carlo error. The triangular inverse has a closed form and is exact.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt
from scipy.special import betaincinv

from pfund.appraisal.schedule import FloatArray

__all__ = [
    "Method",
    "PertTable",
    "check_method",
    "mean_fraction",
    "mode_fraction",
    "pert_quantile",
    "pert_quantile_table",
    "quantile_function",
    "triangular_quantile",
]

Method = Literal["pert", "triangular"]
METHODS: tuple[str, ...] = get_args(Method)
_MODES, _PROBS = 129, 2049


def check_method(method: str) -> Method:
    """The method if known, else a ValueError listing the valid choices."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method  # type: ignore[return-value]


def mode_fraction(low: FloatArray, likely: FloatArray, high: FloatArray) -> FloatArray:
    """Where the mode sits between low and high; 0.5 for a known value (no spread)."""
    spread = high - low
    safe = np.where(spread > 0, spread, 1.0)
    return np.where(spread > 0, (likely - low) / safe, 0.5)


def mean_fraction(c: FloatArray, method: Method) -> FloatArray:
    """Mean of the unit distribution: ``(4c + 1) / 6`` for PERT, ``(c + 1) / 3`` triangular."""
    return (4 * c + 1) / 6 if method == "pert" else (c + 1) / 3


def pert_quantile(c: npt.ArrayLike, u: npt.ArrayLike) -> FloatArray:
    """Exact PERT quantile on the unit interval (slow: use :class:`PertTable` for bulk)."""
    c_arr = np.asarray(c, dtype=np.float64)
    return np.asarray(betaincinv(1 + 4 * c_arr, 5 - 4 * c_arr, u), dtype=np.float64)


def triangular_quantile(c: npt.ArrayLike, u: npt.ArrayLike) -> FloatArray:
    """Closed-form triangular quantile on the unit interval with mode at ``c``."""
    c_arr, u_arr = np.asarray(c, dtype=np.float64), np.asarray(u, dtype=np.float64)
    left = np.sqrt(u_arr * c_arr)
    right = 1 - np.sqrt((1 - u_arr) * (1 - c_arr))
    return np.asarray(np.where(u_arr < c_arr, left, right), dtype=np.float64)


@cache
def pert_quantile_table() -> FloatArray:
    """Exact PERT quantiles on a 129 (mode) x 2049 (probability) grid, built once."""
    c = np.linspace(0.0, 1.0, _MODES)[:, None]
    u = np.linspace(0.0, 1.0, _PROBS)[None, :]
    table = pert_quantile(c, u)
    table.setflags(write=False)
    return table


_CHUNK_VALUES = 1 << 13  # values per step of a quantile call (see PertTable.__call__)
# The largest per-shape table built; beyond it, interpolate per call. Zero: done a few rows
# at a time, the per-call interpolation from the shared 2 MB table (which stays in cache) is
# as fast as the gathers from a per-shape table (32 KB a mode, 75 MB at 1,000 projects),
# and building that table took 0.1 s of one thread before any draw (bench/montecarlo.py).
_TABLE_BYTES = 0


class PertTable:
    """Fast PERT quantiles for a fixed set of mode positions (one per row of ``u``).

    Each distinct mode position gets its own row of the table, interpolated between the two
    nearest tabulated modes, stored as (value, slope) pairs so that one gather per
    variate finds both. ``u`` is laid out ``len(c) x draws`` so that each row's lookups
    stay in one small block of memory.

    That table costs 32 KB per distinct mode: at 50,000 projects (about 124,000 cost and
    benefit terms) 4 GB, and three times that while it is built, which was most of the
    9.3 GB peak of ``pfund appraise`` (issue #18). Above ``_TABLE_BYTES`` (by default
    always) the same interpolation is done per call from the shared 2 MB table instead,
    with the same float operations in the same order, so the quantiles are bit-identical.
    """

    def __init__(self, c: FloatArray, *, max_bytes: int | None = None) -> None:
        shapes, row_of = np.unique(np.clip(c, 0.0, 1.0), return_inverse=True)
        table = pert_quantile_table()
        position = shapes * (_MODES - 1)
        row = np.minimum(position.astype(np.int64), _MODES - 2)
        weight = position - row
        row_of = row_of.astype(np.int64).ravel()
        self._pairs: npt.NDArray[np.complex128] | None = None
        limit = _TABLE_BYTES if max_bytes is None else max_bytes
        if len(shapes) * (_PROBS - 1) * 16 <= limit:
            w = weight[:, None]
            rows = (1 - w) * table[row] + w * table[row + 1]
            pairs = rows[:, :-1] + 1j * np.diff(rows, axis=1)
            self._pairs = np.ascontiguousarray(pairs).ravel()
            self._offset = (row_of * (_PROBS - 1))[:, None]
        else:
            self._base = (row[row_of] * _PROBS)[:, None]
            self._weight = weight[row_of][:, None]

    def __call__(self, u: FloatArray) -> FloatArray:
        """Quantiles for ``u`` of shape ``len(c) x draws``, linear between probabilities.

        Done a few rows at a time (about ``_CHUNK_VALUES`` values) so that the
        temporaries stay in cache: on whole blocks every step streamed 8-16 MB through
        memory and took about twice as long. Each value goes through the same float
        operations either way, so the quantiles do not depend on the chunking.
        """
        scaled = u * (_PROBS - 1)
        step = max(1, _CHUNK_VALUES // max(1, scaled.shape[-1]))
        k = np.empty((min(step, len(scaled)), *scaled.shape[1:]), dtype=np.int64)
        for start in range(0, len(scaled), step):
            rows = slice(start, start + step)
            part, kk = scaled[rows], k[: len(scaled[rows])]
            np.copyto(kk, part, casting="unsafe")  # truncation, as astype(int64)
            np.minimum(kk, _PROBS - 2, out=kk)
            part -= kk
            if self._pairs is None:
                self._interpolate(part, kk, rows)
            else:
                kk += self._offset[rows]
                pair = np.take(self._pairs, kk)
                part *= pair.imag
                part += pair.real
        return scaled

    def _interpolate(self, scaled: FloatArray, k: npt.NDArray[np.int64], rows: slice) -> None:
        """What the per-shape table would hold at ``k`` and ``k + 1``, computed here."""
        flat = pert_quantile_table().ravel()
        w = self._weight[rows]
        keep = 1 - w
        k += self._base[rows]
        value = keep * flat[k] + w * flat[k + _PROBS]
        k += 1
        slope = keep * flat[k] + w * flat[k + _PROBS]
        slope -= value
        scaled *= slope
        scaled += value


def quantile_function(method: Method, c: FloatArray) -> Callable[[FloatArray], FloatArray]:
    """A fast unit quantile function for rows with mode positions ``c`` (u is rows x draws)."""
    if method == "pert":
        return PertTable(c)
    column = c[:, None]
    return lambda u: triangular_quantile(column, u)
