"""HiGHS MILP adapter: binary x_i, one sparse row per budget, share, cap and link.

Forced projects (must-include, must-exclude, stage) are fixed by column bounds, so
presolve removes them. HiGHS is deterministic for a fixed seed and thread count; a run
cut short by the time limit depends on machine speed, as with any solver.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from pfund.portfolio.model import Row, column_bounds, rows_of
from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status, relative_gap
from pfund.portfolio.solvers.base import Solver, error_solution
from pfund.portfolio.solvers.rounding import lp_rounding

__all__ = ["HighsSolver", "best_start"]

BoolArray = npt.NDArray[np.bool_]
_SEED = 20240601
# Measured (HiGHS 1.16, 1 thread): on a 20,000-project synthetic pipeline the root cut
# loop ran 53 s past a 10 s limit without reaching a point where HiGHS checks its clock
# or calls back; at 10,000 the overrun was under 1 s. From this size a solve runs in a
# child process that is stopped at the limit (+ _GRACE), keeping the best portfolio
# HiGHS reported on the way.
GUARD_FROM = 5000
_GRACE = 0.05  # share of the limit given to the child to stop on its own and report


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
        if problem.n >= self.guard_from:
            return self._guarded(problem, extra, time_limit, rel_gap, threads, start)
        h = self._model(problem, extra, time_limit, rel_gap, threads)
        # building the model counts against the limit: HiGHS's clock starts at run()
        h.setOptionValue("time_limit", max(time_limit - _since(start), 0.0))
        return self._run(h, problem, start)

    guard_from: int = GUARD_FROM

    def _guarded(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        """Solve in a child process and stop it at the limit, whatever HiGHS is doing.

        The child sends every improving portfolio with HiGHS's bound at that moment, then
        its final answer; a child still busy at `time_limit * (1 + _GRACE)` is killed and
        the last portfolio it sent is returned as FEASIBLE. A run that ends in time gives
        the same answer as an in-process solve.
        """
        stop_at = time.monotonic() + time_limit - _since(start)
        child = subprocess.Popen(
            [sys.executable, "-m", "pfund.portfolio.solvers.guard"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        assert child.stdin is not None and child.stdout is not None
        inbox = Connection(os.dup(child.stdout.fileno()), writable=False)
        child.stdout.close()
        hard_stop = start + time_limit * (1 + _GRACE)
        best: BoolArray | None = None
        bound = np.inf
        final: Solution | None = None
        try:
            pickle.dump((problem, extra, stop_at, rel_gap, threads), child.stdin)
            child.stdin.close()
            while final is None:
                wait = hard_stop - time.perf_counter()
                if wait <= 0 or not inbox.poll(wait):
                    break
                kind, payload = inbox.recv()
                if kind == "final":
                    final = payload
                else:
                    x, said = payload
                    bound = min(bound, said)  # the LP's bound can beat HiGHS's early one
                    if best is None or problem.portfolio_value(x) > problem.portfolio_value(best):
                        best = x
        except (EOFError, OSError):
            pass
        finally:
            if child.poll() is None:
                child.kill()
            child.wait()
            inbox.close()
        if final is not None and (final.status is Status.INFEASIBLE or best is None):
            return replace(final, seconds=_since(start))
        if best is None:
            why = (
                "no portfolio found before the time limit"
                if child.returncode in (0, -9)
                else f"the solver process ended without an answer (exit {child.returncode})"
            )
            return error_solution(self, problem.n, why, _since(start))
        if final is not None:
            return self._settle(problem, final, best, bound, rel_gap, start)
        value = problem.portfolio_value(best)
        proven = relative_gap(value, bound) <= rel_gap
        status = Status.OPTIMAL if proven else Status.FEASIBLE
        result = _result(self, problem, best, status, bound, start)
        return replace(result, message="stopped at the time limit")

    def solve_many(
        self,
        problem: PortfolioProblem,
        values: FloatArray,
        *,
        time_limit: float,
        rel_gap: float = 1e-4,
        threads: int | None = None,
    ) -> list[Solution]:
        """Keep one model, change only the objective, warm-start every draw.

        Every portfolio found so far satisfies the unchanged rules, so each is a valid
        start for the next draw; the one worth most under the new values is given to
        HiGHS (with `_starts` adding any strategy-specific candidates).
        """
        h = self._model(problem, None, time_limit, rel_gap, threads)
        lp = self._relaxation(problem, time_limit, rel_gap, threads)
        cols = np.arange(problem.n, dtype=np.int32)
        out: list[Solution] = []
        pool: list[BoolArray] = []
        for row in np.asarray(values, dtype=np.float64):
            start = time.perf_counter()
            draw = problem.with_changes(value=row)
            own, bound = self._starts(draw, time_limit, rel_gap, threads)
            lp_bound, rounded = _lp_start(lp, draw)
            best = best_start([*pool, *own, *rounded], row)
            bound = min(bound, lp_bound)
            h.changeColsCost(problem.n, cols, row)
            h.setOptionValue("time_limit", max(time_limit - _since(start), 0.0))
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
        if solution.status is Status.INFEASIBLE:
            return solution
        chosen = solution.selected if solution.has_portfolio else None
        if incumbent is not None and (
            chosen is None or problem.portfolio_value(incumbent) > solution.objective
        ):
            chosen = incumbent
        if chosen is None:
            return solution
        best_bound = float(np.nanmin([solution.bound, bound]))
        value = problem.portfolio_value(chosen)
        proven = solution.status is Status.OPTIMAL and chosen is solution.selected
        status = Status.OPTIMAL if proven or relative_gap(value, best_bound) <= rel_gap else None
        result = _result(self, problem, chosen, status or Status.FEASIBLE, best_bound, start)
        return replace(result, notes=solution.notes)

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

        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        ms = highspy.HighsModelStatus
        if status in (ms.kInfeasible, ms.kUnboundedOrInfeasible):
            return _result(self, problem, None, Status.INFEASIBLE, np.nan, start)
        if info.primal_solution_status != 2:
            reason = h.modelStatusToString(status)
            return error_solution(self, problem.n, f"no portfolio found: {reason}", _since(start))
        x = np.asarray(h.getSolution().col_value) > 0.5
        optimal = status == ms.kOptimal
        return _result(
            self,
            problem,
            x,
            Status.OPTIMAL if optimal else Status.FEASIBLE,
            float(info.mip_dual_bound),
            start,
        )


def guarded_child(stdin: Any, outbox: Connection) -> None:
    """The child of `HighsSolver._guarded`: solve, sending each improvement, then the end.

    Run as ``python -m pfund.portfolio.solvers.guard`` (not a multiprocessing child,
    which would import the caller's main module: the whole CLI, seconds under load).
    """
    problem, extra, stop_at, rel_gap, threads = pickle.load(stdin)
    solver = HighsSolver()
    start = time.perf_counter()
    h = solver._model(problem, extra, 1.0, rel_gap, threads)
    lp = solver._model(problem, extra, 1.0, rel_gap, threads)
    n = problem.n
    lp.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    lp.setOptionValue("time_limit", max(stop_at - time.monotonic(), 0.0))
    bound, rounded = _lp_start(lp, problem, extra)
    del lp
    if rounded:
        # first answer within seconds: the LP rounded and filled, with the LP bound
        outbox.send(("incumbent", (rounded[0], bound)))
        h.setSolution(n, np.arange(n, dtype=np.int32), rounded[0].astype(np.float64))
    h.setOptionValue("time_limit", max(stop_at - time.monotonic(), 0.0))

    def improved(event: Any) -> None:
        out = event.data_out
        x = np.asarray(out.mip_solution)[: problem.n] > 0.5
        outbox.send(("incumbent", (x, float(out.mip_dual_bound))))

    h.cbMipImprovingSolution.subscribe(improved)
    outbox.send(("final", solver._run(h, problem, start)))
    outbox.close()


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


def best_start(candidates: list[BoolArray], value: FloatArray) -> BoolArray | None:
    """The candidate portfolio worth most under `value` (the first on ties), or None."""
    if not candidates:
        return None
    worth = np.asarray(candidates, dtype=np.float64) @ value
    return candidates[int(np.argmax(worth))]


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
    selected = np.zeros(problem.n, dtype=bool) if x is None else x
    objective = problem.portfolio_value(selected) if x is not None else float("nan")
    gap = relative_gap(objective, bound) if x is not None else float("inf")
    return Solution(
        selected=selected,
        objective=objective,
        bound=bound if x is not None else float("nan"),
        gap=gap,
        status=status,
        seconds=_since(start),
        solver=solver.name,
        solver_version=solver.version(),
    )


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
