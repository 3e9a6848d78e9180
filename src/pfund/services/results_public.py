"""Results as the public sees them: indicators, targets and achieved values by period.

One read model feeds every public output of results (the portal's results page, the
``results`` open dataset and the IATI file's ``<result>`` elements), so they cannot
disagree, and each is built from public views only:

- only projects the portal shows (published, past intake, their status not protected)
  and that do not protect their outcomes (an indicator's targets are those outcomes);
- an indicator's breakdown by region only when the project's regions are public: a
  project that protects its regions (where it works can endanger a partner) shows its
  indicators' totals and nothing per region;
- achieved values are the partner's *reported* values (``status="reported"``), every
  output says so beside the value, until a verifier has checked one on a sample
  (``status="verified"``): then the verified value (reported × the verification factor,
  with the factor's interval) and what the fund paid for it stand beside it
  (:mod:`pfund.services.verified`; no sampled unit, recount or verifier);
- left out: partners' notes on a value (free text that may name people or places),
  evidence files (their names and contents are for staff), who sent a report and by
  which channel, report links and due dates (internal bookkeeping).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, PrivateAttr

from pfund.domain import ProtectionClass
from pfund.domain.project import is_public
from pfund.domain.protection import effective_protection, view
from pfund.domain.results import (
    Direction,
    Indicator,
    ReportRecord,
    period_end,
    period_start,
    progress,
)
from pfund.services.portal import cached
from pfund.services.runtime import Runtime
from pfund.services.verified import Key, VerifiedFigure, verified_figures
from pfund.store.repositories.results import ResultsRepository
from pfund.store.unit_of_work import UnitOfWork

PUBLIC = ProtectionClass.PUBLIC
# Russian for the units the sample fund's indicators use. An indicator stores its unit
# once, in English (the unit a partner reports in must match it exactly), so the Russian
# pages, the dataset's ``unit_ru`` and the IATI file's Russian titles take it from here;
# a unit not listed is shown as written.
UNITS_RU = {
    "number": "число",
    "people": "чел.",
    "km": "км",
    "ha": "га",
    "ha per year": "га в год",
    "meters": "м",
    "MW": "МВт",
    "GWh per year": "ГВт·ч в год",
    "tonnes": "т",
    "tonnes per year": "т в год",
    "tonnes CH4 per year": "т CH4 в год",
    "million m3": "млн м³",
    "million m3 per year": "млн м³ в год",
    "TEU per year": "TEU в год",
    "births per year": "родов в год",
    "visits per year": "посещений в год",
    "airports": "аэропорты",
    "assemblies": "собрания",
    "bridges": "мосты",
    "buses": "автобусы",
    "businesses": "предприятия",
    "clinics": "поликлиники",
    "companies": "компании",
    "containers": "контейнеры",
    "crossings": "переходы",
    "declarations": "декларации",
    "deposit": "хранилище",
    "drafts": "проекты документов",
    "farms": "фермы",
    "grants": "гранты",
    "groups": "группы",
    "hospitals": "больницы",
    "households": "домохозяйства",
    "institutions": "учреждения",
    "jobs": "рабочие места",
    "loans": "кредиты",
    "maps": "карты",
    "mines": "мины",
    "papers": "публикации",
    "rivers": "реки",
    "satellite": "спутник",
    "schools": "школы",
    "sensors": "датчики",
    "settlements": "населённые пункты",
    "sites": "объекты",
    "stations": "станции",
    "submarines": "подводные лодки",
    "universities": "университеты",
    "villages": "сёла",
}
REPORTED = "reported"
VERIFIED = "verified"
NOT_REPORTED = "not_reported"


class PublicPeriod(BaseModel):
    """One indicator in one period: its target and, once a partner reported, the value."""

    period: str
    start: date
    end: date
    target: Decimal
    achieved: Decimal | None = None
    # "verified" (checked on a sample), "reported" (by the partner, not yet verified) or
    # "not_reported"
    status: str = NOT_REPORTED
    reported_on: date | None = None
    # The reported value per region, only for a project whose regions are public.
    by_region: dict[str, Decimal] = {}
    # The verifier's finding and what was paid for it, once the value is verified.
    verified: VerifiedFigure | None = None
    # the indicator's direction and baseline, which the share is read against
    _direction: Direction = PrivateAttr(default=Direction.INCREASE)
    _baseline: Decimal = PrivateAttr(default=Decimal(0))

    @property
    def share(self) -> Decimal | None:
        """Achieved as a share of the target (0.5 = half), when both are known; where
        lower is better, the reduction from the baseline over the one targeted."""
        if self.achieved is None:
            return None
        return progress(self._direction, self._baseline, self.target, self.achieved)


class PublicIndicator(BaseModel):
    code: str
    name: str
    name_ru: str
    unit: str
    unit_ru: str
    baseline: Decimal
    baseline_date: date
    means_of_verification: str = ""
    means_of_verification_ru: str = ""
    # The key of the project's predicted outcome this indicator measures, if any.
    outcome: str | None = None
    # "decrease" where lower is better (deaths, costs, emissions)
    direction: Direction = Direction.INCREASE
    regions: list[str] = []
    periods: list[PublicPeriod]


class PublicProjectResults(BaseModel):
    id: str
    title: str
    title_ru: str
    area: str
    area_name: str
    area_name_ru: str
    status: str
    indicators: list[PublicIndicator]

    @property
    def reported(self) -> int:
        """How many of the project's indicator-periods have a reported value."""
        return sum(p.achieved is not None for i in self.indicators for p in i.periods)

    @property
    def verified(self) -> int:
        """How many of the project's indicator-periods a verifier has checked."""
        return sum(p.verified is not None for i in self.indicators for p in i.periods)

    @property
    def periods(self) -> int:
        return sum(len(i.periods) for i in self.indicators)


def unit_ru(unit: str) -> str:
    """The unit in Russian (see ``UNITS_RU``), or as written when it is not listed."""
    return UNITS_RU.get(unit.strip(), unit)


def read_public_results(uow: UnitOfWork) -> list[PublicProjectResults]:
    """Every public project with a results framework, by id (see the module's rules)."""
    results = ResultsRepository(uow.session)
    frameworks: dict[str, list[Indicator]] = {}
    for indicator in results.indicators():
        frameworks.setdefault(indicator.project, []).append(indicator)
    if not frameworks:
        return []
    sent: dict[str, list[ReportRecord]] = {}
    for report in results.reports():
        if report.submitted:
            sent.setdefault(report.project, []).append(report)
    areas = {a.code: a for a in uow.reference.areas()}
    checked = verified_figures(uow)
    out = []
    for project in uow.projects.list(published=True):
        framework = frameworks.get(project.id)
        if not framework or not is_public(project):
            continue
        if effective_protection(project, "status") is not PUBLIC:
            continue
        if effective_protection(project, "outcomes") is not PUBLIC:
            continue  # its targets are its predicted outcomes, which it protects
        shown = view(project.model_copy(update={"benefits": {}}), audience=PUBLIC)
        area = areas.get(shown.get("area", ""))
        regions = set(shown.get("regions", []))  # empty when the project protects them
        out.append(
            PublicProjectResults(
                id=project.id,
                title=shown.get("title") or project.id,
                title_ru=shown.get("title_ru", ""),
                area=area.code if area else "",
                area_name=area.name if area else "-",
                area_name_ru=(area.name_ru or area.name) if area else "-",
                status=project.status.value,
                indicators=[
                    _indicator(i, sent.get(project.id, []), regions, checked) for i in framework
                ],
            )
        )
    return sorted(out, key=lambda p: p.id)


def public_results(rt: Runtime) -> list[PublicProjectResults]:
    """``read_public_results`` once per state of the store (the portal's cache)."""

    def build() -> list[PublicProjectResults]:
        with rt.uow() as uow:
            return read_public_results(uow)

    return cached(rt, ("public-results",), build)


def _indicator(
    indicator: Indicator,
    reports: list[ReportRecord],
    public_regions: set[str],
    checked: dict[Key, VerifiedFigure],
) -> PublicIndicator:
    regions = [r for r in indicator.regions if r in public_regions]
    values = {r.period: _values(indicator.code, r, set(regions)) for r in reports}
    periods = []
    for period, target in indicator.targets.items():
        found = values.get(period)
        row: dict[str, Any] = {
            "period": period,
            "start": period_start(period),
            "end": period_end(period),
            "target": target,
        }
        if found is not None:
            achieved, by_region, on = found
            row |= {"achieved": achieved, "status": REPORTED, "reported_on": on}
            row["by_region"] = by_region
            figure = checked.get((indicator.project, indicator.code, period))
            if figure is not None:
                row |= {"status": VERIFIED, "verified": figure}
        item = PublicPeriod(**row)
        item._direction, item._baseline = indicator.direction, indicator.baseline
        periods.append(item)
    public = view(indicator, audience=PUBLIC)
    return PublicIndicator(
        code=public["code"],
        name=public["name"],
        name_ru=public["name_ru"],
        unit=public["unit"],
        unit_ru=unit_ru(public["unit"]),
        baseline=public["baseline"],
        baseline_date=public["baseline_date"],
        means_of_verification=public.get("means_of_verification", ""),
        means_of_verification_ru=public.get("means_of_verification_ru", ""),
        outcome=public.get("outcome"),
        direction=indicator.direction,
        regions=regions,
        periods=periods,
    )


def _values(
    code: str, report: ReportRecord, regions: set[str]
) -> tuple[Decimal, dict[str, Decimal], date | None] | None:
    """The indicator's achieved value in a report (its total when given, else the sum of
    its regions' values, as the staff pages count it), the public regions' parts, and
    the day it was sent; None when the report does not give the indicator."""
    mine = [v for v in report.values if v.indicator == code]
    if not mine:
        return None
    total = next((v.value for v in mine if not v.region), None)
    parts = {v.region: v.value for v in mine if v.region}
    achieved = total if total is not None else sum(parts.values(), Decimal(0))
    on = report.submitted_at.date() if report.submitted_at else None
    return achieved, {r: v for r, v in sorted(parts.items()) if r in regions}, on


def by_area(
    projects: list[PublicProjectResults],
) -> list[tuple[str, str, list[PublicProjectResults]]]:
    """The projects grouped by area: (English name, Russian name, projects), by name."""
    groups: dict[str, tuple[str, str, list[PublicProjectResults]]] = {}
    for p in projects:
        groups.setdefault(p.area, (p.area_name, p.area_name_ru, []))[2].append(p)
    return [groups[k] for k in sorted(groups, key=lambda k: groups[k][0])]
