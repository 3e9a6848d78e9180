"""Backup and restore: a whole store round-trips between SQLite and PostgreSQL, encrypted,
and a restore that cannot be whole writes nothing.

The tests that cross databases run on both; the others use two SQLite files, since what
they check (the file, the passphrase, the refusals) does not depend on the database.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pyrage import passphrase
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import pfund
from pfund.domain.results import ReportedValue, ReportInput
from pfund.errors import Conflict, IntegrityFailure, InvalidInput
from pfund.keys import Keys
from pfund.services import results
from pfund.services.audit import verify
from pfund.services.backup import backup, restore, table_digests
from pfund.services.conditions import set_condition
from pfund.services.demo import load_demo
from pfund.services.funding import record_contributions
from pfund.services.hit_review import decide, review_queue
from pfund.services.runtime import Runtime
from pfund.services.screening import load_watchlist
from pfund.services.setup import init_fund
from pfund.store import make_engine, make_session_factory, upgrade
from pfund.store.repositories import table_counts

SECRET = "correct horse battery staple"
SAMPLE = Path(pfund.__file__).parent / "data" / "rpf" / "watchlists" / "sample.ftm.json"
PERSON_NAME = "Образцов"  # PER-0015 of the sample fund, protected


def fresh_sqlite(path: Path, keys: Keys | None = None) -> Iterator[Runtime]:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    rt = Runtime(engine=engine, sessions=make_session_factory(engine), actor="test:admin")
    if keys is not None:
        rt.keys = keys
    yield rt
    engine.dispose()


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Runtime]:
    """A second, empty store: always SQLite, so each test crosses databases once."""
    yield from fresh_sqlite(tmp_path / "other.db")


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Runtime]:
    """A SQLite store holding the sample fund with money received."""
    for rt in fresh_sqlite(tmp_path / "source.db"):
        init_fund(rt)
        load_demo(rt)
        record_contributions(rt, year=2023, received=True)
        load_watchlist(rt, SAMPLE)
        yield rt


def report_with_evidence(rt: Runtime) -> None:
    """A partner's report with a photo, so evidence files (bytes) are backed up too."""
    image = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(image, format="PNG")
    link = results.issue_report_link(rt, "TRN-M11-01", "2030")
    report = ReportInput(
        project="TRN-M11-01",
        period="2030",
        values=[ReportedValue(indicator="km_upgraded", value=Decimal(140), unit="km")],
    )
    upload = results.Upload("site.png", image.getvalue())
    results.submit_by_token(rt, link.token, report, [upload], channel="form")


@pytest.fixture
def busy_sqlite(source: Runtime) -> Runtime:
    """The SQLite source with a hit dismissed and an outreach note: rows in most tables."""
    first = review_queue(source)[0]
    decide(source, first.hit, "dismiss", "a different newsroom")
    report_with_evidence(source)
    return source


@pytest.fixture
def empty(engine: Engine, session_factory: sessionmaker[Session]) -> Runtime:
    """The test database (SQLite or PostgreSQL), migrated and holding nothing."""
    return Runtime(engine=engine, sessions=session_factory, actor="test:admin")


@pytest.fixture
def busy(rt: Runtime) -> Runtime:
    """The sample fund with money, hits and a decision: rows in most tables."""
    load_demo(rt)
    record_contributions(rt, year=2023, received=True)
    load_watchlist(rt, SAMPLE)
    first = review_queue(rt)[0]
    decide(rt, first.hit, "dismiss", "a different newsroom")
    report_with_evidence(rt)
    return rt


def counts(rt: Runtime) -> dict[str, int]:
    with rt.uow() as uow:
        return table_counts(uow.session)


def test_a_store_round_trips_through_the_other_database(
    busy: Runtime, other: Runtime, tmp_path: Path
) -> None:
    file = tmp_path / "store.age"
    header = backup(busy, file, SECRET)
    before = counts(busy)
    assert header.tables == before and header.audit_seq > 0
    report = restore(other, file, SECRET)
    after = counts(other)
    restored_event = 1
    assert after["audit_events"] == before["audit_events"] + restored_event
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }
    assert report.audit_events == before["audit_events"]
    with other.uow() as uow:
        assert verify(uow).intact
        decisions = [e.action for e in uow.audit.list()][-2:]
    assert decisions == ["store.backed_up", "store.restored"]
    # the restored review queue is the same, decisions and protected names included
    assert [(i.hit, i.status) for i in review_queue(other, everything=True)] == [
        (i.hit, i.status) for i in review_queue(busy, everything=True)
    ]


def contents(rt: Runtime) -> dict[str, str]:
    """A digest of each table's decrypted rows, the audit log left out (a backup and a
    restore each add their own event)."""
    with rt.uow() as uow:
        digests = table_digests(uow.session, uow.cipher)
    return {k: v for k, v in digests.items() if k not in ("audit_events", "audit_head")}


def test_contents_round_trip_sqlite_to_the_test_database_and_back(
    busy_sqlite: Runtime, empty: Runtime, tmp_path: Path
) -> None:
    """SQLite -> the test database (PostgreSQL in its half) -> SQLite, every table equal
    by content, the last store with a data key of its own (same audit key: a chain is
    checked only with the key that sealed it)."""
    first = tmp_path / "first.age"
    backup(busy_sqlite, first, SECRET)
    original = contents(busy_sqlite)
    assert len(original) > 30
    restore(empty, first, SECRET)
    assert contents(empty) == original
    second = tmp_path / "second.age"
    backup(empty, second, SECRET)
    for back in fresh_sqlite(tmp_path / "back.db", keys=empty.keys.with_new_data_key()):
        restore(back, second, SECRET)
        assert contents(back) == original
        with back.uow() as uow:
            assert verify(uow).intact
            people = {p.id: p for p in uow.people.list()}
        with busy_sqlite.uow() as uow:
            assert people == {p.id: p for p in uow.people.list()}


def test_restoring_into_the_test_database_keeps_ids_counting(
    source: Runtime, empty: Runtime, tmp_path: Path
) -> None:
    """Into PostgreSQL too: its serial sequences must move past the restored ids."""
    file = tmp_path / "store.age"
    backup(source, file, SECRET)
    restore(empty, file, SECRET)
    before = counts(empty)
    with empty.uow() as uow:
        code = uow.conditions.list()[0].code
    evidence = "OSCE monitoring report 12"
    set_condition(empty, code, "met", evidence=evidence, verifier="nato", on=date(2027, 4, 1))
    load_watchlist(empty, SAMPLE, watchlist_id="again")  # new hits
    after = counts(empty)
    assert after["condition_changes"] > before["condition_changes"]
    assert after["screening_hits"] > before["screening_hits"]
    with empty.uow() as uow:
        assert verify(uow).intact


def test_the_file_is_encrypted_and_a_wrong_passphrase_opens_nothing(
    source: Runtime, other: Runtime, tmp_path: Path
) -> None:
    file = tmp_path / "store.age"
    backup(source, file, SECRET)
    sealed = file.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1")
    assert PERSON_NAME.encode() not in sealed and b"PER-0015" not in sealed
    plain = gzip.decompress(passphrase.decrypt(sealed, SECRET)).decode("utf-8")
    # a backup is whole: the names are inside, in clear within the age encryption
    assert PERSON_NAME in plain
    before = counts(other)
    with pytest.raises(InvalidInput, match="cannot open"):
        restore(other, file, "not the passphrase at all")
    assert counts(other) == before


def test_a_short_passphrase_is_refused_before_anything_is_written(
    source: Runtime, tmp_path: Path
) -> None:
    before = counts(source)
    with pytest.raises(InvalidInput, match="too short"):
        backup(source, tmp_path / "store.age", "short")
    assert counts(source) == before and not (tmp_path / "store.age").exists()


def test_a_store_that_holds_data_is_not_overwritten(source: Runtime, tmp_path: Path) -> None:
    file = tmp_path / "store.age"
    backup(source, file, SECRET)
    before = counts(source)
    with pytest.raises(Conflict, match="not empty"):
        restore(source, file, SECRET)
    assert counts(source) == before


def reseal(file: Path, edit: str) -> None:
    """Decrypt, change the rows, and encrypt again with the right passphrase."""
    lines = gzip.decompress(passphrase.decrypt(file.read_bytes(), SECRET)).decode().splitlines()
    if edit == "cut":
        lines = lines[: len(lines) // 2]
    else:  # change one audit event's actor: the chain must catch it
        for n, line in enumerate(lines[1:], start=1):
            item = json.loads(line)
            if item["t"] == "audit_events":
                item["r"]["actor"] = "someone else"
                lines[n] = json.dumps(item)
                break
    payload = gzip.compress(("\n".join(lines) + "\n").encode())
    file.write_bytes(passphrase.encrypt(payload, SECRET))


@pytest.mark.parametrize("edit", ["cut", "forged"])
def test_a_cut_or_forged_backup_restores_nothing(
    source: Runtime, other: Runtime, tmp_path: Path, edit: str
) -> None:
    file = tmp_path / "store.age"
    backup(source, file, SECRET)
    reseal(file, edit)
    before = counts(other)
    with pytest.raises(InvalidInput if edit == "cut" else IntegrityFailure):
        restore(other, file, SECRET)
    assert counts(other) == before
