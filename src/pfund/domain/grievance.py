"""Grievances: what anyone may report to the fund, and the steps an integrity officer takes.

A grievance is received, acknowledged (within the fund's deadline), put under review,
decided (substantiated, not substantiated or referred to another body) and closed, each
step with its reason. A grievance against a project or a counterparty can hold that
project's (or counterparty's) tranches: a substantiated one by rule, a credible open one
when the fund's policy allows it; only an audited decision lifts the hold.

The reporter's name and contact are protected: never public, sealed at rest, read only
by the integrity role and every reading audited.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class GrievanceCategory(StrEnum):
    """What a grievance is about; retaliation is handled first."""

    FRAUD = "fraud"
    CORRUPTION = "corruption"
    HARM_TO_PEOPLE = "harm_to_people"
    HARM_TO_ENVIRONMENT = "harm_to_environment"
    RETALIATION = "retaliation"
    OTHER = "other"


class GrievanceStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    UNDER_REVIEW = "under_review"
    SUBSTANTIATED = "substantiated"
    NOT_SUBSTANTIATED = "not_substantiated"
    REFERRED = "referred"
    CLOSED = "closed"


class SubjectKind(StrEnum):
    """What a grievance is against: a project, an organisation, or nothing named."""

    NONE = ""
    PROJECT = "project"
    ORGANISATION = "organisation"


OUTCOMES = frozenset(
    {GrievanceStatus.SUBSTANTIATED, GrievanceStatus.NOT_SUBSTANTIATED, GrievanceStatus.REFERRED}
)

# Each status and the statuses it may move to: one step at a time, each with a reason.
MOVES: dict[GrievanceStatus, frozenset[GrievanceStatus]] = {
    GrievanceStatus.RECEIVED: frozenset({GrievanceStatus.ACKNOWLEDGED}),
    GrievanceStatus.ACKNOWLEDGED: frozenset({GrievanceStatus.UNDER_REVIEW}),
    GrievanceStatus.UNDER_REVIEW: OUTCOMES,
    GrievanceStatus.SUBSTANTIATED: frozenset({GrievanceStatus.CLOSED}),
    GrievanceStatus.NOT_SUBSTANTIATED: frozenset({GrievanceStatus.CLOSED}),
    GrievanceStatus.REFERRED: frozenset({GrievanceStatus.CLOSED}),
    GrievanceStatus.CLOSED: frozenset(),
}
TRIAGE = frozenset({GrievanceStatus.ACKNOWLEDGED, GrievanceStatus.UNDER_REVIEW})
DECISIONS = OUTCOMES | {GrievanceStatus.CLOSED}
OPEN = frozenset(
    {GrievanceStatus.RECEIVED, GrievanceStatus.ACKNOWLEDGED, GrievanceStatus.UNDER_REVIEW}
)


class GrievancePolicy(BaseModel):
    """The fund's rules for grievances (``grievances:`` in fund.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # days from receipt within which a grievance must be acknowledged
    acknowledge_days: int = Field(default=7, ge=1, le=90)
    # whether an integrity officer may hold money on a credible grievance still open
    # (a substantiated one holds by rule)
    hold_credible_open: bool = True
    # public statistics show a count below this as "fewer than N"
    suppress_below: int = Field(default=3, ge=1, le=20)


class Grievance(BaseModel):
    """A grievance as staff see it (the reporter's identity apart, in ``Reporter``)."""

    model_config = ConfigDict(frozen=True)

    id: str
    category: GrievanceCategory
    subject_kind: SubjectKind = SubjectKind.NONE
    subject_id: str = ""
    description: str
    anonymous: bool
    language: str = "en"
    status: GrievanceStatus
    received_at: datetime
    acknowledge_by: date
    acknowledged_at: datetime | None = None
    decided_at: datetime | None = None
    closed_at: datetime | None = None
    holding: bool = False


class Reporter(BaseModel):
    """Who reported and how to reach them: protected, for the integrity role only."""

    model_config = ConfigDict(frozen=True)

    name: str = ""
    contact: str = ""
    anonymous: bool = True


class GrievanceEvent(BaseModel):
    """One step in a grievance's history, in order: status moves, holds, additions."""

    model_config = ConfigDict(frozen=True)

    position: int
    at: datetime
    actor: str
    kind: str
    status: str = ""
    reason: str = ""


class GrievanceFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    position: int
    filename: str
    media_type: str
    sha256: str
    size: int
    added_at: datetime
