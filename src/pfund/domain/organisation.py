"""Partners and counterparties: organisations, the companies among them, and people.

People are protected by default: a Russian partner's name in the wrong place can put them
in prison. Public outputs show a role or an alias.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from pfund.domain.enums import (
    OrganisationKind,
    ReengagementStatus,
    RussiaStatus,
    VettingCriterion,
)
from pfund.domain.lengths import Id, Name, Phone, Title, Url
from pfund.domain.project import ID_PATTERN
from pfund.domain.protection import PROTECTED, PUBLIC
from pfund.domain.reference import CountryAlpha2


class CompanyProfile(BaseModel):
    """Where a company stands in the beneficiary country and with the fund."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    russia_status: Annotated[RussiaStatus, PUBLIC]
    reengagement: ReengagementStatus = ReengagementStatus.NOT_CONTACTED
    home_country: Annotated[CountryAlpha2 | None, PUBLIC] = None


class VettingItem(BaseModel):
    """One criterion checked, with the evidence and who judged it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    criterion: VettingCriterion
    met: bool | None = None
    evidence: str = ""
    reviewer: Annotated[Name, PROTECTED] = ""
    checked_on: date | None = None


class VettingChecklist(BaseModel):
    """A democratic-forces group's vetting; approval lapses after ``valid_until``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    items: list[VettingItem] = Field(default_factory=list)
    approved_on: date | None = None
    valid_until: date | None = None

    @model_validator(mode="after")
    def _one_item_per_criterion(self) -> VettingChecklist:
        names = [i.criterion for i in self.items]
        if len(names) != len(set(names)):
            raise ValueError("each vetting criterion may appear only once")
        if self.approved_on and not self.complete():
            raise ValueError("cannot be approved while a criterion is unmet or unchecked")
        return self

    def complete(self) -> bool:
        met = {i.criterion for i in self.items if i.met}
        return met == set(VettingCriterion)

    def approved_at(self, day: date) -> bool:
        return bool(
            self.approved_on
            and self.approved_on <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class Organisation(BaseModel):
    """An NGO, university, company, public body or democratic-forces group."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=ID_PATTERN)
    name: Annotated[str, PUBLIC] = Field(min_length=2, max_length=300)
    alias: Annotated[Title, PUBLIC] = ""
    kind: Annotated[OrganisationKind, PUBLIC]
    country: Annotated[CountryAlpha2, PUBLIC]
    areas: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    regions: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    capabilities: Annotated[list[str], PUBLIC] = Field(default_factory=list)
    website: Annotated[Url, PUBLIC] = ""
    company: Annotated[CompanyProfile | None, PUBLIC] = None
    vetting: VettingChecklist | None = None
    notes: str = ""
    protected_fields: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _profile_fits_kind(self) -> Organisation:
        if (self.kind is OrganisationKind.COMPANY) != (self.company is not None):
            raise ValueError("a company needs a company profile, and only a company has one")
        if self.vetting is not None and self.kind is not OrganisationKind.DEMOCRATIC_FORCES:
            raise ValueError("only a democratic-forces group carries a vetting checklist")
        bad = set(self.protected_fields) - set(type(self).model_fields)
        if bad:
            raise ValueError(f"protected_fields names unknown fields {sorted(bad)}")
        return self

    def public_name(self) -> str:
        """What a public page shows: the alias when the name itself is protected."""
        if "name" in self.protected_fields:
            return self.alias or f"Partner {self.id}"
        return self.name


class Person(BaseModel):
    """A contact person; only the role and an alias may ever be shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=ID_PATTERN)
    organisation: Id | None = None
    role: Annotated[Name, PUBLIC] = ""
    alias: Annotated[Name, PUBLIC] = ""
    name: Annotated[Title, PROTECTED]
    email: Annotated[EmailStr | None, PROTECTED] = None
    phone: Annotated[Phone, PROTECTED] = ""
    notes: Annotated[str, PROTECTED] = ""
