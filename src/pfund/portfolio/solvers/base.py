"""The one interface every solver adapter implements, in the manner of pulp.

An adapter turns a `PortfolioProblem` into its solver's model and the answer back into
a `Solution`; it never raises for an infeasible or failed solve (that is a status).
`solve_many` re-optimises one constraint set under many objectives; the default loops,
and adapters that can keep their model warm override it.

Time limits (issue #18): from `guard.GUARD_FROM` projects `solve` runs the adapter in a
child process that is killed at the limit + `guard.GRACE` (see `guard.py`), so every
adapter keeps the whole call within the limit + 10%, returning the best portfolio it
reported by then. `solve_many` gives each solve its limit and the whole batch one
`deadline` (epoch seconds, so chunks on other machines share it); a draw the deadline
leaves no time for is not solved and says so.
"""

from __future__ import annotations

import importlib
import importlib.util
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from importlib import metadata

import numpy as np
import numpy.typing as npt

from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers.guard import GUARD_FROM, in_child, run_guarded

__all__ = ["Report", "Solver", "error_solution", "unsolved"]

# ``report(selection, bound)``: a portfolio found during a guarded solve, and the best
# upper bound known at that moment (inf when none).
Report = Callable[[npt.NDArray[np.bool_], float], None]


class Solver(ABC):
    """A MILP/CP solver behind `available()` and `solve(problem) -> Solution`."""

    name: str = "abstract"

    module: str = ""  # the import that must work for the adapter to run
    distribution: str = ""  # the package whose version is recorded with every decision
    label: str = ""  # how messages name the solver
    guard_from: int = GUARD_FROM  # from this many projects a solve runs behind the guard
    _report: Report | None = None  # set in the guard's child: where portfolios go
    _start: npt.NDArray[np.bool_] | None = None  # set in the guard's child: its warm start

    def available(self) -> bool:
        """True when the underlying library is installed here.

        Found, not imported: a guarded solve imports it in the child only, and loading
        OR-Tools in the parent took seconds of the limit on a loaded machine (issue #18).
        """
        try:
            return importlib.util.find_spec(self.module) is not None
        except ImportError:  # a parent package is missing
            return False

    def version(self) -> str:
        """The library's version, recorded with every decision for reproducibility."""
        return metadata.version(self.distribution)

    def solve(
        self,
        problem: PortfolioProblem,
        *,
        time_limit: float,
        rel_gap: float = 1e-4,
        threads: int | None = None,
        extra: list[LinearConstraint] | None = None,
        warm: npt.NDArray[np.bool_] | None = None,
    ) -> Solution:
        """Maximise value·x; deterministic for equal input when solved within the limit.

        ``warm``, a portfolio that keeps the rules, is a guarded solve's first incumbent
        (in the child it is reported first, and HiGHS starts from it when it is worth more
        than the rounded LP); an in-process solve does without it (the warm batch of
        ``HighsSolver.solve_many`` keeps its own starts)."""
        start = time.perf_counter()
        try:
            if problem.n >= self.guard_from and not in_child():
                return run_guarded(
                    self, problem, extra, time_limit, rel_gap, threads, start, warm=warm
                )
            return self._solve(problem, extra, time_limit, rel_gap, threads, start)
        except Exception as exc:  # a solver crash must become a status, not a trace
            seconds = time.perf_counter() - start
            return error_solution(self, problem.n, f"{self.label} failed: {exc}", seconds)

    @abstractmethod
    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        """Build the model, run it, and translate the answer (exceptions become ERROR)."""

    def child_solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        stop_at: float,
        rel_gap: float,
        threads: int | None,
        report: Report,
    ) -> Solution:
        """In the guard's child: solve in-process until `stop_at` (monotonic), calling
        `report` with each portfolio found on the way (adapters do so through `_report`),
        the warm start first (so a child stopped before it finds better still returns it)."""
        self._report = report
        if self._start is not None:
            report(self._start, np.inf)
        start = time.perf_counter()
        limit = max(stop_at - time.monotonic(), 0.0)
        try:
            return self._solve(problem, extra, limit, rel_gap, threads, start)
        except Exception as exc:
            seconds = time.perf_counter() - start
            return error_solution(self, problem.n, f"{self.label} failed: {exc}", seconds)

    def solve_many(
        self,
        problem: PortfolioProblem,
        values: FloatArray,
        *,
        time_limit: float,
        rel_gap: float = 1e-4,
        threads: int | None = None,
        deadline: float | None = None,
        base: npt.NDArray[np.bool_] | None = None,
    ) -> list[Solution]:
        """One solve per row of `values` (K, n), constraints unchanged; each gets
        `time_limit`, cut to what is left before `deadline` (epoch seconds).

        The constraints do not change, so every portfolio found keeps them: each draw is
        given, as its warm start, the one worth most under its values among `base` (the
        decided portfolio, say) and the draws' portfolios before it, as the in-process
        warm batch does (a guarded solve passes it to its child; see `solve`)."""
        out: list[Solution] = []
        pool: list[npt.NDArray[np.bool_]] = [] if base is None else [np.asarray(base, bool)]
        for row in values:
            limit = batch_limit(time_limit, deadline)
            if limit <= 0.0:
                out.append(unsolved(self, problem.n))
                continue
            draw = problem.with_changes(value=np.asarray(row))
            warm = best_start(pool, np.asarray(row, dtype=np.float64))
            solution = self.solve(
                draw, time_limit=limit, rel_gap=rel_gap, threads=threads, warm=warm
            )
            out.append(solution)
            if solution.has_portfolio:
                pool.append(solution.selected)
        return out


def best_start(
    candidates: list[npt.NDArray[np.bool_]], value: FloatArray
) -> npt.NDArray[np.bool_] | None:
    """The candidate portfolio worth most under `value` (the first on ties), or None."""
    if not candidates:
        return None
    worth = np.asarray(candidates, dtype=np.float64) @ value
    return candidates[int(np.argmax(worth))]


def now() -> float:
    """Epoch seconds, the clock of batch deadlines (a test replaces it with a fake one)."""
    return time.time()


def batch_deadline(total_time: float | None) -> float | None:
    """The deadline (epoch seconds) of a batch given `total_time`, or None."""
    return None if total_time is None else now() + total_time


def batch_limit(time_limit: float, deadline: float | None) -> float:
    """One solve's limit inside a batch: its own, or what is left before `deadline`."""
    if deadline is None:
        return time_limit
    return min(time_limit, deadline - now())


def unsolved(solver: Solver, n: int) -> Solution:
    """A draw of a batch that its deadline left no time for (no portfolio, timed out)."""
    out = error_solution(solver, n, "not solved: the batch's deadline had passed")
    return replace(out, timed_out=True)


def error_solution(solver: Solver, n: int, message: str, seconds: float = 0.0) -> Solution:
    """A result for a solver failure: an empty selection and the reason, no traceback."""
    return Solution(
        selected=np.zeros(n, dtype=bool),
        objective=float("nan"),
        bound=float("nan"),
        gap=float("inf"),
        status=Status.ERROR,
        seconds=seconds,
        solver=solver.name,
        solver_version=solver.version() if solver.available() else "unavailable",
        message=message,
    )
