"""Tranches and the double-entry ledger; amounts in minor units of their currency."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from pfund.domain.audit import utc
from pfund.domain.enums import TrancheStatus
from pfund.domain.ledger import LedgerEntry, Tranche
from pfund.domain.money import from_minor, to_minor
from pfund.store.repositories._rows import RowDict, group_by, insert_many, positions, table
from pfund.store.tables import LedgerEntryRow, TrancheConditionRow, TrancheRow


def tranche_row(tranche: Tranche) -> RowDict:
    original, own = tranche.original_amount, tranche.original_currency
    converted = original is not None and own is not None
    excluded = {"amount", "conditions", "original_amount", "original_currency", "rate", "rate_date"}
    return tranche.model_dump(exclude=excluded) | {
        "amount_minor": to_minor(tranche.amount, tranche.currency),
        "status": tranche.status.value,
        # 0 and "" for a tranche in the fund's own currency (the columns are never NULL)
        "original_amount_minor": to_minor(original, own) if converted else 0,  # type: ignore[arg-type]
        "original_currency": own or "",
        "rate": "" if tranche.rate is None else str(tranche.rate),
        "rate_date": "" if tranche.rate_date is None else tranche.rate_date.isoformat(),
    }


def build_tranche(row: Row[Any], conditions: builtins.list[str]) -> Tranche:
    values = dict(row._mapping)
    amount = from_minor(values.pop("amount_minor"), row.currency)
    original = values.pop("original_amount_minor")
    own = values.pop("original_currency") or None
    values["original_amount"] = from_minor(original, own) if own else None
    values["original_currency"] = own
    values["rate"] = Decimal(row.rate) if row.rate else None
    values["rate_date"] = date.fromisoformat(row.rate_date) if row.rate_date else None
    return Tranche(**values, amount=amount, conditions=conditions)


class TrancheRepository:
    """Tranches ordered by id, each with the conditions that gate it."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, tranche: Tranche) -> None:
        self.add_many([tranche])

    def add_many(self, tranches: Iterable[Tranche]) -> None:
        tranches = builtins.list(tranches)
        insert_many(self.session, TrancheRow, [tranche_row(t) for t in tranches])
        links = [
            row
            for t in tranches
            for row in positions(t.conditions, key="condition", tranche_id=t.id)
        ]
        insert_many(self.session, TrancheConditionRow, links)

    def get(self, tranche_id: str) -> Tranche | None:
        found = self._load(table(TrancheRow).c.id == tranche_id)
        return found[0] if found else None

    def list(self, project_id: str | None = None) -> builtins.list[Tranche]:
        if project_id is None:
            return self._load()
        return self._load(table(TrancheRow).c.project_id == project_id)

    def set_status(self, tranche_id: str, status: TrancheStatus) -> None:
        """Release, freeze, disburse or cancel; raises LookupError for an unknown id."""
        tranches = table(TrancheRow)
        result = self.session.execute(
            update(tranches)
            .where(tranches.c.id == tranche_id)
            .values(status=TrancheStatus(status).value)
        )
        if getattr(result, "rowcount", 0) == 0:
            raise LookupError(f"no tranche '{tranche_id}'")

    def transition(self, tranche_id: str, expected: TrancheStatus, status: TrancheStatus) -> bool:
        """Move a tranche from ``expected`` to ``status``; False when it was not ``expected``.

        ``UPDATE ... WHERE status = :expected``: of two writers racing on one tranche only
        one can move it, whatever each read before.
        """
        tranches = table(TrancheRow)
        result = self.session.execute(
            update(tranches)
            .where(tranches.c.id == tranche_id, tranches.c.status == expected.value)
            .values(status=status.value)
        )
        return getattr(result, "rowcount", 0) == 1

    def _load(self, *where: ColumnElement[bool]) -> builtins.list[Tranche]:
        tranches, links = table(TrancheRow), table(TrancheConditionRow)
        rows = self.session.execute(select(tranches).where(*where).order_by(tranches.c.id)).all()
        query = select(links).order_by(links.c.tranche_id, links.c.position)
        if where:
            query = query.where(links.c.tranche_id.in_(select(tranches.c.id).where(*where)))
        grouped = group_by(self.session.execute(query), "tranche_id")
        return [build_tranche(row, [c.condition for c in grouped.get(row.id, [])]) for row in rows]


FX_FIELDS = ("fx_amount", "fx_currency", "fx_rate", "fx_rate_date")


def build_entry(row: Row[Any]) -> LedgerEntry:
    values = dict(row._mapping)
    amount = from_minor(values.pop("amount_minor"), row.currency)
    fx_minor = values.pop("fx_amount_minor")
    own = values.pop("fx_currency") or None
    values["fx_amount"] = from_minor(fx_minor, own) if own else None
    values["fx_currency"] = own
    values["fx_rate"] = Decimal(row.fx_rate) if row.fx_rate else None
    values["fx_rate_date"] = date.fromisoformat(row.fx_rate_date) if row.fx_rate_date else None
    return LedgerEntry(**values | {"at": utc(row.at)}, amount=amount)


class LedgerRepository:
    """Append-only ledger entries; ids come from the database, in order of writing."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, entry: LedgerEntry) -> LedgerEntry:
        """Store the entry and return it with the id the database gave it."""
        fx = entry.fx
        values = entry.model_dump(exclude={"id", "amount", *FX_FIELDS}) | {
            "at": utc(entry.at),
            "debit": entry.debit.value,
            "credit": entry.credit.value,
            "amount_minor": to_minor(entry.amount, entry.currency),
            # 0 and "" for an entry without a conversion (the columns are never NULL)
            "fx_amount_minor": to_minor(fx.fx_amount, fx.fx_currency) if fx else 0,
            "fx_currency": fx.fx_currency if fx else "",
            "fx_rate": str(fx.fx_rate) if fx else "",
            "fx_rate_date": fx.fx_rate_date.isoformat() if fx else "",
        }
        entries = table(LedgerEntryRow)
        new_id = self.session.execute(insert(entries).values(values).returning(entries.c.id))
        return entry.model_copy(update={"id": new_id.scalar_one()})

    def list(
        self, *, project_id: str | None = None, tranche_id: str | None = None
    ) -> builtins.list[LedgerEntry]:
        entries = table(LedgerEntryRow)
        query = select(entries).order_by(entries.c.id)
        if project_id is not None:
            query = query.where(entries.c.project_id == project_id)
        if tranche_id is not None:
            query = query.where(entries.c.tranche_id == tranche_id)
        return [build_entry(row) for row in self.session.execute(query)]
