"""Audit events and the hash chain that makes any later edit, removal or reordering show.

Each event's hash covers its own fields, its sequence number and the previous event's
hash, so an event cannot be changed, dropped or moved without breaking the chain.
Details hold ids and field names, never protected values: the log is read by many.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.lengths import Id, Label, Name

GENESIS_HASH = "0" * 64


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive times (SQLite gives them back) are read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class AuditEvent(BaseModel):
    """Who did what to which record, when, chained to the event before it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    at: datetime
    actor: Name
    action: Label
    record_type: Label
    record_id: Id
    details: dict[str, Any] = Field(default_factory=dict)
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


def event_hash(
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    """SHA-256 over a canonical JSON form, identical on SQLite and PostgreSQL."""
    body = {
        "seq": seq,
        "at": utc(at).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ChainBreak(BaseModel):
    """Where the chain fails, and the kind of failure a user can act on."""

    seq: int
    kind: str
    detail: str


def verify_chain(events: list[AuditEvent]) -> list[ChainBreak]:
    """Every break in a chain ordered by ``seq``; an empty list means intact."""
    breaks: list[ChainBreak] = []
    prev_hash, expected_seq = GENESIS_HASH, 1
    for event in events:
        if event.seq != expected_seq:
            kind = "removed" if event.seq > expected_seq else "reordered"
            breaks.append(ChainBreak(seq=event.seq, kind=kind, detail=_gap(expected_seq, event)))
        recomputed = event_hash(**event.model_dump(exclude={"hash"}))
        if recomputed != event.hash:
            breaks.append(
                ChainBreak(
                    seq=event.seq,
                    kind="changed",
                    detail=f"event {event.seq} ({event.action} {event.record_type} "
                    f"{event.record_id}) does not match its hash: its content was changed",
                )
            )
        elif event.prev_hash != prev_hash:
            breaks.append(
                ChainBreak(
                    seq=event.seq,
                    kind="relinked",
                    detail=f"event {event.seq} does not follow the event stored before it",
                )
            )
        prev_hash, expected_seq = event.hash, event.seq + 1
    return breaks


def _gap(expected: int, event: AuditEvent) -> str:
    if event.seq > expected:
        missing = f"{expected}" if event.seq == expected + 1 else f"{expected}-{event.seq - 1}"
        return f"event(s) {missing} missing before event {event.seq}"
    return f"event {event.seq} found where event {expected} should be"
