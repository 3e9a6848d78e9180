"""Vetting of democratic-forces groups and the standing of companies.

A group is judged on each PACE platform criterion with evidence and a reviewer; it can
be approved only when every criterion is met, and the approval lapses after a set
period (an expired approval counts as none). Changing a criterion to unmet withdraws
the approval at once. A company's Russia status and re-engagement move as it acts.
Every change carries its audit event in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TypeVar

from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.domain.enums import (
    OrganisationKind,
    ReengagementStatus,
    RussiaStatus,
    VettingCriterion,
)
from pfund.domain.organisation import Organisation, VettingChecklist, VettingItem
from pfund.errors import Conflict, InvalidInput, NotFound, Problem
from pfund.services.audit import AuditWriter
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork

DEFAULT_VALIDITY_DAYS = 365


class VettingView(BaseModel):
    """Where a group's vetting stands on a day (reviewers are protected and left out)."""

    organisation: str
    approved: bool
    approved_on: date | None
    valid_until: date | None
    missing: list[str]
    items: list[dict[str, object]]
    not_met: list[str] = []
    not_judged: list[str] = []
    reasons: list[str] = []


class CompanyView(BaseModel):
    organisation: str
    russia_status: RussiaStatus
    reengagement: ReengagementStatus


E = TypeVar("E", VettingCriterion, RussiaStatus, ReengagementStatus)


def _enum(kind: type[E], value: str, field: str) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(item.value for item in kind)
        raise InvalidInput(
            f"unknown {field}",
            [Problem(f"'{value}' is not valid; choose {choices}", field=field)],
        ) from None


def _organisation(uow: UnitOfWork, org_id: str, kind: OrganisationKind) -> Organisation:
    org = uow.organisations.get(org_id)
    if org is None:
        raise NotFound(f"no organisation with id '{org_id}'")
    if org.kind is not kind:
        raise Conflict(f"organisation {org_id} is a {org.kind.value}, not a {kind.value}")
    return org


def set_criterion(
    rt: Runtime,
    org_id: str,
    criterion: str,
    *,
    met: bool,
    evidence: str,
    reviewer: str,
    on: date,
) -> VettingView:
    """Judge one criterion; an unmet criterion withdraws any approval."""
    rt.require(Permission.SCREEN)
    item = VettingItem(
        criterion=_enum(VettingCriterion, criterion, "criterion"),
        met=met,
        evidence=_required(evidence, "evidence"),
        reviewer=_required(reviewer, "reviewer"),
        checked_on=on,
    )
    with rt.uow() as uow:
        _organisation(uow, org_id, OrganisationKind.DEMOCRATIC_FORCES)
        uow.organisations.set_vetting_item(org_id, item)
        audit = AuditWriter(uow, rt.actor)
        audit.record(
            "vetting.criterion_set",
            "organisation",
            org_id,
            {"criterion": item.criterion.value, "met": met, "on": on.isoformat()},
        )
        if not met:
            uow.organisations.set_vetting_approval(org_id, approved_on=None, valid_until=None)
        uow.commit()
    return vetting_status(rt, org_id, on=on)


def approve(
    rt: Runtime, org_id: str, *, on: date, valid_days: int = DEFAULT_VALIDITY_DAYS
) -> VettingView:
    """Approve a group whose every criterion is met, for ``valid_days`` from ``on``."""
    rt.require(Permission.SCREEN)
    if valid_days < 1:
        raise InvalidInput(
            "invalid validity", [Problem("must be at least one day", field="valid_days")]
        )
    with rt.uow() as uow:
        org = _organisation(uow, org_id, OrganisationKind.DEMOCRATIC_FORCES)
        missing = _missing(org)
        if missing:
            raise Conflict(
                f"organisation {org_id} cannot be approved: criteria not met",
                [Problem(f"'{m}' is not met", field="criterion") for m in missing],
            )
        until = on + timedelta(days=valid_days)
        uow.organisations.set_vetting_approval(org_id, approved_on=on, valid_until=until)
        AuditWriter(uow, rt.actor).record(
            "vetting.approved",
            "organisation",
            org_id,
            {"approved_on": on.isoformat(), "valid_until": until.isoformat()},
        )
        uow.commit()
    return vetting_status(rt, org_id, on=on)


def vetting_status(rt: Runtime, org_id: str, *, on: date) -> VettingView:
    """The checklist and whether the approval holds on ``on`` (expired means no)."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        org = _organisation(uow, org_id, OrganisationKind.DEMOCRATIC_FORCES)
    vetting = org.vetting
    not_met, not_judged = judged_gaps(vetting)
    return VettingView(
        organisation=org.id,
        approved=bool(vetting and vetting.approved_at(on)),
        approved_on=vetting.approved_on if vetting else None,
        valid_until=vetting.valid_until if vetting else None,
        missing=_missing(org),
        items=[
            item.model_dump(mode="json", exclude={"reviewer"})
            for item in (vetting.items if vetting else [])
        ],
        not_met=not_met,
        not_judged=not_judged,
        reasons=why_not_approved(vetting, on),
    )


def judged_gaps(vetting: VettingChecklist | None) -> tuple[list[str], list[str]]:
    """The criteria judged and found unmet, and those never judged (a different matter:
    nobody has looked yet), in the platform's order."""
    items = {i.criterion: i for i in (vetting.items if vetting else [])}
    not_met = [c.value for c in VettingCriterion if c in items and items[c].met is False]
    not_judged = [c.value for c in VettingCriterion if c not in items or items[c].met is None]
    return not_met, not_judged


def why_not_approved(vetting: VettingChecklist | None, on: date) -> list[str]:
    """Why a group does not stand approved on ``on``, in words; empty when it does."""
    if vetting is None:
        return ["never vetted: no criterion judged"]
    if vetting.approved_at(on):
        return []
    reasons = []
    if vetting.approved_on is None:
        reasons.append("never approved")
    elif vetting.approved_on > on:
        reasons.append(f"the approval starts on {vetting.approved_on.isoformat()}")
    elif vetting.valid_until is not None and vetting.valid_until < on:
        reasons.append(f"the approval expired on {vetting.valid_until.isoformat()}")
    items = {i.criterion: i for i in vetting.items}
    not_met, not_judged = judged_gaps(vetting)
    for name in not_met:
        day = items[VettingCriterion(name)].checked_on
        when = f" (judged on {day.isoformat()})" if day else ""
        reasons.append(f"'{name}' not met{when}")
    reasons.extend(f"'{name}' not judged" for name in not_judged)
    return reasons


def _missing(org: Organisation) -> list[str]:
    met = {i.criterion for i in (org.vetting.items if org.vetting else []) if i.met}
    return [c.value for c in VettingCriterion if c not in met]


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise InvalidInput(f"{field} is required", [Problem("must not be empty", field=field)])
    return value.strip()


def set_company_status(
    rt: Runtime, org_id: str, *, russia_status: str, reengagement: str
) -> CompanyView:
    """Record a company's Russia status and re-engagement, with the old ones audited."""
    rt.require(Permission.IMPORT)
    russia = _enum(RussiaStatus, russia_status, "russia_status")
    again = _enum(ReengagementStatus, reengagement, "reengagement")
    with rt.uow() as uow:
        org = _organisation(uow, org_id, OrganisationKind.COMPANY)
        assert org.company is not None
        uow.organisations.set_company_status(org_id, russia, again)
        AuditWriter(uow, rt.actor).record(
            "company.status_set",
            "organisation",
            org_id,
            {
                "russia_status": [org.company.russia_status.value, russia.value],
                "reengagement": [org.company.reengagement.value, again.value],
            },
        )
        uow.commit()
    return CompanyView(organisation=org_id, russia_status=russia, reengagement=again)
