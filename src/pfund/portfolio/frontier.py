"""Trade-off curves for decision makers: value against money, value against equity.

(a) Every period's budget is scaled by the same factor, from nothing to the level that
funds every project, and the portfolio re-optimised; donor earmarks' spending caps are
scaled by the same factor (every pool of money alike: ``pfund.portfolio.earmarks``), and
so are the regions' caps, which the policy sets as a share of the budget.
The curve shows where extra money stops buying much. A larger budget can always keep the
smaller budget's portfolio, so if a solve stopped early and came back lower, the earlier
portfolio is kept.
(b) The epsilon-constraint method: maximise value subject to equity >= eps over a grid
from the equity of the value-maximising portfolio to the largest equity attainable;
only non-dominated points are returned.

Every point's solve is independent of the others (the keep-the-earlier rule is applied
afterwards, in budget order), so the solves go through a `Mapper`: here by default, on
a Dask cluster when the caller passes one, with the same points either way.

Time (issue #18): each point's solve gets `time_limit` (kept by the solver's guard on big
problems); with `total_time` the whole curve gets one deadline (epoch seconds, shared by
points on any machine), and a point it leaves no time for has no portfolio of its own
(on the budget curve the previous point's portfolio stands in, marked feasible).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pfund.errors import InvalidInput, Problem
from pfund.portfolio.earmarks import scaled_caps
from pfund.portfolio.parallel import Mapper, serial_map
from pfund.portfolio.problem import BoolArray, LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers import Solver, get_solver
from pfund.portfolio.solvers.base import batch_deadline, batch_limit, unsolved

__all__ = ["BudgetPoint", "EquityPoint", "budget_frontier", "equity_frontier"]


@dataclass(frozen=True, eq=False)
class BudgetPoint:
    """One point of the value-for-money curve."""

    factor: float
    budget: tuple[float, ...]
    value: float
    cost: float
    status: Status
    gap: float
    selected: BoolArray
    # The curve's deadline left this point no solve of its own: the previous point's
    # portfolio stands in (status feasible), or with none there is no portfolio.
    unsolved: bool = False


@dataclass(frozen=True, eq=False)
class EquityPoint:
    """One non-dominated (value, equity) portfolio."""

    epsilon: float
    value: float
    equity: float
    status: Status
    gap: float
    selected: BoolArray


def budget_frontier(
    problem: PortfolioProblem,
    *,
    points: int = 31,
    solver: Solver | None = None,
    time_limit: float = 10.0,
    progress: Callable[[int, int], None] | None = None,
    mapper: Mapper | None = None,
    total_time: float | None = None,
) -> list[BudgetPoint]:
    """Value at budgets scaled by factors from 0 to the level funding everything."""
    deadline = batch_deadline(total_time)
    solver = solver or get_solver()
    factors = [float(f) for f in np.linspace(0.0, _full_factor(problem), max(points, 2))]
    scaled = []
    for factor in factors:
        budget = problem.budget.copy()
        budget[np.isfinite(budget)] *= factor
        # earmark caps follow the money at this budget (pfund.portfolio.earmarks)
        caps = scaled_caps(problem.spend_caps, factor)
        # a region's cap is a share of the budget (policy.region_max_share x total)
        regions = {r: cap * factor for r, cap in problem.region_cap.items()}
        scaled.append(problem.with_changes(budget=budget, spend_caps=caps, region_cap=regions))
    k = len(scaled)
    solutions = (mapper or serial_map)(
        _solve, [solver] * k, scaled, [time_limit] * k, [None] * k, [deadline] * k
    )
    out: list[BudgetPoint] = []
    for factor, one, sol in zip(factors, scaled, solutions, strict=True):
        out.append(_budget_point(problem, factor, one, sol, out[-1] if out else None))
        if progress is not None:
            progress(len(out), k)
    return out


def _solve(
    solver: Solver,
    problem: PortfolioProblem,
    time_limit: float,
    extra: list[LinearConstraint] | None,
    deadline: float | None = None,
) -> Solution:
    """One point's solve (top-level, so a worker process can run it), cut to what is left
    before the curve's `deadline`."""
    limit = batch_limit(time_limit, deadline)
    if limit <= 0.0:
        return unsolved(solver, problem.n)
    return solver.solve(problem, time_limit=limit, threads=1, extra=extra)


def _full_factor(problem: PortfolioProblem) -> float:
    """The factor at which every finite budget covers the cost of all projects."""
    finite = np.isfinite(problem.budget)
    need = problem.cost.sum(axis=0)[finite]
    have = problem.budget[finite]
    ratios = [n / h if h > 0 else 1.0 for n, h in zip(need, have, strict=True)]
    return float(max(ratios, default=1.0)) or 1.0


def _budget_point(
    problem: PortfolioProblem,
    factor: float,
    scaled: PortfolioProblem,
    sol: Solution,
    prev: BudgetPoint | None,
) -> BudgetPoint:
    selected, status, gap = sol.selected, sol.status, sol.gap
    kept = prev is not None and prev.status in (Status.OPTIMAL, Status.FEASIBLE)
    if prev is not None and kept and (not sol.has_portfolio or sol.objective < prev.value):
        selected, status, gap = prev.selected, Status.FEASIBLE, prev.gap
    value = problem.portfolio_value(selected) if status is not Status.INFEASIBLE else float("nan")
    return BudgetPoint(
        factor=factor,
        budget=tuple(float(b) for b in scaled.budget),
        value=value,
        cost=float(problem.total_cost[selected].sum()),
        status=status,
        gap=gap,
        selected=selected,
        unsolved=sol.timed_out and not sol.has_portfolio,
    )


def equity_frontier(
    problem: PortfolioProblem,
    *,
    points: int = 21,
    solver: Solver | None = None,
    time_limit: float = 10.0,
    mapper: Mapper | None = None,
    total_time: float | None = None,
) -> list[EquityPoint]:
    """Non-dominated (value, equity) portfolios by the epsilon-constraint method."""
    deadline = batch_deadline(total_time)
    if problem.equity is None:
        raise InvalidInput(
            "no second objective", [Problem("set equity to trace this frontier", field="equity")]
        )
    solver = solver or get_solver()
    equity = problem.equity
    best_value, best_equity = (mapper or serial_map)(
        _solve,
        [solver] * 2,
        [problem, problem.with_changes(value=equity)],
        [time_limit] * 2,
        [None] * 2,
        [deadline] * 2,
    )
    if not (best_value.has_portfolio and best_equity.has_portfolio):
        return []
    low, high = float(equity @ best_value.selected), float(equity @ best_equity.selected)
    grid = [float(eps) for eps in np.linspace(low, high, max(points, 2))]
    rows = [
        [LinearConstraint(equity, lower=eps - 1e-9 * max(1.0, abs(eps)), name="equity")]
        for eps in grid
    ]
    k = len(grid)
    solutions = (mapper or serial_map)(
        _solve, [solver] * k, [problem] * k, [time_limit] * k, rows, [deadline] * k
    )
    found = [
        EquityPoint(
            eps, sol.objective, float(equity @ sol.selected), sol.status, sol.gap, sol.selected
        )
        for eps, sol in zip(grid, solutions, strict=True)
        if sol.has_portfolio
    ]
    return _non_dominated(found)


def _non_dominated(points: list[EquityPoint]) -> list[EquityPoint]:
    """Drop points another point beats or equals on both objectives (keep the first)."""
    keep: list[EquityPoint] = []
    for p in sorted(points, key=lambda q: (-q.value, -q.equity)):
        if all(p.equity > k.equity + 1e-9 * max(1.0, abs(k.equity)) for k in keep):
            keep.append(p)
    return keep
