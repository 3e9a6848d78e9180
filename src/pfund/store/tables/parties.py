"""Rows of organisations, their vetting checklists, and people."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, TITLE, Base


class OrganisationRow(Base):
    """An organisation; the company profile is flattened into nullable ``company_*`` columns.

    ``company_russia_status`` is set exactly when the organisation has a company profile,
    and ``has_vetting`` tells an empty checklist apart from none at all.
    """

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(TITLE)
    alias: Mapped[str] = mapped_column(TITLE, default="")
    kind: Mapped[str] = mapped_column(ENUM, index=True)
    country: Mapped[str] = mapped_column(String(2))
    areas: Mapped[list[str]] = mapped_column(JSON)
    regions: Mapped[list[str]] = mapped_column(JSON)
    capabilities: Mapped[list[str]] = mapped_column(JSON)
    website: Mapped[str] = mapped_column(String(500), default="")
    company_russia_status: Mapped[str | None] = mapped_column(ENUM)
    company_reengagement: Mapped[str | None] = mapped_column(ENUM)
    company_home_country: Mapped[str | None] = mapped_column(String(2))
    has_vetting: Mapped[bool] = mapped_column(Boolean, default=False)
    vetting_approved_on: Mapped[date | None] = mapped_column(Date)
    vetting_valid_until: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
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
    reviewer: Mapped[str] = mapped_column(String(200), default="")
    checked_on: Mapped[date | None] = mapped_column(Date)


class PersonRow(Base):
    """A contact person; name, email and phone are protected and leave only via services."""

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organisation: Mapped[str | None] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(200), default="")
    alias: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(TITLE)
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str] = mapped_column(String(64), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
