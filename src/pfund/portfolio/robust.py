"""Robust Portfolio Modeling (Liesiö, Mild and Salo 2007): which projects hold up.

Project values are uncertain (Monte Carlo draws) or depend on weights known only as
intervals (extreme points or samples of the feasible weights). The caller supplies each
plausible value vector as a row of a matrix; the portfolio is re-optimised for every
row, and a project's core index is the share of those optimal portfolios containing it.
Core projects (index >= 1 - tol) are safe to fund now; exterior ones (index <= tol) can
be dropped; borderline ones deserve a closer look. The solver keeps one model and only
swaps the objective, warm-started from the earlier portfolio or LP rounding worth most
under the new values (every one obeys the unchanged rules), with the draw's LP optimum
as a bound. The rows are cut into contiguous chunks of about `CHUNK_ROWS`, a split that
depends only on the number of rows, each chunk solved from a fresh model: so the chunks
can run in this process, in `workers` local processes or on a Dask cluster (a `mapper`)
and the portfolios are the same, in the same order, wherever they ran.

Proving a 0.01% gap on a 500-project pipeline with area shares takes seconds per draw,
so the default gap here is 0.1% and callers with a deadline set a per-draw time limit;
`not_optimal` and `max_gap` say how close the portfolios behind the indices are.

Time (issue #18): each re-optimisation gets `time_limit` (kept by the solver's guard on
big problems), and with `total_time` the whole batch gets one deadline, shared by every
chunk wherever it runs; draws left when it passes are not solved and are counted in
`unsolved` (the indices then rest on fewer portfolios, as `portfolios` shows; when it
leaves none solved, the result has no portfolio, NaN indices and no classes).
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from pfund.errors import InvalidInput, Problem
from pfund.portfolio.parallel import Mapper, serial_map
from pfund.portfolio.problem import FloatArray, PortfolioProblem
from pfund.portfolio.solution import Solution, Status
from pfund.portfolio.solvers import Solver, get_solver
from pfund.portfolio.solvers.base import batch_deadline

__all__ = ["CHUNK_ROWS", "RobustResult", "Robustness", "core_indices", "row_chunks"]

# Rows per chunk: enough for the warm starts within a chunk to pay, small enough that
# 200 re-optimisations make 25 pieces to spread over workers.
CHUNK_ROWS = 8


class Robustness(StrEnum):
    """Liesiö et al.'s three classes."""

    CORE = "core"
    BORDERLINE = "borderline"
    EXTERIOR = "exterior"


@dataclass(frozen=True, eq=False)
class RobustResult:
    """Core index and class per project, with the portfolios behind them.

    `portfolios` is (K, n) boolean; `not_optimal` counts re-optimisations that stopped
    at the time limit (their portfolio is used, `max_gap` says how good it was);
    `gaps` holds the proven gap of each usable re-optimisation.
    """

    ids: tuple[str, ...]
    core_index: FloatArray
    classes: tuple[Robustness, ...]
    portfolios: npt.NDArray[np.bool_]
    not_optimal: int
    max_gap: float
    seconds: float
    gaps: FloatArray = field(default_factory=lambda: np.zeros(0))
    unsolved: int = 0

    def of(self, cls: Robustness) -> list[str]:
        """Project ids in a class (none when no draw was solved: no classes)."""
        if not self.classes:
            return []
        return [pid for pid, c in zip(self.ids, self.classes, strict=True) if c is cls]


def core_indices(
    problem: PortfolioProblem,
    values: FloatArray,
    *,
    solver: Solver | None = None,
    tol: float = 1e-9,
    time_limit: float = 10.0,
    rel_gap: float = 1e-3,
    threads: int | None = None,
    workers: int = 1,
    mapper: Mapper | None = None,
    progress: Callable[[int, int], None] | None = None,
    total_time: float | None = None,
    base: npt.NDArray[np.bool_] | None = None,
) -> RobustResult:
    """Re-optimise for each row of `values` (K, n) and count how often each project is in.

    The chunks of `row_chunks` run through ``mapper`` when given (a Dask cluster, say),
    else in ``workers`` local processes, else here; ``progress(done, total)`` is called
    as each chunk's portfolios come back, so an interface can show a bar. ``base`` (the
    decided portfolio, which keeps the unchanged rules) is one more warm start of every
    draw, given to each chunk wherever it runs and to a guarded solve's child.
    """
    values = _check(problem, values)
    start = time.perf_counter()
    deadline = batch_deadline(total_time)  # epoch: any machine
    engine = solver or get_solver()
    chunks = row_chunks(values)
    n = len(chunks)
    solutions: list[Solution] = []

    def collect(parts: Iterable[list[Solution]]) -> None:
        for part in parts:
            solutions.extend(part)
            if progress is not None:
                progress(len(solutions), len(values))

    args = (
        [engine] * n,
        [problem] * n,
        chunks,
        [time_limit] * n,
        [rel_gap] * n,
        [threads] * n,
        [deadline] * n,
        [base] * n,
    )
    if mapper is not None:
        collect(mapper(_solve_chunk, *args))
    elif workers > 1 and n > 1:
        # spawn, not fork: a HiGHS that already ran in this process leaves a thread
        # scheduler a forked child inherits without its threads, and its solves crawl
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(workers, n), mp_context=spawn) as pool:
            collect(pool.map(_solve_chunk, *args))
    else:
        collect(serial_map(_solve_chunk, *args))
    usable = [s for s in solutions if s.has_portfolio]
    if not usable and all(s.timed_out for s in solutions):
        return _none_solved(problem, solutions, time.perf_counter() - start)
    if not usable:
        raise InvalidInput("no portfolio exists", [Problem(solutions[0].message or "infeasible")])
    portfolios = np.array([s.selected for s in usable], dtype=bool)
    index = portfolios.mean(axis=0)
    return RobustResult(
        ids=problem.ids,
        core_index=index,
        classes=tuple(_classify(float(v), tol) for v in index),
        portfolios=portfolios,
        not_optimal=sum(s.status is not Status.OPTIMAL for s in solutions),
        max_gap=max(s.gap for s in usable),
        seconds=time.perf_counter() - start,
        gaps=np.array([s.gap for s in usable]),
        unsolved=sum(s.timed_out and not s.has_portfolio for s in solutions),
    )


def row_chunks(values: FloatArray) -> list[FloatArray]:
    """Contiguous chunks of about `CHUNK_ROWS` rows, fixed by the row count alone.

    Never by the number of workers: a chunk is solved from a fresh model, warm-started
    only within itself, so a split that followed the workers would give a cluster other
    (equally good) portfolios than one process.
    """
    return list(np.array_split(values, max(1, len(values) // CHUNK_ROWS)))


def _solve_chunk(
    solver: Solver,
    problem: PortfolioProblem,
    values: FloatArray,
    time_limit: float,
    rel_gap: float,
    threads: int | None,
    deadline: float | None = None,
    base: npt.NDArray[np.bool_] | None = None,
) -> list[Solution]:
    """One worker's share of the draws (a top-level function so processes can run it)."""
    return solver.solve_many(
        problem,
        values,
        time_limit=time_limit,
        rel_gap=rel_gap,
        threads=threads,
        deadline=deadline,
        base=base,
    )


def _none_solved(
    problem: PortfolioProblem, solutions: list[Solution], seconds: float
) -> RobustResult:
    """The batch's deadline left no draw solved: no portfolio, so no index (NaN) and no
    class; ``unsolved`` counts every draw."""
    return RobustResult(
        ids=problem.ids,
        core_index=np.full(problem.n, np.nan),
        classes=(),
        portfolios=np.zeros((0, problem.n), dtype=bool),
        not_optimal=len(solutions),
        max_gap=float("inf"),
        seconds=seconds,
        gaps=np.zeros(0),
        unsolved=len(solutions),
    )


def _classify(index: float, tol: float) -> Robustness:
    if index >= 1.0 - tol:
        return Robustness.CORE
    return Robustness.EXTERIOR if index <= tol else Robustness.BORDERLINE


def _check(problem: PortfolioProblem, values: FloatArray) -> FloatArray:
    arr = np.atleast_2d(np.asarray(values, dtype=np.float64))
    if arr.ndim != 2 or arr.shape[1] != problem.n or arr.shape[0] == 0:
        raise InvalidInput(
            "invalid value matrix",
            [Problem(f"shape {arr.shape}; expected (K >= 1, {problem.n})", field="values")],
        )
    if not np.all(np.isfinite(arr)):
        raise InvalidInput(
            "invalid value matrix", [Problem("values must be finite", field="values")]
        )
    return arr
