"""The shared suite every solver adapter must pass (in the manner of pulp)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pfund.portfolio import PortfolioProblem, Solver, Status, get_solver
from tests.portfolio.cases import brute_force, feasible, knapsack, random_problem

MKNAP1 = Path(__file__).resolve().parents[1] / "cases" / "mknap1.txt"


@pytest.mark.parametrize("seed", range(14))
def test_solver_equals_brute_force_on_random_instances(solver: Solver, seed: int) -> None:
    problem = random_problem(seed)
    best = brute_force(problem)
    sol = solver.solve(problem, time_limit=10, threads=1)
    if best is None:
        assert sol.status is Status.INFEASIBLE
        return
    assert sol.status is Status.OPTIMAL
    assert feasible(problem, sol.selected)
    assert sol.objective == pytest.approx(best)
    assert sol.gap <= 1e-4


def test_solver_reports_version_and_availability(solver: Solver) -> None:
    assert solver.available()
    assert solver.version()[0].isdigit()


def test_solver_is_deterministic(solver: Solver) -> None:
    problem = random_problem(3, n=12)
    first = solver.solve(problem, time_limit=10, threads=2)
    second = solver.solve(problem, time_limit=10, threads=2)
    assert np.array_equal(first.selected, second.selected)


def test_solver_handles_non_integer_money(solver: Solver) -> None:
    problem = knapsack([10.37, 6.21, 5.55], [4.999e6, 3.0001e6, 2.0e6], 5.0001e6)
    sol = solver.solve(problem, time_limit=5)
    assert sol.objective == pytest.approx(11.76)
    assert problem.portfolio_cost(sol.selected)[0] <= 5.0001e6


def test_solver_respects_extra_constraint(solver: Solver) -> None:
    from pfund.portfolio import LinearConstraint

    problem = knapsack([10, 6, 5], [5, 3, 3], 6)
    row = LinearConstraint(np.array([1.0, 0.0, 0.0]), lower=1.0)
    sol = solver.solve(problem, time_limit=5, extra=[row])
    assert sol.selected.tolist() == [True, False, False]


def test_solve_many_matches_separate_solves(solver: Solver) -> None:
    problem = random_problem(7)
    values = np.random.default_rng(1).integers(1, 50, size=(4, problem.n)).astype(float)
    many = solver.solve_many(problem, values, time_limit=5, threads=1)
    for row, sol in zip(values, many, strict=True):
        alone = solver.solve(problem.with_changes(value=row), time_limit=5, threads=1)
        assert sol.objective == pytest.approx(alone.objective)


def _first_mknap1() -> tuple[PortfolioProblem, float]:
    numbers = MKNAP1.read_text().split()
    n, m, optimum = int(numbers[1]), int(numbers[2]), float(numbers[3])
    data = np.array(numbers[4 : 4 + n + n * m + m], dtype=float)
    problem = PortfolioProblem(
        ids=tuple(str(i) for i in range(n)),
        value=data[:n],
        cost=data[n : n + n * m].reshape(m, n).T,
        periods=tuple(range(m)),
        budget=data[n + n * m :],
    )
    return problem, optimum


def test_solver_hits_known_optimum_of_first_mknap1_instance(solver: Solver) -> None:
    problem, optimum = _first_mknap1()
    sol = solver.solve(problem, time_limit=10)
    assert sol.status is Status.OPTIMAL
    assert sol.objective == pytest.approx(optimum)


def test_highs_solves_after_an_earlier_solve_with_another_thread_count() -> None:
    """HiGHS keeps its first scheduler per process; a later thread count must not fail."""
    problem = random_problem(3)
    engine = get_solver("highs")
    results = [engine.solve(problem, time_limit=5, threads=t) for t in (None, 1, 2, None)]
    assert all(r.status is Status.OPTIMAL for r in results)
    assert len({round(r.objective, 9) for r in results}) == 1
