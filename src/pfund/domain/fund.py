"""The definition of one fund: what makes a data set the Russian Partnership Fund or another.

Nothing in the code is specific to one fund; a new fund is a new data set whose
``fund.yaml`` this model reads.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from pfund.domain.grievance import GrievancePolicy
from pfund.domain.instrument import InstrumentPolicy
from pfund.domain.lengths import MAX_DIGITS, Id, Title
from pfund.domain.licence import SanctionsPolicy
from pfund.domain.money import CurrencyCode
from pfund.domain.protection import PUBLIC
from pfund.domain.reference import CountryAlpha2

# IATI identifiers must not hold spaces, "/", "&", "|" or "?"; an empty ref means unset.
IATI_REF_PATTERN = r"^([A-Za-z0-9][A-Za-z0-9_.:\-]{0,99})?$"
DAC_CODE = re.compile(r"\d{5}")


class Verifier(BaseModel):
    """A body the fund accepts as the verifier of a condition's change of status.

    The register is part of the fund's data set: a status that releases or freezes money
    may only rest on the word of a body named here, never on free text.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, PUBLIC] = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$")
    name: Annotated[str, PUBLIC] = Field(min_length=2, max_length=300)
    name_ru: Annotated[str, PUBLIC] = Field(default="", max_length=300)


class FundDefinition(BaseModel):
    """Name, beneficiary country, currency and planning horizon of a fund."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[Id, PUBLIC] = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: Annotated[Title, PUBLIC]
    name_ru: Annotated[Title, PUBLIC] = ""
    beneficiary_country: Annotated[CountryAlpha2, PUBLIC]
    currency: Annotated[CurrencyCode, PUBLIC] = "USD"
    first_year: Annotated[int, PUBLIC] = Field(ge=1990, le=2200)
    last_year: Annotated[int, PUBLIC] = Field(ge=1990, le=2200)
    default_share_of_gdp: Annotated[Decimal, PUBLIC] = Field(
        default=Decimal("0.0025"), ge=0, max_digits=MAX_DIGITS
    )
    discount_rate: Annotated[Decimal, PUBLIC] = Field(
        default=Decimal("0.06"), ge=0, le=1, max_digits=MAX_DIGITS
    )
    description: Annotated[str, PUBLIC] = ""
    # The fund's IATI organisation identifier (org-id.guide prefix + registration):
    # every activity it publishes is identified as ``<iati_org_ref>-<project id>``.
    iati_org_ref: Annotated[str, PUBLIC] = Field(default="", pattern=IATI_REF_PATTERN)
    # The DAC 5-digit purpose code each area reports under in IATI (vocabulary 1); an
    # area's 3-digit categories are too coarse, and its list of 5-digit codes too wide,
    # for a reader to know what kind of work an activity is.
    iati_sectors: Annotated[dict[str, str], PUBLIC] = Field(default_factory=dict)
    # The bodies whose word may change a condition's status (see ``Verifier``).
    verifiers: Annotated[list[Verifier], PUBLIC] = Field(default_factory=list)
    # How grievances are handled: the acknowledgement deadline, holds, suppression.
    grievances: Annotated[GrievancePolicy, PUBLIC] = Field(default_factory=GrievancePolicy)
    # Which counterparties' payments need a sanctions licence (``pfund licences``).
    sanctions: Annotated[SanctionsPolicy, PUBLIC] = Field(default_factory=SanctionsPolicy)
    # A conversion on a day without a published rate uses the latest earlier rate at most
    # this many days old (4 covers a weekend and a holiday), and says so; older: refused.
    rate_max_age_days: Annotated[int, PUBLIC] = Field(default=4, ge=0, le=3660)
    # How loans and guarantees are valued (``pfund loans``, ``pfund guarantees``).
    instruments: Annotated[InstrumentPolicy, PUBLIC] = Field(default_factory=InstrumentPolicy)

    @field_validator("iati_sectors")
    @classmethod
    def _dac_codes(cls, value: dict[str, str]) -> dict[str, str]:
        bad = {area: code for area, code in value.items() if not DAC_CODE.fullmatch(code)}
        if bad:
            area, code = next(iter(bad.items()))
            raise ValueError(f"area '{area}': '{code}' is not a DAC 5-digit purpose code")
        return value

    @model_validator(mode="after")
    def _horizon(self) -> FundDefinition:
        if self.last_year < self.first_year:
            raise ValueError("last_year comes before first_year")
        codes = [v.code for v in self.verifiers]
        if len(codes) != len(set(codes)):
            raise ValueError("each verifier code may appear only once")
        return self
