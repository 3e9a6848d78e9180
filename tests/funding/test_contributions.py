"""Contribution schedules on the shipped 2023 NATO data: the headline figure and each rule."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pfund.domain import Contributor
from pfund.errors import InvalidInput
from pfund.funding import CENT, FundingRule, cap_amounts, schedule
from pfund.io.dataset import load_dataset

D = Decimal


@pytest.fixture(scope="module")
def nato() -> list[Contributor]:
    return load_dataset().contributors


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_EVEN)


def test_quarter_percent_of_2023_nato_gdp_is_about_129_billion(nato: list[Contributor]) -> None:
    """0.25% of the 32 members' 2023 GDP: 129,363,225,904.50 exactly (each amount is exact
    to the cent already, so rounding changes nothing)."""
    envelope = schedule(nato, FundingRule(), years=[2023]).envelope()
    assert len(nato) == 32
    assert envelope == {2023: D("129363225904.50")}
    assert abs(envelope[2023] - D("129e9")) / D("129e9") < D("0.005")


def test_totals_by_year_and_by_member_add_up_to_the_same_total(nato: list[Contributor]) -> None:
    result = schedule(nato, FundingRule(gdp_growth=D("0.03")), years=[2026, 2027, 2028])
    assert sum(result.by_year().values()) == sum(result.by_member().values()) == result.total()
    assert result.envelope() == result.by_year()
    assert result.amount("DEU", 2026) == cents(
        next(c for c in nato if c.iso3 == "DEU").gdp_usd * D("0.0025") * D("1.03") ** 3
    )


def test_capped_share_holds_the_largest_member_to_the_cap_and_keeps_the_total(
    nato: list[Contributor],
) -> None:
    plain = schedule(nato, FundingRule(), years=[2023])
    capped = schedule(
        nato, FundingRule(kind="capped_share", cap_share_of_total=D("0.4")), years=[2023]
    )
    total = plain.envelope()[2023]
    # each member rounded to the cent: totals agree to half a cent per member
    assert abs(capped.envelope()[2023] - total) <= D("0.005") * len(nato)
    assert capped.amount("USA", 2023) == cents(D("0.4") * total)
    assert max(capped.by_member().values()) <= D("0.4") * total + CENT
    # the excess is shared pro rata: every uncapped member pays the same multiple
    ratio = capped.amount("DEU", 2023) / plain.amount("DEU", 2023)
    assert ratio > 1
    assert capped.amount("FRA", 2023) / plain.amount("FRA", 2023) == pytest.approx(ratio)


def test_capped_share_iterates_until_no_member_passes_the_cap(nato: list[Contributor]) -> None:
    """At 6% the USA is capped first; the excess then lifts others past 6% in turn."""
    rule = FundingRule(kind="capped_share", cap_share_of_total=D("0.06"))
    result = schedule(nato, rule, years=[2023])
    total = result.envelope()[2023]
    limit = D("0.06") * total
    at_cap = [iso for iso, v in result.by_member().items() if abs(v - limit) <= CENT]
    assert {"USA", "DEU", "GBR"} <= set(at_cap)
    assert all(v <= limit + CENT for v in result.by_member().values())


def test_capped_share_with_an_absolute_cap(nato: list[Contributor]) -> None:
    cap = D("30e9")
    result = schedule(nato, FundingRule(kind="capped_share", cap_usd=cap), years=[2023])
    assert result.amount("USA", 2023) == cap
    assert abs(result.envelope()[2023] - D("129363225904.50")) <= D("0.005") * len(nato)


def test_a_cap_too_tight_to_raise_the_total_is_refused(nato: list[Contributor]) -> None:
    with pytest.raises(InvalidInput) as info:
        schedule(nato, FundingRule(kind="capped_share", cap_share_of_total=D("0.03")), years=[2023])
    assert "cannot raise the total" in str(info.value)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 10**12), min_size=1, max_size=40).filter(lambda xs: sum(xs) > 0),
    st.integers(1, 100),
)
def test_cap_amounts_never_passes_the_cap_keeps_the_total_and_the_order(
    raw: list[int], percent: int
) -> None:
    amounts = [D(x) for x in raw]
    total = sum(amounts, D(0))
    payers = sum(1 for a in amounts if a > 0)
    limit = max(D(percent) / 100, D(1) / payers) * total
    capped = cap_amounts(amounts, limit)
    tolerance = total * D("1e-25")
    assert all(c <= limit + tolerance for c in capped)
    assert abs(sum(capped, D(0)) - total) <= tolerance * len(amounts)
    ordered = sorted(range(len(raw)), key=lambda i: raw[i])
    assert all(capped[i] <= capped[j] + tolerance for i, j in pairwise(ordered))


def test_defence_share_sums_each_members_defence_spending_and_iceland_pays_gdp_share(
    nato: list[Contributor],
) -> None:
    rule = FundingRule(kind="defence_share", defence_share=D("0.1"))
    result = schedule(nato, rule, years=[2023])
    expected = sum(
        (
            cents(c.gdp_usd * c.defence_pct_gdp / 100 * D("0.1"))
            if c.defence_pct_gdp is not None
            else cents(c.gdp_usd * D("0.0025"))
            for c in nato
        ),
        D(0),
    )
    assert result.envelope()[2023] == expected == D("127299966507.89")
    assert result.notes == {"ISL": "no defence figure: pays 0.25% of GDP instead"}
    assert result.amount("ISL", 2023) == cents(D("31020032583") * D("0.0025"))


def test_ramp_phases_the_fund_in_and_growth_compounds_from_the_base_year(
    nato: list[Contributor],
) -> None:
    ramp = {2026: D("0.1"), 2027: D("0.25"), 2029: D("0.5")}
    rule = FundingRule(ramp=ramp, gdp_growth=D("0.03"))
    years = list(range(2025, 2032))
    result = schedule(nato, rule, years=years)
    full = {y: sum(c.gdp_usd for c in nato) * D("0.0025") * D("1.03") ** (y - 2023) for y in years}
    fractions = {2025: D(0), 2026: D("0.1"), 2027: D("0.25"), 2028: D("0.25"), 2029: D("0.5")}
    fractions |= {2030: D(1), 2031: D(1)}
    for year in years:
        expected = full[year] * fractions[year]
        assert abs(result.envelope()[year] - expected) <= D("0.005") * len(nato), year


def test_growth_discounts_years_before_the_base_year(nato: list[Contributor]) -> None:
    result = schedule(nato, FundingRule(gdp_growth=D("0.05")), years=[2022, 2023])
    usa = next(c for c in nato if c.iso3 == "USA")
    assert result.amount("USA", 2022) == cents(usa.gdp_usd * D("0.0025") / D("1.05"))


def test_schedule_does_not_depend_on_the_callers_decimal_precision(
    nato: list[Contributor],
) -> None:
    from decimal import localcontext

    rule = FundingRule(kind="capped_share", cap_share_of_total=D("0.1"), gdp_growth=D("0.031"))
    expected = schedule(nato, rule, years=[2040]).amounts
    with localcontext() as ctx:
        ctx.prec = 6
        assert schedule(nato, rule, years=[2040]).amounts == expected


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"years": []}, "years"),
        ({"years": [2030, 2030]}, "years"),
    ],
)
def test_schedule_refuses_missing_or_repeated_years(
    nato: list[Contributor], kwargs: dict[str, list[int]], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        schedule(nato, FundingRule(), **kwargs)
    assert [p.field for p in info.value.problems] == [field]


def test_schedule_refuses_a_member_listed_twice(nato: list[Contributor]) -> None:
    with pytest.raises(InvalidInput) as info:
        schedule([*nato, nato[0]], FundingRule(), years=[2030])
    assert info.value.problems[0].reason == f"contributor {nato[0].iso3} appears twice"
