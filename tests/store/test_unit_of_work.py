"""A unit of work is one transaction: commit keeps everything, anything else keeps nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session, sessionmaker

from pfund.store import UnitOfWork
from pfund.store.repositories import table_counts
from pfund.store.tables import metadata
from tests.factories import make_audit_chain, make_fund, make_project

MakeUow = Callable[[], UnitOfWork]


def counts(session_factory: sessionmaker[Session]) -> dict[str, int]:
    with session_factory() as session:
        return table_counts(session)


def _write_some(uow: UnitOfWork) -> None:
    uow.fund.put(make_fund())
    uow.projects.add(make_project(depends_on=[], excludes=[]))
    uow.audit.append(make_audit_chain(1)[0])


def test_exception_inside_rolls_everything_back(
    seeded: MakeUow, session_factory: sessionmaker[Session]
) -> None:
    before = counts(session_factory)

    def fail_midway() -> None:
        with seeded() as uow:
            _write_some(uow)
            uow.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_midway()
    assert counts(session_factory) == before


def test_leaving_without_commit_keeps_nothing(
    seeded: MakeUow, session_factory: sessionmaker[Session]
) -> None:
    before = counts(session_factory)
    with seeded() as uow:
        _write_some(uow)
    assert counts(session_factory) == before
    with seeded() as uow:
        assert uow.fund.get() is None
        assert uow.audit.count() == 0


def test_commit_keeps_everything(seeded: MakeUow, session_factory: sessionmaker[Session]) -> None:
    before = counts(session_factory)
    with seeded() as uow:
        _write_some(uow)
        uow.commit()
    after = counts(session_factory)
    changed = {name for name in after if after[name] != before[name]}
    assert {"fund", "projects", "project_costs", "audit_events"} <= changed
    assert after["audit_head"] == 1


def test_table_counts_names_every_table(session_factory: sessionmaker[Session]) -> None:
    found = counts(session_factory)
    assert found["audit_head"] == 1
    assert found["projects"] == 0
    assert set(found) == set(metadata.tables)
