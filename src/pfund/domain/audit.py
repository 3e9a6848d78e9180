"""Audit events, the keyed hash chain, and the row states the events vouch for.

Each event's hash is an HMAC-SHA256, keyed with the installation's audit key (kept in the
keys file, never in the database), over its own fields, its sequence number, the previous
event's hash and the digests of the rows the event changed. So an event cannot be
changed, dropped or moved, nor the chain rewritten and re-hashed, by anyone who can write
the database but not read the key; and a row of money, a tranche, a condition, a
screening hit or a project that differs from the state its last event recorded shows.

Events written before the chain was keyed (schema 0006 and earlier) carry the scheme
``sha256`` and a plain SHA-256 hash. They are accepted only as the start of the chain,
and only once a keyed ``audit.sealed`` event has vouched for them (``pfund audit seal``).
Details hold ids and field names, never protected values: the log is read by many. Row
digests are keyed too, so that a digest of a row holding a protected value cannot be used
to confirm a guess of it.

This module is pure: keys and rows come in as arguments.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.lengths import Id, Label, Name

GENESIS_HASH = "0" * 64
SCHEME_LEGACY = "sha256"
SCHEME_KEYED = "hmac-sha256"
SEAL_ACTION = "audit.sealed"


def utc(moment: datetime) -> datetime:
    """The same instant in UTC; naive times (SQLite gives them back) are read as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def canonical_json(value: Any) -> str:
    """The one text form hashed everywhere: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class RowState(BaseModel):
    """What an event says a row looked like after it: a keyed digest of the whole row
    and a few named, never protected, fields (status, amount) to say what changed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    fields: dict[str, Any] = Field(default_factory=dict)


class AuditEvent(BaseModel):
    """Who did what to which record, when, chained to the event before it.

    ``rows`` maps a row key (``table:primary key``) to its state after the event, or to
    None when the event deleted it.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int = Field(ge=1)
    at: datetime
    actor: Name
    action: Label
    record_type: Label
    record_id: Id
    details: dict[str, Any] = Field(default_factory=dict)
    rows: dict[str, RowState | None] = Field(default_factory=dict)
    scheme: str = SCHEME_KEYED
    prev_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")


def event_hash(
    key: bytes | None,
    *,
    seq: int,
    at: datetime,
    actor: str,
    action: str,
    record_type: str,
    record_id: str,
    details: dict[str, Any],
    prev_hash: str,
    rows: Mapping[str, RowState | Mapping[str, Any] | None] | None = None,
    scheme: str = SCHEME_KEYED,
) -> str:
    """The event's hash over a canonical JSON form, identical on SQLite and PostgreSQL.

    Keyed events: HMAC-SHA256 with ``key`` over the fields, the scheme and the row states.
    Legacy events (``scheme == "sha256"``, written before 0010): the plain SHA-256 of the
    old form, kept only so that a chain from before the upgrade can still be checked.
    """
    body: dict[str, Any] = {
        "seq": seq,
        "at": utc(at).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "record_type": record_type,
        "record_id": record_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    if scheme == SCHEME_LEGACY:
        return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()
    if scheme != SCHEME_KEYED:
        raise ValueError(f"unknown audit hash scheme {scheme!r}")
    if not key:
        raise ValueError("a keyed audit event needs the audit key")
    body["scheme"] = scheme
    body["rows"] = {
        k: (v.model_dump() if isinstance(v, RowState) else dict(v) if v is not None else None)
        for k, v in (rows or {}).items()
    }
    return hmac.new(key, canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()


def row_digest(key: bytes, table: str, canonical_row: Mapping[str, Any]) -> str:
    """A keyed digest of one row's canonical form (see :func:`canonical_json`).

    The key is derived from the audit key for this one purpose, so a row digest can
    never stand in for an event hash.
    """
    row_key = hmac.new(key, b"pfund-audit-row-digest", hashlib.sha256).digest()
    text = canonical_json({"table": table, "row": canonical_row})
    return hmac.new(row_key, text.encode("utf-8"), hashlib.sha256).hexdigest()


class ChainBreak(BaseModel):
    """Where the chain fails, and the kind of failure a user can act on."""

    seq: int
    kind: str
    detail: str


def verify_chain(events: list[AuditEvent], key: bytes) -> list[ChainBreak]:
    """Every break in a chain ordered by ``seq``; an empty list means intact.

    Legacy (unkeyed) events are accepted only before the first keyed event: a legacy
    event after a keyed one is what someone without the key would write, so it is named.
    Whether the legacy prefix has been sealed is :func:`unsealed_legacy`'s question.
    """
    breaks: list[ChainBreak] = []
    prev_hash, expected_seq, keyed_seen = GENESIS_HASH, 1, False
    for event in events:
        if event.seq != expected_seq:
            kind = "removed" if event.seq > expected_seq else "reordered"
            breaks.append(ChainBreak(seq=event.seq, kind=kind, detail=_gap(expected_seq, event)))
        if event.scheme == SCHEME_LEGACY and keyed_seen:
            breaks.append(
                ChainBreak(
                    seq=event.seq,
                    kind="unkeyed",
                    detail=f"event {event.seq} ({event.action} {event.record_type} "
                    f"{event.record_id}) carries an unkeyed hash after keyed events: "
                    "it was written without the audit key",
                )
            )
        keyed_seen = keyed_seen or event.scheme != SCHEME_LEGACY
        try:
            recomputed = event_hash(key, **event.model_dump(exclude={"hash"}))
        except ValueError as err:
            recomputed = f"invalid: {err}"
        if not hmac.compare_digest(recomputed, event.hash):
            breaks.append(
                ChainBreak(
                    seq=event.seq,
                    kind="changed",
                    detail=f"event {event.seq} ({event.action} {event.record_type} "
                    f"{event.record_id}) does not match its hash: its content was changed, "
                    "or it was hashed without this installation's audit key",
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


def unsealed_legacy(events: list[AuditEvent]) -> int:
    """How many legacy events no keyed ``audit.sealed`` event vouches for (0: none)."""
    legacy = sum(1 for e in events if e.scheme == SCHEME_LEGACY)
    if not legacy:
        return 0
    sealed = any(e.scheme == SCHEME_KEYED and e.action == SEAL_ACTION for e in events)
    return 0 if sealed else legacy


def _gap(expected: int, event: AuditEvent) -> str:
    if event.seq > expected:
        missing = f"{expected}" if event.seq == expected + 1 else f"{expected}-{event.seq - 1}"
        return f"event(s) {missing} missing before event {event.seq}"
    return f"event {event.seq} found where event {expected} should be"


class RowBreak(BaseModel):
    """A row that differs from what the audit log last said about it."""

    table: str
    key: str
    kind: str  # changed | deleted | unrecorded | reappeared
    seq: int | None
    detail: str


def compare_rows(
    recorded: Mapping[str, tuple[RowState | None, AuditEvent]],
    current: Mapping[str, RowState],
    labels: Mapping[str, str],
) -> list[RowBreak]:
    """Every row whose current state is not the one its latest event recorded.

    ``recorded`` maps a row key to (its last recorded state, that event); ``current``
    maps every row key present now to its state; ``labels`` names each table for people.
    """
    out: list[RowBreak] = []
    for row_key in sorted(set(recorded) | set(current)):
        table, _, ident = row_key.partition(":")
        name = f"{labels.get(table, table)} {ident}"
        now = current.get(row_key)
        entry = recorded.get(row_key)
        if entry is None:
            assert now is not None
            out.append(
                RowBreak(
                    table=table,
                    key=ident,
                    kind="unrecorded",
                    seq=None,
                    detail=f"{name}: present, but no audit event ever recorded it"
                    + _shown(now.fields),
                )
            )
            continue
        then, event = entry
        said = f"event {event.seq} ({event.action} {event.record_type} {event.record_id})"
        if now is None and then is None:
            continue
        if now is None:
            out.append(
                RowBreak(
                    table=table,
                    key=ident,
                    kind="deleted",
                    seq=event.seq,
                    detail=f"{name}: deleted, but the audit log last recorded it in {said}"
                    + _shown(then.fields if then else {}),
                )
            )
        elif then is None:
            out.append(
                RowBreak(
                    table=table,
                    key=ident,
                    kind="reappeared",
                    seq=event.seq,
                    detail=f"{name}: present, but {said} recorded its deletion",
                )
            )
        elif not hmac.compare_digest(now.digest, then.digest):
            out.append(
                RowBreak(
                    table=table,
                    key=ident,
                    kind="changed",
                    seq=event.seq,
                    detail=f"{name}: {_difference(now.fields, then.fields)} "
                    f"(last recorded by {said})",
                )
            )
    return out


def _difference(now: Mapping[str, Any], then: Mapping[str, Any]) -> str:
    changed = [
        f"{field} is {_text(now.get(field))} but the audit log last recorded "
        f"{_text(then.get(field))}"
        for field in sorted(set(now) | set(then))
        if now.get(field) != then.get(field)
    ]
    return "; ".join(changed) if changed else "its content differs from what the audit log recorded"


def _shown(fields: Mapping[str, Any]) -> str:
    if not fields:
        return ""
    return " (" + ", ".join(f"{k} {_text(v)}" for k, v in sorted(fields.items())) + ")"


def _text(value: Any) -> str:
    return "nothing" if value is None else str(value)
