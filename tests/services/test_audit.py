"""The audit chain shows any event that was changed, removed or reordered."""

from __future__ import annotations

from pathlib import Path

from pfund.services.audit import AuditWriter, verify
from pfund.services.imports import import_people
from pfund.services.runtime import Runtime
from tests.tamper import tamper


def add_events(rt: Runtime, n: int) -> None:
    with rt.uow() as uow:
        writer = AuditWriter(uow, "test:clerk")
        for i in range(n):
            writer.record("note.added", "note", f"N-{i}", {"i": i})
        uow.commit()


def breaks(rt: Runtime) -> list[tuple[int, str]]:
    with rt.uow() as uow:
        report = verify(uow)
    return [(b.seq, b.kind) for b in report.breaks]


def test_intact_chain_verifies_and_spans_transactions(rt: Runtime) -> None:
    add_events(rt, 3)
    add_events(rt, 2)
    with rt.uow() as uow:
        report = verify(uow)
    assert report.intact and report.events == 6  # one from init_fund


def test_changed_event_is_named(rt: Runtime) -> None:
    add_events(rt, 4)
    tamper(
        rt.engine,
        "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3",
    )
    assert breaks(rt) == [(3, "changed")]


def test_removed_event_is_named(rt: Runtime) -> None:
    add_events(rt, 4)
    tamper(
        rt.engine,
        "DELETE FROM audit_events WHERE seq = 3",
    )
    assert (4, "removed") in breaks(rt)


def test_removed_newest_event_is_caught_by_the_head(rt: Runtime) -> None:
    add_events(rt, 4)
    tamper(
        rt.engine,
        "DELETE FROM audit_events WHERE seq = 5",
    )
    assert [kind for _, kind in breaks(rt)] == ["removed"]


def test_reordered_events_are_named(rt: Runtime) -> None:
    add_events(rt, 4)
    tamper(
        rt.engine,
        "UPDATE audit_events SET seq = 100 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 100",
    )
    found = breaks(rt)
    assert {seq for seq, _ in found} >= {2, 3}


def test_events_hold_no_protected_value(rt: Runtime, tmp_path: Path) -> None:
    people = tmp_path / "people.yaml"
    people.write_text(
        "- {id: PER-1, name: Анна Секретная, email: anna@example.org, role: coordinator}\n",
        encoding="utf-8",
    )
    import_people(rt, people)
    with rt.uow() as uow:
        dumped = " ".join(e.model_dump_json() for e in uow.audit.list())
    assert "PER-1" in dumped
    assert "Секретная" not in dumped and "anna@example.org" not in dumped
