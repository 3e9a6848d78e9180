"""The scenario-aware portfolio: one deterministic equivalent, checked by enumeration."""

from __future__ import annotations

from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfund.conditions import (
    Scenario,
    compare_scenarios,
    mix,
    reach_probabilities,
    scenario_problem,
    start_years_of,
    what_if,
)
from pfund.errors import InvalidInput
from pfund.portfolio import PortfolioProblem, build_problem, optimise

Path = dict[int, int]  # stage -> year reached
PATHS: list[tuple[Path, float]] = [({1: 2026, 2: 2027}, 0.3), ({1: 2027}, 0.5), ({}, 0.2)]
PROJECTS: dict[str, dict[str, object]] = {
    "A": {"value": 6, "cost": {2026: 6}, "stage": 0},
    "B": {"value": 12, "cost": {2027: 8}, "stage": 2},
    "C": {"value": 5, "cost": {2027: 4}, "stage": 1},
    "D": {"value": 4, "cost": {2026: 3, 2027: 1}, "stage": 1},
    "E": {"value": 9, "cost": {2027: 2}, "stage": 3},
}


def _problem(**kw: object) -> PortfolioProblem:
    return build_problem(PROJECTS, {2026: 10.0, 2027: 10.0}, **kw)  # type: ignore[arg-type]


def _mixture(paths: list[tuple[Path, float]]) -> Scenario:
    named = {f"p{k}": Scenario(path=path, weight=w) for k, (path, w) in enumerate(paths)}
    return mix(named)


def _goes_ahead(path: Path, stage: int, start: int) -> bool:
    """Independent of the engine: stage 0 always; else reached in a year not after start."""
    return stage == 0 or (stage in path and path[stage] <= start)


def _explicit(
    p: PortfolioProblem, starts: list[int], x: np.ndarray, paths: list[tuple[Path, float]]
) -> tuple[float, bool]:
    """Expected value over enumerated paths, and whether budgets hold on every path."""
    total = sum(w for _, w in paths)
    value, feasible = 0.0, True
    for path, w in paths:
        ahead = np.array([_goes_ahead(path, int(p.stages[i]), starts[i]) for i in range(p.n)])
        on = x & ahead
        value += w / total * float(p.value[on].sum())
        feasible &= bool(np.all(p.cost[on].sum(axis=0) <= p.budget + 1e-9))
    return value, feasible


def _brute_force(p: PortfolioProblem, paths: list[tuple[Path, float]]) -> tuple[float, set[str]]:
    starts = start_years_of(p)
    never = reach_probabilities(p, starts, _mixture(paths)) == 0
    best, chosen = -1.0, set()
    for bits in product([False, True], repeat=p.n):
        x = np.array(bits)
        worst_case = np.all(p.cost[x].sum(axis=0) <= p.budget)  # every path, all unlocked
        value, feasible = _explicit(p, starts, x, paths)
        if feasible and worst_case and not (x & never).any() and value > best + 1e-9:
            best, chosen = value, {p.ids[i] for i in np.flatnonzero(x)}
    return best, chosen


def test_expected_value_optimum_differs_from_deterministic_and_matches_brute_force() -> None:
    p = _problem()
    scenario = _mixture(PATHS)
    deterministic = optimise(p, time_limit=10).solution
    assert {p.ids[i] for i in np.flatnonzero(deterministic.selected)} == {"A", "B", "E"}
    sol = optimise(scenario_problem(p, None, scenario), time_limit=10).solution
    chosen = {p.ids[i] for i in np.flatnonzero(sol.selected)}
    best, best_set = _brute_force(p, PATHS)
    assert chosen == best_set == {"A", "C", "D"}
    assert sol.objective == pytest.approx(best) == pytest.approx(6 + 0.8 * 5 + 0.3 * 4)


def test_projects_that_can_never_go_ahead_are_excluded_or_reported() -> None:
    p = _problem()
    equivalent = scenario_problem(p, None, _mixture(PATHS))
    assert p.ids.index("E") in equivalent.must_exclude
    with pytest.raises(InvalidInput) as info:
        scenario_problem(_problem(must_include=["E"]), None, _mixture(PATHS))
    assert "E must be included but needs stage 3" in str(info.value)


def test_start_years_must_cover_every_project() -> None:
    with pytest.raises(InvalidInput, match="start years"):
        scenario_problem(_problem(), [2026], _mixture(PATHS))


def test_what_if_only_the_ceasefire_holds() -> None:
    p = what_if(_problem(), 1)
    sol = optimise(p, time_limit=10).solution
    chosen = {p.ids[i] for i in np.flatnonzero(sol.selected)}
    assert chosen == {"A", "C", "D"}
    assert what_if(_problem(max_stage=0), 2).max_stage == 0


def test_what_if_keeps_committed_projects_and_optimises_the_rest() -> None:
    """B (stage 2) is approved: "only stage 1" keeps it and chooses among the others."""
    p = _problem().with_changes(committed=frozenset({1}))
    sol = optimise(what_if(p, 1), time_limit=10).solution
    assert sol.has_portfolio
    chosen = {p.ids[i] for i in np.flatnonzero(sol.selected)}
    assert "B" in chosen and "E" not in chosen
    assert sum(PROJECTS[k]["cost"].get(2027, 0) for k in chosen) <= 10  # type: ignore[attr-defined]
    plain = _problem(must_include=["B"])  # forced in by policy, not committed: a conflict
    assert not optimise(what_if(plain, 1), time_limit=10).solution.has_portfolio


def test_the_err_hurdle_gates_unless_forced_in() -> None:
    err = np.array([0.03, 0.2, np.nan, 0.09, 0.5])
    p = _problem().with_changes(err=err, hurdle=0.10)
    assert p.below_hurdle() == {0, 3}
    sol = optimise(p, time_limit=10).solution
    assert not sol.selected[0] and not sol.selected[3]
    forced = _problem(must_include=["A"]).with_changes(err=err, hurdle=0.10)
    assert forced.below_hurdle() == {3}


def test_compare_scenarios_reports_each_and_a_conflict() -> None:
    scenarios = {
        "settlement": Scenario(path={1: 2026, 2: 2027, 3: 2027}),
        "ceasefire_only": Scenario(path={1: 2026}),
    }
    outcomes = compare_scenarios(_problem(), None, scenarios, time_limit=10)
    by_name = {o.scenario: o for o in outcomes}
    assert set(by_name["settlement"].chosen) == {"A", "B", "E"}
    assert by_name["settlement"].expected_value == pytest.approx(27)
    assert set(by_name["ceasefire_only"].chosen) == {"A", "C", "D"}
    assert by_name["ceasefire_only"].expected_disbursements == {2026: 9.0, 2027: 5.0}
    forced = compare_scenarios(
        _problem(must_include=["B"]), None, {"c": scenarios["ceasefire_only"]}, time_limit=10
    )
    assert forced[0].status == "conflict"
    assert "B must be included" in forced[0].message


YEARS = st.integers(2026, 2031)


@st.composite
def _paths(draw: st.DrawFn) -> tuple[Path, float]:
    """A nested path: stage 1..k reached in non-decreasing years, the rest never."""
    k = draw(st.integers(0, 3))
    years = sorted(draw(st.lists(YEARS, min_size=k, max_size=k)))
    weight = draw(st.floats(0.05, 5.0))
    return dict(zip(range(1, k + 1), years, strict=True)), weight


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.floats(0, 100), st.integers(0, 3), YEARS, st.booleans()),
        min_size=1,
        max_size=6,
    ),
    paths=st.lists(_paths(), min_size=1, max_size=4),
)
def test_deterministic_equivalent_value_equals_average_over_paths(
    rows: list[tuple[float, int, int, bool]], paths: list[tuple[Path, float]]
) -> None:
    p = PortfolioProblem(
        ids=tuple(f"P{i}" for i in range(len(rows))),
        value=np.array([r[0] for r in rows]),
        cost=np.ones((len(rows), 1)),
        periods=(2026,),
        budget=np.array([np.inf]),
        stage=np.array([r[1] for r in rows]),
    )
    starts = [r[2] for r in rows]
    x = np.array([r[3] for r in rows])
    equivalent = scenario_problem(p, starts, _mixture(paths))
    expected, _ = _explicit(p, starts, x, paths)
    assert equivalent.portfolio_value(x) == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_what_if_drops_area_floors_no_allowed_project_can_meet() -> None:
    problem = PortfolioProblem(
        ids=("GOV", "HLT"),
        value=np.array([1.0, 1.0]),
        cost=np.array([[1.0], [1.0]]),
        periods=(2027,),
        budget=np.array([5.0]),
        area=("governance", "health"),
        area_min_share={"health": 0.2, "governance": 0.1},
        stage=np.array([0, 1]),
    )
    capped = what_if(problem, 0)
    assert capped.area_min_share == {"governance": 0.1}
    assert optimise(capped).solution.selected.tolist() == [True, False]
