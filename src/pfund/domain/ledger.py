"""Tranches and ledger entries: scheduled payments and the double-entry record of money."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.enums import LedgerAccount, TrancheStatus
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

    @model_validator(mode="after")
    def _two_accounts(self) -> LedgerEntry:
        if self.debit is self.credit:
            raise ValueError("an entry must move money between two different accounts")
        if self.at.tzinfo is None:
            raise ValueError("the time of an entry must carry a time zone")
        return self
