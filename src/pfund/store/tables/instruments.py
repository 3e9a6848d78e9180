"""Rows of loans and guarantees: a project's instrument when it is not a grant.

One loan or one guarantee per project (the project id is the key). Amounts are minor
units of ``currency``; rates and shares exact decimal text. What was repaid, earned as
interest or paid on a call is in the ledger (entries naming the project).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CURRENCY, ENUM, ID, TITLE, Base


class LoanRow(Base):
    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("principal_minor > 0", name="principal_positive"),
        CheckConstraint("periods_per_year IN (1, 2, 4, 12)", name="periods"),
        CheckConstraint("instalments >= 1 AND grace_periods >= 0", name="counts"),
        CheckConstraint("method IN ('annuity', 'linear')", name="method"),
    )

    project_id: Mapped[str] = mapped_column(ID, ForeignKey("projects.id"), primary_key=True)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    annual_rate: Mapped[str] = mapped_column(String(40))
    periods_per_year: Mapped[int] = mapped_column(Integer)
    instalments: Mapped[int] = mapped_column(Integer)
    grace_periods: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(ENUM)
    disbursed_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class GuaranteeRow(Base):
    __tablename__ = "guarantees"
    __table_args__ = (
        CheckConstraint("exposure_minor > 0", name="exposure_positive"),
        CheckConstraint("valid_until >= valid_from", name="dates"),
    )

    project_id: Mapped[str] = mapped_column(ID, ForeignKey("projects.id"), primary_key=True)
    exposure_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    beneficiary: Mapped[str] = mapped_column(TITLE)
    call_probability: Mapped[str] = mapped_column(String(40))
    loss_given_call: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
