"""A project: a proposal and later an activity, with every uncertain number as a range.

The shorthand of DESIGN.md is accepted as written (costs keyed by year, a benefit as
``per_year`` from a year for some years, an outcome as ``[low, likely, high]``) and
normalised here, so every reader (CSV, JSON, YAML, web form) shares one validation.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pfund.domain.enums import ProjectStatus, RiskRating
from pfund.domain.estimate import Estimate
from pfund.domain.lengths import Contact, Id, Label, Title
from pfund.domain.money import CurrencyCode
from pfund.domain.protection import PROTECTED, PUBLIC
from pfund.domain.reference import SubdivisionCode

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
Year = Annotated[int, Field(ge=1900, le=2200)]


class YearCost(BaseModel):
    """One year's cost, split because capital and running costs are financed differently."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    capital: Annotated[Estimate[Decimal] | None, PUBLIC] = None
    running: Annotated[Estimate[Decimal] | None, PUBLIC] = None

    @model_validator(mode="after")
    def _not_empty(self) -> YearCost:
        if self.capital is None and self.running is None:
            raise ValueError("give a capital or a running cost for the year")
        return self

    def likely(self) -> Decimal:
        return sum((e.likely for e in (self.capital, self.running) if e is not None), Decimal(0))


class BenefitStream(BaseModel):
    """A monetised benefit by year; written either year by year or as a constant stream."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    by_year: Annotated[dict[Year, Estimate[Decimal]], PUBLIC]

    @model_validator(mode="before")
    @classmethod
    def _expand_constant(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "per_year" not in data:
            return data
        extra = set(data) - {"per_year", "from", "years"}
        if extra:
            raise ValueError(f"unexpected keys {sorted(extra)} beside per_year, from, years")
        try:
            start, years = int(data["from"]), int(data["years"])
        except KeyError as missing:
            raise ValueError(f"a per_year benefit needs '{missing.args[0]}'") from None
        except (TypeError, ValueError):
            raise ValueError("'from' and 'years' must be whole numbers") from None
        if not 1 <= years <= 100:
            raise ValueError(f"'years' must be between 1 and 100, got {years}")
        return {"by_year": {start + i: data["per_year"] for i in range(years)}}

    @field_validator("by_year")
    @classmethod
    def _some_years(cls, value: dict[int, Estimate[Decimal]]) -> dict[int, Estimate[Decimal]]:
        if not value:
            raise ValueError("a benefit stream needs at least one year")
        return dict(sorted(value.items()))


class Outcome(BaseModel):
    """A non-monetary result (people reached, km built, tonnes secured)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: Annotated[Estimate[float], PUBLIC]
    unit: Annotated[Label, PUBLIC] = ""
    # What a Russian reader sees instead of the outcome's key (``km_built``).
    name_ru: Annotated[Title, PUBLIC] = ""

    @model_validator(mode="before")
    @classmethod
    def _from_shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "value" in data:
            return data
        return {"value": data}


class Project(BaseModel):
    """A proposal as stored: what it costs, what it yields, and what it needs to go ahead."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=ID_PATTERN)
    title: Annotated[str, PUBLIC] = Field(min_length=3, max_length=300)
    title_ru: Annotated[Title, PUBLIC] = ""
    description: Annotated[str, PUBLIC] = ""
    description_ru: Annotated[str, PUBLIC] = ""
    area: Annotated[Id, PUBLIC]
    regions: Annotated[list[SubdivisionCode], PUBLIC] = Field(default_factory=list)
    proponent: Annotated[Id | None, PUBLIC] = None
    partners: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    contacts: Annotated[list[Contact], PROTECTED] = Field(default_factory=list)
    status: Annotated[ProjectStatus, PUBLIC] = ProjectStatus.PROPOSED
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    stage: Annotated[int, PUBLIC] = Field(default=0, ge=0, le=9)
    costs: Annotated[dict[Year, YearCost], PUBLIC]
    benefits: Annotated[dict[Label, BenefitStream], PUBLIC] = Field(default_factory=dict)
    outcomes: Annotated[dict[Label, Outcome], PUBLIC] = Field(default_factory=dict)
    depends_on: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    excludes: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    risk: Annotated[RiskRating, PUBLIC] = RiskRating.MEDIUM
    scores: Annotated[dict[Label, float], PUBLIC] = Field(default_factory=dict)
    value_score: Annotated[float | None, PUBLIC] = Field(default=None, ge=0)
    notes: str = ""
    protected_fields: list[str] = Field(default_factory=list)
    # Shown on the portal, the public API and the open data (internal: the flag itself is
    # staff's business). Imports default to published, so a fund loaded from files stays
    # public; a proposal from the public form is stored unpublished until staff publish it.
    published: bool = True

    @model_validator(mode="before")
    @classmethod
    def _twin_protected_with_its_original(cls, data: Any) -> Any:
        """A protected description keeps its Russian twin protected too: the twin says
        the same thing, so protecting one and publishing the other would leak it."""
        if isinstance(data, dict):
            raised = list(data.get("protected_fields") or [])
            if "description" in raised and "description_ru" not in raised:
                return {**data, "protected_fields": [*raised, "description_ru"]}
        return data

    @field_validator("costs")
    @classmethod
    def _some_costs(cls, value: dict[int, YearCost]) -> dict[int, YearCost]:
        if not value:
            raise ValueError("a project needs a cost in at least one year")
        return dict(sorted(value.items()))

    @field_validator("scores")
    @classmethod
    def _finite_scores(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [k for k, v in value.items() if not math.isfinite(v)]
        if bad:
            raise ValueError(f"score '{bad[0]}' must be a finite number")
        return value

    @field_validator("regions", "partners", "depends_on", "excludes")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        seen = [v for i, v in enumerate(value) if v in value[:i]]
        if seen:
            raise ValueError(f"lists {seen[0]!r} twice")
        return value

    @model_validator(mode="after")
    def _no_self_links(self) -> Project:
        if self.id in self.depends_on or self.id in self.excludes:
            raise ValueError("a project cannot depend on or exclude itself")
        both = set(self.depends_on) & set(self.excludes)
        if both:
            raise ValueError(f"{sorted(both)} both required and excluded")
        bad = set(self.protected_fields) - set(type(self).model_fields)
        if bad:
            raise ValueError(f"protected_fields names unknown fields {sorted(bad)}")
        return self

    @property
    def years(self) -> list[int]:
        years = set(self.costs)
        for stream in self.benefits.values():
            years |= set(stream.by_year)
        return sorted(years)

    def likely_cost(self) -> Decimal:
        return sum((c.likely() for c in self.costs.values()), Decimal(0))

    def likely_cost_by_year(self) -> dict[int, Decimal]:
        return {year: cost.likely() for year, cost in self.costs.items()}


# Proposals not taken in (or turned away) are never public, whatever their flag says.
INTAKE_STATUSES = frozenset(
    {
        ProjectStatus.SUBMITTED,
        ProjectStatus.RETURNED,
        ProjectStatus.REJECTED,
        ProjectStatus.WITHDRAWN,
    }
)


def is_public(project: Project) -> bool:
    """Whether a project may appear in any public output (portal, public API, open data,
    IATI, public exports): published by the fund, and past intake."""
    return project.published and project.status not in INTAKE_STATUSES
