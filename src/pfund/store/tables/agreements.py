"""Rows of grant agreements and their append-only version history.

``agreements`` holds each agreement as it stands, the amount in minor units of the
fund's currency and the schedule as JSON; ``version`` is what a change's conditional
update compares (``WHERE status = ... AND version = ...``), so two changes read from the
same version cannot both land. ``agreement_versions`` keeps one row per change, keyed
by (agreement, version): a second row for the same version is refused by the key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CURRENCY, ENUM, ID, TITLE, Base

STATUSES = "status IN ('draft', 'signed', 'completed', 'closed', 'cancelled')"


class AgreementRow(Base):
    __tablename__ = "agreements"
    __table_args__ = (
        CheckConstraint(STATUSES, name="status"),
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(ID, ForeignKey("projects.id"), unique=True)
    status: Mapped[str] = mapped_column(ENUM, index=True)
    version: Mapped[int] = mapped_column(Integer)
    parties: Mapped[list[str]] = mapped_column(JSON)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    schedule: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    conditions_precedent: Mapped[str] = mapped_column(TITLE, default="")
    conditions_precedent_ru: Mapped[str] = mapped_column(TITLE, default="")
    reporting_duties: Mapped[str] = mapped_column(TITLE, default="")
    reporting_duties_ru: Mapped[str] = mapped_column(TITLE, default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)


class AgreementVersionRow(Base):
    __tablename__ = "agreement_versions"

    agreement_id: Mapped[str] = mapped_column(ID, ForeignKey("agreements.id"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(ENUM)
    changes: Mapped[dict[str, str]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(TITLE, default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
