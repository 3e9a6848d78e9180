"""The problem as linear rows, each tagged with the policy group it comes from.

Solvers, greedy, explanations and the infeasibility filter all need the same rows, and
they need to say which rule a row stands for ("the budget for 2028", "the cap of
RU-MOW"). Building them once here keeps that wording and algebra in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem

__all__ = ["Bounds", "Group", "GroupKind", "Row", "column_bounds", "rows_of"]

IdxArray = npt.NDArray[np.int32]


class GroupKind(StrEnum):
    """A family of constraints that can be relaxed as one when diagnosing conflicts."""

    BUDGET = "budget"
    AREA_MIN = "area_min"
    AREA_MAX = "area_max"
    REGION_CAP = "region_cap"
    MUST_INCLUDE = "must_include"
    MUST_EXCLUDE = "must_exclude"
    DEPENDS = "depends"
    EXCLUDES = "excludes"
    STAGE = "stage"
    EXTRA = "extra"
    EARMARK = "earmark"


@dataclass(frozen=True)
class Group:
    """One relaxable rule: a kind and its key (period index, area, region, pair, ...)."""

    kind: GroupKind
    key: int | str | tuple[int, int] | None = None

    @property
    def index(self) -> int:
        """The key of a period, project or extra-row group."""
        assert isinstance(self.key, int)
        return self.key

    @property
    def pair(self) -> tuple[int, int]:
        """The key of a dependency or exclusion group."""
        assert isinstance(self.key, tuple)
        return self.key


@dataclass(frozen=True, eq=False)
class Row:
    """lower <= sum(coef * x[idx]) <= upper, standing for one group."""

    group: Group
    idx: IdxArray
    coef: FloatArray
    lower: float
    upper: float

    def activity(self, selected: npt.NDArray[np.bool_]) -> float:
        """Left-hand side for a selection."""
        return float(self.coef[selected[self.idx]].sum())


@dataclass(frozen=True, eq=False)
class Bounds:
    """Column bounds after must-include, must-exclude and stage are applied."""

    lower: FloatArray
    upper: FloatArray


def rows_of(problem: PortfolioProblem, extra: list[LinearConstraint] | None = None) -> list[Row]:
    """All constraint rows of a problem (budgets, shares, caps, links, extras)."""
    return [
        *_budget_rows(problem),
        *_share_rows(problem),
        *_region_rows(problem),
        *_link_rows(problem),
        *_earmark_rows(problem),
        *_extra_rows(extra or []),
    ]


def column_bounds(problem: PortfolioProblem) -> Bounds:
    """Fix forced projects by bounds; a project both forced in and out gets lower > upper."""
    lower, upper = np.zeros(problem.n), np.ones(problem.n)
    for i in problem.blocked():
        upper[i] = 0.0
    for i in problem.must_include:
        lower[i] = 1.0
    return Bounds(lower, upper)


def _dense(coef: FloatArray) -> tuple[IdxArray, FloatArray]:
    idx = np.flatnonzero(coef).astype(np.int32)
    return idx, np.asarray(coef[idx], dtype=np.float64)


def _budget_rows(p: PortfolioProblem) -> list[Row]:
    return [
        Row(Group(GroupKind.BUDGET, t), *_dense(p.cost[:, t]), -np.inf, float(p.budget[t]))
        for t in range(len(p.periods))
        if np.isfinite(p.budget[t])
    ]


def _share_rows(p: PortfolioProblem) -> list[Row]:
    """sum_a c_i x_i >= s * sum c_i x_i, written as sum c_i (1[a] - s) x_i >= 0."""
    total = p.total_cost
    areas = np.array(p.area, dtype=object)
    rows = []
    for kind, shares in (
        (GroupKind.AREA_MIN, p.area_min_share),
        (GroupKind.AREA_MAX, p.area_max_share),
    ):
        for area, share in sorted(shares.items()):
            coef = total * ((areas == area).astype(np.float64) - share)
            lo, hi = (0.0, np.inf) if kind is GroupKind.AREA_MIN else (-np.inf, 0.0)
            rows.append(Row(Group(kind, area), *_dense(coef), lo, hi))
    return rows


def _region_rows(p: PortfolioProblem) -> list[Row]:
    share = p.total_cost / np.maximum([len(r) for r in p.regions], 1)
    members: dict[str, list[int]] = {}  # one pass over the projects, not one per cap
    for i, rs in enumerate(p.regions):
        for region in set(rs):
            members.setdefault(region, []).append(i)
    rows = []
    for region, cap in sorted(p.region_cap.items()):
        coef = np.zeros(len(p.regions))
        at = np.asarray(members.get(region, []), dtype=np.int64)
        coef[at] = share[at]
        rows.append(Row(Group(GroupKind.REGION_CAP, region), *_dense(coef), -np.inf, cap))
    return rows


def _link_rows(p: PortfolioProblem) -> list[Row]:
    pair = np.ones(2)
    rows = [
        Row(
            Group(GroupKind.DEPENDS, (i, j)),
            np.array([i, j], np.int32),
            np.array([1.0, -1.0]),
            -np.inf,
            0.0,
        )
        for i, j in p.depends
    ]
    rows += [
        Row(Group(GroupKind.EXCLUDES, (i, j)), np.array([i, j], np.int32), pair, -np.inf, 1.0)
        for i, j in p.excludes
    ]
    return rows


def _earmark_rows(p: PortfolioProblem) -> list[Row]:
    """Per earmark cap and period: spending of the projects it cannot fund <= cap."""
    rows = []
    for k, cap in enumerate(p.spend_caps):
        idx = np.asarray(cap.members, dtype=np.int32)
        for t, limit in enumerate(cap.cap):
            coef = np.asarray(p.cost[idx, t], dtype=np.float64)
            keep = coef != 0
            rows.append(Row(Group(GroupKind.EARMARK, k), idx[keep], coef[keep], -np.inf, limit))
    return rows


def _extra_rows(extra: list[LinearConstraint]) -> list[Row]:
    return [
        Row(Group(GroupKind.EXTRA, k), *_dense(np.asarray(c.coef, np.float64)), c.lower, c.upper)
        for k, c in enumerate(extra)
    ]
