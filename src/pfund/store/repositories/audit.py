"""The audit log: append under a lock on its head row, read back in sequence order.

The service computes each event's seq and hash from :meth:`AuditRepository.head`; this
repository only stores them, and refuses an event that does not follow the head, so a
race can never fork the chain.
"""

from __future__ import annotations

import builtins
import itertools
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Row, func, insert, select, update
from sqlalchemy.orm import Session

from pfund.domain.audit import GENESIS_HASH, AuditEvent, RowState, utc
from pfund.store.repositories._rows import table
from pfund.store.tables import AuditEventRow, AuditHeadRow

HEAD_ID = 1


def canonical_details(details: dict[str, Any]) -> str:
    """The stored form of details: the same text on SQLite and PostgreSQL."""
    return json.dumps(details, sort_keys=True)


def canonical_rows(rows: dict[str, RowState | None]) -> str:
    """The stored form of an event's row states (key order fixed)."""
    return json.dumps(
        {k: v.model_dump() if v is not None else None for k, v in rows.items()}, sort_keys=True
    )


def build_event(row: Row[Any]) -> AuditEvent:
    values = dict(row._mapping)
    values["at"] = utc(row.at)
    values["details"] = json.loads(row.details)
    values["rows"] = json.loads(row.rows or "{}")
    return AuditEvent(**values)


class AuditRepository:
    """Hash-chained audit events and the head row writers serialise on."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def head(self, *, lock: bool) -> tuple[int, str]:
        """The last (seq, hash), or (0, GENESIS_HASH) for an empty log.

        With ``lock`` the head row stays locked until the transaction ends: PostgreSQL
        takes ``SELECT ... FOR UPDATE``; SQLite has no row locks, so a no-op UPDATE first
        takes the database write lock, and a second writer waits for the first to commit.
        """
        heads = table(AuditHeadRow)
        query = select(heads.c.seq, heads.c.hash).where(heads.c.id == HEAD_ID)
        if lock:
            if self.session.get_bind().dialect.name == "sqlite":
                self.session.execute(
                    update(heads).where(heads.c.id == HEAD_ID).values(seq=heads.c.seq)
                )
            query = query.with_for_update()
        row = self.session.execute(query).first()
        return (int(row.seq), str(row.hash)) if row else (0, GENESIS_HASH)

    def append(self, event: AuditEvent) -> None:
        """Insert the event and move the head to it.

        Raises ValueError when the event does not follow the current head (its seq is not
        head + 1 or its prev_hash is not the head's hash): nothing is written then.
        """
        self.append_many([event])

    def append_many(self, events: builtins.list[AuditEvent]) -> None:
        """Insert events that follow one another and move the head to the last.

        The same as :meth:`append` of each in turn (same rows, same refusals), in one
        head update and one executemany: a bulk change's thousands of events cost two
        statements instead of two each.
        """
        if not events:
            return
        for before, after in itertools.pairwise(events):
            if (after.seq, after.prev_hash) != (before.seq + 1, before.hash):
                raise ValueError(f"audit event {after.seq} does not follow event {before.seq}")
        first, last = events[0], events[-1]
        heads = table(AuditHeadRow)
        moved = self.session.execute(
            update(heads)
            .where(
                heads.c.id == HEAD_ID,
                heads.c.seq == first.seq - 1,
                heads.c.hash == first.prev_hash,
            )
            .values(seq=last.seq, hash=last.hash)
        )
        if getattr(moved, "rowcount", 0) != 1:
            self._start_head(first, last)
        self.session.execute(
            insert(table(AuditEventRow)),
            [
                event.model_dump()
                | {
                    "at": utc(event.at),
                    "details": canonical_details(event.details),
                    "rows": canonical_rows(event.rows),
                }
                for event in events
            ],
        )

    def _start_head(self, first: AuditEvent, last: AuditEvent) -> None:
        """Create the head row, at ``last``, for the first events of a log that has none."""
        seq, head = self.head(lock=False)
        exists = self.session.scalar(select(func.count()).select_from(table(AuditHeadRow)))
        if exists or (first.seq, first.prev_hash) != (1, GENESIS_HASH):
            raise ValueError(
                f"audit event {first.seq} does not follow the head (seq {seq}, hash "
                f"{head[:12]}...): take head(lock=True) and chain from it"
            )
        self.session.execute(
            insert(table(AuditHeadRow)).values(id=HEAD_ID, seq=last.seq, hash=last.hash)
        )

    def list(
        self,
        *,
        after_seq: int | None = None,
        limit: int | None = None,
        record_type: str | None = None,
        record_id: str | None = None,
    ) -> builtins.list[AuditEvent]:
        """Events in sequence order, optionally after a seq, for one record, or capped."""
        events = table(AuditEventRow)
        query = select(events).order_by(events.c.seq)
        if after_seq is not None:
            query = query.where(events.c.seq > after_seq)
        if record_type is not None:
            query = query.where(events.c.record_type == record_type)
        if record_id is not None:
            query = query.where(events.c.record_id == record_id)
        if limit is not None:
            query = query.limit(limit)
        return [build_event(row) for row in self.session.execute(query)]

    def get(self, seq: int) -> AuditEvent | None:
        """One event by its sequence number."""
        events = table(AuditEventRow)
        row = self.session.execute(select(events).where(events.c.seq == seq)).first()
        return build_event(row) if row else None

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(table(AuditEventRow))) or 0

    def hash_at(self, seq: int) -> str | None:
        """The hash of event ``seq`` (None when the log has no such event)."""
        events = table(AuditEventRow)
        return self.session.scalar(select(events.c.hash).where(events.c.seq == seq))

    def any_between(
        self,
        after_seq: int,
        up_to_seq: int,
        *,
        except_types: Iterable[str] = (),
        except_actions: Iterable[str] = (),
    ) -> bool:
        """Whether an event after ``after_seq`` and up to ``up_to_seq`` has a record type
        and an action outside those given (one range read on the sequence number)."""
        events = table(AuditEventRow)
        query = select(events.c.seq).where(
            events.c.seq > after_seq,
            events.c.seq <= up_to_seq,
            events.c.record_type.not_in(list(except_types)),
            events.c.action.not_in(list(except_actions)),
        )
        return self.session.execute(query.limit(1)).first() is not None
