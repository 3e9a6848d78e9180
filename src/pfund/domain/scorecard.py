"""Public indicators and the rules that check conditions against them (an MCC-style scorecard).

An *indicator data set* is a file of published figures (a democracy index, a freedom
status, a governance percentile), one value a row: the country or region it measures,
the indicator's code, the year, the value (a number, or a category such as "Partly
Free"), the source and the source's licence. It is versioned by the hash of its content.

A *rule* says when a condition holds by those figures: tests on one indicator each,
combined with ``all`` or ``any`` (nested as deep as needed). A condition with a rule can
be evaluated; one without stays manual.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.conditions import CODE_PATTERN
from pfund.domain.enums import ConditionStatus
from pfund.domain.lengths import MAX_DIGITS
from pfund.domain.protection import PUBLIC

INDICATOR_PATTERN = r"^[a-z][a-z0-9_]*$"
AREA_PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"


class IndicatorValue(BaseModel):
    """One published figure: a number (``value``) or a category (``category``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    area: Annotated[str, PUBLIC] = Field(pattern=AREA_PATTERN)
    indicator: Annotated[str, PUBLIC] = Field(pattern=INDICATOR_PATTERN, max_length=64)
    year: Annotated[int, PUBLIC] = Field(ge=1900, le=2200)
    value: Annotated[Decimal | None, PUBLIC] = Field(default=None, max_digits=MAX_DIGITS)
    category: Annotated[str, PUBLIC] = Field(default="", max_length=100)
    source: Annotated[str, PUBLIC] = Field(min_length=3, max_length=500)
    licence: Annotated[str, PUBLIC] = Field(min_length=2, max_length=200)

    @model_validator(mode="after")
    def _one_kind(self) -> IndicatorValue:
        if (self.value is None) == (not self.category):
            raise ValueError("give either a number in 'value' or a category, not both or neither")
        return self

    @property
    def shown(self) -> str:
        """The value as a reader sees it."""
        return self.category if self.value is None else format(self.value, "f")


class IndicatorSet(BaseModel):
    """One version of an indicator data set: which file, its content hash, when imported."""

    model_config = ConfigDict(frozen=True)

    name: Annotated[str, PUBLIC]
    version: Annotated[int, PUBLIC]
    sha256: Annotated[str, PUBLIC]
    file: Annotated[str, PUBLIC]
    imported_at: Annotated[datetime, PUBLIC]
    rows: Annotated[int, PUBLIC]
    sources: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    licences: Annotated[list[str], PUBLIC] = Field(default_factory=list)


Op = Literal[">=", ">", "<=", "<", "==", "!="]


class IndicatorTest(BaseModel):
    """One test on one indicator for one country or region.

    Numeric: ``op`` and ``threshold`` ("v2x_polyarchy >= 0.5"). Categorical: ``one_of``
    ("freedom_status in {Free, Partly Free}"). ``year`` is ``latest`` (the newest year the
    data holds) or a given year. ``area`` defaults to the fund's beneficiary country."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator: str = Field(pattern=INDICATOR_PATTERN, max_length=64)
    area: str = Field(default="", pattern=r"^$|" + AREA_PATTERN)
    op: Op | None = None
    threshold: Decimal | None = None
    one_of: list[str] = Field(default_factory=list)
    year: int | Literal["latest"] = "latest"
    label: str = ""
    label_ru: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> IndicatorTest:
        numeric = self.op is not None and self.threshold is not None
        if numeric == bool(self.one_of) or (self.op is None) != (self.threshold is None):
            raise ValueError(
                f"test on '{self.indicator}': give 'op' and 'threshold' (a number) "
                "or 'one_of' (categories), not both"
            )
        return self

    def text(self) -> str:
        """The test as a reader writes it: ``v2x_polyarchy >= 0.5 (RU, latest year)``."""
        when = "latest year" if self.year == "latest" else str(self.year)
        where = f"{self.area}, " if self.area else ""
        if self.one_of:
            return f"{self.indicator} in {{{', '.join(self.one_of)}}} ({where}{when})"
        return f"{self.indicator} {self.op} {format(self.threshold, 'f')} ({where}{when})"


class RuleGroup(BaseModel):
    """Tests and groups combined: ``all`` must pass, or ``any`` one of them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    all: list[IndicatorTest | RuleGroup] = Field(default_factory=list)
    any: list[IndicatorTest | RuleGroup] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_combinator(self) -> RuleGroup:
        if bool(self.all) == bool(self.any):
            raise ValueError("a rule group lists its parts under 'all' or 'any' (one of them)")
        return self

    @property
    def mode(self) -> str:
        return "all" if self.all else "any"

    @property
    def parts(self) -> list[IndicatorTest | RuleGroup]:
        return self.all or self.any

    def tests(self) -> list[IndicatorTest]:
        """Every test in the rule, depth first."""
        found: list[IndicatorTest] = []
        for part in self.parts:
            found += part.tests() if isinstance(part, RuleGroup) else [part]
        return found


class RulePolicy(StrEnum):
    """What ``conditions evaluate --apply`` does with a proposed change."""

    APPLY = "apply"  # record the change at once, through the audited condition service
    CONFIRM = "confirm"  # leave it pending until staff confirm or reject it


class ConditionRule(BaseModel):
    """A condition's rule, the verifier in whose name a change is recorded, and the policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    condition: str = Field(pattern=CODE_PATTERN)
    rule: RuleGroup
    verifier: str = ""
    policy: RulePolicy | None = None


class RulesFile(BaseModel):
    """The fund's ``condition_rules`` file: a default policy and one rule per condition."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    policy: RulePolicy = RulePolicy.CONFIRM
    rules: list[ConditionRule] = Field(default_factory=list)

    def policy_of(self, rule: ConditionRule) -> RulePolicy:
        return rule.policy or self.policy


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPLIED = "applied"  # applied at once by the fund's policy
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class Proposal(BaseModel):
    """A status change an evaluation proposed, with its evidence, and what became of it."""

    model_config = ConfigDict(frozen=True)

    id: Annotated[int, PUBLIC]
    condition: Annotated[str, PUBLIC]
    old: Annotated[ConditionStatus, PUBLIC]
    new: Annotated[ConditionStatus, PUBLIC]
    rule: Annotated[str, PUBLIC]
    evidence: Annotated[str, PUBLIC]
    values: Annotated[list[dict[str, str]], PUBLIC]
    sets: Annotated[list[str], PUBLIC]  # "name@sha256" of each data set version used
    verifier: Annotated[str, PUBLIC]
    status: Annotated[ProposalStatus, PUBLIC]
    proposed_at: Annotated[datetime, PUBLIC]
    decided_by: str = ""
    decided_at: datetime | None = None
    reason: str = ""
