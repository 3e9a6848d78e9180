"""Grant agreements and their version history; changes are conditional updates."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pfund.domain.agreement import Agreement, AgreementVersion
from pfund.domain.money import from_minor, to_minor
from pfund.store.repositories._rows import table, to_utc
from pfund.store.tables import AgreementRow, AgreementVersionRow


class AgreementRepository:
    """Reads and writes agreements; never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, agreement: Agreement) -> None:
        self.session.execute(table(AgreementRow).insert().values(_values(agreement)))

    def get(self, agreement_id: str) -> Agreement | None:
        rows = table(AgreementRow)
        row = self.session.execute(select(rows).where(rows.c.id == agreement_id)).first()
        return None if row is None else _agreement(dict(row._mapping))

    def for_project(self, project_id: str) -> Agreement | None:
        rows = table(AgreementRow)
        row = self.session.execute(select(rows).where(rows.c.project_id == project_id)).first()
        return None if row is None else _agreement(dict(row._mapping))

    def list(self) -> builtins.list[Agreement]:
        rows = table(AgreementRow)
        found = self.session.execute(select(rows).order_by(rows.c.id))
        return [_agreement(dict(r._mapping)) for r in found]

    def ids(self) -> builtins.list[str]:
        rows = table(AgreementRow)
        return list(self.session.scalars(select(rows.c.id).order_by(rows.c.id)))

    def replace(self, old: Agreement, new: Agreement) -> bool:
        """Store ``new`` only if the row is still ``old``'s status and version (one
        change per version); False when another change came first."""
        rows = table(AgreementRow)
        values = _values(new)
        del values["id"]
        done = self.session.execute(
            update(rows)
            .where(
                rows.c.id == old.id,
                rows.c.status == old.status.value,
                rows.c.version == old.version,
            )
            .values(values)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def add_version(self, version: AgreementVersion) -> None:
        values = version.model_dump() | {"kind": version.kind.value, "at": to_utc(version.at)}
        self.session.execute(table(AgreementVersionRow).insert().values(values))

    def versions(self, agreement_id: str) -> builtins.list[AgreementVersion]:
        rows = table(AgreementVersionRow)
        found = self.session.execute(
            select(rows).where(rows.c.agreement_id == agreement_id).order_by(rows.c.version)
        )
        return [AgreementVersion(**dict(r._mapping)) for r in found]


def _values(agreement: Agreement) -> dict[str, Any]:
    return agreement.model_dump(mode="json", exclude={"amount", "signed_on", "ends_on"}) | {
        "status": agreement.status.value,
        "amount_minor": to_minor(agreement.amount, agreement.currency),
        "signed_on": agreement.signed_on,
        "ends_on": agreement.ends_on,
    }


def _agreement(values: dict[str, Any]) -> Agreement:
    values["amount"] = from_minor(values.pop("amount_minor"), values["currency"])
    return Agreement.model_validate(values)
