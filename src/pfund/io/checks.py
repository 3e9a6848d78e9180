"""Validation of an import file as a whole: every problem at once, each located.

Model validation catches what one record can get wrong by itself (a negative cost, an
unknown currency, a malformed number); the checks here need the whole file and what is
already stored (duplicate ids, unknown areas, regions and links, dependency cycles,
years outside the fund's horizon).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pfund.domain import Organisation, Person, Project
from pfund.domain.protection import ProtectionClass, field_protection
from pfund.errors import Problem
from pfund.io.files import Record
from pfund.io.flat import csv_column, unflatten

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Known:
    """What the store already holds that an import may refer to."""

    areas: frozenset[str]
    regions: frozenset[str]
    first_year: int
    last_year: int
    projects: frozenset[str] = frozenset()
    organisations: frozenset[str] = frozenset()
    people: frozenset[str] = frozenset()
    stages: frozenset[int] = frozenset({0})


@dataclass
class Checked:
    """The records that validated, and every problem found, in file order."""

    items: list[tuple[Record, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, record: Record, fld: str | None, reason: str) -> None:
        self.problems.append(Problem(reason, file=record.file, row=record.row, field=fld or None))


def parse(records: Iterable[Record], model: type[M]) -> Checked:
    """Each record validated against ``model``; errors located by row and field."""
    checked = Checked()
    for record in records:
        data = unflatten(record.data) if record.format == "csv" else record.data
        try:
            checked.items.append((record, model.model_validate(data)))
        except ValidationError as err:
            raised = data.get("protected_fields") or []
            for e in err.errors():
                top = str(e["loc"][0]) if e["loc"] else ""
                secret = top in raised or (
                    top in model.model_fields
                    and field_protection(model, top) is ProtectionClass.PROTECTED
                )
                fld = _field_name(record, e["loc"])
                checked.add(record, fld, "is missing or not valid" if secret else _reason(e))
    return checked


def _field_name(record: Record, loc: tuple[int | str, ...]) -> str:
    if record.format == "csv":
        return csv_column(loc)
    return ".".join(str(p) for p in loc)


def _reason(error: Any) -> str:
    msg = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        return "is required but missing"
    value = error.get("input")
    if isinstance(value, str | int | float) and error["type"] not in {"value_error"}:
        return f"{msg} (got {value!r})"
    return msg


def check_projects(records: list[Record], known: Known) -> Checked:
    """A project whose id is stored is an update (a new version), not a duplicate; the
    service decides whether the update is allowed."""
    checked = parse(records, Project)
    _duplicates(checked, frozenset(), "project")
    ids = known.projects | {p.id for _, p in checked.items}
    for record, project in checked.items:
        _project_references(checked, record, project, known, ids)
    _cycles(checked)
    return checked


def _project_references(
    checked: Checked, record: Record, project: Project, known: Known, ids: frozenset[str]
) -> None:
    if project.area not in known.areas:
        checked.add(
            record,
            "area",
            f"unknown area '{project.area}' (expected one of {', '.join(sorted(known.areas))})",
        )
    if project.stage not in known.stages:
        stages = ", ".join(str(s) for s in sorted(known.stages))
        checked.add(record, "stage", f"unknown stage {project.stage} (this fund has {stages})")
    for region in project.regions:
        if region not in known.regions:
            checked.add(record, "regions", f"unknown region '{region}' for this fund")
    for kind in ("depends_on", "excludes"):
        for other in getattr(project, kind):
            if other not in ids:
                checked.add(record, kind, f"refers to unknown project '{other}'")
    orgs = [project.proponent] if project.proponent else []
    for org in orgs + project.partners:
        if org not in known.organisations:
            fld = "proponent" if org == project.proponent else "partners"
            checked.add(record, fld, f"refers to unknown organisation '{org}'")
    for person in project.contacts:
        if person not in known.people:
            checked.add(record, "contacts", f"refers to unknown person '{person}'")
    _years(checked, record, project, known)


def _years(checked: Checked, record: Record, project: Project, known: Known) -> None:
    span = f"{known.first_year}-{known.last_year}"
    for year in project.costs:
        if not known.first_year <= year <= known.last_year:
            fld = f"cost.{year}" if record.format == "csv" else f"costs.{year}"
            checked.add(record, fld, f"year {year} is outside the fund's horizon {span}")
    for name, stream in project.benefits.items():
        outside = [y for y in stream.by_year if not known.first_year <= y <= known.last_year]
        if outside:
            fld = f"benefit.{name}" if record.format == "csv" else f"benefits.{name}"
            checked.add(
                record,
                fld,
                f"years {outside[0]}-{outside[-1]} are outside the fund's horizon {span}",
            )


def _duplicates(checked: Checked, stored: frozenset[str], noun: str) -> None:
    first_row: dict[str, int] = {}
    for record, item in checked.items:
        ident = item.id
        if ident in stored:
            checked.add(record, "id", f"{noun} '{ident}' already exists in the store")
        elif ident in first_row:
            checked.add(
                record, "id", f"duplicate id '{ident}' (first used on row {first_row[ident]})"
            )
        else:
            first_row[ident] = record.row


def _cycles(checked: Checked) -> None:
    graph = {p.id: set(p.depends_on) for _, p in checked.items}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as err:
        cycle: list[str] = err.args[1]
        rows = {p.id: r for r, p in checked.items}
        record = rows[cycle[0]]
        checked.add(record, "depends_on", "dependency cycle: " + " -> ".join(cycle))


def check_organisations(records: list[Record], known: Known) -> Checked:
    checked = parse(records, Organisation)
    _duplicates(checked, known.organisations, "organisation")
    for record, org in checked.items:
        for area in org.areas:
            if area not in known.areas:
                checked.add(record, "areas", f"unknown area '{area}'")
        for region in org.regions:
            if region not in known.regions:
                checked.add(record, "regions", f"unknown region '{region}' for this fund")
    return checked


def check_people(records: list[Record], known: Known) -> Checked:
    """People's protected fields are checked without echoing a value: that would leak."""
    checked = parse(records, Person)
    _duplicates(checked, known.people, "person")
    for record, person in checked.items:
        org = person.organisation
        if org and org not in known.organisations:
            checked.add(record, "organisation", f"refers to unknown organisation '{org}'")
    return checked
