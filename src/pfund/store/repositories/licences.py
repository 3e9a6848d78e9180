"""Sanctions licences and the payments made under them."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from pfund.domain.licence import LicenceUse, SanctionsLicence
from pfund.domain.money import from_minor, to_minor
from pfund.store.repositories._rows import table, to_utc
from pfund.store.tables import LicenceRow, LicenceUseRow


class LicenceRepository:
    """Reads and writes licences; never commits. Amounts are in ``currency`` (the fund's)."""

    def __init__(self, session: Session, currency: str) -> None:
        self.session = session
        self.currency = currency

    def add(self, licence: SanctionsLicence) -> None:
        values = licence.model_dump(exclude={"max_amount"}) | {
            "kind": licence.kind.value,
            "currency": self.currency,
            "max_amount_minor": None
            if licence.max_amount is None
            else to_minor(licence.max_amount, self.currency),
        }
        self.session.execute(table(LicenceRow).insert().values(values))

    def get(self, licence_id: str) -> SanctionsLicence | None:
        rows = table(LicenceRow)
        row = self.session.execute(select(rows).where(rows.c.id == licence_id)).first()
        return None if row is None else _licence(dict(row._mapping))

    def list(self) -> builtins.list[SanctionsLicence]:
        rows = table(LicenceRow)
        return [
            _licence(dict(r._mapping))
            for r in self.session.execute(select(rows).order_by(rows.c.id))
        ]

    def ids(self) -> set[str]:
        rows = table(LicenceRow)
        return set(self.session.scalars(select(rows.c.id)))

    def revoke(self, licence_id: str, day: date, reason: str) -> bool:
        """Revoke if not revoked yet; False if another change came first."""
        rows = table(LicenceRow)
        done = self.session.execute(
            update(rows)
            .where(rows.c.id == licence_id, rows.c.revoked_on.is_(None))
            .values(revoked_on=day, revoked_reason=reason)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def paid(self, licence_ids: Iterable[str] | None = None) -> dict[str, Decimal]:
        """What was paid under each licence (only those with a payment)."""
        uses = table(LicenceUseRow)
        query = select(uses.c.licence_id, func.sum(uses.c.amount_minor)).group_by(uses.c.licence_id)
        if licence_ids is not None:
            query = query.where(uses.c.licence_id.in_(sorted(set(licence_ids))))
        return {
            lid: from_minor(int(total), self.currency) for lid, total in self.session.execute(query)
        }

    def record_use(
        self,
        licence_id: str,
        tranche_id: str,
        counterparties: builtins.list[str],
        amount: Decimal,
        at: datetime,
    ) -> None:
        self.session.execute(
            table(LicenceUseRow)
            .insert()
            .values(
                licence_id=licence_id,
                tranche_id=tranche_id,
                counterparties=sorted(counterparties),
                amount_minor=to_minor(amount, self.currency),
                currency=self.currency,
                at=to_utc(at),
            )
        )

    def uses(self, licence_id: str | None = None) -> builtins.list[LicenceUse]:
        uses = table(LicenceUseRow)
        query = select(uses).order_by(uses.c.at, uses.c.licence_id, uses.c.tranche_id)
        if licence_id is not None:
            query = query.where(uses.c.licence_id == licence_id)
        return [
            LicenceUse(
                licence_id=r.licence_id,
                tranche_id=r.tranche_id,
                counterparty=",".join(r.counterparties),
                amount=from_minor(r.amount_minor, r.currency),
                at=r.at,
            )
            for r in self.session.execute(query)
        ]


def _licence(values: dict[str, Any]) -> SanctionsLicence:
    minor = values.pop("max_amount_minor")
    currency = values.pop("currency")
    values["max_amount"] = None if minor is None else from_minor(minor, currency)
    return SanctionsLicence(**values)
