"""Rows of sanctions licences and of the payments made under them.

``licences`` holds what the authority's letter says (or the law that grants an
exemption): counterparties and areas as JSON lists, the cap in minor units of the fund's
currency. ``licence_uses`` records, in the payment's own transaction, the licence each
payment was made under; its key refuses counting one payment twice against a cap.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CURRENCY, ENUM, ID, TITLE, Base


class LicenceRow(Base):
    __tablename__ = "licences"
    __table_args__ = (
        CheckConstraint("kind IN ('licence', 'exemption')", name="kind"),
        CheckConstraint("valid_until >= valid_from", name="dates"),
        CheckConstraint("max_amount_minor IS NULL OR max_amount_minor > 0", name="cap_positive"),
        UniqueConstraint("authority", "reference"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(ENUM)
    authority: Mapped[str] = mapped_column(TITLE)
    authority_ru: Mapped[str] = mapped_column(TITLE, default="")
    reference: Mapped[str] = mapped_column(ID)
    legal_basis: Mapped[str] = mapped_column(TITLE, default="")
    legal_basis_ru: Mapped[str] = mapped_column(TITLE, default="")
    counterparties: Mapped[list[str]] = mapped_column(JSON)
    areas: Mapped[list[str]] = mapped_column(JSON)
    max_amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(TITLE, default="")
    scope_ru: Mapped[str] = mapped_column(TITLE, default="")
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_reason: Mapped[str] = mapped_column(TITLE, default="")


class LicenceUseRow(Base):
    __tablename__ = "licence_uses"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    licence_id: Mapped[str] = mapped_column(ID, ForeignKey("licences.id"), primary_key=True)
    tranche_id: Mapped[str] = mapped_column(ID, ForeignKey("tranches.id"), primary_key=True)
    counterparties: Mapped[list[str]] = mapped_column(JSON)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
