"""A funding rule refuses every bad setting at once, naming the field and what would do."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pfund.errors import InvalidInput
from pfund.funding import FundingKind, FundingRule

D = Decimal


def problems(**kwargs: Any) -> dict[str | None, str]:
    with pytest.raises(InvalidInput) as info:
        FundingRule(**kwargs)
    return {p.field: p.reason for p in info.value.problems}


@pytest.mark.parametrize("share", [D(0), D("-0.001"), D("0.0501")])
def test_share_outside_zero_to_five_percent_is_refused(share: Decimal) -> None:
    assert "above 0 and at most 0.05" in problems(share=share)["share"]


def test_five_percent_share_is_the_largest_accepted() -> None:
    assert FundingRule(share=D("0.05")).share == D("0.05")


def test_unknown_kind_lists_the_valid_choices() -> None:
    reason = problems(kind="per_capita")["kind"]
    assert reason == (
        "unknown kind 'per_capita'; valid choices: gdp_share, capped_share, defence_share"
    )


@pytest.mark.parametrize("fraction", [D("-0.1"), D("1.01")])
def test_ramp_fraction_outside_zero_to_one_is_refused(fraction: Decimal) -> None:
    assert "between 0 and 1" in problems(ramp={2027: fraction})["ramp[2027]"]


def test_falling_ramp_is_refused_at_the_year_it_falls() -> None:
    reason = problems(ramp={2026: D("0.5"), 2027: D("0.25"), 2028: D("1")})["ramp[2027]"]
    assert reason == "ramp falls from 0.5 in 2026 to 0.25 in 2027; it may only rise"


@pytest.mark.parametrize("cap", [D(0), D("1.5")])
def test_cap_share_outside_zero_to_one_is_refused(cap: Decimal) -> None:
    found = problems(kind="capped_share", cap_share_of_total=cap)
    assert "above 0 and at most 1" in found["cap_share_of_total"]


def test_capped_share_needs_exactly_one_cap() -> None:
    assert "exactly one" in problems(kind="capped_share")["cap_share_of_total"]
    both = problems(kind="capped_share", cap_share_of_total=D("0.4"), cap_usd=D(1))
    assert "exactly one" in both["cap_share_of_total"]


def test_caps_and_defence_share_are_refused_on_kinds_that_ignore_them() -> None:
    found = problems(cap_usd=D(1), defence_share=D("0.1"))
    assert found["cap_usd"] == "cap_usd applies only to kind 'capped_share'"
    assert found["defence_share"] == "defence_share applies only to kind 'defence_share'"


def test_defence_share_kind_needs_a_defence_share() -> None:
    assert "defence_share must be above 0" in problems(kind="defence_share")["defence_share"]


def test_growth_outside_minus_one_to_one_is_refused() -> None:
    assert "gdp_growth" in problems(gdp_growth=D(-1))


def test_all_problems_are_reported_at_once() -> None:
    found = problems(kind="x", share=D(1), ramp={2030: D(2)}, gdp_growth=D(3))
    assert set(found) == {"kind", "share", "ramp[2030]", "gdp_growth"}


def test_floats_are_read_as_the_decimals_they_are_written_as() -> None:
    rule = FundingRule(kind="defence_share", defence_share=0.1, ramp={2026: 0.1})  # type: ignore[arg-type, dict-item]
    assert rule.defence_share == D("0.1")
    assert rule.ramp[2026] == D("0.1")
    assert rule.kind is FundingKind.DEFENCE_SHARE


def test_ramp_fraction_steps_between_ramp_years_and_is_full_after_the_last() -> None:
    rule = FundingRule(ramp={2026: D("0.1"), 2028: D("0.5")})
    got = [rule.ramp_fraction(y) for y in range(2025, 2030)]
    assert got == [D(0), D("0.1"), D("0.1"), D("0.5"), D(1)]
    assert FundingRule().ramp_fraction(1990) == 1


def test_a_rule_is_frozen_and_its_ramp_cannot_be_changed() -> None:
    rule = FundingRule(ramp={2026: D("0.1")})
    with pytest.raises(TypeError):
        rule.ramp[2027] = D(1)  # type: ignore[index]
