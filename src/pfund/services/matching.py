"""Matchmaking over the store: load the project or company, rank with the pure engine.

An organisation with an open or confirmed screening hit (on itself or one of its
people) is listed as not eligible, so nobody is introduced to a possible sanctions hit.

Names shown are public names (a protected NGO appears by its alias).
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from pfund.domain.enums import OrganisationKind
from pfund.errors import Conflict, NotFound
from pfund.matching import Match, rank_partners, rank_projects
from pfund.services.runtime import Runtime
from pfund.services.screening import blocking_refs


class FactorView(BaseModel):
    factor: str
    value: float
    weight: float
    contribution: float
    explanation: str


class MatchView(BaseModel):
    project: str
    project_title: str
    organisation: str
    organisation_name: str
    kind: str
    score: float
    fit: float
    standing: float
    standing_reason: str
    eligible: bool
    involved: bool
    factors: list[FactorView]


def _view(found: Match, title: str, name: str, kind: str) -> MatchView:
    return MatchView(
        project=found.project_id,
        project_title=title,
        organisation=found.organisation_id,
        organisation_name=name,
        kind=kind,
        score=found.score,
        fit=found.fit,
        standing=found.standing,
        standing_reason=found.standing_reason,
        eligible=found.eligible,
        involved=found.involved,
        factors=[
            FactorView(
                factor=f.name,
                value=f.value,
                weight=f.weight,
                contribution=round(f.contribution, 4),
                explanation=f.explanation,
            )
            for f in found.factors
        ],
    )


def match_project(rt: Runtime, project_id: str, *, on: date, limit: int = 20) -> list[MatchView]:
    """Organisations and companies ranked for a project, on the day ``on``."""
    with rt.uow() as uow:
        project = uow.projects.get(project_id)
        if project is None:
            raise NotFound(f"no project with id '{project_id}'")
        orgs = {o.id: o for o in uow.organisations.list()}
        blocked = frozenset(
            r.organisation for r in blocking_refs(uow, organisations=orgs) if r.organisation
        )
    ranked = rank_partners(project, orgs.values(), on=on, blocked=blocked, limit=limit)
    return [
        _view(m, project.title, orgs[m.organisation_id].public_name(), orgs[m.organisation_id].kind)
        for m in ranked
    ]


def match_company(rt: Runtime, org_id: str, *, on: date, limit: int = 20) -> list[MatchView]:
    """Open projects ranked for a company, on the day ``on``."""
    with rt.uow() as uow:
        company = uow.organisations.get(org_id)
        if company is None:
            raise NotFound(f"no organisation with id '{org_id}'")
        if company.kind is not OrganisationKind.COMPANY:
            raise Conflict(f"organisation {org_id} is a {company.kind.value}, not a company")
        projects = {p.id: p for p in uow.projects.list()}
        blocked = bool(blocking_refs(uow, organisations=[org_id]))
    ranked = rank_projects(company, projects.values(), on=on, blocked=blocked, limit=limit)
    return [
        _view(m, projects[m.project_id].title, company.public_name(), company.kind) for m in ranked
    ]
