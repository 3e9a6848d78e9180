"""Due diligence records: watchlists, screening hits, review decisions and outreach.

A hit is a possible match between a counterparty (an organisation or a person) and a
listed entity. People review it: each decision is a new row with actor and time, never
changed or removed, and the latest decision gives the hit's status.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.lengths import Digest, Id, Name, Title
from pfund.domain.protection import PROTECTED, PUBLIC


class CounterpartyKind(StrEnum):
    ORGANISATION = "organisation"
    PERSON = "person"


class HitDecisionKind(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"


class HitStatus(StrEnum):
    """Open until someone decides; a confirmed hit blocks money as an open one does."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


STATUS_AFTER = {
    HitDecisionKind.CONFIRM: HitStatus.CONFIRMED,
    HitDecisionKind.DISMISS: HitStatus.DISMISSED,
}
BLOCKING = frozenset({HitStatus.OPEN, HitStatus.CONFIRMED})


class Watchlist(BaseModel):
    """A loaded list: its content hash changes whenever any entity in it does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    name: Title
    source: str
    loaded_at: datetime
    content_hash: Digest
    entity_count: int = Field(ge=0)


class ScreeningHit(BaseModel):
    """A counterparty that resembles a listed entity, with the score and why.

    ``entity_hash`` is the content hash of the listed entity as screened: when the entity
    changes, a new hit is raised for fresh review rather than inheriting a dismissal.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int | None = None
    counterparty_kind: CounterpartyKind
    counterparty_id: Id
    watchlist_id: Id
    entity_id: Name
    entity_hash: Digest
    score: float = Field(ge=0, le=1)
    matched: Annotated[str, PROTECTED] = ""
    explanation: Annotated[str, PROTECTED] = ""
    created_at: datetime


class HitDecision(BaseModel):
    """One review decision; appended, never updated or deleted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hit_id: int
    decision: HitDecisionKind
    reason: str = Field(min_length=1)
    actor: str
    at: datetime


class OutreachOutcome(StrEnum):
    NO_REPLY = "no_reply"
    INTERESTED = "interested"
    MEETING_SET = "meeting_set"
    DECLINED = "declined"
    FOLLOW_UP = "follow_up"
    COMMITTED = "committed"


class OutreachEntry(BaseModel):
    """Who on the staff reached whom at an organisation, when, how, and what came of it.

    The contact is a person id: the person's name stays in the protected people table.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int | None = None
    organisation_id: Annotated[Id, PUBLIC]
    on: date
    channel: str = Field(min_length=1, max_length=64)
    staff: str = Field(min_length=1, max_length=200)
    contact_person_id: Id | None = None
    outcome: OutreachOutcome
    note: Annotated[str, PROTECTED] = ""
