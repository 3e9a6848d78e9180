"""The one interface every solver adapter implements, in the manner of pulp.

An adapter turns a `PortfolioProblem` into its solver's model and the answer back into
a `Solution`; it never raises for an infeasible or failed solve (that is a status).
`solve_many` re-optimises one constraint set under many objectives; the default loops,
and adapters that can keep their model warm override it.
"""

from __future__ import annotations

import importlib
import time
from abc import ABC, abstractmethod
from importlib import metadata

import numpy as np

from pfund.portfolio.problem import FloatArray, LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution, Status

__all__ = ["Solver", "error_solution"]


class Solver(ABC):
    """A MILP/CP solver behind `available()` and `solve(problem) -> Solution`."""

    name: str = "abstract"

    module: str = ""  # the import that must work for the adapter to run
    distribution: str = ""  # the package whose version is recorded with every decision
    label: str = ""  # how messages name the solver

    def available(self) -> bool:
        """True when the underlying library can be imported here."""
        try:
            importlib.import_module(self.module)
        except ImportError:
            return False
        return True

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
    ) -> Solution:
        """Maximise value·x; deterministic for equal input when solved within the limit."""
        start = time.perf_counter()
        try:
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

    def solve_many(
        self,
        problem: PortfolioProblem,
        values: FloatArray,
        *,
        time_limit: float,
        rel_gap: float = 1e-4,
        threads: int | None = None,
    ) -> list[Solution]:
        """One solve per row of `values` (K, n), constraints unchanged."""
        return [
            self.solve(
                problem.with_changes(value=np.asarray(row)),
                time_limit=time_limit,
                rel_gap=rel_gap,
                threads=threads,
            )
            for row in values
        ]


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
