"""The audit trail: written inside the same transaction as the change it records.

Because the event is appended by the unit of work that makes the change, a change
without its event (or an event without its change) cannot be committed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from pfund.domain import AuditEvent, ChainBreak, event_hash, verify_chain
from pfund.store.unit_of_work import UnitOfWork


class AuditWriter:
    """Appends events to the chain, locking its head once per transaction."""

    def __init__(self, uow: UnitOfWork, actor: str) -> None:
        self._uow = uow
        self._actor = actor
        self._head: tuple[int, str] | None = None

    def record(
        self, action: str, record_type: str, record_id: str, details: dict[str, Any] | None = None
    ) -> AuditEvent:
        seq, prev = self._head or self._uow.audit.head(lock=True)
        fields: dict[str, Any] = {
            "seq": seq + 1,
            "at": datetime.now(UTC),
            "actor": self._actor,
            "action": action,
            "record_type": record_type,
            "record_id": record_id,
            "details": details or {},
            "prev_hash": prev,
        }
        event = AuditEvent(**fields, hash=event_hash(**fields))
        self._uow.audit.append(event)
        self._head = (event.seq, event.hash)
        return event


class AuditReport(BaseModel):
    """The outcome of ``pfund audit verify``."""

    events: int
    intact: bool
    breaks: list[ChainBreak]
    head_matches: bool


def verify(uow: UnitOfWork) -> AuditReport:
    """Check every event's hash and link, and that the head records the last event.

    The head check catches the removal of the newest events, which a chain alone cannot.
    """
    events = uow.audit.list()
    breaks = verify_chain(events)
    head_seq, head_hash = uow.audit.head(lock=False)
    last = events[-1] if events else None
    head_matches = (last.seq, last.hash) == (head_seq, head_hash) if last else head_seq == 0
    if not head_matches:
        breaks.append(
            ChainBreak(
                seq=head_seq,
                kind="removed",
                detail=f"the log ends at event {last.seq if last else 0} but event "
                f"{head_seq} was the last one written: later events were removed",
            )
        )
    return AuditReport(
        events=len(events), intact=not breaks, breaks=breaks, head_matches=head_matches
    )
