"""Rows of donor agreements and of the receipts matched against their instalments.

``donor_agreements`` holds what the signed agreement says: the total in minor units of
its own currency, the instalments as JSON (due day and amount as text, exact), the
earmark's areas and stages as JSON lists, the fee rate as text. ``donor_receipts`` holds
each receipt as it arrived, with the two conversions recorded when it was (into the
agreement's currency, and into the fund's, which is what the ledger received), and the
ledger entry of its receipt.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from pfund.store.tables.base import CURRENCY, ID, TITLE, Base


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
