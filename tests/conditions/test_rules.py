"""Condition rules over indicators: worked examples at, just below and just above each
threshold, categories, ``all``/``any`` with missing data, and what a verdict proposes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from pfund.conditions.rules import Observation, evaluate_rule, evaluate_test, proposed_status
from pfund.domain import ConditionStatus
from pfund.domain.scorecard import IndicatorTest, RuleGroup

S = ConditionStatus
POLYARCHY = IndicatorTest(indicator="v2x_polyarchy", op=">=", threshold=Decimal("0.5"))
FREE = IndicatorTest(indicator="freedom_status", one_of=["Free", "Partly Free"])
CORRUPTION = IndicatorTest(indicator="wgi_cc_percentile", op=">=", threshold=Decimal(25))


def series(**latest: str) -> dict[tuple[str, str], list[Observation]]:
    """RU figures: an older year that always passes, then the year tested (2024)."""
    out = {}
    for code, text in latest.items():
        number = text[0].isdigit()
        old = Observation(2020, Decimal(99) if number else None, "" if number else "Free", "s@1")
        new = Observation(2024, Decimal(text) if number else None, "" if number else text, "s@2")
        out[(code, "RU")] = [new, old]  # out of order on purpose: the latest year wins
    return out


@pytest.mark.parametrize(
    ("value", "passes"),
    [("0.5", True), ("0.49", False), ("0.499999", False), ("0.51", True), ("0.50", True)],
)
def test_electoral_democracy_index_at_least_a_half(value: str, passes: bool) -> None:
    result = evaluate_test(POLYARCHY, series(v2x_polyarchy=value), default_area="RU")
    assert result.passed is passes
    assert result.observation is not None and result.observation.year == 2024
    assert result.reason.startswith(f"v2x_polyarchy = {value} (RU, 2024)")


@pytest.mark.parametrize(("value", "passes"), [("25", True), ("24.9", False), ("25.1", True)])
def test_control_of_corruption_at_or_above_the_25th_percentile(value: str, passes: bool) -> None:
    result = evaluate_test(CORRUPTION, series(wgi_cc_percentile=value), default_area="RU")
    assert result.passed is passes


@pytest.mark.parametrize(
    ("status", "passes"), [("Free", True), ("Partly Free", True), ("Not Free", False)]
)
def test_freedom_status_free_or_partly_free(status: str, passes: bool) -> None:
    assert evaluate_test(FREE, series(freedom_status=status), default_area="RU").passed is passes


def test_a_given_year_and_a_missing_area_give_no_data_not_a_failure() -> None:
    data = series(v2x_polyarchy="0.7")
    in_2020 = POLYARCHY.model_copy(update={"year": 2020})
    assert evaluate_test(in_2020, data, default_area="RU").passed is True  # 99 in 2020
    in_2021 = POLYARCHY.model_copy(update={"year": 2021})
    missing = evaluate_test(in_2021, data, default_area="RU")
    assert missing.passed is None and "in 2021" in missing.reason
    assert evaluate_test(POLYARCHY, data, default_area="BY").passed is None
    regional = POLYARCHY.model_copy(update={"area": "RU-MOW"})
    assert evaluate_test(regional, data, default_area="RU").area == "RU-MOW"


def test_a_category_where_a_number_is_needed_is_no_data() -> None:
    data = series(v2x_polyarchy="Free")
    assert evaluate_test(POLYARCHY, data, default_area="RU").passed is None


def test_all_and_any_combine_with_missing_data_as_kleene_logic() -> None:
    everything = RuleGroup(all=[POLYARCHY, FREE, CORRUPTION])
    good = series(v2x_polyarchy="0.6", freedom_status="Partly Free", wgi_cc_percentile="30")
    verdict = evaluate_rule(everything, good, default_area="RU")
    assert verdict.passed is True and len(verdict.results) == 3
    assert verdict.set_refs == ["s@2"]
    one_bad = series(v2x_polyarchy="0.6", freedom_status="Not Free", wgi_cc_percentile="30")
    assert evaluate_rule(everything, one_bad, default_area="RU").passed is False
    missing = series(v2x_polyarchy="0.6", freedom_status="Free")
    assert evaluate_rule(everything, missing, default_area="RU").passed is None
    failing_and_missing = series(v2x_polyarchy="0.1", freedom_status="Free")
    assert evaluate_rule(everything, failing_and_missing, default_area="RU").passed is False
    either = RuleGroup(any=[POLYARCHY, RuleGroup(all=[FREE, CORRUPTION])])
    assert evaluate_rule(either, missing, default_area="RU").passed is True
    nested = series(v2x_polyarchy="0.1", freedom_status="Free", wgi_cc_percentile="24")
    assert evaluate_rule(either, nested, default_area="RU").passed is False
    assert evaluate_rule(either, series(v2x_polyarchy="0.1"), default_area="RU").passed is None


@pytest.mark.parametrize(
    ("current", "passed", "proposed"),
    [
        (S.NOT_MET, True, S.MET),
        (S.PARTLY_MET, True, S.MET),
        (S.REVERSED, True, S.MET),
        (S.MET, True, None),
        (S.MET, False, S.REVERSED),
        (S.NOT_MET, False, None),
        (S.PARTLY_MET, False, None),
        (S.REVERSED, False, None),
        (S.MET, None, None),
        (S.NOT_MET, None, None),
    ],
)
def test_what_a_verdict_proposes(
    current: ConditionStatus, passed: bool | None, proposed: ConditionStatus | None
) -> None:
    assert proposed_status(current, passed) is proposed


def test_the_proposal_flips_exactly_when_the_index_crosses_the_threshold() -> None:
    rule = RuleGroup(all=[POLYARCHY])
    flips = []
    status = S.NOT_MET
    for value in ("0.48", "0.49", "0.5", "0.51", "0.5", "0.49", "0.5"):
        passed = evaluate_rule(rule, series(v2x_polyarchy=value), default_area="RU").passed
        new = proposed_status(status, passed)
        if new is not None:
            flips.append((value, new))
            status = new
    assert flips == [("0.5", S.MET), ("0.49", S.REVERSED), ("0.5", S.MET)]


def test_a_rule_is_refused_when_its_tests_are_malformed() -> None:
    with pytest.raises(ValidationError, match="'op' and 'threshold'"):
        IndicatorTest(indicator="v2x_polyarchy", op=">=")
    with pytest.raises(ValidationError, match="'op' and 'threshold'"):
        IndicatorTest(indicator="v2x_polyarchy", op=">=", threshold=Decimal(1), one_of=["Free"])
    with pytest.raises(ValidationError, match="'all' or 'any'"):
        RuleGroup(all=[POLYARCHY], any=[FREE])
    with pytest.raises(ValidationError, match="'all' or 'any'"):
        RuleGroup()
    assert POLYARCHY.text() == "v2x_polyarchy >= 0.5 (latest year)"
    assert FREE.text() == "freedom_status in {Free, Partly Free} (latest year)"
