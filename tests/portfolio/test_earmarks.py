"""Earmarked money as constraints: a hand-made portfolio whose choice an earmark changes,
and the Hall rows two overlapping earmarks need, against every adapter."""

from __future__ import annotations

import numpy as np

from pfund.domain.donor_agreement import Earmark
from pfund.portfolio import Solver, build_problem, greedy, optimise
from pfund.portfolio.earmarks import EarmarkPool, SpendCap, scaled_caps, spend_caps
from pfund.portfolio.frontier import budget_frontier
from pfund.portfolio.problem import PortfolioProblem
from pfund.services.problem_json import problem_from_json, problem_to_json

# 2027's budget is 100. A: health, costs 60, worth 5; B: transport, 60, worth 10;
# C: transport, 40, worth 6.
PROJECTS = {
    "A": {"value": 5.0, "cost": {2027: 60.0}, "area": "health"},
    "B": {"value": 10.0, "cost": {2027: 60.0}, "area": "transport"},
    "C": {"value": 6.0, "cost": {2027: 40.0}, "area": "transport"},
}


def _with_earmarks(pools: list[EarmarkPool]) -> PortfolioProblem:
    base = build_problem(PROJECTS, {2027: 100.0})
    return base.with_changes(
        spend_caps=spend_caps(
            areas=base.area,
            stages=[int(s) for s in base.stages],
            periods=base.periods,
            budget=[float(b) for b in base.budget],
            pools=pools,
        )
    )


def _health(amount: float) -> EarmarkPool:
    return EarmarkPool("DA-1", {2027: amount}, Earmark(areas=["health"]).allows)


def _chosen(problem: PortfolioProblem, solver: Solver) -> list[str]:
    found = optimise(problem, solver=solver, time_limit=10).solution
    return [problem.ids[i] for i in np.flatnonzero(found.selected)]


def test_an_earmark_changes_the_choice(solver: Solver) -> None:
    """Without an earmark B + C (cost 100, worth 16) is best. With 50 of the 100
    earmarked for health, spending outside health is at most 100 - 50 = 50: B (60) no
    longer fits beside anything, so A + C (60 + 40, worth 11) beats C alone (6)."""
    assert _chosen(_with_earmarks([]), solver) == ["B", "C"]
    earmarked = _with_earmarks([_health(50.0)])
    [cap] = earmarked.spend_caps
    assert (cap.members, cap.cap) == ((1, 2), (50.0,))
    assert _chosen(earmarked, solver) == ["A", "C"]
    assert [earmarked.ids[i] for i in np.flatnonzero(greedy(earmarked).selected)] == ["A", "C"]


def test_earmarked_money_need_not_be_spent(solver: Solver) -> None:
    """With 100 of 100 earmarked for health, only A may be chosen: the rest waits."""
    assert _chosen(_with_earmarks([_health(100.0)]), solver) == ["A"]


def test_overlapping_earmarks_get_the_joint_row() -> None:
    """Health 30 and health-or-education 30: for the set of both, the projects neither
    allows (B, C) may spend at most 100 - 30 - 30 = 40, tighter than either alone (70);
    the second earmark alone reaches the same projects, so only the tighter row stays."""
    pools = [
        _health(30.0),
        EarmarkPool("DA-2", {2027: 30.0}, Earmark(areas=["health", "education"]).allows),
    ]
    caps = _with_earmarks(pools).spend_caps
    assert [(c.members, c.cap) for c in caps] == [((1, 2), (40.0,))]


def test_a_stage_earmark_allows_only_that_stage() -> None:
    early = Earmark(stages=[0, 1])
    assert early.allows("transport", 1) and not early.allows("transport", 2)


def test_earmark_caps_survive_the_decision_record() -> None:
    problem = _with_earmarks([_health(50.0)])
    again = problem_from_json(problem_to_json(problem))
    assert [(c.name, c.members, c.cap) for c in again.spend_caps] == [("DA-1", (1, 2), (50.0,))]
    assert "spend_caps" not in problem_to_json(_with_earmarks([]))


def test_an_infeasible_earmark_is_named_with_the_budget(solver: Solver) -> None:
    """B must be included, but with 50 earmarked for health only 50 may go elsewhere:
    the conflict names the earmarked budget."""
    problem = _with_earmarks([_health(50.0)]).with_changes(must_include=frozenset({1}))
    found = optimise(problem, solver=solver, time_limit=10)
    assert found.conflict is not None
    assert "the budget less the money earmarked by DA-1" in found.conflict.explanation


def test_the_budget_frontier_scales_the_earmark_caps(solver: Solver) -> None:
    """At f times the budget every pool is f times as large (pfund.portfolio.earmarks):
    with 50 of 100 earmarked for health, spending outside health is at most 50 f. The
    curve runs f = 0, 0.4, 0.8, 1.2, 1.6 (1.6 funds every project: 160 of cost).

    - f = 0.4: budget 40, cap 20: C (40, outside health) no longer fits, nor A (60):
      nothing (the original cap of 50 would let C in, worth 6);
    - f = 0.8: budget 80, cap 40: C alone (6);
    - f = 1.2: budget 120, cap 60: A + B (120, B's 60 outside health), worth 15 (the
      original cap of 50 would keep B out: A + C, 11);
    - f = 1.6: cap 80: A + B still (B + C would spend 100 outside health)."""
    problem = _with_earmarks([_health(50.0)])
    [cap] = scaled_caps(problem.spend_caps, 0.4)
    assert cap.members == (1, 2) and cap.cap == (20.0,)
    points = budget_frontier(problem, points=5, solver=solver, time_limit=10)
    assert [round(p.factor, 6) for p in points] == [0.0, 0.4, 0.8, 1.2, 1.6]
    chosen = [[problem.ids[i] for i in np.flatnonzero(p.selected)] for p in points]
    assert chosen == [[], [], ["C"], ["A", "B"], ["A", "B"]]
    assert [p.value for p in points] == [0.0, 0.0, 6.0, 15.0, 15.0]
    for p in points:  # each respects its own cap: at most half its budget outside health
        outside = sum(float(problem.total_cost[i]) for i in (1, 2) if p.selected[i])
        assert outside <= 0.5 * p.budget[0] + 1e-9
    unbounded = scaled_caps([SpendCap("x", (0,), (float("inf"), 10.0))], 0.0)
    assert unbounded[0].cap == (float("inf"), 0.0)


def test_the_budget_frontier_scales_the_region_caps(solver: Solver) -> None:
    """A region's cap is a share of the budget (policy.region_max_share x total), so at
    f times the budget it is f times as large. Two projects in region R (cost 40 each,
    worth 5 and 4) and one elsewhere (cost 40, worth 1); budget 120 (funds all three,
    so the curve runs f = 0, 0.5, 1), R capped at 50. At f = 0.5 (budget 60) R's cap is
    25 and no R project fits: X alone; the old cap of 50 would choose R1 there."""
    projects = {
        "R1": {"value": 5.0, "cost": {2027: 40.0}, "regions": ["R"]},
        "R2": {"value": 4.0, "cost": {2027: 40.0}, "regions": ["R"]},
        "X": {"value": 1.0, "cost": {2027: 40.0}, "regions": ["X"]},
    }
    problem = build_problem(projects, {2027: 120.0}, region_cap={"R": 50.0})
    points = budget_frontier(problem, points=3, solver=solver, time_limit=10)
    factors = [round(p.factor, 6) for p in points]
    chosen = [[problem.ids[i] for i in np.flatnonzero(p.selected)] for p in points]
    assert factors == [0.0, 0.5, 1.0]
    assert chosen == [[], ["X"], ["R1", "X"]]
