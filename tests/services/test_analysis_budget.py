"""A frontier, robustness or scenario batch keeps to its time budget (issue 18, point 6).

``time_limit`` bounds each solve, ``total_time`` the whole batch (see
``pfund.services.analysis``). The batch's clock is replaced by one that moves a second
each time it is read, so what a budget cuts is the same on any machine: the answers are
labelled (``unsolved``, ``partial``, ``stand_in``) and counted, never a wall-clock time.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pfund.conditions.stochastic import NO_TIME as NO_SCENARIO_TIME
from pfund.portfolio.solvers import base as solver_base
from pfund.services.analysis import NO_TIME, STAND_IN, batch_budget, frontier, robustness
from pfund.services.appraisal import appraise_pipeline, load_inputs
from pfund.services.records import get_record
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.scenarios import run_scenarios
from tests.api.conftest import demo_template, settings_for, unapproved_template

__all__ = ["demo_template", "unapproved_template"]


class Ticking:
    """A clock that reads 0, 1, 2, ... seconds: one second passes per reading."""

    def __init__(self) -> None:
        self.t = -1.0

    def __call__(self) -> float:
        self.t += 1.0
        return self.t


@pytest.fixture
def fund(demo_template: Path, tmp_path: Path) -> Iterator[Runtime]:
    shutil.copy(demo_template, tmp_path / "pfund.db")
    rt = open_runtime(settings_for(f"sqlite:///{tmp_path / 'pfund.db'}"))
    yield rt
    rt.close()


def test_without_a_total_the_batch_gets_its_solves_limits_added_up(fund: Runtime) -> None:
    assert batch_budget(2.0, 7) == 14.0
    report = frontier(fund, points=3, equity_points=3, time_limit=5)
    # 3 budgets + the equity curve's 2 ends + its 3 points, 5 s each
    assert report.total_time == 40.0 and report.unsolved == 0 and not report.partial


def test_a_frontier_out_of_time_says_so_point_by_point(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(solver_base, "now", Ticking())
    # Readings: the service's deadline 0 + 2.5; the budget curve's 1 + 2.5 = 3.5; the
    # first budget at 2 (1.5 s left) and the second at 3 (0.5 s) are solved, the third
    # and fourth (at 4, 5) are not: the second's portfolio stands in for them. The
    # equity curve gets nothing (max(2.5 - 6, 0)) and is empty.
    report = frontier(fund, points=4, equity_points=3, time_limit=5, total_time=2.5)
    assert report.total_time == 2.5 and report.partial and report.unsolved == 2
    assert [p.unsolved for p in report.budget] == [False, False, True, True]
    assert [p.stand_in for p in report.budget] == [False, False, True, True]
    assert [p.answer for p in report.budget][2:] == [STAND_IN, STAND_IN]
    assert report.budget[2].value == report.budget[1].value is not None
    assert report.equity == []


def test_a_batch_with_no_time_answers_nothing_and_labels_it(fund: Runtime) -> None:
    report = frontier(fund, points=3, equity_points=3, time_limit=5, total_time=0.0)
    assert report.unsolved == 3 and report.partial
    assert all(p.value is None and p.answer == NO_TIME for p in report.budget)
    pa = appraise_pipeline(load_inputs(fund))
    robust = robustness(fund, pa, draws=3, weight_sets=0, time_limit=5, total_time=0.0)
    assert robust.re_optimisations == 3 and robust.unsolved == 3 and robust.partial
    assert robust.lines == []  # no portfolio, so no core index


def test_robustness_out_of_time_rests_on_the_solved_draws(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    pa = appraise_pipeline(load_inputs(fund))
    monkeypatch.setattr(solver_base, "now", Ticking())
    # The deadline is read at 0: 2.5. The draws are read at 1 and 2 (solved), 3 and 4 (not).
    robust = robustness(fund, pa, draws=4, weight_sets=0, time_limit=5, total_time=2.5)
    assert robust.re_optimisations == 4 and robust.unsolved == 2 and robust.partial
    assert robust.lines and all(line.core_index in (0.0, 0.5, 1.0) for line in robust.lines)


SCENARIOS = (
    "scenarios:\n"
    "  ceasefire_only: {stage_1: {2026: 0.5, 2027: 1.0}}\n"
    "  settlement: {path: {1: 2026, 2: 2028, 3: 2031}}\n"
    "  late_settlement: {path: {1: 2027, 2: 2030, 3: 2033}}\n"
)


def test_scenarios_out_of_time_say_which_were_not_solved(
    fund: Runtime, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(SCENARIOS, encoding="utf-8")
    pa = appraise_pipeline(load_inputs(fund))
    monkeypatch.setattr(solver_base, "now", Ticking())
    # Readings: the service's deadline 0 + 2.5; compare_scenarios' 1 + 2.5 = 3.5; the
    # scenarios at 2 (1.5 s left) and 3 (0.5 s) are solved, the third at 4 is not. The
    # stages get what is left at 5 (nothing): their deadline is 6, read from 7 on.
    report = run_scenarios(fund, pa, path, time_limit=5, total_time=2.5)
    assert [s.unsolved for s in report.scenarios] == [False, False, True]
    assert report.scenarios[2].message == NO_SCENARIO_TIME and report.scenarios[2].chosen == []
    assert all(s.unsolved and s.message == NO_SCENARIO_TIME for s in report.by_stage)
    assert report.unsolved == 1 + len(report.by_stage) and report.partial
    assert report.total_time == 2.5
    record = get_record(fund, report.record_id, kind="scenario")
    assert record.parameters["total_time"] == 2.5 and record.result["unsolved"] == report.unsolved


def test_scenarios_with_time_enough_are_all_solved(fund: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "scenarios.yaml"
    path.write_text(SCENARIOS, encoding="utf-8")
    report = run_scenarios(
        fund, appraise_pipeline(load_inputs(fund)), path, record=False, time_limit=5
    )
    # 3 scenarios + 4 stages, 5 s each, and nothing cut
    assert report.total_time == 5 * (3 + len(report.by_stage))
    assert report.unsolved == 0 and not report.partial
    assert all(s.chosen for s in report.scenarios)
