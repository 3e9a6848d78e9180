"""One deadline for a whole optimise call (issue #18): follow-up solves share the limit.

No wall clock: a fake clock advances by each time limit a solve is given (a solver that
always uses all of it, the worst case), and the test adds up what was handed out.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from pfund.portfolio import PortfolioProblem, Solver, Status, explain_all, optimise
from pfund.portfolio.optimise import FOLLOW_UP_FLOOR
from pfund.portfolio.problem import LinearConstraint
from pfund.portfolio.solution import Solution
from pfund.portfolio.solvers.highs import HighsSolver
from tests.portfolio.cases import random_problem


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Greedy(Solver):
    """Says INFEASIBLE every time and spends its whole limit on the fake clock."""

    name = "fake"
    module = "numpy"
    distribution = "numpy"

    def __init__(self, clock: _Clock, spend: float = float("inf")) -> None:
        self.clock, self.spend = clock, spend
        self.limits: list[float] = []

    def _solve(
        self,
        problem: PortfolioProblem,
        extra: list[LinearConstraint] | None,
        time_limit: float,
        rel_gap: float,
        threads: int | None,
        start: float,
    ) -> Solution:
        del extra, rel_gap, threads, start
        self.limits.append(time_limit)
        self.clock.now += min(time_limit, self.spend)
        return Solution(
            np.zeros(problem.n, dtype=bool),
            float("nan"),
            float("nan"),
            float("inf"),
            Status.INFEASIBLE,
            time_limit,
            self.name,
            "0",
        )


def test_conflict_search_gets_only_the_floor_after_a_solve_that_used_the_limit() -> None:
    clock = _Clock()
    solver = _Greedy(clock)
    optimise(random_problem(3), solver=solver, time_limit=30.0, clock=clock)
    assert solver.limits[0] == 30.0
    assert len(solver.limits) >= 2  # a conflict check still ran, within the floor
    assert sum(solver.limits) <= 30.0 * (1 + FOLLOW_UP_FLOOR) + 1e-9
    assert clock.now <= 30.0 * 1.1


def test_conflict_checks_share_what_the_main_solve_left() -> None:
    clock = _Clock()
    solver = _Greedy(clock, spend=4.0)  # each solve ends after 4 s of its limit
    optimise(random_problem(3), solver=solver, time_limit=30.0, clock=clock)
    assert len(solver.limits) > 3
    follow_ups = solver.limits[1:]
    assert all(limit <= 30.0 - 4.0 + 1e-9 for limit in follow_ups)
    assert clock.now <= 30.0 * 1.1


def test_guarded_highs_gives_the_in_process_answer_when_the_limit_is_not_binding() -> None:
    problem = random_problem(7, n=14)
    plain = HighsSolver().solve(problem, time_limit=60.0, threads=1)
    guarded = HighsSolver()
    guarded.guard_from = 1  # run this small problem in a child process, as a big one would
    child = guarded.solve(problem, time_limit=60.0, threads=1)
    assert child.status is plain.status is Status.OPTIMAL
    assert np.array_equal(child.selected, plain.selected)
    assert child.objective == plain.objective


def test_explanations_share_one_deadline_for_their_re_solves() -> None:
    problem = random_problem(7, n=14)
    solution = HighsSolver().solve(problem, time_limit=60.0, threads=1)
    clock = _Clock()
    solver = _Greedy(clock)
    out = explain_all(problem, solution, solver=solver, time_limit=2.0, total_time=5.0, clock=clock)
    assert len(out) == problem.n
    assert len(solver.limits) >= 3
    assert sum(solver.limits) <= 5.0 + 1e-9


def test_the_guarded_child_sends_the_rounded_lp_with_its_bound_before_branching(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A child killed during HiGHS's root cut loop (which can run far past the limit at
    20,000 projects, calling nothing back) has already given the parent a valid
    portfolio and the LP bound. Here branch-and-cut says nothing at all."""
    import time

    from pfund.portfolio.model import rows_of
    from pfund.portfolio.solvers.base import error_solution

    def silent(self: HighsSolver, h: object, problem: PortfolioProblem, start: float) -> Solution:
        del h, start
        return error_solution(self, problem.n, "killed")

    problem = random_problem(7, n=40)
    best = HighsSolver().solve(problem, time_limit=60.0, threads=1)
    monkeypatch.setattr(HighsSolver, "_run", silent)
    sent: list[tuple[npt.NDArray[np.bool_], float]] = []
    final = HighsSolver().child_solve(
        problem, None, time.monotonic() + 60.0, 1e-4, 1, lambda x, b: sent.append((x, b))
    )
    assert final.status is Status.ERROR  # HiGHS itself found nothing
    ((x, bound),) = sent
    for row in rows_of(problem):  # the first answer keeps every rule
        assert row.lower - 1e-6 <= row.activity(x) <= row.upper + 1e-6
    assert 0 < problem.portfolio_value(x) <= best.objective + 1e-9 <= bound + 1e-6
