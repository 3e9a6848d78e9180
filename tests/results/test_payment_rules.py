"""Payment formulas on worked examples written out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from pfund.results.payment_rules import (
    Basis,
    Branch,
    PaymentFormula,
    VerifiedValue,
    compute_payment,
)


def formula(**kw: object) -> PaymentFormula:
    base: dict[str, object] = {
        "kind": "scalable",
        "threshold": "400",
        "target": "1000",
        "amount": "250000.00",
        "currency": "USD",
    }
    return PaymentFormula.model_validate(base | kw)


def test_all_or_nothing_pays_the_whole_tranche_at_the_threshold_and_nothing_below() -> None:
    aon = formula(kind="all_or_nothing", threshold="800", target=None)
    # 800 clinics verified, threshold 800: the tranche, USD 250,000.00
    met = compute_payment(aon, VerifiedValue.of(800, 760))
    assert met.amount.amount == Decimal("250000.00")
    assert met.branch is Branch.THRESHOLD_MET
    # 799.99 verified: nothing; the whole tranche stays unpaid
    missed = compute_payment(aon, VerifiedValue.of(799.99, 760))
    assert missed.amount.amount == Decimal("0.00")
    assert missed.remainder.amount == Decimal("250000.00")
    assert missed.branch is Branch.BELOW_THRESHOLD


def test_scalable_pays_pro_rata_between_threshold_and_target() -> None:
    # 700 verified; (700 - 400) / (1000 - 400) = 300 / 600 = 0.5; 0.5 x 250,000 = 125,000
    half = compute_payment(formula(), VerifiedValue.of(700, 650))
    assert half.share == Decimal("0.5")
    assert half.amount.amount == Decimal("125000.00")
    assert half.remainder.amount == Decimal("125000.00")
    assert half.branch is Branch.PRO_RATA
    # 401 verified: 1 / 600 x 250,000 = 416.666... -> 416.67 (to the cent)
    assert compute_payment(formula(), VerifiedValue.of(401, 390)).amount.amount == Decimal("416.67")


def test_scalable_rounds_a_half_cent_to_even_as_the_ledger_does() -> None:
    # tranche 0.10; (401 - 400) / (420 - 400) = 0.05; 0.05 x 0.10 = 0.005 -> 0.00 (half even)
    tiny = formula(amount="0.10", target="420")
    assert compute_payment(tiny, VerifiedValue.of(401, 401)).amount.amount == Decimal("0.00")
    # 0.15 x 0.10 = 0.015 -> 0.02 (half to even)
    assert compute_payment(tiny, VerifiedValue.of(403, 403)).amount.amount == Decimal("0.02")


def test_scalable_is_capped_at_the_tranche_above_the_target() -> None:
    # 1,500 verified against a target of 1,000: still USD 250,000.00, not 458,333.33
    over = compute_payment(formula(), VerifiedValue.of(1500, 1400))
    assert over.amount.amount == Decimal("250000.00")
    assert over.remainder.amount == Decimal("0.00")
    assert over.branch is Branch.CAPPED_AT_TARGET


def test_a_share_at_the_threshold_starts_the_line_above_zero() -> None:
    # 20% at the threshold: 0.2 + 0.8 x (550 - 400) / 600 = 0.2 + 0.8 x 0.25 = 0.4
    floor = formula(share_at_threshold="0.2")
    paid = compute_payment(floor, VerifiedValue.of(550, 500))
    assert paid.share == Decimal("0.4")
    assert paid.amount.amount == Decimal("100000.00")


def test_paying_on_the_lower_bound_uses_the_bound_not_the_verified_value() -> None:
    # verified 700 (share 0.5), lower bound 580: (580 - 400) / 600 = 0.3 -> USD 75,000.00
    cautious = formula(basis="lower_bound")
    paid = compute_payment(cautious, VerifiedValue.of(700, 580))
    assert paid.basis is Basis.LOWER_BOUND
    assert paid.value_used == Decimal("580.0")
    assert paid.amount.amount == Decimal("75000.00")
    # a lower bound below the threshold pays nothing even though the value passes
    assert compute_payment(cautious, VerifiedValue.of(700, 390)).amount.amount == 0


def test_the_explanation_traces_the_amount_to_its_inputs() -> None:
    paid = compute_payment(formula(), VerifiedValue.of(700, 650))
    text = "\n".join(paid.explanation())
    for figure in ("threshold 400", "target 1000", "USD 250,000.00", "700", "share 0.5"):
        assert figure in text
    assert "pays USD 125,000.00; USD 125,000.00 of the tranche is not earned" in text


def test_a_threshold_above_the_target_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        formula(threshold="1200")
    error = caught.value.errors()[0]
    assert error["loc"] == ("threshold",)
    assert "above the target 1000" in error["msg"]


def test_an_all_or_nothing_threshold_above_its_target_is_refused_too() -> None:
    with pytest.raises(ValidationError) as caught:
        formula(kind="all_or_nothing", threshold="1200")
    assert caught.value.errors()[0]["loc"] == ("threshold",)


def test_a_scalable_formula_without_a_target_or_with_an_empty_range_is_refused() -> None:
    with pytest.raises(ValidationError, match="needs a target"):
        formula(target=None)
    with pytest.raises(ValidationError, match="equals the target"):
        formula(threshold="1000")


def test_a_tranche_finer_than_the_currency_allows_is_refused() -> None:
    with pytest.raises(ValidationError, match="more decimals than USD"):
        formula(amount="100.005")
    assert formula(amount="100", currency="JPY").amount == Decimal("100")
    with pytest.raises(ValidationError, match="more decimals than JPY"):
        formula(amount="100.5", currency="JPY")


def test_a_lower_bound_above_the_value_is_refused() -> None:
    with pytest.raises(ValidationError, match="lower"):
        VerifiedValue.of(500, 600)


def test_a_lower_bound_below_zero_is_read_as_zero_and_pays_nothing() -> None:
    value = VerifiedValue.of(450, -12.5)
    assert value.lower == 0
    paid = compute_payment(formula(basis="lower_bound"), value)
    assert paid.amount.amount == 0 and paid.branch is Branch.BELOW_THRESHOLD


@given(
    a=st.decimals(min_value=0, max_value=5000, places=2),
    b=st.decimals(min_value=0, max_value=5000, places=2),
    floor=st.decimals(min_value=0, max_value=1, places=2),
)
def test_a_payment_never_exceeds_its_tranche_and_never_falls_as_the_value_rises(
    a: Decimal, b: Decimal, floor: Decimal
) -> None:
    scalable = formula(share_at_threshold=str(floor))
    low, high = sorted((a, b))
    paid_low = compute_payment(scalable, VerifiedValue(value=low, lower=low)).amount.amount
    paid_high = compute_payment(scalable, VerifiedValue(value=high, lower=high)).amount.amount
    assert Decimal(0) <= paid_low <= paid_high <= scalable.amount


# -- lower is better: deaths, costs, emissions ---------------------------------------------
def down(**kw: object) -> PaymentFormula:
    """Road deaths per year: nothing paid above 80, the whole tranche at 60 or fewer."""
    base: dict[str, object] = {"direction": "decrease", "threshold": "80", "target": "60"}
    return formula(**(base | kw))


def test_a_decreasing_scalable_formula_pays_pro_rata_on_the_reduction() -> None:
    # 70 deaths verified: (80 - 70) / (80 - 60) = 10 / 20 = 0.5 of USD 250,000.00
    half = compute_payment(down(), VerifiedValue.of(70, 65, 75))
    assert half.branch is Branch.PRO_RATA
    assert half.share == Decimal("0.5")
    assert half.amount.amount == Decimal("125000.00")
    assert half.remainder.amount == Decimal("125000.00")
    # 75.5 verified: (80 - 75.5) / 20 = 4.5 / 20 = 0.225 -> USD 56,250.00
    assert compute_payment(down(), VerifiedValue.of(75.5, 70)).amount.amount == Decimal("56250.00")
    # with 20 % paid at the threshold: 0.2 + 0.8 x 0.5 = 0.6 -> USD 150,000.00
    s0 = compute_payment(down(share_at_threshold="0.2"), VerifiedValue.of(70, 65))
    assert s0.amount.amount == Decimal("150000.00")


def test_a_decreasing_formula_pays_nothing_above_its_threshold_and_caps_below_its_target() -> None:
    # 80.01 deaths: above the threshold 80, nothing
    above = compute_payment(down(), VerifiedValue.of(80.01, 79))
    assert above.branch is Branch.BELOW_THRESHOLD and above.amount.amount == Decimal("0.00")
    assert "above the threshold 80" in " ".join(above.explanation())
    # exactly 80: the line starts, at share 0
    assert compute_payment(down(), VerifiedValue.of(80, 79)).branch is Branch.PRO_RATA
    # 42 deaths, well below the target 60: the tranche, capped, no more
    capped = compute_payment(down(), VerifiedValue.of(42, 40))
    assert capped.branch is Branch.CAPPED_AT_TARGET
    assert capped.amount.amount == Decimal("250000.00")


def test_a_decreasing_all_or_nothing_pays_at_or_below_its_threshold() -> None:
    aon = down(kind="all_or_nothing", target=None)
    assert compute_payment(aon, VerifiedValue.of(80, 78)).amount.amount == Decimal("250000.00")
    assert compute_payment(aon, VerifiedValue.of(81, 78)).amount.amount == Decimal("0.00")


def test_the_cautious_bound_of_a_decreasing_indicator_is_the_upper_one() -> None:
    # verified 70 with interval 66..76; on the "lower bound" policy the cautious figure
    # where lower is better is the upper end 76: (80 - 76) / 20 = 0.2 -> USD 50,000.00
    cautious = compute_payment(down(basis="lower_bound"), VerifiedValue.of(70, 66, 76))
    assert cautious.value_used == Decimal("76")
    assert cautious.amount.amount == Decimal("50000.00")


def test_a_decreasing_threshold_below_its_target_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as refused:
        down(threshold="50", target="60")
    (error,) = refused.value.errors()
    assert error["loc"] == ("threshold",)
    assert "below the target 60" in error["msg"]
    # the increasing reading of the same figures is fine: the direction decides
    assert formula(threshold="50", target="60").threshold == Decimal("50")


def test_the_explanation_rounds_for_reading_and_the_fields_stay_exact() -> None:
    # the demo's figures: a verified value as statistics give it, 16 digits long
    paid = compute_payment(
        formula(threshold="125", target="250", amount="6000000.00"),
        VerifiedValue.of(221.69117647058826, 219.2239554558839),
    )
    text = "\n".join(paid.explanation())
    assert "verified value 221.69 (lower bound 219.22)" in text
    assert "share 0.7735 (77.35 %)" in text
    assert "221.6911" not in text and "0.77352941" not in text
    assert paid.value_used == Decimal("221.69117647058826")  # exact where it is data
    assert paid.amount.amount == Decimal("4641176.47")
