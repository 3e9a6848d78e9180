"""Decision records: written once, read back exactly, never updated."""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, insert, select
from sqlalchemy.orm import Session

from pfund.domain.audit import utc
from pfund.domain.decision import DecisionRecord, canonical_json
from pfund.store.repositories._rows import table
from pfund.store.tables.decisions import DecisionRecordRow

JSON_FIELDS = ("inputs", "parameters", "result")


@dataclass(frozen=True)
class RunHeading:
    """A decision record as a list shows it: without its inputs and result, which can
    be large (a portfolio run stores its whole problem)."""

    id: str
    kind: str
    status: str
    actor: str
    created_at: datetime


def _build(row: Row[Any]) -> DecisionRecord:
    values = dict(row._mapping)
    values["created_at"] = utc(row.created_at)
    for name in JSON_FIELDS:
        values[name] = json.loads(values[name])
    return DecisionRecord(**values)


class DecisionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, record: DecisionRecord) -> None:
        values = record.model_dump()
        for name in JSON_FIELDS:
            values[name] = canonical_json(values[name])
        self.session.execute(insert(table(DecisionRecordRow)), [values])

    def get(self, record_id: str) -> DecisionRecord | None:
        rows = table(DecisionRecordRow)
        row = self.session.execute(select(rows).where(rows.c.id == record_id)).first()
        return _build(row) if row else None

    def list(self, *, kind: str | None = None, limit: int | None = None) -> list[DecisionRecord]:
        """Newest first."""
        rows = table(DecisionRecordRow)
        query = select(rows).order_by(rows.c.created_at.desc(), rows.c.id.desc())
        if kind:
            query = query.where(rows.c.kind == kind)
        if limit:
            query = query.limit(limit)
        return [_build(r) for r in self.session.execute(query)]

    def ids_by_status(self, *, kind: str, statuses: tuple[str, ...]) -> tuple[str, ...]:
        """Ids of the records of a kind in one of ``statuses``, newest first (ids only:
        the records themselves can be large)."""
        rows = table(DecisionRecordRow)
        query = (
            select(rows.c.id)
            .where(rows.c.kind == kind, rows.c.status.in_(statuses))
            .order_by(rows.c.created_at.desc(), rows.c.id.desc())
        )
        return tuple(str(i) for i in self.session.execute(query).scalars())

    def newest_with_input(self, *, kind: str, key: str, value: object) -> str | None:
        """The id of the newest record of a kind whose inputs hold ``key: value`` (read
        without results, which can be large), or None."""
        rows = table(DecisionRecordRow)
        query = (
            select(rows.c.id, rows.c.inputs)
            .where(rows.c.kind == kind)
            .order_by(rows.c.created_at.desc(), rows.c.id.desc())
        )
        for row in self.session.execute(query):
            if json.loads(row.inputs).get(key) == value:
                return str(row.id)
        return None

    def headings(self, *, kind: str | None = None) -> builtins.list[RunHeading]:
        """Every record's heading, newest first: a list of runs to filter and page."""
        rows = table(DecisionRecordRow)
        columns = (rows.c.id, rows.c.kind, rows.c.status, rows.c.actor, rows.c.created_at)
        query = select(*columns).order_by(rows.c.created_at.desc(), rows.c.id.desc())
        if kind:
            query = query.where(rows.c.kind == kind)
        return [
            RunHeading(r.id, r.kind, r.status, r.actor, utc(r.created_at))
            for r in self.session.execute(query)
        ]

    def count(self, *, kind: str | None = None) -> int:
        rows = table(DecisionRecordRow)
        query = select(func.count()).select_from(rows)
        if kind:
            query = query.where(rows.c.kind == kind)
        return int(self.session.execute(query).scalar_one())
