"""Rows of the companies' return: imported tracker lists and each company's return.

``company_lists`` keeps what was imported (tracker, source, address, date, the file's
sha256, which is unique: one file is imported once). ``company_returns`` holds one row
per company: its tracker's word from the latest list that named it, and its stage on the
way back, with the day it reached each stage.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ENUM, ID, TITLE, Base

STAGES = "'operating', 'withdrawn', 'in_contact', 'conditions_agreed', 'returning', 'returned'"


class CompanyListRow(Base):
    __tablename__ = "company_lists"
    __table_args__ = (
        CheckConstraint("tracker IN ('yale', 'kse')", name="tracker"),
        CheckConstraint("rows >= 0", name="rows"),
    )

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    tracker: Mapped[str] = mapped_column(ENUM)
    source: Mapped[str] = mapped_column(TITLE)
    url: Mapped[str] = mapped_column(String(500), default="")
    as_of: Mapped[date] = mapped_column(Date)
    file: Mapped[str] = mapped_column(TITLE)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CompanyReturnRow(Base):
    __tablename__ = "company_returns"
    __table_args__ = (
        CheckConstraint(f"stage IN ({STAGES})", name="stage"),
        CheckConstraint("needs_stage >= 0", name="needs_stage"),
    )

    organisation_id: Mapped[str] = mapped_column(
        ID, ForeignKey("organisations.id"), primary_key=True
    )
    list_id: Mapped[str] = mapped_column(ID, ForeignKey("company_lists.id"), index=True)
    listed_name: Mapped[str] = mapped_column(TITLE)
    tracker: Mapped[str] = mapped_column(ENUM)
    grade: Mapped[str] = mapped_column(ENUM, default="")
    tracker_status: Mapped[str] = mapped_column(ENUM)
    russia_status: Mapped[str] = mapped_column(ENUM)
    sector: Mapped[str] = mapped_column(TITLE, default="")
    needs_stage: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(ENUM, index=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    in_contact_on: Mapped[date | None] = mapped_column(Date)
    conditions_agreed_on: Mapped[date | None] = mapped_column(Date)
    returning_on: Mapped[date | None] = mapped_column(Date)
    returned_on: Mapped[date | None] = mapped_column(Date)
