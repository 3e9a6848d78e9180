"""Instruments beyond grants: a project financed by a loan or backed by a guarantee.

A project is a grant unless it has a loan or a guarantee. A loan's terms say what the
fund lends and how it comes back (``pfund.funding.instruments`` builds its schedule); a
guarantee's terms say what the fund may have to pay (its exposure) and how likely that
is. The fund's ``instruments:`` policy (fund.yaml) gives the rate a loan's grant element
is discounted at and the defaults of a guarantee's call probability and loss.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from pfund.domain.lengths import MAX_DIGITS, Id, Title
from pfund.domain.money import CurrencyCode
from pfund.domain.protection import PUBLIC

__all__ = [
    "DAC_DISCOUNT_SOURCE",
    "AmortisationMethod",
    "GuaranteeTerms",
    "InstrumentKind",
    "InstrumentPolicy",
    "LoanTerms",
]

# Above any fund's means, and within what the store's minor units can hold.
MAX_AMOUNT = Decimal("1e15")
# A rate or a share kept as exact text when the fund row stores the policy as JSON.
Rate = Annotated[Decimal, PlainSerializer(str, return_type=str, when_used="always")]

# The OECD DAC grant-equivalent system (agreed at the DAC High Level Meeting of December
# 2014, the standard for ODA from 2018 flows): a loan's grant element is discounted at
# 9% (LDCs and other LICs), 7% (LMICs) or 6% (UMICs) — the IMF reference rate of 5% plus
# a risk premium of 4, 2 or 1 points. Source: OECD DAC Secretariat, "Monitoring the
# implementation of the grant equivalent system", September 2020, paragraph 1.
DAC_DISCOUNT_SOURCE = (
    "OECD DAC grant-equivalent system (HLM December 2014, ODA from 2018): discount rates "
    "9% LDC/LIC, 7% LMIC, 6% UMIC (IMF reference rate 5% + risk premium); OECD DAC "
    "Secretariat, Monitoring the implementation of the grant equivalent system, Sept. 2020"
)


class InstrumentKind(StrEnum):
    GRANT = "grant"
    LOAN = "loan"
    GUARANTEE = "guarantee"


class AmortisationMethod(StrEnum):
    ANNUITY = "annuity"  # equal instalments of principal and interest
    LINEAR = "linear"  # equal principal, interest on the balance (falling instalments)


class InstrumentPolicy(BaseModel):
    """``instruments:`` in fund.yaml: how the fund values what loans and guarantees cost it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # A loan's grant element is 1 - PV(repayments at this rate) / face value.
    discount_rate: Annotated[Rate, PUBLIC] = Field(
        default=Decimal("0.06"), gt=0, le=1, max_digits=MAX_DIGITS
    )
    discount_rate_source: Annotated[Title, PUBLIC] = DAC_DISCOUNT_SOURCE[:300]
    # A guarantee's expected cost is exposure x probability of a call x loss given a call;
    # these are the defaults of a guarantee that names neither.
    call_probability: Annotated[Rate, PUBLIC] = Field(
        default=Decimal("0.1"), ge=0, le=1, max_digits=MAX_DIGITS
    )
    loss_given_call: Annotated[Rate, PUBLIC] = Field(
        default=Decimal("0.6"), ge=0, le=1, max_digits=MAX_DIGITS
    )


class LoanTerms(BaseModel):
    """A loan the fund makes to a project: what it lends and how it is repaid.

    Interest accrues at ``annual_rate / periods_per_year`` per period on the balance.
    The first ``grace_periods`` instalments are interest only; the next ``instalments``
    repay the principal (annuity: equal payments; linear: equal principal). Instalment
    k falls due ``k`` periods after ``disbursed_on`` (12 / periods_per_year months each).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    project_id: Annotated[Id, PUBLIC]
    principal: Annotated[Decimal, PUBLIC] = Field(gt=0, le=MAX_AMOUNT, max_digits=MAX_DIGITS)
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    annual_rate: Annotated[Decimal, PUBLIC] = Field(ge=0, le=1, max_digits=MAX_DIGITS)
    periods_per_year: Annotated[int, PUBLIC] = Field(default=2)
    instalments: Annotated[int, PUBLIC] = Field(ge=1, le=1200)
    grace_periods: Annotated[int, PUBLIC] = Field(default=0, ge=0, le=600)
    method: Annotated[AmortisationMethod, PUBLIC] = AmortisationMethod.ANNUITY
    disbursed_on: Annotated[date, PUBLIC]

    @model_validator(mode="after")
    def _periods(self) -> LoanTerms:
        if self.periods_per_year not in (1, 2, 4, 12):
            raise ValueError("periods_per_year must be 1, 2, 4 or 12")
        if not 1900 <= self.disbursed_on.year <= 2200:
            raise ValueError("disbursed_on must fall between 1900 and 2200")
        if (self.grace_periods + self.instalments) / self.periods_per_year > 100:
            raise ValueError("a loan runs at most 100 years (grace and instalments)")
        return self


class GuaranteeTerms(BaseModel):
    """A guarantee the fund gives for a project's debt: at most ``exposure`` may be called.

    Its expected cost is exposure x call_probability x loss_given_call (the fund's
    policy gives the two shares a guarantee does not state).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    project_id: Annotated[Id, PUBLIC]
    exposure: Annotated[Decimal, PUBLIC] = Field(gt=0, le=MAX_AMOUNT, max_digits=MAX_DIGITS)
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    beneficiary: Annotated[Title, PUBLIC] = Field(min_length=1)
    call_probability: Annotated[Decimal, PUBLIC] = Field(ge=0, le=1, max_digits=MAX_DIGITS)
    loss_given_call: Annotated[Decimal, PUBLIC] = Field(ge=0, le=1, max_digits=MAX_DIGITS)
    valid_from: Annotated[date, PUBLIC]
    valid_until: Annotated[date, PUBLIC]

    @model_validator(mode="after")
    def _dates(self) -> GuaranteeTerms:
        if not 1900 <= self.valid_from.year <= self.valid_until.year <= 2200:
            raise ValueError("a guarantee's dates fall between 1900 and 2200")
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until comes before valid_from")
        return self
