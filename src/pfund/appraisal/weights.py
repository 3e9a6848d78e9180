"""Criterion weights, exact or known only incompletely (intervals or a ranking).

Decision makers rarely agree on exact weights but often agree that, say, net benefit
matters more than regional equity, or that a weight lies between 0.2 and 0.3. Each kind
of information defines a *feasible set* of weight vectors (non-negative, summing to 1);
each class here gives (a) a point estimate, (b) the extreme points of that set and (c)
uniform random samples from it. Robust portfolio modelling (Liesiö, Mild and Salo,
EJOR 181, 2007) uses the extreme points to find which projects are in every efficient
portfolio (core index 1), in some, or in none.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from pfund.appraisal.schedule import FloatArray

__all__ = [
    "ExactWeights",
    "IntervalWeights",
    "RankedWeights",
    "Weights",
    "rank_order_centroid",
]

TOLERANCE = 1e-6
_MAX_VERTEX_CRITERIA = 16


def _check_names(names: Sequence[str], valid: Sequence[str], what: str) -> None:
    """Unknown or missing criterion names, with the valid choices listed."""
    unknown = [n for n in names if n not in valid]
    if unknown:
        raise ValueError(f"{what} names unknown criteria {unknown}; valid: {', '.join(valid)}")
    missing = [v for v in valid if v not in names]
    if missing:
        raise ValueError(f"{what} must give every criterion; missing {missing}")


def rank_order_centroid(m: int) -> FloatArray:
    """ROC weights ``w_i = (1/m) sum_{j>=i} 1/j``: the centroid of the ranked simplex.

    Barron and Barrett (Management Science 42(11), 1996) found them the best single
    surrogate for ranked weights; for three criteria they are (11/18, 5/18, 2/18).
    """
    inverse = 1.0 / np.arange(1, m + 1)
    return np.asarray(np.cumsum(inverse[::-1])[::-1] / m, dtype=np.float64)


@dataclass(frozen=True)
class ExactWeights:
    """Weights given exactly; they must be non-negative and sum to 1 (within 1e-6)."""

    criteria: tuple[str, ...]
    values: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[str, float], criteria: Sequence[str]) -> ExactWeights:
        _check_names(list(weights), criteria, "exact weights")
        values = tuple(float(weights[c]) for c in criteria)
        if min(values) < 0:
            raise ValueError(f"weights must not be negative, got {dict(weights)}")
        if abs(sum(values) - 1) > TOLERANCE:
            raise ValueError(f"weights must sum to 1, they sum to {sum(values):.6g}")
        return cls(tuple(criteria), values)

    def point(self) -> FloatArray:
        return np.array(self.values)

    def extreme_points(self) -> FloatArray:
        return self.point()[None, :]

    def sample(self, n: int, *, seed: int) -> FloatArray:
        del seed  # one feasible vector: nothing to draw
        return np.repeat(self.point()[None, :], n, axis=0)


@dataclass(frozen=True)
class IntervalWeights:
    """Each weight in ``[low, high]``, together summing to 1."""

    criteria: tuple[str, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]

    @classmethod
    def of(
        cls, bounds: Mapping[str, tuple[float, float]], criteria: Sequence[str]
    ) -> IntervalWeights:
        _check_names(list(bounds), criteria, "weight intervals")
        low = tuple(float(bounds[c][0]) for c in criteria)
        high = tuple(float(bounds[c][1]) for c in criteria)
        for name, lo, hi in zip(criteria, low, high, strict=True):
            if not 0 <= lo <= hi <= 1:
                raise ValueError(f"interval for {name!r} must have 0 <= low <= high <= 1")
        if sum(low) > 1 + TOLERANCE or sum(high) < 1 - TOLERANCE:
            raise ValueError(
                f"no weights in these intervals sum to 1: lows sum to {sum(low):.6g}, "
                f"highs to {sum(high):.6g}"
            )
        return cls(tuple(criteria), low, high)

    def point(self) -> FloatArray:
        """Interval centres normalised; if that leaves a box, the mean of the vertices."""
        centre = (np.array(self.low) + np.array(self.high)) / 2
        centre = np.asarray(centre / centre.sum(), dtype=np.float64)
        if self._inside(centre):
            return centre
        return np.asarray(self.extreme_points().mean(axis=0), dtype=np.float64)

    def _inside(self, w: FloatArray) -> bool:
        low, high = np.array(self.low), np.array(self.high)
        return bool(np.all(w >= low - TOLERANCE) and np.all(w <= high + TOLERANCE))

    def extreme_points(self) -> FloatArray:
        """Vertices of box ∩ simplex: all but one weight at a bound, the last fills to 1."""
        m = len(self.criteria)
        if m > _MAX_VERTEX_CRITERIA:
            raise ValueError(f"too many criteria ({m}) to enumerate vertices; use sample()")
        bounds = np.array([self.low, self.high])
        found: dict[tuple[float, ...], FloatArray] = {}
        for free in range(m):
            for choice in itertools.product((0, 1), repeat=m - 1):
                w = self._vertex(bounds, free, choice)
                if w is not None:
                    found.setdefault(tuple(np.round(w, 12)), w)
        return np.array(list(found.values()))

    def _vertex(self, bounds: FloatArray, free: int, choice: tuple[int, ...]) -> FloatArray | None:
        others = [i for i in range(len(self.criteria)) if i != free]
        w = np.zeros(len(self.criteria))
        w[others] = bounds[list(choice), others]
        w[free] = 1 - w[others].sum()
        return w if self._inside(w) else None

    def sample(self, n: int, *, seed: int) -> FloatArray:
        """Uniform on box ∩ simplex: uniform above the lower bounds, rejecting past highs."""
        rng = np.random.default_rng(seed)
        low, high = np.array(self.low), np.array(self.high)
        slack, tries = 1 - low.sum(), 0
        kept: list[FloatArray] = []
        while sum(int(k.shape[0]) for k in kept) < n:
            tries += 1
            if tries > 1000:
                raise ValueError("intervals too narrow to sample; use extreme_points()")
            w = low + slack * rng.dirichlet(np.ones(low.size), size=max(n, 1024))
            kept.append(w[np.all(w <= high + TOLERANCE, axis=1)])
        return np.concatenate(kept)[:n]


@dataclass(frozen=True)
class RankedWeights:
    """Only the order is known: ``w_1 >= w_2 >= ... >= w_m >= 0``.

    ``order`` is the ranking, most important first; arrays come back in the order of
    ``criteria`` like every other weight class.
    """

    criteria: tuple[str, ...]
    order: tuple[str, ...]

    @classmethod
    def of(cls, order: Sequence[str], criteria: Sequence[str]) -> RankedWeights:
        if len(set(order)) != len(order):
            raise ValueError(f"the ranking names a criterion twice: {list(order)}")
        _check_names(order, criteria, "the ranking")
        return cls(tuple(criteria), tuple(order))

    def _unrank(self, ranked: FloatArray) -> FloatArray:
        """Columns from ranking order to criteria order."""
        return ranked[..., [self.order.index(c) for c in self.criteria]]

    def point(self) -> FloatArray:
        """Rank-order centroid weights."""
        return self._unrank(rank_order_centroid(len(self.order)))

    def extreme_points(self) -> FloatArray:
        """(1, 0, ...), (1/2, 1/2, 0, ...), ..., (1/m, ..., 1/m) in ranking order."""
        m = len(self.order)
        return self._unrank(np.tril(np.ones((m, m))) / np.arange(1, m + 1)[:, None])

    def sample(self, n: int, *, seed: int) -> FloatArray:
        """Uniform on the simplex sorted in decreasing order: uniform on the ranked part."""
        rng = np.random.default_rng(seed)
        w = rng.dirichlet(np.ones(len(self.order)), size=n)
        return self._unrank(-np.sort(-w, axis=1))


Weights = ExactWeights | IntervalWeights | RankedWeights
