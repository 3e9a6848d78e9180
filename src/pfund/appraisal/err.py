"""The economic rate of return (ERR): the internal rate of return of the net benefit stream.

The ERR is the rate ``r`` at which ``sum_t v_t (1 + r)^-t = 0``. With ``x = 1 / (1 + r)``
that is the polynomial ``sum_t v_t x^t``, and rates in ``(-1, inf)`` are exactly its
positive real roots. A stream whose sign changes once (costs first, benefits after: a
*conventional* stream) has exactly one such root (Descartes' rule of signs); a stream with
no sign change has none; a stream whose sign changes several times may have several, and
then no single number is *the* ERR (Brealey, Myers and Allen, *Principles of Corporate
Finance*, ch. 5, "multiple rates of return"). Rather than pick one silently, as
spreadsheet IRR functions do, :func:`err` reports every root and a status.

Roots come from the eigenvalues of the companion matrix (``numpy.polynomial``), which is
backward stable for the 40- or 60-year streams of infrastructure projects; each real
candidate is kept only if the polynomial nearly vanishes there, then polished with a
bracketing root finder (``scipy.optimize.brentq``) when it crosses zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from numpy.polynomial import polynomial as poly
from scipy.optimize import brentq

__all__ = ["ErrResult", "ErrStatus", "err", "is_conventional", "sign_changes"]

ErrStatus = Literal["unique", "none", "multiple"]
_IMAG_TOL = 1e-4  # multiple roots spread into small complex pairs; residual decides
_RESIDUAL_TOL = 1e-9
_SAME_ROOT = 1e-4  # a k-fold root splits by about eps ** (1 / k)


@dataclass(frozen=True)
class ErrResult:
    """The ERR when it is unique; otherwise ``value`` is None and ``roots`` says why."""

    value: float | None
    status: ErrStatus
    roots: tuple[float, ...]

    def passes(self, hurdle: float) -> bool | None:
        """True if the unique ERR reaches ``hurdle``; None when the ERR is undefined."""
        return None if self.value is None else self.value >= hurdle


def sign_changes(values: npt.ArrayLike) -> int:
    """How many times the sign of the stream changes, zeros skipped."""
    v = np.asarray(values, dtype=np.float64)
    signs = np.sign(v[v != 0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


def is_conventional(values: npt.ArrayLike) -> bool:
    """Negative first, positive after, one change: the stream has exactly one ERR."""
    v = np.asarray(values, dtype=np.float64)
    nonzero = v[v != 0]
    return sign_changes(v) == 1 and bool(nonzero[0] < 0)


def err(values: npt.ArrayLike) -> ErrResult:
    """Every rate in (-1, inf) at which the stream's present value is zero, and a status."""
    roots = _rates(np.asarray(values, dtype=np.float64))
    if not roots:
        return ErrResult(value=None, status="none", roots=())
    if len(roots) == 1:
        return ErrResult(value=roots[0], status="unique", roots=roots)
    return ErrResult(value=None, status="multiple", roots=roots)


def _rates(values: npt.NDArray[np.float64]) -> tuple[float, ...]:
    """Positive real roots in ``x``, turned into rates and sorted."""
    v = np.trim_zeros(values)
    if v.size < 2 or sign_changes(v) == 0:
        return ()
    v = v / np.abs(v).max()
    xs = [_polish(v, x) for x in _candidates(v)]
    rates = sorted(1.0 / x - 1.0 for x in xs)
    return tuple(_distinct(rates))


def _candidates(v: npt.NDArray[np.float64]) -> list[float]:
    """Real parts of near-real positive roots where the polynomial really vanishes."""
    roots = poly.polyroots(v)
    near_real = roots[np.abs(roots.imag) <= _IMAG_TOL * np.maximum(1.0, np.abs(roots))]
    xs = near_real.real[near_real.real > 0]
    return [float(x) for x in xs if _residual(v, float(x)) <= _RESIDUAL_TOL]


def _residual(v: npt.NDArray[np.float64], x: float) -> float:
    """|P(x)| relative to the sum of the absolute terms, so scale does not matter."""
    terms = v * x ** np.arange(v.size)
    return float(abs(terms.sum()) / np.abs(terms).sum())


def _polish(v: npt.NDArray[np.float64], x: float) -> float:
    """Refine a simple root by bisection-safe search; leave a touching root as found."""
    lo, hi = x * (1 - 1e-6), x * (1 + 1e-6)
    p_lo, p_hi = poly.polyval(lo, v), poly.polyval(hi, v)
    if p_lo * p_hi >= 0:
        return x
    return float(brentq(lambda z: float(poly.polyval(z, v)), lo, hi, xtol=1e-15, rtol=1e-14))


def _distinct(rates: list[float]) -> list[float]:
    """Merge the copies a multiple root leaves behind into their mean."""
    clusters: list[list[float]] = []
    for r in rates:
        if clusters and abs(r - clusters[-1][-1]) <= _SAME_ROOT * max(1.0, abs(r)):
            clusters[-1].append(r)
        else:
            clusters.append([r])
    return [sum(c) / len(c) for c in clusters]
