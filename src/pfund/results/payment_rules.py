"""Payment by verified results: what a tranche linked to an indicator pays, and why.

Two formulas, as the World Bank's Program-for-Results writes disbursement-linked
indicators:

* **all or nothing**: the whole tranche when the value reaches the threshold, else nothing;
* **scalable**: nothing below the threshold; from the threshold to the target the payment
  rises in a straight line from ``share_at_threshold`` of the tranche to all of it,
  ``amount * (s0 + (1 - s0) * (value - threshold) / (target - threshold))``; at or above
  the target it is capped at the tranche amount (over-achievement earns nothing more).

For an indicator where lower is better (deaths, costs, emissions: ``direction`` is
``decrease``) the same two formulas read downwards: the threshold is the most the value
may be for anything to be paid, and the target lies below it;

* all or nothing: the whole tranche when the value is at or below the threshold;
* scalable: ``amount * (s0 + (1 - s0) * (threshold - value) / (threshold - target))``
  between them, capped at the tranche at or below the target.

The value paid on is the policy's choice (``basis``): the verified value (the report's
total times the verification factor) or the lower bound of its confidence interval, which
pays only for what the verification shows with the stated confidence.

Money is Decimal throughout. The share is computed exactly from the Decimal inputs
(floats from the statistics are read through their shortest repr, so 0.9 is 0.9) and the
amount is rounded once, to the currency's minor unit with ROUND_HALF_EVEN, as
:func:`pfund.domain.money.to_minor` rounds every ledger amount; the cap holds because the
share is at most one (the target branch) and a tranche must be in whole minor units, so a
payment never exceeds its tranche.

Every result carries an explanation (the inputs, the branch taken and the figures) so a
report can trace the number paid to what it was computed from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pfund.domain.money import CurrencyCode, Money, from_minor, to_minor
from pfund.domain.results import Direction

__all__ = [
    "Basis",
    "Branch",
    "FormulaKind",
    "Payment",
    "PaymentFormula",
    "VerifiedValue",
    "compute_payment",
]

ZERO, ONE = Decimal(0), Decimal(1)


class FormulaKind(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    SCALABLE = "scalable"


class Basis(StrEnum):
    VERIFIED = "verified"
    LOWER_BOUND = "lower_bound"


class Branch(StrEnum):
    BELOW_THRESHOLD = "below_threshold"
    THRESHOLD_MET = "threshold_met"
    PRO_RATA = "pro_rata"
    CAPPED_AT_TARGET = "capped_at_target"


class PaymentFormula(BaseModel):
    """How a tranche is earned from one indicator; validated once, read by every channel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: FormulaKind
    # the indicator's: "decrease" when lower is better; read before the threshold's check
    direction: Direction = Direction.INCREASE
    # target before threshold, so that the threshold's validator sees the target and the
    # error it raises is located at the field 'threshold'
    # every figure bounded to what the store's DECIMAL text holds (30 digits, 40 characters)
    target: Decimal | None = Field(default=None, ge=0, max_digits=30)
    threshold: Decimal = Field(ge=0, max_digits=30)
    amount: Decimal = Field(
        gt=0, max_digits=30, description="the tranche amount: the most it can pay"
    )
    currency: CurrencyCode
    basis: Basis = Basis.VERIFIED
    share_at_threshold: Decimal = Field(default=ZERO, ge=0, le=1, max_digits=12)

    @field_validator("threshold")
    @classmethod
    def _threshold_below_target(cls, threshold: Decimal, info: ValidationInfo) -> Decimal:
        target, kind = info.data.get("target"), info.data.get("kind")
        if info.data.get("direction") is Direction.DECREASE:
            if target is not None and threshold < target:
                raise ValueError(
                    f"the threshold {threshold} is below the target {target} of an indicator "
                    "where lower is better; it must be at least the target"
                )
        elif target is not None and threshold > target:
            raise ValueError(
                f"the threshold {threshold} is above the target {target}; "
                "it must be at most the target"
            )
        if target is not None and kind is FormulaKind.SCALABLE and threshold == target:
            raise ValueError(
                f"the threshold equals the target ({target}), so there is nothing to scale "
                "between them; use an all-or-nothing formula"
            )
        return threshold

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.kind is FormulaKind.SCALABLE and self.target is None:
            raise PydanticCustomError(
                "missing_target", "a scalable formula needs a target (field 'target')"
            )
        if self.amount != from_minor(to_minor(self.amount, self.currency), self.currency):
            raise PydanticCustomError(
                "amount_precision",
                "the amount {amount} has more decimals than {currency} minor units "
                "(field 'amount')",
                {"amount": str(self.amount), "currency": self.currency},
            )
        return self


class VerifiedValue(BaseModel):
    """The indicator's verified value and the lower bound of its interval."""

    model_config = ConfigDict(frozen=True)

    value: Decimal = Field(ge=0)
    lower: Decimal = Field(ge=0)
    # the interval's upper end: the cautious figure where lower is better
    upper: Decimal | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _lower_not_above(self) -> Self:
        if self.lower > self.value:
            raise ValueError(f"lower: {self.lower} is above the verified value {self.value}")
        if self.upper is not None and self.upper < self.value:
            raise ValueError(f"upper: {self.upper} is below the verified value {self.value}")
        return self

    @classmethod
    def of(
        cls, value: float | Decimal, lower: float | Decimal, upper: float | Decimal | None = None
    ) -> VerifiedValue:
        """From floats as statistics give them, read through their shortest repr.

        A symmetric interval can reach below zero on a small, spread sample; a verified
        count cannot, so such a lower bound is read as zero (it then pays nothing).
        """
        top = None if upper is None else _dec(upper)
        return cls(value=_dec(value), lower=max(_dec(lower), ZERO), upper=top)


def _dec(x: float | Decimal) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(repr(float(x)))


@dataclass(frozen=True)
class Payment:
    """What the tranche pays now, what stays unpaid, and the trace from inputs to figure."""

    amount: Money
    remainder: Money
    branch: Branch
    basis: Basis
    value_used: Decimal
    share: Decimal
    formula: PaymentFormula
    verified: VerifiedValue

    def explanation(self) -> list[str]:
        """Plain-English lines a report prints under the figure, its numbers rounded for
        reading (values to 2 decimals, the share to 4 significant places as a percent);
        the exact figures stay in the fields."""
        f = self.formula
        lower = "upper" if f.direction is Direction.DECREASE else "lower"
        bound = self.verified.upper if lower == "upper" else self.verified.lower
        basis = "verified value" if self.basis is Basis.VERIFIED else f"{lower} bound"
        lines = [
            f"formula: {f.kind.value}"
            + (", lower is better" if f.direction is Direction.DECREASE else "")
            + f", threshold {fig(f.threshold)}"
            + (f", target {fig(f.target)}" if f.target is not None else "")
            + f", tranche {Money(amount=f.amount, currency=f.currency)}",
            f"verified value {fig(self.verified.value)}"
            + (f" ({lower} bound {fig(bound)})" if bound is not None else "")
            + f"; policy pays on the {basis}: {fig(self.value_used)}",
        ]
        lines.append(_branch_line(self))
        lines.append(f"pays {self.amount}; {self.remainder} of the tranche is not earned")
        return lines


def fig(value: Decimal) -> str:
    """A figure for reading: whole numbers as they are, others to 2 decimals (no
    thousands separator: the explanation's arithmetic uses commas of its own)."""
    if value == value.to_integral_value():
        return f"{value:.0f}"
    return f"{value:.2f}"


def pct(share: Decimal) -> str:
    """A share to 4 decimals and as a percent: 0.7735 (77.35 %)."""
    return f"{share:.4f} ({share * 100:.2f} %)"


def _branch_line(p: Payment) -> str:
    f = p.formula
    down = f.direction is Direction.DECREASE
    v, th = fig(p.value_used), fig(f.threshold)
    tg = fig(f.target) if f.target is not None else ""
    if p.branch is Branch.BELOW_THRESHOLD:
        if down:
            return f"{v} is above the threshold {th}: nothing is earned"
        return f"{v} is below the threshold {th}: nothing is earned"
    if p.branch is Branch.THRESHOLD_MET:
        return f"{v} reaches the threshold {th}: the whole tranche is earned"
    if p.branch is Branch.CAPPED_AT_TARGET:
        return f"{v} reaches the target {tg}: the tranche, capped, is earned"
    s0 = f.share_at_threshold
    if down:
        return (
            f"pro rata, lower is better: {s0} + (1 - {s0}) x ({th} - {v}) / ({th} - {tg}) "
            f"= share {pct(p.share)}"
        )
    return f"pro rata: {s0} + (1 - {s0}) x ({v} - {th}) / ({tg} - {th}) = share {pct(p.share)}"


def compute_payment(formula: PaymentFormula, verified: VerifiedValue) -> Payment:
    """The amount a tranche pays on a verified value, by the formula and its basis.

    Where lower is better the cautious figure is the upper end of the interval, not the
    lower: paying on the "lower bound" policy then pays on ``verified.upper`` (the most
    the value may be), so the fund pays only for the reduction the verification shows.
    """
    value = verified.value
    if formula.basis is Basis.LOWER_BOUND:
        down = formula.direction is Direction.DECREASE
        if down:
            value = verified.upper if verified.upper is not None else verified.value
        else:
            value = verified.lower
    branch, share = _share(formula, value)
    earned = from_minor(to_minor(formula.amount * share, formula.currency), formula.currency)
    return Payment(
        amount=Money.model_construct(amount=earned, currency=formula.currency),
        remainder=Money.model_construct(amount=formula.amount - earned, currency=formula.currency),
        branch=branch,
        basis=formula.basis,
        value_used=value,
        share=share,
        formula=formula,
        verified=verified,
    )


def _share(f: PaymentFormula, value: Decimal) -> tuple[Branch, Decimal]:
    if f.direction is Direction.DECREASE:
        return _share_down(f, value)
    if value < f.threshold:
        return Branch.BELOW_THRESHOLD, ZERO
    if f.kind is FormulaKind.ALL_OR_NOTHING:
        return Branch.THRESHOLD_MET, ONE
    assert f.target is not None  # the validator makes a scalable formula carry one
    if value >= f.target:
        return Branch.CAPPED_AT_TARGET, ONE
    s0 = f.share_at_threshold
    return Branch.PRO_RATA, s0 + (ONE - s0) * (value - f.threshold) / (f.target - f.threshold)


def _share_down(f: PaymentFormula, value: Decimal) -> tuple[Branch, Decimal]:
    """The share earned where lower is better: the mirror image of :func:`_share`."""
    if value > f.threshold:
        return Branch.BELOW_THRESHOLD, ZERO
    if f.kind is FormulaKind.ALL_OR_NOTHING:
        return Branch.THRESHOLD_MET, ONE
    assert f.target is not None  # the validator makes a scalable formula carry one
    if value <= f.target:
        return Branch.CAPPED_AT_TARGET, ONE
    s0 = f.share_at_threshold
    return Branch.PRO_RATA, s0 + (ONE - s0) * (f.threshold - value) / (f.threshold - f.target)
