"""Read-only views of the stored fund: a summary, project lists and project details.

Every figure here is a sum over stored records, so a reader can trace it back with
``pfund projects list``.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from pfund.domain import Project, ProtectionClass
from pfund.domain.project import is_public
from pfund.domain.protection import view
from pfund.errors import NotFound
from pfund.services.filters import ProjectFilter
from pfund.services.imports import known
from pfund.services.runtime import Runtime


class AreaLine(BaseModel):
    area: str
    name: str
    projects: int
    likely_cost: Decimal


class FundSummary(BaseModel):
    fund: str
    currency: str
    projects: int
    organisations: int
    organisations_by_kind: dict[str, int]
    people: int
    regions_covered: int
    regions_total: int
    likely_cost_total: Decimal
    by_area: list[AreaLine]
    by_stage: dict[int, int]
    by_status: dict[str, int]
    contributors: int
    annual_envelope: Decimal
    envelope_year: int | None
    audit_events: int


def summarise(rt: Runtime, *, public: bool = False) -> FundSummary:
    """The fund at a glance; ``public``: counting only what the public may see."""
    with rt.uow() as uow:
        fund = uow.fund.get()
        if fund is None:
            known(uow)  # raises the "run pfund init" error
            raise AssertionError("unreachable")
        projects = uow.projects.list()
        if public:
            projects = [p for p in projects if is_public(p)]
        orgs = uow.organisations.list()
        contributors = uow.reference.contributors()
        year = max((c.year for c in contributors), default=None)
        share = fund.default_share_of_gdp
        return FundSummary(
            fund=fund.name,
            currency=fund.currency,
            projects=len(projects),
            organisations=len(orgs),
            organisations_by_kind=dict(sorted(Counter(o.kind.value for o in orgs).items())),
            people=len(uow.people.ids()),
            regions_covered=len({r for p in projects for r in p.regions}),
            regions_total=len(uow.reference.regions()),
            likely_cost_total=sum((p.likely_cost() for p in projects), Decimal(0)),
            by_area=_by_area(projects, {a.code: a.name for a in uow.reference.areas()}),
            by_stage=dict(sorted(Counter(p.stage for p in projects).items())),
            by_status=dict(sorted(Counter(p.status.value for p in projects).items())),
            contributors=len(contributors),
            annual_envelope=sum(
                (c.gdp_usd * share for c in contributors if c.year == year), Decimal(0)
            ),
            envelope_year=year,
            audit_events=uow.audit.count(),
        )


def _by_area(projects: list[Project], names: dict[str, str]) -> list[AreaLine]:
    lines = []
    for code, name in names.items():
        mine = [p for p in projects if p.area == code]
        cost = sum((p.likely_cost() for p in mine), Decimal(0))
        lines.append(AreaLine(area=code, name=name, projects=len(mine), likely_cost=cost))
    return lines


def list_projects(
    rt: Runtime,
    *,
    area: str | None = None,
    status: str | None = None,
    region: str | None = None,
) -> list[Project]:
    """Projects passing the filters, which ignore case (``ru-sam`` finds ``RU-SAM``)."""
    chosen = ProjectFilter.of(area, status, region)
    with rt.uow() as uow:
        return uow.projects.list(area=chosen.area, status=chosen.status, region=chosen.region)


def get_project(rt: Runtime, project_id: str) -> Project:
    with rt.uow() as uow:
        project = uow.projects.get(project_id)
    if project is None:
        raise NotFound(f"no project with id '{project_id}'")
    return project


def project_view(project: Project, *, audience: ProtectionClass) -> dict[str, Any]:
    """What a reader may see of a project; protected fields are never included."""
    return view(project, audience=audience)
