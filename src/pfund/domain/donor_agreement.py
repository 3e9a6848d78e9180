"""Donor agreements: what a contributor signed to give, when, in which currency, for what.

A contribution agreement names its contributor (ISO 3166-1 alpha-3), the donor's
reference, the currency the donor pays in, the total, the day it was signed and its
instalments (due day and amount, in that currency; they add up to the total). An
earmark limits what the money may fund: some areas of cooperation and/or some stages
(empty lists: no limit on that side); the optimiser respects it as a constraint
(``pfund.portfolio.earmarks``). The administration fee is a rate of each receipt the
agreement sets (what the fund keeps for running itself, agreed with the donor), stated
on every receipt and in the donor's report.

A receipt is money that arrived: its day, amount and currency (which may differ from
the agreement's). It is converted into the agreement's currency at the receipt day's
rate to be matched against the instalments, oldest due first; an instalment is paid,
part-paid or open, and late when paid (or still open) after its due day.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pfund.domain.fx import RATE_DIGITS
from pfund.domain.lengths import MAX_DIGITS, Id, Name, Title, Word
from pfund.domain.money import CurrencyCode
from pfund.domain.protection import INTERNAL, PUBLIC
from pfund.domain.reference import CountryAlpha3

AGREEMENT_ID = r"^DA-[0-9]{4,6}$"
# a receipt: its agreement and number (DA-0001-2)
RECEIPT_ID = r"^DA-[0-9]{4,6}-[0-9]{1,6}$"
RECEIPT_STATUS = r"^(booked|reversed)$"
MAX_FEE = Decimal("0.15")  # a fee above 15 % of a contribution is a typo, not a policy


class Instalment(BaseModel):
    """One payment the donor promised: due on ``due``, ``amount`` in the agreement's currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    due: Annotated[date, PUBLIC]
    amount: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=MAX_DIGITS, decimal_places=2)


class Earmark(BaseModel):
    """What the money may fund: areas and/or stages (an empty list does not limit)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    areas: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    stages: Annotated[list[int], PUBLIC] = Field(default_factory=list)

    @field_validator("areas", "stages", mode="before")
    @classmethod
    def _cell(cls, value: object) -> object:
        """A CSV cell lists its items with ``;``: ``health;education``."""
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return value

    @property
    def limits(self) -> bool:
        return bool(self.areas or self.stages)

    def allows(self, area: str, stage: int) -> bool:
        """Whether a project of ``area`` needing ``stage`` may be funded by this money."""
        return (not self.areas or area in self.areas) and (not self.stages or stage in self.stages)

    def stated(self) -> str:
        parts = []
        if self.areas:
            parts.append("areas " + ", ".join(self.areas))
        if self.stages:
            parts.append("stages " + ", ".join(str(s) for s in self.stages))
        return "; ".join(parts) or "none"


class DonorAgreement(BaseModel):
    """One contribution agreement, as the finance officer records it from the signed text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=AGREEMENT_ID)
    contributor: Annotated[CountryAlpha3, PUBLIC]
    reference: Annotated[Id, PUBLIC] = Field(min_length=1)
    title: Annotated[Title, PUBLIC] = Field(min_length=2)
    title_ru: Annotated[Title, PUBLIC] = ""
    currency: Annotated[CurrencyCode, PUBLIC]
    total: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=MAX_DIGITS, decimal_places=2)
    signed: Annotated[date, PUBLIC]
    # the share of each receipt the fund keeps for its administration (0.02 = 2 %)
    admin_fee: Annotated[Decimal, PUBLIC] = Field(ge=0, le=MAX_FEE, max_digits=6)
    earmark: Annotated[Earmark, PUBLIC] = Field(default_factory=Earmark)
    instalments: Annotated[list[Instalment], PUBLIC] = Field(min_length=1)

    @field_validator("instalments", mode="before")
    @classmethod
    def _instalments_cell(cls, value: object) -> object:
        """A CSV cell lists the instalments as ``due=amount`` with ``;`` between them:
        ``2027-01-31=40000000.00;2028-01-31=40000000.00``."""
        if not isinstance(value, str):
            return value
        out = []
        for part in (p.strip() for p in value.split(";") if p.strip()):
            due, sep, amount = part.partition("=")
            if not sep:
                raise ValueError(f"'{part}' is not due=amount (e.g. 2027-01-31=40000000.00)")
            out.append({"due": due.strip(), "amount": amount.strip()})
        return out

    @model_validator(mode="after")
    def _coherent(self) -> DonorAgreement:
        added = sum((i.amount for i in self.instalments), Decimal(0))
        if added != self.total:
            raise ValueError(
                f"the instalments add up to {added:,.2f} {self.currency}, "
                f"not the total of {self.total:,.2f}"
            )
        days = [i.due for i in self.instalments]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("instalments are listed by due day, one per day")
        if days[0] < self.signed:
            raise ValueError(f"the first instalment falls due ({days[0]}) before signature")
        if len(set(self.earmark.areas)) != len(self.earmark.areas):
            raise ValueError("an earmarked area is listed twice")
        return self


class DonorReceipt(BaseModel):
    """Money that arrived under an agreement, as the bank statement shows it.

    ``rate`` converts it into the agreement's currency (1 ``currency`` = ``rate``
    agreement currency, published on ``rate_date``) and ``fund_rate`` into the fund's,
    for the ledger; both are recorded when the receipt is, never recomputed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    agreement_id: Annotated[str, PUBLIC] = Field(pattern=AGREEMENT_ID)
    number: Annotated[int, PUBLIC] = Field(default=0, ge=0)
    day: Annotated[date, PUBLIC]
    amount: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=MAX_DIGITS, decimal_places=2)
    currency: Annotated[CurrencyCode, PUBLIC]
    # the receipt in the agreement's currency, and the rate used
    agreement_amount: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=MAX_DIGITS)
    rate: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=RATE_DIGITS)
    rate_date: Annotated[date, PUBLIC]
    # the receipt in the fund's currency (what the ledger receives), and the rate used
    fund_amount: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=MAX_DIGITS)
    fund_rate: Annotated[Decimal, PUBLIC] = Field(gt=0, max_digits=RATE_DIGITS)
    fund_rate_date: Annotated[date, PUBLIC]
    # the administration fee on it, in the fund's currency
    fee: Annotated[Decimal, PUBLIC] = Field(ge=0, max_digits=MAX_DIGITS)
    memo: Annotated[Title, PUBLIC] = ""
    # ``reversed`` once taken back as booked in error (``pfund donors reverse-receipt``):
    # when, by whom and why; the receipt stays, its ledger entries are opposed
    status: Annotated[Word, PUBLIC] = Field(default="booked", pattern=RECEIPT_STATUS)
    reversed_at: Annotated[datetime | None, PUBLIC] = None
    reversed_by: Annotated[Name, INTERNAL] = ""
    reversal_reason: Annotated[Title, PUBLIC] = ""
    # the value date of the reversal's ledger entries (``--on``; by default its day)
    reversal_on: Annotated[date | None, PUBLIC] = None

    @property
    def receipt_id(self) -> str:
        """How people name the receipt: its agreement and number, ``DA-0001-2``."""
        return f"{self.agreement_id}-{self.number}"

    @property
    def standing(self) -> bool:
        """Whether the receipt counts (it was not reversed)."""
        return self.status == "booked"
