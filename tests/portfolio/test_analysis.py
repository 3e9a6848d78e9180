"""Frontiers, robustness and the problem's own validation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from pfund.errors import InvalidInput
from pfund.portfolio import (
    PortfolioProblem,
    Robustness,
    Solver,
    Status,
    budget_frontier,
    build_problem,
    core_indices,
    equity_frontier,
    get_solver,
)
from tests.portfolio.cases import knapsack, random_problem


def test_budget_frontier_is_monotone_and_reaches_everything(solver: Solver) -> None:
    problem = random_problem(1).with_changes(must_include=frozenset(), area_min_share={})
    points = budget_frontier(problem, points=30, solver=solver, time_limit=5)
    values = [p.value for p in points]
    assert len(points) >= 30
    assert values[0] == 0
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(values))
    assert points[-1].factor > 1


def test_equity_frontier_points_do_not_dominate_each_other(solver: Solver) -> None:
    rng = np.random.default_rng(5)
    problem = knapsack(list(rng.integers(1, 50, 10)), list(rng.integers(1, 20, 10)), 40)
    problem = problem.with_changes(equity=rng.integers(0, 30, 10).astype(float))
    points = equity_frontier(problem, points=8, solver=solver, time_limit=5)
    assert len(points) >= 2
    for p in points:
        assert not any(q is not p and q.value >= p.value and q.equity >= p.equity for q in points)
    assert points[0].value == solver.solve(problem, time_limit=5).objective


def test_core_index_is_one_for_a_dominant_project_and_zero_for_a_hopeless_one(
    solver: Solver,
) -> None:
    problem = knapsack([100, 5, 5, 5, 5, 0.1], [1, 2, 2, 2, 2, 2], 5)
    draws = np.random.default_rng(2).uniform(0.5, 1.5, size=(20, problem.n)) * problem.value
    result = core_indices(problem, draws, solver=solver, time_limit=5)
    assert result.core_index[0] == 1.0
    assert result.core_index[5] == 0.0
    assert result.classes[0] is Robustness.CORE
    assert result.classes[5] is Robustness.EXTERIOR
    assert "K1" in result.of(Robustness.BORDERLINE)
    assert result.portfolios.shape == (20, problem.n)


def test_core_indices_rejects_a_matrix_of_the_wrong_width() -> None:
    problem = knapsack([1, 2], [1, 1], 1)
    with pytest.raises(InvalidInput, match="value matrix"):
        core_indices(problem, np.ones((3, 5)))


def test_problem_names_each_wrong_field() -> None:
    with pytest.raises(InvalidInput) as err:
        PortfolioProblem(
            ids=("a", "a"),
            value=np.array([1.0, np.nan]),
            cost=np.array([[1.0], [-1.0]]),
            periods=(2028,),
            budget=np.array([1.0]),
            area_max_share={"x": 1.5},
            depends=((0, 5),),
        )
    fields = {p.field for p in err.value.problems}
    assert {"ids", "value", "cost", "area_max_share", "depends"} <= fields


def test_build_problem_maps_ids_to_indices_and_rejects_unknown_ones() -> None:
    problem = build_problem(
        {
            "A": {
                "value": 3,
                "cost": {2028: 1, 2029: 2},
                "depends_on": ["B"],
                "regions": ["RU-MOW"],
            },
            "B": {"value": 1, "cost": {2029: 4}, "excludes": ["A"], "stage": 2},
        },
        {2029: 10, 2028: 5},
        must_include=["B"],
    )
    assert problem.periods == (2028, 2029)
    assert problem.cost.tolist() == [[1, 2], [0, 4]]
    assert problem.depends == ((0, 1),)
    assert problem.excludes == ((0, 1),)  # normalised: one row per pair
    assert problem.must_include == frozenset({1})
    with pytest.raises(InvalidInput, match="unknown project ids"):
        build_problem({"A": {"value": 1, "cost": {}, "depends_on": ["Z"]}}, {2028: 1})


def test_unknown_solver_lists_the_choices() -> None:
    with pytest.raises(InvalidInput) as err:
        get_solver("gurobi")
    assert "cpsat" in str(err.value)
    assert "highs" in str(err.value)


def test_infeasible_solution_has_no_portfolio(solver: Solver) -> None:
    problem = knapsack([1, 1], [5, 5], 4).with_changes(must_include=frozenset({0}))
    sol = solver.solve(problem, time_limit=5)
    assert sol.status is Status.INFEASIBLE
    assert not sol.has_portfolio


def test_core_indices_split_over_processes_match_one_process() -> None:
    problem = random_problem(4).with_changes(must_include=frozenset())
    draws = np.random.default_rng(8).integers(1, 60, size=(20, problem.n)).astype(float)
    one = core_indices(problem, draws, time_limit=5)
    two = core_indices(problem, draws, time_limit=5, workers=2)
    assert np.array_equal(one.portfolios, two.portfolios)  # two chunks, each its own process
