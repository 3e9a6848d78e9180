"""The keyed chain: a rewrite without the key, an edited event (re-hashed or not), a
downgrade to the old unkeyed hash, a published head that vanished, and the append-only
triggers, each on SQLite and PostgreSQL; a store upgraded from 0006 and its seal; a
restore under another audit key; a commit that changes money without an event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from pfund.domain.audit import GENESIS_HASH, SCHEME_LEGACY, AuditEvent, event_hash
from pfund.domain.enums import ConditionStatus
from pfund.errors import Conflict, InvalidInput
from pfund.keys import generate_keys
from pfund.services.audit import AuditWriter, published_head, seal, verify
from pfund.services.backup import backup, restore
from pfund.services.runtime import Runtime
from pfund.services.setup import init_fund
from pfund.store import make_engine, make_session_factory, upgrade
from pfund.store.row_state import UnauditedChange
from tests.tamper import tamper

SECRET = "correct horse battery staple"


def add_events(rt: Runtime, n: int) -> None:
    with rt.uow() as uow:
        writer = AuditWriter(uow, "test:clerk")
        for i in range(n):
            writer.record("note.added", "note", f"N-{i}", {"i": i})
        uow.commit()


def kinds(rt: Runtime) -> list[tuple[int, str]]:
    with rt.uow() as uow:
        report = verify(uow)
    return [(b.seq, b.kind) for b in report.breaks]


def events(rt: Runtime) -> list[AuditEvent]:
    with rt.uow() as uow:
        return uow.audit.list()


def rewrite(rt: Runtime, chain: list[AuditEvent]) -> None:
    """Replace the stored chain from its first differing event on, head included."""
    stored = {e.seq: e for e in events(rt)}
    first = min(e.seq for e in chain if stored.get(e.seq) != e)
    statements = [f"DELETE FROM audit_events WHERE seq >= {first}"]
    for e in chain:
        if e.seq < first:
            continue
        values: dict[str, Any] = {
            "seq": e.seq,
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "record_type": e.record_type,
            "record_id": e.record_id,
            "details": json.dumps(e.details, sort_keys=True),
            "rows": json.dumps({k: v.model_dump() if v else None for k, v in e.rows.items()}),
            "scheme": e.scheme,
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }
        cols = ", ".join(f'"{k}"' for k in values)
        vals = ", ".join(_sql(v) for v in values.values())
        statements.append(f"INSERT INTO audit_events ({cols}) VALUES ({vals})")
    last = chain[-1]
    statements.append(f"UPDATE audit_head SET seq = {last.seq}, hash = '{last.hash}'")
    tamper(rt.engine, *statements)


def _sql(value: Any) -> str:
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def rehash(
    chain: list[AuditEvent], start: int, key: bytes | None, scheme: str, **changes: Any
) -> list[AuditEvent]:
    """The chain with event ``start`` changed and every hash from there recomputed."""
    out, prev = [], GENESIS_HASH
    for e in chain:
        if e.seq < start:
            out.append(e)
            prev = e.hash
            continue
        body = e.model_dump(exclude={"hash"}) | {"prev_hash": prev, "scheme": scheme}
        if e.seq == start:
            body |= changes
        if scheme == SCHEME_LEGACY:
            body["rows"] = {}
        digest = event_hash(key, **body)
        out.append(AuditEvent(**body, hash=digest))
        prev = digest
    return out


def test_a_chain_rewritten_and_rehashed_with_a_wrong_key_is_caught(rt: Runtime) -> None:
    add_events(rt, 5)
    chain = rehash(events(rt), 3, generate_keys().audit_key, "hmac-sha256", actor="mallory")
    rewrite(rt, chain)
    assert (3, "changed") in kinds(rt)
    assert {seq for seq, kind in kinds(rt) if kind == "changed"} == {3, 4, 5, 6}


def test_a_chain_rehashed_with_the_old_unkeyed_function_is_caught(rt: Runtime) -> None:
    add_events(rt, 5)
    tail = rehash(events(rt), 3, None, SCHEME_LEGACY, actor="mallory")
    rewrite(rt, tail)
    assert (3, "unkeyed") in kinds(rt)
    whole = rehash(events(rt), 1, None, SCHEME_LEGACY)
    rewrite(rt, whole)
    assert [kind for _, kind in kinds(rt)] == ["unsealed"]


def test_an_edit_of_only_the_details_is_caught(rt: Runtime) -> None:
    add_events(rt, 3)
    tamper(rt.engine, "UPDATE audit_events SET details = '{\"i\": 7}' WHERE seq = 3")
    assert kinds(rt) == [(3, "changed")]


def test_an_edited_event_with_its_own_hash_recomputed_is_caught(rt: Runtime) -> None:
    add_events(rt, 3)
    chain = events(rt)
    wrong_key = rehash(chain, 3, generate_keys().audit_key, "hmac-sha256", actor="mallory")[2]
    tamper(
        rt.engine,
        f"UPDATE audit_events SET actor = 'mallory', hash = '{wrong_key.hash}' WHERE seq = 3",
    )
    assert (3, "changed") in kinds(rt)
    unkeyed = rehash(chain, 3, None, SCHEME_LEGACY, actor="mallory")[2]
    tamper(
        rt.engine,
        f"UPDATE audit_events SET scheme = 'sha256', rows = '{{}}', hash = '{unkeyed.hash}' "
        "WHERE seq = 3",
    )
    assert (3, "unkeyed") in kinds(rt)
    assert (4, "relinked") in kinds(rt)


def test_an_edited_row_state_in_an_event_is_caught(rt: Runtime) -> None:
    (event,) = [e for e in events(rt) if e.rows][:1]
    row = next(iter(event.rows))
    tamper(
        rt.engine,
        f"UPDATE audit_events SET rows = '{{\"{row}\": null}}' WHERE seq = {event.seq}",
    )
    assert (event.seq, "changed") in kinds(rt)


def test_a_published_head_must_stay_in_the_chain(rt: Runtime) -> None:
    add_events(rt, 2)
    with rt.uow() as uow:
        head = published_head(uow)
    assert head.seq == 3 and head.at is not None
    add_events(rt, 2)
    with rt.uow() as uow:
        report = verify(uow, earlier_head=(head.seq, head.hash))
    assert report.intact and report.earlier_head_found
    rewrite(rt, rehash(events(rt), 2, generate_keys().audit_key, "hmac-sha256", actor="x"))
    with rt.uow() as uow:
        report = verify(uow, earlier_head=(head.seq, head.hash))
    assert not report.intact and report.earlier_head_found is False
    assert "rewritten" in [b.kind for b in report.breaks]


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ("audit_events", "seq = 1"),
        ("ledger_entries", "id = 1"),
        ("condition_changes", "id = 1"),
        ("hit_decisions", "id = 1"),
    ],
)
@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
def test_append_only_tables_refuse_updates_and_deletes(
    rt: Runtime, table: str, where: str, verb: str
) -> None:
    _fill_evidence(rt.engine)
    column = {"audit_events": "actor", "ledger_entries": "memo"}.get(table, "reason")
    if table == "condition_changes":
        column = "verifier"
    statement = (
        f"UPDATE {table} SET {column} = 'x' WHERE {where}"
        if verb == "UPDATE"
        else f"DELETE FROM {table} WHERE {where}"
    )
    with pytest.raises(DBAPIError, match="append-only"), rt.engine.begin() as conn:
        conn.execute(text(statement))
    with rt.engine.connect() as conn:
        assert conn.scalar(text(f"SELECT count(*) FROM {table} WHERE {where}")) == 1


def test_emptying_the_evidence_at_once_is_refused(rt: Runtime) -> None:
    """PostgreSQL's TRUNCATE skips row triggers, so it has its own guard; SQLite has no
    TRUNCATE, and its whole-table DELETE (the truncate optimisation) must still meet
    the row triggers."""
    _fill_evidence(rt.engine)
    postgres = rt.engine.dialect.name == "postgresql"
    for table in ("audit_events", "ledger_entries", "condition_changes", "hit_decisions"):
        statement = f"TRUNCATE {table} CASCADE" if postgres else f"DELETE FROM {table}"
        with pytest.raises(DBAPIError, match="append-only"), rt.engine.begin() as conn:
            conn.execute(text(statement))


def _fill_evidence(engine: Engine) -> None:
    """One row in each evidence table, inserted directly (inserts are allowed)."""
    now = datetime(2027, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO ledger_entries (id, at, debit, credit, amount_minor, currency, memo) "
                "VALUES (1, :at, 'contributions_receivable', 'pledged', 1, 'USD', '')"
            ),
            {"at": now},
        )
        conn.execute(
            text(
                'INSERT INTO condition_changes (id, code, old, new, evidence, verifier, "on", '
                "actor) VALUES (1, 'ceasefire_holding', 'not_met', 'met', 'e', 'v', :on, 'a')"
            ),
            {"on": now.date()},
        )
        conn.execute(
            text(
                "INSERT INTO watchlists (id, name, source, loaded_at, content_hash, "
                "entity_count) VALUES ('w', 'w', 's', :at, :h, 0)"
            ),
            {"at": now, "h": "0" * 64},
        )
        conn.execute(
            text(
                "INSERT INTO screening_hits (id, counterparty_kind, counterparty_id, "
                "watchlist_id, entity_id, entity_hash, score, matched, explanation, created_at) "
                "VALUES (1, 'organisation', 'ORG-1', 'w', 'e', :h, 0.9, 'm', 'x', :at)"
            ),
            {"at": now, "h": "0" * 64},
        )
        conn.execute(
            text(
                "INSERT INTO hit_decisions (id, hit_id, decision, reason, actor, at) "
                "VALUES (1, 1, 'dismissed', 'r', 'a', :at)"
            ),
            {"at": now},
        )


def test_a_commit_that_changes_covered_rows_without_an_event_is_refused(rt: Runtime) -> None:
    with rt.uow() as uow:
        uow.conditions.set_status("ceasefire_holding", ConditionStatus.MET, since=None)
        with pytest.raises(UnauditedChange, match="conditions:ceasefire_holding"):
            uow.commit()
    with rt.uow() as uow:
        condition = uow.conditions.get("ceasefire_holding")
        assert condition is not None and condition.status == ConditionStatus.NOT_MET
        uow.conditions.set_status("ceasefire_holding", ConditionStatus.MET, since=None)
        AuditWriter(uow, "test").record("condition.set", "condition", "ceasefire_holding")
        uow.commit()
    with rt.uow() as uow:
        report = verify(uow)
        last = uow.audit.list()[-1]
    assert report.intact, report
    assert last.rows["conditions:ceasefire_holding"].fields["status"] == "met"  # type: ignore[union-attr]


@pytest.fixture
def legacy(database_url: str) -> Iterator[Runtime]:
    """A store written at schema 0006 (unkeyed chain), then upgraded."""
    engine = make_engine(database_url)
    upgrade(engine, "0006")
    prev = GENESIS_HASH
    with engine.begin() as conn:
        for seq in (1, 2, 3):
            body: dict[str, Any] = {
                "seq": seq,
                "at": datetime(2026, 1, seq, tzinfo=UTC),
                "actor": "old",
                "action": "note.added",
                "record_type": "note",
                "record_id": f"N-{seq}",
                "details": {},
                "prev_hash": prev,
            }
            prev = event_hash(None, **body, scheme=SCHEME_LEGACY)
            conn.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor, action, record_type, record_id, "
                    "details, prev_hash, hash) VALUES (:seq, :at, :actor, :action, "
                    ":record_type, :record_id, '{}', :prev_hash, :hash)"
                ),
                body | {"hash": prev},
            )
        conn.execute(text(f"UPDATE audit_head SET seq = 3, hash = '{prev}'"))
    upgrade(engine)
    yield Runtime(engine=engine, sessions=make_session_factory(engine), actor="test:admin")
    engine.dispose()


def test_an_upgraded_chain_is_unsealed_until_sealed_then_guarded(legacy: Runtime) -> None:
    init_fund(legacy)  # new, keyed events after the old ones
    assert [kind for _, kind in kinds(legacy)] == ["unsealed"]
    report = seal(legacy)
    assert report.legacy_events == 3 and report.rows > 0
    assert kinds(legacy) == []
    with pytest.raises(Conflict, match="needs no seal"):
        seal(legacy)
    # The old events are now vouched for: rewriting one (and re-hashing the old way) shows.
    chain = events(legacy)
    old = rehash(chain, 2, None, SCHEME_LEGACY, actor="mallory")[:3]
    rewrite(legacy, old + chain[3:])
    assert kinds(legacy) == [(4, "relinked")]
    # Re-hashing everything the old way instead only makes the whole chain unsealed.
    rewrite(legacy, rehash(events(legacy), 2, None, SCHEME_LEGACY))
    assert [kind for _, kind in kinds(legacy)] == ["unsealed"]


def test_a_restore_under_another_audit_key_is_refused(rt: Runtime, tmp_path: Path) -> None:
    file = tmp_path / "store.age"
    backup(rt, file, SECRET)
    engine = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(engine)
    other = Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        actor="test:admin",
        keys=generate_keys(),
    )
    with pytest.raises(InvalidInput, match="sealed with audit key") as refused:
        restore(other, file, SECRET)
    assert "PFUND_KEYS_FILE" in str(refused.value.problems[0])
    same = Runtime(engine=engine, sessions=make_session_factory(engine), actor="test:admin")
    restore(same, file, SECRET)
    with same.uow() as uow:
        assert verify(uow).intact
    engine.dispose()
