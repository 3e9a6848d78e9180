"""Mapping between a :class:`Project` and its rows, in both directions, for many at once.

Writing produces plain dicts per table (for executemany); reading takes the rows of each
child table grouped by project id, so a whole list is built from a handful of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from pfund.domain.estimate import Estimate
from pfund.domain.project import BenefitStream, Outcome, Project, YearCost
from pfund.store.repositories._rows import RowDict, minor_triple, money_estimate, positions
from pfund.store.tables import (
    Base,
    ProjectBenefitRow,
    ProjectContactRow,
    ProjectCostRow,
    ProjectLinkRow,
    ProjectOutcomeRow,
    ProjectPartnerRow,
    ProjectRegionRow,
    ProjectRow,
    ProjectScoreRow,
)

CHILD_TABLES: tuple[type[Base], ...] = (
    ProjectRegionRow,
    ProjectPartnerRow,
    ProjectContactRow,
    ProjectLinkRow,
    ProjectCostRow,
    ProjectBenefitRow,
    ProjectOutcomeRow,
    ProjectScoreRow,
)
DEPENDS_ON, EXCLUDES = "depends_on", "excludes"
Grouped = dict[str, list[Any]]  # Core rows, or opened rows with the same attributes


@dataclass
class ProjectRows:
    """Rows for a batch of projects, keyed by row class, in foreign-key order."""

    by_table: dict[type[Base], list[RowDict]] = field(default_factory=lambda: defaultdict(list))

    def add(self, project: Project) -> None:
        rows = self.by_table
        rows[ProjectRow].append(scalar_row(project))
        pid = project.id
        rows[ProjectRegionRow] += positions(project.regions, key="region", project_id=pid)
        rows[ProjectPartnerRow] += positions(
            project.partners, key="organisation_id", project_id=pid
        )
        rows[ProjectContactRow] += positions(project.contacts, key="contact", project_id=pid)
        rows[ProjectLinkRow] += link_rows(project)
        rows[ProjectCostRow] += cost_rows(project)
        rows[ProjectBenefitRow] += benefit_rows(project)
        rows[ProjectOutcomeRow] += outcome_rows(project)
        rows[ProjectScoreRow] += [
            {"project_id": pid, "criterion": name, "position": i, "value": value}
            for i, (name, value) in enumerate(project.scores.items())
        ]


def scalar_row(project: Project) -> RowDict:
    """The projects row: every field that is not a list or a schedule."""
    return {
        "id": project.id,
        "title": project.title,
        "title_ru": project.title_ru,
        "description": project.description,
        "description_ru": project.description_ru,
        "area": project.area,
        "proponent": project.proponent,
        "status": project.status.value,
        "currency": project.currency,
        "stage": project.stage,
        "risk": project.risk.value,
        "value_score": project.value_score,
        "notes": project.notes,
        "protected_fields": list(project.protected_fields),
    }


def link_rows(project: Project) -> list[RowDict]:
    return [
        *(r | {"kind": DEPENDS_ON} for r in _others(project.id, project.depends_on)),
        *(r | {"kind": EXCLUDES} for r in _others(project.id, project.excludes)),
    ]


def _others(pid: str, others: list[str]) -> list[RowDict]:
    return positions(others, key="other_id", project_id=pid)


def cost_rows(project: Project) -> list[RowDict]:
    rows = []
    for year, cost in project.costs.items():
        for kind, estimate in (("capital", cost.capital), ("running", cost.running)):
            if estimate is not None:
                base = {"project_id": project.id, "year": year, "kind": kind}
                rows.append(base | minor_triple(estimate, project.currency))
    return rows


def benefit_rows(project: Project) -> list[RowDict]:
    return [
        {"project_id": project.id, "stream": name, "year": year, "position": i}
        | minor_triple(estimate, project.currency)
        for i, (name, stream) in enumerate(project.benefits.items())
        for year, estimate in stream.by_year.items()
    ]


def outcome_rows(project: Project) -> list[RowDict]:
    return [
        {
            "project_id": project.id,
            "name": name,
            "position": i,
            "unit": outcome.unit,
            "name_ru": outcome.name_ru,
            "low": outcome.value.low,
            "likely": outcome.value.likely,
            "high": outcome.value.high,
        }
        for i, (name, outcome) in enumerate(project.outcomes.items())
    ]


def build_project(row: Any, children: dict[type[Base], Grouped]) -> Project:
    """A project from its row and its children's rows (each group ordered by position)."""
    pid, currency = row.id, row.currency

    def kids(row_class: type[Base]) -> list[Any]:
        return children[row_class].get(pid, [])

    links = kids(ProjectLinkRow)
    return Project(
        id=pid,
        title=row.title,
        title_ru=row.title_ru,
        description=row.description,
        description_ru=row.description_ru,
        area=row.area,
        regions=[r.region for r in kids(ProjectRegionRow)],
        proponent=row.proponent,
        partners=[r.organisation_id for r in kids(ProjectPartnerRow)],
        contacts=[r.contact for r in kids(ProjectContactRow)],
        status=row.status,
        currency=currency,
        stage=row.stage,
        costs=_costs(kids(ProjectCostRow), currency),
        benefits=_benefits(kids(ProjectBenefitRow), currency),
        outcomes={r.name: _outcome(r) for r in kids(ProjectOutcomeRow)},
        depends_on=[r.other_id for r in links if r.kind == DEPENDS_ON],
        excludes=[r.other_id for r in links if r.kind == EXCLUDES],
        risk=row.risk,
        scores={r.criterion: r.value for r in kids(ProjectScoreRow)},
        value_score=row.value_score,
        notes=row.notes,
        protected_fields=list(row.protected_fields or []),
    )


def _costs(rows: list[Row[Any]], currency: str) -> dict[int, YearCost]:
    by_year: dict[int, dict[str, Estimate[Decimal]]] = defaultdict(dict)
    for r in rows:
        by_year[r.year][r.kind] = money_estimate(r, currency)
    return {year: YearCost(**kinds) for year, kinds in sorted(by_year.items())}


def _benefits(rows: list[Row[Any]], currency: str) -> dict[str, BenefitStream]:
    streams: dict[str, dict[int, Estimate[Decimal]]] = defaultdict(dict)
    for r in rows:
        streams[r.stream][r.year] = money_estimate(r, currency)
    return {name: BenefitStream(by_year=years) for name, years in streams.items()}


def _outcome(row: Row[Any]) -> Outcome:
    value = Estimate[float](low=row.low, likely=row.likely, high=row.high)
    return Outcome(value=value, unit=row.unit, name_ru=row.name_ru)
