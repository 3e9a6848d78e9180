"""Learning from results: the fund's finished projects calibrate its new appraisals.

Issue 15, point 5. A finished project (status ``completed``) with an outturn (what it
really cost, by year: :func:`import_outturns`) joins the reference class of its area;
what its partners achieved against the targets of indicators tied to its predicted
outcomes gives the share of its benefit that happened (``realised_benefits`` in
:mod:`pfund.results.expost`). Verified where a verifier checked it: a value with a
verification counts as reported × its verification factor (the latest verification of
that indicator and period, as payment by results counts it,
:mod:`pfund.services.verified`), since a partner's own count is what a recount on a
sample corrects; other values count as reported. Each finished project says whether
any verified value is behind its ratio, and the decision record counts them.

Before the Monte Carlo, every appraised project's cost and benefit points are multiplied
by its area's uplift (``uplift_project``), as the policy's ``optimism_bias`` says:

* ``auto`` (default): HM Treasury's Green Book optimism bias for the area's project
  type until the area has ``MIN_COUNT`` finished projects, then the fund's history
  blended with it by Bühlmann credibility (``k`` estimated from the classes when it can
  be, else ``DEFAULT_K``);
* ``green-book``: the Green Book prior everywhere, whatever the history;
* ``history``: the fund's history alone wherever an area has any (credibility 1), the
  prior elsewhere;
* ``off``: no uplift (the proposers' estimates as given).

The uplift changes what the appraisal values (NPV, BCR, ERR, the Monte Carlo and the
criteria built on them), not what the portfolio's budgets reserve: the optimiser still
counts the likely cost the fund would commit in tranches, so a decision stays within the
money the fund has, and the board report shows how the uplift moved the choice.

Each area's uplift, the prior or class it came from and the size of the history behind
it are kept in the decision record's parameters (:class:`BiasRecord`), so every number
of an appraisal traces to them.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal, get_args

import numpy as np
from pydantic import BaseModel

from pfund.appraisal.schedule import project_schedule
from pfund.domain import FundDefinition, Project, ProjectStatus, ProtectionClass
from pfund.domain.account import Permission
from pfund.domain.outturn import Outturn
from pfund.domain.policy import OptimismBias
from pfund.domain.protection import view
from pfund.domain.reference import Area
from pfund.domain.results import Direction, Indicator, ReportRecord
from pfund.errors import InvalidInput, NotFound, Problem
from pfund.io.files import read_records
from pfund.results.expost import (
    AreaCalibration,
    ProjectType,
    buhlmann_k,
    calibrate,
    uplift_project,
)
from pfund.services.audit import AuditWriter
from pfund.services.results import _achieved
from pfund.services.results import repo as results_repo
from pfund.services.runtime import Runtime
from pfund.services.verified import verified_figures
from pfund.store.repositories.outturns import OutturnRepository
from pfund.store.unit_of_work import UnitOfWork

MODES: tuple[str, ...] = get_args(OptimismBias)
MIN_COUNT = 10  # finished projects an area needs before its history counts (auto)
DEFAULT_K = 10.0  # Bühlmann k when the classes cannot estimate it: 10 projects weigh as the prior
HISTORY_K = 1e-9  # ``history``: credibility n / (n + k) is 1 for any n >= 1
FALLBACK_TYPE = ProjectType.NON_STANDARD_BUILDINGS
FINISHED = ProjectStatus.COMPLETED


@cache
def dac_types() -> dict[str, ProjectType]:
    """The Green Book project type of each DAC 3-digit sector category (pfund's reading of
    what the sector mostly builds; ``optimism_bias/dac_types.csv`` says why, row by row)."""
    text = files("pfund.data").joinpath("optimism_bias/dac_types.csv").read_text()
    return {
        r["dac_category"]: ProjectType(r["project_type"]) for r in csv.DictReader(text.splitlines())
    }


def area_type(area: Area | None, code: str, chosen: Mapping[str, str]) -> tuple[ProjectType, str]:
    """The area's project type and where it came from: the policy's
    ``optimism_bias_types``, else its first DAC category in the table, else the fallback."""
    if code in chosen:
        return ProjectType(chosen[code]), "policy"
    for category in area.dac_categories if area else []:
        if category in dac_types():
            return dac_types()[category], f"dac {category}"
    return FALLBACK_TYPE, "default"


# -- the fund's history -------------------------------------------------------------------
@dataclass(frozen=True)
class Finished:
    """A finished project as its reference class sees it (likely values, undiscounted)."""

    project: Project
    outturn: dict[int, float]
    estimated_cost: float
    realised_cost: float
    estimated_benefit: float
    realised_benefit: float
    benefit_scale: float  # achieved / target over its outcome indicators (1: none reported)
    reported: bool
    verified: bool = False  # some value behind benefit_scale is verified (reported × factor)


def outcome_ratios(
    project: Project,
    indicators: Sequence[Indicator],
    reports: Sequence[ReportRecord],
    factors: Mapping[tuple[str, str], float] | None = None,
) -> dict[str, float]:
    """Per predicted outcome: what was achieved over what was targeted, summed over the
    periods reported. Sums of both sides, so the ratio means the same whether a
    framework's targets are per period or cumulative. Where lower is better (direction
    "decrease") both sides are reductions from the baseline: deaths from a baseline of
    100 to 80 against a target of 60 is (100 - 80) / (100 - 60) = 0.5. Achieved is the
    reported value, times its verification factor where ``factors`` (by period and
    indicator) has one."""
    factors = factors or {}
    achieved = {
        key: value * Decimal(str(factors.get(key, 1)))
        for r in reports
        for key, (value, _) in _achieved(r).items()
    }
    sums: dict[str, list[float]] = {}
    for i in indicators:
        if not i.outcome or i.outcome not in project.outcomes:
            continue
        pairs = [
            (achieved[(p, i.code)], t) for p, t in i.targets.items() if (p, i.code) in achieved
        ]
        if i.direction is Direction.DECREASE:
            # lower is better: the reduction achieved over the reduction targeted
            pairs = [(i.baseline - a, i.baseline - t) for a, t in pairs]
        target = float(sum((t for _, t in pairs), Decimal(0)))
        if target > 0:
            got = float(sum((a for a, _ in pairs), Decimal(0)))
            sums.setdefault(i.outcome, []).append(got / target)
    return {name: float(np.mean(r)) for name, r in sums.items()}


def _factors(uow: UnitOfWork) -> dict[str, dict[tuple[str, str], float]]:
    """Each project's verification factors by (period, indicator)."""
    out: dict[str, dict[tuple[str, str], float]] = {}
    for (project, indicator, period), figure in verified_figures(uow).items():
        out.setdefault(project, {})[(period, indicator)] = figure.factor
    return out


def finished_projects(uow: UnitOfWork, stored: Sequence[Project] | None = None) -> list[Finished]:
    """The fund's finished projects that have an outturn, with their ratios' two sides
    (``stored``: every project, when the caller has already read them)."""
    outturns: dict[str, dict[int, float]] = {}
    for o in OutturnRepository(uow.session).list():
        outturns.setdefault(o.project, {})[o.year] = float(o.cost)
    if not outturns:
        return []
    results = results_repo(uow)
    indicators: dict[str, list[Indicator]] = {}
    for i in results.indicators():
        indicators.setdefault(i.project, []).append(i)
    reports: dict[str, list[ReportRecord]] = {}
    for r in results.reports():
        reports.setdefault(r.project, []).append(r)
    factors = _factors(uow)
    out = []
    for p in uow.projects.list() if stored is None else stored:
        if p.status is FINISHED and p.id in outturns:
            mine = factors.get(p.id, {})
            used = _outcome_keys(p, indicators.get(p.id, []))
            ratios = outcome_ratios(p, indicators.get(p.id, []), reports.get(p.id, []), mine)
            verified = bool(ratios) and any(k in used for k in mine)
            out.append(_finished(p, outturns[p.id], ratios, verified=verified))
    return out


def _outcome_keys(project: Project, indicators: Sequence[Indicator]) -> set[tuple[str, str]]:
    """The (period, indicator) pairs the outcome ratios read."""
    return {
        (period, i.code)
        for i in indicators
        if i.outcome and i.outcome in project.outcomes
        for period in i.targets
    }


def _finished(
    p: Project, outturn: dict[int, float], ratios: dict[str, float], *, verified: bool = False
) -> Finished:
    """Realised benefit: the likely stream times the mean outcome ratio (as
    ``realised_benefits`` scales it); a project with no monetised benefit is counted as a
    benefit of 1, so its outcome ratio still tells how much of what it promised happened."""
    benefits = float(project_schedule(p).benefit_total().sum())
    scale = float(np.mean(list(ratios.values()))) if ratios else 1.0
    estimated = benefits if benefits > 0 else 1.0
    return Finished(
        project=p,
        outturn=outturn,
        estimated_cost=float(p.likely_cost()),
        realised_cost=sum(outturn.values()),
        estimated_benefit=estimated,
        realised_benefit=estimated * scale,
        benefit_scale=scale,
        reported=bool(ratios),
        verified=verified,
    )


class HistoryArea(BaseModel):
    """One area's finished projects with an outturn, as the board report lists them."""

    area: str
    count: int
    verified: int  # with a verified value behind their outcome ratio
    cost_ratio: float  # mean realised / estimated cost
    outcome_ratio: float | None  # mean achieved / target outcome (None: none reported)


def history_by_area(rt: Runtime) -> list[HistoryArea]:
    """The fund's history area by area, whatever the policy's optimism-bias mode: what a
    reader of the board report needs to judge the prior (the Green Book's) against it."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        done = finished_projects(uow)
    areas: dict[str, list[Finished]] = {}
    for f in done:
        areas.setdefault(f.project.area, []).append(f)
    return [_history_area(code, group) for code, group in sorted(areas.items())]


def _history_area(code: str, group: list[Finished]) -> HistoryArea:
    costs = [f.realised_cost / f.estimated_cost for f in group if f.estimated_cost > 0]
    outcomes = [f.benefit_scale for f in group if f.reported]
    return HistoryArea(
        area=code,
        count=len(group),
        verified=sum(f.verified for f in group),
        cost_ratio=round(float(np.mean(costs)), 6) if costs else 1.0,
        outcome_ratio=round(float(np.mean(outcomes)), 6) if outcomes else None,
    )


# -- calibration --------------------------------------------------------------------------
class AreaBias(BaseModel):
    """One area's uplift as the decision record and the board report state it."""

    area: str
    project_type: str
    type_from: str  # "policy", "dac 210" or "default"
    source: Literal["green_book", "history"]
    count: int  # the area's finished projects with an outturn
    credibility: float  # weight of the fund's history (0: the Green Book prior alone)
    cost_uplift: float  # every cost point is multiplied by this
    benefit_ratio: float  # every benefit point is multiplied by this
    prior_cost_uplift: float
    history_cost_ratio: float | None  # mean realised / estimated cost of the area's history


class BiasRecord(BaseModel):
    """Which optimism-bias uplift an appraisal used, area by area, and why."""

    mode: str
    min_count: int
    k: float
    k_from: str  # "default", "estimated" (Bühlmann-Straub over the classes) or "history"
    finished: int  # finished projects with an outturn in the fund's history
    reported: int  # of which with reported outcomes behind their benefit ratio
    areas: list[AreaBias]
    verified: int = 0  # of those, with a verified value (reported × factor) among them

    def uplifts(self) -> dict[str, AreaBias]:
        return {a.area: a for a in self.areas}


@dataclass(frozen=True)
class Calibration:
    """The engine's calibrations (to apply) and their record (to keep)."""

    areas: dict[str, AreaCalibration]
    record: BiasRecord


def check_mode(mode: str) -> str:
    """The mode, or an error that lists the valid ones."""
    if mode not in MODES:
        raise InvalidInput(
            "unknown optimism-bias mode",
            [Problem(f"'{mode}' is not one of {', '.join(MODES)}", field="optimism_bias")],
        )
    return mode


def calibration(
    mode: str,
    history: Sequence[Finished],
    areas: Mapping[str, Area | None],
    chosen_types: Mapping[str, str],
) -> Calibration | None:
    """The uplift of every area in ``areas`` under ``mode`` (None for ``off``)."""
    if check_mode(mode) == "off":
        return None
    typed = {code: area_type(a, code, chosen_types) for code, a in areas.items()}
    used = [f for f in history if mode != "green-book" and f.project.area in typed]
    cols = _columns(used)
    k, k_from = _k(mode, cols)
    min_count = 1 if mode == "history" else MIN_COUNT
    cals = calibrate(
        **cols,
        area_types={code: t for code, (t, _) in typed.items()},
        min_count=min_count,
        k=k,
    )
    return Calibration(
        areas=cals,
        record=BiasRecord(
            mode=mode,
            min_count=min_count,
            k=k,
            k_from=k_from,
            finished=len(used),
            reported=sum(f.reported for f in used),
            verified=sum(f.verified for f in used),
            areas=[_area_bias(c, typed[code][1]) for code, c in cals.items()],
        ),
    )


def _columns(used: Sequence[Finished]) -> dict[str, np.ndarray]:
    return {
        "area": np.array([f.project.area for f in used], dtype=str),
        "estimated_cost": np.array([f.estimated_cost for f in used], dtype=np.float64),
        "realised_cost": np.array([f.realised_cost for f in used], dtype=np.float64),
        "estimated_benefit": np.array([f.estimated_benefit for f in used], dtype=np.float64),
        "realised_benefit": np.array([f.realised_benefit for f in used], dtype=np.float64),
    }


def _k(mode: str, cols: Mapping[str, np.ndarray]) -> tuple[float, str]:
    """Bühlmann's k: estimated from the classes' cost ratios when they allow it."""
    if mode == "history":
        return HISTORY_K, "history"
    if cols["area"].size:
        ratio = cols["realised_cost"] / np.maximum(cols["estimated_cost"], 1e-300)
        k = buhlmann_k(cols["area"], ratio)
        if k is not None:
            return round(float(k), 6), "estimated"
    return DEFAULT_K, "default"


def _area_bias(c: AreaCalibration, type_from: str) -> AreaBias:
    return AreaBias(
        area=c.area,
        project_type=c.project_type.value,
        type_from=type_from,
        source="green_book" if c.source == "prior" else "history",
        count=c.count,
        credibility=round(c.credibility, 6),
        cost_uplift=round(c.cost.mean, 6),
        benefit_ratio=round(c.benefit.mean, 6),
        prior_cost_uplift=round(c.prior_cost.mean, 6),
        history_cost_ratio=round(c.history_cost.mean, 6) if c.history_cost else None,
    )


def fund_calibration(
    uow: UnitOfWork,
    projects: Sequence[Project],
    mode: str,
    chosen_types: Mapping[str, str],
    *,
    stored: Sequence[Project] | None = None,
) -> Calibration | None:
    """The calibration of the pipeline's areas from the fund's own history in the store
    (``stored``: every project of the store, when the caller has read them already)."""
    if check_mode(mode) == "off":
        return None
    reference = {a.code: a for a in uow.reference.areas()}
    history = finished_projects(uow, stored) if mode != "green-book" else []
    codes = {p.area for p in projects} | {f.project.area for f in history}
    return calibration(mode, history, {c: reference.get(c) for c in sorted(codes)}, chosen_types)


def uplifted(projects: Sequence[Project], cal: Calibration | None) -> list[Project]:
    """The projects as the appraisal sees them: each moved by its area's uplift."""
    if cal is None:
        return list(projects)
    return [uplift_project(p, cal.areas[p.area]) for p in projects]


# -- outturns -----------------------------------------------------------------------------
class OutturnImport(BaseModel):
    kind: str = "outturns"
    file: str
    imported: int
    projects: list[str]


def import_outturns(rt: Runtime, path: Path) -> OutturnImport:
    """Import realised costs (CSV, JSON or YAML rows of project, year, cost) of finished
    projects. Each project named gets exactly the years the file gives; all or nothing."""
    rt.require(Permission.IMPORT)
    records = read_records(path, key="outturns")
    with rt.uow() as uow:
        items, problems = _check_outturns(uow, records, path.name)
        if problems:
            count = len(problems)
            raise InvalidInput(
                f"{path.name}: {count} problem{'s' * (count != 1)} found; nothing was imported",
                problems,
            )
        audit, store, now = AuditWriter(uow, rt.actor), OutturnRepository(uow.session), _now()
        by_project: dict[str, list[Outturn]] = {}
        for o in items:
            by_project.setdefault(o.project, []).append(o)
        for pid, rows in sorted(by_project.items()):
            store.replace(pid, rows, now)
            audit.record(
                "results.outturn_set",
                "project",
                pid,
                {"source": path.name, "costs": {str(o.year): str(o.cost) for o in rows}},
            )
        uow.commit()
    return OutturnImport(file=path.name, imported=len(items), projects=sorted(by_project))


def _now() -> datetime:
    return datetime.now(UTC)


def _check_outturns(
    uow: UnitOfWork, records: Sequence[object], name: str
) -> tuple[list[Outturn], list[Problem]]:
    items, problems, seen = [], [], set()
    for rec in records:
        data, row = getattr(rec, "data"), getattr(rec, "row")  # noqa: B009 (a Record)
        pid = str(data.get("project") or "")
        project = uow.projects.get(pid)
        if project is None or project.status is not FINISHED:
            why = "no such project" if project is None else f"project is {project.status.value}"
            problems.append(
                Problem(f"{why}: an outturn is for a completed project", name, row, "project")
            )
            continue
        try:
            item = Outturn(
                project=pid, year=int(data.get("year", "")), cost=Decimal(str(data.get("cost", "")))
            )
        except (ValueError, InvalidOperation) as err:
            problems.append(
                Problem(
                    f"year and cost must be a year and an amount >= 0 ({err})", name, row, "cost"
                )
            )
            continue
        if (pid, item.year) in seen:
            problems.append(Problem(f"{pid} {item.year} given twice", name, row, "year"))
        seen.add((pid, item.year))
        items.append(item)
    return items, problems


# -- ex post beside ex ante ----------------------------------------------------------------
class ExPostLine(BaseModel):
    """A finished project's appraisal with what it cost and what it delivered, beside the
    appraisal it had; money in the fund's currency, discounted as ex ante."""

    id: str
    title: str
    area: str
    estimated_cost: float
    realised_cost: float
    benefit_scale: float
    reported: bool
    verified: bool  # some outcome behind benefit_scale is a verified value
    ex_ante_npv: float | None
    ex_post_npv: float
    ex_ante_bcr: float | None
    ex_post_bcr: float | None
    ex_ante_err: float | None
    ex_post_err: float | None


def expost_lines(rt: Runtime, project_id: str | None = None) -> list[ExPostLine]:
    """Ex-post NPV, BCR and ERR of the fund's finished projects with an outturn."""
    rt.require(Permission.READ_INTERNAL)
    with rt.uow() as uow:
        fund = uow.fund.get()
        done = finished_projects(uow)
        if project_id is not None and uow.projects.get(project_id) is None:
            raise NotFound(f"no project '{project_id}'")
    if fund is None:
        raise NotFound("the store holds no fund yet: run `pfund init` or `pfund demo` first")
    return [_line(fund, f) for f in done if project_id is None or f.project.id == project_id]


def public_expost(rt: Runtime, project_id: str) -> ExPostLine | None:
    """The project page's ex post: a published finished project with an outturn, unless
    its costs or benefits are protected (ex-post figures would reveal them)."""
    from pfund.services.portal import published_project

    found = published_project(rt, project_id)  # NotFound unless published
    if found.status is not FINISHED:
        return None
    with rt.uow() as uow:
        fund = uow.fund.get()
        if fund is None:
            return None
        shown = view(found, audience=ProtectionClass.PUBLIC)
        if "costs" not in shown or "benefits" not in shown:
            return None
        done = finished_projects(uow, [found])
    return _line(fund, done[0]) if done else None


def _line(fund: FundDefinition, f: Finished) -> ExPostLine:
    from pfund.results.expost import ex_post

    first = project_schedule(f.project).first_year
    benefits = {first + i: v for i, v in enumerate(_benefit_stream(f))}
    rate, base = float(fund.discount_rate), fund.first_year
    e = ex_post(f.outturn, benefits, rate=rate, base_year=base, project=f.project)
    return ExPostLine(
        id=f.project.id,
        title=f.project.title,
        area=f.project.area,
        estimated_cost=f.estimated_cost,
        realised_cost=f.realised_cost,
        benefit_scale=f.benefit_scale,
        reported=f.reported,
        verified=f.verified,
        ex_ante_npv=e.ex_ante_npv,
        ex_post_npv=e.npv,
        ex_ante_bcr=e.ex_ante_bcr,
        ex_post_bcr=e.bcr,
        ex_ante_err=e.ex_ante_err.value if e.ex_ante_err else None,
        ex_post_err=e.err.value,
    )


def _benefit_stream(f: Finished) -> list[float]:
    """The ex-ante likely benefits by year, scaled by how much of the outcome was achieved
    (verified where a verifier checked it)."""
    return [float(v) * f.benefit_scale for v in project_schedule(f.project).benefit_total()]
