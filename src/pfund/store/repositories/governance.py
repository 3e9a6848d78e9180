"""The joint committee's rows: seats (holders sealed), items, conflicts and votes."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.store.crypto import FieldCipher
from pfund.store.repositories._rows import table
from pfund.store.tables import (
    CommitteeConflictRow,
    CommitteeItemRow,
    CommitteeRow,
    CommitteeSeatRow,
    CommitteeVoteRow,
)

Values = dict[str, Any]


def _plain(row: Row[Any], *times: str) -> Values:
    values = dict(row._mapping)
    for name in times:
        values[name] = utc(values[name]) if values[name] is not None else None
    return values


class CommitteeRepository:
    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def add_committee(self, values: Values) -> None:
        self.session.execute(insert(table(CommitteeRow)).values(**values))

    def get_committee(self, code: str) -> Values | None:
        rows = table(CommitteeRow)
        row = self.session.execute(select(rows).where(rows.c.code == code)).first()
        return _plain(row, "created_at") if row else None

    def committees(self) -> builtins.list[Values]:
        rows = table(CommitteeRow)
        query = select(rows).order_by(rows.c.code)
        return [_plain(r, "created_at") for r in self.session.execute(query)]

    def add_seat(self, values: Values) -> int:
        rows = table(CommitteeSeatRow)
        seat_id = int(
            self.session.execute(
                insert(rows).values(**{**values, "holder": ""}).returning(rows.c.id)
            ).scalar_one()
        )
        if values.get("holder"):
            sealed = self.cipher.seal("committee_seats", {"id": seat_id, **values})
            self.session.execute(
                update(rows).where(rows.c.id == seat_id).values(holder=sealed["holder"])
            )
        return seat_id

    def seats(self, committee: str) -> builtins.list[Values]:
        """The committee's seats, in the order they were created, holders opened."""
        rows = table(CommitteeSeatRow)
        query = select(rows).where(rows.c.committee == committee).order_by(rows.c.id)
        opened = self.cipher.open_all("committee_seats", self.session.execute(query))
        for seat in opened:
            seat["created_at"] = utc(seat["created_at"])
        return opened

    def set_suspended(self, seat_id: int, suspended: bool) -> None:
        rows = table(CommitteeSeatRow)
        self.session.execute(update(rows).where(rows.c.id == seat_id).values(suspended=suspended))

    def add_item(self, values: Values) -> int:
        rows = table(CommitteeItemRow)
        return int(
            self.session.execute(insert(rows).values(**values).returning(rows.c.id)).scalar_one()
        )

    def get_item(self, item_id: int) -> Values | None:
        rows = table(CommitteeItemRow)
        row = self.session.execute(select(rows).where(rows.c.id == item_id)).first()
        return _plain(row, "opened_at", "decided_at") if row else None

    def items(
        self, committee: str | None = None, *, status: str | None = None
    ) -> builtins.list[Values]:
        rows = table(CommitteeItemRow)
        query = select(rows).order_by(rows.c.id)
        if committee:
            query = query.where(rows.c.committee == committee)
        if status:
            query = query.where(rows.c.status == status)
        return [_plain(r, "opened_at", "decided_at") for r in self.session.execute(query)]

    def decide_item(self, item_id: int, *, status: str, record_id: str, at: datetime) -> bool:
        """Close an open item; False when it was no longer open (someone else closed it)."""
        rows = table(CommitteeItemRow)
        done = self.session.execute(
            update(rows)
            .where(rows.c.id == item_id, rows.c.status == "open")
            .values(status=status, record_id=record_id, decided_at=at)
        )
        return bool(getattr(done, "rowcount", 0) == 1)

    def add_conflict(self, item_id: int, seat_id: int, reason: str, at: datetime) -> None:
        key = {"item_id": item_id, "seat_id": seat_id}
        sealed = self.cipher.seal("committee_conflicts", {**key, "reason": reason})
        self.session.execute(
            insert(table(CommitteeConflictRow)).values(
                **key, reason=sealed["reason"], declared_at=at
            )
        )

    def conflicts(self, item_id: int) -> builtins.list[int]:
        """The seats recused from an item (their reasons stay sealed here)."""
        rows = table(CommitteeConflictRow)
        query = select(rows.c.seat_id).where(rows.c.item_id == item_id).order_by(rows.c.seat_id)
        return [int(s) for s in self.session.execute(query).scalars()]

    def add_vote(self, values: Values) -> int:
        rows = table(CommitteeVoteRow)
        return int(
            self.session.execute(insert(rows).values(**values).returning(rows.c.id)).scalar_one()
        )

    def votes(self, item_id: int) -> builtins.list[Values]:
        rows = table(CommitteeVoteRow)
        query = select(rows).where(rows.c.item_id == item_id).order_by(rows.c.id)
        return [_plain(r, "cast_at") for r in self.session.execute(query)]
