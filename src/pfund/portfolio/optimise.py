"""The one call a service makes: solve, compare with greedy, explain infeasibility.

An infeasible problem never raises: the result carries the conflicting rules in words.

`time_limit` is one deadline for the whole call: greedy ranking (the comparison needs
it; seconds at 50,000 projects, and measured 22 s at 20,000 on a machine at load 20)
runs in a thread while the solver runs, so the solve gets the whole limit (model
building counts); the answer waits for greedy at most `GREEDY_GRACE` of the limit past
the deadline, and goes without the comparison if greedy is not done by then. The
conflict search after an infeasible solve gets only what is left, with a floor of
`FOLLOW_UP_FLOOR` of the limit so a conflict can still be named; the whole call
therefore stays within the limit + 10% (issue #18).

When the solver is stopped by the limit before it found any portfolio (a guarded solve
killed in a 50,000-project root LP, say), the greedy portfolio is returned instead, when
it keeps every rule: marked as greedy's (solver "greedy", `timed_out`, no bound, unknown
gap) and said so in the summary, never passed off as optimised.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from pfund.portfolio.greedy import GreedyComparison, compare_with_greedy, greedy
from pfund.portfolio.infeasible import Conflict, find_conflict
from pfund.portfolio.model import column_bounds, rows_of
from pfund.portfolio.problem import PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers import Solver, get_solver

__all__ = ["FOLLOW_UP_FLOOR", "GREEDY_FALLBACK", "GREEDY_GRACE", "PortfolioResult", "optimise"]

FOLLOW_UP_FLOOR = 0.05  # share of the limit a conflict search gets even when none is left
GREEDY_GRACE = 0.03  # share of the limit the answer waits for greedy past the deadline
NO_GREEDY = "greedy ranking did not finish within the time limit, so it is not compared"
GREEDY_FALLBACK = "the solver found no portfolio within the time limit; greedy ranking's instead"


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
        projects = f"{count} project{'s' * (count != 1)}"
        if s.solver == "greedy":
            return (
                f"Greedy ranking's portfolio of {projects}, value {s.objective:,.6g}: "
                "the solver found no portfolio within the time limit, so this one is not "
                "optimised and how far it is from the best is unknown."
            )
        head = f"{s.status.value} portfolio of {projects}, value {s.objective:,.6g}"
        gap = f" (proven within {s.gap:.3%})" if s.status is Status.FEASIBLE else ""
        stop = (
            " Stopped at the time limit: the best portfolio found by then." if s.timed_out else ""
        )
        tail = f" {self.versus_greedy.sentence}" if self.versus_greedy else ""
        return f"{head}{gap}.{stop}{tail}"


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
    ranked: list[tuple[Solution, bool]] = []  # greedy's answer, and whether it keeps every rule

    def rank() -> None:
        base = greedy(problem)
        ranked.append((base, _keeps_rules(problem, base)))  # checked before the deadline too

    # a daemon thread: one that is still ranking at the deadline is left behind, and its
    # answer dropped, rather than holding the call (or the process at exit)
    ranking = threading.Thread(target=rank, daemon=True)
    ranking.start()
    left = max(deadline - clock(), 0.0)
    sol = engine.solve(problem, time_limit=left, rel_gap=rel_gap, threads=threads)
    if sol.status is Status.INFEASIBLE:
        left = max(deadline - clock(), FOLLOW_UP_FLOOR * time_limit)
        conflict = find_conflict(
            problem, solver=engine, time_limit=min(5.0, left), total_time=left, clock=clock
        )
        return PortfolioResult(sol, None, conflict)
    ranking.join(max(deadline + GREEDY_GRACE * time_limit - clock(), 0.0))
    if not ranked:
        return PortfolioResult(replace(sol, notes=(*sol.notes, NO_GREEDY)), None, None)
    base, valid = ranked[0]
    if sol.timed_out and not sol.has_portfolio and valid:
        fallback = replace(
            base,
            bound=float("nan"),
            gap=float("inf"),
            seconds=sol.seconds,
            message=GREEDY_FALLBACK,
            notes=(*base.notes, f"{sol.solver}: {sol.message}"),
            timed_out=True,
        )
        return PortfolioResult(fallback, None, None)
    versus = compare_with_greedy(problem, sol, base) if sol.has_portfolio else None
    return PortfolioResult(sol, versus, None)


def _keeps_rules(problem: PortfolioProblem, base: Solution) -> bool:
    """Greedy's portfolio obeys every bound and row (checked, not assumed)."""
    if base.status is not Status.FEASIBLE:
        return False
    x = base.selected.astype(np.float64)
    bounds = column_bounds(problem)
    if np.any(x < bounds.lower) or np.any(x > bounds.upper):
        return False
    tol = 1e-6
    return all(
        row.lower - tol * max(1.0, abs(row.lower)) <= row.activity(base.selected)
        and row.activity(base.selected) <= row.upper + tol * max(1.0, abs(row.upper))
        for row in rows_of(problem)
    )
