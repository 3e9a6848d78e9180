"""The time-limit guard of every solver adapter (issue #18): a stuck solver is stopped.

No assertion on how long anything took by a wall clock of the test's own: each adapter is
made to hang (`hanging.py`) after it has found a portfolio, or before; the guard must
kill its child at the limit and return the best portfolio the child reported, marked as
stopped by the limit, or (through `optimise`) the greedy portfolio, marked as greedy's.
The solver's own reported `seconds` is checked against the limit + `GRACE` + an allowance
of `ALLOWANCE` s: after the kill the parent only reaps the child and builds the result
(milliseconds), but at a load of ~10 on 2 cores a runnable process may wait about a
second for a core; the hang itself is 60 s, so a guard that does not stop it fails by far.
"""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from pfund.portfolio import Status, optimise
from pfund.portfolio.model import column_bounds, rows_of
from pfund.portfolio.optimise import GREEDY_FALLBACK, NO_GREEDY
from pfund.portfolio.problem import LinearConstraint, PortfolioProblem
from pfund.portfolio.solution import Solution
from pfund.portfolio.solvers import SOLVERS, HighsSolver
from pfund.portfolio.solvers import base as solver_base
from pfund.portfolio.solvers.guard import GRACE, STOPPED
from tests.portfolio.cases import random_problem
from tests.portfolio.conftest import AVAILABLE
from tests.portfolio.hanging import EchoStart, SpawningHighsSolver, hanging

LIMIT = 2.0  # hanging before any portfolio: nothing has to happen in time
# Hanging after a portfolio: the child must first start and find one, which took 2.4 s
# for CP-SAT at a load of 13 on 2 cores (importing ortools); 10 s leaves room for worse.
LIMIT_AFTER = 10.0
ALLOWANCE = 2.0
# The portfolio at which each adapter hangs: the HiGHS family first sends the rounded
# LP from the guard's child, so its second portfolio is the adapter's own (HiGHS's
# improving-solution callback, or highs-core's core portfolio); CP-SAT's first comes
# from its solution callback.
AFTER = {"highs": 2, "highs-core": 2, "highs-hyper": 2, "cpsat": 1}


def _keeps_rules(problem: PortfolioProblem, x: npt.NDArray[np.bool_]) -> bool:
    bounds = column_bounds(problem)
    inside = bool(np.all(bounds.lower <= x) and np.all(x <= bounds.upper))
    rows = all(r.lower - 1e-6 <= r.activity(x) <= r.upper + 1e-6 for r in rows_of(problem))
    return inside and rows


@pytest.mark.parametrize("name", AVAILABLE)
def test_a_solver_stuck_after_a_portfolio_is_stopped_and_that_portfolio_returned(
    name: str,
) -> None:
    problem = random_problem(11, n=60)
    solution = hanging(name, AFTER[name]).solve(problem, time_limit=LIMIT_AFTER, threads=1)
    assert solution.message == STOPPED  # set only when the guard killed the child
    assert solution.timed_out
    assert solution.status in (Status.FEASIBLE, Status.OPTIMAL)
    assert solution.solver == name
    assert _keeps_rules(problem, solution.selected)
    assert (
        solution.gap
        == pytest.approx(
            max(solution.bound - solution.objective, 0) / abs(solution.bound), abs=1e-9
        )
        or solution.gap == 0.0
    )
    if solution.status is Status.OPTIMAL:  # only when the reported bound proves it
        assert solution.gap <= 1e-4
    assert solution.seconds <= LIMIT_AFTER * (1 + GRACE) + ALLOWANCE


@pytest.mark.parametrize("name", AVAILABLE)
def test_a_solver_stuck_before_any_portfolio_gives_greedys_marked_as_greedys(name: str) -> None:
    problem = random_problem(12, n=60)
    result = optimise(problem, solver=hanging(name, 0), time_limit=LIMIT, threads=1)
    sol = result.solution
    assert sol.solver == "greedy" and sol.timed_out
    assert sol.status is Status.FEASIBLE and sol.gap == float("inf")
    assert sol.message == GREEDY_FALLBACK
    assert any("no portfolio found before the time limit" in note for note in sol.notes)
    assert _keeps_rules(problem, sol.selected)
    assert "Greedy ranking's portfolio" in result.summary and "not optimised" in result.summary
    assert sol.seconds <= LIMIT * (1 + GRACE) + ALLOWANCE


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of group `pgid` that are not zombies (from /proc: Linux)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        state, _ppid, group = text.rsplit(")", 1)[1].split()[:3]
        if int(group) == pgid and state != "Z":
            alive.append(int(stat.parent.name))
    return alive


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_guard_stops_whatever_the_child_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """A `highs-hyper` race runs a second process; killing only the child would leave it
    running past the limit. The guard kills the child's whole process group."""
    started: list[subprocess.Popen[bytes]] = []
    real = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        proc = real(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(subprocess, "Popen", recording)  # as the guard calls it
    problem = random_problem(11, n=60)
    solution = SpawningHighsSolver().solve(problem, time_limit=LIMIT_AFTER, threads=1)
    assert solution.message == STOPPED and solution.has_portfolio
    (child,) = started
    assert _alive_in_group(child.pid) == []  # the child and its own process: both gone


def test_a_solver_that_finishes_in_time_is_not_marked_stopped() -> None:
    problem = random_problem(12, n=60)
    solver = SOLVERS["highs"]()
    solver.guard_from = 1
    solution = solver.solve(problem, time_limit=60.0, threads=1)
    assert solution.status is Status.OPTIMAL and not solution.timed_out and not solution.message


class _Clock:
    """Epoch seconds that move only when a solve spends its limit."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class _Spender(HighsSolver):
    """HiGHS that records each limit it is given and spends all of it on the fake clock."""

    def __init__(self, clock: _Clock) -> None:
        self.clock = clock
        self.limits: list[float] = []

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
        del warm  # spent on the fake clock: the start makes no difference here
        self.limits.append(time_limit)
        self.clock.now += time_limit
        plain = HighsSolver()  # in this process: the problem is small
        return plain.solve(problem, time_limit=60.0, rel_gap=rel_gap, threads=threads, extra=extra)


def test_a_batch_gives_each_solve_its_limit_and_stops_at_its_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Worked example: limit 4 s a solve, 10 s for the batch: 4 + 4 + 2, then nothing."""
    clock = _Clock()
    monkeypatch.setattr(solver_base, "now", clock)
    problem = random_problem(3, n=14)
    solver = _Spender(clock)
    solver.guard_from = 1  # the big-problem path: one guarded solve per draw
    values = np.tile(problem.value, (5, 1))
    out = solver.solve_many(problem, values, time_limit=4.0, threads=1, deadline=clock() + 10.0)
    assert solver.limits == [4.0, 4.0, 2.0]
    assert [s.has_portfolio for s in out] == [True, True, True, False, False]
    assert all(s.timed_out and s.status is Status.ERROR for s in out[3:])
    assert "deadline" in out[3].message


def test_a_warm_batch_stops_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = _Clock()
    monkeypatch.setattr(solver_base, "now", clock)
    problem = random_problem(3, n=14)
    values = np.tile(problem.value, (3, 1))
    out = HighsSolver().solve_many(problem, values, time_limit=4.0, threads=1, deadline=clock())
    assert [s.timed_out and not s.has_portfolio for s in out] == [True, True, True]
    clock.now -= 100.0  # the deadline is now 100 s away: every draw is solved
    again = HighsSolver().solve_many(problem, values, time_limit=4.0, threads=1, deadline=1e6)
    assert all(s.status is Status.OPTIMAL for s in again)


def test_robustness_and_frontiers_share_one_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    from pfund.portfolio import core_indices
    from pfund.portfolio.frontier import budget_frontier

    clock = _Clock()
    monkeypatch.setattr(solver_base, "now", clock)
    problem = random_problem(3, n=14)
    solver = _Spender(clock)
    solver.guard_from = 1
    rows = np.tile(problem.value, (4, 1))
    result = core_indices(problem, rows, solver=solver, time_limit=3.0, total_time=7.0, threads=1)
    assert solver.limits == [3.0, 3.0, 1.0]
    assert result.unsolved == 1 and len(result.portfolios) == 3
    solver.limits.clear()
    points = budget_frontier(problem, points=4, solver=solver, time_limit=3.0, total_time=5.0)
    assert solver.limits == [3.0, 2.0]
    assert [p.status for p in points][2:] == [Status.FEASIBLE, Status.FEASIBLE]  # kept


def test_a_slow_greedy_neither_delays_the_solve_nor_holds_the_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Greedy ranking took 22 s at 20,000 projects on a machine at load 20: it runs beside
    the solve, which gets the whole limit, and the answer goes without the comparison."""
    import importlib
    import threading

    optimise_module = importlib.import_module("pfund.portfolio.optimise")  # not the function

    release = threading.Event()

    real_greedy = optimise_module.greedy

    def stuck_greedy(problem: PortfolioProblem) -> Solution:
        release.wait(60.0)  # set when the test has its answer
        return real_greedy(problem)  # type: ignore[no-any-return]

    given: list[float] = []

    class Recording(HighsSolver):
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
            given.append(time_limit)
            return super().solve(
                problem,
                time_limit=time_limit,
                rel_gap=rel_gap,
                threads=threads,
                extra=extra,
                warm=warm,
            )

    monkeypatch.setattr(optimise_module, "greedy", stuck_greedy)
    try:
        result = optimise(random_problem(3, n=14), solver=Recording(), time_limit=1.0, threads=1)
    finally:
        release.set()
    assert given[0] == pytest.approx(1.0, abs=0.05)  # greedy took none of it
    assert result.solution.status is Status.OPTIMAL
    assert result.versus_greedy is None
    assert NO_GREEDY in result.solution.notes


def test_the_decision_record_says_the_time_limit_stopped_the_run() -> None:
    from pfund.portfolio import greedy
    from pfund.portfolio.optimise import PortfolioResult
    from pfund.services.portfolio import result_json

    problem = random_problem(12, n=60)
    base = greedy(problem)
    fallback = dataclasses.replace(
        base, gap=float("inf"), bound=float("nan"), message=GREEDY_FALLBACK, timed_out=True
    )
    record = result_json(problem, PortfolioResult(fallback, None, None))
    assert record["timed_out"] is True
    assert record["message"] == GREEDY_FALLBACK
    assert record["summary"].startswith("Greedy ranking's portfolio")
    finished = HighsSolver().solve(problem, time_limit=60.0, threads=1)
    assert result_json(problem, PortfolioResult(finished, None, None))["timed_out"] is False


def _draws(problem: PortfolioProblem, k: int) -> npt.NDArray[np.float64]:
    """`k` value rows near the problem's, continuous so that each has one best portfolio."""
    rng = np.random.default_rng(7)
    return problem.value * (1.0 + 0.2 * rng.random((k, problem.n)))


def test_a_guarded_draw_gets_the_warm_start_in_its_child() -> None:
    """The base portfolio reaches the child (EchoStart answers with what it was given);
    later draws start from the best of it and the draws before them."""
    from pfund.portfolio import core_indices

    problem = random_problem(5, n=20)
    base = HighsSolver().solve(problem, time_limit=60.0, threads=1).selected
    echoed = EchoStart().solve(problem, time_limit=60.0, threads=1, warm=base)
    assert echoed.has_portfolio and np.array_equal(echoed.selected, base)
    cold = EchoStart().solve(problem, time_limit=60.0, threads=1)
    assert not cold.has_portfolio and "no warm start" in cold.message
    result = core_indices(
        problem, _draws(problem, 3), solver=EchoStart(), time_limit=60.0, threads=1, base=base
    )
    assert all(np.array_equal(p, base) for p in result.portfolios) and len(result.portfolios) == 3


def test_warm_guarded_draws_give_the_portfolios_cold_ones_and_one_process_give() -> None:
    """Starting each guarded draw from the decided portfolio changes no answer: the same
    portfolios as cold guarded draws and as the in-process warm batch."""
    from pfund.portfolio import core_indices

    problem = random_problem(5, n=20)
    base = HighsSolver().solve(problem, time_limit=60.0, threads=1).selected
    rows = _draws(problem, 6)
    guarded = HighsSolver()
    guarded.guard_from = 1
    kwargs: dict[str, Any] = {"time_limit": 60.0, "threads": 1, "rel_gap": 1e-9}
    warm = core_indices(problem, rows, solver=guarded, base=base, **kwargs)
    cold = core_indices(problem, rows, solver=guarded, **kwargs)
    here = core_indices(problem, rows, solver=HighsSolver(), base=base, **kwargs)
    assert np.array_equal(warm.portfolios, cold.portfolios)
    assert np.array_equal(warm.portfolios, here.portfolios)
    assert warm.not_optimal == cold.not_optimal == 0
