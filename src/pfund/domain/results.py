"""A project's results framework and its partners' reports, as pydantic models.

An indicator measures one of the things a project promised: where the project's
appraisal predicts an outcome (``Project.outcomes``, say ``km_upgraded``), the indicator
names it in ``outcome`` so that the appraisal and the results speak of the same thing,
in the same unit. Targets are set per reporting period; a period is a year (``2030``),
a half (``2030-H1``) or a quarter (``2030-Q3``). A partner's report for a period gives
one achieved value per indicator (and optionally per region of its disaggregation).

Values are ``Decimal`` (kept as text in the store): a count of people or kilometres is
exact as the partner wrote it.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pfund.domain.lengths import MAX_DIGITS, Id, Label, Title
from pfund.domain.protection import PUBLIC
from pfund.domain.reference import SubdivisionCode

PERIOD_PATTERN = re.compile(r"^(\d{4})(?:-(H[12]|Q[1-4]))?$")
CODE_PATTERN = r"^[a-z0-9][a-z0-9_]{0,63}$"
# Days a partner has after a period ends to report on it, unless the link says otherwise.
GRACE_DAYS = 45


def check_period(value: str) -> str:
    """A period as ``YYYY``, ``YYYY-H1|H2`` or ``YYYY-Q1..Q4``; anything else is refused
    with the forms that are accepted."""
    text = str(value).strip().upper()
    if not PERIOD_PATTERN.match(text):
        raise ValueError(
            f"period '{value}' is not a year (2030), half (2030-H1) or quarter (2030-Q3)"
        )
    return text


Period = Annotated[str, Field(max_length=7), AfterValidator(check_period)]


def period_end(period: str) -> date:
    """The last day of a period: 31 December for a year or H2, 30 June for H1, and the
    last day of a quarter's third month."""
    match = PERIOD_PATTERN.match(period)
    if match is None:
        raise ValueError(f"not a period: {period!r}")
    year, part = int(match.group(1)), match.group(2)
    last_month = 12
    if part in ("H1",):
        last_month = 6
    elif part and part.startswith("Q"):
        last_month = 3 * int(part[1])
    first_of_next = date(year + (last_month == 12), last_month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def period_start(period: str) -> date:
    """The first day of a period: 1 January for a year or H1, 1 July for H2, and the
    first day of a quarter's first month."""
    match = PERIOD_PATTERN.match(period)
    if match is None:
        raise ValueError(f"not a period: {period!r}")
    year, part = int(match.group(1)), match.group(2)
    first_month = 1
    if part == "H2":
        first_month = 7
    elif part and part.startswith("Q"):
        first_month = 3 * int(part[1]) - 2
    return date(year, first_month, 1)


def report_due(period: str, grace_days: int = GRACE_DAYS) -> date:
    """When a report on ``period`` is due: the period's end plus the grace days."""
    return period_end(period) + timedelta(days=grace_days)


def report_id(project: str, period: str) -> str:
    """A report's id, ``RPT-<project>-<period>``; a project id too long for that is
    replaced by the start of its SHA-256, so every id fits the store's 64 characters."""
    plain = f"RPT-{project}-{period}"
    if len(plain) <= 64:
        return plain
    digest = hashlib.sha256(project.encode("utf-8")).hexdigest()[:16]
    return f"RPT-{digest}-{period}"


class Direction(StrEnum):
    """Which way an indicator improves: most count up (people served, km built); some
    count down (deaths, costs, emissions), where less is better and the target lies
    below the baseline."""

    INCREASE = "increase"
    DECREASE = "decrease"


def progress(
    direction: Direction, baseline: Decimal, target: Decimal, achieved: Decimal
) -> Decimal | None:
    """Achieved as a share of the target (0.5 = half way), in the indicator's direction.

    An increasing indicator is read as achieved / target, as the fund has always read it.
    A decreasing one is read as the reduction achieved over the reduction targeted,
    ``(baseline - achieved) / (baseline - target)``: deaths from 100 to 80 against a
    target of 60 is half way (0.5); a rise above the baseline is a negative share.
    ``None`` when the target gives nothing to divide by.
    """
    if direction is Direction.DECREASE:
        planned = baseline - target
        return (baseline - achieved) / planned if planned > 0 else None
    return achieved / target if target else None


# Finite (pydantic refuses NaN and infinity for Decimal) and short enough for the store.
Amount = Annotated[Decimal, Field(max_digits=MAX_DIGITS)]


class Indicator(BaseModel):
    """One indicator of a project's results framework; every text in both languages."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project: Annotated[Id, PUBLIC]
    code: Annotated[str, PUBLIC] = Field(pattern=CODE_PATTERN)
    name: Annotated[Title, PUBLIC] = Field(min_length=3)
    name_ru: Annotated[Title, PUBLIC] = Field(min_length=3)
    unit: Annotated[Label, PUBLIC] = Field(min_length=1)
    # Lower is better (deaths, costs, emissions) when "decrease"; before the targets so
    # that their validator reads it.
    direction: Annotated[Direction, PUBLIC] = Direction.INCREASE
    baseline: Annotated[Amount, PUBLIC] = Decimal(0)
    baseline_date: Annotated[date, PUBLIC]
    targets: Annotated[dict[Period, Amount], PUBLIC]
    means_of_verification: Annotated[str, PUBLIC] = Field(default="", max_length=2000)
    means_of_verification_ru: Annotated[str, PUBLIC] = Field(default="", max_length=2000)
    regions: Annotated[list[SubdivisionCode], PUBLIC] = Field(default_factory=list)
    # The key of the project's predicted outcome this indicator measures, if any.
    outcome: Annotated[Label | None, PUBLIC] = None

    @field_validator("direction", mode="before")
    @classmethod
    def _direction_text(cls, value: object) -> object:
        # a CSV cell left empty means the usual direction
        if isinstance(value, str):
            return value.strip().lower() or Direction.INCREASE
        return value

    @field_validator("targets")
    @classmethod
    def _some_targets(cls, value: dict[str, Decimal], info: ValidationInfo) -> dict[str, Decimal]:
        if not value:
            raise ValueError("an indicator needs a target for at least one period")
        baseline = info.data.get("baseline")
        if info.data.get("direction") is Direction.DECREASE and baseline is not None:
            above = [p for p, t in sorted(value.items()) if t >= baseline]
            if above:
                raise ValueError(
                    f"the target for {above[0]} ({value[above[0]]}) of a decreasing indicator "
                    f"must be below its baseline ({baseline}): lower is better"
                )
        return dict(sorted(value.items()))

    @field_validator("regions")
    @classmethod
    def _unique_regions(cls, value: list[str]) -> list[str]:
        twice = [v for i, v in enumerate(value) if v in value[:i]]
        if twice:
            raise ValueError(f"lists {twice[0]!r} twice")
        return value

    @model_validator(mode="after")
    def _targets_after_baseline(self) -> Indicator:
        early = [p for p in self.targets if period_end(p) < self.baseline_date]
        if early:
            raise ValueError(
                f"target period {early[0]} ends before the baseline date {self.baseline_date}"
            )
        return self


class ReportedValue(BaseModel):
    """One achieved value: an indicator's total for the period, or one region's part."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    indicator: Annotated[str, PUBLIC] = Field(pattern=CODE_PATTERN)
    value: Annotated[Amount, PUBLIC] = Field(ge=0)
    unit: Annotated[Label, PUBLIC] = Field(min_length=1)
    # '' for the indicator's total; a region of the indicator's disaggregation otherwise.
    region: Annotated[str, PUBLIC] = Field(default="", max_length=16)
    note: Annotated[str, PUBLIC] = Field(default="", max_length=2000)


class ReportInput(BaseModel):
    """What a partner sends for one project and period, by any channel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project: Annotated[Id, PUBLIC]
    period: Annotated[Period, PUBLIC]
    values: Annotated[list[ReportedValue], PUBLIC] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_value_each(self) -> ReportInput:
        keys = [(v.indicator, v.region) for v in self.values]
        twice = [k for i, k in enumerate(keys) if k in keys[:i]]
        if twice:
            code, region = twice[0]
            where = f" in region {region}" if region else ""
            raise ValueError(f"indicator {code}{where} is reported twice")
        return self


class EvidenceFile(BaseModel):
    """An evidence file as stored: by the SHA-256 of its (cleaned) content."""

    model_config = ConfigDict(frozen=True)

    sha256: Annotated[str, PUBLIC] = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: Annotated[Label, PUBLIC]
    size: Annotated[int, PUBLIC] = Field(ge=0)
    # The file name the partner gave; may name people or places, so staff only.
    filename: Title = ""


class ReportRecord(BaseModel):
    """A report request and, once the partner has sent it, what it holds."""

    model_config = ConfigDict(frozen=True)

    id: Annotated[Id, PUBLIC]
    project: Annotated[Id, PUBLIC]
    period: Annotated[Period, PUBLIC]
    due_on: Annotated[date, PUBLIC]
    issued_at: datetime | None = None
    submitted_at: Annotated[datetime | None, PUBLIC] = None
    channel: Annotated[Label, PUBLIC] = ""
    values: Annotated[list[ReportedValue], PUBLIC] = Field(default_factory=list)
    evidence: list[EvidenceFile] = Field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


class LateReport(BaseModel):
    """A report that is due and not in: requested and not sent, or never requested."""

    model_config = ConfigDict(frozen=True)

    project: Id
    period: str
    due_on: date
    days_late: int
    report: Id | None = None  # the request's id when a link was issued
