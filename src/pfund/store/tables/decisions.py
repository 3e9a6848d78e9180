"""Rows of decision records: a run's inputs, parameters, solver and result.

JSON is kept as canonical text rather than a JSON column, so both databases return the
exact string whose hash the record states.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Double, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import ID, Base


class DecisionRecordRow(Base):
    __tablename__ = "decision_records"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    inputs_hash: Mapped[str] = mapped_column(String(64), index=True)
    inputs: Mapped[str] = mapped_column(Text)
    parameters: Mapped[str] = mapped_column(Text)
    solver: Mapped[str] = mapped_column(String(100))
    solver_version: Mapped[str] = mapped_column(String(100))
    seed: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(32))
    objective: Mapped[float | None] = mapped_column(Double, nullable=True)
    gap: Mapped[float | None] = mapped_column(Double, nullable=True)
    result: Mapped[str] = mapped_column(Text)
    pfund_version: Mapped[str] = mapped_column(String(32))
