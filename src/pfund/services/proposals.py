"""Proposals from the public form: validated like an import, stored unpublished.

A proposal is checked by the same rules as an imported project (``check_projects``),
so the form and the importer cannot drift apart. The proposer's name, e-mail and
organisation are stored only as a protected contact person; the project is stored as
``submitted``, which is neither published nor appraised until staff take it in.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

from pydantic import BaseModel, EmailStr, Field, ValidationError

from pfund.domain import Person, ProjectStatus
from pfund.domain.account import Permission
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.io.checks import check_projects
from pfund.io.files import Record
from pfund.services.audit import AuditWriter
from pfund.services.imports import known
from pfund.services.runtime import Runtime
from pfund.services.screening import person_party, screen_new_counterparties

FORM = "proposal form"
PUBLIC_FORM_ACTOR = "public-form"


class ProposalForm(BaseModel):
    """What a partner types in; every field bounded, so no field can flood the store."""

    title: str = Field(min_length=3, max_length=300)
    title_ru: str = Field(default="", max_length=300)
    description: str = Field(min_length=20, max_length=5000)
    area: str = Field(max_length=64)
    regions: list[str] = Field(default_factory=list, max_length=20)
    first_year: int = Field(ge=1990, le=2200)
    years: int = Field(ge=1, le=15)
    cost_low: Decimal = Field(gt=0, le=Decimal("1e11"))
    cost_likely: Decimal = Field(gt=0, le=Decimal("1e11"))
    cost_high: Decimal = Field(gt=0, le=Decimal("1e11"))
    people_reached: int | None = Field(default=None, ge=0, le=200_000_000)
    organisation: str = Field(default="", max_length=300)
    contact_name: str = Field(min_length=2, max_length=200)
    contact_email: EmailStr


class Submitted(BaseModel):
    project_id: str
    status: str


def parse_form(values: dict[str, object]) -> ProposalForm:
    """The form as a model, or an error whose problems name fields and never echo values."""
    try:
        return ProposalForm.model_validate(values)
    except ValidationError as err:
        problems = [
            Problem(str(e["msg"]), file=FORM, field=".".join(str(p) for p in e["loc"]))
            for e in err.errors()
        ]
        raise InvalidInput("the proposal could not be accepted", problems) from None


def submit(rt: Runtime, form: ProposalForm) -> Submitted:
    suffix = secrets.token_hex(3).upper()
    project_id, person_id = f"WEB-{suffix}", f"PER-WEB-{suffix}"
    record = Record(
        file=FORM, row=1, data=_project_data(form, project_id, person_id), format="form"
    )
    with rt.uow() as uow:
        present = known(uow)
        checked = check_projects([record], replace(present, people=present.people | {person_id}))
        if checked.problems:
            raise InvalidInput("the proposal could not be accepted", checked.problems)
        if uow.projects.get(project_id) is not None:
            raise Conflict("please send the proposal again")
        _, project = checked.items[0]
        uow.people.add(_contact(form, person_id))
        uow.projects.add(project)
        audit = AuditWriter(uow, PUBLIC_FORM_ACTOR)
        audit.record("person.created", "person", person_id, {"source": FORM})
        audit.record("project.submitted", "project", project_id, {"source": FORM})
        uow.commit()
    return Submitted(project_id=project_id, status=ProjectStatus.SUBMITTED.value)


def _project_data(form: ProposalForm, project_id: str, person_id: str) -> dict[str, object]:
    costs = {
        form.first_year + k: {
            "capital": [str(form.cost_low), str(form.cost_likely), str(form.cost_high)]
        }
        for k in range(form.years)
    }
    data: dict[str, object] = {
        "id": project_id,
        "title": form.title,
        "title_ru": form.title_ru,
        "description": form.description,
        "area": form.area,
        "regions": form.regions,
        "status": ProjectStatus.SUBMITTED.value,
        "costs": costs,
        "contacts": [person_id],
        "notes": f"received through the public form on {datetime.now(UTC).date().isoformat()}",
    }
    if form.people_reached:
        n = form.people_reached
        data["outcomes"] = {"people_reached": [n * 0.7, n, n * 1.2]}
    return data


def _contact(form: ProposalForm, person_id: str) -> Person:
    notes = f"organisation: {form.organisation}" if form.organisation else ""
    return Person(
        id=person_id,
        role="proposer",
        name=form.contact_name,
        email=form.contact_email,
        notes=notes,
    )


def accept(rt: Runtime, project_id: str) -> Submitted:
    """Take a submitted proposal into the pipeline (status proposed), or refuse."""
    rt.require(Permission.IMPORT)
    with rt.uow() as uow:
        project = uow.projects.get(project_id)
        if project is None:
            raise NotFound(f"no project with id '{project_id}'")
        if project.status is not ProjectStatus.SUBMITTED:
            raise Conflict(f"{project_id} is {project.status.value}, not submitted")
        uow.projects.set_status(project_id, ProjectStatus.PROPOSED)
        audit = AuditWriter(uow, rt.actor)
        audit.record("project.accepted", "project", project_id)
        # The proposer entered the store through the public form, unscreened (screening
        # a large list per anonymous request would be a way to load the server); they
        # become a counterparty of the pipeline here.
        contacts = [p for p in (uow.people.get(c) for c in project.contacts) if p]
        screen_new_counterparties(uow, audit, [person_party(p) for p in contacts])
        uow.commit()
    return Submitted(project_id=project_id, status=ProjectStatus.PROPOSED.value)


def submitted(rt: Runtime) -> list[str]:
    with rt.uow() as uow:
        return [p.id for p in uow.projects.list(status=ProjectStatus.SUBMITTED.value)]
