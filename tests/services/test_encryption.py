"""Protected fields are sealed at rest (AES-GCM) on both databases, open only in memory.

A raw read of every table, and the bytes of the SQLite file, hold none of the protected
values of the sample fund, while the repositories and services give them back to those
allowed to see them; a ciphertext moved to another row does not open; rotation reseals
every value; a store holding clear values is reported and sealed on open.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine, Text, select, text

import pfund
from pfund.domain.account import Principal, Role, User
from pfund.domain.organisation import Person
from pfund.domain.protection import protected_values
from pfund.errors import Forbidden, InvalidInput
from pfund.keys import ensure_keys, read_keys
from pfund.services.data_keys import encrypt_clear, key_status, rotate
from pfund.services.demo import load_demo
from pfund.services.hit_review import review_queue
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.screening import load_watchlist
from pfund.settings import Settings
from pfund.store import make_engine, upgrade
from pfund.store.crypto import SPECS, DataKeyError, census
from pfund.store.tables import metadata

SAMPLE = Path(pfund.__file__).parent / "data" / "rpf" / "watchlists" / "sample.ftm.json"
LISTED_PERSON = "PER-0015"  # Алексей Николаевич Образцов, on the sample watchlist


@pytest.fixture
def demo(rt: Runtime, tmp_path: Path) -> Runtime:
    """The sample fund screened, with keys of its own in a file (rotation rewrites it)."""
    keys, _ = ensure_keys(tmp_path / "test.keys")
    rt.keys = keys
    load_demo(rt)
    load_watchlist(rt, SAMPLE)
    return rt


def secrets_of(rt: Runtime) -> set[str]:
    """Every protected value of the people and organisations, as the services see them."""
    with rt.uow() as uow:
        records = [*uow.people.list(), *uow.organisations.list()]
    found = {v for r in records for v in protected_values(r) if len(v) >= 5}
    assert len(found) > 30
    return found


def raw_dump(engine: Engine) -> str:
    """Every row of every table as the database hands it out: what a dump would show."""
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row))
            for t in metadata.sorted_tables
            for row in connection.execute(select(t))
        )


def test_no_protected_value_is_stored_in_clear(demo: Runtime) -> None:
    secrets = secrets_of(demo)
    dump = raw_dump(demo.engine)
    assert [s for s in secrets if s in dump] == []
    assert "v1:" in dump
    database = demo.engine.url.database
    if demo.engine.dialect.name == "sqlite" and database:
        demo.engine.dispose()  # checkpoint the WAL into the file
        files = [Path(database), Path(database + "-wal")]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert [s for s in secrets if s.encode() in raw] == []


def as_role(rt: Runtime, role: Role) -> Runtime:
    user = User(username=f"u-{role.value}", roles=[role], created_at=datetime.now(UTC))
    who = Principal(user=user)
    return replace(rt, actor=who.actor, principal=who)


def test_permitted_roles_read_them_decrypted_and_screening_finds_a_listed_name(
    demo: Runtime,
) -> None:
    with demo.uow() as uow:
        person = uow.people.get("PER-0001")
        org = next(o for o in uow.organisations.list() if "name" in o.protected_fields)
    assert person is not None and person.name == "Анна Сергеевна Образцова"
    assert person.email == "a.obraztsova@sib-tb.example.org"
    assert len(org.name) > 3 and not org.name.startswith("v1:")
    queue = review_queue(as_role(demo, Role.COMPLIANCE), everything=True)
    listed = [i for i in queue if i.counterparty_id == LISTED_PERSON]
    assert listed and "Obrazcov" in listed[0].matched  # the listed name it matched
    with pytest.raises(Forbidden):
        review_queue(as_role(demo, Role.ANALYST))


def test_a_ciphertext_moved_to_another_row_does_not_open(demo: Runtime) -> None:
    with demo.engine.begin() as connection:
        other = connection.scalar(text("SELECT name FROM people WHERE id = 'PER-0002'"))
        connection.execute(text("UPDATE people SET name = :v WHERE id = 'PER-0001'"), {"v": other})
    with demo.uow() as uow, pytest.raises(DataKeyError, match=r"people\.name of row PER-0001"):
        uow.people.get("PER-0001")
    with demo.uow() as uow:
        assert uow.people.get("PER-0002") is not None


def test_a_wrong_keys_file_is_named_not_a_traceback(demo: Runtime, tmp_path: Path) -> None:
    other, _ = ensure_keys(tmp_path / "other.keys")
    with (
        pytest.raises(DataKeyError, match=r"other\.keys") as refused,
        replace(demo, keys=other).uow() as uow,
    ):
        uow.people.list()
    assert "Образцова" not in str(refused.value)


def test_rotation_reseals_every_value_and_drops_the_old_key(demo: Runtime) -> None:
    path, old = demo.keys.path, demo.keys.data_key_id
    assert path is not None
    with demo.uow() as uow:
        before = census(uow.session)
        people = uow.people.list()
    assert set(before.by_key) == {old} and before.clear_total == 0
    report = rotate(demo)
    assert report.new_key != old and report.dropped_keys == [old]
    assert report.resealed == before.by_key[old]
    on_disk = read_keys(path)
    assert set(on_disk.data_keys) == {report.new_key}
    rt = replace(demo, keys=on_disk)
    assert key_status(rt).values_by_key == {report.new_key: before.by_key[old]}
    with rt.uow() as uow:
        assert uow.people.list() == people
        events = [e for e in uow.audit.list() if e.action == "keys.rotated"]
    assert len(events) == 1 and "Образцова" not in json.dumps(events[0].details)


def test_rotation_can_keep_the_old_key(demo: Runtime) -> None:
    old = demo.keys.data_key_id
    report = rotate(demo, keep_old=True)
    assert report.kept_keys == [old] and report.dropped_keys == []
    assert demo.keys.path is not None
    assert old in read_keys(demo.keys.path).data_keys


def test_clear_values_are_reported_then_sealed_when_the_store_opens(
    demo: Runtime, database_url: str
) -> None:
    """A store written before 0012 holds clear values: status counts them, reading one is
    a clear error, and opening the store seals them, once and audited."""
    with demo.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE people SET name = 'Анна Сергеевна Образцова', phone = '+7 1' "
                "WHERE id = 'PER-0001'"
            )
        )
    status = key_status(demo)
    assert status.clear_values == {"people.name": 1, "people.phone": 1}
    with demo.uow() as uow, pytest.raises(DataKeyError, match="in clear"):
        uow.people.get("PER-0001")
    settings = Settings(database_url=database_url, keys_file=demo.keys.path)
    opened = open_runtime(settings)
    try:
        assert key_status(opened).clear_values == {}
        with opened.uow() as uow:
            person = uow.people.get("PER-0001")
            events = [e for e in uow.audit.list() if e.action == "keys.encrypted_clear"]
        assert person is not None and person.name == "Анна Сергеевна Образцова"
        assert person.phone == "+7 1"
        assert [e.details["values"] for e in events] == [2]
        assert encrypt_clear(opened) == 0  # nothing left, nothing recorded
    finally:
        opened.close()
    assert "Образцова" not in raw_dump(demo.engine)


def test_clear_values_are_not_sealed_with_a_foreign_keys_file(
    demo: Runtime, tmp_path: Path
) -> None:
    with demo.engine.begin() as connection:
        connection.execute(text("UPDATE people SET phone = '+7 1' WHERE id = 'PER-0001'"))
    other, _ = ensure_keys(tmp_path / "other.keys")
    with pytest.raises(DataKeyError, match=r"other\.keys"):
        encrypt_clear(replace(demo, keys=other))
    assert key_status(demo).clear_values == {"people.phone": 1}


def test_a_long_phone_is_stored_or_refused_never_a_database_error(rt: Runtime) -> None:
    """70 characters: the column holds any ciphertext, the domain holds the limit."""
    phone = "+7 " + "0" * 67
    limits = [getattr(m, "max_length", None) for m in Person.model_fields["phone"].metadata]
    if any(limit is not None and limit < len(phone) for limit in limits):
        with pytest.raises(ValidationError, match="phone"):
            Person(id="PER-LONG", name="Long Phone", phone=phone)
        return
    person = Person(id="PER-LONG", name="Long Phone", phone=phone)
    with rt.uow() as uow:
        uow.people.add(person)
        uow.commit()
    with rt.uow() as uow:
        assert uow.people.get("PER-LONG") == person


def test_the_sealed_columns_are_those_the_tables_mark() -> None:
    """One list (crypto.SPECS) says what is sealed; the tables mark the same columns as
    unbounded, so the domain's max_length is the only limit of a plain value."""
    marked = {
        (t.name, c.name)
        for t in metadata.sorted_tables
        for c in t.columns
        if c.info.get("encrypted")
    }
    listed = {(s.table, c) for s in SPECS.values() for c in s.columns}
    assert marked == listed
    for table, column in listed:
        kind = metadata.tables[table].c[column].type
        assert isinstance(kind, Text) or column in SPECS[table].json_columns, (table, column)


def test_status_needs_the_store_permission(demo: Runtime) -> None:
    with pytest.raises(Forbidden):
        key_status(as_role(demo, Role.ANALYST))
    with pytest.raises(InvalidInput):
        rotate(replace(demo, keys=replace(demo.keys, path=None)))


def test_an_upgraded_store_with_clear_values_migrates_and_is_sealed_on_open(
    database_url: str, tmp_path: Path
) -> None:
    """A store at 0006 holding people, an organisation's vetting and a contact in clear
    (the children of the tables that 0012 rebuilds on SQLite) upgrades, then is sealed."""
    engine = make_engine(database_url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as connection:
            for statement in LEGACY_ROWS:
                connection.execute(text(statement))
    finally:
        engine.dispose()
    settings = Settings(database_url=database_url, keys_file=tmp_path / "new.keys")
    rt = open_runtime(settings)
    try:
        assert key_status(rt).clear_values == {}
        with rt.uow() as uow:
            person = uow.people.get("PER-9")
            org = uow.organisations.get("ORG-9")
        assert person is not None and person.name == "Clear Name" and person.phone == "+7 9"
        assert org is not None and org.name == "Clear NGO"
        assert "Clear Name" not in raw_dump(rt.engine) and "Clear NGO" not in raw_dump(rt.engine)
    finally:
        rt.close()


LEGACY_ROWS = [
    "INSERT INTO organisations (id, name, alias, kind, country, areas, regions, capabilities, "
    "website, has_vetting, notes, protected_fields) VALUES ('ORG-9', 'Clear NGO', 'NGO 9', "
    "'ngo', 'RU', '[]', '[]', '[]', '', false, '', '[\"name\"]')",
    "INSERT INTO people (id, organisation, role, alias, name, email, phone, notes) VALUES "
    "('PER-9', 'ORG-9', 'lead', 'Lead 9', 'Clear Name', 'c@example.org', '+7 9', '')",
    'INSERT INTO outreach (organisation_id, "on", channel, staff, contact_person_id, '
    "outcome, note) VALUES ('ORG-9', '2026-01-02', 'mail', 'staff', 'PER-9', 'no_reply', "
    "'met Clear Name')",
]
