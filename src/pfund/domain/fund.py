"""The definition of one fund: what makes a data set the Russian Partnership Fund or another.

Nothing in the code is specific to one fund; a new fund is a new data set whose
``fund.yaml`` this model reads.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.money import CurrencyCode
from pfund.domain.protection import PUBLIC
from pfund.domain.reference import CountryAlpha2


class FundDefinition(BaseModel):
    """Name, beneficiary country, currency and planning horizon of a fund."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, PUBLIC] = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: Annotated[str, PUBLIC]
    name_ru: Annotated[str, PUBLIC] = ""
    beneficiary_country: Annotated[CountryAlpha2, PUBLIC]
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    first_year: Annotated[int, PUBLIC] = Field(ge=1990, le=2200)
    last_year: Annotated[int, PUBLIC] = Field(ge=1990, le=2200)
    default_share_of_gdp: Annotated[Decimal, PUBLIC] = Field(default=Decimal("0.0025"), ge=0)
    discount_rate: Annotated[Decimal, PUBLIC] = Field(default=Decimal("0.06"), ge=0, le=1)
    description: Annotated[str, PUBLIC] = ""

    @model_validator(mode="after")
    def _horizon(self) -> FundDefinition:
        if self.last_year < self.first_year:
            raise ValueError("last_year comes before first_year")
        return self
