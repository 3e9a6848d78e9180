"""The portfolio policy: budgets by year and the board's constraints on a selection.

Kept apart from the projects because it is the board's choice, changed between runs,
while the projects are the pipeline's facts.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pfund.domain.protection import PUBLIC

Share = Annotated[float, Field(ge=0, le=1)]
# How appraisal inputs are uplifted for optimism bias (pfund.services.learning).
OptimismBias = Literal["auto", "green-book", "history", "off"]
# The Green Book's project types (pfund.results.expost.ProjectType, which the domain
# cannot import).
GreenBookType = Literal[
    "standard_buildings",
    "non_standard_buildings",
    "standard_civil_engineering",
    "non_standard_civil_engineering",
    "equipment_development",
    "outsourcing",
]


class PortfolioPolicy(BaseModel):
    """Budgets, shares and caps the optimiser must respect, and how value is counted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    budgets: Annotated[dict[int, Decimal], PUBLIC]
    area_min_share: Annotated[dict[str, Share], PUBLIC] = Field(default_factory=dict)
    area_max_share: Annotated[dict[str, Share], PUBLIC] = Field(default_factory=dict)
    default_area_max_share: Annotated[Share | None, PUBLIC] = None
    region_max_share: Annotated[Share | None, PUBLIC] = None
    must_include: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    must_exclude: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    max_stage: Annotated[int, PUBLIC] = Field(default=9, ge=0, le=9)
    objective: Annotated[Literal["expected", "quantile"], PUBLIC] = "expected"
    quantile: Annotated[float, PUBLIC] = Field(default=0.5, gt=0, lt=1)
    hurdle: Annotated[float, PUBLIC] = Field(default=0.10, ge=0, le=0.5)
    # Areas whose case rests on what the ERR does not count (the board's choice): the
    # hurdle does not gate their projects. Empty: the gate applies to every project.
    hurdle_exempt_areas: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    draws: Annotated[int, PUBLIC] = Field(default=2000, ge=100, le=1_000_000)
    area_correlation: Annotated[float, PUBLIC] = Field(default=0.0, ge=0, lt=1)
    seed: Annotated[int, PUBLIC] = Field(default=20261124, ge=0)
    time_limit: Annotated[float, PUBLIC] = Field(default=30.0, gt=0, le=3600)
    # Optimism bias (issue 15): the Green Book prior until an area has history of its own
    # (auto), the prior alone, the history alone, or no uplift; and the Green Book type
    # of an area where the board chooses it (else it follows the area's DAC sector).
    optimism_bias: Annotated[OptimismBias, PUBLIC] = "auto"
    optimism_bias_types: Annotated[dict[str, GreenBookType], PUBLIC] = Field(default_factory=dict)

    @field_validator("optimism_bias", mode="before")
    @classmethod
    def _yaml_off(cls, value: object) -> object:
        """YAML reads a bare ``off`` as false: take it as the mode it names."""
        return "off" if value is False else value

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, value: dict[int, Decimal]) -> dict[int, Decimal]:
        if not value:
            raise ValueError("give a budget for at least one year")
        negative = [y for y, b in value.items() if b < 0]
        if negative:
            raise ValueError(f"the budget for {negative[0]} is negative")
        years = sorted(value)
        missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        if missing:
            raise ValueError(
                f"budget years must be consecutive: {', '.join(map(str, missing))} missing "
                "(give 0 for a year with no money)"
            )
        return dict(sorted(value.items()))

    @model_validator(mode="after")
    def _shares(self) -> PortfolioPolicy:
        if sum(self.area_min_share.values()) > 1:
            raise ValueError("the minimum area shares add up to more than 100%")
        for area, low in self.area_min_share.items():
            high = self.area_max_share.get(area, self.default_area_max_share)
            if high is not None and low > high:
                raise ValueError(f"area '{area}': minimum share {low} above maximum {high}")
        both = set(self.must_include) & set(self.must_exclude)
        if both:
            raise ValueError(f"{sorted(both)} both must be included and excluded")
        return self

    def max_share(self, area: str) -> float | None:
        return self.area_max_share.get(area, self.default_area_max_share)
