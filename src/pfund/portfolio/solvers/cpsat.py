"""OR-Tools CP-SAT adapter: the same model in integers.

CP-SAT only takes integer coefficients, so each row and the objective are scaled:
when the numbers are exact decimals with at most six places (and fit), the scaling is
exact; otherwise each row is scaled so its largest coefficient is about 1e9 (nine
significant digits) and rounded conservatively (costs up, limits down), so a portfolio
CP-SAT calls feasible is feasible in floats too. The objective is reported recomputed
in floats; because of rounding it may differ from the float optimum in the last digits.
With several workers, `interleave_search` makes the search order deterministic.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

import numpy as np

from pfund.portfolio.model import Row, column_bounds, rows_of
from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status, relative_gap
from pfund.portfolio.solvers.base import Solver, error_solution

__all__ = ["CpSatSolver", "integer_scale"]

_SEED = 20240601
_TARGET = 1e9  # largest scaled coefficient when the numbers are not exact decimals
_MAX_EXACT = 1e12


class CpSatSolver(Solver):
    """CP-SAT with a portfolio of workers; `deterministic` interleaves them."""

    name = "cpsat"

    def __init__(self, *, deterministic: bool = True) -> None:
        self.deterministic = deterministic

    module = "ortools.sat.python.cp_model"
    distribution = "ortools"
    label = "CP-SAT"

    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        bounds = column_bounds(problem)
        if np.any(bounds.lower > bounds.upper):  # forced in and out: CP-SAT calls it invalid
            return self._solution(problem, None, Status.INFEASIBLE, math.nan, 0.0)
        x = [
            model.new_int_var(int(lo), int(hi), f"x{i}")
            for i, (lo, hi) in enumerate(zip(bounds.lower, bounds.upper, strict=True))
        ]
        for row in rows_of(problem, extra):
            _add_row(model, x, row)
        scale = integer_scale(problem.value)
        model.maximize(cp_model.LinearExpr.weighted_sum(x, _ints(problem.value * scale)))
        solver = cp_model.CpSolver()
        # building the model counts against the limit: CP-SAT's clock starts at solve()
        remaining = max(time_limit - (time.perf_counter() - start), 0.0)
        self._parameters(solver.parameters, remaining, rel_gap, threads)
        if self._report is None:
            code = solver.solve(model)
        else:  # the guard's child: send portfolios to the parent as they are found
            code = solver.solve(model, _reporter(self._report, problem, x, scale))
        return self._result(problem, solver, x, code, scale, start)

    def _parameters(
        self, params: Any, time_limit: float, rel_gap: float, threads: int | None
    ) -> None:
        params.max_time_in_seconds = float(time_limit)
        params.relative_gap_limit = float(rel_gap)
        params.random_seed = _SEED
        params.num_workers = int(threads or 8)
        params.interleave_search = self.deterministic and params.num_workers > 1

    def _result(
        self,
        problem: PortfolioProblem,
        solver: Any,
        x: list[Any],
        code: Any,
        scale: float,
        start: float,
    ) -> Solution:
        from ortools.sat.python import cp_model

        seconds = time.perf_counter() - start
        if code == cp_model.INFEASIBLE:
            return self._solution(problem, None, Status.INFEASIBLE, math.nan, seconds)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            out = error_solution(
                self, problem.n, f"no portfolio found: {solver.status_name(code)}", seconds
            )
            return replace(out, timed_out=code == cp_model.UNKNOWN)
        selected = np.array([solver.value(v) > 0 for v in x], dtype=bool)
        rounding = problem.value - np.round(problem.value * scale) / scale
        bound = solver.best_objective_bound / scale + float(np.clip(rounding, 0, None).sum())
        proven = (
            code == cp_model.OPTIMAL
            or relative_gap(problem.portfolio_value(selected), bound) <= 1e-4
        )
        found = self._solution(
            problem, selected, Status.OPTIMAL if proven else Status.FEASIBLE, bound, seconds
        )
        return replace(found, timed_out=code == cp_model.FEASIBLE and not proven)

    def _solution(
        self, problem: PortfolioProblem, selected: Any, status: Status, bound: float, seconds: float
    ) -> Solution:
        chosen = np.zeros(problem.n, dtype=bool) if selected is None else selected
        objective = problem.portfolio_value(chosen) if selected is not None else math.nan
        return Solution(
            selected=chosen,
            objective=objective,
            bound=bound,
            gap=relative_gap(objective, bound) if selected is not None else math.inf,
            status=status,
            seconds=seconds,
            solver=self.name,
            solver_version=self.version(),
            notes=("values and costs scaled to integers; objective recomputed in floats",),
        )


def integer_scale(numbers: FloatArray) -> float:
    """A factor that makes `numbers` integers: exact for short decimals, else ~1e9 max."""
    biggest = float(np.max(np.abs(numbers), initial=0.0))
    if biggest == 0.0:
        return 1.0
    for places in range(7):
        factor = 10.0**places
        scaled = numbers * factor
        if biggest * factor > _MAX_EXACT:
            break
        if np.all(np.abs(scaled - np.round(scaled)) <= 1e-9 * max(1.0, biggest * factor)):
            return factor
    return _TARGET / biggest


def _ints(arr: FloatArray) -> list[int]:
    return [int(v) for v in np.round(arr)]


def _add_row(model: Any, x: list[Any], row: Row) -> None:
    """Add a row scaled to integers, rounded so the integer row is never looser."""
    from ortools.sat.python import cp_model

    finite = [b for b in (row.lower, row.upper) if math.isfinite(b)]
    scale = integer_scale(np.append(row.coef, finite))
    scaled = row.coef * scale
    variables = [x[i] for i in row.idx]
    if math.isfinite(row.upper):
        coef = [int(c) for c in np.ceil(scaled - 1e-9)]
        model.add(
            cp_model.LinearExpr.weighted_sum(variables, coef)
            <= math.floor(row.upper * scale + 1e-9)
        )
    if math.isfinite(row.lower):
        coef = [int(c) for c in np.floor(scaled + 1e-9)]
        model.add(
            cp_model.LinearExpr.weighted_sum(variables, coef) >= math.ceil(row.lower * scale - 1e-9)
        )


def _reporter(report: Any, problem: PortfolioProblem, x: list[Any], scale: float) -> Any:
    """A CP-SAT solution callback that sends portfolios to the guard's parent.

    At most one every `every` seconds, and always the first (reading 20,000 values in
    Python per solution would slow the search); the bound is CP-SAT's, unscaled and
    widened for rounding as in `_result`. Built here so ortools loads only when used.
    """
    from ortools.sat.python import cp_model

    rounding = problem.value - np.round(problem.value * scale) / scale
    slack = float(np.clip(rounding, 0, None).sum())
    every = 0.25

    class Reporter(cp_model.CpSolverSolutionCallback):
        last = -math.inf

        def on_solution_callback(self) -> None:
            now = time.perf_counter()
            if now - self.last < every:
                return
            self.last = now
            selected = np.array([self.value(v) > 0 for v in x], dtype=bool)
            report(selected, self.best_objective_bound / scale + slack)

    return Reporter()
