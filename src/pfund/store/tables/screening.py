"""Rows of watchlists, their entities, screening hits, review decisions and outreach."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, SEALED, TITLE, Base

HASH = String(64)


class WatchlistRow(Base):
    """A loaded watchlist; ``content_hash`` covers every entity's own hash."""

    __tablename__ = "watchlists"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(TITLE)
    source: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(HASH)
    entity_count: Mapped[int] = mapped_column(Integer)


class WatchlistEntityRow(Base):
    """One listed entity (FtM id within its watchlist) and the facts screening uses."""

    __tablename__ = "watchlist_entities"

    watchlist_id: Mapped[str] = mapped_column(
        ID, ForeignKey("watchlists.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    schema_name: Mapped[str] = mapped_column(ENUM)
    names: Mapped[dict[str, Any]] = mapped_column(JSON)
    identifiers: Mapped[dict[str, Any]] = mapped_column(JSON)
    birth_dates: Mapped[list[str]] = mapped_column(JSON)
    countries: Mapped[list[str]] = mapped_column(JSON)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(HASH)


class ScreeningHitRow(Base):
    """A possible match; one per counterparty, listed entity and version of that entity."""

    __tablename__ = "screening_hits"
    __table_args__ = (
        UniqueConstraint(
            "counterparty_kind",
            "counterparty_id",
            "watchlist_id",
            "entity_id",
            "entity_hash",
            name="uq_screening_hits_pair",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    counterparty_kind: Mapped[str] = mapped_column(ENUM)
    counterparty_id: Mapped[str] = mapped_column(ID, index=True)
    watchlist_id: Mapped[str] = mapped_column(ID, ForeignKey("watchlists.id"), index=True)
    entity_id: Mapped[str] = mapped_column(String(200))
    entity_hash: Mapped[str] = mapped_column(HASH)
    score: Mapped[float] = mapped_column(Double)
    matched: Mapped[str] = mapped_column(Text, info=SEALED)
    explanation: Mapped[str] = mapped_column(Text, info=SEALED)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HitDecisionRow(Base):
    """A review decision, append-only; ``id`` orders them, the latest one counts."""

    __tablename__ = "hit_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hit_id: Mapped[int] = mapped_column(Integer, ForeignKey("screening_hits.id"), index=True)
    decision: Mapped[str] = mapped_column(ENUM)
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutreachRow(Base):
    """One contact with a company; the contact is a person id, never a name."""

    __tablename__ = "outreach"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ID, ForeignKey("organisations.id"), index=True)
    on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(64))
    staff: Mapped[str] = mapped_column(String(200))
    contact_person_id: Mapped[str | None] = mapped_column(ID, ForeignKey("people.id"))
    outcome: Mapped[str] = mapped_column(ENUM)
    note: Mapped[str] = mapped_column(Text, info=SEALED)
