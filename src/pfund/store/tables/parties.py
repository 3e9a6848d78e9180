"""Rows of organisations, their vetting checklists, and people."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, SEALED, Base


class OrganisationRow(Base):
    """An organisation; the company profile is flattened into nullable ``company_*`` columns.

    ``company_russia_status`` is set exactly when the organisation has a company profile,
    and ``has_vetting`` tells an empty checklist apart from none at all.
    """

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    # Text: each of these may be raised to protected and then holds a ciphertext.
    name: Mapped[str] = mapped_column(Text, info=SEALED)
    alias: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    kind: Mapped[str] = mapped_column(ENUM, index=True)
    country: Mapped[str] = mapped_column(String(2))
    areas: Mapped[list[str]] = mapped_column(JSON, info=SEALED)
    regions: Mapped[list[str]] = mapped_column(JSON, info=SEALED)
    capabilities: Mapped[list[str]] = mapped_column(JSON, info=SEALED)
    website: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    company_russia_status: Mapped[str | None] = mapped_column(ENUM)
    company_reengagement: Mapped[str | None] = mapped_column(ENUM)
    company_home_country: Mapped[str | None] = mapped_column(String(2))
    has_vetting: Mapped[bool] = mapped_column(Boolean, default=False)
    vetting_approved_on: Mapped[date | None] = mapped_column(Date)
    vetting_valid_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    protected_fields: Mapped[list[str]] = mapped_column(JSON)


class VettingItemRow(Base):
    """One vetting criterion judged for a democratic-forces group."""

    __tablename__ = "vetting_items"

    organisation_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    criterion: Mapped[str] = mapped_column(ENUM, primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    met: Mapped[bool | None] = mapped_column(Boolean)
    evidence: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    checked_on: Mapped[date | None] = mapped_column(Date)


class PersonRow(Base):
    """A contact person; name, email, phone and notes are protected: sealed at rest
    (:mod:`pfund.store.crypto`), so their columns are text of any length and the limits
    of the plain values live in :class:`pfund.domain.Person`."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation: Mapped[str | None] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(200), default="")
    alias: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(Text, info=SEALED)
    email: Mapped[str | None] = mapped_column(Text, info=SEALED)
    phone: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    notes: Mapped[str] = mapped_column(Text, default="", info=SEALED)
