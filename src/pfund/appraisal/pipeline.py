"""A pipeline of projects compiled once into arrays, so that sampling is matrix maths.

Each uncertain stream (a project's capital, its running cost, each benefit stream) is
driven by **one** random variate for all its years: an estimate's error is mostly a level
error (a unit price, a traffic forecast, a take-up rate) that persists from year to year.
Drawing each year independently would let the errors cancel over a 20-year stream and
understate the risk of exactly the long projects whose forecasts are least certain.

A stream's years may differ in shape (where ``likely`` sits between ``low`` and
``high``); years of the same shape form a *term*, and the stream's value in a draw is
``sum over terms of (low + range * q(c_term, u_stream))`` by year. A term's years are then
collapsed by discounting, so a 40-year stream costs one quantile per draw, not forty.
Shapes closer than 1e-4 form one group with their mean shape: whole-dollar rounding makes
nominally equal shapes differ in the sixth digit, and a shift of 1e-4 in ``c`` moves a
quantile by far less than the Monte Carlo error of 10,000 draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from pfund.appraisal.distributions import Method, mean_fraction, mode_fraction
from pfund.appraisal.schedule import HIGH, LIKELY, LOW, FloatArray, Schedule, project_schedule
from pfund.domain import Project

__all__ = ["BENEFIT", "COST", "Pipeline", "compile_pipeline"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
COST, BENEFIT = 0, 1
_SHAPE_GAP = 1e-4


@dataclass(frozen=True)
class Pipeline:
    """Per-term low and range matrices on one year axis, and who owns what.

    Terms are sorted by project and every project has at least one, so per-project sums
    are ``np.add.reduceat`` over ``starts``.
    """

    project_ids: tuple[str, ...]
    areas: tuple[str, ...]
    first_year: int
    term_owner: IntArray
    term_variate: IntArray
    term_side: IntArray
    term_c: FloatArray
    term_low: FloatArray
    term_range: FloatArray
    starts: IntArray
    variate_owner: IntArray
    variate_side: IntArray
    conventional: BoolArray
    outcome_keys: tuple[tuple[str, str], ...]
    outcome_owner: IntArray
    outcome_points: FloatArray

    @property
    def size(self) -> int:
        return len(self.project_ids)

    def discount(self, rate: float, base_year: int) -> FloatArray:
        """End-of-year discount factors for the pipeline's years, present = end of base_year."""
        t = np.arange(self.term_low.shape[1], dtype=np.float64) + (self.first_year - base_year)
        return np.asarray((1.0 + rate) ** -t, dtype=np.float64)

    def expected_pv(self, rate: float, base_year: int, method: Method) -> tuple[FloatArray, ...]:
        """Exact expected PV of costs and of benefits per project (no sampling needed)."""
        df = self.discount(rate, base_year)
        per_term = self.term_low @ df + (self.term_range @ df) * mean_fraction(self.term_c, method)
        costs = np.add.reduceat(np.where(self.term_side == COST, per_term, 0.0), self.starts)
        benefits = np.add.reduceat(np.where(self.term_side == BENEFIT, per_term, 0.0), self.starts)
        return np.asarray(costs, dtype=np.float64), np.asarray(benefits, dtype=np.float64)


@dataclass
class _Builder:
    """Accumulates terms while walking the projects once."""

    first_year: int
    years: int
    owner: list[int]
    variate: list[int]
    side: list[int]
    c: list[float]
    low: list[FloatArray]
    spread: list[FloatArray]
    variate_owner: list[int]
    variate_side: list[int]

    def add_stream(self, project: int, side: int, rows: FloatArray, offset: int) -> None:
        """One variate for the stream; one term per distinct shape among its years."""
        if not rows[HIGH].any():
            return
        variate = len(self.variate_owner)
        self.variate_owner.append(project)
        self.variate_side.append(side)
        shapes = _group_shapes(mode_fraction(rows[LOW], rows[LIKELY], rows[HIGH]), rows[HIGH] > 0)
        for shape in np.unique(shapes[~np.isnan(shapes)]):
            mask = shapes == shape
            self.owner.append(project)
            self.variate.append(variate)
            self.side.append(side)
            self.c.append(float(shape))
            self.low.append(self._place(np.where(mask, rows[LOW], 0.0), offset))
            self.spread.append(self._place(np.where(mask, rows[HIGH] - rows[LOW], 0.0), offset))

    def add_zero_term(self, project: int) -> None:
        """A term worth nothing, for a project whose every amount is zero."""
        self.variate.append(len(self.variate_owner))
        self.variate_owner.append(project)
        self.variate_side.append(COST)
        self.owner.append(project)
        self.side.append(COST)
        self.c.append(0.5)
        self.low.append(np.zeros(self.years))
        self.spread.append(np.zeros(self.years))

    def _place(self, values: FloatArray, offset: int) -> FloatArray:
        row = np.zeros(self.years)
        row[offset : offset + values.size] = values
        return row


def _group_shapes(c: FloatArray, used: BoolArray) -> FloatArray:
    """Each used year's shape replaced by the mean of its group (gaps over 1e-4 split)."""
    out = np.full(c.size, np.nan)
    order = np.argsort(c[used], kind="stable")
    values = c[used][order]
    group = np.concatenate([[0], np.cumsum(np.diff(values) > _SHAPE_GAP)])
    means = np.bincount(group, weights=values) / np.bincount(group)
    grouped = np.empty(values.size)
    grouped[order] = means[group]
    out[used] = grouped
    return out


def compile_pipeline(projects: Sequence[Project]) -> Pipeline:
    """Turn projects into the arrays :func:`pfund.appraisal.montecarlo.simulate` samples."""
    if not projects:
        raise ValueError("a pipeline needs at least one project")
    schedules = [project_schedule(p) for p in projects]
    first = min(s.first_year for s in schedules)
    last = max(s.first_year + s.years for s in schedules)
    b = _Builder(first, last - first, [], [], [], [], [], [], [], [])
    for i, s in enumerate(schedules):
        _add_project(b, i, s)
    owner = np.asarray(b.owner, dtype=np.int64)
    keys, outcome_owner, points = _outcomes(projects)
    return Pipeline(
        project_ids=tuple(p.id for p in projects),
        areas=tuple(p.area for p in projects),
        first_year=first,
        term_owner=owner,
        term_variate=np.asarray(b.variate, dtype=np.int64),
        term_side=np.asarray(b.side, dtype=np.int64),
        term_c=np.asarray(b.c, dtype=np.float64),
        term_low=np.vstack(b.low),
        term_range=np.vstack(b.spread),
        starts=np.searchsorted(owner, np.arange(len(projects))).astype(np.int64),
        variate_owner=np.asarray(b.variate_owner, dtype=np.int64),
        variate_side=np.asarray(b.variate_side, dtype=np.int64),
        conventional=np.array([conventional_for_all_draws(s) for s in schedules], dtype=bool),
        outcome_keys=keys,
        outcome_owner=outcome_owner,
        outcome_points=points,
    )


def _add_project(b: _Builder, index: int, s: Schedule) -> None:
    offset = s.first_year - b.first_year
    before = len(b.owner)
    b.add_stream(index, COST, s.capital, offset)
    b.add_stream(index, COST, s.running, offset)
    for rows in s.benefits.values():
        b.add_stream(index, BENEFIT, rows, offset)
    if len(b.owner) == before:  # every amount is zero: a zero term keeps sums aligned
        b.add_zero_term(index)


def conventional_for_all_draws(s: Schedule) -> bool:
    """True if every possible draw's net stream is conventional or never positive.

    Checked on bounds: the lowest net of a year is all benefits low and all costs high,
    the highest the reverse. If some year splits the stream so that no earlier year can
    be positive and no later year negative, every draw changes sign at most once, from
    negative to positive, and then ERR >= h exactly when NPV at h >= 0.
    """
    lowest = s.benefit_total(LOW) - s.costs(HIGH)
    highest = s.benefit_total(HIGH) - s.costs(LOW)
    # bad_before[k]: some year before k can be positive; bad_after[k]: year k or later < 0
    bad_before = np.concatenate([[False], np.cumsum(highest > 0) > 0])
    bad_after = np.concatenate([np.cumsum((lowest < 0)[::-1])[::-1] > 0, [False]])
    return bool(np.any(~bad_before & ~bad_after))


def _outcomes(
    projects: Sequence[Project],
) -> tuple[tuple[tuple[str, str], ...], IntArray, FloatArray]:
    keys = [(p.id, name) for p in projects for name in p.outcomes]
    owner = [i for i, p in enumerate(projects) for _ in p.outcomes]
    points = [o.value.as_list() for p in projects for o in p.outcomes.values()]
    matrix = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    return tuple(keys), np.asarray(owner, dtype=np.int64), matrix
