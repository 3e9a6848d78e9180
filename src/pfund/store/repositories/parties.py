"""Organisations (with company profile and vetting checklist) and people."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from pfund.domain.enums import OrganisationKind, ReengagementStatus, RussiaStatus
from pfund.domain.organisation import (
    CompanyProfile,
    Organisation,
    Person,
    VettingChecklist,
    VettingItem,
)
from pfund.store.crypto import FieldCipher
from pfund.store.repositories._rows import RowDict, group_by, insert_many, table
from pfund.store.tables import OrganisationRow, PersonRow, VettingItemRow


def organisation_row(org: Organisation) -> RowDict:
    """The organisations row; the company profile and checklist dates flattened into it."""
    company, vetting = org.company, org.vetting
    return {
        "id": org.id,
        "name": org.name,
        "alias": org.alias,
        "kind": org.kind.value,
        "country": org.country,
        "areas": list(org.areas),
        "regions": list(org.regions),
        "capabilities": list(org.capabilities),
        "website": org.website,
        "company_russia_status": company.russia_status.value if company else None,
        "company_reengagement": company.reengagement.value if company else None,
        "company_home_country": company.home_country if company else None,
        "has_vetting": vetting is not None,
        "vetting_approved_on": vetting.approved_on if vetting else None,
        "vetting_valid_until": vetting.valid_until if vetting else None,
        "notes": org.notes,
        "protected_fields": list(org.protected_fields),
    }


def vetting_rows(org: Organisation) -> builtins.list[RowDict]:
    items = org.vetting.items if org.vetting else []
    return [
        {"organisation_id": org.id, "position": i, "criterion": item.criterion.value}
        | item.model_dump(include={"met", "evidence", "reviewer", "checked_on"})
        for i, item in enumerate(items)
    ]


def build_organisation(
    raw: Row[Any] | RowDict, items: builtins.list[Row[Any]] | builtins.list[RowDict]
) -> Organisation:
    """An organisation from its (opened) row and its vetting items' (opened) rows."""
    row = _attrs(raw)
    company = None
    if row.company_russia_status is not None:
        company = CompanyProfile(
            russia_status=row.company_russia_status,
            reengagement=row.company_reengagement,
            home_country=row.company_home_country,
        )
    vetting = None
    if row.has_vetting:
        vetting = VettingChecklist(
            items=[_vetting_item(_attrs(item)) for item in items],
            approved_on=row.vetting_approved_on,
            valid_until=row.vetting_valid_until,
        )
    return Organisation(
        **{name: getattr(row, name) for name in _PLAIN_FIELDS},
        company=company,
        vetting=vetting,
    )


_PLAIN_FIELDS = (
    "id",
    "name",
    "alias",
    "kind",
    "country",
    "areas",
    "regions",
    "capabilities",
    "website",
    "notes",
    "protected_fields",
)


def _attrs(row: Row[Any] | RowDict) -> Any:
    """Attribute access to an opened row dict, as Core rows give it."""
    return SimpleNamespace(**row) if isinstance(row, dict) else row


def _vetting_item(row: Any) -> VettingItem:
    return VettingItem(
        criterion=row.criterion,
        met=row.met,
        evidence=row.evidence,
        reviewer=row.reviewer,
        checked_on=row.checked_on,
    )


class OrganisationRepository:
    """Organisations read and written whole, vetting items in bulk.

    Fields an organisation raises to protected, and every vetting reviewer, are sealed
    by ``cipher`` on the way in and opened on the way out.
    """

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def add(self, organisation: Organisation) -> None:
        self.add_many([organisation])

    def add_many(self, organisations: Iterable[Organisation]) -> None:
        orgs = builtins.list(organisations)
        seal = self.cipher.seal
        insert_many(
            self.session,
            OrganisationRow,
            [seal("organisations", organisation_row(o)) for o in orgs],
        )
        insert_many(
            self.session,
            VettingItemRow,
            [seal("vetting_items", r) for o in orgs for r in vetting_rows(o)],
        )

    def get(self, organisation_id: str) -> Organisation | None:
        found = self._load(table(OrganisationRow).c.id == organisation_id)
        return found[0] if found else None

    def many(self, organisation_ids: Iterable[str]) -> dict[str, Organisation]:
        """The organisations of ``organisation_ids`` that exist, by id, in two queries."""
        ids = sorted(set(organisation_ids))
        found = self._load(table(OrganisationRow).c.id.in_(ids)) if ids else []
        return {o.id: o for o in found}

    def list(self, *, kind: OrganisationKind | str | None = None) -> builtins.list[Organisation]:
        """Organisations ordered by id, optionally of one kind."""
        if kind is None:
            return self._load()
        return self._load(table(OrganisationRow).c.kind == OrganisationKind(kind).value)

    def ids(self) -> set[str]:
        return set(self.session.scalars(select(table(OrganisationRow).c.id)))

    def set_company_status(
        self, organisation_id: str, russia: RussiaStatus, reengagement: ReengagementStatus
    ) -> None:
        """Record where a company stands now (the audit log keeps where it stood)."""
        orgs = table(OrganisationRow)
        self.session.execute(
            update(orgs)
            .where(orgs.c.id == organisation_id)
            .values(company_russia_status=russia.value, company_reengagement=reengagement.value)
        )

    def set_vetting_item(self, organisation_id: str, item: VettingItem) -> None:
        """Replace one criterion's judgement, keeping the checklist's order."""
        items = table(VettingItemRow)
        mine = items.c.organisation_id == organisation_id
        old = self.session.execute(
            select(items.c.position).where(mine, items.c.criterion == item.criterion.value)
        ).scalar()
        if old is None:
            old = self.session.execute(
                select(func.count()).select_from(items).where(mine)
            ).scalar_one()
        self.session.execute(delete(items).where(mine, items.c.criterion == item.criterion.value))
        values = item.model_dump(include={"met", "evidence", "reviewer", "checked_on"})
        row = {"organisation_id": organisation_id, "criterion": item.criterion.value}
        sealed = self.cipher.seal("vetting_items", row | values | {"position": old})
        insert_many(self.session, VettingItemRow, [sealed])
        orgs = table(OrganisationRow)
        self.session.execute(
            update(orgs).where(orgs.c.id == organisation_id).values(has_vetting=True)
        )

    def set_vetting_approval(
        self, organisation_id: str, *, approved_on: date | None, valid_until: date | None
    ) -> None:
        orgs = table(OrganisationRow)
        self.session.execute(
            update(orgs)
            .where(orgs.c.id == organisation_id)
            .values(vetting_approved_on=approved_on, vetting_valid_until=valid_until)
        )

    def _load(self, *where: ColumnElement[bool]) -> builtins.list[Organisation]:
        orgs, items = table(OrganisationRow), table(VettingItemRow)
        rows = self.session.execute(select(orgs).where(*where).order_by(orgs.c.id)).all()
        query = select(items).order_by(items.c.organisation_id, items.c.position)
        if where:
            query = query.where(items.c.organisation_id.in_(select(orgs.c.id).where(*where)))
        grouped = group_by(self.session.execute(query), "organisation_id")
        opened = self.cipher.open_all
        return [
            build_organisation(
                self.cipher.open("organisations", row._mapping),
                opened("vetting_items", grouped.get(row.id, [])),
            )
            for row in rows
        ]


class PersonRepository:
    """People; their protected fields are sealed at rest and filtered by services."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        self.session = session
        self.cipher = cipher

    def add(self, person: Person) -> None:
        self.add_many([person])

    def add_many(self, people: Iterable[Person]) -> None:
        rows = [self.cipher.seal("people", p.model_dump()) for p in people]
        insert_many(self.session, PersonRow, rows)

    def get(self, person_id: str) -> Person | None:
        people = table(PersonRow)
        row = self.session.execute(select(people).where(people.c.id == person_id)).first()
        return Person.model_validate(self.cipher.open("people", row._mapping)) if row else None

    def many(self, person_ids: Iterable[str]) -> dict[str, Person]:
        """The people of ``person_ids`` that exist, by id, in one query."""
        people, ids = table(PersonRow), sorted(set(person_ids))
        query = select(people).where(people.c.id.in_(ids))
        opened = self.cipher.open_all("people", self.session.execute(query)) if ids else []
        return {p.id: p for p in (Person.model_validate(values) for values in opened)}

    def list(self, *, organisation: str | None = None) -> builtins.list[Person]:
        """People ordered by id, optionally only those of one organisation."""
        people = table(PersonRow)
        query = select(people).order_by(people.c.id)
        if organisation is not None:
            query = query.where(people.c.organisation == organisation)
        return [
            Person.model_validate(values)
            for values in self.cipher.open_all("people", self.session.execute(query))
        ]

    def ids(self) -> set[str]:
        return set(self.session.scalars(select(table(PersonRow).c.id)))
