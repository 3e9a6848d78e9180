"""HiGHS with a core-problem start (Puchinger, Raidl and Pferschy 2010).

Why: on hard instances HiGHS spends its whole time limit improving weak incumbents,
while the LP relaxation already says which projects are almost surely in or out. The
strategy, for any `PortfolioProblem` and its rows:

1. Solve the LP relaxation of the full model.
2. Rank projects by how far their reduced cost is from zero. Those far from zero keep
   their LP value in every good portfolio with high likelihood; fix them. The *core*
   is every fractional project plus the `core_size` share (20%) of projects with the
   smallest reduced costs.
3. Solve the core (same rows, fixed columns) with CP-SAT for `core_share` of the limit.
   Its portfolio satisfies every rule of the full problem, since only bounds changed.
4. Give that portfolio to the full model as a start (``setSolution``) and solve the
   full model for the rest of the time.

The reported bound is the lower of the full model's and the LP optimum, so "optimal" means proven
optimal for the whole problem and a stopped run states its proven gap. When the core
has no portfolio (fixing broke a share rule, say), the full model runs without a
start, exactly as plain HiGHS. With every solve inside its limit the answer repeats.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from pfund.portfolio.model import column_bounds
from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution
from pfund.portfolio.solvers.cpsat import CpSatSolver
from pfund.portfolio.solvers.highs import HighsSolver

__all__ = ["CoreHighsSolver", "CorePlan"]

BoolArray = npt.NDArray[np.bool_]
_FRACTIONAL = 1e-6


@dataclass(frozen=True, eq=False)
class CorePlan:
    """Column bounds of the core MIP: `free` projects are decided, the rest are fixed.

    `bound` is the LP relaxation's optimum, a proven upper bound for the full problem.
    """

    lower: npt.NDArray[np.float64]
    upper: npt.NDArray[np.float64]
    free: BoolArray
    bound: float = np.inf


class CoreHighsSolver(HighsSolver):
    """Plain HiGHS on the full model, started from the best portfolio of an LP-guided core.

    `core_engine` solves the core: "cpsat" (its search workers find good knapsack
    portfolios fast, and run interleaved so the search repeats) or "highs".
    """

    name = "highs-core"
    label = "HiGHS (core start)"

    def __init__(
        self, *, core_size: float = 0.2, core_share: float = 0.5, core_engine: str = "cpsat"
    ) -> None:
        self.core_size = core_size
        self.core_share = core_share
        self.core_engine = core_engine

    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        plan = self._plan(problem, extra, time_limit, rel_gap, threads)
        incumbent = None
        if plan is not None:
            budget = max(self.core_share * time_limit - _since(start), 0.0)
            incumbent = self._core(problem, extra, plan, budget, rel_gap, threads)
            if incumbent is not None and self._report is not None:  # the guard's child
                self._report(incumbent, plan.bound)
        h = self._model(problem, extra, max(time_limit - _since(start), 0.0), rel_gap, threads)
        if incumbent is not None:
            cols = np.arange(problem.n, dtype=np.int32)
            h.setSolution(problem.n, cols, incumbent.astype(np.float64))
        solution = self._run(h, problem, start)
        return self._better(problem, solution, incumbent, plan, rel_gap, start)

    def _starts(
        self, problem: PortfolioProblem, time_limit: float, rel_gap: float, threads: int | None
    ) -> tuple[list[BoolArray], float]:
        """In `solve_many`, each draw also gets its own core portfolio and LP bound."""
        began = time.perf_counter()
        plan = self._plan(problem, None, time_limit, rel_gap, threads)
        if plan is None:
            return [], np.inf
        budget = max(self.core_share * time_limit - _since(began), 0.0)
        found = self._core(problem, None, plan, budget, rel_gap, threads)
        return ([] if found is None else [found]), plan.bound

    def _plan(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
    ) -> CorePlan | None:
        """Solve the LP relaxation and fix the projects outside the core, or None."""
        import highspy

        h = self._model(problem, extra, time_limit, rel_gap, threads)
        n = problem.n
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        lp = h.getSolution()
        plan = core_plan(problem, np.asarray(lp.col_value), np.asarray(lp.col_dual), self.core_size)
        return replace(plan, bound=float(h.getInfo().objective_function_value))

    def _core(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        plan: CorePlan,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
    ) -> BoolArray | None:
        """The core MIP's best portfolio (valid for the full problem), or None.

        The core is the same problem with the projects outside it forced in or out, so
        any adapter can solve it and its answer obeys every rule of the full problem.
        """
        core = problem.with_changes(
            must_include=frozenset(int(i) for i in np.flatnonzero(plan.lower > 0.5)),
            must_exclude=frozenset(int(i) for i in np.flatnonzero(plan.upper < 0.5)),
        )
        engine = CpSatSolver() if self.core_engine == "cpsat" else HighsSolver()
        found = engine.solve(
            core, time_limit=time_limit, rel_gap=rel_gap, threads=threads, extra=extra
        )
        return found.selected if found.has_portfolio else None

    def _better(
        self,
        problem: PortfolioProblem,
        solution: Solution,
        incumbent: BoolArray | None,
        plan: CorePlan | None,
        rel_gap: float,
        start: float,
    ) -> Solution:
        """The full model's answer settled against the core portfolio and the LP bound."""
        bound = np.inf if plan is None else plan.bound
        settled = self._settle(problem, solution, incumbent, bound, rel_gap, start)
        return replace(settled, notes=(*settled.notes, _note(plan, incumbent)))


def core_plan(
    problem: PortfolioProblem,
    lp_value: npt.NDArray[np.float64],
    reduced_cost: npt.NDArray[np.float64],
    core_size: float,
) -> CorePlan:
    """Free the fractional projects and the `core_size` share closest to zero reduced cost.

    Projects already fixed by the problem (must-include, must-exclude, stage) stay fixed;
    every other project outside the core keeps its LP value rounded to 0 or 1.
    """
    bounds = column_bounds(problem)
    fixed = bounds.lower >= bounds.upper  # forced, or forced both ways (infeasible)
    fractional = (lp_value > _FRACTIONAL) & (lp_value < 1 - _FRACTIONAL) & ~fixed
    size = max(int(np.ceil(core_size * problem.n)), int(fractional.sum()))
    closeness = np.where(fixed, np.inf, np.abs(reduced_cost))
    closeness = np.where(fractional, -1.0, closeness)
    order = np.argsort(closeness, kind="stable")[:size]
    free = np.zeros(problem.n, dtype=bool)
    free[order[np.isfinite(closeness[order])]] = True
    rounded = np.clip(np.round(lp_value), bounds.lower, bounds.upper)
    keep = free | fixed  # the problem's own bounds, conflicts included
    lower = np.where(keep, bounds.lower, rounded)
    upper = np.where(keep, bounds.upper, rounded)
    return CorePlan(lower=lower, upper=upper, free=free)


def _note(plan: CorePlan | None, incumbent: BoolArray | None) -> str:
    if plan is None:
        return "no LP optimum, so no core: full model solved without a start"
    free = int(plan.free.sum())
    if incumbent is None:
        return f"core of {free} projects found no portfolio: full model solved without a start"
    return f"core of {free} of {len(plan.free)} projects solved first; its portfolio started HiGHS"


def _since(start: float) -> float:
    return time.perf_counter() - start
