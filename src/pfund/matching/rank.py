"""Rank partners for a project, and projects for a company, with every score explained."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pfund.domain.enums import OrganisationKind, ProjectStatus
from pfund.domain.organisation import Organisation
from pfund.domain.project import Project
from pfund.matching.factors import FIT, standing

CLOSED = frozenset({ProjectStatus.CANCELLED, ProjectStatus.COMPLETED})


@dataclass(frozen=True)
class FactorScore:
    """One line of an explanation: the factor, its value, its weight, what it means."""

    name: str
    value: float
    weight: float
    explanation: str

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass(frozen=True)
class Match:
    """A project and an organisation: score = fit x standing, and why."""

    project_id: str
    organisation_id: str
    score: float
    fit: float
    standing: float
    standing_reason: str
    factors: tuple[FactorScore, ...]
    eligible: bool
    involved: bool


BLOCKED = "open or confirmed screening hit: not eligible until reviewed"


def match(project: Project, org: Organisation, on: date, *, blocked: bool = False) -> Match:
    """Score one pair; ``on`` is the day a vetting approval must be valid, and a
    ``blocked`` organisation (a screening hit not dismissed) is never eligible."""
    factors = tuple(
        FactorScore(
            factor.__name__,
            round(factor(project, org), 4),
            weight,
            " ".join((factor.__doc__ or "").split()),
        )
        for factor, weight in FIT
    )
    fit = sum(f.contribution for f in factors)
    level, reason = (0.0, BLOCKED) if blocked else standing(org, on)
    return Match(
        project_id=project.id,
        organisation_id=org.id,
        score=round(fit * level, 4),
        fit=round(fit, 4),
        standing=round(level, 4),
        standing_reason=reason,
        factors=factors,
        eligible=level > 0,
        involved=org.id in {project.proponent, *project.partners},
    )


def _order(found: Iterable[Match], key: str) -> list[Match]:
    return sorted(found, key=lambda m: (not m.eligible, -m.score, getattr(m, key)))


def rank_partners(
    project: Project,
    organisations: Iterable[Organisation],
    *,
    on: date,
    blocked: frozenset[str] = frozenset(),
    limit: int = 20,
) -> list[Match]:
    """Organisations and companies for a project, eligible ones first, best first."""
    found = (match(project, org, on, blocked=org.id in blocked) for org in organisations)
    return _order(found, "organisation_id")[:limit]


def rank_projects(
    company: Organisation,
    projects: Iterable[Project],
    *,
    on: date,
    blocked: bool = False,
    limit: int = 20,
) -> list[Match]:
    """Open projects a company could join, best first (its standing scales them all)."""
    if company.kind is not OrganisationKind.COMPANY:
        raise ValueError(f"{company.id} is a {company.kind.value}, not a company")
    open_ = (p for p in projects if p.status not in CLOSED)
    return _order((match(p, company, on, blocked=blocked) for p in open_), "project_id")[:limit]
