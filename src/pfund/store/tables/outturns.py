"""Outturns: what each finished project really cost, by year (``project_outturns``).

A re-import replaces a project's rows; the audit log keeps what was there before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ID, Base


class OutturnRow(Base):
    __tablename__ = "project_outturns"

    project_id: Mapped[str] = mapped_column(
        ID, ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    cost: Mapped[str] = mapped_column(String(40))  # a Decimal as text, as results' values
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
