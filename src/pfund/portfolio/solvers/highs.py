"""HiGHS MILP adapter: binary x_i, one sparse row per budget, share, cap and link.

Forced projects (must-include, must-exclude, stage) are fixed by column bounds, so
presolve removes them. HiGHS is deterministic for a fixed seed and thread count; a run
cut short by the time limit depends on machine speed, as with any solver.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from pfund.portfolio.model import Row, column_bounds, rows_of
from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers.base import (
    Report,
    Solver,
    batch_limit,
    best_start,
    error_solution,
    unsolved,
)
from pfund.portfolio.solvers.guard import GUARD_FROM as _GUARD_FROM
from pfund.portfolio.solvers.guard import portfolio, settle
from pfund.portfolio.solvers.rounding import lp_rounding

__all__ = ["HighsSolver", "best_start"]

BoolArray = npt.NDArray[np.bool_]
_SEED = 20240601
# From `guard.GUARD_FROM` projects a solve runs behind the guard (see `guard.py`: on a
# 20,000-project pipeline HiGHS's root cut loop ran 53 s past a 10 s limit); its child
# first sends the rounded LP with the LP bound, so a child killed in the root cut loop
# has already given a portfolio.
GUARD_FROM = _GUARD_FROM


class HighsSolver(Solver):
    """Branch-and-cut through highspy; the default (see `pfund.portfolio.solvers`)."""

    name = "highs"

    module = "highspy"
    distribution = "highspy"
    label = "HiGHS"

    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        h = self._model(problem, extra, time_limit, rel_gap, threads)
        if self._hint is not None:  # the guard's child: the rounded LP it already sent
            h.setSolution(problem.n, np.arange(problem.n, dtype=np.int32), self._hint)
        # building the model counts against the limit: HiGHS's clock starts at run()
        h.setOptionValue("time_limit", max(time_limit - _since(start), 0.0))
        return self._run(h, problem, start)

    _hint: npt.NDArray[np.float64] | None = None

    def child_solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        stop_at: float,
        rel_gap: float,
        threads: int | None,
        report: Report,
    ) -> Solution:
        """In the guard's child: first the LP relaxation rounded and filled, sent with the
        LP bound within seconds (HiGHS's root cut loop may then call nothing back for
        longer than the limit), and given to HiGHS as its start (or the warm start the
        guard was given, when that is worth more); then the solve."""
        lp = self._model(problem, extra, 1.0, rel_gap, threads)
        n = problem.n
        lp.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        lp.setOptionValue("time_limit", max(stop_at - time.monotonic(), 0.0))
        bound, rounded = _lp_start(lp, problem, extra)
        del lp
        if rounded:
            report(rounded[0], bound)
        hint = best_start(
            [*rounded, *([] if self._start is None else [self._start])], problem.value
        )
        if hint is not None and type(self) is HighsSolver:  # the others: their own starts
            self._hint = hint.astype(np.float64)
        return super().child_solve(problem, extra, stop_at, rel_gap, threads, report)

    def solve_many(
        self,
        problem: PortfolioProblem,
        values: FloatArray,
        *,
        time_limit: float,
        rel_gap: float = 1e-4,
        threads: int | None = None,
        deadline: float | None = None,
        base: BoolArray | None = None,
    ) -> list[Solution]:
        """Keep one model, change only the objective, warm-start every draw.

        Every portfolio found so far satisfies the unchanged rules, so each is a valid
        start for the next draw; the one worth most under the new values is given to
        HiGHS (with `_starts` adding any strategy-specific candidates). Each draw gets
        `time_limit`, cut to what is left before `deadline` (epoch seconds); `base` (the
        decided portfolio) is one more start. From `guard_from` projects every draw is a
        guarded solve of its own instead (no warm model, but no draw can overrun its
        limit), still started from the best of `base` and the draws before it.
        """
        if problem.n >= self.guard_from:
            return super().solve_many(
                problem,
                values,
                time_limit=time_limit,
                rel_gap=rel_gap,
                threads=threads,
                deadline=deadline,
                base=base,
            )
        h = self._model(problem, None, time_limit, rel_gap, threads)
        lp = self._relaxation(problem, time_limit, rel_gap, threads)
        cols = np.arange(problem.n, dtype=np.int32)
        out: list[Solution] = []
        pool: list[BoolArray] = [] if base is None else [np.asarray(base, dtype=bool)]
        for row in np.asarray(values, dtype=np.float64):
            start = time.perf_counter()
            limit = batch_limit(time_limit, deadline)
            if limit <= 0.0:
                out.append(unsolved(self, problem.n))
                continue
            draw = problem.with_changes(value=row)
            own, bound = self._starts(draw, limit, rel_gap, threads)
            lp_bound, rounded = _lp_start(lp, draw)
            best = best_start([*pool, *own, *rounded], row)
            bound = min(bound, lp_bound)
            h.changeColsCost(problem.n, cols, row)
            h.setOptionValue("time_limit", max(limit - _since(start), 0.0))
            if best is not None:
                h.setSolution(problem.n, cols, best.astype(np.float64))
            out.append(self._settle(draw, self._run(h, draw, start), best, bound, rel_gap, start))
            if out[-1].has_portfolio:
                pool.append(out[-1].selected)
        return out

    def _relaxation(
        self, problem: PortfolioProblem, time_limit: float, rel_gap: float, threads: int | None
    ) -> Any:
        """The LP relaxation, kept so each draw re-solves it from the last basis (ms)."""
        lp = self._model(problem, None, time_limit, rel_gap, threads)
        n = problem.n
        lp.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        return lp

    def _starts(
        self, problem: PortfolioProblem, time_limit: float, rel_gap: float, threads: int | None
    ) -> tuple[list[BoolArray], float]:
        """Extra start candidates for one draw and a proven upper bound (none here)."""
        del problem, time_limit, rel_gap, threads
        return [], np.inf

    def _settle(
        self,
        problem: PortfolioProblem,
        solution: Solution,
        incumbent: BoolArray | None,
        bound: float,
        rel_gap: float,
        start: float,
    ) -> Solution:
        """The better of HiGHS's answer and a known valid `incumbent`, with the best bound.

        A run stopped before HiGHS took the start (or before its root LP) still returns
        the start; `bound` (an LP optimum, say) tightens a weak dual bound. "optimal"
        needs HiGHS's proof of its own answer or a gap within `rel_gap`.
        """
        return settle(self, problem, solution, incumbent, bound, rel_gap, start)

    def _model(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
    ) -> Any:
        import highspy

        h = _quiet_highs()
        for key, val in _options(time_limit, rel_gap, threads).items():
            h.setOptionValue(key, val)
        bounds = column_bounds(problem)
        n = problem.n
        h.addCols(n, problem.value, bounds.lower, bounds.upper, 0, [], [], [])
        h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.full(n, 1, dtype=np.uint8))
        _add_rows(h, rows_of(problem, extra))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return h

    def _run(self, h: Any, problem: PortfolioProblem, start: float) -> Solution:
        import highspy

        report = self._report
        if report is not None:  # the guard's child: every improving portfolio to the parent

            def improved(event: Any) -> None:
                out = event.data_out
                report(np.asarray(out.mip_solution)[: problem.n] > 0.5, float(out.mip_dual_bound))

            h.cbMipImprovingSolution.subscribe(improved)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        ms = highspy.HighsModelStatus
        if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
            return _result(self, problem, None, Status.INFEASIBLE, np.nan, start)
        stopped = status in (ms.kTimeLimit, ms.kInterrupt)
        if info.primal_solution_status != 2:
            reason = h.modelStatusToString(status)
            out = error_solution(self, problem.n, f"no portfolio found: {reason}", _since(start))
            return replace(out, timed_out=stopped)
        x = np.asarray(h.getSolution().col_value) > 0.5
        optimal = status == ms.kOptimal
        found = _result(
            self,
            problem,
            x,
            Status.OPTIMAL if optimal else Status.FEASIBLE,
            float(info.mip_dual_bound),
            start,
        )
        return replace(found, timed_out=stopped)


def _lp_start(
    lp: Any, problem: PortfolioProblem, extra: list[LinearConstraint] | None = None
) -> tuple[float, list[BoolArray]]:
    """Re-solve the kept LP under the draw's values: its optimum bounds the draw, and
    its rounding (when valid) is one more start candidate."""
    import highspy

    n = problem.n
    lp.changeColsCost(n, np.arange(n, dtype=np.int32), problem.value)
    lp.run()
    if lp.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return float(np.inf), []
    sol = lp.getSolution()
    rounded = lp_rounding(problem, np.asarray(sol.col_value), np.asarray(sol.col_dual), extra)
    bound = float(lp.getInfo().objective_function_value)
    return bound, [] if rounded is None else [rounded]


def _options(time_limit: float, rel_gap: float, threads: int | None) -> dict[str, Any]:
    opts: dict[str, Any] = {
        "output_flag": False,
        "time_limit": float(time_limit),
        "mip_rel_gap": float(rel_gap),
        "random_seed": _SEED,
        "mip_feasibility_tolerance": 1e-7,
    }
    first = _PROCESS_THREADS.setdefault("threads", int(threads or 0))  # 0: HiGHS decides
    if threads is not None and first == threads:
        opts["threads"] = int(threads)
    return opts


# HiGHS starts one task scheduler per process and refuses a later solve that asks for
# another thread count ("no portfolio found: Not Set"); the first count asked for stays.
_PROCESS_THREADS: dict[str, int] = {}


def _add_rows(h: Any, rows: list[Row]) -> None:
    if not rows:
        return
    starts = np.cumsum([0] + [len(r.idx) for r in rows[:-1]]).astype(np.int32)
    idx = np.concatenate([r.idx for r in rows]).astype(np.int32)
    coef = np.concatenate([r.coef for r in rows]).astype(np.float64)
    lower = np.array([r.lower for r in rows], dtype=np.float64)
    upper = np.array([r.upper for r in rows], dtype=np.float64)
    h.addRows(len(rows), lower, upper, len(idx), starts, idx, coef)


def _result(
    solver: Solver,
    problem: PortfolioProblem,
    x: np.ndarray[Any, np.dtype[np.bool_]] | None,
    status: Status,
    bound: float,
    start: float,
) -> Solution:
    return portfolio(solver, problem, x, status, bound, start)


def _since(start: float) -> float:
    return time.perf_counter() - start


def _quiet_highs() -> Any:
    """A new HiGHS instance without its banner on the C-level stdout.

    HiGHS prints its licence banner when the first instance is created, before any option
    can turn output off; on stdout it would corrupt ``--json`` output.
    """
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            return highspy.Highs()  # type: ignore[no-untyped-call]
    finally:
        os.dup2(saved, 1)
        os.close(saved)
