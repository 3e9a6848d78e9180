"""Learning from results: ex-post appraisal and reference classes for new appraisals.

Ex post. A finished project's realised costs and verified benefits by year are appraised
with the same functions as ex ante (:mod:`pfund.appraisal.cba`, :mod:`pfund.appraisal.err`:
end-of-year timing, discounting to the end of ``base_year``), so the two sets of figures
differ only by what happened. Verified benefits can be derived from the ex-ante benefit
stream scaled by how much of the predicted outcome was verified
(:func:`realised_benefits`): the value per unit of outcome is kept as appraised.

Reference classes (Flyvbjerg, "From Nobel Prize to project management: getting risks
right", *Project Management Journal* 37(3), 2006). Each area of the fund is a class;
for its finished projects the ratios realised / estimated cost (overrun) and realised /
estimated benefit (shortfall) form the class's distributions, summarised as three points
(10th percentile, median, 90th percentile) and a mean, the form
:mod:`pfund.appraisal.montecarlo` draws from (PERT or triangular on low, likely, high).

The prior, until a class has ``min_count`` finished projects, is HM Treasury's optimism
bias for the area's project type (Green Book supplementary guidance, 2003, Table 1; the
table is ``pfund/data/optimism_bias/green_book_2003.csv`` with its source beside it): the
cost ratio's three points are ``1 + lower``, ``1 + upper``, ``1 + upper`` (the guidance
starts every appraisal at the upper bound and allows the lower only for risks shown to be
managed). The guidance has no benefit figures, so the benefit prior is no change (1).

From ``min_count`` on, history and prior are blended by Bühlmann credibility (Bühlmann
and Gisler, *A Course in Credibility Theory and its Applications*, 2005, ch. 3):
``Z = n / (n + k)``, every figure ``Z * history + (1 - Z) * prior``, where ``k`` is the
ratio of the within-class variance to the variance between classes; with the default
``k = 10`` ten projects of history weigh as much as the prior. :func:`buhlmann_k`
estimates ``k`` from the fund's own classes (Bühlmann-Straub, ch. 4) once there are enough.
Blending the three points is averaging quantile functions, which keeps them ordered.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from pfund.appraisal.cba import appraise, benefit_cost_ratio, present_value
from pfund.appraisal.err import ErrResult, err
from pfund.appraisal.schedule import project_schedule
from pfund.domain import Project
from pfund.errors import InvalidInput, Problem

__all__ = [
    "AreaCalibration",
    "ExPost",
    "Movement",
    "ProjectType",
    "Uplift",
    "buhlmann_k",
    "calibrate",
    "ex_post",
    "green_book_table",
    "portfolio_movement",
    "realised_benefits",
    "uplift_project",
]

FloatArray = npt.NDArray[np.float64]
Source = Literal["prior", "blend"]
QUANTILES = (0.10, 0.50, 0.90)
CENT = Decimal("0.01")


class ProjectType(StrEnum):
    """The Green Book's project types, as the table names them."""

    STANDARD_BUILDINGS = "standard_buildings"
    NON_STANDARD_BUILDINGS = "non_standard_buildings"
    STANDARD_CIVIL_ENGINEERING = "standard_civil_engineering"
    NON_STANDARD_CIVIL_ENGINEERING = "non_standard_civil_engineering"
    EQUIPMENT_DEVELOPMENT = "equipment_development"
    OUTSOURCING = "outsourcing"


@dataclass(frozen=True)
class ExPost:
    """Ex-post figures beside the ex-ante ones (None where no project was given)."""

    pv_costs: float
    pv_benefits: float
    npv: float
    bcr: float | None
    err: ErrResult
    ex_ante_npv: float | None = None
    ex_ante_bcr: float | None = None
    ex_ante_err: ErrResult | None = None


def _stream(by_year: Mapping[int, float], first: int, last: int) -> FloatArray:
    out = np.zeros(last - first + 1)
    for year, value in by_year.items():
        out[year - first] += float(value)
    return out


def ex_post(
    realised_costs: Mapping[int, float],
    verified_benefits: Mapping[int, float],
    *,
    rate: float,
    base_year: int,
    project: Project | None = None,
) -> ExPost:
    """NPV, BCR and ERR of what was spent and what was verified, by the ex-ante rules."""
    years = [*realised_costs, *verified_benefits]
    if not realised_costs:
        raise InvalidInput("no realised costs", [Problem("give costs by year", field="costs")])
    first, last = min(years), max(years)
    costs = _stream(realised_costs, first, last)
    benefits = _stream(verified_benefits, first, last)
    pv_c = present_value(rate, costs, first_period=first - base_year)
    pv_b = present_value(rate, benefits, first_period=first - base_year)
    ante = appraise(project, rate=rate, base_year=base_year) if project else None
    return ExPost(
        pv_costs=pv_c,
        pv_benefits=pv_b,
        npv=pv_b - pv_c,
        bcr=benefit_cost_ratio(pv_b, pv_c),
        err=err(benefits - costs),
        ex_ante_npv=ante.npv if ante else None,
        ex_ante_bcr=ante.bcr if ante else None,
        ex_ante_err=ante.err if ante else None,
    )


def realised_benefits(project: Project, verified: Mapping[str, float]) -> dict[int, float]:
    """The ex-ante likely benefit stream scaled by verified / predicted outcome.

    With several outcomes the scale is their mean realisation: each outcome is taken as
    an equal witness of how much of the benefit happened.
    """
    ratios = []
    for name, value in verified.items():
        if name not in project.outcomes:
            raise InvalidInput(
                "verified value for an outcome the project does not predict",
                [Problem(f"outcome '{name}' is not in project '{project.id}'", field="outcome")],
            )
        predicted = project.outcomes[name].value.likely
        ratios.append(value / predicted if predicted > 0 else 1.0)
    scale = float(np.mean(ratios)) if ratios else 1.0
    schedule = project_schedule(project)
    total = schedule.benefit_total()
    return {schedule.first_year + i: float(v) * scale for i, v in enumerate(total)}


@cache
def green_book_table() -> dict[ProjectType, tuple[float, float]]:
    """``(lower, upper)`` capital (opex for outsourcing) uplift by project type."""
    text = files("pfund.data").joinpath("optimism_bias/green_book_2003.csv").read_text()
    rows = csv.DictReader(text.splitlines())
    return {
        ProjectType(r["project_type"]): (float(r["capex_lower"]), float(r["capex_upper"]))
        for r in rows
    }


@dataclass(frozen=True)
class Uplift:
    """A ratio realised / estimated as three points and a central value (1 = no change)."""

    low: float
    likely: float
    high: float
    mean: float


@dataclass(frozen=True)
class AreaCalibration:
    """Which uplift an area's appraisals use, where it came from and what it does."""

    area: str
    project_type: ProjectType
    count: int
    source: Source
    credibility: float  # Z: the weight of the fund's own history
    cost: Uplift
    benefit: Uplift
    prior_cost: Uplift
    history_cost: Uplift | None

    def moved_cost(self, estimate: float) -> float:
        """How much the calibration moves a cost estimate (positive: it rises)."""
        return estimate * (self.cost.mean - 1.0)


def _prior(kind: ProjectType) -> Uplift:
    lower, upper = green_book_table()[kind]
    return Uplift(1 + lower, 1 + upper, 1 + upper, 1 + upper)


_NO_CHANGE = Uplift(1.0, 1.0, 1.0, 1.0)


def _history(ratios: FloatArray) -> Uplift:
    q = np.quantile(ratios, QUANTILES)
    return Uplift(float(q[0]), float(q[1]), float(q[2]), float(ratios.mean()))


def _blend(z: float, history: Uplift, prior: Uplift) -> Uplift:
    def mix(a: float, b: float) -> float:
        return z * a + (1 - z) * b

    return Uplift(
        mix(history.low, prior.low),
        mix(history.likely, prior.likely),
        mix(history.high, prior.high),
        mix(history.mean, prior.mean),
    )


def calibrate(
    *,
    area: npt.ArrayLike,
    estimated_cost: npt.ArrayLike,
    realised_cost: npt.ArrayLike,
    estimated_benefit: npt.ArrayLike,
    realised_benefit: npt.ArrayLike,
    area_types: Mapping[str, ProjectType],
    min_count: int = 10,
    k: float = 10.0,
) -> dict[str, AreaCalibration]:
    """Per area (every area in ``area_types``): the uplifts a new appraisal should use.

    Inputs are one element per finished project. Every area must be typed: an area with
    no history still needs its prior.
    """
    areas = np.asarray(area, dtype=str)
    sizes = {
        np.size(a) for a in (estimated_cost, realised_cost, estimated_benefit, realised_benefit)
    }
    if sizes != {areas.size}:
        raise InvalidInput(
            "the finished projects' columns differ in length",
            [Problem(f"{areas.size} areas but columns of {sorted(sizes)}", field="area")],
        )
    cost_ratio = _ratios(estimated_cost, realised_cost, "estimated_cost")
    ben_ratio = _ratios(estimated_benefit, realised_benefit, "estimated_benefit")
    _check_types(areas, area_types)
    if min_count < 1 or k <= 0:
        raise ValueError(f"min_count must be >= 1 and k > 0, got {min_count}, {k}")
    codes, inverse = np.unique(areas, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(codes.size + 1))
    groups = {str(c): order[bounds[i] : bounds[i + 1]] for i, c in enumerate(codes)}
    empty = np.array([], dtype=np.int64)
    return {
        a: _calibrate_area(a, t, groups.get(a, empty), cost_ratio, ben_ratio, min_count, k)
        for a, t in sorted(area_types.items())
    }


def _calibrate_area(
    area: str,
    kind: ProjectType,
    rows: npt.NDArray[np.int64],
    cost_ratio: FloatArray,
    ben_ratio: FloatArray,
    min_count: int,
    k: float,
) -> AreaCalibration:
    prior = _prior(kind)
    n = int(rows.size)
    if n < min_count:
        return AreaCalibration(area, kind, n, "prior", 0.0, prior, _NO_CHANGE, prior, None)
    z = n / (n + k)
    hist_cost = _history(cost_ratio[rows])
    benefit = _blend(z, _history(ben_ratio[rows]), _NO_CHANGE)
    cost = _blend(z, hist_cost, prior)
    return AreaCalibration(area, kind, n, "blend", z, cost, benefit, prior, hist_cost)


def _ratios(estimated: npt.ArrayLike, realised: npt.ArrayLike, name: str) -> FloatArray:
    est = np.asarray(estimated, dtype=np.float64)
    real = np.asarray(realised, dtype=np.float64)
    bad = np.flatnonzero(~(est > 0) | ~(real >= 0) | ~np.isfinite(real))
    if bad.size:
        raise InvalidInput(
            "a finished project's estimate must be positive and its realised value finite",
            [
                Problem(f"{name} must be > 0 (realised >= 0)", row=int(i) + 1, field=name)
                for i in bad[:20]
            ],
        )
    return real / est


def _check_types(areas: npt.NDArray[np.str_], types: Mapping[str, ProjectType]) -> None:
    missing = sorted(set(areas.tolist()) - set(types))
    if missing:
        raise InvalidInput(
            "an area has no Green Book project type for its prior",
            [Problem(f"area '{a}' needs a project type", field="area_types") for a in missing],
        )


def buhlmann_k(area: npt.ArrayLike, ratio: npt.ArrayLike) -> float | None:
    """Bühlmann-Straub estimate of ``k`` (within / between variance) over the classes.

    Uses the unbiased estimators of Bühlmann and Gisler (2005, sec. 4.8) with unit
    weights; None when there are fewer than two classes or the between-class variance is
    not positive (then history should not be trusted over the prior on this evidence).
    """
    areas, r = np.asarray(area, dtype=str), np.asarray(ratio, dtype=np.float64)
    codes, inv = np.unique(areas, return_inverse=True)
    n = np.bincount(inv).astype(np.float64)
    if codes.size < 2 or np.any(n < 2):
        return None
    means = np.bincount(inv, r) / n
    within = float(np.sum((r - means[inv]) ** 2) / np.sum(n - 1))
    total_n = n.sum()
    grand = float(np.sum(n * means) / total_n)
    c = total_n - np.sum(n**2) / total_n
    between = (float(np.sum(n * (means - grand) ** 2)) - (codes.size - 1) * within) / c
    return within / between if between > 0 else None


def _scaled(estimate: dict[str, Any] | None, factor: Decimal) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {k: (Decimal(v) * factor).quantize(CENT) for k, v in estimate.items()}


def uplift_project(project: Project, calibration: AreaCalibration) -> Project:
    """The project with every cost point times the area's mean cost uplift and every
    benefit point times its mean benefit ratio: the Green Book applies optimism bias as
    a percentage added to the estimate, so the spread the proposer gave is kept and moved.
    The Monte Carlo then runs on the result unchanged."""
    if calibration.area != project.area:
        raise ValueError(f"calibration is for area '{calibration.area}', not '{project.area}'")
    # float(): a NumPy scalar's repr is "np.float64(...)", which Decimal cannot read.
    cost = Decimal(repr(round(float(calibration.cost.mean), 6)))
    benefit = Decimal(repr(round(float(calibration.benefit.mean), 6)))
    data = project.model_dump()
    data["costs"] = {
        y: {part: _scaled(c[part], cost) for part in ("capital", "running")}
        for y, c in data["costs"].items()
    }
    data["benefits"] = {
        name: {"by_year": {y: _scaled(e, benefit) for y, e in s["by_year"].items()}}
        for name, s in data["benefits"].items()
    }
    return Project.model_validate(data)


@dataclass(frozen=True)
class Movement:
    """How a calibration moved one area's appraised costs (likely values, undiscounted)."""

    area: str
    source: Source
    credibility: float
    projects: int
    cost_before: float
    cost_after: float

    @property
    def moved(self) -> float:
        return self.cost_after - self.cost_before


def portfolio_movement(
    projects: Sequence[Project], calibrations: Mapping[str, AreaCalibration]
) -> list[Movement]:
    """Per area: which uplift was used and how much it moved the likely cost total, the
    figures the board report prints beside the portfolio."""
    totals: dict[str, list[float]] = {}
    for p in projects:
        likely = float(sum((c.likely() for c in p.costs.values()), Decimal(0)))
        totals.setdefault(p.area, []).append(likely)
    out = []
    for area, costs in sorted(totals.items()):
        if area not in calibrations:
            raise InvalidInput(
                "a project's area has no calibration",
                [Problem(f"area '{area}' was not calibrated", field="area")],
            )
        cal = calibrations[area]
        before = sum(costs)
        out.append(
            Movement(area, cal.source, cal.credibility, len(costs), before, before * cal.cost.mean)
        )
    return out
