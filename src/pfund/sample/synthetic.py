"""Seeded synthetic pipelines of any size, for tests and benchmarks.

The sample fund has about a hundred hand-written projects; appraisal, portfolio and
screening must also be exercised on tens of thousands. These generators produce valid
domain objects (every one passes the same validation as user input) whose numbers look
like a fund's: skewed costs, benefit-cost ratios around one, a few dependencies and
mutually exclusive alternatives. The same seed always gives the same output, so a test
or a benchmark can name its data by ``(n, seed)``.

Links are built so that no project can ever require both halves of an exclusive pair:
dependencies point only to earlier projects that belong to no pair, and an alternative
design copies the prerequisites of the project it replaces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from pfund.domain import (
    BenefitStream,
    CompanyProfile,
    Estimate,
    Organisation,
    OrganisationKind,
    Outcome,
    Project,
    ProjectStatus,
    ReengagementStatus,
    RiskRating,
    RussiaStatus,
    VettingChecklist,
    VettingItem,
)
from pfund.domain.enums import VettingCriterion
from pfund.domain.project import YearCost

__all__ = ["generate_organisations", "generate_projects"]

_DISCOUNT = 0.06
_STAGE_WEIGHTS = np.array([0.15, 0.35, 0.4, 0.1])
_RISKS = list(RiskRating)
_RISK_WEIGHTS = np.array([0.2, 0.45, 0.25, 0.1])
_STATUSES = [ProjectStatus.PROPOSED, ProjectStatus.SCREENED, ProjectStatus.APPRAISED]
_STATUS_WEIGHTS = np.array([0.8, 0.12, 0.08])
_OUTCOMES = (
    ("people_reached", "people"),
    ("jobs_created", "jobs"),
    ("tonnes_avoided", "tonnes per year"),
    ("km_built", "km"),
)
_KINDS = list(OrganisationKind)
_KIND_WEIGHTS = np.array([0.35, 0.15, 0.3, 0.12, 0.08])
_HOME_COUNTRIES = ("DE", "FR", "GB", "US", "PL", "LT", "LV", "EE", "FI", "CZ", "NL", "IT", "CA")


@dataclass
class _Draft:
    """A project's links before it is frozen: excludes are filled in from both ends."""

    index: int
    stage: int
    depends_on: list[int] = field(default_factory=list)
    excludes: list[int] = field(default_factory=list)
    alternative_of: int | None = None


def generate_projects(
    n: int,
    *,
    seed: int,
    areas: Sequence[str],
    regions: Sequence[str],
    first_year: int = 2027,
    currency: str = "USD",
    link_share: float = 0.1,
) -> list[Project]:
    """``n`` valid projects; ``link_share`` is roughly the share with a dependency.

    About half as many projects as ``link_share`` implies become the alternative design
    of the project before them, linked by ``excludes`` both ways.
    """
    _check_inputs(n, areas, regions, link_share)
    rng = np.random.default_rng(seed)
    drafts = _draw_links(rng, n, link_share)
    numbers = _Numbers.draw(rng, n)
    area_of = rng.integers(0, len(areas), n)
    risk_of = rng.choice(len(_RISKS), size=n, p=_RISK_WEIGHTS)
    status_of = rng.choice(len(_STATUSES), size=n, p=_STATUS_WEIGHTS)
    area_names = [areas[int(area_of[_root(d)])] for d in drafts]
    ids = [_project_id(area, i) for i, area in enumerate(area_names)]
    projects: list[Project] = []
    for d, area in zip(drafts, area_names, strict=True):
        projects.append(
            Project(
                id=ids[d.index],
                title=f"Synthetic {area.replace('_', ' ')} project {d.index}",
                title_ru=f"Синтетический проект {d.index}",
                area=area,
                regions=_pick_regions(rng, regions),
                status=_STATUSES[int(status_of[d.index])],
                currency=currency,
                stage=d.stage,
                costs=numbers.costs(d.index, first_year),
                benefits=numbers.benefits(d.index, first_year),
                outcomes=numbers.outcomes(d.index),
                depends_on=[ids[j] for j in d.depends_on],
                excludes=[ids[j] for j in d.excludes],
                risk=_RISKS[int(risk_of[d.index])],
            )
        )
    return projects


def _check_inputs(n: int, areas: Sequence[str], regions: Sequence[str], link_share: float) -> None:
    """Fail early with the argument's name rather than deep inside validation."""
    if n < 0:
        raise ValueError(f"n must be zero or more, got {n}")
    if not areas:
        raise ValueError("areas must name at least one area")
    if not regions:
        raise ValueError("regions must name at least one region")
    if not 0 <= link_share <= 1:
        raise ValueError(f"link_share must be between 0 and 1, got {link_share}")


def _project_id(area: str, index: int) -> str:
    return f"{area[:3].upper()}-{index:06d}"


def _root(draft: _Draft) -> int:
    """An alternative shares the area of the project it replaces, hence its id prefix."""
    return draft.index if draft.alternative_of is None else draft.alternative_of


def _draw_links(rng: np.random.Generator, n: int, link_share: float) -> list[_Draft]:
    """Stages, dependencies on earlier unpaired projects, and alternative pairs."""
    stages = rng.choice(4, size=n, p=_STAGE_WEIGHTS)
    roll = rng.random(n)
    drafts = [_Draft(index=i, stage=int(stages[i])) for i in range(n)]
    for i in range(1, n):
        d, before = drafts[i], drafts[i - 1]
        if roll[i] < link_share / 2 and not before.excludes and before.alternative_of is None:
            _pair(before, d)
        elif roll[i] < 1.5 * link_share:
            _add_dependencies(rng, drafts, d)
    return drafts


def _pair(original: _Draft, alternative: _Draft) -> None:
    """Make ``alternative`` a competing design of ``original``, with the same needs."""
    alternative.alternative_of = original.index
    alternative.stage = original.stage
    alternative.depends_on = list(original.depends_on)
    original.excludes.append(alternative.index)
    alternative.excludes.append(original.index)


def _add_dependencies(rng: np.random.Generator, drafts: list[_Draft], d: _Draft) -> None:
    """One or two prerequisites among the 50 projects before, none of them paired."""
    low = max(0, d.index - 50)
    for j in {int(x) for x in rng.integers(low, d.index, size=int(rng.integers(1, 3)))}:
        target = drafts[j]
        if target.excludes or target.alternative_of is not None:
            continue
        d.depends_on.append(j)
        d.stage = max(d.stage, target.stage)
    d.depends_on.sort()


def _pick_regions(rng: np.random.Generator, regions: Sequence[str]) -> list[str]:
    picks = rng.integers(0, len(regions), size=int(rng.integers(1, 4)))
    return list(dict.fromkeys(regions[int(i)] for i in picks))


def _money(low: float, likely: float, high: float) -> Estimate[Decimal]:
    """Whole dollars; rounding keeps the order because it never decreases a value."""
    return Estimate[Decimal](
        low=Decimal(round(low)), likely=Decimal(round(likely)), high=Decimal(round(high))
    )


_Floats = npt.NDArray[np.float64]
_Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class _Numbers:
    """Every random number a project's figures need, drawn at once for speed."""

    start: _Ints
    years: _Ints
    total: _Floats
    shares: _Floats
    low: _Floats
    high: _Floats
    running: _Floats
    bcr: _Floats
    benefit_years: _Ints
    outcome_kind: _Ints
    outcome_size: _Floats

    @classmethod
    def draw(cls, rng: np.random.Generator, n: int) -> _Numbers:
        years = rng.integers(1, 6, n)
        shares = rng.dirichlet(np.ones(5), size=n) if n else np.zeros((0, 5))
        return cls(
            start=rng.integers(0, 4, n),
            years=years,
            total=rng.lognormal(np.log(30e6), 1.1, n),
            shares=shares,
            low=rng.uniform(0.7, 0.95, n),
            high=rng.uniform(1.05, 1.6, n),
            running=rng.uniform(0.0, 0.05, n) * (rng.random(n) < 0.5),
            bcr=rng.lognormal(np.log(1.3), 0.5, n),
            benefit_years=rng.integers(5, 26, n),
            outcome_kind=rng.integers(0, len(_OUTCOMES), n),
            outcome_size=rng.lognormal(np.log(5000), 1.5, n),
        )

    def costs(self, i: int, first_year: int) -> dict[int, YearCost]:
        """Capital spread over 1-5 years; running cost, if any, from the second year."""
        k, start = int(self.years[i]), first_year + int(self.start[i])
        weights = self.shares[i, :k] / self.shares[i, :k].sum()
        lo, hi, run = float(self.low[i]), float(self.high[i]), float(self.running[i])
        out: dict[int, YearCost] = {}
        for y in range(k):
            capital = float(self.total[i] * weights[y])
            running = _money(0.9 * run * capital, run * capital, 1.2 * run * capital)
            out[start + y] = YearCost(
                capital=_money(lo * capital, capital, hi * capital),
                running=running if run and y else None,
            )
        return out

    def benefits(self, i: int, first_year: int) -> dict[str, BenefitStream]:
        """A constant stream sized so that the likely benefit-cost ratio is ``bcr``."""
        begin = first_year + int(self.start[i]) + int(self.years[i])
        years = int(self.benefit_years[i])
        annuity = (1 - (1 + _DISCOUNT) ** -years) / _DISCOUNT
        lag = (1 + _DISCOUNT) ** (int(self.years[i]) / 2)
        per_year = float(self.total[i] * self.bcr[i] * lag / annuity)
        stream = _money(0.6 * per_year, per_year, 1.3 * per_year)
        return {"benefit": BenefitStream(by_year={begin + t: stream for t in range(years)})}

    def outcomes(self, i: int) -> dict[str, Outcome]:
        name, unit = _OUTCOMES[int(self.outcome_kind[i])]
        size = round(float(self.outcome_size[i]))
        value = Estimate[float](low=0.7 * size, likely=float(size), high=1.4 * size)
        return {name: Outcome(value=value, unit=unit)}


def generate_organisations(
    n: int, *, seed: int, areas: Sequence[str], regions: Sequence[str]
) -> list[Organisation]:
    """``n`` valid organisations of every kind, Russian NGOs with protected names."""
    _check_inputs(n, areas, regions, 0.0)
    rng = np.random.default_rng(seed)
    kinds = rng.choice(len(_KINDS), size=n, p=_KIND_WEIGHTS)
    return [_organisation(rng, i, _KINDS[int(kinds[i])], areas, regions) for i in range(n)]


def _organisation(
    rng: np.random.Generator,
    i: int,
    kind: OrganisationKind,
    areas: Sequence[str],
    regions: Sequence[str],
) -> Organisation:
    home = _HOME_COUNTRIES[int(rng.integers(0, len(_HOME_COUNTRIES)))]
    in_russia = kind is OrganisationKind.NGO and rng.random() < 0.4
    picked_areas = list(dict.fromkeys(areas[int(a)] for a in rng.integers(0, len(areas), 2)))
    return Organisation(
        id=f"SYN-ORG-{i:06d}",
        name=f"Synthetic {kind.value.replace('_', ' ')} {i}",
        alias=f"Partner {i}" if in_russia else "",
        kind=kind,
        country="RU" if in_russia else home,
        areas=picked_areas,
        regions=_pick_regions(rng, regions),
        website=f"https://org{i}.example.org",
        company=_company(rng, home) if kind is OrganisationKind.COMPANY else None,
        vetting=_vetting(rng) if kind is OrganisationKind.DEMOCRATIC_FORCES else None,
        protected_fields=["name", "website"] if in_russia else [],
    )


def _company(rng: np.random.Generator, home: str) -> CompanyProfile:
    statuses, stages = list(RussiaStatus), list(ReengagementStatus)
    return CompanyProfile(
        russia_status=statuses[int(rng.integers(0, len(statuses)))],
        reengagement=stages[int(rng.integers(0, len(stages)))],
        home_country=home,
    )


def _vetting(rng: np.random.Generator) -> VettingChecklist:
    """Two groups in three fully vetted and approved for a year; the rest incomplete."""
    checked = date(2026, 1, 1) + timedelta(days=int(rng.integers(0, 60)))
    complete = rng.random() < 2 / 3
    items = [
        VettingItem(
            criterion=c,
            met=True if complete else (None if rng.random() < 0.5 else bool(rng.random() < 0.5)),
            evidence="Synthetic evidence",
            checked_on=checked,
        )
        for c in VettingCriterion
    ]
    if not complete and all(item.met for item in items):
        items[0] = items[0].model_copy(update={"met": False})
    approved = checked + timedelta(days=14) if complete else None
    return VettingChecklist(
        items=items,
        approved_on=approved,
        valid_until=approved + timedelta(days=365) if approved else None,
    )
