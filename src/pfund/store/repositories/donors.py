"""Donor agreements and the receipts matched against their instalments."""

from __future__ import annotations

import builtins
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.donor_agreement import DonorAgreement, DonorReceipt, Earmark, Instalment
from pfund.domain.money import from_minor, to_minor
from pfund.store.repositories._rows import table
from pfund.store.tables import (
    DonorAgreementRow,
    DonorReceiptReversalRow,
    DonorReceiptRow,
    LedgerEntryRow,
)


class DonorRepository:
    """Reads and writes agreements and receipts; never commits. ``currency`` is the fund's."""

    def __init__(self, session: Session, currency: str) -> None:
        self.session = session
        self.currency = currency

    def add(self, agreement: DonorAgreement) -> None:
        values = {
            "id": agreement.id,
            "contributor": agreement.contributor,
            "reference": agreement.reference,
            "title": agreement.title,
            "title_ru": agreement.title_ru,
            "currency": agreement.currency,
            "total_minor": to_minor(agreement.total, agreement.currency),
            "signed": agreement.signed,
            "admin_fee": str(agreement.admin_fee),
            "earmark_areas": list(agreement.earmark.areas),
            "earmark_stages": list(agreement.earmark.stages),
            "instalments": [
                {"due": i.due.isoformat(), "amount": str(i.amount)} for i in agreement.instalments
            ],
        }
        self.session.execute(table(DonorAgreementRow).insert().values(values))

    def get(self, agreement_id: str) -> DonorAgreement | None:
        rows = table(DonorAgreementRow)
        row = self.session.execute(select(rows).where(rows.c.id == agreement_id)).first()
        return None if row is None else _agreement(dict(row._mapping))

    def list(self) -> builtins.list[DonorAgreement]:
        rows = table(DonorAgreementRow)
        query = select(rows).order_by(rows.c.id)
        return [_agreement(dict(r._mapping)) for r in self.session.execute(query)]

    def next_number(self, agreement_id: str) -> int:
        rows = table(DonorReceiptRow)
        query = select(func.max(rows.c.number)).where(rows.c.agreement_id == agreement_id)
        found = self.session.execute(query).scalar()
        return 1 if found is None else int(found) + 1

    def add_receipt(self, receipt: DonorReceipt, ledger_entry_id: int | None) -> None:
        self.session.execute(
            table(DonorReceiptRow)
            .insert()
            .values(
                agreement_id=receipt.agreement_id,
                number=receipt.number,
                day=receipt.day,
                amount_minor=to_minor(receipt.amount, receipt.currency),
                currency=receipt.currency,
                agreement_amount=str(receipt.agreement_amount),
                rate=str(receipt.rate),
                rate_date=receipt.rate_date,
                fund_amount_minor=to_minor(receipt.fund_amount, self.currency),
                fund_currency=self.currency,
                fund_rate=str(receipt.fund_rate),
                fund_rate_date=receipt.fund_rate_date,
                fee_minor=to_minor(receipt.fee, self.currency),
                memo=receipt.memo,
                ledger_entry_id=ledger_entry_id,
            )
        )

    def receipts(self, agreement_id: str | None = None) -> builtins.list[DonorReceipt]:
        """Every receipt (reversed ones too, with their reversal), by agreement and number."""
        rows, back = table(DonorReceiptRow), table(DonorReceiptReversalRow)
        entries = table(LedgerEntryRow)
        joined = rows.outerjoin(
            back, (back.c.agreement_id == rows.c.agreement_id) & (back.c.number == rows.c.number)
        ).outerjoin(entries, entries.c.id == back.c.ledger_entry_id)
        query = (
            select(rows, back.c.at, back.c.actor, back.c.reason, entries.c.at.label("value_at"))
            .select_from(joined)
            .order_by(rows.c.agreement_id, rows.c.number)
        )
        if agreement_id is not None:
            query = query.where(rows.c.agreement_id == agreement_id)
        return [_receipt(r._mapping) for r in self.session.execute(query)]

    def receipt(self, agreement_id: str, number: int) -> DonorReceipt | None:
        found = [r for r in self.receipts(agreement_id) if r.number == number]
        return found[0] if found else None

    def mark_reversed(self, agreement_id: str, number: int) -> bool:
        """Booked -> reversed, only if still booked: False when another got there first."""
        rows = table(DonorReceiptRow)
        done = self.session.execute(
            rows.update()
            .where(
                rows.c.agreement_id == agreement_id,
                rows.c.number == number,
                rows.c.status == "booked",
            )
            .values(status="reversed")
        )
        return bool(getattr(done, "rowcount", 0) == 1)

    def add_reversal(
        self,
        agreement_id: str,
        number: int,
        *,
        at: datetime,
        actor: str,
        reason: str,
        ledger_entry_id: int | None,
    ) -> None:
        """The reversal's who, when and why (the key refuses a second one)."""
        self.session.execute(
            table(DonorReceiptReversalRow)
            .insert()
            .values(
                agreement_id=agreement_id,
                number=number,
                at=at,
                actor=actor,
                reason=reason,
                ledger_entry_id=ledger_entry_id,
            )
        )


def _agreement(values: dict[str, Any]) -> DonorAgreement:
    currency = values["currency"]
    return DonorAgreement(
        id=values["id"],
        contributor=values["contributor"],
        reference=values["reference"],
        title=values["title"],
        title_ru=values["title_ru"],
        currency=currency,
        total=from_minor(values["total_minor"], currency),
        signed=values["signed"],
        admin_fee=Decimal(values["admin_fee"]),
        earmark=Earmark(areas=values["earmark_areas"], stages=values["earmark_stages"]),
        instalments=[
            Instalment(due=i["due"], amount=Decimal(i["amount"])) for i in values["instalments"]
        ],
    )


def _receipt(r: Any) -> DonorReceipt:
    fund = r["fund_currency"]
    return DonorReceipt(
        agreement_id=r["agreement_id"],
        number=r["number"],
        day=r["day"],
        amount=from_minor(r["amount_minor"], r["currency"]),
        currency=r["currency"],
        agreement_amount=Decimal(r["agreement_amount"]),
        rate=Decimal(r["rate"]),
        rate_date=r["rate_date"],
        fund_amount=from_minor(r["fund_amount_minor"], fund),
        fund_rate=Decimal(r["fund_rate"]),
        fund_rate_date=r["fund_rate_date"],
        fee=from_minor(r["fee_minor"], fund),
        memo=r["memo"],
        status=r["status"],
        reversed_at=utc(r["at"]) if r["at"] is not None else None,
        reversed_by=r["actor"] or "",
        reversal_reason=r["reason"] or "",
        reversal_on=utc(r["value_at"]).date() if r["value_at"] is not None else None,
    )
