"""Reference vocabulary a fund data set defines: areas, regions and contributors."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from pfund.domain.lengths import MAX_DIGITS, Id, Label, Title
from pfund.domain.protection import PUBLIC


def check_subdivision(code: str) -> str:
    """An ISO 3166-2 code pycountry knows (RU-MOW, UA-30, ...)."""
    if pycountry.subdivisions.get(code=code) is None:  # type: ignore[no-untyped-call]
        raise ValueError(f"'{code}' is not an ISO 3166-2 subdivision code")
    return code


def check_country3(code: str) -> str:
    if pycountry.countries.get(alpha_3=code.upper()) is None:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-3 country code")
    return code.upper()


def check_country2(code: str) -> str:
    if pycountry.countries.get(alpha_2=code.upper()) is None:
        raise ValueError(f"'{code}' is not an ISO 3166-1 alpha-2 country code")
    return code.upper()


SubdivisionCode = Annotated[str, AfterValidator(check_subdivision)]
CountryAlpha3 = Annotated[str, AfterValidator(check_country3)]
CountryAlpha2 = Annotated[str, AfterValidator(check_country2)]


class Area(BaseModel):
    """An area of cooperation and the OECD DAC sector categories it reports under."""

    model_config = ConfigDict(frozen=True)

    code: Annotated[Id, PUBLIC] = Field(pattern=r"^[a-z][a-z_]*$")
    name: Annotated[Title, PUBLIC]
    name_ru: Annotated[Title, PUBLIC] = ""
    dac_categories: Annotated[list[str], PUBLIC] = Field(default_factory=list)


class Region(BaseModel):
    """A subdivision of the beneficiary country, by ISO 3166-2."""

    model_config = ConfigDict(frozen=True)

    code: Annotated[SubdivisionCode, PUBLIC]
    name: Annotated[Title, PUBLIC]
    name_ru: Annotated[Title, PUBLIC] = ""
    kind: Annotated[Label, PUBLIC] = ""
    population: Annotated[int | None, PUBLIC] = Field(default=None, ge=0)
    population_year: Annotated[int | None, PUBLIC] = None


class Contributor(BaseModel):
    """A donor state with its GDP for one year and the share of GDP it pays."""

    model_config = ConfigDict(frozen=True)

    iso3: Annotated[CountryAlpha3, PUBLIC]
    name: Annotated[Title, PUBLIC]
    year: Annotated[int, PUBLIC]
    gdp_usd: Annotated[Decimal, PUBLIC] = Field(ge=0)
    defence_pct_gdp: Annotated[Decimal | None, PUBLIC] = Field(
        default=None, ge=0, max_digits=MAX_DIGITS
    )
    share_of_gdp: Annotated[Decimal, PUBLIC] = Field(
        default=Decimal("0.0025"), ge=0, le=1, max_digits=MAX_DIGITS
    )

    @property
    def contribution_usd(self) -> Decimal:
        return self.gdp_usd * self.share_of_gdp
