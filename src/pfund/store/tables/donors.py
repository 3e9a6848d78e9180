"""Rows of donor agreements and of the receipts matched against their instalments.

``donor_agreements`` holds what the signed agreement says: the total in minor units of
its own currency, the instalments as JSON (due day and amount as text, exact), the
earmark's areas and stages as JSON lists, the fee rate as text. ``donor_receipts`` holds
each receipt as it arrived, with the two conversions recorded when it was (into the
agreement's currency, and into the fund's, which is what the ledger received), and the
ledger entry of its receipt, and its ``status``: ``booked``, or ``reversed`` once a
receipt booked in error was taken back. ``donor_receipt_reversals`` holds that reversal
(who, when, why, and the last of its opposing ledger entries), at most one per receipt:
its primary key is the receipt's, so the database refuses a second reversal.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CURRENCY, ENUM, ID, TITLE, Base


class DonorAgreementRow(Base):
    __tablename__ = "donor_agreements"
    __table_args__ = (CheckConstraint("total_minor > 0", name="total_positive"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    contributor: Mapped[str] = mapped_column(String(3), index=True)
    reference: Mapped[str] = mapped_column(ID, unique=True)
    title: Mapped[str] = mapped_column(TITLE)
    title_ru: Mapped[str] = mapped_column(TITLE, default="")
    currency: Mapped[str] = mapped_column(CURRENCY)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    signed: Mapped[date] = mapped_column(Date)
    admin_fee: Mapped[str] = mapped_column(String(40))
    earmark_areas: Mapped[list[str]] = mapped_column(JSON)
    earmark_stages: Mapped[list[int]] = mapped_column(JSON)
    instalments: Mapped[list[dict[str, str]]] = mapped_column(JSON)


class DonorReceiptRow(Base):
    __tablename__ = "donor_receipts"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint("fund_amount_minor > 0", name="fund_amount_positive"),
        CheckConstraint("fee_minor >= 0", name="fee_not_negative"),
        CheckConstraint("status IN ('booked', 'reversed')", name="status_known"),
    )

    agreement_id: Mapped[str] = mapped_column(
        ID, ForeignKey("donor_agreements.id"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(CURRENCY)
    agreement_amount: Mapped[str] = mapped_column(String(40))
    rate: Mapped[str] = mapped_column(String(40))
    rate_date: Mapped[date] = mapped_column(Date)
    fund_amount_minor: Mapped[int] = mapped_column(BigInteger)
    fund_currency: Mapped[str] = mapped_column(CURRENCY)
    fund_rate: Mapped[str] = mapped_column(String(40))
    fund_rate_date: Mapped[date] = mapped_column(Date)
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    memo: Mapped[str] = mapped_column(TITLE, default="")
    ledger_entry_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ledger_entries.id"))
    status: Mapped[str] = mapped_column(ENUM, default="booked", server_default="booked")


class DonorReceiptReversalRow(Base):
    """A receipt booked in error, taken back: one row per receipt at most (the key)."""

    __tablename__ = "donor_receipt_reversals"
    __table_args__ = (
        ForeignKeyConstraint(
            ["agreement_id", "number"],
            ["donor_receipts.agreement_id", "donor_receipts.number"],
        ),
        CheckConstraint("reason <> ''", name="reason_given"),
    )

    agreement_id: Mapped[str] = mapped_column(ID, primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(TITLE)
    ledger_entry_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("ledger_entries.id"))
