"""Sanctions licences: the authorisation a payment into a sanctioned jurisdiction needs.

While sanctions apply, paying a counterparty in a sanctioned jurisdiction (Russia, for
the Russian Partnership Fund) is lawful only under a licence from a sanctioning
authority (an OFAC specific licence, an EU member state's authorisation, an OFSI
licence) or under an exemption the law itself grants (a general licence, a humanitarian
exemption), recorded with its legal basis. Which jurisdictions need one is the fund's
policy (``sanctions:`` in fund.yaml), not code: a fund for Ukraine's reconstruction
names none, or others.

A licence covers named counterparties, optionally only some areas of work, up to an
optional amount in the fund's currency, between two dates. The gate
(``pfund.conditions.licences``) refuses a payment no valid licence covers, and says
which licence fell short and why.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pfund.domain.lengths import MAX_DIGITS, Id, Title
from pfund.domain.protection import PUBLIC
from pfund.domain.reference import CountryAlpha2

LICENCE_ID = r"^LIC-[0-9]{4,6}$"


class SanctionsPolicy(BaseModel):
    """The fund's sanctions rules (``sanctions:`` in fund.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Payments to a counterparty registered in one of these countries need a licence.
    jurisdictions: Annotated[list[CountryAlpha2], PUBLIC] = Field(default_factory=list)
    # A licence ending within this many days is listed as expiring.
    warn_days: Annotated[int, PUBLIC] = Field(default=30, ge=1, le=365)


class LicenceKind(StrEnum):
    LICENCE = "licence"  # issued by an authority to the fund, for named counterparties
    EXEMPTION = "exemption"  # granted by law (a general licence): its legal basis is named


class SanctionsLicence(BaseModel):
    """One licence or exemption, as compliance records it from the authority's letter."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, PUBLIC] = Field(pattern=LICENCE_ID)
    kind: Annotated[LicenceKind, PUBLIC] = LicenceKind.LICENCE
    authority: Annotated[Title, PUBLIC] = Field(min_length=2)
    authority_ru: Annotated[Title, PUBLIC] = ""
    reference: Annotated[Id, PUBLIC] = Field(min_length=1)
    # The law that grants an exemption (e.g. "OFAC General License 25"); for a licence,
    # the regulation it is issued under, where the letter names one.
    legal_basis: Annotated[Title, PUBLIC] = ""
    legal_basis_ru: Annotated[Title, PUBLIC] = ""
    counterparties: Annotated[list[Id], PUBLIC] = Field(min_length=1)
    # Area codes the licence is limited to; empty means every area.
    areas: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    # The most that may be paid under it, in the fund's currency; None for no cap.
    max_amount: Annotated[Decimal | None, PUBLIC] = Field(
        default=None, gt=0, max_digits=MAX_DIGITS, decimal_places=2
    )
    valid_from: Annotated[date, PUBLIC]
    valid_until: Annotated[date, PUBLIC]
    scope: Annotated[Title, PUBLIC] = ""
    scope_ru: Annotated[Title, PUBLIC] = ""
    revoked_on: Annotated[date | None, PUBLIC] = None
    revoked_reason: Annotated[Title, PUBLIC] = ""

    @model_validator(mode="after")
    def _coherent(self) -> SanctionsLicence:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until comes before valid_from")
        if self.kind is LicenceKind.EXEMPTION and not self.legal_basis.strip():
            raise ValueError("an exemption needs its legal_basis (the law that grants it)")
        if len(set(self.counterparties)) != len(self.counterparties):
            raise ValueError("a counterparty is listed twice")
        return self

    def in_force(self, day: date) -> bool:
        """Valid on ``day``: within its dates and not revoked on or before it."""
        revoked = self.revoked_on is not None and self.revoked_on <= day
        return self.valid_from <= day <= self.valid_until and not revoked


class LicenceUse(BaseModel):
    """A payment made under a licence: what counts against its ``max_amount``."""

    model_config = ConfigDict(frozen=True)

    licence_id: str
    tranche_id: str
    counterparty: str
    amount: Decimal
    at: datetime
