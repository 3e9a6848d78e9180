"""Cost-benefit figures against published worked examples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from pfund.appraisal import appraise, err, npv, payback_period
from pfund.appraisal.cba import benefit_cost_ratio, cost_per_unit, discount_factors
from tests.appraisal.helpers import make_project


def test_npv_matches_numpy_financial_documented_example() -> None:
    """numpy-financial docs, ``npf.npv``: 8%, -40,000 then 5,000, 8,000, 12,000, 30,000.

    Documented result 3065.22267 (numpy.org/numpy-financial/latest/npv.html).
    """
    assert npv(0.08, [-40_000, 5_000, 8_000, 12_000, 30_000]) == pytest.approx(3065.22267, abs=1e-5)


def test_irr_and_npv_match_numpy_financial_irr_docs() -> None:
    """numpy-financial docs, ``npf.irr``: irr([-100, 39, 59, 55, 20]) = 0.28095 and
    npv(0.281, [-100, 39, 59, 55, 20]) = -0.0085 (numpy.org/numpy-financial/latest/irr.html).
    """
    result = err([-100, 39, 59, 55, 20])
    assert result.status == "unique"
    assert result.value == pytest.approx(0.28095, abs=5e-6)
    assert npv(0.281, [-100, 39, 59, 55, 20]) == pytest.approx(-0.0085, abs=5e-5)


@pytest.mark.parametrize(
    ("stream", "expected"),
    [([-100, 0, 0, 74], -0.0955), ([-100, 100, 0, 7], 0.06206)],
)
def test_irr_matches_further_numpy_financial_examples(stream: list[float], expected: float) -> None:
    """numpy-financial ``irr`` docstring: -0.0955 and 0.06206 for these streams."""
    result = err(stream)
    assert result.status == "unique"
    assert result.value == pytest.approx(expected, abs=5e-5)


@pytest.mark.parametrize(
    ("stream", "reported"), [([-100, 100, 0, -7], -0.0833), ([-5, 10.5, 1, -8, 1], 0.0886)]
)
def test_streams_numpy_financial_resolves_silently_are_reported_as_multiple(
    stream: list[float], reported: float
) -> None:
    """numpy-financial's docstring gives one IRR (-0.0833, 0.0886) for these streams; both
    have several roots in (-1, inf), which err() lists instead of choosing one.
    """
    result = err(stream)
    assert result.status == "multiple"
    assert result.value is None
    assert min(abs(r - reported) for r in result.roots) < 5e-5


def test_excel_irr_documented_examples() -> None:
    """Microsoft Excel IRR help: -70,000 then 12,000, 15,000, 18,000, 21,000 (, 26,000):
    IRR after four years -2.1%, after five 8.7%; after two years -44.4%.
    """
    flows = [-70_000, 12_000, 15_000, 18_000, 21_000, 26_000]
    assert err(flows).value == pytest.approx(0.0866, abs=5e-5)
    assert err(flows[:5]).value == pytest.approx(-0.0212, abs=5e-5)
    assert err(flows[:3]).value == pytest.approx(-0.4435, abs=5e-5)


def test_excel_npv_documented_examples_discount_the_first_value_one_period() -> None:
    """Microsoft Excel NPV help. Example 1: NPV(10%, -10,000, 3,000, 4,200, 6,800) =
    1,188.44. Example 2: NPV(8%, 8,000, 9,200, 10,000, 12,000, 14,500) - 40,000 = 1,922.06,
    and with a 9,000 loss in year six -3,749.47.
    """
    assert npv(0.10, [-10_000, 3_000, 4_200, 6_800], first_period=1) == pytest.approx(
        1188.44, abs=0.005
    )
    returns = [8_000, 9_200, 10_000, 12_000, 14_500]
    assert npv(0.08, returns, first_period=1) - 40_000 == pytest.approx(1922.06, abs=0.005)
    assert npv(0.08, [*returns, -9_000], first_period=1) - 40_000 == pytest.approx(
        -3749.47, abs=0.005
    )


def test_pump_problem_has_two_rates_25_and_400_percent() -> None:
    """Lorie and Savage (J. Business 28(4), 1955), the oil-pump problem, as retold in
    Brealey, Myers and Allen, Principles of Corporate Finance, ch. 5: -1,600, +10,000,
    -10,000 has IRRs of 25% and 400%.
    """
    result = err([-1_600, 10_000, -10_000])
    assert result.status == "multiple"
    assert result.roots == pytest.approx((0.25, 4.0))


def test_triple_root_is_one_rate() -> None:
    """Brealey-Myers-Allen-style stream +1,000, -3,600, +4,320, -1,728 = 1000 (1 - 1.2x)^3:
    three sign changes but a single (triple) rate of 20%.
    """
    result = err([1_000, -3_600, 4_320, -1_728])
    assert result.status == "unique"
    assert result.value == pytest.approx(0.2, abs=1e-6)


def test_stream_with_no_sign_change_has_no_rate() -> None:
    assert err([-5, -3, 0, -1]).status == "none"
    assert err([0, 0, 0]).roots == ()


def test_forty_year_stream_rate_agrees_with_bracketing() -> None:
    """A 3-year build and 37 years of benefits: the companion-matrix root is the one
    brentq finds, and the NPV there is zero.
    """
    flows = np.array([-100.0] * 3 + [9.0] * 37)
    result = err(flows)
    direct = brentq(lambda r: npv(r, flows), 0.0, 1.0, xtol=1e-14)
    assert result.value == pytest.approx(direct, abs=1e-10)
    assert npv(direct, flows) == pytest.approx(0.0, abs=1e-8)


def test_payback_is_the_first_period_from_which_the_cumulative_stays_non_negative() -> None:
    assert payback_period([-100, 50, 50, 10]) == 2
    assert payback_period([-100, 150, -100, 60]) == 3
    assert payback_period([-100, 50, 40]) is None
    assert payback_period([-100, 50, 55], rate=0.1) is None


def test_appraise_discounts_to_the_end_of_the_base_year() -> None:
    project = make_project(
        costs={2027: {"capital": [90, 100, 130]}},
        benefits={"b": {"per_year": [20, 30, 40], "from": 2028, "years": 5}},
        outcomes={"people_served": [5, 10, 20]},
    )
    a = appraise(project, rate=0.05, base_year=2026)
    assert a.pv_costs == pytest.approx(100 / 1.05)
    assert a.pv_benefits == pytest.approx(sum(30 * 1.05 ** -(t + 2) for t in range(5)))
    assert a.npv == pytest.approx(a.pv_benefits - a.pv_costs)
    assert a.bcr == pytest.approx(a.pv_benefits / a.pv_costs)
    assert a.err.status == "unique"
    assert a.err_passes is True
    assert a.payback_year == 2031
    assert a.cost_per_unit["people_served"] == pytest.approx(a.pv_costs / 10)


def test_small_helpers_handle_zero_and_bad_rates() -> None:
    assert benefit_cost_ratio(10.0, 0.0) is None
    assert cost_per_unit(10.0, 0.0) is None
    with pytest.raises(ValueError, match="above -1"):
        discount_factors(-1.0, 3)
