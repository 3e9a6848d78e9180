"""Tranches and ledger entries: scheduled payments and the double-entry record of money."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.enums import LedgerAccount, TrancheStatus
from pfund.domain.fx import RATE_DIGITS
from pfund.domain.lengths import Id
from pfund.domain.money import CurrencyCode
from pfund.domain.project import ID_PATTERN
from pfund.domain.protection import PUBLIC


class Tranche(BaseModel):
    """A scheduled payment to a project, released only while its conditions hold."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=ID_PATTERN)
    project_id: Annotated[Id, PUBLIC]
    year: Annotated[int, PUBLIC] = Field(ge=1900, le=2200)
    amount: Annotated[Decimal, PUBLIC] = Field(gt=0)
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    stage: Annotated[int, PUBLIC] = Field(default=0, ge=0, le=9)
    conditions: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    status: Annotated[TrancheStatus, PUBLIC] = TrancheStatus.PLANNED
    # A tranche of a project in another currency: ``amount`` is in the fund's currency
    # (what the ledger commits); the project's own amount and currency are kept, with the
    # rate of the commitment (1 original = rate fund currency), its date and source.
    original_amount: Annotated[Decimal | None, PUBLIC] = Field(default=None, gt=0)
    original_currency: Annotated[CurrencyCode | None, PUBLIC] = None
    rate: Annotated[Decimal | None, PUBLIC] = Field(default=None, gt=0, max_digits=RATE_DIGITS)
    rate_date: Annotated[date | None, PUBLIC] = None
    rate_source: Annotated[str, PUBLIC] = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _conversion_whole(self) -> Tranche:
        parts = (self.original_amount, self.original_currency, self.rate, self.rate_date)
        if any(p is None for p in parts) and any(p is not None for p in parts):
            raise ValueError(
                "a converted tranche names its original amount, currency, rate and rate date"
            )
        return self

    @property
    def fx(self) -> FxNote | None:
        """The tranche's own amount at the commitment's rate, for its ledger entries."""
        if self.original_amount is None or self.original_currency is None:
            return None
        assert self.rate is not None and self.rate_date is not None
        return FxNote(
            fx_amount=self.original_amount,
            fx_currency=self.original_currency,
            fx_rate=self.rate,
            fx_rate_date=self.rate_date,
        )


class FxNote(BaseModel):
    """What a ledger entry in the fund's currency was in the project's own currency, and
    the rate used (1 ``currency`` = ``rate`` in the ledger's currency, on ``rate_date``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    fx_amount: Decimal = Field(gt=0)
    fx_currency: CurrencyCode
    fx_rate: Decimal = Field(gt=0, max_digits=RATE_DIGITS)
    fx_rate_date: date


class LedgerEntry(BaseModel):
    """One movement of money from one account to another: debits always equal credits."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[int | None, PUBLIC] = None
    at: Annotated[datetime, PUBLIC]
    debit: Annotated[LedgerAccount, PUBLIC]
    credit: Annotated[LedgerAccount, PUBLIC]
    amount: Annotated[Decimal, PUBLIC] = Field(gt=0)
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    contributor: Annotated[str | None, PUBLIC] = Field(default=None, max_length=3)
    project_id: Annotated[Id | None, PUBLIC] = None
    tranche_id: Annotated[Id | None, PUBLIC] = None
    memo: str = ""
    # A contribution's year; and for a pledge, receipt or their reversal, how many
    # reversals of that movement for the member's year came before (the store allows one
    # entry per member, year, movement and correction).
    year: Annotated[int | None, PUBLIC] = None
    correction: Annotated[int, PUBLIC] = Field(default=0, ge=0)
    # An entry of a tranche in another currency: the amount in that currency and the rate
    # used (see ``FxNote``); all four or none.
    fx_amount: Annotated[Decimal | None, PUBLIC] = Field(default=None, gt=0)
    fx_currency: Annotated[CurrencyCode | None, PUBLIC] = None
    fx_rate: Annotated[Decimal | None, PUBLIC] = Field(default=None, gt=0, max_digits=RATE_DIGITS)
    fx_rate_date: Annotated[date | None, PUBLIC] = None

    @property
    def fx(self) -> FxNote | None:
        if self.fx_amount is None or self.fx_currency is None:
            return None
        assert self.fx_rate is not None and self.fx_rate_date is not None
        return FxNote(
            fx_amount=self.fx_amount,
            fx_currency=self.fx_currency,
            fx_rate=self.fx_rate,
            fx_rate_date=self.fx_rate_date,
        )

    @model_validator(mode="after")
    def _two_accounts(self) -> LedgerEntry:
        parts = (self.fx_amount, self.fx_currency, self.fx_rate, self.fx_rate_date)
        if any(p is None for p in parts) and any(p is not None for p in parts):
            raise ValueError("an entry's conversion names its amount, currency, rate and date")
        if self.debit is self.credit:
            raise ValueError("an entry must move money between two different accounts")
        if self.at.tzinfo is None:
            raise ValueError("the time of an entry must carry a time zone")
        return self
