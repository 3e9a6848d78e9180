"""The joint committee: its seats, the items it decides, conflicts declared and votes.

A seat's holder (the person) is protected and sealed at rest; the public sees the seat's
label and its votes. One vote per seat per item is a database constraint.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, SEALED, TITLE, Base


class CommitteeRow(Base):
    __tablename__ = "committees"

    code: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_ru: Mapped[str] = mapped_column(String(300), default="")
    # The rule as fund.yaml gave it when the committee was set up (CommitteeRule).
    rule: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CommitteeSeatRow(Base):
    """A donor seat names its contributor (its weight comes from the ledger); a Russian
    seat names the vetted organisation that holds it (its vetting must stand)."""

    __tablename__ = "committee_seats"
    __table_args__ = (UniqueConstraint("committee", "label", name="uq_committee_seats_label"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee: Mapped[str] = mapped_column(ID, ForeignKey("committees.code", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(64))
    # The label in Russian, shown on Russian pages; votes are still cast by ``label``.
    label_ru: Mapped[str] = mapped_column(String(64), default="", server_default="")
    side: Mapped[str] = mapped_column(ENUM)
    contributor: Mapped[str | None] = mapped_column(String(3))
    organisation_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    member: Mapped[str | None] = mapped_column(String(64), ForeignKey("users.username"))
    holder: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CommitteeItemRow(Base):
    """What the committee is asked: a selection of proposals for appraisal, or approval
    of a portfolio run (``run_id``) with the selection the committee approves."""

    __tablename__ = "committee_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    committee: Mapped[str] = mapped_column(ID, ForeignKey("committees.code", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(ENUM)
    title: Mapped[str] = mapped_column(TITLE)
    title_ru: Mapped[str] = mapped_column(TITLE, default="")
    projects: Mapped[list[str]] = mapped_column(JSON, default=list)
    run_id: Mapped[str | None] = mapped_column(ID)
    status: Mapped[str] = mapped_column(ENUM, default="open")
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    record_id: Mapped[str | None] = mapped_column(ID)


class CommitteeConflictRow(Base):
    __tablename__ = "committee_conflicts"

    item_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("committee_items.id", ondelete="CASCADE"), primary_key=True
    )
    seat_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("committee_seats.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(Text, default="", info=SEALED)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CommitteeVoteRow(Base):
    __tablename__ = "committee_votes"
    __table_args__ = (UniqueConstraint("item_id", "seat_id", name="uq_committee_votes_seat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("committee_items.id", ondelete="CASCADE"), index=True
    )
    seat_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("committee_seats.id", ondelete="CASCADE")
    )
    vote: Mapped[str] = mapped_column(ENUM)
    cast_by: Mapped[str] = mapped_column(String(200))
    cast_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
