"""The one call a service makes: solve, compare with greedy, explain infeasibility.

An infeasible problem never raises: the result carries the conflicting rules in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from pfund.portfolio.greedy import GreedyComparison, compare_with_greedy
from pfund.portfolio.infeasible import Conflict, find_conflict
from pfund.portfolio.problem import PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers import Solver, get_solver

__all__ = ["PortfolioResult", "optimise"]


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
) -> PortfolioResult:
    """Solve; then compare with greedy, or find why no portfolio exists."""
    engine = solver if isinstance(solver, Solver) else get_solver(solver)
    sol = engine.solve(problem, time_limit=time_limit, rel_gap=rel_gap, threads=threads)
    if sol.status is Status.INFEASIBLE:
        return PortfolioResult(sol, None, find_conflict(problem, solver=engine))
    versus = compare_with_greedy(problem, sol) if sol.has_portfolio else None
    return PortfolioResult(sol, versus, None)
