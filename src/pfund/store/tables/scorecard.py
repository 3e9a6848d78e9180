"""Indicator data sets (each version kept), their figures, and the condition changes that
evaluating rules over them proposed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, ENUM, Base


class IndicatorSetRow(Base):
    """One version of a data set; a second import of the same bytes finds this row."""

    __tablename__ = "indicator_sets"
    __table_args__ = (
        UniqueConstraint("sha256", name="uq_indicator_sets_sha256"),
        UniqueConstraint("name", "version", name="uq_indicator_sets_name_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(CODE)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    file: Mapped[str] = mapped_column(String(300))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    imported_by: Mapped[str] = mapped_column(String(200), default="")
    rows: Mapped[int] = mapped_column(Integer)


class IndicatorValueRow(Base):
    __tablename__ = "indicator_values"

    set_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("indicator_sets.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(10), primary_key=True)
    indicator: Mapped[str] = mapped_column(CODE, primary_key=True, index=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[str | None] = mapped_column(String(40))  # a Decimal as text
    category: Mapped[str] = mapped_column(String(100), default="")
    source: Mapped[str] = mapped_column(Text)
    licence: Mapped[str] = mapped_column(String(200))


class ConditionProposalRow(Base):
    """A proposed change of a condition's status, with its evidence; decided once."""

    __tablename__ = "condition_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    condition: Mapped[str] = mapped_column(CODE, ForeignKey("conditions.code"), index=True)
    old: Mapped[str] = mapped_column(ENUM)
    new: Mapped[str] = mapped_column(ENUM)
    rule: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    values: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    sets: Mapped[list[str]] = mapped_column(JSON)
    verifier: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(ENUM, index=True)
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(Text, default="")
