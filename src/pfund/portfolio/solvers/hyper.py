"""HiGHS on the full model, and at the same time on the best cardinality hyperplanes.

Why: HiGHS's branch-and-cut keeps about one core busy whatever its thread count, and on
hard knapsack-like portfolios its 10-second answers are limited by the incumbents it
finds, not by its proof. The number of chosen projects k is an integer; the LP
relaxation with the extra row ``sum x = k`` bounds every portfolio with k projects
(Vasquez and Hao 2001; Vimont, Boussier and Vasquez 2008). Restricted to the few ks
whose LP bound is highest, the model is much tighter, and HiGHS finds better
portfolios there than in the full model. So, for any `PortfolioProblem`:

1. A second process (spawned, one HiGHS thread) solves the LP relaxation with a free
   cardinality row, walks k to the k* with the best LP bound f(k*), and solves the MIP
   restricted to ``k* - width <= sum x <= k* + width`` until the deadline.
2. This process meanwhile solves the full model exactly as plain HiGHS does.
3. The answer is the better portfolio of the two. Both obey every rule of the problem
   (the restricted model only adds a row), so either is valid.

Honest bound: the full model's dual bound, and also the restricted model's dual bound
combined with the hyperplanes left out. f is concave in k (the value of an LP as a
function of a right-hand side), so every k outside the range has f(k) at most
max(f(k* - width - 1), f(k* + width + 1)); the larger of that and the restricted dual
bound is an upper bound for the whole problem. "optimal" is claimed only when the full
model proves it or the best of these bounds is within ``rel_gap`` of the portfolio.

Without a second core (``threads=1``, or inside a daemonic worker process that cannot
start children) the same two steps run one after the other: the restricted model for
`share` of the limit, then the full model started from its portfolio. `solve_many`
(the robustness draws, one thread each) is plain HiGHS's. Each solve is deterministic
when it ends inside its limit, as for plain HiGHS.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import numpy.typing as npt

from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers.highs import HighsSolver

__all__ = ["HyperplaneHighsSolver", "Hyperplanes", "hyperplanes"]

BoolArray = npt.NDArray[np.bool_]
_GRACE = 1.0  # seconds the restricted run may overrun the deadline (start-up, model copy)


@dataclass(frozen=True)
class Hyperplanes:
    """The cardinality range to search and the LP bounds that make the result honest.

    `lower`..`upper` is the range of k searched; `outside` bounds every portfolio whose
    k lies outside it (-inf when no such k is feasible); `lp` is the LP optimum.
    """

    lower: int
    upper: int
    outside: float
    lp: float


@dataclass(frozen=True, eq=False)
class Restricted:
    """What the restricted run returns: its portfolio (or None) and a proven bound."""

    selected: BoolArray | None
    bound: float  # upper bound over the whole problem (range dual bound and outside ks)
    note: str


class HyperplaneHighsSolver(HighsSolver):
    """Plain HiGHS on the full model, raced against HiGHS on the best cardinality range."""

    name = "highs-hyper"
    label = "HiGHS (cardinality hyperplanes)"

    def __init__(self, *, width: int = 1, share: float = 0.5, parallel: bool = True) -> None:
        self.width = width
        self.share = share  # of the limit for the restricted model when run sequentially
        self.parallel = parallel

    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        child = self._spawn(problem, extra, time_limit, rel_gap, threads)
        if child is None:
            return self._sequential(problem, extra, time_limit, rel_gap, threads, start)
        process, conn = child
        try:
            remaining = max(time_limit - _since(start), 0.0)
            h = self._model(problem, extra, remaining, rel_gap, threads)
            full = self._run(h, problem, start)
            if full.status in (Status.OPTIMAL, Status.INFEASIBLE):
                return replace(full, notes=(*full.notes, "full model settled it first"))
            deadline = max(time_limit - _since(start), 0.0) + _GRACE
            found = conn.recv() if conn.poll(deadline) else None
        finally:
            _stop(process, conn)
        if not isinstance(found, Restricted):
            note = "the hyperplane run gave no answer in time"
            return replace(full, notes=(*full.notes, note))
        return self._combine(problem, full, found, rel_gap, start)

    def _spawn(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
    ) -> tuple[Any, Connection] | None:
        """Start the restricted run in its own process, or None to run sequentially.

        Spawned (not forked): this process may hold HiGHS's running task scheduler.
        """
        cores = os.cpu_count() or 1
        if not self.parallel or (threads or cores) < 2 or cores < 2:
            return None
        if mp.current_process().daemon:  # a pool worker may not have children
            return None
        try:
            ctx = mp.get_context("spawn")
            receive, send = ctx.Pipe(duplex=False)
            deadline = time.time() + time_limit
            args = (send, problem, extra, deadline, rel_gap, self.width)
            process = ctx.Process(target=_restricted_child, args=args, daemon=True)
            process.start()
            send.close()
        except Exception:  # no process could start here: fall back to one after the other
            return None
        return process, receive

    def _sequential(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        """Restricted model for `share` of the limit, then the full model from its portfolio."""
        found = restricted_run(
            problem, extra, self.share * time_limit, rel_gap, self.width, threads
        )
        h = self._model(problem, extra, max(time_limit - _since(start), 0.0), rel_gap, threads)
        if found.selected is not None:
            cols = np.arange(problem.n, dtype=np.int32)
            h.setSolution(problem.n, cols, found.selected.astype(np.float64))
        full = self._run(h, problem, start)
        if full.status is Status.INFEASIBLE:
            return full
        return self._combine(problem, full, found, rel_gap, start)

    def _combine(
        self,
        problem: PortfolioProblem,
        full: Solution,
        found: Restricted,
        rel_gap: float,
        start: float,
    ) -> Solution:
        """The better portfolio of the two runs, with the tightest proven bound."""
        settled = self._settle(problem, full, found.selected, found.bound, rel_gap, start)
        return replace(settled, notes=(*settled.notes, found.note))


def hyperplanes(
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    width: int,
    threads: int | None,
    time_limit: float,
) -> Hyperplanes | None:
    """Walk the LP bound f(k) from the relaxation's own count to its best k*.

    f is concave, so the walk climbs until f drops, and the bounds just outside the
    range bound every k beyond it. None when the relaxation has no optimum.
    """
    lp = _relaxation(problem, extra, threads, time_limit)
    lp.run()
    if not _optimal(lp):
        return None
    lp_value = float(lp.getInfo().objective_function_value)
    count = float(np.sum(lp.getSolution().col_value))
    row = lp.getNumRow() - 1
    cache: dict[int, float] = {}

    def f(k: int) -> float:
        if k not in cache:
            if k < 0 or k > problem.n:
                cache[k] = -np.inf
            else:
                lp.changeRowBounds(row, float(k), float(k))
                lp.run()
                ok = _optimal(lp)
                cache[k] = float(lp.getInfo().objective_function_value) if ok else -np.inf
        return cache[k]

    best = int(np.floor(count))
    if f(best + 1) > f(best):
        best += 1
    step = 1 if best > int(np.floor(count)) else -1
    while f(best + step) > f(best):
        best += step
    lower, upper = max(best - width, 0), min(best + width, problem.n)
    outside = max(f(lower - 1), f(upper + 1))
    return Hyperplanes(lower=lower, upper=upper, outside=outside, lp=lp_value)


def restricted_run(
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    time_limit: float,
    rel_gap: float,
    width: int,
    threads: int | None,
) -> Restricted:
    """The best portfolio of the model restricted to the best hyperplanes, and a bound."""
    began = time.perf_counter()
    planes = hyperplanes(problem, extra, width, threads, time_limit)
    if planes is None:
        return Restricted(None, np.inf, "no LP optimum, so no hyperplanes")
    h = _with_count_row(HighsSolver()._model(problem, extra, time_limit, rel_gap, threads))
    h.changeRowBounds(h.getNumRow() - 1, float(planes.lower), float(planes.upper))
    h.setOptionValue("time_limit", max(time_limit - _since(began), 0.0))
    h.run()
    info = h.getInfo()
    infeasible = h.getModelStatus() in _infeasible_statuses()
    inside = -np.inf if infeasible else float(info.mip_dual_bound)
    bound = min(max(inside, planes.outside), planes.lp)
    selected = None
    if info.primal_solution_status == 2:
        selected = np.asarray(h.getSolution().col_value) > 0.5
    count = f"{planes.lower}..{planes.upper} projects"
    if selected is None:
        return Restricted(None, bound, f"hyperplanes {count}: no portfolio found")
    value = problem.portfolio_value(selected)
    return Restricted(selected, bound, f"hyperplanes {count}: best portfolio {value:.6g}")


def _restricted_child(
    conn: Connection,
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    deadline: float,
    rel_gap: float,
    width: int,
) -> None:
    """Entry point of the spawned process: one HiGHS thread, until the shared deadline."""
    try:
        found = restricted_run(problem, extra, max(deadline - time.time(), 0.0), rel_gap, width, 1)
        conn.send(found)
    except Exception as exc:  # the parent keeps the full model's answer
        conn.send(f"hyperplane run failed: {exc}")
    finally:
        conn.close()


def _relaxation(
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    threads: int | None,
    time_limit: float,
) -> Any:
    h = _with_count_row(HighsSolver()._model(problem, extra, time_limit, 1e-4, threads))
    n = problem.n
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
    return h


def _with_count_row(h: Any) -> Any:
    """Add the cardinality row sum x (free until its bounds are set)."""
    n = h.getNumCol()
    h.addRow(-np.inf, np.inf, n, np.arange(n, dtype=np.int32), np.ones(n))
    return h


def _optimal(h: Any) -> bool:
    import highspy

    return bool(h.getModelStatus() == highspy.HighsModelStatus.kOptimal)


def _infeasible_statuses() -> tuple[Any, ...]:
    import highspy

    ms = highspy.HighsModelStatus
    return (ms.kInfeasible, ms.kUnboundedOrInfeasible)


def _stop(process: Any, conn: Connection) -> None:
    """End the restricted run (it is ours, started by `_spawn`) and free its pipe."""
    if process.is_alive():
        process.terminate()
    process.join(timeout=5)
    conn.close()


def _since(start: float) -> float:
    return time.perf_counter() - start
