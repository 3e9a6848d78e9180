"""Rows of conditions and the stages they make up."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CODE, ENUM, TITLE, Base


class ConditionRow(Base):
    """A condition with its verification protocol flattened into two columns."""

    __tablename__ = "conditions"

    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    title: Mapped[str] = mapped_column(TITLE)
    title_ru: Mapped[str] = mapped_column(TITLE, default="")
    definition: Mapped[str] = mapped_column(Text)
    definition_ru: Mapped[str] = mapped_column(Text, default="")
    verifier: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    iati_type: Mapped[str] = mapped_column(ENUM)
    status: Mapped[str] = mapped_column(ENUM)
    status_since: Mapped[date | None] = mapped_column(Date)


class StageRow(Base):
    """A stage; what it unlocks is free vocabulary (areas, kinds of work, ``all``)."""

    __tablename__ = "stages"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(TITLE)
    name_ru: Mapped[str] = mapped_column(TITLE, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_ru: Mapped[str] = mapped_column(Text, default="")
    unlocks: Mapped[list[str]] = mapped_column(JSON)


class StageConditionRow(Base):
    __tablename__ = "stage_conditions"

    stage_number: Mapped[int] = mapped_column(
        Integer, ForeignKey("stages.number", ondelete="CASCADE"), primary_key=True
    )
    condition: Mapped[str] = mapped_column(
        CODE, ForeignKey("conditions.code"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class ConditionChangeRow(Base):
    """One status change of a condition, append-only; ``id`` keeps their order."""

    __tablename__ = "condition_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(CODE, ForeignKey("conditions.code"), index=True)
    old: Mapped[str] = mapped_column(ENUM)
    new: Mapped[str] = mapped_column(ENUM)
    evidence: Mapped[str] = mapped_column(Text)
    verifier: Mapped[str] = mapped_column(Text)
    on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(Text, default="")
