"""Rows of tranches, the conditions gating them, and the double-entry ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, CURRENCY, ENUM, ID, Base


class TrancheRow(Base):
    __tablename__ = "tranches"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    project_id: Mapped[str] = mapped_column(ID, ForeignKey("projects.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    stage: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(ENUM, index=True)


class TrancheConditionRow(Base):
    __tablename__ = "tranche_conditions"

    tranche_id: Mapped[str] = mapped_column(
        ID, ForeignKey("tranches.id", ondelete="CASCADE"), primary_key=True
    )
    condition: Mapped[str] = mapped_column(
        CODE, ForeignKey("conditions.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class LedgerEntryRow(Base):
    """One movement between two accounts; the amount in minor units of ``currency``.

    Times are stored in UTC: SQLite keeps no offset, so a local time would shift.
    """

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    debit: Mapped[str] = mapped_column(ENUM)
    credit: Mapped[str] = mapped_column(ENUM)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    contributor: Mapped[str | None] = mapped_column(String(3), index=True)
    project_id: Mapped[str | None] = mapped_column(ID, ForeignKey("projects.id"), index=True)
    tranche_id: Mapped[str | None] = mapped_column(ID, ForeignKey("tranches.id"), index=True)
    memo: Mapped[str] = mapped_column(Text, default="")
