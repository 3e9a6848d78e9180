"""Importing projects, organisations and people: all or nothing, every problem reported.

The file is read and checked in full against what the store holds before anything is
written; then one transaction writes the records and their audit events together.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import Organisation, Person, Project
from pfund.domain.account import Permission
from pfund.errors import InvalidInput, NotFound
from pfund.io.checks import (
    Checked,
    Known,
    check_organisations,
    check_people,
    check_projects,
)
from pfund.io.files import Record, read_records
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.services.screening import (
    HitRef,
    organisation_party,
    person_party,
    screen_new_counterparties,
)
from pfund.store.unit_of_work import UnitOfWork


class ImportResult(BaseModel):
    kind: str
    file: str
    imported: int
    ids: list[str]
    new_hits: list[HitRef] = []


def known(uow: UnitOfWork) -> Known:
    fund = uow.fund.get()
    if fund is None:
        raise NotFound("the store holds no fund yet: run `pfund init` (or `pfund demo`) first")
    return Known(
        areas=frozenset(a.code for a in uow.reference.areas()),
        regions=frozenset(r.code for r in uow.reference.regions()),
        first_year=fund.first_year,
        last_year=fund.last_year,
        projects=frozenset(uow.projects.ids()),
        organisations=frozenset(uow.organisations.ids()),
        people=frozenset(uow.people.ids()),
        stages=frozenset(s.number for s in uow.stages.list()),
    )


def import_projects(rt: Runtime, path: Path) -> ImportResult:
    rt.require(Permission.IMPORT)
    return _import(rt, path, "projects", check_projects)


def import_organisations(rt: Runtime, path: Path) -> ImportResult:
    rt.require(Permission.IMPORT)
    return _import(rt, path, "organisations", check_organisations)


def import_people(rt: Runtime, path: Path) -> ImportResult:
    rt.require(Permission.IMPORT)
    return _import(rt, path, "people", check_people)


RECORD_TYPE = {"projects": "project", "organisations": "organisation", "people": "person"}
Checker = Callable[[list[Record], Known], Checked]


def _import(rt: Runtime, path: Path, kind: str, check: Checker) -> ImportResult:
    records = read_records(path, key=kind)
    with rt.uow() as uow:
        checked = check(records, known(uow))
        if checked.problems:
            count = len(checked.problems)
            raise InvalidInput(
                f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
                checked.problems,
            )
        items = [item for _, item in checked.items]
        hits = store_records(uow, AuditWriter(uow, rt.actor), kind, items, source=path.name)
        uow.commit()
    return ImportResult(
        kind=kind, file=path.name, imported=len(items), ids=[i.id for i in items], new_hits=hits
    )


def store_records(
    uow: UnitOfWork,
    audit: AuditWriter,
    kind: str,
    items: list[Project] | list[Organisation] | list[Person],
    *,
    source: str,
) -> list[HitRef]:
    """Write the records and one audit event each; people's events name no protected value.

    New organisations and people are screened against the stored watchlists in the same
    transaction, so nobody enters the store unscreened; their new hits are returned.
    """
    if kind == "projects":
        uow.projects.add_many([i for i in items if isinstance(i, Project)])
    elif kind == "organisations":
        uow.organisations.add_many([i for i in items if isinstance(i, Organisation)])
    else:
        uow.people.add_many([i for i in items if isinstance(i, Person)])
    record_type = RECORD_TYPE[kind]
    for item in items:
        audit.record(f"{record_type}.created", record_type, item.id, {"source": source})
    parties = [
        *(organisation_party(i) for i in items if isinstance(i, Organisation)),
        *(person_party(i) for i in items if isinstance(i, Person)),
    ]
    return screen_new_counterparties(uow, audit, parties)
