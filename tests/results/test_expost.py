"""Ex-post appraisal and reference-class calibration."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from pfund.appraisal.cba import appraise
from pfund.errors import InvalidInput
from pfund.results.expost import (
    ProjectType,
    buhlmann_k,
    calibrate,
    ex_post,
    green_book_table,
    portfolio_movement,
    realised_benefits,
    uplift_project,
)
from tests.appraisal.helpers import make_project


def test_ex_post_figures_by_hand() -> None:
    # Cost 100 in 2024, benefit 60 in 2025 and 2026, base year 2024, 10%:
    # PV costs 100; PV benefits 60/1.1 + 60/1.21 = 54.545 + 49.587 = 104.132
    result = ex_post({2024: 100.0}, {2025: 60.0, 2026: 60.0}, rate=0.10, base_year=2024)
    assert result.pv_costs == pytest.approx(100.0)
    assert result.pv_benefits == pytest.approx(104.1322314)
    assert result.npv == pytest.approx(4.1322314)
    assert result.bcr == pytest.approx(1.041322314)
    # ERR: -100 + 60/(1+r) + 60/(1+r)^2 = 0 -> 1/(1+r) = (-60 + sqrt(3600 + 24000)) / 120
    x = (-60 + np.sqrt(3600 + 24000)) / 120
    assert result.err.value == pytest.approx(1 / x - 1)


def test_ex_post_on_the_appraised_streams_gives_the_ex_ante_figures() -> None:
    project = make_project(
        costs={2026: {"capital": [90, 100, 130]}, 2027: {"running": 10}},
        benefits={"time": {"per_year": [20, 30, 40], "from": 2027, "years": 6}},
        outcomes={"km": [8, 10, 12]},
    )
    same = realised_benefits(project, {"km": 10.0})
    result = ex_post({2026: 100.0, 2027: 10.0}, same, rate=0.06, base_year=2025, project=project)
    ante = appraise(project, rate=0.06, base_year=2025)
    assert result.npv == pytest.approx(ante.npv)
    assert result.ex_ante_npv == pytest.approx(ante.npv)
    assert result.err.value == pytest.approx(ante.err.value)
    # only 8 of the 10 km verified: every year's benefit is 80% of the appraised
    short = realised_benefits(project, {"km": 8.0})
    assert short[2028] == pytest.approx(0.8 * 30)


def test_a_verified_value_for_an_outcome_the_project_lacks_is_refused() -> None:
    project = make_project(outcomes={"km": 10})
    with pytest.raises(InvalidInput) as caught:
        realised_benefits(project, {"people": 3.0})
    assert "people" in str(caught.value)


def test_the_green_book_table_is_the_one_cited() -> None:
    table = green_book_table()
    assert table[ProjectType.STANDARD_BUILDINGS] == (0.02, 0.24)
    assert table[ProjectType.NON_STANDARD_CIVIL_ENGINEERING] == (0.06, 0.66)
    assert table[ProjectType.EQUIPMENT_DEVELOPMENT] == (0.10, 2.00)
    assert table[ProjectType.OUTSOURCING] == (0.0, 0.41)
    assert len(table) == 6


TYPES = {
    "water": ProjectType.STANDARD_CIVIL_ENGINEERING,
    "schools": ProjectType.STANDARD_BUILDINGS,
}


def finished(n_water: int, overrun: float) -> dict[str, Any]:
    est = np.full(n_water, 100.0)
    return {
        "area": np.array(["water"] * n_water),
        "estimated_cost": est,
        "realised_cost": est * overrun,
        "estimated_benefit": est,
        "realised_benefit": est * 0.9,
    }


def test_below_the_minimum_count_the_green_book_prior_is_used() -> None:
    result = calibrate(**finished(9, 1.30), area_types=TYPES, min_count=10)
    water = result["water"]
    assert water.source == "prior" and water.count == 9 and water.credibility == 0
    # standard civil engineering: 1 + 3% .. 1 + 44%, starting at the upper bound
    assert (water.cost.low, water.cost.likely, water.cost.high) == (1.03, 1.44, 1.44)
    assert water.moved_cost(1_000_000) == pytest.approx(440_000)
    assert water.benefit.mean == 1.0
    assert result["schools"].source == "prior" and result["schools"].count == 0


def test_history_is_blended_with_the_prior_by_credibility() -> None:
    # 30 water projects, each 10% over: Z = 30 / (30 + 10) = 0.75
    # cost mean = 0.75 x 1.10 + 0.25 x 1.44 = 0.825 + 0.36 = 1.185
    water = calibrate(**finished(30, 1.10), area_types=TYPES, k=10)["water"]
    assert water.source == "blend"
    assert water.credibility == pytest.approx(0.75)
    assert water.cost.mean == pytest.approx(1.185)
    assert water.cost.low == pytest.approx(0.75 * 1.10 + 0.25 * 1.03)
    assert water.moved_cost(200.0) == pytest.approx(37.0)
    # benefits: 0.75 x 0.9 + 0.25 x 1 = 0.925
    assert water.benefit.mean == pytest.approx(0.925)
    assert water.history_cost is not None and water.history_cost.mean == pytest.approx(1.10)


def test_the_history_three_points_are_the_10th_50th_and_90th_percentiles() -> None:
    ratios = np.linspace(0.8, 1.8, 101)
    data: dict[str, Any] = {
        "area": np.array(["water"] * 101),
        "estimated_cost": np.full(101, 10.0),
        "realised_cost": 10.0 * ratios,
        "estimated_benefit": np.full(101, 10.0),
        "realised_benefit": np.full(101, 10.0),
    }
    hist = calibrate(**data, area_types=TYPES)["water"].history_cost
    assert hist is not None
    assert (hist.low, hist.likely, hist.high) == pytest.approx((0.9, 1.3, 1.7))


def test_an_area_without_a_project_type_is_refused_naming_it() -> None:
    data = finished(3, 1.0) | {"area": np.array(["water", "roads", "water"])}
    with pytest.raises(InvalidInput) as caught:
        calibrate(**data, area_types=TYPES)
    assert "area 'roads' needs a project type" in str(caught.value)


def test_a_zero_estimate_is_refused_naming_the_row() -> None:
    data = finished(3, 1.0)
    data["estimated_cost"] = np.array([100.0, 0.0, 100.0])
    with pytest.raises(InvalidInput) as caught:
        calibrate(**data, area_types=TYPES)
    assert caught.value.problems[0].row == 2
    assert caught.value.problems[0].field == "estimated_cost"


def test_buhlmann_k_recovers_the_ratio_of_within_to_between_variance() -> None:
    rng = np.random.default_rng(5)
    classes = 200
    means = 1.2 + rng.normal(0, 0.1, classes)  # between variance 0.01
    area = np.repeat(np.arange(classes).astype(str), 20)
    ratio = np.repeat(means, 20) + rng.normal(0, 0.3, classes * 20)  # within 0.09
    k = buhlmann_k(area, ratio)
    assert k is not None and k == pytest.approx(9.0, rel=0.25)
    assert buhlmann_k(np.array(["a"] * 5), np.ones(5)) is None


def test_uplifting_a_project_moves_every_cost_point_by_the_area_uplift() -> None:
    project = make_project(
        area="water",
        costs={2026: {"capital": [90, 100, 130]}, 2027: {"running": 10}},
        benefits={"time": {"per_year": [20, 30, 40], "from": 2027, "years": 3}},
    )
    cal = calibrate(**finished(0, 1.0), area_types=TYPES)["water"]
    moved = uplift_project(project, cal)
    # prior, standard civil engineering: x 1.44; 90, 100, 130 -> 129.60, 144.00, 187.20
    capital = moved.costs[2026].capital
    assert capital is not None
    assert capital.as_list() == [Decimal("129.60"), Decimal("144.00"), Decimal("187.20")]
    assert moved.benefits["time"].by_year[2028].likely == Decimal("30.00")  # no benefit prior
    before = appraise(project, rate=0.0, base_year=2026).pv_costs
    after = appraise(moved, rate=0.0, base_year=2026).pv_costs
    assert after == pytest.approx(before * 1.44)


def test_portfolio_movement_says_which_uplift_and_by_how_much() -> None:
    cals = calibrate(**finished(30, 1.10), area_types=TYPES, k=10)
    projects = [
        make_project("W-1", area="water"),  # likely cost 100
        make_project("W-2", area="water", costs={2026: {"capital": 300}}),
        make_project("S-1", area="schools"),
    ]
    water, schools = sorted(portfolio_movement(projects, cals), key=lambda m: m.area)[::-1]
    assert (water.area, water.source, water.projects) == ("water", "blend", 2)
    assert water.cost_before == pytest.approx(400)
    assert water.moved == pytest.approx(400 * 0.185)  # mean 1.185, from the blend test
    assert schools.source == "prior"
    assert schools.moved == pytest.approx(100 * 0.24)
    with pytest.raises(InvalidInput, match="no calibration"):
        portfolio_movement([make_project(area="roads")], cals)


def test_columns_of_different_lengths_are_refused() -> None:
    data = finished(3, 1.0) | {"realised_cost": np.array([100.0, 100.0])}
    with pytest.raises(InvalidInput, match="differ in length"):
        calibrate(**data, area_types=TYPES)
