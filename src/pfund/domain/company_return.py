"""The companies' return: tracker lists of companies and each company's return pipeline.

A company list is a tracker's export (Yale CELI's grades, KSE Institute's statuses),
imported with its source, address, date and the file's sha256. Each company on it gets
one return record: the tracker's word for it, the Russia status that word maps to, and
a stage. Companies the tracker says still operate in Russia stand at ``operating``, out
of the pipeline; those that left stand at ``withdrawn`` and move, one stage at a time,
through ``in_contact`` and ``conditions_agreed`` to ``returning`` and ``returned``, each
with its date. A return can also fall back (talks broke down, a return stalled): a move
to an earlier stage of the pipeline needs its reason; the dates of the later stages it
had reached stay, and every move is in the audit log. A return needs a sanctions-relief
phase: ``needs_stage`` is the fund stage whose conditions must hold before the company
may be marked returning.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.enums import RussiaStatus
from pfund.domain.lengths import Digest, Id, Title, Url, Word
from pfund.domain.protection import PUBLIC


class Tracker(StrEnum):
    """Whose list: Yale CELI (grades A-F) or KSE Institute ("Leave Russia" statuses)."""

    YALE = "yale"
    KSE = "kse"


class ReturnStage(StrEnum):
    OPERATING = "operating"  # the tracker says it still operates in Russia
    WITHDRAWN = "withdrawn"
    IN_CONTACT = "in_contact"
    CONDITIONS_AGREED = "conditions_agreed"
    RETURNING = "returning"
    RETURNED = "returned"


PIPELINE: tuple[ReturnStage, ...] = (
    ReturnStage.WITHDRAWN,
    ReturnStage.IN_CONTACT,
    ReturnStage.CONDITIONS_AGREED,
    ReturnStage.RETURNING,
    ReturnStage.RETURNED,
)
# The stages a sanctions-relief phase must have opened before a company may reach them.
NEEDS_RELIEF = frozenset({ReturnStage.RETURNING, ReturnStage.RETURNED})
# Tracker statuses of companies that left (or are leaving): they enter the pipeline.
LEFT = frozenset({RussiaStatus.WITHDRAWN, RussiaStatus.SUSPENDED, RussiaStatus.SCALING_BACK})


def next_stage(stage: ReturnStage) -> ReturnStage | None:
    """The one stage a company may move to from ``stage`` (None at the end or outside)."""
    if stage not in PIPELINE:
        return None
    at = PIPELINE.index(stage)
    return PIPELINE[at + 1] if at + 1 < len(PIPELINE) else None


def earlier_stages(stage: ReturnStage) -> tuple[ReturnStage, ...]:
    """The stages a company at ``stage`` may fall back to (none outside the pipeline)."""
    if stage not in PIPELINE:
        return ()
    return PIPELINE[: PIPELINE.index(stage)]


class CompanyList(BaseModel):
    """One imported tracker list: who published it, where, as of when, which file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[Id, PUBLIC]
    tracker: Annotated[Tracker, PUBLIC]
    source: Annotated[Title, PUBLIC] = Field(min_length=2)
    url: Annotated[Url, PUBLIC] = ""
    as_of: Annotated[date, PUBLIC]
    file: Annotated[Title, PUBLIC]
    sha256: Annotated[Digest, PUBLIC]
    rows: Annotated[int, PUBLIC] = Field(ge=0)
    imported_at: datetime | None = None


class CompanyReturn(BaseModel):
    """Where one company stands: on its tracker's list, and on its way back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    organisation_id: Annotated[Id, PUBLIC]
    list_id: Annotated[Id, PUBLIC]
    listed_name: Annotated[Title, PUBLIC]
    tracker: Annotated[Tracker, PUBLIC]
    grade: Annotated[Word, PUBLIC] = ""  # Yale's letter; '' on a KSE list
    tracker_status: Annotated[Word, PUBLIC]  # the tracker's word, lower case
    russia_status: Annotated[RussiaStatus, PUBLIC]
    sector: Annotated[Title, PUBLIC] = ""
    needs_stage: Annotated[int, PUBLIC] = Field(ge=0)
    stage: Annotated[ReturnStage, PUBLIC]
    withdrawn_on: Annotated[date | None, PUBLIC] = None
    in_contact_on: Annotated[date | None, PUBLIC] = None
    conditions_agreed_on: Annotated[date | None, PUBLIC] = None
    returning_on: Annotated[date | None, PUBLIC] = None
    returned_on: Annotated[date | None, PUBLIC] = None

    def since(self) -> date | None:
        """The day the company reached its present stage."""
        if self.stage is ReturnStage.OPERATING:
            return None
        value: date | None = getattr(self, f"{self.stage.value}_on")
        return value
