"""Projects in bulk: fast inserts, filtered lists in a fixed number of queries, links."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import IntegrityError

from pfund.domain import ProjectStatus
from pfund.store import UnitOfWork
from tests.factories import make_project, make_synthetic_projects

MakeUow = Callable[[], UnitOfWork]


@contextmanager
def count_queries(engine: Engine) -> Iterator[list[str]]:
    """Every statement the engine runs inside the block."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_add_many_of_2000_projects_reads_back_equal(seeded: MakeUow) -> None:
    projects = make_synthetic_projects(2000, seed=7)
    with seeded() as uow:
        uow.projects.add_many(projects)
        uow.commit()
    with seeded() as uow:
        assert uow.projects.count() == 2000
        assert uow.projects.ids() == {p.id for p in projects}
        assert uow.projects.list() == projects


def test_list_loads_children_in_a_fixed_number_of_queries(seeded: MakeUow, engine: Engine) -> None:
    with seeded() as uow:
        uow.projects.add_many(make_synthetic_projects(300))
        uow.commit()
    with seeded() as uow, count_queries(engine) as statements:
        everything = uow.projects.list()
        some = uow.projects.list(area="health", region="RU-MOW")
    assert len(everything) == 300
    assert some
    queries = [s for s in statements if s != "BEGIN"]  # the engine begins SQLite itself
    assert len(queries) <= 2 * 9 + 2  # projects, 7 child tables and publications, per list


def test_list_filters_by_area_status_and_region(seeded: MakeUow) -> None:
    projects = make_synthetic_projects(200, seed=3)
    with seeded() as uow:
        uow.projects.add_many(projects)
        uow.commit()
    with seeded() as uow:
        health = uow.projects.list(area="health")
        screened = uow.projects.list(status=ProjectStatus.SCREENED)
        moscow = uow.projects.list(region="RU-MOW", status="proposed")
        none = uow.projects.list(area="no_such_area")
    assert health == [p for p in projects if p.area == "health"]
    assert screened == [p for p in projects if p.status is ProjectStatus.SCREENED]
    assert moscow == [
        p for p in projects if "RU-MOW" in p.regions and p.status is ProjectStatus.PROPOSED
    ]
    assert health
    assert screened
    assert moscow
    assert none == []


def test_get_unknown_project_is_none(seeded: MakeUow) -> None:
    with seeded() as uow:
        assert uow.projects.get("NOPE") is None
        assert uow.projects.count() == 0


def test_links_may_point_at_a_project_added_later_in_the_same_transaction(
    seeded: MakeUow,
) -> None:
    later = make_project("B-1", depends_on=[], excludes=[])
    first = make_project("A-1", depends_on=["B-1"], excludes=[])
    with seeded() as uow:
        uow.projects.add(first)
        uow.projects.add(later)
        uow.commit()
    with seeded() as uow:
        assert uow.projects.get("A-1") == first


def test_link_to_a_missing_project_is_refused_at_commit(seeded: MakeUow) -> None:
    with seeded() as uow:
        uow.projects.add(make_project("A-1", depends_on=["GHOST"], excludes=[]))
        with pytest.raises(IntegrityError):
            uow.commit()
    with seeded() as uow:
        assert uow.projects.count() == 0


def test_unknown_region_or_area_is_refused_when_written(seeded: MakeUow) -> None:
    """Repositories execute at once, so a broken reference fails at the call itself."""
    with seeded() as uow, pytest.raises(IntegrityError):
        uow.projects.add(make_project(regions=["RU-KDA"], depends_on=[], excludes=[]))
    with seeded() as uow, pytest.raises(IntegrityError):
        uow.projects.add(make_project(area="space", depends_on=[], excludes=[]))
    with seeded() as uow:
        assert uow.projects.count() == 0


def test_replace_updates_children_and_keeps_incoming_links(seeded: MakeUow) -> None:
    target = make_project("B-1", depends_on=[], excludes=[])
    pointing = make_project("A-1", depends_on=["B-1"], excludes=[])
    changed = make_project(
        "B-1",
        depends_on=[],
        excludes=[],
        title="A new title",
        regions=["RU-MOW"],
        costs={2031: {"running": [1, 2, 3]}},
        outcomes={},
        status=ProjectStatus.APPROVED,
    )
    with seeded() as uow:
        uow.projects.add_many([target, pointing])
        uow.commit()
    with seeded() as uow:
        uow.projects.replace(changed)
        uow.commit()
    with seeded() as uow:
        assert uow.projects.get("B-1") == changed
        assert uow.projects.get("A-1") == pointing
        uow.projects.set_status("A-1", ProjectStatus.CANCELLED)
        stored = uow.projects.get("A-1")
        with pytest.raises(LookupError):
            uow.projects.replace(make_project("C-1", depends_on=[], excludes=[]))
    assert stored is not None
    assert stored.status is ProjectStatus.CANCELLED
