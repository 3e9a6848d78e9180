"""Grant agreements: what an approved project and the fund sign, and every change since.

An approved project becomes an agreement: its parties (organisations, never people), the
amount in the fund's currency, the payment schedule (the project's tranches when it was
drawn up), its conditions precedent, the partner's reporting duties and the day it was
signed. The agreement is a ceiling: what the project's tranches pay and still plan to
pay never exceeds its amount.

Its life: ``draft`` -> ``signed`` -> ``completed`` -> ``closed``, or ``cancelled`` from
draft, signed or completed. An amendment (a new amount, new texts) or an extension (a new
end date) keeps it signed and adds a version. Every change, refunds included, is one
row of the append-only version history (number, kind, what changed, reason, who, when):
the agreement row holds the latest state, the versions say how it got there.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.lengths import MAX_DIGITS, Id, Name, Title
from pfund.domain.money import CurrencyCode
from pfund.domain.protection import PUBLIC

AGREEMENT_ID = r"^AGR-[0-9]{4,6}$"
MIN_REASON = 10


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ChangeKind(StrEnum):
    """What one version of an agreement records."""

    DRAWN_UP = "drawn_up"
    SIGNED = "signed"
    AMENDED = "amended"
    EXTENDED = "extended"
    COMPLETED = "completed"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    REFUND = "refund"  # the partner pays back of its own accord
    CLAWBACK = "clawback"  # the fund demands money back (misuse, ineligible spending)


# Which statuses each change starts from; anything else is a Conflict.
CHANGE_FROM: dict[ChangeKind, frozenset[AgreementStatus]] = {
    ChangeKind.SIGNED: frozenset({AgreementStatus.DRAFT}),
    ChangeKind.AMENDED: frozenset({AgreementStatus.SIGNED}),
    ChangeKind.EXTENDED: frozenset({AgreementStatus.SIGNED}),
    ChangeKind.COMPLETED: frozenset({AgreementStatus.SIGNED}),
    ChangeKind.CLOSED: frozenset({AgreementStatus.COMPLETED}),
    ChangeKind.CANCELLED: frozenset(
        {AgreementStatus.DRAFT, AgreementStatus.SIGNED, AgreementStatus.COMPLETED}
    ),
    ChangeKind.REFUND: frozenset(
        {
            AgreementStatus.SIGNED,
            AgreementStatus.COMPLETED,
            AgreementStatus.CLOSED,
            AgreementStatus.CANCELLED,
        }
    ),
    ChangeKind.CLAWBACK: frozenset(
        {
            AgreementStatus.SIGNED,
            AgreementStatus.COMPLETED,
            AgreementStatus.CLOSED,
            AgreementStatus.CANCELLED,
        }
    ),
}
# The status a change leaves the agreement in (refunds and amendments keep it).
CHANGE_TO: dict[ChangeKind, AgreementStatus] = {
    ChangeKind.SIGNED: AgreementStatus.SIGNED,
    ChangeKind.COMPLETED: AgreementStatus.COMPLETED,
    ChangeKind.CLOSED: AgreementStatus.CLOSED,
    ChangeKind.CANCELLED: AgreementStatus.CANCELLED,
}

# At most a quadrillion: its minor units fit the store's 64-bit integers.
MAX_AMOUNT = Decimal(10) ** 15
Amount = Annotated[Decimal, Field(gt=0, le=MAX_AMOUNT, max_digits=MAX_DIGITS, decimal_places=2)]


class ScheduleLine(BaseModel):
    """One payment of the schedule: the tranche, its year and amount (fund currency)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tranche_id: Annotated[Id, PUBLIC]
    year: Annotated[int, PUBLIC] = Field(ge=1900, le=2200)
    amount: Annotated[Decimal, PUBLIC] = Field(gt=0)


class Agreement(BaseModel):
    """A grant agreement as it stands (its latest version)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=AGREEMENT_ID)
    project_id: Annotated[Id, PUBLIC]
    status: Annotated[AgreementStatus, PUBLIC] = AgreementStatus.DRAFT
    version: Annotated[int, PUBLIC] = Field(default=1, ge=1)
    # Organisation ids (the proponent and partners); people sign for them but are never
    # named here.
    parties: Annotated[list[Id], PUBLIC] = Field(min_length=1, max_length=50)
    amount: Annotated[Amount, PUBLIC]
    currency: Annotated[CurrencyCode, PUBLIC]
    schedule: Annotated[list[ScheduleLine], PUBLIC] = Field(default_factory=list)
    conditions_precedent: Annotated[Title, PUBLIC] = ""
    conditions_precedent_ru: Annotated[Title, PUBLIC] = ""
    reporting_duties: Annotated[Title, PUBLIC] = ""
    reporting_duties_ru: Annotated[Title, PUBLIC] = ""
    signed_on: Annotated[date | None, PUBLIC] = None
    ends_on: Annotated[date | None, PUBLIC] = None

    @model_validator(mode="after")
    def _coherent(self) -> Agreement:
        if len(set(self.parties)) != len(self.parties):
            raise ValueError("a party is listed twice")
        unsigned = (AgreementStatus.DRAFT, AgreementStatus.CANCELLED)
        if self.status not in unsigned and self.signed_on is None:
            raise ValueError(f"a {self.status.value} agreement has its signature date")
        if self.signed_on and self.ends_on and self.ends_on < self.signed_on:
            raise ValueError("the end date comes before the signing date")
        return self


class AgreementVersion(BaseModel):
    """One change of an agreement: append-only, never edited or deleted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agreement_id: Id
    version: int = Field(ge=1)
    kind: ChangeKind
    # field -> "old -> new" (or the figures of a refund), in words a person reads
    changes: dict[str, str] = Field(default_factory=dict)
    reason: Title = ""
    actor: Name
    at: datetime


class Amendment(BaseModel):
    """What an amendment or extension asks: the version it was read from (so two people
    amending at once cannot both land), the new values (None keeps one) and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    reason: Title = Field(min_length=MIN_REASON)
    amount: Amount | None = None
    ends_on: date | None = None
    conditions_precedent: Title | None = None
    conditions_precedent_ru: Title | None = None
    reporting_duties: Title | None = None
    reporting_duties_ru: Title | None = None
