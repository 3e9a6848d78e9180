"""Rows of grievances: the report, its history of steps, and its evidence files.

``grievances`` holds one row per report: category, what it is against, status, the
dates that measure how fast it was handled, whether it holds money, and the keyed hash
of the reporter's tracking code (never the code). The description, the reporter's name
and contact are sealed at rest (``pfund.store.crypto.SPECS``).

``grievance_events`` keeps every step in order (status moves with their reasons, holds
and lifts, what the reporter added), append-only; ``grievance_files`` the evidence,
cleaned as for results (images without metadata) and sealed as base64 text, since a
file can name its sender as surely as a signature.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, SEALED, Base

CODE_HASH = String(64)
DIGEST = String(64)
STATUSES = (
    "'received', 'acknowledged', 'under_review', 'substantiated', "
    "'not_substantiated', 'referred', 'closed'"
)


class GrievanceRow(Base):
    __tablename__ = "grievances"
    __table_args__ = (
        CheckConstraint(f"status IN ({STATUSES})", name="status"),
        CheckConstraint("subject_kind IN ('', 'project', 'organisation')", name="subject_kind"),
        CheckConstraint("NOT holding OR subject_id <> ''", name="hold_needs_subject"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    code_hash: Mapped[str] = mapped_column(CODE_HASH, unique=True)
    category: Mapped[str] = mapped_column(ENUM)
    subject_kind: Mapped[str] = mapped_column(ENUM, default="")
    subject_id: Mapped[str] = mapped_column(ID, default="", index=True)
    description: Mapped[str] = mapped_column(Text, info=SEALED)
    reporter_name: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    reporter_contact: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(ENUM)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledge_by: Mapped[date] = mapped_column(Date)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    holding: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class GrievanceEventRow(Base):
    __tablename__ = "grievance_events"

    grievance_id: Mapped[str] = mapped_column(
        ID, ForeignKey("grievances.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(ENUM)
    status: Mapped[str] = mapped_column(ENUM, default="")
    reason: Mapped[str] = mapped_column(Text, default="", info=SEALED)


class GrievanceFileRow(Base):
    __tablename__ = "grievance_files"

    grievance_id: Mapped[str] = mapped_column(
        ID, ForeignKey("grievances.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    filename: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    media_type: Mapped[str] = mapped_column(ENUM)
    sha256: Mapped[str] = mapped_column(DIGEST)
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text, info=SEALED)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
