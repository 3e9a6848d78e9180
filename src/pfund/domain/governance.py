"""The joint committee's rule, its seats and their votes, as data.

The fund decides with Russian representatives: donor seats carry the weight of what
their state has paid in, Russian seats (held by vetted democratic-forces groups and
civil-society organisations) count one each. The rule that turns votes into a decision
is data, read from ``fund.yaml`` (``committee:``), so a reader can see what was applied.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.protection import PUBLIC

SEAT_LABEL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"
# A seat's label in Russian, as a Russian page shows it (the label stays its identifier).
SEAT_LABEL_RU_PATTERN = r"^[0-9A-Za-zА-Яа-яЁё№][0-9A-Za-zА-Яа-яЁё№ ._—–-]{0,63}$"


class Side(StrEnum):
    DONOR = "donor"
    RUSSIAN = "russian"


class Vote(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class SeatStanding(StrEnum):
    """Whether a seat may vote on an item: active, suspended (its holder's vetting has
    lapsed, or it was suspended by decision) or recused (it declared a conflict)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    RECUSED = "recused"


class Majority(StrEnum):
    DOUBLE = "double"  # a majority of donor weight AND a majority of Russian seats
    DONOR = "donor"  # donor weight alone (Russian seats advise)
    SEATS = "seats"  # one seat one vote, both sides together


class Abstentions(StrEnum):
    EXCLUDE = "exclude"  # an abstention counts towards quorum, not in the majority
    AGAINST = "against"  # an abstention counts as a vote against


class Quorum(BaseModel):
    """The share of each side's eligible body that must take part (yes, no or abstain)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    donor_weight: Annotated[Decimal, PUBLIC] = Field(default=Decimal("0.5"), ge=0, le=1)
    russian_seats: Annotated[Decimal, PUBLIC] = Field(default=Decimal("0.5"), ge=0, le=1)


class CommitteeRule(BaseModel):
    """How votes become a decision; the default is the double majority of issue 16.

    ``threshold``: the share of the counted votes that must be in favour, strictly more
    than it (0.5: a simple majority; 0.6667 for two thirds). ``veto``: seat labels whose
    "no" defeats an item whatever the count.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    quorum: Annotated[Quorum, PUBLIC] = Quorum()
    majority: Annotated[Majority, PUBLIC] = Majority.DOUBLE
    threshold: Annotated[Decimal, PUBLIC] = Field(default=Decimal("0.5"), ge=0, lt=1)
    abstentions: Annotated[Abstentions, PUBLIC] = Abstentions.EXCLUDE
    veto: Annotated[list[str], PUBLIC] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_veto(self) -> CommitteeRule:
        if len(set(self.veto)) != len(self.veto):
            raise ValueError("a seat may appear only once in 'veto'")
        return self


class SeatVote(BaseModel):
    """One seat as the tally sees it: its side, weight, standing and vote (if any)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: Annotated[str, PUBLIC] = Field(pattern=SEAT_LABEL_PATTERN)
    side: Annotated[Side, PUBLIC]
    weight: Annotated[Decimal, PUBLIC] = Field(default=Decimal(1), ge=0)
    standing: Annotated[SeatStanding, PUBLIC] = SeatStanding.ACTIVE
    vote: Annotated[Vote | None, PUBLIC] = None

    @model_validator(mode="after")
    def _only_active_votes(self) -> SeatVote:
        if self.vote is not None and self.standing is not SeatStanding.ACTIVE:
            raise ValueError(f"seat {self.label} is {self.standing.value}: it cannot vote")
        return self


class ItemKind(StrEnum):
    APPRAISAL = "appraisal"  # which proposals are identified for appraisal
    PORTFOLIO = "portfolio"  # the approval of a portfolio run (with the selection approved)


class CommitteeDefinition(BaseModel):
    """A committee as ``fund.yaml`` defines it (``committees:``), with its rule."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, PUBLIC] = Field(pattern=r"^[a-z][a-z0-9_-]{1,63}$")
    name: Annotated[str, PUBLIC] = Field(min_length=2, max_length=300)
    name_ru: Annotated[str, PUBLIC] = Field(default="", max_length=300)
    rule: Annotated[CommitteeRule, PUBLIC] = CommitteeRule()
    # The fund's policy: a portfolio run is approved only on this committee's passed
    # decision, and what is approved is the committee's selection (services.committee_gate).
    approves_portfolio: Annotated[bool, PUBLIC] = False
