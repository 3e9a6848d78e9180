"""The benefit-per-dollar ranking most appraisal tools use, as a baseline to beat.

Projects are taken in order of value / total cost and added when the portfolio stays
within every budget and region cap and respects exclusions and dependencies (a project
waits until its prerequisites are in; passes repeat until nothing more fits). Area
shares are not monotone, so greedy cannot honour them step by step: a maximum share is
checked against the larger of the portfolio's cost and the budget envelope, then
repaired by dropping the weakest projects of an over-share area; a minimum share is only
checked at the end. Whatever stays unmet is reported and the result is INFEASIBLE.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from pfund.portfolio.problem import BoolArray, FloatArray, PortfolioProblem
from pfund.portfolio.solution import Solution, Status

__all__ = ["GreedyComparison", "compare_with_greedy", "greedy"]

_TOL = 1e-9


@dataclass(frozen=True)
class GreedyComparison:
    """How much more value the optimiser buys than greedy from the same budgets."""

    optimal_value: float
    greedy_value: float
    gain: float
    gain_share: float
    greedy_feasible: bool
    sentence: str
    greedy_selected: tuple[int, ...] = ()


def greedy(problem: PortfolioProblem) -> Solution:
    """Rank by value per unit of total cost and add while every hard rule holds."""
    start = time.perf_counter()
    state = _State(problem)
    for i in sorted(problem.must_include):
        state.add(i)
    order = _ranking(problem)
    while _pass(state, order):
        pass
    _repair_max_shares(state, order)
    while _pass(state, order):
        pass
    unmet = state.unmet()
    return Solution(
        selected=state.selected.copy(),
        objective=problem.portfolio_value(state.selected),
        bound=float("nan"),
        gap=float("nan"),
        status=Status.INFEASIBLE if unmet else Status.FEASIBLE,
        seconds=time.perf_counter() - start,
        solver="greedy",
        solver_version="benefit-per-cost",
        message="; ".join(unmet),
        notes=tuple(unmet),
    )


def compare_with_greedy(
    problem: PortfolioProblem, optimal: Solution, base: Solution | None = None
) -> GreedyComparison:
    """State the value the optimiser adds over greedy ranking, as a number and a sentence.

    `base` is greedy's answer when the caller already has it (`optimise` runs greedy
    before the solve, so the solve gets what is left of the one deadline).
    """
    base = base or greedy(problem)
    gain = optimal.objective - base.objective
    share = gain / abs(base.objective) if base.objective else float("inf") if gain > 0 else 0.0
    ok = base.status is Status.FEASIBLE
    sentence = (
        f"The optimised portfolio buys {gain:,.6g} more value ({share:.2%}) than ranking by "
        f"benefit per dollar with the same budgets"
        + ("." if ok else f"; greedy also breaks rules: {base.message}.")
    )
    chosen = tuple(int(i) for i in np.flatnonzero(base.selected))
    return GreedyComparison(optimal.objective, base.objective, gain, share, ok, sentence, chosen)


def _ranking(problem: PortfolioProblem) -> list[int]:
    total = problem.total_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total > 0, problem.value / np.where(total > 0, total, 1.0), np.inf)
    ratio = np.where(problem.value > 0, ratio, -np.inf)
    return [int(i) for i in np.argsort(-ratio, kind="stable") if problem.value[i] > 0]


def _pass(state: _State, order: list[int]) -> bool:
    added = False
    for i in order:
        if state.can_add(i):
            state.add(i)
            added = True
    return added


def _repair_max_shares(state: _State, order: list[int]) -> None:
    """Drop the weakest removable project of an over-share area until none is over."""
    for area in state.over_max_areas():
        for i in reversed(order):
            if not state.over_max(area):
                break
            if state.selected[i] and state.problem.area[i] == area and state.removable(i):
                state.remove(i)
    state.frozen_max = True


class _State:
    """A growing portfolio with running totals so each check is cheap."""

    def __init__(self, problem: PortfolioProblem) -> None:
        p = self.problem = problem
        self.selected: BoolArray = np.zeros(p.n, dtype=bool)
        self.used: FloatArray = np.zeros(len(p.periods))
        self.region_names = sorted(p.region_cap)
        self.region_use = _region_matrix(p, self.region_names)
        self.region_used: FloatArray = np.zeros(len(self.region_names))
        self.area_cost: dict[str, float] = {}
        self.total = 0.0
        self.envelope = (
            float(p.budget[np.isfinite(p.budget)].sum()) if np.isfinite(p.budget).all() else 0.0
        )
        self.blocked = p.blocked()
        self.needs = _adjacency(p.n, p.depends)
        self.needed_by = _adjacency(p.n, [(j, i) for i, j in p.depends])
        self.rivals = _adjacency(p.n, [*p.excludes, *((j, i) for i, j in p.excludes)])
        self.frozen_max = False

    def can_add(self, i: int) -> bool:
        if self.selected[i] or i in self.blocked:
            return False
        if any(self.selected[j] for j in self.rivals[i]) or not all(
            self.selected[j] for j in self.needs[i]
        ):
            return False
        if np.any(self.used + self.problem.cost[i] > self.problem.budget * (1 + _TOL) + _TOL):
            return False
        if np.any(self.region_used + self.region_use[i] > self._caps() * (1 + _TOL) + _TOL):
            return False
        return self._max_share_ok(i) and self._earmarks_ok(i)

    def _earmarks_ok(self, i: int) -> bool:
        """Adding ``i`` keeps within every earmark's cap (earmarked money stays apart)."""
        p = self.problem
        for cap in p.spend_caps:
            if i not in cap.members:
                continue
            used = p.cost[list(cap.members)][self.selected[list(cap.members)]].sum(axis=0)
            if np.any(used + p.cost[i] > np.asarray(cap.cap) * (1 + _TOL) + _TOL):
                return False
        return True

    def _caps(self) -> FloatArray:
        return np.array([self.problem.region_cap[r] for r in self.region_names])

    def _max_share_ok(self, i: int) -> bool:
        area, c = self.problem.area[i], float(self.problem.total_cost[i])
        share = self.problem.area_max_share.get(area)
        if share is None:
            return True
        base = self.total + c if self.frozen_max else max(self.total + c, self.envelope)
        return self.area_cost.get(area, 0.0) + c <= share * base * (1 + _TOL) + _TOL

    def add(self, i: int) -> None:
        self._shift(i, 1.0)
        self.selected[i] = True

    def remove(self, i: int) -> None:
        self._shift(i, -1.0)
        self.selected[i] = False

    def _shift(self, i: int, sign: float) -> None:
        p, c = self.problem, float(self.problem.total_cost[i])
        self.used += sign * p.cost[i]
        self.region_used += sign * self.region_use[i]
        self.area_cost[p.area[i]] = self.area_cost.get(p.area[i], 0.0) + sign * c
        self.total += sign * c

    def removable(self, i: int) -> bool:
        return i not in self.problem.must_include and not any(
            self.selected[j] for j in self.needed_by[i]
        )

    def over_max(self, area: str) -> bool:
        limit = self.problem.area_max_share[area] * self.total
        return self.area_cost.get(area, 0.0) > limit * (1 + _TOL) + _TOL

    def over_max_areas(self) -> list[str]:
        return [a for a in sorted(self.problem.area_max_share) if self.over_max(a)]

    def unmet(self) -> list[str]:
        p, out = self.problem, []
        for area, share in sorted(p.area_min_share.items()):
            if self.area_cost.get(area, 0.0) < share * self.total * (1 - _TOL) - _TOL:
                out.append(f"area {area!r} gets less than its minimum share {share:.0%}")
        out += [f"area {a!r} exceeds its maximum share" for a in self.over_max_areas()]
        for i in sorted(p.must_include):
            if not self.can_keep(i):
                out.append(f"must-include project {p.ids[i]} breaks a budget, cap or link")
        return out

    def can_keep(self, i: int) -> bool:
        """A forced project is fine when the whole portfolio respects budgets and links."""
        p = self.problem
        ok_budget = bool(np.all(self.used <= p.budget * (1 + _TOL) + _TOL))
        ok_region = bool(np.all(self.region_used <= self._caps() * (1 + _TOL) + _TOL))
        ok_links = all(self.selected[j] for j in self.needs[i]) and not any(
            self.selected[j] for j in self.rivals[i]
        )
        return ok_budget and ok_region and ok_links and i not in self.blocked


def _region_matrix(p: PortfolioProblem, names: list[str]) -> FloatArray:
    col = {r: k for k, r in enumerate(names)}
    out = np.zeros((p.n, len(names)))
    for i, regions in enumerate(p.regions):
        for r in regions:
            if r in col:
                out[i, col[r]] = p.total_cost[i] / len(regions)
    return out


def _adjacency(n: int, pairs: object) -> list[list[int]]:
    out: list[list[int]] = [[] for _ in range(n)]
    for i, j in pairs:  # type: ignore[attr-defined]
        out[i].append(j)
    return out
