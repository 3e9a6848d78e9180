"""Solver adapters made to hang, for the guard's tests (imported by its child process too).

`hanging(name, after)` is the adapter `name` that, once it has reported its `after`-th
portfolio (counting from 1), does not return from the report: the solver is then stuck
as HiGHS is in a long root cut loop, calling nothing back, and only the guard can stop
it. `after=0` hangs before
anything is found. The hang is `HANG` seconds, not forever, so a broken guard fails the
test instead of stopping the run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution
from pfund.portfolio.solvers import SOLVERS, HighsSolver, Solver
from pfund.portfolio.solvers.base import Report

HANG = 60.0


def hanging(name: str, after: int) -> Solver:
    """An instance of the `name` adapter that hangs at its `after`-th portfolio."""
    solver = _CLASSES[name]()
    solver.after = after  # type: ignore[attr-defined]
    solver.guard_from = 1  # small test problems run behind the guard, as big ones do
    return solver


def _child_solve(
    self: Solver,
    problem: PortfolioProblem,
    extra: list[LinearConstraint] | None,
    stop_at: float,
    rel_gap: float,
    threads: int | None,
    report: Report,
) -> Solution:
    sent = [0]
    after: int = self.after  # type: ignore[attr-defined]

    def stuck(x: npt.NDArray[np.bool_], bound: float) -> None:
        report(x, bound)
        sent[0] += 1
        if sent[0] >= after:
            time.sleep(HANG)

    if after == 0:
        time.sleep(HANG)
    parent: type[Solver] = type(self).__mro__[1]
    return parent.child_solve(self, problem, extra, stop_at, rel_gap, threads, stuck)


_CLASSES: dict[str, type[Solver]] = {
    name: type(
        f"Hanging{cls.__name__}", (cls,), {"child_solve": _child_solve, "__module__": __name__}
    )
    for name, cls in SOLVERS.items()
}
for _cls in _CLASSES.values():
    globals()[_cls.__name__] = _cls  # so pickle finds them by name in the child


class SpawningHighsSolver(HighsSolver):
    """HiGHS whose guarded child starts a process of its own (as `highs-hyper`'s race
    does), reports its rounded LP, and hangs: the guard must stop both."""

    name = "highs"
    guard_from = 1

    def child_solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        stop_at: float,
        rel_gap: float,
        threads: int | None,
        report: Report,
    ) -> Solution:
        subprocess.Popen([sys.executable, "-c", f"import time; time.sleep({HANG})"])

        def stuck(x: npt.NDArray[np.bool_], bound: float) -> None:
            report(x, bound)
            time.sleep(HANG)

        return super().child_solve(problem, extra, stop_at, rel_gap, threads, stuck)


class EchoStart(HighsSolver):
    """HiGHS whose guarded child answers with the warm start it was given (none: no
    portfolio), so a test sees what reached the child."""

    name = "highs"
    guard_from = 1

    def child_solve(self, problem: PortfolioProblem, *_: Any) -> Solution:
        from pfund.portfolio.solution import Status
        from pfund.portfolio.solvers.base import error_solution
        from pfund.portfolio.solvers.guard import portfolio

        if self._start is None:
            return error_solution(self, problem.n, "no warm start reached the child")
        return portfolio(self, problem, self._start, Status.FEASIBLE, np.inf, time.perf_counter())
