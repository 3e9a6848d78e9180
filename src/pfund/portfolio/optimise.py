"""The one call a service makes: solve, compare with greedy, explain infeasibility.

An infeasible problem never raises: the result carries the conflicting rules in words.

`time_limit` is one deadline for the whole call: greedy ranking runs first (the
comparison needs it; seconds at 50,000 projects), the main solve gets the rest (model
building counts), and the conflict search after an infeasible solve gets only what is
left, with a floor of `FOLLOW_UP_FLOOR` of the limit so a conflict can still be named;
the whole call therefore stays within the limit + 10% (issue #18).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from pfund.portfolio.greedy import GreedyComparison, compare_with_greedy, greedy
from pfund.portfolio.infeasible import Conflict, find_conflict
from pfund.portfolio.problem import PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers import Solver, get_solver

__all__ = ["FOLLOW_UP_FLOOR", "PortfolioResult", "optimise"]

FOLLOW_UP_FLOOR = 0.05  # share of the limit a conflict search gets even when none is left


@dataclass(frozen=True)
class PortfolioResult:
    """A solution, how it compares with greedy ranking, and any conflict found."""

    solution: Solution
    versus_greedy: GreedyComparison | None
    conflict: Conflict | None

    @property
    def summary(self) -> str:
        """One paragraph a decision record can quote."""
        s = self.solution
        if s.status is Status.INFEASIBLE and self.conflict is not None:
            return self.conflict.explanation
        if not s.has_portfolio:
            return f"No portfolio: {s.message}"
        count = int(s.selected.sum())
        head = f"{s.status.value} portfolio of {count} projects, value {s.objective:,.6g}"
        gap = f" (proven within {s.gap:.3%})" if s.status is Status.FEASIBLE else ""
        tail = f" {self.versus_greedy.sentence}" if self.versus_greedy else ""
        return f"{head}{gap}.{tail}"


def optimise(
    problem: PortfolioProblem,
    *,
    solver: Solver | str | None = None,
    time_limit: float = 60.0,
    rel_gap: float = 1e-4,
    threads: int | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> PortfolioResult:
    """Solve; then compare with greedy, or find why no portfolio exists, all by one deadline.

    `clock` is injectable so a test can prove the deadline is shared without timing.
    """
    deadline = clock() + time_limit
    engine = solver if isinstance(solver, Solver) else get_solver(solver)
    base = greedy(problem)  # first: milliseconds when small, seconds at 50,000 projects
    left = max(deadline - clock(), 0.0)
    sol = engine.solve(problem, time_limit=left, rel_gap=rel_gap, threads=threads)
    if sol.status is Status.INFEASIBLE:
        left = max(deadline - clock(), FOLLOW_UP_FLOOR * time_limit)
        conflict = find_conflict(
            problem, solver=engine, time_limit=min(5.0, left), total_time=left, clock=clock
        )
        return PortfolioResult(sol, None, conflict)
    versus = compare_with_greedy(problem, sol, base) if sol.has_portfolio else None
    return PortfolioResult(sol, versus, None)
