"""Project statuses move in bulk exactly as they moved one project at a time.

``lifecycle.advance`` reads the statuses in a few queries, moves each group of one old
status with one conditional UPDATE and writes the events together at commit. Here it
is compared with the one-at-a-time way it replaced (kept below as the reference), on
two copies of the same projects, and raced by a writer that moves projects between its
read and its update.
"""

from __future__ import annotations

from typing import Any

import pytest

from pfund.domain import ProjectStatus
from pfund.domain.project import Project
from pfund.io.dataset import load_dataset
from pfund.sample.synthetic import generate_projects
from pfund.services.audit import AuditWriter, verify
from pfund.services.lifecycle import FROM, advance
from pfund.services.runtime import Runtime
from pfund.store.repositories.projects import ProjectRepository
from pfund.store.unit_of_work import UnitOfWork

S = ProjectStatus
# The statuses the copies start in, in turn: some may be appraised, some not.
PATTERN = [S.PROPOSED, S.SCREENED, S.APPROVED, S.PROPOSED, S.CANCELLED, S.SUBMITTED, S.SCREENED]


def one_by_one(
    uow: UnitOfWork, audit: AuditWriter, project_ids: list[str], to: ProjectStatus, cause: str
) -> list[str]:
    """``advance`` as it was: a read, an update and an event per project."""
    moved = []
    for pid in dict.fromkeys(project_ids):
        project = uow.projects.get(pid)
        if project is None or project.status not in FROM[to]:
            continue
        uow.projects.set_status(pid, to)
        audit.record(
            "project.status",
            "project",
            pid,
            {"old": project.status.value, "new": to.value, "cause": cause},
        )
        moved.append(pid)
    return moved


def _copies(rt: Runtime, n: int) -> tuple[list[str], list[str]]:
    """Two copies (ids ending in 0 and 1) of ``n`` projects, statuses as PATTERN."""
    data = load_dataset()
    drawn = generate_projects(
        n,
        seed=5,
        areas=[a.code for a in data.areas],
        regions=[r.code for r in data.regions],
        link_share=0.0,
    )
    copies: list[list[Project]] = [
        [
            p.model_copy(update={"id": f"{p.id}{k}", "status": PATTERN[i % len(PATTERN)]})
            for i, p in enumerate(drawn)
        ]
        for k in (0, 1)
    ]
    with rt.uow() as uow:
        audit = AuditWriter(uow, "test:clerk")
        for copy in copies:
            uow.projects.add_many(copy)
            audit.record_many("project.created", "project", [(p.id, None) for p in copy])
        uow.commit()
    return [p.id for p in copies[0]], [p.id for p in copies[1]]


def _events_after(uow: UnitOfWork, seq: int) -> list[Any]:
    return [e for e in uow.audit.list() if e.seq > seq]


def _same_pid(pid: str) -> str:
    return pid[:-1]


def test_bulk_moves_the_same_projects_with_the_same_events(rt: Runtime) -> None:
    first, second = _copies(rt, 40)
    # duplicates and an unknown id, as callers may pass them
    asked = [*first, first[0], first[3], "NOPE-0000"]
    with rt.uow() as uow:
        seq, _ = uow.audit.head(lock=False)
        moved_old = one_by_one(uow, AuditWriter(uow, "test:clerk"), asked, S.APPRAISED, "x")
        uow.commit()
    with rt.uow() as uow:
        old_events = _events_after(uow, seq)
        seq, _ = uow.audit.head(lock=False)
        asked = [*second, second[0], second[3], "NOPE-0000"]
        moved_new = advance(uow, AuditWriter(uow, "test:clerk"), asked, S.APPRAISED, "x")
        uow.commit()
    with rt.uow() as uow:
        new_events = _events_after(uow, seq)
        statuses = {p.id: p.status for p in uow.projects.list()}
        report = verify(uow)

    assert [_same_pid(p) for p in moved_new] == [_same_pid(p) for p in moved_old]
    assert len(moved_new) == sum(PATTERN[i % len(PATTERN)] in FROM[S.APPRAISED] for i in range(40))
    assert [statuses[p] for p in second] == [statuses[p] for p in first]

    def shape(event: Any) -> tuple[Any, ...]:
        rows = {_same_pid(k): v.fields for k, v in event.rows.items()}
        return (event.action, event.record_type, _same_pid(event.record_id), event.details, rows)

    assert [shape(e) for e in new_events] == [shape(e) for e in old_events]
    # one event per project moved, each vouching for its own row, in the order asked
    assert [e.record_id for e in new_events] == moved_new
    assert all(list(e.rows) == [f"projects:{e.record_id}"] for e in new_events)
    assert [e.seq for e in new_events] == list(range(seq + 1, seq + 1 + len(new_events)))
    assert report.intact, (report.breaks, report.row_breaks)


def test_a_project_moved_by_another_writer_meanwhile_is_not_overwritten(
    rt: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between advance's read and its update another writer approves one project and
    screens another: the first stays approved, the second moves from screened."""
    ids, _ = _copies(rt, 4)  # proposed, screened, approved, proposed
    raced, rescreened = ids[0], ids[3]
    stale = ProjectRepository.statuses
    calls = []

    def read_then_race(self: ProjectRepository, project_ids: Any) -> dict[str, ProjectStatus]:
        seen = stale(self, project_ids)
        calls.append(sorted(seen))
        if len(calls) == 1:  # what the other writer does once advance has read
            self.set_status(raced, S.APPROVED)
            self.set_status(rescreened, S.SCREENED)
        return seen

    monkeypatch.setattr(ProjectRepository, "statuses", read_then_race)
    with rt.uow() as uow:
        audit = AuditWriter(uow, "test:clerk")
        audit.record("note.added", "note", "race", None)  # the other writer's own event
        seq, _ = uow.audit.head(lock=False)
        moved = advance(uow, audit, ids, S.APPRAISED, "x")
        uow.commit()
    with rt.uow() as uow:
        statuses = uow.projects.statuses(ids)
        events = [e for e in _events_after(uow, seq) if e.action == "project.status"]
        report = verify(uow)

    assert statuses[raced] is S.APPROVED  # not overwritten with appraised
    assert statuses[rescreened] is S.APPRAISED
    assert moved == [ids[1], rescreened]
    assert [(e.record_id, e.details["old"]) for e in events] == [
        (ids[1], "screened"),
        (rescreened, "screened"),  # what it really moved from, read again
    ]
    assert calls[1] == sorted([raced, rescreened])  # only the missed ones were read again
    assert report.intact, (report.breaks, report.row_breaks)


def test_bulk_events_follow_the_head_like_single_ones(rt: Runtime) -> None:
    """``append_many`` refuses a batch whose events do not follow one another."""
    with rt.uow() as uow:
        audit = AuditWriter(uow, "test:clerk")
        audit.record_many("note.added", "note", [(f"N-{i}", {"i": i}) for i in range(5)])
        uow.commit()
    with rt.uow() as uow:
        events = uow.audit.list()
        report = verify(uow)
    assert report.intact
    assert [e.record_id for e in events[-5:]] == [f"N-{i}" for i in range(5)]
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    with rt.uow() as uow:
        last = events[-1]
        nxt = last.model_copy(
            update={"seq": last.seq + 1, "prev_hash": last.hash, "hash": "a" * 64}
        )
        skips = nxt.model_copy(update={"seq": last.seq + 3, "prev_hash": nxt.hash})
        forks = nxt.model_copy(update={"seq": last.seq + 2, "prev_hash": last.hash})
        for bad in (skips, forks):
            with pytest.raises(ValueError, match="does not follow"):
                uow.audit.append_many([nxt, bad])
        with pytest.raises(ValueError, match="does not follow"):  # not after the head
            uow.audit.append_many([forks])
