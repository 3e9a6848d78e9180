"""The audit trail: written inside the same transaction as the change it records.

Because the event is appended by the unit of work that makes the change, a change
without its event (or an event without its change) cannot be committed. Events are
sealed at commit: then the new state of every covered row the transaction changed (see
:mod:`pfund.store.row_state`) is digested into them, and each is hashed with the
installation's audit key. ``verify`` checks the keyed chain and compares every covered
row present now with the state its last event recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from pfund.domain import AuditEvent, ChainBreak, event_hash, verify_chain
from pfund.domain.account import Permission
from pfund.domain.audit import (
    GENESIS_HASH,
    SCHEME_KEYED,
    SEAL_ACTION,
    RowBreak,
    RowState,
    compare_rows,
    unsealed_legacy,
)
from pfund.errors import Conflict, IntegrityFailure, Problem
from pfund.services.runtime import Runtime
from pfund.store.repositories import AuditRepository
from pfund.store.row_state import (
    CHANGED,
    LABELS,
    PENDING,
    SEAL,
    UnauditedChange,
    changed_rows,
    current_states,
    row_keys_of_all,
    states_of,
)
from pfund.store.unit_of_work import UnitOfWork


class AuditWriter:
    """Queues events for the unit of work's transaction; they are chained at commit.

    The first event of a transaction locks the chain's head, as before, so concurrent
    writers queue from that point; the events get their seq, row states and hash when
    the transaction commits, so the digests are of the state that is committed.
    """

    def __init__(self, uow: UnitOfWork, actor: str) -> None:
        self._uow = uow
        self._actor = actor

    def record(
        self, action: str, record_type: str, record_id: str, details: dict[str, Any] | None = None
    ) -> None:
        self.record_many(action, record_type, [(record_id, details)])

    def record_many(
        self,
        action: str,
        record_type: str,
        events: Iterable[tuple[str, dict[str, Any] | None]],
    ) -> None:
        """One event per (record id, details), in order: as :meth:`record` of each in turn
        (each its own time, seq and hash at commit), for a change of thousands of rows;
        none given, nothing is done."""
        wanted = list(events)
        if not wanted:
            return
        session = self._uow.session
        pending: list[dict[str, Any]] | None = session.info.get(PENDING)
        if pending is None:
            self._uow.audit.head(lock=True)
            pending = session.info[PENDING] = []
            session.info[SEAL] = partial(_seal, self._uow.audit, self._uow.keys.audit_key)
        pending.extend(
            {
                "at": datetime.now(UTC),
                "actor": self._actor,
                "action": action,
                "record_type": record_type,
                "record_id": record_id,
                "details": details or {},
            }
            for record_id, details in wanted
        )


def _seal(audit: AuditRepository, key: bytes, session: Session) -> None:
    """Chain the transaction's queued events, each with the rows it changed (at commit)."""
    pending: list[dict[str, Any]] = session.info.pop(PENDING, [])
    changed = session.info.pop(CHANGED, set())
    session.info.pop(SEAL, None)
    if not pending:
        if changed:
            raise UnauditedChange(f"{len(changed)} covered row(s) changed without an audit event")
        return
    rows: list[dict[str, RowState | None]] = [{} for _ in pending]
    owners = {(e["record_type"], e["record_id"]): i for i, e in enumerate(pending)}
    for key_text, (state, owner) in states_of(session, key, changed).items():
        rows[owners.get(owner, len(pending) - 1) if owner else len(pending) - 1][key_text] = state
    seq, prev = audit.head(lock=True)
    events: list[AuditEvent] = []
    for fields, states in zip(pending, rows, strict=True):
        seq += 1
        body: dict[str, Any] = {
            **fields,
            "seq": seq,
            "prev_hash": prev,
            "rows": states,
            "scheme": SCHEME_KEYED,
        }
        event = AuditEvent(**body, hash=event_hash(key, **body))
        events.append(event)
        prev = event.hash
    audit.append_many(events)


class AuditReport(BaseModel):
    """The outcome of ``pfund audit verify``."""

    events: int
    intact: bool
    breaks: list[ChainBreak]
    head_matches: bool
    rows_checked: int = 0
    row_breaks: list[RowBreak] = []
    earlier_head: str | None = None  # "SEQ:HASH" asked for, when one was
    earlier_head_found: bool | None = None


def parse_head(text: str) -> tuple[int, str]:
    """``SEQ:HASH`` as published (portal footer, open data) into its parts."""
    seq, _, digest = text.strip().partition(":")
    if not seq.isdigit() or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        raise ValueError(f"not a published head (SEQ:HASH, 64 hex digits): {text!r}")
    return int(seq), digest


def verify(uow: UnitOfWork, *, earlier_head: tuple[int, str] | None = None) -> AuditReport:
    """Check every event's keyed hash and link, the head, and every covered row.

    The head check catches the removal of the newest events, which a chain alone cannot.
    Writers wait while it runs (it holds the chain's head), so what it compares is one
    consistent state. ``earlier_head`` is a head published before (seq, hash): it must
    still be in the chain, else history was rewritten since it was published.
    """
    key = uow.keys.audit_key
    # Hold the head so no writer commits between reading the events and the rows (every
    # commit that changes a covered row appends an event, which needs this lock).
    uow.audit.head(lock=True)
    events = uow.audit.list()
    breaks = verify_chain(events, key)
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
    unsealed = unsealed_legacy(events)
    row_breaks: list[RowBreak] = []
    current: dict[str, RowState] = {}
    if unsealed:
        breaks.append(
            ChainBreak(
                seq=0,
                kind="unsealed",
                detail=f"{unsealed} event(s) were written before the chain was keyed and no "
                "keyed event vouches for them yet: run 'pfund audit seal' (rows are not "
                "checked until then)",
            )
        )
    else:
        recorded: dict[str, tuple[RowState | None, AuditEvent]] = {}
        for event in events:
            for row, state in event.rows.items():
                recorded[row] = (state, event)
        current = current_states(uow.session, key)
        row_breaks = compare_rows(recorded, current, LABELS)
    found: bool | None = None
    if earlier_head is not None:
        seq, digest = earlier_head
        found = any(e.seq == seq and e.hash == digest for e in events) or (
            (seq, digest) == (0, GENESIS_HASH)
        )
        if not found:
            breaks.append(
                ChainBreak(
                    seq=seq,
                    kind="rewritten",
                    detail=f"the published head {seq}:{digest[:16]}... is not in the chain: "
                    "history up to it was rewritten (or it was never this store's)",
                )
            )
    return AuditReport(
        events=len(events),
        intact=not breaks and not row_breaks,
        breaks=breaks,
        head_matches=head_matches,
        rows_checked=len(current),
        row_breaks=row_breaks,
        earlier_head=f"{earlier_head[0]}:{earlier_head[1]}" if earlier_head else None,
        earlier_head_found=found,
    )


class SealReport(BaseModel):
    legacy_events: int
    legacy_head: str
    rows: int
    seq: int
    hash: str


def seal(rt: Runtime) -> SealReport:
    """Vouch, with the audit key, for a chain written before it was keyed (once).

    Checks the old unkeyed chain first; then appends a keyed ``audit.sealed`` event that
    follows its last event and records the state of every covered row as it is now.
    From then on rewriting an old event breaks the keyed link, and any row edit shows.
    The seal trusts the rows as they stand: edits made before it cannot be seen.
    """
    rt.require(Permission.MANAGE_STORE)
    with rt.uow() as uow:
        events = uow.audit.list()
        unsealed = unsealed_legacy(events)
        if not unsealed:
            raise Conflict("the audit chain needs no seal: every event is keyed or vouched for")
        breaks = verify_chain(events, uow.keys.audit_key)
        if breaks:
            raise IntegrityFailure(
                "the audit chain is broken; it cannot be sealed",
                [Problem(f"event {b.seq}: {b.kind}: {b.detail}") for b in breaks],
            )
        legacy_head = [e for e in events if e.scheme != SCHEME_KEYED][-1].hash
        rows = row_keys_of_all(uow.session)
        changed_rows(uow.session).update(rows)
        AuditWriter(uow, rt.actor).record(
            SEAL_ACTION,
            "audit",
            "chain",
            {"legacy_events": unsealed, "legacy_head": legacy_head, "rows": len(rows)},
        )
        uow.commit()
    with rt.uow() as uow:
        seq, digest = uow.audit.head(lock=False)
    return SealReport(
        legacy_events=unsealed, legacy_head=legacy_head, rows=len(rows), seq=seq, hash=digest
    )


class AuditHead(BaseModel):
    """The chain's head as published: an outsider keeps it and later checks it is still
    in the chain (``pfund audit verify --head SEQ:HASH``)."""

    seq: int
    hash: str
    at: datetime | None

    @property
    def text(self) -> str:
        return f"{self.seq}:{self.hash}"


def published_head(uow: UnitOfWork) -> AuditHead:
    """The last event's seq, hash and time (seq 0 and the genesis hash for an empty log)."""
    seq, digest = uow.audit.head(lock=False)
    event = uow.audit.get(seq) if seq else None
    return AuditHead(seq=seq, hash=digest, at=event.at if event else None)
