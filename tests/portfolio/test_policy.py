"""Greedy baseline, infeasibility diagnosis and explanations, against every adapter."""

from __future__ import annotations

import numpy as np
import pytest

from pfund.portfolio import (
    Group,
    GroupKind,
    PortfolioProblem,
    Reason,
    Solver,
    Status,
    build_problem,
    compare_with_greedy,
    explain_all,
    explain_project,
    find_conflict,
    greedy,
    optimise,
)
from tests.portfolio.cases import feasible, knapsack, random_problem


@pytest.mark.parametrize("seed", range(12))
def test_greedy_is_never_better_than_optimal(solver: Solver, seed: int) -> None:
    problem = random_problem(seed)
    best = solver.solve(problem, time_limit=10, threads=1)
    base = greedy(problem)
    if base.status is Status.FEASIBLE:
        assert feasible(problem, base.selected)
        assert base.objective <= best.objective + 1e-9


def test_greedy_equals_optimum_when_costs_are_equal(solver: Solver) -> None:
    problem = knapsack([5, 9, 2, 7, 4], [3, 3, 3, 3, 3], 9)
    assert greedy(problem).objective == solver.solve(problem, time_limit=5).objective == 21


def test_greedy_misses_the_classic_knapsack_optimum(solver: Solver) -> None:
    problem = knapsack([60, 100, 120], [10, 20, 30], 50)
    assert greedy(problem).objective == 160
    comparison = compare_with_greedy(problem, solver.solve(problem, time_limit=5))
    assert comparison.gain == 60
    assert "60 more value" in comparison.sentence


def test_greedy_waits_for_prerequisite_and_reports_unmet_minimum_share() -> None:
    problem = build_problem(
        {
            "A": {"value": 10, "cost": {2028: 1}, "area": "x", "depends_on": ["B"]},
            "B": {"value": 1, "cost": {2028: 1}, "area": "x"},
            "C": {"value": 1, "cost": {2028: 5}, "area": "y"},
        },
        {2028: 2},
        area_min_share={"y": 0.5},
    )
    result = greedy(problem)
    assert result.selected.tolist() == [True, True, False]
    assert result.status is Status.INFEASIBLE
    assert "minimum share" in result.message


def _forced_over_budget() -> PortfolioProblem:
    return build_problem(
        {
            "A": {"value": 5, "cost": {2028: 8e6}},
            "B": {"value": 5, "cost": {2028: 6e6}},
            "C": {"value": 5, "cost": {2028: 1e6, 2029: 50e6}},
            "D": {"value": 1, "cost": {2028: 1e6}},
        },
        {2028: 10e6, 2029: 100e6},
        must_include=["A", "B"],
    )


def test_infeasible_budget_is_explained_by_must_includes(solver: Solver) -> None:
    problem = _forced_over_budget()
    result = optimise(problem, solver=solver, time_limit=5)
    assert result.solution.status is Status.INFEASIBLE
    assert result.conflict is not None
    assert set(result.conflict.groups) == {
        Group(GroupKind.BUDGET, 0),
        Group(GroupKind.MUST_INCLUDE, 0),
        Group(GroupKind.MUST_INCLUDE, 1),
    }
    assert "the budget for 2028 (10 m) cannot cover the must-include projects A and B (14 m)" in (
        result.summary
    )


def test_infeasible_chain_of_links_names_every_link(solver: Solver) -> None:
    problem = build_problem(
        {
            "A": {"value": 1, "cost": {2028: 1}, "depends_on": ["B"]},
            "B": {"value": 1, "cost": {2028: 1}, "excludes": ["C"]},
            "C": {"value": 1, "cost": {2028: 1}},
            "D": {"value": 1, "cost": {2028: 1}, "stage": 3},
        },
        {2028: 10},
        must_include=["A", "C"],
        max_stage=1,
    )
    conflict = find_conflict(problem, solver=solver)
    assert set(conflict.groups) == {
        Group(GroupKind.MUST_INCLUDE, 0),
        Group(GroupKind.MUST_INCLUDE, 2),
        Group(GroupKind.DEPENDS, (0, 1)),
        Group(GroupKind.EXCLUDES, (1, 2)),
    }
    assert conflict.irreducible
    assert "A can only go ahead together with B" in conflict.explanation


def _explained_case() -> PortfolioProblem:
    return build_problem(
        {
            "ROAD": {"value": 100, "cost": {2028: 6, 2029: 1}, "area": "transport"},
            "ROAD-B": {"value": 60, "cost": {2028: 3}, "area": "transport", "excludes": ["ROAD"]},
            "BRIDGE": {"value": 50, "cost": {2028: 1}, "area": "transport", "depends_on": ["PORT"]},
            "PORT": {"value": 1, "cost": {2028: 9}, "area": "transport"},
            "SCHOOL": {"value": 30, "cost": {2028: 2}, "area": "education"},
            "CLINIC": {"value": 9, "cost": {2028: 3}, "area": "health"},
            "DAM": {"value": 90, "cost": {2028: 1}, "area": "energy", "stage": 3},
            "MINE": {"value": 90, "cost": {2028: 1}, "area": "energy"},
        },
        {2028: 9, 2029: 5},
        max_stage=2,
        must_exclude=["MINE"],
    )


def test_explain_gives_the_reason_for_each_project(solver: Solver) -> None:
    problem = _explained_case()
    sol = solver.solve(problem, time_limit=5)
    assert [problem.ids[i] for i in np.flatnonzero(sol.selected)] == ["ROAD", "SCHOOL"]
    reasons = {e.project: e for e in explain_all(problem, sol, solver=solver, time_limit=2)}
    assert reasons["ROAD"].reason is Reason.CHOSEN
    assert reasons["ROAD-B"].reason is Reason.EXCLUDED_ALTERNATIVE
    assert reasons["ROAD-B"].related == ("ROAD",)
    assert reasons["BRIDGE"].reason is Reason.MISSING_PREREQUISITE
    assert reasons["DAM"].reason is Reason.STAGE
    assert reasons["MINE"].reason is Reason.MUST_EXCLUDE
    clinic = reasons["CLINIC"]
    assert clinic.reason is Reason.DOMINATED
    assert clinic.binding[0].group == Group(GroupKind.BUDGET, 0)
    assert clinic.value_lost == pytest.approx(30 - 9)
    assert "the 2028 budget has 1 left and it needs 3" in clinic.sentence
    assert reasons["ROAD"].value_lost == pytest.approx(130 - (60 + 30 + 9))


def test_explain_one_project_by_id_without_resolving(solver: Solver) -> None:
    problem = _explained_case()
    sol = solver.solve(problem, time_limit=5)
    one = explain_project(problem, sol, "SCHOOL", solver=solver, resolve=False)
    assert one.selected
    assert one.value_lost is None
    assert one.sentence.startswith("SCHOOL is in")
