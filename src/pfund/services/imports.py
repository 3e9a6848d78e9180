"""Importing projects, organisations and people: all or nothing, every problem reported.

The file is read and checked in full against what the store holds before anything is
written; then one transaction writes the records and their audit events together.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from pfund.domain import Organisation, Person, Project, ProjectStatus, ProtectionClass
from pfund.domain.account import Permission
from pfund.domain.protection import effective_protection
from pfund.errors import InvalidInput, NotFound, Problem
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
    """`imported` counts new and updated records; `updated` names the projects that got a
    new version, `unchanged` those re-imported exactly as stored (nothing written)."""

    kind: str
    file: str
    imported: int
    ids: list[str]
    new_hits: list[HitRef] = []
    updated: list[str] = []
    unchanged: list[str] = []


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


def import_projects(rt: Runtime, path: Path, *, allow_cost_changes: bool = False) -> ImportResult:
    """Import projects; a stored id is an update that makes a new version of the project.

    An update replaces the project's fields but keeps its status (the lifecycle sets it),
    adds one to its version, and writes a ``project.updated`` event holding each changed
    field as ``old -> new`` (protected fields as ``<protected>``). An update that would
    change the costs or currency of a project already approved (or funded, under way,
    completed) is refused, since its money is committed in tranches, unless
    `allow_cost_changes`; the tranches stay as committed either way. All or nothing.

    Allowing cost changes needs the permission to approve as well (a role that may
    commit money may change what was committed), whichever channel asks; an update it
    lets through says so in its event (``cost_changes_allowed``).
    """
    rt.require(Permission.IMPORT)
    if allow_cost_changes:
        rt.require(Permission.APPROVE)
    records = read_records(path, key="projects")
    with rt.uow() as uow:
        uow.hold_writes()  # read what it checks against as the writer (see _import)
        checked = check_projects(records, known(uow))
        stored = {p.id: p for p in uow.projects.list()}
        _money_problems(checked, stored, allow_cost_changes)
        _refuse(path, checked)
        items = [
            item.model_copy(update={"status": stored[item.id].status})
            if item.id in stored
            else item
            for _, item in checked.items
        ]
        audit = AuditWriter(uow, rt.actor)
        fresh = [i for i in items if i.id not in stored]
        changed = {i.id: _changes(stored[i.id], i) for i in items if i.id in stored}
        hits = store_records(uow, audit, "projects", fresh, source=path.name)
        for item in items:
            if changed.get(item.id):
                uow.projects.replace(item)
                version = uow.projects.bump_version(item.id)
                details: dict[str, object] = {
                    "source": path.name,
                    "version": version,
                    "changes": changed[item.id],
                }
                if allow_cost_changes and _money_changed(stored[item.id], item):
                    details["cost_changes_allowed"] = True
                audit.record("project.updated", "project", item.id, details)
        uow.commit()
    written = [i.id for i in items if i.id not in changed or changed[i.id]]
    return ImportResult(
        kind="projects",
        file=path.name,
        imported=len(written),
        ids=written,
        new_hits=hits,
        updated=[pid for pid, c in changed.items() if c],
        unchanged=[pid for pid, c in changed.items() if not c],
    )


MONEY_FIELDS = ("costs", "currency")
COMMITTED = {
    ProjectStatus.APPROVED,
    ProjectStatus.FUNDED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
}
# An update that would change the money of a committed project, not allowed by the
# import; its facts: project, status, field (costs or currency).
COST_CHANGE_NOT_ALLOWED = "cost_change_not_allowed"
SHOWN = 200  # characters of an old or new value kept in the audit event


def _money_problems(checked: Checked, stored: dict[str, Project], allowed: bool) -> None:
    """A ``COST_CHANGE_NOT_ALLOWED`` problem per money field an update would change on a
    project whose money is committed; each channel words how to allow it (its option,
    checkbox or request field), so the reason here names none."""
    if allowed:
        return
    for record, item in checked.items:
        old = stored.get(item.id)
        if old is None or old.status not in COMMITTED:
            continue
        for name in MONEY_FIELDS:
            if getattr(old, name) != getattr(item, name):
                checked.problems.append(
                    Problem(
                        f"project {item.id} is {old.status.value}: its money is committed in "
                        f"tranches, so its {name} cannot change by import unless the import "
                        "allows cost changes (the tranches stay as committed)",
                        file=record.file,
                        row=record.row,
                        field=name,
                        code=COST_CHANGE_NOT_ALLOWED,
                        facts={"project": item.id, "status": old.status.value, "field": name},
                    )
                )


def _money_changed(old: Project, new: Project) -> bool:
    """Whether an update changes the money of a project whose money is committed."""
    return old.status in COMMITTED and any(
        getattr(old, name) != getattr(new, name) for name in MONEY_FIELDS
    )


def _changes(old: Project, new: Project) -> dict[str, str]:
    """Each changed field as ``old -> new``; a protected field as ``<protected>``."""
    before, after = old.model_dump(mode="json"), new.model_dump(mode="json")
    out = {}
    for name in Project.model_fields:
        if getattr(old, name) == getattr(new, name):  # by value: 120 == 120.00
            continue
        hidden = ProtectionClass.PROTECTED in (
            effective_protection(old, name),
            effective_protection(new, name),
        )
        out[name] = (
            "<protected> -> <protected>"
            if hidden
            else f"{_short(before.get(name))} -> {_short(after.get(name))}"
        )
    return out


def _short(value: object) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _refuse(path: Path, checked: Checked) -> None:
    if checked.problems:
        count = len(checked.problems)
        raise InvalidInput(
            f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
            checked.problems,
        )


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
        # Begin as the writer: on SQLite a transaction that read and then writes fails at
        # once ("database is locked") if another connection wrote in between, and a job
        # worker's lease renewals write every few seconds while an import job checks.
        uow.hold_writes()
        checked = check(records, known(uow))
        _refuse(path, checked)
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
    audit.record_many(
        f"{record_type}.created", record_type, [(i.id, {"source": source}) for i in items]
    )
    parties = [
        *(organisation_party(i) for i in items if isinstance(i, Organisation)),
        *(person_party(i) for i in items if isinstance(i, Person)),
    ]
    return screen_new_counterparties(uow, audit, parties)
