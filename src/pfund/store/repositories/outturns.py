"""Outturns of finished projects: replaced per project, read in project and year order."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.outturn import Outturn
from pfund.store.repositories._rows import insert_many, table
from pfund.store.tables import OutturnRow


class OutturnRepository:
    """Reads and writes ``project_outturns``; never commits (the use case does)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def replace(self, project_id: str, items: Iterable[Outturn], at: datetime) -> None:
        """The project's outturn becomes exactly ``items``."""
        rows = table(OutturnRow)
        self.session.execute(delete(rows).where(rows.c.project_id == project_id))
        insert_many(
            self.session,
            OutturnRow,
            [
                {
                    "project_id": o.project,
                    "year": o.year,
                    "cost": str(o.cost),
                    "recorded_at": utc(at),
                }
                for o in items
            ],
        )

    def list(self, project_id: str | None = None) -> builtins.list[Outturn]:
        rows = table(OutturnRow)
        query = select(rows).order_by(rows.c.project_id, rows.c.year)
        if project_id is not None:
            query = query.where(rows.c.project_id == project_id)
        return [
            Outturn(project=r.project_id, year=r.year, cost=Decimal(r.cost))
            for r in self.session.execute(query)
        ]
