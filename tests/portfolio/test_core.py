"""The core-problem strategy: exact on small cases, never an invalid portfolio, honest status."""

from __future__ import annotations

import numpy as np
import pytest

from pfund.portfolio import Status
from pfund.portfolio.solvers import CoreHighsSolver, HighsSolver
from pfund.portfolio.solvers.core import core_plan
from pfund.portfolio.solvers.highs import best_start
from pfund.portfolio.solvers.rounding import lp_rounding
from tests.portfolio.cases import brute_force, feasible, knapsack, random_problem


@pytest.mark.parametrize("engine", ["cpsat", "highs"])
@pytest.mark.parametrize("seed", range(0, 14, 3))
def test_core_strategy_finds_the_brute_force_optimum(engine: str, seed: int) -> None:
    problem = random_problem(seed)
    best = brute_force(problem)
    sol = CoreHighsSolver(core_size=0.0, core_engine=engine).solve(
        problem, time_limit=10, threads=1
    )
    if best is None:
        assert sol.status is Status.INFEASIBLE
        return
    assert sol.status is Status.OPTIMAL
    assert feasible(problem, sol.selected)
    assert sol.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(14))
def test_core_portfolio_alone_is_valid_and_its_status_honest(seed: int) -> None:
    """With no time left for the full model, the core's portfolio must still obey every rule."""
    problem = random_problem(seed)
    best = brute_force(problem)
    sol = CoreHighsSolver(core_size=0.0, core_share=1.0).solve(problem, time_limit=0.5, threads=1)
    if best is None:
        assert not sol.has_portfolio
        return
    if not sol.has_portfolio:  # the core fixed too much to find a portfolio in time
        return
    assert feasible(problem, sol.selected)
    assert sol.bound >= best - 1e-6  # the reported bound is a real upper bound
    if sol.status is Status.OPTIMAL:
        assert sol.objective == pytest.approx(best, rel=1e-4)
    else:
        assert sol.gap == pytest.approx((sol.bound - sol.objective) / abs(sol.bound))


def test_core_plan_frees_fractional_projects_and_keeps_forced_ones() -> None:
    problem = random_problem(0, n=10)  # seed 0 forces in a stage-blocked project
    lp_value = np.linspace(0.0, 1.0, problem.n)
    reduced = np.arange(problem.n, dtype=float)[::-1]
    plan = core_plan(problem, lp_value, reduced, core_size=0.0)
    fractional = (lp_value > 0) & (lp_value < 1)
    forced = set(problem.must_include) | set(problem.must_exclude) | problem.blocked_by_stage()
    assert all(plan.free[i] for i in np.flatnonzero(fractional) if int(i) not in forced)
    assert not any(plan.free[i] for i in forced)
    assert all(plan.lower[i] == 1.0 for i in problem.must_include)
    fixed = ~plan.free
    assert np.all(plan.lower[fixed] >= plan.upper[fixed])
    conflict = problem.must_include & problem.blocked_by_stage()  # project 4 in seed 0
    assert conflict
    assert all(plan.lower[i] > plan.upper[i] for i in conflict)  # kept, so the core fails too


def test_core_plan_adds_projects_nearest_zero_reduced_cost() -> None:
    problem = knapsack([5, 4, 3, 2, 1], [1, 1, 1, 1, 1], 2)
    plan = core_plan(problem, np.array([1.0, 1.0, 0.0, 0.0, 0.0]), np.array([9, 1, 2, 8, 7.0]), 0.4)
    assert plan.free.tolist() == [False, True, True, False, False]
    assert plan.lower.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert plan.upper.tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]


def test_core_and_plain_highs_agree_on_robustness_draws() -> None:
    problem = random_problem(7)
    values = np.random.default_rng(1).integers(1, 50, size=(5, problem.n)).astype(float)
    core = CoreHighsSolver().solve_many(problem, values, time_limit=5, threads=1)
    plain = HighsSolver().solve_many(problem, values, time_limit=5, threads=1)
    for a, b, row in zip(core, plain, values, strict=True):
        best = brute_force(problem.with_changes(value=row))
        assert feasible(problem, a.selected)
        assert a.objective == pytest.approx(b.objective) == pytest.approx(best)


def test_best_start_is_the_candidate_worth_most_under_the_new_values() -> None:
    a, b = np.array([True, False, True]), np.array([False, True, True])
    assert best_start([a, b], np.array([1.0, 5.0, 0.0])) is b
    assert best_start([a, b], np.array([5.0, 1.0, 0.0])) is a
    assert best_start([], np.array([1.0, 1.0, 1.0])) is None


@pytest.mark.parametrize("seed", range(14))
def test_lp_rounding_returns_a_valid_portfolio_or_none(seed: int) -> None:
    problem = random_problem(seed)
    lp = HighsSolver()._relaxation(problem, 5, 1e-4, 1)
    lp.run()
    sol = lp.getSolution()
    value, dual = np.asarray(sol.col_value), np.asarray(sol.col_dual)
    rounded = lp_rounding(problem, value, dual)
    if brute_force(problem) is None:
        assert rounded is None
    elif rounded is not None:
        assert feasible(problem, rounded)
        assert problem.portfolio_value(rounded) <= float(problem.value @ value) + 1e-6


def test_lp_rounding_fills_a_knapsack_in_lp_order() -> None:
    problem = knapsack([10, 6, 5, 1], [5, 3, 3, 1], 8)
    rounded = lp_rounding(problem, np.array([1.0, 1.0, 0.0, 0.0]), np.array([0, 0, -1.0, -2.0]))
    assert rounded is not None
    assert rounded.tolist() == [True, True, False, False]
    fill = lp_rounding(problem, np.array([1.0, 0.0, 0.0, 0.0]), np.array([0, -0.5, -1.0, -2.0]))
    assert fill is not None
    assert fill.tolist() == [True, True, False, False]  # 6 fits next to 10; 5 no longer does
