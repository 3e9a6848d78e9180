"""Company lists and the companies' return pipeline; reads and writes, never commits."""

from __future__ import annotations

import builtins
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pfund.domain.company_return import CompanyList, CompanyReturn, ReturnStage
from pfund.store.repositories._rows import insert_many, table, to_utc
from pfund.store.tables import CompanyListRow, CompanyReturnRow


class CompanyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add_list(self, found: CompanyList) -> None:
        assert found.imported_at is not None
        values = found.model_dump() | {
            "tracker": found.tracker.value,
            "imported_at": to_utc(found.imported_at),
        }
        self.session.execute(table(CompanyListRow).insert().values(values))

    def list_by_sha256(self, sha256: str) -> CompanyList | None:
        rows = table(CompanyListRow)
        row = self.session.execute(select(rows).where(rows.c.sha256 == sha256)).first()
        return None if row is None else CompanyList(**row._mapping)

    def lists(self) -> builtins.list[CompanyList]:
        rows = table(CompanyListRow)
        query = select(rows).order_by(rows.c.imported_at, rows.c.id)
        return [CompanyList(**r._mapping) for r in self.session.execute(query)]

    def add_returns(self, returns: builtins.list[CompanyReturn]) -> None:
        insert_many(self.session, CompanyReturnRow, [_values(r) for r in returns])

    def relist(self, found: CompanyReturn) -> None:
        """A newer list's word for a company; its stage moves only from operating to
        withdrawn (a company that stayed has since left), never back."""
        rows = table(CompanyReturnRow)
        values = _values(found)
        keep = {
            "organisation_id",
            "stage",
            *(f"{s.value}_on" for s in ReturnStage if s.value != "operating"),
        }
        self.session.execute(
            update(rows)
            .where(rows.c.organisation_id == found.organisation_id)
            .values({k: v for k, v in values.items() if k not in keep})
        )
        if found.stage is ReturnStage.WITHDRAWN:
            self.session.execute(
                update(rows)
                .where(
                    rows.c.organisation_id == found.organisation_id,
                    rows.c.stage == ReturnStage.OPERATING.value,
                )
                .values(stage=ReturnStage.WITHDRAWN.value, withdrawn_on=found.withdrawn_on)
            )

    def get(self, organisation_id: str) -> CompanyReturn | None:
        rows = table(CompanyReturnRow)
        query = select(rows).where(rows.c.organisation_id == organisation_id)
        row = self.session.execute(query).first()
        return None if row is None else CompanyReturn(**row._mapping)

    def returns(self) -> builtins.list[CompanyReturn]:
        rows = table(CompanyReturnRow)
        query = select(rows).order_by(rows.c.organisation_id)
        return [CompanyReturn(**r._mapping) for r in self.session.execute(query)]

    def move(self, organisation_id: str, *, old: ReturnStage, new: ReturnStage, on: date) -> bool:
        """Move one stage on, if the company still stands where the caller read it."""
        rows = table(CompanyReturnRow)
        done = self.session.execute(
            update(rows)
            .where(rows.c.organisation_id == organisation_id, rows.c.stage == old.value)
            .values({"stage": new.value, f"{new.value}_on": on})
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]


def _values(found: CompanyReturn) -> dict[str, object]:
    return found.model_dump() | {
        "tracker": found.tracker.value,
        "russia_status": found.russia_status.value,
        "stage": found.stage.value,
    }
