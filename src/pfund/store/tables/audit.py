"""Rows of the hash-chained audit log and its head, the row writers lock to append."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ID, Base


class AuditEventRow(Base):
    """An audit event; ``seq`` is assigned by the service from the locked head, not the DB.

    ``details`` is the canonical ``json.dumps(details, sort_keys=True)`` text, so both
    databases give back exactly the string that was hashed; ``rows`` likewise. The table
    is append-only: triggers (migration 0010) refuse UPDATE and DELETE.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "record_type", "record_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    record_type: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[str] = mapped_column(ID)
    details: Mapped[str] = mapped_column(Text)
    # The new state of the rows the event changed: canonical JSON of {row key: state}.
    rows: Mapped[str] = mapped_column(Text, server_default="{}")
    # "hmac-sha256" (keyed); "sha256" only for events written before the chain was keyed.
    scheme: Mapped[str] = mapped_column(String(16), server_default="sha256")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The last event's seq and hash in one row (id 1), locked by whoever appends next."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
